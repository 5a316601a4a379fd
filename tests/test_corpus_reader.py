"""The real-trace corpus, read with etw and checked against independent oracles.

The corpus lives at ``../shared/etl-corpus`` next to the repository (its SOURCES.md
says where every file comes from).  Three kinds of truth are used here:

* ORACLE - what other decoders produced from the same bytes: Windows' own EVTX
  conversion of ``tx_HTTP_Server.etl`` (read by ``oracles.load_http_server_evtx``),
  the Tx project's test assertions, PerfView/TraceEvent's GeneralParsing baselines
  (``oracles.load_perfview_baseline``), and WDK tracefmt's WPP messages.
* observed - facts taken from the bytes by an independent throw-away walker written
  for these tests (buffer walk, MS-XCA LZ77 inflate of compressed buffers, record
  headers only); every number marked "observed" below was produced that way and
  agrees with SOURCES.md wherever SOURCES.md states it.
* derived - relations between the two, each stated next to the assertion that uses it.

The module skips when the corpus is absent.  Tests that need only the oracles run
without etw; the others import etw and fail (not skip) if it is missing.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import struct
import uuid
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import pytest

try:  # tests/ may or may not be a package
    from . import oracles  # type: ignore[no-redef]
except ImportError:  # pragma: no cover - depends on how pytest imports us
    import oracles  # type: ignore[no-redef]

CORPUS = oracles.corpus_dir_for(__file__)
if not CORPUS.is_dir():
    pytest.skip("real-trace corpus not found at %s" % CORPUS, allow_module_level=True)
EXPECTED = CORPUS / "expected"

FILETIME_UNIX_EPOCH = 116444736000000000  # 1970-01-01 as FILETIME
UTC = dt.timezone.utc


def _etw():
    import etw  # the module under test; an ImportError here is a failure, not a skip

    return etw


def _u32(value: int) -> int:
    """PID/TID "none" is 0xFFFFFFFF in the file and -1 in PerfView: compare as u32."""
    return value & 0xFFFFFFFF


def _guid_or_none(value: Optional[uuid.UUID]) -> Optional[uuid.UUID]:
    """Windows' EVTX stores a NULL where the ETL has the all-zero activity id."""
    if value is None or value.int == 0:
        return None
    return value


