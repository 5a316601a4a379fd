/* fuzz_reader.c - libFuzzer harness: the input is a whole .etl file. It is
 * written to a temporary file (the reader takes a path; the core API is used
 * as is) and read four ways:
 *   A. file order, strict    B. file order, errors skipped
 *   C. time order, skipped (every record also copied into a batch)
 *   D. etw_scan_file, strict
 *   E. etw_scan_file_threads split in 3 parts, strict and skipped: the same
 *      outcome as one pass (code, error offset, stats, counts, kinds, times)
 * Checks, for any bytes: no crash or sanitizer report; every record passes
 * fuzz_check_record; a strict error is a format/truncation error whose offset
 * lies inside the file; with skip_errors reading never fails once the file is
 * open; strict file order delivers a prefix of what skip delivers (damage
 * stops, never changes, what came before); time order delivers exactly the
 * same records as file order (the merge loses and invents nothing); the
 * header record comes first; stats.events counts the deliveries. */
#define _POSIX_C_SOURCE 200809L
#include "batch.h"
#include "fuzz_tmpfile.h"
#include "fuzz_record_check.h"
#include "reader.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static etw_batch *batch;

typedef struct fp_list {
    uint64_t *v;
    size_t n, cap;
} fp_list;

FUZZ_NOCOV static void fp_push(fp_list *l, uint64_t h) {
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 256;
        uint64_t *nv = (uint64_t *)realloc(l->v, ncap * sizeof *nv);
        FUZZ_CHECK(nv != NULL);
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = h;
}

FUZZ_NOCOV static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_tmp_create("reader");
    batch = etw_batch_new(ETW_BATCH_RECORDS, ETW_BATCH_DATA);
    FUZZ_CHECK(batch != NULL);
    return 0;
}

/* Reads the whole file in one mode. Returns the final code (0 or an error)
 * and appends the fingerprints to out. */
static int read_all(size_t size, etw_order order, int skip, fp_list *out, int use_batch) {
    etw_reader_options opt;
    etw_reader *r = NULL;
    etw_reader_stats st;
    etw_error err;
    const etw_record *rec;
    uint64_t delivered = 0;
    int rc;
    memset(&opt, 0, sizeof opt);
    opt.order = order;
    opt.skip_errors = skip;
    memset(&err, 0, sizeof err);
    rc = etw_reader_open(fuzz_tmp_path, &opt, &r, &err);
    if (rc != ETW_OK) {
        FUZZ_CHECK(r == NULL);
        FUZZ_CHECK(rc == ETW_ERR_FORMAT && err.code == ETW_ERR_FORMAT);
        FUZZ_CHECK(err.offset <= size);
        return rc;
    }
    FUZZ_CHECK(etw_reader_header(r) != NULL);
    if (use_batch) {
        batch->count = batch->ext_used = 0;
        batch->data_used = 0;
    }
    while ((rc = etw_reader_next(r, &rec, &err)) == 1) {
        uint64_t h = fuzz_check_record(rec);
        FUZZ_CHECK(rec->file_offset < size);
        FUZZ_CHECK(rec->pointer_size == 4 || rec->pointer_size == 8);
        if (delivered == 0) FUZZ_CHECK(rec->kind == ETW_KIND_HEADER);
        if (use_batch) {
            if (!etw_batch_append(batch, rec)) {
                batch->count = batch->ext_used = 0;
                batch->data_used = 0;
                FUZZ_CHECK(etw_batch_append(batch, rec));
            }
            FUZZ_CHECK(fuzz_check_record(&batch->records[batch->count - 1]) == h);
        }
        fp_push(out, h);
        delivered++;
    }
    etw_reader_get_stats(r, &st);
    FUZZ_CHECK(st.events == delivered);
    if (rc < 0) {
        /* A damaged file yields a format or truncation error naming an offset
         * inside the file; with skip_errors, damage never ends the reading. */
        FUZZ_CHECK(!skip);
        FUZZ_CHECK(rc == err.code);
        FUZZ_CHECK(rc == ETW_ERR_FORMAT || rc == ETW_ERR_TRUNCATED);
        FUZZ_CHECK(err.offset < size);
        FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
    } else {
        FUZZ_CHECK(rc == 0);
        /* The end is sticky. */
        FUZZ_CHECK(etw_reader_next(r, &rec, &err) == 0);
    }
    etw_reader_close(r);
    return rc;
}

/* A header-only open agrees with a full one: both open or neither, with the
 * same header and buffer count; reading records from it is refused. */
