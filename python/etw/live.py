"""Live ETW: sessions, providers, the kernel logger and a real-time consumer.

Everything that does not need Windows lives here and works on any OS: argument checks,
EVENT_TRACE_PROPERTIES and ENABLE_TRACE_PARAMETERS built as bytes, filter descriptors,
Windows limits, the Win32 error -> exception mapping, and ``Consumer(files=[...])``, which
reads ``.etl`` files through :func:`etw.open`. The calls that need a running Windows
(starting, stopping, enabling, listing, consuming sessions) go through the native backend
(``etwmodule/win``, built into ``etw._etw`` on Windows only) and raise
:class:`UnsupportedPlatformError` elsewhere.

Byte layouts (x64 unless ``pointer_size=4``) are those of the Windows SDK evntrace.h; the
offsets below were checked with mingw-w64 (``offsetof``/``sizeof``) and the same numbers are
asserted in ``etwmodule/win/wintest``.
"""

from __future__ import annotations

import atexit
import errno as _errno
import heapq
import struct
import sys
import threading
import uuid
import weakref
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from ._errors import EtwError
from .filters import EventFilter
from .kernel import (
    KERNEL_LOGGER_NAME, SYSTEM_PROVIDERS, SYSTEM_TRACE_CONTROL_GUID, KernelFlag, kernel_flags,
)
from .providers import Provider, parse_guid

__all__ = [
    "UnsupportedPlatformError", "SessionError", "SessionExistsError", "SessionLimitError",
    "SessionNotFoundError", "SessionPermissionError", "EventsLostError",
    "Session", "KernelSession", "Consumer", "sessions", "stop_session", "providers",
    "registered_providers", "enable_profile_privilege", "needs_profile_privilege",
    "LogFileMode", "build_properties", "parse_properties", "build_enable_parameters",
    "win32_error",
]

IS_WINDOWS = sys.platform == "win32"
# Pointer size of this interpreter: the layouts default to it (8 on x64/arm64, 4 on x86).
NATIVE_POINTER_SIZE = struct.calcsize("P")

# ---------------------------------------------------------------- exceptions

_UNSUPPORTED = "live ETW sessions need Windows; use etw.open() for .etl files"


class UnsupportedPlatformError(EtwError, NotImplementedError):
    """A live-only call (sessions, real-time consumers, registered providers) off Windows."""

    def __init__(self, what: str = "") -> None:
        msg = _UNSUPPORTED if not what else f"{what}: {_UNSUPPORTED}"
        super().__init__(msg + f" (this is {sys.platform})")


class SessionError(EtwError, OSError):
    """A Win32 ETW call failed. ``api`` is the function ("StartTraceW", ...), ``winerror``
    (also ``code``) its Win32 error code and ``session`` the session name, when known."""

    def __init__(self, api: str, code: int, message: str, session: Optional[str] = None,
                 errno_value: int = 0) -> None:
        super().__init__(errno_value or _errno.EIO, message)
        self.api = api
        self.code = code
        self.session = session
        try:
            self.winerror = code
        except AttributeError:  # pragma: no cover - read-only on some builds
            pass

    def __str__(self) -> str:
        return self.strerror or ""

    def __reduce__(self):
        return (type(self), (self.api, self.code, self.strerror, self.session, self.errno))


class SessionExistsError(SessionError):
    """A session of that name is already running (ERROR_ALREADY_EXISTS, 183)."""


class SessionLimitError(SessionError):
    """No more sessions can start: the system-wide limit of loggers is reached
    (ERROR_NO_SYSTEM_RESOURCES, 1450)."""


class SessionNotFoundError(SessionError):
    """No session of that name runs (ERROR_WMI_INSTANCE_NOT_FOUND, 4201)."""


class SessionPermissionError(SessionError, PermissionError):
    """ERROR_ACCESS_DENIED (5): the process is not elevated nor in Performance Log Users."""


class EventsLostError(EtwError):
    """Raised by a ``strict`` consumer when ETW or etw's own ring lost events. ``stats``
    holds the counters at the time."""

    def __init__(self, message: str, stats: dict) -> None:
        super().__init__(message)
        self.stats = stats


# Win32 codes this module names (winerror.h).
ERROR_SUCCESS = 0
ERROR_ACCESS_DENIED = 5
ERROR_BAD_LENGTH = 24
ERROR_INVALID_PARAMETER = 87
ERROR_ALREADY_EXISTS = 183
ERROR_MORE_DATA = 234
ERROR_NO_SYSTEM_RESOURCES = 1450
ERROR_CANCELLED = 1223
ERROR_CTX_CLOSE_PENDING = 7007
ERROR_WMI_INSTANCE_NOT_FOUND = 4201
ERROR_NOT_ALL_ASSIGNED = 1300
ERROR_NO_SUCH_PRIVILEGE = 1313

_CODE_NAMES = {
    ERROR_ACCESS_DENIED: "ERROR_ACCESS_DENIED",
    ERROR_BAD_LENGTH: "ERROR_BAD_LENGTH",
    ERROR_INVALID_PARAMETER: "ERROR_INVALID_PARAMETER",
    ERROR_ALREADY_EXISTS: "ERROR_ALREADY_EXISTS",
    ERROR_MORE_DATA: "ERROR_MORE_DATA",
    ERROR_NO_SYSTEM_RESOURCES: "ERROR_NO_SYSTEM_RESOURCES",
    ERROR_CANCELLED: "ERROR_CANCELLED",
    ERROR_CTX_CLOSE_PENDING: "ERROR_CTX_CLOSE_PENDING",
    ERROR_WMI_INSTANCE_NOT_FOUND: "ERROR_WMI_INSTANCE_NOT_FOUND",
    2: "ERROR_FILE_NOT_FOUND", 6: "ERROR_INVALID_HANDLE", 50: "ERROR_NOT_SUPPORTED",
    120: "ERROR_CALL_NOT_IMPLEMENTED", 1168: "ERROR_NOT_FOUND",
    ERROR_NOT_ALL_ASSIGNED: "ERROR_NOT_ALL_ASSIGNED",
    ERROR_NO_SUCH_PRIVILEGE: "ERROR_NO_SUCH_PRIVILEGE",
}

