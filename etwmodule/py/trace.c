/* trace.c - etw.Trace (an opened .etl file: header, statistics, iteration,
 * callbacks) and its iterator, which drains the producer thread's ring on
 * the calling Python thread, waiting with the GIL released in short slices
 * so that Ctrl+C gets through. Also etw.scan(). */
#include "etwpy.h"

#include <structmember.h>

#include "../core/scan.h"

/* The referent of a weak reference (new reference), or NULL when dead. */
static PyObject *weak_get(PyObject *ref) {
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *obj = NULL;
    if (PyWeakref_GetRef(ref, &obj) < 0) PyErr_Clear();
    return obj;
#else
    PyObject *obj = PyWeakref_GetObject(ref);
    return (obj && obj != Py_None) ? Py_NewRef(obj) : NULL;
#endif
}

#define WAIT_SLICE_MS 100
#define RING_BATCHES 8

PyObject *etwpy_path_bytes(PyObject *path) {
    PyObject *fs = PyOS_FSPath(path), *out;
    if (!fs) return NULL;
    if (PyBytes_Check(fs)) {
        out = fs;
    } else {
#ifdef _WIN32
        out = PyUnicode_AsUTF8String(fs); /* the Win32 platform layer takes UTF-8 */
#else
        out = PyUnicode_EncodeFSDefault(fs);
#endif
        Py_DECREF(fs);
        if (!out) return NULL;
    }
    if ((size_t)PyBytes_GET_SIZE(out) != strlen(PyBytes_AS_STRING(out))) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_ValueError, "embedded null byte in path");
        return NULL;
    }
    return out;
}

static PyObject *utf16z_str(const uint16_t *s) {
    size_t n = 0;
    int byteorder = 0; /* native order: the values are already host integers */
    while (s[n]) n++;
    return PyUnicode_DecodeUTF16((const char *)s, (Py_ssize_t)(n * 2), "surrogatepass",
                                 &byteorder);
}

static PyObject *filetime_dt(etwpy_state *st, int64_t ft) {
    /* Unix ns fit in int64 for FILETIMEs of years 1678-2261 (garbage fields of
     * damaged or unfinished headers give None, not a wrong date). */
    const int64_t lo = ETW_FILETIME_UNIX_EPOCH - INT64_MAX / 100;
    const int64_t hi = ETW_FILETIME_UNIX_EPOCH + INT64_MAX / 100;
    if (ft <= 0 || ft < lo || ft > hi) Py_RETURN_NONE;
    return etwpy_datetime_from_ns(st, (ft - ETW_FILETIME_UNIX_EPOCH) * 100);
}

static PyObject *header_dict(etwpy_state *st, const etw_logfile_header *h, size_t nbufs) {
    char osv[48], fmtv[24];
    snprintf(osv, sizeof osv, "%u.%u.%u", h->os_major, h->os_minor,
             (unsigned)h->provider_version);
    snprintf(fmtv, sizeof fmtv, "%u.%u", h->format_major, h->format_minor);
    return Py_BuildValue(
        "{sNsNsNsNsNsLsLsLsIsIsIsLsIsIsIsIsIsIsIsssIsssIsisisisNsNsIsLsn}",
        "logger_name", utf16z_str(h->logger_name),
        "log_file_name", utf16z_str(h->log_file_name),
        "start_time", filetime_dt(st, h->start_time),
        "end_time", filetime_dt(st, h->end_time),
        "boot_time", filetime_dt(st, h->boot_time),
        "start_filetime", (long long)h->start_time,
        "end_filetime", (long long)h->end_time,
        "boot_filetime", (long long)h->boot_time,
        "pointer_size", (unsigned)h->pointer_size,
        "cpu_count", (unsigned)h->cpu_count,
        "cpu_speed_mhz", (unsigned)h->cpu_speed_mhz,
        "perf_freq", (long long)h->perf_freq,
        "clock_type", (unsigned)h->clock_type,
        "timer_resolution", (unsigned)h->timer_resolution,
        "buffer_size", (unsigned)h->buffer_size,
        "buffers_written", (unsigned)h->buffers_written,
        "events_lost", (unsigned)h->events_lost,
        "buffers_lost", (unsigned)h->buffers_lost,
        "log_file_mode", (unsigned)h->log_file_mode,
        "os_version", osv,
        "os_build", (unsigned)h->provider_version,
        "log_format_version", fmtv,
        "max_file_size_mb", (unsigned)h->max_file_size,
        "timezone_bias_minutes", (int)h->tz_bias,
        "timezone_standard_bias", (int)h->tz_standard_bias,
        "timezone_daylight_bias", (int)h->tz_daylight_bias,
        "timezone_standard_name", utf16z_str(h->tz_standard_name),
        "timezone_daylight_name", utf16z_str(h->tz_daylight_name),
        "header_pointer_size", (unsigned)h->header_pointer_size,
        "raw_start_timestamp", (long long)h->t0,
        "buffers_in_file", (Py_ssize_t)nbufs);
}

