/*
 * text.h - command text: splitting a command into words, and escaping
 * names for display.
 */
#ifndef FTPC_TEXT_H
#define FTPC_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "proto_limits.h"

/* No command takes more than two arguments; a few more words are parsed
 * only to give a usage message instead of "too many words". */
#define TEXT_WORDS_MAX 16

struct words {
	int argc;
	char *argv[TEXT_WORDS_MAX]; /* into buf */
	/* Output never exceeds the input plus one terminator. */
	char buf[FTPC_LINE_MAX + 4];
};

/*
 * Splits the next command off *text into w and moves *text past it and its
 * separator.  With seps an unquoted ';' or newline ends the command;
 * without, all of text is one command.  Returns NULL, or what is wrong
 * (unterminated quote, too many words, over FTPC_LINE_MAX bytes).
 */
const char *text_split(const char **text, bool seps, struct words *w);

/*
 * Writes s for a terminal, so that text from the server (names, ERROR
 * messages) cannot drive it: C0 controls, DEL and C1 controls
 * (U+0080..U+009F), bidirectional controls (U+061C, U+200E-F, U+202A-E,
 * U+2066-9) and line separators (U+2028-9) appear as the \xNN of their
 * bytes, each byte that is not part of well-formed UTF-8 as \xNN, and '\'
 * as \\ (so the result reads back unambiguously).
 */
void text_escape(FILE *f, const char *s);

#endif
