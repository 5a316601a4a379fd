/* decode.c - the one decoder: walks a schema's properties over a payload and
 * produces a flat tree of etw_value nodes. Size rules per TDH in-type are in
 * tdh-types.md 1 (TraceLogging variants in 3); injected-schema quirks in
 * etl-format.md 7.9 (pointer size from the record, absolute reference
 * indexes, count > 1 without flags is an array, extra elements are trailing
 * bytes). Nodes are laid out so that the children of a struct or array are
 * contiguous: a parent reserves its children's slots before decoding them,
 * and grandchildren are appended after. Every read is bounds-checked; the
 * node count per event is capped; recursion depth is bounded by the schema
 * (validated <= ETW_SCHEMA_MAX_DEPTH when it was built). */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

struct etw_decoder {
    etw_value *nodes;
    uint32_t cap;
    uint32_t max;
    int64_t *ref;      /* last integer value per property index */
    uint8_t *ref_set;  /* 1 when ref[i] holds a value of this decode */
    uint32_t ref_cap;
};

typedef struct dctx {
    etw_decoder *d;
    const etw_schema *s;
    const uint8_t *p;
    uint32_t len;
    uint32_t pos;
    uint8_t ptr;
    etw_registry *reg;
    uint32_t n;        /* nodes used */
    uint32_t errors;
    int stopped;       /* a size could not be known: stop everywhere */
    int ended;         /* optional properties absent at the end of the payload */
    int nomem;
} dctx;

etw_decoder *etw_decoder_new(uint32_t max_nodes) {
    etw_decoder *d = (etw_decoder *)calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (max_nodes == 0)
        max_nodes = ETW_DECODE_DEFAULT_MAX_NODES;
    if (max_nodes > ETW_DECODE_HARD_MAX_NODES)
        max_nodes = ETW_DECODE_HARD_MAX_NODES;
    d->max = max_nodes;
    d->cap = max_nodes < 256 ? max_nodes : 256;
    d->nodes = (etw_value *)malloc(d->cap * sizeof(etw_value));
    if (!d->nodes) {
        free(d);
        return NULL;
    }
    return d;
}

void etw_decoder_free(etw_decoder *d) {
    if (!d)
        return;
    free(d->nodes);
    free(d->ref);
    free(d->ref_set);
    free(d);
}

const char *etw_derr_name(int code) {
    switch (code) {
    case ETW_DERR_NONE: return "ok";
    case ETW_DERR_TRUNCATED: return "truncated";
    case ETW_DERR_BAD_REF: return "bad count/length reference";
    case ETW_DERR_BAD_SID: return "bad SID";
    case ETW_DERR_BAD_TYPE: return "unknown or unsized type";
    case ETW_DERR_TOO_MANY: return "too many values";
    case ETW_DERR_TOO_DEEP: return "nested too deeply";
    case ETW_DERR_ODD_LENGTH: return "odd UTF-16 byte count";
    case ETW_DERR_BAD_SCHEMA: return "invalid schema";
    case ETW_DERR_MISSING: return "missing";
    default: return "unknown error";
    }
}

/* Reserves k zeroed nodes; returns 0 and *first, or an etw_derr code
 * (TOO_MANY), or -1 when out of memory (ctx->nomem set). */
static int reserve(dctx *c, uint32_t k, uint32_t *first) {
    etw_decoder *d = c->d;
    if (k > d->max - c->n)
        return ETW_DERR_TOO_MANY;
    if (c->n + k > d->cap) {
        uint32_t ncap = d->cap ? d->cap : 256;
        etw_value *nn;
        while (ncap < c->n + k)
            ncap = ncap > d->max / 2 ? d->max : ncap * 2;
        nn = (etw_value *)realloc(d->nodes, (size_t)ncap * sizeof(etw_value));
        if (!nn) {
            c->nomem = 1;
            return -1;
        }
        d->nodes = nn;
        d->cap = ncap;
    }
    memset(&d->nodes[c->n], 0, (size_t)k * sizeof(etw_value));
    *first = c->n;
    c->n += k;
    return 0;
}

