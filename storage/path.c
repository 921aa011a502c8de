/*
 * path.c - the lexical rules of store paths (store.h), checked before any
 * path reaches the kernel; they touch nothing.
 *
 * openat2(RESOLVE_BENEATH) would refuse ".." escapes by itself; the rules
 * are stricter so that every backend accepts exactly the same names and
 * clients get one clear error for a malformed path.
 */
#include <errno.h>
#include <string.h>

#include "backend.h"

/* Checks one component of len bytes (len may be 0). */
static int
check_component(const char *c, size_t len)
{
	static const size_t plen = sizeof(STOR_TEMP_PREFIX) - 1;

	if (len == 0)
		return -EINVAL;
	if (len > STOR_NAME_MAX)
		return -ENAMETOOLONG;
	if (c[0] == '.' && (len == 1 || (len == 2 && c[1] == '.')))
		return -EINVAL;
	if (len >= plen && memcmp(c, STOR_TEMP_PREFIX, plen) == 0)
		return -EINVAL;
	return 0;
}

int
stor_path_check(const char *path)
{
	const char *c, *slash;
	size_t len;
	int r;

	if (path == NULL)
		return -EINVAL;
	len = strnlen(path, STOR_PATH_MAX + 1);
	if (len > STOR_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0 || strcmp(path, ".") == 0)
		return 0;
	for (c = path;; c = slash + 1) {
		slash = strchr(c, '/');
		if (slash == NULL)
			return check_component(c, strlen(c));
		if ((r = check_component(c, (size_t)(slash - c))) != 0)
			return r;
	}
}

size_t
stor_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? 0 : (size_t)(slash - path) + 1;
}
