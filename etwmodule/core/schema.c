/* schema.c - the schema model's builder (one allocation per schema) and the
 * registry that finds and caches schemas and value maps per trace, keyed as
 * DESIGN.md says: (provider, id, version) for manifest events, (class GUID,
 * opcode, version) for classic/kernel events, (provider, metadata bytes) for
 * TraceLogging, (provider, map name) for maps. */
#include "schema.h"
#include "atomics.h"
#include "platform.h"

#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Builder
 * ====================================================================== */

struct etw_schema_builder {
    etw_prop *props;
    size_t nprops, cap_props;
    char *strs;          /* string pool; handle = offset + 1 */
    size_t nstrs, cap_strs;
    long *kw;            /* keyword name handles */
    size_t nkw, cap_kw;
};

etw_schema_builder *etw_sb_new(void) {
    return (etw_schema_builder *)calloc(1, sizeof(etw_schema_builder));
}

void etw_sb_free(etw_schema_builder *b) {
    if (!b)
        return;
    free(b->props);
    free(b->strs);
    free(b->kw);
    free(b);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    size_t n;
    void *q;
    if (need <= *cap)
        return ETW_OK;
    n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    q = realloc(*p, n * elem);
    if (!q)
        return ETW_ERR_NOMEM;
    *p = q;
    *cap = n;
    return ETW_OK;
}

