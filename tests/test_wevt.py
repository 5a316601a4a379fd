"""Compiled manifests: PE resources (etw/_pe.py), the WEVT_TEMPLATE "CRIM"
parser (etwmodule/core/schema_wevt.c) and the schema serializer
(schema_export.c), on the real mc.exe output in ../shared/etl-corpus/wevt/.

The central oracle: for every .man file there and each form it was compiled
to (raw *TEMP.BIN / *.wevt.*.bin blobs and resource DLLs, see wevt/SOURCES.md),
the manifest loader and the compiled-template parser give identical schemas -
with the names localized from the MESSAGETABLE when the DLL has one, and the
manifest's name attributes for the raw blobs (which carry no texts).
"""

from __future__ import annotations

import dataclasses
import glob
import os
import random
import struct
import uuid

import pytest

import etw
from etw import _etw
from etw._manifest import parse_manifest
from etw._pe import PeError, parse_message_table, read_resources
from etw._tei import (
    MAP_BITMAP,
    MAP_VALUEMAP,
    pack_emi_record,
    pack_tei,
    parse_emi_record,
    parse_tei,
)
from etw.schemas import Schemas

needs_wevt = pytest.mark.skipif(not hasattr(_etw, "_wevt_to_blobs"),
                                reason="etw._etw._wevt_to_blobs is not registered in module.c yet")
needs_roundtrip = pytest.mark.skipif(not hasattr(_etw, "_schema_roundtrip"),
                                     reason="etw._etw._schema_roundtrip is not registered yet")

JYTRACE = uuid.UUID("277c604b-1962-47fa-9307-7ce0855dfea6")
NLOG = uuid.UUID("27610e34-3bf7-5aa4-2886-e5bc10355305")
HELLO = uuid.UUID("06a2ea53-fc6c-42e5-9176-18749ab2ca13")


@pytest.fixture(scope="module")
def wevt_dir(corpus_dir):
    d = os.path.join(corpus_dir, "wevt")
    if not os.path.isdir(d):
        pytest.skip("../shared/etl-corpus/wevt is not available")
    return d


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _pairs(d):
    """(manifest, compiled file) pairs, as wevt/SOURCES.md lists them."""
    out = []
    for man in sorted(glob.glob(os.path.join(d, "*.man"))):
        base = os.path.basename(man)[:-4]
        comp = sorted(glob.glob(os.path.join(d, base + ".wevt*.bin")) +
                      glob.glob(os.path.join(d, base + ".dll")))
        if base == "flowerinthenight_jytrace":
            comp.append(os.path.join(d, "flowerinthenight_jytraceTEMP.BIN"))
        if base == "kallanreed_helloworldmetric":
            comp.append(os.path.join(d, "libfwevt_helloworldmetricTEMP.BIN"))
        out += [(man, c) for c in comp]
    return out


def _compiled(path):
    """(schemas, maps, has message table) of a compiled template or DLL."""
    data = _read(path)
    msgtable = None
    if data[:2] == b"MZ":
        res = read_resources(data)
        (crim,) = res.find("WEVT_TEMPLATE")
        tables = res.find(11)
        msgtable = tables[0] if tables else None
    else:
        crim = data
    blobs = _etw._wevt_to_blobs(crim, msgtable)
    return ([parse_tei(b) for k, b in blobs if k == "tei"],
            [parse_emi_record(b) for k, b in blobs if k == "emi"], msgtable is not None)


# ------------------------------------------------------------------ PE

def test_pe_resources_of_the_corpus_dlls(wevt_dir):
    expected = {
        "flowerinthenight_jytrace.dll": (9594, 1124),
        "nlog_NLog.Etw.NLog-LogEvents.etwManifest.dll": (3130, 604),
        "palantir_CustomEventChannels.dll": (13018, 184),
    }
    for name, (wevt_size, mt_size) in expected.items():
        res = read_resources(_read(os.path.join(wevt_dir, name)))
        assert (res.machine, res.is64) == (0x14C, False)
        assert sorted(((repr(k), len(v)) for k, v in res.entries.items())) == sorted([
            (repr(("WEVT_TEMPLATE", 1, 1033)), wevt_size), (repr((11, 1, 1033)), mt_size)])
        (crim,) = res.find("wevt_template")
        assert crim[:4] == b"CRIM" and struct.unpack_from("<I", crim, 4)[0] == wevt_size - 2
    # SOURCES.md: the DLL's resource is byte-identical to mc.exe's TEMP.BIN.
    res = read_resources(_read(os.path.join(wevt_dir, "flowerinthenight_jytrace.dll")))
    assert res.find("WEVT_TEMPLATE")[0] == _read(os.path.join(wevt_dir,
                                                              "flowerinthenight_jytraceTEMP.BIN"))


