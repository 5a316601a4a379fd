"""Instrumentation manifests (.man / .xml, EventSource in-band manifests) ->
TRACE_EVENT_INFO / EVENT_MAP_INFO (see ``_tei``).

Reads the ``EventManifest`` schema (etl-format.md 3b.1): providers under
``<instrumentationManifest><instrumentation><events>`` and, in Windows
component manifests, under ``<assembly><instrumentation><events>``; events,
templates (``data`` with inType/outType/map/length/count, constant or by
reference to an earlier item; ``struct`` with count/length), value maps and
bitmaps, tasks (with their own opcodes), opcodes, levels, keywords, channels
(defined and imported) and the string table (``$(string.ID)``).  Anything the
manifest only references from Windows' own ``winmeta.xml`` (``win:Informational``,
``win:Start``, ``System``, ...) is built in.

What the resulting schemas say, and why (each choice matches either what
``mc.exe`` compiles into WEVT_TEMPLATE or what TDH reports in the TRACE_EVENT_INFO
blobs merged traces carry, etl-format.md 6):

* Level, task, opcode and keyword names are their message texts
  (the "localized names" TDH reports: ``Information``, ``GC``, ``Start``; the
  winmeta ones built in), or the ``name`` attribute when there is no message
  (``localize=False``: always the name attribute, which is all a compiled
  template without its MESSAGETABLE has; the TRACE_EVENT_INFO blobs injected
  into the corpus' merged traces also carry name attributes).  Channel names
  are always the ``name`` attribute, the log path Windows shows.  The event
  message and the provider message are the string-table texts, kept in
  FormatMessage syntax (``%1``, ``%n``, ``%1!x!``; lone LF become CR LF as
  mc.exe stores them) - see :func:`etw.schemas.format_message`.
* The event name is the event's ``name`` attribute (newer manifests) or None.
* EVENT_DESCRIPTOR.Keyword is what mc.exe compiles: the OR of the event's
  keyword masks plus one bit per channel declared in ``<channels>`` (bit 63 for
  the first declared channel, 62 for the second, ...); channels the provider
  uses without declaring them get no bit.
* Channel values: explicit ``value``, else the winmeta value of an imported
  standard channel (System 8, Application 9, Security 10, TraceClassic 0,
  TraceLogging 11), else 16, 17, ... in declaration order.  An event's channel
  reference matches the first declared channel whose ``chid`` or ``name`` is
  equal to it.
* Properties use TDH's conventions: a scalar has count 1 and, for a type of
  fixed size, that size as length (0 for pointers: the record decides);
  ``count="n"``/``length="n"`` (n > 0) set PropertyParamFixedCount /
  PropertyParamFixedLength; a name sets PropertyParamCount / PropertyParamLength
  with the absolute index of the referenced property (a struct member looks
  among its earlier siblings first, then at the top level); ``"0"`` means
  absent, as mc.exe compiles it.  Unspecified outTypes get mc.exe's defaults.
  Struct members follow all top-level properties.
* TEMPLATE_FLAGS: 2 (UserData) when the template has a ``<UserData>`` element,
  else 1 (EventData); 0 for an event without a template.
* Map entries are sorted by value (as mc.exe stores them); their names are the
  entries' message texts.  Pattern maps are not used for decoding and skipped.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

from ._tei import (
    MAP_BITMAP,
    MAP_VALUEMAP,
    PROP_FIXED_COUNT,
    PROP_FIXED_LENGTH,
    PROP_PARAM_COUNT,
    PROP_PARAM_LENGTH,
    PROP_STRUCT,
    TEMPLATE_EVENT_DATA,
    TEMPLATE_USER_DATA,
    EventMap,
    EventSchema,
    Prop,
)

__all__ = [
    "ManifestError",
    "ProviderManifest",
    "parse_manifest",
    "looks_like_manifest",
    "IN_TYPES",
    "OUT_TYPES",
    "DEFAULT_OUT_TYPE",
]


class ManifestError(ValueError):
    """The text is not a usable instrumentation manifest."""


# winmeta inType names -> TDH_INTYPE (tdh-types.md 1)
IN_TYPES: Dict[str, int] = {
    "unicodestring": 1, "ansistring": 2, "int8": 3, "uint8": 4, "int16": 5, "uint16": 6,
    "int32": 7, "uint32": 8, "int64": 9, "uint64": 10, "float": 11, "double": 12,
    "boolean": 13, "binary": 14, "guid": 15, "pointer": 16, "filetime": 17,
    "systemtime": 18, "sid": 19, "hexint32": 20, "hexint64": 21,
    "countedunicodestring": 22, "countedstring": 22, "countedansistring": 23,
    "countedbinary": 25,
}

# outType names (xs: and win: prefixes) -> TDH_OUTTYPE (tdh-types.md 2)
OUT_TYPES: Dict[str, int] = {
    "string": 1, "datetime": 2, "byte": 3, "unsignedbyte": 4, "short": 5,
    "unsignedshort": 6, "int": 7, "unsignedint": 8, "long": 9, "unsignedlong": 10,
    "float": 11, "double": 12, "boolean": 13, "guid": 14, "hexbinary": 15, "hexint8": 16,
    "hexint16": 17, "hexint32": 18, "hexint64": 19, "pid": 20, "tid": 21, "port": 22,
    "ipv4": 23, "ipv6": 24, "socketaddress": 25, "cimdatetime": 26, "etwtime": 27, "xml": 28,
    "errorcode": 29, "win32error": 30, "ntstatus": 31, "hresult": 32,
    "datetimecultureinsensitive": 33, "json": 34, "utf8": 35, "pkcs7withtypeinfo": 36,
    "codepointer": 37, "datetimeutc": 38,
}

# The outType mc.exe stores when a data item gives none (verified on the
# TypeMangling test vectors of the corpus).
DEFAULT_OUT_TYPE: Dict[int, int] = {
    1: 1, 2: 1, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 10: 10, 11: 11, 12: 12, 13: 13,
    14: 15, 15: 14, 16: 19, 17: 2, 18: 2, 19: 1, 20: 18, 21: 19, 22: 1, 23: 1, 25: 15,
}

# Bytes of fixed-size in-types (TDH reports them as the property length).
_FIXED_SIZE: Dict[int, int] = {
    3: 1, 4: 1, 5: 2, 6: 2, 7: 4, 8: 4, 9: 8, 10: 8, 11: 4, 12: 8, 13: 4, 15: 16, 17: 8,
    18: 16, 20: 4, 21: 8,
}

# winmeta.xml: the standard levels, opcodes, tasks, keywords and channels
# (names and values from the EventManifest schema documentation).
_WIN_LEVELS = {
    "win:LogAlways": 0, "win:Critical": 1, "win:Error": 2, "win:Warning": 3,
    "win:Informational": 4, "win:Verbose": 5,
}
_WIN_OPCODES = {
    "win:Info": 0, "win:Start": 1, "win:Stop": 2, "win:DC_Start": 3, "win:DC_Stop": 4,
    "win:Extension": 5, "win:Reply": 6, "win:Resume": 7, "win:Suspend": 8, "win:Send": 9,
    "win:Receive": 240,
}
_WIN_TASKS = {"win:None": 0}
# Their message texts (what TDH reports as the localized names), as the
# MESSAGETABLE resources of mc.exe-compiled binaries carry them.
_WIN_MESSAGES = {
    "win:LogAlways": "Log Always", "win:Critical": "Critical", "win:Error": "Error",
    "win:Warning": "Warning", "win:Informational": "Information", "win:Verbose": "Verbose",
    "win:Info": "Info", "win:Start": "Start", "win:Stop": "Stop", "win:DC_Start": "DCStart",
    "win:DC_Stop": "DCStop", "win:Extension": "Extension", "win:Reply": "Reply",
    "win:Resume": "Resume", "win:Suspend": "Suspend", "win:Send": "Send",
    "win:Receive": "Receive", "win:ResponseTime": "Response Time", "win:SQM": "SQM",
    "win:AuditFailure": "Audit Failure", "win:AuditSuccess": "Audit Success",
    "win:EventlogClassic": "Classic", "System": "System", "Application": "Application",
    "Security": "Security",
}
_WIN_KEYWORDS = {
    "win:AnyKeyword": 0x0, "win:ResponseTime": 0x0001000000000000,
    "win:WDIContext": 0x0002000000000000, "win:WDIDiag": 0x0004000000000000,
    "win:SQM": 0x0008000000000000, "win:AuditFailure": 0x0010000000000000,
    "win:AuditSuccess": 0x0020000000000000, "win:CorrelationHint": 0x0040000000000000,
    "win:EventlogClassic": 0x0080000000000000,
}
_WIN_CHANNELS = {
    "TraceClassic": 0, "System": 8, "Application": 9, "Security": 10, "TraceLogging": 11,
    "ProviderMetadata": 12,
}

_STRING_REF = re.compile(r"^\$\(string\.(.+)\)$")
_LONE_LF = re.compile(r"(?<!\r)\n")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el, name: str):
    return [c for c in el if _local(c.tag) == name]


def _child(el, name: str):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _int(text: Optional[str], what: str, default: Optional[int] = None) -> int:
    if text is None or not text.strip():
        if default is None:
            raise ManifestError("%s: missing number" % what)
        return default
    t = text.strip()
    try:
        if t.lower().startswith("0x"):
            return int(t[2:], 16)
        return int(t, 10)
    except ValueError:
        raise ManifestError("%s: %r is not a number" % (what, text)) from None


def _number_or_name(text: Optional[str]) -> Union[None, int, str]:
    """count/length attribute: None, a constant, or the name of another item."""
    if text is None:
        return None
    t = text.strip()
    if not t:
        return None
    try:
        return int(t[2:], 16) if t.lower().startswith("0x") else int(t, 10)
    except ValueError:
        return t


@dataclass
class _Data:
    name: str
    in_type: int
    out_type: int
    map: Optional[str] = None
    count: Union[None, int, str] = None
    length: Union[None, int, str] = None


@dataclass
class _Struct:
    name: str
    members: List[_Data]
    count: Union[None, int, str] = None
    length: Union[None, int, str] = None


@dataclass
class _Template:
    tid: str
    items: List[Union[_Data, _Struct]]
    flags: int


@dataclass
class _Channel:
    key_names: Tuple[str, ...]     # chid and name, as references may use either
    name: str
    value: int
    message: Optional[str]
    bit: int                       # keyword bit mc.exe gives it, or -1
    imported: bool


@dataclass
class ManifestEvent:
    """One <event> of a provider, references resolved."""

    id: int
    version: int
    symbol: Optional[str]
    name: Optional[str]
    template: Optional[str]
    schema: EventSchema


@dataclass
class ProviderManifest:
    """One <provider>: its events as TRACE_EVENT_INFO-shaped schemas and its maps."""

    name: str
    guid: uuid.UUID
    symbol: Optional[str] = None
    message: Optional[str] = None
    resource_file: Optional[str] = None
    message_file: Optional[str] = None
    events: List[ManifestEvent] = field(default_factory=list)
    maps: List[EventMap] = field(default_factory=list)
    #: Non-fatal problems (unknown references, malformed items skipped).
    warnings: List[str] = field(default_factory=list)

    def schemas(self) -> List[EventSchema]:
        return [e.schema for e in self.events]


def _decode_xml(data: Union[bytes, str]):
    if isinstance(data, str):
        text = data.lstrip("\ufeff")
        # ElementTree refuses a str with an encoding declaration other than its own.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        return ET.fromstring(text)
    raw = bytes(data)
    # EventSource manifests may be NUL-terminated; UTF-16 files keep their BOM.
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ET.fromstring(raw)
    raw = raw.rstrip(b"\0")
    return ET.fromstring(raw)


def looks_like_manifest(head: bytes) -> bool:
    """True when the first bytes of a file look like an XML instrumentation manifest."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = head.decode("utf-16")
        except UnicodeDecodeError:
            text = head[2:].decode("utf-16-le", "ignore")
    else:
        text = head.decode("utf-8", "ignore")
    return ("instrumentationManifest" in text or "<instrumentation" in text or
            ("<assembly" in text and "urn:schemas-microsoft-com:asm" in text))


