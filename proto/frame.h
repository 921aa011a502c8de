/*
 * frame.h - frames and the sans-I/O frame decoder.
 *
 * A frame is a 10-byte header (u32 body length, u8 type, u8 flags, u32
 * request id, all big-endian) followed by the body.  The decoder is fed bytes
 * and answers "need more", a complete frame, or an error; it never touches a
 * descriptor, so tests can feed it a byte at a time and fuzzers garbage.
 */
#ifndef PROTO_FRAME_H
#define PROTO_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum proto_type {
	/* requests, client to server */
	PROTO_HELLO = 0x01,
	PROTO_LIST = 0x02,
	PROTO_GET = 0x03,
	PROTO_PUT = 0x04,
	PROTO_QUIT = 0x05,
	PROTO_SUM = 0x06,     /* with PROTO_FEATURE_RESUME */
	PROTO_LOGIN = 0x07,   /* with PROTO_FEATURE_LOGIN */
	PROTO_STAT = 0x08,    /* these five with PROTO_FEATURE_MANAGE */
	PROTO_MKDIR = 0x09,
	PROTO_RMDIR = 0x0A,
	PROTO_DELETE = 0x0B,
	PROTO_RENAME = 0x0C,
	/* transfer stream: server to client in GET, client to server in PUT */
	PROTO_DATA = 0x10,
	PROTO_END = 0x11,
	PROTO_ABORT = 0x12,   /* client to server, with PROTO_FEATURE_ABORT */
	/* replies, server to client */
	PROTO_OK = 0x20,
	PROTO_ERROR = 0x21,
	PROTO_HELLO_OK = 0x22,
	PROTO_ENTRIES = 0x23,
	PROTO_FILE = 0x24,
	PROTO_SUM_OK = 0x25,  /* with PROTO_FEATURE_RESUME */
	PROTO_READY = 0x26,   /* with PROTO_FEATURE_RESUME */
	PROTO_INFO = 0x27,    /* with PROTO_FEATURE_MANAGE */
};

/* Frame flags.  Every flag is a DATA flag, valid only in a session that
 * negotiated it; a receiver rejects any other (FTP_E_BAD_FLAGS). */
#define PROTO_FLAGS_NONE 0x00
/* The DATA body is one raw deflate stream (PROTO_FEATURE_COMPRESS). */
#define PROTO_FLAG_COMPRESSED 0x01

/* Request id 0 marks a connection-level ERROR (busy, timeout, protocol
 * error) that answers no particular request; requests use ids from 1. */
#define PROTO_ID_CONNECTION 0u

struct frame {
	uint8_t type;
	uint8_t flags;
	uint32_t id;
	struct buf body; /* read-only view; valid until the decoder moves on */
};

/* "HELLO", "DATA", ...; NULL for a type this protocol does not define. */
const char *proto_type_name(uint8_t type);

/* Largest body a frame of this type may carry given the negotiated frame
 * limit: frame_max for DATA, min(frame_max, PROTO_CONTROL_MAX) otherwise. */
uint32_t proto_type_max_body(uint8_t type, uint32_t frame_max);

/* Appends a header for a body of body_len bytes.  FTP_E_FRAME_SIZE if
 * body_len exceeds PROTO_FRAME_MAX. */
int frame_put_header(struct buf *b, uint8_t type, uint8_t flags, uint32_t id,
		     size_t body_len);

struct frame_decoder {
	struct buf in;       /* bytes received and not yet decoded */
	uint32_t frame_max;  /* body limit for DATA; see proto_type_max_body */
	uint8_t flags_allowed; /* on DATA frames; others take none */
	size_t pending;      /* bytes of the last returned frame to drop */
};

/* A decoder accepting bodies up to frame_max (<= PROTO_FRAME_MAX) and no
 * flags.  Allocates nothing until bytes arrive. */
void frame_decoder_init(struct frame_decoder *d, uint32_t frame_max);

/* The flags DATA frames may carry from now on (those negotiated). */
void frame_decoder_allow_flags(struct frame_decoder *d, uint8_t flags);

/* Changes the body limit for frames not yet judged, so a session can accept
 * large DATA frames only while it expects them. */
void frame_decoder_set_max(struct frame_decoder *d, uint32_t frame_max);
void frame_decoder_free(struct frame_decoder *d);

/* Copies len bytes into the decoder.  FTP_E_BUF_LIMIT if more than one
 * maximal frame would be buffered. */
int frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len);

/* For reading straight from a socket: room for at least one byte, at most
 * what the frame being assembled still needs plus some slack, at *space
 * with *len bytes; then frame_decoder_commit() the bytes actually stored. */
int frame_decoder_space(struct frame_decoder *d, uint8_t **space, size_t *len);
int frame_decoder_commit(struct frame_decoder *d, size_t n);

/*
 * Decodes the next frame.  FTP_OK with *f filled (its body a view into the
 * decoder, valid until the next call on d); FTP_E_AGAIN if more bytes are
 * needed; otherwise an error, after which d is unusable:
 *   FTP_E_FRAME_SIZE  length over the type's limit (checked on the header
 *                     alone, before any body byte is buffered)
 *   FTP_E_BAD_TYPE    type not defined by this protocol
 *   FTP_E_BAD_FLAGS   a flag not allowed
 */
int frame_decoder_next(struct frame_decoder *d, struct frame *f);

/* True if the next frame_decoder_next() would answer without more input:
 * a whole frame, or a header it rejects, is buffered past the frame last
 * returned (whose body may still be in use; nothing is moved). */
bool frame_decoder_ready(const struct frame_decoder *d);

/* True if no partial frame is buffered (a clean place for the peer to
 * close). */
bool frame_decoder_idle(const struct frame_decoder *d);

/* Frees the receive buffer if it is large and empty (between transfers). */
void frame_decoder_shrink(struct frame_decoder *d);

#endif
