"""Manifest-based events decoded from user-given schemas (issue 4).

Covers the manifest loader (etw/_manifest.py), the TRACE_EVENT_INFO /
EVENT_MAP_INFO interchange (etw/_tei.py), the ``etw.schemas.Schemas``
registry (lazy directories, priority, schema packs, in-band EventSource
manifests) and the oracles of the corpus:

* tx_HTTP_Server.etl + tx_HTTP_Server.man against Windows' own EVTX conversion
  (every EventData value of all 2041 events, and the raw payload of the 291
  events Windows could not render);
* tx_Process.etl / tx_KernelNetwork.etl with the Windows component manifest
  tx_SystemEvents.man and with the Kernel-Process dump, krabsetw_powershell.etl
  with the PowerShell dump (every payload used up exactly);
* perfview_gcevents.etl + perfview_ClrEtwAll.man against PerfView's baseline;
* the in-band EventSource manifests of perfview_net.4.5.2.x64/x86.etl against
  PerfView's baselines (opened with no schemas=), and tx_BondEtwSample.etl;
* priority: the trace's own schemas (in-band, injected) replace a user's one
  registered for the same event, also when they come late in the trace;
* schema packs exported for a trace decode it as its manifests do.

Many tests register the schemas explicitly with ``etw.schemas.provide`` and
skip when this build decodes no properties at all;
``test_lazy_provide_through_open`` checks the binding's own call of
``provide`` (the lazy path).
"""

from __future__ import annotations

import base64
import collections
import datetime as _dt
import ipaddress
import os
import struct
import uuid
from collections import Counter

import pytest

import etw
from etw import _etw
from etw._manifest import ManifestError, parse_manifest
from etw._tei import (
    MAP_BITMAP,
    PROP_FIXED_COUNT,
    PROP_FIXED_LENGTH,
    PROP_PARAM_COUNT,
    PROP_PARAM_LENGTH,
    PROP_STRUCT,
    EventMap,
    EventSchema,
    Prop,
    pack_emi_record,
    pack_tei,
    parse_emi_record,
    parse_tei,
)
from etw.schemas import (
    PACK_MAGIC,
    Schemas,
    format_message,
    provide,
    read_pack,
    reassemble_inband,
    write_pack,
)

import oracles

HTTP = uuid.UUID("dd5ef90a-6398-47a4-ad34-4dcecdef795f")
KPROC = uuid.UUID("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716")
KNET = uuid.UUID("7dd42a49-5329-4832-8dfd-43d979153a88")
PSH = uuid.UUID("a0c1853b-5c40-4b15-8766-3cf1c58f985a")
CLR = uuid.UUID("e13c0d23-ccbc-4e12-931b-d9cc2eee27e4")
TPL = uuid.UUID("2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5")
FRAMEWORK = uuid.UUID("8e9f5090-2d75-4d03-8a81-e5afbf85daf1")
PERFVIEW = uuid.UUID("a8a71ac1-040f-54a2-07ca-00a89b5ab761")
TXBOND = uuid.UUID("4f8f06bf-8261-4099-ae5f-07c54bbcfab3")
EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")


def _path(corpus_dir, *parts):
    p = os.path.join(corpus_dir, *parts)
    if not os.path.exists(p):
        pytest.skip("%s is not in the corpus" % os.path.join(*parts))
    return p


def _manifest(corpus_dir, name):
    return _path(corpus_dir, "manifests", name)


def _decoded(trace, pred):
    """Events matching pred, skipping the test when this build decodes none."""
    evs = [ev for ev in trace if pred(ev)]
    if evs and all(len(ev) == 0 for ev in evs if ev.payload):
        pytest.skip("this build of etw._etw decodes no event properties yet")
    return evs


# ------------------------------------------------------------------ TEI / EMI

def test_tei_parse_pack_injected_tdh_blobs(corpus_dir):
    """The TDH blobs a merged trace carries (EventMetadata opcode 32/33) parse
    and re-pack to blobs that parse to the same content."""
    path = _path(corpus_dir, "perfview_net.4.5.2.x64.etl")
    teis, emis = [], []
    for ev in etw.open(path, order="file"):
        if ev.provider_id == EVENT_METADATA:
            (teis if ev.opcode == 32 else emis).append(bytes(ev.payload))
    assert (len(teis), len(emis)) == (61, 24)
    dns = None
    for blob in teis:
        s = parse_tei(blob)
        assert parse_tei(pack_tei(s)) == s
        if s.provider_name == "Microsoft-Windows-DNS-Client" and s.id == 1001:
            dns = s
    for blob in emis:
        m = parse_emi_record(blob)
        assert parse_emi_record(pack_emi_record(m)) == m
    # etl-format.md 6: DNS-Client 1001, Address takes its length from AddressLength.
    assert dns is not None and dns.task_name == "DnsServerForInterface"
    assert [p.name for p in dns.props] == ["Interface", "TotalServerCount", "Index",
                                           "DynamicAddress", "AddressLength", "Address"]
    addr = dns.props[5]
    assert (addr.flags, addr.length, addr.in_type, addr.out_type) == (PROP_PARAM_LENGTH, 4, 14, 25)
    assert dns.props[3].map_name == "DnsIpTypeMap"


def test_tei_canonical_layout_exact():
    s = EventSchema(provider_id=uuid.UUID("00000000-0000-0000-0000-000000000001"), id=7,
                    version=2, channel=16, level=4, opcode=1, task=3, keyword=0x8000000000000001,
                    provider_name="P", level_name="L", keyword_names=["K1", "K2"],
                    event_message="m %1", template_flags=1, top_count=2,
                    props=[Prop("a", 8, 8, length=4),
                           Prop("b", 1, 1, flags=PROP_PARAM_LENGTH, length=0, map_name="M")])
    blob = pack_tei(s)
    # Header 0x70, two 24-byte properties, then the strings in canonical order.
    assert len(blob) == 0x70 + 48 + 2 * (2 + 2 + 3 + 3 + 1 + 5 + 2 + 2 + 2)
    o_provider, o_level, o_channel, o_kw = struct.unpack_from("<4I", blob, 52)
    assert (o_provider, o_level, o_channel, o_kw) == (0xA0, 0xA4, 0, 0xA8)
    assert blob[0xA8:0xB6] == "K1\0K2\0\0".encode("utf-16-le")
    assert struct.unpack_from("<3I", blob, 100) == (2, 2, 1)
    assert parse_tei(blob) == s
    m = EventMap(provider_id=s.provider_id, name="M", flags=MAP_BITMAP,
                 entries=[(1, "one"), (4, "four")])
    rec = pack_emi_record(m)
    assert rec[:16] == s.provider_id.bytes_le
    assert struct.unpack_from("<4I", rec, 16) == (32, MAP_BITMAP, 2, 0)
    assert parse_emi_record(rec) == m


# ------------------------------------------------------------------ manifests

