/* fuzz_logfile.c - libFuzzer harness for etw_logfile_parse and the clock.
 * Input: byte 0 chooses the header type (SYSTEM32/64, COMPACT32/64) and, with
 * bit 2, a record that is not a logfile header; bytes 1..8 are the raw
 * timestamp of the record; the rest is the TRACE_LOGFILE_HEADER payload
 * (exact-size heap copy, so ASan sees any read past it). */
#include "fuzz_logfile_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t types[4] = {ETW_HT_SYSTEM32, ETW_HT_SYSTEM64, ETW_HT_COMPACT32,
                                     ETW_HT_COMPACT64};
    etw_record rec;
    uint8_t *payload;
    if (size < 9) return 0;
    memset(&rec, 0, sizeof rec);
    rec.header_type = types[data[0] & 3];
    rec.pointer_size = (data[0] & 1) ? 8 : 4;
    rec.kind = (data[0] & 4) ? ETW_KIND_KERNEL : ETW_KIND_HEADER;
    rec.timestamp = (int64_t)etw_le64(data + 1);
    payload = fuzz_dup(data + 9, size - 9);
    rec.user_data = payload;
    rec.user_data_length = (uint32_t)(size - 9);
    rec.raw = payload;
    rec.raw_size = rec.user_data_length;
    fuzz_check_logfile(&rec);
    free(payload);
    return 0;
}
