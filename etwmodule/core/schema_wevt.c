/* schema_wevt.c - compiled manifests: the "CRIM" blob mc.exe writes into the
 * WEVT_TEMPLATE resource of a provider's binary (etl-format.md 3b.2, whose
 * entry layouts were checked on the mc.exe output in the corpus, wevt/) ->
 * etw_schema per event and etw_map per value map / bitmap, plus the
 * MESSAGETABLE lookup that gives their texts.
 *
 * Every offset in the blob is relative to the CRIM header and is checked
 * against the blob's size before it is read. Elements are recognised by
 * their 4-byte signature (the WEVT descriptor kinds only order them). The
 * conventions for properties are TDH's, and the same as the Python manifest
 * loader (etw/_manifest.py), so a .man file and its compiled form give equal
 * schemas:
 *   - WEVT property flags 0x1 struct, 0x2 fixed length, 0x4 length from a
 *     property, 0x8 fixed count, 0x10 count from a property become TDH's
 *     STRUCT, PARAM_FIXED_LENGTH, PARAM_LENGTH, PARAM_FIXED_COUNT, PARAM_COUNT;
 *   - a scalar has count 1 and, for a fixed-size type, its size as length
 *     (0 for pointers: the record decides);
 *   - names of levels, tasks, opcodes, keywords and channels are the
 *     manifest names mc.exe stores; the event name comes from the EVTA element
 *     (newer mc), the provider name from PRVA;
 *   - map entries are sorted by value. */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

/* In-types of fixed size: the property length TDH reports for them. */
static uint16_t fixed_size(uint16_t in_type) {
    switch (in_type) {
    case ETW_IN_INT8: case ETW_IN_UINT8: return 1;
    case ETW_IN_INT16: case ETW_IN_UINT16: return 2;
    case ETW_IN_INT32: case ETW_IN_UINT32: case ETW_IN_FLOAT: case ETW_IN_BOOLEAN:
    case ETW_IN_HEXINT32: return 4;
    case ETW_IN_INT64: case ETW_IN_UINT64: case ETW_IN_DOUBLE: case ETW_IN_FILETIME:
    case ETW_IN_HEXINT64: return 8;
    case ETW_IN_GUID: case ETW_IN_SYSTEMTIME: return 16;
    default: return 0;
    }
}

/* WEVT_TEMPLATE property flags (not TDH's numbering). */
enum {
    WP_STRUCT = 0x1, WP_FIXED_LENGTH = 0x2, WP_VAR_LENGTH = 0x4, WP_FIXED_COUNT = 0x8,
    WP_VAR_COUNT = 0x10
};

/* PRVA / EVTA item types seen in mc.exe output. */
enum { PRVA_PROVIDER_NAME = 0x10000001u, EVTA_EVENT_NAME = 0x11 };

/* ------------------------------------------------------------------ UTF */

/* UTF-16LE (units code units) or 8-bit Latin-1 text -> malloc'd UTF-8, NULL
 * when out of memory. Unpaired surrogates become U+FFFD. */
static char *to_utf8(const uint8_t *p, size_t n, int utf16) {
    char *out = (char *)malloc(n * 3 + 1);
    size_t i, o = 0;
    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        uint32_t c;
        if (!utf16) {
            c = p[i];
        } else {
            c = etw_le16(p + 2 * i);
            if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n) {
                uint32_t c2 = etw_le16(p + 2 * i + 2);
                if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
                    i++;
                } else {
                    c = 0xFFFD;
                }
            } else if (c >= 0xD800 && c <= 0xDFFF) {
                c = 0xFFFD;
            }
        }
        o += etw_put_utf8(out + o, c);
    }
    out[o] = 0;
    return out;
}

/* ----------------------------------------------------------- MESSAGETABLE */