def test_manifest_http_descriptors_match_the_trace(corpus_dir):
    """Every event of tx_HTTP_Server.etl has the descriptor the manifest
    resolves: level, opcode, task, channel value and the keyword including the
    channel bit mc.exe adds (first event: 0x8000000000000010)."""
    pms = parse_manifest(open(_manifest(corpus_dir, "tx_HTTP_Server.man"), "rb").read())
    assert [(p.name, p.guid) for p in pms] == [("Microsoft-Windows-HttpService", HTTP)]
    pm = pms[0]
    assert (len(pm.events), len(pm.maps), pm.warnings) == (85, 3, [])
    by_key = {(s.id, s.version): s for s in pm.schemas()}
    n = 0
    for ev in etw.open(_path(corpus_dir, "tx_HTTP_Server.etl")):
        if ev.kind != "manifest":
            continue
        s = by_key[(ev.id, ev.version)]
        assert (ev.channel, ev.level, ev.opcode, ev.task, ev.keyword) == \
            (s.channel, s.level, s.opcode, s.task, s.keyword)
        n += 1
    assert n == 2041
    s21 = by_key[(21, 0)]
    assert (s21.channel, s21.level, s21.opcode, s21.task, s21.keyword) == \
        (16, 4, 28, 4, 0x8000000000000010)
    assert s21.channel_name == "Microsoft-Windows-HttpService/Trace"
    assert s21.level_name == "Information"
    assert [p.name for p in s21.props] == ["ConnectionObj", "LocalAddrLength", "LocalAddr",
                                           "RemoteAddrLength", "RemoteAddr"]
    local = s21.props[2]
    assert (local.in_type, local.out_type, local.flags, local.length) == (14, 25,
                                                                         PROP_PARAM_LENGTH, 1)


def test_manifest_component_manifest_with_build_variables(corpus_dir):
    """tx_SystemEvents.man is a Windows component manifest (<assembly>, with
    unexpanded $(build.*) variables): its providers sit under
    <assembly><instrumentation>."""
    pms = parse_manifest(open(_manifest(corpus_dir, "tx_SystemEvents.man"), "rb").read())
    assert len(pms) == 33
    names = {p.guid: p.name for p in pms}
    assert names[KPROC] == "Microsoft-Windows-Kernel-Process"
    assert names[KNET] == "Microsoft-Windows-Kernel-Network"
    assert sum(len(p.events) for p in pms) == 450
    assert [w for p in pms for w in p.warnings] == []
    kp = next(p for p in pms if p.guid == KPROC)
    start = next(s for s in kp.schemas() if (s.id, s.version) == (1, 0))
    assert [p.name for p in start.props] == ["ProcessID", "CreateTime", "ParentProcessID",
                                             "SessionID", "ImageName"]
    assert (start.task_name, start.opcode_name) == ("ProcessStart", "Start")


def test_manifest_structs_counts_and_references(corpus_dir):
    """BulkType of the CLR manifest: a struct array counted by an earlier
    property, members after the top level, references as absolute indexes -
    the same layout TDH injected into perfview_net.4.5.2.x64.etl for it."""
    pms = parse_manifest(open(_manifest(corpus_dir, "perfview_ClrEtwAll.man"), "rb").read())
    assert [p.name for p in pms] == ["Microsoft-Windows-DotNETRuntime",
                                     "Microsoft-Windows-DotNETRuntimeRundown",
                                     "Microsoft-Windows-DotNETRuntimeStress",
                                     "Microsoft-Windows-DotNETRuntimePrivate"]
    clr = pms[0]
    bulk = next(s for s in clr.schemas() if (s.id, s.version) == (15, 0))
    assert bulk.top_count == 3 and len(bulk.props) == 11
    values = bulk.props[2]
    assert (values.name, values.flags, values.count, values.struct_start, values.struct_count) \
        == ("Values", PROP_STRUCT | PROP_PARAM_COUNT, 0, 3, 8)
    tp = bulk.props[10]
    assert (tp.name, tp.flags, tp.count, tp.in_type) == ("TypeParameters", PROP_PARAM_COUNT, 9, 10)
    assert bulk.props[6].map_name == "TypeFlagsMap"
    assert bulk.event_guid == uuid.UUID("003e5a9b-4757-4d3e-b4a1-e47bfb489408")
    assert bulk.template_flags == 2  # the template has <UserData>
    # Names as TDH reports them: message texts.
    tick = next(s for s in clr.schemas() if (s.id, s.version) == (10, 3))
    assert (tick.task_name, tick.opcode_name, tick.level_name, tick.keyword_names) == \
        ("GC", "AllocationTick", "Verbose", ["GC"])
    assert tick.event_message.startswith("Amount=%1;%nKind=%2;")  # FormatMessage syntax kept
    raw = parse_manifest(open(_manifest(corpus_dir, "perfview_ClrEtwAll.man"), "rb").read(),
                         localize=False)[0]
    tick_raw = next(s for s in raw.schemas() if (s.id, s.version) == (10, 3))
    assert (tick_raw.task_name, tick_raw.opcode_name, tick_raw.level_name,
            tick_raw.keyword_names) == ("GarbageCollection", "GCAllocationTick", "win:Verbose",
                                        ["GCKeyword"])
    stack = next(s for s in clr.schemas() if (s.id, s.version) == (82, 0))
    assert (stack.props[4].name, stack.props[4].flags, stack.props[4].count) == \
        ("Stack", PROP_FIXED_COUNT, 2)


def test_manifest_inline_text_and_errors():
    text = """<?xml version="1.0" encoding="utf-8"?>
<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
 <instrumentation><events>
  <provider name="T" guid="{11111111-2222-3333-4444-555555555555}" symbol="T">
   <channels><channel name="T/Operational" chid="op" type="Operational"/></channels>
   <maps><bitMap name="Flags"><map value="0x4" message="$(string.f4)"/>
          <map value="0x1" message="$(string.f1)"/></bitMap></maps>
   <templates><template tid="t">
     <data name="n" inType="win:UInt16"/>
     <data name="s" inType="win:UnicodeString" count="n"/>
     <data name="b" inType="win:Binary" length="6" outType="xs:hexBinary"/>
     <data name="f" inType="win:UInt32" map="Flags"/>
     <struct name="pairs" count="2"><data name="x" inType="win:Int8"/>
       <data name="y" inType="win:AnsiString" length="x"/></struct>
   </template></templates>
   <events><event value="5" version="1" template="t" channel="op" level="win:Warning"
           opcode="win:Stop" keywords="win:ResponseTime" message="$(string.msg)"/></events>
  </provider></events></instrumentation>
 <localization><resources culture="en-US"><stringTable>
  <string id="f1" value="One"/><string id="f4" value="Four"/>
  <string id="msg" value="got %1&#10;and %2"/>
 </stringTable></resources></localization>
</instrumentationManifest>"""
    (pm,) = parse_manifest(text)
    (s,) = pm.schemas()
    assert (s.id, s.version, s.channel, s.level, s.opcode) == (5, 1, 16, 3, 2)
    assert s.keyword == 0x8001000000000000
    assert (s.channel_name, s.level_name, s.opcode_name, s.keyword_names) == \
        ("T/Operational", "Warning", "Stop", ["Response Time"])
    assert s.event_message == "got %1\r\nand %2"
    assert [(p.name, p.flags, p.count, p.length) for p in s.props] == [
        ("n", 0, 1, 2), ("s", PROP_PARAM_COUNT, 0, 0), ("b", PROP_FIXED_LENGTH, 1, 6),
        ("f", 0, 1, 4), ("pairs", PROP_STRUCT | PROP_FIXED_COUNT, 2, 0), ("x", 0, 1, 1),
        ("y", PROP_PARAM_LENGTH, 1, 5)]
    assert (s.props[4].struct_start, s.props[4].struct_count, s.top_count) == (5, 2, 5)
    (m,) = pm.maps
    assert (m.name, m.flags, m.entries) == ("Flags", MAP_BITMAP, [(1, "One"), (4, "Four")])
    bad = text.replace('count="n"', 'count="later"')
    (pm2,) = parse_manifest(bad)
    assert pm2.events == [] and "refers to 'later'" in pm2.warnings[0]
    with pytest.raises(ManifestError):
        parse_manifest("<notxml")
    with pytest.raises(ManifestError):
        parse_manifest("<root/>")


# ------------------------------------------------------------------ Schemas

