"""Loaders for the independent oracles shipped with the real-trace corpus.

The corpus (``../shared/etl-corpus`` next to the repository, see its SOURCES.md)
carries, besides the ``.etl`` files, results that third-party decoders produced from
the same bytes.  This module turns them into plain Python data so the corpus tests
can compare our reader against them:

* ``load_http_server_evtx`` - ``expected/tx_HTTP_Server.evtx``: Windows itself
  converted ``tx_HTTP_Server.etl`` to an event log.  Read with python-evtx, keeping
  the exact 100-ns FILETIME of every event (the XML rendering stops at µs).
* ``load_evtx_xml`` - the XML rendering of that log kept next to it
  (``tx_HTTP_Server.evtx.xml``), for cross-checking the EVTX loader.
* ``load_perfview_baseline`` - the ``perfview_*.baseline.txt`` files written by
  PerfView/TraceEvent's GeneralParsing test.
* ``load_wpp_expected`` - ``findneedle_wpp_expected_messages.txt``: the WPP message
  texts that WDK tracefmt prints for the findneedle WPP traces.

Nothing here imports ``etw``: the oracles must not depend on the code under test.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
import struct
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

PathLike = Union[str, "os.PathLike[str]"]

# Provider of every event in tx_HTTP_Server.etl / .evtx.
HTTP_SERVICE_GUID = uuid.UUID("dd5ef90a-6398-47a4-ad34-4dcecdef795f")

_EVT_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
_FILETIME_EPOCH = _dt.datetime(1601, 1, 1, tzinfo=_dt.timezone.utc)


def corpus_dir_for(test_file: PathLike) -> Path:
    """Return the corpus folder for a test file inside ``<repo>/tests``.

    The corpus lives at ``../shared/etl-corpus`` relative to the repository root; the
    root is the parent of the folder holding the test file.  The path may not exist.
    """
    repo_root = Path(test_file).resolve().parent.parent
    return (repo_root / ".." / "shared" / "etl-corpus").resolve()


def filetime_to_datetime(filetime: int) -> _dt.datetime:
    """FILETIME (100 ns since 1601 UTC) -> tz-aware UTC datetime, truncated to µs."""
    return _FILETIME_EPOCH + _dt.timedelta(microseconds=filetime // 10)


# ---------------------------------------------------------------------------------
# 1. EVTX: expected/tx_HTTP_Server.evtx
# ---------------------------------------------------------------------------------
#
# An EVTX record is a BinXML "template instance": the XML shape lives in a template
# shared by many records, and each record carries an array of typed substitution
# values that the template's substitution tokens refer to by index.  python-evtx
# renders the FILETIME substitution through a float and a datetime (µs, and off by up
# to 2 µs), so to keep the 100-ns value we (1) walk each template once to learn which
# substitution index feeds which element/attribute (e.g.
# "Event/System/TimeCreated@SystemTime"), and (2) read the raw bytes of the
# substitution array ourselves (layout: u32 count, then count x {u16 size, u8 type,
# u8 pad}, then the values back to back), decoding them by their BinXML value type.
# The <Event> content is one nested BinXML value holding either <EventData> (its Data
# values are kept as python-evtx renders them) or, where Windows could not apply the
# manifest, <ProcessingErrorData> (kept typed: ErrorCode, DataItemName, EventPayload =
# the event's raw user data).

# BinXML value types (MS-EVEN6 2.2.19 / libevtx "value types") -> decoder of raw bytes.
_UINT = {0x04: "<B", 0x06: "<H", 0x08: "<I", 0x0A: "<Q", 0x14: "<I", 0x15: "<Q", 0x11: "<Q"}
_SINT = {0x03: "<b", 0x05: "<h", 0x07: "<i", 0x09: "<q"}
_BXML_GUID = 0x0F
_BXML_NULL = 0x00
_BXML_WSTRING = 0x01


def _decode_value(vtype: int, raw: bytes) -> Any:
    """Decode one raw substitution value; None for a NULL (size 0) value."""
    if vtype == _BXML_NULL or not raw:
        return None
    if vtype in _UINT:
        return struct.unpack(_UINT[vtype], raw)[0]
    if vtype in _SINT:
        return struct.unpack(_SINT[vtype], raw)[0]
    if vtype == _BXML_GUID:
        return uuid.UUID(bytes_le=bytes(raw))
    if vtype == _BXML_WSTRING:
        return bytes(raw).decode("utf-16-le").rstrip("\0")
    return bytes(raw)  # strings, binary, SIDs, nested BinXML: kept raw


def _template_layout(root) -> List[Dict[str, Any]]:
    """The elements of a record's template, in document order.

    One entry per element: path (e.g. "Event/System/TimeCreated"),
    attrs (literal attribute values), attr_subs (attribute -> substitution index)
    and content_sub (substitution index of the element's content, or None).
    """
    from Evtx import Nodes as N  # python-evtx

    subst = (N.NormalSubstitutionNode, N.ConditionalSubstitutionNode)
    out: List[Dict[str, Any]] = []

    def walk(node, path: Tuple[str, ...], entry: Optional[Dict[str, Any]]) -> None:
        for child in node.children():
            if isinstance(child, N.OpenStartElementNode):
                here = path + (child.tag_name(),)
                sub_entry: Dict[str, Any] = {"path": "/".join(here), "attrs": {},
                                             "attr_subs": {}, "content_sub": None}
                out.append(sub_entry)
                for attr in child.children():
                    if isinstance(attr, N.AttributeNode):
                        name = attr.attribute_name().string()
                        value = attr.attribute_value()
                        if isinstance(value, subst):
                            sub_entry["attr_subs"][name] = value.index()
                        elif isinstance(value, N.ValueNode):
                            sub_entry["attrs"][name] = value.children()[0].string()
                walk(child, here, sub_entry)
            elif isinstance(child, subst) and entry is not None:
                entry["content_sub"] = child.index()

    walk(root.template(), (), None)
    return out


def _layout_cached(cache: Dict[Tuple[int, int], List[Dict[str, Any]]], chunk, root):
    key = (chunk.offset(), root.template_instance().template_offset())
    layout = cache.get(key)
    if layout is None:
        layout = cache[key] = _template_layout(root)
    return layout


def _raw_substitutions(root) -> List[Tuple[int, bytes]]:
    """(value type, raw bytes) of every substitution of a record's root node."""
    start = root.offset() + root.tag_and_children_length()
    buf = root._buf  # python-evtx keeps the whole file as one buffer
    (count,) = struct.unpack_from("<I", buf, start)
    decl = [struct.unpack_from("<HBx", buf, start + 4 + 4 * i) for i in range(count)]
    pos = start + 4 + 4 * count
    values = []
    for size, vtype in decl:
        values.append((vtype, bytes(buf[pos:pos + size])))
        pos += size
    return values


# Template path (+ "@attribute") -> key of the oracle dict.
_SYSTEM_FIELDS = {
    "Event/System/EventID": "EventID",
    "Event/System/Version": "Version",
    "Event/System/Level": "Level",
    "Event/System/Task": "Task",
    "Event/System/Opcode": "Opcode",
    "Event/System/Keywords": "Keywords",
    "Event/System/TimeCreated@SystemTime": "FileTime",
    "Event/System/EventRecordID": "EventRecordID",
    "Event/System/Correlation@ActivityID": "ActivityID",
    "Event/System/Correlation@RelatedActivityID": "RelatedActivityID",
    "Event/System/Execution@ProcessID": "ProcessID",
    "Event/System/Execution@ThreadID": "ThreadID",
    "Event/System/Execution@ProcessorID": "ProcessorID",
    "Event/System/Execution@KernelTime": "KernelTime",
    "Event/System/Execution@UserTime": "UserTime",
    "Event/System/Execution@ProcessorTime": "ProcessorTime",
}
_BXML_NESTED = 0x21


def _nested_data(cache, chunk, nested_root) -> Tuple[str, Dict[str, Any]]:
    """(block name, contents) of the nested BinXML value that fills <Event>.

    For <EventData> the contents are Data Name -> text as python-evtx renders it
    (win:Binary as base64, pointers as 0x..., numbers in decimal).  For any other
    block (here only <ProcessingErrorData>, see below) they are child element ->
    typed raw value (int, str, or bytes for binary).

    Rendering whole records with python-evtx re-parses the template for every
    record (about 25-45 s for this log); walking each template once and rendering
    only the values with python-evtx's own ``string()`` gives the same text in a few
    seconds (``test_evtx_oracle_matches_xml_rendering`` checks it against the XML
    rendering for all 2041 events).
    """
    subs = None
    raw = _raw_substitutions(nested_root)
    block = ""
    out: Dict[str, Any] = {}
    for i, entry in enumerate(_layout_cached(cache, chunk, nested_root)):
        parts = entry["path"].split("/")
        if len(parts) == 1:
            block = parts[0]
            continue
        idx = entry["content_sub"]
        if entry["path"] == "EventData/Data":
            if subs is None:
                subs = nested_root.substitutions()
            text = "" if idx is None or idx >= len(subs) else subs[idx].string()
            out[entry["attrs"].get("Name", str(i))] = text
        else:
            out[parts[-1]] = None if idx is None or idx >= len(raw) else _decode_value(*raw[idx])
    return block, out


@functools.lru_cache(maxsize=4)
def _load_evtx(path: str) -> Tuple[Dict[str, Any], ...]:
    from Evtx.Evtx import Evtx  # python-evtx; ImportError tells the caller to skip

    layouts: Dict[Tuple[int, int], List[Dict[str, Any]]] = {}
    events: List[Dict[str, Any]] = []
    with Evtx(path) as log:
        for record in log.records():
            chunk = record._chunk
            root = record.root()
            layout = _layout_cached(layouts, chunk, root)
            subs = _raw_substitutions(root)
            where: Dict[str, int] = {}
            ev: Dict[str, Any] = {"RecordNumber": record.record_num(), "EventData": {}}
            for entry in layout:
                for attr, idx in entry["attr_subs"].items():
                    where[entry["path"] + "@" + attr] = idx
                if entry["content_sub"] is not None:
                    where[entry["path"]] = entry["content_sub"]
                if entry["path"] == "Event/System/Provider":
                    ev["ProviderName"] = entry["attrs"].get("Name")
                    ev["ProviderGuid"] = uuid.UUID(entry["attrs"]["Guid"])
            for tpath, key in _SYSTEM_FIELDS.items():
                idx = where.get(tpath)
                ev[key] = None if idx is None or idx >= len(subs) else _decode_value(*subs[idx])
            # The µs text python-evtx renders for TimeCreated (cross-check only).
            idx = where["Event/System/TimeCreated@SystemTime"]
            ev["TimeCreatedText"] = root.substitutions()[idx].string()
            # EventData is the nested BinXML value filling the <Event> content.
            ev["ProcessingErrorData"] = None
            for idx, (vtype, _raw) in enumerate(subs):
                if vtype == _BXML_NESTED:
                    nested = root.substitutions()[idx].root()
                    block, contents = _nested_data(layouts, chunk, nested)
                    if block == "EventData":
                        ev["EventData"].update(contents)
                    elif block == "ProcessingErrorData":
                        ev["ProcessingErrorData"] = contents
                    else:
                        raise ValueError("unexpected event content <%s>" % block)
            events.append(ev)
    events.sort(key=lambda e: e["EventRecordID"])
    return tuple(events)


def load_http_server_evtx(corpus_dir: PathLike) -> List[Dict[str, Any]]:
    """Every event of ``expected/tx_HTTP_Server.evtx``, in EventRecordID order.

    Each dict has: EventRecordID, EventID, Version, Level, Task, Opcode, Keywords
    (int), FileTime (int, the exact 100-ns FILETIME of TimeCreated/@SystemTime read
    from the binary substitution value), TimeCreatedText (python-evtx's µs
    rendering), ActivityID and RelatedActivityID (uuid.UUID or None), ProcessID,
    ThreadID, ProcessorID, KernelTime, UserTime, ProcessorTime (None here: the
    converter filled Kernel/UserTime instead), ProviderName, ProviderGuid
    (uuid.UUID), RecordNumber (EVTX record header number), EventData (Name ->
    rendered text; win:Binary fields are base64 as python-evtx renders them; empty
    when Windows could not render the event) and ProcessingErrorData (None, or
    {"ErrorCode": int, "DataItemName": str, "EventPayload": bytes} for the events
    Windows could not render with the manifest - EventPayload is their user data).

    Raises ImportError when python-evtx (import name ``Evtx``) is not installed.
    The parse is cached; the returned list and dicts are fresh copies.
    """
    path = os.path.join(os.fspath(corpus_dir), "expected", "tx_HTTP_Server.evtx")
    cached = _load_evtx(os.path.abspath(path))
    return [dict(ev, EventData=dict(ev["EventData"]),
                 ProcessingErrorData=(dict(ev["ProcessingErrorData"])
                                      if ev["ProcessingErrorData"] is not None else None))
            for ev in cached]


def load_evtx_xml(path: PathLike) -> List[Dict[str, Any]]:
    """The XML rendering ``expected/tx_HTTP_Server.evtx.xml``, one dict per <Event>.

    Values are the text as written (no typing) except EventID/EventRecordID (int),
    plus ``EventData`` (Name -> text).  Attributes of System children appear as
    "Element@Attr" keys (e.g. "TimeCreated@SystemTime", "Execution@ProcessorID").
    """
    text = Path(path).read_text(encoding="utf-8")
    # ElementTree's expat accepts only XML 1.0 declarations; the content is 1.0-clean.
    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip())
    out: List[Dict[str, Any]] = []
    for event in ET.fromstring(text).iter(_EVT_NS + "Event"):
        ev: Dict[str, Any] = {}
        system = event.find(_EVT_NS + "System")
        for child in system:
            name = child.tag[len(_EVT_NS):]
            ev[name] = child.text or ""
            for attr, value in child.attrib.items():
                ev[name + "@" + attr] = value
        ev["EventID"] = int(ev["EventID"])
        ev["EventRecordID"] = int(ev["EventRecordID"])
        ev["EventData"] = {}
        block = event.find(_EVT_NS + "EventData")
        if block is not None:
            for i, item in enumerate(block.findall(_EVT_NS + "Data")):
                ev["EventData"][item.get("Name") or str(i)] = item.text or ""
        out.append(ev)
    return out


