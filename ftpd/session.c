/*
 * session.c - one connection's life: HELLO, the request loop with its
 * dispatch table, and the orderly end (best-effort ERROR, log, release).
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "chan.h"
#include "conn.h"
#include "err.h"
#include "proto_limits.h"
#include "log.h"
#include "msg.h"
#include "options.h"
#include "peers.h"
#include "server.h"
#include "session.h"
#include "store.h"
#include "tls.h"

struct command {
	uint8_t type;
	const char *name;
	int (*run)(struct session *s, struct frame *f);
	unsigned needs;   /* ACCESS_*: checked by request_permitted() */
	uint64_t feature; /* the PROTO_FEATURE_* a session must have, or 0 */
};

static const struct command commands[] = {
	{PROTO_LIST, "LIST", cmd_list, ACCESS_READ, 0},
	{PROTO_GET, "GET", cmd_get, ACCESS_READ, 0},
	{PROTO_PUT, "PUT", cmd_put, ACCESS_WRITE, 0},
	{PROTO_QUIT, "QUIT", cmd_quit, ACCESS_ANYONE, 0},
	{PROTO_SUM, "SUM", cmd_sum, ACCESS_READ, 0},
	{PROTO_LOGIN, "LOGIN", cmd_login, ACCESS_ANYONE, PROTO_FEATURE_LOGIN},
	{PROTO_STAT, "STAT", cmd_stat, ACCESS_READ, PROTO_FEATURE_MANAGE},
	{PROTO_MKDIR, "MKDIR", cmd_mkdir, ACCESS_WRITE, PROTO_FEATURE_MANAGE},
	{PROTO_RMDIR, "RMDIR", cmd_rmdir, ACCESS_WRITE, PROTO_FEATURE_MANAGE},
	{PROTO_DELETE, "DELETE", cmd_delete, ACCESS_WRITE,
	    PROTO_FEATURE_MANAGE},
	{PROTO_RENAME, "RENAME", cmd_rename, ACCESS_WRITE,
	    PROTO_FEATURE_MANAGE},
};

/* Seconds to wait for the final ERROR to go out before closing anyway. */
#define SESSION_LAST_WORD_TIMEOUT 2

struct session *
session_new(struct server *srv, const char *peer)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->srv = srv;
	s->cfg = srv->cfg;
	/* With accounts, nothing is visible until a LOGIN says whose. */
	s->store = srv->cfg->users == NULL ? srv->store : NULL;
	s->can_write = !srv->cfg->read_only;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	peers_key(peer, s->addr);
	atomic_init(&s->phase, SESSION_IDLE);
	atomic_init(&s->aborting, false);
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	return s;
}

int
session_fail(struct session *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return err;
}

double
session_elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

void
session_pace(struct session *s, const struct timespec *t0, uint64_t bytes,
	     bool until_readable)
{
	double ahead;
	struct timespec nap;

	if (s->cfg->max_rate == 0)
		return;
	while (!session_aborting(s) &&
	    !(until_readable && chan_readable(s->ch)) &&
	    (ahead = (double)bytes / (s->cfg->max_rate * 1024.0) -
	    session_elapsed(t0)) > 0) {
		/* A fifth of a second at most: shutdown's grace is in
		 * seconds, and an ABORT should not wait long either. */
		ahead = ahead > 0.2 ? 0.2 : ahead;
		nap.tv_sec = 0;
		nap.tv_nsec = (long)(ahead * 1e9);
		nanosleep(&nap, NULL);
	}
}

void
session_log_transfer(const struct session *s, const char *op,
		     const char *path, const char *unit, uint64_t count,
		     const struct timespec *t0, const char *result)
{
	char esc[LOG_ESCAPE_SIZE];

	log_escape(esc, sizeof(esc), path);
	log_msg("%s %s path=\"%s\" %s=%llu seconds=%.3f result=%s", s->peer,
	    op, esc, unit, (unsigned long long)count, session_elapsed(t0),
	    result);
}

/* The xferlog(5) fields: date, seconds, host, bytes, name (quoted and
 * escaped here, so a name with spaces stays one field), type (binary),
 * action (none), direction (o GET, i PUT), access (a anonymous, r user),
 * user, service, authentication (0), user id (*), status (c complete, i
 * incomplete). */
