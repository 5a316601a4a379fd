"""MS-XCA Plain LZ77 decoder (etwmodule/core/lz77.c) through etw._etw._lz77_decompress.

Hand-encoded streams are written byte by byte from the MS-XCA rules (not by
tests/etlwriter/lz77.py) so a bug shared by the compressor and the decoder still
shows. End-of-input rules asserted here (documented in lz77.c):
  * a flag word (4 bytes), a literal (1 byte) or a match word (2 bytes) that does not
    fit in the input ends the stream: the bytes produced so far are returned;
  * a missing length-extension byte, a u16/u32 length below 22, or a match reaching
    before the start of the output raises etw.EtlFormatError;
  * output stops at out_size (a longer match is cut).
"""
import os
import random
import struct
import sys
import uuid
from pathlib import Path

import pytest

import etw
from etw import _etw

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
from etlwriter import lz77 as pylz77  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "etl-corpus"

dec = _etw._lz77_decompress


def flag_word(bits):
    """u32 LE flag word from '0'/'1' symbols, first symbol first; the unused tail is 1s
    (a match bit with no input left is the regular end of a stream)."""
    assert len(bits) <= 32
    return int(bits.ljust(32, "1"), 2).to_bytes(4, "little")


# --------------------------------------------------------------------------
# Hand-encoded streams, exact output


def test_flag_word_helper_is_msb_first():
    assert flag_word("0001") == b"\xff\xff\xff\x1f"
    assert flag_word("0" * 32) == b"\x00\x00\x00\x00"


def test_empty_stream():
    assert dec(b"", 0) == b""
    assert dec(b"", 100) == b""
    assert dec(b"\xff\xff\xff\xff", 100) == b""  # match bit, no input: end


def test_literals_then_end():
    # flags 0x10000000: three literals, then a match bit with no input left
    assert dec(b"\x00\x00\x00\x10abc", 3) == b"abc"
    assert dec(b"\x00\x00\x00\x10abc", 1000) == b"abc"


def test_short_match():
    # "abc", match offset 3 length 6: m = ((3-1) << 3) | (6-3) = 0x0013
    stream = b"\x00\x00\x00\x18" + b"abc" + b"\x13\x00"
    assert dec(stream, 9) == b"abcabcabc"
    assert dec(stream, 50) == b"abcabcabc"


def test_overlapping_match_offset_1_nibble():
    # "a", match offset 1 length 10: code 7, nibble 0 in a new byte
    stream = b"\x00\x00\x00\x60" + b"a" + b"\x07\x00" + b"\x00"
    assert dec(stream, 11) == b"a" * 11


def test_half_byte_shared_by_two_matches():
    # "ab"; match offset 2 length 10 (nibble 0, low half of a new byte 0x50);
    # match offset 1 length 15 (nibble 5 = the high half of that same byte);
    # the second match word follows the shared byte, no new nibble byte.
    stream = (b"\x00\x00\x00\x38" + b"ab" + b"\x0f\x00" + b"\x50" + b"\x07\x00")
    assert dec(stream, 100) == b"ab" * 6 + b"b" * 15


def test_half_byte_then_new_byte():
    # three code-7 matches: byte X (low, high) shared by 1st and 2nd, 3rd takes a new byte
    stream = (flag_word("01111") + b"z" + b"\x07\x00" + b"\x21" + b"\x07\x00"
              + b"\x07\x00" + b"\x03")
    # lengths: 3+7+1 = 11, 3+7+2 = 12, 3+7+3 = 13
    assert dec(stream, 1000) == b"z" * (1 + 11 + 12 + 13)


def test_byte_length_extension():
    # "a", match offset 1: nibble 15, then byte 10 -> length 3+7+15+10 = 35
    stream = b"\x00\x00\x00\x60" + b"a" + b"\x07\x00" + b"\x0f" + b"\x0a"
    assert dec(stream, 100) == b"a" * 36


def test_u16_length_extension():
    # byte 255, u16 = length - 3 = 997 -> length 1000
    stream = b"\x00\x00\x00\x60" + b"x" + b"\x07\x00\x0f\xff" + struct.pack("<H", 997)
    assert dec(stream, 5000) == b"x" * 1001


