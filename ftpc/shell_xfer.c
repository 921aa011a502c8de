/*
 * shell_xfer.c - get, put, mget and mput: one transfer, or a plan of
 * several (a tree with -r, the files matching wildcards), with progress.
 *
 * A plan is made in full before anything moves (the listing of a tree,
 * the matching names), so progress can show the totals and a bad name
 * stops the command before it has half happened.  Every local name that
 * comes from the server passes lf_safe_name() (ftpc_list() checks each
 * entry), and every remote one is resolved by the client library.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "err.h"
#include "glob.h"
#include "localfile.h"
#include "progress.h"
#include "shell_int.h"
#include "text.h"

/* ---- options ------------------------------------------------------- */

/* -c, --restart, -z and (for get and put) -r, before the operands ("--"
 * ends them, for a name that starts with '-'). */
static int
xfer_opts(int argc, char **argv, unsigned *flags, bool *tree)
{
	int i;

	*flags = 0;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-c") == 0)
			*flags |= FTPC_RESUME;
		else if (strcmp(argv[i], "--restart") == 0)
			*flags |= FTPC_RESTART;
		else if (strcmp(argv[i], "-z") == 0)
			*flags |= FTPC_COMPRESS;
		else if (strcmp(argv[i], "-r") == 0 && tree != NULL)
			*tree = true;
		else
			return -1;
	}
	if ((*flags & FTPC_RESTART) != 0 && (*flags & FTPC_RESUME) == 0)
		return -1;
	return i;
}

int
shell_xfer_opts(int argc, char **argv, unsigned *flags, bool *tree)
{
	*tree = false;
	return xfer_opts(argc, argv, flags, tree);
}

int
shell_mxfer_opts(int argc, char **argv, unsigned *flags)
{
	return xfer_opts(argc, argv, flags, NULL);
}

/* ---- plans --------------------------------------------------------- */

struct step {
	char *remote;
	char *local;
	uint64_t size;
	bool dir; /* a directory to make on the receiving side */
};

struct plan {
	struct step *v;
	size_t n, cap;
	unsigned files;
	uint64_t bytes;
};

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s;

	if (n == 0)
		return strdup(name);
	if (asprintf(&s, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/",
	    name) < 0)
		return NULL;
	return s;
}

/* Adds a step; takes remote and local (freed on failure too). */
static int
plan_add(struct plan *p, char *remote, char *local, uint64_t size, bool dir)
{
	struct step *v;
	size_t cap;

	if (remote == NULL || local == NULL)
		goto nomem;
	if (strlen(local) >= LF_PATH_MAX || strlen(remote) > PROTO_PATH_MAX) {
		free(remote);
		free(local);
		return FTP_E_TOO_LARGE;
	}
	if (p->n == p->cap) {
		if (p->cap >= SHELL_LIST_MAX) {
			free(remote);
			free(local);
			return FTP_E_TOO_LARGE;
		}
		cap = p->cap == 0 ? 16 : p->cap * 2;
		if ((v = reallocarray(p->v, cap, sizeof(*v))) == NULL)
			goto nomem;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct step){ remote, local, size, dir };
	if (!dir) {
		p->files++;
		p->bytes += size;
	}
	return FTP_OK;
nomem:
	free(remote);
	free(local);
	return FTP_E_NOMEM;
}

static void
plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].remote);
		free(p->v[i].local);
	}
	free(p->v);
}

/* A directory made locally for get -r: one already there will do. */
static int
local_mkdir(const char *path)
{
	if (mkdir(path, 0777) == 0 || (errno == EEXIST && lf_is_dir(path)))
		return FTP_OK;
	return ftp_err_from_errno(errno);
}

/* The same on the server for put -r: an exit status, the failure
 * reported. */
static int
remote_mkdir(struct shell *sh, const char *cmd, const char *path)
{
	struct msg_info info;
	int r = ftpc_mkdir(sh->cl, path);

	if (r == FTP_OK)
		return FTPC_EXIT_OK;
	if (r != FTP_E_EXISTS)
		return shell_failed(sh, cmd, path);
	if (ftpc_stat(sh->cl, path, &info) != FTP_OK)
		return shell_failed(sh, cmd, path);
	if (info.kind != PROTO_KIND_DIR)
		return shell_complain(sh, FTPC_EXIT_REMOTE, cmd, path,
		    "exists and is not a directory");
	return FTPC_EXIT_OK;
}

