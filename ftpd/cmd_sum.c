/*
 * cmd_sum.c - SUM (with the resume feature): the CRC-32C of the first
 * length bytes of a file, so a client can check the bytes it already has
 * before it continues a download from there.
 *
 * The whole file's sum may be cached with it (see cmd_get.c); a prefix is
 * read and summed here, chunk by chunk through one buffer.
 */
#include <stdlib.h>

#include "buf.h"
#include "crc32c.h"
#include "err.h"
#include "msg.h"
#include "options.h"
#include "proto_limits.h"
#include "reply.h"
#include "session.h"
#include "store.h"

/* The sum of bytes [0, len) of f; FTP_E_CHANGED if the file is shorter. */
static int
sum_prefix(struct session *s, struct stor_file *f, uint64_t len,
    uint32_t *crc)
{
	uint8_t *tmp;
	uint64_t at = 0;
	size_t got;
	int r = FTP_OK;

	*crc = 0;
	if ((tmp = malloc(PROTO_DATA_CHUNK)) == NULL)
		return FTP_E_NOMEM;
	while (at < len) {
		if ((r = session_still_wanted(s)) != FTP_OK)
			break;
		if ((r = stor_file_pread(f, tmp, len - at < PROTO_DATA_CHUNK ?
		    (size_t)(len - at) : PROTO_DATA_CHUNK, at, &got)) < 0) {
			r = reply_stor_code(r);
			break;
		}
		if (got == 0) {
			r = FTP_E_CHANGED;
			break;
		}
		*crc = crc32c_update(*crc, tmp, got);
		at += got;
	}
	free(tmp);
	return r;
}

static int
sum_reply(struct session *s, uint32_t id, const struct msg_sum_ok *m)
{
	struct buf b;
	int r;

	buf_init(&b, PROTO_CONTROL_MAX);
	if ((r = msg_put_sum_ok(&b, m)) == FTP_OK)
		r = reply_send(s, PROTO_SUM_OK, id, &b);
	buf_free(&b);
	return r;
}

int
cmd_sum(struct session *s, struct frame *f)
{
	struct msg_sum m;
	struct msg_sum_ok ok;
	struct stor_file *file;
	struct stor_info info;
	bool whole;
	int r;

	if ((s->features & PROTO_FEATURE_RESUME) == 0)
		return session_fail(s, FTP_E_BAD_TYPE, "SUM without the resume "
		    "feature");
	if ((r = msg_get_sum(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad SUM: %s", ftp_strerror(r));
	if ((r = stor_open_read(s->store, m.path, &file, &info)) < 0)
		return reply_stor_error(s, f->id, r, m.path);
	ok.size = info.size;
	ok.length = m.length < info.size ? m.length : info.size;
	whole = ok.length == info.size;
	if (!whole || stor_file_get_sum(file, &ok.crc) != 0) {
		r = sum_prefix(s, file, ok.length, &ok.crc);
		if (r == FTP_OK && whole && !s->cfg->read_only)
			(void)stor_file_set_sum(file, ok.crc);
	}
	stor_file_close(file);
	/* Shutdown or the client gone: the session ends, no answer. */
	if (r == FTP_E_SHUTDOWN || r == FTP_E_CLOSED)
		return r;
	if (r == FTP_E_CHANGED)
		return reply_error(s, f->id, FTP_E_CHANGED, "%s changed while "
		    "being summed", m.path);
	if (r != FTP_OK)
		return reply_error(s, f->id, r, "cannot sum %s: %s", m.path,
		    ftp_strerror(r));
	return sum_reply(s, f->id, &ok);
}