def test_u16_length_minimum_22():
    stream = b"\x00\x00\x00\x60" + b"x" + b"\x07\x00\x0f\xff" + struct.pack("<H", 22)
    assert dec(stream, 5000) == b"x" * (1 + 25)


def test_u32_length_extension():
    # u16 0, then u32 = length - 3 = 69997 -> length 70000
    stream = (b"\x00\x00\x00\x60" + b"y" + b"\x07\x00\x0f\xff\x00\x00"
              + struct.pack("<I", 69997))
    assert dec(stream, 100000) == b"y" * 70001


def test_u32_length_small_value_allowed():
    stream = (b"\x00\x00\x00\x60" + b"y" + b"\x07\x00\x0f\xff\x00\x00"
              + struct.pack("<I", 100))
    assert dec(stream, 1000) == b"y" * 104


def test_long_period_3_match():
    # "abc", match offset 3 length 3+7+15+200 = 225
    stream = b"\x00\x00\x00\x18" + b"abc" + b"\x17\x00\x0f" + bytes([200])
    assert dec(stream, 1000) == (b"abc" * 80)[:228]


def test_overlapping_match_offset_8_length_16():
    # offset 8, length 16 = 3+7+6: the source overlaps the bytes being written
    stream = flag_word("000000001") + b"01234567" + b"\x3f\x00" + b"\x06"
    assert dec(stream, 100) == b"01234567" * 3


def test_overlapping_match_offset_12_length_13():
    stream = flag_word("0" * 12 + "1") + b"abcdefghijkl" + bytes([(11 << 3) | 7, 0, 3])
    assert dec(stream, 100) == b"abcdefghijkl" * 2 + b"a"


def test_max_offset_8192():
    # "A","B"; match offset 1 length 8190 (u16 8187) -> 8192 bytes;
    # match offset 8192 length 3: m = (8191 << 3) | 0 = 0xfff8 copies out[0:3]
    stream = (b"\x00\x00\x00\x38" + b"AB" + b"\x07\x00\x0f\xff" + struct.pack("<H", 8187)
              + b"\xf8\xff")
    assert dec(stream, 10000) == b"A" + b"B" * 8191 + b"ABB"


def test_second_flag_word():
    # 32 literals, a new flag word 0xc0000000: a match (offset 32, length 4), then the end
    lit = bytes(range(32))
    stream = b"\x00\x00\x00\x00" + lit + b"\x00\x00\x00\xc0" + b"\xf9\x00"
    assert dec(stream, 100) == lit + bytes(range(4))


def test_input_after_end_marker_bit_keeps_decoding():
    # The stream ends on input exhaustion, not on a flag bit: after the bit that
    # would end a shorter stream, a match word present in the input is decoded.
    stream = b"\x00\x00\x00\x10" + b"abc" + b"\x10\x00"  # match offset 3 length 3
    assert dec(stream, 100) == b"abcabc"


# --------------------------------------------------------------------------
# out_size limits


def test_out_size_cuts_literals_and_matches():
    stream = b"\x00\x00\x00\x18" + b"abc" + b"\x13\x00"
    assert dec(stream, 0) == b""
    assert dec(stream, 2) == b"ab"
    assert dec(stream, 5) == b"abcab"


def test_huge_u32_length_stops_at_out_size():
    stream = (b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f\xff\x00\x00"
              + b"\xff\xff\xff\xff")
    assert dec(stream, 100) == b"a" * 100
    assert dec(stream, 1) == b"a"


def test_match_after_out_size_is_not_checked():
    # the offset error is never reached once out_size bytes were produced
    stream = b"\x00\x00\x00\x20" + b"ab" + b"\xf8\xff"
    assert dec(stream, 2) == b"ab"
    with pytest.raises(etw.EtlFormatError):
        dec(stream, 3)


# --------------------------------------------------------------------------
# Malformed and truncated input


