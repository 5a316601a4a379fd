/* consumer.c - a real-time consumer: OpenTraceW on named sessions,
 * ProcessTrace on a native thread, and an EventRecordCallback that turns each
 * EVENT_RECORD into an etw_record appended to a batch. Full batches (and, at
 * each delivered buffer or every 100 ms, partial ones) go through the core's
 * SPSC ring. The callback never calls Python and never waits: when the ring
 * is full the batch is dropped and its records counted. With a registry and
 * the TDH fallback (etw_live_set_registry), the first event of each key that
 * nothing else describes is looked up with TdhGetEventInformation (and its
 * maps with TdhGetEventMapInformation) on the same thread, once per key
 * (core/fallback.c), and the answer is registered for the decoder. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0602
#endif
#include <windows.h>
#include <evntrace.h>
#include <evntcons.h>
#include <tdh.h>

#include <stdlib.h>
#include <string.h>

#include "../core/atomics.h"
#include "../core/fallback.h"
#include "../core/platform.h"
#include "../core/ring.h"
#include "live.h"

#define MAX_TRACES 64u
#define FLUSH_NS 100000000ull /* push a partial batch after 100 ms */
#define LIVE_BATCH_RECORDS 1024u
#define LIVE_BATCH_DATA (256u * 1024u)

/* RTLostEvent (EventTrace class for real-time losses; PerfView RTLostEventGuid). */
static const etw_guid rt_lost_guid = {0x6a399ae0, 0x4bc6, 0x4de9,
                                      {0x87, 0x0b, 0x36, 0x57, 0xf8, 0x94, 0x7e, 0x7e}};

struct etw_live {
    etw_ring ring;
    EVENT_TRACE_LOGFILEW logfiles[MAX_TRACES];
    TRACEHANDLE handles[MAX_TRACES];
    wchar_t *names[MAX_TRACES];
    unsigned n;
    int raw_timestamps;
    etw_guid kernel_guids[256];
    etw_thread *thread;
    /* producer (ProcessTrace thread) only */
    etw_batch *batch;
    uint64_t last_push_ns;
    etw_record scratch;
    etw_ext_item scratch_ext[ETW_MAX_EXT_ITEMS];
    /* schemas: the registry (borrowed) and the TDH fallback (owned), or NULL */
    etw_registry *registry;
    etw_fallback *fallback;
    etw_fallback_source source;    /* TDH (tdh_event_info...) or a test's own */
    const EVENT_RECORD *tdh_event; /* the record being resolved */
    /* shared */
    etw_atomic_int stop;
    etw_atomic_int done;
    /* counters: written by the ProcessTrace thread, read by anyone (Interlocked) */
    volatile LONG64 events, dropped, lost_records, ext_truncated, batches, buffers;
    volatile LONG closed;  /* CloseTrace done (once) */
    unsigned long result;     /* written before `done` */
    const char *result_api;
};

static etw_guid guid_of(const GUID *g) {
    etw_guid out;
    out.data1 = g->Data1;
    out.data2 = g->Data2;
    out.data3 = g->Data3;
    memcpy(out.data4, g->Data4, 8);
    return out;
}

/* FILETIME 100 ns ticks -> ns since 1970 (saturating at the int64 range). */
static int64_t filetime_to_unix_ns(int64_t ft) {
    const int64_t epoch = 116444736000000000LL;
    int64_t d = ft - epoch;
    if (d > INT64_MAX / 100) return INT64_MAX;
    if (d < INT64_MIN / 100) return INT64_MIN;
    return d * 100;
}

