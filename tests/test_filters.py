"""EVENT_FILTER_DESCRIPTOR payloads: exact bytes, written out by hand from the evntprov.h
layouts (EVENT_FILTER_EVENT_ID, EVENT_FILTER_EVENT_NAME, PID array, UTF-16 exe names)."""

import pytest

from etw import filters as f


def test_constants_match_evntprov_h():
    assert f.EVENT_FILTER_TYPE_NONE == 0
    assert f.EVENT_FILTER_TYPE_SCHEMATIZED == 0x80000000
    assert f.EVENT_FILTER_TYPE_PID == 0x80000004
    assert f.EVENT_FILTER_TYPE_EXECUTABLE_NAME == 0x80000008
    assert f.EVENT_FILTER_TYPE_PACKAGE_ID == 0x80000010
    assert f.EVENT_FILTER_TYPE_PACKAGE_APP_ID == 0x80000020
    assert f.EVENT_FILTER_TYPE_PAYLOAD == 0x80000100
    assert f.EVENT_FILTER_TYPE_EVENT_ID == 0x80000200
    assert f.EVENT_FILTER_TYPE_EVENT_NAME == 0x80000400
    assert f.EVENT_FILTER_TYPE_STACKWALK == 0x80001000
    assert f.EVENT_FILTER_TYPE_STACKWALK_NAME == 0x80002000
    assert f.EVENT_FILTER_TYPE_STACKWALK_LEVEL_KW == 0x80004000
    assert f.EVENT_FILTER_TYPE_CONTAINER == 0x80008000
    assert f.MAX_EVENT_FILTER_DATA_SIZE == 1024
    assert f.MAX_EVENT_FILTER_EVENT_NAME_SIZE == 4096
    assert f.MAX_EVENT_FILTER_PID_COUNT == 8
    assert f.MAX_EVENT_FILTER_EVENT_ID_COUNT == 64


def test_event_id_filter_include():
    flt = f.event_id_filter([1, 2])
    # FilterIn=1, Reserved=0, Count=2 (LE u16), Events 1, 2 (LE u16)
    assert flt == (0x80000200, bytes([1, 0, 2, 0, 1, 0, 2, 0]))
    assert flt.type == 0x80000200 and len(flt.data) == 8


def test_event_id_filter_exclude_and_stackwalk():
    assert f.event_id_filter([0xFFFF], False) == (0x80000200, b"\x00\x00\x01\x00\xff\xff")
    assert f.event_id_filter([0x1234], type=f.EVENT_FILTER_TYPE_STACKWALK) == (
        0x80001000, b"\x01\x00\x01\x00\x34\x12")


def test_event_id_filter_limits():
    flt = f.event_id_filter(range(64))
    assert len(flt.data) == 4 + 2 * 64
    assert flt.data[:4] == b"\x01\x00\x40\x00"
    assert flt.data[-2:] == b"\x3f\x00"
    with pytest.raises(ValueError, match="at most 64"):
        f.event_id_filter(range(65))
    for bad in ([], [65536], [-1], [True], ["1"]):
        with pytest.raises(ValueError):
            f.event_id_filter(bad)


def test_pid_filter():
    assert f.pid_filter([1, 0xFFFFFFFF]) == (
        0x80000004, b"\x01\x00\x00\x00\xff\xff\xff\xff")
    assert len(f.pid_filter(range(8)).data) == 32
    with pytest.raises(ValueError, match="at most 8"):
        f.pid_filter(range(9))
    for bad in ([], [2 ** 32], [-1]):
        with pytest.raises(ValueError):
            f.pid_filter(bad)


def test_exe_name_filter():
    expected = (b"a\x00.\x00e\x00x\x00e\x00;\x00"
                b"b\x00.\x00e\x00x\x00e\x00\x00\x00")
    assert f.exe_name_filter(["a.exe", "b.exe"]) == (0x80000008, expected)
    assert f.exe_name_filter("a.exe;b.exe") == (0x80000008, expected)
    assert f.exe_name_filter(["\u00e9.exe"]).data == b"\xe9\x00.\x00e\x00x\x00e\x00\x00\x00"


def test_exe_name_filter_limits():
    assert len(f.exe_name_filter(["x" * 511]).data) == 1024  # 511 chars + NUL, UTF-16
    with pytest.raises(ValueError, match="1024"):
        f.exe_name_filter(["x" * 512])
    for bad in ([], [""], "a.exe;", ["a;b"], ["a\0b"]):
        with pytest.raises(ValueError):
            f.exe_name_filter(bad)


def test_event_name_filter_defaults():
    flt = f.event_name_filter(["Start", "Stop"])
    expected = bytes.fromhex(
        "ffffffffffffffff"    # MatchAnyKeyword
        "0000000000000000"    # MatchAllKeyword
        "ff"                  # Level
        "01"                  # FilterIn
        "0200"                # NameCount
        "537461727400"        # "Start\0"
        "53746f7000")         # "Stop\0"
    assert flt == (0x80000400, expected)
    assert len(flt.data) == 31


def test_event_name_filter_fields():
    flt = f.event_name_filter(["\u00e9"], False, level=4, match_any_keyword=0x10,
                              match_all_keyword=0x8000000000000001,
                              type=f.EVENT_FILTER_TYPE_STACKWALK_NAME)
    assert flt == (0x80002000, bytes.fromhex(
        "1000000000000000" "0100000000000080" "04" "00" "0100" "c3a900"))


def test_event_name_filter_limits():
    assert len(f.event_name_filter(["n" * 4075]).data) == 4096  # 20 + 4075 + NUL
    with pytest.raises(ValueError, match="4096"):
        f.event_name_filter(["n" * 4076])
    for bad in ([], [""], ["a\0"]):
        with pytest.raises(ValueError):
            f.event_name_filter(bad)
    with pytest.raises(ValueError):
        f.event_name_filter(["a"], level=256)
    with pytest.raises(ValueError):
        f.event_name_filter(["a"], match_any_keyword=2 ** 64)
