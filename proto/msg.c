/*
 * msg.c - encoding and decoding of every message body (docs/PROTOCOL.md,
 * section 5).
 *
 * Encoders validate first and reserve the whole body before the first put,
 * so a failed encode appends nothing.  Decoders check every value against
 * its field's range; the session layer judges magic, version and state.
 */
#include <string.h>

#include "err.h"
#include "msg.h"

/* Wire sizes of the fixed parts of bodies. */
#define SZ_STRLEN 2
#define SZ_LIMIT (2 + 8)
#define SZ_ENTRY_FIXED (1 + 8 + 8 + SZ_STRLEN)

/* Length of string s for a field of at most max bytes. */
static int
str_check(const char *s, size_t max, size_t *len)
{
	size_t n;

	if (s == NULL)
		return FTP_E_BAD_STRING;
	if ((n = strnlen(s, max + 1)) > max)
		return FTP_E_TOO_LARGE;
	if (!utf8_valid(s, n))
		return FTP_E_BAD_STRING;
	*len = n;
	return FTP_OK;
}

/* Makes room for a whole body so that the puts that follow cannot fail. */
static int
reserve(struct buf *b, size_t len)
{
	uint8_t *room;

	return buf_reserve(b, len, &room);
}

static bool
kind_valid(uint8_t kind)
{
	return kind >= PROTO_KIND_FILE && kind <= PROTO_KIND_OTHER;
}

int
msg_get_empty(struct buf *b)
{
	return buf_len(b) == 0 ? FTP_OK : FTP_E_TRAILING;
}

