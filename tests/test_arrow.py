"""Columnar output (etw.arrow, etw._etw._columns): every column of every row equals the
attribute etw.Event gives for the same event, in the same order, for both engines
(the reader, and the parallel one over buffer ranges), both orders, with filters; on
synthetic traces (exact values from the writer), the sample trace and the corpus."""

from __future__ import annotations

import datetime as dt
import os
import random
import struct
import uuid

import pytest

import etw
from etw import _etw
from etlwriter import (
    EXT_EVENT_SCHEMA_TL, EXT_PROV_TRAITS, EXT_RELATED_ACTIVITYID, EtlWriter, tl_metadata,
    tl_provider_guid, tl_provider_traits, utf16z,
)

pa = pytest.importorskip("pyarrow")
import etw.arrow as A  # noqa: E402

SAMPLE = etw.sample_path()
PROV = uuid.UUID("11111111-2222-3333-4444-555555555555")
CLASSIC = uuid.UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
WPP = uuid.UUID("9b93a332-c452-3e71-64f7-55130c7de2e4")
TL_NAME = "Etw.Test.Arrow"
TL = tl_provider_guid(TL_NAME)

ATTRS = ("time_ns", "provider_id", "id", "version", "channel", "level", "opcode", "task",
         "keyword", "pid", "tid", "cpu", "kind", "pointer_size", "activity_id",
         "related_activity_id", "kernel_time", "user_time", "flags", "event_property",
         "header_type", "group", "file_offset", "filetime", "raw_timestamp", "payload")


def event_row(ev):
    """What to_arrow(columns='all') must hold for ev, as to_pylist() gives it."""
    return {
        "time": ev.time_ns, "provider_id": ev.provider_id.bytes, "id": ev.id,
        "version": ev.version, "channel": ev.channel, "level": ev.level, "opcode": ev.opcode,
        "task": ev.task, "keyword": ev.keyword, "pid": ev.pid, "tid": ev.tid, "cpu": ev.cpu,
        "kind": ev.kind, "pointer_size": ev.pointer_size,
        "activity_id": ev.activity_id.bytes if ev.activity_id else None,
        "related_activity_id": ev.related_activity_id.bytes if ev.related_activity_id else None,
        "kernel_time": ev.kernel_time, "user_time": ev.user_time, "flags": ev.flags,
        "event_property": ev.event_property, "header_type": ev.header_type, "group": ev.group,
        "file_offset": ev.file_offset, "filetime": ev.filetime,
        "raw_timestamp": ev.raw_timestamp, "payload": ev.payload,
        "name": ev.name or None,
    }


def table_rows(table):
    d = table.to_pydict()
    n = table.num_rows
    times = [v.value for v in table.column("time")] if "time" in d else None
    rows = []
    for i in range(n):
        r = {k: d[k][i] for k in d}
        if times is not None:
            r["time"] = times[i]
        rows.append(r)
    return rows


def assert_same_as_events(table, events):
    rows = table_rows(table)
    assert len(rows) == len(events)
    for i, (r, ev) in enumerate(zip(rows, events)):
        exp = event_row(ev)
        got = {k: r[k] for k in exp}
        assert got == exp, (i, {k: (exp[k], got[k]) for k in exp if exp[k] != got[k]})
        prov = ev.provider_name
        if prov:
            assert r["provider"] == prov


# ----------------------------------------------------------------------------- synthetic


