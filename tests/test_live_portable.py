"""The portable half of etw.live: layouts built as bytes, argument checks, Windows limits,
the Win32 error mapping, the off-Windows behaviour of the live-only calls, and
Consumer(files=...). Offsets are those asserted in etwmodule/win/wintest/live_test.c
against mingw-w64's headers (x64)."""

import errno
import pathlib
import struct
import sys
import uuid

import pytest

import etw
from etw import live
from etw.filters import EVENT_FILTER_TYPE_EVENT_ID, EVENT_FILTER_TYPE_PID, EventFilter
from etw.live import LogFileMode

CORPUS = pathlib.Path(__file__).resolve().parents[1] / ".." / "shared" / "etl-corpus"
HTTP = CORPUS / "tx_HTTP_Server.etl"
SELFDESC = CORPUS / "perfview_SelfDescribingSingleEvent.etl"
off_windows = pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows path")


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


# ---------------------------------------------------------------- EVENT_TRACE_PROPERTIES

def test_properties_bytes_x64_exact():
    b = live.build_properties("etw-test", buffer_size_kb=256, min_buffers=4, max_buffers=16,
                              flush_timer=2, clock="system", paged_memory=True,
                              pointer_size=8)
    assert live.properties_size(8) == 120
    assert len(b) == 120 + 2 * 2048 == 4216
    assert u32(b, 0) == 4216                    # Wnode.BufferSize
    assert b[24:40] == bytes(16)                # Wnode.Guid: zero, Windows picks one
    assert u32(b, 40) == 2                      # ClientContext: system time
    assert u32(b, 44) == 0x00020000             # WNODE_FLAG_TRACED_GUID
    assert u32(b, 48) == 256 and u32(b, 52) == 4 and u32(b, 56) == 16
    assert u32(b, 60) == 0                      # MaximumFileSize
    assert u32(b, 64) == 0x01000100             # REAL_TIME_MODE | USE_PAGED_MEMORY
    assert u32(b, 68) == 2 and u32(b, 72) == 0  # FlushTimer, EnableFlags
    assert b[76:112] == bytes(36)               # counters and LoggerThreadId: zero
    assert u32(b, 112) == 120 + 2048            # LogFileNameOffset
    assert u32(b, 116) == 120                   # LoggerNameOffset
    assert b[120:120 + 18] == "etw-test".encode("utf-16-le") + b"\0\0"
    assert b[120 + 2048:] == bytes(2048)        # no log file


def test_properties_bytes_x86_offsets():
    b = live.build_properties("x", pointer_size=4)
    assert live.properties_size(4) == 116
    assert len(b) == 116 + 4096
    assert u32(b, 108) == 116 + 2048 and u32(b, 112) == 116
    assert b[116:120] == b"x\0\0\0"


def test_properties_file_and_kernel_logger():
    b = live.build_properties("etw-file", file=r"C:\t\out.etl", max_file_size_mb=64,
                              pointer_size=8)
    assert u32(b, 64) == LogFileMode.FILE_MODE_SEQUENTIAL == 1   # not real-time
    assert u32(b, 60) == 64
    assert b[120 + 2048:120 + 2048 + 26] == r"C:\t\out.etl".encode("utf-16-le") + b"\0\0"
    b = live.build_properties("etw-file", file="o.etl", real_time=True, pointer_size=8)
    assert u32(b, 64) == 0x101
    b = live.build_properties("NT Kernel Logger", enable_flags=etw.kernel_flags("process",
                              "img"), pointer_size=8)
    assert uuid.UUID(bytes_le=b[24:40]) == etw.SYSTEM_TRACE_CONTROL_GUID
    assert u32(b, 72) == 0x5