def _ft_datetime(filetime: int) -> dt.datetime:
    return dt.datetime(1601, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=filetime // 10)


# ---------------------------------------------------------------------------------
# (a) Every file of the corpus, walked to the end.
# ---------------------------------------------------------------------------------
#
# observed: records (= events etw yields, the logfile-header record included), buffers
# (BufferSize chain to EOF), records carrying a RELATED_ACTIVITYID ext item, the
# histogram of Event.kind (record.h's definition: "header" = the TRACE_LOGFILE_HEADER
# record, "kernel" = SYSTEM/COMPACT/PERFINFO headers, "classic" = EVENT_TRACE_HEADER,
# "tracelogging" = EVENT_HEADER with an EVENT_SCHEMA_TL item, "manifest" = other
# EVENT_HEADER records, "wpp" = MESSAGE_TRACE_HEADER records), the histogram of
# header types, and of provider GUIDs of non-kernel records (classic: the event class
# GUID; WPP: the message GUID).  Totals: 34 files, 499,785 records, equal to the count
# in etl-format.md section 7.  SOURCES.md cross-checks: AMSITrace 21 records (2
# SYSTEM64 + 19 TraceLogging of 8e805eb3), ShutdownPerfDiagLogger 17078 (8433 SYSTEM64
# + 8645 PERFINFO64), tx_HTTP_Server 2042 = 1 header + 2041 HttpService, gcevents 71,
# net.4.5.2.x64 179474 with the header-type split SOURCES.md lists, x86 168298, ...
# What SOURCES.md's numbers count differs from file to file; ours always count every
# record, the logfile header (kind "header") included:
#   "observed: N records"/"N events" with the header: AMSITrace 21, gcevents 71,
#     TraceLoggingTester 8738, SelfDescribingSingleEvent 23, net.4.5.2.x64 179474,
#     tx_HTTP_Server 2042 ("1 SYSTEM64 logfile header + 2041 EVENT_HEADER64").
#   header-type totals, header included: ShutdownPerfDiagLogger "17078 kernel
#     records" = 8433 SYSTEM64 (one of them the header) + 8645 PERFINFO64, so 17077
#     kind "kernel"; diaghub.kernel.1 "16334 records" = its SYSTEM64 + PERFINFO64
#     records, beside which it holds one EVENT_HEADER record (6f669bfa-...): 16335.
#   one provider or header type only, header excluded: lxcore "2 TraceLogging
#     events" (4 records), diaghub "62378 FULL_HEADER64" (62379), user_paged "22034
#     events" (the EVENT_HEADER records; 22035), tx_* "N HttpService/... events".

SYSTEM32, SYSTEM64, FULL32, FULL64 = 0x01, 0x02, 0x0A, 0x14
PERFINFO32, PERFINFO64, EVENT32, EVENT64 = 0x10, 0x11, 0x12, 0x13
MESSAGE = 0x0F  # record.h: MESSAGE_TRACE_HEADER records (marker 0x90) report ETW_HT_MESSAGE


class FileFacts(NamedTuple):
    records: int
    buffers: int
    related: int
    kinds: Dict[str, int]
    header_types: Dict[int, int]
    providers: Dict[str, int]


FILES = {
    "airbus-etl-parser_AMSITrace.etl": FileFacts(
        records=21, buffers=6, related=0,
        kinds={"header": 1, "kernel": 1, "tracelogging": 19},
        header_types={SYSTEM64: 2, EVENT64: 19},
        providers={"8e805eb3-6a8f-4a1e-90fa-a831d94e54a1": 19}),
    "airbus-etl-parser_ShutdownPerfDiagLogger.etl": FileFacts(
        records=17078, buffers=49, related=0,
        kinds={"header": 1, "kernel": 17077},
        header_types={SYSTEM64: 8433, PERFINFO64: 8645},
        providers={}),
    "airbus-etl-parser_lxcore_kernel.etl": FileFacts(
        records=4, buffers=3, related=0,
        kinds={"header": 1, "kernel": 1, "tracelogging": 2},
        header_types={SYSTEM64: 2, EVENT64: 2},
        providers={"0cd1c309-0878-4515-83db-749843b3f5c9": 2}),
    "etwanalyzer_TraceLoggingTester.buffers-0+14.etl": FileFacts(
        records=8738, buffers=2, related=0,
        kinds={"header": 1, "kernel": 1997, "classic": 6670, "tracelogging": 70},
        header_types={SYSTEM64: 395, PERFINFO64: 1603, EVENT64: 70, FULL64: 6670},
        providers={
            "b3e675d7-2554-4f18-830b-2762732560de": 6669,
            "a214eced-be64-5e23-fac1-1d7b9052efa4": 70,
            "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc": 1,
        }),
    "findneedle_wppbin-sample.etl": FileFacts(
        records=6, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 2},
        header_types={MESSAGE: 2, SYSTEM64: 2, PERFINFO64: 2},
        providers={"4305d668-552d-302b-a84c-fbcf09373bf6": 2}),
    "findneedle_wppemitter-nonselfdesc.etl": FileFacts(
        records=34, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 30},
        header_types={MESSAGE: 30, SYSTEM64: 2, PERFINFO64: 2},
        providers={"9b93a332-c452-3e71-64f7-55130c7de2e4": 30}),
    "findneedle_wppemitter-sample.etl": FileFacts(
        records=49, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 45},
        header_types={MESSAGE: 45, SYSTEM64: 2, PERFINFO64: 2},
        providers={"9b93a332-c452-3e71-64f7-55130c7de2e4": 45}),
    "findneedle_wppenum-sample.etl": FileFacts(
        records=6, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 2},
        header_types={MESSAGE: 2, SYSTEM64: 2, PERFINFO64: 2},
        providers={"d4153fff-ac08-361f-5ed7-af1d38cd1903": 2}),
    "findneedle_wppenum2-sample.etl": FileFacts(
        records=5, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 1},
        header_types={MESSAGE: 1, SYSTEM64: 2, PERFINFO64: 2},
        providers={"035fd70f-a54a-3c13-f6c5-f7f2b19c92ec": 1}),
    "findneedle_wppmisc-sample.etl": FileFacts(
        records=6, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 2},
        header_types={MESSAGE: 2, SYSTEM64: 2, PERFINFO64: 2},
        providers={"2363c985-9b6e-3283-34a7-e8c27a60b889": 2}),
    "findneedle_wppndis-sample.etl": FileFacts(
        records=5, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 1},
        header_types={MESSAGE: 1, SYSTEM64: 2, PERFINFO64: 2},
        providers={"4bfa7244-5583-3195-181b-88348eb33cdb": 1}),
    "findneedle_wppstr-sample.etl": FileFacts(
        records=8, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 4},
        header_types={MESSAGE: 4, SYSTEM64: 2, PERFINFO64: 2},
        providers={"744151fd-b3f4-32e6-38eb-0fd11e3fb62d": 4}),
    "findneedle_wpptime-sample.etl": FileFacts(
        records=6, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 2},
        header_types={MESSAGE: 2, SYSTEM64: 2, PERFINFO64: 2},
        providers={"8ff2a761-4025-3d98-c3fc-1bc40b34330d": 2}),
    "findneedle_wpptypes-sample.etl": FileFacts(
        records=9, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 5},
        header_types={MESSAGE: 5, SYSTEM64: 2, PERFINFO64: 2},
        providers={"4857fab7-1162-3184-360b-cdd863ddf4ea": 5}),
    "findneedle_wpptypes2-sample.etl": FileFacts(
        records=9, buffers=2, related=0,
        kinds={"header": 1, "kernel": 3, "wpp": 5},
        header_types={MESSAGE: 5, SYSTEM64: 2, PERFINFO64: 2},
        providers={"6033c1c6-a9fa-394c-0bc0-1581cb94150e": 5}),
    "hw3d_trace.etl": FileFacts(
        records=3, buffers=2, related=0,
        kinds={"header": 1, "kernel": 1, "tracelogging": 1},
        header_types={SYSTEM64: 2, EVENT64: 1},
        providers={"2c759654-e0cc-5e69-a99d-480ab2fa0c64": 1}),
    "krabsetw_powershell.etl": FileFacts(
        records=114, buffers=26, related=0,
        kinds={"header": 1, "kernel": 1, "manifest": 112},
        header_types={SYSTEM64: 2, EVENT64: 112},
        providers={"a0c1853b-5c40-4b15-8766-3cf1c58f985a": 112}),
    "perfview_SelfDescribingSingleEvent.etl": FileFacts(
        records=23, buffers=3, related=0,
        kinds={"header": 1, "kernel": 3, "classic": 18, "tracelogging": 1},
        header_types={SYSTEM64: 4, EVENT64: 1, FULL64: 18},
        providers={
            "9b79ee91-b5fd-41c0-a243-4248e266e9d0": 15,
            "ed54dff8-c409-4cf6-bf83-05e1e61a09c4": 3,
            "a61ea624-4944-55fc-c2a8-37838829438d": 1,
        }),
    "perfview_diaghub.etl": FileFacts(
        records=62379, buffers=103, related=0,
        kinds={"header": 1, "classic": 62378},
        header_types={SYSTEM64: 1, FULL64: 62378},
        providers={
            "b3e675d7-2554-4f18-830b-2762732560de": 62341,
            "bbccf6c1-6cd1-48c4-80ff-839482e37671": 24,
            "9b79ee91-b5fd-41c0-a243-4248e266e9d0": 13,
        }),
    "perfview_diaghub.kernel.1.etl": FileFacts(
        records=16335, buffers=59, related=0,
        kinds={"header": 1, "kernel": 16333, "manifest": 1},
        header_types={SYSTEM64: 1035, PERFINFO64: 15299, EVENT64: 1},
        providers={"6f669bfa-816a-4204-a824-47c8e6a00474": 1}),
    "perfview_diaghub.user_injected.1.etl": FileFacts(
        records=4, buffers=2, related=0,
        kinds={"header": 1, "manifest": 3},
        header_types={SYSTEM64: 1, EVENT64: 3},
        providers={"9e5f9046-43c6-4f62-ba13-7b19896253ff": 3}),
    "perfview_diaghub.user_paged.1.etl": FileFacts(
        records=22035, buffers=139, related=8,
        kinds={"header": 1, "manifest": 21778, "tracelogging": 256},
        header_types={SYSTEM64: 1, EVENT64: 22034},
        providers={
            "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4": 21757,
            "adb401e1-5296-51f8-c125-5fda75826144": 256,
            "2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5": 20,
            "6f669bfa-816a-4204-a824-47c8e6a00474": 1,
        }),
    "perfview_gcevents.etl": FileFacts(
        records=71, buffers=5, related=0,
        kinds={"header": 1, "kernel": 1, "manifest": 69},
        header_types={SYSTEM64: 2, EVENT64: 69},
        providers={"e13c0d23-ccbc-4e12-931b-d9cc2eee27e4": 69}),
    "perfview_gcrundownevents.etl": FileFacts(
        records=112, buffers=2, related=0,
        kinds={"header": 1, "kernel": 1, "manifest": 110},
        header_types={SYSTEM64: 2, EVENT64: 110},
        providers={"a669021c-c450-4609-a035-5af59af4df18": 110}),
    "perfview_net.4.5.2.x64.etl": FileFacts(
        records=179474, buffers=360, related=3,
        kinds={"header": 1, "kernel": 103347, "classic": 7983, "manifest": 68143},
        header_types={SYSTEM32: 2, SYSTEM64: 3189, FULL32: 27, PERFINFO64: 100157, EVENT32: 33378, EVENT64: 34765, FULL64: 7956},
        providers={
            "a669021c-c450-4609-a035-5af59af4df18": 33011,
            "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4": 32730,
            "b3e675d7-2554-4f18-830b-2762732560de": 7885,
            "763fd754-7086-4dfe-95eb-c01a46faf4ca": 1627,
            "edd08927-9cc4-4e65-b970-c2560fb5c289": 562,
            "a8a71ac1-040f-54a2-07ca-00a89b5ab761": 108,
            "bbccf6c1-6cd1-48c4-80ff-839482e37671": 85,
            "b675ec37-bdb6-4648-bc92-f3fdc74d3ca2": 77,
            "9b79ee91-b5fd-41c0-a243-4248e266e9d0": 13,
            "2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5": 8,
            "315a8872-923e-4ea2-9889-33cd4754bf64": 8,
            "8e9f5090-2d75-4d03-8a81-e5afbf85daf1": 6,
            "1c95126e-7eea-49a9-a3fe-a378b03ddb4d": 4,
            "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716": 2,
        }),
    "perfview_net.4.5.2.x86.etl": FileFacts(
        records=168298, buffers=276, related=3,
        kinds={"header": 1, "kernel": 119564, "classic": 8235, "manifest": 40498},
        header_types={SYSTEM32: 2, SYSTEM64: 4472, FULL32: 73, PERFINFO64: 115091, EVENT32: 39425, EVENT64: 1073, FULL64: 8162},
        providers={
            "a669021c-c450-4609-a035-5af59af4df18": 27173,
            "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4": 11608,
            "b3e675d7-2554-4f18-830b-2762732560de": 8136,
            "edd08927-9cc4-4e65-b970-c2560fb5c289": 968,
            "763fd754-7086-4dfe-95eb-c01a46faf4ca": 521,
            "a8a71ac1-040f-54a2-07ca-00a89b5ab761": 108,
            "bbccf6c1-6cd1-48c4-80ff-839482e37671": 86,
            "b675ec37-bdb6-4648-bc92-f3fdc74d3ca2": 85,
            "315a8872-923e-4ea2-9889-33cd4754bf64": 14,
            "9b79ee91-b5fd-41c0-a243-4248e266e9d0": 13,
            "2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5": 8,
            "8e9f5090-2d75-4d03-8a81-e5afbf85daf1": 7,
            "1c95126e-7eea-49a9-a3fe-a378b03ddb4d": 4,
            "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716": 2,
        }),
    "perfview_primitive-types.etl": FileFacts(
        records=7, buffers=2, related=0,
        kinds={"header": 1, "kernel": 1, "tracelogging": 5},
        header_types={SYSTEM64: 2, EVENT64: 5},
        providers={"d3dd3dd4-aac2-4e2a-8dd4-a8fb61b77615": 5}),
    "pyetw_out.etl": FileFacts(
        records=114, buffers=4, related=0,
        kinds={"header": 1, "classic": 109, "manifest": 4},
        header_types={SYSTEM64: 1, EVENT64: 4, FULL64: 109},
        providers={
            "bf6ef1cb-89b5-490a-80ac-b180cfbcff0f": 60,
            "9b79ee91-b5fd-41c0-a243-4248e266e9d0": 46,
            "ed54dff8-c409-4cf6-bf83-05e1e61a09c4": 3,
            "231cf54b-22a0-49e4-a59a-47052a30ffed": 1,
            "2b25961d-ba6e-4d79-bec7-3605366e2e09": 1,
            "70e2503b-c6f3-4780-b323-bd8ed0c61bf8": 1,
            "e9c3da11-e2a5-48fd-9cd3-17e7c764d303": 1,
        }),
    "sonde_test.etl": FileFacts(
        records=112, buffers=9, related=0,
        kinds={"header": 1, "kernel": 5, "classic": 97, "tracelogging": 9},
        header_types={SYSTEM64: 4, PERFINFO64: 2, EVENT64: 9, FULL64: 97},
        providers={
            "9b79ee91-b5fd-41c0-a243-4248e266e9d0": 90,
            "559e1292-fdb4-551e-6ee3-4e8c6d9da223": 9,
            "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc": 4,
            "ed54dff8-c409-4cf6-bf83-05e1e61a09c4": 3,
        }),
    "tx_BondEtwSample.etl": FileFacts(
        records=13, buffers=3, related=0,
        kinds={"header": 1, "manifest": 12},
        header_types={SYSTEM64: 1, EVENT64: 12},
        providers={"4f8f06bf-8261-4099-ae5f-07c54bbcfab3": 12}),
    "tx_CrossMachineHTTP.etl": FileFacts(
        records=3397, buffers=68, related=484,
        kinds={"header": 1, "manifest": 3396},
        header_types={SYSTEM64: 1, EVENT64: 3396},
        providers={"dd5ef90a-6398-47a4-ad34-4dcecdef795f": 3396}),
    "tx_HTTP_Server.etl": FileFacts(
        records=2042, buffers=36, related=291,
        kinds={"header": 1, "manifest": 2041},
        header_types={SYSTEM64: 1, EVENT64: 2041},
        providers={"dd5ef90a-6398-47a4-ad34-4dcecdef795f": 2041}),
    "tx_KernelNetwork.etl": FileFacts(
        records=8924, buffers=129, related=0,
        kinds={"header": 1, "manifest": 8923},
        header_types={SYSTEM64: 1, EVENT64: 8923},
        providers={"7dd42a49-5329-4832-8dfd-43d979153a88": 8923}),
    "tx_Process.etl": FileFacts(
        records=10344, buffers=182, related=0,
        kinds={"header": 1, "manifest": 10343},
        header_types={SYSTEM64: 1, EVENT64: 10343},
        providers={"22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716": 10343}),
}


