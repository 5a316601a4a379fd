"""The once-per-key schema fallback the live consumer feeds from TDH (core/fallback.c).

On Windows the ProcessTrace thread calls TdhGetEventInformation / TdhGetEventMapInformation
for records nothing else describes; etw._etw._fallback_run drives the same C code with
Python callables in TDH's place, so which records are asked about, how often, what gets
registered and how misses are remembered is checked here on any OS. Blobs are built with
etw._tei (the TRACE_EVENT_INFO / EVENT_MAP_INFO layout TDH returns)."""

import uuid

import pytest

from etw import _etw
from etw._tei import MAP_VALUEMAP, EventMap, EventSchema, Prop, pack_emi, pack_tei

PROV = uuid.UUID("11111111-2222-3333-4444-555555555555")
OTHER = uuid.UUID("66666666-7777-8888-9999-aaaaaaaaaaaa")
PROCESS_CLASS = uuid.UUID("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c")   # kernel table knows it
EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")
STRING_ONLY = 0x0004

IN_UINT32, IN_UNICODESTRING = 8, 1


def manifest(provider=PROV, id=1, version=0, flags=0, tl=False):
    return ("manifest", provider, id, version, 0, flags, tl)


def classic(guid, opcode, version=0, kind="classic"):
    return (kind, guid, 0, version, opcode, 0, False)


def tei(provider=PROV, id=1, version=0, name="Started", maps=(), event_guid=None,
        opcode=0, wbem=False):
    props = [Prop("Pid", IN_UINT32), Prop("Image", IN_UNICODESTRING)]
    props += [Prop(f"State{i}", IN_UINT32, map_name=m) for i, m in enumerate(maps)]
    return pack_tei(EventSchema(provider_id=provider, id=id, version=version, opcode=opcode,
                                event_guid=event_guid or uuid.UUID(int=0),
                                decoding_source=1 if wbem else 0, event_name=name,
                                props=props, top_count=len(props)))


def emi(name, entries):
    return pack_emi(EventMap(provider_id=PROV, name=name, flags=MAP_VALUEMAP, entries=entries))


def run(records, event_info, map_info=None, max_keys=0):
    return _etw._fallback_run(records, event_info, map_info, max_keys)


def test_unknown_manifest_event_asked_once_and_registered():
    out = run([manifest(), manifest(), manifest(version=1)],
              lambda i: tei() if i == 0 else tei(version=1, name="StartedV1"))
    assert out["results"] == [1, 0, 1]
    assert out["calls"] == [("tei", 0), ("tei", 2)]        # the repeat is not asked
    assert out["schemas"][0] == {
        "event_name": "Started", "source": 9, "key_kind": 1,   # ETW_SRC_TDH, MANIFEST
        "props": [("Pid", None, None), ("Image", None, None)]}
    assert out["schemas"][1] == out["schemas"][0]
    assert out["schemas"][2]["event_name"] == "StartedV1"
    assert out["stats"] == {"keys": 2, "asked": 2, "added": 2, "failed": 0, "invalid": 0,
                            "unmatched": 0, "maps_asked": 0, "maps_added": 0,
                            "maps_failed": 0, "skipped_full": 0, "last_code": 0}


def test_misses_are_remembered():
    # ERROR_NOT_FOUND (1168) for one key, a blob the parser refuses for another: each is
    # asked once, however often its events come.
    recs = [manifest(id=1), manifest(id=2), manifest(id=1), manifest(id=2), manifest(id=1)]
    out = run(recs, lambda i: 1168 if recs[i][2] == 1 else b"\x01\x02")
    assert out["results"] == [0, 0, 0, 0, 0]
    assert out["calls"] == [("tei", 0), ("tei", 1)]
    assert out["schemas"] == [None] * 5
    s = out["stats"]
    assert (s["keys"], s["asked"], s["failed"], s["invalid"], s["added"], s["last_code"]) == (
        2, 2, 1, 1, 0, 1168)


def test_what_is_not_asked():
    recs = [
        manifest(tl=True),                          # TraceLogging: its own metadata
        ("tracelogging", PROV, 5, 0, 0, 0, True),
        manifest(flags=STRING_ONLY),                # EventWriteString
        ("wpp", PROV, 0, 0, 0, 0, False),           # TMF files, not TDH
        ("header", PROV, 0, 0, 0, 0, False),
        classic(EVENT_METADATA, 32),                # injected schemas themselves
        classic(PROCESS_CLASS, 1, 3, kind="kernel"),  # the kernel table has Process/Start
    ]
    out = run(recs, lambda i: pytest.fail(f"asked about record {i}"))
    assert out["calls"] == []
    assert out["results"] == [0] * 7
    assert out["stats"]["keys"] == 1 and out["stats"]["asked"] == 0   # only the kernel one
    assert out["schemas"][6]["source"] == 3                            # ETW_SRC_KERNEL
    assert out["schemas"][2] == {"event_name": None, "source": 5, "key_kind": 1,
                                 "props": [("String", None, None)]}


