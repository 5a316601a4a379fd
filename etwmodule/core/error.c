/* error.c - filling etw_error, the one error report of the core. */
#if defined(__MINGW32__) && !defined(__USE_MINGW_ANSI_STDIO)
#define __USE_MINGW_ANSI_STDIO 1 /* C99 printf (%zu) from mingw's vsnprintf */
#endif
#include <stdarg.h>
#include <stdio.h>

#include "etw_base.h"

int etw_error_set(etw_error *err, int code, uint64_t offset, const char *fmt, ...) {
    if (err) {
        va_list ap;
        err->code = code;
        err->offset = offset;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
