"""Provider strings, GUID helpers, the TraceLogging name hash and the well-known table.

Expected GUIDs are the ones real traces and Windows' own manifests carry (the corpus, see
shared/etl-corpus/SOURCES.md and expected/*LogFile.txt), typed in by hand."""

import dataclasses
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from etw.filters import EventFilter, event_name_filter
from etw.providers import (EnableProperty, Provider, default_resolver, format_guid,
                           parse_guid, tracelogging_guid, well_known_provider,
                           well_known_providers)

KPROC = uuid.UUID("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716")


# ---------------------------------------------------------------- GUIDs

@pytest.mark.parametrize("text", [
    "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716",
    "{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}",
    "22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716",
    " {22Fb2cD6-0e7B-422b-A0c7-2fAd1fD0e716} ",
])
def test_parse_guid_forms(text):
    assert parse_guid(text) == KPROC


@pytest.mark.parametrize("text", [
    "", "xyz", "{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}",
    "22fb2cd60e7b422ba0c72fad1fd0e716", "{{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}}",
    "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e71", "urn:uuid:22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716",
])
def test_parse_guid_rejects(text):
    with pytest.raises(ValueError):
        parse_guid(text)


def test_format_guid():
    assert format_guid(KPROC) == "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716"
    assert format_guid(KPROC, braces=True) == "{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}"
    assert format_guid("{22FB2CD6-0e7b-422b-a0c7-2fad1fd0e716}", braces=True, upper=True) == \
        "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}"
    assert format_guid(KPROC, upper=True) == "22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716"


# ---------------------------------------------------------------- TraceLogging name hash

@pytest.mark.parametrize("name, guid", [
    # etl-format.md 3a, and PerfView's collection log in the corpus
    ("Microsoft-Diagnostics-DiagnosticSource", "adb401e1-5296-51f8-c125-5fda75826144"),
    ("DotNet", "319dc449-ada5-50f7-428e-957db6791668"),
    ("Microsoft-AspNetCore-Hosting", "9e620d2a-55d4-5ade-deb7-c26046d245a8"),
    ("Microsoft-Windows-ASPNET", "ee799f41-cfa5-550b-bf2c-344747c1c668"),
    # SOURCES.md: perfview_SelfDescribingSingleEvent.etl provider "MySource"
    ("MySource", "a61ea624-4944-55fc-c2a8-37838829438d"),
    # the GUIDs Windows registers for these two (manifest dumps of build 18990)
    ("Microsoft-Antimalware-Scan-Interface", "2a576b87-09a7-520e-c21a-4942f0271d67"),
    ("Microsoft-Windows-Threat-Intelligence", "f4e1897c-bb5d-5668-f1d8-040f4d8dd344"),
])
def test_tracelogging_guid(name, guid):
    assert tracelogging_guid(name) == uuid.UUID(guid)
    assert tracelogging_guid(name.lower()) == uuid.UUID(guid)  # the name is upper-cased


# ---------------------------------------------------------------- Provider defaults and checks

def test_provider_defaults():
    p = Provider(KPROC)
    assert p.guid == KPROC
    assert p.name == "Microsoft-Windows-Kernel-Process"
    assert p.level == 0xFF
    assert p.match_any_keyword == 0xFFFFFFFFFFFFFFFF
    assert p.match_all_keyword == 0
    assert p.event_ids == () and p.exclude_event_ids == () and p.pids == ()
    assert p.exe_names == () and p.filters == ()
    assert p.enable_properties == 0x80
    assert p.enable_properties is EnableProperty.PROCESS_START_KEY
    assert p.filter_descriptors() == []


def test_provider_from_name_and_guid_string():
    assert Provider("microsoft-windows-kernel-process").guid == KPROC
    assert Provider("microsoft-windows-kernel-process").name == \
        "Microsoft-Windows-Kernel-Process"
    assert Provider("{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}").guid == KPROC
    unknown = Provider("0c0a6e13-5d5f-4c1e-9d0b-111111111111")
    assert unknown.name is None
    with pytest.raises(ValueError):
        Provider("   ")
    with pytest.raises(ValueError):
        Provider("{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716")


def test_enable_property_values():
    assert [(m.name, int(m)) for m in EnableProperty] == [
        ("SID", 0x1), ("TS_ID", 0x2), ("STACK_TRACE", 0x4), ("PSM_KEY", 0x8),
        ("IGNORE_KEYWORD_0", 0x10), ("PROVIDER_GROUP", 0x20), ("ENABLE_KEYWORD_0", 0x40),
        ("PROCESS_START_KEY", 0x80), ("EVENT_KEY", 0x100), ("EXCLUDE_INPRIVATE", 0x200),
        ("ENABLE_SILOS", 0x400), ("SOURCE_CONTAINER_TRACKING", 0x800)]
    p = Provider(KPROC, enable_properties=EnableProperty.SID | EnableProperty.STACK_TRACE)
    assert p.enable_properties == 5


