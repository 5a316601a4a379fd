/* wintest/main.c - a small Windows program that exercises platform_win.c
 * (threads, mutex + condition variable handshakes, UTF-8 paths, positioned
 * reads, the monotonic clock) and, when built with ETW_WINTEST_READER, the
 * portable reader on real .etl files. Built by .ci/mingw-check.sh with
 * mingw-w64 and run under Wine; every check compares exact values.
 *
 * Usage: wintest.exe [ETL EXPECTED_BUFFERS EXPECTED_RECORDS]...
 * For each triple the buffer chain of ETL is walked with etw_file_pread and
 * must hold EXPECTED_BUFFERS buffers ending exactly at end of file; with the
 * reader, records delivered + opaque records must equal EXPECTED_RECORDS in
 * both file order and time order. Exit status 0 only when every check passed. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <shellapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/platform.h"
#ifdef ETW_WINTEST_READER
#include "../../core/reader.h"
/* live_test.c: the live backend's checks (needs the core). */
int wintest_live(int *checks);
#endif

static int g_checks;
static int g_failures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        g_checks++;                                                              \
        if (!(cond)) {                                                           \
            g_failures++;                                                        \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                        \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                       \
    do {                                                                         \
        unsigned long long va_ = (unsigned long long)(a);                        \
        unsigned long long vb_ = (unsigned long long)(b);                        \
        g_checks++;                                                              \
        if (va_ != vb_) {                                                        \
            g_failures++;                                                        \
            printf("FAIL %s:%d: %s == %s (%llu != %llu)\n", __FILE__, __LINE__, #a, \
                   #b, va_, vb_);                                                \
        }                                                                        \
    } while (0)

/* ---- clock ------------------------------------------------------------ */

static void test_clock(void) {
    uint64_t t0 = etw_monotonic_ns();
    uint64_t t1;
    Sleep(30);
    t1 = etw_monotonic_ns();
    CHECK(t0 > 0);
    CHECK(t1 > t0);
    /* Sleep may end up to one timer tick early; allow 15 ms slack either way. */
    CHECK(t1 - t0 >= 15u * 1000000u);
    CHECK(t1 - t0 < 5000u * 1000000u);
    printf("clock: Sleep(30) measured %llu us\n", (unsigned long long)((t1 - t0) / 1000u));
}

/* ---- threads, mutex, condition variable ------------------------------- */

typedef struct pingpong {
    etw_mutex *m;
    etw_cond *c;
    int turn;     /* odd: the worker's turn, even: main's */
    int rounds;
    int timeouts; /* waits of the worker that timed out (should stay 0) */
} pingpong;

static void pingpong_worker(void *arg) {
    pingpong *pp = (pingpong *)arg;
    int i;
    etw_mutex_lock(pp->m);
    for (i = 0; i < pp->rounds; i++) {
        while (pp->turn % 2 == 0) {
            if (!etw_cond_wait_ms(pp->c, pp->m, 5000)) {
                pp->timeouts++;
                if (pp->timeouts > 2)
                    goto out;
            }
        }
        pp->turn++;
        etw_cond_broadcast(pp->c);
    }
out:
    etw_mutex_unlock(pp->m);
}

static void test_pingpong(void) {
    pingpong pp;
    etw_thread *t = NULL;
    int i, stuck = 0;
    memset(&pp, 0, sizeof pp);
    pp.m = etw_mutex_new();
    pp.c = etw_cond_new();
    pp.rounds = 2000;
    CHECK(pp.m != NULL && pp.c != NULL);
    if (!pp.m || !pp.c)
        return;
    CHECK_EQ_U64(etw_thread_start(&t, pingpong_worker, &pp), ETW_OK);
    if (!t)
        return;
    etw_mutex_lock(pp.m);
    for (i = 0; i < pp.rounds && !stuck; i++) {
        pp.turn++; /* now odd: hand over */
        etw_cond_broadcast(pp.c);
        while (pp.turn % 2 == 1) {
            if (!etw_cond_wait_ms(pp.c, pp.m, 5000)) {
                stuck = 1;
                break;
            }
        }
    }
    etw_mutex_unlock(pp.m);
    CHECK_EQ_U64(etw_thread_join(t), ETW_OK);
    CHECK(!stuck);
    CHECK_EQ_U64(pp.turn, 2 * 2000);
    CHECK_EQ_U64(pp.timeouts, 0);
    printf("threads: %d ping-pong handshakes, turn=%d\n", pp.rounds, pp.turn);
    etw_cond_free(pp.c);
    etw_mutex_free(pp.m);
}

typedef struct counter {
    etw_mutex *m;
    long value;
} counter;

static void counter_worker(void *arg) {
    counter *c = (counter *)arg;
    int i;
    for (i = 0; i < 20000; i++) {
        etw_mutex_lock(c->m);
        c->value++;
        etw_mutex_unlock(c->m);
    }
}

static void test_mutex_counter(void) {
    counter c;
    etw_thread *t[4];
    int i, started = 0;
    c.m = etw_mutex_new();
    c.value = 0;
    CHECK(c.m != NULL);
    if (!c.m)
        return;
    for (i = 0; i < 4; i++) {
        t[i] = NULL;
        if (etw_thread_start(&t[i], counter_worker, &c) == ETW_OK)
            started++;
    }
    CHECK_EQ_U64(started, 4);
    for (i = 0; i < 4; i++)
        if (t[i])
            CHECK_EQ_U64(etw_thread_join(t[i]), ETW_OK);
    CHECK_EQ_U64(c.value, 4 * 20000);
    CHECK_EQ_U64(etw_thread_join(NULL), ETW_ERR_ARG);
    printf("mutex: 4 threads x 20000 increments = %ld\n", c.value);
    etw_mutex_free(c.m);
}

static void test_cond_timeout(void) {
    etw_mutex *m = etw_mutex_new();
    etw_cond *c = etw_cond_new();
    uint64_t t0, t1;
    int r = 1, tries;
    CHECK(m != NULL && c != NULL);
    if (!m || !c)
        return;
    etw_mutex_lock(m);
    t0 = etw_monotonic_ns();
    /* Nobody signals: only a spurious wake-up may return 1, so retry. */
    for (tries = 0; tries < 5 && r == 1; tries++)
        r = etw_cond_wait_ms(c, m, 60);
    t1 = etw_monotonic_ns();
    etw_mutex_unlock(m);
    CHECK_EQ_U64(r, 0);
    CHECK(t1 - t0 >= 40u * 1000000u);
    CHECK(t1 - t0 < 5000u * 1000000u);
    printf("cond: 60 ms timeout returned %d after %llu us\n", r,
           (unsigned long long)((t1 - t0) / 1000u));
    etw_cond_free(c);
    etw_mutex_free(m);
}

/* ---- files ------------------------------------------------------------ */

#define TEST_FILE_SIZE 100003u

static unsigned char pattern(uint64_t i) {
    return (unsigned char)((i * 31u) ^ (i >> 8) ^ (i >> 16));
}

/* UTF-16 -> newly allocated UTF-8, or NULL. */
static char *to_utf8(const wchar_t *w) {
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;
    if (n <= 0)
        return NULL;
    s = (char *)malloc((size_t)n);
    if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        s = NULL;
    }
    return s;
}

typedef struct reader_job {
    etw_file *f;
    uint64_t start; /* first chunk index */
    int ok;
} reader_job;

/* Reads the whole test file in 4096-byte chunks, starting at a different
 * chunk in each thread, and compares every byte. */
static void reader_worker(void *arg) {
    reader_job *job = (reader_job *)arg;
    unsigned char buf[4096];
    uint64_t chunks = (TEST_FILE_SIZE + 4095u) / 4096u;
    uint64_t k;
    job->ok = 1;
    for (k = 0; k < chunks; k++) {
        uint64_t off = ((job->start + k) % chunks) * 4096u;
        size_t want = TEST_FILE_SIZE - off < 4096u ? (size_t)(TEST_FILE_SIZE - off) : 4096u;
        size_t got = 0, j;
        etw_error err;
        memset(&err, 0, sizeof err);
        if (etw_file_pread(job->f, buf, 4096, off, &got, &err) != ETW_OK || got != want) {
            job->ok = 0;
            return;
        }
        for (j = 0; j < got; j++)
            if (buf[j] != pattern(off + j)) {
                job->ok = 0;
                return;
            }
    }
}

static void test_file(void) {
    wchar_t dir[MAX_PATH + 1], wpath[MAX_PATH + 64];
    unsigned char *data, buf[1000];
    char *path;
    HANDLE h;
    DWORD written = 0, n;
    uint64_t i, size = 0;
    size_t got = 12345;
    etw_file *f = NULL;
    etw_error err;
    int r;
    etw_thread *t[3];
    reader_job jobs[3];

    n = GetTempPathW(MAX_PATH + 1, dir);
    CHECK(n > 0 && n <= MAX_PATH);
    if (n == 0 || n > MAX_PATH)
        return;
    /* Non-ASCII name (e-acute, CJK) to exercise the UTF-8 -> UTF-16 path. */
    _snwprintf(wpath, MAX_PATH + 63, L"%lsetw-wintest-\x00e9\x4e2d-%lu.bin", dir,
               (unsigned long)GetCurrentProcessId());
    wpath[MAX_PATH + 63] = 0;
    data = (unsigned char *)malloc(TEST_FILE_SIZE);
    CHECK(data != NULL);
    if (!data)
        return;
    for (i = 0; i < TEST_FILE_SIZE; i++)
        data[i] = pattern(i);
    h = CreateFileW(wpath, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE);
    if (h == INVALID_HANDLE_VALUE) {
        free(data);
        return;
    }
    CHECK(WriteFile(h, data, TEST_FILE_SIZE, &written, NULL));
    CHECK_EQ_U64(written, TEST_FILE_SIZE);
    CloseHandle(h);
    free(data);

    path = to_utf8(wpath);
    CHECK(path != NULL);
    if (!path)
        goto cleanup;
    memset(&err, 0, sizeof err);
    r = etw_file_open(path, &f, &err);
    CHECK_EQ_U64(r, ETW_OK);
    if (r != ETW_OK) {
        printf("open failed: %s\n", err.message);
        goto cleanup;
    }
    CHECK_EQ_U64(etw_file_size(f, &size, &err), ETW_OK);
    CHECK_EQ_U64(size, TEST_FILE_SIZE);

    /* A full read in the middle. */
    CHECK_EQ_U64(etw_file_pread(f, buf, 1000, 12345, &got, &err), ETW_OK);
    CHECK_EQ_U64(got, 1000);
    CHECK(buf[0] == pattern(12345) && buf[999] == pattern(12345 + 999));
    for (i = 0; i < 1000; i++)
        if (buf[i] != pattern(12345 + i))
            break;
    CHECK_EQ_U64(i, 1000);
    /* A read crossing the end of file is short. */
    memset(buf, 0xAA, sizeof buf);
    CHECK_EQ_U64(etw_file_pread(f, buf, 100, TEST_FILE_SIZE - 4, &got, &err), ETW_OK);
    CHECK_EQ_U64(got, 4);
    CHECK(buf[0] == pattern(TEST_FILE_SIZE - 4) && buf[3] == pattern(TEST_FILE_SIZE - 1));
    CHECK_EQ_U64(buf[4], 0xAA);
    /* At and far past the end: nothing, and no error. */
    CHECK_EQ_U64(etw_file_pread(f, buf, 10, TEST_FILE_SIZE, &got, &err), ETW_OK);
    CHECK_EQ_U64(got, 0);
    CHECK_EQ_U64(etw_file_pread(f, buf, 10, (uint64_t)1 << 40, &got, &err), ETW_OK);
    CHECK_EQ_U64(got, 0);
    CHECK_EQ_U64(etw_file_pread(f, buf, 0, 0, &got, &err), ETW_OK);
    CHECK_EQ_U64(got, 0);
    /* Offsets above 4 GiB need OffsetHigh: the byte at 2^32 + 5 does not exist. */
    CHECK_EQ_U64(etw_file_pread(f, buf, 10, ((uint64_t)1 << 32) + 5, &got, &err), ETW_OK);
    CHECK_EQ_U64(got, 0);

    /* Three threads reading concurrently through the same handle. */
    for (r = 0; r < 3; r++) {
        jobs[r].f = f;
        jobs[r].start = (uint64_t)r * 7u;
        jobs[r].ok = 0;
        t[r] = NULL;
        CHECK_EQ_U64(etw_thread_start(&t[r], reader_worker, &jobs[r]), ETW_OK);
    }
    for (r = 0; r < 3; r++) {
        if (t[r])
            etw_thread_join(t[r]);
        CHECK_EQ_U64(jobs[r].ok, 1);
    }
    etw_file_close(f);
    f = NULL;
    printf("file: %llu bytes via UTF-8 path, preads and 3 concurrent readers checked\n",
           (unsigned long long)size);

    /* Errors: a missing file, and a path that is not UTF-8. */
    memset(&err, 0, sizeof err);
    path[strlen(path) - 1] = 'X'; /* .bin -> .biX: does not exist */
    CHECK_EQ_U64(etw_file_open(path, &f, &err), ETW_ERR_IO);
    CHECK(f == NULL);
    CHECK_EQ_U64(err.code, ETW_ERR_IO);
    CHECK_EQ_U64(err.sys_errno, ERROR_FILE_NOT_FOUND);
    printf("file: missing file -> code %d, sys_errno %d, \"%s\"\n", err.code, err.sys_errno,
           err.message);
    memset(&err, 0, sizeof err);
    CHECK_EQ_U64(etw_file_open("bad\xff\xfe.etl", &f, &err), ETW_ERR_IO);
    CHECK_EQ_U64(err.sys_errno, ERROR_NO_UNICODE_TRANSLATION);
    etw_file_close(NULL);

cleanup:
    free(path);
    CHECK(DeleteFileW(wpath));
}

/* ---- real .etl files -------------------------------------------------- */

/* Walks the buffer chain (BufferSize at offset 0 of each buffer) with pread. */
static void test_etl_walk(const char *path, uint64_t want_buffers) {
    etw_file *f = NULL;
    etw_error err;
    uint64_t size = 0, off = 0, count = 0;
    unsigned char head[0x4C];
    size_t got = 0;

    memset(&err, 0, sizeof err);
    CHECK_EQ_U64(etw_file_open(path, &f, &err), ETW_OK);
    if (!f) {
        printf("cannot open %s: %s\n", path, err.message);
        return;
    }
    CHECK_EQ_U64(etw_file_size(f, &size, &err), ETW_OK);
    /* First buffer: header buffer (BufferType 4 at 0x36), first record a
     * system trace header (marker byte 3 = 0xC0 at 0x48). */
    CHECK_EQ_U64(etw_file_pread(f, head, sizeof head, 0, &got, &err), ETW_OK);
    CHECK_EQ_U64(got, sizeof head);
    CHECK_EQ_U64(etw_le16(head + 0x36), 4);
    CHECK_EQ_U64(head[0x48 + 3], 0xC0);
    while (off < size) {
        unsigned char b[4];
        uint32_t bs;
        if (etw_file_pread(f, b, 4, off, &got, &err) != ETW_OK || got != 4)
            break;
        bs = etw_le32(b);
        if (bs < 0x48 || bs > size - off)
            break;
        off += bs;
        count++;
    }
    CHECK_EQ_U64(off, size);
    CHECK_EQ_U64(count, want_buffers);
    printf("etl: %s: %llu bytes, %llu buffers (chain ends at end of file: %s)\n", path,
           (unsigned long long)size, (unsigned long long)count, off == size ? "yes" : "NO");
    etw_file_close(f);
}

#ifdef ETW_WINTEST_READER
/* Counts records with the portable reader in the given order. Returns the
 * records delivered plus the opaque ones (every record of every buffer). */
static uint64_t count_records(const char *path, etw_order order, uint64_t want_buffers) {
    etw_reader_options opt;
    etw_reader *r = NULL;
    etw_reader_stats st;
    etw_error err;
    const etw_record *rec;
    uint64_t n = 0;
    int64_t last = INT64_MIN;
    int rc, ordered = 1;
    memset(&opt, 0, sizeof opt);
    memset(&err, 0, sizeof err);
    opt.order = order;
    opt.skip_errors = 0;
    rc = etw_reader_open(path, &opt, &r, &err);
    CHECK_EQ_U64(rc, ETW_OK);
    if (rc != ETW_OK) {
        printf("reader: open %s failed: %s\n", path, err.message);
        return 0;
    }
    CHECK_EQ_U64(etw_reader_buffer_count(r), want_buffers);
    CHECK_EQ_U64(etw_reader_header(r)->pointer_size, 8);
    while ((rc = etw_reader_next(r, &rec, &err)) == 1) {
        n++;
        if (rec->time_ns < last)
            ordered = 0;
        last = rec->time_ns;
    }
    CHECK_EQ_U64(rc, 0);
    if (rc != 0)
        printf("reader: %s failed at offset %llu: %s\n", path,
               (unsigned long long)err.offset, err.message);
    etw_reader_get_stats(r, &st);
    CHECK_EQ_U64(st.events, n);
    CHECK_EQ_U64(st.skipped, 0);
    if (order == ETW_ORDER_TIME)
        CHECK(ordered);
    printf("reader: %s (%s order): %llu records + %llu opaque, %llu buffers (%llu compressed)\n",
           path, order == ETW_ORDER_TIME ? "time" : "file", (unsigned long long)n,
           (unsigned long long)st.opaque_records, (unsigned long long)st.buffers,
           (unsigned long long)st.compressed_buffers);
    etw_reader_close(r);
    return n + st.opaque_records;
}
#endif

/* Returns 0 when every check passed, 1 otherwise (failures are printed). */
int main(void) {
    /* Arguments as UTF-16 (main's argv is in the ANSI code page). */
    int argc = 0, i;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &argc);

    setvbuf(stdout, NULL, _IONBF, 0);
    test_clock();
    test_pingpong();
    test_mutex_counter();
    test_cond_timeout();
    test_file();

    if (!wargv) {
        CHECK(wargv != NULL);
    } else if ((argc - 1) % 3 != 0) {
        printf("usage: wintest.exe [ETL EXPECTED_BUFFERS EXPECTED_RECORDS]...\n");
        g_failures++;
    } else {
        for (i = 1; i + 2 < argc; i += 3) {
            char *path = to_utf8(wargv[i]);
            uint64_t want_buffers = (uint64_t)_wcstoui64(wargv[i + 1], NULL, 10);
            uint64_t want_records = (uint64_t)_wcstoui64(wargv[i + 2], NULL, 10);
            CHECK(path != NULL);
            if (!path)
                continue;
            test_etl_walk(path, want_buffers);
#ifdef ETW_WINTEST_READER
            CHECK_EQ_U64(count_records(path, ETW_ORDER_FILE, want_buffers), want_records);
            CHECK_EQ_U64(count_records(path, ETW_ORDER_TIME, want_buffers), want_records);
#else
            (void)want_records;
#endif
            free(path);
        }
    }
    if (wargv)
        LocalFree(wargv);
#ifdef ETW_WINTEST_READER
    g_failures += wintest_live(&g_checks);
    printf("reader part: built\n");
#else
    printf("reader part: not built (no core/reader.c yet)\n");
#endif
    printf("wintest: %d passed, %d failed\n", g_checks - g_failures, g_failures);
    return g_failures ? 1 : 0;
}
