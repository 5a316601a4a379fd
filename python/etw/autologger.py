"""AutoLogger (boot-time) sessions: create, inspect and delete them in the registry.

An AutoLogger is a trace session Windows starts early at boot from the registry key
``HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\WMI\\Autologger\\<SessionName>``;
each provider it enables is a subkey named after the provider GUID ("{...}"). Once started
it is an ordinary running session of that name (``etw.sessions()``, ``etw.stop_session``,
``etw.Consumer(sessions=[name])`` when it is real-time).

Value names, types and meanings are those of Microsoft's "Configuring and Starting an
AutoLogger Session" (learn.microsoft.com/windows/win32/etw/configuring-and-starting-an-
autologger-session) and, for the defaults and the 16-file limit, of "INF AddAutoLogger and
UpdateAutoLogger Directives". What those pages leave out, etw leaves out:

* provider filters (event ids, pids, executable names, ...): no registry value is documented
  for them, so a Provider with filters is refused rather than written under invented names;
* kernel flags: the page says the AutoLogger does not log NT Kernel Logger events (that is
  the Global Logger's job), so there is no session-level EnableFlags here; a provider's own
  ``EnableFlags`` value (for classic providers) is supported;
* ``FileCounter`` ("do not set or modify") and ``Status`` (written by Windows at boot) are
  read, never written; ``Boot`` ("debugging scenarios only") is left alone.

Everything goes through a small registry interface (``Registry``): ``WindowsRegistry`` uses
the standard ``winreg`` module (HKEY_LOCAL_MACHINE, so writing needs an elevated process) and
raises ``etw.UnsupportedPlatformError`` off Windows; ``MemoryRegistry`` holds keys in memory
(tests, dry runs). Settings left as None are not written, so Windows uses its defaults.
"""

from __future__ import annotations

import errno as _errno
import sys
import uuid
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from ._errors import EtwError
from .kernel import KERNEL_LOGGER_NAME, SYSTEM_TRACE_CONTROL_GUID
from .live import (
    CLOCK_NAMES,
    LogFileMode,
    MAX_BUFFER_SIZE_KB,
    SessionPermissionError,
    UnsupportedPlatformError,
    _as_provider,
    _clock,
)
from .providers import ALL_KEYWORDS, EnableProperty, Provider, format_guid, parse_guid

__all__ = [
    "AutoLogger", "AutoLoggerProvider", "AutoLoggerError", "AutoLoggerExistsError",
    "AutoLoggerNotFoundError", "Registry", "MemoryRegistry", "WindowsRegistry",
    "autologgers", "delete_autologger", "AUTOLOGGER_KEY",
    "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_MULTI_SZ", "REG_QWORD",
]

# Registry value types (winnt.h; the same numbers as winreg.REG_*).
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_MULTI_SZ = 7
REG_QWORD = 11
_TYPE_NAMES = {REG_SZ: "REG_SZ", REG_EXPAND_SZ: "REG_EXPAND_SZ", REG_BINARY: "REG_BINARY",
               REG_DWORD: "REG_DWORD", REG_MULTI_SZ: "REG_MULTI_SZ", REG_QWORD: "REG_QWORD"}

# Below HKEY_LOCAL_MACHINE.
AUTOLOGGER_KEY = ("SYSTEM", "CurrentControlSet", "Control", "WMI", "Autologger")

# "Registry element size limits": a key name has at most 255 characters and no backslash.
MAX_KEY_NAME = 255
# "Configuring and Starting an AutoLogger Session": FileName "is limited to 1024
# characters"; "The maximum number of instances of the log file that are supported is 16".
MAX_FILE_NAME = 1024
MAX_FILE_MAX = 16
# The EnableProperty bits that page lists for AutoLogger providers.
AUTOLOGGER_ENABLE_PROPERTIES = (
    EnableProperty.SID | EnableProperty.TS_ID | EnableProperty.STACK_TRACE
    | EnableProperty.IGNORE_KEYWORD_0 | EnableProperty.PROVIDER_GROUP
    | EnableProperty.PROCESS_START_KEY | EnableProperty.EVENT_KEY
    | EnableProperty.EXCLUDE_INPRIVATE)

