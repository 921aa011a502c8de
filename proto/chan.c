/*
 * chan.c - a framed channel: the socket loop around the frame decoder, and
 * frame senders that write a header and its body in one go.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "conn.h"

#include "chan.h"
#include "err.h"
#include "proto_limits.h"
#include "msg.h"

/* An ERROR body: status, message length, message. */
#define CHAN_ERROR_BODY_MAX (2 + 2 + PROTO_MESSAGE_MAX)

struct chan {
	struct conn *conn;
	struct frame_decoder dec;
	/* Header scratch, kept so that sending a frame allocates nothing. */
	struct buf hdr;
	/* ERROR body scratch, allocated up front: the answer to running out
	 * of memory must not need memory.  Only the owning thread sends. */
	struct buf err;
	bool has_deadline;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	unsigned frame_timeout;   /* seconds for each chan_recv(); 0: none */
};

int
chan_new(struct conn *conn, uint32_t frame_max, struct chan **out)
{
	struct chan *ch;
	uint8_t *p;

	if ((ch = calloc(1, sizeof(*ch))) == NULL) {
		conn_close(conn);
		return FTP_E_NOMEM;
	}
	ch->conn = conn;
	frame_decoder_init(&ch->dec, frame_max);
	buf_init(&ch->hdr, PROTO_HEADER_SIZE);
	buf_init(&ch->err, CHAN_ERROR_BODY_MAX);
	if (buf_reserve(&ch->hdr, PROTO_HEADER_SIZE, &p) != FTP_OK ||
	    buf_reserve(&ch->err, CHAN_ERROR_BODY_MAX, &p) != FTP_OK) {
		chan_free(ch);
		return FTP_E_NOMEM;
	}
	*out = ch;
	return FTP_OK;
}

void
chan_free(struct chan *ch)
{
	if (ch == NULL)
		return;
	frame_decoder_free(&ch->dec);
	buf_free(&ch->hdr);
	buf_free(&ch->err);
	conn_close(ch->conn);
	free(ch);
}

struct conn *
chan_conn(struct chan *ch)
{
	return ch->conn;
}

void
chan_set_frame_max(struct chan *ch, uint32_t frame_max)
{
	frame_decoder_set_max(&ch->dec, frame_max);
}

void
chan_set_deadline(struct chan *ch, unsigned seconds)
{
	ch->has_deadline = seconds > 0;
	if (!ch->has_deadline)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ch->deadline);
	ch->deadline.tv_sec += seconds;
}

void
chan_set_frame_timeout(struct chan *ch, unsigned seconds)
{
	ch->frame_timeout = seconds;
}

/* The sooner of the channel's deadline and this frame's, if any. */
static bool
recv_deadline(const struct chan *ch, struct timespec *out)
{
	struct timespec frame;

	if (ch->frame_timeout == 0) {
		*out = ch->deadline;
		return ch->has_deadline;
	}
	clock_gettime(CLOCK_MONOTONIC, &frame);
	frame.tv_sec += ch->frame_timeout;
	*out = frame;
	if (ch->has_deadline && (ch->deadline.tv_sec < frame.tv_sec ||
	    (ch->deadline.tv_sec == frame.tv_sec &&
	    ch->deadline.tv_nsec < frame.tv_nsec)))
		*out = ch->deadline;
	return true;
}

/* Shortens the transport's timeout to what is left before the deadline, so
 * a peer trickling a byte at a time cannot stretch a bounded wait. */
static int
apply_deadline(struct chan *ch, const struct timespec *deadline)
{
	struct timespec now;
	time_t left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left = deadline->tv_sec - now.tv_sec;
	if (deadline->tv_nsec > now.tv_nsec)
		left++; /* round up: a fraction of a second still counts */
	if (left <= 0)
		return FTP_E_TIMEOUT;
	return conn_set_timeout(ch->conn, (unsigned)left);
}

int
chan_recv(struct chan *ch, struct frame *f)
{
	struct timespec deadline;
	bool bounded = recv_deadline(ch, &deadline);
	uint8_t *space;
	size_t len, got;
	int r;

	while ((r = frame_decoder_next(&ch->dec, f)) == FTP_E_AGAIN) {
		if ((r = frame_decoder_space(&ch->dec, &space, &len)) != FTP_OK)
			break;
		if (bounded && (r = apply_deadline(ch, &deadline)) != FTP_OK)
			break;
		r = conn_recv(ch->conn, space, len, &got);
		if (r == FTP_E_CLOSED && !frame_decoder_idle(&ch->dec))
			r = FTP_E_PROTOCOL;
		if (r != FTP_OK)
			break;
		if ((r = frame_decoder_commit(&ch->dec, got)) != FTP_OK)
			break;
	}
	return r;
}

