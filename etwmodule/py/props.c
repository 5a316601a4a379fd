/* props.c - an event's payload properties as Python values. The schema comes
 * from the trace's registry (TraceLogging metadata, injected TRACE_EVENT_INFO,
 * built-in kernel tables; EventWriteString events get one "String"), the
 * core decoder turns the payload into a tree of etw_value nodes, and this
 * file converts the nodes: integers -> int, FLOAT/DOUBLE -> float, BOOLEAN ->
 * bool, UTF-16 -> str (surrogatepass: unpaired surrogates are kept), ANSI ->
 * str decoded as Windows-1252, UTF-8/JSON out-types -> str (invalid UTF-8
 * replaced with U+FFFD), BINARY -> bytes, GUID -> uuid.UUID, FILETIME and
 * SYSTEMTIME -> UTC datetime, SID -> "S-1-...", IPv4/IPv6 -> str,
 * SOCKADDR -> "ip:port" str, ports/pointers/hex ints -> int, arrays -> list,
 * structs -> dict. Also the names of an event (provider, task, opcode,
 * level, channel, event), the outcome of its first decode (status, problems,
 * leftover bytes), and the shared text formatters (tdh-types.md 5).
 * On the first schema miss of a manifest/classic provider, the trace's other
 * schema sources are asked once (etw.schemas.provide: in-band EventSource
 * manifests, the user's schemas=) and the lookup is retried. */
#include "etwpy_props.h"

#include <datetime.h>
#include <stdio.h>

/* ------------------------------------------------------------ the cache */

#define NAME_SLOTS 4096 /* power of two */

#define VN_SLOTS 512    /* power of two */
#define EN_SLOTS 256    /* power of two */

typedef struct name_slot {
    const char *ptr;
    PyObject *str; /* strong */
    Py_ssize_t len; /* of str when it is compact ASCII, else -1 */
} name_slot;

/* {"Value": v, "Name": name} dicts, keyed by v and the interned name str
 * (held, so its identity cannot be reused). */
typedef struct vn_slot {
    unsigned long v;
    PyObject *name; /* strong */
    PyObject *dict; /* strong, never handed out: copied */
} vn_slot;

/* {"Name": name, "Guid": uuid} dicts, keyed by the interned name str (held)
 * and the GUID. */
#define PROV_SLOTS 256 /* power of two */
typedef struct prov_slot {
    etw_guid guid;
    PyObject *name; /* strong */
    PyObject *dict; /* strong, copied out */
} prov_slot;

/* "Task/Opcode" event names, keyed by the interned task and opcode strs. */
typedef struct en_slot {
    PyObject *task, *opcode, *name; /* strong */
} en_slot;

/* Providers already asked of a trace's schema sources: the trace's
 * `provided` set (held, so its identity cannot be reused) and the GUID. Saves
 * the Python set lookup on every event without a schema. */
#define ASKED_SLOTS 256 /* power of two */
typedef struct asked_slot {
    PyObject *set; /* strong */
    etw_guid guid;
} asked_slot;

/* Schema lookups that found a schema in a trace's registry, keyed by the
 * trace's registry_serial, the registry's generation when it was asked (a
 * schema added since, e.g. an injected one for a kernel event, may change
 * the answer) and the record's lookup key. TraceLogging lookups are not kept
 * (their key is the metadata bytes). */
#define LK_SLOTS 1024 /* power of two */
typedef struct lk_slot {
    uint64_t serial; /* 0 = empty */
    size_t generation;
    const etw_schema *schema;
    etw_guid guid;
    uint16_t id;      /* event id (manifest key) or opcode (classic key) */
    uint8_t version;
    uint8_t manifest; /* 1 manifest key, 0 classic key */
} lk_slot;

/* The System parts that depend only on the schema and the header's provider,
 * kind, id, version, level, task, opcode, channel and keyword, for to_dict()
 * (etwpy_system_entry) and to_json() (etwpy_system_json), each filled when
 * first asked. The schema pointer is only meaningful with the registry's
 * serial: a schema's address may be reused once its trace is freed. */
#define SYS_SLOTS 1024 /* power of two */
typedef struct sys_slot {
    uint64_t serial;
    const etw_schema *schema;
    etw_guid provider;
    uint64_t keyword;
    uint16_t id, task;
    uint8_t kind, version, level, opcode, channel;
    uint8_t used;        /* the key fields are set */
    PyObject *entry;     /* strong: tuple of ETWPY_SE_COUNT objects, or NULL */
    etwpy_sys_json json; /* text NULL until to_json() asks */
} sys_slot;

/* {"ProcessID": .., "ThreadID": .., "ProcessorID": .., "KernelTime": ..,
 * "UserTime": ..} dicts (copied out), keyed by their numbers. */
#define EX_SLOTS 256 /* power of two */
typedef struct ex_slot {
    uint32_t pid, tid, kernel, user;
    uint16_t cpu;
    PyObject *dict; /* strong, or NULL */
} ex_slot;

/* Property dicts of a schema (top level or one struct's members): the keys
 * in node order with repeated names already renamed ("Name#2"), and a dict
 * of those keys to copy, so a conversion copies it and sets the values.
 * Keyed by (registry serial, schema, the first member's etw_prop, count);
 * the node names are compared too before use. */
#define ED_SLOTS 512 /* power of two */
typedef struct ed_slot {
    uint64_t serial;
    const etw_schema *schema;
    const etw_prop *first;
    uint32_t count;
    const char **names; /* count node names (PyMem), compared by address */
    PyObject *entry;    /* strong: tuple (template dict, key 0, ..., key count-1) */
} ed_slot;

/* EventData dicts of small payloads that decoded without problems,
 * keyed by (registry serial, the schema found, pointer size, STRING_ONLY,
 * payload bytes): sampling events (PerfInfo/SampleProf, stack walks of the
 * same place, ...) repeat their payloads. A hit is copied, and stands for the
 * event's decode outcome too. */
#define PD_SLOTS 1024 /* power of two */
#define PD_MAX 256    /* longest payload kept */
typedef struct pd_slot {
    uint64_t serial;
    const etw_schema *looked; /* the schema the lookup gave */
    const etw_schema *schema; /* the schema decoded with (STRING_ONLY: the string one) */
    uint32_t hash, len, used;
    uint8_t ptr, so;
    uint8_t deep;             /* the dict holds lists or dicts (of scalars) */
    uint8_t *bytes;           /* len payload bytes (PyMem, PD_MAX allocated) */
    PyObject *dict;           /* strong, copied out; NULL while the payload was seen once */
} pd_slot;

struct etwpy_pcache {
    int busy; /* the module's decoder is in use (a conversion is running) */
    /* The last TimeCreated datetime and its microsecond (events come in
     * bursts within one microsecond; a datetime is immutable). */
    int64_t time_us;
    PyObject *time; /* strong, or NULL */
    pd_slot pd[PD_SLOTS];
    lk_slot lk[LK_SLOTS];
    sys_slot sys[SYS_SLOTS];
    ex_slot ex[EX_SLOTS];
    ed_slot ed[ED_SLOTS];
    PyObject *provide_fn; /* etw.schemas.provide, or None */
    asked_slot asked[ASKED_SLOTS];
    PyObject *keys[ETWPY_K_COUNT];
    PyObject *templates[ETWPY_T_COUNT];
    name_slot names[NAME_SLOTS];
    vn_slot vn[VN_SLOTS];
    en_slot en[EN_SLOTS];
    prov_slot prov[PROV_SLOTS];
};

/* Keys of each template, in order (ETWPY_K_COUNT ends a list). */
static const int template_keys[ETWPY_T_COUNT][13] = {
    [ETWPY_T_SYSTEM] = {ETWPY_K_PROVIDER, ETWPY_K_EVENTNAME, ETWPY_K_EVENTID, ETWPY_K_VERSION,
                        ETWPY_K_LEVEL, ETWPY_K_TASK, ETWPY_K_OPCODE, ETWPY_K_KEYWORDS,
                        ETWPY_K_TIMECREATED, ETWPY_K_CORRELATION, ETWPY_K_EXECUTION,
                        ETWPY_K_CHANNEL, ETWPY_K_COUNT},
    [ETWPY_T_PROVIDER] = {ETWPY_K_NAME, ETWPY_K_GUID, ETWPY_K_COUNT},
    [ETWPY_T_KEYWORDS] = {ETWPY_K_MASK, ETWPY_K_NAME, ETWPY_K_COUNT},
    [ETWPY_T_CORR] = {ETWPY_K_ACTIVITYID, ETWPY_K_RELATEDACTIVITYID, ETWPY_K_COUNT},
    [ETWPY_T_EXEC] = {ETWPY_K_PROCESSID, ETWPY_K_THREADID, ETWPY_K_PROCESSORID,
                      ETWPY_K_KERNELTIME, ETWPY_K_USERTIME, ETWPY_K_COUNT},
};

static const char *const key_text[ETWPY_K_COUNT] = {
    "System", "EventData", "ExtendedData", "Provider", "Name", "Guid", "EventName", "EventID",
    "Version", "Level", "Task", "Opcode", "Keywords", "Value", "Mask", "TimeCreated",
    "SystemTime", "Correlation", "ActivityID", "RelatedActivityID", "Execution", "ProcessID",
    "ThreadID", "ProcessorID", "KernelTime", "UserTime", "Channel", "property", "error",
    "offset", "data", ""};

/* The registry_serial of the event's trace, 0 when it has none. */
static uint64_t event_serial(EventObject *ev) {
    BatchObject *b = (BatchObject *)ev->batch;
    if (!b || !b->trace) return 0;
    return ((TraceObject *)b->trace)->registry_serial;
}

static struct etwpy_pcache *pcache_get(etwpy_state *st) {
    struct etwpy_pcache *pc = st->pcache;
    if (pc) return pc;
    if (!PyDateTimeAPI) {
        PyDateTime_IMPORT;
        if (!PyDateTimeAPI) return NULL;
    }
    pc = (struct etwpy_pcache *)PyMem_Calloc(1, sizeof *pc);
    if (!pc) {
        PyErr_NoMemory();
        return NULL;
    }
    st->pcache = pc; /* before filling, so that etwpy_pcache_free can undo it */
    for (int i = 0; i < ETWPY_K_COUNT; i++)
        if (!(pc->keys[i] = PyUnicode_InternFromString(key_text[i]))) goto fail;
    for (int t = 0; t < ETWPY_T_COUNT; t++) {
        if (!(pc->templates[t] = PyDict_New())) goto fail;
        for (int i = 0; template_keys[t][i] != ETWPY_K_COUNT; i++)
            if (PyDict_SetItem(pc->templates[t], pc->keys[template_keys[t][i]], Py_None) < 0)
                goto fail;
    }
    return pc;
fail:
    etwpy_pcache_free(st);
    return NULL;
}

