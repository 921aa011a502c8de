/*
 * cmd_put.c - PUT: OK, then DATA frames into a hidden upload, committed
 * only on an END that matches the announced size.
 *
 * Whatever ends a PUT early (a protocol error, a timeout, the peer going
 * away, shutdown) aborts the upload, so no partial file is ever visible.
 * A storage failure mid-stream is answered at once, and the rest of the
 * stream is read and dropped up to END.  With checksums negotiated, the
 * CRC-32C of the bytes received must equal the one in END, or nothing is
 * committed (ERROR CHECKSUM).
 *
 * With resume negotiated every PUT goes to the target's resumable upload,
 * which an interrupted stream leaves in place; a PUT with the RESUME flag
 * continues it: READY says how many bytes are already there and their sum,
 * the client sends the rest (or abandons it with an empty END).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "crc32c.h"

#include "buf.h"
#include "chan.h"
#include "conn.h"
#include "err.h"
#include "proto_limits.h"
#include "msg.h"
#include "reply.h"
#include "session.h"
#include "store.h"

struct put {
	struct stor_upload *up; /* NULL once committed or aborted */
	uint32_t id;
	uint64_t size;     /* announced */
	uint64_t base;     /* bytes kept from an earlier attempt (READY) */
	uint64_t received; /* DATA bytes so far (also while discarding) */
	uint64_t count;    /* END's count */
	bool sum;          /* checksums negotiated: END carries a crc */
	bool resumable;    /* resume negotiated: the upload is kept */
	bool resume;       /* this PUT has the RESUME flag */
	uint32_t crc;      /* CRC-32C of the bytes received so far */
	uint32_t end_crc;  /* END's crc */
	int serr;          /* storage failure, negative errno, or 0 */
	int verr;          /* FTP_E_CHECKSUM once the sums disagreed */
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

	/* Shutdown lets an upload go on until its grace period is over. */
	if (session_aborting(s))
		return session_fail(s, FTP_E_SHUTDOWN, "server shutting down: "
		    "upload aborted after the grace period");
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
		if ((r = msg_get_end(&f->body, &end, p->sum)) != FTP_OK)
			return session_fail(s, r, "bad END: %s",
			    ftp_strerror(r));
		p->count = end.count;
		p->end_crc = end.crc;
		return FTP_OK;
	}
	if (buf_len(&f->body) > p->size - p->base - p->received)
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
		if (p->sum)
			p->crc = crc32c_update(p->crc, buf_ptr(&f.body),
			    buf_len(&f.body));
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
	if (p->base > 0 && p->count == 0 && p->received == 0) {
		/* The client's copy differs from what we kept: abandoned. */
		stor_upload_abort(up);
		p->verr = FTP_E_ABORTED;
		return reply_error(s, p->id, FTP_E_ABORTED, "resumed upload of "
		    "%s abandoned; its %llu kept bytes are discarded", path,
		    (unsigned long long)p->base);
	}
	if (p->count != p->size - p->base ||
	    p->received != p->size - p->base) {
		stor_upload_abort(up);
		return session_fail(s, FTP_E_BAD_VALUE, "PUT announced %llu "
		    "bytes from %llu, sent %llu, END counted %llu",
		    (unsigned long long)p->size, (unsigned long long)p->base,
		    (unsigned long long)p->received,
		    (unsigned long long)p->count);
	}
	if (p->sum && p->crc != p->end_crc) {
		stor_upload_abort(up);
		p->verr = FTP_E_CHECKSUM;
		return reply_error(s, p->id, FTP_E_CHECKSUM, "checksum "
		    "mismatch: END says CRC-32C %08lx, the %llu bytes received "
		    "have %08lx; %s not stored", (unsigned long)p->end_crc,
		    (unsigned long long)(p->base + p->received),
		    (unsigned long)p->crc, path);
	}
	/* Cached for GET; without it a GET computes the sum itself. */
	if (p->sum)
		(void)stor_upload_set_sum(up, p->crc);
	if ((p->serr = stor_upload_commit(up)) < 0)
		return reply_stor_error(s, p->id, p->serr, path);
	return reply_send(s, PROTO_OK, p->id, NULL);
}

/* The sum of the kept bytes, read back from the upload; -ECANCELED when
 * the server stops or the client goes meanwhile (the session then ends at
 * its next read). */
