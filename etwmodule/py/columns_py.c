/* columns_py.c - etw._etw._columns(): runs the columnar pass of
 * core/columns.c on a native thread while the calling thread waits with the
 * GIL released in short slices (so Ctrl+C and a progress callback get
 * through), then hands the column buffers to Python without copying them:
 * each becomes a _ColumnBuffer that owns the memory and exports it through
 * the buffer protocol (pyarrow.py_buffer wraps it as it is). The names of
 * the event types come from the trace's schema registry, the way
 * Event.provider_name and Event.name give them. No Python object is made
 * per event; etw/arrow.py builds the Arrow arrays. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* mremap; the value pyconfig.h gives it (3.10 defines it again) */
#endif
#include "etwpy_props.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "../core/columns.h"
#include "../core/platform.h"
#include "columns_py.h"

#define WAIT_SLICE_MS 100

/* ------------------------------------------------------------ column memory */

#if defined(__linux__)
/* Large columns are anonymous mappings asking for transparent huge pages,
 * grown with mremap (no copy): faulting in fresh 4 KiB pages was about a
 * third of the cost of filling the columns. Small ones use malloc. */
#define MAP_MIN ((size_t)1 << 20)
#define PAGE_ROUND(n) (((n) + 4095u) & ~(size_t)4095u)