/* Size of fixed-size in-types, 0 for variable-size ones. */
static uint32_t fixed_size(uint16_t in, uint8_t ptr) {
    switch (in) {
    case ETW_IN_INT8: case ETW_IN_UINT8: case ETW_IN_ANSICHAR: return 1;
    case ETW_IN_INT16: case ETW_IN_UINT16: case ETW_IN_UNICODECHAR: return 2;
    case ETW_IN_INT32: case ETW_IN_UINT32: case ETW_IN_HEXINT32: case ETW_IN_FLOAT:
    case ETW_IN_BOOLEAN: return 4;
    case ETW_IN_INT64: case ETW_IN_UINT64: case ETW_IN_HEXINT64: case ETW_IN_DOUBLE:
    case ETW_IN_FILETIME: return 8;
    case ETW_IN_GUID: case ETW_IN_SYSTEMTIME: return 16;
    case ETW_IN_POINTER: case ETW_IN_SIZET: return ptr;
    default: return 0;
    }
}

/* Fills the fields every node has. Nodes come zeroed from reserve(). */
static void fill_common(dctx *c, etw_value *v, const etw_prop *p, uint32_t depth) {
    v->name = p->name;
    v->prop = p;
    v->in_type = p->in_type;
    v->out_type = p->out_type;
    v->depth = (uint8_t)depth;
    v->map = p->map;
    if (!v->map && p->map_name && c->reg)
        v->map = etw_registry_prop_map(c->reg, c->s, p);
}

/* Makes node `slot` an ERROR node. stop: the size is unknown, so decoding
 * stops and the node covers the rest of the payload. */
static void set_error(dctx *c, uint32_t slot, const etw_prop *p, uint32_t depth, int code,
                      uint32_t off, uint32_t length, int stop) {
    etw_value *v = &c->d->nodes[slot];
    memset(v, 0, sizeof *v);
    fill_common(c, v, p, depth);
    v->kind = ETW_V_ERROR;
    v->error = (uint8_t)code;
    v->offset = off;
    v->length = stop ? c->len - off : length;
    v->data_off = v->offset;
    v->data_len = v->length;
    c->errors++;
    if (stop)
        c->stopped = 1;
}

/* Value of a referenced property (count or length); -1 when unusable. */
static int64_t ref_value(dctx *c, uint16_t index) {
    if (index >= c->s->prop_count || !c->d->ref_set[index] || c->d->ref[index] < 0)
        return -1;
    return c->d->ref[index];
}

static int is_char_array(const etw_prop *p) {
    if (!(p->flags & ETW_PROP_ARRAY) || (p->flags & ETW_PROP_STRUCT))
        return 0;
    switch (p->in_type) {
    case ETW_IN_UNICODECHAR: case ETW_IN_ANSICHAR:
        return 1;
    case ETW_IN_INT8: case ETW_IN_UINT8: case ETW_IN_INT16: case ETW_IN_UINT16:
        return p->out_type == ETW_OUT_STRING;
    default:
        return 0;
    }
}

static int string8_kind(uint16_t out) {
    return (out == ETW_OUT_UTF8 || out == ETW_OUT_JSON) ? ETW_V_UTF8 : ETW_V_ANSI;
}

/* Length given by the schema for strings/binary: 1 and *n set when known,
 * 0 when not given, -1 on a bad reference. */
static int given_length(dctx *c, const etw_prop *p, uint32_t *n) {
    if (p->flags & ETW_PROP_PARAM_LENGTH) {
        int64_t v = ref_value(c, p->length);
        if (v < 0 || v > 0xFFFFFFFFll)
            return -1;
        *n = (uint32_t)v;
        return 1;
    }
    if ((p->flags & ETW_PROP_FIXED_LENGTH) || p->length) {
        *n = p->length;
        return 1;
    }
    return 0;
}

