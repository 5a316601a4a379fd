/* reader.c - .etl file reader: buffer index, buffer loading (with LZ77
 * inflation), record walk, and the k-way merge into time order.
 *
 * Time order (etl-format.md 1.6, 7.7): records inside a buffer never go back
 * in time, so a merge of all buffers keyed by (timestamp, buffer file offset)
 * gives ProcessTrace's order. A buffer is loaded only when the merge frontier
 * reaches its first timestamp, so only buffers whose time ranges overlap are
 * in memory at once (about one per CPU). The index pass reads each buffer's
 * header and first record header: a few hundred bytes per buffer. */
#include <stdlib.h>

#include "lz77.h"
#include "platform.h"
#include "reader.h"

#define BUFHDR 0x48u
#define HDRPEEK (BUFHDR + 4u) /* a buffer header and its first record marker */
#define MAX_INFLATED (64u * 1024u * 1024u) /* > the 16 MiB Windows maximum */
#define PEEK_BYTES 0x70u
#define INFLATE_EXTRA 8u /* see ob_load */
#define FLAG_COMPRESSED 0x0040u
#define FLAG_LOST 0x0006u
#define FLAG_PROC_INDEX 0x0020u

typedef struct buf_info {
    uint64_t offset;
    uint32_t size;     /* on disk, header included */
    uint32_t filled;   /* Offset@0x30: end of the record area (inflated for compressed) */
    uint32_t avail;    /* bytes present in the file (< size when truncated) */
    int64_t first_ts;
    uint16_t cpu;
    uint16_t logger_id;
    uint16_t flags;
    uint8_t empty;     /* no record at 0x48 */
    uint8_t truncated; /* the file ends inside this buffer */
} buf_info;

typedef struct open_buf {
    const buf_info *info;
    uint8_t *data;     /* the (inflated) buffer image, header included */
    size_t cap;
    size_t end;        /* record area is [0x48, end) */
    size_t pos;
    int64_t last_ts;
    etw_record cur;
    etw_ext_item ext[ETW_MAX_EXT_ITEMS];
} open_buf;

struct etw_reader {
    etw_file *file;
    uint64_t file_size;
    etw_reader_options opt;
    etw_logfile_header hdr;
    etw_clock clock;
    buf_info *bufs;
    size_t nbufs;
    size_t *order;     /* time order: indexes of non-empty buffers but 0, by first_ts */
    size_t norder, next_open;
    open_buf **heap;
    size_t heap_n;
    open_buf *header_ob;     /* buffer 0, opened at open time */
    int header_done;
    open_buf *delivered;     /* buffer whose current record was handed out last */
    int delivered_on_heap;   /* ... and it is still the heap's top (time order) */
    int raw_times;           /* leave filetime/time_ns at 0 */
    open_buf *spare[8];      /* recycled buffers */
    size_t nspare;
    size_t file_next;        /* file order: next buffer index */
    open_buf *file_ob;
    etw_error tail;          /* damage that ended the buffer walk (reported at the end) */
    int tail_reported;
    etw_reader_stats stats;
};

/* ---------------------------------------------------------------- buffers */

static open_buf *ob_get(etw_reader *r, size_t need) {
    open_buf *ob = NULL;
    size_t i;
    for (i = 0; i < r->nspare; i++) {
        if (r->spare[i]->cap >= need) {
            ob = r->spare[i];
            r->spare[i] = r->spare[--r->nspare];
            return ob;
        }
    }
    ob = (open_buf *)calloc(1, sizeof *ob);
    if (!ob) return NULL;
    ob->data = (uint8_t *)malloc(need);
    if (!ob->data) {
        free(ob);
        return NULL;
    }
    ob->cap = need;
    return ob;
}

static void ob_free(open_buf *ob) {
    if (ob) {
        free(ob->data);
        free(ob);
    }
}

static void ob_release(etw_reader *r, open_buf *ob) {
    if (!ob) return;
    if (r->nspare < sizeof r->spare / sizeof r->spare[0])
        r->spare[r->nspare++] = ob;
    else
        ob_free(ob);
}

static int damage(etw_reader *r, etw_error *err, const etw_error *what, uint64_t bytes) {
    if (!r->opt.skip_errors) {
        if (err && what != err) *err = *what;
        return what->code ? what->code : ETW_ERR_FORMAT;
    }
    r->stats.skipped++;
    r->stats.skipped_bytes += bytes;
    return 0;
}

/* Loads buffer b into a fresh open_buf (inflating it when compressed).
 * Returns ETW_OK with *out set, or an ETW_ERR_* code with err filled. */
