/*
 * glob.c - shell wildcards for one path component.
 *
 * Patterns come from the user and names from the server (or a local
 * directory), so the cost of a match must not depend on how the two
 * interact.  A recursive matcher that tries every split for every '*'
 * takes exponential time on "a*a*a*a*a*b" against a long run of 'a's.
 * Here only the last '*' seen is remembered: when the rest of the pattern
 * fails, that star takes one more character of the name and the rest is
 * tried again.  Going back to an earlier star is never needed, because
 * whatever an earlier star could absorb the last one can absorb too.  Each
 * retry scans the pattern at most once and there is one retry per
 * character of the name: O(len(pattern) * len(name)), no memory.  (The
 * method is the one Russ Cox describes in "Glob Matching Can Be Simple And
 * Fast Too", 2017.)
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "glob.h"
#include "proto_limits.h"

/* Code points given to bytes that are not UTF-8: above U+10FFFF, so that
 * such a byte equals only itself. */
#define NOT_UTF8 0x110000u

/*
 * The character at s (not at its end): its length in bytes, and its code
 * point in *cp.  utf8_char_len() decides what is well formed, so that
 * the matcher and the wire agree on what a character is.
 */
static size_t
next_char(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	/* strnlen: a sequence cut short by the terminator must not be read
	 * past it */
	size_t n = utf8_char_len(p, strnlen(s, 4));
	uint32_t c;

	if (n == 1) {
		*cp = p[0];
		return 1;
	}
	if (n == 0) {
		*cp = NOT_UTF8 + p[0];
		return 1;
	}
	c = p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		c = c << 6 | (p[i] & 0x3f);
	*cp = c;
	return n;
}

/* One member of a set at p: a character, or '\' and the character it
 * quotes.  A '\' at the very end is itself (the set is then unterminated
 * anyway). */
static size_t
set_char(const char *p, uint32_t *cp)
{
	if (p[0] == '\\' && p[1] != '\0')
		return 1 + next_char(p + 1, cp);
	return next_char(p, cp);
}

/*
 * The set whose '[' is just before p: whether c is in it (after any '!'
 * or '^'), and in *end where it ends (just past its ']').  false if it has
 * no ']'.  Ranges with their ends out of order contain nothing.
 */
static bool
set_scan(const char *p, uint32_t c, const char **end, bool *in)
{
	const char *first;
	bool neg = false, found = false;
	uint32_t lo, hi;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	first = p;
	for (;;) {
		if (*p == '\0')
			return false;
		if (*p == ']' && p != first)
			break;
		p += set_char(p, &lo);
		hi = lo;
		if (p[0] == '-' && p[1] != ']' && p[1] != '\0') {
			p++;
			p += set_char(p, &hi);
		}
		if (lo <= c && c <= hi)
			found = true;
	}
	*end = p + 1;
	*in = found != neg;
	return true;
}

/*
 * Matches the pattern item at *pp (anything but '*') against the character
 * at *np (not the end of the name); on success moves both past them.
 */
static bool
step(const char **pp, const char **np)
{
	const char *p = *pp, *end;
	uint32_t c, want;
	size_t nlen = next_char(*np, &c);
	bool in;

	switch (*p) {
	case '?':
		end = p + 1;
		break;
	case '[':
		if (set_scan(p + 1, c, &end, &in)) {
			if (!in)
				return false;
			break;
		}
		/* no ']': the '[' is an ordinary character */
		if (c != '[')
			return false;
		end = p + 1;
		break;
	case '\\':
		if (p[1] != '\0')
			p++;
		/* FALLTHROUGH */
	default:
		end = p + next_char(p, &want);
		if (c != want)
			return false;
		break;
	}
	*pp = end;
	*np += nlen;
	return true;
}

/* The shell hides dotfiles from wildcards: only a '.' written out (plain
 * or quoted) at the start of the pattern matches one. */
static bool
literal_dot(const char *pattern)
{
	return pattern[0] == '.' || (pattern[0] == '\\' && pattern[1] == '.');
}

bool
glob_has_magic(const char *pattern)
{
	for (const char *p = pattern; *p != '\0'; p++) {
		if (*p == '\\') {
			if (*++p == '\0')
				break;
		} else if (*p == '*' || *p == '?' || *p == '[')
			return true;
	}
	return false;
}

int
glob_check(const char *pattern)
{
	const char *p = pattern, *end;
	bool in;

	if (strnlen(pattern, PROTO_NAME_MAX + 1) > PROTO_NAME_MAX)
		return FTP_E_TOO_LARGE;
	if (strchr(pattern, '/') != NULL)
		return FTP_E_USAGE;
	while (*p != '\0') {
		if (*p == '\\') {
			if (p[1] == '\0')
				return FTP_E_USAGE;
			p += 2;
		} else if (*p == '[') {
			if (!set_scan(p + 1, 0, &end, &in))
				return FTP_E_USAGE;
			p = end;
		} else
			p++;
	}
	return FTP_OK;
}

bool
glob_match(const char *pattern, const char *name)
{
	const char *p = pattern, *n = name;
	const char *star_p = NULL, *star_n = NULL;
	uint32_t c;

	if (name[0] == '.') {
		if (!literal_dot(pattern))
			return false;
		/* ".*" must not pick up the directory itself or its parent
		 * (mput .* would try to send them) */
		if ((name[1] == '\0' || (name[1] == '.' && name[2] == '\0')) &&
		    glob_has_magic(pattern))
			return false;
	}
	while (*p != '\0' || *n != '\0') {
		if (*p == '*') {
			/* first try the star with nothing; remember it */
			star_p = p++;
			star_n = n;
			continue;
		}
		if (*p != '\0' && *n != '\0' && step(&p, &n))
			continue;
		/* mismatch: the last star takes one more character */
		if (star_p != NULL && *star_n != '\0') {
			star_n += next_char(star_n, &c);
			n = star_n;
			p = star_p + 1;
			continue;
		}
		return false;
	}
	return true;
}
