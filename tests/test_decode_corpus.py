"""Property decoding on the real corpus, against the oracles that ship with it
(../shared/etl-corpus, see its SOURCES.md; skipped when absent):

* perfview_primitive-types.etl - every field of all 5 TraceLogging events
  against PerfView's baseline, except where the event's own metadata and
  bytes contradict PerfView (each case explained below);
* perfview_SelfDescribingSingleEvent.etl - the struct value of PerfView's
  Issue1618 regression test;
* etwanalyzer_TraceLoggingTester - the typed values ETWAnalyzer's test expects;
* perfview_net.4.5.2.x64/x86 - event names, counts and every value PerfView's
  GeneralParsing baseline prints, for every event that has a schema source here
  (injected TRACE_EVENT_INFO records, built-in kernel tables); PerfView's own
  renamings and derived fields are listed and, where cheap, checked too;
* perfview_gcevents / gcrundownevents - the same with the CLR manifest of the
  corpus (they carry no injected schema), when manifests can be given;
* the kernel traces airbus ShutdownPerfDiagLogger and perfview diaghub.kernel.1 -
  no unknown schema and no leftover bytes beyond the listed exceptions;
* per file, the share of events fully decoded (printed by
  test_share_of_events_fully_decoded; run pytest with -s to see the table).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import re
import struct
import uuid

import pytest

import etw
import oracles

UTC = dt.timezone.utc
CORPUS = oracles.corpus_dir_for(__file__)
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/etl-corpus is absent")


def cpath(name):
    return str(CORPUS / name)


def baseline(name):
    return oracles.load_perfview_baseline(CORPUS / "expected" / name)


def open_events(name, **kw):
    return list(etw.open(cpath(name), **kw))


# ----------------------------------------------------------------------------- PerfView text

_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})*$")


def _renderings(ev, name):
    """Every way PerfView may print the value of property `name` (the same
    value: decimal with or without en-US grouping, hex in PerfView's widths,
    the 32/64-bit two's complement reading, True/False, lower-case GUIDs,
    yy/MM/dd HH:mm:ss.ffffff times, the map names (PerfView joins flags with
    ', '), and for flags that are 0 PerfView's 'None')."""
    v = ev[name]
    out = []
    if isinstance(v, bool):
        out.append(str(v))
    elif isinstance(v, int):
        out += [format(v, ","), str(v), hex(v), "0x%08x" % v, "0x%016x" % v]
        if 2 ** 31 <= v < 2 ** 32:
            out += [format(v - 2 ** 32, ","), str(v - 2 ** 32)]
        if 2 ** 63 <= v < 2 ** 64:
            out += [format(v - 2 ** 64, ","), str(v - 2 ** 64)]
        if v == 0:
            out.append("None")
    elif isinstance(v, float):
        out += [repr(v), "%g" % v, format(v, ",")]
    elif isinstance(v, uuid.UUID):
        out.append(str(v))
    elif isinstance(v, dt.datetime):
        out.append(v.strftime("%y/%m/%d %H:%M:%S.%f"))
    elif isinstance(v, bytes):
        out.append(v.hex())
    elif v is not None:
        out.append(str(v))
    f = ev.format(name)
    # PerfView joins flags with ", " (CLR enums) or "|" (EventSource flags).
    out += [f, f.replace(" | ", ", "), f.replace(" | ", "|")]
    return out


def pv_equal(text, ev, name):
    """PerfView's text for a field (cut to 20 characters + '...') against ours."""
    for r in _renderings(ev, name):
        if text.endswith("...") and len(text) == 23:
            if r.startswith(text[:-3]):
                return True
        elif r == text:
            return True
    return False


def pv_int(text):
    return int(text.replace(",", ""), 0) if text.startswith("0x") else int(text.replace(",", ""))


# ----------------------------------------------------------------------------- share decoded

def _share(name, **kw):
    counts = collections.Counter()
    problems = collections.Counter()
    for ev in etw.open(cpath(name), **kw):
        st = ev.decode_status
        full = st == "ok" and not ev.leftover
        counts["events"] += 1
        counts["full"] += full
        counts[st] += 1
        if st == "ok" and ev.leftover:
            counts["leftover"] += 1
        if st in ("errors", "stopped", "bad schema"):
            problems[(ev.provider_name, ev.name, st)] += 1
    return counts, problems


def test_share_of_events_fully_decoded(capsys):
    """Every event that has a schema decodes without a problem, in every
    corpus file; prints, per file, the share fully decoded (status 'ok' and
    no leftover bytes) and what is missing."""
    names = sorted(n for n in os.listdir(CORPUS) if n.endswith(".etl"))
    rows = []
    all_problems = {}
    for name in names:
        counts, problems = _share(name)
        if problems:
            all_problems[name] = dict(problems)
        rows.append((name, counts))
    with capsys.disabled():
        print("\n%-48s %8s %8s %7s %9s %9s" % ("file", "events", "full", "share",
                                              "leftover", "noschema"))
        for name, c in rows:
            print("%-48s %8d %8d %6.1f%% %9d %9d" % (
                name, c["events"], c["full"], 100.0 * c["full"] / c["events"], c["leftover"],
                c["no schema"]))
    assert all_problems == {}


# ----------------------------------------------------------------------------- primitive types

def _tl_field_types(meta, field):
    """(in-meta, out-meta) bytes of a field in TraceLogging metadata."""
    i = meta.index(field.encode() + b"\0") + len(field) + 1
    return meta[i], (meta[i + 1] if meta[i] & 0x80 else None)


def test_primitive_types_against_perfview():
    base = baseline("perfview_primitive-types.baseline.txt")
    expected = [e for e in base["events"] if e["name"] == "solar_system/PrimitiveTypesTest"]
    evs = [ev for ev in open_events("perfview_primitive-types.etl") if ev.kind == "tracelogging"]
    assert len(evs) == len(expected) == 5
    for ev, exp in zip(evs, expected):
        assert (ev.provider_name, ev.name) == ("solar_system", "PrimitiveTypesTest")
        assert (ev.pid, ev.tid, ev.cpu, len(ev.payload)) == (
            exp["pid"], exp["tid"], exp["cpu"], exp["data_len"])
        assert ev.decode_status == "ok" and ev.leftover == b""
        assert list(ev) == list(exp["fields"])
        meta = ev.extended["event_schema_tl"]
        f = exp["fields"]
        for name in ("string_type", "int16_type", "int32_type", "uint16_type", "uint32_type",
                     "uint64_type", "boolean_type", "guid_type", "file_time_type"):
            assert pv_equal(f[name], ev, name), (name, f[name], ev[name])

        # int64_type: the event's own metadata declares it UINT64 (TlgIn 10), so its
        # value is the unsigned reading of the bytes; PerfView prints the same 8
        # bytes as a signed number (-204 for 0xFF...34).
        assert _tl_field_types(meta, "int64_type")[0] & 0x1F == 10
        raw = ev["int64_type"]
        assert raw == struct.unpack("<Q", struct.pack("<q", pv_int(f["int64_type"])))[0]
        assert raw >= 2 ** 63

        # char_type: declared UINT8 with out-type STRING (TlgIn 4, TlgOut 2), i.e. an
        # ANSI character: the value is that character; PerfView prints its code.
        assert _tl_field_types(meta, "char_type") == (0x84, 2)
        assert ev["char_type"] == chr(pv_int(f["char_type"]))

        # system_time_type: the SYSTEMTIME's milliseconds field (the 8th u16 of the
        # 16 bytes) says .799 etc.; PerfView prints .03 for every event. The bytes
        # and the FILETIME field of the same event agree with each other, so we
        # follow them: same date and second as PerfView, milliseconds from the bytes.
        st = ev["system_time_type"]
        off = len(ev.payload) - 16
        ms = struct.unpack_from("<8H", ev.payload, off)[7]
        assert st.microsecond == ms * 1000 and ms != 30
        assert st.strftime("%y/%m/%d %H:%M:%S") == f["system_time_type"][:17]
        assert st == ev["file_time_type"].replace(microsecond=ms * 1000)


def test_self_describing_single_event():
    (ev,) = [e for e in open_events("perfview_SelfDescribingSingleEvent.etl")
             if e.kind == "tracelogging"]
    assert (ev.provider_name, ev.name) == ("MySource", "TestEvent")
    # PerfView Issue1618: payload field 0 is the struct { "b":"Hello", "c":"World!" }.
    assert list(ev.values())[0] == {"b": "Hello", "c": "World!"}
    assert json.loads(ev.to_json())["EventData"] == dict(ev)
    assert ev.decode_status == "ok" and ev.leftover == b""


def test_tracelogging_tester_values():
    evs = [e for e in open_events("etwanalyzer_TraceLoggingTester.buffers-0+14.etl")
           if e.kind == "tracelogging"]
    order = ["MarkString", "MarkStringInteger",
             "MarkBoolByteCharDoubleInt16Int32Int64SByteUInt16UInt32UInt64", "WriteIntList",
             "WriteDateTime", "WriteTimeSpan", "WriteGuid"]
    assert len(evs) == 70
    assert [e.name for e in evs] == order * 10
    assert {e.provider_name for e in evs} == {"CSharpTraceLoggingEventSource"}
    for e in evs:
        assert e.decode_status == "ok" and e.leftover == b""
    for i in range(10):
        it = {e.name: dict(e) for e in evs[7 * i:7 * i + 7]}
        assert it["MarkString"] == {"input": "Hello, ETW!"}
        assert it["MarkStringInteger"] == {"input": "Hello, ETW with number", "number1": 42}
        assert it[order[2]] == {
            "boolean": True, "b": i, "c": "A", "d": 3.14, "i16": -32768, "i32": 2147483647,
            "i64": 9223372036854775807, "sb": -128, "u16": 65535, "u32": 4294967295,
            "u64": 18446744073709551615}
        assert it["WriteIntList"] == {"numbers": [i, 2, 3, 4]}
        assert it["WriteDateTime"] == {"dateTime": dt.datetime(2000, 1, 1, tzinfo=UTC)}
        assert it["WriteTimeSpan"] == {"timeSpan": 420000000}
        assert it["WriteGuid"] == {"guid": uuid.UUID("00000000-0000-0000-0000-000000000001")}
    assert json.loads(evs[4].to_json())["EventData"] == {
        "dateTime": "2000-01-01T00:00:00.0000000Z"}


# ----------------------------------------------------------------------------- PerfView baselines

# PerfView names events with its own parsers (TraceEvent's ClrTraceEventParser and
# KernelTraceEventParser), not with the schema's task/opcode names. Our name ->
# PerfView's, for every renamed event that occurs.
CLR_RENAMES = {
    "GarbageCollection/GCAllocationTick": "GC/AllocationTick",
    "GarbageCollection/GCBulkMovedObjectRanges": "GC/BulkMovedObjectRanges",
    "GarbageCollection/GCBulkSurvivingObjectRanges": "GC/BulkSurvivingObjectRanges",
    "GarbageCollection/GCCreateSegment": "GC/CreateSegment",
    "GarbageCollection/FinalizeObject": "GC/FinalizeObject",
    "GarbageCollection/GCFinalizersBegin": "GC/FinalizersStart",
    "GarbageCollection/GCFinalizersEnd": "GC/FinalizersStop",
    "GarbageCollection/GCGenerationRange": "GC/GenerationRange",
    "GarbageCollection/GCHeapStats": "GC/HeapStats",
    "GarbageCollection/GCMarkOlderGenerationRoots": "GC/MarkCards",
    "GarbageCollection/GCMarkFinalizeQueueRoots": "GC/MarkFinalizeQueueRoots",
    "GarbageCollection/GCMarkHandles": "GC/MarkHandles",
    "GarbageCollection/GCMarkStackRoots": "GC/MarkStackRoots",
    "GarbageCollection/PinObjectAtGCTime": "GC/PinObjectAtGCTime",
    "GarbageCollection/GCRestartEEBegin": "GC/RestartEEStart",
    "GarbageCollection/GCRestartEEEnd": "GC/RestartEEStop",
    "GarbageCollection/Start": "GC/Start",
    "GarbageCollection/Stop": "GC/Stop",
    "GarbageCollection/GCSuspendEEBegin": "GC/SuspendEEStart",
    "GarbageCollection/GCSuspendEEEnd": "GC/SuspendEEStop",
    "GarbageCollection/GCTerminateConcurrentThread": "GC/TerminateConcurrentThread",
    "GarbageCollection/Triggered": "GC/Triggered",
    "CLRLoader/AppDomainLoad": "Loader/AppDomainLoad",
    "CLRLoader/AppDomainUnload": "Loader/AppDomainUnload",
    "CLRLoader/AssemblyLoad": "Loader/AssemblyLoad",
    "CLRLoader/AssemblyUnload": "Loader/AssemblyUnload",
    "CLRLoader/DomainModuleLoad": "Loader/DomainModuleLoad",
    "CLRLoader/ModuleLoad": "Loader/ModuleLoad",
    "CLRLoader/ModuleUnload": "Loader/ModuleUnload",
    "CLRMethod/MethodJittingStarted": "Method/JittingStarted",
    "CLRMethod/MethodLoadVerbose": "Method/LoadVerbose",
    "CLRMethod/MethodUnloadVerbose": "Method/UnloadVerbose",
    "CLRRuntimeInformation/Start": "Runtime/Start",
    "CLRLoaderRundown/AppDomainDCEnd": "Loader/AppDomainDCStop",
    "CLRLoaderRundown/AssemblyDCEnd": "Loader/AssemblyDCStop",
    "CLRLoaderRundown/DomainModuleDCEnd": "Loader/DomainModuleDCStop",
    "CLRLoaderRundown/ModuleDCEnd": "Loader/ModuleDCStop",
    "CLRMethodRundown/DCEndComplete": "Method/DCStopComplete",
    "CLRMethodRundown/DCEndInit": "Method/DCStopInit",
    "CLRRuntimeInformationRundown/Start": "Runtime/Start",
    "Contention/Start": "Contention/Start",
}
# Kernel: PerfView's provider "Windows Kernel" and its names for the MOF events.
KERNEL_RENAMES = {
    "DiskIo": "DiskIO", "PageFault/HardFault": "Memory/HardFault",
    "PerfInfo/SampleProf": "PerfInfo/Sample", "Process/DCEnd": "Process/DCStop",
    "Process/End": "Process/Stop", "Image/DCEnd": "Image/DCStop", "Image/UnLoad": "Image/Unload",
    "Thread/End": "Thread/Stop", "EventTrace/RDComplete": "EventTrace/RundownComplete",
}
# PerfView prints these two MSNT_SystemTrace events from the raw MOF, under that name.
MOF_AS_IS = {"Image/KernelBase", "SystemConfig/Platform"}


def pv_name(ev):
    prov, name = ev.provider_name, ev.name
    if prov == "MSNT_SystemTrace":
        if name in MOF_AS_IS:
            return "MSNT_SystemTrace/" + name
        for ours, theirs in KERNEL_RENAMES.items():
            if name == ours or name.startswith(ours + "/"):
                name = theirs + name[len(ours):]
                break
        if name.startswith(("TcpIp/", "UdpIp/")) and name.endswith("IPV4"):
            name = name[:-4]  # PerfView: TcpIp/Send (IPv4) next to TcpIp/SendIPV6
        return "Windows Kernel/" + name
    return "%s/%s" % (prov, CLR_RENAMES.get(name, name))


# Properties PerfView prints under another name: PerfView name -> ours.
_PROCESS = {"ProcessID": "ProcessId", "ParentID": "ParentId", "SessionID": "SessionId",
            "PageDirectoryBase": "DirectoryTableBase", "ApplicationID": "ApplicationId"}
RENAMED_FIELDS = {
    "Microsoft-Windows-Kernel-File/Create": {"IrpPtr": "Irp", "FileAttributes": "CreateAttributes"},
    "Windows Kernel/Process/Start": _PROCESS, "Windows Kernel/Process/Stop": _PROCESS,
    "Windows Kernel/Process/DCStart": _PROCESS, "Windows Kernel/Process/DCStop": _PROCESS,
    "Windows Kernel/Process/Defunct": _PROCESS,
    "Windows Kernel/Process/PerfCtr": {"ProcessID": "ProcessId"},
    "Windows Kernel/Process/PerfCtrRundown": {"ProcessID": "ProcessId"},
    "Windows Kernel/PerfInfo/CollectionStart": {"SampleSource": "Source"},
    "Windows Kernel/PerfInfo/CollectionEnd": {"SampleSource": "Source"},
    "Windows Kernel/SystemConfig/IDEChannel": {"TargetID": "TargetId"},
    "Windows Kernel/SystemConfig/Services": {"ProcessID": "ProcessId"},
    "Windows Kernel/SysConfig/UnknownVolume": {"Value": "NtPath"},
    "KernelTraceControl/ImageID/DbgID_RSDS": {"PDBFileName": "PdbFileName"},
    "KernelTraceControl/ImageID/DbgID_ILRSDS": {"PDBFileName": "PdbFileName"},
}

# Properties PerfView derives (from other properties, other events, or fields its
# parser knows for later event versions, printed with a default when the event's
# version lacks them): not in the payload as such. PerfView name -> {field: why}.
_LATER = "a field of a later event version (PerfView prints its default)"
_DOS = "PerfView turns the NT path into a drive-letter path"
_FILEKEY = "PerfView's file name/key bookkeeping from FileIo rundown events"
DERIVED_FIELDS = {
    "GC/AllocationTick": {"ObjectSize": _LATER},
    "GC/HeapStats": {"GenerationSize4": _LATER, "TotalPromotedSize4": _LATER, "Depth": _LATER,
                     "TotalHeapSize": "sum of GenerationSize0..3 (checked)",
                     "TotalPromoted": "sum of TotalPromotedSize0..3 (checked)"},
    "GC/Start": {"ClientSequenceNumber": _LATER},
    "GC/FinalizeObject": {"TypeName": "looked up in the BulkType events"},
    "Loader/ModuleLoad": {"ModuleILFileName": "file name of ModuleILPath (checked)"},
    "Loader/ModuleUnload": {"ModuleILFileName": "file name of ModuleILPath (checked)"},
    "Loader/ModuleDCStop": {"ModuleILFileName": "file name of ModuleILPath (checked)"},
    "Method/LoadVerbose": {"ReJITID": _LATER, "OptimizationTier": _LATER},
    "Method/UnloadVerbose": {"ReJITID": _LATER, "OptimizationTier": _LATER},
    "Type/BulkType": {"TypeID_0": "Values[0].TypeID (checked)",
                      "TypeName_0": "Values[0].Name (checked)"},
    "Contention/Start": {"LockID": _LATER, "AssociatedObjectID": _LATER,
                         "LockOwnerThreadID": _LATER},
    "Contention/Stop": {"DurationNs": _LATER},
    "Microsoft-Windows-Kernel-File/Create": {
        "CreateOptions": "CreateOptions & 0xFFFFFF (checked)",
        "CreateDisposition": "CreateOptions >> 24, as a name (checked: 1 = OPEN_EXISTING)",
        "ShareAccess": "PerfView's FileShare enum names (checked: 7 = 'ReadWrite, Delete')",
        "FileName": _DOS},
    "DiskIO": {"FileName": _FILEKEY, "FileKey": _FILEKEY,
               "ElapsedTimeMSec": "HighResResponseTime in ms", "DiskServiceTimeMSec":
               "computed across the disk's I/Os", "Priority": "bits of IrpFlags",
               "IrpFlags": "PerfView's IrpFlags enum names"},
    "Memory/HardFault": {"FileName": _FILEKEY, "FileKey": _FILEKEY,
                         "ElapsedTimeMSec": "from InitialTime"},
    "Image": {"BuildTime": "TimeDateStamp as a date (checked)", "FileName": _DOS},
    "ImageID": {"BuildTime": "TimeDateStamp as a date (checked)",
                "ProcessID": "PerfView's (older) parser reads offset 12, the high half of the "
                             "64-bit ImageSize (0); the payload's ProcessId at 2p equals the "
                             "header's PID in every ImageID event of the corpus"},
    "SystemConfig/Services": {"ProcessName": "PerfView's name of the process ProcessId (the "
                                             "payload has '' or the .exe name)"},
    "PerfInfo/Sample": {"Count": "low 16 bits of Count (checked)",
                        "ExecutingDPC": "bit of Count", "ExecutingISR": "bit of Count",
                        "Rank": "bits of Count", "Priority": "bits of Count",
                        "ProcessorNumber": "the header's processor"},
    "Process": {"Flags": "PerfView's ProcessFlags names (0 is checked as 'None')"},
    "Process/PerfCtr": {"MemoryCount": "not in the event"},
    "Process/PerfCtrRundown": {"MemoryCount": "not in the event"},
    "Thread": {"ParentProcessID": "the header's process", "ParentThreadID": "the header's thread",
               "StartAddr": "PerfView's own reading", "ThreadName": "from ThreadName events"},
    "UdpIp": {"context": "PerfView's TcpIp-shaped parser", "dsize": "PerfView's TcpIp-shaped parser"},
}


def _derived(pvname, field):
    short = pvname.split("/", 1)[1]
    for key, fields in DERIVED_FIELDS.items():
        if (pvname == key or short == key or short.startswith(key + "/")) and field in fields:
            return True
    return False


def _check_derivations(pvname, fields, ev):
    """The derivations that are cheap to recompute."""
    short = pvname.split("/", 1)[1]
    if short == "GC/HeapStats" and "TotalHeapSize" in fields:
        assert pv_int(fields["TotalHeapSize"]) == sum(ev["GenerationSize%d" % i]
                                                       for i in range(4))
        assert pv_int(fields["TotalPromoted"]) == sum(ev["TotalPromotedSize%d" % i]
                                                       for i in range(4))
    if "ModuleILFileName" in fields:
        assert ev["ModuleILPath"].split("\\")[-1].startswith(fields["ModuleILFileName"]
                                                             .rstrip("."))
    if short == "Type/BulkType":
        first = ev["Values"][0]
        assert pv_int(fields["TypeID_0"]) == first["TypeID"]
        assert first["Name"].startswith(fields["TypeName_0"].rstrip("."))
    if pvname == "Microsoft-Windows-Kernel-File/Create":
        opts = ev["CreateOptions"]
        if _GROUPED.match(fields["CreateOptions"]):
            assert pv_int(fields["CreateOptions"]) == opts & 0xFFFFFF
        if fields["CreateDisposition"] == "OPEN_EXISTING":
            assert opts >> 24 == 1
        if fields["ShareAccess"] == "ReadWrite, Delete":
            assert ev["ShareAccess"] == 7
    if short.startswith(("Image/", "ImageID")) and "BuildTime" in fields:
        stamp = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=ev["TimeDateStamp"])
        assert stamp.strftime("%y/%m/%d %H:%M:%S") == fields["BuildTime"][:17]
    if short == "PerfInfo/Sample":
        assert pv_int(fields["Count"]) == ev["Count"] & 0xFFFF
    if short.startswith("Process/") and fields.get("Flags") == "None":
        assert ev["Flags"] == 0


