/* event.c - etw.Event: a read-only, dict-like view of one record inside a
 * batch. Header fields are attributes computed on access; the payload
 * properties (Mapping protocol) are decoded on first access (props.c). The
 * event keeps its batch alive, so events may outlive the trace's iteration. */
#include "etwpy.h"

#include <stdio.h>

/* ------------------------------------------------------------ Batch type */

static void batch_dealloc(BatchObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    etw_batch_free(self->batch);
    Py_XDECREF(self->trace);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyType_Slot batch_slots[] = {
    {Py_tp_dealloc, (void *)batch_dealloc},
    {Py_tp_doc, (void *)"Internal: a batch of records handed over by the reader thread."},
    {0, NULL},
};

PyType_Spec etwpy_batch_spec = {
    "etw._etw._Batch", sizeof(BatchObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    batch_slots};

PyObject *etwpy_batch_new(etwpy_state *st, etw_batch *b, PyObject *trace) {
    BatchObject *self = PyObject_New(BatchObject, st->BatchType);
    if (!self) {
        etw_batch_free(b);
        return NULL;
    }
    self->batch = b;
    self->trace = Py_XNewRef(trace);
    return (PyObject *)self;
}

/* ------------------------------------------------------------ Event type */

PyObject *etwpy_event_new(etwpy_state *st, BatchObject *batch, uint32_t i) {
    EventObject *ev = PyObject_New(EventObject, st->EventType);
    if (!ev) return NULL;
    ev->batch = Py_NewRef((PyObject *)batch);
    ev->rec = &batch->batch->records[i];
    ev->props = NULL;
    return (PyObject *)ev;
}

static void event_dealloc(EventObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(self->props);
    Py_XDECREF(self->batch);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

#define ST(self) etwpy_state_of_type(Py_TYPE(self))
#define REC(self) (((EventObject *)(self))->rec)

static const etw_ext_item *find_ext(const etw_record *rec, uint16_t type) {
    for (uint16_t i = 0; i < rec->ext_count; i++)
        if (rec->ext[i].type == type) return &rec->ext[i];
    return NULL;
}

#define INT_GETTER(name, expr)                                                   \
    static PyObject *get_##name(PyObject *self, void *c) {                     \
        (void)c;                                                                 \
        return PyLong_FromUnsignedLongLong((unsigned long long)(expr));          \
    }
INT_GETTER(id, REC(self)->id)
INT_GETTER(version, REC(self)->version)
INT_GETTER(channel, REC(self)->channel)
INT_GETTER(level, REC(self)->level)
INT_GETTER(opcode, REC(self)->opcode)
INT_GETTER(task, REC(self)->task)
INT_GETTER(keyword, REC(self)->keyword)
INT_GETTER(pid, REC(self)->process_id)
INT_GETTER(tid, REC(self)->thread_id)
INT_GETTER(cpu, REC(self)->processor)
INT_GETTER(logger_id, REC(self)->logger_id)
INT_GETTER(kernel_time, REC(self)->kernel_time)
INT_GETTER(user_time, REC(self)->user_time)
INT_GETTER(processor_time,
           (uint64_t)REC(self)->kernel_time | ((uint64_t)REC(self)->user_time << 32))
INT_GETTER(pointer_size, REC(self)->pointer_size)
INT_GETTER(flags, REC(self)->flags)
INT_GETTER(event_property, REC(self)->event_property)
INT_GETTER(header_type, REC(self)->header_type)
INT_GETTER(group, REC(self)->group)
INT_GETTER(file_offset, REC(self)->file_offset + REC(self)->buffer_pos)
INT_GETTER(wpp_flags, REC(self)->wpp_flags)
INT_GETTER(wpp_sequence, REC(self)->wpp_sequence)
INT_GETTER(wpp_component, REC(self)->wpp_component)

static PyObject *get_time_ns(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLongLong(REC(self)->time_ns);
}
static PyObject *get_filetime(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLongLong(REC(self)->filetime);
}
static PyObject *get_raw_timestamp(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLongLong(REC(self)->timestamp);
}
static PyObject *get_timestamp(PyObject *self, void *c) {
    (void)c;
    return etwpy_datetime_from_ns(ST(self), REC(self)->time_ns);
}
static PyObject *get_provider_id(PyObject *self, void *c) {
    (void)c;
    return etwpy_uuid(ST(self), &REC(self)->provider_id);
}
static PyObject *get_activity_id(PyObject *self, void *c) {
    (void)c;
    if (etw_guid_is_zero(&REC(self)->activity_id)) Py_RETURN_NONE;
    return etwpy_uuid(ST(self), &REC(self)->activity_id);
}
static PyObject *get_related_activity_id(PyObject *self, void *c) {
    const etw_ext_item *it = find_ext(REC(self), ETW_EXT_RELATED_ACTIVITYID);
    etw_guid g;
    (void)c;
    if (!it || it->size < 16) Py_RETURN_NONE;
    g = etw_guid_load(it->data);
    return etwpy_uuid(ST(self), &g);
}
static PyObject *get_kind(PyObject *self, void *c) {
    uint8_t k = REC(self)->kind;
    (void)c;
    return Py_NewRef(ST(self)->kind_names[k < ETW_KIND_COUNT ? k : ETW_KIND_MANIFEST]);
}
static PyObject *get_payload(PyObject *self, void *c) {
    (void)c;
    return PyBytes_FromStringAndSize((const char *)REC(self)->user_data,
                                     (Py_ssize_t)REC(self)->user_data_length);
}
static PyObject *get_raw(PyObject *self, void *c) {
    (void)c;
    return PyBytes_FromStringAndSize((const char *)REC(self)->raw,
                                     (Py_ssize_t)REC(self)->raw_size);
}

/* "S-1-5-21-..." from a SID of len bytes; NULL (no exception) when malformed. */
static PyObject *sid_string(const uint8_t *p, size_t len) {
    char buf[16 + 15 * 11 + 24];
    size_t n, pos;
    uint64_t auth = 0;
    if (len < 8) return NULL;
    n = p[1];
    if (n > 15 || 8 + 4 * n > len) return NULL;
    for (int i = 0; i < 6; i++) auth = (auth << 8) | p[2 + i];
    if (auth < (1ull << 32))
        pos = (size_t)snprintf(buf, sizeof buf, "S-%u-%llu", p[0], (unsigned long long)auth);
    else
        pos = (size_t)snprintf(buf, sizeof buf, "S-%u-0x%012llX", p[0],
                               (unsigned long long)auth);
    for (size_t i = 0; i < n && pos < sizeof buf; i++)
        pos += (size_t)snprintf(buf + pos, sizeof buf - pos, "-%u", etw_le32(p + 8 + 4 * i));
    return PyUnicode_FromString(buf);
}

static int set_item(PyObject *d, const char *key, PyObject *value) {
    int rc;
    if (!value) return -1;
    rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *get_extended(PyObject *self, void *c) {
    const etw_record *rec = REC(self);
    etwpy_state *st = ST(self);
    PyObject *d = PyDict_New();
    (void)c;
    if (!d) return NULL;
    for (uint16_t i = 0; i < rec->ext_count; i++) {
        const etw_ext_item *it = &rec->ext[i];
        const uint8_t *p = it->data;
        size_t n = it->size;
        int rc = 0;
        switch (it->type) {
        case ETW_EXT_RELATED_ACTIVITYID:
        case ETW_EXT_CONTROL_GUID:
            if (n >= 16) {
                etw_guid g = etw_guid_load(p);
                rc = set_item(d, it->type == ETW_EXT_CONTROL_GUID ? "control_guid"
                                                                   : "related_activity_id",
                              etwpy_uuid(st, &g));
            } else {
                goto raw;
            }
            break;
        case ETW_EXT_SID: {
            PyObject *s = sid_string(p, n);
            if (!s) {
                if (PyErr_Occurred()) goto fail;
                goto raw;
            }
            rc = set_item(d, "sid", s);
            break;
        }
        case ETW_EXT_TS_ID:
            if (n < 4) goto raw;
            rc = set_item(d, "ts_id", PyLong_FromUnsignedLong(etw_le32(p)));
            break;
        case ETW_EXT_INSTANCE_INFO:
            if (n < 24) goto raw;
            {
                etw_guid g = etw_guid_load(p + 8);
                PyObject *u = etwpy_uuid(st, &g);
                if (!u) goto fail;
                rc = set_item(d, "instance_info",
                              Py_BuildValue("{sksksN}", "instance_id",
                                            (unsigned long)etw_le32(p), "parent_instance_id",
                                            (unsigned long)etw_le32(p + 4), "parent_guid", u));
            }
            break;
        case ETW_EXT_STACK_TRACE32:
        case ETW_EXT_STACK_TRACE64: {
            size_t w = it->type == ETW_EXT_STACK_TRACE32 ? 4 : 8, k, frames;
            PyObject *list;
            if (n < 8) goto raw;
            frames = (n - 8) / w;
            list = PyList_New((Py_ssize_t)frames);
            if (!list) goto fail;
            for (k = 0; k < frames; k++) {
                PyObject *a = PyLong_FromUnsignedLongLong(
                    w == 4 ? etw_le32(p + 8 + 4 * k) : etw_le64(p + 8 + 8 * k));
                if (!a) {
                    Py_DECREF(list);
                    goto fail;
                }
                PyList_SET_ITEM(list, (Py_ssize_t)k, a);
            }
            if (set_item(d, "stack", list) < 0 ||
                set_item(d, "stack_match_id", PyLong_FromUnsignedLongLong(etw_le64(p))) < 0)
                goto fail;
            break;
        }
        case ETW_EXT_STACK_KEY32:
        case ETW_EXT_STACK_KEY64:
            if (n < 16) goto raw;
            rc = set_item(d, "stack_key",
                          Py_BuildValue("{sKsK}", "match_id",
                                        (unsigned long long)etw_le64(p), "key",
                                        (unsigned long long)(it->type == ETW_EXT_STACK_KEY32
                                                                 ? etw_le32(p + 8)
                                                                 : etw_le64(p + 8))));
            break;
        case ETW_EXT_PEBS_INDEX:
        case ETW_EXT_PSM_KEY:
        case ETW_EXT_EVENT_KEY:
        case ETW_EXT_PROCESS_START_KEY: {
            const char *key = it->type == ETW_EXT_PEBS_INDEX  ? "pebs_index"
                              : it->type == ETW_EXT_PSM_KEY   ? "psm_key"
                              : it->type == ETW_EXT_EVENT_KEY ? "event_key"
                                                              : "process_start_key";
            if (n < 8) goto raw;
            rc = set_item(d, key, PyLong_FromUnsignedLongLong(etw_le64(p)));
            break;
        }
        case ETW_EXT_PMC_COUNTERS: {
            PyObject *list = PyList_New((Py_ssize_t)(n / 8));
            if (!list) goto fail;
            for (size_t k = 0; k < n / 8; k++) {
                PyObject *v = PyLong_FromUnsignedLongLong(etw_le64(p + 8 * k));
                if (!v) {
                    Py_DECREF(list);
                    goto fail;
                }
                PyList_SET_ITEM(list, (Py_ssize_t)k, v);
            }
            rc = set_item(d, "pmc_counters", list);
            break;
        }
        case ETW_EXT_CONTAINER_ID: {
            /* 36 ANSI characters of a GUID in text form (etl-format.md 2.5). */
            size_t len = 0;
            while (len < n && p[len]) len++;
            rc = set_item(d, "container_id",
                          PyUnicode_DecodeLatin1((const char *)p, (Py_ssize_t)len, NULL));
            break;
        }
        case ETW_EXT_EVENT_SCHEMA_TL:
            rc = set_item(d, "event_schema_tl",
                          PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n));
            break;
        case ETW_EXT_PROV_TRAITS:
            rc = set_item(d, "prov_traits",
                          PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n));
            break;
        case ETW_EXT_QPC_DELTA:
            rc = set_item(d, "qpc_delta",
                          PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n));
            break;
        default:
        raw: {
            char key[24];
            snprintf(key, sizeof key, "ext_%u", it->type);
            rc = set_item(d, key, PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)n));
        }
        }
        if (rc < 0) goto fail;
    }
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyGetSetDef event_getset[] = {
    {"provider_id", get_provider_id, NULL,
     "Provider GUID (uuid.UUID); the event class GUID for kernel and classic events, the "
     "message GUID for WPP.", NULL},
    {"id", get_id, NULL, "Event id (0 for kernel/classic events; WPP message number).", NULL},
    {"version", get_version, NULL, "Event version.", NULL},
    {"channel", get_channel, NULL, "Channel.", NULL},
    {"level", get_level, NULL, "Level (0-5).", NULL},
    {"opcode", get_opcode, NULL, "Opcode (the event type for kernel/classic events).", NULL},
    {"task", get_task, NULL, "Task.", NULL},
    {"keyword", get_keyword, NULL, "Keyword mask (int).", NULL},
    {"pid", get_pid, NULL, "Process id from the header (0xFFFFFFFF when none).", NULL},
    {"tid", get_tid, NULL, "Thread id from the header (0xFFFFFFFF when none).", NULL},
    {"cpu", get_cpu, NULL, "Processor index of the buffer the event was logged in.", NULL},
    {"logger_id", get_logger_id, NULL, "Logger (session) id of the buffer.", NULL},
    {"timestamp", get_timestamp, NULL, "Time as a tz-aware UTC datetime (µs).", NULL},
    {"time_ns", get_time_ns, NULL, "Time in ns since the Unix epoch (full precision).", NULL},
    {"filetime", get_filetime, NULL, "Time as a FILETIME (100 ns since 1601, UTC).", NULL},
    {"raw_timestamp", get_raw_timestamp, NULL, "Timestamp in the trace's raw clock.", NULL},
    {"activity_id", get_activity_id, NULL, "Activity id (uuid.UUID) or None.", NULL},
    {"related_activity_id", get_related_activity_id, NULL,
     "Related activity id (uuid.UUID) from the extended data, or None.", NULL},
    {"kernel_time", get_kernel_time, NULL, "Kernel time in ticks.", NULL},
    {"user_time", get_user_time, NULL, "User time in ticks.", NULL},
    {"processor_time", get_processor_time, NULL,
     "ProcessorTime (kernel_time | user_time << 32) for private sessions.", NULL},
    {"kind", get_kind, NULL,
     "'header', 'kernel', 'classic', 'manifest', 'tracelogging' or 'wpp'.", NULL},
    {"pointer_size", get_pointer_size, NULL, "Pointer size of the event (4 or 8).", NULL},
    {"payload", get_payload, NULL, "User data (bytes).", NULL},
    {"raw", get_raw, NULL, "The whole record as stored in the file (bytes).", NULL},
    {"extended", get_extended, NULL, "Extended data items (dict).", NULL},
    {"flags", get_flags, NULL, "EVENT_HEADER_FLAG_* bits.", NULL},
    {"event_property", get_event_property, NULL, "EVENT_HEADER_PROPERTY_* bits.", NULL},
    {"header_type", get_header_type, NULL, "Header type of the record in the file.", NULL},
    {"group", get_group, NULL, "Kernel event group (kernel events), else 0.", NULL},
    {"file_offset", get_file_offset, NULL,
     "Offset of the record in the file (for compressed buffers: buffer offset + position "
     "in the inflated buffer).", NULL},
    {"wpp_flags", get_wpp_flags, NULL, "TRACE_MESSAGE_* option flags (WPP).", NULL},
    {"wpp_sequence", get_wpp_sequence, NULL, "Sequence number (WPP), or 0.", NULL},
    {"wpp_component", get_wpp_component, NULL, "Component id (WPP), or 0.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ---- Mapping over the decoded properties */

static PyObject *props(EventObject *self) {
    if (!self->props) self->props = etwpy_event_properties(self);
    return self->props;
}

static Py_ssize_t event_len(PyObject *self) {
    PyObject *p = props((EventObject *)self);
    return p ? PyDict_GET_SIZE(p) : -1;
}

static PyObject *event_getitem(PyObject *self, PyObject *key) {
    PyObject *p = props((EventObject *)self), *v;
    if (!p) return NULL;
    v = PyDict_GetItemWithError(p, key);
    if (!v) {
        if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return Py_NewRef(v);
}

static int event_contains(PyObject *self, PyObject *key) {
    PyObject *p = props((EventObject *)self);
    return p ? PyDict_Contains(p, key) : -1;
}

static PyObject *event_iter(PyObject *self) {
    PyObject *p = props((EventObject *)self);
    return p ? PyObject_GetIter(p) : NULL;
}

static PyObject *event_keys(PyObject *self, PyObject *unused) {
    PyObject *p = props((EventObject *)self);
    (void)unused;
    return p ? PyDict_Keys(p) : NULL;
}
static PyObject *event_values(PyObject *self, PyObject *unused) {
    PyObject *p = props((EventObject *)self);
    (void)unused;
    return p ? PyDict_Values(p) : NULL;
}
static PyObject *event_items(PyObject *self, PyObject *unused) {
    PyObject *p = props((EventObject *)self);
    (void)unused;
    return p ? PyDict_Items(p) : NULL;
}
static PyObject *event_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *p, *v;
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "get() takes 1 or 2 arguments");
        return NULL;
    }
    p = props((EventObject *)self);
    if (!p) return NULL;
    v = PyDict_GetItemWithError(p, args[0]);
    if (v) return Py_NewRef(v);
    if (PyErr_Occurred()) return NULL;
    return Py_NewRef(nargs == 2 ? args[1] : Py_None);
}

