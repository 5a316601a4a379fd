"""AutoLogger (boot-time) sessions: the exact registry keys, values and types written, the
round trip through AutoLogger.get / etw.autologgers, in-place updates, deletion, validation,
and the off-Windows behaviour of the real registry backend. The registry is the in-memory
backend (etw.autologger.MemoryRegistry); value names and types follow Microsoft's
"Configuring and Starting an AutoLogger Session"."""

import errno
import sys
import uuid

import pytest

import etw
from etw import autologger as al
from etw.autologger import (
    AUTOLOGGER_KEY, REG_BINARY, REG_DWORD, REG_QWORD, REG_SZ, MemoryRegistry,
)
from etw.live import LogFileMode

GUID = "{01234567-89ab-cdef-0123-456789abcdef}"
PROCESS = "{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}"      # Microsoft-Windows-Kernel-Process
DNS = "{1c95126e-7eea-49a9-a3fe-a378b03ddb4d}"          # Microsoft-Windows-DNS-Client
off_windows = pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows path")


def key(name):
    return AUTOLOGGER_KEY + (name,)


def test_registry_types_are_winreg_numbers():
    assert (REG_SZ, REG_BINARY, REG_DWORD, REG_QWORD) == (1, 3, 4, 11)
    assert (al.REG_EXPAND_SZ, al.REG_MULTI_SZ) == (2, 7)
    assert AUTOLOGGER_KEY == ("SYSTEM", "CurrentControlSet", "Control", "WMI", "Autologger")


def test_save_writes_exact_values_and_types():
    reg = MemoryRegistry()
    a = etw.AutoLogger(
        "etw-boot", guid=GUID, buffer_size_kb=256, min_buffers=8, max_buffers=64,
        flush_timer=2, clock="system", log_file_mode=LogFileMode.FILE_MODE_CIRCULAR,
        file=r"C:\traces\boot.etl", max_file_size_mb=128, file_max=4,
        disable_realtime_persistence=True, registry=reg,
        providers=["Microsoft-Windows-Kernel-Process:4::0x10:0x2"])
    a.enable(etw.Provider(DNS, level=5, match_any_keyword=0x8000000000000001,
                          enable_properties=etw.EnableProperty.SID
                          | etw.EnableProperty.STACK_TRACE), enable_flags=0x21)
    assert a.save() is a
    assert reg.dump(key("etw-boot")) == {
        "values": {
            "Guid": (REG_SZ, GUID),
            "Start": (REG_DWORD, 1),
            "BufferSize": (REG_DWORD, 256),
            "ClockType": (REG_DWORD, 2),
            "DisableRealtimePersistence": (REG_DWORD, 1),
            "FileName": (REG_SZ, r"C:\traces\boot.etl"),
            "FileMax": (REG_DWORD, 4),
            "FlushTimer": (REG_DWORD, 2),
            "LogFileMode": (REG_DWORD, 2),
            "MaxFileSize": (REG_DWORD, 128),
            "MaximumBuffers": (REG_DWORD, 64),
            "MinimumBuffers": (REG_DWORD, 8),
        },
        "keys": {
            PROCESS: {"values": {
                "Enabled": (REG_DWORD, 1),
                "EnableLevel": (REG_DWORD, 4),
                "MatchAnyKeyword": (REG_QWORD, 0x10),
                "MatchAllKeyword": (REG_QWORD, 0x2),
                "EnableProperty": (REG_DWORD, 0x80),   # Provider's default PROCESS_START_KEY
            }, "keys": {}},
            DNS: {"values": {
                "Enabled": (REG_DWORD, 1),
                "EnableLevel": (REG_DWORD, 5),
                "MatchAnyKeyword": (REG_QWORD, 0x8000000000000001),
                "MatchAllKeyword": (REG_QWORD, 0),
                "EnableProperty": (REG_DWORD, 0x5),
                "EnableFlags": (REG_DWORD, 0x21),
            }, "keys": {}},
        },
    }
    # Nothing else was created next to it.
    assert reg.subkeys(AUTOLOGGER_KEY) == ["etw-boot"]
    assert a.to_registry()["key"] == key("etw-boot")


