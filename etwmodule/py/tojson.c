/* tojson.c - Event.to_json() and Event.format(). The JSON is written in C
 * straight from the record and the decoder's nodes (no Python objects on the
 * way), with the same layout and the same conversions as Event.to_dict()
 * (event.c): GUIDs as "{UPPER-CASE}" strings, times as
 * "YYYY-MM-DDTHH:MM:SS.fffffffZ" (full 100 ns precision), binary as
 * lower-case hex, integers as JSON numbers, floats as Python's repr
 * (non-finite ones as null), strings as UTF-8 with unpaired UTF-16
 * surrogates escaped as \uXXXX. The output depends only on the bytes of the
 * trace, never on the platform or the locale. */
#include "etwpy_props.h"

#include <datetime.h>
#include <math.h>
#include <stdio.h>

/* ------------------------------------------------------------ writer */

typedef struct jw {
    char *buf;
    size_t len, cap;
    int heap;
    int nonascii; /* a byte >= 0x80 was written (else the text is ASCII) */
    char stack[2048];
} jw;

static void jw_init(jw *w) {
    w->buf = w->stack;
    w->len = 0;
    w->cap = sizeof w->stack;
    w->heap = 0;
    w->nonascii = 0;
}

/* The text as a str (ASCII is copied straight into a compact str). */
static PyObject *jw_result(jw *w) {
    PyObject *s;
    if (w->nonascii) return PyUnicode_DecodeUTF8(w->buf, (Py_ssize_t)w->len, "strict");
    s = PyUnicode_New((Py_ssize_t)w->len, 127);
    if (s) memcpy(PyUnicode_1BYTE_DATA(s), w->buf, w->len);
    return s;
}

static void jw_free(jw *w) {
    if (w->heap) PyMem_Free(w->buf);
    w->buf = NULL;
}

static int jw_grow(jw *w, size_t n) {
    size_t ncap = w->cap;
    char *nb;
    while (ncap - w->len < n) {
        if (ncap > ((size_t)PY_SSIZE_T_MAX) / 2) {
            PyErr_NoMemory();
            return -1;
        }
        ncap *= 2;
    }
    if (w->heap) {
        nb = (char *)PyMem_Realloc(w->buf, ncap);
    } else {
        nb = (char *)PyMem_Malloc(ncap);
        if (nb) memcpy(nb, w->buf, w->len);
    }
    if (!nb) {
        PyErr_NoMemory();
        return -1;
    }
    w->buf = nb;
    w->cap = ncap;
    w->heap = 1;
    return 0;
}

#define JW_NEED(w, n) (((w)->cap - (w)->len >= (size_t)(n)) ? 0 : jw_grow((w), (size_t)(n)))

static int jw_put(jw *w, const char *s, size_t n) {
    if (JW_NEED(w, n) < 0) return -1;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    return 0;
}
#define jw_lit(w, s) jw_put((w), (s), sizeof(s) - 1)

static int jw_c(jw *w, char c) {
    if (JW_NEED(w, 1) < 0) return -1;
    w->buf[w->len++] = c;
    return 0;
}

static int jw_u64(jw *w, uint64_t u) {
    static const char pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char tmp[24];
    int n = 24;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        tmp[--n] = pairs[2 * r + 1];
        tmp[--n] = pairs[2 * r];
    }
    if (u >= 10) {
        tmp[--n] = pairs[2 * u + 1];
        tmp[--n] = pairs[2 * u];
    } else {
        tmp[--n] = (char)('0' + u);
    }
    return jw_put(w, tmp + n, (size_t)(24 - n));
}

static int jw_i64(jw *w, int64_t i) {
    if (i < 0) {
        if (jw_c(w, '-') < 0) return -1;
        return jw_u64(w, (uint64_t)0 - (uint64_t)i);
    }
    return jw_u64(w, (uint64_t)i);
}

static int jw_dbl(jw *w, double d) {
    char *s;
    int rc;
    if (!isfinite(d)) return jw_lit(w, "null");
    s = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (!s) return -1;
    rc = jw_put(w, s, strlen(s));
    PyMem_Free(s);
    return rc;
}

/* Appends one code point as UTF-8, escaping what JSON requires. */
static int jw_cp(jw *w, uint32_t c) {
    static const char hex[] = "0123456789abcdef";
    char *o;
    if (JW_NEED(w, 6) < 0) return -1;
    o = w->buf + w->len;
    if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
            o[0] = (char)c;
            w->len += 1;
            return 0;
        }
        o[0] = '\\';
        switch (c) {
        case '"': o[1] = '"'; w->len += 2; return 0;
        case '\\': o[1] = '\\'; w->len += 2; return 0;
        case '\b': o[1] = 'b'; w->len += 2; return 0;
        case '\f': o[1] = 'f'; w->len += 2; return 0;
        case '\n': o[1] = 'n'; w->len += 2; return 0;
        case '\r': o[1] = 'r'; w->len += 2; return 0;
        case '\t': o[1] = 't'; w->len += 2; return 0;
        default: break;
        }
    }
    if (c < 0x20 || (c >= 0xD800 && c <= 0xDFFF)) {
        /* controls, and unpaired surrogates (not encodable as UTF-8) */
        o[0] = '\\';
        o[1] = 'u';
        o[2] = hex[(c >> 12) & 15];
        o[3] = hex[(c >> 8) & 15];
        o[4] = hex[(c >> 4) & 15];
        o[5] = hex[c & 15];
        w->len += 6;
    } else if (c < 0x800) {
        w->nonascii = 1;
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        w->len += 2;
    } else if (c < 0x10000) {
        w->nonascii = 1;
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        w->len += 3;
    } else {
        w->nonascii = 1;
        o[0] = (char)(0xF0 | (c >> 18));
        o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[3] = (char)(0x80 | (c & 0x3F));
        w->len += 4;
    }
    return 0;
}

