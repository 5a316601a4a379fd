"""Providers to enable in a live session: `Provider`, its string form, GUIDs and names.

Everything here is portable. Names become GUIDs through a resolver, a plain callable
`name -> uuid.UUID`; the default one knows the well-known providers (`_wellknown.py`) and
otherwise hashes the name the way TraceLogging/EventSource providers derive their GUID.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import re
import types
import uuid
from typing import Callable, NamedTuple, Optional, Tuple, Union

from . import _wellknown
from .filters import EventFilter, event_id_filter, exe_name_filter, pid_filter

ALL_KEYWORDS = 0xFFFFFFFFFFFFFFFF

Resolver = Callable[[str], uuid.UUID]


class EnableProperty(enum.IntFlag):
    """ENABLE_TRACE_PARAMETERS.EnableProperty bits (EVENT_ENABLE_PROPERTY_*, evntcons.h).

    SID, TS_ID and STACK_TRACE are in mingw-w64 evntcons.h; the rest were checked against
    Microsoft's ENABLE_TRACE_PARAMETERS documentation and etl-format.md 2.11.
    """

    SID = 0x001
    TS_ID = 0x002
    STACK_TRACE = 0x004
    PSM_KEY = 0x008
    IGNORE_KEYWORD_0 = 0x010
    PROVIDER_GROUP = 0x020
    ENABLE_KEYWORD_0 = 0x040
    PROCESS_START_KEY = 0x080
    EVENT_KEY = 0x100
    EXCLUDE_INPRIVATE = 0x200
    ENABLE_SILOS = 0x400
    SOURCE_CONTAINER_TRACKING = 0x800


# ---------------------------------------------------------------- GUIDs

_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                      r"[0-9a-fA-F]{12}")


def parse_guid(text: Union[str, uuid.UUID]) -> uuid.UUID:
    """Parse 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', with or without braces, any case.

    A uuid.UUID is returned as is. Raises ValueError for anything else.
    """
    if isinstance(text, uuid.UUID):
        return text
    s = text.strip() if isinstance(text, str) else None
    if s is not None and s.startswith("{") and s.endswith("}"):
        s = s[1:-1]
    if s is None or not _GUID_RE.fullmatch(s):
        raise ValueError(f"not a GUID: {text!r} (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, "
                         "braces optional)")
    return uuid.UUID(s)


def format_guid(guid: Union[str, uuid.UUID], braces: bool = False, upper: bool = False) -> str:
    """Format a GUID as 'xxxxxxxx-…' (lowercase), optionally '{…}' and/or uppercase."""
    s = str(parse_guid(guid))
    if upper:
        s = s.upper()
    return "{" + s + "}" if braces else s


# The namespace that TraceLogging and .NET EventSource hash names under (etl-format.md 3a).
_TL_NAMESPACE = bytes.fromhex("482C2DB2C39047C887F81A15BFC130FB")


def tracelogging_guid(name: str) -> uuid.UUID:
    """The GUID a TraceLogging/EventSource provider named `name` gets from its name.

    SHA-1 over the namespace bytes and the upper-cased name in UTF-16BE; the first 16 bytes
    of the digest, with the version nibble of byte 7 set to 5, read as a Windows (little-
    endian) GUID. Upper-casing is per character (a character whose upper case is longer,
    like 'ß', stays as is), which matches .NET's ToUpperInvariant for common names.
    """
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    digest = bytearray(hashlib.sha1(_TL_NAMESPACE + upper.encode("utf-16-be")).digest()[:16])
    digest[7] = (digest[7] & 0x0F) | 0x50
    return uuid.UUID(bytes_le=bytes(digest))


# ---------------------------------------------------------------- well-known providers

class WellKnownProvider(NamedTuple):
    """A provider of the built-in table: its manifest name, GUID and keyword name -> mask."""

    name: str
    guid: uuid.UUID
    keywords: types.MappingProxyType


_BY_NAME = {}
_BY_GUID = {}
for _name, _guid, _source, _keywords in _wellknown.PROVIDERS:
    _entry = WellKnownProvider(_name, uuid.UUID(_guid), types.MappingProxyType(dict(_keywords)))
    _BY_NAME[_name.lower()] = _entry
    _BY_GUID[_entry.guid] = _entry
del _name, _guid, _source, _keywords, _entry


def well_known_providers() -> Tuple[WellKnownProvider, ...]:
    """All providers of the built-in table, in table order."""
    return tuple(_BY_NAME.values())


def well_known_provider(name_or_guid: Union[str, uuid.UUID]) -> Optional[WellKnownProvider]:
    """The built-in table's entry for a provider name (any case) or GUID, or None."""
    if isinstance(name_or_guid, uuid.UUID):
        return _BY_GUID.get(name_or_guid)
    entry = _BY_NAME.get(name_or_guid.strip().lower())
    if entry is None and _GUID_RE.fullmatch(name_or_guid.strip().strip("{}")):
        entry = _BY_GUID.get(parse_guid(name_or_guid))
    return entry


