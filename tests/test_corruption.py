"""The corrupted-file matrix: damaged traces through the Python API.

Base traces: synthetic ones from tests/etlwriter (uncompressed, compressed, 32-bit
Windows 7 layout) and, when ../shared/etl-corpus is present, real traces (whole
small files and the first buffers of larger ones, written to a temp folder, never
into the repository). Each base trace is damaged in many ways:

* truncation at every buffer boundary, just after one (a cut buffer header), inside
  a buffer's records, and at random offsets;
* random byte flips in buffer headers, record headers and payloads (the compressed
  stream for compressed buffers);
* zeroed buffers, zeroed buffer headers, zeroed record areas;
* wrong sizes: BufferSize, Offset@0x30 and record Size fields set to 0, too small,
  too large, huge;
* huge counts and lengths: logfile-header fields, extended-item sizes and chains,
  kernel PMC counts, WPP option flags, LZ77 length fields;
* loops in offsets: BufferSize pointing back into its own records, more extended
  items than any record may have, a match before the start of an LZ77 stream.

Every case is read four ways (file/time order, strict/skip). What must hold:

* nothing crashes, and the only exception is etw.EtlFormatError, whose ``.offset``
  lies inside the file; strict mode delivers every event before the damage first
  (a prefix of what skip mode delivers in file order);
* with ``errors="skip"`` reading never fails once the file is open (opening may
  fail only when the header buffer itself is damaged), every event of every
  untouched buffer comes back exactly (raw bytes, file offset, CPU, timestamps),
  both orders deliver the same events, and damage that strict mode reports is
  counted in ``stats["skipped"]``;
* truncation has exact results: the complete records before the cut, then (strict)
  EtlFormatError naming the cut buffer's offset / (skip) ``skipped == 1``;
* nothing is lost silently: for flips, wrong sizes and zeroed records, an event of the
  base that is not delivered at its place (other than the mutated record and the
  records its damaged Size now covers, or buffers a damaged BufferSize claims) means
  ``skipped > 0`` and an EtlFormatError in both orders of strict mode;
* strict mode names no offset before the first damaged buffer;
* every event read in skip mode decodes: to_dict() and to_json() work, and for up to
  COMPARE_PER_CASE events of the damaged buffers (all buffers when the header buffer is
  damaged) json.loads(to_json()) equals to_dict() with to_json()'s conversions.

Crafted records (lengths, counts and loops in record headers, LZ77 streams,
TraceLogging metadata and injected TRACE_EVENT_INFO schemas) have exact outcomes.

The suite uses a fixed seed; ETW_CORRUPTION_CASES=N multiplies the random cases
(default 1) and ETW_CORRUPTION_SEED=S picks other ones.
"""

from __future__ import annotations

import collections
import json
import os
import random
import struct
import time
import uuid

import pytest

import etw
from etlwriter import EtlWriter, guid_bytes, sid_bytes, tl_metadata, tl_provider_traits
from test_decode import T_NULL, T_STRUCT, T_U32, T_U8, json_matches_dict, tei_blob

BUFHDR = 0x48
FLAG_COMPRESSED = 0x40
SEED = int(os.environ.get("ETW_CORRUPTION_SEED", "20240611"))
SCALE = max(1, int(os.environ.get("ETW_CORRUPTION_CASES", "1") or 1))

PROVIDER = uuid.UUID("11111111-2222-3333-4444-555555555555")
CLASSIC = uuid.UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
MSG_GUID = uuid.UUID("9b93a332-c452-3e71-64f7-55130c7de2e4")

KERNEL_TYPES = {1, 2, 3, 4, 16, 17}
OPAQUE_TYPES = {12, 13, 14, 15}

# Real traces used as bases: (file, number of leading buffers kept or None for all).
REAL_BASES = [
    ("tx_HTTP_Server.etl", 10),                   # Windows 7, 8 KiB buffers, no PROC_INDEX
    ("krabsetw_powershell.etl", None),            # 26 buffers, 32 CPUs, mostly empty
    ("perfview_SelfDescribingSingleEvent.etl", None),  # compressed, relogged
    ("perfview_net.4.5.2.x86.etl", 4),            # compressed, EVENT_HEADER32
    ("findneedle_wppemitter-sample.etl", None),   # WPP
    ("airbus-etl-parser_lxcore_kernel.etl", None),  # kernel logger
    ("perfview_gcevents.etl", None),              # 64 KiB buffers, CLR manifest events
]

CASE_COUNT = collections.Counter()  # category -> cases run (reported by -s)
DECODED = collections.Counter()     # events decoded / compared to_json vs to_dict
# Events of damaged buffers whose to_json() is compared with to_dict(), per case (the
# comparison is Python code: ~100 us an event); ETW_CORRUPTION_CASES scales it.
COMPARE_PER_CASE = 40 * SCALE


# ----------------------------------------------------------------------------- bases

def synthetic_trace(pointer_size=8, win7=False, buffer_size=0x800, n=300):
    """Every record type on 4 CPUs (buffers flushed out of time order)."""
    w = EtlWriter(pointer_size=pointer_size, buffer_size=buffer_size, cpu_count=4,
                  win7=win7)
    ts = w.t0 + 10
    for i in range(n):
        cpu = (i * 7) % 4
        ts += 3 + i % 5
        k = i % 8
        ptr = 4 if i % 2 else 8
        if k == 0:
            w.system(cpu, ts, group=3, type=1, payload=bytes(range(40)), version=4,
                     tid=100 + i, pid=4, pmc=(1, 2) if i % 3 == 0 else ())
        elif k == 1:
            w.system(cpu, ts, group=5, type=36, payload=b"\x01" * 24, compact=True, ptr=ptr)
        elif k == 2:
            w.perfinfo(cpu, ts, group=0x0F, type=46, payload=b"\x02" * 16, ptr=ptr)
        elif k == 3:
            w.classic(cpu, ts, CLASSIC, type=10, level=4, payload=b"classic" * 3, ptr=ptr)
        elif k == 4:
            w.classic(cpu, ts, CLASSIC, type=11, payload=b"inst", instance=(77, 66, PROVIDER))
        elif k == 5:
            w.event(cpu, ts, PROVIDER, id=21, version=1, level=4, keyword=0x10, ptr=ptr,
                    activity_id=uuid.UUID(int=i + 1),
                    ext=[(1, guid_bytes(CLASSIC)), (2, sid_bytes("S-1-5-21-1-2-3-1001")),
                         (3, (5).to_bytes(4, "little"))],
                    payload=bytes(range(72)))
        elif k == 6:
            w.event(cpu, ts, PROVIDER, level=5,
                    ext=[(11, tl_metadata("MyEvent", [("Field", 8)])),
                         (12, tl_provider_traits("My.Provider"))],
                    payload=(123).to_bytes(4, "little"))
        else:
            w.wpp(cpu, ts, MSG_GUID, 10 + i % 3, args=b"wpp-args", tid=21, pid=22)
    return w


def fingerprint(ev):
    """Everything that identifies an event exactly: the record bytes (header fields and
    payload derive from them), where it was, its buffer's CPU and its converted time."""
    return (ev.file_offset, ev.raw, ev.cpu, ev.raw_timestamp, ev.time_ns)


def untimed(fp):
    """A fingerprint without the converted time (which depends on the header buffer)."""
    return fp[:4]


def walk_records(img, end):
    """[(pos, size, opaque)] of the records of an (inflated) buffer image."""
    out = []
    pos = BUFHDR
    while pos + 4 <= end:
        marker = struct.unpack_from("<I", img, pos)[0]
        if marker in (0, 0xFFFFFFFF):
            break
        ht = img[pos + 2]
        if img[pos + 3] == 0xC0 and ht in KERNEL_TYPES:
            size = struct.unpack_from("<H", img, pos + 4)[0]
        else:
            size = struct.unpack_from("<H", img, pos)[0]
        opaque = img[pos + 3] == 0xC0 and ht in OPAQUE_TYPES
        assert size >= 8 and pos + size <= end, "base trace is damaged"
        out.append((pos, size, opaque))
        pos += (size + 7) & ~7
    return out


class Buf:
    __slots__ = ("index", "off", "size", "compressed", "filled", "records", "events")