def test_properties_roundtrip_parse():
    g = uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")
    b = live.build_properties("round", clock="cpu", guid=g, file="f.etl",
                              log_file_mode=LogFileMode.INDEPENDENT_SESSION_MODE,
                              pointer_size=8)
    p = live.parse_properties(b, pointer_size=8)
    assert p["name"] == "round" and p["log_file"] == "f.etl"
    assert p["guid"] == g and p["clock"] == "cpu"
    assert p["log_file_mode"] == 0x08000001 and p["real_time"] is False
    assert p["buffer_size_kb"] == 64 and p["flush_timer"] == 1
    assert p["events_lost"] == 0 and p["logger_thread_id"] == 0
    # Counters as ControlTrace QUERY fills them.
    q = bytearray(b)
    struct.pack_into("<IIIIII", q, 80, 7, 3, 11, 900, 2, 5)
    struct.pack_into("<Q", q, 104, 0x1234)
    p = live.parse_properties(bytes(q), pointer_size=8)
    assert (p["number_of_buffers"], p["free_buffers"], p["events_lost"], p["buffers_written"],
            p["log_buffers_lost"], p["realtime_buffers_lost"]) == (7, 3, 11, 900, 2, 5)
    assert p["logger_thread_id"] == 0x1234
    with pytest.raises(ValueError, match="needs 120 bytes"):
        live.parse_properties(b[:119], pointer_size=8)
    bad = bytearray(b)
    struct.pack_into("<I", bad, 116, len(b) + 10)
    with pytest.raises(ValueError, match="outside"):
        live.parse_properties(bytes(bad), pointer_size=8)


@pytest.mark.parametrize("kwargs, message", [
    (dict(buffer_size_kb=0), "buffer_size_kb"),
    (dict(buffer_size_kb=1025), "buffer_size_kb"),
    (dict(min_buffers=8, max_buffers=4), "exceeds max_buffers"),
    (dict(min_buffers=-1), "min_buffers"),
    (dict(flush_timer=2 ** 32), "flush_timer"),
    (dict(clock="tsc"), "clock"),
    (dict(clock=4), "clock"),
    (dict(real_time=False), "needs real_time"),
    (dict(file="x.etl", log_file_mode=LogFileMode.FILE_MODE_CIRCULAR), "max_file_size_mb"),
    (dict(enable_flags=1), "kernel flags"),
    (dict(log_file_mode=True), "log_file_mode"),
])
def test_properties_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        live.build_properties("etw-test", **kwargs)


def test_names_checked():
    with pytest.raises(ValueError, match="non-empty"):
        live.build_properties("")
    with pytest.raises(ValueError, match="NUL"):
        live.build_properties("a\0b")
    live.build_properties("n" * 1023)
    with pytest.raises(ValueError, match="too long"):
        live.build_properties("n" * 1024)
    with pytest.raises(ValueError, match="too long"):   # 512 surrogate pairs = 1024 units
        live.build_properties("\U0001F600" * 512)
    with pytest.raises(ValueError, match="paged memory"):
        live.build_properties("NT Kernel Logger", enable_flags=1, paged_memory=True)


# ---------------------------------------------------------------- ENABLE_TRACE_PARAMETERS

def test_enable_parameters_bytes():
    p = etw.Provider("Microsoft-Windows-Kernel-Process", event_ids=(1, 2), pids=(4, 0xFFFFFFFF),
                     enable_properties=etw.EnableProperty.SID | etw.EnableProperty.STACK_TRACE)
    body, filters = live.build_enable_parameters(p, pointer_size=8)
    assert len(body) == 48
    assert struct.unpack_from("<III", body, 0) == (2, 0x5, 0)
    assert body[12:28] == bytes(16)
    assert struct.unpack_from("<QI", body, 32) == (0, 2)
    assert [f.type for f in filters] == [EVENT_FILTER_TYPE_EVENT_ID, EVENT_FILTER_TYPE_PID]
    assert filters[0].data == bytes([1, 0, 2, 0, 1, 0, 2, 0])
    assert filters[1].data == struct.pack("<II", 4, 0xFFFFFFFF)
    assert live.filter_descriptor_array(filters) == (
        struct.pack("<QII", 0, 8, 0x80000200) + struct.pack("<QII", 0, 8, 0x80000004))
    body32, _ = live.build_enable_parameters(p, pointer_size=4,
                                             source_id="{01234567-89ab-cdef-0123-456789abcdef}")
    assert len(body32) == 36
    assert struct.unpack_from("<II", body32, 28) == (0, 2)
    assert uuid.UUID(bytes_le=body32[12:28]) == uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")


