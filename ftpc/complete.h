/*
 * complete.h - tab completion for ftpc's prompt: which word the cursor is
 * in, what that word may become (a command name, a remote or a local
 * path), and the text that makes it so.
 *
 * Nothing here prints or touches the terminal: the prompt (lineedit.c)
 * inserts and lists what complete_words() returns.  Where names come from
 * is a callback, so the unit tests complete against a made-up directory
 * without a server.
 */
#ifndef FTPC_COMPLETE_H
#define FTPC_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Candidates kept (and listed) for one completion.  A directory with more
 * matching names is still read to its end: the count and the common
 * prefix cover every match, only the names past the first COMPLETE_MAX
 * are not kept (the listing says how many were left out).
 */
#define COMPLETE_MAX 10000

/* One candidate: the last path component (or the command name), unquoted,
 * without the '/' a directory gets when inserted or listed. */
struct complete_match {
	char *name;
	bool dir;
};

struct complete_result {
	/* Text to insert at the cursor, quoted for where it goes (inside
	 * '..', inside "..", or bare with backslashes), so that the line
	 * still splits into the intended name; "" when there is nothing to
	 * add.  A single match ends in '/' (a directory) or closes an open
	 * quote and adds a space. */
	char *insert;
	struct complete_match *matches; /* sorted by name (strcmp) */
	size_t count;                   /* in matches, <= COMPLETE_MAX */
	size_t total;                   /* every match, kept or not */
};

/* Receives one directory entry; FTP_OK to go on, anything else stops the
 * listing and fails the completion. */
typedef int (*complete_add_fn)(void *cookie, const char *name, bool dir);

/*
 * Where candidates come from.  arg_kind says what argument argi (1 = the
 * first that is not an option) of command cmd is: 'R' a remote path, 'L'
 * a local path, 'C' a command name, 0 nothing to complete (shell.h's
 * shell_arg_kind()).  command_name gives the i-th command name, NULL past
 * the end (shell_command_name()).  list calls add for each entry of the
 * directory dir of kind 'R' or 'L', dir as the user typed it, unquoted
 * ("" for the working directory, else without a trailing '/' except for
 * "/" itself), and returns FTP_OK or a negative code; a failure completes
 * nothing.
 */
struct complete_env {
	char (*arg_kind)(const char *cmd, int argi);
	const char *(*command_name)(size_t i);
	int (*list)(void *arg, char kind, const char *dir, complete_add_fn add,
		    void *cookie);
	void *list_arg;
};

/*
 * The candidates for the word that ends at byte cursor of line (len
 * bytes, need not be NUL-terminated; only the text before the cursor
 * counts).  The text is split as text_split() splits a command: quotes
 * '..' and "..", backslash escapes; words starting with '-' are options
 * and are not counted, and an option itself is not completed.  Word 0
 * completes to command names, the others by env->arg_kind.  Names
 * starting with '.' are offered only when the typed part of the name
 * starts with '.'; "." and ".." never.
 *
 * Returns FTP_OK with *res filled in (total 0 when nothing matches or the
 * directory cannot be listed), or FTP_E_NOMEM.  complete_result_free()
 * *res either way.
 */
int complete_words(const struct complete_env *env, const char *line,
		   size_t len, size_t cursor, struct complete_result *res);

/* complete_words() for lineedit.h's le_complete_fn: env is a
 * struct complete_env. */
int complete_line(void *env, const char *line, size_t len, size_t cursor,
		  struct complete_result *res);

void complete_result_free(struct complete_result *res);

/*
 * A complete_env list function for ftpc: kind 'R' lists with ftpc_list()
 * on arg, a struct ftpc_client * (NULL, or a listing the server refuses,
 * completes nothing; a directory is an entry of kind PROTO_KIND_DIR), kind
 * 'L' reads the local directory (opendir; a directory is one by stat(2),
 * so a symlink to one counts).  The caller keeps list_arg current if the
 * client changes.
 */
int complete_list_ftpc(void *arg, char kind, const char *dir,
		       complete_add_fn add, void *cookie);

#endif
