/*
 * client_int.h - what the pieces of the session library share: the
 * client's state and the helpers every request uses (client.c), so that
 * GET (client_get.c), PUT (client_put.c) and file management
 * (client_manage.c) each live in a file of their own.  Not for callers
 * of the library: they use client.h.
 */
#ifndef FTPC_CLIENT_INT_H
#define FTPC_CLIENT_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "client.h"
#include "frame.h"
#include "localfile.h"
#include "msg.h"
#include "proto_limits.h"

/* Room for a server message plus two paths and some words. */
#define FTPC_DETAIL_MAX (PROTO_MESSAGE_MAX + 2 * LF_PATH_MAX + 256)

struct ftpc_client {
	struct chan *ch;            /* NULL once the connection is gone */
	volatile sig_atomic_t fd;   /* the socket, for ftpc_abort() only */
	uint32_t next_id;           /* 0 once the ids are used up */
	uint32_t data_max;          /* largest DATA body we send */
	uint64_t want;              /* features asked for in HELLO */
	uint64_t features;          /* features the server granted */
	enum ftpc_fault fault;
	bool tls;                   /* the session runs inside TLS */
	bool tls_verified;          /* ... which checked the server */
	struct buf out;             /* the request body being sent */
	char cwd[PROTO_PATH_MAX + 1]; /* remote, server form: "" = root */
	char cwd_shown[PROTO_PATH_MAX + 2]; /* "/" + cwd */
	ftpc_progress_fn progress;  /* ftpc_set_progress() */
	void *progress_arg;
	volatile sig_atomic_t *cancel; /* ftpc_set_cancel() */
	char software[PROTO_SOFTWARE_MAX + 1];
	char detail[FTPC_DETAIL_MAX];
};

/* Drops the connection (it is out of step or gone). */
void cli_drop(struct ftpc_client *cl);
/* Forgets the last failure: every public call starts with it. */
void cli_clear(struct ftpc_client *cl);
/* Records a failure and returns err; a connection fault also drops the
 * connection. */
int cli_fail(struct ftpc_client *cl, enum ftpc_fault fault, int err,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A local failure: "what path: strerror(eno)". */
int cli_local_fail(struct ftpc_client *cl, int err, int eno, const char *what,
		   const char *path);
int cli_malformed(struct ftpc_client *cl, const struct frame *f, int err);
int cli_unexpected(struct ftpc_client *cl, const struct frame *f);
/* An ERROR frame: the server's status and words, as a fault of kind
 * fault. */
int cli_refused(struct ftpc_client *cl, struct frame *f,
		enum ftpc_fault fault);
/* The connection failed under us (with the server's last word if it left
 * one). */
int cli_lost(struct ftpc_client *cl, int err);
int cli_encode_fail(struct ftpc_client *cl, int err);
/* Sends cl->out's bytes as the body of a new request of type. */
int cli_request(struct ftpc_client *cl, uint8_t type, uint32_t *id);
/* The next frame answering request id. */
int cli_reply(struct ftpc_client *cl, uint32_t id, struct frame *f);
/* The reply to id, of type want; an ERROR is the server refusing. */
int cli_expect_reply(struct ftpc_client *cl, uint32_t id, uint8_t want,
		     struct frame *f);
/* A reply that must be an empty OK. */
int cli_reply_ok(struct ftpc_client *cl, uint32_t id);
/* An END must count exactly what was announced and received; *endp, if
 * not NULL, receives it (with a crc when expect_crc). */
int cli_end_check(struct ftpc_client *cl, struct frame *f, uint64_t announced,
		  uint64_t received, const char *unit, bool expect_crc,
		  struct msg_end *endp);
/* True once the user asked to stop the transfer (ftpc_set_cancel()). */
bool cli_cancelled(const struct ftpc_client *cl);
/* Waits for the next frame to arrive: false when it has (or when the
 * wait is over and chan_recv()'s own timeout should speak), true if the
 * user cancelled first, so a transfer stalled by a slow server still
 * stops at once. */
bool cli_wait_cancelled(struct ftpc_client *cl);
/* Stops transfer id at the user's request: ABORT, after which the
 * caller reads the transfer's last frame; without the feature the
 * connection is dropped and FTP_E_ABORTED returned. */
int cli_send_abort(struct ftpc_client *cl, uint32_t id);
/* Reports progress to the ftpc_set_progress() callback, if any. */
void cli_progress(const struct ftpc_client *cl, uint64_t done,
		  uint64_t total);

#endif