static int parse_options(const char *order, const char *errors, int *o, int *skip) {
    if (!strcmp(order, "time"))
        *o = ETW_ORDER_TIME;
    else if (!strcmp(order, "file"))
        *o = ETW_ORDER_FILE;
    else {
        PyErr_Format(PyExc_ValueError, "order must be 'time' or 'file', not '%s'", order);
        return -1;
    }
    if (!strcmp(errors, "strict"))
        *skip = 0;
    else if (!strcmp(errors, "skip"))
        *skip = 1;
    else {
        PyErr_Format(PyExc_ValueError, "errors must be 'strict' or 'skip', not '%s'", errors);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ Trace */

static int trace_init(TraceObject *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"path", "order", "errors", "schemas", NULL};
    PyObject *path, *schemas = Py_None;
    const char *order = "time", *errors = "strict";
    etwpy_state *st = etwpy_state_of_type(Py_TYPE(self));
    etw_reader_options opt;
    etw_reader *r = NULL;
    etw_error e;
    int rc;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$ssO:Trace", kwlist, &path, &order,
                                     &errors, &schemas))
        return -1;
    Py_XSETREF(self->schemas, Py_NewRef(schemas));
    if (!self->provided && !(self->provided = PySet_New(NULL))) return -1;
    if (parse_options(order, errors, &self->order, &self->skip_errors) < 0) return -1;
    Py_XSETREF(self->path, etwpy_path_bytes(path));
    if (!self->path) return -1;
    Py_XSETREF(self->path_obj, Py_NewRef(path));
    memset(&e, 0, sizeof e);
    memset(&opt, 0, sizeof opt);
    opt.order = (etw_order)self->order;
    opt.skip_errors = self->skip_errors;
    opt.header_only = 1; /* the iterators index the buffers when they start */
    Py_BEGIN_ALLOW_THREADS
    rc = etw_reader_open(PyBytes_AS_STRING(self->path), &opt, &r, &e);
    Py_END_ALLOW_THREADS
    if (rc != ETW_OK) {
        etwpy_raise(st, &e, path);
        return -1;
    }
    Py_XSETREF(self->header,
               header_dict(st, etw_reader_header(r), etw_reader_buffer_count(r)));
    memset(&self->stats, 0, sizeof self->stats); /* counted by the iterations */
    etw_reader_close(r);
    if (!self->header) return -1;
    if (!self->iterators && !(self->iterators = PyList_New(0))) return -1;
    if (!self->registry) {
        if (!(self->registry = etw_registry_new())) {
            PyErr_NoMemory();
            return -1;
        }
        self->registry_serial = ++st->registry_serials;
    }
    if (!self->inband && !(self->inband = etw_inband_new())) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void trace_close_iterators(TraceObject *self);

