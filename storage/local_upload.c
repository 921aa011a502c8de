/*
 * local_upload.c - uploads for the local backend: a hidden temporary in the
 * target's directory, renamed over the target only once it is complete and
 * on disk, so readers see the old file or the new one and never a mix.
 *
 * A resumable upload's temporary is named from a hash of its target's name
 * instead of at random, so a later upload to the same target finds it; it
 * is locked (flock) while in use, records its target's name in an xattr
 * (a hash collision then costs the other upload its progress, never mixes
 * two files), and is kept when the upload is interrupted.
 */
#include <sys/file.h>
#include <sys/xattr.h>

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
#define TEMP_NAME_SIZE (sizeof(STOR_PARTIAL_PREFIX) + 16)
#define TARGET_XATTR "user.ftpf.target"

struct lupload {
	struct stor_upload base;
	int dirfd; /* the target's directory, O_RDONLY for its fsync */
	int fd;	   /* the temporary, -1 once closed */
	uint64_t size;
	bool resumable;
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

/* FNV-1a, 64 bits: stable across runs, which is all the name needs. */
static uint64_t
name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h;
}

/* Opens and locks the target's partial.  Locking and unlinking race (a
 * commit renames it, the sweeper removes it), so the lock counts only if
 * the name still leads to the locked file afterwards. */
static int
partial_open(struct lupload *up)
{
	struct stat a, b;
	int i, r;

	for (i = 0; i < TEMP_TRIES; i++) {
		r = stor_io_open_rw(up->dirfd, up->tmp, 0644, &up->fd);
		if (r != 0)
			return r;
		if (flock(up->fd, LOCK_EX | LOCK_NB) != 0)
			r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		else if (fstat(up->fd, &a) != 0)
			r = -errno;
		else if (!S_ISREG(a.st_mode))
			r = -EINVAL;
		else if (fstatat(up->dirfd, up->tmp, &b, AT_SYMLINK_NOFOLLOW) ==
		    0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return 0;
		close(up->fd);
		up->fd = -1;
		if (r != 0)
			return r;
	}
	return -EAGAIN;
}

/* Makes the locked partial ours: emptied when fresh or when it belongs to
 * another target, positioned at its end. */
static int
partial_claim(struct lupload *up, bool fresh)
{
	char cur[STOR_NAME_MAX + 1];
	size_t len = strlen(up->name);
	struct stat sb;
	ssize_t n;
	bool ours;

	n = fgetxattr(up->fd, TARGET_XATTR, cur, sizeof(cur));
	ours = (n >= 0 && (size_t)n == len &&
	    memcmp(cur, up->name, len) == 0) || (n < 0 && errno == ENOTSUP);
	if ((fresh || !ours) && ftruncate(up->fd, 0) != 0)
		return -errno;
	if (!ours && fsetxattr(up->fd, TARGET_XATTR, up->name, len, 0) != 0 &&
	    errno != ENOTSUP)
		return -errno;
	if (fstat(up->fd, &sb) != 0 || lseek(up->fd, 0, SEEK_END) < 0)
		return -errno;
	up->size = (uint64_t)sb.st_size;
	return 0;
}

static int
upload_new(struct store *st, const char *path, struct lupload **out)
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
	if ((r = lstor_open_parent(ls, path, &up->dirfd)) != 0) {
		free(up);
		return r;
	}
	*out = up;
	return 0;
}

static void
upload_free(struct lupload *up)
{
	if (up->fd >= 0)
		close(up->fd);
	close(up->dirfd);
	free(up);
}

int
lstor_upload_begin(struct store *st, const char *path,
		   struct stor_upload **out)
{
	struct lupload *up;
	int r;

	*out = NULL;
	if ((r = upload_new(st, path, &up)) != 0)
		return r;
	if ((r = create_temp(up)) != 0) {
		upload_free(up);
		return r;
	}
	*out = &up->base;
	return 0;
}

int
lstor_upload_begin_resumable(struct store *st, const char *path, bool fresh,
			     struct stor_upload **out, uint64_t *have)
{
	struct lupload *up;
	int r;

	*out = NULL;
	*have = 0;
	if ((r = upload_new(st, path, &up)) != 0)
		return r;
	up->resumable = true;
	snprintf(up->tmp, sizeof(up->tmp), "%s%016" PRIx64,
	    STOR_PARTIAL_PREFIX, name_hash(up->name));
	if ((r = partial_open(up)) != 0 ||
	    (r = partial_claim(up, fresh)) != 0) {
		upload_free(up);
		return r;
	}
	*have = up->size;
	*out = &up->base;
	return 0;
}

int
lstor_upload_pread(struct stor_upload *base, void *dst, size_t len,
		   uint64_t off, size_t *got)
{
	return stor_io_pread(((struct lupload *)base)->fd, dst, len, off, got);
}

int
lstor_upload_truncate(struct stor_upload *base)
{
	struct lupload *up = (struct lupload *)base;

	if (ftruncate(up->fd, 0) != 0 || lseek(up->fd, 0, SEEK_SET) < 0)
		return -errno;
	up->size = 0;
	return 0;
}

void
lstor_upload_keep(struct stor_upload *base)
{
	struct lupload *up = (struct lupload *)base;

	if (!up->resumable) {
		lstor_upload_abort(base);
		return;
	}
	/* Best effort: a crash may still lose the tail, which the next
	 * resume's prefix checksum then catches. */
	(void)stor_io_fsync(up->fd);
	upload_free(up);
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

/* The attribute goes on the temporary, whose inode becomes the target's
 * at the rename; commit's fsync makes it durable with the data. */
int
lstor_upload_set_sum(struct stor_upload *base, uint32_t sum)
{
	return lstor_sum_set(((struct lupload *)base)->fd, sum, NULL);
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
	/* A partial stays locked (open) through the rename, so no other
	 * upload can claim it in between and write into the new file. */
	if (up->resumable)
		(void)fremovexattr(up->fd, TARGET_XATTR);
	else if ((r = close_temp(up)) != 0)
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

	/* Unlinked while still open: a partial's lock covers its removal. */
	unlinkat(up->dirfd, up->tmp, 0);
	upload_free(up);
}
