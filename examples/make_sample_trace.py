#!/usr/bin/env python3
"""Writes the sample trace shipped as etw.sample_path() (python/etw/data/sample.etl).

    python examples/make_sample_trace.py [OUT.etl]

The bytes come from the project's own synthetic writer (tests/etlwriter), seeded, so
the file is the same on every run. What it holds (a 10-second session on 4 CPUs, 64 KiB
buffers, LZ77-compressed as relogged files are):

* kernel rundown and activity: Process DCStart/Start/End (v4, with SIDs and command
  lines), Thread DCStart/Start/End (v3), Image Load (v3), as the NT Kernel Logger
  writes them (SYSTEM64 headers);
* a TraceLogging provider, ``Contoso.Sample.Telemetry`` (self-describing events
  ``Heartbeat`` and ``CacheMiss``, with provider traits);
* a manifest provider, ``Contoso-Sample-Service``, whose schemas are injected into
  the trace as EventMetadata records (TRACE_EVENT_INFO and a value map, the way
  ``xperf -merge`` does it, etl-format.md section 6), so its events decode on any
  machine: ``Request/Start``, ``Request/Stop`` and ``Login`` (failed logins).

Everything in it is invented (processes, users, URLs).
"""

from __future__ import annotations

import os
import random
import struct
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "python"))

from etlwriter import (  # noqa: E402
    EXT_EVENT_SCHEMA_TL, EXT_PROV_TRAITS, EtlWriter, sid_bytes, tl_metadata,
    tl_provider_guid, tl_provider_traits, utf16z,
)
from etw._tei import (  # noqa: E402  (the project's TRACE_EVENT_INFO writer)
    MAP_VALUEMAP, TEMPLATE_EVENT_DATA, EventMap, EventSchema, Prop, pack_emi_record, pack_tei,
)

OUT = os.path.join(ROOT, "python", "etw", "data", "sample.etl")

START_FILETIME = 133590384000000000  # 2024-05-01 12:00:00 UTC
T0 = 1_000_000
FREQ = 10_000_000                    # QPC ticks per second
SECONDS = 10

EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")
SERVICE = uuid.UUID("4f1c3b2a-9d8e-4c7b-a6f5-0e1d2c3b4a59")
SERVICE_NAME = "Contoso-Sample-Service"
TELEMETRY_NAME = "Contoso.Sample.Telemetry"
TELEMETRY = tl_provider_guid(TELEMETRY_NAME)

USER_SID = "S-1-5-21-3623811015-3361044348-30300820-1013"
SYSTEM_SID = "S-1-5-18"

# pid, parent, image, command line, user
PROCESSES = [
    (4, 0, "System", "", SYSTEM_SID),
    (612, 4, "smss.exe", r"\SystemRoot\System32\smss.exe", SYSTEM_SID),
    (788, 612, "csrss.exe", r"%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows",
     SYSTEM_SID),
    (904, 612, "wininit.exe", "wininit.exe", SYSTEM_SID),
    (1020, 904, "services.exe", r"C:\Windows\system32\services.exe", SYSTEM_SID),
    (2316, 1020, "svchost.exe", r"C:\Windows\system32\svchost.exe -k netsvcs -p", SYSTEM_SID),
    (4388, 1020, "contoso-svc.exe", r"C:\Program Files\Contoso\contoso-svc.exe --port 8443",
     USER_SID),
    (5120, 3312, "explorer.exe", r"C:\Windows\Explorer.EXE", USER_SID),
]
CHILD_IMAGES = [
    ("cmd.exe", r'C:\Windows\system32\cmd.exe /c "dir C:\Users"'),
    ("powershell.exe", r"powershell.exe -NoProfile -Command Get-Process"),
    ("notepad.exe", r'"C:\Windows\system32\notepad.exe" C:\Users\alice\notes.txt'),
    ("curl.exe", r"curl.exe -s https://contoso.example/health"),
    ("whoami.exe", r"whoami.exe /all"),
]
DLLS = ["ntdll.dll", "kernel32.dll", "KernelBase.dll", "ucrtbase.dll", "advapi32.dll",
        "sechost.dll", "rpcrt4.dll", "ws2_32.dll", "bcrypt.dll", "crypt32.dll"]

SYSTEM32 = "\\Device\\HarddiskVolume3\\Windows\\System32\\"
URLS = ["/api/orders", "/api/orders/{id}", "/api/customers", "/health", "/login",
        "/api/invoices", "/static/app.js"]
