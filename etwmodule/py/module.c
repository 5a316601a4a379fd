/* module.c - the etw._etw extension module: multi-phase initialisation,
 * module state, and the helpers shared by the types (GUID -> uuid.UUID with
 * a cache, datetimes, error translation). */
#include "etwpy.h"

#include <datetime.h>

#include "../core/lz77.h"
#include "columns_py.h"
#include "propcols.h"

static struct PyModuleDef etw_module_def;

static uint64_t etw_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}

etwpy_state *etwpy_state_of_type(PyTypeObject *tp) {
    return (etwpy_state *)PyType_GetModuleState(tp);
}

static size_t guid_hash(const etw_guid *g) {
    uint32_t h = g->data1 ^ ((uint32_t)g->data2 << 16) ^ g->data3 ^ etw_le32(g->data4) ^
                 etw_le32(g->data4 + 4);
    h ^= h >> 15;
    h *= 0x2c1b3c6dU;
    h ^= h >> 12;
    return h & (ETWPY_GUID_CACHE - 1);
}

PyObject *etwpy_uuid(etwpy_state *st, const etw_guid *g) {
    etwpy_guid_slot *slot = &st->guid_cache[guid_hash(g)];
    uint8_t be[16];
    PyObject *num, *args, *kwargs, *u;
    if (slot->uuid && etw_guid_eq(&slot->guid, g)) return Py_NewRef(slot->uuid);
    etw_guid_to_bytes_be(g, be);
    {
        /* int = hi << 64 | lo, with public API only. */
        PyObject *hi = PyLong_FromUnsignedLongLong(etw_be64(be));
        PyObject *lo = PyLong_FromUnsignedLongLong(etw_be64(be + 8));
        PyObject *sixty_four = PyLong_FromLong(64);
        PyObject *shifted = (hi && sixty_four) ? PyNumber_Lshift(hi, sixty_four) : NULL;
        num = (shifted && lo) ? PyNumber_Or(shifted, lo) : NULL;
        Py_XDECREF(hi);
        Py_XDECREF(lo);
        Py_XDECREF(sixty_four);
        Py_XDECREF(shifted);
        if (!num) return NULL;
    }
    args = PyTuple_New(0);
    kwargs = args ? PyDict_New() : NULL;
    if (!kwargs || PyDict_SetItem(kwargs, st->str_int, num) < 0) {
        Py_XDECREF(args);
        Py_XDECREF(kwargs);
        Py_DECREF(num);
        return NULL;
    }
    u = PyObject_Call(st->uuid_class, args, kwargs);
    Py_DECREF(args);
    Py_DECREF(kwargs);
    Py_DECREF(num);
    if (!u) return NULL;
    Py_XSETREF(slot->uuid, Py_NewRef(u));
    slot->guid = *g;
    return u;
}

PyObject *etwpy_raise(etwpy_state *st, const etw_error *err, PyObject *path) {
    switch (err->code) {
    case ETW_ERR_NOMEM:
        return PyErr_NoMemory();
    case ETW_ERR_IO:
        if (err->sys_errno) {
#ifdef _WIN32
            /* The Win32 platform layer keeps GetLastError() codes. */
            return PyErr_SetExcFromWindowsErrWithFilenameObject(PyExc_OSError, err->sys_errno,
                                                                path);
#else
            errno = err->sys_errno;
            return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
#endif
        }
        PyErr_Format(PyExc_OSError, "%s", err->message);
        return NULL;
    case ETW_ERR_ARG:
        PyErr_Format(PyExc_ValueError, "%s", err->message);
        return NULL;
    default: {
        /* EtlFormatError(message, offset=..., path=...) */
        PyObject *exc, *kw = PyDict_New(), *off, *args;
        if (!kw) return NULL;
        off = PyLong_FromUnsignedLongLong(err->offset);
        args = Py_BuildValue("(s)", err->message);
        if (!off || !args || PyDict_SetItemString(kw, "offset", off) < 0 ||
            PyDict_SetItemString(kw, "path", path ? path : Py_None) < 0) {
            Py_XDECREF(off);
            Py_XDECREF(args);
            Py_DECREF(kw);
            return NULL;
        }
        exc = PyObject_Call(st->EtlFormatError, args, kw);
        Py_DECREF(off);
        Py_DECREF(args);
        Py_DECREF(kw);
        if (exc) {
            PyErr_SetObject(st->EtlFormatError, exc);
            Py_DECREF(exc);
        }
        return NULL;
    }
    }
}

