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

/* fsync(2), retried only if a signal interrupted it: after a real failure
 * a second fsync may wrongly succeed. */
int stor_io_fsync(int fd);

#endif
