"""etw.scan(): the C-only counting pass, on one thread and split between threads.

A split pass must give exactly what one pass gives: the same counts, kinds,
stats, times and header, and on damaged files the same error (strict) or the
same skipped counts (skip). The files here are small, so the split is forced
with ``threads=``.
"""

from __future__ import annotations

import collections
import os
import struct
import uuid

import pytest

import etw
from etlwriter import EtlWriter

PROVIDER = uuid.UUID("11111111-2222-3333-4444-555555555555")
CLASSIC = uuid.UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")


def _build(path, n=3000, compress=False):
    """n events of 6 kinds on 4 CPUs, in 4 KiB buffers (dozens of buffers)."""
    w = EtlWriter(pointer_size=8, buffer_size=0x1000, cpu_count=4)
    ts = 1_000_000
    for i in range(n):
        cpu = i % 4
        ts += 5
        k = i % 6
        if k == 0:
            w.system(cpu, ts, group=3, type=1, payload=bytes(40), tid=i, pid=4)
        elif k == 1:
            w.classic(cpu, ts, CLASSIC, type=10, payload=b"c" * (i % 30), tid=1, pid=2)
        else:
            w.event(cpu, ts, PROVIDER, id=k, opcode=k * 2, payload=b"p" * (i % 50), tid=3,
                    pid=5)
    w.write(path, compress=compress)
    return path


def _buffers(data):
    """Offsets and sizes of the buffers of an uncompressed file, by their own sizes."""
    out, off = [], 0
    while off + 0x48 <= len(data):
        size = struct.unpack_from("<I", data, off)[0]
        if size < 0x48:
            break
        out.append((off, size))
        off += size
    return out


def _scan(path, errors, threads):
    """scan()'s result without its timing, or the error it raised."""
    try:
        r = etw.scan(path, errors=errors, threads=threads)
    except etw.EtlFormatError as e:
        return ("error", type(e).__name__, e.offset, str(e))
    r.pop("seconds")
    return r


def _same_for_all_splits(path, errors):
    one = _scan(path, errors, 1)
    for n in (2, 3, 4, 7):
        assert _scan(path, errors, n) == one, (n, errors)
    return one


def test_split_pass_counts_exactly(tmp_path):
    path = _build(str(tmp_path / "t.etl"))
    one = _same_for_all_splits(path, "strict")
    # The counts are the events the writer wrote, by iteration.
    seen = collections.Counter((ev.provider_id, ev.id, ev.opcode) for ev in etw.open(path))
    assert one["counts"] == dict(seen)
    assert one["events"] == sum(seen.values()) == 3001  # and the logfile header
    assert one["kinds"]["manifest"] == 2000 and one["kinds"]["kernel"] == 500
    assert one["kinds"]["classic"] == 500 and one["kinds"]["header"] == 1
    assert one["buffers"] > 20 and one["skipped"] == 0


def test_split_pass_on_compressed_buffers(tmp_path):
    path = _build(str(tmp_path / "c.etl"), compress=True)
    one = _same_for_all_splits(path, "strict")
    assert one["compressed_buffers"] > 0 and one["events"] == 3001


def test_split_pass_on_damage_gives_the_single_pass_error(tmp_path):
    """Damage in a middle buffer, a zeroed buffer and a cut file: in strict mode
    the error of the first damage in file order, in skip mode the same skipped
    counts; the split never changes either."""
    src = _build(str(tmp_path / "src.etl"))
    data = open(src, "rb").read()
    bufs = _buffers(data)
    assert len(bufs) > 20
    cases = {}
    mid_off, mid_size = bufs[len(bufs) // 2]
    # a record size in a middle buffer that runs past the buffer
    d = bytearray(data)
    struct.pack_into("<H", d, mid_off + 0x48, 0xFFF0)
    cases["record-size"] = d
    # two damaged buffers: the error must be the first one's
    d = bytearray(cases["record-size"])
    off2 = bufs[len(bufs) // 4][0]
    struct.pack_into("<H", d, off2 + 0x48, 0xFFF0)
    cases["two"] = d
    # a zeroed middle buffer
    d = bytearray(data)
    d[mid_off:mid_off + mid_size] = bytes(mid_size)
    cases["zeroed"] = d
    # cut in the middle of the last buffer
    cases["cut"] = data[: bufs[-1][0] + bufs[-1][1] // 2]
    results = {}
    for name, blob in cases.items():
        path = str(tmp_path / (name + ".etl"))
        with open(path, "wb") as f:
            f.write(blob)
        strict = _same_for_all_splits(path, "strict")
        skip = _same_for_all_splits(path, "skip")
        results[name] = (strict, skip)
        assert strict[0] == "error", name
        assert skip["skipped"] >= 1, name
        # the iterator sees the same damage
        with pytest.raises(etw.EtlFormatError) as ei:
            for _ in etw.open(path, order="file"):
                pass
        assert ei.value.offset == strict[2], name
        t = etw.open(path, order="file", errors="skip")
        assert sum(1 for _ in t) == skip["events"], name
        assert t.stats["skipped"] == skip["skipped"], name
    # the error is at the damaged record: right after its buffer's header
    assert results["record-size"][0][2] == mid_off + 0x48
    assert results["two"][0][2] == off2 + 0x48  # the first damage in file order
    assert results["record-size"][1]["skipped"] == 1
    assert results["two"][1]["skipped"] == 2
    assert results["two"][1]["events"] < results["record-size"][1]["events"] < 3001
    cut = bufs[-1][0]
    assert results["cut"][0][2] == cut
    assert results["cut"][0][3].startswith(
        "file truncated: buffer at offset %d needs 4096 bytes, 2048 present" % cut)


def test_threads_argument(tmp_path):
    path = _build(str(tmp_path / "t.etl"), n=100)
    assert etw.scan(path)["events"] == etw.scan(path, threads=2)["events"] == 101
    for bad in (0, -1, 65):
        with pytest.raises(ValueError):
            etw.scan(path, threads=bad)
    with pytest.raises(TypeError):
        etw.scan(path, threads="2")


def test_split_pass_on_the_corpus(corpus_dir):
    """Every corpus file: the split pass equals one pass, in both modes."""
    names = sorted(n for n in os.listdir(corpus_dir) if n.endswith(".etl"))
    assert len(names) == 34
    total = 0
    for name in names:
        path = os.path.join(corpus_dir, name)
        one = _scan(path, "strict", 1)
        assert _scan(path, "strict", 3) == one, name
        total += one["events"]
    assert total == 499_785


def test_bad_options_say_what_was_given(tmp_path):
    path = _build(str(tmp_path / "t.etl"), n=10)
    with pytest.raises(ValueError) as ei:
        etw.open(path, order="bogus")
    assert str(ei.value) == "order must be 'time' or 'file', not 'bogus'"
    with pytest.raises(ValueError) as ei:
        etw.scan(path, errors="ignore")
    assert str(ei.value) == "errors must be 'strict' or 'skip', not 'ignore'"
