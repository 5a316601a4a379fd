/* fallback_py.c - _fallback_run, the test hook of the once-per-key schema
 * fallback (core/fallback.h): on Windows the live consumer asks TDH from its
 * ProcessTrace thread; here Python callables stand in for TDH so that the
 * portable logic (which records are asked about, how often, what is
 * registered, how misses are remembered) is tested on every OS. */
#include "etwpy.h"

#include "../core/fallback.h"

typedef struct hook_ctx {
    PyObject *event_info; /* callable(index) -> bytes | int */
    PyObject *map_info;   /* callable(index, name) -> bytes | int, or NULL */
    Py_ssize_t index;     /* record being resolved */
    PyObject *calls;      /* list of ("tei", index) / ("emi", index, name) */
    int failed;           /* a callable raised: stop asking, re-raise at the end */
} hook_ctx;

/* Turns a callable's answer into a malloc'd blob (0) or an error code. */
static unsigned long answer(hook_ctx *h, PyObject *res, uint8_t **out, size_t *len) {
    if (!res) {
        h->failed = 1;
        return 0xFFFFFFFFul;
    }
    if (PyBytes_Check(res)) {
        size_t n = (size_t)PyBytes_GET_SIZE(res);
        *out = (uint8_t *)malloc(n ? n : 1);
        if (!*out) {
            Py_DECREF(res);
            return 8; /* ERROR_NOT_ENOUGH_MEMORY */
        }
        memcpy(*out, PyBytes_AS_STRING(res), n);
        *len = n;
        Py_DECREF(res);
        return 0;
    }
    if (PyLong_Check(res)) {
        unsigned long code = PyLong_AsUnsignedLong(res);
        Py_DECREF(res);
        if (code == (unsigned long)-1 && PyErr_Occurred()) {
            h->failed = 1;
            return 0xFFFFFFFFul;
        }
        return code;
    }
    Py_DECREF(res);
    PyErr_SetString(PyExc_TypeError, "a fallback source must return bytes or an int code");
    h->failed = 1;
    return 0xFFFFFFFFul;
}

static unsigned long hook_event_info(void *ctx, const etw_record *rec, uint8_t **out,
                                     size_t *len) {
    hook_ctx *h = (hook_ctx *)ctx;
    PyObject *call;
    (void)rec;
    if (h->failed) return 0xFFFFFFFFul;
    call = Py_BuildValue("(sn)", "tei", h->index);
    if (!call || PyList_Append(h->calls, call) < 0) {
        Py_XDECREF(call);
        h->failed = 1;
        return 0xFFFFFFFFul;
    }
    Py_DECREF(call);
    return answer(h, PyObject_CallFunction(h->event_info, "n", h->index), out, len);
}

static unsigned long hook_map_info(void *ctx, const etw_record *rec, const char *name,
                                   uint8_t **out, size_t *len) {
    hook_ctx *h = (hook_ctx *)ctx;
    PyObject *call;
    (void)rec;
    if (h->failed) return 0xFFFFFFFFul;
    call = Py_BuildValue("(sns)", "emi", h->index, name);
    if (!call || PyList_Append(h->calls, call) < 0) {
        Py_XDECREF(call);
        h->failed = 1;
        return 0xFFFFFFFFul;
    }
    Py_DECREF(call);
    return answer(h, PyObject_CallFunction(h->map_info, "ns", h->index, name), out, len);
}