bool
chan_readable(struct chan *ch)
{
	struct pollfd p = { .fd = ch->conn->fd, .events = POLLIN };

	if (frame_decoder_ready(&ch->dec) || conn_pending(ch->conn))
		return true;
	return poll(&p, 1, 0) > 0 && p.revents != 0;
}

int
chan_wait_readable(struct chan *ch, unsigned seconds)
{
	struct pollfd p = { .fd = ch->conn->fd, .events = POLLIN };
	int n;

	if (chan_readable(ch))
		return FTP_OK;
	/* EINTR is not retried: ftpc's Ctrl-C must end the wait (sessions
	 * block the signals, so never see it). */
	n = poll(&p, 1, seconds > INT_MAX / 1000 ? INT_MAX : (int)seconds *
	    1000);
	if (n < 0)
		return ftp_err_from_errno(errno);
	return n == 0 ? FTP_E_TIMEOUT : FTP_OK;
}

/* Writes the header for a body of len bytes into the scratch buffer. */
static int
header(struct chan *ch, uint8_t type, uint8_t flags, uint32_t id, size_t len)
{
	buf_reset(&ch->hdr);
	return frame_put_header(&ch->hdr, type, flags, id, len);
}

void
chan_allow_flags(struct chan *ch, uint8_t flags)
{
	frame_decoder_allow_flags(&ch->dec, flags);
}

static int
send_frame(struct chan *ch, uint8_t type, uint8_t flags, uint32_t id,
	   const void *data, size_t len)
{
	struct iovec iov[2];
	int r;

	if ((r = header(ch, type, flags, id, len)) != FTP_OK)
		return r;
	iov[0].iov_base = (void *)(uintptr_t)buf_ptr(&ch->hdr);
	iov[0].iov_len = buf_len(&ch->hdr);
	/* sendmsg(2) only reads through iov_base, hence the cast. */
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	return conn_send(ch->conn, iov, len > 0 ? 2 : 1);
}

int
chan_send_raw(struct chan *ch, uint8_t type, uint32_t id, const void *data,
	      size_t len)
{
	return send_frame(ch, type, PROTO_FLAGS_NONE, id, data, len);
}

int
chan_send_data(struct chan *ch, uint32_t id, uint8_t flags, const void *data,
	       size_t len)
{
	return send_frame(ch, PROTO_DATA, flags, id, data, len);
}

int
chan_send(struct chan *ch, uint8_t type, uint32_t id, const struct buf *body)
{
	if (body == NULL)
		return chan_send_raw(ch, type, id, NULL, 0);
	return chan_send_raw(ch, type, id, buf_ptr(body), buf_len(body));
}

/* Holds back partial segments so the header travels with the first file
 * bytes.  Best effort: a transport that is not TCP just sends as is. */
static void
cork(struct chan *ch, int on)
{
	(void)setsockopt(ch->conn->fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

int
chan_send_file(struct chan *ch, uint32_t id, int fd, uint64_t off,
	       uint32_t len)
{
	struct iovec iov;
	int r;

	if ((r = header(ch, PROTO_DATA, PROTO_FLAGS_NONE, id, len)) !=
	    FTP_OK)
		return r;
	iov.iov_base = (void *)(uintptr_t)buf_ptr(&ch->hdr);
	iov.iov_len = buf_len(&ch->hdr);
	if (len == 0)
		return conn_send(ch->conn, &iov, 1);
	cork(ch, 1);
	if ((r = conn_send(ch->conn, &iov, 1)) != FTP_OK)
		goto out;
	r = conn_sendfile(ch->conn, fd, off, len);
out:
	cork(ch, 0);
	return r;
}

int
chan_send_error(struct chan *ch, uint32_t id, int err, const char *message)
{
	int r;

	if (message == NULL)
		message = ftp_strerror(err);
	buf_reset(&ch->err);
	r = msg_put_error(&ch->err, ftp_err_to_status(err), message);
	/* A message that is not UTF-8 still gets the error across. */
	if (r == FTP_E_BAD_STRING) {
		buf_reset(&ch->err);
		r = msg_put_error(&ch->err, ftp_err_to_status(err),
				  ftp_strerror(err));
	}
	if (r != FTP_OK)
		return r;
	return chan_send(ch, PROTO_ERROR, id, &ch->err);
}

void
chan_shrink(struct chan *ch)
{
	frame_decoder_shrink(&ch->dec);
}