static void header_only_agrees(void) {
    etw_reader_options opt;
    etw_reader *full = NULL, *head = NULL;
    etw_error e1, e2;
    const etw_record *rec;
    int r1, r2;
    memset(&opt, 0, sizeof opt);
    memset(&e1, 0, sizeof e1);
    memset(&e2, 0, sizeof e2);
    opt.order = ETW_ORDER_FILE;
    r1 = etw_reader_open(fuzz_tmp_path, &opt, &full, &e1);
    opt.header_only = 1;
    r2 = etw_reader_open(fuzz_tmp_path, &opt, &head, &e2);
    FUZZ_CHECK((r1 == ETW_OK) == (r2 == ETW_OK));
    if (r1 == ETW_OK && r2 == ETW_OK) {
        const etw_logfile_header *a = etw_reader_header(full), *b = etw_reader_header(head);
        FUZZ_CHECK(a->buffer_size == b->buffer_size && a->pointer_size == b->pointer_size &&
                   a->start_time == b->start_time && a->perf_freq == b->perf_freq &&
                   a->clock_type == b->clock_type && a->t0 == b->t0 &&
                   memcmp(a->logger_name, b->logger_name, sizeof a->logger_name) == 0);
        FUZZ_CHECK(etw_reader_buffer_count(full) == etw_reader_buffer_count(head));
        FUZZ_CHECK(etw_reader_next(head, &rec, &e2) == ETW_ERR_ARG);
    }
    etw_reader_close(full);
    etw_reader_close(head);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fp_list strict_file = {0}, skip_file = {0}, skip_time = {0};
    int rca, rcb, rcc;
    size_t i;
    fuzz_tmp_write(data, size);
    rca = read_all(size, ETW_ORDER_FILE, 0, &strict_file, 0);
    rcb = read_all(size, ETW_ORDER_FILE, 1, &skip_file, 0);
    rcc = read_all(size, ETW_ORDER_TIME, 1, &skip_time, 1);
    header_only_agrees();
    /* Both skipping readers index the same buffers, so they open alike. */
    FUZZ_CHECK(rcb == rcc);
    FUZZ_CHECK(strict_file.n <= skip_file.n);
    for (i = 0; i < strict_file.n; i++) FUZZ_CHECK(strict_file.v[i] == skip_file.v[i]);
    FUZZ_CHECK(skip_time.n == skip_file.n);
    if (skip_time.n) {
        qsort(skip_time.v, skip_time.n, sizeof(uint64_t), cmp_u64);
        qsort(skip_file.v, skip_file.n, sizeof(uint64_t), cmp_u64);
        FUZZ_CHECK(memcmp(skip_time.v, skip_file.v, skip_file.n * sizeof(uint64_t)) == 0);
    }
    {
        etw_scan_result res;
        etw_error err;
        memset(&err, 0, sizeof err);
        if (etw_scan_file(fuzz_tmp_path, 0, &res, &err) == ETW_OK) {
            FUZZ_CHECK(rca == 0);
            FUZZ_CHECK(res.stats.events == strict_file.n);
        } else {
            FUZZ_CHECK(err.code == ETW_ERR_FORMAT || err.code == ETW_ERR_TRUNCATED);
            FUZZ_CHECK(res.stats.events == strict_file.n);
        }
        etw_scan_result_free(&res);
    }
    for (int skip = 0; skip < 2; skip++) {
        etw_scan_result one, split;
        etw_error e1, e3;
        int r1, r3;
        memset(&e1, 0, sizeof e1);
        memset(&e3, 0, sizeof e3);
        r1 = etw_scan_file_threads(fuzz_tmp_path, skip, 1, &one, &e1);
        r3 = etw_scan_file_threads(fuzz_tmp_path, skip, 3, &split, &e3);
        FUZZ_CHECK(r1 == r3);
        if (r1 != ETW_OK) FUZZ_CHECK(e1.code == e3.code && e1.offset == e3.offset);
        if (r1 == ETW_OK || r1 == ETW_ERR_FORMAT || r1 == ETW_ERR_TRUNCATED) {
            FUZZ_CHECK(memcmp(&one.stats, &split.stats, sizeof one.stats) == 0);
            FUZZ_CHECK(one.n == split.n);
            FUZZ_CHECK(memcmp(one.kind_counts, split.kind_counts, sizeof one.kind_counts) == 0);
            if (one.stats.events) {
                FUZZ_CHECK(one.first_time_ns == split.first_time_ns);
                FUZZ_CHECK(one.last_time_ns == split.last_time_ns);
            }
            for (size_t k = 0; k < one.cap; k++) {
                const etw_scan_entry *a = &one.entries[k];
                uint64_t found = 0;
                if (!a->count) continue;
                for (size_t j = 0; j < split.cap; j++) {
                    const etw_scan_entry *b = &split.entries[j];
                    if (b->count && b->id == a->id && b->opcode == a->opcode &&
                        etw_guid_eq(&b->provider, &a->provider)) {
                        FUZZ_CHECK(b->payload_bytes == a->payload_bytes);
                        found = b->count;
                    }
                }
                FUZZ_CHECK(found == a->count);
            }
        }
        etw_scan_result_free(&one);
        etw_scan_result_free(&split);
    }
    free(strict_file.v);
    free(skip_file.v);
    free(skip_time.v);
    return 0;
}
