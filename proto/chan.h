/*
 * chan.h - a framed channel: a transport plus a frame decoder.
 *
 * This is the socket loop that frame.h keeps out of the decoder.  Both ends
 * use it: chan_recv() blocks for the next whole frame; chan_send*() write one
 * frame each.  After any error other than FTP_E_TIMEOUT on an idle channel,
 * the channel is unusable and should be freed.
 */
#ifndef PROTO_CHAN_H
#define PROTO_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "frame.h"

struct conn;
struct chan;

/* Takes ownership of conn (closed on failure too).  Frames received are
 * limited to frame_max body bytes (<= PROTO_FRAME_MAX). */
int chan_new(struct conn *conn, uint32_t frame_max, struct chan **out);
void chan_free(struct chan *ch); /* closes the transport */

struct conn *chan_conn(struct chan *ch);

/* Changes the body limit for frames received from now on (DATA frames are
 * allowed up to it, others up to min(it, PROTO_CONTROL_MAX)). */
void chan_set_frame_max(struct chan *ch, uint32_t frame_max);

/* Bounds the total time later chan_recv() calls may wait, however slowly
 * the bytes trickle in: FTP_E_TIMEOUT once seconds have passed from now.
 * 0 removes the deadline (the transport's own timeout still applies, and
 * the caller should set it again with conn_set_timeout()). */
void chan_set_deadline(struct chan *ch, unsigned seconds);

/* Bounds each later chan_recv() on its own: the frame it returns must
 * arrive whole within seconds of the call (as well as before the
 * deadline), so a peer cannot hold a reader by trickling bytes.  0: no
 * bound but the transport's timeout. */
void chan_set_frame_timeout(struct chan *ch, unsigned seconds);
/* Blocks until a whole frame has arrived; f->body is valid until the next
 * chan_recv().  FTP_E_CLOSED if the peer closed between frames,
 * FTP_E_PROTOCOL if it closed mid-frame, decoder errors as in frame.h. */
int chan_recv(struct chan *ch, struct frame *f);

/* True if a frame, or the peer's close, can be read without blocking. */
bool chan_readable(struct chan *ch);

/* Waits until chan_readable() would be true: FTP_OK, or FTP_E_TIMEOUT
 * after seconds (0: no wait); a signal ends the wait with the error for
 * EINTR. */
int chan_wait_readable(struct chan *ch, unsigned seconds);

/* One frame whose body is the unread bytes of body (NULL: empty body). */
int chan_send(struct chan *ch, uint8_t type, uint32_t id,
	      const struct buf *body);

/* One frame of type with a raw payload (DATA). */
int chan_send_raw(struct chan *ch, uint8_t type, uint32_t id,
		  const void *data, size_t len);

/* One DATA frame with frame flags (PROTO_FLAG_*, as negotiated). */
int chan_send_data(struct chan *ch, uint32_t id, uint8_t flags,
		   const void *data, size_t len);

/* The flags DATA frames received may carry from now on. */
void chan_allow_flags(struct chan *ch, uint8_t flags);

/* One DATA frame carrying len bytes of file fd from off, zero-copy where
 * the transport allows.  FTP_E_CHANGED if the file ended early; the stream
 * is then out of step and the channel must be closed. */
int chan_send_file(struct chan *ch, uint32_t id, int fd, uint64_t off,
		   uint32_t len);

/* An ERROR frame. */
int chan_send_error(struct chan *ch, uint32_t id, int err,
		    const char *message);

/* Releases a transfer-sized receive buffer once idle. */
void chan_shrink(struct chan *ch);

#endif