def test_provider_filters_bytes():
    p = Provider(KPROC, event_ids=(1, 0x0203), pids=(4,), exe_names="a.exe",
                 filters=[event_name_filter(["X"])])
    assert p.exe_names == ("a.exe",)
    assert p.filter_descriptors() == [
        EventFilter(0x80000200, b"\x01\x00\x02\x00\x01\x00\x03\x02"),
        EventFilter(0x80000004, b"\x04\x00\x00\x00"),
        EventFilter(0x80000008, b"a\x00.\x00e\x00x\x00e\x00\x00\x00"),
        EventFilter(0x80000400, bytes.fromhex("ffffffffffffffff0000000000000000ff0101005800")),
    ]
    assert Provider(KPROC, exe_names="a.exe;b.exe").exe_names == ("a.exe", "b.exe")
    assert Provider(KPROC, exe_names="a.exe;b.exe").filter_descriptors() == \
        Provider(KPROC, exe_names=["a.exe", "b.exe"]).filter_descriptors()
    q = Provider(KPROC, exclude_event_ids=[7])
    assert q.filter_descriptors() == [EventFilter(0x80000200, b"\x00\x00\x01\x00\x07\x00")]


def test_provider_limits_raise():
    Provider(KPROC, pids=range(8), event_ids=range(64))
    with pytest.raises(ValueError, match="at most 8"):
        Provider(KPROC, pids=range(9))
    with pytest.raises(ValueError, match="at most 64"):
        Provider(KPROC, event_ids=range(65))
    with pytest.raises(ValueError, match="at most 64"):
        Provider(KPROC, exclude_event_ids=range(65))
    with pytest.raises(ValueError):
        Provider(KPROC, pids=[2 ** 32])
    with pytest.raises(ValueError):
        Provider(KPROC, level=256)
    with pytest.raises(ValueError):
        Provider(KPROC, match_any_keyword=-1)
    with pytest.raises(ValueError):
        Provider(KPROC, enable_properties=2 ** 32)
    with pytest.raises(ValueError, match="not both"):
        Provider(KPROC, event_ids=[1], exclude_event_ids=[2])
    with pytest.raises(ValueError):
        Provider(KPROC, filters=["not a filter"])