def test_minimal_autologger_writes_guid_and_start_only():
    reg = MemoryRegistry()
    a = etw.AutoLogger("etw-min", registry=reg, start=False)
    assert isinstance(a.guid, uuid.UUID) and a.guid.version == 4   # generated: Guid is required
    a.save()
    assert reg.dump(key("etw-min")) == {
        "values": {"Guid": (REG_SZ, "{" + str(a.guid) + "}"), "Start": (REG_DWORD, 0)},
        "keys": {}}


def test_round_trip_get_and_list():
    reg = MemoryRegistry()
    a = etw.AutoLogger("Etw-Boot", guid=GUID, clock="cpu", file="x.etl", registry=reg,
                       providers=[etw.Provider(DNS, level=3)])
    a.save()
    etw.AutoLogger("aaa-first", guid=uuid.UUID(int=1), registry=reg).save()
    b = etw.AutoLogger.get("etw-boot", registry=reg)   # any case finds it ...
    assert b.name == "Etw-Boot"                         # ... and gives the stored name
    assert b == a
    assert b.guid == uuid.UUID(GUID) and b.start is True and b.clock == "cpu"
    assert b.file == "x.etl" and b.buffer_size_kb is None and b.log_file_mode is None
    assert b.status is None and b.file_counter is None and b.other_values == {}
    (p,) = b.providers
    assert p == etw.AutoLoggerProvider(uuid.UUID(DNS), "Microsoft-Windows-DNS-Client", True,
                                       3, 0xFFFFFFFFFFFFFFFF, 0, 0x80, None)
    assert p.to_provider() == etw.Provider(DNS, level=3)
    assert [x.name for x in etw.autologgers(registry=reg)] == ["aaa-first", "Etw-Boot"]
    assert etw.autologgers(registry=MemoryRegistry()) == []   # no Autologger key at all
    with pytest.raises(etw.AutoLoggerNotFoundError, match="'nope'") as ei:
        etw.AutoLogger.get("nope", registry=reg)
    assert isinstance(ei.value, LookupError) and isinstance(ei.value, etw.EtwError)


def test_reading_what_windows_and_other_tools_wrote():
    reg = MemoryRegistry()
    k = key("Other Tool")
    reg.create_key(k)
    reg.set_value(k, "GUID", REG_SZ, GUID.upper())          # value names ignore case
    reg.set_value(k, "Start", REG_DWORD, 1)
    reg.set_value(k, "Status", REG_DWORD, 0xC0000022)       # written by Windows at boot
    reg.set_value(k, "FileCounter", REG_DWORD, 3)
    reg.set_value(k, "BufferSize", REG_SZ, "64")            # wrong type: not guessed at
    reg.set_value(k, "Boot", REG_DWORD, 1)                  # not managed by etw
    reg.set_value(k, "ClockType", REG_DWORD, 9)             # out of range
    reg.create_key(k + ("{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}",))
    reg.set_value(k + ("{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}",), "Enabled", REG_DWORD, 0)
    reg.create_key(k + ("NotAProvider",))
    a = etw.AutoLogger.get("other tool", registry=reg)
    assert a.guid == uuid.UUID(GUID) and a.start is True
    assert a.status == 0xC0000022 and a.file_counter == 3
    assert a.buffer_size_kb is None and a.clock is None
    assert a.other_values == {"BufferSize": (REG_SZ, "64"), "Boot": (REG_DWORD, 1),
                              "ClockType": (REG_DWORD, 9)}
    (p,) = a.providers
    assert p == etw.AutoLoggerProvider(uuid.UUID(DNS), "Microsoft-Windows-DNS-Client", False,
                                       None, None, None, None, None)
    assert p.registry_values() == {"Enabled": (REG_DWORD, 0)}
    # An update keeps what etw could not read; what it manages is rewritten.
    reg.set_value(k, "FileName", al.REG_EXPAND_SZ, r"%SystemRoot%\x.etl")  # not etw's type
    a = etw.AutoLogger.get("other tool", registry=reg)
    assert a.file is None and a.other_values["FileName"] == (2, r"%SystemRoot%\x.etl")
    a.flush_timer = 3
    a.save(replace=True)
    assert reg.dump(k)["values"] == {
        "GUID": (REG_SZ, GUID), "Start": (REG_DWORD, 1), "Status": (REG_DWORD, 0xC0000022),
        "FileCounter": (REG_DWORD, 3), "BufferSize": (REG_SZ, "64"), "Boot": (REG_DWORD, 1),
        "ClockType": (REG_DWORD, 9), "FileName": (2, r"%SystemRoot%\x.etl"),
        "FlushTimer": (REG_DWORD, 3)}


