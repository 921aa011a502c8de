/*
 * fuzz_msg.c - every message body parser of proto/msg.h, and the string
 * and UTF-8 checks of proto/buf.h beneath them.
 *
 * Input: one selector byte, then the body.  Whatever a parser accepts is
 * encoded again by its msg_put_* and must give back exactly the bytes it
 * came from (the wire format has one encoding per message), and decoding
 * those again must give the same fields.  The UTF-8 check and
 * buf_get_string() are compared with a reference written from the
 * definitions (RFC 3629, docs/PROTOCOL.md section 2).
 */
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "msg.h"
#include "proto_limits.h"

/* Room for any re-encoded body: a fuzz input is never near this. */
#define OUT_MAX (4u * 1024u * 1024u)

enum which {
	M_HELLO, M_HELLO_OK, M_LIST, M_GET, M_PUT, M_SUM, M_SUM_OK, M_LOGIN,
	M_READY, M_FILE, M_END, M_END_CRC, M_ERROR, M_ENTRIES, M_EMPTY,
	M_UTF8, M_STRING, M_RENAME, M_INFO, M_COUNT
};

/* The decoded message, whichever it is. */
union any {
	struct msg_hello hello;
	struct msg_hello_ok hello_ok;
	struct msg_path list;
	struct msg_get get;
	struct msg_put put;
	struct msg_sum sum;
	struct msg_sum_ok sum_ok;
	struct msg_login login;
	struct msg_ready ready;
	struct msg_file file;
	struct msg_end end;
	struct msg_error error;
	struct msg_rename rename;
	struct msg_info info;
};

static struct msg_entry entries[PROTO_LIST_BATCH];

