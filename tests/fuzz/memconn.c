/*
 * memconn.c - the in-memory transport of memconn.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "err.h"
#include "frame.h"
#include "fuzz.h"
#include "memconn.h"
#include "proto_limits.h"

/* sendfile(2) stand-in: the file is read in pieces this large. */
#define MEMCONN_FILE_CHUNK (64u * 1024u)

struct memconn {
	struct conn base;
	int peer;               /* the socketpair's other end, or -1 */
	const uint8_t *data;
	size_t len;
	size_t pos;             /* bytes read so far */
	size_t frame_end;       /* where the frame being delivered ends */
	enum memconn_peer kind;
	bool answered;          /* sent something since the peer waited */
	memconn_sent_fn sent;
	void *arg;
};

static void
peer_close(struct memconn *m)
{
	if (m->peer >= 0)
		close(m->peer);
	m->peer = -1;
}

/* At a frame boundary: where the next frame ends, by its header, and
 * whether the peer waited for us before sending it. */
static void
next_frame(struct memconn *m)
{
	size_t left = m->len - m->pos;
	uint64_t body;

	if (m->kind == MEMCONN_SERVER || left < PROTO_HEADER_SIZE ||
	    m->data[m->pos + 4] < PROTO_DATA)
		m->answered = false;
	if (left < PROTO_HEADER_SIZE) {
		m->frame_end = m->len;
		return;
	}
	body = fuzz_be32(m->data + m->pos);
	m->frame_end = body > left - PROTO_HEADER_SIZE ? m->len :
	    m->pos + PROTO_HEADER_SIZE + (size_t)body;
}

static int
mc_recv(struct conn *c, void *dst, size_t cap, size_t *got)
{
	struct memconn *m = (struct memconn *)c;
	size_t n;

	FUZZ_CHECK(cap > 0, "recv with no room");
	if (m->kind == MEMCONN_SERVER)
		m->answered = false;
	if (m->pos == m->len) {
		peer_close(m);
		return FTP_E_CLOSED;
	}
	if (m->pos == m->frame_end)
		next_frame(m);
	n = m->frame_end - m->pos;
	if (n > cap)
		n = cap;
	memcpy(dst, m->data + m->pos, n);
	m->pos += n;
	*got = n;
	return FTP_OK;
}

static int
mc_send(struct conn *c, struct iovec *iov, int n)
{
	struct memconn *m = (struct memconn *)c;

	for (int i = 0; i < n; i++)
		if (m->sent != NULL && iov[i].iov_len > 0)
			m->sent(m->arg, iov[i].iov_base, iov[i].iov_len);
	m->answered = true;
	return FTP_OK;
}

/* Reads the range as sendfile(2) would, so a file that ends early is
 * FTP_E_CHANGED here too. */
static int
mc_sendfile(struct conn *c, int fd, uint64_t off, uint64_t len)
{
	struct memconn *m = (struct memconn *)c;
	uint8_t *tmp;
	ssize_t got;
	int r = FTP_OK;

	m->answered = true;
	if ((tmp = malloc(MEMCONN_FILE_CHUNK)) == NULL)
		return FTP_E_NOMEM;
	while (len > 0) {
		got = pread(fd, tmp, len < MEMCONN_FILE_CHUNK ? (size_t)len :
		    MEMCONN_FILE_CHUNK, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = ftp_err_from_errno(errno);
			break;
		}
		if (got == 0) {
			r = FTP_E_CHANGED;
			break;
		}
		if (m->sent != NULL)
			m->sent(m->arg, tmp, (size_t)got);
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	free(tmp);
	return r;
}

static void
mc_close(struct conn *c)
{
	struct memconn *m = (struct memconn *)c;

	peer_close(m);
	close(m->base.fd);
	free(m);
}

static bool
mc_pending(const struct conn *c)
{
	return ((const struct memconn *)c)->answered;
}

static const struct conn_ops memconn_ops = {
	.recv = mc_recv,
	.send = mc_send,
	.sendfile = mc_sendfile,
	.close = mc_close,
	.pending = mc_pending,
};

int
memconn_new(const uint8_t *data, size_t len, enum memconn_peer peer,
	    memconn_sent_fn sent, void *arg, struct conn **out)
{
	struct memconn *m;
	int sv[2];

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return FTP_E_NOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		free(m);
		return FTP_E_SYSTEM;
	}
	m->base.ops = &memconn_ops;
	m->base.fd = sv[0];
	m->peer = sv[1];
	m->data = data;
	m->len = len;
	m->kind = peer;
	m->sent = sent;
	m->arg = arg;
	*out = &m->base;
	return FTP_OK;
}

size_t
memconn_consumed(const struct conn *c)
{
	return ((const struct memconn *)c)->pos;
}
