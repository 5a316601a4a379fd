/* columns.h - columnar output: one pass over a file that fills typed column
 * buffers (one array per header field, Arrow-compatible layouts) for the
 * events that pass a filter, without building a record copy or any object
 * per event. The binding wraps the buffers into Arrow arrays (py/columns_py.c,
 * etw/arrow.py).
 *
 * Two engines give the same rows in the same order:
 *  - the reader engine: one etw_reader (any file, damaged ones included,
 *    with errors="skip" semantics), one thread;
 *  - the parallel engine, for files that walk cleanly: the buffers are split
 *    into contiguous ranges read by several threads, each filling its own
 *    chunk of columns in file order; time order is then a k-way merge of the
 *    per-buffer runs (records inside a buffer never go back in time,
 *    etl-format.md 7.7), which is exactly the order the reader's merge gives.
 *    Anything unusual (a buffer header or record that does not parse, a
 *    buffer going back in time, bytes after the last buffer) makes it give
 *    up before returning anything, and the reader engine runs instead, so
 *    damage is always handled (and reported) by the reader. */
#ifndef ETW_COLUMNS_H
#define ETW_COLUMNS_H

#include "atomics.h"
#include "inband.h"
#include "reader.h"
#include "schema.h"

/* Columns. Fixed-width ones hold `width` bytes per row in host byte order
 * (little-endian on every supported platform, as Arrow wants). */
typedef enum etw_col {
    ETW_COL_TIME = 0,          /* int64: ns since 1970-01-01 UTC */
    ETW_COL_FILETIME,          /* int64: 100 ns since 1601-01-01 UTC */
    ETW_COL_RAW_TIMESTAMP,     /* int64: clock value as stored */
    ETW_COL_PROVIDER_ID,       /* 16 bytes: GUID in RFC 4122 (big-endian) byte order */
    ETW_COL_ID,                /* uint16 */
    ETW_COL_VERSION,           /* uint8 */
    ETW_COL_CHANNEL,           /* uint8 */
    ETW_COL_LEVEL,             /* uint8 */
    ETW_COL_OPCODE,            /* uint8 */
    ETW_COL_TASK,              /* uint16 */
    ETW_COL_KEYWORD,           /* uint64 */
    ETW_COL_PID,               /* uint32 */
    ETW_COL_TID,               /* uint32 */
    ETW_COL_CPU,               /* uint16 */
    ETW_COL_KIND,              /* uint8: etw_kind */
    ETW_COL_POINTER_SIZE,      /* uint8 */
    ETW_COL_ACTIVITY_ID,       /* 16 bytes (all zero = none: the validity bitmap says so) */
    ETW_COL_RELATED_ACTIVITY_ID, /* 16 bytes, from the RELATED_ACTIVITYID item */
    ETW_COL_KERNEL_TIME,       /* uint32 */
    ETW_COL_USER_TIME,         /* uint32 */
    ETW_COL_FLAGS,             /* uint16 */
    ETW_COL_EVENT_PROPERTY,    /* uint16 */
    ETW_COL_HEADER_TYPE,       /* uint8 */
    ETW_COL_GROUP,             /* uint8 */
    ETW_COL_FILE_OFFSET,       /* uint64: offset of the record in the file (inflated position
                                  for compressed buffers, as Event.file_offset) */
    ETW_COL_TYPE,              /* int32: index into etw_cols_result.types */
    ETW_COL_PAYLOAD,           /* variable: int64 offsets (rows + 1) + data */
    ETW_COL_COUNT
} etw_col;

/* Bytes per row of a fixed-width column; never fails (0 for ETW_COL_PAYLOAD and
 * unknown columns). */
size_t etw_col_width(etw_col c);
/* Column name as used by the binding ("time", "provider_id", ...); never fails
 * ("" for an unknown column). */
const char *etw_col_name(etw_col c);

/* Row filter; every set part must match. Arrays are borrowed for the call. */
typedef struct etw_cols_filter {
    const etw_guid *providers; /* provider (class/message) GUIDs */
    size_t n_providers;
    const uint16_t *ids;       /* event ids (Event.id) */
    size_t n_ids;
    const uint32_t *pids;
    size_t n_pids;
    uint32_t kinds;            /* bit (1 << etw_kind); 0 = every kind */
    int has_start, has_end;
    int64_t start_ns, end_ns;  /* time range [start_ns, end_ns) in Unix ns */
} etw_cols_filter;

typedef enum etw_cols_engine {
    ETW_ENGINE_AUTO = 0,       /* parallel when the file allows it, else the reader */
    ETW_ENGINE_READER = 1,     /* always the reader */
    ETW_ENGINE_PARALLEL = 2    /* parallel or fail with ETW_ERR_ARG (tests) */
} etw_cols_engine;

