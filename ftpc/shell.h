/*
 * shell.h - ftpc's command language: splitting a line into words, the
 * command table, running commands against a client.
 */
#ifndef FTPC_SHELL_H
#define FTPC_SHELL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "client.h"

struct progress;

/* Exit statuses, grouped by who is at fault (ftpc --help lists them). */
enum ftpc_exit {
	FTPC_EXIT_OK = 0,
	FTPC_EXIT_REMOTE = 1,
	FTPC_EXIT_LOCAL = 2,
	FTPC_EXIT_CONN = 3,
	FTPC_EXIT_USAGE = 64,
};

struct shell {
	/* NULL for a dry run: commands are parsed and checked, not run. */
	struct ftpc_client *cl;
	/* Set by a signal handler (may be NULL): failures are then not
	 * reported, the program is about to die of that signal. */
	volatile sig_atomic_t *stop;
	bool quit; /* quit or exit ran */
	unsigned xfer_flags; /* added to every get and put (FTPC_COMPRESS) */
	struct progress *progress; /* shown during transfers; NULL: none */
	/* Set by Ctrl-C at the prompt (may be NULL): the client stops the
	 * transfer under way (ftpc_set_cancel()), and a command moving
	 * several files stops before the next. */
	volatile sig_atomic_t *cancel;
};

/*
 * Runs the commands in text, in order, and stops at the first one that
 * fails; returns its exit status (FTPC_EXIT_OK if all succeeded or there
 * were none).  With seps, an unquoted ';' or newline separates commands;
 * without, text is one command.  Failures are reported on stderr.
 */
int shell_run(struct shell *sh, const char *text, bool seps);

/* The exit status for a client failure. */
int shell_status(enum ftpc_fault fault);

/* "ftpc: what: detail" on stderr, escaped; what may be NULL. */
void shell_error(const char *what, const char *detail);

/* One line per command with its usage and what it does. */
void shell_list_commands(FILE *f);

/* For completion: the i-th command's name (NULL past the end), and what
 * operand argi (1 = the first after the options) of command cmd is: 'R' a
 * remote path, 'L' a local path, 'C' a command name, 0 nothing. */
const char *shell_command_name(size_t i);
char shell_arg_kind(const char *cmd, int argi);

#endif