def mixed_trace(path, n=600, seed=1, compress=False, buffer_size=0x800, pointer_size=8):
    """Every record kind on 4 CPUs, small buffers so that there are many."""
    r = random.Random(seed)
    w = EtlWriter(buffer_size=buffer_size, cpu_count=4, pointer_size=pointer_size)
    meta = tl_metadata("Tick", [("N", 8), ("Name", 1)])
    traits = tl_provider_traits(TL_NAME)
    ts = 1_000_100
    for i in range(n):
        cpu = r.randrange(4)
        ts += r.randrange(0, 500)
        x = i % 6
        if x == 0:
            w.system(cpu, ts, 0x03, 1, struct.pack("<II", 100 + i, 4), version=2, tid=10 + i,
                     pid=100 + (i % 7), kernel_time=i, user_time=2 * i)
        elif x == 1:
            w.perfinfo(cpu, ts, 0x0F, 46, struct.pack("<QIHBB", 0xFFFFF800 + i, i, 1, 0, 0))
        elif x == 2:
            w.classic(cpu, ts, CLASSIC, r.choice((1, 2, 0x20)), level=3, version=1, tid=7,
                      pid=100 + (i % 7), payload=bytes(r.getrandbits(8) for _ in range(12)))
        elif x == 3:
            ext = [(EXT_RELATED_ACTIVITYID, uuid.UUID(int=i + 1).bytes_le)] if i % 4 else []
            w.event(cpu, ts, PROV, id=1 + i % 3, version=1, channel=16, level=4,
                    opcode=i % 3, task=5, keyword=0x8000000000000001 + i, tid=20, pid=100 + i % 7,
                    activity_id=uuid.UUID(int=i * 7919) if i % 2 else None, ext=ext,
                    payload=struct.pack("<I", i), event_property=i % 2, ptr=pointer_size)
        elif x == 4:
            w.event(cpu, ts, TL, channel=11, level=5, tid=21, pid=100 + i % 7,
                    ext=[(EXT_EVENT_SCHEMA_TL, meta), (EXT_PROV_TRAITS, traits)],
                    payload=struct.pack("<I", i) + utf16z("n%d" % i))
        else:
            w.wpp(cpu, ts, WPP, 10 + i % 3, struct.pack("<I", i), tid=30, pid=100 + i % 7)
    w.write(str(path), compress=compress)
    return w


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("order", ["time", "file"])
def test_synthetic_rows_exact(tmp_path, compress, order):
    p = tmp_path / "mixed.etl"
    w = mixed_trace(p, compress=compress)
    expected = w.expected_events(order)
    for threads in (1, 3):
        t = A.to_arrow(p, columns="all", order=order, threads=threads)
        rows = table_rows(t)
        assert len(rows) == len(expected) == 601
        for r, e in zip(rows, expected):
            assert r["time"] == e["time_ns"]
            assert r["raw_timestamp"] == e["timestamp"]
            assert r["filetime"] == e["filetime"]
            assert uuid.UUID(bytes=r["provider_id"]) == e["provider_id"]
            assert r["kind"] == e["kind"]
            assert (r["pid"], r["tid"], r["cpu"]) == (e["pid"], e["tid"], e["cpu"])
            assert r["payload"] == e["payload"]
            assert r["opcode"] == e["opcode"] and r["id"] == e["id"]
            assert r["header_type"] == e["header_type"]
            if e["kind"] == "manifest":
                assert r["keyword"] == e["keyword"] and r["event_property"] == e["event_property"]
                act = e["activity_id"]
                assert r["activity_id"] == (act.bytes if act else None)
                rel = e["related_activity_id"]
                assert r["related_activity_id"] == (rel.bytes if rel else None)
        # and exactly what iteration gives, attribute by attribute
        assert_same_as_events(t, list(etw.open(p, order=order)))


def test_synthetic_32bit_and_engines_agree(tmp_path):
    p = tmp_path / "m32.etl"
    mixed_trace(p, pointer_size=4, seed=3)
    for order in ("time", "file"):
        ref = _etw._columns(str(p), order=order, engine="reader")
        par = _etw._columns(str(p), order=order, engine="parallel", threads=2)
        assert not ref["parallel"] and par["parallel"]
        ta = A._raw_to_table(dict(ref, requested=A.ALL_COLUMNS), A.ALL_COLUMNS)
        tb = A._raw_to_table(dict(par, requested=A.ALL_COLUMNS), A.ALL_COLUMNS)
        assert ta.combine_chunks().to_pydict() == tb.combine_chunks().to_pydict()
        assert ref["stats"] == par["stats"]
        assert [(t["provider_id"], t["id"], t["name"], t["count"]) for t in ref["types"]] == \
               [(t["provider_id"], t["id"], t["name"], t["count"]) for t in par["types"]]
        # EVENT_HEADER32 records (the manifest ones here) report 4-byte pointers
        kinds = ta.column("kind").to_pylist()
        sizes = ta.column("pointer_size").to_pylist()
        assert {s for k, s in zip(kinds, sizes) if k == "manifest"} == {4}