/* Bytes that need an escape in a JSON string. */
#define JESC(c) ((unsigned char)(c) < 0x20 || (c) == '"' || (c) == '\\')

/* True when one of the 8 bytes of x is < 0x20, '"', '\\' or >= 0x80. SWAR
 * (bit hacks "haszero"/"hasless"): (v - 0x01..) & ~v & 0x80.. is non-zero
 * iff some byte of v is 0, (v - n*0x01..) & ~v & 0x80.. iff some byte < n. */
static int jw_special8(uint64_t x) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & high ? 1 : 0;
}

/* A quoted string from valid UTF-8 (schema names, our own ASCII text). */
static int jw_str(jw *w, const char *s, size_t n) {
    size_t i = 0;
    if (JW_NEED(w, n + 2) < 0) return -1;
    w->buf[w->len++] = '"';
    while (i < n) {
        size_t j = i;
        while (j + 8 <= n) {
            uint64_t x;
            memcpy(&x, s + j, 8);
            if (jw_special8(x)) break;
            j += 8;
        }
        while (j < n && !JESC(s[j]) && !((unsigned char)s[j] & 0x80)) j++;
        if (j > i && jw_put(w, s + i, j - i) < 0) return -1;
        if (j < n) {
            unsigned char c = (unsigned char)s[j];
            if (c & 0x80) {
                w->nonascii = 1; /* UTF-8 passes through */
                if (jw_c(w, (char)c) < 0) return -1;
            } else if (jw_cp(w, c) < 0) {
                return -1;
            }
        }
        i = j + 1;
    }
    return jw_c(w, '"');
}
#define jw_cstr(w, s) jw_str((w), (s), strlen(s))

static int jw_str_utf16(jw *w, const uint8_t *p, size_t nbytes) {
    size_t n = nbytes / 2;
    if (jw_c(w, '"') < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = etw_le16(p + 2 * i);
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n) {
            uint32_t lo = etw_le16(p + 2 * i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            }
        }
        if (jw_cp(w, c) < 0) return -1;
    }
    return jw_c(w, '"');
}

static int jw_str_ansi(jw *w, const uint8_t *p, size_t n) {
    if (jw_c(w, '"') < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (jw_cp(w, etwpy_cp1252[p[i]]) < 0) return -1;
    return jw_c(w, '"');
}

/* UTF-8 payload strings may be invalid: decode them exactly as the str
 * value is decoded (errors="replace"), then write that. */
static int jw_str_utf8(jw *w, const uint8_t *p, size_t n) {
    PyObject *s = PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)n, "replace");
    Py_ssize_t k;
    const char *u;
    int rc;
    if (!s) return -1;
    u = PyUnicode_AsUTF8AndSize(s, &k); /* no surrogates after "replace" */
    rc = u ? jw_str(w, u, (size_t)k) : -1;
    Py_DECREF(s);
    return rc;
}

static int jw_hex(jw *w, const uint8_t *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    char *o;
    if (JW_NEED(w, 2 * n + 2) < 0) return -1;
    o = w->buf + w->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        *o++ = hex[p[i] >> 4];
        *o++ = hex[p[i] & 15];
    }
    *o++ = '"';
    w->len += 2 * n + 2;
    return 0;
}

static int jw_guid(jw *w, const etw_guid *g) {
    char b[40];
    int n = etwpy_fmt_guid_braced(b, g);
    if (JW_NEED(w, n + 2) < 0) return -1;
    w->buf[w->len++] = '"';
    memcpy(w->buf + w->len, b, (size_t)n);
    w->len += (size_t)n;
    w->buf[w->len++] = '"';
    return 0;
}

static int jw_ascii_or_null(jw *w, const char *b, int n) {
    if (n < 0) return jw_lit(w, "null");
    return jw_str(w, b, (size_t)n);
}

/* ------------------------------------------------------------ keys of an object */

/* Keys of one JSON object, with the same renaming of repeated names as the
 * dict (props.c dict_put: "Name", "Name#2", "Name#3", ...). A 64-bit Bloom
 * mask keeps the usual case (no repeats) to one hash per key. */
#define KS_STACK 64
typedef struct keyset {
    uint64_t bloom;
    size_t n, cap;
    uint64_t *hash;
    const char **name;
    char **owned; /* renamed keys (allocated), else NULL */
    uint64_t stack_hash[KS_STACK];
    const char *stack_name[KS_STACK];
    char *stack_owned[KS_STACK];
} keyset;

static uint64_t fnv(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    while (*s) h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
    return h;
}