def test_schemas_directory_is_lazy_and_first_wins(corpus_dir, tmp_path):
    mdir = _path(corpus_dir, "manifests")
    s = Schemas(mdir)
    assert repr(s) == "<etw.Schemas 0 schemas of 0 providers, 5 files not read yet>"
    assert HTTP in s
    # Only the file describing HttpService was parsed.
    assert repr(s) == "<etw.Schemas 85 schemas of 1 providers, 4 files not read yet>"
    assert s.source_of(HTTP, 21, 0) == "manifest"
    assert s.find(HTTP, 21, 5).version == 0  # nearest lower version
    assert s.find(HTTP, 21, 5, nearest=False) is None
    # Both the component manifest and the dump describe Kernel-Process: the
    # first source given wins per key.
    both = Schemas([os.path.join(mdir, "tx_SystemEvents.man"),
                    os.path.join(mdir, "nasbench_Microsoft-Windows-Kernel-Process_19043.man")])
    start = both.find(KPROC, 1, 0)
    first_only = Schemas(os.path.join(mdir, "tx_SystemEvents.man")).find(KPROC, 1, 0)
    assert pack_tei(start) == pack_tei(first_only)
    assert len(both.schemas(KPROC)) > len(Schemas(os.path.join(mdir, "tx_SystemEvents.man"))
                                          .schemas(KPROC))
    junk = tmp_path / "x.man"
    junk.write_text("hello")
    with pytest.raises(ValueError, match="not a manifest"):
        Schemas(str(junk))
    # In a directory the same file is only a warning, when it is looked at.
    lazy = Schemas(str(tmp_path))
    assert HTTP not in lazy
    assert lazy.warnings == []  # a file describing no provider is simply never read


def test_schema_pack_roundtrip_and_damage(corpus_dir, tmp_path):
    s = Schemas(_manifest(corpus_dir, "tx_HTTP_Server.man"))
    out = tmp_path / "http.etwpack"
    n = s.export(out, _path(corpus_dir, "tx_HTTP_Server.etl"))
    # The 12 event types of the trace (one version each) and the maps they use.
    used_maps = {p.map_name for sch in s.schemas(HTTP) if sch.id in
                 {1, 2, 3, 4, 5, 8, 9, 10, 12, 21, 22, 51} for p in sch.props if p.map_name}
    assert n == 12 + len(used_maps)
    data = out.read_bytes()
    assert data[:8] == PACK_MAGIC
    entries = read_pack(data)
    assert Counter(k for k, _b, _s in entries) == Counter(tei=12, emi=len(used_maps))
    assert {src for _k, _b, src in entries} == {"manifest"}
    back = Schemas(str(out))
    for sch in back.schemas(HTTP):
        assert pack_tei(sch) == pack_tei(s.find(HTTP, sch.id, sch.version))
    assert back.source_of(HTTP, 21, 0) == "manifest"
    # Damage is detected.
    bad = bytearray(data)
    bad[40] ^= 0xFF
    with pytest.raises(ValueError, match="checksum"):
        read_pack(bytes(bad))
    with pytest.raises(ValueError, match="no ETWSPACK"):
        read_pack(b"ETWSPACX" + data[8:])
    assert read_pack(write_pack([])) == []




def test_schema_packs_in_directories_are_found_by_content(corpus_dir, tmp_path):
    """In a directory a schema pack is recognised by its ETWSPACK magic whatever
    its name; other unknown files are not read."""
    d = tmp_path / "packs"
    d.mkdir()
    Schemas(_manifest(corpus_dir, "tx_HTTP_Server.man")).export(
        d / "http.etwschemas", _path(corpus_dir, "tx_HTTP_Server.etl"))
    Schemas(_manifest(corpus_dir, "tx_SystemEvents.man")).export(
        d / "knet", _path(corpus_dir, "tx_KernelNetwork.etl"))
    (d / "notes.txt").write_text("not a pack")
    s = Schemas(str(d))
    assert repr(s) == "<etw.Schemas 0 schemas of 0 providers, 2 files not read yet>"
    assert HTTP in s and KNET in s
    assert (len(s.schemas(HTTP)), len(s.schemas(KNET))) == (12, 8)
    assert s.source_of(HTTP, 51, 0) == "manifest" and s.warnings == []

@pytest.mark.parametrize("etl,man,n_entries,n_events,provider", [
    ("tx_HTTP_Server.etl", "tx_HTTP_Server.man", 15, 2041, HTTP),
    ("tx_KernelNetwork.etl", "tx_SystemEvents.man", 8, 8923, KNET)])
def test_schema_pack_decodes_like_its_manifest(corpus_dir, tmp_path, etl, man, n_entries,
                                              n_events, provider):
    """A pack exported for a trace (Schemas.export(path, trace)) decodes that trace
    exactly as the manifest it came from: to_json() and the message of every event
    (the trace header included) are identical, and the schemas keep their source."""
    trace_path = _path(corpus_dir, etl)
    pack = tmp_path / "trace.etwpack"
    assert Schemas(_manifest(corpus_dir, man)).export(pack, trace_path) == n_entries
    ref = [(ev.to_json(), ev.message, ev.schema_source)
           for ev in etw.open(trace_path, schemas=[_manifest(corpus_dir, man)])]
    got = [(ev.to_json(), ev.message, ev.schema_source)
           for ev in etw.open(trace_path, schemas=[str(pack)])]
    assert len(got) == n_events + 1 and got == ref
    decoded = [ev for ev in etw.open(trace_path, schemas=str(pack))
               if ev.provider_id == provider]
    assert len(decoded) == n_events
    assert Counter((ev.schema_source, ev.decode_status) for ev in decoded) == \
        Counter({("manifest", "ok"): n_events})

def test_format_message():
    assert format_message("Parsed request (request pointer %1, method %2) with URI %3.",
                          [18446738026454074672, 4, "http://georgis2:80/windir.txt"]) == \
        "Parsed request (request pointer 18446738026454074672, method 4) with URI " \
        "http://georgis2:80/windir.txt."
    assert format_message("a%nb%tc%%d%.%!e%0 ignored", []) == "a\r\nb\tc%d.!e"
    assert format_message("%1!08x! %2!-4d!| %3!s! %4", [255, 7, "x"]) == "000000ff 7   | x %4"
    assert format_message(None, [1]) is None


# ------------------------------------------------------------------ oracles

def _sockaddr(raw: bytes) -> str:
    family = int.from_bytes(raw[0:2], "little")
    port = int.from_bytes(raw[2:4], "big")
    if family == 2:
        return "%s:%d" % (ipaddress.IPv4Address(raw[4:8]), port)
    return "[%s]:%d" % (ipaddress.IPv6Address(raw[8:24]), port)


