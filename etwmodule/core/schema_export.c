/* schema_export.c - etw_schema -> TRACE_EVENT_INFO blob and etw_map ->
 * EVENT_MAP_INFO blob, in the canonical layout etw/_tei.py writes (so a blob
 * read by etw_schema_from_tei and written again here is unchanged). Used to
 * hand schemas built in C (compiled manifests) to the Python side and to
 * write schema packs. Layout: tdh.h as restated in etl-format.md 6; strings
 * are UTF-16LE, NUL-terminated, after the fixed part and the arrays, in the
 * order documented in etw/_tei.py; absent strings have offset 0. */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

enum { TEI_FIXED = 0x70, EPI_SIZE = 24, EMI_FIXED = 16, EME_SIZE = 8 };

typedef struct obuf {
    uint8_t *p;
    size_t len, cap;
    int oom;
} obuf;

static void ob_reserve(obuf *o, size_t need) {
    size_t n;
    uint8_t *q;
    if (o->oom || need <= o->cap)
        return;
    n = o->cap ? o->cap : 256;
    while (n < need)
        n *= 2;
    q = (uint8_t *)realloc(o->p, n);
    if (!q) {
        o->oom = 1;
        return;
    }
    o->p = q;
    o->cap = n;
}

static void put16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_guid(uint8_t *p, const etw_guid *g) {
    put32(p, g->data1);
    put16(p + 4, g->data2);
    put16(p + 6, g->data3);
    memcpy(p + 8, g->data4, 8);
}

/* Decodes one code point of valid UTF-8 at s (the builder guarantees
 * validity); advances *s. */
