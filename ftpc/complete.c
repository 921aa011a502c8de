/*
 * complete.c - tab completion for ftpc's prompt.
 *
 * The text before the cursor is split the way text_split() splits a
 * command, but by hand: text_split() rejects what a half-typed line
 * usually is (an open quote) and does not say where the last word starts
 * or in which quote it ends, and both decide what may be inserted.  Only
 * the text before the cursor matters, as in readline; what follows the
 * cursor stays as it is.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "complete.h"
#include "err.h"
#include "proto_limits.h"

/* The word the cursor is in, as the command will see it. */
struct target {
	char *text;  /* unquoted */
	char *cmd;   /* word 0 unquoted; NULL while the cursor is in it */
	int argi;    /* 0: the command; else 1 + operands before it */
	char quote;  /* quote open at the cursor, or 0 */
	bool option; /* an argument starting with '-' */
	bool dangling; /* ends in a backslash whose escape is unfinished */
};

/* Collects the matches of one completion. */
struct gather {
	struct complete_result *res;
	const char *prefix; /* the typed part of the last component */
	size_t plen;
	size_t lcp;         /* bytes all matches share (from res->matches[0]) */
	size_t alloc;       /* slots in res->matches */
	int err;            /* FTP_E_NOMEM once memory ran out */
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* A word has ended: remembers the command, counts the arguments that are
 * not options. */
static int
end_word(struct target *t, const char *buf, size_t len, int *words)
{
	if (*words == 0) {
		if ((t->cmd = strndup(buf, len)) == NULL)
			return FTP_E_NOMEM;
		*words = 1;
	} else if (len == 0 || buf[0] != '-')
		(*words)++;
	return FTP_OK;
}

/* Splits line[0..cursor) like text_split(): blanks end words, '..' is
 * literal, ".." lets a backslash escape '"' and '\', a bare backslash
 * escapes any character. */
static int
lex(const char *line, size_t cursor, struct target *t)
{
	size_t out = 0;
	bool in_word = false;
	int words = 0, r;
	char *buf, c;

	if ((buf = malloc(cursor + 1)) == NULL)
		return FTP_E_NOMEM;
	for (size_t i = 0; i < cursor; i++) {
		c = line[i];
		if (t->quote == '\'') {
			if (c == '\'')
				t->quote = 0;
			else
				buf[out++] = c;
		} else if (t->quote == '"') {
			if (c == '"')
				t->quote = 0;
			else if (c != '\\')
				buf[out++] = c;
			else if (i + 1 == cursor)
				t->dangling = true;
			else if (line[i + 1] == '"' || line[i + 1] == '\\')
				buf[out++] = line[++i];
			else
				buf[out++] = c;
		} else if (is_blank(c)) {
			if (in_word &&
			    (r = end_word(t, buf, out, &words)) != FTP_OK) {
				free(buf);
				return r;
			}
			in_word = false;
			out = 0;
		} else {
			in_word = true;
			if (c == '\'' || c == '"')
				t->quote = c;
			else if (c != '\\')
				buf[out++] = c;
			else if (i + 1 == cursor)
				t->dangling = true;
			else
				buf[out++] = line[++i];
		}
	}
	buf[out] = '\0';
	t->text = buf;
	t->argi = words;
	t->option = words > 0 && in_word && buf[0] == '-';
	return FTP_OK;
}

static int
gather_add(void *cookie, const char *name, bool dir)
{
	struct gather *g = cookie;
	struct complete_result *res = g->res;
	struct complete_match *m;
	const char *first;
	size_t k, n;

	if (g->err != FTP_OK)
		return g->err;
	/* A name with '/' is no single component (a hostile server could
	 * send one); "." and ".." are never what a Tab should produce. */
	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return FTP_OK;
	if (name[0] == '.' && g->prefix[0] != '.')
		return FTP_OK;
	if (strncmp(name, g->prefix, g->plen) != 0)
		return FTP_OK;
	if (res->total++ == 0)
		g->lcp = strlen(name);
	else {
		first = res->matches[0].name;
		for (k = g->plen; k < g->lcp && name[k] == first[k]; k++)
			;
		g->lcp = k;
	}
	/* Past the cap a match still counts and narrows the common prefix,
	 * so what is inserted stays right; it is only not kept. */
	if (res->count == COMPLETE_MAX)
		return FTP_OK;
	if (res->count == g->alloc) {
		n = g->alloc == 0 ? 64 : g->alloc * 2;
		if (n > COMPLETE_MAX)
			n = COMPLETE_MAX;
		if ((m = reallocarray(res->matches, n, sizeof(*m))) == NULL)
			return g->err = FTP_E_NOMEM;
		res->matches = m;
		g->alloc = n;
	}
	m = &res->matches[res->count];
	if ((m->name = strdup(name)) == NULL)
		return g->err = FTP_E_NOMEM;
	m->dir = dir;
	res->count++;
	return FTP_OK;
}

static void
drop_matches(struct complete_result *res)
{
	for (size_t i = 0; i < res->count; i++)
		free(res->matches[i].name);
	free(res->matches);
	res->matches = NULL;
	res->count = res->total = 0;
}

static int
gather_commands(const struct complete_env *env, struct gather *g)
{
	const char *name;

	for (size_t i = 0; (name = env->command_name(i)) != NULL; i++)
		if (gather_add(g, name, false) != FTP_OK)
			break;
	return g->err;
}

/* Lists the directory part of the word (up to its last '/') and matches
 * the rest against its entries. */
static int
gather_dir(const struct complete_env *env, char kind, const struct target *t,
	   struct gather *g)
{
	const char *slash = strrchr(t->text, '/');
	char *dir;
	size_t n;
	int r;

