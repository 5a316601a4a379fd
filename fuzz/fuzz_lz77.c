/* fuzz_lz77.c - libFuzzer harness for the MS-XCA Plain LZ77 decompressor.
 * Input: a u32 LE output capacity (modulo 128 KiB + 1, twice the usual
 * 64 KiB session buffer), then the compressed stream. Checks, for any bytes:
 * no out-of-bounds access (exact-size heap buffers under ASan), the produced
 * length never exceeds the capacity, decompression is deterministic, and
 * inflating into a smaller capacity yields exactly a prefix of the full
 * output (the reader relies on this to peek at the first record of a
 * compressed buffer), and a plain byte-at-a-time reference decoder gives the
 * same status, length and bytes. */
#include "fuzz_util.h"
#include "lz77.h"

#define MAX_CAP (1u << 17)

/* A plain reference decoder of the same format and end rules (lz77.c's header),
 * one symbol and one byte at a time, with every check spelled out: the
 * optimized decoder must agree with it on every input. */
static int ref_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
                          size_t *out_len) {
    size_t ip = 0, op = 0, half = 0;
    uint32_t flags = 0;
    int nflags = 0, rc = ETW_OK;
    while (op < cap) {
        if (nflags == 0) {
            if (in_len - ip < 4) break;
            flags = (uint32_t)in[ip] | (uint32_t)in[ip + 1] << 8 | (uint32_t)in[ip + 2] << 16 |
                    (uint32_t)in[ip + 3] << 24;
            ip += 4;
            nflags = 32;
        }
        nflags--;
        if (!((flags >> nflags) & 1u)) {
            if (ip >= in_len) break;
            out[op++] = in[ip++];
            continue;
        }
        if (in_len - ip < 2) break;
        {
            unsigned m = (unsigned)in[ip] | (unsigned)in[ip + 1] << 8;
            size_t dist = (size_t)(m >> 3) + 1;
            uint64_t len = m & 7u;
            ip += 2;
            if (len == 7) {
                if (half == 0) {
                    if (ip >= in_len) { rc = ETW_ERR_FORMAT; break; }
                    len = in[ip] & 15u;
                    half = ++ip;
                } else {
                    len = in[half - 1] >> 4;
                    half = 0;
                }
                if (len == 15) {
                    if (ip >= in_len) { rc = ETW_ERR_FORMAT; break; }
                    len = in[ip++];
                    if (len == 255) {
                        if (in_len - ip < 2) { rc = ETW_ERR_FORMAT; break; }
                        len = (uint64_t)in[ip] | (uint64_t)in[ip + 1] << 8;
                        ip += 2;
                        if (len == 0) {
                            if (in_len - ip < 4) { rc = ETW_ERR_FORMAT; break; }
                            len = (uint64_t)in[ip] | (uint64_t)in[ip + 1] << 8 |
                                  (uint64_t)in[ip + 2] << 16 | (uint64_t)in[ip + 3] << 24;
                            ip += 4;
                        }
                        if (len < 22) { rc = ETW_ERR_FORMAT; break; }
                        len -= 22;
                    }
                    len += 15;
                }
                len += 7;
            }
            len += 3;
            if (dist > op) { rc = ETW_ERR_FORMAT; break; }
            while (len-- > 0 && op < cap) {
                out[op] = out[op - dist];
                op++;
            }
        }
    }
    *out_len = op;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t cap, len = 0, len2 = 0, plen = 0, pcap;
    uint8_t *in, *out, *out2, *pre;
    int rc, rc2, prc;
    if (size < 4) return 0;
    cap = etw_le32(data) % (MAX_CAP + 1);
    in = fuzz_dup(data + 4, size - 4);
    out = (uint8_t *)malloc(cap ? cap : 1);
    out2 = (uint8_t *)malloc(cap ? cap : 1);
    FUZZ_CHECK(out && out2);
    rc = etw_lz77_decompress(in, size - 4, out, cap, &len);
    FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_FORMAT);
    FUZZ_CHECK(len <= cap);
    rc2 = etw_lz77_decompress(in, size - 4, out2, cap, &len2);
    FUZZ_CHECK(rc2 == rc && len2 == len && memcmp(out, out2, len) == 0);
    /* The reference decoder agrees: status, length and bytes. */
    rc2 = ref_decompress(in, size - 4, out2, cap, &len2);
    FUZZ_CHECK(rc2 == rc && len2 == len && memcmp(out, out2, len) == 0);
    /* A prefix: stop halfway through what the full run produced. */
    pcap = len / 2;
    pre = (uint8_t *)malloc(pcap ? pcap : 1);
    FUZZ_CHECK(pre != NULL);
    prc = etw_lz77_decompress(in, size - 4, pre, pcap, &plen);
    FUZZ_CHECK(plen <= pcap);
    if (pcap > 0) {
        FUZZ_CHECK(prc == ETW_OK && plen == pcap);
        FUZZ_CHECK(memcmp(pre, out, pcap) == 0);
    }
    /* A NULL out_len is allowed. */
    etw_lz77_decompress(in, size - 4, out2, cap, NULL);
    free(pre);
    free(out2);
    free(out);
    free(in);
    return 0;
}
