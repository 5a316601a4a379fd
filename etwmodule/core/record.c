/* record.c - turns the bytes of one record, whatever its header type, into
 * the normalized etw_record (etl-format.md 2.1-2.10). Every size is checked
 * against the end of the buffer's record area before it is used. */
#include "record.h"

/* Kernel group -> event class GUID (etl-format.md 2.9). */
static const struct {
    uint8_t group;
    etw_guid guid;
} kernel_groups[] = {
    {0x00, {0x68fdd900, 0x4a3e, 0x11d1, {0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3}}},
    {0x01, {0x3d6fa8d4, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}},
    {0x02, {0x3d6fa8d3, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}},
    {0x03, {0x3d6fa8d0, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}},
    {0x04, {0x90cbdc39, 0x4a3e, 0x11d1, {0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3}}},
    {0x05, {0x3d6fa8d1, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}},
    {0x06, {0x9a280ac0, 0xc8e0, 0x11d1, {0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2}}},
    {0x07, {0x3282fc76, 0xfeed, 0x498e, {0x8a, 0xa7, 0xe7, 0x0f, 0x45, 0x9d, 0x43, 0x0e}}},
    {0x08, {0xbf3a50c5, 0xa9c9, 0x4988, {0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80}}},
    {0x09, {0xae53722e, 0xc863, 0x11d2, {0x86, 0x59, 0x00, 0xc0, 0x4f, 0xa3, 0x21, 0xa1}}},
    {0x0A, {0x13976d09, 0xa327, 0x438c, {0x95, 0x0b, 0x7f, 0x03, 0x19, 0x28, 0x15, 0xc7}}},
    {0x0B, {0x01853a65, 0x418f, 0x4f36, {0xae, 0xfc, 0xdc, 0x0f, 0x1d, 0x2f, 0xd2, 0x35}}},
    {0x0C, {0x99134383, 0x5248, 0x43fc, {0x83, 0x4b, 0x52, 0x94, 0x54, 0xe7, 0x5d, 0xf3}}},
    {0x0D, {0x42695762, 0xea50, 0x497a, {0x90, 0x68, 0x5c, 0xbb, 0xb3, 0x5e, 0x0b, 0x95}}},
    {0x0E, {0x0268a8b6, 0x74fd, 0x4302, {0x9d, 0xd0, 0x6e, 0x8f, 0x17, 0x95, 0xc0, 0xcf}}},
    {0x0F, {0xce1dbfb4, 0x137e, 0x4da6, {0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc}}},
    {0x10, {0x222962ab, 0x6180, 0x4b88, {0xa8, 0x25, 0x34, 0x6b, 0x75, 0xf2, 0xa2, 0x4a}}},
    {0x11, {0x89497f50, 0xeffe, 0x4440, {0x8c, 0xf2, 0xce, 0x6b, 0x1c, 0xdc, 0xac, 0xa7}}},
    {0x12, {0xe43445e0, 0x0903, 0x48c3, {0xb8, 0x78, 0xff, 0x0f, 0xcc, 0xeb, 0xdd, 0x04}}},
    {0x13, {0xa9152f00, 0x3f58, 0x4bee, {0x92, 0xa1, 0x70, 0xc7, 0xd0, 0x79, 0xd5, 0xdd}}},
    {0x14, {0x2cb15d1d, 0x5fc1, 0x11d2, {0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18}}},
    {0x15, {0xb2d14872, 0x7c5b, 0x463d, {0x84, 0x19, 0xee, 0x9b, 0xf7, 0xd2, 0x3e, 0x04}}},
    {0x16, {0x7687a439, 0xf752, 0x45b8, {0xb7, 0x41, 0x32, 0x1a, 0xec, 0x0f, 0x8d, 0xf9}}},
    {0x17, {0x3ac66736, 0xcc59, 0x4cff, {0x81, 0x15, 0x8d, 0xf5, 0x0e, 0x39, 0x81, 0x6b}}},
    {0x18, {0xdef2fe46, 0x7bd6, 0x4b80, {0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3}}},
    {0x19, {0x9aec974b, 0x5b8e, 0x4118, {0x9b, 0x92, 0x31, 0x86, 0xd8, 0x00, 0x2c, 0xe5}}},
    {0x1A, {0x45d8cccd, 0x539f, 0x4b72, {0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a}}},
    {0x1B, {0xd837ca92, 0x12b9, 0x44a5, {0xad, 0x6a, 0x3a, 0x65, 0xb3, 0x57, 0x8a, 0xa8}}},
    {0x1C, {0xc861d0e2, 0xa2c1, 0x4d36, {0x9f, 0x9c, 0x97, 0x0b, 0xab, 0x94, 0x3a, 0x12}}},
    {0x1D, {0x7f2a405c, 0x69b5, 0x4bf9, {0xa1, 0xf5, 0x30, 0xe8, 0xf1, 0xaf, 0xab, 0x5e}}},
    {0x1E, {0x2ce9a149, 0xeffe, 0x42f0, {0xa6, 0x35, 0xa1, 0xd3, 0x9e, 0x26, 0xc8, 0xf2}}},
};

