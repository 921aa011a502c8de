/*
 * buf.h - the bounded byte buffer: the only code that encodes or decodes
 * wire bytes.
 *
 * A buffer holds the bytes [rpos, wpos) of data[]; gets consume from the
 * front, puts append at the back.  An owned buffer grows on demand up to the
 * max_size fixed at buf_init() and never beyond; a view wraps bytes owned by
 * someone else and is read-only.  Every get and put checks its bounds and
 * returns an error code (err.h) instead of reading or writing past them; on
 * error nothing is consumed or appended.
 *
 * The struct is public only so that buffers can live on the stack or inside
 * other structs: its fields are buf.c's, touch them nowhere else.
 */
#ifndef PROTO_BUF_H
#define PROTO_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *priv_data;
	size_t priv_rpos;  /* first unread byte */
	size_t priv_wpos;  /* one past the last written byte */
	size_t priv_alloc; /* bytes allocated at priv_data (0 for a view) */
	size_t priv_max;   /* most bytes the buffer may ever hold */
	bool priv_view;
};

/* An empty owned buffer that will hold at most max_size bytes.  Allocates
 * nothing until the first put. */
void buf_init(struct buf *b, size_t max_size);

/* A read-only view of len bytes at data; nothing is copied or allocated. */
void buf_view(struct buf *b, const void *data, size_t len);

/* Frees an owned buffer's memory; the buffer is empty and reusable after. */
void buf_free(struct buf *b);

/* Drops all contents but keeps the allocation. */
void buf_reset(struct buf *b);

/* Releases the allocation when it is larger than keep bytes and the buffer
 * is empty, so an idle owner does not hold a transfer-sized block. */
void buf_shrink(struct buf *b, size_t keep);

size_t buf_len(const struct buf *b);       /* unread bytes */
const uint8_t *buf_ptr(const struct buf *b); /* first unread byte */
size_t buf_max(const struct buf *b);

/* Room for len more bytes without passing max_size, growing the allocation
 * as needed; *out points at the room.  The bytes count as written once
 * buf_commit(b, n) is called.  FTP_E_BUF_LIMIT past max_size. */
int buf_reserve(struct buf *b, size_t len, uint8_t **out);
int buf_commit(struct buf *b, size_t n);

/* Discards n unread bytes; FTP_E_SHORT if fewer are there. */
int buf_consume(struct buf *b, size_t n);

/* Moves the unread bytes to the start of the allocation. */
void buf_compact(struct buf *b);

/* Fixed-width big-endian integers. */
int buf_get_u8(struct buf *b, uint8_t *v);
int buf_get_u16(struct buf *b, uint16_t *v);
int buf_get_u32(struct buf *b, uint32_t *v);
int buf_get_u64(struct buf *b, uint64_t *v);
int buf_get_i64(struct buf *b, int64_t *v);
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_u16(struct buf *b, uint16_t v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
int buf_put_i64(struct buf *b, int64_t v);

/* Peeks a big-endian u32 at offset off from the first unread byte without
 * consuming anything; FTP_E_SHORT if the buffer is too short. */
int buf_peek_u32(const struct buf *b, size_t off, uint32_t *v);

/* Overwrites a big-endian u32 / u16 at offset off from the first unread
 * byte (for lengths and counts that are known only after the body). */
int buf_poke_u32(struct buf *b, size_t off, uint32_t v);
int buf_poke_u16(struct buf *b, size_t off, uint16_t v);

/* Raw bytes. */
int buf_get_bytes(struct buf *b, void *dst, size_t len);
int buf_put_bytes(struct buf *b, const void *src, size_t len);

/*
 * Strings: a u16 byte count, then that many bytes of UTF-8 with no NUL.
 * buf_get_string copies into dst (capacity dstsize, which includes the NUL
 * it appends) and fails with FTP_E_STR_LONG if the string does not fit,
 * FTP_E_BAD_STRING on NUL or invalid UTF-8 (overlong forms, surrogates and
 * code points past U+10FFFF included), FTP_E_SHORT if truncated.  On error
 * nothing is consumed.  buf_put_string refuses the same bad strings.
 */
int buf_get_string(struct buf *b, char *dst, size_t dstsize);
int buf_put_string(struct buf *b, const char *s);

/* True if the len bytes at s are valid UTF-8 without NUL. */
bool utf8_valid(const void *s, size_t len);

/* The length of the well-formed UTF-8 character (not NUL) that starts at
 * s, reading at most avail > 0 bytes; 0 if there is none. */
size_t utf8_char_len(const void *s, size_t avail);

#endif
