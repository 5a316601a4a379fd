"""Fast generator of large, realistic synthetic .etl files (benchmarks, stress tests).

``generate(path, size_bytes, cpus=4, seed=0)`` builds a small pool of template event
buffers once with :class:`etlwriter.EtlWriter` (kernel SYSTEM64/PERFINFO64, classic
FULL_HEADER64, manifest EVENT_HEADER64 with extended items, TraceLogging with
EVENT_SCHEMA_TL/PROV_TRAITS items, WPP), then streams copies of them to disk, patching
only the record timestamps and the buffer headers (TimeStamp, SequenceNumber, CPU). Each
CPU's buffers are in time order, CPUs overlap in time, and buffers appear in the file in
flush order (by the time of their last record), as Windows writes them.

Run as a script to time it: ``python -m etlwriter.bigfile OUT.etl 1G`` (from tests/).
"""

import collections
import heapq
import random
import struct
import time
import uuid

from . import (
    EtlWriter, EXT_RELATED_ACTIVITYID, EXT_SID, EXT_STACK_TRACE64, EXT_TS_ID,
    EXT_EVENT_SCHEMA_TL, EXT_PROV_TRAITS, PERFINFO32, PERFINFO64, MESSAGE,
    BUFFER_FLAG_FLUSH_MARKER,
    sid_bytes, tl_metadata, tl_provider_traits, tl_provider_guid, utf16z,
)

try:  # optional: patches timestamps with one vectorised store per buffer
    import numpy as _np
except ImportError:  # pragma: no cover - exercised where numpy is absent
    _np = None

T0 = 5_000_000_000
MANIFEST_PROVIDER = uuid.UUID("9e5f9046-43c6-4f62-ba13-7b19896253ff")
CLASSIC_GUID = uuid.UUID("b3e675d7-2554-4f18-830b-2762732560de")
WPP_GUID = uuid.UUID("744151fd-b3f4-32e6-38eb-0fd11e3fb62d")
TL_NAME = "Etw.Test.Bigfile"
TL_PROVIDER = tl_provider_guid(TL_NAME)

_TL_META = tl_metadata("Sample", [("Name", 1), ("Count", 8), ("Value", 12)])
_TL_TRAITS = tl_provider_traits(TL_NAME)
_SID = sid_bytes("S-1-5-21-1004336348-1177238915-682003330-1001")


def _key(info):
    """(provider, id) for manifest/TraceLogging/WPP events, (provider, opcode) otherwise."""
    if info["kind"] in ("manifest", "tracelogging", "wpp"):
        return (str(info["provider_id"]), info["id"])
    return (str(info["provider_id"]), info["opcode"])


def _ts_offset(info):
    """Offset of the raw timestamp inside a record written by EtlWriter."""
    ht = info["header_type"]
    if ht in (PERFINFO32, PERFINFO64):
        return 0x08
    if ht == MESSAGE:
        opt = info["header_flags"]
        return 8 + (4 if opt & 1 else 0) + (16 if opt & 2 else 0) + (4 if opt & 4 else 0)
    return 0x10  # SYSTEM/COMPACT, classic, instance, EVENT_HEADER