# ---------------------------------------------------------------------------------
# 2. PerfView GeneralParsing baselines: expected/perfview_*.baseline.txt
# ---------------------------------------------------------------------------------
#
# Line shapes (all five files; nothing else occurs):
#   EVENT <ms, en-US "n3">: <Provider>/<Event...> PID=..; TID=..; PName=..; ProceNum=..; DataLen=..; <F>=<v>; ...
#   COUNT <Provider>/<Event...>:<n>
# Event names may contain '/' themselves (e.g. "Windows Kernel/EventTrace/Extension",
# "KernelTraceControl/ImageID/DbgID_RSDS"), provider names contain spaces and dots, but
# never '/'.  Values are cut to 20 characters + "..." and are not escaped, so a value
# can contain "; " only if cut - we split on "; " followed by "Name=", which every
# field starts with.  The first EVENT line is the logfile header ("Windows
# Kernel/EventTrace") at time 0.000 whose fields are the TRACE_LOGFILE_HEADER.

_EVENT_RE = re.compile(r"^EVENT (-?[\d,]+\.\d+): (.*?) (PID=.*)$")
_COUNT_RE = re.compile(r"^COUNT (.+):(\d+)$")
_FIELD_SPLIT = re.compile(r"; (?=[A-Za-z_][\w.]*=)")
_GROUPED_INT = re.compile(r"^-?\d{1,3}(,\d{3})*$|^-?\d+$")


