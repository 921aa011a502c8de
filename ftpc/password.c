/*
 * password.c - the password from a file, the environment or the terminal.
 *
 * Every byte of a password passes through buffers we wipe: files and the
 * terminal are read with read(2) (stdio would keep a copy in its buffer),
 * and the environment's copy is overwritten in place.  The prompt turns
 * echo off with termios and must turn it back on whatever happens, so the
 * signals that end or stop a process are caught for its duration; they are
 * blocked except inside ppoll(2), so one cannot slip in between a check of
 * the flag and a blocking read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "io.h"
#include "password.h"
#include "text.h"

/* A line end may follow the longest password: "\r\n". */
#define PW_LINE_MAX (PROTO_PASSWORD_MAX + 2)

__attribute__((format(printf, 3, 4))) static int
why_fail(char why[PW_WHY_MAX], int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, PW_WHY_MAX, fmt, ap);
	va_end(ap);
	return err;
}

/* A line (without its end) of len bytes must be a password the protocol
 * can carry; copies it to out. */
static int
take(const char *line, size_t len, char out[PROTO_PASSWORD_MAX + 1],
    char why[PW_WHY_MAX], const char *from)
{
	if (len > PROTO_PASSWORD_MAX)
		return why_fail(why, FTP_E_TOO_LARGE, "the password %s is "
		    "longer than %d bytes", from, PROTO_PASSWORD_MAX);
	if (!utf8_valid(line, len))
		return why_fail(why, FTP_E_BAD_STRING, "the password %s is "
		    "not UTF-8 text (or holds a NUL byte)", from);
	memcpy(out, line, len);
	out[len] = '\0';
	return FTP_OK;
}

/* ---- --password-file ---------------------------------------------------- */

/* Only a file no one else can read or change may hold our password. */
static int
file_check(int fd, const char *path, char why[PW_WHY_MAX])
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return why_fail(why, ftp_err_from_errno(errno), "cannot read "
		    "password file %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return why_fail(why, FTP_E_BAD_VALUE, "password file %s is "
		    "not a regular file", path);
	if ((st.st_mode & 077) != 0)
		return why_fail(why, FTP_E_DENIED, "password file %s may be "
		    "read or changed by others (mode %04o); chmod 600 it",
		    path, (unsigned)(st.st_mode & 07777));
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return why_fail(why, FTP_E_DENIED, "password file %s belongs "
		    "to another user (uid %lu)", path,
		    (unsigned long)st.st_uid);
	return FTP_OK;
}

/* Reads up to the first line end, end of file, or PW_LINE_MAX bytes; *len
 * is the bytes before the line end.  A byte at a time, so that nothing
 * after the line is consumed: --password-file /dev/stdin can be followed
 * by the commands on standard input. */
static int
file_line(int fd, char line[PW_LINE_MAX], size_t *len, bool *empty)
{
	size_t have = 0, got = 0;
	int r;

	*empty = true;
	while (have < PW_LINE_MAX) {
		if ((r = io_read_some(fd, line + have, 1, &got)) != FTP_OK)
			return r;
		if (got == 0 || line[have] == '\n')
			break;
		have++;
	}
	*empty = have == 0 && got == 0;
	*len = have; /* PW_LINE_MAX: too long, whatever follows */
	if (have < PW_LINE_MAX && have > 0 && line[have - 1] == '\r')
		(*len)--;
	return FTP_OK;
}

