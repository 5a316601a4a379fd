/* columns.c - columnar output (columns.h): the row filter, the column
 * buffers, the event-type table, the reader engine, the parallel engine
 * (buffer index, per-range workers, k-way merge of per-buffer runs, gather)
 * and the final touches (type table in canonical order, validity bitmaps). */
#include <stdlib.h>

#include "atomics.h"
#include "columns.h"
#include "lz77.h"
#include "platform.h"

#define BUFHDR 0x48u
#define MAX_BUFFER (64u * 1024u * 1024u) /* as the reader: > the 16 MiB Windows maximum */
#define FLAG_COMPRESSED 0x0040u
#define FLAG_LOST 0x0006u
#define FLAG_PROC_INDEX 0x0020u
#define MIN_BYTES_PER_THREAD (1u * 1024u * 1024u)
#define MAX_THREADS 64u

static const struct {
    const char *name;
    uint8_t width;
} col_info[ETW_COL_COUNT] = {
    {"time", 8},          {"filetime", 8},       {"raw_timestamp", 8},
    {"provider_id", 16},  {"id", 2},             {"version", 1},
    {"channel", 1},       {"level", 1},          {"opcode", 1},
    {"task", 2},          {"keyword", 8},        {"pid", 4},
    {"tid", 4},           {"cpu", 2},            {"kind", 1},
    {"pointer_size", 1},  {"activity_id", 16},   {"related_activity_id", 16},
    {"kernel_time", 4},   {"user_time", 4},      {"flags", 2},
    {"event_property", 2}, {"header_type", 1},   {"group", 1},
    {"file_offset", 8},   {"type", 4},           {"payload", 8 /* the offsets */},
};

size_t etw_col_width(etw_col c) {
    if ((unsigned)c >= ETW_COL_COUNT || c == ETW_COL_PAYLOAD) return 0;
    return col_info[c].width;
}

const char *etw_col_name(etw_col c) {
    return (unsigned)c < ETW_COL_COUNT ? col_info[c].name : "";
}

/* Serialises the workers' additions to opt->progress (a display counter). */
static etw_spinlock progress_lock = ETW_SPINLOCK_INIT;

#define HAS(cols, c) (((cols) >> (c)) & 1u)

/* ---------------------------------------------------------------- filter */

typedef struct cfilter {
    const etw_cols_filter *f;
    uint8_t *id_bits;   /* 65536 bits, or NULL when ids are not filtered */
    uint32_t *pids;     /* sorted copy */
    size_t n_pids;
    int any;            /* some part is set */
} cfilter;

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cfilter_init(cfilter *cf, const etw_cols_filter *f) {
    memset(cf, 0, sizeof *cf);
    cf->f = f;
    if (f->n_ids) {
        cf->id_bits = (uint8_t *)calloc(65536 / 8, 1);
        if (!cf->id_bits) return ETW_ERR_NOMEM;
        for (size_t i = 0; i < f->n_ids; i++)
            cf->id_bits[f->ids[i] >> 3] |= (uint8_t)(1u << (f->ids[i] & 7));
    }
    if (f->n_pids) {
        cf->pids = (uint32_t *)malloc(f->n_pids * sizeof *cf->pids);
        if (!cf->pids) return ETW_ERR_NOMEM;
        memcpy(cf->pids, f->pids, f->n_pids * sizeof *cf->pids);
        qsort(cf->pids, f->n_pids, sizeof *cf->pids, cmp_u32);
        cf->n_pids = f->n_pids;
    }
    cf->any = f->n_providers || f->n_ids || f->n_pids || f->kinds || f->has_start || f->has_end;
    return ETW_OK;
}

static void cfilter_free(cfilter *cf) {
    free(cf->id_bits);
    free(cf->pids);
}

static int keep(const cfilter *cf, const etw_record *rec) {
    const etw_cols_filter *f = cf->f;
    if (!cf->any) return 1;
    if (f->kinds && !((f->kinds >> rec->kind) & 1u)) return 0;
    if (f->has_start && rec->time_ns < f->start_ns) return 0;
    if (f->has_end && rec->time_ns >= f->end_ns) return 0;
    if (cf->id_bits && !((cf->id_bits[rec->id >> 3] >> (rec->id & 7)) & 1u)) return 0;
    if (f->n_providers) {
        size_t i;
        for (i = 0; i < f->n_providers; i++)
            if (etw_guid_eq(&f->providers[i], &rec->provider_id)) break;
        if (i == f->n_providers) return 0;
    }
    if (cf->n_pids) {
        size_t lo = 0, hi = cf->n_pids;
        uint32_t pid = rec->process_id;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cf->pids[mid] < pid)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == cf->n_pids || cf->pids[lo] != pid) return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- buffers */

static void *std_grow(void *old, size_t old_cap, size_t new_cap) {
    (void)old_cap;
    return realloc(old, new_cap);
}
static void std_release(void *p, size_t cap) {
    (void)cap;
    free(p);
}
static const etw_cols_alloc std_alloc = {std_grow, std_release};

/* Makes room for need bytes (allocating with al on first use). Returns
 * ETW_OK or ETW_ERR_NOMEM. */
static int colbuf_reserve(etw_colbuf *b, size_t need, const etw_cols_alloc *al) {
    uint8_t *nd;
    size_t ncap;
    if (need <= b->cap && b->data) return ETW_OK;
    if (!b->al) b->al = al ? al : &std_alloc;
    ncap = b->cap ? b->cap : 4096;
    while (ncap < need) ncap *= 2;
    nd = (uint8_t *)b->al->grow(b->data, b->cap, ncap);
    if (!nd) return ETW_ERR_NOMEM;
    b->data = nd;
    b->cap = ncap;
    return ETW_OK;
}

void etw_colbuf_free(etw_colbuf *b) {
    if (b->data) b->al->release(b->data, b->cap);
    memset(b, 0, sizeof *b);
}

static void colbuf_free(etw_colbuf *b) { etw_colbuf_free(b); }

static void chunk_free(etw_cols_chunk *c) {
    for (int k = 0; k < ETW_COL_COUNT; k++) colbuf_free(&c->col[k]);
    colbuf_free(&c->payload_data);
    colbuf_free(&c->valid_activity);
    colbuf_free(&c->valid_related);
    c->rows = 0;
}

/* ---------------------------------------------------------------- types */

typedef struct typetab {
    etw_cols_type *types;
    size_t n, cap;
    int32_t *slots;     /* open addressing: type index + 1, 0 = empty */
    uint64_t *hashes;   /* hash of each type */
    size_t nslots;
} typetab;


