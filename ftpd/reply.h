/*
 * reply.h - ERROR replies, storage error mapping and the one conversion
 * from store records to wire messages.
 */
#ifndef FTPD_REPLY_H
#define FTPD_REPLY_H

#include <stdint.h>

#include "msg.h"
#include "store.h"

struct session;

/* Sends one frame (see chan_send()); a failure marks the session broken,
 * so nothing more is sent on it. */
int reply_send(struct session *s, uint8_t type, uint32_t id,
	       const struct buf *body);

/* The result of a send on s's channel, marking s broken if it failed. */
int reply_sent(struct session *s, int r);

/* Sends ERROR(err) for request id with a formatted message; returns the
 * send's result (FTP_OK means the session can go on). */
int reply_error(struct session *s, uint32_t id, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The err.h code for a storage result (a negative errno). */
int reply_stor_code(int rc);

/* Sends ERROR for a failed storage call on path, e.g. "no such file or
 * directory: a/b" or "path leaves the root: a/b". */
int reply_stor_error(struct session *s, uint32_t id, int rc,
		     const char *path);

/* Store records as wire messages. */
void reply_entry(struct msg_entry *out, const struct stor_entry *in);
void reply_info(struct msg_info *out, const struct stor_info *in);
void reply_file(struct msg_file *out, const struct stor_info *in,
		uint64_t offset);

#endif