PyObject *etwpy_from_template(etwpy_state *st, int t, PyObject **values) {
    struct etwpy_pcache *pc = pcache_get(st);
    PyObject *d;
    int i;
    if (!values) return pc ? PyDict_Copy(pc->templates[t]) : NULL;
    if (!pc) goto fail;
    for (i = 0; template_keys[t][i] != ETWPY_K_COUNT; i++)
        if (!values[i]) goto fail;
    /* Copying a dict of the same keys: one allocation, no rehashing. */
    d = PyDict_Copy(pc->templates[t]);
    if (!d) goto fail;
    for (i = 0; template_keys[t][i] != ETWPY_K_COUNT; i++) {
        if (PyDict_SetItem(d, pc->keys[template_keys[t][i]], values[i]) < 0) {
            Py_DECREF(d);
            goto fail;
        }
    }
    for (i = 0; template_keys[t][i] != ETWPY_K_COUNT; i++) Py_DECREF(values[i]);
    return d;
fail:
    for (i = 0; template_keys[t][i] != ETWPY_K_COUNT; i++) Py_XDECREF(values[i]);
    return NULL;
}

PyObject *etwpy_provider_dict(etwpy_state *st, const char *name, const etw_guid *g) {
    struct etwpy_pcache *pc = pcache_get(st);
    PyObject *nm, *u, *d;
    prov_slot *slot;
    if (!pc || !(nm = etwpy_name(st, name ? name : ""))) return NULL;
    slot = &pc->prov[(g->data1 ^ ((uintptr_t)nm >> 4)) & (PROV_SLOTS - 1)];
    if (slot->dict && slot->name == nm && etw_guid_eq(&slot->guid, g))
        return PyDict_Copy(slot->dict);
    u = etwpy_uuid(st, g);
    if (!u) return NULL;
    {
        PyObject *vals[2] = {Py_NewRef(nm), u};
        d = etwpy_from_template(st, ETWPY_T_PROVIDER, vals);
    }
    if (!d) return NULL;
    {
        /* The slot is filled whole before the old objects go (their release
         * could run code that uses the slot); d is held until copied. */
        PyObject *old_d = slot->dict, *old_n = slot->name, *res;
        slot->dict = Py_NewRef(d);
        slot->name = Py_NewRef(nm);
        slot->guid = *g;
        Py_XDECREF(old_d);
        Py_XDECREF(old_n);
        res = PyDict_Copy(d);
        Py_DECREF(d);
        return res;
    }
}

PyObject *etwpy_value_name(etwpy_state *st, unsigned long v, const char *name) {
    struct etwpy_pcache *pc = pcache_get(st);
    PyObject *nm, *d;
    vn_slot *slot;
    if (!pc || !(nm = etwpy_name(st, name ? name : ""))) return NULL;
    slot = &pc->vn[((v * 0x9E3779B1u) ^ ((uintptr_t)nm >> 4)) & (VN_SLOTS - 1)];
    if (slot->dict && slot->v == v && slot->name == nm) return PyDict_Copy(slot->dict);
    d = PyDict_New();
    if (!d) return NULL;
    {
        PyObject *num = PyLong_FromUnsignedLong(v);
        if (!num || PyDict_SetItem(d, pc->keys[ETWPY_K_VALUE], num) < 0 ||
            PyDict_SetItem(d, pc->keys[ETWPY_K_NAME], nm) < 0) {
            Py_XDECREF(num);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(num);
    }
    {
        /* As etwpy_provider_dict: the slot whole first, d held until copied. */
        PyObject *old_d = slot->dict, *old_n = slot->name, *res;
        slot->dict = Py_NewRef(d);
        slot->name = Py_NewRef(nm);
        slot->v = v;
        Py_XDECREF(old_d);
        Py_XDECREF(old_n);
        res = PyDict_Copy(d);
        Py_DECREF(d);
        return res;
    }
}

PyObject *etwpy_key(etwpy_state *st, int k) {
    struct etwpy_pcache *pc = pcache_get(st);
    return pc ? pc->keys[k] : NULL;
}

PyObject *etwpy_name(etwpy_state *st, const char *s) {
    struct etwpy_pcache *pc = pcache_get(st);
    name_slot *slot;
    PyObject *str;
    size_t h;
    if (!pc) return NULL;
    if (!s) s = "";
    h = (size_t)(((uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15ull) >> 40) & (NAME_SLOTS - 1);
    slot = &pc->names[h];
    if (slot->ptr == s && slot->str) {
        /* Same address; the content decides (a schema freed with its trace
         * may leave its address to a new string). Names are ASCII in
         * practice: compare with the str's own bytes. */
        if (slot->len >= 0) {
            if (memcmp(PyUnicode_1BYTE_DATA(slot->str), s, (size_t)slot->len) == 0 &&
                s[slot->len] == 0)
                return slot->str;
        } else {
            Py_ssize_t n;
            const char *u = PyUnicode_AsUTF8AndSize(slot->str, &n);
            if (u && strncmp(u, s, (size_t)n) == 0 && s[n] == 0) return slot->str;
            PyErr_Clear();
        }
    }
    /* Schema strings are valid UTF-8 (the builders replace bad bytes). */
    str = PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
    if (!str) return NULL;
    PyUnicode_InternInPlace(&str);
    Py_XSETREF(slot->str, str);
    slot->ptr = s;
    slot->len = PyUnicode_IS_COMPACT_ASCII(str) ? PyUnicode_GET_LENGTH(str) : -1;
    return str;
}

/* ------------------------------------------------------------ names */

static int has(const char *s) { return s && *s; }

/* winmeta.xml names -> the text Windows shows for them (schemas injected
 * from TDH carry the raw "win:..." names of manifests without messages). */
static const char *winmeta(const char *s) {
    static const char *const map[][2] = {
        {"win:LogAlways", "Log Always"}, {"win:Critical", "Critical"}, {"win:Error", "Error"},
        {"win:Warning", "Warning"}, {"win:Informational", "Information"},
        {"win:Verbose", "Verbose"}, {"win:Info", "Info"}, {"win:Start", "Start"},
        {"win:Stop", "Stop"}, {"win:DC_Start", "DCStart"}, {"win:DC_Stop", "DCStop"},
        {"win:Extension", "Extension"}, {"win:Reply", "Reply"}, {"win:Resume", "Resume"},
        {"win:Suspend", "Suspend"}, {"win:Send", "Send"}, {"win:Receive", "Receive"},
        {"win:System", "System"}, {"win:Application", "Application"},
        {"win:Security", "Security"}, {"win:None", "None"}};
    if (!s || strncmp(s, "win:", 4) != 0) return s;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i][0]) == 0) return map[i][1];
    return s;
}

static int is_classic(const etw_record *rec) {
    return rec->kind == ETW_KIND_KERNEL || rec->kind == ETW_KIND_CLASSIC ||
           rec->kind == ETW_KIND_HEADER;
}

const char *etwpy_provider_name(const etw_record *rec, const etw_schema *s) {
    if (s && has(s->provider_name)) return s->provider_name;
    if (is_classic(rec) && etw_kernel_task_name(&rec->provider_id)) return "MSNT_SystemTrace";
    return NULL;
}

const char *etwpy_task_name(const etw_record *rec, const etw_schema *s) {
    if (s && has(s->task_name)) return winmeta(s->task_name);
    if (is_classic(rec)) return etw_kernel_task_name(&rec->provider_id);
    return NULL;
}

/* Standard opcode names (winmeta.xml win:Info ... win:Receive, as TDH and
 * Event Viewer show them); for EVENT_HEADER events whose schema has none. */
static const char *std_opcode(uint8_t op) {
    static const char *const names[] = {"Info",      "Start", "Stop",   "DCStart",
                                        "DCStop",    "Extension", "Reply", "Resume",
                                        "Suspend",   "Send"};
    if (op < sizeof names / sizeof names[0]) return names[op];
    if (op == 240) return "Receive";
    return NULL;
}

const char *etwpy_opcode_name(const etw_record *rec, const etw_schema *s) {
    if (s && has(s->opcode_name)) return winmeta(s->opcode_name);
    if (is_classic(rec)) return etw_kernel_opcode_name(&rec->provider_id, rec->opcode);
    if (rec->kind == ETW_KIND_MANIFEST || rec->kind == ETW_KIND_TRACELOGGING)
        return std_opcode(rec->opcode);
    return NULL;
}

/* Standard level names (winmeta.xml win:LogAlways ... win:Verbose, as TDH
 * and Event Viewer show them). */
const char *etwpy_level_name(const etw_record *rec, const etw_schema *s) {
    static const char *const names[] = {"Log Always", "Critical",    "Error",
                                        "Warning",    "Information", "Verbose"};
    if (s && has(s->level_name)) return winmeta(s->level_name);
    if (rec->level < sizeof names / sizeof names[0]) return names[rec->level];
    return NULL;
}

/* Standard channels (winmeta.xml: win:System 8, win:Application 9,
 * win:Security 10; 11 is the TraceLogging channel). */
const char *etwpy_channel_name(const etw_record *rec, const etw_schema *s) {
    if (s && has(s->channel_name)) return winmeta(s->channel_name);
    switch (rec->channel) {
    case 8: return "System";
    case 9: return "Application";
    case 10: return "Security";
    case 11: return "TraceLogging";
    default: return NULL;
    }
}

/* Appends s to buf[*pos..size-1), always NUL-terminated. */
static void cat(char *buf, size_t size, size_t *pos, const char *s) {
    size_t n = strlen(s);
    if (n > size - 1 - *pos) n = size - 1 - *pos;
    memcpy(buf + *pos, s, n);
    *pos += n;
    buf[*pos] = 0;
}

size_t etwpy_event_name(const etw_record *rec, const etw_schema *s, char *buf, size_t size) {
    const char *task, *op;
    size_t pos = 0;
    if (!size) return 0;
    buf[0] = 0;
    if (s && has(s->event_name)) {
        cat(buf, size, &pos, s->event_name);
        return pos;
    }
    task = etwpy_task_name(rec, s);
    if (!has(task)) return 0;
    cat(buf, size, &pos, task);
    /* Manifest events with opcode 0 (win:Info) are named by their task
     * alone; classic/kernel event types always carry their opcode name. */
    op = etwpy_opcode_name(rec, s);
    if (has(op) && (rec->opcode != 0 || is_classic(rec))) {
        cat(buf, size, &pos, "/");
        cat(buf, size, &pos, op);
    }
    return pos;
}