@functools.lru_cache(maxsize=None)
def _walk(name: str, order: str = "time", errors: str = "strict") -> Dict[str, Any]:
    """Iterate one file to the end once; keep what the tests need (not the events)."""
    etw = _etw()
    kinds: collections.Counter = collections.Counter()
    header_types: collections.Counter = collections.Counter()
    providers: collections.Counter = collections.Counter()
    related = 0
    count = 0
    first = None
    decreasing = 0
    prev_ft = None
    with etw.open(str(CORPUS / name), order=order, errors=errors) as trace:
        for ev in trace:
            if first is None:
                first = (ev.kind, ev.filetime)
            count += 1
            kinds[ev.kind] += 1
            header_types[ev.header_type] += 1
            if ev.kind not in ("header", "kernel"):
                providers[str(ev.provider_id)] += 1
            if ev.related_activity_id is not None:
                related += 1
            if prev_ft is not None and ev.filetime < prev_ft:
                decreasing += 1
            prev_ft = ev.filetime
        header = dict(trace.header)
        stats = dict(trace.stats)
    return dict(count=count, kinds=dict(kinds), header_types=dict(header_types),
                providers=dict(providers), related=related, first=first,
                decreasing=decreasing, header=header, stats=stats)


def test_corpus_has_the_34_files_described():
    assert sorted(p.name for p in CORPUS.glob("*.etl")) == sorted(FILES)
    assert sum(f.records for f in FILES.values()) == 499785


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_iterates_to_the_end(name):
    facts = FILES[name]
    got = _walk(name)
    # Strict mode raised nothing; nothing was skipped either.
    assert got["stats"]["skipped"] == 0
    assert got["count"] == facts.records
    assert got["stats"]["events"] == facts.records
    assert got["stats"]["buffers"] == facts.buffers
    assert got["kinds"] == facts.kinds
    assert got["header_types"] == facts.header_types
    assert got["providers"] == facts.providers
    assert got["related"] == facts.related
    # etl-format.md 7.7: the logfile-header record comes first and the merged stream
    # never goes back in time (no record of the corpus is older than it: observed).
    assert got["first"] == ("header", got["header"]["start_filetime"])
    assert got["decreasing"] == 0


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_order_and_skip_mode_see_the_same_records(name):
    facts = FILES[name]
    skip = _walk(name, "time", "skip")
    assert skip["count"] == facts.records and skip["stats"]["skipped"] == 0
    raw = _walk(name, "file", "strict")
    assert raw["count"] == facts.records
    assert raw["kinds"] == facts.kinds
    # The first record of the first buffer is the logfile header (SOURCES.md: checked
    # on every file).
    assert raw["first"][0] == "header"


# ---------------------------------------------------------------------------------
# (b) tx_HTTP_Server.etl against Windows' EVTX conversion of it.
# ---------------------------------------------------------------------------------

HTTP = "tx_HTTP_Server.etl"
HTTP_ID_HISTOGRAM = {1: 291, 2: 291, 3: 291, 51: 291, 8: 289, 9: 289, 12: 289,
                     4: 2, 5: 2, 10: 2, 21: 2, 22: 2}


def _evtx() -> List[Dict[str, Any]]:
    pytest.importorskip("Evtx", reason="python-evtx (the [test] extra) is not installed")
    return oracles.load_http_server_evtx(CORPUS)


@functools.lru_cache(maxsize=None)
def _http_events() -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    etw = _etw()
    out = []
    with etw.open(str(CORPUS / HTTP)) as trace:
        for ev in trace:
            out.append(dict(
                kind=ev.kind, provider_id=ev.provider_id, id=ev.id, version=ev.version,
                channel=ev.channel, level=ev.level, task=ev.task, opcode=ev.opcode,
                keyword=ev.keyword, pid=ev.pid, tid=ev.tid, cpu=ev.cpu,
                activity_id=ev.activity_id, related_activity_id=ev.related_activity_id,
                kernel_time=ev.kernel_time, user_time=ev.user_time, filetime=ev.filetime,
                time_ns=ev.time_ns, timestamp=ev.timestamp, payload=bytes(ev.payload),
                flags=ev.flags))
        header = dict(trace.header)
    return out, header


def _python_evtx_datetime(filetime: int) -> dt.datetime:
    """How python-evtx turns a FILETIME into a datetime (through a float)."""
    return dt.datetime.fromtimestamp(float(filetime) * 1e-7 - 11644473600, UTC)


def _python_evtx_text(filetime: int) -> str:
    return _python_evtx_datetime(filetime).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_evtx_oracle_itself():
    """The loader's figures (ORACLE: Tx tests and SOURCES.md)."""
    evtx = _evtx()
    assert len(evtx) == 2041
    assert [e["EventRecordID"] for e in evtx] == list(range(2041))
    assert collections.Counter(e["EventID"] for e in evtx) == HTTP_ID_HISTOGRAM
    assert {e["ProviderGuid"] for e in evtx} == {oracles.HTTP_SERVICE_GUID}
    first = evtx[0]
    assert (first["EventID"], first["Version"], first["Level"], first["Task"], first["Opcode"]) == (21, 0, 4, 4, 28)
    assert first["Keywords"] == 0x8000000000000010
    assert first["FileTime"] == 129402940472257591
    assert first["ActivityID"] == uuid.UUID("00000100-0000-0003-193d-42fb30bbcb01")
    assert first["KernelTime"] == 677443 and first["UserTime"] == 0
    assert (first["ProcessID"], first["ThreadID"], first["ProcessorID"]) == (0, 0, 3)
    assert sum(e["RelatedActivityID"] is not None for e in evtx) == 291
    # Windows could not render the 291 Parse events (id 2) with the manifest: their Url
    # is not NUL-terminated, so the log keeps the raw user data instead of EventData
    # (ERROR_EVT_INVALID_EVENT_DATA = 15005).
    failed = [e for e in evtx if e["ProcessingErrorData"] is not None]
    assert len(failed) == 291 and {e["EventID"] for e in failed} == {2}
    assert {e["ProcessingErrorData"]["ErrorCode"] for e in failed} == {15005}
    assert {e["ProcessingErrorData"]["DataItemName"] for e in failed} == {"Url"}
    # python-evtx renders TimeCreated through a float (seconds since 1970), so its µs
    # text is off by up to 2 µs (in 1129 of the 2041 events; the first event's exact
    # ...27.2257591 is shown as .225758): the raw FileTime is the value underneath.
    for e in evtx:
        assert e["TimeCreatedText"].startswith(_python_evtx_text(e["FileTime"]))
        assert abs(_ft_datetime(e["FileTime"]) - _python_evtx_datetime(e["FileTime"])) <= dt.timedelta(microseconds=2)


def test_evtx_oracle_matches_xml_rendering():
    """Cross-check the loader with the XML rendering kept next to the log."""
    evtx = _evtx()
    xml = oracles.load_evtx_xml(EXPECTED / "tx_HTTP_Server.evtx.xml")
    assert len(xml) == len(evtx)
    for o, x in zip(evtx, xml):
        assert o["EventRecordID"] == x["EventRecordID"]
        assert str(o["EventID"]) == str(x["EventID"])
        assert (str(o["Version"]), str(o["Level"]), str(o["Task"]), str(o["Opcode"])) == (
            x["Version"], x["Level"], x["Task"], x["Opcode"])
        assert "0x%016x" % o["Keywords"] == x["Keywords"]
        assert _python_evtx_text(o["FileTime"]) == x["TimeCreated@SystemTime"]
        assert ("{%s}" % o["ActivityID"] if o["ActivityID"] else "") == x["Correlation@ActivityID"]
        assert ("{%s}" % o["RelatedActivityID"] if o["RelatedActivityID"] else "") == x["Correlation@RelatedActivityID"]
        for key in ("ProcessID", "ThreadID", "ProcessorID", "KernelTime", "UserTime"):
            assert str(o[key]) == x["Execution@" + key]
        assert o["EventData"] == x["EventData"]