static void trace_dealloc(TraceObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
    Py_XDECREF(self->path);
    Py_XDECREF(self->path_obj);
    Py_XDECREF(self->header);
    Py_XDECREF(self->iterators);
    Py_XDECREF(self->schemas);
    Py_XDECREF(self->provided);
    /* Iterators hold a reference to the trace, so none is running here. */
    etw_registry_free(self->registry);
    etw_inband_free(self->inband);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *trace_iter(TraceObject *self) {
    etwpy_state *st = etwpy_state_of_type(Py_TYPE(self));
    TraceIterObject *it;
    etw_reader_options opt;
    etw_reader *r = NULL;
    etw_pipeline *p = NULL;
    etw_error e;
    int rc;
    PyObject *ref;
    if (!self->path) {
        PyErr_SetString(PyExc_ValueError, "Trace is not initialised");
        return NULL;
    }
    memset(&e, 0, sizeof e);
    memset(&opt, 0, sizeof opt);
    opt.order = (etw_order)self->order;
    opt.skip_errors = self->skip_errors;
    Py_BEGIN_ALLOW_THREADS
    rc = etw_reader_open(PyBytes_AS_STRING(self->path), &opt, &r, &e);
    if (rc == ETW_OK) {
        rc = etw_pipeline_start_file(r, RING_BATCHES, self->registry, self->inband, &p);
        if (rc != ETW_OK) etw_error_set(&e, rc, 0, "cannot start the reader thread");
    }
    Py_END_ALLOW_THREADS
    if (rc != ETW_OK) return etwpy_raise(st, &e, self->path_obj);
    it = PyObject_New(TraceIterObject, st->TraceIterType);
    if (!it) {
        Py_BEGIN_ALLOW_THREADS
        etw_pipeline_free(p);
        Py_END_ALLOW_THREADS
        return NULL;
    }
    it->trace = (TraceObject *)Py_NewRef(self);
    it->state = st;
    it->pipeline = p;
    it->batch = NULL;
    it->pos = 0;
    it->finished = 0;
    it->weakreflist = NULL;
    memset(&self->stats, 0, sizeof self->stats);
    /* Remember the iterator (weakly) so that close() can stop it; drop dead refs. */
    {
        Py_ssize_t i = PyList_GET_SIZE(self->iterators);
        while (i-- > 0) {
            PyObject *obj = weak_get(PyList_GET_ITEM(self->iterators, i));
            if (obj) {
                Py_DECREF(obj);
            } else if (PySequence_DelItem(self->iterators, i) < 0) {
                Py_DECREF(it);
                return NULL;
            }
        }
    }
    ref = PyWeakref_NewRef((PyObject *)it, NULL);
    if (!ref || PyList_Append(self->iterators, ref) < 0) {
        Py_XDECREF(ref);
        Py_DECREF(it);
        return NULL;
    }
    Py_DECREF(ref);
    return (PyObject *)it;
}

static PyObject *iter_next(TraceIterObject *self);
static void iter_stop(TraceIterObject *self);

static PyObject *trace_process(TraceObject *self, PyObject *callback) {
    PyObject *it, *ev;
    unsigned long long n = 0;
    if (!PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "process() needs a callable");
        return NULL;
    }
    it = trace_iter(self);
    if (!it) return NULL;
    while ((ev = iter_next((TraceIterObject *)it)) != NULL) {
        PyObject *r = PyObject_CallOneArg(callback, ev);
        Py_DECREF(ev);
        if (!r) {
            iter_stop((TraceIterObject *)it);
            Py_DECREF(it);
            return NULL;
        }
        Py_DECREF(r);
        n++;
    }
    iter_stop((TraceIterObject *)it);
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromUnsignedLongLong(n);
}

static void trace_close_iterators(TraceObject *self) {
    Py_ssize_t i;
    if (!self->iterators) return;
    for (i = 0; i < PyList_GET_SIZE(self->iterators); i++) {
        PyObject *obj = weak_get(PyList_GET_ITEM(self->iterators, i));
        if (obj) {
            iter_stop((TraceIterObject *)obj);
            Py_DECREF(obj);
        }
    }
    PyList_SetSlice(self->iterators, 0, PyList_GET_SIZE(self->iterators), NULL);
}

static PyObject *trace_close(TraceObject *self, PyObject *unused) {
    (void)unused;
    trace_close_iterators(self);
    Py_RETURN_NONE;
}

static PyObject *trace_enter(TraceObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self);
}

static PyObject *trace_exit(TraceObject *self, PyObject *args) {
    (void)args;
    trace_close_iterators(self);
    Py_RETURN_FALSE;
}

static PyObject *trace_get_header(TraceObject *self, void *c) {
    (void)c;
    if (!self->header) Py_RETURN_NONE;
    return PyDict_Copy(self->header);
}

