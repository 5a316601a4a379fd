/* record.h - the normalized event record: every header type found in a trace
 * (kernel system/compact/perfinfo, classic EVENT_TRACE_HEADER/instance,
 * EVENT_HEADER 32/64 with extended items, WPP messages) becomes this one
 * struct, which carries the fields of Windows' EVENT_RECORD plus the payload
 * and the extended items (etl-format.md 2.10). The live backend on Windows
 * fills the same struct from an EVENT_RECORD, so decoders serve both. */
#ifndef ETW_RECORD_H
#define ETW_RECORD_H

#include "etw_base.h"

/* Header types (etl-format.md 2.1). */
enum {
    ETW_HT_SYSTEM32 = 1, ETW_HT_SYSTEM64 = 2,
    ETW_HT_COMPACT32 = 3, ETW_HT_COMPACT64 = 4,
    ETW_HT_FULL32 = 10, ETW_HT_INSTANCE32 = 11,
    ETW_HT_TIMED = 12, ETW_HT_ERROR = 13, ETW_HT_WNODE = 14, ETW_HT_MESSAGE = 15,
    ETW_HT_PERFINFO32 = 16, ETW_HT_PERFINFO64 = 17,
    ETW_HT_EVENT32 = 18, ETW_HT_EVENT64 = 19,
    ETW_HT_FULL64 = 20, ETW_HT_INSTANCE64 = 21,
    /* MESSAGE_TRACE_HEADER records (marker byte 0x90) are reported as ETW_HT_MESSAGE. */
};

/* What kind of event a record is; mirrors Event.kind in Python. */
typedef enum etw_kind {
    ETW_KIND_HEADER = 0,       /* the TRACE_LOGFILE_HEADER record */
    ETW_KIND_KERNEL = 1,       /* SYSTEM/COMPACT/PERFINFO header (group -> class GUID) */
    ETW_KIND_CLASSIC = 2,      /* EVENT_TRACE_HEADER / instance header (MOF) */
    ETW_KIND_MANIFEST = 3,     /* EVENT_HEADER without TraceLogging metadata */
    ETW_KIND_TRACELOGGING = 4, /* EVENT_HEADER with an EVENT_SCHEMA_TL item */
    ETW_KIND_WPP = 5,          /* TraceMessage (MESSAGE header or TRACE_MESSAGE flag) */
    ETW_KIND_COUNT = 6
} etw_kind;

/* EVENT_HEADER_FLAG_* */
enum {
    ETW_EHF_EXTENDED_INFO = 0x0001, ETW_EHF_PRIVATE_SESSION = 0x0002,
    ETW_EHF_STRING_ONLY = 0x0004, ETW_EHF_TRACE_MESSAGE = 0x0008,
    ETW_EHF_NO_CPUTIME = 0x0010, ETW_EHF_32_BIT_HEADER = 0x0020,
    ETW_EHF_64_BIT_HEADER = 0x0040, ETW_EHF_DECODE_GUID = 0x0080,
    ETW_EHF_CLASSIC_HEADER = 0x0100, ETW_EHF_PROCESSOR_INDEX = 0x0200
};

/* EVENT_HEADER_EXT_TYPE_* */
enum {
    ETW_EXT_RELATED_ACTIVITYID = 1, ETW_EXT_SID = 2, ETW_EXT_TS_ID = 3,
    ETW_EXT_INSTANCE_INFO = 4, ETW_EXT_STACK_TRACE32 = 5, ETW_EXT_STACK_TRACE64 = 6,
    ETW_EXT_PEBS_INDEX = 7, ETW_EXT_PMC_COUNTERS = 8, ETW_EXT_PSM_KEY = 9,
    ETW_EXT_EVENT_KEY = 10, ETW_EXT_EVENT_SCHEMA_TL = 11, ETW_EXT_PROV_TRAITS = 12,
    ETW_EXT_PROCESS_START_KEY = 13, ETW_EXT_CONTROL_GUID = 14, ETW_EXT_QPC_DELTA = 15,
    ETW_EXT_CONTAINER_ID = 16, ETW_EXT_STACK_KEY32 = 17, ETW_EXT_STACK_KEY64 = 18
};

/* One extended data item; data points at DataSize bytes (not 8-aligned). */
typedef struct etw_ext_item {
    uint16_t type;
    uint16_t size;
    const uint8_t *data;
} etw_ext_item;

/* At most this many extended items are kept per record; more is a format error
 * (Windows defines 18 types and logs each at most once). */
#define ETW_MAX_EXT_ITEMS 32

