"""The fuzz findings, fed through the Python API.

Every input in fuzz/regressions/<harness>/ made a libFuzzer harness fail once (see
fuzz/README.md). run.sh replays them against the C core; here the same bytes go
through etw.open, the columns pass and the schema hooks, with exact results:

* columns/leak-index-buffers-count-mismatch (commit 8f766d8): a damaged compressed
  trace on which the parallel columns engine gave up and leaked its buffer index
  (256 entries, ~6 KB a call);
* registry/tl-empty-metadata-cache (commit 37baac3): a TraceLogging record with an
  empty EVENT_SCHEMA_TL item, whose failed schema was never found in the cache, so
  every such event added another one;
* tei/keyword-name-all-spaces (commit 37baac3): a TRACE_EVENT_INFO whose first
  keyword name is all spaces (read as ""), which the serializer wrote as the empty
  string that ends the list, losing every keyword name.
"""

from __future__ import annotations

import collections
import gc
import json
import os
import struct
import uuid

import pytest

import etw
from etw import _etw, _tei
from etlwriter import EtlWriter
from test_lifetime import heap_in_use

REGRESSIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "fuzz", "regressions")
EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")


def regression(name):
    with open(os.path.join(REGRESSIONS, name), "rb") as f:
        return f.read()


# ----------------------------------------------------------------------------- columns

@pytest.fixture
def columns_input(tmp_path):
    """fuzz_columns.c's input: a thread-count byte (1 + low 2 bits), then the file."""
    data = regression("columns/leak-index-buffers-count-mismatch")
    assert len(data) == 5742 and data[0] == 3
    path = tmp_path / "columns.etl"
    path.write_bytes(data[1:])
    return str(path), 1 + (data[0] & 3)


def test_columns_input_iterates_exactly(columns_input):
    """13 buffers (12 compressed): buffer 5 (offset 2296) has a header the reader does
    not take (its stream does not inflate to a record), so the walk resyncs. Skip mode:
    102 events, 3 places skipped; strict mode: the 44 events before it, then the error
    naming it."""
    path, _ = columns_input
    for order in ("file", "time"):
        trace = etw.open(path, order=order, errors="skip")
        evs = list(trace)
        assert len(evs) == 102
        assert trace.stats == {"events": 102, "buffers": 12, "bytes": 5298, "skipped": 3,
                               "skipped_bytes": 1067, "opaque_records": 0,
                               "compressed_buffers": 11, "lost_flag_buffers": 0}
        assert collections.Counter((e.kind, e.id) for e in evs) == {
            ("header", 0): 1, ("kernel", 0): 38, ("classic", 0): 25, ("manifest", 21): 13,
            ("tracelogging", 0): 12, ("wpp", 10): 5, ("wpp", 11): 5, ("wpp", 12): 3}
        assert len({e.file_offset for e in evs}) == 102
        got = []
        with pytest.raises(etw.EtlFormatError) as info:
            for ev in etw.open(path, order=order):
                got.append(ev.file_offset)
        assert len(got) == 44
        assert info.value.offset == 2296
        assert "invalid buffer header at offset 2296 (size 443)" in str(info.value)
    first = [(e.kind, e.file_offset, e.time_ns) for e in etw.open(path, order="file",
                                                                  errors="skip")][:3]
    assert first == [("header", 72, 1705526400000000000),
                     ("kernel", 584, 1705526400000001600),
                     ("manifest", 616, 1705526400000002300)]


def test_columns_input_columns_equal_iteration(columns_input):
    """Both engines (reader; auto, which gives up on this file) give the iterator's
    events, in its order, and its statistics; strict mode fails at the same offset."""
    import etw.arrow as A
    path, threads = columns_input
    for order in ("file", "time"):
        trace = etw.open(path, order=order, errors="skip")
        want = [(e.id, e.file_offset, e.time_ns, e.pid, e.tid) for e in trace]
        for engine in ("reader", "auto"):
            raw = A.read_columns(path, columns=["id", "file_offset", "time", "pid", "tid"],
                                 order=order, errors="skip", engine=engine, threads=threads)
            assert raw["rows"] == 102 and not raw["parallel"]
            assert raw["stats"] == trace.stats
            cols = collections.defaultdict(list)
            for ch in raw["chunks"]:
                for name, fmt in (("id", "H"), ("file_offset", "Q"), ("time", "q"),
                                  ("pid", "I"), ("tid", "I")):
                    cols[name].extend(memoryview(ch[name]).cast(fmt))
            assert list(zip(cols["id"], cols["file_offset"], cols["time"], cols["pid"],
                            cols["tid"])) == want, (order, engine)
            with pytest.raises(etw.EtlFormatError) as info:
                A.read_columns(path, columns=["id"], order=order, engine=engine,
                               threads=threads)
            assert info.value.offset == 2296
        with pytest.raises(ValueError):
            A.read_columns(path, columns=["id"], order=order, errors="skip",
                           engine="parallel", threads=threads)


