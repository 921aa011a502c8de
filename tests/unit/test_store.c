/*
 * test_store.c - the local store backend against a real directory tree in
 * a fresh mkdtemp root per test: confinement (lexical and through
 * symlinks), reading, atomic uploads, changes to the tree, streamed
 * listings and recovery.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "store.h"

#define GIB (1024ull * 1024 * 1024)
#define MANY 10000

/* Per test (each runs in its own process): <base>/root is the store's
 * root, <base>/outside a sibling no path may reach. */
static char base[PATH_MAX / 2], rootdir[PATH_MAX], outdir[PATH_MAX];
static struct store *st;
static int rootfd = -1, outfd = -1;
static unsigned temps_seen;

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/test_store.XXXXXX",
		 tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(rootdir, sizeof(rootdir), "%s/root", base);
	snprintf(outdir, sizeof(outdir), "%s/outside", base);
	ck_assert_int_eq(mkdir(rootdir, 0755), 0);
	ck_assert_int_eq(mkdir(outdir, 0755), 0);
	ck_assert_int_eq(stor_local_open(rootdir, &st), 0);
	rootfd = open(rootdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	outfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
	ck_assert_int_ge(outfd, 0);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
teardown(void)
{
	stor_free(st);
	close(rootfd);
	close(outfd);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes a file relative to dirfd, bypassing the store. */
static void
put(int dirfd, const char *rel, const char *content)
{
	int fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)),
			 (ssize_t)strlen(content));
	close(fd);
}

