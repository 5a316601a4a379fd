/* ring.h - single-producer single-consumer ring of pointers (batches), lock
 * free on the fast path: one atomic index store moves a whole batch. A side
 * that finds the ring full (producer) or empty (consumer) sleeps on a
 * condition variable with a timeout; the other side wakes it only when the
 * sleeper announced itself, so the common path takes no lock. */
#ifndef ETW_RING_H
#define ETW_RING_H

#include "atomics.h"
#include "platform.h"

typedef struct etw_ring {
    etw_atomic_size head;    /* next slot to pop (consumer) */
    etw_atomic_size tail;    /* next slot to push (producer) */
    etw_atomic_int waiting;  /* a side is (about to be) asleep */
    size_t mask;
    void **slots;
    etw_mutex *mutex;
    etw_cond *cond;
} etw_ring;

/* Initialises a ring of capacity (rounded up to a power of two, >= 2).
 * Returns ETW_OK or ETW_ERR_NOMEM. */
int etw_ring_init(etw_ring *r, size_t capacity);
void etw_ring_destroy(etw_ring *r);

/* Producer: returns 1 when pushed, 0 when full. */
int etw_ring_try_push(etw_ring *r, void *item);
/* Consumer: returns the oldest item, or NULL when empty. */
void *etw_ring_try_pop(etw_ring *r);

/* Either side: sleeps up to timeout_ms unless the ring changed since the
 * caller looked (it re-checks under the lock). `want_items` is 1 for the
 * consumer (wait for an item) and 0 for the producer (wait for a free slot);
 * `also_check` (may be NULL) is an extra flag that ends the wait when non-zero. */
void etw_ring_wait(etw_ring *r, int want_items, unsigned timeout_ms, etw_atomic_int *also_check);

/* Wakes a sleeping side (cheap when nobody sleeps). */
void etw_ring_notify(etw_ring *r);

#endif /* ETW_RING_H */