/* Byte offset of the first zero UTF-16 code unit in s[0..bytes) (units at
 * even offsets), or `bytes` rounded down to even when there is none. Tests
 * four units per 8-byte load (a lane is zero iff (x - 1) & ~x has its top
 * bit set, per 16-bit lane), then finds the unit within the chunk. */
static uint32_t utf16_find_nul(const uint8_t *s, uint32_t bytes) {
    const uint64_t ones = 0x0001000100010001ull, highs = 0x8000800080008000ull;
    uint32_t i = 0;
    while (i + 8 <= bytes) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if ((x - ones) & ~x & highs)
            break;
        i += 8;
    }
    for (; i + 1 < bytes; i += 2)
        if (s[i] == 0 && s[i + 1] == 0)
            return i;
    return bytes & ~1u;
}

/* UTF-16 data span trimmed at the first NUL code unit. */
static uint32_t utf16_until_nul(const uint8_t *s, uint32_t bytes) {
    return utf16_find_nul(s, bytes);
}

static uint32_t ansi_until_nul(const uint8_t *s, uint32_t bytes) {
    const uint8_t *z = (const uint8_t *)memchr(s, 0, bytes);
    return z ? (uint32_t)(z - s) : bytes;
}

static int decode_props(dctx *c, uint32_t first_prop, uint32_t count, uint32_t first_slot,
                        uint32_t depth, uint32_t *filled);