_INBAND = "EventSource: schema only in the trace's in-band manifest (event 0xFFFE)"
# Events the baseline prints that have no schema source here yet, by reason.
NO_SCHEMA_YET = {
    "KernelTraceControl/MetaData/": "KernelTraceControl EventInfo/EventMapInfo (class "
                                    "bbccf6c1-...): injected TRACE_EVENT_INFO / EVENT_MAP_INFO, "
                                    "taken in as schemas, no payload schema themselves",
    "Windows Kernel/SysConfig/Opcode(37)": "KernelTraceControl SysConfig opcode 37 (class "
                                           "9b79ee91-...): no public layout (PerfView has none)",
    "Microsoft-Windows-DotNETRuntimePrivate/": "no injected schema in the trace; needs the "
                                               "CLR manifest (not given here)",
    "PerfView/": _INBAND,
    "System.Diagnostics.Eventing.FrameworkEventSource/": _INBAND,
    "System.Threading.Tasks.TplEventSource/": _INBAND,
}
# Decoded with a kernel table that has no properties yet (reported to the core): none.
CORE_GAPS = {}


def _match_baseline(events, base, start_filetime):
    """Pairs every baseline EVENT line (but the header) with our event: same
    processor and payload size, same time to PerfView's 3 decimals (ms since the
    session start); among equals the one with PerfView's PID/TID."""
    idx = collections.defaultdict(list)
    for ev in events:
        idx[(ev.cpu, len(ev.payload))].append(ev)
    pairs = []
    for be in base["events"][1:]:
        cands = [ev for ev in idx[(be["cpu"], be["data_len"])]
                 if abs((ev.filetime - start_filetime) / 1e4 - be["time_ms"]) <= 0.00051]
        if len(cands) > 1:
            named = [ev for ev in cands if ev.name and pv_name(ev) == be["name"]]
            # else: not one we name differently (a decoded event of another name)
            cands = named or [ev for ev in cands if ev.decode_status == "no schema"]
        if len(cands) > 1 and all(ev.decode_status == "no schema" for ev in cands):
            cands = cands[:1]  # same class and time, nothing to compare anyway
        if len(cands) > 1:  # same event at the same time: the one with these values
            cands = [ev for ev in cands if all(
                f not in ev or pv_equal(t, ev, f) for f, t in be["fields"].items())]
        assert len(cands) == 1, ("no single event for baseline line", be["line"], be["name"])
        pairs.append((be, cands[0]))
    return pairs