static PyObject *trace_get_stats(TraceObject *self, void *c) {
    (void)c;
    return etwpy_stats_dict(&self->stats);
}

static PyObject *trace_get_path(TraceObject *self, void *c) {
    (void)c;
    return Py_NewRef(self->path_obj ? self->path_obj : Py_None);
}

static PyObject *trace_get_order(TraceObject *self, void *c) {
    (void)c;
    return PyUnicode_FromString(self->order == ETW_ORDER_FILE ? "file" : "time");
}

static PyObject *trace_get_errors(TraceObject *self, void *c) {
    (void)c;
    return PyUnicode_FromString(self->skip_errors ? "skip" : "strict");
}

static PyObject *trace_get_schemas(TraceObject *self, void *c) {
    (void)c;
    return Py_NewRef(self->schemas ? self->schemas : Py_None);
}

static PyObject *trace_repr(TraceObject *self) {
    return PyUnicode_FromFormat("<etw.Trace %R order=%s errors=%s>",
                                self->path_obj ? self->path_obj : Py_None,
                                self->order == ETW_ORDER_TIME ? "time" : "file",
                                self->skip_errors ? "skip" : "strict");
}

static const struct {
    const char *name;
    uint8_t source;
} source_names[] = {
    {"manifest", ETW_SRC_MANIFEST}, {"wevt", ETW_SRC_WEVT}, {"pack", ETW_SRC_PACK},
    {"inband", ETW_SRC_INBAND},     {"injected", ETW_SRC_TEI},      {"tdh", ETW_SRC_TDH},
};

/* _inband_take() -> [(uuid.UUID, bytes)]: EventSource manifests completed so
 * far by the producer (each handed out once). */
static PyObject *trace_inband_take(TraceObject *self, PyObject *unused) {
    (void)unused;
    if (!self->inband) return PyList_New(0);
    return etwpy_inband_take_list(etwpy_state_of_type(Py_TYPE(self)), self->inband);
}

/* _registry_add(kind, blob[, source]): adds a schema source to this trace's registry.
 * kind "tei": a TRACE_EVENT_INFO blob; "emi": provider GUID (16 bytes, LE)
 * followed by an EVENT_MAP_INFO blob. Returns True when added (or when it
 * replaced one of a lower-ranked source, schema.h), False when not kept (a
 * duplicate); raises EtlFormatError for a malformed blob. */
static PyObject *trace_registry_add(TraceObject *self, PyObject *args) {
    const char *kind, *source = NULL;
    uint8_t src = 0;
    Py_buffer blob;
    etw_error e;
    int rc = ETW_ERR_ARG;
    etwpy_state *st = etwpy_state_of_type(Py_TYPE(self));
    if (!PyArg_ParseTuple(args, "sy*|z:_registry_add", &kind, &blob, &source)) return NULL;
    if (source) {
        for (size_t i = 0; i < sizeof source_names / sizeof source_names[0]; i++)
            if (!strcmp(source, source_names[i].name)) src = source_names[i].source;
        if (!src) {
            PyBuffer_Release(&blob);
            PyErr_Format(PyExc_ValueError, "unknown schema source '%s'", source);
            return NULL;
        }
    }
    memset(&e, 0, sizeof e);
    if (!self->registry) {
        PyBuffer_Release(&blob);
        PyErr_SetString(PyExc_ValueError, "Trace is not initialised");
        return NULL;
    }
    if (!strcmp(kind, "tei")) {
        etw_schema *s = etw_schema_from_tei((const uint8_t *)blob.buf, (size_t)blob.len, &rc, &e);
        if (s) {
            if (src) s->source = src;
            rc = etw_registry_add(self->registry, s);
        }
    } else if (!strcmp(kind, "emi")) {
        if (blob.len < 16) {
            rc = etw_error_set(&e, ETW_ERR_FORMAT, 0, "map blob shorter than its GUID");
        } else {
            etw_guid g = etw_guid_load((const uint8_t *)blob.buf);
            etw_map *m = etw_map_from_emi(&g, (const uint8_t *)blob.buf + 16,
                                          (size_t)blob.len - 16, &rc, &e);
            if (m && src) m->source = src; /* the registry ranks maps by source */
            if (m) rc = etw_registry_add_map(self->registry, m);
        }
    } else {
        PyBuffer_Release(&blob);
        PyErr_Format(PyExc_ValueError, "unknown schema blob kind '%s'", kind);
        return NULL;
    }
    PyBuffer_Release(&blob);
    if (rc < 0) return etwpy_raise(st, &e, NULL);
    return PyBool_FromLong(rc == 1);
}

