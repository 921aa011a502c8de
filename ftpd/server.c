/*
 * server.c - listening, the accept loop, signals, the session registry
 * and the orderly shutdown.
 *
 * SIGINT and SIGTERM are blocked in every thread and read from a signalfd
 * in the accept loop, so no work ever happens in a signal handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "chan.h"
#include "conn.h"
#include "err.h"
#include "failures.h"
#include "proto_limits.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "peers.h"
#include "server.h"
#include "session.h"

/* Sanitizers need far more stack per thread than the code itself. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SESSION_STACK FTPD_THREAD_STACK_SANITIZED
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SESSION_STACK FTPD_THREAD_STACK_SANITIZED
#endif
#endif
#ifndef SESSION_STACK
#define SESSION_STACK FTPD_THREAD_STACK
#endif

/* Poll timeout while accept() fails for want of descriptors. */
#define ACCEPT_BACKOFF_MS 100
/* Seconds aborted sessions get to send their last ERROR before their
 * sockets are shut down under them. */
#define SHUTDOWN_LAST_WORD 3
/* Seconds a refused peer gets to take its ERROR before we close. */
#define REFUSE_SEND_TIMEOUT 1

static int
signals_open(int *sfd)
{
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Blocked before any thread exists, so every thread inherits it. */
	if ((r = pthread_sigmask(SIG_BLOCK, &set, NULL)) != 0) {
		log_msg("cannot block signals: %s", strerror(r));
		return FTP_E_SYSTEM;
	}
	if ((*sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		log_msg("signalfd: %s", strerror(errno));
		return FTP_E_SYSTEM;
	}
	return FTP_OK;
}

/* Written to a temporary and renamed, so a reader never sees half. */
static int
port_file_write(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;
	int fd, n, ok;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		log_msg("port file name too long: %s", path);
		return FTP_E_USAGE;
	}
	/* Still root here: a link planted under the name must not make us
	 * write through it. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		log_msg("cannot create %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return FTP_E_SYSTEM;
	}
	ok = fprintf(f, "%u\n", port) > 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		log_msg("cannot write port file %s: %s", path, strerror(errno));
		unlink(tmp);
		return FTP_E_SYSTEM;
	}
	return FTP_OK;
}

static int
threads_init(struct server *srv)
{
	int r;

	if ((r = pthread_attr_init(&srv->attr)) != 0)
		goto fail;
	srv->attr_ok = true;
	if ((r = pthread_attr_setstacksize(&srv->attr, SESSION_STACK)) != 0 ||
	    (r = pthread_attr_setdetachstate(&srv->attr,
	    PTHREAD_CREATE_DETACHED)) != 0)
		goto fail;
	return FTP_OK;
fail:
	log_msg("thread attributes: %s", strerror(r));
	return FTP_E_SYSTEM;
}

/* The condition's clock is monotonic, for the grace period's timed waits;
 * the peer table is made here too, so server_fini() frees both. */
static int
drained_init(struct server *srv)
{
	pthread_condattr_t ca;
	int r;

	if ((r = pthread_condattr_init(&ca)) != 0 ||
	    (r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) != 0 ||
	    (r = pthread_cond_init(&srv->drained, &ca)) != 0) {
		log_msg("condition variable: %s", strerror(r));
		return FTP_E_SYSTEM;
	}
	pthread_condattr_destroy(&ca);
	if ((srv->peers = peers_new()) == NULL) {
		log_msg("out of memory");
		return FTP_E_NOMEM;
	}
	return FTP_OK;
}

int
server_init(struct server *srv, const struct config *cfg,
	    struct store *store)
{
	int r;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	srv->store = store;
	srv->lfd = -1;
	srv->sfd = -1;
	atomic_init(&srv->stopping, false);
	pthread_mutex_init(&srv->lock, NULL);
	if ((r = drained_init(srv)) != FTP_OK)
		goto out;
	if ((r = signals_open(&srv->sfd)) != FTP_OK ||
	    (r = threads_init(srv)) != FTP_OK)
		goto out;
	if ((r = access_check_listen(cfg)) != FTP_OK)
		goto out;
	r = net_listen(cfg->host, cfg->port, FTPD_LISTEN_BACKLOG, &srv->lfd,
	    &srv->port);
	if (r != FTP_OK) {
		/* net_listen() leaves the cause in errno; it says more than
		 * "system error" does. */
		log_msg("cannot listen on %s port %s: %s", cfg->host,
		    cfg->port, r == FTP_E_SYSTEM || r == FTP_E_NETWORK ?
		    strerror(errno) : ftp_strerror(r));
		goto out;
	}
	if ((srv->failures = failures_new()) == NULL) {
		r = FTP_E_NOMEM;
		goto out;
	}
	log_msg("listening on %s port %u, serving %s (max %u clients, "
	    "idle timeout %u s, %s%s)", cfg->host, srv->port, cfg->root,
	    cfg->max_clients, cfg->idle_timeout, cfg->users != NULL ?
	    "logins required" : "anonymous", cfg->read_only ? ", read-only" :
	    "");
	if (cfg->port_file != NULL)
		r = port_file_write(cfg->port_file, srv->port);
out:
	if (r != FTP_OK)
		server_fini(srv);
	return r;
}

void
server_fini(struct server *srv)
{
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->sfd >= 0)
		close(srv->sfd);
	srv->lfd = srv->sfd = -1;
	if (srv->attr_ok)
		pthread_attr_destroy(&srv->attr);
	srv->attr_ok = false;
	pthread_cond_destroy(&srv->drained);
	peers_free(srv->peers);
	srv->peers = NULL;
	failures_free(srv->failures);
	srv->failures = NULL;
	pthread_mutex_destroy(&srv->lock);
}

