/*
 * cmd_put.c - PUT: OK, then DATA frames into a hidden upload, committed
 * only on an END that matches the announced size.
 *
 * Whatever ends a PUT early (a protocol error, a timeout, the peer going
 * away, shutdown) aborts the upload, so no partial file is ever visible.
 * A storage failure mid-stream (or no memory for the next frame) is
 * answered at once, and the rest of the stream is read and dropped up to
 * END.  With checksums negotiated, the CRC-32C of the bytes received must
 * equal the one in END, or nothing is committed (ERROR CHECKSUM).
 *
 * With resume negotiated every PUT goes to the target's resumable upload,
 * which an interrupted stream leaves in place; a PUT with the RESUME flag
 * continues it: READY says how many bytes are already there and their sum,
 * the client sends the rest (or abandons it with an empty END).
 *
 * A PUT with the COMPRESS flag may send COMPRESSED DATA frames: each is
 * inflated here, capped at the frame limit and at the bytes still due, so
 * a bomb is a protocol error before it costs more than one frame's worth.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "crc32c.h"

#include "buf.h"
#include "chan.h"
#include "compress.h"
#include "conn.h"
#include "err.h"
#include "proto_limits.h"
#include "msg.h"
#include "options.h"
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
	bool compress;     /* this PUT has the COMPRESS flag */
	uint32_t crc;      /* CRC-32C of the bytes received so far */
	uint32_t end_crc;  /* END's crc */
	int serr;          /* storage failure, negative errno, or 0 */
	int verr;          /* FTP_E_CHECKSUM once the sums disagreed */
	bool aborted;      /* the client sent ABORT (feature ABORT) */
	struct timespec t0;
	struct zs *z;         /* inflater, for a PUT with the COMPRESS flag */
	uint8_t *zbuf;        /* one inflated frame */
	const uint8_t *data;  /* the last DATA frame's file bytes */
	size_t len;
	uint64_t wire;        /* DATA frame bytes received, headers included */
};

/* The file bytes of a DATA frame, inflated if COMPRESSED, and counted
 * against the announced size. */
static int
put_data(struct session *s, struct put *p, struct frame *f)
{
	uint64_t left = p->size - p->base - p->received;
	size_t cap = left < PROTO_FRAME_MAX ? (size_t)left : PROTO_FRAME_MAX;
	int r;

	p->wire += PROTO_HEADER_SIZE + (uint64_t)buf_len(&f->body);
	p->data = buf_ptr(&f->body);
	p->len = buf_len(&f->body);
	if ((f->flags & PROTO_FLAG_COMPRESSED) == 0) {
		if (p->len > left)
			return session_fail(s, FTP_E_BAD_VALUE, "PUT sent more "
			    "than the %llu bytes announced",
			    (unsigned long long)p->size);
	} else if (p->z == NULL) {
		return session_fail(s, FTP_E_BAD_FLAGS, "COMPRESSED DATA in "
		    "a PUT without the COMPRESS flag");
	} else {
		r = zs_inflate_frame(p->z, p->data, p->len, p->zbuf, cap,
		    &p->len);
		if (r == FTP_E_FRAME_SIZE)
			return session_fail(s, r, "COMPRESSED DATA inflates "
			    "past %zu bytes (frame limit, or the rest of the "
			    "%llu announced)", cap,
			    (unsigned long long)p->size);
		if (r != FTP_OK)
			return session_fail(s, r, "bad COMPRESSED DATA: %s",
			    ftp_strerror(r));
		p->data = p->zbuf;
	}
	p->received += p->len;
	return FTP_OK;
}

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
		return session_fail(s, r, "timed out: PUT stalled for %u s",
		    s->cfg->stall_timeout);
	if (r != FTP_OK)
		return session_fail(s, r, "during PUT: %s", ftp_strerror(r));
	if (f->type != PROTO_DATA && f->type != PROTO_END &&
	    (f->type != PROTO_ABORT ||
	    (s->features & PROTO_FEATURE_ABORT) == 0))
		return session_fail(s, FTP_E_BAD_TYPE, "%s frame during PUT "
		    "(expected DATA or END)", session_type_name(f->type, name));
	if (f->id != p->id)
		return session_fail(s, FTP_E_BAD_ID, "frame id %lu during PUT "
		    "%lu", (unsigned long)f->id, (unsigned long)p->id);
	*is_end = f->type != PROTO_DATA;
	if (f->type == PROTO_ABORT) {
		p->aborted = true;
		if ((r = msg_get_empty(&f->body)) != FTP_OK)
			return session_fail(s, r, "bad ABORT: %s",
			    ftp_strerror(r));
		return FTP_OK;
	}
	if (*is_end) {
		if ((r = msg_get_end(&f->body, &end, p->sum)) != FTP_OK)
			return session_fail(s, r, "bad END: %s",
			    ftp_strerror(r));
		p->count = end.count;
		p->end_crc = end.crc;
		return FTP_OK;
	}
	return put_data(s, p, f);
}

