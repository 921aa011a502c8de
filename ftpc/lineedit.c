/*
 * lineedit.c - ftpc's interactive prompt on libedit: emacs keys, history
 * in a file, Tab completion, and Ctrl-C that clears the line.
 *
 * The one unusual part is reading: libedit's built-in read function
 * notices a signal only if it interrupts read(2), so lineedit reads the
 * terminal itself (EL_GETCFN) and waits in ppoll(2) with the signals
 * blocked until then; lineedit.h has the whole contract.
 */
#include <sys/stat.h>

#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "complete.h"
#include "err.h"
#include "lineedit.h"
#include "text.h"

/* More candidates than this: ask before listing them (bash asks past
 * 100 too), since a listing of thousands scrolls the prompt away. */
#define LE_QUERY_ITEMS 100

struct lineedit {
	EditLine *el;
	History *hist;
	FILE *out;
	int fd;              /* of the input */
	bool tty;            /* input and output are terminals: libedit edits */
	bool added;          /* history changed since it was loaded */
	char *history_path;  /* NULL: no history file */
	le_complete_fn complete;
	void *complete_arg;
	volatile sig_atomic_t *intr;
	enum le_status why;  /* why the last read failed */
	const char *prompt;
	char *line;          /* the last line returned */
	size_t line_size;
};

static struct lineedit *
le_of(EditLine *el)
{
	void *p = NULL;

	el_get(el, EL_CLIENTDATA, &p);
	return p;
}

static char *
le_prompt(EditLine *el)
{
	/* libedit only reads the prompt; its type is from before const. */
	return (char *)le_of(el)->prompt;
}

/* Set by the SIGCONT handler le_gets() installs: the shell may have reset
 * the terminal while ftpc was stopped (Ctrl-Z, then fg). */
static volatile sig_atomic_t continued;

static void
on_cont(int sig)
{
	(void)sig;
	continued = 1;
}

/*
 * Waits for input.  Every signal is blocked except inside ppoll(), which
 * unblocks them atomically, so a signal that sets the flag just before
 * the wait still ends it.  Returns 1 when there is input (or end of it),
 * 0 after a SIGCONT, or -1 with errno (EINTR: interrupted).
 */
static int
wait_input(struct lineedit *le)
{
	struct pollfd pfd = { .fd = le->fd, .events = POLLIN };
	sigset_t all, old;
	int r, e;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (;;) {
		if (le->intr != NULL && *le->intr != 0) {
			r = -1;
			e = EINTR;
			break;
		}
		if (continued) {
			continued = 0;
			r = e = 0;
			break;
		}
		r = ppoll(&pfd, 1, NULL, &old);
		e = errno;
		if (r >= 0) {
			r = 1;
			break;
		}
		/* A handled signal that did not set the flag (when there is
		 * a flag to tell) is none of the prompt's business. */
		if (e != EINTR || (le->intr == NULL && !continued))
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

/* After a stop: the terminal back in libedit's mode (cooked, then raw
 * again, since libedit believes it still is raw) and the prompt and line
 * drawn afresh on the row the shell left the cursor on. */
static void
resume(struct lineedit *le)
{
	el_set(le->el, EL_PREP_TERM, 0);
	el_set(le->el, EL_PREP_TERM, 1);
	el_set(le->el, EL_REFRESH);
}

/* Decodes buf[0..*n) as one character of the locale: 1 with *wc, 0 when
 * more bytes are needed.  Bytes that start no character are dropped,
 * keeping the last, which may start the next one (as libedit does). */
static int
decode(char *buf, size_t *n, wchar_t *wc)
{
	mbstate_t mbs;
	size_t k;

	for (;;) {
		memset(&mbs, 0, sizeof(mbs));
		k = mbrtowc(wc, buf, *n, &mbs);
		if (k == (size_t)-2) {
			if (*n == MB_LEN_MAX)
				*n = 0;
			return 0;
		}
		if (k != (size_t)-1)
			return 1;
		if (*n == 1) {
			*n = 0;
			return 0;
		}
		buf[0] = buf[*n - 1];
		*n = 1;
	}
}

/* libedit's read function (EL_GETCFN): 1 with a character, 0 at end of
 * input, -1 on error or interruption (errno EINTR, which libedit's
 * unedited mode needs to drop the partial line). */
static int
le_getc(EditLine *el, wchar_t *wc)
{
	struct lineedit *le = le_of(el);
	char buf[MB_LEN_MAX];
	size_t n = 0;
	ssize_t got;
	int w;

	for (;;) {
		if ((w = wait_input(le)) < 0)
			break;
		if (w == 0) {
			resume(le);
			continue;
		}
		got = read(le->fd, buf + n, 1);
		if (got == 0) {
			le->why = LE_EOF;
			return 0;
		}
		/* EINTR here means a signal came between ppoll() and read():
		 * wait_input() decides what it was. */
		if (got < 0 && errno != EINTR)
			break;
		if (got > 0) {
			n++;
			if (decode(buf, &n, wc))
				return 1;
		}
	}
	le->why = errno == EINTR ? LE_INTERRUPTED : LE_EOF;
	return -1;
}

/* Columns s[0..n) takes on the terminal; a character that is not
 * printable counts as the two of "^X", a byte that is not one as four. */
static size_t
display_width(const char *s, size_t n)
{
	mbstate_t mbs;
	size_t w = 0, k;
	wchar_t wc;
	int cw;

	memset(&mbs, 0, sizeof(mbs));
	while (n > 0) {
		k = mbrtowc(&wc, s, n, &mbs);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&mbs, 0, sizeof(mbs));
			w += 4;
			k = 1;
		} else {
			if (k == 0)
				k = 1;
			cw = wcwidth(wc);
			w += cw >= 0 ? (size_t)cw : 2;
		}
		s += k;
		n -= k;
	}
	return w;
}

