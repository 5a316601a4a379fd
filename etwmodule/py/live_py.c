/* live_py.c - the CPython face of the Windows live backend (../win/live.h),
 * compiled on win32 only. Thin: property images and filter bytes come from
 * python/etw/live.py, every call returns the plain Win32 code (live.py turns
 * codes into exceptions), and consumer batches become etw.Event objects like
 * the file reader's, attached to a file-less Trace whose schema registry the
 * ProcessTrace thread feeds from TDH (and user schema sources, if any).
 * Functions are added to etw._etw by etwpy_live_add(). */
#include "etwpy.h"

#include <wchar.h>

#include "../win/live.h"

#define CAPSULE_NAME "etw._etw._live_consumer"

/* What a closed consumer's capsule points at (a capsule cannot hold NULL). */
static char closed_marker;

/* wchar_t copy of a str (PyMem_Free it). NULL with an exception on error. */
static wchar_t *wstr(PyObject *s) {
    if (!PyUnicode_Check(s)) {
        PyErr_SetString(PyExc_TypeError, "expected a str");
        return NULL;
    }
    return PyUnicode_AsWideCharString(s, NULL);
}

static PyObject *live_start(PyObject *module, PyObject *args) {
    PyObject *name;
    Py_buffer props;
    wchar_t *w;
    uint64_t handle = 0;
    unsigned long rc;
    PyObject *copy, *out;
    (void)module;
    if (!PyArg_ParseTuple(args, "Uy*:_live_start", &name, &props)) return NULL;
    copy = PyByteArray_FromStringAndSize((const char *)props.buf, props.len);
    PyBuffer_Release(&props);
    if (!copy) return NULL;
    if (!(w = wstr(name))) {
        Py_DECREF(copy);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = etw_win_start(w, PyByteArray_AS_STRING(copy), (size_t)PyByteArray_GET_SIZE(copy),
                       &handle);
    Py_END_ALLOW_THREADS
    PyMem_Free(w);
    out = Py_BuildValue("kKN", rc, (unsigned long long)handle,
                        PyBytes_FromStringAndSize(PyByteArray_AS_STRING(copy),
                                                  PyByteArray_GET_SIZE(copy)));
    Py_DECREF(copy);
    return out;
}

static PyObject *live_control(PyObject *module, PyObject *args) {
    unsigned long long handle;
    PyObject *name;
    Py_buffer props;
    unsigned long code, rc;
    wchar_t *w = NULL;
    PyObject *copy, *out;
    (void)module;
    if (!PyArg_ParseTuple(args, "KOy*k:_live_control", &handle, &name, &props, &code))
        return NULL;
    copy = PyByteArray_FromStringAndSize((const char *)props.buf, props.len);
    PyBuffer_Release(&props);
    if (!copy) return NULL;
    if (name != Py_None && !(w = wstr(name))) {
        Py_DECREF(copy);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = etw_win_control(handle, w, PyByteArray_AS_STRING(copy),
                         (size_t)PyByteArray_GET_SIZE(copy), code);
    Py_END_ALLOW_THREADS
    PyMem_Free(w);
    out = Py_BuildValue("kN", rc,
                        PyBytes_FromStringAndSize(PyByteArray_AS_STRING(copy),
                                                  PyByteArray_GET_SIZE(copy)));
    Py_DECREF(copy);
    return out;
}

static PyObject *live_enable(PyObject *module, PyObject *args) {
    unsigned long long handle, any, all;
    Py_buffer guid;
    unsigned long control, timeout, prop, rc;
    unsigned char level;
    PyObject *filters, *seq;
    etw_win_filter f[13];
    etw_guid g;
    Py_ssize_t i, n;
    (void)module;
    if (!PyArg_ParseTuple(args, "Ky*kbKKkkO:_live_enable", &handle, &guid, &control, &level,
                          &any, &all, &timeout, &prop, &filters))
        return NULL;
    if (guid.len != 16) {
        PyBuffer_Release(&guid);
        PyErr_SetString(PyExc_ValueError, "provider GUID must be 16 bytes (bytes_le)");
        return NULL;
    }
    g = etw_guid_load((const uint8_t *)guid.buf);
    PyBuffer_Release(&guid);
    if (!(seq = PySequence_Fast(filters, "filters must be a sequence"))) return NULL;
    n = PySequence_Fast_GET_SIZE(seq);
    if (n > 13) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "at most 13 filters");
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        unsigned long type;
        const char *data;
        Py_ssize_t len;
        if (!PyArg_ParseTuple(item, "ky#", &type, &data, &len)) {
            Py_DECREF(seq);
            return NULL;
        }
        f[i].type = (uint32_t)type;
        f[i].size = (uint32_t)len;
        f[i].data = data; /* kept alive by seq */
    }
    Py_BEGIN_ALLOW_THREADS
    rc = etw_win_enable(handle, &g, control, level, any, all, timeout, prop, f, (unsigned)n);
    Py_END_ALLOW_THREADS
    Py_DECREF(seq);
    return PyLong_FromUnsignedLong(rc);
}

