/* fuzz_record.c - libFuzzer harness: the input is one buffer image as it is
 * stored in a file (0x48-byte WMI_BUFFER_HEADER, then records). A buffer
 * flagged compressed (0x40 at +0x34) is inflated first, as the reader does.
 * Every record is parsed with etw_record_parse, checked, copied into a batch
 * (the copy must be identical) and, when it is a logfile header, parsed as
 * one; the walk may end only where the records end (etw_record_check_end).
 * Inputs shorter than a buffer header are a bare record area. */
#include "batch.h"
#include "fuzz_logfile_check.h"
#include "fuzz_record_check.h"
#include "lz77.h"

#define BUFHDR 0x48u
#define MAX_INFLATED (1u << 20) /* the harness's cap; the reader allows 64 MiB */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static etw_batch *batch;

/* Builds the record area to walk: an exact-size heap copy of the (inflated)
 * buffer; its records end at Offset@0x30 (*end) as the reader cuts them, and
 * *cap bytes are present (an uncompressed buffer keeps its bytes after
 * Offset, which etw_record_check_end looks at). */
static uint8_t *buffer_image(const uint8_t *data, size_t size, size_t *end, size_t *start,
                             size_t *cap_out) {
    uint32_t filled;
    if (size < BUFHDR) {
        *start = 0;
        *end = *cap_out = size;
        return fuzz_dup(data, size);
    }
    *start = BUFHDR;
    filled = etw_le32(data + 0x30);
    if (etw_le16(data + 0x34) & 0x0040) {
        size_t cap = filled < BUFHDR ? BUFHDR : filled > MAX_INFLATED ? MAX_INFLATED : filled;
        size_t produced = 0;
        uint8_t *tmp = (uint8_t *)malloc(cap), *img;
        int rc;
        FUZZ_CHECK(tmp != NULL);
        memcpy(tmp, data, BUFHDR);
        rc = etw_lz77_decompress(data + BUFHDR, size - BUFHDR, tmp + BUFHDR, cap - BUFHDR,
                                 &produced);
        FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_FORMAT);
        FUZZ_CHECK(produced <= cap - BUFHDR);
        *end = *cap_out = BUFHDR + produced;
        img = fuzz_dup(tmp, *end);
        free(tmp);
        return img;
    }
    *end = filled < size ? filled : size;
    if (*end < BUFHDR) *end = BUFHDR;
    *cap_out = size;
    return fuzz_dup(data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t end, pos, cap;
    uint8_t *img = buffer_image(data, size, &end, &pos, &cap);
    etw_ext_item ext[ETW_MAX_EXT_ITEMS];
    unsigned records = 0;
    if (!batch) {
        batch = etw_batch_new(ETW_BATCH_RECORDS, ETW_BATCH_DATA);
        FUZZ_CHECK(batch != NULL);
    }
    batch->count = batch->ext_used = 0;
    batch->data_used = 0;
    for (;;) {
        etw_record rec;
        etw_error err;
        uint32_t sz = 0;
        int rc;
        memset(&err, 0, sizeof err);
        rc = etw_record_parse(img, pos, end, &rec, ext, &sz, &err);
        if (rc == 0) {
            /* The walk ends only where the records end: an end marker earlier
             * is a format error; what lies after the end is looked at within
             * the image only, and a record there is reported at its place. */
            FUZZ_CHECK(pos >= end || end - pos < ETW_RECORD_SLACK);
            rc = etw_record_check_end(img, pos, cap, &err);
            FUZZ_CHECK(rc == 0 || (rc == ETW_ERR_FORMAT && err.offset == pos));
            break;
        }
        if (rc < 0) {
            FUZZ_CHECK(rc == ETW_ERR_FORMAT && err.code == ETW_ERR_FORMAT);
            FUZZ_CHECK(err.offset >= pos && err.offset <= end);
            FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
            break;
        }
        FUZZ_CHECK(rc == 1 || rc == 2);
        FUZZ_CHECK(sz >= 8 && sz <= end - pos);
        FUZZ_CHECK(rec.raw_size == sz);
        if (rc == 1) {
            uint64_t h;
            FUZZ_CHECK(rec.raw == img + pos && rec.buffer_pos == pos);
            h = fuzz_check_record(&rec);
            if (!etw_batch_append(batch, &rec)) {
                batch->count = batch->ext_used = 0;
                batch->data_used = 0;
                FUZZ_CHECK(etw_batch_append(batch, &rec)); /* an empty batch takes any record */
            }
            /* The copy in the batch owns its bytes and is the same record. */
            FUZZ_CHECK(fuzz_check_record(&batch->records[batch->count - 1]) == h);
            if (rec.kind == ETW_KIND_HEADER) fuzz_check_logfile(&rec);
            records++;
        }
        pos += ETW_ALIGN8((size_t)sz);
    }
    (void)records;
    free(img);
    return 0;
}