	if (slash == NULL) {
		g->prefix = t->text;
		n = 0;
	} else {
		g->prefix = slash + 1;
		/* "a//" lists "a", "/x" lists "/". */
		for (n = (size_t)(slash - t->text); n > 0 &&
		    t->text[n - 1] == '/'; n--)
			;
		if (n == 0)
			n = 1;
	}
	g->plen = strlen(g->prefix);
	if ((dir = strndup(t->text, n)) == NULL)
		return FTP_E_NOMEM;
	r = env->list(env->list_arg, kind, dir, gather_add, g);
	free(dir);
	if (g->err != FTP_OK)
		return g->err;
	/* A listing cut short completes nothing rather than something
	 * from half a directory. */
	if (r != FTP_OK)
		drop_matches(g->res);
	return FTP_OK;
}

/* Appends s[0..n) to out, quoted for the quote open at the cursor; out
 * has room for 4 * n bytes. */
static char *
quote_into(char *out, const char *s, size_t n, char quote)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (quote == '\'' && c == '\'') {
			/* No escape inside '..': close, escape, reopen. */
			memcpy(out, "'\\''", 4);
			out += 4;
			continue;
		}
		if ((quote == '"' && (c == '"' || c == '\\')) ||
		    (quote == 0 && (is_blank(c) || c == '\'' || c == '"' ||
		    c == '\\' || c == ';')))
			*out++ = '\\';
		*out++ = c;
	}
	return out;
}

/* What to insert: the rest of a single match and its end, else the rest
 * of the common prefix cut back to a whole UTF-8 character (el_insertstr
 * and the terminal cannot take half of one). */
static int
make_insert(struct complete_result *res, const struct gather *g, char quote)
{
	const char *first = res->total > 0 ? res->matches[0].name : "";
	size_t n = 0;
	char *p;

	if (res->total == 1)
		n = strlen(first) - g->plen;
	else if (res->total > 1) {
		n = g->lcp;
		while (n > g->plen && ((unsigned char)first[n] & 0xc0) == 0x80)
			n--;
		n -= g->plen;
	}
	if ((res->insert = malloc(4 * n + 3)) == NULL)
		return FTP_E_NOMEM;
	p = quote_into(res->insert, first + g->plen, n, quote);
	if (res->total == 1) {
		if (res->matches[0].dir)
			*p++ = '/';
		else {
			if (quote != 0)
				*p++ = quote;
			*p++ = ' ';
		}
	}
	*p = '\0';
	return FTP_OK;
}

static int
match_cmp(const void *a, const void *b)
{
	const struct complete_match *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int
complete_words(const struct complete_env *env, const char *line, size_t len,
	       size_t cursor, struct complete_result *res)
{
	struct target t = { .text = NULL };
	struct gather g = { .res = res, .prefix = "" };
	char kind = 0;
	int r = FTP_OK;

	memset(res, 0, sizeof(*res));
	/* A line the shell would refuse is not worth a listing. */
	if (cursor <= len && cursor <= FTPC_LINE_MAX) {
		if ((r = lex(line, cursor, &t)) != FTP_OK)
			goto out;
		if (!t.dangling && !t.option)
			kind = t.argi == 0 ? 'C' : env->arg_kind(t.cmd, t.argi);
	}
	if (kind == 'C') {
		g.prefix = t.text;
		g.plen = strlen(t.text);
		r = gather_commands(env, &g);
	} else if (kind == 'R' || kind == 'L')
		r = gather_dir(env, kind, &t, &g);
	if (r != FTP_OK)
		goto out;
	if ((r = make_insert(res, &g, t.quote)) != FTP_OK)
		goto out;
	if (res->count > 1)
		qsort(res->matches, res->count, sizeof(*res->matches),
		    match_cmp);
out:
	free(t.text);
	free(t.cmd);
	return r;
}

int
complete_line(void *env, const char *line, size_t len, size_t cursor,
	      struct complete_result *res)
{
	return complete_words(env, line, len, cursor, res);
}

void
complete_result_free(struct complete_result *res)
{
	drop_matches(res);
	free(res->insert);
	res->insert = NULL;
}

struct remote_ctx {
	complete_add_fn add;
	void *cookie;
};

static int
remote_entry(void *arg, const struct msg_entry *e)
{
	struct remote_ctx *c = arg;

	return c->add(c->cookie, e->name, e->kind == PROTO_KIND_DIR);
}

static int
list_local(const char *dir, complete_add_fn add, void *cookie)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	bool isdir;
	int r = FTP_OK;

	if ((d = opendir(dir[0] == '\0' ? "." : dir)) == NULL)
		return ftp_err_from_errno(errno);
	while (r == FTP_OK && (de = readdir(d)) != NULL) {
		isdir = de->d_type == DT_DIR;
		/* A symlink to a directory completes like one, as in sh. */
		if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN)
			isdir = fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
			    S_ISDIR(st.st_mode);
		r = add(cookie, de->d_name, isdir);
	}
	closedir(d);
	return r;
}

int
complete_list_ftpc(void *arg, char kind, const char *dir, complete_add_fn add,
		   void *cookie)
{
	struct remote_ctx c = { .add = add, .cookie = cookie };

	if (kind == 'L')
		return list_local(dir, add, cookie);
	if (kind != 'R' || arg == NULL)
		return FTP_E_USAGE;
	return ftpc_list(arg, dir, remote_entry, &c);
}
