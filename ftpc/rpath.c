/*
 * rpath.c - resolving remote paths against the remote working directory.
 *
 * Components are pushed onto out and ".." pops one.  A component that no
 * longer fits is not stored but counted: a later ".." may take it away
 * again ("long/../x" is fine if "x" fits), and only what is left at the
 * end decides whether the result is too long.  Once one component is
 * counted, all later ones are too, so the count alone says what a ".."
 * removes.
 */
#include <stddef.h>
#include <string.h>

#include "err.h"
#include "rpath.h"

struct walk {
	char *out;
	size_t len;      /* bytes stored in out, no terminator */
	size_t unstored; /* components past the end of out */
};

static int
pop(struct walk *w)
{
	if (w->unstored > 0) {
		w->unstored--;
		return FTP_OK;
	}
	if (w->len == 0)
		return FTP_E_BAD_PATH;
	while (w->len > 0 && w->out[w->len - 1] != '/')
		w->len--;
	/* the separator before the component, if any */
	if (w->len > 0)
		w->len--;
	return FTP_OK;
}

static void
push(struct walk *w, const char *s, size_t n)
{
	size_t need = n + (w->len > 0);

	if (w->unstored > 0 || need > PROTO_PATH_MAX - w->len) {
		w->unstored++;
		return;
	}
	if (w->len > 0)
		w->out[w->len++] = '/';
	memcpy(w->out + w->len, s, n);
	w->len += n;
}

/* Applies each component of path to w. */
static int
walk(struct walk *w, const char *path)
{
	const char *s = path, *e;
	size_t n;
	int r;

	for (; *s != '\0'; s = *e == '/' ? e + 1 : e) {
		e = strchrnul(s, '/');
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if ((r = pop(w)) != FTP_OK)
				return r;
		} else
			push(w, s, n);
	}
	return FTP_OK;
}

int
rpath_resolve(const char *cwd, const char *path,
    char out[PROTO_PATH_MAX + 1])
{
	struct walk w = { .out = out };
	int r;

	/* cwd goes through the same steps: a cwd that is not in server form
	 * still cannot produce a path that leaves the root */
	if (path[0] != '/' && (r = walk(&w, cwd)) != FTP_OK)
		goto fail;
	if ((r = walk(&w, path)) != FTP_OK)
		goto fail;
	if (w.unstored > 0) {
		r = FTP_E_TOO_LARGE;
		goto fail;
	}
	out[w.len] = '\0';
	return FTP_OK;
fail:
	out[0] = '\0';
	return r;
}

const char *
rpath_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}