/* Reads a file relative to dirfd, bypassing the store, as a string. */
static char *
slurp(int dirfd, const char *rel)
{
	static char buf[4096];
	int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* Reads a whole (small) file through the store, as a string. */
static char *
store_slurp(struct stor_file *f)
{
	static char buf[4096];
	size_t got;

	ck_assert_int_eq(stor_file_pread(f, buf, sizeof(buf) - 1, 0, &got), 0);
	buf[got] = '\0';
	return buf;
}

static int
count_temp(const char *path, const struct stat *sb, int flag,
	   struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (strncmp(path + ftw->base, STOR_TEMP_PREFIX,
		    strlen(STOR_TEMP_PREFIX)) == 0)
		temps_seen++;
	return 0;
}

/* Temporaries anywhere beneath base (root and outside alike). */
static unsigned
temps(void)
{
	temps_seen = 0;
	ck_assert_int_eq(nftw(base, count_temp, 16, FTW_PHYS), 0);
	return temps_seen;
}

static unsigned
entries_in(int dirfd)
{
	DIR *d = fdopendir(dup(dirfd));
	unsigned n = 0;
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int
upload(const char *path, const char *content)
{
	struct stor_upload *up;
	int r;

	if ((r = stor_upload_begin(st, path, &up)) != 0)
		return r;
	ck_assert_int_eq(stor_upload_write(up, content, strlen(content)), 0);
	return stor_upload_commit(up);
}

/* --- confinement -------------------------------------------------------- */

START_TEST(lexical_escapes)
{
	static const char *const bad[] = { "../x", "/etc/passwd", "a/../../x",
					   "../outside/x" };
	struct stor_upload *up = (void *)1;
	struct stor_file *f = (void *)1;
	struct stor_info info;
	struct stor_dir *d;
	size_t i;

	ck_assert_int_eq(mkdirat(rootfd, "a", 0755), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(stor_stat(st, bad[i], &info), -EINVAL);
		ck_assert_int_eq(stor_open_read(st, bad[i], &f, &info),
				 -EINVAL);
		ck_assert_ptr_null(f);
		ck_assert_int_eq(stor_list_open(st, bad[i], &d), -EINVAL);
		ck_assert_int_eq(stor_upload_begin(st, bad[i], &up), -EINVAL);
		ck_assert_ptr_null(up);
	}
	ck_assert_uint_eq(entries_in(outfd), 0);
	ck_assert_uint_eq(entries_in(rootfd), 1);
}
END_TEST

START_TEST(symlink_to_etc)
{
	struct stor_upload *up;
	struct stor_file *f;
	struct stor_info info;
	struct stor_dir *d;

	ck_assert_int_eq(symlinkat("/etc", rootfd, "etc"), 0);
	ck_assert_int_eq(stor_stat(st, "etc", &info), -EXDEV);
	ck_assert_int_eq(stor_stat(st, "etc/passwd", &info), -EXDEV);
	ck_assert_int_eq(stor_open_read(st, "etc/passwd", &f, &info), -EXDEV);
	ck_assert_int_eq(stor_list_open(st, "etc", &d), -EXDEV);
	ck_assert_int_eq(stor_upload_begin(st, "etc/ftp-test", &up), -EXDEV);
	ck_assert_int_eq(access("/etc/ftp-test", F_OK), -1);
}
END_TEST

START_TEST(symlink_to_outside)
{
	struct stor_upload *up;
	struct stor_file *f;
	struct stor_info info;
	struct stor_dir *d;

	put(outfd, "secret", "secret");
	ck_assert_int_eq(symlinkat("../outside", rootfd, "out"), 0);
	ck_assert_int_eq(symlinkat("../outside/secret", rootfd, "sl"), 0);
	ck_assert_int_eq(stor_stat(st, "out/secret", &info), -EXDEV);
	ck_assert_int_eq(stor_open_read(st, "sl", &f, &info), -EXDEV);
	ck_assert_int_eq(stor_list_open(st, "out", &d), -EXDEV);
	ck_assert_int_eq(stor_upload_begin(st, "out/new", &up), -EXDEV);
	ck_assert_int_eq(stor_upload_begin(st, "out/secret", &up), -EXDEV);
	ck_assert_int_eq(stor_upload_begin(st, "sl", &up), -EXDEV);
	/* Nothing created or changed outside, nothing left inside. */
	ck_assert_uint_eq(entries_in(outfd), 1);
	ck_assert_str_eq(slurp(outfd, "secret"), "secret");
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(symlink_inside)
{
	struct stor_file *f;
	struct stor_info info;

	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	put(rootfd, "d/f", "inside");
	ck_assert_int_eq(symlinkat("d", rootfd, "ln"), 0);
	/* Climbs with ".." yet stays beneath the root. */
	ck_assert_int_eq(symlinkat("../d/f", rootfd, "d/lf"), 0);
	ck_assert_int_eq(stor_stat(st, "ln", &info), 0);
	ck_assert_int_eq(info.kind, STOR_DIR);
	ck_assert_int_eq(stor_open_read(st, "ln/f", &f, &info), 0);
	ck_assert_str_eq(store_slurp(f), "inside");
	stor_file_close(f);
	ck_assert_int_eq(stor_open_read(st, "d/lf", &f, &info), 0);
	ck_assert_uint_eq(info.size, 6);
	ck_assert_str_eq(store_slurp(f), "inside");
	stor_file_close(f);
	ck_assert_int_eq(upload("ln/new", "via link"), 0);
	ck_assert_str_eq(slurp(rootfd, "d/new"), "via link");
}
END_TEST

/* A user's sub-store is confined to its directory exactly as the main
 * store is to the root: a link to a sibling's tree is an escape. */
START_TEST(sub_store_confined)
{
	struct store *sub;
	struct stor_file *f;
	struct stor_info info;

	ck_assert_int_eq(mkdirat(rootfd, "alice", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "bob", 0755), 0);
	put(rootfd, "alice/a", "mine");
	put(rootfd, "bob/b", "bob's");
	ck_assert_int_eq(symlinkat("../bob/b", rootfd, "alice/lb"), 0);
	put(rootfd, "plain", "x");
	ck_assert_int_eq(stor_open_sub(st, "plain", &sub), -ENOTDIR);
	ck_assert_int_eq(stor_open_sub(st, "../outside", &sub), -EINVAL);
	ck_assert_int_eq(symlinkat("../outside", rootfd, "out"), 0);
	ck_assert_int_eq(stor_open_sub(st, "out", &sub), -EXDEV);
	ck_assert_int_eq(stor_open_sub(st, "alice", &sub), 0);
	ck_assert_int_eq(stor_open_read(sub, "a", &f, &info), 0);
	ck_assert_str_eq(store_slurp(f), "mine");
	stor_file_close(f);
	ck_assert_int_eq(stor_open_read(sub, "lb", &f, &info), -EXDEV);
	ck_assert_int_eq(stor_open_read(sub, "../bob/b", &f, &info), -EINVAL);
	stor_free(sub);
}
END_TEST

START_TEST(temp_names_refused)
{
	struct stor_info info;

	put(rootfd, STOR_TEMP_PREFIX "x", "hidden");
	ck_assert_int_eq(stor_stat(st, STOR_TEMP_PREFIX "x", &info), -EINVAL);
}
END_TEST

/* --- stat and reading --------------------------------------------------- */

START_TEST(missing)
{
	struct stor_file *f;
	struct stor_info info;
	struct stor_dir *d;

	put(rootfd, "file", "x");
	ck_assert_int_eq(stor_stat(st, "nope", &info), -ENOENT);
	ck_assert_int_eq(stor_stat(st, "no/pe", &info), -ENOENT);
	ck_assert_int_eq(stor_open_read(st, "nope", &f, &info), -ENOENT);
	ck_assert_int_eq(stor_list_open(st, "nope", &d), -ENOENT);
	ck_assert_int_eq(stor_open_read(st, "file/x", &f, &info), -ENOTDIR);
}
END_TEST

START_TEST(directory)
{
	struct stor_upload *up;
	struct stor_file *f;
	struct stor_info info;

	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	ck_assert_int_eq(stor_stat(st, "d", &info), 0);
	ck_assert_int_eq(info.kind, STOR_DIR);
	ck_assert_int_eq(stor_stat(st, "", &info), 0);
	ck_assert_int_eq(info.kind, STOR_DIR);
	ck_assert_int_eq(stor_open_read(st, "d", &f, &info), -EISDIR);
	ck_assert_int_eq(stor_open_read(st, "", &f, &info), -EISDIR);
	ck_assert_int_eq(stor_open_read(st, ".", &f, &info), -EISDIR);
	ck_assert_int_eq(stor_upload_begin(st, "d", &up), -EISDIR);
	ck_assert_int_eq(stor_upload_begin(st, "", &up), -EISDIR);
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(fifo_not_opened)
{
	struct stor_file *f;
	struct stor_info info;

	/* Were it opened blocking, this would hang until the test timeout. */
	ck_assert_int_eq(mkfifoat(rootfd, "p", 0644), 0);
	ck_assert_int_eq(stor_open_read(st, "p", &f, &info), -EINVAL);
	ck_assert_int_eq(stor_stat(st, "p", &info), 0);
	ck_assert_int_eq(info.kind, STOR_OTHER);
}
END_TEST

START_TEST(read_regular)
{
	struct stor_file *f;
	struct stor_info info;
	struct stat sb;
	char buf[8];
	size_t got;
	int fl;

	put(rootfd, "f", "hello world");
	ck_assert_int_eq(fstatat(rootfd, "f", &sb, 0), 0);
	ck_assert_int_eq(stor_open_read(st, "f", &f, &info), 0);
	ck_assert_int_eq(info.kind, STOR_FILE);
	ck_assert_uint_eq(info.size, 11);
	ck_assert_int_eq(info.mtime, sb.st_mtim.tv_sec);
	fl = fcntl(stor_file_fd(f), F_GETFL);
	ck_assert_int_eq(fl & O_NONBLOCK, 0);
	ck_assert_int_eq(stor_file_pread(f, buf, 5, 6, &got), 0);
	ck_assert_uint_eq(got, 5);
	ck_assert_mem_eq(buf, "world", 5);
	ck_assert_int_eq(stor_file_pread(f, buf, sizeof(buf), 11, &got), 0);
	ck_assert_uint_eq(got, 0);
	ck_assert_int_eq(stor_file_pread(f, buf, sizeof(buf), 1ull << 63,
					 &got), -EINVAL);
	stor_file_close(f);
}
END_TEST

START_TEST(sparse_5g)
{
	const uint64_t size = 5 * GIB;
	struct stor_entry e;
	struct stor_file *f;
	struct stor_info info;
	struct stor_dir *d;
	char buf[16];
	size_t got;
	bool end;
	int fd;

	fd = openat(rootfd, "big", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	ck_assert_int_eq(pwrite(fd, "END", 3, (off_t)(size - 3)), 3);
	close(fd);
	ck_assert_int_eq(stor_stat(st, "big", &info), 0);
	ck_assert_uint_eq(info.size, size);
	ck_assert_int_eq(stor_list_open(st, "big", &d), 0);
	ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
	ck_assert(!end);
	ck_assert_uint_eq(e.info.size, size);
	stor_list_close(d);
	ck_assert_int_eq(stor_open_read(st, "big", &f, &info), 0);
	ck_assert_uint_eq(info.size, size);
	ck_assert_int_eq(stor_file_pread(f, buf, sizeof(buf), size - 5, &got),
			 0);
	ck_assert_uint_eq(got, 5);
	ck_assert_mem_eq(buf, "\0\0END", 5);
	ck_assert_int_eq(stor_file_pread(f, buf, sizeof(buf), size, &got), 0);
	ck_assert_uint_eq(got, 0);
	stor_file_close(f);
}
END_TEST

/* --- uploads ------------------------------------------------------------ */

START_TEST(upload_commit)
{
	struct stor_upload *up;
	struct stor_info info;

	put(rootfd, "old", "to be replaced");
	ck_assert_int_eq(stor_upload_begin(st, "new.txt", &up), 0);
	ck_assert_int_eq(stor_upload_write(up, "hello ", 6), 0);
	ck_assert_int_eq(stor_upload_write(up, "", 0), 0);
	ck_assert_int_eq(stor_upload_write(up, "world", 5), 0);
	ck_assert_uint_eq(stor_upload_size(up), 11);
	/* Invisible until committed. */
	ck_assert_int_eq(stor_stat(st, "new.txt", &info), -ENOENT);
	ck_assert_uint_eq(temps(), 1);
	ck_assert_int_eq(stor_upload_commit(up), 0);
	ck_assert_str_eq(slurp(rootfd, "new.txt"), "hello world");
	ck_assert_int_eq(upload("old", "replaced"), 0);
	ck_assert_str_eq(slurp(rootfd, "old"), "replaced");
	ck_assert_int_eq(upload("empty", ""), 0);
	ck_assert_int_eq(stor_stat(st, "empty", &info), 0);
	ck_assert_uint_eq(info.size, 0);
	ck_assert_uint_eq(temps(), 0);
	ck_assert_uint_eq(entries_in(rootfd), 3);
}
END_TEST

START_TEST(upload_large)
{
	const size_t chunk = 256 * 1024, n = 12;
	struct stor_upload *up;
	struct stor_file *f;
	struct stor_info info;
	char *buf = malloc(chunk), *back = malloc(chunk);
	size_t i, got;

	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(stor_upload_begin(st, "large", &up), 0);
	for (i = 0; i < n; i++) {
		memset(buf, 'a' + (int)i, chunk);
		ck_assert_int_eq(stor_upload_write(up, buf, chunk), 0);
	}
	ck_assert_uint_eq(stor_upload_size(up), chunk * n);
	ck_assert_int_eq(stor_upload_commit(up), 0);
	ck_assert_int_eq(stor_open_read(st, "large", &f, &info), 0);
	ck_assert_uint_eq(info.size, chunk * n);
	for (i = 0; i < n; i++) {
		memset(buf, 'a' + (int)i, chunk);
		ck_assert_int_eq(stor_file_pread(f, back, chunk, i * chunk,
						 &got), 0);
		ck_assert_uint_eq(got, chunk);
		ck_assert_mem_eq(back, buf, chunk);
	}
	stor_file_close(f);
	free(buf);
	free(back);
}
END_TEST

START_TEST(upload_abort)
{
	struct stor_upload *up;
	struct stat before, after;

	put(rootfd, "f", "old content");
	ck_assert_int_eq(fstatat(rootfd, "f", &before, 0), 0);
	ck_assert_int_eq(stor_upload_begin(st, "f", &up), 0);
	ck_assert_int_eq(stor_upload_write(up, "new stuff", 9), 0);
	stor_upload_abort(up);
	ck_assert_int_eq(fstatat(rootfd, "f", &after, 0), 0);
	ck_assert_uint_eq(after.st_ino, before.st_ino);
	ck_assert_int_eq(after.st_size, before.st_size);
	ck_assert_str_eq(slurp(rootfd, "f"), "old content");
	ck_assert_uint_eq(temps(), 0);
	ck_assert_uint_eq(entries_in(rootfd), 1);
	/* Aborting a new file leaves nothing at all. */
	ck_assert_int_eq(stor_upload_begin(st, "g", &up), 0);
	stor_upload_abort(up);
	ck_assert_uint_eq(entries_in(rootfd), 1);
}
END_TEST

START_TEST(upload_missing_dir)
{
	struct stor_upload *up = (void *)1;

	put(rootfd, "file", "x");
	ck_assert_int_eq(stor_upload_begin(st, "nodir/x", &up), -ENOENT);
	ck_assert_ptr_null(up);
	ck_assert_int_eq(stor_upload_begin(st, "a/b/c", &up), -ENOENT);
	ck_assert_int_eq(stor_upload_begin(st, "file/x", &up), -ENOTDIR);
	ck_assert_uint_eq(entries_in(rootfd), 1);
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(atomic_replace)
{
	struct stor_upload *up;
	struct stor_file *old, *cur;
	struct stor_info info;

	put(rootfd, "f", "old content");
	ck_assert_int_eq(stor_open_read(st, "f", &old, &info), 0);
	ck_assert_int_eq(stor_upload_begin(st, "f", &up), 0);
	ck_assert_int_eq(stor_upload_write(up, "new and longer content", 22),
			 0);
	/* Mid-upload, a new reader still gets the old file. */
	ck_assert_int_eq(stor_open_read(st, "f", &cur, &info), 0);
	ck_assert_str_eq(store_slurp(cur), "old content");
	stor_file_close(cur);
	ck_assert_int_eq(stor_upload_commit(up), 0);
	ck_assert_str_eq(store_slurp(old), "old content");
	stor_file_close(old);
	ck_assert_int_eq(stor_open_read(st, "f", &cur, &info), 0);
	ck_assert_uint_eq(info.size, 22);
	ck_assert_str_eq(store_slurp(cur), "new and longer content");
	stor_file_close(cur);
}
END_TEST

START_TEST(commit_fails)
{
	struct stor_upload *up;

	put(rootfd, "x", "old");
	ck_assert_int_eq(stor_upload_begin(st, "x", &up), 0);
	ck_assert_int_eq(stor_upload_write(up, "new", 3), 0);
	/* The name becomes a non-empty directory: the rename must fail. */
	ck_assert_int_eq(unlinkat(rootfd, "x", 0), 0);
	ck_assert_int_eq(mkdirat(rootfd, "x", 0755), 0);
	put(rootfd, "x/keep", "kept");
	ck_assert_int_eq(stor_upload_commit(up), -EISDIR);
	ck_assert_str_eq(slurp(rootfd, "x/keep"), "kept");
	ck_assert_uint_eq(temps(), 0);
	ck_assert_uint_eq(entries_in(rootfd), 1);
}
END_TEST

/* Many threads replacing one name: the result is one upload, whole. */
#define RACERS 4
#define RACE_SIZE (64 * 1024)

static void *
racer(void *arg)
{
	static const char pattern[] = "ABCDEFGH";
	char *buf = malloc(RACE_SIZE);
	struct stor_upload *up;
	intptr_t i = (intptr_t)arg, r;
	int k;

	memset(buf, pattern[i], RACE_SIZE);
	for (k = 0, r = 0; k < 10 && r == 0; k++) {
		if ((r = stor_upload_begin(st, "same", &up)) == 0 &&
		    (r = stor_upload_write(up, buf, RACE_SIZE)) == 0)
			r = stor_upload_commit(up);
	}
	free(buf);
	return (void *)r;
}

START_TEST(concurrent_uploads)
{
	pthread_t t[RACERS];
	struct stor_file *f;
	struct stor_info info;
	char *buf = malloc(RACE_SIZE);
	void *ret;
	size_t got, i;

	for (i = 0; i < RACERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer,
						(void *)(intptr_t)i), 0);
	for (i = 0; i < RACERS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &ret), 0);
		ck_assert_ptr_null(ret);
	}
	ck_assert_int_eq(stor_open_read(st, "same", &f, &info), 0);
	ck_assert_uint_eq(info.size, RACE_SIZE);
	ck_assert_int_eq(stor_file_pread(f, buf, RACE_SIZE, 0, &got), 0);
	ck_assert_uint_eq(got, RACE_SIZE);
	for (i = 1; i < RACE_SIZE; i++)
		ck_assert_int_eq(buf[i], buf[0]);
	stor_file_close(f);
	free(buf);
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(write_enospc)
{
	char buf[64] = { 0 };
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(stor_io_write(fd, buf, sizeof(buf)), -ENOSPC);
	close(fd);
}
END_TEST

/* --- listings ----------------------------------------------------------- */

START_TEST(list_many)
{
	static bool seen[MANY];
	struct stor_entry e;
	struct stor_dir *d;
	char name[32];
	unsigned total = 0, subdirs = 0;
	bool end;
	int i, fd;

	ck_assert_int_eq(mkdirat(rootfd, "many", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "many/sub", 0755), 0);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "many/f%05d", i);
		fd = openat(rootfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "many/" STOR_TEMP_PREFIX "%d", i);
		put(rootfd, name, "tmp");
	}
	ck_assert_int_eq(stor_list_open(st, "many", &d), 0);
	for (;;) {
		ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
		if (end)
			break;
		total++;
		if (strcmp(e.name, "sub") == 0) {
			ck_assert_int_eq(e.info.kind, STOR_DIR);
			subdirs++;
			continue;
		}
		ck_assert_int_eq(sscanf(e.name, "f%05d", &i), 1);
		ck_assert(i >= 0 && i < MANY && !seen[i]);
		ck_assert_int_eq(e.info.kind, STOR_FILE);
		seen[i] = true;
	}
	/* Past the end it stays at the end. */
	ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
	ck_assert(end);
	stor_list_close(d);
	ck_assert_uint_eq(subdirs, 1);
	ck_assert_uint_eq(total, MANY + 1);
}
END_TEST

START_TEST(list_kinds)
{
	struct stor_entry e;
	struct stor_dir *d;
	unsigned n = 0;
	bool end;

	put(rootfd, "f", "12345");
	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	ck_assert_int_eq(symlinkat("f", rootfd, "l"), 0);
	ck_assert_int_eq(mkfifoat(rootfd, "p", 0644), 0);
	ck_assert_int_eq(stor_list_open(st, ".", &d), 0);
	for (;;) {
		ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
		if (end)
			break;
		n++;
		if (strcmp(e.name, "f") == 0) {
			ck_assert_int_eq(e.info.kind, STOR_FILE);
			ck_assert_uint_eq(e.info.size, 5);
		} else if (strcmp(e.name, "d") == 0) {
			ck_assert_int_eq(e.info.kind, STOR_DIR);
		} else if (strcmp(e.name, "l") == 0) {
			ck_assert_int_eq(e.info.kind, STOR_LINK);
		} else {
			ck_assert_str_eq(e.name, "p");
			ck_assert_int_eq(e.info.kind, STOR_OTHER);
		}
	}
	stor_list_close(d);
	ck_assert_uint_eq(n, 4);
}
END_TEST

START_TEST(list_empty_root)
{
	struct stor_entry e;
	struct stor_dir *d;
	bool end = false;

	ck_assert_int_eq(stor_list_open(st, "", &d), 0);
	ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
	ck_assert(end);
	stor_list_close(d);
}
END_TEST

START_TEST(list_file)
{
	struct stor_entry e;
	struct stor_dir *d;
	bool end = true;

	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	put(rootfd, "d/file.txt", "abc");
	ck_assert_int_eq(stor_list_open(st, "d/file.txt", &d), 0);
	ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
	ck_assert(!end);
	ck_assert_str_eq(e.name, "file.txt");
	ck_assert_int_eq(e.info.kind, STOR_FILE);
	ck_assert_uint_eq(e.info.size, 3);
	ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
	ck_assert(end);
	stor_list_close(d);
}
END_TEST

/* --- resources --------------------------------------------------------- */

static unsigned
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Every call, failing or not, gives back what it opened. */
START_TEST(no_fd_leaks)
{
	struct stor_upload *up;
	struct stor_file *f;
	struct stor_info info;
	struct stor_entry e;
	struct stor_dir *d;
	unsigned before, removed;
	bool end;

	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	put(rootfd, "d/f", "data");
	ck_assert_int_eq(symlinkat("../outside", rootfd, "out"), 0);
	before = open_fds();
	ck_assert_int_eq(stor_stat(st, "out/x", &info), -EXDEV);
	ck_assert_int_eq(stor_open_read(st, "d", &f, &info), -EISDIR);
	ck_assert_int_eq(stor_list_open(st, "nope", &d), -ENOENT);
	ck_assert_int_eq(stor_upload_begin(st, "nope/x", &up), -ENOENT);
	ck_assert_int_eq(stor_upload_begin(st, "d", &up), -EISDIR);
	ck_assert_int_eq(stor_stat(st, "d/f", &info), 0);
	ck_assert_int_eq(stor_open_read(st, "d/f", &f, &info), 0);
	stor_file_close(f);
	ck_assert_int_eq(stor_list_open(st, "d", &d), 0);
	ck_assert_int_eq(stor_list_next(d, &e, &end), 0);
	stor_list_close(d);
	ck_assert_int_eq(stor_list_open(st, "d/f", &d), 0);
	stor_list_close(d);
	ck_assert_int_eq(upload("d/g", "g"), 0);
	ck_assert_int_eq(stor_upload_begin(st, "d/h", &up), 0);
	stor_upload_abort(up);
	ck_assert_int_eq(stor_recover(st, &removed), 0);
	ck_assert_uint_eq(open_fds(), before);
}
END_TEST

/* --- recovery and setup ------------------------------------------------- */

START_TEST(recover)
{
	unsigned removed = 99;

	ck_assert_int_eq(mkdirat(rootfd, "a", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "a/b", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "a/b/c", 0755), 0);
	put(rootfd, STOR_TEMP_PREFIX "1", "t");
	put(rootfd, "a/" STOR_TEMP_PREFIX "2", "t");
	put(rootfd, "a/b/c/" STOR_TEMP_PREFIX "3", "t");
	put(rootfd, "a/b/c/" STOR_TEMP_PREFIX "4", "t");
	put(rootfd, "keep", "k");
	put(rootfd, "a/b/c/keep", "k");
	put(rootfd, "a/x" STOR_TEMP_PREFIX, "k");
	/* Only regular files are the store's: these stay. */
	ck_assert_int_eq(mkdirat(rootfd, "a/" STOR_TEMP_PREFIX "dir", 0755), 0);
	ck_assert_int_eq(symlinkat("keep", rootfd, STOR_TEMP_PREFIX "ln"), 0);
	/* A symlink out of the root is not followed. */
	put(outfd, STOR_TEMP_PREFIX "out", "t");
	ck_assert_int_eq(symlinkat("../outside", rootfd, "a/out"), 0);
	ck_assert_int_eq(stor_recover(st, &removed), 0);
	ck_assert_uint_eq(removed, 4);
	ck_assert_uint_eq(temps(), 3);
	ck_assert_int_eq(faccessat(rootfd, "keep", F_OK, 0), 0);
	ck_assert_int_eq(faccessat(rootfd, "a/b/c/keep", F_OK, 0), 0);
	ck_assert_int_eq(faccessat(rootfd, "a/x" STOR_TEMP_PREFIX, F_OK, 0), 0);
	ck_assert_int_eq(faccessat(outfd, STOR_TEMP_PREFIX "out", F_OK, 0), 0);
	ck_assert_int_eq(stor_recover(st, &removed), 0);
	ck_assert_uint_eq(removed, 0);
}
END_TEST

START_TEST(open_bad_root)
{
	char path[PATH_MAX + 16];
	struct store *s = (void *)1;

	snprintf(path, sizeof(path), "%s/missing", base);
	ck_assert_int_eq(stor_local_open(path, &s), -ENOENT);
	ck_assert_ptr_null(s);
	put(rootfd, "f", "x");
	snprintf(path, sizeof(path), "%s/f", rootdir);
	ck_assert_int_eq(stor_local_open(path, &s), -ENOTDIR);
}
END_TEST

/* --- cached checksums ------------------------------------------------- */

/* The sum stored for path, or the error. */
static int
sum_of(const char *path, uint32_t *sum)
{
	struct stor_file *f;
	int r;

	*sum = 0;
	if ((r = stor_open_read(st, path, &f, NULL)) != 0)
		return r;
	r = stor_file_get_sum(f, sum);
	stor_file_close(f);
	return r;
}

static void
set_mtime(const char *path, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };

	ck_assert_int_eq(utimensat(rootfd, path, ts, 0), 0);
}

START_TEST(sum_upload_and_stale)
{
	struct stor_upload *up;
	uint32_t sum;
	int r;

	ck_assert_int_eq(stor_upload_begin(st, "s", &up), 0);
	ck_assert_int_eq(stor_upload_write(up, "hello world", 11), 0);
	r = stor_upload_set_sum(up, 0xfeedf00d);
	ck_assert_int_eq(stor_upload_commit(up), 0);
	if (r == -ENOTSUP) {
		/* No user xattrs here: no cache, and every GET computes. */
		ck_assert_int_eq(sum_of("s", &sum), -ENOTSUP);
		return;
	}
	ck_assert_int_eq(r, 0);
	/* It travelled with the rename. */
	ck_assert_int_eq(sum_of("s", &sum), 0);
	ck_assert_uint_eq(sum, 0xfeedf00d);
	/* Same bytes, but touched behind the store's back: stale. */
	set_mtime("s", 1000000000);
	ck_assert_int_eq(sum_of("s", &sum), -ENODATA);
	/* None at all. */
	put(rootfd, "plain", "abc");
	ck_assert_int_eq(sum_of("plain", &sum), -ENODATA);
}
END_TEST

START_TEST(sum_set_on_read)
{
	struct stor_file *f;
	uint32_t sum;
	int r;

	put(rootfd, "s", "0123456789");
	set_mtime("s", 1000000000);
	ck_assert_int_eq(stor_open_read(st, "s", &f, NULL), 0);
	ck_assert_int_eq(stor_file_get_sum(f, &sum), -ENODATA);
	if ((r = stor_file_set_sum(f, 0x11223344)) == -ENOTSUP) {
		stor_file_close(f);
		return;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(stor_file_get_sum(f, &sum), 0);
	ck_assert_uint_eq(sum, 0x11223344);
	/* Changed while open (a sum computed now would mix old and new
	 * bytes): not stored, and the old one is stale. */
	set_mtime("s", 1000000001);
	ck_assert_int_eq(stor_file_set_sum(f, 0x55667788), -ESTALE);
	ck_assert_int_eq(stor_file_get_sum(f, &sum), -ENODATA);
	stor_file_close(f);
	/* Back to the state it was summed in: valid again.  Then the same
	 * mtime but a different size: stale. */
	set_mtime("s", 1000000000);
	ck_assert_int_eq(sum_of("s", &sum), 0);
	ck_assert_uint_eq(sum, 0x11223344);
	put(rootfd, "s", "01234567890");
	set_mtime("s", 1000000000);
	ck_assert_int_eq(sum_of("s", &sum), -ENODATA);
}
END_TEST

/* A copy that kept the attribute (cp --preserve=all) is another inode. */
START_TEST(sum_copied_attr_stale)
{
	struct stor_file *f;
	char val[128];
	ssize_t n;
	uint32_t sum;
	int a, b, r;

	put(rootfd, "s", "same bytes");
	set_mtime("s", 1000000000);
	ck_assert_int_eq(stor_open_read(st, "s", &f, NULL), 0);
	r = stor_file_set_sum(f, 7);
	stor_file_close(f);
	if (r == -ENOTSUP)
		return;
	ck_assert_int_eq(r, 0);
	a = openat(rootfd, "s", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(a, 0);
	n = fgetxattr(a, "user.ftpf.crc32c", val, sizeof(val));
	ck_assert_int_gt(n, 0);
	put(rootfd, "copy", "same bytes");
	b = openat(rootfd, "copy", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(fsetxattr(b, "user.ftpf.crc32c", val, (size_t)n, 0),
	    0);
	set_mtime("copy", 1000000000);
	ck_assert_int_eq(sum_of("s", &sum), 0);
	ck_assert_uint_eq(sum, 7);
	ck_assert_int_eq(sum_of("copy", &sum), -ENODATA);
	close(a);
	close(b);
}
END_TEST

/* --- resumable uploads ------------------------------------------------ */

START_TEST(partial_keep_and_resume)
{
	struct stor_upload *up, *other;
	uint64_t have;
	char buf[16];
	size_t got;

	ck_assert_int_eq(stor_upload_begin_resumable(st, "r.bin", true, &up,
	    &have), 0);
	ck_assert_uint_eq(have, 0);
	ck_assert_int_eq(stor_upload_write(up, "hello ", 6), 0);
	/* Held: a second upload to the same target is refused. */
	ck_assert_int_eq(stor_upload_begin_resumable(st, "r.bin", false,
	    &other, &have), -EBUSY);
	stor_upload_keep(up);
	/* Kept, hidden, and survives recovery. */
	ck_assert_uint_eq(temps(), 1);
	ck_assert_int_eq(stor_stat(st, "r.bin", &(struct stor_info){ 0 }),
	    -ENOENT);
	ck_assert_int_eq(stor_recover(st, &(unsigned){ 0 }), 0);
	ck_assert_uint_eq(temps(), 1);
	ck_assert_int_eq(stor_upload_begin_resumable(st, "r.bin", false, &up,
	    &have), 0);
	ck_assert_uint_eq(have, 6);
	ck_assert_int_eq(stor_upload_pread(up, buf, sizeof(buf), 0, &got), 0);
	ck_assert_uint_eq(got, 6);
	ck_assert_mem_eq(buf, "hello ", 6);
	ck_assert_int_eq(stor_upload_write(up, "world", 5), 0);
	ck_assert_int_eq(stor_upload_commit(up), 0);
	ck_assert_str_eq(slurp(rootfd, "r.bin"), "hello world");
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(partial_fresh_truncate_abort)
{
	struct stor_upload *up;
	uint64_t have;

	ck_assert_int_eq(stor_upload_begin_resumable(st, "f", true, &up,
	    &have), 0);
	ck_assert_int_eq(stor_upload_write(up, "abc", 3), 0);
	stor_upload_keep(up);
	/* fresh: the kept bytes are dropped. */
	ck_assert_int_eq(stor_upload_begin_resumable(st, "f", true, &up,
	    &have), 0);
	ck_assert_uint_eq(have, 0);
	ck_assert_int_eq(stor_upload_write(up, "xy", 2), 0);
	ck_assert_int_eq(stor_upload_truncate(up), 0);
	ck_assert_uint_eq(stor_upload_size(up), 0);
	ck_assert_int_eq(stor_upload_write(up, "z", 1), 0);
	stor_upload_keep(up);
	ck_assert_int_eq(stor_upload_begin_resumable(st, "f", false, &up,
	    &have), 0);
	ck_assert_uint_eq(have, 1);
	/* Another target has its own. */
	stor_upload_abort(up);
	ck_assert_uint_eq(temps(), 0);
	ck_assert_int_eq(stor_upload_begin_resumable(st, "g", false, &up,
	    &have), 0);
	ck_assert_uint_eq(have, 0);
	stor_upload_abort(up);
}
END_TEST

static void
age_partials(time_t when)
{
	struct timespec ts[2] = { { when, 0 }, { when, 0 } };
	struct dirent *de;
	DIR *d = fdopendir(dup(rootfd));

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, STOR_PARTIAL_PREFIX,
		    strlen(STOR_PARTIAL_PREFIX)) == 0)
			ck_assert_int_eq(utimensat(rootfd, de->d_name, ts, 0),
			    0);
	closedir(d);
}

START_TEST(partial_sweep)
{
	struct stor_upload *up, *held;
	uint64_t have;
	unsigned removed;

	ck_assert_int_eq(stor_upload_begin_resumable(st, "old", true, &up,
	    &have), 0);
	ck_assert_int_eq(stor_upload_write(up, "x", 1), 0);
	stor_upload_keep(up);
	ck_assert_int_eq(stor_upload_begin_resumable(st, "busy", true, &held,
	    &have), 0);
	age_partials(time(NULL) - 7200);
	ck_assert_int_eq(stor_upload_begin_resumable(st, "young", true, &up,
	    &have), 0);
	stor_upload_keep(up);
	ck_assert_uint_eq(temps(), 3);
	ck_assert_int_eq(stor_sweep_partials(st, 3600, &removed), 0);
	/* The old idle one goes; the one in use and the young one stay. */
	ck_assert_uint_eq(removed, 1);
	ck_assert_uint_eq(temps(), 2);
	stor_upload_keep(held);
	ck_assert_int_eq(stor_sweep_partials(st, 3600, &removed), 0);
	ck_assert_uint_eq(removed, 1);
	ck_assert_uint_eq(temps(), 1);
}
END_TEST

/* --- changing the tree ------------------------------------------------- */

/* What is at rel (relative to dirfd), the last component not followed:
 * its mode, or 0 if nothing is there. */
static mode_t
mode_at(int dirfd, const char *rel)
{
	struct stat sb;

	if (fstatat(dirfd, rel, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		ck_assert_int_eq(errno, ENOENT);
		return 0;
	}
	return sb.st_mode;
}

static ino_t
ino_at(int dirfd, const char *rel)
{
	struct stat sb;

	ck_assert_int_eq(fstatat(dirfd, rel, &sb, AT_SYMLINK_NOFOLLOW), 0);
	return sb.st_ino;
}

static void
link_is(int dirfd, const char *rel, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, rel, buf, sizeof(buf) - 1);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, target);
}

/* Entries in the directory rel beneath the root. */
static unsigned
entries_of(const char *rel)
{
	int fd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	unsigned n;

	ck_assert_int_ge(fd, 0);
	n = entries_in(fd);
	close(fd);
	return n;
}

/* Leaves a kept resumable upload for path, holding one byte. */
static void
keep_partial(const char *path)
{
	struct stor_upload *up;
	uint64_t have;

	ck_assert_int_eq(stor_upload_begin_resumable(st, path, true, &up,
	    &have), 0);
	ck_assert_int_eq(stor_upload_write(up, "x", 1), 0);
	stor_upload_keep(up);
}

static bool
is_partial(const char *name)
{
	return strncmp(name, STOR_PARTIAL_PREFIX,
	    strlen(STOR_PARTIAL_PREFIX)) == 0;
}

/* Whether an upload holds the partial name in dfd, tried as the store
 * tries it (a lock of our own is let go at the close). */
static bool
held(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool busy;

	ck_assert_int_ge(fd, 0);
	busy = flock(fd, LOCK_EX | LOCK_NB) != 0;
	close(fd);
	return busy;
}

enum blocker { HELD, UPLOADING, OTHER };

/* Whether, in dir's readdir order (the order the store walks it in), a
 * kept upload nobody holds comes before the blocker: the entry other, or
 * the held partial (HELD), or the random upload temporary (UPLOADING). */
static bool
kept_first(const char *dir, enum blocker kind, const char *other)
{
	int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool kept = false, found = false;
	struct dirent *de;
	DIR *d;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(d = fdopendir(fd));
	while (!found && (de = readdir(d)) != NULL) {
		if (kind == OTHER)
			found = strcmp(de->d_name, other) == 0;
		else if (kind == UPLOADING)
			found = strncmp(de->d_name, STOR_TEMP_PREFIX,
			    strlen(STOR_TEMP_PREFIX)) == 0 &&
			    !is_partial(de->d_name);
		else
			found = is_partial(de->d_name) &&
			    held(dirfd(d), de->d_name);
		if (!found && is_partial(de->d_name))
			kept = true;
	}
	closedir(d);
	ck_assert(found);
	return kept;
}

/*
 * Fills dir with kept uploads and one blocker of kind, placed so that a
 * kept upload precedes it in readdir order: an rmdir that removed kept
 * uploads before judging every entry would then remove one.  *up is the
 * blocker's upload (NULL for OTHER), *path its target.  Returns the
 * number of kept uploads.
 */
static unsigned
block(const char *dir, enum blocker kind, struct stor_upload **up,
      char *path, size_t size)
{
	char kpath[64];
	unsigned i, kept = 0;
	uint64_t have;

	for (i = 0; i < 64; i++) {
		snprintf(kpath, sizeof(kpath), "%s/k%u", dir, i);
		keep_partial(kpath);
		kept++;
		snprintf(path, size, "%s/b%u", dir, i);
		*up = NULL;
		if (kind == HELD)
			ck_assert_int_eq(stor_upload_begin_resumable(st, path,
			    true, up, &have), 0);
		else if (kind == UPLOADING)
			ck_assert_int_eq(stor_upload_begin(st, path, up), 0);
		else
			put(rootfd, path, "someone's");
		if (kept_first(dir, kind, path + strlen(dir) + 1))
			return kept;
		/* It came first: make it harmless and try another. */
		if (kind == HELD) {
			stor_upload_keep(*up);
			kept++;
		} else if (kind == UPLOADING) {
			stor_upload_abort(*up);
		} else {
			ck_assert_int_eq(unlinkat(rootfd, path, 0), 0);
		}
	}
	ck_abort_msg("no kept upload before the blocker");
	return 0;
}

/* A blocker keeps the directory and everything in it; once it is gone,
 * the kept uploads go with the directory. */
static void
rmdir_blocked(enum blocker kind)
{
	struct stor_upload *up;
	char path[64];
	unsigned kept, all;

	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	kept = block("d", kind, &up, path, sizeof(path));
	all = kept + (kind == OTHER ? 0 : 1);
	ck_assert_uint_eq(temps(), all);
	ck_assert_int_eq(stor_rmdir(st, "d"), -ENOTEMPTY);
	ck_assert_uint_eq(temps(), all);
	ck_assert_uint_eq(entries_in(rootfd), 1);
	/* The upload goes on unharmed and lands in the directory. */
	if (up != NULL) {
		ck_assert_int_eq(stor_upload_write(up, "done", 4), 0);
		ck_assert_int_eq(stor_upload_commit(up), 0);
		ck_assert_str_eq(slurp(rootfd, path), "done");
		ck_assert_uint_eq(temps(), kept);
		ck_assert_int_eq(stor_rmdir(st, "d"), -ENOTEMPTY);
		ck_assert_uint_eq(temps(), kept);
	}
	ck_assert_int_eq(stor_unlink(st, path), 0);
	ck_assert_int_eq(stor_rmdir(st, "d"), 0);
	ck_assert_uint_eq(mode_at(rootfd, "d"), 0);
	ck_assert_uint_eq(temps(), 0);
}

START_TEST(mkdir_made)
{
	struct stor_info info;
	mode_t old;

	/* 0777, then the umask: the process's choice, as for any mkdir. */
	old = umask(0);
	ck_assert_int_eq(stor_mkdir(st, "open"), 0);
	umask(027);
	ck_assert_int_eq(stor_mkdir(st, "closed"), 0);
	umask(old);
	ck_assert_uint_eq(mode_at(rootfd, "open"), S_IFDIR | 0777);
	ck_assert_uint_eq(mode_at(rootfd, "closed"), S_IFDIR | 0750);
	ck_assert_int_eq(stor_mkdir(st, "open/sub"), 0);
	ck_assert_int_eq(stor_stat(st, "open/sub", &info), 0);
	ck_assert_int_eq(info.kind, STOR_DIR);
	ck_assert_int_eq(upload("open/sub/f", "in it"), 0);
	ck_assert_str_eq(slurp(rootfd, "open/sub/f"), "in it");
}
END_TEST

START_TEST(mkdir_refused)
{
	put(rootfd, "f", "file");
	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	ck_assert_int_eq(stor_mkdir(st, "d"), -EEXIST);
	ck_assert_int_eq(stor_mkdir(st, "f"), -EEXIST);
	ck_assert_int_eq(stor_mkdir(st, "no/x"), -ENOENT);
	ck_assert_int_eq(stor_mkdir(st, "f/x"), -ENOTDIR);
	ck_assert_int_eq(stor_mkdir(st, ""), -EINVAL);
	ck_assert_int_eq(stor_mkdir(st, "."), -EINVAL);
	ck_assert_int_eq(stor_mkdir(st, "d/"), -EINVAL);
	ck_assert_int_eq(stor_mkdir(st, "d/./x"), -EINVAL);
	ck_assert_int_eq(stor_mkdir(st, "d/../x"), -EINVAL);
	ck_assert_int_eq(stor_mkdir(st, STOR_TEMP_PREFIX "x"), -EINVAL);
	ck_assert_int_eq(stor_mkdir(st, "d/" STOR_PARTIAL_PREFIX "0"),
	    -EINVAL);
	ck_assert_uint_eq(entries_in(rootfd), 2);
	ck_assert_uint_eq(temps(), 0);
	ck_assert_str_eq(slurp(rootfd, "f"), "file");
}
END_TEST

/* A (dangling) symlink at the name is the name taken, never followed to
 * make its target, inside the root or out of it. */
START_TEST(mkdir_symlink_final)
{
	ck_assert_int_eq(symlinkat("../outside/made", rootfd, "out"), 0);
	ck_assert_int_eq(symlinkat("made", rootfd, "in"), 0);
	ck_assert_int_eq(stor_mkdir(st, "out"), -EEXIST);
	ck_assert_int_eq(stor_mkdir(st, "in"), -EEXIST);
	ck_assert_uint_eq(entries_in(outfd), 0);
	ck_assert_uint_eq(mode_at(rootfd, "made"), 0);
	ck_assert(S_ISLNK(mode_at(rootfd, "in")));
}
END_TEST

START_TEST(rmdir_removed)
{
	ck_assert_int_eq(mkdirat(rootfd, "a", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "a/b", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "e", 0755), 0);
	ck_assert_int_eq(stor_rmdir(st, "a/b"), 0);
	ck_assert_uint_eq(mode_at(rootfd, "a/b"), 0);
	ck_assert(S_ISDIR(mode_at(rootfd, "a")));
	ck_assert_int_eq(stor_rmdir(st, "a"), 0);
	ck_assert_int_eq(stor_rmdir(st, "e"), 0);
	ck_assert_uint_eq(entries_in(rootfd), 0);
	ck_assert_int_eq(stor_rmdir(st, "e"), -ENOENT);
}
END_TEST

START_TEST(rmdir_refused)
{
	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "full", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "full/empty", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "odd", 0755), 0);
	put(rootfd, "f", "file");
	ck_assert_int_eq(symlinkat("d", rootfd, "ld"), 0);
	keep_partial("d/k");
	/* Named like a kept upload but not a regular file: not ours. */
	ck_assert_int_eq(mkdirat(rootfd, "odd/" STOR_PARTIAL_PREFIX "0",
	    0755), 0);
	ck_assert_int_eq(symlinkat("x", rootfd, "odd/" STOR_PARTIAL_PREFIX
	    "1"), 0);
	ck_assert_int_eq(stor_rmdir(st, "f"), -ENOTDIR);
	/* The link is not followed to its directory, nor its kept upload
	 * removed. */
	ck_assert_int_eq(stor_rmdir(st, "ld"), -ENOTDIR);
	ck_assert_uint_eq(entries_of("d"), 1);
	ck_assert_int_eq(stor_rmdir(st, "full"), -ENOTEMPTY);
	ck_assert_int_eq(stor_rmdir(st, "odd"), -ENOTEMPTY);
	ck_assert_int_eq(stor_rmdir(st, "nope"), -ENOENT);
	ck_assert_int_eq(stor_rmdir(st, "f/x"), -ENOTDIR);
	ck_assert_int_eq(stor_rmdir(st, ""), -EINVAL);
	ck_assert_int_eq(stor_rmdir(st, "."), -EINVAL);
	ck_assert_int_eq(stor_rmdir(st, "d/"), -EINVAL);
	ck_assert_int_eq(stor_rmdir(st, "d/.."), -EINVAL);
	ck_assert_uint_eq(entries_in(rootfd), 5);
	ck_assert(S_ISDIR(mode_at(rootfd, "d")));
	ck_assert(S_ISLNK(mode_at(rootfd, "ld")));
	ck_assert(S_ISDIR(mode_at(rootfd, "full/empty")));
	ck_assert(S_ISDIR(mode_at(rootfd, "odd/" STOR_PARTIAL_PREFIX "0")));
	ck_assert(S_ISLNK(mode_at(rootfd, "odd/" STOR_PARTIAL_PREFIX "1")));
}
END_TEST