/* Days since 1970-01-01 -> civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d) {
    int64_t era, yoe, doy, mp, yy;
    unsigned doe;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

PyObject *etwpy_datetime_from_ns(etwpy_state *st, int64_t unix_ns) {
    int64_t us = unix_ns / 1000, days, secs;
    int y, mo, d;
    if (unix_ns % 1000 < 0) us--; /* floor */
    days = us / 86400000000LL;
    if (us % 86400000000LL < 0) days--;
    us -= days * 86400000000LL;
    secs = us / 1000000;
    civil_from_days(days, &y, &mo, &d);
    if (y < 1 || y > 9999) {
        PyErr_Format(PyExc_OverflowError, "timestamp %lld ns is out of datetime's range",
                     (long long)unix_ns);
        return NULL;
    }
    return PyDateTimeAPI->DateTime_FromDateAndTime(
        y, mo, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
        (int)(us % 1000000), st->utc, PyDateTimeAPI->DateTimeType);
}

PyObject *etwpy_stats_dict(const etw_reader_stats *s) {
    return Py_BuildValue("{sKsKsKsKsKsKsKsK}", "events", (unsigned long long)s->events,
                         "buffers", (unsigned long long)s->buffers, "bytes",
                         (unsigned long long)s->bytes, "skipped",
                         (unsigned long long)s->skipped, "skipped_bytes",
                         (unsigned long long)s->skipped_bytes, "opaque_records",
                         (unsigned long long)s->opaque_records, "compressed_buffers",
                         (unsigned long long)s->compressed_buffers, "lost_flag_buffers",
                         (unsigned long long)s->lost_flag_buffers);
}

/* _lz77_decompress(data, out_size) -> bytes: test hook for the decompressor. */
static PyObject *lz77_decompress(PyObject *module, PyObject *args) {
    Py_buffer in;
    Py_ssize_t out_size;
    size_t produced = 0;
    PyObject *out;
    int rc;
    if (!PyArg_ParseTuple(args, "y*n", &in, &out_size)) return NULL;
    if (out_size < 0) {
        PyBuffer_Release(&in);
        PyErr_SetString(PyExc_ValueError, "out_size must be >= 0");
        return NULL;
    }
    out = PyBytes_FromStringAndSize(NULL, out_size);
    if (!out) {
        PyBuffer_Release(&in);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = etw_lz77_decompress((const uint8_t *)in.buf, (size_t)in.len,
                             (uint8_t *)PyBytes_AS_STRING(out), (size_t)out_size, &produced);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&in);
    if (rc != ETW_OK) {
        etw_error e;
        memset(&e, 0, sizeof e);
        etw_error_set(&e, ETW_ERR_FORMAT, produced,
                      "malformed LZ77 stream after %zu output bytes", produced);
        Py_DECREF(out);
        return etwpy_raise((etwpy_state *)PyModule_GetState(module), &e, NULL);
    }
    if ((Py_ssize_t)produced != out_size && _PyBytes_Resize(&out, (Py_ssize_t)produced) < 0)
        return NULL;
    return out;
}

static PyMethodDef module_methods[] = {
    {"scan", (PyCFunction)(void (*)(void))etwpy_scan, METH_VARARGS | METH_KEYWORDS,
     "scan(path, *, errors='strict', threads=None) -> dict\n\nC-only pass over a file: "
     "event counts per (provider, id, opcode), without creating event objects; threads: "
     "native threads sharing the buffers (None: one per CPU, at most 4, from 32 MiB)."},
    {"_lz77_decompress", lz77_decompress, METH_VARARGS,
     "_lz77_decompress(data, out_size) -> bytes (test hook)"},
    {"_wevt_to_blobs", etwpy_wevt_to_blobs, METH_VARARGS,
     "_wevt_to_blobs(crim, msgtable=None) -> [(kind, blob)]: compiled manifest -> TEI/EMI "
     "blobs"},
    {"_schema_roundtrip", etwpy_schema_roundtrip, METH_VARARGS,
     "_schema_roundtrip(kind, blob) -> bytes (test hook)"},
    {"_fallback_run", etwpy_fallback_run, METH_VARARGS,
     "_fallback_run(records, event_info, map_info=None, max_keys=0) -> dict (test hook of "
     "the once-per-key schema fallback the live consumer feeds from TDH)"},
    {"_inband_scan", etwpy_inband_scan, METH_VARARGS,
     "_inband_scan(path) -> [(uuid, bytes)]: EventSource manifests a file carries"},
    {"_columns", (PyCFunction)(void (*)(void))etwpy_columns, METH_VARARGS | METH_KEYWORDS, "_columns(path, *, order, errors, columns, providers, ids, pids, kinds, start_ns, end_ns, threads, engine, range, trace, progress) -> dict: typed column buffers of the events (see etw.arrow)"},
    {"_remap_i32", etwpy_remap_i32, METH_VARARGS,
     "_remap_i32(index, table) -> (values, validity | None, nulls): table[index[i]] for "
     "int32 buffers, negative entries null (Arrow dictionary indices, see etw.arrow)"},
    {"_collect_properties", etwpy_collect_properties, METH_VARARGS,
     "_collect_properties(events, file_offsets, type_index, type_ids, type_providers, "
     "key_of_type, nkeys) -> [({name: [value per row]}, big names, uuid names)] per "
     "table (see etw.arrow.tables)"},
    {NULL, NULL, 0, NULL},
};