def test_enable_parameters_limits():
    # Windows limits raise at Provider() time (never silently dropped) ...
    with pytest.raises(ValueError, match="at most 64"):
        etw.Provider("Microsoft-Windows-DNS-Client", event_ids=range(65))
    with pytest.raises(ValueError, match="at most 8"):
        etw.Provider("Microsoft-Windows-DNS-Client", pids=range(9))
    # ... and what only EnableTraceEx2 checks raises when building its parameters.
    dup = etw.Provider("Microsoft-Windows-DNS-Client", pids=(1,),
                       filters=(EventFilter(EVENT_FILTER_TYPE_PID, struct.pack("<I", 2)),))
    with pytest.raises(ValueError, match="two filters of type 0x80000004"):
        live.build_enable_parameters(dup)
    many = etw.Provider("Microsoft-Windows-DNS-Client",
                        filters=tuple(EventFilter(0x80000000 + i, b"x") for i in range(14)))
    with pytest.raises(ValueError, match="at most 13"):
        live.build_enable_parameters(many)
    with pytest.raises(TypeError):
        live.build_enable_parameters("Microsoft-Windows-DNS-Client")


# ---------------------------------------------------------------- sessions, off Windows

def test_session_validates_everywhere_and_queues_providers():
    s = etw.live.Session("etw-portable", buffer_size_kb=128, providers=[
        "Microsoft-Windows-Kernel-Process:4::0x10"])
    assert not s.running
    p = s.providers[0]
    assert p.guid == uuid.UUID("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716")
    assert (p.level, p.match_any_keyword) == (4, 0x10)
    q = s.enable(uuid.UUID("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716"))  # same GUID: replaced
    assert len(s.providers) == 1 and s.providers[0] is q
    s.disable("Microsoft-Windows-Kernel-Process")
    assert s.providers == ()
    assert u32(s.properties, 48) == 128
    assert s.stop() is None and s.stop() is None   # idempotent, never started
    with pytest.raises(ValueError):
        etw.live.Session("etw-portable", buffer_size_kb=4096)
    with pytest.raises(ValueError, match="at most 64"):
        etw.live.Session("x").enable(etw.Provider("Microsoft-Windows-DNS-Client",
                                                  event_ids=(1,)).replace(
            event_ids=tuple(range(65))))


def test_kernel_session_flags():
    k = live.KernelSession(flags=["process", "ImageLoad", "net"],
                           stack_walk=[("Process", 1)])
    assert k.name == "NT Kernel Logger"
    assert int(k.flags) == 0x10005
    assert u32(k.properties, 72) == 0x10005
    assert len(k.stack_walk) == 24
    k.set_flags("thread")
    assert u32(k.properties, 72) == 0x2
    with pytest.raises(ValueError, match="unknown kernel flag"):
        live.KernelSession(flags="nosuch")
    with pytest.raises(ValueError, match="at least one"):
        live.KernelSession(flags=0)
    with pytest.raises(etw.EtwError, match="kernel flags"):
        k.enable("Microsoft-Windows-DNS-Client")


@off_windows
def test_live_calls_raise_unsupported_off_windows():
    s = live.Session("etw-portable")
    for call in (s.start, s.__enter__, s.query, s.flush, live.sessions, live.providers,
                 lambda: live.stop_session("x"),
                 lambda: list(live.Consumer(sessions=["EventLog-System"])),
                 live.KernelSession().start):
        with pytest.raises(live.UnsupportedPlatformError) as ei:
            call()
        e = ei.value
        assert isinstance(e, etw.EtwError) and isinstance(e, NotImplementedError)
        assert "live ETW sessions need Windows; use etw.open() for .etl files" in str(e)
    assert not s.running