START_TEST(rmdir_kept_partials)
{
	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	keep_partial("d/a");
	keep_partial("d/b");
	keep_partial("d/c");
	ck_assert_uint_eq(temps(), 3);
	ck_assert_int_eq(stor_rmdir(st, "d"), 0);
	ck_assert_uint_eq(mode_at(rootfd, "d"), 0);
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(rmdir_held_partial)
{
	rmdir_blocked(HELD);
}
END_TEST

START_TEST(rmdir_upload_in_progress)
{
	rmdir_blocked(UPLOADING);
}
END_TEST

START_TEST(rmdir_other_entry)
{
	rmdir_blocked(OTHER);
}
END_TEST

START_TEST(unlink_removed)
{
	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	put(rootfd, "d/f", "gone");
	put(rootfd, "keep", "target");
	put(outfd, "secret", "secret");
	ck_assert_int_eq(mkfifoat(rootfd, "p", 0644), 0);
	ck_assert_int_eq(symlinkat("keep", rootfd, "lk"), 0);
	ck_assert_int_eq(symlinkat("d", rootfd, "ld"), 0);
	ck_assert_int_eq(symlinkat("../outside/secret", rootfd, "ls"), 0);
	ck_assert_int_eq(symlinkat("nowhere", rootfd, "dangling"), 0);
	ck_assert_int_eq(stor_unlink(st, "d/f"), 0);
	ck_assert_uint_eq(mode_at(rootfd, "d/f"), 0);
	ck_assert_int_eq(stor_unlink(st, "p"), 0);
	/* Links go themselves; their targets stay as they were. */
	ck_assert_int_eq(stor_unlink(st, "lk"), 0);
	ck_assert_int_eq(stor_unlink(st, "ld"), 0);
	ck_assert_int_eq(stor_unlink(st, "ls"), 0);
	ck_assert_int_eq(stor_unlink(st, "dangling"), 0);
	ck_assert_uint_eq(entries_in(rootfd), 2);
	ck_assert_str_eq(slurp(rootfd, "keep"), "target");
	ck_assert(S_ISDIR(mode_at(rootfd, "d")));
	ck_assert_str_eq(slurp(outfd, "secret"), "secret");
	ck_assert_int_eq(stor_unlink(st, "d/f"), -ENOENT);
}
END_TEST

START_TEST(unlink_refused)
{
	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	put(rootfd, "f", "file");
	put(rootfd, STOR_TEMP_PREFIX "x", "temp");
	put(rootfd, "d/" STOR_PARTIAL_PREFIX "0", "partial");
	ck_assert_int_eq(stor_unlink(st, "d"), -EISDIR);
	ck_assert_int_eq(stor_unlink(st, "nope"), -ENOENT);
	ck_assert_int_eq(stor_unlink(st, "f/x"), -ENOTDIR);
	ck_assert_int_eq(stor_unlink(st, ""), -EINVAL);
	ck_assert_int_eq(stor_unlink(st, "."), -EINVAL);
	ck_assert_int_eq(stor_unlink(st, "f/"), -EINVAL);
	/* The store's temporaries are not the client's to remove. */
	ck_assert_int_eq(stor_unlink(st, STOR_TEMP_PREFIX "x"), -EINVAL);
	ck_assert_int_eq(stor_unlink(st, "d/" STOR_PARTIAL_PREFIX "0"),
	    -EINVAL);
	ck_assert(S_ISDIR(mode_at(rootfd, "d")));
	ck_assert_str_eq(slurp(rootfd, "f"), "file");
	ck_assert_uint_eq(temps(), 2);
}
END_TEST

START_TEST(rename_moved)
{
	ino_t ino, dino;

	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "e", 0755), 0);
	put(rootfd, "a", "content");
	put(rootfd, "d/in", "inner");
	ino = ino_at(rootfd, "a");
	dino = ino_at(rootfd, "d");
	ck_assert_int_eq(stor_rename(st, "a", "b"), 0);
	ck_assert_uint_eq(mode_at(rootfd, "a"), 0);
	ck_assert_uint_eq(ino_at(rootfd, "b"), ino);
	ck_assert_int_eq(stor_rename(st, "b", "e/c"), 0);
	ck_assert_str_eq(slurp(rootfd, "e/c"), "content");
	/* A directory moves with what it holds, beneath another. */
	ck_assert_int_eq(stor_rename(st, "d", "e/d2"), 0);
	ck_assert_uint_eq(ino_at(rootfd, "e/d2"), dino);
	ck_assert_str_eq(slurp(rootfd, "e/d2/in"), "inner");
	ck_assert_int_eq(stor_rename(st, "e/d2/in", "top"), 0);
	ck_assert_str_eq(slurp(rootfd, "top"), "inner");
	/* Onto itself: rename(2) does nothing and succeeds. */
	ck_assert_int_eq(stor_rename(st, "top", "top"), 0);
	ck_assert_str_eq(slurp(rootfd, "top"), "inner");
	ck_assert_uint_eq(entries_in(rootfd), 2);
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(rename_symlink_final)
{
	put(rootfd, "f", "target");
	put(outfd, "secret", "secret");
	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	ck_assert_int_eq(symlinkat("f", rootfd, "lf"), 0);
	ck_assert_int_eq(symlinkat("../outside/secret", rootfd, "ls"), 0);
	ck_assert_int_eq(symlinkat("d", rootfd, "ld"), 0);
	ck_assert_int_eq(stor_rename(st, "lf", "lf2"), 0);
	ck_assert_int_eq(stor_rename(st, "ls", "ls2"), 0);
	/* Onto a link to a directory: the link is replaced, not entered. */
	ck_assert_int_eq(stor_rename(st, "lf2", "ld"), 0);
	link_is(rootfd, "ld", "f");
	link_is(rootfd, "ls2", "../outside/secret");
	ck_assert_uint_eq(mode_at(rootfd, "lf"), 0);
	ck_assert_uint_eq(mode_at(rootfd, "lf2"), 0);
	ck_assert_uint_eq(mode_at(rootfd, "d/lf2"), 0);
	ck_assert_str_eq(slurp(rootfd, "f"), "target");
	ck_assert_uint_eq(entries_in(rootfd), 4);
	ck_assert(S_ISDIR(mode_at(rootfd, "d")));
	ck_assert_uint_eq(entries_in(outfd), 1);
	ck_assert_str_eq(slurp(outfd, "secret"), "secret");
}
END_TEST

