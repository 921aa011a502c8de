/*
 * backend.h - what every store backend shares with the dispatch in store.c.
 *
 * Each object a backend hands out begins with its ops pointer, so store.c
 * can route a call without knowing the backend; a backend embeds these as
 * the first member of its own structures and converts back with a cast.
 */
#ifndef STORAGE_BACKEND_H
#define STORAGE_BACKEND_H

#include "store.h"

struct store {
	const struct stor_ops *ops;
};

struct stor_file {
	const struct stor_ops *ops;
};

struct stor_upload {
	const struct stor_ops *ops;
};

struct stor_dir {
	const struct stor_ops *ops;
};

/* Offset of the last component of a path stor_path_check accepted ("" and
 * "." give 0: the root has no parent). */
size_t stor_path_base(const char *path);

#endif
