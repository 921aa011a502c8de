/*
 * glob.h - shell wildcards for one path component (mget, mput).
 *
 * '*' matches any run of characters, '?' one character, '[abc]', '[a-z]'
 * one character of a set ('[!a-z]' or '[^a-z]' one that is not in it; a
 * ']' right after the '[' or the '!' is a member), and '\x' the character
 * x itself.  Characters are UTF-8 code points; a byte that is not part of
 * well-formed UTF-8 is a character of its own.  As in the shell, a name
 * starting with '.' is matched only by a pattern starting with a literal
 * '.', and "." and ".." only by a pattern without wildcards.  There are no
 * character classes ("[[:alpha:]]").
 *
 * Matching takes O(len(pattern) * len(name)) steps whatever the pattern,
 * and no memory.
 *
 * (The name shadows the system's <glob.h> for files compiled with ftpc/ on
 * the include path; nothing there uses glob(3).)
 */
#ifndef FTPC_GLOB_H
#define FTPC_GLOB_H

#include <stdbool.h>

/* True if pattern has an unescaped '*', '?' or '[': a word without one
 * names a file rather than matching names. */
bool glob_has_magic(const char *pattern);

/*
 * FTP_OK if pattern can be used; FTP_E_USAGE if it is malformed (a '['
 * without its ']', a '\' at the end) or is not one component (a '/');
 * FTP_E_TOO_LARGE if it is longer than PROTO_NAME_MAX bytes.
 */
int glob_check(const char *pattern);

/* True if name matches pattern.  A pattern glob_check() refuses still
 * matches something: an unterminated '[' and a final '\' stand for
 * themselves. */
bool glob_match(const char *pattern, const char *name);

#endif
