/* session.c - ETW controller calls (StartTraceW, ControlTraceW,
 * EnableTraceEx2, TraceSetInformation, QueryAllTracesW,
 * TdhEnumerateProviders) and the token privilege profiling needs, returning
 * plain Win32 codes. The property images
 * are built by python/etw/live.py; they are checked here before use. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0602 /* EnableTraceEx2 (Win7), TraceSetInformation (Win8) */
#endif
#include <windows.h>
#include <evntrace.h>
#include <evntcons.h>
#include <tdh.h>

#include <stdlib.h>
#include <string.h>

#include "live.h"

#define NAME_BYTES ((size_t)ETW_WIN_NAME_CHARS * sizeof(WCHAR))
#define MAX_FILTERS 13u /* evntprov.h MAX_EVENT_FILTERS_COUNT */

size_t etw_win_props_size(void) {
    return sizeof(EVENT_TRACE_PROPERTIES) + 2 * NAME_BYTES;
}

/* 1 when the UTF-16 string at off (bytes) is NUL-terminated inside len. */
static int wstr_inside(const uint8_t *p, size_t off, size_t len) {
    size_t i;
    for (i = off; i + 1 < len; i += 2)
        if (p[i] == 0 && p[i + 1] == 0) return 1;
    return 0;
}

unsigned long etw_win_props_check(const void *props, size_t len) {
    const EVENT_TRACE_PROPERTIES *p = (const EVENT_TRACE_PROPERTIES *)props;
    size_t lf, ln;
    if (!props || len < sizeof *p || len > 0xFFFFFFFFu) return ERROR_BAD_LENGTH;
    if (p->Wnode.BufferSize != len) return ERROR_BAD_LENGTH;
    if (!(p->Wnode.Flags & WNODE_FLAG_TRACED_GUID)) return ERROR_INVALID_PARAMETER;
    lf = p->LogFileNameOffset;
    ln = p->LoggerNameOffset;
    if (ln < sizeof *p || ln >= len || (ln & 1)) return ERROR_INVALID_PARAMETER;
    if (!wstr_inside((const uint8_t *)props, ln, len)) return ERROR_INVALID_PARAMETER;
    if (lf != 0) {
        if (lf < sizeof *p || lf >= len || (lf & 1)) return ERROR_INVALID_PARAMETER;
        if (!wstr_inside((const uint8_t *)props, lf, len)) return ERROR_INVALID_PARAMETER;
    }
    return ERROR_SUCCESS;
}

unsigned long etw_win_props_init(void *props, size_t len) {
    EVENT_TRACE_PROPERTIES *p = (EVENT_TRACE_PROPERTIES *)props;
    if (!props || len < etw_win_props_size()) return ERROR_BAD_LENGTH;
    memset(props, 0, len);
    p->Wnode.BufferSize = (ULONG)etw_win_props_size();
    p->Wnode.Flags = WNODE_FLAG_TRACED_GUID;
    p->LoggerNameOffset = (ULONG)sizeof *p;
    p->LogFileNameOffset = (ULONG)(sizeof *p + NAME_BYTES);
    return ERROR_SUCCESS;
}

unsigned long etw_win_start(const wchar_t *name, void *props, size_t len, uint64_t *handle) {
    TRACEHANDLE h = 0;
    ULONG rc = (ULONG)etw_win_props_check(props, len);
    *handle = 0;
    if (rc != ERROR_SUCCESS) return rc;
    if (!name || !name[0]) return ERROR_INVALID_PARAMETER;
    rc = StartTraceW(&h, name, (PEVENT_TRACE_PROPERTIES)props);
    if (rc == ERROR_SUCCESS) *handle = (uint64_t)h;
    return rc;
}

unsigned long etw_win_control(uint64_t handle, const wchar_t *name, void *props, size_t len,
                              unsigned long code) {
    ULONG rc = (ULONG)etw_win_props_check(props, len);
    if (rc != ERROR_SUCCESS) return rc;
    if (code > EVENT_TRACE_CONTROL_FLUSH) return ERROR_INVALID_PARAMETER;
    if (handle == 0 && (!name || !name[0])) return ERROR_INVALID_PARAMETER;
    return ControlTraceW((TRACEHANDLE)handle, handle ? NULL : name,
                         (PEVENT_TRACE_PROPERTIES)props, (ULONG)code);
}

