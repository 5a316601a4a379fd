/* decode.h - the one table-driven decoder: payload + etw_schema -> a flat
 * tree of C values (etw_value nodes) that the binding turns into Python
 * objects. Strings, binary, SIDs, GUIDs and SYSTEMTIMEs stay spans into the
 * payload (validated here); numbers are decoded. Sizes follow tdh-types.md
 * (TDH in-types, TraceLogging encodings) and etl-format.md 7.9/7.10. */
#ifndef ETW_DECODE_H
#define ETW_DECODE_H

#include "etw_base.h"
#include "schema.h"

/* Kind of a decoded value. */
typedef enum etw_vkind {
    ETW_V_NONE = 0,      /* slot not filled: decoding stopped before this property */
    ETW_V_NULL = 1,      /* no value (TraceLogging NULL in-type; WBEMSID "no SID") -> None */
    ETW_V_INT = 2,       /* signed integer in v.i; width bytes */
    ETW_V_UINT = 3,      /* unsigned integer in v.u; width bytes (hex ints, pointers,
                            SIZE_T, HRESULT/NTSTATUS/Win32 as declared, PORT already
                            converted from network byte order) */
    ETW_V_FLOAT = 4,     /* 4-byte IEEE value, widened into v.d */
    ETW_V_DOUBLE = 5,    /* v.d */
    ETW_V_BOOL = 6,      /* v.u = 0 or 1 (raw value: v.i of the raw bytes is not kept) */
    ETW_V_UTF16 = 7,     /* UTF-16LE code units at data_off, data_len bytes (even), no
                            terminator; may hold unpaired surrogates (convert with
                            surrogatepass semantics) */
    ETW_V_ANSI = 8,      /* 8-bit string in the provider's code page, data span, no NUL */
    ETW_V_UTF8 = 9,      /* UTF-8 string (out-type UTF8/JSON), data span, no NUL */
    ETW_V_BINARY = 10,   /* bytes at data span */
    ETW_V_GUID = 11,     /* 16 bytes (Windows LE layout) at data_off; use etw_guid_load */
    ETW_V_FILETIME = 12, /* v.i = 100 ns since 1601-01-01 UTC (signed) */
    ETW_V_SYSTEMTIME = 13, /* 16 bytes at data_off: 8 x u16 LE Year, Month, DayOfWeek,
                              Day, Hour, Minute, Second, Milliseconds (not validated) */
    ETW_V_SID = 14,      /* SID at data span (8 + 4n bytes, n <= 15, validated) */
    ETW_V_IPV4 = 15,     /* 4 bytes at data_off, network order a.b.c.d; v.u = a<<24|b<<16|c<<8|d */
    ETW_V_IPV6 = 16,     /* 16 bytes at data_off */
    ETW_V_SOCKADDR = 17, /* SOCKADDR bytes at data span (family u16 LE at data_off) */
    ETW_V_STRUCT = 18,   /* members: nodes[first_child .. first_child + child_count) */
    ETW_V_ARRAY = 19,    /* elements: nodes[first_child .. first_child + child_count) */
    ETW_V_ERROR = 20     /* could not be decoded: see error; raw bytes at offset/length */
} etw_vkind;

/* Per-node problems (etw_value.error). */
typedef enum etw_derr {
    ETW_DERR_NONE = 0,
    ETW_DERR_TRUNCATED = 1,   /* the property runs past the end of the payload */
    ETW_DERR_BAD_REF = 2,     /* count/length property missing, not an integer, or negative */
    ETW_DERR_BAD_SID = 3,     /* SubAuthorityCount > 15 */
    ETW_DERR_BAD_TYPE = 4,    /* in-type unknown or without a size rule (e.g. BINARY with no length) */
    ETW_DERR_TOO_MANY = 5,    /* node cap reached: the event has more values than allowed */
    ETW_DERR_TOO_DEEP = 6,    /* nesting deeper than ETW_SCHEMA_MAX_DEPTH */
    ETW_DERR_ODD_LENGTH = 7,  /* UTF-16 data with an odd byte count (last byte kept raw only) */
    ETW_DERR_BAD_SCHEMA = 8,  /* the schema is an invalid (cached failure) one */
    ETW_DERR_MISSING = 9      /* the payload ended before this (non-optional) property */
} etw_derr;