static size_t
terminal_columns(struct lineedit *le)
{
	int cols = 0;

	if (el_get(le->el, EL_GETTC, "co", &cols) != 0 || cols <= 0)
		cols = 80;
	return (size_t)cols;
}

/* Moves the cursor below the line's last row, wherever it is in the line,
 * so that what is printed next (a listing, the next prompt) does not
 * overwrite the line. */
static void
move_below_line(struct lineedit *le)
{
	const LineInfo *li = el_line(le->el);
	size_t cols = terminal_columns(le), pw, at, all;

	pw = display_width(le->prompt, strlen(le->prompt));
	at = pw + display_width(li->buffer, (size_t)(li->cursor - li->buffer));
	all = pw + display_width(li->buffer,
	    (size_t)(li->lastchar - li->buffer));
	for (size_t rows = all / cols - at / cols; rows > 0; rows--)
		fputc('\n', le->out);
	fputc('\n', le->out);
	fflush(le->out);
}

/* The name as listed: escaped (it may come from the server), a
 * directory with '/'; NULL when memory ran out. */
static char *
listed_name(const struct complete_match *m)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&s, &len)) == NULL)
		return NULL;
	text_escape(f, m->name);
	if (m->dir)
		fputc('/', f);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Prints cells in columns, down then across, as ls does. */
static void
print_columns(struct lineedit *le, char **cells, const size_t *width,
	      size_t n, size_t widest)
{
	size_t ncol, nrow, i;

	ncol = terminal_columns(le) / (widest + 2);
	if (ncol == 0)
		ncol = 1;
	nrow = (n + ncol - 1) / ncol;
	for (size_t r = 0; r < nrow; r++) {
		for (size_t c = 0; c < ncol && (i = c * nrow + r) < n; c++) {
			fputs(cells[i], le->out);
			if (i + nrow < n)
				fprintf(le->out, "%*s",
				    (int)(widest + 2 - width[i]), "");
		}
		fputc('\n', le->out);
	}
}

static void
list_matches(struct lineedit *le, const struct complete_result *res)
{
	size_t n = res->count, widest = 0, *width;
	char **cells;

	cells = calloc(n, sizeof(*cells));
	width = calloc(n, sizeof(*width));
	for (size_t i = 0; cells != NULL && width != NULL && i < n; i++) {
		if ((cells[i] = listed_name(&res->matches[i])) == NULL)
			goto out;
		width[i] = display_width(cells[i], strlen(cells[i]));
		if (width[i] > widest)
			widest = width[i];
	}
	if (cells != NULL && width != NULL)
		print_columns(le, cells, width, n, widest);
	if (res->total > res->count)
		fprintf(le->out, "(%zu more not listed: only the first %d "
		    "matches are kept)\n", res->total - res->count,
		    COMPLETE_MAX);
out:
	for (size_t i = 0; cells != NULL && i < n; i++)
		free(cells[i]);
	free(cells);
	free(width);
}

/* Asks whether to list that many: 1 yes, 0 no, -1 the read ended (a
 * signal or end of input). */
static int
ask_list(struct lineedit *le, size_t total)
{
	char c;

	fprintf(le->out, "Display all %zu possibilities? (y or n) ", total);
	fflush(le->out);
	if (el_getc(le->el, &c) != 1)
		return -1;
	fputc('\n', le->out);
	return c == 'y' || c == 'Y' || c == ' ';
}