static void
session_xferlog(const struct session *s, const char *op, const char *esc,
		uint64_t bytes, const struct timespec *t0, const char *result)
{
	char date[32];
	struct tm tm;
	time_t now = time(NULL);
	double secs = session_elapsed(t0);

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	log_line(s->cfg->transfer_log_fd, "%s %.0f %s %llu \"%s\" b _ %c %c %s "
	    "ftpf 0 * %c", date, secs < 1 ? 1 : secs + 0.5, s->addr,
	    (unsigned long long)bytes, esc, op[0] == 'G' ? 'o' : 'i',
	    s->user[0] != '\0' ? 'r' : 'a', s->user[0] != '\0' ? s->user :
	    "anonymous", strcmp(result, "ok") == 0 ? 'c' : 'i');
}

void
session_log_data(const struct session *s, const char *op, const char *path,
		 uint64_t bytes, uint64_t wire, const struct timespec *t0,
		 const char *result)
{
	char esc[LOG_ESCAPE_SIZE];

	log_escape(esc, sizeof(esc), path);
	log_msg("%s %s path=\"%s\" bytes=%llu wire=%llu seconds=%.3f "
	    "result=%s", s->peer, op, esc, (unsigned long long)bytes,
	    (unsigned long long)wire, session_elapsed(t0), result);
	if (s->cfg->transfer_log_fd >= 0)
		session_xferlog(s, op, esc, bytes, t0, result);
}

const char *
session_type_name(uint8_t type, char tmp[8])
{
	const char *n = proto_type_name(type);

	if (n != NULL)
		return n;
	snprintf(tmp, 8, "0x%02x", type);
	return tmp;
}

/* chan_recv() for a request: FTP_E_CLOSED on a clean end, the decoder's
 * error (with its reason recorded) otherwise. */
static int
recv_failed(struct session *s, int r, const char *waiting_for)
{
	if (r == FTP_E_CLOSED)
		return session_fail(s, r, "closed by peer");
	if (r == FTP_E_PROTOCOL)
		return session_fail(s, r, "connection closed in the middle of "
		    "%s", waiting_for);
	if (r == FTP_E_TIMEOUT)
		return session_fail(s, r, "timed out: %s did not arrive within "
		    "%u s", waiting_for, s->cfg->stall_timeout);
	return session_fail(s, r, "%s", ftp_strerror(r));
}

/* The first frame: HELLO, within FTPD_HELLO_TIMEOUT. */
static int
session_start(struct session *s)
{
	struct frame f;
	char tmp[8];
	int r;

	/* Until a PUT asks for them, no frame may be larger than a control
	 * frame: a peer cannot make us buffer a megabyte it is not owed. */
	chan_set_frame_max(s->ch, PROTO_CONTROL_MAX);
	/* A deadline, not a per-read timeout: trickled bytes do not extend it. */
	chan_set_deadline(s->ch, FTPD_HELLO_TIMEOUT);
	r = chan_recv(s->ch, &f);
	chan_set_deadline(s->ch, 0);
	if (r == FTP_E_TIMEOUT)
		return session_fail(s, r, "timed out: no HELLO within %d s",
		    FTPD_HELLO_TIMEOUT);
	if (r != FTP_OK)
		return recv_failed(s, r, "HELLO");
	if (f.type != PROTO_HELLO)
		return session_fail(s, FTP_E_BAD_TYPE, "expected HELLO, got %s",
		    session_type_name(f.type, tmp));
	if (f.id == PROTO_ID_CONNECTION)
		return session_fail(s, FTP_E_BAD_ID, "HELLO must use id 1 or "
		    "greater");
	chan_set_frame_timeout(s->ch, s->cfg->stall_timeout);
	s->last_id = f.id;
	s->requests++;
	return cmd_hello(s, &f);
}

/* Seconds left before the login deadline (with accounts, until a LOGIN
 * succeeds), or UINT_MAX when none applies. */
static unsigned
login_time_left(const struct session *s)
{
	double left;

	if (s->store != NULL)
		return UINT_MAX;
	left = s->cfg->login_timeout - session_elapsed(&s->started);
	return left <= 0 ? 0 : (unsigned)left + 1;
}

static int
login_expired(struct session *s)
{
	return session_fail(s, FTP_E_TIMEOUT, "timed out: no login within "
	    "%u s", s->cfg->login_timeout);
}

/* Waits up to the idle timeout (or the login deadline) for a request to
 * begin; the channel's frame timeout then bounds its arrival. */