static int ks_init(keyset *k, size_t count) {
    k->bloom = 0;
    k->n = 0;
    k->cap = count;
    if (count <= KS_STACK) {
        k->hash = k->stack_hash;
        k->name = k->stack_name;
        k->owned = k->stack_owned;
        return 0;
    }
    k->hash = (uint64_t *)PyMem_Malloc(count * sizeof *k->hash);
    k->name = (const char **)PyMem_Malloc(count * sizeof *k->name);
    k->owned = (char **)PyMem_Malloc(count * sizeof *k->owned);
    if (!k->hash || !k->name || !k->owned) {
        PyMem_Free(k->hash);
        PyMem_Free((void *)k->name);
        PyMem_Free(k->owned);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void ks_free(keyset *k) {
    for (size_t i = 0; i < k->n; i++) PyMem_Free(k->owned[i]);
    if (k->hash != k->stack_hash) {
        PyMem_Free(k->hash);
        PyMem_Free((void *)k->name);
        PyMem_Free(k->owned);
    }
}

static int ks_has(const keyset *k, const char *s, uint64_t h) {
    if (!(k->bloom & ((uint64_t)1 << (h & 63)))) return 0;
    for (size_t i = 0; i < k->n; i++)
        if (k->hash[i] == h && strcmp(k->name[i], s) == 0) return 1;
    return 0;
}

static void ks_add(keyset *k, const char *s, uint64_t h, char *owned) {
    k->hash[k->n] = h;
    k->name[k->n] = s;
    k->owned[k->n] = owned;
    k->n++;
    k->bloom |= (uint64_t)1 << (h & 63);
}

/* The key to emit for name: name itself, or name#N when taken. NULL with
 * an exception when out of memory. */
static const char *ks_take(keyset *k, const char *name) {
    uint64_t h = fnv(name);
    size_t len;
    if (!ks_has(k, name, h)) {
        ks_add(k, name, h, NULL);
        return name;
    }
    len = strlen(name);
    for (int n = 2;; n++) {
        char *nk = (char *)PyMem_Malloc(len + 16);
        if (!nk) {
            PyErr_NoMemory();
            return NULL;
        }
        snprintf(nk, len + 16, "%s#%d", name, n);
        h = fnv(nk);
        if (!ks_has(k, nk, h)) {
            ks_add(k, nk, h, nk);
            return nk;
        }
        PyMem_Free(nk);
    }
}

/* ------------------------------------------------------------ values */

static int jw_node(jw *w, etwpy_dec *x, const etw_value *v);

static int jw_members(jw *w, etwpy_dec *x, uint32_t first, uint32_t count) {
    keyset ks;
    int rc = -1;
    if (jw_c(w, '{') < 0) return -1;
    if (count > 1 && ks_init(&ks, count) < 0) return -1;
    for (uint32_t i = 0; i < count; i++) {
        const etw_value *c = &x->d.nodes[first + i];
        const char *key = c->name;
        if (count > 1 && !(key = ks_take(&ks, c->name))) goto out;
        if (i && jw_c(w, ',') < 0) goto out;
        if (jw_cstr(w, key) < 0 || jw_c(w, ':') < 0 || jw_node(w, x, c) < 0) goto out;
    }
    rc = jw_c(w, '}');
out:
    if (count > 1) ks_free(&ks);
    return rc;
}

static int jw_node(jw *w, etwpy_dec *x, const etw_value *v) {
    const uint8_t *p = x->d.payload;
    char b[208];
    switch (v->kind) {
    case ETW_V_INT: return jw_i64(w, v->v.i);
    case ETW_V_UINT: return jw_u64(w, v->v.u);
    case ETW_V_FLOAT:
    case ETW_V_DOUBLE: return jw_dbl(w, v->v.d);
    case ETW_V_BOOL: return v->v.u ? jw_lit(w, "true") : jw_lit(w, "false");
    case ETW_V_UTF16: return jw_str_utf16(w, p + v->data_off, v->data_len);
    case ETW_V_ANSI: return jw_str_ansi(w, p + v->data_off, v->data_len);
    case ETW_V_UTF8: return jw_str_utf8(w, p + v->data_off, v->data_len);
    case ETW_V_BINARY: return jw_hex(w, p + v->data_off, v->data_len);
    case ETW_V_GUID: {
        etw_guid g = etw_guid_load(p + v->data_off);
        return jw_guid(w, &g);
    }
    case ETW_V_FILETIME: {
        int n = etwpy_fmt_filetime(b, v->v.i);
        return n < 0 ? jw_i64(w, v->v.i) : jw_str(w, b, (size_t)n);
    }
    case ETW_V_SYSTEMTIME:
        return jw_ascii_or_null(w, b, etwpy_fmt_systemtime(b, p + v->data_off));
    case ETW_V_SID: return jw_ascii_or_null(w, b, etwpy_fmt_sid(b, p + v->data_off, v->data_len));
    case ETW_V_IPV4: return jw_ascii_or_null(w, b, etwpy_fmt_ipv4(b, p + v->data_off));
    case ETW_V_IPV6: return jw_ascii_or_null(w, b, etwpy_fmt_ipv6(b, p + v->data_off));
    case ETW_V_SOCKADDR: {
        int n = etwpy_fmt_sockaddr(b, p + v->data_off, v->data_len);
        return n < 0 ? jw_hex(w, p + v->data_off, v->data_len) : jw_str(w, b, (size_t)n);
    }
    case ETW_V_STRUCT: return jw_members(w, x, v->first_child, v->child_count);
    case ETW_V_ARRAY:
        if (jw_c(w, '[') < 0) return -1;
        for (uint32_t i = 0; i < v->child_count; i++) {
            if (i && jw_c(w, ',') < 0) return -1;
            if (jw_node(w, x, &x->d.nodes[v->first_child + i]) < 0) return -1;
        }
        return jw_c(w, ']');
    default: return jw_lit(w, "null");
    }
}

/* ------------------------------------------------------------ the event */

static int jw_name_value(jw *w, unsigned value, const char *name) {
    if (jw_lit(w, "{\"Value\":") < 0 || jw_u64(w, value) < 0 || jw_lit(w, ",\"Name\":") < 0 ||
        jw_cstr(w, name ? name : "") < 0)
        return -1;
    return jw_c(w, '}');
}

/* The System parts that depend only on the schema and the header's provider,
 * kind, id, version, level, task, opcode, channel and keyword: the head, from
 * the opening brace through the Keywords object, and the tail, from the
 * Execution object's closing brace through the Channel object and System's
 * closing brace. */
static int jw_system_head(jw *w, const etw_record *r, const etw_schema *s) {
    char b[512];
    size_t n;
    int k;
    if (jw_lit(w, "{\"Provider\":{\"Name\":") < 0 ||
        jw_cstr(w, etwpy_provider_name(r, s) ? etwpy_provider_name(r, s) : "") < 0 ||
        jw_lit(w, ",\"Guid\":") < 0 || jw_guid(w, &r->provider_id) < 0)
        return -1;
    n = etwpy_event_name(r, s, b, sizeof b);
    if (jw_lit(w, "},\"EventName\":") < 0 || jw_str(w, b, n) < 0) return -1;
    if (jw_lit(w, ",\"EventID\":") < 0 || jw_u64(w, r->id) < 0 ||
        jw_lit(w, ",\"Version\":") < 0 || jw_u64(w, r->version) < 0)
        return -1;
    if (jw_lit(w, ",\"Level\":") < 0 || jw_name_value(w, r->level, etwpy_level_name(r, s)) < 0 ||
        jw_lit(w, ",\"Task\":") < 0 || jw_name_value(w, r->task, etwpy_task_name(r, s)) < 0 ||
        jw_lit(w, ",\"Opcode\":") < 0 ||
        jw_name_value(w, r->opcode, etwpy_opcode_name(r, s)) < 0)
        return -1;
    b[0] = '0';
    b[1] = 'x';
    for (k = 0; k < 16; k++) b[2 + k] = "0123456789ABCDEF"[(r->keyword >> (60 - 4 * k)) & 15];
    if (jw_lit(w, ",\"Keywords\":{\"Mask\":") < 0 || jw_str(w, b, 18) < 0 ||
        jw_lit(w, ",\"Name\":[") < 0)
        return -1;
    if (s)
        for (uint16_t i = 0; i < s->keyword_count; i++)
            if ((i && jw_c(w, ',') < 0) || jw_cstr(w, s->keyword_names[i]) < 0) return -1;
    return jw_lit(w, "]}");
}

static int jw_system_tail(jw *w, const etw_record *r, const etw_schema *s) {
    if (jw_lit(w, "},\"Channel\":") < 0 ||
        jw_name_value(w, r->channel, etwpy_channel_name(r, s)) < 0)
        return -1;
    return jw_c(w, '}');
}

/* r's System head and tail from the System cache (props.c), written there on
 * first use. Returns NULL with an exception (out of memory). */
static const etwpy_sys_json *jw_system_text(etwpy_state *st, const etw_record *r,
                                            const etw_schema *s, uint64_t serial) {
    etwpy_sys_json *j = etwpy_system_json(st, r, s, serial);
    size_t head_len;
    char *text;
    jw t;
    if (!j || j->text) return j;
    jw_init(&t);
    if (jw_system_head(&t, r, s) < 0) {
        jw_free(&t);
        return NULL;
    }
    head_len = t.len;
    if (jw_system_tail(&t, r, s) < 0 || !(text = (char *)PyMem_Malloc(t.len ? t.len : 1))) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        jw_free(&t);
        return NULL;
    }
    memcpy(text, t.buf, t.len);
    j->text = text;
    j->head_len = (uint32_t)head_len;
    j->tail_len = (uint32_t)(t.len - head_len);
    j->nonascii = (uint8_t)t.nonascii;
    jw_free(&t);
    return j;
}

static int jw_system(jw *w, etwpy_state *st, EventObject *ev, const etw_schema *s,
                     uint64_t serial) {
    const etw_record *r = ev->rec;
    char b[64];
    const etw_ext_item *rel = NULL;
    const etwpy_sys_json *text;
    int k;
    /* Without a registry serial (an event with no trace) a schema's address
     * says nothing: no cache. */
    if (s && !serial) {
        if (jw_system_head(w, r, s) < 0) return -1;
        text = NULL;
    } else {
        if (!(text = jw_system_text(st, r, s, s ? serial : 0)) ||
            jw_put(w, text->text, text->head_len) < 0)
            return -1;
        if (text->nonascii) w->nonascii = 1;
    }
    k = etwpy_fmt_filetime(b, r->filetime);
    if (jw_lit(w, ",\"TimeCreated\":{\"SystemTime\":") < 0 ||
        (k < 0 ? jw_i64(w, r->filetime) : jw_str(w, b, (size_t)k)) < 0)
        return -1;
    if (jw_lit(w, "},\"Correlation\":{\"ActivityID\":") < 0 ||
        (etw_guid_is_zero(&r->activity_id) ? jw_lit(w, "null") : jw_guid(w, &r->activity_id)) < 0)
        return -1;
    for (uint16_t i = 0; i < r->ext_count; i++)
        if (r->ext[i].type == ETW_EXT_RELATED_ACTIVITYID) {
            rel = &r->ext[i];
            break;
        }
    if (jw_lit(w, ",\"RelatedActivityID\":") < 0) return -1;
    if (rel && rel->size >= 16) {
        etw_guid g = etw_guid_load(rel->data);
        if (jw_guid(w, &g) < 0) return -1;
    } else if (jw_lit(w, "null") < 0) {
        return -1;
    }
    if (jw_lit(w, "},\"Execution\":{\"ProcessID\":") < 0 || jw_u64(w, r->process_id) < 0 ||
        jw_lit(w, ",\"ThreadID\":") < 0 || jw_u64(w, r->thread_id) < 0 ||
        jw_lit(w, ",\"ProcessorID\":") < 0 || jw_u64(w, r->processor) < 0 ||
        jw_lit(w, ",\"KernelTime\":") < 0 || jw_u64(w, r->kernel_time) < 0 ||
        jw_lit(w, ",\"UserTime\":") < 0 || jw_u64(w, r->user_time) < 0)
        return -1;
    /* No Python code ran since the lookup: the cached text is still this key's. */
    if (text) return jw_put(w, text->text + text->head_len, text->tail_len);
    return jw_system_tail(w, r, s);
}

/* The extended data items, as Event.extended (event.c) has them, without
 * the TraceLogging schema items. */
static int jw_extended(jw *w, const etw_record *r) {
    int first = 1;
    char b[208];
    if (jw_c(w, '{') < 0) return -1;
    for (uint16_t i = 0; i < r->ext_count; i++) {
        const etw_ext_item *it = &r->ext[i];
        const uint8_t *p = it->data;
        size_t n = it->size;
        if (it->type == ETW_EXT_EVENT_SCHEMA_TL || it->type == ETW_EXT_PROV_TRAITS) continue;
        if (!first && jw_c(w, ',') < 0) return -1;
        first = 0;
        switch (it->type) {
        case ETW_EXT_RELATED_ACTIVITYID:
        case ETW_EXT_CONTROL_GUID:
            if (n < 16) goto raw;
            {
                etw_guid g = etw_guid_load(p);
                if (jw_cstr(w, it->type == ETW_EXT_CONTROL_GUID ? "control_guid"
                                                                 : "related_activity_id") < 0 ||
                    jw_c(w, ':') < 0 || jw_guid(w, &g) < 0)
                    return -1;
            }
            break;
        case ETW_EXT_SID: {
            int k = etwpy_fmt_sid(b, p, n);
            if (k < 0) goto raw;
            if (jw_lit(w, "\"sid\":") < 0 || jw_str(w, b, (size_t)k) < 0) return -1;
            break;
        }
        case ETW_EXT_TS_ID:
            if (n < 4) goto raw;
            if (jw_lit(w, "\"ts_id\":") < 0 || jw_u64(w, etw_le32(p)) < 0) return -1;
            break;
        case ETW_EXT_INSTANCE_INFO:
            if (n < 24) goto raw;
            {
                etw_guid g = etw_guid_load(p + 8);
                if (jw_lit(w, "\"instance_info\":{\"instance_id\":") < 0 ||
                    jw_u64(w, etw_le32(p)) < 0 || jw_lit(w, ",\"parent_instance_id\":") < 0 ||
                    jw_u64(w, etw_le32(p + 4)) < 0 || jw_lit(w, ",\"parent_guid\":") < 0 ||
                    jw_guid(w, &g) < 0 || jw_c(w, '}') < 0)
                    return -1;
            }
            break;
        case ETW_EXT_STACK_TRACE32:
        case ETW_EXT_STACK_TRACE64: {
            size_t fw = it->type == ETW_EXT_STACK_TRACE32 ? 4 : 8, frames;
            if (n < 8) goto raw;
            frames = (n - 8) / fw;
            if (jw_lit(w, "\"stack\":[") < 0) return -1;
            for (size_t k = 0; k < frames; k++)
                if ((k && jw_c(w, ',') < 0) ||
                    jw_u64(w, fw == 4 ? etw_le32(p + 8 + 4 * k) : etw_le64(p + 8 + 8 * k)) < 0)
                    return -1;
            if (jw_lit(w, "],\"stack_match_id\":") < 0 || jw_u64(w, etw_le64(p)) < 0) return -1;
            break;
        }
        case ETW_EXT_STACK_KEY32:
        case ETW_EXT_STACK_KEY64:
            if (n < 16) goto raw;
            if (jw_lit(w, "\"stack_key\":{\"match_id\":") < 0 || jw_u64(w, etw_le64(p)) < 0 ||
                jw_lit(w, ",\"key\":") < 0 ||
                jw_u64(w, it->type == ETW_EXT_STACK_KEY32 ? etw_le32(p + 8) : etw_le64(p + 8)) < 0 ||
                jw_c(w, '}') < 0)
                return -1;
            break;
        case ETW_EXT_PEBS_INDEX:
        case ETW_EXT_PSM_KEY:
        case ETW_EXT_EVENT_KEY:
        case ETW_EXT_PROCESS_START_KEY:
            if (n < 8) goto raw;
            if (jw_cstr(w, it->type == ETW_EXT_PEBS_INDEX  ? "pebs_index"
                           : it->type == ETW_EXT_PSM_KEY   ? "psm_key"
                           : it->type == ETW_EXT_EVENT_KEY ? "event_key"
                                                           : "process_start_key") < 0 ||
                jw_c(w, ':') < 0 || jw_u64(w, etw_le64(p)) < 0)
                return -1;
            break;
        case ETW_EXT_PMC_COUNTERS:
            if (jw_lit(w, "\"pmc_counters\":[") < 0) return -1;
            for (size_t k = 0; k < n / 8; k++)
                if ((k && jw_c(w, ',') < 0) || jw_u64(w, etw_le64(p + 8 * k)) < 0) return -1;
            if (jw_c(w, ']') < 0) return -1;
            break;
        case ETW_EXT_CONTAINER_ID: {
            size_t len = 0;
            if (jw_lit(w, "\"container_id\":\"") < 0) return -1;
            while (len < n && p[len]) len++;
            for (size_t k = 0; k < len; k++) /* Latin-1, as the dict has it */
                if (jw_cp(w, p[k]) < 0) return -1;
            if (jw_c(w, '"') < 0) return -1;
            break;
        }
        case ETW_EXT_QPC_DELTA:
            if (jw_lit(w, "\"qpc_delta\":") < 0 || jw_hex(w, p, n) < 0) return -1;
            break;
        default:
        raw: {
            int k = snprintf(b, sizeof b, "ext_%u", it->type);
            if (jw_str(w, b, (size_t)k) < 0 || jw_c(w, ':') < 0 || jw_hex(w, p, n) < 0)
                return -1;
        }
        }
    }
    return jw_c(w, '}');
}

/* ------------------------------------------------------------ WPP arguments */

/* A str as a JSON string: UTF-8, unpaired surrogates as \uXXXX escapes. */
static int jw_pystr(jw *w, PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (PyUnicode_IS_ASCII(s)) return jw_str(w, (const char *)data, (size_t)n);
    if (jw_c(w, '"') < 0) return -1;
    for (Py_ssize_t i = 0; i < n; i++)
        if (jw_cp(w, (uint32_t)PyUnicode_READ(kind, data, i)) < 0) return -1;
    return jw_c(w, '"');
}

/* An int of any size as a JSON number. */
static int jw_pylong(jw *w, PyObject *v) {
    int overflow;
    long long i = PyLong_AsLongLongAndOverflow(v, &overflow);
    PyObject *text;
    const char *u;
    Py_ssize_t n;
    int rc;
    if (!overflow) {
        if (i == -1 && PyErr_Occurred()) return -1;
        return jw_i64(w, i);
    }
    if (overflow > 0) {
        unsigned long long q = PyLong_AsUnsignedLongLong(v);
        if (!(q == (unsigned long long)-1 && PyErr_Occurred())) return jw_u64(w, q);
        PyErr_Clear();
    }
    if (!(text = PyObject_Str(v))) return -1;
    u = PyUnicode_AsUTF8AndSize(text, &n);
    rc = u ? jw_put(w, u, (size_t)n) : -1;
    Py_DECREF(text);
    return rc;
}

/* A datetime as to_json writes times ("YYYY-MM-DDTHH:MM:SS.fffffffZ", in
 * UTC; a naive one is taken as UTC). */
static int jw_pydatetime(jw *w, etwpy_state *st, PyObject *v) {
    PyObject *utc = NULL;
    char b[40];
    int k;
    if (PyDateTime_DATE_GET_TZINFO(v) != Py_None) {
        if (!(utc = PyObject_CallMethod(v, "astimezone", "O", st->utc))) return -1;
        if (!PyDateTime_Check(utc)) {
            Py_DECREF(utc);
            return jw_lit(w, "null");
        }
        v = utc;
    }
    k = snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%06d0Z", PyDateTime_GET_YEAR(v),
                 PyDateTime_GET_MONTH(v), PyDateTime_GET_DAY(v), PyDateTime_DATE_GET_HOUR(v),
                 PyDateTime_DATE_GET_MINUTE(v), PyDateTime_DATE_GET_SECOND(v),
                 PyDateTime_DATE_GET_MICROSECOND(v));
    Py_XDECREF(utc);
    return jw_str(w, b, (size_t)(k > 0 && k < (int)sizeof b ? k : 0));
}

