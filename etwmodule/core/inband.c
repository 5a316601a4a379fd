/* inband.c - reassembly of .NET EventSource manifests logged into the trace
 * (event Id 0xFFFE; inband.h, etl-format.md 3b.4). Per provider, chunks must
 * arrive in order 0..TotalChunks-1 with one TotalChunks value; chunk 0 always
 * starts a new manifest. A completed manifest is queued unless the provider's
 * last kept manifest has the same bytes (EventSource logs it again on every
 * enable and capture-state). */
#include "inband.h"
#include "atomics.h"
#include "platform.h"

#include <stdlib.h>
#include <string.h>

/* Reassembly state of one provider. */
typedef struct partial {
    etw_guid provider;
    uint8_t format, major, minor;
    uint16_t total;      /* TotalChunks of the sequence being collected */
    uint16_t next;       /* next expected ChunkNumber; 0 = nothing in progress */
    uint8_t *buf;
    size_t len, cap;
    /* Identity of the last manifest kept for this provider (duplicate check). */
    uint64_t kept_hash;
    size_t kept_len;
    int kept;
} partial;

struct etw_inband {
    etw_mutex *mu;
    partial *prov;
    size_t nprov, cap_prov;
    etw_inband_manifest *queue;   /* completed, not yet taken: [head, nq) */
    size_t head, nq, cap_q;
    etw_atomic_size generation; /* manifests completed; written under mu, read without it */
    etw_inband_stats st;
};

etw_inband *etw_inband_new(void) {
    etw_inband *c = (etw_inband *)calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->mu = etw_mutex_new();
    if (!c->mu) {
        free(c);
        return NULL;
    }
    return c;
}

void etw_inband_free(etw_inband *c) {
    size_t i;
    if (!c)
        return;
    for (i = 0; i < c->nprov; i++)
        free(c->prov[i].buf);
    for (i = c->head; i < c->nq; i++)
        free(c->queue[i].data);
    free(c->prov);
    free(c->queue);
    etw_mutex_free(c->mu);
    free(c);
}

int etw_inband_is_chunk(const etw_record *rec) {
    return rec && rec->id == ETW_INBAND_EVENT_ID && rec->opcode == ETW_INBAND_OPCODE &&
           (rec->kind == ETW_KIND_MANIFEST || rec->kind == ETW_KIND_TRACELOGGING);
}

static uint64_t fnv1a(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

/* The state of provider g, created when missing; NULL when out of memory. */
static partial *state_of(etw_inband *c, const etw_guid *g) {
    size_t i;
    for (i = 0; i < c->nprov; i++)
        if (etw_guid_eq(&c->prov[i].provider, g))
            return &c->prov[i];
    if (c->nprov == c->cap_prov) {
        size_t n = c->cap_prov ? c->cap_prov * 2 : 8;
        partial *q = (partial *)realloc(c->prov, n * sizeof *q);
        if (!q)
            return NULL;
        c->prov = q;
        c->cap_prov = n;
    }
    memset(&c->prov[c->nprov], 0, sizeof(partial));
    c->prov[c->nprov].provider = *g;
    return &c->prov[c->nprov++];
}

static void reset(partial *p) {
    p->next = 0;
    p->total = 0;
    p->len = 0;
}

/* Appends n bytes to the provider's buffer. Returns ETW_OK, ETW_ERR_NOMEM, or
 * 1 when the manifest would exceed the size cap. */
static int append(partial *p, const uint8_t *d, size_t n) {
    if (n > ETW_INBAND_MAX_MANIFEST - p->len)
        return 1;
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        uint8_t *q;
        while (cap < p->len + n + 1)
            cap *= 2;
        q = (uint8_t *)realloc(p->buf, cap);
        if (!q)
            return ETW_ERR_NOMEM;
        p->buf = q;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, d, n);
    p->len += n;
    return ETW_OK;
}

/* Queues the provider's completed manifest (unless it is a duplicate).
 * Returns 1 queued, 0 duplicate, ETW_ERR_NOMEM. */
