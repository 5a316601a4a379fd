/* etwpy_props.h - what props.c (decoding an event's properties into Python
 * values), tojson.c (the C JSON writer) and event.c (Event attributes,
 * to_dict/to_json) share: the decode wrapper around the core's registry and
 * decoder, the text formatters for GUIDs, times, SIDs and addresses (one
 * implementation for str values, ev.format() and JSON), and the cached key
 * strings. Internal to the binding. */
#ifndef ETWPY_PROPS_H
#define ETWPY_PROPS_H

#include "etwpy.h"

/* EventObject.dstate: the outcome of an event's first decode. */
enum {
    ETWPY_DS_NONE = 0,     /* not decoded yet */
    ETWPY_DS_OK = 1,       /* every property decoded (ev.leftover may be non-empty) */
    ETWPY_DS_ERRORS = 2,   /* some properties could not be decoded, the rest did */
    ETWPY_DS_STOPPED = 3,  /* a property's size was unknown: decoding stopped there */
    ETWPY_DS_NOSCHEMA = 4, /* no schema source knows the event */
    ETWPY_DS_BADSCHEMA = 5 /* the event's own metadata is malformed (TraceLogging) */
};

/* Fixed dict keys (interned once per module). */
enum {
    ETWPY_K_SYSTEM, ETWPY_K_EVENTDATA, ETWPY_K_EXTENDEDDATA, ETWPY_K_PROVIDER, ETWPY_K_NAME,
    ETWPY_K_GUID, ETWPY_K_EVENTNAME, ETWPY_K_EVENTID, ETWPY_K_VERSION, ETWPY_K_LEVEL,
    ETWPY_K_TASK, ETWPY_K_OPCODE, ETWPY_K_KEYWORDS, ETWPY_K_VALUE, ETWPY_K_MASK,
    ETWPY_K_TIMECREATED, ETWPY_K_SYSTEMTIME, ETWPY_K_CORRELATION, ETWPY_K_ACTIVITYID,
    ETWPY_K_RELATEDACTIVITYID, ETWPY_K_EXECUTION, ETWPY_K_PROCESSID, ETWPY_K_THREADID,
    ETWPY_K_PROCESSORID, ETWPY_K_KERNELTIME, ETWPY_K_USERTIME, ETWPY_K_CHANNEL,
    ETWPY_K_PROPERTY, ETWPY_K_ERROR, ETWPY_K_OFFSET, ETWPY_K_DATA, ETWPY_K_EMPTY,
    ETWPY_K_COUNT
};

/* Templates for to_dict's fixed-shape dicts. */
enum {
    ETWPY_T_SYSTEM, ETWPY_T_PROVIDER, ETWPY_T_KEYWORDS, ETWPY_T_CORR, ETWPY_T_EXEC,
    ETWPY_T_COUNT
};

/* One decode of an event: lookup + core decode, on the module's decoder or
 * (when that one is in use further up the stack) on a temporary one. The
 * nodes stay valid until etwpy_dec_done. */
typedef struct etwpy_dec {
    etwpy_state *st;
    EventObject *ev;
    const etw_record *rec;
    etw_registry *reg;
    uint64_t serial;          /* the trace's registry_serial (0: no trace) */
    const etw_schema *schema; /* NULL when none */
    etw_decoder *dec;
    int own_dec;              /* dec is temporary (freed by etwpy_dec_done) */
    int state;                /* ETWPY_DS_* of this decode */
    etw_decoded d;            /* valid when schema != NULL */
    char message[200];        /* BADSCHEMA: why */
} etwpy_dec;

/* Looks the event's schema up and decodes its payload; fills ev's cached
 * decode outcome (dstate, schema, used, errors) on the first call.
 * Returns 0, or -1 with an exception (out of memory). Call etwpy_dec_done
 * after a 0 return. */
int etwpy_dec_run(etwpy_state *st, EventObject *ev, etwpy_dec *x);
/* to_dict()'s EventData: the event's decoded properties as a new dict (as
 * etwpy_dec_run + etwpy_dec_dict, remembering the outcome the same way), and
 * the schema used into *schema. A small payload seen before with the same
 * schema, that decoded without problems into scalars and top-level lists or
 * dicts of scalars, is not decoded again. Returns NULL with an exception. */