def _compare_baseline(events, base, start_filetime):
    """Checks names and values; returns (fields compared, events compared,
    reasons for the lines not compared)."""
    compared_fields = compared_events = 0
    skipped = collections.Counter()
    gaps = set()
    failures = []
    for be, ev in _match_baseline(events, base, start_filetime):
        name = be["name"]
        if ev.decode_status == "no schema":
            reason = [r for p, r in NO_SCHEMA_YET.items() if name.startswith(p)]
            if name.endswith("/ManifestData"):
                reason = ["EventSource ManifestData (id 0xFFFE): carries the manifest, has no "
                          "schema itself"]
            assert reason, ("baseline event without a known reason for no schema", name)
            skipped[reason[0]] += 1
            continue
        assert ev.decode_status == "ok", (name, ev.decode_errors)
        assert pv_name(ev) == name
        if name in CORE_GAPS and not len(ev):
            gaps.add(name)
            continue
        renamed = RENAMED_FIELDS.get(name, {})
        for field, text in be["fields"].items():
            ours = renamed.get(field, field)
            if _derived(name, field):
                continue
            if ours not in ev:
                failures.append((name, field, "not decoded", list(ev)))
            elif not pv_equal(text, ev, ours):
                failures.append((name, field, text, ev[ours], ev.format(ours)))
            compared_fields += 1
        _check_derivations(name, be["fields"], ev)
        compared_events += 1
    assert failures == []
    return compared_fields, compared_events, skipped, gaps


