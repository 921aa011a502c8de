/*
 * shell.c - ftpc's commands: the table, their handlers, running a line.
 *
 * The table below is the single list of commands: the dispatcher checks
 * options and operand counts from it, help prints it and completion asks
 * it what each operand is.  Words come from text.c; ls and the transfers
 * live in shell_ls.c and shell_xfer.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "proto_limits.h"
#include "shell.h"
#include "shell_int.h"
#include "text.h"

struct command {
	const char *name;
	int min_args, max_args; /* operands, after the options */
	int (*run)(struct shell *sh, int argc, char **argv);
	/* Checks the options: the index of the first operand, or -1 for a
	 * usage error.  NULL: the command has none. */
	int (*opts)(int argc, char **argv);
	/* What each operand is, for completion: 'R' remote path, 'L' local
	 * path, 'C' a command; the last letter stands for any further
	 * operands ("" none). */
	const char *kinds;
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

int
shell_failed(struct shell *sh, const char *cmd, const char *arg)
{
	return shell_complain(sh, shell_status(ftpc_fault(sh->cl)), cmd, arg,
	    ftpc_detail(sh->cl));
}

/* ---- small commands --------------------------------------------------- */

int
shell_complain(struct shell *sh, int status, const char *cmd,
    const char *arg, const char *detail)
{
	if (sh->stop == NULL || *sh->stop == 0) {
		fputs("ftpc: ", stderr);
		text_escape(stderr, cmd);
		if (arg != NULL) {
			putc(' ', stderr);
			text_escape(stderr, arg);
		}
		fputs(": ", stderr);
		text_escape(stderr, detail);
		putc('\n', stderr);
	}
	return status;
}

bool
shell_cancelled(const struct shell *sh)
{
	return sh->cancel != NULL && *sh->cancel != 0;
}

static int
cmd_cd(struct shell *sh, int argc, char **argv)
{
	if (ftpc_chdir(sh->cl, argc > 1 ? argv[1] : "/") != FTP_OK)
		return shell_failed(sh, argv[0], argc > 1 ? argv[1] : NULL);
	return FTPC_EXIT_OK;
}

static int
cmd_pwd(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	text_escape(stdout, ftpc_cwd(sh->cl));
	putchar('\n');
	return FTPC_EXIT_OK;
}

static int
cmd_lcd(struct shell *sh, int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("HOME");

	if (dir == NULL)
		return shell_complain(sh, FTPC_EXIT_USAGE, argv[0], NULL,
		    "no directory given and HOME is not set");
	if (chdir(dir) != 0)
		return shell_complain(sh, FTPC_EXIT_LOCAL, argv[0], dir,
		    strerror(errno));
	return FTPC_EXIT_OK;
}

static int
cmd_lpwd(struct shell *sh, int argc, char **argv)
{
	char *cwd = getcwd(NULL, 0);

	(void)argc;
	if (cwd == NULL)
		return shell_complain(sh, FTPC_EXIT_LOCAL, argv[0], NULL,
		    strerror(errno));
	text_escape(stdout, cwd);
	putchar('\n');
	free(cwd);
	return FTPC_EXIT_OK;
}

static int
cmd_mkdir(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	if (ftpc_mkdir(sh->cl, argv[1]) != FTP_OK)
		return shell_failed(sh, argv[0], argv[1]);
	return FTPC_EXIT_OK;
}

static int
cmd_rmdir(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	if (ftpc_rmdir(sh->cl, argv[1]) != FTP_OK)
		return shell_failed(sh, argv[0], argv[1]);
	return FTPC_EXIT_OK;
}

/* Each file in turn; a refusal is reported and the rest still go, but a
 * lost connection ends it.  The status is the first failure's. */
static int
cmd_rm(struct shell *sh, int argc, char **argv)
{
	int st = FTPC_EXIT_OK, one;

	for (int i = 1; i < argc; i++) {
		if (shell_cancelled(sh))
			return shell_complain(sh, FTPC_EXIT_LOCAL, argv[0],
			    argv[i], "interrupted");
		if (ftpc_delete(sh->cl, argv[i]) == FTP_OK)
			continue;
		one = shell_failed(sh, argv[0], argv[i]);
		st = st == FTPC_EXIT_OK ? one : st;
		if (!ftpc_connected(sh->cl))
			break;
	}
	return st;
}

