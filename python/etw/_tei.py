"""TRACE_EVENT_INFO / EVENT_MAP_INFO blobs: the one schema interchange format.

Every schema source outside the C core (instrumentation manifests, compiled
WEVT_TEMPLATE resources, .NET EventSource manifests, schema packs) is turned
into the self-relative structures Windows' TDH returns
(``TdhGetEventInformation`` / ``TdhGetEventMapInformation``, tdh.h; layout in
etl-format.md section 6), so that one C parser (``etw_schema_from_tei`` /
``etw_map_from_emi``) loads them all.

Canonical layout written here (and by the C serializer schema_export.c, byte
for byte, so a blob survives a C round trip unchanged):

* TRACE_EVENT_INFO: the 0x70-byte header, then ``PropertyCount`` 24-byte
  EVENT_PROPERTY_INFO entries (top-level properties first, struct members
  after them), then UTF-16LE NUL-terminated strings in this order: provider
  name, level name, channel name, keyword names (each NUL-terminated, then an
  empty string ending the list), task name, opcode name, event message,
  provider message, event name, then for each property its name and its map
  name.  Absent strings have offset 0; strings are not shared.  BinaryXML and
  EventAttributes are never written.
* EVENT_MAP_INFO: NameOffset, Flag, EntryCount, MapEntryValueType (0 = ULONG;
  for pattern maps the FormatStringOffset), then EntryCount 8-byte
  {OutputOffset, Value | InputOffset} entries, then the strings: map name,
  format string (pattern maps), then each entry's output (and input) string.
  The registry form (``_registry_add("emi", ...)``) is the provider GUID in
  Windows byte order followed by this blob.

Property flags use TDH's PROPERTY_FLAGS numbering (not the WEVT_TEMPLATE
one).  Count and length references are absolute property indexes.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

__all__ = [
    "Prop",
    "EventSchema",
    "EventMap",
    "pack_tei",
    "parse_tei",
    "pack_emi",
    "parse_emi",
    "pack_emi_record",
    "parse_emi_record",
    "PROP_STRUCT",
    "PROP_PARAM_LENGTH",
    "PROP_PARAM_COUNT",
    "PROP_WBEM_XML",
    "PROP_FIXED_LENGTH",
    "PROP_FIXED_COUNT",
    "PROP_HAS_TAGS",
    "PROP_CUSTOM_SCHEMA",
    "MAP_VALUEMAP",
    "MAP_BITMAP",
    "MAP_PATTERNMAP",
    "TEMPLATE_EVENT_DATA",
    "TEMPLATE_USER_DATA",
]

TEI_FIXED = 0x70
EPI_SIZE = 24
EMI_FIXED = 16
EME_SIZE = 8

# PROPERTY_FLAGS (tdh.h)
PROP_STRUCT = 0x1
PROP_PARAM_LENGTH = 0x2
PROP_PARAM_COUNT = 0x4
PROP_WBEM_XML = 0x8
PROP_FIXED_LENGTH = 0x10
PROP_FIXED_COUNT = 0x20
PROP_HAS_TAGS = 0x40
PROP_CUSTOM_SCHEMA = 0x80

# MAP_FLAGS (tdh.h)
MAP_VALUEMAP = 0x1
MAP_BITMAP = 0x2
MAP_PATTERNMAP = 0x4

# TEMPLATE_FLAGS (tdh.h)
TEMPLATE_EVENT_DATA = 0x1
TEMPLATE_USER_DATA = 0x2

_ZERO_GUID = uuid.UUID(int=0)


@dataclass
class Prop:
    """One EVENT_PROPERTY_INFO."""

    name: str
    in_type: int = 0
    out_type: int = 0
    flags: int = 0
    map_name: Optional[str] = None
    count: int = 1
    length: int = 0
    struct_start: int = 0
    struct_count: int = 0
    tags: int = 0


@dataclass
class EventSchema:
    """The content of one TRACE_EVENT_INFO."""

    provider_id: uuid.UUID
    id: int = 0
    version: int = 0
    channel: int = 0
    level: int = 0
    opcode: int = 0
    task: int = 0
    keyword: int = 0
    event_guid: uuid.UUID = _ZERO_GUID
    decoding_source: int = 0
    provider_name: Optional[str] = None
    level_name: Optional[str] = None
    channel_name: Optional[str] = None
    keyword_names: List[str] = field(default_factory=list)
    task_name: Optional[str] = None
    opcode_name: Optional[str] = None
    event_message: Optional[str] = None
    provider_message: Optional[str] = None
    event_name: Optional[str] = None
    template_flags: int = 0
    props: List[Prop] = field(default_factory=list)
    top_count: int = 0

    @property
    def key(self) -> Tuple[uuid.UUID, int, int]:
        """(provider, event id, version): the registry key of a manifest schema."""
        return (self.provider_id, self.id, self.version)


@dataclass
class EventMap:
    """The content of one EVENT_MAP_INFO (value map, bitmap or pattern map).

    ``entries`` holds ``(value, name)`` pairs for value maps and bitmaps, and
    ``(input, output)`` string pairs for pattern maps.
    """

    provider_id: uuid.UUID
    name: str
    flags: int = MAP_VALUEMAP
    entries: List[Tuple[object, str]] = field(default_factory=list)
    format: Optional[str] = None

    @property
    def key(self) -> Tuple[uuid.UUID, str]:
        return (self.provider_id, self.name)


class _Strings:
    """Collects UTF-16Z strings after a fixed part; hands out their offsets."""

    def __init__(self, base: int):
        self.base = base
        self.parts: List[bytes] = []
        self.size = 0

    def add(self, text: Optional[str]) -> int:
        if text is None:
            return 0
        data = text.encode("utf-16-le", "surrogatepass") + b"\0\0"
        off = self.base + self.size
        self.parts.append(data)
        self.size += len(data)
        return off

    def add_list(self, names: List[str]) -> int:
        if not names:
            return 0
        off = self.base + self.size
        for n in names:
            self.add(n)
        self.add("")
        return off

    def data(self) -> bytes:
        return b"".join(self.parts)


def pack_tei(s: EventSchema) -> bytes:
    """Serialize an EventSchema as a TRACE_EVENT_INFO blob (canonical layout)."""
    n = len(s.props)
    if s.top_count > n:
        raise ValueError("top_count %d > %d properties" % (s.top_count, n))
    strs = _Strings(TEI_FIXED + EPI_SIZE * n)
    o_provider = strs.add(s.provider_name)
    o_level = strs.add(s.level_name)
    o_channel = strs.add(s.channel_name)
    o_keywords = strs.add_list(list(s.keyword_names))
    o_task = strs.add(s.task_name)
    o_opcode = strs.add(s.opcode_name)
    o_message = strs.add(s.event_message)
    o_pmessage = strs.add(s.provider_message)
    o_event = strs.add(s.event_name)
    entries = []
    for p in s.props:
        o_name = strs.add(p.name if p.name is not None else "")
        if p.flags & PROP_STRUCT:
            o_map = 0
            a, b = p.struct_start, p.struct_count
        else:
            o_map = strs.add(p.map_name) if p.map_name else 0
            a, b = p.in_type, p.out_type
        tags = p.tags & 0x0FFFFFFF if p.flags & PROP_HAS_TAGS else 0
        entries.append(struct.pack("<IIHHIHHI", p.flags, o_name, a, b, o_map,
                                   p.count & 0xFFFF, p.length & 0xFFFF, tags))
    desc = struct.pack("<HBBBBHQ", s.id, s.version, s.channel, s.level, s.opcode, s.task,
                       s.keyword & 0xFFFFFFFFFFFFFFFF)
    head = (s.provider_id.bytes_le + s.event_guid.bytes_le + desc +
            struct.pack("<19I", s.decoding_source, o_provider, o_level, o_channel, o_keywords,
                        o_task, o_opcode, o_message, o_pmessage, 0, 0, o_event, 0, n,
                        s.top_count, s.template_flags, 0, 0, 0)[:TEI_FIXED - 48])
    assert len(head) == TEI_FIXED
    return head + b"".join(entries) + strs.data()


def _str16(blob: bytes, off: int, what: str) -> Optional[str]:
    if off == 0:
        return None
    if off + 2 > len(blob) or off < 0:
        raise ValueError("%s offset %d outside the %d-byte blob" % (what, off, len(blob)))
    # The first aligned UTF-16 NUL (a zero byte pair at an even distance from off),
    # else the end of the blob (an odd last byte is not part of the string).
    end = blob.find(b"\0\0", off)
    while end >= 0 and (end - off) & 1:
        end = blob.find(b"\0\0", end + 1)
    if end < 0:
        end = off + ((len(blob) - off) & ~1)
    return blob[off:end].decode("utf-16-le", "surrogatepass")


def parse_tei(blob: bytes) -> EventSchema:
    """Parse a TRACE_EVENT_INFO blob (any producer) into an EventSchema.

    Raises ValueError on a malformed blob.
    """
    blob = bytes(blob)
    if len(blob) < TEI_FIXED:
        raise ValueError("TRACE_EVENT_INFO of %d bytes" % len(blob))
    (id_, version, channel, level, opcode, task, keyword) = struct.unpack_from("<HBBBBHQ", blob, 32)
    f = struct.unpack_from("<16I", blob, 48)
    (dsrc, o_provider, o_level, o_channel, o_keywords, o_task, o_opcode, o_message, o_pmessage,
     _bxml, _bxml_size, o_event, _o_attrs, nprops, ntop, tflags) = f
    if ntop > nprops or TEI_FIXED + EPI_SIZE * nprops > len(blob):
        raise ValueError("PropertyCount %d / TopLevelPropertyCount %d invalid" % (nprops, ntop))
    kw: List[str] = []
    if o_keywords:
        off = o_keywords
        while len(kw) < 64:
            name = _str16(blob, off, "KeywordsName")
            if not name:
                break
            kw.append(name)
            off += len(name.encode("utf-16-le", "surrogatepass")) + 2
    props = []
    for i in range(nprops):
        fl, o_name, a, b, o_map, cnt, ln, tags = struct.unpack_from("<IIHHIHHI", blob,
                                                                     TEI_FIXED + EPI_SIZE * i)
        p = Prop(name=_str16(blob, o_name, "property name") or "", flags=fl, count=cnt, length=ln,
                 tags=tags if fl & PROP_HAS_TAGS else 0)
        if fl & PROP_STRUCT:
            p.struct_start, p.struct_count = a, b
        else:
            p.in_type, p.out_type = a, b
            if not fl & PROP_CUSTOM_SCHEMA:
                p.map_name = _str16(blob, o_map, "map name")
        props.append(p)
    return EventSchema(
        provider_id=uuid.UUID(bytes_le=blob[0:16]), event_guid=uuid.UUID(bytes_le=blob[16:32]),
        id=id_, version=version, channel=channel, level=level, opcode=opcode, task=task,
        keyword=keyword, decoding_source=dsrc,
        provider_name=_str16(blob, o_provider, "ProviderName"),
        level_name=_str16(blob, o_level, "LevelName"),
        channel_name=_str16(blob, o_channel, "ChannelName"), keyword_names=kw,
        task_name=_str16(blob, o_task, "TaskName"),
        opcode_name=_str16(blob, o_opcode, "OpcodeName"),
        event_message=_str16(blob, o_message, "EventMessage"),
        provider_message=_str16(blob, o_pmessage, "ProviderMessage"),
        event_name=_str16(blob, o_event, "EventName"), template_flags=tflags, props=props,
        top_count=ntop)


def pack_emi(m: EventMap) -> bytes:
    """Serialize an EventMap as an EVENT_MAP_INFO blob (canonical layout)."""
    n = len(m.entries)
    pattern = bool(m.flags & MAP_PATTERNMAP)
    strs = _Strings(EMI_FIXED + EME_SIZE * n)
    o_name = strs.add(m.name)
    o_format = strs.add(m.format or "") if pattern else 0
    rows = []
    for a, b in m.entries:
        o_out = strs.add(b)
        second = strs.add(str(a)) if pattern else int(a) & 0xFFFFFFFF
        rows.append(struct.pack("<II", o_out, second))
    head = struct.pack("<IIII", o_name, m.flags, n, o_format)
    return head + b"".join(rows) + strs.data()


def parse_emi(blob: bytes, provider_id: uuid.UUID = _ZERO_GUID) -> EventMap:
    """Parse an EVENT_MAP_INFO blob. Raises ValueError when malformed."""
    blob = bytes(blob)
    if len(blob) < EMI_FIXED:
        raise ValueError("EVENT_MAP_INFO of %d bytes" % len(blob))
    o_name, flags, n, vtype = struct.unpack_from("<IIII", blob, 0)
    if n > (len(blob) - EMI_FIXED) // EME_SIZE:
        raise ValueError("%d map entries do not fit" % n)
    pattern = bool(flags & MAP_PATTERNMAP)
    entries: List[Tuple[object, str]] = []
    for i in range(n):
        o_out, v = struct.unpack_from("<II", blob, EMI_FIXED + EME_SIZE * i)
        out = (_str16(blob, o_out, "map output") or "").rstrip(" ")
        if pattern or vtype == 1:
            entries.append((_str16(blob, v, "map input") or "", out))
        else:
            entries.append((v, out))
    return EventMap(provider_id=provider_id, name=(_str16(blob, o_name, "map name") or "").rstrip(" "),
                    flags=flags, entries=entries,
                    format=_str16(blob, vtype, "map format") if pattern else None)


def pack_emi_record(m: EventMap) -> bytes:
    """The ``_registry_add("emi", ...)`` form: provider GUID (LE) + EVENT_MAP_INFO."""
    return m.provider_id.bytes_le + pack_emi(m)


def parse_emi_record(blob: bytes) -> EventMap:
    """Inverse of :func:`pack_emi_record`."""
    if len(blob) < 16:
        raise ValueError("map record shorter than its GUID")
    return parse_emi(blob[16:], uuid.UUID(bytes_le=bytes(blob[:16])))