/* Calls <module>.<name>(self, *args, **kwargs): the parts of Trace written in
 * Python (etw.arrow, etw._repr). New reference or NULL with an exception. */
static PyObject *call_python(const char *module, const char *name, PyObject *self,
                             PyObject *args, PyObject *kwargs) {
    PyObject *mod = PyImport_ImportModule(module), *fn, *all, *res;
    Py_ssize_t n = args ? PyTuple_GET_SIZE(args) : 0;
    if (!mod) return NULL;
    fn = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    if (!fn) return NULL;
    all = PyTuple_New(n + 1);
    if (!all) {
        Py_DECREF(fn);
        return NULL;
    }
    PyTuple_SET_ITEM(all, 0, Py_NewRef(self));
    for (Py_ssize_t i = 0; i < n; i++) PyTuple_SET_ITEM(all, i + 1, Py_NewRef(PyTuple_GET_ITEM(args, i)));
    res = PyObject_Call(fn, all, kwargs);
    Py_DECREF(all);
    Py_DECREF(fn);
    return res;
}

static PyObject *trace_to_arrow(PyObject *self, PyObject *args, PyObject *kwargs) {
    return call_python("etw.arrow", "to_arrow", self, args, kwargs);
}
static PyObject *trace_to_pandas(PyObject *self, PyObject *args, PyObject *kwargs) {
    return call_python("etw.arrow", "to_pandas", self, args, kwargs);
}
static PyObject *trace_tables(PyObject *self, PyObject *args, PyObject *kwargs) {
    return call_python("etw.arrow", "tables", self, args, kwargs);
}
static PyObject *trace_repr_html(PyObject *self, PyObject *unused) {
    (void)unused;
    return call_python("etw._repr", "trace_html", self, NULL, NULL);
}

