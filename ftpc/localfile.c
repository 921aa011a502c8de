/*
 * localfile.c - the client's local files: where a download goes, how it
 * lands atomically, and the file an upload reads.
 *
 * A name taken from the server never chooses a directory: only the
 * basename of a remote path is used, and only if it is one safe component.
 * Downloads go to a hidden temporary in the target's own directory (so the
 * final rename(2) stays on one filesystem) and replace the target only when
 * complete.  The temporary's name is fixed per target, so one left by a
 * killed ftpc can be continued; a lock keeps two downloads out of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "err.h"
#include "io.h"
#include "localfile.h"

#define LF_PART_TAG ".ftpc-part"
/* Bytes of the target's name kept in the temporary's name, so that
 * ".<name>.ftpc-part" fits in a 255-byte component.  Longer names that
 * share these bytes share a temporary: the lock and the resume's prefix
 * checksum keep that from mixing files. */
#define LF_NAME_KEEP 200
#define LF_LOCK_TRIES 16
#define LF_COPY_CHUNK (256u * 1024u)

const char *
lf_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

bool
lf_safe_name(const char *name, size_t len)
{
	if (len == 0)
		return false;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	return memchr(name, '/', len) == NULL && memchr(name, '\0', len) ==
	    NULL;
}

/* lf_safe_name() of a whole string. */
static bool
safe_str(const char *name)
{
	return lf_safe_name(name, strlen(name));
}

static int
copy_path(char *out, const char *dir, const char *sep, const char *name)
{
	int n = snprintf(out, LF_PATH_MAX, "%s%s%s", dir, sep, name);

	if (n < 0 || n >= LF_PATH_MAX) {
		errno = ENAMETOOLONG;
		return FTP_E_TOO_LARGE;
	}
	return FTP_OK;
}

bool
lf_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
lf_target(const char *remote, const char *local, char *out)
{
	const char *base = lf_basename(remote);
	const char *sep = "";
	int r;

	if (local != NULL && !lf_is_dir(local))
		r = copy_path(out, "", "", local);
	else if (!safe_str(base)) {
		errno = EINVAL;
		return FTP_E_USAGE;
	} else if (local == NULL)
		r = copy_path(out, "", "", base);
	else {
		if (local[strlen(local) - 1] != '/')
			sep = "/";
		r = copy_path(out, local, sep, base);
	}
	if (r != FTP_OK)
		return r;
	if (!safe_str(lf_basename(out))) {
		errno = EINVAL;
		return FTP_E_USAGE;
	}
	return FTP_OK;
}

static int
part_name(struct lf_part *p)
{
	const char *name = lf_basename(p->target);
	size_t dirlen = (size_t)(name - p->target);
	int n;

	n = snprintf(p->tmp, sizeof(p->tmp), "%.*s.%.*s" LF_PART_TAG,
	    (int)dirlen, p->target, LF_NAME_KEEP, name);
	if (n < 0 || (size_t)n >= sizeof(p->tmp)) {
		errno = ENAMETOOLONG;
		return FTP_E_TOO_LARGE;
	}
	return FTP_OK;
}

/* Whether the name still leads to the file we locked: a download that
 * just committed renamed it away, and we would write into its result. */
static bool
still_linked(const struct lf_part *p, struct stat *st)
{
	struct stat now;

	return fstat(p->fd, st) == 0 && S_ISREG(st->st_mode) &&
	    lstat(p->tmp, &now) == 0 && now.st_ino == st->st_ino &&
	    now.st_dev == st->st_dev;
}

