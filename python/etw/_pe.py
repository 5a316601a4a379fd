"""A small portable reader of PE resources (.dll / .exe / .sys, PE32 and PE32+).

Only what schema loading needs: the resource tree (type -> name -> language
-> bytes), so that the ``WEVT_TEMPLATE`` resource (compiled manifest, a "CRIM"
blob) and the ``MESSAGETABLE`` resource (type 11: message strings) of a
provider's binary can be read on any OS.  Layouts from the PE/COFF
specification (IMAGE_DOS_HEADER.e_lfanew, IMAGE_FILE_HEADER,
IMAGE_OPTIONAL_HEADER32/64 data directory 2, IMAGE_SECTION_HEADER,
IMAGE_RESOURCE_DIRECTORY / _ENTRY / _DATA_ENTRY).  Every offset is checked
against the file; a malformed file raises :class:`PeError`.
"""

from __future__ import annotations

import struct
from typing import Dict, List, Optional, Tuple, Union

__all__ = ["PeError", "PeResources", "read_resources", "read_resources_file", "is_pe",
           "parse_message_table", "RT_MESSAGETABLE"]

RT_MESSAGETABLE = 11

ResKey = Union[int, str]


class PeError(ValueError):
    """The bytes are not a PE image, or its resource section is damaged."""


def is_pe(head: bytes) -> bool:
    """True when the bytes start like a PE image ("MZ" + a plausible e_lfanew)."""
    return len(head) >= 2 and head[:2] == b"MZ"


class PeResources:
    """The resource tree of one PE image.

    ``entries`` maps ``(type, name, language)`` to the resource bytes; type and
    name are ints (ids) or upper-case strings (named resources, e.g.
    ``"WEVT_TEMPLATE"``).
    """

    def __init__(self, entries: Dict[Tuple[ResKey, ResKey, int], bytes], machine: int,
                 is64: bool):
        self.entries = entries
        self.machine = machine
        self.is64 = is64

    def find(self, rtype: ResKey, name: Optional[ResKey] = None,
             lang: Optional[int] = None) -> List[bytes]:
        """Every resource of a type (optionally one name / language), in key order."""
        if isinstance(rtype, str):
            rtype = rtype.upper()
        if isinstance(name, str):
            name = name.upper()
        out = []
        for (t, n, lg), data in sorted(self.entries.items(), key=lambda kv: repr(kv[0])):
            if t == rtype and (name is None or n == name) and (lang is None or lg == lang):
                out.append(data)
        return out


def _u16(b: bytes, o: int) -> int:
    if o < 0 or o + 2 > len(b):
        raise PeError("read of 2 bytes at 0x%x past the end (%d bytes)" % (o, len(b)))
    return struct.unpack_from("<H", b, o)[0]


def _u32(b: bytes, o: int) -> int:
    if o < 0 or o + 4 > len(b):
        raise PeError("read of 4 bytes at 0x%x past the end (%d bytes)" % (o, len(b)))
    return struct.unpack_from("<I", b, o)[0]


def read_resources(data: bytes) -> PeResources:
    """Parse the resource tree of a PE image. Raises PeError."""
    b = bytes(data)
    if len(b) < 0x40 or b[:2] != b"MZ":
        raise PeError("not a PE image (no MZ header)")
    pe = _u32(b, 0x3C)
    if b[pe:pe + 4] != b"PE\0\0":
        raise PeError("no PE signature at 0x%x" % pe)
    coff = pe + 4
    machine = _u16(b, coff)
    nsect = _u16(b, coff + 2)
    opt_size = _u16(b, coff + 16)
    opt = coff + 20
    magic = _u16(b, opt)
    if magic == 0x10B:
        is64, dd_count_off, dd_off = False, 92, 96
    elif magic == 0x20B:
        is64, dd_count_off, dd_off = True, 108, 112
    else:
        raise PeError("unknown optional header magic 0x%x" % magic)
    if opt_size < dd_off:
        raise PeError("optional header too small (%d bytes)" % opt_size)
    ndd = _u32(b, opt + dd_count_off)
    entries: Dict[Tuple[ResKey, ResKey, int], bytes] = {}
    if ndd <= 2 or dd_off + 8 * 3 > opt_size:
        return PeResources(entries, machine, is64)
    res_rva = _u32(b, opt + dd_off + 16)
    res_size = _u32(b, opt + dd_off + 20)
    if res_rva == 0 or res_size == 0:
        return PeResources(entries, machine, is64)
    sections = []
    sect = opt + opt_size
    if nsect > 96:
        raise PeError("%d sections" % nsect)
    for i in range(nsect):
        s = sect + 40 * i
        vsize, vaddr, rawsize, rawptr = struct.unpack_from("<IIII", b, s + 8) if s + 24 <= len(b) \
            else (None, None, None, None)
        if vsize is None:
            raise PeError("section table past the end of the file")
        sections.append((vaddr, max(vsize, rawsize), rawptr, rawsize))

    def rva_to_off(rva: int, size: int) -> int:
        for vaddr, vsize, rawptr, rawsize in sections:
            if vaddr <= rva and rva + size <= vaddr + vsize:
                delta = rva - vaddr
                if delta + size > rawsize:
                    raise PeError("resource data at RVA 0x%x is not in the file" % rva)
                off = rawptr + delta
                if off + size > len(b):
                    raise PeError("resource data at RVA 0x%x past the end of the file" % rva)
                return off
        raise PeError("RVA 0x%x is in no section" % rva)

    base = rva_to_off(res_rva, 16)
    limit = len(b)
    visited = set()

    def name_of(field: int) -> ResKey:
        if field & 0x80000000:
            o = base + (field & 0x7FFFFFFF)
            n = _u16(b, o)
            if o + 2 + 2 * n > limit:
                raise PeError("resource name past the end of the file")
            return b[o + 2:o + 2 + 2 * n].decode("utf-16-le", "replace").upper()
        return field & 0xFFFF

    def walk(off: int, depth: int, path: Tuple[ResKey, ...]) -> None:
        if depth > 2 or off in visited:
            raise PeError("resource directory loop or too deep at 0x%x" % off)
        visited.add(off)
        nnamed = _u16(b, off + 12)
        nid = _u16(b, off + 14)
        for i in range(nnamed + nid):
            e = off + 16 + 8 * i
            name_field = _u32(b, e)
            target = _u32(b, e + 4)
            key = name_of(name_field)
            if target & 0x80000000:
                if depth == 2:
                    raise PeError("resource tree deeper than type/name/language")
                walk(base + (target & 0x7FFFFFFF), depth + 1, path + (key,))
            else:
                de = base + target
                rva, size = _u32(b, de), _u32(b, de + 4)
                if depth == 2:
                    t, n = path
                    lang = key if isinstance(key, int) else 0
                elif depth == 1:
                    t, n, lang = path[0], key, 0
                else:
                    t, n, lang = key, 0, 0
                o = rva_to_off(rva, size)
                entries[(t, n, lang)] = b[o:o + size]

    walk(base, 0, ())
    return PeResources(entries, machine, is64)


