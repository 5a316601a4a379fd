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
    info = wpp[0].wpp
    assert info.message_number == wpp[0].id == 10
    assert info.component and info.function and info.file and info.line
    assert wpp[0].wpp_reason is None


def test_wpp_without_tmf_keeps_raw_arguments(corpus_dir):
    trace = etw.open(_p(corpus_dir, "findneedle_wppstr-sample.etl"))
    wpp = [ev for ev in trace if ev.kind == "wpp"]
    assert len(wpp) == 4
    assert all(ev.message is None and dict(ev) == {} for ev in wpp)
    assert all(ev.wpp is None for ev in wpp)
    assert wpp[0].wpp_reason.startswith("no TMF files")
    # A TMF directory without this GUID says which GUID/number is missing.
    other = etw.open(_p(corpus_dir, "findneedle_wppstr-sample.etl"),
                     schemas=[_p(corpus_dir, "wpp-tmf", "035fd70f-a54a-3c13-f6c5-f7f2b19c92ec.tmf")])
    ev = next(e for e in other if e.kind == "wpp")
    assert ev.message is None and "744151fd-b3f4-32e6-38eb-0fd11e3fb62d" in ev.wpp_reason
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