/* One value of a decoded WPP argument (etw.wpp: int, float, str, bytes,
 * uuid.UUID, datetime, timedelta, None) with to_json's conversions; a
 * timedelta as its seconds (a number), anything else as its str(). */
static int jw_pyvalue(jw *w, etwpy_state *st, PyObject *v) {
    PyObject *t;
    int rc;
    if (v == Py_None) return jw_lit(w, "null");
    if (PyBool_Check(v)) return v == Py_True ? jw_lit(w, "true") : jw_lit(w, "false");
    if (PyLong_Check(v)) return jw_pylong(w, v);
    if (PyFloat_Check(v)) return jw_dbl(w, PyFloat_AS_DOUBLE(v));
    if (PyUnicode_Check(v)) return jw_pystr(w, v);
    if (PyBytes_Check(v))
        return jw_hex(w, (const uint8_t *)PyBytes_AS_STRING(v), (size_t)PyBytes_GET_SIZE(v));
    if (PyObject_TypeCheck(v, (PyTypeObject *)st->uuid_class)) {
        char *b;
        Py_ssize_t n;
        etw_guid g;
        if (!(t = PyObject_GetAttrString(v, "bytes_le"))) return -1;
        if (PyBytes_AsStringAndSize(t, &b, &n) < 0 || n != 16) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad uuid.UUID");
            Py_DECREF(t);
            return -1;
        }
        g = etw_guid_load((const uint8_t *)b);
        Py_DECREF(t);
        return jw_guid(w, &g);
    }
    if (!PyDateTimeAPI) {
        PyDateTime_IMPORT;
        if (!PyDateTimeAPI) return -1;
    }
    if (PyDateTime_Check(v)) return jw_pydatetime(w, st, v);
    if (PyDelta_Check(v)) {
        if (!(t = PyObject_CallMethod(v, "total_seconds", NULL))) return -1;
        rc = PyFloat_Check(t) ? jw_dbl(w, PyFloat_AS_DOUBLE(t)) : jw_lit(w, "null");
        Py_DECREF(t);
        return rc;
    }
    if (!(t = PyObject_Str(v))) return -1;
    rc = jw_pystr(w, t);
    Py_DECREF(t);
    return rc;
}

