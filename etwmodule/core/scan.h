/* scan.h - a C-only pass over a file: counts per (provider, id, opcode)
 * without building any event object. File order (counts need no merge), so
 * a large file's buffers can be split between threads. */
#ifndef ETW_SCAN_H
#define ETW_SCAN_H

#include "reader.h"

typedef struct etw_scan_entry {
    etw_guid provider;
    uint16_t id;
    uint8_t opcode;
    uint8_t kind;
    uint64_t count;
    uint64_t payload_bytes;
} etw_scan_entry;

typedef struct etw_scan_result {
    etw_scan_entry *entries; /* open-addressing table of `cap` slots, `n` used */
    size_t n, cap;
    etw_reader_stats stats;
    etw_logfile_header header;
    int64_t first_time_ns, last_time_ns;
    uint64_t kind_counts[ETW_KIND_COUNT];
} etw_scan_result;

/* Scans path. Returns ETW_OK, or an ETW_ERR_* code with err filled (the
 * result then holds the counts up to the problem and must still be freed). */
int etw_scan_file(const char *path, int skip_errors, etw_scan_result *out, etw_error *err);

/* As etw_scan_file, with the file's buffers split between `threads` threads
 * (0: as many as there are CPUs, at most 4, for files of 32 MiB or more; one
 * otherwise). The result is the same as one pass's, errors included: parts
 * after the first that fails are not counted. Returns as etw_scan_file. */
int etw_scan_file_threads(const char *path, int skip_errors, unsigned threads,
                          etw_scan_result *out, etw_error *err);

void etw_scan_result_free(etw_scan_result *res);

#endif /* ETW_SCAN_H */
