"""Property decoding on synthetic traces: every TDH in-type through TraceLogging
metadata, the TraceLogging out-types that change the Python type, arrays
(constant and variable count), nested structs and struct arrays, strings with
unpaired surrogates, SIDs, IP addresses, ports, socket addresses,
FILETIME/SYSTEMTIME, booleans, GUIDs, binary; injected TRACE_EVENT_INFO /
EVENT_MAP_INFO schemas (value maps, bitmaps, count/length references,
pointers); the built-in kernel tables; what happens without a schema, with
malformed metadata, truncated payloads and trailing bytes; and the exact
to_dict()/to_json() output.

Every payload is built here byte by byte, so each expected value below is
what the bytes say.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
import uuid

import pytest

import etw
from etlwriter import (
    EVENT_HEADER_FLAG_STRING_ONLY,
    EXT_EVENT_SCHEMA_TL,
    EXT_PROV_TRAITS,
    EXT_RELATED_ACTIVITYID,
    EtlWriter,
    guid_bytes,
    sid_bytes,
    tl_metadata,
    tl_provider_guid,
    tl_provider_traits,
    utf16z,
)

UTC = dt.timezone.utc
PROV_NAME = "Test.Decode"
PROV = tl_provider_guid(PROV_NAME)

# TraceLogging in-types (TlgIn, tdh-types.md 3) and out-types (TlgOut).
T_NULL, T_USTR, T_ASTR, T_I8, T_U8, T_I16, T_U16, T_I32, T_U32, T_I64, T_U64 = range(11)
T_F32, T_F64, T_BOOL32, T_BIN, T_GUID = 11, 12, 13, 14, 15
T_FILETIME, T_SYSTEMTIME, T_SID, T_HEX32, T_HEX64 = 17, 18, 19, 20, 21
T_CSTR, T_CASTR, T_STRUCT, T_CBIN = 22, 23, 24, 25
O_NOPRINT, O_STRING, O_BOOLEAN, O_HEX, O_PID, O_TID, O_PORT, O_IPV4, O_IPV6 = range(1, 10)
O_SOCKADDR, O_XML, O_JSON, O_WIN32, O_NTSTATUS, O_HRESULT, O_FILETIME = range(10, 17)
O_UTF8 = 35


def u16(v):
    return struct.pack("<H", v)


def counted16(b):
    """TraceLogging counted / BINARY encoding: u16 byte count + bytes."""
    return u16(len(b)) + b


def filetime_of(d, extra_100ns=0):
    delta = d - dt.datetime(1601, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10 + \
        extra_100ns


def systemtime(y, mo, dow, d, h, mi, s, ms):
    return struct.pack("<8H", y, mo, dow, d, h, mi, s, ms)


def write_events(tmp_path, build, name="t.etl", **kw):
    """Builds a trace with build(writer) and returns its events (header record excluded)."""
    w = EtlWriter(**kw)
    build(w)
    path = tmp_path / name
    w.write(str(path))
    return [ev for ev in etw.open(str(path)) if ev.kind != "header"]


def tl_event(w, ts, event_name, fields, payload, provider=PROV, provider_name=PROV_NAME,
             ptr=8, **kw):
    ext = [(EXT_EVENT_SCHEMA_TL, tl_metadata(event_name, fields)),
           (EXT_PROV_TRAITS, tl_provider_traits(provider_name))]
    ext += kw.pop("ext", [])
    return w.event(0, ts, provider, ext=ext, payload=payload, ptr=ptr, **kw)


def one(tmp_path, fields, payload, event_name="E", **kw):
    evs = write_events(tmp_path, lambda w: tl_event(w, 2_000_000, event_name, fields, payload,
                                                    **kw))
    assert len(evs) == 1
    return evs[0]


def jsonable(v):
    """What to_json() makes of a to_dict() value (its documented conversions)."""
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, uuid.UUID):
        return "{%s}" % str(v).upper()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def json_matches_dict(ev):
    """to_json() parses, and equals to_dict() with the documented conversions
    (datetimes compared at the dict's microsecond precision)."""
    text = ev.to_json()
    got = json.loads(text)
    want = jsonable(ev.to_dict())

    def same(a, b, path):
        if isinstance(b, dt.datetime):
            assert isinstance(a, str) and a.endswith("Z") and len(a) == 28, path
            parsed = dt.datetime.strptime(a[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
            assert parsed == b, path
        elif isinstance(b, dict):
            assert isinstance(a, dict) and list(a) == list(b), path
            for k in b:
                same(a[k], b[k], path + "." + k)
        elif isinstance(b, list):
            assert isinstance(a, list) and len(a) == len(b), path
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, "%s[%d]" % (path, i))
        else:
            assert a == b and type(a) is type(b), (path, a, b)

    same(got, want, "")
    return got


# ----------------------------------------------------------------------------- scalars

GUID_VAL = uuid.UUID("0ad614c4-0ef4-4225-8013-f44f37cb0397")
SID_TEXT = "S-1-5-21-1004336348-1177238915-682003330-512"
FT_DT = dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)

EVERY_IN_TYPE = [
    (("u16str", T_USTR), utf16z("héllo wörld"), "héllo wörld"),
    # ANSI is Windows-1252; 0x81 is undefined there and stays U+0081 as Windows maps it.
    (("astr", T_ASTR), b"caf\xe9 \x80\x81\x00", "café €\x81"),
    (("i8", T_I8), b"\xfb", -5),
    (("u8", T_U8), b"\xfa", 250),
    (("i16", T_I16), struct.pack("<h", -12345), -12345),
    (("u16", T_U16), struct.pack("<H", 54321), 54321),
    (("i32", T_I32), struct.pack("<i", -123456789), -123456789),
    (("u32", T_U32), struct.pack("<I", 4000000000), 4000000000),
    (("i64", T_I64), struct.pack("<q", -(2 ** 62)), -(2 ** 62)),
    (("u64", T_U64), struct.pack("<Q", 2 ** 64 - 1), 2 ** 64 - 1),
    (("f32", T_F32), struct.pack("<f", 1.5), 1.5),
    (("f64", T_F64), struct.pack("<d", math.pi), math.pi),
    (("b32", T_BOOL32), struct.pack("<I", 2), True),          # any non-zero BOOL is True
    (("b32f", T_BOOL32), struct.pack("<I", 0), False),
    (("bin", T_BIN), counted16(b"\x00\x01\xfe\xff"), b"\x00\x01\xfe\xff"),
    (("guid", T_GUID), guid_bytes(GUID_VAL), GUID_VAL),
    # FILETIME has 100 ns ticks; datetime keeps microseconds (the 7th digit is cut).
    (("ft", T_FILETIME), struct.pack("<Q", filetime_of(FT_DT, 7)), FT_DT),
    # SYSTEMTIME: the milliseconds are the 8th u16.
    (("st", T_SYSTEMTIME), systemtime(2024, 2, 4, 29, 23, 59, 58, 999),
     dt.datetime(2024, 2, 29, 23, 59, 58, 999000, tzinfo=UTC)),
    (("sid", T_SID), sid_bytes(SID_TEXT), SID_TEXT),
    (("hex32", T_HEX32), struct.pack("<I", 0xDEADBEEF), 0xDEADBEEF),
    (("hex64", T_HEX64), struct.pack("<Q", 0x0123456789ABCDEF), 0x0123456789ABCDEF),
    (("cstr", T_CSTR), counted16("counted".encode("utf-16-le")), "counted"),
    (("castr", T_CASTR), counted16(b"cnt"), "cnt"),
    (("cbin", T_CBIN), counted16(b"\x01\x02\x03"), b"\x01\x02\x03"),
    (("null", T_NULL), b"", None),
]


def test_every_tracelogging_in_type(tmp_path):
    fields = [f for f, _, _ in EVERY_IN_TYPE]
    payload = b"".join(p for _, p, _ in EVERY_IN_TYPE)
    ev = one(tmp_path, fields, payload, event_name="Every")
    assert ev.schema_source == "tracelogging"
    assert ev.decode_status == "ok" and ev.decode_errors == [] and ev.leftover == b""
    assert list(ev.keys()) == [f[0] for f in fields]
    for (name, _), _, want in EVERY_IN_TYPE:
        got = ev[name]
        assert got == want and type(got) is type(want), (name, got, want)
    assert ev["ft"].tzinfo is UTC and ev["st"].tzinfo is UTC
    # JSON: the time keeps all 7 digits, GUIDs braced upper case, binary as hex.
    data = json_matches_dict(ev)["EventData"]
    assert data["ft"] == "2024-01-02T03:04:05.1234567Z"
    assert data["st"] == "2024-02-29T23:59:58.9990000Z"
    assert data["guid"] == "{0AD614C4-0EF4-4225-8013-F44F37CB0397}"
    assert data["bin"] == "0001feff" and data["null"] is None
    assert data["astr"] == "café €\x81"


OUT_TYPES = [
    ({"name": "pid", "in": T_U32, "out": O_PID}, struct.pack("<I", 4242), 4242),
    ({"name": "tid", "in": T_U32, "out": O_TID}, struct.pack("<I", 17), 17),
    # PORT: network byte order.
    ({"name": "port", "in": T_U16, "out": O_PORT}, b"\x01\xbb", 443),
    # IPv4 from a UINT32: the bytes in memory order are a.b.c.d.
    ({"name": "ip4", "in": T_U32, "out": O_IPV4}, bytes([192, 168, 1, 20]), "192.168.1.20"),
    ({"name": "ip6", "in": T_BIN, "out": O_IPV6},
     counted16(bytes.fromhex("20010db8000000000000000000000001")), "2001:db8::1"),
    ({"name": "ip6m", "in": T_BIN, "out": O_IPV6},
     counted16(bytes.fromhex("00000000000000000000ffff01020304")), "::ffff:1.2.3.4"),
    ({"name": "sa4", "in": T_BIN, "out": O_SOCKADDR},
     counted16(u16(2) + struct.pack(">H", 8080) + bytes([10, 0, 0, 1]) + bytes(8)),
     "10.0.0.1:8080"),
    ({"name": "sa6", "in": T_BIN, "out": O_SOCKADDR},
     counted16(u16(23) + struct.pack(">H", 443) + bytes(4)
               + bytes.fromhex("fe800000000000000000000000000001") + struct.pack("<I", 3)),
     "[fe80::1%3]:443"),
    ({"name": "bool8", "in": T_U8, "out": O_BOOLEAN}, b"\x01", True),
    ({"name": "char8", "in": T_U8, "out": O_STRING}, b"A", "A"),
    ({"name": "char16", "in": T_U16, "out": O_STRING}, u16(0x03A9), "\u03a9"),
    ({"name": "utf8", "in": T_ASTR, "out": O_UTF8}, "héllo ✓".encode() + b"\0", "héllo ✓"),
    ({"name": "json", "in": T_ASTR, "out": O_JSON}, b'{"a": 1}\0', '{"a": 1}'),
    ({"name": "xml", "in": T_USTR, "out": O_XML}, utf16z("<a/>"), "<a/>"),
    ({"name": "hr", "in": T_I32, "out": O_HRESULT}, struct.pack("<I", 0x80070005),
     -2147024891),
    ({"name": "nts", "in": T_U32, "out": O_NTSTATUS}, struct.pack("<I", 0xC0000022),
     0xC0000022),
    ({"name": "w32", "in": T_U32, "out": O_WIN32}, struct.pack("<I", 5), 5),
    ({"name": "hex", "in": T_U32, "out": O_HEX}, struct.pack("<I", 42), 42),
    ({"name": "ftout", "in": T_I64, "out": O_FILETIME}, struct.pack("<q", filetime_of(FT_DT)),
     FT_DT),
    ({"name": "noprint", "in": T_U32, "out": O_NOPRINT}, struct.pack("<I", 9), 9),
]


def test_tracelogging_out_types(tmp_path):
    fields = [f for f, _, _ in OUT_TYPES]
    ev = one(tmp_path, fields, b"".join(p for _, p, _ in OUT_TYPES))
    assert ev.decode_status == "ok" and ev.leftover == b""
    for f, _, want in OUT_TYPES:
        got = ev[f["name"]]
        assert got == want and type(got) is type(want), (f["name"], got, want)
    # Windows' rendering of the same values.
    assert ev.format("hr") == "0x80070005"
    assert ev.format("nts") == "0xC0000022"
    assert ev.format("w32") == "0x00000005"
    assert ev.format("hex") == "0x2A"
    assert ev.format("port") == "443"
    assert ev.format("bool8") == "true"
    assert ev.format("ip6") == "2001:db8::1"
    assert ev.format("sa6") == "[fe80::1%3]:443"
    assert ev.format("ftout") == "2024-01-02T03:04:05.1234560Z"
    json_matches_dict(ev)


def test_ipv6_text_is_rfc5952_like_ipaddress():
    """IPv6 text follows RFC 5952 (what Python's ipaddress prints; for IPv4-mapped
    addresses what it prints from 3.13 on), checked on tricky zero runs."""
    import ipaddress

    cases = ["::", "::1", "1::", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "2001:0:0:1::1",
             "1:0:0:2:0:0:0:3", "fe80::1:0:0:1", "0:0:1::"]
    addrs = [ipaddress.IPv6Address(c).packed for c in cases]

    def build(w):
        for i, packed in enumerate(addrs):
            tl_event(w, 2_000_000 + i, "Ip", [{"name": "a", "in": T_BIN, "out": O_IPV6}],
                     counted16(packed))

    # No tmp_path fixture here: write to a temporary directory by hand.
    import tempfile, pathlib
    with tempfile.TemporaryDirectory() as d:
        evs = write_events(pathlib.Path(d), build)
    assert [ev["a"] for ev in evs] == [str(ipaddress.IPv6Address(p)) for p in addrs]


# ----------------------------------------------------------------------------- strings

def test_unpaired_surrogates_survive(tmp_path):
    # a, lone high, b, lone low, then a valid pair (U+1F600), then a lone high at the end
    units = [0x61, 0xD800, 0x62, 0xDC00, 0xD83D, 0xDE00, 0xDBFF]
    raw = b"".join(u16(u) for u in units)
    ev = one(tmp_path, [("s", T_USTR), ("c", T_CSTR)], raw + b"\0\0" + counted16(raw))
    want = "a\ud800b\udc00\U0001F600\udbff"
    assert ev["s"] == want and ev["c"] == want
    text = ev.to_json()
    # Unpaired surrogates are \u escapes (not encodable as UTF-8); the pair is UTF-8.
    assert '"s":"a\\ud800b\\udc00\U0001F600\\udbff"' in text
    assert json.loads(text)["EventData"]["s"] == want
    json_matches_dict(ev)


def test_string_escaping_in_json(tmp_path):
    s = 'quote" back\\ nl\n tab\t ctl\x01 del\x7f é'
    ev = one(tmp_path, [("s", T_USTR), ("a", T_ASTR)], utf16z(s) + s.encode("cp1252") + b"\0")
    assert ev["s"] == s and ev["a"] == s
    text = ev.to_json()
    assert '"s":"quote\\" back\\\\ nl\\n tab\\t ctl\\u0001 del\x7f é"' in text
    assert json.loads(text)["EventData"] == {"s": s, "a": s}


def test_strings_stop_at_nul_or_end(tmp_path):
    # A terminated string followed by a string that runs to the end without NUL
    # (tolerated, tdh.h).
    ev = one(tmp_path, [("a", T_USTR), ("b", T_USTR)], utf16z("x") + "yz".encode("utf-16-le"))
    assert ev["a"] == "x" and ev["b"] == "yz" and ev.decode_status == "ok"


# ----------------------------------------------------------------------------- arrays and structs

def test_arrays_constant_and_variable_count(tmp_path):
    fields = [
        {"name": "c3", "in": T_U16, "count": 3},
        {"name": "v", "in": T_I32, "count": "v"},
        {"name": "vs", "in": T_USTR, "count": "v"},
        {"name": "empty", "in": T_U32, "count": "v"},
        {"name": "g", "in": T_GUID, "count": 2},
        {"name": "chars", "in": T_U16, "out": O_STRING, "count": 4},  # a char16 array is text
    ]
    payload = (struct.pack("<3H", 1, 2, 3)
               + u16(4) + struct.pack("<4i", -1, 0, 1, 2 ** 31 - 1)
               + u16(3) + utf16z("a") + utf16z("") + utf16z("bc")
               + u16(0)
               + guid_bytes(GUID_VAL) + guid_bytes(uuid.UUID(int=1))
               + "ab".encode("utf-16-le") + b"\0\0\0\0")
    ev = one(tmp_path, fields, payload)
    assert ev.decode_status == "ok" and ev.leftover == b""
    assert dict(ev) == {"c3": [1, 2, 3], "v": [-1, 0, 1, 2 ** 31 - 1], "vs": ["a", "", "bc"],
                        "empty": [], "g": [GUID_VAL, uuid.UUID(int=1)], "chars": "ab"}
    data = json_matches_dict(ev)["EventData"]
    assert data["g"] == ["{0AD614C4-0EF4-4225-8013-F44F37CB0397}",
                         "{00000000-0000-0000-0000-000000000001}"]
    assert ev.format("v") == "[-1,0,1,2147483647]"


def test_nested_structs_and_struct_arrays(tmp_path):
    fields = [
        ("first", T_U8),
        ("outer", T_STRUCT, 2),          # members: a, inner
        ("a", T_I32),
        ("inner", T_STRUCT, 2),          # members: b, c
        ("b", T_USTR),
        ("c", T_BIN),
        {"name": "pts", "in": T_STRUCT, "out": 2, "count": "v"},   # struct array
        ("x", T_I16),
        ("y", T_I16),
        {"name": "pair", "in": T_STRUCT, "out": 1, "count": 2},    # constant-count struct array
        ("z", T_U8),
        ("after", T_U32),
    ]
    payload = (b"\x07" + struct.pack("<i", 5) + utf16z("x") + counted16(b"\x01")
               + u16(2) + struct.pack("<4h", 1, 2, -3, -4)
               + b"\x0a\x0b"
               + struct.pack("<I", 99))
    ev = one(tmp_path, fields, payload)
    assert ev.decode_status == "ok" and ev.leftover == b""
    assert dict(ev) == {
        "first": 7,
        "outer": {"a": 5, "inner": {"b": "x", "c": b"\x01"}},
        "pts": [{"x": 1, "y": 2}, {"x": -3, "y": -4}],
        "pair": [{"z": 10}, {"z": 11}],
        "after": 99,
    }
    assert json_matches_dict(ev)["EventData"]["outer"] == {"a": 5,
                                                            "inner": {"b": "x", "c": "01"}}
    assert ev.format("outer") == '{"a":5,"inner":{"b":"x","c":"01"}}'


def test_repeated_field_names_are_kept(tmp_path):
    fields = [("x", T_U8), ("x", T_U8), ("x#2", T_U8), ("s", T_STRUCT, 2), ("y", T_U8),
              ("y", T_U8)]
    ev = one(tmp_path, fields, bytes([1, 2, 3, 4, 5]))
    # The second "x" becomes "x#2"; a real "x#2" then becomes "x#2#2".
    assert list(ev.items()) == [("x", 1), ("x#2", 2), ("x#2#2", 3), ("s", {"y": 4, "y#2": 5})]
    assert json.loads(ev.to_json())["EventData"] == dict(ev)
    assert ev.format("x") == "1" and ev.format("x#2") == "2" and ev.format("x#2#2") == "3"


# ----------------------------------------------------------------------------- problems

def test_trailing_bytes_are_kept(tmp_path):
    ev = one(tmp_path, [("a", T_U32)], struct.pack("<I", 1) + b"\xaa\xbb")
    assert dict(ev) == {"a": 1}
    assert ev.decode_status == "ok" and ev.decode_errors == []
    assert ev.leftover == b"\xaa\xbb"


def test_truncated_property_keeps_the_rest(tmp_path):
    ev = one(tmp_path, [("a", T_U32), ("b", T_U32), ("c", T_USTR)],
             struct.pack("<I", 7) + b"\x01\x02")
    # a decoded; b needs 4 bytes and has 2: decoding stops there.
    assert dict(ev) == {"a": 7, "b": None}
    assert ev.decode_status == "stopped"
    assert ev.decode_errors == [{"property": "b", "error": "truncated", "offset": 4,
                                 "data": b"\x01\x02"}]
    assert ev.leftover == b"\x01\x02"
    json_matches_dict(ev)


def test_missing_property_at_the_end(tmp_path):
    ev = one(tmp_path, [("a", T_U32), ("b", T_U32)], struct.pack("<I", 7))
    assert dict(ev) == {"a": 7, "b": None}
    assert ev.decode_errors == [{"property": "b", "error": "missing", "offset": 4,
                                 "data": b""}]
    assert ev.leftover == b""


def test_bad_values_in_nested_arrays_are_located(tmp_path):
    fields = [{"name": "arr", "in": T_STRUCT, "out": 1, "count": "v"}, ("t", T_SYSTEMTIME)]
    payload = (u16(2) + systemtime(2020, 1, 3, 1, 0, 0, 0, 0)
               + systemtime(2020, 13, 3, 1, 0, 0, 0, 0))
    ev = one(tmp_path, fields, payload)
    assert dict(ev) == {"arr": [{"t": dt.datetime(2020, 1, 1, tzinfo=UTC)}, {"t": None}]}
    assert ev.decode_status == "ok"
    assert ev.decode_errors == [{"property": "arr[1].t", "error": "invalid SYSTEMTIME",
                                 "offset": 18, "data": systemtime(2020, 13, 3, 1, 0, 0, 0, 0)}]
    assert json.loads(ev.to_json())["EventData"]["arr"][1]["t"] is None


def test_times_that_do_not_fit(tmp_path):
    fields = [{"name": "neg", "in": T_I64, "out": O_FILETIME}, ("big", T_FILETIME),
              ("zero", T_SYSTEMTIME), ("ft0", T_FILETIME)]
    ev = one(tmp_path, fields, struct.pack("<qQ", -1, 2 ** 63 - 1) + bytes(16) + bytes(8))
    # Out of datetime's range: the raw number, and a problem reported.
    assert ev["neg"] == -1 and ev["big"] == 2 ** 63 - 1
    # An all-zero SYSTEMTIME means "no time": None, not a problem.
    assert ev["zero"] is None
    assert ev["ft0"] == dt.datetime(1601, 1, 1, tzinfo=UTC)
    assert [e["property"] for e in ev.decode_errors] == ["neg", "big"]
    assert {e["error"] for e in ev.decode_errors} == {"FILETIME out of range"}
    data = json_matches_dict(ev)["EventData"]
    assert data == {"neg": -1, "big": 2 ** 63 - 1, "zero": None,
                    "ft0": "1601-01-01T00:00:00.0000000Z"}


def test_no_schema(tmp_path):
    other = uuid.UUID("12345678-1234-1234-1234-123456789abc")
    evs = write_events(tmp_path, lambda w: w.event(0, 2_000_000, other, id=3, payload=b"\1\2"))
    ev = evs[0]
    assert len(ev) == 0 and list(ev) == [] and "x" not in ev and ev.get("x", 5) == 5
    with pytest.raises(KeyError):
        ev["x"]
    assert ev.schema_source is None and ev.decode_status == "no schema"
    assert ev.leftover == b"\1\2" and ev.decode_errors == []
    assert ev.name is None and ev.provider_name is None and ev.task_name is None
    assert ev.opcode_name == "Info" and ev.level_name == "Information"
    d = ev.to_dict()
    assert d["EventData"] == {} and d["System"]["Provider"]["Name"] == ""
    assert d["System"]["EventName"] == ""
    json_matches_dict(ev)


def test_malformed_metadata(tmp_path):
    meta = bytearray(tl_metadata("Bad", [("a", T_U32)]))
    meta[-1] = 0x1F  # in-type 31 does not exist
    evs = write_events(tmp_path, lambda w: w.event(
        0, 2_000_000, PROV, ext=[(EXT_EVENT_SCHEMA_TL, bytes(meta))], payload=b"\1\0\0\0"))
    ev = evs[0]
    assert dict(ev) == {}
    assert ev.decode_status == "bad schema" and ev.schema_source is None
    (err,) = ev.decode_errors
    assert err["error"].startswith("malformed metadata: ") and "in-type 31" in err["error"]
    assert err["data"] == b"\1\0\0\0" and ev.leftover == b"\1\0\0\0"
    json_matches_dict(ev)


def test_string_only_event(tmp_path):
    evs = write_events(tmp_path, lambda w: w.event(
        0, 2_000_000, uuid.UUID(int=5), flags=EVENT_HEADER_FLAG_STRING_ONLY,
        payload="hello \ud800".encode("utf-16-le", "surrogatepass") + b"\0\0"))
    ev = evs[0]
    assert dict(ev) == {"String": "hello \ud800"}
    assert ev.schema_source == "string" and ev.decode_status == "ok"


# ----------------------------------------------------------------------------- names

def test_tracelogging_names(tmp_path):
    ev = one(tmp_path, [("a", T_U8)], b"\1", event_name="MyEvent", level=2, opcode=1,
             keyword=0x30, channel=11)
    assert ev.name == "MyEvent" and ev.provider_name == PROV_NAME
    assert ev.level_name == "Error" and ev.opcode_name == "Start"
    assert ev.channel_name == "TraceLogging"
    assert ev.task_name is None and ev.keyword_names == []


# ----------------------------------------------------------------------------- injected schemas

EVENT_METADATA = uuid.UUID("bbccf6c1-6cd1-48c4-80ff-839482e37671")
INJ_PROV = uuid.UUID("6a1f2e3d-0000-4000-8000-00000000abcd")


def tei_blob(provider, event_id, version, props, top, names, opcode=1, level=4, task=5,
             channel=16, keyword=0x8000000000000003, decoding_source=0, event_guid=None):
    """A TRACE_EVENT_INFO blob (etl-format.md 6): 0x70-byte header, 24-byte
    EVENT_PROPERTY_INFO entries, then UTF-16Z strings. props: dicts with name,
    flags, in/out (or struct_start/struct_count), map, count, length."""
    strings = bytearray()
    base = 0x70 + 24 * len(props)

    def s(text):
        if text is None:
            return 0
        off = base + len(strings)
        strings.extend(text.encode("utf-16-le") + b"\0\0")
        return off

    def kw_list(items):
        if not items:
            return 0
        off = base + len(strings)
        for k in items:
            strings.extend(k.encode("utf-16-le") + b"\0\0")
        strings.extend(b"\0\0")
        return off

    offs = [s(names.get("provider")), s(names.get("level")), s(names.get("channel")),
            kw_list(names.get("keywords")), s(names.get("task")), s(names.get("opcode")),
            0, 0, 0, 0, s(names.get("event")), 0]
    entries = bytearray()
    for p in props:
        flags = p.get("flags", 0)
        if flags & 1:
            mid = struct.pack("<HHI", p["struct_start"], p["struct_count"], 0)
        else:
            mid = struct.pack("<HHI", p["in"], p.get("out", 0), s(p.get("map")))
        entries += struct.pack("<II", flags, s(p["name"])) + mid + struct.pack(
            "<HHI", p.get("count", 1), p.get("length", 0), 0)
    hdr = (guid_bytes(provider) + guid_bytes(event_guid or uuid.UUID(int=0))
           + struct.pack("<HBBBBHQ", event_id, version, channel, level, opcode, task, keyword)
           + struct.pack("<I", decoding_source) + struct.pack("<12I", *offs)
           + struct.pack("<III", len(props), top, 0))
    assert len(hdr) == 0x70
    return hdr + bytes(entries) + bytes(strings)


def emi_record(provider, name, flags, entries):
    """EventMetadata opcode 33 payload: provider GUID + EVENT_MAP_INFO."""
    base = 16 + 8 * len(entries)
    strings = bytearray()

    def s(text):
        off = base + len(strings)
        strings.extend(text.encode("utf-16-le") + b"\0\0")
        return off

    name_off = s(name)
    body = bytearray()
    for value, text in entries:
        body += struct.pack("<II", s(text), value)
    return guid_bytes(provider) + struct.pack("<IIII", name_off, flags, len(entries), 0) + \
        bytes(body) + bytes(strings)


INJ_PROPS = [
    {"name": "State", "in": 8, "map": "StateMap"},
    {"name": "Flags", "in": 8, "out": 20, "map": "FlagMap"},   # UINT32 shown hex, a bitmap
    {"name": "Count", "in": 6},
    {"name": "Items", "in": 8, "flags": 0x4, "count": 2},       # count from property 2
    {"name": "NameLen", "in": 6, "out": 301},                   # NOPRINT helper
    {"name": "Name", "in": 1, "flags": 0x2, "length": 4},       # length (chars) from property 4
    {"name": "Ptr", "in": 16, "out": 19},
    {"name": "Addr", "in": 14, "out": 24, "flags": 0x10, "length": 16},
]
INJ_NAMES = {"provider": "My-Provider", "task": "MyTask", "opcode": "win:Start",
             "level": "win:Informational", "channel": "My-Provider/Operational",
             "keywords": ["KwA", "KwB"]}


def inj_payload(state, flags, items, name, ptr, ptr_size):
    return (struct.pack("<IIH", state, flags, len(items))
            + struct.pack("<%dI" % len(items), *items)
            + u16(len(name)) + name.encode("utf-16-le")
            + ptr.to_bytes(ptr_size, "little")
            + bytes.fromhex("fe800000000000000000000000000001"))


def build_injected(w):
    w.classic(0, 1_500_000, EVENT_METADATA, type=32,
              payload=tei_blob(INJ_PROV, 7, 1, INJ_PROPS, len(INJ_PROPS), INJ_NAMES))
    w.classic(0, 1_500_001, EVENT_METADATA, type=33,
              payload=emi_record(INJ_PROV, "StateMap", 1, [(0, "Idle"), (1, "Running")]))
    w.classic(0, 1_500_002, EVENT_METADATA, type=33,
              payload=emi_record(INJ_PROV, "FlagMap", 2, [(1, "Read"), (2, "Write"),
                                                           (4, "Exec")]))
    common = dict(id=7, version=1, opcode=1, level=4, task=5, channel=16,
                  keyword=0x8000000000000003)
    w.event(0, 2_000_000, INJ_PROV, payload=inj_payload(1, 5, [10, 20, 30], "abcd",
                                                        0x7FF612345678, 8), **common)
    w.event(0, 2_000_001, INJ_PROV, ptr=4, payload=inj_payload(7, 9, [], "wxyz", 0xABCD, 4),
            **common)
    w.event(0, 2_000_002, INJ_PROV, payload=inj_payload(0, 0, [1], "q\0zz", 1, 8), **common)


def test_injected_schema_maps_and_references(tmp_path):
    evs = [ev for ev in write_events(tmp_path, build_injected) if ev.provider_id == INJ_PROV]
    a, b, c = evs
    for ev in evs:
        assert ev.schema_source == "injected" and ev.decode_status == "ok"
        assert ev.leftover == b""
        # win:* names of manifests without messages are shown the way Windows shows them.
        assert (ev.provider_name, ev.task_name, ev.opcode_name, ev.level_name) == (
            "My-Provider", "MyTask", "Start", "Information")
        assert ev.name == "MyTask/Start"
        assert ev.channel_name == "My-Provider/Operational"
        assert ev.keyword_names == ["KwA", "KwB"]
    assert dict(a) == {"State": 1, "Flags": 5, "Count": 3, "Items": [10, 20, 30], "NameLen": 4,
                       "Name": "abcd", "Ptr": 0x7FF612345678, "Addr": "fe80::1"}
    assert a.format("State") == "Running"
    assert a.format("Flags") == "Read | Exec"
    assert a.format("Ptr") == "0x00007FF612345678"     # padded to the pointer width
    assert a.format("Items") == "[10,20,30]"
    assert a.format("Name") == "abcd" and a.format("Addr") == "fe80::1"
    # 32-bit event: the pointer is 4 bytes.
    assert dict(b)["Ptr"] == 0xABCD and b.pointer_size == 4
    assert b.format("Ptr") == "0x0000ABCD"
    assert b.format("State") == "7"                    # no such entry: the number
    assert b.format("Flags") == "Read | 0x8"           # bits no entry names: hex
    assert b["Items"] == []
    # A counted string stops at an embedded NUL; a bitmap value 0 without a 0 entry is "0".
    assert c["Name"] == "q" and c.format("Flags") == "0" and c.format("State") == "Idle"
    with pytest.raises(KeyError):
        a.format("Nope")
    d = a.to_dict()["System"]
    assert d["Keywords"] == {"Mask": "0x8000000000000003", "Name": ["KwA", "KwB"]}
    assert d["Channel"] == {"Value": 16, "Name": "My-Provider/Operational"}
    assert d["Opcode"] == {"Value": 1, "Name": "Start"}
    for ev in evs:
        json_matches_dict(ev)


# ----------------------------------------------------------------------------- kernel tables

def test_kernel_process_event_both_pointer_sizes(tmp_path):
    sid = sid_bytes("S-1-5-18")

    def payload(ptr):
        p = lambda v: v.to_bytes(ptr, "little")  # noqa: E731
        return (p(0xFFFF800012345678 & ((1 << (8 * ptr)) - 1))
                + struct.pack("<IIIi", 1234, 4, 1, 259)
                + p(0x1AB000)
                # TOKEN_USER (a pointer to the SID, attributes), then the SID itself
                + p(0xFFFF8000DEAD0000 & ((1 << (8 * ptr)) - 1)) + p(0) + sid
                + b"notepad.exe\0" + utf16z("notepad.exe a.txt"))

    def build(w):
        w.system(0, 2_000_000, group=3, type=1, version=3, payload=payload(8), ptr=8)
        w.system(0, 2_000_001, group=3, type=1, version=3, payload=payload(4), ptr=4)

    for ev, ptr in zip(write_events(tmp_path, build), (8, 4)):
        assert ev.schema_source == "kernel" and ev.decode_status == "ok"
        assert ev.leftover == b""
        assert ev.provider_name == "MSNT_SystemTrace"
        assert ev.name == "%s/%s" % (ev.task_name, ev.opcode_name)
        assert dict(ev) == {
            "UniqueProcessKey": 0xFFFF800012345678 & ((1 << (8 * ptr)) - 1),
            "ProcessId": 1234, "ParentId": 4, "SessionId": 1, "ExitStatus": 259,
            "DirectoryTableBase": 0x1AB000, "UserSID": "S-1-5-18",
            "ImageFileName": "notepad.exe", "CommandLine": "notepad.exe a.txt"}
        assert ev.format("ProcessId") == "0x4D2"


def test_kernel_sid_absent(tmp_path):
    # A kernel WBEMSID that is a single u32 0 means "no SID" (PerfView's SkipSID).
    payload = (struct.pack("<QIIIiQ", 0x10, 8, 4, 0, 0, 0) + struct.pack("<I", 0)
               + b"System\0" + utf16z(""))
    (ev,) = write_events(tmp_path, lambda w: w.system(0, 2_000_000, group=3, type=3, version=3,
                                                     payload=payload))
    assert ev["UserSID"] is None and ev["ImageFileName"] == "System"
    assert ev.decode_status == "ok" and ev.leftover == b""


# ----------------------------------------------------------------------------- to_dict / to_json

ACT = uuid.UUID("00000100-0000-0003-193d-42fb30bbcb01")
REL = uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")


def test_exact_json_for_one_event(tmp_path):
    fields = [("n", T_I32), ("s", T_USTR), ("f", T_F64), ("b", T_BOOL32), ("g", T_GUID),
              ("arr", T_STRUCT, 1), ("x", T_U8)]
    payload = (struct.pack("<i", -3) + utf16z('a"\u00e9') + struct.pack("<d", 0.1)
               + struct.pack("<I", 1) + guid_bytes(GUID_VAL) + b"\x09")
    w = EtlWriter(start_filetime=133500000000000000)
    tl_event(w, w.t0 + 1234567, "Exact", fields, payload, level=4, opcode=2, task=9,
             keyword=0x0000400000000001, channel=11, tid=0x1234, pid=0x5678,
             activity_id=ACT, ext=[(EXT_RELATED_ACTIVITYID, guid_bytes(REL))],
             kernel_time=3, user_time=4)
    path = tmp_path / "exact.etl"
    w.write(str(path))
    (ev,) = [e for e in etw.open(str(path)) if e.kind == "tracelogging"]
    expected = (
        '{"System":{"Provider":{"Name":"Test.Decode","Guid":"{%s}"},'
        '"EventName":"Exact","EventID":0,"Version":0,'
        '"Level":{"Value":4,"Name":"Information"},"Task":{"Value":9,"Name":""},'
        '"Opcode":{"Value":2,"Name":"Stop"},'
        '"Keywords":{"Mask":"0x0000400000000001","Name":[]},'
        '"TimeCreated":{"SystemTime":"2024-01-17T21:20:00.1234567Z"},'
        '"Correlation":{"ActivityID":"{00000100-0000-0003-193D-42FB30BBCB01}",'
        '"RelatedActivityID":"{01234567-89AB-CDEF-0123-456789ABCDEF}"},'
        '"Execution":{"ProcessID":22136,"ThreadID":4660,"ProcessorID":0,"KernelTime":3,'
        '"UserTime":4},"Channel":{"Value":11,"Name":"TraceLogging"}},'
        '"EventData":{"n":-3,"s":"a\\"\u00e9","f":0.1,"b":true,'
        '"g":"{0AD614C4-0EF4-4225-8013-F44F37CB0397}","arr":{"x":9}},'
        '"ExtendedData":{"related_activity_id":"{01234567-89AB-CDEF-0123-456789ABCDEF}"}}'
    ) % str(PROV).upper()
    assert ev.to_json() == expected
    d = ev.to_dict()
    assert d["System"]["TimeCreated"]["SystemTime"] == dt.datetime(
        2024, 1, 17, 21, 20, 0, 123456, tzinfo=UTC)
    assert d["System"]["Provider"] == {"Name": PROV_NAME, "Guid": PROV}
    assert d["System"]["Correlation"] == {"ActivityID": ACT, "RelatedActivityID": REL}
    # ExtendedData is ev.extended without the TraceLogging schema items.
    assert set(ev.extended) == {"related_activity_id", "event_schema_tl", "prov_traits"}
    json_matches_dict(ev)


def test_to_dict_times_within_and_across_microseconds(tmp_path):
    """TimeCreated is each event's own time, cut to microseconds, also for
    events logged within one microsecond of each other."""
    w = EtlWriter(start_filetime=133500000000000000)
    offsets = [10, 13, 19, 20, 29, 13, 10_000_007]
    for i, off in enumerate(offsets):
        tl_event(w, w.t0 + off, "T", [("a", T_U8)], bytes([i]))
    path = tmp_path / "times.etl"
    w.write(str(path))
    evs = [e for e in etw.open(str(path)) if e.kind == "tracelogging"]
    base = dt.datetime(2024, 1, 17, 21, 20, tzinfo=UTC)
    got = [ev.to_dict()["System"]["TimeCreated"]["SystemTime"] for ev in evs]
    assert sorted(got) == sorted(base + dt.timedelta(microseconds=off // 10)
                                 for off in offsets)
    assert got == [ev.timestamp for ev in evs]


def test_to_dict_is_fresh_and_mapping_matches(tmp_path):
    ev = one(tmp_path, [("a", T_U32), ("l", T_U8, None)], struct.pack("<I", 1) + b"\2")
    d1, d2 = ev.to_dict(), ev.to_dict()
    assert d1 == d2 and d1 is not d2 and d1["System"] is not d2["System"]
    d1["System"]["Level"]["Name"] = "changed"
    d1["EventData"]["a"] = 99
    assert ev.to_dict() == d2 and ev["a"] == 1
    assert d2["EventData"] == dict(ev) == {"a": 1, "l": 2}
    assert list(d2) == ["System", "EventData", "ExtendedData"]
    assert list(d2["System"]) == ["Provider", "EventName", "EventID", "Version", "Level",
                                  "Task", "Opcode", "Keywords", "TimeCreated", "Correlation",
                                  "Execution", "Channel"]


def _mutate_everywhere(obj):
    """Changes every dict and list of a to_dict() tree in place."""
    if isinstance(obj, dict):
        for k in list(obj):
            _mutate_everywhere(obj[k])
            if not isinstance(obj[k], (dict, list)):
                obj[k] = "changed"
        obj["added"] = 1
    elif isinstance(obj, list):
        for v in obj:
            _mutate_everywhere(v)
        obj.append("added")


def test_to_dict_trees_share_no_container(tmp_path):
    """Every dict and list of a to_dict() result is its own: changing all of
    them leaves the next results of the same event, and of another event with
    the same schema and header fields, as they were."""
    import copy

    fields = [("x", T_U8), ("x", T_U8), ("s", T_STRUCT, 2), ("y", T_U8), ("y", T_U8),
              {"name": "pts", "in": T_STRUCT, "out": 1, "count": 2}, ("p", T_I16)]

    def build(w):
        for i in range(2):
            tl_event(w, 2_000_000 + i, "Same", fields, bytes([1, 2, 3, 4]) +
                     struct.pack("<2h", i, -i), level=4, opcode=1, keyword=5, tid=7, pid=9,
                     activity_id=ACT)

    a, b = write_events(tmp_path, build)
    want_a, want_b = copy.deepcopy(a.to_dict()), copy.deepcopy(b.to_dict())
    assert want_a["EventData"] == {"x": 1, "x#2": 2, "s": {"y": 3, "y#2": 4},
                                   "pts": [{"p": 0}, {"p": 0}]}
    assert want_b["EventData"]["pts"] == [{"p": 1}, {"p": -1}]
    assert want_a["System"]["Execution"] == want_b["System"]["Execution"]
    for ev in (a, b, a, b):
        _mutate_everywhere(ev.to_dict())
        assert a.to_dict() == want_a and b.to_dict() == want_b
    assert dict(a) == want_a["EventData"]


def test_to_dict_of_repeated_payloads(tmp_path):
    """Events repeating a payload (as sampling events do) give the same
    EventData, each its own dict, and the same decode outcome as when decoded
    alone; another schema over the same bytes gives its own names."""
    payload = struct.pack("<IH", 7, 9) + b"\xaa"

    def build(w):
        for i in range(3):
            tl_event(w, 2_000_000 + i, "Rep", [("a", T_U32), ("b", T_U16)], payload)
        tl_event(w, 2_000_010, "Other", [("c", T_U32), ("d", T_U16)], payload)
        tl_event(w, 2_000_011, "Rep", [("a", T_U32), ("b", T_U16)], payload[:6])

    evs = write_events(tmp_path, build)
    ds = [ev.to_dict()["EventData"] for ev in evs]
    assert ds[:3] == [{"a": 7, "b": 9}] * 3 and ds[3] == {"c": 7, "d": 9}
    assert ds[4] == {"a": 7, "b": 9}
    ds[0]["a"] = 0
    assert evs[1].to_dict()["EventData"] == {"a": 7, "b": 9}
    for ev in evs[:4]:
        assert (ev.decode_status, ev.decode_errors, ev.leftover) == ("ok", [], b"\xaa")
    assert (evs[4].decode_status, evs[4].leftover) == ("ok", b"")
    assert [dict(ev) for ev in evs] == [{"a": 7, "b": 9}] * 3 + [{"c": 7, "d": 9},
                                                                 {"a": 7, "b": 9}]


def test_to_dict_of_repeated_payloads_with_containers(tmp_path):
    """Arrays (also empty ones, which have no values) and structs of repeated
    payloads are lists and dicts of their own in each result."""
    fields = [("a", T_U8), {"name": "v", "in": T_U32, "count": "v"},
              {"name": "c", "in": T_U32, "count": 0}, {"name": "w", "in": T_U16, "count": "v"},
              ("s", T_STRUCT, 2), ("x", T_U8), ("y", T_U8)]
    payload = b"\x01" + u16(0) + u16(2) + struct.pack("<2H", 5, 6) + b"\x07\x08"
    evs = write_events(tmp_path, lambda w: [
        tl_event(w, 2_000_000 + i, "Cont", fields, payload) for i in range(4)])
    for ev in evs * 2:
        data = ev.to_dict()["EventData"]
        assert data == {"a": 1, "v": [], "c": [], "w": [5, 6], "s": {"x": 7, "y": 8}}
        _mutate_everywhere(data)


def test_to_dict_names_after_the_trace_is_freed(tmp_path):
    """Property names come from the schemas of the event's own trace, also when
    an earlier trace (whose schemas' memory may be reused) had other names."""
    import gc

    for i in range(6):
        names = ["n%d_%d" % (i, k) for k in range(3)]
        ev = one(tmp_path, [(n, T_U8) for n in names], bytes([1, 2, 3]),
                 event_name="E%d" % i)
        d = ev.to_dict()
        assert list(d["EventData"]) == names and d["System"]["EventName"] == "E%d" % i
        assert list(ev) == names
        del ev, d
        gc.collect()


def test_float_rendering(tmp_path):
    vals = [0.1, -0.0, 1e300, 5e-324, float("inf"), float("nan"), 123456789.0]
    ev = one(tmp_path, [{"name": "d", "in": T_F64, "count": len(vals)}],
             struct.pack("<%dd" % len(vals), *vals))
    text = ev.to_json()
    assert '"d":[0.1,-0.0,1e+300,5e-324,null,null,123456789.0]' in text
    got = ev["d"]
    assert got[:5] == vals[:5] and math.isnan(got[5]) and got[6] == vals[6]


def test_json_text_round_trips_every_kind_of_character(tmp_path):
    """Strings with quotes, backslashes, controls, non-ASCII and surrogates at
    every position (the writer scans 8 bytes at a time), in values and in
    field names, come back unchanged through json.loads."""
    import random

    rnd = random.Random(8)
    alphabet = ['"', "\\", "\n", "\x00", "\x1f", "\x7f", "a", "Z", " ", "é", "€", "\u2028",
                "\U0001F600", "\ud800", "\udfff", "/", "\t"]
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 40)))
             for _ in range(40)]
    ansi = ["".join(rnd.choice('"\\\x01ab \x80\xe9\xff') for _ in range(rnd.randrange(0, 30)))
            for _ in range(10)]

    def enc(t):
        return t.encode("utf-16-le", "surrogatepass")

    fields = [("n\u00e4me \"q\" \\ %d" % i, T_CSTR) for i in range(len(texts))]
    fields += [("a%d" % i, T_CASTR) for i in range(len(ansi))]
    payload = b"".join(counted16(enc(t)) for t in texts)
    payload += b"".join(counted16(t.encode("latin-1")) for t in ansi)
    ev = one(tmp_path, fields, payload)
    # A random high surrogate followed by a low one is a pair: it decodes to one
    # character, as UTF-16 says.
    want = {f[0]: enc(t).decode("utf-16-le", "surrogatepass") for f, t in zip(fields, texts)}
    # ANSI: Windows-1252 (0x80 is the euro sign).
    want.update({"a%d" % i: t.encode("latin-1").decode("cp1252", "replace").replace(
        "\ufffd", "\x81") for i, t in enumerate(ansi)})
    assert dict(ev) == want
    assert json.loads(ev.to_json())["EventData"] == want