/* The name changes from the old file to the new in one step: a reader
 * of the old file keeps it whole, and the name is the moved inode. */
START_TEST(rename_replaces)
{
	struct stor_file *old;
	struct stor_info info;
	ino_t ino;

	put(rootfd, "new", "new content");
	put(rootfd, "cur", "old");
	ck_assert_int_eq(mkdirat(rootfd, "x", 0755), 0);
	put(rootfd, "x/f", "x");
	ck_assert_int_eq(mkdirat(rootfd, "empty", 0755), 0);
	ino = ino_at(rootfd, "new");
	ck_assert_int_eq(stor_open_read(st, "cur", &old, &info), 0);
	ck_assert_int_eq(stor_rename(st, "new", "cur"), 0);
	ck_assert_uint_eq(ino_at(rootfd, "cur"), ino);
	ck_assert_str_eq(slurp(rootfd, "cur"), "new content");
	ck_assert_uint_eq(mode_at(rootfd, "new"), 0);
	ck_assert_str_eq(store_slurp(old), "old");
	stor_file_close(old);
	/* A directory replaces an empty directory. */
	ino = ino_at(rootfd, "x");
	ck_assert_int_eq(stor_rename(st, "x", "empty"), 0);
	ck_assert_uint_eq(ino_at(rootfd, "empty"), ino);
	ck_assert_str_eq(slurp(rootfd, "empty/f"), "x");
	ck_assert_uint_eq(entries_in(rootfd), 2);
	ck_assert_uint_eq(temps(), 0);
}
END_TEST