static PyObject *event_repr(PyObject *self) {
    const etw_record *r = REC(self);
    etwpy_state *st = ST(self);
    PyObject *u = etwpy_uuid(st, &r->provider_id), *res;
    int64_t ft = r->filetime;
    if (!u) return NULL;
    res = PyUnicode_FromFormat(
        "<etw.Event %U provider=%S id=%u version=%u opcode=%u task=%u level=%u pid=%lu "
        "tid=%lu cpu=%u filetime=%lld>",
        st->kind_names[r->kind < ETW_KIND_COUNT ? r->kind : 0], u, r->id, r->version,
        r->opcode, r->task, r->level, (unsigned long)r->process_id,
        (unsigned long)r->thread_id, r->processor, (long long)ft);
    Py_DECREF(u);
    return res;
}

static PyMethodDef event_methods[] = {
    {"keys", event_keys, METH_NOARGS, "Names of the decoded properties."},
    {"values", event_values, METH_NOARGS, "Values of the decoded properties."},
    {"items", event_items, METH_NOARGS, "(name, value) pairs of the decoded properties."},
    {"get", (PyCFunction)(void (*)(void))event_get, METH_FASTCALL,
     "get(name, default=None): a decoded property, or default."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot event_slots[] = {
    {Py_tp_dealloc, (void *)event_dealloc},
    {Py_tp_getset, event_getset},
    {Py_tp_methods, event_methods},
    {Py_tp_repr, (void *)event_repr},
    {Py_tp_iter, (void *)event_iter},
    {Py_mp_length, (void *)event_len},
    {Py_mp_subscript, (void *)event_getitem},
    {Py_sq_contains, (void *)event_contains},
    {Py_tp_doc,
     (void *)"One ETW event. Header fields are attributes; the decoded payload properties "
             "are reached as a mapping (ev['Name'], keys(), items(), get(), in, len)."},
    {0, NULL},
};

PyType_Spec etwpy_event_spec = {
    "etw._etw.Event", sizeof(EventObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION |
        Py_TPFLAGS_MAPPING,
    event_slots};
