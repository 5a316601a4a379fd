/* schema_tei.c - TRACE_EVENT_INFO and EVENT_MAP_INFO blobs -> etw_schema /
 * etw_map. These are the self-relative structures TDH returns on Windows
 * (TdhGetEventInformation / TdhGetEventMapInformation) and that merged
 * traces carry as EventMetadata records (etl-format.md 6 and 7.9), so the
 * same parser serves injected schemas, the Windows TDH source and exported
 * schema packs. Layouts from the Windows SDK tdh.h, restated in
 * etl-format.md 6; every offset is checked against the blob. */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

enum {
    TEI_FIXED = 0x70,  /* TRACE_EVENT_INFO up to EventPropertyInfoArray */
    EPI_SIZE = 24,     /* EVENT_PROPERTY_INFO */
    EMI_FIXED = 16,    /* EVENT_MAP_INFO up to MapEntryArray */
    EME_SIZE = 8       /* EVENT_MAP_ENTRY */
};

/* Number of UTF-16 code units of the NUL-terminated string at off (bounded
 * by the blob); sets *ok = 0 when off is outside the blob. */
static size_t str16_units(const uint8_t *blob, size_t len, size_t off, int *ok) {
    size_t i;
    if (off >= len || off + 2 > len) {
        *ok = 0;
        return 0;
    }
    for (i = off; i + 1 < len; i += 2)
        if (blob[i] == 0 && blob[i + 1] == 0)
            break;
    return (i - off) / 2;
}

/* Handle of the UTF-16Z string at off (0 when off is 0: absent). Returns
 * >= 0, ETW_ERR_FORMAT (offset outside the blob) or ETW_ERR_NOMEM. */
static long get_str(etw_schema_builder *b, const uint8_t *blob, size_t len, uint32_t off,
                    int trim) {
    int ok = 1;
    size_t units;
    if (off == 0)
        return 0;
    units = str16_units(blob, len, off, &ok);
    if (!ok)
        return ETW_ERR_FORMAT;
    return etw_sb_str16(b, blob + off, units, trim);
}

#define FAIL(...)                                                                  \
    do {                                                                           \
        etw_error_set(err, ETW_ERR_FORMAT, 0, __VA_ARGS__);                        \
        *rc = ETW_ERR_FORMAT;                                                      \
        goto out;                                                                  \
    } while (0)

#define STR(dst, off, trim, what)                                                  \
    do {                                                                           \
        long h_ = get_str(b, blob, len, (off), (trim));                            \
        if (h_ == ETW_ERR_NOMEM) {                                                 \
            *rc = ETW_ERR_NOMEM;                                                   \
            goto out;                                                              \
        }                                                                          \
        if (h_ < 0)                                                                \
            FAIL("%s offset %u outside the %zu-byte blob", (what), (unsigned)(off), len); \
        (dst) = ETW_SB_H(h_);                                                      \
    } while (0)