int
pw_read_file(const char *path, char out[PROTO_PASSWORD_MAX + 1],
    char why[PW_WHY_MAX])
{
	char line[PW_LINE_MAX];
	size_t len = 0;
	bool empty = true;
	int fd, r;

	/* Blocking: a FIFO waits for its writer, as cat(1) would. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return why_fail(why, ftp_err_from_errno(errno), "cannot open "
		    "password file %s: %s", path, strerror(errno));
	if ((r = file_check(fd, path, why)) != FTP_OK)
		goto out;
	if ((r = file_line(fd, line, &len, &empty)) != FTP_OK) {
		r = why_fail(why, r, "cannot read password file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (empty)
		r = why_fail(why, FTP_E_USAGE, "password file %s is empty",
		    path);
	else
		r = take(line, len, out, why, "in the password file");
out:
	explicit_bzero(line, sizeof(line));
	close(fd);
	return r;
}

/* ---- FTPC_PASSWORD ------------------------------------------------------ */

/* The password from PW_ENV if it is set and not empty (*found).  Either
 * way the variable is gone afterwards, its bytes overwritten first: what
 * getenv() returns points into the environment block the kernel shows in
 * /proc/PID/environ. */
static int
env_read(char out[PROTO_PASSWORD_MAX + 1], bool use, bool *found,
    char why[PW_WHY_MAX])
{
	char *v = getenv(PW_ENV);
	int r = FTP_OK;

	*found = false;
	if (v == NULL)
		return FTP_OK;
	if (use && v[0] != '\0') {
		*found = true;
		r = take(v, strlen(v), out, why, "in " PW_ENV);
	}
	explicit_bzero(v, strlen(v));
	unsetenv(PW_ENV);
	return r;
}

/* ---- the prompt -------------------------------------------------------- */

/* The signals that end or stop a process from the terminal or outside:
 * while echo is off, each is caught, ends the prompt, and is raised again
 * once the terminal is restored. */
static const int pw_sigs[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU,
};
#define PW_NSIGS (sizeof(pw_sigs) / sizeof(pw_sigs[0]))

/* The one signal seen during the prompt (the handler's only state). */
static volatile sig_atomic_t pw_signal;

static void
on_signal(int sig)
{
	pw_signal = sig;
}

struct tty {
	FILE *f; /* /dev/tty: the prompt is written through it */
	int fd;  /* the same, read with read(2) only */
	struct termios saved;
	struct sigaction old[PW_NSIGS];
	sigset_t oldmask; /* the mask before, restored, and used in ppoll() */
};

/* Catches and blocks the signals (one that the caller ignores stays
 * ignored). */
static void
catch_signals(struct tty *t)
{
	struct sigaction sa;
	sigset_t block;

	pw_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (size_t i = 0; i < PW_NSIGS; i++) {
		sigaction(pw_sigs[i], NULL, &t->old[i]);
		if (t->old[i].sa_handler == SIG_IGN)
			continue;
		sigaddset(&block, pw_sigs[i]);
		sigaction(pw_sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &t->oldmask);
}

/* Terminal, handlers and mask as they were; a signal caught meanwhile is
 * raised again and delivered as the mask is restored: the process dies of
 * it, as the sender meant, or stops and comes back here (true: ask
 * again). */
static bool
restore(struct tty *t)
{
	int sig = pw_signal;

	(void)tcsetattr(t->fd, TCSAFLUSH, &t->saved);
	for (size_t i = 0; i < PW_NSIGS; i++)
		sigaction(pw_sigs[i], &t->old[i], NULL);
	if (sig != 0)
		raise(sig);
	sigprocmask(SIG_SETMASK, &t->oldmask, NULL);
	pw_signal = 0;
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Reads the typed line into out; FTP_E_ABORTED if a signal came first. */
static int
tty_line(struct tty *t, char out[PROTO_PASSWORD_MAX + 1],
    char why[PW_WHY_MAX])
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	size_t n = 0, got = 1;
	bool too_long = false;
	char c;
	int r;

	for (;;) {
		if (pw_signal != 0)
			return FTP_E_ABORTED;
		/* The signals are let in only while waiting here. */
		if (ppoll(&p, 1, NULL, &t->oldmask) < 0) {
			if (errno == EINTR)
				continue;
			return why_fail(why, ftp_err_from_errno(errno),
			    "cannot read the terminal: %s", strerror(errno));
		}
		/* Readable, and signals are blocked again: one byte. */
		if ((r = io_read_some(t->fd, &c, 1, &got)) != FTP_OK)
			return why_fail(why, r, "cannot read the terminal: %s",
			    ftp_strerror(r));
		/* Ctrl-D: what was typed, if anything, is the password. */
		if (got == 0 || c == '\n')
			break;
		if (n < PROTO_PASSWORD_MAX)
			out[n++] = c;
		else
			too_long = true;
	}
	explicit_bzero(&c, sizeof(c));
	out[n] = '\0';
	if (got == 0 && n == 0)
		return why_fail(why, FTP_E_USAGE, "no password entered");
	if (too_long)
		return why_fail(why, FTP_E_TOO_LARGE, "the password is longer "
		    "than %d bytes", PROTO_PASSWORD_MAX);
	if (!utf8_valid(out, n))
		return why_fail(why, FTP_E_BAD_STRING, "the password is not "
		    "UTF-8 text");
	return FTP_OK;
}

/* One prompt with echo off; *again after a stop signal. */
static int
tty_ask(struct tty *t, const char *user, const char *host,
    char out[PROTO_PASSWORD_MAX + 1], bool *again, char why[PW_WHY_MAX])
{
	struct termios quiet;
	int r;

	catch_signals(t);
	quiet = t->saved;
	/* ECHONL too: the newline is written by us, once. */
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (tcsetattr(t->fd, TCSAFLUSH, &quiet) != 0) {
		r = why_fail(why, ftp_err_from_errno(errno), "cannot turn off "
		    "echo on the terminal: %s", strerror(errno));
		*again = restore(t);
		return r;
	}
	/* Names typed by the user, escaped all the same. */
	fputs("Password for ", t->f);
	text_escape(t->f, user);
	putc('@', t->f);
	text_escape(t->f, host);
	fputs(": ", t->f);
	fflush(t->f);
	r = tty_line(t, out, why);
	/* The Enter that was not echoed (or the line a signal cut short). */
	putc('\n', t->f);
	fflush(t->f);
	*again = restore(t);
	if (r != FTP_OK)
		explicit_bzero(out, PROTO_PASSWORD_MAX + 1);
	return r == FTP_E_ABORTED ? why_fail(why, r, "interrupted") : r;
}

static int
tty_read(const char *user, const char *host, char out[PROTO_PASSWORD_MAX + 1],
    char why[PW_WHY_MAX])
{
	struct tty t;
	bool again = true;
	int r = FTP_E_USAGE;

	t.fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (t.fd < 0 || tcgetattr(t.fd, &t.saved) != 0 ||
	    (t.f = fdopen(t.fd, "w")) == NULL) {
		if (t.fd >= 0)
			close(t.fd);
		return why_fail(why, FTP_E_USAGE, "no password: give "
		    "--password-file FILE or set " PW_ENV " (there is no "
		    "terminal to ask on)");
	}
	while (again)
		r = tty_ask(&t, user, host, out, &again, why);
	fclose(t.f);
	return r;
}

int
pw_read(const char *file, const char *user, const char *host,
    char out[PROTO_PASSWORD_MAX + 1], char why[PW_WHY_MAX])
{
	bool found;
	int r;

	out[0] = '\0';
	if ((r = env_read(out, file == NULL, &found, why)) != FTP_OK || found)
		return r;
	if (file != NULL)
		return pw_read_file(file, out, why);
	return tty_read(user, host, out, why);
}
