/* event.c - etw.Event: a read-only, dict-like view of one record inside a
 * batch. Header fields are attributes computed on access; the payload
 * properties (Mapping protocol) are decoded on first access (props.c). The
 * event keeps its batch alive, so events may outlive the trace's iteration. */
#include "etwpy_props.h"

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
    EventObject *ev;
    if (st->n_free_events > 0) {
        /* A recycled object: its memory is ours, PyObject_Init makes it live again. */
        ev = st->free_events[--st->n_free_events];
        PyObject_Init((PyObject *)ev, st->EventType);
    } else {
        ev = PyObject_New(EventObject, st->EventType);
        if (!ev) return NULL;
    }
    ev->batch = Py_NewRef((PyObject *)batch);
    ev->rec = &batch->batch->records[i];
    ev->props = NULL;
    ev->errors = NULL;
    ev->schema = NULL;
    ev->used = 0;
    ev->dstate = ETWPY_DS_NONE;
    return (PyObject *)ev;
}

static void event_dealloc(EventObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    etwpy_state *st = etwpy_state_of_type(tp);
    Py_XDECREF(self->props);
    Py_XDECREF(self->errors);
    Py_XDECREF(self->batch);
    /* Events come and go by the million: keep a few for reuse (the type's
     * reference is dropped now and taken again by PyObject_Init). */
    if (st && st->n_free_events < ETWPY_EVENT_FREELIST)
        st->free_events[st->n_free_events++] = self;
    else
        tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

#define ST(self) etwpy_state_of_type(Py_TYPE(self))
#define REC(self) (((EventObject *)(self))->rec)


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
    const etw_ext_item *it = etw_record_find_ext(REC(self), ETW_EXT_RELATED_ACTIVITYID);
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

/* The extended data items as a dict; for_dict leaves out the TraceLogging
 * schema items (the decoder consumed them), as to_dict()/to_json() do. */
static PyObject *extended_dict(PyObject *self, int for_dict) {
    const etw_record *rec = REC(self);
    etwpy_state *st = ST(self);
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    for (uint16_t i = 0; i < rec->ext_count; i++) {
        const etw_ext_item *it = &rec->ext[i];
        const uint8_t *p = it->data;
        size_t n = it->size;
        int rc = 0;
        if (for_dict && (it->type == ETW_EXT_EVENT_SCHEMA_TL || it->type == ETW_EXT_PROV_TRAITS))
            continue;
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

static PyObject *get_extended(PyObject *self, void *c) {
    (void)c;
    return extended_dict(self, 0);
}

/* ---- names and decoding outcome (props.c) */

static PyObject *str_or_none(etwpy_state *st, const char *s) {
    PyObject *o;
    if (!s || !*s) Py_RETURN_NONE;
    o = etwpy_name(st, s);
    return o ? Py_NewRef(o) : NULL;
}

/* The event's schema into *s; -1 with an exception. */
static int schema_of(PyObject *self, const etw_schema **s) {
    return etwpy_lookup(ST(self), (EventObject *)self, s);
}

static PyObject *get_name(PyObject *self, void *c) {
    char buf[512];
    const etw_schema *s;
    size_t n;
    (void)c;
    if (schema_of(self, &s) < 0) return NULL;
    n = etwpy_event_name(REC(self), s, buf, sizeof buf);
    if (!n) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(buf, (Py_ssize_t)n, "replace");
}

#define NAME_GETTER(attr, fn)                                                          \
    static PyObject *get_##attr(PyObject *self, void *c) {                             \
        const etw_schema *s;                                                           \
        (void)c;                                                                       \
        if (schema_of(self, &s) < 0) return NULL;                                      \
        return str_or_none(ST(self), fn(REC(self), s));                                \
    }
NAME_GETTER(provider_name, etwpy_provider_name)
NAME_GETTER(task_name, etwpy_task_name)
NAME_GETTER(opcode_name, etwpy_opcode_name)
NAME_GETTER(level_name, etwpy_level_name)
NAME_GETTER(channel_name, etwpy_channel_name)

static PyObject *keyword_list(etwpy_state *st, const etw_schema *s) {
    PyObject *list = PyList_New(s ? s->keyword_count : 0);
    if (!list || !s) return list;
    for (uint16_t i = 0; i < s->keyword_count; i++) {
        PyObject *k = etwpy_name(st, s->keyword_names[i]);
        if (!k) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, Py_NewRef(k));
    }
    return list;
}
static PyObject *get_keyword_names(PyObject *self, void *c) {
    const etw_schema *s;
    (void)c;
    if (schema_of(self, &s) < 0) return NULL;
    return keyword_list(ST(self), s);
}
static PyObject *get_schema_source(PyObject *self, void *c) {
    const etw_schema *s;
    (void)c;
    if (schema_of(self, &s) < 0) return NULL;
    return str_or_none(ST(self), etwpy_source_name(s));
}

/* The message of the event: the WPP text formatted from the TMF files, or
 * the manifest message with its inserts filled (etw.schemas._event_message). */
static PyObject *get_message(PyObject *self, void *c) {
    (void)c;
    return etwpy_schemas_hook((EventObject *)self, "_event_message");
}

static PyObject *get_wpp(PyObject *self, void *c) {
    (void)c;
    return etwpy_schemas_hook((EventObject *)self, "_wpp_info");
}

static PyObject *get_wpp_reason(PyObject *self, void *c) {
    (void)c;
    return etwpy_schemas_hook((EventObject *)self, "_wpp_reason");
}

static PyObject *get_message_template(PyObject *self, void *c) {
    const etw_schema *s;
    (void)c;
    if (schema_of(self, &s) < 0) return NULL;
    if (!s || !s->event_message || !*s->event_message) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s->event_message, (Py_ssize_t)strlen(s->event_message),
                                "replace");
}