etw_schema *etw_schema_from_tei(const uint8_t *blob, size_t len, int *rc, etw_error *err) {
    etw_schema_builder *b = NULL;
    etw_schema hdr, *result = NULL;
    uint32_t nprops, ntop, i, kw_off;

    *rc = ETW_OK;
    memset(&hdr, 0, sizeof hdr);
    if (!blob || len < TEI_FIXED)
        FAIL("TRACE_EVENT_INFO of %zu bytes (< %d)", len, TEI_FIXED);
    b = etw_sb_new();
    if (!b) {
        *rc = ETW_ERR_NOMEM;
        goto out;
    }
    hdr.provider_id = etw_guid_load(blob);
    hdr.event_guid = etw_guid_load(blob + 16);
    hdr.id = etw_le16(blob + 32);
    hdr.version = blob[34];
    hdr.channel = blob[35];
    hdr.level = blob[36];
    hdr.opcode = blob[37];
    hdr.task = etw_le16(blob + 38);
    hdr.keyword = etw_le64(blob + 40);
    hdr.decoding_source = etw_le32(blob + 48);
    STR(hdr.provider_name, etw_le32(blob + 52), 1, "ProviderName");
    STR(hdr.level_name, etw_le32(blob + 56), 1, "LevelName");
    STR(hdr.channel_name, etw_le32(blob + 60), 1, "ChannelName");
    kw_off = etw_le32(blob + 64);
    STR(hdr.task_name, etw_le32(blob + 68), 1, "TaskName");
    STR(hdr.opcode_name, etw_le32(blob + 72), 1, "OpcodeName");
    STR(hdr.event_message, etw_le32(blob + 76), 0, "EventMessage");
    STR(hdr.provider_message, etw_le32(blob + 80), 0, "ProviderMessage");
    /* 84 BinaryXMLOffset, 88 BinaryXMLSize: not needed. 92 is EventNameOffset
     * (ActivityIDNameOffset in older SDKs); 96 EventAttributesOffset. */
    STR(hdr.event_name, etw_le32(blob + 92), 1, "EventName");
    nprops = etw_le32(blob + 100);
    ntop = etw_le32(blob + 104);
    hdr.template_flags = etw_le32(blob + 108);

    /* Keyword names: UTF-16Z strings one after the other, ended by an empty one. */
    if (kw_off) {
        size_t off = kw_off;
        int n = 0;
        while (n < 64) {
            int ok = 1;
            size_t units = str16_units(blob, len, off, &ok);
            long h;
            if (!ok)
                FAIL("KeywordsName offset %u outside the blob", (unsigned)kw_off);
            if (units == 0)
                break;
            h = etw_sb_str16(b, blob + off, units, 1);
            if (h < 0 || etw_sb_keyword(b, h)) {
                *rc = ETW_ERR_NOMEM;
                goto out;
            }
            off += 2 * units + 2;
            n++;
        }
    }

    if (nprops > ETW_SCHEMA_MAX_PROPS || ntop > nprops)
        FAIL("PropertyCount %u / TopLevelPropertyCount %u invalid", (unsigned)nprops,
             (unsigned)ntop);
    if ((size_t)TEI_FIXED + (size_t)nprops * EPI_SIZE > len)
        FAIL("%u properties do not fit the %zu-byte blob", (unsigned)nprops, len);
    for (i = 0; i < nprops; i++) {
        const uint8_t *e = blob + TEI_FIXED + (size_t)i * EPI_SIZE;
        etw_prop p;
        memset(&p, 0, sizeof p);
        p.flags = etw_le32(e) & 0xFF;
        STR(p.name, etw_le32(e + 4), 0, "property NameOffset");
        if (p.flags & ETW_PROP_STRUCT) {
            p.struct_start = etw_le16(e + 8);
            p.struct_count = etw_le16(e + 10);
        } else {
            p.in_type = etw_le16(e + 8);
            p.out_type = etw_le16(e + 10);
            /* With PropertyHasCustomSchema the u32 at 12 is a CustomSchemaOffset. */
            if (!(p.flags & ETW_PROP_CUSTOM_SCHEMA))
                STR(p.map_name, etw_le32(e + 12), 1, "MapNameOffset");
        }
        p.count = etw_le16(e + 16);
        p.length = etw_le16(e + 18);
        if (p.flags & ETW_PROP_HAS_TAGS)
            p.tags = etw_le32(e + 20) & 0x0FFFFFFF;
        if (etw_sb_prop(b, &p) < 0) {
            *rc = ETW_ERR_NOMEM;
            goto out;
        }
    }
    hdr.top_count = (uint16_t)ntop;
    hdr.source = ETW_SRC_TEI;
    hdr.key_kind = hdr.decoding_source == 1 ? ETW_KEY_CLASSIC : ETW_KEY_MANIFEST;
    result = etw_sb_finish(b, &hdr, rc, err);
out:
    etw_sb_free(b);
    return result;
}

etw_map *etw_map_from_emi(const etw_guid *provider, const uint8_t *blob, size_t len, int *rc,
                          etw_error *err) {
    etw_schema_builder *b = NULL;
    etw_map_entry *entries = NULL;
    etw_map hdr, *result = NULL;
    uint32_t i, count, flags, vtype;

    *rc = ETW_OK;
    memset(&hdr, 0, sizeof hdr);
    if (!blob || len < EMI_FIXED)
        FAIL("EVENT_MAP_INFO of %zu bytes (< %d)", len, EMI_FIXED);
    b = etw_sb_new();
    if (!b) {
        *rc = ETW_ERR_NOMEM;
        goto out;
    }
    hdr.provider_id = *provider;
    hdr.source = ETW_SRC_TEI;
    STR(hdr.name, etw_le32(blob), 1, "map NameOffset");
    flags = etw_le32(blob + 4);
    count = etw_le32(blob + 8);
    vtype = etw_le32(blob + 12); /* MapEntryValueType, or FormatStringOffset (pattern maps) */
    hdr.flags = flags;
    if (count > (len - EMI_FIXED) / EME_SIZE)
        FAIL("%u map entries do not fit the %zu-byte blob", (unsigned)count, len);
    if (flags & ETW_MAP_MANIFEST_PATTERNMAP)
        STR(hdr.format, vtype, 0, "map FormatStringOffset");
    entries = (etw_map_entry *)calloc(count ? count : 1, sizeof *entries);
    if (!entries) {
        *rc = ETW_ERR_NOMEM;
        goto out;
    }
    for (i = 0; i < count; i++) {
        const uint8_t *e = blob + EMI_FIXED + (size_t)i * EME_SIZE;
        STR(entries[i].name, etw_le32(e), 1, "map OutputOffset");
        if ((flags & ETW_MAP_MANIFEST_PATTERNMAP) || vtype == 1 /* EVENTMAP_ENTRY_VALUETYPE_STRING */)
            STR(entries[i].input, etw_le32(e + 4), 1, "map InputOffset");
        else
            entries[i].value = etw_le32(e + 4);
    }
    result = etw_sb_finish_map(b, &hdr, entries, count);
    if (!result)
        *rc = ETW_ERR_NOMEM;
out:
    free(entries);
    etw_sb_free(b);
    return result;
}
