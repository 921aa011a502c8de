/*
 * cmd_put.c - PUT: OK, then DATA frames into a hidden upload, committed
 * only on an END that matches the announced size.
 *
 * Whatever ends a PUT early (a protocol error, a timeout, the peer going
 * away, shutdown) aborts the upload, so no partial file is ever visible.
 * A storage failure mid-stream is answered at once, and the rest of the
 * stream is read and dropped up to END.
 */
#include <time.h>

#include "buf.h"
#include "chan.h"
#include "conn.h"
#include "err.h"
#include "proto_limits.h"
#include "msg.h"
#include "reply.h"
#include "server.h"
#include "session.h"
#include "store.h"

struct put {
	struct stor_upload *up; /* NULL once committed or aborted */
	uint32_t id;
	uint64_t size;     /* announced */
	uint64_t received; /* DATA bytes so far (also while discarding) */
	uint64_t count;    /* END's count */
	int serr;          /* storage failure, negative errno, or 0 */
	struct timespec t0;
};

/* The next frame of the stream; *is_end tells END from DATA.  DATA is
 * counted and checked against the announced size here. */
static int
put_next(struct session *s, struct put *p, struct frame *f, bool *is_end)
{
	char name[8];
	struct msg_end end;
	int r;

	if (server_stopping(s->srv))
		return session_fail(s, FTP_E_SHUTDOWN, "server shutting down");
	if ((r = chan_recv(s->ch, f)) == FTP_E_TIMEOUT)
		return session_fail(s, r, "timed out: PUT stalled for %d s",
		    FTPD_STALL_TIMEOUT);
	if (r != FTP_OK)
		return session_fail(s, r, "during PUT: %s", ftp_strerror(r));
	if (f->type != PROTO_DATA && f->type != PROTO_END)
		return session_fail(s, FTP_E_BAD_TYPE, "%s frame during PUT "
		    "(expected DATA or END)", session_type_name(f->type, name));
	if (f->id != p->id)
		return session_fail(s, FTP_E_BAD_ID, "frame id %lu during PUT "
		    "%lu", (unsigned long)f->id, (unsigned long)p->id);
	*is_end = f->type == PROTO_END;
	if (*is_end) {
		if ((r = msg_get_end(&f->body, &end)) != FTP_OK)
			return session_fail(s, r, "bad END: %s",
			    ftp_strerror(r));
		p->count = end.count;
		return FTP_OK;
	}
	if (buf_len(&f->body) > p->size - p->received)
		return session_fail(s, FTP_E_BAD_VALUE, "PUT sent more than "
		    "the %llu bytes announced", (unsigned long long)p->size);
	p->received += buf_len(&f->body);
	return FTP_OK;
}

/* Receives DATA into the upload until END or a storage failure. */
static int
put_receive(struct session *s, struct put *p)
{
	struct frame f;
	bool is_end = false;
	int r;

	while ((r = put_next(s, p, &f, &is_end)) == FTP_OK && !is_end) {
		if (buf_len(&f.body) == 0)
			continue;
		p->serr = stor_upload_write(p->up, buf_ptr(&f.body),
		    buf_len(&f.body));
		if (p->serr < 0)
			break;
	}
	return r;
}

/* After a failure was answered: drops the rest of the stream up to END. */
static int
put_discard(struct session *s, struct put *p)
{
	struct frame f;
	bool is_end = false;
	int r;

	while ((r = put_next(s, p, &f, &is_end)) == FTP_OK && !is_end)
		;
	return r;
}

/* END has arrived: commit if the totals agree, and answer. */
static int
put_finish(struct session *s, struct put *p, const char *path)
{
	struct stor_upload *up = p->up;

	p->up = NULL;
	if (p->count != p->size || p->received != p->size) {
		stor_upload_abort(up);
		return session_fail(s, FTP_E_BAD_VALUE, "PUT announced %llu "
		    "bytes, sent %llu, END counted %llu",
		    (unsigned long long)p->size,
		    (unsigned long long)p->received,
		    (unsigned long long)p->count);
	}
	if ((p->serr = stor_upload_commit(up)) < 0)
		return reply_stor_error(s, p->id, p->serr, path);
	return reply_send(s, PROTO_OK, p->id, NULL);
}

static int
put_stream(struct session *s, struct put *p, const char *path)
{
	int r;

	if ((r = reply_send(s, PROTO_OK, p->id, NULL)) != FTP_OK)
		return r;
	chan_set_frame_max(s->ch, PROTO_FRAME_MAX);
	if ((r = conn_set_timeout(chan_conn(s->ch), FTPD_STALL_TIMEOUT)) !=
	    FTP_OK)
		return session_fail(s, r, "cannot set timeout");
	if ((r = put_receive(s, p)) != FTP_OK)
		return r;
	if (p->serr == 0)
		return put_finish(s, p, path);
	/* A write failed before END: the final answer goes out now. */
	stor_upload_abort(p->up);
	p->up = NULL;
	if ((r = reply_stor_error(s, p->id, p->serr, path)) != FTP_OK)
		return r;
	return put_discard(s, p);
}

static const char *
put_result(const struct put *p, int r)
{
	if (r != FTP_OK)
		return ftp_errname(r);
	if (p->serr < 0)
		return ftp_errname(reply_stor_code(p->serr));
	return "ok";
}

static int
put_run(struct session *s, struct put *p, const char *path)
{
	int r;

	if ((p->serr = stor_upload_begin(s->store, path, &p->up)) < 0) {
		session_log_transfer(s, "PUT", path, "bytes", 0, &p->t0,
		    put_result(p, FTP_OK));
		return reply_stor_error(s, p->id, p->serr, path);
	}
	r = put_stream(s, p, path);
	/* Anything that ended the stream early leaves the upload here. */
	if (p->up != NULL)
		stor_upload_abort(p->up);
	chan_set_frame_max(s->ch, PROTO_CONTROL_MAX);
	chan_shrink(s->ch);
	session_log_transfer(s, "PUT", path, "bytes", p->received, &p->t0,
	    put_result(p, r));
	return r;
}

int
cmd_put(struct session *s, struct frame *f)
{
	struct msg_put m;
	struct put p = {.id = f->id};
	int r;

	if ((r = msg_get_put(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad PUT: %s", ftp_strerror(r));
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	if (m.flags != 0) {
		session_log_transfer(s, "PUT", m.path, "bytes", 0, &p.t0,
		    ftp_errname(FTP_E_UNSUPPORTED));
		return reply_error(s, f->id, FTP_E_UNSUPPORTED, "PUT flags "
		    "0x%lx are not supported", (unsigned long)m.flags);
	}
	p.size = m.size;
	return put_run(s, &p, m.path);
}