def _add_random_record(w, r, ts):
    """Append one record of a realistic mix to CPU 0 of the template writer."""
    x = r.random()
    tid = r.choice((1234, 1240, 2048, 4100, 7788))
    pid = {1234: 600, 1240: 600, 2048: 900, 4100: 4, 7788: 3310}[tid]
    if x < 0.25:   # SampledProfile (PERFINFO64)
        payload = struct.pack("<QIHBB", 0xFFFFF80000000000 | r.getrandbits(32), tid, 1, 0, 0)
        w.perfinfo(0, ts, 0x0F, 46, payload)
    elif x < 0.45:  # CSwitch (PERFINFO64)
        payload = struct.pack("<IIbbBBbbbbII", tid, r.choice((1234, 2048, 0)), 8, 9, 0, 0,
                              r.randrange(37), 1, 5, 0, r.randrange(5000), 0)
        w.perfinfo(0, ts, 0x05, 36, payload, version=4)
    elif x < 0.53:  # DiskIo Read (SYSTEM64)
        payload = struct.pack("<IIIIqQQQI", 0, 0x60043, 4096 * r.randrange(1, 64), 0,
                              4096 * r.getrandbits(20), 0xFFFF8000_00000000 | r.getrandbits(32),
                              0xFFFF8000_00000000 | r.getrandbits(32), r.randrange(100000), tid)
        w.system(0, ts, 0x01, 10, payload, version=3, tid=tid, pid=pid, kernel_time=10,
                 user_time=3)
    elif x < 0.57:  # Thread Start (SYSTEM64)
        payload = struct.pack("<IIQQQQQQI4B", pid, tid + 4, 0xFFFF8000_00000000, 0,
                              0x7FF0_0000_0000, 0, 0x7FF0_1000_0000, 0x7FF6_0000_1000, 0,
                              8, 5, 2, 0)
        w.system(0, ts, 0x05, 1, payload, version=3, tid=tid, pid=pid)
    elif x < 0.60:  # Image Load (group 3 type 10 -> Image class) as COMPACT64 sometimes
        payload = struct.pack("<QQIIIBBHQ4I", 0x7FF6_0000_0000, 0x20000, pid, 0, 0, 0, 0, 0,
                              0x7FF6_0000_0000, 0, 0, 0, 0)
        payload += utf16z(r"\Device\HarddiskVolume3\Windows\System32\kernel32.dll")
        w.system(0, ts, 0x03, 10, payload, version=3, tid=tid, pid=pid,
                 compact=r.random() < 0.5)
    elif x < 0.70:  # classic (FULL_HEADER64)
        typ = r.choice((0, 0x20, 0x24))
        w.classic(0, ts, CLASSIC_GUID, typ, level=4, version=2, tid=tid, pid=pid,
                  payload=bytes(r.getrandbits(8) for _ in range(r.choice((16, 24, 40, 56)))),
                  kernel_time=5, user_time=1)
    elif x < 0.85:  # manifest (EVENT_HEADER64) with ext items
        eid = r.choice((1, 2, 3, 10, 11))
        ext = []
        if r.random() < 0.3:
            ext.append((EXT_RELATED_ACTIVITYID, uuid.UUID(int=r.getrandbits(128)).bytes_le))
        if r.random() < 0.3:
            ext.append((EXT_SID, _SID))
            ext.append((EXT_TS_ID, struct.pack("<I", 1)))
        if r.random() < 0.3:
            frames = r.randrange(3, 24)
            ext.append((EXT_STACK_TRACE64, struct.pack("<Q%dQ" % frames, 0, *(
                0x7FF6_0000_0000 + r.getrandbits(24) for _ in range(frames)))))
        payload = struct.pack("<IQ", r.getrandbits(32), r.getrandbits(64))
        payload += utf16z("item-%d" % r.randrange(1000))
        w.event(0, ts, MANIFEST_PROVIDER, id=eid, version=1, channel=16, level=4,
                opcode=r.choice((0, 1, 2)), task=eid, keyword=0x8000000000000010, tid=tid,
                pid=pid, activity_id=uuid.UUID(int=r.getrandbits(128))
                if r.random() < 0.5 else None, ext=ext, payload=payload,
                event_property=1)
    elif x < 0.95:  # TraceLogging
        payload = (utf16z("name%d" % r.randrange(100)) + struct.pack("<I", r.randrange(1000))
                   + struct.pack("<d", r.random()))
        w.event(0, ts, TL_PROVIDER, channel=11, level=5, tid=tid, pid=pid,
                ext=[(EXT_EVENT_SCHEMA_TL, _TL_META), (EXT_PROV_TRAITS, _TL_TRAITS)],
                payload=payload)
    else:  # WPP
        msg = r.choice((10, 11, 12))
        args = struct.pack("<I", r.getrandbits(32)) + b"alpha\0"
        w.wpp(0, ts, WPP_GUID, msg, args, tid=tid, pid=pid)


class _Template:
    __slots__ = ("data", "view", "idx", "deltas", "span", "counts", "kinds", "nrec",
                 "np_idx", "np_deltas")