def test_exception_hierarchy_and_win32_mapping():
    e = live.win32_error("StartTraceW", 183, "mine")
    assert type(e) is live.SessionExistsError
    assert isinstance(e, live.SessionError) and isinstance(e, OSError)
    assert isinstance(e, etw.EtwError)
    assert (e.api, e.code, e.winerror, e.session, e.errno) == (
        "StartTraceW", 183, 183, "mine", errno.EEXIST)
    assert str(e).startswith("StartTraceW failed for session 'mine': Win32 error 183 "
                             "(ERROR_ALREADY_EXISTS)")
    assert "replace=True" in str(e)
    e = live.win32_error("StartTraceW", 1450)
    assert type(e) is live.SessionLimitError and e.errno == errno.EAGAIN
    e = live.win32_error("OpenTraceW", 5, "s")
    assert type(e) is live.SessionPermissionError and isinstance(e, PermissionError)
    assert "Administrator" in str(e) and "Performance Log Users" in str(e)
    e = live.win32_error("ControlTraceW", 4201, "gone")
    assert type(e) is live.SessionNotFoundError and e.errno == errno.ENOENT
    e = live.win32_error("EnableTraceEx2", 87)
    assert type(e) is live.SessionError
    assert str(e) == "EnableTraceEx2 failed: Win32 error 87 (ERROR_INVALID_PARAMETER)"
    e = live.win32_error("ProcessTrace", 12345)
    assert str(e) == "ProcessTrace failed: Win32 error 12345"
    # Pickles (e.g. across multiprocessing) with its fields.
    import pickle
    e2 = pickle.loads(pickle.dumps(live.win32_error("StartTraceW", 183, "mine")))
    assert type(e2) is live.SessionExistsError and (e2.api, e2.code) == ("StartTraceW", 183)


# ---------------------------------------------------------------- Consumer over files

def test_consumer_session_names():
    c = live.Consumer(sessions=["a", live.Session("b"), etw.AutoLogger("c")])
    assert c.session_names == ["a", "b", "c"]
    with pytest.raises(ValueError, match="non-empty"):
        live.Consumer(sessions=[42])


def test_consumer_arguments():
    with pytest.raises(ValueError, match="needs sessions"):
        live.Consumer()
    with pytest.raises(ValueError, match="cannot mix"):
        live.Consumer(sessions=["a"], files=["b.etl"])
    with pytest.raises(TypeError):
        live.Consumer(files=["x.etl"]).run(42)


needs_corpus = pytest.mark.skipif(not (HTTP.exists() and SELFDESC.exists()),
                                  reason="etl corpus absent")


@needs_corpus
def test_consumer_files_iterate_and_merge():
    c = live.Consumer(files=[SELFDESC, HTTP])   # given newest first: merged by time
    evs = list(c)
    assert len(evs) == 2042 + 23
    times = [e.filetime for e in evs]
    assert times == sorted(times)
    assert times[0] == 129402939974768585 and times[-1] == 132949636386377035
    s = c.stats
    assert s["events"] == 2065 and s["dropped"] == 0 and s["events_lost"] == 0
    assert [f["events"] for f in s["files"]] == [23, 2042]


@needs_corpus
def test_consumer_run_callback_stop_and_errors():
    c = live.Consumer(files=[HTTP])
    seen = []
    assert c.run(seen.append) == 2042
    assert seen[0].filetime == 129402939974768585

    def stop_at_10(ev):
        seen2.append(ev)
        if len(seen2) == 10:
            c.stop()
    seen2 = []
    assert c.run(stop_at_10) == 10
    assert c.stop(timeout=1.0) is True

    class Boom(Exception):
        pass

    def boom(ev):
        raise Boom(ev.filetime)
    with pytest.raises(Boom) as ei:
        c.run(boom)
    assert ei.value.args == (129402939974768585,)
    assert c.stats["events"] == 2042 + 10 + 1   # counted per delivered event