static PyMethodDef trace_methods[] = {
    {"to_arrow", (PyCFunction)(void (*)(void))trace_to_arrow, METH_VARARGS | METH_KEYWORDS,
     "to_arrow(**options) -> pyarrow.Table: one row per event, header columns filled in C "
     "(see etw.arrow.to_arrow)."},
    {"to_pandas", (PyCFunction)(void (*)(void))trace_to_pandas, METH_VARARGS | METH_KEYWORDS,
     "to_pandas(**options) -> pandas.DataFrame (see etw.arrow.to_pandas)."},
    {"tables", (PyCFunction)(void (*)(void))trace_tables, METH_VARARGS | METH_KEYWORDS,
     "tables(**options) -> {'Provider/Event': pyarrow.Table} with a column per property "
     "(see etw.arrow.tables)."},
    {"_repr_html_", (PyCFunction)trace_repr_html, METH_NOARGS, "HTML view for Jupyter."},
    {"_inband_take", (PyCFunction)trace_inband_take, METH_NOARGS,
     "_inband_take() -> [(uuid, bytes)]: EventSource manifests the trace carried so far."},
    {"_registry_add", (PyCFunction)trace_registry_add, METH_VARARGS,
     "_registry_add(kind, blob) -> bool: add a 'tei' (TRACE_EVENT_INFO) or 'emi' "
     "(GUID + EVENT_MAP_INFO) schema blob to this trace's registry."},
    {"process", (PyCFunction)trace_process, METH_O,
     "process(callback) -> int\n\nCalls callback(event) for every event, on this thread, "
     "while the reader thread parses ahead. An exception raised by the callback stops "
     "processing and propagates. Returns the number of events delivered."},
    {"close", (PyCFunction)trace_close, METH_NOARGS,
     "Stops every running iteration of this trace and joins its reader thread."},
    {"__enter__", (PyCFunction)trace_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)trace_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef trace_getset[] = {
    {"header", (getter)trace_get_header, NULL,
     "The logfile header (dict): logger_name, start_time, perf_freq, ...", NULL},
    {"stats", (getter)trace_get_stats, NULL,
     "Statistics of the last (or running) iteration: events, buffers, bytes, skipped, ...",
     NULL},
    {"path", (getter)trace_get_path, NULL, "The path the trace was opened with.", NULL},
    {"schemas", (getter)trace_get_schemas, NULL, "The user schema sources (or None).", NULL},
    {"order", (getter)trace_get_order, NULL, "'time' or 'file'.", NULL},
    {"errors", (getter)trace_get_errors, NULL, "'strict' or 'skip'.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef trace_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(TraceObject, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot trace_slots[] = {
    {Py_tp_init, (void *)trace_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_dealloc, (void *)trace_dealloc},
    {Py_tp_iter, (void *)trace_iter},
    {Py_tp_methods, trace_methods},
    {Py_tp_getset, trace_getset},
    {Py_tp_members, trace_members},
    {Py_tp_repr, (void *)trace_repr},
    {Py_tp_doc,
     (void *)"Trace(path, *, order='time', errors='strict', schemas=None)\n\nAn .etl file "
             "opened for "
             "reading. Iterating it (again and again) yields etw.Event objects, merged into "
             "time order unless order='file'. errors='skip' skips damaged records and "
             "buffers and counts them in .stats instead of raising EtlFormatError."},
    {0, NULL},
};

PyType_Spec etwpy_trace_spec = {"etw._etw.Trace", sizeof(TraceObject), 0,
                                Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE, trace_slots};

/* ------------------------------------------------------------ iterator */

/* Stops the producer, joins it and frees what it queued. Safe to repeat. */
static void iter_stop(TraceIterObject *self) {
    etw_pipeline *p = self->pipeline;
    self->pipeline = NULL;
    Py_CLEAR(self->batch);
    self->finished = 1;
    if (p) {
        Py_BEGIN_ALLOW_THREADS
        etw_pipeline_free(p);
        Py_END_ALLOW_THREADS
    }
}

static PyObject *iter_next(TraceIterObject *self) {
    etwpy_state *st = self->state;
    for (;;) {
        etw_batch *b;
        int finished = 0;
        if (self->batch && self->pos < self->batch->batch->count)
            return etwpy_event_new(st, self->batch, self->pos++);
        Py_CLEAR(self->batch);
        if (!self->pipeline) return NULL;
        b = etw_pipeline_next(self->pipeline, 0, &finished);
        while (!b && !finished) {
            etw_pipeline *p = self->pipeline;
            Py_BEGIN_ALLOW_THREADS
            b = etw_pipeline_next(p, WAIT_SLICE_MS, &finished);
            Py_END_ALLOW_THREADS
            if (!b && !finished && PyErr_CheckSignals() < 0) {
                iter_stop(self);
                return NULL;
            }
        }
        if (b) {
            self->trace->stats = b->stats;
            self->batch = (BatchObject *)etwpy_batch_new(st, b, (PyObject *)self->trace);
            self->pos = 0;
            if (!self->batch) return NULL;
            continue;
        }
        {
            etw_error e;
            etw_pipeline_result(self->pipeline, &e, &self->trace->stats);
            iter_stop(self);
            if (e.code) return etwpy_raise(st, &e, self->trace->path_obj);
            return NULL;
        }
    }
}

static PyObject *iter_close(TraceIterObject *self, PyObject *unused) {
    (void)unused;
    iter_stop(self);
    Py_RETURN_NONE;
}

static void iter_dealloc(TraceIterObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
    iter_stop(self);
    Py_XDECREF(self->trace);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef iter_methods[] = {
    {"close", (PyCFunction)iter_close, METH_NOARGS,
     "Stops this iteration and joins its reader thread."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef iter_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(TraceIterObject, weakreflist), READONLY,
     NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot iter_slots[] = {
    {Py_tp_dealloc, (void *)iter_dealloc},
    {Py_tp_iter, (void *)PyObject_SelfIter},
    {Py_tp_iternext, (void *)iter_next},
    {Py_tp_methods, iter_methods},
    {Py_tp_members, iter_members},
    {Py_tp_doc, (void *)"Iterator over the events of a Trace."},
    {0, NULL},
};

PyType_Spec etwpy_trace_iter_spec = {
    "etw._etw.TraceIterator", sizeof(TraceIterObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    iter_slots};

/* ------------------------------------------------------------ scan */

PyObject *etwpy_scan(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"path", "errors", "threads", NULL};
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    PyObject *path, *pathb, *counts = NULL, *kinds = NULL, *res = NULL, *threads_obj = Py_None;
    const char *errors = "strict";
    int order, skip, rc;
    unsigned threads = 0;
    etw_scan_result sr;
    etw_error e;
    uint64_t t0, t1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$sO:scan", kwlist, &path, &errors,
                                     &threads_obj))
        return NULL;
    if (parse_options("file", errors, &order, &skip) < 0) return NULL;
    if (threads_obj != Py_None) {
        long n = PyLong_AsLong(threads_obj);
        if (n == -1 && PyErr_Occurred()) return NULL;
        if (n < 1 || n > 64) {
            PyErr_SetString(PyExc_ValueError, "threads must be None or 1 to 64");
            return NULL;
        }
        threads = (unsigned)n;
    }
    pathb = etwpy_path_bytes(path);
    if (!pathb) return NULL;
    memset(&e, 0, sizeof e);
    Py_BEGIN_ALLOW_THREADS
    t0 = etw_monotonic_ns();
    rc = etw_scan_file_threads(PyBytes_AS_STRING(pathb), skip, threads, &sr, &e);
    t1 = etw_monotonic_ns();
    Py_END_ALLOW_THREADS
    Py_DECREF(pathb);
    if (rc != ETW_OK) {
        etw_scan_result_free(&sr);
        return etwpy_raise(st, &e, path);
    }
    counts = PyDict_New();
    kinds = PyDict_New();
    if (!counts || !kinds) goto done;
    for (size_t i = 0; i < sr.cap; i++) {
        const etw_scan_entry *en = &sr.entries[i];
        PyObject *u, *key, *val;
        if (!en->count) continue;
        u = etwpy_uuid(st, &en->provider);
        if (!u) goto done;
        key = Py_BuildValue("(NII)", u, (unsigned)en->id, (unsigned)en->opcode);
        val = PyLong_FromUnsignedLongLong(en->count);
        if (!key || !val || PyDict_SetItem(counts, key, val) < 0) {
            Py_XDECREF(key);
            Py_XDECREF(val);
            goto done;
        }
        Py_DECREF(key);
        Py_DECREF(val);
    }
    for (int k = 0; k < ETW_KIND_COUNT; k++) {
        PyObject *v = PyLong_FromUnsignedLongLong(sr.kind_counts[k]);
        if (!v || PyDict_SetItem(kinds, st->kind_names[k], v) < 0) {
            Py_XDECREF(v);
            goto done;
        }
        Py_DECREF(v);
    }
    res = etwpy_stats_dict(&sr.stats);
    if (!res) goto done;
    {
        PyObject *hdr = header_dict(st, &sr.header, 0);
        PyObject *first = sr.stats.events ? etwpy_datetime_from_ns(st, sr.first_time_ns)
                                          : Py_NewRef(Py_None);
        PyObject *last = sr.stats.events ? etwpy_datetime_from_ns(st, sr.last_time_ns)
                                         : Py_NewRef(Py_None);
        PyObject *secs = PyFloat_FromDouble((double)(t1 - t0) / 1e9);
        if (hdr) PyDict_DelItemString(hdr, "buffers_in_file");
        if (!hdr || !first || !last || !secs || PyDict_SetItemString(res, "counts", counts) < 0 ||
            PyDict_SetItemString(res, "kinds", kinds) < 0 ||
            PyDict_SetItemString(res, "header", hdr) < 0 ||
            PyDict_SetItemString(res, "first_time", first) < 0 ||
            PyDict_SetItemString(res, "last_time", last) < 0 ||
            PyDict_SetItemString(res, "seconds", secs) < 0)
            Py_CLEAR(res);
        Py_XDECREF(hdr);
        Py_XDECREF(first);
        Py_XDECREF(last);
        Py_XDECREF(secs);
    }
done:
    Py_XDECREF(counts);
    Py_XDECREF(kinds);
    etw_scan_result_free(&sr);
    return res;
}