def _string_table(root) -> Dict[str, str]:
    """The string table: the en-US resources if present, else the first ones."""
    tables: List[Tuple[str, Dict[str, str]]] = []
    for loc in root.iter():
        if _local(loc.tag) != "localization":
            continue
        for res in _children(loc, "resources"):
            table: Dict[str, str] = {}
            st = _child(res, "stringTable")
            if st is not None:
                for s in _children(st, "string"):
                    sid = s.get("id")
                    if sid is not None:
                        table[sid] = s.get("value", "")
            tables.append(((res.get("culture") or "").lower(), table))
    if not tables:
        return {}
    for culture, table in tables:
        if culture == "en-us":
            return table
    return tables[0][1]


class _Resolver:
    def __init__(self, strings: Dict[str, str], warnings: List[str]):
        self.strings = strings
        self.warnings = warnings

    def text(self, ref: Optional[str]) -> Optional[str]:
        if ref is None:
            return None
        m = _STRING_REF.match(ref.strip())
        if not m:
            return ref
        sid = m.group(1)
        if sid in self.strings:
            # mc.exe stores message texts with CR LF line ends.
            return _LONE_LF.sub("\r\n", self.strings[sid])
        self.warnings.append("string %r is not in the string table" % sid)
        return None


def parse_manifest(data: Union[bytes, str], *, source: Optional[str] = None,
                   localize: bool = True) -> List[ProviderManifest]:
    """Parse an instrumentation manifest (bytes in any XML encoding, or str).

    With ``localize`` (the default) level, task, opcode, keyword and channel
    names are their message texts where the manifest (or winmeta) gives one,
    as TDH reports them; without, always the ``name`` attributes (what a
    compiled template without its MESSAGETABLE can tell).

    Returns one :class:`ProviderManifest` per provider.  Raises
    :class:`ManifestError` when the text is not XML or has no instrumentation
    section; problems inside a provider are reported in its ``warnings``.
    """
    try:
        root = _decode_xml(data)
    except ET.ParseError as e:
        raise ManifestError("%s: not well-formed XML: %s" % (source or "manifest", e)) from None
    strings = _string_table(root)
    out: List[ProviderManifest] = []
    found = False
    for inst in root.iter():
        if _local(inst.tag) != "instrumentation":
            continue
        found = True
        for events in _children(inst, "events"):
            for prov in _children(events, "provider"):
                out.append(_parse_provider(prov, strings, source, localize))
    if not found:
        raise ManifestError("%s: no <instrumentation> section" % (source or "manifest"))
    return out


