/* lz77.c - MS-XCA "Plain LZ77" decompression (MS-XCA 2.4), the codec of
 * compressed ETL buffers (etl-format.md 1.7 and 7.1).
 *
 * Stream: a u32 LE flag word gives 32 symbols, read from bit 31 down. A 0
 * bit is one literal byte; a 1 bit is a u16 LE match word m with
 * offset = (m >> 3) + 1 (1..8192) and length code m & 7. Length code 7 takes
 * a 4-bit extension (the low nibble of a fresh byte, or the high nibble of the
 * byte a previous match left half used); nibble 15 takes one more byte; byte
 * 255 takes a u16 (and u16 0 a u32) holding the whole length minus 3, which
 * must be >= 22. Every match is at least 3 bytes.
 *
 * Where the input ends (these choices are what tests/test_lz77.py asserts):
 *  - fewer than 4 bytes left when a flag word is due, no byte left for a
 *    literal, or fewer than 2 bytes left for a match word: the stream ends
 *    there, ETW_OK (the regular end is a match bit with no input left; the
 *    bytes of a cut literal run that are present are still produced);
 *  - a match word whose length extension bytes are missing, or a u16/u32
 *    length below 22: ETW_ERR_FORMAT;
 *  - a match reaching before out[0]: ETW_ERR_FORMAT, nothing of it copied;
 *  - out_cap reached: ETW_OK at once, a longer match is cut to fit. */
#include "lz77.h"

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

/* Leading zero bits of a non-zero 32-bit word. */
ETW_INLINE unsigned lz77_clz32(uint32_t v) {
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_clz((unsigned int)v);
#elif defined(_MSC_VER)
    unsigned long idx;
    _BitScanReverse(&idx, (unsigned long)v);
    return 31u - (unsigned)idx;
#else
    unsigned n = 0;
    while (!(v & 0x80000000u)) {
        v <<= 1;
        n++;
    }
    return n;
#endif
}

/* Copies a match of n bytes from d - dist to d (dist >= 1, both inside one
 * buffer with at least `room` writable bytes from d, room >= n). Where the
 * room allows, whole 16- or 8-byte blocks are copied, up to 15 bytes past the
 * match: later output rewrites them, and bytes past the end are never read
 * as output. A block never reads bytes the same step writes (dist >= block
 * size), so overlapping (periodic) matches come out right too. */
