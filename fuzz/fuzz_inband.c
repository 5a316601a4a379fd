/* fuzz_inband.c - libFuzzer harness: the EventSource in-band manifest
 * collector (inband.h) fed a sequence of synthetic records.
 * Input: records, each u8 sel + u16 LE length + user data (the 8-byte
 * envelope and the chunk body). sel bits 0-1: provider (one of four);
 * bit 2: TraceLogging kind (else manifest); bit 3: event id 0xFFFD (not a
 * chunk); bit 4: opcode 0 (not a chunk); bit 5: take manifests after this
 * record, up to (sel >> 6) + 1 of them.
 * A reference model written from inband.h's contract (chunk 0 starts a
 * manifest, chunks must follow in order with the same TotalChunks, a
 * manifest identical to the last one kept for its provider is a duplicate)
 * predicts every return value, every manifest taken (provider, envelope
 * fields, bytes, file offset), the pending count, the generation and the
 * counters. */
#include "fuzz_util.h"
#include "inband.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPROV 4
#define MAXQ 256

typedef struct model_prov {
    uint16_t next, total;
    uint8_t format, major, minor;
    uint8_t *buf;
    size_t len;
    uint8_t *kept;      /* last manifest queued for the provider */
    size_t kept_len;
    int has_kept;
} model_prov;

typedef struct model {
    model_prov prov[NPROV];
    etw_inband_manifest q[MAXQ]; /* expected queue (data owned by the model) */
    size_t head, n;
    uint64_t generation;
    etw_inband_stats st;
} model;

static etw_guid provider_guid(unsigned i) {
    etw_guid g;
    memset(&g, 0, sizeof g);
    g.data1 = 0x5b5b0000u + i;
    g.data4[7] = (uint8_t)i;
    return g;
}

FUZZ_NOCOV static void model_reset(model_prov *p) {
    p->next = p->total = 0;
    p->len = 0;
}

/* Returns what etw_inband_observe must return (1 new manifest, else 0). */
FUZZ_NOCOV static int model_observe(model *m, unsigned pi, int is_chunk, const uint8_t *d,
                                    size_t len, uint64_t file_offset) {
    model_prov *p = &m->prov[pi];
    uint16_t total, number;
    uint8_t *nb;
    if (!is_chunk) return 0;
    m->st.chunks++;
    if (len < 8 || d[3] != 0x5B) {
        m->st.malformed++;
        return 0;
    }
    total = (uint16_t)(d[4] | d[5] << 8);
    number = (uint16_t)(d[6] | d[7] << 8);
    if (total == 0 || number >= total) {
        m->st.malformed++;
        return 0;
    }
    if (number == 0) {
        if (p->next != 0) m->st.malformed++;
        model_reset(p);
        p->format = d[0];
        p->major = d[1];
        p->minor = d[2];
        p->total = total;
    } else if (number != p->next || total != p->total) {
        m->st.malformed++;
        model_reset(p);
        return 0;
    }
    nb = (uint8_t *)realloc(p->buf, p->len + (len - 8) + 1);
    FUZZ_CHECK(nb != NULL);
    p->buf = nb;
    memcpy(p->buf + p->len, d + 8, len - 8);
    p->len += len - 8;
    p->next = (uint16_t)(number + 1);
    if (p->next != p->total) return 0;
    m->st.completed++;
    if (p->has_kept && p->kept_len == p->len && memcmp(p->kept, p->buf, p->len) == 0) {
        m->st.duplicates++;
        model_reset(p);
        return 0;
    }
    FUZZ_CHECK(m->n < MAXQ);
    {
        etw_inband_manifest *e = &m->q[m->n++];
        e->provider = provider_guid(pi);
        e->format = p->format;
        e->major = p->major;
        e->minor = p->minor;
        e->chunks = p->total;
        e->data = fuzz_dup(p->buf, p->len);
        e->len = p->len;
        e->file_offset = file_offset;
    }
    free(p->kept);
    p->kept = fuzz_dup(p->buf, p->len);
    p->kept_len = p->len;
    p->has_kept = 1;
    m->generation++;
    model_reset(p);
    return 1;
}