bool
server_stopping(struct server *srv)
{
	return atomic_load(&srv->stopping);
}

void
server_unregister(struct server *srv, struct session *s)
{
	pthread_mutex_lock(&srv->lock);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		srv->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	peers_drop(srv->peers, s->addr);
	pthread_mutex_unlock(&srv->lock);
}

void
server_release(struct server *srv)
{
	pthread_mutex_lock(&srv->lock);
	if (--srv->active == 0)
		pthread_cond_broadcast(&srv->drained);
	pthread_mutex_unlock(&srv->lock);
}

/* Answers a connection we will not serve, from the accept thread: the
 * short send timeout keeps a peer that does not read from stalling it. */
static void
refuse(const struct server *srv, struct chan *ch, const char *peer, int err,
       const char *msg)
{
	/* Under TLS no handshake has happened yet (sessions do it in their
	 * own thread): a plaintext ERROR would reach the client as garbage,
	 * so it gets the close alone. */
	if (srv->cfg->tls == NULL &&
	    conn_set_timeout(chan_conn(ch), REFUSE_SEND_TIMEOUT) == FTP_OK)
		chan_send_error(ch, PROTO_ID_CONNECTION, err, msg);
	chan_free(ch);
	log_msg("%s refused: %s", peer, msg);
}

/* Registers a session for ch and starts its thread, or refuses the peer
 * when the server is full or the session cannot start. */
static void
session_launch(struct server *srv, struct chan *ch, const char *peer)
{
	struct session *s;
	char msg[64];
	pthread_t t;
	int r;

	if ((s = session_new(srv, peer)) == NULL) {
		refuse(srv, ch, peer, FTP_E_FAILURE, "out of memory");
		return;
	}
	pthread_mutex_lock(&srv->lock);
	if (srv->active >= srv->cfg->max_clients) {
		pthread_mutex_unlock(&srv->lock);
		free(s);
		snprintf(msg, sizeof(msg), "server busy: %u clients",
		    srv->cfg->max_clients);
		refuse(srv, ch, peer, FTP_E_BUSY, msg);
		return;
	}
	if ((r = peers_take(srv->peers, s->addr,
	    srv->cfg->max_per_address)) != FTP_OK) {
		pthread_mutex_unlock(&srv->lock);
		free(s);
		snprintf(msg, sizeof(msg), r == FTP_E_BUSY ? "server busy: %u "
		    "connections from this address" : "out of memory",
		    srv->cfg->max_per_address);
		refuse(srv, ch, peer, r == FTP_E_BUSY ? FTP_E_BUSY :
		    FTP_E_FAILURE, msg);
		return;
	}
	s->ch = ch;
	s->next = srv->sessions;
	if (s->next != NULL)
		s->next->prev = s;
	srv->sessions = s;
	srv->active++;
	pthread_mutex_unlock(&srv->lock);
	if ((r = pthread_create(&t, &srv->attr, session_thread, s)) == 0)
		return;
	server_unregister(srv, s);
	server_release(srv);
	free(s);
	snprintf(msg, sizeof(msg), "cannot start a session: %s", strerror(r));
	refuse(srv, ch, peer, FTP_E_BUSY, msg);
}

/* Accepts one connection.  *backoff is set while accept() fails (out of
 * descriptors, typically); *warned keeps that to one log line. */
