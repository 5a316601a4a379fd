/* fuzz_lz77.c - libFuzzer harness for the MS-XCA Plain LZ77 decompressor.
 * Input: a u32 LE output capacity (modulo 128 KiB + 1, twice the usual
 * 64 KiB session buffer), then the compressed stream. Checks, for any bytes:
 * no out-of-bounds access (exact-size heap buffers under ASan), the produced
 * length never exceeds the capacity, decompression is deterministic, and
 * inflating into a smaller capacity yields exactly a prefix of the full
 * output (the reader relies on this to peek at the first record of a
 * compressed buffer). */
#include "fuzz_util.h"
#include "lz77.h"

#define MAX_CAP (1u << 17)

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
