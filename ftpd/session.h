/*
 * session.h - one client connection: its state, its thread and the request
 * handlers.
 *
 * A session is small on purpose: the channel's receive buffer is allocated
 * only while a frame is being assembled and shrunk after each transfer, so
 * an idle connection costs little more than this struct and its thread.
 */
#ifndef FTPD_SESSION_H
#define FTPD_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "frame.h"
#include "net.h"
#include "proto_limits.h"

struct chan;
struct config;
struct server;
struct store;

/* Room for the end-of-session reason, also sent in an id-0 ERROR. */
#define SESSION_WHY_MAX 256

/* Where a session is, as shutdown sees it (struct session's phase).  The
 * session moves IDLE <-> BUSY around each request; the server moves IDLE
 * to WOKEN and then ends its input, so a request already read is never cut
 * in half and an idle session never waits for the grace period. */
enum session_phase {
	SESSION_IDLE,  /* between requests (or before HELLO) */
	SESSION_BUSY,  /* serving a request: may finish within the grace */
	SESSION_WOKEN, /* told to end by shutdown */
};

struct session {
	struct server *srv;
	const struct config *cfg;
	/* The tree this session may see: the server's whole store when
	 * anonymous, the user's own (own_store) after LOGIN, NULL before. */
	struct store *store;
	bool own_store;
	bool can_write;
	char user[PROTO_USER_MAX + 1]; /* "" when anonymous */
	unsigned login_failures;
	unsigned prelogin_denials; /* requests refused for want of a login */
	struct chan *ch;
	char peer[NET_ADDR_STR];
	char addr[NET_ADDR_STR];  /* peer without the port: --max-per-address */
	atomic_int phase;         /* enum session_phase */
	atomic_bool aborting;     /* the grace is over: stop transfers now */
	struct timespec started;  /* CLOCK_MONOTONIC */
	uint32_t last_id;         /* id of the last request */
	uint64_t features;        /* granted in HELLO_OK (PROTO_FEATURE_*) */
	unsigned long requests;
	bool done;                /* QUIT was answered */
	bool broken;              /* a send failed: send nothing more */
	char why[SESSION_WHY_MAX]; /* what ended the session, if known */
	struct session *prev, *next; /* registry links, under srv->lock */
};

/* A session for peer, or NULL if out of memory.  It is a single
 * allocation: the caller sets ch and starts session_thread(), or, if the
 * thread cannot start, frees it with free() and keeps ch. */
struct session *session_new(struct server *srv, const char *peer);

/* The thread body: serves the session, then frees it and its channel and
 * releases it from the server. */
void *session_thread(void *arg);

/* Records why the session is about to end and returns err, so a handler
 * can write `return session_fail(s, FTP_E_BAD_ID, "...")`. */
int session_fail(struct session *s, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "LIST", or "0x7f" (written into tmp) for a type without a name. */
const char *session_type_name(uint8_t type, char tmp[8]);

/* True once shutdown's grace period is over: a transfer stops at its next
 * frame boundary. */
bool session_aborting(struct session *s);

/* For a long pass over a file before the answer goes out (a checksum):
 * FTP_OK to go on, or the session's end when the server is stopping or
 * the client, which waits in silence, has gone away. */
int session_still_wanted(struct session *s);

/* Between the frames of a GET: FTP_OK to go on, FTP_E_ABORTED if the
 * client sent ABORT for it (read here), or the session's end (anything
 * else sent, or the client gone).  Always FTP_OK without the feature. */
int session_abort_requested(struct session *s, uint32_t id);

/* With --max-rate: waits until bytes moved since t0 are within the cap
 * (in slices, so shutdown still stops it), or, with until_readable, until
 * the client has sent something (a GET's ABORT).  No-op without a cap. */
void session_pace(struct session *s, const struct timespec *t0,
		  uint64_t bytes, bool until_readable);

/* Seconds since t0 (CLOCK_MONOTONIC). */
double session_elapsed(const struct timespec *t0);

/* One log line for a finished transfer; result is "ok" or an error. */
void session_log_transfer(const struct session *s, const char *op,
			  const char *path, const char *unit, uint64_t count,
			  const struct timespec *t0, const char *result);

/* The same for a GET or PUT stream: the file bytes moved, and the bytes
 * their DATA frames took on the wire (headers included), which
 * compression makes fewer. */
void session_log_data(const struct session *s, const char *op,
		      const char *path, uint64_t bytes, uint64_t wire,
		      const struct timespec *t0, const char *result);

/* Request handlers: FTP_OK when the session may go on (also after an
 * ERROR reply), an error code to end it.  Each decodes f's body itself. */
int cmd_hello(struct session *s, struct frame *f);
int cmd_list(struct session *s, struct frame *f);
int cmd_get(struct session *s, struct frame *f);
int cmd_put(struct session *s, struct frame *f);
int cmd_quit(struct session *s, struct frame *f);
int cmd_sum(struct session *s, struct frame *f);
int cmd_login(struct session *s, struct frame *f);
int cmd_stat(struct session *s, struct frame *f);
int cmd_mkdir(struct session *s, struct frame *f);
int cmd_rmdir(struct session *s, struct frame *f);
int cmd_delete(struct session *s, struct frame *f);
int cmd_rename(struct session *s, struct frame *f);

#endif