static int ob_load(etw_reader *r, const buf_info *b, open_buf **out, etw_error *err) {
    open_buf *ob;
    size_t got = 0, need;
    int rc;
    int compressed = (b->flags & FLAG_COMPRESSED) != 0;

    need = compressed ? (size_t)b->filled : (size_t)b->avail;
    if (need < BUFHDR) need = BUFHDR;
    /* A compressed buffer gets room for INFLATE_EXTRA more bytes than its
     * Offset says, to tell a stream that inflates to more from an exact one. */
    ob = ob_get(r, compressed ? need + INFLATE_EXTRA + b->avail : need);
    if (!ob) return etw_error_set(err, ETW_ERR_NOMEM, b->offset, "out of memory");
    ob->info = b;
    ob->last_ts = b->first_ts;
    ob->pos = BUFHDR;
    if (!compressed) {
        rc = etw_file_pread(r->file, ob->data, b->avail, b->offset, &got, err);
        if (rc != ETW_OK || got != b->avail) {
            ob_release(r, ob);
            return rc != ETW_OK ? rc
                                : etw_error_set(err, ETW_ERR_IO, b->offset,
                                                "short read of buffer at offset %llu",
                                                (unsigned long long)b->offset);
        }
        ob->end = b->filled < b->avail ? b->filled : b->avail;
    } else {
        /* Compressed input goes to the tail of the same allocation. */
        uint8_t *in = ob->data + need + INFLATE_EXTRA;
        size_t produced = 0;
        rc = etw_file_pread(r->file, in, b->avail, b->offset, &got, err);
        if (rc != ETW_OK || got != b->avail) {
            ob_release(r, ob);
            return rc != ETW_OK ? rc
                                : etw_error_set(err, ETW_ERR_IO, b->offset,
                                                "short read of buffer at offset %llu",
                                                (unsigned long long)b->offset);
        }
        memcpy(ob->data, in, BUFHDR);
        rc = etw_lz77_decompress(in + BUFHDR, b->avail - BUFHDR, ob->data + BUFHDR,
                                 need - BUFHDR + INFLATE_EXTRA, &produced);
        if (BUFHDR + produced > need) {
            /* [issue 3] The stream goes on past Offset@0x30 (every corpus stream
             * inflates to exactly Offset): the records past it would be lost.
             * The records Offset covers are walked. */
            ob->end = need;
            rc = ETW_ERR_FORMAT;
        } else {
            ob->end = BUFHDR + produced;
        }
        if (rc != ETW_OK || BUFHDR + produced != need) {
            etw_error e;
            memset(&e, 0, sizeof e);
            if (BUFHDR + produced > need)
                etw_error_set(&e, ETW_ERR_FORMAT, b->offset,
                              "compressed buffer at offset %llu inflates to more than "
                              "the %zu bytes its Offset@0x30 says",
                              (unsigned long long)b->offset, need);
            else
                etw_error_set(&e, ETW_ERR_FORMAT, b->offset,
                              "compressed buffer at offset %llu inflates to %zu bytes, "
                              "expected %zu",
                              (unsigned long long)b->offset, BUFHDR + produced, need);
            if (!r->opt.skip_errors) {
                ob_release(r, ob);
                *err = e;
                return ETW_ERR_FORMAT;
            }
            /* Keep what inflated; the records in it are checked one by one. */
            r->stats.skipped++;
            r->stats.skipped_bytes += ob->end < need ? need - ob->end : 0;
        }
    }
    r->stats.buffers++;
    r->stats.bytes += b->size;
    if (compressed) r->stats.compressed_buffers++;
    if (b->flags & FLAG_LOST) r->stats.lost_flag_buffers++;
    *out = ob;
    return ETW_OK;
}

/* Moves ob to its next deliverable record. Returns 1 (ob->cur valid), 0 when
 * the buffer has no more records (or its damaged rest was skipped), or a
 * negative code in strict mode with err filled. */
static int ob_advance(etw_reader *r, open_buf *ob, etw_error *err) {
    const buf_info *b = ob->info;
    for (;;) {
        uint32_t size = 0;
        etw_error e;
        int rc = etw_record_parse(ob->data, ob->pos, ob->end, &ob->cur, ob->ext, &size, &e);
        if (rc == 0) {
            /* [issue 3] The walk ended: a record past Offset@0x30 (uncompressed
             * buffers keep their bytes after it) is damage, not the end. */
            if ((b->flags & FLAG_COMPRESSED) || b->truncated ||
                etw_record_check_end(ob->data, ob->pos, b->avail, &e) == 0)
                return 0;
            rc = ETW_ERR_FORMAT;
        }
        if (rc < 0 && b->truncated) {
            /* The record cut by the end of the file: reported once, as the
             * truncation, after every complete record (r->tail). */
            ob->pos = ob->end;
            return 0;
        }
        if (rc < 0) {
            int compressed = (b->flags & FLAG_COMPRESSED) != 0;
            uint64_t at = compressed ? b->offset : b->offset + ob->pos;
            char what[sizeof e.message];
            memcpy(what, e.message, sizeof what);
            etw_error_set(&e, ETW_ERR_FORMAT, at, "%s (buffer at offset %llu, %s %zu)",
                          what, (unsigned long long)b->offset,
                          compressed ? "inflated position" : "position", ob->pos);
            rc = damage(r, err, &e, ob->end > ob->pos ? ob->end - ob->pos : 0);
            ob->pos = ob->end;
            return rc;
        }
        ob->pos += ETW_ALIGN8((size_t)size);
        if (rc == 2) {
            r->stats.opaque_records++;
            continue;
        }
        {
            etw_record *rec = &ob->cur;
            etw_buffer_place where;
            where.offset = b->offset;
            where.cpu = b->cpu;
            where.logger_id = b->logger_id;
            where.header_pointer_size = r->hdr.header_pointer_size;
            etw_record_place(rec, &where, &ob->last_ts);
            if (!r->raw_times)
                etw_clock_convert(&r->clock, rec->timestamp, &rec->filetime, &rec->time_ns);
        }
        return 1;
    }
}