static int
cmd_mv(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	if (ftpc_rename(sh->cl, argv[1], argv[2]) != FTP_OK)
		return shell_failed(sh, argv[0], argv[1]);
	return FTPC_EXIT_OK;
}

static int
cmd_stat(struct shell *sh, int argc, char **argv)
{
	static const char *const kinds[] = { "unknown", "file", "directory",
	    "symbolic link", "other" };
	struct msg_info info;
	char when[64] = "?";
	time_t t;
	struct tm tm;

	(void)argc;
	if (ftpc_stat(sh->cl, argv[1], &info) != FTP_OK)
		return shell_failed(sh, argv[0], argv[1]);
	t = (time_t)info.mtime;
	if (localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
	fputs("  name: ", stdout);
	text_escape(stdout, argv[1]);
	printf("\n  type: %s\n  size: %llu\nmodify: %s\n",
	    kinds[info.kind < 5 ? info.kind : 0],
	    (unsigned long long)info.size, when);
	return FTPC_EXIT_OK;
}

static int
cmd_quit(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	sh->quit = true;
	if (ftpc_quit(sh->cl) != FTP_OK)
		return shell_failed(sh, argv[0], NULL);
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

static int
ls_opts(int argc, char **argv)
{
	bool l, j;

	return shell_ls_opts(argc, argv, &l, &j);
}

static int
xfer_opts(int argc, char **argv)
{
	unsigned flags;
	bool tree;

	return shell_xfer_opts(argc, argv, &flags, &tree);
}

static int
mxfer_opts(int argc, char **argv)
{
	unsigned flags;

	return shell_mxfer_opts(argc, argv, &flags);
}

#define XFER_OPTS_HELP \
	"-c continues an interrupted transfer from the bytes already held\n" \
	"(checked against the other side's first; if they differ it\n" \
	"refuses, and --restart starts again from zero).\n" \
	"-z compresses the data (zlib) where it shrinks.\n" \
	"Ctrl-C stops a transfer at once: nothing partial is kept.\n"

static const struct command commands[] = {
	{ "ls", 0, 1, cmd_ls, ls_opts, "R", "ls [-l] [--json] [PATH]",
	  "list a remote directory",
	  "Lists PATH (default: the remote working directory), sorted by\n"
	  "name: names only; with -l one line per entry: type (- file,\n"
	  "d directory, l link, ? other), size (K, M, G: powers of 1024),\n"
	  "modification time (local) and name; with --json one JSON array\n"
	  "of {\"name\", \"type\", \"size\", \"mtime\"} objects for scripts.\n"
	  "A file lists as itself." },
	{ "cd", 0, 1, cmd_cd, NULL, "R", "cd [DIR]",
	  "change the remote working directory",
	  "Makes DIR (default: the root, /) the remote working directory;\n"
	  "remote paths that do not start with / are taken from there." },
	{ "pwd", 0, 0, cmd_pwd, NULL, "", "pwd",
	  "show the remote working directory",
	  "Prints the remote working directory, / being the server's root." },
	{ "lcd", 0, 1, cmd_lcd, NULL, "L", "lcd [DIR]",
	  "change the local working directory",
	  "Makes DIR (default: $HOME) the local working directory." },
	{ "lpwd", 0, 0, cmd_lpwd, NULL, "", "lpwd",
	  "show the local working directory",
	  "Prints the local working directory." },
	{ "lls", 0, 1, cmd_lls, ls_opts, "L", "lls [-l] [--json] [PATH]",
	  "list a local directory",
	  "Lists the local PATH (default: .) as ls lists a remote one." },
	{ "mkdir", 1, 1, cmd_mkdir, NULL, "R", "mkdir DIR",
	  "make a remote directory", "Creates the remote directory DIR." },
	{ "rmdir", 1, 1, cmd_rmdir, NULL, "R", "rmdir DIR",
	  "remove an empty remote directory",
	  "Removes the remote directory DIR, which must be empty." },
	{ "rm", 1, TEXT_WORDS_MAX, cmd_rm, NULL, "R", "rm FILE...",
	  "remove remote files",
	  "Removes each remote FILE (not directories: see rmdir).  A link\n"
	  "is removed itself, never what it points to." },
	{ "mv", 2, 2, cmd_mv, NULL, "R", "mv FROM TO",
	  "rename a remote file or directory",
	  "Renames FROM to TO on the server, atomically: a file already at\n"
	  "TO is replaced, and readers see the old file or the new one." },
	{ "stat", 1, 1, cmd_stat, NULL, "R", "stat PATH",
	  "show a remote file's type, size and time",
	  "Prints PATH's type, size in bytes and modification time." },
	{ "get", 1, 2, cmd_get, xfer_opts, "RL",
	  "get [-c [--restart]] [-z] [-r] REMOTE [LOCAL]",
	  "download a file, or a tree with -r",
	  "Downloads REMOTE to LOCAL, or into LOCAL if it is a directory,\n"
	  "or to REMOTE's name in the current directory.  The file appears\n"
	  "only once complete and verified (CRC-32C); a failed download\n"
	  "leaves nothing behind, but one whose ftpc was killed leaves its\n"
	  "hidden .NAME.ftpc-part beside the target.\n"
	  "-r downloads the directory REMOTE and everything beneath it\n"
	  "(symbolic links to files are followed, links to directories\n"
	  "skipped).\n" XFER_OPTS_HELP },
	{ "put", 1, 2, cmd_put, xfer_opts, "LR",
	  "put [-c [--restart]] [-z] [-r] LOCAL [REMOTE]",
	  "upload a file, or a tree with -r",
	  "Uploads the regular file LOCAL as REMOTE (default: LOCAL's name\n"
	  "in the remote working directory).  The server shows it only once\n"
	  "complete and verified (CRC-32C).\n"
	  "-r uploads the directory LOCAL and everything beneath it.\n"
	  XFER_OPTS_HELP },
	{ "mget", 1, TEXT_WORDS_MAX, cmd_mget, mxfer_opts, "R",
	  "mget [-c] [-z] PATTERN...",
	  "download the files matching wildcards",
	  "Downloads every remote file matching each PATTERN into the\n"
	  "local working directory.  Wildcards, in the last component:\n"
	  "* any run of characters, ? one character, [abc] [a-z] [!a-z]\n"
	  "sets; \\ quotes the next character; a leading . is matched only\n"
	  "by a leading . in the pattern.  Quote patterns: mget '*.txt'.\n"
	  "A pattern matching nothing is an error." },
	{ "mput", 1, TEXT_WORDS_MAX, cmd_mput, mxfer_opts, "L",
	  "mput [-c] [-z] PATTERN...",
	  "upload the local files matching wildcards",
	  "Uploads every local regular file matching each PATTERN into the\n"
	  "remote working directory; wildcards as for mget." },
	{ "help", 0, 1, cmd_help, NULL, "C", "help [CMD]",
	  "list the commands, or describe one",
	  "Without CMD, lists the commands; with it, describes CMD." },
	{ "quit", 0, 0, cmd_quit, NULL, "", "quit",
	  "end the session (also: exit, end of input)",
	  "Ends the session politely and exits." },
	{ "exit", 0, 0, cmd_quit, NULL, "", "exit", "same as quit",
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
		fprintf(f, "  %-26s %s\n", commands[i].usage,
		    commands[i].summary);
}

const char *
shell_command_name(size_t i)
{
	return i < NCOMMANDS ? commands[i].name : NULL;
}

char
shell_arg_kind(const char *cmd, int argi)
{
	const struct command *c = find_command(cmd);
	size_t n;

	if (c == NULL || argi < 1 || argi > c->max_args ||
	    (n = strlen(c->kinds)) == 0)
		return 0;
	return c->kinds[(size_t)argi <= n ? (size_t)argi - 1 : n - 1];
}

/* ---- running ---------------------------------------------------------- */

static int
run_words(struct shell *sh, struct words *w)
{
	const struct command *c = find_command(w->argv[0]);
	int first, nargs;

	if (c == NULL) {
		fputs("ftpc: unknown command ", stderr);
		text_escape(stderr, w->argv[0]);
		fputs("; try help\n", stderr);
		return FTPC_EXIT_USAGE;
	}
	first = c->opts != NULL ? c->opts(w->argc, w->argv) : 1;
	nargs = w->argc - first;
	if (first < 0 || nargs < c->min_args || nargs > c->max_args) {
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
