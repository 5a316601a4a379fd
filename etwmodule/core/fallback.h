/* fallback.h - a last schema source asked once per event key: for records
 * that nothing in the registry describes (no TraceLogging metadata, no
 * injected or user schema, no built-in kernel table), the caller's source
 * is asked for a TRACE_EVENT_INFO blob (and an EVENT_MAP_INFO blob per map
 * the schema names), which is parsed and registered. On Windows the live
 * consumer's source is TDH (TdhGetEventInformation on the EVENT_RECORD, in
 * win/consumer.c); this part is portable and tested on Linux through
 * etw._etw._fallback_run.
 *
 * Each key - (provider, id, version) for EVENT_HEADER records, (class GUID,
 * opcode, version) for classic and kernel ones - is asked at most once,
 * whatever the answer: failures and blobs the parser refuses are remembered
 * too, so a provider TDH does not know costs one call, not one per event.
 * Map names likewise, per (GUID, name). An etw_fallback belongs to one
 * thread (the producer); its counters may be read from any thread. */
#ifndef ETW_FALLBACK_H
#define ETW_FALLBACK_H

#include "etw_base.h"
#include "record.h"
#include "schema.h"

/* Where the blobs come from. Each callback gets the record being resolved;
 * on success it returns 0 and a malloc'd blob in *out (*len bytes; the
 * fallback frees it), else a nonzero code of its own (a Win32 code for TDH)
 * with *out left NULL. map_info may be NULL (no maps asked). */
typedef struct etw_fallback_source {
    void *ctx;
    uint8_t schema_source; /* etw_schema_source given to what is registered (0: TEI's) */
    unsigned long (*event_info)(void *ctx, const etw_record *rec, uint8_t **out, size_t *len);
    unsigned long (*map_info)(void *ctx, const etw_record *rec, const char *map_name,
                              uint8_t **out, size_t *len);
} etw_fallback_source;

typedef struct etw_fallback_stats {
    uint64_t keys;          /* distinct keys seen (known ones included) */
    uint64_t asked;         /* event_info calls */
    uint64_t added;         /* schemas registered from the answers */
    uint64_t failed;        /* event_info calls that returned an error */
    uint64_t invalid;       /* answers the TRACE_EVENT_INFO parser refused */
    uint64_t unmatched;     /* parsed schemas whose key is not the record's */
    uint64_t maps_asked;    /* map_info calls */
    uint64_t maps_added;
    uint64_t maps_failed;   /* map_info errors and refused blobs */
    uint64_t skipped_full;  /* records not looked at: the key set is full */
    unsigned long last_code; /* last nonzero code a callback returned */
} etw_fallback_stats;

typedef struct etw_fallback etw_fallback;

/* A fallback remembering at most max_keys event keys and as many map names
 * (0: 65536). Returns NULL when out of memory. */
etw_fallback *etw_fallback_new(size_t max_keys);
/* NULL is fine. Never fails. */
void etw_fallback_free(etw_fallback *f);

/* 1 when the fallback applies to this kind of record: EVENT_HEADER records
 * (manifest) without TraceLogging metadata and not STRING_ONLY, classic and
 * kernel records other than EventMetadata; 0 for TraceLogging, WPP, the
 * header event and the rest. Never fails. */
int etw_fallback_applies(const etw_record *rec);

/* Resolves rec: when its key is new and nothing in r (nor the kernel tables)
 * describes it, asks src and registers what comes back. Returns 1 when a
 * schema was added now, 0 when there was nothing to do (key seen before,
 * already described, not applicable, key set full, or the source failed:
 * see the stats), ETW_ERR_NOMEM, or ETW_ERR_ARG for NULL arguments. */
int etw_fallback_resolve(etw_fallback *f, etw_registry *r, const etw_record *rec,
                         const etw_fallback_source *src);

/* Counters now (from any thread). Never fails. */
void etw_fallback_get_stats(etw_fallback *f, etw_fallback_stats *out);

#endif /* ETW_FALLBACK_H */