def test_decoding_inside_a_gc_callback_during_a_conversion(tmp_path):
    """Python code can run in the middle of a conversion (a collection started
    by an allocation runs gc callbacks and finalizers). Decoding another event
    from there must neither disturb the conversion under way nor be disturbed."""
    import gc

    def build(w):
        for i in range(60):
            fields = [("s%d" % k, T_USTR) for k in range(12)] + [("n", T_U32)]
            payload = b"".join(utf16z("v%d_%d" % (i, k)) for k in range(12))
            tl_event(w, 2_000_000 + i, "E", fields, payload + struct.pack("<I", i))

    evs = write_events(tmp_path, build)
    want = [{**{"s%d" % k: "v%d_%d" % (i, k) for k in range(12)}, "n": i} for i in range(60)]
    seen = []

    def during_gc(phase, info):
        if phase == "start":
            other = evs[len(seen) % len(evs)]
            seen.append(other.to_dict()["EventData"] == want[evs.index(other)])

    old = gc.get_threshold()
    gc.callbacks.append(during_gc)
    gc.set_threshold(1, 1, 1)
    try:
        for _ in range(3):
            got = [ev.to_dict()["EventData"] for ev in evs]
            assert got == want
            assert [json.loads(ev.to_json())["EventData"] for ev in evs] == want
    finally:
        gc.callbacks.remove(during_gc)
        gc.set_threshold(*old)
    assert seen and all(seen)
