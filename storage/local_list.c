/*
 * local_list.c - listings for the local backend, streamed from readdir(3)
 * one entry at a time so a directory of any size costs constant memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local.h"

struct ldir {
	struct stor_dir base;
	DIR *dir;		/* NULL when the path is not a directory */
	bool one_done;		/* ... and its one entry was returned */
	struct stor_entry one;
};

static bool
hidden(const char *name)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return true;
	if (strncmp(name, STOR_TEMP_PREFIX, sizeof(STOR_TEMP_PREFIX) - 1) == 0)
		return true;
	/* Such a name could not be sent, nor named in a later request. */
	return strnlen(name, STOR_NAME_MAX + 1) > STOR_NAME_MAX;
}

/* Turns fd (O_PATH, consumed) into the listing's source. */
static int
ldir_setup(struct ldir *d, int fd, const char *path)
{
	struct stat sb;
	int dfd = -1, r = 0;

	if (fstat(fd, &sb) != 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		lstor_info(&sb, &d->one.info);
		strcpy(d->one.name, path + stor_path_base(path));
		goto out;
	}
	/* Reopen for reading: O_PATH lets the file case need no permission. */
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (d->dir = fdopendir(dfd)) == NULL) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
	}
out:
	close(fd);
	return r;
}

int
lstor_list_open(struct store *st, const char *path, struct stor_dir **out)
{
	struct ldir *d;
	int fd, r;

	*out = NULL;
	if ((r = lstor_resolve((struct lstor *)st, path, O_PATH, &fd)) != 0)
		return r;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	d->base.ops = st->ops;
	if ((r = ldir_setup(d, fd, path)) != 0)
		goto out;
	*out = &d->base;
out:
	if (r != 0)
		free(d);
	return r;
}

static int
next_single(struct ldir *d, struct stor_entry *e, bool *end)
{
	*end = d->one_done;
	if (!d->one_done)
		*e = d->one;
	d->one_done = true;
	return 0;
}

int
lstor_list_next(struct stor_dir *base, struct stor_entry *e, bool *end)
{
	struct ldir *d = (struct ldir *)base;
	struct dirent *de;
	struct stat sb;

	if (d->dir == NULL)
		return next_single(d, e, end);
	for (;;) {
		errno = 0;
		if ((de = readdir(d->dir)) == NULL) {
			*end = errno == 0;
			return -errno;
		}
		if (hidden(de->d_name))
			continue;
		if (fstatat(dirfd(d->dir), de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) != 0) {
			/* Removed since readdir saw it: not there to list. */
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		lstor_info(&sb, &e->info);
		strcpy(e->name, de->d_name);
		*end = false;
		return 0;
	}
}

void
lstor_list_close(struct stor_dir *base)
{
	struct ldir *d = (struct ldir *)base;

	if (d->dir != NULL)
		closedir(d->dir);
	free(d);
}