def test_http_server_against_windows_evtx(corpus_dir):
    """All 2041 events of tx_HTTP_Server.etl decoded with the manifest equal
    Windows' own EVTX conversion, value for value. Rendering differences only:
    win:Binary is base64 in the XML (SocketAddress fields: the XML's bytes
    rendered as we render a SOCKADDR), numbers hex or decimal as the XML shows.

    The 291 Parse events (id 2): Windows reported error 15005 on ``Url``
    because the string is the last field and has no NUL terminator; its error
    block carries the raw payload, which is byte for byte our payload. We
    decode Url anyway (a missing terminator at the end of the data is
    tolerated, tdh.h) and the payload is used up exactly."""
    xml = oracles.load_evtx_xml(_path(corpus_dir, "expected", "tx_HTTP_Server.evtx.xml"))
    xml.sort(key=lambda e: e["EventRecordID"])
    s = Schemas(_manifest(corpus_dir, "tx_HTTP_Server.man"))
    trace = etw.open(_path(corpus_dir, "tx_HTTP_Server.etl"), schemas=s)
    assert provide(trace, HTTP) == 88  # 85 schemas + 3 maps
    assert provide(trace, HTTP) == 0   # first one wins: nothing new
    evs = _decoded(trace, lambda ev: ev.kind == "manifest")
    assert len(evs) == len(xml) == 2041
    checked = parse_events = 0
    for ev, x in zip(evs, xml):
        assert ev.id == x["EventID"]
        assert ev.decode_status == "ok" and len(ev.leftover) == 0
        sch = s.find(HTTP, ev.id, ev.version, nearest=False)
        props = {p.name: p for p in sch.props}
        got = dict(ev)
        if ev.id == 2:
            assert x["EventData"] == {}
            parse_events += 1
            assert list(got) == ["RequestObj", "HttpVerb", "Url"]
            assert ev.payload[-2:] != b"\0\0"  # the unterminated string
            continue
        assert list(got) == list(x["EventData"])
        for name, text in x["EventData"].items():
            v, p = got[name], props[name]
            if p.in_type == 14:
                raw = base64.b64decode(text)
                ok = v == raw or (p.out_type == 25 and v == _sockaddr(raw))
            elif isinstance(v, bool):
                ok = text == ("true" if v else "false")
            elif isinstance(v, int):
                ok = int(text, 0) == v
            else:
                ok = str(v) == text
            assert ok, (ev.id, name, v, text)
            checked += 1
    assert (checked, parse_events) == (7873, 291)


def test_http_server_processing_errors_carry_our_payload(corpus_dir):
    """The error blocks of the 291 Parse events (python-evtx on the binary
    EVTX): ErrorCode 15005 on Url, EventPayload equal to our payload."""
    try:
        evtx = oracles.load_http_server_evtx(corpus_dir)
    except ImportError:
        pytest.skip("python-evtx is not installed")
    errs = [e for e in evtx if e["ProcessingErrorData"]]
    assert len(errs) == 291
    s = Schemas(_manifest(corpus_dir, "tx_HTTP_Server.man"))
    trace = etw.open(_path(corpus_dir, "tx_HTTP_Server.etl"), schemas=s)
    provide(trace, HTTP)
    evs = [ev for ev in trace if ev.kind == "manifest"]
    by_time = {}
    for ev in evs:
        by_time.setdefault((ev.filetime, ev.id), []).append(ev)
    for e in errs:
        assert e["ProcessingErrorData"]["ErrorCode"] == 15005
        assert e["ProcessingErrorData"]["DataItemName"] == "Url"
        (ev,) = by_time[(e["FileTime"], e["EventID"])]
        assert bytes(ev.payload) == e["ProcessingErrorData"]["EventPayload"]
    first = next(ev for ev in _decoded(iter(evs), lambda ev: ev.id == 2))
    assert dict(first) == {"RequestObj": 18446738026454074672, "HttpVerb": 4,
                           "Url": "http://georgis2:80/windir.txt"}
    # The Tx oracle's formatted message of a Parse event.
    msg = format_message(s.find(HTTP, 2, 0).event_message, list(first.values()))
    assert msg.startswith("Parsed request (request pointer 18446738026454074672, method 4) "
                          "with URI http://georgis2:80/windir.txt")



def test_http_server_messages_insert_map_names(corpus_dir):
    """ev.message inserts a mapped property as Windows renders it, by its map entry
    name: HTTP event 51's message "Entry has been written to %3 log file." takes its
    third property, Type (value 0 in HTTP_TEMPLATE_LOGGING_LogType_ValueMap:
    "ResponseLogging"); Format, a value of another map, renders "W3C". Plain numbers
    stay decimal, as the Tx oracle shows the Parse message."""
    trace = etw.open(_path(corpus_dir, "tx_HTTP_Server.etl"),
                     schemas=[_manifest(corpus_dir, "tx_HTTP_Server.man")])
    evs = [ev for ev in trace if ev.kind == "manifest"]
    assert {ev.schema_source for ev in evs} == {"manifest"}
    logged = [ev for ev in evs if ev.id == 51]
    assert Counter((ev.message, ev["Type"], ev.format("Type"), ev["Format"], ev.format("Format"),
                    ev.format("Group")) for ev in logged) == Counter({
        ("Entry has been written to ResponseLogging log file.", 0, "ResponseLogging", 0, "W3C",
         "Site"): 291})
    assert logged[0].message_template == "Entry has been written to %3 log file."
    parse = next(ev for ev in evs if ev.id == 2)
    assert parse.message == ("Parsed request (request pointer 18446738026454074672, method 4) "
                             "with URI http://georgis2:80/windir.txt.")

@pytest.mark.parametrize("manifest", ["tx_SystemEvents.man",
                                      "nasbench_Microsoft-Windows-Kernel-Process_19043.man"])
def test_kernel_process(corpus_dir, manifest):
    """tx_Process.etl: every one of the 10343 Kernel-Process events decoded with
    its payload used up exactly; the 4 process starts and 4 stops (Tx oracle)
    with their image names as strings; 2 processes start and stop."""
    s = Schemas(_manifest(corpus_dir, manifest))
    trace = etw.open(_path(corpus_dir, "tx_Process.etl"), schemas=s)
    provide(trace, KPROC)
    evs = _decoded(trace, lambda ev: ev.provider_id == KPROC)
    assert len(evs) == 10343
    assert Counter((ev.decode_status, len(ev.leftover)) for ev in evs) == Counter({("ok", 0): 10343})
    starts = [dict(ev) for ev in evs if (ev.id, ev.version) == (1, 0)]
    stops = [dict(ev) for ev in evs if (ev.id, ev.version) == (2, 1)]
    assert [d["ImageName"].rsplit("\\", 1)[-1] for d in starts] == [
        "devenv.exe", "OUTLOOK.EXE", "SearchProtocolHost.exe", "SearchFilterHost.exe"]
    assert [d["ProcessID"] for d in starts] == [5864, 2880, 700, 6644]
    # Stops carry Win7's ImageFileName: 15 bytes, so long names are cut.
    assert [(d["ImageName"], d["ProcessID"]) for d in stops] == [
        ("SearchProtocol", 5380), ("SearchFilterHo", 4492), ("OUTLOOK.EXE", 2880),
        ("devenv.exe", 5864)]
    assert {ev.schema_source for ev in evs} == {"manifest"}
    assert {d["ProcessID"] for d in starts} & {d["ProcessID"] for d in stops} == {5864, 2880}
    assert starts[0]["CreateTime"] == _dt.datetime(2010, 10, 29, 19, 8, 0, 735707,
                                                   tzinfo=_dt.timezone.utc)
    assert next(ev for ev in evs if ev.id == 1).name == "ProcessStart/Start"


def test_kernel_network(corpus_dir):
    """tx_KernelNetwork.etl: all 8923 events decoded; each payload carries 4
    zero pad bytes after the template."""
    s = Schemas(_manifest(corpus_dir, "tx_SystemEvents.man"))
    trace = etw.open(_path(corpus_dir, "tx_KernelNetwork.etl"), schemas=s)
    provide(trace, KNET)
    evs = _decoded(trace, lambda ev: ev.kind == "manifest")
    assert len(evs) == 8923 and {ev.provider_id for ev in evs} == {KNET}
    assert {ev.schema_source for ev in evs} == {"manifest"}
    assert Counter((ev.decode_status, bytes(ev.leftover)) for ev in evs) == \
        Counter({("ok", b"\0\0\0\0"): 8923})
    assert Counter(ev.id for ev in evs) == Counter({11: 7968, 10: 575, 43: 149, 27: 134,
                                                    59: 61, 26: 26, 42: 8, 29: 2})
    first_v4 = next(dict(ev) for ev in evs if ev.id == 11)
    assert (first_v4["daddr"], first_v4["dport"], first_v4["sport"]) == ("157.56.244.38", 443, 61740)