/* Version of the schema used: the event's own, or the nearest lower one when
 * the sources had no schema of this exact version (None without a schema). */
static PyObject *get_schema_version(PyObject *self, void *c) {
    const etw_schema *s;
    (void)c;
    if (schema_of(self, &s) < 0) return NULL;
    if (!s) Py_RETURN_NONE;
    return PyLong_FromLong(s->version);
}

/* Decodes once to learn the outcome (cached in the event). */
static int ensure_decoded(PyObject *self) {
    EventObject *ev = (EventObject *)self;
    etwpy_dec x;
    if (ev->dstate) return 0;
    if (etwpy_dec_run(ST(self), ev, &x) < 0) return -1;
    etwpy_dec_done(&x);
    return 0;
}
static PyObject *get_decode_status(PyObject *self, void *c) {
    static const char *const names[] = {"", "ok", "errors", "stopped", "no schema",
                                        "bad schema"};
    int8_t s;
    (void)c;
    if (ensure_decoded(self) < 0) return NULL;
    s = ((EventObject *)self)->dstate;
    return PyUnicode_FromString(names[s > 0 && s <= ETWPY_DS_BADSCHEMA ? s : 0]);
}
static PyObject *get_decode_errors(PyObject *self, void *c) {
    EventObject *ev = (EventObject *)self;
    (void)c;
    if (ensure_decoded(self) < 0) return NULL;
    return ev->errors ? PyList_GetSlice(ev->errors, 0, PY_SSIZE_T_MAX) : PyList_New(0);
}
static PyObject *get_leftover(PyObject *self, void *c) {
    EventObject *ev = (EventObject *)self;
    const etw_record *r = ev->rec;
    uint32_t used;
    (void)c;
    if (ensure_decoded(self) < 0) return NULL;
    used = ev->schema && ev->used <= r->user_data_length ? ev->used : 0;
    return PyBytes_FromStringAndSize((const char *)r->user_data + used,
                                     (Py_ssize_t)(r->user_data_length - used));
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
    {"name", get_name, NULL,
     "Event name: the schema's (TraceLogging/manifest) event name, else 'Task/Opcode' "
     "('Task' alone for opcode 0 of manifest events), or None.", NULL},
    {"provider_name", get_provider_name, NULL,
     "Provider name from the schema ('MSNT_SystemTrace' for kernel events), or None.", NULL},
    {"task_name", get_task_name, NULL, "Task name from the schema, or None.", NULL},
    {"opcode_name", get_opcode_name, NULL,
     "Opcode name from the schema; for manifest/TraceLogging events without one, the "
     "standard names of winmeta.xml (0 'Info', 1 'Start', 2 'Stop', 3 'DCStart', 4 "
     "'DCStop', 5 'Extension', 6 'Reply', 7 'Resume', 8 'Suspend', 9 'Send', 240 "
     "'Receive'); or None.", NULL},
    {"level_name", get_level_name, NULL,
     "Level name from the schema, else the standard one as Windows shows it (0 'Log "
     "Always', 1 'Critical', 2 'Error', 3 'Warning', 4 'Information', 5 'Verbose'), or "
     "None.", NULL},
    {"channel_name", get_channel_name, NULL,
     "Channel name from the schema, else the standard one (8 'System', 9 'Application', "
     "10 'Security', 11 'TraceLogging'), or None.", NULL},
    {"keyword_names", get_keyword_names, NULL,
     "Names of the event's keywords from the schema (list of str, maybe empty).", NULL},
    {"message", get_message, NULL,
     "The event's message: for WPP events the text tracefmt prints (from the TMF files "
     "given with schemas=), else the schema's message string with %1... filled in; None "
     "when there is none.", NULL},
    {"wpp", get_wpp, NULL,
     "WPP events: the message decoded with the TMF files given with schemas= (an "
     "etw.wpp.WppMessage: message, args, message_number, component, flags, level, "
     "function, file, line), or None.", NULL},
    {"wpp_reason", get_wpp_reason, NULL,
     "WPP events: why there is no message (no TMF files, or none for this message GUID "
     "and number); None when it decodes.", NULL},
    {"message_template", get_message_template, NULL,
     "The schema's message string (FormatMessage syntax), or None.", NULL},
    {"schema_version", get_schema_version, NULL,
     "Version of the schema used to decode the event: its own version, or the nearest lower "
     "one when no schema of its exact version is known (None without a schema).", NULL},
    {"schema_source", get_schema_source, NULL,
     "Where the event's schema comes from: 'tracelogging' (the event's own metadata), "
     "'injected' (TRACE_EVENT_INFO records merged into the trace), 'kernel' (built-in "
     "kernel MOF tables), 'inband' (a .NET EventSource manifest carried in the trace), "
     "'manifest' / 'wevt' / 'pack' (schemas= sources: instrumentation manifest, "
     "compiled WEVT_TEMPLATE, schema pack), 'tdh' (live events: asked of Windows' TDH), "
     "'string' (EventWriteString events: one 'String' property); None when no schema is "
     "known.", NULL},
    {"decode_status", get_decode_status, NULL,
     "'ok' (every property decoded), 'errors' (some could not be, the rest did: see "
     "decode_errors), 'stopped' (a property's size could not be known: decoding stopped "
     "there, the rest is in leftover), 'no schema', or 'bad schema' (the event's own "
     "metadata is malformed).", NULL},
    {"decode_errors", get_decode_errors, NULL,
     "Problems met while decoding, as a list of dicts {'property': path such as "
     "'Outer.inner[2]', 'error': text, 'offset': payload offset, 'data': the bytes}. "
     "Empty when there were none.", NULL},
    {"leftover", get_leftover, NULL,
     "Payload bytes after the last decoded property (bytes; b'' when the schema covered "
     "everything; the whole payload when there is no schema).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ---- Mapping over the decoded properties */

static PyObject *props(EventObject *self) { return etwpy_event_props(self); }

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

/* ---- to_dict / to_json / format */

/* A fresh list of the items of a tuple. */
static PyObject *list_of(PyObject *t) {
    Py_ssize_t n = PyTuple_GET_SIZE(t);
    PyObject *l = PyList_New(n);
    if (!l) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) PyList_SET_ITEM(l, i, Py_NewRef(PyTuple_GET_ITEM(t, i)));
    return l;
}

/* to_dict()'s System dict: a copy of the cached one for the event's schema
 * and header fields, with a fresh copy of each dict in it. */
static PyObject *system_dict(etwpy_state *st, PyObject *self, const etw_schema *s) {
    const etw_record *r = REC(self);
    PyObject *const *K = etwpy_keys(st);
    PyObject *e, *d, *kw, *tc, *t;
    if (!K || !(e = etwpy_system_entry(st, (EventObject *)self, s))) return NULL;
#define SE(i) PyTuple_GET_ITEM(e, ETWPY_SE_##i)
    d = PyDict_Copy(SE(SYSTEM));
    if (!d) goto fail;
    if (etwpy_put(d, K[ETWPY_K_PROVIDER], PyDict_Copy(SE(PROVIDER))) < 0 ||
        etwpy_put(d, K[ETWPY_K_LEVEL], PyDict_Copy(SE(LEVEL))) < 0 ||
        etwpy_put(d, K[ETWPY_K_TASK], PyDict_Copy(SE(TASK))) < 0 ||
        etwpy_put(d, K[ETWPY_K_OPCODE], PyDict_Copy(SE(OPCODE))) < 0)
        goto fail;
    kw = PyDict_Copy(SE(KEYWORDS));
    if (!kw || etwpy_put(kw, K[ETWPY_K_NAME], list_of(SE(KWNAMES))) < 0) {
        Py_XDECREF(kw);
        goto fail;
    }
    if (etwpy_put(d, K[ETWPY_K_KEYWORDS], kw) < 0) goto fail;
    t = etwpy_time_created(st, r);
    if (!t) goto fail;
    /* Small dicts with variable values: a new dict and insertions cost less
     * than a copy and replacements. */
    tc = PyDict_New();
    if (!tc) {
        Py_DECREF(t);
        goto fail;
    }
    if (etwpy_put(tc, K[ETWPY_K_SYSTEMTIME], t) < 0) {
        Py_DECREF(tc);
        goto fail;
    }
    if (etwpy_put(d, K[ETWPY_K_TIMECREATED], tc) < 0) goto fail;
    if (etw_guid_is_zero(&r->activity_id) && r->ext_count == 0) {
        /* the usual: both None */
        if (etwpy_put(d, K[ETWPY_K_CORRELATION], etwpy_from_template(st, ETWPY_T_CORR, NULL)) < 0)
            goto fail;
    } else {
        PyObject *cv[2] = {get_activity_id(self, NULL), get_related_activity_id(self, NULL)};
        if (etwpy_put(d, K[ETWPY_K_CORRELATION], etwpy_from_template(st, ETWPY_T_CORR, cv)) < 0)
            goto fail;
    }
    if (etwpy_put(d, K[ETWPY_K_EXECUTION], etwpy_exec_dict(st, r)) < 0 ||
        etwpy_put(d, K[ETWPY_K_CHANNEL], PyDict_Copy(SE(CHANNEL))) < 0)
        goto fail;
#undef SE
    Py_DECREF(e);
    return d;
fail:
    Py_XDECREF(d);
    Py_DECREF(e);
    return NULL;
}

static PyObject *event_to_dict(PyObject *self, PyObject *unused) {
    etwpy_state *st = ST(self);
    PyObject *const *K = etwpy_keys(st), *d, *data;
    const etw_schema *s;
    (void)unused;
    if (!K || !(data = etwpy_event_data(st, (EventObject *)self, &s))) return NULL;
    /* A new dict and three insertions cost less than a copy and replacements. */
    d = PyDict_New();
    if (!d || etwpy_put(d, K[ETWPY_K_SYSTEM], system_dict(st, self, s)) < 0) {
        Py_XDECREF(d);
        Py_DECREF(data);
        return NULL;
    }
    if (etwpy_put(d, K[ETWPY_K_EVENTDATA], data) < 0 ||
        etwpy_put(d, K[ETWPY_K_EXTENDEDDATA], extended_dict(self, 1)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *event_to_json(PyObject *self, PyObject *unused) {
    (void)unused;
    return etwpy_event_to_json(ST(self), (EventObject *)self);
}

static PyObject *event_format(PyObject *self, PyObject *name) {
    return etwpy_event_format(ST(self), (EventObject *)self, name);
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

#define TO_DICT_DOC                                                                      \
    "to_dict() -> dict\n\n"                                                              \
    "The event as {'System': {...}, 'EventData': {...}, 'ExtendedData': {...}} (the "     \
    "layout of goetw's events). System:\n"                                                \
    "  'Provider': {'Name': str, 'Guid': uuid.UUID}, 'EventName': str,\n"                 \
    "  'EventID': int, 'Version': int,\n"                                                 \
    "  'Level', 'Task', 'Opcode', 'Channel': each {'Value': int, 'Name': str},\n"         \
    "  'Keywords': {'Mask': '0x%016X' str, 'Name': [str, ...]},\n"                        \
    "  'TimeCreated': {'SystemTime': UTC datetime},\n"                                    \
    "  'Correlation': {'ActivityID': uuid.UUID or None, 'RelatedActivityID': ...},\n"     \
    "  'Execution': {'ProcessID', 'ThreadID', 'ProcessorID', 'KernelTime', "              \
    "'UserTime': int}.\n"                                                                 \
    "Unknown names are ''. EventID/ProcessID/... are the header values as the "           \
    "attributes give them (ev.id, ev.pid, ...). EventData is a new dict of the decoded "  \
    "properties (as the mapping gives them; repeated names get '#2', '#3', ...); "       \
    "ExtendedData is ev.extended without the TraceLogging schema items "                 \
    "(event_schema_tl, prov_traits)."
#define TO_JSON_DOC                                                                      \
    "to_json() -> str\n\n"                                                               \
    "to_dict() as compact JSON text, written in C; the same keys in the same order. "     \
    "Values: integers as JSON numbers; floats as Python's repr (NaN and infinities as "  \
    "null); GUIDs as '{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}' (upper case, braced, as "   \
    "Windows prints them); times as 'YYYY-MM-DDTHH:MM:SS.fffffffZ' (full 100 ns "        \
    "precision; a FILETIME outside years 1601-9999 stays a number, an invalid "          \
    "SYSTEMTIME is null); bytes as lower-case hex strings; None as null; a WPP "        \
    "argument's time span (a timedelta in to_dict()) as its seconds. Text is UTF-8; "  \
    "unpaired UTF-16 surrogates are written as \\uXXXX escapes, so json.loads gives back " \
    "the same str. The output depends only on the trace's bytes, not on the platform."
#define FORMAT_DOC                                                                       \
    "format(name) -> str\n\n"                                                            \
    "The value of top-level property `name` as Windows (TDH) renders it: a value map's "  \
    "entry name (the number when no entry matches); a bitmap's entry names joined with "  \
    "' | ' (leftover bits in hex, '0' when nothing is set); hex integers '0x1F'; "        \
    "pointers padded to their width '0x00007FF6...'; HRESULT/NTSTATUS/Win32 errors "      \
    "'0x%08X'; booleans 'true'/'false'; GUIDs braced upper case; times ISO 8601 UTC with "\
    "7 decimals; binary '0x' + upper-case hex; strings as they are; structs and arrays "  \
    "as their JSON. Raises KeyError for an unknown name."

static PyObject *event_repr_html(PyObject *self, PyObject *unused) {
    PyObject *mod = PyImport_ImportModule("etw._repr"), *res;
    (void)unused;
    if (!mod) return NULL;
    res = PyObject_CallMethod(mod, "event_html", "O", self);
    Py_DECREF(mod);
    return res;
}

static PyMethodDef event_methods[] = {
    {"_repr_html_", event_repr_html, METH_NOARGS, "HTML view for Jupyter."},
    {"keys", event_keys, METH_NOARGS, "Names of the decoded properties."},
    {"values", event_values, METH_NOARGS, "Values of the decoded properties."},
    {"items", event_items, METH_NOARGS, "(name, value) pairs of the decoded properties."},
    {"get", (PyCFunction)(void (*)(void))event_get, METH_FASTCALL,
     "get(name, default=None): a decoded property, or default."},
    {"to_dict", event_to_dict, METH_NOARGS, TO_DICT_DOC},
    {"to_json", event_to_json, METH_NOARGS, TO_JSON_DOC},
    {"format", event_format, METH_O, FORMAT_DOC},
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
             "are reached as a mapping (ev['Name'], keys(), items(), get(), in, len), "
             "decoded on first access with the trace's schemas (TraceLogging metadata, "
             "injected TRACE_EVENT_INFO, built-in kernel tables, schemas=).\n\n"
             "Property types: integers (also pointers, SIZE_T, hex ints, HRESULT/NTSTATUS/"
             "Win32 errors as declared, PID/TID, ports in host order) -> int; FLOAT/DOUBLE "
             "-> float; BOOLEAN -> bool; UTF-16 strings -> str (unpaired surrogates kept, "
             "as surrogatepass does); ANSI strings -> str decoded as Windows-1252 (the five "
             "bytes it leaves undefined become U+0081, U+008D, U+008F, U+0090, U+009D, as "
             "Windows does; bytes 0xA0-0xFF are Latin-1); UTF-8 and JSON out-types -> str "
             "(invalid UTF-8 replaced by U+FFFD); BINARY -> bytes; GUID -> uuid.UUID; "
             "FILETIME/SYSTEMTIME -> tz-aware UTC datetime (FILETIME cut to microseconds; "
             "an out-of-range FILETIME stays an int, an all-zero SYSTEMTIME is None); SID "
             "-> 'S-1-5-...'; IPv4/IPv6 -> str (RFC 5952, as ipaddress prints it); socket "
             "addresses -> 'a.b.c.d:port' / '[v6%scope]:port'; arrays -> list; structs "
             "-> dict; repeated names get '#2', '#3', ...; value-map and bitmap values "
             "stay ints (see format()). Problems: decode_status, decode_errors, "
             "leftover."},
    {0, NULL},
};

PyType_Spec etwpy_event_spec = {
    "etw._etw.Event", sizeof(EventObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION |
        Py_TPFLAGS_MAPPING,
    event_slots};