int etw_kernel_group_guid(uint8_t group, uint8_t type, etw_guid *out) {
    /* Image Load is logged in the Process group (HookId 0x030A). */
    if (group == 0x03 && type == 0x0A) group = 0x14;
    if (group < sizeof kernel_groups / sizeof kernel_groups[0]) {
        *out = kernel_groups[group].guid;
        return 1;
    }
    memset(out, 0, sizeof *out);
    return 0;
}

/* A struct copy of a zero record: compilers emit plain vector stores for it,
 * where memset of this size becomes `rep stos`, slow to start (it was a third
 * of the parse time). */
const etw_ext_item *etw_record_find_ext(const etw_record *rec, uint16_t type) {
    for (uint16_t i = 0; i < rec->ext_count; i++)
        if (rec->ext[i].type == type) return &rec->ext[i];
    return NULL;
}

static void clear_record(etw_record *rec) {
    static const etw_record zero;
    *rec = zero;
}

/* SYSTEM / COMPACT / PERFINFO headers (etl-format.md 2.2). */
static int parse_kernel(const uint8_t *p, size_t avail, uint8_t ht, etw_record *rec,
                        etw_ext_item *ext, uint32_t *size, size_t pos, etw_error *err) {
    size_t fixed;
    uint16_t ver = etw_le16(p);
    uint32_t sz = etw_le16(p + 4);
    int perfinfo = (ht == ETW_HT_PERFINFO32 || ht == ETW_HT_PERFINFO64);
    int compact = (ht == ETW_HT_COMPACT32 || ht == ETW_HT_COMPACT64);
    size_t extras = ((ver & 0x8000) ? 8u : 0u) + 8u * ((ver >> 8) & 7u);
    unsigned n = 0;

    fixed = perfinfo ? 0x10 : compact ? 0x18 : 0x20;
    if (sz < fixed + extras || sz > avail)
        return etw_error_set(err, ETW_ERR_FORMAT, pos,
                             "kernel record size %u invalid (header type %u)", sz, ht);
    rec->header_type = ht;
    rec->pointer_size = (ht == ETW_HT_SYSTEM32 || ht == ETW_HT_COMPACT32 ||
                         ht == ETW_HT_PERFINFO32) ? 4 : 8;
    rec->raw_version = ver;
    rec->version = (uint8_t)(ver & 0xFF);
    rec->opcode = p[6];
    rec->group = p[7];
    etw_kernel_group_guid(p[7], p[6], &rec->provider_id);
    if (perfinfo) {
        rec->thread_id = 0xFFFFFFFFu;
        rec->process_id = 0xFFFFFFFFu;
        rec->timestamp = (int64_t)etw_le64(p + 8);
    } else {
        rec->thread_id = etw_le32(p + 8);
        rec->process_id = etw_le32(p + 12);
        rec->timestamp = (int64_t)etw_le64(p + 16);
        if (!compact) {
            rec->kernel_time = etw_le32(p + 24);
            rec->user_time = etw_le32(p + 28);
        }
    }
    rec->flags = (uint16_t)(ETW_EHF_CLASSIC_HEADER |
                            (rec->pointer_size == 4 ? ETW_EHF_32_BIT_HEADER
                                                    : ETW_EHF_64_BIT_HEADER));
    /* PEBS index first, then PMC counters (etl-format.md 2.2, order assumed). */
    if (ver & 0x8000) {
        ext[n].type = ETW_EXT_PEBS_INDEX;
        ext[n].size = 8;
        ext[n].data = p + fixed;
        n++;
    }
    if ((ver >> 8) & 7u) {
        ext[n].type = ETW_EXT_PMC_COUNTERS;
        ext[n].size = (uint16_t)(8u * ((ver >> 8) & 7u));
        ext[n].data = p + fixed + ((ver & 0x8000) ? 8 : 0);
        n++;
    }
    rec->ext_count = (uint16_t)n;
    rec->kind = (p[7] == 0 && p[6] == 0 && !perfinfo) ? ETW_KIND_HEADER : ETW_KIND_KERNEL;
    rec->user_data = p + fixed + extras;
    rec->user_data_length = (uint32_t)(sz - fixed - extras);
    *size = sz;
    return 1;
}