def test_http_server_header_matches_tx_facts():
    _, header = _http_events()
    # ORACLE/observed (SOURCES.md section 3): StartTime and the real QPC frequency.
    assert header["start_filetime"] == 129402939974768585
    assert header["perf_freq"] == 1818300
    assert header["clock_type"] == 1
    assert header["os_version"] == "6.1.7601"
    assert header["cpu_count"] == 4
    assert header["logger_name"] == "DataCollector01"
    assert header["buffers_written"] == 36


def test_http_server_events_match_evtx():
    evtx = _evtx()
    events, _ = _http_events()
    assert events[0]["kind"] == "header"
    body = events[1:]
    assert len(body) == 2041
    assert all(e["provider_id"] == oracles.HTTP_SERVICE_GUID for e in body)
    assert collections.Counter(e["id"] for e in body) == HTTP_ID_HISTOGRAM
    # Time order (ours) == EventRecordID order (Windows'): observed, no two events of
    # this file share a timestamp, so the order is unambiguous.
    for i, (ev, o) in enumerate(zip(body, evtx)):
        where = "event %d (EventRecordID %d)" % (i, o["EventRecordID"])
        assert (ev["id"], ev["version"], ev["level"], ev["task"], ev["opcode"]) == (
            o["EventID"], o["Version"], o["Level"], o["Task"], o["Opcode"]), where
        assert ev["keyword"] == o["Keywords"], where
        assert (ev["pid"], ev["tid"]) == (o["ProcessID"], o["ThreadID"]), where
        # Win7 buffers have no PROC_INDEX flag: the CPU is byte 0x28 of the buffer
        # header, and Windows reports exactly that as ProcessorID (observed).
        assert ev["cpu"] == o["ProcessorID"], where
        assert (ev["kernel_time"], ev["user_time"]) == (o["KernelTime"], o["UserTime"]), where
        assert _guid_or_none(ev["activity_id"]) == o["ActivityID"], where
        assert _guid_or_none(ev["related_activity_id"]) == o["RelatedActivityID"], where
        # The exact 100-ns time Windows computed (etl-format.md 7.6).
        assert ev["filetime"] == o["FileTime"], where
        # time_ns may carry the sub-100-ns part of the QPC conversion; cut to 100 ns it
        # is the FILETIME.
        assert ev["time_ns"] // 100 == o["FileTime"] - FILETIME_UNIX_EPOCH, where
        assert ev["timestamp"] == _ft_datetime(o["FileTime"]), where
        assert ev["timestamp"].utcoffset() == dt.timedelta(0), where
        # Where Windows kept the raw user data (the 291 Parse events), it is ours.
        if o["ProcessingErrorData"] is not None:
            assert ev["payload"] == o["ProcessingErrorData"]["EventPayload"], where


def test_http_server_first_event_matches_tx_assertions():
    events, header = _http_events()
    ev = events[1]
    # ORACLE (microsoft/Tx EtwTest.cs, via ProcessTrace/TDH): Id 21, Version 0, Channel
    # 16, Level 4, Opcode 28, Task 4, Keyword 0x8000000000000010, ProcessId 0,
    # ThreadId 0, ProcessorTime 677443, UserDataLength 72, ActivityId, FILETIME.
    assert (ev["id"], ev["version"], ev["channel"], ev["level"], ev["opcode"], ev["task"]) == (21, 0, 16, 4, 28, 4)
    assert ev["keyword"] == 9223372036854775824
    assert (ev["pid"], ev["tid"]) == (0, 0)
    assert ev["kernel_time"] == 677443 and ev["user_time"] == 0
    assert len(ev["payload"]) == 72
    assert ev["activity_id"] == uuid.UUID("00000100-0000-0003-193d-42fb30bbcb01")
    assert ev["filetime"] == 129402940472257591
    assert ev["timestamp"] == dt.datetime(2011, 1, 23, 22, 7, 27, 225759, tzinfo=UTC)
    # Tx saw Flags 576 = 64_BIT_HEADER | PROCESSOR_INDEX; the file itself stores 0 for
    # this event (ProcessTrace adds both).  The 64-bit bit follows from the header type
    # (etl-format.md 2.4) and EXTENDED_INFO from the ext items.
    assert ev["flags"] & 0x0040 and not ev["flags"] & 0x0020
    for e in events[1:]:
        assert bool(e["flags"] & 0x0001) == (e["related_activity_id"] is not None)
    # ORACLE (HttpQueriesTest.cs): of the first 13 Parse events (id 2), 7 fall in the
    # first 1-second window (windows counted from the first event) and 6 in the next.
    t0 = events[1]["filetime"]
    windows = collections.Counter((e["filetime"] - t0) // 10**7 for e in events[1:] if e["id"] == 2)
    first13 = [(e["filetime"] - t0) // 10**7 for e in events[1:] if e["id"] == 2][:13]
    assert collections.Counter(first13) == {0: 7, 1: 6}
    assert sum(windows.values()) == 291


def test_tx_process_counts():
    """ORACLE (microsoft/Tx ProcessTest.cs): 4 ProcessStart v0, 4 ProcessStop v1, and
    2 processes whose start and stop are both in the trace (ProcessID = the payload's
    first UINT32 in both templates of manifests/tx_SystemEvents.man)."""
    etw = _etw()
    starts, stops = [], []
    with etw.open(str(CORPUS / "tx_Process.etl")) as trace:
        for ev in trace:
            if ev.kind == "header":
                continue
            if ev.id == 1:
                starts.append((ev.version, struct.unpack_from("<I", bytes(ev.payload), 0)[0]))
            elif ev.id == 2:
                stops.append((ev.version, struct.unpack_from("<I", bytes(ev.payload), 0)[0]))
    assert [v for v, _ in starts] == [0] * 4
    assert [v for v, _ in stops] == [1] * 4
    assert {p for _, p in starts} & {p for _, p in stops} == {2880, 5864}


# ---------------------------------------------------------------------------------
# WPP: message numbers per file against the tracefmt expectations.
# ---------------------------------------------------------------------------------

def test_wpp_expectations_loader():
    spec = oracles.load_wpp_expected(EXPECTED / "findneedle_wpp_expected_messages.txt")
    assert set(spec) == {p.name for p in CORPUS.glob("findneedle_wpp*-sample.etl")}
    assert spec["findneedle_wppemitter-sample.etl"]["counts"] == {10: 30, 11: 15}
    assert spec["findneedle_wppemitter-sample.etl"]["component"] == "findneedle"
    assert spec["findneedle_wppstr-sample.etl"]["total"] == 4
    assert "ip=127.0.0.1 port=80" in spec["findneedle_wpptypes2-sample.etl"]["contains"]
    assert sum(len(s["contains"]) for s in spec.values()) == 27


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("findneedle_wpp*.etl")))
def test_wpp_message_numbers(name):
    spec = oracles.load_wpp_expected(EXPECTED / "findneedle_wpp_expected_messages.txt").get(name)
    etw = _etw()
    numbers: collections.Counter = collections.Counter()
    guids = set()
    with etw.open(str(CORPUS / name)) as trace:
        for ev in trace:
            if ev.kind == "wpp":
                numbers[ev.id] += 1
                guids.add(ev.provider_id)
    # The message GUID of every record names a TMF shipped in wpp-tmf/.
    assert len(guids) == 1
    assert (CORPUS / "wpp-tmf" / ("%s.tmf" % guids.pop())).is_file()
    if spec is not None:
        for number, count in spec["counts"].items():
            assert numbers[number] == count
        if spec["total"] is not None:
            assert sum(numbers.values()) == spec["total"]
    # observed (SOURCES.md section 4): message numbers start at 10.
    assert min(numbers) == 10


# ---------------------------------------------------------------------------------
# (c), (d) PerfView GeneralParsing baselines.
# ---------------------------------------------------------------------------------

BASELINES = {
    "perfview_gcevents.etl": "perfview_gcevents.baseline.txt",
    "perfview_gcrundownevents.etl": "perfview_gcrundownevents.baseline.txt",
    "perfview_net.4.5.2.x64.etl": "perfview_net.4.5.2.x64.baseline.txt",
    "perfview_net.4.5.2.x86.etl": "perfview_net.4.5.2.x86.baseline.txt",
    "perfview_primitive-types.etl": "perfview_primitive-types.baseline.txt",
}