static void *map_grow(void *old, size_t old_cap, size_t new_cap) {
    void *p;
    if (new_cap < MAP_MIN) {
        if (old && old_cap >= MAP_MIN) return NULL; /* never shrinks below the mapping size */
        return realloc(old, new_cap);
    }
    if (old && old_cap >= MAP_MIN) {
        p = mremap(old, PAGE_ROUND(old_cap), PAGE_ROUND(new_cap), MREMAP_MAYMOVE);
        if (p == MAP_FAILED) return NULL;
    } else {
        p = mmap(NULL, PAGE_ROUND(new_cap), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
        if (p == MAP_FAILED) return NULL;
        if (old) {
            memcpy(p, old, old_cap < new_cap ? old_cap : new_cap);
            free(old);
        }
    }
#ifdef MADV_HUGEPAGE
    madvise(p, PAGE_ROUND(new_cap), MADV_HUGEPAGE);
#endif
    return p;
}

static void map_release(void *p, size_t cap) {
    if (cap >= MAP_MIN)
        munmap(p, PAGE_ROUND(cap));
    else
        free(p);
}

static const etw_cols_alloc col_alloc = {map_grow, map_release};
#define COL_ALLOC (&col_alloc)
#else
#define COL_ALLOC NULL
#endif

/* ------------------------------------------------------------ _ColumnBuffer */

typedef struct {
    PyObject_HEAD
    etw_colbuf buf; /* owned; freed with its allocator */
} ColBufObject;

static int cb_getbuffer(PyObject *self, Py_buffer *view, int flags) {
    static char empty[1];
    ColBufObject *b = (ColBufObject *)self;
    return PyBuffer_FillInfo(view, self, b->buf.data ? (void *)b->buf.data : (void *)empty,
                             (Py_ssize_t)b->buf.len, 1, flags);
}

static void cb_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    etw_colbuf_free(&((ColBufObject *)self)->buf);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static Py_ssize_t cb_length(PyObject *self) { return (Py_ssize_t)((ColBufObject *)self)->buf.len; }

static PyObject *cb_repr(PyObject *self) {
    return PyUnicode_FromFormat("<etw._ColumnBuffer %zd bytes>",
                                (Py_ssize_t)((ColBufObject *)self)->buf.len);
}

static PyType_Slot cb_slots[] = {
    {Py_tp_dealloc, (void *)cb_dealloc},
    {Py_bf_getbuffer, (void *)cb_getbuffer},
    {Py_mp_length, (void *)cb_length},
    {Py_tp_repr, (void *)cb_repr},
    {Py_tp_doc, (void *)"Internal: read-only memory of one column, owned by this object and "
                        "exported through the buffer protocol."},
    {0, NULL},
};

static PyType_Spec cb_spec = {
    "etw._etw._ColumnBuffer", sizeof(ColBufObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION, cb_slots};

/* The _ColumnBuffer type of this module, created on first use and kept as a
 * module attribute. Returns a new reference or NULL with an exception. */
static PyTypeObject *colbuf_type(PyObject *module) {
    PyObject *t = PyObject_GetAttrString(module, "_ColumnBuffer");
    if (t) return (PyTypeObject *)t;
    if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return NULL;
    PyErr_Clear();
    t = PyType_FromModuleAndSpec(module, &cb_spec, NULL);
    if (!t) return NULL;
    if (PyObject_SetAttrString(module, "_ColumnBuffer", t) < 0) {
        Py_DECREF(t);
        return NULL;
    }
    return (PyTypeObject *)t;
}

/* Moves b's memory into a new _ColumnBuffer (b is left empty). Returns a new
 * reference or NULL with an exception (b unchanged then). */
static PyObject *take_buf(PyTypeObject *tp, etw_colbuf *b) {
    ColBufObject *o = PyObject_New(ColBufObject, tp);
    if (!o) return NULL;
    if (b->data && b->len && b->cap > b->len + 65536) {
        /* Give back the growth slack (no copy for mappings: mremap). */
        uint8_t *nd = (uint8_t *)b->al->grow(b->data, b->cap, b->len);
        if (nd) {
            b->data = nd;
            b->cap = b->len;
        }
    }
    o->buf = *b;
    memset(b, 0, sizeof *b);
    return (PyObject *)o;
}

/* ------------------------------------------------------------ arguments */

static const char *const kind_names[ETW_KIND_COUNT] = {"header",   "kernel",       "classic",
                                                       "manifest", "tracelogging", "wpp"};

/* Fills *out with a malloc'd array of n values from a sequence (None: n = 0).
 * what names the argument. Returns 0 or -1 with an exception. */
static int seq_u32(PyObject *seq, const char *what, uint32_t maxv, uint32_t **out, size_t *n) {
    PyObject *fast;
    Py_ssize_t len;
    *out = NULL;
    *n = 0;
    if (seq == Py_None) return 0;
    fast = PySequence_Fast(seq, what);
    if (!fast) return -1;
    len = PySequence_Fast_GET_SIZE(fast);
    *out = (uint32_t *)malloc((size_t)(len ? len : 1) * sizeof **out);
    if (!*out) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        unsigned long long v = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (v == (unsigned long long)-1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            free(*out);
            *out = NULL;
            if (PyErr_ExceptionMatches(PyExc_TypeError) ||
                PyErr_ExceptionMatches(PyExc_OverflowError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_ValueError, "%s must hold integers 0..%lu", what,
                             (unsigned long)maxv);
            }
            return -1;
        }
        if (v > maxv) {
            Py_DECREF(fast);
            free(*out);
            *out = NULL;
            PyErr_Format(PyExc_ValueError, "%s must hold integers 0..%lu, not %llu", what,
                         (unsigned long)maxv, v);
            return -1;
        }
        (*out)[i] = (uint32_t)v;
    }
    *n = (size_t)len;
    Py_DECREF(fast);
    return 0;
}

/* providers: a sequence of 16-byte GUIDs in Windows layout (uuid.bytes_le). */
static int seq_guids(PyObject *seq, etw_guid **out, size_t *n) {
    PyObject *fast;
    Py_ssize_t len;
    *out = NULL;
    *n = 0;
    if (seq == Py_None) return 0;
    fast = PySequence_Fast(seq, "providers must be a sequence of 16-byte GUIDs");
    if (!fast) return -1;
    len = PySequence_Fast_GET_SIZE(fast);
    *out = (etw_guid *)malloc((size_t)(len ? len : 1) * sizeof **out);
    if (!*out) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *it = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyBytes_Check(it) || PyBytes_GET_SIZE(it) != 16) {
            Py_DECREF(fast);
            free(*out);
            *out = NULL;
            PyErr_SetString(PyExc_TypeError,
                            "providers must hold 16-byte GUIDs in Windows layout (bytes_le)");
            return -1;
        }
        (*out)[i] = etw_guid_load((const uint8_t *)PyBytes_AS_STRING(it));
    }
    *n = (size_t)len;
    Py_DECREF(fast);
    return 0;
}