/* EVENT_TRACE_HEADER and EVENT_INSTANCE_GUID_HEADER (etl-format.md 2.3). */
static int parse_classic(const uint8_t *p, size_t avail, uint8_t ht, etw_record *rec,
                         etw_ext_item *ext, uint32_t *size, size_t pos, etw_error *err) {
    int instance = (ht == ETW_HT_INSTANCE32 || ht == ETW_HT_INSTANCE64);
    size_t fixed = instance ? 0x48 : 0x30;
    uint32_t sz = etw_le16(p);
    if (sz < fixed || sz > avail)
        return etw_error_set(err, ETW_ERR_FORMAT, pos,
                             "classic record size %u invalid (header type %u)", sz, ht);
    rec->header_type = ht;
    rec->pointer_size = (ht == ETW_HT_FULL32 || ht == ETW_HT_INSTANCE32) ? 4 : 8;
    rec->opcode = p[4];
    rec->level = p[5];
    rec->raw_version = etw_le16(p + 6);
    rec->version = (uint8_t)rec->raw_version;
    rec->thread_id = etw_le32(p + 8);
    rec->process_id = etw_le32(p + 12);
    rec->timestamp = (int64_t)etw_le64(p + 16);
    rec->provider_id = etw_guid_load(p + 24);
    rec->kernel_time = etw_le32(p + 40);
    rec->user_time = etw_le32(p + 44);
    rec->flags = (uint16_t)(ETW_EHF_CLASSIC_HEADER |
                            (rec->pointer_size == 4 ? ETW_EHF_32_BIT_HEADER
                                                    : ETW_EHF_64_BIT_HEADER));
    if (instance) {
        /* InstanceId, ParentInstanceId, ParentGuid: the INSTANCE_INFO item layout. */
        ext[0].type = ETW_EXT_INSTANCE_INFO;
        ext[0].size = 24;
        ext[0].data = p + 0x30;
        rec->ext_count = 1;
    }
    rec->kind = ETW_KIND_CLASSIC;
    rec->user_data = p + fixed;
    rec->user_data_length = (uint32_t)(sz - fixed);
    *size = sz;
    return 1;
}

/* EVENT_HEADER with its extended items (etl-format.md 2.4, 2.5). */
static int parse_event(const uint8_t *p, size_t avail, uint8_t ht, etw_record *rec,
                       etw_ext_item *ext, uint32_t *size, size_t pos, etw_error *err) {
    uint32_t sz = etw_le16(p);
    size_t off = 0x50;
    unsigned n = 0;
    int has_tl = 0;
    if (sz < 0x50 || sz > avail)
        return etw_error_set(err, ETW_ERR_FORMAT, pos,
                             "event record size %u invalid (header type %u)", sz, ht);
    rec->header_type = ht;
    rec->pointer_size = ht == ETW_HT_EVENT32 ? 4 : 8;
    rec->flags = etw_le16(p + 4);
    rec->event_property = etw_le16(p + 6);
    rec->thread_id = etw_le32(p + 8);
    rec->process_id = etw_le32(p + 12);
    rec->timestamp = (int64_t)etw_le64(p + 16);
    rec->provider_id = etw_guid_load(p + 24);
    rec->id = etw_le16(p + 0x28);
    rec->version = p[0x2A];
    rec->raw_version = p[0x2A];
    rec->channel = p[0x2B];
    rec->level = p[0x2C];
    rec->opcode = p[0x2D];
    rec->task = etw_le16(p + 0x2E);
    rec->keyword = etw_le64(p + 0x30);
    rec->kernel_time = etw_le32(p + 0x38);
    rec->user_time = etw_le32(p + 0x3C);
    rec->activity_id = etw_guid_load(p + 0x40);
    if (rec->flags & ETW_EHF_EXTENDED_INFO) {
        for (;;) {
            uint16_t item_size, type, linkage, data_size;
            if (off + 8 > sz)
                return etw_error_set(err, ETW_ERR_FORMAT, pos + off,
                                     "extended item header runs past the record");
            item_size = etw_le16(p + off);
            type = etw_le16(p + off + 2);
            linkage = etw_le16(p + off + 4);
            data_size = etw_le16(p + off + 6);
            if (item_size < 8u + data_size || off + item_size > sz)
                return etw_error_set(err, ETW_ERR_FORMAT, pos + off,
                                     "extended item size %u (data %u) invalid", item_size,
                                     data_size);
            if (n >= ETW_MAX_EXT_ITEMS)
                return etw_error_set(err, ETW_ERR_FORMAT, pos + off,
                                     "more than %d extended items", ETW_MAX_EXT_ITEMS);
            ext[n].type = type;
            ext[n].size = data_size;
            ext[n].data = p + off + 8;
            if (type == ETW_EXT_EVENT_SCHEMA_TL) has_tl = 1;
            n++;
            off += item_size;
            if (!(linkage & 1)) break;
        }
    }
    rec->ext_count = (uint16_t)n;
    rec->kind = (rec->flags & ETW_EHF_TRACE_MESSAGE) ? ETW_KIND_WPP
                : has_tl                             ? ETW_KIND_TRACELOGGING
                                                     : ETW_KIND_MANIFEST;
    rec->user_data = p + off;
    rec->user_data_length = (uint32_t)(sz - off);
    *size = sz;
    return 1;
}

