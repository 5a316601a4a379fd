/* scan.c - counting pass (see scan.h). A large file is split between threads
 * by its buffers (file order needs no merge): each part has its own reader and
 * its own table, and the parts are added up in file order at the end. */
#include <stdlib.h>

#include "platform.h"
#include "scan.h"

#define SCAN_MAX_THREADS 8
/* Below this size one thread does it: starting more costs more than it saves. */
#define SCAN_PARALLEL_MIN (32u * 1024u * 1024u)

static size_t slot_for(const etw_scan_result *res, const etw_guid *g, uint16_t id,
                       uint8_t opcode) {
    uint64_t h = 1469598103934665603ull;
    h = (h ^ g->data1) * 1099511628211ull;
    h = (h ^ ((uint64_t)g->data2 << 16 | g->data3)) * 1099511628211ull;
    h = (h ^ etw_le64(g->data4)) * 1099511628211ull;
    h = (h ^ ((uint64_t)id << 8 | opcode)) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29)) & (res->cap - 1);
}

static int grow(etw_scan_result *res) {
    size_t ncap = res->cap ? res->cap * 2 : 256, i;
    etw_scan_entry *old = res->entries;
    size_t oldcap = res->cap;
    etw_scan_entry *ne = (etw_scan_entry *)calloc(ncap, sizeof *ne);
    if (!ne) return ETW_ERR_NOMEM;
    res->entries = ne;
    res->cap = ncap;
    for (i = 0; i < oldcap; i++) {
        if (old[i].count) {
            size_t s = slot_for(res, &old[i].provider, old[i].id, old[i].opcode);
            while (ne[s].count) s = (s + 1) & (ncap - 1);
            ne[s] = old[i];
        }
    }
    free(old);
    return ETW_OK;
}

/* The entry of (provider, id, opcode), created (count 0) when new. Returns
 * NULL when out of memory. */
static etw_scan_entry *entry_for(etw_scan_result *res, const etw_guid *g, uint16_t id,
                                 uint8_t opcode, uint8_t kind) {
    size_t s;
    etw_scan_entry *e;
    if ((res->n + 1) * 4 > res->cap * 3 && grow(res) != ETW_OK) return NULL;
    s = slot_for(res, g, id, opcode);
    for (;;) {
        e = &res->entries[s];
        if (!e->count) break;
        if (e->id == id && e->opcode == opcode && etw_guid_eq(&e->provider, g)) return e;
        s = (s + 1) & (res->cap - 1);
    }
    e->provider = *g;
    e->id = id;
    e->opcode = opcode;
    e->kind = kind;
    res->n++;
    return e;
}

typedef struct scan_part {
    const char *path;
    int skip_errors;
    unsigned part, nparts;
    etw_scan_result res;
    int have_times;
    int64_t first_raw, last_raw; /* clock values of the first/last times (with have_times) */
    int rc;
    etw_error err;
} scan_part;

