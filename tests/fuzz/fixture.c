/*
 * fixture.c - the temporary tree of fuzz.h: a root with files, a FIFO and
 * symbolic links (some leaving it), and beside it a directory with a
 * canary file that nothing reached through the root may read or change.
 *
 * Checks work on descriptors opened once, so that checking costs a few
 * fstat calls per input: creating, removing or renaming an entry changes
 * its directory's mtime and ctime, and writing a file, or setting one of
 * its attributes, changes its ctime.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fuzz.h"
#include "store.h"

#define CANARY_COPIES 130 /* 4,030 bytes: a size no file inside has */

static struct fixture *to_remove;

static int
remove_one(const char *path, const struct stat *sb, int flag,
	   struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void
fixture_remove(void)
{
	if (to_remove != NULL && to_remove->base[0] != '\0')
		(void)nftw(to_remove->base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
write_file(int dfd, const char *name, const char *text, size_t copies)
{
	size_t len = strlen(text);
	int fd;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0, "cannot create %s: %s", name, strerror(errno));
	for (size_t i = 0; i < copies; i++)
		FUZZ_CHECK(write(fd, text, len) == (ssize_t)len,
		    "cannot write %s", name);
	close(fd);
}

static void
make_link(int dfd, const char *target, const char *name)
{
	FUZZ_CHECK(symlinkat(target, dfd, name) == 0, "symlink %s: %s", name,
	    strerror(errno));
}

void
fixture_partial_name(const char *target, char out[FIXTURE_NAME_MAX])
{
	uint64_t h = 0xcbf29ce484222325ull;

	/* FNV-1a, 64 bits, as storage/local_upload.c names them. */
	for (const char *p = target; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	snprintf(out, FIXTURE_NAME_MAX, "%s%016llx", STOR_PARTIAL_PREFIX,
	    (unsigned long long)h);
}

/* An upload of target that an earlier session left for a resume, holding
 * text and claimed by owner (another name: a hash collision). */
static void
make_partial(int dfd, const char *target, const char *owner,
	     const char *text)
{
	char name[FIXTURE_NAME_MAX];
	int fd;

	fixture_partial_name(target, name);
	write_file(dfd, name, text, 1);
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "open %s", name);
	FUZZ_CHECK(fsetxattr(fd, "user.ftpf.target", owner, strlen(owner),
	    0) == 0 || errno == ENOTSUP, "fsetxattr: %s", strerror(errno));
	close(fd);
}

/* nftw() for fixture_reset(): everything beneath the root, not the root
 * itself.  Depth-first and by path, so a tree of any depth that a session
 * made with MKDIR goes too. */
static int
clear_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	if (ftw->level == 0)
		return 0;
	return remove_one(path, sb, flag, ftw);
}

void
fixture_reset(struct fixture *fx)
{
	char abs_out[PATH_MAX];
	int sfd;

	FUZZ_CHECK(nftw(fx->root, clear_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "cannot empty %s: %s", fx->root, strerror(errno));
	write_file(fx->rootfd, "file.txt", FIXTURE_FILE_TEXT, 1);
	make_partial(fx->rootfd, "file.txt", "file.txt", "a small");
	make_partial(fx->rootfd, "new.txt", "someone-else.txt", "xyz");
	FUZZ_CHECK(mkfifoat(fx->rootfd, "fifo", 0644) == 0, "mkfifo: %s",
	    strerror(errno));
	make_link(fx->rootfd, "file.txt", "link_file");
	make_link(fx->rootfd, "sub", "link_in");
	make_link(fx->rootfd, "../outside", "link_out");
	snprintf(abs_out, sizeof(abs_out), "%s", fx->outside);
	make_link(fx->rootfd, abs_out, "link_abs");
	make_link(fx->rootfd, "../outside/canary.txt", "link_canary");
	FUZZ_CHECK(mkdirat(fx->rootfd, "sub", 0755) == 0, "mkdir sub: %s",
	    strerror(errno));
	sfd = openat(fx->rootfd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(sfd >= 0, "open sub: %s", strerror(errno));
	write_file(sfd, "inner.txt", FIXTURE_INNER_TEXT, 1);
	make_partial(sfd, "inner.txt", "inner.txt", "inner");
	make_link(sfd, "../file.txt", "link_up");
	close(sfd);
}

static int
open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	FUZZ_CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

void
fixture_create(struct fixture *fx)
{
	struct timespec canary_t[2] = {
		{.tv_sec = FIXTURE_CANARY_TIME}, {.tv_sec = FIXTURE_CANARY_TIME},
	};
	struct timespec out_t[2] = {
		{.tv_sec = FIXTURE_OUTSIDE_TIME},
		{.tv_sec = FIXTURE_OUTSIDE_TIME},
	};

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->base, sizeof(fx->base), "%s/ftpf-fuzz.XXXXXX",
	    fuzz_tmpdir());
	FUZZ_CHECK(mkdtemp(fx->base) != NULL, "mkdtemp %s: %s", fx->base,
	    strerror(errno));
	to_remove = fx;
	atexit(fixture_remove);
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->base);
	snprintf(fx->outside, sizeof(fx->outside), "%s/outside", fx->base);
	snprintf(fx->canary, sizeof(fx->canary), "%s/canary.txt", fx->outside);
	FUZZ_CHECK(mkdir(fx->root, 0755) == 0 && mkdir(fx->outside, 0755) == 0,
	    "mkdir: %s", strerror(errno));
	fx->basefd = open_dir(fx->base);
	fx->rootfd = open_dir(fx->root);
	fx->outfd = open_dir(fx->outside);
	write_file(fx->outfd, "canary.txt", FIXTURE_CANARY_MARK, CANARY_COPIES);
	/* atime = mtime: under relatime the next read moves the atime. */
	FUZZ_CHECK(utimensat(fx->outfd, "canary.txt", canary_t, 0) == 0 &&
	    futimens(fx->outfd, out_t) == 0, "utimensat: %s", strerror(errno));
	FUZZ_CHECK(fstat(fx->basefd, &fx->base_st) == 0 &&
	    fstat(fx->outfd, &fx->out_st) == 0 &&
	    fstatat(fx->outfd, "canary.txt", &fx->canary_st,
	    AT_SYMLINK_NOFOLLOW) == 0, "fstat: %s", strerror(errno));
	fixture_reset(fx);
}

static bool
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Fails unless the entry at fd is as it was when recorded in was. */
static void
check_unchanged(const char *what, const struct stat *now,
		const struct stat *was)
{
	FUZZ_CHECK(now->st_ino == was->st_ino && now->st_dev == was->st_dev,
	    "%s was replaced", what);
	FUZZ_CHECK(now->st_size == was->st_size, "%s changed size", what);
	FUZZ_CHECK(same_time(&now->st_mtim, &was->st_mtim), "%s was modified "
	    "(entries created, removed or written)", what);
	FUZZ_CHECK(same_time(&now->st_ctim, &was->st_ctim), "%s had its "
	    "inode changed (attributes, links, mode)", what);
	FUZZ_CHECK(now->st_nlink == was->st_nlink, "%s link count changed",
	    what);
}

void
fixture_check_outside(const struct fixture *fx)
{
	struct stat sb;

	FUZZ_CHECK(fstat(fx->basefd, &sb) == 0, "fstat base");
	check_unchanged("the fixture's base directory", &sb, &fx->base_st);
	FUZZ_CHECK(fstat(fx->outfd, &sb) == 0, "fstat outside");
	check_unchanged("the directory outside the root", &sb, &fx->out_st);
	FUZZ_CHECK(fstatat(fx->outfd, "canary.txt", &sb, AT_SYMLINK_NOFOLLOW) ==
	    0, "the canary is gone: %s", strerror(errno));
	check_unchanged("the canary outside the root", &sb, &fx->canary_st);
	FUZZ_CHECK(same_time(&sb.st_atim, &fx->canary_st.st_atim),
	    "the canary outside the root was read (its atime moved)");
}

bool
fixture_is_outside(const struct fixture *fx, dev_t dev, ino_t ino)
{
	const struct stat *all[] = {&fx->base_st, &fx->out_st, &fx->canary_st};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->st_dev == dev && all[i]->st_ino == ino)
			return true;
	return false;
}

bool
fixture_has_canary(const void *p, size_t len)
{
	return memmem(p, len, FIXTURE_CANARY_MARK,
	    sizeof(FIXTURE_CANARY_MARK) - 1) != NULL;
}
