"""WPP software-trace decoding: TMF files in, tracefmt's message text out.

WPP ("Windows software trace preprocessor") records carry only a message GUID, a
message number, a few header facts and the raw bytes of the arguments.  The
format string, the argument types and the source position live in TMF ("trace
message format") files, one per message GUID, that ``tracepdb`` extracts from the
PDB.  This module reads TMF files and renders the message part of each record the
way the WDK's ``tracefmt`` does::

    import etw
    from etw.wpp import TmfDatabase

    db = TmfDatabase(["driver-tmfs/"])          # files and/or directories
    for ev in etw.open("trace.etl"):
        if ev.kind == "wpp":
            msg = db.decode(ev)
            if msg is None:
                print("undecoded:", db.last_reason)
            else:
                print(msg.function, msg.message, msg.args)

Lookup is lazy: a directory may hold thousands of TMFs; a file whose name is a
GUID (``<guid>.tmf``, as tracepdb writes them) is parsed only when a record with
that message GUID shows up, other files are scanned for their GUID header lines
the first time a GUID is not found by name.

What is rendered, and how (tracefmt's behaviour unless stated):

* the format is a FormatMessage string: ``%N!spec!`` inserts argument N with the
  printf conversion *spec* (``%N`` alone means ``%N!s!``); ``%%`` ``%.`` ``%!``
  give the character, ``%n`` a line break ("\\n" here), ``%t`` a tab, ``%r`` a
  carriage return, ``%b`` a space, and ``%0`` ends the text.  A format starting
  with ``%0`` is the message part after tracefmt's standard prefix (see
  :data:`DEFAULT_PREFIX` and :meth:`WppMessage.formatted`); inserts 1-9 are the
  prefix items (component, message name, thread, time, ..., sequence, process,
  CPU), numbers 10 and up are the TMF arguments.
* integers use C printf semantics for flags, width, precision, ``h``/``l``/
  ``ll``/``I64``/``I`` sizes and ``d i u o x X c C``; ``%p`` prints the pointer
  as upper-case hex padded to the trace's pointer size; doubles default to
  ``%g``.
* every argument type tracefmt knows: signed/unsigned 8-64-bit items, pointers
  (by the record's pointer size), NUL-terminated, "raw" and counted ANSI/UTF-16
  strings, GUID/CLSID/IID/LIBID, SID (as ``S-1-5-18``; tracefmt would show the
  account name from the machine it runs on), HRESULT/NTSTATUS/Win32 error
  with symbolic names (built-in table of the common codes), NDIS status and
  OID names, IPv4/IPv6 (Windows' notation)/MAC address/port, list and set
  types (``ItemListByte(Low,APC,DPC)``, ``%!bool!``), enums and flag enums
  defined in the TMF (``#enumv``), double, FOURCC, time stamps, time deltas,
  wait times and hex dumps.
* time stamps are shown in UTC as ``2020-01-01 00:00:00.000Z`` (tracefmt uses
  the local time of the machine it runs on); hex dumps as contiguous upper-case
  hex; an argument the payload is too short for as ``<NoValue>``.

ANSI strings are decoded with code page 1252 by default (the code page of the
machine tracefmt runs on matters there too); pass ``ansi_codepage=`` to change.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
import struct
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Tuple, Union

__all__ = [
    "DEFAULT_PREFIX",
    "ITEM_TYPES",
    "NO_VALUE",
    "TmfArg",
    "TmfDatabase",
    "TmfEnum",
    "TmfGuid",
    "TmfMessage",
    "WppArg",
    "WppMessage",
    "format_time_delta",
    "hresult_name",
    "looks_like_tmf",
    "ndis_oid_name",
    "ndis_status_name",
    "ntstatus_name",
    "parse_tmf",
    "win32_error_name",
]

#: tracefmt's standard prefix (what ``%0`` at the start of a format stands for):
#: ``[CPU]PID.TID::time [component]``.  Inserts: 1 component, 2 message name,
#: 3 thread id, 4 time, 5 kernel time, 6 user time, 7 sequence, 8 process id,
#: 9 CPU.
DEFAULT_PREFIX = "[%9!d!]%8!04X!.%3!04X!::%4!s! [%1!s!]"

#: Text shown for an argument the payload holds no bytes for (tracefmt's word).
NO_VALUE = "<NoValue>"

_PathArg = Union[str, "os.PathLike[str]"]

# ---------------------------------------------------------------------------
# Symbolic names of status codes
# ---------------------------------------------------------------------------


def _parse_code_table(blob: str) -> Dict[int, str]:
    table: Dict[int, str] = {}
    for item in blob.split():
        hexval, _, name = item.partition("=")
        table.setdefault(int(hexval, 16), name)
    return table


@functools.lru_cache(maxsize=None)
def _table(name: str) -> Dict[int, str]:
    return _parse_code_table(globals()[name])


def win32_error_name(code: int) -> Optional[str]:
    """Symbolic name of a Win32 error code (``2`` -> ``"ERROR_FILE_NOT_FOUND"``), or None."""
    return _table("_WIN32_CODES").get(code & 0xFFFFFFFF)


def ntstatus_name(code: int) -> Optional[str]:
    """Symbolic name of an NTSTATUS (``0xC0000022`` -> ``"STATUS_ACCESS_DENIED"``), or None."""
    return _table("_NTSTATUS_CODES").get(code & 0xFFFFFFFF)


def hresult_name(code: int) -> Optional[str]:
    """Symbolic name tracefmt shows for an HRESULT, or None.

    As tracefmt does it: an HRESULT with the NT facility bit (0x10000000) is
    looked up as an NTSTATUS without that bit, a FACILITY_WIN32 one
    (``0x8007xxxx``) by its Win32 code (``0x80070005`` -> ``ERROR_ACCESS_DENIED``),
    anything else in the winerror.h names (Win32 codes first, then ``E_*`` etc.).
    """
    code &= 0xFFFFFFFF
    if code & 0x10000000:
        return ntstatus_name(code & ~0x10000000)
    if (code >> 16) & 0x1FFF == 7:
        return win32_error_name(code & 0xFFFF)
    return win32_error_name(code) or _table("_HRESULT_CODES").get(code)


def ndis_status_name(code: int) -> Optional[str]:
    """Symbolic name of an NDIS_STATUS (NDIS names first, then NTSTATUS names), or None."""
    code &= 0xFFFFFFFF
    return _table("_NDIS_STATUS_CODES").get(code) or ntstatus_name(code)


def ndis_oid_name(code: int) -> Optional[str]:
    """Symbolic name of an NDIS OID (``0x00010101`` -> ``"OID_GEN_SUPPORTED_LIST"``), or None."""
    return _table("_NDIS_OID_CODES").get(code & 0xFFFFFFFF)


def _winerror_name(code: int) -> Optional[str]:
    # tracefmt's winerror.h table holds the Win32 codes and the HRESULTs together.
    code &= 0xFFFFFFFF
    return win32_error_name(code) or _table("_HRESULT_CODES").get(code)


# ---------------------------------------------------------------------------
# Small renderers shared by the item types
# ---------------------------------------------------------------------------

_FILETIME_EPOCH = _dt.datetime(1601, 1, 1, tzinfo=_dt.timezone.utc)
_FILETIME_MAX = 2650467743999999999  # 9999-12-31 23:59:59.9999999


def _filetime_to_datetime(ft: int) -> Optional[_dt.datetime]:
    if ft < 0 or ft > _FILETIME_MAX:
        return None
    return _FILETIME_EPOCH + _dt.timedelta(microseconds=ft // 10)


def _format_filetime(ft: int) -> str:
    when = _filetime_to_datetime(ft)
    if when is None:
        return str(ft)
    return "%04d-%02d-%02d %02d:%02d:%02d.%03dZ" % (
        when.year, when.month, when.day, when.hour, when.minute, when.second, when.microsecond // 1000)


def format_time_delta(ticks: int) -> str:
    """Render a time span in 100 ns units the way tracefmt does.

    ``"250ms"`` below a second, ``"5.000s"`` up to ten minutes (whole seconds),
    then ``"m:s.mmms"``, ``"h:m:s.mmms"`` and ``"d~h:m:s.mmms"``; negative spans get
    a leading ``-``.  Milliseconds are truncated.
    """
    sign = ""
    if ticks < 0:
        sign, ticks = "-", -ticks
    ms_total = ticks // 10000
    ms = ms_total % 1000
    secs = ms_total // 1000
    if secs == 0:
        return "%s%dms" % (sign, ms)
    sec = secs % 60
    mins_total = secs // 60
    minute = mins_total % 60
    hours_total = mins_total // 60
    if hours_total == 0:
        if minute <= 10:
            return "%s%d.%03ds" % (sign, minute * 60 + sec, ms)
        return "%s%d:%d.%03ds" % (sign, minute, sec, ms)
    hour = hours_total % 24
    days = hours_total // 24
    if days == 0:
        return "%s%d:%d:%d.%03ds" % (sign, hour, minute, sec, ms)
    return "%s%d~%d:%d:%d.%03ds" % (sign, days, hour, minute, sec, ms)


def _format_ipv6(b: bytes) -> str:
    """IPv6 text as Windows' RtlIpv6AddressToString writes it."""
    words = struct.unpack(">8H", b)
    dotted = "%d.%d.%d.%d" % (b[12], b[13], b[14], b[15])
    if words[0] == words[1] == words[2] == words[3] == 0 and words[6] != 0:
        if words[4] == 0 and words[5] == 0:
            return "::" + dotted
        if words[4] == 0 and words[5] == 0xFFFF:
            return "::ffff:" + dotted
        if words[4] == 0xFFFF and words[5] == 0:
            return "::ffff:0:" + dotted
    hex_words = 8
    if words[4] in (0, 0x0200) and words[5] == 0x5EFE:  # ISATAP
        hex_words = 6
    # Longest run of zero words (the first one on a tie), compressed if >= 2.
    best_start = best_end = 0
    run_start = 0
    for i in range(hex_words):
        if words[i]:
            run_start = i + 1
        elif i + 1 - run_start > best_end - best_start:
            best_start, best_end = run_start, i + 1
    if best_end - best_start < 2:
        best_start = best_end = -1
    out = []
    i = 0
    while i < hex_words:
        if i == best_start:
            out.append("::")
            i = best_end
            continue
        if out and not out[-1].endswith(":"):
            out.append(":")
        out.append("%x" % words[i])
        i += 1
    if hex_words == 6:
        if not out[-1].endswith(":"):
            out.append(":")
        out.append(dotted)
    return "".join(out)


def _format_sid(b: bytes) -> str:
    revision, count = b[0], b[1]
    authority = int.from_bytes(b[2:8], "big")
    text = "S-%d-" % revision
    text += ("%d" % authority) if authority < (1 << 32) else ("0x%012X" % authority)
    for i in range(count):
        text += "-%d" % struct.unpack_from("<I", b, 8 + 4 * i)[0]
    return text


_CP1252_HIGH = {}
for _byte in range(0x80, 0xA0):
    try:
        _CP1252_HIGH[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:  # undefined in 1252: Windows maps it to the same code point
        pass
del _byte


def _decode_ansi(data: bytes, codepage: str) -> str:
    if codepage.lower().replace("-", "").replace("_", "") in ("cp1252", "windows1252"):
        return data.decode("latin-1").translate(_CP1252_HIGH)
    return data.decode(codepage, "replace")


def _decode_utf16(data: bytes) -> str:
    if len(data) & 1:
        data = data[:-1]
    return data.decode("utf-16-le", "replace")


def _reduce_raw(text: str) -> str:
    # tracefmt's treatment of ItemRString/ItemRWString: tabs, commas and CR become
    # spaces, LF becomes a comma, trailing spaces and commas are dropped.
    text = text.replace("\t", " ").replace(",", " ").replace("\n", ",").replace("\r", " ")
    return text.rstrip(" ,") if len(text) > 1 else text


# ---------------------------------------------------------------------------
# TMF model and parser
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TmfArg:
    """One argument of a TMF message: ``name, ItemType(params) -- number``."""

    number: int          #: insert number in the format (10, 11, ...)
    name: str            #: the argument text from the TMF (the C expression that was traced)
    item_type: str       #: base item type, e.g. ``"ItemLong"``, ``"ItemListByte"``
    params: str = ""     #: text in the type's parentheses/brackets (list names, enum name, size)
    type_text: str = ""  #: the whole type as written in the TMF


@dataclass(frozen=True)
class TmfEnum:
    """An enum defined in a TMF ``#enumv NAME { Name,Value ... }`` block."""

    name: str
    items: Tuple[Tuple[str, int], ...]

    def lookup(self, value: int) -> Optional[str]:
        """The first member whose value equals ``value`` (compared as 32-bit), or None."""
        value &= 0xFFFFFFFF
        for member, member_value in self.items:
            if member_value & 0xFFFFFFFF == value:
                return member
        return None


@dataclass(eq=False)
class TmfMessage:
    """One ``#typev`` message of a TMF file."""

    guid: uuid.UUID
    number: int                      #: message number (the record's ``ev.id``)
    name: str                        #: message name, e.g. ``"WppEmitter_cpp36"`` (file + line)
    format: str                      #: the format as written in the TMF
    args: Tuple[TmfArg, ...]
    component: Optional[str] = None  #: the GUID's component name (TMF header line)
    function: Optional[str] = None   #: ``FUNC=`` of the TMF comment
    level: Optional[str] = None      #: ``LEVEL=`` of the TMF comment
    flags: Optional[str] = None      #: ``FLAGS=`` of the TMF comment
    file: Optional[str] = None       #: source file (from ``SRC=`` or the message name)
    line: Optional[int] = None       #: source line (from the message name)
    fields: Mapping[str, str] = field(default_factory=dict)  #: every ``KEY=value`` of the comment
    path: Optional[str] = None       #: the TMF file it came from
    _tokens: Optional[list] = field(default=None, repr=False, compare=False)
    _uses_prefix: Optional[bool] = field(default=None, repr=False, compare=False)
    _enums: Optional[Mapping[str, TmfEnum]] = field(default=None, repr=False, compare=False)

    @property
    def has_prefix(self) -> bool:
        """True when the format starts with ``%0`` (tracefmt puts its standard prefix there)."""
        return self.format.startswith("%0")

    @property
    def message_format(self) -> str:
        """The format of the message part: ``%!FUNC!``-style names replaced, leading ``%0`` removed."""
        # tracefmt replaces these four whether the comment names them or not;
        # %!FLAGS! only when the comment has FLAGS=.
        names = [("FUNC", self.function), ("LEVEL", self.level),
                 ("COMPNAME", self.fields.get("COMPNAME")), ("SUBCOMP", self.fields.get("SUBCOMP"))]
        if self.flags is not None:
            names.append(("FLAGS", self.flags))
        text = _replace_names(self.format, names)
        return text[2:] if text.startswith("%0") else text

    def tokens(self) -> list:
        """The message format compiled to literal strings and ``(insert, spec)`` pairs."""
        if self._tokens is None:
            self._tokens = _compile_format(self.message_format)
        return self._tokens

    def uses_prefix_inserts(self) -> bool:
        """True when the message part itself uses inserts 1-9 (tracefmt's prefix items)."""
        if self._uses_prefix is None:
            self._uses_prefix = any(not isinstance(tok, str) and tok[0] < 10 for tok in self.tokens())
        return self._uses_prefix


@dataclass(eq=False)
class TmfGuid:
    """A message GUID's section of a TMF file: its header line and its messages."""

    guid: uuid.UUID
    component: Optional[str]
    source: Optional[str]                 #: ``SRC=`` of the header comment
    fields: Mapping[str, str]
    messages: Dict[int, TmfMessage]
    path: Optional[str] = None


_GUID_RE = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_GUID_LINE = re.compile(r"^\s*(" + _GUID_RE + r")(?![0-9A-Fa-f-])(.*)$")
_GUID_NAME = re.compile(r"^\{?(" + _GUID_RE + r")\}?$")
_FIELD_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S*)")
_ITEM_AT = re.compile(r",\s*(Item\w+)")
_ARG_REST = re.compile(
    r"^\s*(?:\((?P<list>[^)]*)\)|\[(?P<size>[^\]]*)\])?\s*(?P<extra>[^-/\s][^\s]*)?\s*"
    r"(?:(?:--|//)\s*(?P<num>\d+))?.*$")


def _replace_names(text: str, names: Iterable[Tuple[str, Optional[str]]]) -> str:
    """Replace ``%!NAME!`` (not ``%%!NAME!``) by its value ("" when None)."""
    for key, value in names:
        if "%!" + key + "!" in text:
            text = re.sub(r"(?<!%)%!" + key + "!", lambda _m, v=value or "": v, text)
    return text


def _parse_fields(comment: str) -> Dict[str, str]:
    return {m.group(1).upper(): m.group(2) for m in _FIELD_RE.finditer(comment)}


def _parse_int(text: str) -> Optional[int]:
    text = text.strip().rstrip("uUlL")
    try:
        return int(text, 0)
    except ValueError:
        try:
            return int(text, 10)
        except ValueError:
            return None


def _balanced(text: str) -> bool:
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth == 0 and not quote


def _parse_arg(line: str, default_number: int) -> Optional[TmfArg]:
    for m in _ITEM_AT.finditer(line):
        name = line[:m.start()].strip()
        if not _balanced(name):
            continue
        rest = line[m.end():]
        r = _ARG_REST.match(rest)
        if r is None:
            continue
        params = r.group("list")
        if params is None:
            params = r.group("size")
        if params is None:
            params = r.group("extra") or ""
        number = int(r.group("num")) if r.group("num") else default_number
        type_text = (m.group(1) + rest).split("--")[0].split("//")[0].strip()
        return TmfArg(number=number, name=name, item_type=m.group(1), params=params.strip(), type_text=type_text)
    return None


def _split_message_name(name: str, source: Optional[str]) -> Tuple[Optional[str], Optional[int]]:
    """Source file and line of a message name such as ``queue_c120`` (``SRC=`` wins when it fits)."""
    if source:
        stem = re.sub(r"[^0-9A-Za-z]", "_", source)
        if name.startswith(stem) and name[len(stem):].isdigit():
            return source, int(name[len(stem):])
    m = re.match(r"^(.*?)(\d+)$", name)
    if not m or not m.group(1):
        return source, None
    head, sep, ext = m.group(1).rpartition("_")
    return (head + "." + ext if sep and head else m.group(1)), int(m.group(2))