/* Text libedit can take: el_insertstr() cannot convert bytes that are
 * not characters of the locale (and crashes on the attempt). */
static bool
insertable(const char *s)
{
	return mbstowcs(NULL, s, 0) != (size_t)-1;
}

/*
 * Tab: one candidate is inserted whole; several insert their common
 * prefix, or, when that adds nothing (a second Tab), are listed below the
 * line, after which libedit redraws the prompt and the line.
 */
static unsigned char
le_tab(EditLine *el, int ch)
{
	struct lineedit *le = le_of(el);
	struct complete_result res = { .insert = NULL };
	const LineInfo *li = el_line(el);
	unsigned char cc = CC_ERROR;
	int yes;

	(void)ch;
	if (le->complete == NULL ||
	    le->complete(le->complete_arg, li->buffer,
	    (size_t)(li->lastchar - li->buffer),
	    (size_t)(li->cursor - li->buffer), &res) != FTP_OK)
		goto out;
	if (res.insert[0] != '\0' && insertable(res.insert) &&
	    el_insertstr(el, res.insert) == 0) {
		cc = CC_REFRESH;
		goto out;
	}
	if (res.count == 0)
		goto out;
	move_below_line(le);
	yes = res.total <= LE_QUERY_ITEMS ? 1 : ask_list(le, res.total);
	if (yes < 0) {
		/* Interrupted (or input ended) at the question: end the
		 * line now, le_gets() reports why. */
		cc = CC_EOF;
		goto out;
	}
	if (yes)
		list_matches(le, &res);
	fflush(le->out);
	cc = CC_REDISPLAY;
out:
	complete_result_free(&res);
	return cc;
}

/* Creates the missing directories above path, 0700 (XDG's rule for the
 * state directory, and the history says what the user did). */
static int
make_parents(const char *path)
{
	char *p, *s;
	int r = 0;

	if ((p = strdup(path)) == NULL)
		return -1;
	for (s = strchr(p + 1, '/'); s != NULL && r == 0;
	    s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			r = -1;
		*s = '/';
	}
	free(p);
	return r;
}

/* Writes the history to a temporary (mkstemp: 0600) beside the file and
 * renames it over, so the file is always whole.  Failures are ignored: the
 * history is a convenience. */
static void
save_history(struct lineedit *le)
{
	HistEvent ev;
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1;
	bool ok = false;

	if (le->history_path == NULL || !le->added ||
	    make_parents(le->history_path) != 0 ||
	    asprintf(&tmp, "%s.XXXXXX", le->history_path) < 0) {
		tmp = NULL;
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "w")) == NULL)
		goto out;
	ok = history(le->hist, &ev, H_SAVE_FP, f) >= 0 && fflush(f) == 0 &&
	    fsync(fd) == 0;
out:
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	else if (fd >= 0)
		close(fd);
	if (fd >= 0 && (!ok || rename(tmp, le->history_path) != 0))
		unlink(tmp);
	free(tmp);
}

static void
load_history(struct lineedit *le)
{
	HistEvent ev;
	struct stat st;

	/* Only a regular file: a FIFO or a device would block or never
	 * end. */
	if (le->history_path != NULL && stat(le->history_path, &st) == 0 &&
	    S_ISREG(st.st_mode))
		history(le->hist, &ev, H_LOAD, le->history_path);
}

char *
le_history_default(void)
{
	const char *v = getenv("FTPC_HISTORY"), *home;
	struct passwd *pw;
	char *path;

	if (v != NULL)
		return v[0] != '\0' ? strdup(v) : NULL;
	/* XDG: a relative XDG_STATE_HOME is invalid and ignored. */
	v = getenv("XDG_STATE_HOME");
	if (v != NULL && v[0] == '/')
		return asprintf(&path, "%s/ftpc/history", v) < 0 ? NULL : path;
	home = getenv("HOME");
	if ((home == NULL || home[0] != '/') &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || home[0] != '/')
		return NULL;
	return asprintf(&path, "%s/.local/state/ftpc/history", home) < 0 ?
	    NULL : path;
}

