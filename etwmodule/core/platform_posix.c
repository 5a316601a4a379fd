/* platform_posix.c - platform.h on POSIX systems (Linux, macOS, BSDs):
 * pthreads, pread and clock_gettime. Compiled everywhere but Windows. */
#if !defined(_WIN32)

#if defined(__linux__)
#define _GNU_SOURCE /* pthread_setname_np */
#else
#define _POSIX_C_SOURCE 200809L
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE /* _SC_NPROCESSORS_ONLN */
#endif
#endif
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#if defined(__linux__)
#include <sched.h>
#endif
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

struct etw_thread {
    pthread_t tid;
    etw_thread_fn fn;
    void *arg;
    /* Orders the two renames: held by the starter from before pthread_create until
     * the thread is named, taken by the thread before it renames itself on exit. */
    pthread_mutex_t name_lock;
};
struct etw_mutex {
    pthread_mutex_t m;
};
struct etw_cond {
    pthread_cond_t c;
};
struct etw_file {
    int fd;
};

static void *thread_main(void *p) {
    etw_thread *t = (etw_thread *)p;
    t->fn(t->arg);
#if defined(__linux__)
    /* A joined thread can stay listed in /proc/self/task for a moment after
     * pthread_join returns; renaming it first means that "etw-reader" names only
     * threads that are still running reader code. */
    pthread_mutex_lock(&t->name_lock);
    pthread_setname_np(pthread_self(), "etw-exited");
    pthread_mutex_unlock(&t->name_lock);
#endif
    return NULL;
}

int etw_thread_start(etw_thread **out, etw_thread_fn fn, void *arg) {
    etw_thread *t = (etw_thread *)calloc(1, sizeof *t);
    if (!t) return ETW_ERR_NOMEM;
    t->fn = fn;
    t->arg = arg;
    if (pthread_mutex_init(&t->name_lock, NULL) != 0) {
        free(t);
        return ETW_ERR_NOMEM;
    }
    pthread_mutex_lock(&t->name_lock);
    if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
        pthread_mutex_unlock(&t->name_lock);
        pthread_mutex_destroy(&t->name_lock);
        free(t);
        return ETW_ERR_NOMEM;
    }
#if defined(__linux__)
    /* A name for ps/top/gdb, set before this returns: the tests check that no
     * reader thread outlives its trace among other libraries' threads. */
    pthread_setname_np(t->tid, "etw-reader");
#endif
    pthread_mutex_unlock(&t->name_lock);
    *out = t;
    return ETW_OK;
}

int etw_thread_join(etw_thread *t) {
    if (!t) return ETW_ERR_ARG;
    pthread_join(t->tid, NULL);
    pthread_mutex_destroy(&t->name_lock);
    free(t);
    return ETW_OK;
}

unsigned etw_cpu_count(void) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
#endif
#if defined(_SC_NPROCESSORS_ONLN)
    {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n > 0) return n > 4096 ? 4096u : (unsigned)n;
    }
#endif
    return 1;
}

etw_mutex *etw_mutex_new(void) {
    etw_mutex *m = (etw_mutex *)malloc(sizeof *m);
    if (m && pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}
void etw_mutex_free(etw_mutex *m) {
    if (m) {
        pthread_mutex_destroy(&m->m);
        free(m);
    }
}
void etw_mutex_lock(etw_mutex *m) { pthread_mutex_lock(&m->m); }
void etw_mutex_unlock(etw_mutex *m) { pthread_mutex_unlock(&m->m); }

etw_cond *etw_cond_new(void) {
    etw_cond *c = (etw_cond *)malloc(sizeof *c);
    if (c && pthread_cond_init(&c->c, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}
void etw_cond_free(etw_cond *c) {
    if (c) {
        pthread_cond_destroy(&c->c);
        free(c);
    }
}
int etw_cond_wait_ms(etw_cond *c, etw_mutex *m, unsigned timeout_ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000);
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return pthread_cond_timedwait(&c->c, &m->m, &ts) == 0;
}
void etw_cond_broadcast(etw_cond *c) { pthread_cond_broadcast(&c->c); }

int etw_file_open(const char *path, etw_file **out, etw_error *err) {
    etw_file *f;
    int fd = open(path, O_RDONLY
#ifdef O_CLOEXEC
                            | O_CLOEXEC
#endif
    );
    if (fd < 0) {
        int e = errno;
        etw_error_set(err, ETW_ERR_IO, 0, "cannot open file");
        if (err) err->sys_errno = e;
        return ETW_ERR_IO;
    }
    f = (etw_file *)malloc(sizeof *f);
    if (!f) {
        close(fd);
        return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
    }
    f->fd = fd;
    *out = f;
    return ETW_OK;
}

int etw_file_size(etw_file *f, uint64_t *size, etw_error *err) {
    struct stat st;
    if (fstat(f->fd, &st) != 0) {
        int e = errno;
        etw_error_set(err, ETW_ERR_IO, 0, "cannot stat file");
        if (err) err->sys_errno = e;
        return ETW_ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        etw_error_set(err, ETW_ERR_IO, 0, "not a regular file");
        if (err) err->sys_errno = EISDIR;
        return ETW_ERR_IO;
    }
    *size = (uint64_t)st.st_size;
    return ETW_OK;
}

int etw_file_pread(etw_file *f, void *buf, size_t len, uint64_t offset, size_t *got,
                   etw_error *err) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(f->fd, (char *)buf + done, len - done, (off_t)(offset + done));
        if (n < 0) {
            int e = errno;
            if (e == EINTR) continue;
            etw_error_set(err, ETW_ERR_IO, offset + done, "read failed");
            if (err) err->sys_errno = e;
            *got = done;
            return ETW_ERR_IO;
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    *got = done;
    return ETW_OK;
}

void etw_file_close(etw_file *f) {
    if (f) {
        close(f->fd);
        free(f);
    }
}

uint64_t etw_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int etw_platform_posix_unused;
#endif