/* ---------------------------------------------------------------- index */

/* h holds HDRPEEK bytes (fewer only when the file ends sooner, and then the
 * bytes past the header are not looked at). */
static int plausible_header(const uint8_t *h, uint64_t offset, uint64_t file_size) {
    uint32_t size = etw_le32(h), filled = etw_le32(h + 0x30);
    uint16_t flags = etw_le16(h + 0x34), type = etw_le16(h + 0x36);
    if (size < BUFHDR || size > MAX_INFLATED || type > 8) return 0;
    if (offset + size > file_size) return 0;
    if (flags & FLAG_COMPRESSED) return filled >= BUFHDR && filled <= MAX_INFLATED;
    /* [issue 3] An uncompressed buffer's Offset covers its header, and it is empty
     * or starts with a record (marker byte 0xC0 or 0x90): bytes that only look
     * like a header (after a damaged BufferSize, or inside records) rarely pass.
     * Was `filled <= size` alone. Every buffer of the corpus passes. */
    if (filled < BUFHDR || filled > size) return 0;
    return filled <= HDRPEEK || etw_le32(h + BUFHDR) == 0xFFFFFFFFu || h[BUFHDR + 3] == 0xC0 ||
           h[BUFHDR + 3] == 0x90;
}

/* plausible_header, and [issue 3] for a compressed buffer a stream that
 * inflates to a record start (or an empty buffer): header-shaped bytes inside
 * compressed data, where a damaged BufferSize or a resync lands, rarely do. */
static int plausible_at(etw_reader *r, const uint8_t *h, uint64_t offset) {
    uint8_t in[32], out[4];
    size_t got = 0, produced = 0;
    uint32_t size = etw_le32(h);
    if (!plausible_header(h, offset, r->file_size)) return 0;
    if (!(etw_le16(h + 0x34) & FLAG_COMPRESSED) || etw_le32(h + 0x30) <= HDRPEEK) return 1;
    if (etw_file_pread(r->file, in, size - BUFHDR < sizeof in ? size - BUFHDR : sizeof in,
                       offset + BUFHDR, &got, NULL) != ETW_OK)
        return 0;
    etw_lz77_decompress(in, got, out, sizeof out, &produced);
    return produced == sizeof out && (etw_le32(out) == 0xFFFFFFFFu || out[3] == 0xC0 ||
                                      out[3] == 0x90);
}

/* Peeks the raw timestamp of the record at p (avail bytes). Returns 1 when
 * it has one. */
static int peek_timestamp(const uint8_t *p, size_t avail, int64_t *ts) {
    if (avail < 8) return 0;
    if (p[3] == 0x90) {
        uint16_t fl = etw_le16(p + 6);
        size_t off = 8;
        if (!(fl & 0x0008)) return 0;
        if (fl & 0x0001) off += 4;
        if (fl & 0x0002) off += 16;
        if (fl & 0x0004) off += 4;
        if (off + 8 > avail) return 0;
        *ts = (int64_t)etw_le64(p + off);
        return 1;
    }
    if (p[3] != 0xC0) return 0;
    switch (p[2]) {
    case ETW_HT_PERFINFO32: case ETW_HT_PERFINFO64:
        if (avail < 16) return 0;
        *ts = (int64_t)etw_le64(p + 8);
        return 1;
    case ETW_HT_SYSTEM32: case ETW_HT_SYSTEM64: case ETW_HT_COMPACT32: case ETW_HT_COMPACT64:
    case ETW_HT_FULL32: case ETW_HT_FULL64: case ETW_HT_INSTANCE32: case ETW_HT_INSTANCE64:
    case ETW_HT_EVENT32: case ETW_HT_EVENT64:
        if (avail < 24) return 0;
        *ts = (int64_t)etw_le64(p + 16);
        return 1;
    default:
        return 0;
    }
}

/* Finds the first record's timestamp of buffer b (inflating a prefix when
 * compressed). Returns ETW_OK (b->first_ts/empty set) or an I/O error. */
