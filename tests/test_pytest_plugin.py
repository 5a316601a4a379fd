"""The pytest plugin (etw.pytest_plugin, entry point pytest11): the helpers on the
sample trace, and the fixtures inside a pytest run (pytester), off Windows: etw_capture
replays a recorded trace or skips with its reason; etw_replay works everywhere."""

from __future__ import annotations

import sys
import uuid

import pytest

import etw
from etw.pytest_plugin import (
    CapturedEvents, assert_no_lost_events, expect_event, find_events,
)

pytest_plugins = ["pytester"]


def _plugin_args():
    """["-p", "etw.pytest_plugin"] unless the installed distribution already
    registers it through its pytest11 entry point (registering it twice fails)."""
    from importlib.metadata import entry_points
    try:
        eps = entry_points(group="pytest11")
    except TypeError:  # Python < 3.10 API shape
        eps = entry_points().get("pytest11", [])
    if any(ep.value == "etw.pytest_plugin" for ep in eps):
        return []
    return ["-p", "etw.pytest_plugin"]

SAMPLE = etw.sample_path()
SERVICE = uuid.UUID("4f1c3b2a-9d8e-4c7b-a6f5-0e1d2c3b4a59")


def test_expect_event_by_name_id_and_where():
    trace = etw.open(SAMPLE)
    ev = expect_event(trace, "Contoso-Sample-Service", 3, where={"User": "bob"})
    assert ev["User"] == "bob" and ev.id == 3 and ev["Attempt"] == 5
    # the rendered text of a value map matches too, and event names work as ids
    ev2 = expect_event(SAMPLE, "contoso-sample-service", "Login",
                       where={"Reason": "LockedOut"})
    assert ev2["Reason"] == 3
    ev3 = expect_event(trace, SERVICE, {1, 2}, where=lambda e: e["RequestId"] == 1002)
    assert ev3.name == "Request/Start"
    ev4 = expect_event(trace, "Process", "Process/Start",
                       where={"ImageFileName": lambda s: s.endswith("powershell.exe")})
    assert ev4["ImageFileName"] == "powershell.exe" and ev4.pid == ev4["ParentId"]
    assert len(find_events(trace, "Contoso.Sample.Telemetry", "Heartbeat")) == 442
    assert len(find_events(trace, None, None, where={"Host": "web-01"})) == 442


def test_expect_event_failure_message():
    trace = etw.open(SAMPLE)
    with pytest.raises(AssertionError) as exc:
        expect_event(trace, "Contoso-Sample-Service", "Login", where={"User": "eve"})
    msg = str(exc.value)
    assert "no event with provider Contoso-Sample-Service, event 'Login', where " in msg
    assert "among 5064 events" in msg
    assert "127 event(s) of that provider and id did not match `where`" in msg
    assert "Request/Start x1720" in msg
    with pytest.raises(AssertionError, match="no event of that provider at all"):
        expect_event(trace, "Microsoft-Windows-DNS-Client", None)


def test_assert_no_lost_events(tmp_path):
    assert_no_lost_events(SAMPLE)
    assert_no_lost_events(etw.open(SAMPLE))
    from etlwriter import EtlWriter
    w = EtlWriter(events_lost=7)
    w.event(0, 1_000_100, SERVICE, id=1)
    p = tmp_path / "lost.etl"
    w.write(str(p))
    with pytest.raises(AssertionError, match="events were lost: events_lost=7"):
        assert_no_lost_events(p)


def test_captured_events_interface():
    from etw.pytest_plugin import _replay
    ev = _replay(SAMPLE, ["Contoso-Sample-Service"], ids=[3])
    assert isinstance(ev, CapturedEvents) and not ev.live
    assert len(ev) == 127 and ev[0]["User"] == "mallory"
    assert ev.expect("Contoso-Sample-Service", "Login", where={"User": "carol"}).id == 3
    assert len(ev.find(where={"Reason": 2})) == sum(1 for e in ev if e["Reason"] == 2)
    ev.assert_no_lost_events()
    assert ev.losses == {"events_lost": 0, "buffers_lost": 0, "lost_flag_buffers": 0,
                         "skipped": 0}
    assert "127 events, replay of" in repr(ev)


def test_live_capture_waits_for_late_events():
    """expect_event(timeout=) on a capture that is still receiving events."""
    import threading
    import time
    events = CapturedEvents(live=True)
    src = [e for e in etw.open(SAMPLE) if e.name == "Login"][:3]

    def feed():
        for e in src:
            time.sleep(0.05)
            events._append(e)
        events._finish()

    threading.Thread(target=feed).start()
    got = expect_event(events, "Contoso-Sample-Service", "Login", where={"User": src[2]["User"],
                                                                       "Attempt": src[2]["Attempt"]},
                       timeout=5)
    assert got is src[2] or (got["User"], got["Attempt"]) == (src[2]["User"], src[2]["Attempt"])
    with pytest.raises(AssertionError, match="within 0.2 s"):
        expect_event(events, "Contoso-Sample-Service", "Login", where={"User": "nobody"},
                     timeout=0.2)


# ----------------------------------------------------------------------------- in pytest


TEST_FILE = f'''
import sys
import etw
from etw.pytest_plugin import expect_event, assert_no_lost_events

SAMPLE = {SAMPLE!r}

def test_replay(etw_replay):
    with etw_replay(SAMPLE, providers=["Contoso-Sample-Service"]) as events:
        pass
    assert len(events) == 3567
    expect_event(events, "Contoso-Sample-Service", "Login", where={{"User": "mallory"}})
    assert_no_lost_events(events)

def test_capture_replays_off_windows(etw_capture):
    ran = []
    with etw_capture(["Contoso-Sample-Service"], replay=SAMPLE, ids=[3]) as events:
        ran.append(1)          # the code under test runs either way
    assert ran == [1]
    assert events.live is False and len(events) == 127
    ev = events.expect("Contoso-Sample-Service", 3, where={{"Reason": "BadPassword"}},
                       timeout=2)
    assert ev.format("Reason") == "BadPassword"

def test_capture_without_recording(etw_capture):
    with etw_capture("Microsoft-Windows-Kernel-Process") as events:
        pass

def test_failing_expectation(etw_replay):
    with etw_replay(SAMPLE) as events:
        pass
    expect_event(events, "Contoso-Sample-Service", "Login", where={{"User": "eve"}})
'''


@pytest.mark.skipif(sys.platform == "win32", reason="off-Windows behaviour of etw_capture")
def test_fixtures_in_a_pytest_run(pytester):
    pytester.makepyfile(test_security=TEST_FILE)
    result = pytester.runpytest(*_plugin_args(), "-rs", "-q",
                                "-W", "ignore::pytest.PytestAssertRewriteWarning")
    result.assert_outcomes(passed=2, skipped=1, failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: no event with provider Contoso-Sample-Service, event 'Login'*",
        f"*SKIPPED*etw_capture needs a live ETW session (Windows; this is {sys.platform})*"
        "replay='recorded.etl'*",
    ])


def test_replay_option_registered(pytester):
    pytester.makepyfile(test_opt="def test_x(request):\n"
                                 "    assert request.config.getoption('--etw-replay')\n")
    result = pytester.runpytest(*_plugin_args(), "--etw-replay", "-q",
                                "-W", "ignore::pytest.PytestAssertRewriteWarning")
    result.assert_outcomes(passed=1)


def test_entry_point_declared():
    import os
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = open(os.path.join(root, "pyproject.toml"), encoding="utf-8").read()
    assert re.search(r'\[project\.entry-points\.pytest11\]\s*\netw = "etw\.pytest_plugin"', text)
