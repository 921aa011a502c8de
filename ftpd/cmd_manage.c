/*
 * cmd_manage.c - STAT, MKDIR, RMDIR, DELETE and RENAME (feature MANAGE):
 * one request, one store call, one reply each.
 *
 * Permission was checked by request_permitted() from the dispatch table
 * (the four that change the tree need a writer); paths are the store's to
 * judge, as for GET and PUT.
 */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "msg.h"
#include "proto_limits.h"
#include "reply.h"
#include "session.h"
#include "store.h"

/* The log line and, for a failure, the ERROR naming path (or, for a
 * RENAME whose destination alone is malformed, to).  A store call on the
 * root fails with -EINVAL, like moving a directory beneath itself, and
 * neither is "not a regular file" (reply_stor_error's reading of it). */
static int
manage_done(struct session *s, const struct frame *f, const char *op,
	    const char *path, const char *to, int rc)
{
	char esc[LOG_ESCAPE_SIZE], esc_to[LOG_ESCAPE_SIZE];

	log_escape(esc, sizeof(esc), path);
	log_escape(esc_to, sizeof(esc_to), to != NULL ? to : "");
	log_msg("%s %s path=\"%s\"%s%s%s result=%s", s->peer, op, esc,
	    to != NULL ? " to=\"" : "", esc_to, to != NULL ? "\"" : "",
	    rc < 0 ? ftp_errname(reply_stor_code(rc)) : "ok");
	if (to != NULL && stor_path_check(path) == 0 &&
	    stor_path_check(to) != 0)
		path = to;
	if (rc == -EINVAL && stor_path_check(path) == 0)
		return reply_error(s, f->id, FTP_E_BAD_PATH, "%s not allowed "
		    "on %s", op, *path == '\0' || strcmp(path, ".") == 0 ?
		    "the root" : path);
	if (rc < 0)
		return reply_stor_error(s, f->id, rc, path);
	return reply_send(s, PROTO_OK, f->id, NULL);
}

int
cmd_stat(struct session *s, struct frame *f)
{
	struct msg_path m;
	struct msg_info info;
	struct stor_info si;
	struct buf b;
	int r;

	if ((r = msg_get_path(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad STAT: %s", ftp_strerror(r));
	if ((r = stor_stat(s->store, m.path, &si)) < 0)
		return reply_stor_error(s, f->id, r, m.path);
	reply_info(&info, &si);
	buf_init(&b, PROTO_CONTROL_MAX);
	if ((r = msg_put_info(&b, &info)) == FTP_OK)
		r = reply_send(s, PROTO_INFO, f->id, &b);
	buf_free(&b);
	return r;
}

/* MKDIR, RMDIR and DELETE: a path and the store call for it. */
static int
manage_path(struct session *s, struct frame *f, const char *op,
	    int (*call)(struct store *, const char *))
{
	struct msg_path m;
	int r;

	if ((r = msg_get_path(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad %s: %s", op, ftp_strerror(r));
	return manage_done(s, f, op, m.path, NULL, call(s->store, m.path));
}

int
cmd_mkdir(struct session *s, struct frame *f)
{
	return manage_path(s, f, "MKDIR", stor_mkdir);
}

int
cmd_rmdir(struct session *s, struct frame *f)
{
	return manage_path(s, f, "RMDIR", stor_rmdir);
}

int
cmd_delete(struct session *s, struct frame *f)
{
	return manage_path(s, f, "DELETE", stor_unlink);
}

int
cmd_rename(struct session *s, struct frame *f)
{
	struct msg_rename m;
	int r;

	if ((r = msg_get_rename(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad RENAME: %s", ftp_strerror(r));
	return manage_done(s, f, "RENAME", m.from, m.to,
	    stor_rename(s->store, m.from, m.to));
}