PyObject *etwpy_event_name_obj(etwpy_state *st, const etw_record *rec, const etw_schema *s) {
    struct etwpy_pcache *pc = pcache_get(st);
    const char *task, *op;
    PyObject *t, *o, *name;
    en_slot *slot;
    char buf[512];
    size_t n;
    if (!pc) return NULL;
    if (s && has(s->event_name)) {
        name = etwpy_name(st, s->event_name);
        return name ? Py_NewRef(name) : NULL;
    }
    task = etwpy_task_name(rec, s);
    if (!has(task)) return Py_NewRef(pc->keys[ETWPY_K_EMPTY]);
    op = etwpy_opcode_name(rec, s);
    if (!has(op) || !(rec->opcode != 0 || is_classic(rec))) {
        name = etwpy_name(st, task);
        return name ? Py_NewRef(name) : NULL;
    }
    if (!(t = etwpy_name(st, task)) || !(o = etwpy_name(st, op))) return NULL;
    slot = &pc->en[(((uintptr_t)t >> 4) * 31u ^ ((uintptr_t)o >> 4)) & (EN_SLOTS - 1)];
    if (slot->name && slot->task == t && slot->opcode == o) return Py_NewRef(slot->name);
    n = etwpy_event_name(rec, s, buf, sizeof buf);
    name = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)n, "replace");
    if (!name) return NULL;
    Py_XSETREF(slot->name, Py_NewRef(name));
    Py_XSETREF(slot->task, Py_NewRef(t));
    Py_XSETREF(slot->opcode, Py_NewRef(o));
    return name;
}

/* ------------------------------------------------------------ to_dict parts */

PyObject *const *etwpy_keys(etwpy_state *st) {
    struct etwpy_pcache *pc = pcache_get(st);
    return pc ? pc->keys : NULL;
}

/* "0x%016llX" without printf. */
static PyObject *mask_str(uint64_t k) {
    static const char hex[] = "0123456789ABCDEF";
    PyObject *s = PyUnicode_New(18, 127);
    Py_UCS1 *o;
    if (!s) return NULL;
    o = PyUnicode_1BYTE_DATA(s);
    o[0] = '0';
    o[1] = 'x';
    for (int i = 0; i < 16; i++) o[2 + i] = (Py_UCS1)hex[(k >> (60 - 4 * i)) & 15];
    return s;
}

/* A copy of a cached dict. The copy may run a collection (and with it Python
 * code that replaces the cache slot): the dict is held meanwhile. */
static PyObject *copy_held(PyObject *cached) {
    PyObject *d;
    Py_INCREF(cached);
    d = PyDict_Copy(cached);
    Py_DECREF(cached);
    return d;
}

int etwpy_put(PyObject *d, PyObject *key, PyObject *v) {
    int rc;
    if (!v) return -1;
    rc = PyDict_SetItem(d, key, v);
    Py_DECREF(v);
    return rc;
}

/* Builds the System entry of an event (see etwpy_system_entry). */
static PyObject *system_entry_new(etwpy_state *st, struct etwpy_pcache *pc,
                                  const etw_record *r, const etw_schema *s) {
    PyObject *e = PyTuple_New(ETWPY_SE_COUNT), *sys, *kw, *names;
    PyObject *const *K = pc->keys;
    int n = s ? s->keyword_count : 0;
    if (!e) return NULL;
#define SET(i, expr)                                                                        \
    do {                                                                                    \
        PyObject *v_ = (expr);                                                              \
        if (!v_) goto fail;                                                                 \
        PyTuple_SET_ITEM(e, i, v_);                                                         \
    } while (0)
    SET(ETWPY_SE_PROVIDER, etwpy_provider_dict(st, etwpy_provider_name(r, s), &r->provider_id));
    SET(ETWPY_SE_LEVEL, etwpy_value_name(st, r->level, etwpy_level_name(r, s)));
    SET(ETWPY_SE_TASK, etwpy_value_name(st, r->task, etwpy_task_name(r, s)));
    SET(ETWPY_SE_OPCODE, etwpy_value_name(st, r->opcode, etwpy_opcode_name(r, s)));
    SET(ETWPY_SE_CHANNEL, etwpy_value_name(st, r->channel, etwpy_channel_name(r, s)));
    SET(ETWPY_SE_KWNAMES, PyTuple_New(n));
    names = PyTuple_GET_ITEM(e, ETWPY_SE_KWNAMES);
    for (int i = 0; i < n; i++) {
        PyObject *k = etwpy_name(st, s->keyword_names[i]);
        if (!k) goto fail;
        PyTuple_SET_ITEM(names, i, Py_NewRef(k));
    }
    SET(ETWPY_SE_KEYWORDS, etwpy_from_template(st, ETWPY_T_KEYWORDS, NULL));
    kw = PyTuple_GET_ITEM(e, ETWPY_SE_KEYWORDS);
    if (etwpy_put(kw, K[ETWPY_K_MASK], mask_str(r->keyword)) < 0) goto fail;
    /* The System dict to copy: the constant values in place, None where each
     * conversion puts a fresh dict. */
    SET(ETWPY_SE_SYSTEM, etwpy_from_template(st, ETWPY_T_SYSTEM, NULL));
    sys = PyTuple_GET_ITEM(e, ETWPY_SE_SYSTEM);
    if (etwpy_put(sys, K[ETWPY_K_EVENTNAME], etwpy_event_name_obj(st, r, s)) < 0 ||
        etwpy_put(sys, K[ETWPY_K_EVENTID], PyLong_FromUnsignedLong(r->id)) < 0 ||
        etwpy_put(sys, K[ETWPY_K_VERSION], PyLong_FromUnsignedLong(r->version)) < 0)
        goto fail;
#undef SET
    return e;
fail:
    Py_DECREF(e);
    return NULL;
}

static sys_slot *sys_slot_of(struct etwpy_pcache *pc, const etw_record *r,
                             const etw_schema *s, uint64_t serial) {
    const etw_guid *g = &r->provider_id;
    uint32_t h = g->data1 ^ ((uint32_t)g->data2 << 9) ^ etw_le32(g->data4 + 4) ^
                 (r->id * 0x9E3779B1u) ^ ((uint32_t)r->opcode << 7) ^
                 ((uint32_t)r->task * 0x85EBCA6Bu) ^ ((uint32_t)r->version << 17) ^
                 ((uint32_t)r->level << 23) ^ r->kind ^
                 (uint32_t)(r->keyword ^ (r->keyword >> 32)) ^ ((uint32_t)r->channel << 3) ^
                 (uint32_t)((uintptr_t)s >> 4) ^ (uint32_t)serial;
    h ^= h >> 16;
    return &pc->sys[h & (SYS_SLOTS - 1)];
}

static int sys_slot_is(const sys_slot *slot, const etw_record *r, const etw_schema *s,
                       uint64_t serial) {
    return slot->used && slot->schema == s && slot->serial == serial && slot->id == r->id &&
           slot->opcode == r->opcode && slot->task == r->task &&
           slot->version == r->version && slot->level == r->level && slot->kind == r->kind &&
           slot->channel == r->channel && slot->keyword == r->keyword &&
           etw_guid_eq(&slot->provider, &r->provider_id);
}

/* Gives slot r's key. What it held for another key goes: its text is freed
 * and its entry returned (a reference the caller releases once done with the
 * slot: releasing it may run code). Returns NULL when there is nothing to
 * release. */
static PyObject *sys_slot_take(sys_slot *slot, const etw_record *r, const etw_schema *s,
                               uint64_t serial) {
    PyObject *old;
    if (sys_slot_is(slot, r, s, serial)) return NULL;
    old = slot->entry;
    slot->entry = NULL;
    PyMem_Free(slot->json.text);
    memset(&slot->json, 0, sizeof slot->json);
    slot->serial = serial;
    slot->schema = s;
    slot->provider = r->provider_id;
    slot->keyword = r->keyword;
    slot->id = r->id;
    slot->task = r->task;
    slot->kind = r->kind;
    slot->version = r->version;
    slot->level = r->level;
    slot->opcode = r->opcode;
    slot->channel = r->channel;
    slot->used = 1;
    return old;
}

PyObject *etwpy_system_entry(etwpy_state *st, EventObject *ev, const etw_schema *s) {
    struct etwpy_pcache *pc = pcache_get(st);
    const etw_record *r = ev->rec;
    uint64_t serial = s ? event_serial(ev) : 0;
    sys_slot *slot;
    PyObject *e, *old, *prev;
    if (!pc) return NULL;
    /* Without a registry serial (an event with no trace) a schema's address
     * says nothing: built each time, not kept. */
    if (s && !serial) return system_entry_new(st, pc, ev->rec, s);
    slot = sys_slot_of(pc, r, s, serial);
    if (slot->entry && sys_slot_is(slot, r, s, serial)) return Py_NewRef(slot->entry);
    e = system_entry_new(st, pc, r, s);
    if (!e) return NULL;
    /* Building may have run Python code (a collection) that used this slot:
     * key it now, and make it whole before what it held goes. */
    old = sys_slot_take(slot, r, s, serial);
    prev = slot->entry;
    slot->entry = Py_NewRef(e);
    Py_XDECREF(prev);
    Py_XDECREF(old);
    return e;
}

etwpy_sys_json *etwpy_system_json(etwpy_state *st, const etw_record *r, const etw_schema *s,
                                  uint64_t serial) {
    struct etwpy_pcache *pc = pcache_get(st);
    sys_slot *slot;
    PyObject *old;
    if (!pc) return NULL;
    slot = sys_slot_of(pc, r, s, serial);
    /* Releasing another key's entry may run code that takes the slot again. */
    while ((old = sys_slot_take(slot, r, s, serial)) != NULL) Py_DECREF(old);
    return &slot->json;
}

