/*
 * text.c - command text: splitting a command into words, and escaping
 * names for display.
 *
 * Quoting follows the shell loosely: single quotes take everything
 * literally, double quotes let a backslash escape '"' and '\\', and outside
 * quotes a backslash escapes any character.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "text.h"

/*
 * Well-formed characters that still steer the terminal rather than show:
 * C1 controls (U+0080..U+009F: CSI and OSC among them, which some
 * terminals obey), and the bidirectional marks, embeddings, overrides and
 * isolates (U+061C, U+200E-F, U+202A-E, U+2066-9) and line and paragraph
 * separators (U+2028-9), with which a name can make the rest of the line
 * read differently from what it is ("txt.exe" shown as "exe.txt").
 */
static bool
steers(const unsigned char *p, size_t n)
{
	if (n == 2)
		return (p[0] == 0xc2 && p[1] <= 0x9f) ||
		    (p[0] == 0xd8 && p[1] == 0x9c);
	if (n != 3 || p[0] != 0xe2)
		return false;
	if (p[1] == 0x80)
		return p[2] == 0x8e || p[2] == 0x8f ||
		    (p[2] >= 0xa8 && p[2] <= 0xae);
	return p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

static void
hex_bytes(FILE *f, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\\x%02x", p[i]);
}

void
text_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n) {
		/* strnlen: a sequence cut short by the terminator must not
		 * be read past it. */
		n = utf8_char_len(p, strnlen((const char *)p, 4));
		if (n == 0) {
			/* Not UTF-8: each byte shown, none sent raw (a lone
			 * 0x9b is CSI to an 8-bit terminal). */
			n = 1;
			hex_bytes(f, p, 1);
		} else if (n == 1 && *p == '\\')
			fputs("\\\\", f);
		else if (n == 1 && (*p < 0x20 || *p == 0x7f))
			hex_bytes(f, p, 1);
		else if (steers(p, n))
			hex_bytes(f, p, n);
		else
			fwrite(p, 1, n, f);
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