USERS = ["alice", "bob", "carol", "mallory", "svc-backup"]


def ts_at(seconds: float) -> int:
    return T0 + int(seconds * FREQ)


def process_payload(pid, ppid, image, cmdline, sid, key):
    """Process_V4_TypeGroup1 (64-bit): UniqueProcessKey, ProcessId, ParentId, SessionId,
    ExitStatus, DirectoryTableBase, Flags, UserSID (TOKEN_USER + SID), ImageFileName
    (ANSI), CommandLine, PackageFullName, ApplicationId (UTF-16)."""
    return (struct.pack("<QIIIiQI", key, pid, ppid, 1 if pid > 1000 else 0, 0,
                        0x1AD000 + pid * 0x1000, 0)
            + struct.pack("<QQ", 0xFFFF_C000_0000_0000 | key, 0) + sid_bytes(sid)
            + image.encode("ascii") + b"\0" + utf16z(cmdline) + utf16z("") + utf16z(""))


def thread_payload(pid, tid, name=""):
    """Thread_V3_TypeGroup1 (64-bit) with the Windows 10 ThreadName."""
    return (struct.pack("<II", pid, tid)
            + struct.pack("<7Q", 0xFFFF_F000_0000_0000 + tid * 0x6000,
                          0xFFFF_F000_0000_0000 + tid * 0x6000 - 0x6000,
                          0x0000_00A0_0000_0000 + tid * 0x10000,
                          0x0000_00A0_0000_0000 + tid * 0x10000 - 0x10000, 0xF,
                          0x7FF6_1000_0000 + tid, 0x0000_00B0_0000_0000 + tid * 0x2000)
            + struct.pack("<IBBBB", 0, 8, 5, 2, 0) + utf16z(name))


def image_payload(pid, base, size, path):
    """Image_Load (v3, 64-bit)."""
    return (struct.pack("<QQIIIBBH", base, size, pid, 0x1F2E3D, 0x5E8F1A2B, 12, 1, 0)
            + struct.pack("<QIIII", base, 0, 0, 0, 0) + utf16z(path))


def service_schemas():
    """The injected schemas of Contoso-Sample-Service (TRACE_EVENT_INFO blobs)."""
    common = dict(provider_id=SERVICE, channel=16, keyword=0x8000000000000001,
                  provider_name=SERVICE_NAME, channel_name="Contoso-Sample-Service/Operational",
                  level_name="win:Informational", keyword_names=["Requests"],
                  template_flags=TEMPLATE_EVENT_DATA)
    start = EventSchema(id=1, version=0, level=4, opcode=1, task=1, task_name="Request",
                        opcode_name="win:Start", props=[
                            Prop("RequestId", 10, 0, length=8),         # UINT64
                            Prop("Method", 2, 0),                       # ANSISTRING
                            Prop("Url", 1, 0),                          # UNICODESTRING
                            Prop("ClientAddress", 8, 23, length=4),     # UINT32 as IPv4
                            Prop("ClientPort", 6, 22, length=2),        # UINT16 as port
                        ], **common)
    stop = EventSchema(id=2, version=0, level=4, opcode=2, task=1, task_name="Request",
                       opcode_name="win:Stop", props=[
                           Prop("RequestId", 10, 0, length=8),
                           Prop("Status", 8, 0, map_name="HttpStatus", length=4),
                           Prop("Bytes", 10, 0, length=8),
                           Prop("DurationMs", 12, 0, length=8),         # DOUBLE
                       ], **common)
    login = EventSchema(id=3, version=1, level=3, opcode=0, task=2, task_name="Login",
                        level_name="win:Warning", props=[
                            Prop("User", 1, 0),
                            Prop("Reason", 8, 0, map_name="LoginFailure", length=4),
                            Prop("Attempt", 8, 0, length=4),
                        ], **{k: v for k, v in common.items() if k != "level_name"})
    for s in (start, stop, login):
        s.top_count = len(s.props)
    maps = [
        EventMap(SERVICE, "HttpStatus", MAP_VALUEMAP,
                 [(200, "OK"), (201, "Created"), (304, "Not Modified"), (404, "Not Found"),
                  (500, "Internal Server Error")]),
        EventMap(SERVICE, "LoginFailure", MAP_VALUEMAP,
                 [(1, "BadPassword"), (2, "UnknownUser"), (3, "LockedOut")]),
    ]
    return [start, stop, login], maps