static int
put_base_sum(struct session *s, struct put *p)
{
	uint8_t *tmp;
	uint64_t at = 0;
	size_t got;
	int r = 0;

	if ((tmp = malloc(PROTO_DATA_CHUNK)) == NULL)
		return -ENOMEM;
	while (at < p->base && r == 0) {
		if (session_still_wanted(s) != FTP_OK) {
			r = -ECANCELED;
			break;
		}
		r = stor_upload_pread(p->up, tmp, p->base - at <
		    PROTO_DATA_CHUNK ? (size_t)(p->base - at) :
		    PROTO_DATA_CHUNK, at, &got);
		if (r == 0 && got == 0)
			r = -EIO;
		if (r == 0)
			p->crc = crc32c_update(p->crc, tmp, got);
		at += got;
	}
	free(tmp);
	return r;
}

/* The go-ahead: OK, or READY with the kept bytes for a RESUME PUT. */
static int
put_go(struct session *s, struct put *p)
{
	struct msg_ready ready;
	struct buf b;
	int r;

	if (!p->resume)
		return reply_send(s, PROTO_OK, p->id, NULL);
	ready.offset = p->base;
	ready.crc = p->crc;
	buf_init(&b, PROTO_CONTROL_MAX);
	if ((r = msg_put_ready(&b, &ready)) == FTP_OK)
		r = reply_send(s, PROTO_READY, p->id, &b);
	buf_free(&b);
	return r;
}

static int
put_stream(struct session *s, struct put *p, const char *path)
{
	int r;

	if ((r = put_go(s, p)) != FTP_OK)
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
	if (p->verr < 0)
		return ftp_errname(p->verr);
	return "ok";
}

/* Opens the upload: a resumable one when resume was negotiated, holding
 * the kept bytes (p->base, summed) only for a RESUME PUT.  A kept upload
 * as long as the file or longer cannot be continued, so is emptied: after
 * READY an empty END always means "abandon". */
static int
put_begin(struct session *s, struct put *p, const char *path)
{
	int r;

	if (!p->resumable)
		return stor_upload_begin(s->store, path, &p->up);
	if ((r = stor_upload_begin_resumable(s->store, path, !p->resume,
	    &p->up, &p->base)) < 0)
		return r;
	if (p->base > 0 && p->base >= p->size) {
		p->base = 0;
		if ((r = stor_upload_truncate(p->up)) < 0)
			return r;
	}
	return put_base_sum(s, p);
}

static int
put_refuse(struct session *s, struct put *p, const char *path)
{
	session_log_transfer(s, "PUT", path, "bytes", 0, &p->t0,
	    put_result(p, FTP_OK));
	if (p->up != NULL)
		stor_upload_keep(p->up);
	p->up = NULL;
	if (p->serr == -EBUSY)
		return reply_error(s, p->id, FTP_E_BUSY, "another upload to "
		    "%s is in progress", path);
	return reply_stor_error(s, p->id, p->serr, path);
}

static int
put_run(struct session *s, struct put *p, const char *path)
{
	int r;

	if ((p->serr = put_begin(s, p, path)) < 0)
		return put_refuse(s, p, path);
	r = put_stream(s, p, path);
	/* Anything that ended the stream early leaves the upload here: kept
	 * for a later resume when it can be, else removed. */
	if (p->up != NULL && p->resumable)
		stor_upload_keep(p->up);
	else if (p->up != NULL)
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
	p.sum = (s->features & PROTO_FEATURE_CHECKSUM) != 0;
	p.resumable = (s->features & PROTO_FEATURE_RESUME) != 0;
	if (m.flags != 0 && (m.flags != PROTO_PUT_RESUME || !p.resumable)) {
		session_log_transfer(s, "PUT", m.path, "bytes", 0, &p.t0,
		    ftp_errname(FTP_E_UNSUPPORTED));
		return reply_error(s, f->id, FTP_E_UNSUPPORTED, "PUT flags "
		    "0x%lx are not supported%s", (unsigned long)m.flags,
		    p.resumable ? "" : " (RESUME needs the resume feature)");
	}
	p.resume = (m.flags & PROTO_PUT_RESUME) != 0;
	p.size = m.size;
	return put_run(s, &p, m.path);
}