START_TEST(rename_refused)
{
	static const char *const bad[] = { "", ".", "f/", "a/../f",
					   STOR_TEMP_PREFIX "x",
					   STOR_PARTIAL_PREFIX "0" };
	size_t i;

	ck_assert_int_eq(mkdirat(rootfd, "d", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "d/e", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "full", 0755), 0);
	put(rootfd, "full/f", "full");
	put(rootfd, "f", "file");
	put(rootfd, STOR_TEMP_PREFIX "x", "temp");
	/* A directory cannot go beneath itself. */
	ck_assert_int_eq(stor_rename(st, "d", "d/sub"), -EINVAL);
	ck_assert_int_eq(stor_rename(st, "d", "d/e/sub"), -EINVAL);
	ck_assert_int_eq(stor_rename(st, "d", "full"), -ENOTEMPTY);
	ck_assert_int_eq(stor_rename(st, "d", "f"), -ENOTDIR);
	ck_assert_int_eq(stor_rename(st, "f", "d"), -EISDIR);
	ck_assert_int_eq(stor_rename(st, "nope", "x"), -ENOENT);
	ck_assert_int_eq(stor_rename(st, "f", "no/x"), -ENOENT);
	ck_assert_int_eq(stor_rename(st, "f", "f/x"), -ENOTDIR);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(stor_rename(st, bad[i], "x"), -EINVAL);
		ck_assert_int_eq(stor_rename(st, "f", bad[i]), -EINVAL);
		ck_assert_int_eq(stor_rename(st, "d", bad[i]), -EINVAL);
	}
	ck_assert_uint_eq(entries_in(rootfd), 4);
	ck_assert(S_ISDIR(mode_at(rootfd, "d/e")));
	ck_assert_uint_eq(entries_of("d"), 1);
	ck_assert_str_eq(slurp(rootfd, "f"), "file");
	ck_assert_str_eq(slurp(rootfd, "full/f"), "full");
	ck_assert_str_eq(slurp(rootfd, STOR_TEMP_PREFIX "x"), "temp");
}
END_TEST

