/*
 * frame.c - frame headers and the sans-I/O frame decoder.
 *
 * The decoder keeps undecoded bytes in one buffer capped at one maximal
 * frame.  A header is judged as soon as its 10 bytes are in, before the
 * buffer is ever grown for the body, so a hostile length costs nothing.  A
 * returned frame's body is a view into the buffer; its bytes are dropped
 * (field pending) on the decoder's next call, which is what keeps the view
 * valid until then.
 */
#include <stddef.h>

#include "err.h"
#include "frame.h"
#include "proto_limits.h"

/*
 * Bytes a socket read may fill beyond what the current frame needs, so that
 * runs of small frames arrive in one recv().  Kept small because every idle
 * connection of the daemon holds this much.
 */
#define DEC_BATCH 4096u

const char *
proto_type_name(uint8_t type)
{
	switch (type) {
	case PROTO_HELLO: return "HELLO";
	case PROTO_LIST: return "LIST";
	case PROTO_GET: return "GET";
	case PROTO_PUT: return "PUT";
	case PROTO_QUIT: return "QUIT";
	case PROTO_SUM: return "SUM";
	case PROTO_LOGIN: return "LOGIN";
	case PROTO_STAT: return "STAT";
	case PROTO_MKDIR: return "MKDIR";
	case PROTO_RMDIR: return "RMDIR";
	case PROTO_DELETE: return "DELETE";
	case PROTO_RENAME: return "RENAME";
	case PROTO_DATA: return "DATA";
	case PROTO_END: return "END";
	case PROTO_ABORT: return "ABORT";
	case PROTO_OK: return "OK";
	case PROTO_ERROR: return "ERROR";
	case PROTO_HELLO_OK: return "HELLO_OK";
	case PROTO_ENTRIES: return "ENTRIES";
	case PROTO_FILE: return "FILE";
	case PROTO_SUM_OK: return "SUM_OK";
	case PROTO_READY: return "READY";
	case PROTO_INFO: return "INFO";
	default: return NULL;
	}
}

uint32_t
proto_type_max_body(uint8_t type, uint32_t frame_max)
{
	if (frame_max > PROTO_FRAME_MAX)
		frame_max = PROTO_FRAME_MAX;
	if (proto_type_name(type) == NULL)
		return 0;
	if (type == PROTO_DATA || frame_max < PROTO_CONTROL_MAX)
		return frame_max;
	return PROTO_CONTROL_MAX;
}

int
frame_put_header(struct buf *b, uint8_t type, uint8_t flags, uint32_t id,
		 size_t body_len)
{
	uint8_t *room;
	int r;

	if (body_len > PROTO_FRAME_MAX)
		return FTP_E_FRAME_SIZE;
	/* Reserving the whole header first makes the puts below unable to
	 * fail halfway. */
	if ((r = buf_reserve(b, PROTO_HEADER_SIZE, &room)) != FTP_OK ||
	    (r = buf_put_u32(b, (uint32_t)body_len)) != FTP_OK ||
	    (r = buf_put_u8(b, type)) != FTP_OK ||
	    (r = buf_put_u8(b, flags)) != FTP_OK ||
	    (r = buf_put_u32(b, id)) != FTP_OK)
		return r;
	return FTP_OK;
}

void
frame_decoder_init(struct frame_decoder *d, uint32_t frame_max)
{
	/* The buffer may hold any frame the protocol allows; frame_max is the
	 * policy, judged on each header. */
	buf_init(&d->in, PROTO_HEADER_SIZE + (size_t)PROTO_FRAME_MAX);
	d->flags_allowed = PROTO_FLAGS_NONE;
	d->pending = 0;
	frame_decoder_set_max(d, frame_max);
}

void
frame_decoder_allow_flags(struct frame_decoder *d, uint8_t flags)
{
	d->flags_allowed = flags;
}

void
frame_decoder_set_max(struct frame_decoder *d, uint32_t frame_max)
{
	d->frame_max = frame_max > PROTO_FRAME_MAX ? PROTO_FRAME_MAX :
	    frame_max;
}

void
frame_decoder_free(struct frame_decoder *d)
{
	buf_free(&d->in);
	d->pending = 0;
}