def parse_number(text: str) -> Union[int, str]:
    """en-US grouped integer ("65,536", "-120") -> int; anything else unchanged."""
    if _GROUPED_INT.match(text):
        return int(text.replace(",", ""))
    return text


def _parse_fields(rest: str) -> Dict[str, str]:
    rest = rest.rstrip()
    if rest.endswith(";"):
        rest = rest[:-1]
    fields: Dict[str, str] = {}
    for part in _FIELD_SPLIT.split(rest):
        name, sep, value = part.partition("=")
        if sep:
            fields[name] = value
    return fields


def _split_name(full: str) -> Tuple[str, str]:
    provider, _, event = full.partition("/")
    return provider, event


def load_perfview_baseline(path: PathLike) -> Dict[str, Any]:
    """Parse one PerfView GeneralParsing baseline.

    Returns a dict with:
      header: the logfile-header EVENT line's fields (BufferSize, Version,
        ProviderVersion, NumberOfProcessors, EndTime, TimerResolution, MaxFileSize,
        LogFileMode, BuffersWritten, StartBuffers, PointerSize, EventsLost, CPUSpeed,
        BootTime, PerfFreq, StartTime, ReservedFlags, BuffersLost, SessionName,
        LogFileName, UtcOffsetMinutes), en-US grouped numbers as int, other values
        as the raw string (possibly cut to 20 chars + "...");
      counts: {"Provider/Event": n} from the COUNT lines;
      events: every EVENT line in file order as a dict: time_ms (float), provider,
        event (the name after the first '/'), name ("Provider/Event"), pid, tid
        (ints), pname (str), cpu (ProceNum, int), data_len (DataLen, int), fields
        (the remaining Name -> raw string);
      first: {"Provider/Event": the first EVENT dict of that name}.
    """
    events: List[Dict[str, Any]] = []
    counts: Dict[str, int] = {}
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = _COUNT_RE.match(line)
        if m and line.startswith("COUNT "):
            counts[m.group(1)] = int(m.group(2))
            continue
        m = _EVENT_RE.match(line)
        if not m:
            raise ValueError("%s:%d: unrecognised baseline line %r" % (path, lineno, line[:80]))
        name = m.group(2)
        provider, event = _split_name(name)
        fields = _parse_fields(m.group(3))
        ev = {
            "line": lineno,
            "time_ms": float(m.group(1).replace(",", "")),
            "provider": provider,
            "event": event,
            "name": name,
            "pid": int(fields.pop("PID").replace(",", "")),
            "tid": int(fields.pop("TID").replace(",", "")),
            "pname": fields.pop("PName"),
            "cpu": int(fields.pop("ProceNum").replace(",", "")),
            "data_len": int(fields.pop("DataLen").replace(",", "")),
            "fields": fields,
        }
        events.append(ev)
    if not events or events[0]["name"] != "Windows Kernel/EventTrace":
        raise ValueError("%s: first EVENT line is not the logfile header" % (path,))
    header = {k: parse_number(v) for k, v in events[0]["fields"].items()}
    first: Dict[str, Dict[str, Any]] = {}
    for ev in events:
        first.setdefault(ev["name"], ev)
    return {"header": header, "counts": counts, "events": events, "first": first}


