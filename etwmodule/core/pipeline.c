/* pipeline.c - the file producer thread and its hand-off to the consumer. */
#include <stdlib.h>

#include "pipeline.h"

struct etw_pipeline {
    etw_ring ring;
    etw_reader *reader;
    etw_registry *registry;   /* borrowed; may be NULL */
    etw_inband *inband;       /* borrowed; may be NULL */
    etw_thread *thread;
    etw_atomic_int stop;      /* consumer -> producer: stop now */
    etw_atomic_int done;      /* producer -> consumer: no more batches will come */
    etw_error error;          /* written by the producer before `done` */
    etw_reader_stats stats;   /* likewise */
};

/* Pushes b, waiting while the ring is full. Returns 0, or -1 when asked to stop. */
static int push_wait(etw_pipeline *p, etw_batch *b) {
    while (!etw_ring_try_push(&p->ring, b)) {
        if (etw_atomic_load_int(&p->stop)) return -1;
        etw_ring_wait(&p->ring, 0, 100, &p->stop);
    }
    return 0;
}

static void producer_main(void *arg) {
    etw_pipeline *p = (etw_pipeline *)arg;
    etw_batch *b = NULL;
    memset(&p->error, 0, sizeof p->error);
    for (;;) {
        const etw_record *rec;
        int rc;
        if (etw_atomic_load_int(&p->stop)) break;
        rc = etw_reader_next(p->reader, &rec, &p->error);
        if (rc <= 0) {
            if (rc == 0) p->error.code = 0;
            break;
        }
        if (p->registry && rec->kind == ETW_KIND_CLASSIC &&
            etw_guid_eq(&rec->provider_id, &etw_event_metadata_guid)) {
            /* A malformed injected schema only costs that schema: the record
             * is still delivered, and events it describes stay undecoded. */
            etw_error ignored;
            etw_registry_add_event_metadata(p->registry, rec, &ignored);
        }
        if (p->inband && etw_inband_is_chunk(rec)) etw_inband_observe(p->inband, rec);
        if (!b && !(b = etw_batch_new(ETW_BATCH_RECORDS, ETW_BATCH_DATA))) {
            etw_error_set(&p->error, ETW_ERR_NOMEM, 0, "out of memory");
            break;
        }
        if (!etw_batch_append(b, rec)) {
            etw_reader_get_stats(p->reader, &b->stats);
            b->stats.events--; /* rec is not in this batch */
            if (push_wait(p, b) != 0) {
                etw_batch_free(b);
                b = NULL;
                break;
            }
            b = etw_batch_new(ETW_BATCH_RECORDS, ETW_BATCH_DATA);
            if (!b || !etw_batch_append(b, rec)) {
                etw_error_set(&p->error, ETW_ERR_NOMEM, 0, "out of memory");
                break;
            }
        }
    }
    etw_reader_get_stats(p->reader, &p->stats);
    if (b) {
        b->stats = p->stats;
        if (b->count == 0 || push_wait(p, b) != 0) etw_batch_free(b);
    }
    etw_atomic_store_int(&p->done, 1);
    etw_ring_notify(&p->ring);
}

int etw_pipeline_start_file(etw_reader *r, size_t ring_capacity, etw_registry *registry,
                            etw_inband *inband, etw_pipeline **out) {
    etw_pipeline *p = (etw_pipeline *)calloc(1, sizeof *p);
    *out = NULL;
    if (!p || etw_ring_init(&p->ring, ring_capacity) != ETW_OK) {
        free(p);
        etw_reader_close(r);
        return ETW_ERR_NOMEM;
    }
    p->reader = r;
    p->registry = registry;
    p->inband = inband;
    etw_atomic_init(&p->stop, 0);
    etw_atomic_init(&p->done, 0);
    if (etw_thread_start(&p->thread, producer_main, p) != ETW_OK) {
        p->thread = NULL;
        etw_pipeline_free(p);
        return ETW_ERR_NOMEM;
    }
    *out = p;
    return ETW_OK;
}

etw_batch *etw_pipeline_next(etw_pipeline *p, unsigned timeout_ms, int *finished) {
    etw_batch *b = (etw_batch *)etw_ring_try_pop(&p->ring);
    *finished = 0;
    if (b) return b;
    if (etw_atomic_load_int(&p->done)) {
        /* `done` is set after the last push: drain once more. */
        b = (etw_batch *)etw_ring_try_pop(&p->ring);
        if (!b) *finished = 1;
        return b;
    }
    etw_ring_wait(&p->ring, 1, timeout_ms, &p->done);
    return (etw_batch *)etw_ring_try_pop(&p->ring);
}

void etw_pipeline_result(etw_pipeline *p, etw_error *err, etw_reader_stats *stats) {
    if (err) *err = p->error;
    if (stats) *stats = p->stats;
}

void etw_pipeline_free(etw_pipeline *p) {
    etw_batch *b;
    if (!p) return;
    if (p->thread) {
        etw_atomic_store_int(&p->stop, 1);
        etw_ring_notify(&p->ring);
        /* The producer may be asleep on a full ring: keep draining until it ends. */
        while (!etw_atomic_load_int(&p->done)) {
            while ((b = (etw_batch *)etw_ring_try_pop(&p->ring)) != NULL) etw_batch_free(b);
            etw_ring_wait(&p->ring, 1, 10, &p->done);
        }
        etw_thread_join(p->thread);
    }
    while ((b = (etw_batch *)etw_ring_try_pop(&p->ring)) != NULL) etw_batch_free(b);
    etw_reader_close(p->reader);
    etw_ring_destroy(&p->ring);
    free(p);
}
