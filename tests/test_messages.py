"""ev.message and WPP arguments through etw.open(path, schemas=[...])."""

from __future__ import annotations

import json
import os
import uuid

import pytest

import etw
from etw import wpp as wpp_module


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
    assert (info.component, info.function, info.file, info.line, info.level, info.flags, info.name) == (
        "findneedle", "main", "WppStrEmitter.cpp", 27, "STR_GENERAL", None, "WppStrEmitter_cpp27")
    last = wpp[3].wpp
    assert (last.message_number, last.component, last.function, last.file, last.line, last.level) == (
        11, "findneedle", "main", "WppStrEmitter.cpp", 29, "STR_GENERAL")
    assert info.tmf.endswith(os.path.join("wpp-tmf", "744151fd-b3f4-32e6-38eb-0fd11e3fb62d.tmf"))
    assert wpp[0].wpp_reason is None
    assert [ev.wpp_sequence for ev in wpp] == [0, 0, 0, 0]  # the corpus records carry no sequence
    assert [ev.payload for ev in wpp] == [b"alpha\0\0\0\0\0", b"bravo\0\1\0\0\0", b"charlie\0\2\0\0\0",
                                          "root\0".encode("utf-16-le")]


def test_wpp_arguments_in_to_dict_and_to_json(corpus_dir):
    """to_dict()/to_json() of a decoded WPP event: EventData holds the arguments by
    their TMF names, the same keys and values as dict(ev) (to_json with its
    conversions: GUIDs braced upper case, times ISO 8601 UTC, bytes hex, time spans
    in seconds)."""
    tmf = _p(corpus_dir, "wpp-tmf")

    def wpp_events(name):
        return [ev for ev in etw.open(_p(corpus_dir, name), schemas=[tmf]) if ev.kind == "wpp"]

    ev = wpp_events("findneedle_wppstr-sample.etl")[1]
    d = ev.to_dict()
    assert d["EventData"] == dict(ev) == {"names[i]": "bravo", "i": 1}
    assert list(d) == ["System", "EventData", "ExtendedData"]  # no message in to_dict (as for manifests)
    assert d["System"]["EventID"] == 10 and d["System"]["Execution"]["ProcessID"] == 31600
    j = json.loads(ev.to_json())
    assert j["EventData"] == {"names[i]": "bravo", "i": 1}
    assert j["System"]["TimeCreated"] == {"SystemTime": "2026-07-31T08:51:22.3182011Z"}
    d["EventData"]["i"] = 99  # a fresh dict each time
    assert ev.to_dict()["EventData"]["i"] == 1 and ev["i"] == 1
    data = {ev.message: (ev.to_dict()["EventData"], json.loads(ev.to_json())["EventData"])
            for name in ("findneedle_wpptypes-sample.etl", "findneedle_wpptime-sample.etl",
                         "findneedle_wppbin-sample.etl", "findneedle_wpptypes2-sample.etl",
                         "findneedle_wppmisc-sample.etl")
            for ev in wpp_events(name)}
    g = "11223344-5566-7788-99aa-bbccddeeff00"
    assert data["hr=0x80070005(ERROR_ACCESS_DENIED) st=0xc0000022(STATUS_ACCESS_DENIED) guid=" + g] == (
        {"(HRESULT)E_ACCESSDENIED": 0x80070005, "(NTSTATUS)0xC0000022L": 0xC0000022, "&g": uuid.UUID(g)},
        {"(HRESULT)E_ACCESSDENIED": 0x80070005, "(NTSTATUS)0xC0000022L": 0xC0000022, "&g": "{%s}" % g.upper()})
    assert data["ptr p=00007FF012345678 null=0000000000000000"][1] == {
        "(void*)(ULONG_PTR)0x7ff012345678ULL": 0x7FF012345678, "(void*)0": 0}
    assert data["sint i=42 neg=-1000 i64=-5000000000"][1] == {
        "(int)42": 42, "(int)-1000": -1000, "(long long)-5000000000LL": -5000000000}
    assert data["ts=2020-01-01 00:00:00.000Z"][1] == {"(LONGLONG)u.QuadPart": "2020-01-01T00:00:00.0000000Z"}
    assert data["dbl=3.14062 delta=5.000s"][1] == {"3.140625": 3.140625, "(LONGLONG)50000000": 5.0}
    key = "WppBinary(data. (USHORT)sizeof(data))"
    assert data["hex=DEADBEEF00112233"] == ({key: bytes.fromhex("DEADBEEF00112233")}, {key: "deadbeef00112233"})
    assert data["clsid=aabbccdd-eeff-1122-3344-556677889900 iid=aabbccdd-eeff-1122-3344-556677889900"][1] == {
        "&clsid": "{AABBCCDD-EEFF-1122-3344-556677889900}", "&clsid#11": "{AABBCCDD-EEFF-1122-3344-556677889900}"}
    assert data["ip=127.0.0.1 port=80"][1] == {"(ULONG)0x0100007F": "127.0.0.1", "(USHORT)0x5000": 80}
    # Without TMF files EventData stays empty, as dict(ev) does.
    plain = next(e for e in etw.open(_p(corpus_dir, "findneedle_wppstr-sample.etl")) if e.kind == "wpp")
    assert plain.to_dict()["EventData"] == {} and json.loads(plain.to_json())["EventData"] == {}


def test_wpp_message_is_decoded_once_per_event(corpus_dir, monkeypatch):
    """ev.message, ev[...], ev.wpp, to_dict() and to_json() of one event share one decode."""
    calls = []
    real = wpp_module._decode_message

    def counting(*args, **kw):
        calls.append(args[0].number)
        return real(*args, **kw)

    monkeypatch.setattr(wpp_module, "_decode_message", counting)
    trace = etw.open(_p(corpus_dir, "findneedle_wppstr-sample.etl"), schemas=[_p(corpus_dir, "wpp-tmf")])
    a, b, c, d = [ev for ev in trace if ev.kind == "wpp"]
    assert calls == []
    assert a.message == "strtrace name=alpha id=0 tag=END"
    assert a["i"] == 0 and a.wpp.message == a.message and a.wpp is a.wpp
    assert a.to_dict()["EventData"] == {"names[i]": "alpha", "i": 0}
    assert json.loads(a.to_json())["EventData"] == {"names[i]": "alpha", "i": 0}
    assert a.wpp_reason is None
    assert calls == [10]
    # another event is decoded on its own; its facts (not only its bytes) count
    assert b.message == "strtrace name=bravo id=1 tag=END" and b.wpp.line == 27
    assert calls == [10, 10]


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
    assert [(ev.id, ev.payload) for ev in wpp] == [
        (10, b"alpha\0\0\0\0\0"), (10, b"bravo\0\1\0\0\0"), (10, b"charlie\0\2\0\0\0"),
        (11, "root\0".encode("utf-16-le"))]
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