def test_message_tables(wevt_dir):
    res = read_resources(_read(os.path.join(wevt_dir,
                                            "nlog_NLog.Etw.NLog-LogEvents.etwManifest.dll")))
    mt = parse_message_table(res.find(11)[0])
    assert len(mt) == 21
    assert {k: mt[k] for k in (0x50000000, 0x50000004, 0x1000002D, 0x7000FFFE)} == {
        0x50000000: "Log Always\r\n", 0x50000004: "Information\r\n",
        0x1000002D: "Session3\r\n", 0x7000FFFE: "EventSourceMessage\r\n"}
    res = read_resources(_read(os.path.join(wevt_dir, "palantir_CustomEventChannels.dll")))
    assert parse_message_table(res.find(11)[0]) == {
        0x90000001: "System\r\n",
        0xB0000064: "Prop_UnicodeString=%1;%n\r\n                  Prop_UInt32=%2;%n\r\n"}


def test_pe_damage_is_reported(wevt_dir):
    data = _read(os.path.join(wevt_dir, "flowerinthenight_jytrace.dll"))
    with pytest.raises(PeError, match="no MZ header"):
        read_resources(b"ZM" + data[2:])
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    with pytest.raises(PeError, match="no PE signature"):
        read_resources(data[:pe] + b"XX\0\0" + data[pe + 4:])
    with pytest.raises(PeError):
        read_resources(data[:0x400])
    with pytest.raises(PeError):
        parse_message_table(b"\x05\0\0\0")
    # Random damage never escapes as anything but PeError (or a parse).
    rng = random.Random(4)
    for _ in range(300):
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        try:
            res = read_resources(bytes(b))
        except PeError:
            continue
        assert all(isinstance(v, bytes) for v in res.entries.values())


# ------------------------------------------------------------------ CRIM

@needs_wevt
def test_compiled_and_manifest_give_identical_schemas(wevt_dir):
    counts = {}
    for man, comp in _pairs(wevt_dir):
        schemas, maps, has_mt = _compiled(comp)
        version = _read(comp)[8] if _read(comp)[:4] == b"CRIM" else 3
        pms = parse_manifest(_read(man), localize=has_mt)
        m_schemas = {s.key: s for p in pms for s in p.schemas()}
        m_maps = {m.key: m for p in pms for m in p.maps}
        c_schemas = {s.key: s for s in schemas}
        c_maps = {m.key: m for m in maps}
        assert set(m_schemas) == set(c_schemas), comp
        assert set(m_maps) == set(c_maps), comp
        for key, ms in m_schemas.items():
            a, b = dataclasses.asdict(ms), dataclasses.asdict(c_schemas[key])
            if not has_mt:  # raw blobs carry no message texts
                for f in ("event_message", "provider_message"):
                    assert b[f] is None
                    a[f] = None
            if version < 5:  # no PRVA / EVTA before mc.exe 16299
                for f in ("provider_name", "event_name"):
                    assert b[f] is None
                    a[f] = None
            assert a == b, (comp, key)
        for key, mm in m_maps.items():
            cm = c_maps[key]
            assert (cm.flags, [v for v, _n in cm.entries]) == (mm.flags, [v for v, _n in mm.entries])
            if has_mt:
                assert cm.entries == mm.entries
            else:
                assert all(n == "" for _v, n in cm.entries)
        counts[os.path.basename(comp)] = (len(c_schemas), len(c_maps))
    assert counts == {
        "etk_Empty.wevt.v3.bin": (0, 0), "etk_Empty.wevt.v5.bin": (0, 0),
        "etk_EventAttributes.wevt.v5.bin": (7, 0),
        "etk_ImportChannelFromProvider.wevt.v3.bin": (9, 0),
        "etk_ImportChannelFromProvider.wevt.v5.bin": (9, 0),
        "etk_ImportChannels.wevt.v3.bin": (6, 0), "etk_ImportChannels.wevt.v5.bin": (6, 0),
        "etk_Large.wevt.v5.bin": (12, 12), "etk_ProviderTraits.wevt.v5.bin": (3, 0),
        "etk_ReferenceChannels.wevt.v5.bin": (9, 0),
        "etk_TaskOpcodes.wevt.v3.bin": (2, 0), "etk_TaskOpcodes.wevt.v5.bin": (2, 0),
        "etk_TypeMangling.wevt.v5.bin": (137, 0),
        "etk_wpf-etw.wevt.v3-8.1-compat.bin": (333, 4), "etk_wpf-etw.wevt.v3.bin": (333, 4),
        "etk_wpf-etw.wevt.v5.bin": (333, 4),
        "flowerinthenight_jytrace.dll": (26, 0), "flowerinthenight_jytraceTEMP.BIN": (26, 0),
        "libfwevt_helloworldmetricTEMP.BIN": (1, 0),
        "nlog_NLog.Etw.NLog-LogEvents.etwManifest.dll": (6, 0),
        "palantir_CustomEventChannels.dll": (16, 0),
    }