def _parse_provider(prov, strings: Dict[str, str], source: Optional[str],
                    localize: bool) -> ProviderManifest:
    name = prov.get("name") or ""
    gtext = prov.get("guid")
    try:
        guid = uuid.UUID(gtext.strip().strip("{}"))
    except (AttributeError, ValueError):
        raise ManifestError("%s: provider %r has no valid guid (%r)" % (source or "manifest", name,
                                                                      gtext)) from None
    pm = ProviderManifest(name=name, guid=guid, symbol=prov.get("symbol"),
                          resource_file=prov.get("resourceFileName"),
                          message_file=prov.get("messageFileName"))
    rs = _Resolver(strings, pm.warnings)
    pm.message = rs.text(prov.get("message"))
    # Display names: name -> message text (localize) or the name itself.
    display: Dict[Tuple[str, str], str] = {}

    def show(kind: str, el) -> None:
        name = el.get("name", "")
        text = rs.text(el.get("message")) if localize and el.get("message") else None
        display[(kind, name)] = (text.rstrip("\r\n ") if text else None) or name

    levels: Dict[str, int] = dict(_WIN_LEVELS)
    el = _child(prov, "levels")
    for lv in _children(el, "level") if el is not None else []:
        try:
            levels[lv.get("name", "")] = _int(lv.get("value"), "level %r" % lv.get("name"))
            show("level", lv)
        except ManifestError as e:
            pm.warnings.append(str(e))

    opcodes: Dict[str, int] = dict(_WIN_OPCODES)
    el = _child(prov, "opcodes")
    for op in _children(el, "opcode") if el is not None else []:
        try:
            opcodes[op.get("name", "")] = _int(op.get("value"), "opcode %r" % op.get("name"))
            show("opcode", op)
        except ManifestError as e:
            pm.warnings.append(str(e))

    tasks: Dict[str, Tuple[int, uuid.UUID, Dict[str, int]]] = {
        k: (v, uuid.UUID(int=0), {}) for k, v in _WIN_TASKS.items()}
    el = _child(prov, "tasks")
    for t in _children(el, "task") if el is not None else []:
        try:
            tv = _int(t.get("value"), "task %r" % t.get("name"))
        except ManifestError as e:
            pm.warnings.append(str(e))
            continue
        eg = uuid.UUID(int=0)
        if t.get("eventGUID"):
            try:
                eg = uuid.UUID(t.get("eventGUID").strip().strip("{}"))
            except ValueError:
                pm.warnings.append("task %r: bad eventGUID" % t.get("name"))
        tops: Dict[str, int] = {}
        tel = _child(t, "opcodes")
        for op in _children(tel, "opcode") if tel is not None else []:
            try:
                tops[op.get("name", "")] = _int(op.get("value"), "opcode %r" % op.get("name"))
                show("opcode:" + t.get("name", ""), op)
            except ManifestError as e:
                pm.warnings.append(str(e))
        tasks[t.get("name", "")] = (tv, eg, tops)
        show("task", t)

    keywords: Dict[str, int] = dict(_WIN_KEYWORDS)
    el = _child(prov, "keywords")
    for k in _children(el, "keyword") if el is not None else []:
        try:
            keywords[k.get("name", "")] = _int(k.get("mask"), "keyword %r" % k.get("name"))
            show("keyword", k)
        except ManifestError as e:
            pm.warnings.append(str(e))

    channels = _parse_channels(prov, rs, pm)
    for ch in channels:
        # Channels keep their name: the log path Windows shows in <Channel>.
        display[("channel", ch.name)] = ch.name

    # Maps.
    maps: Dict[str, EventMap] = {}
    el = _child(prov, "maps")
    for m in list(el) if el is not None else []:
        kind = _local(m.tag)
        if kind not in ("valueMap", "bitMap"):
            continue
        entries = []
        for e in _children(m, "map"):
            try:
                v = _int(e.get("value"), "map %r" % m.get("name"))
            except ManifestError as ex:
                pm.warnings.append(str(ex))
                continue
            entries.append((v & 0xFFFFFFFF, (rs.text(e.get("message")) or "").rstrip(" ")))
        entries.sort(key=lambda x: x[0])
        em = EventMap(provider_id=guid, name=(m.get("name") or "").rstrip(" "),
                      flags=MAP_BITMAP if kind == "bitMap" else MAP_VALUEMAP, entries=entries)
        maps.setdefault(em.name, em)
    pm.maps = list(maps.values())

    # Templates.
    templates: Dict[str, _Template] = {}
    el = _child(prov, "templates")
    for t in _children(el, "template") if el is not None else []:
        tid = t.get("tid")
        if not tid:
            pm.warnings.append("template without tid skipped")
            continue
        try:
            templates[tid] = _parse_template(t, tid)
        except ManifestError as e:
            pm.warnings.append(str(e))

    # Events.
    el = _child(prov, "events")
    for ev in _children(el, "event") if el is not None else []:
        try:
            pm.events.append(_build_event(ev, pm, rs, levels, opcodes, tasks, keywords, channels,
                                          templates, display, localize))
        except ManifestError as e:
            pm.warnings.append(str(e))
    return pm