PyObject *etwpy_event_data(etwpy_state *st, EventObject *ev, const etw_schema **schema);
/* Releases the decoder taken by etwpy_dec_run. */
void etwpy_dec_done(etwpy_dec *x);
/* The schema of the event without decoding, into *out (NULL when none or
 * malformed). Returns 0, or -1 with an exception (a schema source failed). */
int etwpy_lookup(etwpy_state *st, EventObject *ev, const etw_schema **out);
/* The registry of the event's trace, or NULL. */
etw_registry *etwpy_event_registry(EventObject *ev);

/* The top-level properties of a decode as a new dict. Returns a new
 * reference or NULL with an exception. */
PyObject *etwpy_dec_dict(etwpy_dec *x);
/* Node i of a decode as a Python value. Returns a new reference or NULL. */
PyObject *etwpy_dec_value(etwpy_dec *x, uint32_t i);
/* Index of the top-level node named name (UTF-8), or -1. */
long etwpy_dec_find(const etwpy_dec *x, const char *name);

/* Interned key str (borrowed reference; ETWPY_K_*). NULL with an exception
 * only when the cache could not be created. */
PyObject *etwpy_key(etwpy_state *st, int k);
/* Interned str for a schema string (borrowed reference, cached by pointer
 * and checked by content). Returns NULL with an exception on failure. */
PyObject *etwpy_name(etwpy_state *st, const char *s);

/* The interned keys, indexed by ETWPY_K_* (borrowed array). NULL with an
 * exception only when the cache could not be created. */
PyObject *const *etwpy_keys(etwpy_state *st);

/* Sets d[key] = v, stealing v (also on failure). Returns 0, or -1 with an
 * exception (v NULL included). */
int etwpy_put(PyObject *d, PyObject *key, PyObject *v);

/* Parts of to_dict()'s System dict that depend only on the schema and on the
 * header's provider, kind, id, version, level, task, opcode, channel and
 * keyword: a tuple indexed by ETWPY_SE_*, cached. SYSTEM is a System dict to
 * copy (EventName, EventID and Version filled, None for the dicts a
 * conversion makes); PROVIDER, LEVEL, TASK, OPCODE, CHANNEL and KEYWORDS
 * (Name None) are dicts to copy; KWNAMES a tuple of the keyword names. Never
 * hand out these objects themselves. Returns a new reference or NULL with an
 * exception. */
enum {
    ETWPY_SE_SYSTEM, ETWPY_SE_PROVIDER, ETWPY_SE_LEVEL, ETWPY_SE_TASK, ETWPY_SE_OPCODE,
    ETWPY_SE_CHANNEL, ETWPY_SE_KEYWORDS, ETWPY_SE_KWNAMES, ETWPY_SE_COUNT
};
PyObject *etwpy_system_entry(etwpy_state *st, EventObject *ev, const etw_schema *s);
/* to_json()'s text of the same System parts, in the same cache: the head (from
 * System's opening brace through the Keywords object) then the tail (from the
 * Execution object's closing brace through System's closing brace). */
typedef struct etwpy_sys_json {
    char *text;        /* head_len + tail_len bytes (PyMem), NULL until filled */
    uint32_t head_len, tail_len;
    uint8_t nonascii;  /* the text holds UTF-8 beyond ASCII */
} etwpy_sys_json;
/* The cache's JSON part for r's System key (registry serial, schema, header
 * fields), for the caller to fill when its text is NULL (without running
 * Python code before it is done with it). Only for a key that can be cached:
 * serial 0 only with no schema. Returns NULL with an exception (no memory). */
etwpy_sys_json *etwpy_system_json(etwpy_state *st, const etw_record *r, const etw_schema *s,
                                  uint64_t serial);
/* TimeCreated's SystemTime: the UTC datetime of the record's time (the one
 * of the previous call when in the same microsecond), or the FILETIME int
 * when outside datetime's range. Returns a new reference or NULL with an
 * exception. */
PyObject *etwpy_time_created(etwpy_state *st, const etw_record *r);
/* A new Execution dict ({"ProcessID": .., ..., "UserTime": ..}) for the
 * record's header. Returns NULL with an exception. */