static PyObject *live_stack_walk(PyObject *module, PyObject *args) {
    unsigned long long handle;
    Py_buffer ids;
    unsigned long rc;
    (void)module;
    if (!PyArg_ParseTuple(args, "Ky*:_live_stack_walk", &handle, &ids)) return NULL;
    rc = etw_win_stack_walk(handle, ids.buf, (unsigned long)ids.len);
    PyBuffer_Release(&ids);
    return PyLong_FromUnsignedLong(rc);
}

static PyObject *live_query_all(PyObject *module, PyObject *noargs) {
    size_t each = etw_win_props_size();
    uint8_t *storage = (uint8_t *)PyMem_Malloc(each * 64);
    unsigned count = 0, i;
    unsigned long rc;
    PyObject *list;
    (void)module;
    (void)noargs;
    if (!storage) return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    rc = etw_win_query_all(storage, 64, &count);
    Py_END_ALLOW_THREADS
    if (!(list = PyList_New(0))) goto done;
    for (i = 0; i < count; i++) {
        PyObject *b = PyBytes_FromStringAndSize((const char *)storage + i * each,
                                                (Py_ssize_t)each);
        if (!b || PyList_Append(list, b) < 0) {
            Py_XDECREF(b);
            Py_CLEAR(list);
            goto done;
        }
        Py_DECREF(b);
    }
done:
    PyMem_Free(storage);
    if (!list) return NULL;
    return Py_BuildValue("kN", rc == 234 /* ERROR_MORE_DATA */ ? 0ul : rc, list);
}

static PyObject *live_providers(PyObject *module, PyObject *noargs) {
    void *buf = NULL;
    unsigned long size = 0, rc, i, n;
    PyObject *list = NULL;
    const uint8_t *p;
    (void)module;
    (void)noargs;
    Py_BEGIN_ALLOW_THREADS
    rc = etw_win_providers(&buf, &size);
    Py_END_ALLOW_THREADS
    if (!(list = PyList_New(0))) goto fail;
    if (rc == 0 && size >= 8) {
        /* PROVIDER_ENUMERATION_INFO: count u32, pad u32, then TRACE_PROVIDER_INFO
         * {GUID, SchemaSource u32, ProviderNameOffset u32} (24 bytes each). */
        p = (const uint8_t *)buf;
        n = etw_le32(p);
        for (i = 0; i < n && 8 + (size_t)(i + 1) * 24 <= size; i++) {
            const uint8_t *e = p + 8 + (size_t)i * 24;
            unsigned long off = etw_le32(e + 20);
            PyObject *name, *item;
            if (off >= size) continue;
            name = PyUnicode_FromWideChar((const wchar_t *)(const void *)(p + off), -1);
            if (!name) goto fail;
            item = Py_BuildValue("y#N", (const char *)e, (Py_ssize_t)16, name);
            if (!item || PyList_Append(list, item) < 0) {
                Py_XDECREF(item);
                goto fail;
            }
            Py_DECREF(item);
        }
    }
    free(buf);
    return Py_BuildValue("kN", rc, list);
fail:
    free(buf);
    Py_XDECREF(list);
    return NULL;
}

/* _live_enable_privilege(name) -> (code, api): etw_win_enable_privilege. */
static PyObject *live_enable_privilege(PyObject *module, PyObject *name) {
    wchar_t *w;
    const char *api = NULL;
    unsigned long rc;
    (void)module;
    if (!(w = wstr(name))) return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = etw_win_enable_privilege(w, &api);
    Py_END_ALLOW_THREADS
    PyMem_Free(w);
    return Py_BuildValue("ks", rc, api ? api : "AdjustTokenPrivileges");
}

/* The capsule's context is the consumer's Trace object (strong reference):
 * it owns the schema registry the ProcessTrace thread feeds and the events'
 * decoding uses, so it is released only after the consumer is freed. */
static void capsule_free(PyObject *cap) {
    etw_live *c = (etw_live *)PyCapsule_GetPointer(cap, CAPSULE_NAME);
    PyObject *trace = (PyObject *)PyCapsule_GetContext(cap);
    if (c && (void *)c != (void *)&closed_marker) {
        Py_BEGIN_ALLOW_THREADS
        etw_live_free(c);
        Py_END_ALLOW_THREADS
    }
    Py_XDECREF(trace);
}

/* A Trace object without a file: the schema registry (and user schema
 * sources) of a live consumer, so that its events decode like a file's.
 * Returns a new reference, or NULL with an exception. */
