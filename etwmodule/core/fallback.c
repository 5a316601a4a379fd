/* fallback.c - the once-per-key schema fallback (fallback.h): a set of the
 * event keys and map names already looked at, and the ask/parse/register
 * step for the new ones. */
#include "fallback.h"

#include <stdlib.h>
#include <string.h>

#include "platform.h"

#define DEFAULT_MAX_KEYS 65536u
#define KIND_MAP 9 /* set entries for map names (not an etw_key_kind) */

typedef struct fkey {
    uint64_t hash; /* 0 = empty slot */
    etw_guid guid;
    uint16_t id;   /* event id or opcode */
    uint8_t version;
    uint8_t kind;  /* ETW_KEY_MANIFEST, ETW_KEY_CLASSIC or KIND_MAP */
    char *name;    /* map name (KIND_MAP), owned */
} fkey;

struct etw_fallback {
    fkey *slots;
    size_t cap;           /* power of two, or 0 before the first insert */
    size_t count;
    size_t events, maps;  /* entries of each sort */
    size_t max_keys;
    etw_mutex *mu;        /* guards st only */
    etw_fallback_stats st;
};

etw_fallback *etw_fallback_new(size_t max_keys) {
    etw_fallback *f = (etw_fallback *)calloc(1, sizeof *f);
    if (!f) return NULL;
    f->mu = etw_mutex_new();
    if (!f->mu) {
        free(f);
        return NULL;
    }
    f->max_keys = max_keys ? max_keys : DEFAULT_MAX_KEYS;
    return f;
}

void etw_fallback_free(etw_fallback *f) {
    size_t i;
    if (!f) return;
    for (i = 0; i < f->cap; i++) free(f->slots[i].name);
    free(f->slots);
    etw_mutex_free(f->mu);
    free(f);
}

void etw_fallback_get_stats(etw_fallback *f, etw_fallback_stats *out) {
    memset(out, 0, sizeof *out);
    if (!f) return;
    etw_mutex_lock(f->mu);
    *out = f->st;
    etw_mutex_unlock(f->mu);
}

/* Adds 1 to a counter (and records code when nonzero) under the lock. */
static void count(etw_fallback *f, uint64_t *field, unsigned long code) {
    etw_mutex_lock(f->mu);
    (*field)++;
    if (code) f->st.last_code = code;
    etw_mutex_unlock(f->mu);
}

int etw_fallback_applies(const etw_record *rec) {
    if (!rec) return 0;
    switch (rec->kind) {
    case ETW_KIND_MANIFEST:
        if (rec->flags & ETW_EHF_STRING_ONLY) return 0;
        return etw_record_find_ext(rec, ETW_EXT_EVENT_SCHEMA_TL) == NULL;
    case ETW_KIND_CLASSIC:
    case ETW_KIND_KERNEL:
        return !etw_guid_eq(&rec->provider_id, &etw_event_metadata_guid);
    default:
        return 0;
    }
}

static uint64_t key_hash(uint8_t kind, const etw_guid *g, uint16_t id, uint8_t version,
                         const char *name) {
    uint64_t h = 0xcbf29ce484222325ull ^ kind;
    const uint8_t *p;
    size_t i;
    h = (h ^ g->data1) * 0x100000001b3ull;
    h = (h ^ ((uint32_t)g->data2 << 16 | g->data3)) * 0x100000001b3ull;
    for (i = 0; i < 8; i++) h = (h ^ g->data4[i]) * 0x100000001b3ull;
    h = (h ^ id) * 0x100000001b3ull;
    h = (h ^ version) * 0x100000001b3ull;
    if (name)
        for (p = (const uint8_t *)name; *p; p++) h = (h ^ *p) * 0x100000001b3ull;
    h ^= h >> 31;
    return h ? h : 1;
}

/* Outcome of remember(). */
enum { SEEN = 0, NEW = 1, FULL = 2 };

/* Looks the key up and inserts it when absent. Returns SEEN, NEW, FULL (the
 * sort's max_keys reached: not inserted) or ETW_ERR_NOMEM. */
static int remember(etw_fallback *f, uint8_t kind, const etw_guid *g, uint16_t id,
                    uint8_t version, const char *name) {
    uint64_t h = key_hash(kind, g, id, version, name);
    size_t i, *sort = kind == KIND_MAP ? &f->maps : &f->events;
    if (f->cap) {
        for (i = (size_t)h & (f->cap - 1); f->slots[i].hash; i = (i + 1) & (f->cap - 1)) {
            const fkey *k = &f->slots[i];
            if (k->hash == h && k->kind == kind && k->id == id && k->version == version &&
                etw_guid_eq(&k->guid, g) &&
                (kind != KIND_MAP || strcmp(k->name, name) == 0))
                return SEEN;
        }
    }
    if (*sort >= f->max_keys) return FULL;
    if ((f->count + 1) * 2 > f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 64, j;
        fkey *ns = (fkey *)calloc(ncap, sizeof *ns);
        if (!ns) return ETW_ERR_NOMEM;
        for (j = 0; j < f->cap; j++) {
            if (f->slots[j].hash) {
                size_t k = (size_t)f->slots[j].hash & (ncap - 1);
                while (ns[k].hash) k = (k + 1) & (ncap - 1);
                ns[k] = f->slots[j];
            }
        }
        free(f->slots);
        f->slots = ns;
        f->cap = ncap;
    }
    i = (size_t)h & (f->cap - 1);
    while (f->slots[i].hash) i = (i + 1) & (f->cap - 1);
    if (name) {
        size_t n = strlen(name) + 1;
        if (!(f->slots[i].name = (char *)malloc(n))) return ETW_ERR_NOMEM;
        memcpy(f->slots[i].name, name, n);
    }
    f->slots[i].hash = h;
    f->slots[i].guid = *g;
    f->slots[i].id = id;
    f->slots[i].version = version;
    f->slots[i].kind = kind;
    f->count++;
    (*sort)++;
    return NEW;
}

