/*
 * localfile.c - the client's local files: where a download goes, how it
 * lands atomically, and the file an upload reads.
 *
 * A name taken from the server never chooses a directory: only the
 * basename of a remote path is used, and only if it is one safe component.
 * Downloads go to a hidden temporary in the target's own directory (so the
 * final rename(2) stays on one filesystem) and replace the target only when
 * complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "localfile.h"

#define LF_PART_TAG ".ftpc-part."
#define LF_SUFFIX_LEN 6
/* Bytes of the target's name kept in the temporary's name, so that
 * ".<name>.ftpc-part.XXXXXX" fits in a 255-byte component. */
#define LF_NAME_KEEP 200
#define LF_CREATE_TRIES 100

const char *
lf_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

bool
lf_safe_name(const char *name)
{
	return name[0] != '\0' && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0 && strchr(name, '/') == NULL;
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
	else if (!lf_safe_name(base)) {
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
	if (!lf_safe_name(lf_basename(out))) {
		errno = EINVAL;
		return FTP_E_USAGE;
	}
	return FTP_OK;
}

/* A random suffix: the name only has to be hard to guess, O_EXCL makes a
 * collision harmless. */
static int
random_suffix(char out[LF_SUFFIX_LEN + 1])
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[LF_SUFFIX_LEN];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return ftp_err_from_errno(errno);
	for (size_t i = 0; i < LF_SUFFIX_LEN; i++)
		out[i] = set[rnd[i] % (sizeof(set) - 1)];
	out[LF_SUFFIX_LEN] = '\0';
	return FTP_OK;
}

static int
part_name(struct lf_part *p)
{
	const char *name = lf_basename(p->target);
	size_t dirlen = (size_t)(name - p->target);
	char suffix[LF_SUFFIX_LEN + 1];
	int n, r;

	if ((r = random_suffix(suffix)) != FTP_OK)
		return r;
	n = snprintf(p->tmp, sizeof(p->tmp), "%.*s.%.*s" LF_PART_TAG "%s",
	    (int)dirlen, p->target, LF_NAME_KEEP, name, suffix);
	if (n < 0 || (size_t)n >= sizeof(p->tmp)) {
		errno = ENAMETOOLONG;
		return FTP_E_TOO_LARGE;
	}
	return FTP_OK;
}

int
lf_part_open(struct lf_part *p, const char *target)
{
	int r;

	p->fd = -1;
	p->target = target;
	for (int i = 0; i < LF_CREATE_TRIES; i++) {
		if ((r = part_name(p)) != FTP_OK)
			return r;
		/* The kernel applies the umask to 0644; O_EXCL never follows
		 * a planted symlink. */
		p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOCTTY, 0644);
		if (p->fd >= 0)
			return FTP_OK;
		if (errno != EEXIST)
			return ftp_err_from_errno(errno);
	}
	return FTP_E_EXISTS;
}

int
lf_part_write(struct lf_part *p, const void *data, size_t len)
{
	return io_write_all(p->fd, data, len);
}

int
lf_part_commit(struct lf_part *p)
{
	int fd = p->fd;
	int r = FTP_OK;

	p->fd = -1;
	/* close() reports delayed write errors (NFS, quota); EINTR still
	 * freed the descriptor on Linux and is not a failure. */
	if (close(fd) != 0 && errno != EINTR)
		r = ftp_err_from_errno(errno);
	else if (rename(p->tmp, p->target) != 0)
		r = ftp_err_from_errno(errno);
	if (r != FTP_OK)
		lf_part_abort(p);
	return r;
}

void
lf_part_abort(struct lf_part *p)
{
	int saved = errno;

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	unlink(p->tmp);
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
