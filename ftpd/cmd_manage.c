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

/* The log line and, for a failure, the ERROR.  A store call on the root
 * fails with -EINVAL, like moving a directory beneath itself, and neither
 * is "not a regular file" (reply_stor_error's reading of it). */
static int
manage_done(struct session *s, const struct frame *f, const char *op,
	    const char *path, int rc)
{
	char esc[LOG_ESCAPE_SIZE];

	log_escape(esc, sizeof(esc), path);
	log_msg("%s %s path=\"%s\" result=%s", s->peer, op, esc,
	    rc < 0 ? ftp_errname(reply_stor_code(rc)) : "ok");
	if (rc == -EINVAL && stor_path_check(path) == 0)
		return reply_error(s, f->id, FTP_E_BAD_PATH, "%s not allowed "
		    "on %s", op, *path == '\0' || strcmp(path, ".") == 0 ?
		    "the root" : esc);
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
	return manage_done(s, f, op, m.path, call(s->store, m.path));
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

/* The kernel does not say which of the two paths it refused, so the
 * message names both. */
int
cmd_rename(struct session *s, struct frame *f)
{
	struct msg_rename m;
	char from[LOG_ESCAPE_SIZE], to[LOG_ESCAPE_SIZE];
	int r, err;

	if ((r = msg_get_rename(&f->body, &m)) != FTP_OK)
		return session_fail(s, r, "bad RENAME: %s", ftp_strerror(r));
	r = stor_rename(s->store, m.from, m.to);
	log_escape(from, sizeof(from), m.from);
	log_escape(to, sizeof(to), m.to);
	err = reply_stor_code(r);
	log_msg("%s RENAME path=\"%s\" to=\"%s\" result=%s", s->peer, from,
	    to, r < 0 ? ftp_errname(err) : "ok");
	if (r == 0)
		return reply_send(s, PROTO_OK, f->id, NULL);
	if (r == -EXDEV)
		return reply_error(s, f->id, err, "cannot rename %s to %s: a "
		    "path leaves the root", from, to);
	if (r == -EINVAL && stor_path_check(m.from) == 0 &&
	    stor_path_check(m.to) == 0)
		return reply_error(s, f->id, err, "cannot rename %s to %s: the "
		    "root cannot be renamed, nor a directory moved beneath "
		    "itself", from, to);
	return reply_error(s, f->id, err, "cannot rename %s to %s: %s", from,
	    to, ftp_strerror(err));
}