/* Decodes one element (a scalar, or one struct) of property pi into slot. */
static void decode_elem(dctx *c, uint32_t pi, uint32_t slot, uint32_t depth, int set_ref) {
    const etw_prop *p = &c->s->props[pi];
    const uint8_t *b = c->p;
    uint32_t start = c->pos, rem = c->len - c->pos, n = 0, dlen, hdr;
    etw_value *v;
    int kind = ETW_V_NONE, r;

    if (p->flags & ETW_PROP_STRUCT) {
        uint32_t first = 0, filled = 0;
        if (depth >= ETW_SCHEMA_MAX_DEPTH) {
            set_error(c, slot, p, depth, ETW_DERR_TOO_DEEP, start, 0, 1);
            return;
        }
        r = p->struct_count ? reserve(c, p->struct_count, &first) : 0;
        if (r) {
            if (r > 0)
                set_error(c, slot, p, depth, r, start, 0, 1);
            else
                c->stopped = 1;
            return;
        }
        decode_props(c, p->struct_start, p->struct_count, first, depth + 1, &filled);
        v = &c->d->nodes[slot];
        fill_common(c, v, p, depth);
        v->kind = ETW_V_STRUCT;
        v->offset = start;
        v->length = c->pos - start;
        v->first_child = first;
        v->child_count = filled;
        return;
    }

    v = &c->d->nodes[slot]; /* zeroed by reserve() */
    fill_common(c, v, p, depth);
    v->offset = start;
    v->data_off = start;

#define NEED(k)                                                                    \
    do {                                                                           \
        if ((uint64_t)(k) > rem) {                                                 \
            set_error(c, slot, p, depth,                                           \
                      rem == 0 ? ETW_DERR_MISSING : ETW_DERR_TRUNCATED, start, 0, 1); \
            return;                                                                \
        }                                                                          \
    } while (0)

    switch (p->in_type) {
    case ETW_IN_NULL:
        kind = ETW_V_NULL;
        n = 0;
        break;

    case ETW_IN_INT8: case ETW_IN_UINT8: case ETW_IN_INT16: case ETW_IN_UINT16:
    case ETW_IN_INT32: case ETW_IN_UINT32: case ETW_IN_INT64: case ETW_IN_UINT64:
    case ETW_IN_HEXINT32: case ETW_IN_HEXINT64: case ETW_IN_POINTER: case ETW_IN_SIZET: {
        uint64_t u;
        int is_signed = p->in_type == ETW_IN_INT8 || p->in_type == ETW_IN_INT16 ||
                        p->in_type == ETW_IN_INT32 || p->in_type == ETW_IN_INT64;
        n = fixed_size(p->in_type, c->ptr);
        NEED(n);
        switch (n) {
        case 1: u = b[start]; break;
        case 2: u = etw_le16(b + start); break;
        case 4: u = etw_le32(b + start); break;
        default: u = etw_le64(b + start); break;
        }
        v->width = (uint8_t)n;
        v->data_len = n;
        if (is_signed) {
            /* sign-extend from n bytes */
            uint64_t sign = (uint64_t)1 << (n * 8 - 1);
            v->v.i = n == 8 ? (int64_t)u : (int64_t)((u ^ sign) - sign);
            kind = ETW_V_INT;
        } else {
            v->v.u = u;
            kind = ETW_V_UINT;
        }
        if (set_ref) {
            c->d->ref[pi] = is_signed ? v->v.i : (u > (uint64_t)INT64_MAX ? -1 : (int64_t)u);
            c->d->ref_set[pi] = 1;
        }
        switch (p->out_type) {
        case ETW_OUT_BOOLEAN:
            v->v.u = u != 0;
            kind = ETW_V_BOOL;
            break;
        case ETW_OUT_STRING:
            if (n == 1)
                kind = string8_kind(p->out_type);
            else if (n == 2)
                kind = ETW_V_UTF16;
            break;
        case ETW_OUT_PORT:
            if (n == 2) {
                v->v.u = etw_be16(b + start);
                kind = ETW_V_UINT;
            }
            break;
        case ETW_OUT_IPV4:
            if (n == 4) {
                v->v.u = ((uint64_t)b[start] << 24) | ((uint64_t)b[start + 1] << 16) |
                         ((uint64_t)b[start + 2] << 8) | b[start + 3];
                kind = ETW_V_IPV4;
            }
            break;
        case ETW_OUT_DATETIME: case ETW_OUT_DATETIME_UTC:
        case ETW_OUT_CULTURE_INSENSITIVE_DATETIME:
            if (n == 8) {
                v->v.i = (int64_t)u;
                kind = ETW_V_FILETIME;
            }
            break;
        default:
            break;
        }
        break;
    }

    case ETW_IN_FLOAT: {
        uint32_t u;
        float f;
        n = 4;
        NEED(n);
        u = etw_le32(b + start);
        memcpy(&f, &u, 4);
        v->v.d = f;
        v->width = 4;
        v->data_len = 4;
        kind = ETW_V_FLOAT;
        break;
    }
    case ETW_IN_DOUBLE: {
        uint64_t u;
        n = 8;
        NEED(n);
        u = etw_le64(b + start);
        memcpy(&v->v.d, &u, 8);
        v->width = 8;
        v->data_len = 8;
        kind = ETW_V_DOUBLE;
        break;
    }
    case ETW_IN_BOOLEAN:
        n = 4;
        NEED(n);
        v->v.u = etw_le32(b + start) != 0;
        v->width = 4;
        v->data_len = 4;
        kind = ETW_V_BOOL;
        break;
    case ETW_IN_GUID:
        n = 16;
        NEED(n);
        v->data_len = 16;
        kind = ETW_V_GUID;
        break;
    case ETW_IN_FILETIME:
        n = 8;
        NEED(n);
        v->v.i = (int64_t)etw_le64(b + start);
        v->width = 8;
        v->data_len = 8;
        kind = ETW_V_FILETIME;
        break;
    case ETW_IN_SYSTEMTIME:
        n = 16;
        NEED(n);
        v->data_len = 16;
        kind = ETW_V_SYSTEMTIME;
        break;
    case ETW_IN_UNICODECHAR:
        n = 2;
        NEED(n);
        v->data_len = 2;
        kind = ETW_V_UTF16;
        break;
    case ETW_IN_ANSICHAR:
        n = 1;
        NEED(n);
        v->data_len = 1;
        kind = ETW_V_ANSI;
        break;

    case ETW_IN_UNICODESTRING:
    case ETW_IN_NONNULLTERMINATEDSTRING:
        r = given_length(c, p, &n);
        if (r < 0) {
            set_error(c, slot, p, depth, ETW_DERR_BAD_REF, start, 0, 1);
            return;
        }
        if (r > 0) {
            if (n > 0x7FFFFFFFu) {
                set_error(c, slot, p, depth, ETW_DERR_TRUNCATED, start, 0, 1);
                return;
            }
            n *= 2; /* length in UTF-16 code units */
            NEED(n);
            v->data_len = utf16_until_nul(b + start, n);
        } else if (p->in_type == ETW_IN_NONNULLTERMINATEDSTRING) {
            n = rem;
            v->data_len = rem & ~1u;
        } else {
            /* NUL-terminated; a missing terminator at the end of the data is
             * tolerated (tdh.h). */
            uint32_t i;
            NEED(1);
            i = utf16_find_nul(b + start, rem);
            if (i + 1 < rem) {
                v->data_len = i;
                n = i + 2;
            } else {
                v->data_len = rem & ~1u;
                n = rem;
            }
        }
        if (n & 1)
            v->error = ETW_DERR_ODD_LENGTH;
        kind = ETW_V_UTF16;
        break;

    case ETW_IN_ANSISTRING:
    case ETW_IN_NONNULLTERMINATEDANSISTRING:
        r = given_length(c, p, &n);
        if (r < 0) {
            set_error(c, slot, p, depth, ETW_DERR_BAD_REF, start, 0, 1);
            return;
        }
        if (r > 0) {
            NEED(n);
            v->data_len = ansi_until_nul(b + start, n);
        } else if (p->in_type == ETW_IN_NONNULLTERMINATEDANSISTRING) {
            n = rem;
            v->data_len = rem;
        } else {
            const uint8_t *z;
            NEED(1);
            z = (const uint8_t *)memchr(b + start, 0, rem);
            if (z) {
                v->data_len = (uint32_t)(z - (b + start));
                n = v->data_len + 1;
            } else {
                v->data_len = rem;
                n = rem;
            }
        }
        kind = string8_kind(p->out_type);
        break;

    case ETW_IN_MANIFEST_COUNTEDSTRING: case ETW_IN_COUNTEDSTRING:
    case ETW_IN_REVERSEDCOUNTEDSTRING:
    case ETW_IN_MANIFEST_COUNTEDANSISTRING: case ETW_IN_COUNTEDANSISTRING:
    case ETW_IN_REVERSEDCOUNTEDANSISTRING:
    case ETW_IN_MANIFEST_COUNTEDBINARY:
        NEED(2);
        dlen = p->in_type == ETW_IN_REVERSEDCOUNTEDSTRING ||
                       p->in_type == ETW_IN_REVERSEDCOUNTEDANSISTRING
                   ? etw_be16(b + start)
                   : etw_le16(b + start);
        n = 2 + dlen;
        NEED(n);
        v->data_off = start + 2;
        v->data_len = dlen;
        if (p->in_type == ETW_IN_MANIFEST_COUNTEDBINARY) {
            kind = ETW_V_BINARY;
            if (p->out_type == ETW_OUT_IPV6 && dlen == 16)
                kind = ETW_V_IPV6;
            else if (p->out_type == ETW_OUT_SOCKETADDRESS)
                kind = ETW_V_SOCKADDR;
        } else if (p->in_type == ETW_IN_MANIFEST_COUNTEDSTRING ||
                   p->in_type == ETW_IN_COUNTEDSTRING ||
                   p->in_type == ETW_IN_REVERSEDCOUNTEDSTRING) {
            kind = ETW_V_UTF16;
            if (dlen & 1) {
                v->error = ETW_DERR_ODD_LENGTH;
                v->data_len = dlen & ~1u;
            }
        } else {
            kind = string8_kind(p->out_type);
        }
        break;

    case ETW_IN_HEXDUMP:
        NEED(4);
        dlen = etw_le32(b + start);
        if ((uint64_t)dlen + 4 > rem) {
            set_error(c, slot, p, depth, ETW_DERR_TRUNCATED, start, 0, 1);
            return;
        }
        n = 4 + dlen;
        v->data_off = start + 4;
        v->data_len = dlen;
        kind = ETW_V_BINARY;
        break;

    case ETW_IN_BINARY:
        hdr = 0;
        if (p->flags & ETW_PROP_TL_LENGTH16) {
            NEED(2);
            dlen = etw_le16(b + start);
            hdr = 2;
        } else {
            r = given_length(c, p, &dlen);
            if (r < 0) {
                set_error(c, slot, p, depth, ETW_DERR_BAD_REF, start, 0, 1);
                return;
            }
            if (r == 0) {
                if (p->out_type == ETW_OUT_IPV6) {
                    dlen = 16;
                } else if (p->out_type == ETW_OUT_SOCKETADDRESS) {
                    NEED(2);
                    switch (etw_le16(b + start)) {
                    case 2: dlen = 16; break;  /* AF_INET */
                    case 23: dlen = 28; break; /* AF_INET6 */
                    default:
                        set_error(c, slot, p, depth, ETW_DERR_BAD_TYPE, start, 0, 1);
                        return;
                    }
                } else {
                    set_error(c, slot, p, depth, ETW_DERR_BAD_TYPE, start, 0, 1);
                    return;
                }
            }
        }
        n = hdr + dlen;
        NEED(n);
        v->data_off = start + hdr;
        v->data_len = dlen;
        kind = ETW_V_BINARY;
        if (p->out_type == ETW_OUT_IPV6 && dlen == 16)
            kind = ETW_V_IPV6;
        else if (p->out_type == ETW_OUT_SOCKETADDRESS)
            kind = ETW_V_SOCKADDR;
        else if (p->out_type == ETW_OUT_IPV4 && dlen == 4) {
            v->v.u = ((uint64_t)b[start + hdr] << 24) | ((uint64_t)b[start + hdr + 1] << 16) |
                     ((uint64_t)b[start + hdr + 2] << 8) | b[start + hdr + 3];
            kind = ETW_V_IPV4;
        }
        break;

    case ETW_IN_SID:
        NEED(8);
        if (b[start + 1] > 15) {
            set_error(c, slot, p, depth, ETW_DERR_BAD_SID, start, 0, 1);
            return;
        }
        n = 8 + 4u * b[start + 1];
        NEED(n);
        v->data_len = n;
        kind = ETW_V_SID;
        break;

    case ETW_IN_WBEMSID:
        /* TOKEN_USER (2 pointers, content meaningless) + SID; a single u32 0
         * means "no SID" (kernel MOF events, PerfView SkipSID). */
        NEED(4);
        if (etw_le32(b + start) == 0) {
            n = 4;
            kind = ETW_V_NULL;
            break;
        }
        hdr = 2u * c->ptr;
        NEED(hdr + 8);
        if (b[start + hdr + 1] > 15) {
            set_error(c, slot, p, depth, ETW_DERR_BAD_SID, start, 0, 1);
            return;
        }
        n = hdr + 8 + 4u * b[start + hdr + 1];
        NEED(n);
        v->data_off = start + hdr;
        v->data_len = n - hdr;
        kind = ETW_V_SID;
        break;

    default:
        set_error(c, slot, p, depth, ETW_DERR_BAD_TYPE, start, 0, 1);
        return;
    }
#undef NEED

    v->kind = (uint8_t)kind;
    v->length = n;
    if (v->error)
        c->errors++;
    c->pos = start + n;
}