def default_resolver(name: str) -> uuid.UUID:
    """Resolve a provider name: the built-in table (any case), else the TraceLogging hash.

    The hash never fails, so a misspelt manifest name yields a GUID that no provider uses;
    check `well_known_provider(name)` (or, on Windows, the registered providers) when unsure.
    """
    entry = well_known_provider(name)
    return entry.guid if entry is not None else tracelogging_guid(name)


# ---------------------------------------------------------------- Provider

_NUMBER_RE = re.compile(r"0[xX][0-9a-fA-F]+|[0-9]+")


def _number(text: str, bits: int, what: str) -> int:
    """etw's number rule: '0x' (or '0X') prefix = hex, anything else decimal. A leading 0
    does NOT mean octal ('010' is ten) - unlike goetw, which follows Go's base prefixes."""
    t = text.strip()
    if not _NUMBER_RE.fullmatch(t):
        raise ValueError(f"{what}: {text!r} is not a number (decimal, or hex with 0x)")
    value = int(t, 16) if t[:2] in ("0x", "0X") else int(t, 10)
    if value >= 1 << bits:
        raise ValueError(f"{what}: {text!r} is out of range (at most {(1 << bits) - 1:#x})")
    return value


def _resolve(ident: str, resolver: Resolver):
    """(GUID, name) for a provider name: the resolver's GUID and the table's spelling."""
    ident = ident.strip()
    if not ident:
        raise ValueError("a provider needs a GUID or a name")
    guid = resolver(ident)
    if not isinstance(guid, uuid.UUID):
        raise ValueError(f"resolver gave {guid!r} for provider {ident!r}, not a uuid.UUID")
    entry = well_known_provider(ident)
    return guid, (entry.name if entry is not None else ident)


