/* etw_base.h - basic types shared by all of the portable core: explicit
 * little-endian loads (records are only 8-byte aligned and payload fields are
 * unaligned, etl-format.md pitfall 33), the GUID type and the error codes the
 * core reports. No Python, no Windows headers. */
#ifndef ETW_BASE_H
#define ETW_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(_MSC_VER)
#define ETW_INLINE static __inline
#else
#define ETW_INLINE static inline
#endif

/* Windows GUID layout: Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4[8]. */
typedef struct etw_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
} etw_guid;

ETW_INLINE uint16_t etw_le16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}
ETW_INLINE uint32_t etw_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
ETW_INLINE uint64_t etw_le64(const uint8_t *p) {
    return (uint64_t)etw_le32(p) | ((uint64_t)etw_le32(p + 4) << 32);
}
ETW_INLINE uint16_t etw_be16(const uint8_t *p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}
ETW_INLINE etw_guid etw_guid_load(const uint8_t *p) {
    etw_guid g;
    g.data1 = etw_le32(p);
    g.data2 = etw_le16(p + 4);
    g.data3 = etw_le16(p + 6);
    memcpy(g.data4, p + 8, 8);
    return g;
}
ETW_INLINE int etw_guid_eq(const etw_guid *a, const etw_guid *b) {
    return a->data1 == b->data1 && a->data2 == b->data2 &&
           a->data3 == b->data3 && memcmp(a->data4, b->data4, 8) == 0;
}
ETW_INLINE int etw_guid_is_zero(const etw_guid *g) {
    static const etw_guid zero;
    return etw_guid_eq(g, &zero);
}
/* Big-endian 16 bytes (RFC 4122 order), as Python's uuid.UUID(bytes=...) wants. */
ETW_INLINE void etw_guid_to_bytes_be(const etw_guid *g, uint8_t out[16]) {
    out[0] = (uint8_t)(g->data1 >> 24);
    out[1] = (uint8_t)(g->data1 >> 16);
    out[2] = (uint8_t)(g->data1 >> 8);
    out[3] = (uint8_t)g->data1;
    out[4] = (uint8_t)(g->data2 >> 8);
    out[5] = (uint8_t)g->data2;
    out[6] = (uint8_t)(g->data3 >> 8);
    out[7] = (uint8_t)g->data3;
    memcpy(out + 8, g->data4, 8);
}

/* Error codes of the core. 0 is success; every failing core function returns
 * one of these (negative) and, where it has one, fills an etw_error with the
 * file offset and a message. */
enum {
    ETW_OK = 0,
    ETW_ERR_IO = -1,        /* read/open failed (errno kept in etw_error.sys_errno) */
    ETW_ERR_NOMEM = -2,     /* allocation failed */
    ETW_ERR_FORMAT = -3,    /* malformed bytes in the file */
    ETW_ERR_TRUNCATED = -4, /* the file ends inside a buffer */
    ETW_ERR_STOPPED = -5,   /* the consumer asked the producer to stop */
    ETW_ERR_ARG = -6        /* bad argument from the caller */
};

typedef struct etw_error {
    int code;            /* one of ETW_ERR_* (0 when no error) */
    int sys_errno;       /* errno / GetLastError for ETW_ERR_IO */
    uint64_t offset;     /* file offset the problem was found at */
    char message[200];   /* human-readable, ASCII */
} etw_error;

/* Sets err (when non-NULL) and returns code. */
int etw_error_set(etw_error *err, int code, uint64_t offset, const char *fmt, ...)
#if defined(__MINGW32__)
    __attribute__((format(gnu_printf, 4, 5)))
#elif defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#define ETW_ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

#endif /* ETW_BASE_H */
