/* fuzz_decode_check.h - invariants shared by the schema/decoder harnesses
 * (fuzz_tl.c, fuzz_tei.c, fuzz_wevt.c, fuzz_registry.c): a schema's property
 * graph stays inside its arrays, and a decoded payload's nodes stay inside the
 * payload and the node array. Also the input splitter those harnesses use. */
#ifndef ETW_FUZZ_DECODE_CHECK_H
#define ETW_FUZZ_DECODE_CHECK_H

#include "decode.h"
#include "fuzz_util.h"
#include "schema.h"

/* Cuts the next part off the input: a u16 LE byte count (cut to what is
 * left), then that many bytes. A missing prefix gives an empty part. */
FUZZ_NOCOV static inline void fuzz_take16(const uint8_t **data, size_t *size,
                                          const uint8_t **part, size_t *len) {
    size_t n = 0;
    if (*size >= 2) {
        n = (size_t)((*data)[0] | (*data)[1] << 8);
        *data += 2;
        *size -= 2;
    }
    if (n > *size) n = *size;
    *part = *data;
    *len = n;
    *data += n;
    *size -= n;
}

/* Hashes a NUL-terminated string (NULL allowed): ASan checks every byte up
 * to the terminator. */
FUZZ_NOCOV static inline uint64_t fuzz_hash_str(uint64_t h, const char *s) {
    return s ? fuzz_hash(h, s, strlen(s) + 1) : fuzz_hash_u64(h, 0);
}

/* A map: every entry name present, strings terminated. */
FUZZ_NOCOV static inline uint64_t fuzz_check_map(const etw_map *m) {
    uint64_t h = 1469598103934665603ull;
    uint32_t i;
    FUZZ_CHECK(m != NULL);
    h = fuzz_hash_str(h, m->name);
    h = fuzz_hash_str(h, m->format);
    FUZZ_CHECK(m->count == 0 || m->entries != NULL);
    for (i = 0; i < m->count; i++) {
        h = fuzz_hash_u64(h, m->entries[i].value);
        h = fuzz_hash_str(h, m->entries[i].name);
        h = fuzz_hash_str(h, m->entries[i].input);
    }
    return h;
}

/* A schema: top-level properties and struct members inside props[], members
 * (of a non-empty struct) after their parent, count/length references in range, strings terminated. */
FUZZ_NOCOV static inline uint64_t fuzz_check_schema(const etw_schema *s) {
    uint64_t h = 1469598103934665603ull;
    uint32_t i;
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(s->top_count <= s->prop_count);
    FUZZ_CHECK(s->prop_count <= ETW_SCHEMA_MAX_PROPS);
    FUZZ_CHECK(s->max_depth <= ETW_SCHEMA_MAX_DEPTH);
    FUZZ_CHECK(s->prop_count == 0 || s->props != NULL);
    if (s->invalid) {
        FUZZ_CHECK(s->prop_count == 0);
        h = fuzz_hash_str(h, s->invalid);
    }
    for (i = 0; i < s->prop_count; i++) {
        const etw_prop *p = &s->props[i];
        FUZZ_CHECK(p->name != NULL);
        h = fuzz_hash_str(h, p->name);
        h = fuzz_hash_str(h, p->map_name);
        if (p->map) h ^= fuzz_check_map(p->map);
        if ((p->flags & ETW_PROP_STRUCT) && p->struct_count > 0) { /* empty: start unused */
            FUZZ_CHECK(p->struct_start > i);
            FUZZ_CHECK((uint32_t)p->struct_start + p->struct_count <= s->prop_count);
        }
        if (p->flags & ETW_PROP_PARAM_COUNT) FUZZ_CHECK(p->count < s->prop_count);
        if (p->flags & ETW_PROP_PARAM_LENGTH) FUZZ_CHECK(p->length < s->prop_count);
    }
    h = fuzz_hash_str(h, s->provider_name);
    h = fuzz_hash_str(h, s->event_name);
    h = fuzz_hash_str(h, s->task_name);
    h = fuzz_hash_str(h, s->opcode_name);
    h = fuzz_hash_str(h, s->level_name);
    h = fuzz_hash_str(h, s->channel_name);
    h = fuzz_hash_str(h, s->event_message);
    h = fuzz_hash_str(h, s->provider_message);
    FUZZ_CHECK(s->keyword_count == 0 || s->keyword_names != NULL);
    for (i = 0; i < s->keyword_count; i++) h = fuzz_hash_str(h, s->keyword_names[i]);
    if (s->tl_meta_len) h = fuzz_hash(h, s->tl_meta, s->tl_meta_len);
    return h;
}

