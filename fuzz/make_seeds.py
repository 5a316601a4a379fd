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


# Seeds longer than this are cut (libFuzzer slows down with the largest input).
MAX_SEED = {"reader": 256 * 1024, "record": 64 * 1024}

SEEDERS = {
    "reader": seeds_reader,
    "record": seeds_record,
    "lz77": seeds_lz77,
    "logfile": seeds_logfile,
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