/* True if path lies inside directory dir (both as the plan wrote them). */
static bool
beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 &&
	    (path[n] == '/' || (n > 0 && dir[n - 1] == '/'));
}

/* One file with progress: FTPC_EXIT_OK or the failure's status, reported
 * as "ftpc: CMD NAME: detail". */
static int
transfer(struct shell *sh, const char *cmd, bool get, const char *remote,
    const char *local, unsigned flags)
{
	int r;

	if (sh->progress != NULL)
		progress_start(sh->progress, get ? remote : local, 0, 0);
	flags |= sh->xfer_flags;
	r = get ? ftpc_get_ex(sh->cl, remote, local, flags) :
	    ftpc_put_ex(sh->cl, local, remote, flags);
	if (sh->progress != NULL)
		progress_end(sh->progress, r == FTP_OK);
	if (r != FTP_OK)
		return shell_failed(sh, cmd, get ? remote : local);
	return FTPC_EXIT_OK;
}

/* Runs a plan in order; a failed file is reported and the others still
 * go, but a lost connection or Ctrl-C ends it.  The status is the first
 * failure's. */
static int
plan_run(struct shell *sh, const char *cmd, bool get, struct plan *p,
    unsigned flags)
{
	const char *lost = NULL; /* a directory that could not be made */
	int st = FTPC_EXIT_OK, one, r;

	if (sh->progress != NULL)
		progress_batch(sh->progress, p->files, p->bytes);
	for (size_t i = 0; i < p->n && !shell_cancelled(sh); i++) {
		const struct step *s = &p->v[i];
		const char *made = get ? s->local : s->remote;

		/* Beneath a directory that could not be made: its failure
		 * has been reported, once. */
		if (lost != NULL && beneath(made, lost))
			continue;
		if (s->dir && get) {
			if ((r = local_mkdir(s->local)) == FTP_OK)
				continue;
			one = shell_complain(sh, FTPC_EXIT_LOCAL, cmd,
			    s->local, ftp_strerror(r));
		} else if (s->dir)
			one = remote_mkdir(sh, cmd, s->remote);
		else
			one = transfer(sh, cmd, get, s->remote, s->local,
			    flags | FTPC_LOCAL_EXACT);
		if (one == FTPC_EXIT_OK)
			continue;
		st = st == FTPC_EXIT_OK ? one : st;
		if (!ftpc_connected(sh->cl))
			break;
		if (s->dir)
			lost = made;
	}
	/* Ctrl-C between two files: the rest was not sent. */
	if (shell_cancelled(sh) && st == FTPC_EXIT_OK)
		st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, NULL,
		    "interrupted");
	if (sh->progress != NULL)
		progress_batch(sh->progress, 0, 0);
	return st;
}

/* ---- trees ----------------------------------------------------------- */

/*
 * Trees.  A tree is walked on its source side (remote for get -r, local
 * for put -r): src names the source path, dst where it goes, and each
 * step is added with its remote and local names in their places.
 */
static int
plan_add_from(struct plan *p, bool get, char *src, char *dst, uint64_t size,
    bool dir)
{
	return get ? plan_add(p, src, dst, size, dir) :
	    plan_add(p, dst, src, size, dir);
}

/* True if the non-directory entry e (at src) is a file, or a link to one,
 * and then its size.  A link to a directory is not followed: it could
 * loop. */
static bool
source_file(struct shell *sh, bool get, const struct shell_entry *e,
    const char *src, uint64_t *size)
{
	struct msg_info info;
	struct stat sb;

	if (get && e->kind == PROTO_KIND_FILE) {
		*size = e->size;
		return true;
	}
	if (get) {
		if (e->kind != PROTO_KIND_LINK ||
		    ftpc_stat(sh->cl, src, &info) != FTP_OK ||
		    info.kind != PROTO_KIND_FILE)
			return false;
		*size = info.size;
		return true;
	}
	if ((e->kind != PROTO_KIND_FILE && e->kind != PROTO_KIND_LINK) ||
	    stat(src, &sb) != 0 || !S_ISREG(sb.st_mode))
		return false;
	*size = (uint64_t)sb.st_size;
	return true;
}

static int plan_tree(struct shell *sh, struct plan *p, const char *cmd,
    bool get, const char *sdir, const char *ddir, int depth);

