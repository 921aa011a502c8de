/*
 * store.h - the server's file store: what ftpd may do to files, and nothing
 * of the wire.
 *
 * A store is a table of operations (struct stor_ops) behind these calls, so
 * another backend (an object store, say) can be added without touching ftpd.
 * The local-directory backend confines every path beneath its root
 * directory handle with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS).
 *
 * Paths are relative, '/'-separated, at most STOR_PATH_MAX bytes, with
 * components of at most STOR_NAME_MAX bytes that are neither empty, "." nor
 * ".."; "" and "." name the root.  Names starting with STOR_TEMP_PREFIX are
 * the store's own and are refused and never listed.
 *
 * Every call returns 0 or a negative errno value:
 *   -EINVAL        malformed path (absolute, "..", empty component, NUL)
 *   -ENAMETOOLONG  path or component over its limit
 *   -EXDEV         the path leaves the root (through a symlink, say)
 *   -ENOENT, -ENOTDIR, -EISDIR, -EACCES, -ENOSPC, -EIO, ...  as the kernel
 *                  reports them
 */
#ifndef STORAGE_STORE_H
#define STORAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STOR_PATH_MAX 4096
#define STOR_NAME_MAX 255
#define STOR_TEMP_PREFIX ".ftpd-part."
/* Kept (resumable) uploads: STOR_PARTIAL_PREFIX and 16 hex digits of a
 * hash of the target's name, in the target's directory. */
#define STOR_PARTIAL_PREFIX STOR_TEMP_PREFIX "r."

enum stor_kind {
	STOR_FILE = 1,
	STOR_DIR = 2,
	STOR_LINK = 3,
	STOR_OTHER = 4,
};

struct stor_info {
	enum stor_kind kind;
	uint64_t size;
	int64_t mtime; /* seconds since the epoch */
};

struct stor_entry {
	struct stor_info info;
	char name[STOR_NAME_MAX + 1];
};

struct store;
struct stor_file;   /* a file open for reading */
struct stor_upload; /* an upload in progress, invisible until committed */
struct stor_dir;    /* a listing in progress */

/* The local-directory backend rooted at root_dir (which must exist). */
int stor_local_open(const char *root_dir, struct store **out);
void stor_free(struct store *st);
/* A store whose root is the directory path beneath st's root (a user's own
 * tree): it is confined there as st is to its root.  -ENOTDIR if path is
 * not a directory. */
int stor_open_sub(struct store *st, const char *path, struct store **out);

/* Removes temporaries left by a crash anywhere beneath the root; *removed
 * counts them.  Kept resumable uploads stay (see stor_sweep_partials()).
 * Call once at start, before serving. */
int stor_recover(struct store *st, unsigned *removed);

/* Removes kept resumable uploads not written to for more than max_age
 * seconds anywhere beneath the root (skipping any in use); *removed counts
 * them.  Safe while serving. */
int stor_sweep_partials(struct store *st, int64_t max_age, unsigned *removed);

/* Checks a path's syntax alone (the rules above), touching nothing. */
int stor_path_check(const char *path);

int stor_stat(struct store *st, const char *path, struct stor_info *out);

/* Opens a regular file for reading (-EISDIR for a directory, -EINVAL for
 * anything else that is not a regular file); *info describes it. */
int stor_open_read(struct store *st, const char *path, struct stor_file **out,
		   struct stor_info *info);
/* The file's descriptor for sendfile(2), or -1 if the backend has none. */
int stor_file_fd(const struct stor_file *f);
/* Up to len bytes from off; *got is 0 only at end of file. */
int stor_file_pread(struct stor_file *f, void *dst, size_t len, uint64_t off,
		    size_t *got);
void stor_file_close(struct stor_file *f);

/*
 * A file's content checksum (CRC-32C of all its bytes), cached with the
 * file so a download need not read it twice.  The store treats it as an
 * opaque 32-bit value tied to the file's identity and state: get answers
 * -ENODATA when none is stored or the file has changed since (size, mtime
 * or inode differ), -ENOTSUP where the backend cannot keep one.  set is
 * best effort; it stores nothing (-ESTALE) if the file has changed since
 * it was opened, so a sum computed over a moving file is never kept.
 */
int stor_file_get_sum(struct stor_file *f, uint32_t *sum);
int stor_file_set_sum(struct stor_file *f, uint32_t sum);

/*
 * Uploads: begin creates a hidden temporary in the target's directory
 * (which must exist), write appends, commit makes the file visible under
 * its name atomically and durably (fsync of the file, rename, fsync of the
 * directory) and abort removes the temporary.  Readers see the old file or
 * the new one, never a mix.  commit and abort free the upload, whatever
 * they return; a failed commit leaves the old file untouched.  The rename
 * is the commit point: once it has happened commit succeeds, even if the
 * directory's fsync then fails.
 */
int stor_upload_begin(struct store *st, const char *path,
		      struct stor_upload **out);
int stor_upload_write(struct stor_upload *up, const void *src, size_t len);
uint64_t stor_upload_size(const struct stor_upload *up);
/* Records the checksum of everything written so far (call it after the
 * last write, before commit): it travels with the file through the rename.
 * Best effort, like stor_file_set_sum(). */