def test_classic_and_kernel_keys():
    # A kernel event the built-in table lacks (Process opcode 200) and a classic MOF class:
    # keyed by (class GUID, opcode, version), answered with WBEM TRACE_EVENT_INFO.
    recs = [classic(PROCESS_CLASS, 200, 2, kind="kernel"), classic(OTHER, 10, 1),
            classic(OTHER, 10, 1), classic(OTHER, 11, 1)]
    answers = {0: tei(PROCESS_CLASS, version=2, opcode=200, event_guid=PROCESS_CLASS,
                      wbem=True, name=None),
               1: tei(uuid.UUID(int=0), version=1, opcode=10, event_guid=OTHER, wbem=True,
                      name=None),
               3: 2}
    out = run(recs, answers.__getitem__)
    assert out["results"] == [1, 1, 0, 0]
    assert out["calls"] == [("tei", 0), ("tei", 1), ("tei", 3)]
    for i in (0, 1, 2):
        assert out["schemas"][i]["key_kind"] == 2       # CLASSIC
        assert [p[0] for p in out["schemas"][i]["props"]] == ["Pid", "Image"]
    assert out["schemas"][3] is None
    assert out["stats"]["failed"] == 1 and out["stats"]["last_code"] == 2


def test_answer_for_another_key_is_counted_unmatched():
    out = run([manifest(id=7)], lambda i: tei(id=8))
    assert out["results"] == [1]                        # registered under its own key ...
    assert out["schemas"] == [None]                     # ... which is not the record's
    assert out["stats"]["unmatched"] == 1 and out["stats"]["added"] == 1


def test_maps_asked_once_per_name():
    recs = [manifest(id=1), manifest(id=2), manifest(id=3)]
    answers = {0: tei(id=1, maps=("StateMap",)), 1: tei(id=2, maps=("StateMap", "KindMap")),
               2: tei(id=3, maps=("BadMap", "LostMap"))}
    maps = {"StateMap": emi("StateMap", [(0, "Off"), (1, "On")]),
            "KindMap": emi("KindMap", [(5, "Five")]), "BadMap": b"\x00", "LostMap": 1168}
    out = run(recs, answers.__getitem__, lambda i, name: maps[name])
    assert out["calls"] == [("tei", 0), ("emi", 0, "StateMap"), ("tei", 1),
                            ("emi", 1, "KindMap"), ("tei", 2), ("emi", 2, "BadMap"),
                            ("emi", 2, "LostMap")]
    assert out["schemas"][1]["props"] == [
        ("Pid", None, None), ("Image", None, None),
        ("State0", "StateMap", [(0, "Off"), (1, "On")]), ("State1", "KindMap", [(5, "Five")])]
    assert out["schemas"][2]["props"][2:] == [("State0", "BadMap", None),
                                              ("State1", "LostMap", None)]
    s = out["stats"]
    assert (s["maps_asked"], s["maps_added"], s["maps_failed"]) == (4, 2, 2)
    # Without a map source only the schema is asked for.
    out = run(recs[:1], answers.__getitem__)
    assert out["calls"] == [("tei", 0)] and out["stats"]["maps_asked"] == 0


def test_key_set_is_bounded():
    recs = [manifest(id=i) for i in range(5)] + [manifest(id=0)]
    out = run(recs, lambda i: 1168, max_keys=3)
    assert out["calls"] == [("tei", 0), ("tei", 1), ("tei", 2)]
    s = out["stats"]
    assert (s["keys"], s["asked"], s["skipped_full"]) == (3, 3, 2)


def test_hook_errors():
    with pytest.raises(ZeroDivisionError):
        run([manifest()], lambda i: 1 / 0)
    with pytest.raises(TypeError, match="bytes or an int code"):
        run([manifest()], lambda i: "nope")
    with pytest.raises(TypeError, match="callables"):
        run([manifest()], 42)
    with pytest.raises(ValueError, match="bad record"):
        run([("nosuch", PROV, 0, 0, 0, 0, False)], lambda i: 1)
