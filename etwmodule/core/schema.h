/* schema.h - the one schema model (DESIGN.md "One schema model"): every
 * schema source (TraceLogging metadata, injected TRACE_EVENT_INFO blobs,
 * built-in kernel tables, later manifests and TDH) becomes an etw_schema
 * shaped like Windows' TRACE_EVENT_INFO, and one decoder (decode.h) turns a
 * payload plus a schema into values. Also the registry that finds the schema
 * of a record and caches every schema it builds, once per trace. */
#ifndef ETW_SCHEMA_H
#define ETW_SCHEMA_H

#include "etw_base.h"
#include "record.h"

/* TDH in-types (tdh-types.md 1); also the manifest inType numbering. */
enum {
    ETW_IN_NULL = 0, ETW_IN_UNICODESTRING = 1, ETW_IN_ANSISTRING = 2,
    ETW_IN_INT8 = 3, ETW_IN_UINT8 = 4, ETW_IN_INT16 = 5, ETW_IN_UINT16 = 6,
    ETW_IN_INT32 = 7, ETW_IN_UINT32 = 8, ETW_IN_INT64 = 9, ETW_IN_UINT64 = 10,
    ETW_IN_FLOAT = 11, ETW_IN_DOUBLE = 12, ETW_IN_BOOLEAN = 13, ETW_IN_BINARY = 14,
    ETW_IN_GUID = 15, ETW_IN_POINTER = 16, ETW_IN_FILETIME = 17, ETW_IN_SYSTEMTIME = 18,
    ETW_IN_SID = 19, ETW_IN_HEXINT32 = 20, ETW_IN_HEXINT64 = 21,
    ETW_IN_MANIFEST_COUNTEDSTRING = 22, ETW_IN_MANIFEST_COUNTEDANSISTRING = 23,
    ETW_IN_RESERVED24 = 24, ETW_IN_MANIFEST_COUNTEDBINARY = 25,
    ETW_IN_COUNTEDSTRING = 300, ETW_IN_COUNTEDANSISTRING = 301,
    ETW_IN_REVERSEDCOUNTEDSTRING = 302, ETW_IN_REVERSEDCOUNTEDANSISTRING = 303,
    ETW_IN_NONNULLTERMINATEDSTRING = 304, ETW_IN_NONNULLTERMINATEDANSISTRING = 305,
    ETW_IN_UNICODECHAR = 306, ETW_IN_ANSICHAR = 307, ETW_IN_SIZET = 308,
    ETW_IN_HEXDUMP = 309, ETW_IN_WBEMSID = 310
};

/* TDH out-types (tdh-types.md 2); also the manifest outType numbering. */
enum {
    ETW_OUT_NULL = 0, ETW_OUT_STRING = 1, ETW_OUT_DATETIME = 2, ETW_OUT_BYTE = 3,
    ETW_OUT_UNSIGNEDBYTE = 4, ETW_OUT_SHORT = 5, ETW_OUT_UNSIGNEDSHORT = 6,
    ETW_OUT_INT = 7, ETW_OUT_UNSIGNEDINT = 8, ETW_OUT_LONG = 9, ETW_OUT_UNSIGNEDLONG = 10,
    ETW_OUT_FLOAT = 11, ETW_OUT_DOUBLE = 12, ETW_OUT_BOOLEAN = 13, ETW_OUT_GUID = 14,
    ETW_OUT_HEXBINARY = 15, ETW_OUT_HEXINT8 = 16, ETW_OUT_HEXINT16 = 17,
    ETW_OUT_HEXINT32 = 18, ETW_OUT_HEXINT64 = 19, ETW_OUT_PID = 20, ETW_OUT_TID = 21,
    ETW_OUT_PORT = 22, ETW_OUT_IPV4 = 23, ETW_OUT_IPV6 = 24, ETW_OUT_SOCKETADDRESS = 25,
    ETW_OUT_CIMDATETIME = 26, ETW_OUT_ETWTIME = 27, ETW_OUT_XML = 28,
    ETW_OUT_ERRORCODE = 29, ETW_OUT_WIN32ERROR = 30, ETW_OUT_NTSTATUS = 31,
    ETW_OUT_HRESULT = 32, ETW_OUT_CULTURE_INSENSITIVE_DATETIME = 33, ETW_OUT_JSON = 34,
    ETW_OUT_UTF8 = 35, ETW_OUT_PKCS7_WITH_TYPE_INFO = 36, ETW_OUT_CODE_POINTER = 37,
    ETW_OUT_DATETIME_UTC = 38, ETW_OUT_REDUCEDSTRING = 300, ETW_OUT_NOPRINT = 301,
    /* Not TDH: TraceLogging's TlgOutSIGNED / TlgOutUNSIGNED (decimal display of
     * an integer whose in-type says otherwise; the in-type still decides the
     * value, etl-format.md 7.10). */
    ETW_OUT_TL_SIGNED = 0x4011, ETW_OUT_TL_UNSIGNED = 0x4012
};