def _compare_header(ev, fields):
    """The logfile header line (Windows Kernel/EventTrace) against our EventTrace
    header event. PerfView derives SessionName/LogFileName from the trace (a
    merged file says 'Relogger' / '[multiple files]') and UtcOffsetMinutes from
    the time zone; its times are our FILETIME numbers as dates."""
    d = dict(ev)
    for name, text in fields.items():
        if name in ("SessionName", "LogFileName", "UtcOffsetMinutes"):
            continue
        v = d[name]
        if name in ("EndTime", "BootTime", "StartTime"):
            t = dt.datetime(1601, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=v // 10)
            assert t.strftime("%y/%m/%d %H:%M:%S.%f").startswith(text[:-3]), name
        else:
            assert pv_equal(text, ev, name), (name, text, v)


def _pv_counts(events):
    counts = collections.Counter()
    for ev in events:
        if ev.decode_status != "no schema" and ev.name:
            name = pv_name(ev)
            # PerfView's TraceLog keeps the loads of JIT helper stubs (MethodFlags
            # 0x10: "@NewObject", "@Box", ...; 10 in the x86 trace) out of its stream.
            if name.endswith("/Method/LoadVerbose") and ev["MethodFlags"] & 0x10:
                continue
            counts[name] += 1
    return counts


# Counts that differ for a reason: PerfView's TraceLog drops most CPU samples
# (those of the idle thread among them); it absorbs CLR stack, IL-map and
# method-rundown events into its own structures (no COUNT lines for them).
COUNT_EXCEPTIONS = {"Windows Kernel/PerfInfo/Sample"}


@pytest.mark.parametrize("arch,fields_min", [("x64", 1000), ("x86", 1000)])
def test_net452_against_perfview(arch, fields_min, capsys):
    base = baseline("perfview_net.4.5.2.%s.baseline.txt" % arch)
    trace = etw.open(cpath("perfview_net.4.5.2.%s.etl" % arch))
    events = list(trace)
    header = events[0]
    assert header.kind == "header"
    _compare_header(header, base["events"][0]["fields"])
    fields, n, skipped, gaps = _compare_baseline(events, base, trace.header["start_filetime"])
    # Counts: every event name both sides know has the same count.
    ours = _pv_counts(events)
    both = [k for k in base["counts"] if k in ours and k not in COUNT_EXCEPTIONS]
    assert len(both) >= 60
    assert {k: ours[k] for k in both} == {k: base["counts"][k] for k in both}
    # The baseline names no event we decode under another name.
    unknown = [k for k in base["counts"] if k not in ours and k != "Windows Kernel/EventTrace"
               and not any(k.startswith(p) for p in NO_SCHEMA_YET)]
    assert unknown == []
    with capsys.disabled():
        print("\nnet.4.5.2.%s: %d baseline events compared (%d values), %d matched counts; "
              "not compared: %s" % (arch, n, fields, len(both), dict(skipped)))
    assert fields >= fields_min
    if gaps:
        pytest.xfail("core kernel tables without fields: %s" % sorted(CORE_GAPS[g] for g in gaps))


# Names PerfView's own (newer) CLR enums give to values the maps of the corpus'
# ClrEtwAll.man do not name (the traces come from .NET 8).
PV_NEWER_MAPS = {
    ("GC/CreateSegment", "Type"): {3: "PinnedObjectHeap"},
    ("Loader/AssemblyDCStop", "AssemblyFlags"): {0x10: "ReadyToRun"},
    ("Loader/DomainModuleDCStop", "ModuleFlags"): {0x28: "Manifest, ReadyToRun"},
    ("Loader/ModuleDCStop", "ModuleFlags"): {0x28: "Manifest, ReadyToRun"},
}


def _clr_manifest_schemas():
    try:
        from etw import schemas  # noqa: F401
    except ImportError:
        return None
    path = CORPUS / "manifests" / "perfview_ClrEtwAll.man"
    return [str(path)] if path.is_file() else None


@pytest.mark.parametrize("name", ["perfview_gcevents", "perfview_gcrundownevents"])
def test_gc_baselines(name, capsys):
    """These traces carry no injected schema: without a manifest source nothing
    decodes. With the corpus' CLR manifest (ClrEtwAll.man) the events whose
    version it describes are compared with the baseline; newer versions (e.g.
    AllocationTick v4, HeapStats v2, MarkWithType) stay without schema."""
    plain = open_events(name + ".etl")
    assert all(ev.decode_status == "no schema" for ev in plain if ev.kind == "manifest"), \
        "the trace now carries schemas: compare without a manifest too"
    src = _clr_manifest_schemas()
    if src is None:
        pytest.skip("no schema source for the CLR events here: they need the CLR manifest "
                    "(manifest sources not available in this build)")
    base = baseline(name + ".baseline.txt")
    trace = etw.open(cpath(name + ".etl"), schemas=src)
    events = list(trace)
    decoded = [ev for ev in events if ev.kind == "manifest" and ev.decode_status != "no schema"]
    if not decoded:
        pytest.skip("schemas= did not provide the CLR manifest's schemas in this build")
    start = trace.header["start_filetime"]
    idx = collections.defaultdict(list)
    for ev in events:
        idx[(ev.cpu, len(ev.payload))].append(ev)
    fields = n = 0
    missing = collections.Counter()
    for be in base["events"][1:]:
        cands = [ev for ev in idx[(be["cpu"], be["data_len"])]
                 if abs((ev.filetime - start) / 1e4 - be["time_ms"]) <= 0.00051]
        assert len(cands) == 1, be["line"]
        ev = cands[0]
        if ev.decode_status == "no schema" or ev.schema_version != ev.version:
            # No schema of this exact version in the manifest: nothing, or the
            # nearest lower version (whose fields test_manifests.py compares).
            missing["%s v%d" % (be["name"], ev.version)] += 1
            continue
        assert ev.decode_status == "ok" and ev.leftover == b""
        # The manifest names tasks and opcodes the way PerfView does.
        assert "%s/%s" % (ev.provider_name, ev.name) == be["name"]
        for field, text in be["fields"].items():
            if _derived(be["name"], field):
                continue
            assert field in ev, (be["name"], field, list(ev))
            if not pv_equal(text, ev, field):
                # PerfView's enums know values the corpus manifest's maps lack.
                newer = PV_NEWER_MAPS[(be["name"].split("/", 1)[1], field)]
                assert newer[ev[field]].startswith(text.rstrip(".")), (be["name"], field)
            fields += 1
        _check_derivations(be["name"], be["fields"], ev)
        n += 1
    with capsys.disabled():
        print("\n%s: %d baseline events compared (%d values); no schema in the manifest "
              "for: %s" % (name, n, fields, dict(missing)))
    assert n > 0


# ----------------------------------------------------------------------------- kernel traces

# Kernel events our tables do not describe yet (reported to the core), by
# (class, opcode): the bytes stay in ev.leftover. None left in these traces.
KERNEL_GAPS = {}
# Leftover bytes Windows itself leaves (the schema Windows has is shorter than
# the payload): none in these two traces.
WINDOWS_LEFTOVERS = {}


@pytest.mark.parametrize("name", ["airbus-etl-parser_ShutdownPerfDiagLogger.etl",
                                  "perfview_diaghub.kernel.1.etl"])
def test_kernel_traces_decode_fully(name):
    gaps = collections.Counter()
    for ev in etw.open(cpath(name)):
        if ev.kind not in ("header", "kernel"):
            continue  # (diaghub.kernel.1 also holds one manifest event)
        key = (ev.provider_id.hex[:8], ev.opcode)
        if ev.decode_status == "ok" and not ev.leftover:
            continue
        assert ev.decode_status in ("ok", "no schema"), (ev.name, ev.decode_errors)
        if key in WINDOWS_LEFTOVERS:
            continue
        assert key in KERNEL_GAPS, (ev.name, key, ev.version, ev.decode_status,
                                    len(ev.leftover))
        gaps[KERNEL_GAPS[key]] += 1
    if gaps:
        pytest.xfail("kernel tables missing for: %s" % dict(gaps))


def test_net452_leftovers_are_windows_own():
    """In the merged .NET trace, the only events with bytes after the schema
    (besides the kernel gaps above) are CLR stack walks: the CLR manifest
    declares Stack as a fixed array of 2 pointers while the event carries
    FrameCount of them, so Windows' TDH decodes 2 and leaves the rest too.
    Once the trace's in-band EventSource manifests are used, PerfView's own
    ClrEnableParameters event also has 4 bytes more (zeros) than its manifest
    declares (keywords u64, level u32): TDH leaves them as well."""
    left = collections.Counter()
    for ev in etw.open(cpath("perfview_net.4.5.2.x64.etl")):
        if ev.decode_status == "ok" and ev.leftover:
            key = (ev.provider_id.hex[:8], ev.opcode)
            if ev.kind == "kernel" and key in KERNEL_GAPS:
                continue
            left[(ev.provider_name, ev.name)] += 1
            if ev.name == "CLRStack/CLRStackWalk":
                assert len(ev["Stack"]) == 2
                assert len(ev.leftover) == (ev["FrameCount"] - 2) * ev.pointer_size
            if ev.name == "ClrEnableParameters":
                assert ev.leftover == b"\0\0\0\0" and len(ev.payload) == 16
    assert set(left) - {("PerfView", "ClrEnableParameters")} == {
        ("Microsoft-Windows-DotNETRuntime", "CLRStack/CLRStackWalk")}


def test_every_corpus_event_converts():
    """to_dict() and to_json() agree on every event of a few files with
    varied content (mapping, names, GUIDs, times, stacks in extended data)."""
    for name in ("perfview_net.4.5.2.x86.etl", "etwanalyzer_TraceLoggingTester.buffers-0+14.etl",
                 "perfview_diaghub.user_paged.1.etl", "sonde_test.etl"):
        for i, ev in enumerate(etw.open(cpath(name))):
            if i % 7:
                continue
            got = json.loads(ev.to_json())
            d = ev.to_dict()
            assert list(got) == ["System", "EventData", "ExtendedData"]
            assert got["System"]["EventID"] == d["System"]["EventID"] == ev.id
            assert got["System"]["Provider"]["Guid"] == "{%s}" % str(ev.provider_id).upper()
            assert list(got["EventData"]) == list(d["EventData"]) == list(ev)
            assert set(got["ExtendedData"]) == set(d["ExtendedData"])
            if "stack" in d["ExtendedData"]:
                assert got["ExtendedData"]["stack"] == d["ExtendedData"]["stack"]


def _first(name, evname):
    return next(ev for ev in etw.open(cpath(name)) if ev.name == evname)


def test_kernel_config_and_imageid_values():
    """Exact values of the later kernel/KernelTraceControl tables on real bytes
    (SystemConfig v3-v5 and the Windows 10 config events, EventTrace 80/82,
    Image 34, ImageID): every payload used up, values as the bytes say."""
    k1 = "perfview_diaghub.kernel.1.etl"
    ev = _first(k1, "SystemConfig/Services")
    assert (ev.version, len(ev.payload), ev.leftover) == (3, 140, b"")
    assert dict(ev) == {"ProcessId": 0, "ServiceState": 1, "SubProcessTag": 3,
                        "ServiceName": "AJRouter", "DisplayName": "AllJoyn Router Service",
                        "ProcessName": "", "LoadOrderGroup": "",
                        "SvchostGroup": "LocalServiceNetworkRestricted"}
    ev = _first(k1, "SystemConfig/IRQ")
    assert (ev.version, ev.leftover) == (3, b"")
    assert ev["IRQAffinity"] == 0xFFFFFFFF and ev["IRQNum"] == 10
    assert ev["DeviceDescriptionLen"] == len(ev["DeviceDescription"]) + 1 == 61
    pnp = [e for e in etw.open(cpath(k1)) if e.name == "SystemConfig/PnP"]
    assert len(pnp) == 101 and all(e.version == 5 and e.leftover == b"" for e in pnp)
    assert pnp[0]["ClassGuid"] == uuid.UUID("4d36e97d-e325-11ce-bfc1-08002be10318")
    assert (pnp[0]["PdoName"], pnp[0]["ServiceName"]) == ("\\Device\\NTPNP_PCI0004", "s3cap")
    filt = [e for e in pnp if e["UpperFiltersCount"] or e["LowerFiltersCount"]]
    assert len(filt) == 8 and filt[0]["LowerFilters"] == ["storflt"]
    assert all(len(e["UpperFilters"]) == e["UpperFiltersCount"] and
               len(e["LowerFilters"]) == e["LowerFiltersCount"] for e in pnp)
    ev = _first(k1, "SystemConfig/Processor")
    assert (len(ev.payload), ev.leftover) == (428, b"")
    assert ev["ProcessorName"] == "Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz"
    assert ev["ProcessorIdentifier"] == "Intel64 Family 6 Model 79 Stepping 1"
    assert ev["VendorIdentifier"] == "GenuineIntel" and ev["ProcessorSpeed"] == 2295
    assert dict(_first(k1, "SystemConfig/DPI")) == {"MachineDPI": 96, "UserDPI": 96}
    assert _first(k1, "SystemConfig/MachineId")["MachineId"] == uuid.UUID(
        "b3b0fa5f-3c87-4542-b08d-7886ea577083")
    assert dict(_first(k1, "SystemConfig/DeviceFamily")) == {
        "UAPInfo": 0x000A00004A6101C2, "DeviceFamily": 3, "DeviceForm": 0}
    ev = _first(k1, "SystemConfig/FlightId")
    assert ev["UpdateId"] == "AFBFD20A-E84A-4FA1-8A13-8B50298D5BBA.1"
    assert ev["FlightIdList"].startswith("RS:685B,DC:4096F99E,") and ev.leftover == b""
    assert _first(k1, "SystemConfig/Virtualization")["HyperVisorEnabled"] == 1
    assert _first(k1, "SystemConfig/Boot")["FirmwareType"] == 1
    assert _first(k1, "Image/HypercallPage")["HypercallPageVa"] == 0xFFFFF80168110000

    tl = "etwanalyzer_TraceLoggingTester.buffers-0+14.etl"
    ev = _first(tl, "EventTrace/LastDroppedTimes")
    assert (len(ev.payload), ev["TimeStampCount"], len(ev["TimeStamp"])) == (168, 20, 20)
    ev = _first(tl, "EventTrace/PartitionInfoExtension")
    assert (len(ev.payload), ev["PartitionId"], ev.leftover) == (48, uuid.UUID(int=0), b"")
    ev = _first(tl, "ImageID/DbgPPDB")  # portable PDB: version 0x0100, 'PM'
    assert (ev["MajorVersion"], ev["MinorVersion"], ev["ProcessId"]) == (0x100, 0x504D, ev.pid)
    ev = _first(tl, "ImageID/DbgID_RSDS")
    assert (ev.provider_name, ev["PdbFileName"], ev["Age"]) == ("KernelTraceControl", "icu.pdb", 1)
    assert ev["GuidSig"] == uuid.UUID("53f6fb85-9330-e5cc-31d9-add0f7e30155")

    x64 = "perfview_net.4.5.2.x64.etl"
    ev = _first(x64, "ImageID")
    assert dict(ev) == {"ImageBase": 0x77710000, "ImageSize": 1404928, "ProcessId": 4,
                        "TimeDateStamp": 1343270522, "OriginalFileName": "ntdll.dll"}
    ev = _first(x64, "SysConfig/BuildInfo")
    assert (ev["BuildLab"], ev["ProductName"]) == ("9200.16384.amd64fre.win8_rtm.120725-1247",
                                                   "Windows 8 Pro")
    ev = _first(x64, "SystemConfig/OpticalMedia")
    assert (ev["DriveLetter"], ev["FileSystemName"], ev["BytesPerSector"]) == ("D:", "UDF", 2048)
    assert ev["DeviceName"] == "Virtual CD/ROM  " and ev.leftover == b""