/* A symlink in a parent that leads out of the root is refused for every
 * change, whichever side of a rename it is on, and nothing outside
 * changes. */
START_TEST(manage_escape)
{
	put(rootfd, "f", "mine");
	put(outfd, "secret", "secret");
	ck_assert_int_eq(mkdirat(outfd, "sub", 0755), 0);
	ck_assert_int_eq(symlinkat("../outside", rootfd, "out"), 0);
	ck_assert_int_eq(symlinkat("/etc", rootfd, "etc"), 0);
	ck_assert_int_eq(stor_mkdir(st, "out/new"), -EXDEV);
	ck_assert_int_eq(stor_mkdir(st, "etc/ftp-test"), -EXDEV);
	ck_assert_int_eq(stor_rmdir(st, "out/sub"), -EXDEV);
	ck_assert_int_eq(stor_unlink(st, "out/secret"), -EXDEV);
	ck_assert_int_eq(stor_unlink(st, "etc/passwd"), -EXDEV);
	ck_assert_int_eq(stor_rename(st, "out/secret", "stolen"), -EXDEV);
	ck_assert_int_eq(stor_rename(st, "f", "out/f"), -EXDEV);
	ck_assert_int_eq(stor_rename(st, "f", "out/secret"), -EXDEV);
	ck_assert_int_eq(stor_rename(st, "out/sub", "out/sub2"), -EXDEV);
	ck_assert_int_eq(stor_mkdir(st, "../outside/new"), -EINVAL);
	ck_assert_int_eq(stor_unlink(st, "../outside/secret"), -EINVAL);
	ck_assert_int_eq(access("/etc/ftp-test", F_OK), -1);
	ck_assert_int_eq(access("/etc/passwd", F_OK), 0);
	ck_assert_uint_eq(entries_in(outfd), 2);
	ck_assert_str_eq(slurp(outfd, "secret"), "secret");
	ck_assert(S_ISDIR(mode_at(outfd, "sub")));
	ck_assert_str_eq(slurp(rootfd, "f"), "mine");
	ck_assert_uint_eq(entries_in(rootfd), 3);
}
END_TEST

