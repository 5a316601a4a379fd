/* inband.h - .NET EventSource manifests carried in the trace itself
 * (etl-format.md 3b.4): a manifest-based EventSource logs its own manifest as
 * events with Id 0xFFFE and Opcode 0xFE on its provider GUID, split into
 * chunks behind an 8-byte envelope {u8 Format (1 = SimpleXml), u8 Major, u8
 * Minor, u8 Magic 0x5B, u16 TotalChunks, u16 ChunkNumber}. The collector
 * reassembles the chunks per provider as the producer thread passes the
 * records and keeps every completed manifest until the consumer takes it.
 *
 * Thread-safety: etw_inband_observe is called by producer threads,
 * etw_inband_take / _pending / _generation / _get_stats by the consumer; all
 * of them may run concurrently (one internal mutex; observe takes it only for
 * manifest records, so it costs a few compares for every other record). One
 * collector per trace; when two passes over the same trace feed it at once,
 * identical manifests are kept once, and a chunk sequence interleaved with
 * another pass's may be dropped by one pass and completed by the other. */
#ifndef ETW_INBAND_H
#define ETW_INBAND_H

#include "etw_base.h"
#include "record.h"

enum {
    ETW_INBAND_EVENT_ID = 0xFFFE,
    ETW_INBAND_OPCODE = 0xFE,
    ETW_INBAND_MAGIC = 0x5B,
    ETW_INBAND_ENVELOPE = 8
};

/* A manifest larger than this is dropped (counted in oversized). */
#define ETW_INBAND_MAX_MANIFEST (64u * 1024u * 1024u)

/* One reassembled manifest, owned by whoever took it. */
typedef struct etw_inband_manifest {
    etw_guid provider;
    uint8_t format;         /* envelope Format: 1 = SimpleXml (UTF-8 XML text) */
    uint8_t major, minor;   /* envelope versions */
    uint16_t chunks;        /* TotalChunks */
    uint8_t *data;          /* the concatenated chunk bodies (malloc'd), NUL-terminated */
    size_t len;             /* bytes, without the added NUL */
    uint64_t file_offset;   /* file offset of the buffer holding the last chunk */
} etw_inband_manifest;

typedef struct etw_inband_stats {
    uint64_t chunks;        /* manifest chunk records seen */
    uint64_t completed;     /* manifests completed (duplicates included) */
    uint64_t duplicates;    /* completed manifests identical to one already kept for the provider */
    uint64_t malformed;     /* chunks dropped: bad envelope, out of order, inconsistent totals */
    uint64_t oversized;     /* manifests dropped for exceeding ETW_INBAND_MAX_MANIFEST */
} etw_inband_stats;

typedef struct etw_inband etw_inband;

/* Returns NULL when out of memory. */
etw_inband *etw_inband_new(void);
void etw_inband_free(etw_inband *c);

/* True (1) when rec is an EventSource manifest chunk record (cheap test on
 * the header: manifest/TraceLogging kind, Id 0xFFFE, Opcode 0xFE). Never fails. */
int etw_inband_is_chunk(const etw_record *rec);

/* Producer side: looks at one record. Returns 1 when this record completed a
 * new manifest, 0 otherwise (not a chunk, a chunk in the middle, a dropped
 * chunk or a duplicate manifest), ETW_ERR_NOMEM (the partial manifest of that
 * provider is dropped). Malformed chunks are counted, never an error. */
int etw_inband_observe(etw_inband *c, const etw_record *rec);

/* Number of completed manifests waiting to be taken. Never fails. */
size_t etw_inband_pending(etw_inband *c);

/* Number of manifests ever queued (grows by one per new manifest): lets a
 * consumer tell whether anything arrived since it last looked. Never fails. */
uint64_t etw_inband_generation(etw_inband *c);

/* Consumer side: moves up to max waiting manifests, oldest first, into
 * out[0..n) (the caller owns them: etw_inband_manifest_clear each). Returns n
 * (0 when none are waiting). Never fails. */
size_t etw_inband_take(etw_inband *c, etw_inband_manifest *out, size_t max);

/* Frees the data of a taken manifest and zeroes it. Never fails. */
void etw_inband_manifest_clear(etw_inband_manifest *m);

/* Counters so far. Never fails. */
void etw_inband_get_stats(etw_inband *c, etw_inband_stats *out);

#endif /* ETW_INBAND_H */
