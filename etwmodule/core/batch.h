/* batch.h - an arena of records: the unit that crosses the ring. Records are
 * copied in with their raw bytes, so a batch owns everything its records
 * point at and outlives the reader buffers they came from. One allocation
 * per batch; the consumer frees it when the last event referencing it dies. */
#ifndef ETW_BATCH_H
#define ETW_BATCH_H

#include "reader.h"

typedef struct etw_batch {
    uint32_t count;
    uint32_t cap;
    uint32_t ext_used;
    uint32_t ext_cap;
    size_t data_used;
    size_t data_cap;
    etw_record *records;
    etw_ext_item *ext;
    uint8_t *data;
    etw_reader_stats stats;  /* the producer's statistics when it was pushed */
} etw_batch;

/* Returns a new empty batch, or NULL when out of memory. */
etw_batch *etw_batch_new(uint32_t record_cap, size_t data_cap);

/* Copies rec (its raw bytes, payload and extended items) into the batch.
 * Returns 1 when appended, 0 when the batch is full (an empty batch of the
 * default size always has room for any record). */
int etw_batch_append(etw_batch *b, const etw_record *rec);

void etw_batch_free(etw_batch *b);

#define ETW_BATCH_RECORDS 2048u
#define ETW_BATCH_DATA (512u * 1024u)

#endif /* ETW_BATCH_H */
