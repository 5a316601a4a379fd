"""Live ETW on a real Windows (run by .github/workflows/windows.yml; skipped elsewhere).

Needs an elevated process (GitHub's Windows runners are). Each test uses its own session
name (with the pid) and stops it, so a failed run leaves nothing behind.
"""

import os
import subprocess
import sys
import threading
import time
import uuid

import pytest

if sys.platform != "win32":
    pytest.skip("live ETW needs Windows", allow_module_level=True)

import ctypes  # noqa: E402

import etw  # noqa: E402
from etw import live  # noqa: E402

if not hasattr(etw._etw, "_live_start"):
    pytest.skip("this build of etw has no live backend", allow_module_level=True)
if not ctypes.windll.shell32.IsUserAnAdmin():
    pytest.skip("live ETW tests need an elevated process", allow_module_level=True)

import tlemit  # noqa: E402

PID = os.getpid()
PROCESS_CLASS = uuid.UUID("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c")


class Collector:
    """Runs Consumer.run on a thread and keeps the events matching `want`."""

    def __init__(self, consumer, want):
        self.consumer, self.want = consumer, want
        self.events, self.error = [], None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.consumer.run(lambda ev: self.events.append(ev) if self.want(ev) else None)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def wait_for(self, n, timeout=30.0):
        end = time.monotonic() + timeout
        while len(self.events) < n and time.monotonic() < end and self.error is None:
            time.sleep(0.05)
        return self.events

    def __enter__(self):
        self.thread.start()
        time.sleep(1.0)  # OpenTrace/ProcessTrace attach
        return self

    def __exit__(self, *exc):
        assert self.consumer.stop(timeout=10.0)
        self.thread.join(10.0)
        assert not self.thread.is_alive()


def test_tracelogging_provider_round_trip():
    name = f"etw-pytest-tl-{PID}"
    prov_name = f"EtwPy.Tests.Live.{PID}"
    guid = etw.tracelogging_guid(prov_name)
    with tlemit.TraceLoggingProvider(prov_name) as prov, \
            live.Session(name, flush_timer=1) as session:
        session.enable(etw.Provider(guid, level=5))
        assert name in [s["name"] for s in live.sessions()]
        with Collector(live.Consumer(sessions=[name]),
                       lambda ev: ev.provider_id == guid) as col:
            for i in range(5):
                prov.write(i, "hello")
            evs = col.wait_for(5)
        assert col.error is None
        assert len(evs) == 5
        for i, ev in enumerate(evs):
            assert ev.kind == "tracelogging"
            assert ev.pid == PID
            assert ev.level == 4 and ev.channel == 11
            assert ev.payload == i.to_bytes(4, "little") + b"hello\0"
            assert dict(ev) == {"n": i, "msg": "hello"}
        st = session.query()
        assert st["name"] == name and st["events_lost"] == 0
    assert session.stop() is None                 # idempotent
    assert live.stop_session(name) is None        # already gone


def test_session_exists_and_replace():
    name = f"etw-pytest-dup-{PID}"
    with live.Session(name):
        with pytest.raises(live.SessionExistsError) as ei:
            live.Session(name).start()
        assert ei.value.api == "StartTraceW" and ei.value.winerror == 183
        other = live.Session(name, replace=True).start()
        assert other.running
        other.stop()


def test_kernel_logger_sees_child_process():
    with live.KernelSession(flags="process", replace=True) as k:
        with Collector(live.Consumer(sessions=[k]),
                       lambda ev: ev.provider_id == PROCESS_CLASS and ev.opcode == 1) as col:
            child = subprocess.Popen([sys.executable, "-c", "pass"])
            child.wait(30)
            end = time.monotonic() + 30
            while time.monotonic() < end and not any(
                    ev.get("ProcessId") == child.pid for ev in list(col.events)):
                time.sleep(0.1)
        starts = [ev for ev in col.events if ev.get("ProcessId") == child.pid]
        assert starts, f"no Process/Start for pid {child.pid} in {len(col.events)} starts"
        ev = starts[0]
        assert ev.kind == "kernel"
        assert ev.get("ParentId") == PID
        assert "python" in str(ev.get("ImageFileName", "")).lower()


def test_access_errors_name_the_api():
    with pytest.raises(live.SessionNotFoundError) as ei:
        list(live.Consumer(sessions=[f"etw-pytest-absent-{PID}"]))
    assert ei.value.api in ("OpenTraceW", "ProcessTrace")