def test_powershell_dump(corpus_dir):
    s = Schemas(_manifest(corpus_dir, "nasbench_Microsoft-Windows-PowerShell_19043.man"))
    trace = etw.open(_path(corpus_dir, "krabsetw_powershell.etl"), schemas=s)
    provide(trace, PSH)
    evs = _decoded(trace, lambda ev: ev.kind == "manifest")
    assert len(evs) == 112
    assert Counter((ev.decode_status, len(ev.leftover)) for ev in evs) == Counter({("ok", 0): 112})
    assert {ev.schema_source for ev in evs} == {"manifest"}
    assert Counter((ev.id, ev.version) for ev in evs) == Counter({
        (7937, 1): 101, (7939, 1): 6, (7938, 1): 1, (7942, 1): 1, (40961, 1): 1,
        (40962, 1): 1, (53504, 1): 1})
    ipc = next(dict(ev) for ev in evs if ev.id == 53504)
    assert ipc == {"param1": "16040", "param2": "DefaultAppDomain"}


# --- PerfView baselines ---------------------------------------------------------

def _perfview_equal(value, text, prop, maps) -> bool:
    """Our value against PerfView's rendering (cut to 20 characters + "...")."""
    cut = text.endswith("...")
    if prop is not None and prop.map_name and isinstance(value, int) and prop.map_name in maps:
        # PerfView shows a map's names, or the number when it has no name for it.
        m = maps[prop.map_name]
        if m.flags & MAP_BITMAP:
            names = [n for v, n in m.entries if v and value & v == v]
            rendered = "|".join(names) if names else None
        else:
            rendered = dict(m.entries).get(value)
        if rendered is not None and (rendered.startswith(text[:-3]) if cut else rendered == text):
            return True
    if isinstance(value, bool):
        return text == ("True" if value else "False")
    if isinstance(value, int):
        if text.startswith("0x") and not cut:
            return int(text, 16) == value
        if cut:
            return False
        try:
            return int(text.replace(",", "")) == value
        except ValueError:
            return False
    if isinstance(value, float):
        return abs(float(text.replace(",", "")) - value) <= 1e-6 * max(1.0, abs(value))
    rendered = str(value)
    return rendered.startswith(text[:-3]) if cut else rendered == text


def _match_baseline(events, base_events, start_filetime, name_of):
    """Pairs each baseline EVENT line with our event: same time (ms, 3
    decimals), PID, TID and DataLen; ties broken by the name."""
    out = []
    for b in base_events:
        cands = [ev for ev in events
                 if abs((ev.filetime - start_filetime) / 1e4 - b["time_ms"]) < 0.0015
                 and len(ev.payload) == b["data_len"] and ev.pid == b["pid"]
                 and ev.tid == b["tid"]]
        if len(cands) > 1:
            cands = [ev for ev in cands if name_of(ev) == b["name"]] or cands
        out.append((b, cands))
    return out


def _clr_mismatches(ev, b, s, maps):
    """Fields of a baseline line our event renders differently, and how many
    fields were compared (see test_perfview_gcevents_against_baseline)."""
    sch = s.find(CLR, ev.id, ev.version, nearest=False)
    props = {p.name: p for p in sch.props}
    got = dict(ev)
    bad, n, skipped = [], 0, []
    if len(ev.leftover) or not set(got) <= set(b["fields"]) | {"TypeName"}:
        bad.append(("layout", sorted(got), len(ev.leftover)))
    for field, text in b["fields"].items():
        if field == "TypeName" and ev.id == 29:
            continue  # added by PerfView from its type table
        p = props.get(field)
        if p is None:
            bad.append((field, None, text))
            continue
        m = maps.get(p.map_name) if p.map_name else None
        if m is not None and not _perfview_equal(got[field], text, p, maps) and \
                got[field] not in dict(m.entries):
            skipped.append((field, got[field], text))
            continue  # the manifest has no name for this value
        if not _perfview_equal(got[field], text, p, maps):
            bad.append((field, got[field], text))
        n += 1
    return bad, n, skipped


def test_perfview_gcevents_against_baseline(corpus_dir):
    """perfview_gcevents.etl with perfview_ClrEtwAll.man: every baseline event
    whose (id, version) the manifest describes has PerfView's name and values.

    This manifest is older than the runtime that wrote the trace: GC/MarkWithType
    (202), FitBucketInfo (208), LOHCompact (209), GlobalHeapHistory v4 (205),
    PerHeapHistory v3 (204) are not in it, and AllocationTick v4 / HeapStats v2
    only in lower versions (see the next test); FinalizeObject's TypeName is a
    field PerfView adds itself; map values the manifest does not name
    (GCSegmentTypeMap 3 = PinnedObjectHeap, StartupModeMap 0) cannot be
    compared."""
    base = oracles.load_perfview_baseline(_path(corpus_dir, "expected",
                                                "perfview_gcevents.baseline.txt"))
    s = Schemas(_manifest(corpus_dir, "perfview_ClrEtwAll.man"))
    trace = etw.open(_path(corpus_dir, "perfview_gcevents.etl"), schemas=s)
    provide(trace, CLR)
    start = trace.header["start_filetime"]
    evs = _decoded(trace, lambda ev: ev.provider_id == CLR)
    assert len(evs) == 69
    maps = {m.name: m for m in s.maps(CLR)}
    name_of = lambda ev: "Microsoft-Windows-DotNETRuntime/%s" % ev.name  # noqa: E731
    pairs = _match_baseline(evs, [b for b in base["events"] if b["provider"] ==
                                  "Microsoft-Windows-DotNETRuntime"], start, name_of)
    compared = Counter()
    formatted = Counter()
    unnamed = set()
    for b, cands in pairs:
        assert len(cands) >= 1, b["name"]
        if s.find(CLR, cands[0].id, cands[0].version, nearest=False) is None:
            assert all(ev.id in (10, 4, 202, 204, 205, 208, 209) for ev in cands)
            continue
        results = [_clr_mismatches(ev, b, s, maps) for ev in cands]
        best = min(range(len(cands)), key=lambda i: len(results[i][0]))
        mismatches, n, skipped = results[best]
        assert mismatches == [], (b["name"], mismatches)
        assert name_of(cands[best]) == b["name"]
        compared[b["name"]] += n
        unnamed.update((b["event"],) + f for f in skipped)
        ev = cands[best]
        assert ev.schema_source == "manifest"
        sch = s.find(CLR, ev.id, ev.version, nearest=False)
        for p in sch.props:
            if p.map_name and p.name in b["fields"]:
                # ev.format renders the manifest's maps as PerfView does.
                formatted[(b["event"], p.name, ev.format(p.name) == b["fields"][p.name])] += 1
    assert sum(compared.values()) == 101
    assert unnamed == {("Runtime/Start", "StartupMode", 0, "None"),
                       ("GC/CreateSegment", "Type", 3, "PinnedObjectHeap")}
    assert compared["Microsoft-Windows-DotNETRuntime/GC/Start"] == 12
    # 13 of the 16 mapped values are equal; the other 3: the two values above that
    # this manifest does not name, and a bitmap PerfView prints as a number.
    assert formatted == Counter({
        ("GC/CreateSegment", "Type", True): 4, ("GC/CreateSegment", "Type", False): 1,
        ("GC/Start", "Reason", True): 2, ("GC/Start", "Type", True): 2,
        ("GC/SuspendEEStart", "Reason", True): 2, ("GC/Triggered", "Reason", True): 2,
        ("Runtime/Start", "Sku", True): 1, ("Runtime/Start", "StartupFlags", False): 1,
        ("Runtime/Start", "StartupMode", False): 1})
    segs = [ev for ev in evs if ev.name == "GC/CreateSegment"]
    assert [(ev["Type"], ev.format("Type")) for ev in segs] == [
        (3, "3"), (0, "SmallObjectHeap"), (0, "SmallObjectHeap"), (0, "SmallObjectHeap"),
        (1, "LargeObjectHeap"), (2, "ReadOnlyHeap"), (0, "SmallObjectHeap")]
    (rt,) = [ev for ev in evs if ev.name == "Runtime/Start"]
    assert (rt["StartupFlags"], rt.format("StartupFlags")) == (
        0x800003, "CONCURRENT_GC | LOADER_OPTIMIZATION_SINGLE_DOMAIN | 0x800000")


