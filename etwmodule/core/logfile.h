/* logfile.h - the TRACE_LOGFILE_HEADER that opens every .etl file, and the
 * session clock it defines (etl-format.md 1.8, 1.9, 7.6). */
#ifndef ETW_LOGFILE_H
#define ETW_LOGFILE_H

#include "record.h"

typedef struct etw_logfile_header {
    uint32_t buffer_size;
    uint8_t os_major, os_minor, format_major, format_minor; /* Version bytes 0..3 */
    uint32_t provider_version;                              /* OS build number */
    uint32_t cpu_count;
    int64_t end_time;                                       /* FILETIME */
    uint32_t timer_resolution;                              /* 100 ns units */
    uint32_t max_file_size;                                 /* MB */
    uint32_t log_file_mode;
    uint32_t buffers_written;
    uint32_t pointer_size;
    uint32_t events_lost;
    uint32_t cpu_speed_mhz;
    int32_t tz_bias;                                        /* minutes, UTC = local + bias */
    int32_t tz_standard_bias;
    int32_t tz_daylight_bias;
    uint16_t tz_standard_name[32];                          /* UTF-16, NUL padded */
    uint16_t tz_daylight_name[32];
    int64_t boot_time;                                      /* FILETIME */
    int64_t perf_freq;
    int64_t start_time;                                     /* FILETIME */
    uint32_t clock_type;                                    /* ReservedFlags */
    uint32_t buffers_lost;
    int64_t t0;                       /* raw timestamp of the header record */
    uint8_t header_pointer_size;      /* from the header record's type (4/8) */
    uint16_t logger_name[256];        /* UTF-16, NUL terminated (truncated if longer) */
    uint16_t log_file_name[512];
} etw_logfile_header;

/* Parses the header record (a SYSTEM32/64 record of group 0 type 0).
 * Returns ETW_OK, or ETW_ERR_FORMAT when the record is not a logfile header
 * or its payload is too short. */
int etw_logfile_parse(const etw_record *rec, etw_logfile_header *hdr, etw_error *err);

/* Conversion of raw timestamps to UTC. */
typedef struct etw_clock {
    int64_t start_time; /* FILETIME matching t0 */
    int64_t t0;
    int64_t freq;       /* ticks per second; 0 for system time */
    int system_time;    /* clock type 2: timestamps are FILETIMEs */
} etw_clock;

/* Builds the clock of the header (QPC/raw: perf_freq, CPU cycles: MHz).
 * Returns ETW_OK or ETW_ERR_FORMAT when no usable frequency is known. */
int etw_clock_init(etw_clock *clk, const etw_logfile_header *hdr, etw_error *err);

/* FILETIME and Unix ns of raw timestamp ts (truncating, 7.6). No error. */
void etw_clock_convert(const etw_clock *clk, int64_t ts, int64_t *filetime, int64_t *unix_ns);

#define ETW_FILETIME_UNIX_EPOCH 116444736000000000LL

#endif /* ETW_LOGFILE_H */