PERFINFO_CLASS = uuid.UUID("ce1dbfb4-137e-4da6-87b0-3f59aa102cbc")


def test_profile_privilege_and_sampled_profile():
    etw.enable_profile_privilege()                # the elevated runner holds it
    with live.KernelSession(flags=["process", "profile"], replace=True) as k:
        with Collector(live.Consumer(sessions=[k]),
                       lambda ev: ev.provider_id == PERFINFO_CLASS and ev.opcode == 46) as col:
            end = time.monotonic() + 2
            while time.monotonic() < end:         # keep a CPU busy so samples land
                sum(range(10000))
            samples = col.wait_for(1)
        assert samples, "no SampledProfile event"
        assert samples[0].kind == "kernel"


def test_autologger_in_the_real_registry():
    name = f"etw-pytest-autologger-{PID}"
    a = etw.AutoLogger(name, start=False, file=r"C:\Windows\Temp\etw-pytest.etl",
                       providers=[etw.Provider("Microsoft-Windows-DNS-Client", level=4)])
    try:
        a.save()
        b = etw.AutoLogger.get(name)
        assert b == a and b.start is False and b.file == r"C:\Windows\Temp\etw-pytest.etl"
        assert name in [x.name for x in etw.autologgers()]
        with pytest.raises(etw.AutoLoggerExistsError):
            a.save()
    finally:
        assert etw.delete_autologger(name) is True
    assert etw.delete_autologger(name) is False


def test_session_stopped_from_outside_then_reattached():
    name = f"etw-pytest-ext-{PID}"
    prov_name = f"EtwPy.Tests.Reattach.{PID}"
    guid = etw.tracelogging_guid(prov_name)
    with tlemit.TraceLoggingProvider(prov_name) as prov:
        # Without reattach: the iteration ends and says why.
        s = live.Session(name, flush_timer=1).start()
        s.enable(etw.Provider(guid, level=5))
        c = live.Consumer(sessions=[name])
        col = Collector(c, lambda ev: ev.provider_id == guid)
        col.thread.start()
        time.sleep(1.0)
        assert live.stop_session(name) is not None          # "another tool" stops it
        col.thread.join(15)
        assert not col.thread.is_alive() and col.error is None
        assert c.end_reason == "session_ended" and c.stats["session_ended"] is True
        s.stop()                                            # ours is gone already: None
        # With reattach: the consumer waits for the session and attaches to it again.
        s = live.Session(name, flush_timer=1).start()
        s.enable(etw.Provider(guid, level=5))
        c = live.Consumer(sessions=[name], reattach=0.2)
        with Collector(c, lambda ev: ev.provider_id == guid) as col:
            prov.write(1, "before")
            assert len(col.wait_for(1)) == 1
            live.stop_session(name)
            time.sleep(0.5)
            s = live.Session(name, flush_timer=1).start()
            s.enable(etw.Provider(guid, level=5))
            end = time.monotonic() + 15
            while not c.attached and time.monotonic() < end:
                time.sleep(0.1)
            time.sleep(1.0)
            prov.write(2, "after")
            evs = col.wait_for(2)
        s.stop()
        assert col.error is None
        assert [dict(ev)["msg"] for ev in evs[:2]] == ["before", "after"]
        assert c.session_ends == 1 and c.stats["attachments"] == 2
        assert c.end_reason == "stopped"


def test_tdh_decodes_a_manifest_provider():
    # Microsoft-Windows-Kernel-Process is a manifest provider: nothing in etw describes
    # its events, TDH does (once per event key).
    name = f"etw-pytest-tdh-{PID}"
    with live.Session(name, flush_timer=1) as s:
        s.enable(etw.Provider("Microsoft-Windows-Kernel-Process", match_any_keyword=0x10))
        c = live.Consumer(sessions=[s])
        with Collector(c, lambda ev: ev.kind == "manifest" and ev.id == 1) as col:
            child = subprocess.Popen([sys.executable, "-c", "pass"])
            child.wait(30)
            evs = col.wait_for(1)
        assert evs, "no ProcessStart event"
        ev = evs[0]
        assert ev.schema_source == "tdh"           # TdhGetEventInformation's answer
        assert "ProcessID" in ev and "ImageName" in ev
        st = c.stats["tdh"]
        assert st["asked"] >= 1 and st["added"] >= 1