/* Property flags. The low byte is TDH's PROPERTY_FLAGS (tdh-types.md 4),
 * bit for bit; the high bits are ours. */
enum {
    ETW_PROP_STRUCT = 0x1,          /* struct_start/struct_count give the members */
    ETW_PROP_PARAM_LENGTH = 0x2,    /* length = index of the property holding the length */
    ETW_PROP_PARAM_COUNT = 0x4,     /* count = index of the property holding the count */
    ETW_PROP_WBEM_XML = 0x8,
    ETW_PROP_FIXED_LENGTH = 0x10,   /* length is a constant */
    ETW_PROP_FIXED_COUNT = 0x20,    /* count is a constant (an array even when 1) */
    ETW_PROP_HAS_TAGS = 0x40,
    ETW_PROP_CUSTOM_SCHEMA = 0x80,
    /* ours: */
    ETW_PROP_TL_COUNT16 = 0x10000,  /* TraceLogging VCOUNT: u16 element count precedes the elements */
    ETW_PROP_TL_LENGTH16 = 0x20000, /* TraceLogging BINARY/custom: u16 byte count precedes the bytes */
    ETW_PROP_OPTIONAL = 0x40000,    /* may be missing when the payload ends right before it */
    ETW_PROP_ARRAY = 0x80000,       /* set by etw_sb_finish: the property is an array */
    ETW_PROP_REST_COUNT = 0x100000  /* array of a fixed-size type filling the rest of the
                                       payload (kernel StackWalk frames) */
};

/* TDH MAP_FLAGS (EVENT_MAP_INFO.Flag). */
enum {
    ETW_MAP_MANIFEST_VALUEMAP = 0x1, ETW_MAP_MANIFEST_BITMAP = 0x2,
    ETW_MAP_MANIFEST_PATTERNMAP = 0x4, ETW_MAP_WBEM_VALUEMAP = 0x8,
    ETW_MAP_WBEM_BITMAP = 0x10, ETW_MAP_WBEM_FLAG = 0x20, ETW_MAP_WBEM_NO_MAP = 0x40
};

/* Where a schema came from. */
typedef enum etw_schema_source {
    ETW_SRC_TRACELOGGING = 1, /* EVENT_SCHEMA_TL ext item (schema_tl.c) */
    ETW_SRC_TEI = 2,          /* TRACE_EVENT_INFO blob: injected EventMetadata, TDH, packs */
    ETW_SRC_KERNEL = 3,       /* built-in kernel MOF tables (schema_kernel.c) */
    ETW_SRC_MANIFEST = 4,     /* provider manifest (later) */
    ETW_SRC_OTHER = 5,
    ETW_SRC_INBAND = 6,       /* .NET EventSource manifest carried in the trace (0xFFFE) */
    ETW_SRC_WEVT = 7,         /* compiled manifest (WEVT_TEMPLATE) given by the user */
    ETW_SRC_PACK = 8,         /* schema pack exported by etw.Schemas.export */
    ETW_SRC_TDH = 9           /* TdhGetEventInformation, asked by the live consumer */
} etw_schema_source;

/* How a schema is looked up (DESIGN.md). */
typedef enum etw_key_kind {
    ETW_KEY_MANIFEST = 1, /* (provider GUID, event id, version) */
    ETW_KEY_CLASSIC = 2,  /* (class GUID, opcode, version): classic MOF and kernel */
    ETW_KEY_TL = 3        /* (provider GUID, metadata bytes) */
} etw_key_kind;

typedef struct etw_map_entry {
    uint32_t value;      /* the value (value map) or the bit(s) (bitmap) */
    const char *name;    /* UTF-8, trailing spaces trimmed */
    const char *input;   /* pattern maps / string-keyed WBEM maps: the input string, else NULL */
} etw_map_entry;