/* Decodes property pi (scalar, struct, array or char array) into slot. */
static void decode_prop(dctx *c, uint32_t pi, uint32_t slot, uint32_t depth) {
    const etw_prop *p = &c->s->props[pi];
    uint32_t start = c->pos, rem = c->len - c->pos, hdr = 0, count, first = 0, i;
    etw_value *v;
    int r;

    if (!(p->flags & ETW_PROP_ARRAY)) {
        decode_elem(c, pi, slot, depth, 1);
        return;
    }
    /* Element count. */
    if (p->flags & ETW_PROP_TL_COUNT16) {
        if (rem < 2) {
            set_error(c, slot, p, depth, rem ? ETW_DERR_TRUNCATED : ETW_DERR_MISSING, start, 0,
                      1);
            return;
        }
        count = etw_le16(c->p + start);
        hdr = 2;
    } else if (p->flags & ETW_PROP_REST_COUNT) {
        uint32_t esz = (p->flags & ETW_PROP_STRUCT) ? 0 : fixed_size(p->in_type, c->ptr);
        if (!esz) {
            set_error(c, slot, p, depth, ETW_DERR_BAD_TYPE, start, 0, 1);
            return;
        }
        count = rem / esz; /* a partial element stays as leftover bytes */
    } else if (p->flags & ETW_PROP_PARAM_COUNT) {
        int64_t cv = ref_value(c, p->count);
        if (cv < 0 || cv > 0xFFFFFFFFll) {
            set_error(c, slot, p, depth, ETW_DERR_BAD_REF, start, 0, 1);
            return;
        }
        count = (uint32_t)cv;
    } else {
        count = p->count;
    }

    if (is_char_array(p)) {
        uint32_t esz = fixed_size(p->in_type, c->ptr);
        uint64_t bytes = (uint64_t)count * esz;
        if (bytes > rem - hdr) {
            set_error(c, slot, p, depth, ETW_DERR_TRUNCATED, start, 0, 1);
            return;
        }
        v = &c->d->nodes[slot];
        fill_common(c, v, p, depth);
        v->offset = start;
        v->length = hdr + (uint32_t)bytes;
        v->data_off = start + hdr;
        if (esz == 2) {
            v->kind = ETW_V_UTF16;
            v->data_len = utf16_until_nul(c->p + start + hdr, (uint32_t)bytes);
        } else {
            v->kind = (uint8_t)string8_kind(p->out_type);
            v->data_len = ansi_until_nul(c->p + start + hdr, (uint32_t)bytes);
        }
        c->pos = start + v->length;
        return;
    }

    r = count ? reserve(c, count, &first) : 0;
    if (r) {
        uint32_t esz = (p->flags & ETW_PROP_STRUCT) ? 0 : fixed_size(p->in_type, c->ptr);
        uint64_t bytes = (uint64_t)count * esz;
        if (r < 0) {
            c->stopped = 1;
            return;
        }
        /* Too many values: skip the array when its size is still known. */
        if (esz && bytes <= rem - hdr) {
            set_error(c, slot, p, depth, r, start, hdr + (uint32_t)bytes, 0);
            c->pos = start + hdr + (uint32_t)bytes;
        } else {
            set_error(c, slot, p, depth, r, start, 0, 1);
        }
        return;
    }
    c->pos = start + hdr;
    for (i = 0; i < count; i++) {
        decode_elem(c, pi, first + i, depth + 1, 0);
        if (c->stopped) {
            if (c->d->nodes[first + i].kind != ETW_V_NONE)
                i++; /* keep the element that stopped (an ERROR or partial struct) */
            break;
        }
    }
    v = &c->d->nodes[slot];
    fill_common(c, v, p, depth);
    v->kind = ETW_V_ARRAY;
    v->offset = start;
    v->length = c->pos - start;
    v->first_child = first;
    v->child_count = i;
}