def _parse_channels(prov, rs: _Resolver, pm: ProviderManifest) -> List[_Channel]:
    out: List[_Channel] = []
    el = _child(prov, "channels")
    if el is None:
        return out
    declared = [c for c in el if _local(c.tag) in ("channel", "importChannel")]
    used = set()
    for c in declared:
        if c.get("value"):
            try:
                used.add(_int(c.get("value"), "channel"))
            except ManifestError:
                pass
    nxt = 16
    for i, c in enumerate(declared):
        imported = _local(c.tag) == "importChannel"
        name = c.get("name") or c.get("chid") or ""
        value = None
        if c.get("value") and not imported:
            try:
                value = _int(c.get("value"), "channel %r" % name)
            except ManifestError as e:
                pm.warnings.append(str(e))
        if value is None and imported and name in _WIN_CHANNELS:
            value = _WIN_CHANNELS[name]
        if value is None:
            while nxt in used:
                nxt += 1
            value = nxt
            used.add(nxt)
            nxt += 1
        keys = tuple(k for k in (c.get("chid"), c.get("name")) if k)
        out.append(_Channel(key_names=keys, name=name, value=value & 0xFF,
                            message=rs.text(c.get("message")), bit=63 - i if i < 64 else -1,
                            imported=imported))
    return out


