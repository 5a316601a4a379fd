"""EVENT_FILTER_DESCRIPTOR payloads for EnableTraceEx2, built as bytes on any OS.

A filter is an `EventFilter(type, data)`: `type` is the EVENT_FILTER_DESCRIPTOR.Type value and
`data` the bytes its Ptr points at (Size = len(data)). The Windows backend only copies them.

Constants and layouts are those of the Windows SDK evntprov.h. The mingw-w64 headers (up to
v12) stop at EVENT_FILTER_TYPE_TRACEHANDLE and lack the structures below, so each value was
checked instead against Microsoft's documentation of EVENT_FILTER_DESCRIPTOR,
EVENT_FILTER_EVENT_ID and EVENT_FILTER_EVENT_NAME (learn.microsoft.com, evntprov.h pages) and
against SDK-derived evntprov.h copies (Pelles C, win32metadata projections), which all agree.
Everything is little-endian, as on every Windows target.
"""

import struct
from typing import Iterable, NamedTuple, Union

EVENT_FILTER_TYPE_NONE = 0x00000000
EVENT_FILTER_TYPE_SCHEMATIZED = 0x80000000
EVENT_FILTER_TYPE_PID = 0x80000004
EVENT_FILTER_TYPE_EXECUTABLE_NAME = 0x80000008
EVENT_FILTER_TYPE_PACKAGE_ID = 0x80000010
EVENT_FILTER_TYPE_PACKAGE_APP_ID = 0x80000020
EVENT_FILTER_TYPE_PAYLOAD = 0x80000100
EVENT_FILTER_TYPE_EVENT_ID = 0x80000200
EVENT_FILTER_TYPE_EVENT_NAME = 0x80000400
EVENT_FILTER_TYPE_STACKWALK = 0x80001000
EVENT_FILTER_TYPE_STACKWALK_NAME = 0x80002000
EVENT_FILTER_TYPE_STACKWALK_LEVEL_KW = 0x80004000
EVENT_FILTER_TYPE_CONTAINER = 0x80008000

MAX_EVENT_FILTER_DATA_SIZE = 1024          # PID and executable-name filters
MAX_EVENT_FILTER_EVENT_NAME_SIZE = 4096    # event-name filters
MAX_EVENT_FILTER_PID_COUNT = 8
MAX_EVENT_FILTER_EVENT_ID_COUNT = 64


class EventFilter(NamedTuple):
    """One EVENT_FILTER_DESCRIPTOR: its Type and the bytes its Ptr points at."""

    type: int
    data: bytes


def _ints(values, what, maximum):
    out = tuple(values)
    for v in out:
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= maximum:
            raise ValueError(f"{what} {v!r} is not an integer in 0..{maximum:#x}")
    return out


def event_id_filter(event_ids: Iterable[int], filter_in: bool = True, *,
                    type: int = EVENT_FILTER_TYPE_EVENT_ID) -> EventFilter:
    """Build an EVENT_FILTER_EVENT_ID filter: only `event_ids` (or all but them, if
    `filter_in` is false). Layout: FilterIn u8, Reserved u8, Count u16, Events u16[Count].

    `type` may be EVENT_FILTER_TYPE_STACKWALK (same structure: the events that get a stack).
    Raises ValueError for no ids, more than 64 (MAX_EVENT_FILTER_EVENT_ID_COUNT) or an id
    outside 0..65535.
    """
    ids = _ints(event_ids, "event id", 0xFFFF)
    if not ids:
        raise ValueError("an event id filter needs at least one event id")
    if len(ids) > MAX_EVENT_FILTER_EVENT_ID_COUNT:
        raise ValueError(f"an event id filter holds at most {MAX_EVENT_FILTER_EVENT_ID_COUNT} "
                         f"ids (Windows limit); got {len(ids)}")
    data = struct.pack(f"<BBH{len(ids)}H", 1 if filter_in else 0, 0, len(ids), *ids)
    return EventFilter(type, data)


