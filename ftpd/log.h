/*
 * log.h - the daemon's log: one line per event on stderr.
 *
 * Every line is formatted into one buffer and written with a single
 * write(2), so lines from concurrent sessions never interleave.  Strings
 * that came from a peer go through log_escape() first.
 */
#ifndef FTPD_LOG_H
#define FTPD_LOG_H

#include <stddef.h>

/* Bytes log_escape() keeps from a peer string before cutting it short. */
#define LOG_ESCAPE_KEEP 200
/* A buffer that always holds a full log_escape() result. */
#define LOG_ESCAPE_SIZE (LOG_ESCAPE_KEEP + 8)

/* "2024-05-01T12:00:00.123Z ftpd: <message>\n", written at once. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line (no stamp) to fd, in one write(2), as log_msg() does; for the
 * transfer log. */
void log_line(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Copies src into dst (dstsize bytes, NUL-terminated) fit for a log line or
 * an ERROR message: control bytes and backslashes become \xNN, bytes that
 * are not part of valid UTF-8 too, and the result stops after about
 * LOG_ESCAPE_KEEP bytes (at a character boundary) with "..." appended.
 */
void log_escape(char *dst, size_t dstsize, const char *src);

#endif