PyObject *etwpy_exec_dict(etwpy_state *st, const etw_record *r);

/* A new dict with template t's keys and values[i] (stolen, all of them,
 * also on failure; values NULL: the template's None values). Returns NULL
 * with an exception when a value is NULL or on failure. */
PyObject *etwpy_from_template(etwpy_state *st, int t, PyObject **values);
/* A new {"Value": v, "Name": name or ""} dict. Returns NULL with an exception. */
/* A new {"Name": name or "", "Guid": uuid.UUID} dict. Returns NULL with an exception. */
PyObject *etwpy_provider_dict(etwpy_state *st, const char *name, const etw_guid *g);
PyObject *etwpy_value_name(etwpy_state *st, unsigned long v, const char *name);
/* The event name as a str ("" when none; see etwpy_event_name). Returns a
 * new reference or NULL with an exception. */
PyObject *etwpy_event_name_obj(etwpy_state *st, const etw_record *rec, const etw_schema *s);

/* Names (UTF-8, static or owned by the schema); NULL when unknown. */
const char *etwpy_provider_name(const etw_record *rec, const etw_schema *s);
const char *etwpy_task_name(const etw_record *rec, const etw_schema *s);
const char *etwpy_opcode_name(const etw_record *rec, const etw_schema *s);
const char *etwpy_level_name(const etw_record *rec, const etw_schema *s);
const char *etwpy_channel_name(const etw_record *rec, const etw_schema *s);
/* Event name into buf (UTF-8, NUL-ended): the schema's event name, else
 * "Task/Opcode" (just "Task" for opcode 0), else "". Returns its length. */
size_t etwpy_event_name(const etw_record *rec, const etw_schema *s, char *buf, size_t size);
/* "tracelogging", "injected", "kernel", "inband", "manifest", "wevt", "pack", "tdh",
 * "string", "other" or NULL (no schema). */
const char *etwpy_source_name(const etw_schema *s);

/* ---- text formatters (ASCII into buf; each returns the length written,
 * or -1 when the value cannot be rendered) ---- */
/* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} (braced, upper case: 38 chars). */
int etwpy_fmt_guid_braced(char *buf, const etw_guid *g);
/* YYYY-MM-DDTHH:MM:SS.fffffffZ for a FILETIME; -1 outside years 1601..9999
 * or negative. buf >= 32. */
int etwpy_fmt_filetime(char *buf, int64_t ft);
/* Same for a SYSTEMTIME (16 bytes); -1 when invalid (all-zero included). */
int etwpy_fmt_systemtime(char *buf, const uint8_t *p);
/* S-R-A-S1-S2... for a SID of len bytes; -1 when malformed. buf >= 200. */
int etwpy_fmt_sid(char *buf, const uint8_t *p, size_t len);
/* a.b.c.d (buf >= 16). */
int etwpy_fmt_ipv4(char *buf, const uint8_t *p);
/* RFC 5952 text (as Python's ipaddress prints it; IPv4-mapped as
 * ::ffff:a.b.c.d). buf >= 46. */
int etwpy_fmt_ipv6(char *buf, const uint8_t *p);
/* ip:port / [ipv6%scope]:port for a SOCKADDR_IN/IN6; -1 for other families or
 * too few bytes. buf >= 80. */
int etwpy_fmt_sockaddr(char *buf, const uint8_t *p, size_t len);
/* True when a SYSTEMTIME is all zero (no time: None, not an error). */
int etwpy_systemtime_is_zero(const uint8_t *p);

/* ANSI (Windows-1252) byte -> Unicode code point. */
extern const uint16_t etwpy_cp1252[256];

/* --- tojson.c --- */
/* ev as JSON text (str). Returns a new reference or NULL with an exception. */
PyObject *etwpy_event_to_json(etwpy_state *st, EventObject *ev);
/* The value of top-level property `name` rendered the way Windows shows it
 * (value maps, bitmaps, hex, ...). Returns a new str, or NULL with KeyError. */
PyObject *etwpy_event_format(etwpy_state *st, EventObject *ev, PyObject *name);

#endif /* ETWPY_PROPS_H */