/* A value map or bitmap (EVENT_MAP_INFO). Immutable once in the registry. */
typedef struct etw_map {
    etw_guid provider_id;
    const char *name;    /* UTF-8, trailing spaces trimmed */
    uint32_t flags;      /* ETW_MAP_* */
    uint32_t count;
    const etw_map_entry *entries; /* in the order of the source */
    const char *format;  /* pattern maps: format string, else NULL */
    uint8_t source;      /* etw_schema_source of the map (its rank in the registry) */
} etw_map;

/* One property (EVENT_PROPERTY_INFO). Indices are into etw_schema.props. */
typedef struct etw_prop {
    const char *name;          /* UTF-8, never NULL ("" when the source gave none) */
    const char *map_name;      /* value map / bitmap name, or NULL */
    const etw_map *map;        /* resolved map (built-in tables), or NULL: see etw_registry_find_map */
    uint32_t flags;            /* ETW_PROP_* */
    uint32_t tags;             /* TraceLogging field tags (28 bits) */
    uint16_t in_type;          /* ETW_IN_* (0 for structs) */
    uint16_t out_type;         /* ETW_OUT_* */
    uint16_t count;            /* constant element count, or property index (PARAM_COUNT) */
    uint16_t length;           /* constant length, or property index (PARAM_LENGTH) */
    uint16_t struct_start;     /* STRUCT: index of the first member */
    uint16_t struct_count;     /* STRUCT: number of members */
} etw_prop;

/* Caps: a schema never has more properties or nesting than this. */
#define ETW_SCHEMA_MAX_PROPS 4096
#define ETW_SCHEMA_MAX_DEPTH 32

/* One event schema (TRACE_EVENT_INFO shape). props[0..top_count) are the
 * top-level properties; struct members come after them. Every string is
 * UTF-8 and NUL-terminated, or NULL when the source has none. Immutable
 * once in a registry, and lives as long as the registry. */
typedef struct etw_schema {
    etw_guid provider_id;       /* provider (manifest / TraceLogging), or class GUID (MOF) */
    etw_guid event_guid;        /* MOF class GUID (zero for manifest / TraceLogging) */
    uint16_t id;
    uint8_t version;
    uint8_t channel;
    uint8_t level;
    uint8_t opcode;
    uint16_t task;
    uint64_t keyword;
    uint8_t source;             /* etw_schema_source */
    uint8_t key_kind;           /* etw_key_kind it is registered under */
    uint8_t max_depth;          /* deepest struct nesting (0 = flat) */
    uint8_t pointer_size;       /* 0 = from the record (always, in practice) */
    uint32_t decoding_source;   /* TDH DECODING_SOURCE: 0 XML, 1 WBEM, 2 WPP, 3 TLG */
    uint32_t template_flags;    /* TDH TEMPLATE_FLAGS */
    uint32_t tags;              /* TraceLogging event tags (28 bits) */
    uint16_t prop_count;
    uint16_t top_count;
    const etw_prop *props;
    const char *provider_name;
    const char *event_name;     /* TraceLogging / manifest event name (may be NULL) */
    const char *task_name;
    const char *opcode_name;
    const char *level_name;
    const char *channel_name;
    const char *event_message;
    const char *provider_message;
    const char *const *keyword_names; /* keyword_count names */
    uint16_t keyword_count;
    /* TraceLogging key: the metadata bytes (a copy), else NULL/0. */
    const uint8_t *tl_meta;
    uint32_t tl_meta_len;
    /* A schema source that failed is cached too (built once): then this is
     * the message and prop_count is 0. NULL for a valid schema. */
    const char *invalid;
} etw_schema;

/* ---- building schemas (used by the schema sources) ----------------------
 * A builder collects properties and strings and then packs everything into
 * one allocation (free() releases a built schema or map). */
typedef struct etw_schema_builder etw_schema_builder;

/* Returns NULL when out of memory. */
etw_schema_builder *etw_sb_new(void);
void etw_sb_free(etw_schema_builder *b);
/* Copies a UTF-8 string (len bytes, or strlen when len == (size_t)-1) into
 * the builder, replacing invalid UTF-8 (and NULs) with U+FFFD so schema
 * strings are always valid UTF-8; returns its handle (> 0, or 0 for a NULL
 * s) or ETW_ERR_NOMEM. */
long etw_sb_str(etw_schema_builder *b, const char *s, size_t len);
/* Same from UTF-16LE code units (unpaired surrogates become U+FFFD),
 * trimming trailing spaces when trim is non-zero. Returns a handle or ETW_ERR_NOMEM. */