/* EventData of a WPP event: its properties (the arguments by their TMF
 * names, as the mapping has them; kept in ev->props). */
static int jw_wpp_data(jw *w, etwpy_state *st, EventObject *ev) {
    PyObject *d, *k, *v;
    Py_ssize_t pos = 0;
    int rc = -1, first = 1;
    if (!(d = etwpy_event_props(ev))) return -1;
    Py_INCREF(d); /* held: converting a value may run Python code */
    if (jw_c(w, '{') < 0) goto out;
    while (PyDict_Next(d, &pos, &k, &v)) {
        int r;
        /* keys are str (a key of another type as its str(), as JSON wants) */
        k = PyUnicode_Check(k) ? Py_NewRef(k) : PyObject_Str(k);
        if (!k) goto out;
        Py_INCREF(v);
        r = (first ? 0 : jw_c(w, ',')) < 0 || jw_pystr(w, k) < 0 || jw_c(w, ':') < 0 ||
            jw_pyvalue(w, st, v) < 0;
        Py_DECREF(k);
        Py_DECREF(v);
        if (r) goto out;
        first = 0;
    }
    rc = jw_c(w, '}');
out:
    Py_DECREF(d);
    return rc;
}

PyObject *etwpy_event_to_json(etwpy_state *st, EventObject *ev) {
    etwpy_dec x;
    jw w;
    PyObject *res = NULL;
    if (etwpy_dec_run(st, ev, &x) < 0) return NULL;
    jw_init(&w);
    if (jw_lit(&w, "{\"System\":") < 0 || jw_system(&w, st, ev, x.schema, x.serial) < 0 ||
        jw_lit(&w, ",\"EventData\":") < 0)
        goto out;
    if (x.schema) {
        if (jw_members(&w, &x, 0, x.d.top_count) < 0) goto out;
    } else if (ev->rec->kind == ETW_KIND_WPP) {
        /* (no schema, so no decoder is held while the TMF hook runs) */
        if (jw_wpp_data(&w, st, ev) < 0) goto out;
    } else if (jw_lit(&w, "{}") < 0) {
        goto out;
    }
    if (jw_lit(&w, ",\"ExtendedData\":") < 0 || jw_extended(&w, ev->rec) < 0 || jw_c(&w, '}') < 0)
        goto out;
    etwpy_dec_done(&x);
    res = jw_result(&w);
    jw_free(&w);
    return res;
out:
    etwpy_dec_done(&x);
    jw_free(&w);
    return NULL;
}