char *etw_msgtable_lookup(const uint8_t *mt, size_t len, uint32_t id) {
    uint32_t nblocks, i;
    if (!mt || len < 4)
        return NULL;
    nblocks = etw_le32(mt);
    if (nblocks > (len - 4) / 12)
        return NULL;
    for (i = 0; i < nblocks; i++) {
        const uint8_t *blk = mt + 4 + (size_t)i * 12;
        uint32_t low = etw_le32(blk), high = etw_le32(blk + 4), k;
        size_t off = etw_le32(blk + 8);
        if (id < low || id > high)
            continue;
        for (k = low;; k++) {
            size_t elen, flags, n;
            const uint8_t *text;
            char *s;
            if (off + 4 > len)
                return NULL;
            elen = etw_le16(mt + off);
            flags = etw_le16(mt + off + 2);
            if (elen < 4 || off + elen > len)
                return NULL;
            if (k != id) {
                off += elen;
                continue;
            }
            text = mt + off + 4;
            n = elen - 4;
            if (flags & 1) {
                n /= 2;
                while (n > 0 && etw_le16(text + 2 * (n - 1)) == 0)
                    n--;
                s = to_utf8(text, n, 1);
            } else {
                while (n > 0 && text[n - 1] == 0)
                    n--;
                s = to_utf8(text, n, 0);
            }
            if (s) {
                /* mc.exe ends every message with CR LF. */
                size_t sl = strlen(s);
                if (sl >= 2 && s[sl - 2] == '\r' && s[sl - 1] == '\n')
                    s[sl - 2] = 0;
            }
            return s;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------- CRIM */

typedef struct wctx {
    const uint8_t *p;
    size_t len;
    const uint8_t *mt;
    size_t mt_len;
    etw_error *err;
    /* current provider */
    etw_guid provider;
    uint32_t provider_msg;
    size_t prva, evta; /* element offsets or 0 */
} wctx;

#define FMT(off, ...) etw_error_set(c->err, ETW_ERR_FORMAT, (uint64_t)(off), __VA_ARGS__)

/* 1 when [off, off + n) is inside the blob. */
static int in_blob(const wctx *c, size_t off, size_t n) {
    return off <= c->len && n <= c->len - off;
}

/* Handle of a length-prefixed name string (u32 byte size incl. itself and
 * padding, then UTF-16 with NUL) at off; 0 when off is 0. Returns >= 0,
 * ETW_ERR_FORMAT (err filled) or ETW_ERR_NOMEM. */
static long name_at(wctx *c, etw_schema_builder *b, size_t off, int trim) {
    size_t size, units, i;
    if (off == 0)
        return 0;
    if (!in_blob(c, off, 4))
        return FMT(off, "name string offset 0x%zx outside the %zu-byte template", off, c->len);
    size = etw_le32(c->p + off);
    if (size < 4 || !in_blob(c, off, size))
        return FMT(off, "name string of %zu bytes at 0x%zx does not fit", size, off);
    units = (size - 4) / 2;
    for (i = 0; i < units; i++)
        if (etw_le16(c->p + off + 4 + 2 * i) == 0)
            break;
    return etw_sb_str16(b, c->p + off + 4, i, trim);
}

/* Handle of a plain UTF-16Z string at off (PRVA / EVTA items). */
static long str16z_at(wctx *c, etw_schema_builder *b, size_t off, int trim) {
    size_t i;
    if (!in_blob(c, off, 2))
        return FMT(off, "string offset 0x%zx outside the template", off);
    for (i = off; i + 1 < c->len; i += 2)
        if (c->p[i] == 0 && c->p[i + 1] == 0)
            break;
    return etw_sb_str16(b, c->p + off, (i - off) / 2, trim);
}

/* Handle of message id's text (0 when absent or no message table). */
static long message(wctx *c, etw_schema_builder *b, uint32_t id, int trim) {
    char *s;
    long h;
    size_t n;
    if (id == 0xFFFFFFFFu || !c->mt)
        return 0;
    s = etw_msgtable_lookup(c->mt, c->mt_len, id);
    if (!s)
        return 0;
    n = strlen(s);
    if (trim)
        while (n > 0 && s[n - 1] == ' ')
            n--;
    h = etw_sb_str(b, s, n);
    free(s);
    return h;
}

/* Checks the 4-byte signature of an element at off. */
static int sig_is(const wctx *c, size_t off, const char *sig) {
    return in_blob(c, off, 4) && memcmp(c->p + off, sig, 4) == 0;
}

#define TRY(expr)                                                                  \
    do {                                                                           \
        long t_ = (expr);                                                          \
        if (t_ < 0) {                                                              \
            rc = (int)t_;                                                          \
            goto out;                                                              \
        }                                                                          \
    } while (0)

#define TRYH(dst, expr)                                                            \
    do {                                                                           \
        long h_ = (expr);                                                          \
        if (h_ < 0) {                                                              \
            rc = (int)h_;                                                          \
            goto out;                                                              \
        }                                                                          \
        (dst) = ETW_SB_H(h_);                                                      \
    } while (0)

/* The map element (VMAP/BMAP) at off -> etw_map handed to the sink. */
static int build_map(wctx *c, size_t off, const etw_wevt_sink *sink) {
    etw_schema_builder *b = NULL;
    etw_map_entry *entries = NULL;
    etw_map hdr, *m;
    uint32_t n, i, j, wflags;
    size_t size;
    int rc = ETW_OK;
    if (!sig_is(c, off, "VMAP") && !sig_is(c, off, "BMAP"))
        return FMT(off, "map offset 0x%zx does not point at a VMAP/BMAP element", off);
    if (!in_blob(c, off, 20))
        return FMT(off, "map element at 0x%zx truncated", off);
    size = etw_le32(c->p + off + 4);
    wflags = etw_le32(c->p + off + 12);
    n = etw_le32(c->p + off + 16);
    if (size < 20 || !in_blob(c, off, size) || n > (size - 20) / 8)
        return FMT(off, "map element at 0x%zx: %u entries do not fit its %zu bytes", off,
                   (unsigned)n, size);
    b = etw_sb_new();
    entries = (etw_map_entry *)calloc(n ? n : 1, sizeof *entries);
    if (!b || !entries) {
        rc = ETW_ERR_NOMEM;
        goto out;
    }
    memset(&hdr, 0, sizeof hdr);
    hdr.provider_id = c->provider;
    hdr.source = ETW_SRC_MANIFEST;
    TRYH(hdr.name, name_at(c, b, etw_le32(c->p + off + 8), 1));
    hdr.flags = (wflags & 1) ? ETW_MAP_MANIFEST_BITMAP : ETW_MAP_MANIFEST_VALUEMAP;
    for (i = 0; i < n; i++) {
        const uint8_t *e = c->p + off + 20 + (size_t)i * 8;
        etw_map_entry ent;
        ent.value = etw_le32(e);
        ent.input = NULL;
        TRYH(ent.name, message(c, b, etw_le32(e + 4), 1));
        /* Insertion by value, stable (maps are small). */
        for (j = i; j > 0 && entries[j - 1].value > ent.value; j--)
            entries[j] = entries[j - 1];
        entries[j] = ent;
    }
    m = etw_sb_finish_map(b, &hdr, entries, n);
    if (!m) {
        rc = ETW_ERR_NOMEM;
        goto out;
    }
    rc = sink->map ? sink->map(sink->ctx, m) : (free(m), ETW_OK);
    if (rc >= 0)
        rc = 1;
out:
    free(entries);
    etw_sb_free(b);
    return rc;
}

/* Converts the TEMP element at off into properties of b; sets *top and *tflags. */
static int template_props(wctx *c, etw_schema_builder *b, size_t off, uint16_t *top,
                          uint32_t *tflags) {
    uint32_t ntop, nall, i;
    size_t props;
    if (!sig_is(c, off, "TEMP") || !in_blob(c, off, 0x28))
        return FMT(off, "template offset 0x%zx does not point at a TEMP element", off);
    ntop = etw_le32(c->p + off + 8);
    nall = etw_le32(c->p + off + 12);
    props = etw_le32(c->p + off + 16);
    *tflags = etw_le32(c->p + off + 20);
    if (ntop > nall || nall > ETW_SCHEMA_MAX_PROPS)
        return FMT(off, "template at 0x%zx: %u top-level of %u properties", off, (unsigned)ntop,
                   (unsigned)nall);
    if (nall && !in_blob(c, props, (size_t)nall * 20))
        return FMT(off, "template at 0x%zx: %u properties at 0x%zx do not fit", off,
                   (unsigned)nall, props);
    for (i = 0; i < nall; i++) {
        const uint8_t *e = c->p + props + (size_t)i * 20;
        uint32_t wf = etw_le32(e), ta = etw_le32(e + 4);
        size_t map_off = etw_le32(e + 8);
        uint16_t cnt = etw_le16(e + 12), ln = etw_le16(e + 14);
        etw_prop p;
        long h;
        memset(&p, 0, sizeof p);
        h = name_at(c, b, etw_le32(e + 16), 0);
        if (h == 0) /* no name: an empty one (never a NULL handle: see etw_sb_finish) */
            h = etw_sb_str(b, "", 0);
        if (h < 0)
            return (int)h;
        p.name = ETW_SB_H(h);
        if (wf & WP_STRUCT) {
            p.flags = ETW_PROP_STRUCT;
            p.struct_start = (uint16_t)(ta & 0xFFFF);
            p.struct_count = (uint16_t)(ta >> 16);
        } else {
            p.in_type = (uint16_t)(ta & 0xFF);
            p.out_type = (uint16_t)((ta >> 8) & 0xFF);
            p.length = fixed_size(p.in_type);
            if (map_off) {
                if ((!sig_is(c, map_off, "VMAP") && !sig_is(c, map_off, "BMAP")) ||
                    !in_blob(c, map_off, 12))
                    return FMT(props + (size_t)i * 20,
                               "property %u: map offset 0x%zx is not a map", (unsigned)i,
                               map_off);
                h = name_at(c, b, etw_le32(c->p + map_off + 8), 1);
                if (h < 0)
                    return (int)h;
                p.map_name = ETW_SB_H(h);
            }
        }
        if (wf & WP_VAR_COUNT) {
            p.flags |= ETW_PROP_PARAM_COUNT;
            p.count = cnt;
        } else if ((wf & WP_FIXED_COUNT) && cnt) {
            p.flags |= ETW_PROP_FIXED_COUNT;
            p.count = cnt;
        } else {
            p.count = 1;
        }
        if (wf & WP_VAR_LENGTH) {
            p.flags |= ETW_PROP_PARAM_LENGTH;
            p.length = ln;
        } else if ((wf & WP_FIXED_LENGTH) && ln) {
            p.flags |= ETW_PROP_FIXED_LENGTH;
            p.length = ln;
        }
        h = etw_sb_prop(b, &p);
        if (h < 0)
            return h == ETW_ERR_NOMEM ? ETW_ERR_NOMEM
                                      : FMT(off, "template at 0x%zx: too many properties", off);
    }
    *top = (uint16_t)ntop;
    return ETW_OK;
}

/* Display name of the list entry (LEVL/TASK/OPCO/KEYW/CHAN) at entry_off,
 * entry_size bytes, with its name offset at name_field and its message id at
 * msg_field: the message text when the message table has it (what TDH
 * reports), else the manifest name; 0 when entry_off is 0. */
static long entry_name(wctx *c, etw_schema_builder *b, size_t entry_off, size_t entry_size,
                       size_t name_field, size_t msg_field) {
    long h;
    if (entry_off == 0)
        return 0;
    if (!in_blob(c, entry_off, entry_size))
        return FMT(entry_off, "list entry at 0x%zx outside the template", entry_off);
    h = message(c, b, etw_le32(c->p + entry_off + msg_field), 1);
    if (h != 0)
        return h;
    return name_at(c, b, etw_le32(c->p + entry_off + name_field), 1);
}

/* Event name from the EVTA element (type 0x11 items), 0 when none. */
static long event_name(wctx *c, etw_schema_builder *b, uint16_t id, uint8_t version) {
    size_t size, n, i;
    if (!c->evta || !in_blob(c, c->evta, 12))
        return 0;
    size = etw_le32(c->p + c->evta + 4);
    n = etw_le32(c->p + c->evta + 8);
    if (size < 12 || !in_blob(c, c->evta, size) || n > (size - 12) / 8)
        return FMT(c->evta, "EVTA element at 0x%zx: %zu items do not fit", c->evta, n);
    for (i = 0; i < n; i++) {
        const uint8_t *e = c->p + c->evta + 12 + i * 8;
        if (e[0] == EVTA_EVENT_NAME && e[1] == version && etw_le16(e + 2) == id)
            return str16z_at(c, b, etw_le32(e + 4), 1);
    }
    return 0;
}

/* Provider name from the PRVA element, 0 when none. */
static long provider_name(wctx *c, etw_schema_builder *b) {
    size_t size, n, i;
    if (!c->prva || !in_blob(c, c->prva, 12))
        return 0;
    size = etw_le32(c->p + c->prva + 4);
    n = etw_le32(c->p + c->prva + 8);
    if (size < 12 || !in_blob(c, c->prva, size) || n > (size - 12) / 8)
        return FMT(c->prva, "PRVA element at 0x%zx: %zu items do not fit", c->prva, n);
    for (i = 0; i < n; i++) {
        const uint8_t *e = c->p + c->prva + 12 + i * 8;
        if (etw_le32(e) == PRVA_PROVIDER_NAME)
            return str16z_at(c, b, etw_le32(e + 4), 1);
    }
    return 0;
}

/* One EVNT entry (48 bytes at e_off) -> schema handed to the sink. */
static int build_event(wctx *c, size_t e_off, const etw_wevt_sink *sink) {
    etw_schema_builder *b = etw_sb_new();
    etw_schema hdr, *s;
    const uint8_t *e = c->p + e_off;
    size_t temp, kw_off, task_off;
    uint32_t kw_count, i;
    int rc = ETW_OK;
    if (!b)
        return ETW_ERR_NOMEM;
    memset(&hdr, 0, sizeof hdr);
    hdr.provider_id = c->provider;
    hdr.id = etw_le16(e);
    hdr.version = e[2];
    hdr.channel = e[3];
    hdr.level = e[4];
    hdr.opcode = e[5];
    hdr.task = etw_le16(e + 6);
    hdr.keyword = etw_le64(e + 8);
    hdr.decoding_source = 0;
    hdr.source = ETW_SRC_MANIFEST;
    hdr.key_kind = ETW_KEY_MANIFEST;
    TRYH(hdr.provider_name, provider_name(c, b));
    TRYH(hdr.provider_message, message(c, b, c->provider_msg, 0));
    TRYH(hdr.event_message, message(c, b, etw_le32(e + 16), 0));
    TRYH(hdr.opcode_name, entry_name(c, b, etw_le32(e + 24), 12, 8, 4));
    TRYH(hdr.level_name, entry_name(c, b, etw_le32(e + 28), 12, 8, 4));
    task_off = etw_le32(e + 32);
    TRYH(hdr.task_name, entry_name(c, b, task_off, 28, 24, 4));
    if (task_off)
        hdr.event_guid = etw_guid_load(c->p + task_off + 8); /* checked by entry_name */
    kw_count = etw_le32(e + 36);
    kw_off = etw_le32(e + 40);
    if (kw_count > 64 || (kw_count && !in_blob(c, kw_off, (size_t)kw_count * 4))) {
        rc = FMT(e_off, "event %u: %u keyword offsets at 0x%zx do not fit", (unsigned)hdr.id,
                 (unsigned)kw_count, kw_off);
        goto out;
    }
    for (i = 0; i < kw_count; i++) {
        long h = entry_name(c, b, etw_le32(c->p + kw_off + 4 * (size_t)i), 16, 12, 8);
        if (h < 0) {
            rc = (int)h;
            goto out;
        }
        if (h > 0 && etw_sb_keyword(b, h) < 0) {
            rc = ETW_ERR_NOMEM;
            goto out;
        }
    }
    /* Channels keep their name (the log path Windows shows in <Channel>). */
    {
        size_t ch = etw_le32(e + 44);
        if (ch && !in_blob(c, ch, 16)) {
            rc = FMT(ch, "channel entry at 0x%zx outside the template", ch);
            goto out;
        }
        TRYH(hdr.channel_name, ch ? name_at(c, b, etw_le32(c->p + ch + 4), 1) : 0);
    }
    TRYH(hdr.event_name, event_name(c, b, hdr.id, hdr.version));
    temp = etw_le32(e + 20);
    if (temp) {
        TRY(template_props(c, b, temp, &hdr.top_count, &hdr.template_flags));
    }
    s = etw_sb_finish(b, &hdr, &rc, c->err);
    if (!s) {
        if (rc == ETW_ERR_FORMAT && c->err)
            c->err->offset = e_off;
        goto out;
    }
    rc = sink->schema ? sink->schema(sink->ctx, s) : (free(s), ETW_OK);
    if (rc >= 0)
        rc = 1;
out:
    etw_sb_free(b);
    return rc;
}

/* The WEVT block of one provider. Returns the number produced or an error. */
static int parse_provider(wctx *c, size_t off, const etw_wevt_sink *sink) {
    uint32_t ndesc, i;
    size_t evnt = 0, maps = 0;
    int total = 0, rc;
    if (!sig_is(c, off, "WEVT") || !in_blob(c, off, 16))
        return FMT(off, "provider offset 0x%zx does not point at a WEVT block", off);
    c->provider_msg = etw_le32(c->p + off + 8);
    ndesc = etw_le32(c->p + off + 12);
    if (ndesc > (c->len - off - 16) / 8)
        return FMT(off, "WEVT block at 0x%zx: %u descriptors do not fit", off, (unsigned)ndesc);
    c->prva = c->evta = 0;
    for (i = 0; i < ndesc; i++) {
        size_t eo = etw_le32(c->p + off + 16 + (size_t)i * 8 + 4);
        if (eo == 0)
            continue; /* version-3 padding slots */
        if (!in_blob(c, eo, 12))
            return FMT(off + 16 + (size_t)i * 8, "element offset 0x%zx outside the template", eo);
        if (sig_is(c, eo, "EVNT"))
            evnt = eo;
        else if (sig_is(c, eo, "MAPS"))
            maps = eo;
        else if (sig_is(c, eo, "PRVA"))
            c->prva = eo;
        else if (sig_is(c, eo, "EVTA"))
            c->evta = eo;
    }
    if (maps) {
        uint32_t n = etw_le32(c->p + maps + 8);
        if (n > (c->len - maps - 12) / 4)
            return FMT(maps, "MAPS element at 0x%zx: %u maps do not fit", maps, (unsigned)n);
        for (i = 0; i < n; i++) {
            rc = build_map(c, etw_le32(c->p + maps + 12 + (size_t)i * 4), sink);
            if (rc < 0)
                return rc;
            total += rc;
        }
    }
    if (evnt) {
        uint32_t n;
        if (!in_blob(c, evnt, 16))
            return FMT(evnt, "EVNT element at 0x%zx truncated", evnt);
        n = etw_le32(c->p + evnt + 8);
        if (n > (c->len - evnt - 16) / 48)
            return FMT(evnt, "EVNT element at 0x%zx: %u events do not fit", evnt, (unsigned)n);
        for (i = 0; i < n; i++) {
            rc = build_event(c, evnt + 16 + (size_t)i * 48, sink);
            if (rc < 0)
                return rc;
            total += rc;
        }
    }
    return total;
}

int etw_wevt_parse(const uint8_t *crim, size_t len, const uint8_t *msgtable, size_t msg_len,
                   const etw_wevt_sink *sink, etw_error *err) {
    wctx ctx, *c = &ctx;
    uint32_t size, nprov, i;
    int total = 0, rc;
    static const etw_wevt_sink none = {NULL, NULL, NULL};
    memset(c, 0, sizeof ctx);
    c->err = err;
    if (!sink)
        sink = &none;
    if (!crim || len < 16 || memcmp(crim, "CRIM", 4) != 0)
        return etw_error_set(err, ETW_ERR_FORMAT, 0, "not a compiled manifest (no CRIM header)");
    size = etw_le32(crim + 4);
    /* mc.exe pads its output by 2 bytes: trust the size field when it fits. */
    if (size < 16 || size > len)
        return etw_error_set(err, ETW_ERR_FORMAT, 4, "CRIM size %u does not fit the %zu bytes",
                             (unsigned)size, len);
    c->p = crim;
    c->len = size;
    c->mt = msgtable;
    c->mt_len = msgtable ? msg_len : 0;
    nprov = etw_le32(crim + 12);
    if (nprov > (size - 16) / 20)
        return FMT(12, "%u providers do not fit the %u-byte template", (unsigned)nprov,
                   (unsigned)size);
    for (i = 0; i < nprov; i++) {
        const uint8_t *d = crim + 16 + (size_t)i * 20;
        c->provider = etw_guid_load(d);
        rc = parse_provider(c, etw_le32(d + 16), sink);
        if (rc < 0)
            return rc;
        total += rc;
    }
    return total;
}