def _baseline(etl: str) -> Dict[str, Any]:
    return oracles.load_perfview_baseline(EXPECTED / BASELINES[etl])


def test_baseline_loader():
    b = _baseline("perfview_gcevents.etl")
    assert b["header"]["BufferSize"] == 65536 and b["header"]["SessionName"] == "PerfViewSession"
    assert b["header"]["UtcOffsetMinutes"] == 480
    assert len(b["counts"]) == 21 and sum(b["counts"].values()) == 70
    first = b["first"]["Microsoft-Windows-DotNETRuntime/Runtime/Start"]
    assert (first["time_ms"], first["pid"], first["tid"], first["cpu"], first["data_len"]) == (
        8184.674, 179596, 168672, 4, 203)
    assert first["fields"]["VMQfeNumber"] == "42,424"
    sums = {etl: (len(_baseline(etl)["events"]), len(_baseline(etl)["counts"]),
                  sum(_baseline(etl)["counts"].values())) for etl in BASELINES}
    assert sums == {
        "perfview_gcevents.etl": (52, 21, 70),
        "perfview_gcrundownevents.etl": (25, 10, 31),
        "perfview_net.4.5.2.x64.etl": (480, 152, 41386),
        "perfview_net.4.5.2.x86.etl": (503, 156, 32696),
        "perfview_primitive-types.etl": (6, 2, 6),
    }


# The header line is the TRACE_LOGFILE_HEADER as TraceEvent shows it.  (PerfView field,
# Trace.header key).  Version + ProviderVersion become os_version "major.minor.build"
# (Version byte 0 = major, byte 1 = minor: etl-format.md 1.8).
HEADER_FIELDS = [
    ("BufferSize", "buffer_size"),
    ("NumberOfProcessors", "cpu_count"),
    ("LogFileMode", "log_file_mode"),
    ("BuffersWritten", "buffers_written"),
    ("PointerSize", "pointer_size"),
    ("CPUSpeed", "cpu_speed_mhz"),
    ("PerfFreq", "perf_freq"),
    ("UtcOffsetMinutes", "timezone_bias_minutes"),
    ("EventsLost", "events_lost"),
    ("TimerResolution", "timer_resolution"),
    ("ReservedFlags", "clock_type"),
    ("MaxFileSize", "max_file_size"),  # compared only if Trace.header has it
]
HEADER_TEXT_FIELDS = [("SessionName", "logger_name"), ("LogFileName", "log_file_name")]
HEADER_TIME_FIELDS = [("StartTime", "start_time"), ("EndTime", "end_time"), ("BootTime", "boot_time")]


def _shown(value: str, full: str) -> bool:
    """PerfView cuts values to 20 characters + "..."."""
    if value.endswith("...") and len(value) == 23:
        return full.startswith(value[:20])
    return value == full


@pytest.mark.parametrize("etl", sorted(BASELINES))
def test_perfview_header_line(etl):
    base = _baseline(etl)["header"]
    header = _walk(etl)["header"]
    for pv, ours in HEADER_FIELDS:
        if pv == "MaxFileSize" and ours not in header:
            continue
        assert header[ours] == base[pv], (pv, ours)
    version = base["Version"]
    assert header["os_version"] == "%d.%d.%d" % (version & 0xFF, (version >> 8) & 0xFF, base["ProviderVersion"])
    for pv, ours in HEADER_TEXT_FIELDS:
        # (the two merged files really say "[multiple files]" in LogFileName)
        assert _shown(base[pv], header[ours]), (pv, header[ours])
    for pv, ours in HEADER_TIME_FIELDS:
        # DateTime fields are printed in UTC as yy/MM/dd HH:mm:ss.ffffff, then cut.
        when = header[ours]
        assert when.utcoffset() == dt.timedelta(0)
        assert _shown(base[pv], when.strftime("%y/%m/%d %H:%M:%S.%f")), (pv, when)
        assert when == _ft_datetime(header[ours.replace("_time", "_filetime")])


# Header-level identity of every "Provider/Event" name in the five baselines:
# (provider GUID, number), number = event id for EVENT_HEADER (manifest/TraceLogging)
# events, opcode for kernel and classic events; kernel events are keyed by their event
# class GUID (etl-format.md 2.9; Image Load is group 3 type 10 under the Image class).
#
# How this table was derived (observed): for each name, the first EVENT line's time,
# ProceNum and DataLen single out the records at that instant (ms since the header
# record, within 0.0006 ms) with that CPU and user-data length; where two kinds of
# record qualified (same instant, same size), the one whose provider matches the
# name's provider and whose total equals the COUNT line was kept (three cases:
# SysConfig/UnknownVolume vs VolumeMapping, Image/KernelBase vs Image opcode 34,
# DotNETRuntime vs DotNETRuntimePrivate GC/Mark*).  Every entry then reproduces its
# COUNT line exactly - except the two rows that TraceLog thins by payload, see
# _pv_dropped - and all 1066 printed EVENT lines line up with our stream
# (test_perfview_event_lines).
EVENT_TRACE = "68fdd900-4a3e-11d1-84f4-0000f80464e3"
DISK_IO = "3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c"
PAGE_FAULT = "3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c"
PROCESS = "3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c"
FILE_IO = "90cbdc39-4a3e-11d1-84f4-0000f80464e3"
THREAD = "3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c"
TCP_IP = "9a280ac0-c8e0-11d1-84e2-00c04fb998a2"
UDP_IP = "bf3a50c5-a9c9-4988-a005-2df0b7c80f80"
SYSTEM_CONFIG = "01853a65-418f-4f36-aefc-dc0f1d2fd235"
PERF_INFO = "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc"
IMAGE = "2cb15d1d-5fc1-11d2-abe1-00a0c911f518"
STACK_WALK = "def2fe46-7bd6-4b80-bd94-f57fe20d0ce3"
CLR = "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4"            # Microsoft-Windows-DotNETRuntime
CLR_RUNDOWN = "a669021c-c450-4609-a035-5af59af4df18"    # ...DotNETRuntimeRundown
CLR_PRIVATE = "763fd754-7086-4dfe-95eb-c01a46faf4ca"    # ...DotNETRuntimePrivate
DOTNET_EVENTSOURCE = "319dc449-ada5-50f7-428e-957db6791668"  # "DotNet" (LogFile.txt)
IMAGE_ID = "b3e675d7-2554-4f18-830b-2762732560de"       # KernelTraceControl ImageID (classic)
EVENT_METADATA = "bbccf6c1-6cd1-48c4-80ff-839482e37671"  # KernelTraceControl MetaData (classic)
SYSTEM_CONFIG_EX = "9b79ee91-b5fd-41c0-a243-4248e266e9d0"  # "Windows Kernel/SysConfig" (classic)
SOLAR_SYSTEM = "d3dd3dd4-aac2-4e2a-8dd4-a8fb61b77615"   # TraceLogging

