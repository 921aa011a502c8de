/*
 * localfile.h - the client's local files: choosing where a download goes,
 * writing it atomically, opening a file to upload.
 *
 * Every call returns FTP_OK or a code from err.h.  When a system call
 * failed, errno still says why on return (the caller words the message);
 * checks of our own set errno too (EISDIR, EINVAL, ENAMETOOLONG).
 */
#ifndef FTPC_LOCALFILE_H
#define FTPC_LOCALFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest local path we build (Linux PATH_MAX; <limits.h> is shadowed by
 * proto/limits.h on the include path). */
#define LF_PATH_MAX 4096

/* The part of path after its last '/' (all of it if there is none). */
const char *lf_basename(const char *path);

/* True if name is one component that stays where it is put: not empty,
 * not "." or "..", no '/'. */
bool lf_safe_name(const char *name);

/* True if path is (or leads through a symlink to) a directory. */
bool lf_is_dir(const char *path);

/*
 * The local path for downloading remote, into out (LF_PATH_MAX bytes).
 * local NULL: the remote basename in the current directory; an existing
 * directory: the remote basename inside it; anything else: local itself.
 * FTP_E_USAGE if that needs a basename and remote has no safe one, or if
 * the result does not end in a safe name; FTP_E_TOO_LARGE if too long.
 */
int lf_target(const char *remote, const char *local, char *out);

/* A download in progress: a hidden temporary beside its target. */
struct lf_part {
	int fd;
	char tmp[LF_PATH_MAX];
	const char *target; /* the caller's; must outlive the part */
};

/* Creates ".<name>.ftpc-part.XXXXXX" beside target with O_EXCL, mode
 * 0644 & ~umask.  On failure nothing exists and p needs no abort. */
int lf_part_open(struct lf_part *p, const char *target);

int lf_part_write(struct lf_part *p, const void *data, size_t len);

/* Closes the temporary and renames it over the target; on failure the
 * temporary is removed. */
int lf_part_commit(struct lf_part *p);

/* Closes and removes the temporary; errno is preserved. */
void lf_part_abort(struct lf_part *p);

/* Opens path for reading (close-on-exec); it must be a regular file
 * (FTP_E_IS_DIR for a directory, FTP_E_BAD_VALUE for anything else). */
int lf_open_read(const char *path, int *fd, uint64_t *size);

#endif