/* Opens (creating) and locks the temporary; *st describes it. */
static int
part_lock(struct lf_part *p, const char *target, struct stat *st)
{
	int r;

	p->fd = -1;
	p->have = 0;
	p->target = target;
	if ((r = part_name(p)) != FTP_OK)
		return r;
	for (int i = 0; i < LF_LOCK_TRIES; i++) {
		/* O_NOFOLLOW: a planted symlink is refused, never followed;
		 * O_NONBLOCK: nor can a planted FIFO hang us. */
		p->fd = open(p->tmp, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
		if (p->fd < 0)
			return ftp_err_from_errno(errno);
		if (flock(p->fd, LOCK_EX | LOCK_NB) != 0) {
			r = errno == EWOULDBLOCK ? FTP_E_BUSY :
			    ftp_err_from_errno(errno);
			lf_part_close(p);
			return r;
		}
		if (still_linked(p, st))
			return FTP_OK;
		lf_part_close(p);
	}
	errno = EAGAIN;
	return FTP_E_BUSY;
}

int
lf_part_open(struct lf_part *p, const char *target)
{
	struct stat st;
	int r;

	if ((r = part_lock(p, target, &st)) != FTP_OK)
		return r;
	if (ftruncate(p->fd, 0) != 0) {
		r = ftp_err_from_errno(errno);
		lf_part_abort(p);
	}
	return r;
}

/* Copies target's bytes into the empty temporary, summing them. */
static int
part_seed(struct lf_part *p, uint32_t *crc)
{
	uint64_t size;
	int fd, r;

	if ((r = lf_open_read(p->target, &fd, &size)) != FTP_OK)
		return errno == ENOENT ? FTP_OK : r;
	if ((r = lf_sum_next(fd, size, crc, p->fd)) == FTP_OK)
		p->have = size;
	close(fd);
	return r;
}

int
lf_part_resume(struct lf_part *p, const char *target, uint32_t *crc)
{
	struct stat st;
	int r;

	*crc = 0;
	if ((r = part_lock(p, target, &st)) != FTP_OK)
		return r;
	if (st.st_size == 0)
		r = part_seed(p, crc);
	else if ((r = lf_sum_next(p->fd, (uint64_t)st.st_size, crc, -1)) ==
	    FTP_OK)
		p->have = (uint64_t)st.st_size;
	if (r == FTP_OK && lseek(p->fd, 0, SEEK_END) < 0)
		r = ftp_err_from_errno(errno);
	if (r != FTP_OK)
		lf_part_abort(p);
	return r;
}

int
lf_part_write(struct lf_part *p, const void *data, size_t len)
{
	return io_write_all(p->fd, data, len);
}

void
lf_part_close(struct lf_part *p)
{
	int saved = errno;

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	errno = saved;
}

int
lf_part_commit(struct lf_part *p)
{
	int r = FTP_OK;

	if (rename(p->tmp, p->target) != 0) {
		r = ftp_err_from_errno(errno);
		lf_part_abort(p);
		return r;
	}
	/* close() reports delayed write errors (NFS, quota); EINTR still
	 * freed the descriptor on Linux and is not a failure.  Too late to
	 * undo the rename, but not to say so. */
	if (close(p->fd) != 0 && errno != EINTR)
		r = ftp_err_from_errno(errno);
	p->fd = -1;
	return r;
}

void
lf_part_abort(struct lf_part *p)
{
	int saved = errno;

	/* Removed while still locked, so no other download gets it. */
	unlink(p->tmp);
	lf_part_close(p);
	errno = saved;
}

int
lf_open_read(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	int r = FTP_OK, saved;

	/* O_NONBLOCK: opening a FIFO must not hang before fstat refuses it. */
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0)
		return ftp_err_from_errno(errno);
	if (fstat(*fd, &st) != 0)
		r = ftp_err_from_errno(errno);
	else if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		r = FTP_E_IS_DIR;
	} else if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		r = FTP_E_BAD_VALUE;
	} else
		*size = (uint64_t)st.st_size;
	if (r != FTP_OK) {
		saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
	}
	return r;
}

int
lf_sum_next(int fd, uint64_t len, uint32_t *crc, int out)
{
	uint8_t *buf;
	size_t got;
	int r = FTP_OK;

	if (len == 0)
		return FTP_OK;
	if ((buf = malloc(LF_COPY_CHUNK)) == NULL)
		return FTP_E_NOMEM;
	while (len > 0 && r == FTP_OK) {
		r = io_read_some(fd, buf, len < LF_COPY_CHUNK ? (size_t)len :
		    LF_COPY_CHUNK, &got);
		if (r == FTP_OK && got == 0)
			r = FTP_E_CHANGED;
		if (r != FTP_OK)
			break;
		*crc = crc32c_update(*crc, buf, got);
		if (out >= 0)
			r = io_write_all(out, buf, got);
		len -= got;
	}
	free(buf);
	return r;
}