PV_EVENTS = {
    "KernelTraceControl/ImageID": (IMAGE_ID, 0),
    "KernelTraceControl/ImageID/DbgID_ILRSDS": (IMAGE_ID, 37),
    "KernelTraceControl/ImageID/DbgID_RSDS": (IMAGE_ID, 36),
    "KernelTraceControl/ImageID/FileVersion": (IMAGE_ID, 64),
    "KernelTraceControl/ImageID/None": (IMAGE_ID, 32),
    "KernelTraceControl/MetaData/EventInfo": (EVENT_METADATA, 32),
    "KernelTraceControl/MetaData/EventMapInfo": (EVENT_METADATA, 33),
    "MSNT_SystemTrace/Image/KernelBase": (IMAGE, 33),
    "MSNT_SystemTrace/SystemConfig/Platform": (SYSTEM_CONFIG, 25),
    "Microsoft-Windows-DNS-Client/DnsServerForInterface": ("1c95126e-7eea-49a9-a3fe-a378b03ddb4d", 1001),
    "Microsoft-Windows-DotNETRuntime/AppDomainResourceManagement/ThreadCreated": (CLR, 85),
    "Microsoft-Windows-DotNETRuntime/Contention/Start": (CLR, 81),
    "Microsoft-Windows-DotNETRuntime/Contention/Stop": (CLR, 91),
    "Microsoft-Windows-DotNETRuntime/Exception/Start": (CLR, 80),
    "Microsoft-Windows-DotNETRuntime/GC/AllocationTick": (CLR, 10),
    "Microsoft-Windows-DotNETRuntime/GC/BulkMovedObjectRanges": (CLR, 22),
    "Microsoft-Windows-DotNETRuntime/GC/BulkSurvivingObjectRanges": (CLR, 21),
    "Microsoft-Windows-DotNETRuntime/GC/CreateSegment": (CLR, 5),
    "Microsoft-Windows-DotNETRuntime/GC/FinalizeObject": (CLR, 29),
    "Microsoft-Windows-DotNETRuntime/GC/FinalizersStart": (CLR, 14),
    "Microsoft-Windows-DotNETRuntime/GC/FinalizersStop": (CLR, 13),
    "Microsoft-Windows-DotNETRuntime/GC/FitBucketInfo": (CLR, 209),
    "Microsoft-Windows-DotNETRuntime/GC/GenerationRange": (CLR, 23),
    "Microsoft-Windows-DotNETRuntime/GC/GlobalHeapHistory": (CLR, 205),
    "Microsoft-Windows-DotNETRuntime/GC/HeapStats": (CLR, 4),
    "Microsoft-Windows-DotNETRuntime/GC/LOHCompact": (CLR, 208),
    "Microsoft-Windows-DotNETRuntime/GC/MarkCards": (CLR, 28),
    "Microsoft-Windows-DotNETRuntime/GC/MarkFinalizeQueueRoots": (CLR, 26),
    "Microsoft-Windows-DotNETRuntime/GC/MarkHandles": (CLR, 27),
    "Microsoft-Windows-DotNETRuntime/GC/MarkStackRoots": (CLR, 25),
    "Microsoft-Windows-DotNETRuntime/GC/MarkWithType": (CLR, 202),
    "Microsoft-Windows-DotNETRuntime/GC/PerHeapHistory": (CLR, 204),
    "Microsoft-Windows-DotNETRuntime/GC/PinObjectAtGCTime": (CLR, 33),
    "Microsoft-Windows-DotNETRuntime/GC/RestartEEStart": (CLR, 7),
    "Microsoft-Windows-DotNETRuntime/GC/RestartEEStop": (CLR, 3),
    "Microsoft-Windows-DotNETRuntime/GC/Start": (CLR, 1),
    "Microsoft-Windows-DotNETRuntime/GC/Stop": (CLR, 2),
    "Microsoft-Windows-DotNETRuntime/GC/SuspendEEStart": (CLR, 9),
    "Microsoft-Windows-DotNETRuntime/GC/SuspendEEStop": (CLR, 8),
    "Microsoft-Windows-DotNETRuntime/GC/TerminateConcurrentThread": (CLR, 12),
    "Microsoft-Windows-DotNETRuntime/GC/Triggered": (CLR, 35),
    "Microsoft-Windows-DotNETRuntime/GarbageCollection/IncreaseMemoryPressure": (CLR, 200),
    "Microsoft-Windows-DotNETRuntime/Loader/AppDomainLoad": (CLR, 156),
    "Microsoft-Windows-DotNETRuntime/Loader/AppDomainUnload": (CLR, 157),
    "Microsoft-Windows-DotNETRuntime/Loader/AssemblyLoad": (CLR, 154),
    "Microsoft-Windows-DotNETRuntime/Loader/AssemblyUnload": (CLR, 155),
    "Microsoft-Windows-DotNETRuntime/Loader/DomainModuleLoad": (CLR, 151),
    "Microsoft-Windows-DotNETRuntime/Loader/ModuleLoad": (CLR, 152),
    "Microsoft-Windows-DotNETRuntime/Loader/ModuleUnload": (CLR, 153),
    "Microsoft-Windows-DotNETRuntime/Method/JittingStarted": (CLR, 145),
    "Microsoft-Windows-DotNETRuntime/Method/LoadVerbose": (CLR, 143),
    "Microsoft-Windows-DotNETRuntime/Method/UnloadVerbose": (CLR, 144),
    "Microsoft-Windows-DotNETRuntime/Runtime/Start": (CLR, 187),
    "Microsoft-Windows-DotNETRuntime/ThreadPoolWorkerThread/Start": (CLR, 50),
    "Microsoft-Windows-DotNETRuntime/Type/BulkType": (CLR, 15),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/FusionMessage": (CLR_PRIVATE, 196),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderAssemblyInitPhaseStart": (CLR_PRIVATE, 171),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderAssemblyInitPhaseStop": (CLR_PRIVATE, 172),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderDeliverEventPhaseStart": (CLR_PRIVATE, 175),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderDeliverEventsPhaseStop": (CLR_PRIVATE, 176),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderMappingPhaseStart": (CLR_PRIVATE, 173),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderMappingPhaseStop": (CLR_PRIVATE, 174),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderPhaseStart": (CLR_PRIVATE, 165),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/LoaderPhaseStop": (CLR_PRIVATE, 166),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/NgenPhaseStart": (CLR_PRIVATE, 161),
    "Microsoft-Windows-DotNETRuntimePrivate/Binding/NgenPhaseStop": (CLR_PRIVATE, 162),
    "Microsoft-Windows-DotNETRuntimePrivate/GC/GlobalHeapHistory": (CLR_PRIVATE, 5),
    "Microsoft-Windows-DotNETRuntimePrivate/GC/MarkCards": (CLR_PRIVATE, 10),
    "Microsoft-Windows-DotNETRuntimePrivate/GC/MarkFinalizeQueueRoots": (CLR_PRIVATE, 8),
    "Microsoft-Windows-DotNETRuntimePrivate/GC/MarkHandles": (CLR_PRIVATE, 9),
    "Microsoft-Windows-DotNETRuntimePrivate/GC/MarkStackRoots": (CLR_PRIVATE, 7),
    "Microsoft-Windows-DotNETRuntimePrivate/GC/PerHeapHistory": (CLR_PRIVATE, 4),
    "Microsoft-Windows-DotNETRuntimePrivate/GC/Settings": (CLR_PRIVATE, 2),
    "Microsoft-Windows-DotNETRuntimePrivate/NgenBinder/NgenBind": (CLR_PRIVATE, 188),
    "Microsoft-Windows-DotNETRuntimeRundown/GC/SettingsRundown": (CLR_RUNDOWN, 10),
    "Microsoft-Windows-DotNETRuntimeRundown/Loader/AppDomainDCStop": (CLR_RUNDOWN, 158),
    "Microsoft-Windows-DotNETRuntimeRundown/Loader/AssemblyDCStop": (CLR_RUNDOWN, 156),
    "Microsoft-Windows-DotNETRuntimeRundown/Loader/DomainModuleDCStop": (CLR_RUNDOWN, 152),
    "Microsoft-Windows-DotNETRuntimeRundown/Loader/ModuleDCStop": (CLR_RUNDOWN, 154),
    "Microsoft-Windows-DotNETRuntimeRundown/Method/DCStopComplete": (CLR_RUNDOWN, 146),
    "Microsoft-Windows-DotNETRuntimeRundown/Method/DCStopInit": (CLR_RUNDOWN, 148),
    "Microsoft-Windows-DotNETRuntimeRundown/Runtime/Start": (CLR_RUNDOWN, 187),
    "Microsoft-Windows-DotNETRuntimeRundown/TieredCompilationRundown/SettingsDCStart": (CLR_RUNDOWN, 280),
    "Microsoft-Windows-Immersive-Shell/ImmersiveShellAppManagerOnShellHookMessage/Start": ("315a8872-923e-4ea2-9889-33cd4754bf64", 191),
    "Microsoft-Windows-Immersive-Shell/ImmersiveShellAppManagerOnShellHookMessage/Stop": ("315a8872-923e-4ea2-9889-33cd4754bf64", 192),
    "Microsoft-Windows-Immersive-Shell/ImmersiveShellAppManagerSetActiveProcess/Start": ("315a8872-923e-4ea2-9889-33cd4754bf64", 147),
    "Microsoft-Windows-Immersive-Shell/ImmersiveShellAppManagerSetActiveProcess/Stop": ("315a8872-923e-4ea2-9889-33cd4754bf64", 148),
    "Microsoft-Windows-Kernel-EventTracing/ETW_TASK_PROVIDER/ETW_OPCODE_ENABLE": ("b675ec37-bdb6-4648-bc92-f3fdc74d3ca2", 14),
    "Microsoft-Windows-Kernel-EventTracing/ETW_TASK_PROVIDER/ETW_OPCODE_REGISTER": ("b675ec37-bdb6-4648-bc92-f3fdc74d3ca2", 8),
    "Microsoft-Windows-Kernel-EventTracing/ETW_TASK_PROVIDER/ETW_OPCODE_UNREGISTER": ("b675ec37-bdb6-4648-bc92-f3fdc74d3ca2", 9),
    "Microsoft-Windows-Kernel-File/Create": ("edd08927-9cc4-4e65-b970-c2560fb5c289", 12),
    "Microsoft-Windows-Kernel-Process/ProcessStart/Start": ("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", 1),
    "Microsoft-Windows-Kernel-Process/ProcessStop/Stop": ("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", 2),
    "PerfView/ClrEnableParameters": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 13),
    "PerfView/CommandLineParameters": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 10),
    "PerfView/KernelEnableParameters": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 12),
    "PerfView/ManifestData": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 65534),
    "PerfView/PerfViewLog": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 22),
    "PerfView/ProviderEnableParameters": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 14),
    "PerfView/Rundown/Start": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 4),
    "PerfView/Rundown/Stop": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 5),
    "PerfView/SessionParameters": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 11),
    "PerfView/StartAndStopTimes": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 15),
    "PerfView/StopReason": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 19),
    "PerfView/Tracing/Start": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 2),
    "PerfView/Tracing/Stop": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 3),
    "PerfView/WaitForIdle": ("a8a71ac1-040f-54a2-07ca-00a89b5ab761", 6),
    "System.Diagnostics.Eventing.FrameworkEventSource/ManifestData": ("8e9f5090-2d75-4d03-8a81-e5afbf85daf1", 65534),
    "System.Diagnostics.Eventing.FrameworkEventSource/ThreadPoolDequeueWork": ("8e9f5090-2d75-4d03-8a81-e5afbf85daf1", 31),
    "System.Diagnostics.Eventing.FrameworkEventSource/ThreadPoolEnqueueWork": ("8e9f5090-2d75-4d03-8a81-e5afbf85daf1", 30),
    "System.Threading.Tasks.TplEventSource/ManifestData": ("2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5", 65534),
    "System.Threading.Tasks.TplEventSource/TaskExecute/Start": ("2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5", 8),
    "System.Threading.Tasks.TplEventSource/TaskExecute/Stop": ("2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5", 9),
    "System.Threading.Tasks.TplEventSource/TaskScheduled/Send": ("2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5", 7),
    "Windows Kernel/DiskIO/FlushBuffers": (DISK_IO, 14),
    "Windows Kernel/DiskIO/FlushInit": (DISK_IO, 15),
    "Windows Kernel/DiskIO/Read": (DISK_IO, 10),
    "Windows Kernel/DiskIO/ReadInit": (DISK_IO, 12),
    "Windows Kernel/DiskIO/Write": (DISK_IO, 11),
    "Windows Kernel/DiskIO/WriteInit": (DISK_IO, 13),
    "Windows Kernel/EventTrace": (EVENT_TRACE, 0),
    "Windows Kernel/EventTrace/EndExtension": (EVENT_TRACE, 32),
    "Windows Kernel/EventTrace/Extension": (EVENT_TRACE, 5),
    "Windows Kernel/EventTrace/RundownComplete": (EVENT_TRACE, 8),
    "Windows Kernel/Image/DCStart": (IMAGE, 3),
    "Windows Kernel/Image/DCStop": (IMAGE, 4),
    "Windows Kernel/Image/Load": (IMAGE, 10),
    "Windows Kernel/Image/Unload": (IMAGE, 2),
    "Windows Kernel/Memory/HardFault": (PAGE_FAULT, 32),
    "Windows Kernel/PerfInfo/CollectionEnd": (PERF_INFO, 74),
    "Windows Kernel/PerfInfo/CollectionStart": (PERF_INFO, 73),
    "Windows Kernel/PerfInfo/Sample": (PERF_INFO, 46),
    "Windows Kernel/Process/DCStart": (PROCESS, 3),
    "Windows Kernel/Process/DCStop": (PROCESS, 4),
    "Windows Kernel/Process/Defunct": (PROCESS, 39),
    "Windows Kernel/Process/PerfCtr": (PROCESS, 32),
    "Windows Kernel/Process/PerfCtrRundown": (PROCESS, 33),
    "Windows Kernel/Process/Start": (PROCESS, 1),
    "Windows Kernel/Process/Stop": (PROCESS, 2),
    "Windows Kernel/SysConfig/BuildInfo": (SYSTEM_CONFIG_EX, 32),
    "Windows Kernel/SysConfig/Opcode(37)": (SYSTEM_CONFIG_EX, 37),
    "Windows Kernel/SysConfig/SystemPaths": (SYSTEM_CONFIG_EX, 33),
    "Windows Kernel/SysConfig/UnknownVolume": (SYSTEM_CONFIG_EX, 34),
    "Windows Kernel/SysConfig/VolumeMapping": (SYSTEM_CONFIG_EX, 35),
    "Windows Kernel/SystemConfig/CPU": (SYSTEM_CONFIG, 10),
    "Windows Kernel/SystemConfig/IDEChannel": (SYSTEM_CONFIG, 23),
    "Windows Kernel/SystemConfig/LogDisk": (SYSTEM_CONFIG, 12),
    "Windows Kernel/SystemConfig/NIC": (SYSTEM_CONFIG, 13),
    "Windows Kernel/SystemConfig/Network": (SYSTEM_CONFIG, 17),
    "Windows Kernel/SystemConfig/PhyDisk": (SYSTEM_CONFIG, 11),
    "Windows Kernel/SystemConfig/PnP": (SYSTEM_CONFIG, 22),
    "Windows Kernel/SystemConfig/Power": (SYSTEM_CONFIG, 16),
    "Windows Kernel/SystemConfig/Services": (SYSTEM_CONFIG, 15),
    "Windows Kernel/TcpIp/Accept": (TCP_IP, 15),
    "Windows Kernel/TcpIp/Disconnect": (TCP_IP, 13),
    "Windows Kernel/TcpIp/Recv": (TCP_IP, 11),
    "Windows Kernel/TcpIp/RecvIPV6": (TCP_IP, 27),
    "Windows Kernel/TcpIp/Send": (TCP_IP, 10),
    "Windows Kernel/TcpIp/SendIPV6": (TCP_IP, 26),
    "Windows Kernel/Thread/Start": (THREAD, 1),
    "Windows Kernel/Thread/Stop": (THREAD, 2),
    "Windows Kernel/UdpIp/Recv": (UDP_IP, 11),
    "Windows Kernel/UdpIp/RecvIPV6": (UDP_IP, 27),
    "Windows Kernel/UdpIp/Send": (UDP_IP, 10),
    "Windows Kernel/UdpIp/SendIPV6": (UDP_IP, 26),
    "solar_system/PrimitiveTypesTest": (SOLAR_SYSTEM, 0),
}