size_t etw_put_utf8(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at s[0..n) (1-4), or 0 if invalid
 * (overlongs, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_seq(const uint8_t *s, size_t n) {
    uint32_t c = s[0], cp;
    size_t k, i;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, cp = c & 0x07;
    else
        return 0;
    if (n < k)
        return 0;
    for (i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return k;
}

long etw_sb_str(etw_schema_builder *b, const char *s, size_t len) {
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0, n = 0;
    char *out;
    long h;
    if (!s)
        return 0;
    if (len == (size_t)-1)
        len = strlen(s);
    if (len > 0x100000)
        len = 0x100000;
    /* Invalid bytes become U+FFFD (3 bytes), so reserve 3 per input byte. */
    if (grow((void **)&b->strs, &b->cap_strs, b->nstrs + 3 * len + 1, 1))
        return ETW_ERR_NOMEM;
    out = b->strs + b->nstrs;
    while (i < len) {
        size_t k = u[i] ? utf8_seq(u + i, len - i) : 0;
        if (k) {
            memcpy(out + n, u + i, k);
            n += k;
            i += k;
        } else {
            n += etw_put_utf8(out + n, 0xFFFD); /* also for embedded NULs */
            i++;
        }
    }
    out[n] = 0;
    h = (long)b->nstrs + 1;
    b->nstrs += n + 1;
    return h;
}

long etw_sb_str16(etw_schema_builder *b, const uint8_t *s16, size_t units, int trim) {
    size_t i, n = 0;
    long h;
    char *out;
    if (!s16)
        return 0;
    if (units > 0x40000)
        units = 0x40000;
    if (grow((void **)&b->strs, &b->cap_strs, b->nstrs + units * 3 + 1, 1))
        return ETW_ERR_NOMEM;
    out = b->strs + b->nstrs;
    for (i = 0; i < units; i++) {
        uint32_t c = etw_le16(s16 + 2 * i);
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
            uint32_t c2 = etw_le16(s16 + 2 * i + 2);
            if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
                i++;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        n += etw_put_utf8(out + n, c); /* a pair (2 units) gives 4 bytes: within units*3 */
    }
    if (trim)
        while (n > 0 && out[n - 1] == ' ')
            n--;
    out[n] = 0;
    h = (long)b->nstrs + 1;
    b->nstrs += n + 1;
    return h;
}

long etw_sb_prop(etw_schema_builder *b, const etw_prop *p) {
    if (b->nprops >= ETW_SCHEMA_MAX_PROPS)
        return ETW_ERR_FORMAT;
    if (grow((void **)&b->props, &b->cap_props, b->nprops + 1, sizeof(etw_prop)))
        return ETW_ERR_NOMEM;
    b->props[b->nprops] = *p;
    return (long)b->nprops++;
}

etw_prop *etw_sb_prop_at(etw_schema_builder *b, size_t index) {
    return index < b->nprops ? &b->props[index] : NULL;
}

size_t etw_sb_prop_count(const etw_schema_builder *b) {
    return b->nprops;
}

int etw_sb_keyword(etw_schema_builder *b, long handle) {
    if (b->nkw >= 64)
        return ETW_OK; /* a u64 keyword has at most 64 names */
    if (grow((void **)&b->kw, &b->cap_kw, b->nkw + 1, sizeof(long)))
        return ETW_ERR_NOMEM;
    b->kw[b->nkw++] = handle;
    return ETW_OK;
}

int etw_prop_is_array(const etw_prop *p) {
    return (p->flags & (ETW_PROP_PARAM_COUNT | ETW_PROP_FIXED_COUNT | ETW_PROP_TL_COUNT16 |
                        ETW_PROP_REST_COUNT)) ||
           p->count > 1;
}

/* Checks the property graph; fills *depth_out. Returns ETW_OK or ETW_ERR_FORMAT. */
static int validate(etw_prop *props, size_t n, size_t top, unsigned *depth_out, etw_error *err) {
    unsigned char *depth;
    unsigned maxd = 0;
    size_t i;
    if (top > n)
        return etw_error_set(err, ETW_ERR_FORMAT, 0, "top-level count %zu > property count %zu",
                             top, n);
    depth = (unsigned char *)calloc(n ? n : 1, 1);
    if (!depth)
        return ETW_ERR_NOMEM;
    for (i = 0; i < n; i++) {
        etw_prop *p = &props[i];
        /* (A NULL name is mapped to "" by etw_sb_finish after the handles are
         * fixed up; setting "" here would be read back as a handle.) */
        if (p->flags & ETW_PROP_STRUCT) {
            size_t j, s = p->struct_start, c = p->struct_count;
            /* Members come after the top level and after their parent, so the
             * graph has no cycle and depth is computed in one pass. */
            if (c > 0 && (s <= i || s < top || s + c > n)) {
                free(depth);
                return etw_error_set(err, ETW_ERR_FORMAT, 0,
                                     "property %zu: struct members [%zu, %zu) out of range", i, s,
                                     s + c);
            }
            for (j = s; j < s + c; j++) {
                unsigned d = depth[i] + 1u;
                if (d > ETW_SCHEMA_MAX_DEPTH) {
                    free(depth);
                    return etw_error_set(err, ETW_ERR_FORMAT, 0, "structs nested too deeply");
                }
                if (d > depth[j])
                    depth[j] = (unsigned char)d;
                if (d > maxd)
                    maxd = d;
            }
        } else {
            p->struct_start = p->struct_count = 0;
        }
        if ((p->flags & ETW_PROP_PARAM_COUNT) && (p->count >= n || p->count == i)) {
            free(depth);
            return etw_error_set(err, ETW_ERR_FORMAT, 0, "property %zu: count index %u invalid",
                                 i, p->count);
        }
        if ((p->flags & ETW_PROP_PARAM_LENGTH) && (p->length >= n || p->length == i)) {
            free(depth);
            return etw_error_set(err, ETW_ERR_FORMAT, 0, "property %zu: length index %u invalid",
                                 i, p->length);
        }
        if (etw_prop_is_array(p))
            p->flags |= ETW_PROP_ARRAY;
        else
            p->flags &= ~(uint32_t)ETW_PROP_ARRAY;
    }
    free(depth);
    *depth_out = maxd;
    return ETW_OK;
}

static const char *fix(const char *base, const char *handle) {
    uintptr_t h = (uintptr_t)handle;
    return h ? base + (h - 1) : NULL;
}

etw_schema *etw_sb_finish(etw_schema_builder *b, const etw_schema *hdr, int *rc, etw_error *err) {
    size_t off_props, off_kw, off_strs, off_meta, total, i;
    unsigned maxd = 0;
    uint8_t *block;
    etw_schema *s;
    etw_prop *props;
    const char **kw;
    char *strs;
    int r;

    r = validate(b->props, b->nprops, hdr->top_count, &maxd, err);
    if (r) {
        *rc = r;
        return NULL;
    }
    off_props = ETW_ALIGN8(sizeof(etw_schema));
    off_kw = ETW_ALIGN8(off_props + b->nprops * sizeof(etw_prop));
    off_strs = ETW_ALIGN8(off_kw + b->nkw * sizeof(char *));
    off_meta = off_strs + b->nstrs;
    total = off_meta + (hdr->tl_meta ? hdr->tl_meta_len : 0) + 1;
    block = (uint8_t *)malloc(total);
    if (!block) {
        *rc = ETW_ERR_NOMEM;
        return NULL;
    }
    s = (etw_schema *)block;
    props = (etw_prop *)(block + off_props);
    kw = (const char **)(block + off_kw);
    strs = (char *)(block + off_strs);
    if (b->nstrs)
        memcpy(strs, b->strs, b->nstrs);
    *s = *hdr;
    for (i = 0; i < b->nprops; i++) {
        props[i] = b->props[i];
        props[i].name = fix(strs, props[i].name);
        if (!props[i].name)
            props[i].name = "";
        props[i].map_name = fix(strs, props[i].map_name);
    }
    for (i = 0; i < b->nkw; i++)
        kw[i] = fix(strs, ETW_SB_H(b->kw[i]));
    s->props = props;
    s->prop_count = (uint16_t)b->nprops;
    s->max_depth = (uint8_t)maxd;
    s->keyword_names = b->nkw ? kw : NULL;
    s->keyword_count = (uint16_t)b->nkw;
    s->provider_name = fix(strs, hdr->provider_name);
    s->event_name = fix(strs, hdr->event_name);
    s->task_name = fix(strs, hdr->task_name);
    s->opcode_name = fix(strs, hdr->opcode_name);
    s->level_name = fix(strs, hdr->level_name);
    s->channel_name = fix(strs, hdr->channel_name);
    s->event_message = fix(strs, hdr->event_message);
    s->provider_message = fix(strs, hdr->provider_message);
    s->invalid = NULL;
    if (hdr->tl_meta) {
        memcpy(block + off_meta, hdr->tl_meta, hdr->tl_meta_len);
        s->tl_meta = block + off_meta;
    } else {
        s->tl_meta = NULL;
        s->tl_meta_len = 0;
    }
    *rc = ETW_OK;
    return s;
}

etw_map *etw_sb_finish_map(etw_schema_builder *b, const etw_map *hdr,
                           const etw_map_entry *entries, uint32_t count) {
    size_t off_e = ETW_ALIGN8(sizeof(etw_map));
    size_t off_s = ETW_ALIGN8(off_e + (size_t)count * sizeof(etw_map_entry));
    uint8_t *block = (uint8_t *)malloc(off_s + b->nstrs + 1);
    etw_map *m = (etw_map *)block;
    etw_map_entry *e;
    char *strs;
    uint32_t i;
    if (!block)
        return NULL;
    e = (etw_map_entry *)(block + off_e);
    strs = (char *)(block + off_s);
    if (b->nstrs)
        memcpy(strs, b->strs, b->nstrs);
    *m = *hdr;
    m->name = fix(strs, hdr->name);
    if (!m->name)
        m->name = "";
    m->format = fix(strs, hdr->format);
    for (i = 0; i < count; i++) {
        e[i].value = entries[i].value;
        e[i].name = fix(strs, entries[i].name);
        if (!e[i].name)
            e[i].name = "";
        e[i].input = fix(strs, entries[i].input);
    }
    m->entries = e;
    m->count = count;
    return m;
}

etw_schema *etw_schema_new_invalid(const etw_schema *hdr, const char *message) {
    size_t mlen = strlen(message), mtl = hdr->tl_meta ? hdr->tl_meta_len : 0;
    size_t off_msg = ETW_ALIGN8(sizeof(etw_schema)), total = off_msg + mlen + 1 + mtl;
    uint8_t *block = (uint8_t *)malloc(total);
    etw_schema *s = (etw_schema *)block;
    if (!block)
        return NULL;
    memset(s, 0, sizeof *s);
    s->provider_id = hdr->provider_id;
    s->event_guid = hdr->event_guid;
    s->id = hdr->id;
    s->version = hdr->version;
    s->opcode = hdr->opcode;
    s->source = hdr->source;
    s->key_kind = hdr->key_kind;
    memcpy(block + off_msg, message, mlen + 1);
    s->invalid = (const char *)(block + off_msg);
    if (mtl) {
        memcpy(block + off_msg + mlen + 1, hdr->tl_meta, mtl);
        s->tl_meta = block + off_msg + mlen + 1;
        s->tl_meta_len = (uint32_t)mtl;
    }
    return s;
}

/* ======================================================================
 * Registry
 * ====================================================================== */

static const etw_prop string_only_prop = {
    .name = "String", .in_type = ETW_IN_UNICODESTRING, .out_type = ETW_OUT_STRING, .count = 1};

static const etw_schema string_only_schema = {
    .source = ETW_SRC_OTHER, .key_kind = ETW_KEY_MANIFEST, .prop_count = 1, .top_count = 1,
    .props = &string_only_prop};

const etw_schema *etw_schema_string_only(void) {
    return &string_only_schema;
}

const etw_guid etw_event_metadata_guid = {
    0xbbccf6c1, 0x6cd1, 0x48c4, {0x80, 0xff, 0x83, 0x94, 0x82, 0xe3, 0x76, 0x71}};

typedef struct slot {
    uint64_t hash; /* 0 = empty */
    const void *item;
} slot;

typedef struct table {
    slot *slots;
    size_t cap; /* power of two */
    size_t count;
} table;

/* Direct-mapped cache of built-in kernel table lookups (including misses),
 * so the per-event cost is one hash probe. */
#define KCACHE_SIZE 256
typedef struct kcache_slot {
    etw_guid guid;
    uint8_t opcode, version, valid;
    const etw_schema *s;
} kcache_slot;

struct etw_registry {
    etw_mutex *mu;
    table schemas;
    table maps;
    etw_registry_stats st;
    kcache_slot kcache[KCACHE_SIZE];
    etw_atomic_size generation; /* schemas inserted or replaced so far (read without the lock) */
    /* Schemas and maps replaced by a higher-ranked source: kept until
     * etw_registry_free, since pointers handed out must stay valid. Ranks
     * only go up, so a key is replaced at most twice. */
    void **retired;
    size_t nretired, cap_retired;
};

/* The priority of a source (issue 4 item 4): what the trace itself carries
 * (TraceLogging metadata, injected TRACE_EVENT_INFO, in-band EventSource
 * manifests) over what the user gives (manifests, compiled templates, packs,
 * TDH), over the built-in tables. */
static int source_rank(unsigned source) {
    switch (source) {
    case ETW_SRC_TRACELOGGING:
    case ETW_SRC_TEI:
    case ETW_SRC_INBAND:
        return 3;
    case ETW_SRC_KERNEL:
        return 1;
    default:
        return 2;
    }
}

int etw_schema_source_rank(unsigned source) {
    return source_rank(source);
}

/* Keeps a replaced item alive until the registry is freed. Returns ETW_OK or
 * ETW_ERR_NOMEM (nothing changed). */
static int retire(etw_registry *r, const void *item) {
    if (grow((void **)&r->retired, &r->cap_retired, r->nretired + 1, sizeof(void *)))
        return ETW_ERR_NOMEM;
    r->retired[r->nretired++] = (void *)(uintptr_t)item;
    return ETW_OK;
}

static const etw_schema *kernel_cached(etw_registry *r, const etw_guid *g, uint8_t opcode,
                                       uint8_t version) {
    uint32_t h = (g->data1 ^ (g->data1 >> 16) ^ ((uint32_t)opcode * 31u) ^
                  ((uint32_t)version * 131u)) & (KCACHE_SIZE - 1);
    kcache_slot *k = &r->kcache[h];
    if (!k->valid || k->opcode != opcode || k->version != version || !etw_guid_eq(&k->guid, g)) {
        k->guid = *g;
        k->opcode = opcode;
        k->version = version;
        k->s = etw_kernel_schema(g, opcode, version);
        k->valid = 1;
    }
    return k->s;
}

#define HASH_SEED 0x9E3779B97F4A7C15ull

static uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n) {
    while (n >= 8) {
        h = (h ^ etw_le64(p)) * 0x100000001b3ull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    while (n--) {
        h = (h ^ *p++) * 0x100000001b3ull;
    }
    return h;
}

static uint64_t hash_key(etw_key_kind kind, const etw_guid *g, uint16_t id, uint8_t version,
                         const uint8_t *meta, size_t meta_len) {
    uint64_t h = HASH_SEED ^ (uint64_t)kind;
    h = mix64(h ^ g->data1 ^ ((uint64_t)g->data2 << 32) ^ ((uint64_t)g->data3 << 48));
    h = mix64(h ^ etw_le64(g->data4));
    h = mix64(h ^ id ^ ((uint64_t)version << 16));
    /* Keyed on meta_len, not on the pointer: a cached schema of empty
     * TraceLogging metadata has tl_meta NULL while the record's item has a
     * non-NULL pointer; both must hash alike or the cached failure is never
     * found and every such event adds another one (fuzz_registry). */
    if (meta_len)
        h = mix64(hash_bytes(h, meta, meta_len) ^ meta_len);
    return h ? h : 1;
}

static const etw_guid *key_guid(const etw_schema *s) {
    return s->key_kind == ETW_KEY_CLASSIC ? &s->event_guid : &s->provider_id;
}

static uint16_t key_id(const etw_schema *s) {
    return s->key_kind == ETW_KEY_CLASSIC ? s->opcode : s->id;
}

static uint64_t schema_hash(const etw_schema *s) {
    if (s->key_kind == ETW_KEY_TL)
        return hash_key(ETW_KEY_TL, &s->provider_id, 0, 0, s->tl_meta, s->tl_meta_len);
    return hash_key((etw_key_kind)s->key_kind, key_guid(s), key_id(s), s->version, NULL, 0);
}

static int schema_matches(const etw_schema *s, etw_key_kind kind, const etw_guid *g, uint16_t id,
                          uint8_t version, const uint8_t *meta, size_t meta_len) {
    if (s->key_kind != kind || !etw_guid_eq(key_guid(s), g))
        return 0;
    if (kind == ETW_KEY_TL)
        return s->tl_meta_len == meta_len &&
               (meta_len == 0 || memcmp(s->tl_meta, meta, meta_len) == 0); /* tl_meta may be NULL */
    return key_id(s) == id && s->version == version;
}

static uint64_t map_hash(const etw_guid *g, const char *name, size_t len) {
    uint64_t h = hash_key((etw_key_kind)9, g, 0, 0, (const uint8_t *)name, len);
    return h;
}

static size_t trimmed_len(const char *s) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return n;
}

/* Inserts item under hash (no duplicate check). Returns ETW_OK or ETW_ERR_NOMEM. */
static int table_put(table *t, uint64_t hash, const void *item) {
    size_t i;
    if ((t->count + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64, j;
        slot *ns = (slot *)calloc(ncap, sizeof(slot));
        if (!ns)
            return ETW_ERR_NOMEM;
        for (j = 0; j < t->cap; j++) {
            if (t->slots[j].hash) {
                size_t k = (size_t)t->slots[j].hash & (ncap - 1);
                while (ns[k].hash)
                    k = (k + 1) & (ncap - 1);
                ns[k] = t->slots[j];
            }
        }
        free(t->slots);
        t->slots = ns;
        t->cap = ncap;
    }
    i = (size_t)hash & (t->cap - 1);
    while (t->slots[i].hash)
        i = (i + 1) & (t->cap - 1);
    t->slots[i].hash = hash;
    t->slots[i].item = item;
    t->count++;
    return ETW_OK;
}

/* The table slot holding the schema of a key, or NULL. */
static slot *find_schema_slot_locked(etw_registry *r, etw_key_kind kind, const etw_guid *g,
                                     uint16_t id, uint8_t version, const uint8_t *meta,
                                     size_t meta_len) {
    uint64_t h;
    size_t i;
    if (!r->schemas.cap)
        return NULL;
    h = hash_key(kind, g, kind == ETW_KEY_TL ? 0 : id, kind == ETW_KEY_TL ? 0 : version, meta,
                 meta_len);
    for (i = (size_t)h & (r->schemas.cap - 1); r->schemas.slots[i].hash;
         i = (i + 1) & (r->schemas.cap - 1)) {
        const etw_schema *s = (const etw_schema *)r->schemas.slots[i].item;
        if (r->schemas.slots[i].hash == h &&
            schema_matches(s, kind, g, id, version, meta, meta_len))
            return &r->schemas.slots[i];
    }
    return NULL;
}

static const etw_schema *find_schema_locked(etw_registry *r, etw_key_kind kind, const etw_guid *g,
                                            uint16_t id, uint8_t version, const uint8_t *meta,
                                            size_t meta_len) {
    slot *sl = find_schema_slot_locked(r, kind, g, id, version, meta, meta_len);
    return sl ? (const etw_schema *)sl->item : NULL;
}

/* The table slot holding the map (provider, name), or NULL. */
static slot *find_map_slot_locked(etw_registry *r, const etw_guid *g, const char *name) {
    size_t len, i;
    uint64_t h;
    if (!r->maps.cap || !name)
        return NULL;
    len = trimmed_len(name);
    h = map_hash(g, name, len);
    for (i = (size_t)h & (r->maps.cap - 1); r->maps.slots[i].hash;
         i = (i + 1) & (r->maps.cap - 1)) {
        const etw_map *m = (const etw_map *)r->maps.slots[i].item;
        if (r->maps.slots[i].hash == h && etw_guid_eq(&m->provider_id, g) &&
            strlen(m->name) == len && memcmp(m->name, name, len) == 0)
            return &r->maps.slots[i];
    }
    return NULL;
}

static const etw_map *find_map_locked(etw_registry *r, const etw_guid *g, const char *name) {
    slot *sl = find_map_slot_locked(r, g, name);
    return sl ? (const etw_map *)sl->item : NULL;
}

etw_registry *etw_registry_new(void) {
    etw_registry *r = (etw_registry *)calloc(1, sizeof(etw_registry));
    if (!r)
        return NULL;
    r->mu = etw_mutex_new();
    if (!r->mu) {
        free(r);
        return NULL;
    }
    etw_atomic_init(&r->generation, 0);
    return r;
}

void etw_registry_free(etw_registry *r) {
    size_t i;
    if (!r)
        return;
    for (i = 0; i < r->schemas.cap; i++)
        if (r->schemas.slots[i].hash)
            free((void *)(uintptr_t)r->schemas.slots[i].item);
    for (i = 0; i < r->maps.cap; i++)
        if (r->maps.slots[i].hash)
            free((void *)(uintptr_t)r->maps.slots[i].item);
    for (i = 0; i < r->nretired; i++)
        free(r->retired[i]);
    free(r->retired);
    free(r->schemas.slots);
    free(r->maps.slots);
    etw_mutex_free(r->mu);
    free(r);
}

static int add_locked(etw_registry *r, etw_schema *s) {
    const uint8_t *meta = s->key_kind == ETW_KEY_TL ? s->tl_meta : NULL;
    slot *old = find_schema_slot_locked(r, (etw_key_kind)s->key_kind, key_guid(s), key_id(s),
                                        s->version, meta, s->tl_meta_len);
    if (old) {
        const etw_schema *o = (const etw_schema *)old->item;
        /* Same key: a source of higher rank replaces the schema (the slot's
         * hash is the key's, so it stays); otherwise the first one stays. */
        if (source_rank(s->source) <= source_rank(o->source)) {
            free(s);
            return 0;
        }
        if (retire(r, o)) {
            free(s);
            return ETW_ERR_NOMEM;
        }
        old->item = s;
        if (o->invalid)
            r->st.invalid--;
        else
            r->st.schemas--;
        r->st.replaced++;
    } else if (table_put(&r->schemas, schema_hash(s), s)) {
        free(s);
        return ETW_ERR_NOMEM;
    }
    etw_atomic_store(&r->generation, etw_atomic_load(&r->generation) + 1);
    if (s->invalid)
        r->st.invalid++;
    else
        r->st.schemas++;
    return 1;
}

int etw_registry_add(etw_registry *r, etw_schema *s) {
    int rc;
    if (!r || !s) {
        free(s);
        return ETW_ERR_ARG;
    }
    etw_mutex_lock(r->mu);
    rc = add_locked(r, s);
    etw_mutex_unlock(r->mu);
    return rc;
}

int etw_registry_add_map(etw_registry *r, etw_map *m) {
    slot *old;
    int rc = 1;
    if (!r || !m) {
        free(m);
        return ETW_ERR_ARG;
    }
    etw_mutex_lock(r->mu);
    old = find_map_slot_locked(r, &m->provider_id, m->name);
    if (old && source_rank(m->source) > source_rank(((const etw_map *)old->item)->source)) {
        /* Replaced by a source of higher rank (the old map stays allocated). */
        if (retire(r, old->item)) {
            free(m);
            rc = ETW_ERR_NOMEM;
        } else {
            old->item = m;
            r->st.replaced++;
            etw_atomic_store(&r->generation, etw_atomic_load(&r->generation) + 1);
        }
    } else if (old) {
        free(m);
        rc = 0;
    } else if (table_put(&r->maps, map_hash(&m->provider_id, m->name, trimmed_len(m->name)), m)) {
        free(m);
        rc = ETW_ERR_NOMEM;
    } else {
        r->st.maps++;
    }
    etw_mutex_unlock(r->mu);
    return rc;
}

const etw_schema *etw_registry_find(etw_registry *r, etw_key_kind kind, const etw_guid *guid,
                                    uint16_t id_or_opcode, uint8_t version) {
    const etw_schema *s;
    if (!r || !guid || kind == ETW_KEY_TL)
        return NULL;
    etw_mutex_lock(r->mu);
    s = find_schema_locked(r, kind, guid, id_or_opcode, version, NULL, 0);
    etw_mutex_unlock(r->mu);
    return s;
}

const etw_map *etw_registry_find_map(etw_registry *r, const etw_guid *provider, const char *name) {
    const etw_map *m;
    if (!r || !provider || !name)
        return NULL;
    etw_mutex_lock(r->mu);
    m = find_map_locked(r, provider, name);
    etw_mutex_unlock(r->mu);
    return m;
}

const etw_map *etw_registry_prop_map(etw_registry *r, const etw_schema *s, const etw_prop *p) {
    const etw_map *m;
    if (!p)
        return NULL;
    if (p->map || !p->map_name || !r || !s)
        return p->map;
    etw_mutex_lock(r->mu);
    m = find_map_locked(r, &s->provider_id, p->map_name);
    if (!m && !etw_guid_is_zero(&s->event_guid))
        m = find_map_locked(r, &s->event_guid, p->map_name);
    etw_mutex_unlock(r->mu);
    return m;
}


/* TraceLogging: find or build (under the lock, so built once). */
static int lookup_tl(etw_registry *r, const etw_record *rec, const etw_ext_item *meta,
                     const etw_schema **out, etw_error *err) {
    const etw_schema *s;
    const etw_ext_item *traits;
    etw_schema *built;
    int rc = ETW_OK;
    etw_error local;

    etw_mutex_lock(r->mu);
    r->st.lookups++;
    s = find_schema_locked(r, ETW_KEY_TL, &rec->provider_id, 0, 0, meta->data, meta->size);
    if (!s) {
        traits = etw_record_find_ext(rec, ETW_EXT_PROV_TRAITS);
        memset(&local, 0, sizeof local);
        built = etw_schema_from_tl(&rec->provider_id, meta->data, meta->size,
                                   traits ? traits->data : NULL, traits ? traits->size : 0, &rc,
                                   &local);
        if (!built && rc == ETW_ERR_FORMAT) {
            /* Cache the failure so it is reported, not re-parsed, each time. */
            etw_schema hdr;
            memset(&hdr, 0, sizeof hdr);
            hdr.provider_id = rec->provider_id;
            hdr.source = ETW_SRC_TRACELOGGING;
            hdr.key_kind = ETW_KEY_TL;
            hdr.tl_meta = meta->data;
            hdr.tl_meta_len = meta->size;
            built = etw_schema_new_invalid(&hdr, local.message[0] ? local.message
                                                                   : "bad TraceLogging metadata");
            if (!built)
                rc = ETW_ERR_NOMEM;
        }
        if (built) {
            if (table_put(&r->schemas, schema_hash(built), built)) {
                free(built);
                built = NULL;
                rc = ETW_ERR_NOMEM;
            } else {
                etw_atomic_store(&r->generation, etw_atomic_load(&r->generation) + 1);
                if (built->invalid)
                    r->st.invalid++;
                else {
                    r->st.schemas++;
                    r->st.tl_built++;
                }
            }
        }
        s = built;
    }
    etw_mutex_unlock(r->mu);
    if (!s) {
        *out = NULL;
        return rc == ETW_ERR_NOMEM ? ETW_ERR_NOMEM : ETW_ERR_FORMAT;
    }
    *out = s;
    if (s->invalid) {
        etw_error_set(err, ETW_ERR_FORMAT, rec->file_offset, "TraceLogging metadata: %s",
                      s->invalid);
        return ETW_ERR_FORMAT;
    }
    return 1;
}

int etw_registry_lookup(etw_registry *r, const etw_record *rec, const etw_schema **out,
                        etw_error *err) {
    const etw_schema *s = NULL;
    const etw_ext_item *meta;
    if (!r || !rec || !out)
        return ETW_ERR_ARG;
    *out = NULL;
    switch (rec->kind) {
    case ETW_KIND_TRACELOGGING:
    case ETW_KIND_MANIFEST:
        meta = etw_record_find_ext(rec, ETW_EXT_EVENT_SCHEMA_TL);
        if (meta)
            return lookup_tl(r, rec, meta, out, err);
        if (rec->flags & ETW_EHF_STRING_ONLY) {
            *out = &string_only_schema;
            return 1;
        }
        etw_mutex_lock(r->mu);
        r->st.lookups++;
        s = find_schema_locked(r, ETW_KEY_MANIFEST, &rec->provider_id, rec->id, rec->version,
                               NULL, 0);
        if (!s)
            r->st.misses++;
        etw_mutex_unlock(r->mu);
        break;
    case ETW_KIND_HEADER:
    case ETW_KIND_KERNEL:
    case ETW_KIND_CLASSIC:
        etw_mutex_lock(r->mu);
        r->st.lookups++;
        s = find_schema_locked(r, ETW_KEY_CLASSIC, &rec->provider_id, rec->opcode, rec->version,
                               NULL, 0);
        if (!s) {
            s = kernel_cached(r, &rec->provider_id, rec->opcode, rec->version);
            if (!s)
                r->st.misses++;
        }
        etw_mutex_unlock(r->mu);
        break;
    default:
        etw_mutex_lock(r->mu);
        r->st.lookups++;
        r->st.misses++;
        etw_mutex_unlock(r->mu);
        return 0;
    }
    *out = s;
    return s ? 1 : 0;
}

size_t etw_registry_generation(etw_registry *r) {
    return r ? (size_t)etw_atomic_load(&r->generation) : 0;
}

const etw_schema *etw_registry_find_lower(etw_registry *r, const etw_guid *provider, uint16_t id,
                                          uint8_t version) {
    const etw_schema *s = NULL;
    if (!r || !provider) return NULL;
    etw_mutex_lock(r->mu);
    for (int v = (int)version - 1; v >= 0 && !s; v--)
        s = find_schema_locked(r, ETW_KEY_MANIFEST, provider, id, (uint8_t)v, NULL, 0);
    etw_mutex_unlock(r->mu);
    return s;
}

int etw_registry_add_event_metadata(etw_registry *r, const etw_record *rec, etw_error *err) {
    int rc = ETW_OK;
    if (!r || !rec)
        return ETW_ERR_ARG;
    if (rec->kind != ETW_KIND_CLASSIC || !etw_guid_eq(&rec->provider_id, &etw_event_metadata_guid))
        return 0;
    if (rec->opcode == ETW_EVENT_METADATA_TEI) {
        etw_schema *s = etw_schema_from_tei(rec->user_data, rec->user_data_length, &rc, err);
        if (!s) {
            if (err && rc == ETW_ERR_FORMAT)
                err->offset = rec->file_offset;
            return rc;
        }
        return etw_registry_add(r, s);
    }
    if (rec->opcode == ETW_EVENT_METADATA_MAP) {
        etw_guid provider;
        etw_map *m;
        if (rec->user_data_length < 16)
            return etw_error_set(err, ETW_ERR_FORMAT, rec->file_offset,
                                 "EventMapInfo payload of %u bytes", rec->user_data_length);
        provider = etw_guid_load(rec->user_data);
        m = etw_map_from_emi(&provider, rec->user_data + 16, rec->user_data_length - 16, &rc, err);
        if (!m) {
            if (err && rc == ETW_ERR_FORMAT)
                err->offset = rec->file_offset;
            return rc;
        }
        return etw_registry_add_map(r, m);
    }
    return 0;
}

void etw_registry_get_stats(etw_registry *r, etw_registry_stats *out) {
    if (!r || !out)
        return;
    etw_mutex_lock(r->mu);
    *out = r->st;
    etw_mutex_unlock(r->mu);
}