long etw_sb_str16(etw_schema_builder *b, const uint8_t *s16, size_t units, int trim);
/* Appends a property (string fields given as handles, cast to pointers by
 * the ETW_SB_H macro); returns its index or ETW_ERR_NOMEM / ETW_ERR_FORMAT
 * (more than ETW_SCHEMA_MAX_PROPS). */
long etw_sb_prop(etw_schema_builder *b, const etw_prop *p);
/* Access to a property already added (NULL if out of range). */
etw_prop *etw_sb_prop_at(etw_schema_builder *b, size_t index);
/* Number of properties added so far. */
size_t etw_sb_prop_count(const etw_schema_builder *b);
/* Adds a keyword name; returns ETW_OK or ETW_ERR_NOMEM. */
int etw_sb_keyword(etw_schema_builder *b, long handle);
/* Handles stored in pointer fields until etw_sb_finish. */
#define ETW_SB_H(h) ((const char *)(uintptr_t)(h))
/* Validates the property graph (struct ranges inside the array and after
 * their parent, count/length references in range, depth <= ETW_SCHEMA_MAX_DEPTH),
 * sets ETW_PROP_ARRAY, and packs header + properties + strings into one
 * malloc'd block. hdr's string fields are handles (ETW_SB_H); tl_meta (if any)
 * is copied. Returns the schema, or NULL with *rc = ETW_ERR_NOMEM or
 * ETW_ERR_FORMAT (err filled). The builder can be freed afterwards. */
etw_schema *etw_sb_finish(etw_schema_builder *b, const etw_schema *hdr, int *rc, etw_error *err);
/* Packs a map: hdr->name/format and entries[i].name/input are builder
 * handles (ETW_SB_H); count entries. Returns the map (one malloc'd block) or
 * NULL when out of memory. */
etw_map *etw_sb_finish_map(etw_schema_builder *b, const etw_map *hdr,
                           const etw_map_entry *entries, uint32_t count);
/* Builds a cached "invalid" schema carrying message (so a failing source is
 * not re-parsed for every event). Returns NULL when out of memory. */
etw_schema *etw_schema_new_invalid(const etw_schema *hdr, const char *message);

/* True when the property is an array (count constant > 1, FIXED_COUNT,
 * PARAM_COUNT, TL_COUNT16 or REST_COUNT); used by etw_sb_finish. */
int etw_prop_is_array(const etw_prop *p);

/* Writes code point cp as UTF-8 at out (room for 4 bytes); returns the bytes
 * written (1-4). Never fails. */
size_t etw_put_utf8(char *out, uint32_t cp);

/* ---- schema sources ----------------------------------------------------- */

/* TraceLogging (schema_tl.c): builds the schema of a self-describing event
 * from its EVENT_SCHEMA_TL item (meta) and, when present, its PROV_TRAITS item
 * (traits, may be NULL). Returns the schema (malloc'd), or NULL with *rc =
 * ETW_ERR_FORMAT (err says why) or ETW_ERR_NOMEM. */
etw_schema *etw_schema_from_tl(const etw_guid *provider, const uint8_t *meta, size_t meta_len,
                               const uint8_t *traits, size_t traits_len, int *rc, etw_error *err);
/* Provider name from a PROV_TRAITS blob, copied into out (UTF-8, NUL-ended,
 * cut to out_size - 1). Returns the length, or ETW_ERR_FORMAT. */
int etw_tl_provider_name(const uint8_t *traits, size_t len, char *out, size_t out_size);

/* TRACE_EVENT_INFO blob (schema_tei.c), self-relative offsets, as TDH returns
 * it and as EventMetadata opcode 32 carries it. Returns the schema, or NULL
 * with *rc = ETW_ERR_FORMAT / ETW_ERR_NOMEM. The key kind is ETW_KEY_CLASSIC
 * for DecodingSource 1 (WBEM/MOF: event_guid + opcode + version), else
 * ETW_KEY_MANIFEST. */
etw_schema *etw_schema_from_tei(const uint8_t *blob, size_t len, int *rc, etw_error *err);
/* EVENT_MAP_INFO blob (offsets relative to blob) for provider; the map's
 * source is ETW_SRC_TEI (callers set another). Returns the
 * map (one malloc'd block), or NULL with *rc = ETW_ERR_FORMAT / ETW_ERR_NOMEM. */
etw_map *etw_map_from_emi(const etw_guid *provider, const uint8_t *blob, size_t len, int *rc,
                          etw_error *err);

