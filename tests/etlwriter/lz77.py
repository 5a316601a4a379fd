"""MS-XCA "Plain LZ77" in pure Python, for building compressed ETL buffers in tests.

``compress(data)`` produces a real LZ77 stream (hash-chain match search, matches of
3 bytes and more up to 8192 bytes back, every length-extension form). ``decompress``
is an independent reference decoder with the same end-of-input rules as
etwmodule/core/lz77.c, used to cross-check it.

Stream layout (MS-XCA 2.3/2.4): a u32 LE flag word announces the next 32 symbols,
bit 31 first; bit 0 = one literal byte, bit 1 = a u16 LE match word
``((offset - 1) << 3) | min(length - 3, 7)``. Length code 7 continues with a 4-bit
value (low nibble of a new byte, or high nibble of the byte the previous such match
left half used); 15 there continues with a byte; 255 there continues with a u16
(0 there: a u32) holding ``length - 3``. The compressor ends with a flag word whose
unused bits are all 1, so the decoder finds a match bit and no input: the end.
"""

MIN_MATCH = 3
MAX_OFFSET = 8192
MAX_LENGTH = 0xFFFFFFFF + 3


class LZ77Error(ValueError):
    """Malformed stream (reference decoder)."""


def _common_length(data, a, b, limit):
    """Length of the common prefix of data[a:] and data[b:], at most limit."""
    n = 0
    step = 8
    grow = True
    while n < limit:
        k = step if step < limit - n else limit - n
        if data[a + n:a + n + k] == data[b + n:b + n + k]:
            n += k
            if grow:
                step <<= 1
        elif k == 1:
            break
        else:
            step = k >> 1
            grow = False
    return n


class _Writer:
    def __init__(self):
        self.out = bytearray(4)  # first flag word, filled in later
        self.flag_pos = 0
        self.flags = 0
        self.nflags = 0
        self.half = -1  # index in out of a byte whose high nibble is still free

    def _flush_if_full(self):
        if self.nflags == 32:
            self.out[self.flag_pos:self.flag_pos + 4] = self.flags.to_bytes(4, "little")
            self.flag_pos = len(self.out)
            self.out += b"\0\0\0\0"
            self.flags = 0
            self.nflags = 0

    def literals(self, chunk):
        pos = 0
        total = len(chunk)
        while pos < total:
            k = min(32 - self.nflags, total - pos)
            self.out += chunk[pos:pos + k]
            self.flags <<= k  # k zero bits
            self.nflags += k
            pos += k
            self._flush_if_full()

    def match(self, offset, length):
        if not 1 <= offset <= MAX_OFFSET or not MIN_MATCH <= length <= MAX_LENGTH:
            raise ValueError(f"bad match offset={offset} length={length}")
        out = self.out
        m = length - 3
        if m < 7:
            out += (((offset - 1) << 3) | m).to_bytes(2, "little")
        else:
            out += (((offset - 1) << 3) | 7).to_bytes(2, "little")
            m -= 7
            nib = 15 if m >= 15 else m
            if self.half < 0:
                self.half = len(out)
                out.append(nib)
            else:
                out[self.half] |= nib << 4
                self.half = -1
            if m >= 15:
                m -= 15
                if m < 255:
                    out.append(m)
                else:
                    out.append(255)
                    total = length - 3
                    if total <= 0xFFFF:
                        out += total.to_bytes(2, "little")
                    else:
                        out += b"\0\0" + total.to_bytes(4, "little")
        self.flags = (self.flags << 1) | 1
        self.nflags += 1
        self._flush_if_full()

    def finish(self):
        free = 32 - self.nflags
        flags = ((self.flags << free) | ((1 << free) - 1)) & 0xFFFFFFFF
        self.out[self.flag_pos:self.flag_pos + 4] = flags.to_bytes(4, "little")
        return bytes(self.out)