#define MIX(h, v) ((h) = ((h) ^ (uint64_t)(v)) * 0x100000001b3ull)

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n) {
    while (n >= 8) {
        MIX(h, etw_le64(p));
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    while (n--) MIX(h, *p++);
    return h;
}

/* The key of a record's type: what the schema lookup and the names use. */
typedef struct tkey {
    const etw_record *rec;
    const etw_ext_item *meta; /* TraceLogging metadata item or NULL */
    uint16_t string_only;
    uint64_t hash;
} tkey;

static void tkey_make(tkey *k, const etw_record *rec) {
    const etw_guid *g = &rec->provider_id;
    uint64_t h = 0xcbf29ce484222325ull;
    k->rec = rec;
    k->meta = rec->kind == ETW_KIND_TRACELOGGING ? etw_record_find_ext(rec, ETW_EXT_EVENT_SCHEMA_TL) : NULL;
    k->string_only = rec->flags & ETW_EHF_STRING_ONLY;
    MIX(h, g->data1);
    MIX(h, (uint64_t)g->data2 << 16 | g->data3);
    MIX(h, etw_le64(g->data4));
    MIX(h, (uint64_t)rec->id << 32 | (uint64_t)rec->version << 24 | (uint64_t)rec->opcode << 16 |
               (uint64_t)rec->kind << 8 | (k->string_only ? 1u : 0u));
    if (k->meta) {
        /* Size and both ends: cheap, and tkey_eq compares all of it. */
        size_t n = k->meta->size;
        MIX(h, n);
        h = hash_bytes(h, k->meta->data, n < 16 ? n : 16);
        if (n > 16) h = hash_bytes(h, k->meta->data + n - 16, 16);
    }
    k->hash = h ^ (h >> 31);
}

static int tkey_eq(const tkey *k, const etw_cols_type *t) {
    const etw_record *r = k->rec;
    if (t->id != r->id || t->version != r->version || t->opcode != r->opcode ||
        t->kind != r->kind || (t->flags & ETW_EHF_STRING_ONLY) != k->string_only ||
        !etw_guid_eq(&t->provider, &r->provider_id))
        return 0;
    if (!k->meta) return t->meta == NULL;
    return t->meta && t->meta_len == k->meta->size &&
           memcmp(t->meta, k->meta->data, k->meta->size) == 0;
}

static int typetab_rehash(typetab *tt, size_t nslots) {
    int32_t *ns = (int32_t *)calloc(nslots, sizeof *ns);
    if (!ns) return ETW_ERR_NOMEM;
    for (size_t i = 0; i < tt->n; i++) {
        size_t s = (size_t)tt->hashes[i] & (nslots - 1);
        while (ns[s]) s = (s + 1) & (nslots - 1);
        ns[s] = (int32_t)(i + 1);
    }
    free(tt->slots);
    tt->slots = ns;
    tt->nslots = nslots;
    return ETW_OK;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n) {
    uint8_t *d = (uint8_t *)malloc(n ? n : 1);
    if (d && n) memcpy(d, p, n);
    return d;
}

/* Index of k's type, added when new. Returns >= 0, or ETW_ERR_NOMEM. */
static int32_t typetab_find(typetab *tt, const tkey *k) {
    size_t s;
    const etw_record *r = k->rec;
    etw_cols_type *t;
    if (!tt->nslots && typetab_rehash(tt, 64) != ETW_OK) return ETW_ERR_NOMEM;
    s = (size_t)k->hash & (tt->nslots - 1);
    while (tt->slots[s]) {
        int32_t i = tt->slots[s] - 1;
        if (tt->hashes[i] == k->hash && tkey_eq(k, &tt->types[i])) return i;
        s = (s + 1) & (tt->nslots - 1);
    }
    if (tt->n >= 0x7FFFFFF0u) return ETW_ERR_NOMEM;
    if (tt->n == tt->cap) {
        size_t ncap = tt->cap ? tt->cap * 2 : 32;
        etw_cols_type *nt = (etw_cols_type *)realloc(tt->types, ncap * sizeof *nt);
        uint64_t *nh;
        if (!nt) return ETW_ERR_NOMEM;
        tt->types = nt;
        nh = (uint64_t *)realloc(tt->hashes, ncap * sizeof *nh);
        if (!nh) return ETW_ERR_NOMEM;
        tt->hashes = nh;
        tt->cap = ncap;
    }
    t = &tt->types[tt->n];
    memset(t, 0, sizeof *t);
    t->provider = r->provider_id;
    t->id = r->id;
    t->task = r->task;
    t->flags = k->string_only;
    t->version = r->version;
    t->opcode = r->opcode;
    t->kind = r->kind;
    t->level = r->level;
    t->channel = r->channel;
    if (k->meta) {
        const etw_ext_item *traits = etw_record_find_ext(r, ETW_EXT_PROV_TRAITS);
        if (!(t->meta = dup_bytes(k->meta->data, k->meta->size))) return ETW_ERR_NOMEM;
        t->meta_len = k->meta->size;
        if (traits) {
            if (!(t->traits = dup_bytes(traits->data, traits->size))) {
                free(t->meta);
                return ETW_ERR_NOMEM;
            }
            t->traits_len = traits->size;
        }
    }
    tt->hashes[tt->n] = k->hash;
    tt->slots[s] = (int32_t)(tt->n + 1);
    tt->n++;
    if (tt->n * 2 > tt->nslots && typetab_rehash(tt, tt->nslots * 2) != ETW_OK)
        return ETW_ERR_NOMEM;
    return (int32_t)(tt->n - 1);
}

static void type_free(etw_cols_type *t) {
    free(t->meta);
    free(t->traits);
    t->meta = t->traits = NULL;
}

static void typetab_free(typetab *tt, int free_types) {
    if (free_types)
        for (size_t i = 0; i < tt->n; i++) type_free(&tt->types[i]);
    if (free_types) free(tt->types);
    free(tt->slots);
    free(tt->hashes);
    memset(tt, 0, sizeof *tt);
}

/* ---------------------------------------------------------------- workers */

typedef struct run {
    uint64_t offset; /* file offset of the buffer */
    uint64_t start;  /* first row in the chunk */
    uint64_t n;      /* rows */
} run;

typedef struct pbuf {
    uint64_t offset;
    uint32_t size;
    uint32_t filled;
    uint16_t flags;
    uint16_t cpu;
    uint16_t logger_id;
} pbuf;

typedef struct worker {
    const etw_cols_options *opt;
    const cfilter *cf;
    uint32_t cols;
    etw_cols_chunk chunk;
    uint64_t cap;        /* row capacity of the fixed-width columns */
    int need_ts;         /* keep raw timestamps for the merge */
    etw_colbuf ts;       /* raw timestamps (when the column itself is not wanted) */
    typetab types;
    int32_t last_type;
    run *runs;
    size_t nruns, rcap;
    int header_kept;     /* row 0 is the logfile header record */
    int64_t first_ns, last_ns;
    etw_reader_stats stats;
    /* parallel engine */
    etw_file *file;
    const etw_logfile_header *hdr;
    const etw_clock *clock;
    const pbuf *bufs;
    size_t first, end;   /* buffers [first, end) */
    uint8_t *raw, *infl;
    size_t raw_cap, infl_cap;
    etw_record *chunks;  /* EventSource manifest chunks seen (payload copies), fed to
                            opt->inband in file order after the workers */
    size_t nchunks, chunk_cap;
    int nonmonotonic;    /* a buffer goes back in time */
    int gave_up;         /* not a clean file: the reader engine must run */
    etw_atomic_int *abort;
    int rc;              /* hard error (memory, I/O) */
    etw_error err;
} worker;

static int worker_grow(worker *w) {
    uint64_t ncap = w->cap ? w->cap * 2 : 16384;
    for (int k = 0; k < ETW_COL_COUNT; k++) {
        if (!HAS(w->cols, k)) continue;
        if (colbuf_reserve(&w->chunk.col[k],
                           (size_t)(ncap + (k == ETW_COL_PAYLOAD)) * col_info[k].width,
                           w->opt->alloc) != ETW_OK)
            return ETW_ERR_NOMEM;
    }
    if (w->need_ts && colbuf_reserve(&w->ts, (size_t)ncap * 8, w->opt->alloc) != ETW_OK) return ETW_ERR_NOMEM;
    if (HAS(w->cols, ETW_COL_PAYLOAD) && w->cap == 0)
        ((int64_t *)w->chunk.col[ETW_COL_PAYLOAD].data)[0] = 0;
    w->cap = ncap;
    return ETW_OK;
}

static void put_guid(uint8_t *dst, const etw_guid *g) { etw_guid_to_bytes_be(g, dst); }

/* Appends rec as a row. Returns ETW_OK or ETW_ERR_NOMEM. */
static int emit(worker *w, const etw_record *rec) {
    etw_cols_chunk *c = &w->chunk;
    uint64_t n = c->rows;
    uint32_t cols = w->cols;
    if (n == w->cap && worker_grow(w) != ETW_OK) return ETW_ERR_NOMEM;
#define PUT(k, T, v) \
    if (HAS(cols, k)) ((T *)c->col[k].data)[n] = (T)(v)
    PUT(ETW_COL_TIME, int64_t, rec->time_ns);
    PUT(ETW_COL_FILETIME, int64_t, rec->filetime);
    PUT(ETW_COL_RAW_TIMESTAMP, int64_t, rec->timestamp);
    PUT(ETW_COL_ID, uint16_t, rec->id);
    PUT(ETW_COL_VERSION, uint8_t, rec->version);
    PUT(ETW_COL_CHANNEL, uint8_t, rec->channel);
    PUT(ETW_COL_LEVEL, uint8_t, rec->level);
    PUT(ETW_COL_OPCODE, uint8_t, rec->opcode);
    PUT(ETW_COL_TASK, uint16_t, rec->task);
    PUT(ETW_COL_KEYWORD, uint64_t, rec->keyword);
    PUT(ETW_COL_PID, uint32_t, rec->process_id);
    PUT(ETW_COL_TID, uint32_t, rec->thread_id);
    PUT(ETW_COL_CPU, uint16_t, rec->processor);
    PUT(ETW_COL_KIND, uint8_t, rec->kind);
    PUT(ETW_COL_POINTER_SIZE, uint8_t, rec->pointer_size);
    PUT(ETW_COL_KERNEL_TIME, uint32_t, rec->kernel_time);
    PUT(ETW_COL_USER_TIME, uint32_t, rec->user_time);
    PUT(ETW_COL_FLAGS, uint16_t, rec->flags);
    PUT(ETW_COL_EVENT_PROPERTY, uint16_t, rec->event_property);
    PUT(ETW_COL_HEADER_TYPE, uint8_t, rec->header_type);
    PUT(ETW_COL_GROUP, uint8_t, rec->group);
    PUT(ETW_COL_FILE_OFFSET, uint64_t, rec->file_offset + rec->buffer_pos);
#undef PUT
    if (HAS(cols, ETW_COL_PROVIDER_ID))
        put_guid(c->col[ETW_COL_PROVIDER_ID].data + n * 16, &rec->provider_id);
    if (HAS(cols, ETW_COL_ACTIVITY_ID))
        put_guid(c->col[ETW_COL_ACTIVITY_ID].data + n * 16, &rec->activity_id);
    if (HAS(cols, ETW_COL_RELATED_ACTIVITY_ID)) {
        const etw_ext_item *it = rec->ext_count ? etw_record_find_ext(rec, ETW_EXT_RELATED_ACTIVITYID) : NULL;
        uint8_t *dst = c->col[ETW_COL_RELATED_ACTIVITY_ID].data + n * 16;
        if (it && it->size >= 16) {
            etw_guid g = etw_guid_load(it->data);
            put_guid(dst, &g);
        } else {
            memset(dst, 0, 16);
        }
    }
    if (HAS(cols, ETW_COL_TYPE)) {
        tkey k;
        int32_t t;
        tkey_make(&k, rec);
        if (w->last_type >= 0 && w->types.hashes[w->last_type] == k.hash &&
            tkey_eq(&k, &w->types.types[w->last_type]))
            t = w->last_type;
        else if ((t = typetab_find(&w->types, &k)) < 0)
            return ETW_ERR_NOMEM;
        w->last_type = t;
        w->types.types[t].count++;
        ((int32_t *)c->col[ETW_COL_TYPE].data)[n] = t;
    }
    if (HAS(cols, ETW_COL_PAYLOAD)) {
        int64_t *off = (int64_t *)c->col[ETW_COL_PAYLOAD].data;
        size_t at = (size_t)off[n], len = rec->user_data_length;
        if (colbuf_reserve(&c->payload_data, at + len, w->opt->alloc) != ETW_OK) return ETW_ERR_NOMEM;
        if (len) memcpy(c->payload_data.data + at, rec->user_data, len);
        off[n + 1] = (int64_t)(at + len);
    }
    if (w->need_ts) ((int64_t *)w->ts.data)[n] = rec->timestamp;
    if (n == 0 || rec->time_ns < w->first_ns) w->first_ns = rec->time_ns;
    if (n == 0 || rec->time_ns > w->last_ns) w->last_ns = rec->time_ns;
    c->rows = n + 1;
    return ETW_OK;
}

static int push_run(worker *w, uint64_t offset, uint64_t start) {
    if (w->chunk.rows == start) return ETW_OK;
    if (w->nruns == w->rcap) {
        size_t ncap = w->rcap ? w->rcap * 2 : 256;
        run *nr = (run *)realloc(w->runs, ncap * sizeof *nr);
        if (!nr) return ETW_ERR_NOMEM;
        w->runs = nr;
        w->rcap = ncap;
    }
    w->runs[w->nruns].offset = offset;
    w->runs[w->nruns].start = start;
    w->runs[w->nruns].n = w->chunk.rows - start;
    w->nruns++;
    return ETW_OK;
}

/* Keeps a copy of an EventSource manifest chunk record (header fields and
 * payload; what etw_inband_observe reads). Returns ETW_OK or ETW_ERR_NOMEM. */
static int save_chunk(worker *w, const etw_record *rec) {
    etw_record *c;
    uint8_t *data;
    if (w->nchunks == w->chunk_cap) {
        size_t ncap = w->chunk_cap ? w->chunk_cap * 2 : 16;
        etw_record *nc = (etw_record *)realloc(w->chunks, ncap * sizeof *nc);
        if (!nc) return ETW_ERR_NOMEM;
        w->chunks = nc;
        w->chunk_cap = ncap;
    }
    data = dup_bytes(rec->user_data, rec->user_data_length);
    if (!data) return ETW_ERR_NOMEM;
    c = &w->chunks[w->nchunks++];
    *c = *rec;
    c->user_data = data;
    c->ext = NULL;
    c->ext_count = 0;
    c->raw = NULL;
    return ETW_OK;
}

static void worker_free(worker *w) {
    for (size_t i = 0; i < w->nchunks; i++) free((void *)w->chunks[i].user_data);
    free(w->chunks);
    w->chunks = NULL;
    w->nchunks = 0;
    chunk_free(&w->chunk);
    colbuf_free(&w->ts);
    typetab_free(&w->types, 1);
    free(w->runs);
    free(w->raw);
    free(w->infl);
    w->runs = NULL;
    w->raw = w->infl = NULL;
}

static void feed_registry(const etw_cols_options *opt, const etw_record *rec) {
    if (opt->registry && rec->kind == ETW_KIND_CLASSIC &&
        etw_guid_eq(&rec->provider_id, &etw_event_metadata_guid)) {
        /* As the pipeline does: a malformed injected schema only costs itself. */
        etw_error ignored;
        etw_registry_add_event_metadata(opt->registry, rec, &ignored);
    }
}

static int in_range(const etw_cols_options *opt, uint64_t buffer_offset) {
    return buffer_offset >= opt->range_lo && (opt->range_hi == 0 || buffer_offset < opt->range_hi);
}

/* ---------------------------------------------------------------- reader engine */

static int run_reader(const char *path, const etw_cols_options *opt, worker *w,
                      etw_error *err) {
    etw_reader_options ro;
    etw_reader *r = NULL;
    const etw_record *rec;
    int rc;
    memset(&ro, 0, sizeof ro);
    ro.order = opt->order;
    ro.skip_errors = opt->skip_errors;
    rc = etw_reader_open(path, &ro, &r, err);
    if (rc != ETW_OK) return rc;
    while ((rc = etw_reader_next(r, &rec, err)) == 1) {
        if ((++w->stats.events & 4095) == 0 && (opt->progress || opt->cancel)) {
            if (opt->cancel && etw_atomic_load_int(opt->cancel)) {
                rc = etw_error_set(err, ETW_ERR_STOPPED, 0, "cancelled");
                break;
            }
            if (opt->progress) {
                etw_reader_stats st;
                etw_reader_get_stats(r, &st);
                etw_atomic_store(opt->progress, (size_t)st.bytes);
            }
        }
        feed_registry(opt, rec);
        if (opt->inband && etw_inband_is_chunk(rec)) etw_inband_observe(opt->inband, rec);
        if (!in_range(opt, rec->file_offset) || !keep(w->cf, rec)) continue;
        if (emit(w, rec) != ETW_OK) {
            rc = etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
            break;
        }
    }
    etw_reader_get_stats(r, &w->stats);
    etw_reader_close(r);
    return rc < 0 ? rc : ETW_OK;
}

/* ---------------------------------------------------------------- parallel engine */

/* Walks the buffer headers by their own sizes. Returns 1 with *out and *n set when
 * every header is sound and the last buffer ends exactly at the end of the
 * file, 0 when the file is not that clean (the reader engine handles it), or
 * ETW_ERR_IO / ETW_ERR_NOMEM with err filled. */
static int index_buffers(etw_file *f, uint64_t file_size, pbuf **out, size_t *n,
                         etw_error *err) {
    pbuf *bufs = NULL;
    size_t nb = 0, cap = 0;
    uint64_t off = 0;
    *out = NULL;
    *n = 0;
    while (off < file_size) {
        uint8_t h[BUFHDR];
        size_t got = 0;
        uint32_t size, filled;
        uint16_t flags;
        int rc = etw_file_pread(f, h, BUFHDR, off, &got, err);
        if (rc != ETW_OK) {
            free(bufs);
            return rc;
        }
        if (got < BUFHDR) goto unclean;
        size = etw_le32(h);
        filled = etw_le32(h + 0x30);
        flags = etw_le16(h + 0x34);
        if (size < BUFHDR || size > MAX_BUFFER || etw_le16(h + 0x36) > 8 ||
            size > file_size - off)
            goto unclean;
        if (flags & FLAG_COMPRESSED) {
            if (filled < BUFHDR || filled > MAX_BUFFER) goto unclean;
        } else if (filled < BUFHDR || filled > size) {
            goto unclean;
        }
        if (nb == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            pbuf *nbufs = (pbuf *)realloc(bufs, ncap * sizeof *nbufs);
            if (!nbufs) {
                free(bufs);
                return etw_error_set(err, ETW_ERR_NOMEM, off, "out of memory");
            }
            bufs = nbufs;
            cap = ncap;
        }
        bufs[nb].offset = off;
        bufs[nb].size = size;
        bufs[nb].filled = filled;
        bufs[nb].flags = flags;
        /* ETW_BUFFER_CONTEXT: 16-bit index with PROC_INDEX, else the CPU byte. */
        bufs[nb].cpu = (flags & FLAG_PROC_INDEX) ? (uint16_t)(etw_le16(h + 0x28) & 0x07FF)
                                                 : h[0x28];
        bufs[nb].logger_id = etw_le16(h + 0x2A);
        nb++;
        off += size;
    }
    *out = bufs;
    *n = nb;
    return 1;
unclean:
    free(bufs);
    return 0;
}

/* Reads, inflates and walks buffer b. Sets w->gave_up for anything the
 * reader engine must handle. Returns ETW_OK or a hard error (w->err). */
static int walk_buffer(worker *w, const pbuf *b, int is_first) {
    size_t got = 0, end;
    const uint8_t *data;
    size_t pos = BUFHDR;
    int64_t last_ts = INT64_MIN, prev_ts = INT64_MIN;
    int have_prev = 0, first_record = 1;
    uint64_t run_start;
    etw_record rec;
    etw_ext_item ext[ETW_MAX_EXT_ITEMS];
    etw_buffer_place where;
    if (b->size > w->raw_cap) {
        uint8_t *nr = (uint8_t *)realloc(w->raw, b->size);
        if (!nr) return etw_error_set(&w->err, ETW_ERR_NOMEM, b->offset, "out of memory");
        w->raw = nr;
        w->raw_cap = b->size;
    }
    if (etw_file_pread(w->file, w->raw, b->size, b->offset, &got, &w->err) != ETW_OK)
        return w->err.code;
    if (got != b->size) {
        w->gave_up = 1;
        return ETW_OK;
    }
    if (b->flags & FLAG_COMPRESSED) {
        size_t produced = 0;
        /* [issue 3] Room for a few bytes more than Offset@0x30 says: a stream
         * that inflates past it is damage (the reader engine reports it). */
        if ((size_t)b->filled + 8 > w->infl_cap) {
            uint8_t *ni = (uint8_t *)realloc(w->infl, (size_t)b->filled + 8);
            if (!ni) return etw_error_set(&w->err, ETW_ERR_NOMEM, b->offset, "out of memory");
            w->infl = ni;
            w->infl_cap = (size_t)b->filled + 8;
        }
        memcpy(w->infl, w->raw, BUFHDR);
        if (etw_lz77_decompress(w->raw + BUFHDR, b->size - BUFHDR, w->infl + BUFHDR,
                                b->filled - BUFHDR + 8, &produced) != ETW_OK ||
            produced != b->filled - BUFHDR) {
            w->gave_up = 1;
            return ETW_OK;
        }
        data = w->infl;
        end = b->filled;
        w->stats.compressed_buffers++;
    } else {
        data = w->raw;
        end = b->filled;
    }
    w->stats.buffers++;
    w->stats.bytes += b->size;
    if (b->flags & FLAG_LOST) w->stats.lost_flag_buffers++;
    run_start = w->chunk.rows;
    where.offset = b->offset;
    where.cpu = b->cpu;
    where.logger_id = b->logger_id;
    where.header_pointer_size = w->hdr->header_pointer_size;
    for (;;) {
        uint32_t size = 0;
        etw_error e;
        int rc = etw_record_parse(data, pos, end, &rec, ext, &size, &e);
        int is_header;
        if (rc == 0) {
            /* [issue 3] As the reader: a record past Offset@0x30 is damage. */
            if (!(b->flags & FLAG_COMPRESSED) && etw_record_check_end(data, pos, b->size, &e)) {
                w->gave_up = 1;
                return ETW_OK;
            }
            break;
        }
        if (rc < 0) {
            w->gave_up = 1;
            return ETW_OK;
        }
        pos += ETW_ALIGN8((size_t)size);
        if (rc == 2) {
            w->stats.opaque_records++;
            continue;
        }
        /* The same completion the reader makes. */
        etw_record_place(&rec, &where, &last_ts);
        etw_clock_convert(w->clock, rec.timestamp, &rec.filetime, &rec.time_ns);
        w->stats.events++;
        is_header = is_first && first_record && rec.kind == ETW_KIND_HEADER;
        first_record = 0;
        if (!is_header) {
            if (have_prev && rec.timestamp < prev_ts) w->nonmonotonic = 1;
            prev_ts = rec.timestamp;
            have_prev = 1;
        }
        feed_registry(w->opt, &rec);
        if (w->opt->inband && etw_inband_is_chunk(&rec) && save_chunk(w, &rec) != ETW_OK)
            return etw_error_set(&w->err, ETW_ERR_NOMEM, b->offset, "out of memory");
        if (!keep(w->cf, &rec)) continue;
        if (emit(w, &rec) != ETW_OK)
            return etw_error_set(&w->err, ETW_ERR_NOMEM, b->offset, "out of memory");
        if (is_header) {
            w->header_kept = 1;
            run_start = w->chunk.rows;
        }
    }
    if (push_run(w, b->offset, run_start) != ETW_OK)
        return etw_error_set(&w->err, ETW_ERR_NOMEM, b->offset, "out of memory");
    return ETW_OK;
}

static void worker_main(void *arg) {
    worker *w = (worker *)arg;
    for (size_t i = w->first; i < w->end; i++) {
        if (etw_atomic_load_int(w->abort)) return;
        if (w->opt->cancel && etw_atomic_load_int(w->opt->cancel)) {
            w->rc = etw_error_set(&w->err, ETW_ERR_STOPPED, 0, "cancelled");
            etw_atomic_store_int(w->abort, 1);
            return;
        }
        w->rc = walk_buffer(w, &w->bufs[i], i == 0);
        if (w->opt->progress) {
            etw_spin_lock(&progress_lock);
            etw_atomic_store(w->opt->progress,
                             etw_atomic_load(w->opt->progress) + w->bufs[i].size);
            etw_spin_unlock(&progress_lock);
        }
        if (w->rc != ETW_OK || w->gave_up ||
            (w->nonmonotonic && w->opt->order == ETW_ORDER_TIME)) {
            etw_atomic_store_int(w->abort, 1);
            return;
        }
    }
}

/* Runs fn on n jobs lying stride bytes apart: job 0 on this thread, the others
 * on threads of their own (or here, when a thread cannot start); returns when
 * every job is done. n <= MAX_THREADS. */
static void run_parts(void (*fn)(void *), void *jobs, size_t stride, unsigned n) {
    etw_thread *th[MAX_THREADS];
    unsigned started = 0;
    for (unsigned p = 1; p < n; p++) {
        void *job = (char *)jobs + (size_t)p * stride;
        if (etw_thread_start(&th[started], fn, job) != ETW_OK) {
            fn(job); /* no thread: do it here */
            continue;
        }
        started++;
    }
    fn(jobs);
    for (unsigned p = 0; p < started; p++) etw_thread_join(th[p]);
}

/* ---------------------------------------------------------------- merge */

typedef struct mrun {
    const int64_t *ts;
    uint64_t pos, end;
    uint64_t offset;
    uint32_t chunk;
} mrun;

/* A merge heap entry: the run's current key kept inline (no pointer chase per
 * comparison). */
typedef struct hnode {
    int64_t ts;
    uint64_t offset;
    mrun *r;
} hnode;

static int hnode_less(const hnode *a, const hnode *b) {
    if (a->ts != b->ts) return a->ts < b->ts;
    return a->offset < b->offset;
}

static int mrun_cmp(const void *pa, const void *pb) {
    const mrun *a = (const mrun *)pa, *b = (const mrun *)pb;
    int64_t x = a->ts[a->pos], y = b->ts[b->pos];
    if (x != y) return x < y ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static void sift_down(hnode *heap, size_t n, size_t i) {
    hnode x = heap[i];
    for (;;) {
        size_t l = 2 * i + 1, m;
        if (l >= n) break;
        m = l + 1 < n && hnode_less(&heap[l + 1], &heap[l]) ? l + 1 : l;
        if (!hnode_less(&heap[m], &x)) break;
        heap[i] = heap[m];
        i = m;
    }
    heap[i] = x;
}

static void sift_up(hnode *heap, size_t i) {
    hnode x = heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!hnode_less(&x, &heap[p])) break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = x;
}

#define PERM(chunk, row) (((uint64_t)(chunk) << 40) | (uint64_t)(row))

/* First position in [pos, end) of run r whose timestamp is >= t (runs are
 * monotonic: the parallel engine gives up on any that is not). */
static uint64_t run_lower_bound(const mrun *r, int64_t t) {
    uint64_t lo = r->pos, hi = r->end;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (r->ts[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* One part of the merge: the rows of runs[0..nruns) (each [pos, end), sorted
 * by first key) in (timestamp, buffer offset, row) order into out. Buffers join
 * when the merge reaches their first timestamp - the reader's merge (reader.c),
 * which on monotonic runs is this order. */
typedef struct merge_job {
    mrun *runs;
    size_t nruns;
    hnode *heap;
    uint64_t *out;
} merge_job;

static void merge_part(void *arg) {
    merge_job *j = (merge_job *)arg;
    mrun *runs = j->runs;
    hnode *heap = j->heap;
    uint64_t *out = j->out;
    size_t heap_n = 0, next = 0, nruns = j->nruns;
    for (;;) {
        hnode *top;
        while (next < nruns && (heap_n == 0 || runs[next].ts[runs[next].pos] <= heap[0].ts)) {
            mrun *r = &runs[next++];
            heap[heap_n].ts = r->ts[r->pos];
            heap[heap_n].offset = r->offset;
            heap[heap_n].r = r;
            sift_up(heap, heap_n++);
        }
        if (heap_n == 0) break;
        top = &heap[0];
        *out++ = PERM(top->r->chunk, top->r->pos);
        if (++top->r->pos == top->r->end) {
            heap[0] = heap[--heap_n];
        } else {
            top->ts = top->r->ts[top->r->pos];
        }
        if (heap_n) sift_down(heap, heap_n, 0);
    }
}

/* Time order of the rows of the workers: the logfile header first, then the
 * merge of the per-buffer runs, split by timestamp into up to `threads` parts
 * merged at once (a run's rows below a split point go to the part before it;
 * equal timestamps never straddle one). Fills perm (total rows). Returns ETW_OK
 * or ETW_ERR_NOMEM. */
static int merge_order(worker *ws, size_t nw, unsigned threads, uint64_t *perm) {
    size_t nruns = 0, k = 0;
    uint64_t o = 0, rows = 0;
    unsigned parts = 1;
    mrun *runs, *sub = NULL;
    hnode *heap;
    int64_t split[MAX_THREADS];
    for (size_t i = 0; i < nw; i++) nruns += ws[i].nruns;
    runs = (mrun *)malloc((nruns ? nruns : 1) * sizeof *runs);
    if (!runs) return ETW_ERR_NOMEM;
    for (size_t i = 0; i < nw; i++) {
        const int64_t *ts = (const int64_t *)(HAS(ws[i].cols, ETW_COL_RAW_TIMESTAMP)
                                                  ? ws[i].chunk.col[ETW_COL_RAW_TIMESTAMP].data
                                                  : ws[i].ts.data);
        if (ws[i].header_kept) perm[o++] = PERM(i, 0);
        for (size_t j = 0; j < ws[i].nruns; j++) {
            runs[k].ts = ts;
            runs[k].pos = ws[i].runs[j].start;
            runs[k].end = ws[i].runs[j].start + ws[i].runs[j].n;
            runs[k].offset = ws[i].runs[j].offset;
            runs[k].chunk = (uint32_t)i;
            rows += runs[k].end - runs[k].pos;
            k++;
        }
    }
    qsort(runs, nruns, sizeof *runs, mrun_cmp);
    /* Split points: runs' first timestamps where the rows of the runs before
     * them (in first-timestamp order) reach equal shares. Only the balance
     * depends on this estimate; the parts are cut exactly, by timestamp. */
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (threads > 1 && rows >= 65536 && nruns > 1) {
        uint64_t before = 0;
        size_t i = 0;
        for (unsigned p = 1; p < threads; p++) {
            uint64_t goal = rows * p / threads;
            while (i < nruns && before < goal) before += runs[i].end - runs[i].pos, i++;
            if (i >= nruns) break;
            {
                int64_t t = runs[i].ts[runs[i].pos];
                if (t <= runs[0].ts[runs[0].pos]) continue; /* nothing below it */
                if (parts > 1 && t <= split[parts - 2]) continue;
                split[parts - 1] = t;
                parts++;
            }
        }
    }
    /* A heap per part, and (parts > 1) each part's copy of the runs. */
    heap = (hnode *)malloc((nruns ? nruns : 1) * parts * sizeof *heap);
    sub = parts > 1 ? (mrun *)malloc(nruns * parts * sizeof *sub) : NULL;
    if (!heap || (parts > 1 && !sub)) {
        free(runs);
        free(heap);
        free(sub);
        return ETW_ERR_NOMEM;
    }
    if (parts == 1) {
        merge_job j = {runs, nruns, heap, perm + o};
        merge_part(&j);
    } else {
        merge_job jobs[MAX_THREADS];
        size_t at = 0;
        for (unsigned p = 0; p < parts; p++) {
            size_t n = 0;
            uint64_t prows = 0;
            for (size_t i = 0; i < nruns; i++) {
                mrun r = runs[i];
                if (p > 0) r.pos = run_lower_bound(&runs[i], split[p - 1]);
                if (p + 1 < parts) r.end = run_lower_bound(&runs[i], split[p]);
                if (r.pos >= r.end) continue;
                prows += r.end - r.pos;
                sub[at + n++] = r;
            }
            /* Cutting keeps each run's first key order except where a run now
             * starts later: sort again. */
            qsort(sub + at, n, sizeof *sub, mrun_cmp);
            jobs[p].runs = sub + at;
            jobs[p].nruns = n;
            jobs[p].heap = heap + (size_t)p * nruns;
            jobs[p].out = perm + o;
            o += prows;
            at += n;
        }
        run_parts(merge_part, jobs, sizeof *jobs, parts);
    }
    free(runs);
    free(heap);
    free(sub);
    return ETW_OK;
}

/* Blocks freed during the gather, reused for the columns gathered after them
 * (best fit): memory already faulted in costs no page clearing, which is
 * most of the price of fresh memory. */
typedef struct pool {
    etw_colbuf *b;
    size_t n, cap;
} pool;

static void pool_put(pool *p, etw_colbuf *b) {
    if (!b->data) return;
    if (p->n < p->cap) {
        p->b[p->n++] = *b;
        memset(b, 0, sizeof *b);
    } else {
        colbuf_free(b);
    }
}

/* A buffer of at least need bytes into *out (empty before), from the pool or
 * new. Returns ETW_OK or ETW_ERR_NOMEM. */
static int pool_get(pool *p, size_t need, etw_colbuf *out, const etw_cols_alloc *al) {
    size_t best = p->n;
    for (size_t i = 0; i < p->n; i++)
        if (p->b[i].cap >= need && (best == p->n || p->b[i].cap < p->b[best].cap)) best = i;
    if (best < p->n) {
        *out = p->b[best];
        out->len = 0;
        p->b[best] = p->b[--p->n];
        return ETW_OK;
    }
    return colbuf_reserve(out, need ? need : 16, al);
}

#define ROWMASK ((1ull << 40) - 1)

typedef struct gather_job {
    worker *ws;
    const uint64_t *perm;
    uint64_t lo, hi;    /* rows of this part */
    int k;              /* column */
    uint8_t *dst;       /* the column (fixed width), or the payload bytes */
    const int64_t *off; /* payload: the new offsets */
} gather_job;

static void gather_part(void *arg) {
    const gather_job *j = (const gather_job *)arg;
    const uint64_t *perm = j->perm;
    int k = j->k;
    uint8_t *d = j->dst;
    if (k == ETW_COL_PAYLOAD) {
        for (uint64_t i = j->lo; i < j->hi; i++) {
            const etw_cols_chunk *sc = &j->ws[perm[i] >> 40].chunk;
            const int64_t *so = (const int64_t *)sc->col[k].data;
            uint64_t r = perm[i] & ROWMASK;
            memcpy(d + j->off[i], sc->payload_data.data + so[r], (size_t)(so[r + 1] - so[r]));
        }
        return;
    }
#define GATHER(T)                                                                  \
    for (uint64_t i = j->lo; i < j->hi; i++)                                      \
        ((T *)d)[i] = ((const T *)j->ws[perm[i] >> 40].chunk.col[k].data)[perm[i] & ROWMASK]
    switch (col_info[k].width) {
    case 1: GATHER(uint8_t); break;
    case 2: GATHER(uint16_t); break;
    case 4: GATHER(uint32_t); break;
    case 8: GATHER(uint64_t); break;
    default: {
        size_t wd = col_info[k].width;
        for (uint64_t i = j->lo; i < j->hi; i++)
            memcpy(d + i * wd, j->ws[perm[i] >> 40].chunk.col[k].data + (perm[i] & ROWMASK) * wd,
                   wd);
    }
    }
#undef GATHER
}

/* Runs gather_part over rows split into parts (this thread takes part 0). */
static void gather_parallel(gather_job *proto, uint64_t rows, unsigned parts) {
    gather_job jobs[MAX_THREADS];
    if (rows < 65536) parts = 1;
    for (unsigned p = 0; p < parts; p++) {
        jobs[p] = *proto;
        jobs[p].lo = rows * p / parts;
        jobs[p].hi = rows * (p + 1) / parts;
    }
    run_parts(gather_part, jobs, sizeof *jobs, parts);
}

/* Builds the time-ordered chunk from the workers' chunks, column by column,
 * widest first, freeing each source column into the pool the next ones take
 * their memory from. Returns ETW_OK or ETW_ERR_NOMEM. */
static int gather_time_order(worker *ws, size_t nw, unsigned threads, uint64_t rows,
                             const etw_cols_alloc *al, etw_cols_chunk *out) {
    static const uint8_t widths[] = {16, 8, 4, 2, 1};
    uint64_t *perm = (uint64_t *)malloc((rows ? rows : 1) * sizeof *perm);
    uint32_t cols = ws[0].cols;
    pool pl;
    int rc = ETW_OK;
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    memset(out, 0, sizeof *out);
    memset(&pl, 0, sizeof pl);
    pl.cap = nw * (ETW_COL_COUNT + 3);
    pl.b = (etw_colbuf *)calloc(pl.cap, sizeof *pl.b);
    if (!perm || !pl.b || merge_order(ws, nw, threads, perm) != ETW_OK) {
        free(perm);
        free(pl.b);
        return ETW_ERR_NOMEM;
    }
    out->rows = rows;
    for (size_t i = 0; i < nw; i++) pool_put(&pl, &ws[i].ts);
    for (size_t wi = 0; wi < sizeof widths && rc == ETW_OK; wi++) {
        for (int k = 0; k < ETW_COL_COUNT && rc == ETW_OK; k++) {
            gather_job g;
            if (!HAS(cols, k) || k == ETW_COL_PAYLOAD || col_info[k].width != widths[wi])
                continue;
            if (pool_get(&pl, (size_t)rows * widths[wi], &out->col[k], al) != ETW_OK) {
                rc = ETW_ERR_NOMEM;
                break;
            }
            memset(&g, 0, sizeof g);
            g.ws = ws;
            g.perm = perm;
            g.k = k;
            g.dst = out->col[k].data;
            gather_parallel(&g, rows, threads);
            out->col[k].len = (size_t)rows * widths[wi];
            for (size_t i = 0; i < nw; i++) pool_put(&pl, &ws[i].chunk.col[k]);
        }
    }
    if (rc == ETW_OK && HAS(cols, ETW_COL_PAYLOAD)) {
        int64_t *off;
        uint64_t total = 0;
        gather_job g;
        rc = pool_get(&pl, (size_t)(rows + 1) * 8, &out->col[ETW_COL_PAYLOAD], al);
        if (rc == ETW_OK) {
            off = (int64_t *)out->col[ETW_COL_PAYLOAD].data;
            off[0] = 0;
            for (uint64_t i = 0; i < rows; i++) {
                const int64_t *so =
                    (const int64_t *)ws[perm[i] >> 40].chunk.col[ETW_COL_PAYLOAD].data;
                uint64_t r = perm[i] & ROWMASK;
                total += (uint64_t)(so[r + 1] - so[r]);
                off[i + 1] = (int64_t)total;
            }
            out->col[ETW_COL_PAYLOAD].len = (size_t)(rows + 1) * 8;
            rc = pool_get(&pl, (size_t)total, &out->payload_data, al);
        }
        if (rc == ETW_OK) {
            memset(&g, 0, sizeof g);
            g.ws = ws;
            g.perm = perm;
            g.k = ETW_COL_PAYLOAD;
            g.dst = out->payload_data.data;
            g.off = off;
            gather_parallel(&g, rows, threads);
            out->payload_data.len = (size_t)total;
        }
    }
    for (size_t i = 0; i < pl.n; i++) colbuf_free(&pl.b[i]);
    free(pl.b);
    free(perm);
    return rc;
}

static uint64_t work_of(const pbuf *b) {
    return (b->flags & FLAG_COMPRESSED) ? b->filled : b->size;
}

/* Runs the parallel engine. Returns 1 when it produced the result into ws
 * (*nw workers), 0 when the file needs the reader engine, or a hard error
 * (err filled). */
static int run_parallel(const char *path, const etw_cols_options *opt, const cfilter *cf,
                        worker **ws_out, size_t *nw_out, etw_error *err) {
    etw_reader_options ro;
    etw_reader *r = NULL;
    etw_file *f = NULL;
    uint64_t file_size = 0, total = 0, acc = 0;
    pbuf *bufs = NULL;
    size_t nbufs = 0, lo = 0, hi = 0;
    etw_logfile_header hdr;
    etw_clock clock;
    worker *ws = NULL;
    unsigned nt;
    etw_atomic_int abort_flag;
    int rc;
    *ws_out = NULL;
    *nw_out = 0;
    /* The reader checks the header buffer and gives the header and clock. */
    memset(&ro, 0, sizeof ro);
    ro.order = ETW_ORDER_FILE;
    ro.skip_errors = 0;
    ro.header_only = 1;
    rc = etw_reader_open(path, &ro, &r, err);
    if (rc != ETW_OK) return rc == ETW_ERR_FORMAT ? 0 : rc;
    hdr = *etw_reader_header(r);
    {
        size_t reader_bufs = etw_reader_buffer_count(r);
        etw_reader_close(r);
        if (etw_clock_init(&clock, &hdr, NULL) != ETW_OK) return 0;
        rc = etw_file_open(path, &f, err);
        if (rc != ETW_OK) return rc;
        rc = etw_file_size(f, &file_size, err);
        if (rc == ETW_OK) rc = index_buffers(f, file_size, &bufs, &nbufs, err);
        if (rc == 1 && nbufs != reader_bufs) rc = 0; /* the reader sees the file otherwise */
        if (rc != 1) {
            free(bufs); /* [fuzz_columns] was leaked when the counts differed */
            etw_file_close(f);
            return rc;
        }
    }
    /* The buffers of the requested range, split into ranges of equal bytes. */
    while (lo < nbufs && !in_range(opt, bufs[lo].offset)) lo++;
    hi = lo;
    while (hi < nbufs && in_range(opt, bufs[hi].offset)) hi++;
    /* Work is measured in record bytes: a compressed buffer inflates to `filled`. */
    for (size_t i = lo; i < hi; i++) total += work_of(&bufs[i]);
    nt = opt->threads ? opt->threads : 1;
    if (nt > MAX_THREADS) nt = MAX_THREADS;
    if (nt > 1 && total / MIN_BYTES_PER_THREAD + 1 < nt)
        nt = (unsigned)(total / MIN_BYTES_PER_THREAD + 1);
    if (nt > hi - lo && hi > lo) nt = (unsigned)(hi - lo);
    if (nt < 1) nt = 1;
    ws = (worker *)calloc(nt, sizeof *ws);
    if (!ws) {
        free(bufs);
        etw_file_close(f);
        return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
    }
    etw_atomic_init(&abort_flag, 0);
    {
        size_t at = lo;
        for (unsigned t = 0; t < nt; t++) {
            worker *w = &ws[t];
            uint64_t goal = total * (t + 1) / nt;
            w->opt = opt;
            w->cf = cf;
            w->cols = opt->columns;
            w->need_ts = opt->order == ETW_ORDER_TIME && !HAS(opt->columns, ETW_COL_RAW_TIMESTAMP);
            w->last_type = -1;
            w->file = f;
            w->hdr = &hdr;
            w->clock = &clock;
            w->bufs = bufs;
            w->abort = &abort_flag;
            w->first = at;
            while (at < hi && (acc < goal || t == nt - 1)) acc += work_of(&bufs[at++]);
            w->end = at;
        }
    }
    run_parts(worker_main, ws, sizeof *ws, nt);
    etw_file_close(f);
    free(bufs);
    rc = 1;
    for (unsigned t = 0; t < nt; t++) {
        if (ws[t].rc != ETW_OK && rc == 1) {
            *err = ws[t].err;
            rc = ws[t].rc;
        }
        if (ws[t].gave_up || (ws[t].nonmonotonic && opt->order == ETW_ORDER_TIME))
            if (rc == 1) rc = 0;
    }
    if (rc != 1) {
        for (unsigned t = 0; t < nt; t++) worker_free(&ws[t]);
        free(ws);
        return rc;
    }
    if (opt->inband)
        for (unsigned t = 0; t < nt; t++)
            for (size_t i = 0; i < ws[t].nchunks; i++)
                etw_inband_observe(opt->inband, &ws[t].chunks[i]);
    *ws_out = ws;
    *nw_out = nt;
    return 1;
}

/* ---------------------------------------------------------------- finishing */

typedef struct tsort {
    const etw_cols_type *t;
    uint32_t idx;
} tsort;

static int type_cmp(const void *pa, const void *pb) {
    const etw_cols_type *a = ((const tsort *)pa)->t, *b = ((const tsort *)pb)->t;
    int c;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->provider.data1 != b->provider.data1) return a->provider.data1 < b->provider.data1 ? -1 : 1;
    if (a->provider.data2 != b->provider.data2) return a->provider.data2 < b->provider.data2 ? -1 : 1;
    if (a->provider.data3 != b->provider.data3) return a->provider.data3 < b->provider.data3 ? -1 : 1;
    c = memcmp(a->provider.data4, b->provider.data4, 8);
    if (c) return c;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    if (a->version != b->version) return a->version < b->version ? -1 : 1;
    if (a->opcode != b->opcode) return a->opcode < b->opcode ? -1 : 1;
    if (a->flags != b->flags) return a->flags < b->flags ? -1 : 1;
    if (a->meta_len != b->meta_len) return a->meta_len < b->meta_len ? -1 : 1;
    if (a->meta && b->meta) return memcmp(a->meta, b->meta, a->meta_len);
    return (a->meta != NULL) - (b->meta != NULL);
}

/* Merges the workers' type tables into res->types in canonical order and
 * renumbers the type column of every chunk. Returns ETW_OK or ETW_ERR_NOMEM. */
static int finish_types(worker *ws, size_t nw, etw_cols_result *res) {
    typetab g;
    int32_t **remap;
    tsort *order = NULL;
    int32_t *final = NULL;
    int rc = ETW_ERR_NOMEM;
    memset(&g, 0, sizeof g);
    remap = (int32_t **)calloc(nw, sizeof *remap);
    if (!remap) return ETW_ERR_NOMEM;
    for (size_t i = 0; i < nw; i++) {
        typetab *tt = &ws[i].types;
        remap[i] = (int32_t *)malloc((tt->n ? tt->n : 1) * sizeof(int32_t));
        if (!remap[i]) goto done;
        for (size_t j = 0; j < tt->n; j++) {
            /* Look the type up in g through a record-shaped key. */
            etw_cols_type *t = &tt->types[j];
            etw_record rec;
            etw_ext_item meta;
            tkey k;
            int32_t gi;
            memset(&rec, 0, sizeof rec);
            rec.provider_id = t->provider;
            rec.id = t->id;
            rec.version = t->version;
            rec.opcode = t->opcode;
            rec.kind = t->kind;
            rec.flags = t->flags;
            if (t->meta) {
                meta.type = ETW_EXT_EVENT_SCHEMA_TL;
                meta.size = t->meta_len;
                meta.data = t->meta;
                rec.ext = &meta;
                rec.ext_count = 1;
            }
            tkey_make(&k, &rec);
            gi = typetab_find(&g, &k);
            if (gi < 0) goto done;
            if (g.types[gi].count == 0) {
                /* New in g: keep the worker's copy (level, task, traits too). */
                type_free(&g.types[gi]);
                g.types[gi] = *t;
                t->meta = t->traits = NULL;
            } else {
                g.types[gi].count += t->count;
            }
            remap[i][j] = gi;
        }
    }
    order = (tsort *)malloc((g.n ? g.n : 1) * sizeof *order);
    final = (int32_t *)malloc((g.n ? g.n : 1) * sizeof *final);
    if (!order || !final) goto done;
    for (size_t i = 0; i < g.n; i++) {
        order[i].t = &g.types[i];
        order[i].idx = (uint32_t)i;
    }
    qsort(order, g.n, sizeof *order, type_cmp);
    res->types = (etw_cols_type *)malloc((g.n ? g.n : 1) * sizeof *res->types);
    if (!res->types) goto done;
    for (size_t i = 0; i < g.n; i++) {
        res->types[i] = *order[i].t;
        final[order[i].idx] = (int32_t)i;
    }
    res->ntypes = g.n;
    for (size_t i = 0; i < nw; i++) {
        etw_cols_chunk *c = &ws[i].chunk;
        int32_t *col = (int32_t *)c->col[ETW_COL_TYPE].data;
        if (!HAS(ws[i].cols, ETW_COL_TYPE)) continue;
        for (uint64_t r = 0; r < c->rows; r++) col[r] = final[remap[i][col[r]]];
    }
    free(g.types); /* the entries moved to res->types */
    g.types = NULL;
    g.n = 0;
    rc = ETW_OK;
done:
    typetab_free(&g, 1);
    for (size_t i = 0; i < nw; i++) free(remap[i]);
    free(remap);
    free(order);
    free(final);
    return rc;
}

/* Validity bitmap of a 16-byte id column: bit set when the id is not zero. */
static int id_bitmap(const etw_colbuf *col, uint64_t rows, etw_colbuf *bits, uint64_t *nulls,
                     const etw_cols_alloc *al) {
    static const uint8_t zero[16];
    size_t nbytes = (size_t)((rows + 7) / 8);
    *nulls = 0;
    if (colbuf_reserve(bits, nbytes ? nbytes : 1, al) != ETW_OK) return ETW_ERR_NOMEM;
    memset(bits->data, 0, nbytes ? nbytes : 1);
    for (uint64_t i = 0; i < rows; i++) {
        if (memcmp(col->data + i * 16, zero, 16) != 0)
            bits->data[i >> 3] |= (uint8_t)(1u << (i & 7));
        else
            (*nulls)++;
    }
    bits->len = nbytes;
    return ETW_OK;
}

static int finish_chunk(etw_cols_chunk *c, uint32_t cols, const etw_cols_alloc *al) {
    for (int k = 0; k < ETW_COL_COUNT; k++) {
        if (!HAS(cols, k)) continue;
        /* Every wanted column gets memory, also without rows. */
        if (colbuf_reserve(&c->col[k], 16, al) != ETW_OK) return ETW_ERR_NOMEM;
        if (k == ETW_COL_PAYLOAD) {
            if (colbuf_reserve(&c->payload_data, 16, al) != ETW_OK) return ETW_ERR_NOMEM;
            if (c->rows == 0) ((int64_t *)c->col[k].data)[0] = 0;
            c->payload_data.len = (size_t)((const int64_t *)c->col[k].data)[c->rows];
            c->col[k].len = (size_t)(c->rows + 1) * 8;
        } else {
            c->col[k].len = (size_t)c->rows * col_info[k].width;
        }
    }
    if (HAS(cols, ETW_COL_ACTIVITY_ID) &&
        id_bitmap(&c->col[ETW_COL_ACTIVITY_ID], c->rows, &c->valid_activity, &c->null_activity,
                  al) != ETW_OK)
        return ETW_ERR_NOMEM;
    if (HAS(cols, ETW_COL_RELATED_ACTIVITY_ID) &&
        id_bitmap(&c->col[ETW_COL_RELATED_ACTIVITY_ID], c->rows, &c->valid_related,
                  &c->null_related, al) != ETW_OK)
        return ETW_ERR_NOMEM;
    return ETW_OK;
}

static void add_stats(etw_reader_stats *a, const etw_reader_stats *b) {
    a->events += b->events;
    a->buffers += b->buffers;
    a->bytes += b->bytes;
    a->skipped += b->skipped;
    a->skipped_bytes += b->skipped_bytes;
    a->opaque_records += b->opaque_records;
    a->compressed_buffers += b->compressed_buffers;
    a->lost_flag_buffers += b->lost_flag_buffers;
}

/* ---------------------------------------------------------------- public */

int etw_cols_run(const char *path, const etw_cols_options *opt, etw_cols_result *out,
                 etw_error *err) {
    cfilter cf;
    worker *ws = NULL;
    size_t nw = 0;
    int rc, prc = 0;
    memset(out, 0, sizeof *out);
    if (opt->order != ETW_ORDER_TIME && opt->order != ETW_ORDER_FILE)
        return etw_error_set(err, ETW_ERR_ARG, 0, "bad order");
    if (opt->filter.n_ids && !opt->filter.ids) return etw_error_set(err, ETW_ERR_ARG, 0, "no ids");
    out->columns = opt->columns & ((1u << ETW_COL_COUNT) - 1);
    if (cfilter_init(&cf, &opt->filter) != ETW_OK) {
        cfilter_free(&cf);
        return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
    }
    if (opt->engine != ETW_ENGINE_READER) {
        etw_cols_options o = *opt;
        o.columns = out->columns;
        prc = run_parallel(path, &o, &cf, &ws, &nw, err);
        if (prc < 0) {
            cfilter_free(&cf);
            return prc;
        }
        if (prc == 0 && opt->engine == ETW_ENGINE_PARALLEL) {
            cfilter_free(&cf);
            return etw_error_set(err, ETW_ERR_ARG, 0,
                                 "the parallel engine cannot read this file");
        }
    }
    if (prc == 1) {
        out->parallel = 1;
        out->threads = (unsigned)nw;
        rc = ETW_OK;
        for (size_t i = 0; i < nw; i++) ws[i].opt = opt;
    } else {
        ws = (worker *)calloc(1, sizeof *ws);
        if (!ws) {
            cfilter_free(&cf);
            return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
        }
        nw = 1;
        ws->opt = opt;
        ws->cf = &cf;
        ws->cols = out->columns;
        ws->last_type = -1;
        out->threads = 1;
        rc = run_reader(path, opt, ws, err);
    }
    /* Types, then (parallel, time order) the merge, then the chunks. */
    {
        int frc = ETW_OK;
        uint64_t rows = 0;
        int have = 0;
        for (size_t i = 0; i < nw; i++) {
            rows += ws[i].chunk.rows;
            add_stats(&out->stats, &ws[i].stats);
            if (ws[i].chunk.rows) {
                if (!have || ws[i].first_ns < out->first_ns) out->first_ns = ws[i].first_ns;
                if (!have || ws[i].last_ns > out->last_ns) out->last_ns = ws[i].last_ns;
                have = 1;
            }
        }
        out->rows = rows;
        if (HAS(out->columns, ETW_COL_TYPE)) frc = finish_types(ws, nw, out);
        if (frc == ETW_OK && out->parallel && opt->order == ETW_ORDER_TIME && nw > 0) {
            out->chunks = (etw_cols_chunk *)calloc(1, sizeof *out->chunks);
            if (!out->chunks)
                frc = ETW_ERR_NOMEM;
            else {
                out->nchunks = 1;
                frc = gather_time_order(ws, nw, out->threads, rows, opt->alloc, &out->chunks[0]);
                for (size_t i = 0; i < nw; i++) chunk_free(&ws[i].chunk);
            }
        } else if (frc == ETW_OK) {
            out->chunks = (etw_cols_chunk *)calloc(nw ? nw : 1, sizeof *out->chunks);
            if (!out->chunks)
                frc = ETW_ERR_NOMEM;
            else {
                for (size_t i = 0; i < nw; i++) {
                    out->chunks[i] = ws[i].chunk;
                    memset(&ws[i].chunk, 0, sizeof ws[i].chunk);
                }
                out->nchunks = nw;
            }
        }
        for (size_t i = 0; frc == ETW_OK && i < out->nchunks; i++)
            frc = finish_chunk(&out->chunks[i], out->columns, opt->alloc);
        if (frc != ETW_OK && rc == ETW_OK) rc = etw_error_set(err, frc, 0, "out of memory");
    }
    for (size_t i = 0; i < nw; i++) worker_free(&ws[i]);
    free(ws);
    cfilter_free(&cf);
    return rc;
}

void etw_cols_result_free(etw_cols_result *res) {
    for (size_t i = 0; i < res->nchunks; i++) chunk_free(&res->chunks[i]);
    free(res->chunks);
    for (size_t i = 0; i < res->ntypes; i++) type_free(&res->types[i]);
    free(res->types);
    memset(res, 0, sizeof *res);
}