@needs_corpus
def test_consumer_strict(monkeypatch):
    c = live.Consumer(files=[HTTP], strict=True)
    assert sum(1 for _ in c) == 2042   # nothing lost: no error
    real = live.Consumer.stats.fget

    def lossy(self):
        s = real(self)
        s["dropped"] = 3
        return s
    monkeypatch.setattr(live.Consumer, "stats", property(lossy))
    with pytest.raises(live.EventsLostError, match="dropped=3") as ei:
        for _ in live.Consumer(files=[HTTP], strict=True):
            pass
    assert ei.value.stats["dropped"] == 3


# ---------------------------------------------------------------- the Windows test's provider

def test_tracelogging_emitter_blobs_decode(tmp_path):
    """The blobs tests/tlemit.py hands to EventWriteTransfer are what a live consumer gets
    back as EVENT_SCHEMA_TL / PROV_TRAITS items and payload: written into a synthetic
    .etl here, they must decode to the fields test_live_windows.py asserts."""
    from etlwriter import EXT_EVENT_SCHEMA_TL, EtlWriter
    import etlwriter
    import tlemit

    name = "EtwPy.Tests.Live"
    assert etlwriter.tl_provider_guid(name) == etw.tracelogging_guid(name)
    meta, payload = tlemit.sample_event(7, "hello")
    assert meta == b"\x12\x00\x00Sample\x00n\x00\x08msg\x00\x02"
    assert payload == b"\x07\x00\x00\x00hello\x00"
    w = EtlWriter()
    w.event(0, 2_000_000, etw.tracelogging_guid(name), channel=11, level=4, payload=payload,
            ext=[(EXT_EVENT_SCHEMA_TL, meta),
                 (etlwriter.EXT_PROV_TRAITS, etlwriter.tl_provider_traits(name))])
    path = tmp_path / "tl.etl"
    w.write(str(path))
    evs = [e for e in etw.open(str(path)) if e.kind != "header"]
    assert len(evs) == 1
    ev = evs[0]
    assert ev.kind == "tracelogging" and ev.channel == 11
    assert ev.provider_id == etw.tracelogging_guid(name)
    assert dict(ev) == {"n": 7, "msg": "hello"}


# ---------------------------------------------------------------- profiling privilege

class FakeBackend:
    """Stands in for etw._etw's live functions: records the calls in order."""

    def __init__(self):
        self.calls = []
        self.privilege = (0, "AdjustTokenPrivileges")

    def _live_enable_privilege(self, name):
        self.calls.append(("privilege", name))
        return self.privilege

    def _live_start(self, name, props):
        self.calls.append(("start", name))
        return 0, 77, props

    def _live_control(self, handle, name, props, code):
        self.calls.append(("control", name, code))
        return 0, props

    def _live_enable(self, handle, guid, control, level, any_kw, all_kw, timeout, prop, filters):
        self.calls.append(("enable", uuid.UUID(bytes_le=guid), control))
        return 0


@pytest.fixture
def fake_backend(monkeypatch):
    be = FakeBackend()
    monkeypatch.setattr(live, "_backend", lambda what: be)
    monkeypatch.setattr(live, "_PRIVILEGES_ENABLED", set())
    return be


