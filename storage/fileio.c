/*
 * fileio.c - the store's system calls that can be interrupted or come back
 * short (pread, write, fsync, openat2, openat, getrandom), each retried
 * here and nowhere else.
 */
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
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

/* openat2 may fail with EAGAIN when a concurrent rename races a ".."
 * inside a symlink's target; the kernel asks us to retry a few times. */
#define OPENAT2_TRIES 16

int
stor_io_openat2(int dirfd, const char *path, struct open_how *how, int *fd)
{
	long r = -1;
	int tries;

	*fd = -1;
	for (tries = 0; tries < OPENAT2_TRIES; tries++) {
		r = syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
		if (r >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	if (r < 0)
		return -errno;
	*fd = (int)r;
	return 0;
}

int
stor_io_create(int dirfd, const char *name, unsigned mode, int *fd)
{
	do
		*fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, (mode_t)mode);
	while (*fd < 0 && errno == EINTR);
	return *fd < 0 ? -errno : 0;
}

int
stor_io_open_rw(int dirfd, const char *name, unsigned mode, int *fd)
{
	do
		*fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC, (mode_t)mode);
	while (*fd < 0 && errno == EINTR);
	return *fd < 0 ? -errno : 0;
}

int
stor_io_random(void *dst, size_t len)
{
	ssize_t n;

	/* Up to 256 bytes are never short once the pool is ready. */
	while ((n = getrandom(dst, len, 0)) < 0)
		if (errno != EINTR)
			return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
