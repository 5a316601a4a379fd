/* fuzz_wevt.c - libFuzzer harness: compiled manifests (WEVT_TEMPLATE "CRIM"
 * blobs) with an optional MESSAGETABLE resource.
 * Input: u8 flags (bit 0: 32-bit pointers, bit 1: no message table, bits 4-7:
 * the sink stops the parse after that many callbacks when non-zero),
 * u32 LE length + CRIM blob, u16 LE length + MESSAGETABLE, then a payload
 * (the rest). Every schema and map etw_wevt_parse hands over must be well
 * formed; each schema decodes the payload consistently and survives the
 * export to a TRACE_EVENT_INFO blob (which parses back with the same shape);
 * a callback's negative return comes back from etw_wevt_parse unchanged;
 * the result count equals the callbacks made. */
#include "fuzz_decode_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STOP_RC (-1000)

typedef struct sink_state {
    etw_decoder *dec;
    const uint8_t *payload;
    uint32_t plen;
    uint8_t ptr;
    unsigned calls, stop_after;
} sink_state;

static etw_decoder *decoder;

static int on_schema(void *ctx, etw_schema *s) {
    sink_state *st = (sink_state *)ctx;
    etw_decoded out;
    uint8_t *blob = NULL;
    size_t len = 0;
    int rc;
    st->calls++;
    fuzz_check_schema(s);
    FUZZ_CHECK(s->invalid == NULL);
    rc = etw_decode(st->dec, s, st->payload, st->plen, st->ptr, NULL, &out);
    FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
    fuzz_check_decoded(&out, s, st->payload, st->plen);
    rc = etw_schema_to_tei(s, &blob, &len);
    FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
    if (rc == ETW_OK) {
        uint8_t *exact = fuzz_dup(blob, len);
        etw_error err;
        etw_schema *back;
        rc = 0;
        memset(&err, 0, sizeof err);
        back = etw_schema_from_tei(exact, len, &rc, &err);
        FUZZ_CHECK(back != NULL || rc == ETW_ERR_NOMEM);
        if (back) {
            fuzz_check_schema(back);
            FUZZ_CHECK(back->prop_count == s->prop_count && back->top_count == s->top_count);
            FUZZ_CHECK(back->id == s->id && back->version == s->version);
            free(back);
        }
        free(exact);
        free(blob);
    }
    free(s);
    return (st->stop_after && st->calls >= st->stop_after) ? STOP_RC : 0;
}

static int on_map(void *ctx, etw_map *m) {
    sink_state *st = (sink_state *)ctx;
    st->calls++;
    fuzz_check_map(m);
    free(m);
    return (st->stop_after && st->calls >= st->stop_after) ? STOP_RC : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *msg;
    size_t crim_len, msg_len;
    uint8_t flags, *crim, *mt, *p;
    sink_state st;
    etw_wevt_sink sink;
    etw_error err;
    int rc;
    if (size < 5) return 0;
    if (!decoder) {
        decoder = etw_decoder_new(0);
        FUZZ_CHECK(decoder != NULL);
    }
    flags = data[0];
    crim_len = etw_le32(data + 1);
    data += 5;
    size -= 5;
    if (crim_len > size) crim_len = size;
    crim = fuzz_dup(data, crim_len);
    data += crim_len;
    size -= crim_len;
    fuzz_take16(&data, &size, &msg, &msg_len);
    mt = fuzz_dup(msg, msg_len);
    if (size > 0xFFFF) size = 0xFFFF;
    p = fuzz_dup(data, size);

    memset(&st, 0, sizeof st);
    st.dec = decoder;
    st.payload = p;
    st.plen = (uint32_t)size;
    st.ptr = (flags & 1) ? 4 : 8;
    st.stop_after = flags >> 4;
    sink.ctx = &st;
    sink.schema = on_schema;
    sink.map = on_map;
    memset(&err, 0, sizeof err);
    rc = etw_wevt_parse(crim, crim_len, (flags & 2) ? NULL : mt, (flags & 2) ? 0 : msg_len,
                        &sink, &err);
    if (rc >= 0) {
        FUZZ_CHECK((unsigned)rc == st.calls);
        FUZZ_CHECK(st.stop_after == 0 || st.calls < st.stop_after);
    } else if (rc == STOP_RC) {
        FUZZ_CHECK(st.stop_after != 0 && st.calls == st.stop_after);
    } else {
        FUZZ_CHECK(rc == ETW_ERR_FORMAT || rc == ETW_ERR_NOMEM);
        FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
        /* err.offset is not checked against the blob: for a bad reference
         * it is the offset the blob names (schema_wevt.c "provider offset
         * ... does not point at a WEVT block"), which may lie past its end. */
    }
    /* Message table lookups of a few ids: the first ones of its blocks. */
    if (msg_len >= 16) {
        uint32_t ids[3];
        unsigned i;
        ids[0] = etw_le32(mt + 4);
        ids[1] = etw_le32(mt + 8);
        ids[2] = ids[0] + 1;
        for (i = 0; i < 3; i++) {
            char *text = etw_msgtable_lookup(mt, msg_len, ids[i]);
            if (text) {
                fuzz_hash_str(0, text);
                free(text);
            }
        }
    }
    free(crim);
    free(mt);
    free(p);
    return 0;
}