@pytest.mark.parametrize("stream", [
    b"\x00\x00\x00\x80" + b"\x00\x00",                    # match first: offset 1 > 0
    b"\x00\x00\x00\x40" + b"a" + b"\x08\x00",             # offset 2 after 1 byte
    b"\x00\x00\x00\x20" + b"ab" + b"\xf8\xff",            # offset 8192 after 2 bytes
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00",             # nibble byte missing
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f",         # length byte missing
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f\xff",     # u16 missing
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f\xff\x05",  # u16 cut
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f\xff\x00\x00\x01\x00\x00",  # u32 cut
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f\xff" + struct.pack("<H", 21),
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f\xff\x00\x00" + struct.pack("<I", 21),
    b"\x00\x00\x00\x60" + b"a" + b"\x07\x00\x0f\xff\x00\x00" + struct.pack("<I", 0),
])
def test_malformed_raises(stream):
    with pytest.raises(etw.EtlFormatError):
        dec(stream, 100000)


def test_error_is_value_error_too():
    with pytest.raises(ValueError):
        dec(b"\x00\x00\x00\x80\x00\x00", 10)


@pytest.mark.parametrize("stream,expected", [
    (b"\x00", b""),                                        # flag word cut
    (b"\x00\x00\x00", b""),
    (b"\x00\x00\x00\x00", b""),                            # literal with no input
    (b"\x00\x00\x00\x00abc", b"abc"),                      # literal run cut
    (b"\x00\x00\x00\x18abc", b"abc"),                      # match word missing
    (b"\x00\x00\x00\x18abc\x13", b"abc"),                  # match word cut (1 byte)
    (b"\x00\x00\x00\x00" + bytes(32) + b"\x00\x00", bytes(32)),  # 2nd flag word cut
])
def test_truncated_streams_return_what_was_decoded(stream, expected):
    assert dec(stream, 1000) == expected


def _reference(stream, out_size):
    try:
        return pylz77.decompress(stream, out_size)
    except pylz77.LZ77Error:
        return None


def _all_forms_sample():
    rnd = random.Random(1234)
    parts = [bytes(rnd.randrange(256) for _ in range(300))]
    for run in (3, 9, 10, 24, 25, 279, 280, 1000, 65538, 65539, 70000):
        parts.append(bytes([rnd.randrange(256)]) * (run + 1))
        parts.append(bytes(rnd.randrange(4) for _ in range(50)))
    parts.append(parts[0][:40])  # a match far back
    return b"".join(parts)


def test_every_truncation_matches_reference():
    data = _all_forms_sample()
    stream = pylz77.compress(data)
    assert dec(stream, len(data)) == data
    for cut in range(len(stream) + 1):
        got_ref = _reference(stream[:cut], len(data))
        if got_ref is None:
            with pytest.raises(etw.EtlFormatError):
                dec(stream[:cut], len(data))
        else:
            got = dec(stream[:cut], len(data))
            assert got == got_ref
            assert data.startswith(got)


def test_mutated_streams_match_reference():
    rnd = random.Random(99)
    data = _all_forms_sample()[:20000]
    stream = pylz77.compress(data)
    for _ in range(300):
        m = bytearray(stream)
        for _ in range(rnd.randint(1, 3)):
            m[rnd.randrange(len(m))] = rnd.randrange(256)
        m = bytes(m)
        out_size = rnd.choice([len(data), 100, 200000])
        ref = _reference(m, out_size)
        if ref is None:
            with pytest.raises(etw.EtlFormatError):
                dec(m, out_size)
        else:
            assert dec(m, out_size) == ref


# --------------------------------------------------------------------------
# Round trips through the pure-Python compressor