/* A user's store confines both sides of its changes to its own tree. */
START_TEST(manage_sub_store)
{
	struct store *sub;

	ck_assert_int_eq(mkdirat(rootfd, "alice", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "bob", 0755), 0);
	put(rootfd, "alice/a", "mine");
	put(rootfd, "bob/b", "bob's");
	ck_assert_int_eq(symlinkat("../bob", rootfd, "alice/lb"), 0);
	ck_assert_int_eq(stor_open_sub(st, "alice", &sub), 0);
	ck_assert_int_eq(stor_mkdir(sub, "x"), 0);
	ck_assert(S_ISDIR(mode_at(rootfd, "alice/x")));
	ck_assert_int_eq(stor_rename(sub, "a", "x/a"), 0);
	ck_assert_int_eq(stor_rename(sub, "x/a", "../bob/a"), -EINVAL);
	ck_assert_int_eq(stor_rename(sub, "x/a", "lb/a"), -EXDEV);
	ck_assert_int_eq(stor_rename(sub, "lb/b", "b"), -EXDEV);
	ck_assert_int_eq(stor_unlink(sub, "lb/b"), -EXDEV);
	ck_assert_int_eq(stor_mkdir(sub, "lb/x"), -EXDEV);
	ck_assert_int_eq(stor_rmdir(sub, ""), -EINVAL);
	ck_assert_int_eq(stor_rename(sub, "", "y"), -EINVAL);
	ck_assert_str_eq(slurp(rootfd, "alice/x/a"), "mine");
	ck_assert_uint_eq(entries_of("bob"), 1);
	ck_assert_str_eq(slurp(rootfd, "bob/b"), "bob's");
	/* The link itself is alice's to remove. */
	ck_assert_int_eq(stor_unlink(sub, "lb"), 0);
	ck_assert(S_ISDIR(mode_at(rootfd, "bob")));
	stor_free(sub);
}
END_TEST