def compress(data, *, max_chain=16, literals_only=False):
    """Compresses data (bytes-like) with MS-XCA Plain LZ77; returns bytes.

    max_chain bounds the candidates tried per position; literals_only=True
    emits no match at all (a valid, larger stream).
    """
    data = bytes(data)
    n = len(data)
    w = _Writer()
    if literals_only:
        w.literals(data)
        return w.finish()

    head = {}  # 3-byte key -> last position with it
    prev = [-1] * n  # position -> previous position with the same key
    i = 0
    lit_start = 0
    last_key = n - MIN_MATCH  # last position that has a full 3-byte key
    head_get = head.get
    while i <= last_key:
        key = data[i:i + 3]
        cand = head_get(key, -1)
        prev[i] = cand
        head[key] = i
        if cand < 0 or i - cand > MAX_OFFSET:
            i += 1
            continue
        best_len = 0
        best_off = 0
        limit = n - i
        chain = max_chain
        while cand >= 0 and chain:
            off = i - cand
            if off > MAX_OFFSET:
                break
            # Same key, so 3 bytes match; only a candidate that also matches at
            # best_len can do better.
            if best_len < limit and data[cand + best_len] != data[i + best_len]:
                cand = prev[cand]
                chain -= 1
                continue
            ln = 3 + _common_length(data, cand + 3, i + 3, limit - 3)
            if ln > best_len:
                best_len = ln
                best_off = off
                if ln >= 258 or ln == limit:
                    break
            cand = prev[cand]
            chain -= 1
        if best_len < MIN_MATCH:
            i += 1
            continue
        if lit_start < i:
            w.literals(data[lit_start:i])
        w.match(best_off, best_len)
        # Index the positions the match covers (all of a short one, the tail of a long one).
        end = i + best_len
        j = i + 1 if best_len <= 64 else end - 16
        stop = min(end, last_key + 1)
        while j < stop:
            key = data[j:j + 3]
            prev[j] = head_get(key, -1)
            head[key] = j
            j += 1
        i = end
        lit_start = i
    if lit_start < n:
        w.literals(data[lit_start:])
    return w.finish()


def decompress(data, out_size):
    """Reference decoder: inflates data into at most out_size bytes; returns bytes.

    Same rules as the C decoder: the stream ends (no error) when a flag word,
    literal or match word does not fit in the input; a missing length extension
    byte, a u16/u32 length below 22 or an offset before the start of the output
    raise LZ77Error.
    """
    data = bytes(data)
    n = len(data)
    out = bytearray()
    ip = 0
    flags = 0
    nflags = 0
    half = -1
    while len(out) < out_size:
        if nflags == 0:
            if n - ip < 4:
                break
            flags = int.from_bytes(data[ip:ip + 4], "little")
            ip += 4
            nflags = 32
        nflags -= 1
        if not (flags >> nflags) & 1:
            if ip >= n:
                break
            out.append(data[ip])
            ip += 1
            continue
        if n - ip < 2:
            break
        m = data[ip] | (data[ip + 1] << 8)
        ip += 2
        offset = (m >> 3) + 1
        length = m & 7
        if length == 7:
            if half < 0:
                if ip >= n:
                    raise LZ77Error("missing length nibble")
                length = data[ip] & 15
                half = ip
                ip += 1
            else:
                length = data[half] >> 4
                half = -1
            if length == 15:
                if ip >= n:
                    raise LZ77Error("missing length byte")
                length = data[ip]
                ip += 1
                if length == 255:
                    if n - ip < 2:
                        raise LZ77Error("missing u16 length")
                    length = data[ip] | (data[ip + 1] << 8)
                    ip += 2
                    if length == 0:
                        if n - ip < 4:
                            raise LZ77Error("missing u32 length")
                        length = int.from_bytes(data[ip:ip + 4], "little")
                        ip += 4
                    if length < 22:
                        raise LZ77Error("length below 22")
                    length -= 22
                length += 15
            length += 7
        length += 3
        if offset > len(out):
            raise LZ77Error("match before the start of the output")
        length = min(length, out_size - len(out))
        start = len(out) - offset
        if offset >= length:
            out += out[start:start + length]
        else:  # overlapping: the copied bytes repeat with period offset
            out += (out[start:] * (length // offset + 1))[:length]
    return bytes(out)
