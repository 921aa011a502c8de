/*
 * fileio.h - the only loops over read-like and write-like system calls on
 * the server's files: they retry EINTR and resume after short counts, so
 * callers see all or an error.
 */
#ifndef STORAGE_FILEIO_H
#define STORAGE_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Reads up to len bytes at off; *got < len only at end of file. */
int stor_io_pread(int fd, void *dst, size_t len, uint64_t off, size_t *got);

/* Writes all len bytes at the file position (-ENOSPC when the disk fills). */
int stor_io_write(int fd, const void *src, size_t len);

/* openat2(2) with how; retries EINTR, and EAGAIN (which the kernel
 * answers when a rename races the resolution) a bounded number of times. */
struct open_how;
int stor_io_openat2(int dirfd, const char *path, struct open_how *how,
		    int *fd);

/* openat(dirfd, name, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, mode). */
int stor_io_create(int dirfd, const char *name, unsigned mode, int *fd);

/* openat(dirfd, name, O_RDWR|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC,
 * mode): an existing file is opened, not replaced (a FIFO cannot block). */
int stor_io_open_rw(int dirfd, const char *name, unsigned mode, int *fd);

/* len (<= 256) random bytes from getrandom(2). */
int stor_io_random(void *dst, size_t len);

/* fsync(2), retried only if a signal interrupted it: after a real failure
 * a second fsync may wrongly succeed. */
int stor_io_fsync(int fd);

#endif