def _parse_data(d, where: str) -> _Data:
    name = d.get("name") or ""
    it = (d.get("inType") or "").split(":")[-1].lower()
    if it not in IN_TYPES:
        raise ManifestError("%s: data %r has unknown inType %r" % (where, name, d.get("inType")))
    in_type = IN_TYPES[it]
    ot_text = d.get("outType")
    if ot_text:
        ot = ot_text.split(":")[-1].lower()
        out_type = OUT_TYPES.get(ot)
        if out_type is None:
            raise ManifestError("%s: data %r has unknown outType %r" % (where, name, ot_text))
    else:
        out_type = DEFAULT_OUT_TYPE.get(in_type, 0)
    return _Data(name=name, in_type=in_type, out_type=out_type, map=d.get("map") or None,
                 count=_number_or_name(d.get("count")), length=_number_or_name(d.get("length")))


def _parse_template(t, tid: str) -> _Template:
    where = "template %r" % tid
    items: List[Union[_Data, _Struct]] = []
    user_data = False
    for c in t:
        kind = _local(c.tag)
        if kind == "data":
            items.append(_parse_data(c, where))
        elif kind == "struct":
            members = [_parse_data(m, where) for m in c if _local(m.tag) == "data"]
            items.append(_Struct(name=c.get("name") or "", members=members,
                                 count=_number_or_name(c.get("count")),
                                 length=_number_or_name(c.get("length"))))
        elif kind == "UserData":
            user_data = True
    return _Template(tid=tid, items=items,
                     flags=TEMPLATE_USER_DATA if user_data else TEMPLATE_EVENT_DATA)


