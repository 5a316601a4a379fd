/* platform_win.c - the OS services of ../core/platform.h on Win32: native
 * threads, an SRW lock with a condition variable, positioned reads through
 * ReadFile with an OVERLAPPED offset, and QueryPerformanceCounter as the
 * monotonic clock. Only this directory includes windows.h. On error,
 * etw_error.sys_errno holds the GetLastError() code (a Win32 error, not an
 * errno value). */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600 /* SRWLOCK and CONDITION_VARIABLE need Vista */
#endif
#include <windows.h>

#include <stdlib.h>

#include "../core/platform.h"

#if _WIN32_WINNT < 0x0600
#error "platform_win.c needs _WIN32_WINNT >= 0x0600 (SRW locks, condition variables)"
#endif

struct etw_thread {
    HANDLE handle;
    etw_thread_fn fn;
    void *arg;
};

struct etw_mutex {
    SRWLOCK lock;
};

struct etw_cond {
    CONDITION_VARIABLE cv;
};

struct etw_file {
    HANDLE handle;
};

/* Stores a Win32 error in err (when non-NULL) and returns ETW_ERR_IO. */
static int io_error(etw_error *err, DWORD code, uint64_t offset, const char *what) {
    etw_error_set(err, ETW_ERR_IO, offset, "%s failed (Windows error %lu)", what,
                  (unsigned long)code);
    if (err)
        err->sys_errno = (int)code;
    return ETW_ERR_IO;
}

/* ---- threads ---------------------------------------------------------- */

static DWORD WINAPI thread_main(LPVOID param) {
    etw_thread *t = (etw_thread *)param;
    t->fn(t->arg);
    return 0;
}

/* Returns ETW_ERR_NOMEM (and *out = NULL) when the thread could not be made,
 * ETW_ERR_ARG when out or fn is NULL. */
int etw_thread_start(etw_thread **out, etw_thread_fn fn, void *arg) {
    etw_thread *t;
    if (!out || !fn)
        return ETW_ERR_ARG;
    *out = NULL;
    t = (etw_thread *)malloc(sizeof *t);
    if (!t)
        return ETW_ERR_NOMEM;
    t->fn = fn;
    t->arg = arg;
    t->handle = CreateThread(NULL, 0, thread_main, t, 0, NULL);
    if (!t->handle) {
        free(t);
        return ETW_ERR_NOMEM;
    }
    *out = t;
    return ETW_OK;
}

/* Returns ETW_ERR_ARG when t is NULL or the wait failed (t is freed anyway). */
int etw_thread_join(etw_thread *t) {
    DWORD rc;
    if (!t)
        return ETW_ERR_ARG;
    rc = WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    free(t);
    return rc == WAIT_OBJECT_0 ? ETW_OK : ETW_ERR_ARG;
}

/* ---- mutex and condition variable ------------------------------------- */

/* Returns NULL when out of memory. */
unsigned etw_cpu_count(void) {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors ? (unsigned)si.dwNumberOfProcessors : 1u;
}

etw_mutex *etw_mutex_new(void) {
    etw_mutex *m = (etw_mutex *)malloc(sizeof *m);
    if (m)
        InitializeSRWLock(&m->lock);
    return m;
}

/* Cannot fail (NULL is ignored). An SRW lock needs no destruction. */
void etw_mutex_free(etw_mutex *m) {
    free(m);
}

/* Cannot fail. SRW locks are not recursive: never lock twice on one thread. */
void etw_mutex_lock(etw_mutex *m) {
    AcquireSRWLockExclusive(&m->lock);
}

/* Cannot fail. */
void etw_mutex_unlock(etw_mutex *m) {
    ReleaseSRWLockExclusive(&m->lock);
}

/* Returns NULL when out of memory. */
etw_cond *etw_cond_new(void) {
    etw_cond *c = (etw_cond *)malloc(sizeof *c);
    if (c)
        InitializeConditionVariable(&c->cv);
    return c;
}

/* Cannot fail (NULL is ignored). */
void etw_cond_free(etw_cond *c) {
    free(c);
}

/* Returns 1 when woken (signal or spurious), 0 on timeout or failure. The
 * caller holds m; it is held again on return. */
int etw_cond_wait_ms(etw_cond *c, etw_mutex *m, unsigned timeout_ms) {
    /* INFINITE is 0xFFFFFFFF: clamp so a huge finite wait stays finite. */
    DWORD ms = timeout_ms >= (unsigned)INFINITE ? (DWORD)INFINITE - 1u : (DWORD)timeout_ms;
    if (SleepConditionVariableSRW(&c->cv, &m->lock, ms, 0))
        return 1;
    return 0; /* ERROR_TIMEOUT, or a failure we treat the same way */
}

/* Cannot fail. */
void etw_cond_broadcast(etw_cond *c) {
    WakeAllConditionVariable(&c->cv);
}