static int index_first_record(etw_reader *r, buf_info *b, uint8_t *tmp, size_t tmp_cap,
                              etw_error *err) {
    uint8_t peek[PEEK_BYTES];
    const uint8_t *rec;
    size_t n, got = 0;
    uint64_t limit = b->filled;
    int rc, past = 0;
    b->first_ts = INT64_MIN;
    if (!(b->flags & FLAG_COMPRESSED)) {
        if (limit > b->avail) limit = b->avail;
        if (limit <= BUFHDR + 4) {
            /* [issue 3] Empty by its Offset: unless a record follows anyway
             * (Offset@0x30 too small), which the loader's walk reports. */
            uint8_t first[8];
            if (b->avail < BUFHDR + sizeof first || b->truncated) {
                b->empty = 1;
                return ETW_OK;
            }
            rc = etw_file_pread(r->file, first, sizeof first, b->offset + BUFHDR, &got, err);
            if (rc != ETW_OK) return rc;
            if (got == sizeof first && etw_le32(first) != 0xFFFFFFFFu && etw_le32(first) != 0 &&
                (first[3] == 0xC0 || first[3] == 0x90)) {
                peek_timestamp(first, got, &b->first_ts);
                return ETW_OK;
            }
            b->empty = 1;
            return ETW_OK;
        }
        n = limit - BUFHDR < PEEK_BYTES ? (size_t)(limit - BUFHDR) : PEEK_BYTES;
        rc = etw_file_pread(r->file, peek, n, b->offset + BUFHDR, &got, err);
        if (rc != ETW_OK) return rc;
        rec = peek;
        n = got;
    } else {
        size_t produced = 0;
        if (b->avail > tmp_cap || b->avail <= BUFHDR) {
            /* Oversized or empty input: let the loader judge it. */
            return ETW_OK;
        }
        rc = etw_file_pread(r->file, tmp, b->avail, b->offset, &got, err);
        if (rc != ETW_OK) return rc;
        etw_lz77_decompress(tmp + BUFHDR, got > BUFHDR ? got - BUFHDR : 0, peek, PEEK_BYTES,
                            &produced);
        /* [issue 3] A stream that inflates past Offset: the loader reports it. */
        if (limit - BUFHDR < produced) {
            past = 1;
            produced = (size_t)(limit - BUFHDR);
        }
        rec = peek;
        n = produced;
    }
    if (n < 4 || etw_le32(rec) == 0xFFFFFFFFu || etw_le32(rec) == 0) {
        /* [issue 3] An end marker first (or a compressed stream that does not
         * inflate), with room for records before Offset (zeroed records, a
         * damaged Offset or stream), or a stream inflating past Offset: not
         * empty; the loader reports it. */
        if (past || limit - BUFHDR >= ETW_RECORD_SLACK) return ETW_OK;
        b->empty = 1;
        return ETW_OK;
    }
    peek_timestamp(rec, n, &b->first_ts);
    return ETW_OK;
}

static int add_buf(etw_reader *r, size_t *cap, const uint8_t *h, uint64_t offset,
                   uint32_t avail, etw_error *err) {
    buf_info *b;
    if (r->nbufs == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        buf_info *nb = (buf_info *)realloc(r->bufs, ncap * sizeof *nb);
        if (!nb) return etw_error_set(err, ETW_ERR_NOMEM, offset, "out of memory");
        r->bufs = nb;
        *cap = ncap;
    }
    b = &r->bufs[r->nbufs++];
    memset(b, 0, sizeof *b);
    b->offset = offset;
    b->size = etw_le32(h);
    b->avail = avail;
    b->filled = etw_le32(h + 0x30);
    b->flags = etw_le16(h + 0x34);
    /* ETW_BUFFER_CONTEXT: 16-bit index with PROC_INDEX, else CPU byte + alignment. */
    b->cpu = (b->flags & FLAG_PROC_INDEX) ? (uint16_t)(etw_le16(h + 0x28) & 0x07FF) : h[0x28];
    b->logger_id = etw_le16(h + 0x2A);
    return ETW_OK;
}

/* A resync candidate: plausible, and [issue 3] followed by the end of the
 * file or by another buffer header, plausible but for the file size (the next
 * one may be the cut last buffer): a chain of two is what bytes that only
 * look like a header (a header read 4 bytes off, record or compressed data)
 * practically never give. h has HDRPEEK bytes. */
static int resync_candidate(etw_reader *r, const uint8_t *h, uint64_t offset) {
    uint8_t h2[HDRPEEK];
    size_t got = 0;
    uint64_t next = offset + etw_le32(h);
    if (!plausible_at(r, h, offset)) return 0;
    if (next == r->file_size) return 1;
    memset(h2, 0, sizeof h2);
    if (etw_file_pread(r->file, h2, HDRPEEK, next, &got, NULL) != ETW_OK) return 0;
    return plausible_header(h2, next, UINT64_MAX);
}

