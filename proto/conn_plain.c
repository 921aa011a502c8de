/*
 * conn_plain.c - the plain TCP transport and the conn_* dispatchers.
 *
 * Callers see only struct conn and its ops table, so a TLS transport can be
 * added as a second implementation without touching them.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "conn.h"

#include "err.h"
#include "io.h"

static int
plain_recv(struct conn *c, void *dst, size_t cap, size_t *got)
{
	return io_recv_some(c->fd, dst, cap, got);
}

static int
plain_send(struct conn *c, struct iovec *iov, int n)
{
	return io_send_all(c->fd, iov, n);
}

static int
plain_sendfile(struct conn *c, int fd, uint64_t off, uint64_t len)
{
	return io_sendfile_all(c->fd, fd, off, len);
}

static void
plain_close(struct conn *c)
{
	/* close(2) may report EINTR, but the descriptor is gone either way
	 * on Linux; retrying could close someone else's. */
	(void)close(c->fd);
	free(c);
}

static const struct conn_ops plain_ops = {
	.recv = plain_recv,
	.send = plain_send,
	.sendfile = plain_sendfile,
	.close = plain_close,
};

int
conn_plain_new(int fd, struct conn **out)
{
	struct conn *c;

	if (fd < 0)
		return FTP_E_USAGE;
	if ((c = malloc(sizeof(*c))) == NULL) {
		(void)close(fd);
		return FTP_E_NOMEM;
	}
	c->ops = &plain_ops;
	c->fd = fd;
	c->timeout = 0;
	c->timeout_known = false;
	*out = c;
	return FTP_OK;
}

int
conn_set_timeout(struct conn *c, unsigned seconds)
{
	struct timeval tv = { .tv_sec = (time_t)seconds, .tv_usec = 0 };

	if (c->timeout_known && c->timeout == seconds)
		return FTP_OK;
	c->timeout_known = false;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return ftp_err_from_errno(errno);
	c->timeout = seconds;
	c->timeout_known = true;
	return FTP_OK;
}

int
conn_recv(struct conn *c, void *dst, size_t cap, size_t *got)
{
	return c->ops->recv(c, dst, cap, got);
}

int
conn_send(struct conn *c, struct iovec *iov, int n)
{
	return c->ops->send(c, iov, n);
}

int
conn_sendfile(struct conn *c, int fd, uint64_t off, uint64_t len)
{
	return c->ops->sendfile(c, fd, off, len);
}

bool
conn_pending(const struct conn *c)
{
	return c->ops->pending != NULL && c->ops->pending(c);
}

void
conn_close(struct conn *c)
{
	if (c != NULL)
		c->ops->close(c);
}

void
conn_wake(struct conn *c)
{
	/* Fails only if the socket is already gone or unconnected; either
	 * way there is no reader left to wake. */
	(void)shutdown(c->fd, SHUT_RD);
}