/* One decoded value. 64 bytes. */
typedef struct etw_value {
    const char *name;         /* property name (points into the schema) */
    const etw_prop *prop;     /* the schema property (NULL only for the synthetic root) */
    const etw_map *map;       /* value map / bitmap (prop->map, or looked up when the
                                 decoder was given a registry), else NULL */
    union {
        int64_t i;
        uint64_t u;
        double d;
    } v;
    uint32_t offset;          /* bytes of the property in the payload (prefixes, terminators,
                                 TOKEN_USER included) */
    uint32_t length;
    uint32_t data_off;        /* content span for strings/binary/SID/GUID/SYSTEMTIME/IP/sockaddr */
    uint32_t data_len;
    uint32_t first_child;     /* STRUCT / ARRAY: index of the first child node */
    uint32_t child_count;
    uint16_t in_type;         /* as declared (ETW_IN_*) */
    uint16_t out_type;        /* as declared (ETW_OUT_*) */
    uint8_t kind;             /* etw_vkind */
    uint8_t width;            /* integers/floats: bytes (1, 2, 4, 8) */
    uint8_t error;            /* etw_derr (set on ERROR nodes; ODD_LENGTH also on strings) */
    uint8_t depth;            /* 0 for top-level properties */
} etw_value;

/* Overall status of one decode. */
typedef enum etw_dstatus {
    ETW_DECODE_OK = 0,       /* every property decoded (leftover bytes may remain) */
    ETW_DECODE_ERRORS = 1,   /* some properties are ERROR nodes, the rest decoded */
    ETW_DECODE_STOPPED = 2   /* a property's size could not be known: decoding stopped
                                there; the rest of the payload is leftover */
} etw_dstatus;

typedef struct etw_decoded {
    const etw_schema *schema;
    const uint8_t *payload;
    uint32_t payload_len;
    const etw_value *nodes;   /* node_count nodes, valid until the next etw_decode on the
                                 same decoder */
    uint32_t node_count;
    uint32_t top_count;       /* nodes[0 .. top_count) are the top-level properties, in
                                 schema order (fewer than schema->top_count when stopped) */
    uint32_t used;            /* bytes decoded = offset of the leftover bytes */
    uint32_t leftover;        /* payload_len - used: trailing bytes beyond the schema */
    uint32_t error_count;     /* ERROR nodes */
    int status;               /* etw_dstatus */
} etw_decoded;

/* Reusable scratch (node buffer, reference values). One per thread; not
 * thread-safe. */
typedef struct etw_decoder etw_decoder;

/* Default and hard caps on nodes per event (an event's payload is < 64 KiB). */
#define ETW_DECODE_DEFAULT_MAX_NODES 70000u
#define ETW_DECODE_HARD_MAX_NODES 1000000u

/* max_nodes 0 = default. Returns NULL when out of memory. */
etw_decoder *etw_decoder_new(uint32_t max_nodes);
void etw_decoder_free(etw_decoder *d);

/* Decodes payload[0..len) with schema. pointer_size is the record's (4 or 8;
 * anything else is treated as 8). registry may be NULL; when given, map
 * references of properties are resolved into etw_value.map (one locked
 * lookup per mapped value; pass NULL on hot paths and resolve on demand with
 * etw_registry_prop_map). Fills *out. Per-property problems are reported in
 * the nodes and out->status, not as a return code. Returns ETW_OK, or
 * ETW_ERR_NOMEM (node buffer could not grow; *out describes what was
 * decoded), ETW_ERR_ARG (NULL schema/out). */
int etw_decode(etw_decoder *d, const etw_schema *schema, const uint8_t *payload, uint32_t len,
               uint8_t pointer_size, etw_registry *registry, etw_decoded *out);

/* Convenience: decodes a record's user data (pointer size from the record).
 * EVENT_HEADER records with EVENT_HEADER_FLAG_STRING_ONLY always use
 * etw_schema_string_only() (schema may then be NULL). Same returns as
 * etw_decode. */
int etw_decode_record(etw_decoder *d, const etw_schema *schema, const etw_record *rec,
                      etw_registry *registry, etw_decoded *out);

/* Name of an etw_derr code ("truncated", ...). Never NULL. */
const char *etw_derr_name(int code);

#endif /* ETW_DECODE_H */