unsigned etw_live_record_from_event(const void *event_record, int raw_timestamps,
                                    const etw_guid *kernel_guids, etw_record *rec,
                                    etw_ext_item *ext) {
    const EVENT_RECORD *er = (const EVENT_RECORD *)event_record;
    const EVENT_HEADER *h = &er->EventHeader;
    unsigned i, n = er->ExtendedDataCount, dropped = 0;
    int has_tl = 0;
    memset(rec, 0, sizeof *rec);
    rec->timestamp = h->TimeStamp.QuadPart;
    rec->filetime = raw_timestamps ? 0 : h->TimeStamp.QuadPart;
    rec->time_ns = raw_timestamps ? 0 : filetime_to_unix_ns(h->TimeStamp.QuadPart);
    rec->keyword = h->EventDescriptor.Keyword;
    rec->provider_id = guid_of(&h->ProviderId);
    rec->activity_id = guid_of(&h->ActivityId);
    rec->thread_id = h->ThreadId;
    rec->process_id = h->ProcessId;
    rec->kernel_time = h->KernelTime;
    rec->user_time = h->UserTime;
    rec->flags = h->Flags;
    rec->event_property = h->EventProperty;
    rec->id = h->EventDescriptor.Id;
    rec->task = h->EventDescriptor.Task;
    rec->version = h->EventDescriptor.Version;
    rec->channel = h->EventDescriptor.Channel;
    rec->level = h->EventDescriptor.Level;
    rec->opcode = h->EventDescriptor.Opcode;
    rec->processor = er->BufferContext.ProcessorIndex;
    rec->logger_id = er->BufferContext.LoggerId;
    rec->pointer_size = (h->Flags & EVENT_HEADER_FLAG_32_BIT_HEADER) ? 4
                        : (h->Flags & EVENT_HEADER_FLAG_64_BIT_HEADER) ? 8
                                                                       : (uint8_t)sizeof(void *);
    rec->raw = NULL;
    rec->raw_size = h->Size;
    rec->user_data = (const uint8_t *)er->UserData;
    rec->user_data_length = er->UserData ? er->UserDataLength : 0;
    if (n > ETW_MAX_EXT_ITEMS) {
        dropped = n - ETW_MAX_EXT_ITEMS;
        n = ETW_MAX_EXT_ITEMS;
    }
    if (!er->ExtendedData) n = 0;
    for (i = 0; i < n; i++) {
        const EVENT_HEADER_EXTENDED_DATA_ITEM *it = &er->ExtendedData[i];
        ext[i].type = it->ExtType;
        ext[i].size = it->DataSize;
        ext[i].data = (const uint8_t *)(uintptr_t)it->DataPtr;
        if (it->ExtType == ETW_EXT_EVENT_SCHEMA_TL) has_tl = 1;
    }
    rec->ext_count = (uint16_t)n;
    rec->ext = ext;
    if (h->Flags & EVENT_HEADER_FLAG_TRACE_MESSAGE) {
        rec->kind = ETW_KIND_WPP;
        rec->header_type = ETW_HT_MESSAGE;
    } else if (h->Flags & EVENT_HEADER_FLAG_CLASSIC_HEADER) {
        rec->kind = ETW_KIND_CLASSIC;
        rec->header_type = rec->pointer_size == 4 ? ETW_HT_FULL32 : ETW_HT_FULL64;
        if (kernel_guids) {
            for (i = 0; i < 256; i++) {
                if (!etw_guid_is_zero(&kernel_guids[i]) &&
                    etw_guid_eq(&kernel_guids[i], &rec->provider_id)) {
                    rec->kind = ETW_KIND_KERNEL;
                    rec->group = (uint8_t)i;
                    rec->header_type = rec->pointer_size == 4 ? ETW_HT_SYSTEM32
                                                              : ETW_HT_SYSTEM64;
                    rec->raw_version = rec->version;
                    break;
                }
            }
        }
    } else {
        rec->kind = has_tl ? ETW_KIND_TRACELOGGING : ETW_KIND_MANIFEST;
        rec->header_type = rec->pointer_size == 4 ? ETW_HT_EVENT32 : ETW_HT_EVENT64;
    }
    return dropped;
}

/* Pushes the current batch without waiting; a full ring drops it. */
static void push_batch(etw_live *c) {
    etw_batch *b = c->batch;
    c->batch = NULL;
    c->last_push_ns = etw_monotonic_ns();
    if (!b) return;
    if (b->count == 0) {
        etw_batch_free(b);
        return;
    }
    if (etw_ring_try_push(&c->ring, b)) {
        InterlockedExchangeAdd64(&c->batches, (LONG64)(1));
        etw_ring_notify(&c->ring);
    } else {
        InterlockedExchangeAdd64(&c->dropped, (LONG64)(b->count));
        etw_batch_free(b);
    }
}

/* Calls a TDH query that fills a caller-sized buffer until the buffer is big
 * enough; *out gets the malloc'd result. Returns the final TDH status. */
