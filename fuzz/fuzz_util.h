/* fuzz_util.h - helpers shared by the libFuzzer harnesses in this folder.
 *
 * Harnesses never include Python.h: they drive the portable core directly.
 * A failed invariant calls FUZZ_CHECK, which prints where and aborts, so that
 * libFuzzer records the input as a crash (just like an ASan/UBSan report). */
#ifndef ETW_FUZZ_UTIL_H
#define ETW_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etw_base.h"

#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* Harness-only code (checks, hashing) is kept out of the coverage feedback:
 * it would only add noise to what guides the fuzzer, and slow it down. */
#if defined(__clang__)
#define FUZZ_NOCOV __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NOCOV
#endif

/* FNV-1a over len bytes, continuing from h. Reading every byte lets ASan
 * check that the whole range is addressable. */
FUZZ_NOCOV static inline uint64_t fuzz_hash(uint64_t h, const void *p, size_t len) {
    const uint8_t *b = (const uint8_t *)p;
    size_t i;
    for (i = 0; i < len; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

FUZZ_NOCOV static inline uint64_t fuzz_hash_u64(uint64_t h, uint64_t v) {
    return fuzz_hash(h, &v, sizeof v);
}

/* An exact-size heap copy of p[0..len) (so that ASan catches a read one byte
 * past len); never NULL for len 0. Aborts when out of memory. */
static inline uint8_t *fuzz_dup(const uint8_t *p, size_t len) {
    uint8_t *q = (uint8_t *)malloc(len ? len : 1);
    FUZZ_CHECK(q != NULL);
    if (len) memcpy(q, p, len);
    return q;
}

#endif /* ETW_FUZZ_UTIL_H */