/* One entry of a source directory being planned: a file (or a link to
 * one) to copy, a directory to descend, anything else skipped. */
static int
plan_entry(struct shell *sh, struct plan *p, const char *cmd, bool get,
    const char *sdir, const char *ddir, const struct shell_entry *e,
    int depth)
{
	char *sp = join(sdir, e->name), *dp = join(ddir, e->name);
	uint64_t size;
	int st = FTPC_EXIT_OK, r = FTP_OK;

	if (sp == NULL || dp == NULL)
		r = FTP_E_NOMEM;
	else if (e->kind == PROTO_KIND_DIR)
		st = plan_tree(sh, p, cmd, get, sp, dp, depth + 1);
	else if (source_file(sh, get, e, sp, &size)) {
		r = plan_add_from(p, get, sp, dp, size, false);
		sp = dp = NULL;
	} else if (get && !ftpc_connected(sh->cl))
		st = shell_failed(sh, cmd, sp);
	else
		shell_complain(sh, FTPC_EXIT_OK, cmd, sp, "skipped: not a "
		    "file or directory");
	if (r != FTP_OK)
		st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, sdir,
		    ftp_strerror(r));
	free(sp);
	free(dp);
	return st;
}

/* Adds source directory sdir (to become ddir) and all beneath it. */
static int
plan_tree(struct shell *sh, struct plan *p, const char *cmd, bool get,
    const char *sdir, const char *ddir, int depth)
{
	struct shell_listing l = { 0 };
	int st = FTPC_EXIT_OK, r;

	if (depth > SHELL_TREE_DEPTH)
		return shell_complain(sh, get ? FTPC_EXIT_REMOTE :
		    FTPC_EXIT_LOCAL, cmd, sdir, "more than 64 directory "
		    "levels");
	if ((r = plan_add_from(p, get, strdup(sdir), strdup(ddir), 0, true)) !=
	    FTP_OK)
		return shell_complain(sh, FTPC_EXIT_LOCAL, cmd, sdir,
		    ftp_strerror(r));
	if (get && shell_list_remote(sh, sdir, &l) != FTP_OK)
		st = shell_failed(sh, cmd, sdir);
	else if (!get && (r = shell_list_local(sdir, &l)) != FTP_OK)
		st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, sdir,
		    ftp_strerror(r));
	for (size_t i = 0; i < l.n && st == FTPC_EXIT_OK; i++)
		st = plan_entry(sh, p, cmd, get, sdir, ddir, &l.v[i], depth);
	shell_listing_free(&l);
	return st;
}

/* The name a tree gets on the other side: path without trailing '/'s. */
static char *
tree_root(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

/* get -r REMOTE [LOCAL]: LOCAL, or REMOTE's name inside it if it is a
 * directory, or REMOTE's name here (as cp -r does). */
static int
get_tree(struct shell *sh, const char *cmd, const char *remote,
    const char *local, unsigned flags)
{
	struct plan p = { 0 };
	struct msg_info info;
	char target[LF_PATH_MAX], *top = tree_root(remote);
	int st;

	if (top == NULL)
		return shell_complain(sh, FTPC_EXIT_LOCAL, cmd, remote,
		    ftp_strerror(FTP_E_NOMEM));
	if (ftpc_stat(sh->cl, top, &info) != FTP_OK)
		st = shell_failed(sh, cmd, remote);
	else if (info.kind != PROTO_KIND_DIR)
		st = shell_complain(sh, FTPC_EXIT_REMOTE, cmd, remote,
		    "not a directory (get without -r fetches a file)");
	else if (lf_target(top, local, target) != FTP_OK)
		st = shell_complain(sh, FTPC_EXIT_USAGE, cmd, remote,
		    "no name for the local copy; give LOCAL, a new "
		    "directory");
	else if ((st = plan_tree(sh, &p, cmd, true, top, target, 0)) ==
	    FTPC_EXIT_OK)
		st = plan_run(sh, cmd, true, &p, flags);
	plan_free(&p);
	free(top);
	return st;
}

/* put -r LOCAL [REMOTE]: the same the other way. */
static int
put_tree(struct shell *sh, const char *cmd, const char *local,
    const char *remote, unsigned flags)
{
	struct plan p = { 0 };
	struct msg_info info;
	char *top = tree_root(local), *target = NULL;
	const char *base;
	int st;

	if (top == NULL)
		return shell_complain(sh, FTPC_EXIT_LOCAL, cmd, local,
		    ftp_strerror(FTP_E_NOMEM));
	base = lf_basename(top);
	if (!lf_is_dir(top))
		st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, local,
		    "not a directory (put without -r sends a file)");
	else if (remote == NULL && !lf_safe_name(base, strlen(base)))
		st = shell_complain(sh, FTPC_EXIT_USAGE, cmd, local,
		    "no name to give the remote directory; give REMOTE");
	else {
		if (remote == NULL)
			target = strdup(base);
		else if (ftpc_stat(sh->cl, remote, &info) == FTP_OK &&
		    info.kind == PROTO_KIND_DIR &&
		    lf_safe_name(base, strlen(base)))
			target = join(remote, base);
		else
			target = strdup(remote);
		if (target == NULL)
			st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, local,
			    ftp_strerror(FTP_E_NOMEM));
		else if ((st = plan_tree(sh, &p, cmd, false, top, target, 0)) ==
		    FTPC_EXIT_OK)
			st = plan_run(sh, cmd, false, &p, flags);
	}
	plan_free(&p);
	free(target);
	free(top);
	return st;
}