PyObject *etwpy_time_created(etwpy_state *st, const etw_record *r) {
    struct etwpy_pcache *pc = pcache_get(st);
    int64_t us = r->time_ns / 1000;
    PyObject *t;
    if (!pc) return NULL;
    if (r->time_ns % 1000 < 0) us--; /* floor, as etwpy_datetime_from_ns */
    if (pc->time && pc->time_us == us) return Py_NewRef(pc->time);
    t = etwpy_datetime_from_ns(st, r->time_ns);
    if (!t) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) return NULL;
        /* Outside datetime's range: the FILETIME number, as to_json() writes it. */
        PyErr_Clear();
        return PyLong_FromLongLong(r->filetime);
    }
    {
        PyObject *old = pc->time;
        pc->time = Py_NewRef(t);
        pc->time_us = us;
        Py_XDECREF(old);
    }
    return t;
}

PyObject *etwpy_exec_dict(etwpy_state *st, const etw_record *r) {
    struct etwpy_pcache *pc = pcache_get(st);
    ex_slot *slot;
    PyObject *d;
    uint32_t h;
    if (!pc) return NULL;
    h = (r->process_id * 0x9E3779B1u) ^ (r->thread_id * 0x85EBCA6Bu) ^ r->processor ^
        (r->kernel_time * 31u) ^ (r->user_time * 131u);
    h ^= h >> 15;
    slot = &pc->ex[h & (EX_SLOTS - 1)];
    if (slot->dict && slot->pid == r->process_id && slot->tid == r->thread_id &&
        slot->cpu == r->processor && slot->kernel == r->kernel_time &&
        slot->user == r->user_time)
        return copy_held(slot->dict);
    {
        PyObject *v[5] = {PyLong_FromUnsignedLong(r->process_id),
                          PyLong_FromUnsignedLong(r->thread_id),
                          PyLong_FromUnsignedLong(r->processor),
                          PyLong_FromUnsignedLong(r->kernel_time),
                          PyLong_FromUnsignedLong(r->user_time)};
        d = etwpy_from_template(st, ETWPY_T_EXEC, v);
    }
    if (!d) return NULL;
    {
        /* The slot whole before the old dict goes; d held until copied. */
        PyObject *old = slot->dict, *res;
        slot->dict = Py_NewRef(d);
        slot->pid = r->process_id;
        slot->tid = r->thread_id;
        slot->cpu = r->processor;
        slot->kernel = r->kernel_time;
        slot->user = r->user_time;
        Py_XDECREF(old);
        res = PyDict_Copy(d);
        Py_DECREF(d);
        return res;
    }
}

const char *etwpy_source_name(const etw_schema *s) {
    if (!s) return NULL;
    switch (s->source) {
    case ETW_SRC_TRACELOGGING: return "tracelogging";
    case ETW_SRC_TEI: return "injected";
    case ETW_SRC_KERNEL: return "kernel";
    case ETW_SRC_MANIFEST: return "manifest";
    case ETW_SRC_INBAND: return "inband";
    case ETW_SRC_WEVT: return "wevt";
    case ETW_SRC_PACK: return "pack";
    case ETW_SRC_TDH: return "tdh";
    default: return s == etw_schema_string_only() ? "string" : "other";
    }
}

/* ------------------------------------------------------------ formatters */

static const char HEXU[] = "0123456789ABCDEF";

int etwpy_fmt_guid_braced(char *buf, const etw_guid *g) {
    uint8_t be[16];
    int pos = 0;
    etw_guid_to_bytes_be(g, be);
    buf[pos++] = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) buf[pos++] = '-';
        buf[pos++] = HEXU[be[i] >> 4];
        buf[pos++] = HEXU[be[i] & 15];
    }
    buf[pos++] = '}';
    buf[pos] = 0;
    return pos;
}

