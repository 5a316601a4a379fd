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
  with symbolic names (every name of winerror.h and ntstatus.h), NDIS status and
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

import base64
import datetime as _dt
import functools
import os
import re
import struct
import uuid
import zlib
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


@functools.lru_cache(maxsize=None)
def _status_tables() -> Tuple[Dict[int, str], Dict[int, str], Dict[int, str]]:
    """(Win32, HRESULT, NTSTATUS) name tables of the generated _status_names module:
    zlib + base85 text, blocks of "DELTA NAME" lines (see tools/gen_status_names.py)."""
    from . import _status_names

    text = zlib.decompress(base64.b85decode(_status_names.DATA)).decode("ascii")
    tables: List[Dict[int, str]] = []
    for block in text.split("\n\n"):
        table: Dict[int, str] = {}
        value = 0
        for line in block.splitlines():
            delta, _, name = line.partition(" ")
            value += int(delta, 16)
            table[value] = name
        tables.append(table)
    win32, hresult, ntstatus = tables
    return win32, hresult, ntstatus


def win32_error_name(code: int) -> Optional[str]:
    """Symbolic name of a Win32 error code (``2`` -> ``"ERROR_FILE_NOT_FOUND"``,
    ``1722`` -> ``"RPC_S_SERVER_UNAVAILABLE"``, ``10054`` -> ``"WSAECONNRESET"``), or None."""
    return _status_tables()[0].get(code & 0xFFFFFFFF)


def ntstatus_name(code: int) -> Optional[str]:
    """Symbolic name of an NTSTATUS (``0xC0000022`` -> ``"STATUS_ACCESS_DENIED"``), or None."""
    return _status_tables()[2].get(code & 0xFFFFFFFF)


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
    return win32_error_name(code) or _status_tables()[1].get(code)


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
    return win32_error_name(code) or _status_tables()[1].get(code)


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
    # item type: (size, naturally signed).  ItemCharShort is the signed 8-bit integer
    # (the item a MOF sint8 maps to; traceprt prints it as a CHAR with %d).
    "ItemChar": (1, True), "ItemUChar": (1, False), "ItemCharShort": (1, True),
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
    # An integer's value: signed for %d/%i and unsigned for %u/%o/%x/%X (WPP writes
    # signed and unsigned C types of one size as the same item), but an unsigned
    # item type (ItemUChar, ItemULong, ...) stays unsigned.
    if val.kind != "int":
        return val.value
    if conv in ("d", "i") and val.signed:
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


#: The event attributes TmfDatabase.decode reads (its result depends on nothing else
#: of the event).
_DECODE_INPUTS = ("kind", "provider_id", "id", "wpp_flags", "wpp_component", "payload", "pointer_size") + \
    tuple(attr for _, attr in _EVENT_FACTS)


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
        # The last decode: (what it read of the event, WppMessage or None, reason).
        self._last: Optional[Tuple[tuple, Optional[WppMessage], Optional[str]]] = None
        self.add(paths)

    # -- loading -----------------------------------------------------------

    def add(self, paths: Union[_PathArg, Iterable[_PathArg], None]) -> None:
        """Add TMF files and directories (nothing is parsed yet).

        Raises FileNotFoundError for a path that does not exist."""
        self._last = None
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
        self._last = None
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
        """Decode a WPP record with its TMF; None (and :attr:`last_reason`) when no TMF matches.

        The same record asked again in a row (``ev.message``, then ``ev["x"]``, then
        ``ev.wpp``) is not decoded again: the last result is kept with everything the
        decoding read of the event, and given back while those are equal."""
        key = (self.ansi_codepage,) + tuple(getattr(event, attr, None) for attr in _DECODE_INPUTS)
        last = self._last
        if last is not None and last[0] == key:
            self.last_reason = last[2]
            return last[1]
        tm, reason = self._lookup(event)
        self.last_reason = reason
        msg = None
        if tm is not None:
            pointer_size = getattr(event, "pointer_size", 8) or 8
            msg = self.format(tm, getattr(event, "payload", b"") or b"", pointer_size=pointer_size, event=event)
        self._last = (key, msg, reason)
        return msg

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
# NDIS code tables (names and values from the WDK headers ndis.h and ntddndis.h;
# "HEX=NAME", the first name per value).  The Win32/HRESULT/NTSTATUS names are
# in _status_names, generated from winerror.h and ntstatus.h.
# ---------------------------------------------------------------------------

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
