/*
 * reply.c - ERROR replies and the translation of storage results and
 * records into what the wire carries.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chan.h"
#include "err.h"
#include "proto_limits.h"
#include "log.h"
#include "reply.h"
#include "session.h"

/* Store records are copied into wire messages field by field; the two
 * sides must agree on how long paths and names can be. */
_Static_assert(PROTO_PATH_MAX == STOR_PATH_MAX, "path limits differ");
_Static_assert(PROTO_NAME_MAX == STOR_NAME_MAX, "name limits differ");

int
reply_sent(struct session *s, int r)
{
	if (r != FTP_OK)
		s->broken = true;
	return r;
}

int
reply_send(struct session *s, uint8_t type, uint32_t id,
	   const struct buf *body)
{
	return reply_sent(s, chan_send(s->ch, type, id, body));
}

int
reply_error(struct session *s, uint32_t id, int err, const char *fmt, ...)
{
	char msg[PROTO_MESSAGE_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return reply_sent(s, chan_send_error(s->ch, id, err, msg));
}

int
reply_stor_code(int rc)
{
	return ftp_err_from_errno(-rc);
}

int
reply_stor_error(struct session *s, uint32_t id, int rc, const char *path)
{
	char esc[LOG_ESCAPE_SIZE];
	int err = reply_stor_code(rc);

	log_escape(esc, sizeof(esc), path);
	if (rc == -EXDEV)
		return reply_error(s, id, err, "path leaves the root: %s", esc);
	/* The store answers -EINVAL both for a malformed path and for opening
	 * what is not a regular file; the syntax check tells which. */
	if (rc == -EINVAL && stor_path_check(path) == 0)
		return reply_error(s, id, err, "not a regular file: %s", esc);
	return reply_error(s, id, err, "%s: %s", ftp_strerror(err), esc);
}

static uint8_t
kind_of(enum stor_kind k)
{
	switch (k) {
	case STOR_FILE:
		return PROTO_KIND_FILE;
	case STOR_DIR:
		return PROTO_KIND_DIR;
	case STOR_LINK:
		return PROTO_KIND_LINK;
	default:
		return PROTO_KIND_OTHER;
	}
}

void
reply_entry(struct msg_entry *out, const struct stor_entry *in)
{
	size_t n = strnlen(in->name, STOR_NAME_MAX);

	out->kind = kind_of(in->info.kind);
	out->size = in->info.size;
	out->mtime = in->info.mtime;
	memcpy(out->name, in->name, n);
	out->name[n] = '\0';
}

void
reply_info(struct msg_info *out, const struct stor_info *in)
{
	out->kind = kind_of(in->kind);
	out->size = in->size;
	out->mtime = in->mtime;
}

void
reply_file(struct msg_file *out, const struct stor_info *in, uint64_t offset)
{
	out->size = in->size;
	out->mtime = in->mtime;
	out->offset = offset;
}
