/* fuzz_columns.c - libFuzzer harness: the input is a whole .etl file, written
 * to a temporary file and read by the columnar pass (columns.c) with every
 * column, in both orders, with errors strict and skipped, by the reader engine
 * and by the automatic one (the parallel engine over buffer ranges on 1 to 4
 * threads, falling back to the reader where it must). The first input byte
 * picks the thread count; the rest is the file.
 * Checks, for any bytes: no crash or sanitizer report (threads included);
 * both engines give the same return code, error offset, rows, row order and
 * column bytes, and the same statistics; the rows of every chunk add up to the
 * result's count; every type index lies inside the type table, and the types'
 * counts add up to the rows. */
#define _POSIX_C_SOURCE 200809L
#include "columns.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_tmp_create("columns");
    return 0;
}

/* What one pass gave: its code, error offset, rows and a hash of every
 * column's bytes in row order (chunks in order), and its statistics. */
typedef struct outcome {
    int rc;
    uint64_t err_offset;
    uint64_t rows;
    uint64_t hash;
    etw_reader_stats stats;
    int parallel;
} outcome;

FUZZ_NOCOV static uint64_t hash_result(const etw_cols_result *res) {
    uint64_t h = 1469598103934665603ull, rows = 0;
    for (int k = 0; k < ETW_COL_COUNT; k++) {
        if (!(res->columns & (1u << k))) continue;
        h = fuzz_hash(h, &k, sizeof k);
        for (size_t c = 0; c < res->nchunks; c++) {
            const etw_cols_chunk *ch = &res->chunks[c];
            if (k == ETW_COL_PAYLOAD) {
                const int64_t *off = (const int64_t *)ch->col[k].data;
                FUZZ_CHECK(ch->rows == 0 || ch->col[k].len == (ch->rows + 1) * 8);
                for (uint64_t r = 0; r < ch->rows; r++) {
                    uint64_t len;
                    FUZZ_CHECK(off[r] >= 0 && off[r + 1] >= off[r]);
                    FUZZ_CHECK((uint64_t)off[r + 1] <= ch->payload_data.len);
                    len = (uint64_t)(off[r + 1] - off[r]);
                    h = fuzz_hash(h, &len, sizeof len);
                    h = fuzz_hash(h, ch->payload_data.data + off[r], (size_t)len);
                }
            } else if (k == ETW_COL_TYPE) {
                /* Type indices differ between engines only by numbering: hash
                 * what they point at. */
                const int32_t *t = (const int32_t *)ch->col[k].data;
                FUZZ_CHECK(ch->col[k].len == ch->rows * 4);
                for (uint64_t r = 0; r < ch->rows; r++) {
                    const etw_cols_type *ty;
                    FUZZ_CHECK(t[r] >= 0 && (size_t)t[r] < res->ntypes);
                    ty = &res->types[t[r]];
                    h = fuzz_hash(h, &ty->provider, sizeof ty->provider);
                    h = fuzz_hash(h, &ty->id, sizeof ty->id);
                    h = fuzz_hash(h, &ty->version, 1);
                    h = fuzz_hash(h, &ty->opcode, 1);
                    h = fuzz_hash(h, &ty->kind, 1);
                }
            } else {
                FUZZ_CHECK(ch->col[k].len == ch->rows * etw_col_width((etw_col)k));
                h = fuzz_hash(h, ch->col[k].data, ch->col[k].len);
            }
        }
    }
    for (size_t c = 0; c < res->nchunks; c++) rows += res->chunks[c].rows;
    FUZZ_CHECK(rows == res->rows);
    if (res->columns & (1u << ETW_COL_TYPE)) {
        uint64_t counted = 0;
        for (size_t t = 0; t < res->ntypes; t++) counted += res->types[t].count;
        FUZZ_CHECK(counted == res->rows);
    }
    return h;
}

static outcome run(etw_order order, int skip, etw_cols_engine engine, unsigned threads) {
    etw_cols_options opt;
    etw_cols_result res;
    etw_error err;
    outcome o;
    memset(&opt, 0, sizeof opt);
    memset(&err, 0, sizeof err);
    memset(&o, 0, sizeof o);
    opt.order = order;
    opt.skip_errors = skip;
    opt.threads = threads;
    opt.engine = engine;
    opt.columns = (1u << ETW_COL_COUNT) - 1;
    o.rc = etw_cols_run(fuzz_tmp_path, &opt, &res, &err);
    if (o.rc != ETW_OK) {
        FUZZ_CHECK(o.rc == ETW_ERR_FORMAT || o.rc == ETW_ERR_TRUNCATED);
        FUZZ_CHECK(err.code == o.rc);
        FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
        o.err_offset = err.offset;
    }
    o.rows = res.rows;
    o.hash = hash_result(&res);
    o.stats = res.stats;
    o.parallel = res.parallel;
    etw_cols_result_free(&res);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned threads;
    if (size < 1) return 0;
    threads = 1u + (data[0] & 3u);
    fuzz_tmp_write(data + 1, size - 1);
    for (int order = 0; order < 2; order++) {
        for (int skip = 0; skip < 2; skip++) {
            etw_order ord = order ? ETW_ORDER_TIME : ETW_ORDER_FILE;
            outcome a = run(ord, skip, ETW_ENGINE_READER, 1);
            outcome b = run(ord, skip, ETW_ENGINE_AUTO, threads);
            FUZZ_CHECK(!a.parallel);
            FUZZ_CHECK(a.rc == b.rc);
            FUZZ_CHECK(a.err_offset == b.err_offset);
            FUZZ_CHECK(a.rows == b.rows);
            FUZZ_CHECK(a.hash == b.hash);
            FUZZ_CHECK(memcmp(&a.stats, &b.stats, sizeof a.stats) == 0);
            /* With errors skipped, a file that opens is never an error. */
            if (skip) FUZZ_CHECK(a.rc == ETW_OK || a.rows == 0);
        }
    }
    return 0;
}