/* Counts one part's records into p->res; the outcome in p->rc / p->err. */
static void scan_part_run(void *arg) {
    scan_part *p = (scan_part *)arg;
    etw_scan_result *out = &p->res;
    etw_reader_options opt;
    etw_reader *r = NULL;
    const etw_record *rec;
    etw_scan_entry *last = NULL;
    int64_t first_raw = INT64_MAX, last_raw = INT64_MIN;
    int rc;
    memset(&opt, 0, sizeof opt);
    opt.order = ETW_ORDER_FILE;
    opt.skip_errors = p->skip_errors;
    opt.part = p->part;
    opt.nparts = p->nparts;
    rc = etw_reader_open(p->path, &opt, &r, &p->err);
    if (rc != ETW_OK) {
        p->rc = rc;
        return;
    }
    out->header = *etw_reader_header(r);
    etw_reader_set_raw_times(r, 1); /* only the first and last times are converted, at the end */
    if (grow(out) != ETW_OK) {
        rc = etw_error_set(&p->err, ETW_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    while ((rc = etw_reader_next(r, &rec, &p->err)) == 1) {
        etw_scan_entry *e = last;
        /* Runs of one event type are common: the last entry is tried first. */
        if (!e || e->id != rec->id || e->opcode != rec->opcode ||
            !etw_guid_eq(&e->provider, &rec->provider_id)) {
            e = entry_for(out, &rec->provider_id, rec->id, rec->opcode, rec->kind);
            if (!e) {
                rc = etw_error_set(&p->err, ETW_ERR_NOMEM, 0, "out of memory");
                goto done;
            }
            last = e;
        }
        e->count++;
        e->payload_bytes += rec->user_data_length;
        if (rec->kind < ETW_KIND_COUNT) out->kind_counts[rec->kind]++;
        if (rec->timestamp < first_raw) first_raw = rec->timestamp;
        if (rec->timestamp > last_raw) last_raw = rec->timestamp;
    }
    if (first_raw <= last_raw) {
        int64_t ft;
        etw_reader_convert_time(r, first_raw, &ft, &out->first_time_ns);
        etw_reader_convert_time(r, last_raw, &ft, &out->last_time_ns);
        p->first_raw = first_raw;
        p->last_raw = last_raw;
        p->have_times = 1;
    }
done:
    etw_reader_get_stats(r, &out->stats);
    etw_reader_close(r);
    p->rc = rc < 0 ? rc : ETW_OK;
}

/* Adds part src into dst (dst's table already allocated). Returns ETW_OK or
 * ETW_ERR_NOMEM. */
static int add_part(etw_scan_result *dst, int *dst_times, int64_t *dst_raw,
                    const scan_part *src) {
    const etw_scan_result *s = &src->res;
    for (size_t i = 0; i < s->cap; i++) {
        const etw_scan_entry *se = &s->entries[i];
        etw_scan_entry *e;
        if (!se->count) continue;
        e = entry_for(dst, &se->provider, se->id, se->opcode, se->kind);
        if (!e) return ETW_ERR_NOMEM;
        e->count += se->count;
        e->payload_bytes += se->payload_bytes;
    }
    for (int k = 0; k < ETW_KIND_COUNT; k++) dst->kind_counts[k] += s->kind_counts[k];
    dst->stats.events += s->stats.events;
    dst->stats.buffers += s->stats.buffers;
    dst->stats.bytes += s->stats.bytes;
    dst->stats.skipped += s->stats.skipped;
    dst->stats.skipped_bytes += s->stats.skipped_bytes;
    dst->stats.opaque_records += s->stats.opaque_records;
    dst->stats.compressed_buffers += s->stats.compressed_buffers;
    dst->stats.lost_flag_buffers += s->stats.lost_flag_buffers;
    if (src->have_times) {
        /* Chosen by the raw clock values, as one pass does (the conversion of
         * a damaged, extreme value need not keep the order). */
        if (!*dst_times || src->first_raw < dst_raw[0]) {
            dst_raw[0] = src->first_raw;
            dst->first_time_ns = s->first_time_ns;
        }
        if (!*dst_times || src->last_raw > dst_raw[1]) {
            dst_raw[1] = src->last_raw;
            dst->last_time_ns = s->last_time_ns;
        }
        *dst_times = 1;
    }
    return ETW_OK;
}

static unsigned threads_for(const char *path, unsigned threads) {
    etw_file *f = NULL;
    uint64_t size = 0;
    if (threads == 0) {
        unsigned cpus = etw_cpu_count();
        threads = cpus < 4 ? cpus : 4;
        if (threads > 1) {
            if (etw_file_open(path, &f, NULL) != ETW_OK) return 1; /* the reader says why */
            if (etw_file_size(f, &size, NULL) != ETW_OK) size = 0;
            etw_file_close(f);
            if (size < SCAN_PARALLEL_MIN) threads = 1;
        }
    }
    if (threads < 1) threads = 1;
    return threads > SCAN_MAX_THREADS ? SCAN_MAX_THREADS : threads;
}

int etw_scan_file_threads(const char *path, int skip_errors, unsigned threads,
                          etw_scan_result *out, etw_error *err) {
    scan_part *parts;
    etw_thread *th[SCAN_MAX_THREADS];
    unsigned n = threads_for(path, threads), started = 0, upto;
    int rc = ETW_OK, have_times = 0;
    int64_t raw[2] = {0, 0};
    memset(out, 0, sizeof *out);
    parts = (scan_part *)calloc(n, sizeof *parts);
    if (!parts) return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
    for (unsigned i = 0; i < n; i++) {
        parts[i].path = path;
        parts[i].skip_errors = skip_errors;
        parts[i].part = i;
        parts[i].nparts = n;
    }
    for (unsigned i = 1; i < n; i++) {
        if (etw_thread_start(&th[started], scan_part_run, &parts[i]) == ETW_OK)
            started++;
        else
            scan_part_run(&parts[i]); /* no thread: done here */
    }
    scan_part_run(&parts[0]);
    for (unsigned i = 0; i < started; i++) etw_thread_join(th[i]);
    /* Parts in file order, up to and including the first that failed: what a
     * single pass would have counted before it stopped. */
    for (upto = 0; upto + 1 < n && parts[upto].rc == ETW_OK; upto++) {}
    out->header = parts[0].res.header;
    if (grow(out) != ETW_OK) {
        rc = etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    for (unsigned i = 0; i <= upto; i++) {
        if (add_part(out, &have_times, raw, &parts[i]) != ETW_OK) {
            rc = etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
            goto done;
        }
    }
    if (parts[upto].rc != ETW_OK) {
        rc = parts[upto].rc;
        if (err) *err = parts[upto].err;
    }
done:
    for (unsigned i = 0; i < n; i++) etw_scan_result_free(&parts[i].res);
    free(parts);
    return rc;
}

int etw_scan_file(const char *path, int skip_errors, etw_scan_result *out, etw_error *err) {
    return etw_scan_file_threads(path, skip_errors, 1, out, err);
}

void etw_scan_result_free(etw_scan_result *res) {
    free(res->entries);
    res->entries = NULL;
    res->n = res->cap = 0;
}
