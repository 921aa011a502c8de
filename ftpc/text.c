/*
 * text.c - command text: splitting a command into words, and escaping
 * names for display.
 *
 * Quoting follows the shell loosely: single quotes take everything
 * literally, double quotes let a backslash escape '"' and '\\', and outside
 * quotes a backslash escapes any character.
 */
#include <stdio.h>

#include "text.h"

void
text_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* U+0080..U+009F: C1 controls (CSI among them) */
			fprintf(f, "\\xc2\\x%02x", p[1]);
			p++;
		} else
			putc(*p, f);
	}
}

struct lexer {
	const char *p;
	char *out;
	struct words *w;
	char quote;   /* the open quote, or 0 */
	bool in_word;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static const char *
start_word(struct lexer *lx)
{
	if (lx->in_word)
		return NULL;
	if (lx->w->argc == TEXT_WORDS_MAX)
		return "too many words";
	lx->w->argv[lx->w->argc++] = lx->out;
	lx->in_word = true;
	return NULL;
}

static void
end_word(struct lexer *lx)
{
	if (lx->in_word)
		*lx->out++ = '\0';
	lx->in_word = false;
}

/* Inside quotes: single quotes take everything literally, double quotes
 * let a backslash escape '"' and '\'. */
static void
lex_quoted(struct lexer *lx, char c)
{
	if (c == lx->quote)
		lx->quote = 0;
	else if (lx->quote == '"' && c == '\\' &&
	    (*lx->p == '"' || *lx->p == '\\'))
		*lx->out++ = *lx->p++;
	else
		*lx->out++ = c;
}

/* Consumes one character, two for a backslash escape. */
static const char *
lex_one(struct lexer *lx)
{
	const char *err;
	char c = *lx->p++;

	if (lx->quote != 0) {
		lex_quoted(lx, c);
		return NULL;
	}
	if (is_blank(c)) {
		end_word(lx);
		return NULL;
	}
	if ((err = start_word(lx)) != NULL)
		return err;
	if (c == '\\') {
		if (*lx->p == '\0')
			return "backslash at the end of the line";
		*lx->out++ = *lx->p++;
	} else if (c == '\'' || c == '"')
		lx->quote = c;
	else
		*lx->out++ = c;
	return NULL;
}

const char *
text_split(const char **text, bool seps, struct words *w)
{
	struct lexer lx = { .p = *text, .out = w->buf, .w = w };
	const char *err = NULL;

	w->argc = 0;
	while (*lx.p != '\0' && err == NULL) {
		if (lx.p - *text >= FTPC_LINE_MAX)
			err = "command longer than the limit (8192 bytes)";
		else if (seps && lx.quote == 0 &&
		    (*lx.p == ';' || *lx.p == '\n')) {
			lx.p++;
			break;
		} else
			err = lex_one(&lx);
	}
	if (err == NULL && lx.quote != 0)
		err = "unterminated quote";
	end_word(&lx);
	*text = lx.p;
	return err;
}