ETW_INLINE void lz77_copy_match(uint8_t *d, size_t dist, size_t n, size_t room) {
    const uint8_t *s = d - dist;
    if (dist >= 16 && room >= n + 15) {
        size_t i = 0;
        do {
            memcpy(d + i, s + i, 16);
            i += 16;
        } while (i < n);
    } else if (dist >= 8 && room >= n + 7) {
        size_t i = 0;
        do {
            memcpy(d + i, s + i, 8);
            i += 8;
        } while (i < n);
    } else if (dist >= n) {
        memcpy(d, s, n); /* no overlap */
    } else if (dist == 1) {
        memset(d, *s, n); /* run of one byte */
    } else if (n <= 32) {
        size_t i; /* short overlapping match: byte by byte */
        for (i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        /* Long overlapping match: the output is periodic with period dist, so
         * copy non-overlapping chunks from twice as far back each time. */
        while (n > dist) {
            memcpy(d, d - dist, dist);
            d += dist;
            n -= dist;
            dist *= 2;
        }
        memcpy(d, d - dist, n);
    }
}

/* The whole length of a match (>= 3) from its 3-bit code and, for code 7,
 * the extension nibble/bytes that follow at *ip (advanced past them; *half
 * tracks a length byte whose high nibble is still unused). Returns 0 when
 * the extension bytes are missing or a u16/u32 length is below 22. */
ETW_INLINE uint64_t lz77_match_len(const uint8_t *in, size_t in_len, size_t *ip, size_t *half,
                                   unsigned code) {
    uint64_t len = code;
    if (len == 7) {
        if (*half == 0) {
            if (*ip >= in_len)
                return 0;
            len = in[*ip] & 15u;
            *half = ++*ip;
        } else {
            len = (uint64_t)(in[*half - 1] >> 4);
            *half = 0;
        }
        if (len == 15) {
            if (*ip >= in_len)
                return 0;
            len = in[(*ip)++];
            if (len == 255) {
                if (in_len - *ip < 2)
                    return 0;
                len = etw_le16(in + *ip);
                *ip += 2;
                if (len == 0) {
                    if (in_len - *ip < 4)
                        return 0;
                    len = etw_le32(in + *ip);
                    *ip += 4;
                }
                if (len < 15 + 7)
                    return 0;
                len -= 15 + 7;
            }
            len += 15;
        }
        len += 7;
    }
    return len + 3;
}

#define FAST_IN 48u
#define FAST_MATCH 256u

/* Returns ETW_ERR_FORMAT on a match before out[0] or a malformed length field
 * (*out_len = bytes produced before it), else ETW_OK. */
int etw_lz77_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                        size_t *out_len) {
    size_t ip = 0, op = 0;
    size_t half = 0;     /* 1 + position of a half-used length byte; 0 = none */
    uint32_t flags = 0;  /* unused flag bits, the next one at bit 31, zeros below */
    unsigned nflags = 0; /* number of unused flag bits */
    int rc = ETW_OK;

    while (op < out_cap) {
        size_t in_left, out_left, dist;
        uint64_t len;
        unsigned m;

        /* Far from both ends no flag word, literal run (at most 4 + 32
         * input bytes) or match word can reach either, and a match of up to
         * FAST_MATCH bytes fits with the block copies' slack: the same
         * decoding as below without those end checks; longer matches and the
         * ends take the careful path. */
        while (in_len - ip >= FAST_IN && out_cap - op >= FAST_MATCH + 32) {
            if (nflags == 0) {
                flags = etw_le32(in + ip);
                ip += 4;
                nflags = 32;
            }
            if (!(flags & 0x80000000u)) {
                unsigned run = flags ? lz77_clz32(flags) : nflags;
                memcpy(out + op, in + ip, 32);
                ip += run;
                op += run;
                nflags -= run;
                if (flags)
                    flags <<= run;
                continue;
            }
            flags <<= 1;
            nflags--;
            m = etw_le16(in + ip);
            ip += 2;
            dist = (size_t)(m >> 3) + 1;
            len = lz77_match_len(in, in_len, &ip, &half, m & 7u);
            if (len == 0) {
                rc = ETW_ERR_FORMAT;
                goto done;
            }
            if (dist > op) {
                rc = ETW_ERR_FORMAT; /* before the start of the output */
                goto done;
            }
            out_left = out_cap - op;
            if (len > FAST_MATCH && len > (uint64_t)out_left)
                len = out_left; /* stop at out_cap */
            lz77_copy_match(out + op, dist, (size_t)len, out_left);
            op += (size_t)len;
        }
        if (op >= out_cap)
            break;

        if (nflags == 0) {
            if (in_len - ip < 4)
                break; /* end of input */
            flags = etw_le32(in + ip);
            ip += 4;
            nflags = 32;
        }
        in_left = in_len - ip;
        out_left = out_cap - op;

        if (!(flags & 0x80000000u)) {
            /* A run of literals up to the next 1 bit or the end of the word. */
            unsigned run = flags ? lz77_clz32(flags) : nflags;
            if (in_left >= 32 && out_left >= 32) {
                memcpy(out + op, in + ip, 32); /* run <= 32 */
            } else {
                size_t n = run;
                if (n > in_left)
                    n = in_left;
                if (n > out_left)
                    n = out_left;
                memcpy(out + op, in + ip, n);
                if (n < run) {
                    op += n; /* input or output used up */
                    break;
                }
            }
            ip += run;
            op += run;
            nflags -= run;
            if (flags)
                flags <<= run; /* run < 32 here */
            continue;
        }

        flags <<= 1;
        nflags--;
        if (in_left < 2)
            break; /* end of stream: a match bit with no input left */
        m = etw_le16(in + ip);
        ip += 2;
        dist = (size_t)(m >> 3) + 1;
        len = lz77_match_len(in, in_len, &ip, &half, m & 7u);
        if (len == 0) {
            rc = ETW_ERR_FORMAT;
            break;
        }
        if (dist > op) {
            rc = ETW_ERR_FORMAT; /* before the start of the output */
            break;
        }
        if (len > (uint64_t)out_left)
            len = out_left; /* stop at out_cap */
        lz77_copy_match(out + op, dist, (size_t)len, out_left);
        op += (size_t)len;
    }
done:
    if (out_len)
        *out_len = op;
    return rc;
}
