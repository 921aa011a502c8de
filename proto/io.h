/*
 * io.h - the one place that loops on interrupted or short system calls for
 * sockets and for a client's local files.  (storage/ owns the server's file
 * descriptors and has its own.)  Every function returns FTP_OK or an error
 * code from err.h; a timeout set with SO_RCVTIMEO / SO_SNDTIMEO surfaces as
 * FTP_E_TIMEOUT.
 */
#ifndef PROTO_IO_H
#define PROTO_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* One recv(): *got is 1..cap, or FTP_E_CLOSED at end of stream. */
int io_recv_some(int fd, void *dst, size_t cap, size_t *got);

/* Sends every byte of iov[0..n) (MSG_NOSIGNAL); iov is modified. */
int io_send_all(int fd, struct iovec *iov, int n);

/* Sends len bytes of file fd from offset off to socket sock with
 * sendfile(2).  FTP_E_CHANGED if the file ends early. */
int io_sendfile_all(int sock, int fd, uint64_t off, uint64_t len);

/* Reads up to cap bytes from a file; *got is 0 only at end of file. */
int io_read_some(int fd, void *dst, size_t cap, size_t *got);

/* Writes every byte to a file. */
int io_write_all(int fd, const void *src, size_t len);

#endif
