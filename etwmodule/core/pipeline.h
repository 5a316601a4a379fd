/* pipeline.h - a source running on a native thread that fills batches and
 * pushes them through the ring to one consumer. For files the producer waits
 * when the ring is full (lossless). The native thread never calls Python: it
 * reports errors as a plain etw_error read by the consumer after `done`. */
#ifndef ETW_PIPELINE_H
#define ETW_PIPELINE_H

#include "batch.h"
#include "ring.h"
#include "inband.h"
#include "schema.h"

typedef struct etw_pipeline etw_pipeline;

/* Starts a producer thread reading r (ownership of r passes to the pipeline,
 * also on failure). When registry is not NULL, the producer feeds it the
 * schemas the trace carries (EventMetadata records) as they pass, so they
 * are known before any later event is decoded; the registry must outlive
 * the pipeline. Likewise `inband` (may be NULL) collects the EventSource
 * manifests the trace carries. Returns ETW_OK or ETW_ERR_NOMEM. */
int etw_pipeline_start_file(etw_reader *r, size_t ring_capacity, etw_registry *registry,
                            etw_inband *inband, etw_pipeline **out);

/* Consumer: pops the next batch, waiting at most timeout_ms. Returns the
 * batch (the caller owns it and frees it with etw_batch_free), or NULL with
 * *finished = 1 when the producer is done and the ring is drained, or NULL
 * with *finished = 0 on timeout. Never fails otherwise. */
etw_batch *etw_pipeline_next(etw_pipeline *p, unsigned timeout_ms, int *finished);

/* After *finished: the producer's final error (code 0 when none) and stats.
 * Never fails. */
void etw_pipeline_result(etw_pipeline *p, etw_error *err, etw_reader_stats *stats);

/* Stops the producer (if running), joins it, frees queued batches and the
 * reader. Safe to call once at any time. */
void etw_pipeline_free(etw_pipeline *p);

#endif /* ETW_PIPELINE_H */