/* MESSAGE_TRACE_HEADER, WPP (etl-format.md 2.7). Optional items in flag order. */
static int parse_wpp(const uint8_t *p, size_t avail, etw_record *rec, uint32_t *size,
                     size_t pos, etw_error *err) {
    uint32_t sz = etw_le16(p);
    uint16_t fl = etw_le16(p + 6);
    size_t off = 8;
    if (sz < 8 || sz > avail)
        return etw_error_set(err, ETW_ERR_FORMAT, pos, "WPP record size %u invalid", sz);
    rec->header_type = ETW_HT_MESSAGE;
    rec->id = etw_le16(p + 4);
    rec->wpp_flags = fl;
    rec->thread_id = 0xFFFFFFFFu;
    rec->process_id = 0xFFFFFFFFu;
#define NEED(n)                                                                        \
    do {                                                                               \
        if (off + (n) > sz)                                                            \
            return etw_error_set(err, ETW_ERR_FORMAT, pos,                             \
                                 "WPP record of %u bytes too short for flags 0x%x", sz, \
                                 fl);                                                  \
    } while (0)
    if (fl & 0x0001) { NEED(4); rec->wpp_sequence = etw_le32(p + off); off += 4; }
    if (fl & 0x0002) { NEED(16); rec->provider_id = etw_guid_load(p + off); off += 16; }
    if (fl & 0x0004) { NEED(4); rec->wpp_component = etw_le32(p + off); off += 4; }
    if (fl & 0x0008) { NEED(8); rec->timestamp = (int64_t)etw_le64(p + off); off += 8; }
    if (fl & 0x0020) {
        NEED(8);
        rec->thread_id = etw_le32(p + off);
        rec->process_id = etw_le32(p + off + 4);
        off += 8;
    }
#undef NEED
    rec->pointer_size = (fl & 0x0040) ? 4 : (fl & 0x0080) ? 8 : 0;
    rec->flags = (uint16_t)(ETW_EHF_TRACE_MESSAGE |
                            (rec->pointer_size == 4   ? ETW_EHF_32_BIT_HEADER
                             : rec->pointer_size == 8 ? ETW_EHF_64_BIT_HEADER
                                                      : 0));
    rec->kind = ETW_KIND_WPP;
    rec->user_data = p + off;
    rec->user_data_length = (uint32_t)(sz - off);
    *size = sz;
    return 1;
}

