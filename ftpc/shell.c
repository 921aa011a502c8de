/*
 * shell.c - ftpc's commands: the table, their handlers, running a line.
 *
 * The table below is the single list of commands: the dispatcher checks
 * argument counts from it and help prints it.  Words come from text.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "proto_limits.h"
#include "shell.h"
#include "text.h"

/* Entries ls holds for sorting: bounded memory against a hostile server. */
#define SHELL_LS_MAX 10000000u

struct command {
	const char *name;
	int min_args, max_args;
	int (*run)(struct shell *sh, int argc, char **argv);
	const char *usage;
	const char *summary; /* one line for the command list */
	const char *help;    /* more for "help CMD" */
};

static const struct command *find_command(const char *name);

/* ---- output ----------------------------------------------------------- */

void
shell_error(const char *what, const char *detail)
{
	fputs("ftpc: ", stderr);
	if (what != NULL) {
		text_escape(stderr, what);
		fputs(": ", stderr);
	}
	text_escape(stderr, detail);
	putc('\n', stderr);
}

int
shell_status(enum ftpc_fault fault)
{
	switch (fault) {
	case FTPC_FAULT_REMOTE:
		return FTPC_EXIT_REMOTE;
	case FTPC_FAULT_CONN:
		return FTPC_EXIT_CONN;
	case FTPC_FAULT_USAGE:
		return FTPC_EXIT_USAGE;
	case FTPC_FAULT_LOCAL:
	case FTPC_FAULT_NONE:
		break;
	}
	return FTPC_EXIT_LOCAL;
}

/* Reports the client's last failure as "ftpc: CMD ARG: detail". */
static int
failed(struct shell *sh, int argc, char **argv)
{
	enum ftpc_fault fault = ftpc_fault(sh->cl);

	if (sh->stop == NULL || *sh->stop == 0) {
		fputs("ftpc: ", stderr);
		text_escape(stderr, argv[0]);
		if (argc > 1) {
			putc(' ', stderr);
			text_escape(stderr, argv[1]);
		}
		fputs(": ", stderr);
		text_escape(stderr, ftpc_detail(sh->cl));
		putc('\n', stderr);
	}
	return shell_status(fault);
}

/* ---- ls --------------------------------------------------------------- */

struct ls_item {
	uint8_t kind;
	uint64_t size;
	int64_t mtime;
	char *name;
};

struct ls_list {
	struct ls_item *v;
	size_t n, cap;
};

static int
ls_add(void *arg, const struct msg_entry *e)
{
	struct ls_list *l = arg;
	struct ls_item *v;
	size_t cap;

	if (l->n == l->cap) {
		if (l->cap >= SHELL_LS_MAX)
			return FTP_E_TOO_LARGE;
		cap = l->cap == 0 ? 64 : l->cap * 2;
		cap = cap > SHELL_LS_MAX ? SHELL_LS_MAX : cap;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return FTP_E_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n];
	if ((v->name = strdup(e->name)) == NULL)
		return FTP_E_NOMEM;
	v->kind = e->kind;
	v->size = e->size;
	v->mtime = e->mtime;
	l->n++;
	return FTP_OK;
}

static int
ls_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ls_item *)a)->name,
	    ((const struct ls_item *)b)->name);
}

static void
ls_print(const struct ls_item *it, int width)
{
	static const char types[] = "?-dl?";
	time_t t = (time_t)it->mtime;
	/* \? because C17 still has trigraphs */
	char when[32] = "\?\?\?\?-\?\?-\?\? \?\?:\?\?";
	struct tm tm;

	if (localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%c %*llu %s ", types[it->kind < 5 ? it->kind : 0], width,
	    (unsigned long long)it->size, when);
	text_escape(stdout, it->name);
	putchar('\n');
}

static int
cmd_ls(struct shell *sh, int argc, char **argv)
{
	struct ls_list l = { 0 };
	uint64_t biggest = 0;
	int width = 1, r;

	r = ftpc_list(sh->cl, argc > 1 ? argv[1] : ".", ls_add, &l);
	if (r == FTP_OK) {
		/* An empty listing has no array: qsort(NULL, 0) is UB. */
		if (l.n > 1)
			qsort(l.v, l.n, sizeof(*l.v), ls_cmp);
		for (size_t i = 0; i < l.n; i++)
			biggest = l.v[i].size > biggest ? l.v[i].size : biggest;
		for (; biggest >= 10; biggest /= 10)
			width++;
		for (size_t i = 0; i < l.n; i++)
			ls_print(&l.v[i], width);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].name);
	free(l.v);
	return r == FTP_OK ? FTPC_EXIT_OK : failed(sh, argc, argv);
}

/* ---- the other commands ----------------------------------------------- */

/* get's and put's options, before the names: -c, --restart and -z ("--"
 * ends them, for a name that starts with '-').  The index of the first
 * name, or -1 for a usage error. */
static int
transfer_flags(int argc, char **argv, unsigned *flags)
{
	int i;

	*flags = 0;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (strcmp(argv[i], "-c") == 0)
			*flags |= FTPC_RESUME;
		else if (strcmp(argv[i], "--restart") == 0)
			*flags |= FTPC_RESTART;
		else if (strcmp(argv[i], "-z") == 0)
			*flags |= FTPC_COMPRESS;
		else
			return -1;
	}
	if ((*flags & FTPC_RESTART) != 0 && (*flags & FTPC_RESUME) == 0)
		return -1;
	return i < argc && argc - i <= 2 ? i : -1;
}