def pid_filter(pids: Iterable[int]) -> EventFilter:
    """Build an EVENT_FILTER_TYPE_PID filter: an array of u32 process ids.

    Raises ValueError for no pid, more than 8 (MAX_EVENT_FILTER_PID_COUNT) or a pid outside
    0..0xFFFFFFFF.
    """
    values = _ints(pids, "pid", 0xFFFFFFFF)
    if not values:
        raise ValueError("a pid filter needs at least one pid")
    if len(values) > MAX_EVENT_FILTER_PID_COUNT:
        raise ValueError(f"a pid filter holds at most {MAX_EVENT_FILTER_PID_COUNT} pids "
                         f"(Windows limit); got {len(values)}")
    return EventFilter(EVENT_FILTER_TYPE_PID, struct.pack(f"<{len(values)}I", *values))


def exe_name_filter(names: Union[str, Iterable[str]]) -> EventFilter:
    """Build an EVENT_FILTER_TYPE_EXECUTABLE_NAME filter: one UTF-16LE string, NUL-terminated,
    the names separated by ';' (a single str is split on ';').

    Raises ValueError for no name, an empty name, a NUL in a name, or more than 1024 bytes
    (MAX_EVENT_FILTER_DATA_SIZE, terminator included).
    """
    items = names.split(";") if isinstance(names, str) else list(names)
    if not items:
        raise ValueError("an executable name filter needs at least one name")
    for name in items:
        if not isinstance(name, str) or not name or ";" in name or "\0" in name:
            raise ValueError(f"bad executable name {name!r}")
    data = ";".join(items).encode("utf-16-le") + b"\0\0"
    if len(data) > MAX_EVENT_FILTER_DATA_SIZE:
        raise ValueError(f"executable name filter is {len(data)} bytes; Windows accepts at "
                         f"most {MAX_EVENT_FILTER_DATA_SIZE}")
    return EventFilter(EVENT_FILTER_TYPE_EXECUTABLE_NAME, data)


def event_name_filter(names: Iterable[str], filter_in: bool = True, *, level: int = 0xFF,
                      match_any_keyword: int = 0xFFFFFFFFFFFFFFFF, match_all_keyword: int = 0,
                      type: int = EVENT_FILTER_TYPE_EVENT_NAME) -> EventFilter:
    """Build an EVENT_FILTER_EVENT_NAME filter (TraceLogging event names, Windows 10 1709+).

    Layout: MatchAnyKeyword u64, MatchAllKeyword u64, Level u8, FilterIn u8, NameCount u16,
    then NameCount NUL-terminated UTF-8 names (from offset 20). The filter applies to the
    enabled events that match `level`/keywords; the defaults (0xFF, all ones, 0) cover all.
    `type` may be EVENT_FILTER_TYPE_STACKWALK_NAME (events whose stacks are collected).
    Raises ValueError for no name, an empty name or one with a NUL, a bad level/keyword, or
    more than 4096 bytes (MAX_EVENT_FILTER_EVENT_NAME_SIZE).
    """
    items = list(names)
    if not items:
        raise ValueError("an event name filter needs at least one name")
    for name in items:
        if not isinstance(name, str) or not name or "\0" in name:
            raise ValueError(f"bad event name {name!r}")
    _ints((level,), "level", 0xFF)
    _ints((match_any_keyword, match_all_keyword), "keyword", 0xFFFFFFFFFFFFFFFF)
    data = struct.pack("<QQBBH", match_any_keyword, match_all_keyword, level,
                       1 if filter_in else 0, len(items))
    data += b"".join(n.encode("utf-8") + b"\0" for n in items)
    if len(data) > MAX_EVENT_FILTER_EVENT_NAME_SIZE:
        raise ValueError(f"event name filter is {len(data)} bytes; Windows accepts at most "
                         f"{MAX_EVENT_FILTER_EVENT_NAME_SIZE}")
    return EventFilter(type, data)