def test_perfview_gcevents_version_fallback(corpus_dir):
    """AllocationTick v4 and HeapStats v2 decode with the nearest lower
    version the manifest has (issue 4 item 4): the fields it knows equal
    PerfView's, the newer fields stay in the leftover bytes."""
    base = oracles.load_perfview_baseline(_path(corpus_dir, "expected",
                                                "perfview_gcevents.baseline.txt"))
    s = Schemas(_manifest(corpus_dir, "perfview_ClrEtwAll.man"))
    trace = etw.open(_path(corpus_dir, "perfview_gcevents.etl"), schemas=s)
    provide(trace, CLR)
    evs = _decoded(trace, lambda ev: ev.provider_id == CLR)
    ticks = [ev for ev in evs if (ev.id, ev.version) == (10, 4)]
    assert len(ticks) == 12
    # No v4 in the manifest: decoded with v3, and the event says so.
    assert {ev.schema_version for ev in ticks} == {3}
    assert ticks[0].name is not None
    start = trace.header["start_filetime"]
    maps = {m.name: m for m in s.maps(CLR)}
    v3 = {p.name: p for p in s.find(CLR, 10, 3, nearest=False).props}
    lines = [b for b in base["events"] if b["name"].endswith("/GC/AllocationTick")]
    name_of = lambda ev: "Microsoft-Windows-DotNETRuntime/%s" % ev.name  # noqa: E731
    for b, cands in _match_baseline(ticks, lines, start, name_of):
        (ev,) = cands
        got = dict(ev)
        assert list(got) == list(v3)
        for field in v3:
            assert _perfview_equal(got[field], b["fields"][field], v3[field], maps)
        assert len(ev.leftover) > 0
    # HeapStats v2 decodes with v1: its 14 fields equal PerfView's, and the 16 bytes
    # left over are v2's two new fields (GenerationSize4, TotalPromotedSize4).
    stats = [ev for ev in evs if (ev.id, ev.version) == (4, 2)]
    assert [ev.schema_version for ev in stats] == [1, 1]
    v1 = {p.name: p for p in s.find(CLR, 4, 1, nearest=False).props}
    lines = [b for b in base["events"] if b["name"].endswith("/GC/HeapStats")]
    nvalues = 0
    for b, cands in _match_baseline(stats, lines, start, name_of):
        (ev,) = cands
        got = dict(ev)
        assert list(got) == list(v1) and len(got) == 14
        for field in v1:
            assert _perfview_equal(got[field], b["fields"][field], v1[field], maps)
            nvalues += 1
        new = struct.unpack("<QQ", ev.leftover)
        assert new == (int(b["fields"]["GenerationSize4"].replace(",", "")),
                       int(b["fields"]["TotalPromotedSize4"].replace(",", "")))
    assert nvalues == 28


def test_inband_eventsource_schemas_from_the_trace(corpus_dir):
    """perfview_net.4.5.2.x64.etl carries the manifests of three EventSources
    in the trace (id 0xFFFE): TplEventSource, FrameworkEventSource and
    PerfView's own; Schemas.add_inband reads them (163 schemas and 4 maps)."""
    path = _path(corpus_dir, "perfview_net.4.5.2.x64.etl")
    s = Schemas()
    assert s.add_inband(path) == 167
    assert sorted(map(str, s.providers())) == sorted(map(str, [TPL, FRAMEWORK, PERFVIEW]))
    assert all(s.source_of(p, sch.id, sch.version) == "inband"
               for p in s.providers() for sch in s.schemas(p))


@pytest.mark.parametrize("arch,n_events,n_lines,n_values", [("x64", 118, 38, 96),
                                                            ("x86", 119, 39, 97)])
def test_inband_eventsource_against_perfview_baseline(corpus_dir, arch, n_events, n_lines,
                                                      n_values):
    """perfview_net.4.5.2.<arch>.etl opened with no schemas= at all: the
    EventSource manifests the trace carries are reassembled and used
    automatically, and every baseline event of those three providers has
    PerfView's name and values (the reference schemas and maps for the
    comparison come from Schemas.add_inband)."""
    path = _path(corpus_dir, "perfview_net.4.5.2.%s.etl" % arch)
    base = oracles.load_perfview_baseline(_path(corpus_dir, "expected",
                                                "perfview_net.4.5.2.%s.baseline.txt" % arch))
    s = Schemas()
    assert s.add_inband(path) == 167
    trace = etw.open(path)
    assert trace.schemas is None
    provs = {TPL, FRAMEWORK, PERFVIEW}
    evs = _decoded(trace, lambda ev: ev.provider_id in provs and ev.id != 0xFFFE)
    assert len(evs) == n_events
    assert {ev.schema_source for ev in evs} == {"inband"}
    names = {"System.Threading.Tasks.TplEventSource",
             "System.Diagnostics.Eventing.FrameworkEventSource", "PerfView"}
    lines = [b for b in base["events"] if b["provider"] in names
             and b["event"] != "ManifestData"]
    assert len(lines) == n_lines
    maps = {}
    for p in provs:
        maps.update({m.name: m for m in s.maps(p)})
    name_of = lambda ev: "%s/%s" % (ev.provider_name, ev.name)  # noqa: E731
    nvalues = 0
    for b, cands in _match_baseline(evs, lines, trace.header["start_filetime"], name_of):
        (ev,) = cands
        assert name_of(ev) == b["name"]
        assert ev.decode_status == "ok"
        props = {p.name: p for p in s.find(ev.provider_id, ev.id, ev.version).props}
        got = dict(ev)
        assert list(got) == list(b["fields"])
        for field, text in b["fields"].items():
            assert _perfview_equal(got[field], text, props[field], maps), (b["name"], field,
                                                                          got[field], text)
            nvalues += 1
    assert nvalues == n_values


def test_inband_tx_bond(corpus_dir):
    """tx_BondEtwSample.etl: the EventSource "Tx.Bond" manifest in the trace
    describes its 11 events; all decode with nothing left over."""
    path = _path(corpus_dir, "tx_BondEtwSample.etl")
    found = reassemble_inband(etw.open(path, order="file"))
    assert [(p, len(t)) for p, t in found] == [(TXBOND, 6321)]
    assert found[0][1].startswith(b"<instrumentationManifest")
    s = Schemas()
    assert s.add_inband(path) == 5
    trace = etw.open(path, schemas=s)
    provide(trace, TXBOND)
    evs = _decoded(trace, lambda ev: ev.provider_id == TXBOND and ev.id != 0xFFFE)
    assert Counter((ev.name, ev.decode_status, len(ev.leftover)) for ev in evs) == Counter({
        ("WriteBinaryPayload", "ok", 0): 10, ("WriteManifestPayload", "ok", 0): 1})
    assert evs[0].provider_name == "MSOpenTech-Tx-BinaryEventSource"
    man = next(dict(ev) for ev in evs if ev.id == 3)
    assert (man["inputProtocol"], man["source"]) == ("BondManifest", "BondEtwObserver")


