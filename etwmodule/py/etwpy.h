/* etwpy.h - shared declarations of the CPython binding: module state, the
 * object layouts and the helpers each type file exports. Only etwmodule/py
 * includes Python.h. */
#ifndef ETWPY_H
#define ETWPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "../core/batch.h"
#include "../core/decode.h"
#include "../core/inband.h"
#include "../core/pipeline.h"

#define ETWPY_GUID_CACHE 256
#define ETWPY_EVENT_FREELIST 256

struct EventObject_s;

typedef struct {
    etw_guid guid;
    PyObject *uuid; /* strong reference, or NULL */
} etwpy_guid_slot;

/* Per-interpreter module state (multi-phase init, PEP 489). */
typedef struct {
    PyTypeObject *TraceType;
    PyTypeObject *TraceIterType;
    PyTypeObject *EventType;
    PyTypeObject *BatchType;
    PyObject *EtwError;
    PyObject *EtlFormatError;
    PyObject *uuid_class;     /* uuid.UUID */
    PyObject *utc;            /* datetime.timezone.utc */
    PyObject *kind_names[ETW_KIND_COUNT];
    PyObject *str_int;        /* "int" keyword for uuid.UUID(int=...) */
    etw_decoder *decoder;     /* scratch for property decoding (used with the GIL held) */
    struct etwpy_pcache *pcache; /* props.c: name/key caches, decoder-busy flag (lazy) */
    etwpy_guid_slot guid_cache[ETWPY_GUID_CACHE];
    struct EventObject_s *free_events[ETWPY_EVENT_FREELIST]; /* dead Event memory for reuse */
    int n_free_events;
    uint64_t registry_serials; /* TraceObject.registry_serial handed out so far */
} etwpy_state;

/* A batch handed over by the producer; events keep it alive. */
typedef struct {
    PyObject_HEAD
    etw_batch *batch; /* owned */
    PyObject *trace;  /* the Trace it came from (strong), for decoding context */
} BatchObject;

typedef struct EventObject_s {
    PyObject_HEAD
    PyObject *batch;          /* BatchObject (strong) */
    const etw_record *rec;    /* inside batch */
    PyObject *props;          /* decoded properties (dict), lazily */
    PyObject *errors;         /* list of decoding problems (props.c), lazily */
    const etw_schema *schema; /* schema found by the first decode (lives as long as the
                                 batch's trace), or NULL */
    uint32_t used;            /* payload bytes the schema covered (leftover after) */
    int8_t dstate;            /* 0 = not decoded yet, else ETWPY_DS_* (props.c) */
} EventObject;

typedef struct {
    PyObject_HEAD
    PyObject *path;           /* bytes, as given to the core */
    PyObject *path_obj;       /* what the user passed (for messages) */
    int order;                /* etw_order */
    int skip_errors;
    PyObject *header;         /* dict */
    etw_reader_stats stats;   /* of the last/current iteration */
    PyObject *iterators;      /* list of weakrefs to live TraceIter */
    etw_registry *registry;   /* schemas of this trace (shared by its iterations) */
    uint64_t registry_serial; /* never reused within the module: caches of objects made
                                 from the registry's schemas key on it, as the schemas'
                                 addresses may be reused once the registry is freed */
    PyObject *schemas;        /* user schema sources (etw.Schemas) or None */
    etw_inband *inband;       /* EventSource manifests the trace carries (fed by the producer) */
    uint64_t inband_generation; /* etw_inband_generation when providers were last asked */
    PyObject *provided;       /* set of provider GUIDs already asked of `schemas` */
    PyObject *weakreflist;
} TraceObject;

typedef struct {
    PyObject_HEAD
    TraceObject *trace;       /* strong */
    etwpy_state *state;       /* module state (the module outlives its types' objects) */
    etw_pipeline *pipeline;   /* NULL when finished or closed */
    BatchObject *batch;       /* current batch (strong) or NULL */
    uint32_t pos;
    int finished;
    PyObject *weakreflist;
} TraceIterObject;

/* --- module.c --- */
/* Module state of the module owning type tp. Never fails for our types. */
etwpy_state *etwpy_state_of_type(PyTypeObject *tp);
/* uuid.UUID for g (cached). Returns a new reference, or NULL with an exception. */
PyObject *etwpy_uuid(etwpy_state *st, const etw_guid *g);
/* Raises the Python exception for a core error; always returns NULL. */
PyObject *etwpy_raise(etwpy_state *st, const etw_error *err, PyObject *path);
/* tz-aware UTC datetime for ns since the Unix epoch (truncated to µs).
 * Returns a new reference or NULL with an exception. */
PyObject *etwpy_datetime_from_ns(etwpy_state *st, int64_t unix_ns);
/* Python dict of reader statistics. Returns a new reference or NULL. */
PyObject *etwpy_stats_dict(const etw_reader_stats *s);

/* --- event.c --- */
extern PyType_Spec etwpy_event_spec;
extern PyType_Spec etwpy_batch_spec;
/* New Event for record i of batch. Returns a new reference or NULL. */
PyObject *etwpy_event_new(etwpy_state *st, BatchObject *batch, uint32_t i);
/* New BatchObject owning b (freed on failure too). Returns a new reference or NULL. */
PyObject *etwpy_batch_new(etwpy_state *st, etw_batch *b, PyObject *trace);

/* --- props.c --- */
/* The decoded properties of ev as a dict (new reference), or NULL with an
 * exception. */
PyObject *etwpy_event_properties(EventObject *ev);
/* ev's properties kept in ev->props, decoded on first use (borrowed
 * reference), or NULL with an exception. */
PyObject *etwpy_event_props(EventObject *ev);
/* etw.schemas.<name>(trace, ev): new reference, or NULL with an exception. */
PyObject *etwpy_schemas_hook(EventObject *ev, const char *name);
/* Frees st->pcache (call from module_clear/module_free). Never fails. */
void etwpy_pcache_free(etwpy_state *st);

/* --- wevt_py.c --- */
PyObject *etwpy_wevt_to_blobs(PyObject *module, PyObject *args);
PyObject *etwpy_schema_roundtrip(PyObject *module, PyObject *args);
PyObject *etwpy_inband_scan(PyObject *module, PyObject *args);
/* Completed in-band manifests as [(uuid.UUID, bytes)]. New reference or NULL. */
PyObject *etwpy_inband_take_list(etwpy_state *st, etw_inband *c);

/* --- fallback_py.c --- */
/* _fallback_run(records, event_info, map_info=None, max_keys=0) -> dict (test
 * hook of core/fallback.h). Returns a new reference, or NULL with an exception. */
PyObject *etwpy_fallback_run(PyObject *module, PyObject *args);

/* --- trace.c --- */
extern PyType_Spec etwpy_trace_spec;
extern PyType_Spec etwpy_trace_iter_spec;
/* etw.scan(path, errors) implementation. Returns a new reference or NULL. */
PyObject *etwpy_scan(PyObject *module, PyObject *args, PyObject *kwargs);
/* Converts a path-like to the bytes the core opens. Returns a new reference or NULL. */
PyObject *etwpy_path_bytes(PyObject *path);

#endif /* ETWPY_H */
