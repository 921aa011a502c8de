/*
 * buf.c - the bounded byte buffer and the only encoder/decoder of wire bytes.
 *
 * Every bound is checked in subtraction form (avail - used < need) so that no
 * sum can wrap; an owned buffer grows by doubling and never past priv_max.
 * Failed operations leave the buffer exactly as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

/* First allocation: small, so an idle owner costs little. */
#define BUF_MIN_ALLOC 64

void
buf_init(struct buf *b, size_t max_size)
{
	memset(b, 0, sizeof(*b));
	b->priv_max = max_size;
}

void
buf_view(struct buf *b, const void *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	/* The cast drops const only for storage; a view is never written. */
	b->priv_data = (uint8_t *)(uintptr_t)data;
	b->priv_wpos = len;
	b->priv_max = len;
	b->priv_view = true;
}

void
buf_free(struct buf *b)
{
	if (!b->priv_view)
		free(b->priv_data);
	b->priv_data = NULL;
	b->priv_rpos = b->priv_wpos = b->priv_alloc = 0;
}

void
buf_reset(struct buf *b)
{
	b->priv_rpos = b->priv_wpos = 0;
}

void
buf_shrink(struct buf *b, size_t keep)
{
	if (b->priv_view || b->priv_rpos != b->priv_wpos ||
	    b->priv_alloc <= keep)
		return;
	buf_free(b);
}

size_t
buf_len(const struct buf *b)
{
	return b->priv_wpos - b->priv_rpos;
}

const uint8_t *
buf_ptr(const struct buf *b)
{
	return b->priv_data == NULL ? NULL : b->priv_data + b->priv_rpos;
}

size_t
buf_max(const struct buf *b)
{
	return b->priv_max;
}

/* Consumes n bytes known to be there; an emptied buffer restarts at 0 so
 * the next puts need no compaction. */
static void
advance(struct buf *b, size_t n)
{
	b->priv_rpos += n;
	if (b->priv_rpos == b->priv_wpos)
		b->priv_rpos = b->priv_wpos = 0;
}

void
buf_compact(struct buf *b)
{
	size_t n = buf_len(b);

	if (b->priv_view || b->priv_rpos == 0)
		return;
	if (n > 0)
		memmove(b->priv_data, b->priv_data + b->priv_rpos, n);
	b->priv_rpos = 0;
	b->priv_wpos = n;
}

/* Grows the allocation to hold need unread bytes (need <= priv_max). */
static int
grow(struct buf *b, size_t need)
{
	size_t cap = b->priv_alloc != 0 ? b->priv_alloc : BUF_MIN_ALLOC;
	uint8_t *p;

	while (cap < need)
		cap = cap > b->priv_max / 2 ? b->priv_max : cap * 2;
	if (cap > b->priv_max)
		cap = b->priv_max;
	buf_compact(b);
	if ((p = realloc(b->priv_data, cap)) == NULL)
		return FTP_E_NOMEM;
	b->priv_data = p;
	b->priv_alloc = cap;
	return FTP_OK;
}

int
buf_reserve(struct buf *b, size_t len, uint8_t **out)
{
	size_t unread = buf_len(b);
	int r;

	if (b->priv_view || len > b->priv_max - unread)
		return FTP_E_BUF_LIMIT;
	if (len > b->priv_alloc - b->priv_wpos) {
		if (len <= b->priv_alloc - unread)
			buf_compact(b);
		else if ((r = grow(b, unread + len)) != FTP_OK)
			return r;
	}
	*out = b->priv_data == NULL ? NULL : b->priv_data + b->priv_wpos;
	return FTP_OK;
}

int
buf_commit(struct buf *b, size_t n)
{
	if (b->priv_view || n > b->priv_alloc - b->priv_wpos ||
	    n > b->priv_max - buf_len(b))
		return FTP_E_BUF_LIMIT;
	b->priv_wpos += n;
	return FTP_OK;
}

int
buf_consume(struct buf *b, size_t n)
{
	if (n > buf_len(b))
		return FTP_E_SHORT;
	advance(b, n);
	return FTP_OK;
}

/* Big-endian unsigned integer of n (1..8) bytes at p. */
static uint64_t
load_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
store_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = n; i > 0; i--) {
		p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
}

static int
get_be(struct buf *b, size_t n, uint64_t *v)
{
	if (buf_len(b) < n)
		return FTP_E_SHORT;
	*v = load_be(buf_ptr(b), n);
	advance(b, n);
	return FTP_OK;
}

static int
put_be(struct buf *b, uint64_t v, size_t n)
{
	uint8_t *p;
	int r;

	if ((r = buf_reserve(b, n, &p)) != FTP_OK)
		return r;
	store_be(p, v, n);
	b->priv_wpos += n;
	return FTP_OK;
}

int
buf_get_u8(struct buf *b, uint8_t *v)
{
	uint64_t x;
	int r;

	if ((r = get_be(b, 1, &x)) == FTP_OK)
		*v = (uint8_t)x;
	return r;
}