static int kind_of(const char *s) {
    static const char *names[ETW_KIND_COUNT] = {"header",   "kernel",       "classic",
                                                "manifest", "tracelogging", "wpp"};
    int i;
    for (i = 0; i < ETW_KIND_COUNT; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

/* {"event_name", "source", "key_kind", "props": [(name, map_name, entries|None)]}
 * for a schema found in r, entries being [(value, name)] of its map. */
static PyObject *schema_info(etw_registry *r, const etw_schema *s) {
    PyObject *props = PyList_New(0), *out;
    uint16_t i;
    if (!props) return NULL;
    for (i = 0; i < s->prop_count; i++) {
        const etw_prop *p = &s->props[i];
        const etw_map *m = etw_registry_prop_map(r, s, p);
        PyObject *entries = Py_None, *item;
        uint32_t j;
        if (m) {
            if (!(entries = PyList_New(0))) goto fail;
            for (j = 0; j < m->count; j++) {
                PyObject *e = Py_BuildValue("(ks)", (unsigned long)m->entries[j].value,
                                            m->entries[j].name ? m->entries[j].name : "");
                if (!e || PyList_Append(entries, e) < 0) {
                    Py_XDECREF(e);
                    Py_DECREF(entries);
                    goto fail;
                }
                Py_DECREF(e);
            }
        } else {
            Py_INCREF(entries);
        }
        item = Py_BuildValue("(szN)", p->name, p->map_name, entries);
        if (!item || PyList_Append(props, item) < 0) {
            Py_XDECREF(item);
            goto fail;
        }
        Py_DECREF(item);
    }
    out = Py_BuildValue("{szsisisN}", "event_name", s->event_name, "source", (int)s->source,
                        "key_kind", (int)s->key_kind, "props", props);
    return out;
fail:
    Py_DECREF(props);
    return NULL;
}

static PyObject *stats_dict(const etw_fallback_stats *s) {
    return Py_BuildValue(
        "{sKsKsKsKsKsKsKsKsKsKsk}", "keys", (unsigned long long)s->keys, "asked",
        (unsigned long long)s->asked, "added", (unsigned long long)s->added, "failed",
        (unsigned long long)s->failed, "invalid", (unsigned long long)s->invalid, "unmatched",
        (unsigned long long)s->unmatched, "maps_asked", (unsigned long long)s->maps_asked,
        "maps_added", (unsigned long long)s->maps_added, "maps_failed",
        (unsigned long long)s->maps_failed, "skipped_full",
        (unsigned long long)s->skipped_full, "last_code", s->last_code);
}

/* _fallback_run(records, event_info, map_info=None, max_keys=0) -> dict.
 * records: [(kind, uuid.UUID, id, version, opcode, flags, has_tl_metadata)].
 * Each record is resolved in order against one fresh registry; then looked
 * up. Returns {"results": [rc], "calls": [...], "stats": {...},
 * "schemas": [schema_info or None]}. */
PyObject *etwpy_fallback_run(PyObject *module, PyObject *args) {
    PyObject *records, *event_info, *map_info = Py_None, *seq = NULL, *out = NULL;
    PyObject *results = NULL, *schemas = NULL;
    Py_ssize_t max_keys = 0, n, i;
    etw_registry *reg = NULL;
    etw_fallback *fb = NULL;
    etw_fallback_source src;
    etw_fallback_stats st;
    hook_ctx h;
    static const uint8_t tl_meta[4] = {4, 0, 0, 0};
    (void)module;
    memset(&h, 0, sizeof h);
    if (!PyArg_ParseTuple(args, "OO|On:_fallback_run", &records, &event_info, &map_info,
                          &max_keys))
        return NULL;
    if (!PyCallable_Check(event_info) || (map_info != Py_None && !PyCallable_Check(map_info))) {
        PyErr_SetString(PyExc_TypeError, "event_info and map_info must be callables");
        return NULL;
    }
    if (max_keys < 0) {
        PyErr_SetString(PyExc_ValueError, "max_keys must be >= 0");
        return NULL;
    }
    if (!(seq = PySequence_Fast(records, "records must be a sequence"))) return NULL;
    n = PySequence_Fast_GET_SIZE(seq);
    reg = etw_registry_new();
    fb = etw_fallback_new((size_t)max_keys);
    h.calls = PyList_New(0);
    results = PyList_New(0);
    schemas = PyList_New(0);
    if (!reg || !fb) {
        PyErr_NoMemory();
        goto done;
    }
    if (!h.calls || !results || !schemas) goto done;
    h.event_info = event_info;
    h.map_info = map_info == Py_None ? NULL : map_info;
    memset(&src, 0, sizeof src);
    src.ctx = &h;
    src.schema_source = ETW_SRC_TDH; /* as the live consumer registers them */
    src.event_info = hook_event_info;
    src.map_info = h.map_info ? hook_map_info : NULL;
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i), *guid, *bytes_le, *res;
        const char *kind;
        unsigned id, version, opcode, flags;
        int tl, k, rc;
        etw_record rec;
        etw_ext_item ext;
        const etw_schema *s = NULL;
        etw_error err;
        if (!PyArg_ParseTuple(item, "sOIIIIp", &kind, &guid, &id, &version, &opcode, &flags,
                              &tl))
            goto done;
        if ((k = kind_of(kind)) < 0 || id > 0xFFFF || version > 0xFF || opcode > 0xFF ||
            flags > 0xFFFF) {
            PyErr_Format(PyExc_ValueError, "bad record %R", item);
            goto done;
        }
        if (!(bytes_le = PyObject_GetAttrString(guid, "bytes_le"))) goto done;
        if (!PyBytes_Check(bytes_le) || PyBytes_GET_SIZE(bytes_le) != 16) {
            Py_DECREF(bytes_le);
            PyErr_SetString(PyExc_TypeError, "the provider must be a uuid.UUID");
            goto done;
        }
        memset(&rec, 0, sizeof rec);
        rec.kind = (uint8_t)k;
        rec.provider_id = etw_guid_load((const uint8_t *)PyBytes_AS_STRING(bytes_le));
        Py_DECREF(bytes_le);
        rec.id = (uint16_t)id;
        rec.version = (uint8_t)version;
        rec.opcode = (uint8_t)opcode;
        rec.flags = (uint16_t)flags;
        if (tl) {
            ext.type = ETW_EXT_EVENT_SCHEMA_TL;
            ext.size = sizeof tl_meta;
            ext.data = tl_meta;
            rec.ext = &ext;
            rec.ext_count = 1;
        }
        h.index = i;
        rc = etw_fallback_resolve(fb, reg, &rec, &src);
        if (h.failed) goto done;
        if (rc == ETW_ERR_NOMEM) {
            PyErr_NoMemory();
            goto done;
        }
        res = PyLong_FromLong(rc);
        if (!res || PyList_Append(results, res) < 0) {
            Py_XDECREF(res);
            goto done;
        }
        Py_DECREF(res);
        /* What a decoder would find for this record now. */
        memset(&err, 0, sizeof err);
        rc = tl ? 0 : etw_registry_lookup(reg, &rec, &s, &err);
        res = rc == 1 && s ? schema_info(reg, s) : Py_NewRef(Py_None);
        if (!res || PyList_Append(schemas, res) < 0) {
            Py_XDECREF(res);
            goto done;
        }
        Py_DECREF(res);
    }
    etw_fallback_get_stats(fb, &st);
    out = Py_BuildValue("{sOsOsNsO}", "results", results, "calls", h.calls, "stats",
                        stats_dict(&st), "schemas", schemas);
done:
    Py_XDECREF(seq);
    Py_XDECREF(h.calls);
    Py_XDECREF(results);
    Py_XDECREF(schemas);
    etw_fallback_free(fb);
    etw_registry_free(reg);
    return out;
}
