/*
 * shell_int.h - what the command files of ftpc's shell share: shell.c
 * (the table, running a line, the small commands), shell_ls.c (ls and
 * lls) and shell_xfer.c (get, put, mget, mput and their trees).
 */
#ifndef FTPC_SHELL_INT_H
#define FTPC_SHELL_INT_H

#include <stdbool.h>

#include "shell.h"

/* Entries a listing holds for sorting or a tree walk: bounded memory
 * against a hostile server or a huge tree. */
#define SHELL_LIST_MAX 1000000u
/* Directory levels get -r and put -r descend. */
#define SHELL_TREE_DEPTH 64

/* Reports the client's last failure as "ftpc: CMD ARG: detail" (arg may
 * be NULL) and returns the exit status for it. */
int shell_failed(struct shell *sh, const char *cmd, const char *arg);

/* "ftpc: CMD ARG: detail" for a failure of our own; returns status. */
int shell_complain(struct shell *sh, int status, const char *cmd,
		   const char *arg, const char *detail);

/* True once Ctrl-C asked a command of several steps to stop. */
bool shell_cancelled(const struct shell *sh);

/* A remote listing, sorted by name (ftpc_list() into memory). */
struct shell_entry {
	uint8_t kind; /* PROTO_KIND_* */
	uint64_t size;
	int64_t mtime;
	char *name;
};
struct shell_listing {
	struct shell_entry *v;
	size_t n, cap;
};
int shell_list_remote(struct shell *sh, const char *path,
		      struct shell_listing *l);
/* A local directory (or a file alone) the same way. */
int shell_list_local(const char *path, struct shell_listing *l);
/* Adds one entry (copies name): FTP_OK, FTP_E_NOMEM, FTP_E_TOO_LARGE. */
int shell_listing_add(struct shell_listing *l, uint8_t kind, uint64_t size,
		      int64_t mtime, const char *name);
void shell_listing_sort(struct shell_listing *l);
void shell_listing_free(struct shell_listing *l);

int cmd_ls(struct shell *sh, int argc, char **argv);
int cmd_lls(struct shell *sh, int argc, char **argv);
int cmd_get(struct shell *sh, int argc, char **argv);
int cmd_put(struct shell *sh, int argc, char **argv);
int cmd_mget(struct shell *sh, int argc, char **argv);
int cmd_mput(struct shell *sh, int argc, char **argv);

/* Option checks run before a command (and in a dry run): the index of
 * the first operand, or -1 for a usage error. */
int shell_ls_opts(int argc, char **argv, bool *longfmt, bool *json);
int shell_xfer_opts(int argc, char **argv, unsigned *flags, bool *tree);
int shell_mxfer_opts(int argc, char **argv, unsigned *flags);

#endif