/* Bit mask of names from table[count]; unknown names raise ValueError. */
static int name_mask(PyObject *seq, const char *what, int count, const char *(*name)(int),
                     uint32_t *mask) {
    PyObject *fast;
    *mask = 0;
    fast = PySequence_Fast(seq, what);
    if (!fast) return -1;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
        PyObject *it = PySequence_Fast_GET_ITEM(fast, i);
        const char *s = PyUnicode_Check(it) ? PyUnicode_AsUTF8(it) : NULL;
        int k;
        if (!s) {
            Py_DECREF(fast);
            if (!PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "%s", what);
            return -1;
        }
        for (k = 0; k < count; k++)
            if (strcmp(s, name(k)) == 0) break;
        if (k == count) {
            Py_DECREF(fast);
            PyErr_Format(PyExc_ValueError, "unknown name %R in %s", it, what);
            return -1;
        }
        *mask |= 1u << k;
    }
    Py_DECREF(fast);
    return 0;
}

static const char *col_name_i(int k) { return etw_col_name((etw_col)k); }
static const char *kind_name_i(int k) { return kind_names[k]; }

static int opt_i64(PyObject *o, const char *what, int *has, int64_t *v) {
    *has = 0;
    if (o == Py_None) return 0;
    *v = PyLong_AsLongLong(o);
    if (*v == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be an int (ns since the Unix epoch) or None",
                         what);
        }
        return -1;
    }
    *has = 1;
    return 0;
}

/* ------------------------------------------------------------ the pass */

typedef struct cols_job {
    const char *path;
    etw_cols_options opt;
    etw_cols_result res;
    etw_error err;
    int rc;
    etw_mutex *mu;
    etw_cond *cv;
    int done;       /* under mu */
} cols_job;

static void job_main(void *arg) {
    cols_job *j = (cols_job *)arg;
    j->rc = etw_cols_run(j->path, &j->opt, &j->res, &j->err);
    etw_mutex_lock(j->mu);
    j->done = 1;
    etw_cond_broadcast(j->cv);
    etw_mutex_unlock(j->mu);
}

/* Files up to this size are read on the calling thread (GIL released). */
#define INLINE_MAX_BYTES (8u * 1024u * 1024u)

/* 1 when path names a file of at most INLINE_MAX_BYTES (0 when it cannot be
 * opened: the pass itself then reports why). */
static int small_file(const char *path) {
    etw_file *f = NULL;
    etw_error e;
    uint64_t size = 0;
    int small;
    if (etw_file_open(path, &f, &e) != ETW_OK) return 0;
    small = etw_file_size(f, &size, &e) == ETW_OK && size <= INLINE_MAX_BYTES;
    etw_file_close(f);
    return small;
}

/* Waits (GIL released) up to one slice. Returns 1 when the job is done. */
static int job_wait(cols_job *j) {
    int done;
    Py_BEGIN_ALLOW_THREADS
    etw_mutex_lock(j->mu);
    if (!j->done) etw_cond_wait_ms(j->cv, j->mu, WAIT_SLICE_MS);
    done = j->done;
    etw_mutex_unlock(j->mu);
    Py_END_ALLOW_THREADS
    return done;
}

/* ------------------------------------------------------------ names */

/* Asks etw.schemas.provide(trace, uuid) once per provider and trace (the
 * trace's `provided` set, shared with Event lookups). Returns 1 when asked
 * now, 0 when not (asked before, or no schema sources), -1 with an exception. */
static int provide_once(etwpy_state *st, TraceObject *t, const etw_guid *g) {
    PyObject *u, *mod, *fn, *r;
    int has;
    if (!t->provided || !PySet_Check(t->provided)) return 0;
    u = etwpy_uuid(st, g);
    if (!u) return -1;
    has = PySet_Contains(t->provided, u);
    if (has != 0) {
        Py_DECREF(u);
        return has < 0 ? -1 : 0;
    }
    if (PySet_Add(t->provided, u) < 0) {
        Py_DECREF(u);
        return -1;
    }
    mod = PyImport_ImportModule("etw.schemas");
    fn = mod ? PyObject_GetAttrString(mod, "provide") : NULL;
    Py_XDECREF(mod);
    if (!fn) {
        /* No schema sources in this installation. */
        PyErr_Clear();
        Py_DECREF(u);
        return 0;
    }
    r = PyObject_CallFunctionObjArgs(fn, (PyObject *)t, u, NULL);
    Py_DECREF(fn);
    Py_DECREF(u);
    if (!r) return -1;
    Py_DECREF(r);
    return 1;
}

