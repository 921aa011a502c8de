/*
 * io.c - system calls on sockets and client-side files, looped over EINTR
 * and short transfers here and nowhere else.
 *
 * A socket timeout (SO_RCVTIMEO / SO_SNDTIMEO) makes the call fail with
 * EAGAIN, which ftp_err_from_errno() turns into FTP_E_TIMEOUT.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "io.h"

/* sendfile(2) moves at most about 2 GiB per call; stay well below. */
#define SENDFILE_CHUNK (1u << 30)

int
io_recv_some(int fd, void *dst, size_t cap, size_t *got)
{
	ssize_t n;

	if (cap == 0)
		return FTP_E_USAGE;
	do
		n = recv(fd, dst, cap, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ftp_err_from_errno(errno);
	if (n == 0)
		return FTP_E_CLOSED;
	*got = (size_t)n;
	return FTP_OK;
}

/* Drops the first n sent bytes from the iovec array, skipping emptied
 * entries. */
static void
iov_advance(struct iovec **iov, int *n, size_t sent)
{
	while (*n > 0 && sent >= (*iov)->iov_len) {
		sent -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n > 0) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + sent;
		(*iov)->iov_len -= sent;
	}
}

int
io_send_all(int fd, struct iovec *iov, int n)
{
	struct msghdr mh = { 0 };
	ssize_t sent;

	iov_advance(&iov, &n, 0);
	while (n > 0) {
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)n;
		sent = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0)
			return ftp_err_from_errno(errno);
		iov_advance(&iov, &n, (size_t)sent);
	}
	return FTP_OK;
}

int
io_sendfile_all(int sock, int fd, uint64_t off, uint64_t len)
{
	off_t pos;
	size_t chunk;
	ssize_t n;

	if (off > INT64_MAX || len > INT64_MAX - off)
		return FTP_E_TOO_LARGE;
	pos = (off_t)off;
	while (len > 0) {
		chunk = len < SENDFILE_CHUNK ? (size_t)len : SENDFILE_CHUNK;
		n = sendfile(sock, fd, &pos, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ftp_err_from_errno(errno);
		/* End of file before len bytes: the file shrank under us. */
		if (n == 0)
			return FTP_E_CHANGED;
		len -= (uint64_t)n;
	}
	return FTP_OK;
}

int
io_read_some(int fd, void *dst, size_t cap, size_t *got)
{
	ssize_t n;

	do
		n = read(fd, dst, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ftp_err_from_errno(errno);
	*got = (size_t)n;
	return FTP_OK;
}

int
io_write_all(int fd, const void *src, size_t len)
{
	const uint8_t *p = src;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ftp_err_from_errno(errno);
		/* write(2) returns 0 for a non-empty request only on devices
		 * that cannot take data; retrying would spin. */
		if (n == 0)
			return FTP_E_IO;
		p += n;
		len -= (size_t)n;
	}
	return FTP_OK;
}