/* Well-formed UTF-8 without NUL, from the code points' definition. */
static bool
ref_utf8(const uint8_t *p, size_t n)
{
	static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t i = 0, len, k;
	uint32_t cp;

	while (i < n) {
		if (p[i] == 0)
			return false;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xE0) == 0xC0) {
			len = 2;
			cp = p[i] & 0x1F;
		} else if ((p[i] & 0xF0) == 0xE0) {
			len = 3;
			cp = p[i] & 0x0F;
		} else if ((p[i] & 0xF8) == 0xF0) {
			len = 4;
			cp = p[i] & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if (cp < min_cp[len] || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

/* out must hold exactly the n bytes at in. */
static void
check_same(const struct buf *out, const uint8_t *in, size_t n,
	   const char *what)
{
	FUZZ_CHECK(buf_len(out) == n && (n == 0 ||
	    memcmp(buf_ptr(out), in, n) == 0), "%s: re-encoded %zu bytes "
	    "differ from the %zu decoded", what, buf_len(out), n);
}

static int
decode(enum which w, struct buf *b, union any *m)
{
	switch (w) {
	case M_HELLO: return msg_get_hello(b, &m->hello);
	case M_HELLO_OK: return msg_get_hello_ok(b, &m->hello_ok);
	case M_LIST: return msg_get_path(b, &m->list);
	case M_GET: return msg_get_get(b, &m->get);
	case M_PUT: return msg_get_put(b, &m->put);
	case M_SUM: return msg_get_sum(b, &m->sum);
	case M_SUM_OK: return msg_get_sum_ok(b, &m->sum_ok);
	case M_LOGIN: return msg_get_login(b, &m->login);
	case M_READY: return msg_get_ready(b, &m->ready);
	case M_FILE: return msg_get_file(b, &m->file);
	case M_END: return msg_get_end(b, &m->end, false);
	case M_END_CRC: return msg_get_end(b, &m->end, true);
	case M_ERROR: return msg_get_error(b, &m->error);
	case M_RENAME: return msg_get_rename(b, &m->rename);
	case M_INFO: return msg_get_info(b, &m->info);
	default: return FTP_E_USAGE;
	}
}

static int
encode(enum which w, struct buf *b, const union any *m)
{
	switch (w) {
	case M_HELLO: return msg_put_hello(b, &m->hello);
	case M_HELLO_OK: return msg_put_hello_ok(b, &m->hello_ok);
	case M_LIST: return msg_put_path(b, &m->list);
	case M_GET: return msg_put_get(b, &m->get);
	case M_PUT: return msg_put_put(b, &m->put);
	case M_SUM: return msg_put_sum(b, &m->sum);
	case M_SUM_OK: return msg_put_sum_ok(b, &m->sum_ok);
	case M_LOGIN: return msg_put_login(b, &m->login);
	case M_READY: return msg_put_ready(b, &m->ready);
	case M_FILE: return msg_put_file(b, &m->file);
	case M_END:
	case M_END_CRC: return msg_put_end(b, &m->end);
	case M_ERROR:
		return msg_put_error(b, m->error.status, m->error.message);
	case M_RENAME: return msg_put_rename(b, &m->rename);
	case M_INFO: return msg_put_info(b, &m->info);
	default: return FTP_E_USAGE;
	}
}

static bool
same_hello_ok(const struct msg_hello_ok *a, const struct msg_hello_ok *b)
{
	if (a->version != b->version || a->features != b->features ||
	    a->nlimits != b->nlimits || strcmp(a->software, b->software) != 0)
		return false;
	for (uint16_t i = 0; i < a->nlimits; i++)
		if (a->limits[i].key != b->limits[i].key ||
		    a->limits[i].value != b->limits[i].value)
			return false;
	return true;
}

/* The fields that were decoded, compared one by one (padding aside). */
static bool
same(enum which w, const union any *a, const union any *b)
{
	switch (w) {
	case M_HELLO:
		return a->hello.magic == b->hello.magic &&
		    a->hello.version == b->hello.version &&
		    a->hello.features == b->hello.features &&
		    strcmp(a->hello.software, b->hello.software) == 0;
	case M_HELLO_OK: return same_hello_ok(&a->hello_ok, &b->hello_ok);
	case M_LIST: return strcmp(a->list.path, b->list.path) == 0;
	case M_GET:
		return strcmp(a->get.path, b->get.path) == 0 &&
		    a->get.offset == b->get.offset &&
		    a->get.has_flags == b->get.has_flags &&
		    a->get.flags == b->get.flags;
	case M_PUT:
		return strcmp(a->put.path, b->put.path) == 0 &&
		    a->put.size == b->put.size && a->put.flags == b->put.flags;
	case M_SUM:
		return strcmp(a->sum.path, b->sum.path) == 0 &&
		    a->sum.length == b->sum.length;
	case M_SUM_OK:
		return a->sum_ok.size == b->sum_ok.size &&
		    a->sum_ok.length == b->sum_ok.length &&
		    a->sum_ok.crc == b->sum_ok.crc;
	case M_LOGIN:
		return strcmp(a->login.user, b->login.user) == 0 &&
		    strcmp(a->login.password, b->login.password) == 0;
	case M_READY:
		return a->ready.offset == b->ready.offset &&
		    a->ready.crc == b->ready.crc;
	case M_FILE:
		return a->file.size == b->file.size &&
		    a->file.mtime == b->file.mtime &&
		    a->file.offset == b->file.offset;
	case M_END:
	case M_END_CRC:
		return a->end.count == b->end.count &&
		    a->end.has_crc == b->end.has_crc &&
		    a->end.crc == b->end.crc;
	case M_ERROR:
		return a->error.status == b->error.status &&
		    strcmp(a->error.message, b->error.message) == 0;
	case M_RENAME:
		return strcmp(a->rename.from, b->rename.from) == 0 &&
		    strcmp(a->rename.to, b->rename.to) == 0;
	case M_INFO:
		return a->info.kind == b->info.kind &&
		    a->info.size == b->info.size &&
		    a->info.mtime == b->info.mtime;
	default:
		return false;
	}
}

/* Invariants of one decoded message beyond the round trip. */
static void
check_fields(enum which w, const union any *m)
{
	switch (w) {
	case M_HELLO_OK:
		FUZZ_CHECK(m->hello_ok.nlimits <= PROTO_LIMITS_MAX,
		    "too many limits");
		for (uint16_t i = 0; i < m->hello_ok.nlimits; i++) {
			uint16_t k = m->hello_ok.limits[i].key;
			uint16_t j = 0;

			while (m->hello_ok.limits[j].key != k)
				j++;
			FUZZ_CHECK(msg_hello_ok_limit(&m->hello_ok, k, 7) ==
			    m->hello_ok.limits[j].value, "limit lookup");
		}
		break;
	case M_SUM_OK:
		FUZZ_CHECK(m->sum_ok.length <= m->sum_ok.size, "SUM_OK range");
		break;
	case M_FILE:
		FUZZ_CHECK(m->file.offset <= m->file.size, "FILE range");
		break;
	case M_END:
		FUZZ_CHECK(!m->end.has_crc, "END has a crc it was not given");
		break;
	case M_END_CRC:
		FUZZ_CHECK(m->end.has_crc, "END lost its crc");
		break;
	case M_ERROR:
		FUZZ_CHECK(m->error.status != 0 &&
		    strlen(m->error.message) <= PROTO_MESSAGE_MAX,
		    "ERROR fields");
		break;
	default:
		break;
	}
}

static void
one_message(enum which w, const uint8_t *in, size_t n)
{
	static union any a, b;
	struct buf v, out;
	int r;

	buf_view(&v, in, n);
	if (decode(w, &v, &a) != FTP_OK)
		return;
	FUZZ_CHECK(buf_len(&v) == 0, "accepted with bytes left over");
	check_fields(w, &a);
	buf_init(&out, OUT_MAX);
	r = encode(w, &out, &a);
	FUZZ_CHECK(r == FTP_OK, "message %d decoded but does not encode: %s",
	    (int)w, ftp_errname(r));
	check_same(&out, in, n, "message");
	r = decode(w, &out, &b);
	FUZZ_CHECK(r == FTP_OK && same(w, &a, &b), "message %d does not "
	    "decode to itself: %s", (int)w, ftp_errname(r));
	buf_free(&out);
}

static void
one_entries(const uint8_t *in, size_t n)
{
	struct msg_entries_writer wr;
	struct msg_entry e;
	struct buf v, out;
	uint16_t count, i;
	size_t len;

	buf_view(&v, in, n);
	if (msg_entries_count(&v, &count) != FTP_OK)
		return;
	FUZZ_CHECK(count <= PROTO_LIST_BATCH, "ENTRIES count %u", count);
	for (i = 0; i < count; i++) {
		if (msg_entry_get(&v, &entries[i]) != FTP_OK)
			return;
		len = strlen(entries[i].name);
		FUZZ_CHECK(len >= 1 && len <= PROTO_NAME_MAX &&
		    memchr(entries[i].name, '/', len) == NULL &&
		    entries[i].kind >= PROTO_KIND_FILE &&
		    entries[i].kind <= PROTO_KIND_OTHER, "bad entry accepted");
	}
	if (msg_get_empty(&v) != FTP_OK)
		return;
	buf_init(&out, OUT_MAX);
	FUZZ_CHECK(msg_entries_begin(&out, &wr) == FTP_OK, "entries begin");
	for (i = 0; i < count; i++)
		FUZZ_CHECK(msg_entries_add(&out, &wr, &entries[i]) == FTP_OK,
		    "entry %u decoded but does not encode", i);
	FUZZ_CHECK(msg_entries_finish(&out, &wr) == FTP_OK, "entries finish");
	check_same(&out, in, n, "ENTRIES");
	FUZZ_CHECK(msg_entries_count(&out, &count) == FTP_OK, "recount");
	for (i = 0; i < count; i++)
		FUZZ_CHECK(msg_entry_get(&out, &e) == FTP_OK &&
		    e.kind == entries[i].kind && e.size == entries[i].size &&
		    e.mtime == entries[i].mtime &&
		    strcmp(e.name, entries[i].name) == 0, "entry %u differs", i);
	buf_free(&out);
}

/* buf_get_string() against its contract; in[0] picks the room. */
static void
one_string(const uint8_t *in, size_t n)
{
	static char dst[PROTO_CONTROL_MAX + 2];
	size_t room, len;
	struct buf v, out;
	int r, want;

	if (n < 1)
		return;
	room = in[0] < 128 ? in[0] : (size_t)(in[0] - 128) * 512;
	in++;
	n--;
	buf_view(&v, in, n);
	r = buf_get_string(&v, dst, room);
	len = n >= 2 ? (size_t)in[0] << 8 | in[1] : 0;
	if (n < 2)
		want = FTP_E_SHORT;
	else if (room == 0 || len > room - 1)
		want = FTP_E_STR_LONG;
	else if (n - 2 < len)
		want = FTP_E_SHORT;
	else if (!ref_utf8(in + 2, len))
		want = FTP_E_BAD_STRING;
	else
		want = FTP_OK;
	FUZZ_CHECK(r == want, "buf_get_string: %s, the contract says %s",
	    ftp_errname(r), ftp_errname(want));
	if (r != FTP_OK) {
		FUZZ_CHECK(buf_len(&v) == n, "a failed get consumed bytes");
		return;
	}
	FUZZ_CHECK(buf_len(&v) == n - 2 - len && strlen(dst) == len &&
	    memcmp(dst, in + 2, len) == 0, "string bytes differ");
	buf_init(&out, OUT_MAX);
	FUZZ_CHECK(buf_put_string(&out, dst) == FTP_OK, "string re-encode");
	check_same(&out, in, 2 + len, "string");
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf v;
	enum which w;
	bool ok;

	if (size < 1)
		return 0;
	w = (enum which)(data[0] % M_COUNT);
	data++;
	size--;
	switch (w) {
	case M_ENTRIES:
		one_entries(data, size);
		break;
	case M_EMPTY:
		buf_view(&v, data, size);
		FUZZ_CHECK((msg_get_empty(&v) == FTP_OK) == (size == 0),
		    "msg_get_empty");
		break;
	case M_UTF8:
		ok = utf8_valid(data, size);
		FUZZ_CHECK(ok == ref_utf8(data, size), "utf8_valid says %d, "
		    "the definition %d", ok, !ok);
		break;
	case M_STRING:
		one_string(data, size);
		break;
	default:
		one_message(w, data, size);
		break;
	}
	return 0;
}