/* ---- commands -------------------------------------------------------- */

int
cmd_get(struct shell *sh, int argc, char **argv)
{
	unsigned flags;
	bool tree;
	/* run_words() has checked the options. */
	int i = shell_xfer_opts(argc, argv, &flags, &tree);
	const char *local = i + 1 < argc ? argv[i + 1] : NULL;

	if (tree)
		return get_tree(sh, argv[0], argv[i], local, flags);
	return transfer(sh, argv[0], true, argv[i], local, flags);
}

int
cmd_put(struct shell *sh, int argc, char **argv)
{
	unsigned flags;
	bool tree;
	int i = shell_xfer_opts(argc, argv, &flags, &tree);
	const char *remote = i + 1 < argc ? argv[i + 1] : NULL;

	if (tree)
		return put_tree(sh, argv[0], argv[i], remote, flags);
	return transfer(sh, argv[0], false, remote, argv[i], flags);
}

/* The directory part of a pattern ("" if none) and its last component. */
static int
pattern_split(const char *pattern, char **dir, const char **name)
{
	const char *slash = strrchr(pattern, '/');

	*name = slash != NULL ? slash + 1 : pattern;
	*dir = slash == NULL ? strdup("") : slash == pattern ? strdup("/") :
	    strndup(pattern, (size_t)(slash - pattern));
	return *dir == NULL ? FTP_E_NOMEM : glob_check(*name);
}

/* The remote files matching one mget pattern, fetched into the local
 * working directory under their own names. */
static int
plan_mget(struct shell *sh, struct plan *p, const char *cmd,
    const char *pattern)
{
	struct shell_listing l = { 0 };
	struct msg_info info;
	const char *name;
	char *dir;
	size_t before = p->n;
	int st = FTPC_EXIT_OK, r;

	if ((r = pattern_split(pattern, &dir, &name)) != FTP_OK) {
		free(dir);
		return shell_complain(sh, r == FTP_E_NOMEM ? FTPC_EXIT_LOCAL :
		    FTPC_EXIT_USAGE, cmd, pattern, r == FTP_E_NOMEM ?
		    ftp_strerror(r) : "bad pattern");
	}
	if (shell_list_remote(sh, *dir != '\0' ? dir : ".", &l) != FTP_OK)
		st = shell_failed(sh, cmd, pattern);
	for (size_t i = 0; i < l.n && st == FTPC_EXIT_OK; i++) {
		struct shell_entry *e = &l.v[i];
		uint64_t size = e->size;

		if (!glob_match(name, e->name))
			continue;
		if (e->kind == PROTO_KIND_LINK) {
			char *rp = join(dir, e->name);

			if (rp != NULL && ftpc_stat(sh->cl, rp, &info) ==
			    FTP_OK && info.kind == PROTO_KIND_FILE) {
				e->kind = PROTO_KIND_FILE;
				size = info.size;
			}
			free(rp);
		}
		if (e->kind != PROTO_KIND_FILE)
			continue;
		if ((r = plan_add(p, join(dir, e->name), strdup(e->name), size,
		    false)) != FTP_OK)
			st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, pattern,
			    ftp_strerror(r));
	}
	if (st == FTPC_EXIT_OK && p->n == before)
		st = shell_complain(sh, FTPC_EXIT_REMOTE, cmd, pattern,
		    "no file matches");
	shell_listing_free(&l);
	free(dir);
	return st;
}