int stor_upload_set_sum(struct stor_upload *up, uint32_t sum);
int stor_upload_commit(struct stor_upload *up);
void stor_upload_abort(struct stor_upload *up);

/*
 * Resumable uploads: one hidden temporary per target (named from a hash of
 * the target's name), which stor_upload_keep() leaves in place when the
 * upload is interrupted, so that a later upload to the same target can
 * continue it.  begin_resumable opens or creates it and locks it (-EBUSY
 * while another upload holds it); with fresh it is emptied, else its bytes
 * are kept and *have says how many.  Then write appends, commit renames it
 * over the target, abort removes it, as for other uploads; pread reads back
 * what it holds.
 */
int stor_upload_begin_resumable(struct store *st, const char *path,
				bool fresh, struct stor_upload **out,
				uint64_t *have);
int stor_upload_pread(struct stor_upload *up, void *dst, size_t len,
		      uint64_t off, size_t *got);
/* Empties a resumable upload (its bytes are no good) and goes on. */
int stor_upload_truncate(struct stor_upload *up);
/* Flushes and closes a resumable upload, keeping it for later (any other
 * upload is aborted); frees up. */
void stor_upload_keep(struct stor_upload *up);

/*
 * Changing the tree.  Each call acts on the last component of path inside
 * the directory its other components name; that directory is resolved
 * beneath the root like any lookup, and the last component is never
 * followed (a symlink there is itself removed or renamed, never its
 * target).  The root cannot be made, removed or renamed: -EINVAL.
 */
/* Creates a directory (mode 0777 & ~umask); -EEXIST if the name is
 * taken. */
int stor_mkdir(struct store *st, const char *path);
/* Removes an empty directory.  Resumable uploads kept in it and not in
 * use are the store's own, so they go with it; -ENOTEMPTY if anything else
 * is there (an upload in progress included), and then nothing is
 * removed.  -ENOTDIR if path is not a directory. */
int stor_rmdir(struct store *st, const char *path);
/* Removes anything but a directory (-EISDIR). */
int stor_unlink(struct store *st, const char *path);
/* rename(2): atomic, replacing a non-directory at to, or an empty
 * directory with a directory; otherwise -EISDIR, -ENOTDIR, -ENOTEMPTY,
 * -EINVAL (a directory into itself) as the kernel answers. */
int stor_rename(struct store *st, const char *from, const char *to);

/*
 * Listings stream entries in directory order ("." and ".." and the store's
 * temporaries omitted).  Listing a file yields that one entry.  next sets
 * *end at the end instead of filling *e.
 */
int stor_list_open(struct store *st, const char *path, struct stor_dir **out);
int stor_list_next(struct stor_dir *d, struct stor_entry *e, bool *end);
void stor_list_close(struct stor_dir *d);

/* The backend's table; each store begins with a pointer to it. */
struct stor_ops {
	void (*free)(struct store *st);
	int (*open_sub)(struct store *st, const char *path,
			struct store **out);
	int (*recover)(struct store *st, unsigned *removed);
	int (*stat)(struct store *st, const char *path, struct stor_info *out);
	int (*open_read)(struct store *st, const char *path,
			 struct stor_file **out, struct stor_info *info);
	int (*file_fd)(const struct stor_file *f);
	int (*file_pread)(struct stor_file *f, void *dst, size_t len,
			  uint64_t off, size_t *got);
	void (*file_close)(struct stor_file *f);
	int (*file_get_sum)(struct stor_file *f, uint32_t *sum);
	int (*file_set_sum)(struct stor_file *f, uint32_t sum);
	int (*upload_begin)(struct store *st, const char *path,
			    struct stor_upload **out);
	int (*upload_write)(struct stor_upload *up, const void *src,
			    size_t len);
	uint64_t (*upload_size)(const struct stor_upload *up);
	int (*upload_set_sum)(struct stor_upload *up, uint32_t sum);
	int (*upload_commit)(struct stor_upload *up);
	void (*upload_abort)(struct stor_upload *up);
	int (*upload_begin_resumable)(struct store *st, const char *path,
				      bool fresh, struct stor_upload **out,
				      uint64_t *have);
	int (*upload_pread)(struct stor_upload *up, void *dst, size_t len,
			    uint64_t off, size_t *got);
	int (*upload_truncate)(struct stor_upload *up);
	void (*upload_keep)(struct stor_upload *up);
	int (*sweep_partials)(struct store *st, int64_t max_age,
			      unsigned *removed);
	int (*mkdir)(struct store *st, const char *path);
	int (*rmdir)(struct store *st, const char *path);
	int (*unlink)(struct store *st, const char *path);
	int (*rename)(struct store *st, const char *from, const char *to);
	int (*list_open)(struct store *st, const char *path,
			 struct stor_dir **out);
	int (*list_next)(struct stor_dir *d, struct stor_entry *e, bool *end);
	void (*list_close)(struct stor_dir *d);
};

#endif
