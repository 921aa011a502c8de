/*
 * cmd_login.c - LOGIN: checks a user's password and gives the session
 * that user's tree and rights (docs/PROTOCOL.md, section 5.9).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chan.h"
#include "err.h"
#include "failures.h"
#include "log.h"
#include "msg.h"
#include "options.h"
#include "reply.h"
#include "server.h"
#include "session.h"
#include "store.h"
#include "users.h"

/* Sleeps until ms after t0 (CLOCK_MONOTONIC): every failure is answered
 * at the same moment after its request, however long the hashing took. */
static void
pause_until(const struct timespec *t0, unsigned ms)
{
	struct timespec at = *t0;

	at.tv_sec += ms / 1000;
	at.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	/* Sessions block the signals that could interrupt it. */
	(void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
}

static int
login_failed(struct session *s, uint32_t id, const char *user,
	     const struct timespec *t0)
{
	char esc[LOG_ESCAPE_SIZE];

	s->login_failures++;
	log_escape(esc, sizeof(esc), user);
	log_msg("%s login failed user=\"%s\" attempt=%u", s->peer, esc,
	    s->login_failures);
	/* The same wait for every failure: guessing costs time, and the
	 * answer says nothing about which part was wrong. */
	pause_until(t0, s->cfg->login_fail_delay_ms);
	if (s->login_failures >= FTPD_LOGIN_ATTEMPTS)
		return session_fail(s, FTP_E_DENIED, "too many failed logins");
	return reply_error(s, id, FTP_E_DENIED, "login incorrect");
}

/* Gives the session u's tree and rights. */
static int
login_as(struct session *s, uint32_t id, const struct user *u)
{
	struct store *st;
	int rc, r;

	if ((rc = stor_open_sub(s->srv->store, u->root, &st)) != 0) {
		log_msg("%s login user=%s: cannot open root '%s': %s", s->peer,
		    u->name, u->root, strerror(-rc));
		return reply_error(s, id, FTP_E_FAILURE, "your directory on "
		    "this server is not available");
	}
	if ((r = reply_send(s, PROTO_OK, id, NULL)) != FTP_OK) {
		stor_free(st);
		return r;
	}
	s->store = st;
	s->own_store = true;
	chan_set_deadline(s->ch, 0); /* the login deadline is met */
	s->can_write = u->can_write && !s->cfg->read_only;
	snprintf(s->user, sizeof(s->user), "%s", u->name);
	log_msg("%s login user=%s root=\"/%s\" access=%s", s->peer, u->name,
	    u->root, s->can_write ? "rw" : "ro");
	return FTP_OK;
}

int
cmd_login(struct session *s, struct frame *f)
{
	struct msg_login m;
	const struct user *u;
	struct timespec t0;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((r = msg_get_login(&f->body, &m)) != FTP_OK) {
		r = session_fail(s, r, "bad LOGIN: %s", ftp_strerror(r));
		goto out;
	}
	if (s->store != NULL) {
		r = reply_error(s, f->id, FTP_E_DENIED, "already logged in");
		goto out;
	}
	/* Counted as a failure before the password is even looked at, so
	 * LOGINs racing on many connections cannot all slip under the
	 * limit; a success gives it back. */
	if (!failures_reserve(s->srv->failures, s->addr)) {
		log_msg("%s login refused: too many failures from %s",
		    s->peer, s->addr);
		r = session_fail(s, FTP_E_DENIED, "too many failed logins from "
		    "this address; try again later");
		goto out;
	}
	u = users_check(s->cfg->users, m.user, m.password);
	if (u == NULL) {
		r = login_failed(s, f->id, m.user, &t0);
	} else {
		failures_release(s->srv->failures, s->addr);
		r = login_as(s, f->id, u);
	}
out:
	explicit_bzero(&m, sizeof(m));
	return r;
}