class Base:
    """A valid trace, its buffer layout and, per buffer, the events it yields."""

    def __init__(self, name, data):
        self.name = name
        self.data = bytes(data)
        self.bufs = []
        off = 0
        while off + BUFHDR <= len(data):
            size, = struct.unpack_from("<I", data, off)
            assert size >= BUFHDR and off + size <= len(data), name
            b = Buf()
            b.index = len(self.bufs)
            b.off, b.size = off, size
            b.filled, = struct.unpack_from("<I", data, off + 0x30)
            b.compressed = bool(struct.unpack_from("<H", data, off + 0x34)[0] & FLAG_COMPRESSED)
            if b.compressed:
                img = data[off:off + BUFHDR] + etw._etw._lz77_decompress(
                    data[off + BUFHDR:off + size], b.filled - BUFHDR)
                end = b.filled
            else:
                img = data[off:off + size]
                end = min(b.filled, size)
            b.records = walk_records(img, end)
            self.bufs.append(b)
            off += size
        assert off == len(data), name

    def load_events(self, path):
        with open(path, "wb") as f:
            f.write(self.data)
        trace = etw.open(path, order="file")
        events = [fingerprint(e) for e in trace]
        assert trace.stats["skipped"] == 0
        self.time_order = [fingerprint(e) for e in etw.open(path)]
        # Events come buffer by buffer in file order: hand them out, checking that
        # each sits where our own record walk says.
        k = 0
        for b in self.bufs:
            b.events = []
            for pos, _size, opaque in b.records:
                if opaque:
                    continue
                ev = events[k]
                assert ev[0] == b.off + pos, (self.name, b.index, pos)
                b.events.append(ev)
                k += 1
        assert k == len(events), self.name
        self.events = events


def real_base(corpus_dir, name, keep):
    with open(os.path.join(corpus_dir, name), "rb") as f:
        data = f.read()
    if keep is not None:
        off = 0
        for _ in range(keep):
            off += struct.unpack_from("<I", data, off)[0]
        data = data[:off]
    return Base(name if keep is None else "%s[:%d buffers]" % (name, keep), data)


def synthetic_bases():
    out = []
    w = synthetic_trace()
    out.append(Base("synthetic", w.write(None)))
    w = synthetic_trace()
    out.append(Base("synthetic-lz77", w.write(None, compress=True)))
    w = synthetic_trace(pointer_size=4, win7=True, buffer_size=0x400, n=120)
    out.append(Base("synthetic-win7-32", w.write(None)))
    return out


@pytest.fixture(scope="module")
def bases(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("bases")
    found = synthetic_bases()
    corpus = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                           "etl-corpus"))
    if os.path.isdir(corpus):
        for name, keep in REAL_BASES:
            if os.path.exists(os.path.join(corpus, name)):
                found.append(real_base(corpus, name, keep))
    by_name = {}
    for i, b in enumerate(found):
        b.load_events(str(folder / ("base%d.etl" % i)))
        by_name[b.name] = b
    return by_name


def base_names():
    names = ["synthetic", "synthetic-lz77", "synthetic-win7-32"]
    for name, keep in REAL_BASES:
        names.append(name if keep is None else "%s[:%d buffers]" % (name, keep))
    return names


@pytest.fixture(params=base_names())
def base(request, bases):
    name = request.param
    if name not in bases:
        pytest.skip("../shared/etl-corpus is not available")
    return bases[name]


# ----------------------------------------------------------------------------- reading

class Outcome:
    __slots__ = ("events", "error", "stats", "opened")


def read(path, order, errors, compare=None):
    """Reads a whole file; returns an Outcome (events delivered, EtlFormatError or None,
    stats). Any other exception propagates (and fails the test). With compare (a
    predicate on file offsets), every event is also decoded: to_dict() and to_json(),
    and for the first COMPARE_PER_CASE events compare(ev.file_offset) picks,
    json.loads(to_json()) equals to_dict() with to_json()'s documented conversions
    (test_decode.json_matches_dict)."""
    out = Outcome()
    out.events, out.error, out.stats, out.opened = [], None, None, False
    try:
        trace = etw.open(path, order=order, errors=errors)
    except etw.EtlFormatError as exc:
        out.error = exc
        return out
    out.opened = True
    budget = COMPARE_PER_CASE
    try:
        for ev in trace:
            out.events.append(fingerprint(ev))
            if compare is not None:
                if budget and compare(ev.file_offset):
                    budget -= 1
                    json_matches_dict(ev if times_agree(ev) else WithoutTimeCreated(ev))
                    DECODED["compared"] += 1
                else:
                    assert isinstance(ev.to_dict(), dict) and ev.to_json()[:1] == "{"
                DECODED["decoded"] += 1
    except etw.EtlFormatError as exc:
        out.error = exc
    out.stats = trace.stats
    return out


FILETIME_UNIX = 116444736000000000  # 1970-01-01 in 100 ns ticks since 1601


