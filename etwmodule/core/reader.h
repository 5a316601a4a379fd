/* reader.h - the portable .etl file reader: walks buffers by their own size,
 * inflates compressed ones, parses every record into an etw_record, converts
 * timestamps with the trace's clock and merges the per-CPU buffers into time
 * order as ProcessTrace does. Memory is bounded by the buffers whose time
 * ranges overlap (about one per CPU), never by the file size. */
#ifndef ETW_READER_H
#define ETW_READER_H

#include "logfile.h"

typedef enum etw_order { ETW_ORDER_TIME = 0, ETW_ORDER_FILE = 1 } etw_order;

typedef struct etw_reader_options {
    etw_order order;
    int skip_errors; /* 1: skip bad buffers/records and count them; 0: stop with an error */
    /* 1: open for the header and the buffer count only (no first-record index, one
     * small read per buffer even when compressed); etw_reader_next then fails. */
    int header_only;
    /* File order only: walk the part-th (0-based) of nparts equal shares of the
     * buffers (nparts 0 or 1: all of them), for one pass split between threads.
     * Only part 0 delivers the logfile header and counts what the buffer index
     * met (empty buffers, damage between buffers); only the last part reports a
     * cut or damaged tail. The parts' records and stats add up to one pass's. */
    unsigned part, nparts;
} etw_reader_options;

typedef struct etw_reader_stats {
    uint64_t events;          /* records delivered */
    uint64_t buffers;         /* buffers walked */
    uint64_t bytes;           /* file bytes of the buffers walked */
    uint64_t skipped;         /* damaged places skipped (errors="skip") */
    uint64_t skipped_bytes;   /* bytes of records/buffers not delivered because of damage */
    uint64_t opaque_records;  /* records of header types without a layout (skipped by size) */
    uint64_t compressed_buffers;
    uint64_t lost_flag_buffers; /* buffers flagged EVENTS_LOST or BUFFER_LOST */
} etw_reader_stats;

typedef struct etw_reader etw_reader;

/* Opens path, reads the logfile header and indexes the buffers (a small read
 * per buffer). Returns ETW_OK, ETW_ERR_IO, ETW_ERR_NOMEM or ETW_ERR_FORMAT
 * (not an .etl file, header unreadable); err tells where. */
int etw_reader_open(const char *path, const etw_reader_options *opt, etw_reader **out,
                    etw_error *err);

/* The logfile header (valid until close). Never fails. */
const etw_logfile_header *etw_reader_header(const etw_reader *r);

/* Next record in the chosen order. *rec stays valid until the next call.
 * Returns 1 with a record, 0 at the end, or a negative ETW_ERR_* with err
 * filled (strict mode: damage; any mode: I/O or memory failure). With
 * skip_errors, damage is counted in the stats and reading goes on; a file
 * truncated inside its last buffer is reported after every complete record
 * before the cut was delivered (as ETW_ERR_TRUNCATED in strict mode). */
int etw_reader_next(etw_reader *r, const etw_record **rec, etw_error *err);

/* Statistics so far. Never fails. */
void etw_reader_get_stats(const etw_reader *r, etw_reader_stats *out);

/* With on != 0, records come with filetime/time_ns left at 0: for callers
 * that convert only a few timestamps themselves (etw_reader_convert_time).
 * Never fails. */
void etw_reader_set_raw_times(etw_reader *r, int on);

/* FILETIME and Unix ns of a raw timestamp of this trace. Never fails. */
void etw_reader_convert_time(const etw_reader *r, int64_t ts, int64_t *filetime,
                             int64_t *unix_ns);

/* Number of buffers found by the index. Never fails. */
size_t etw_reader_buffer_count(const etw_reader *r);

void etw_reader_close(etw_reader *r);

#endif /* ETW_READER_H */
