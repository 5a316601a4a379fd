#!/usr/bin/env python3
"""Generate the seed corpora of the libFuzzer harnesses (fuzz/fuzz_*.c).

Seeds come from two sources and are written to ``OUT/<harness>/`` (never into the
repository: the real traces must not be copied into it):

* the synthetic writer tests/etlwriter (every header type, compressed buffers, 32-bit
  headers, Windows 7 buffer contexts, the three clocks, a truncated file);
* the real corpus (``../shared/etl-corpus`` or ``--corpus``), when present: the header
  buffer plus the first event buffers of each file (at most ``--max-kb`` KiB), single
  buffers, compressed buffer streams and logfile-header payloads.

To seed a new harness ``fuzz_NAME.c``, add a function ``seeds_NAME(ctx)`` yielding
``(label, bytes)`` and list it in ``SEEDERS``.

Usage: python3 fuzz/make_seeds.py --out DIR [--corpus DIR] [--max-kb N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import struct
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from etlwriter import EtlWriter, guid_bytes, sid_bytes, tl_metadata, tl_provider_traits  # noqa: E402
from etlwriter import lz77 as pylz77  # noqa: E402

BUFHDR = 0x48
FLAG_COMPRESSED = 0x40
PROVIDER = uuid.UUID("11111111-2222-3333-4444-555555555555")
CLASSIC = uuid.UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
MSG_GUID = uuid.UUID("9b93a332-c452-3e71-64f7-55130c7de2e4")


# ----------------------------------------------------------------------------- inputs

def synthetic_writer(pointer_size=8, win7=False, clock_type=1, n=120, buffer_size=0x400,
                     **kw):
    """A small trace with every record type on 3 CPUs (buffers out of time order)."""
    w = EtlWriter(pointer_size=pointer_size, buffer_size=buffer_size, cpu_count=3,
                  win7=win7, clock_type=clock_type, **kw)
    ts = w.t0 + 10 if clock_type != 2 else w.start_filetime + 10
    for i in range(n):
        cpu = (i * 5) % 3
        ts += 1 + i % 4
        k = i % 8
        ptr = 4 if i % 2 else 8
        if k == 0:
            w.system(cpu, ts, group=3, type=1, payload=bytes(range(24)), version=4, tid=i,
                     pid=4, pebs=7 if i % 3 == 0 else None, pmc=(1, 2) if i % 5 == 0 else ())
        elif k == 1:
            w.system(cpu, ts, group=5, type=36, payload=b"\x01" * 12, compact=True, ptr=ptr)
        elif k == 2:
            w.perfinfo(cpu, ts, group=0x0F, type=46, payload=b"\x02" * 16, ptr=ptr)
        elif k == 3:
            w.classic(cpu, ts, CLASSIC, type=10, level=4, payload=b"classic", ptr=ptr)
        elif k == 4:
            w.classic(cpu, ts, CLASSIC, type=11, payload=b"inst", instance=(7, 6, PROVIDER))
        elif k == 5:
            w.event(cpu, ts, PROVIDER, id=21, version=1, level=4, keyword=0x10, ptr=ptr,
                    activity_id=uuid.UUID(int=i + 1),
                    ext=[(1, guid_bytes(CLASSIC)), (2, sid_bytes("S-1-5-21-1-2-3-1001")),
                         (3, b"\x05\0\0\0"), (6, bytes(24))],
                    payload=bytes(range(20)))
        elif k == 6:
            w.event(cpu, ts, PROVIDER, ext=[(11, tl_metadata("Ev", [("F", 8)])),
                                            (12, tl_provider_traits("P"))],
                    payload=b"\x7b\0\0\0")
        else:
            w.wpp(cpu, ts, MSG_GUID, 10 + i % 3, args=b"wpp", tid=1, pid=2,
                  sequence=i if i % 3 == 0 else None)
    return w


def synthetic_files():
    """(label, bytes) of whole synthetic files."""
    variants = [
        ("mixed64", {}), ("mixed32", {"pointer_size": 4}), ("win7", {"win7": True}),
        ("clock0", {"clock_type": 0, "perf_freq": 1_818_300}),
        ("clock2", {"clock_type": 2, "t0": 133500000000000000 - 5}),
        ("clock3", {"clock_type": 3, "perf_freq": 0}),
        ("bigbuf", {"buffer_size": 0x1000, "n": 200}),
    ]
    for label, kw in variants:
        for compress in (False, True):
            w = synthetic_writer(**kw)
            yield ("syn-%s%s" % (label, "-lz" if compress else ""), w.write(None, compress))
    # A trace still being written: cut inside its last buffer.
    w = synthetic_writer()
    data = w.write(None)
    yield "syn-cut", data[:len(data) - 0x400 + 0x1a0]
    # A header-only trace.
    yield "syn-empty", EtlWriter(buffer_size=0x400).write(None)


def corpus_files(corpus):
    if not corpus or not os.path.isdir(corpus):
        return []
    return sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".etl"))


def buffers(data):
    """(offset, bytes) of every buffer, walked by BufferSize."""
    off = 0
    while off + BUFHDR <= len(data):
        size = struct.unpack_from("<I", data, off)[0]
        if size < BUFHDR or off + size > len(data):
            break
        yield off, data[off:off + size]
        off += size


def is_compressed(buf):
    return struct.unpack_from("<H", buf, 0x34)[0] & FLAG_COMPRESSED != 0


def compact(buf):
    """The buffer cut right after its records (BufferSize = Offset@0x30 rounded up to 8):
    a smaller, still valid buffer, so that big-buffer traces make small seeds."""
    if is_compressed(buf):
        return buf
    filled = struct.unpack_from("<I", buf, 0x30)[0]
    size = (max(filled, BUFHDR) + 7) & ~7
    if size >= len(buf):
        return buf
    out = bytearray(buf[:size])
    struct.pack_into("<I", out, 0, size)
    return bytes(out)


class Ctx:
    def __init__(self, corpus, max_kb):
        self.corpus = corpus if corpus and os.path.isdir(corpus) else None
        self.max_bytes = max_kb * 1024
        self.synthetic = list(synthetic_files())
        self.real = []
        for path in corpus_files(corpus):
            with open(path, "rb") as f:
                self.real.append((os.path.basename(path)[:-4], f.read()))

    def all_files(self):
        return self.synthetic + self.real


# ----------------------------------------------------------------------------- seeders

def seeds_reader(ctx):
    for label, data in ctx.synthetic:
        yield label, data
    for label, data in ctx.real:
        bufs = [compact(b) for _, b in buffers(data)]
        if not bufs:
            continue
        # The first N KiB of the file (its buffers cut after their records, see
        # compact()), rounded down to whole buffers, at least two of them; ...
        head = bytearray()
        for i, b in enumerate(bufs):
            if i >= 2 and len(head) + len(b) > ctx.max_bytes:
                break
            head += b
        yield label + "-head", bytes(head)
        # ... the header buffer followed by two buffers from further in; ...
        if len(bufs) > 3:
            rng = random.Random(label)
            picks = sorted(rng.sample(range(1, len(bufs)), 2))
            yield label + "-pick", bufs[0] + b"".join(bufs[i] for i in picks)
        # ... and the first N KiB of the file as it is (a cut, uncompacted trace).
        yield label + "-raw", data[:ctx.max_bytes]


def seeds_columns(ctx):
    # fuzz_columns: the first byte picks the thread count (1-4), the rest is a file.
    for i, (label, data) in enumerate(seeds_reader(ctx)):
        yield label, bytes([i & 3]) + data


def seeds_record(ctx):
    for label, data in ctx.all_files():
        bufs = list(buffers(data))
        rng = random.Random(label)
        idx = list(range(min(3, len(bufs))))
        if len(bufs) > 3:
            idx += rng.sample(range(3, len(bufs)), min(3, len(bufs) - 3))
        for i in idx:
            buf = compact(bufs[i][1])
            yield "%s-b%d" % (label, i), buf


def seeds_lz77(ctx):
    for label, data in ctx.all_files():
        n = 0
        for off, buf in buffers(data):
            if not is_compressed(buf):
                continue
            filled = struct.unpack_from("<I", buf, 0x30)[0]
            yield "%s-%x" % (label, off), struct.pack("<I", max(0, filled - BUFHDR)) + buf[BUFHDR:]
            n += 1
            if n >= 6:
                break
    rng = random.Random(1)
    samples = [b"", b"a", b"abc" * 50, bytes(range(256)) * 4, b"\0" * 5000,
               bytes(rng.getrandbits(8) for _ in range(3000)),
               b"".join(struct.pack("<Q", i) for i in range(1000)),
               (b"xy" * 10 + bytes(rng.getrandbits(8) for _ in range(5))) * 300]
    for i, s in enumerate(samples):
        yield "syn-%d" % i, struct.pack("<I", len(s)) + pylz77.compress(s)


def seeds_logfile(ctx):
    for label, data in ctx.all_files():
        if len(data) < BUFHDR + 0x20:
            continue
        rec = data[BUFHDR:]
        ht = rec[2]
        size = struct.unpack_from("<H", rec, 4)[0]
        fixed = 0x18 if ht in (3, 4) else 0x20
        sel = {1: 0, 2: 1, 3: 2, 4: 3}.get(ht)
        if sel is None or size < fixed:
            continue
        ts = rec[16:24]
        yield label, bytes([sel]) + ts + rec[fixed:size]


# ----------------------------------------------------------------------------- decoder seeds
# The schema/decoder harnesses (fuzz_tl, fuzz_tei, fuzz_wevt, fuzz_inband,
# fuzz_registry) take their seeds from the events of the real traces, read with
# the etw package itself when it is importable (else only synthetic seeds).

EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")


def u16(b):
    b = bytes(b)[:0xFFFF]
    return struct.pack("<H", len(b)) + b


def corpus_events(ctx, path, limit=300000):
    """Events of one real trace (errors skipped), or nothing without the etw package."""
    try:
        import etw  # noqa: F401  (built extension; absent in a bare checkout)
    except Exception:
        return
    n = 0
    try:
        with etw.open(path, errors="skip") as trace:
            for ev in trace:
                yield ev
                n += 1
                if n >= limit:
                    break
    except Exception:
        return


def corpus_paths(ctx):
    return [os.path.join(ctx.corpus, label + ".etl") for label, _ in ctx.real]


def tl_synthetic():
    """(metadata, traits, payload) of hand-made TraceLogging events: every
    TlgIn type, arrays (constant, variable), structs, custom fields, tags."""
    traits = tl_provider_traits("Fuzz.Provider", [(1, PROVIDER)])
    out = []
    scalars = [("U8", 4), ("I16", 5), ("U32", 8), ("I64", 9), ("F", 11), ("D", 12),
               ("B", 13), ("G", 15), ("P", 16), ("FT", 17), ("ST", 18), ("X32", 20),
               ("X64", 21)]
    out.append((tl_metadata("Scalars", scalars), traits, bytes(range(200))))
    out.append((tl_metadata("Strings", [("W", 1), ("A", 2), ("CW", 22), ("CA", 23)]),
                traits, "hé".encode("utf-16-le") + b"\0\0" + b"ansi\0" +
                struct.pack("<H", 4) + "ab".encode("utf-16-le") + struct.pack("<H", 3) + b"xyz"))
    out.append((tl_metadata("Arrays", [{"name": "V", "in": 8, "count": "v"},
                                       {"name": "C", "in": 5, "count": 3},
                                       {"name": "Bin", "in": 25}]),
                traits, struct.pack("<H", 2) + bytes(8) + bytes(6) + struct.pack("<H", 3) + b"abc"))
    out.append((tl_metadata("Struct", [("S", 24, 2), ("A", 7), ("B", 1),
                                       {"name": "T", "in": 8, "out": 0x20, "tags": 0x123}],
                            tags=0x0FFFFFFF),
                traits, struct.pack("<i", -5) + "x".encode("utf-16-le") + b"\0\0" + b"\1\0\0\0"))
    out.append((tl_metadata("Custom", [{"name": "Cu", "in": 1, "custom": b"schema"}]), b"",
                struct.pack("<H", 4) + b"data"))
    out.append((tl_metadata("Sid", [("Sid", 19), ("Sock", 14, 25), ("Ip", 8, 23)]), traits,
                sid_bytes("S-1-5-21-1-2-3-1001") + struct.pack("<H", 4) + b"\2\0\0\0" + bytes(4)))
    return out


def seeds_tl(ctx):
    for i, (meta, traits, payload) in enumerate(tl_synthetic()):
        yield "syn-%d" % i, bytes([i & 1]) + u16(meta) + u16(traits) + payload
    for path in corpus_paths(ctx):
        seen = set()
        for ev in corpus_events(ctx, path):
            meta = (ev.extended or {}).get("event_schema_tl")
            if meta is None or meta in seen:
                continue
            seen.add(meta)
            traits = ev.extended.get("prov_traits") or b""
            yield ("%s-%d" % (os.path.basename(path)[:-4], len(seen)),
                   bytes([1 if ev.pointer_size == 4 else 0]) + u16(meta) + u16(traits) +
                   ev.payload[:4096])
            if len(seen) >= 40:
                break


def tei_key(blob):
    """Lookup key of a TRACE_EVENT_INFO blob: (guid, id or opcode, version)."""
    if len(blob) < 52:
        return None
    src = struct.unpack_from("<I", blob, 48)[0]
    if src == 1:
        return (uuid.UUID(bytes_le=bytes(blob[16:32])), blob[32 + 5], blob[34])
    return (uuid.UUID(bytes_le=bytes(blob[0:16])), struct.unpack_from("<H", blob, 32)[0], blob[34])


def event_metadata(ctx):
    """Per real trace: (label, [TEI blobs], [(provider GUID bytes, EMI blob)],
    {key: payload of the first event with that key})."""
    out = []
    for path in corpus_paths(ctx):
        teis, emis, payloads = [], [], {}
        for ev in corpus_events(ctx, path):
            if ev.provider_id == EVENT_METADATA and ev.kind == "classic":
                if ev.opcode == 32:
                    teis.append(ev.payload)
                elif ev.opcode == 33 and len(ev.payload) >= 16:
                    emis.append((ev.payload[:16], ev.payload[16:]))
                continue
            for key in ((ev.provider_id, ev.id, ev.version), (ev.provider_id, ev.opcode, ev.version)):
                payloads.setdefault(key, ev.payload[:4096])
        if teis or emis:
            out.append((os.path.basename(path)[:-4], teis, emis, payloads))
    return out


def wevt_inputs(ctx):
    """(label, CRIM blob, MESSAGETABLE or b"") of the compiled manifests in
    <corpus>/wevt: raw blobs and the resources of the DLLs."""
    folder = os.path.join(ctx.corpus, "wevt") if ctx.corpus else None
    if not folder or not os.path.isdir(folder):
        return []
    out = []
    pe = None
    try:
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "_etw_pe", os.path.join(ROOT, "python", "etw", "_pe.py"))
        pe = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(pe)
    except Exception:
        pe = None
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] == b"CRIM":
            out.append((name, data, b""))
        elif pe is not None and name.lower().endswith(".dll"):
            try:
                res = pe.read_resources(data)
                crims = res.find("WEVT_TEMPLATE")
                mts = res.find(11)
            except Exception:
                continue
            for crim in crims:
                out.append((name, crim, mts[0] if mts else b""))
    return out


def wevt_blobs(crim, mt):
    """[(kind, blob)] etw._etw._wevt_to_blobs gives for a CRIM blob, or []."""
    try:
        from etw import _etw
        return list(_etw._wevt_to_blobs(crim, mt or None))
    except Exception:
        return []


def seeds_tei(ctx):
    for label, teis, emis, payloads in event_metadata(ctx):
        for i, tei in enumerate(teis[:40]):
            key = tei_key(tei)
            emi = emis[i % len(emis)][1] if emis else b""
            yield "%s-%d" % (label, i), b"\0" + u16(tei) + u16(emi) + payloads.get(key, b"")
    for label, crim, mt in wevt_inputs(ctx):
        blobs = wevt_blobs(crim, mt)
        teis = [b for k, b in blobs if k == "tei"]
        emis = [b for k, b in blobs if k == "emi"]
        for i in range(min(12, max(len(teis), len(emis)))):
            tei = teis[i] if i < len(teis) else b""
            emi = emis[i] if i < len(emis) else b""
            yield "%s-%d" % (label, i), b"\0" + u16(tei) + u16(emi) + bytes(range(64))


def seeds_wevt(ctx):
    for label, crim, mt in wevt_inputs(ctx):
        yield label, b"\0" + struct.pack("<I", len(crim)) + crim + u16(mt) + bytes(range(48))
        if mt:
            yield label + "-nomt", b"\x02" + struct.pack("<I", len(crim)) + crim + u16(b"")


def inband_record(sel, data):
    return bytes([sel]) + u16(data)


def seeds_inband(ctx):
    body = b"<instrumentationManifest>" + b"x" * 100 + b"</instrumentationManifest>"
    env = lambda total, n: bytes([1, 1, 0, 0x5B]) + struct.pack("<HH", total, n)  # noqa: E731
    yield "syn-one", inband_record(0, env(1, 0) + body) + inband_record(32, b"")
    yield "syn-three", b"".join(inband_record(i % 2 * 4, env(3, i) + body[i * 40:(i + 1) * 40])
                                for i in range(3)) + inband_record(32 | 64, b"")
    yield "syn-mixed", (inband_record(1, env(2, 0) + b"a") + inband_record(2, env(1, 0) + b"b") +
                        inband_record(1, env(2, 1) + b"c") + inband_record(1 | 32, env(2, 0) + b"a") +
                        inband_record(1, env(2, 1) + b"c") + inband_record(8, env(1, 0)) +
                        inband_record(3, env(2, 1) + b"z") + inband_record(32 | 192, b""))
    for path in corpus_paths(ctx):
        provs, recs = {}, []
        for ev in corpus_events(ctx, path):
            if ev.id == 0xFFFE and ev.opcode == 0xFE:
                sel = provs.setdefault(ev.provider_id, len(provs) % 4)
                recs.append(inband_record(sel | (4 if ev.kind == "tracelogging" else 0), ev.payload))
        if recs:
            label = os.path.basename(path)[:-4]
            yield label, b"".join(recs)
            # The same manifests cut small: the first 512 bytes of every chunk.
            yield label + "-cut", b"".join(r[:1] + u16(r[3:3 + 512]) for r in recs)


def registry_ops(ctx):
    for label, teis, emis, payloads in event_metadata(ctx):
        ops = []
        for g, emi in emis[:8]:
            ops.append(bytes([1]) + u16(g + emi))
        for tei in teis[:12]:
            ops.append(bytes([0]) + u16(u16(tei) + payloads.get(tei_key(tei), b"")[:1024]))
        yield label, b"".join(ops)
    for path in corpus_paths(ctx):
        ops, n = [], 0
        seen = set()
        for ev in corpus_events(ctx, path, limit=50000):
            ext = ev.extended or {}
            if "event_schema_tl" in ext and ext["event_schema_tl"] not in seen and n < 6:
                seen.add(ext["event_schema_tl"])
                ops.append(bytes([2]) + u16(u16(ext["event_schema_tl"]) +
                                            u16(ext.get("prov_traits") or b"") + ev.payload[:1024]))
                n += 1
            elif ev.kind in ("kernel", "classic") and (ev.provider_id, ev.opcode) not in seen \
                    and len(seen) < 24:
                seen.add((ev.provider_id, ev.opcode))
                kind = 2 if ev.kind == "kernel" else 1
                ops.append(bytes([3 | kind << 2 | (32 if ev.pointer_size == 4 else 0)]) +
                           u16(ev.provider_id.bytes_le + struct.pack("<HBB", ev.id, ev.version,
                                                                      ev.opcode) + ev.payload[:1024]))
        if ops:
            yield os.path.basename(path)[:-4] + "-records", b"".join(ops)


def seeds_registry(ctx):
    for i, (meta, traits, payload) in enumerate(tl_synthetic()):
        yield "syn-tl-%d" % i, bytes([2]) + u16(u16(meta) + u16(traits) + payload)
    yield "syn-string", bytes([3 | 16]) + u16(PROVIDER.bytes_le + bytes(4) + "hi".encode("utf-16-le"))
    for label, data in registry_ops(ctx):
        yield label, data


# Seeds longer than this are cut (libFuzzer slows down with the largest input).
MAX_SEED = {"reader": 256 * 1024, "columns": 256 * 1024, "record": 64 * 1024, "tl": 16 * 1024, "tei": 64 * 1024,
            "registry": 128 * 1024}

SEEDERS = {
    "reader": seeds_reader,
    "columns": seeds_columns,
    "record": seeds_record,
    "lz77": seeds_lz77,
    "logfile": seeds_logfile,
    "tl": seeds_tl,
    "tei": seeds_tei,
    "wevt": seeds_wevt,
    "inband": seeds_inband,
    "registry": seeds_registry,
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder that receives OUT/<harness>/")
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "etl-corpus"),
                    help="real .etl corpus (skipped when absent)")
    ap.add_argument("--max-kb", type=int, default=64,
                    help="size limit of a whole-file seed taken from a real trace")
    ap.add_argument("harness", nargs="*", help="only these harnesses")
    args = ap.parse_args(argv)
    ctx = Ctx(os.path.normpath(args.corpus), args.max_kb)
    for name in args.harness or sorted(SEEDERS):
        if name not in SEEDERS:
            print("[seeds] %-8s no seeder (add seeds_%s to make_seeds.py)" % (name, name))
            continue
        folder = os.path.join(args.out, name)
        os.makedirs(folder, exist_ok=True)
        seen = set()
        total = 0
        for label, data in SEEDERS[name](ctx):
            data = data[:MAX_SEED.get(name, len(data))]
            digest = hashlib.sha1(data).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            total += len(data)
            with open(os.path.join(folder, "%s-%s" % (label, digest[:10])), "wb") as f:
                f.write(data)
        print("[seeds] %-8s %4d files, %8d bytes (%d real traces)" % (
            name, len(seen), total, len(ctx.real)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