@needs_wevt
def test_compiled_details(wevt_dir):
    (s,), maps, _ = _compiled(os.path.join(wevt_dir, "libfwevt_helloworldmetricTEMP.BIN"))
    assert maps == []
    assert (s.provider_id, s.id, s.version, s.provider_name, s.template_flags) == (
        HELLO, 1, 1, "Hello World Metric Provider", 1)
    assert [(p.name, p.in_type, p.out_type, p.count, p.length) for p in s.props] == [
        ("metric_name", 1, 1, 1, 0), ("metric_value", 7, 7, 1, 4)]
    # Event names from EVTA (mc.exe 16299+).
    schemas, _, _ = _compiled(os.path.join(wevt_dir, "etk_EventAttributes.wevt.v5.bin"))
    assert sorted((s.id, s.version, s.event_name) for s in schemas) == [
        (1, 0, "EventName1"), (1, 1, "EventName1"), (2, 23, "EventName2"),
        (3, 22, "EventName3"), (4, 0, "EventName4"), (5, 0, None), (6, 0, None)]
    # Task-specific opcodes, channel keyword bit and event GUID of the task.
    schemas, _, _ = _compiled(os.path.join(wevt_dir, "etk_TaskOpcodes.wevt.v3.bin"))
    e1 = next(s for s in schemas if s.id == 1)
    assert (e1.task, e1.opcode, e1.task_name, e1.opcode_name, e1.keyword, e1.channel,
            e1.channel_name, e1.level_name) == (17, 102, "Task1", "Opcode2", 1 << 63, 16, "Channel",
                                                "win:Error")
    assert e1.event_guid == uuid.UUID("d0883fa6-f3fd-43c3-a0e4-000000000001")
    # With the message table: localized names and messages.
    schemas, _, _ = _compiled(os.path.join(wevt_dir,
                                           "nlog_NLog.Etw.NLog-LogEvents.etwManifest.dll"))
    info = next(s for s in schemas if s.id == 2)
    assert (info.provider_id, info.level_name, info.task_name, info.channel_name) == (
        NLOG, "Information", "Info", "NLog-LogEvents/Operational")
    # Maps (Large): value maps and bitmaps, sorted by value.
    _, maps, _ = _compiled(os.path.join(wevt_dir, "etk_Large.wevt.v5.bin"))
    vm = next(m for m in maps if m.name == "ns1:ValueMap1")
    assert (vm.flags, [v for v, _ in vm.entries]) == (MAP_VALUEMAP, [0, 1, 22, 0xFFFFFFFF])
    bm = next(m for m in maps if m.name == "ns2:BitMap1")
    assert (bm.flags, [v for v, _ in bm.entries]) == (MAP_BITMAP, [1, 4, 0x80000000])