/* Where column memory comes from. grow works like realloc (old may be NULL;
 * returns NULL on failure with old untouched), release frees a block of cap
 * bytes. The binding may map large columns with huge pages: faulting fresh
 * pages in is most of what filling a column costs. */
typedef struct etw_cols_alloc {
    void *(*grow)(void *old, size_t old_cap, size_t new_cap);
    void (*release)(void *p, size_t cap);
} etw_cols_alloc;

typedef struct etw_cols_options {
    etw_order order;
    int skip_errors;
    unsigned threads;          /* parallel engine: at most this many threads (>= 1) */
    etw_cols_engine engine;
    uint32_t columns;          /* bit (1 << etw_col) per wanted column */
    etw_cols_filter filter;
    /* Only records of buffers starting at a file offset in [range_lo, range_hi)
     * (range_hi 0 = to the end): splits a big file into independent parts. */
    uint64_t range_lo, range_hi;
    etw_registry *registry;    /* fed the EventMetadata records passed (may be NULL) */
    etw_inband *inband;        /* fed the EventSource manifest chunks, in file order
                                  (parallel engine) or delivery order (may be NULL) */
    etw_atomic_size *progress; /* bytes of buffers walked so far (may be NULL) */
    etw_atomic_int *cancel;    /* set to 1 by another thread: stop with ETW_ERR_STOPPED */
    const etw_cols_alloc *alloc; /* column memory (NULL: the C library's) */
} etw_cols_options;

/* A growable byte array; al is the allocator that owns data. */
typedef struct etw_colbuf {
    uint8_t *data;
    size_t len, cap;
    const etw_cols_alloc *al;
} etw_colbuf;

/* One chunk of rows: per column its bytes; the payload column has int64
 * offsets in col[ETW_COL_PAYLOAD] and its bytes in payload_data. valid[]
 * holds the validity bitmaps of the two activity-id columns (LSB first;
 * bit set = the id is not all zero), made by etw_cols_run. */
typedef struct etw_cols_chunk {
    uint64_t rows;
    etw_colbuf col[ETW_COL_COUNT];
    etw_colbuf payload_data;
    etw_colbuf valid_activity, valid_related;
    uint64_t null_activity, null_related; /* rows whose id is all zero */
} etw_cols_chunk;

/* One event type (ETW_COL_TYPE indexes these): what the schema lookup and
 * the names need, from the first record of the type. */
typedef struct etw_cols_type {
    etw_guid provider;
    uint16_t id;
    uint16_t task;
    uint16_t flags;            /* only ETW_EHF_STRING_ONLY is kept */
    uint8_t version, opcode, kind, level, channel;
    uint8_t *meta;             /* EVENT_SCHEMA_TL item (TraceLogging), malloc'd, or NULL */
    uint16_t meta_len;
    uint8_t *traits;           /* PROV_TRAITS item, malloc'd, or NULL */
    uint16_t traits_len;
    uint64_t count;            /* rows of this type */
} etw_cols_type;

typedef struct etw_cols_result {
    uint32_t columns;          /* the columns filled */
    uint64_t rows;             /* sum over the chunks */
    etw_cols_chunk *chunks;
    size_t nchunks;
    etw_cols_type *types;
    size_t ntypes;
    etw_reader_stats stats;    /* of the whole pass (all records, kept or not) */
    int parallel;              /* 1 when the parallel engine produced the rows */
    unsigned threads;          /* threads used */
    int64_t first_ns, last_ns; /* time range of the kept rows (when rows > 0) */
} etw_cols_result;

/* Reads path and fills *out (zeroed first). Returns ETW_OK; or an ETW_ERR_*
 * code with err filled (I/O, memory, format in strict mode: the rows up to
 * the problem are then in *out, as an iteration would have delivered them;
 * ETW_ERR_ARG for bad options or when ETW_ENGINE_PARALLEL cannot be used;
 * ETW_ERR_STOPPED when opt->cancel was set).
 * *out must be freed with etw_cols_result_free whatever the return. */
int etw_cols_run(const char *path, const etw_cols_options *opt, etw_cols_result *out,
                 etw_error *err);

/* Frees a buffer with its allocator (a buffer taken over by the caller is
 * freed this way too). Never fails. */
void etw_colbuf_free(etw_colbuf *b);

/* Frees what the result owns; buffers whose data pointer was set to NULL
 * (taken over by the caller) are skipped. Never fails. */
void etw_cols_result_free(etw_cols_result *res);

#endif /* ETW_COLUMNS_H */
