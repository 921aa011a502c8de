/*
 * log.c - timestamped, single-write log lines and escaping of peer strings.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

/* Longest line; longer ones are cut (and still end in a newline). */
#define LOG_LINE_MAX 2048

static size_t
log_stamp(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(out + n, size - n, ".%03ldZ ftpd: ",
			      ts.tv_nsec / 1000000);
	return n;
}

/* Ends line[0..n) (cut to fit) with a newline and writes it in one go, so
 * that lines never interleave; a lost line is not worth retrying for. */
static void
log_write(int fd, char *line, size_t size, size_t n)
{
	if (n > size - 2)
		n = size - 2;
	line[n++] = '\n';
	if (write(fd, line, n) < 0)
		return;
}

void
log_msg(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	size_t n;
	int m;
	va_list ap;

	n = log_stamp(line, sizeof(line));
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	log_write(STDERR_FILENO, line, sizeof(line), n + (size_t)(m < 0 ? 0 : m));
}

void
log_line(int fd, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int m;
	va_list ap;

	va_start(ap, fmt);
	m = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_write(fd, line, sizeof(line), (size_t)(m < 0 ? 0 : m));
}

void
log_escape(char *dst, size_t dstsize, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, keep, len;

	if (dstsize == 0)
		return;
	keep = dstsize - 1 < LOG_ESCAPE_KEEP ? dstsize - 1 : LOG_ESCAPE_KEEP;
	while (*s != '\0') {
		/* strnlen: never read past the terminator. */
		len = utf8_char_len(s, strnlen((const char *)s, 4));
		/* '"' too: a quoted field (the transfer log's name) stays
		 * one field. */
		if (len == 1 && (*s < 0x20 || *s == 0x7f || *s == '\\' ||
		    *s == '"'))
			len = 0;
		if (o + (len == 0 ? 4 : len) > keep) {
			if (o + 3 < dstsize) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (len == 0) {
			snprintf(dst + o, dstsize - o, "\\x%02x", *s++);
			o += 4;
		} else {
			memcpy(dst + o, s, len);
			o += len;
			s += len;
		}
	}
	dst[o] = '\0';
}