# ---------------------------------------------------------------------------------
# 3. WPP: expected/findneedle_wpp_expected_messages.txt
# ---------------------------------------------------------------------------------
#
# "<file> TAB <kind> TAB <value>" lines, '#' comments.  Kinds seen:
#   contains   - an exact decoded message text (without the WPP prefix)
#   count      - "msg#<n> (<description>) = <count>" or "total messages = <count>"
#   component  - the component name tracefmt shows in the prefix

_MSG_COUNT = re.compile(r"^msg#(\d+)\s*(?:\((.*)\))?\s*=\s*(\d+)$")
_TOTAL_COUNT = re.compile(r"^total messages\s*=\s*(\d+)$")


def load_wpp_expected(path: PathLike) -> Dict[str, Dict[str, Any]]:
    """Parse the WPP expectations into {etl file name: spec}.

    spec = {"contains": [message text, ...] in file order,
            "counts": {message number: count},
            "count_labels": {message number: description},
            "total": total message count or None,
            "component": component name or None}
    """
    out: Dict[str, Dict[str, Any]] = {}
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError("%s:%d: expected 3 tab-separated columns" % (path, lineno))
        name, kind, value = parts
        spec = out.setdefault(name, {"contains": [], "counts": {}, "count_labels": {},
                                     "total": None, "component": None})
        if kind == "contains":
            spec["contains"].append(value)
        elif kind == "component":
            spec["component"] = value
        elif kind == "count":
            m = _MSG_COUNT.match(value)
            if m:
                spec["counts"][int(m.group(1))] = int(m.group(3))
                if m.group(2):
                    spec["count_labels"][int(m.group(1))] = m.group(2)
                continue
            m = _TOTAL_COUNT.match(value)
            if not m:
                raise ValueError("%s:%d: unknown count form %r" % (path, lineno, value))
            spec["total"] = int(m.group(1))
        else:
            raise ValueError("%s:%d: unknown kind %r" % (path, lineno, kind))
    return out