def _periodic(period, length, seed):
    rnd = random.Random(seed)
    pat = bytes(rnd.randrange(256) for _ in range(period))
    return (pat * (length // period + 1))[:length]


ROUND_TRIP = {
    "empty": b"",
    "one": b"q",
    "random": bytes(random.Random(5).randrange(256) for _ in range(5000)),
    "text": b"the quick brown fox jumps over the lazy dog; " * 200,
    "period2": _periodic(2, 5000, 1),
    "period7": _periodic(7, 333, 2),
    "period9": _periodic(9, 12, 3),
    "period9_long": _periodic(9, 23, 3),
    "period12": _periodic(12, 200, 3),
    "period17": _periodic(17, 30, 4),
    "period100": _periodic(100, 70000, 5),
    "far8192": (lambda blk: blk + blk[:500])(bytes(random.Random(6).randrange(256)
                                                   for _ in range(8192))),
    "far_beyond": (lambda blk: blk + blk[:500])(bytes(random.Random(7).randrange(256)
                                                      for _ in range(8193))),
    "all_forms": _all_forms_sample(),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_round_trip(name):
    data = ROUND_TRIP[name]
    stream = pylz77.compress(data)
    assert dec(stream, len(data)) == data
    assert dec(stream, len(data) + 1000) == data
    assert dec(stream, len(data) // 2) == data[:len(data) // 2]
    lit = pylz77.compress(data[:3000], literals_only=True)
    assert dec(lit, 3000) == data[:3000]


@pytest.mark.parametrize("match_len,stream_len", [
    (3, 7), (9, 7),            # length in the match word
    (10, 8), (24, 8),          # nibble
    (25, 9), (279, 9),         # nibble 15 + byte
    (280, 11), (65538, 11),    # + u16
    (65539, 15), (300000, 15),  # + u32
])
def test_runs_use_each_length_form(match_len, stream_len):
    # "a" literal + one match of match_len at offset 1: flag word, literal, match
    # word, then 0, 1, 2, 4 or 8 extension bytes
    data = b"a" * (match_len + 1)
    stream = pylz77.compress(data)
    assert len(stream) == stream_len
    assert stream[4:7] == b"a" + bytes([min(match_len - 3, 7), 0])
    assert dec(stream, len(data)) == data


# --------------------------------------------------------------------------
# Real compressed buffers


def _compressed_buffers(path):
    f = path.read_bytes()
    pos = 0
    out = []
    while pos + 0x48 <= len(f):
        size, = struct.unpack_from("<I", f, pos)
        assert 0x48 <= size <= len(f) - pos
        offset, = struct.unpack_from("<I", f, pos + 0x30)
        flags, = struct.unpack_from("<H", f, pos + 0x34)
        if flags & 0x40:
            out.append((pos, f[pos + 0x48:pos + size], offset - 0x48))
        pos += size
    assert pos == len(f)
    return out


def _walk(data):
    """(marker, size) of each record of an inflated record area (etl-format 1.4/2.1)."""
    pos = 0
    recs = []
    while pos + 4 <= len(data):
        marker, = struct.unpack_from("<I", data, pos)
        if marker in (0, 0xFFFFFFFF):
            break
        top, htype = marker >> 24, (marker >> 16) & 0xFF
        assert top in (0xC0, 0x90)
        at = 4 if top == 0xC0 and htype in (1, 2, 3, 4, 16, 17) else 0
        size, = struct.unpack_from("<H", data, pos + at)
        assert pos + size <= len(data)
        recs.append((marker, size))
        pos += (size + 7) & ~7
    return pos, recs


def test_real_compressed_buffers():
    path = CORPUS / "perfview_SelfDescribingSingleEvent.etl"
    if not path.exists():
        pytest.skip("corpus absent")
    bufs = _compressed_buffers(path)
    assert [(pos, len(inp), want) for pos, inp, want in bufs] == [
        (1024, 6153 - 0x48, 0x1C00 - 0x48), (7177, 226 - 0x48, 0xF0 - 0x48)]

    (_, inp1, want1), (_, inp2, want2) = bufs
    out1 = dec(inp1, want1)
    assert len(out1) == 7096
    assert dec(inp1, want1 + 4096) == out1  # the stream ends by itself
    assert out1 == pylz77.decompress(inp1, want1)
    end, recs = _walk(out1)
    assert end == 7096  # records tile the inflated area exactly
    assert recs[0] == (0xC0020002, 80)  # SYSTEM64 header, version 2
    assert len(recs) == 20
    assert sum(1 for m, _ in recs if m >> 16 == 0xC014) == 18  # FULL_HEADER64 (SOURCES.md)

    out2 = dec(inp2, want2)
    assert len(out2) == 168
    end, recs = _walk(out2)
    assert end == 168 and recs == [(0xC01300A2, 162)]  # one EVENT_HEADER64 record
    assert uuid.UUID(bytes_le=out2[0x18:0x28]) == uuid.UUID("a61ea624-4944-55fc-c2a8-37838829438d")
    assert b"MySource\x00" in out2 and b"TestEvent\x00" in out2
    assert "Hello\x00World!\x00".encode("utf-16-le") in out2

    # prefix inflation (what a reader needing only the first record would do)
    assert dec(inp1, 80) == out1[:80]
