"""ev.message and WPP arguments through etw.open(path, schemas=[...])."""

from __future__ import annotations

import os

import pytest

import etw


def _p(corpus_dir, *parts):
    p = os.path.join(corpus_dir, *parts)
    if not os.path.exists(p):
        pytest.skip("%s is not in the corpus" % p)
    return p


def test_wpp_events_through_open(corpus_dir):
    tmf = _p(corpus_dir, "wpp-tmf")
    trace = etw.open(_p(corpus_dir, "findneedle_wppstr-sample.etl"), schemas=[tmf])
    wpp = [ev for ev in trace if ev.kind == "wpp"]
    assert [ev.message for ev in wpp] == [
        "strtrace name=alpha id=0 tag=END",
        "strtrace name=bravo id=1 tag=END",
        "strtrace name=charlie id=2 tag=END",
        "widetrace user=root role=admin",
    ]
    assert dict(wpp[0]) == {"names[i]": "alpha", "i": 0}
    assert wpp[2]["i"] == 2


def test_wpp_without_tmf_keeps_raw_arguments(corpus_dir):
    trace = etw.open(_p(corpus_dir, "findneedle_wppstr-sample.etl"))
    wpp = [ev for ev in trace if ev.kind == "wpp"]
    assert len(wpp) == 4
    assert all(ev.message is None and dict(ev) == {} for ev in wpp)
    assert all(len(ev.payload) > 0 and ev.id in (10, 11) for ev in wpp)
    assert {str(ev.provider_id) for ev in wpp} == {"744151fd-b3f4-32e6-38eb-0fd11e3fb62d"}


def test_manifest_message_matches_tx_oracle(corpus_dir):
    # microsoft/Tx's HttpQueriesTest formats one Parse event (SOURCES.md):
    man = _p(corpus_dir, "manifests", "tx_HTTP_Server.man")
    trace = etw.open(_p(corpus_dir, "tx_HTTP_Server.etl"), schemas=[man])
    parse = next(ev for ev in trace if ev.id == 2)
    assert parse.message.startswith(
        "Parsed request (request pointer 18446738026454074672, method 4) with URI "
        "http://georgis2:80/windir.txt")
    assert "%1" in parse.message_template