static PyObject *str_or_none(const char *s) {
    if (!s || !*s) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* The dict describing type t, with its names. Returns a new reference or NULL. */
static PyObject *type_dict(etwpy_state *st, const etw_cols_type *t, etw_registry *reg,
                           TraceObject *trace) {
    etw_record rec;
    etw_ext_item ext[2];
    const etw_schema *schema = NULL;
    char name[512];
    PyObject *u, *pn, *en, *src;
    memset(&rec, 0, sizeof rec);
    rec.provider_id = t->provider;
    rec.id = t->id;
    rec.task = t->task;
    rec.flags = t->flags;
    rec.version = t->version;
    rec.opcode = t->opcode;
    rec.kind = t->kind;
    rec.level = t->level;
    rec.channel = t->channel;
    if (t->meta) {
        ext[0].type = ETW_EXT_EVENT_SCHEMA_TL;
        ext[0].size = t->meta_len;
        ext[0].data = t->meta;
        rec.ext_count = 1;
        if (t->traits) {
            ext[1].type = ETW_EXT_PROV_TRAITS;
            ext[1].size = t->traits_len;
            ext[1].data = t->traits;
            rec.ext_count = 2;
        }
        rec.ext = ext;
    }
    if (reg) {
        for (int attempt = 0;; attempt++) {
            etw_error e;
            int rc = etw_registry_lookup(reg, &rec, &schema, &e);
            if (rc == 1) break;
            schema = NULL;
            if (rc != 0 || attempt || !trace || rec.kind == ETW_KIND_TRACELOGGING ||
                rec.kind == ETW_KIND_WPP || rec.kind == ETW_KIND_HEADER)
                break;
            rc = provide_once(st, trace, &rec.provider_id);
            if (rc < 0) return NULL;
            if (rc == 0) break;
        }
    }
    etwpy_event_name(&rec, schema, name, sizeof name);
    u = etwpy_uuid(st, &t->provider);
    pn = str_or_none(etwpy_provider_name(&rec, schema));
    en = str_or_none(name);
    src = str_or_none(schema ? etwpy_source_name(schema) : NULL);
    if (!u || !pn || !en || !src) {
        Py_XDECREF(u);
        Py_XDECREF(pn);
        Py_XDECREF(en);
        Py_XDECREF(src);
        return NULL;
    }
    return Py_BuildValue("{sNsIsIsIsssIsIsIsKsNsNsN}", "provider_id", u, "id", (unsigned)t->id,
                         "version", (unsigned)t->version, "opcode", (unsigned)t->opcode, "kind",
                         kind_names[t->kind < ETW_KIND_COUNT ? t->kind : ETW_KIND_MANIFEST],
                         "level", (unsigned)t->level, "channel", (unsigned)t->channel, "task",
                         (unsigned)t->task, "count", (unsigned long long)t->count,
                         "provider_name", pn, "name", en, "schema_source", src);
}

/* ------------------------------------------------------------ result */

static int set_new(PyObject *d, const char *key, PyObject *v) {
    int rc;
    if (!v) return -1;
    rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}

static PyObject *chunk_dict(PyTypeObject *tp, etw_cols_chunk *c, uint32_t cols) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    if (set_new(d, "rows", PyLong_FromUnsignedLongLong(c->rows)) < 0) goto fail;
    for (int k = 0; k < ETW_COL_COUNT; k++) {
        if (!((cols >> k) & 1u)) continue;
        if (set_new(d, etw_col_name((etw_col)k), take_buf(tp, &c->col[k])) < 0) goto fail;
    }
    if ((cols >> ETW_COL_PAYLOAD) & 1u) {
        if (set_new(d, "payload_data", take_buf(tp, &c->payload_data)) < 0) goto fail;
    }
    if ((cols >> ETW_COL_ACTIVITY_ID) & 1u) {
        if (set_new(d, "activity_id_valid", take_buf(tp, &c->valid_activity)) < 0 ||
            set_new(d, "activity_id_nulls", PyLong_FromUnsignedLongLong(c->null_activity)) < 0)
            goto fail;
    }
    if ((cols >> ETW_COL_RELATED_ACTIVITY_ID) & 1u) {
        if (set_new(d, "related_activity_id_valid", take_buf(tp, &c->valid_related)) < 0 ||
            set_new(d, "related_activity_id_nulls",
                    PyLong_FromUnsignedLongLong(c->null_related)) < 0)
            goto fail;
    }
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *build_result(etwpy_state *st, PyObject *module, etw_cols_result *res,
                              etw_registry *reg, TraceObject *trace) {
    PyTypeObject *tp = colbuf_type(module);
    PyObject *out = NULL, *chunks = NULL, *types = NULL, *names = NULL;
    if (!tp) return NULL;
    if (!(out = PyDict_New()) || !(chunks = PyList_New(0)) || !(types = PyList_New(0)) ||
        !(names = PyList_New(0)))
        goto fail;
    for (int k = 0; k < ETW_COL_COUNT; k++) {
        if (!((res->columns >> k) & 1u)) continue;
        PyObject *s = PyUnicode_FromString(etw_col_name((etw_col)k));
        if (!s || PyList_Append(names, s) < 0) {
            Py_XDECREF(s);
            goto fail;
        }
        Py_DECREF(s);
    }
    for (size_t i = 0; i < res->nchunks; i++) {
        PyObject *c = chunk_dict(tp, &res->chunks[i], res->columns);
        if (!c || PyList_Append(chunks, c) < 0) {
            Py_XDECREF(c);
            goto fail;
        }
        Py_DECREF(c);
    }
    for (size_t i = 0; i < res->ntypes; i++) {
        PyObject *t = type_dict(st, &res->types[i], reg, trace);
        if (!t || PyList_Append(types, t) < 0) {
            Py_XDECREF(t);
            goto fail;
        }
        Py_DECREF(t);
    }
    if (set_new(out, "rows", PyLong_FromUnsignedLongLong(res->rows)) < 0 ||
        PyDict_SetItemString(out, "columns", names) < 0 ||
        PyDict_SetItemString(out, "chunks", chunks) < 0 ||
        PyDict_SetItemString(out, "types", types) < 0 ||
        set_new(out, "stats", etwpy_stats_dict(&res->stats)) < 0 ||
        set_new(out, "parallel", PyBool_FromLong(res->parallel)) < 0 ||
        set_new(out, "threads", PyLong_FromUnsignedLong(res->threads)) < 0 ||
        set_new(out, "first_ns", res->rows ? PyLong_FromLongLong(res->first_ns)
                                           : Py_NewRef(Py_None)) < 0 ||
        set_new(out, "last_ns", res->rows ? PyLong_FromLongLong(res->last_ns)
                                          : Py_NewRef(Py_None)) < 0)
        goto fail;
    Py_DECREF(tp);
    Py_DECREF(chunks);
    Py_DECREF(types);
    Py_DECREF(names);
    return out;
fail:
    Py_DECREF(tp);
    Py_XDECREF(out);
    Py_XDECREF(chunks);
    Py_XDECREF(types);
    Py_XDECREF(names);
    return NULL;
}

/* ------------------------------------------------------------ entry point */

PyObject *etwpy_columns(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"path",  "order",  "errors",  "columns",  "providers", "ids",
                             "pids",  "kinds",  "start_ns", "end_ns",  "threads",   "engine",
                             "range", "trace",  "progress", NULL};
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    PyObject *path, *columns = Py_None, *providers = Py_None, *ids = Py_None, *pids = Py_None;
    PyObject *kinds = Py_None, *start = Py_None, *end = Py_None, *range = Py_None;
    PyObject *trace = Py_None, *progress = Py_None, *pathb = NULL, *result = NULL;
    const char *order = "time", *errors = "strict", *engine = "auto";
    unsigned int threads = 1;
    uint32_t *id32 = NULL, *pid32 = NULL;
    uint16_t *id16 = NULL;
    etw_guid *guids = NULL;
    size_t n_ids = 0, n_pids = 0, n_guids = 0;
    etw_registry *temp_reg = NULL, *reg;
    etw_atomic_size progress_bytes;
    etw_atomic_int cancel;
    cols_job job;
    etw_thread *th = NULL;
    int cancelled = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$ssOOOOOOOIsOOO:_columns", kwlist, &path,
                                     &order, &errors, &columns, &providers, &ids, &pids, &kinds,
                                     &start, &end, &threads, &engine, &range, &trace, &progress))
        return NULL;
    memset(&job, 0, sizeof job);
    etw_atomic_init(&progress_bytes, 0);
    etw_atomic_init(&cancel, 0);
    job.opt.threads = threads ? threads : 1;
    job.opt.progress = &progress_bytes;
    job.opt.cancel = &cancel;
    job.opt.alloc = COL_ALLOC;
    if (!strcmp(order, "time"))
        job.opt.order = ETW_ORDER_TIME;
    else if (!strcmp(order, "file"))
        job.opt.order = ETW_ORDER_FILE;
    else
        return PyErr_Format(PyExc_ValueError, "order must be 'time' or 'file', not '%s'", order);
    if (!strcmp(errors, "strict"))
        job.opt.skip_errors = 0;
    else if (!strcmp(errors, "skip"))
        job.opt.skip_errors = 1;
    else
        return PyErr_Format(PyExc_ValueError, "errors must be 'strict' or 'skip', not '%s'",
                            errors);
    if (!strcmp(engine, "auto"))
        job.opt.engine = ETW_ENGINE_AUTO;
    else if (!strcmp(engine, "reader"))
        job.opt.engine = ETW_ENGINE_READER;
    else if (!strcmp(engine, "parallel"))
        job.opt.engine = ETW_ENGINE_PARALLEL;
    else
        return PyErr_Format(PyExc_ValueError,
                            "engine must be 'auto', 'reader' or 'parallel', not '%s'", engine);
    if (columns == Py_None)
        job.opt.columns = (1u << ETW_COL_COUNT) - 1;
    else if (name_mask(columns, "columns must be a sequence of column names", ETW_COL_COUNT,
                       col_name_i, &job.opt.columns) < 0)
        return NULL;
    if (kinds != Py_None &&
        name_mask(kinds, "kinds must be a sequence of event kinds", ETW_KIND_COUNT, kind_name_i,
                  &job.opt.filter.kinds) < 0)
        return NULL;
    if (trace != Py_None && !PyObject_TypeCheck(trace, st->TraceType))
        return PyErr_Format(PyExc_TypeError, "trace must be an etw.Trace or None, not %.100s",
                            Py_TYPE(trace)->tp_name);
    if (progress != Py_None && !PyCallable_Check(progress))
        return PyErr_Format(PyExc_TypeError, "progress must be callable or None");
    if (range != Py_None) {
        unsigned long long lo, hi;
        if (!PyArg_ParseTuple(range, "KK;range must be a (start, stop) pair of file offsets",
                              &lo, &hi))
            return NULL;
        job.opt.range_lo = lo;
        job.opt.range_hi = hi;
    }
    if (opt_i64(start, "start_ns", &job.opt.filter.has_start, &job.opt.filter.start_ns) < 0 ||
        opt_i64(end, "end_ns", &job.opt.filter.has_end, &job.opt.filter.end_ns) < 0)
        return NULL;
    if (seq_u32(ids, "ids", 0xFFFF, &id32, &n_ids) < 0) goto done;
    if (n_ids) {
        id16 = (uint16_t *)malloc(n_ids * sizeof *id16);
        if (!id16) {
            PyErr_NoMemory();
            goto done;
        }
        for (size_t i = 0; i < n_ids; i++) id16[i] = (uint16_t)id32[i];
    }
    if (seq_u32(pids, "pids", 0xFFFFFFFFu, &pid32, &n_pids) < 0) goto done;
    if (seq_guids(providers, &guids, &n_guids) < 0) goto done;
    job.opt.filter.ids = id16;
    job.opt.filter.n_ids = n_ids;
    job.opt.filter.pids = pid32;
    job.opt.filter.n_pids = n_pids;
    job.opt.filter.providers = guids;
    job.opt.filter.n_providers = n_guids;
    /* Names need a registry: the trace's (shared with its events), else one
     * for this call, fed the trace's injected schemas as the pass goes. */
    if (trace != Py_None) {
        reg = ((TraceObject *)trace)->registry;
        job.opt.inband = ((TraceObject *)trace)->inband;
    } else {
        reg = temp_reg = etw_registry_new();
        if (!reg) {
            PyErr_NoMemory();
            goto done;
        }
    }
    job.opt.registry = reg;
    if (!(pathb = etwpy_path_bytes(path))) goto done;
    job.path = PyBytes_AS_STRING(pathb);
    job.mu = etw_mutex_new();
    job.cv = etw_cond_new();
    if (!job.mu || !job.cv) {
        PyErr_NoMemory();
        goto done;
    }
    if (progress == Py_None && small_file(job.path)) {
        /* A few milliseconds of work: nothing to report or interrupt, so no
         * thread to start and join (that costs more than the pass itself). */
        Py_BEGIN_ALLOW_THREADS
        job_main(&job);
        Py_END_ALLOW_THREADS
    } else if (etw_thread_start(&th, job_main, &job) != ETW_OK) {
        th = NULL;
        Py_BEGIN_ALLOW_THREADS
        job_main(&job);
        Py_END_ALLOW_THREADS
    }
    while (!job_wait(&job)) {
        if (progress != Py_None) {
            PyObject *r = PyObject_CallFunction(progress, "K",
                                                (unsigned long long)etw_atomic_load(&progress_bytes));
            if (!r) {
                cancelled = 1;
                break;
            }
            Py_DECREF(r);
        }
        if (PyErr_CheckSignals() < 0) {
            cancelled = 1;
            break;
        }
    }
    if (cancelled) {
        etw_atomic_store_int(&cancel, 1);
        while (!job_wait(&job)) {
        }
    }
    if (th) {
        Py_BEGIN_ALLOW_THREADS
        etw_thread_join(th);
        Py_END_ALLOW_THREADS
    }
    if (cancelled) goto done; /* the exception is set */
    if (job.rc != ETW_OK) {
        etwpy_raise(st, &job.err, path);
        goto done;
    }
    result = build_result(st, module, &job.res, reg,
                          trace != Py_None ? (TraceObject *)trace : NULL);
