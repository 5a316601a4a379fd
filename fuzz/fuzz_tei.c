/* fuzz_tei.c - libFuzzer harness: TRACE_EVENT_INFO and EVENT_MAP_INFO blobs.
 * Input: u8 flags (bit 0: 32-bit pointers), u16 LE length + TRACE_EVENT_INFO
 * blob, u16 LE length + EVENT_MAP_INFO blob, then a payload (the rest).
 * A schema from etw_schema_from_tei must be well formed and decode the
 * payload consistently; it serializes (etw_schema_to_tei) into a blob that
 * parses again into a schema that serializes to the same bytes and decodes
 * the payload to the same values. Same round trip for maps
 * (etw_map_from_emi / etw_map_to_emi). */
#include "fuzz_decode_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static etw_decoder *decoder;

static const etw_guid provider = {0xaaaaaaaau, 0xbbbb, 0xcccc,
                                  {0xdd, 0xdd, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee}};

static void fuzz_schema(const uint8_t *blob, size_t len, const uint8_t *p, uint32_t plen,
                        uint8_t ptr) {
    etw_error err;
    int rc = 0;
    etw_schema *s, *s2;
    etw_decoded out;
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    uint64_t h1, h2;
    memset(&err, 0, sizeof err);
    s = etw_schema_from_tei(blob, len, &rc, &err);
    if (!s) {
        FUZZ_CHECK(rc == ETW_ERR_FORMAT || rc == ETW_ERR_NOMEM);
        FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
        return;
    }
    fuzz_check_schema(s);
    FUZZ_CHECK(s->source == ETW_SRC_TEI);
    rc = etw_decode(decoder, s, p, plen, ptr, NULL, &out);
    FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
    h1 = fuzz_check_decoded(&out, s, p, plen);

    rc = etw_schema_to_tei(s, &b1, &l1);
    FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
    if (rc == ETW_OK) {
        uint8_t *exact = fuzz_dup(b1, l1);
        rc = 0;
        s2 = etw_schema_from_tei(exact, l1, &rc, &err);
        FUZZ_CHECK(s2 != NULL || rc == ETW_ERR_NOMEM);
        if (s2) {
            fuzz_check_schema(s2);
            FUZZ_CHECK(s2->prop_count == s->prop_count && s2->top_count == s->top_count);
            FUZZ_CHECK(s2->id == s->id && s2->version == s->version && s2->opcode == s->opcode);
            FUZZ_CHECK(s2->key_kind == s->key_kind);
            FUZZ_CHECK(s2->keyword_count == s->keyword_count);
            rc = etw_schema_to_tei(s2, &b2, &l2);
            FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
            if (rc == ETW_OK) FUZZ_CHECK(l2 == l1 && memcmp(b1, b2, l1) == 0);
            rc = etw_decode(decoder, s2, p, plen, ptr, NULL, &out);
            FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
            h2 = fuzz_check_decoded(&out, s2, p, plen);
            FUZZ_CHECK(h1 == h2);
            free(s2);
        }
        free(exact);
    }
    free(b1);
    free(b2);
    free(s);
}

static void fuzz_map(const uint8_t *blob, size_t len) {
    etw_error err;
    int rc = 0;
    etw_map *m, *m2;
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    memset(&err, 0, sizeof err);
    m = etw_map_from_emi(&provider, blob, len, &rc, &err);
    if (!m) {
        FUZZ_CHECK(rc == ETW_ERR_FORMAT || rc == ETW_ERR_NOMEM);
        FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
        return;
    }
    fuzz_check_map(m);
    rc = etw_map_to_emi(m, &b1, &l1);
    FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
    if (rc == ETW_OK) {
        uint8_t *exact = fuzz_dup(b1, l1);
        rc = 0;
        m2 = etw_map_from_emi(&provider, exact, l1, &rc, &err);
        FUZZ_CHECK(m2 != NULL || rc == ETW_ERR_NOMEM);
        if (m2) {
            fuzz_check_map(m2);
            FUZZ_CHECK(m2->count == m->count && m2->flags == m->flags);
            rc = etw_map_to_emi(m2, &b2, &l2);
            FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
            if (rc == ETW_OK) FUZZ_CHECK(l2 == l1 && memcmp(b1, b2, l1) == 0);
            free(m2);
        }
        free(exact);
    }
    free(b1);
    free(b2);
    free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *tei, *emi;
    size_t tei_len, emi_len;
    uint8_t flags, *a, *b, *p;
    if (size < 1) return 0;
    if (!decoder) {
        decoder = etw_decoder_new(0);
        FUZZ_CHECK(decoder != NULL);
    }
    flags = data[0];
    data++;
    size--;
    fuzz_take16(&data, &size, &tei, &tei_len);
    fuzz_take16(&data, &size, &emi, &emi_len);
    if (size > 0xFFFF) size = 0xFFFF;
    a = fuzz_dup(tei, tei_len);
    b = fuzz_dup(emi, emi_len);
    p = fuzz_dup(data, size);
    fuzz_schema(a, tei_len, p, (uint32_t)size, (flags & 1) ? 4 : 8);
    fuzz_map(b, emi_len);
    free(a);
    free(b);
    free(p);
    return 0;
}