/* ------------------------------------------------------------ format() */

static int is_bitmap(const etw_map *m) {
    return (m->flags & (ETW_MAP_MANIFEST_BITMAP | ETW_MAP_WBEM_BITMAP | ETW_MAP_WBEM_FLAG)) != 0;
}

/* Map rendering (tdh-types.md 4): a value map gives the entry's name or
 * the number; a bitmap gives the names of the set entries joined with
 * " | ", then any bits no entry names in hex. */
static int fmt_mapped(jw *w, const etw_map *m, uint64_t val) {
    if (!is_bitmap(m)) {
        for (uint32_t i = 0; i < m->count; i++)
            if (!m->entries[i].input && m->entries[i].value == val)
                return jw_put(w, m->entries[i].name, strlen(m->entries[i].name));
        return jw_u64(w, val);
    } else {
        uint64_t rest = val;
        int any = 0;
        char b[24];
        if (val == 0) {
            for (uint32_t i = 0; i < m->count; i++)
                if (!m->entries[i].input && m->entries[i].value == 0)
                    return jw_put(w, m->entries[i].name, strlen(m->entries[i].name));
            return jw_c(w, '0');
        }
        for (uint32_t i = 0; i < m->count; i++) {
            uint64_t bits = m->entries[i].value;
            if (m->entries[i].input || !bits || (val & bits) != bits) continue;
            if ((any && jw_lit(w, " | ") < 0) ||
                jw_put(w, m->entries[i].name, strlen(m->entries[i].name)) < 0)
                return -1;
            any = 1;
            rest &= ~bits;
        }
        if (rest) {
            int k = snprintf(b, sizeof b, "0x%llX", (unsigned long long)rest);
            if ((any && jw_lit(w, " | ") < 0) || jw_put(w, b, (size_t)k) < 0) return -1;
        }
        return 0;
    }
}

