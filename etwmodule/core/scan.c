/* scan.c - counting pass (see scan.h). */
#include <stdlib.h>

#include "scan.h"

static size_t slot_of(const etw_scan_result *res, const etw_record *rec) {
    const etw_guid *g = &rec->provider_id;
    uint64_t h = 1469598103934665603ull;
    h = (h ^ g->data1) * 1099511628211ull;
    h = (h ^ ((uint64_t)g->data2 << 16 | g->data3)) * 1099511628211ull;
    h = (h ^ etw_le64(g->data4)) * 1099511628211ull;
    h = (h ^ ((uint64_t)rec->id << 8 | rec->opcode)) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29)) & (res->cap - 1);
}

static int same(const etw_scan_entry *e, const etw_record *rec) {
    return e->count && e->id == rec->id && e->opcode == rec->opcode &&
           etw_guid_eq(&e->provider, &rec->provider_id);
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
            etw_record probe;
            size_t s;
            memset(&probe, 0, sizeof probe);
            probe.provider_id = old[i].provider;
            probe.id = old[i].id;
            probe.opcode = old[i].opcode;
            s = slot_of(res, &probe);
            while (ne[s].count) s = (s + 1) & (ncap - 1);
            ne[s] = old[i];
        }
    }
    free(old);
    return ETW_OK;
}

int etw_scan_file(const char *path, int skip_errors, etw_scan_result *out, etw_error *err) {
    etw_reader_options opt;
    etw_reader *r = NULL;
    const etw_record *rec;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&opt, 0, sizeof opt);
    opt.order = ETW_ORDER_FILE;
    opt.skip_errors = skip_errors;
    rc = etw_reader_open(path, &opt, &r, err);
    if (rc != ETW_OK) return rc;
    out->header = *etw_reader_header(r);
    etw_reader_set_raw_times(r, 1); /* only the first and last times are converted, at the end */
    {
        int64_t first_raw = INT64_MAX, last_raw = INT64_MIN;
    if (grow(out) != ETW_OK) {
        rc = etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
        goto done;
    }
    while ((rc = etw_reader_next(r, &rec, err)) == 1) {
        size_t s;
        if ((out->n + 1) * 4 > out->cap * 3 && grow(out) != ETW_OK) {
            rc = etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
            goto done;
        }
        s = slot_of(out, rec);
        while (out->entries[s].count && !same(&out->entries[s], rec))
            s = (s + 1) & (out->cap - 1);
        if (!out->entries[s].count) {
            out->entries[s].provider = rec->provider_id;
            out->entries[s].id = rec->id;
            out->entries[s].opcode = rec->opcode;
            out->entries[s].kind = rec->kind;
            out->n++;
        }
        out->entries[s].count++;
        out->entries[s].payload_bytes += rec->user_data_length;
        if (rec->kind < ETW_KIND_COUNT) out->kind_counts[rec->kind]++;
        if (rec->timestamp < first_raw) first_raw = rec->timestamp;
        if (rec->timestamp > last_raw) last_raw = rec->timestamp;
    }
    if (first_raw <= last_raw) {
        int64_t ft;
        etw_reader_convert_time(r, first_raw, &ft, &out->first_time_ns);
        etw_reader_convert_time(r, last_raw, &ft, &out->last_time_ns);
    }
    }
done:
    etw_reader_get_stats(r, &out->stats);
    etw_reader_close(r);
    return rc < 0 ? rc : ETW_OK;
}

void etw_scan_result_free(etw_scan_result *res) {
    free(res->entries);
    res->entries = NULL;
    res->n = res->cap = 0;
}