# Records the baselines do not show, by the reason TraceEvent/GeneralParsing has for
# leaving them out.  A record is matched by (provider GUID, number) as in PV_EVENTS.
#   * TraceLog (the ETLX conversion GeneralParsing reads from) consumes "bookkeeping"
#     events into its own tables and never dispatches them (microsoft/perfview
#     src/TraceEvent/TraceLog.cs, `bookKeepingEvent = true`).
#   * GeneralParsing drops every event whose provider is "MSNT_SystemTrace" except
#     SystemConfig/Platform and Image/KernelBase: that is the name the OS's MOF classes
#     give kernel events for which TraceEvent's own kernel parser registers no template
#     (KernelTraceEventParser.cs has none for these four (class, opcode) pairs).
#   * It also drops the "DotNet" EventSource and dynamically decoded
#     DotNETRuntimePrivate events (none occur in these five files).
PV_NOT_DISPATCHED = [
    ("TraceLog: kernel StackWalk events become its stack table",
     lambda p, n: p == STACK_WALK),
    ("TraceLog: FileIO Name/FileCreate/FileDelete/FileRundown feed its file-name table",
     lambda p, n: p == FILE_IO and n in (0, 32, 35, 36)),
    ("TraceLog: Thread DCStart/DCStop rundown only fill its thread table",
     lambda p, n: p == THREAD and n in (3, 4)),
    ("TraceLog: CLR ClrStackWalk (id 82) becomes stacks",
     lambda p, n: (p, n) == (CLR, 82)),
    ("TraceLog: CLR MethodILToNativeMap (id 190) feeds its IL maps",
     lambda p, n: (p, n) == (CLR, 190)),
    ("TraceLog: rundown MethodDCStopVerbose (144) / MethodDCStopILToNativeMap (150) feed its method tables",
     lambda p, n: p == CLR_RUNDOWN and n in (144, 150)),
    ("GeneralParsing: MSNT_SystemTrace (EventTrace 80, SystemConfig 18/28, Image 34)",
     lambda p, n: (p, n) in ((EVENT_TRACE, 80), (SYSTEM_CONFIG, 18), (SYSTEM_CONFIG, 28), (IMAGE, 34))),
    ("GeneralParsing: the DotNet EventSource",
     lambda p, n: p == DOTNET_EVENTSOURCE),
]


def _pv_not_dispatched(provider: str, number: int) -> Optional[str]:
    for reason, match in PV_NOT_DISPATCHED:
        if match(provider, number):
            return reason
    return None


class PvRecord(NamedTuple):
    provider: str
    number: int
    kind: str
    header_type: int
    pid: int
    tid: int
    cpu: int
    filetime: int
    data_len: int
    pointer_size: int
    payload: bytes  # kept only where a rule below reads it


# Records whose payload a rule reads (small in number, except the CPU samples whose
# payload is 16 bytes).
def _pv_keep_payload(provider: str, number: int) -> bool:
    return provider in (THREAD, PROCESS, IMAGE) or (provider, number) in (
        (PERF_INFO, 46), (CLR, 143), (SYSTEM_CONFIG, 15))