@needs_roundtrip
@needs_wevt
def test_c_serializer_is_canonical(wevt_dir, corpus_dir):
    """Blobs written by Python (manifests) and by C (compiled templates) are
    the same canonical layout: the C parser + serializer give them back
    byte for byte, and so does the Python parser + packer."""
    n = 0
    for man in glob.glob(os.path.join(wevt_dir, "*.man")) + \
            glob.glob(os.path.join(corpus_dir, "manifests", "*.man")):
        for pm in parse_manifest(_read(man)):
            for s in pm.schemas():
                blob = pack_tei(s)
                assert _etw._schema_roundtrip("tei", blob) == blob
                n += 1
            for m in pm.maps:
                blob = pack_emi_record(m)
                assert _etw._schema_roundtrip("emi", blob) == blob
                n += 1
    for f in glob.glob(os.path.join(wevt_dir, "*.bin")) + glob.glob(os.path.join(wevt_dir, "*.BIN")):
        for kind, blob in _etw._wevt_to_blobs(_read(f)):
            if kind == "tei":
                assert pack_tei(parse_tei(blob)) == blob
            else:
                assert pack_emi_record(parse_emi_record(blob)) == blob
            n += 1
    assert n == 3037


@needs_wevt
def test_malformed_templates(wevt_dir):
    crim = _read(os.path.join(wevt_dir, "flowerinthenight_jytraceTEMP.BIN"))
    with pytest.raises(etw.EtlFormatError, match="no CRIM header"):
        _etw._wevt_to_blobs(b"CRIX" + crim[4:])
    with pytest.raises(etw.EtlFormatError, match="does not fit") as ei:
        _etw._wevt_to_blobs(crim[:1000])
    assert ei.value.offset == 4
    # The provider's WEVT offset pointing elsewhere.
    bad = bytearray(crim)
    struct.pack_into("<I", bad, 32, 0x10)
    with pytest.raises(etw.EtlFormatError, match="WEVT block") as ei:
        _etw._wevt_to_blobs(bytes(bad))
    assert ei.value.offset == 0x10
    # Random damage: either blobs the parsers accept, or EtlFormatError.
    rng = random.Random(7)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(400):
        b = bytearray(crim)
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(16, len(b))] = rng.randrange(256)
        try:
            blobs = _etw._wevt_to_blobs(bytes(b), b"\x01\0\0\0\0\0\0\0\0\0\0\0\x10\0\0\0")
        except etw.EtlFormatError:
            outcomes["error"] += 1
            continue
        for kind, blob in blobs:
            (parse_tei if kind == "tei" else parse_emi_record)(blob)
        outcomes["ok"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0


@needs_wevt
def test_schemas_reads_pe_and_blobs_lazily(wevt_dir):
    s = Schemas(wevt_dir)
    assert JYTRACE in s
    # Only the two files describing JyTrace were parsed (the .man and both
    # compiled forms describe it; the .man comes first by name).
    assert repr(s).startswith("<etw.Schemas 26 schemas of 1 providers")
    assert s.source_of(JYTRACE, 101, 0) in ("manifest", "wevt")
    dll_only = Schemas(os.path.join(wevt_dir, "flowerinthenight_jytrace.dll"))
    assert {sch.key for sch in dll_only.schemas(JYTRACE)} == {sch.key for sch in s.schemas(JYTRACE)}
    assert dll_only.source_of(JYTRACE, 101, 0) == "wevt"
    raw = Schemas(_read(os.path.join(wevt_dir, "libfwevt_helloworldmetricTEMP.BIN")))
    assert [sch.key for sch in raw.schemas(HELLO)] == [(HELLO, 1, 1)]


# ------------------------------------------------------------------ decoding events

def _pe32_to_pe32plus(data: bytes, shift: int = 0x200) -> bytes:
    """A PE32+ (x64) image with the same sections and resources as the PE32 image
    data (IMAGE_OPTIONAL_HEADER64 layout: 8-byte ImageBase and stack/heap sizes, no
    BaseOfData; the optional header grows by 16 bytes), every section's raw data
    moved `shift` bytes further into the file (a FileAlignment multiple): the
    resource tree must then be found through the section table, not by luck."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    coff, opt = pe + 4, pe + 24
    nsec, opt_size = struct.unpack_from("<H", data, coff + 2)[0], struct.unpack_from(
        "<H", data, coff + 16)[0]
    assert struct.unpack_from("<H", data, opt)[0] == 0x10B and opt_size == 224
    o32 = data[opt:opt + opt_size]
    (image_base,) = struct.unpack_from("<I", o32, 28)
    stack_res, stack_com, heap_res, heap_com, loader, nrva = struct.unpack_from("<6I", o32, 72)
    o64 = (struct.pack("<H", 0x20B) + o32[2:24] + struct.pack("<Q", image_base) + o32[32:72] +
           struct.pack("<QQQQII", stack_res, stack_com, heap_res, heap_com, loader, nrva) +
           o32[96:96 + 8 * nrva])
    assert len(o64) == 240
    sections = bytearray(data[opt + opt_size:opt + opt_size + 40 * nsec])
    raw = []
    for i in range(nsec):
        size, ptr = struct.unpack_from("<II", sections, 40 * i + 16)
        raw.append((ptr + shift, data[ptr:ptr + size]))
        struct.pack_into("<I", sections, 40 * i + 20, ptr + shift)
    out = bytearray(data[:coff])
    machine_chars = struct.unpack_from("<H", data, coff + 18)[0] & ~0x100  # not 32BIT_MACHINE
    out += (struct.pack("<H", 0x8664) + data[coff + 2:coff + 16] + struct.pack("<HH", 240,
                                                                               machine_chars))
    out += o64 + sections
    headers = struct.unpack_from("<I", o32, 60)[0] + shift
    assert len(out) <= headers
    struct.pack_into("<I", out, opt + 60, headers)  # SizeOfHeaders (same offset in both)
    out += bytes(headers - len(out))
    for ptr, body in raw:
        out += bytes(ptr - len(out)) + body
    return bytes(out)


def _jytrace_payload(sch):
    """A payload for a JyTrace event and the values it must decode to."""
    payload, values = b"", {}
    for k, p in enumerate(sch.props):
        n = sch.id * 10 + k
        if p.in_type == 1:
            v = "%s-%d \u00e9" % (p.name, sch.id)
            payload += v.encode("utf-16-le") + b"\0\0"
        elif p.in_type == 2:
            v = "%s:%d" % (p.name, sch.id)
            payload += v.encode("ascii") + b"\0"
        elif p.in_type == 7:
            v = -n
            payload += struct.pack("<i", v)
        elif p.in_type == 8:
            v = 0x80000000 + n
            payload += struct.pack("<I", v)
        elif p.in_type == 16:
            v = 0x7FF600000000 + n
            payload += struct.pack("<Q", v)
        elif p.in_type == 13:
            v = bool(sch.id % 2)
            payload += struct.pack("<I", int(v))
        elif p.in_type == 15:
            v = uuid.UUID(int=(n << 64) | 0xABCDEF)
            payload += v.bytes_le
        elif p.in_type == 11:
            v = n + 0.5
            payload += struct.pack("<f", v)
        else:
            raise AssertionError("type %d not covered" % p.in_type)
        values[p.name] = v
    return payload, values


@needs_wevt
def test_events_decode_through_compiled_templates(wevt_dir, tmp_path):
    """A synthetic JyTrace trace (one event of each of its 26 event types, every
    in-type of its templates) decodes the same from the compiled forms - the
    resource DLL (PE32), a PE32+ copy of it built here, and mc.exe's TEMP.BIN -
    as from the .man: every value equal to what was written, the payload used up,
    the level/opcode/keyword names and messages, and the source "wevt" (or
    "manifest")."""
    from etlwriter import EtlWriter
    man = os.path.join(wevt_dir, "flowerinthenight_jytrace.man")
    dll = os.path.join(wevt_dir, "flowerinthenight_jytrace.dll")
    blob = os.path.join(wevt_dir, "flowerinthenight_jytraceTEMP.BIN")
    dll64 = tmp_path / "jytrace64.dll"
    dll64.write_bytes(_pe32_to_pe32plus(_read(dll)))
    res64 = read_resources(dll64.read_bytes())
    assert (res64.machine, res64.is64) == (0x8664, True)
    assert res64.entries == read_resources(_read(dll)).entries
    (pm,) = parse_manifest(_read(man))
    schemas = sorted(pm.schemas(), key=lambda s: s.id)
    assert len(schemas) == 26
    w = EtlWriter()
    expected = []
    for i, sch in enumerate(schemas):
        payload, values = _jytrace_payload(sch)
        w.event(0, 1_000_000 + i * 100, JYTRACE, id=sch.id, version=sch.version,
                channel=sch.channel, level=sch.level, opcode=sch.opcode, task=sch.task,
                keyword=sch.keyword, payload=payload)
        expected.append((sch.id, values))
    path = str(tmp_path / "jy.etl")
    w.write(path)

    def decode(source):
        evs = [ev for ev in etw.open(path, schemas=[source]) if ev.provider_id == JYTRACE]
        return [(ev.id, dict(ev)) for ev in evs], evs

    ref, ref_evs = decode(man)
    assert ref == expected
    assert {(ev.schema_source, ev.decode_status, len(ev.leftover)) for ev in ref_evs} == {
        ("manifest", "ok", 0)}
    for source in (dll, str(dll64), blob):
        got, evs = decode(source)
        assert got == expected, source
        assert {(ev.schema_source, ev.decode_status, len(ev.leftover)) for ev in evs} == {
            ("wevt", "ok", 0)}
        # Names as the .man gives them (a v3 template carries no provider name, as
        # test_compiled_and_manifest_give_identical_schemas says).
        assert [(ev.level_name, ev.opcode_name, ev.keyword_names) for ev in evs] == \
            [(ev.level_name, ev.opcode_name, ev.keyword_names) for ev in ref_evs]
        # The DLLs carry the message texts (MESSAGETABLE); the raw blob does not.
        assert [ev.message for ev in evs] == ([ev.message for ev in ref_evs] if source != blob
                                              else [None] * 26)
    assert ref_evs[0].message == "[Module-101 \u00e9: File:101: Function:101] Entry:"
    # The PE32+ copy gives the same schemas as the PE32 original, blob for blob.
    assert Schemas(str(dll64)).blobs(JYTRACE) == Schemas(dll).blobs(JYTRACE)


class _CountingFile:
    def __init__(self, f, counter):
        self._f, self._counter = f, counter

    def read(self, n=-1):
        data = self._f.read(n)
        self._counter[0] += len(data)
        return data

    def seek(self, *args):
        return self._f.seek(*args)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


@needs_wevt
def test_directories_read_only_the_resources_of_pe_files(wevt_dir, tmp_path, monkeypatch):
    """Indexing a directory (and loading the file that describes the provider
    asked for) reads a PE file's headers and resource section, not the whole
    binary: two DLLs with 8 MiB appended each cost a few KiB to index, and give
    the schemas the original DLLs give."""
    import builtins
    import etw._pe
    import etw.schemas
    jy = _read(os.path.join(wevt_dir, "flowerinthenight_jytrace.dll"))
    nlog = _read(os.path.join(wevt_dir, "nlog_NLog.Etw.NLog-LogEvents.etwManifest.dll"))
    d = tmp_path / "bin"
    d.mkdir()
    (d / "a_nlog.dll").write_bytes(nlog + bytes(8 << 20))
    (d / "b_jytrace.dll").write_bytes(jy + bytes(8 << 20))
    counter = [0]

    def counting_open(path, mode="r", *args, **kwargs):
        f = builtins.open(path, mode, *args, **kwargs)
        return _CountingFile(f, counter) if "b" in mode else f
    monkeypatch.setattr(etw._pe, "open", counting_open, raising=False)
    monkeypatch.setattr(etw.schemas, "open", counting_open, raising=False)
    s = Schemas(str(d))
    assert JYTRACE in s  # indexes both files, loads b_jytrace.dll
    assert 0 < counter[0] < 64 * 1024
    assert repr(s) == "<etw.Schemas 26 schemas of 1 providers, 1 files not read yet>"
    assert NLOG in s and counter[0] < 96 * 1024
    monkeypatch.undo()
    assert s.blobs(JYTRACE) == Schemas(os.path.join(wevt_dir, "flowerinthenight_jytrace.dll")
                                       ).blobs(JYTRACE)
    assert s.blobs(NLOG) == Schemas(os.path.join(
        wevt_dir, "nlog_NLog.Etw.NLog-LogEvents.etwManifest.dll")).blobs(NLOG)
