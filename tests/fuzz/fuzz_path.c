/*
 * fuzz_path.c - path resolution: stor_path_check() against the rules of
 * storage/store.h, and the local store used with the fuzzed path against
 * the temporary tree of fuzz.h (fixture.c).
 *
 * Input: the path (up to its first NUL).  Each input is tried on two
 * stores: the whole root, and stor_open_sub(root, "sub") (a user's tree,
 * from which the rest of the root is as forbidden as the outside is).
 * With each: stat, open_read (and a read), a listing, an upload begun and
 * aborted, a resumable one kept and reopened, one committed, and
 * stor_open_sub itself.  Whatever succeeds must have stayed beneath that
 * store's root: every file opened is one of its own inodes, every stat
 * and listing describes one of its own entries, and nothing outside it
 * (the outside directory, or for "sub" the rest of the root) is created,
 * changed or read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "store.h"

#define PATH_IN_MAX (STOR_PATH_MAX + 64)
#define LIST_MAX 64 /* entries read from one listing; the tree has 9 */
#define NOWN_MAX 8

/* What one store may see: its own entries, found by walking its root. */
struct own {
	unsigned n;
	struct {
		dev_t dev;
		ino_t ino;
		enum stor_kind kind;
		uint64_t size;
		int64_t mtime;
	} e[NOWN_MAX];
	const char *const *names; /* the names its listings may show */
};

struct view {
	const char *name;   /* for messages */
	struct store *st;
	struct own own;
	bool guarded;       /* the root's own entries are outside it */
};

static const char *const root_names[] = {
	"file.txt", "fifo", "link_file", "link_in", "link_out", "link_abs",
	"link_canary", "sub", "inner.txt", "link_up", NULL,
};
static const char *const sub_names[] = {"inner.txt", "link_up", NULL};
/* Targets of the kept partials in the fixture, per directory. */
static const char *const root_kept[] = {"file.txt", "new.txt", NULL};
static const char *const sub_kept[] = {"inner.txt", NULL};

static struct fixture fx;
static struct view views[2];
static bool changed; /* a commit changed the tree: reset it */

/* The rules of store.h, read independently of storage/path.c. */
static int
ref_path_check(const char *p)
{
	static const char tmp[] = STOR_TEMP_PREFIX;
	size_t len = strlen(p), i = 0, c;

	if (len > STOR_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0 || strcmp(p, ".") == 0)
		return 0;
	for (;;) {
		for (c = 0; p[i + c] != '\0' && p[i + c] != '/'; c++)
			;
		if (c == 0 || (c == 1 && p[i] == '.') ||
		    (c == 2 && p[i] == '.' && p[i + 1] == '.'))
			return -EINVAL;
		if (c > STOR_NAME_MAX)
			return -ENAMETOOLONG;
		if (c >= sizeof(tmp) - 1 &&
		    strncmp(p + i, tmp, sizeof(tmp) - 1) == 0)
			return -EINVAL;
		if (p[i + c] == '\0')
			return 0;
		i += c + 1;
	}
}

static void
own_add(struct own *o, int dfd, const char *name)
{
	struct stat sb;

	FUZZ_CHECK(o->n < NOWN_MAX, "fixture too big");
	FUZZ_CHECK(fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0,
	    "fstatat %s", name);
	o->e[o->n].dev = sb.st_dev;
	o->e[o->n].ino = sb.st_ino;
	o->e[o->n].kind = S_ISREG(sb.st_mode) ? STOR_FILE : S_ISDIR(sb.st_mode) ?
	    STOR_DIR : STOR_OTHER;
	o->e[o->n].size = (uint64_t)sb.st_size;
	o->e[o->n].mtime = sb.st_mtim.tv_sec;
	o->n++;
}

/* Records what each store owns, as it is now (directory times move with
 * every upload, so this runs before each input). */
static void
own_record(void)
{
	views[0].own.n = 0;
	own_add(&views[0].own, fx.rootfd, ".");
	own_add(&views[0].own, fx.rootfd, "file.txt");
	own_add(&views[0].own, fx.rootfd, "fifo");
	own_add(&views[0].own, fx.rootfd, "sub");
	own_add(&views[0].own, fx.rootfd, "sub/inner.txt");
	views[1].own.n = 0;
	own_add(&views[1].own, fx.rootfd, "sub");
	own_add(&views[1].own, fx.rootfd, "sub/inner.txt");
}

