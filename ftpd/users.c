/*
 * users.c - loading the users file and checking passwords with crypt(3).
 */
#include <sys/stat.h>

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store.h"
#include "users.h"

struct users {
	struct user *v;
	size_t n;
	/* Hashes being computed: a yescrypt hash takes megabytes, so LOGINs
	 * beyond FTPD_LOGIN_HASHING_MAX at once wait their turn. */
	pthread_mutex_t lock;
	pthread_cond_t turn;
	unsigned hashing;
	/* A valid hash no password is expected to match, with the same
	 * algorithm and cost as the accounts': what an unknown name is
	 * checked against. */
	char dummy[CRYPT_OUTPUT_SIZE];
};

static int users_fail(char why[USERS_WHY_MAX], int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
users_fail(char why[USERS_WHY_MAX], int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, USERS_WHY_MAX, fmt, ap);
	va_end(ap);
	return err;
}

static bool
name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PROTO_USER_MAX || s[0] == '-' || s[0] == '.')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static bool
hash_locked(const char *hash)
{
	return hash[0] == '!' || hash[0] == '*';
}

/* Splits line (its newline removed) into exactly n ':'-separated fields. */
static bool
split_fields(char *line, char **field, int n)
{
	for (int i = 0; i < n; i++) {
		field[i] = line;
		line = strchr(line, ':');
		if ((line == NULL) != (i == n - 1))
			return false;
		if (line != NULL)
			*line++ = '\0';
	}
	return true;
}

static const struct user *
find(const struct users *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->v[i].name, name) == 0)
			return &u->v[i];
	return NULL;
}

static int
parse_line(struct users *u, char *line, const char *path, unsigned lineno,
	   char why[USERS_WHY_MAX])
{
	struct user *nu;
	char *f[4], *root;

	if (!split_fields(line, f, 4))
		return users_fail(why, FTP_E_BAD_VALUE, "%s:%u: expected "
		    "name:hash:root:rw|ro", path, lineno);
	if (!name_valid(f[0]))
		return users_fail(why, FTP_E_BAD_VALUE, "%s:%u: bad user name "
		    "(1 to %d of A-Z a-z 0-9 . _ -, not starting with . or -)",
		    path, lineno, PROTO_USER_MAX);
	if (find(u, f[0]) != NULL)
		return users_fail(why, FTP_E_EXISTS, "%s:%u: user %s appears "
		    "twice", path, lineno, f[0]);
	if (!hash_locked(f[1]) && crypt_checksalt(f[1]) != CRYPT_SALT_OK)
		return users_fail(why, FTP_E_BAD_VALUE, "%s:%u: the hash of %s "
		    "is not a crypt(3) hash this system supports (make one "
		    "with ftpd --hash-password)", path, lineno, f[0]);
	root = f[2] + strspn(f[2], "/");
	if (*root != '\0' && stor_path_check(root) != 0)
		return users_fail(why, FTP_E_BAD_PATH, "%s:%u: bad root '%s' "
		    "for %s (a directory beneath --root)", path, lineno, f[2],
		    f[0]);
	if (strcmp(f[3], "rw") != 0 && strcmp(f[3], "ro") != 0)
		return users_fail(why, FTP_E_BAD_VALUE, "%s:%u: access must be "
		    "rw or ro, not '%s'", path, lineno, f[3]);
	if (u->n == FTPD_USERS_MAX)
		return users_fail(why, FTP_E_TOO_LARGE, "%s:%u: more than %d "
		    "users", path, lineno, FTPD_USERS_MAX);
	nu = realloc(u->v, (u->n + 1) * sizeof(*nu));
	if (nu == NULL)
		return users_fail(why, FTP_E_NOMEM, "out of memory");
	u->v = nu;
	nu = &u->v[u->n];
	memset(nu, 0, sizeof(*nu));
	snprintf(nu->name, sizeof(nu->name), "%s", f[0]);
	nu->can_write = strcmp(f[3], "rw") == 0;
	nu->hash = strdup(f[1]);
	nu->root = strdup(root);
	u->n++;
	if (nu->hash == NULL || nu->root == NULL)
		return users_fail(why, FTP_E_NOMEM, "out of memory");
	return FTP_OK;
}

/* The dummy hash: the first account's settings, so that checking an
 * unknown name costs what checking a real one does. */