def test_schema_types(tmp_path):
    t = A.to_arrow(SAMPLE, columns="all")
    s = t.schema
    assert s.field("time").type == pa.timestamp("ns", tz="UTC")
    assert s.field("provider_id").type == pa.binary(16)
    assert s.field("id").type == pa.uint16() and s.field("keyword").type == pa.uint64()
    assert s.field("pid").type == pa.uint32() and s.field("level").type == pa.uint8()
    assert s.field("payload").type == pa.large_binary()
    assert pa.types.is_dictionary(s.field("provider").type)
    assert pa.types.is_dictionary(s.field("kind").type)
    assert t.schema.metadata[b"etw.engine"] == b"parallel"
    assert A.arrow_schema("all") == t.schema.remove_metadata()
    d = A.to_arrow(SAMPLE)
    assert tuple(d.column_names) == A.DEFAULT_COLUMNS


def test_sample_every_column_equals_events():
    t = A.to_arrow(SAMPLE, columns="all")
    assert_same_as_events(t, list(etw.open(SAMPLE)))


def test_corpus_every_column_equals_events(corpus_dir):
    """Attribute by attribute on the first 25,000 events of each file (all of most;
    test_corpus_engines_agree covers the rest of the big ones)."""
    import itertools
    limit = 25000
    for name in sorted(os.listdir(corpus_dir)):
        if not name.endswith(".etl"):
            continue
        path = os.path.join(corpus_dir, name)
        t = A.to_arrow(path, columns="all")
        it = iter(etw.open(path))
        events = list(itertools.islice(it, limit))
        it.close()
        assert_same_as_events(t.slice(0, limit), events)


def test_corpus_engines_agree(corpus_dir):
    """The parallel engine takes every corpus file, and gives the reader's rows."""
    for name in sorted(os.listdir(corpus_dir)):
        if not name.endswith(".etl"):
            continue
        path = os.path.join(corpus_dir, name)
        for order in ("time", "file"):
            ref = _etw._columns(path, order=order, engine="reader")
            par = _etw._columns(path, order=order, engine="auto", threads=3)
            assert par["parallel"], name
            ta = A._raw_to_table(ref, A.ALL_COLUMNS).combine_chunks()
            tb = A._raw_to_table(par, A.ALL_COLUMNS).combine_chunks()
            assert ta.num_rows == tb.num_rows
            assert ta.equals(tb), (name, order)
            assert ref["stats"] == par["stats"]


# ----------------------------------------------------------------------------- filters


def python_filtered(path, order="time", **filters):
    keep = A.make_predicate(path, **filters)
    return [ev for ev in etw.open(path, order=order) if keep is None or keep(ev)]


@pytest.mark.parametrize("filters", [
    dict(providers=["Contoso-Sample-Service"]),
    dict(providers=["contoso.sample.telemetry"]),            # a name only the trace knows
    dict(providers=["Process", "Image"]),                      # kernel class names
    dict(providers=[uuid.UUID("4f1c3b2a-9d8e-4c7b-a6f5-0e1d2c3b4a59")], ids=[3]),
    dict(providers="{4F1C3B2A-9D8E-4C7B-A6F5-0E1D2C3B4A59}", ids=[1, 2]),
    dict(pids=[4388]),
    dict(pids=[4388], kinds=["tracelogging"]),
    dict(kinds=["kernel", "header"]),
    dict(start="2024-05-01T12:00:02Z", end=dt.datetime(2024, 5, 1, 12, 0, 3)),
    dict(start=1714564805_000000000),
])
def test_filters_match_python_predicate(filters):
    events = python_filtered(SAMPLE, **filters)
    assert events, filters
    t = A.to_arrow(SAMPLE, columns="all", **filters)
    assert_same_as_events(t, events)