typedef struct etw_record {
    /* --- EVENT_HEADER --- */
    int64_t timestamp;        /* raw clock value as stored in the file */
    int64_t time_ns;          /* UTC, ns since 1970-01-01 (filled by the reader) */
    int64_t filetime;         /* UTC, 100 ns since 1601-01-01 (filled by the reader) */
    uint64_t keyword;
    etw_guid provider_id;     /* class GUID for kernel/classic, message GUID for WPP */
    etw_guid activity_id;
    uint32_t thread_id;
    uint32_t process_id;
    uint32_t kernel_time;     /* ProcessorTime = kernel_time | user_time << 32 */
    uint32_t user_time;
    uint16_t flags;           /* EVENT_HEADER_FLAG_* as EVENT_RECORD would carry them */
    uint16_t event_property;
    uint16_t id;
    uint16_t task;
    uint8_t version;
    uint8_t channel;
    uint8_t level;
    uint8_t opcode;
    /* --- ETW_BUFFER_CONTEXT --- */
    uint16_t processor;       /* processor index of the buffer */
    uint16_t logger_id;
    /* --- format facts --- */
    uint8_t kind;             /* etw_kind */
    uint8_t header_type;      /* ETW_HT_* */
    uint8_t pointer_size;     /* 4 or 8, per record */
    uint8_t group;            /* kernel group (SYSTEM/COMPACT/PERFINFO), else 0 */
    uint16_t raw_version;     /* system headers: the whole Version field (PEBS/PMC bits) */
    uint16_t ext_count;
    uint32_t user_data_length;
    uint32_t raw_size;        /* bytes of the whole record (header Size) */
    const uint8_t *user_data; /* payload */
    const etw_ext_item *ext;  /* ext_count items (synthetic ones for INSTANCE/PEBS/PMC) */
    const uint8_t *raw;       /* the whole record as stored */
    uint64_t file_offset;     /* offset of the buffer holding it, in the file */
    uint32_t buffer_pos;      /* position of the record inside its (inflated) buffer */
    /* --- WPP (MESSAGE header) --- */
    uint16_t wpp_flags;       /* TRACE_MESSAGE_* option flags */
    uint32_t wpp_sequence;    /* when TRACE_MESSAGE_SEQUENCE */
    uint32_t wpp_component;   /* when TRACE_MESSAGE_COMPONENTID */
} etw_record;

/* An end marker (0xFFFFFFFF or 0) this many bytes or more before the end of
 * a buffer's record area is damage: real buffers end their records at
 * Offset@0x30, give or take the alignment padding of the last record. */
#define ETW_RECORD_SLACK 8u

/* Parses the record at buf[pos] (a buffer's record area ends at end, which
 * is min(Offset@0x30, BufferSize), or the inflated size).
 * Fills rec (pointers into buf, ext items into ext[ETW_MAX_EXT_ITEMS]) and
 * *size (header Size; the next record is at pos + ETW_ALIGN8(size)).
 * Returns 1 on a record, 2 on a record without a public layout (TIMED, ERROR,
 * WNODE, MESSAGE header types: only header_type, raw_size and *size are set;
 * callers skip and count it), 0 at the end of the records (fewer than 4 bytes
 * left, or a 0xFFFFFFFF or 0 marker fewer than ETW_RECORD_SLACK bytes before
 * end), ETW_ERR_FORMAT (err filled, offset = pos relative to the buffer) for
 * bytes that are not a valid record and for an end marker earlier than that
 * (the records after it are lost). */
int etw_record_parse(const uint8_t *buf, size_t pos, size_t end, etw_record *rec,
                     etw_ext_item *ext, uint32_t *size, etw_error *err);

/* After a buffer's record walk ended at pos (etw_record_parse returned 0),
 * checks that no record lies past the end of the record area: cap is the
 * number of bytes of the buffer image (its BufferSize). Bytes there that
 * parse as a record (with cap as the end) mean Offset@0x30 is too small and
 * the records after it would be lost; an end marker, the 0xFF fill or stale
 * bytes that are no record are the end. Returns 0 when the walk ended where
 * the records end, or ETW_ERR_FORMAT (err filled, offset = pos) when a
 * record follows. */
int etw_record_check_end(const uint8_t *buf, size_t pos, size_t cap, etw_error *err);

/* The first extended item of the given type, or NULL when the record has none. */
const etw_ext_item *etw_record_find_ext(const etw_record *rec, uint16_t type);

/* Where a record was read: the values its buffer gives every record in it. */
typedef struct etw_buffer_place {
    uint64_t offset;            /* file offset of the buffer */
    uint16_t cpu;               /* processor (index) of the buffer context */
    uint16_t logger_id;
    uint8_t header_pointer_size; /* the logfile header's, for records without their own */
} etw_buffer_place;

/* Completes a parsed record with what its buffer says, as ProcessTrace reports
 * it: processor, logger id, PROCESSOR_INDEX and pointer-size flags, file
 * offset, pointer size; a WPP message without a timestamp of its own takes
 * *last_ts (etl-format.md 2.7), and *last_ts becomes the record's timestamp.
 * Cannot fail. */
void etw_record_place(etw_record *rec, const etw_buffer_place *where, int64_t *last_ts);

/* Kernel group -> event class GUID (etl-format.md 2.9), with the Image Load
 * exception (group 3 type 10). Returns 0 and a zero GUID for unknown groups. */
int etw_kernel_group_guid(uint8_t group, uint8_t type, etw_guid *out);

#endif /* ETW_RECORD_H */
