"""WPP decoding with TMF files (etw.wpp).

The corpus part replays the oracle in expected/findneedle_wpp_expected_messages.txt
(message texts tracefmt prints, transcribed from guscatalano/findneedle) on the 11
findneedle_wpp*.etl files with the TMFs of wpp-tmf/.  The rest checks the TMF parser
and the formatter on synthetic TMF text and payloads, with exact expected strings.
"""

from __future__ import annotations

import collections
import datetime as dt
import importlib.util
import json
import os
import struct
import types
import uuid

import pytest

import etw
from etw import wpp
from etw.wpp import NO_VALUE, TmfDatabase, format_time_delta, parse_tmf

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "etl-corpus"))
ORACLE = os.path.join(CORPUS, "expected", "findneedle_wpp_expected_messages.txt")
TMF_DIR = os.path.join(CORPUS, "wpp-tmf")

WPP_FILES = [
    "findneedle_wppbin-sample.etl",
    "findneedle_wppemitter-nonselfdesc.etl",
    "findneedle_wppemitter-sample.etl",
    "findneedle_wppenum-sample.etl",
    "findneedle_wppenum2-sample.etl",
    "findneedle_wppmisc-sample.etl",
    "findneedle_wppndis-sample.etl",
    "findneedle_wppstr-sample.etl",
    "findneedle_wpptime-sample.etl",
    "findneedle_wpptypes-sample.etl",
    "findneedle_wpptypes2-sample.etl",
]