def test_inband_c_collector_matches_python(corpus_dir):
    scan = getattr(_etw, "_inband_scan", None)
    if scan is None:
        pytest.skip("etw._etw._inband_scan is not registered in module.c yet")
    for name, expected in [
            ("perfview_net.4.5.2.x64.etl", [(TPL, 8831), (FRAMEWORK, 50580), (PERFVIEW, 13038)]),
            ("perfview_diaghub.user_paged.1.etl", [(TPL, 17766)]),
            ("tx_BondEtwSample.etl", [(TXBOND, 6321)]),
            ("tx_HTTP_Server.etl", [])]:
        path = _path(corpus_dir, name)
        got = scan(path)
        assert [(p, len(t)) for p, t in got] == expected
        assert got == reassemble_inband(etw.open(path, order="file"))


_INLINE_MANIFEST = """<?xml version="1.0" encoding="utf-8"?>
<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
 <instrumentation><events>
  <provider name="Synthetic" guid="{%s}" symbol="S">
   <maps><valueMap name="Color"><map value="1" message="$(string.red)"/></valueMap></maps>
   <templates><template tid="t">
     <data name="n" inType="win:UInt16"/>
     <data name="s" inType="win:UnicodeString" count="n"/>
     <data name="f" inType="win:UInt32" map="Color"/>
     <struct name="pairs" count="2"><data name="x" inType="win:Int8"/>
       <data name="y" inType="win:AnsiString" length="x"/></struct>
   </template></templates>
   <events><event value="5" template="t" level="win:Warning" opcode="win:Stop"/></events>
  </provider></events></instrumentation>
 <localization><resources culture="en-US"><stringTable>
  <string id="red" value="Red"/></stringTable></resources></localization>
</instrumentationManifest>"""


def _chunk(total, number, body, magic=0x5B):
    return struct.pack("<BBBBHH", 1, 1, 0, magic, total, number) + body


def test_inband_reassembly_synthetic(tmp_path):
    """Chunked EventSource manifests (the corpus only has single chunks):
    chunks of two providers interleaved, a repeated manifest kept once, a
    sequence missing its first chunk and a bad envelope dropped; the C
    collector and the Python reassembly agree, and the events decode."""
    from etlwriter import EtlWriter
    a, b, c = (uuid.UUID(int=0xA1), uuid.UUID(int=0xB2), uuid.UUID(int=0xC3))
    text_a = (_INLINE_MANIFEST % a).encode()
    text_b = (_INLINE_MANIFEST % b).replace("Synthetic", "Other").encode()
    parts = [text_a[:300], text_a[300:700], text_a[700:]]
    w = EtlWriter()
    ts = 1_000_000

    def mev(cpu, prov, payload, **kw):
        nonlocal ts
        ts += 1000
        w.event(cpu, ts, prov, id=0xFFFE, version=1, opcode=0xFE, task=0xFFFE, payload=payload,
                **kw)

    mev(0, a, _chunk(3, 0, parts[0]))
    mev(0, b, _chunk(1, 0, text_b))
    mev(0, a, _chunk(3, 1, parts[1]))
    mev(0, c, _chunk(2, 1, b"<lost/>"))          # no chunk 0: dropped
    mev(0, a, _chunk(3, 2, parts[2]))            # A complete
    mev(0, c, _chunk(1, 0, b"<x/>", magic=0x5C))  # bad magic: dropped
    payload = (struct.pack("<H", 2) + "ab\0".encode("utf-16-le") + "c\0".encode("utf-16-le") +
               struct.pack("<I", 1) + b"\x01Q\x02RS")
    ts += 1000
    w.event(0, ts, a, id=5, level=3, opcode=2, payload=payload)
    for i, part in enumerate(parts):              # the same manifest again
        mev(0, a, _chunk(3, i, part))
    path = tmp_path / "inband.etl"
    w.write(str(path))
    expected = [(b, text_b), (a, text_a)]
    assert reassemble_inband(etw.open(str(path), order="file")) == expected
    scan = getattr(_etw, "_inband_scan", None)
    if scan is not None:
        assert scan(str(path)) == expected
    s = Schemas()
    assert s.add_inband(str(path)) == 4  # per provider: 1 schema + 1 map
    trace = etw.open(str(path), schemas=s)
    assert provide(trace, a) == 2
    (ev,) = _decoded(trace, lambda ev: ev.id == 5)
    assert (ev.decode_status, len(ev.leftover), ev.provider_name, ev.opcode_name,
            ev.level_name) == ("ok", 0, "Synthetic", "Stop", "Warning")
    got = dict(ev)
    assert (got["n"], got["s"], got["f"]) == (2, ["ab", "c"], 1)
    assert [dict(p) for p in got["pairs"]] == [{"x": 1, "y": "Q"}, {"x": 2, "y": "RS"}]



# --- priority: the trace's own schemas over the user's (issue 4 item 4) -----------

_SYNTH_PAYLOAD = (struct.pack("<H", 2) + "ab\0".encode("utf-16-le") + "c\0".encode("utf-16-le") +
                  struct.pack("<I", 1) + b"\x01Q\x02RS")


def _user_variant(provider):
    """The inline manifest as a user's (older) copy would describe it: its first field
    is named "un" and map entry 1 reads "Crimson" (the trace's own copy: "n", "Red")."""
    return ((_INLINE_MANIFEST % provider).replace('name="n"', 'name="un"')
            .replace('count="n"', 'count="un"').replace('value="Red"', 'value="Crimson"'))


def _blobs(text):
    (pm,) = parse_manifest(text)
    (sch,) = pm.schemas()
    (m,) = pm.maps
    return pack_tei(sch), pack_emi_record(m)


def test_registry_rank_replaces_and_memos_refresh(tmp_path):
    """A schema (or map) of a higher-ranked source replaces the one registered for
    the same key (in-band / injected over manifest / wevt / pack / tdh); an equal or
    lower rank does not. The next event of that key finds the new schema although
    the previous one was memoized under the same key."""
    from etlwriter import EtlWriter
    a = uuid.UUID(int=0xA1)
    w = EtlWriter()
    for i in range(4):
        w.event(0, 1_000_000 + i * 1000, a, id=5, level=3, opcode=2, payload=_SYNTH_PAYLOAD)
    path = tmp_path / "rank.etl"
    w.write(str(path))
    user_tei, user_map = _blobs(_user_variant(a))
    own_tei, own_map = _blobs(_INLINE_MANIFEST % a)
    trace = etw.open(str(path))
    assert trace._registry_add("emi", user_map, "manifest") is True
    assert trace._registry_add("tei", user_tei, "manifest") is True
    it = (ev for ev in trace if ev.kind == "manifest")
    first = next(it)
    assert (first.schema_source, list(first)[0], first.format("f")) == ("manifest", "un", "Crimson")
    # Same rank (user sources among themselves): the first one stays.
    for src in ("pack", "wevt", "tdh", "manifest"):
        assert trace._registry_add("tei", own_tei, src) is False
        assert trace._registry_add("emi", own_map, src) is False
    second = next(it)
    assert (second.schema_source, list(second)[0]) == ("manifest", "un")
    # The trace's own (in-band) schema replaces the user's, and the next event
    # (its lookup memoized under the same key) finds it...
    assert trace._registry_add("tei", own_tei, "inband") is True
    third = next(it)
    assert (third.schema_source, dict(third)) == (
        "inband", {"n": 2, "s": ["ab", "c"], "f": 1,
                   "pairs": [{"x": 1, "y": "Q"}, {"x": 2, "y": "RS"}]})
    assert third.format("f") == "Crimson"  # the map is still the user's
    assert trace._registry_add("emi", own_map, "inband") is True
    assert next(it).format("f") == "Red"
    # ...and nothing of a lower or equal rank replaces them back.
    for src in ("manifest", "pack", "injected"):
        assert trace._registry_add("tei", user_tei, src) is False
        assert trace._registry_add("emi", user_map, src) is False
    # An event decoded before keeps its schema (it stays allocated).
    assert (second.schema_source, second["un"]) == ("manifest", 2)
    # A new pass decodes every event with the in-band schema.
    assert Counter((ev.schema_source, list(ev)[0]) for ev in trace
                   if ev.kind == "manifest") == Counter({("inband", "n"): 4})