unsigned long etw_win_enable(uint64_t handle, const etw_guid *provider, unsigned long control,
                             uint8_t level, uint64_t match_any, uint64_t match_all,
                             unsigned long timeout_ms, unsigned long enable_property,
                             const etw_win_filter *filters, unsigned nfilters) {
    ENABLE_TRACE_PARAMETERS params;
    EVENT_FILTER_DESCRIPTOR desc[MAX_FILTERS];
    GUID guid;
    unsigned i;
    if (nfilters > MAX_FILTERS || (nfilters && !filters) || !provider)
        return ERROR_INVALID_PARAMETER;
    if (control > EVENT_CONTROL_CODE_CAPTURE_STATE) return ERROR_INVALID_PARAMETER;
    memset(&params, 0, sizeof params);
    memset(desc, 0, sizeof desc);
    for (i = 0; i < nfilters; i++) {
        desc[i].Ptr = (ULONGLONG)(uintptr_t)filters[i].data;
        desc[i].Size = filters[i].size;
        desc[i].Type = filters[i].type;
    }
    params.Version = ENABLE_TRACE_PARAMETERS_VERSION_2;
    params.EnableProperty = (ULONG)enable_property;
    params.EnableFilterDesc = nfilters ? desc : NULL;
    params.FilterDescCount = nfilters;
    guid.Data1 = provider->data1;
    guid.Data2 = provider->data2;
    guid.Data3 = provider->data3;
    memcpy(guid.Data4, provider->data4, 8);
    return EnableTraceEx2((TRACEHANDLE)handle, &guid, (ULONG)control, level, match_any,
                          match_all, (ULONG)timeout_ms,
                          control == EVENT_CONTROL_CODE_DISABLE_PROVIDER ? NULL : &params);
}

unsigned long etw_win_stack_walk(uint64_t handle, const void *ids, unsigned long len) {
    if (!ids || len == 0 || len % 24 != 0) return ERROR_INVALID_PARAMETER;
    return TraceSetInformation((TRACEHANDLE)handle, TraceStackTracingInfo, (PVOID)ids,
                               (ULONG)len);
}

unsigned long etw_win_query_all(uint8_t *storage, unsigned max_sessions, unsigned *count) {
    PEVENT_TRACE_PROPERTIES ptrs[64];
    ULONG n = 0, rc;
    size_t each = etw_win_props_size();
    unsigned i;
    *count = 0;
    if (!storage || max_sessions == 0 || max_sessions > 64) return ERROR_INVALID_PARAMETER;
    for (i = 0; i < max_sessions; i++) {
        etw_win_props_init(storage + i * each, each);
        ptrs[i] = (PEVENT_TRACE_PROPERTIES)(void *)(storage + i * each);
    }
    rc = QueryAllTracesW(ptrs, (ULONG)max_sessions, &n);
    if (rc == ERROR_SUCCESS || rc == ERROR_MORE_DATA)
        *count = n > max_sessions ? max_sessions : (unsigned)n;
    return rc;
}

unsigned long etw_win_providers(void **out, unsigned long *size) {
    ULONG need = 0, rc;
    void *buf = NULL;
    *out = NULL;
    *size = 0;
    rc = TdhEnumerateProviders(NULL, &need);
    while (rc == ERROR_INSUFFICIENT_BUFFER) {
        void *nb = realloc(buf, need);
        if (!nb) {
            free(buf);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        buf = nb;
        rc = TdhEnumerateProviders((PPROVIDER_ENUMERATION_INFO)buf, &need);
    }
    if (rc != ERROR_SUCCESS) {
        free(buf);
        return rc;
    }
    *out = buf;
    *size = need;
    return ERROR_SUCCESS;
}

unsigned long etw_win_enable_privilege(const wchar_t *name, const char **api) {
    HANDLE token = NULL;
    TOKEN_PRIVILEGES tp;
    LUID luid;
    DWORD e;
    BOOL ok;
    *api = "etw_win_enable_privilege";
    if (!name || !name[0]) return ERROR_INVALID_PARAMETER;
    *api = "OpenProcessToken";
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token)) {
        e = GetLastError();
        return e ? e : ERROR_ACCESS_DENIED;
    }
    *api = "LookupPrivilegeValueW";
    if (!LookupPrivilegeValueW(NULL, name, &luid)) {
        e = GetLastError();
        CloseHandle(token);
        return e ? e : ERROR_NO_SUCH_PRIVILEGE;
    }
    memset(&tp, 0, sizeof tp);
    tp.PrivilegeCount = 1;
    tp.Privileges[0].Luid = luid;
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    *api = "AdjustTokenPrivileges";
    /* Success does not mean the privilege was enabled: the function also
     * succeeds when the token lacks it, and then sets ERROR_NOT_ALL_ASSIGNED. */
    SetLastError(ERROR_SUCCESS);
    ok = AdjustTokenPrivileges(token, FALSE, &tp, (DWORD)sizeof tp, NULL, NULL);
    e = GetLastError();
    CloseHandle(token);
    if (!ok) return e ? e : ERROR_ACCESS_DENIED;
    return e == ERROR_NOT_ALL_ASSIGNED ? ERROR_NOT_ALL_ASSIGNED : ERROR_SUCCESS;
}

int etw_win_tdh_usable(void) {
    /* Wine announces itself through ntdll's wine_get_version export. */
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    return !(nt && GetProcAddress(nt, "wine_get_version") != NULL);
}