int
msg_put_hello(struct buf *b, const struct msg_hello *m)
{
	size_t sw;
	int r;

	if ((r = str_check(m->software, PROTO_SOFTWARE_MAX, &sw)) != FTP_OK ||
	    (r = reserve(b, 4 + 2 + 8 + SZ_STRLEN + sw)) != FTP_OK ||
	    (r = buf_put_u32(b, m->magic)) != FTP_OK ||
	    (r = buf_put_u16(b, m->version)) != FTP_OK ||
	    (r = buf_put_u64(b, m->features)) != FTP_OK ||
	    (r = buf_put_string(b, m->software)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_hello(struct buf *b, struct msg_hello *m)
{
	int r;

	if ((r = buf_get_u32(b, &m->magic)) != FTP_OK ||
	    (r = buf_get_u16(b, &m->version)) != FTP_OK ||
	    (r = buf_get_u64(b, &m->features)) != FTP_OK ||
	    (r = buf_get_string(b, m->software, sizeof(m->software))) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

static int
put_limits(struct buf *b, const struct msg_hello_ok *m)
{
	int r = FTP_OK;

	for (uint16_t i = 0; i < m->nlimits && r == FTP_OK; i++)
		if ((r = buf_put_u16(b, m->limits[i].key)) == FTP_OK)
			r = buf_put_u64(b, m->limits[i].value);
	return r;
}

int
msg_put_hello_ok(struct buf *b, const struct msg_hello_ok *m)
{
	size_t sw;
	int r;

	if (m->nlimits > PROTO_LIMITS_MAX)
		return FTP_E_BAD_VALUE;
	if ((r = str_check(m->software, PROTO_SOFTWARE_MAX, &sw)) != FTP_OK ||
	    (r = reserve(b, 2 + 8 + 2 + (size_t)m->nlimits * SZ_LIMIT +
			 SZ_STRLEN + sw)) != FTP_OK ||
	    (r = buf_put_u16(b, m->version)) != FTP_OK ||
	    (r = buf_put_u64(b, m->features)) != FTP_OK ||
	    (r = buf_put_u16(b, m->nlimits)) != FTP_OK ||
	    (r = put_limits(b, m)) != FTP_OK ||
	    (r = buf_put_string(b, m->software)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_hello_ok(struct buf *b, struct msg_hello_ok *m)
{
	int r;

	if ((r = buf_get_u16(b, &m->version)) != FTP_OK ||
	    (r = buf_get_u64(b, &m->features)) != FTP_OK ||
	    (r = buf_get_u16(b, &m->nlimits)) != FTP_OK)
		return r;
	if (m->nlimits > PROTO_LIMITS_MAX)
		return FTP_E_BAD_VALUE;
	for (uint16_t i = 0; i < m->nlimits; i++)
		if ((r = buf_get_u16(b, &m->limits[i].key)) != FTP_OK ||
		    (r = buf_get_u64(b, &m->limits[i].value)) != FTP_OK)
			return r;
	if ((r = buf_get_string(b, m->software, sizeof(m->software))) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

uint64_t
msg_hello_ok_limit(const struct msg_hello_ok *m, uint16_t key, uint64_t dflt)
{
	for (uint16_t i = 0; i < m->nlimits && i < PROTO_LIMITS_MAX; i++)
		if (m->limits[i].key == key)
			return m->limits[i].value;
	return dflt;
}

int
msg_put_path(struct buf *b, const struct msg_path *m)
{
	size_t n;
	int r;

	if ((r = str_check(m->path, PROTO_PATH_MAX, &n)) != FTP_OK)
		return r;
	return buf_put_string(b, m->path);
}

int
msg_get_path(struct buf *b, struct msg_path *m)
{
	int r;

	if ((r = buf_get_string(b, m->path, sizeof(m->path))) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

int
msg_put_get(struct buf *b, const struct msg_get *m)
{
	size_t n;
	int r;

	if ((r = str_check(m->path, PROTO_PATH_MAX, &n)) != FTP_OK ||
	    (r = reserve(b, SZ_STRLEN + n + 8 + 4)) != FTP_OK ||
	    (r = buf_put_string(b, m->path)) != FTP_OK ||
	    (r = buf_put_u64(b, m->offset)) != FTP_OK)
		return r;
	if (m->has_flags && (r = buf_put_u32(b, m->flags)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_get(struct buf *b, struct msg_get *m)
{
	int r;

	m->has_flags = false;
	m->flags = 0;
	if ((r = buf_get_string(b, m->path, sizeof(m->path))) != FTP_OK ||
	    (r = buf_get_u64(b, &m->offset)) != FTP_OK)
		return r;
	if (buf_len(b) == 0)
		return FTP_OK;
	m->has_flags = true;
	if ((r = buf_get_u32(b, &m->flags)) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

int
msg_put_put(struct buf *b, const struct msg_put *m)
{
	size_t n;
	int r;

	if ((r = str_check(m->path, PROTO_PATH_MAX, &n)) != FTP_OK ||
	    (r = reserve(b, SZ_STRLEN + n + 8 + 4)) != FTP_OK ||
	    (r = buf_put_string(b, m->path)) != FTP_OK ||
	    (r = buf_put_u64(b, m->size)) != FTP_OK ||
	    (r = buf_put_u32(b, m->flags)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_put(struct buf *b, struct msg_put *m)
{
	int r;

	if ((r = buf_get_string(b, m->path, sizeof(m->path))) != FTP_OK ||
	    (r = buf_get_u64(b, &m->size)) != FTP_OK ||
	    (r = buf_get_u32(b, &m->flags)) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

int
msg_put_sum(struct buf *b, const struct msg_sum *m)
{
	size_t n;
	int r;

	if ((r = str_check(m->path, PROTO_PATH_MAX, &n)) != FTP_OK ||
	    (r = reserve(b, SZ_STRLEN + n + 8)) != FTP_OK ||
	    (r = buf_put_string(b, m->path)) != FTP_OK ||
	    (r = buf_put_u64(b, m->length)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_sum(struct buf *b, struct msg_sum *m)
{
	int r;

	if ((r = buf_get_string(b, m->path, sizeof(m->path))) != FTP_OK ||
	    (r = buf_get_u64(b, &m->length)) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

int
msg_put_login(struct buf *b, const struct msg_login *m)
{
	size_t nu, np;
	int r;

	if (m->user[0] == '\0')
		return FTP_E_BAD_VALUE;
	if ((r = str_check(m->user, PROTO_USER_MAX, &nu)) != FTP_OK ||
	    (r = str_check(m->password, PROTO_PASSWORD_MAX, &np)) != FTP_OK ||
	    (r = reserve(b, SZ_STRLEN + nu + SZ_STRLEN + np)) != FTP_OK ||
	    (r = buf_put_string(b, m->user)) != FTP_OK ||
	    (r = buf_put_string(b, m->password)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_login(struct buf *b, struct msg_login *m)
{
	int r;

	if ((r = buf_get_string(b, m->user, sizeof(m->user))) != FTP_OK ||
	    (r = buf_get_string(b, m->password, sizeof(m->password))) !=
	    FTP_OK)
		return r;
	if (m->user[0] == '\0')
		return FTP_E_BAD_VALUE;
	return msg_get_empty(b);
}

int
msg_put_rename(struct buf *b, const struct msg_rename *m)
{
	size_t nf, nt;
	int r;

	if ((r = str_check(m->from, PROTO_PATH_MAX, &nf)) != FTP_OK ||
	    (r = str_check(m->to, PROTO_PATH_MAX, &nt)) != FTP_OK ||
	    (r = reserve(b, SZ_STRLEN + nf + SZ_STRLEN + nt)) != FTP_OK ||
	    (r = buf_put_string(b, m->from)) != FTP_OK ||
	    (r = buf_put_string(b, m->to)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_rename(struct buf *b, struct msg_rename *m)
{
	int r;

	if ((r = buf_get_string(b, m->from, sizeof(m->from))) != FTP_OK ||
	    (r = buf_get_string(b, m->to, sizeof(m->to))) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

int
msg_put_info(struct buf *b, const struct msg_info *m)
{
	int r;

	if (!kind_valid(m->kind))
		return FTP_E_BAD_VALUE;
	if ((r = reserve(b, 1 + 8 + 8)) != FTP_OK ||
	    (r = buf_put_u8(b, m->kind)) != FTP_OK ||
	    (r = buf_put_u64(b, m->size)) != FTP_OK ||
	    (r = buf_put_i64(b, m->mtime)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_info(struct buf *b, struct msg_info *m)
{
	int r;

	if ((r = buf_get_u8(b, &m->kind)) != FTP_OK ||
	    (r = buf_get_u64(b, &m->size)) != FTP_OK ||
	    (r = buf_get_i64(b, &m->mtime)) != FTP_OK)
		return r;
	if (!kind_valid(m->kind))
		return FTP_E_BAD_VALUE;
	return msg_get_empty(b);
}

int
msg_put_sum_ok(struct buf *b, const struct msg_sum_ok *m)
{
	int r;

	/* The sum covers only bytes the file has. */
	if (m->length > m->size)
		return FTP_E_BAD_VALUE;
	if ((r = reserve(b, 8 + 8 + 4)) != FTP_OK ||
	    (r = buf_put_u64(b, m->size)) != FTP_OK ||
	    (r = buf_put_u64(b, m->length)) != FTP_OK ||
	    (r = buf_put_u32(b, m->crc)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_sum_ok(struct buf *b, struct msg_sum_ok *m)
{
	int r;

	if ((r = buf_get_u64(b, &m->size)) != FTP_OK ||
	    (r = buf_get_u64(b, &m->length)) != FTP_OK ||
	    (r = buf_get_u32(b, &m->crc)) != FTP_OK)
		return r;
	if (m->length > m->size)
		return FTP_E_BAD_VALUE;
	return msg_get_empty(b);
}

int
msg_put_ready(struct buf *b, const struct msg_ready *m)
{
	int r;

	if ((r = reserve(b, 8 + 4)) != FTP_OK ||
	    (r = buf_put_u64(b, m->offset)) != FTP_OK ||
	    (r = buf_put_u32(b, m->crc)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_ready(struct buf *b, struct msg_ready *m)
{
	int r;

	if ((r = buf_get_u64(b, &m->offset)) != FTP_OK ||
	    (r = buf_get_u32(b, &m->crc)) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

int
msg_put_file(struct buf *b, const struct msg_file *m)
{
	int r;

	/* The data starts inside the file or at its very end. */
	if (m->offset > m->size)
		return FTP_E_BAD_VALUE;
	if ((r = reserve(b, 8 + 8 + 8)) != FTP_OK ||
	    (r = buf_put_u64(b, m->size)) != FTP_OK ||
	    (r = buf_put_i64(b, m->mtime)) != FTP_OK ||
	    (r = buf_put_u64(b, m->offset)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_file(struct buf *b, struct msg_file *m)
{
	int r;

	if ((r = buf_get_u64(b, &m->size)) != FTP_OK ||
	    (r = buf_get_i64(b, &m->mtime)) != FTP_OK ||
	    (r = buf_get_u64(b, &m->offset)) != FTP_OK)
		return r;
	if (m->offset > m->size)
		return FTP_E_BAD_VALUE;
	return msg_get_empty(b);
}

int
msg_put_end(struct buf *b, const struct msg_end *m)
{
	int r;

	if ((r = reserve(b, 8 + (m->has_crc ? 4 : 0))) != FTP_OK ||
	    (r = buf_put_u64(b, m->count)) != FTP_OK)
		return r;
	return m->has_crc ? buf_put_u32(b, m->crc) : FTP_OK;
}

int
msg_get_end(struct buf *b, struct msg_end *m, bool expect_crc)
{
	int r;

	m->has_crc = false;
	m->crc = 0;
	if ((r = buf_get_u64(b, &m->count)) != FTP_OK)
		return r;
	if (expect_crc) {
		if ((r = buf_get_u32(b, &m->crc)) != FTP_OK)
			return r;
		m->has_crc = true;
	}
	return msg_get_empty(b);
}

/* Longest prefix of s within PROTO_MESSAGE_MAX bytes that does not split a
 * UTF-8 sequence. */
static size_t
message_cut(const char *s)
{
	size_t n = strnlen(s, PROTO_MESSAGE_MAX + 1);

	if (n <= PROTO_MESSAGE_MAX)
		return n;
	n = PROTO_MESSAGE_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

int
msg_put_error(struct buf *b, uint16_t status, const char *message)
{
	size_t n;
	int r;

	if (status == 0)
		return FTP_E_BAD_VALUE;
	if (message == NULL)
		message = "";
	n = message_cut(message);
	if (!utf8_valid(message, n))
		return FTP_E_BAD_STRING;
	if ((r = reserve(b, 2 + SZ_STRLEN + n)) != FTP_OK ||
	    (r = buf_put_u16(b, status)) != FTP_OK ||
	    (r = buf_put_u16(b, (uint16_t)n)) != FTP_OK ||
	    (r = buf_put_bytes(b, message, n)) != FTP_OK)
		return r;
	return FTP_OK;
}

int
msg_get_error(struct buf *b, struct msg_error *m)
{
	int r;

	if ((r = buf_get_u16(b, &m->status)) != FTP_OK)
		return r;
	if (m->status == 0)
		return FTP_E_BAD_VALUE;
	if ((r = buf_get_string(b, m->message, sizeof(m->message))) != FTP_OK)
		return r;
	return msg_get_empty(b);
}

int
msg_entries_begin(struct buf *b, struct msg_entries_writer *w)
{
	w->count_off = buf_len(b);
	w->count = 0;
	return buf_put_u16(b, 0);
}

/* The name of an entry: one path component of 1..PROTO_NAME_MAX bytes. */
static int
name_check(const char *name, size_t *len)
{
	int r;

	if ((r = str_check(name, PROTO_NAME_MAX, len)) != FTP_OK)
		return r;
	if (*len == 0 || memchr(name, '/', *len) != NULL)
		return FTP_E_BAD_VALUE;
	return FTP_OK;
}

int
msg_entries_add(struct buf *b, struct msg_entries_writer *w,
		const struct msg_entry *e)
{
	size_t n;
	int r;

	if (w->count >= PROTO_LIST_BATCH)
		return FTP_E_BUF_LIMIT;
	if (!kind_valid(e->kind))
		return FTP_E_BAD_VALUE;
	if ((r = name_check(e->name, &n)) != FTP_OK ||
	    (r = reserve(b, SZ_ENTRY_FIXED + n)) != FTP_OK ||
	    (r = buf_put_u8(b, e->kind)) != FTP_OK ||
	    (r = buf_put_u64(b, e->size)) != FTP_OK ||
	    (r = buf_put_i64(b, e->mtime)) != FTP_OK ||
	    (r = buf_put_string(b, e->name)) != FTP_OK)
		return r;
	w->count++;
	return FTP_OK;
}

int
msg_entries_finish(struct buf *b, const struct msg_entries_writer *w)
{
	return buf_poke_u16(b, w->count_off, w->count);
}

int
msg_entries_count(struct buf *b, uint16_t *count)
{
	int r;

	if ((r = buf_get_u16(b, count)) != FTP_OK)
		return r;
	return *count > PROTO_LIST_BATCH ? FTP_E_BAD_VALUE : FTP_OK;
}

int
msg_entry_get(struct buf *b, struct msg_entry *e)
{
	size_t n;
	int r;

	if ((r = buf_get_u8(b, &e->kind)) != FTP_OK ||
	    (r = buf_get_u64(b, &e->size)) != FTP_OK ||
	    (r = buf_get_i64(b, &e->mtime)) != FTP_OK ||
	    (r = buf_get_string(b, e->name, sizeof(e->name))) != FTP_OK)
		return r;
	if (!kind_valid(e->kind))
		return FTP_E_BAD_VALUE;
	n = strlen(e->name);
	if (n == 0 || memchr(e->name, '/', n) != NULL)
		return FTP_E_BAD_VALUE;
	return FTP_OK;
}