/* Finds the next buffer header after damage at offset: the nearer of the
 * first candidate on the session-buffer grid of the last good buffer
 * (uncompressed sessions use one buffer size) and the first one found byte by
 * byte up to offset + limit (compressed buffers have any size: in relogged
 * files most of them are not 8-byte aligned). Returns its offset (> offset)
 * or file_size when none. [issue 3: was an 8-byte-step scan after a grid from
 * the file start, which never found the unaligned buffers of compressed
 * files; see tests/test_corruption.py] */
static uint64_t resync(etw_reader *r, uint64_t last_good, uint64_t offset, uint64_t limit) {
    uint8_t chunk[4096 + HDRPEEK];
    uint64_t pos = offset + 1, found = r->file_size;
    uint64_t scan_end = limit < r->file_size - offset ? offset + limit : r->file_size;
    uint32_t step = r->hdr.buffer_size;
    if (step >= BUFHDR) {
        uint64_t base = last_good <= offset ? last_good : 0;
        uint64_t cand = base + ((offset - base) / step + 1) * step;
        for (; cand + BUFHDR <= r->file_size; cand += step) {
            size_t got = 0;
            if (etw_file_pread(r->file, chunk, HDRPEEK, cand, &got, NULL) != ETW_OK ||
                got < BUFHDR)
                break;
            /* [issue 3] On the grid, a plausible header of the session's buffer
             * size is taken even when the buffer after it is damaged too: the
             * chain rule alone lost every intact buffer between two damaged
             * ones. */
            if (resync_candidate(r, chunk, cand) ||
                (etw_le32(chunk) == step && plausible_at(r, chunk, cand))) {
                found = cand;
                break;
            }
        }
    }
    while (pos + HDRPEEK <= r->file_size && pos <= scan_end && pos < found) {
        size_t got = 0, i;
        if (etw_file_pread(r->file, chunk, sizeof chunk, pos, &got, NULL) != ETW_OK) break;
        if (got < HDRPEEK) break;
        for (i = 0; i + HDRPEEK <= got && pos + i <= scan_end && pos + i < found; i++) {
            if (resync_candidate(r, chunk + i, pos + i)) return pos + i;
        }
        pos += i;
    }
    return found;
}

static int all_zero(const uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

static int build_index(etw_reader *r, etw_error *err) {
    size_t cap = 0;
    uint64_t offset = 0, last_good = 0;
    uint8_t h[HDRPEEK];
    uint8_t *tmp = NULL;
    size_t tmp_cap = 0;
    int rc = ETW_OK;

    while (offset + BUFHDR <= r->file_size) {
        size_t got = 0;
        uint32_t size;
        rc = etw_file_pread(r->file, h, HDRPEEK, offset, &got, err);
        if (rc != ETW_OK) goto done;
        size = etw_le32(h);
        if (size == 0 && all_zero(h, BUFHDR)) {
            /* Zero-filled tail (preallocated or crash-truncated file): the end.
             * [issue 3] Unless a buffer follows (looked for on the buffer grid and
             * 1 MiB ahead): a zeroed region inside the file is damage, handled as
             * an invalid header below; stopping here lost every later buffer.
             * A BufferSize of 0 in a header that is not all zero is damage too
             * (it hid the records of a last buffer). */
            if (resync(r, last_good, offset, 1u << 20) >= r->file_size) break;
        }
        if (!plausible_at(r, h, offset)) {
            int truncated = size >= BUFHDR && size <= MAX_INFLATED &&
                            offset + size > r->file_size;
            uint64_t next;
            /* A cut file ends inside its last buffer; a damaged size field leaves
             * buffers after it. [issue 3] Looked for as resync does: one session-
             * buffer step only missed the next buffer of compressed files, and
             * their later buffers were taken for the cut buffer's bytes. */
            if (truncated && resync(r, last_good, offset, MAX_INFLATED) < r->file_size)
                truncated = 0;
            if (truncated) {
                etw_error_set(&r->tail, ETW_ERR_TRUNCATED, offset,
                              "file truncated: buffer at offset %llu needs %u bytes, "
                              "%llu present",
                              (unsigned long long)offset, size,
                              (unsigned long long)(r->file_size - offset));
                if (!(etw_le16(h + 0x34) & FLAG_COMPRESSED)) {
                    rc = add_buf(r, &cap, h, offset, (uint32_t)(r->file_size - offset), err);
                    if (rc != ETW_OK) goto done;
                    r->bufs[r->nbufs - 1].size = (uint32_t)(r->file_size - offset);
                    r->bufs[r->nbufs - 1].truncated = 1;
                }
                if (r->opt.skip_errors) {
                    r->stats.skipped++;
                    r->stats.skipped_bytes += (uint64_t)size - (r->file_size - offset);
                    r->tail.code = 0;
                }
                break;
            }
            etw_error_set(&r->tail, ETW_ERR_FORMAT, offset,
                          "invalid buffer header at offset %llu (size %u)",
                          (unsigned long long)offset, size);
            if (!r->opt.skip_errors) break;
            next = resync(r, last_good, offset, UINT64_MAX);
            r->stats.skipped++;
            r->stats.skipped_bytes += next - offset;
            r->tail.code = 0;
            offset = next;
            continue;
        }
        rc = add_buf(r, &cap, h, offset, size, err);
        if (rc != ETW_OK) goto done;
        last_good = offset;
        offset += size;
    }
    if (offset + BUFHDR > r->file_size && offset < r->file_size && !r->tail.code &&
        etw_le32(h) != 0) {
        /* Fewer than 0x48 bytes left: a cut buffer header. */
        etw_error_set(&r->tail, ETW_ERR_TRUNCATED, offset,
                      "file truncated: %llu bytes after the last buffer at offset %llu",
                      (unsigned long long)(r->file_size - offset), (unsigned long long)offset);
        if (r->opt.skip_errors) {
            r->stats.skipped++;
            r->stats.skipped_bytes += r->file_size - offset;
            r->tail.code = 0;
        }
    }
    /* First records, for the merge. Buffer 0 is loaded by the caller. */
    for (size_t i = 1; i < r->nbufs && !r->opt.header_only; i++) {
        buf_info *b = &r->bufs[i];
        if ((b->flags & FLAG_COMPRESSED) && b->avail > tmp_cap) {
            uint8_t *nt = (uint8_t *)realloc(tmp, b->avail);
            if (!nt) {
                rc = etw_error_set(err, ETW_ERR_NOMEM, b->offset, "out of memory");
                goto done;
            }
            tmp = nt;
            tmp_cap = b->avail;
        }
        rc = index_first_record(r, b, tmp, tmp_cap, err);
        if (rc != ETW_OK) goto done;
    }
done:
    free(tmp);
    return rc;
}

/* ---------------------------------------------------------------- merge heap */

static int heap_less(const open_buf *a, const open_buf *b) {
    if (a->cur.timestamp != b->cur.timestamp) return a->cur.timestamp < b->cur.timestamp;
    return a->info->offset < b->info->offset;
}

static void heap_push(etw_reader *r, open_buf *ob) {
    size_t i = r->heap_n++;
    r->heap[i] = ob;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_less(r->heap[i], r->heap[parent])) break;
        open_buf *t = r->heap[i];
        r->heap[i] = r->heap[parent];
        r->heap[parent] = t;
        i = parent;
    }
}

