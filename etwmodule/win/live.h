/* live.h - the Windows live backend: thin wrappers over the ETW controller
 * API (session.c) and a real-time consumer whose ProcessTrace thread copies
 * each EVENT_RECORD into batches pushed through the core's SPSC ring
 * (consumer.c). Nothing here calls Python; every failing call returns the
 * plain Win32 error code and names the API that produced it. The structure
 * bytes (EVENT_TRACE_PROPERTIES, filters) are built portably by
 * python/etw/live.py; this side checks them and hands them to Windows. */
#ifndef ETW_WIN_LIVE_H
#define ETW_WIN_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/batch.h"
#include "../core/fallback.h"
#include "../core/schema.h"

/* ---- session.c -------------------------------------------------------- */

/* Room the property buffers reserve for each name (UTF-16 units, NUL included),
 * as python/etw/live.py MAX_NAME_CHARS. */
#define ETW_WIN_NAME_CHARS 1024u
/* Size of one property buffer (structure + logger name + log file name). */
size_t etw_win_props_size(void);

/* One EVENT_FILTER_DESCRIPTOR's type and data (copied by Windows). */
typedef struct etw_win_filter {
    uint32_t type;
    uint32_t size;
    const void *data;
} etw_win_filter;

/* Checks an EVENT_TRACE_PROPERTIES image of len bytes before Windows sees it:
 * Wnode.BufferSize == len, TRACED_GUID set, name offsets after the structure,
 * even and inside, logger name NUL-terminated. Returns 0 when usable, else
 * ERROR_BAD_LENGTH (24) or ERROR_INVALID_PARAMETER (87). */
unsigned long etw_win_props_check(const void *props, size_t len);

/* Fills props (etw_win_props_size() bytes, zeroed here) for a query or stop by
 * name: sizes, TRACED_GUID and both name offsets. Returns 0, or
 * ERROR_BAD_LENGTH when len is too small. */
unsigned long etw_win_props_init(void *props, size_t len);

/* StartTraceW(name, props). On success *handle is the session handle. Returns
 * the Win32 code (0 on success; 183 when the name is in use, 5 when not
 * elevated, 1450 when the session limit is reached). */
unsigned long etw_win_start(const wchar_t *name, void *props, size_t len, uint64_t *handle);

/* ControlTraceW(handle or name, props, code): 0 QUERY, 1 STOP, 2 UPDATE,
 * 3 FLUSH. Returns the Win32 code (4201 when no such session runs). */
unsigned long etw_win_control(uint64_t handle, const wchar_t *name, void *props, size_t len,
                              unsigned long code);

/* EnableTraceEx2 with ENABLE_TRACE_PARAMETERS version 2 built from the
 * arguments and filters (nfilters <= 13). Returns the Win32 code
 * (ERROR_INVALID_PARAMETER when nfilters is too large). */
unsigned long etw_win_enable(uint64_t handle, const etw_guid *provider, unsigned long control,
                             uint8_t level, uint64_t match_any, uint64_t match_all,
                             unsigned long timeout_ms, unsigned long enable_property,
                             const etw_win_filter *filters, unsigned nfilters);

/* TraceSetInformation(TraceStackTracingInfo) with CLASSIC_EVENT_ID bytes.
 * Returns the Win32 code. */
unsigned long etw_win_stack_walk(uint64_t handle, const void *ids, unsigned long len);

/* QueryAllTracesW into `storage` (max_sessions property buffers of
 * etw_win_props_size() bytes each, initialised here); *count = sessions
 * returned. Returns the Win32 code (ERROR_MORE_DATA keeps the first ones). */
unsigned long etw_win_query_all(uint8_t *storage, unsigned max_sessions, unsigned *count);

/* TdhEnumerateProviders: on success *out is a malloc'd PROVIDER_ENUMERATION_INFO
 * (free() it) of *size bytes. Returns the Win32 code. */
unsigned long etw_win_providers(void **out, unsigned long *size);

/* Enables privilege `name` (e.g. L"SeSystemProfilePrivilege", which profiling
 * sessions need) in this process's token: OpenProcessToken, LookupPrivilegeValueW,
 * AdjustTokenPrivileges. *api names the last API called. Returns 0 when enabled,
 * ERROR_NOT_ALL_ASSIGNED (1300) when the token does not hold the privilege (not
 * elevated), ERROR_INVALID_PARAMETER for a NULL/empty name, else the failing
 * call's Win32 code (1313 ERROR_NO_SUCH_PRIVILEGE for an unknown name). */
unsigned long etw_win_enable_privilege(const wchar_t *name, const char **api);

/* 1 when TdhGetEventInformation / TdhGetEventMapInformation may be called:
 * always on Windows; 0 under Wine, whose tdh.dll (Wine 8) exports them as
 * stubs that abort the process when called. Never fails. */
int etw_win_tdh_usable(void);