static void
accept_one(struct server *srv, bool *backoff, bool *warned)
{
	char peer[NET_ADDR_STR];
	struct conn *conn;
	struct chan *ch;
	int fd, r, one = 1;

	r = net_accept(srv->lfd, &fd, peer);
	if (r == FTP_E_AGAIN)
		return;
	if (r != FTP_OK) {
		if (!*warned)
			log_msg("accept failed (%s); backing off",
			    strerror(errno));
		*warned = *backoff = true;
		return;
	}
	if (*warned)
		log_msg("accepting again");
	*warned = false;
	/* Replies are small frames written one by one: without this, Nagle
	 * holds each reply's last frame until the client's delayed ACK
	 * (40 ms a request).  Best effort: only latency depends on it. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((r = conn_plain_new(fd, &conn)) != FTP_OK ||
	    (r = chan_new(conn, PROTO_FRAME_MAX, &ch)) != FTP_OK) {
		log_msg("%s dropped: %s", peer, ftp_strerror(r));
		return;
	}
	session_launch(srv, ch, peer);
}

/* Reads the pending signal; true if it asks us to stop. */
static bool
signal_received(struct server *srv)
{
	struct signalfd_siginfo si;

	if (read(srv->sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return false;
	log_msg("received %s", si.ssi_signo == SIGINT ? "SIGINT" :
	    si.ssi_signo == SIGTERM ? "SIGTERM" : "a signal");
	return true;
}

static void
accept_loop(struct server *srv)
{
	bool backoff = false, warned = false;
	struct pollfd p[2];
	int n;

	for (;;) {
		p[0] = (struct pollfd){.fd = srv->sfd, .events = POLLIN};
		/* While backing off the listener is left out, else a pending
		 * connection would wake us at once and we would spin. */
		p[1] = (struct pollfd){.fd = backoff ? -1 : srv->lfd,
		    .events = POLLIN};
		n = poll(p, 2, backoff ? ACCEPT_BACKOFF_MS : -1);
		if (n < 0 && errno != EINTR) {
			log_msg("poll: %s", strerror(errno));
			backoff = true;
			continue;
		}
		if (n == 0)
			backoff = false;
		if (n <= 0)
			continue;
		if ((p[0].revents & POLLIN) && signal_received(srv))
			return;
		if (p[1].revents & (POLLIN | POLLERR | POLLHUP))
			accept_one(srv, &backoff, &warned);
	}
}

/* Waits (lock held) until every session has ended or seconds have passed;
 * true if they all ended. */
static bool
wait_drained(struct server *srv, unsigned seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)seconds;
	while (srv->active > 0)
		if (pthread_cond_timedwait(&srv->drained, &srv->lock,
		    &until) == ETIMEDOUT)
			return srv->active == 0;
	return true;
}

/* Ends the input of every session idle between requests (lock held). */
static void
wake_idle(struct server *srv)
{
	struct session *s;
	int idle;

	for (s = srv->sessions; s != NULL; s = s->next) {
		idle = SESSION_IDLE;
		if (atomic_compare_exchange_strong(&s->phase, &idle,
		    SESSION_WOKEN))
			conn_wake(chan_conn(s->ch));
	}
}

/* The grace is over (lock held): transfers stop at their next frame
 * boundary, and a receiver blocked in the middle of one is woken. */
static void
abort_all(struct server *srv)
{
	struct session *s;

	for (s = srv->sessions; s != NULL; s = s->next) {
		atomic_store(&s->aborting, true);
		conn_wake(chan_conn(s->ch));
	}
}

/* Last resort (lock held): a sender whose peer stopped reading is blocked
 * in send(2); only shutting down both directions frees it at once. */
static void
cut_all(struct server *srv)
{
	struct session *s;

	for (s = srv->sessions; s != NULL; s = s->next)
		(void)shutdown(chan_conn(s->ch)->fd, SHUT_RDWR);
}

/* Stops accepting, ends idle sessions at once, gives requests in flight
 * the grace period, then aborts them and waits until all have ended. */
static void
server_drain(struct server *srv)
{
	unsigned grace = srv->cfg->shutdown_grace;

	close(srv->lfd);
	srv->lfd = -1;
	atomic_store(&srv->stopping, true);
	pthread_mutex_lock(&srv->lock);
	log_msg("shutting down: %u session(s) to end, grace %u s",
	    srv->active, grace);
	wake_idle(srv);
	if (!wait_drained(srv, grace)) {
		log_msg("grace period over: aborting %u session(s)",
		    srv->active);
		abort_all(srv);
		if (!wait_drained(srv, SHUTDOWN_LAST_WORD)) {
			log_msg("cutting %u session(s)", srv->active);
			cut_all(srv);
		}
		while (srv->active > 0)
			pthread_cond_wait(&srv->drained, &srv->lock);
	}
	pthread_mutex_unlock(&srv->lock);
	log_msg("all sessions ended");
}

int
server_run(struct server *srv)
{
	accept_loop(srv);
	server_drain(srv);
	return FTP_OK;
}
