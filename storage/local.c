/*
 * local.c - the local-directory backend: setup, confined path resolution,
 * stat, reading, and the lock that marks a kept upload in use.  Uploads,
 * changes to the tree, listings and recovery live in local_*.c.
 *
 * Every lookup goes through openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * relative to the root's descriptor, so the kernel, not string handling,
 * keeps paths (symlinks included) beneath the root.
 */
#include <linux/openat2.h>
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "local.h"

struct lfile {
	struct stor_file base;
	int fd;
	struct stat opened; /* as it was when opened: set_sum checks it */
};

static void lstor_free(struct store *st);
static int lstor_open_sub(struct store *st, const char *path,
			  struct store **out);
static int lstor_stat(struct store *st, const char *path,
		      struct stor_info *out);
static int lstor_open_read(struct store *st, const char *path,
			   struct stor_file **out, struct stor_info *info);
static int lfile_fd(const struct stor_file *f);
static int lfile_pread(struct stor_file *f, void *dst, size_t len,
		       uint64_t off, size_t *got);
static void lfile_close(struct stor_file *f);
static int lfile_get_sum(struct stor_file *f, uint32_t *sum);
static int lfile_set_sum(struct stor_file *f, uint32_t sum);

static const struct stor_ops lstor_ops = {
	.free = lstor_free,
	.open_sub = lstor_open_sub,
	.recover = lstor_recover,
	.stat = lstor_stat,
	.open_read = lstor_open_read,
	.file_fd = lfile_fd,
	.file_pread = lfile_pread,
	.file_close = lfile_close,
	.file_get_sum = lfile_get_sum,
	.file_set_sum = lfile_set_sum,
	.upload_begin = lstor_upload_begin,
	.upload_write = lstor_upload_write,
	.upload_size = lstor_upload_size,
	.upload_set_sum = lstor_upload_set_sum,
	.upload_commit = lstor_upload_commit,
	.upload_abort = lstor_upload_abort,
	.upload_begin_resumable = lstor_upload_begin_resumable,
	.upload_pread = lstor_upload_pread,
	.upload_truncate = lstor_upload_truncate,
	.upload_keep = lstor_upload_keep,
	.sweep_partials = lstor_sweep_partials,
	.mkdir = lstor_mkdir,
	.rmdir = lstor_rmdir,
	.unlink = lstor_unlink,
	.rename = lstor_rename,
	.list_open = lstor_list_open,
	.list_next = lstor_list_next,
	.list_close = lstor_list_close,
};

