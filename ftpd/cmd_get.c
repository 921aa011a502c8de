/*
 * cmd_get.c - GET: FILE, the bytes from the requested offset in DATA
 * frames of at most PROTO_DATA_CHUNK, then END.
 *
 * Bytes go from the store to the socket with sendfile(2) when the store
 * has a descriptor; otherwise through one chunk-sized buffer that lives
 * only for the transfer.  With checksums negotiated, END carries the
 * CRC-32C of the whole file: the store's cached value when it has a valid
 * one (sendfile stays), else computed here from the very bytes sent, read
 * into the buffer (never mmap: a concurrent truncate would SIGBUS the
 * daemon), and cached for the next GET.
 *
 * A GET with the COMPRESS flag reads every chunk into the buffer and sends
 * it COMPRESSED when deflate shrinks it enough, raw otherwise
 * (proto/compress.h decides); without the flag nothing here changes.
 */
#include <stdlib.h>

#include "buf.h"
#include "crc32c.h"
#include "chan.h"
#include "compress.h"
#include "conn.h"
#include "err.h"
#include "log.h"
#include "proto_limits.h"
#include "msg.h"
#include "options.h"
#include "reply.h"
#include "session.h"
#include "store.h"

struct get {
	struct stor_file *file;
	uint32_t id;
	uint64_t off;  /* next byte to send */
	uint64_t size; /* file size when it was opened */
	uint8_t *tmp;  /* pread buffer (no descriptor, or summing) */
	bool sum;      /* END carries the whole file's CRC-32C */
	bool cached;   /* the store knew it: nothing to compute */
	uint32_t crc;  /* the cached sum, or the running one from byte 0 */
	struct zs *z;  /* deflater, for a GET with the COMPRESS flag */
	uint8_t *zbuf; /* one compressed chunk */
	uint64_t wire; /* DATA frame bytes sent, headers included */
	bool started;  /* FILE is out: only the stream can end it now */
};

/* Up to len bytes at off into g->tmp; FTP_E_CHANGED if the file ended. */
static int
get_read(struct get *g, uint32_t len, uint64_t off, size_t *got)
{
	int r;

	if (g->tmp == NULL && (g->tmp = malloc(PROTO_DATA_CHUNK)) == NULL)
		return FTP_E_NOMEM;
	if ((r = stor_file_pread(g->file, g->tmp, len, off, got)) < 0)
		return reply_stor_code(r);
	if (*got == 0)
		return FTP_E_CHANGED;
	if (g->sum && !g->cached)
		g->crc = crc32c_update(g->crc, g->tmp, *got);
	return FTP_OK;
}

/* The sum of the bytes before the offset, which are not sent but are part
 * of the whole-file sum. */
static int
get_prefix(struct session *s, struct get *g)
{
	uint64_t at = 0;
	size_t got;
	int r;

	if (!g->sum || g->cached)
		return FTP_OK;
	while (at < g->off) {
		if ((r = session_abort_requested(s, g->id)) != FTP_OK ||
		    (r = session_still_wanted(s)) != FTP_OK)
			return r;
		r = get_read(g, g->off - at < PROTO_DATA_CHUNK ?
		    (uint32_t)(g->off - at) : PROTO_DATA_CHUNK, at, &got);
		if (r != FTP_OK)
			return r;
		at += got;
	}
	return FTP_OK;
}

/* The got bytes read into g->tmp as one DATA frame, COMPRESSED if that
 * is worth it. */
static int
get_chunk_z(struct session *s, struct get *g, size_t got)
{
	size_t zn;
	int r;

	if ((r = zs_deflate_chunk(g->z, g->tmp, got, g->zbuf, &zn)) != FTP_OK)
		return r;
	if (zn > 0)
		r = chan_send_data(s->ch, g->id, PROTO_FLAG_COMPRESSED,
		    g->zbuf, zn);
	else
		r = chan_send_raw(s->ch, PROTO_DATA, g->id, g->tmp, got);
	if (r == FTP_OK)
		g->off += got;
	g->wire += PROTO_HEADER_SIZE + (uint64_t)(zn > 0 ? zn : got);
	return r;
}