# Session values: attribute -> (value name, type). Guid and Start are always written.
_SESSION_VALUES = (
    ("guid", "Guid", REG_SZ),
    ("start", "Start", REG_DWORD),
    ("buffer_size_kb", "BufferSize", REG_DWORD),
    ("clock", "ClockType", REG_DWORD),
    ("disable_realtime_persistence", "DisableRealtimePersistence", REG_DWORD),
    ("file", "FileName", REG_SZ),
    ("file_max", "FileMax", REG_DWORD),
    ("flush_timer", "FlushTimer", REG_DWORD),
    ("log_file_mode", "LogFileMode", REG_DWORD),
    ("max_file_size_mb", "MaxFileSize", REG_DWORD),
    ("max_buffers", "MaximumBuffers", REG_DWORD),
    ("min_buffers", "MinimumBuffers", REG_DWORD),
)
# Read, never written (Windows maintains them).
_READ_ONLY = {"status": "Status", "file_counter": "FileCounter"}
# Provider values: attribute -> (value name, type).
_PROVIDER_VALUES = (
    ("enabled", "Enabled", REG_DWORD),
    ("level", "EnableLevel", REG_DWORD),
    ("match_any_keyword", "MatchAnyKeyword", REG_QWORD),
    ("match_all_keyword", "MatchAllKeyword", REG_QWORD),
    ("enable_properties", "EnableProperty", REG_DWORD),
    ("enable_flags", "EnableFlags", REG_DWORD),
)
# Managed value names (lower case) -> the type etw writes them with.
_MANAGED_SESSION = {n.lower(): t for _, n, t in _SESSION_VALUES}
_MANAGED_PROVIDER = {n.lower(): t for _, n, t in _PROVIDER_VALUES}

Path = Tuple[str, ...]


# ---------------------------------------------------------------- errors

class AutoLoggerError(EtwError):
    """A registry operation on an AutoLogger failed (other than permissions)."""


class AutoLoggerExistsError(AutoLoggerError, FileExistsError):
    """An AutoLogger of that name is already configured (save(replace=True) updates it)."""

    def __init__(self, name: str) -> None:
        super().__init__(_errno.EEXIST, f"an AutoLogger named {name!r} is already configured "
                         "(pass replace=True to update it)")
        self.name = name

    def __str__(self) -> str:
        return self.strerror or ""