def test_columns_input_tables_one_row_per_event(columns_input):
    pytest.importorskip("pyarrow")
    import etw.arrow as A
    path, threads = columns_input
    tabs = A.tables(path, errors="skip", threads=threads)
    assert sum(t.num_rows for t in tabs.values()) == 102


def test_columns_input_leaks_nothing(columns_input):
    """The index the parallel engine built (about 6 KB) was leaked by every call that
    gave up on this file: 300 calls leaked ~1.8 MB of native heap."""
    import etw.arrow as A
    path, threads = columns_input
    if heap_in_use() is None:
        pytest.skip("needs glibc's mallinfo2, without AddressSanitizer")

    def call():
        A.read_columns(path, columns=["id"], errors="skip", engine="auto", threads=threads)

    for _ in range(30):
        call()
    gc.collect()
    before = heap_in_use()
    for _ in range(300):
        call()
    gc.collect()
    grown = heap_in_use() - before
    assert grown < 256 * 1024, "native heap grew by %d bytes over 300 calls" % grown


# ----------------------------------------------------------------------------- registry

def _tl_empty_metadata_record():
    """fuzz_registry.c's input: op 2 (a TraceLogging record), u16 length, then u16 +
    EVENT_SCHEMA_TL item (empty), u16 + PROV_TRAITS item (none), payload (empty)."""
    data = regression("registry/tl-empty-metadata-cache")
    assert data == bytes([2, 4, 0, 0, 0, 0, 0])
    op, n = data[0], struct.unpack_from("<H", data, 1)[0]
    body = data[3:3 + n]
    meta_len = struct.unpack_from("<H", body, 0)[0]
    meta = body[2:2 + meta_len]
    traits_len = struct.unpack_from("<H", body, 2 + meta_len)[0]
    payload = body[4 + meta_len + traits_len:]
    assert op & 3 == 2 and meta == b"" and traits_len == 0 and payload == b""
    return meta, payload


def test_tl_empty_metadata_fails_once(tmp_path):
    """Thousands of events with the same empty TraceLogging metadata: each reports the
    bad schema exactly, and the failure is cached once (the trace's native heap does
    not grow with the events decoded; it grew by one failed schema per event)."""
    meta, payload = _tl_empty_metadata_record()
    provider = uuid.UUID("11111111-2222-3333-4444-555555555555")
    w = EtlWriter(buffer_size=0x10000, cpu_count=1)
    n = 6000
    for i in range(n):
        w.event(0, w.t0 + 1 + i, provider, id=0, level=4, ext=[(11, meta)], payload=payload)
    path = tmp_path / "tl.etl"
    w.write(str(path))
    want_errors = [{"property": "", "error": "malformed metadata: TraceLogging metadata: "
                    "metadata of 0 bytes", "offset": 0, "data": b""}]
    trace = etw.open(path)
    heap = heap_in_use()
    seen = 0
    for ev in trace:
        if ev.kind == "header":
            continue
        assert ev.kind == "tracelogging" and ev.provider_id == provider
        assert ev.decode_status == "bad schema" and ev.schema_source is None
        assert ev.decode_errors == want_errors
        assert dict(ev) == {} and ev.leftover == b"" and ev.name is None
        d = ev.to_dict()
        assert d["EventData"] == {} and json.loads(ev.to_json())["EventData"] == {}
        seen += 1
        if seen == 100:
            gc.collect()
            before = heap_in_use()
    assert seen == n
    if heap is not None:
        gc.collect()
        grown = heap_in_use() - before
        assert grown < 128 * 1024, "native heap grew by %d bytes over %d events" % (
            grown, n - 100)


