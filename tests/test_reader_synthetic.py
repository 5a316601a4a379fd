"""The reader against synthetic traces built byte by byte by tests/etlwriter.

Every header type, extended items, compressed buffers, 32-bit headers and
several CPUs whose buffers are out of time order: each event must come back
with exactly the fields the writer put in, in ProcessTrace's order.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest

import etw
from etlwriter import (
    EtlWriter,
    guid_bytes,
    sid_bytes,
    tl_metadata,
    tl_provider_traits,
)

PROVIDER = uuid.UUID("11111111-2222-3333-4444-555555555555")
CLASSIC = uuid.UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
MSG_GUID = uuid.UUID("9b93a332-c452-3e71-64f7-55130c7de2e4")
ACT = uuid.UUID("00000100-0000-0003-193d-42fb30bbcb01")
REL = uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")
PROCESSOR_INDEX = 0x200  # ProcessTrace reports it on every event


def build_mixed(pointer_size=8, win7=False, clock_type=1, perf_freq=10_000_000, **kw):
    """A trace with every record type, on 4 CPUs, buffers flushed out of order."""
    w = EtlWriter(pointer_size=pointer_size, buffer_size=0x1000, cpu_count=4, win7=win7,
                  clock_type=clock_type, perf_freq=perf_freq, **kw)
    t0 = w.t0 if hasattr(w, "t0") else 1_000_000
    ts = t0 + 10
    for i in range(400):
        cpu = (i * 7) % 4
        ts += 3 + (i % 5)
        k = i % 9
        if k == 0:
            w.system(cpu, ts, group=3, type=1, payload=bytes(range(40)), version=4,
                     tid=100 + i, pid=4, kernel_time=i, user_time=2 * i)
        elif k == 1:
            w.system(cpu, ts, group=5, type=36, payload=b"\x01" * 24, compact=True,
                     tid=7, pid=8, ptr=4 if i % 2 else 8)
        elif k == 2:
            w.perfinfo(cpu, ts, group=0x0F, type=46, payload=b"\x02" * 16)
        elif k == 3:
            w.classic(cpu, ts, CLASSIC, type=10, level=4, version=2, tid=11, pid=12,
                      payload=b"classic" * 3, ptr=4 if i % 2 else 8, kernel_time=5,
                      user_time=6)
        elif k == 4:
            w.classic(cpu, ts, CLASSIC, type=11, tid=13, pid=14, payload=b"inst",
                      instance=(77, 66, PROVIDER))
        elif k == 5:
            w.event(cpu, ts, PROVIDER, id=21, version=1, channel=16, level=4, opcode=28,
                    task=4, keyword=0x8000000000000010, tid=0, pid=0, activity_id=ACT,
                    ext=[(1, guid_bytes(REL)), (2, sid_bytes("S-1-5-21-1-2-3-1001")),
                         (3, (5).to_bytes(4, "little"))],
                    payload=bytes(range(72)))
        elif k == 6:
            meta = tl_metadata("MyEvent", [("Field", 8)])
            w.event(cpu, ts, PROVIDER, level=5, channel=11,
                    ext=[(11, meta), (12, tl_provider_traits("My.Provider")),
                         (6, (42).to_bytes(8, "little") + (0x1000).to_bytes(8, "little")
                          + (0x2000).to_bytes(8, "little"))],
                    payload=(123).to_bytes(4, "little"), ptr=4 if i % 2 else 8)
        elif k == 7:
            w.wpp(cpu, ts, MSG_GUID, 10 + (i % 3), args=b"wpp-args", tid=21, pid=22)
        else:
            w.event(cpu, ts, PROVIDER, id=7, payload="héllo\0".encode("utf-16-le"),
                    flags=0x0004)
    return w


def check_events(events, expected):
    assert len(events) == len(expected)
    for got, exp in zip(events, expected):
        assert got.kind == exp["kind"], exp
        assert got.header_type == exp["header_type"]
        assert got.provider_id == exp["provider_id"]
        assert got.id == exp["id"]
        assert got.version == exp["version"]
        assert got.channel == exp["channel"]
        assert got.level == exp["level"]
        assert got.opcode == exp["opcode"]
        assert got.task == exp["task"]
        assert got.keyword == exp["keyword"]
        assert got.pid == exp["pid"]
        assert got.tid == exp["tid"]
        assert got.cpu == exp["cpu"]
        assert got.group == (exp["group"] or 0)
        assert got.kernel_time == exp["kernel_time"]
        assert got.user_time == exp["user_time"]
        assert got.pointer_size == exp["pointer_size"]
        assert got.flags == exp["flags"] | PROCESSOR_INDEX
        assert got.payload == exp["payload"]
        assert got.raw_timestamp == exp["timestamp"]
        assert got.filetime == exp["filetime"]
        assert got.time_ns == exp["time_ns"]
        assert got.activity_id == exp["activity_id"]
        assert got.related_activity_id == exp["related_activity_id"]
        assert [(it[0], it[1]) for it in exp["ext"]] == [(t, b) for t, b in exp["ext"]]


@pytest.mark.parametrize("pointer_size", [8, 4])
@pytest.mark.parametrize("compress", [False, True])
def test_every_header_type_in_time_order(tmp_path, pointer_size, compress):
    w = build_mixed(pointer_size=pointer_size)
    path = tmp_path / "mixed.etl"
    w.write(str(path), compress=compress)
    with etw.open(path) as trace:
        events = list(trace)
        stats = trace.stats
    expected = w.expected_events("time")
    check_events(events, expected)
    # The logfile header comes first, then timestamps never go back.
    assert events[0].kind == "header"
    raw = [e.raw_timestamp for e in events[1:]]
    assert raw == sorted(raw)
    assert stats["events"] == len(expected)
    assert stats["skipped"] == 0
    assert stats["buffers"] == len(w.buffers)
    assert stats["compressed_buffers"] == (len(w.buffers) - 1 if compress else 0)


def test_file_order(tmp_path):
    w = build_mixed()
    path = tmp_path / "mixed.etl"
    w.write(str(path))
    events = list(etw.open(path, order="file"))
    check_events(events, w.expected_events("file"))
    # Buffers really are out of time order in this file.
    raw = [e.raw_timestamp for e in events[1:]]
    assert raw != sorted(raw)


def test_permuted_buffers_merge_stably(tmp_path):
    w = build_mixed()
    w.write(None)
    n = len(w.buffers) - 1
    order = list(reversed(range(n)))
    path = tmp_path / "permuted.etl"
    w.write(str(path), buffer_order=order)
    check_events(list(etw.open(path)), w.expected_events("time"))


def test_equal_timestamps_keep_file_position_order(tmp_path):
    w = EtlWriter(buffer_size=0x1000, cpu_count=3)
    for cpu in (2, 0, 1):
        for j in range(3):
            w.event(cpu, 2_000_000, PROVIDER, id=cpu * 10 + j)
    path = tmp_path / "ties.etl"
    w.write(str(path))
    got = [e.id for e in etw.open(path) if e.kind != "header"]
    assert got == [e["id"] for e in w.expected_events("time")[1:]]


def test_extended_items_decoded(tmp_path):
    w = build_mixed()
    path = tmp_path / "mixed.etl"
    w.write(str(path))
    evs = list(etw.open(path))
    man = next(e for e in evs if e.kind == "manifest" and e.id == 21)
    ext = man.extended
    assert ext["related_activity_id"] == REL
    assert ext["sid"] == "S-1-5-21-1-2-3-1001"
    assert ext["ts_id"] == 5
    assert man.activity_id == ACT
    tl = next(e for e in evs if e.kind == "tracelogging")
    assert tl.extended["stack"] == [0x1000, 0x2000]
    assert tl.extended["stack_match_id"] == 42
    assert tl.extended["event_schema_tl"] == tl_metadata("MyEvent", [("Field", 8)])
    assert tl.extended["prov_traits"] == tl_provider_traits("My.Provider")
    inst = next(e for e in evs if e.kind == "classic" and e.opcode == 11)
    assert inst.extended["instance_info"] == {
        "instance_id": 77, "parent_instance_id": 66, "parent_guid": PROVIDER}
    s = next(e for e in evs if e.kind == "manifest" and e.id == 7)
    assert s["String"] == "héllo"
    assert dict(s) == {"String": "héllo"}
    wpp = next(e for e in evs if e.kind == "wpp")
    assert wpp.provider_id == MSG_GUID and wpp.id in (10, 11, 12)
    assert wpp.payload == b"wpp-args" and (wpp.tid, wpp.pid) == (21, 22)


def test_pebs_and_pmc_items(tmp_path):
    w = EtlWriter(buffer_size=0x1000)
    w.system(0, 2_000_000, group=3, type=1, payload=b"abc", pebs=0x1122334455667788,
             pmc=(1, 2, 3))
    path = tmp_path / "pmc.etl"
    w.write(str(path))
    ev = [e for e in etw.open(path)][-1]
    assert ev.payload == b"abc"
    assert ev.extended["pebs_index"] == 0x1122334455667788
    assert ev.extended["pmc_counters"] == [1, 2, 3]


def test_header_fields(tmp_path):
    w = build_mixed(logger_name="My Session", log_file_name=r"C:\traces\x.etl",
                    timezone_bias=480, os_version=(10, 0, 22621), cpu_speed_mhz=3192)
    path = tmp_path / "h.etl"
    w.write(str(path))
    h = etw.open(path).header
    want = w.header_fields()
    for key, value in want.items():
        assert h[key] == value, key
    epoch = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)
    assert h["start_time"] == epoch + dt.timedelta(microseconds=want["start_filetime"] // 10)
    assert h["boot_time"] == epoch + dt.timedelta(microseconds=want["boot_filetime"] // 10)
    assert h["start_time"].tzinfo is dt.timezone.utc


@pytest.mark.parametrize("clock_type,freq", [(1, 2_338_525), (0, 1_818_300), (2, 0), (3, 0)])
def test_clock_types(tmp_path, clock_type, freq):
    kw = {"perf_freq": freq} if freq else {}
    if clock_type == 2:  # system time: raw timestamps are FILETIMEs, the header's too
        kw["t0"] = 133500000000000000 - 5
    w = EtlWriter(buffer_size=0x1000, clock_type=clock_type, cpu_speed_mhz=3192, **kw)
    base = w.start_filetime if clock_type == 2 else 1_000_000
    for i in range(50):
        w.event(i % 4, base + 1 + i * 123_457, PROVIDER, id=i)
    path = tmp_path / "clock.etl"
    w.write(str(path))
    evs = list(etw.open(path))
    exp = w.expected_events()
    assert [e.filetime for e in evs] == [x["filetime"] for x in exp]
    assert [e.time_ns for e in evs] == [x["time_ns"] for x in exp]
    for e in evs:
        assert e.timestamp == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + \
            dt.timedelta(microseconds=e.time_ns // 1000)


def test_negative_delta_before_t0(tmp_path):
    # Rundown records may carry timestamps before the header's: negative deltas
    # truncate toward zero, and the header record still comes first.
    w = EtlWriter(buffer_size=0x1000, perf_freq=3)
    w.event(1, 1_000_000 - 2, PROVIDER, id=1)
    path = tmp_path / "neg.etl"
    w.write(str(path))
    evs = list(etw.open(path))
    assert evs[0].kind == "header"
    assert evs[1].filetime == w.start_filetime - (2 * 10_000_000) // 3
    assert evs[1].filetime == w.expected_events()[1]["filetime"]


def test_process_callback_and_exception(tmp_path):
    w = build_mixed()
    path = tmp_path / "mixed.etl"
    w.write(str(path))
    trace = etw.open(path)
    seen = []
    assert trace.process(lambda e: seen.append((e.kind, e.raw_timestamp))) == len(seen)
    assert seen == [(x["kind"], x["timestamp"]) for x in w.expected_events()]

    class Stop(Exception):
        pass

    count = 0

    def cb(ev):
        nonlocal count
        count += 1
        if count == 5:
            raise Stop

    with pytest.raises(Stop):
        trace.process(cb)
    assert count == 5


def test_iteration_restarts_and_events_outlive_trace(tmp_path):
    w = build_mixed()
    path = tmp_path / "mixed.etl"
    w.write(str(path))
    trace = etw.open(path)
    first = list(trace)
    second = list(trace)
    assert [e.raw_timestamp for e in first] == [e.raw_timestamp for e in second]
    it = iter(trace)
    kept = [next(it) for _ in range(10)]
    trace.close()
    assert list(it) == []
    del trace, it
    assert [e.payload for e in kept] == [x["payload"] for x in w.expected_events()[:10]]


def test_truncated_file_yields_complete_events_then_raises(tmp_path):
    w = build_mixed()
    data = w.write(None)
    exp = w.expected_events("file")
    cut = len(data) - 0x1000 + 0x300  # inside the last buffer
    path = tmp_path / "cut.etl"
    path.write_bytes(data[:cut])
    got = []
    with pytest.raises(etw.EtlFormatError) as info:
        for ev in etw.open(path, order="file"):
            got.append(ev.raw_timestamp)
    assert info.value.offset == len(data) - 0x1000
    assert "truncated" in str(info.value)
    complete = [x for x in exp if x.get("file_offset") is None
                or x["file_offset"] + x["size"] <= cut]
    assert got == [x["timestamp"] for x in complete]
    # errors="skip": the same events, and the damage counted.
    trace = etw.open(path, order="file", errors="skip")
    assert [e.raw_timestamp for e in trace] == got
    assert trace.stats["skipped"] == 1


def test_corrupt_record_strict_and_skip(tmp_path):
    w = build_mixed()
    w.write(None)
    cpu, buf = w.buffers[3]
    buf = bytearray(buf)
    # Third record of that buffer gets an impossible header type.
    pos = 0x48
    for _ in range(2):
        size = int.from_bytes(buf[pos:pos + 2], "little") if buf[pos + 3] != 0xC0 or buf[pos + 2] >= 10 \
            else int.from_bytes(buf[pos + 4:pos + 6], "little")
        pos += (size + 7) & ~7
    buf[pos + 2] = 0x7E
    buf[pos + 3] = 0xC0
    w.buffers[3] = (cpu, bytes(buf))
    path = tmp_path / "bad.etl"
    w.assemble(str(path))
    buf_offset = sum(len(b) for _, b in w.buffers[:3])
    with pytest.raises(etw.EtlFormatError) as info:
        list(etw.open(path, order="file"))
    assert info.value.offset == buf_offset + pos
    assert "unknown header type" in str(info.value)
    good = etw.open(path, errors="skip")
    events = list(good)
    assert good.stats["skipped"] == 1
    exp = w.expected_events("time")
    lost = [x for x in exp if x.get("buffer_index") == 3 and x["file_offset"] >= buf_offset + pos]
    assert len(events) == len(exp) - len(lost)


def test_not_an_etl_file(tmp_path):
    p = tmp_path / "x.etl"
    p.write_bytes(b"MZ" + b"\0" * 5000)
    with pytest.raises(etw.EtlFormatError) as info:
        etw.open(p)
    assert info.value.offset == 0
    assert isinstance(info.value, ValueError) and isinstance(info.value, etw.EtwError)
    with pytest.raises(FileNotFoundError):
        etw.open(tmp_path / "missing.etl")
    with pytest.raises(ValueError):
        etw.open(p, order="sorted")


def test_scan_counts(tmp_path):
    w = build_mixed()
    path = tmp_path / "mixed.etl"
    w.write(str(path))
    res = etw.scan(path)
    exp = w.expected_events("file")
    assert res["events"] == len(exp)
    counts = {}
    for x in exp:
        key = (x["provider_id"], x["id"], x["opcode"])
        counts[key] = counts.get(key, 0) + 1
    assert res["counts"] == counts
    kinds = {}
    for x in exp:
        kinds[x["kind"]] = kinds.get(x["kind"], 0) + 1
    assert {k: v for k, v in res["kinds"].items() if v} == kinds


def test_event_repr_and_mapping(tmp_path):
    w = build_mixed()
    path = tmp_path / "mixed.etl"
    w.write(str(path))
    ev = next(e for e in etw.open(path) if e.kind == "manifest" and e.id == 21)
    r = repr(ev)
    assert r.startswith("<etw.Event manifest provider=11111111-2222-3333-4444-555555555555 id=21")
    import collections.abc
    assert isinstance(ev, collections.abc.Mapping)
    with pytest.raises(KeyError):
        ev["nope"]
    assert ev.get("nope", 5) == 5