static bool
owns_inode(const struct own *o, const struct stat *sb)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->e[i].dev == sb->st_dev && o->e[i].ino == sb->st_ino)
			return true;
	return false;
}

static bool
owns_info(const struct own *o, const struct stor_info *in)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->e[i].kind == in->kind && o->e[i].size == in->size &&
		    o->e[i].mtime == in->mtime)
			return true;
	return false;
}

static bool
owns_name(const struct own *o, const char *name)
{
	for (const char *const *n = o->names; *n != NULL; n++)
		if (strcmp(*n, name) == 0)
			return true;
	return false;
}

static void
try_read(struct view *v, const char *path, int lex)
{
	struct stor_file *f;
	struct stor_info info;
	struct stat sb;
	uint8_t tmp[256];
	size_t got;
	int r;

	r = stor_stat(v->st, path, &info);
	FUZZ_CHECK(lex == 0 || r != 0, "%s: stat of a refused path", v->name);
	if (r == 0)
		FUZZ_CHECK(owns_info(&v->own, &info), "%s: stat of \"%s\" "
		    "describes something not beneath its root", v->name, path);
	r = stor_open_read(v->st, path, &f, &info);
	FUZZ_CHECK(lex == 0 || r != 0, "%s: opened a refused path", v->name);
	if (r != 0)
		return;
	FUZZ_CHECK(fstat(stor_file_fd(f), &sb) == 0, "fstat");
	FUZZ_CHECK(S_ISREG(sb.st_mode) && owns_inode(&v->own, &sb) &&
	    !fixture_is_outside(&fx, sb.st_dev, sb.st_ino), "%s: \"%s\" "
	    "opened a file not beneath its root", v->name, path);
	FUZZ_CHECK(stor_file_pread(f, tmp, sizeof(tmp), 0, &got) == 0 &&
	    !fixture_has_canary(tmp, got), "%s: read the canary", v->name);
	stor_file_close(f);
}

static void
try_list(struct view *v, const char *path, int lex)
{
	struct stor_entry e;
	struct stor_dir *d;
	bool end = false;
	int r, n = 0;

	r = stor_list_open(v->st, path, &d);
	FUZZ_CHECK(lex == 0 || r != 0, "%s: listed a refused path", v->name);
	if (r != 0)
		return;
	while (n++ < LIST_MAX && stor_list_next(d, &e, &end) == 0 && !end)
		FUZZ_CHECK(owns_name(&v->own, e.name) &&
		    e.info.mtime != FIXTURE_CANARY_TIME &&
		    e.info.mtime != FIXTURE_OUTSIDE_TIME, "%s: listing \"%s\" "
		    "shows \"%s\", which is not beneath its root", v->name,
		    path, e.name);
	FUZZ_CHECK(n <= LIST_MAX, "listing does not end");
	stor_list_close(d);
}

/* No temporary may outlive an upload that was aborted (the fixture's own
 * kept partials aside). */
static void
check_no_temp(int dfd, const char *where, const char *const *kept)
{
	char name[FIXTURE_NAME_MAX];
	struct dirent *de;
	bool ok;
	DIR *d;
	int fd;

	fd = openat(dfd, where, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && (d = fdopendir(fd)) != NULL, "opendir");
	while ((de = readdir(d)) != NULL) {
		ok = strncmp(de->d_name, STOR_TEMP_PREFIX,
		    sizeof(STOR_TEMP_PREFIX) - 1) != 0;
		for (const char *const *k = kept; !ok && *k != NULL; k++) {
			fixture_partial_name(*k, name);
			ok = strcmp(name, de->d_name) == 0;
		}
		FUZZ_CHECK(ok, "temporary %s/%s left behind", where,
		    de->d_name);
	}
	closedir(d);
}

