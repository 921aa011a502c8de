/*
 * hashpw.c - the --hash-password mode, run before anything else starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "err.h"
#include "hashpw.h"
#include "proto_limits.h"
#include "users.h"

/* One line from fp without its newline; false at EOF, on error, or when
 * it does not fit. */
static bool
read_line(FILE *fp, char *out, size_t size)
{
	size_t n;

	if (fgets(out, (int)size, fp) == NULL)
		return false;
	n = strcspn(out, "\n");
	if (out[n] != '\n' && !feof(fp))
		return false;
	out[n] = '\0';
	return true;
}

/* Asks on the terminal tty with echo off, restoring it afterwards. */
static bool
ask(FILE *tty, const char *prompt, char *out, size_t size)
{
	struct termios old, quiet;
	bool ok;

	if (tcgetattr(fileno(tty), &old) != 0)
		return false;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	fputs(prompt, tty);
	fflush(tty);
	if (tcsetattr(fileno(tty), TCSAFLUSH, &quiet) != 0)
		return false;
	ok = read_line(tty, out, size);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	return ok;
}

static bool
read_password(char *pw, size_t size)
{
	char again[PROTO_PASSWORD_MAX + 2];
	FILE *tty;
	bool ok;

	if (!isatty(STDIN_FILENO))
		return read_line(stdin, pw, size);
	if ((tty = fopen("/dev/tty", "r+e")) == NULL)
		return false;
	ok = ask(tty, "Password: ", pw, size) &&
	    ask(tty, "Again: ", again, sizeof(again));
	if (ok && strcmp(pw, again) != 0) {
		fputs("ftpd: the passwords differ\n", stderr);
		ok = false;
	}
	explicit_bzero(again, sizeof(again));
	fclose(tty);
	return ok;
}

int
hashpw_main(void)
{
	char pw[PROTO_PASSWORD_MAX + 2], hash[USERS_HASH_MAX];
	int status = 1;

	if (!read_password(pw, sizeof(pw))) {
		fputs("ftpd: no password read\n", stderr);
		goto out;
	}
	if (pw[0] == '\0' || strlen(pw) > PROTO_PASSWORD_MAX) {
		fprintf(stderr, "ftpd: a password is 1 to %d bytes\n",
		    PROTO_PASSWORD_MAX);
		goto out;
	}
	if (users_hash(pw, hash) != FTP_OK) {
		fprintf(stderr, "ftpd: cannot hash: %s\n", strerror(errno));
		goto out;
	}
	printf("%s\n", hash);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	explicit_bzero(pw, sizeof(pw));
	return status;
}