def _runs(seq):
    out = []
    for x in seq:
        if out and out[-1][0] == x:
            out[-1][1] += 1
        else:
            out.append([x, 1])
    return [tuple(r) for r in out]


def test_late_inband_and_injected_schemas_win_over_the_users(tmp_path):
    """Provider A's EventSource manifest and provider B's injected TRACE_EVENT_INFO
    arrive in the middle of the trace, after 15000 events of each (well beyond the
    producer's read-ahead), with a user's manifest for both given by schemas=.

    Every event after them decodes with the trace's schema ("inband" / "injected", the
    trace's field names and map names), although the user's schema had been
    registered for the same key at the first event. The events before them decode
    with the user's schema, except the last ones that were looked up after the
    producer had read ahead past the manifest (about 20000 records: ETW_BATCH_RECORDS
    x the ring's batches): those already use the trace's schema. Without schemas=,
    the same early events have no schema. Either way the sources form two runs: the
    user's (or none), then the trace's."""
    from etlwriter import EtlWriter
    a, b = uuid.UUID(int=0xA1), uuid.UUID(int=0xB2)
    n1, n2 = 15000, 500
    w = EtlWriter()
    ts = 1_000_000

    def pairs(n):
        nonlocal ts
        for _ in range(n):
            for p in (a, b):
                ts += 10
                w.event(0, ts, p, id=5, level=3, opcode=2, payload=_SYNTH_PAYLOAD)
    pairs(n1)
    ts += 10
    w.event(0, ts, a, id=0xFFFE, version=1, opcode=0xFE, task=0xFFFE,
            payload=_chunk(1, 0, (_INLINE_MANIFEST % a).encode()))
    own_tei, own_map = _blobs(_INLINE_MANIFEST % b)
    w.classic(0, ts + 1, EVENT_METADATA, type=33, payload=own_map)
    w.classic(0, ts + 2, EVENT_METADATA, type=32, payload=own_tei)
    ts += 10
    pairs(n2)
    path = str(tmp_path / "late.etl")
    w.write(path)

    for schemas, before in (([_user_variant(a), _user_variant(b)], "manifest"), (None, None)):
        for prov, own in ((a, "inband"), (b, "injected")):
            seq = []
            for ev in etw.open(path, schemas=schemas):
                if ev.provider_id == prov and ev.id == 5:
                    d = dict(ev)  # decoded first: the event keeps that schema
                    seq.append((ev.schema_source, next(iter(d), None)))
            assert len(seq) == n1 + n2
            runs = _runs(seq)
            assert [r[0] for r in runs] == [(before, "un" if before else None), (own, "n")], runs
            assert n1 - 25000 < runs[0][1] < n1  # the read-ahead, roughly
            assert all(x == (own, "n") for x in seq[n1:])
    # After the manifest, the map is the trace's too.
    last = [ev for ev in etw.open(path, schemas=[_user_variant(a), _user_variant(b)])
            if ev.id == 5][-2:]
    assert [(ev.schema_source, ev.format("f")) for ev in last] == [("inband", "Red"),
                                                                   ("injected", "Red")]

def test_lazy_provide_through_open(corpus_dir):
    """etw.open(path, schemas=S): the binding asks S for a provider the first
    time its events miss a schema (no explicit provide())."""
    s = Schemas(_manifest(corpus_dir, "tx_HTTP_Server.man"))
    trace = etw.open(_path(corpus_dir, "tx_HTTP_Server.etl"), schemas=s)
    assert trace.schemas is s
    ev = next(ev for ev in trace if ev.kind == "manifest")
    if len(ev) == 0:
        pytest.skip("the binding does not call Schemas._provide yet")
    assert dict(ev) == {"ConnectionObj": 0xfffffa8003e92010, "LocalAddrLength": 28,
                        "LocalAddr": _sockaddr(base64.b64decode(
                            "FwAAUAAAAAAgAUiYAAAP/wAAXv4KeBCdAAAAAA==")),
                        "RemoteAddrLength": 28,
                        "RemoteAddr": _sockaddr(base64.b64decode(
                            "FwCTzQAAAAAgAUiYAAAP/wAAXv4KUOQQAAAAAA=="))}


def test_inband_manifests_parsed_once_per_process(corpus_dir):
    """The in-band manifests of a trace are parsed once per process: a second trace of
    the same file (or of another with the same EventSource manifests) registers the
    same packed schemas from the cache, and the events decode the same."""
    import etw.schemas as S
    path = _path(corpus_dir, "perfview_net.4.5.2.x64.etl")
    texts = [t for _p, t in _etw._inband_scan(path)]
    assert [len(t) for t in texts] == [8831, 50580, 13038]
    for t in texts:
        S._inband_cache.pop(t, None)
    first = [S._inband_blobs(t) for t in texts]
    assert all(t in S._inband_cache for t in texts)
    # 163 EventSource events and their maps; the same list objects come back.
    assert sum(1 for b in first for k, _ in b if k == "tei") == 163
    assert [S._inband_blobs(t) for t in texts] == first
    assert all(S._inband_blobs(t) is b for t, b in zip(texts, first))

    def names(trace):
        return collections.Counter(ev.name for ev in trace if ev.kind == "manifest"
                                   and ev.schema_source == "inband")
    with_cache = names(etw.open(path))
    for t in texts:
        S._inband_cache.pop(t, None)
    without = names(etw.open(path))
    assert with_cache == without and sum(without.values()) > 0
    # A manifest that does not parse is remembered as describing nothing.
    assert S._inband_blobs(b"<not a manifest") == []


def test_inband_cache_is_bounded():
    import etw.schemas as S
    saved = dict(S._inband_cache)
    try:
        for i in range(S._INBAND_CACHE_MAX + 10):
            S._inband_blobs(b"<x%d" % i)
        assert len(S._inband_cache) == S._INBAND_CACHE_MAX
        assert b"<x0" not in S._inband_cache  # the oldest went first
        assert b"<x%d" % (S._INBAND_CACHE_MAX + 9) in S._inband_cache
    finally:
        S._inband_cache.clear()
        S._inband_cache.update(saved)


def test_json_system_text_follows_each_traces_schemas(corpus_dir):
    """to_json() keeps the System text per schema and header fields: the same file read
    with and without its manifest, interleaved, gives each event the names of its own
    trace's schemas (the manifest's, or the fallback ones), the same as to_dict()."""
    import json
    path = _path(corpus_dir, "tx_HTTP_Server.etl")
    with_man = etw.open(path, schemas=[_manifest(corpus_dir, "tx_HTTP_Server.man")])
    without = etw.open(path)
    named = 0
    for _round in range(2):
        for a, b in zip(with_man, without):
            for ev in (a, b):
                sys_json = json.loads(ev.to_json())["System"]
                sys_dict = ev.to_dict()["System"]
                assert sys_json["EventName"] == sys_dict["EventName"] == (ev.name or "")
                assert sys_json["Provider"]["Name"] == (ev.provider_name or "")
                for k in ("Level", "Task", "Opcode", "Channel"):
                    assert sys_json[k] == sys_dict[k], k
                assert sys_json["Keywords"]["Name"] == sys_dict["Keywords"]["Name"]
            if a.provider_id == HTTP and a.name != b.name:
                named += 1
    # the manifest names events the trace alone cannot (its schema-less fallback)
    assert named > 1000