FUZZ_NOCOV static void check_taken(model *m, etw_inband_manifest *got, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        etw_inband_manifest *e;
        FUZZ_CHECK(m->head < m->n);
        e = &m->q[m->head++];
        FUZZ_CHECK(etw_guid_eq(&got[i].provider, &e->provider));
        FUZZ_CHECK(got[i].format == e->format && got[i].major == e->major &&
                   got[i].minor == e->minor && got[i].chunks == e->chunks);
        FUZZ_CHECK(got[i].file_offset == e->file_offset);
        FUZZ_CHECK(got[i].len == e->len && got[i].data != NULL);
        FUZZ_CHECK(got[i].data[got[i].len] == 0);
        FUZZ_CHECK(memcmp(got[i].data, e->data, e->len) == 0);
        etw_inband_manifest_clear(&got[i]);
        FUZZ_CHECK(got[i].data == NULL && got[i].len == 0);
    }
}

FUZZ_NOCOV static void check_state(model *m, etw_inband *c) {
    etw_inband_stats st;
    etw_inband_get_stats(c, &st);
    FUZZ_CHECK(st.chunks == m->st.chunks && st.completed == m->st.completed &&
               st.duplicates == m->st.duplicates && st.malformed == m->st.malformed &&
               st.oversized == 0);
    FUZZ_CHECK(etw_inband_pending(c) == m->n - m->head);
    FUZZ_CHECK(etw_inband_generation(c) == m->generation);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static model m;
    etw_inband *c = etw_inband_new();
    etw_inband_manifest got[4];
    unsigned i, recno = 0;
    size_t n;
    FUZZ_CHECK(c != NULL);
    memset(&m, 0, sizeof m);
    while (size >= 3 && m.n < MAXQ) {
        uint8_t sel = data[0];
        size_t len = (size_t)(data[1] | data[2] << 8);
        etw_record rec;
        uint8_t *ud;
        int rc, want;
        data += 3;
        size -= 3;
        if (len > size) len = size;
        ud = fuzz_dup(data, len);
        memset(&rec, 0, sizeof rec);
        rec.provider_id = provider_guid(sel & 3);
        rec.kind = (sel & 4) ? ETW_KIND_TRACELOGGING : ETW_KIND_MANIFEST;
        rec.id = (sel & 8) ? 0xFFFD : ETW_INBAND_EVENT_ID;
        rec.opcode = (sel & 16) ? 0 : ETW_INBAND_OPCODE;
        rec.user_data = ud;
        rec.user_data_length = (uint32_t)len;
        rec.file_offset = (uint64_t)recno++ * 0x10000u;
        FUZZ_CHECK(etw_inband_is_chunk(&rec) == !(sel & 24));
        want = model_observe(&m, sel & 3, !(sel & 24), ud, len, rec.file_offset);
        rc = etw_inband_observe(c, &rec);
        FUZZ_CHECK(rc == want);
        free(ud);
        data += len;
        size -= len;
        if (sel & 32) {
            n = etw_inband_take(c, got, (size_t)(sel >> 6) + 1);
            FUZZ_CHECK(n == (m.n - m.head < (size_t)(sel >> 6) + 1 ? m.n - m.head
                                                                   : (size_t)(sel >> 6) + 1));
            check_taken(&m, got, n);
        }
        check_state(&m, c);
    }
    while ((n = etw_inband_take(c, got, 4)) > 0) check_taken(&m, got, n);
    FUZZ_CHECK(m.head == m.n);
    check_state(&m, c);
    etw_inband_free(c);
    for (i = 0; i < NPROV; i++) {
        free(m.prov[i].buf);
        free(m.prov[i].kept);
    }
    for (n = 0; n < m.n; n++) free(m.q[n].data);
    return 0;
}