/* Decodes count properties starting at first_prop into slots starting at
 * first_slot; *filled = slots used (contiguous from first_slot). */
static int decode_props(dctx *c, uint32_t first_prop, uint32_t count, uint32_t first_slot,
                        uint32_t depth, uint32_t *filled) {
    uint32_t i;
    *filled = 0;
    for (i = 0; i < count && !c->stopped && !c->ended; i++) {
        const etw_prop *p = &c->s->props[first_prop + i];
        if (c->pos >= c->len && (p->flags & ETW_PROP_OPTIONAL)) {
            c->ended = 1;
            break;
        }
        decode_prop(c, first_prop + i, first_slot + i, depth);
        if (c->d->nodes[first_slot + i].kind == ETW_V_NONE)
            break; /* out of memory */
        *filled = i + 1;
    }
    return 0;
}

int etw_decode(etw_decoder *d, const etw_schema *s, const uint8_t *payload, uint32_t len,
               uint8_t pointer_size, etw_registry *registry, etw_decoded *out) {
    dctx c;
    uint32_t first = 0, filled = 0;
    int r;
    if (!d || !s || !out || (!payload && len))
        return ETW_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->schema = s;
    out->payload = payload;
    out->payload_len = len;
    out->nodes = d->nodes;
    memset(&c, 0, sizeof c);
    c.d = d;
    c.s = s;
    c.p = payload;
    c.len = len;
    c.ptr = pointer_size == 4 ? 4 : 8;
    c.reg = registry;

    if (s->invalid) {
        /* One error node covering the payload. */
        static const etw_prop bad = {.name = ""};
        etw_value *v = &d->nodes[0];
        memset(v, 0, sizeof *v);
        v->name = bad.name;
        v->prop = &bad;
        v->kind = ETW_V_ERROR;
        v->error = ETW_DERR_BAD_SCHEMA;
        v->length = v->data_len = len;
        out->node_count = out->top_count = 1;
        out->error_count = 1;
        out->leftover = len;
        out->status = ETW_DECODE_STOPPED;
        return ETW_OK;
    }
    if (s->prop_count > d->ref_cap) {
        uint32_t ncap = s->prop_count;
        int64_t *nr = (int64_t *)realloc(d->ref, ncap * sizeof(int64_t));
        uint8_t *ns;
        if (!nr)
            return ETW_ERR_NOMEM;
        d->ref = nr;
        ns = (uint8_t *)realloc(d->ref_set, ncap);
        if (!ns)
            return ETW_ERR_NOMEM;
        d->ref_set = ns;
        d->ref_cap = ncap;
    }
    if (s->prop_count)
        memset(d->ref_set, 0, s->prop_count);

    r = s->top_count ? reserve(&c, s->top_count, &first) : 0;
    if (r > 0) {
        /* More top-level properties than nodes allowed: report, keep bytes. */
        out->leftover = len;
        out->status = ETW_DECODE_STOPPED;
        out->error_count = 1;
        return ETW_OK;
    }
    if (r == 0)
        decode_props(&c, 0, s->top_count, first, 0, &filled);
    out->nodes = d->nodes;
    out->node_count = c.n;
    out->top_count = filled;
    out->used = c.pos;
    out->leftover = len - c.pos;
    out->error_count = c.errors;
    out->status = c.stopped ? ETW_DECODE_STOPPED
                            : (c.errors ? ETW_DECODE_ERRORS : ETW_DECODE_OK);
    if (c.nomem) {
        out->status = ETW_DECODE_STOPPED;
        return ETW_ERR_NOMEM;
    }
    return ETW_OK;
}

int etw_decode_record(etw_decoder *d, const etw_schema *schema, const etw_record *rec,
                      etw_registry *registry, etw_decoded *out) {
    if (!rec)
        return ETW_ERR_ARG;
    if ((rec->flags & ETW_EHF_STRING_ONLY) && rec->kind != ETW_KIND_KERNEL &&
        rec->kind != ETW_KIND_CLASSIC)
        schema = etw_schema_string_only();
    return etw_decode(d, schema, rec->user_data, rec->user_data_length, rec->pointer_size,
                      registry, out);
}