/* Asks for and registers the maps schema s names that r does not have yet. */
static int resolve_maps(etw_fallback *f, etw_registry *r, const etw_record *rec,
                        const etw_schema *s, const etw_fallback_source *src) {
    const etw_guid *mg = etw_guid_is_zero(&s->provider_id) ? &s->event_guid : &s->provider_id;
    uint16_t i;
    for (i = 0; i < s->prop_count; i++) {
        const etw_prop *p = &s->props[i];
        uint8_t *blob = NULL;
        size_t len = 0;
        unsigned long code;
        etw_map *m;
        etw_error err;
        int rc;
        if (!p->map_name || !p->map_name[0] || p->map) continue;
        if (etw_registry_prop_map(r, s, p)) continue;
        rc = remember(f, KIND_MAP, mg, 0, 0, p->map_name);
        if (rc == ETW_ERR_NOMEM) return rc;
        if (rc == FULL) count(f, &f->st.skipped_full, 0);
        if (rc != NEW) continue;
        count(f, &f->st.maps_asked, 0);
        code = src->map_info(src->ctx, rec, p->map_name, &blob, &len);
        if (code || !blob) {
            free(blob);
            count(f, &f->st.maps_failed, code ? code : 1);
            continue;
        }
        m = etw_map_from_emi(mg, blob, len, &rc, &err);
        free(blob);
        if (!m) {
            if (rc == ETW_ERR_NOMEM) return rc;
            count(f, &f->st.maps_failed, 0);
            continue;
        }
        rc = etw_registry_add_map(r, m); /* takes m */
        if (rc == ETW_ERR_NOMEM) return rc;
        if (rc == 1) count(f, &f->st.maps_added, 0);
    }
    return ETW_OK;
}

int etw_fallback_resolve(etw_fallback *f, etw_registry *r, const etw_record *rec,
                         const etw_fallback_source *src) {
    uint8_t kind, *blob = NULL;
    uint16_t id;
    size_t len = 0;
    unsigned long code;
    etw_schema *s;
    etw_error err;
    int rc, classic, matches;
    if (!f || !r || !rec || !src || !src->event_info) return ETW_ERR_ARG;
    if (!etw_fallback_applies(rec)) return 0;
    classic = rec->kind != ETW_KIND_MANIFEST;
    kind = (uint8_t)(classic ? ETW_KEY_CLASSIC : ETW_KEY_MANIFEST);
    id = (uint16_t)(classic ? rec->opcode : rec->id);
    rc = remember(f, kind, &rec->provider_id, id, rec->version, NULL);
    if (rc == ETW_ERR_NOMEM) return rc;
    if (rc == FULL) {
        count(f, &f->st.skipped_full, 0);
        return 0;
    }
    if (rc == SEEN) return 0;
    count(f, &f->st.keys, 0);
    /* Already described: injected/user schemas, or the built-in kernel tables. */
    if (etw_registry_find(r, (etw_key_kind)kind, &rec->provider_id, id, rec->version)) return 0;
    if (classic && etw_kernel_schema(&rec->provider_id, rec->opcode, rec->version)) return 0;
    count(f, &f->st.asked, 0);
    code = src->event_info(src->ctx, rec, &blob, &len);
    if (code || !blob) {
        free(blob);
        count(f, &f->st.failed, code ? code : 1);
        return 0;
    }
    s = etw_schema_from_tei(blob, len, &rc, &err);
    free(blob);
    if (!s) {
        if (rc == ETW_ERR_NOMEM) return rc;
        count(f, &f->st.invalid, 0);
        return 0;
    }
    matches = s->key_kind == kind && s->version == rec->version &&
              (classic ? s->opcode == rec->opcode && etw_guid_eq(&s->event_guid, &rec->provider_id)
                       : s->id == rec->id && etw_guid_eq(&s->provider_id, &rec->provider_id));
    if (!matches) count(f, &f->st.unmatched, 0);
    if (src->schema_source) s->source = src->schema_source;
    if (src->map_info && (rc = resolve_maps(f, r, rec, s, src)) != ETW_OK) {
        free(s);
        return rc;
    }
    rc = etw_registry_add(r, s); /* takes s */
    if (rc < 0) return rc;
    if (rc == 1) count(f, &f->st.added, 0);
    return rc == 1 ? 1 : 0;
}