static PyObject *add_type(PyObject *m, PyType_Spec *spec) {
    PyObject *t = PyType_FromModuleAndSpec(m, spec, NULL);
    if (!t) return NULL;
    if (PyModule_AddObjectRef(m, strrchr(spec->name, '.') + 1, t) < 0) {
        Py_DECREF(t);
        return NULL;
    }
    return t;
}

#ifdef ETW_HAVE_LIVE
/* live_py.c (Windows only): adds the _live_* functions. Returns -1 on error. */
int etwpy_live_add(PyObject *module);
#endif

static int module_exec(PyObject *m) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState(m);
    static const char *kinds[ETW_KIND_COUNT] = {"header",   "kernel",       "classic",
                                                "manifest", "tracelogging", "wpp"};
    PyObject *mod;
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) return -1;
    memset(st, 0, sizeof *st);
    if (!(st->TraceType = (PyTypeObject *)add_type(m, &etwpy_trace_spec))) return -1;
    if (!(st->TraceIterType = (PyTypeObject *)add_type(m, &etwpy_trace_iter_spec))) return -1;
    if (!(st->EventType = (PyTypeObject *)add_type(m, &etwpy_event_spec))) return -1;
    if (!(st->BatchType = (PyTypeObject *)add_type(m, &etwpy_batch_spec))) return -1;
    mod = PyImport_ImportModule("etw._errors");
    if (!mod) return -1;
    st->EtwError = PyObject_GetAttrString(mod, "EtwError");
    st->EtlFormatError = PyObject_GetAttrString(mod, "EtlFormatError");
    Py_DECREF(mod);
    if (!st->EtwError || !st->EtlFormatError) return -1;
    mod = PyImport_ImportModule("uuid");
    if (!mod) return -1;
    st->uuid_class = PyObject_GetAttrString(mod, "UUID");
    Py_DECREF(mod);
    if (!st->uuid_class) return -1;
    st->utc = Py_NewRef(PyDateTime_TimeZone_UTC);
    st->str_int = PyUnicode_InternFromString("int");
    if (!st->str_int) return -1;
    if (!(st->decoder = etw_decoder_new(0))) {
        PyErr_NoMemory();
        return -1;
    }
#ifdef ETW_HAVE_LIVE
    if (etwpy_live_add(m) < 0) return -1;
#endif
    for (int i = 0; i < ETW_KIND_COUNT; i++)
        if (!(st->kind_names[i] = PyUnicode_InternFromString(kinds[i]))) return -1;
    return 0;
}

static int module_traverse(PyObject *m, visitproc visit, void *arg) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState(m);
    if (!st) return 0;
    Py_VISIT(st->TraceType);
    Py_VISIT(st->TraceIterType);
    Py_VISIT(st->EventType);
    Py_VISIT(st->BatchType);
    Py_VISIT(st->EtwError);
    Py_VISIT(st->EtlFormatError);
    Py_VISIT(st->uuid_class);
    for (int i = 0; i < ETWPY_GUID_CACHE; i++) Py_VISIT(st->guid_cache[i].uuid);
    return 0;
}

static int module_clear(PyObject *m) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState(m);
    if (!st) return 0;
    Py_CLEAR(st->TraceType);
    Py_CLEAR(st->TraceIterType);
    Py_CLEAR(st->EventType);
    Py_CLEAR(st->BatchType);
    Py_CLEAR(st->EtwError);
    Py_CLEAR(st->EtlFormatError);
    Py_CLEAR(st->uuid_class);
    Py_CLEAR(st->utc);
    Py_CLEAR(st->str_int);
    for (int i = 0; i < ETW_KIND_COUNT; i++) Py_CLEAR(st->kind_names[i]);
    for (int i = 0; i < ETWPY_GUID_CACHE; i++) Py_CLEAR(st->guid_cache[i].uuid);
    etwpy_pcache_free(st);
    while (st->n_free_events > 0) PyObject_Free(st->free_events[--st->n_free_events]);
    return 0;
}

static void module_free(void *m) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState((PyObject *)m);
    module_clear((PyObject *)m);
    if (st) {
        etw_decoder_free(st->decoder);
        st->decoder = NULL;
    }
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, (void *)module_exec},
    {0, NULL},
};

static struct PyModuleDef etw_module_def = {
    PyModuleDef_HEAD_INIT,
    "etw._etw",
    "Native core of the etw package: the .etl reader, the native producer thread and "
    "the Event/Trace types.",
    sizeof(etwpy_state),
    module_methods,
    module_slots,
    module_traverse,
    module_clear,
    module_free,
};

PyMODINIT_FUNC PyInit__etw(void);
PyMODINIT_FUNC PyInit__etw(void) { return PyModuleDef_Init(&etw_module_def); }
