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

/*
 * The one check for every name that becomes (part of) a local path while
 * coming from the server or from a remote path: true if the len bytes at
 * name are one component that stays in the directory it is put in, i.e.
 * not empty, not "." or "..", no '/', and no NUL (which would cut the name
 * short).  (Length is the filesystem's to refuse.)
 */
bool lf_safe_name(const char *name, size_t len);

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

/* A download in progress: a hidden temporary beside its target, locked
 * (flock) while in use. */
struct lf_part {
	int fd;
	uint64_t have; /* bytes it holds (lf_part_resume) */
	char tmp[LF_PATH_MAX];
	const char *target; /* the caller's; must outlive the part */
};

/* Opens ".<name>.ftpc-part" beside target, creating it (mode 0644 &
 * ~umask) or emptying it: the name is fixed so that a download killed
 * outright can be continued (lf_part_resume).  FTP_E_BUSY if another
 * download to target holds it.  On failure p needs no abort. */
int lf_part_open(struct lf_part *p, const char *target);

/* The same, but keeps the bytes it holds (p->have) and appends after
 * them; if it holds none and target is a regular file, target's bytes are
 * copied in first (a download continued over a plain earlier copy).
 * *crc is the CRC-32C of the p->have bytes. */
int lf_part_resume(struct lf_part *p, const char *target, uint32_t *crc);

int lf_part_write(struct lf_part *p, const void *data, size_t len);

/* Renames the temporary over the target (still locked, so no other
 * download can write into the result), then closes it; on failure the
 * temporary is removed. */
int lf_part_commit(struct lf_part *p);

/* Closes and removes the temporary; errno is preserved. */
void lf_part_abort(struct lf_part *p);

/* Closes the temporary and keeps it (for a later resume); errno is
 * preserved. */
void lf_part_close(struct lf_part *p);

/* Opens path for reading (close-on-exec); it must be a regular file
 * (FTP_E_IS_DIR for a directory, FTP_E_BAD_VALUE for anything else). */
int lf_open_read(const char *path, int *fd, uint64_t *size);

/* Reads the next len bytes of fd (from its offset), adding them to *crc;
 * FTP_E_CHANGED if the file ends first.  With out >= 0, also writes them
 * there. */
int lf_sum_next(int fd, uint64_t len, uint32_t *crc, int out);

#endif