static unsigned long tdh_query(const EVENT_RECORD *er, const wchar_t *map_name, uint8_t **out,
                               size_t *len) {
    ULONG size = 0, st;
    uint8_t *buf = NULL;
    int tries;
    PEVENT_RECORD ev = (PEVENT_RECORD)(uintptr_t)er;
    st = map_name ? TdhGetEventMapInformation(ev, (LPWSTR)(uintptr_t)map_name, NULL, &size)
                  : TdhGetEventInformation(ev, 0, NULL, NULL, &size);
    for (tries = 0; st == ERROR_INSUFFICIENT_BUFFER && tries < 4; tries++) {
        uint8_t *nb = (uint8_t *)realloc(buf, size ? size : 1);
        if (!nb) {
            free(buf);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        buf = nb;
        st = map_name ? TdhGetEventMapInformation(ev, (LPWSTR)(uintptr_t)map_name,
                                                  (PEVENT_MAP_INFO)(void *)buf, &size)
                      : TdhGetEventInformation(ev, 0, NULL, (PTRACE_EVENT_INFO)(void *)buf,
                                               &size);
    }
    if (st != ERROR_SUCCESS || !buf) {
        free(buf);
        return st != ERROR_SUCCESS ? st : ERROR_NOT_FOUND;
    }
    *out = buf;
    *len = size;
    return ERROR_SUCCESS;
}

/* etw_fallback_source callbacks: TDH on the EVENT_RECORD being delivered. */
static unsigned long tdh_event_info(void *ctx, const etw_record *rec, uint8_t **out,
                                    size_t *len) {
    (void)rec;
    return tdh_query(((etw_live *)ctx)->tdh_event, NULL, out, len);
}

static unsigned long tdh_map_info(void *ctx, const etw_record *rec, const char *name,
                                  uint8_t **out, size_t *len) {
    wchar_t wname[512];
    (void)rec;
    if (!MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, (int)(sizeof wname / sizeof *wname)))
        return GetLastError() ? GetLastError() : ERROR_INVALID_PARAMETER;
    return tdh_query(((etw_live *)ctx)->tdh_event, wname, out, len);
}

unsigned long etw_live_set_fallback(etw_live *c, etw_registry *registry,
                                    const etw_fallback_source *src) {
    if (!c || c->thread || (src && (!registry || !src->event_info)))
        return ERROR_INVALID_PARAMETER;
    etw_fallback_free(c->fallback);
    c->fallback = NULL;
    c->registry = registry;
    if (src) {
        if (!(c->fallback = etw_fallback_new(0))) return ERROR_NOT_ENOUGH_MEMORY;
        c->source = *src;
    }
    return ERROR_SUCCESS;
}

unsigned long etw_live_set_registry(etw_live *c, etw_registry *registry, int tdh) {
    etw_fallback_source src;
    memset(&src, 0, sizeof src);
    if (!c) return ERROR_INVALID_PARAMETER;
    if (!tdh || !registry) return etw_live_set_fallback(c, registry, NULL);
    if (!etw_win_tdh_usable()) {
        unsigned long rc = etw_live_set_fallback(c, registry, NULL);
        return rc ? rc : ERROR_CALL_NOT_IMPLEMENTED;
    }
    src.ctx = c;
    src.schema_source = ETW_SRC_TDH;
    src.event_info = tdh_event_info;
    src.map_info = tdh_map_info;
    return etw_live_set_fallback(c, registry, &src);
}

void etw_live_get_fallback_stats(etw_live *c, etw_fallback_stats *out) {
    etw_fallback_get_stats(c ? c->fallback : NULL, out);
}