def test_needs_profile_privilege():
    assert live.SYSTEM_PROFILE_PROVIDER_GUID == uuid.UUID("bfeb0324-1cee-496f-a409-2ac2b48a6322")
    assert live.needs_profile_privilege() is False
    assert live.needs_profile_privilege(etw.kernel_flags("process", "img", "net")) is False
    assert live.needs_profile_privilege(etw.kernel_flags("Profile")) is True
    assert live.needs_profile_privilege(0x01000000) is True
    assert live.needs_profile_privilege(0, ["Microsoft-Windows-DNS-Client"]) is False
    assert live.needs_profile_privilege(0, [live.SYSTEM_PROFILE_PROVIDER_GUID]) is True
    assert live.needs_profile_privilege(0, [etw.Provider(live.SYSTEM_PROFILE_PROVIDER_GUID,
                                                         match_any_keyword=1)]) is True


def test_profile_flag_enables_the_privilege_first(fake_backend):
    k = live.KernelSession(flags=["process", "profile"])
    k.start()
    assert fake_backend.calls == [("privilege", "SeSystemProfilePrivilege"),
                                  ("start", "NT Kernel Logger")]
    k.stop()
    k.start()                         # asked once per process
    k.stop()
    assert fake_backend.calls[2:] == [("control", "NT Kernel Logger", 1),
                                      ("start", "NT Kernel Logger"),
                                      ("control", "NT Kernel Logger", 1)]


def test_no_profiling_no_privilege(fake_backend):
    k = live.KernelSession(flags="process").start()
    s = live.Session("etw-noprof", providers=["Microsoft-Windows-DNS-Client"]).start()
    k.stop()
    s.stop()
    assert [c[0] for c in fake_backend.calls] == ["start", "start", "enable", "control",
                                                  "control"]


def test_privilege_not_held_is_a_permission_error(fake_backend):
    fake_backend.privilege = (1300, "AdjustTokenPrivileges")
    k = live.KernelSession(flags="profile")
    with pytest.raises(live.SessionPermissionError) as ei:
        k.start()
    e = ei.value
    assert isinstance(e, PermissionError) and isinstance(e, etw.EtwError)
    assert (e.api, e.code, e.winerror, e.session, e.errno) == (
        "AdjustTokenPrivileges", 1300, 1300, "NT Kernel Logger", errno.EACCES)
    assert str(e).startswith("AdjustTokenPrivileges failed for session 'NT Kernel Logger': "
                             "Win32 error 1300 (ERROR_NOT_ALL_ASSIGNED); sampled profiling")
    assert "SeSystemProfilePrivilege ('Profile system performance')" in str(e)
    assert "Run as administrator" in str(e)
    assert not k.running
    assert fake_backend.calls == [("privilege", "SeSystemProfilePrivilege")]  # never started
    with pytest.raises(live.SessionPermissionError):   # a failure is not cached
        k.start()
    assert len(fake_backend.calls) == 2
    fake_backend.privilege = (1313, "LookupPrivilegeValueW")
    with pytest.raises(live.SessionError) as ei:
        live.enable_profile_privilege()
    assert type(ei.value) is live.SessionError
    assert str(ei.value) == ("LookupPrivilegeValueW failed: Win32 error 1313 "
                             "(ERROR_NO_SUCH_PRIVILEGE)")


def test_system_logger_profiling_paths(fake_backend):
    s = live.Session("etw-syslog", log_file_mode=LogFileMode.SYSTEM_LOGGER_MODE,
                     enable_flags=int(etw.KernelFlag.PROFILE)).start()
    assert fake_backend.calls == [("privilege", "SeSystemProfilePrivilege"),
                                  ("start", "etw-syslog")]
    s.stop()
    live._PRIVILEGES_ENABLED.clear()
    fake_backend.calls.clear()
    s = live.Session("etw-sysprov", log_file_mode=LogFileMode.SYSTEM_LOGGER_MODE).start()
    s.enable(etw.Provider(live.SYSTEM_PROFILE_PROVIDER_GUID, match_any_keyword=1))
    s.disable(live.SYSTEM_PROFILE_PROVIDER_GUID)
    s.stop()
    g = live.SYSTEM_PROFILE_PROVIDER_GUID
    assert fake_backend.calls == [("start", "etw-sysprov"),
                                  ("privilege", "SeSystemProfilePrivilege"),
                                  ("enable", g, 1), ("enable", g, 0),
                                  ("control", "etw-sysprov", 1)]
    live._PRIVILEGES_ENABLED.clear()
    fake_backend.calls.clear()
    k = live.KernelSession(flags="process").start()
    k.set_flags(["process", "profile"])
    k.stop()
    assert fake_backend.calls == [("start", "NT Kernel Logger"),
                                  ("privilege", "SeSystemProfilePrivilege"),
                                  ("control", "NT Kernel Logger", 2),
                                  ("control", "NT Kernel Logger", 1)]