def _oracle_lines():
    if not os.path.isfile(ORACLE):
        return []
    rows = []
    with open(ORACLE, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, kind, value = line.split("\t")
            rows.append((name, kind, value))
    return rows


ORACLE_ROWS = _oracle_lines()


@pytest.fixture(scope="module")
def decoded():
    """{file name: [(event, WppMessage or None)]} for the 11 files, decoded once."""
    if not os.path.isdir(TMF_DIR) or not os.path.isfile(ORACLE):
        pytest.skip("../shared/etl-corpus (wpp-tmf, expected/) is not available")
    db = TmfDatabase(TMF_DIR)
    out = {}
    for name in WPP_FILES:
        path = os.path.join(CORPUS, name)
        if not os.path.isfile(path):
            pytest.skip("%s is not available" % name)
        rows = []
        for ev in etw.open(path):
            if ev.kind == "wpp":
                rows.append((ev.provider_id, ev.id, db.decode(ev), db.last_reason))
        out[name] = rows
    assert db.warnings == []
    return out


@pytest.fixture(scope="module")
def opened():
    """{file name: [Event]} of the WPP events of the 11 files read with
    etw.open(path, schemas=[TMF_DIR]) (the public API)."""
    if not os.path.isdir(TMF_DIR) or not os.path.isfile(ORACLE):
        pytest.skip("../shared/etl-corpus (wpp-tmf, expected/) is not available")
    out = {}
    for name in WPP_FILES:
        path = os.path.join(CORPUS, name)
        if not os.path.isfile(path):
            pytest.skip("%s is not available" % name)
        out[name] = [ev for ev in etw.open(path, schemas=[TMF_DIR]) if ev.kind == "wpp"]
    return out


def _messages(source, decoded, opened, name):
    """The WppMessage of each WPP record of a file: from TmfDatabase.decode, or ev.wpp
    through etw.open (where ev.message must be that message's text)."""
    if source == "tmfdb":
        return [m for _, _, m, _ in decoded[name]]
    events = opened[name]
    assert all(ev.wpp is not None and ev.message == ev.wpp.message and ev.wpp_reason is None
               for ev in events)
    return [ev.wpp for ev in events]


def test_oracle_has_every_kind_of_line():
    if not ORACLE_ROWS:
        pytest.skip("oracle not available")
    assert len(ORACLE_ROWS) == 31
    assert collections.Counter(kind for _, kind, _ in ORACLE_ROWS) == {"contains": 27, "count": 3, "component": 1}
    assert {name for name, _, _ in ORACLE_ROWS} == set(WPP_FILES) - {"findneedle_wppemitter-nonselfdesc.etl"}


@pytest.mark.parametrize("source", ["tmfdb", "open"])
@pytest.mark.parametrize("row", ORACLE_ROWS, ids=["%s:%s:%s" % r for r in ORACLE_ROWS])
def test_oracle_line(decoded, opened, row, source):
    name, kind, value = row
    messages = _messages(source, decoded, opened, name)
    assert all(m is not None for m in messages)
    if kind == "contains":
        assert value in [m.message for m in messages]
    elif kind == "count":
        label, _, expected = value.rpartition(" = ")
        if label.startswith("msg#"):
            number = int(label[4:].split()[0])
            assert sum(1 for m in messages if m.message_number == number) == int(expected)
        else:
            assert label == "total messages"
            assert len(messages) == int(expected)
    elif kind == "component":
        assert {m.component for m in messages} == {value}
    else:
        pytest.fail("unknown oracle kind %r" % kind)


def test_every_wpp_record_decodes_completely(decoded):
    for name, rows in decoded.items():
        assert rows, name
        for guid, number, msg, reason in rows:
            assert msg is not None, (name, reason)
            assert reason is None
            assert msg.complete and msg.errors == (), (name, msg.errors)
            assert msg.guid == guid and msg.message_number == number
            assert msg.function == "main" and msg.component == "findneedle"


def test_open_gives_what_tmfdatabase_gives(decoded, opened):
    """All 11 files: etw.open(path, schemas=[TMF_DIR]) gives, event by event, the
    message, TMF facts and arguments TmfDatabase.decode gives; dict(ev), to_dict()'s
    EventData and to_json()'s EventData carry the arguments."""
    total = 0
    for name in WPP_FILES:
        rows, events = decoded[name], opened[name]
        assert len(events) == len(rows), name
        for (guid, number, m, _), ev in zip(rows, events):
            w = ev.wpp
            assert (ev.provider_id, ev.id) == (guid, number)
            assert ev.message == m.message
            assert (w.message_number, w.name, w.component, w.function, w.file, w.line, w.level, w.flags) == (
                m.message_number, m.name, m.component, m.function, m.file, m.line, m.level, m.flags)
            assert w.arguments == m.arguments and w.complete and w.errors == ()
            assert dict(ev) == m.args
            data = ev.to_dict()["EventData"]
            assert data == m.args and data is not ev.to_dict()["EventData"]
            assert list(json.loads(ev.to_json())["EventData"]) == list(m.args)
            total += 1
    assert total == 99


def test_counts_per_file(decoded):
    counts = {name: collections.Counter(m.message_number for _, _, m, _ in rows) for name, rows in decoded.items()}
    assert counts == {
        "findneedle_wppbin-sample.etl": {10: 1, 11: 1},
        "findneedle_wppemitter-nonselfdesc.etl": {10: 20, 11: 10},
        "findneedle_wppemitter-sample.etl": {10: 30, 11: 15},
        "findneedle_wppenum-sample.etl": {10: 1, 11: 1},
        "findneedle_wppenum2-sample.etl": {10: 1},
        "findneedle_wppmisc-sample.etl": {10: 1, 11: 1},
        "findneedle_wppndis-sample.etl": {10: 1},
        "findneedle_wppstr-sample.etl": {10: 3, 11: 1},
        "findneedle_wpptime-sample.etl": {10: 1, 11: 1},
        "findneedle_wpptypes-sample.etl": {10: 1, 11: 1, 12: 1, 13: 1, 14: 1},
        "findneedle_wpptypes2-sample.etl": {10: 1, 11: 1, 12: 1, 13: 1, 14: 1},
    }


def test_nonselfdesc_file_uses_the_provisioned_tmf(decoded):
    rows = decoded["findneedle_wppemitter-nonselfdesc.etl"]
    assert {g for g, _, _, _ in rows} == {uuid.UUID("9b93a332-c452-3e71-64f7-55130c7de2e4")}
    texts = [m.message for _, _, m, _ in rows]
    assert texts[0] == "WppEmitter work item id=0 status=0x0 phase=startup provider=WppEmitter"
    assert "WppEmitter detail seq=18 note=processing-record value=18 category=Detail" in texts


def test_corpus_message_details(decoded):
    by_text = {m.message: m for rows in decoded.values() for _, _, m, _ in rows}
    m = by_text["sint i=42 neg=-1000 i64=-5000000000"]
    assert m.args == {"(int)42": 42, "(int)-1000": -1000, "(long long)-5000000000LL": -5000000000}
    assert (m.name, m.file, m.line, m.level, m.flags) == (
        "WppTypesEmitter_cpp23", "WppTypesEmitter.cpp", 23, "T_ALL", None)
    assert m.tmf.endswith("4857fab7-1162-3184-360b-cdd863ddf4ea.tmf")
    assert m[10] == 42 and m["(int)-1000"] == -1000
    m = by_text["uint u=4000000000 hex=0xabcdef x64=0xdeadbeefcafe"]
    assert list(m.args.values()) == [4000000000, 0xABCDEF, 0xDEADBEEFCAFE]
    m = by_text["hr=0x80070005(ERROR_ACCESS_DENIED) st=0xc0000022(STATUS_ACCESS_DENIED) "
                "guid=11223344-5566-7788-99aa-bbccddeeff00"]
    assert m["&g"] == uuid.UUID("11223344-5566-7788-99aa-bbccddeeff00")
    assert m["(HRESULT)E_ACCESSDENIED"] == 0x80070005
    m = by_text["clsid=aabbccdd-eeff-1122-3344-556677889900 iid=aabbccdd-eeff-1122-3344-556677889900"]
    assert list(m.args) == ["&clsid", "&clsid#11"]
    m = by_text["ts=2020-01-01 00:00:00.000Z"]
    assert m["(LONGLONG)u.QuadPart"] == dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    m = by_text["dbl=3.14062 delta=5.000s"]
    assert m.args == {"3.140625": 3.140625, "(LONGLONG)50000000": dt.timedelta(seconds=5)}
    m = by_text["hex=DEADBEEF00112233"]
    assert m.arguments[0].value == bytes.fromhex("DEADBEEF00112233")
    assert m.arguments[0].type == "ItemHexDump"
    m = by_text["b=0x00000001(true) irql=0x00000002(DPC)"]
    assert [(a.type, a.value, a.text) for a in m.arguments] == [
        ("ItemListLong(false,true)", 1, "0x00000001(true)"), ("ItemListByte(Low,APC,DPC)", 2, "0x00000002(DPC)")]
    m = by_text["strtrace name=alpha id=0 tag=END"]
    assert m.formatted() == "[10]7B70.7838::07/31/2026-08:51:22.318 [findneedle]strtrace name=alpha id=0 tag=END"
    assert m.formatted("%2!s!(%!FUNC!@%!LINE!) seq=%7!u! ") == \
        "WppStrEmitter_cpp27(main@27) seq=0 strtrace name=alpha id=0 tag=END"


# ---------------------------------------------------------------------------
# Synthetic TMFs and payloads
# ---------------------------------------------------------------------------

GUID_A = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
GUID_B = uuid.UUID("0f0e0d0c-0b0a-0908-0706-050403020100")


def make_db(body: str, guid: uuid.UUID = GUID_A, component: str = "comp", src: str = "test.c") -> TmfDatabase:
    db = TmfDatabase()
    db.add_text("// PDB: test\n%s %s // SRC=%s MJ= MN=\n%s" % (guid, component, src, body))
    return db


def one(spec_type: str, payload: bytes, fmt: str = "%10!s!", pointer_size: int = 8, number: int = 10) -> str:
    """Format one argument of type ``spec_type`` with format ``fmt``."""
    db = make_db('#typev test_c1 %d "%%0%s" // LEVEL=L FUNC=f\n{\nx, %s -- 10\n}\n' % (number, fmt, spec_type))
    msg = db.decode(event(GUID_A, number, payload, pointer_size=pointer_size))
    assert msg is not None, db.last_reason
    return msg.message


def event(guid=GUID_A, number=10, payload=b"", **kw):
    attrs = dict(kind="wpp", provider_id=guid, id=number, payload=payload, pointer_size=8, pid=0x1234,
                 tid=0xABC, cpu=3, wpp_sequence=7, wpp_flags=0x2A, filetime=132223104000000000 + 12345678,
                 timestamp=None)
    attrs.update(kw)
    return types.SimpleNamespace(**attrs)


TMF_SAMPLE = """\
// PDB:  C:\\build\\drv.pdb
// PDB:  Last Updated :2026-01-01:00:00:00:000 (UTC) [tracepdb]
00112233-4455-6677-8899-aabbccddeeff mydriver // SRC=queue.c MJ= MN=
#typev queue_c120 12 "%0Enter %10!s! level=%11!d!" //   LEVEL=TRACE_LEVEL_INFORMATION FLAGS=TRACE_QUEUE FUNC=QueueStart COMPNAME=Q
{
Name, ItemString -- 10
foo(a, b), ItemLong -- 11
}
#typev queue_c130 13 "%0Split
 across lines %10!d!" // LEVEL=L FUNC=F
{
v, ItemLong -- 10
}
#typev queue_c140 14 "No prefix %10!s!%11!s!" // FUNC=G
{
  s, ItemListShort(A,B=5,C) -- 10
  t, ItemFlagsEnum(_FL) // 11
}
#enumv _FL
{
F1,0x1
F4,4
}
0f0e0d0c-0b0a-0908-0706-050403020100 other
#typev other_h7 10 "%0only %10!x!"
{
n, ItemLong
}
"""


def test_parse_tmf_sections_messages_and_enums():
    sections, enums, warnings = parse_tmf(TMF_SAMPLE, "sample.tmf")
    assert warnings == []
    assert [(s.guid, s.component, s.source) for s in sections] == [
        (GUID_A, "mydriver", "queue.c"), (GUID_B, "other", None)]
    a = sections[0].messages
    assert sorted(a) == [12, 13, 14]
    m = a[12]
    assert (m.name, m.number, m.format) == ("queue_c120", 12, "%0Enter %10!s! level=%11!d!")
    assert (m.level, m.flags, m.function, m.file, m.line) == (
        "TRACE_LEVEL_INFORMATION", "TRACE_QUEUE", "QueueStart", "queue.c", 120)
    assert m.fields["COMPNAME"] == "Q" and m.component == "mydriver" and m.path == "sample.tmf"
    assert [(x.number, x.name, x.item_type, x.params) for x in m.args] == [
        (10, "Name", "ItemString", ""), (11, "foo(a, b)", "ItemLong", "")]
    assert a[13].format == "%0Split across lines %10!d!"
    assert [(x.number, x.item_type, x.params, x.type_text) for x in a[14].args] == [
        (10, "ItemListShort", "A,B=5,C", "ItemListShort(A,B=5,C)"), (11, "ItemFlagsEnum", "_FL", "ItemFlagsEnum(_FL)")]
    assert a[14].has_prefix is False and a[12].has_prefix is True
    o = sections[1].messages[10]
    assert (o.file, o.line, o.args[0].number) == ("other.h", 7, 10)
    assert enums["_FL"].items == (("F1", 1), ("F4", 4))


def test_decode_sample_tmf():
    db = TmfDatabase()
    assert db.add_text(TMF_SAMPLE, "sample.tmf") == [GUID_A, GUID_B]
    m = db.decode(event(GUID_A, 12, b"abc\0" + struct.pack("<i", -3)))
    assert m.message == "Enter abc level=-3"
    assert m.args == {"Name": "abc", "foo(a, b)": -3}
    assert m.formatted() == "[3]1234.0ABC::01/01/2020-00:00:01.234 [mydriver]Enter abc level=-3"
    assert db.decode(event(GUID_A, 13, struct.pack("<i", 9))).message == "Split across lines 9"
    m = db.decode(event(GUID_A, 14, struct.pack("<HI", 6, 0xD)))
    assert m.message == "No prefix 0x00000006(C)F1 | F4 | 0x8(0xd)"
    assert m.formatted() == m.message
    assert db.decode(event(GUID_B, 10, struct.pack("<I", 0xBEEF))).message == "only beef"


def test_lookup_failures_give_a_reason():
    db = TmfDatabase()
    db.add_text(TMF_SAMPLE, "sample.tmf")
    assert db.decode(event(GUID_A, 99)) is None
    assert db.last_reason == ("No Format Information found: the TMF of message GUID %s (mydriver, sample.tmf) "
                              "has no message #99" % GUID_A)
    unknown = uuid.UUID("12345678-0000-0000-0000-000000000000")
    assert db.decode(event(unknown, 10)) is None
    assert db.last_reason == ("No Format Information found: no TMF for message GUID %s (message #10; "
                              "0 TMF file(s) known)" % unknown)
    assert db.explain(event(unknown, 10)) == db.last_reason
    assert db.decode(event(GUID_A, 12, b"x\0\0\0\0\0")) is not None and db.last_reason is None
    assert db.decode(event(kind="classic")) is None and db.last_reason == "not a WPP record (kind 'classic')"
    assert db.decode(event(wpp_flags=0x2C, wpp_component=5)) is None
    assert db.last_reason == "the record names a component id (5), not a message GUID; TMFs are looked up by GUID"
    assert db.explain(event(GUID_A, 12)) is None


def test_directory_lookup_is_lazy_and_by_guid(tmp_path):
    good = TMF_SAMPLE.split("0f0e0d0c")[0]
    (tmp_path / ("%s.tmf" % GUID_A)).write_text(good + "garbage line\n")
    (tmp_path / "collected.TMF").write_text(
        "%s other\n#typev other_h7 10 \"%%0only %%10!x!\"\n{\nn, ItemLong\n}\n" % GUID_B)
    (tmp_path / "readme.txt").write_text("%s nope\n" % uuid.UUID(int=1))
    db = TmfDatabase(str(tmp_path))
    assert db.warnings == [] and repr(db) == "<TmfDatabase 2 file(s), 0 GUID(s) parsed>"
    assert db.decode(event(GUID_B, 10, struct.pack("<I", 10))).message == "only a"
    assert db.warnings == []  # the GUID-named file was not read for another GUID
    assert db.decode(event(GUID_A, 12, b"q\0" + struct.pack("<i", 1))).message == "Enter q level=1"
    assert len(db.warnings) == 1 and db.warnings[0].endswith("line not understood: 'garbage line'")
    assert uuid.UUID(int=1) not in db  # .txt files in a directory are not TMFs
    assert db.guids() == [GUID_A, GUID_B]
    explicit = TmfDatabase([str(tmp_path / "readme.txt")])
    assert uuid.UUID(int=1) in explicit  # named explicitly, any extension counts
    with pytest.raises(FileNotFoundError):
        TmfDatabase(str(tmp_path / "missing"))


def test_looks_like_tmf(tmp_path):
    (tmp_path / "a.tmf").write_text("anything")
    (tmp_path / "b.txt").write_text("// PDB: x\n\n%s comp // SRC=x.c\n" % GUID_A)
    (tmp_path / "c.man").write_text("<?xml version='1.0'?>\n<instrumentationManifest/>\n")
    (tmp_path / "sub").mkdir()
    assert wpp.looks_like_tmf(tmp_path)
    assert wpp.looks_like_tmf(tmp_path / "a.tmf")
    assert wpp.looks_like_tmf(str(tmp_path / "b.txt"))
    assert not wpp.looks_like_tmf(tmp_path / "c.man")
    assert not wpp.looks_like_tmf(tmp_path / "sub")
    assert not wpp.looks_like_tmf(tmp_path / "missing.tmf")


def test_tmf_file_encodings(tmp_path):
    path = tmp_path / "x.tmf"
    text = "%s comp\r\n#typev a_c1 10 \"%%0caf\u00e9 %%10!d!\"\r\n{\r\nv, ItemLong -- 10\r\n}\r\n" % GUID_A
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    db = TmfDatabase(str(path))
    assert db.decode(event(payload=struct.pack("<i", 5))).message == "caf\u00e9 5"
    path.write_bytes(text.encode("cp1252"))
    db = TmfDatabase(str(path))
    assert db.decode(event(payload=struct.pack("<i", 5))).message == "caf\u00e9 5"


# -- FormatMessage syntax ------------------------------------------------------


def test_format_message_escapes():
    assert one("ItemLong", struct.pack("<i", 1), "a%%b %.%! %t|%b|%n|%r|%10") == "a%b .! \t| |\n|\r|1"
    assert one("ItemLong", struct.pack("<i", 1), "before%0after %10!d!") == "before"
    assert one("ItemLong", struct.pack("<i", 7), "%10!d!%11!d!|%10") == "7" + NO_VALUE + "|7"


def test_wpp_type_names_as_specs_render_the_item():
    assert one("ItemHRESULT", b"\0\0\0\0", "%10!HRESULT!") == "S_OK"
    assert one("ItemNTSTATUS", b"\0\0\0\0", "%10!STATUS! %!STATUS!") == "STATUS_SUCCESS !STATUS!"


def test_prefix_inserts_in_the_message():
    assert one("ItemLong", struct.pack("<i", 1), "[%9!d!]%8!04X!.%3!04x!#%7!u! %1!s!/%2!s! %10!d!") == \
        "[3]1234.0abc#7 comp/test_c1 1"


def test_printf_integers():
    v = struct.pack("<i", -1000)
    assert one("ItemLong", v, "%10!d!") == "-1000"
    assert one("ItemLong", v, "%10!u!") == "4294966296"
    assert one("ItemLong", v, "%10!x!") == "fffffc18"
    assert one("ItemLong", v, "%10!X!") == "FFFFFC18"
    assert one("ItemLong", v, "%10!hd!") == "-1000"
    assert one("ItemLong", v, "%10!hu!") == "64536"
    assert one("ItemLong", v, "%10!I64d!") == "4294966296"
    p = struct.pack("<i", 42)
    assert one("ItemLong", p, "%10!05d!") == "00042"
    assert one("ItemLong", p, "%10!-5d!|") == "42   |"
    assert one("ItemLong", p, "%10!5d!") == "   42"
    assert one("ItemLong", p, "%10!+d!") == "+42"
    assert one("ItemLong", p, "%10! d!") == " 42"
    assert one("ItemLong", p, "%10!.4d!") == "0042"
    assert one("ItemLong", p, "%10!08.4d!") == "    0042"
    assert one("ItemLong", p, "%10!#x!") == "0x2a"
    assert one("ItemLong", p, "%10!#010X!") == "0X0000002A"
    assert one("ItemLong", p, "%10!#o!") == "052"
    assert one("ItemLong", p, "%10!o!") == "52"
    assert one("ItemLong", p, "%10!c!") == "*"
    assert one("ItemLong", struct.pack("<i", 0), "%10!.0d!|%10!#x!") == "|0"
    assert one("ItemLong", p, "%10!s!") == "42"
    assert one("ItemLong", p, "%10") == "42"
    assert one("ItemChar", b"\xff", "%10!d! %10!02x! %10!hhd!") == "255 ff -1"
    assert one("ItemChar", b"A", "%10!c!") == "A"
    assert one("ItemShort", struct.pack("<h", -2), "%10!hd! %10!hx! %10!d!") == "-2 fffe 65534"
    big = struct.pack("<q", -5000000000)
    assert one("ItemLongLong", big, "%10!I64d! %10!lld! %10!I64u!") == "-5000000000 -5000000000 18446744068709551616"
    assert one("ItemLongLongX", struct.pack("<Q", 0xDEADBEEFCAFE), "%10!I64x! %10!I64X! %10!llo!") == \
        "deadbeefcafe DEADBEEFCAFE 6752667673745376"
    assert one("ItemULongLong", struct.pack("<Q", 2 ** 64 - 1), "%10!I64u!") == "18446744073709551615"


def one_msg(spec_type: str, payload: bytes, fmt: str = "%10!s!"):
    """The WppMessage of one argument of type ``spec_type`` formatted with ``fmt``."""
    db = make_db('#typev test_c1 10 "%%0%s" // LEVEL=L FUNC=f\n{\nx, %s -- 10\n}\n' % (fmt, spec_type))
    msg = db.decode(event(GUID_A, 10, payload))
    assert msg is not None and msg.complete and msg.errors == (), db.last_reason
    return msg


def test_unsigned_integer_items():
    m = one_msg("ItemUChar", b"\xff", "%10!d! %10!hhd! %10!u! %10!02X! %10!s!")
    assert m.message == "255 -1 255 FF 255"
    assert m.args == {"x": 255}
    assert one("ItemUChar", b"A", "%10!c!|%10!3d!") == "A| 65"
    m = one_msg("ItemUShort", struct.pack("<H", 0xFFFE), "%10!d! %10!hd! %10!hu! %10!#06x! %10!s!")
    assert m.message == "65534 -2 65534 0xfffe 65534"
    assert m.args == {"x": 65534}
    assert one("ItemUShort", struct.pack("<H", 0x1F), "%10!04X!|%10!-6u!|") == "001F|31    |"
    m = one_msg("ItemULong", struct.pack("<I", 0xFFFFFFFF), "%10!u! %10!d! %10!X! %10!o! %10!s!")
    assert m.message == "4294967295 -1 FFFFFFFF 37777777777 4294967295"
    assert m.args == {"x": 4294967295}
    m = one_msg("ItemULongX", struct.pack("<I", 0xABCDEF), "%10!08X! %10!#x! %10!u! %10!s!")
    assert m.message == "00ABCDEF 0xabcdef 11259375 11259375"
    assert m.args == {"x": 0xABCDEF}
    # each reads exactly its own size: the next argument follows
    db = make_db('#typev t_c1 10 "%0%10!u!/%11!u!/%12!u!/%13!x!/%14!d!"\n{\na, ItemUChar -- 10\n'
                 'b, ItemUShort -- 11\nc, ItemULong -- 12\nd, ItemULongX -- 13\ne, ItemCharShort -- 14\n}\n')
    m = db.decode(event(payload=b"\x07" + struct.pack("<HIIb", 300, 70000, 0xBEEF, -3)))
    assert m.message == "7/300/70000/beef/253" and m.complete and m.errors == ()
    assert m.args == {"a": 7, "b": 300, "c": 70000, "d": 0xBEEF, "e": -3}


def test_item_char_short_is_signed():
    # ItemCharShort is tracefmt's signed 8-bit integer (what a MOF sint8 becomes;
    # traceprt prints it as a CHAR with %d).  printf's %d gets the byte zero-extended,
    # as FormatMessage receives every 1-byte item; the value and %s are signed.
    m = one_msg("ItemCharShort", b"\xff", "%10!d! %10!hhd! %10!x! %10!s!")
    assert m.message == "255 -1 ff -1"
    assert m.args == {"x": -1}
    assert m.arguments[0].value == -1 and m.arguments[0].text == "255"
    m = one_msg("ItemCharShort", b"\x80")
    assert (m.message, m["x"]) == ("-128", -128)
    m = one_msg("ItemCharShort", b"\x7f")
    assert (m.message, m["x"]) == ("127", 127)


def test_float_item():
    m = one_msg("ItemFloat", struct.pack("<f", 1.5), "%10!s! %10!.3f! %10!e! %10!8.2f!|")
    assert m.message == "1.5 1.500 1.500000e+00     1.50|"
    assert m.args == {"x": 1.5}
    m = one_msg("ItemFloat", struct.pack("<f", 0.1), "%10!s! %10!.9f!")
    assert m.message == "0.1 0.100000001"
    assert m["x"] == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert one("ItemFloat", struct.pack("<f", -2.0), "%10!g!|%10!d!") == "-2|-2"
    db = make_db('#typev t_c1 10 "%0%10!s! %11!d!"\n{\nf, ItemFloat -- 10\nn, ItemLong -- 11\n}\n')
    m = db.decode(event(payload=struct.pack("<fi", 0.25, -7)))  # 4 bytes each
    assert (m.message, m.args, m.errors) == ("0.25 -7", {"f": 0.25, "n": -7}, ())


def test_printf_star_width_takes_the_next_insert():
    db = make_db('#typev t_c1 10 "%0[%10!*d!]" // FUNC=f\n{\nw, ItemLong -- 10\nv, ItemLong -- 11\n}\n')
    assert db.decode(event(payload=struct.pack("<ii", 6, 42))).message == "[    42]"


def test_pointers():
    p = struct.pack("<Q", 0x7FF012345678)
    assert one("ItemPtr", p, "%10!p!") == "00007FF012345678"
    assert one("ItemPtr", p, "%10!Ix!") == "7ff012345678"
    assert one("ItemPtr", p, "%10!Iu!") == str(0x7FF012345678)
    assert one("ItemPtr", struct.pack("<I", 0xBEEF), "%10!p!", pointer_size=4) == "0000BEEF"
    assert one("ItemPtr", struct.pack("<I", 0xFFFFFFFF), "%10!Id!", pointer_size=4) == "-1"
    assert one("ItemPtr", struct.pack("<I", 0xFFFFFFFF), "%10!p!%11!s!", pointer_size=4) == "FFFFFFFF" + NO_VALUE


def test_doubles():
    d = struct.pack("<d", 3.140625)
    assert one("ItemDouble", d, "%10!s!") == "3.14062"
    assert one("ItemDouble", d, "%10!.2f!") == "3.14"
    assert one("ItemDouble", d, "%10!e!") == "3.140625e+00"
    assert one("ItemDouble", d, "%10!10.3f!") == "     3.141"
    assert one("ItemDouble", struct.pack("<d", 1e20), "%10!s!") == "1e+20"
    assert one("ItemDouble", struct.pack("<d", -0.5), "%10!g!") == "-0.5"


# -- strings -------------------------------------------------------------------


def test_ansi_and_wide_strings():
    assert one("ItemString", b"hello\0") == "hello"
    assert one("ItemString", b"\0") == "<NULL>"
    assert one("ItemString", b"caf\xe9 \x80\0") == "caf\u00e9 \u20ac"
    assert one("ItemString", b"hello\0", "[%10!-8s!][%10!8s!][%10!.2s!]") == "[hello   ][   hello][he]"
    assert one("ItemRString", b"a,b\tc\nd,, \0") == "a b c,d"
    assert one("ItemWString", "w\u00fcrld\0".encode("utf-16-le")) == "w\u00fcrld"
    assert one("ItemRWString", "x,y\n\0".encode("utf-16-le")) == "x y"
    assert one("ItemString", b"unterminated") == "unterminated"


def test_counted_strings():
    assert one("ItemPString", b"\x05\x00hello") == "hello"
    assert one("ItemPString", b"\x05\x00NULL\0") == "<NULL>"
    assert one("ItemPString", b"\x00\x00") == "<NULL>"
    assert one("ItemPWString", b"\x04\x00" + "hi".encode("utf-16-le")) == "hi"
    assert one("ItemPWString", b"\x0a\x00" + "NULL\0".encode("utf-16-le")) == "<NULL>"
    assert one("ItemDSString", b"\x00\x03abc") == "abc"
    assert one("ItemDSWString", b"\x00\x04" + "ok".encode("utf-16-le")) == "ok"
    assert one("ItemNWString", "rest".encode("utf-16-le")) == "rest"
    assert one("ItemCharHidden[3]", b"abc") == "abc"
    assert one("ItemWChar[2]", "xy".encode("utf-16-le")) == "xy"
    assert one("ItemCharSign", b"OK") == "OK"
    assert one("ItemChar4", b"RGBA") == "RGBA"
    assert one("ItemMLString", b"\0\0one\ntwo\0") == "one two"


def test_ansi_codepage_option():
    db = TmfDatabase(ansi_codepage="cp1251")
    db.add_text('%s c\n#typev a_c1 10 "%%0%%10!s!"\n{\nx, ItemString -- 10\n}\n' % GUID_A)
    assert db.decode(event(payload=b"\xcf\xf0\xe8\0")).message == "\u041f\u0440\u0438"


# -- GUIDs, SIDs, network ------------------------------------------------------


def test_guids_and_sids():
    g = uuid.UUID("11223344-5566-7788-99aa-bbccddeeff00")
    for item in ("ItemGuid", "ItemCLSID", "ItemIID", "ItemLIBID"):
        assert one(item, g.bytes_le) == "11223344-5566-7788-99aa-bbccddeeff00"
    assert one("ItemSid", bytes.fromhex("010100000000000512000000")) == "S-1-5-18"
    assert one("ItemSid", bytes.fromhex("0105000000000005150000000100000002000000030000000402000000")) == \
        "S-1-5-21-1-2-3-516"
    assert one("ItemSid", bytes.fromhex("0101123456789abc01000000")) == "S-1-0x123456789ABC-1"
    assert one("ItemSid", b"\0\0\0\0") == "<NULL>"
    assert one("ItemSid", b"NULL\0") == "<NULL>"


def test_network_items():
    assert one("ItemIPAddr", bytes([192, 168, 1, 20])) == "192.168.1.20"
    assert one("ItemPort", b"\x01\xbb") == "443"
    assert one("ItemMACAddr", bytes.fromhex("001122aabbcc")) == "00-11-22-AA-BB-CC"
    cases = {
        "00000000000000000000000000000001": "::1",
        "00000000000000000000000000000000": "::",
        "ff020000000000000000000000000002": "ff02::2",
        "20010db8000000000000000000000001": "2001:db8::1",
        "00000000000000000000ffff01020304": "::ffff:1.2.3.4",
        "00000000000000000000000001020304": "::1.2.3.4",
        "0000000000000000ffff000001020304": "::ffff:0:1.2.3.4",
        "fe8000000000000000005efe0a000001": "fe80::5efe:10.0.0.1",
        "fe80000000000000020056780a000001": "fe80::200:5678:a00:1",
        "00000001000200030004000500060007": "0:1:2:3:4:5:6:7",
        "00010000000200030004000500060007": "1:0:2:3:4:5:6:7",
        "00010000000000020000000000000003": "1:0:0:2::3",
    }
    for hexaddr, text in cases.items():
        assert one("ItemIPV6Addr", bytes.fromhex(hexaddr)) == text, hexaddr


# -- status codes ----------------------------------------------------------------


def test_status_codes():
    u32 = lambda v: struct.pack("<I", v)  # noqa: E731
    assert one("ItemHRESULT", u32(0)) == "S_OK"
    assert one("ItemHRESULT", u32(0x80004005)) == "0x80004005(E_FAIL)"
    assert one("ItemHRESULT", u32(0x80070002)) == "0x80070002(ERROR_FILE_NOT_FOUND)"
    assert one("ItemHRESULT", u32(0xD0000022)) == "0xd0000022(STATUS_ACCESS_DENIED)"
    assert one("ItemHRESULT", u32(0x80041234)) == "HRESULT=80041234"
    assert one("ItemHRESULT", u32(1)) == "0x00000001(ERROR_INVALID_FUNCTION)"  # tracefmt's winerror.h order
    assert one("ItemNTSTATUS", u32(0)) == "STATUS_SUCCESS"
    assert one("ItemNTSTATUS", u32(0x103)) == "0x00000103(STATUS_PENDING)"
    assert one("ItemNTSTATUS", u32(0xC0000034)) == "0xc0000034(STATUS_OBJECT_NAME_NOT_FOUND)"
    assert one("ItemNTSTATUS", u32(0xC0DE0001)) == "NTSTATUS=C0DE0001"
    assert one("ItemWINERROR", u32(0)) == "0(ERROR_SUCCESS)"
    assert one("ItemWINERROR", u32(5)) == "5(ERROR_ACCESS_DENIED)"
    assert one("ItemWINERROR", u32(0x80070057)) == "-2147024809(E_INVALIDARG)"
    assert one("ItemWINERROR", u32(0x1234)) == "WINERROR=    1234"
    assert one("ItemNDIS_STATUS", u32(0)) == "0x00000000(NDIS_STATUS_SUCCESS)"
    assert one("ItemNDIS_STATUS", u32(0xC0010017)) == "0xc0010017(NDIS_STATUS_INVALID_OID)"
    assert one("ItemNDIS_STATUS", u32(0xC0000022)) == "0xc0000022(STATUS_ACCESS_DENIED)"
    assert one("ItemNDIS_STATUS", u32(0x12345678)) == "0x12345678"
    assert one("ItemNDIS_OID", u32(0x00010114)) == "0x00010114(OID_GEN_MEDIA_CONNECT_STATUS)"
    assert one("ItemNDIS_OID", u32(0x01010101)) == "0x01010101(OID_802_3_PERMANENT_ADDRESS)"
    assert one("ItemNDIS_OID", u32(0xFFFF0000)) == "0xffff0000"
    assert one("ItemNETEVENT", u32(0x1389)) == "NETEVENT=    1389"
    assert wpp.win32_error_name(2) == "ERROR_FILE_NOT_FOUND" and wpp.win32_error_name(0x7FFF) is None
    assert wpp.ntstatus_name(0xC0000005) == "STATUS_ACCESS_VIOLATION"
    assert wpp.hresult_name(0x8007000E) == "ERROR_OUTOFMEMORY" and wpp.hresult_name(0x80004002) == "E_NOINTERFACE"


def test_error_message_items():
    u32 = lambda v: struct.pack("<I", v)  # noqa: E731
    # ItemNTerror: tracefmt shows the system's message text for the code; off Windows
    # the symbolic name stands in, and an unknown code gets tracefmt's own text.
    m = one_msg("ItemNTerror", u32(5))
    assert (m.message, m["x"]) == ("ERROR_ACCESS_DENIED", 5)
    assert one("ItemNTerror", u32(1722)) == "RPC_S_SERVER_UNAVAILABLE"
    assert one("ItemNTerror", u32(0x887A0005), "[%10!s!]") == "[DXGI_ERROR_DEVICE_REMOVED]"
    assert one("ItemNTerror", u32(0x7654321)) == "!NT Error 124076833 unrecognised!"
    # ItemMerror: a module's message; without a module name tracefmt says so, and the
    # module (a DLL's message table) cannot be loaded here.
    m = one_msg("ItemMerror", u32(5))
    assert (m.message, m["x"]) == ("! Error 5 No Module Name!", 5)
    m = one_msg("ItemMerror(netmsg.dll)", u32(2250))
    assert (m.message, m["x"]) == ("!Module Error 2250 unrecognised!", 2250)
    assert m.arguments[0].type == "ItemMerror(netmsg.dll)"


def test_status_names_beyond_the_common_codes():
    u32 = lambda v: struct.pack("<I", v)  # noqa: E731
    # Win32: RPC and Winsock codes
    assert wpp.win32_error_name(1722) == "RPC_S_SERVER_UNAVAILABLE"
    assert wpp.win32_error_name(10054) == "WSAECONNRESET"
    assert wpp.win32_error_name(10060) == "WSAETIMEDOUT" and wpp.win32_error_name(10061) == "WSAECONNREFUSED"
    assert wpp.win32_error_name(1753) == "EPT_S_NOT_REGISTERED"
    assert one("ItemWINERROR", u32(1722)) == "1722(RPC_S_SERVER_UNAVAILABLE)"
    assert one("ItemWINERROR", u32(10054)) == "10054(WSAECONNRESET)"
    # HRESULT_FROM_WIN32(1722), DXGI/D3D HRESULTs
    assert wpp.hresult_name(0x800706BA) == "RPC_S_SERVER_UNAVAILABLE"
    assert one("ItemHRESULT", u32(0x800706BA)) == "0x800706ba(RPC_S_SERVER_UNAVAILABLE)"
    assert one("ItemHRESULT", u32(0x80072746)) == "0x80072746(WSAECONNRESET)"
    assert wpp.hresult_name(0x887A0005) == "DXGI_ERROR_DEVICE_REMOVED"
    assert one("ItemHRESULT", u32(0x887A0005)) == "0x887a0005(DXGI_ERROR_DEVICE_REMOVED)"
    assert one("ItemHRESULT", u32(0x887A0006)) == "0x887a0006(DXGI_ERROR_DEVICE_HUNG)"
    assert one("ItemHRESULT", u32(0x887C0002)) == "0x887c0002(D3D11_ERROR_FILE_NOT_FOUND)"
    assert one("ItemHRESULT", u32(0x087A0001)) == "0x087a0001(DXGI_STATUS_OCCLUDED)"
    assert one("ItemWINERROR", u32(0x887A0005)) == "-2005270523(DXGI_ERROR_DEVICE_REMOVED)"
    # NTSTATUS (and an HRESULT with the NT bit) beyond the common ones
    assert wpp.ntstatus_name(0xC002002D) == "RPC_NT_PROTSEQ_NOT_FOUND"
    assert one("ItemNTSTATUS", u32(0xC01C0011)) == "0xc01c0011(STATUS_FLT_INSTANCE_ALTITUDE_COLLISION)"
    assert one("ItemNTSTATUS", u32(0x001C0001)) == "0x001c0001(STATUS_FLT_IO_COMPLETE)"
    assert one("ItemNTSTATUS", u32(0x40000003)) == "0x40000003(STATUS_IMAGE_NOT_AT_BASE)"
    assert one("ItemHRESULT", u32(0xD01E0000)) == "0xd01e0000(STATUS_GRAPHICS_NOT_EXCLUSIVE_MODE_OWNER)"
    assert one("ItemNDIS_STATUS", u32(0xC0020001)) == "0xc0020001(RPC_NT_INVALID_STRING_BINDING)"
    # the tables as a whole: every name of winerror.h / ntstatus.h, one per value
    win32, hresult, ntstatus = wpp._status_tables()
    from etw import _status_names
    assert (len(win32), len(hresult), len(ntstatus)) == (
        _status_names.WIN32_COUNT, _status_names.HRESULT_COUNT, _status_names.NTSTATUS_COUNT)
    assert (len(win32), len(hresult), len(ntstatus)) == (2093, 1383, 1794)
    assert sum(1 for name in win32.values() if name.startswith("RPC_S_")) == 96
    assert sum(1 for name in win32.values() if name.startswith("WSAE")) == 50
    assert sum(1 for name in hresult.values() if name.startswith(("DXGI_", "D3D"))) == 53
    assert all(v < 0x10000 for v in win32)
    assert hresult[0] == "S_OK" and ntstatus[0] == "STATUS_SUCCESS" and win32[0] == "ERROR_SUCCESS"
    assert not any(name.endswith(("_FIRST", "_LAST")) for t in (win32, hresult) for name in t.values())


MINGW_INCLUDE = "/usr/share/mingw-w64/include"


def test_status_names_module_is_what_the_generator_makes(tmp_path):
    """python/etw/_status_names.py holds exactly what tools/gen_status_names.py makes
    from the mingw-w64 headers (when they are installed)."""
    if not os.path.isfile(os.path.join(MINGW_INCLUDE, "winerror.h")):
        pytest.skip("mingw-w64 headers not installed (apt-get install gcc-mingw-w64-x86-64)")
    tool = os.path.join(HERE, "..", "tools", "gen_status_names.py")
    if not os.path.isfile(tool):
        pytest.skip("tools/gen_status_names.py is not here")
    spec = importlib.util.spec_from_file_location("gen_status_names", tool)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    tables = gen.build_tables(MINGW_INCLUDE)
    assert list(wpp._status_tables()) == [tables[k] for k in gen.TABLES]
    assert gen.main(["--include", MINGW_INCLUDE, "--check"]) == 0
    out = tmp_path / "names.py"
    assert gen.main(["--include", MINGW_INCLUDE, "--output", str(out)]) == 0
    assert gen.read_module(str(out)) == tables
    assert gen.main(["--include", MINGW_INCLUDE, "--output", str(out), "--check"]) == 0
    out.write_text(out.read_text().replace("HRESULT_COUNT", "COUNT_OF_HRESULTS"))  # still loads
    gen_tables = gen.read_module(str(out))
    assert gen_tables == tables
    # the header parser on made-up lines: forms kept and left out
    header = tmp_path / "winerror.h"
    header.write_text(
        "#define FACILITY_WIN32 7\n#define WSABASEERR 10000\n#define ERROR_ONE __MSABI_LONG(1L)\n"
        "#define NO_ERROR_ALIAS ERROR_ONE\n#define WSAEX (WSABASEERR + 54)\n"
        "#define E_X _HRESULT_TYPEDEF_(0x80004005L) /* comment */\n#define S_Y ((HRESULT)0x00000001)\n"
        "#define X_E_FIRST __MSABI_LONG(0x80040100)\n#define E_W HRESULT_FROM_WIN32(ERROR_ONE)\n"
        "#define SUCCEEDED(hr) ((HRESULT)(hr) >= 0)\n")
    assert gen.read_header(str(header), False) == [
        ("win32", "ERROR_ONE", 1), ("win32", "WSAEX", 10054), ("hresult", "E_X", 0x80004005),
        ("hresult", "S_Y", 1), ("hresult", "E_W", 0x80070001)]


# -- enums, lists, sets ------------------------------------------------------------


def test_lists_and_sets():
    assert one("ItemListLong(false,true)", struct.pack("<I", 0)) == "0x00000000(false)"
    assert one("ItemListByte(Low,APC,DPC)", b"\x07") == "0x00000007"
    assert one("ItemListShort(A,B=5,C)", struct.pack("<H", 5)) == "0x00000005(B)"
    assert one("ItemListShort(A,B=5,C)", struct.pack("<H", 1)) == "0x00000001"
    assert one("ItemSetByte(r,w,x)", b"\x05") == "[r,x]"
    assert one("ItemSetByte(r,w,x)", b"\x00") == "[]"
    assert one("ItemSetShort(a,b)", struct.pack("<H", 0x8003)) == "[a,b,15]"
    assert one("ItemSetLong(lo=0x3,hi=0x100)", struct.pack("<I", 0x103)) == "[lo,hi]"


def test_enums_from_the_tmf():
    body = ('#typev e_c1 10 "%0%10!s! %11!s! %12!s! %13!s!"\n{\na, ItemEnum(_E) -- 10\nb, ItemFlagsEnum(_F) -- 11\n'
            'c, ItemFlagsEnum(_F) -- 12\nd, ItemEnum(_Missing) -- 13\n}\n'
            '#enumv _E\n{\nZero,0\nNeg,-1\n}\n#enumv _F\n{\nNone,0x0\nRead,0x1\nBoth,0x3\n}\n')
    db = make_db(body)
    m = db.decode(event(payload=struct.pack("<IIII", 0xFFFFFFFF, 3, 0, 9)))
    assert m.message == "Neg Read | Both(0x3) None(0x0) 0x9"
    m = db.decode(event(payload=struct.pack("<IIII", 0, 4, 0, 0)))
    assert m.message == "Zero 0x4 None(0x0) 0x0"
    assert db.enum("_E").lookup(0) == "Zero" and db.enum("_E").lookup(7) is None


# -- time ------------------------------------------------------------------------


def test_times():
    ft = 132223104000000000 + 12345678
    assert one("ItemTimestamp", struct.pack("<q", ft)) == "2020-01-01 00:00:01.234Z"
    assert one("ItemTimestamp", struct.pack("<q", -1)) == "-1"
    assert one("ItemWaitTime", struct.pack("<q", ft)) == "2020-01-01 00:00:01.234Z"
    assert one("ItemWaitTime", struct.pack("<q", -50000000)) == "+5.000s"
    assert one("ItemTimeDelta", struct.pack("<q", 2500000)) == "250ms"
    assert one("ItemTimeDelta", struct.pack("<q", -2500000)) == "-250ms"
    assert format_time_delta(0) == "0ms"
    assert format_time_delta(10 * 60 * 10 ** 7 + 12345) == "600.001s"
    assert format_time_delta(11 * 60 * 10 ** 7 + 3 * 10 ** 7) == "11:3.000s"
    assert format_time_delta((2 * 3600 + 5 * 60 + 7) * 10 ** 7) == "2:5:7.000s"
    assert format_time_delta((3 * 86400 + 4 * 3600 + 5 * 60 + 6) * 10 ** 7 + 70000) == "3~4:5:6.007s"


def test_hex_dump():
    assert one("ItemHexDump", b"\x03\x00\x01\xab\xff") == "01ABFF"
    assert one("ItemHexDump", b"\x00\x00") == ""


# -- payload problems ----------------------------------------------------------------


def test_short_payload_marks_missing_arguments():
    db = make_db('#typev t_c1 10 "%0a=%10!d! b=%11!s! c=%12!d!"\n{\na, ItemLong -- 10\nb, ItemString -- 11\n'
                 'c, ItemLong -- 12\n}\n')
    m = db.decode(event(payload=struct.pack("<i", 1) + b"xy\0" + b"\x01"))
    assert m.message == "a=1 b=xy c=" + NO_VALUE
    assert not m.complete
    assert m.errors == ("payload ends in argument 12 (c, ItemLong) at byte 7 of 8",)
    assert m.args == {"a": 1, "b": "xy", "c": None}
    m = db.decode(event(payload=struct.pack("<i", 1) + b"xy\0" + struct.pack("<i", 2) + b"!!"))
    assert m.complete and m.errors == ("2 byte(s) after the last argument",)


def test_counted_items_longer_than_the_payload():
    db = make_db('#typev t_c1 10 "%0[%10!s!][%11!s!]"\n{\na, ItemPString -- 10\nb, ItemLong -- 11\n}\n')
    m = db.decode(event(payload=b"\x09\x00abc"))
    assert m.message == "[%s][%s]" % (NO_VALUE, NO_VALUE)
    assert m.errors == ("payload ends in argument 10 (a, ItemPString) at byte 0 of 5",)
    assert one("ItemHexDump", b"\x04\x00\x01") == NO_VALUE


def test_unknown_item_type_steps_four_bytes():
    db = make_db('#typev t_c1 10 "%0%10!s! %11!d!"\n{\na, ItemFancy -- 10\nb, ItemLong -- 11\n}\n')
    m = db.decode(event(payload=struct.pack("<Ii", 7, -2)))
    assert m.message == "7 -2"
    assert m.errors == ("argument 10 (a): unknown item type ItemFancy",)


def test_arguments_without_numbers_count_from_ten():
    db = make_db('#typev t_c1 10 "%0%11!s!-%10!s!"\n{\nfirst, ItemString\nsecond, ItemString\n}\n')
    m = db.decode(event(payload=b"one\0two\0"))
    assert m.message == "two-one"
    assert [(a.number, a.name) for a in m.arguments] == [(10, "first"), (11, "second")]


def test_func_level_names_in_the_format():
    db = make_db('#typev t_c1 10 "%0%!FUNC!: %!LEVEL! %%!FUNC! %10!d!" // LEVEL=ERR FUNC=Go\n{\na, ItemLong -- 10\n}\n')
    assert db.decode(event(payload=struct.pack("<i", 3))).message == "Go: ERR %!FUNC! 3"


def test_item_types_cover_tracefmts_list():
    expected = {
        "ItemChar", "ItemUChar", "ItemCharShort", "ItemCharSign", "ItemShort", "ItemUShort", "ItemLong", "ItemULong",
        "ItemULongX", "ItemLongLong", "ItemULongLong", "ItemLongLongX", "ItemLongLongXX", "ItemLongLongO",
        "ItemDouble", "ItemPtr", "ItemString", "ItemWString", "ItemRString", "ItemRWString", "ItemPString",
        "ItemPWString", "ItemDSString", "ItemDSWString", "ItemNWString", "ItemMLString", "ItemCharHidden",
        "ItemWChar", "ItemChar4", "ItemSid", "ItemGuid", "ItemCLSID", "ItemIID", "ItemLIBID", "ItemIPAddr",
        "ItemIPV6Addr", "ItemMACAddr", "ItemPort", "ItemHRESULT", "ItemNTSTATUS", "ItemWINERROR", "ItemNETEVENT",
        "ItemNDIS_STATUS", "ItemNDIS_OID", "ItemNTerror", "ItemMerror", "ItemTimestamp", "ItemWaitTime",
        "ItemTimeDelta", "ItemHexDump", "ItemListByte", "ItemListShort", "ItemListLong", "ItemSetByte",
        "ItemSetShort", "ItemSetLong", "ItemEnum", "ItemFlagsEnum",
    }
    assert expected <= wpp.ITEM_TYPES


# ---------------------------------------------------------------------------
# Synthetic WPP records through etw.open (tests/etlwriter)
# ---------------------------------------------------------------------------

SYN_GUID = uuid.UUID("5eed0001-0002-0003-0004-000500060007")

SYN_TMF = """// PDB: synthetic.pdb
5eed0001-0002-0003-0004-000500060007 synth // SRC=synth.c MJ= MN=
#typev synth_c10 10 "%0p=%10!p! n=%11!d! s=%12!s!" // LEVEL=TRACE_LEVEL_INFORMATION FLAGS=SYN FUNC=Work
{
ptr, ItemPtr -- 10
n, ItemLong -- 11
name, ItemString -- 12
}
#typev synth_c20 11 "%0seq=%7!u! p=%10!p! q=%11!Ix!" // LEVEL=TRACE_LEVEL_ERROR FUNC=Other
{
a, ItemPtr -- 10
b, ItemPtr -- 11
}
"""


def _synthetic_wpp_file(tmp_path):
    from etlwriter import EtlWriter

    w = EtlWriter(pointer_size=8, buffer_size=0x1000)
    recs = [
        # MESSAGE_TRACE_HEADER records: sequence numbers, 8- and 4-byte pointers
        w.wpp(0, 1_000_000, SYN_GUID, 10, args=struct.pack("<Qi", 0xBEEF, -5) + b"abc\0",
              tid=0x10, pid=0x20, sequence=41, ptr=8),
        w.wpp(0, 1_000_100, SYN_GUID, 10, args=struct.pack("<Ii", 0xBEEF, -5) + b"abc\0",
              tid=0x10, pid=0x20, sequence=42, ptr=4),
        w.wpp(1, 1_000_200, SYN_GUID, 11, args=struct.pack("<II", 0x1234, 0xFFFFFFFF),
              tid=5, pid=6, sequence=0xFFFFFFFF, ptr=4),
        # EVENT_HEADER32/64 records with the TRACE_MESSAGE flag
        w.wpp_event(0, 1_000_300, SYN_GUID, 10, args=struct.pack("<Ii", 0xCAFE, 7) + b"ev32\0",
                    tid=0x30, pid=0x40, ptr=4),
        w.wpp_event(1, 1_000_400, SYN_GUID, 11, args=struct.pack("<QQ", 0x7FF000001234, 0xFFFF800000000000),
                    tid=1, pid=2, ptr=8),
        # a message number the TMF does not describe, without a sequence
        w.wpp(0, 1_000_500, SYN_GUID, 12, args=b"\x01\x02", tid=0x10, pid=0x20, ptr=8),
    ]
    path = tmp_path / "synthetic_wpp.etl"
    w.write(str(path))
    tmf = tmp_path / ("%s.tmf" % SYN_GUID)
    tmf.write_text(SYN_TMF)
    return w, recs, str(path), str(tmf)


def test_synthetic_wpp_records_through_open(tmp_path):
    w, recs, path, tmf = _synthetic_wpp_file(tmp_path)
    expected = [e for e in w.expected_events() if e["kind"] == "wpp"]
    assert [(e["id"], e["header_type"], e["pointer_size"], e["sequence"]) for e in expected] == [
        (10, 0x0F, 8, 41), (10, 0x0F, 4, 42), (11, 0x0F, 4, 0xFFFFFFFF), (10, 0x12, 4, None),
        (11, 0x13, 8, None), (12, 0x0F, 8, None)]
    events = [ev for ev in etw.open(path, schemas=[str(tmp_path)]) if ev.kind == "wpp"]
    assert [(ev.id, ev.header_type, ev.pointer_size, ev.wpp_sequence) for ev in events] == [
        (10, 0x0F, 8, 41), (10, 0x0F, 4, 42), (11, 0x0F, 4, 0xFFFFFFFF), (10, 0x12, 4, 0),
        (11, 0x13, 8, 0), (12, 0x0F, 8, 0)]
    assert [ev.payload for ev in events] == [
        bytes.fromhex("efbe000000000000") + b"\xfb\xff\xff\xffabc\0",
        bytes.fromhex("efbe0000") + b"\xfb\xff\xff\xffabc\0",
        bytes.fromhex("34120000ffffffff"),
        bytes.fromhex("feca0000") + b"\x07\0\0\0ev32\0",
        bytes.fromhex("34120000f07f0000" "000000000080ffff"),
        b"\x01\x02"]
    assert [(ev.tid, ev.pid) for ev in events] == [(0x10, 0x20), (0x10, 0x20), (5, 6), (0x30, 0x40), (1, 2),
                                                   (0x10, 0x20)]
    assert {ev.provider_id for ev in events} == {SYN_GUID}
    # %p is as wide as the record's own pointers (the trace's are 8 bytes)
    assert [ev.message for ev in events] == [
        "p=000000000000BEEF n=-5 s=abc",
        "p=0000BEEF n=-5 s=abc",
        "seq=4294967295 p=00001234 q=ffffffff",
        "p=0000CAFE n=7 s=ev32",
        "seq=0 p=00007FF000001234 q=ffff800000000000",
        None]
    assert [dict(ev) for ev in events] == [
        {"ptr": 0xBEEF, "n": -5, "name": "abc"}, {"ptr": 0xBEEF, "n": -5, "name": "abc"},
        {"a": 0x1234, "b": 0xFFFFFFFF}, {"ptr": 0xCAFE, "n": 7, "name": "ev32"},
        {"a": 0x7FF000001234, "b": 0xFFFF800000000000}, {}]
    for ev in events:
        assert ev.to_dict()["EventData"] == dict(ev)
        assert json.loads(ev.to_json())["EventData"] == dict(ev)
    first = events[0].wpp
    assert (first.sequence, first.pid, first.tid, first.cpu) == (41, 0x20, 0x10, 0)
    assert (first.function, first.level, first.flags, first.file, first.line, first.component) == (
        "Work", "TRACE_LEVEL_INFORMATION", "SYN", "synth.c", 10, "synth")
    assert first.formatted("%7!u!|%8!X!|%3!X!|%9!d!|%!FUNC! ") == "41|20|10|0|Work p=000000000000BEEF n=-5 s=abc"
    assert events[1].wpp.formatted("%7!u! ") == "42 p=0000BEEF n=-5 s=abc"
    assert events[3].wpp.formatted("%7!u!|%8!X!|%3!X! ") == "0|40|30 p=0000CAFE n=7 s=ev32"
    assert (events[3].wpp_flags, events[4].wpp.level) == (0, "TRACE_LEVEL_ERROR")
    assert [ev.wpp_reason for ev in events[:5]] == [None] * 5
    assert events[5].wpp is None and events[5].wpp_reason == (
        "No Format Information found: the TMF of message GUID %s (synth, %s) has no message #12" % (SYN_GUID, tmf))


def test_synthetic_wpp_records_without_tmf(tmp_path):
    w, recs, path, tmf = _synthetic_wpp_file(tmp_path)
    events = [ev for ev in etw.open(path) if ev.kind == "wpp"]
    assert [ev.wpp_sequence for ev in events] == [41, 42, 0xFFFFFFFF, 0, 0, 0]
    assert [ev.payload for ev in events] == [r["payload"] for r in recs]
    assert all(ev.message is None and ev.wpp is None and dict(ev) == {} for ev in events)
    assert all(ev.to_dict()["EventData"] == {} and json.loads(ev.to_json())["EventData"] == {} for ev in events)
    assert {ev.wpp_reason for ev in events} == {"no TMF files: pass the TMF files or their directory with schemas="}
    # The same file with the TMF given as a file (not its directory).
    events = [ev for ev in etw.open(path, schemas=tmf) if ev.kind == "wpp"]
    assert events[1].message == "p=0000BEEF n=-5 s=abc" and events[4].pointer_size == 8


def test_to_json_converts_every_kind_of_wpp_value(tmp_path, monkeypatch):
    """to_json()'s writer of WPP argument values (etwmodule/py/tojson.c), fed through the
    binding's hook: each Python type etw.wpp gives, and a few it does not."""
    import etw.schemas

    w, recs, path, tmf = _synthetic_wpp_file(tmp_path)
    cet = dt.timezone(dt.timedelta(hours=1))
    values = {
        "none": None, "true": True, "false": False, "neg": -5, "u64": 2 ** 64 - 1, "big": 2 ** 70,
        "i64min": -2 ** 63, "float": 0.1, "nan": float("nan"), "inf": float("-inf"),
        "text": "caf\u00e9 \U0001F600 \"q\"\n", "surrogate": "a\ud800b", "bytes": b"\x00\xab",
        "guid": SYN_GUID, "utc": dt.datetime(2020, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc),
        "cet": dt.datetime(2020, 1, 2, 4, 4, 5, tzinfo=cet), "naive": dt.datetime(1999, 12, 31, 23, 59, 59),
        "span": dt.timedelta(seconds=-1, microseconds=500000), "other": [1, 2], 7: "int key",
    }
    monkeypatch.setattr(etw.schemas, "_wpp_properties", lambda trace, ev: dict(values))
    ev = next(e for e in etw.open(path, schemas=[str(tmp_path)]) if e.kind == "wpp")
    text = ev.to_json()
    data = text[text.index('"EventData":') + len('"EventData":'):text.index(',"ExtendedData"')]
    assert data == (
        '{"none":null,"true":true,"false":false,"neg":-5,"u64":18446744073709551615,'
        '"big":1180591620717411303424,"i64min":-9223372036854775808,"float":0.1,"nan":null,"inf":null,'
        '"text":"caf\u00e9 \U0001F600 \\"q\\"\\n","surrogate":"a\\ud800b","bytes":"00ab",'
        '"guid":"{5EED0001-0002-0003-0004-000500060007}","utc":"2020-01-02T03:04:05.6789010Z",'
        '"cet":"2020-01-02T03:04:05.0000000Z","naive":"1999-12-31T23:59:59.0000000Z","span":-0.5,'
        '"other":"[1, 2]","7":"int key"}')
    assert json.loads(text)["EventData"]["surrogate"] == "a\ud800b"
    assert ev.to_dict()["EventData"] == values
