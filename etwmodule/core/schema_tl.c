/* schema_tl.c - TraceLogging self-describing events -> etw_schema.
 * The EVENT_SCHEMA_TL ext item holds the event metadata (name, tags, field
 * names and types, arrays, nested structs) and PROV_TRAITS the provider name
 * (etl-format.md 3a; type numbers in tdh-types.md 3). Fields are parsed in
 * metadata order (structs are followed by their members), then laid out the
 * way TDH lays out TRACE_EVENT_INFO: top-level fields first, the members of
 * each struct contiguous after them, breadth first. */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

/* TraceLogging InMeta / OutMeta bits (tdh-types.md 3). */
enum {
    TLG_IN_TYPE_MASK = 0x1F,
    TLG_IN_COUNT_MASK = 0x60,
    TLG_IN_CCOUNT = 0x20,
    TLG_IN_VCOUNT = 0x40,
    TLG_IN_CUSTOM = 0x60,
    TLG_CHAIN = 0x80,
    TLG_IN_STRUCT = 24
};

typedef struct tl_field {
    long name;        /* builder handle */
    uint16_t in_type; /* TDH in-type */
    uint16_t out_type;
    uint32_t flags;
    uint32_t tags;
    uint16_t count;
    uint16_t members; /* struct: number of member fields */
    uint32_t size;    /* fields in this subtree (itself included) */
    uint32_t index;   /* position in the TDH layout */
} tl_field;

typedef struct cursor {
    const uint8_t *p;
    size_t pos, end;
} cursor;

/* Reads a NUL-terminated UTF-8 string; returns its length or -1. */
static long read_sz(cursor *c, const char **s) {
    size_t i = c->pos;
    while (i < c->end && c->p[i])
        i++;
    if (i >= c->end)
        return -1;
    *s = (const char *)c->p + c->pos;
    c->pos = i + 1;
    return (long)(i - (size_t)(*s - (const char *)c->p));
}

/* Reads 7-bit-per-byte tags (bytes until one has bit 7 clear). Returns 0 or -1. */
static int read_tags(cursor *c, uint32_t *tags) {
    uint32_t t = 0;
    int n = 0;
    for (;;) {
        uint8_t b;
        if (c->pos >= c->end)
            return -1;
        b = c->p[c->pos++];
        if (n < 4)
            t |= (uint32_t)(b & 0x7F) << (21 - 7 * n);
        n++;
        if (!(b & 0x80))
            break;
    }
    *tags = t;
    return 0;
}

static uint16_t tl_in_to_tdh(unsigned in, int *ok) {
    *ok = 1;
    switch (in) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
    case 10: case 11: case 12: case 13: case 14: case 15: case 17: case 18: case 19:
    case 20: case 21: case 22: case 23: case 25:
        return (uint16_t)in;
    case 16: /* _TlgInPOINTER_unsupported: never emitted; a pointer is the best guess */
        return ETW_IN_POINTER;
    default:
        *ok = 0;
        return 0;
    }
}

static uint16_t tl_out_to_tdh(unsigned out, uint16_t in) {
    switch (out) {
    case 0: return ETW_OUT_NULL;
    case 1: return ETW_OUT_NOPRINT;
    case 2: return ETW_OUT_STRING;
    case 3: return ETW_OUT_BOOLEAN;
    case 4: /* HEX: by the in-type's size */
        switch (in) {
        case ETW_IN_INT8: case ETW_IN_UINT8: return ETW_OUT_HEXINT8;
        case ETW_IN_INT16: case ETW_IN_UINT16: return ETW_OUT_HEXINT16;
        case ETW_IN_INT32: case ETW_IN_UINT32: case ETW_IN_HEXINT32: return ETW_OUT_HEXINT32;
        case ETW_IN_INT64: case ETW_IN_UINT64: case ETW_IN_HEXINT64: return ETW_OUT_HEXINT64;
        case ETW_IN_BINARY: case ETW_IN_MANIFEST_COUNTEDBINARY: return ETW_OUT_HEXBINARY;
        default: return ETW_OUT_NULL;
        }
    case 5: return ETW_OUT_PID;
    case 6: return ETW_OUT_TID;
    case 7: return ETW_OUT_PORT;
    case 8: return ETW_OUT_IPV4;
    case 9: return ETW_OUT_IPV6;
    case 10: return ETW_OUT_SOCKETADDRESS;
    case 11: return ETW_OUT_XML;
    case 12: return ETW_OUT_JSON;
    case 13: return ETW_OUT_WIN32ERROR;
    case 14: return ETW_OUT_NTSTATUS;
    case 15: return ETW_OUT_HRESULT;
    case 16: return ETW_OUT_DATETIME; /* TlgOutFILETIME: e.g. an INT64 holding a FILETIME */
    case 17: return ETW_OUT_TL_SIGNED;
    case 18: return ETW_OUT_TL_UNSIGNED;
    case 33: return ETW_OUT_CULTURE_INSENSITIVE_DATETIME;
    case 35: return ETW_OUT_UTF8;
    case 36: return ETW_OUT_PKCS7_WITH_TYPE_INFO;
    case 37: return ETW_OUT_CODE_POINTER;
    case 38: return ETW_OUT_DATETIME_UTC;
    default: return ETW_OUT_NULL; /* unknown TlgOut: default formatting */
    }
}

