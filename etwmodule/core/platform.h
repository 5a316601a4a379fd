/* platform.h - the few OS services the portable core needs: threads, a
 * mutex + condition variable, positioned file reads and a monotonic clock.
 * Implemented in platform_posix.c (POSIX, any Unix) and in
 * ../win/platform_win.c (Win32); the core itself never includes an OS header
 * beyond the C library. Atomics are C11 <stdatomic.h> (see ring.h). */
#ifndef ETW_PLATFORM_H
#define ETW_PLATFORM_H

#include "etw_base.h"

typedef struct etw_thread etw_thread;
typedef struct etw_mutex etw_mutex;
typedef struct etw_cond etw_cond;
typedef struct etw_file etw_file;

typedef void (*etw_thread_fn)(void *arg);

/* Starts fn(arg) on a new native thread. Returns ETW_OK or ETW_ERR_NOMEM
 * (thread could not be created). */
int etw_thread_start(etw_thread **out, etw_thread_fn fn, void *arg);
/* Waits for the thread to finish and frees it. Returns ETW_OK or ETW_ERR_ARG. */
int etw_thread_join(etw_thread *t);

/* The number of CPUs this process may run on; 1 when it cannot be told. */
unsigned etw_cpu_count(void);

/* Returns NULL when out of memory. */
etw_mutex *etw_mutex_new(void);
void etw_mutex_free(etw_mutex *m);
void etw_mutex_lock(etw_mutex *m);
void etw_mutex_unlock(etw_mutex *m);

/* Returns NULL when out of memory. */
etw_cond *etw_cond_new(void);
void etw_cond_free(etw_cond *c);
/* Waits at most timeout_ms; returns 1 when signalled (or spuriously woken),
 * 0 on timeout. */
int etw_cond_wait_ms(etw_cond *c, etw_mutex *m, unsigned timeout_ms);
void etw_cond_broadcast(etw_cond *c);

/* Opens path (UTF-8) for reading. Returns ETW_OK, or ETW_ERR_IO with
 * err->sys_errno set. */
int etw_file_open(const char *path, etw_file **out, etw_error *err);
/* Size in bytes; returns ETW_OK or ETW_ERR_IO. */
int etw_file_size(etw_file *f, uint64_t *size, etw_error *err);
/* Reads exactly len bytes at offset (short only at end of file: *got tells).
 * Returns ETW_OK or ETW_ERR_IO. */
int etw_file_pread(etw_file *f, void *buf, size_t len, uint64_t offset, size_t *got,
                   etw_error *err);
void etw_file_close(etw_file *f);

/* Monotonic clock in nanoseconds (for statistics only). */
uint64_t etw_monotonic_ns(void);

#endif /* ETW_PLATFORM_H */