def _template_props(t: _Template) -> Tuple[List[Prop], int]:
    """Flattens a template into TDH property order; resolves references."""
    top = t.items
    props: List[Prop] = []
    # First pass: indexes. Top-level items 0..n-1, then each struct's members.
    member_base: List[int] = []
    nxt = len(top)
    for it in top:
        if isinstance(it, _Struct):
            member_base.append(nxt)
            nxt += len(it.members)
        else:
            member_base.append(-1)

    def resolve(ref: str, scope: List[Tuple[str, int]], where: str) -> int:
        for name, idx in reversed(scope):
            if name == ref:
                return idx
        raise ManifestError("template %r: %s refers to %r, which does not precede it"
                            % (t.tid, where, ref))

    def make(item, index: int, scope: List[Tuple[str, int]]) -> Prop:
        p = Prop(name=item.name)
        if isinstance(item, _Struct):
            p.flags |= PROP_STRUCT
            p.struct_start = member_base[index]
            p.struct_count = len(item.members)
            p.length = 0
        else:
            p.in_type, p.out_type = item.in_type, item.out_type
            p.map_name = item.map
            p.length = _FIXED_SIZE.get(item.in_type, 0)
        c = item.count
        if isinstance(c, str):
            p.flags |= PROP_PARAM_COUNT
            p.count = resolve(c, scope, "count of %r" % item.name)
        elif c:
            p.flags |= PROP_FIXED_COUNT
            p.count = c & 0xFFFF
        else:
            p.count = 1
        ln = item.length
        if isinstance(ln, str):
            p.flags |= PROP_PARAM_LENGTH
            p.length = resolve(ln, scope, "length of %r" % item.name)
        elif ln and p.in_type != 19:
            # (mc.exe drops a constant length on win:SID: a SID sizes itself.)
            p.flags |= PROP_FIXED_LENGTH
            p.length = ln & 0xFFFF
        return p

    top_scope: List[Tuple[str, int]] = []
    for i, it in enumerate(top):
        props.append(make(it, i, top_scope))
        top_scope.append((it.name, i))
    for i, it in enumerate(top):
        if not isinstance(it, _Struct):
            continue
        scope = list(top_scope)
        for j, m in enumerate(it.members):
            idx = member_base[i] + j
            props.append(make(m, idx, scope))
            scope.append((m.name, idx))
    if len(props) > 4096:
        raise ManifestError("template %r: more than 4096 properties" % t.tid)
    return props, len(top)