/* Ends the life of the last returned frame's body view. */
static void
drop_pending(struct frame_decoder *d)
{
	if (d->pending > 0) {
		(void)buf_consume(&d->in, d->pending);
		d->pending = 0;
	}
}

/* Decodes and judges the header off bytes into the buffer, consuming
 * nothing; FTP_E_AGAIN until all 10 bytes are there. */
static int
header_peek(const struct frame_decoder *d, size_t off, struct frame *f,
	    uint32_t *len)
{
	struct buf h;
	int r;

	if (buf_len(&d->in) - off < PROTO_HEADER_SIZE)
		return FTP_E_AGAIN;
	buf_view(&h, buf_ptr(&d->in) + off, PROTO_HEADER_SIZE);
	if ((r = buf_get_u32(&h, len)) != FTP_OK ||
	    (r = buf_get_u8(&h, &f->type)) != FTP_OK ||
	    (r = buf_get_u8(&h, &f->flags)) != FTP_OK ||
	    (r = buf_get_u32(&h, &f->id)) != FTP_OK)
		return r;
	if (proto_type_name(f->type) == NULL)
		return FTP_E_BAD_TYPE;
	if ((f->flags & ~(f->type == PROTO_DATA ? d->flags_allowed : 0)) != 0)
		return FTP_E_BAD_FLAGS;
	if (*len > proto_type_max_body(f->type, d->frame_max))
		return FTP_E_FRAME_SIZE;
	return FTP_OK;
}

int
frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len)
{
	size_t cap = PROTO_HEADER_SIZE + (size_t)d->frame_max;

	drop_pending(d);
	/* Subtraction form; the limit may have been lowered under us. */
	if (buf_len(&d->in) > cap || len > cap - buf_len(&d->in))
		return FTP_E_BUF_LIMIT;
	return buf_put_bytes(&d->in, data, len);
}

int
frame_decoder_space(struct frame_decoder *d, uint8_t **space, size_t *len)
{
	size_t have, want = PROTO_HEADER_SIZE;
	size_t cap = PROTO_HEADER_SIZE + (size_t)d->frame_max;
	struct frame f;
	uint32_t body;
	int r;

	drop_pending(d);
	have = buf_len(&d->in);
	if ((r = header_peek(d, 0, &f, &body)) == FTP_OK)
		want += body;
	else if (r != FTP_E_AGAIN)
		return r;
	if (want < DEC_BATCH)
		want = DEC_BATCH;
	if (want > cap)
		want = cap;
	/* Only when a maximal frame is already whole: decode it first. */
	if (want <= have)
		return FTP_E_BUF_LIMIT;
	if ((r = buf_reserve(&d->in, want - have, space)) != FTP_OK)
		return r;
	*len = want - have;
	return FTP_OK;
}

int
frame_decoder_commit(struct frame_decoder *d, size_t n)
{
	return buf_commit(&d->in, n);
}

int
frame_decoder_next(struct frame_decoder *d, struct frame *f)
{
	uint32_t len;
	int r;

	drop_pending(d);
	if ((r = header_peek(d, 0, f, &len)) != FTP_OK)
		return r;
	if (buf_len(&d->in) - PROTO_HEADER_SIZE < len)
		return FTP_E_AGAIN;
	buf_view(&f->body, buf_ptr(&d->in) + PROTO_HEADER_SIZE, len);
	d->pending = PROTO_HEADER_SIZE + (size_t)len;
	return FTP_OK;
}

bool
frame_decoder_ready(const struct frame_decoder *d)
{
	struct frame f;
	uint32_t len;
	int r = header_peek(d, d->pending, &f, &len);

	if (r == FTP_E_AGAIN)
		return false;
	return r != FTP_OK ||
	    buf_len(&d->in) - d->pending - PROTO_HEADER_SIZE >= len;
}

bool
frame_decoder_idle(const struct frame_decoder *d)
{
	return buf_len(&d->in) == d->pending;
}

void
frame_decoder_shrink(struct frame_decoder *d)
{
	drop_pending(d);
	buf_shrink(&d->in, DEC_BATCH);
}
