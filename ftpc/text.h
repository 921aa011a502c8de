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

/* Writes s with control characters (C0, DEL, C1) as \xNN and '\' as \\,
 * so that a name from the server cannot drive the terminal. */
void text_escape(FILE *f, const char *s);

#endif