/* One DATA frame of up to len bytes at g->off; advances g->off. */
static int
get_chunk(struct session *s, struct get *g, uint32_t len)
{
	int fd = stor_file_fd(g->file);
	size_t got;
	int r;

	if (fd >= 0 && (!g->sum || g->cached) && g->z == NULL) {
		r = chan_send_file(s->ch, g->id, fd, g->off, len);
		if (r == FTP_OK)
			g->off += len;
		g->wire += PROTO_HEADER_SIZE + (uint64_t)len;
		return r;
	}
	if ((r = get_read(g, len, g->off, &got)) != FTP_OK)
		return r;
	if (g->z != NULL)
		return get_chunk_z(s, g, got);
	if ((r = chan_send_raw(s->ch, PROTO_DATA, g->id, g->tmp, got)) ==
	    FTP_OK)
		g->off += got;
	g->wire += PROTO_HEADER_SIZE + (uint64_t)got;
	return r;
}

static int
get_stream(struct session *s, struct get *g, const struct stor_info *info)
{
	struct msg_file mf;
	struct msg_end end = { .has_crc = g->sum };
	struct buf b;
	struct timespec t0;
	uint64_t left, first = g->off;
	int r;

	buf_init(&b, PROTO_CONTROL_MAX);
	reply_file(&mf, info, g->off);
	if ((r = get_prefix(s, g)) != FTP_OK ||
	    (r = msg_put_file(&b, &mf)) != FTP_OK ||
	    (r = reply_send(s, PROTO_FILE, g->id, &b)) != FTP_OK)
		goto out;
	g->started = true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((left = g->size - g->off) > 0) {
		/* After shutdown's grace: stop between frames, so the id-0
		 * ERROR SHUTDOWN that follows is still in step. */
		if (session_aborting(s)) {
			r = FTP_E_SHUTDOWN;
			goto out;
		}
		if ((r = session_abort_requested(s, g->id)) != FTP_OK)
			goto out;
		r = get_chunk(s, g, left < PROTO_DATA_CHUNK ? (uint32_t)left :
		    PROTO_DATA_CHUNK);
		/* Part of a frame may be out: the stream is out of step. */
		if (reply_sent(s, r) != FTP_OK)
			goto out;
		/* Woken by anything the client sends: with ABORT, that
		 * is read at once (above); without, nothing may come. */
		session_pace(s, &t0, g->off - first,
		    (s->features & PROTO_FEATURE_ABORT) != 0);
	}
	/* The cache is the server's own note on the file; --read-only
	 * promises no change at all, not even that. */
	if (g->sum && !g->cached && !s->cfg->read_only)
		(void)stor_file_set_sum(g->file, g->crc);
	buf_reset(&b);
	end.count = g->size - first;
	end.crc = g->crc;
	if ((r = msg_put_end(&b, &end)) == FTP_OK)
		r = reply_send(s, PROTO_END, g->id, &b);
out:
	buf_free(&b);
	return r;
}

/* The buffers the stream will need, taken before FILE goes out, so that
 * running out of memory refuses this GET rather than cutting its stream. */
static int
get_buffers(struct get *g)
{
	bool reads = stor_file_fd(g->file) < 0 || (g->sum && !g->cached) ||
	    g->z != NULL;

	if (reads && (g->tmp = malloc(PROTO_DATA_CHUNK)) == NULL)
		return FTP_E_NOMEM;
	if (g->z != NULL && (g->zbuf = malloc(PROTO_DATA_CHUNK)) == NULL)
		return FTP_E_NOMEM;
	return FTP_OK;
}

/* A failure of this GET alone (out of memory, the file unreadable or
 * shrinking while its prefix is summed), before FILE: answered with an
 * ERROR, and the session goes on. */
static int
get_refuse(struct session *s, uint32_t id, int err, const char *path)
{
	char esc[LOG_ESCAPE_SIZE];

	log_escape(esc, sizeof(esc), path);
	return reply_error(s, id, err, "%s: %s", ftp_strerror(err), esc);
}