void etw_live_deliver(etw_live *c, const void *event_record) {
    const EVENT_RECORD *er = (const EVENT_RECORD *)event_record;
    unsigned cut;
    if (etw_atomic_load_int(&c->stop)) return;
    cut = etw_live_record_from_event(er, c->raw_timestamps, c->kernel_guids, &c->scratch,
                                     c->scratch_ext);
    if (c->fallback) {
        /* First event of a key nothing describes: ask TDH now, while the
         * EVENT_RECORD is valid (out of memory only loses the schema). */
        c->tdh_event = er;
        (void)etw_fallback_resolve(c->fallback, c->registry, &c->scratch, &c->source);
        c->tdh_event = NULL;
    }
    if (cut) InterlockedExchangeAdd64(&c->ext_truncated, (LONG64)(1));
    if (etw_guid_eq(&c->scratch.provider_id, &rt_lost_guid))
        InterlockedExchangeAdd64(&c->lost_records, (LONG64)(1));
    if (!c->batch && !(c->batch = etw_batch_new(LIVE_BATCH_RECORDS, LIVE_BATCH_DATA))) {
        InterlockedExchangeAdd64(&c->dropped, (LONG64)(1));
        return;
    }
    if (!etw_batch_append(c->batch, &c->scratch)) {
        push_batch(c);
        c->batch = etw_batch_new(LIVE_BATCH_RECORDS, LIVE_BATCH_DATA);
        if (!c->batch || !etw_batch_append(c->batch, &c->scratch)) {
            /* No memory, or a record larger than a whole batch. */
            InterlockedExchangeAdd64(&c->dropped, (LONG64)(1));
            return;
        }
    }
    InterlockedExchangeAdd64(&c->events, (LONG64)(1));
    if (etw_monotonic_ns() - c->last_push_ns >= FLUSH_NS) push_batch(c);
}

void etw_live_flush(etw_live *c) { push_batch(c); }

static VOID WINAPI on_event(PEVENT_RECORD er) {
    etw_live *c = (etw_live *)er->UserContext;
    if (c) etw_live_deliver(c, er);
}

/* 1 when the consumer has taken every pushed batch. */
static int ring_empty(etw_live *c) {
    return etw_atomic_load(&c->ring.head) == etw_atomic_load(&c->ring.tail);
}

static ULONG WINAPI on_buffer(PEVENT_TRACE_LOGFILEW lf) {
    etw_live *c = (etw_live *)lf->Context;
    if (!c) return TRUE;
    InterlockedExchangeAdd64(&c->buffers, (LONG64)(1));
    /* End of a delivered buffer: hand over the partial batch when the consumer
     * is idle (latency) or it has waited 10 ms; otherwise keep filling it, so
     * a busy session does not fill the ring with small batches. */
    if (c->batch && c->batch->count &&
        (ring_empty(c) || etw_monotonic_ns() - c->last_push_ns >= FLUSH_NS / 10))
        push_batch(c);
    return etw_atomic_load_int(&c->stop) ? FALSE : TRUE;
}