/* Built-in kernel MOF tables (schema_kernel.c): the schema for a kernel or
 * classic event class (class GUID, opcode, version), choosing the closest
 * known version (the highest one <= version, else the lowest). Returns a
 * static schema, or NULL when the class/opcode is not in the tables. */
const etw_schema *etw_kernel_schema(const etw_guid *class_guid, uint8_t opcode, uint8_t version);
/* Names for kernel events that have no payload schema: the provider (class)
 * name for a class GUID and the opcode name. Each returns NULL when unknown. */
const char *etw_kernel_task_name(const etw_guid *class_guid);
const char *etw_kernel_opcode_name(const etw_guid *class_guid, uint8_t opcode);

/* The static schema of EVENT_HEADER_FLAG_STRING_ONLY events (EventWriteString):
 * one UNICODESTRING property named "String". Never NULL. */
const etw_schema *etw_schema_string_only(void);

/* ---- the registry -------------------------------------------------------
 * One per trace (or live session). Thread-safety: every function below takes
 * the registry's own mutex, so a native producer thread may insert
 * (EventMetadata records) while the Python thread looks up and builds
 * TraceLogging schemas. Schemas and maps are immutable once inserted and
 * are freed only by etw_registry_free, so returned pointers stay valid
 * without holding the lock. */
typedef struct etw_registry etw_registry;

/* EventMetadata class GUID bbccf6c1-6cd1-48c4-80ff-839482e37671 and opcodes. */
extern const etw_guid etw_event_metadata_guid;
enum { ETW_EVENT_METADATA_TEI = 32, ETW_EVENT_METADATA_MAP = 33 };

/* Returns NULL when out of memory. */
etw_registry *etw_registry_new(void);
void etw_registry_free(etw_registry *r);

/* Finds (or, for TraceLogging, builds and caches) the schema of a record:
 * TraceLogging by (provider, metadata bytes); STRING_ONLY events get
 * etw_schema_string_only(); other EVENT_HEADER records by (provider, id,
 * version); classic and kernel records by (class GUID, opcode, version),
 * first among injected schemas, then in the built-in kernel tables. Returns 1 and *out on success, 0 when no schema is known
 * (*out NULL), ETW_ERR_FORMAT when the record's own metadata is malformed
 * (cached; err filled), ETW_ERR_NOMEM. */
int etw_registry_lookup(etw_registry *r, const etw_record *rec, const etw_schema **out,
                        etw_error *err);

/* Number of schemas inserted or replaced so far (TraceLogging ones built by
 * lookups included; maps replaced count too): a lookup's result can only
 * change when this changes. Read without the lock, so another thread may be
 * inserting. 0 for NULL. */
size_t etw_registry_generation(etw_registry *r);

/* Direct lookups; each returns NULL when not found. */
const etw_schema *etw_registry_find(etw_registry *r, etw_key_kind kind, const etw_guid *guid,
                                    uint16_t id_or_opcode, uint8_t version);
/* Manifest schema of (provider, id) with the highest version below `version`:
 * the fallback when no schema of the exact version exists (TDH does the same
 * with several manifest versions). NULL when none. */
const etw_schema *etw_registry_find_lower(etw_registry *r, const etw_guid *provider, uint16_t id,
                                          uint8_t version);
/* Map of a provider by name (trailing spaces ignored). NULL when not found. */
const etw_map *etw_registry_find_map(etw_registry *r, const etw_guid *provider, const char *name);
/* The map a property of schema refers to: prop->map, else looked up under the
 * schema's provider_id, then its event_guid. NULL when none. */
const etw_map *etw_registry_prop_map(etw_registry *r, const etw_schema *s, const etw_prop *p);

/* Priority of a schema source when several describe the same key (issue 4
 * item 4): 3 for what the trace carries (ETW_SRC_TRACELOGGING, _TEI,
 * _INBAND), 2 for what the user gives (_MANIFEST, _WEVT, _PACK, _TDH,
 * _OTHER), 1 for the built-in tables (_KERNEL). Never fails. */
int etw_schema_source_rank(unsigned source);

/* Inserts a schema built by etw_sb_finish / a schema source (one malloc'd
 * block; takes ownership). When a schema with the same key exists, the one
 * whose source ranks higher (etw_schema_source_rank) is kept and, on a tie,
 * the first one: a replaced schema stays allocated until etw_registry_free
 * (pointers handed out stay valid) and the generation grows, so memos of
 * lookups refresh. Returns 1 inserted or replaced, 0 not kept (freed),
 * ETW_ERR_NOMEM (schema freed, registry unchanged). */