int
le_open(struct lineedit **lep, FILE *in, FILE *out, FILE *err,
	const char *history_path, le_complete_fn complete, void *arg)
{
	struct lineedit *le;
	HistEvent ev;
	int r = FTP_E_NOMEM;

	*lep = NULL;
	if ((le = calloc(1, sizeof(*le))) == NULL)
		return FTP_E_NOMEM;
	le->out = out;
	le->fd = fileno(in);
	le->tty = isatty(le->fd) && isatty(fileno(out));
	le->complete = complete;
	le->complete_arg = arg;
	le->prompt = "";
	if (history_path == NULL)
		le->history_path = le_history_default();
	else if (history_path[0] != '\0' &&
	    (le->history_path = strdup(history_path)) == NULL)
		goto fail;
	if ((le->hist = history_init()) == NULL)
		goto fail;
	history(le->hist, &ev, H_SETSIZE, LE_HISTORY_MAX);
	history(le->hist, &ev, H_SETUNIQUE, 1);
	load_history(le);
	r = FTP_E_SYSTEM;
	if ((le->el = el_init("ftpc", in, out, err)) == NULL)
		goto fail;
	/* No EL_SIGNAL (lineedit.h says why), no EL_SAFEREAD (it would
	 * swallow the first EINTR); EL_GETCFN reads instead.  EL_ADDFN
	 * through el_wset(): el_set() converts the name and help to copies
	 * it never frees, el_wset() keeps these static strings. */
	if (el_set(le->el, EL_CLIENTDATA, le) != 0 ||
	    el_set(le->el, EL_GETCFN, le_getc) != 0 ||
	    el_set(le->el, EL_PROMPT, le_prompt) != 0 ||
	    el_set(le->el, EL_EDITOR, "emacs") != 0 ||
	    el_set(le->el, EL_HIST, history, le->hist) != 0 ||
	    el_wset(le->el, EL_ADDFN, L"ftpc-complete",
	    L"Complete a command or path", le_tab) != 0 ||
	    el_set(le->el, EL_BIND, "^I", "ftpc-complete", NULL) != 0)
		goto fail;
	/* ~/.editrc last, so the user's bindings win; a missing one is
	 * the common case. */
	el_source(le->el, NULL);
	*lep = le;
	return FTP_OK;
fail:
	le_close(le);
	return r;
}

void
le_set_interrupt(struct lineedit *le, volatile sig_atomic_t *flag)
{
	le->intr = flag;
}

enum le_status
le_gets(struct lineedit *le, const char *prompt, const char **line)
{
	struct sigaction sa, old;
	const char *s;
	size_t len;
	char *p;
	int n = 0;
	bool cont;

	*line = NULL;
	if (le->intr != NULL && *le->intr != 0)
		return LE_INTERRUPTED;
	le->prompt = prompt;
	le->why = LE_LINE;
	/* SIGCONT only while editing, and only if nobody handles it: a
	 * handler makes waits elsewhere (a transfer's poll) fail with EINTR
	 * after every Ctrl-Z and fg. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_cont;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	cont = le->tty && sigaction(SIGCONT, NULL, &old) == 0 &&
	    (old.sa_flags & SA_SIGINFO) == 0 && old.sa_handler == SIG_DFL &&
	    sigaction(SIGCONT, &sa, NULL) == 0;
	continued = 0;
	s = el_gets(le->el, &n);
	if (cont)
		sigaction(SIGCONT, &old, NULL);
	if (s == NULL || n <= 0) {
		if (le->why == LE_INTERRUPTED) {
			if (le->tty)
				move_below_line(le);
			return LE_INTERRUPTED;
		}
		if (le->tty) {
			fputc('\n', le->out);
			fflush(le->out);
		}
		return LE_EOF;
	}
	len = strlen(s);
	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len + 1 > le->line_size) {
		if ((p = realloc(le->line, len + 1)) == NULL)
			return LE_EOF;
		le->line = p;
		le->line_size = len + 1;
	}
	memcpy(le->line, s, len);
	le->line[len] = '\0';
	*line = le->line;
	return LE_LINE;
}

void
le_history_add(struct lineedit *le, const char *line)
{
	HistEvent ev;
	char *entry;

	/* libedit drops a trailing newline and then one trailing space
	 * from an entry it recalls (Up, Ctrl-P), which would turn "get a\ "
	 * into "get a\": each entry carries one extra space to drop. */
	if (line[0] == '\0' || asprintf(&entry, "%s ", line) < 0)
		return;
	if (history(le->hist, &ev, H_ENTER, entry) >= 0)
		le->added = true;
	free(entry);
}

void
le_close(struct lineedit *le)
{
	if (le == NULL)
		return;
	if (le->hist != NULL)
		save_history(le);
	/* el_end() puts the terminal back as it found it. */
	if (le->el != NULL)
		el_end(le->el);
	if (le->hist != NULL)
		history_end(le->hist);
	free(le->history_path);
	free(le->line);
	free(le);
}
