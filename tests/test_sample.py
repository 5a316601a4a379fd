"""The sample trace shipped in the package (etw.sample_path()): what it holds, exactly,
and that examples/make_sample_trace.py writes the same bytes again."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import uuid

import etw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICE = uuid.UUID("4f1c3b2a-9d8e-4c7b-a6f5-0e1d2c3b4a59")

EXPECTED_COUNTS = {
    ("MSNT_SystemTrace", "EventTrace/Header"): 1,
    ("MSNT_SystemTrace", "Process/DCStart"): 8,
    ("MSNT_SystemTrace", "Process/DCEnd"): 8,
    ("MSNT_SystemTrace", "Process/Start"): 99,
    ("MSNT_SystemTrace", "Process/End"): 96,
    ("MSNT_SystemTrace", "Thread/DCStart"): 16,
    ("MSNT_SystemTrace", "Thread/Start"): 99,
    ("MSNT_SystemTrace", "Thread/End"): 96,
    ("MSNT_SystemTrace", "Image/Load"): 495,
    ("Contoso.Sample.Telemetry", "Heartbeat"): 442,
    ("Contoso.Sample.Telemetry", "CacheMiss"): 132,
    ("Contoso-Sample-Service", "Request/Start"): 1720,
    ("Contoso-Sample-Service", "Request/Stop"): 1720,
    ("Contoso-Sample-Service", "Login"): 127,
}
EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")


def test_sample_path_is_a_file():
    p = etw.sample_path()
    assert os.path.isfile(p) and p.endswith(os.path.join("etw", "data", "sample.etl"))
    assert os.path.getsize(p) == 184219


def test_sample_header():
    h = etw.open(etw.sample_path()).header
    assert h["logger_name"] == "ContosoSampleSession"
    assert h["log_file_name"] == r"C:\traces\contoso-sample.etl"
    assert h["os_version"] == "10.0.22631"
    assert (h["cpu_count"], h["pointer_size"], h["perf_freq"]) == (4, 8, 10_000_000)
    assert h["start_filetime"] == 133590384000000000            # 2024-05-01 12:00:00 UTC
    assert h["start_time"].isoformat() == "2024-05-01T12:00:00+00:00"
    assert h["end_filetime"] - h["start_filetime"] == 10 * 10_000_000
    assert (h["events_lost"], h["buffers_lost"]) == (0, 0)


def test_sample_contents_exact():
    counts = collections.Counter()
    status = collections.Counter()
    metadata = collections.Counter()
    for ev in etw.open(etw.sample_path()):
        if ev.provider_id == EVENT_METADATA:
            # the records carrying the injected schemas: 3 TRACE_EVENT_INFO, 2 maps
            metadata[(ev.kind, ev.opcode, len(ev.payload) > 100)] += 1
            continue
        counts[(ev.provider_name, ev.name)] += 1
        status[ev.decode_status] += 1
    assert dict(counts) == EXPECTED_COUNTS
    assert sum(counts.values()) == 5064 - 5
    assert status == {"ok": 5059}
    assert metadata == {("classic", 32, True): 3, ("classic", 33, True): 2}


def test_sample_values():
    evs = list(etw.open(etw.sample_path()))
    first_login = next(ev for ev in evs if ev.name == "Login")
    assert dict(first_login) == {"User": "mallory", "Reason": 1, "Attempt": 2}
    assert first_login.format("Reason") == "BadPassword"
    assert first_login.provider_id == SERVICE and first_login.id == 3
    assert first_login.version == 1 and first_login.level == 3
    assert (first_login.pid, first_login.level_name) == (4388, "Warning")
    start = next(ev for ev in evs if ev.name == "Request/Start")
    assert dict(start) == {"RequestId": 1001, "Method": "PUT", "Url": "/api/orders",
                           "ClientAddress": "10.0.3.153", "ClientPort": 54222}
    stop = next(ev for ev in evs if ev.name == "Request/Stop" and ev["RequestId"] == 1001)
    assert stop.activity_id == start.activity_id and stop.activity_id is not None
    assert stop.format("Status") == "OK"
    ps = [ev for ev in evs if ev.name == "Process/DCStart"]
    assert [ev["ImageFileName"] for ev in ps] == [
        "System", "smss.exe", "csrss.exe", "wininit.exe", "services.exe", "svchost.exe",
        "contoso-svc.exe", "explorer.exe"]
    assert ps[6]["UserSID"] == "S-1-5-21-3623811015-3361044348-30300820-1013"
    assert ps[6]["CommandLine"] == r"C:\Program Files\Contoso\contoso-svc.exe --port 8443"
    hb = next(ev for ev in evs if ev.name == "Heartbeat")
    assert hb.provider_id == etw.tracelogging_guid("Contoso.Sample.Telemetry")
    assert set(hb) == {"Sequence", "CpuPercent", "Host", "Healthy"}
    loads = [ev for ev in evs if ev.name == "Image/Load"]
    assert all(ev["FileName"].startswith("\\Device\\HarddiskVolume3\\Windows\\System32\\")
               for ev in loads)


def test_sample_is_regenerated_identically(tmp_path):
    out = tmp_path / "again.etl"
    subprocess.run([sys.executable, os.path.join(ROOT, "examples", "make_sample_trace.py"),
                    str(out)], check=True, capture_output=True)
    assert out.read_bytes() == open(etw.sample_path(), "rb").read()


def test_stats_sample_cli(capsys):
    from etw.cli import main
    assert main(["stats", "--sample"]) == 0
    out = capsys.readouterr().out
    assert "5,064" in out and "Contoso-Sample-Service" in out and "Request/Start" in out
