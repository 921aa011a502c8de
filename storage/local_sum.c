/*
 * local_sum.c - the local backend's cached content checksums: an extended
 * attribute on the file itself, so the value travels with the inode
 * through an upload's rename and vanishes with it.
 *
 * The attribute also records the size, mtime (ns) and inode the checksum
 * was computed for; a file changed behind our back (or copied with its
 * attributes) no longer matches and is summed again.  Filesystems without
 * user xattrs answer -ENOTSUP and simply recompute every time.
 */
#include <sys/xattr.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "local.h"

#define SUM_XATTR "user.ftpf.crc32c"
/* "v1 crc size sec nsec ino": small and readable with getfattr. */
#define SUM_FORMAT "v1 %08" PRIx32 " %" PRIu64 " %" PRId64 " %ld %" PRIu64
#define SUM_TEXT_MAX 96

static int
sum_format(char *out, size_t size, uint32_t sum, const struct stat *sb)
{
	int n = snprintf(out, size, SUM_FORMAT, sum, (uint64_t)sb->st_size,
	    (int64_t)sb->st_mtim.tv_sec, (long)sb->st_mtim.tv_nsec,
	    (uint64_t)sb->st_ino);

	return n < 0 || (size_t)n >= size ? -EOVERFLOW : n;
}

bool
lstor_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int
lstor_sum_get(int fd, uint32_t *sum)
{
	char text[SUM_TEXT_MAX], want[SUM_TEXT_MAX];
	struct stat sb;
	uint32_t v;
	ssize_t n;
	int w;

	if ((n = fgetxattr(fd, SUM_XATTR, text, sizeof(text) - 1)) < 0)
		return errno == ERANGE ? -ENODATA : -errno;
	text[n] = '\0';
	if (fstat(fd, &sb) != 0)
		return -errno;
	/* The stored line must be exactly what this file would get now,
	 * apart from the checksum itself. */
	if (sscanf(text, "v1 %8" SCNx32, &v) != 1)
		return -ENODATA;
	if ((w = sum_format(want, sizeof(want), v, &sb)) < 0)
		return w;
	if ((size_t)n != (size_t)w || memcmp(text, want, (size_t)w) != 0)
		return -ENODATA;
	*sum = v;
	return 0;
}

int
lstor_sum_set(int fd, uint32_t sum, const struct stat *opened)
{
	char text[SUM_TEXT_MAX];
	struct stat sb;
	int n;

	if (fstat(fd, &sb) != 0)
		return -errno;
	if (opened != NULL && !lstor_same_file(opened, &sb))
		return -ESTALE;
	if ((n = sum_format(text, sizeof(text), sum, &sb)) < 0)
		return n;
	if (fsetxattr(fd, SUM_XATTR, text, (size_t)n, 0) != 0)
		return -errno;
	return 0;
}
