/*
 * cmd_list.c - LIST: streams a directory as ENTRIES batches and an END.
 *
 * Entries go straight from the store's iterator into one batch buffer of at
 * most PROTO_CONTROL_MAX bytes, so no directory is ever held whole.
 */
#include <string.h>

#include "buf.h"
#include "chan.h"
#include "conn.h"
#include "err.h"
#include "proto_limits.h"
#include "msg.h"
#include "options.h"
#include "reply.h"
#include "session.h"
#include "store.h"

struct batch {
	struct buf b;
	struct msg_entries_writer w;
	uint64_t total; /* entries sent in earlier batches */
};

static int
batch_begin(struct batch *bt)
{
	buf_reset(&bt->b);
	return msg_entries_begin(&bt->b, &bt->w);
}

/* Sends the batch (if it holds anything) and starts the next one. */
static int
batch_flush(struct session *s, uint32_t id, struct batch *bt)
{
	int r;

	if (bt->w.count == 0)
		return FTP_OK;
	if ((r = msg_entries_finish(&bt->b, &bt->w)) != FTP_OK)
		return r;
	if ((r = reply_send(s, PROTO_ENTRIES, id, &bt->b)) != FTP_OK)
		return r;
	bt->total += bt->w.count;
	return batch_begin(bt);
}

static int
batch_add(struct session *s, uint32_t id, struct batch *bt,
	  const struct stor_entry *se)
{
	struct msg_entry e;
	int r;

	/* The wire carries UTF-8 only; other names cannot be named by a
	 * client anyway. */
	if (!utf8_valid(se->name, strlen(se->name)))
		return FTP_OK;
	reply_entry(&e, se);
	r = msg_entries_add(&bt->b, &bt->w, &e);
	if (r == FTP_E_BUF_LIMIT) {
		if ((r = batch_flush(s, id, bt)) != FTP_OK)
			return r;
		r = msg_entries_add(&bt->b, &bt->w, &e);
	}
	if (r == FTP_OK && bt->w.count == PROTO_LIST_BATCH)
		r = batch_flush(s, id, bt);
	return r;
}

/* Sends every entry then END.  A storage failure is left in *serr (the
 * caller answers it); the result is the channel's. */
static int
list_stream(struct session *s, uint32_t id, struct stor_dir *d,
	    struct batch *bt, int *serr)
{
	struct stor_entry se;
	struct msg_end end = { .has_crc = false };
	bool at_end = false;
	int r;

	if ((r = batch_begin(bt)) != FTP_OK)
		return r;
	for (;;) {
		if ((*serr = stor_list_next(d, &se, &at_end)) < 0)
			return FTP_OK;
		if (at_end)
			break;
		if ((r = batch_add(s, id, bt, &se)) != FTP_OK)
			return r;
	}
	if ((r = batch_flush(s, id, bt)) != FTP_OK)
		return r;
	buf_reset(&bt->b);
	end.count = bt->total;
	if ((r = msg_put_end(&bt->b, &end)) != FTP_OK)
		return r;
	return reply_send(s, PROTO_END, id, &bt->b);
}

static int
list_run(struct session *s, uint32_t id, const char *path,
	 const struct timespec *t0)
{
	struct batch bt = {.total = 0};
	struct stor_dir *d = NULL;
	int r, serr;

	if ((serr = stor_list_open(s->store, path, &d)) < 0) {
		session_log_transfer(s, "LIST", path, "entries", 0, t0,
		    ftp_errname(reply_stor_code(serr)));
		return reply_stor_error(s, id, serr, path);
	}
	buf_init(&bt.b, PROTO_CONTROL_MAX);
	r = conn_set_timeout(chan_conn(s->ch), s->cfg->stall_timeout);
	if (r == FTP_OK)
		r = list_stream(s, id, d, &bt, &serr);
	stor_list_close(d);
	buf_free(&bt.b);
	/* After ENTRIES went out an ERROR would break "ENTRIES* END or one
	 * ERROR"; as with a file that shrinks under GET, hang up instead. */
	if (r == FTP_OK && serr < 0 && bt.total > 0)
		r = session_fail(s, reply_stor_code(serr), "LIST failed after "
		    "%llu entries", (unsigned long long)bt.total);
	else if (r == FTP_OK && serr < 0)
		r = reply_stor_error(s, id, serr, path);
	session_log_transfer(s, "LIST", path, "entries", bt.total, t0,
	    r != FTP_OK ? ftp_errname(r) :
	    serr < 0 ? ftp_errname(reply_stor_code(serr)) : "ok");
	if (r != FTP_OK)
		return session_fail(s, r, "LIST failed: %s", ftp_strerror(r));
	return FTP_OK;
}

int
cmd_list(struct session *s, struct frame *f)
{
	struct msg_path m;
	struct timespec t0;
	int r;

	if ((r = msg_get_path(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad LIST: %s", ftp_strerror(r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	return list_run(s, f->id, m.path, &t0);
}