done:
    etw_cols_result_free(&job.res);
    if (job.mu) etw_mutex_free(job.mu);
    if (job.cv) etw_cond_free(job.cv);
    etw_registry_free(temp_reg);
    Py_XDECREF(pathb);
    free(id32);
    free(id16);
    free(pid32);
    free(guids);
    return result;
}

/* ------------------------------------------------------------ dictionary indices */

PyObject *etwpy_remap_i32(PyObject *module, PyObject *args) {
    Py_buffer ix, tb;
    PyObject *values = NULL, *validity = NULL, *res = NULL;
    Py_ssize_t n, nt, nulls = 0;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*y*:_remap_i32", &ix, &tb)) return NULL;
    if (ix.len % 4 || tb.len % 4) {
        PyErr_SetString(PyExc_ValueError, "_remap_i32: buffers of int32 values expected");
        goto done;
    }
    n = ix.len / 4;
    nt = tb.len / 4;
    values = PyBytes_FromStringAndSize(NULL, n * 4);
    if (!values) goto done;
    {
        const uint8_t *src = (const uint8_t *)ix.buf, *tab = (const uint8_t *)tb.buf;
        uint8_t *dst = (uint8_t *)PyBytes_AS_STRING(values), *bits = NULL;
        for (Py_ssize_t i = 0; i < n; i++) {
            int32_t t, v = -1;
            memcpy(&t, src + 4 * i, 4);
            if (t >= 0 && t < nt) memcpy(&v, tab + 4 * (size_t)t, 4);
            if (v < 0) {
                if (!bits) {
                    /* The first null: every row before it is valid. */
                    validity = PyBytes_FromStringAndSize(NULL, (n + 7) / 8);
                    if (!validity) goto done;
                    bits = (uint8_t *)PyBytes_AS_STRING(validity);
                    memset(bits, 0, (size_t)(n + 7) / 8);
                    memset(bits, 0xFF, (size_t)i / 8);
                    for (Py_ssize_t k = i & ~(Py_ssize_t)7; k < i; k++)
                        bits[k >> 3] |= (uint8_t)(1u << (k & 7));
                }
                v = 0;
                nulls++;
            } else if (bits) {
                bits[i >> 3] |= (uint8_t)(1u << (i & 7));
            }
            memcpy(dst + 4 * i, &v, 4);
        }
    }
    res = Py_BuildValue("(OOn)", values, validity ? validity : Py_None, nulls);
done:
    Py_XDECREF(values);
    Py_XDECREF(validity);
    PyBuffer_Release(&ix);
    PyBuffer_Release(&tb);
    return res;
}