def _read_text(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read()
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_ansi(data, "cp1252")


def parse_tmf(text: str, path: Optional[str] = None) -> Tuple[List[TmfGuid], Dict[str, TmfEnum], List[str]]:
    """Parse the text of a TMF file.

    Returns ``(guid_sections, enums, warnings)``.  Understands ``// comment``
    lines, the ``<guid> <component> // SRC=...`` header lines (a file may hold
    several), ``#typev <name> <number> "<format>" // KEY=value ...`` lines
    (continued on following lines until a ``{``), the ``{ arg, ItemType -- N }``
    argument lists and ``#enumv NAME { Member,Value }`` enum blocks.  Lines it
    cannot make sense of are skipped and reported in ``warnings``.
    """
    lines = text.splitlines()
    sections: List[TmfGuid] = []
    enums: Dict[str, TmfEnum] = {}
    warnings: List[str] = []
    where = path or "<tmf>"
    current: Optional[TmfGuid] = None
    block_kind: Optional[str] = None      # "args", "enum", "skip"
    block_msg: Optional[TmfMessage] = None
    block_args: List[TmfArg] = []
    block_enum_name = ""
    block_enum_items: List[Tuple[str, int]] = []
    pending: Optional[Tuple[str, Any]] = None  # what the next "{" opens

    def close_block() -> None:
        nonlocal block_kind, block_msg, block_args, block_enum_items
        if block_kind == "args" and block_msg is not None:
            block_msg.args = tuple(block_args)
        elif block_kind == "enum":
            enums.setdefault(block_enum_name, TmfEnum(block_enum_name, tuple(block_enum_items)))
        block_kind, block_msg, block_args, block_enum_items = None, None, [], []

    def block_line(s: str) -> None:
        if block_kind == "args":
            arg = _parse_arg(s, 10 + len(block_args))
            if arg is None:
                warnings.append("%s: cannot parse argument line %r" % (where, s))
            else:
                block_args.append(arg)
        elif block_kind == "enum":
            member, _, value = s.partition(",")
            number = _parse_int(value)
            if not member.strip() or number is None:
                warnings.append("%s: cannot parse enum line %r" % (where, s))
            else:
                block_enum_items.append((member.strip(), number))

    i = 0
    n = len(lines)
    while i < n:
        raw = lines[i]
        i += 1
        s = raw.strip()
        if not s or s.startswith("//"):
            continue
        if block_kind is not None:
            if s.startswith("}"):
                close_block()
                continue
            if s.endswith("}"):
                block_line(s[:-1].strip())
                close_block()
                continue
            block_line(s)
            continue
        if s.startswith("{"):
            if pending is None:
                block_kind = "skip"
            elif pending[0] == "args":
                block_kind, block_msg, block_args = "args", pending[1], []
            else:
                block_kind, block_enum_name, block_enum_items = "enum", pending[1], []
            pending = None
            inner = s[1:].strip()
            closed = inner.endswith("}")
            if closed:
                inner = inner[:-1].strip()
            if inner:
                block_line(inner)
            if closed:
                close_block()
            continue
        if s.startswith("#"):
            word = s.split(None, 1)[0].lower()
            if word == "#typev":
                # A #typev line continues on the lines up to the next "{", "#" or header line.
                s = raw.lstrip()
                while i < n:
                    nxt = lines[i].strip()
                    if (not nxt or nxt[0] in "{}#" or nxt.startswith("//") or _GUID_LINE.match(nxt)):
                        break
                    s += lines[i]
                    i += 1
                msg = _parse_typev(s, current, path, warnings)
                pending = ("args", msg) if msg is not None else None
            elif word == "#enumv":
                parts = s.split(None, 1)
                pending = ("enum", parts[1].strip() if len(parts) > 1 else "")
            else:
                if word == "#type":
                    warnings.append("%s: obsolete '#type' message skipped: %r" % (where, s[:80]))
                pending = None
            continue
        m = _GUID_LINE.match(s)
        if m:
            rest = m.group(2)
            name, _, comment = rest.partition("//")
            fields = _parse_fields(comment)
            current = TmfGuid(guid=uuid.UUID(m.group(1)), component=name.strip() or None,
                              source=fields.get("SRC") or None, fields=fields, messages={}, path=path)
            sections.append(current)
            pending = None
            continue
        warnings.append("%s: line not understood: %r" % (where, s[:80]))
    if block_kind is not None:
        warnings.append("%s: unterminated block at end of file" % where)
        close_block()
    for section in sections:
        for msg in section.messages.values():
            msg._enums = enums
    return sections, enums, warnings


def _parse_typev(s: str, current: Optional[TmfGuid], path: Optional[str], warnings: List[str]) -> Optional[TmfMessage]:
    where = path or "<tmf>"
    if current is None:
        warnings.append("%s: #typev before any GUID line: %r" % (where, s[:80]))
        return None
    m = re.match(r"#typev\s+(\S+)\s+(\d+)\s*(.*)$", s, re.S | re.I)
    if not m:
        warnings.append("%s: cannot parse %r" % (where, s[:80]))
        return None
    name, number, rest = m.group(1), int(m.group(2)), m.group(3)
    first = rest.find('"')
    last = rest.rfind('"')
    if first < 0 or last <= first:
        fmt, comment = "", rest
    else:
        fmt, comment = rest[first + 1:last], rest[last + 1:]
    comment = comment.split("//", 1)[1] if "//" in comment else comment
    fields = _parse_fields(comment)
    file, line = _split_message_name(name, current.source)
    msg = TmfMessage(
        guid=current.guid, number=number, name=name, format=fmt, args=(),
        component=current.component or fields.get("COMPNAME") or None,
        function=fields.get("FUNC") or None, level=fields.get("LEVEL") or None,
        flags=fields.get("FLAGS") or None, file=file, line=line, fields=fields, path=path)
    current.messages.setdefault(number, msg)
    return msg


# ---------------------------------------------------------------------------
# Format strings (FormatMessage syntax with printf conversions)
# ---------------------------------------------------------------------------


def _compile_format(fmt: str) -> list:
    tokens: list = []
    lit: List[str] = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            if c in "\r\n":
                if i + 1 < n and fmt[i + 1] in "\r\n" and fmt[i + 1] != c:
                    i += 1
                lit.append("\n")
            else:
                lit.append(c)
            i += 1
            continue
        i += 1
        if i >= n:
            lit.append("%")
            break
        d = fmt[i]
        if "1" <= d <= "9":
            j = i
            while j < n and j - i < 3 and fmt[j].isdigit():
                j += 1
            number = int(fmt[i:j])
            spec = None
            if j < n and fmt[j] == "!":
                k = fmt.find("!", j + 1)
                if k < 0:
                    k = n
                spec = fmt[j + 1:k]
                j = k + 1
            if lit:
                tokens.append("".join(lit))
                lit = []
            tokens.append((number, spec))
            i = j
            continue
        if d == "0":
            break
        lit.append({"n": "\n", "r": "\r", "t": "\t", "b": " "}.get(d, d))
        i += 1
    if lit:
        tokens.append("".join(lit))
    return tokens


_SPEC_RE = re.compile(
    r"^(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
    r"(?P<size>hh|h|ll|l|I64|I32|I|w|L|j|z|t|q)?(?P<conv>[diouxXcCsSpeEfFgGaAnZ])$")


class _Spec:
    __slots__ = ("flags", "width", "prec", "size", "conv", "stars")

    def __init__(self, spec: Optional[str]):
        m = _SPEC_RE.match(spec) if spec else None
        if m is None:
            self.flags, self.width, self.prec, self.size, self.conv, self.stars = "", None, None, "", "s", 0
            return
        self.flags = m.group("flags")
        w, p = m.group("width"), m.group("prec")
        self.stars = (w == "*") + (p == "*")
        # -1 marks a width or precision that comes from an insert ('*').
        self.width = -1 if w == "*" else (int(w) if w else None)
        self.prec = None if p is None else (-1 if p == "*" else int(p or 0))
        self.size = m.group("size") or ""
        self.conv = m.group("conv")
        if self.conv == "Z":
            self.conv = "s"


@functools.lru_cache(maxsize=1024)
def _spec(spec: Optional[str]) -> _Spec:
    return _Spec(spec)


def _pad(text: str, flags: str, width: Optional[int]) -> str:
    if width and len(text) < width:
        return text.ljust(width) if "-" in flags else text.rjust(width)
    return text


def _int_bits(size: str, pointer_size: int) -> int:
    if size == "hh":
        return 8
    if size == "h":
        return 16
    if size in ("ll", "I64", "j", "q"):
        return 64
    if size in ("I", "z", "t"):
        return 8 * pointer_size
    return 32


def _printf_int(sp: _Spec, width: Optional[int], prec: Optional[int], raw: int, pointer_size: int) -> str:
    bits = _int_bits(sp.size, pointer_size)
    mask = (1 << bits) - 1
    u = raw & mask
    conv = sp.conv
    sign = ""
    if conv in "di":
        v = u - (1 << bits) if u >> (bits - 1) else u
        digits = str(-v if v < 0 else v)
        sign = "-" if v < 0 else ("+" if "+" in sp.flags else (" " if " " in sp.flags else ""))
    elif conv == "u":
        digits = str(u)
    elif conv == "o":
        digits = "%o" % u
    elif conv == "X":
        digits = "%X" % u
    else:
        digits = "%x" % u
    if prec is not None and prec >= 0:
        digits = "" if (prec == 0 and u == 0) else digits.zfill(prec)
    prefix = sign
    if "#" in sp.flags and u != 0:
        if conv == "x":
            prefix = "0x"
        elif conv == "X":
            prefix = "0X"
        elif conv == "o" and not digits.startswith("0"):
            digits = "0" + digits
    body = prefix + digits
    if width and len(body) < width:
        if "-" in sp.flags:
            return body.ljust(width)
        if "0" in sp.flags and (prec is None or prec < 0):
            return prefix + digits.rjust(width - len(prefix), "0")
        return body.rjust(width)
    return body


def _printf_float(sp: _Spec, width: Optional[int], prec: Optional[int], value: float) -> str:
    conv = sp.conv
    if conv in "aA":
        text = float(value).hex()
        return _pad(text.upper() if conv == "A" else text, sp.flags, width)
    fmt = "%" + "".join(ch for ch in "-+ #0" if ch in sp.flags)
    if width:
        fmt += str(width)
    if prec is not None and prec >= 0:
        fmt += "." + str(prec)
    return (fmt + ("g" if conv == "s" else conv)) % value


# ---------------------------------------------------------------------------
# Argument decoding
# ---------------------------------------------------------------------------


class _Short(Exception):
    """The payload ends before the argument does."""


class _Val:
    """One decoded insert: a number for printf, or text tracefmt renders itself."""

    __slots__ = ("kind", "value", "text", "raw", "size", "signed")

    def __init__(self, kind: str, value: Any = None, text: Optional[str] = None,
                 raw: int = 0, size: int = 0, signed: bool = False):
        self.kind = kind        # "int", "ptr", "float", "text"
        self.value = value      # the Python value for WppMessage.args
        self.text = text        # prerendered text ("text" kind)
        self.raw = raw          # unsigned raw integer ("int"/"ptr")
        self.size = size        # byte size of the integer
        self.signed = signed    # natural signedness of the item type


class _Ctx:
    __slots__ = ("pointer_size", "codepage", "enums", "enum_fallback")

    def __init__(self, pointer_size: int, codepage: str, enums: Optional[Mapping[str, TmfEnum]],
                 enum_fallback: Optional[Callable[[str], Optional[TmfEnum]]]):
        self.pointer_size = pointer_size
        self.codepage = codepage
        self.enums = enums or {}
        self.enum_fallback = enum_fallback

    def enum(self, name: str) -> Optional[TmfEnum]:
        found = self.enums.get(name)
        if found is None and self.enum_fallback is not None:
            found = self.enum_fallback(name)
        return found


def _take(buf: bytes, off: int, size: int) -> bytes:
    if off + size > len(buf):
        raise _Short()
    return buf[off:off + size]


def _uint(buf: bytes, off: int, size: int) -> int:
    return int.from_bytes(_take(buf, off, size), "little")


def _cstring(buf: bytes, off: int, wide: bool) -> Tuple[bytes, int]:
    """Bytes of a NUL-terminated string at off and the offset after its terminator."""
    if off >= len(buf):
        raise _Short()
    if not wide:
        end = buf.find(b"\0", off)
        if end < 0:
            return buf[off:], len(buf)
        return buf[off:end], end + 1
    end = off
    while end + 1 < len(buf):
        if buf[end] == 0 and buf[end + 1] == 0:
            return buf[off:end], end + 2
        end += 2
    return buf[off:], len(buf)


_INT_ITEMS = {
    # item type: (size, naturally signed)
    "ItemChar": (1, True), "ItemUChar": (1, False), "ItemCharShort": (1, False),
    "ItemShort": (2, True), "ItemUShort": (2, False),
    "ItemLong": (4, True), "ItemULong": (4, False), "ItemULongX": (4, False),
    "ItemLongLong": (8, True), "ItemULongLong": (8, False),
    "ItemLongLongX": (8, False), "ItemLongLongXX": (8, False), "ItemLongLongO": (8, False),
}


def _rd_int(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    size, signed = _INT_ITEMS[arg.item_type]
    raw = _uint(buf, off, size)
    value = raw - (1 << (8 * size)) if signed and raw >> (8 * size - 1) else raw
    return _Val("int", value, raw=raw, size=size, signed=signed), off + size


def _rd_ptr(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    size = ctx.pointer_size
    raw = _uint(buf, off, size)
    return _Val("ptr", raw, raw=raw, size=size), off + size


def _rd_double(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    value = struct.unpack("<d", _take(buf, off, 8))[0]
    return _Val("float", value), off + 8


def _rd_float(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    value = struct.unpack("<f", _take(buf, off, 4))[0]
    return _Val("float", value), off + 4


def _text(value: Any, text: str) -> _Val:
    return _Val("text", value, text)


def _rd_string(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    data, end = _cstring(buf, off, wide=False)
    if not data:
        return _text("", "<NULL>"), end
    text = _decode_ansi(data, ctx.codepage)
    if arg.item_type == "ItemRString":
        text = _reduce_raw(text)
    return _text(text, text), end


def _rd_wstring(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    data, end = _cstring(buf, off, wide=True)
    text = _decode_utf16(data).split("\uffff", 1)[0]
    if arg.item_type == "ItemRWString":
        text = _reduce_raw(text)
    return _text(text, text), end


def _rd_counted(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    # ItemPString / ItemPWString: USHORT byte count (little-endian), then the bytes.
    # ItemDSString / ItemDSWString: the same with a big-endian count.
    big = arg.item_type in ("ItemDSString", "ItemDSWString")
    wide = arg.item_type in ("ItemPWString", "ItemDSWString")
    count = int.from_bytes(_take(buf, off, 2), "big" if big else "little")
    data = _take(buf, off + 2, count)
    end = off + 2 + count
    if wide:
        if data == "NULL\0".encode("utf-16-le"):
            return _text(None, "<NULL>"), end
        text = _decode_utf16(data).split("\0", 1)[0]
        return _text(text, text), end
    if data == b"NULL\0":
        return _text(None, "<NULL>"), end
    data = data.split(b"\0", 1)[0]
    if not data:
        return _text("", "<NULL>"), end
    text = _decode_ansi(data, ctx.codepage)
    return _text(text, text), end


def _rd_nwstring(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    # A UTF-16 string that is not terminated: the rest of the payload.
    text = _decode_utf16(buf[off:]).split("\0", 1)[0]
    return _text(text, text), len(buf)


def _rd_mlstring(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    # A multi-line ANSI string after two bytes: the first line break becomes a
    # space, a quoted run of several lines collapses to "{Nx}".
    _take(buf, off, 2)
    data, end = _cstring(buf, off + 2, wide=False)
    out: List[str] = []
    in_quote = skip = False
    line_count = 0
    for ch in _decode_ansi(data, ctx.codepage):
        if ch == "\n":
            if not line_count:
                out.append(" ")
            line_count += 1
        elif ch == '"':
            if in_quote:
                out.append("{%dx}" % line_count)
            in_quote = not in_quote
        elif not skip:
            out.append(ch)
        skip = line_count > 1 and in_quote
    text = "".join(out)
    return _text(text, text), end


def _rd_fixed_chars(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    # ItemCharHidden[N] (N bytes) / ItemWChar[N] (N UTF-16 units) / ItemCharSign (2 bytes)
    if arg.item_type == "ItemCharSign":
        count, unit = 2, 1
    else:
        count = _parse_int(arg.params) or 0
        unit = 2 if arg.item_type == "ItemWChar" else 1
    data = _take(buf, off, count * unit)
    if unit == 2:
        text = _decode_utf16(data).split("\0", 1)[0]
    else:
        text = _decode_ansi(data.split(b"\0", 1)[0], ctx.codepage)
    return _text(text, text), off + count * unit


def _rd_char4(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    data = _take(buf, off, 4)
    text = _decode_ansi(data, ctx.codepage).replace("\0", "")
    return _text(text, text), off + 4


def _rd_guid(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    value = uuid.UUID(bytes_le=_take(buf, off, 16))
    return _text(value, str(value)), off + 16


def _rd_sid(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    if buf[off:off + 5] == b"NULL\0":
        return _text(None, "<NULL>"), off + 5
    if buf[off:off + 4] == b"\0\0\0\0":
        return _text(None, "<NULL>"), off + 4
    fixed = _take(buf, off, 8)
    count = fixed[1]
    size = 8 + 4 * count
    data = _take(buf, off, size)
    text = _format_sid(data)
    return _text(text, text), off + size


def _rd_ipv4(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    b = _take(buf, off, 4)
    text = "%d.%d.%d.%d" % (b[0], b[1], b[2], b[3])
    return _text(text, text), off + 4


def _rd_ipv6(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    text = _format_ipv6(_take(buf, off, 16))
    return _text(text, text), off + 16


def _rd_mac(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    text = "-".join("%02X" % x for x in _take(buf, off, 6))
    return _text(text, text), off + 6


def _rd_port(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    value = int.from_bytes(_take(buf, off, 2), "big")
    return _text(value, str(value)), off + 2


def _code_reader(render: Callable[[int], str], signed: bool = False) -> Callable[..., Tuple[_Val, int]]:
    def read(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
        raw = _uint(buf, off, 4)
        return _text(raw, render(raw)), off + 4
    return read


def _render_hresult(v: int) -> str:
    if v == 0:
        return "S_OK"
    name = hresult_name(v)
    return "0x%08x(%s)" % (v, name) if name else "HRESULT=%8X" % v


def _render_ntstatus(v: int) -> str:
    if v == 0:
        return "STATUS_SUCCESS"
    name = ntstatus_name(v)
    return "0x%08x(%s)" % (v, name) if name else "NTSTATUS=%8X" % v


def _render_winerror(v: int) -> str:
    name = _winerror_name(v)
    signed = v - (1 << 32) if v >> 31 else v
    return "%d(%s)" % (signed, name) if name else "WINERROR=%8X" % v


def _render_ndis_status(v: int) -> str:
    name = ndis_status_name(v)
    return "0x%08x(%s)" % (v, name) if name else "0x%08x" % v


def _render_ndis_oid(v: int) -> str:
    name = ndis_oid_name(v)
    return "0x%08x(%s)" % (v, name) if name else "0x%08x" % v


def _render_netevent(v: int) -> str:
    return "NETEVENT=%8X" % v


def _render_nterror(v: int) -> str:
    # tracefmt prints the system's message text; here the symbolic name stands in.
    name = _winerror_name(v)
    return name if name else "!NT Error %u unrecognised!" % v


def _rd_merror(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    raw = _uint(buf, off, 4)
    text = "!Module Error %u unrecognised!" % raw if arg.params else "! Error %u No Module Name!" % raw
    return _text(raw, text), off + 4


def _rd_time(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    ticks = struct.unpack("<q", _take(buf, off, 8))[0]
    kind = arg.item_type
    if kind == "ItemTimeDelta" or (kind == "ItemWaitTime" and ticks <= 0):
        text = format_time_delta(ticks) if kind == "ItemTimeDelta" else "+" + format_time_delta(-ticks)
        value = _dt.timedelta(microseconds=(ticks if kind == "ItemTimeDelta" else -ticks) / 10)
        return _text(value, text), off + 8
    when = _filetime_to_datetime(ticks)
    return _text(when if when is not None else ticks, _format_filetime(ticks)), off + 8


def _rd_hexdump(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    count = int.from_bytes(_take(buf, off, 2), "little")
    data = _take(buf, off + 2, count)
    if count == 5 and data == b"NULL\0":
        return _text(None, "<NULL>"), off + 7
    return _text(data, data.hex().upper()), off + 2 + count


def _list_entries(params: str, sets: bool) -> List[Tuple[int, str]]:
    """(index or mask, name) pairs of an ItemList*/ItemSet* parameter list."""
    entries: List[Tuple[int, str]] = []
    position = 0
    for item in params.split(","):
        item = item.strip()
        if not item:
            position += 1
            continue
        name, eq, given = item.partition("=")
        name = name.strip()
        number = _parse_int(given) if eq else None
        if sets:
            entries.append((number if number is not None else (1 << position), name))
        else:
            if number is not None:
                position = number
            entries.append((position, name))
        position += 1
    return entries


def _rd_list(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    size = {"Byte": 1, "Short": 2, "Long": 4}[arg.item_type[len("ItemList"):]]
    raw = _uint(buf, off, size)
    for index, name in _list_entries(arg.params, sets=False):
        if index == raw:
            return _text(raw, "0x%08x(%s)" % (raw, name)), off + size
    return _text(raw, "0x%08x" % raw), off + size


def _rd_set(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    size = {"Byte": 1, "Short": 2, "Long": 4}[arg.item_type[len("ItemSet"):]]
    raw = _uint(buf, off, size)
    parts: List[str] = []
    covered = 0
    for mask, name in _list_entries(arg.params, sets=True):
        if mask and raw & mask == mask:
            parts.append(name)
            covered |= mask
    for bit in range(8 * size):
        if raw & (1 << bit) and not covered & (1 << bit):
            parts.append(str(bit))
    return _text(raw, "[" + ",".join(parts) + "]"), off + size


def _rd_enum(buf: bytes, off: int, arg: TmfArg, ctx: _Ctx) -> Tuple[_Val, int]:
    raw = _uint(buf, off, 4)
    enum = ctx.enum(arg.params)
    if arg.item_type == "ItemEnum":
        name = enum.lookup(raw) if enum is not None else None
        return _text(raw, name if name is not None else "0x%x" % raw), off + 4
    parts: List[str] = []
    covered = 0
    if enum is not None:
        for member, member_value in enum.items:
            member_value &= 0xFFFFFFFF
            if member_value and raw & member_value == member_value:
                parts.append(member)
                covered |= member_value
        if raw == 0:
            zero = enum.lookup(0)
            if zero is not None:
                parts.append(zero)
    if not parts:
        return _text(raw, "0x%x" % raw), off + 4
    if raw & ~covered:
        parts.append("0x%x" % (raw & ~covered))
    return _text(raw, "%s(0x%x)" % (" | ".join(parts), raw)), off + 4


_READERS: Dict[str, Callable[..., Tuple[_Val, int]]] = {name: _rd_int for name in _INT_ITEMS}
_READERS.update({
    "ItemPtr": _rd_ptr,
    "ItemDouble": _rd_double,
    "ItemFloat": _rd_float,
    "ItemString": _rd_string, "ItemRString": _rd_string,
    "ItemWString": _rd_wstring, "ItemRWString": _rd_wstring,
    "ItemPString": _rd_counted, "ItemPWString": _rd_counted,
    "ItemDSString": _rd_counted, "ItemDSWString": _rd_counted,
    "ItemNWString": _rd_nwstring,
    "ItemMLString": _rd_mlstring,
    "ItemCharHidden": _rd_fixed_chars, "ItemWChar": _rd_fixed_chars, "ItemCharSign": _rd_fixed_chars,
    "ItemChar4": _rd_char4,
    "ItemGuid": _rd_guid, "ItemCLSID": _rd_guid, "ItemIID": _rd_guid, "ItemLIBID": _rd_guid,
    "ItemSid": _rd_sid,
    "ItemIPAddr": _rd_ipv4, "ItemIPV6Addr": _rd_ipv6, "ItemMACAddr": _rd_mac, "ItemPort": _rd_port,
    "ItemHRESULT": _code_reader(_render_hresult),
    "ItemNTSTATUS": _code_reader(_render_ntstatus),
    "ItemWINERROR": _code_reader(_render_winerror),
    "ItemNDIS_STATUS": _code_reader(_render_ndis_status),
    "ItemNDIS_OID": _code_reader(_render_ndis_oid),
    "ItemNETEVENT": _code_reader(_render_netevent),
    "ItemNTerror": _code_reader(_render_nterror),
    "ItemMerror": _rd_merror,
    "ItemTimestamp": _rd_time, "ItemWaitTime": _rd_time, "ItemTimeDelta": _rd_time,
    "ItemHexDump": _rd_hexdump,
    "ItemListByte": _rd_list, "ItemListShort": _rd_list, "ItemListLong": _rd_list,
    "ItemSetByte": _rd_set, "ItemSetShort": _rd_set, "ItemSetLong": _rd_set,
    "ItemEnum": _rd_enum, "ItemFlagsEnum": _rd_enum,
})

#: Every argument item type this module decodes.
ITEM_TYPES = frozenset(_READERS)


def _render(sp: _Spec, val: Optional[_Val], width: Optional[int], prec: Optional[int], ctx: _Ctx) -> str:
    if val is None:
        return NO_VALUE
    conv = sp.conv
    kind = val.kind
    if kind == "text":
        text = val.text or ""
        if prec is not None and prec >= 0:
            text = text[:prec]
        return _pad(text, sp.flags, width)
    if kind == "float":
        if conv in "eEfFgGaAs":
            return _printf_float(sp, width, prec, val.value)
        return _printf_int(sp, width, prec, int(val.value) & 0xFFFFFFFFFFFFFFFF, ctx.pointer_size)
    # integers and pointers
    if conv == "p":
        return "%0*X" % (2 * (val.size if kind == "ptr" else ctx.pointer_size), val.raw)
    if conv in "diouxX":
        return _printf_int(sp, width, prec, val.raw, ctx.pointer_size)
    if conv in "cC":
        if conv == "c" and sp.size == "h":
            ch = _decode_ansi(bytes([val.raw & 0xFF]), ctx.codepage)
        else:
            ch = chr(val.raw & 0xFFFF)
        return _pad(ch, sp.flags, width)
    if conv in "eEfFgGaA":
        return _printf_float(sp, width, prec, float(val.value))
    if conv == "n":
        return ""
    if kind == "ptr":
        return "%0*X" % (2 * val.size, val.raw)
    text = str(val.value)
    if prec is not None and prec >= 0:
        text = text[:prec]
    return _pad(text, sp.flags, width)


def _python_value(val: _Val, conv: Optional[str]) -> Any:
    if val.kind != "int":
        return val.value
    if conv in ("d", "i"):
        bits = 8 * val.size
        return val.raw - (1 << bits) if val.raw >> (bits - 1) else val.raw
    if conv in ("u", "o", "x", "X", "p"):
        return val.raw
    if conv in ("c", "C"):
        return chr(val.raw & (0xFF if conv == "c" else 0xFFFF))
    return val.value


def _format_tokens(tokens: list, vals: Mapping[int, _Val], ctx: _Ctx,
                   first_use: Optional[Dict[int, Tuple[str, str]]] = None) -> str:
    out: List[str] = []
    for tok in tokens:
        if isinstance(tok, str):
            out.append(tok)
            continue
        number, spec = tok
        sp = _spec(spec)
        width, prec = sp.width, sp.prec
        value_number = number
        if sp.stars:
            # '*' takes the width/precision from this insert, the value from the next.
            if width == -1:
                w = vals.get(value_number)
                width = _signed32(w.raw) if w is not None and w.kind == "int" else None
                value_number += 1
                if width is not None and width < 0:
                    width = -width
            if prec == -1:
                p = vals.get(value_number)
                prec = _signed32(p.raw) if p is not None and p.kind == "int" else None
                value_number += 1
        val = vals.get(value_number)
        text = _render(sp, val, width, prec, ctx)
        if first_use is not None and value_number not in first_use:
            first_use[value_number] = (sp.conv, text)
        out.append(text)
    return "".join(out)


def _signed32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


# ---------------------------------------------------------------------------
# Decoded messages
# ---------------------------------------------------------------------------


class WppArg(NamedTuple):
    """One decoded argument of a WPP message."""

    number: int      #: insert number (10, 11, ...)
    name: str        #: the argument's text in the TMF
    type: str        #: the TMF item type as written, e.g. ``"ItemListByte(Low,APC,DPC)"``
    value: Any       #: the decoded value (int, str, float, uuid.UUID, datetime, timedelta, bytes, None)
    text: str        #: the value as the message shows it


class WppMessage:
    """A WPP record decoded with its TMF.

    ``message`` is the formatted text (the part tracefmt prints after its
    prefix), ``args`` maps argument names to decoded values; ``msg["name"]`` and
    ``msg[10]`` (insert number) work too.  TMF facts: ``guid``, ``message_number``,
    ``name``, ``component``, ``function``, ``level``, ``flags``, ``file``,
    ``line``, ``format``, ``tmf`` (path).  Record facts when decoded from an event:
    ``sequence``, ``pid``, ``tid``, ``cpu``, ``timestamp``, ``filetime``.
    ``complete`` is False when the payload was shorter than the arguments
    (missing ones show as ``<NoValue>``); ``errors`` says what went wrong.
    """

    __slots__ = ("message", "tmf_message", "complete", "errors", "sequence", "pid", "tid", "cpu",
                 "timestamp", "filetime", "_facts", "_vals", "_ctx", "_decoded", "_first_use",
                 "_arguments", "_args")

    def __init__(self, message: str, tmf_message: TmfMessage, complete: bool, errors: Tuple[str, ...],
                 facts: Dict[str, Any], vals: Dict[int, _Val], ctx: _Ctx,
                 decoded: List[Tuple[TmfArg, Optional[_Val]]], first_use: Dict[int, Tuple[str, str]]):
        self.message = message
        self.tmf_message = tmf_message
        self.complete = complete
        self.errors = errors
        self.sequence = facts.get("sequence")
        self.pid = facts.get("pid")
        self.tid = facts.get("tid")
        self.cpu = facts.get("cpu")
        self.timestamp = facts.get("timestamp")
        self.filetime = facts.get("filetime")
        self._facts = facts
        self._vals = vals
        self._ctx = ctx
        self._decoded = decoded
        self._first_use = first_use
        self._arguments: Optional[Tuple[WppArg, ...]] = None
        self._args: Optional[Dict[str, Any]] = None

    @property
    def arguments(self) -> Tuple[WppArg, ...]:
        """The decoded arguments in payload order (:class:`WppArg`: number, name, type, value, text)."""
        if self._arguments is None:
            out = []
            for arg, val in self._decoded:
                type_text = arg.type_text or arg.item_type
                if val is None:
                    out.append(WppArg(arg.number, arg.name, type_text, None, NO_VALUE))
                    continue
                conv, text = self._first_use.get(arg.number, (None, None))
                if text is None:
                    spec = None if val.kind != "int" else ("d" if val.signed else "u")
                    text = _render(_spec(spec), val, None, None, self._ctx)
                out.append(WppArg(arg.number, arg.name, type_text, _python_value(val, conv), text))
            self._arguments = tuple(out)
        return self._arguments

    @property
    def args(self) -> Dict[str, Any]:
        """Argument name (its text in the TMF) -> decoded value, in payload order.  A name
        that repeats gets ``#<insert number>`` appended from its second use on."""
        if self._args is None:
            args: Dict[str, Any] = {}
            for arg in self.arguments:
                key = arg.name if arg.name not in args else "%s#%d" % (arg.name, arg.number)
                args[key] = arg.value
            self._args = args
        return self._args

    # TMF facts
    guid = property(lambda self: self.tmf_message.guid, doc="The message GUID.")
    message_number = property(lambda self: self.tmf_message.number, doc="The message number.")
    name = property(lambda self: self.tmf_message.name, doc="The TMF message name (file + line).")
    component = property(lambda self: self.tmf_message.component, doc="The component name of the TMF.")
    function = property(lambda self: self.tmf_message.function, doc="The function (``FUNC=``), if given.")
    level = property(lambda self: self.tmf_message.level, doc="The level name (``LEVEL=``), if given.")
    flags = property(lambda self: self.tmf_message.flags, doc="The flags name (``FLAGS=``), if given.")
    file = property(lambda self: self.tmf_message.file, doc="The source file, if known.")
    line = property(lambda self: self.tmf_message.line, doc="The source line, if known.")
    format = property(lambda self: self.tmf_message.format, doc="The format as written in the TMF.")
    tmf = property(lambda self: self.tmf_message.path, doc="Path of the TMF file.")

    def __getitem__(self, key: Union[str, int]) -> Any:
        if isinstance(key, int):
            for arg in self.arguments:
                if arg.number == key:
                    return arg.value
            raise KeyError(key)
        return self.args[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, int):
            return any(arg.number == key for arg in self.arguments)
        return key in self.args

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return "<WppMessage %s #%d %r>" % (self.guid, self.message_number, self.message)

    def formatted(self, prefix: str = DEFAULT_PREFIX) -> str:
        """The whole tracefmt-style line: ``prefix`` (FormatMessage syntax, inserts 1-9
        and ``%!FUNC!``, ``%!LEVEL!``, ``%!FLAGS!``, ``%!FILE!``, ``%!LINE!``,
        ``%!COMPNAME!``, ``%!SUBCOMP!``) followed by the message.  Times are UTC,
        ``MM/DD/YYYY-HH:MM:SS.mmm``.  Formats without ``%0`` have no prefix."""
        if not self.tmf_message.has_prefix:
            return self.message
        tm = self.tmf_message
        prefix = _replace_names(prefix, (
            ("FUNC", tm.function), ("LEVEL", tm.level), ("FLAGS", tm.flags), ("FILE", tm.file),
            ("LINE", None if tm.line is None else str(tm.line)),
            ("COMPNAME", tm.fields.get("COMPNAME")), ("SUBCOMP", tm.fields.get("SUBCOMP"))))
        vals = dict(self._vals)
        vals.update(_prefix_values(tm, self._facts))
        return _format_tokens(_compile_format(prefix), vals, self._ctx) + self.message


def _prefix_values(tm: TmfMessage, facts: Mapping[str, Any]) -> Dict[int, _Val]:
    """Inserts 1-9 (tracefmt's prefix items) from the record's facts."""
    def num(key: str) -> _Val:
        value = facts.get(key) or 0
        return _Val("int", value, raw=value & 0xFFFFFFFF, size=4)

    vals: Dict[int, _Val] = {}
    vals[1] = _text(tm.component, tm.component or "Unknown")
    vals[2] = _text(tm.name, tm.name)
    vals[3] = num("tid")
    filetime = facts.get("filetime")
    when = None if filetime is None else _filetime_to_datetime(filetime)
    if when is not None:
        stamp = "%02d/%02d/%04d-%02d:%02d:%02d.%03d" % (
            when.month, when.day, when.year, when.hour, when.minute, when.second, when.microsecond // 1000)
    else:
        stamp = "%20d" % (filetime or 0)
    vals[4] = _text(stamp, stamp)
    kernel = facts.get("kernel_time") or 0
    user = facts.get("user_time") or 0
    vals[5] = _text(kernel, "%08d" % (kernel % 100000000))
    vals[6] = _text(user, "%08d" % (user % 100000000))
    vals[7] = num("sequence")
    vals[8] = num("pid")
    vals[9] = num("cpu")
    return vals


_EVENT_FACTS = (("sequence", "wpp_sequence"), ("pid", "pid"), ("tid", "tid"), ("cpu", "cpu"),
                ("timestamp", "timestamp"), ("filetime", "filetime"),
                ("kernel_time", "kernel_time"), ("user_time", "user_time"))


def _event_facts(event: Any) -> Dict[str, Any]:
    if event is None:
        return {}
    return {key: getattr(event, attr, None) for key, attr in _EVENT_FACTS}


def _decode_message(tm: TmfMessage, payload: bytes, ctx: _Ctx, event: Any = None) -> WppMessage:
    facts = _event_facts(event)
    vals: Dict[int, _Val] = {}
    if tm.uses_prefix_inserts():
        vals.update(_prefix_values(tm, facts))
    errors: List[str] = []
    complete = True
    off = 0
    decoded: List[Tuple[TmfArg, Optional[_Val]]] = []
    readers = _READERS
    for arg in tm.args:
        reader = readers.get(arg.item_type)
        if not complete:
            decoded.append((arg, None))
            continue
        if reader is None:
            # tracefmt steps over an unknown item as 4 bytes; do the same.
            errors.append("argument %d (%s): unknown item type %s" % (arg.number, arg.name, arg.item_type))
            if off + 4 > len(payload):
                complete = False
                decoded.append((arg, None))
                continue
            raw = _uint(payload, off, 4)
            off += 4
            decoded.append((arg, _Val("int", raw, raw=raw, size=4)))
            continue
        try:
            val, off = reader(payload, off, arg, ctx)
        except _Short:
            complete = False
            errors.append("payload ends in argument %d (%s, %s) at byte %d of %d"
                          % (arg.number, arg.name, arg.item_type, off, len(payload)))
            decoded.append((arg, None))
            continue
        decoded.append((arg, val))
    for arg, val in decoded:
        if val is not None:
            vals[arg.number] = val
    if complete and off < len(payload):
        errors.append("%d byte(s) after the last argument" % (len(payload) - off))
    first_use: Dict[int, Tuple[str, str]] = {}
    message = _format_tokens(tm.tokens(), vals, ctx, first_use)
    return WppMessage(message, tm, complete, tuple(errors), facts, vals, ctx, decoded, first_use)


# ---------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------


def looks_like_tmf(path: _PathArg) -> bool:
    """True for a ``*.tmf`` file, a file whose first non-comment line is a TMF GUID
    header line, or a directory holding at least one ``*.tmf`` file."""
    path = os.fsdecode(path)
    if os.path.isdir(path):
        with os.scandir(path) as entries:
            return any(e.name.lower().endswith(".tmf") and e.is_file() for e in entries)
    if not os.path.isfile(path):
        return False
    if path.lower().endswith(".tmf"):
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("//"):
            return _GUID_LINE.match(line) is not None
    return False


def _iter_paths(paths: Union[_PathArg, Iterable[_PathArg], None]) -> Iterator[str]:
    if paths is None:
        return
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    for p in paths:
        yield os.fsdecode(p)


class TmfDatabase:
    """TMF files and directories, looked up by message GUID.

    ``TmfDatabase(paths)`` takes a file, a directory or a list of both (or
    nothing, then :meth:`add` / :meth:`add_text`).  Files named ``<guid>.tmf``
    are parsed when that GUID is first asked for; other files when a GUID is not
    found by name (their GUID header lines are scanned once).  Directories are
    read non-recursively (``recursive=True`` walks them) and only ``*.tmf``
    files in them count; a file given by name counts whatever its extension.

    :meth:`decode` turns an ``etw.Event`` of kind ``"wpp"`` (or anything with
    ``provider_id``, ``id``, ``payload`` and ``pointer_size``) into a
    :class:`WppMessage`; when no TMF describes the message it returns None and
    :attr:`last_reason` (also :meth:`explain`) says why.
    """

    def __init__(self, paths: Union[_PathArg, Iterable[_PathArg], None] = None, *,
                 recursive: bool = False, ansi_codepage: str = "cp1252"):
        self.recursive = recursive
        self.ansi_codepage = ansi_codepage
        #: Parse warnings (lines skipped in TMF files), as text.
        self.warnings: List[str] = []
        #: Why the last :meth:`decode` returned None (None after a success).
        self.last_reason: Optional[str] = None
        self._by_name: Dict[uuid.UUID, List[str]] = {}
        self._unscanned: List[str] = []
        self._parsed: set = set()
        self._known_files: set = set()
        self._guids: Dict[uuid.UUID, TmfGuid] = {}
        self._enums: Dict[str, TmfEnum] = {}
        self._file_count = 0
        self._dir_count = 0
        self._found: Dict[Tuple[uuid.UUID, int], TmfMessage] = {}
        self._ctx_cache: Dict[Tuple[TmfMessage, int], _Ctx] = {}
        self.add(paths)

    # -- loading -----------------------------------------------------------

    def add(self, paths: Union[_PathArg, Iterable[_PathArg], None]) -> None:
        """Add TMF files and directories (nothing is parsed yet).

        Raises FileNotFoundError for a path that does not exist."""
        for path in _iter_paths(paths):
            if os.path.isdir(path):
                self._dir_count += 1
                self._add_dir(path)
            elif os.path.isfile(path):
                self._register(path)
            else:
                raise FileNotFoundError(path)

    def _add_dir(self, top: str) -> None:
        if self.recursive:
            for root, dirs, files in os.walk(top):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(".tmf"):
                        self._register(os.path.join(root, name))
            return
        with os.scandir(top) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.lower().endswith(".tmf") and entry.is_file():
                    self._register(entry.path)

    def _register(self, path: str) -> None:
        key = os.path.abspath(path)
        if key in self._known_files:
            return
        self._known_files.add(key)
        self._file_count += 1
        stem = os.path.basename(path)
        if stem.lower().endswith(".tmf"):
            stem = stem[:-4]
        m = _GUID_NAME.match(stem)
        if m:
            self._by_name.setdefault(uuid.UUID(m.group(1)), []).append(path)
        else:
            self._unscanned.append(path)

    def add_text(self, text: str, name: str = "<text>") -> List[uuid.UUID]:
        """Parse TMF text now (e.g. a TMF held in memory); returns the GUIDs it defines."""
        return self._merge(text, name)

    def _merge(self, text: str, path: str) -> List[uuid.UUID]:
        sections, enums, warnings = parse_tmf(text, path)
        self.warnings.extend(warnings)
        for enum_name, enum in enums.items():
            self._enums.setdefault(enum_name, enum)
        found = []
        for section in sections:
            have = self._guids.get(section.guid)
            if have is None:
                self._guids[section.guid] = section
            else:
                for number, msg in section.messages.items():
                    have.messages.setdefault(number, msg)
            found.append(section.guid)
        return found

    def _parse_file(self, path: str) -> None:
        if path in self._parsed:
            return
        self._parsed.add(path)
        try:
            text = _read_text(path)
        except OSError as exc:
            self.warnings.append("%s: cannot read: %s" % (path, exc))
            return
        self._merge(text, path)

    def _scan_unscanned(self) -> None:
        pending, self._unscanned = self._unscanned, []
        for path in pending:
            try:
                text = _read_text(path)
            except OSError as exc:
                self.warnings.append("%s: cannot read: %s" % (path, exc))
                continue
            for line in text.splitlines():
                m = _GUID_LINE.match(line)
                if m:
                    self._by_name.setdefault(uuid.UUID(m.group(1)), []).append(path)

    def _section(self, guid: uuid.UUID) -> Optional[TmfGuid]:
        section = self._guids.get(guid)
        if section is not None and guid not in self._by_name:
            return section
        for path in self._by_name.pop(guid, []):
            self._parse_file(path)
        section = self._guids.get(guid)
        if section is None and self._unscanned:
            self._scan_unscanned()
            for path in self._by_name.pop(guid, []):
                self._parse_file(path)
            section = self._guids.get(guid)
        return section

    # -- lookup ------------------------------------------------------------

    def guids(self) -> List[uuid.UUID]:
        """Every message GUID the files define (scans the files not named by GUID)."""
        if self._unscanned:
            self._scan_unscanned()
        return sorted(set(self._guids) | set(self._by_name), key=str)

    def __contains__(self, guid: object) -> bool:
        if not isinstance(guid, uuid.UUID):
            try:
                guid = uuid.UUID(str(guid))
            except ValueError:
                return False
        return self._section(guid) is not None

    def section(self, guid: Union[uuid.UUID, str]) -> Optional[TmfGuid]:
        """The TMF section (component, messages) of a message GUID, or None."""
        return self._section(guid if isinstance(guid, uuid.UUID) else uuid.UUID(str(guid)))

    def message(self, guid: Union[uuid.UUID, str], number: int) -> Optional[TmfMessage]:
        """The TMF description of message ``number`` of ``guid``, or None."""
        section = self.section(guid)
        return None if section is None else section.messages.get(number)

    def enum(self, name: str) -> Optional[TmfEnum]:
        """An ``#enumv`` enum by name from any TMF parsed so far, or None."""
        return self._enums.get(name)

    def _reason(self, guid: Optional[uuid.UUID], number: int, section: Optional[TmfGuid]) -> str:
        if section is None:
            return ("No Format Information found: no TMF for message GUID %s (message #%d; %d TMF file(s) "
                    "known)" % (guid, number, self._file_count))
        return ("No Format Information found: the TMF of message GUID %s (%s, %s) has no message #%d"
                % (guid, section.component, section.path, number))

    def explain(self, event: Any) -> Optional[str]:
        """Why :meth:`decode` cannot decode ``event`` (None when it can)."""
        tm, reason = self._lookup(event)
        return reason

    def _lookup(self, event: Any) -> Tuple[Optional[TmfMessage], Optional[str]]:
        kind = getattr(event, "kind", "wpp")
        if kind != "wpp":
            return None, "not a WPP record (kind %r)" % (kind,)
        guid = getattr(event, "provider_id", None)
        number = getattr(event, "id", None)
        flags = getattr(event, "wpp_flags", None)
        if flags is not None and flags & 0x0004 and not flags & 0x0002:
            return None, ("the record names a component id (%s), not a message GUID; TMFs are looked up by GUID"
                          % getattr(event, "wpp_component", "?"))
        if not isinstance(guid, uuid.UUID) or number is None:
            return None, "the record has no message GUID and number"
        found = self._found.get((guid, number))
        if found is not None:
            return found, None
        section = self._section(guid)
        tm = None if section is None else section.messages.get(number)
        if tm is None:
            return None, self._reason(guid, number, section)
        self._found[(guid, number)] = tm
        return tm, None

    def decode(self, event: Any) -> Optional[WppMessage]:
        """Decode a WPP record with its TMF; None (and :attr:`last_reason`) when no TMF matches."""
        tm, reason = self._lookup(event)
        self.last_reason = reason
        if tm is None:
            return None
        pointer_size = getattr(event, "pointer_size", 8) or 8
        return self.format(tm, getattr(event, "payload", b"") or b"", pointer_size=pointer_size, event=event)

    def format(self, message: TmfMessage, payload: bytes, *, pointer_size: int = 8, event: Any = None) -> WppMessage:
        """Decode ``payload`` (the raw argument bytes) with a TMF message."""
        key = (message, pointer_size)
        ctx = self._ctx_cache.get(key)
        if ctx is None or ctx.codepage != self.ansi_codepage:
            enums = message._enums if message._enums is not None else self._enums
            ctx = self._ctx_cache[key] = _Ctx(pointer_size, self.ansi_codepage, enums, self._enums.get)
        return _decode_message(message, bytes(payload), ctx, event)

    def __repr__(self) -> str:
        return "<TmfDatabase %d file(s), %d GUID(s) parsed>" % (self._file_count, len(self._guids))


# ---------------------------------------------------------------------------
# Code tables (names and values from the Windows SDK/WDK headers winerror.h,
# ntstatus.h, ndis.h and ntddndis.h; "HEX=NAME", the first name per value)
# ---------------------------------------------------------------------------

_WIN32_CODES = """
0=ERROR_SUCCESS 1=ERROR_INVALID_FUNCTION 2=ERROR_FILE_NOT_FOUND 3=ERROR_PATH_NOT_FOUND
4=ERROR_TOO_MANY_OPEN_FILES 5=ERROR_ACCESS_DENIED 6=ERROR_INVALID_HANDLE 7=ERROR_ARENA_TRASHED
8=ERROR_NOT_ENOUGH_MEMORY 9=ERROR_INVALID_BLOCK A=ERROR_BAD_ENVIRONMENT B=ERROR_BAD_FORMAT
C=ERROR_INVALID_ACCESS D=ERROR_INVALID_DATA E=ERROR_OUTOFMEMORY F=ERROR_INVALID_DRIVE
10=ERROR_CURRENT_DIRECTORY 11=ERROR_NOT_SAME_DEVICE 12=ERROR_NO_MORE_FILES
13=ERROR_WRITE_PROTECT 14=ERROR_BAD_UNIT 15=ERROR_NOT_READY 16=ERROR_BAD_COMMAND 17=ERROR_CRC
18=ERROR_BAD_LENGTH 19=ERROR_SEEK 1A=ERROR_NOT_DOS_DISK 1B=ERROR_SECTOR_NOT_FOUND
1C=ERROR_OUT_OF_PAPER 1D=ERROR_WRITE_FAULT 1E=ERROR_READ_FAULT 1F=ERROR_GEN_FAILURE
20=ERROR_SHARING_VIOLATION 21=ERROR_LOCK_VIOLATION 22=ERROR_WRONG_DISK
24=ERROR_SHARING_BUFFER_EXCEEDED 26=ERROR_HANDLE_EOF 27=ERROR_HANDLE_DISK_FULL
32=ERROR_NOT_SUPPORTED 33=ERROR_REM_NOT_LIST 34=ERROR_DUP_NAME 35=ERROR_BAD_NETPATH
36=ERROR_NETWORK_BUSY 37=ERROR_DEV_NOT_EXIST 38=ERROR_TOO_MANY_CMDS 39=ERROR_ADAP_HDW_ERR
3A=ERROR_BAD_NET_RESP 3B=ERROR_UNEXP_NET_ERR 3C=ERROR_BAD_REM_ADAP 3D=ERROR_PRINTQ_FULL
3E=ERROR_NO_SPOOL_SPACE 3F=ERROR_PRINT_CANCELLED 40=ERROR_NETNAME_DELETED
41=ERROR_NETWORK_ACCESS_DENIED 42=ERROR_BAD_DEV_TYPE 43=ERROR_BAD_NET_NAME
44=ERROR_TOO_MANY_NAMES 45=ERROR_TOO_MANY_SESS 46=ERROR_SHARING_PAUSED 47=ERROR_REQ_NOT_ACCEP
48=ERROR_REDIR_PAUSED 50=ERROR_FILE_EXISTS 52=ERROR_CANNOT_MAKE 53=ERROR_FAIL_I24
54=ERROR_OUT_OF_STRUCTURES 55=ERROR_ALREADY_ASSIGNED 56=ERROR_INVALID_PASSWORD
57=ERROR_INVALID_PARAMETER 58=ERROR_NET_WRITE_FAULT 59=ERROR_NO_PROC_SLOTS
64=ERROR_TOO_MANY_SEMAPHORES 65=ERROR_EXCL_SEM_ALREADY_OWNED 66=ERROR_SEM_IS_SET
67=ERROR_TOO_MANY_SEM_REQUESTS 68=ERROR_INVALID_AT_INTERRUPT_TIME 69=ERROR_SEM_OWNER_DIED
6A=ERROR_SEM_USER_LIMIT 6B=ERROR_DISK_CHANGE 6C=ERROR_DRIVE_LOCKED 6D=ERROR_BROKEN_PIPE
6E=ERROR_OPEN_FAILED 6F=ERROR_BUFFER_OVERFLOW 70=ERROR_DISK_FULL 71=ERROR_NO_MORE_SEARCH_HANDLES
72=ERROR_INVALID_TARGET_HANDLE 75=ERROR_INVALID_CATEGORY 76=ERROR_INVALID_VERIFY_SWITCH
77=ERROR_BAD_DRIVER_LEVEL 78=ERROR_CALL_NOT_IMPLEMENTED 79=ERROR_SEM_TIMEOUT
7A=ERROR_INSUFFICIENT_BUFFER 7B=ERROR_INVALID_NAME 7C=ERROR_INVALID_LEVEL
7D=ERROR_NO_VOLUME_LABEL 7E=ERROR_MOD_NOT_FOUND 7F=ERROR_PROC_NOT_FOUND
80=ERROR_WAIT_NO_CHILDREN 81=ERROR_CHILD_NOT_COMPLETE 82=ERROR_DIRECT_ACCESS_HANDLE
83=ERROR_NEGATIVE_SEEK 84=ERROR_SEEK_ON_DEVICE 85=ERROR_IS_JOIN_TARGET 86=ERROR_IS_JOINED
87=ERROR_IS_SUBSTED 88=ERROR_NOT_JOINED 89=ERROR_NOT_SUBSTED 8A=ERROR_JOIN_TO_JOIN
8B=ERROR_SUBST_TO_SUBST 8C=ERROR_JOIN_TO_SUBST 8D=ERROR_SUBST_TO_JOIN 8E=ERROR_BUSY_DRIVE
8F=ERROR_SAME_DRIVE 90=ERROR_DIR_NOT_ROOT 91=ERROR_DIR_NOT_EMPTY 92=ERROR_IS_SUBST_PATH
93=ERROR_IS_JOIN_PATH 94=ERROR_PATH_BUSY 95=ERROR_IS_SUBST_TARGET 96=ERROR_SYSTEM_TRACE
97=ERROR_INVALID_EVENT_COUNT 98=ERROR_TOO_MANY_MUXWAITERS 99=ERROR_INVALID_LIST_FORMAT
9A=ERROR_LABEL_TOO_LONG 9B=ERROR_TOO_MANY_TCBS 9C=ERROR_SIGNAL_REFUSED 9D=ERROR_DISCARDED
9E=ERROR_NOT_LOCKED 9F=ERROR_BAD_THREADID_ADDR A0=ERROR_BAD_ARGUMENTS A1=ERROR_BAD_PATHNAME
A2=ERROR_SIGNAL_PENDING A4=ERROR_MAX_THRDS_REACHED A7=ERROR_LOCK_FAILED AA=ERROR_BUSY
AD=ERROR_CANCEL_VIOLATION AE=ERROR_ATOMIC_LOCKS_NOT_SUPPORTED B4=ERROR_INVALID_SEGMENT_NUMBER
B6=ERROR_INVALID_ORDINAL B7=ERROR_ALREADY_EXISTS BA=ERROR_INVALID_FLAG_NUMBER
BB=ERROR_SEM_NOT_FOUND BC=ERROR_INVALID_STARTING_CODESEG BD=ERROR_INVALID_STACKSEG
BE=ERROR_INVALID_MODULETYPE BF=ERROR_INVALID_EXE_SIGNATURE C0=ERROR_EXE_MARKED_INVALID
C1=ERROR_BAD_EXE_FORMAT C2=ERROR_ITERATED_DATA_EXCEEDS_64k C3=ERROR_INVALID_MINALLOCSIZE
C4=ERROR_DYNLINK_FROM_INVALID_RING C5=ERROR_IOPL_NOT_ENABLED C6=ERROR_INVALID_SEGDPL
C7=ERROR_AUTODATASEG_EXCEEDS_64k C8=ERROR_RING2SEG_MUST_BE_MOVABLE
C9=ERROR_RELOC_CHAIN_XEEDS_SEGLIM CA=ERROR_INFLOOP_IN_RELOC_CHAIN CB=ERROR_ENVVAR_NOT_FOUND
CD=ERROR_NO_SIGNAL_SENT CE=ERROR_FILENAME_EXCED_RANGE CF=ERROR_RING2_STACK_IN_USE
D0=ERROR_META_EXPANSION_TOO_LONG D1=ERROR_INVALID_SIGNAL_NUMBER D2=ERROR_THREAD_1_INACTIVE
D4=ERROR_LOCKED D6=ERROR_TOO_MANY_MODULES D7=ERROR_NESTING_NOT_ALLOWED
D8=ERROR_EXE_MACHINE_TYPE_MISMATCH D9=ERROR_EXE_CANNOT_MODIFY_SIGNED_BINARY
DA=ERROR_EXE_CANNOT_MODIFY_STRONG_SIGNED_BINARY DC=ERROR_FILE_CHECKED_OUT
DD=ERROR_CHECKOUT_REQUIRED DE=ERROR_BAD_FILE_TYPE DF=ERROR_FILE_TOO_LARGE
E0=ERROR_FORMS_AUTH_REQUIRED E1=ERROR_VIRUS_INFECTED E2=ERROR_VIRUS_DELETED E5=ERROR_PIPE_LOCAL
E6=ERROR_BAD_PIPE E7=ERROR_PIPE_BUSY E8=ERROR_NO_DATA E9=ERROR_PIPE_NOT_CONNECTED
EA=ERROR_MORE_DATA F0=ERROR_VC_DISCONNECTED FE=ERROR_INVALID_EA_NAME
FF=ERROR_EA_LIST_INCONSISTENT 102=WAIT_TIMEOUT 103=ERROR_NO_MORE_ITEMS 10A=ERROR_CANNOT_COPY
10B=ERROR_DIRECTORY 113=ERROR_EAS_DIDNT_FIT 114=ERROR_EA_FILE_CORRUPT 115=ERROR_EA_TABLE_FULL
116=ERROR_INVALID_EA_HANDLE 11A=ERROR_EAS_NOT_SUPPORTED 120=ERROR_NOT_OWNER
12A=ERROR_TOO_MANY_POSTS 12B=ERROR_PARTIAL_COPY 12C=ERROR_OPLOCK_NOT_GRANTED
12E=ERROR_DISK_TOO_FRAGMENTED 12F=ERROR_DELETE_PENDING 13B=ERROR_INVALID_TOKEN
1B1=ERROR_NO_SUCH_DEVICE 1E7=ERROR_INVALID_ADDRESS 216=ERROR_ARITHMETIC_OVERFLOW
217=ERROR_PIPE_CONNECTED 218=ERROR_PIPE_LISTENING 2E4=ERROR_ELEVATION_REQUIRED
3E2=ERROR_EA_ACCESS_DENIED 3E3=ERROR_OPERATION_ABORTED 3E4=ERROR_IO_INCOMPLETE
3E5=ERROR_IO_PENDING 3E6=ERROR_NOACCESS 3E7=ERROR_SWAPERROR 3E9=ERROR_STACK_OVERFLOW
3EA=ERROR_INVALID_MESSAGE 3EB=ERROR_CAN_NOT_COMPLETE 3EC=ERROR_INVALID_FLAGS
3ED=ERROR_UNRECOGNIZED_VOLUME 3EE=ERROR_FILE_INVALID 3F0=ERROR_NO_TOKEN 3F1=ERROR_BADDB
3F2=ERROR_BADKEY 3F3=ERROR_CANTOPEN 3F4=ERROR_CANTREAD 3F5=ERROR_CANTWRITE
3F7=ERROR_REGISTRY_CORRUPT 3F8=ERROR_REGISTRY_IO_FAILED 3FA=ERROR_KEY_DELETED
3FB=ERROR_NO_LOG_SPACE 3FC=ERROR_KEY_HAS_CHILDREN 41B=ERROR_DEPENDENT_SERVICES_RUNNING
41C=ERROR_INVALID_SERVICE_CONTROL 41D=ERROR_SERVICE_REQUEST_TIMEOUT 41E=ERROR_SERVICE_NO_THREAD
41F=ERROR_SERVICE_DATABASE_LOCKED 420=ERROR_SERVICE_ALREADY_RUNNING
421=ERROR_INVALID_SERVICE_ACCOUNT 422=ERROR_SERVICE_DISABLED 423=ERROR_CIRCULAR_DEPENDENCY
424=ERROR_SERVICE_DOES_NOT_EXIST 425=ERROR_SERVICE_CANNOT_ACCEPT_CTRL
426=ERROR_SERVICE_NOT_ACTIVE 427=ERROR_FAILED_SERVICE_CONTROLLER_CONNECT
428=ERROR_EXCEPTION_IN_SERVICE 429=ERROR_DATABASE_DOES_NOT_EXIST
42A=ERROR_SERVICE_SPECIFIC_ERROR 42B=ERROR_PROCESS_ABORTED 42C=ERROR_SERVICE_DEPENDENCY_FAIL
42D=ERROR_SERVICE_LOGON_FAILED 42E=ERROR_SERVICE_START_HANG 42F=ERROR_INVALID_SERVICE_LOCK
430=ERROR_SERVICE_MARKED_FOR_DELETE 431=ERROR_SERVICE_EXISTS 436=ERROR_DUPLICATE_SERVICE_NAME
43C=ERROR_NOT_SAFEBOOT_SERVICE 44C=ERROR_END_OF_MEDIA 44D=ERROR_FILEMARK_DETECTED
44E=ERROR_BEGINNING_OF_MEDIA 44F=ERROR_SETMARK_DETECTED 450=ERROR_NO_DATA_DETECTED
451=ERROR_PARTITION_FAILURE 452=ERROR_INVALID_BLOCK_LENGTH 453=ERROR_DEVICE_NOT_PARTITIONED
454=ERROR_UNABLE_TO_LOCK_MEDIA 455=ERROR_UNABLE_TO_UNLOAD_MEDIA 456=ERROR_MEDIA_CHANGED
457=ERROR_BUS_RESET 458=ERROR_NO_MEDIA_IN_DRIVE 459=ERROR_NO_UNICODE_TRANSLATION
45A=ERROR_DLL_INIT_FAILED 45B=ERROR_SHUTDOWN_IN_PROGRESS 45C=ERROR_NO_SHUTDOWN_IN_PROGRESS
45D=ERROR_IO_DEVICE 45E=ERROR_SERIAL_NO_DEVICE 45F=ERROR_IRQ_BUSY 460=ERROR_MORE_WRITES
461=ERROR_COUNTER_TIMEOUT 462=ERROR_FLOPPY_ID_MARK_NOT_FOUND 466=ERROR_DISK_RECALIBRATE_FAILED
467=ERROR_DISK_OPERATION_FAILED 468=ERROR_DISK_RESET_FAILED 469=ERROR_EOM_OVERFLOW
46A=ERROR_NOT_ENOUGH_SERVER_MEMORY 46B=ERROR_POSSIBLE_DEADLOCK 46C=ERROR_MAPPED_ALIGNMENT
482=ERROR_INVALID_DLL 48A=ERROR_ILLEGAL_ELEMENT_ADDRESS 48C=ERROR_DEVICE_REINITIALIZATION_NEEDED
48E=ERROR_DEVICE_DOOR_OPEN 48F=ERROR_DEVICE_NOT_CONNECTED 490=ERROR_NOT_FOUND 491=ERROR_NO_MATCH
492=ERROR_SET_NOT_FOUND 493=ERROR_POINT_NOT_FOUND 494=ERROR_NO_TRACKING_SERVICE
495=ERROR_NO_VOLUME_ID 4B0=ERROR_BAD_DEVICE 4B1=ERROR_CONNECTION_UNAVAIL
4B2=ERROR_DEVICE_ALREADY_REMEMBERED 4B3=ERROR_NO_NET_OR_BAD_PATH 4B4=ERROR_BAD_PROVIDER
4B5=ERROR_CANNOT_OPEN_PROFILE 4B6=ERROR_BAD_PROFILE 4B7=ERROR_NOT_CONTAINER
4B8=ERROR_EXTENDED_ERROR 4B9=ERROR_INVALID_GROUPNAME 4BA=ERROR_INVALID_COMPUTERNAME
4BB=ERROR_INVALID_EVENTNAME 4BC=ERROR_INVALID_DOMAINNAME 4BD=ERROR_INVALID_SERVICENAME
4BE=ERROR_INVALID_NETNAME 4BF=ERROR_INVALID_SHARENAME 4C0=ERROR_INVALID_PASSWORDNAME
4C1=ERROR_INVALID_MESSAGENAME 4C2=ERROR_INVALID_MESSAGEDEST
4C3=ERROR_SESSION_CREDENTIAL_CONFLICT 4C4=ERROR_REMOTE_SESSION_LIMIT_EXCEEDED
4C5=ERROR_DUP_DOMAINNAME 4C6=ERROR_NO_NETWORK 4C7=ERROR_CANCELLED 4C8=ERROR_USER_MAPPED_FILE
4C9=ERROR_CONNECTION_REFUSED 4CA=ERROR_GRACEFUL_DISCONNECT 4CB=ERROR_ADDRESS_ALREADY_ASSOCIATED
4CC=ERROR_ADDRESS_NOT_ASSOCIATED 4CD=ERROR_CONNECTION_INVALID 4CE=ERROR_CONNECTION_ACTIVE
4CF=ERROR_NETWORK_UNREACHABLE 4D0=ERROR_HOST_UNREACHABLE 4D1=ERROR_PROTOCOL_UNREACHABLE
4D2=ERROR_PORT_UNREACHABLE 4D3=ERROR_REQUEST_ABORTED 4D4=ERROR_CONNECTION_ABORTED
4D5=ERROR_RETRY 4D6=ERROR_CONNECTION_COUNT_LIMIT 4D7=ERROR_LOGIN_TIME_RESTRICTION
4D8=ERROR_LOGIN_WKSTA_RESTRICTION 4D9=ERROR_INCORRECT_ADDRESS 4DA=ERROR_ALREADY_REGISTERED
4DB=ERROR_SERVICE_NOT_FOUND 4DC=ERROR_NOT_AUTHENTICATED 4DD=ERROR_NOT_LOGGED_ON
4DE=ERROR_CONTINUE 4DF=ERROR_ALREADY_INITIALIZED 4E0=ERROR_NO_MORE_DEVICES
4E1=ERROR_NO_SUCH_SITE 4E2=ERROR_DOMAIN_CONTROLLER_EXISTS 4E3=ERROR_ONLY_IF_CONNECTED
4E4=ERROR_OVERRIDE_NOCHANGES 4E5=ERROR_BAD_USER_PROFILE 4E6=ERROR_NOT_SUPPORTED_ON_SBS
4E7=ERROR_SERVER_SHUTDOWN_IN_PROGRESS 4E8=ERROR_HOST_DOWN 4E9=ERROR_NON_ACCOUNT_SID
4EA=ERROR_NON_DOMAIN_SID 4EB=ERROR_APPHELP_BLOCK 4EC=ERROR_ACCESS_DISABLED_BY_POLICY
4ED=ERROR_REG_NAT_CONSUMPTION 4EE=ERROR_CSCSHARE_OFFLINE 4EF=ERROR_PKINIT_FAILURE
4F0=ERROR_SMARTCARD_SUBSYSTEM_FAILURE 4F1=ERROR_DOWNGRADE_DETECTED 4F7=ERROR_MACHINE_LOCKED
4F9=ERROR_CALLBACK_SUPPLIED_INVALID_DATA 4FA=ERROR_SYNC_FOREGROUND_REFRESH_REQUIRED
4FB=ERROR_DRIVER_BLOCKED 4FC=ERROR_INVALID_IMPORT_OF_NON_DLL 4FD=ERROR_ACCESS_DISABLED_WEBBLADE
4FE=ERROR_ACCESS_DISABLED_WEBBLADE_TAMPER 4FF=ERROR_RECOVERY_FAILURE 500=ERROR_ALREADY_FIBER
501=ERROR_ALREADY_THREAD 502=ERROR_STACK_BUFFER_OVERRUN 503=ERROR_PARAMETER_QUOTA_EXCEEDED
504=ERROR_DEBUGGER_INACTIVE 505=ERROR_DELAY_LOAD_FAILED 506=ERROR_VDM_DISALLOWED
507=ERROR_UNIDENTIFIED_ERROR 514=ERROR_NOT_ALL_ASSIGNED 515=ERROR_SOME_NOT_MAPPED
516=ERROR_NO_QUOTAS_FOR_ACCOUNT 517=ERROR_LOCAL_USER_SESSION_KEY 518=ERROR_NULL_LM_PASSWORD
519=ERROR_UNKNOWN_REVISION 51A=ERROR_REVISION_MISMATCH 51B=ERROR_INVALID_OWNER
51C=ERROR_INVALID_PRIMARY_GROUP 51D=ERROR_NO_IMPERSONATION_TOKEN
51E=ERROR_CANT_DISABLE_MANDATORY 51F=ERROR_NO_LOGON_SERVERS 520=ERROR_NO_SUCH_LOGON_SESSION
521=ERROR_NO_SUCH_PRIVILEGE 522=ERROR_PRIVILEGE_NOT_HELD 523=ERROR_INVALID_ACCOUNT_NAME
524=ERROR_USER_EXISTS 525=ERROR_NO_SUCH_USER 526=ERROR_GROUP_EXISTS 527=ERROR_NO_SUCH_GROUP
528=ERROR_MEMBER_IN_GROUP 529=ERROR_MEMBER_NOT_IN_GROUP 52A=ERROR_LAST_ADMIN
52B=ERROR_WRONG_PASSWORD 52C=ERROR_ILL_FORMED_PASSWORD 52D=ERROR_PASSWORD_RESTRICTION
52E=ERROR_LOGON_FAILURE 52F=ERROR_ACCOUNT_RESTRICTION 530=ERROR_INVALID_LOGON_HOURS
531=ERROR_INVALID_WORKSTATION 532=ERROR_PASSWORD_EXPIRED 533=ERROR_ACCOUNT_DISABLED
534=ERROR_NONE_MAPPED 535=ERROR_TOO_MANY_LUIDS_REQUESTED 536=ERROR_LUIDS_EXHAUSTED
537=ERROR_INVALID_SUB_AUTHORITY 538=ERROR_INVALID_ACL 539=ERROR_INVALID_SID
53A=ERROR_INVALID_SECURITY_DESCR 53C=ERROR_BAD_INHERITANCE_ACL 53D=ERROR_SERVER_DISABLED
53E=ERROR_SERVER_NOT_DISABLED 53F=ERROR_INVALID_ID_AUTHORITY 540=ERROR_ALLOTTED_SPACE_EXCEEDED
541=ERROR_INVALID_GROUP_ATTRIBUTES 542=ERROR_BAD_IMPERSONATION_LEVEL
543=ERROR_CANT_OPEN_ANONYMOUS 544=ERROR_BAD_VALIDATION_CLASS 545=ERROR_BAD_TOKEN_TYPE
546=ERROR_NO_SECURITY_ON_OBJECT 547=ERROR_CANT_ACCESS_DOMAIN_INFO 548=ERROR_INVALID_SERVER_STATE
549=ERROR_INVALID_DOMAIN_STATE 54A=ERROR_INVALID_DOMAIN_ROLE 54B=ERROR_NO_SUCH_DOMAIN
54C=ERROR_DOMAIN_EXISTS 54D=ERROR_DOMAIN_LIMIT_EXCEEDED 54E=ERROR_INTERNAL_DB_CORRUPTION
54F=ERROR_INTERNAL_ERROR 550=ERROR_GENERIC_NOT_MAPPED 551=ERROR_BAD_DESCRIPTOR_FORMAT
552=ERROR_NOT_LOGON_PROCESS 553=ERROR_LOGON_SESSION_EXISTS 554=ERROR_NO_SUCH_PACKAGE
555=ERROR_BAD_LOGON_SESSION_STATE 556=ERROR_LOGON_SESSION_COLLISION 557=ERROR_INVALID_LOGON_TYPE
558=ERROR_CANNOT_IMPERSONATE 559=ERROR_RXACT_INVALID_STATE 55A=ERROR_RXACT_COMMIT_FAILURE
55B=ERROR_SPECIAL_ACCOUNT 55C=ERROR_SPECIAL_GROUP 55D=ERROR_SPECIAL_USER
55E=ERROR_MEMBERS_PRIMARY_GROUP 55F=ERROR_TOKEN_ALREADY_IN_USE 560=ERROR_NO_SUCH_ALIAS
561=ERROR_MEMBER_NOT_IN_ALIAS 562=ERROR_MEMBER_IN_ALIAS 563=ERROR_ALIAS_EXISTS
564=ERROR_LOGON_NOT_GRANTED 565=ERROR_TOO_MANY_SECRETS 566=ERROR_SECRET_TOO_LONG
567=ERROR_INTERNAL_DB_ERROR 568=ERROR_TOO_MANY_CONTEXT_IDS 569=ERROR_LOGON_TYPE_NOT_GRANTED
56A=ERROR_NT_CROSS_ENCRYPTION_REQUIRED 56B=ERROR_NO_SUCH_MEMBER 56C=ERROR_INVALID_MEMBER
56D=ERROR_TOO_MANY_SIDS 56E=ERROR_LM_CROSS_ENCRYPTION_REQUIRED 56F=ERROR_NO_INHERITANCE
570=ERROR_FILE_CORRUPT 571=ERROR_DISK_CORRUPT 572=ERROR_NO_USER_SESSION_KEY
573=ERROR_LICENSE_QUOTA_EXCEEDED 574=ERROR_WRONG_TARGET_NAME 575=ERROR_MUTUAL_AUTH_FAILED
576=ERROR_TIME_SKEW 577=ERROR_CURRENT_DOMAIN_NOT_ALLOWED 578=ERROR_INVALID_WINDOW_HANDLE
579=ERROR_INVALID_MENU_HANDLE 57A=ERROR_INVALID_CURSOR_HANDLE 57B=ERROR_INVALID_ACCEL_HANDLE
57C=ERROR_INVALID_HOOK_HANDLE 57D=ERROR_INVALID_DWP_HANDLE 57E=ERROR_TLW_WITH_WSCHILD
57F=ERROR_CANNOT_FIND_WND_CLASS 580=ERROR_WINDOW_OF_OTHER_THREAD
581=ERROR_HOTKEY_ALREADY_REGISTERED 582=ERROR_CLASS_ALREADY_EXISTS
583=ERROR_CLASS_DOES_NOT_EXIST 584=ERROR_CLASS_HAS_WINDOWS 585=ERROR_INVALID_INDEX
586=ERROR_INVALID_ICON_HANDLE 5AA=ERROR_NO_SYSTEM_RESOURCES 5AB=ERROR_NONPAGED_SYSTEM_RESOURCES
5AC=ERROR_PAGED_SYSTEM_RESOURCES 5AD=ERROR_WORKING_SET_QUOTA 5AE=ERROR_PAGEFILE_QUOTA
5AF=ERROR_COMMITMENT_LIMIT 5B0=ERROR_MENU_ITEM_NOT_FOUND 5B1=ERROR_INVALID_KEYBOARD_HANDLE
5B2=ERROR_HOOK_TYPE_NOT_ALLOWED 5B3=ERROR_REQUIRES_INTERACTIVE_WINDOWSTATION 5B4=ERROR_TIMEOUT
5B5=ERROR_INVALID_MONITOR_HANDLE 5B6=ERROR_INCORRECT_SIZE 5B7=ERROR_SYMLINK_CLASS_DISABLED
5B8=ERROR_SYMLINK_NOT_SUPPORTED 5B9=ERROR_XML_PARSE_ERROR 5BA=ERROR_XMLDSIG_ERROR
5BB=ERROR_RESTART_APPLICATION 5BC=ERROR_WRONG_COMPARTMENT 5BD=ERROR_AUTHIP_FAILURE
5BE=ERROR_NO_NVRAM_RESOURCES 5BF=ERROR_NOT_GUI_PROCESS 5DC=ERROR_EVENTLOG_FILE_CORRUPT
5DD=ERROR_EVENTLOG_CANT_START 5DE=ERROR_LOG_FILE_FULL 5DF=ERROR_EVENTLOG_FILE_CHANGED
641=ERROR_INSTALL_SERVICE_FAILURE 642=ERROR_INSTALL_USEREXIT 643=ERROR_INSTALL_FAILURE
644=ERROR_INSTALL_SUSPEND 645=ERROR_UNKNOWN_PRODUCT 646=ERROR_UNKNOWN_FEATURE
647=ERROR_UNKNOWN_COMPONENT 648=ERROR_UNKNOWN_PROPERTY 649=ERROR_INVALID_HANDLE_STATE
64A=ERROR_BAD_CONFIGURATION 64B=ERROR_INDEX_ABSENT 64C=ERROR_INSTALL_SOURCE_ABSENT
64D=ERROR_INSTALL_PACKAGE_VERSION 64E=ERROR_PRODUCT_UNINSTALLED 64F=ERROR_BAD_QUERY_SYNTAX
650=ERROR_INVALID_FIELD 651=ERROR_DEVICE_REMOVED 652=ERROR_INSTALL_ALREADY_RUNNING
653=ERROR_INSTALL_PACKAGE_OPEN_FAILED 654=ERROR_INSTALL_PACKAGE_INVALID
655=ERROR_INSTALL_UI_FAILURE 656=ERROR_INSTALL_LOG_FAILURE
657=ERROR_INSTALL_LANGUAGE_UNSUPPORTED 658=ERROR_INSTALL_TRANSFORM_FAILURE
659=ERROR_INSTALL_PACKAGE_REJECTED 65A=ERROR_FUNCTION_NOT_CALLED 65B=ERROR_FUNCTION_FAILED
65C=ERROR_INVALID_TABLE 65D=ERROR_DATATYPE_MISMATCH 65E=ERROR_UNSUPPORTED_TYPE
65F=ERROR_CREATE_FAILED 660=ERROR_INSTALL_TEMP_UNWRITABLE 661=ERROR_INSTALL_PLATFORM_UNSUPPORTED
662=ERROR_INSTALL_NOTUSED 663=ERROR_PATCH_PACKAGE_OPEN_FAILED 664=ERROR_PATCH_PACKAGE_INVALID
665=ERROR_PATCH_PACKAGE_UNSUPPORTED 666=ERROR_PRODUCT_VERSION 667=ERROR_INVALID_COMMAND_LINE
668=ERROR_INSTALL_REMOTE_DISALLOWED 669=ERROR_SUCCESS_REBOOT_INITIATED
6F8=ERROR_INVALID_USER_BUFFER 70C=ERROR_INVALID_DATATYPE 714=ERROR_RESOURCE_DATA_NOT_FOUND
715=ERROR_RESOURCE_TYPE_NOT_FOUND 716=ERROR_RESOURCE_NAME_NOT_FOUND
717=ERROR_RESOURCE_LANG_NOT_FOUND 718=ERROR_NOT_ENOUGH_QUOTA 76E=ERROR_INVALID_FORM_NAME
76F=ERROR_INVALID_FORM_SIZE 770=ERROR_ALREADY_WAITING 771=ERROR_PRINTER_DELETED
772=ERROR_INVALID_PRINTER_STATE 773=ERROR_PASSWORD_MUST_CHANGE
774=ERROR_DOMAIN_CONTROLLER_NOT_FOUND 775=ERROR_ACCOUNT_LOCKED_OUT 77F=ERROR_NO_SITENAME
780=ERROR_CANT_ACCESS_FILE 781=ERROR_CANT_RESOLVE_FILENAME 78A=ERROR_KM_DRIVER_BLOCKED
78B=ERROR_CONTEXT_EXPIRED 78C=ERROR_PER_USER_TRUST_QUOTA_EXCEEDED
78D=ERROR_ALL_USER_TRUST_QUOTA_EXCEEDED 78E=ERROR_USER_DELETE_TRUST_QUOTA_EXCEEDED
78F=ERROR_AUTHENTICATION_FIREWALL_FAILED 790=ERROR_REMOTE_PRINT_CONNECTIONS_BLOCKED
7D0=ERROR_INVALID_PIXEL_FORMAT 7D1=ERROR_BAD_DRIVER 7D2=ERROR_INVALID_WINDOW_STYLE
7D3=ERROR_METAFILE_NOT_SUPPORTED 7D4=ERROR_TRANSFORM_NOT_SUPPORTED
7D5=ERROR_CLIPPING_NOT_SUPPORTED 8CA=ERROR_NOT_CONNECTED 961=ERROR_OPEN_FILES
962=ERROR_ACTIVE_CONNECTIONS 964=ERROR_DEVICE_IN_USE BC2=ERROR_SUCCESS_REBOOT_REQUIRED
FA0=ERROR_WINS_INTERNAL FA4=ERROR_FULL_BACKUP 10D8=ERROR_OBJECT_NOT_FOUND
10DF=ERROR_DEVICE_NOT_AVAILABLE 10FE=ERROR_FILE_OFFLINE 139F=ERROR_INVALID_STATE
13B2=ERROR_CLUSTER_NODE_NOT_FOUND 200E=ERROR_DS_BUSY 200F=ERROR_DS_UNAVAILABLE
2030=ERROR_DS_NO_SUCH_OBJECT 32C8=ERROR_IPSEC_QM_POLICY_EXISTS 36B1=ERROR_SXS_CANT_GEN_ACTCTX
36B3=ERROR_SXS_ASSEMBLY_NOT_FOUND 3A98=ERROR_EVT_INVALID_CHANNEL_PATH
3A9A=ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND 3A9F=ERROR_EVT_CHANNEL_NOT_FOUND
3AFC=ERROR_MUI_FILE_NOT_FOUND 3B02=ERROR_RESOURCE_ENUM_USER_STOP
3C29=ERROR_INVALID_RUNLEVEL_SETTING 3DB8=ERROR_STATE_LOAD_STORE_FAILED
"""

_HRESULT_CODES = """
0=S_OK 1=S_FALSE 7A=E_NOT_SUFFICIENT_BUFFER 90312=SEC_I_CONTINUE_NEEDED
90313=SEC_I_COMPLETE_NEEDED 90320=SEC_I_INCOMPLETE_CREDENTIALS 90321=SEC_I_RENEGOTIATE
8000000A=E_PENDING 8000000B=E_BOUNDS 8000000C=E_CHANGED_STATE 8000000D=E_ILLEGAL_STATE_CHANGE
8000000E=E_ILLEGAL_METHOD_CALL 80004001=E_NOTIMPL 80004002=E_NOINTERFACE 80004003=E_POINTER
80004004=E_ABORT 80004005=E_FAIL 80004006=CO_E_INIT_TLS 80004021=CO_E_NOT_SUPPORTED
8000FFFF=E_UNEXPECTED 80010001=RPC_E_CALL_REJECTED 80010002=RPC_E_CALL_CANCELED
80010003=RPC_E_CANTPOST_INSENDCALL 80010004=RPC_E_CANTCALLOUT_INASYNCCALL
80010005=RPC_E_CANTCALLOUT_INEXTERNALCALL 80010006=RPC_E_CONNECTION_TERMINATED
80010007=RPC_E_SERVER_DIED 80010008=RPC_E_CLIENT_DIED 80010009=RPC_E_INVALID_DATAPACKET
8001000A=RPC_E_CANTTRANSMIT_CALL 80010105=RPC_E_SERVERFAULT 80010106=RPC_E_CHANGED_MODE
80010107=RPC_E_INVALIDMETHOD 80010108=RPC_E_DISCONNECTED 80010109=RPC_E_RETRY
8001010A=RPC_E_SERVERCALL_RETRYLATER 8001010B=RPC_E_SERVERCALL_REJECTED
8001010E=RPC_E_WRONG_THREAD 8001010F=RPC_E_THREAD_NOT_INIT 80010119=RPC_E_TOO_LATE
8001011F=RPC_E_TIMEOUT 8001FFFF=RPC_E_UNEXPECTED 80020001=DISP_E_UNKNOWNINTERFACE
80020003=DISP_E_MEMBERNOTFOUND 80020004=DISP_E_PARAMNOTFOUND 80020005=DISP_E_TYPEMISMATCH
80020006=DISP_E_UNKNOWNNAME 80020007=DISP_E_NONAMEDARGS 80020008=DISP_E_BADVARTYPE
80020009=DISP_E_EXCEPTION 8002000A=DISP_E_OVERFLOW 8002000B=DISP_E_BADINDEX
8002000C=DISP_E_UNKNOWNLCID 8002000D=DISP_E_ARRAYISLOCKED 8002000E=DISP_E_BADPARAMCOUNT
8002000F=DISP_E_PARAMNOTOPTIONAL 80020010=DISP_E_BADCALLEE 80020011=DISP_E_NOTACOLLECTION
80020012=DISP_E_DIVBYZERO 8002801D=TYPE_E_LIBNOTREGISTERED 8002802B=TYPE_E_ELEMENTNOTFOUND
80029C4A=TYPE_E_CANTLOADLIBRARY 80030001=STG_E_INVALIDFUNCTION 80030002=STG_E_FILENOTFOUND
80030003=STG_E_PATHNOTFOUND 80030004=STG_E_TOOMANYOPENFILES 80030005=STG_E_ACCESSDENIED
80030006=STG_E_INVALIDHANDLE 80030008=STG_E_INSUFFICIENTMEMORY 80030009=STG_E_INVALIDPOINTER
80030012=STG_E_NOMOREFILES 80030013=STG_E_DISKISWRITEPROTECTED 80030019=STG_E_SEEKERROR
8003001D=STG_E_WRITEFAULT 8003001E=STG_E_READFAULT 80030020=STG_E_SHAREVIOLATION
80030021=STG_E_LOCKVIOLATION 80030050=STG_E_FILEALREADYEXISTS 80030057=STG_E_INVALIDPARAMETER
80030070=STG_E_MEDIUMFULL 800300FB=STG_E_INVALIDHEADER 800300FC=STG_E_INVALIDNAME
800300FD=STG_E_UNKNOWN 800300FE=STG_E_UNIMPLEMENTEDFUNCTION 800300FF=STG_E_INVALIDFLAG
80030100=STG_E_INUSE 80030101=STG_E_NOTCURRENT 80030102=STG_E_REVERTED 80030103=STG_E_CANTSAVE
80030104=STG_E_OLDFORMAT 80030105=STG_E_OLDDLL 80030106=STG_E_SHAREREQUIRED
80030107=STG_E_NOTFILEBASEDSTORAGE 80030108=STG_E_EXTANTMARSHALLINGS 80040005=OLE_E_NOTRUNNING
80040007=OLE_E_BLANK 80040064=DV_E_FORMATETC 80040069=DV_E_TYMED 80040110=CLASS_E_NOAGGREGATION
80040111=CLASS_E_CLASSNOTAVAILABLE 80040112=CLASS_E_NOTLICENSED 80040150=REGDB_E_READREGDB
80040151=REGDB_E_WRITEREGDB 80040152=REGDB_E_KEYMISSING 80040153=REGDB_E_INVALIDVALUE
80040154=REGDB_E_CLASSNOTREG 80040155=REGDB_E_IIDNOTREG 800401E3=MK_E_UNAVAILABLE
800401E4=MK_E_SYNTAX 800401E5=MK_E_NOOBJECT 800401F0=CO_E_NOTINITIALIZED
800401F1=CO_E_ALREADYINITIALIZED 800401F2=CO_E_CANTDETERMINECLASS 800401F3=CO_E_CLASSSTRING
800401F4=CO_E_IIDSTRING 800401F5=CO_E_APPNOTFOUND 800401F8=CO_E_DLLNOTFOUND
800401F9=CO_E_ERRORINDLL 800401FA=CO_E_WRONGOSFORAPP 800401FB=CO_E_OBJNOTREG
800401FD=CO_E_OBJNOTCONNECTED 80070005=E_ACCESSDENIED 80070006=E_HANDLE 8007000E=E_OUTOFMEMORY
80070057=E_INVALIDARG 80080005=CO_E_SERVER_EXEC_FAILURE 80080008=CO_E_SERVER_STOPPING
80090001=NTE_BAD_UID 80090002=NTE_BAD_HASH 80090003=NTE_BAD_KEY 80090004=NTE_BAD_LEN
80090005=NTE_BAD_DATA 80090006=NTE_BAD_SIGNATURE 80090007=NTE_BAD_VER 80090008=NTE_BAD_ALGID
80090009=NTE_BAD_FLAGS 8009000A=NTE_BAD_TYPE 8009000B=NTE_BAD_KEY_STATE 8009000D=NTE_NO_KEY
8009000E=NTE_NO_MEMORY 8009000F=NTE_EXISTS 80090010=NTE_PERM 80090011=NTE_NOT_FOUND
80090016=NTE_BAD_KEYSET 80090017=NTE_PROV_TYPE_NOT_DEF 80090019=NTE_KEYSET_NOT_DEF
80090020=NTE_FAIL 80090026=NTE_INVALID_HANDLE 80090027=NTE_INVALID_PARAMETER
80090028=NTE_BUFFER_TOO_SMALL 80090029=NTE_NOT_SUPPORTED 80090300=SEC_E_INSUFFICIENT_MEMORY
80090301=SEC_E_INVALID_HANDLE 80090302=SEC_E_UNSUPPORTED_FUNCTION 80090303=SEC_E_TARGET_UNKNOWN
80090304=SEC_E_INTERNAL_ERROR 80090305=SEC_E_SECPKG_NOT_FOUND 80090306=SEC_E_NOT_OWNER
80090308=SEC_E_INVALID_TOKEN 8009030B=SEC_E_NO_IMPERSONATION 8009030C=SEC_E_LOGON_DENIED
8009030E=SEC_E_NO_CREDENTIALS 8009030F=SEC_E_MESSAGE_ALTERED 80090310=SEC_E_OUT_OF_SEQUENCE
80090311=SEC_E_NO_AUTHENTICATING_AUTHORITY 80090317=SEC_E_CONTEXT_EXPIRED
80090318=SEC_E_INCOMPLETE_MESSAGE 80090322=SEC_E_WRONG_PRINCIPAL 80090324=SEC_E_TIME_SKEW
80090325=SEC_E_UNTRUSTED_ROOT 80090326=SEC_E_ILLEGAL_MESSAGE 80090327=SEC_E_CERT_UNKNOWN
80090328=SEC_E_CERT_EXPIRED 80090330=SEC_E_DECRYPT_FAILURE 80090331=SEC_E_ALGORITHM_MISMATCH
80090343=SEC_E_UNSUPPORTED_PREAUTH 80091001=CRYPT_E_MSG_ERROR 80091002=CRYPT_E_UNKNOWN_ALGO
80091003=CRYPT_E_OID_FORMAT 80091007=CRYPT_E_HASH_VALUE 80092002=CRYPT_E_BAD_ENCODE
80092003=CRYPT_E_FILE_ERROR 80092004=CRYPT_E_NOT_FOUND 80092005=CRYPT_E_EXISTS
80092006=CRYPT_E_NO_PROVIDER 80092007=CRYPT_E_SELF_SIGNED 80092009=CRYPT_E_NO_MATCH
80092010=CRYPT_E_REVOKED 80092012=CRYPT_E_NO_REVOCATION_CHECK
80092013=CRYPT_E_REVOCATION_OFFLINE 80096004=TRUST_E_CERT_SIGNATURE 80096005=TRUST_E_TIME_STAMP
80096010=TRUST_E_BAD_DIGEST 800B0001=TRUST_E_PROVIDER_UNKNOWN 800B0002=TRUST_E_ACTION_UNKNOWN
800B0003=TRUST_E_SUBJECT_FORM_UNKNOWN 800B0004=TRUST_E_SUBJECT_NOT_TRUSTED
800B0100=TRUST_E_NOSIGNATURE 800B0101=CERT_E_EXPIRED 800B0102=CERT_E_VALIDITYPERIODNESTING
800B0103=CERT_E_ROLE 800B0104=CERT_E_PATHLENCONST 800B0105=CERT_E_CRITICAL
800B0106=CERT_E_PURPOSE 800B0107=CERT_E_ISSUERCHAINING 800B0108=CERT_E_MALFORMED
800B0109=CERT_E_UNTRUSTEDROOT 800B010A=CERT_E_CHAINING 800B010B=TRUST_E_FAIL
800B010C=CERT_E_REVOKED 800B010D=CERT_E_UNTRUSTEDTESTROOT 800B010E=CERT_E_REVOCATION_FAILURE
800B010F=CERT_E_CN_NO_MATCH 800B0110=CERT_E_WRONG_USAGE 800B0111=TRUST_E_EXPLICIT_DISTRUST
80100002=SCARD_E_CANCELLED 8010000A=SCARD_E_TIMEOUT 8010000C=SCARD_E_NO_SMARTCARD
8010002E=SCARD_E_NO_READERS_AVAILABLE 80100069=SCARD_W_REMOVED_CARD
"""

_NTSTATUS_CODES = """
0=STATUS_SUCCESS 1=STATUS_WAIT_1 2=STATUS_WAIT_2 3=STATUS_WAIT_3 3F=STATUS_WAIT_63
80=STATUS_ABANDONED BF=STATUS_ABANDONED_WAIT_63 C0=STATUS_USER_APC 100=STATUS_KERNEL_APC
101=STATUS_ALERTED 102=STATUS_TIMEOUT 103=STATUS_PENDING 104=STATUS_REPARSE
105=STATUS_MORE_ENTRIES 106=STATUS_NOT_ALL_ASSIGNED 107=STATUS_SOME_NOT_MAPPED
108=STATUS_OPLOCK_BREAK_IN_PROGRESS 109=STATUS_VOLUME_MOUNTED 10A=STATUS_RXACT_COMMITTED
10B=STATUS_NOTIFY_CLEANUP 10C=STATUS_NOTIFY_ENUM_DIR 10D=STATUS_NO_QUOTAS_FOR_ACCOUNT
10E=STATUS_PRIMARY_TRANSPORT_CONNECT_FAILED 110=STATUS_PAGE_FAULT_TRANSITION
111=STATUS_PAGE_FAULT_DEMAND_ZERO 112=STATUS_PAGE_FAULT_COPY_ON_WRITE
113=STATUS_PAGE_FAULT_GUARD_PAGE 114=STATUS_PAGE_FAULT_PAGING_FILE 115=STATUS_CACHE_PAGE_LOCKED
116=STATUS_CRASH_DUMP 117=STATUS_BUFFER_ALL_ZEROS 118=STATUS_REPARSE_OBJECT
119=STATUS_RESOURCE_REQUIREMENTS_CHANGED 120=STATUS_TRANSLATION_COMPLETE
121=STATUS_DS_MEMBERSHIP_EVALUATED_LOCALLY 122=STATUS_NOTHING_TO_TERMINATE
123=STATUS_PROCESS_NOT_IN_JOB 124=STATUS_PROCESS_IN_JOB 125=STATUS_VOLSNAP_HIBERNATE_READY
126=STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY 127=STATUS_INTERRUPT_VECTOR_ALREADY_CONNECTED
128=STATUS_INTERRUPT_STILL_CONNECTED 129=STATUS_PROCESS_CLONED
12A=STATUS_FILE_LOCKED_WITH_ONLY_READERS 12B=STATUS_FILE_LOCKED_WITH_WRITERS
202=STATUS_RESOURCEMANAGER_READ_ONLY 367=STATUS_WAIT_FOR_OPLOCK
40000000=STATUS_OBJECT_NAME_EXISTS 40000001=STATUS_THREAD_WAS_SUSPENDED
40000002=STATUS_WORKING_SET_LIMIT_RANGE 40000003=STATUS_IMAGE_NOT_AT_BASE
40000004=STATUS_RXACT_STATE_CREATED 40000005=STATUS_SEGMENT_NOTIFICATION
40000006=STATUS_LOCAL_USER_SESSION_KEY 40000007=STATUS_BAD_CURRENT_DIRECTORY
40000008=STATUS_SERIAL_MORE_WRITES 40000009=STATUS_REGISTRY_RECOVERED
4000000C=STATUS_SERIAL_COUNTER_TIMEOUT 4000000D=STATUS_NULL_LM_PASSWORD
4000000E=STATUS_IMAGE_MACHINE_TYPE_MISMATCH 4000000F=STATUS_RECEIVE_PARTIAL
40000010=STATUS_RECEIVE_EXPEDITED 40000011=STATUS_RECEIVE_PARTIAL_EXPEDITED
40000012=STATUS_EVENT_DONE 40000013=STATUS_EVENT_PENDING 40000014=STATUS_CHECKING_FILE_SYSTEM
40000015=STATUS_FATAL_APP_EXIT 40000016=STATUS_PREDEFINED_HANDLE 40000017=STATUS_WAS_UNLOCKED
40000018=STATUS_SERVICE_NOTIFICATION 40000019=STATUS_WAS_LOCKED 4000001A=STATUS_LOG_HARD_ERROR
4000001B=STATUS_ALREADY_WIN32 4000001C=STATUS_WX86_UNSIMULATE 40000024=STATUS_NO_YIELD_PERFORMED
40000025=STATUS_TIMER_RESUME_IGNORED 40000026=STATUS_ARBITRATION_UNHANDLED
40000027=STATUS_CARDBUS_NOT_SUPPORTED 40000028=STATUS_WX86_CREATEWX86TIB
40000029=STATUS_MP_PROCESSOR_MISMATCH 4000002A=STATUS_HIBERNATED
4000002B=STATUS_RESUME_HIBERNATION 4000002C=STATUS_FIRMWARE_UPDATED
4000002D=STATUS_DRIVERS_LEAKING_LOCKED_PAGES 4000002E=STATUS_MESSAGE_RETRIEVED
4000002F=STATUS_SYSTEM_POWERSTATE_TRANSITION 40000030=STATUS_ALPC_CHECK_COMPLETION_LIST
40000031=STATUS_SYSTEM_POWERSTATE_COMPLEX_TRANSITION 40000032=STATUS_ACCESS_AUDIT_BY_POLICY
40000033=STATUS_ABANDON_HIBERFILE 40000034=STATUS_BIZRULES_NOT_ENABLED
40230001=STATUS_NDIS_INDICATION_REQUIRED 80000001=STATUS_GUARD_PAGE_VIOLATION
80000002=STATUS_DATATYPE_MISALIGNMENT 80000003=STATUS_BREAKPOINT 80000004=STATUS_SINGLE_STEP
80000005=STATUS_BUFFER_OVERFLOW 80000006=STATUS_NO_MORE_FILES
80000007=STATUS_WAKE_SYSTEM_DEBUGGER 8000000A=STATUS_HANDLES_CLOSED
8000000B=STATUS_NO_INHERITANCE 8000000C=STATUS_GUID_SUBSTITUTION_MADE
8000000D=STATUS_PARTIAL_COPY 8000000E=STATUS_DEVICE_PAPER_EMPTY
8000000F=STATUS_DEVICE_POWERED_OFF 80000010=STATUS_DEVICE_OFF_LINE 80000011=STATUS_DEVICE_BUSY
80000012=STATUS_NO_MORE_EAS 80000013=STATUS_INVALID_EA_NAME 80000014=STATUS_EA_LIST_INCONSISTENT
80000015=STATUS_INVALID_EA_FLAG 80000016=STATUS_VERIFY_REQUIRED
80000017=STATUS_EXTRANEOUS_INFORMATION 80000018=STATUS_RXACT_COMMIT_NECESSARY
8000001A=STATUS_NO_MORE_ENTRIES 8000001B=STATUS_FILEMARK_DETECTED 8000001C=STATUS_MEDIA_CHANGED
8000001D=STATUS_BUS_RESET 8000001E=STATUS_END_OF_MEDIA 8000001F=STATUS_BEGINNING_OF_MEDIA
80000020=STATUS_MEDIA_CHECK 80000021=STATUS_SETMARK_DETECTED 80000022=STATUS_NO_DATA_DETECTED
80000023=STATUS_REDIRECTOR_HAS_OPEN_HANDLES 80000024=STATUS_SERVER_HAS_OPEN_HANDLES
80000025=STATUS_ALREADY_DISCONNECTED 80000026=STATUS_LONGJUMP
80000027=STATUS_CLEANER_CARTRIDGE_INSTALLED 80000028=STATUS_PLUGPLAY_QUERY_VETOED
80000029=STATUS_UNWIND_CONSOLIDATE 8000002A=STATUS_REGISTRY_HIVE_RECOVERED
8000002B=STATUS_DLL_MIGHT_BE_INSECURE 8000002C=STATUS_DLL_MIGHT_BE_INCOMPATIBLE
8000002D=STATUS_STOPPED_ON_SYMLINK 80000288=STATUS_DEVICE_REQUIRES_CLEANING
80000289=STATUS_DEVICE_DOOR_OPEN 80000803=STATUS_DATA_LOST_REPAIR C0000001=STATUS_UNSUCCESSFUL
C0000002=STATUS_NOT_IMPLEMENTED C0000003=STATUS_INVALID_INFO_CLASS
C0000004=STATUS_INFO_LENGTH_MISMATCH C0000005=STATUS_ACCESS_VIOLATION
C0000006=STATUS_IN_PAGE_ERROR C0000007=STATUS_PAGEFILE_QUOTA C0000008=STATUS_INVALID_HANDLE
C0000009=STATUS_BAD_INITIAL_STACK C000000A=STATUS_BAD_INITIAL_PC C000000B=STATUS_INVALID_CID
C000000C=STATUS_TIMER_NOT_CANCELED C000000D=STATUS_INVALID_PARAMETER
C000000E=STATUS_NO_SUCH_DEVICE C000000F=STATUS_NO_SUCH_FILE
C0000010=STATUS_INVALID_DEVICE_REQUEST C0000011=STATUS_END_OF_FILE C0000012=STATUS_WRONG_VOLUME
C0000013=STATUS_NO_MEDIA_IN_DEVICE C0000014=STATUS_UNRECOGNIZED_MEDIA
C0000015=STATUS_NONEXISTENT_SECTOR C0000016=STATUS_MORE_PROCESSING_REQUIRED
C0000017=STATUS_NO_MEMORY C0000018=STATUS_CONFLICTING_ADDRESSES C0000019=STATUS_NOT_MAPPED_VIEW
C000001A=STATUS_UNABLE_TO_FREE_VM C000001B=STATUS_UNABLE_TO_DELETE_SECTION
C000001C=STATUS_INVALID_SYSTEM_SERVICE C000001D=STATUS_ILLEGAL_INSTRUCTION
C000001E=STATUS_INVALID_LOCK_SEQUENCE C000001F=STATUS_INVALID_VIEW_SIZE
C0000020=STATUS_INVALID_FILE_FOR_SECTION C0000021=STATUS_ALREADY_COMMITTED
C0000022=STATUS_ACCESS_DENIED C0000023=STATUS_BUFFER_TOO_SMALL
C0000024=STATUS_OBJECT_TYPE_MISMATCH C0000025=STATUS_NONCONTINUABLE_EXCEPTION
C0000026=STATUS_INVALID_DISPOSITION C0000027=STATUS_UNWIND C0000028=STATUS_BAD_STACK
C0000029=STATUS_INVALID_UNWIND_TARGET C000002A=STATUS_NOT_LOCKED C000002B=STATUS_PARITY_ERROR
C000002C=STATUS_UNABLE_TO_DECOMMIT_VM C000002D=STATUS_NOT_COMMITTED
C000002E=STATUS_INVALID_PORT_ATTRIBUTES C000002F=STATUS_PORT_MESSAGE_TOO_LONG
C0000030=STATUS_INVALID_PARAMETER_MIX C0000031=STATUS_INVALID_QUOTA_LOWER
C0000032=STATUS_DISK_CORRUPT_ERROR C0000033=STATUS_OBJECT_NAME_INVALID
C0000034=STATUS_OBJECT_NAME_NOT_FOUND C0000035=STATUS_OBJECT_NAME_COLLISION
C0000037=STATUS_PORT_DISCONNECTED C0000038=STATUS_DEVICE_ALREADY_ATTACHED
C0000039=STATUS_OBJECT_PATH_INVALID C000003A=STATUS_OBJECT_PATH_NOT_FOUND
C000003B=STATUS_OBJECT_PATH_SYNTAX_BAD C000003C=STATUS_DATA_OVERRUN
C000003D=STATUS_DATA_LATE_ERROR C000003E=STATUS_DATA_ERROR C000003F=STATUS_CRC_ERROR
C0000040=STATUS_SECTION_TOO_BIG C0000041=STATUS_PORT_CONNECTION_REFUSED
C0000042=STATUS_INVALID_PORT_HANDLE C0000043=STATUS_SHARING_VIOLATION
C0000044=STATUS_QUOTA_EXCEEDED C0000045=STATUS_INVALID_PAGE_PROTECTION
C0000046=STATUS_MUTANT_NOT_OWNED C0000047=STATUS_SEMAPHORE_LIMIT_EXCEEDED
C0000048=STATUS_PORT_ALREADY_SET C0000049=STATUS_SECTION_NOT_IMAGE
C000004A=STATUS_SUSPEND_COUNT_EXCEEDED C000004B=STATUS_THREAD_IS_TERMINATING
C000004C=STATUS_BAD_WORKING_SET_LIMIT C000004D=STATUS_INCOMPATIBLE_FILE_MAP
C000004E=STATUS_SECTION_PROTECTION C000004F=STATUS_EAS_NOT_SUPPORTED
C0000050=STATUS_EA_TOO_LARGE C0000051=STATUS_NONEXISTENT_EA_ENTRY C0000052=STATUS_NO_EAS_ON_FILE
C0000053=STATUS_EA_CORRUPT_ERROR C0000054=STATUS_FILE_LOCK_CONFLICT
C0000055=STATUS_LOCK_NOT_GRANTED C0000056=STATUS_DELETE_PENDING
C0000057=STATUS_CTL_FILE_NOT_SUPPORTED C0000058=STATUS_UNKNOWN_REVISION
C0000059=STATUS_REVISION_MISMATCH C000005A=STATUS_INVALID_OWNER
C000005B=STATUS_INVALID_PRIMARY_GROUP C000005C=STATUS_NO_IMPERSONATION_TOKEN
C000005D=STATUS_CANT_DISABLE_MANDATORY C000005E=STATUS_NO_LOGON_SERVERS
C000005F=STATUS_NO_SUCH_LOGON_SESSION C0000060=STATUS_NO_SUCH_PRIVILEGE
C0000061=STATUS_PRIVILEGE_NOT_HELD C0000062=STATUS_INVALID_ACCOUNT_NAME
C0000063=STATUS_USER_EXISTS C0000064=STATUS_NO_SUCH_USER C0000065=STATUS_GROUP_EXISTS
C0000066=STATUS_NO_SUCH_GROUP C0000067=STATUS_MEMBER_IN_GROUP
C0000068=STATUS_MEMBER_NOT_IN_GROUP C0000069=STATUS_LAST_ADMIN C000006A=STATUS_WRONG_PASSWORD
C000006B=STATUS_ILL_FORMED_PASSWORD C000006C=STATUS_PASSWORD_RESTRICTION
C000006D=STATUS_LOGON_FAILURE C000006E=STATUS_ACCOUNT_RESTRICTION
C000006F=STATUS_INVALID_LOGON_HOURS C0000070=STATUS_INVALID_WORKSTATION
C0000071=STATUS_PASSWORD_EXPIRED C0000072=STATUS_ACCOUNT_DISABLED C0000073=STATUS_NONE_MAPPED
C0000074=STATUS_TOO_MANY_LUIDS_REQUESTED C0000075=STATUS_LUIDS_EXHAUSTED
C0000076=STATUS_INVALID_SUB_AUTHORITY C0000077=STATUS_INVALID_ACL C0000078=STATUS_INVALID_SID
C0000079=STATUS_INVALID_SECURITY_DESCR C000007A=STATUS_PROCEDURE_NOT_FOUND
C000007B=STATUS_INVALID_IMAGE_FORMAT C000007C=STATUS_NO_TOKEN
C000007D=STATUS_BAD_INHERITANCE_ACL C000007E=STATUS_RANGE_NOT_LOCKED C000007F=STATUS_DISK_FULL
C0000080=STATUS_SERVER_DISABLED C0000081=STATUS_SERVER_NOT_DISABLED
C0000082=STATUS_TOO_MANY_GUIDS_REQUESTED C0000083=STATUS_GUIDS_EXHAUSTED
C0000084=STATUS_INVALID_ID_AUTHORITY C0000085=STATUS_AGENTS_EXHAUSTED
C0000086=STATUS_INVALID_VOLUME_LABEL C0000087=STATUS_SECTION_NOT_EXTENDED
C0000088=STATUS_NOT_MAPPED_DATA C0000089=STATUS_RESOURCE_DATA_NOT_FOUND
C000008A=STATUS_RESOURCE_TYPE_NOT_FOUND C000008B=STATUS_RESOURCE_NAME_NOT_FOUND
C000008C=STATUS_ARRAY_BOUNDS_EXCEEDED C000008D=STATUS_FLOAT_DENORMAL_OPERAND
C000008E=STATUS_FLOAT_DIVIDE_BY_ZERO C000008F=STATUS_FLOAT_INEXACT_RESULT
C0000090=STATUS_FLOAT_INVALID_OPERATION C0000091=STATUS_FLOAT_OVERFLOW
C0000092=STATUS_FLOAT_STACK_CHECK C0000093=STATUS_FLOAT_UNDERFLOW
C0000094=STATUS_INTEGER_DIVIDE_BY_ZERO C0000095=STATUS_INTEGER_OVERFLOW
C0000096=STATUS_PRIVILEGED_INSTRUCTION C0000097=STATUS_TOO_MANY_PAGING_FILES
C0000098=STATUS_FILE_INVALID C0000099=STATUS_ALLOTTED_SPACE_EXCEEDED
C000009A=STATUS_INSUFFICIENT_RESOURCES C000009B=STATUS_DFS_EXIT_PATH_FOUND
C000009C=STATUS_DEVICE_DATA_ERROR C000009D=STATUS_DEVICE_NOT_CONNECTED
C000009E=STATUS_DEVICE_POWER_FAILURE C000009F=STATUS_FREE_VM_NOT_AT_BASE
C00000A0=STATUS_MEMORY_NOT_ALLOCATED C00000A1=STATUS_WORKING_SET_QUOTA
C00000A2=STATUS_MEDIA_WRITE_PROTECTED C00000A3=STATUS_DEVICE_NOT_READY
C00000A4=STATUS_INVALID_GROUP_ATTRIBUTES C00000A5=STATUS_BAD_IMPERSONATION_LEVEL
C00000A6=STATUS_CANT_OPEN_ANONYMOUS C00000A7=STATUS_BAD_VALIDATION_CLASS
C00000A8=STATUS_BAD_TOKEN_TYPE C00000A9=STATUS_BAD_MASTER_BOOT_RECORD
C00000AA=STATUS_INSTRUCTION_MISALIGNMENT C00000AB=STATUS_INSTANCE_NOT_AVAILABLE
C00000AC=STATUS_PIPE_NOT_AVAILABLE C00000AD=STATUS_INVALID_PIPE_STATE C00000AE=STATUS_PIPE_BUSY
C00000AF=STATUS_ILLEGAL_FUNCTION C00000B0=STATUS_PIPE_DISCONNECTED C00000B1=STATUS_PIPE_CLOSING
C00000B2=STATUS_PIPE_CONNECTED C00000B3=STATUS_PIPE_LISTENING C00000B4=STATUS_INVALID_READ_MODE
C00000B5=STATUS_IO_TIMEOUT C00000B6=STATUS_FILE_FORCED_CLOSED
C00000B7=STATUS_PROFILING_NOT_STARTED C00000B8=STATUS_PROFILING_NOT_STOPPED
C00000B9=STATUS_COULD_NOT_INTERPRET C00000BA=STATUS_FILE_IS_A_DIRECTORY
C00000BB=STATUS_NOT_SUPPORTED C00000BC=STATUS_REMOTE_NOT_LISTENING
C00000BD=STATUS_DUPLICATE_NAME C00000BE=STATUS_BAD_NETWORK_PATH C00000BF=STATUS_NETWORK_BUSY
C00000C0=STATUS_DEVICE_DOES_NOT_EXIST C00000C1=STATUS_TOO_MANY_COMMANDS
C00000C2=STATUS_ADAPTER_HARDWARE_ERROR C00000C3=STATUS_INVALID_NETWORK_RESPONSE
C00000C4=STATUS_UNEXPECTED_NETWORK_ERROR C00000C5=STATUS_BAD_REMOTE_ADAPTER
C00000C6=STATUS_PRINT_QUEUE_FULL C00000C7=STATUS_NO_SPOOL_SPACE C00000C8=STATUS_PRINT_CANCELLED
C00000C9=STATUS_NETWORK_NAME_DELETED C00000CA=STATUS_NETWORK_ACCESS_DENIED
C00000CB=STATUS_BAD_DEVICE_TYPE C00000CC=STATUS_BAD_NETWORK_NAME C00000CD=STATUS_TOO_MANY_NAMES
C00000CE=STATUS_TOO_MANY_SESSIONS C00000CF=STATUS_SHARING_PAUSED
C00000D0=STATUS_REQUEST_NOT_ACCEPTED C00000D1=STATUS_REDIRECTOR_PAUSED
C00000D2=STATUS_NET_WRITE_FAULT C00000D3=STATUS_PROFILING_AT_LIMIT
C00000D4=STATUS_NOT_SAME_DEVICE C00000D5=STATUS_FILE_RENAMED
C00000D6=STATUS_VIRTUAL_CIRCUIT_CLOSED C00000D7=STATUS_NO_SECURITY_ON_OBJECT
C00000D8=STATUS_CANT_WAIT C00000D9=STATUS_PIPE_EMPTY C00000DA=STATUS_CANT_ACCESS_DOMAIN_INFO
C00000DB=STATUS_CANT_TERMINATE_SELF C00000DC=STATUS_INVALID_SERVER_STATE
C00000DD=STATUS_INVALID_DOMAIN_STATE C00000DE=STATUS_INVALID_DOMAIN_ROLE
C00000DF=STATUS_NO_SUCH_DOMAIN C00000E0=STATUS_DOMAIN_EXISTS
C00000E1=STATUS_DOMAIN_LIMIT_EXCEEDED C00000E2=STATUS_OPLOCK_NOT_GRANTED
C00000E3=STATUS_INVALID_OPLOCK_PROTOCOL C00000E4=STATUS_INTERNAL_DB_CORRUPTION
C00000E5=STATUS_INTERNAL_ERROR C00000E6=STATUS_GENERIC_NOT_MAPPED
C00000E7=STATUS_BAD_DESCRIPTOR_FORMAT C00000E8=STATUS_INVALID_USER_BUFFER
C00000E9=STATUS_UNEXPECTED_IO_ERROR C00000EA=STATUS_UNEXPECTED_MM_CREATE_ERR
C00000EB=STATUS_UNEXPECTED_MM_MAP_ERROR C00000EC=STATUS_UNEXPECTED_MM_EXTEND_ERR
C00000ED=STATUS_NOT_LOGON_PROCESS C00000EE=STATUS_LOGON_SESSION_EXISTS
C00000EF=STATUS_INVALID_PARAMETER_1 C00000F0=STATUS_INVALID_PARAMETER_2
C00000F1=STATUS_INVALID_PARAMETER_3 C00000F2=STATUS_INVALID_PARAMETER_4
C00000F3=STATUS_INVALID_PARAMETER_5 C00000F4=STATUS_INVALID_PARAMETER_6
C00000F5=STATUS_INVALID_PARAMETER_7 C00000F6=STATUS_INVALID_PARAMETER_8
C00000F7=STATUS_INVALID_PARAMETER_9 C00000F8=STATUS_INVALID_PARAMETER_10
C00000F9=STATUS_INVALID_PARAMETER_11 C00000FA=STATUS_INVALID_PARAMETER_12
C00000FB=STATUS_REDIRECTOR_NOT_STARTED C00000FC=STATUS_REDIRECTOR_STARTED
C00000FD=STATUS_STACK_OVERFLOW C00000FE=STATUS_NO_SUCH_PACKAGE
C00000FF=STATUS_BAD_FUNCTION_TABLE C0000100=STATUS_VARIABLE_NOT_FOUND
C0000101=STATUS_DIRECTORY_NOT_EMPTY C0000102=STATUS_FILE_CORRUPT_ERROR
C0000103=STATUS_NOT_A_DIRECTORY C0000104=STATUS_BAD_LOGON_SESSION_STATE
C0000105=STATUS_LOGON_SESSION_COLLISION C0000106=STATUS_NAME_TOO_LONG C0000107=STATUS_FILES_OPEN
C0000108=STATUS_CONNECTION_IN_USE C0000109=STATUS_MESSAGE_NOT_FOUND
C000010A=STATUS_PROCESS_IS_TERMINATING C000010B=STATUS_INVALID_LOGON_TYPE
C000010C=STATUS_NO_GUID_TRANSLATION C000010D=STATUS_CANNOT_IMPERSONATE
C000010E=STATUS_IMAGE_ALREADY_LOADED C0000117=STATUS_NO_LDT C0000118=STATUS_INVALID_LDT_SIZE
C0000119=STATUS_INVALID_LDT_OFFSET C000011A=STATUS_INVALID_LDT_DESCRIPTOR
C000011B=STATUS_INVALID_IMAGE_NE_FORMAT C000011C=STATUS_RXACT_INVALID_STATE
C000011D=STATUS_RXACT_COMMIT_FAILURE C000011E=STATUS_MAPPED_FILE_SIZE_ZERO
C000011F=STATUS_TOO_MANY_OPENED_FILES C0000120=STATUS_CANCELLED C0000121=STATUS_CANNOT_DELETE
C0000122=STATUS_INVALID_COMPUTER_NAME C0000123=STATUS_FILE_DELETED
C0000124=STATUS_SPECIAL_ACCOUNT C0000125=STATUS_SPECIAL_GROUP C0000126=STATUS_SPECIAL_USER
C0000127=STATUS_MEMBERS_PRIMARY_GROUP C0000128=STATUS_FILE_CLOSED
C0000129=STATUS_TOO_MANY_THREADS C000012A=STATUS_THREAD_NOT_IN_PROCESS
C000012B=STATUS_TOKEN_ALREADY_IN_USE C000012C=STATUS_PAGEFILE_QUOTA_EXCEEDED
C000012D=STATUS_COMMITMENT_LIMIT C000012E=STATUS_INVALID_IMAGE_LE_FORMAT
C000012F=STATUS_INVALID_IMAGE_NOT_MZ C0000130=STATUS_INVALID_IMAGE_PROTECT
C0000131=STATUS_INVALID_IMAGE_WIN_16 C0000132=STATUS_LOGON_SERVER_CONFLICT
C0000133=STATUS_TIME_DIFFERENCE_AT_DC C0000134=STATUS_SYNCHRONIZATION_REQUIRED
C0000135=STATUS_DLL_NOT_FOUND C0000136=STATUS_OPEN_FAILED C0000137=STATUS_IO_PRIVILEGE_FAILED
C0000138=STATUS_ORDINAL_NOT_FOUND C0000139=STATUS_ENTRYPOINT_NOT_FOUND
C000013A=STATUS_CONTROL_C_EXIT C000013B=STATUS_LOCAL_DISCONNECT
C000013C=STATUS_REMOTE_DISCONNECT C000013D=STATUS_REMOTE_RESOURCES C000013E=STATUS_LINK_FAILED
C000013F=STATUS_LINK_TIMEOUT C0000140=STATUS_INVALID_CONNECTION C0000141=STATUS_INVALID_ADDRESS
C0000142=STATUS_DLL_INIT_FAILED C0000143=STATUS_MISSING_SYSTEMFILE
C0000144=STATUS_UNHANDLED_EXCEPTION C0000145=STATUS_APP_INIT_FAILURE
C0000146=STATUS_PAGEFILE_CREATE_FAILED C0000147=STATUS_NO_PAGEFILE C0000148=STATUS_INVALID_LEVEL
C0000149=STATUS_WRONG_PASSWORD_CORE C000014A=STATUS_ILLEGAL_FLOAT_CONTEXT
C000014B=STATUS_PIPE_BROKEN C000014C=STATUS_REGISTRY_CORRUPT C000014D=STATUS_REGISTRY_IO_FAILED
C000014E=STATUS_NO_EVENT_PAIR C000014F=STATUS_UNRECOGNIZED_VOLUME
C0000150=STATUS_SERIAL_NO_DEVICE_INITED C0000151=STATUS_NO_SUCH_ALIAS
C0000152=STATUS_MEMBER_NOT_IN_ALIAS C0000153=STATUS_MEMBER_IN_ALIAS C0000154=STATUS_ALIAS_EXISTS
C0000155=STATUS_LOGON_NOT_GRANTED C0000156=STATUS_TOO_MANY_SECRETS
C0000157=STATUS_SECRET_TOO_LONG C0000158=STATUS_INTERNAL_DB_ERROR
C0000159=STATUS_FULLSCREEN_MODE C000015A=STATUS_TOO_MANY_CONTEXT_IDS
C000015B=STATUS_LOGON_TYPE_NOT_GRANTED C000015C=STATUS_NOT_REGISTRY_FILE
C000015D=STATUS_NT_CROSS_ENCRYPTION_REQUIRED C000015E=STATUS_DOMAIN_CTRLR_CONFIG_ERROR
C000015F=STATUS_FT_MISSING_MEMBER C0000160=STATUS_ILL_FORMED_SERVICE_ENTRY
C0000161=STATUS_ILLEGAL_CHARACTER C0000162=STATUS_UNMAPPABLE_CHARACTER
C0000163=STATUS_UNDEFINED_CHARACTER C0000164=STATUS_FLOPPY_VOLUME
C0000165=STATUS_FLOPPY_ID_MARK_NOT_FOUND C0000166=STATUS_FLOPPY_WRONG_CYLINDER
C0000167=STATUS_FLOPPY_UNKNOWN_ERROR C0000168=STATUS_FLOPPY_BAD_REGISTERS
C0000169=STATUS_DISK_RECALIBRATE_FAILED C000016A=STATUS_DISK_OPERATION_FAILED
C000016B=STATUS_DISK_RESET_FAILED C000016C=STATUS_SHARED_IRQ_BUSY C000016D=STATUS_FT_ORPHANING
C000016E=STATUS_BIOS_FAILED_TO_CONNECT_INTERRUPT C0000172=STATUS_PARTITION_FAILURE
C0000173=STATUS_INVALID_BLOCK_LENGTH C0000174=STATUS_DEVICE_NOT_PARTITIONED
C0000175=STATUS_UNABLE_TO_LOCK_MEDIA C0000176=STATUS_UNABLE_TO_UNLOAD_MEDIA
C0000177=STATUS_EOM_OVERFLOW C0000178=STATUS_NO_MEDIA C000017A=STATUS_NO_SUCH_MEMBER
C000017B=STATUS_INVALID_MEMBER C000017C=STATUS_KEY_DELETED C000017D=STATUS_NO_LOG_SPACE
C000017E=STATUS_TOO_MANY_SIDS C000017F=STATUS_LM_CROSS_ENCRYPTION_REQUIRED
C0000180=STATUS_KEY_HAS_CHILDREN C0000181=STATUS_CHILD_MUST_BE_VOLATILE
C0000182=STATUS_DEVICE_CONFIGURATION_ERROR C0000183=STATUS_DRIVER_INTERNAL_ERROR
C0000184=STATUS_INVALID_DEVICE_STATE C0000185=STATUS_IO_DEVICE_ERROR
C0000186=STATUS_DEVICE_PROTOCOL_ERROR C0000187=STATUS_BACKUP_CONTROLLER
C0000188=STATUS_LOG_FILE_FULL C0000189=STATUS_TOO_LATE C000018A=STATUS_NO_TRUST_LSA_SECRET
C000018B=STATUS_NO_TRUST_SAM_ACCOUNT C000018C=STATUS_TRUSTED_DOMAIN_FAILURE
C000018D=STATUS_TRUSTED_RELATIONSHIP_FAILURE C000018E=STATUS_EVENTLOG_FILE_CORRUPT
C000018F=STATUS_EVENTLOG_CANT_START C0000190=STATUS_TRUST_FAILURE
C0000191=STATUS_MUTANT_LIMIT_EXCEEDED C0000192=STATUS_NETLOGON_NOT_STARTED
C0000193=STATUS_ACCOUNT_EXPIRED C0000194=STATUS_POSSIBLE_DEADLOCK
C0000195=STATUS_NETWORK_CREDENTIAL_CONFLICT C0000196=STATUS_REMOTE_SESSION_LIMIT
C0000197=STATUS_EVENTLOG_FILE_CHANGED C0000198=STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT
C0000199=STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT C000019A=STATUS_NOLOGON_SERVER_TRUST_ACCOUNT
C000019B=STATUS_DOMAIN_TRUST_INCONSISTENT C000019C=STATUS_FS_DRIVER_REQUIRED
C000019D=STATUS_IMAGE_ALREADY_LOADED_AS_DLL C0000202=STATUS_NO_USER_SESSION_KEY
C0000203=STATUS_USER_SESSION_DELETED C0000204=STATUS_RESOURCE_LANG_NOT_FOUND
C0000205=STATUS_INSUFF_SERVER_RESOURCES C0000206=STATUS_INVALID_BUFFER_SIZE
C0000207=STATUS_INVALID_ADDRESS_COMPONENT C0000208=STATUS_INVALID_ADDRESS_WILDCARD
C0000209=STATUS_TOO_MANY_ADDRESSES C000020A=STATUS_ADDRESS_ALREADY_EXISTS
C000020B=STATUS_ADDRESS_CLOSED C000020C=STATUS_CONNECTION_DISCONNECTED
C000020D=STATUS_CONNECTION_RESET C000020E=STATUS_TOO_MANY_NODES
C000020F=STATUS_TRANSACTION_ABORTED C0000210=STATUS_TRANSACTION_TIMED_OUT
C0000211=STATUS_TRANSACTION_NO_RELEASE C0000212=STATUS_TRANSACTION_NO_MATCH
C0000213=STATUS_TRANSACTION_RESPONDED C0000214=STATUS_TRANSACTION_INVALID_ID
C0000215=STATUS_TRANSACTION_INVALID_TYPE C0000216=STATUS_NOT_SERVER_SESSION
C0000217=STATUS_NOT_CLIENT_SESSION C0000218=STATUS_CANNOT_LOAD_REGISTRY_FILE
C0000219=STATUS_DEBUG_ATTACH_FAILED C000021A=STATUS_SYSTEM_PROCESS_TERMINATED
C000021B=STATUS_DATA_NOT_ACCEPTED C000021C=STATUS_NO_BROWSER_SERVERS_FOUND
C000021D=STATUS_VDM_HARD_ERROR C000021E=STATUS_DRIVER_CANCEL_TIMEOUT
C000021F=STATUS_REPLY_MESSAGE_MISMATCH C0000220=STATUS_MAPPED_ALIGNMENT
C0000221=STATUS_IMAGE_CHECKSUM_MISMATCH C0000222=STATUS_LOST_WRITEBEHIND_DATA
C0000223=STATUS_CLIENT_SERVER_PARAMETERS_INVALID C0000224=STATUS_PASSWORD_MUST_CHANGE
C0000225=STATUS_NOT_FOUND C0000226=STATUS_NOT_TINY_STREAM C0000227=STATUS_RECOVERY_FAILURE
C0000228=STATUS_STACK_OVERFLOW_READ C0000229=STATUS_FAIL_CHECK
C000022A=STATUS_DUPLICATE_OBJECTID C000022B=STATUS_OBJECTID_EXISTS
C000022C=STATUS_CONVERT_TO_LARGE C000022D=STATUS_RETRY C000022E=STATUS_FOUND_OUT_OF_SCOPE
C000022F=STATUS_ALLOCATE_BUCKET C0000230=STATUS_PROPSET_NOT_FOUND
C0000231=STATUS_MARSHALL_OVERFLOW C0000232=STATUS_INVALID_VARIANT
C0000233=STATUS_DOMAIN_CONTROLLER_NOT_FOUND C0000234=STATUS_ACCOUNT_LOCKED_OUT
C0000235=STATUS_HANDLE_NOT_CLOSABLE C0000236=STATUS_CONNECTION_REFUSED
C0000237=STATUS_GRACEFUL_DISCONNECT C0000238=STATUS_ADDRESS_ALREADY_ASSOCIATED
C0000239=STATUS_ADDRESS_NOT_ASSOCIATED C000023A=STATUS_CONNECTION_INVALID
C000023B=STATUS_CONNECTION_ACTIVE C000023C=STATUS_NETWORK_UNREACHABLE
C000023D=STATUS_HOST_UNREACHABLE C000023E=STATUS_PROTOCOL_UNREACHABLE
C000023F=STATUS_PORT_UNREACHABLE C0000240=STATUS_REQUEST_ABORTED
C0000241=STATUS_CONNECTION_ABORTED C0000242=STATUS_BAD_COMPRESSION_BUFFER
C0000243=STATUS_USER_MAPPED_FILE C0000244=STATUS_AUDIT_FAILED
C0000245=STATUS_TIMER_RESOLUTION_NOT_SET C0000246=STATUS_CONNECTION_COUNT_LIMIT
C0000247=STATUS_LOGIN_TIME_RESTRICTION C0000248=STATUS_LOGIN_WKSTA_RESTRICTION
C0000249=STATUS_IMAGE_MP_UP_MISMATCH C0000250=STATUS_INSUFFICIENT_LOGON_INFO
C0000251=STATUS_BAD_DLL_ENTRYPOINT C0000252=STATUS_BAD_SERVICE_ENTRYPOINT
C0000253=STATUS_LPC_REPLY_LOST C0000254=STATUS_IP_ADDRESS_CONFLICT1
C0000255=STATUS_IP_ADDRESS_CONFLICT2 C0000256=STATUS_REGISTRY_QUOTA_LIMIT
C0000257=STATUS_PATH_NOT_COVERED C0000258=STATUS_NO_CALLBACK_ACTIVE
C0000259=STATUS_LICENSE_QUOTA_EXCEEDED C000025A=STATUS_PWD_TOO_SHORT
C000025B=STATUS_PWD_TOO_RECENT C000025C=STATUS_PWD_HISTORY_CONFLICT
C000025E=STATUS_PLUGPLAY_NO_DEVICE C000025F=STATUS_UNSUPPORTED_COMPRESSION
C0000260=STATUS_INVALID_HW_PROFILE C0000261=STATUS_INVALID_PLUGPLAY_DEVICE_PATH
C0000262=STATUS_DRIVER_ORDINAL_NOT_FOUND C0000263=STATUS_DRIVER_ENTRYPOINT_NOT_FOUND
C0000264=STATUS_RESOURCE_NOT_OWNED C0000265=STATUS_TOO_MANY_LINKS
C0000266=STATUS_QUOTA_LIST_INCONSISTENT C0000267=STATUS_FILE_IS_OFFLINE
C0000268=STATUS_EVALUATION_EXPIRATION C0000269=STATUS_ILLEGAL_DLL_RELOCATION
C000026A=STATUS_LICENSE_VIOLATION C000026B=STATUS_DLL_INIT_FAILED_LOGOFF
C000026C=STATUS_DRIVER_UNABLE_TO_LOAD C000026D=STATUS_DFS_UNAVAILABLE
C000026E=STATUS_VOLUME_DISMOUNTED C000026F=STATUS_WX86_INTERNAL_ERROR
C0000270=STATUS_WX86_FLOAT_STACK_CHECK C0000271=STATUS_VALIDATE_CONTINUE
C0000272=STATUS_NO_MATCH C0000273=STATUS_NO_MORE_MATCHES C0000275=STATUS_NOT_A_REPARSE_POINT
C0000276=STATUS_IO_REPARSE_TAG_INVALID C0000277=STATUS_IO_REPARSE_TAG_MISMATCH
C0000278=STATUS_IO_REPARSE_DATA_INVALID C0000279=STATUS_IO_REPARSE_TAG_NOT_HANDLED
C0000280=STATUS_REPARSE_POINT_NOT_RESOLVED C0000281=STATUS_DIRECTORY_IS_A_REPARSE_POINT
C0000282=STATUS_RANGE_LIST_CONFLICT C0000283=STATUS_SOURCE_ELEMENT_EMPTY
C0000284=STATUS_DESTINATION_ELEMENT_FULL C0000285=STATUS_ILLEGAL_ELEMENT_ADDRESS
C0000286=STATUS_MAGAZINE_NOT_PRESENT C0000287=STATUS_REINITIALIZATION_NEEDED
C000028A=STATUS_ENCRYPTION_FAILED C000028B=STATUS_DECRYPTION_FAILED
C000028C=STATUS_RANGE_NOT_FOUND C000028D=STATUS_NO_RECOVERY_POLICY C000028E=STATUS_NO_EFS
C000028F=STATUS_WRONG_EFS C0000290=STATUS_NO_USER_KEYS C0000291=STATUS_FILE_NOT_ENCRYPTED
C0000292=STATUS_NOT_EXPORT_FORMAT C0000293=STATUS_FILE_ENCRYPTED
C0000295=STATUS_WMI_GUID_NOT_FOUND C0000296=STATUS_WMI_INSTANCE_NOT_FOUND
C0000297=STATUS_WMI_ITEMID_NOT_FOUND C0000298=STATUS_WMI_TRY_AGAIN C0000299=STATUS_SHARED_POLICY
C000029A=STATUS_POLICY_OBJECT_NOT_FOUND C000029B=STATUS_POLICY_ONLY_IN_DS
C000029C=STATUS_VOLUME_NOT_UPGRADED C000029D=STATUS_REMOTE_STORAGE_NOT_ACTIVE
C000029E=STATUS_REMOTE_STORAGE_MEDIA_ERROR C000029F=STATUS_NO_TRACKING_SERVICE
C00002A0=STATUS_SERVER_SID_MISMATCH C00002A1=STATUS_DS_NO_ATTRIBUTE_OR_VALUE
C00002A2=STATUS_DS_INVALID_ATTRIBUTE_SYNTAX C00002A3=STATUS_DS_ATTRIBUTE_TYPE_UNDEFINED
C00002A4=STATUS_DS_ATTRIBUTE_OR_VALUE_EXISTS C00002A5=STATUS_DS_BUSY
C00002A6=STATUS_DS_UNAVAILABLE C00002A7=STATUS_DS_NO_RIDS_ALLOCATED
C00002A8=STATUS_DS_NO_MORE_RIDS C00002A9=STATUS_DS_INCORRECT_ROLE_OWNER
C00002AA=STATUS_DS_RIDMGR_INIT_ERROR C00002AB=STATUS_DS_OBJ_CLASS_VIOLATION
C00002AC=STATUS_DS_CANT_ON_NON_LEAF C00002AD=STATUS_DS_CANT_ON_RDN
C00002AE=STATUS_DS_CANT_MOD_OBJ_CLASS C00002AF=STATUS_DS_CROSS_DOM_MOVE_FAILED
C00002B0=STATUS_DS_GC_NOT_AVAILABLE C00002B1=STATUS_DIRECTORY_SERVICE_REQUIRED
C00002B2=STATUS_REPARSE_ATTRIBUTE_CONFLICT C00002B3=STATUS_CANT_ENABLE_DENY_ONLY
C00002B4=STATUS_FLOAT_MULTIPLE_FAULTS C00002B5=STATUS_FLOAT_MULTIPLE_TRAPS
C00002B6=STATUS_DEVICE_REMOVED C00002B7=STATUS_JOURNAL_DELETE_IN_PROGRESS
C00002B8=STATUS_JOURNAL_NOT_ACTIVE C00002B9=STATUS_NOINTERFACE
C00002C1=STATUS_DS_ADMIN_LIMIT_EXCEEDED C00002C2=STATUS_DRIVER_FAILED_SLEEP
C00002C3=STATUS_MUTUAL_AUTHENTICATION_FAILED C00002C4=STATUS_CORRUPT_SYSTEM_FILE
C00002C5=STATUS_DATATYPE_MISALIGNMENT_ERROR C00002C6=STATUS_WMI_READ_ONLY
C00002C7=STATUS_WMI_SET_FAILURE C00002C8=STATUS_COMMITMENT_MINIMUM
C00002C9=STATUS_REG_NAT_CONSUMPTION C00002CA=STATUS_TRANSPORT_FULL
C00002CB=STATUS_DS_SAM_INIT_FAILURE C00002CC=STATUS_ONLY_IF_CONNECTED
C00002CD=STATUS_DS_SENSITIVE_GROUP_VIOLATION C00002CE=STATUS_PNP_RESTART_ENUMERATION
C00002CF=STATUS_JOURNAL_ENTRY_DELETED C00002D0=STATUS_DS_CANT_MOD_PRIMARYGROUPID
C00002D1=STATUS_SYSTEM_IMAGE_BAD_SIGNATURE C00002D2=STATUS_PNP_REBOOT_REQUIRED
C00002D3=STATUS_POWER_STATE_INVALID C00002D4=STATUS_DS_INVALID_GROUP_TYPE
C00002DF=STATUS_SAM_NEED_BOOTKEY_PASSWORD C00002E0=STATUS_SAM_NEED_BOOTKEY_FLOPPY
C00002E1=STATUS_DS_CANT_START C00002E2=STATUS_DS_INIT_FAILURE C00002E3=STATUS_SAM_INIT_FAILURE
C00002E4=STATUS_DS_GC_REQUIRED C00002E5=STATUS_DS_LOCAL_MEMBER_OF_LOCAL_ONLY
C00002E6=STATUS_DS_NO_FPO_IN_UNIVERSAL_GROUPS C00002E7=STATUS_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED
C00002E9=STATUS_CURRENT_DOMAIN_NOT_ALLOWED C00002EA=STATUS_CANNOT_MAKE
C00002EB=STATUS_SYSTEM_SHUTDOWN C00002EC=STATUS_DS_INIT_FAILURE_CONSOLE
C00002ED=STATUS_DS_SAM_INIT_FAILURE_CONSOLE C00002EE=STATUS_UNFINISHED_CONTEXT_DELETED
C00002EF=STATUS_NO_TGT_REPLY C00002F0=STATUS_OBJECTID_NOT_FOUND C00002F1=STATUS_NO_IP_ADDRESSES
C00002F2=STATUS_WRONG_CREDENTIAL_HANDLE C00002F3=STATUS_CRYPTO_SYSTEM_INVALID
C00002F4=STATUS_MAX_REFERRALS_EXCEEDED C00002F5=STATUS_MUST_BE_KDC
C00002F6=STATUS_STRONG_CRYPTO_NOT_SUPPORTED C00002F7=STATUS_TOO_MANY_PRINCIPALS
C00002F8=STATUS_NO_PA_DATA C00002F9=STATUS_PKINIT_NAME_MISMATCH
C00002FA=STATUS_SMARTCARD_LOGON_REQUIRED C00002FB=STATUS_KDC_INVALID_REQUEST
C00002FC=STATUS_KDC_UNABLE_TO_REFER C00002FD=STATUS_KDC_UNKNOWN_ETYPE
C00002FE=STATUS_SHUTDOWN_IN_PROGRESS C00002FF=STATUS_SERVER_SHUTDOWN_IN_PROGRESS
C0000300=STATUS_NOT_SUPPORTED_ON_SBS C0000301=STATUS_WMI_GUID_DISCONNECTED
C0000302=STATUS_WMI_ALREADY_DISABLED C0000303=STATUS_WMI_ALREADY_ENABLED
C0000304=STATUS_MFT_TOO_FRAGMENTED C0000305=STATUS_COPY_PROTECTION_FAILURE
C0000306=STATUS_CSS_AUTHENTICATION_FAILURE C0000307=STATUS_CSS_KEY_NOT_PRESENT
C0000308=STATUS_CSS_KEY_NOT_ESTABLISHED C0000309=STATUS_CSS_SCRAMBLED_SECTOR
C000030A=STATUS_CSS_REGION_MISMATCH C000030B=STATUS_CSS_RESETS_EXHAUSTED
C0000320=STATUS_PKINIT_FAILURE C0000321=STATUS_SMARTCARD_SUBSYSTEM_FAILURE
C0000322=STATUS_NO_KERB_KEY C0000350=STATUS_HOST_DOWN C0000351=STATUS_UNSUPPORTED_PREAUTH
C0000352=STATUS_EFS_ALG_BLOB_TOO_BIG C0000353=STATUS_PORT_NOT_SET
C0000354=STATUS_DEBUGGER_INACTIVE C0000355=STATUS_DS_VERSION_CHECK_FAILURE
C0000356=STATUS_AUDITING_DISABLED C0000357=STATUS_PRENT4_MACHINE_ACCOUNT
C0000358=STATUS_DS_AG_CANT_HAVE_UNIVERSAL_MEMBER C0000359=STATUS_INVALID_IMAGE_WIN_32
C000035A=STATUS_INVALID_IMAGE_WIN_64 C000035B=STATUS_BAD_BINDINGS
C000035C=STATUS_NETWORK_SESSION_EXPIRED C000035D=STATUS_APPHELP_BLOCK
C000035E=STATUS_ALL_SIDS_FILTERED C000035F=STATUS_NOT_SAFE_MODE_DRIVER
C0000361=STATUS_ACCESS_DISABLED_BY_POLICY_DEFAULT C0000362=STATUS_ACCESS_DISABLED_BY_POLICY_PATH
C0000363=STATUS_ACCESS_DISABLED_BY_POLICY_PUBLISHER
C0000364=STATUS_ACCESS_DISABLED_BY_POLICY_OTHER C0000365=STATUS_FAILED_DRIVER_ENTRY
C0000366=STATUS_DEVICE_ENUMERATION_ERROR C0000368=STATUS_MOUNT_POINT_NOT_RESOLVED
C0000369=STATUS_INVALID_DEVICE_OBJECT_PARAMETER C000036A=STATUS_MCA_OCCURED
C000036B=STATUS_DRIVER_BLOCKED_CRITICAL C000036C=STATUS_DRIVER_BLOCKED
C000036D=STATUS_DRIVER_DATABASE_ERROR C000036E=STATUS_SYSTEM_HIVE_TOO_LARGE
C000036F=STATUS_INVALID_IMPORT_OF_NON_DLL C0000371=STATUS_NO_SECRETS
C0000372=STATUS_ACCESS_DISABLED_NO_SAFER_UI_BY_POLICY C0000373=STATUS_FAILED_STACK_SWITCH
C0000374=STATUS_HEAP_CORRUPTION C0000380=STATUS_SMARTCARD_WRONG_PIN
C0000381=STATUS_SMARTCARD_CARD_BLOCKED C0000382=STATUS_SMARTCARD_CARD_NOT_AUTHENTICATED
C0000383=STATUS_SMARTCARD_NO_CARD C0000384=STATUS_SMARTCARD_NO_KEY_CONTAINER
C0000385=STATUS_SMARTCARD_NO_CERTIFICATE C0000386=STATUS_SMARTCARD_NO_KEYSET
C0000387=STATUS_SMARTCARD_IO_ERROR C0000388=STATUS_DOWNGRADE_DETECTED
C0000389=STATUS_SMARTCARD_CERT_REVOKED C000038A=STATUS_ISSUING_CA_UNTRUSTED
C000038B=STATUS_REVOCATION_OFFLINE_C C000038C=STATUS_PKINIT_CLIENT_FAILURE
C000038D=STATUS_SMARTCARD_CERT_EXPIRED C000038E=STATUS_DRIVER_FAILED_PRIOR_UNLOAD
C000038F=STATUS_SMARTCARD_SILENT_CONTEXT C0000401=STATUS_PER_USER_TRUST_QUOTA_EXCEEDED
C0000402=STATUS_ALL_USER_TRUST_QUOTA_EXCEEDED C0000403=STATUS_USER_DELETE_TRUST_QUOTA_EXCEEDED
C0000404=STATUS_DS_NAME_NOT_UNIQUE C0000405=STATUS_DS_DUPLICATE_ID_FOUND
C0000406=STATUS_DS_GROUP_CONVERSION_ERROR C0000407=STATUS_VOLSNAP_PREPARE_HIBERNATE
C0000408=STATUS_USER2USER_REQUIRED C0000409=STATUS_STACK_BUFFER_OVERRUN
C000040A=STATUS_NO_S4U_PROT_SUPPORT C000040B=STATUS_CROSSREALM_DELEGATION_FAILURE
C000040C=STATUS_REVOCATION_OFFLINE_KDC C000040D=STATUS_ISSUING_CA_UNTRUSTED_KDC
C000040E=STATUS_KDC_CERT_EXPIRED C000040F=STATUS_KDC_CERT_REVOKED
C0000410=STATUS_PARAMETER_QUOTA_EXCEEDED C0000411=STATUS_HIBERNATION_FAILURE
C0000412=STATUS_DELAY_LOAD_FAILED C0000413=STATUS_AUTHENTICATION_FIREWALL_FAILED
C0000414=STATUS_VDM_DISALLOWED C0000415=STATUS_HUNG_DISPLAY_DRIVER_THREAD
C0000416=STATUS_INSUFFICIENT_RESOURCE_FOR_SPECIFIED_SHARED_SECTION_SIZE
C0000417=STATUS_INVALID_CRUNTIME_PARAMETER C0000418=STATUS_NTLM_BLOCKED
C0000419=STATUS_DS_SRC_SID_EXISTS_IN_FOREST C000041A=STATUS_DS_DOMAIN_NAME_EXISTS_IN_FOREST
C000041B=STATUS_DS_FLAT_NAME_EXISTS_IN_FOREST C000041C=STATUS_INVALID_USER_PRINCIPAL_NAME
C0000420=STATUS_ASSERTION_FAILURE C0000421=STATUS_VERIFIER_STOP
C0000423=STATUS_CALLBACK_POP_STACK C0000424=STATUS_INCOMPATIBLE_DRIVER_BLOCKED
C0000425=STATUS_HIVE_UNLOADED C0000426=STATUS_COMPRESSION_DISABLED
C0000427=STATUS_FILE_SYSTEM_LIMITATION C0000428=STATUS_INVALID_IMAGE_HASH
C0000429=STATUS_NOT_CAPABLE C000042A=STATUS_REQUEST_OUT_OF_SEQUENCE
C000042B=STATUS_IMPLEMENTATION_LIMIT C000042C=STATUS_ELEVATION_REQUIRED
C000042D=STATUS_NO_SECURITY_CONTEXT C000042E=STATUS_PKU2U_CERT_FAILURE
C0000432=STATUS_BEYOND_VDL C0000433=STATUS_ENCOUNTERED_WRITE_IN_PROGRESS
C0000434=STATUS_PTE_CHANGED C0000435=STATUS_PURGE_FAILED
C0000440=STATUS_CRED_REQUIRES_CONFIRMATION C0000441=STATUS_CS_ENCRYPTION_INVALID_SERVER_RESPONSE
C0000442=STATUS_CS_ENCRYPTION_UNSUPPORTED_SERVER
C0000443=STATUS_CS_ENCRYPTION_EXISTING_ENCRYPTED_FILE
C0000444=STATUS_CS_ENCRYPTION_NEW_ENCRYPTED_FILE C0000445=STATUS_CS_ENCRYPTION_FILE_NOT_CSE
C0000446=STATUS_INVALID_LABEL C0000450=STATUS_DRIVER_PROCESS_TERMINATED
C0000451=STATUS_AMBIGUOUS_SYSTEM_DEVICE C0000452=STATUS_SYSTEM_DEVICE_NOT_FOUND
C0000453=STATUS_RESTART_BOOT_APPLICATION C0000454=STATUS_INSUFFICIENT_NVRAM_RESOURCES
C0000500=STATUS_INVALID_TASK_NAME C0000501=STATUS_INVALID_TASK_INDEX
C0000502=STATUS_THREAD_ALREADY_IN_TASK C0000503=STATUS_CALLBACK_BYPASS
C0000602=STATUS_FAIL_FAST_EXCEPTION C0000603=STATUS_IMAGE_CERT_REVOKED
C0000700=STATUS_PORT_CLOSED C0000701=STATUS_MESSAGE_LOST C0000702=STATUS_INVALID_MESSAGE
C0000703=STATUS_REQUEST_CANCELED C0000704=STATUS_RECURSIVE_DISPATCH
C0000705=STATUS_LPC_RECEIVE_BUFFER_EXPECTED C0000706=STATUS_LPC_INVALID_CONNECTION_USAGE
C0000707=STATUS_LPC_REQUESTS_NOT_ALLOWED C0000708=STATUS_RESOURCE_IN_USE
C0000709=STATUS_HARDWARE_MEMORY_ERROR C000070A=STATUS_THREADPOOL_HANDLE_EXCEPTION
C0000711=STATUS_APC_RETURNED_WHILE_IMPERSONATING C0000712=STATUS_PROCESS_IS_PROTECTED
C0000713=STATUS_MCA_EXCEPTION C0000714=STATUS_CERTIFICATE_MAPPING_NOT_UNIQUE
C0000715=STATUS_SYMLINK_CLASS_DISABLED C0000716=STATUS_INVALID_IDN_NORMALIZATION
C0000717=STATUS_NO_UNICODE_TRANSLATION C0000718=STATUS_ALREADY_REGISTERED
C0000719=STATUS_CONTEXT_MISMATCH C000071A=STATUS_PORT_ALREADY_HAS_COMPLETION_LIST
C000071B=STATUS_CALLBACK_RETURNED_THREAD_PRIORITY C000071C=STATUS_INVALID_THREAD
C000071D=STATUS_CALLBACK_RETURNED_TRANSACTION C000071E=STATUS_CALLBACK_RETURNED_LDR_LOCK
C000071F=STATUS_CALLBACK_RETURNED_LANG C0000720=STATUS_CALLBACK_RETURNED_PRI_BACK
C0000800=STATUS_DISK_REPAIR_DISABLED C0000801=STATUS_DS_DOMAIN_RENAME_IN_PROGRESS
C0000802=STATUS_DISK_QUOTA_EXCEEDED C0000804=STATUS_CONTENT_BLOCKED C0000805=STATUS_BAD_CLUSTERS
C0000806=STATUS_VOLUME_DIRTY C0000901=STATUS_FILE_CHECKED_OUT C0000902=STATUS_CHECKOUT_REQUIRED
C0000903=STATUS_BAD_FILE_TYPE C0000904=STATUS_FILE_TOO_LARGE C0000905=STATUS_FORMS_AUTH_REQUIRED
C0000906=STATUS_VIRUS_INFECTED C0000907=STATUS_VIRUS_DELETED C0000908=STATUS_BAD_MCFG_TABLE
C0000909=STATUS_CANNOT_BREAK_OPLOCK C0009898=STATUS_WOW_ASSERTION
C000A000=STATUS_INVALID_SIGNATURE C000A001=STATUS_HMAC_NOT_SUPPORTED
C000A010=STATUS_IPSEC_QUEUE_OVERFLOW C000A011=STATUS_ND_QUEUE_OVERFLOW
C000A012=STATUS_HOPLIMIT_EXCEEDED C000A013=STATUS_PROTOCOL_NOT_SUPPORTED
C000A080=STATUS_LOST_WRITEBEHIND_DATA_NETWORK_DISCONNECTED
C000A081=STATUS_LOST_WRITEBEHIND_DATA_NETWORK_SERVER_ERROR
C000A082=STATUS_LOST_WRITEBEHIND_DATA_LOCAL_DISK_ERROR C000A083=STATUS_XML_PARSE_ERROR
C000A084=STATUS_XMLDSIG_ERROR C000A085=STATUS_WRONG_COMPARTMENT C000A086=STATUS_AUTHIP_FAILURE
C000A087=STATUS_DS_OID_MAPPED_GROUP_CANT_HAVE_MEMBERS C000A088=STATUS_DS_OID_NOT_FOUND
C000A100=STATUS_HASH_NOT_SUPPORTED C000A101=STATUS_HASH_NOT_PRESENT
C0040035=STATUS_PNP_BAD_MPS_TABLE C0040036=STATUS_PNP_TRANSLATION_FAILED
C0040037=STATUS_PNP_IRQ_TRANSLATION_FAILED C0040038=STATUS_PNP_INVALID_ID
C0040039=STATUS_IO_REISSUE_AS_CACHED C00A0001=STATUS_CTX_WINSTATION_NAME_INVALID
C0130004=STATUS_CLUSTER_NODE_NOT_FOUND C0140001=STATUS_ACPI_INVALID_OPCODE
C0140002=STATUS_ACPI_STACK_OVERFLOW C0140003=STATUS_ACPI_ASSERT_FAILED
C0140004=STATUS_ACPI_INVALID_INDEX C0140005=STATUS_ACPI_INVALID_ARGUMENT
C0140006=STATUS_ACPI_FATAL C0190001=STATUS_TRANSACTIONAL_CONFLICT
C0190003=STATUS_TRANSACTION_NOT_ACTIVE C01A001D=STATUS_LOG_FULL
C01B00EA=STATUS_VIDEO_HUNG_DISPLAY_DRIVER_THREAD C01E0004=STATUS_GRAPHICS_INVALID_DRIVER_MODEL
C0220001=STATUS_FWP_CALLOUT_NOT_FOUND C0220003=STATUS_FWP_FILTER_NOT_FOUND
C0220009=STATUS_FWP_ALREADY_EXISTS C022000A=STATUS_FWP_IN_USE C0220012=STATUS_FWP_TIMEOUT
C0230002=STATUS_NDIS_CLOSING C0230004=STATUS_NDIS_BAD_VERSION
C0230005=STATUS_NDIS_BAD_CHARACTERISTICS C0230006=STATUS_NDIS_ADAPTER_NOT_FOUND
C0230007=STATUS_NDIS_OPEN_FAILED C0230008=STATUS_NDIS_DEVICE_FAILED
C0230009=STATUS_NDIS_MULTICAST_FULL C023000A=STATUS_NDIS_MULTICAST_EXISTS
C023000B=STATUS_NDIS_MULTICAST_NOT_FOUND C023000C=STATUS_NDIS_REQUEST_ABORTED
C023000D=STATUS_NDIS_RESET_IN_PROGRESS C023000F=STATUS_NDIS_INVALID_PACKET
C0230010=STATUS_NDIS_INVALID_DEVICE_REQUEST C0230011=STATUS_NDIS_ADAPTER_NOT_READY
C0230014=STATUS_NDIS_INVALID_LENGTH C0230015=STATUS_NDIS_INVALID_DATA
C0230016=STATUS_NDIS_BUFFER_TOO_SHORT C0230017=STATUS_NDIS_INVALID_OID
C0230018=STATUS_NDIS_ADAPTER_REMOVED C0230019=STATUS_NDIS_UNSUPPORTED_MEDIA
C023001A=STATUS_NDIS_GROUP_ADDRESS_IN_USE C023001B=STATUS_NDIS_FILE_NOT_FOUND
C023001C=STATUS_NDIS_ERROR_READING_FILE C023001D=STATUS_NDIS_ALREADY_MAPPED
C023001E=STATUS_NDIS_RESOURCE_CONFLICT C023001F=STATUS_NDIS_MEDIA_DISCONNECTED
C0230022=STATUS_NDIS_INVALID_ADDRESS C023002A=STATUS_NDIS_PAUSED
C023002B=STATUS_NDIS_INTERFACE_NOT_FOUND C023002F=STATUS_NDIS_LOW_POWER_STATE
C02300BB=STATUS_NDIS_NOT_SUPPORTED C023100F=STATUS_NDIS_OFFLOAD_POLICY
C0232001=STATUS_NDIS_DOT11_MEDIA_IN_USE C0232002=STATUS_NDIS_DOT11_POWER_STATE_INVALID
C0360001=STATUS_IPSEC_BAD_SPI C03A0015=STATUS_VIRTDISK_NOT_VIRTUAL_DISK
"""

_NDIS_STATUS_CODES = """
0=NDIS_STATUS_SUCCESS 103=NDIS_STATUS_PENDING 10001=NDIS_STATUS_NOT_RECOGNIZED
10002=NDIS_STATUS_NOT_COPIED 10003=NDIS_STATUS_NOT_ACCEPTED 10007=NDIS_STATUS_CALL_ACTIVE
40010003=NDIS_STATUS_ONLINE 40010004=NDIS_STATUS_RESET_START 40010005=NDIS_STATUS_RESET_END
40010006=NDIS_STATUS_RING_STATUS 40010007=NDIS_STATUS_CLOSED 40010008=NDIS_STATUS_WAN_LINE_UP
40010009=NDIS_STATUS_WAN_LINE_DOWN 4001000A=NDIS_STATUS_WAN_FRAGMENT
4001000B=NDIS_STATUS_MEDIA_CONNECT 4001000C=NDIS_STATUS_MEDIA_DISCONNECT
4001000D=NDIS_STATUS_HARDWARE_LINE_UP 4001000E=NDIS_STATUS_HARDWARE_LINE_DOWN
4001000F=NDIS_STATUS_INTERFACE_UP 40010010=NDIS_STATUS_INTERFACE_DOWN
40010011=NDIS_STATUS_MEDIA_BUSY 40010012=NDIS_STATUS_MEDIA_SPECIFIC_INDICATION
40010013=NDIS_STATUS_LINK_SPEED_CHANGE 40010014=NDIS_STATUS_WAN_GET_STATS
40010015=NDIS_STATUS_WAN_CO_FRAGMENT 40010016=NDIS_STATUS_WAN_CO_LINKPARAMS
40010017=NDIS_STATUS_LINK_STATE 40010018=NDIS_STATUS_NETWORK_CHANGE
40010019=NDIS_STATUS_MEDIA_SPECIFIC_INDICATION_EX 40010022=NDIS_STATUS_PORT_STATE
40010023=NDIS_STATUS_OPER_STATUS 40010024=NDIS_STATUS_PACKET_FILTER
40010025=NDIS_STATUS_WAN_CO_MTULINKPARAMS 40010026=NDIS_STATUS_IP_OPER_STATUS
40020001=NDIS_STATUS_OFFLOAD_PAUSE 40020002=NDIS_STATUS_UPLOAD_ALL
40020003=NDIS_STATUS_OFFLOAD_RESUME 40020004=NDIS_STATUS_OFFLOAD_PARTIAL_SUCCESS
40020005=NDIS_STATUS_OFFLOAD_STATE_INVALID 40020006=NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG
40020007=NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES
40020008=NDIS_STATUS_OFFLOAD_ENCASPULATION_CHANGE
4002000B=NDIS_STATUS_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES
4002000C=NDIS_STATUS_HD_SPLIT_CURRENT_CONFIG 4002000D=NDIS_STATUS_RECEIVE_QUEUE_STATE
40020100=NDIS_STATUS_OFFLOAD_IM_RESERVED1 40020101=NDIS_STATUS_OFFLOAD_IM_RESERVED2
40020102=NDIS_STATUS_OFFLOAD_IM_RESERVED3 40030000=NDIS_STATUS_DOT11_SCAN_CONFIRM
40030001=NDIS_STATUS_DOT11_MPDU_MAX_LENGTH_CHANGED 40030002=NDIS_STATUS_DOT11_ASSOCIATION_START
40030003=NDIS_STATUS_DOT11_ASSOCIATION_COMPLETION 40030004=NDIS_STATUS_DOT11_CONNECTION_START
40030005=NDIS_STATUS_DOT11_CONNECTION_COMPLETION 40030006=NDIS_STATUS_DOT11_ROAMING_START
40030007=NDIS_STATUS_DOT11_ROAMING_COMPLETION 40030008=NDIS_STATUS_DOT11_DISASSOCIATION
40030009=NDIS_STATUS_DOT11_TKIPMIC_FAILURE 4003000A=NDIS_STATUS_DOT11_PMKID_CANDIDATE_LIST
4003000B=NDIS_STATUS_DOT11_PHY_STATE_CHANGED 4003000C=NDIS_STATUS_DOT11_LINK_QUALITY
4003000D=NDIS_STATUS_DOT11_INCOMING_ASSOC_STARTED
4003000E=NDIS_STATUS_DOT11_INCOMING_ASSOC_REQUEST_RECEIVED
4003000F=NDIS_STATUS_DOT11_INCOMING_ASSOC_COMPLETION 40030010=NDIS_STATUS_DOT11_STOP_AP
40030011=NDIS_STATUS_DOT11_PHY_FREQUENCY_ADOPTED 40030012=NDIS_STATUS_DOT11_CAN_SUSTAIN_AP
40030051=NDIS_STATUS_PM_WOL_PATTERN_REJECTED 40030052=NDIS_STATUS_PM_OFFLOAD_REJECTED
40030053=NDIS_STATUS_PM_CAPABILITIES_CHANGE 40041000=NDIS_STATUS_WWAN_DEVICE_CAPS
40041001=NDIS_STATUS_WWAN_READY_INFO 40041002=NDIS_STATUS_WWAN_RADIO_STATE
40041003=NDIS_STATUS_WWAN_PIN_INFO 40041004=NDIS_STATUS_WWAN_PIN_LIST
40041005=NDIS_STATUS_WWAN_HOME_PROVIDER 40041006=NDIS_STATUS_WWAN_PREFERRED_PROVIDERS
40041007=NDIS_STATUS_WWAN_VISIBLE_PROVIDERS 40041008=NDIS_STATUS_WWAN_REGISTER_STATE
40041009=NDIS_STATUS_WWAN_PACKET_SERVICE 4004100A=NDIS_STATUS_WWAN_SIGNAL_STATE
4004100B=NDIS_STATUS_WWAN_CONTEXT_STATE 4004100C=NDIS_STATUS_WWAN_PROVISIONED_CONTEXTS
4004100D=NDIS_STATUS_WWAN_SERVICE_ACTIVATION 4004100E=NDIS_STATUS_WWAN_SMS_CONFIGURATION
4004100F=NDIS_STATUS_WWAN_SMS_RECEIVE 40041010=NDIS_STATUS_WWAN_SMS_SEND
40041011=NDIS_STATUS_WWAN_SMS_DELETE 40041012=NDIS_STATUS_WWAN_SMS_STATUS
40041013=NDIS_STATUS_WWAN_DNS_ADDRESS 40043000=NDIS_STATUS_WWAN_VENDOR_SPECIFIC
40230001=NDIS_STATUS_INDICATION_REQUIRED 80000005=NDIS_STATUS_BUFFER_OVERFLOW
80010001=NDIS_STATUS_NOT_RESETTABLE 80010003=NDIS_STATUS_SOFT_ERRORS
80010004=NDIS_STATUS_HARD_ERRORS C0000001=NDIS_STATUS_FAILURE
C000000D=NDIS_STATUS_INVALID_PARAMETER C0000010=NDIS_STATUS_INVALID_DEVICE_REQUEST
C000009A=NDIS_STATUS_RESOURCES C00000BB=NDIS_STATUS_NOT_SUPPORTED
C0000184=NDIS_STATUS_INVALID_STATE C000023C=NDIS_STATUS_NETWORK_UNREACHABLE
C0010002=NDIS_STATUS_CLOSING C0010004=NDIS_STATUS_BAD_VERSION
C0010005=NDIS_STATUS_BAD_CHARACTERISTICS C0010006=NDIS_STATUS_ADAPTER_NOT_FOUND
C0010007=NDIS_STATUS_OPEN_FAILED C0010008=NDIS_STATUS_DEVICE_FAILED
C0010009=NDIS_STATUS_MULTICAST_FULL C001000A=NDIS_STATUS_MULTICAST_EXISTS
C001000B=NDIS_STATUS_MULTICAST_NOT_FOUND C001000C=NDIS_STATUS_REQUEST_ABORTED
C001000D=NDIS_STATUS_RESET_IN_PROGRESS C001000E=NDIS_STATUS_CLOSING_INDICATING
C001000F=NDIS_STATUS_INVALID_PACKET C0010010=NDIS_STATUS_OPEN_LIST_FULL
C0010011=NDIS_STATUS_ADAPTER_NOT_READY C0010012=NDIS_STATUS_ADAPTER_NOT_OPEN
C0010013=NDIS_STATUS_NOT_INDICATING C0010014=NDIS_STATUS_INVALID_LENGTH
C0010015=NDIS_STATUS_INVALID_DATA C0010016=NDIS_STATUS_BUFFER_TOO_SHORT
C0010017=NDIS_STATUS_INVALID_OID C0010018=NDIS_STATUS_ADAPTER_REMOVED
C0010019=NDIS_STATUS_UNSUPPORTED_MEDIA C001001A=NDIS_STATUS_GROUP_ADDRESS_IN_USE
C001001B=NDIS_STATUS_FILE_NOT_FOUND C001001C=NDIS_STATUS_ERROR_READING_FILE
C001001D=NDIS_STATUS_ALREADY_MAPPED C001001E=NDIS_STATUS_RESOURCE_CONFLICT
C001001F=NDIS_STATUS_NO_CABLE C0010020=NDIS_STATUS_INVALID_SAP C0010021=NDIS_STATUS_SAP_IN_USE
C0010022=NDIS_STATUS_INVALID_ADDRESS C0010023=NDIS_STATUS_VC_NOT_ACTIVATED
C0010024=NDIS_STATUS_DEST_OUT_OF_ORDER C0010025=NDIS_STATUS_VC_NOT_AVAILABLE
C0010026=NDIS_STATUS_CELLRATE_NOT_AVAILABLE C0010027=NDIS_STATUS_INCOMPATABLE_QOS
C0010028=NDIS_STATUS_AAL_PARAMS_UNSUPPORTED C0010029=NDIS_STATUS_NO_ROUTE_TO_DESTINATION
C0011000=NDIS_STATUS_TOKEN_RING_OPEN_ERROR C023000C=NDIS_STATUS_SEND_ABORTED
C023001F=NDIS_STATUS_MEDIA_DISCONNECTED C023002A=NDIS_STATUS_PAUSED
C023002B=NDIS_STATUS_INTERFACE_NOT_FOUND C023002C=NDIS_STATUS_UNSUPPORTED_REVISION
C023002D=NDIS_STATUS_INVALID_PORT C023002E=NDIS_STATUS_INVALID_PORT_STATE
C023002F=NDIS_STATUS_LOW_POWER_STATE C0231001=NDIS_STATUS_UPLOAD_IN_PROGRESS
C0231002=NDIS_STATUS_REQUEST_UPLOAD C0231003=NDIS_STATUS_UPLOAD_REQUESTED
C0231004=NDIS_STATUS_OFFLOAD_TCP_ENTRIES C0231005=NDIS_STATUS_OFFLOAD_PATH_ENTRIES
C0231006=NDIS_STATUS_OFFLOAD_NEIGHBOR_ENTRIES C0231007=NDIS_STATUS_OFFLOAD_IP_ADDRESS_ENTRIES
C0231008=NDIS_STATUS_OFFLOAD_HW_ADDRESS_ENTRIES C0231009=NDIS_STATUS_OFFLOAD_VLAN_ENTRIES
C023100A=NDIS_STATUS_OFFLOAD_TCP_XMIT_BUFFER C023100B=NDIS_STATUS_OFFLOAD_TCP_RCV_BUFFER
C023100C=NDIS_STATUS_OFFLOAD_TCP_RCV_WINDOW C023100D=NDIS_STATUS_OFFLOAD_VLAN_MISMATCH
C023100E=NDIS_STATUS_OFFLOAD_DATA_NOT_ACCEPTED C023100F=NDIS_STATUS_OFFLOAD_POLICY
C0231010=NDIS_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED C0231011=NDIS_STATUS_OFFLOAD_REQUEST_RESET
C0231012=NDIS_STATUS_OFFLOAD_CONNECTION_REJECTED C0232000=NDIS_STATUS_DOT11_AUTO_CONFIG_ENABLED
C0232001=NDIS_STATUS_DOT11_MEDIA_IN_USE C0232002=NDIS_STATUS_DOT11_POWER_STATE_INVALID
C0232003=NDIS_STATUS_PM_WOL_PATTERN_LIST_FULL C0232004=NDIS_STATUS_PM_PROTOCOL_OFFLOAD_LIST_FULL
"""

_NDIS_OID_CODES = """
10101=OID_GEN_SUPPORTED_LIST 10102=OID_GEN_HARDWARE_STATUS 10103=OID_GEN_MEDIA_SUPPORTED
10104=OID_GEN_MEDIA_IN_USE 10105=OID_GEN_MAXIMUM_LOOKAHEAD 10106=OID_GEN_MAXIMUM_FRAME_SIZE
10107=OID_GEN_LINK_SPEED 10108=OID_GEN_TRANSMIT_BUFFER_SPACE 10109=OID_GEN_RECEIVE_BUFFER_SPACE
1010A=OID_GEN_TRANSMIT_BLOCK_SIZE 1010B=OID_GEN_RECEIVE_BLOCK_SIZE 1010C=OID_GEN_VENDOR_ID
1010D=OID_GEN_VENDOR_DESCRIPTION 1010E=OID_GEN_CURRENT_PACKET_FILTER
1010F=OID_GEN_CURRENT_LOOKAHEAD 10110=OID_GEN_DRIVER_VERSION 10111=OID_GEN_MAXIMUM_TOTAL_SIZE
10112=OID_GEN_PROTOCOL_OPTIONS 10113=OID_GEN_MAC_OPTIONS 10114=OID_GEN_MEDIA_CONNECT_STATUS
10115=OID_GEN_MAXIMUM_SEND_PACKETS 10116=OID_GEN_VENDOR_DRIVER_VERSION
10117=OID_GEN_SUPPORTED_GUIDS 10118=OID_GEN_NETWORK_LAYER_ADDRESSES
10119=OID_GEN_TRANSPORT_HEADER_OFFSET 10201=OID_GEN_MEDIA_CAPABILITIES
10202=OID_GEN_PHYSICAL_MEDIUM 10203=OID_GEN_RECEIVE_SCALE_CAPABILITIES
10204=OID_GEN_RECEIVE_SCALE_PARAMETERS 10205=OID_GEN_MAC_ADDRESS 10206=OID_GEN_MAX_LINK_SPEED
10207=OID_GEN_LINK_STATE 10208=OID_GEN_LINK_PARAMETERS 10209=OID_GEN_INTERRUPT_MODERATION
1020A=OID_GEN_NDIS_RESERVED_3 1020B=OID_GEN_NDIS_RESERVED_4 1020C=OID_GEN_NDIS_RESERVED_5
1020D=OID_GEN_ENUMERATE_PORTS 1020E=OID_GEN_PORT_STATE
1020F=OID_GEN_PORT_AUTHENTICATION_PARAMETERS 10210=OID_GEN_TIMEOUT_DPC_REQUEST_CAPABILITIES
10211=OID_GEN_PCI_DEVICE_CUSTOM_PROPERTIES 10212=OID_GEN_NDIS_RESERVED_6
10213=OID_GEN_PHYSICAL_MEDIUM_EX 1021A=OID_GEN_MACHINE_NAME 1021B=OID_GEN_RNDIS_CONFIG_PARAMETER
1021C=OID_GEN_VLAN_ID 1021D=OID_GEN_MINIPORT_RESTART_ATTRIBUTES
1021E=OID_GEN_HD_SPLIT_PARAMETERS 1021F=OID_GEN_RECEIVE_HASH
10220=OID_GEN_HD_SPLIT_CURRENT_CONFIG 10221=OID_RECEIVE_FILTER_HARDWARE_CAPABILITIES
10222=OID_RECEIVE_FILTER_GLOBAL_PARAMETERS 10223=OID_RECEIVE_FILTER_ALLOCATE_QUEUE
10224=OID_RECEIVE_FILTER_FREE_QUEUE 10225=OID_RECEIVE_FILTER_ENUM_QUEUES
10226=OID_RECEIVE_FILTER_QUEUE_PARAMETERS 10227=OID_RECEIVE_FILTER_SET_FILTER
10228=OID_RECEIVE_FILTER_CLEAR_FILTER 10229=OID_RECEIVE_FILTER_ENUM_FILTERS
1022A=OID_RECEIVE_FILTER_PARAMETERS 1022B=OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE
1022D=OID_RECEIVE_FILTER_CURRENT_CAPABILITIES 10230=OID_RECEIVE_FILTER_MOVE_FILTER
10280=OID_GEN_PROMISCUOUS_MODE 10281=OID_GEN_LAST_CHANGE 10282=OID_GEN_DISCONTINUITY_TIME
10283=OID_GEN_OPERATIONAL_STATUS 10284=OID_GEN_XMIT_LINK_SPEED 10285=OID_GEN_RCV_LINK_SPEED
10286=OID_GEN_UNKNOWN_PROTOS 10287=OID_GEN_INTERFACE_INFO 10288=OID_GEN_ADMIN_STATUS
10289=OID_GEN_ALIAS 1028A=OID_GEN_MEDIA_CONNECT_STATUS_EX 1028B=OID_GEN_LINK_SPEED_EX
1028C=OID_GEN_MEDIA_DUPLEX_STATE 1028D=OID_GEN_IP_OPER_STATUS 20101=OID_GEN_XMIT_OK
20102=OID_GEN_RCV_OK 20103=OID_GEN_XMIT_ERROR 20104=OID_GEN_RCV_ERROR
20105=OID_GEN_RCV_NO_BUFFER 20106=OID_GEN_STATISTICS 20120=OID_GEN_CO_MINIMUM_LINK_SPEED
20201=OID_GEN_DIRECTED_BYTES_XMIT 20202=OID_GEN_DIRECTED_FRAMES_XMIT
20203=OID_GEN_MULTICAST_BYTES_XMIT 20204=OID_GEN_MULTICAST_FRAMES_XMIT
20205=OID_GEN_BROADCAST_BYTES_XMIT 20206=OID_GEN_BROADCAST_FRAMES_XMIT
20207=OID_GEN_DIRECTED_BYTES_RCV 20208=OID_GEN_DIRECTED_FRAMES_RCV
20209=OID_GEN_MULTICAST_BYTES_RCV 2020A=OID_GEN_MULTICAST_FRAMES_RCV
2020B=OID_GEN_BROADCAST_BYTES_RCV 2020C=OID_GEN_BROADCAST_FRAMES_RCV 2020D=OID_GEN_RCV_CRC_ERROR
2020E=OID_GEN_TRANSMIT_QUEUE_LENGTH 2020F=OID_GEN_GET_TIME_CAPS 20210=OID_GEN_GET_NETCARD_TIME
20211=OID_GEN_NETCARD_LOAD 20212=OID_GEN_DEVICE_PROFILE 20213=OID_GEN_INIT_TIME_MS
20214=OID_GEN_RESET_COUNTS 20215=OID_GEN_MEDIA_SENSE_COUNTS 20216=OID_GEN_FRIENDLY_NAME
20217=OID_GEN_NDIS_RESERVED_1 20218=OID_GEN_NDIS_RESERVED_2 20219=OID_GEN_BYTES_RCV
2021A=OID_GEN_BYTES_XMIT 2021B=OID_GEN_RCV_DISCARDS 2021C=OID_GEN_XMIT_DISCARDS
2021D=OID_TCP_RSC_STATISTICS 2021E=OID_GEN_NDIS_RESERVED_7
20221=OID_GEN_CO_BYTES_XMIT_OUTSTANDING 1010101=OID_802_3_PERMANENT_ADDRESS
1010102=OID_802_3_CURRENT_ADDRESS 1010103=OID_802_3_MULTICAST_LIST
1010104=OID_802_3_MAXIMUM_LIST_SIZE 1010105=OID_802_3_MAC_OPTIONS
101010A=OID_OFFLOAD_ENCAPSULATION 1010208=OID_802_3_ADD_MULTICAST_ADDRESS
1010209=OID_802_3_DELETE_MULTICAST_ADDRESS 1020101=OID_802_3_RCV_ERROR_ALIGNMENT
1020102=OID_802_3_XMIT_ONE_COLLISION 1020103=OID_802_3_XMIT_MORE_COLLISIONS
1020201=OID_802_3_XMIT_DEFERRED 1020202=OID_802_3_XMIT_MAX_COLLISIONS
1020203=OID_802_3_RCV_OVERRUN 1020204=OID_802_3_XMIT_UNDERRUN
1020205=OID_802_3_XMIT_HEARTBEAT_FAILURE 1020206=OID_802_3_XMIT_TIMES_CRS_LOST
1020207=OID_802_3_XMIT_LATE_COLLISIONS D010101=OID_802_11_BSSID D010102=OID_802_11_SSID
D010108=OID_802_11_INFRASTRUCTURE_MODE D010113=OID_802_11_ADD_WEP D010114=OID_802_11_REMOVE_WEP
D010115=OID_802_11_DISASSOCIATE D010118=OID_802_11_AUTHENTICATION_MODE
D010119=OID_802_11_PRIVACY_FILTER D01011A=OID_802_11_BSSID_LIST_SCAN
D01011B=OID_802_11_WEP_STATUS D01011C=OID_802_11_RELOAD_DEFAULTS D01011D=OID_802_11_ADD_KEY
D01011E=OID_802_11_REMOVE_KEY D01011F=OID_802_11_ASSOCIATION_INFORMATION D010120=OID_802_11_TEST
D010121=OID_802_11_MEDIA_STREAM_MODE D010122=OID_802_11_CAPABILITY D010123=OID_802_11_PMKID
D010124=OID_802_11_NON_BCAST_SSID_LIST D010125=OID_802_11_RADIO_STATUS
D010203=OID_802_11_NETWORK_TYPES_SUPPORTED D010204=OID_802_11_NETWORK_TYPE_IN_USE
D010205=OID_802_11_TX_POWER_LEVEL D010206=OID_802_11_RSSI D010207=OID_802_11_RSSI_TRIGGER
D010209=OID_802_11_FRAGMENTATION_THRESHOLD D01020A=OID_802_11_RTS_THRESHOLD
D01020B=OID_802_11_NUMBER_OF_ANTENNAS D01020C=OID_802_11_RX_ANTENNA_SELECTED
D01020D=OID_802_11_TX_ANTENNA_SELECTED D01020E=OID_802_11_SUPPORTED_RATES
D010210=OID_802_11_DESIRED_RATES D010211=OID_802_11_CONFIGURATION D010216=OID_802_11_POWER_MODE
D010217=OID_802_11_BSSID_LIST D020212=OID_802_11_STATISTICS FC010201=OID_TCP_TASK_OFFLOAD
FC010202=OID_TCP_TASK_IPSEC_ADD_SA FC010203=OID_TCP_TASK_IPSEC_DELETE_SA
FC010204=OID_TCP_SAN_SUPPORT FC010205=OID_TCP_TASK_IPSEC_ADD_UDPESP_SA
FC010206=OID_TCP_TASK_IPSEC_DELETE_UDPESP_SA FC01020B=OID_TCP_OFFLOAD_CURRENT_CONFIG
FC01020C=OID_TCP_OFFLOAD_PARAMETERS FC01020D=OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES
FC01020E=OID_TCP_CONNECTION_OFFLOAD_CURRENT_CONFIG
FC01020F=OID_TCP_CONNECTION_OFFLOAD_HARDWARE_CAPABILITIES
FC030201=OID_TCP_CONNECTION_OFFLOAD_PARAMETERS FC030202=OID_TCP_TASK_IPSEC_OFFLOAD_V2_ADD_SA
FC030203=OID_TCP_TASK_IPSEC_OFFLOAD_V2_DELETE_SA
FC030204=OID_TCP_TASK_IPSEC_OFFLOAD_V2_UPDATE_SA
FC030205=OID_TCP_TASK_IPSEC_OFFLOAD_V2_ADD_SA_EX FD010100=OID_PNP_CAPABILITIES
FD010101=OID_PNP_SET_POWER FD010102=OID_PNP_QUERY_POWER FD010103=OID_PNP_ADD_WAKE_UP_PATTERN
FD010104=OID_PNP_REMOVE_WAKE_UP_PATTERN FD010105=OID_PNP_WAKE_UP_PATTERN_LIST
FD010106=OID_PNP_ENABLE_WAKE_UP FD020200=OID_PNP_WAKE_UP_OK FD020201=OID_PNP_WAKE_UP_ERROR
"""
