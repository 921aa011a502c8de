/*
 * local_manage.c - changing the tree for the local backend: mkdir, rmdir,
 * unlink and rename.
 *
 * Each resolves the directory holding its last component beneath the root
 * (lstor_open_parent) and then acts on that one component with the *at()
 * call, which never follows it: a symlink there is itself made, removed
 * or renamed, and a name cannot climb out because the path rules allow
 * neither "/" nor ".." in it.  As for an upload's commit, the directory is
 * fsynced after the change so that it survives a crash; the change has
 * happened by then, so a failed fsync does not turn it into a failure.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "local.h"

static const char *
last_component(const char *path)
{
	return path + stor_path_base(path);
}

int
lstor_mkdir(struct store *st, const char *path)
{
	int dfd, r;

	if ((r = lstor_open_parent((struct lstor *)st, path, &dfd)) != 0)
		return r;
	if (mkdirat(dfd, last_component(path), 0777) != 0)
		r = -errno;
	else
		(void)stor_io_fsync(dfd);
	close(dfd);
	return r;
}

int
lstor_unlink(struct store *st, const char *path)
{
	int dfd, r;

	if ((r = lstor_open_parent((struct lstor *)st, path, &dfd)) != 0)
		return r;
	/* Linux answers EISDIR for a directory, as the contract wants. */
	if (unlinkat(dfd, last_component(path), 0) != 0)
		r = -errno;
	else
		(void)stor_io_fsync(dfd);
	close(dfd);
	return r;
}

int
lstor_rename(struct store *st, const char *from, const char *to)
{
	const struct lstor *ls = (const struct lstor *)st;
	struct stat a, b;
	int fdfd = -1, tdfd = -1, r;

	if ((r = lstor_open_parent(ls, from, &fdfd)) != 0 ||
	    (r = lstor_open_parent(ls, to, &tdfd)) != 0)
		goto out;
	if (renameat(fdfd, last_component(from), tdfd,
	    last_component(to)) != 0) {
		r = -errno;
		goto out;
	}
	/* Both directories changed; one fsync when they are the same. */
	(void)stor_io_fsync(tdfd);
	if (fstat(fdfd, &a) != 0 || fstat(tdfd, &b) != 0 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		(void)stor_io_fsync(fdfd);
out:
	if (fdfd >= 0)
		close(fdfd);
	if (tdfd >= 0)
		close(tdfd);
	return r;
}

static bool
is_partial(const char *name)
{
	return strncmp(name, STOR_PARTIAL_PREFIX,
	    sizeof(STOR_PARTIAL_PREFIX) - 1) == 0;
}

/*
 * One pass over the directory d: -ENOTEMPTY at the first entry that is not
 * a kept upload free to go.  With remove, each kept upload is unlinked
 * while locked, so no upload can be resuming it as it goes.
 */
static int
scan(DIR *d, bool remove)
{
	struct dirent *de;
	int fd, r;

	rewinddir(d);
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			return -errno;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* Anything else, a random upload temporary included (an
		 * upload in progress), is someone's. */
		if (!is_partial(de->d_name))
			return -ENOTEMPTY;
		if ((r = lstor_partial_lock(dirfd(d), de->d_name, &fd)) == -ENOENT)
			continue;
		if (r != 0)
			return r;
		if (remove && unlinkat(dirfd(d), de->d_name, 0) != 0 &&
		    errno != ENOENT)
			r = -errno;
		close(fd);
		if (r != 0)
			return r;
	}
}

/*
 * Clears the directory name in dfd of kept uploads, or of nothing if it
 * holds anything else: every entry is judged before the first removal.
 * Judging takes each kept upload's lock for a moment, as the sweeper does,
 * so an upload resuming one just then is told it is busy.  An upload
 * starting in between can still make the rmdir fail after some were
 * removed; that costs a resume, never a committed file.
 */
static int
clear_partials(int dfd, const char *name)
{
	DIR *d;
	int fd, r;

	/* O_DIRECTORY | O_NOFOLLOW: ENOTDIR for a file and for a symlink,
	 * even one to a directory (ELOOP on kernels that check the link
	 * first). */
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return -ENOTDIR;
		/* Unreadable, it cannot be cleared: let rmdir's own
		 * emptiness check decide. */
		return errno == EACCES ? 0 : -errno;
	}
	if ((d = fdopendir(fd)) == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	if ((r = scan(d, false)) == 0)
		r = scan(d, true);
	closedir(d);
	return r;
}

int
lstor_rmdir(struct store *st, const char *path)
{
	const char *name = last_component(path);
	int dfd, r;

	if ((r = lstor_open_parent((struct lstor *)st, path, &dfd)) != 0)
		return r;
	if ((r = clear_partials(dfd, name)) != 0)
		goto out;
	if (unlinkat(dfd, name, AT_REMOVEDIR) != 0) {
		/* POSIX allows EEXIST for a non-empty directory. */
		r = errno == EEXIST ? -ENOTEMPTY : -errno;
		goto out;
	}
	(void)stor_io_fsync(dfd);
out:
	close(dfd);
	return r;
}