/* ---- consumer.c ------------------------------------------------------- */

typedef struct etw_live etw_live;

typedef struct etw_live_stats {
    uint64_t events;             /* records appended to batches */
    uint64_t dropped;            /* records lost because the ring was full / no memory */
    uint64_t lost_event_records; /* RTLostEvent records delivered by ETW */
    uint64_t ext_truncated;      /* records with more than ETW_MAX_EXT_ITEMS ext items */
    uint64_t batches;            /* batches pushed */
    uint64_t buffers_read;       /* BufferCallback calls */
    int stopped_by_user;         /* etw_live_stop was called */
} etw_live_stats;

/* Opens real-time sessions (names) for a consumer with OpenTraceW. On failure
 * returns the Win32 code, *api names the function ("OpenTraceW",
 * "etw_live_open" for our own allocation failures) and nothing stays open.
 * raw_timestamps selects PROCESS_TRACE_MODE_RAW_TIMESTAMP. */
unsigned long etw_live_open(const wchar_t *const *names, unsigned n, int raw_timestamps,
                            size_t ring_capacity, etw_live **out, const char **api);

/* A consumer with no trace (for tests, and the building block of
 * etw_live_open): records come only through etw_live_deliver. Returns 0 or
 * ERROR_NOT_ENOUGH_MEMORY. */
unsigned long etw_live_new_detached(size_t ring_capacity, int raw_timestamps, etw_live **out);

/* What the EventRecordCallback does with one EVENT_RECORD (passed as void*):
 * convert, append to the current batch, push full batches without waiting
 * (a full ring drops the batch and counts its records). Call only from the
 * one producer thread. Never fails (losses are counted). */
void etw_live_deliver(etw_live *c, const void *event_record);
/* Pushes the current partial batch now (same drop rule). Never fails. */
void etw_live_flush(etw_live *c);

/* Gives the consumer a schema registry (borrowed: it must outlive the
 * consumer) and, with tdh nonzero, the TDH fallback: the first event of each
 * key that the registry and the kernel tables do not describe is looked up
 * with TdhGetEventInformation (maps with TdhGetEventMapInformation) on the
 * ProcessTrace thread, once per key, and registered (core/fallback.h). NULL
 * registry: none. Call before etw_live_start. Returns 0,
 * ERROR_CALL_NOT_IMPLEMENTED when TDH cannot be used here (Wine: the registry
 * is set, without fallback), ERROR_INVALID_PARAMETER (NULL consumer, or
 * already started) or ERROR_NOT_ENOUGH_MEMORY. */
unsigned long etw_live_set_registry(etw_live *c, etw_registry *registry, int tdh);

/* Same with any fallback source (src copied; NULL: no fallback), e.g. a
 * test's own in place of TDH. Returns 0, ERROR_INVALID_PARAMETER (also for a
 * source without registry or event_info) or ERROR_NOT_ENOUGH_MEMORY. */
unsigned long etw_live_set_fallback(etw_live *c, etw_registry *registry,
                                    const etw_fallback_source *src);

/* The TDH fallback's counters (zeros without one). Never fails. */
void etw_live_get_fallback_stats(etw_live *c, etw_fallback_stats *out);

/* Starts ProcessTrace on a native thread. Returns 0 or ERROR_NOT_ENOUGH_MEMORY. */
unsigned long etw_live_start(etw_live *c);

/* Consumer side: next batch (caller frees it with etw_batch_free), NULL with
 * *finished = 1 when ProcessTrace returned and the ring is drained, or NULL
 * with *finished = 0 on timeout. Never fails otherwise. */
etw_batch *etw_live_next(etw_live *c, unsigned timeout_ms, int *finished);

/* Closes the traces: ProcessTrace returns after its current buffer. Safe
 * from any thread, any number of times. Never fails. */
void etw_live_stop(etw_live *c);

/* After *finished: ProcessTrace's return code and the API name. Never fails. */
void etw_live_result(etw_live *c, unsigned long *code, const char **api);

/* Current counters (read while running: approximate). Never fails. */
void etw_live_get_stats(etw_live *c, etw_live_stats *s);

/* Stops (if needed), joins the thread and frees everything. NULL is fine. */
void etw_live_free(etw_live *c);

/* Fills rec from an EVENT_RECORD (pointer passed as void* so that callers need
 * not include evntcons.h); ext receives up to ETW_MAX_EXT_ITEMS items and
 * kernel_guids (256 entries, zero GUID = unknown group, may be NULL) turns
 * classic records of kernel classes into ETW_KIND_KERNEL. Returns the number
 * of extended items dropped because there were more than ETW_MAX_EXT_ITEMS. */
unsigned etw_live_record_from_event(const void *event_record, int raw_timestamps,
                                    const etw_guid *kernel_guids, etw_record *rec,
                                    etw_ext_item *ext);

#endif /* ETW_WIN_LIVE_H */