/* A store over the directory descriptor fd, which it takes over. */
static int
lstor_adopt(int fd, struct store **out)
{
	struct lstor *ls;

	*out = NULL;
	if ((ls = calloc(1, sizeof(*ls))) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	ls->base.ops = &lstor_ops;
	ls->rootfd = fd;
	*out = &ls->base;
	return 0;
}

int
stor_local_open(const char *root_dir, struct store **out)
{
	int fd;

	*out = NULL;
	/* O_RDONLY rather than O_PATH: fsync needs a real descriptor. */
	fd = open(root_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return lstor_adopt(fd, out);
}

static int
lstor_open_sub(struct store *st, const char *path, struct store **out)
{
	int fd, r;

	*out = NULL;
	r = lstor_resolve((struct lstor *)st, path, O_RDONLY | O_DIRECTORY,
	    &fd);
	if (r != 0)
		return r;
	return lstor_adopt(fd, out);
}

static void
lstor_free(struct store *st)
{
	struct lstor *ls = (struct lstor *)st;

	close(ls->rootfd);
	free(ls);
}

int
lstor_resolve(const struct lstor *ls, const char *path, uint64_t flags,
	      int *fd)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int r;

	*fd = -1;
	if ((r = stor_path_check(path)) != 0)
		return r;
	if (*path == '\0')
		path = ".";
	return stor_io_openat2(ls->rootfd, path, &how, fd);
}

int
lstor_open_parent(const struct lstor *ls, const char *path, int *dirfd)
{
	size_t base;
	char *parent;
	int r;

	*dirfd = -1;
	/* The whole path, so a bad last component is refused before any
	 * lookup, whatever the caller then does with it. */
	if ((r = stor_path_check(path)) != 0)
		return r;
	if (*path == '\0' || strcmp(path, ".") == 0)
		return -EINVAL;
	if ((base = stor_path_base(path)) == 0)
		return lstor_resolve(ls, "", O_RDONLY | O_DIRECTORY, dirfd);
	if ((parent = strndup(path, base - 1)) == NULL)
		return -ENOMEM;
	r = lstor_resolve(ls, parent, O_RDONLY | O_DIRECTORY, dirfd);
	free(parent);
	return r;
}

void
lstor_info(const struct stat *sb, struct stor_info *out)
{
	if (S_ISREG(sb->st_mode))
		out->kind = STOR_FILE;
	else if (S_ISDIR(sb->st_mode))
		out->kind = STOR_DIR;
	else if (S_ISLNK(sb->st_mode))
		out->kind = STOR_LINK;
	else
		out->kind = STOR_OTHER;
	out->size = sb->st_size < 0 ? 0 : (uint64_t)sb->st_size;
	out->mtime = (int64_t)sb->st_mtim.tv_sec;
}

static int
lstor_stat(struct store *st, const char *path, struct stor_info *out)
{
	struct stat sb;
	int fd, r;

	/* O_PATH opens nothing (a FIFO cannot block) yet fstat works. */
	if ((r = lstor_resolve((struct lstor *)st, path, O_PATH, &fd)) != 0)
		return r;
	if (fstat(fd, &sb) != 0)
		r = -errno;
	else
		lstor_info(&sb, out);
	close(fd);
	return r;
}

/* A regular file and a blocking descriptor, or an error. */
static int
check_regular(int fd, struct stat *sb)
{
	int fl;

	if (fstat(fd, sb) != 0)
		return -errno;
	if (S_ISDIR(sb->st_mode))
		return -EISDIR;
	if (!S_ISREG(sb->st_mode))
		return -EINVAL;
	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		return -errno;
	return 0;
}

static int
lstor_open_read(struct store *st, const char *path, struct stor_file **out,
		struct stor_info *info)
{
	struct lfile *f;
	struct stat sb;
	int fd, r;

	*out = NULL;
	/* O_NONBLOCK so that opening a FIFO cannot wait for a writer. */
	r = lstor_resolve((struct lstor *)st, path,
			  O_RDONLY | O_NONBLOCK | O_NOCTTY, &fd);
	if (r != 0)
		return r;
	if ((r = check_regular(fd, &sb)) != 0)
		goto out;
	if ((f = malloc(sizeof(*f))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	f->base.ops = st->ops;
	f->fd = fd;
	f->opened = sb;
	if (info != NULL)
		lstor_info(&sb, info);
	*out = &f->base;
out:
	if (r != 0)
		close(fd);
	return r;
}

static int
lfile_fd(const struct stor_file *f)
{
	return ((const struct lfile *)f)->fd;
}

static int
lfile_pread(struct stor_file *f, void *dst, size_t len, uint64_t off,
	    size_t *got)
{
	return stor_io_pread(((struct lfile *)f)->fd, dst, len, off, got);
}

static int
lfile_get_sum(struct stor_file *f, uint32_t *sum)
{
	return lstor_sum_get(((struct lfile *)f)->fd, sum);
}

static int
lfile_set_sum(struct stor_file *f, uint32_t sum)
{
	struct lfile *lf = (struct lfile *)f;

	return lstor_sum_set(lf->fd, sum, &lf->opened);
}

static void
lfile_close(struct stor_file *f)
{
	struct lfile *lf = (struct lfile *)f;

	close(lf->fd);
	free(lf);
}

/*
 * Locks the kept upload name in dfd, as an upload would (local_upload.c):
 * 0 with *fd holding the lock, -ENOENT if it has gone, -ENOTEMPTY if an
 * upload holds it or it is not a regular file (then it is not the
 * store's to remove).  Locking races a commit renaming it away, so the
 * lock counts only if the name still leads to the locked file.
 */
int
lstor_partial_lock(int dfd, const char *name, int *fd)
{
	struct stat a, b;
	int r;

	*fd = -1;
	/* Look before opening: opening a device node can have effects. */
	if (fstatat(dfd, name, &a, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	if (!S_ISREG(a.st_mode))
		return -ENOTEMPTY;
	*fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ELOOP ? -ENOTEMPTY : -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0)
		r = errno == EWOULDBLOCK ? -ENOTEMPTY : -errno;
	else if (fstat(*fd, &a) != 0 ||
	    fstatat(dfd, name, &b, AT_SYMLINK_NOFOLLOW) != 0)
		r = -errno;
	else if (!S_ISREG(a.st_mode) || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev)
		r = -ENOTEMPTY;
	else
		return 0;
	close(*fd);
	*fd = -1;
	return r;
}