/* ---- files ------------------------------------------------------------ */

/* Returns ETW_ERR_IO (sys_errno = Win32 error; ERROR_NO_UNICODE_TRANSLATION
 * for a path that is not valid UTF-8, ERROR_INVALID_PARAMETER for NULL
 * arguments) or ETW_ERR_NOMEM. */
int etw_file_open(const char *path, etw_file **out, etw_error *err) {
    int wlen;
    wchar_t *wpath;
    HANDLE h;
    DWORD code;
    etw_file *f;

    if (out)
        *out = NULL;
    if (!path || !out)
        return io_error(err, ERROR_INVALID_PARAMETER, 0, "open");
    /* Size in wide characters, terminating NUL included (cbMultiByte = -1). */
    wlen = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, NULL, 0);
    if (wlen <= 0)
        return io_error(err, GetLastError(), 0, "open (UTF-8 path conversion)");
    wpath = (wchar_t *)malloc((size_t)wlen * sizeof(wchar_t));
    if (!wpath)
        return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory opening file");
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath, wlen) != wlen) {
        code = GetLastError();
        free(wpath);
        return io_error(err, code, 0, "open (UTF-8 path conversion)");
    }
    /* Share write and delete too: a live logger may still be writing the
     * file, and readers must not stop others from removing it. */
    h = CreateFileW(wpath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    code = GetLastError();
    free(wpath);
    if (h == INVALID_HANDLE_VALUE)
        return io_error(err, code, 0, "open");
    f = (etw_file *)malloc(sizeof *f);
    if (!f) {
        CloseHandle(h);
        return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory opening file");
    }
    f->handle = h;
    *out = f;
    return ETW_OK;
}

/* Returns ETW_ERR_IO (sys_errno = Win32 error) when the size is unknown. */
int etw_file_size(etw_file *f, uint64_t *size, etw_error *err) {
    LARGE_INTEGER li;
    if (!f || !size)
        return io_error(err, ERROR_INVALID_PARAMETER, 0, "file size");
    if (!GetFileSizeEx(f->handle, &li))
        return io_error(err, GetLastError(), 0, "file size");
    if (li.QuadPart < 0)
        return io_error(err, ERROR_INVALID_DATA, 0, "file size");
    *size = (uint64_t)li.QuadPart;
    return ETW_OK;
}

/* Returns ETW_ERR_IO (sys_errno = Win32 error; *got = bytes read before the
 * failure). Reaching end of file early is not an error: *got is short. */
int etw_file_pread(etw_file *f, void *buf, size_t len, uint64_t offset, size_t *got,
                   etw_error *err) {
    unsigned char *p = (unsigned char *)buf;
    size_t done = 0;
    size_t dummy;

    if (!got)
        got = &dummy;
    *got = 0;
    if (!f || (!buf && len))
        return io_error(err, ERROR_INVALID_PARAMETER, offset, "read");
    if (len > UINT64_MAX - offset)
        return io_error(err, ERROR_INVALID_PARAMETER, offset, "read");
    while (done < len) {
        /* ReadFile takes a DWORD count: read in chunks of at most 1 GiB. */
        size_t rest = len - done;
        DWORD want = rest > ((size_t)1 << 30) ? (DWORD)1 << 30 : (DWORD)rest;
        DWORD n = 0;
        uint64_t pos = offset + done;
        OVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.Offset = (DWORD)(pos & 0xFFFFFFFFu);
        ov.OffsetHigh = (DWORD)(pos >> 32);
        /* The handle is synchronous: the call completes before returning and
         * the offset comes from ov, so concurrent readers do not share a file
         * pointer. */
        if (!ReadFile(f->handle, p + done, want, &n, &ov)) {
            DWORD code = GetLastError();
            if (code == ERROR_HANDLE_EOF)
                break; /* offset at or past end of file */
            *got = done;
            return io_error(err, code, pos, "read");
        }
        if (n == 0)
            break; /* end of file */
        done += n;
    }
    *got = done;
    return ETW_OK;
}

/* Cannot fail (NULL is ignored). */
void etw_file_close(etw_file *f) {
    if (!f)
        return;
    CloseHandle(f->handle);
    free(f);
}

/* ---- clock ------------------------------------------------------------ */

/* Returns 0 if the performance counter is unavailable (never on XP and later). */
uint64_t etw_monotonic_ns(void) {
    LARGE_INTEGER freq, now;
    uint64_t f, c;
    if (!QueryPerformanceFrequency(&freq) || freq.QuadPart <= 0)
        return 0;
    QueryPerformanceCounter(&now);
    f = (uint64_t)freq.QuadPart;
    c = (uint64_t)now.QuadPart;
    /* Split to avoid overflowing c * 1e9. */
    return (c / f) * 1000000000u + ((c % f) * 1000000000u) / f;
}
