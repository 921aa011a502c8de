/*
 * local_recover.c - removal of the temporaries a crash left behind, and of
 * kept resumable uploads once they are too old.
 *
 * The walk is iterative with one open directory per level, never follows
 * a symlink, and stops descending at RECOVER_DEPTH levels so a deep (or
 * hostile) tree cannot exhaust descriptors; temporaries deeper than that
 * stay hidden and harmless.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "local.h"

#define RECOVER_DEPTH 128

/* What a walk removes: the random temporaries (at start, when no upload
 * can be in flight), or the partials older than max_age (any time). */
struct sweep {
	bool partials;
	int64_t max_age;
	time_t now;
};

static bool
has_prefix(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* True if the partial has been written to within max_age. */
static bool
too_young(const struct stat *sb, const struct sweep *sw)
{
	return (int64_t)sb->st_mtim.tv_sec > (int64_t)sw->now - sw->max_age;
}

/* Removes an old partial unless an upload holds it (its lock); 1 if it
 * was removed.  Its age is judged before the lock (a young one is not
 * even locked, so no resume is told "busy" for it) and again once locked,
 * since an upload may have written and let go in between. */
static int
sweep_partial(DIR *d, const char *name, const struct sweep *sw)
{
	struct stat sb;
	int fd, r;

	if (fstatat(dirfd(d), name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (too_young(&sb, sw))
		return 0;
	if ((r = lstor_partial_lock(dirfd(d), name, &fd)) != 0)
		return r == -ENOENT || r == -ENOTEMPTY ? 0 : r;
	if (fstat(fd, &sb) != 0)
		r = -errno;
	else if (too_young(&sb, sw))
		r = 0;
	else if (unlinkat(dirfd(d), name, 0) == 0)
		r = 1;
	else if (errno != ENOENT)
		r = -errno;
	close(fd);
	return r;
}

/* The entry's type, without following a symlink; DT_UNKNOWN if it has
 * gone.  Some filesystems leave d_type unset. */
static int
entry_type(DIR *d, const struct dirent *de, unsigned char *type)
{
	struct stat sb;

	*type = de->d_type;
	if (*type != DT_UNKNOWN)
		return 0;
	if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	*type = S_ISREG(sb.st_mode) ? DT_REG : S_ISDIR(sb.st_mode) ? DT_DIR :
								      DT_UNKNOWN;
	return 0;
}

/* Opens a subdirectory to walk; *sub stays NULL for one that has gone,
 * became something else, or that we may not read (a lost+found owned by
 * root, say: we could not have left temporaries in it either). */
static int
open_sub(int dfd, const char *name, DIR **sub)
{
	int fd;

	*sub = NULL;
	fd = openat(dfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP ||
		    errno == EACCES || errno == EPERM)
			return 0;
		return -errno;
	}
	if ((*sub = fdopendir(fd)) == NULL) {
		close(fd);
		return -errno;
	}
	return 0;
}

static int
recover_entry(DIR *d, const struct dirent *de, bool descend, DIR **sub,
	      const struct sweep *sw, unsigned *removed)
{
	unsigned char type;
	int r;

	*sub = NULL;
	if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
		return 0;
	if ((r = entry_type(d, de, &type)) != 0)
		return r;
	if (type == DT_DIR)
		return descend ? open_sub(dirfd(d), de->d_name, sub) : 0;
	if (type != DT_REG || !has_prefix(de->d_name, STOR_TEMP_PREFIX))
		return 0;
	if (has_prefix(de->d_name, STOR_PARTIAL_PREFIX) != sw->partials)
		return 0;
	if (sw->partials) {
		if ((r = sweep_partial(d, de->d_name, sw)) > 0)
			(*removed)++;
		return r < 0 ? r : 0;
	}
	if (unlinkat(dirfd(d), de->d_name, 0) == 0)
		(*removed)++;
	else if (errno != ENOENT)
		return -errno;
	return 0;
}

static int
walk(struct store *st, const struct sweep *sw, unsigned *removed)
{
	const struct lstor *ls = (const struct lstor *)st;
	DIR *stack[RECOVER_DEPTH], *sub;
	struct dirent *de;
	int depth = 0, r = 0;

	*removed = 0;
	/* A descriptor of its own: the walk moves its offset and closes it. */
	if ((r = open_sub(ls->rootfd, ".", &sub)) != 0)
		goto out;
	if (sub == NULL) {
		r = -EACCES;
		goto out;
	}
	stack[depth++] = sub;
	while (depth > 0) {
		errno = 0;
		if ((de = readdir(stack[depth - 1])) == NULL) {
			if ((r = -errno) != 0)
				goto out;
			closedir(stack[--depth]);
			continue;
		}
		r = recover_entry(stack[depth - 1], de, depth < RECOVER_DEPTH,
				  &sub, sw, removed);
		if (r != 0)
			goto out;
		if (sub != NULL)
			stack[depth++] = sub;
	}
out:
	while (depth > 0)
		closedir(stack[--depth]);
	return r;
}

int
lstor_recover(struct store *st, unsigned *removed)
{
	const struct sweep sw = { .partials = false };

	return walk(st, &sw, removed);
}

int
lstor_sweep_partials(struct store *st, int64_t max_age, unsigned *removed)
{
	const struct sweep sw = { true, max_age, time(NULL) };

	return walk(st, &sw, removed);
}