int
buf_get_u16(struct buf *b, uint16_t *v)
{
	uint64_t x;
	int r;

	if ((r = get_be(b, 2, &x)) == FTP_OK)
		*v = (uint16_t)x;
	return r;
}

int
buf_get_u32(struct buf *b, uint32_t *v)
{
	uint64_t x;
	int r;

	if ((r = get_be(b, 4, &x)) == FTP_OK)
		*v = (uint32_t)x;
	return r;
}

int
buf_get_u64(struct buf *b, uint64_t *v)
{
	return get_be(b, 8, v);
}

int
buf_get_i64(struct buf *b, int64_t *v)
{
	uint64_t x;
	int r;

	/* Two's complement by definition of the wire; memcpy avoids relying
	 * on implementation-defined unsigned-to-signed conversion. */
	if ((r = get_be(b, 8, &x)) == FTP_OK)
		memcpy(v, &x, sizeof(*v));
	return r;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return put_be(b, v, 1);
}

int
buf_put_u16(struct buf *b, uint16_t v)
{
	return put_be(b, v, 2);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	return put_be(b, v, 4);
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	return put_be(b, v, 8);
}

int
buf_put_i64(struct buf *b, int64_t v)
{
	uint64_t x;

	memcpy(&x, &v, sizeof(x));
	return put_be(b, x, 8);
}

/* Checks that n bytes at offset off from the first unread byte exist. */
static bool
in_bounds(const struct buf *b, size_t off, size_t n)
{
	return off <= buf_len(b) && buf_len(b) - off >= n;
}

int
buf_peek_u32(const struct buf *b, size_t off, uint32_t *v)
{
	if (!in_bounds(b, off, 4))
		return FTP_E_SHORT;
	*v = (uint32_t)load_be(buf_ptr(b) + off, 4);
	return FTP_OK;
}

int
buf_poke_u32(struct buf *b, size_t off, uint32_t v)
{
	if (b->priv_view)
		return FTP_E_BUF_LIMIT;
	if (!in_bounds(b, off, 4))
		return FTP_E_SHORT;
	store_be(b->priv_data + b->priv_rpos + off, v, 4);
	return FTP_OK;
}

int
buf_poke_u16(struct buf *b, size_t off, uint16_t v)
{
	if (b->priv_view)
		return FTP_E_BUF_LIMIT;
	if (!in_bounds(b, off, 2))
		return FTP_E_SHORT;
	store_be(b->priv_data + b->priv_rpos + off, v, 2);
	return FTP_OK;
}

int
buf_get_bytes(struct buf *b, void *dst, size_t len)
{
	if (buf_len(b) < len)
		return FTP_E_SHORT;
	if (len > 0)
		memcpy(dst, buf_ptr(b), len);
	advance(b, len);
	return FTP_OK;
}

int
buf_put_bytes(struct buf *b, const void *src, size_t len)
{
	uint8_t *p;
	int r;

	if ((r = buf_reserve(b, len, &p)) != FTP_OK)
		return r;
	if (len > 0)
		memcpy(p, src, len);
	b->priv_wpos += len;
	return FTP_OK;
}

int
buf_get_string(struct buf *b, char *dst, size_t dstsize)
{
	const uint8_t *p;
	size_t n;

	if (buf_len(b) < 2)
		return FTP_E_SHORT;
	p = buf_ptr(b);
	n = (size_t)load_be(p, 2);
	if (dstsize == 0 || n > dstsize - 1)
		return FTP_E_STR_LONG;
	if (buf_len(b) - 2 < n)
		return FTP_E_SHORT;
	if (!utf8_valid(p + 2, n))
		return FTP_E_BAD_STRING;
	if (n > 0)
		memcpy(dst, p + 2, n);
	dst[n] = '\0';
	advance(b, 2 + n);
	return FTP_OK;
}

int
buf_put_string(struct buf *b, const char *s)
{
	uint8_t *p;
	size_t n;
	int r;

	if (s == NULL)
		return FTP_E_BAD_STRING;
	if ((n = strnlen(s, UINT16_MAX + 1u)) > UINT16_MAX)
		return FTP_E_TOO_LARGE;
	if (!utf8_valid(s, n))
		return FTP_E_BAD_STRING;
	if ((r = buf_reserve(b, 2 + n, &p)) != FTP_OK)
		return r;
	store_be(p, n, 2);
	if (n > 0)
		memcpy(p + 2, s, n);
	b->priv_wpos += 2 + n;
	return FTP_OK;
}

/*
 * Length of the well-formed UTF-8 sequence at p (avail > 0 bytes), or 0.
 * The second byte's range excludes overlong forms (E0, F0), surrogates (ED)
 * and code points past U+10FFFF (F4); C0, C1 and F5..FF never start one.
 */
size_t
utf8_char_len(const void *s, size_t avail)
{
	const uint8_t *p = s;
	uint8_t c = p[0], lo = 0x80, hi = 0xBF;
	size_t need;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	if (c < 0xE0) {
		need = 1;
	} else if (c < 0xF0) {
		need = 2;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else {
		need = 3;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	}
	if (avail - 1 < need || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return need + 1;
}

bool
utf8_valid(const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_char_len(p + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}