int etw_record_parse(const uint8_t *buf, size_t pos, size_t end, etw_record *rec,
                     etw_ext_item *ext, uint32_t *size, etw_error *err) {
    const uint8_t *p = buf + pos;
    size_t avail;
    uint32_t marker;
    int rc;

    if (pos >= end || end - pos < 4) return 0;
    marker = etw_le32(p);
    if (marker == 0xFFFFFFFFu || marker == 0) {
        /* [issue 3] Real buffers end their records exactly at Offset@0x30 (all
         * 1,492 buffers of the corpus: no byte left, or the last record's
         * padding past an unaligned Offset). An end marker with a whole
         * aligned slot (8 bytes) or more before the end means the records
         * after it were lost (a damaged Size, zeroed records, a wrong Offset):
         * damage, not the end. Fewer bytes are alignment slack. */
        if (end - pos >= ETW_RECORD_SLACK)
            return etw_error_set(err, ETW_ERR_FORMAT, pos,
                                 "end marker 0x%08x at position %zu, %zu bytes before the "
                                 "end of the records (%zu)",
                                 marker, pos, end - pos, end);
        return 0;
    }
    avail = end - pos;
    clear_record(rec);
    rec->ext = ext;
    rec->raw = p;
    rec->buffer_pos = (uint32_t)pos;

    if (p[3] == 0x90) {
        if (avail < 8) return etw_error_set(err, ETW_ERR_FORMAT, pos, "truncated WPP header");
        rc = parse_wpp(p, avail, rec, size, pos, err);
    } else if (p[3] == 0xC0) {
        uint8_t ht = p[2];
        switch (ht) {
        case ETW_HT_SYSTEM32: case ETW_HT_SYSTEM64:
        case ETW_HT_COMPACT32: case ETW_HT_COMPACT64:
        case ETW_HT_PERFINFO32: case ETW_HT_PERFINFO64:
            if (avail < 0x10)
                return etw_error_set(err, ETW_ERR_FORMAT, pos, "truncated kernel header");
            rc = parse_kernel(p, avail, ht, rec, ext, size, pos, err);
            break;
        case ETW_HT_FULL32: case ETW_HT_FULL64:
        case ETW_HT_INSTANCE32: case ETW_HT_INSTANCE64:
            if (avail < 0x30)
                return etw_error_set(err, ETW_ERR_FORMAT, pos, "truncated classic header");
            rc = parse_classic(p, avail, ht, rec, ext, size, pos, err);
            break;
        case ETW_HT_EVENT32: case ETW_HT_EVENT64:
            if (avail < 0x50)
                return etw_error_set(err, ETW_ERR_FORMAT, pos, "truncated event header");
            rc = parse_event(p, avail, ht, rec, ext, size, pos, err);
            break;
        case ETW_HT_TIMED: case ETW_HT_ERROR: case ETW_HT_WNODE: case ETW_HT_MESSAGE: {
            /* No public layout: skipped by the size at +0 and counted (2.8). */
            uint32_t sz = etw_le16(p);
            if (sz < 8 || sz > avail)
                return etw_error_set(err, ETW_ERR_FORMAT, pos,
                                     "opaque record (header type %u) size %u invalid", ht, sz);
            rec->header_type = ht;
            rec->raw_size = sz;
            *size = sz;
            return 2;
        }
        default:
            return etw_error_set(err, ETW_ERR_FORMAT, pos, "unknown header type %u", ht);
        }
    } else {
        return etw_error_set(err, ETW_ERR_FORMAT, pos, "unknown record marker 0x%08x",
                             marker);
    }
    if (rc == 1) rec->raw_size = *size;
    return rc;
}

int etw_record_check_end(const uint8_t *buf, size_t pos, size_t cap, etw_error *err) {
    etw_record rec;
    etw_ext_item ext[ETW_MAX_EXT_ITEMS];
    etw_error e;
    uint32_t size = 0, marker;
    if (pos >= cap || cap - pos < 8) return 0;
    marker = etw_le32(buf + pos);
    if (marker == 0xFFFFFFFFu || marker == 0) return 0;
    /* [issue 3] Every buffer of the corpus has an end marker (the 0xFF fill, or
     * zeros in header buffers) where its walk ends. */
    if (etw_record_parse(buf, pos, cap, &rec, ext, &size, &e) <= 0) return 0;
    return etw_error_set(err, ETW_ERR_FORMAT, pos,
                         "a record at position %zu lies past the end of the records "
                         "(Offset@0x30 too small)",
                         pos);
}

void etw_record_place(etw_record *rec, const etw_buffer_place *where, int64_t *last_ts) {
    rec->processor = where->cpu;
    rec->logger_id = where->logger_id;
    /* As ProcessTrace reports them: the pointer-size flag of the header type
     * and PROCESSOR_INDEX (BufferContext holds a processor index). */
    rec->flags |= ETW_EHF_PROCESSOR_INDEX;
    if (rec->header_type == ETW_HT_EVENT64) rec->flags |= ETW_EHF_64_BIT_HEADER;
    if (rec->header_type == ETW_HT_EVENT32) rec->flags |= ETW_EHF_32_BIT_HEADER;
    rec->file_offset = where->offset;
    if (rec->pointer_size == 0) rec->pointer_size = where->header_pointer_size;
    if (rec->kind == ETW_KIND_WPP && rec->header_type == ETW_HT_MESSAGE &&
        !(rec->wpp_flags & 0x0008))
        rec->timestamp = *last_ts; /* no timestamp of its own */
    *last_ts = rec->timestamp;
}