# ----------------------------------------------------------------------------- TEI

def _tei_input():
    """fuzz_tei.c's input: flags, u16 + TRACE_EVENT_INFO, u16 + EVENT_MAP_INFO, payload."""
    data = regression("tei/keyword-name-all-spaces")
    assert len(data) == 131
    flags, n = data[0], struct.unpack_from("<H", data, 1)[0]
    tei = data[3:3 + n]
    emi_len = struct.unpack_from("<H", data, 3 + n)[0]
    assert flags == 0 and n == 126 and emi_len == 0 and data[5 + n:] == b""
    return tei


def test_tei_all_space_keyword_round_trip():
    """The C parser reads the all-space name as "" (trailing spaces trimmed); the
    serializer writes it as " " so the list goes on to "K", and the result is stable."""
    tei = _tei_input()
    parsed = _tei.parse_tei(tei)
    assert (parsed.provider_id, parsed.id, parsed.version, parsed.keyword) == (
        uuid.UUID(int=1), 7, 0, 3)
    assert parsed.keyword_names == ["   ", "K"] and parsed.props == []
    out = _etw._schema_roundtrip("tei", tei)
    again = _tei.parse_tei(out)
    assert again.keyword_names == [" ", "K"]
    assert (again.provider_id, again.id, again.keyword, again.props) == (
        uuid.UUID(int=1), 7, 3, [])
    assert _etw._schema_roundtrip("tei", out) == out
    assert out.endswith(" ".encode("utf-16-le") + b"\0\0" + "K".encode("utf-16-le")
                        + b"\0\0" + b"\0\0")


def test_tei_all_space_keyword_through_a_trace(tmp_path):
    """The blob as an EventMetadata record in a trace, and its round trip added to a
    trace's registry: the event's keyword names are ["", "K"] either way."""
    tei = _tei_input()
    paths = []
    for with_metadata in (True, False):
        w = EtlWriter(buffer_size=0x1000, cpu_count=1)
        if with_metadata:
            w.classic(0, w.t0 + 1, EVENT_METADATA, type=32, payload=tei)
        for i in range(3):
            w.event(0, w.t0 + 2 + i, uuid.UUID(int=1), id=7, keyword=3, level=0)
        paths.append(tmp_path / ("tei%d.etl" % with_metadata))
        w.write(str(paths[-1]))
    want = {"Mask": "0x0000000000000003", "Name": ["", "K"]}
    for path, blob in ((paths[0], None), (paths[1], _etw._schema_roundtrip("tei", tei))):
        trace = etw.open(path)
        if blob is not None:
            assert trace._registry_add("tei", blob) is True
        evs = [ev for ev in trace if ev.provider_id == uuid.UUID(int=1)]
        assert len(evs) == 3
        for ev in evs:
            assert ev.schema_source == "injected" and ev.decode_status == "ok"
            assert ev.keyword_names == ["", "K"]
            assert ev.to_dict()["System"]["Keywords"] == want
            assert json.loads(ev.to_json())["System"]["Keywords"] == want


def test_reader_scan_split_keeps_the_single_pass_times(tmp_path):
    """reader/scan-split-extreme-last-time: a damaged trace whose last clock value
    converts (wrapping) to a time before the first. A split scan took the latest
    *converted* time of its parts, one pass the time of the largest clock value:
    the split now chooses by clock value too, so both give the same result."""
    path = os.path.join(REGRESSIONS, "reader", "scan-split-extreme-last-time")
    results = []
    for threads in (1, 2, 3):
        r = etw.scan(path, errors="skip", threads=threads)
        r.pop("seconds")
        results.append(r)
        with pytest.raises(etw.EtlFormatError) as ei:
            etw.scan(path, threads=threads)
        assert ei.value.offset == 864 + 648
    assert results[0] == results[1] == results[2]
    r = results[0]
    assert (r["events"], r["skipped"]) == (16, 2)
    assert r["first_time"].isoformat() == "2026-08-02T23:45:36.004401+00:00"
    assert r["last_time"].isoformat() == "1760-07-29T08:56:36.254945+00:00"
