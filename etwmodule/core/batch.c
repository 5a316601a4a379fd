/* batch.c - record arenas, recycled through a small process-wide pool: a
 * batch is about 1 MB, and allocating it afresh each time costs a page fault
 * per 4 KB (the allocator hands such blocks straight back to the OS). */
#include <stdlib.h>

#include "atomics.h"
#include "batch.h"

#define POOL_MAX 16

static etw_spinlock pool_lock = ETW_SPINLOCK_INIT;
static etw_batch *pool[POOL_MAX];
static size_t pool_n;

static etw_batch *pool_take(uint32_t record_cap, size_t data_cap) {
    etw_batch *b = NULL;
    etw_spin_lock(&pool_lock);
    for (size_t i = pool_n; i-- > 0;) {
        if (pool[i]->cap == record_cap && pool[i]->data_cap == data_cap) {
            b = pool[i];
            pool[i] = pool[--pool_n];
            break;
        }
    }
    etw_spin_unlock(&pool_lock);
    return b;
}

static etw_batch *batch_alloc(uint32_t record_cap, size_t data_cap);

etw_batch *etw_batch_new(uint32_t record_cap, size_t data_cap) {
    etw_batch *b = pool_take(record_cap, data_cap);
    if (b) {
        b->count = 0;
        b->ext_used = 0;
        b->data_used = 0;
        memset(&b->stats, 0, sizeof b->stats);
        return b;
    }
    return batch_alloc(record_cap, data_cap);
}

static etw_batch *batch_alloc(uint32_t record_cap, size_t data_cap) {
    size_t ext_cap = (size_t)record_cap * 2 + ETW_MAX_EXT_ITEMS;
    size_t head = ETW_ALIGN8(sizeof(etw_batch));
    size_t recs = ETW_ALIGN8(sizeof(etw_record) * record_cap);
    size_t exts = ETW_ALIGN8(sizeof(etw_ext_item) * ext_cap);
    uint8_t *mem = (uint8_t *)malloc(head + recs + exts + data_cap);
    etw_batch *b;
    if (!mem) return NULL;
    b = (etw_batch *)mem;
    memset(b, 0, sizeof *b);
    b->cap = record_cap;
    b->ext_cap = (uint32_t)ext_cap;
    b->data_cap = data_cap;
    b->records = (etw_record *)(mem + head);
    b->ext = (etw_ext_item *)(mem + head + recs);
    b->data = mem + head + recs + exts;
    return b;
}

static int inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len) {
    return base && p >= base && p + n <= base + len;
}

int etw_batch_append(etw_batch *b, const etw_record *rec) {
    size_t need = 0, i;
    uint8_t *dst;
    etw_record *out;
    etw_ext_item *ext;
    /* Bytes to copy: the raw record, plus any payload/ext data outside it
     * (live records built from an EVENT_RECORD have no raw image). */
    if (rec->raw) need += ETW_ALIGN8((size_t)rec->raw_size);
    if (!inside(rec->user_data, rec->user_data_length, rec->raw, rec->raw_size))
        need += ETW_ALIGN8((size_t)rec->user_data_length);
    for (i = 0; i < rec->ext_count; i++)
        if (!inside(rec->ext[i].data, rec->ext[i].size, rec->raw, rec->raw_size))
            need += ETW_ALIGN8((size_t)rec->ext[i].size);
    if (b->count >= b->cap || b->ext_used + rec->ext_count > b->ext_cap ||
        b->data_used + need > b->data_cap)
        return 0;
    dst = b->data + b->data_used;
    out = &b->records[b->count];
    *out = *rec;
    if (rec->raw) {
        memcpy(dst, rec->raw, rec->raw_size);
        out->raw = dst;
        dst += ETW_ALIGN8((size_t)rec->raw_size);
    }
#define REBASE(ptr, len)                                                   \
    do {                                                                   \
        if (inside((ptr), (len), rec->raw, rec->raw_size)) {               \
            ptr = out->raw + ((ptr) - rec->raw);                           \
        } else if (len) {                                                  \
            memcpy(dst, (ptr), (len));                                     \
            ptr = dst;                                                     \
            dst += ETW_ALIGN8((size_t)(len));                              \
        }                                                                  \
    } while (0)
    REBASE(out->user_data, rec->user_data_length);
    ext = &b->ext[b->ext_used];
    for (i = 0; i < rec->ext_count; i++) {
        ext[i] = rec->ext[i];
        REBASE(ext[i].data, ext[i].size);
    }
#undef REBASE
    out->ext = ext;
    b->ext_used += rec->ext_count;
    b->data_used = (size_t)(dst - b->data);
    b->count++;
    return 1;
}

void etw_batch_free(etw_batch *b) {
    if (!b) return;
    etw_spin_lock(&pool_lock);
    if (pool_n < POOL_MAX) {
        pool[pool_n++] = b;
        b = NULL;
    }
    etw_spin_unlock(&pool_lock);
    free(b);
}