/* Every change, failing or not, gives back what it opened. */
START_TEST(manage_no_fd_leaks)
{
	struct stor_upload *up;
	uint64_t have;
	unsigned before;

	ck_assert_int_eq(symlinkat("../outside", rootfd, "out"), 0);
	ck_assert_int_eq(mkdirat(rootfd, "busy", 0755), 0);
	ck_assert_int_eq(stor_upload_begin_resumable(st, "busy/x", true, &up,
	    &have), 0);
	before = open_fds();
	ck_assert_int_eq(stor_mkdir(st, "d"), 0);
	ck_assert_int_eq(stor_mkdir(st, "d"), -EEXIST);
	ck_assert_int_eq(stor_mkdir(st, "out/d"), -EXDEV);
	put(rootfd, "d/f", "f");
	ck_assert_int_eq(stor_rename(st, "d/f", "g"), 0);
	ck_assert_int_eq(stor_rename(st, "d", "d/x"), -EINVAL);
	ck_assert_int_eq(stor_rename(st, "g", "out/g"), -EXDEV);
	ck_assert_int_eq(stor_rename(st, "nope/x", "g"), -ENOENT);
	ck_assert_int_eq(stor_unlink(st, "d"), -EISDIR);
	ck_assert_int_eq(stor_unlink(st, "g"), 0);
	ck_assert_int_eq(stor_rmdir(st, "busy"), -ENOTEMPTY);
	ck_assert_int_eq(stor_rmdir(st, "out"), -ENOTDIR);
	keep_partial("d/k");
	ck_assert_int_eq(stor_rmdir(st, "d"), 0);
	ck_assert_uint_eq(open_fds(), before);
	stor_upload_abort(up);
}
END_TEST

/* A test case whose tests each get a fresh tree. */
static TCase *
tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	/* A guard against hangs, not a time limit: creating 10,000 files
	 * takes seconds on a loaded disk. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *confine = tcase(s, "confine"), *rd = tcase(s, "read");
	TCase *upl = tcase(s, "upload"), *lst = tcase(s, "list");
	TCase *rec = tcase(s, "recover"), *mng = tcase(s, "manage");

	tcase_add_test(confine, lexical_escapes);
	tcase_add_test(confine, symlink_to_etc);
	tcase_add_test(confine, symlink_to_outside);
	tcase_add_test(confine, symlink_inside);
	tcase_add_test(confine, sub_store_confined);
	tcase_add_test(confine, temp_names_refused);
	tcase_add_test(rd, missing);
	tcase_add_test(rd, directory);
	tcase_add_test(rd, fifo_not_opened);
	tcase_add_test(rd, read_regular);
	tcase_add_test(rd, sparse_5g);
	tcase_add_test(upl, upload_commit);
	tcase_add_test(upl, upload_large);
	tcase_add_test(upl, upload_abort);
	tcase_add_test(upl, upload_missing_dir);
	tcase_add_test(upl, atomic_replace);
	tcase_add_test(upl, commit_fails);
	tcase_add_test(upl, concurrent_uploads);
	tcase_add_test(upl, write_enospc);
	tcase_add_test(upl, sum_upload_and_stale);
	tcase_add_test(upl, sum_set_on_read);
	tcase_add_test(upl, sum_copied_attr_stale);
	tcase_add_test(upl, partial_keep_and_resume);
	tcase_add_test(upl, partial_fresh_truncate_abort);
	tcase_add_test(upl, partial_sweep);
	tcase_add_test(lst, list_many);
	tcase_add_test(lst, list_kinds);
	tcase_add_test(lst, list_empty_root);
	tcase_add_test(lst, list_file);
	tcase_add_test(rec, recover);
	tcase_add_test(rec, open_bad_root);
	tcase_add_test(rec, no_fd_leaks);
	tcase_add_test(mng, mkdir_made);
	tcase_add_test(mng, mkdir_refused);
	tcase_add_test(mng, mkdir_symlink_final);
	tcase_add_test(mng, rmdir_removed);
	tcase_add_test(mng, rmdir_refused);
	tcase_add_test(mng, rmdir_kept_partials);
	tcase_add_test(mng, rmdir_held_partial);
	tcase_add_test(mng, rmdir_upload_in_progress);
	tcase_add_test(mng, rmdir_other_entry);
	tcase_add_test(mng, unlink_removed);
	tcase_add_test(mng, unlink_refused);
	tcase_add_test(mng, rename_moved);
	tcase_add_test(mng, rename_symlink_final);
	tcase_add_test(mng, rename_replaces);
	tcase_add_test(mng, rename_refused);
	tcase_add_test(mng, manage_escape);
	tcase_add_test(mng, manage_sub_store);
	tcase_add_test(mng, manage_no_fd_leaks);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