def test_exists_and_replace_updates_in_place():
    reg = MemoryRegistry()
    a = etw.AutoLogger("etw-upd", guid=GUID, buffer_size_kb=64, flush_timer=1, registry=reg,
                       providers=[PROCESS[1:-1], DNS])
    a.save()
    assert a.exists()
    k = key("etw-upd")
    # What Windows (and other tools) add meanwhile must survive an update.
    reg.set_value(k, "Status", REG_DWORD, 0)
    reg.set_value(k, "FileCounter", REG_DWORD, 2)
    reg.set_value(k + (DNS,), "UnknownFilterValue", REG_BINARY, b"\x01\x02")
    reg.create_key(k + ("Extra",))
    with pytest.raises(etw.AutoLoggerExistsError) as ei:
        etw.AutoLogger("ETW-UPD", guid=GUID, registry=reg).save()
    assert isinstance(ei.value, FileExistsError) and ei.value.errno == errno.EEXIST
    assert "replace=True" in str(ei.value)
    b = etw.AutoLogger.get("etw-upd", registry=reg)
    b.buffer_size_kb = None            # back to the Windows default: the value goes
    b.flush_timer = 5
    b.disable(PROCESS[1:-1])
    b.enable(etw.Provider(DNS, level=2))
    b.save(replace=True)
    assert reg.dump(k) == {
        "values": {"Guid": (REG_SZ, GUID), "Start": (REG_DWORD, 1),
                   "FlushTimer": (REG_DWORD, 5), "Status": (REG_DWORD, 0),
                   "FileCounter": (REG_DWORD, 2)},
        "keys": {
            DNS: {"values": {"Enabled": (REG_DWORD, 1), "EnableLevel": (REG_DWORD, 2),
                             "MatchAnyKeyword": (REG_QWORD, 0xFFFFFFFFFFFFFFFF),
                             "MatchAllKeyword": (REG_QWORD, 0),
                             "EnableProperty": (REG_DWORD, 0x80),
                             "UnknownFilterValue": (REG_BINARY, b"\x01\x02")}, "keys": {}},
            "Extra": {"values": {}, "keys": {}},
        }}


def test_delete():
    reg = MemoryRegistry()
    etw.AutoLogger("etw-del", registry=reg, providers=[DNS]).save()
    etw.AutoLogger("etw-keep", registry=reg).save()
    a = etw.AutoLogger.get("etw-del", registry=reg)
    assert a.delete() is True
    assert a.delete() is False
    assert not a.exists()
    assert etw.delete_autologger("ETW-KEEP", registry=reg) is True
    assert reg.subkeys(AUTOLOGGER_KEY) == []


@pytest.mark.parametrize("kwargs, message", [
    (dict(name=""), "non-empty"),
    (dict(name="a\\b"), "backslash"),
    (dict(name="a\0b"), "backslash or NUL"),
    (dict(name="n" * 256), "at most 255"),
    (dict(name="NT Kernel Logger"), "Global Logger"),
    (dict(guid="9e814aad-3204-11d2-9a82-006008a86939"), "SystemTraceControlGuid"),
    (dict(guid="not-a-guid"), "not a GUID"),
    (dict(start=None), "start must be"),
    (dict(start=1), "start must be"),
    (dict(buffer_size_kb=0), "buffer_size_kb"),
    (dict(buffer_size_kb=1025), "buffer_size_kb"),
    (dict(min_buffers=8, max_buffers=4), "must be >= min_buffers"),
    (dict(max_buffers=-1), "max_buffers"),
    (dict(flush_timer=2 ** 32), "flush_timer"),
    (dict(clock="tsc"), "clock"),
    (dict(log_file_mode=LogFileMode.FILE_MODE_NEWFILE), "NEWFILE"),
    (dict(log_file_mode=3), "exclude each other"),
    (dict(file=""), "1..1024"),
    (dict(file="x" * 1025), "1..1024"),
    (dict(file_max=0), "file_max"),
    (dict(file_max=17), "file_max"),
    (dict(disable_realtime_persistence=1), "True, False or None"),
    (dict(max_file_size_mb=True), "max_file_size_mb"),
])
def test_validation(kwargs, message):
    kwargs.setdefault("name", "etw-valid")
    name = kwargs.pop("name")
    with pytest.raises(ValueError, match=message):
        etw.AutoLogger(name, **kwargs)