@functools.lru_cache(maxsize=None)
def _pv_events(etl: str) -> Tuple[Tuple[PvRecord, ...], Dict[str, Any]]:
    etw = _etw()
    out = []
    with etw.open(str(CORPUS / etl)) as trace:
        for ev in trace:
            provider = str(ev.provider_id)
            number = ev.id if ev.kind in ("manifest", "tracelogging") else ev.opcode
            payload = bytes(ev.payload)
            out.append(PvRecord(provider, number, ev.kind, ev.header_type, ev.pid, ev.tid,
                                ev.cpu, ev.filetime, len(payload), ev.pointer_size,
                                payload if _pv_keep_payload(provider, number) else b""))
        header = dict(trace.header)
    return tuple(out), header


def _pv_dropped(r: PvRecord) -> Optional[str]:
    """Why TraceLog drops this one record of an otherwise dispatched kind, or None.

    Both rules read the payload (offsets from TraceEvent's parsers):
    * PerfInfo SampledProfile (opcode 46): InstructionPointer (pointer), ThreadId u32,
      Count u16, then a flags byte (bit 0 ExecutingDPC, bit 1 ExecutingISR).  TraceLog
      removes samples of the idle thread (ThreadId 0) unless they run a DPC or ISR.
    * CLR MethodLoadVerbose (id 143): MethodFlags u32 at offset 32 (after MethodID,
      ModuleID, MethodStartAddress u64, MethodSize u32, MethodToken u32).  TraceLog
      keeps only dynamic (bit 0) or jitted (bit 3) methods; the others are bookkeeping.
    """
    if (r.provider, r.number) == (PERF_INFO, 46):
        ps = r.pointer_size
        (thread_id,) = struct.unpack_from("<I", r.payload, ps)
        if thread_id == 0 and not r.payload[ps + 6] & 3:
            return "TraceLog: idle-thread CPU sample"
    if (r.provider, r.number) == (CLR, 143):
        (flags,) = struct.unpack_from("<I", r.payload, 32)
        if not flags & 0x9:
            return "TraceLog: MethodLoadVerbose of a method neither dynamic nor jitted"
    return None


def test_pv_events_table_is_one_to_one():
    keys = list(PV_EVENTS.values())
    assert len(keys) == len(set(keys))
    names = set()
    for etl in BASELINES:
        names |= set(_baseline(etl)["counts"])
    assert names == set(PV_EVENTS)
    for key in keys:
        assert _pv_not_dispatched(*key) is None


@pytest.mark.parametrize("etl", sorted(BASELINES))
def test_perfview_counts(etl):
    """Every COUNT line equals our count of that (provider, number); every record we
    read is either counted there or left out for a reason named above."""
    base = _baseline(etl)
    records, _ = _pv_events(etl)
    name_of = {PV_EVENTS[name]: name for name in base["counts"]}
    counted: collections.Counter = collections.Counter()
    dropped: collections.Counter = collections.Counter()
    left_out: collections.Counter = collections.Counter()
    unexplained: collections.Counter = collections.Counter()
    for r in records:
        name = name_of.get((r.provider, r.number))
        if name is not None:
            reason = _pv_dropped(r)
            if reason is None:
                counted[name] += 1
            else:
                dropped[reason] += 1
        else:
            reason = _pv_not_dispatched(r.provider, r.number)
            if reason is None:
                unexplained[(r.provider, r.number)] += 1
            else:
                left_out[reason] += 1
    assert not unexplained, "records PerfView neither counts nor is known to drop: %r" % unexplained
    assert dict(counted) == base["counts"]
    assert len(records) == sum(base["counts"].values()) + sum(dropped.values()) + sum(left_out.values()), (
        dropped, left_out)


def _count(etl: str, provider: str, number: Optional[int] = None) -> int:
    records, _ = _pv_events(etl)
    return sum(1 for r in records if r.provider == provider and (number is None or r.number == number))


def _sum_counts(etl: str, prefix: str) -> int:
    return sum(n for name, n in _baseline(etl)["counts"].items() if name.startswith(prefix))


def test_perfview_gcevents_clr_total():
    # All 69 CLR events are counted; 70 = + the logfile header ("Windows Kernel/EventTrace").
    # The second SYSTEM64 record (EventTrace opcode 80) is MSNT_SystemTrace, dropped.
    assert _count("perfview_gcevents.etl", CLR) == 69
    assert _sum_counts("perfview_gcevents.etl", "Microsoft-Windows-DotNETRuntime/") == 69
    assert _baseline("perfview_gcevents.etl")["counts"]["Windows Kernel/EventTrace"] == 1


def test_perfview_gcrundown_method_dcstop_verbose():
    # 110 rundown events; the 80 MethodDCStopVerbose (id 144) are TraceLog bookkeeping.
    etl = "perfview_gcrundownevents.etl"
    assert _count(etl, CLR_RUNDOWN) == 110
    assert _count(etl, CLR_RUNDOWN, 144) == 80
    assert _sum_counts(etl, "Microsoft-Windows-DotNETRuntimeRundown/") == 110 - 80


def test_perfview_x64_imageid_and_diskio():
    etl = "perfview_net.4.5.2.x64.etl"
    # SOURCES.md: KernelTraceControl/ImageID* = 3590 + 44 + 3534 + 705 + 12 = 7885 classic
    # events of the ImageID class.
    assert _sum_counts(etl, "KernelTraceControl/ImageID") == 7885
    assert _count(etl, IMAGE_ID) == 7885
    # Windows Kernel/DiskIO/Read = DiskIo class (group 1) opcode 10.
    assert _baseline(etl)["counts"]["Windows Kernel/DiskIO/Read"] == 1208
    assert _count(etl, DISK_IO, 10) == 1208


@pytest.mark.parametrize("etl, samples, idle", [
    # observed: SampledProfile records, of which idle-thread samples without DPC/ISR.
    ("perfview_net.4.5.2.x64.etl", 79528, 73208),
    ("perfview_net.4.5.2.x86.etl", 88809, 81999),
])
def test_perfview_cpu_samples_leave_out_the_idle_thread(etl, samples, idle):
    records, _ = _pv_events(etl)
    ours = [r for r in records if (r.provider, r.number) == (PERF_INFO, 46)]
    assert len(ours) == samples
    assert sum(1 for r in ours if _pv_dropped(r)) == idle
    assert _baseline(etl)["counts"]["Windows Kernel/PerfInfo/Sample"] == samples - idle


def _pv_ids(name: str, r: PvRecord) -> Tuple[Optional[int], Optional[int]]:
    """The (PID, TID) PerfView prints for record r where the record determines it.

    Everything except TraceEvent's own "Windows Kernel" events shows the record header
    values.  For kernel events TraceEvent reports the subject instead (read from the
    payload: Thread ProcessId/TThreadId at 0/4, Process ProcessId after the
    UniqueProcessKey pointer, Image ProcessId after ImageBase and ImageSize, SystemConfig
    Services ProcessId at 0), and PERFINFO records carry no ids at all (it attributes
    them from its thread table) - None where nothing in the record says.
    """
    if not name.startswith("Windows Kernel/") or r.provider == EVENT_TRACE:
        return r.pid, r.tid
    if r.header_type in (PERFINFO32, PERFINFO64):
        return None, None
    p, ps = r.payload, r.pointer_size
    u32 = lambda off: struct.unpack_from("<I", p, off)[0]  # noqa: E731
    if r.provider == THREAD:
        return u32(0), u32(4)
    if r.provider == PROCESS:
        return u32(ps), None
    if r.provider == IMAGE:
        return u32(2 * ps), None
    if (r.provider, r.number) == (SYSTEM_CONFIG, 15):
        return u32(0), r.tid
    return r.pid, r.tid


@pytest.mark.parametrize("etl", sorted(BASELINES))
def test_perfview_event_lines(etl):
    """Each printed EVENT line (the first <= 5 of every name) is the next record of
    that name in our time-ordered stream: same time (ms since the logfile header,
    "n3" rounding), ProceNum == cpu, DataLen == len(payload), and PID/TID."""
    base = _baseline(etl)
    records, header = _pv_events(etl)
    start = header["start_filetime"]
    by_key: Dict[Tuple[str, int], List[PvRecord]] = collections.defaultdict(list)
    for r in records:
        if _pv_dropped(r) is None:
            by_key[(r.provider, r.number)].append(r)
    seen: collections.Counter = collections.Counter()
    assert base["events"][0]["name"] == "Windows Kernel/EventTrace"
    assert records[0].kind == "header" and (records[0].provider, records[0].number) == (EVENT_TRACE, 0)
    for line in base["events"]:
        name = line["name"]
        r = by_key[PV_EVENTS[name]][seen[name]]
        seen[name] += 1
        where = "%s line %d (%s)" % (BASELINES[etl], line["line"], name)
        assert abs((r.filetime - start) / 1e4 - line["time_ms"]) <= 0.001, where
        assert r.cpu == line["cpu"], where
        assert r.data_len == line["data_len"], where
        pid, tid = _pv_ids(name, r)
        if pid is not None:
            assert _u32(pid) == _u32(line["pid"]), where
        if tid is not None:
            assert _u32(tid) == _u32(line["tid"]), where
    assert sum(seen.values()) == len(base["events"])