static PyObject *live_trace_new(etwpy_state *st, PyObject *schemas) {
    TraceObject *t = (TraceObject *)st->TraceType->tp_alloc(st->TraceType, 0);
    if (!t) return NULL;
    t->order = ETW_ORDER_TIME;
    if (!(t->registry = etw_registry_new())) {
        Py_DECREF(t);
        return PyErr_NoMemory();
    }
    /* As a file's Trace: caches of objects made from this registry's schemas
     * key on the serial (a schema's address may be reused once it is freed). */
    t->registry_serial = ++st->registry_serials;
    if (schemas != Py_None) {
        t->schemas = Py_NewRef(schemas);
        if (!(t->provided = PySet_New(NULL))) {
            Py_DECREF(t);
            return NULL;
        }
    }
    return (PyObject *)t;
}

static etw_live *consumer_of(PyObject *cap) {
    void *p = PyCapsule_GetPointer(cap, CAPSULE_NAME);
    if (p == (void *)&closed_marker) {
        PyErr_SetString(PyExc_ValueError, "consumer is closed");
        return NULL;
    }
    return (etw_live *)p;
}

/* _live_consumer_open(names, raw_timestamps, tdh=True, schemas=None)
 * -> (code, api, capsule or None). */
static PyObject *live_consumer_open(PyObject *module, PyObject *args) {
    PyObject *names, *seq, *cap = NULL, *schemas = Py_None, *trace;
    int raw = 0, tdh = 1;
    wchar_t *w[64];
    Py_ssize_t i, n;
    etw_live *c = NULL;
    const char *api = NULL;
    unsigned long rc;
    etw_registry *reg;
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    if (!PyArg_ParseTuple(args, "Op|pO:_live_consumer_open", &names, &raw, &tdh, &schemas))
        return NULL;
    if (!(seq = PySequence_Fast(names, "names must be a sequence"))) return NULL;
    n = PySequence_Fast_GET_SIZE(seq);
    if (n < 1 || n > 64) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "1 to 64 session names");
        return NULL;
    }
    if (!(trace = live_trace_new(st, schemas))) {
        Py_DECREF(seq);
        return NULL;
    }
    reg = ((TraceObject *)trace)->registry;
    for (i = 0; i < n; i++) {
        if (!(w[i] = wstr(PySequence_Fast_GET_ITEM(seq, i)))) {
            while (i-- > 0) PyMem_Free(w[i]);
            Py_DECREF(seq);
            Py_DECREF(trace);
            return NULL;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    rc = etw_live_open((const wchar_t *const *)w, (unsigned)n, raw, 64, &c, &api);
    if (rc == 0) {
        /* No TDH here (Wine) is not an error: events still decode from the rest. */
        rc = etw_live_set_registry(c, reg, tdh);
        if (rc == 120 /* ERROR_CALL_NOT_IMPLEMENTED */) rc = 0;
        api = "etw_live_set_registry";
        if (rc == 0) {
            rc = etw_live_start(c);
            api = "etw_live_start";
        }
        if (rc != 0) {
            etw_live_free(c);
            c = NULL;
        }
    }
    Py_END_ALLOW_THREADS
    for (i = 0; i < n; i++) PyMem_Free(w[i]);
    Py_DECREF(seq);
    if (rc != 0) {
        Py_DECREF(trace);
        return Py_BuildValue("ksO", rc, api ? api : "OpenTraceW", Py_None);
    }
    if (!(cap = PyCapsule_New(c, CAPSULE_NAME, capsule_free))) {
        Py_BEGIN_ALLOW_THREADS
        etw_live_free(c);
        Py_END_ALLOW_THREADS
        Py_DECREF(trace);
        return NULL;
    }
    if (PyCapsule_SetContext(cap, trace) < 0) { /* the capsule now owns trace */
        Py_DECREF(trace);
        Py_DECREF(cap);
        return NULL;
    }
    return Py_BuildValue("kON", 0ul, Py_None, cap);
}

static PyObject *live_consumer_next(PyObject *module, PyObject *args) {
    PyObject *cap, *list, *batch;
    unsigned long timeout;
    etw_live *c;
    etw_batch *b;
    int finished = 0;
    uint32_t i;
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    if (!PyArg_ParseTuple(args, "Ok:_live_consumer_next", &cap, &timeout)) return NULL;
    if (!(c = consumer_of(cap))) return NULL;
    Py_BEGIN_ALLOW_THREADS
    b = etw_live_next(c, (unsigned)timeout, &finished);
    Py_END_ALLOW_THREADS
    if (!b) {
        if (finished) Py_RETURN_NONE;
        return PyList_New(0);
    }
    if (!(batch = etwpy_batch_new(st, b, (PyObject *)PyCapsule_GetContext(cap)))) return NULL;
    if (!(list = PyList_New((Py_ssize_t)b->count))) {
        Py_DECREF(batch);
        return NULL;
    }
    for (i = 0; i < b->count; i++) {
        PyObject *ev = etwpy_event_new(st, (BatchObject *)batch, i);
        if (!ev) {
            Py_DECREF(list);
            Py_DECREF(batch);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, ev);
    }
    Py_DECREF(batch);
    return list;
}

static PyObject *live_consumer_result(PyObject *module, PyObject *cap) {
    etw_live *c;
    unsigned long code;
    const char *api;
    (void)module;
    if (!(c = consumer_of(cap))) return NULL;
    etw_live_result(c, &code, &api);
    return Py_BuildValue("ks", code, api);
}

static PyObject *live_consumer_stats(PyObject *module, PyObject *cap) {
    etw_live *c;
    etw_live_stats s;
    etw_fallback_stats f;
    PyObject *out, *tdh;
    (void)module;
    if (!(c = consumer_of(cap))) return NULL;
    etw_live_get_stats(c, &s);
    etw_live_get_fallback_stats(c, &f);
    tdh = Py_BuildValue("{sKsKsKsKsKsKsKsKsKsKsk}", "keys", (unsigned long long)f.keys,
                        "asked", (unsigned long long)f.asked, "added",
                        (unsigned long long)f.added, "failed", (unsigned long long)f.failed,
                        "invalid", (unsigned long long)f.invalid, "unmatched",
                        (unsigned long long)f.unmatched, "maps_asked",
                        (unsigned long long)f.maps_asked, "maps_added",
                        (unsigned long long)f.maps_added, "maps_failed",
                        (unsigned long long)f.maps_failed, "skipped_full",
                        (unsigned long long)f.skipped_full, "last_code", f.last_code);
    if (!tdh) return NULL;
    out = Py_BuildValue("{sKsKsKsKsKsKsOsN}", "events", (unsigned long long)s.events,
                        "dropped", (unsigned long long)s.dropped, "lost_event_records",
                        (unsigned long long)s.lost_event_records, "ext_truncated",
                        (unsigned long long)s.ext_truncated, "batches",
                        (unsigned long long)s.batches, "buffers_read",
                        (unsigned long long)s.buffers_read, "stopped_by_user",
                        s.stopped_by_user ? Py_True : Py_False, "tdh", tdh);
    return out;
}

static PyObject *live_consumer_stop(PyObject *module, PyObject *args) {
    PyObject *cap;
    unsigned long timeout;
    etw_live *c;
    (void)module;
    if (!PyArg_ParseTuple(args, "Ok:_live_consumer_stop", &cap, &timeout)) return NULL;
    if (!(c = consumer_of(cap))) return NULL;
    (void)timeout; /* CloseTrace does not wait; the iterator drains what is left */
    Py_BEGIN_ALLOW_THREADS
    etw_live_stop(c);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *live_consumer_close(PyObject *module, PyObject *cap) {
    etw_live *c;
    PyObject *trace;
    (void)module;
    if (!(c = consumer_of(cap))) return NULL;
    /* The capsule keeps a marker: its destructor must not free again. The
     * Trace (registry) outlives the consumer: events still hold it. */
    trace = (PyObject *)PyCapsule_GetContext(cap);
    if (PyCapsule_SetDestructor(cap, NULL) < 0) return NULL;
    if (PyCapsule_SetPointer(cap, &closed_marker) < 0) return NULL;
    if (PyCapsule_SetContext(cap, NULL) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    etw_live_free(c);
    Py_END_ALLOW_THREADS
    Py_XDECREF(trace);
    Py_RETURN_NONE;
}

static PyMethodDef live_methods[] = {
    {"_live_start", live_start, METH_VARARGS, NULL},
    {"_live_control", live_control, METH_VARARGS, NULL},
    {"_live_enable", live_enable, METH_VARARGS, NULL},
    {"_live_stack_walk", live_stack_walk, METH_VARARGS, NULL},
    {"_live_query_all", live_query_all, METH_NOARGS, NULL},
    {"_live_providers", live_providers, METH_NOARGS, NULL},
    {"_live_enable_privilege", live_enable_privilege, METH_O, NULL},
    {"_live_consumer_open", live_consumer_open, METH_VARARGS, NULL},
    {"_live_consumer_next", live_consumer_next, METH_VARARGS, NULL},
    {"_live_consumer_result", live_consumer_result, METH_O, NULL},
    {"_live_consumer_stats", live_consumer_stats, METH_O, NULL},
    {"_live_consumer_stop", live_consumer_stop, METH_VARARGS, NULL},
    {"_live_consumer_close", live_consumer_close, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

/* Adds the _live_* functions to module (etw._etw). Returns 0, or -1 with an
 * exception. */
int etwpy_live_add(PyObject *module);
int etwpy_live_add(PyObject *module) { return PyModule_AddFunctions(module, live_methods); }
