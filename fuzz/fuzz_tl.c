/* fuzz_tl.c - libFuzzer harness: TraceLogging metadata -> schema -> payload.
 * Input: u8 flags (bit 0: 32-bit pointers, bit 1: no PROV_TRAITS item),
 * u16 LE length + EVENT_SCHEMA_TL item bytes, u16 LE length + PROV_TRAITS
 * bytes, then the payload (the rest). The schema from etw_schema_from_tl
 * must be well formed (fuzz_check_schema) and every decode of the payload
 * consistent (fuzz_check_decoded); decoding twice gives the same values; the
 * provider name of the traits is terminated. */
#include "fuzz_decode_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static etw_decoder *decoder;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const etw_guid provider = {0x11111111u, 0x2222, 0x3333,
                                      {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}};
    const uint8_t *meta, *traits;
    size_t meta_len, traits_len;
    uint8_t flags, *m, *t, *p;
    uint32_t plen;
    etw_schema *s;
    etw_error err;
    int rc = 0;
    char name[64];
    if (size < 1) return 0;
    if (!decoder) {
        decoder = etw_decoder_new(0);
        FUZZ_CHECK(decoder != NULL);
    }
    flags = data[0];
    data++;
    size--;
    fuzz_take16(&data, &size, &meta, &meta_len);
    fuzz_take16(&data, &size, &traits, &traits_len);
    if (size > 0xFFFF) size = 0xFFFF; /* an event payload is < 64 KiB */
    m = fuzz_dup(meta, meta_len);
    t = fuzz_dup(traits, traits_len);
    p = fuzz_dup(data, size);
    plen = (uint32_t)size;

    memset(name, 0x55, sizeof name);
    rc = etw_tl_provider_name(t, traits_len, name, sizeof name);
    FUZZ_CHECK(rc == ETW_ERR_FORMAT || (rc >= 0 && rc < (int)sizeof name && name[rc] == 0));

    memset(&err, 0, sizeof err);
    rc = 0;
    s = etw_schema_from_tl(&provider, m, meta_len, (flags & 2) ? NULL : t,
                           (flags & 2) ? 0 : traits_len, &rc, &err);
    if (!s) {
        FUZZ_CHECK(rc == ETW_ERR_FORMAT || rc == ETW_ERR_NOMEM);
        FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
    } else {
        etw_decoded out;
        uint64_t h1, h2;
        uint8_t ptr = (flags & 1) ? 4 : 8;
        fuzz_check_schema(s);
        FUZZ_CHECK(s->tl_meta_len == meta_len);
        FUZZ_CHECK(meta_len == 0 || memcmp(s->tl_meta, m, meta_len) == 0);
        rc = etw_decode(decoder, s, p, plen, ptr, NULL, &out);
        FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
        h1 = fuzz_check_decoded(&out, s, p, plen);
        rc = etw_decode(decoder, s, p, plen, ptr, NULL, &out);
        FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
        h2 = fuzz_check_decoded(&out, s, p, plen);
        FUZZ_CHECK(h1 == h2);
        free(s);
    }
    free(m);
    free(t);
    free(p);
    return 0;
}