_ELEVATION_HINT = ("run Python as Administrator (elevated), or add the user to the "
                   "'Performance Log Users' group (not enough for the kernel logger)")


def win32_error(api: str, code: int, session: Optional[str] = None) -> SessionError:
    """The exception for Win32 error `code` returned by `api` (not raised: returned).

    183 -> SessionExistsError, 1450 -> SessionLimitError, 4201 -> SessionNotFoundError,
    5 -> SessionPermissionError (a PermissionError, with a hint), else SessionError.
    """
    name = _CODE_NAMES.get(code, "")
    where = f" for session {session!r}" if session is not None else ""
    head = f"{api} failed{where}: Win32 error {code}" + (f" ({name})" if name else "")
    if code == ERROR_ALREADY_EXISTS:
        return SessionExistsError(api, code, head + "; a session of that name is already "
                                  "running (pass replace=True to stop and replace it)",
                                  session, _errno.EEXIST)
    if code == ERROR_NO_SYSTEM_RESOURCES:
        return SessionLimitError(api, code, head + "; the system's limit of running trace "
                                 "sessions is reached (stop one: see etw.sessions())",
                                 session, _errno.EAGAIN)
    if code == ERROR_WMI_INSTANCE_NOT_FOUND:
        return SessionNotFoundError(api, code, head + "; no such session is running",
                                    session, _errno.ENOENT)
    if code == ERROR_ACCESS_DENIED:
        return SessionPermissionError(api, code, head + "; " + _ELEVATION_HINT, session,
                                      _errno.EACCES)
    return SessionError(api, code, head, session)


# ---------------------------------------------------------------- EVENT_TRACE_PROPERTIES

class LogFileMode:
    """EVENT_TRACE_PROPERTIES.LogFileMode bits (EVENT_TRACE_*, mingw-w64 evntrace.h)."""

    FILE_MODE_NONE = 0x00000000
    FILE_MODE_SEQUENTIAL = 0x00000001
    FILE_MODE_CIRCULAR = 0x00000002
    FILE_MODE_APPEND = 0x00000004
    FILE_MODE_NEWFILE = 0x00000008
    FILE_MODE_PREALLOCATE = 0x00000020
    NONSTOPPABLE_MODE = 0x00000040
    SECURE_MODE = 0x00000080
    REAL_TIME_MODE = 0x00000100
    DELAY_OPEN_FILE_MODE = 0x00000200
    BUFFERING_MODE = 0x00000400
    PRIVATE_LOGGER_MODE = 0x00000800
    ADD_HEADER_MODE = 0x00001000
    USE_KBYTES_FOR_SIZE = 0x00002000
    USE_GLOBAL_SEQUENCE = 0x00004000
    USE_LOCAL_SEQUENCE = 0x00008000
    RELOG_MODE = 0x00010000
    PRIVATE_IN_PROC = 0x00020000
    MODE_RESERVED = 0x00100000
    NO_PER_PROCESSOR_BUFFERING = 0x10000000
    SYSTEM_LOGGER_MODE = 0x02000000
    USE_PAGED_MEMORY = 0x01000000
    INDEPENDENT_SESSION_MODE = 0x08000000
    STOP_ON_HYBRID_SHUTDOWN = 0x00400000
    PERSIST_ON_HYBRID_SHUTDOWN = 0x00800000


WNODE_FLAG_TRACED_GUID = 0x00020000
CLOCKS = {"qpc": 1, "system": 2, "systemtime": 2, "cpu": 3, "cycles": 3}
CLOCK_NAMES = {1: "qpc", 2: "system", 3: "cpu"}

# ControlTrace codes (EVENT_TRACE_CONTROL_*).
CONTROL_QUERY, CONTROL_STOP, CONTROL_UPDATE, CONTROL_FLUSH = 0, 1, 2, 3
# EnableTraceEx2 control codes.
CONTROL_CODE_DISABLE, CONTROL_CODE_ENABLE, CONTROL_CODE_CAPTURE_STATE = 0, 1, 2

# Windows limits (EVENT_TRACE_PROPERTIES and EnableTraceEx2 documentation, evntprov.h).
MAX_NAME_CHARS = 1024           # logger and log file names, terminator included
MAX_BUFFER_SIZE_KB = 1024       # "The maximum buffer size is 1 MB"
MAX_EVENT_FILTERS_COUNT = 13    # evntprov.h MAX_EVENT_FILTERS_COUNT
ENABLE_TRACE_PARAMETERS_VERSION_2 = 2

_PROPS_FIELDS = (  # name, offset (x64), struct code; x86 differs from LoggerThreadId on
    ("wnode_buffer_size", 0, "I"), ("wnode_provider_id", 4, "I"),
    ("historical_context", 8, "Q"), ("wnode_timestamp", 16, "q"),
    ("guid", 24, "16s"), ("clock", 40, "I"), ("wnode_flags", 44, "I"),
    ("buffer_size_kb", 48, "I"), ("min_buffers", 52, "I"), ("max_buffers", 56, "I"),
    ("max_file_size", 60, "I"), ("log_file_mode", 64, "I"), ("flush_timer", 68, "I"),
    ("enable_flags", 72, "I"), ("age_limit", 76, "i"), ("number_of_buffers", 80, "I"),
    ("free_buffers", 84, "I"), ("events_lost", 88, "I"), ("buffers_written", 92, "I"),
    ("log_buffers_lost", 96, "I"), ("realtime_buffers_lost", 100, "I"),
)


def properties_size(pointer_size: Optional[int] = None) -> int:
    """sizeof(EVENT_TRACE_PROPERTIES): 120 on x64, 116 on x86."""
    return 120 if _ptr(pointer_size or NATIVE_POINTER_SIZE) == 8 else 116


def _ptr(pointer_size: int) -> int:
    if pointer_size not in (4, 8):
        raise ValueError(f"pointer_size must be 4 or 8, not {pointer_size!r}")
    return pointer_size


