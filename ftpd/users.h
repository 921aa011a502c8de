/*
 * users.h - the accounts of `ftpd --users FILE` and their passwords.
 *
 * The file has one account a line, `name:hash:root:rw|ro`: hash is a
 * crypt(3) string (yescrypt "$y$..." or sha512-crypt "$6$..."; "!" or "*"
 * locks the account), root a directory beneath the served tree that is the
 * user's whole world ("" or "/" for all of it).  Blank lines and lines
 * starting with '#' are ignored.  The table is read once, before
 * privileges are dropped, and never changes after.
 */
#ifndef FTPD_USERS_H
#define FTPD_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto_limits.h"

/* Room for a reason why the file was refused: "users:3: ...". */
#define USERS_WHY_MAX 512

struct user {
	char name[PROTO_USER_MAX + 1];
	char *hash;     /* crypt(3) setting and hash */
	char *root;     /* relative to the served root; "" is all of it */
	bool can_write; /* "rw" */
};

struct users;

/* Reads and checks path.  FTP_OK, or an error with the reason (file and
 * line) in why.  A file that others may write is refused. */
int users_load(const char *path, struct users **out, char why[USERS_WHY_MAX]);
void users_free(struct users *u);
size_t users_count(const struct users *u);

/*
 * The account name if password is its password, else NULL.  An unknown
 * name costs the same hashing as a known one, so timing does not tell
 * which names exist; the final comparison is constant-time.  At most
 * FTPD_LOGIN_HASHING_MAX checks run at once; others wait.
 */
const struct user *users_check(struct users *u, const char *name,
			       const char *password);

/* A fresh yescrypt hash of password for a users file, in out
 * (USERS_HASH_MAX bytes). */
#define USERS_HASH_MAX 384
int users_hash(const char *password, char out[USERS_HASH_MAX]);

#endif