class AutoLoggerNotFoundError(AutoLoggerError, LookupError):
    """No AutoLogger of that name is configured."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no AutoLogger named {name!r} is configured")
        self.name = name


def _permission_error(op: str, name: Optional[str], exc: OSError) -> SessionPermissionError:
    where = f" for AutoLogger {name!r}" if name is not None else ""
    code = getattr(exc, "winerror", None) or 5
    return SessionPermissionError(
        op, code, f"{op} failed{where}: access denied; AutoLogger sessions live under "
        "HKEY_LOCAL_MACHINE, which only an elevated process (Run as administrator) may "
        "change", name, _errno.EACCES)


# ---------------------------------------------------------------- registry backends

class Registry:
    """What AutoLogger needs of a registry. Paths are tuples of key names below
    HKEY_LOCAL_MACHINE; names compare without regard to case, as in Windows. Values are
    (type, data) with type one of REG_SZ / REG_EXPAND_SZ (str), REG_MULTI_SZ (list of str),
    REG_DWORD / REG_QWORD (int) or REG_BINARY (bytes); etw writes only REG_SZ, REG_DWORD
    and REG_QWORD. Missing keys raise FileNotFoundError."""

    def subkeys(self, path: Path) -> List[str]:
        """Names of the subkeys of `path`."""
        raise NotImplementedError

    def values(self, path: Path) -> Dict[str, Tuple[int, Any]]:
        """Every value of `path`: name -> (type, data)."""
        raise NotImplementedError

    def create_key(self, path: Path) -> None:
        """Create `path` (and its missing parents); no-op when it exists."""
        raise NotImplementedError

    def set_value(self, path: Path, name: str, type: int, data: Any) -> None:  # noqa: A002
        """Create or replace one value of the existing key `path`."""
        raise NotImplementedError

    def delete_value(self, path: Path, name: str) -> None:
        """Delete one value (FileNotFoundError when it does not exist)."""
        raise NotImplementedError

    def delete_key(self, path: Path) -> None:
        """Delete a key that has no subkeys."""
        raise NotImplementedError

    def exists(self, path: Path) -> bool:
        try:
            self.values(path)
            return True
        except FileNotFoundError:
            return False

    def delete_tree(self, path: Path) -> None:
        """Delete `path` and everything below it."""
        for sub in self.subkeys(path):
            self.delete_tree(path + (sub,))
        self.delete_key(path)


def _check_value(type_: int, data: Any) -> None:
    if type_ in (REG_SZ, REG_EXPAND_SZ):
        ok = isinstance(data, str) and "\0" not in data
    elif type_ == REG_MULTI_SZ:
        ok = isinstance(data, list) and all(isinstance(x, str) and "\0" not in x
                                            for x in data)
    elif type_ == REG_DWORD:
        ok = type(data) is int and 0 <= data <= 0xFFFFFFFF
    elif type_ == REG_QWORD:
        ok = type(data) is int and 0 <= data <= 0xFFFFFFFFFFFFFFFF
    elif type_ == REG_BINARY:
        ok = isinstance(data, bytes)
    else:
        ok = False
    if not ok:
        raise ValueError(f"{data!r} is not valid {_TYPE_NAMES.get(type_, type_)} data")


class MemoryRegistry(Registry):
    """An in-memory registry (tests and dry runs): case-insensitive, case-preserving key
    and value names, values checked for their type. ``dump()`` shows the content."""

    def __init__(self) -> None:
        self._root = self._node("HKEY_LOCAL_MACHINE")

    @staticmethod
    def _node(name: str) -> dict:
        return {"name": name, "values": {}, "keys": {}}

    def _find(self, path: Path) -> dict:
        node = self._root
        for part in path:
            node = node["keys"].get(part.lower())
            if node is None:
                raise FileNotFoundError(2, "the system cannot find the key", "\\".join(path))
        return node

    def subkeys(self, path: Path) -> List[str]:
        return [n["name"] for n in self._find(path)["keys"].values()]

    def values(self, path: Path) -> Dict[str, Tuple[int, Any]]:
        return {name: (t, v) for name, t, v in self._find(path)["values"].values()}

    def create_key(self, path: Path) -> None:
        node = self._root
        for part in path:
            if not part or "\\" in part:
                raise ValueError(f"bad key name {part!r}")
            node = node["keys"].setdefault(part.lower(), self._node(part))

    def set_value(self, path: Path, name: str, type: int, data: Any) -> None:  # noqa: A002
        _check_value(type, data)
        node = self._find(path)
        old = node["values"].get(name.lower())
        node["values"][name.lower()] = (old[0] if old else name, type, data)

    def delete_value(self, path: Path, name: str) -> None:
        node = self._find(path)
        if node["values"].pop(name.lower(), None) is None:
            raise FileNotFoundError(2, "the system cannot find the value", name)

    def delete_key(self, path: Path) -> None:
        if not path:
            raise ValueError("cannot delete the root")
        parent = self._find(path[:-1])
        node = parent["keys"].get(path[-1].lower())
        if node is None:
            raise FileNotFoundError(2, "the system cannot find the key", "\\".join(path))
        if node["keys"]:
            raise OSError(_errno.ENOTEMPTY, "key has subkeys", "\\".join(path))
        del parent["keys"][path[-1].lower()]

    def dump(self, path: Path = ()) -> dict:
        """{"values": {name: (type, data)}, "keys": {name: <same>}} below `path`."""
        def walk(node):
            return {"values": {n: (t, v) for n, t, v in node["values"].values()},
                    "keys": {k["name"]: walk(k) for k in node["keys"].values()}}
        return walk(self._find(path))


class WindowsRegistry(Registry):
    """HKEY_LOCAL_MACHINE through the standard winreg module (Windows only: elsewhere every
    call raises etw.UnsupportedPlatformError)."""

    def _winreg(self):
        if sys.platform != "win32":
            raise UnsupportedPlatformError("AutoLogger sessions (the Windows registry)")
        import winreg
        return winreg

    def _open(self, path: Path, access: int):
        w = self._winreg()
        return w.OpenKey(w.HKEY_LOCAL_MACHINE, "\\".join(path), 0, access)

    def subkeys(self, path: Path) -> List[str]:
        w = self._winreg()
        out = []
        with self._open(path, w.KEY_READ) as k:
            i = 0
            while True:
                try:
                    out.append(w.EnumKey(k, i))
                except OSError:  # ERROR_NO_MORE_ITEMS
                    return out
                i += 1

    def values(self, path: Path) -> Dict[str, Tuple[int, Any]]:
        w = self._winreg()
        out = {}
        with self._open(path, w.KEY_READ) as k:
            i = 0
            while True:
                try:
                    name, data, type_ = w.EnumValue(k, i)
                except OSError:  # ERROR_NO_MORE_ITEMS
                    return out
                out[name] = (type_, data)
                i += 1

    def create_key(self, path: Path) -> None:
        w = self._winreg()
        w.CreateKeyEx(w.HKEY_LOCAL_MACHINE, "\\".join(path), 0, w.KEY_WRITE).Close()

    def set_value(self, path: Path, name: str, type: int, data: Any) -> None:  # noqa: A002
        _check_value(type, data)
        w = self._winreg()
        with self._open(path, w.KEY_SET_VALUE) as k:
            w.SetValueEx(k, name, 0, type, data)

    def delete_value(self, path: Path, name: str) -> None:
        w = self._winreg()
        with self._open(path, w.KEY_SET_VALUE) as k:
            w.DeleteValue(k, name)

    def delete_key(self, path: Path) -> None:
        w = self._winreg()
        with self._open(path[:-1], w.KEY_WRITE) as k:
            w.DeleteKey(k, path[-1])


def _registry(registry: Optional[Registry]) -> Registry:
    if registry is None:
        return WindowsRegistry()
    if not isinstance(registry, Registry):
        raise TypeError(f"registry must be an etw.autologger.Registry, not "
                        f"{type(registry).__name__}")
    return registry


# ---------------------------------------------------------------- validation

def _check_name(name) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"AutoLogger name must be a non-empty str, not {name!r}")
    if "\\" in name or "\0" in name:
        raise ValueError(f"AutoLogger name {name!r} may not contain a backslash or NUL "
                         "(it is a registry key name)")
    if len(name) > MAX_KEY_NAME:
        raise ValueError(f"AutoLogger name is {len(name)} characters; a registry key name "
                         f"has at most {MAX_KEY_NAME}")
    if name.lower() == KERNEL_LOGGER_NAME.lower():
        raise ValueError("the AutoLogger does not log NT Kernel Logger events (Microsoft: "
                         "use the Global Logger for those)")
    return name


def _opt_u32(value, what: str, low: int = 0, high: int = 0xFFFFFFFF) -> Optional[int]:
    if value is None:
        return None
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{what} must be an integer in {low}..{high} (or None for the "
                         f"Windows default), not {value!r}")
    return value


def _opt_bool(value, what: str) -> Optional[bool]:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"{what} must be True, False or None, not {value!r}")


# ---------------------------------------------------------------- providers

class AutoLoggerProvider(NamedTuple):
    """One provider subkey. None means "value not set" (Windows' default applies)."""

    guid: uuid.UUID
    name: Optional[str] = None
    enabled: Optional[bool] = True
    level: Optional[int] = None
    match_any_keyword: Optional[int] = None
    match_all_keyword: Optional[int] = None
    enable_properties: Optional[int] = None
    enable_flags: Optional[int] = None

    def to_provider(self) -> Provider:
        """An etw.Provider with these settings (its defaults where a value is unset)."""
        kw: Dict[str, Any] = {}
        if self.level is not None:
            kw["level"] = self.level
        if self.match_any_keyword is not None:
            kw["match_any_keyword"] = self.match_any_keyword
        if self.match_all_keyword is not None:
            kw["match_all_keyword"] = self.match_all_keyword
        if self.enable_properties is not None:
            kw["enable_properties"] = self.enable_properties
        return Provider(self.guid, self.name, **kw)

    def registry_values(self) -> Dict[str, Tuple[int, Any]]:
        """The values etw writes for this provider: name -> (type, data)."""
        out = {}
        for attr, name, type_ in _PROVIDER_VALUES:
            v = getattr(self, attr)
            if v is not None:
                out[name] = (type_, int(v))
        return out


def _provider_entry(provider, enable_flags: Optional[int],
                    enabled: bool) -> AutoLoggerProvider:
    if isinstance(provider, AutoLoggerProvider):
        p = provider
        for attr, name, _ in _PROVIDER_VALUES:
            v = getattr(p, attr)
            if attr == "enabled":
                _opt_bool(v, "enabled")
            elif v is not None:
                _opt_u32(v, name, 0, 0xFFFFFFFFFFFFFFFF if "keyword" in attr else
                         (0xFF if attr == "level" else 0xFFFFFFFF))
        _check_properties(p.enable_properties)
        return p._replace(guid=parse_guid(p.guid))
    p = _as_provider(provider)
    if p.filter_descriptors():
        raise ValueError(
            f"{p.name or p.guid}: AutoLogger providers cannot carry filters (event_ids, "
            "exclude_event_ids, pids, exe_names, filters): Microsoft documents no registry "
            "value for them (\"Configuring and Starting an AutoLogger Session\"), so etw "
            "does not write any")
    _check_properties(int(p.enable_properties))
    _opt_u32(enable_flags, "enable_flags")
    _opt_bool(enabled, "enabled")
    return AutoLoggerProvider(p.guid, p.name, enabled, p.level, p.match_any_keyword,
                              p.match_all_keyword, int(p.enable_properties), enable_flags)


def _check_properties(value: Optional[int]) -> None:
    if value is None:
        return
    extra = int(value) & ~int(AUTOLOGGER_ENABLE_PROPERTIES)
    if extra:
        raise ValueError(f"EnableProperty bits {extra:#x} are not among those Microsoft "
                         f"documents for AutoLogger providers ({int(AUTOLOGGER_ENABLE_PROPERTIES):#x}: "
                         "SID, TS_ID, STACK_TRACE, IGNORE_KEYWORD_0, PROVIDER_GROUP, "
                         "PROCESS_START_KEY, EVENT_KEY, EXCLUDE_INPRIVATE)")


# ---------------------------------------------------------------- AutoLogger

class AutoLogger:
    """An AutoLogger (boot-time session) definition.

    ``etw.AutoLogger("my-boot-trace", file=r"C:\\traces\\boot.etl", providers=[...]).save()``
    writes it (Windows, elevated); it starts at the next boot when ``start`` is True.
    ``AutoLogger.get(name)`` reads one back, ``etw.autologgers()`` lists them, ``delete()``
    removes one. Construction only checks the arguments (any OS). Settings left as None are
    not written, so Windows picks them (Microsoft: "Typically, you should use the default
    values"). ``registry=`` selects another backend (etw.autologger.MemoryRegistry).
    """

    def __init__(self, name: str, *, guid: Union[None, str, uuid.UUID] = None,
                 start: bool = True, buffer_size_kb: Optional[int] = None,
                 min_buffers: Optional[int] = None, max_buffers: Optional[int] = None,
                 flush_timer: Optional[int] = None, clock=None,
                 log_file_mode: Optional[int] = None, file: Optional[str] = None,
                 max_file_size_mb: Optional[int] = None, file_max: Optional[int] = None,
                 disable_realtime_persistence: Optional[bool] = None,
                 providers: Iterable = (), registry: Optional[Registry] = None) -> None:
        self.name = _check_name(name)
        self.guid = parse_guid(guid) if guid is not None else uuid.uuid4()
        if self.guid == SYSTEM_TRACE_CONTROL_GUID:
            raise ValueError("the AutoLogger does not log NT Kernel Logger events; "
                             "SystemTraceControlGuid cannot be its Guid")
        self.start = _opt_bool(start, "start")
        if self.start is None:
            raise ValueError("start must be True or False")
        self.buffer_size_kb = _opt_u32(buffer_size_kb, "buffer_size_kb", 1, MAX_BUFFER_SIZE_KB)
        self.min_buffers = _opt_u32(min_buffers, "min_buffers")
        self.max_buffers = _opt_u32(max_buffers, "max_buffers")
        if (self.min_buffers is not None and self.max_buffers is not None
                and self.max_buffers < self.min_buffers):
            raise ValueError(f"max_buffers ({max_buffers}) must be >= min_buffers "
                             f"({min_buffers})")
        self.flush_timer = _opt_u32(flush_timer, "flush_timer (seconds)")
        self.clock = None if clock is None else CLOCK_NAMES[_clock(clock)]
        mode = _opt_u32(log_file_mode, "log_file_mode")
        if mode is not None and mode & LogFileMode.FILE_MODE_NEWFILE:
            raise ValueError("AutoLogger sessions do not support EVENT_TRACE_FILE_MODE_NEWFILE")
        if (mode is not None and mode & LogFileMode.FILE_MODE_CIRCULAR
                and mode & LogFileMode.FILE_MODE_SEQUENTIAL):
            raise ValueError("FILE_MODE_CIRCULAR and FILE_MODE_SEQUENTIAL exclude each other")
        self.log_file_mode = mode
        if file is not None:
            file = str(file)
            if not file or "\0" in file or len(file) > MAX_FILE_NAME:
                raise ValueError(f"file must be a path of 1..{MAX_FILE_NAME} characters "
                                 f"without NUL, not {file!r}")
        self.file = file
        self.max_file_size_mb = _opt_u32(max_file_size_mb, "max_file_size_mb")
        self.file_max = _opt_u32(file_max, "file_max", 1, MAX_FILE_MAX)
        self.disable_realtime_persistence = _opt_bool(disable_realtime_persistence,
                                                      "disable_realtime_persistence")
        self.status: Optional[int] = None        # Win32 code of the last boot's start
        self.file_counter: Optional[int] = None  # maintained by Windows with FileMax
        # Values of the key etw does not model (or could not read), as read by get().
        self.other_values: Dict[str, Tuple[int, Any]] = {}
        self.registry = registry
        self._providers: Dict[uuid.UUID, AutoLoggerProvider] = {}
        for p in providers:
            self.enable(p)

    # -- providers
    @property
    def providers(self) -> Tuple[AutoLoggerProvider, ...]:
        """The provider subkeys, in the order they were added (or read)."""
        return tuple(self._providers.values())

    def enable(self, provider, *, enable_flags: Optional[int] = None,
               enabled: bool = True) -> AutoLoggerProvider:
        """Add (or replace) a provider: an etw.Provider, a provider string, a GUID or an
        AutoLoggerProvider. `enable_flags` is the classic providers' EnableFlags value.
        Providers with filters raise ValueError (no documented registry form). Takes effect
        on save()."""
        entry = _provider_entry(provider, enable_flags, enabled)
        self._providers.pop(entry.guid, None)
        self._providers[entry.guid] = entry
        return entry

    def disable(self, provider) -> None:
        """Remove a provider (given as for enable, or by GUID). Takes effect on save()."""
        if isinstance(provider, AutoLoggerProvider):
            guid = provider.guid
        else:
            guid = _as_provider(provider).guid
        self._providers.pop(guid, None)

    # -- registry image
    def registry_values(self) -> Dict[str, Tuple[int, Any]]:
        """The session values etw writes: name -> (type, data)."""
        out: Dict[str, Tuple[int, Any]] = {}
        for attr, name, type_ in _SESSION_VALUES:
            v = getattr(self, attr)
            if v is None:
                continue
            if attr == "guid":
                v = format_guid(v, braces=True)
            elif attr == "clock":
                v = _clock(v)
            elif isinstance(v, bool):
                v = int(v)
            out[name] = (type_, v)
        return out

    def to_registry(self) -> dict:
        """Everything save() writes: {"key": path tuple, "values": {...},
        "providers": {"{guid}": {...}}}."""
        return {"key": AUTOLOGGER_KEY + (self.name,), "values": self.registry_values(),
                "providers": {format_guid(p.guid, braces=True): p.registry_values()
                              for p in self._providers.values()}}

    # -- registry operations
    def exists(self) -> bool:
        """True when an AutoLogger of this name is configured."""
        reg = _registry(self.registry)
        return _call(lambda: reg.exists(AUTOLOGGER_KEY + (self.name,)), "RegOpenKeyExW",
                     self.name)

    def save(self, *, replace: bool = False) -> "AutoLogger":
        """Write the definition. An existing AutoLogger of the name raises
        AutoLoggerExistsError unless `replace`: then its values are updated in place
        (values etw manages and has as None are removed, provider subkeys not in
        `providers` are deleted; Status, FileCounter and values etw does not know stay).
        Values get() could not read (other_values) are kept too. Writing
        HKEY_LOCAL_MACHINE needs an elevated process (SessionPermissionError)."""
        if self.guid is None or self.start is None:
            raise ValueError(f"AutoLogger {self.name!r} needs a Guid and Start to be saved "
                             "(set .guid and .start)")
        reg = _registry(self.registry)
        key = AUTOLOGGER_KEY + (self.name,)
        image = self.to_registry()

        def write():
            existed = reg.exists(key)
            if existed and not replace:
                raise AutoLoggerExistsError(self.name)
            reg.create_key(key)
            _sync_values(reg, key, image["values"], _MANAGED_SESSION,
                         {k.lower() for k in self.other_values})
            wanted = {k.lower(): k for k in image["providers"]}
            for sub in reg.subkeys(key):
                if _is_guid_key(sub) and sub.lower() not in wanted:
                    reg.delete_tree(key + (sub,))
            present = {s.lower(): s for s in reg.subkeys(key)}
            for low, sub in wanted.items():
                path = key + (present.get(low, sub),)
                reg.create_key(path)
                _sync_values(reg, path, image["providers"][sub], _MANAGED_PROVIDER, set())
        _call(write, "RegSetValueExW", self.name)
        return self

    def delete(self) -> bool:
        """Remove the AutoLogger (its key and provider subkeys). True when it existed.
        A session it started stays running: stop it with etw.stop_session(name)."""
        return delete_autologger(self.name, registry=self.registry)

    @classmethod
    def get(cls, name: str, *, registry: Optional[Registry] = None) -> "AutoLogger":
        """Read the AutoLogger `name` (AutoLoggerNotFoundError when absent). Values of the
        wrong type or out of range are kept in `other_values` rather than guessed at."""
        _check_lookup_name(name)
        reg = _registry(registry)
        key = AUTOLOGGER_KEY + (name,)

        def read():
            nonlocal name, key
            try:
                values = reg.values(key)
                subs = reg.subkeys(key)
                # The name as stored (lookups ignore case, as Windows does).
                for stored in reg.subkeys(AUTOLOGGER_KEY):
                    if stored.lower() == name.lower():
                        name, key = stored, AUTOLOGGER_KEY + (stored,)
                        break
            except FileNotFoundError:
                raise AutoLoggerNotFoundError(name) from None
            provs = []
            for sub in subs:
                if _is_guid_key(sub):
                    try:
                        provs.append((sub, reg.values(key + (sub,))))
                    except FileNotFoundError:  # deleted meanwhile
                        continue
            return values, provs
        values, provs = _call(read, "RegQueryValueExW", name)
        return cls._from_values(name, values, provs, registry)

    @classmethod
    def _from_values(cls, name: str, values: Dict[str, Tuple[int, Any]],
                     provs: Sequence[Tuple[str, Dict[str, Tuple[int, Any]]]],
                     registry: Optional[Registry]) -> "AutoLogger":
        self = cls.__new__(cls)
        self.name = name
        self.registry = registry
        lower = {k.lower(): (k, t, v) for k, (t, v) in values.items()}
        used = set()

        def take(value_name: str, want, check=None):
            item = lower.get(value_name.lower())
            if item is None:
                return None
            k, t, v = item
            got = _as_int(t, v) if want is int else (v if t == REG_SZ and isinstance(v, str)
                                                     else None)
            if got is None or (check is not None and not check(got)):
                return None
            used.add(value_name.lower())
            return got

        raw_guid = take("Guid", str)
        try:
            self.guid = parse_guid(raw_guid) if raw_guid is not None else None
        except ValueError:
            self.guid = None
            used.discard("guid")
        start = take("Start", int, lambda v: v in (0, 1))
        self.start = None if start is None else bool(start)
        self.buffer_size_kb = take("BufferSize", int)
        clock = take("ClockType", int, lambda v: v in CLOCK_NAMES)
        self.clock = None if clock is None else CLOCK_NAMES[clock]
        drp = take("DisableRealtimePersistence", int, lambda v: v in (0, 1))
        self.disable_realtime_persistence = None if drp is None else bool(drp)
        self.file = take("FileName", str)
        self.file_max = take("FileMax", int)
        self.flush_timer = take("FlushTimer", int)
        self.log_file_mode = take("LogFileMode", int)
        self.max_file_size_mb = take("MaxFileSize", int)
        self.max_buffers = take("MaximumBuffers", int)
        self.min_buffers = take("MinimumBuffers", int)
        self.status = take("Status", int)
        self.file_counter = take("FileCounter", int)
        self.other_values = {k: (t, v) for low, (k, t, v) in lower.items() if low not in used}
        self._providers = {}
        for sub, pvals in provs:
            entry = _provider_from_values(sub, pvals)
            self._providers[entry.guid] = entry
        return self

    def __repr__(self) -> str:
        return (f"<etw.AutoLogger {self.name!r} start={self.start} "
                f"{len(self._providers)} provider(s)>")

    def __eq__(self, other) -> bool:
        if not isinstance(other, AutoLogger):
            return NotImplemented
        return (self.name.lower() == other.name.lower()
                and self.to_registry()["values"] == other.to_registry()["values"]
                and self.providers == other.providers)

    __hash__ = None  # type: ignore[assignment]


def _as_int(type_: int, data: Any) -> Optional[int]:
    if type_ in (REG_DWORD, REG_QWORD) and type(data) is int:
        return data
    return None


def _is_guid_key(name: str) -> bool:
    if not (name.startswith("{") and name.endswith("}")):
        return False
    try:
        parse_guid(name)
        return True
    except ValueError:
        return False


def _provider_from_values(sub: str, values: Dict[str, Tuple[int, Any]]) -> AutoLoggerProvider:
    lower = {k.lower(): (t, v) for k, (t, v) in values.items()}

    def num(name: str, high: int) -> Optional[int]:
        item = lower.get(name.lower())
        if item is None:
            return None
        v = _as_int(*item)
        return v if v is not None and v <= high else None

    guid = parse_guid(sub)
    enabled = num("Enabled", 1)
    from .providers import well_known_provider
    known = well_known_provider(guid)
    return AutoLoggerProvider(
        guid, known.name if known is not None else None,
        None if enabled is None else bool(enabled), num("EnableLevel", 0xFF),
        num("MatchAnyKeyword", ALL_KEYWORDS), num("MatchAllKeyword", ALL_KEYWORDS),
        num("EnableProperty", 0xFFFFFFFF), num("EnableFlags", 0xFFFFFFFF))


def _sync_values(reg: Registry, path: Path, wanted: Dict[str, Tuple[int, Any]],
                 managed: Dict[str, int], keep: set) -> None:
    """Set `wanted` on `path` and delete the managed values it does not have - only
    those etw could have read (its own type, not in `keep`): a FileName of another type
    (REG_EXPAND_SZ, say) or a value get() put in other_values stays unless replaced."""
    present = reg.values(path)
    have = {k.lower(): k for k in present}
    for name, (type_, data) in wanted.items():
        reg.set_value(path, have.get(name.lower(), name), type_, data)
    want_lower = {k.lower() for k in wanted}
    for low, name in have.items():
        if (low in managed and low not in want_lower and low not in keep
                and present[name][0] == managed[low]):
            reg.delete_value(path, name)


def _check_lookup_name(name) -> None:
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        raise ValueError(f"bad AutoLogger name {name!r}")


def _call(fn, op: str, name: Optional[str]):
    """Run a registry operation; PermissionError becomes SessionPermissionError."""
    try:
        return fn()
    except PermissionError as e:
        raise _permission_error(op, name, e) from e


def autologgers(*, registry: Optional[Registry] = None) -> List[AutoLogger]:
    """Every configured AutoLogger, sorted by name (Windows; [] when none)."""
    reg = _registry(registry)

    def names():
        try:
            return reg.subkeys(AUTOLOGGER_KEY)
        except FileNotFoundError:
            return []
    out = []
    for name in sorted(_call(names, "RegEnumKeyExW", None), key=str.lower):
        try:
            out.append(AutoLogger.get(name, registry=registry))
        except AutoLoggerNotFoundError:  # deleted meanwhile
            continue
    return out


def delete_autologger(name: str, *, registry: Optional[Registry] = None) -> bool:
    """Remove the AutoLogger `name`; True when it existed (Windows, elevated)."""
    _check_lookup_name(name)
    reg = _registry(registry)
    key = AUTOLOGGER_KEY + (name,)

    def delete():
        try:
            reg.delete_tree(key)
            return True
        except FileNotFoundError:
            return False
    return _call(delete, "RegDeleteKeyW", name)
