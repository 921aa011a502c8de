/*
 * lineedit.h - ftpc's interactive prompt: line editing (emacs keys), a
 * history kept across sessions, and Tab completion, on libedit.
 *
 * Signals.  The prompt leaves signals to the program (libedit's EL_SIGNAL
 * is off: its handlers put the terminal back, then re-raise the signal to
 * the whole process group with kill(0, sig)), except that while it waits
 * for a key it catches SIGCONT, if nobody else does, to put the terminal
 * back in its mode and redraw the line after Ctrl-Z and fg (the shell
 * resets the terminal while ftpc is stopped).  The program's handlers
 * must be installed WITHOUT SA_RESTART and must only record the signal in
 * a volatile sig_atomic_t, the flag given to le_set_interrupt().  The
 * prompt reads the terminal with its own libedit read function (EL_GETCFN)
 * that, with every signal blocked, checks the flag and then waits in
 * ppoll(2) with the caller's signal mask, so a signal that arrives at any
 * moment, even while a completion lists a directory, ends le_gets() with
 * LE_INTERRUPTED: no keypress is needed, none is lost in a race.  A
 * handled signal that leaves the flag at 0 does not disturb the line.
 * libedit's own read function would do the same only by luck: it returns
 * EINTR to el_gets() when read(2) is interrupted, but a signal that comes
 * while it is not blocked in read(2) is seen only after the next key,
 * and with EL_SAFEREAD it ignores the first EINTR altogether.
 *
 * Ctrl-C at the prompt, then: the terminal sends SIGINT (libedit keeps
 * ISIG on), the handler sets the flag, le_gets() returns LE_INTERRUPTED
 * with the typed line discarded and the cursor on a fresh line; the caller
 * clears the flag and asks again.  While a command runs the terminal is in
 * its normal mode and the same signal is the caller's business.
 *
 * The caller should setlocale(LC_CTYPE, "") first: libedit decodes input
 * by the locale, and in the "C" locale drops every byte above 0x7f.
 */
#ifndef FTPC_LINEEDIT_H
#define FTPC_LINEEDIT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

struct lineedit;
struct complete_result;

enum le_status {
	LE_LINE = 0,    /* a line was read */
	LE_EOF,         /* Ctrl-D on an empty line, end of input, or the
			 * terminal went away */
	LE_INTERRUPTED, /* a signal set the interrupt flag */
};

/* Most history entries kept in memory and in the file. */
#define LE_HISTORY_MAX 1000

/*
 * Computes the candidates for the word before byte cursor of line (len
 * bytes, not NUL-terminated): complete.h's complete_line() with a
 * struct complete_env as arg.  Returns FTP_OK or a negative code (the
 * completion is then dropped); *res is freed by the prompt.
 */
typedef int (*le_complete_fn)(void *arg, const char *line, size_t len,
			      size_t cursor, struct complete_result *res);

/*
 * Sets up a prompt reading in (a terminal) and drawing on out; err gets
 * libedit's own complaints.  The prompt's output goes straight to the
 * terminal, so nothing else should buffer output on out across le_gets().
 *
 * history_path: the history file; NULL for the default, which is
 * $FTPC_HISTORY if set (set but empty: no file), else
 * $XDG_STATE_HOME/ftpc/history (when absolute), else
 * ~/.local/state/ftpc/history.  Missing directories are created 0700,
 * the file 0600.  A history that cannot be read or written is no error:
 * the prompt works without it.  ~/.editrc (or $EDITRC) is read after the
 * built-in bindings, so the user can change them.
 *
 * complete (with arg) is what Tab calls; NULL: Tab does nothing.
 *
 * Returns FTP_OK, FTP_E_NOMEM, or FTP_E_SYSTEM when libedit cannot be set
 * up (the caller then reads plain lines).
 */
int le_open(struct lineedit **lep, FILE *in, FILE *out, FILE *err,
	    const char *history_path, le_complete_fn complete, void *arg);

/* The flag a signal handler sets to end le_gets() (see above); NULL: any
 * signal that interrupts the wait ends it.  The prompt only reads the
 * flag; the caller clears it. */
void le_set_interrupt(struct lineedit *le, volatile sig_atomic_t *flag);

/*
 * Shows prompt and reads one line.  LE_LINE: *line is the line without
 * its newline, valid until the next le_gets() or le_close(); it may be
 * longer than FTPC_LINE_MAX (the caller checks).  LE_EOF and
 * LE_INTERRUPTED leave the cursor at the start of a fresh line; when the
 * flag is already set on entry LE_INTERRUPTED comes at once, without a
 * prompt.  Lines are not added to the history here.
 */
enum le_status le_gets(struct lineedit *le, const char *prompt,
		       const char **line);

/* Adds a command to the history (for Up and Ctrl-P): empty lines and a
 * repeat of the previous entry are skipped; the oldest entries go past
 * LE_HISTORY_MAX. */
void le_history_add(struct lineedit *le, const char *line);

/* Saves the history (written to a temporary beside the file, then
 * renamed over it, so a crash leaves the old one), restores the terminal
 * and frees le; NULL is fine. */
void le_close(struct lineedit *le);

/* The default history path described at le_open(), malloc'ed; NULL when
 * there is none (FTPC_HISTORY empty, no home directory) or memory ran
 * out. */
char *le_history_default(void);

#endif
