/* fuzz_tmpfile.h - the temporary file that harnesses reading by path (reader,
 * columns) write each input to: created once by fuzz_tmp_create (in
 * $ETW_FUZZ_TMPDIR, else /dev/shm when writable, else $TMPDIR or /tmp) and
 * removed at exit. Include after defining _POSIX_C_SOURCE. */
#ifndef ETW_FUZZ_TMPFILE_H
#define ETW_FUZZ_TMPFILE_H

#include <unistd.h>

#include "fuzz_util.h"

static char fuzz_tmp_path[512];
static int fuzz_tmp_fd = -1;

static void fuzz_tmp_remove(void) {
    if (fuzz_tmp_fd >= 0) close(fuzz_tmp_fd);
    if (fuzz_tmp_path[0]) unlink(fuzz_tmp_path);
}

/* Creates the file, named after tag; aborts when it cannot. */
static void fuzz_tmp_create(const char *tag) {
    const char *dir = getenv("ETW_FUZZ_TMPDIR");
    if (!dir && access("/dev/shm", W_OK) == 0) dir = "/dev/shm";
    if (!dir) dir = getenv("TMPDIR");
    if (!dir) dir = "/tmp";
    snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/etw-fuzz-%s-XXXXXX", dir, tag);
    fuzz_tmp_fd = mkstemp(fuzz_tmp_path);
    FUZZ_CHECK(fuzz_tmp_fd >= 0);
    atexit(fuzz_tmp_remove);
}

/* Makes the file hold exactly data[0..size). */
static void fuzz_tmp_write(const uint8_t *data, size_t size) {
    size_t done = 0;
    FUZZ_CHECK(ftruncate(fuzz_tmp_fd, 0) == 0);
    while (done < size) {
        ssize_t n = pwrite(fuzz_tmp_fd, data + done, size - done, (off_t)done);
        FUZZ_CHECK(n > 0);
        done += (size_t)n;
    }
}

#endif /* ETW_FUZZ_TMPFILE_H */