static int
make_dummy(struct users *u, char why[USERS_WHY_MAX])
{
	struct crypt_data *cd;
	const char *setting = NULL;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	int r = FTP_OK;

	for (size_t i = 0; i < u->n && setting == NULL; i++)
		if (!hash_locked(u->v[i].hash))
			setting = u->v[i].hash;
	if (setting == NULL) {
		if (crypt_gensalt_rn(NULL, 0, NULL, 0, salt, sizeof(salt)) ==
		    NULL)
			return users_fail(why, FTP_E_SYSTEM, "crypt_gensalt: %s",
			    strerror(errno));
		setting = salt;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return users_fail(why, FTP_E_NOMEM, "out of memory");
	if (crypt_rn("\x01 no password", setting, cd, sizeof(*cd)) == NULL)
		r = users_fail(why, FTP_E_SYSTEM, "crypt: %s", strerror(errno));
	else
		snprintf(u->dummy, sizeof(u->dummy), "%s", cd->output);
	free(cd);
	return r;
}

static int
check_file(FILE *fp, const char *path, char why[USERS_WHY_MAX])
{
	struct stat sb;

	if (fstat(fileno(fp), &sb) != 0)
		return users_fail(why, FTP_E_SYSTEM, "%s: %s", path,
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return users_fail(why, FTP_E_BAD_VALUE, "%s: not a regular file",
		    path);
	/* Whoever can write it can make themselves a user. */
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return users_fail(why, FTP_E_DENIED, "%s: writable by group or "
		    "others (chmod go-w)", path);
	return FTP_OK;
}

int
users_load(const char *path, struct users **out, char why[USERS_WHY_MAX])
{
	struct users *u = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	FILE *fp;
	int r;

	*out = NULL;
	if ((fp = fopen(path, "re")) == NULL)
		return users_fail(why, FTP_E_SYSTEM, "%s: %s", path,
		    strerror(errno));
	if ((r = check_file(fp, path, why)) != FTP_OK)
		goto out;
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		r = users_fail(why, FTP_E_NOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->turn, NULL);
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len > FTPD_USERS_LINE_MAX) {
			r = users_fail(why, FTP_E_TOO_LARGE, "%s:%u: line longer "
			    "than %d bytes", path, lineno, FTPD_USERS_LINE_MAX);
			goto out;
		}
		if (len == 0 || line[0] == '#')
			continue;
		if ((r = parse_line(u, line, path, lineno, why)) != FTP_OK)
			goto out;
	}
	if (ferror(fp)) {
		r = users_fail(why, FTP_E_SYSTEM, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (u->n == 0) {
		r = users_fail(why, FTP_E_BAD_VALUE, "%s: no users", path);
		goto out;
	}
	if ((r = make_dummy(u, why)) != FTP_OK)
		goto out;
	*out = u;
	u = NULL;
out:
	free(line);
	fclose(fp);
	users_free(u);
	return r;
}

void
users_free(struct users *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].hash);
		free(u->v[i].root);
	}
	free(u->v);
	pthread_cond_destroy(&u->turn);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

size_t
users_count(const struct users *u)
{
	return u->n;
}

/* Compares all n bytes whatever they hold: no early exit for a timer to
 * see. */
static bool
equal_ct(const char *a, const char *b, size_t n)
{
	volatile unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

static void
hashing_begin(struct users *u)
{
	pthread_mutex_lock(&u->lock);
	while (u->hashing >= FTPD_LOGIN_HASHING_MAX)
		pthread_cond_wait(&u->turn, &u->lock);
	u->hashing++;
	pthread_mutex_unlock(&u->lock);
}

static void
hashing_end(struct users *u)
{
	pthread_mutex_lock(&u->lock);
	u->hashing--;
	pthread_cond_signal(&u->turn);
	pthread_mutex_unlock(&u->lock);
}

const struct user *
users_check(struct users *u, const char *name, const char *password)
{
	const struct user *who = find(u, name);
	const char *setting = u->dummy;
	char want[CRYPT_OUTPUT_SIZE] = { 0 }, got[CRYPT_OUTPUT_SIZE] = { 0 };
	struct crypt_data *cd;
	bool ok = false;

	if (who != NULL && !hash_locked(who->hash))
		setting = who->hash;
	snprintf(want, sizeof(want), "%s", setting);
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return NULL;
	hashing_begin(u);
	if (crypt_rn(password, setting, cd, sizeof(*cd)) != NULL) {
		snprintf(got, sizeof(got), "%s", cd->output);
		ok = equal_ct(got, want, sizeof(want));
	}
	hashing_end(u);
	explicit_bzero(cd, sizeof(*cd));
	explicit_bzero(got, sizeof(got));
	free(cd);
	if (!ok || who == NULL || setting == u->dummy)
		return NULL;
	return who;
}

int
users_hash(const char *password, char out[USERS_HASH_MAX])
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	int r = FTP_OK;

	/* yescrypt at libxcrypt's default cost, salted from the kernel. */
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return FTP_E_SYSTEM;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return FTP_E_NOMEM;
	if (crypt_rn(password, salt, cd, sizeof(*cd)) == NULL ||
	    cd->output[0] == '*')
		r = FTP_E_SYSTEM;
	else
		snprintf(out, USERS_HASH_MAX, "%s", cd->output);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}