static uint32_t next_cp(const unsigned char **s) {
    const unsigned char *p = *s;
    uint32_t c = p[0];
    if (c < 0x80) {
        *s = p + 1;
        return c;
    }
    if ((c & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
        *s = p + 2;
        return ((c & 0x1F) << 6) | (p[1] & 0x3Fu);
    }
    if ((c & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        *s = p + 3;
        return ((c & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    }
    if ((c & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
        (p[3] & 0xC0) == 0x80) {
        *s = p + 4;
        return ((c & 0x07) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
               (p[3] & 0x3Fu);
    }
    *s = p + 1;
    return 0xFFFD;
}

/* Appends s as UTF-16LE + NUL; returns its offset (0 for NULL s). */
static uint32_t add_str(obuf *o, const char *s) {
    const unsigned char *u = (const unsigned char *)s;
    size_t off = o->len;
    if (!s)
        return 0;
    ob_reserve(o, o->len + strlen(s) * 4 + 2);
    if (o->oom)
        return 0;
    while (*u) {
        uint32_t cp = next_cp(&u);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put16(o->p + o->len, 0xD800 + (cp >> 10));
            put16(o->p + o->len + 2, 0xDC00 + (cp & 0x3FF));
            o->len += 4;
        } else {
            put16(o->p + o->len, cp);
            o->len += 2;
        }
    }
    put16(o->p + o->len, 0);
    o->len += 2;
    return (uint32_t)off;
}

int etw_schema_to_tei(const etw_schema *s, uint8_t **out, size_t *out_len) {
    obuf o;
    size_t n, i, fixed;
    uint32_t o_prov, o_level, o_chan, o_kw = 0, o_task, o_op, o_msg, o_pmsg, o_name;
    uint8_t *h;
    if (!s || !out || !out_len || s->invalid || s->top_count > s->prop_count)
        return ETW_ERR_ARG;
    *out = NULL;
    *out_len = 0;
    memset(&o, 0, sizeof o);
    n = s->prop_count;
    fixed = TEI_FIXED + n * EPI_SIZE;
    ob_reserve(&o, fixed);
    if (o.oom)
        return ETW_ERR_NOMEM;
    memset(o.p, 0, fixed);
    o.len = fixed;
    o_prov = add_str(&o, s->provider_name);
    o_level = add_str(&o, s->level_name);
    o_chan = add_str(&o, s->channel_name);
    if (s->keyword_count) {
        o_kw = (uint32_t)o.len;
        for (i = 0; i < s->keyword_count; i++)
            /* An empty name would end the list early (an empty string is its
             * terminator): write it as " ", which the reader's trimming of
             * trailing spaces turns back into "" (found by fuzz_tei). */
            add_str(&o, s->keyword_names[i] && s->keyword_names[i][0] ? s->keyword_names[i] : " ");
        add_str(&o, "");
    }
    o_task = add_str(&o, s->task_name);
    o_op = add_str(&o, s->opcode_name);
    o_msg = add_str(&o, s->event_message);
    o_pmsg = add_str(&o, s->provider_message);
    o_name = add_str(&o, s->event_name);
    for (i = 0; i < n && !o.oom; i++) {
        const etw_prop *p = &s->props[i];
        uint32_t pname = add_str(&o, p->name ? p->name : ""), pmap = 0;
        uint8_t *e;
        uint32_t fl = p->flags & 0xFF;
        if (!(fl & ETW_PROP_STRUCT) && p->map_name && p->map_name[0])
            pmap = add_str(&o, p->map_name);
        if (o.oom)
            break;
        e = o.p + TEI_FIXED + i * EPI_SIZE;
        put32(e, fl);
        put32(e + 4, pname);
        if (fl & ETW_PROP_STRUCT) {
            put16(e + 8, p->struct_start);
            put16(e + 10, p->struct_count);
            put32(e + 12, 0);
        } else {
            put16(e + 8, p->in_type);
            put16(e + 10, p->out_type);
            put32(e + 12, pmap);
        }
        put16(e + 16, p->count);
        put16(e + 18, p->length);
        put32(e + 20, (fl & ETW_PROP_HAS_TAGS) ? (p->tags & 0x0FFFFFFFu) : 0);
    }
    if (o.oom) {
        free(o.p);
        return ETW_ERR_NOMEM;
    }
    h = o.p;
    put_guid(h, &s->provider_id);
    put_guid(h + 16, &s->event_guid);
    put16(h + 32, s->id);
    h[34] = s->version;
    h[35] = s->channel;
    h[36] = s->level;
    h[37] = s->opcode;
    put16(h + 38, s->task);
    put32(h + 40, (uint32_t)s->keyword);
    put32(h + 44, (uint32_t)(s->keyword >> 32));
    put32(h + 48, s->decoding_source);
    put32(h + 52, o_prov);
    put32(h + 56, o_level);
    put32(h + 60, o_chan);
    put32(h + 64, o_kw);
    put32(h + 68, o_task);
    put32(h + 72, o_op);
    put32(h + 76, o_msg);
    put32(h + 80, o_pmsg);
    put32(h + 84, 0); /* BinaryXML */
    put32(h + 88, 0);
    put32(h + 92, o_name);
    put32(h + 96, 0); /* EventAttributes */
    put32(h + 100, (uint32_t)n);
    put32(h + 104, s->top_count);
    put32(h + 108, s->template_flags);
    *out = o.p;
    *out_len = o.len;
    return ETW_OK;
}

int etw_map_to_emi(const etw_map *m, uint8_t **out, size_t *out_len) {
    obuf o;
    size_t fixed, i;
    uint32_t o_name, o_fmt = 0;
    int pattern;
    if (!m || !out || !out_len)
        return ETW_ERR_ARG;
    *out = NULL;
    *out_len = 0;
    memset(&o, 0, sizeof o);
    pattern = (m->flags & ETW_MAP_MANIFEST_PATTERNMAP) != 0;
    fixed = EMI_FIXED + (size_t)m->count * EME_SIZE;
    ob_reserve(&o, fixed);
    if (o.oom)
        return ETW_ERR_NOMEM;
    memset(o.p, 0, fixed);
    o.len = fixed;
    o_name = add_str(&o, m->name ? m->name : "");
    if (pattern)
        o_fmt = add_str(&o, m->format ? m->format : "");
    for (i = 0; i < m->count && !o.oom; i++) {
        const etw_map_entry *e = &m->entries[i];
        uint32_t out_off = add_str(&o, e->name ? e->name : "");
        uint32_t second = pattern ? add_str(&o, e->input ? e->input : "") : e->value;
        if (o.oom)
            break;
        put32(o.p + EMI_FIXED + i * EME_SIZE, out_off);
        put32(o.p + EMI_FIXED + i * EME_SIZE + 4, second);
    }
    if (o.oom) {
        free(o.p);
        return ETW_ERR_NOMEM;
    }
    put32(o.p, o_name);
    put32(o.p + 4, m->flags);
    put32(o.p + 8, m->count);
    put32(o.p + 12, o_fmt);
    *out = o.p;
    *out_len = o.len;
    return ETW_OK;
}