class _Deferred:
    """Collects EtlWriter calls and replays them sorted by timestamp: a CPU's buffer
    never goes back in time in a real trace (etl-format.md 7.7)."""

    def __init__(self) -> None:
        self.calls = []

    def __getattr__(self, name):
        def record(cpu, ts, *args, **kwargs):
            self.calls.append((ts, len(self.calls), name, cpu, args, kwargs))
        return record

    def replay(self, writer) -> None:
        for ts, _, name, cpu, args, kwargs in sorted(self.calls, key=lambda c: c[:2]):
            getattr(writer, name)(cpu, ts, *args, **kwargs)


def build(path: str = OUT) -> dict:
    rng = random.Random(20240501)
    w = EtlWriter(buffer_size=0x10000, cpu_count=4, perf_freq=FREQ, t0=T0,
                  start_filetime=START_FILETIME, logger_name="ContosoSampleSession",
                  log_file_name=r"C:\traces\contoso-sample.etl", os_version=(10, 0, 22631),
                  end_filetime=START_FILETIME + SECONDS * 10_000_000, cpu_speed_mhz=2995,
                  log_file_mode=0x1)
    counts = {"process": 0, "thread": 0, "image": 0, "tracelogging": 0, "service": 0}
    real = w
    w = _Deferred()  # records are collected, then written in time order (as ETW does)

    # Injected schemas first, in the header buffer (a merger writes them where it
    # likes; there they come before every event in time and in file order).
    schemas, maps = service_schemas()
    t = ts_at(0.0005)
    for s in schemas:
        w.classic(EtlWriter.HEADER, t, EVENT_METADATA, 32, payload=pack_tei(s))
        t += 1
    for m in maps:
        w.classic(EtlWriter.HEADER, t, EVENT_METADATA, 33, payload=pack_emi_record(m))
        t += 1

    # Kernel rundown at the start: every running process, two threads each, its images.
    t = 0.001
    next_tid = 100
    threads = {}
    for i, (pid, ppid, image, cmd, sid) in enumerate(PROCESSES):
        cpu = i % 4
        w.system(cpu, ts_at(t), 0x03, 3, process_payload(pid, ppid, image, cmd, sid,
                                                         0xFFFF_A000_0000_0000 + pid * 0x100),
                 version=4, tid=0, pid=0)
        counts["process"] += 1
        for _ in range(2):
            tid = next_tid = next_tid + 4
            threads.setdefault(pid, []).append(tid)
            w.system(cpu, ts_at(t + 0.0001), 0x05, 3, thread_payload(pid, tid), version=3,
                     tid=0, pid=0)
            counts["thread"] += 1
        t += 0.002

    # Activity: processes come and go, threads start and end, images load; the service
    # handles requests and reports telemetry.
    live = []
    clock = 0.05
    request_id = 1000
    svc_tids = threads[4388]
    while clock < SECONDS - 0.05:
        clock += rng.uniform(0.002, 0.006)
        cpu = rng.randrange(4)
        r = rng.random()
        if r < 0.04 and len(live) < 20:
            image, cmd = rng.choice(CHILD_IMAGES)
            pid = 6000 + 4 * rng.randrange(2000)
            if any(p[0] == pid for p in live):
                continue
            parent = rng.choice((5120, 4388, 2316))
            w.system(cpu, ts_at(clock), 0x03, 1,
                     process_payload(pid, parent, image, cmd, USER_SID,
                                     0xFFFF_A000_0000_0000 + pid * 0x100),
                     version=4, tid=threads[parent][0], pid=parent)
            counts["process"] += 1
            tid = next_tid = next_tid + 4
            w.system(cpu, ts_at(clock + 0.0001), 0x05, 1, thread_payload(pid, tid, "main"),
                     version=3, tid=tid, pid=pid)
            counts["thread"] += 1
            base = 0x7FF6_0000_0000 + rng.randrange(1 << 16) * 0x10000
            w.system(cpu, ts_at(clock + 0.0002), 0x03, 10,
                     image_payload(pid, base, 0x40000, SYSTEM32 + image),
                     version=3, tid=tid, pid=pid)
            counts["image"] += 1
            for j, dll in enumerate(rng.sample(DLLS, 4)):
                w.system(cpu, ts_at(clock + 0.0003 + j * 0.00005), 0x03, 10,
                         image_payload(pid, 0x7FFB_0000_0000 + j * 0x100000, 0x1A0000,
                                       SYSTEM32 + dll),
                         version=3, tid=tid, pid=pid)
                counts["image"] += 1
            live.append((pid, tid, parent, image, cmd))
        elif r < 0.08 and live:
            pid, tid, parent, image, cmd = live.pop(rng.randrange(len(live)))
            w.system(cpu, ts_at(clock), 0x05, 2, thread_payload(pid, tid, "main"), version=3,
                     tid=tid, pid=pid)
            counts["thread"] += 1
            w.system(cpu, ts_at(clock + 0.0001), 0x03, 2,
                     process_payload(pid, parent, image, cmd, USER_SID,
                                     0xFFFF_A000_0000_0000 + pid * 0x100),
                     version=4, tid=tid, pid=pid)
            counts["process"] += 1
        elif r < 0.30:
            hb = counts["tracelogging"]
            if rng.random() < 0.8:
                meta = tl_metadata("Heartbeat", [("Sequence", 8), ("CpuPercent", 12),
                                                 ("Host", 1), ("Healthy", 13)])
                payload = (struct.pack("<I", hb) + struct.pack("<d", round(rng.uniform(1, 60), 2))
                           + utf16z("web-01") + struct.pack("<i", 1))
                level = 5
            else:
                meta = tl_metadata("CacheMiss", [("Key", 2), ("Shard", 6),
                                                 ("LatencyUs", 10)])
                payload = (b"order:%d\0" % rng.randrange(10000) + struct.pack("<H", rng.randrange(8))
                           + struct.pack("<Q", rng.randrange(50, 5000)))
                level = 4
            w.event(cpu, ts_at(clock), TELEMETRY, channel=11, level=level,
                    keyword=0x0000400000000000, tid=svc_tids[1], pid=4388, payload=payload,
                    ext=[(EXT_EVENT_SCHEMA_TL, meta),
                         (EXT_PROV_TRAITS, tl_provider_traits(TELEMETRY_NAME))])
            counts["tracelogging"] += 1
        else:
            request_id += 1
            method = rng.choice((b"GET", b"GET", b"GET", b"POST", b"PUT"))
            url = rng.choice(URLS).replace("{id}", str(rng.randrange(1, 500)))
            client = bytes([10, 0, rng.randrange(1, 4), rng.randrange(2, 250)])
            tid = rng.choice(svc_tids)
            activity = uuid.UUID(int=rng.getrandbits(128))
            w.event(cpu, ts_at(clock), SERVICE, id=1, version=0, channel=16, level=4,
                    opcode=1, task=1, keyword=0x8000000000000001, tid=tid, pid=4388,
                    activity_id=activity,
                    payload=(struct.pack("<Q", request_id) + method + b"\0" + utf16z(url)
                             + client + struct.pack("<H", rng.randrange(49152, 65535))))
            duration = rng.uniform(0.3, 40.0)
            status = rng.choices((200, 201, 304, 404, 500), (70, 8, 10, 8, 4))[0]
            w.event(cpu, ts_at(clock + duration / 1000.0), SERVICE, id=2, version=0,
                    channel=16, level=4 if status < 500 else 2, opcode=2, task=1,
                    keyword=0x8000000000000001, tid=tid, pid=4388, activity_id=activity,
                    payload=struct.pack("<QIQd", request_id, status,
                                        rng.randrange(0, 200000), round(duration, 3)))
            counts["service"] += 2
            if url == "/login" and rng.random() < 0.5:
                w.event(cpu, ts_at(clock + duration / 1000.0 + 0.00001), SERVICE, id=3,
                        version=1, channel=16, level=3, opcode=0, task=2,
                        keyword=0x8000000000000001, tid=tid, pid=4388, activity_id=activity,
                        payload=utf16z(rng.choice(USERS)) + struct.pack(
                            "<II", rng.choice((1, 1, 2, 3)), rng.randrange(1, 6)))
                counts["service"] += 1
    # Rundown at the end.
    for i, (pid, ppid, image, cmd, sid) in enumerate(PROCESSES):
        w.system(i % 4, ts_at(SECONDS - 0.02 + i * 0.001), 0x03, 4,
                 process_payload(pid, ppid, image, cmd, sid, 0xFFFF_A000_0000_0000 + pid * 0x100),
                 version=4, tid=0, pid=0)
        counts["process"] += 1
    w.replay(real)
    data = real.write(path, compress=True)
    counts["events"] = len(real.expected_events("file"))
    counts["bytes"] = len(data)
    return counts


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    os.makedirs(os.path.dirname(out), exist_ok=True)
    summary = build(out)
    print(f"{out}: {summary}")