def test_provider_validation():
    a = etw.AutoLogger("etw-p")
    for p in (etw.Provider(DNS, event_ids=(1,)), etw.Provider(DNS, exclude_event_ids=(1,)),
              etw.Provider(DNS, pids=(4,)), etw.Provider(DNS, exe_names=("a.exe",)),
              etw.Provider(DNS, filters=(etw.event_name_filter(["x"]),))):
        with pytest.raises(ValueError, match="Microsoft documents no registry value"):
            a.enable(p)
    with pytest.raises(ValueError, match="0x8 are not among"):     # PSM_KEY: undocumented
        a.enable(etw.Provider(DNS, enable_properties=etw.EnableProperty.PSM_KEY))
    with pytest.raises(ValueError, match="enable_flags"):
        a.enable(DNS, enable_flags=2 ** 32)
    with pytest.raises(ValueError, match="EnableLevel"):
        a.enable(etw.AutoLoggerProvider(uuid.UUID(DNS), level=256))
    with pytest.raises(TypeError):
        a.enable(42)
    assert a.providers == ()
    e = a.enable(etw.AutoLoggerProvider(DNS, enabled=False))
    assert e.guid == uuid.UUID(DNS) and a.providers == (e,)
    a.disable(uuid.UUID(DNS))
    assert a.providers == ()


def test_permission_denied_becomes_session_permission_error():
    class ReadOnly(MemoryRegistry):
        def create_key(self, path):
            raise PermissionError(13, "Access is denied")

    with pytest.raises(etw.SessionPermissionError) as ei:
        etw.AutoLogger("etw-ro", registry=ReadOnly()).save()
    e = ei.value
    assert isinstance(e, PermissionError) and e.errno == errno.EACCES
    assert e.api == "RegSetValueExW" and e.code == 5 and e.session == "etw-ro"
    assert "elevated process (Run as administrator)" in str(e)


def test_memory_registry_checks_types():
    reg = MemoryRegistry()
    reg.create_key(("K",))
    for t, v in ((REG_DWORD, -1), (REG_DWORD, 2 ** 32), (REG_QWORD, 2 ** 64), (REG_SZ, b"x"),
                 (REG_SZ, "a\0b"), (REG_BINARY, "x"), (REG_DWORD, True), (7, 1), (7, ["a", 1]),
                 (9, b"")):
        with pytest.raises(ValueError, match="is not valid"):
            reg.set_value(("K",), "v", t, v)
    with pytest.raises(FileNotFoundError):
        reg.values(("Nope",))
    with pytest.raises(FileNotFoundError):
        reg.delete_value(("K",), "v")
    with pytest.raises(TypeError, match="Registry"):
        etw.autologgers(registry={})


@off_windows
def test_real_registry_raises_unsupported_off_windows():
    a = etw.AutoLogger("etw-offwin", providers=[DNS])
    for call in (etw.autologgers, a.save, a.delete, a.exists,
                 lambda: etw.AutoLogger.get("etw-offwin"),
                 lambda: etw.delete_autologger("etw-offwin")):
        with pytest.raises(etw.UnsupportedPlatformError,
                           match="AutoLogger sessions \\(the Windows registry\\)"):
            call()


def test_public_names():
    for name in ("AutoLogger", "AutoLoggerProvider", "AutoLoggerError", "AutoLoggerExistsError",
                 "AutoLoggerNotFoundError", "autologgers", "delete_autologger", "autologger"):
        assert name in etw.__all__ and hasattr(etw, name)
    assert etw.autologger is al
    assert issubclass(etw.AutoLoggerExistsError, etw.AutoLoggerError)
    assert issubclass(etw.AutoLoggerNotFoundError, etw.AutoLoggerError)
