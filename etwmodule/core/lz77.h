/* lz77.h - MS-XCA "Plain LZ77" decompression, used for compressed ETL
 * buffers (etl-format.md 1.7 and 7.1). */
#ifndef ETW_LZ77_H
#define ETW_LZ77_H

#include "etw_base.h"

/* Decompresses in[0..in_len) into out[0..out_cap). Stops when the input is
 * used up, or as soon as out_cap bytes were produced (so a caller may inflate
 * only a prefix). Stores the number of bytes produced in *out_len.
 * Returns ETW_OK, or ETW_ERR_FORMAT when a match points before the start of
 * the output or a length field is malformed (*out_len then holds the bytes
 * produced before the problem). Never reads or writes out of bounds. */
int etw_lz77_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                        size_t *out_len);

#endif /* ETW_LZ77_H */