static void heap_sift_down(etw_reader *r) {
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < r->heap_n && heap_less(r->heap[l], r->heap[m])) m = l;
        if (l + 1 < r->heap_n && heap_less(r->heap[l + 1], r->heap[m])) m = l + 1;
        if (m == i) break;
        open_buf *t = r->heap[i];
        r->heap[i] = r->heap[m];
        r->heap[m] = t;
        i = m;
    }
}

static open_buf *heap_pop(etw_reader *r) {
    open_buf *top = r->heap[0];
    r->heap[0] = r->heap[--r->heap_n];
    heap_sift_down(r);
    return top;
}

typedef struct order_key {
    int64_t first_ts;
    uint64_t offset;
    size_t idx;
} order_key;

static int order_cmp(const void *a, const void *b) {
    const order_key *x = (const order_key *)a, *y = (const order_key *)b;
    if (x->first_ts != y->first_ts) return x->first_ts < y->first_ts ? -1 : 1;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Sorts r->order by (first timestamp, file offset). Returns ETW_OK or ETW_ERR_NOMEM. */
static int sort_order(etw_reader *r) {
    order_key *keys;
    size_t i;
    if (r->norder < 2) return ETW_OK;
    keys = (order_key *)malloc(r->norder * sizeof *keys);
    if (!keys) return ETW_ERR_NOMEM;
    for (i = 0; i < r->norder; i++) {
        keys[i].first_ts = r->bufs[r->order[i]].first_ts;
        keys[i].offset = r->bufs[r->order[i]].offset;
        keys[i].idx = r->order[i];
    }
    qsort(keys, r->norder, sizeof *keys, order_cmp);
    for (i = 0; i < r->norder; i++) r->order[i] = keys[i].idx;
    free(keys);
    return ETW_OK;
}

/* ---------------------------------------------------------------- public */

int etw_reader_open(const char *path, const etw_reader_options *opt, etw_reader **out,
                    etw_error *err) {
    etw_reader *r;
    int rc;
    *out = NULL;
    r = (etw_reader *)calloc(1, sizeof *r);
    if (!r) return etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
    if (opt) r->opt = *opt;
    rc = etw_file_open(path, &r->file, err);
    if (rc != ETW_OK) goto fail;
    rc = etw_file_size(r->file, &r->file_size, err);
    if (rc != ETW_OK) goto fail;
    {
        /* The header buffer holds the logfile header as its first record (1.8). */
        uint8_t h[BUFHDR];
        size_t got = 0;
        uint32_t size;
        rc = etw_file_pread(r->file, h, BUFHDR, 0, &got, err);
        if (rc != ETW_OK) goto fail;
        size = got == BUFHDR ? etw_le32(h) : 0;
        if (got < BUFHDR || size < BUFHDR || size > MAX_INFLATED ||
            etw_le32(h + 0x30) < BUFHDR + 0x20) {
            rc = etw_error_set(err, ETW_ERR_FORMAT, 0,
                               "not an ETL file: no valid header buffer at offset 0");
            goto fail;
        }
        /* Session buffer size guess for resync before the header is parsed. */
        r->hdr.buffer_size = size;
    }
    rc = build_index(r, err);
    if (rc != ETW_OK) goto fail;
    if (r->nbufs == 0) {
        rc = etw_error_set(err, ETW_ERR_FORMAT, 0, "not an ETL file: no buffer");
        goto fail;
    }
    {
        etw_error e;
        memset(&e, 0, sizeof e);
        r->opt.skip_errors = 0; /* the header must be intact whatever the mode */
        rc = ob_load(r, &r->bufs[0], &r->header_ob, err);
        if (rc != ETW_OK) goto fail;
        /* A provisional clock so that ob_advance can convert; reset below. */
        r->clock.freq = 1;
        rc = ob_advance(r, r->header_ob, &e);
        if (rc != 1 || r->header_ob->cur.kind != ETW_KIND_HEADER) {
            rc = etw_error_set(err, ETW_ERR_FORMAT, 0x48,
                               "not an ETL file: the first record is not a logfile header%s%s",
                               rc < 0 ? ": " : "", rc < 0 ? e.message : "");
            goto fail;
        }
        {
            uint32_t session_size = r->hdr.buffer_size;
            rc = etw_logfile_parse(&r->header_ob->cur, &r->hdr, err);
            if (rc != ETW_OK) goto fail;
            if (r->hdr.buffer_size < BUFHDR) r->hdr.buffer_size = session_size;
        }
        rc = etw_clock_init(&r->clock, &r->hdr, err);
        if (rc != ETW_OK) goto fail;
        etw_clock_convert(&r->clock, r->header_ob->cur.timestamp, &r->header_ob->cur.filetime,
                          &r->header_ob->cur.time_ns);
        r->opt.skip_errors = opt ? opt->skip_errors : 0;
        r->header_ob->last_ts = r->header_ob->cur.timestamp;
        r->bufs[0].first_ts = r->header_ob->cur.timestamp;
    }
    if (r->opt.header_only) {
        *out = r;
        return ETW_OK;
    }
    /* Empty buffers are walked at once; the others join the merge order. */
    r->order = (size_t *)malloc((r->nbufs ? r->nbufs : 1) * sizeof *r->order);
    r->heap = (open_buf **)malloc((r->nbufs + 1) * sizeof *r->heap);
    if (!r->order || !r->heap) {
        rc = etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 1; i < r->nbufs; i++) {
        if (r->bufs[i].empty) {
            r->stats.buffers++;
            r->stats.bytes += r->bufs[i].size;
            if (r->bufs[i].flags & FLAG_LOST) r->stats.lost_flag_buffers++;
            if (r->bufs[i].flags & FLAG_COMPRESSED) r->stats.compressed_buffers++;
        } else {
            r->order[r->norder++] = i;
        }
    }
    if (r->opt.order == ETW_ORDER_TIME) {
        if (sort_order(r) != ETW_OK) {
            rc = etw_error_set(err, ETW_ERR_NOMEM, 0, "out of memory");
            goto fail;
        }
    }
    if (r->opt.nparts > 1) {
        /* One share of the buffers (file order): [lo, hi) of the walk order. */
        size_t lo, hi;
        if (r->opt.order != ETW_ORDER_FILE || r->opt.part >= r->opt.nparts) {
            rc = etw_error_set(err, ETW_ERR_ARG, 0, "a reader part needs file order");
            goto fail;
        }
        lo = (size_t)((uint64_t)r->norder * r->opt.part / r->opt.nparts);
        hi = (size_t)((uint64_t)r->norder * (r->opt.part + 1) / r->opt.nparts);
        r->next_open = lo;
        r->norder = hi;
        if (r->opt.part > 0) {
            memset(&r->stats, 0, sizeof r->stats); /* part 0 counts the index */
            ob_free(r->header_ob);
            r->header_ob = NULL;
            r->header_done = 1;
        }
        if (r->opt.part + 1 < r->opt.nparts) r->tail.code = 0; /* the last part's */
    }
    *out = r;
    return ETW_OK;
fail:
    etw_reader_close(r);
    return rc;
}

const etw_logfile_header *etw_reader_header(const etw_reader *r) { return &r->hdr; }

size_t etw_reader_buffer_count(const etw_reader *r) { return r->nbufs; }

void etw_reader_set_raw_times(etw_reader *r, int on) { r->raw_times = on != 0; }

void etw_reader_convert_time(const etw_reader *r, int64_t ts, int64_t *filetime,
                             int64_t *unix_ns) {
    etw_clock_convert(&r->clock, ts, filetime, unix_ns);
}

void etw_reader_get_stats(const etw_reader *r, etw_reader_stats *out) { *out = r->stats; }

static int deliver(etw_reader *r, open_buf *ob, const etw_record **rec) {
    /* The record is handed out in place; the buffer moves on at the next call. */
    r->delivered = ob;
    r->stats.events++;
    *rec = &ob->cur;
    return 1;
}

static int finish(etw_reader *r, etw_error *err) {
    if (r->tail.code && !r->tail_reported) {
        r->tail_reported = 1;
        if (err) *err = r->tail;
        return r->tail.code;
    }
    return 0;
}

/* Loads buffer idx and puts it on the heap. Returns ETW_OK or an error
 * (strict mode). */
static int open_into_heap(etw_reader *r, size_t idx, etw_error *err) {
    open_buf *ob = NULL;
    etw_error e;
    int rc = ob_load(r, &r->bufs[idx], &ob, &e);
    if (rc != ETW_OK) {
        if (rc == ETW_ERR_FORMAT) return damage(r, err, &e, r->bufs[idx].size);
        if (err) *err = e;
        return rc;
    }
    rc = ob_advance(r, ob, err);
    if (rc == 1) {
        heap_push(r, ob);
        return ETW_OK;
    }
    ob_release(r, ob);
    return rc;
}

int etw_reader_next(etw_reader *r, const etw_record **rec, etw_error *err) {
    int rc;
    if (r->opt.header_only)
        return etw_error_set(err, ETW_ERR_ARG, 0, "reader opened for the header only");
    if (r->delivered && r->delivered_on_heap) {
        /* The top of the merge heap moves on in place ("replace top"): one
         * sift-down instead of a pop and a push. */
        open_buf *ob = r->delivered;
        r->delivered = NULL;
        r->delivered_on_heap = 0;
        rc = ob_advance(r, ob, err);
        if (rc == 1) {
            heap_sift_down(r);
        } else {
            heap_pop(r);
            ob_release(r, ob);
            if (rc < 0) return rc;
        }
    } else if (r->delivered) {
        /* Move the buffer of the last record on; its damage is reported now,
         * after that record was delivered. */
        open_buf *ob = r->delivered;
        r->delivered = NULL;
        rc = ob_advance(r, ob, err);
        if (rc == 1) {
            if (r->opt.order == ETW_ORDER_TIME)
                heap_push(r, ob);
            else
                r->file_ob = ob;
        } else {
            ob_release(r, ob);
            if (rc < 0) return rc;
        }
    }
    if (!r->header_done) {
        open_buf *ob = r->header_ob;
        r->header_done = 1;
        r->header_ob = NULL;
        return deliver(r, ob, rec);
    }
    if (r->opt.order == ETW_ORDER_FILE) {
        for (;;) {
            if (r->file_ob) {
                open_buf *ob = r->file_ob;
                r->file_ob = NULL;
                return deliver(r, ob, rec);
            }
            if (r->next_open >= r->norder) return finish(r, err);
            {
                open_buf *ob = NULL;
                etw_error e;
                size_t idx = r->order[r->next_open++];
                rc = ob_load(r, &r->bufs[idx], &ob, &e);
                if (rc != ETW_OK) {
                    if (rc != ETW_ERR_FORMAT) {
                        if (err) *err = e;
                        return rc;
                    }
                    rc = damage(r, err, &e, r->bufs[idx].size);
                    if (rc < 0) return rc;
                    continue;
                }
                rc = ob_advance(r, ob, err);
                if (rc == 1)
                    r->file_ob = ob;
                else
                    ob_release(r, ob);
                if (rc < 0) return rc;
            }
        }
    }
    /* Time order: open every buffer the frontier has reached, then pop. */
    while (r->next_open < r->norder &&
           (r->heap_n == 0 ||
            r->bufs[r->order[r->next_open]].first_ts <= r->heap[0]->cur.timestamp)) {
        rc = open_into_heap(r, r->order[r->next_open++], err);
        if (rc < 0) return rc;
    }
    if (r->heap_n == 0) return finish(r, err);
    r->delivered_on_heap = 1;
    return deliver(r, r->heap[0], rec);
}

void etw_reader_close(etw_reader *r) {
    size_t i;
    if (!r) return;
    for (i = 0; i < r->heap_n; i++) ob_free(r->heap[i]);
    for (i = 0; i < r->nspare; i++) ob_free(r->spare[i]);
    ob_free(r->header_ob);
    if (!r->delivered_on_heap) ob_free(r->delivered);
    ob_free(r->file_ob);
    free(r->heap);
    free(r->order);
    free(r->bufs);
    if (r->file) etw_file_close(r->file);
    free(r);
}
