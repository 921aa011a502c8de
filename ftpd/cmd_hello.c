/*
 * cmd_hello.c - the session-level requests: HELLO (version check, limits
 * and features) and QUIT.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "chan.h"
#include "err.h"
#include "proto_limits.h"
#include "log.h"
#include "msg.h"
#include "options.h"
#include "reply.h"
#include "session.h"

/* Feature bits this server implements (docs/PROTOCOL.md, section 8). */
#define FTPD_FEATURES (PROTO_FEATURE_CHECKSUM | PROTO_FEATURE_RESUME | \
    PROTO_FEATURE_COMPRESS | PROTO_FEATURE_LOGIN | PROTO_FEATURE_MANAGE | \
    PROTO_FEATURE_ABORT)

static void
hello_ok_fill(const struct session *s, const struct msg_hello *h,
	      struct msg_hello_ok *ok)
{
	const struct proto_limit limits[] = {
		{PROTO_LIMIT_FRAME_MAX, PROTO_FRAME_MAX},
		{PROTO_LIMIT_DATA_CHUNK, PROTO_DATA_CHUNK},
		{PROTO_LIMIT_PATH_MAX, PROTO_PATH_MAX},
		{PROTO_LIMIT_NAME_MAX, PROTO_NAME_MAX},
		{PROTO_LIMIT_LIST_BATCH, PROTO_LIST_BATCH},
		{PROTO_LIMIT_IDLE_TIMEOUT, s->cfg->idle_timeout},
		{PROTO_LIMIT_MAX_CLIENTS, s->cfg->max_clients},
	};

	_Static_assert(sizeof(limits) / sizeof(limits[0]) <= PROTO_LIMITS_MAX,
	    "too many limits for one HELLO_OK");
	memset(ok, 0, sizeof(*ok));
	ok->version = PROTO_VERSION;
	ok->features = h->features & FTPD_FEATURES;
	/* LOGIN means "this server has accounts": granted only then. */
	if (s->cfg->users == NULL)
		ok->features &= ~PROTO_FEATURE_LOGIN;
	/* Resuming relies on checksums: granted only together. */
	if ((ok->features & PROTO_FEATURE_CHECKSUM) == 0)
		ok->features &= ~PROTO_FEATURE_RESUME;
	ok->nlimits = sizeof(limits) / sizeof(limits[0]);
	memcpy(ok->limits, limits, sizeof(limits));
	snprintf(ok->software, sizeof(ok->software), "ftpd/%s", FTPF_VERSION);
}

static int
hello_check(struct session *s, struct frame *f, struct msg_hello *h)
{
	uint32_t magic;
	int r;

	/* The magic first: a peer that does not speak ftpf at all deserves
	 * that answer rather than a complaint about the rest of the body. */
	if (buf_peek_u32(&f->body, 0, &magic) == FTP_OK &&
	    magic != PROTO_MAGIC)
		return session_fail(s, FTP_E_BAD_MAGIC, "bad magic 0x%08lx in "
		    "HELLO (expected 0x%08lx)", (unsigned long)magic,
		    (unsigned long)PROTO_MAGIC);
	if ((r = msg_get_hello(&f->body, h)) != FTP_OK)
		return session_fail(s, r, "bad HELLO: %s", ftp_strerror(r));
	if (h->version != PROTO_VERSION)
		return session_fail(s, FTP_E_VERSION, "unsupported protocol "
		    "version %u (this server speaks %d)", h->version,
		    PROTO_VERSION);
	return FTP_OK;
}

int
cmd_hello(struct session *s, struct frame *f)
{
	char esc[LOG_ESCAPE_SIZE];
	struct msg_hello h;
	struct msg_hello_ok ok;
	struct buf b;
	int r;

	if ((r = hello_check(s, f, &h)) != FTP_OK)
		return r;
	hello_ok_fill(s, &h, &ok);
	buf_init(&b, PROTO_CONTROL_MAX);
	if ((r = msg_put_hello_ok(&b, &ok)) != FTP_OK) {
		session_fail(s, r, "cannot encode HELLO_OK: %s",
		    ftp_strerror(r));
		goto out;
	}
	if ((r = reply_send(s, PROTO_HELLO_OK, f->id, &b)) != FTP_OK)
		goto out;
	s->features = ok.features;
	/* Which PUT may send them is cmd_put's to check. */
	if ((s->features & PROTO_FEATURE_COMPRESS) != 0)
		chan_allow_flags(s->ch, PROTO_FLAG_COMPRESSED);
	log_escape(esc, sizeof(esc), h.software);
	log_msg("%s hello software=\"%s\"", s->peer, esc);
out:
	buf_free(&b);
	return r;
}

int
cmd_quit(struct session *s, struct frame *f)
{
	int r;

	if ((r = msg_get_empty(&f->body)) != FTP_OK)
		return session_fail(s, r, "bad QUIT: %s", ftp_strerror(r));
	if ((r = reply_send(s, PROTO_OK, f->id, NULL)) != FTP_OK)
		return r;
	s->done = true;
	return FTP_OK;
}