def test_provider_is_frozen_and_replace_validates():
    p = Provider(KPROC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.level = 4
    assert p.replace(level=4).level == 4
    assert p.replace(level=4).guid == KPROC
    assert p.replace(level=4).name == "Microsoft-Windows-Kernel-Process"
    moved = p.replace(guid="Microsoft-Windows-Kernel-File")
    assert moved.guid == uuid.UUID("edd08927-9cc4-4e65-b970-c2560fb5c289")
    assert moved.name == "Microsoft-Windows-Kernel-File"
    with pytest.raises(ValueError):
        p.replace(pids=range(9))


# ---------------------------------------------------------------- Provider.parse

def test_parse_name_only():
    p = Provider.parse("Microsoft-Windows-Kernel-Process")
    assert (p.guid, p.name, p.level, p.match_any_keyword, p.match_all_keyword, p.event_ids) == \
        (KPROC, "Microsoft-Windows-Kernel-Process", 0xFF, 0xFFFFFFFFFFFFFFFF, 0, ())
    assert p.enable_properties == 0x80


def test_parse_guid_ident_any_case():
    p = Provider.parse("{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}:4")
    assert p.guid == KPROC and p.level == 4
    assert p.name == "Microsoft-Windows-Kernel-Process"


def test_parse_all_fields():
    p = Provider.parse("microsoft-windows-kernel-process:5:1, 2,3:0x10:0X20")
    assert p.name == "Microsoft-Windows-Kernel-Process"
    assert (p.level, p.event_ids, p.match_any_keyword, p.match_all_keyword) == \
        (5, (1, 2, 3), 0x10, 0x20)


def test_parse_empty_fields_keep_defaults():
    p = Provider.parse("Microsoft-Windows-Kernel-Process:::0x10")
    assert (p.level, p.event_ids, p.match_any_keyword, p.match_all_keyword) == \
        (0xFF, (), 0x10, 0)
    p = Provider.parse("Microsoft-Windows-Kernel-Process::::")
    assert (p.level, p.match_any_keyword) == (0xFF, 0xFFFFFFFFFFFFFFFF)


def test_parse_numbers_leading_zero_is_decimal():
    assert Provider.parse("MySource:010").level == 10        # goetw (Go) would read 8
    assert Provider.parse("MySource:0x0A").level == 10
    assert Provider.parse("MySource::0010,0x10").event_ids == (10, 16)
    assert Provider.parse("MySource:::18446744073709551615").match_any_keyword == 2 ** 64 - 1


@pytest.mark.parametrize("spec", [
    "", ":5", "  :5", "MySource:0o10", "MySource:0b1", "MySource:-1", "MySource:+1",
    "MySource:256", "MySource:1_0", "MySource:5 5", "MySource::65536", "MySource::1,,2",
    "MySource::1,", "MySource:::0x10000000000000000", "MySource:::x10", "MySource:1:2:3:4:5",
    "MySource:\u0661",  # an Arabic-Indic digit: not accepted although int() would be
    "{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716",
])
def test_parse_rejects(spec):
    with pytest.raises(ValueError):
        Provider.parse(spec)


def test_parse_event_id_limit():
    ok = Provider.parse("MySource::" + ",".join(str(i) for i in range(64)))
    assert ok.event_ids == tuple(range(64))
    with pytest.raises(ValueError, match="at most 64"):
        Provider.parse("MySource::" + ",".join(str(i) for i in range(65)))


def test_parse_unknown_name_uses_tracelogging_hash():
    p = Provider.parse("MySource:5")
    assert p.guid == uuid.UUID("a61ea624-4944-55fc-c2a8-37838829438d")
    assert p.name == "MySource"


def test_parse_with_injected_resolver():
    seen = []
    target = uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")

    def resolver(name):
        seen.append(name)
        return target

    p = Provider.parse("  Some Provider :3", resolver=resolver)
    assert (p.guid, p.name, p.level) == (target, "Some Provider", 3)
    assert seen == ["Some Provider"]
    with pytest.raises(ValueError, match="not a uuid"):
        Provider.parse("X", resolver=lambda n: "01234567-89ab-cdef-0123-456789abcdef")

    def failing(name):
        raise ValueError(f"no provider {name}")

    with pytest.raises(ValueError, match="no provider X"):
        Provider.parse("X", resolver=failing)


# ---------------------------------------------------------------- the well-known table

# name -> GUID, typed from the sources named in etw/_wellknown.py
EXPECTED_GUIDS = {
    "Microsoft-Windows-Kernel-Process": "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716",
    "Microsoft-Windows-Kernel-File": "edd08927-9cc4-4e65-b970-c2560fb5c289",
    "Microsoft-Windows-Kernel-Network": "7dd42a49-5329-4832-8dfd-43d979153a88",
    "Microsoft-Windows-Kernel-Registry": "70eb4f03-c1de-4f73-a051-33d13d5413bd",
    "Microsoft-Windows-Kernel-Memory": "d1d93ef7-e1f2-4f45-9943-03d245fe6c00",
    "Microsoft-Windows-Kernel-Audit-API-Calls": "e02a841c-75a3-4fa7-afc8-ae09cf9b7f23",
    "Microsoft-Windows-Kernel-Power": "331c3b3a-2005-44c2-ac5e-77220c37d6b4",
    "Microsoft-Windows-Kernel-EventTracing": "b675ec37-bdb6-4648-bc92-f3fdc74d3ca2",
    "Microsoft-Windows-DNS-Client": "1c95126e-7eea-49a9-a3fe-a378b03ddb4d",
    "Microsoft-Windows-PowerShell": "a0c1853b-5c40-4b15-8766-3cf1c58f985a",
    "Microsoft-Windows-Security-Auditing": "54849625-5478-4994-a5ba-3e3b0328c30d",
    "Microsoft-Windows-Threat-Intelligence": "f4e1897c-bb5d-5668-f1d8-040f4d8dd344",
    "Microsoft-Windows-WMI-Activity": "1418ef04-b0b4-4623-bf7e-d74ab47bbdaa",
    "Microsoft-Windows-DotNETRuntime": "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4",
    "Microsoft-Windows-DotNETRuntimeRundown": "a669021c-c450-4609-a035-5af59af4df18",
    "Microsoft-Windows-TCPIP": "2f07e2ee-15db-40f1-90ef-9d7ba282188a",
    "Microsoft-Windows-WinINet": "43d1a55c-76d6-4f7e-995c-64c711e5cafe",
    "Microsoft-Windows-WinHttp": "7d44233d-3055-4b9c-ba64-0d47ca40a232",
    "Microsoft-Windows-HttpService": "dd5ef90a-6398-47a4-ad34-4dcecdef795f",
    "Microsoft-Windows-Sysmon": "5770385f-c22a-43e0-bf4c-06f5698ffbd9",
    "Microsoft-Windows-LDAP-Client": "099614a5-5dd7-4788-8bc9-e29f43db28fc",
    "Microsoft-Windows-SMBClient": "988c59c5-0a1c-45b6-a555-0c62276e327d",
    "Microsoft-Windows-RPC": "6ad52b32-d609-4be9-ae07-ce8dae937e39",
    "Microsoft-Windows-Win32k": "8c416c79-d49b-4f01-a467-e56d3aa8234c",
    "Microsoft-Windows-DxgKrnl": "802ec45a-1e99-4b83-9920-87c98277ba9d",
    "Microsoft-Antimalware-Scan-Interface": "2a576b87-09a7-520e-c21a-4942f0271d67",
}


def test_well_known_guids():
    for name, guid in EXPECTED_GUIDS.items():
        entry = well_known_provider(name.upper())
        assert entry is not None, name
        assert (entry.name, entry.guid) == (name, uuid.UUID(guid))
        assert well_known_provider(uuid.UUID(guid)).name == name
        assert well_known_provider("{" + guid.upper() + "}").name == name
        assert default_resolver(name.lower()) == uuid.UUID(guid)
    assert well_known_provider("No-Such-Provider") is None
    assert default_resolver("No-Such-Provider") == tracelogging_guid("No-Such-Provider")


def test_well_known_table_is_consistent():
    entries = well_known_providers()
    assert len({e.name.lower() for e in entries}) == len(entries)
    assert len({e.guid for e in entries}) == len(entries)
    for e in entries:
        for kw, mask in e.keywords.items():
            assert re.fullmatch(r"\S+", kw) and 0 < mask < 2 ** 64, (e.name, kw)


def test_well_known_keywords():
    kp = well_known_provider("Microsoft-Windows-Kernel-Process").keywords
    assert kp["WINEVENT_KEYWORD_PROCESS"] == 0x10
    assert kp["WINEVENT_KEYWORD_THREAD"] == 0x20
    assert kp["WINEVENT_KEYWORD_IMAGE"] == 0x40
    kf = well_known_provider("Microsoft-Windows-Kernel-File").keywords
    assert kf["KERNEL_FILE_KEYWORD_FILENAME"] == 0x10
    assert kf["KERNEL_FILE_KEYWORD_CREATE"] == 0x80
    clr = well_known_provider("Microsoft-Windows-DotNETRuntime").keywords
    assert clr["GCKeyword"] == 0x1 and clr["LoaderKeyword"] == 0x8 and clr["JitKeyword"] == 0x10
    with pytest.raises(TypeError):
        kp["X"] = 1  # read-only


# ---------------------------------------------------------------- cross-check with the corpus

def _manifest_providers(path):
    ns = "{http://schemas.microsoft.com/win/2004/08/events}"
    root = ET.parse(path).getroot()
    for prov in root.iter(ns + "provider"):
        keywords = {k.get("name"): int(k.get("mask"), 16)
                    for k in prov.iter(ns + "keyword")}
        yield prov.get("name"), uuid.UUID(prov.get("guid").strip("{}")), keywords


def test_table_matches_corpus_manifests(corpus_dir):
    checked = []
    for path in sorted((Path(corpus_dir) / "manifests").glob("*.man")):
        for name, guid, keywords in _manifest_providers(path):
            entry = well_known_provider(name)
            if entry is None:
                continue
            assert entry.guid == guid, (path.name, name)
            # every manifest keyword mask is in the table (HttpService's test manifest
            # names its keywords keyword0..14, so compare the masks)
            assert set(keywords.values()) <= set(entry.keywords.values()), (path.name, name)
            checked.append(name[len("Microsoft-Windows-"):])
    assert sorted(checked) == [
        "DotNETRuntime", "DotNETRuntimeRundown", "HttpService", "Kernel-Disk",
        "Kernel-EventTracing", "Kernel-File", "Kernel-General", "Kernel-Memory",
        "Kernel-Network", "Kernel-Process", "Kernel-Process", "Kernel-Registry", "PowerShell"]


def test_table_matches_perfview_log(corpus_dir):
    line_re = re.compile(r"Enabling Provider:\*?(\S+) .*Guid:([0-9a-f-]{36})")
    seen = {}
    for path in sorted((Path(corpus_dir) / "expected").glob("*LogFile.txt")):
        for m in line_re.finditer(path.read_text(encoding="utf-8", errors="replace")):
            seen[m.group(1)] = uuid.UUID(m.group(2))
    checked = 0
    for name, guid in seen.items():
        entry = well_known_provider(name)
        if entry is not None:
            assert entry.guid == guid, name
            checked += 1
    assert checked >= 7  # Kernel-File/-Process/-Power/-EventTracing, WinINet, DNS-Client, ...