def read_resources_file(path: str) -> PeResources:
    """read_resources of a PE file, reading only its headers and the section
    holding the resource tree (a large binary is not read whole); when the tree
    reaches outside that section, or anything else does not fit, the whole file
    is read and parsed. Raises PeError, or OSError."""
    with open(path, "rb") as f:
        head = f.read(0x1000)
        try:
            compact = _resource_image(f, head)
        except (PeError, struct.error):
            compact = None
        if compact is not None:
            try:
                return read_resources(compact)
            except PeError:
                pass
        f.seek(0)
        return read_resources(f.read())


def _resource_image(f, head: bytes) -> Optional[bytes]:
    """A small image holding the headers of the file f (whose first bytes are
    head) and only its resource section, the other sections emptied: offsets
    are rewritten, RVAs kept. None when the file has no resource tree."""
    if len(head) < 0x40 or head[:2] != b"MZ":
        raise PeError("not a PE image (no MZ header)")
    pe = _u32(head, 0x3C)
    if pe > 0x10000:
        raise PeError("e_lfanew 0x%x" % pe)
    coff = pe + 4
    opt = coff + 20
    if opt + 2 > len(head):
        f.seek(0)
        head = f.read(opt + 2)
    nsect, opt_size = _u16(head, coff + 2), _u16(head, coff + 16)
    table_end = opt + opt_size + 40 * nsect
    if nsect > 96 or table_end > 0x20000:
        raise PeError("%d sections" % nsect)
    if table_end > len(head):
        f.seek(0)
        head = f.read(table_end)
    if head[pe:pe + 4] != b"PE\0\0" or len(head) < table_end:
        raise PeError("no PE signature at 0x%x" % pe)
    magic = _u16(head, opt)
    dd_off = {0x10B: 96, 0x20B: 112}.get(magic)
    if dd_off is None or opt_size < dd_off + 24:
        return None
    res_rva = _u32(head, opt + dd_off + 16)
    image = bytearray(head[:table_end])
    found = None
    for i in range(nsect):
        s = opt + opt_size + 40 * i
        vsize, vaddr, rawsize, rawptr = struct.unpack_from("<IIII", image, s + 8)
        if found is None and vaddr <= res_rva < vaddr + max(vsize, rawsize):
            found = (s, rawptr, rawsize)
        else:
            struct.pack_into("<II", image, s + 16, 0, 0)  # SizeOfRawData, PointerToRawData
    if found is None:
        return None
    s, rawptr, rawsize = found
    f.seek(rawptr)
    body = f.read(rawsize)
    image += bytes(-len(image) % 16)
    struct.pack_into("<II", image, s + 16, len(body), len(image))
    return bytes(image) + body


def parse_message_table(data: bytes) -> Dict[int, str]:
    """MESSAGETABLE resource -> {message id: text}.

    Layout (winnt.h MESSAGE_RESOURCE_DATA): u32 NumberOfBlocks, blocks of
    {u32 LowId, u32 HighId, u32 OffsetToEntries}; each entry {u16 Length
    (including this header), u16 Flags (1 = UTF-16, 0 = ANSI), text}.  Texts are
    returned as stored (mc.exe ends them with CR LF; trailing NULs removed).
    """
    b = bytes(data)
    out: Dict[int, str] = {}
    n = _u32(b, 0)
    if 4 + 12 * n > len(b):
        raise PeError("%d message blocks do not fit %d bytes" % (n, len(b)))
    for i in range(n):
        low, high, off = struct.unpack_from("<III", b, 4 + 12 * i)
        if high < low or high - low > 0x10000:
            raise PeError("message block %d: ids 0x%x..0x%x" % (i, low, high))
        o = off
        for mid in range(low, high + 1):
            length = _u16(b, o)
            flags = _u16(b, o + 2)
            if length < 4 or o + length > len(b):
                raise PeError("message 0x%x: entry of %d bytes at 0x%x" % (mid, length, o))
            raw = b[o + 4:o + length]
            if flags & 1:
                text = raw.decode("utf-16-le", "replace")
            else:
                text = raw.decode("cp1252", "replace")
            out[mid] = text.rstrip("\0")
            o += length
    return out
