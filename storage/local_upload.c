/*
 * local_upload.c - uploads for the local backend: a hidden temporary in the
 * target's directory, renamed over the target only once it is complete and
 * on disk, so readers see the old file or the new one and never a mix.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "local.h"

/* 64 random bits make a collision all but impossible; a few retries cover
 * a planted name. */
#define TEMP_TRIES 16
#define TEMP_NAME_SIZE (sizeof(STOR_TEMP_PREFIX) + 16)

struct lupload {
	struct stor_upload base;
	int dirfd; /* the target's directory, O_RDONLY for its fsync */
	int fd;	   /* the temporary, -1 once closed */
	uint64_t size;
	char tmp[TEMP_NAME_SIZE];
	char name[STOR_NAME_MAX + 1];
};

/* Refuses a target that is a directory or that leaves the root.  The
 * rename replaces a symlink itself, so an escaping link cannot be written
 * through; it is refused all the same, as the protocol asks. */
static int
check_target(const struct lstor *ls, const char *path)
{
	struct stat sb;
	int fd, r;

	r = lstor_resolve(ls, path, O_PATH, &fd);
	if (r == -ENOENT)
		return 0;
	if (r != 0)
		return r;
	if (fstat(fd, &sb) != 0)
		r = -errno;
	else if (S_ISDIR(sb.st_mode))
		r = -EISDIR;
	close(fd);
	return r;
}

static int
open_parent(const struct lstor *ls, const char *path, int *dirfd)
{
	size_t base = stor_path_base(path);
	char *parent;
	int r;

	if (base == 0)
		return lstor_resolve(ls, "", O_RDONLY | O_DIRECTORY, dirfd);
	if ((parent = strndup(path, base - 1)) == NULL)
		return -ENOMEM;
	r = lstor_resolve(ls, parent, O_RDONLY | O_DIRECTORY, dirfd);
	free(parent);
	return r;
}

static int
create_temp(struct lupload *up)
{
	uint64_t rnd;
	int i, r;

	for (i = 0; i < TEMP_TRIES; i++) {
		if ((r = stor_io_random(&rnd, sizeof(rnd))) != 0)
			return r;
		snprintf(up->tmp, sizeof(up->tmp), "%s%016" PRIx64,
			 STOR_TEMP_PREFIX, rnd);
		r = stor_io_create(up->dirfd, up->tmp, 0644, &up->fd);
		if (r != -EEXIST)
			return r;
	}
	return -EEXIST;
}

int
lstor_upload_begin(struct store *st, const char *path,
		   struct stor_upload **out)
{
	const struct lstor *ls = (const struct lstor *)st;
	struct lupload *up;
	int r;

	*out = NULL;
	if ((r = check_target(ls, path)) != 0)
		return r;
	if ((up = calloc(1, sizeof(*up))) == NULL)
		return -ENOMEM;
	up->base.ops = st->ops;
	up->dirfd = -1;
	up->fd = -1;
	strcpy(up->name, path + stor_path_base(path));
	if ((r = open_parent(ls, path, &up->dirfd)) != 0)
		goto out;
	if ((r = create_temp(up)) != 0)
		goto out;
	*out = &up->base;
out:
	if (r != 0) {
		if (up->dirfd >= 0)
			close(up->dirfd);
		free(up);
	}
	return r;
}

int
lstor_upload_write(struct stor_upload *base, const void *src, size_t len)
{
	struct lupload *up = (struct lupload *)base;
	int r;

	if ((r = stor_io_write(up->fd, src, len)) == 0)
		up->size += len;
	return r;
}

uint64_t
lstor_upload_size(const struct stor_upload *base)
{
	return ((const struct lupload *)base)->size;
}

/* Closes the temporary, reporting what close(2) reports but EINTR (after
 * which Linux has closed the descriptor anyway). */
static int
close_temp(struct lupload *up)
{
	int r = close(up->fd);

	up->fd = -1;
	return r != 0 && errno != EINTR ? -errno : 0;
}

int
lstor_upload_commit(struct stor_upload *base)
{
	struct lupload *up = (struct lupload *)base;
	bool renamed = false;
	int r;

	if ((r = stor_io_fsync(up->fd)) != 0)
		goto out;
	if ((r = close_temp(up)) != 0)
		goto out;
	if (renameat(up->dirfd, up->tmp, up->dirfd, up->name) != 0) {
		r = -errno;
		goto out;
	}
	renamed = true;
	/* The rename is durable only once its directory is.  It is also the
	 * commit point: the old file is gone, so a failure here cannot be
	 * reported as "nothing stored" and is not reported at all. */
	(void)stor_io_fsync(up->dirfd);
out:
	if (r != 0 && !renamed)
		unlinkat(up->dirfd, up->tmp, 0);
	if (up->fd >= 0)
		close(up->fd);
	close(up->dirfd);
	free(up);
	return r;
}

void
lstor_upload_abort(struct stor_upload *base)
{
	struct lupload *up = (struct lupload *)base;

	close(up->fd);
	unlinkat(up->dirfd, up->tmp, 0);
	close(up->dirfd);
	free(up);
}