unsigned long etw_live_new_detached(size_t ring_capacity, int raw_timestamps, etw_live **out) {
    etw_live *c;
    unsigned i;
    *out = NULL;
    c = (etw_live *)calloc(1, sizeof *c);
    if (!c) return ERROR_NOT_ENOUGH_MEMORY;
    if (etw_ring_init(&c->ring, ring_capacity ? ring_capacity : 64) != ETW_OK) {
        free(c);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    etw_atomic_init(&c->stop, 0);
    etw_atomic_init(&c->done, 0);
    c->raw_timestamps = raw_timestamps;
    c->last_push_ns = etw_monotonic_ns();
    for (i = 0; i < 256; i++) {
        etw_guid g;
        if (etw_kernel_group_guid((uint8_t)i, 0, &g)) c->kernel_guids[i] = g;
    }
    *out = c;
    return ERROR_SUCCESS;
}

unsigned long etw_live_open(const wchar_t *const *names, unsigned n, int raw_timestamps,
                            size_t ring_capacity, etw_live **out, const char **api) {
    etw_live *c;
    unsigned i;
    unsigned long rc;
    *out = NULL;
    *api = "etw_live_open";
    if (!names || n == 0 || n > MAX_TRACES) return ERROR_INVALID_PARAMETER;
    rc = etw_live_new_detached(ring_capacity, raw_timestamps, &c);
    if (rc != ERROR_SUCCESS) return rc;
    for (i = 0; i < n; i++) c->handles[i] = INVALID_PROCESSTRACE_HANDLE;
    for (i = 0; i < n; i++) {
        size_t len = wcslen(names[i]);
        EVENT_TRACE_LOGFILEW *lf = &c->logfiles[i];
        c->names[i] = (wchar_t *)malloc((len + 1) * sizeof(wchar_t));
        if (!c->names[i]) {
            c->n = i;
            etw_live_free(c);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        memcpy(c->names[i], names[i], (len + 1) * sizeof(wchar_t));
        lf->LoggerName = c->names[i];
        lf->ProcessTraceMode = PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD |
                               (raw_timestamps ? PROCESS_TRACE_MODE_RAW_TIMESTAMP : 0);
        lf->EventRecordCallback = on_event;
        lf->BufferCallback = on_buffer;
        lf->Context = c;
        c->handles[i] = OpenTraceW(lf);
        if (c->handles[i] == INVALID_PROCESSTRACE_HANDLE) {
            DWORD e = GetLastError();
            c->n = i;
            etw_live_free(c);
            *api = "OpenTraceW";
            return e ? e : ERROR_INVALID_HANDLE;
        }
    }
    c->n = n;
    *api = NULL;
    *out = c;
    return ERROR_SUCCESS;
}

static void process_main(void *arg) {
    etw_live *c = (etw_live *)arg;
    ULONG rc;
    c->last_push_ns = etw_monotonic_ns();
    rc = ProcessTrace(c->handles, (ULONG)c->n, NULL, NULL);
    push_batch(c);
    c->result = rc;
    c->result_api = "ProcessTrace";
    etw_atomic_store_int(&c->done, 1);
    etw_ring_notify(&c->ring);
}

unsigned long etw_live_start(etw_live *c) {
    if (c->thread) return ERROR_SUCCESS;
    if (etw_thread_start(&c->thread, process_main, c) != ETW_OK) {
        c->thread = NULL;
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    return ERROR_SUCCESS;
}

etw_batch *etw_live_next(etw_live *c, unsigned timeout_ms, int *finished) {
    etw_batch *b = (etw_batch *)etw_ring_try_pop(&c->ring);
    *finished = 0;
    if (b) return b;
    if (!c->thread || etw_atomic_load_int(&c->done)) {
        b = (etw_batch *)etw_ring_try_pop(&c->ring);
        if (!b) *finished = 1;
        return b;
    }
    etw_ring_wait(&c->ring, 1, timeout_ms, &c->done);
    return (etw_batch *)etw_ring_try_pop(&c->ring);
}

void etw_live_stop(etw_live *c) {
    unsigned i;
    if (!c) return;
    etw_atomic_store_int(&c->stop, 1);
    if (InterlockedExchange(&c->closed, 1)) return;
    for (i = 0; i < c->n; i++)
        if (c->handles[i] != INVALID_PROCESSTRACE_HANDLE) CloseTrace(c->handles[i]);
}

void etw_live_result(etw_live *c, unsigned long *code, const char **api) {
    *code = etw_atomic_load_int(&c->done) ? c->result : 0;
    *api = c->result_api ? c->result_api : "ProcessTrace";
}

void etw_live_get_stats(etw_live *c, etw_live_stats *s) {
    memset(s, 0, sizeof *s);
    s->events = (uint64_t)InterlockedExchangeAdd64(&c->events, 0);
    s->dropped = (uint64_t)InterlockedExchangeAdd64(&c->dropped, 0);
    s->lost_event_records = (uint64_t)InterlockedExchangeAdd64(&c->lost_records, 0);
    s->ext_truncated = (uint64_t)InterlockedExchangeAdd64(&c->ext_truncated, 0);
    s->batches = (uint64_t)InterlockedExchangeAdd64(&c->batches, 0);
    s->buffers_read = (uint64_t)InterlockedExchangeAdd64(&c->buffers, 0);
    s->stopped_by_user = etw_atomic_load_int(&c->stop);
}

void etw_live_free(etw_live *c) {
    etw_batch *b;
    unsigned i;
    if (!c) return;
    etw_live_stop(c);
    if (c->thread) {
        /* ProcessTrace returns once its traces are closed; keep the ring
         * drained meanwhile (the callback never waits on it anyway). */
        while (!etw_atomic_load_int(&c->done)) {
            while ((b = (etw_batch *)etw_ring_try_pop(&c->ring)) != NULL) etw_batch_free(b);
            etw_ring_wait(&c->ring, 1, 10, &c->done);
        }
        etw_thread_join(c->thread);
    }
    while ((b = (etw_batch *)etw_ring_try_pop(&c->ring)) != NULL) etw_batch_free(b);
    if (c->batch) etw_batch_free(c->batch);
    etw_fallback_free(c->fallback);
    for (i = 0; i < MAX_TRACES; i++) free(c->names[i]);
    etw_ring_destroy(&c->ring);
    free(c);
}