static void
try_upload(struct view *v, const char *path, int lex)
{
	static const char text[] = "uploaded";
	struct stor_upload *up;
	struct stor_info info;
	uint64_t have = 0;
	int r;

	r = stor_upload_begin(v->st, path, &up);
	FUZZ_CHECK(lex == 0 || r != 0, "%s: upload to a refused path", v->name);
	if (r != 0)
		return;
	FUZZ_CHECK(stor_upload_write(up, text, 3) == 0, "write");
	stor_upload_abort(up);
	/* A resumable one: kept, found again with its bytes, then dropped
	 * (with a kept partial of the fixture's, if it found one). */
	if (stor_upload_begin_resumable(v->st, path, true, &up, &have) == 0) {
		changed = true;
		FUZZ_CHECK(have == 0, "fresh resumable upload holds %llu",
		    (unsigned long long)have);
		FUZZ_CHECK(stor_upload_write(up, text, 5) == 0, "write");
		stor_upload_keep(up);
		FUZZ_CHECK(stor_upload_begin_resumable(v->st, path, false, &up,
		    &have) == 0 && have == 5, "kept upload not found again");
		stor_upload_abort(up);
	}
	check_no_temp(fx.rootfd, ".", root_kept);
	check_no_temp(fx.rootfd, "sub", sub_kept);
	if (stor_upload_begin(v->st, path, &up) != 0)
		return;
	FUZZ_CHECK(stor_upload_write(up, text, sizeof(text) - 1) == 0, "write");
	(void)stor_upload_set_sum(up, 0x12345678u);
	changed = true;
	r = stor_upload_commit(up);
	FUZZ_CHECK(r == 0, "%s: commit of \"%s\": %s", v->name, path,
	    strerror(-r));
	FUZZ_CHECK(stor_stat(v->st, path, &info) == 0 &&
	    info.kind == STOR_FILE && info.size == sizeof(text) - 1,
	    "%s: \"%s\" committed but not there", v->name, path);
}

static void
try_sub(struct view *v, const char *path, int lex)
{
	struct store *sub;
	struct stor_info info;
	struct stor_dir *d;
	int r;

	r = stor_open_sub(v->st, path, &sub);
	FUZZ_CHECK(lex == 0 || r != 0, "%s: sub-store of a refused path",
	    v->name);
	if (r != 0)
		return;
	FUZZ_CHECK(stor_stat(v->st, path, &info) == 0 && info.kind == STOR_DIR &&
	    owns_info(&v->own, &info), "%s: sub-store of \"%s\", not one of "
	    "its directories", v->name, path);
	FUZZ_CHECK(stor_list_open(sub, "..", &d) != 0, "sub-store lists ..");
	stor_free(sub);
}

static bool
same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* For the sub store: the root's own directory and file, untouched. */
static void
guard_stat(struct stat sb[2])
{
	FUZZ_CHECK(fstat(fx.rootfd, &sb[0]) == 0 &&
	    fstatat(fx.rootfd, "file.txt", &sb[1], AT_SYMLINK_NOFOLLOW) == 0,
	    "fstat guard");
}

static void
one_view(struct view *v, const char *path)
{
	struct stat before[2], after[2];
	int lex = stor_path_check(path);

	if (v->guarded)
		guard_stat(before);
	try_read(v, path, lex);
	try_list(v, path, lex);
	try_sub(v, path, lex);
	try_upload(v, path, lex);
	fixture_check_outside(&fx);
	if (!v->guarded)
		return;
	guard_stat(after);
	FUZZ_CHECK(same_stat(&after[0], &before[0]) &&
	    same_stat(&after[1], &before[1]), "%s: \"%s\" changed the "
	    "root above it", v->name, path);
}

static void
open_sub_view(void)
{
	stor_free(views[1].st);
	FUZZ_CHECK(stor_open_sub(views[0].st, "sub", &views[1].st) == 0,
	    "open sub");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fixture_create(&fx);
	FUZZ_CHECK(stor_local_open(fx.root, &views[0].st) == 0, "open root");
	open_sub_view();
	views[0].name = "root store";
	views[0].own.names = root_names;
	views[1].name = "sub store";
	views[1].own.names = sub_names;
	views[1].guarded = true;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_IN_MAX + 1];
	size_t n = size < PATH_IN_MAX ? size : PATH_IN_MAX;
	int want, got;

	memcpy(path, data, n);
	path[n] = '\0';
	got = stor_path_check(path);
	want = ref_path_check(path);
	FUZZ_CHECK(got == want, "stor_path_check(\"%.80s\") = %d, the rules "
	    "say %d", path, got, want);
	/* Each store starts from the tree as made: a commit by the first
	 * must not show in the second's listings. */
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		own_record();
		one_view(&views[i], path);
		if (changed) {
			fixture_reset(&fx);
			open_sub_view();
			changed = false;
		}
	}
	return 0;
}
