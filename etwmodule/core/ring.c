/* ring.c - the SPSC batch ring (see ring.h). */
#include <stdlib.h>

#include "ring.h"

int etw_ring_init(etw_ring *r, size_t capacity) {
    size_t cap = 2;
    while (cap < capacity) cap <<= 1;
    memset(r, 0, sizeof *r);
    etw_atomic_init(&r->head, 0);
    etw_atomic_init(&r->tail, 0);
    etw_atomic_init(&r->waiting, 0);
    r->mask = cap - 1;
    r->slots = (void **)calloc(cap, sizeof *r->slots);
    r->mutex = etw_mutex_new();
    r->cond = etw_cond_new();
    if (!r->slots || !r->mutex || !r->cond) {
        etw_ring_destroy(r);
        return ETW_ERR_NOMEM;
    }
    return ETW_OK;
}

void etw_ring_destroy(etw_ring *r) {
    free(r->slots);
    etw_mutex_free(r->mutex);
    etw_cond_free(r->cond);
    r->slots = NULL;
    r->mutex = NULL;
    r->cond = NULL;
}

int etw_ring_try_push(etw_ring *r, void *item) {
    size_t tail = etw_atomic_load(&r->tail);
    size_t head = etw_atomic_load(&r->head);
    if (tail - head > r->mask) return 0;
    r->slots[tail & r->mask] = item;
    etw_atomic_store(&r->tail, tail + 1); /* publishes the slot */
    etw_ring_notify(r);
    return 1;
}

void *etw_ring_try_pop(etw_ring *r) {
    size_t head = etw_atomic_load(&r->head);
    size_t tail = etw_atomic_load(&r->tail);
    void *item;
    if (head == tail) return NULL;
    item = r->slots[head & r->mask];
    etw_atomic_store(&r->head, head + 1); /* frees the slot */
    etw_ring_notify(r);
    return item;
}

void etw_ring_notify(etw_ring *r) {
    if (etw_atomic_load_int(&r->waiting)) {
        etw_mutex_lock(r->mutex);
        etw_cond_broadcast(r->cond);
        etw_mutex_unlock(r->mutex);
    }
}

void etw_ring_wait(etw_ring *r, int want_items, unsigned timeout_ms, etw_atomic_int *also_check) {
    etw_mutex_lock(r->mutex);
    /* A count, not a flag: both sides may sleep at once (under this mutex). */
    etw_atomic_store_int(&r->waiting, etw_atomic_load_int(&r->waiting) + 1);
    {
        size_t head = etw_atomic_load(&r->head);
        size_t tail = etw_atomic_load(&r->tail);
        int ready = want_items ? head != tail : (tail - head) <= r->mask;
        if (!ready && !(also_check && etw_atomic_load_int(also_check)))
            etw_cond_wait_ms(r->cond, r->mutex, timeout_ms);
    }
    etw_atomic_store_int(&r->waiting, etw_atomic_load_int(&r->waiting) - 1);
    etw_mutex_unlock(r->mutex);
}
