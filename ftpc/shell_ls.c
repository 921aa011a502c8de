/*
 * shell_ls.c - ls and lls: a listing held in memory, sorted, and printed
 * as names, as long lines (-l) or as JSON (--json).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "err.h"
#include "progress.h"
#include "shell_int.h"
#include "text.h"

int
shell_listing_add(struct shell_listing *l, uint8_t kind, uint64_t size,
    int64_t mtime, const char *name)
{
	struct shell_entry *v;
	size_t cap;

	if (l->n == l->cap) {
		if (l->cap >= SHELL_LIST_MAX)
			return FTP_E_TOO_LARGE;
		cap = l->cap == 0 ? 64 : l->cap * 2;
		cap = cap > SHELL_LIST_MAX ? SHELL_LIST_MAX : cap;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return FTP_E_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n];
	if ((v->name = strdup(name)) == NULL)
		return FTP_E_NOMEM;
	v->kind = kind;
	v->size = size;
	v->mtime = mtime;
	l->n++;
	return FTP_OK;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct shell_entry *)a)->name,
	    ((const struct shell_entry *)b)->name);
}

void
shell_listing_sort(struct shell_listing *l)
{
	/* An empty listing has no array: qsort(NULL, 0) is UB. */
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
}

void
shell_listing_free(struct shell_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
remote_add(void *arg, const struct msg_entry *e)
{
	return shell_listing_add(arg, e->kind, e->size, e->mtime, e->name);
}

int
shell_list_remote(struct shell *sh, const char *path, struct shell_listing *l)
{
	int r = ftpc_list(sh->cl, path, remote_add, l);

	if (r == FTP_OK)
		shell_listing_sort(l);
	return r;
}

int
shell_list_local(const char *path, struct shell_listing *l)
{
	struct stat st;
	struct dirent *d;
	DIR *dir;
	uint8_t kind;
	int r = FTP_OK;

	if (lstat(path, &st) != 0)
		return ftp_err_from_errno(errno);
	if (!S_ISDIR(st.st_mode) && !(S_ISLNK(st.st_mode) &&
	    stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
		kind = S_ISREG(st.st_mode) ? PROTO_KIND_FILE :
		    S_ISLNK(st.st_mode) ? PROTO_KIND_LINK : PROTO_KIND_OTHER;
		return shell_listing_add(l, kind, (uint64_t)st.st_size,
		    st.st_mtim.tv_sec, path);
	}
	if ((dir = opendir(path)) == NULL)
		return ftp_err_from_errno(errno);
	while (r == FTP_OK && (errno = 0, d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0)
			continue; /* gone meanwhile */
		kind = S_ISREG(st.st_mode) ? PROTO_KIND_FILE :
		    S_ISDIR(st.st_mode) ? PROTO_KIND_DIR :
		    S_ISLNK(st.st_mode) ? PROTO_KIND_LINK : PROTO_KIND_OTHER;
		r = shell_listing_add(l, kind, (uint64_t)st.st_size,
		    st.st_mtim.tv_sec, d->d_name);
	}
	if (r == FTP_OK && errno != 0)
		r = ftp_err_from_errno(errno);
	closedir(dir);
	if (r == FTP_OK)
		shell_listing_sort(l);
	return r;
}

static void
print_long(const struct shell_entry *e)
{
	static const char types[] = "?-dl?";
	time_t t = (time_t)e->mtime;
	/* \? because C17 still has trigraphs */
	char when[32] = "\?\?\?\?-\?\?-\?\? \?\?:\?\?", size[16];
	struct tm tm;

	if (localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	progress_human(e->size, size);
	printf("%c %6s %s ", types[e->kind < 5 ? e->kind : 0], size, when);
	text_escape(stdout, e->name);
	putchar('\n');
}

/* A JSON string in ASCII: every other character as \uXXXX (a pair of
 * them past U+FFFF), so no name can steer a terminal the output goes to,
 * and a local name's bytes that are not UTF-8 as U+FFFD each (JSON has no
 * way to carry them). */
static void
json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	putchar('"');
	for (; *p != '\0'; p += n) {
		n = utf8_char_len(p, strnlen((const char *)p, 4));
		if (n == 1 && *p >= 0x20 && *p != 0x7f) {
			if (*p == '"' || *p == '\\')
				putchar('\\');
			putchar(*p);
			continue;
		}
		if (n <= 1) {
			printf(n == 0 ? "\\ufffd" : "\\u%04x", *p);
			n = 1;
			continue;
		}
		cp = p[0] & (0x7f >> n);
		for (size_t i = 1; i < n; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		if (cp < 0x10000)
			printf("\\u%04x", (unsigned)cp);
		else
			printf("\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >>
			    10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
	}
	putchar('"');
}

static void
print_json(const struct shell_listing *l)
{
	static const char *const types[] = { "other", "file", "dir", "link",
	    "other" };

	putchar('[');
	for (size_t i = 0; i < l->n; i++) {
		const struct shell_entry *e = &l->v[i];

		fputs(i == 0 ? "\n  {\"name\": " : ",\n  {\"name\": ", stdout);
		json_string(e->name);
		printf(", \"type\": \"%s\", \"size\": %llu, \"mtime\": %lld}",
		    types[e->kind < 5 ? e->kind : 0],
		    (unsigned long long)e->size, (long long)e->mtime);
	}
	fputs(l->n > 0 ? "\n]\n" : "]\n", stdout);
}

static void
print_listing(const struct shell_listing *l, bool longfmt, bool json)
{
	if (json) {
		print_json(l);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (longfmt) {
			print_long(&l->v[i]);
			continue;
		}
		text_escape(stdout, l->v[i].name);
		putchar('\n');
	}
}

int
shell_ls_opts(int argc, char **argv, bool *longfmt, bool *json)
{
	int i;

	*longfmt = *json = false;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (strcmp(argv[i], "-l") == 0)
			*longfmt = true;
		else if (strcmp(argv[i], "--json") == 0)
			*json = true;
		else
			return -1;
	}
	return i;
}

int
cmd_ls(struct shell *sh, int argc, char **argv)
{
	struct shell_listing l = { 0 };
	bool longfmt, json;
	/* run_words() has checked the options. */
	int i = shell_ls_opts(argc, argv, &longfmt, &json), st = FTPC_EXIT_OK;
	const char *path = i < argc ? argv[i] : ".";

	if (shell_list_remote(sh, path, &l) == FTP_OK)
		print_listing(&l, longfmt, json);
	else
		st = shell_failed(sh, argv[0], i < argc ? argv[i] : NULL);
	shell_listing_free(&l);
	return st;
}

int
cmd_lls(struct shell *sh, int argc, char **argv)
{
	struct shell_listing l = { 0 };
	bool longfmt, json;
	int i = shell_ls_opts(argc, argv, &longfmt, &json), r;
	const char *path = i < argc ? argv[i] : ".";

	if ((r = shell_list_local(path, &l)) == FTP_OK)
		print_listing(&l, longfmt, json);
	shell_listing_free(&l);
	if (r != FTP_OK)
		return shell_complain(sh, FTPC_EXIT_LOCAL, argv[0], path,
		    ftp_strerror(r));
	return FTPC_EXIT_OK;
}