int etw_registry_add(etw_registry *r, etw_schema *s);
/* Inserts a map (takes ownership) under the same rule, by map->source.
 * Returns 1, 0 or ETW_ERR_NOMEM. */
int etw_registry_add_map(etw_registry *r, etw_map *m);
/* Feeds an EventMetadata record (injected TRACE_EVENT_INFO / EVENT_MAP_INFO,
 * etl-format.md 6). Returns 1 when it was one and was taken in, 0 when the
 * record is not an EventMetadata record (or a duplicate), ETW_ERR_FORMAT (err
 * filled; the record is skipped), ETW_ERR_NOMEM. */
int etw_registry_add_event_metadata(etw_registry *r, const etw_record *rec, etw_error *err);

/* Statistics. */
typedef struct etw_registry_stats {
    uint32_t schemas;       /* valid schemas held */
    uint32_t invalid;       /* cached failures */
    uint32_t maps;
    uint32_t tl_built;      /* TraceLogging schemas built */
    uint64_t lookups;
    uint64_t misses;        /* lookups that found nothing */
    uint32_t replaced;      /* schemas and maps replaced by a higher-ranked source */
} etw_registry_stats;
void etw_registry_get_stats(etw_registry *r, etw_registry_stats *out);

/* ==== compiled manifests and schema export (schema_wevt.c, schema_export.c) ====
 * Appended block; owned by the manifest/WEVT work (issue 4). */

/* Receives what etw_wevt_parse finds. Each callback takes ownership of the
 * schema / map (one malloc'd block: free() it when not kept). A negative
 * return stops the parse, and etw_wevt_parse returns that value. */
typedef struct etw_wevt_sink {
    void *ctx;
    int (*schema)(void *ctx, etw_schema *s);
    int (*map)(void *ctx, etw_map *m);
} etw_wevt_sink;

/* Compiled manifest: the "CRIM" blob mc.exe writes (WEVT_TEMPLATE resource,
 * etl-format.md 3b.2) -> one etw_schema per event (key (provider, id,
 * version), source ETW_SRC_MANIFEST) and one etw_map per value map / bitmap.
 * msgtable (may be NULL) is the MESSAGETABLE resource of the same binary; it
 * gives the event and provider messages and the map entry names (mc.exe's
 * trailing CR LF removed). Properties follow TDH's conventions (the same the
 * manifest loader etw/_manifest.py uses): scalars count 1 and the type size
 * as length, constant counts/lengths as PARAM_FIXED_COUNT/_LENGTH, references
 * as PARAM_COUNT/_LENGTH with absolute indexes. Returns the number of schemas
 * and maps produced (>= 0), ETW_ERR_FORMAT (err filled: offset = position in
 * the blob), ETW_ERR_NOMEM, or a negative value returned by a callback. */
int etw_wevt_parse(const uint8_t *crim, size_t len, const uint8_t *msgtable, size_t msg_len,
                   const etw_wevt_sink *sink, etw_error *err);

/* Text of message id in a MESSAGETABLE resource, as UTF-8 in a malloc'd
 * NUL-terminated string (trailing CR LF and NULs removed). Returns the string,
 * or NULL when the id is absent, the table is malformed or memory is short. */
char *etw_msgtable_lookup(const uint8_t *msgtable, size_t len, uint32_t id);

/* Serializes a schema as a TRACE_EVENT_INFO blob (canonical layout described
 * in etw/_tei.py: header, properties, then UTF-16Z strings in a fixed order),
 * so etw_schema_from_tei reads it back unchanged. *out is malloc'd. Returns
 * ETW_OK, ETW_ERR_ARG (NULL or invalid schema) or ETW_ERR_NOMEM. */
int etw_schema_to_tei(const etw_schema *s, uint8_t **out, size_t *out_len);
/* Serializes a map as an EVENT_MAP_INFO blob (canonical layout, offsets
 * relative to the blob; the provider GUID is not included). *out is malloc'd.
 * Returns ETW_OK, ETW_ERR_ARG or ETW_ERR_NOMEM. */
int etw_map_to_emi(const etw_map *m, uint8_t **out, size_t *out_len);
/* ==== end of the compiled-manifest block ==== */

#endif /* ETW_SCHEMA_H */