def _check(value, maximum: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise ValueError(f"{what} {value!r} is not an integer in 0..{maximum:#x}")
    return value


@dataclasses.dataclass(frozen=True)
class Provider:
    """A provider to enable, with what EnableTraceEx2 needs.

    `guid` may be given as a uuid.UUID, a GUID string or a provider name (resolved with
    `default_resolver`; use `Provider.parse(..., resolver=...)` for another resolver).
    Defaults are goetw's: level 0xFF, all keywords, enable property PROCESS_START_KEY.
    `event_ids` keeps only those events; `exclude_event_ids` drops those (give one of the
    two). `pids` (at most 8), `exe_names` (a sequence, or one str with names separated by
    ';') and the extra `filters` (EventFilter objects, e.g.
    from filters.event_name_filter) narrow it further. Windows limits raise ValueError here,
    never later and never silently.
    """

    guid: uuid.UUID
    name: Optional[str] = None
    level: int = 0xFF
    match_any_keyword: int = ALL_KEYWORDS
    match_all_keyword: int = 0
    event_ids: Tuple[int, ...] = ()
    exclude_event_ids: Tuple[int, ...] = ()
    pids: Tuple[int, ...] = ()
    exe_names: Tuple[str, ...] = ()
    enable_properties: EnableProperty = EnableProperty.PROCESS_START_KEY
    filters: Tuple[EventFilter, ...] = ()

    def __post_init__(self):
        def put(field, value):
            object.__setattr__(self, field, value)

        guid, name = self.guid, self.name
        if isinstance(guid, str) and not _GUID_RE.fullmatch(guid.strip().strip("{}")):
            guid, resolved_name = _resolve(guid, default_resolver)
            name = name or resolved_name
        guid = parse_guid(guid)
        if name is None:
            entry = well_known_provider(guid)
            name = entry.name if entry is not None else None
        put("guid", guid)
        put("name", name)
        _check(self.level, 0xFF, "level")
        _check(self.match_any_keyword, ALL_KEYWORDS, "match_any_keyword")
        _check(self.match_all_keyword, ALL_KEYWORDS, "match_all_keyword")
        put("enable_properties", EnableProperty(_check(self.enable_properties, 0xFFFFFFFF,
                                                       "enable_properties")))
        if isinstance(self.exe_names, str):
            put("exe_names", tuple(self.exe_names.split(";")))
        for field in ("event_ids", "exclude_event_ids", "pids", "exe_names", "filters"):
            value = getattr(self, field)
            put(field, (value,) if isinstance(value, (int, EventFilter)) else tuple(value))
        if self.event_ids and self.exclude_event_ids:
            raise ValueError("give event_ids (keep only these) or exclude_event_ids (drop "
                             "these), not both")
        for f in self.filters:
            if not (isinstance(f, tuple) and len(f) == 2 and isinstance(f[0], int)
                    and isinstance(f[1], (bytes, bytearray))):
                raise ValueError(f"filters must be EventFilter(type, data) objects, not {f!r}")
        put("filters", tuple(EventFilter(t, bytes(d)) for t, d in self.filters))
        self.filter_descriptors()  # raises now if a Windows limit is exceeded

    def filter_descriptors(self) -> list:
        """Every EventFilter to pass to EnableTraceEx2 for this provider, in a fixed order:
        event ids, pids, executable names, then the extra `filters`."""
        out = []
        if self.event_ids:
            out.append(event_id_filter(self.event_ids, True))
        if self.exclude_event_ids:
            out.append(event_id_filter(self.exclude_event_ids, False))
        if self.pids:
            out.append(pid_filter(self.pids))
        if self.exe_names:
            out.append(exe_name_filter(self.exe_names))
        out.extend(self.filters)
        return out

    def replace(self, **changes) -> "Provider":
        """A copy with some fields changed (validated again). A new `guid` without a new
        `name` gets the name the table knows for it, if any."""
        if "guid" in changes and "name" not in changes:
            changes["name"] = None
        return dataclasses.replace(self, **changes)

    @classmethod
    def parse(cls, spec: str, resolver: Optional[Resolver] = None) -> "Provider":
        """Parse goetw's provider string 'Name|GUID[:level[:id,id,...[:any[:all]]]]'.

        The identifier is a GUID (braces optional, any case) or a name, resolved with
        `resolver` (default: `default_resolver`). An empty field keeps its default
        ('Name:::0x10' sets only MatchAnyKeyword). Numbers are hex with a 0x prefix and
        decimal otherwise; a leading 0 is still decimal ('010' is 10, not goetw's octal 8).
        Raises ValueError with the reason on bad input, more than 64 ids included.
        """
        if not isinstance(spec, str):
            raise ValueError(f"provider spec must be a string, not {spec!r}")
        fields = spec.split(":")
        if len(fields) > 5:
            raise ValueError(f"provider spec {spec!r} has {len(fields)} ':'-separated fields; "
                             "expected at most 5 (Name|GUID:level:ids:any:all)")
        ident = fields[0].strip()
        if not ident:
            raise ValueError(f"provider spec {spec!r} has no provider name or GUID")
        if _GUID_RE.fullmatch(ident.strip("{}")):
            guid, name = parse_guid(ident), None
        else:
            guid, name = _resolve(ident, resolver or default_resolver)
        fields += [""] * (5 - len(fields))
        kwargs = {}
        if fields[1].strip():
            kwargs["level"] = _number(fields[1], 8, "level")
        if fields[2].strip():
            kwargs["event_ids"] = tuple(_number(x, 16, "event id") for x in fields[2].split(","))
        if fields[3].strip():
            kwargs["match_any_keyword"] = _number(fields[3], 64, "match-any keyword")
        if fields[4].strip():
            kwargs["match_all_keyword"] = _number(fields[4], 64, "match-all keyword")
        return cls(guid, name, **kwargs)
