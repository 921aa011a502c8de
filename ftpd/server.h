/*
 * server.h - the listening socket, the accept loop, signals and the
 * registry of live sessions.
 *
 * main() owns the one struct server and passes it by pointer; there is no
 * global state.  The registry (a list of sessions and their count) is
 * guarded by lock; sessions add themselves through the accept thread and
 * remove themselves when they end.
 */
#ifndef FTPD_SERVER_H
#define FTPD_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct config;
struct failures;
struct peers;
struct session;
struct store;

struct server {
	const struct config *cfg; /* immutable */
	struct store *store;      /* shared by all sessions */
	int lfd;                  /* listening socket, -1 once closed */
	int sfd;                  /* signalfd for SIGINT and SIGTERM */
	unsigned port;            /* bound port */
	atomic_bool stopping;     /* set once, on SIGINT/SIGTERM */
	struct failures *failures; /* failed logins per address (locked) */
	pthread_attr_t attr;      /* session threads: small stack, detached */
	bool attr_ok;

	pthread_mutex_t lock;     /* guards the fields below */
	pthread_cond_t drained;   /* signalled when active drops to 0;
				   * CLOCK_MONOTONIC for timed waits */
	struct session *sessions; /* live sessions */
	unsigned active;          /* sessions not yet released */
	struct peers *peers;      /* connections per client address */
};

/* Blocks SIGINT and SIGTERM (call before any thread starts), opens the
 * signalfd, listens and writes the port file.  Logs what failed. */
int server_init(struct server *srv, const struct config *cfg,
		struct store *store);

/* Accepts connections until SIGINT or SIGTERM, then ends idle sessions at
 * once, gives those serving a request cfg->shutdown_grace seconds, aborts
 * the rest and waits for every session to end. */
int server_run(struct server *srv);

/* Releases what server_init() acquired; no session may be live. */
void server_fini(struct server *srv);

/* True once the server is shutting down. */
bool server_stopping(struct server *srv);

/* Called by a session's thread: unregister before its channel is freed
 * (no wake-up can reach it after), release as its last touch of srv. */
void server_unregister(struct server *srv, struct session *s);
void server_release(struct server *srv);

#endif