static int
get_run(struct session *s, struct get *g, const char *path,
	const struct stor_info *info, const struct timespec *t0)
{
	uint64_t first = g->off;
	int r;

	g->size = info->size;
	r = conn_set_timeout(chan_conn(s->ch), s->cfg->stall_timeout);
	if (r == FTP_OK)
		r = get_buffers(g);
	if (r == FTP_OK)
		r = get_stream(s, g, info);
	free(g->tmp);
	free(g->zbuf);
	chan_shrink(s->ch);
	session_log_data(s, "GET", path, g->off - first, g->wire, t0,
	    r == FTP_OK ? "ok" : ftp_errname(r));
	/* Between frames, so the ERROR is in step and the session goes on. */
	if (r == FTP_E_ABORTED)
		return reply_error(s, g->id, r, "GET aborted by the client");
	/* Not when the session itself is ending: shutdown, the client gone
	 * (a checksum pass looks), a broken connection. */
	if (r != FTP_OK && !g->started && !s->broken &&
	    r != FTP_E_SHUTDOWN && r != FTP_E_CLOSED)
		return get_refuse(s, g->id, r, path);
	if (r == FTP_E_CHANGED)
		return session_fail(s, r, "GET: file changed while being sent");
	if (r == FTP_E_SHUTDOWN)
		return session_fail(s, r, "server shutting down: download "
		    "aborted after the grace period");
	if (r != FTP_OK)
		return session_fail(s, r, "GET failed: %s", ftp_strerror(r));
	return FTP_OK;
}

int
cmd_get(struct session *s, struct frame *f)
{
	struct msg_get m;
	struct stor_info info;
	struct get g = {.id = f->id};
	struct timespec t0;
	int r;

	if ((r = msg_get_get(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad GET: %s", ftp_strerror(r));
	/* The flags field is there exactly when COMPRESS was granted. */
	if (m.has_flags != ((s->features & PROTO_FEATURE_COMPRESS) != 0))
		return session_fail(s, m.has_flags ? FTP_E_TRAILING :
		    FTP_E_SHORT, "bad GET: flags field %s", m.has_flags ?
		    "without the compress feature" : "missing");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((m.flags & ~PROTO_GET_COMPRESS) != 0) {
		session_log_transfer(s, "GET", m.path, "bytes", 0, &t0,
		    ftp_errname(FTP_E_UNSUPPORTED));
		return reply_error(s, f->id, FTP_E_UNSUPPORTED, "GET flags "
		    "0x%lx are not supported", (unsigned long)m.flags);
	}
	if ((r = stor_open_read(s->store, m.path, &g.file, &info)) < 0) {
		session_log_transfer(s, "GET", m.path, "bytes", 0, &t0,
		    ftp_errname(reply_stor_code(r)));
		return reply_stor_error(s, f->id, r, m.path);
	}
	if (m.offset > info.size) {
		stor_file_close(g.file);
		session_log_transfer(s, "GET", m.path, "bytes", 0, &t0,
		    ftp_errname(FTP_E_TOO_LARGE));
		return reply_error(s, f->id, FTP_E_TOO_LARGE, "offset %llu is "
		    "past the end of the file (%llu bytes)",
		    (unsigned long long)m.offset,
		    (unsigned long long)info.size);
	}
	g.off = m.offset;
	g.sum = (s->features & PROTO_FEATURE_CHECKSUM) != 0;
	g.cached = g.sum && stor_file_get_sum(g.file, &g.crc) == 0;
	if ((m.flags & PROTO_GET_COMPRESS) != 0 &&
	    (r = zs_deflater_new(&g.z)) != FTP_OK) {
		stor_file_close(g.file);
		session_log_transfer(s, "GET", m.path, "bytes", 0, &t0,
		    ftp_errname(r));
		return get_refuse(s, f->id, r, m.path);
	}
	r = get_run(s, &g, m.path, &info, &t0);
	zs_free(g.z);
	stor_file_close(g.file);
	return r;
}