static int
wait_request(struct session *s, struct frame *f)
{
	struct conn *c = chan_conn(s->ch);
	unsigned idle = s->cfg->idle_timeout, login = login_time_left(s);
	int r;

	/* Checked before anything queued is read: a client cannot stay by
	 * always having one more request waiting. */
	if (login == 0)
		return login_expired(s);
	r = chan_wait_readable(s->ch, idle < login ? idle : login);
	if (r == FTP_E_TIMEOUT && login <= idle)
		return login_expired(s);
	if (r == FTP_E_TIMEOUT)
		return session_fail(s, r, "timed out: no request for %u s",
		    idle);
	if (r != FTP_OK)
		return session_fail(s, r, "waiting for a request: %s",
		    ftp_strerror(r));
	r = conn_set_timeout(c, idle < s->cfg->stall_timeout ? idle :
	    s->cfg->stall_timeout);
	if (r != FTP_OK)
		return session_fail(s, r, "cannot set timeout");
	r = chan_recv(s->ch, f);
	if (r == FTP_E_TIMEOUT && login_time_left(s) == 0)
		return login_expired(s);
	if (r != FTP_OK)
		return recv_failed(s, r, "a request");
	return FTP_OK;
}

/* An ABORT that crossed the END or ERROR of the transfer it names. */
static bool
late_abort(const struct session *s, const struct frame *f)
{
	return f->type == PROTO_ABORT && f->id == s->last_id &&
	    (s->features & PROTO_FEATURE_ABORT) != 0 && buf_len(&f->body) == 0;
}

static int
dispatch(struct session *s, struct frame *f)
{
	char tmp[8];
	bool refused;
	size_t i;
	int r;

	if (late_abort(s, f))
		return FTP_OK;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].type == f->type &&
		    (s->features & commands[i].feature) == commands[i].feature)
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		return session_fail(s, FTP_E_BAD_TYPE, "unexpected %s frame "
		    "between requests", session_type_name(f->type, tmp));
	if (f->id <= s->last_id)
		return session_fail(s, FTP_E_BAD_ID, "%s id %lu is not greater "
		    "than the previous request's (%lu)", commands[i].name,
		    (unsigned long)f->id, (unsigned long)s->last_id);
	s->last_id = f->id;
	s->requests++;
	r = request_permitted(s, commands[i].needs, commands[i].name, f->id,
	    &refused);
	if (r != FTP_OK || refused)
		return r;
	return commands[i].run(s, f);
}

/* Marks the session busy with the request it has read, unless shutdown
 * has already woken it. */
static bool
session_claim(struct session *s)
{
	int idle = SESSION_IDLE;

	return atomic_compare_exchange_strong(&s->phase, &idle, SESSION_BUSY);
}

bool
session_aborting(struct session *s)
{
	return atomic_load(&s->aborting);
}

int
session_still_wanted(struct session *s)
{
	if (session_aborting(s))
		return session_fail(s, FTP_E_SHUTDOWN, "server shutting down");
	/* Anything readable now is the client's close (or a request it
	 * had no right to send before this answer). */
	if (chan_readable(s->ch))
		return session_fail(s, FTP_E_CLOSED, "client went away during "
		    "a checksum pass");
	return FTP_OK;
}

int
session_abort_requested(struct session *s, uint32_t id)
{
	struct frame f;
	char tmp[8];
	int r;

	if ((s->features & PROTO_FEATURE_ABORT) == 0 || !chan_readable(s->ch))
		return FTP_OK;
	if ((r = chan_recv(s->ch, &f)) != FTP_OK)
		return recv_failed(s, r, "ABORT");
	if (f.type != PROTO_ABORT)
		return session_fail(s, FTP_E_BAD_TYPE, "%s during a GET",
		    session_type_name(f.type, tmp));
	if (f.id != id)
		return session_fail(s, FTP_E_BAD_ID, "ABORT for id %lu during "
		    "request %lu", (unsigned long)f.id, (unsigned long)id);
	if ((r = msg_get_empty(&f.body)) != FTP_OK)
		return session_fail(s, r, "bad ABORT: %s", ftp_strerror(r));
	return FTP_E_ABORTED;
}

static int
session_serve(struct session *s)
{
	struct frame f;
	int r;

	if ((r = session_start(s)) != FTP_OK)
		return r;
	/* Until a login, every frame must also arrive before its deadline,
	 * however it trickles (login_as() lifts it). */
	if (s->store == NULL)
		chan_set_deadline(s->ch, login_time_left(s));
	while (!s->done) {
		if (server_stopping(s->srv))
			return session_fail(s, FTP_E_SHUTDOWN, "server "
			    "shutting down");
		if ((r = wait_request(s, &f)) != FTP_OK)
			return r;
		if (!session_claim(s))
			return session_fail(s, FTP_E_SHUTDOWN, "server "
			    "shutting down");
		r = dispatch(s, &f);
		/* Seen by shutdown before we look at server_stopping() again
		 * (both sequentially consistent): one of us acts. */
		atomic_store(&s->phase, SESSION_IDLE);
		if (r != FTP_OK)
			return r;
	}
	return session_fail(s, FTP_OK, "quit");
}