def _name_offsets(pointer_size: int) -> Tuple[int, int, int]:
    """(LoggerThreadId, LogFileNameOffset, LoggerNameOffset) field offsets."""
    return (104, 112, 116) if pointer_size == 8 else (104, 108, 112)


def _u32(value, what: str, low: int = 0, high: int = 0xFFFFFFFF) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{what} must be an integer in {low}..{high}, not {value!r}")
    return value


def _check_name(name, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{what} must be a non-empty str, not {name!r}")
    if "\0" in name:
        raise ValueError(f"{what} {name!r} contains a NUL character")
    if len(name.encode("utf-16-le")) // 2 + 1 > MAX_NAME_CHARS:
        raise ValueError(f"{what} is too long: Windows accepts at most {MAX_NAME_CHARS - 1} "
                         "UTF-16 code units")
    return name


def _clock(clock) -> int:
    if isinstance(clock, int) and not isinstance(clock, bool):
        if clock in (1, 2, 3):
            return clock
    elif isinstance(clock, str) and clock.strip().lower() in CLOCKS:
        return CLOCKS[clock.strip().lower()]
    raise ValueError(f"clock must be 'qpc' (1), 'system' (2) or 'cpu' (3), not {clock!r}")


def build_properties(name: str, *, buffer_size_kb: int = 64, min_buffers: int = 0,
                     max_buffers: int = 0, flush_timer: int = 1, clock="qpc",
                     log_file_mode: int = 0, paged_memory: bool = False,
                     real_time: Optional[bool] = None, file: Optional[str] = None,
                     max_file_size_mb: int = 0, enable_flags: int = 0,
                     guid: Union[None, str, uuid.UUID] = None,
                     pointer_size: Optional[int] = None) -> bytes:
    """EVENT_TRACE_PROPERTIES for StartTraceW/ControlTraceW as bytes, with room after the
    structure for the logger name and the log file name (MAX_NAME_CHARS UTF-16 units each,
    which ControlTrace QUERY also needs to write them back).

    `real_time` defaults to True without `file` and False with it (give both to log to a
    file and consume live). The kernel logger's name selects SystemTraceControlGuid as
    Wnode.Guid; otherwise `guid` (default zero: Windows picks one). Raises ValueError for
    anything Windows would reject or truncate.
    """
    ps = _ptr(pointer_size or NATIVE_POINTER_SIZE)
    _check_name(name, "session name")
    if file is not None:
        _check_name(file if isinstance(file, str) else str(file), "log file name")
        file = str(file)
    _u32(buffer_size_kb, "buffer_size_kb", 1, MAX_BUFFER_SIZE_KB)
    _u32(min_buffers, "min_buffers")
    _u32(max_buffers, "max_buffers")
    if max_buffers and min_buffers > max_buffers:
        raise ValueError(f"min_buffers ({min_buffers}) exceeds max_buffers ({max_buffers})")
    _u32(flush_timer, "flush_timer (seconds)")
    _u32(max_file_size_mb, "max_file_size_mb")
    mode = _u32(log_file_mode, "log_file_mode")
    flags = _u32(int(enable_flags), "enable_flags")
    if real_time is None:
        real_time = file is None
    if real_time:
        mode |= LogFileMode.REAL_TIME_MODE
    if file is not None and not mode & (LogFileMode.FILE_MODE_CIRCULAR
                                        | LogFileMode.FILE_MODE_APPEND
                                        | LogFileMode.FILE_MODE_NEWFILE):
        mode |= LogFileMode.FILE_MODE_SEQUENTIAL
    if file is None and not real_time and not mode & LogFileMode.BUFFERING_MODE:
        raise ValueError("a session needs real_time=True, a file, or BUFFERING_MODE")
    if mode & LogFileMode.FILE_MODE_CIRCULAR and mode & LogFileMode.FILE_MODE_SEQUENTIAL:
        raise ValueError("FILE_MODE_CIRCULAR and FILE_MODE_SEQUENTIAL exclude each other")
    if mode & LogFileMode.FILE_MODE_CIRCULAR and not max_file_size_mb:
        raise ValueError("a circular log file needs max_file_size_mb")
    if paged_memory:
        mode |= LogFileMode.USE_PAGED_MEMORY
    if name.lower() == KERNEL_LOGGER_NAME.lower():
        wguid = SYSTEM_TRACE_CONTROL_GUID
        if guid is not None and parse_guid(guid) != wguid:
            raise ValueError(f"the {KERNEL_LOGGER_NAME} always uses SystemTraceControlGuid")
        if mode & LogFileMode.USE_PAGED_MEMORY:
            raise ValueError("the kernel logger cannot use paged memory")
    else:
        wguid = parse_guid(guid) if guid is not None else uuid.UUID(int=0)
        if flags and not mode & LogFileMode.SYSTEM_LOGGER_MODE:
            raise ValueError("enable_flags (kernel flags) need the NT Kernel Logger or "
                             "LogFileMode.SYSTEM_LOGGER_MODE")
    base = properties_size(ps)
    name_area = MAX_NAME_CHARS * 2
    total = base + 2 * name_area
    buf = bytearray(total)
    values = {
        "wnode_buffer_size": total, "guid": wguid.bytes_le, "clock": _clock(clock),
        "wnode_flags": WNODE_FLAG_TRACED_GUID, "buffer_size_kb": buffer_size_kb,
        "min_buffers": min_buffers, "max_buffers": max_buffers,
        "max_file_size": max_file_size_mb, "log_file_mode": mode,
        "flush_timer": flush_timer, "enable_flags": flags,
    }
    for field, off, code in _PROPS_FIELDS:
        if field in values:
            struct.pack_into("<" + code, buf, off, values[field])
    _, lf_off, ln_off = _name_offsets(ps)
    logger_name_at = base
    log_file_at = base + name_area
    struct.pack_into("<II", buf, lf_off, log_file_at, logger_name_at)
    enc = name.encode("utf-16-le")
    buf[logger_name_at:logger_name_at + len(enc)] = enc
    if file is not None:
        enc = file.encode("utf-16-le")
        buf[log_file_at:log_file_at + len(enc)] = enc
    return bytes(buf)


def _utf16z(data: bytes, off: int) -> str:
    if not off or off >= len(data):
        return ""
    end = off
    while end + 1 < len(data) and data[end:end + 2] != b"\0\0":
        end += 2
    return data[off:end].decode("utf-16-le", "replace")


def parse_properties(data: bytes, pointer_size: Optional[int] = None) -> dict:
    """Read EVENT_TRACE_PROPERTIES bytes (as built here, or as ControlTrace QUERY and
    QueryAllTraces fill them) into a dict: every counter, `name`, `log_file`, `guid`
    (uuid.UUID), `clock` ('qpc'/'system'/'cpu' or the number), `logger_thread_id`.
    Raises ValueError when `data` is shorter than the structure or a name offset points
    outside it."""
    ps = _ptr(pointer_size or NATIVE_POINTER_SIZE)
    base = properties_size(ps)
    data = bytes(data)
    if len(data) < base:
        raise ValueError(f"EVENT_TRACE_PROPERTIES needs {base} bytes, got {len(data)}")
    out = {}
    for field, off, code in _PROPS_FIELDS:
        out[field] = struct.unpack_from("<" + code, data, off)[0]
    out["guid"] = uuid.UUID(bytes_le=out["guid"])
    out["clock"] = CLOCK_NAMES.get(out["clock"], out["clock"])
    th_off, lf_off, ln_off = _name_offsets(ps)
    out["logger_thread_id"] = struct.unpack_from("<Q" if ps == 8 else "<I", data, th_off)[0]
    lf, ln = struct.unpack_from("<II", data, lf_off)
    for key, off in (("log_file", lf), ("name", ln)):
        if off and not base <= off < len(data):
            raise ValueError(f"{key} offset {off} is outside the {len(data)} bytes")
        out[key] = _utf16z(data, off)
    out["real_time"] = bool(out["log_file_mode"] & LogFileMode.REAL_TIME_MODE)
    return out


# ---------------------------------------------------------------- ENABLE_TRACE_PARAMETERS

def build_enable_parameters(provider: Provider, pointer_size: Optional[int] = None,
                            source_id: Union[None, str, uuid.UUID] = None
                            ) -> Tuple[bytes, List[EventFilter]]:
    """ENABLE_TRACE_PARAMETERS (version 2) for `provider` as bytes, and the filters its
    EnableFilterDesc must point at (the pointer is left 0; the native side sets it).

    Layout x64: Version u32, EnableProperty u32, ControlFlags u32, SourceId GUID @12,
    EnableFilterDesc ptr @32, FilterDescCount u32 @40, 48 bytes; x86: ptr @28, count @32,
    36 bytes. Raises ValueError for more than 13 filters (MAX_EVENT_FILTERS_COUNT) or two
    filters of one type (EnableTraceEx2 rejects both)."""
    ps = _ptr(pointer_size or NATIVE_POINTER_SIZE)
    if not isinstance(provider, Provider):
        raise TypeError(f"expected an etw.Provider, not {type(provider).__name__}")
    filters = provider.filter_descriptors()
    if len(filters) > MAX_EVENT_FILTERS_COUNT:
        raise ValueError(f"{provider.name or provider.guid}: {len(filters)} filters; "
                         f"EnableTraceEx2 takes at most {MAX_EVENT_FILTERS_COUNT}")
    seen = set()
    for f in filters:
        if f.type in seen:
            raise ValueError(f"{provider.name or provider.guid}: two filters of type "
                             f"{f.type:#x}; Windows takes one of each type (merge them)")
        seen.add(f.type)
    sid = parse_guid(source_id) if source_id is not None else uuid.UUID(int=0)
    head = struct.pack("<III16s", ENABLE_TRACE_PARAMETERS_VERSION_2,
                       int(provider.enable_properties), 0, sid.bytes_le)
    if ps == 8:
        body = head + b"\0" * 4 + struct.pack("<QI", 0, len(filters)) + b"\0" * 4
    else:
        body = head + struct.pack("<II", 0, len(filters))
    return body, filters


def filter_descriptor_array(filters: Sequence[EventFilter]) -> bytes:
    """EVENT_FILTER_DESCRIPTOR[] as bytes with Ptr left 0 (Ptr u64, Size u32, Type u32:
    16 bytes each on every architecture)."""
    return b"".join(struct.pack("<QII", 0, len(f.data), f.type) for f in filters)


def _as_provider(provider) -> Provider:
    if isinstance(provider, Provider):
        return provider
    if isinstance(provider, uuid.UUID):
        return Provider(provider)
    if isinstance(provider, str):
        return Provider.parse(provider)
    raise TypeError(f"expected an etw.Provider, a provider string or a uuid.UUID, "
                    f"not {type(provider).__name__}")


# ---------------------------------------------------------------- native backend

def _backend(what: str):
    """etw._etw when it carries the Windows live backend; else raise."""
    if not IS_WINDOWS:
        raise UnsupportedPlatformError(what)
    from . import _etw
    if not hasattr(_etw, "_live_start"):
        raise UnsupportedPlatformError(what + " (this build of etw has no live backend)")
    return _etw


def _check(api: str, code: int, session: Optional[str] = None) -> None:
    if code:
        raise win32_error(api, code, session)


# ---------------------------------------------------------------- profiling privilege

# Microsoft ("Configuring and Starting a SystemTraceProvider Session"): a profiling trace
# session of the SystemTraceProvider needs the profile privilege, SeSystemProfilePrivilege
# ("Profile system performance"). Administrators hold it, but a token's privileges start
# disabled: the process enables it itself (AdjustTokenPrivileges). Profiling here means
# EVENT_TRACE_FLAG_PROFILE (SampledProfile events) on a kernel/system logger, or the
# Windows 11 SystemProfileProvider enabled in a system-logger session.
PROFILE_PRIVILEGE = "SeSystemProfilePrivilege"
SYSTEM_PROFILE_PROVIDER_GUID = SYSTEM_PROVIDERS["Profile"].guid
_PROFILE_HINT = ("sampled profiling (KernelFlag.PROFILE, the SystemProfileProvider) needs "
                 "SeSystemProfilePrivilege ('Profile system performance'), which this "
                 "process's token does not hold: run Python elevated (Run as administrator), "
                 "or grant the right to the account (Local Security Policy > User Rights "
                 "Assignment > Profile system performance) and log on again")
_PRIVILEGES_ENABLED: set = set()
_PRIVILEGE_LOCK = threading.Lock()


def needs_profile_privilege(enable_flags: int = 0, providers: Iterable = ()) -> bool:
    """True when a session with these kernel EnableFlags and providers profiles the system:
    KernelFlag.PROFILE in `enable_flags`, or the SystemProfileProvider among `providers`
    (Provider objects, strings or GUIDs)."""
    if int(enable_flags) & KernelFlag.PROFILE:
        return True
    return any(_as_provider(p).guid == SYSTEM_PROFILE_PROVIDER_GUID for p in providers)


def enable_profile_privilege(session: Optional[str] = None) -> None:
    """Enable SeSystemProfilePrivilege in this process's token (done for you when a session
    needs it: see needs_profile_privilege). Windows is asked once per process.

    Raises SessionPermissionError (a PermissionError, with a hint) when the token does not
    hold the privilege (ERROR_NOT_ALL_ASSIGNED), SessionError for another failure, and
    UnsupportedPlatformError off Windows."""
    with _PRIVILEGE_LOCK:
        if PROFILE_PRIVILEGE in _PRIVILEGES_ENABLED:
            return
        be = _backend("enabling SeSystemProfilePrivilege")
        code, api = be._live_enable_privilege(PROFILE_PRIVILEGE)
        if code == ERROR_NOT_ALL_ASSIGNED:
            where = f" for session {session!r}" if session is not None else ""
            raise SessionPermissionError(
                api, code, f"{api} failed{where}: Win32 error {code} (ERROR_NOT_ALL_ASSIGNED); "
                + _PROFILE_HINT, session, _errno.EACCES)
        _check(api, code, session)
        _PRIVILEGES_ENABLED.add(PROFILE_PRIVILEGE)


# Sessions this process started and has not stopped: name -> handle (for atexit).
_OWNED: "weakref.WeakValueDictionary[str, Session]" = weakref.WeakValueDictionary()
_OWNED_LOCK = threading.Lock()


def _stop_native(name: str, pointer_size: Optional[int] = None) -> Optional[dict]:
    """ControlTraceW(STOP) by name; returns the final properties, or None when the session
    was already gone. Raises SessionError for any other failure."""
    be = _backend("stopping a session")
    props = build_properties(name, pointer_size=pointer_size)
    code, out = be._live_control(0, name, props, CONTROL_STOP)
    if code == ERROR_WMI_INSTANCE_NOT_FOUND:
        return None
    _check("ControlTraceW", code, name)
    return parse_properties(out, pointer_size)


def _finalize_session(name: str, state: dict) -> None:
    """Finalizer and atexit hook: stop a session this process started, quietly."""
    if state.get("running"):
        state["running"] = False
        try:
            _stop_native(name)
        except Exception:  # noqa: BLE001 - at exit nothing can be reported
            pass


class Session:
    """A named ETW trace session (real-time by default; `file=` logs to an .etl file).

    ``with etw.Session("my-session") as s: s.enable("Microsoft-Windows-Kernel-Process")``.
    The session starts on ``start()`` or ``__enter__`` and stops on ``stop()`` (idempotent),
    at ``__exit__``, when the object is collected and at interpreter exit, so a script
    never leaves it running. A name in use raises SessionExistsError unless
    ``replace=True``, which stops the other session first. Construction only checks the
    arguments (and works on any OS); starting needs Windows.
    """

    def __init__(self, name: str, *, buffer_size_kb: int = 64, min_buffers: int = 0,
                 max_buffers: int = 0, flush_timer: int = 1, clock="qpc",
                 log_file_mode: int = 0, paged_memory: bool = False,
                 file: Optional[str] = None, real_time: Optional[bool] = None,
                 max_file_size_mb: int = 0, guid: Union[None, str, uuid.UUID] = None,
                 replace: bool = False, providers: Iterable = (),
                 enable_flags: int = 0) -> None:
        self.name = _check_name(name, "session name")
        self.replace = bool(replace)
        self._kwargs = dict(buffer_size_kb=buffer_size_kb, min_buffers=min_buffers,
                            max_buffers=max_buffers, flush_timer=flush_timer, clock=clock,
                            log_file_mode=log_file_mode, paged_memory=paged_memory,
                            file=None if file is None else str(file), real_time=real_time,
                            max_file_size_mb=max_file_size_mb, guid=guid,
                            enable_flags=int(enable_flags))
        self.properties = build_properties(self.name, **self._kwargs)  # validates
        self.file = self._kwargs["file"]
        self._providers: "dict[uuid.UUID, Provider]" = {}
        self._state = {"running": False}
        self._handle = 0
        self._finalizer = weakref.finalize(self, _finalize_session, self.name, self._state)
        for p in providers:
            self.enable(p)

    # -- state
    @property
    def running(self) -> bool:
        return self._state["running"]

    @property
    def providers(self) -> Tuple[Provider, ...]:
        """The providers enabled (or queued before start), in order."""
        return tuple(self._providers.values())

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<etw.Session {self.name!r} {state}, {len(self._providers)} provider(s)>"

    # -- lifetime
    def start(self) -> "Session":
        """Start the session (StartTraceW) and enable the queued providers."""
        if self.running:
            return self
        be = _backend("starting a session")
        if needs_profile_privilege(self._kwargs["enable_flags"], self._providers.values()):
            enable_profile_privilege(self.name)
        code, handle, _ = be._live_start(self.name, self.properties)
        if code == ERROR_ALREADY_EXISTS and self.replace:
            _stop_native(self.name)
            code, handle, _ = be._live_start(self.name, self.properties)
        _check("StartTraceW", code, self.name)
        self._handle = handle
        self._state["running"] = True
        with _OWNED_LOCK:
            _OWNED[self.name] = self
        try:
            self._after_start()
            for p in self._providers.values():
                self._enable_native(p, CONTROL_CODE_ENABLE)
        except BaseException:
            self.stop()
            raise
        return self

    def _after_start(self) -> None:
        """Hook for subclasses (the kernel logger's stack walk)."""

    def stop(self) -> Optional[dict]:
        """Stop the session (ControlTraceW STOP). Idempotent: returns the final
        statistics (parse_properties) the first time, None afterwards or when the
        session was already stopped from outside."""
        if not self._state["running"]:
            return None
        self._state["running"] = False
        with _OWNED_LOCK:
            if _OWNED.get(self.name) is self:
                del _OWNED[self.name]
        return _stop_native(self.name)

    close = stop

    def __enter__(self) -> "Session":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- providers
    def enable(self, provider, *, timeout_ms: int = 0) -> Provider:
        """Enable a provider (etw.Provider, a goetw-style string, or a GUID). Before start
        it is queued; while running EnableTraceEx2 applies it now (again with new
        level/keywords/filters to update it)."""
        p = _as_provider(provider)
        build_enable_parameters(p)  # validates the filters on every OS
        _u32(timeout_ms, "timeout_ms")
        if self.running:
            self._enable_native(p, CONTROL_CODE_ENABLE, timeout_ms)
        self._providers[p.guid] = p
        return p

    def disable(self, provider) -> None:
        """Disable a provider (given as for enable, or by GUID/name)."""
        p = _as_provider(provider)
        if self.running:
            self._enable_native(p, CONTROL_CODE_DISABLE)
        self._providers.pop(p.guid, None)

    def capture_state(self, provider=None) -> None:
        """Ask one provider (default: every enabled one) for its rundown events."""
        targets = [_as_provider(provider)] if provider is not None else list(
            self._providers.values())
        if not self.running:
            raise EtwError(f"session {self.name!r} is not running")
        for p in targets:
            self._enable_native(p, CONTROL_CODE_CAPTURE_STATE)

    def _enable_native(self, p: Provider, control: int, timeout_ms: int = 0) -> None:
        be = _backend("enabling a provider")
        if control != CONTROL_CODE_DISABLE and needs_profile_privilege(0, (p,)):
            enable_profile_privilege(self.name)
        params, filters = build_enable_parameters(p)
        code = be._live_enable(self._handle, p.guid.bytes_le, control, p.level,
                               p.match_any_keyword, p.match_all_keyword, timeout_ms,
                               int(p.enable_properties), [(f.type, f.data) for f in filters])
        _check("EnableTraceEx2", code, self.name)

    # -- management
    def query(self) -> dict:
        """The session's properties and counters now (ControlTraceW QUERY)."""
        be = _backend("querying a session")
        code, out = be._live_control(self._handle, self.name,
                                     build_properties(self.name, **self._kwargs),
                                     CONTROL_QUERY)
        _check("ControlTraceW", code, self.name)
        return parse_properties(out)

    def flush(self) -> None:
        """Flush the session's buffers (ControlTraceW FLUSH)."""
        be = _backend("flushing a session")
        code, _ = be._live_control(self._handle, self.name,
                                   build_properties(self.name, **self._kwargs), CONTROL_FLUSH)
        _check("ControlTraceW", code, self.name)


class KernelSession(Session):
    """The NT Kernel Logger with EnableFlags: names as in etw.kernel_flags ("process",
    "ImageLoad", "net", ...), KernelFlag values or ints. ``set_flags()`` changes them while
    it runs; ``stack_walk`` takes (class, opcode) pairs for etw.stack_walk_events.
    Needs an elevated process; with the "profile" flag (sampled profiling) it first enables
    SeSystemProfilePrivilege (enable_profile_privilege)."""

    def __init__(self, flags: Union[int, str, Sequence] = KernelFlag.PROCESS, *,
                 stack_walk: Sequence = (), **kwargs) -> None:
        if "name" in kwargs:
            raise TypeError("the kernel logger's name is fixed: 'NT Kernel Logger'")
        self.flags = _kernel_flags(flags)
        if not self.flags:
            raise ValueError("the kernel logger needs at least one kernel flag")
        from .kernel import stack_walk_events
        self.stack_walk = stack_walk_events(*stack_walk) if stack_walk else b""
        super().__init__(KERNEL_LOGGER_NAME, enable_flags=int(self.flags), **kwargs)

    def enable(self, provider, *, timeout_ms: int = 0) -> Provider:
        raise EtwError("the NT Kernel Logger takes kernel flags, not providers: use "
                       "set_flags(), or a Session with SYSTEM_LOGGER_MODE")

    def _after_start(self) -> None:
        if self.stack_walk:
            be = _backend("setting kernel stack walk")
            _check("TraceSetInformation", be._live_stack_walk(self._handle, self.stack_walk),
                   self.name)

    def set_flags(self, flags) -> None:
        """Change the EnableFlags (ControlTraceW UPDATE when running)."""
        new = _kernel_flags(flags)
        kwargs = dict(self._kwargs, enable_flags=int(new))
        props = build_properties(self.name, **kwargs)
        if self.running:
            be = _backend("updating kernel flags")
            if needs_profile_privilege(new):
                enable_profile_privilege(self.name)
            code, _ = be._live_control(self._handle, self.name, props, CONTROL_UPDATE)
            _check("ControlTraceW", code, self.name)
        self.flags, self._kwargs, self.properties = new, kwargs, props


def _kernel_flags(flags) -> KernelFlag:
    if isinstance(flags, (str, int)):
        return kernel_flags(flags)
    return kernel_flags(*flags)


@atexit.register
def _stop_owned_sessions() -> None:
    with _OWNED_LOCK:
        owned = list(_OWNED.values())
    for s in owned:
        try:
            s.stop()
        except Exception:  # noqa: BLE001
            pass


# ---------------------------------------------------------------- management

def sessions() -> List[dict]:
    """Every running session (QueryAllTracesW) as parse_properties dicts (Windows only)."""
    be = _backend("listing sessions")
    code, items = be._live_query_all()
    _check("QueryAllTracesW", code)
    return [parse_properties(b) for b in items]


def stop_session(name: str) -> Optional[dict]:
    """Stop any session by name; returns its final properties, or None if it was not
    running. Use with care: it may belong to another tool (Windows only)."""
    _check_name(name, "session name")
    return _stop_native(name)


def registered_providers() -> List[Tuple[uuid.UUID, str]]:
    """Registered providers (TdhEnumerateProviders) as (GUID, name) pairs (Windows only;
    elsewhere etw.well_known_providers() has the built-in table)."""
    be = _backend("listing registered providers")  # names resolve off Windows anyway
    code, items = be._live_providers()
    _check("TdhEnumerateProviders", code)
    return [(uuid.UUID(bytes_le=g), n) for g, n in items]


providers = registered_providers  # etw.providers() in the issue; etw.providers is a module


# ---------------------------------------------------------------- consumer

def _add_counters(total: dict, native: dict) -> dict:
    """Sums the counters of native consumer stats (one per attachment); the TDH counters
    too, except last_code, which keeps the latest nonzero one."""
    out = dict(total)
    for k in Consumer._NATIVE_COUNTERS:
        out[k] = out.get(k, 0) + int(native.get(k, 0))
    tdh = dict(out.get("tdh", {}))
    for k, v in native.get("tdh", {}).items():
        if k == "last_code":
            tdh[k] = v or tdh.get(k, 0)
        else:
            tdh[k] = tdh.get(k, 0) + v
    out["tdh"] = tdh
    return out


class Consumer:
    """Events from live sessions (by name, including other tools' sessions such as
    "EventLog-System") or from .etl files, merged in time order.

    Iterate it, or ``run(callback)``; ``stop(timeout)`` from another thread (or the
    callback) ends both. Live sessions are read by ProcessTrace on a native thread that
    never calls Python; when the ring between them is full events are dropped and counted
    in ``stats["dropped"]`` rather than stalling ETW. ``strict=True`` raises
    EventsLostError at the end when anything was lost. Files use etw.open (any OS);
    Windows cannot mix sessions and files in one ProcessTrace, and neither does this.

    Live events decode like a file's (TraceLogging metadata, built-in kernel tables,
    ``schemas=`` sources as in etw.open). With ``tdh=True`` (default) an event none of
    those describe is looked up with TDH (TdhGetEventInformation) on the native thread,
    once per (provider, id, version) - or (class, opcode, version) for classic events -
    including misses; ``stats["tdh"]`` counts the lookups.

    When the sessions are stopped from outside (another tool, ``logman stop``) iteration
    ends and ``end_reason`` says "session_ended" (``session_ends`` counts it). With
    ``reattach=True`` (or a poll interval in seconds, default 1.0) the consumer instead
    waits for a session of that name to run again and re-attaches to it, until stop();
    the first attachment must succeed (a misspelt name still raises SessionNotFoundError).
    """

    def __init__(self, sessions: Iterable = (), files: Iterable = (), *, strict: bool = False,
                 raw_timestamps: bool = False, errors: str = "strict", tdh: bool = True,
                 schemas: object = None, reattach: Union[bool, float] = False) -> None:
        # Session objects, names, or anything with a .name (an etw.AutoLogger).
        self.session_names = [_check_name(s if isinstance(s, str) else getattr(s, "name", s),
                                          "session") for s in sessions]
        self.files = [f for f in files]
        if not self.session_names and not self.files:
            raise ValueError("a Consumer needs sessions=[...] or files=[...]")
        if self.session_names and self.files:
            raise ValueError("ProcessTrace cannot mix real-time sessions and log files: "
                             "use two Consumers")
        self.strict = bool(strict)
        self.raw_timestamps = bool(raw_timestamps)
        self.errors = errors
        self.tdh = bool(tdh)
        self.schemas = schemas
        if reattach is True:
            interval: Optional[float] = 1.0
        elif reattach is False or reattach is None:
            interval = None
        elif isinstance(reattach, (int, float)) and reattach > 0:
            interval = float(reattach)
        else:
            raise ValueError(f"reattach must be True, False or a poll interval in seconds "
                             f"(> 0), not {reattach!r}")
        if interval is not None and self.files:
            raise ValueError("reattach applies to live sessions, not to files")
        self.reattach = interval
        #: Why the last iteration ended: "stopped" (stop(), or the loop was left),
        #: "session_ended" (the sessions were stopped from outside), "end_of_files",
        #: "error" (an exception); None before the first one ends.
        self.end_reason: Optional[str] = None
        #: How often ProcessTrace returned because the sessions were stopped from outside.
        self.session_ends = 0
        self._attachments = 0
        self._stop = threading.Event()
        self._native = None
        self._traces: list = []
        self._events = 0
        self._iterating = False
        self._totals: dict = {}          # counters of the closed native consumers
        self._final_native_stats: Optional[dict] = None

    def __repr__(self) -> str:
        src = self.session_names or [str(f) for f in self.files]
        return f"<etw.Consumer {src!r} events={self._events}>"

    def __enter__(self) -> "Consumer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def attached(self) -> bool:
        """True while a ProcessTrace reads the live sessions (False while re-attaching)."""
        return self._native is not None

    def __iter__(self) -> Iterator:
        if self._iterating:
            raise EtwError("this Consumer is already being iterated")
        self._iterating = True
        self._stop.clear()
        self.end_reason = None
        reason = "error"
        try:
            source = self._file_events() if self.files else self._live_events()
            for ev in source:
                self._events += 1
                yield ev
                if self._stop.is_set():
                    break
            if self._stop.is_set():
                reason = "stopped"
            else:
                reason = "end_of_files" if self.files else "session_ended"
        except GeneratorExit:
            reason = "stopped"
            raise
        finally:
            self._iterating = False
            self._close_native()
            self.end_reason = reason
        self._check_strict()

    def _file_events(self) -> Iterator:
        from . import open as _open
        self._traces = [_open(f, errors=self.errors, schemas=self.schemas) for f in self.files]
        if len(self._traces) == 1:
            yield from self._traces[0]
            return
        iters = [((ev.filetime, i, n, ev) for n, ev in enumerate(t))
                 for i, t in enumerate(self._traces)]
        for _, _, _, ev in heapq.merge(*iters):
            yield ev

    def _live_events(self) -> Iterator:
        be = _backend("consuming a live session")
        names = ",".join(self.session_names)
        while True:
            code, api, handle = be._live_consumer_open(self.session_names,
                                                       self.raw_timestamps, self.tdh,
                                                       self.schemas)
            if code == ERROR_WMI_INSTANCE_NOT_FOUND and self._waiting_for_session():
                if self._stop.wait(self.reattach):
                    return
                continue
            _check(api, code, names)
            self._native = handle
            self._attachments += 1
            code, api = yield from self._attachment_events(be, handle)
            final = self._close_native() or {}
            if self._stop.is_set() or final.get("stopped_by_user"):
                return
            if code == ERROR_WMI_INSTANCE_NOT_FOUND and self._waiting_for_session():
                self._attachments -= 1       # not there yet: not an attachment
                if self._stop.wait(self.reattach):
                    return
                continue
            if code not in (0, ERROR_CANCELLED, ERROR_CTX_CLOSE_PENDING):
                raise win32_error(api, code, names)
            self.session_ends += 1          # stopped from outside
            if self.reattach is None or self._stop.wait(self.reattach):
                return

    def _waiting_for_session(self) -> bool:
        """True when a missing session means "wait for it": re-attaching after a first
        successful attachment."""
        return self.reattach is not None and self.session_ends > 0

    def _attachment_events(self, be, handle):
        """Yields the events of one ProcessTrace; returns its (code, api)."""
        while True:
            if self._stop.is_set():
                be._live_consumer_stop(handle, 0)
            batch = be._live_consumer_next(handle, 100)
            if batch is None:  # ProcessTrace returned and the ring is drained
                return be._live_consumer_result(handle)
            yield from batch

    _NATIVE_COUNTERS = ("events", "dropped", "lost_event_records", "ext_truncated", "batches",
                        "buffers_read")

    def _close_native(self) -> Optional[dict]:
        """Closes the current native consumer; returns its final counters (None when there
        was none) and adds them to the totals."""
        if self._native is None:
            return None
        be = _backend("consuming a live session")
        try:
            final = be._live_consumer_stats(self._native)
        finally:
            be._live_consumer_close(self._native)
            self._native = None
        self._final_native_stats = final
        self._totals = _add_counters(self._totals, final)
        return final

    def run(self, callback: Callable) -> int:
        """Call ``callback(event)`` for each event on this thread until the sources end or
        stop() is called; an exception from the callback stops the run and propagates.
        Returns the number of events delivered."""
        if not callable(callback):
            raise TypeError("callback must be callable")
        n = 0
        for ev in self:
            n += 1
            callback(ev)
        return n

    def stop(self, timeout: Optional[float] = None) -> bool:
        """Ask the iteration/run to end after the current event. With live sessions this
        closes the traces (ProcessTrace returns after its current buffer). Returns True
        when nothing is iterating any more within `timeout` seconds (None: do not wait)."""
        self._stop.set()
        native = self._native  # the iterating thread may close it meanwhile
        if native is not None:
            try:
                _backend("stopping a consumer")._live_consumer_stop(
                    native, int((timeout or 0) * 1000))
            except (EtwError, ValueError):  # closed meanwhile by the iterating thread
                pass
        if timeout is None:
            return not self._iterating
        import time
        end = time.monotonic() + timeout
        while self._iterating and time.monotonic() < end:
            time.sleep(0.01)
        return not self._iterating

    @property
    def stats(self) -> dict:
        """events delivered, dropped (our ring was full), lost (ETW's counters per
        session: events_lost, realtime_buffers_lost, log_buffers_lost), for live sessions
        the TDH lookups (``tdh``), ``session_ends`` / ``session_ended`` (stopped from
        outside) and ``attachments``, and for files each trace's stats."""
        out = {"events": self._events, "dropped": 0, "events_lost": 0,
               "realtime_buffers_lost": 0, "log_buffers_lost": 0, "sessions": {}}
        native = dict(self._totals)
        if self._native is not None:
            try:
                native = _add_counters(native, _backend("consumer stats")
                                       ._live_consumer_stats(self._native))
            except ValueError:  # closed meanwhile by the iterating thread
                native = dict(self._totals)
        if native:
            out["dropped"] = native.get("dropped", 0)
            out["lost_event_records"] = native.get("lost_event_records", 0)
            out["buffers_read"] = native.get("buffers_read", 0)
            out["ext_truncated"] = native.get("ext_truncated", 0)
            out["tdh"] = dict(native.get("tdh", {}))
        if self.session_names:
            out["attachments"] = self._attachments
            out["session_ends"] = self.session_ends
        # True once ProcessTrace has returned without stop(): the session was stopped
        # from outside (or the consumer lost it).
        out["session_ended"] = self.session_ends > 0
        if self.session_names and IS_WINDOWS:
            for name in self.session_names:
                try:
                    q = _backend("consumer stats")._live_control(
                        0, name, build_properties(name), CONTROL_QUERY)
                except EtwError:
                    continue
                if q[0] == 0:
                    p = parse_properties(q[1])
                    out["sessions"][name] = p
                    for k in ("events_lost", "realtime_buffers_lost", "log_buffers_lost"):
                        out[k] += p[k]
        if self._traces:
            out["files"] = [dict(t.stats) for t in self._traces]
            out["events_lost"] += sum(t.header.get("events_lost", 0) or 0
                                      for t in self._traces)
        return out

    def _check_strict(self) -> None:
        if not self.strict:
            return
        s = self.stats
        lost = (s["dropped"] + s["events_lost"] + s["realtime_buffers_lost"]
                + s["log_buffers_lost"] + s.get("lost_event_records", 0))
        if lost:
            raise EventsLostError(f"events were lost: dropped={s['dropped']} "
                                  f"events_lost={s['events_lost']} realtime_buffers_lost="
                                  f"{s['realtime_buffers_lost']} log_buffers_lost="
                                  f"{s['log_buffers_lost']}", s)