@off_windows
def test_profile_privilege_unsupported_off_windows(monkeypatch):
    monkeypatch.setattr(live, "_PRIVILEGES_ENABLED", set())
    with pytest.raises(live.UnsupportedPlatformError, match="enabling SeSystemProfilePrivilege"):
        etw.enable_profile_privilege()
    with pytest.raises(live.UnsupportedPlatformError):
        live.KernelSession(flags="profile").start()


# ---------------------------------------------------------------- consumer: ends, re-attaching

class FakeHandle:
    def __init__(self, batches, result=(0, "ProcessTrace"), dropped=0, tdh_asked=0):
        self.batches = list(batches)
        self.result = result
        self.user_stopped = False
        self.closed = False
        self.dropped = dropped
        self.tdh_asked = tdh_asked


class FakeLive:
    """The _live_consumer_* half of etw._etw: each open() takes the next scripted answer,
    a FakeHandle (its batches, then ProcessTrace's result) or an error (code, api)."""

    def __init__(self, script):
        self.script = list(script)
        self.opens = []
        self.handles = []

    def _live_consumer_open(self, names, raw, tdh, schemas):
        self.opens.append((list(names), raw, tdh, schemas))
        item = self.script.pop(0)
        if isinstance(item, FakeHandle):
            self.handles.append(item)
            return 0, None, item
        return item[0], item[1], None

    def _live_consumer_next(self, h, timeout_ms):
        assert not h.closed
        if h.batches and not h.user_stopped:
            return h.batches.pop(0)
        return None

    def _live_consumer_result(self, h):
        return (0, "ProcessTrace") if h.user_stopped else h.result

    def _live_consumer_stop(self, h, timeout_ms):
        if h.closed:
            raise ValueError("consumer is closed")
        h.user_stopped = True

    def _live_consumer_stats(self, h):
        if h.closed:
            raise ValueError("consumer is closed")
        return {"events": 0, "dropped": h.dropped, "lost_event_records": 0,
                "ext_truncated": 0, "batches": 0, "buffers_read": 0,
                "stopped_by_user": h.user_stopped,
                "tdh": {"keys": h.tdh_asked, "asked": h.tdh_asked, "added": 0, "failed": 0,
                        "invalid": 0, "unmatched": 0, "maps_asked": 0, "maps_added": 0,
                        "maps_failed": 0, "skipped_full": 0,
                        "last_code": 1168 if h.tdh_asked else 0}}

    def _live_consumer_close(self, h):
        h.closed = True


@pytest.fixture
def fake_live(monkeypatch):
    def install(*script):
        be = FakeLive(script)
        monkeypatch.setattr(live, "_backend", lambda what: be)
        return be
    return install


def test_consumer_session_stopped_from_outside(fake_live):
    be = fake_live(FakeHandle([[1, 2], [3]], dropped=2, tdh_asked=1))
    c = live.Consumer(sessions=["etw-ext"], tdh=False, schemas="s.man")
    assert c.end_reason is None and not c.attached
    assert list(c) == [1, 2, 3]
    assert be.opens == [(["etw-ext"], False, False, "s.man")]
    assert c.end_reason == "session_ended" and c.session_ends == 1
    assert not c.attached and be.handles[0].closed
    s = c.stats
    assert (s["session_ended"], s["session_ends"], s["attachments"]) == (True, 1, 1)
    assert s["dropped"] == 2 and s["tdh"]["asked"] == 1 and s["tdh"]["last_code"] == 1168