int etw_tl_provider_name(const uint8_t *traits, size_t len, char *out, size_t out_size) {
    size_t size, i;
    if (!traits || len < 3 || !out || !out_size)
        return ETW_ERR_FORMAT;
    size = etw_le16(traits);
    if (size < 3 || size > len)
        return ETW_ERR_FORMAT;
    for (i = 2; i < size && traits[i]; i++)
        ;
    if (i >= size)
        return ETW_ERR_FORMAT;
    i -= 2;
    if (i >= out_size)
        i = out_size - 1;
    memcpy(out, traits + 2, i);
    out[i] = 0;
    return (int)i;
}

#define FAIL(...)                                                                  \
    do {                                                                           \
        etw_error_set(err, ETW_ERR_FORMAT, 0, __VA_ARGS__);                        \
        *rc = ETW_ERR_FORMAT;                                                      \
        goto out;                                                                  \
    } while (0)

#define NOMEM()                                                                    \
    do {                                                                           \
        *rc = ETW_ERR_NOMEM;                                                       \
        goto out;                                                                  \
    } while (0)

etw_schema *etw_schema_from_tl(const etw_guid *provider, const uint8_t *meta, size_t meta_len,
                               const uint8_t *traits, size_t traits_len, int *rc, etw_error *err) {
    etw_schema_builder *b = NULL;
    tl_field *f = NULL;
    uint32_t *queue = NULL;
    size_t nf = 0, capf = 0, i, j, ntop = 0, qhead = 0, qtail = 0, next;
    etw_schema hdr, *result = NULL;
    cursor c;
    const char *s;
    long len, h;
    uint32_t tags = 0;

    *rc = ETW_OK;
    memset(&hdr, 0, sizeof hdr);
    if (!meta || meta_len < 4)
        FAIL("metadata of %zu bytes", meta_len);
    c.p = meta;
    c.pos = 2;
    c.end = etw_le16(meta);
    if (c.end < 4 || c.end > meta_len)
        FAIL("metadata size %zu does not fit the %zu bytes of the item", c.end, meta_len);
    b = etw_sb_new();
    if (!b)
        NOMEM();
    if (read_tags(&c, &tags))
        FAIL("truncated event tags");
    len = read_sz(&c, &s);
    if (len < 0)
        FAIL("unterminated event name");
    h = etw_sb_str(b, s, (size_t)len);
    if (h < 0)
        NOMEM();
    hdr.event_name = ETW_SB_H(h);
    hdr.tags = tags;

    /* Fields, in metadata order. */
    while (c.pos < c.end) {
        tl_field *fl;
        uint8_t inmeta, outmeta = 0;
        int ok;
        if (nf >= ETW_SCHEMA_MAX_PROPS)
            FAIL("more than %d fields", ETW_SCHEMA_MAX_PROPS);
        if (nf == capf) {
            size_t ncap = capf ? capf * 2 : 16;
            tl_field *nfp = (tl_field *)realloc(f, ncap * sizeof *f);
            if (!nfp)
                NOMEM();
            f = nfp;
            capf = ncap;
        }
        fl = &f[nf];
        memset(fl, 0, sizeof *fl);
        len = read_sz(&c, &s);
        if (len < 0)
            FAIL("field %zu: unterminated name", nf);
        fl->name = etw_sb_str(b, s, (size_t)len);
        if (fl->name < 0)
            NOMEM();
        if (c.pos >= c.end)
            FAIL("field %zu: missing type", nf);
        inmeta = meta[c.pos++];
        if (inmeta & TLG_CHAIN) {
            if (c.pos >= c.end)
                FAIL("field %zu: missing out-type", nf);
            outmeta = meta[c.pos++];
            if (outmeta & TLG_CHAIN) {
                if (read_tags(&c, &fl->tags))
                    FAIL("field %zu: truncated tags", nf);
                fl->flags |= ETW_PROP_HAS_TAGS;
            }
        }
        if ((inmeta & TLG_IN_TYPE_MASK) == TLG_IN_STRUCT) {
            fl->flags |= ETW_PROP_STRUCT;
            fl->members = outmeta & 0x7F;
            if (!(inmeta & TLG_CHAIN) || fl->members == 0)
                FAIL("field %zu: struct without members", nf);
        } else {
            fl->in_type = tl_in_to_tdh(inmeta & TLG_IN_TYPE_MASK, &ok);
            if (!ok)
                FAIL("field %zu: unknown TraceLogging in-type %u", nf,
                     (unsigned)(inmeta & TLG_IN_TYPE_MASK));
            fl->out_type = tl_out_to_tdh(outmeta & 0x7F, fl->in_type);
            if (fl->in_type == ETW_IN_BINARY)
                fl->flags |= ETW_PROP_TL_LENGTH16; /* TraceLogging BINARY: u16 byte count */
        }
        switch (inmeta & TLG_IN_COUNT_MASK) {
        case TLG_IN_CCOUNT:
            if (c.pos + 2 > c.end)
                FAIL("field %zu: truncated constant count", nf);
            fl->count = etw_le16(meta + c.pos);
            c.pos += 2;
            fl->flags |= ETW_PROP_FIXED_COUNT;
            break;
        case TLG_IN_VCOUNT:
            fl->flags |= ETW_PROP_TL_COUNT16;
            break;
        case TLG_IN_CUSTOM: {
            size_t tis;
            if (c.pos + 2 > c.end)
                FAIL("field %zu: truncated custom type info", nf);
            tis = etw_le16(meta + c.pos);
            if (c.pos + 2 + tis > c.end)
                FAIL("field %zu: custom type info runs past the metadata", nf);
            c.pos += 2 + tis;
            /* Payload: u16 byte count + bytes (UNVERIFIED layout; kept opaque). */
            fl->flags = (fl->flags & ~(uint32_t)ETW_PROP_STRUCT) | ETW_PROP_CUSTOM_SCHEMA |
                        ETW_PROP_TL_LENGTH16;
            fl->in_type = ETW_IN_BINARY;
            fl->out_type = ETW_OUT_HEXBINARY;
            fl->members = 0;
            break;
        }
        default:
            fl->count = 1;
            break;
        }
        nf++;
    }
    if (c.pos != c.end)
        FAIL("field metadata runs past the metadata size");

    /* Subtree sizes, last field first (members follow their struct). */
    for (i = nf; i-- > 0;) {
        next = i + 1;
        for (j = 0; j < f[i].members; j++) {
            if (next >= nf)
                FAIL("field %zu: struct has %u members but only %zu fields follow", i,
                     (unsigned)f[i].members, nf - i - 1);
            next += f[next].size;
        }
        f[i].size = (uint32_t)(next - i);
    }

    /* Breadth-first layout: top-level fields, then each struct's members. */
    queue = (uint32_t *)malloc((nf ? nf : 1) * sizeof *queue);
    if (!queue)
        NOMEM();
    for (i = 0; i < nf; i += f[i].size)
        queue[qtail++] = (uint32_t)i;
    ntop = qtail;
    for (qhead = 0; qhead < qtail; qhead++)
        f[queue[qhead]].index = (uint32_t)qhead;
    /* queue[k] is the field placed at index k; appending a struct's members
     * when the struct is reached places them contiguously. */
    for (qhead = 0; qhead < qtail; qhead++) {
        tl_field *fl = &f[queue[qhead]];
        if (fl->flags & ETW_PROP_STRUCT) {
            size_t m = queue[qhead] + 1;
            for (j = 0; j < fl->members; j++) {
                f[m].index = (uint32_t)qtail;
                queue[qtail++] = (uint32_t)m;
                m += f[m].size;
            }
        }
    }
    for (i = 0; i < qtail; i++) {
        tl_field *fl = &f[queue[i]];
        etw_prop p;
        memset(&p, 0, sizeof p);
        p.name = ETW_SB_H(fl->name);
        p.flags = fl->flags;
        p.tags = fl->tags;
        p.in_type = fl->in_type;
        p.out_type = fl->out_type;
        p.count = fl->count;
        if (fl->flags & ETW_PROP_STRUCT) {
            p.struct_start = (uint16_t)f[queue[i] + 1].index;
            p.struct_count = fl->members;
        }
        if (etw_sb_prop(b, &p) < 0)
            NOMEM();
    }

    hdr.provider_id = *provider;
    hdr.source = ETW_SRC_TRACELOGGING;
    hdr.key_kind = ETW_KEY_TL;
    hdr.decoding_source = 3; /* DecodingSourceTlg */
    hdr.channel = 11;
    hdr.top_count = (uint16_t)ntop;
    hdr.tl_meta = meta;
    hdr.tl_meta_len = (uint32_t)meta_len;
    if (traits && traits_len >= 3) {
        size_t tsize = etw_le16(traits), k;
        if (tsize >= 3 && tsize <= traits_len) {
            for (k = 2; k < tsize && traits[k]; k++)
                ;
            if (k < tsize) {
                h = etw_sb_str(b, (const char *)traits + 2, k - 2);
                if (h < 0)
                    NOMEM();
                hdr.provider_name = ETW_SB_H(h);
            }
        }
    }
    result = etw_sb_finish(b, &hdr, rc, err);

out:
    free(f);
    free(queue);
    etw_sb_free(b);
    return result;
}