/* Days since 1970-01-01 -> civil date (proleptic Gregorian). */
static void civil(int64_t z, int *y, int *m, int *d) {
    int64_t era, yoe, doy, mp;
    unsigned doe;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

#define FT_PER_DAY 864000000000LL
#define FT_DAYS_1601_TO_1970 134774
/* FILETIME of 10000-01-01: the end of what datetime can hold. */
#define FT_MAX 2650467744000000000LL

typedef struct ftparts {
    int y, mo, d, h, mi, s;
    int64_t frac; /* 100 ns units within the second */
} ftparts;

static int ft_split(int64_t ft, ftparts *o) {
    int64_t days, rem;
    if (ft < 0 || ft >= FT_MAX) return -1;
    days = ft / FT_PER_DAY;
    rem = ft % FT_PER_DAY;
    civil(days - FT_DAYS_1601_TO_1970, &o->y, &o->mo, &o->d);
    o->h = (int)(rem / 36000000000LL);
    o->mi = (int)(rem / 600000000 % 60);
    o->s = (int)(rem / 10000000 % 60);
    o->frac = rem % 10000000;
    return 0;
}

/* Writes v as exactly `digits` decimal digits. */
static void digits(char *o, unsigned v, int n) {
    while (n--) {
        o[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* YYYY-MM-DDTHH:MM:SS.fffffffZ (28 characters). */
static int iso(char *buf, int y, int mo, int d, int h, int mi, int sec, unsigned frac7) {
    digits(buf, (unsigned)y, 4);
    buf[4] = '-';
    digits(buf + 5, (unsigned)mo, 2);
    buf[7] = '-';
    digits(buf + 8, (unsigned)d, 2);
    buf[10] = 'T';
    digits(buf + 11, (unsigned)h, 2);
    buf[13] = ':';
    digits(buf + 14, (unsigned)mi, 2);
    buf[16] = ':';
    digits(buf + 17, (unsigned)sec, 2);
    buf[19] = '.';
    digits(buf + 20, frac7, 7);
    buf[27] = 'Z';
    buf[28] = 0;
    return 28;
}

int etwpy_fmt_filetime(char *buf, int64_t ft) {
    ftparts t;
    if (ft_split(ft, &t) < 0) return -1;
    return iso(buf, t.y, t.mo, t.d, t.h, t.mi, t.s, (unsigned)t.frac);
}

static int days_in_month(unsigned y, unsigned m) {
    static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* SYSTEMTIME fields; 0 when valid (within datetime's range). */
static int st_fields(const uint8_t *p, unsigned f[8]) {
    for (int i = 0; i < 8; i++) f[i] = etw_le16(p + 2 * i);
    if (f[0] < 1 || f[0] > 9999 || f[1] < 1 || f[1] > 12 || f[3] < 1 ||
        f[3] > (unsigned)days_in_month(f[0], f[1]) || f[4] > 23 || f[5] > 59 || f[6] > 59 ||
        f[7] > 999)
        return -1;
    return 0;
}

int etwpy_systemtime_is_zero(const uint8_t *p) {
    for (int i = 0; i < 16; i++)
        if (p[i]) return 0;
    return 1;
}

int etwpy_fmt_systemtime(char *buf, const uint8_t *p) {
    unsigned f[8];
    if (st_fields(p, f) < 0) return -1;
    return iso(buf, (int)f[0], (int)f[1], (int)f[3], (int)f[4], (int)f[5], (int)f[6],
               f[7] * 10000u);
}

int etwpy_fmt_sid(char *buf, const uint8_t *p, size_t len) {
    size_t n, pos;
    uint64_t auth = 0;
    if (len < 8) return -1;
    n = p[1];
    if (n > 15 || 8 + 4 * n > len) return -1;
    for (int i = 0; i < 6; i++) auth = (auth << 8) | p[2 + i];
    /* Windows' ConvertSidToStringSid: decimal below 2^32, else 12 hex digits. */
    if (auth < (1ull << 32))
        pos = (size_t)snprintf(buf, 200, "S-%u-%llu", p[0], (unsigned long long)auth);
    else
        pos = (size_t)snprintf(buf, 200, "S-%u-0x%012llX", p[0], (unsigned long long)auth);
    for (size_t i = 0; i < n; i++)
        pos += (size_t)snprintf(buf + pos, 200 - pos, "-%u", etw_le32(p + 8 + 4 * i));
    return (int)pos;
}

int etwpy_fmt_ipv4(char *buf, const uint8_t *p) {
    return snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

int etwpy_fmt_ipv6(char *buf, const uint8_t *p) {
    unsigned g[8];
    int best = -1, best_len = 0, pos = 0, i;
    for (i = 0; i < 8; i++) g[i] = ((unsigned)p[2 * i] << 8) | p[2 * i + 1];
    /* IPv4-mapped (::ffff:a.b.c.d), RFC 5952 section 5. */
    if (!g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xFFFF) {
        pos = snprintf(buf, 46, "::ffff:");
        return pos + etwpy_fmt_ipv4(buf + pos, p + 12);
    }
    /* The longest run of two or more zero groups becomes "::" (the first
     * one on ties), RFC 5952 section 4.2. */
    for (i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    if (best_len < 2) best = -1;
    for (i = 0; i < 8; i++) {
        if (i == best) {
            buf[pos++] = ':';
            if (i == 0) buf[pos++] = ':';
            i += best_len - 1;
            continue;
        }
        pos += snprintf(buf + pos, (size_t)(46 - pos), "%x", g[i]);
        if (i < 7) buf[pos++] = ':';
    }
    buf[pos] = 0;
    return pos;
}

int etwpy_fmt_sockaddr(char *buf, const uint8_t *p, size_t len) {
    unsigned family, port;
    int pos;
    if (len < 4) return -1;
    family = etw_le16(p);
    port = etw_be16(p + 2);
    if (family == 2 && len >= 8) { /* AF_INET */
        pos = etwpy_fmt_ipv4(buf, p + 4);
        return pos + snprintf(buf + pos, 8, ":%u", port);
    }
    if (family == 23 && len >= 24) { /* AF_INET6 */
        uint32_t scope = len >= 28 ? etw_le32(p + 24) : 0;
        buf[0] = '[';
        pos = 1 + etwpy_fmt_ipv6(buf + 1, p + 8);
        if (scope) pos += snprintf(buf + pos, 16, "%%%lu", (unsigned long)scope);
        return pos + snprintf(buf + pos, 10, "]:%u", port);
    }
    return -1;
}

/* Windows-1252; the five bytes it leaves undefined map to the C1 control
 * with the same number, as MultiByteToWideChar does. */
const uint16_t etwpy_cp1252[256] = {
#define R16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, \
               b + 12, b + 13, b + 14, b + 15
    R16(0x00), R16(0x10), R16(0x20), R16(0x30), R16(0x40), R16(0x50), R16(0x60), R16(0x70),
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    R16(0xA0), R16(0xB0), R16(0xC0), R16(0xD0), R16(0xE0), R16(0xF0)
#undef R16
};

/* ------------------------------------------------------------ lookup */

etw_registry *etwpy_event_registry(EventObject *ev) {
    BatchObject *b = (BatchObject *)ev->batch;
    if (!b || !b->trace) return NULL;
    return ((TraceObject *)b->trace)->registry;
}


/* The lookup memo slot of a record whose registry lookup is by (GUID, id or
 * opcode, version), with *manifest set; NULL for the other lookups
 * (TraceLogging metadata, EventWriteString, WPP, no trace). */
static lk_slot *memo_slot(struct etwpy_pcache *pc, const etw_record *rec, uint64_t serial,
                          int *manifest) {
    const etw_guid *g = &rec->provider_id;
    uint32_t id, h;
    if (!pc || !serial) return NULL;
    switch (rec->kind) {
    case ETW_KIND_MANIFEST:
    case ETW_KIND_TRACELOGGING:
        /* As etw_registry_lookup: the metadata item first, then STRING_ONLY. */
        if (rec->ext_count && etw_record_find_ext(rec, ETW_EXT_EVENT_SCHEMA_TL)) return NULL;
        if (rec->flags & ETW_EHF_STRING_ONLY) return NULL;
        *manifest = 1;
        id = rec->id;
        break;
    case ETW_KIND_HEADER:
    case ETW_KIND_KERNEL:
    case ETW_KIND_CLASSIC:
        *manifest = 0;
        id = rec->opcode;
        break;
    default:
        return NULL;
    }
    h = g->data1 ^ ((uint32_t)g->data2 << 7) ^ ((uint32_t)g->data3 << 13) ^ etw_le32(g->data4) ^
        etw_le32(g->data4 + 4) ^ (id * 0x9E3779B1u) ^ ((uint32_t)rec->version << 20) ^
        (uint32_t)*manifest ^ (uint32_t)(serial * 0x85EBCA6Bu);
    h ^= h >> 15;
    return &pc->lk[h & (LK_SLOTS - 1)];
}

/* Asks the trace's schema sources for the schemas of provider (once per
 * provider and trace: TraceObject.provided): etw.schemas.provide(trace,
 * uuid) registers the trace's completed in-band EventSource manifests and
 * what the user's `schemas=` sources have for that provider. Returns 1 when
 * it was asked now, 0 when it had been asked before (or cannot be), -1 with
 * an exception. */
static int provide(etwpy_state *st, EventObject *ev) {
    struct etwpy_pcache *pc = st->pcache;
    BatchObject *b = (BatchObject *)ev->batch;
    TraceObject *t;
    PyObject *u, *r;
    asked_slot *slot;
    int has;
    if (!pc || !b || !b->trace) return 0;
    t = (TraceObject *)b->trace;
    if (!t->provided || !PySet_Check(t->provided)) return 0;
    if (t->inband && etw_inband_generation(t->inband) != t->inband_generation) {
        /* An EventSource manifest completed since the providers were asked: a
         * fresh set makes every provider be asked again (the slot cache keys on
         * the set's identity, and the old set stays alive in its slots). */
        PyObject *fresh = PySet_New(NULL);
        if (!fresh) return -1;
        Py_SETREF(t->provided, fresh);
        t->inband_generation = etw_inband_generation(t->inband);
    }
    if (!pc->provide_fn) {
        PyObject *mod = PyImport_ImportModule("etw.schemas");
        pc->provide_fn = mod ? PyObject_GetAttrString(mod, "provide") : NULL;
        Py_XDECREF(mod);
        if (!pc->provide_fn) {
            /* No schema sources in this installation: nothing to ask. */
            PyErr_Clear();
            pc->provide_fn = Py_NewRef(Py_None);
        }
    }
    if (pc->provide_fn == Py_None) return 0;
    {
        const etw_guid *g = &ev->rec->provider_id;
        size_t h = (g->data1 ^ ((size_t)g->data2 << 7) ^ ((uintptr_t)t->provided >> 4) ^
                    etw_le32(g->data4)) & (ASKED_SLOTS - 1);
        slot = &pc->asked[h];
        if (slot->set == t->provided && etw_guid_eq(&slot->guid, g)) return 0;
    }
    u = etwpy_uuid(st, &ev->rec->provider_id);
    if (!u) return -1;
    has = PySet_Contains(t->provided, u);
    if (has == 0 && PySet_Add(t->provided, u) < 0) has = -1;
    if (has >= 0) {
        Py_XSETREF(slot->set, Py_NewRef(t->provided));
        slot->guid = ev->rec->provider_id;
    }
    if (has != 0) {
        Py_DECREF(u);
        return has > 0 ? 0 : -1;
    }
    r = PyObject_CallFunctionObjArgs(pc->provide_fn, (PyObject *)t, u, NULL);
    Py_DECREF(u);
    if (!r) return -1;
    Py_DECREF(r);
    return 1;
}

/* Registers the in-band EventSource manifests completed since the trace last
 * looked (etw.schemas.provide(trace, None)) before the lookup of a manifest
 * event, also one that already has a schema: they outrank a user's
 * (schema.h), and the registry's generation tells the memos. Returns 0, or
 * -1 with an exception. */
static int drain_inband(EventObject *ev) {
    TraceObject *t = ev->batch ? (TraceObject *)((BatchObject *)ev->batch)->trace : NULL;
    uint64_t g;
    PyObject *mod, *r;
    if (ev->rec->kind != ETW_KIND_MANIFEST || !t || !t->inband ||
        (g = etw_inband_generation(t->inband)) == t->inband_generation)
        return 0;
    t->inband_generation = g;
    if (!(mod = PyImport_ImportModule("etw.schemas"))) {
        PyErr_Clear(); /* no schema sources in this installation */
        return 0;
    }
    r = PyObject_CallMethod(mod, "provide", "OO", (PyObject *)t, Py_None);
    Py_DECREF(mod);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

/* 1 schema, 0 none, -1 malformed metadata (message filled when given), -2
 * with an exception (a schema source failed). */
static int lookup(etwpy_state *st, EventObject *ev, const etw_schema **out, char *message,
                  size_t msize) {
    const etw_record *rec = ev->rec;
    etw_registry *reg = etwpy_event_registry(ev);
    *out = NULL;
    if (reg) {
        uint64_t serial = event_serial(ev);
        int manifest = 0;
        lk_slot *memo = memo_slot(st->pcache, rec, serial, &manifest);
        size_t gen = 0;
        if (drain_inband(ev) < 0) return -2;
        if (memo) {
            gen = etw_registry_generation(reg);
            if (memo->serial == serial && memo->generation == gen &&
                memo->id == (manifest ? rec->id : rec->opcode) &&
                memo->version == rec->version && memo->manifest == manifest &&
                etw_guid_eq(&memo->guid, &rec->provider_id)) {
                *out = memo->schema;
                return 1;
            }
        }
        for (int attempt = 0;; attempt++) {
            etw_error err;
            int rc;
            err.message[0] = 0;
            rc = etw_registry_lookup(reg, rec, out, &err);
            if (rc == 1) {
                if (memo && attempt == 0) {
                    /* gen was read before the lookup: a schema added meanwhile
                     * makes the next event look again. */
                    memo->serial = serial;
                    memo->generation = gen;
                    memo->schema = *out;
                    memo->guid = rec->provider_id;
                    memo->id = manifest ? rec->id : rec->opcode;
                    memo->version = rec->version;
                    memo->manifest = (uint8_t)manifest;
                }
                return 1;
            }
            *out = NULL;
            if (rc == ETW_ERR_FORMAT) {
                if (message) snprintf(message, msize, "%s", err.message);
                return -1;
            }
            /* None (or out of memory while building: reported as none). A
             * manifest or classic event may have a schema in the trace's
             * other sources: ask them once per provider, then look again. */
            if (attempt || rc != 0 || rec->kind == ETW_KIND_TRACELOGGING ||
                rec->kind == ETW_KIND_WPP || rec->kind == ETW_KIND_HEADER)
                break;
            rc = provide(st, ev);
            if (rc < 0) return -2;
            if (rc == 0) break;
        }
        /* No schema of this version anywhere: the nearest lower version of a
         * manifest event, as TDH does (visible as ev.schema_version). */
        if (rec->kind == ETW_KIND_MANIFEST && !(rec->flags & ETW_EHF_STRING_ONLY)) {
            *out = etw_registry_find_lower(reg, &rec->provider_id, rec->id, rec->version);
            if (*out) return 1;
        }
        return 0;
    }
    /* No trace (cannot happen for events read from a file): what needs no registry. */
    if ((rec->flags & ETW_EHF_STRING_ONLY) &&
        (rec->kind == ETW_KIND_MANIFEST || rec->kind == ETW_KIND_TRACELOGGING))
        *out = etw_schema_string_only();
    else if (is_classic(rec))
        *out = etw_kernel_schema(&rec->provider_id, rec->opcode, rec->version);
    return *out ? 1 : 0;
}

int etwpy_lookup(etwpy_state *st, EventObject *ev, const etw_schema **out) {
    int rc;
    *out = NULL;
    if (ev->dstate) {
        *out = ev->schema;
        return 0;
    }
    if (!pcache_get(st)) return -1;
    rc = lookup(st, ev, out, NULL, 0);
    if (rc == -2) return -1;
    if (rc != 1) *out = NULL;
    return 0;
}

/* ------------------------------------------------------------ values */

static PyObject *utf16_str(const uint8_t *p, size_t nbytes) {
    size_t n = nbytes / 2, i;
    unsigned orv = 0;
    PyObject *s;
    for (i = 0; i < n; i++) orv |= (unsigned)p[2 * i] | ((unsigned)p[2 * i + 1] << 8);
    if (orv < 0x100) {
        /* ASCII or Latin-1: one byte per character. */
        Py_UCS1 *d;
        s = PyUnicode_New((Py_ssize_t)n, orv < 0x80 ? 127 : 255);
        if (!s) return NULL;
        d = PyUnicode_1BYTE_DATA(s);
        for (i = 0; i < n; i++) d[i] = p[2 * i];
        return s;
    }
    for (i = 0; i < n; i++) {
        unsigned hi = p[2 * i + 1];
        if (hi >= 0xD8 && hi <= 0xDF) break;
    }
    if (i == n) {
        /* BMP without surrogates: two bytes per character. */
        Py_UCS2 *d;
        s = PyUnicode_New((Py_ssize_t)n, 0xFFFF);
        if (!s) return NULL;
        d = PyUnicode_2BYTE_DATA(s);
        for (i = 0; i < n; i++) d[i] = (Py_UCS2)(p[2 * i] | (p[2 * i + 1] << 8));
        return s;
    }
    {
        /* Pairs combine; unpaired surrogates are kept (surrogatepass). */
        int byteorder = -1;
        return PyUnicode_DecodeUTF16((const char *)p, (Py_ssize_t)(n * 2), "surrogatepass",
                                     &byteorder);
    }
}

static PyObject *ansi_str(const uint8_t *p, size_t n) {
    size_t i;
    unsigned orv = 0;
    Py_UCS2 stackbuf[256], *buf;
    PyObject *s;
    for (i = 0; i < n; i++) orv |= p[i];
    if (orv < 0x80) {
        s = PyUnicode_New((Py_ssize_t)n, 127);
        if (s) memcpy(PyUnicode_1BYTE_DATA(s), p, n);
        return s;
    }
    buf = n <= 256 ? stackbuf : (Py_UCS2 *)PyMem_Malloc(n * sizeof(Py_UCS2));
    if (!buf) return PyErr_NoMemory();
    for (i = 0; i < n; i++) buf[i] = etwpy_cp1252[p[i]];
    s = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, buf, (Py_ssize_t)n);
    if (buf != stackbuf) PyMem_Free(buf);
    return s;
}

static PyObject *ascii_str(const char *b, int n) {
    PyObject *s;
    if (n < 0) Py_RETURN_NONE;
    s = PyUnicode_New(n, 127);
    if (s) memcpy(PyUnicode_1BYTE_DATA(s), b, (size_t)n);
    return s;
}

static PyObject *dt_from_filetime(etwpy_state *st, int64_t ft) {
    ftparts t;
    if (ft_split(ft, &t) < 0) return PyLong_FromLongLong(ft); /* kept as the raw number */
    return PyDateTimeAPI->DateTime_FromDateAndTime(t.y, t.mo, t.d, t.h, t.mi, t.s,
                                                    (int)(t.frac / 10), st->utc,
                                                    PyDateTimeAPI->DateTimeType);
}

static PyObject *dt_from_systemtime(etwpy_state *st, const uint8_t *p) {
    unsigned f[8];
    if (st_fields(p, f) < 0) Py_RETURN_NONE; /* all-zero = no time; invalid: see errors */
    return PyDateTimeAPI->DateTime_FromDateAndTime((int)f[0], (int)f[1], (int)f[3], (int)f[4],
                                                    (int)f[5], (int)f[6], (int)f[7] * 1000,
                                                    st->utc, PyDateTimeAPI->DateTimeType);
}

/* Inserts key -> val (stealing val); a repeated name gets "#2", "#3", ...
 * The key used goes to *used (new reference) when used is not NULL. */
static int dict_put_key(PyObject *d, PyObject *key, PyObject *val, PyObject **used) {
    Py_ssize_t before = PyDict_GET_SIZE(d);
    PyObject *r;
    if (!val) return -1;
    r = PyDict_SetDefault(d, key, val);
    if (!r) {
        Py_DECREF(val);
        return -1;
    }
    if (PyDict_GET_SIZE(d) == before) {
        for (int k = 2;; k++) {
            PyObject *nk = PyUnicode_FromFormat("%U#%d", key, k);
            int c;
            if (!nk) {
                Py_DECREF(val);
                return -1;
            }
            c = PyDict_Contains(d, nk);
            if (c == 0) c = PyDict_SetItem(d, nk, val) < 0 ? -1 : 1;
            if (c < 0) {
                Py_DECREF(nk);
                Py_DECREF(val);
                return -1;
            }
            if (c == 1 && PyDict_GET_SIZE(d) > before) {
                if (used) *used = Py_NewRef(nk);
                Py_DECREF(nk);
                break;
            }
            Py_DECREF(nk);
        }
    } else if (used) {
        *used = Py_NewRef(key);
    }
    Py_DECREF(val);
    return 0;
}

static int dict_put(PyObject *d, PyObject *key, PyObject *val) {
    return dict_put_key(d, key, val, NULL);
}

/* The cached property-dict entry (ed_slot) for nodes [first, first+count)
 * of a decode, built on first use. Returns a new reference; NULL when the
 * nodes cannot use one (*err 0) or with an exception (*err -1). */
static PyObject *ed_entry(etwpy_dec *x, uint32_t first, uint32_t count, int *err) {
    struct etwpy_pcache *pc = x->st->pcache;
    const etw_value *nodes = &x->d.nodes[first];
    PyObject *entry = NULL, *tmpl = NULL;
    const char **names = NULL;
    ed_slot *slot;
    uint32_t h, i;
    *err = 0;
    if (!pc || !x->serial || !x->schema || !count) return NULL;
    h = ((uint32_t)((uintptr_t)nodes[0].prop >> 3) * 0x9E3779B1u) ^ (count * 0x85EBCA6Bu) ^
        (uint32_t)((uintptr_t)x->schema >> 4) ^ (uint32_t)x->serial;
    h ^= h >> 15;
    slot = &pc->ed[h & (ED_SLOTS - 1)];
    if (slot->entry && slot->serial == x->serial && slot->schema == x->schema &&
        slot->first == nodes[0].prop && slot->count == count) {
        for (i = 0; i < count; i++)
            if (nodes[i].name != slot->names[i]) return NULL;
        return Py_NewRef(slot->entry);
    }
    names = (const char **)PyMem_Malloc(count * sizeof *names);
    if (!names) {
        PyErr_NoMemory();
        goto fail;
    }
    if (!(entry = PyTuple_New((Py_ssize_t)count + 1)) || !(tmpl = PyDict_New())) goto fail;
    for (i = 0; i < count; i++) {
        PyObject *k = etwpy_name(x->st, nodes[i].name), *used = NULL;
        if (!k || dict_put_key(tmpl, k, Py_NewRef(Py_None), &used) < 0) goto fail;
        PyTuple_SET_ITEM(entry, (Py_ssize_t)i + 1, used);
        names[i] = nodes[i].name;
    }
    PyTuple_SET_ITEM(entry, 0, tmpl);
    tmpl = NULL;
    /* Building may have run Python code (a collection) that used the slot:
     * fill it now, whole before the old entry goes. */
    {
        PyObject *old = slot->entry;
        const char **old_names = slot->names;
        slot->entry = Py_NewRef(entry);
        slot->names = names;
        slot->serial = x->serial;
        slot->schema = x->schema;
        slot->first = nodes[0].prop;
        slot->count = count;
        Py_XDECREF(old);
        PyMem_Free(old_names);
    }
    return entry;
fail:
    Py_XDECREF(tmpl);
    Py_XDECREF(entry);
    PyMem_Free(names);
    *err = -1;
    return NULL;
}

static PyObject *node_value(etwpy_dec *x, const etw_value *v);

static PyObject *children_dict(etwpy_dec *x, uint32_t first, uint32_t count) {
    int err;
    PyObject *e = ed_entry(x, first, count, &err), *d;
    if (e) {
        /* The keys are known (no renaming): up to 5 fit a new dict's first
         * table, so inserting them is cheapest; more go into a copy of the
         * keys (no resizing). */
        d = count <= 5 ? PyDict_New() : PyDict_Copy(PyTuple_GET_ITEM(e, 0));
        for (uint32_t i = 0; d && i < count; i++)
            if (etwpy_put(d, PyTuple_GET_ITEM(e, (Py_ssize_t)i + 1),
                    node_value(x, &x->d.nodes[first + i])) < 0)
                Py_CLEAR(d);
        Py_DECREF(e);
        return d;
    }
    if (err) return NULL;
    d = PyDict_New();
    if (!d) return NULL;
    for (uint32_t i = 0; i < count; i++) {
        const etw_value *c = &x->d.nodes[first + i];
        PyObject *k = etwpy_name(x->st, c->name);
        if (!k || dict_put(d, k, node_value(x, c)) < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

static PyObject *node_value(etwpy_dec *x, const etw_value *v) {
    const uint8_t *p = x->d.payload;
    char buf[208];
    switch (v->kind) {
    case ETW_V_INT:
        return PyLong_FromLongLong(v->v.i);
    case ETW_V_UINT:
        return PyLong_FromUnsignedLongLong(v->v.u);
    case ETW_V_FLOAT:
    case ETW_V_DOUBLE:
        return PyFloat_FromDouble(v->v.d);
    case ETW_V_BOOL:
        return PyBool_FromLong(v->v.u != 0);
    case ETW_V_UTF16:
        return utf16_str(p + v->data_off, v->data_len);
    case ETW_V_ANSI:
        return ansi_str(p + v->data_off, v->data_len);
    case ETW_V_UTF8:
        return PyUnicode_DecodeUTF8((const char *)p + v->data_off, (Py_ssize_t)v->data_len,
                                    "replace");
    case ETW_V_BINARY:
        return PyBytes_FromStringAndSize((const char *)p + v->data_off,
                                         (Py_ssize_t)v->data_len);
    case ETW_V_GUID: {
        etw_guid g = etw_guid_load(p + v->data_off);
        return etwpy_uuid(x->st, &g);
    }
    case ETW_V_FILETIME:
        return dt_from_filetime(x->st, v->v.i);
    case ETW_V_SYSTEMTIME:
        return dt_from_systemtime(x->st, p + v->data_off);
    case ETW_V_SID:
        return ascii_str(buf, etwpy_fmt_sid(buf, p + v->data_off, v->data_len));
    case ETW_V_IPV4:
        return ascii_str(buf, etwpy_fmt_ipv4(buf, p + v->data_off));
    case ETW_V_IPV6:
        return ascii_str(buf, etwpy_fmt_ipv6(buf, p + v->data_off));
    case ETW_V_SOCKADDR: {
        int n = etwpy_fmt_sockaddr(buf, p + v->data_off, v->data_len);
        if (n < 0) /* unknown family: the bytes */
            return PyBytes_FromStringAndSize((const char *)p + v->data_off,
                                             (Py_ssize_t)v->data_len);
        return ascii_str(buf, n);
    }
    case ETW_V_STRUCT:
        return children_dict(x, v->first_child, v->child_count);
    case ETW_V_ARRAY: {
        PyObject *list = PyList_New((Py_ssize_t)v->child_count);
        if (!list) return NULL;
        for (uint32_t i = 0; i < v->child_count; i++) {
            PyObject *e = node_value(x, &x->d.nodes[v->first_child + i]);
            if (!e) {
                Py_DECREF(list);
                return NULL;
            }
            PyList_SET_ITEM(list, (Py_ssize_t)i, e);
        }
        return list;
    }
    case ETW_V_NULL:
    case ETW_V_ERROR: /* see ev.decode_errors */
    default:
        Py_RETURN_NONE;
    }
}

PyObject *etwpy_dec_value(etwpy_dec *x, uint32_t i) {
    return node_value(x, &x->d.nodes[i]);
}

PyObject *etwpy_dec_dict(etwpy_dec *x) {
    if (!x->schema) return PyDict_New();
    return children_dict(x, 0, x->d.top_count);
}

long etwpy_dec_find(const etwpy_dec *x, const char *name) {
    /* The mapping's keys: repeated names become "Name#2", "Name#3", ... in
     * order (dict_put), so the same renaming is replayed here. */
    char **keys;
    uint32_t n, i, j;
    long found = -1;
    if (!x->schema) return -1;
    n = x->d.top_count;
    for (i = 0; i < n; i++) /* the usual case: a unique name */
        if (strcmp(x->d.nodes[i].name, name) == 0) break;
    if (i < n) {
        for (j = 0; j < n; j++)
            if (j != i && strcmp(x->d.nodes[j].name, name) == 0) break;
        if (j == n && !strchr(name, '#')) return (long)i;
    }
    keys = (char **)PyMem_Calloc(n ? n : 1, sizeof *keys);
    if (!keys) return -1;
    for (i = 0; i < n && found < 0; i++) {
        const char *base = x->d.nodes[i].name;
        size_t len = strlen(base);
        char *k = (char *)PyMem_Malloc(len + 16);
        if (!k) break;
        memcpy(k, base, len + 1);
        for (int m = 2;; m++) {
            for (j = 0; j < i; j++)
                if (keys[j] && strcmp(keys[j], k) == 0) break;
            if (j == i) break;
            snprintf(k, len + 16, "%s#%d", base, m);
        }
        keys[i] = k;
        if (strcmp(k, name) == 0) found = (long)i;
    }
    for (i = 0; i < n; i++) PyMem_Free(keys[i]);
    PyMem_Free(keys);
    return found;
}

/* ------------------------------------------------------------ problems */

static int add_error(etwpy_dec *x, PyObject **list, const char *path, const char *what,
                     uint32_t off, uint32_t len) {
    etwpy_state *st = x->st;
    PyObject *e;
    if (!*list && !(*list = PyList_New(0))) return -1;
    if ((uint64_t)off + len > x->rec->user_data_length) len = 0;
    e = Py_BuildValue("{OsOsOIOy#}", etwpy_key(st, ETWPY_K_PROPERTY), path,
                      etwpy_key(st, ETWPY_K_ERROR), what, etwpy_key(st, ETWPY_K_OFFSET),
                      (unsigned)off, etwpy_key(st, ETWPY_K_DATA),
                      (const char *)x->rec->user_data + off, (Py_ssize_t)len);
    if (!e) return -1;
    if (PyList_Append(*list, e) < 0) {
        Py_DECREF(e);
        return -1;
    }
    Py_DECREF(e);
    return 0;
}

/* Where a node sits: built into "A.b[2]" text only when a problem is found. */
typedef struct pathseg {
    const struct pathseg *up;
    const char *name; /* member name, or NULL for an array element */
    uint32_t index;
} pathseg;

static size_t path_text(const pathseg *seg, char *buf, size_t size) {
    size_t pos;
    char num[16];
    int k;
    if (!seg) {
        buf[0] = 0;
        return 0;
    }
    pos = path_text(seg->up, buf, size);
    if (seg->name) {
        if (pos) cat(buf, size, &pos, ".");
        cat(buf, size, &pos, seg->name);
    } else {
        k = snprintf(num, sizeof num, "[%u]", (unsigned)seg->index);
        if (k > 0) cat(buf, size, &pos, num);
    }
    return pos;
}

static int add_error_at(etwpy_dec *x, PyObject **list, const pathseg *seg, const char *what,
                        uint32_t off, uint32_t len) {
    char path[512];
    path_text(seg, path, sizeof path);
    return add_error(x, list, path, what, off, len);
}

/* Walks nodes [first, first+count) collecting problems. */
static int walk_errors(etwpy_dec *x, PyObject **list, uint32_t first, uint32_t count,
                       const pathseg *up, int elements) {
    for (uint32_t i = 0; i < count; i++) {
        const etw_value *v = &x->d.nodes[first + i];
        pathseg seg;
        seg.up = up;
        seg.name = elements ? NULL : v->name;
        seg.index = i;
        if (v->kind == ETW_V_ERROR || v->error) {
            if (add_error_at(x, list, &seg, etw_derr_name(v->error), v->data_off, v->data_len) <
                0)
                return -1;
        } else if (v->kind == ETW_V_FILETIME) {
            if ((v->v.i < 0 || v->v.i >= FT_MAX) &&
                add_error_at(x, list, &seg, "FILETIME out of range", v->offset, v->length) < 0)
                return -1;
        } else if (v->kind == ETW_V_SYSTEMTIME) {
            unsigned f[8];
            const uint8_t *q = x->d.payload + v->data_off;
            if (st_fields(q, f) < 0 && !etwpy_systemtime_is_zero(q) &&
                add_error_at(x, list, &seg, "invalid SYSTEMTIME", v->offset, v->length) < 0)
                return -1;
        } else if (v->kind == ETW_V_STRUCT || v->kind == ETW_V_ARRAY) {
            if (walk_errors(x, list, v->first_child, v->child_count, &seg,
                            v->kind == ETW_V_ARRAY) < 0)
                return -1;
        }
    }
    return 0;
}

/* False when no node of the decode can be a problem walk_errors reports
 * (most decodes): then the walk, which builds paths, is skipped. */
static int may_have_problems(const etw_decoded *d) {
    for (uint32_t i = 0; i < d->node_count; i++) {
        const etw_value *v = &d->nodes[i];
        if (v->error || v->kind == ETW_V_ERROR || v->kind == ETW_V_FILETIME ||
            v->kind == ETW_V_SYSTEMTIME)
            return 1;
    }
    return 0;
}

/* Records the outcome of the event's first decode. */
static int remember(etwpy_dec *x) {
    EventObject *ev = x->ev;
    PyObject *list = NULL;
    if (x->state == ETWPY_DS_BADSCHEMA) {
        char what[260];
        snprintf(what, sizeof what, "malformed metadata: %s", x->message);
        if (add_error(x, &list, "", what, 0, x->rec->user_data_length) < 0) goto fail;
    } else if (x->schema) {
        if (x->d.top_count == 0 && x->d.error_count) {
            /* No node for the problem (too many top-level properties). */
            if (add_error(x, &list, "", "too many values", 0, x->d.payload_len) < 0) goto fail;
        } else if (may_have_problems(&x->d) &&
                   walk_errors(x, &list, 0, x->d.top_count, NULL, 0) < 0) {
            goto fail;
        }
    }
    ev->errors = list;
    ev->schema = x->schema;
    ev->used = x->schema ? x->d.used : 0;
    ev->dstate = (int8_t)x->state;
    return 0;
fail:
    Py_XDECREF(list);
    return -1;
}

/* First half of etwpy_dec_run: the lookup. Returns 1 when there is a
 * schema to decode with (then call dec_decode), 0 when there is none (the
 * outcome is remembered), -1 with an exception. */
static int dec_lookup(etwpy_state *st, EventObject *ev, etwpy_dec *x) {
    struct etwpy_pcache *pc = pcache_get(st);
    int found;
    x->st = st;
    x->ev = ev;
    x->rec = ev->rec;
    x->reg = NULL;
    x->serial = event_serial(ev);
    x->schema = NULL;
    x->dec = NULL;
    x->own_dec = 0;
    x->message[0] = 0;
    memset(&x->d, 0, sizeof x->d);
    if (!pc) return -1;
    x->reg = etwpy_event_registry(ev);
    found = lookup(st, ev, &x->schema, x->message, sizeof x->message);
    if (found == -2) return -1;
    if (found <= 0) {
        x->schema = NULL;
        x->state = found < 0 ? ETWPY_DS_BADSCHEMA : ETWPY_DS_NOSCHEMA;
        return ev->dstate ? 0 : remember(x);
    }
    return 1;
}

/* Second half of etwpy_dec_run: decodes with x->schema. Returns 0, or -1 with
 * an exception. */
static int dec_decode(etwpy_state *st, EventObject *ev, etwpy_dec *x) {
    struct etwpy_pcache *pc = st->pcache;
    int rc;
    if (!pc->busy) {
        x->dec = st->decoder;
        pc->busy = 1;
    } else {
        /* A conversion further up the stack (e.g. a finalizer that ran
         * during an allocation) still holds the module's decoder's nodes. */
        x->dec = etw_decoder_new(0);
        if (!x->dec) {
            PyErr_NoMemory();
            return -1;
        }
        x->own_dec = 1;
    }
    rc = etw_decode_record(x->dec, x->schema, x->rec, NULL, &x->d);
    if (rc != ETW_OK) {
        etwpy_dec_done(x);
        PyErr_NoMemory();
        return -1;
    }
    /* decode_record may have switched to the STRING_ONLY schema. */
    x->schema = x->d.schema;
    x->state = x->d.status == ETW_DECODE_OK       ? ETWPY_DS_OK
               : x->d.status == ETW_DECODE_ERRORS ? ETWPY_DS_ERRORS
                                                  : ETWPY_DS_STOPPED;
    if (!ev->dstate && remember(x) < 0) {
        etwpy_dec_done(x);
        return -1;
    }
    return 0;
}

int etwpy_dec_run(etwpy_state *st, EventObject *ev, etwpy_dec *x) {
    int rc = dec_lookup(st, ev, x);
    return rc <= 0 ? rc : dec_decode(st, ev, x);
}

/* How deep the containers of a decode go: 0 when every top-level value is a
 * scalar, 1 when the top-level structs and arrays (an empty one has no child
 * node, but is still a dict or list) hold only scalars, 2 when deeper. */
static int nesting(const etw_decoded *d) {
    int level = 0;
    /* Every node after the top-level ones is a descendant of one of them. */
    for (uint32_t i = d->top_count; i < d->node_count; i++)
        if (d->nodes[i].kind == ETW_V_STRUCT || d->nodes[i].kind == ETW_V_ARRAY) return 2;
    for (uint32_t i = 0; i < d->top_count && !level; i++)
        if (d->nodes[i].kind == ETW_V_STRUCT || d->nodes[i].kind == ETW_V_ARRAY) level = 1;
    return level;
}

/* A fresh copy of a kept EventData dict: with deep, its lists and dicts (of
 * scalars) are copied too. The copies may run a collection (and Python code
 * that replaces the slot): the kept dict is held meanwhile. */
static PyObject *pd_copy(PyObject *kept, int deep) {
    PyObject *d, *k, *v;
    Py_ssize_t pos = 0;
    Py_INCREF(kept);
    d = PyDict_Copy(kept);
    while (d && deep && PyDict_Next(kept, &pos, &k, &v)) {
        PyObject *c;
        if (PyList_CheckExact(v))
            c = PyList_GetSlice(v, 0, PY_SSIZE_T_MAX);
        else if (PyDict_CheckExact(v))
            c = PyDict_Copy(v);
        else
            continue;
        if (etwpy_put(d, k, c) < 0) Py_CLEAR(d);
    }
    Py_DECREF(kept);
    return d;
}

static uint32_t bytes_hash(const uint8_t *p, uint32_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    for (; n >= 8; n -= 8, p += 8) {
        h = (h ^ etw_le64(p)) * 0x100000001B3ull;
        h ^= h >> 29;
    }
    for (; n; n--) h = (h ^ *p++) * 0x100000001B3ull;
    return (uint32_t)(h ^ (h >> 32));
}

/* to_dict()'s EventData of a WPP event (it never has a schema): a copy of its
 * properties, the arguments by their TMF names as the mapping has them (kept
 * in ev->props). Returns NULL with an exception. */
static PyObject *wpp_event_data(EventObject *ev) {
    PyObject *p = etwpy_event_props(ev);
    return p ? PyDict_Copy(p) : NULL;
}

PyObject *etwpy_event_props(EventObject *ev) {
    if (!ev->props) {
        PyObject *p = etwpy_event_properties(ev);
        if (!p) return NULL;
        if (ev->props) /* set meanwhile by Python code a schema hook ran */
            Py_DECREF(p);
        else
            ev->props = p;
    }
    return ev->props;
}

PyObject *etwpy_event_data(etwpy_state *st, EventObject *ev, const etw_schema **schema) {
    const etw_record *rec = ev->rec;
    const etw_schema *looked;
    struct etwpy_pcache *pc;
    pd_slot *slot = NULL;
    etwpy_dec x;
    PyObject *d;
    uint32_t h = 0;
    uint8_t ptr = rec->pointer_size == 4 ? 4 : 8, so;
    int seen = 0, level = 0, rc = dec_lookup(st, ev, &x);
    *schema = NULL;
    if (rc < 0) return NULL;
    if (rc == 0) {
        *schema = x.schema;
        return rec->kind == ETW_KIND_WPP ? wpp_event_data(ev) : etwpy_dec_dict(&x);
    }
    pc = st->pcache;
    /* As etw_decode_record: STRING_ONLY events use the one-string schema. */
    so = (rec->flags & ETW_EHF_STRING_ONLY) && rec->kind != ETW_KIND_KERNEL &&
         rec->kind != ETW_KIND_CLASSIC;
    if (x.serial && rec->user_data_length <= PD_MAX) {
        uint32_t n = rec->user_data_length;
        h = bytes_hash(rec->user_data, n);
        slot = &pc->pd[(h ^ (uint32_t)((uintptr_t)x.schema >> 4) ^ (uint32_t)x.serial) &
                       (PD_SLOTS - 1)];
        seen = slot->bytes && slot->hash == h && slot->len == n && slot->looked == x.schema &&
               slot->serial == x.serial && slot->ptr == ptr && slot->so == so &&
               (n == 0 || memcmp(slot->bytes, rec->user_data, n) == 0);
        if (seen && slot->dict) {
            /* The same payload decoded with the same schema before: the same
             * outcome (no problems), the same values. */
            if (!ev->dstate) {
                ev->errors = NULL;
                ev->schema = slot->schema;
                ev->used = slot->used;
                ev->dstate = ETWPY_DS_OK;
            }
            *schema = slot->schema;
            return pd_copy(slot->dict, slot->deep);
        }
    }
    looked = x.schema;
    if (dec_decode(st, ev, &x) < 0) return NULL;
    d = etwpy_dec_dict(&x);
    *schema = x.schema;
    /* Only payloads that decoded without problems into scalars (immutable)
     * and top-level lists and dicts of scalars (copied on each use) are kept.
     * A payload is first only noted, and its dict kept when it comes again:
     * most payloads are seen once. */
    if (d && slot && x.state == ETWPY_DS_OK && x.d.error_count == 0 &&
        (level = nesting(&x.d)) < 2 && !may_have_problems(&x.d)) {
        uint32_t n = rec->user_data_length;
        if (seen) {
            /* A copy: d is handed out, and may be changed. (The copy may run
             * Python code that reuses this slot: it is checked again.) */
            PyObject *keep = pd_copy(d, level);
            if (!keep) {
                Py_DECREF(d);
                etwpy_dec_done(&x);
                return NULL;
            }
            if (slot->bytes && slot->hash == h && slot->len == n && slot->looked == looked &&
                slot->serial == x.serial && slot->ptr == ptr && slot->so == so &&
                (n == 0 || memcmp(slot->bytes, rec->user_data, n) == 0)) {
                slot->schema = x.schema;
                slot->used = x.d.used;
                slot->deep = (uint8_t)level;
                Py_XSETREF(slot->dict, keep); /* the slot is whole before the old one goes */
            } else {
                Py_DECREF(keep);
            }
        } else {
            uint8_t *b = slot->bytes;
            if (!b) b = (uint8_t *)PyMem_Malloc(PD_MAX); /* kept for the slot's next payloads */
            if (b) {
                PyObject *old = slot->dict;
                if (n) memcpy(b, rec->user_data, n);
                slot->dict = NULL;
                slot->bytes = b;
                slot->serial = x.serial;
                slot->looked = looked;
                slot->hash = h;
                slot->len = n;
                slot->ptr = ptr;
                slot->so = so;
                Py_XDECREF(old); /* the slot is whole before the old dict goes */
            }
        }
    }
    etwpy_dec_done(&x);
    return d;
}

void etwpy_dec_done(etwpy_dec *x) {
    if (!x->dec) return;
    if (x->own_dec)
        etw_decoder_free(x->dec);
    else if (x->st->pcache)
        x->st->pcache->busy = 0;
    x->dec = NULL;
}

/* ------------------------------------------------------------ mapping */

/* Calls etw.schemas.<name>(trace, ev) for an event read from a trace with
 * user schema sources. Returns a new reference, or NULL with an exception;
 * Py_None (new reference) when the event has no trace or no sources. */
PyObject *etwpy_schemas_hook(EventObject *ev, const char *name) {
    BatchObject *b = (BatchObject *)ev->batch;
    PyObject *mod, *fn, *res;
    if (!b || !b->trace) Py_RETURN_NONE;
    mod = PyImport_ImportModule("etw.schemas");
    if (!mod) return NULL;
    fn = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    if (!fn) return NULL;
    res = PyObject_CallFunctionObjArgs(fn, b->trace, (PyObject *)ev, NULL);
    Py_DECREF(fn);
    return res;
}

PyObject *etwpy_event_properties(EventObject *ev) {
    etwpy_state *st = etwpy_state_of_type(Py_TYPE(ev));
    etwpy_dec x;
    PyObject *d;
    if (ev->rec->kind == ETW_KIND_WPP) {
        /* WPP arguments (MESSAGE_TRACE_HEADER records, and EVENT_HEADER records
         * with the TRACE_MESSAGE flag) have names only in the TMF files (schemas=). */
        TraceObject *t = ev->batch ? (TraceObject *)((BatchObject *)ev->batch)->trace : NULL;
        if (t && t->schemas && t->schemas != Py_None) {
            d = etwpy_schemas_hook(ev, "_wpp_properties");
            if (d && !PyDict_Check(d)) {
                Py_DECREF(d);
                PyErr_SetString(PyExc_TypeError, "_wpp_properties must return a dict");
                return NULL;
            }
            return d;
        }
        return PyDict_New();
    }
    if (etwpy_dec_run(st, ev, &x) < 0) return NULL;
    d = etwpy_dec_dict(&x);
    etwpy_dec_done(&x);
    return d;
}

void etwpy_pcache_free(etwpy_state *st) {
    struct etwpy_pcache *pc = st->pcache;
    if (!pc) return;
    st->pcache = NULL;
    Py_CLEAR(pc->provide_fn);
    for (int i = 0; i < ASKED_SLOTS; i++) Py_CLEAR(pc->asked[i].set);
    for (int i = 0; i < ETWPY_K_COUNT; i++) Py_CLEAR(pc->keys[i]);
    for (int i = 0; i < ETWPY_T_COUNT; i++) Py_CLEAR(pc->templates[i]);
    for (int i = 0; i < NAME_SLOTS; i++) Py_CLEAR(pc->names[i].str);
    for (int i = 0; i < VN_SLOTS; i++) {
        Py_CLEAR(pc->vn[i].name);
        Py_CLEAR(pc->vn[i].dict);
    }
    for (int i = 0; i < PROV_SLOTS; i++) {
        Py_CLEAR(pc->prov[i].name);
        Py_CLEAR(pc->prov[i].dict);
    }
    for (int i = 0; i < EN_SLOTS; i++) {
        Py_CLEAR(pc->en[i].task);
        Py_CLEAR(pc->en[i].opcode);
        Py_CLEAR(pc->en[i].name);
    }
    Py_CLEAR(pc->time);
    for (int i = 0; i < SYS_SLOTS; i++) {
        Py_CLEAR(pc->sys[i].entry);
        PyMem_Free(pc->sys[i].json.text);
        pc->sys[i].json.text = NULL;
        pc->sys[i].used = 0;
    }
    for (int i = 0; i < EX_SLOTS; i++) Py_CLEAR(pc->ex[i].dict);
    for (int i = 0; i < PD_SLOTS; i++) {
        Py_CLEAR(pc->pd[i].dict);
        PyMem_Free(pc->pd[i].bytes);
        pc->pd[i].bytes = NULL;
    }
    for (int i = 0; i < ED_SLOTS; i++) {
        Py_CLEAR(pc->ed[i].entry);
        PyMem_Free(pc->ed[i].names);
        pc->ed[i].names = NULL;
    }
    PyMem_Free(pc);
}