/* Receives DATA into the upload until END or a storage failure. */
static int
put_receive(struct session *s, struct put *p)
{
	struct frame f;
	bool is_end = false;
	int r;

	while ((r = put_next(s, p, &f, &is_end)) == FTP_OK && !is_end) {
		if (p->len == 0)
			continue;
		if (p->sum)
			p->crc = crc32c_update(p->crc, p->data, p->len);
		p->serr = stor_upload_write(p->up, p->data, p->len);
		if (p->serr < 0)
			break;
		/* Reading more slowly is the pacing: an ABORT queued
		 * behind DATA already sent waits its turn. */
		session_pace(s, &p->t0, p->received, false);
	}
	/* No memory for the next frame, or to inflate one: the stream is
	 * still in step (the frame was either not begun or read whole), so
	 * this is answered like a storage failure, and the rest discarded
	 * if memory allows by then. */
	if (r == FTP_E_NOMEM) {
		p->serr = -ENOMEM;
		r = FTP_OK;
	}
	return r;
}

/* After a failure was answered: drops the rest of the stream up to END
 * (or ABORT). */
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

	if (p->base == 0)
		return 0;
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
	r = conn_set_timeout(chan_conn(s->ch), s->cfg->stall_timeout);
	if (r != FTP_OK)
		return session_fail(s, r, "cannot set timeout");
	if ((r = put_receive(s, p)) != FTP_OK)
		return r;
	if (p->aborted) {
		/* Not kept for a resume: the client said it wants none. */
		stor_upload_abort(p->up);
		p->up = NULL;
		p->verr = FTP_E_ABORTED;
		return reply_error(s, p->id, FTP_E_ABORTED, "upload of %s "
		    "aborted by the client; nothing stored", path);
	}
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
	/* Bytes kept from an earlier attempt stay for a later resume; an
	 * upload this PUT just made (or emptied) holds nothing worth it. */
	if (p->up != NULL && stor_upload_size(p->up) > 0)
		stor_upload_keep(p->up);
	else if (p->up != NULL)
		stor_upload_abort(p->up);
	p->up = NULL;
	if (p->serr == -EBUSY)
		return reply_error(s, p->id, FTP_E_BUSY, "another upload to "
		    "%s is in progress", path);
	return reply_stor_error(s, p->id, p->serr, path);
}

/* The inflater of a PUT with the COMPRESS flag, made before the go-ahead:
 * running out of memory then refuses the PUT instead of breaking its
 * stream.  A negative errno, as the store's failures are. */
static int
put_inflater(struct put *p)
{
	int r;

	if (!p->compress)
		return 0;
	if ((r = zs_inflater_new(&p->z)) != FTP_OK)
		return r == FTP_E_NOMEM ? -ENOMEM : -ENOTRECOVERABLE;
	if ((p->zbuf = malloc(PROTO_FRAME_MAX)) == NULL)
		return -ENOMEM;
	return 0;
}

static int
put_run(struct session *s, struct put *p, const char *path)
{
	int r;

	if ((p->serr = put_begin(s, p, path)) < 0 ||
	    (p->serr = put_inflater(p)) < 0) {
		r = put_refuse(s, p, path);
		goto out;
	}
	r = put_stream(s, p, path);
	/* Anything that ended the stream early leaves the upload here: kept
	 * for a later resume when it can be, else removed. */
	if (p->up != NULL && p->resumable)
		stor_upload_keep(p->up);
	else if (p->up != NULL)
		stor_upload_abort(p->up);
	chan_set_frame_max(s->ch, PROTO_CONTROL_MAX);
	chan_shrink(s->ch);
	session_log_data(s, "PUT", path, p->received, p->wire, &p->t0,
	    put_result(p, r));
out:
	zs_free(p->z);
	free(p->zbuf);
	return r;
}

int
cmd_put(struct session *s, struct frame *f)
{
	struct msg_put m;
	struct put p = {.id = f->id};
	uint32_t known;
	int r;

	if ((r = msg_get_put(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad PUT: %s", ftp_strerror(r));
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	p.sum = (s->features & PROTO_FEATURE_CHECKSUM) != 0;
	p.resumable = (s->features & PROTO_FEATURE_RESUME) != 0;
	known = (p.resumable ? PROTO_PUT_RESUME : 0) |
	    ((s->features & PROTO_FEATURE_COMPRESS) != 0 ? PROTO_PUT_COMPRESS :
	    0);
	if ((m.flags & ~known) != 0) {
		session_log_transfer(s, "PUT", m.path, "bytes", 0, &p.t0,
		    ftp_errname(FTP_E_UNSUPPORTED));
		return reply_error(s, f->id, FTP_E_UNSUPPORTED, "PUT flags "
		    "0x%lx are not supported%s", (unsigned long)m.flags,
		    p.resumable ? "" : " (RESUME needs the resume feature)");
	}
	p.resume = (m.flags & PROTO_PUT_RESUME) != 0;
	p.compress = (m.flags & PROTO_PUT_COMPRESS) != 0;
	p.size = m.size;
	return put_run(s, &p, m.path);
}
