/*
 * check.c - how a harness reports a broken invariant, and the small
 * helpers every harness uses.
 */
#include <sanitizer/common_interface_defs.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	char msg[1024];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "fuzz invariant broken at %s:%d: %s: ",
	    file, line, cond);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	/* stderr may be closed (-close_fd_mask=2, for ftpd's log lines);
	 * the sanitizer's report descriptor is what libFuzzer keeps. */
	__sanitizer_report_error_summary(msg);
	abort();
}

uint32_t
fuzz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

const char *
fuzz_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp != NULL && tmp[0] != '\0')
		return tmp;
	/* tmpfs: the store's fsyncs cost nothing there, on a disk they cost
	 * most of every input. */
	if (access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	return "/tmp";
}
