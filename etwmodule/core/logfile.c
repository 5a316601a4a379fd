/* logfile.c - TRACE_LOGFILE_HEADER32/64 parsing and the raw clock -> UTC
 * conversion. Offsets: etl-format.md 1.8 (32-bit / 64-bit columns). */
#include "logfile.h"

static void copy_utf16z(uint16_t *dst, size_t cap, const uint8_t *src, size_t avail,
                        size_t *used) {
    size_t i = 0, n = 0;
    while (i + 2 <= avail) {
        uint16_t c = etw_le16(src + i);
        i += 2;
        if (c == 0) break;
        if (n + 1 < cap) dst[n++] = c;
    }
    dst[n] = 0;
    if (used) *used = i;
}

int etw_logfile_parse(const etw_record *rec, etw_logfile_header *hdr, etw_error *err) {
    const uint8_t *p = rec->user_data;
    size_t len = rec->user_data_length, fixed, tz, used = 0;
    int is64;
    if (rec->kind != ETW_KIND_HEADER)
        return etw_error_set(err, ETW_ERR_FORMAT, rec->file_offset + rec->buffer_pos,
                             "first record is not a logfile header");
    is64 = rec->header_type == ETW_HT_SYSTEM64 || rec->header_type == ETW_HT_COMPACT64;
    fixed = is64 ? 0x118 : 0x110;
    if (len < fixed)
        return etw_error_set(err, ETW_ERR_FORMAT, rec->file_offset + rec->buffer_pos,
                             "logfile header payload of %zu bytes is shorter than %zu", len,
                             fixed);
    memset(hdr, 0, sizeof *hdr);
    hdr->buffer_size = etw_le32(p + 0x00);
    hdr->os_major = p[4];
    hdr->os_minor = p[5];
    hdr->format_major = p[6];
    hdr->format_minor = p[7];
    hdr->provider_version = etw_le32(p + 0x08);
    hdr->cpu_count = etw_le32(p + 0x0C);
    hdr->end_time = (int64_t)etw_le64(p + 0x10);
    hdr->timer_resolution = etw_le32(p + 0x18);
    hdr->max_file_size = etw_le32(p + 0x1C);
    hdr->log_file_mode = etw_le32(p + 0x20);
    hdr->buffers_written = etw_le32(p + 0x24);
    hdr->pointer_size = etw_le32(p + 0x2C);
    hdr->events_lost = etw_le32(p + 0x30);
    hdr->cpu_speed_mhz = etw_le32(p + 0x34);
    tz = is64 ? 0x48 : 0x40;
    hdr->tz_bias = (int32_t)etw_le32(p + tz);
    for (int i = 0; i < 32; i++) {
        hdr->tz_standard_name[i] = etw_le16(p + tz + 0x04 + 2 * i);
        hdr->tz_daylight_name[i] = etw_le16(p + tz + 0x58 + 2 * i);
    }
    hdr->tz_standard_name[31] = 0;
    hdr->tz_daylight_name[31] = 0;
    hdr->tz_standard_bias = (int32_t)etw_le32(p + tz + 0x54);
    hdr->tz_daylight_bias = (int32_t)etw_le32(p + tz + 0xA8);
    {
        size_t b = is64 ? 0xF8 : 0xF0;
        hdr->boot_time = (int64_t)etw_le64(p + b);
        hdr->perf_freq = (int64_t)etw_le64(p + b + 8);
        hdr->start_time = (int64_t)etw_le64(p + b + 16);
        hdr->clock_type = etw_le32(p + b + 24);
        hdr->buffers_lost = etw_le32(p + b + 28);
    }
    copy_utf16z(hdr->logger_name, 256, p + fixed, len - fixed, &used);
    copy_utf16z(hdr->log_file_name, 512, p + fixed + used, len - fixed - used, NULL);
    hdr->t0 = rec->timestamp;
    hdr->header_pointer_size = rec->pointer_size;
    return ETW_OK;
}

int etw_clock_init(etw_clock *clk, const etw_logfile_header *hdr, etw_error *err) {
    memset(clk, 0, sizeof *clk);
    clk->start_time = hdr->start_time;
    clk->t0 = hdr->t0;
    if (hdr->clock_type == 2) {
        clk->system_time = 1;
        return ETW_OK;
    }
    if (hdr->clock_type == 3)
        clk->freq = (int64_t)hdr->cpu_speed_mhz * 1000000;
    else /* 1 = QPC; 0 (raw/unspecified) is treated as QPC (1.9). */
        clk->freq = hdr->perf_freq;
    if (clk->freq > 9000000000LL) clk->freq = 9000000000LL; /* keeps scale() exact */
    if (clk->freq <= 0)
        return etw_error_set(err, ETW_ERR_FORMAT, 0,
                             "logfile header has no usable clock frequency (clock type %u)",
                             hdr->clock_type);
    return ETW_OK;
}

/* trunc(d * 10^9 / freq) and trunc(d * 10^7 / freq), exactly, with 64-bit
 * operations only: d = q*freq + r (same signs), so d*m/freq = q*m + r*m/freq
 * and truncating the sum truncates the fraction alone. r*10^9 fits in 64 bits
 * for every frequency below 9.2 GHz; faster clocks (none exist) are clamped
 * by etw_clock_init. */
static void scale(int64_t d, int64_t freq, int64_t *ns, int64_t *ft) {
    int64_t q = d / freq, r = d % freq;
    int64_t frac_ns = (r * 1000000000) / freq;
    *ns = (int64_t)((uint64_t)q * 1000000000u + (uint64_t)frac_ns);
    *ft = (int64_t)((uint64_t)q * 10000000u + (uint64_t)(frac_ns / 100));
}

/* Garbage headers must not cause undefined behaviour: the sums and products
 * below wrap (unsigned arithmetic) instead of overflowing. */
static int64_t ft_to_unix_ns(int64_t ft) {
    return (int64_t)(((uint64_t)ft - (uint64_t)ETW_FILETIME_UNIX_EPOCH) * 100u);
}

void etw_clock_convert(const etw_clock *clk, int64_t ts, int64_t *filetime, int64_t *unix_ns) {
    if (clk->system_time) {
        *filetime = ts;
        *unix_ns = ft_to_unix_ns(ts);
        return;
    }
    {
        int64_t d = (int64_t)((uint64_t)ts - (uint64_t)clk->t0), dns, dft;
        if (clk->freq == 10000000) { /* the common QPC rate: ticks are 100 ns */
            dft = d;
            dns = (int64_t)((uint64_t)d * 100u);
        } else {
            scale(d, clk->freq, &dns, &dft);
        }
        *filetime = (int64_t)((uint64_t)clk->start_time + (uint64_t)dft);
        *unix_ns = (int64_t)((uint64_t)ft_to_unix_ns(clk->start_time) + (uint64_t)dns);
    }
}
