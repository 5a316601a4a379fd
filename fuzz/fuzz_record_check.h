/* fuzz_record_check.h - invariants every parsed etw_record must satisfy,
 * whatever bytes it came from, and a fingerprint of it (used to compare the
 * records two reading modes deliver). */
#ifndef ETW_FUZZ_RECORD_CHECK_H
#define ETW_FUZZ_RECORD_CHECK_H

#include "fuzz_util.h"
#include "record.h"

FUZZ_NOCOV static inline int fuzz_inside(const uint8_t *p, size_t n, const uint8_t *base,
                                         size_t len) {
    return p >= base && p <= base + len && n <= (size_t)(base + len - p);
}

/* Checks rec (a record with a layout, etw_record_parse returned 1) and
 * returns its fingerprint. Every pointer of a parsed record points inside its
 * raw bytes (synthetic ext items of kernel/instance headers included). */
FUZZ_NOCOV static inline uint64_t fuzz_check_record(const etw_record *rec) {
    uint64_t h = 1469598103934665603ull;
    uint16_t i;
    FUZZ_CHECK(rec->raw != NULL);
    FUZZ_CHECK(rec->raw_size >= 8);
    FUZZ_CHECK(rec->kind < ETW_KIND_COUNT);
    FUZZ_CHECK(rec->ext_count <= ETW_MAX_EXT_ITEMS);
    FUZZ_CHECK(rec->ext_count == 0 || rec->ext != NULL);
    FUZZ_CHECK(rec->pointer_size == 0 || rec->pointer_size == 4 || rec->pointer_size == 8);
    FUZZ_CHECK(rec->user_data_length == 0 ||
               fuzz_inside(rec->user_data, rec->user_data_length, rec->raw, rec->raw_size));
    FUZZ_CHECK(rec->user_data_length <= rec->raw_size);
    /* The payload and the ext items lie inside raw: hashing raw reads them all. */
    h = fuzz_hash(h, rec->raw, rec->raw_size);
    h = fuzz_hash_u64(h, ((uint64_t)(rec->user_data - rec->raw) << 32) | rec->user_data_length);
    for (i = 0; i < rec->ext_count; i++) {
        const etw_ext_item *it = &rec->ext[i];
        FUZZ_CHECK(it->size == 0 || fuzz_inside(it->data, it->size, rec->raw, rec->raw_size));
        h = fuzz_hash_u64(h, ((uint64_t)(it->data - rec->raw) << 32) |
                                 ((uint64_t)it->type << 16) | it->size);
    }
    h = fuzz_hash_u64(h, (uint64_t)rec->timestamp);
    h = fuzz_hash_u64(h, (uint64_t)rec->time_ns);
    h = fuzz_hash_u64(h, (uint64_t)rec->filetime);
    h = fuzz_hash_u64(h, rec->file_offset);
    h = fuzz_hash_u64(h, rec->buffer_pos);
    h = fuzz_hash_u64(h, ((uint64_t)rec->kind << 32) | ((uint64_t)rec->header_type << 24) |
                             ((uint64_t)rec->pointer_size << 16) | rec->processor);
    h = fuzz_hash_u64(h, ((uint64_t)rec->flags << 32) | ((uint64_t)rec->id << 16) |
                             rec->opcode);
    h = fuzz_hash(h, &rec->provider_id, sizeof rec->provider_id);
    return h;
}

#endif /* ETW_FUZZ_RECORD_CHECK_H */