def test_filter_counts_on_sample():
    assert A.to_arrow(SAMPLE, providers=["Contoso-Sample-Service"], ids=[3]).num_rows == 127
    assert A.to_arrow(SAMPLE, kinds="tracelogging").num_rows == 574
    kernel = A.to_arrow(SAMPLE, providers="MSNT_SystemTrace", columns=["kind"])
    assert kernel.num_rows >= 918 and set(kernel.column("kind").to_pylist()) <= {
        "kernel", "header", "classic"}
    names = A.to_arrow(SAMPLE, providers="Process", columns=["name"]).column("name")
    assert sorted(set(names.to_pylist())) == ["Process/DCEnd", "Process/DCStart",
                                               "Process/End", "Process/Start"]
    assert A.to_arrow(SAMPLE, pids=[999999]).num_rows == 0
    assert A.to_arrow(SAMPLE, ids=[0xFFFF]).num_rows == 0


def test_resolve_providers():
    assert A.resolve_providers(["Contoso.Sample.Telemetry"], SAMPLE) == \
        [tl_provider_guid("Contoso.Sample.Telemetry")]
    kernel = A.resolve_providers(["MSNT_SystemTrace"], SAMPLE)
    assert uuid.UUID("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c") in kernel   # Process
    assert uuid.UUID("2cb15d1d-5fc1-11d2-abe1-00a0c911f518") in kernel   # Image
    assert A.resolve_providers(["Microsoft-Windows-Kernel-Process"]) == \
        [uuid.UUID("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716")]
    assert A.resolve_providers(["Nobody.Here"]) == [etw.tracelogging_guid("Nobody.Here")]


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown column"):
        A.to_arrow(SAMPLE, columns=["nope"])
    with pytest.raises(ValueError, match="kinds"):
        _etw._columns(SAMPLE, kinds=["bogus"])
    with pytest.raises(ValueError, match="ids"):
        A.to_arrow(SAMPLE, ids=[70000])
    with pytest.raises(ValueError, match="order"):
        A.to_arrow(SAMPLE, order="random")
    with pytest.raises(TypeError):
        _etw._columns(SAMPLE, providers=["not 16 bytes"])
    with pytest.raises(FileNotFoundError):
        A.to_arrow("/nonexistent/x.etl")
    with pytest.raises(ValueError, match="engine"):
        _etw._columns(SAMPLE, engine="fast")


# ----------------------------------------------------------------------------- damage


def test_damaged_file_falls_back_to_the_reader(tmp_path):
    p = tmp_path / "d.etl"
    w = mixed_trace(p, n=400, seed=5)
    data = bytearray(p.read_bytes())
    # Break the first record of the third buffer: the parallel engine must give up.
    off = 2 * w.buffer_size + 0x48
    data[off:off + 4] = b"\x07\x00\x99\x55"
    p.write_bytes(bytes(data))
    with pytest.raises(etw.EtlFormatError):
        A.to_arrow(p)
    with pytest.raises(etw.EtlFormatError):
        list(etw.open(p))
    for order in ("time", "file"):
        raw = _etw._columns(str(p), order=order, errors="skip", threads=2)
        assert not raw["parallel"] and raw["stats"]["skipped"] >= 1
        t = A._raw_to_table(raw, A.ALL_COLUMNS)
        assert_same_as_events(t, list(etw.open(p, order=order, errors="skip")))
    with pytest.raises(ValueError, match="parallel engine"):
        _etw._columns(str(p), engine="parallel", errors="skip")


def test_random_damage_engines_agree(tmp_path):
    """Byte flips anywhere: auto (parallel when it dares) always equals the reader."""
    base = tmp_path / "base.etl"
    mixed_trace(base, n=300, seed=9, buffer_size=0x400)
    clean = base.read_bytes()
    rng = random.Random(20240612)
    for case in range(40):
        data = bytearray(clean)
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(0x400, len(data))
            data[i] ^= 1 << rng.randrange(8)
        p = tmp_path / ("c%d.etl" % case)
        p.write_bytes(bytes(data))
        for order in ("time", "file"):
            for errors in ("strict", "skip"):
                outs = []
                for engine in ("reader", "auto"):
                    try:
                        raw = _etw._columns(str(p), order=order, errors=errors, engine=engine,
                                            threads=2)
                        outs.append(A._raw_to_table(raw, A.ALL_COLUMNS).combine_chunks()
                                    .to_pydict())
                    except etw.EtlFormatError as exc:
                        outs.append(("error", exc.offset))
                assert outs[0] == outs[1], (case, order, errors)