static int
cmd_get(struct shell *sh, int argc, char **argv)
{
	unsigned flags;
	/* run_words() has checked the options. */
	int i = transfer_flags(argc, argv, &flags);

	if (ftpc_get_ex(sh->cl, argv[i], i + 1 < argc ? argv[i + 1] : NULL,
	    flags | sh->xfer_flags) != FTP_OK)
		return failed(sh, 2, (char *[]){ argv[0], argv[i] });
	return FTPC_EXIT_OK;
}

static int
cmd_put(struct shell *sh, int argc, char **argv)
{
	unsigned flags;
	/* run_words() has checked the options. */
	int i = transfer_flags(argc, argv, &flags);

	if (ftpc_put_ex(sh->cl, argv[i], i + 1 < argc ? argv[i + 1] : NULL,
	    flags | sh->xfer_flags) != FTP_OK)
		return failed(sh, 2, (char *[]){ argv[0], argv[i] });
	return FTPC_EXIT_OK;
}

static int
cmd_quit(struct shell *sh, int argc, char **argv)
{
	sh->quit = true;
	if (ftpc_quit(sh->cl) != FTP_OK)
		return failed(sh, argc, argv);
	return FTPC_EXIT_OK;
}

static int
cmd_help(struct shell *sh, int argc, char **argv)
{
	const struct command *c;

	(void)sh;
	if (argc == 1) {
		shell_list_commands(stdout);
		return FTPC_EXIT_OK;
	}
	if ((c = find_command(argv[1])) == NULL) {
		fputs("ftpc: help: no command ", stderr);
		text_escape(stderr, argv[1]);
		fputs("; try help\n", stderr);
		return FTPC_EXIT_USAGE;
	}
	printf("usage: %s\n%s\n", c->usage, c->help);
	return FTPC_EXIT_OK;
}

static const struct command commands[] = {
	{ "ls", 0, 1, cmd_ls, "ls [PATH]",
	  "list a directory, sorted by name",
	  "Lists PATH (default: the server's root), one line per entry:\n"
	  "type (- file, d directory, l link, ? other), size in bytes,\n"
	  "modification time (local), name.  A file lists as itself." },
	{ "get", 1, 5, cmd_get, "get [-c [--restart]] [-z] REMOTE [LOCAL]",
	  "download a file (-c: continue an interrupted one)",
	  "Downloads REMOTE to LOCAL, or into LOCAL if it is a directory,\n"
	  "or to REMOTE's name in the current directory.  The file appears\n"
	  "only once complete and verified (CRC-32C); a failed download\n"
	  "leaves nothing behind, but one whose ftpc was killed leaves its\n"
	  "hidden .NAME.ftpc-part beside the target.\n"
	  "-c continues from the bytes already there: that hidden part, or\n"
	  "else an existing LOCAL file, once the server has confirmed they\n"
	  "are the first bytes of its file; if they are not, get -c refuses\n"
	  "(never splicing two files) and --restart downloads it all again.\n"
	  "-z lets the server compress the data (zlib) where it shrinks:\n"
	  "fewer bytes on the wire for text, hardly any cost otherwise." },
	{ "put", 1, 5, cmd_put, "put [-c [--restart]] [-z] LOCAL [REMOTE]",
	  "upload a file (-c: continue an interrupted one)",
	  "Uploads the regular file LOCAL as REMOTE (default: LOCAL's name\n"
	  "in the server's root).  The server shows it only once complete\n"
	  "and verified (CRC-32C).\n"
	  "-c continues an interrupted upload of REMOTE that the server kept,\n"
	  "once its bytes are confirmed to be LOCAL's first bytes; if they\n"
	  "are not, the server discards them, put -c refuses, and --restart\n"
	  "uploads it all again.\n"
	  "-z compresses the data (zlib) where it shrinks, as for get." },
	{ "help", 0, 1, cmd_help, "help [CMD]",
	  "list the commands, or describe one",
	  "Without CMD, lists the commands; with it, describes CMD." },
	{ "quit", 0, 0, cmd_quit, "quit",
	  "end the session (also: exit, end of input)",
	  "Ends the session politely and exits." },
	{ "exit", 0, 0, cmd_quit, "exit", "same as quit",
	  "Ends the session politely and exits." },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void
shell_list_commands(FILE *f)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-20s %s\n", commands[i].usage,
		    commands[i].summary);
}

/* ---- running ---------------------------------------------------------- */

static int
run_words(struct shell *sh, struct words *w)
{
	const struct command *c = find_command(w->argv[0]);
	int nargs = w->argc - 1;

	if (c == NULL) {
		fputs("ftpc: unknown command ", stderr);
		text_escape(stderr, w->argv[0]);
		fputs("; try help\n", stderr);
		return FTPC_EXIT_USAGE;
	}
	if (nargs < c->min_args || nargs > c->max_args ||
	    ((c->run == cmd_get || c->run == cmd_put) &&
	    transfer_flags(w->argc, w->argv, &(unsigned){ 0 }) < 0)) {
		fprintf(stderr, "ftpc: usage: %s\n", c->usage);
		return FTPC_EXIT_USAGE;
	}
	if (sh->cl == NULL)
		return FTPC_EXIT_OK;
	return c->run(sh, w->argc, w->argv);
}

int
shell_run(struct shell *sh, const char *text, bool seps)
{
	struct words w;
	const char *err;
	int st;

	while (*text != '\0') {
		if ((err = text_split(&text, seps, &w)) != NULL) {
			shell_error(NULL, err);
			return FTPC_EXIT_USAGE;
		}
		if (w.argc == 0)
			continue;
		if ((st = run_words(sh, &w)) != FTPC_EXIT_OK || sh->quit)
			return st;
	}
	return FTPC_EXIT_OK;
}