def _build_event(ev, pm: ProviderManifest, rs: _Resolver, levels, opcodes, tasks, keywords,
                 channels: List[_Channel], templates: Dict[str, _Template],
                 display: Dict[Tuple[str, str], str], localize: bool) -> ManifestEvent:
    def shown(kind: str, name: str) -> str:
        got = display.get((kind, name))
        if got is not None:
            return got
        return _WIN_MESSAGES.get(name, name) if localize and kind != "channel" else name

    eid = _int(ev.get("value"), "event value")
    where = "event %d" % eid
    version = _int(ev.get("version"), where + " version", 0)
    s = EventSchema(provider_id=pm.guid, id=eid & 0xFFFF, version=version & 0xFF,
                    provider_name=pm.name or None, provider_message=pm.message)

    lname = ev.get("level")
    if lname:
        if lname in levels:
            s.level = levels[lname] & 0xFF
        else:
            pm.warnings.append("%s: unknown level %r" % (where, lname))
        s.level_name = shown("level", lname)

    tname = ev.get("task")
    task_ops: Dict[str, int] = {}
    if tname:
        if tname in tasks:
            tv, eg, task_ops = tasks[tname]
            s.task = tv & 0xFFFF
            s.event_guid = eg
        else:
            pm.warnings.append("%s: unknown task %r" % (where, tname))
        s.task_name = shown("task", tname)

    oname = ev.get("opcode")
    if oname:
        s.opcode_name = shown("opcode", oname)
        if oname in task_ops:
            s.opcode = task_ops[oname] & 0xFF
            s.opcode_name = shown("opcode:" + (tname or ""), oname)
        elif oname in opcodes:
            s.opcode = opcodes[oname] & 0xFF
        else:
            # A task-specific opcode used without (or with an unknown) task:
            # take it when every task defining that name gives it one value.
            vals = {ops[oname] for _tv, _eg, ops in tasks.values() if oname in ops}
            if len(vals) == 1:
                s.opcode = vals.pop() & 0xFF
            pm.warnings.append("%s: unknown opcode %r" % (where, oname))

    kw = 0
    names = (ev.get("keywords") or "").split()
    for k in names:
        if k in keywords:
            kw |= keywords[k]
        else:
            pm.warnings.append("%s: unknown keyword %r" % (where, k))
    # Listed by mask, as mc.exe stores an event's keywords.
    s.keyword_names = [shown("keyword", k) for k in
                       sorted(names, key=lambda k: (k not in keywords, keywords.get(k, 0)))]

    cref = ev.get("channel")
    if cref:
        ch = next((c for c in channels if cref in c.key_names), None)
        if ch is not None:
            s.channel = ch.value
            s.channel_name = shown("channel", ch.name)
            if ch.bit >= 0:
                kw |= 1 << ch.bit
        elif cref in _WIN_CHANNELS:
            s.channel = _WIN_CHANNELS[cref]
            s.channel_name = shown("channel", cref)
        else:
            pm.warnings.append("%s: unknown channel %r" % (where, cref))
            s.channel_name = cref
    s.keyword = kw & 0xFFFFFFFFFFFFFFFF

    s.event_message = rs.text(ev.get("message"))
    s.event_name = ev.get("name") or None

    tid = ev.get("template")
    if tid:
        t = templates.get(tid)
        if t is None:
            raise ManifestError("%s: unknown template %r" % (where, tid))
        s.props, s.top_count = _template_props(t)
        s.template_flags = t.flags
    return ManifestEvent(id=s.id, version=s.version, symbol=ev.get("symbol"),
                         name=s.event_name, template=tid, schema=s)