/* One value as Windows renders it (tdh-types.md 5). */
static int fmt_value(jw *w, etwpy_dec *x, const etw_value *v) {
    const uint8_t *p = x->d.payload;
    char b[208];
    int k;
    if (v->kind == ETW_V_INT || v->kind == ETW_V_UINT) {
        uint64_t u = v->v.u;
        const etw_map *m = v->map;
        if (!m && v->prop && v->prop->map_name)
            m = etw_registry_prop_map(x->reg, x->schema, v->prop);
        if (v->kind == ETW_V_INT && v->width < 8) /* the bits as stored */
            u &= ((uint64_t)1 << (8 * v->width)) - 1;
        if (m) return fmt_mapped(w, m, u);
        switch (v->out_type) {
        case ETW_OUT_HEXINT8: case ETW_OUT_HEXINT16: case ETW_OUT_HEXINT32:
        case ETW_OUT_HEXINT64: case ETW_OUT_CODE_POINTER:
            if (v->in_type == ETW_IN_POINTER || v->in_type == ETW_IN_SIZET)
                break;
            k = snprintf(b, sizeof b, "0x%llX", (unsigned long long)u);
            return jw_put(w, b, (size_t)k);
        case ETW_OUT_HRESULT: case ETW_OUT_NTSTATUS: case ETW_OUT_WIN32ERROR:
        case ETW_OUT_ERRORCODE:
            k = snprintf(b, sizeof b, "0x%08llX", (unsigned long long)u);
            return jw_put(w, b, (size_t)k);
        default:
            if (v->in_type != ETW_IN_POINTER && v->in_type != ETW_IN_SIZET &&
                v->in_type != ETW_IN_HEXINT32 && v->in_type != ETW_IN_HEXINT64)
                return v->kind == ETW_V_INT ? jw_i64(w, v->v.i) : jw_u64(w, u);
        }
        if (v->in_type == ETW_IN_POINTER || v->in_type == ETW_IN_SIZET) {
            /* pointers: padded to the pointer's width, as TDH prints them */
            k = snprintf(b, sizeof b, "0x%0*llX", 2 * v->width, (unsigned long long)u);
            return jw_put(w, b, (size_t)k);
        }
        k = snprintf(b, sizeof b, "0x%llX", (unsigned long long)u);
        return jw_put(w, b, (size_t)k);
    }
    switch (v->kind) {
    case ETW_V_FLOAT:
    case ETW_V_DOUBLE: {
        char *s = PyOS_double_to_string(v->v.d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
        if (!s) return -1;
        k = jw_put(w, s, strlen(s));
        PyMem_Free(s);
        return k;
    }
    case ETW_V_BOOL: return v->v.u ? jw_lit(w, "true") : jw_lit(w, "false");
    case ETW_V_BINARY: {
        static const char hex[] = "0123456789ABCDEF";
        if (jw_lit(w, "0x") < 0) return -1;
        for (uint32_t i = 0; i < v->data_len; i++) {
            char h[2] = {hex[p[v->data_off + i] >> 4], hex[p[v->data_off + i] & 15]};
            if (jw_put(w, h, 2) < 0) return -1;
        }
        return 0;
    }
    case ETW_V_GUID: {
        etw_guid g = etw_guid_load(p + v->data_off);
        k = etwpy_fmt_guid_braced(b, &g);
        return jw_put(w, b, (size_t)k);
    }
    case ETW_V_FILETIME:
        k = etwpy_fmt_filetime(b, v->v.i);
        if (k < 0) return jw_i64(w, v->v.i);
        return jw_put(w, b, (size_t)k);
    case ETW_V_SYSTEMTIME:
        k = etwpy_fmt_systemtime(b, p + v->data_off);
        return k < 0 ? 0 : jw_put(w, b, (size_t)k);
    case ETW_V_SID: k = etwpy_fmt_sid(b, p + v->data_off, v->data_len); break;
    case ETW_V_IPV4: k = etwpy_fmt_ipv4(b, p + v->data_off); break;
    case ETW_V_IPV6: k = etwpy_fmt_ipv6(b, p + v->data_off); break;
    case ETW_V_SOCKADDR: k = etwpy_fmt_sockaddr(b, p + v->data_off, v->data_len); break;
    case ETW_V_STRUCT:
    case ETW_V_ARRAY: return jw_node(w, x, v);
    default: return 0; /* NULL, ERROR: empty text */
    }
    return k < 0 ? 0 : jw_put(w, b, (size_t)k);
}

PyObject *etwpy_event_format(etwpy_state *st, EventObject *ev, PyObject *name) {
    etwpy_dec x;
    const char *cname;
    const etw_value *v;
    PyObject *res = NULL;
    long i;
    jw w;
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "property name must be str, not %.100s",
                     Py_TYPE(name)->tp_name);
        return NULL;
    }
    cname = PyUnicode_AsUTF8(name);
    if (!cname) return NULL;
    if (etwpy_dec_run(st, ev, &x) < 0) return NULL;
    i = etwpy_dec_find(&x, cname);
    if (i < 0) {
        etwpy_dec_done(&x);
        PyErr_SetObject(PyExc_KeyError, name);
        return NULL;
    }
    v = &x.d.nodes[i];
    jw_init(&w);
    /* Text nodes are the str value itself. */
    if (v->kind == ETW_V_UTF16 || v->kind == ETW_V_ANSI || v->kind == ETW_V_UTF8) {
        res = etwpy_dec_value(&x, (uint32_t)i);
    } else if (fmt_value(&w, &x, v) == 0) {
        res = jw_result(&w);
    }
    etwpy_dec_done(&x);
    jw_free(&w);
    return res;
}
