/*
 * fileio.c - EINTR- and short-count-safe pread, write and fsync for the
 * store.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "fileio.h"

int
stor_io_pread(int fd, void *dst, size_t len, uint64_t off, size_t *got)
{
	char *p = dst;
	size_t done = 0;
	ssize_t n;

	*got = 0;
	if (off > INT64_MAX)
		return -EINVAL;
	/* Past the largest offset there is nothing to read: stop there
	 * rather than let off + len overflow. */
	if (len > INT64_MAX - off)
		len = (size_t)(INT64_MAX - off);
	while (done < len) {
		n = pread(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

int
stor_io_write(int fd, const void *src, size_t len)
{
	const char *p = src;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		/* write(2) returns 0 for a non-empty buffer only on an odd
		 * device; report it rather than spin. */
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
stor_io_fsync(int fd)
{
	while (fsync(fd) != 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}