/* One decode: used + leftover == payload length; every node's bytes and data
 * span inside the payload (data span inside the node's bytes); children
 * after their parent and inside the node array; fixed-size spans of the right
 * size; the top-level nodes are the first ones. Reads every span (ASan). */
FUZZ_NOCOV static inline uint64_t fuzz_check_decoded(const etw_decoded *o, const etw_schema *s,
                                                     const uint8_t *payload, uint32_t len) {
    uint64_t h = 1469598103934665603ull;
    uint32_t i, errors = 0;
    FUZZ_CHECK(o->payload_len == len);
    FUZZ_CHECK(o->used <= len);
    FUZZ_CHECK((uint64_t)o->used + o->leftover == len);
    FUZZ_CHECK(o->top_count <= o->node_count);
    FUZZ_CHECK(o->top_count <= s->top_count || s->invalid);
    FUZZ_CHECK(o->status >= ETW_DECODE_OK && o->status <= ETW_DECODE_STOPPED);
    FUZZ_CHECK(o->node_count == 0 || o->nodes != NULL);
    for (i = 0; i < o->node_count; i++) {
        const etw_value *v = &o->nodes[i];
        FUZZ_CHECK(v->kind <= ETW_V_ERROR);
        FUZZ_CHECK((uint64_t)v->offset + v->length <= len);
        FUZZ_CHECK((uint64_t)v->data_off + v->data_len <= len);
        if (v->prop) {
            FUZZ_CHECK(v->prop >= s->props && v->prop < s->props + s->prop_count);
            FUZZ_CHECK(v->name == v->prop->name);
        }
        h = fuzz_hash_str(h, v->name);
        if (v->map) h ^= fuzz_check_map(v->map);
        if (i < o->top_count) FUZZ_CHECK(v->depth == 0);
        FUZZ_CHECK(v->depth <= ETW_SCHEMA_MAX_DEPTH + 1);
        switch (v->kind) {
        case ETW_V_INT: case ETW_V_UINT: case ETW_V_FLOAT: case ETW_V_DOUBLE:
            FUZZ_CHECK(v->width == 1 || v->width == 2 || v->width == 4 || v->width == 8);
            break;
        case ETW_V_UTF16:
            FUZZ_CHECK(v->data_len % 2 == 0);
            /* fall through */
        case ETW_V_ANSI: case ETW_V_UTF8: case ETW_V_BINARY: case ETW_V_SID:
        case ETW_V_SOCKADDR: case ETW_V_GUID: case ETW_V_SYSTEMTIME:
        case ETW_V_IPV4: case ETW_V_IPV6:
            FUZZ_CHECK(v->data_off >= v->offset);
            FUZZ_CHECK((uint64_t)v->data_off + v->data_len <= (uint64_t)v->offset + v->length);
            if (v->kind == ETW_V_GUID || v->kind == ETW_V_SYSTEMTIME || v->kind == ETW_V_IPV6)
                FUZZ_CHECK(v->data_len == 16);
            if (v->kind == ETW_V_IPV4) FUZZ_CHECK(v->data_len == 4);
            if (v->kind == ETW_V_SID) {
                FUZZ_CHECK(v->data_len >= 8 && (v->data_len - 8) % 4 == 0);
                FUZZ_CHECK((v->data_len - 8) / 4 <= 15);
                FUZZ_CHECK(payload[v->data_off + 1] == (v->data_len - 8) / 4);
            }
            h = fuzz_hash(h, payload + v->data_off, v->data_len);
            break;
        case ETW_V_STRUCT: case ETW_V_ARRAY:
            FUZZ_CHECK(v->child_count == 0 || v->first_child > i);
            FUZZ_CHECK((uint64_t)v->first_child + v->child_count <= o->node_count);
            break;
        case ETW_V_ERROR:
            errors++;
            FUZZ_CHECK(v->error != ETW_DERR_NONE);
            h = fuzz_hash(h, payload + v->offset, v->length);
            break;
        default:
            break;
        }
        if (v->kind != ETW_V_ERROR && v->error != ETW_DERR_NONE) {
            /* Only strings carry a problem without being an ERROR node. */
            FUZZ_CHECK(v->error == ETW_DERR_ODD_LENGTH);
            errors++;
        }
        h = fuzz_hash_u64(h, v->v.u);
    }
    /* error_count counts the nodes with a problem (ERROR nodes and strings of
     * an odd byte count); a schema with more top-level properties than the
     * node cap gives no nodes and one error. */
    if (o->node_count == 0 && o->error_count == 1)
        FUZZ_CHECK(o->status == ETW_DECODE_STOPPED && o->leftover == len);
    else
        FUZZ_CHECK(errors == o->error_count);
    return h;
}

#endif /* ETW_FUZZ_DECODE_CHECK_H */
