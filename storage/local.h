/*
 * local.h - the local-directory backend's pieces, shared by its files:
 * local.c (setup, resolution, stat, reading), local_upload.c,
 * local_manage.c, local_list.c and local_recover.c.
 */
#ifndef STORAGE_LOCAL_H
#define STORAGE_LOCAL_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

struct lstor {
	struct store base;
	int rootfd; /* O_RDONLY|O_DIRECTORY; never changes after open */
};

/* Checks path's syntax, then opens it beneath the root with openat2 and
 * flags (O_CLOEXEC is added); symlinks leaving the root give -EXDEV. */
int lstor_resolve(const struct lstor *ls, const char *path, uint64_t flags,
		  int *fd);
/* Opens (O_RDONLY, for fsync) the directory that holds path's last
 * component, resolved beneath the root as lstor_resolve() does; the last
 * component itself is only checked for syntax, never looked up.  The root
 * has no parent: -EINVAL for "" and ".". */
int lstor_open_parent(const struct lstor *ls, const char *path, int *dirfd);
void lstor_info(const struct stat *sb, struct stor_info *out);

int lstor_recover(struct store *st, unsigned *removed);

/* Cached checksums (local_sum.c).  get: -ENODATA if none or stale.  set:
 * -ESTALE, storing nothing, if the file no longer matches *opened (the
 * state it was summed from; NULL: do not check). */
bool lstor_same_file(const struct stat *a, const struct stat *b);
int lstor_sum_get(int fd, uint32_t *sum);
int lstor_sum_set(int fd, uint32_t sum, const struct stat *opened);

/* Locks the kept upload name in dfd (see local.c): 0 with *fd holding the
 * lock, -ENOENT if it has gone, -ENOTEMPTY if an upload holds it or it is
 * not a regular file. */
int lstor_partial_lock(int dfd, const char *name, int *fd);

int lstor_upload_begin(struct store *st, const char *path,
		       struct stor_upload **out);
int lstor_upload_write(struct stor_upload *up, const void *src, size_t len);
uint64_t lstor_upload_size(const struct stor_upload *up);
int lstor_upload_set_sum(struct stor_upload *up, uint32_t sum);
int lstor_upload_begin_resumable(struct store *st, const char *path,
				 bool fresh, struct stor_upload **out,
				 uint64_t *have);
int lstor_upload_pread(struct stor_upload *up, void *dst, size_t len,
		       uint64_t off, size_t *got);
int lstor_upload_truncate(struct stor_upload *up);
void lstor_upload_keep(struct stor_upload *up);
int lstor_sweep_partials(struct store *st, int64_t max_age,
			 unsigned *removed);
int lstor_upload_commit(struct stor_upload *up);
void lstor_upload_abort(struct stor_upload *up);

/* Changing the tree (local_manage.c). */
int lstor_mkdir(struct store *st, const char *path);
int lstor_rmdir(struct store *st, const char *path);
int lstor_unlink(struct store *st, const char *path);
int lstor_rename(struct store *st, const char *from, const char *to);

int lstor_list_open(struct store *st, const char *path,
		    struct stor_dir **out);
int lstor_list_next(struct stor_dir *d, struct stor_entry *e, bool *end);
void lstor_list_close(struct stor_dir *d);

#endif