def times_agree(ev):
    """Event.filetime and Event.time_ns name the same instant (to a 100 ns tick)."""
    return abs(ev.time_ns // 100 - (ev.filetime - FILETIME_UNIX)) <= 1


class WithoutTimeCreated:
    """An event's to_dict()/to_json() without System.TimeCreated: for records whose
    timestamp overflows the clock conversion, where filetime and time_ns wrap
    differently (etw_clock_convert in logfile.c; to_dict() shows time_ns, to_json()
    filetime), so the two disagree there. Everything else must still agree."""

    def __init__(self, ev):
        self.ev = ev
        DECODED["times disagree"] += 1

    def to_dict(self):
        d = self.ev.to_dict()
        del d["System"]["TimeCreated"]
        return d

    def to_json(self):
        d = json.loads(self.ev.to_json())
        del d["System"]["TimeCreated"]
        return json.dumps(d)


def damaged_ranges(base, case):
    """Predicate on file offsets: inside a damaged buffer (as far as its damaged
    BufferSize or its inflated size reach), or anywhere when the header buffer is
    damaged (every event's times and pointer size come from it): the events whose
    decoding the damage may change."""
    if 0 in case.damaged:
        return lambda off: True
    spans = []
    for i in case.damaged:
        b = base.bufs[i]
        claimed = struct.unpack_from("<I", case.data, b.off)[0] if b.off + 4 <= len(case.data) \
            else 0
        spans.append((b.off, b.off + max(b.size, b.filled, min(claimed, 1 << 26))))
    return lambda off: any(lo <= off < hi for lo, hi in spans)


class Case:
    __slots__ = ("label", "data", "damaged", "cut", "detect", "shift", "mutated")

    def __init__(self, label, data, damaged, cut=None, detect=False, shift=None,
                 mutated=None):
        self.label = label
        self.data = bytes(data)
        self.damaged = set(damaged)  # buffer indexes whose bytes changed
        self.cut = cut               # truncation: length of the file
        self.detect = detect         # losing events here must be reported/counted
        self.shift = shift           # (buffer index, delta): later buffers moved by delta
        # Offsets of the records the mutation touched (a set, maybe empty): losing any
        # other event must be reported (strict) and counted (skip). None: not checked.
        self.mutated = mutated


def swallowed(data, mutated):
    """The mutated records with every record their (damaged) Size now covers: a
    record grown over its neighbours holds them as payload bytes, which nothing can
    tell from a real payload. Offsets in data (uncompressed buffers)."""
    out = set(mutated)
    for off in mutated:
        if off + 6 > len(data):
            continue
        kernel = data[off + 3] == 0xC0 and data[off + 2] in KERNEL_TYPES
        size = struct.unpack_from("<H", data, off + (4 if kernel else 0))[0]
        out.update(range(off + 1, off + ((size + 7) & ~7)))
    return out


def record_at(base, off):
    """{file offset of the record of an uncompressed buffer holding byte off}, or an
    empty set (a buffer header, padding, a tail, a compressed buffer)."""
    for b in base.bufs:
        if b.off <= off < b.off + b.size:
            if not b.compressed:
                for pos, size, _ in b.records:
                    if b.off + pos <= off < b.off + pos + size:
                        return {b.off + pos}
            break
    return set()


def check_case(base, case, path):
    """Reads one damaged file four ways and checks the rules in the module docstring.
    Returns a short description of the outcome (for failure messages)."""
    with open(path, "wb") as f:
        f.write(case.data)
    size = len(case.data)
    where = "%s / %s" % (base.name, case.label)
    strict = read(path, "file", "strict")
    skip = read(path, "file", "skip", compare=damaged_ranges(base, case))
    skip_t = read(path, "time", "skip")
    strict_t = read(path, "time", "strict")

    for o in (strict, skip, skip_t, strict_t):
        if o.error is not None:
            assert isinstance(o.error.offset, int), where
            assert 0 <= o.error.offset < max(size, 1), (where, o.error.offset, size, o.error)
    header_damaged = 0 in case.damaged
    if not skip.opened:
        # Only a damaged header buffer may keep a file from opening, in any mode.
        assert header_damaged, (where, skip.error)
        assert not strict.opened and not skip_t.opened and not strict_t.opened, where
        return "not opened: %s" % skip.error
    assert skip.error is None and skip_t.error is None, (where, skip.error, skip_t.error)
    # Both orders deliver the same events; strict stops, never changes, what came before.
    assert collections.Counter(skip.events) == collections.Counter(skip_t.events), where
    if strict.opened:
        assert strict.events == skip.events[:len(strict.events)], where
        assert collections.Counter(strict_t.events) <= collections.Counter(skip.events), where
    if strict.error is not None or strict_t.error is not None:
        assert skip.stats["skipped"] > 0, (where, "strict mode raised but skip counted nothing",
                                           strict.error or strict_t.error)
    if case.damaged:
        # Damage is found where it is: never before the first damaged buffer (reading
        # stops at the first problem, so strict mode names nothing earlier).
        first = min(base.bufs[i].off for i in case.damaged)
        for o in (strict, strict_t):
            if o.error is not None:
                assert o.error.offset >= first, (where, o.error.offset, first, o.error)
    # Every event of an untouched buffer comes back, exactly. Only a buffer whose
    # BufferSize was damaged into claiming the bytes of following buffers may hide
    # them (nothing tells such a size from a real one).
    key = untimed if header_damaged else (lambda fp: fp)
    got = collections.Counter(key(fp) for fp in skip.events)
    hidden = set()
    for i in case.damaged:
        b = base.bufs[i]
        claimed = struct.unpack_from("<I", case.data, b.off)[0] if b.off + 4 <= size else 0
        if claimed > b.size:
            hidden.update(x.index for x in base.bufs if b.off < x.off < b.off + claimed)
    want = collections.Counter()
    for b in base.bufs:
        if b.index in case.damaged or b.index in hidden:
            continue
        if case.cut is not None and b.off + b.size > case.cut:
            continue
        delta = case.shift[1] if case.shift and b.index > case.shift[0] else 0
        want.update(key((fp[0] + delta,) + fp[1:]) for fp in b.events)
    missing = want - got
    assert not missing, (where, "%d intact events lost, first %r" % (
        sum(missing.values()), next(iter(missing))))
    if case.detect:
        lost = collections.Counter(key(fp) for fp in base.events) - got
        if lost:
            assert skip.stats["skipped"] > 0, (where, "%d events lost silently" % sum(lost.values()))
            assert strict.error is not None, (where, "strict mode lost events silently")
    if case.mutated is not None:
        # No silent loss: an event of the base that is not delivered at its place
        # (its bytes may differ: a flipped payload still decodes) was lost, and only
        # the mutated record may go without a word. Buffers hidden by a BufferSize
        # claiming them are the exception above.
        at = collections.Counter(fp[0] for fp in skip.events)
        exempt = swallowed(case.data, case.mutated)
        want_at = collections.Counter()
        for b in base.bufs:
            if b.index in hidden:
                continue
            delta = case.shift[1] if case.shift and b.index > case.shift[0] else 0
            want_at.update(fp[0] + delta for fp in b.events if fp[0] not in exempt)
        lost = want_at - at
        if lost:
            what = "%d events lost, first at %d" % (sum(lost.values()), min(lost))
            assert skip.stats["skipped"] > 0, (where, what, "skip counted nothing")
            assert strict.error is not None, (where, what, "strict (file order) said nothing")
            assert strict_t.error is not None, (where, what, "strict (time order) said nothing")
    return "ok"


def run_cases(base, cases, tmp_path, category):
    """Checks every case; failures are collected (the first damaged file of each kind
    is kept in tmp_path) and reported together."""
    path = str(tmp_path / "case.etl")
    failures = []
    for case in cases:
        CASE_COUNT[category] += 1
        try:
            check_case(base, case, path)
        except AssertionError as exc:
            keep = tmp_path / ("failed-%d.etl" % len(failures))
            keep.write_bytes(case.data)
            msg = str(exc).splitlines()[0][:300]
            failures.append("%s [%s]: %s" % (case.label, keep.name, msg))
    assert not failures, "%d of %d cases failed (files in %s):\n  %s" % (
        len(failures), len(cases), tmp_path, "\n  ".join(failures))
    return len(cases)


# ----------------------------------------------------------------------------- truncation

def expected_after_cut(base, cut):
    """(events, truncated buffer or None, header record complete) for a file cut at cut."""
    events = []
    cut_buf = None
    for b in base.bufs:
        if b.off + b.size <= cut:
            events.extend(b.events)
            continue
        if b.off >= cut:
            break
        cut_buf = b
        if b.compressed or cut - b.off < BUFHDR:
            break  # a cut compressed buffer or buffer header yields nothing
        for ev in b.events:
            if ev[0] + len(ev[1]) <= cut:
                events.append(ev)
        break
    return events, cut_buf


def truncation_points(base, rng):
    points = set()
    for b in base.bufs[1:]:
        points.add(("boundary", b.off))
        points.add(("header-cut", b.off + 1))
        points.add(("header-cut", b.off + BUFHDR - 1))
        points.add(("records-cut", b.off + BUFHDR))
        if b.records:
            pos, sz, _ = b.records[len(b.records) // 2]
            points.add(("record-cut", b.off + pos + sz // 2))
            points.add(("record-end", b.off + pos + sz))
    last = base.bufs[-1]
    for _ in range(8 * SCALE):
        points.add(("last-buffer", rng.randrange(last.off + BUFHDR, len(base.data))))
    for _ in range(12 * SCALE):
        points.add(("random", rng.randrange(1, len(base.data))))
    return sorted(points, key=lambda p: p[1])


def test_truncation(base, tmp_path):
    """Truncation anywhere: the complete records before the cut, in both orders, then
    (strict) EtlFormatError naming the cut buffer, or (skip) one skipped place."""
    rng = random.Random(SEED)
    path = str(tmp_path / "cut.etl")
    hdr_end = BUFHDR + base.bufs[0].records[0][1]
    n = 0
    for kind, cut in truncation_points(base, rng):
        where = "%s cut at %d (%s)" % (base.name, cut, kind)
        data = base.data[:cut]
        with open(path, "wb") as f:
            f.write(data)
        n += 1
        CASE_COUNT["truncation"] += 1
        expected, cut_buf = expected_after_cut(base, cut)
        if cut < hdr_end or cut < BUFHDR:
            # The logfile header itself is cut: not a readable trace, in any mode.
            for errors in ("strict", "skip"):
                with pytest.raises(etw.EtlFormatError) as info:
                    etw.open(path, errors=errors)
                assert 0 <= info.value.offset < cut, where
            continue
        want = collections.Counter(expected)
        time_expected = [fp for fp in base.time_order if want[fp] > 0]
        for order in ("file", "time"):
            strict = read(path, order, "strict")
            skip = read(path, order, "skip")
            if order == "file":
                assert strict.events == expected, where
                assert skip.events == expected, where
            else:
                assert strict.events == time_expected, where
                assert skip.events == time_expected, where
            assert skip.error is None, where
            if cut_buf is None:
                assert strict.error is None, where
                assert skip.stats["skipped"] == 0, where
            else:
                assert strict.error is not None, where
                assert strict.error.offset == cut_buf.off, (where, strict.error)
                assert "truncated" in str(strict.error), where
                assert skip.stats["skipped"] == 1, where
            assert skip.stats["events"] == len(expected), where
    assert n > len(base.bufs)


def test_truncated_final_buffer_of_live_trace(tmp_path):
    """A trace still being written: the last buffer is only partly on disk (here cut
    after every record in turn). All complete events before the cut come back, and the
    damage is reported once, after them."""
    w = synthetic_trace(n=120)
    data = w.write(None)
    base = Base("live", data)
    base.load_events(str(tmp_path / "live-base.etl"))
    last = base.bufs[-1]
    path = str(tmp_path / "live.etl")
    for pos, size, _ in last.records:
        cut = last.off + pos + size
        with open(path, "wb") as f:
            f.write(data[:cut])
        CASE_COUNT["truncation"] += 1
        got = []
        with pytest.raises(etw.EtlFormatError) as info:
            for ev in etw.open(path, order="file"):
                got.append(fingerprint(ev))
        before = [fp for b in base.bufs[:-1] for fp in b.events]
        complete = [fp for fp in last.events if fp[0] + len(fp[1]) <= cut]
        assert got == before + complete
        assert complete and complete[-1][0] == last.off + pos
        assert info.value.offset == last.off
        trace = etw.open(path, errors="skip")
        assert sorted(fingerprint(e) for e in trace) == sorted(before + complete)
        assert trace.stats["skipped"] == 1


# ----------------------------------------------------------------------------- flips

def record_spans(base, b):
    """(header span, payload span) of each record of an uncompressed buffer, as file
    offsets [start, end)."""
    spans = []
    for pos, size, _ in b.records:
        start = b.off + pos
        raw = base.data[start:start + size]
        if raw[3] == 0x90:
            hdr = 8
        elif raw[2] in (16, 17):
            hdr = 0x10
        elif raw[2] in (3, 4):
            hdr = 0x18
        elif raw[2] in (1, 2):
            hdr = 0x20
        elif raw[2] in (11, 21):
            hdr = 0x48
        elif raw[2] in (10, 20):
            hdr = 0x30
        else:
            hdr = min(size, 0x50)
        hdr = min(hdr, size)
        spans.append(((start, start + hdr), (start + hdr, start + size)))
    return spans


def flip_cases(base, rng):
    cases = []
    bufs = base.bufs
    for round_ in range(6 * SCALE):
        nflips = 1 if round_ % 2 == 0 else 3
        # Buffer headers (the header buffer too).
        b = rng.choice(bufs)
        data = bytearray(base.data)
        for _ in range(nflips):
            data[b.off + rng.randrange(BUFHDR)] ^= rng.randrange(1, 256)
        cases.append(Case("buffer header %d x%d" % (b.index, nflips), data, {b.index},
                          mutated=set()))
        # Record headers and payloads (compressed buffers: the compressed stream).
        b = rng.choice(bufs)
        data = bytearray(base.data)
        if b.compressed:
            for _ in range(nflips):
                data[b.off + BUFHDR + rng.randrange(b.size - BUFHDR)] ^= rng.randrange(1, 256)
            cases.append(Case("compressed stream %d x%d" % (b.index, nflips), data, {b.index},
                              mutated=set()))
        elif b.records:
            spans = record_spans(base, b)
            (hs, he), (ps, pe) = rng.choice(spans)
            for _ in range(nflips):
                data[rng.randrange(hs, he)] ^= rng.randrange(1, 256)
            cases.append(Case("record header %d x%d" % (b.index, nflips), data, {b.index},
                              mutated={hs}))
            data = bytearray(base.data)
            (hs, he), (ps, pe) = rng.choice(spans)
            if pe > ps:
                for _ in range(nflips):
                    data[rng.randrange(ps, pe)] ^= rng.randrange(1, 256)
                cases.append(Case("payload %d x%d" % (b.index, nflips), data, {b.index},
                                  mutated={hs}))
    # Anywhere in the file.
    for _ in range(6 * SCALE):
        data = bytearray(base.data)
        off = rng.randrange(len(data))
        data[off] ^= rng.randrange(1, 256)
        idx = max(b.index for b in bufs if b.off <= off)
        cases.append(Case("byte %d" % off, data, {idx}, mutated=record_at(base, off)))
    return cases


def test_byte_flips(base, tmp_path):
    rng = random.Random(SEED + 1)
    assert run_cases(base, flip_cases(base, rng), tmp_path, "flips") > 0


def test_tables_on_damaged_files(base, tmp_path):
    """etw.tables(errors="skip") on damaged copies (flipped bytes in buffer and record
    headers and payloads): every event the iterator delivers is one row, and every
    property cell is what ev[name] gives for it (payload flips change what decodes)."""
    pa = pytest.importorskip("pyarrow")
    import etw.arrow as A
    rng = random.Random(SEED + 7)
    cases = flip_cases(base, rng)[:6]
    cells = 0
    for i, case in enumerate(cases):
        path = tmp_path / ("tables%d.etl" % i)
        path.write_bytes(bytes(case.data))
        try:
            # A record's file_offset is its buffer's offset plus its position in the
            # inflated buffer: with a damaged compressed buffer, two records may share
            # one. With the id and provider, taken in trace order, each row is one event.
            events = collections.defaultdict(collections.deque)
            total = 0
            for ev in etw.open(str(path), errors="skip"):
                events[(ev.file_offset, ev.id, ev.provider_id.bytes)].append(ev)
                total += 1
            tabs = A.tables(str(path), columns=["file_offset", "id", "provider_id"],
                            errors="skip")
        except etw.EtlFormatError:
            continue  # the file header itself is gone: both refuse the file
        assert sum(t.num_rows for t in tabs.values()) == total, case.label
        for key, table in tabs.items():
            evs = [events[k].popleft() for k in zip(*(table.column(c).to_pylist() for c in
                                                      ("file_offset", "id", "provider_id")))]
            for n in table.column_names[3:]:
                col = table.column(n)
                want = [A._value_for_arrow(ev.get(n)) for ev in evs]
                got = col.to_pylist()
                if pa.types.is_string(col.type):
                    want = [None if w is None else w if isinstance(w, str) else str(w)
                            for w in want]
                elif pa.types.is_timestamp(col.type) or pa.types.is_struct(col.type) or \
                        pa.types.is_list(col.type):
                    continue  # compared exactly on real files in test_arrow
                assert got == want, (case.label, key, n)
                cells += len(got)
    assert cells > 0


# ----------------------------------------------------------------------------- zeroed

def zero_cases(base):
    cases = []
    n = len(base.bufs)
    picks = sorted({1, n // 2, n - 1} - {0}) if n > 1 else []
    for i in picks:
        b = base.bufs[i]
        middle = i < n - 1
        data = bytearray(base.data)
        data[b.off:b.off + b.size] = bytes(b.size)
        # A zeroed buffer before others is damage; a zeroed last buffer is a
        # preallocated tail (the end), which loses nothing that was written.
        cases.append(Case("zeroed buffer %d" % i, data, {i}, detect=middle))
        data = bytearray(base.data)
        data[b.off:b.off + BUFHDR] = bytes(BUFHDR)
        cases.append(Case("zeroed buffer header %d" % i, data, {i}, detect=middle))
        data = bytearray(base.data)
        data[b.off + BUFHDR:b.off + b.size] = bytes(b.size - BUFHDR)
        # An intact header whose Offset@0x30 covers records that are gone: damage.
        cases.append(Case("zeroed records %d" % i, data, {i}, detect=True, mutated=set()))
    # Zeroed header buffer: not a trace any more.
    b = base.bufs[0]
    data = bytearray(base.data)
    data[b.off + BUFHDR:b.off + b.size] = bytes(b.size - BUFHDR)
    cases.append(Case("zeroed header records", data, {0}))
    return cases


def test_zeroed_buffers(base, tmp_path):
    assert run_cases(base, zero_cases(base), tmp_path, "zeroed") > 0


# ----------------------------------------------------------------------------- sizes

def put(data, off, fmt, value):
    data = bytearray(data)
    struct.pack_into(fmt, data, off, value)
    return data


def size_cases(base, rng):
    cases = []
    n = len(base.bufs)
    for i in sorted({0, 1, n // 2, n - 1}):
        if i >= n:
            continue
        b = base.bufs[i]
        for label, value in [("0", 0), ("7", 7), ("0x47", 0x47), ("0x48", 0x48),
                             ("size-8", b.size - 8), ("size+8", b.size + 8),
                             ("2*size", 2 * b.size), ("past end", len(base.data) - b.off + 8),
                             ("64MiB", 64 << 20), ("64MiB+8", (64 << 20) + 8),
                             ("max", 0xFFFFFFFF)]:
            if value < 0:
                continue
            cases.append(Case("BufferSize %d = %s" % (i, label),
                              put(base.data, b.off, "<I", value), {i}, mutated=set()))
        for label, value in [("0", 0), ("0x47", 0x47), ("0x48", 0x48), ("filled-8", b.filled - 8),
                             ("filled+8", b.filled + 8), ("size+0x100", b.size + 0x100),
                             ("64MiB+8", (64 << 20) + 8), ("max", 0xFFFFFFFF)]:
            if value < 0:
                continue
            cases.append(Case("Offset@0x30 %d = %s" % (i, label),
                              put(base.data, b.off + 0x30, "<I", value), {i}, mutated=set()))
        # Record Size fields (uncompressed buffers: in place).
        if b.records and not b.compressed:
            pos, size, _ = rng.choice(b.records)
            raw = base.data[b.off + pos:b.off + pos + 4]
            at = b.off + pos + (4 if raw[3] == 0xC0 and raw[2] in KERNEL_TYPES else 0)
            for label, value in [("0", 0), ("7", 7), ("size-1", size - 1), ("size+8", size + 8),
                                 ("0xFFFF", 0xFFFF)]:
                if value < 0:
                    continue
                cases.append(Case("record Size in %d = %s" % (i, label),
                                  put(base.data, at, "<H", value), {i},
                                  mutated={b.off + pos}))
    # Buffer sizes that skip over, or stop short of, the next buffer header.
    for b in base.bufs[1:]:
        if len(cases) > 200:
            break
        for delta in (8, -8, BUFHDR, -BUFHDR):
            value = b.size + delta
            if value > 0:
                cases.append(Case("BufferSize %d %+d" % (b.index, delta),
                                  put(base.data, b.off, "<I", value), {b.index},
                                  mutated=set()))
    return cases


def test_wrong_sizes(base, tmp_path):
    rng = random.Random(SEED + 2)
    assert run_cases(base, size_cases(base, rng), tmp_path, "sizes") > 0


# ----------------------------------------------------------------------------- huge values

# TRACE_LOGFILE_HEADER fields: (name, offset in the 64-bit payload, 32-bit, format, values)
LOGFILE_FIELDS = [
    ("BufferSize", 0x00, 0x00, "<I", [0, 0x47, 0xFFFFFFFF]),
    ("NumberOfProcessors", 0x0C, 0x0C, "<I", [0, 0xFFFFFFFF]),
    ("EndTime", 0x10, 0x10, "<q", [-1, 0, 1, 2**63 - 1, -2**63]),
    ("BuffersWritten", 0x24, 0x24, "<I", [0, 0xFFFFFFFF]),
    ("PointerSize", 0x2C, 0x2C, "<I", [0, 0xFFFFFFFF]),
    ("CpuSpeedInMHz", 0x34, 0x34, "<I", [0, 0xFFFFFFFF]),
    ("Bias", 0x48, 0x40, "<i", [-2**31, 2**31 - 1]),
    ("BootTime", 0xF8, 0xF0, "<q", [-2**63, 2**63 - 1, 1]),
    ("PerfFreq", 0x100, 0xF8, "<q", [0, -1, 1, 2**63 - 1]),
    ("StartTime", 0x108, 0x100, "<q", [-2**63, 0, 1, 2**63 - 1]),
    ("ReservedFlags(clock)", 0x110, 0x108, "<I", [0, 2, 3, 0xFFFFFFFF]),
]


def header_payload_offset(base):
    """(file offset of the TRACE_LOGFILE_HEADER payload, is 64-bit)."""
    rec = base.data[BUFHDR:BUFHDR + 4]
    fixed = 0x18 if rec[2] in (3, 4) else 0x20
    return BUFHDR + fixed, rec[2] in (2, 4)


def huge_cases(base, rng):
    cases = []
    pay, is64 = header_payload_offset(base)
    for name, off64, off32, fmt, values in LOGFILE_FIELDS:
        for v in values:
            cases.append(Case("logfile %s = %d" % (name, v),
                              put(base.data, pay + (off64 if is64 else off32), fmt, v), {0}))
    # Huge record timestamps.
    for b in base.bufs[1:3]:
        if b.compressed or not b.records:
            continue
        pos, size, _ = b.records[0]
        raw = base.data[b.off + pos:b.off + pos + 4]
        if raw[3] != 0xC0:
            continue
        ts_at = b.off + pos + (8 if raw[2] in (16, 17) else 16)
        for v in (2**63 - 1, -2**63, 0):
            cases.append(Case("record timestamp = %d" % v, put(base.data, ts_at, "<q", v),
                              {b.index}))
    return cases


def test_huge_header_values(base, tmp_path):
    rng = random.Random(SEED + 3)
    assert run_cases(base, huge_cases(base, rng), tmp_path, "huge") > 0


def crafted_traces():
    """Synthetic traces with one crafted record in CPU 1's first buffer: (label,
    writer, compress). Each record breaks one length/count rule."""
    out = []

    def trace_with(label, add, compress=False):
        w = EtlWriter(buffer_size=0x800, cpu_count=2)
        ts = w.t0 + 100
        for i in range(30):
            w.event(0, ts + i, PROVIDER, id=i, payload=b"ok" * 4)
        for i in range(5):
            w.event(1, ts + 40 + i, PROVIDER, id=100 + i, payload=b"before")
        add(w, ts + 50)
        for i in range(5):
            w.event(1, ts + 60 + i, PROVIDER, id=200 + i, payload=b"after")
        w.flush(1)
        for i in range(10):
            w.event(1, ts + 100 + i, PROVIDER, id=300 + i, payload=b"next buffer")
        out.append((label, w, compress))

    def ev_header(size, flags=0x0001, ht=0x13):
        return struct.pack("<HBBHHIIq", size, ht, 0xC0, flags, 0, 1, 2, 0) + bytes(16) + \
            struct.pack("<HBBBBHQII", 1, 0, 0, 4, 0, 0, 0, 0, 0) + bytes(16)

    def ext_item(size, typ, linkage, data_size):
        return struct.pack("<HHHH", size, typ, linkage, data_size)

    def ts_patch(rec, ts):
        rec = bytearray(rec)
        struct.pack_into("<q", rec, 16, ts)
        return bytes(rec)

    # Extended item whose DataSize runs past the record.
    trace_with("ext data size 0xFFFF", lambda w, ts: w.raw(1, ts_patch(
        ev_header(0x50 + 16) + ext_item(16, 1, 0, 0xFFFF) + bytes(8), ts)))
    # Extended item size 0xFFFF.
    trace_with("ext item size 0xFFFF", lambda w, ts: w.raw(1, ts_patch(
        ev_header(0x50 + 24) + ext_item(0xFFFF, 1, 0, 16) + bytes(16), ts)))
    # Ext chain whose last item says "more follow" (linkage bit) into the payload.
    trace_with("ext chain runs on", lambda w, ts: w.raw(1, ts_patch(
        ev_header(0x50 + 8 + 6) + ext_item(8, 3, 1, 0) + b"\x01\x02\x03\x04\x05\x06", ts)))
    # More extended items than any record may have (a loop in the chain).
    trace_with("40 ext items", lambda w, ts: w.raw(1, ts_patch(
        ev_header(0x50 + 40 * 8) + ext_item(8, 3, 1, 0) * 39 + ext_item(8, 3, 0, 0), ts)))
    # Kernel record with 7 PMC counters and PEBS announced but no room for them.
    trace_with("kernel PMC x7 + PEBS, too short", lambda w, ts: w.raw(1, struct.pack(
        "<HBBHBBIIqII", 0x8702, 2, 0xC0, 0x28, 1, 3, 1, 2, ts, 0, 0) + bytes(8)))
    # WPP record with every option flag and no room for the items.
    trace_with("WPP all options, too short", lambda w, ts: w.raw(1, struct.pack(
        "<HBBHH", 16, 0, 0x90, 1, 0xFFFF) + struct.pack("<q", ts)))
    # A record of an unknown header type.
    trace_with("unknown header type", lambda w, ts: w.raw(1, struct.pack(
        "<HBBHH", 0x20, 0x7E, 0xC0, 0, 0) + bytes(0x18)))
    # Record Size smaller than its fixed header.
    trace_with("event Size 0x20", lambda w, ts: w.raw(1, struct.pack(
        "<HBBHH", 0x20, 0x13, 0xC0, 0, 0) + bytes(0x18)))
    # Opaque records (TIMED) of the minimum size, back to back.
    trace_with("opaque records x20", lambda w, ts: [w.raw(1, struct.pack(
        "<HBBI", 8, 12, 0xC0, 0)) for _ in range(20)])
    for label, w, _ in list(out):
        out.append((label + " (lz77)", w, True))
    return out


def lz77_stream_cases(base_lz):
    """Compressed buffers whose stream is replaced by a crafted one."""
    cases = []
    b = next(x for x in base_lz.bufs if x.compressed)

    def with_stream(stream):
        size = BUFHDR + len(stream)
        hdr = bytearray(base_lz.data[b.off:b.off + BUFHDR])
        struct.pack_into("<I", hdr, 0, size)
        return base_lz.data[:b.off] + bytes(hdr) + stream + base_lz.data[b.off + b.size:]

    def lit(data):
        return data
    # flags: bit 31 literal (0), bit 30 match (1), rest 1: the end marker after the match.
    flags = struct.pack("<I", 0x7FFFFFFF)
    m7 = struct.pack("<H", 7)  # offset 1, length code 7 -> extension
    streams = [
        ("u32 length 0xFFFFFFFF", flags + lit(b"A") + m7 + b"\x0F\xFF" + struct.pack("<H", 0)
         + struct.pack("<I", 0xFFFFFFFF)),
        ("u16 length below 22", flags + lit(b"A") + m7 + b"\x0F\xFF" + struct.pack("<H", 5)),
        ("length extension missing", flags + lit(b"A") + m7),
        ("match before start", struct.pack("<I", 0xFFFFFFFF) + struct.pack("<H", 0x100)),
        ("empty stream", b""),
        ("flags only", struct.pack("<I", 0)),
        ("literals only", struct.pack("<I", 0) + b"\x13" * 32),
    ]
    for label, stream in streams:
        cases.append(Case("lz77 " + label, with_stream(stream), {b.index},
                          shift=(b.index, BUFHDR + len(stream) - b.size)))
    # A compressed buffer announcing 64 MiB + 8 of inflated data (over the limit) and
    # one announcing exactly 64 MiB (inflates the u32 run, then fails the record walk).
    for label, filled in (("Offset 64MiB+8", (64 << 20) + 8), ("Offset 64MiB", 64 << 20)):
        data = with_stream(streams[0][1])
        data = put(data, b.off + 0x30, "<I", filled)
        cases.append(Case("lz77 u32 run, " + label, data, {b.index},
                          shift=(b.index, BUFHDR + len(streams[0][1]) - b.size)))
    return cases


def test_crafted_lengths_and_loops(tmp_path):
    """Records that break one count/length rule each, in plain and compressed buffers:
    the records before the bad one and every other buffer come back; the bad one is
    reported (strict) or counted (skip)."""
    n = 0
    for label, w, compress in crafted_traces():
        data = w.write(None, compress=compress)
        path = str(tmp_path / "crafted.etl")
        with open(path, "wb") as f:
            f.write(data)
        got = read(path, "file", "skip")
        strict = read(path, "file", "strict")
        exp = w.expected_events("file")
        ids = [x["id"] for x in exp]
        opaque = label.startswith("opaque")
        if opaque:  # opaque records are walked by their size: no damage
            assert strict.error is None and got.stats["skipped"] == 0, label
        else:
            assert strict.error is not None, label
            assert 0 <= strict.error.offset < len(data), label
            assert got.error is None and got.stats["skipped"] >= 1, label
        # Everything but the records after the crafted one in its buffer ("after" ids).
        events = list(etw.open(path, errors="skip", order="file"))
        got_ids = [e.id for e in events]
        want_ids = ids if opaque else [i for i in ids if not 200 <= i < 205]
        assert got_ids == want_ids, label
        n += 1
        CASE_COUNT["crafted"] += 1
    # LZ77 stream damage.
    w = synthetic_trace()
    base_lz = Base("synthetic-lz77", w.write(None, compress=True))
    base_lz.load_events(str(tmp_path / "lz.etl"))
    n += run_cases(base_lz, lz77_stream_cases(base_lz), tmp_path, "lz77")
    assert n > 10


def test_crafted_opaque_records_are_counted_not_skipped(tmp_path):
    """Opaque header types (TIMED/ERROR/WNODE/MESSAGE) are walked by their size: no
    damage, and the events around them are all there."""
    w = EtlWriter(buffer_size=0x800, cpu_count=1)
    ts = w.t0 + 10
    w.event(0, ts, PROVIDER, id=1)
    for _ in range(5):
        w.raw(0, struct.pack("<HBBI", 8, 12, 0xC0, 0))
    w.event(0, ts + 1, PROVIDER, id=2)
    path = tmp_path / "opaque.etl"
    w.write(str(path))
    trace = etw.open(path)
    assert [e.id for e in trace][1:] == [1, 2]
    assert trace.stats["skipped"] == 0
    assert trace.stats["opaque_records"] == 5


def test_matrix_size(bases, capsys):
    """Not a check: prints how many cases each category ran (run with -s)."""
    with capsys.disabled():
        total = sum(CASE_COUNT.values())
        print("\ncorruption matrix: %d cases %s over %d base traces; %d events decoded, "
              "%d of them compared (to_json vs to_dict; %d without TimeCreated: filetime "
              "and time_ns disagree)" % (
                  total, dict(CASE_COUNT), len(bases), DECODED["decoded"],
                  DECODED["compared"], DECODED["times disagree"]))


# ----------------------------------------------------------------------------- regressions
# Damage that lost intact buffers silently before the reader fixes of issue 3 (see the
# [issue 3] comments in etwmodule/core/reader.c). Each asserts the exact outcome.

def _read_ids(path, **kw):
    trace = etw.open(path, **kw)
    return [e.id for e in trace if e.kind != "header"], trace.stats


def _id_trace(compress=False, buffers=6):
    """CPU 0 only, ids 0.. in order, `buffers` event buffers of 0x800 bytes."""
    w = EtlWriter(buffer_size=0x800, cpu_count=1)
    per = 12  # 120-byte records: 16 would fit in a buffer
    for i in range(per * buffers):
        if i and i % per == 0:
            w.flush(0)
        w.event(0, w.t0 + 1 + i, PROVIDER, id=i, payload=bytes(40))
    data = w.write(None, compress=compress)
    assert len(w.buffers) == 1 + buffers
    return w, data, per


@pytest.mark.parametrize("compress", [False, True])
def test_regression_zeroed_buffer_in_the_middle(tmp_path, compress):
    """A zeroed buffer used to end the walk like a preallocated zero tail: every later
    buffer was dropped without a word. Now: damage (strict error at its offset,
    skip counts it) and every other buffer comes back."""
    w, data, per = _id_trace(compress)
    off = len(w.buffers[0][1]) + len(w.buffers[1][1])  # the second event buffer
    size = len(w.buffers[2][1])
    bad = bytearray(data)
    bad[off:off + size] = bytes(size)
    path = tmp_path / "z.etl"
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    assert ids == [i for i in range(per * 6) if not per <= i < 2 * per]
    assert stats["skipped"] == 1
    with pytest.raises(etw.EtlFormatError) as info:
        list(etw.open(path))
    assert info.value.offset == off
    # A zero tail after the last buffer is still the quiet end of the file.
    path.write_bytes(data + bytes(0x3000))
    ids, stats = _read_ids(path)
    assert ids == list(range(per * 6)) and stats["skipped"] == 0


def test_regression_resync_finds_unaligned_compressed_buffers(tmp_path):
    """Compressed buffers have any size, so relogged files put most of them at
    offsets that are not multiples of 8; the 8-byte-step resync never found them."""
    w, data, per = _id_trace(compress=True)
    offs = []
    o = 0
    for _, b in w.buffers:
        offs.append(o)
        o += len(b)
    assert any(x % 8 for x in offs[2:])
    bad = bytearray(data)
    struct.pack_into("<H", bad, offs[2] + 0x36, 0x7777)  # BufferType: invalid
    path = tmp_path / "c.etl"
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    assert ids == [i for i in range(per * 6) if not per <= i < 2 * per]
    assert stats["skipped"] == 1


@pytest.mark.parametrize("compress", [False, True])
def test_regression_buffer_size_plus_8(tmp_path, compress):
    """BufferSize + 8 puts the next 'header' 8 bytes into the next buffer, where
    CurrentOffset passes for a size: that fake buffer used to swallow the buffer
    after it (uncompressed) or the rest of the file taken for a cut buffer
    (compressed). Now only the buffer whose start the damaged size covers is lost."""
    w, data, per = _id_trace(compress)
    offs = []
    o = 0
    for _, b in w.buffers:
        offs.append(o)
        o += len(b)
    bad = bytearray(data)
    struct.pack_into("<I", bad, offs[2], len(w.buffers[2][1]) + 8)
    path = tmp_path / "s.etl"
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    # Buffer 2 itself is read (its records are intact); buffer 3 is hidden by the size.
    assert ids == [i for i in range(per * 6) if not 2 * per <= i < 3 * per]
    # The header 8 bytes into buffer 3 is invalid; a compressed buffer 2 also takes
    # those 8 bytes for more stream, which inflates past its Offset@0x30: damage too.
    assert stats["skipped"] == (2 if compress else 1)
    with pytest.raises(etw.EtlFormatError) as info:
        list(etw.open(path, order="file"))
    assert info.value.offset == (offs[2] if compress else offs[3] + 8)


def test_regression_shifted_header_is_not_a_buffer(tmp_path):
    """Four bytes into a compressed buffer's header, SavedOffset looks like a size,
    the flag word like Offset and the compressed stream like a first record: resync
    took that for an uncompressed buffer covering the next ones. Resync candidates
    must now be followed by another buffer header (or the end of the file)."""
    w, data, per = _id_trace(compress=True)
    first = len(w.buffers[0][1])
    bad = bytearray(data)
    struct.pack_into("<I", bad, first, 0)  # BufferSize of the first event buffer
    path = tmp_path / "h.etl"
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    assert ids == list(range(per, per * 6))
    assert stats["skipped"] == 1


# Damage that ended a buffer's record walk early without a word before [issue 3]
# (audit gap 1): the walk stopped at an end marker or at Offset@0x30 and the records
# after it were gone, strict mode raised nothing and skip mode counted nothing. Each
# test reads the file through the iterator and through the columns engines.

def _offsets(w):
    offs, o = [], 0
    for _, b in w.buffers:
        offs.append(o)
        o += len(b)
    return offs


def _columns_agree(path, ids, skipped, offset):
    """The columns pass gives what the iterator gives: in skip mode one row per
    delivered event and the same skipped count (the parallel engine gives up on the
    damage and the reader engine runs); in strict mode the same error offset."""
    import etw.arrow as A
    raw = A.read_columns(str(path), columns=["id", "kind"], errors="skip", order="file")
    got = [i for ch in raw["chunks"] for i in memoryview(ch["id"]).cast("H")]
    assert got[1:] == ids  # row 0: the logfile header record
    assert raw["stats"]["skipped"] == skipped and not raw["parallel"]
    with pytest.raises(etw.EtlFormatError) as info:
        A.read_columns(str(path), columns=["id"], errors="strict", order="file")
    assert info.value.offset == offset
    with pytest.raises(ValueError):
        A.read_columns(str(path), columns=["id"], engine="parallel", errors="skip")


@pytest.mark.parametrize("compress", [False, True])
def test_regression_end_marker_inside_the_records(tmp_path, compress):
    """A zeroed record in the middle of a buffer reads as an end marker: the records
    after it, up to Offset@0x30, are reported (strict) and counted (skip)."""
    w = EtlWriter(buffer_size=0x800, cpu_count=1)
    for i in range(36):
        if i and i % 12 == 0:
            w.flush(0)
        if i == 17:
            w.raw(0, bytes(0x78))  # where event 17 would be: 120 zero bytes
        w.event(0, w.t0 + 1 + i, PROVIDER, id=i, payload=bytes(40))
    data = w.write(None, compress=compress)
    offs = _offsets(w)
    path = tmp_path / "m.etl"
    path.write_bytes(data)
    ids, stats = _read_ids(path, errors="skip")
    want = list(range(17)) + list(range(24, 36))  # buffer 2 ends at the marker
    assert ids == want and stats["skipped"] == 1
    got = []
    with pytest.raises(etw.EtlFormatError) as info:
        for ev in etw.open(path, order="file"):
            got.append(ev.id)
    assert got[1:] == list(range(17))  # every event before the damage, then the error
    at = offs[2] if compress else offs[2] + BUFHDR + 5 * 0x78
    assert info.value.offset == at
    assert "end marker 0x00000000" in str(info.value)
    _columns_agree(path, want, 1, at)


def test_regression_record_size_plus_one(tmp_path):
    """Record Size 0x78 -> 0x79 moves the walk 8 bytes into the next record, onto its
    zero ThreadId (the audit's example: 6 events lost, strict silent, skipped 0)."""
    w, data, per = _id_trace()
    offs = _offsets(w)
    rec = offs[2] + BUFHDR + 3 * 0x78  # event 15
    assert struct.unpack_from("<H", data, rec)[0] == 0x78
    bad = put(data, rec, "<H", 0x79)
    path = tmp_path / "r.etl"
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    want = [i for i in range(per * 6) if not 16 <= i < 24]
    assert ids == want and stats["skipped"] == 1
    got = []
    with pytest.raises(etw.EtlFormatError) as info:
        for ev in etw.open(path, order="file"):
            got.append(ev.id)
    assert got[1:] == list(range(16))
    assert info.value.offset == rec + 0x80
    _columns_agree(path, want, 1, rec + 0x80)


@pytest.mark.parametrize("compress", [False, True])
def test_regression_offset_too_small(tmp_path, compress):
    """Offset@0x30 cut to a record boundary: the records past it (still in the
    buffer, or still in the compressed stream) are damage, not the end."""
    w, data, per = _id_trace(compress)
    offs = _offsets(w)
    bad = put(data, offs[2] + 0x30, "<I", BUFHDR + 5 * 0x78)
    path = tmp_path / "o.etl"
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    want = [i for i in range(per * 6) if not 17 <= i < 24]  # 5 of buffer 2 are read
    assert ids == want and stats["skipped"] == 1
    got = []
    with pytest.raises(etw.EtlFormatError) as info:
        for ev in etw.open(path, order="file"):
            got.append(ev.id)
    # A compressed buffer is checked when it is inflated, before its records go out.
    assert got[1:] == list(range(12 if compress else 17))
    at = offs[2] if compress else offs[2] + BUFHDR + 5 * 0x78
    assert info.value.offset == at
    assert ("inflates to more" if compress else "past the end of the records") in \
        str(info.value)
    _columns_agree(path, want, 1, at)
    # Offset@0x30 = 0x48: a buffer that says it is empty but holds records.
    bad = put(data, offs[2] + 0x30, "<I", BUFHDR)
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    assert ids == [i for i in range(per * 6) if not 12 <= i < 24] and stats["skipped"] == 1
    with pytest.raises(etw.EtlFormatError) as info:
        list(etw.open(path, order="file"))
    assert info.value.offset == (offs[2] if compress else offs[2] + BUFHDR)


def test_regression_buffer_size_zero_in_a_last_buffer(tmp_path):
    """BufferSize 0 in an otherwise intact last buffer header was taken for the zero
    tail of a preallocated file; only an all-zero header is that now."""
    w, data, per = _id_trace()
    offs = _offsets(w)
    path = tmp_path / "z.etl"
    path.write_bytes(put(data, offs[-1], "<I", 0))
    ids, stats = _read_ids(path, errors="skip")
    assert ids == list(range(per * 5)) and stats["skipped"] == 1
    with pytest.raises(etw.EtlFormatError) as info:
        list(etw.open(path, order="file"))
    assert info.value.offset == offs[-1] and "invalid buffer header" in str(info.value)
    # An all-zero header (and its records) is still the quiet end.
    zero = bytearray(data)
    zero[offs[-1]:] = bytes(len(data) - offs[-1])
    path.write_bytes(zero)
    ids, stats = _read_ids(path)
    assert ids == list(range(per * 5)) and stats["skipped"] == 0


@pytest.mark.parametrize("first_record", [True, False])
def test_regression_intact_buffers_between_damaged_ones(tmp_path, first_record):
    """Every other buffer damaged: the intact ones between them come back. A resync
    candidate had to be followed by another plausible header, so a good buffer whose
    next buffer was damaged too was skipped with the damage; on the session-buffer
    grid a plausible header of the session's size is now enough."""
    w, data, per = _id_trace()
    offs = _offsets(w)
    bad = bytearray(data)
    for k in (1, 3, 5):
        if first_record:
            bad[offs[k] + BUFHDR + 3] = 0x55  # the first record's marker byte
        else:
            struct.pack_into("<I", bad, offs[k], 0x100)  # BufferSize below Offset
    path = tmp_path / "every-other.etl"
    path.write_bytes(bad)
    ids, stats = _read_ids(path, errors="skip")
    assert ids == [i for i in range(per * 6) if (i // per) % 2 == 1]
    assert stats["skipped"] == 3
    got = []
    with pytest.raises(etw.EtlFormatError) as info:
        for ev in etw.open(path, order="file"):
            got.append(ev.id)
    assert got[1:] == [] and info.value.offset == offs[1]


# ----------------------------------------------------------------------------- crafted schemas
# TraceLogging metadata and injected TRACE_EVENT_INFO (EventMetadata records) that
# announce huge counts, lengths that point at themselves or at huge values, and
# struct arrays nested into each other over elements of no size: decoded through the
# API in bounded time, with the exact problem reported, and to_json() agreeing with
# to_dict().

SCHEMA_PROVIDER = uuid.UUID("6a1f2e3d-0000-4000-8000-00000000abcd")
EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")


def _tl_event(tmp_path, fields, payload):
    w = EtlWriter(buffer_size=0x10000, cpu_count=1)
    w.event(0, w.t0 + 1, SCHEMA_PROVIDER, payload=payload,
            ext=[(11, tl_metadata("E", fields)), (12, tl_provider_traits("Crafted"))])
    path = tmp_path / "tl.etl"
    w.write(str(path))
    (ev,) = [e for e in etw.open(path) if e.kind != "header"]
    return ev


def _tei_event(tmp_path, props, payload, top=None):
    w = EtlWriter(buffer_size=0x10000, cpu_count=1)
    blob = tei_blob(SCHEMA_PROVIDER, 7, 1, props, len(props) if top is None else top,
                    {"provider": "Crafted"})
    w.classic(0, w.t0 + 1, EVENT_METADATA, type=32, payload=blob)
    w.event(0, w.t0 + 2, SCHEMA_PROVIDER, id=7, version=1, opcode=1, level=4, task=5,
            channel=16, keyword=0x8000000000000003, payload=payload)
    path = tmp_path / "tei.etl"
    w.write(str(path))
    (ev,) = [e for e in etw.open(path) if e.provider_id == SCHEMA_PROVIDER]
    return ev


U32 = struct.Struct("<I")
NESTED = [{"name": "n", "in": 8},                                       # the count
          {"name": "s", "flags": 0x1 | 0x4, "struct_start": 2, "struct_count": 1,
           "count": 0},                                                 # s[n]
          {"name": "t", "flags": 0x1, "struct_start": 3, "struct_count": 1,
           "count": 0xFFFF}]                                            # s[i].t[65535]

CRAFTED_SCHEMAS = [
    # label, source, schema, payload, status, [(property, error, offset)], EventData
    ("TL constant count 65535", "tl", [{"name": "a", "in": T_U32, "count": 0xFFFF}],
     U32.pack(1) * 3, "stopped", [("a[3]", "missing", 12)], {"a": [1, 1, 1, None]}),
    ("TL variable count 65535", "tl", [{"name": "a", "in": T_U32, "count": "v"}],
     b"\xff\xff" + U32.pack(1) * 3, "stopped", [("a[3]", "missing", 14)],
     {"a": [1, 1, 1, None]}),
    ("TL struct of 127 members, 1 field follows", "tl", [("s", T_STRUCT, 127), ("x", T_U8)],
     b"\x01", "bad schema", [("", "malformed metadata: TraceLogging metadata: field 0: "
                              "struct has 127 members but only 1 fields follow", 0)], {}),
    ("TL struct without members", "tl", [("s", T_STRUCT, 0), ("x", T_U8)], b"\x01",
     "bad schema", [("", "malformed metadata: TraceLogging metadata: field 0: struct "
                     "without members", 0)], {}),
    ("TL 65535 x 65535 structs of nothing", "tl",
     [{"name": "s", "in": T_STRUCT, "out": 1, "count": 0xFFFF},
      {"name": "t", "in": T_STRUCT, "out": 1, "count": 0xFFFF}, {"name": "z", "in": T_NULL}],
     b"", "stopped", [("s[0].t", "too many values", 0)], {"s": [{"t": None}]}),
    ("TEI count refers to itself", "tei", [{"name": "a", "in": 8, "flags": 0x4, "count": 0}],
     U32.pack(5), "no schema", [], {}),
    ("TEI length refers to itself", "tei",
     [{"name": "a", "in": 14, "flags": 0x2, "length": 0}], U32.pack(5), "no schema", [], {}),
    ("TEI struct is its own member", "tei",
     [{"name": "s", "flags": 0x1, "struct_start": 0, "struct_count": 1}], b"\1\2\3\4",
     "no schema", [], {}),
    ("TEI struct members past the end", "tei",
     [{"name": "s", "flags": 0x1, "struct_start": 1, "struct_count": 200},
      {"name": "x", "in": 2}], b"\1\2\3\4", "no schema", [], {}),
    ("TEI constant count 65535", "tei", [{"name": "a", "in": 8, "count": 0xFFFF}],
     U32.pack(5), "stopped", [("a[1]", "missing", 4)], {"a": [5, None]}),
    ("TEI count of 2**32-1", "tei",
     [{"name": "n", "in": 8}, {"name": "a", "in": 8, "flags": 0x4, "count": 0}],
     U32.pack(0xFFFFFFFF) + U32.pack(1), "stopped", [("a", "too many values", 4)],
     {"n": 0xFFFFFFFF, "a": None}),
    ("TEI length refers to a later property", "tei",
     [{"name": "a", "in": 14, "flags": 0x2, "length": 1}, {"name": "n", "in": 8}],
     U32.pack(5), "stopped", [("a", "bad count/length reference", 0)], {"a": None}),
    ("TEI binary length of 2**32-1", "tei",
     [{"name": "n", "in": 8}, {"name": "a", "in": 14, "flags": 0x2, "length": 0}],
     U32.pack(0xFFFFFFFF) + b"abc", "stopped", [("a", "truncated", 4)],
     {"n": 0xFFFFFFFF, "a": None}),
    ("TEI string length of 2**31-1", "tei",
     [{"name": "n", "in": 8}, {"name": "a", "in": 1, "flags": 0x2, "length": 0}],
     U32.pack(0x7FFFFFFF) + "ab".encode("utf-16-le"), "stopped", [("a", "truncated", 4)],
     {"n": 0x7FFFFFFF, "a": None}),
    ("TEI 65535 x 65535 structs of nothing", "tei", NESTED + [{"name": "z", "in": 0}],
     U32.pack(0xFFFF), "stopped", [("s[0].t", "too many values", 4)],
     {"n": 0xFFFF, "s": [{"t": None}]}),
    ("TEI 65535 x 65535 structs of a byte", "tei", NESTED + [{"name": "z", "in": 2}],
     U32.pack(0xFFFF) + bytes(100), "stopped", [("s[0].t", "too many values", 4)],
     {"n": 0xFFFF, "s": [{"t": None}]}),
]


@pytest.mark.parametrize("case", CRAFTED_SCHEMAS, ids=[c[0] for c in CRAFTED_SCHEMAS])
def test_crafted_schemas_decode_safely(tmp_path, case):
    label, source, schema, payload, status, errors, data = case
    started = time.monotonic()
    if source == "tl":
        ev = _tl_event(tmp_path, schema, payload)
    else:
        ev = _tei_event(tmp_path, schema, payload, top=2 if schema[:3] == NESTED else None)
    assert ev.decode_status == status, label
    assert [(e["property"], e["error"], e["offset"]) for e in ev.decode_errors] == errors
    assert dict(ev) == data
    if status == "no schema":  # a malformed injected schema is refused, not used
        assert ev.schema_source is None and ev.leftover == payload
    json_matches_dict(ev)
    assert json.loads(ev.to_json())["EventData"] == json.loads(json.dumps(data))
    CASE_COUNT["crafted schemas"] += 1
    assert time.monotonic() - started < 10, "decoding took too long"