/* The local regular files matching one mput pattern, sent into the
 * remote working directory under their own names. */
static int
plan_mput(struct shell *sh, struct plan *p, const char *cmd,
    const char *pattern)
{
	struct shell_listing l = { 0 };
	struct stat sb;
	const char *name;
	char *dir;
	size_t before = p->n;
	int st = FTPC_EXIT_OK, r;

	if ((r = pattern_split(pattern, &dir, &name)) != FTP_OK) {
		free(dir);
		return shell_complain(sh, r == FTP_E_NOMEM ? FTPC_EXIT_LOCAL :
		    FTPC_EXIT_USAGE, cmd, pattern, r == FTP_E_NOMEM ?
		    ftp_strerror(r) : "bad pattern");
	}
	if ((r = shell_list_local(*dir != '\0' ? dir : ".", &l)) != FTP_OK)
		st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, pattern,
		    ftp_strerror(r));
	for (size_t i = 0; i < l.n && st == FTPC_EXIT_OK; i++) {
		char *lp;

		if (!glob_match(name, l.v[i].name))
			continue;
		if ((lp = join(dir, l.v[i].name)) == NULL ||
		    stat(lp, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(lp);
			continue;
		}
		if ((r = plan_add(p, strdup(l.v[i].name), lp,
		    (uint64_t)sb.st_size, false)) != FTP_OK)
			st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, pattern,
			    ftp_strerror(r));
	}
	if (st == FTPC_EXIT_OK && p->n == before)
		st = shell_complain(sh, FTPC_EXIT_LOCAL, cmd, pattern,
		    "no file matches");
	shell_listing_free(&l);
	free(dir);
	return st;
}

static int
by_local(const void *a, const void *b)
{
	return strcmp((*(const struct step *const *)a)->local,
	    (*(const struct step *const *)b)->local);
}

static int
by_remote(const void *a, const void *b)
{
	return strcmp((*(const struct step *const *)a)->remote,
	    (*(const struct step *const *)b)->remote);
}

/* Two files of one name (a/x and b/x), or one file matched twice, would
 * be written twice, the second over the first: refused before anything
 * moves.  The names that count are those written: local for mget,
 * remote for mput. */
static int
plan_unique(struct shell *sh, const char *cmd, const struct plan *p,
    bool get)
{
	const struct step **v;
	int st = FTPC_EXIT_OK;

	if (p->n < 2)
		return FTPC_EXIT_OK;
	if ((v = calloc(p->n, sizeof(*v))) == NULL)
		return shell_complain(sh, FTPC_EXIT_LOCAL, cmd, NULL,
		    ftp_strerror(FTP_E_NOMEM));
	for (size_t i = 0; i < p->n; i++)
		v[i] = &p->v[i];
	qsort(v, p->n, sizeof(*v), get ? by_local : by_remote);
	for (size_t i = 1; i < p->n && st == FTPC_EXIT_OK; i++)
		if ((get ? by_local : by_remote)(&v[i - 1], &v[i]) == 0)
			st = shell_complain(sh, FTPC_EXIT_USAGE, cmd,
			    get ? v[i]->remote : v[i]->local, "matched "
			    "twice, or two files of this name: nothing sent");
	free(v);
	return st;
}

/* mget and mput: every pattern's files in one plan, then the plan. */
static int
multi(struct shell *sh, int argc, char **argv, bool get)
{
	struct plan p = { 0 };
	unsigned flags;
	int i = shell_mxfer_opts(argc, argv, &flags), st = FTPC_EXIT_OK;

	for (; i < argc && st == FTPC_EXIT_OK; i++)
		st = get ? plan_mget(sh, &p, argv[0], argv[i]) :
		    plan_mput(sh, &p, argv[0], argv[i]);
	if (st == FTPC_EXIT_OK)
		st = plan_unique(sh, argv[0], &p, get);
	if (st == FTPC_EXIT_OK)
		st = plan_run(sh, argv[0], get, &p, flags);
	plan_free(&p);
	return st;
}

int
cmd_mget(struct shell *sh, int argc, char **argv)
{
	return multi(sh, argc, argv, true);
}

int
cmd_mput(struct shell *sh, int argc, char **argv)
{
	return multi(sh, argc, argv, false);
}