def _build_templates(buffer_size, count, rng):
    w = EtlWriter(buffer_size=buffer_size)
    ts = 0
    while w.flushed_buffer_count < count:
        _add_random_record(w, rng, ts)
        ts += rng.randrange(0, 40)
    templates = []
    for buf in w._flushed[:count]:
        t = _Template()
        t.data = bytearray(w._event_buffer_bytes(buf, False))
        first = buf.records[0][1]["timestamp"]
        idx, deltas = [], []
        counts = collections.Counter()
        kinds = collections.Counter()
        for off, info in buf.records:
            pos = off + _ts_offset(info)
            if pos % 8:
                raise AssertionError("timestamp not 8-byte aligned")
            assert struct.unpack_from("<q", t.data, pos)[0] == info["timestamp"]
            idx.append(pos // 8)
            deltas.append(info["timestamp"] - first)
            counts[_key(info)] += 1
            kinds[info["kind"]] += 1
        t.idx, t.deltas, t.span = idx, deltas, deltas[-1]
        t.counts, t.kinds = counts, kinds
        t.nrec = len(idx)
        t.view = memoryview(t.data).cast("q")
        if _np is not None:
            t.np_idx = _np.array(idx, dtype=_np.intp)
            t.np_deltas = _np.array(deltas, dtype=_np.int64)
        templates.append(t)
    return templates


def generate(path, size_bytes, cpus=4, seed=0, buffer_size=0x10000, templates=8,
             **writer_options):
    """Write a synthetic file of at least ``size_bytes`` and return a summary dict:
    ``events`` (all records, the logfile-header record included), ``buffers`` (header
    buffer included), ``bytes``, ``counts`` {(provider uuid str, id or opcode): n}
    (id for manifest/TraceLogging/WPP, opcode for kernel/classic/header), ``kinds``
    {kind: n}, ``per_cpu_buffers``, ``first_ts``/``last_ts`` (raw), ``t0``,
    ``perf_freq``, ``start_filetime``, ``seconds`` (generation time).
    ``writer_options`` go to the EtlWriter that builds the header buffer."""
    started = time.perf_counter()
    rng = random.Random(seed)
    pool = _build_templates(buffer_size, templates, rng)
    n_data = max(1, -(-(size_bytes - buffer_size) // buffer_size))

    # Schedule: each CPU runs its own clock; the buffer that ends first is flushed first.
    heap = []
    for cpu in range(cpus):
        k = rng.randrange(len(pool))
        base = T0 + 1 + rng.randrange(2000)
        heap.append((base + pool[k].span, cpu, base, k))
    heapq.heapify(heap)
    schedule = []
    for _ in range(n_data):
        end, cpu, base, k = heapq.heappop(heap)
        schedule.append((cpu, base, k))
        nbase = end + rng.randrange(0, 200)
        nk = rng.randrange(len(pool))
        heapq.heappush(heap, (nbase + pool[nk].span, cpu, nbase, nk))
    last_of_cpu = {}
    for i, (cpu, _, _) in enumerate(schedule):
        last_of_cpu[cpu] = i
    max_end = max(base + pool[k].span for _, base, k in schedule)

    opts = dict(buffer_size=buffer_size, cpu_count=cpus, t0=T0)
    opts.update(writer_options)
    hw = EtlWriter(**opts)
    hw.end_filetime = hw.filetime(max_end)
    header_bytes, _ = hw._header_buffer_bytes(1 + n_data, False)

    counts = collections.Counter({("68fdd900-4a3e-11d1-84f4-0000f80464e3", 0): 1})
    uses = collections.Counter(k for _, _, k in schedule)
    for k, n in uses.items():
        for key, c in pool[k].counts.items():
            counts[key] += c * n
    kinds = collections.Counter(header=1)
    per_cpu = collections.Counter(cpu for cpu, _, _ in schedule)
    events = 1 + sum(pool[k].nrec * n for k, n in uses.items())

    pack_into = struct.pack_into
    total = len(header_bytes)
    with open(path, "wb") as f:
        f.write(header_bytes)
        for i, (cpu, base, k) in enumerate(schedule):
            t = pool[k]
            if _np is not None:
                arr = _np.frombuffer(t.data, dtype="<i8")
                arr[t.np_idx] = t.np_deltas + base
            else:
                view = t.view
                for j, d in zip(t.idx, t.deltas):
                    view[j] = base + d
            flags = 0x20 | (BUFFER_FLAG_FLUSH_MARKER if last_of_cpu[cpu] == i else 0)
            pack_into("<qq", t.data, 0x10, base + t.span, i + 1)
            pack_into("<H", t.data, 0x28, cpu)
            pack_into("<H", t.data, 0x34, flags)
            f.write(t.data)
            total += len(t.data)

    for k, n in uses.items():
        for kind, c in pool[k].kinds.items():
            kinds[kind] += c * n
    return {
        "path": str(path), "events": events, "buffers": 1 + n_data, "bytes": total,
        "counts": dict(counts), "kinds": dict(kinds), "per_cpu_buffers": dict(per_cpu),
        "first_ts": min(base for _, base, _ in schedule), "last_ts": max_end, "t0": T0,
        "perf_freq": hw.perf_freq, "start_filetime": hw.start_filetime,
        "seconds": time.perf_counter() - started,
    }


def _main(argv):
    import sys
    if len(argv) < 2:
        print("usage: python -m etlwriter.bigfile OUT.etl SIZE[K|M|G] [cpus] [seed]")
        return 2
    size = argv[1].upper()
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(size[-1:], 1)
    n = int(size[:-1] if size[-1:] in "KMG" else size) * mult
    cpus = int(argv[2]) if len(argv) > 2 else 4
    seed = int(argv[3]) if len(argv) > 3 else 0
    s = generate(argv[0], n, cpus=cpus, seed=seed)
    print("%d bytes, %d buffers, %d events in %.2f s (%.0f MB/s)" % (
        s["bytes"], s["buffers"], s["events"], s["seconds"], s["bytes"] / s["seconds"] / 1e6))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    import sys
    raise SystemExit(_main(sys.argv[1:]))