def test_consumer_stopped_by_user_or_loop(fake_live):
    be = fake_live(FakeHandle([[1, 2], [3, 4], [5]]), FakeHandle([[7, 8]]))
    c = live.Consumer(sessions=["etw-user"])

    def cb(ev):
        seen.append(ev)
        if ev == 2:
            assert c.attached
            c.stop()
    seen = []
    assert c.run(cb) == 2 and seen == [1, 2]
    assert c.end_reason == "stopped" and c.session_ends == 0
    assert be.handles[0].user_stopped and be.handles[0].closed
    assert c.stats["session_ended"] is False
    for ev in c:                       # leaving the loop early is a stop too
        assert ev == 7
        break
    assert c.end_reason == "stopped" and be.handles[1].closed


def test_consumer_reattaches_after_an_outside_stop(fake_live):
    be = fake_live(
        FakeHandle([[1], [2]], dropped=1, tdh_asked=2),   # stopped from outside after 2
        (4201, "OpenTraceW"),                             # not running yet: wait
        FakeHandle([], result=(4201, "ProcessTrace")),    # still gone: wait
        FakeHandle([[3], [4]], dropped=2, tdh_asked=1))   # back: attached again
    c = live.Consumer(sessions=["etw-back"], reattach=0.01)
    assert c.reattach == 0.01
    seen = []

    def cb(ev):
        seen.append(ev)
        if ev == 3:
            c.stop()
    assert c.run(cb) == 3 and seen == [1, 2, 3]
    assert len(be.opens) == 4
    assert c.end_reason == "stopped"
    assert c.session_ends == 1                       # the misses are not counted as ends
    s = c.stats
    assert s["attachments"] == 2 and s["session_ends"] == 1
    assert s["dropped"] == 3 and s["tdh"]["asked"] == 3 and s["tdh"]["last_code"] == 1168
    assert all(h.closed for h in be.handles)


def test_consumer_reattach_needs_a_first_attachment(fake_live):
    fake_live((4201, "OpenTraceW"))
    c = live.Consumer(sessions=["etw-typo"], reattach=True)
    with pytest.raises(live.SessionNotFoundError) as ei:
        list(c)
    assert ei.value.api == "OpenTraceW" and c.end_reason == "error"
    fake_live(FakeHandle([[1]], result=(4201, "ProcessTrace")))
    c = live.Consumer(sessions=["etw-typo"], reattach=True)
    with pytest.raises(live.SessionNotFoundError) as ei:
        list(c)
    assert ei.value.api == "ProcessTrace" and c.end_reason == "error"
    be = fake_live(FakeHandle([[1]], result=(5, "ProcessTrace")))
    c = live.Consumer(sessions=["etw-denied"])
    with pytest.raises(live.SessionPermissionError):
        list(c)
    assert c.end_reason == "error" and be.handles[0].closed


def test_consumer_reattach_arguments():
    assert live.Consumer(sessions=["s"], reattach=True).reattach == 1.0
    assert live.Consumer(sessions=["s"]).reattach is None
    assert live.Consumer(sessions=["s"], reattach=2).reattach == 2.0
    for bad in (0, -1, "1", float("nan")):
        with pytest.raises(ValueError, match="reattach"):
            live.Consumer(sessions=["s"], reattach=bad)
    with pytest.raises(ValueError, match="not to files"):
        live.Consumer(files=["x.etl"], reattach=True)


def test_consumer_files_end_reason():
    c = live.Consumer(files=[etw.sample_path()])
    assert sum(1 for _ in c) == 5064
    assert c.end_reason == "end_of_files"
    assert "session_ends" not in c.stats and c.stats["session_ended"] is False
