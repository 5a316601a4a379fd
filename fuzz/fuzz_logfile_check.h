/* fuzz_logfile_check.h - drives etw_logfile_parse, the clock built from it
 * and the timestamp conversion on one header record, checking what must hold
 * for any bytes (names terminated, conversions free of undefined behaviour,
 * which UBSan reports). */
#ifndef ETW_FUZZ_LOGFILE_CHECK_H
#define ETW_FUZZ_LOGFILE_CHECK_H

#include "fuzz_util.h"
#include "logfile.h"

static inline void fuzz_check_logfile(const etw_record *rec) {
    etw_logfile_header hdr;
    etw_clock clk;
    etw_error err;
    int64_t ft, ns;
    size_t i;
    static const int64_t probes[] = {0, 1, -1, INT64_MAX, INT64_MIN, 10000000, -10000000};
    memset(&err, 0, sizeof err);
    if (etw_logfile_parse(rec, &hdr, &err) != ETW_OK) {
        FUZZ_CHECK(err.code == ETW_ERR_FORMAT);
        FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
        return;
    }
    FUZZ_CHECK(memchr(hdr.logger_name, 0, sizeof hdr.logger_name) != NULL);
    FUZZ_CHECK(memchr(hdr.log_file_name, 0, sizeof hdr.log_file_name) != NULL);
    FUZZ_CHECK(hdr.tz_standard_name[31] == 0 && hdr.tz_daylight_name[31] == 0);
    FUZZ_CHECK(hdr.header_pointer_size == rec->pointer_size);
    if (etw_clock_init(&clk, &hdr, &err) != ETW_OK) {
        FUZZ_CHECK(err.code == ETW_ERR_FORMAT);
        return;
    }
    FUZZ_CHECK(clk.system_time || clk.freq > 0);
    etw_clock_convert(&clk, hdr.t0, &ft, &ns);
    /* The header's own timestamp converts to the start time exactly (7.6). */
    if (!clk.system_time) FUZZ_CHECK(ft == hdr.start_time);
    for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        etw_clock_convert(&clk, probes[i], &ft, &ns);
        etw_clock_convert(&clk, (int64_t)((uint64_t)hdr.t0 + (uint64_t)probes[i]), &ft, &ns);
    }
}

#endif /* ETW_FUZZ_LOGFILE_CHECK_H */