# ----------------------------------------------------------------------------- parts


def test_byte_ranges_partition_the_events(tmp_path):
    p = tmp_path / "parts.etl"
    mixed_trace(p, n=800, seed=11, buffer_size=0x400)
    size = os.path.getsize(p)
    whole = A.to_arrow(p, columns="all", order="file")
    bounds = [0, size // 3, 2 * size // 3, 0]
    pieces = [A.to_arrow(p, columns="all", order="file", byte_range=(bounds[i], bounds[i + 1]))
              for i in range(3)]
    assert sum(x.num_rows for x in pieces) == whole.num_rows
    assert pa.concat_tables(pieces).combine_chunks().to_pydict() == \
        whole.combine_chunks().to_pydict()
    # the reader engine gives the same parts
    raw = _etw._columns(str(p), order="file", engine="reader", range=(bounds[1], bounds[2]))
    assert A._raw_to_table(raw, A.ALL_COLUMNS).combine_chunks().to_pydict() == \
        pieces[1].combine_chunks().to_pydict()


# ----------------------------------------------------------------------------- pandas


def test_to_pandas():
    pd = pytest.importorskip("pandas")
    df = A.to_pandas(SAMPLE, columns=["time", "provider", "name", "pid", "provider_id",
                                      "activity_id", "kind"])
    assert len(df) == 5064
    assert str(df["time"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(df["provider"].dtype, pd.CategoricalDtype)
    assert df["provider_id"].iloc[0] == "68fdd900-4a3e-11d1-84f4-0000f80464e3"
    assert df["time"].iloc[0] == pd.Timestamp("2024-05-01T12:00:00Z")
    counts = df.groupby("name", observed=True).size()
    assert counts["Request/Start"] == 1720 and counts["Heartbeat"] == 442
    acts = df.loc[df["name"] == "Request/Start", "activity_id"]
    assert acts.notna().all()
    assert df.loc[df["kind"] == "kernel", "activity_id"].isna().all()
    u = A.to_pandas(SAMPLE, columns=["provider_id"], guids="uuid")
    assert u["provider_id"].iloc[0] == uuid.UUID("68fdd900-4a3e-11d1-84f4-0000f80464e3")
    b = A.to_pandas(SAMPLE, columns=["provider_id"], guids="bytes")
    assert b["provider_id"].iloc[0] == uuid.UUID("68fdd900-4a3e-11d1-84f4-0000f80464e3").bytes


def test_top_level_exports():
    assert etw.to_arrow is A.to_arrow and etw.to_pandas is A.to_pandas
    assert etw.tables is A.tables
    trace = etw.open(SAMPLE, order="file")
    t = etw.to_arrow(trace, columns=["raw_timestamp"])   # order taken from the trace
    assert t.column("raw_timestamp").to_pylist() == [e.raw_timestamp for e in trace]


# ----------------------------------------------------------------------------- tables


def test_tables_per_event_type():
    tabs = A.tables(SAMPLE)
    assert set(tabs) >= {"Contoso-Sample-Service/Login", "Contoso-Sample-Service/Request/Start",
                         "Contoso.Sample.Telemetry/Heartbeat", "MSNT_SystemTrace/Process/Start",
                         "MSNT_SystemTrace/Image/Load"}
    login = tabs["Contoso-Sample-Service/Login"]
    evs = [ev for ev in etw.open(SAMPLE) if ev.name == "Login"]
    assert login.num_rows == len(evs) == 127
    assert login.column_names[:3] == ["time", "id", "version"]
    assert login.column("User").to_pylist() == [ev["User"] for ev in evs]
    assert login.column("Reason").to_pylist() == [ev["Reason"] for ev in evs]
    assert [t.value for t in login.column("time")] == [ev.time_ns for ev in evs]
    hb = tabs["Contoso.Sample.Telemetry/Heartbeat"]
    assert hb.column("Sequence").type == pa.int64()
    assert hb.column("Host").to_pylist() == ["web-01"] * hb.num_rows
    ps = tabs["MSNT_SystemTrace/Process/Start"]
    assert "ImageFileName" in ps.column_names and "CommandLine" in ps.column_names
    only = A.tables(SAMPLE, providers="Contoso-Sample-Service", ids=[3], decode=False)
    assert list(only) == ["Contoso-Sample-Service/Login"]
    assert only["Contoso-Sample-Service/Login"].column_names == list(
        ("time", "id", "version", "opcode", "pid", "tid", "cpu", "activity_id"))


@pytest.mark.parametrize("name", ["airbus-etl-parser_ShutdownPerfDiagLogger.etl",
                                  "etwanalyzer_TraceLoggingTester.buffers-0+14.etl"])
def test_tables_property_columns_equal_the_events(corpus_dir, name):
    """Every property cell of every per-type table is what ev[name] gives for the event
    of that row (found by its file position): kernel events with 64-bit pointers,
    TraceLogging with GUIDs, lists and times; the properties are gathered in C."""
    path = os.path.join(corpus_dir, name)
    events = {ev.file_offset: ev for ev in etw.open(path)}
    tabs = A.tables(path, columns=["file_offset", "id"])
    assert sum(t.num_rows for t in tabs.values()) == len(events)
    cells = 0
    for key, table in tabs.items():
        evs = [events[o] for o in table.column("file_offset").to_pylist()]
        names = table.column_names[2:]
        # every property of every row has a column, and nothing else does
        assert set(names) == {n for ev in evs for n in ev.keys()} - {"file_offset", "id"}, key
        for n in names:
            col = table.column(n)
            want = [A._value_for_arrow(ev.get(n)) for ev in evs]
            got = col.to_pylist()
            if pa.types.is_string(col.type) and not all(
                    w is None or isinstance(w, str) for w in want):
                # rows that disagree in type (or lists of values pyarrow cannot hold) as text
                want = [None if w is None else str(w) for w in want]
            elif pa.types.is_timestamp(col.type):
                got = [None if g is None else g.replace(tzinfo=dt.timezone.utc)
                       if g.tzinfo is None else g for g in got]
            assert got == want, (key, n)
            cells += len(got)
    assert cells > 10000


def test_tables_big_unsigned_values_are_uint64(corpus_dir):
    """Kernel addresses above 2**63 - 1 make a uint64 column, not text."""
    tabs = A.tables(os.path.join(corpus_dir, "airbus-etl-parser_ShutdownPerfDiagLogger.etl"),
                    columns=["file_offset"])
    image = tabs["MSNT_SystemTrace/Image/DCStart"]
    assert image.column("ImageBase").type == pa.uint64()
    assert max(image.column("ImageBase").to_pylist()) > 2 ** 63
    assert image.column("ProcessId").type == pa.int64()
    assert image.column("FileName").type == pa.string()
    # stack walks: lists of addresses, kernel ones above 2**63 - 1
    path = os.path.join(corpus_dir, "perfview_net.4.5.2.x64.etl")
    stacks = A.tables(path, columns=["file_offset"])["MSNT_SystemTrace/StackWalk/KeyDelete"]
    assert stacks.column("Stack").type == pa.list_(pa.uint64())
    events = {ev.file_offset: ev for ev in etw.open(path) if ev.name == "StackWalk/KeyDelete"}
    assert stacks.column("Stack").to_pylist() == [
        events[o]["Stack"] for o in stacks.column("file_offset").to_pylist()]
    assert stacks.num_rows == len(events) == 1909


def test_tables_strings_with_lone_surrogates(tmp_path):
    """UTF-16 strings in a trace may hold lone surrogates; ev[name] keeps them, Arrow
    text (UTF-8) cannot: those cells get U+FFFD in their place, every other cell is
    ev[name] exactly."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__)))
    from etlwriter import bigfile
    path = str(tmp_path / "s.etl")
    bigfile.generate(path, 2 << 20, seed=0)
    events = {ev.file_offset: ev for ev in etw.open(path)}
    tabs = A.tables(path, columns=["file_offset"])
    fixed = same = 0
    for key, table in tabs.items():
        evs = [events[o] for o in table.column("file_offset").to_pylist()]
        for n in table.column_names[1:]:
            col = table.column(n)
            if not pa.types.is_string(col.type):
                continue
            for ev, got in zip(evs, col.to_pylist()):
                want = ev.get(n)
                if not isinstance(want, str):
                    continue
                try:
                    want.encode("utf-8")
                    assert got == want, (key, n)
                    same += 1
                except UnicodeEncodeError:
                    assert got == "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c
                                          for c in want), (key, n)
                    fixed += 1
    assert fixed > 0 and same > fixed
    assert A._utf8_safe(["a\ud800b", {"k": "\udfff"}, 3]) == ["a\ufffdb", {"k": "\ufffd"}, 3]
    assert A._utf8_safe("\U0001F600") == "\U0001F600"  # a valid pair stays


# ----------------------------------------------------------------------------- progress


def test_progress_callback_and_cancel(tmp_path):
    p = tmp_path / "big.etl"
    mixed_trace(p, n=20000, seed=2)
    seen = []
    raw = _etw._columns(str(p), progress=seen.append, engine="reader", threads=1)
    assert raw["rows"] == 20001
    # The callback runs every 100 ms while the pass runs: possibly never for a fast pass.
    assert all(0 <= v <= os.path.getsize(p) for v in seen)

    def stop(done):
        raise KeyboardInterrupt

    # A pass that is still running when the callback raises stops with that exception.
    import time
    slow = tmp_path / "slow.etl"
    mixed_trace(slow, n=150000, seed=3, buffer_size=0x10000)
    t0 = time.perf_counter()
    try:
        _etw._columns(str(slow), progress=stop, engine="reader", columns=["payload"])
    except KeyboardInterrupt:
        assert time.perf_counter() - t0 < 30


def test_small_files_inline_and_threaded_agree(tmp_path):
    """Files up to 8 MiB are read on the calling thread (no progress callback), larger
    ones or any call with a callback on a native thread: the results are the same, and
    so are the errors."""
    import threading
    p = tmp_path / "small.etl"
    mixed_trace(p, n=3000, seed=5)
    assert os.path.getsize(p) < 8 << 20
    seen = []
    for order in ("time", "file"):
        before = threading.active_count()
        inline = A.to_arrow(str(p), columns="all", order=order)
        threaded = A.to_arrow(str(p), columns="all", order=order, progress=seen.append)
        assert inline.num_rows == threaded.num_rows == 3001
        assert inline.equals(threaded)
        assert threading.active_count() == before
    missing = str(tmp_path / "missing.etl")
    with pytest.raises(FileNotFoundError):
        _etw._columns(missing)
    with pytest.raises(FileNotFoundError):
        _etw._columns(missing, progress=seen.append)


def test_list_of_files_one_table(tmp_path):
    """to_arrow([...]) reads the files at once into one table, in the list's order,
    each file's rows exactly as to_arrow(file) gives them, plus a `file` column; a
    progress callable sees the bytes of all files; errors name the file."""
    a, b = tmp_path / "a.etl", tmp_path / "b.etl"
    mixed_trace(a, n=700, seed=11)
    mixed_trace(b, n=500, seed=12, compress=True)
    paths = [str(b), SAMPLE, str(a)]
    seen = []
    table = A.to_arrow(paths, columns="all", progress=seen.append)
    singles = [A.to_arrow(p, columns="all") for p in paths]
    assert table.num_rows == sum(t.num_rows for t in singles) == 501 + etw.scan(SAMPLE)[
        "events"] + 701
    assert table.column_names == list(A.ALL_COLUMNS) + ["file"]
    at = 0
    for p, t in zip(paths, singles):
        part = table.slice(at, t.num_rows)
        assert set(part.column("file").to_pylist()) == {p}
        assert part.drop_columns(["file"]).to_pylist() == t.to_pylist()
        at += t.num_rows
    assert seen and max(seen) == sum(os.path.getsize(p) for p in paths)
    stats = eval(table.schema.metadata[b"etw.stats"].decode())  # a repr of plain data
    assert [p for p, _ in stats] == paths and stats[2][1]["events"] == 701
    # The same file twice: one dictionary entry, both copies of its rows.
    twice = A.to_arrow([str(a), str(a)], columns=["id"])
    assert twice.num_rows == 2 * 701
    assert twice.column("file").chunk(0).dictionary.to_pylist() == [str(a)]
    assert len(A.to_pandas([str(a), str(a)], columns=["id"])["file"].cat.categories) == 1
    # A Trace in the list, filters, pandas
    df = A.to_pandas([etw.open(str(a)), str(b)], ids=[1, 2], columns=["id", "provider"])
    assert set(df["id"]) <= {1, 2} and len(df) == sum(
        len(A.to_pandas(p, ids=[1, 2], columns=["id"])) for p in (str(a), str(b)))
    assert str(df["file"].dtype) == "category"
    with pytest.raises(ValueError):
        A.to_arrow([])
    bad = tmp_path / "bad.etl"
    bad.write_bytes(b"not an etl file" * 100)
    with pytest.raises(etw.EtlFormatError, match="bad.etl"):
        A.to_arrow([str(a), str(bad)])


def test_remap_i32():
    from array import array
    idx = array("i", [0, 2, 1, 5, -1, 2])
    table = array("i", [7, -1, 3])
    values, validity, nulls = _etw._remap_i32(idx, table)
    assert array("i", values).tolist() == [7, 3, 0, 0, 0, 3]
    assert nulls == 3 and validity == bytes([0b100011])
    values, validity, nulls = _etw._remap_i32(array("i", [2, 0]), table)
    assert array("i", values).tolist() == [3, 7] and validity is None and nulls == 0
    with pytest.raises(ValueError):
        _etw._remap_i32(b"abc", table)


@pytest.mark.parametrize("threads", [2, 3, 5])
def test_time_order_merge_in_parts(tmp_path, threads):
    """Time order over many rows is merged in parts (split by timestamp) on several
    threads: the same rows in the same order as the reader engine."""
    p = tmp_path / "many.etl"
    mixed_trace(p, n=70000, seed=21, buffer_size=0x1000)
    cols = ["time", "file_offset", "cpu", "id", "payload"]
    ref = A._raw_to_table(_etw._columns(str(p), order="time", engine="reader", columns=cols),
                          cols).combine_chunks()
    raw = _etw._columns(str(p), order="time", engine="parallel", threads=threads, columns=cols)
    assert raw["threads"] == threads and raw["rows"] == 70001
    assert A._raw_to_table(raw, cols).combine_chunks().equals(ref)


def test_collect_properties_keeps_its_own_copy_of_the_arrays():
    """_collect_properties copies its index arrays: a writable buffer changed by Python
    code while the events are walked (here, the iterator itself) changes nothing."""
    from array import array
    raw = A.read_columns(SAMPLE, columns=("file_offset", "kind", "provider"))
    types = raw["types"]
    offsets = b"".join(bytes(ch["file_offset"]) for ch in raw["chunks"])
    tidx = b"".join(bytes(ch["type"]) for ch in raw["chunks"])
    ids = array("I", [t["id"] for t in types]).tobytes()
    provs = b"".join(t["provider_id"].bytes for t in types)
    smallest = min(range(len(types)), key=lambda t: types[t]["count"])
    keys = bytearray(array("i", range(len(types))).tobytes())
    view = memoryview(keys).cast("i")

    def events():
        for i, ev in enumerate(etw.open(SAMPLE)):
            if i == 0:  # every type now claims the table with the fewest rows
                for j in range(len(types)):
                    view[j] = smallest
            yield ev

    got = _etw._collect_properties(events(), offsets, tidx, ids, provs, keys, len(types))
    want = _etw._collect_properties(iter(etw.open(SAMPLE)), offsets, tidx, ids, provs,
                                    array("i", range(len(types))).tobytes(), len(types))
    assert [(dict(v), b, u) for v, b, u in got] == [(dict(v), b, u) for v, b, u in want]
    assert sum(len(next(iter(v.values()), [])) for v, _b, _u in got) > 100
    with pytest.raises(ValueError, match="disagree"):
        _etw._collect_properties(iter(()), offsets, tidx[:-4], ids, provs, keys, len(types))
    with pytest.raises(ValueError, match="key out of range"):
        _etw._collect_properties(iter(()), offsets, tidx, ids, provs,
                                 array("i", [len(types)] * len(types)).tobytes(), len(types))