/* The status a closing ERROR carries for err, or FTP_OK for none. */
static int
last_word(struct session *s, int err)
{
	if (s->broken)
		return FTP_OK;
	/* Shutdown wakes sessions by ending their input, which looks like the
	 * peer closing, between frames or in the middle of one. */
	if ((err == FTP_E_CLOSED || err == FTP_E_PROTOCOL) &&
	    server_stopping(s->srv))
		return FTP_E_SHUTDOWN;
	if (err == FTP_E_CLOSED)
		return FTP_OK;
	if (err == FTP_E_SHUTDOWN || err == FTP_E_TIMEOUT ||
	    err == FTP_E_VERSION || err == FTP_E_BUSY || err == FTP_E_DENIED)
		return err;
	if (ftp_err_to_status(err) == ftp_err_to_status(FTP_E_PROTOCOL))
		return FTP_E_PROTOCOL;
	return FTP_OK;
}

/* Tells the peer why the connection ends, when that is still useful. */
static void
session_end(struct session *s, int err)
{
	char msg[SESSION_WHY_MAX + 32];
	int status = last_word(s, err);

	if (s->why[0] == '\0')
		snprintf(s->why, sizeof(s->why), "%s", ftp_strerror(err));
	if (status == FTP_OK)
		return;
	if (status == FTP_E_SHUTDOWN && err != FTP_E_SHUTDOWN)
		snprintf(s->why, sizeof(s->why), "server shutting down");
	if (status == FTP_E_PROTOCOL)
		snprintf(msg, sizeof(msg), "protocol error: %s", s->why);
	else
		snprintf(msg, sizeof(msg), "%s", s->why);
	/* Best effort: a peer that does not read must not hold us. */
	if (conn_set_timeout(chan_conn(s->ch), SESSION_LAST_WORD_TIMEOUT) ==
	    FTP_OK)
		chan_send_error(s->ch, PROTO_ID_CONNECTION, status, msg);
}

/* Under TLS: the handshake, here in the session's thread so a slow peer
 * never stalls the accept loop.  The plain channel is swapped for a TLS one
 * under the registry lock, since shutdown may be waking it meanwhile. */
static int
session_secure(struct session *s, char *info, size_t size)
{
	char subject[TLS_SUBJECT_MAX], esc[LOG_ESCAPE_SIZE], why[TLS_ERR_MAX];
	char desc[TLS_INFO_MAX];
	struct chan *ch, *plain = s->ch;
	struct conn *c;
	int fd, r;

	info[0] = '\0';
	if (s->cfg->tls == NULL)
		return FTP_OK;
	/* Nothing but TLS may cross this connection, not even an ERROR. */
	s->broken = true;
	if ((fd = fcntl(chan_conn(plain)->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return session_fail(s, FTP_E_SYSTEM, "cannot duplicate socket");
	r = tls_server_accept(s->cfg->tls, fd, FTPD_HELLO_TIMEOUT, &c,
	    subject, why);
	if (r != FTP_OK)
		return session_fail(s, r, "TLS handshake failed: %s", why);
	if ((r = chan_new(c, PROTO_FRAME_MAX, &ch)) != FTP_OK)
		return session_fail(s, r, "%s", ftp_strerror(r));
	pthread_mutex_lock(&s->srv->lock);
	s->ch = ch;
	pthread_mutex_unlock(&s->srv->lock);
	chan_free(plain);
	s->broken = false;
	tls_conn_info(c, desc);
	log_escape(esc, sizeof(esc), subject);
	snprintf(info, size, " tls=\"%s\"%s%s%s", desc, subject[0] != '\0' ?
	    " client=\"" : "", esc, subject[0] != '\0' ? "\"" : "");
	return FTP_OK;
}

void *
session_thread(void *arg)
{
	struct session *s = arg;
	struct server *srv = s->srv;
	char info[TLS_INFO_MAX + LOG_ESCAPE_SIZE + 32];
	int r;

	if ((r = session_secure(s, info, sizeof(info))) == FTP_OK) {
		log_msg("%s open%s", s->peer, info);
		r = session_serve(s);
	}
	session_end(s, r);
	server_unregister(srv, s);
	chan_free(s->ch);
	if (s->own_store)
		stor_free(s->store);
	log_msg("%s close duration=%.3f requests=%lu reason=\"%s\"", s->peer,
	    session_elapsed(&s->started), s->requests, s->why);
	free(s);
	tls_thread_end();
	server_release(srv);
	return NULL;
}