static int complete(etw_inband *c, partial *p, uint64_t file_offset) {
    uint64_t h = fnv1a(p->buf, p->len);
    etw_inband_manifest *m;
    uint8_t *copy;
    c->st.completed++;
    if (p->kept && p->kept_hash == h && p->kept_len == p->len) {
        c->st.duplicates++;
        reset(p);
        return 0;
    }
    if (c->head > 0 && c->head == c->nq) {
        c->head = c->nq = 0;
    }
    if (c->nq == c->cap_q) {
        size_t n = c->cap_q ? c->cap_q * 2 : 8;
        etw_inband_manifest *q;
        if (c->head > 0) {
            /* Compact before growing. */
            memmove(c->queue, c->queue + c->head, (c->nq - c->head) * sizeof *c->queue);
            c->nq -= c->head;
            c->head = 0;
        }
        if (c->nq == c->cap_q) {
            q = (etw_inband_manifest *)realloc(c->queue, n * sizeof *q);
            if (!q) {
                reset(p);
                return ETW_ERR_NOMEM;
            }
            c->queue = q;
            c->cap_q = n;
        }
    }
    copy = (uint8_t *)malloc(p->len + 1);
    if (!copy) {
        reset(p);
        return ETW_ERR_NOMEM;
    }
    memcpy(copy, p->buf, p->len);
    copy[p->len] = 0;
    m = &c->queue[c->nq++];
    memset(m, 0, sizeof *m);
    m->provider = p->provider;
    m->format = p->format;
    m->major = p->major;
    m->minor = p->minor;
    m->chunks = p->total;
    m->data = copy;
    m->len = p->len;
    m->file_offset = file_offset;
    p->kept = 1;
    p->kept_hash = h;
    p->kept_len = p->len;
    etw_atomic_store(&c->generation, etw_atomic_load(&c->generation) + 1);
    reset(p);
    return 1;
}

int etw_inband_observe(etw_inband *c, const etw_record *rec) {
    const uint8_t *d;
    uint16_t total, number;
    partial *p;
    int rc = 0, r;
    if (!c || !etw_inband_is_chunk(rec))
        return 0;
    etw_mutex_lock(c->mu);
    c->st.chunks++;
    d = rec->user_data;
    if (!d || rec->user_data_length < ETW_INBAND_ENVELOPE || d[3] != ETW_INBAND_MAGIC) {
        c->st.malformed++;
        goto out;
    }
    total = etw_le16(d + 4);
    number = etw_le16(d + 6);
    if (total == 0 || number >= total) {
        c->st.malformed++;
        goto out;
    }
    p = state_of(c, &rec->provider_id);
    if (!p) {
        rc = ETW_ERR_NOMEM;
        goto out;
    }
    if (number == 0) {
        if (p->next != 0)
            c->st.malformed++; /* an unfinished sequence is abandoned */
        reset(p);
        p->format = d[0];
        p->major = d[1];
        p->minor = d[2];
        p->total = total;
    } else if (number != p->next || total != p->total) {
        c->st.malformed++; /* out of order, missing chunk 0, or another TotalChunks */
        reset(p);
        goto out;
    }
    r = append(p, d + ETW_INBAND_ENVELOPE, rec->user_data_length - ETW_INBAND_ENVELOPE);
    if (r != ETW_OK) {
        if (r == 1)
            c->st.oversized++;
        else
            rc = ETW_ERR_NOMEM;
        reset(p);
        goto out;
    }
    p->next = (uint16_t)(number + 1);
    if (p->next == p->total)
        rc = complete(c, p, rec->file_offset);
out:
    etw_mutex_unlock(c->mu);
    return rc;
}

size_t etw_inband_pending(etw_inband *c) {
    size_t n;
    if (!c)
        return 0;
    etw_mutex_lock(c->mu);
    n = c->nq - c->head;
    etw_mutex_unlock(c->mu);
    return n;
}

uint64_t etw_inband_generation(etw_inband *c) {
    return c ? (uint64_t)etw_atomic_load(&c->generation) : 0;
}

size_t etw_inband_take(etw_inband *c, etw_inband_manifest *out, size_t max) {
    size_t n = 0;
    if (!c || !out)
        return 0;
    etw_mutex_lock(c->mu);
    while (n < max && c->head < c->nq) {
        out[n++] = c->queue[c->head];
        memset(&c->queue[c->head], 0, sizeof c->queue[c->head]);
        c->head++;
    }
    if (c->head == c->nq)
        c->head = c->nq = 0;
    etw_mutex_unlock(c->mu);
    return n;
}

void etw_inband_manifest_clear(etw_inband_manifest *m) {
    if (!m)
        return;
    free(m->data);
    memset(m, 0, sizeof *m);
}

void etw_inband_get_stats(etw_inband *c, etw_inband_stats *out) {
    if (!c || !out)
        return;
    etw_mutex_lock(c->mu);
    *out = c->st;
    etw_mutex_unlock(c->mu);
}
