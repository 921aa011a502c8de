/*
 * test_msg.c - message bodies: round trips of every message, truncations,
 * trailing bytes, field limits and bad strings; and the error table.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "msg.h"

/* Encoded bodies of one of each message, for the generic loops below. */
enum sample { S_HELLO, S_HELLO_OK, S_LIST, S_GET, S_PUT, S_FILE, S_END,
	      S_END_CRC, S_SUM, S_SUM_OK, S_READY, S_ERROR, S_ENTRIES, S_LOGIN,
	      S_COUNT };

static int
put_entries(struct buf *b)
{
	struct msg_entries_writer w;
	struct msg_entry e = { PROTO_KIND_DIR, 4096, -1, "sub dir" };
	int r;

	if ((r = msg_entries_begin(b, &w)) != FTP_OK ||
	    (r = msg_entries_add(b, &w, &e)) != FTP_OK)
		return r;
	e.kind = PROTO_KIND_FILE;
	e.size = 1ull << 40;
	e.mtime = 1700000000;
	strcpy(e.name, "r\xC3\xA9sum\xC3\xA9.txt");
	if ((r = msg_entries_add(b, &w, &e)) != FTP_OK)
		return r;
	return msg_entries_finish(b, &w);
}

/* Appends one sample message body; the result code. */
static int
put_sample(struct buf *b, enum sample s)
{
	struct msg_hello h = { PROTO_MAGIC, PROTO_VERSION, 5, "ftpc 1" };
	struct msg_hello_ok ok = { 1, 0, 2, { { 1, 1048576 }, { 9, 7 } },
				   "ftpd" };
	struct msg_path l = { "a/b" };
	struct msg_get g = { "x", 77, false, 0 };
	struct msg_put p = { "dir/f", 123456789, 0 };
	struct msg_file f = { 1000, -5, 10 };
	struct msg_end e = { UINT64_MAX, false, 0 };
	struct msg_end ec = { 42, true, 0xdeadbeef };
	struct msg_sum sm = { "d/f", 1ull << 33 };
	struct msg_sum_ok so = { 100, 100, 0xe3069283 };
	struct msg_ready rd = { 77, 0x01020304 };
	struct msg_login lg = { "alice", "s3cret \xE2\x82\xAC" };

	switch (s) {
	case S_HELLO: return msg_put_hello(b, &h);
	case S_HELLO_OK: return msg_put_hello_ok(b, &ok);
	case S_LIST: return msg_put_path(b, &l);
	case S_GET: return msg_put_get(b, &g);
	case S_PUT: return msg_put_put(b, &p);
	case S_FILE: return msg_put_file(b, &f);
	case S_END: return msg_put_end(b, &e);
	case S_END_CRC: return msg_put_end(b, &ec);
	case S_SUM: return msg_put_sum(b, &sm);
	case S_SUM_OK: return msg_put_sum_ok(b, &so);
	case S_READY: return msg_put_ready(b, &rd);
	case S_ERROR: return msg_put_error(b, 2, "no such file");
	case S_ENTRIES: return put_entries(b);
	case S_LOGIN: return msg_put_login(b, &lg);
	default: ck_abort();
	}
	return FTP_E_USAGE;
}

static void
encode_sample(struct buf *b, enum sample s)
{
	buf_init(b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(put_sample(b, s), FTP_OK);
}

static int
get_entries(struct buf *b)
{
	struct msg_entry e;
	uint16_t n;
	int r;

	if ((r = msg_entries_count(b, &n)) != FTP_OK)
		return r;
	for (uint16_t i = 0; i < n; i++)
		if ((r = msg_entry_get(b, &e)) != FTP_OK)
			return r;
	return msg_get_empty(b);
}

/* Decodes body as message s; the result code. */
static int
decode_sample(struct buf *b, enum sample s)
{
	union {
		struct msg_hello h;
		struct msg_hello_ok ok;
		struct msg_path l;
		struct msg_get g;
		struct msg_put p;
		struct msg_file f;
		struct msg_end e;
		struct msg_sum sm;
		struct msg_sum_ok so;
		struct msg_ready rd;
		struct msg_error err;
		struct msg_login lg;
	} m;

	switch (s) {
	case S_HELLO: return msg_get_hello(b, &m.h);
	case S_HELLO_OK: return msg_get_hello_ok(b, &m.ok);
	case S_LIST: return msg_get_path(b, &m.l);
	case S_GET: return msg_get_get(b, &m.g);
	case S_PUT: return msg_get_put(b, &m.p);
	case S_FILE: return msg_get_file(b, &m.f);
	case S_END: return msg_get_end(b, &m.e, false);
	case S_END_CRC: return msg_get_end(b, &m.e, true);
	case S_SUM: return msg_get_sum(b, &m.sm);
	case S_SUM_OK: return msg_get_sum_ok(b, &m.so);
	case S_READY: return msg_get_ready(b, &m.rd);
	case S_ERROR: return msg_get_error(b, &m.err);
	case S_ENTRIES: return get_entries(b);
	case S_LOGIN: return msg_get_login(b, &m.lg);
	default: ck_abort();
	}
	return FTP_E_USAGE;
}

/* Every code in the table is distinct, so every lookup is unambiguous. */
START_TEST(test_err_codes_unique)
{
#define CODE(name, code, wire, msg) (code),
	static const int codes[] = { FTP_ERR_MAP(CODE) };
#undef CODE
	size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_msg(codes[i] != codes[j], "code %d twice",
				      codes[i]);
}
END_TEST

START_TEST(test_every_prefix_fails)
{
	struct buf b, v;

	encode_sample(&b, (enum sample)_i);
	for (size_t k = 0; k < buf_len(&b); k++) {
		buf_view(&v, buf_ptr(&b), k);
		ck_assert_int_eq(decode_sample(&v, (enum sample)_i),
				 FTP_E_SHORT);
	}
	buf_view(&v, buf_ptr(&b), buf_len(&b));
	ck_assert_int_eq(decode_sample(&v, (enum sample)_i), FTP_OK);
	ck_assert_uint_eq(buf_len(&v), 0);
	buf_free(&b);
}
END_TEST

START_TEST(test_trailing_bytes_rejected)
{
	struct buf b;

	encode_sample(&b, (enum sample)_i);
	ck_assert_int_eq(buf_put_u8(&b, 0), FTP_OK);
	/* After GET's offset a byte starts the optional flags field. */
	ck_assert_int_eq(decode_sample(&b, (enum sample)_i),
	    _i == S_GET ? FTP_E_SHORT : FTP_E_TRAILING);
	buf_free(&b);
}
END_TEST

START_TEST(test_failed_put_appends_nothing)
{
	struct buf full, b;

	/* Each sample into a buffer one byte too small for it. */
	encode_sample(&full, (enum sample)_i);
	buf_init(&b, buf_len(&full));
	ck_assert_int_eq(buf_put_u8(&b, 0xEE), FTP_OK);
	ck_assert_int_eq(put_sample(&b, (enum sample)_i), FTP_E_BUF_LIMIT);
	/* ENTRIES is built in steps; each step is atomic on its own. */
	if (_i != S_ENTRIES)
		ck_assert_uint_eq(buf_len(&b), 1);
	ck_assert_uint_eq(buf_ptr(&b)[0], 0xEE);
	buf_free(&full);
	buf_free(&b);
}
END_TEST

START_TEST(test_hello_round_trip)
{
	struct msg_hello in = { PROTO_MAGIC, 1, 0x8000000000000001ull,
				"ftpc/0.1 \xE2\x9C\x93" }, out;
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_hello(&b, &in), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 4 + 2 + 8 + 2 + strlen(in.software));
	memset(&out, 0xAA, sizeof(out));
	ck_assert_int_eq(msg_get_hello(&b, &out), FTP_OK);
	ck_assert_uint_eq(out.magic, PROTO_MAGIC);
	ck_assert_uint_eq(out.version, 1);
	ck_assert_uint_eq(out.features, 0x8000000000000001ull);
	ck_assert_str_eq(out.software, in.software);
	buf_free(&b);
}
END_TEST

START_TEST(test_hello_ok_round_trip)
{
	struct msg_hello_ok in = { 0 }, out;
	struct buf b;

	in.version = 1;
	in.features = 3;
	in.nlimits = PROTO_LIMITS_MAX;
	for (uint16_t i = 0; i < PROTO_LIMITS_MAX; i++) {
		in.limits[i].key = (uint16_t)(i + 1);
		in.limits[i].value = 1000ull * i;
	}
	strcpy(in.software, "ftpd 0.1.0");
	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_hello_ok(&b, &in), FTP_OK);
	ck_assert_int_eq(msg_get_hello_ok(&b, &out), FTP_OK);
	ck_assert_uint_eq(out.nlimits, PROTO_LIMITS_MAX);
	ck_assert_uint_eq(out.limits[31].key, 32);
	ck_assert_uint_eq(out.limits[31].value, 31000);
	ck_assert_str_eq(out.software, "ftpd 0.1.0");
	ck_assert_uint_eq(msg_hello_ok_limit(&out, 3, 9), 2000);
	ck_assert_uint_eq(msg_hello_ok_limit(&out, 99, 9), 9);
	/* 33 pairs: refused on both sides. */
	in.nlimits = PROTO_LIMITS_MAX + 1;
	ck_assert_int_eq(msg_put_hello_ok(&b, &in), FTP_E_BAD_VALUE);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_int_eq(buf_put_u16(&b, 1), FTP_OK);
	ck_assert_int_eq(buf_put_u64(&b, 0), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, PROTO_LIMITS_MAX + 1), FTP_OK);
	ck_assert_int_eq(msg_get_hello_ok(&b, &out), FTP_E_BAD_VALUE);
	buf_free(&b);
}
END_TEST

START_TEST(test_requests_round_trip)
{
	struct msg_path l = { "" }, l2;
	struct msg_get g = { "d\xC3\xA9j\xC3\xA0/vu", UINT64_MAX, false, 0 };
	struct msg_get g2;
	struct msg_put p = { "up", 42, 7 }, p2;
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_path(&b, &l), FTP_OK);
	ck_assert_int_eq(msg_get_path(&b, &l2), FTP_OK);
	ck_assert_str_eq(l2.path, "");
	ck_assert_int_eq(msg_put_get(&b, &g), FTP_OK);
	ck_assert_int_eq(msg_get_get(&b, &g2), FTP_OK);
	ck_assert_str_eq(g2.path, g.path);
	ck_assert_uint_eq(g2.offset, UINT64_MAX);
	ck_assert(!g2.has_flags);
	/* With COMPRESS, GET carries flags; a partial field is truncation. */
	g.has_flags = true;
	g.flags = PROTO_GET_COMPRESS;
	ck_assert_int_eq(msg_put_get(&b, &g), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 2 + strlen(g.path) + 8 + 4);
	ck_assert_int_eq(msg_get_get(&b, &g2), FTP_OK);
	ck_assert(g2.has_flags);
	ck_assert_uint_eq(g2.flags, PROTO_GET_COMPRESS);
	ck_assert_int_eq(msg_put_get(&b, &g), FTP_OK);
	ck_assert_int_eq(buf_put_u8(&b, 0), FTP_OK);
	ck_assert_int_eq(msg_get_get(&b, &g2), FTP_E_TRAILING);
	buf_reset(&b);
	g.has_flags = false;
	ck_assert_int_eq(msg_put_get(&b, &g), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, 1), FTP_OK);
	ck_assert_int_eq(msg_get_get(&b, &g2), FTP_E_SHORT);
	buf_reset(&b);
	/* flags are carried, not judged: the server answers UNSUPPORTED */
	ck_assert_int_eq(msg_put_put(&b, &p), FTP_OK);
	ck_assert_int_eq(msg_get_put(&b, &p2), FTP_OK);
	ck_assert_str_eq(p2.path, "up");
	ck_assert_uint_eq(p2.size, 42);
	ck_assert_uint_eq(p2.flags, 7);
	ck_assert_int_eq(msg_get_empty(&b), FTP_OK);
	buf_free(&b);
}
END_TEST

START_TEST(test_replies_round_trip)
{
	struct msg_file f = { 10, INT64_MIN, 10 }, f2;
	struct msg_end e = { 12345, false, 7 }, e2;
	struct msg_error err;
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_file(&b, &f), FTP_OK);
	ck_assert_int_eq(msg_get_file(&b, &f2), FTP_OK);
	ck_assert_uint_eq(f2.size, 10);
	ck_assert(f2.mtime == INT64_MIN);
	ck_assert_uint_eq(f2.offset, 10);
	ck_assert_int_eq(msg_put_end(&b, &e), FTP_OK);
	ck_assert_int_eq(msg_get_end(&b, &e2, false), FTP_OK);
	ck_assert_uint_eq(e2.count, 12345);
	ck_assert(!e2.has_crc);
	ck_assert_int_eq(msg_put_error(&b, 65535, NULL), FTP_OK);
	ck_assert_int_eq(msg_get_error(&b, &err), FTP_OK);
	ck_assert_uint_eq(err.status, 65535);
	ck_assert_str_eq(err.message, "");
	ck_assert_int_eq(msg_get_empty(&b), FTP_OK);
	/* FILE never starts past the end of the file. */
	f.offset = 11;
	ck_assert_int_eq(msg_put_file(&b, &f), FTP_E_BAD_VALUE);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_int_eq(buf_put_u64(&b, 10), FTP_OK);
	ck_assert_int_eq(buf_put_i64(&b, 0), FTP_OK);
	ck_assert_int_eq(buf_put_u64(&b, 11), FTP_OK);
	ck_assert_int_eq(msg_get_file(&b, &f2), FTP_E_BAD_VALUE);
	buf_free(&b);
}
END_TEST

/* END with and without the checksum field: each side decodes only what
 * was negotiated, and a mismatch is a malformed body, never a guess. */
START_TEST(test_end_crc)
{
	struct msg_end e = { 1ull << 40, true, 0xe3069283 }, e2;
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_end(&b, &e), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 12);
	ck_assert_uint_eq(buf_ptr(&b)[8], 0xe3);
	ck_assert_uint_eq(buf_ptr(&b)[11], 0x83);
	ck_assert_int_eq(msg_get_end(&b, &e2, true), FTP_OK);
	ck_assert(e2.has_crc);
	ck_assert_uint_eq(e2.count, 1ull << 40);
	ck_assert_uint_eq(e2.crc, 0xe3069283);
	/* 12 bytes where 8 were expected: trailing. */
	ck_assert_int_eq(msg_put_end(&b, &e), FTP_OK);
	ck_assert_int_eq(msg_get_end(&b, &e2, false), FTP_E_TRAILING);
	buf_reset(&b);
	/* 8 bytes where 12 were expected: short. */
	e.has_crc = false;
	ck_assert_int_eq(msg_put_end(&b, &e), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 8);
	ck_assert_int_eq(msg_get_end(&b, &e2, true), FTP_E_SHORT);
	buf_reset(&b);
	/* The crc field is not 0 when absent, just ignored: has_crc says. */
	e.crc = 99;
	ck_assert_int_eq(msg_put_end(&b, &e), FTP_OK);
	ck_assert_int_eq(msg_get_end(&b, &e2, false), FTP_OK);
	ck_assert(!e2.has_crc);
	ck_assert_uint_eq(e2.crc, 0);
	buf_free(&b);
}
END_TEST

/* SUM, SUM_OK and READY (resume) round trip with their values, and a
 * SUM_OK never claims a sum over more bytes than the file has. */
START_TEST(test_resume_messages)
{
	struct msg_sum sm = { "a/b", 12345 }, sm2;
	struct msg_sum_ok so = { 10, 4, 0xcafe }, so2;
	struct msg_ready rd = { UINT64_MAX, 0xffffffff }, rd2;
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_sum(&b, &sm), FTP_OK);
	ck_assert_int_eq(msg_get_sum(&b, &sm2), FTP_OK);
	ck_assert_str_eq(sm2.path, "a/b");
	ck_assert_uint_eq(sm2.length, 12345);
	ck_assert_int_eq(msg_put_sum_ok(&b, &so), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 20);
	ck_assert_int_eq(msg_get_sum_ok(&b, &so2), FTP_OK);
	ck_assert_uint_eq(so2.size, 10);
	ck_assert_uint_eq(so2.length, 4);
	ck_assert_uint_eq(so2.crc, 0xcafe);
	ck_assert_int_eq(msg_put_ready(&b, &rd), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 12);
	ck_assert_int_eq(msg_get_ready(&b, &rd2), FTP_OK);
	ck_assert_uint_eq(rd2.offset, UINT64_MAX);
	ck_assert_uint_eq(rd2.crc, 0xffffffff);
	so.length = 11;
	ck_assert_int_eq(msg_put_sum_ok(&b, &so), FTP_E_BAD_VALUE);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_int_eq(buf_put_u64(&b, 10), FTP_OK);
	ck_assert_int_eq(buf_put_u64(&b, 11), FTP_OK);
	ck_assert_int_eq(buf_put_u32(&b, 0), FTP_OK);
	ck_assert_int_eq(msg_get_sum_ok(&b, &so2), FTP_E_BAD_VALUE);
	buf_free(&b);
}
END_TEST

/* LOGIN round trips; a password over its limit is refused by both sides
 * (a receiver checks the length before it copies anything). */
START_TEST(test_login_message)
{
	static struct msg_login lg, lg2;
	static char big[PROTO_PASSWORD_MAX + 2];
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	snprintf(lg.user, sizeof(lg.user), "bob");
	memset(lg.password, 'p', PROTO_PASSWORD_MAX);
	ck_assert_int_eq(msg_put_login(&b, &lg), FTP_OK);
	ck_assert_int_eq(msg_get_login(&b, &lg2), FTP_OK);
	ck_assert_str_eq(lg2.user, "bob");
	ck_assert_uint_eq(strlen(lg2.password), PROTO_PASSWORD_MAX);
	memset(big, 'p', PROTO_PASSWORD_MAX + 1);
	ck_assert_int_eq(buf_put_string(&b, "bob"), FTP_OK);
	ck_assert_int_eq(buf_put_string(&b, big), FTP_OK);
	ck_assert_int_eq(msg_get_login(&b, &lg2), FTP_E_STR_LONG);
	buf_reset(&b);
	lg.user[0] = '\0';
	ck_assert_int_eq(msg_put_login(&b, &lg), FTP_E_BAD_VALUE);
	ck_assert_int_eq(buf_put_string(&b, ""), FTP_OK);
	ck_assert_int_eq(buf_put_string(&b, "pw"), FTP_OK);
	ck_assert_int_eq(msg_get_login(&b, &lg2), FTP_E_BAD_VALUE);
	buf_free(&b);
}
END_TEST

START_TEST(test_empty_bodies)
{
	static const uint8_t one = 0;
	struct buf v;

	buf_view(&v, NULL, 0);
	ck_assert_int_eq(msg_get_empty(&v), FTP_OK);
	buf_view(&v, &one, 1);
	ck_assert_int_eq(msg_get_empty(&v), FTP_E_TRAILING);
}
END_TEST

START_TEST(test_error_status_zero)
{
	struct msg_error m;
	struct buf b;

	buf_init(&b, 64);
	ck_assert_int_eq(msg_put_error(&b, 0, "x"), FTP_E_BAD_VALUE);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_int_eq(buf_put_u16(&b, 0), FTP_OK);
	ck_assert_int_eq(buf_put_string(&b, "x"), FTP_OK);
	ck_assert_int_eq(msg_get_error(&b, &m), FTP_E_BAD_VALUE);
	buf_free(&b);
}
END_TEST

START_TEST(test_error_message_cut_at_utf8_boundary)
{
	char msg[PROTO_MESSAGE_MAX + 16];
	struct msg_error m;
	struct buf b;

	/* 1023 ASCII bytes then a 3-byte character straddling the limit. */
	memset(msg, 'a', PROTO_MESSAGE_MAX - 1);
	strcpy(msg + PROTO_MESSAGE_MAX - 1, "\xE2\x82\xAC tail");
	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_error(&b, 17, msg), FTP_OK);
	ck_assert_int_eq(msg_get_error(&b, &m), FTP_OK);
	ck_assert_uint_eq(strlen(m.message), PROTO_MESSAGE_MAX - 1);
	ck_assert(utf8_valid(m.message, strlen(m.message)));
	/* Exactly at the limit: kept whole. */
	memset(msg, 'b', PROTO_MESSAGE_MAX);
	msg[PROTO_MESSAGE_MAX] = '\0';
	ck_assert_int_eq(msg_put_error(&b, 17, msg), FTP_OK);
	ck_assert_int_eq(msg_get_error(&b, &m), FTP_OK);
	ck_assert_uint_eq(strlen(m.message), PROTO_MESSAGE_MAX);
	/* A message over the limit on the wire is refused. */
	msg[PROTO_MESSAGE_MAX] = 'b';
	msg[PROTO_MESSAGE_MAX + 1] = '\0';
	ck_assert_int_eq(buf_put_u16(&b, 4), FTP_OK);
	ck_assert_int_eq(buf_put_string(&b, msg), FTP_OK);
	ck_assert_int_eq(msg_get_error(&b, &m), FTP_E_STR_LONG);
	buf_free(&b);
	/* Invalid UTF-8 is refused, not cut. */
	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_error(&b, 3, "bad \xFF"), FTP_E_BAD_STRING);
	ck_assert_uint_eq(buf_len(&b), 0);
	buf_free(&b);
}
END_TEST

START_TEST(test_string_fields_limits)
{
	struct msg_hello h = { PROTO_MAGIC, 1, 0, "" }, h2;
	struct msg_path l, l2;
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	memset(h.software, 's', PROTO_SOFTWARE_MAX);
	ck_assert_int_eq(msg_put_hello(&b, &h), FTP_OK);
	ck_assert_int_eq(msg_get_hello(&b, &h2), FTP_OK);
	ck_assert_uint_eq(strlen(h2.software), PROTO_SOFTWARE_MAX);
	/* Not NUL-terminated within the field: refused, no over-read. */
	memset(&l, 'p', sizeof(l));
	ck_assert_int_eq(msg_put_path(&b, &l), FTP_E_TOO_LARGE);
	l.path[PROTO_PATH_MAX] = '\0';
	ck_assert_int_eq(msg_put_path(&b, &l), FTP_OK);
	ck_assert_int_eq(msg_get_path(&b, &l2), FTP_OK);
	ck_assert_uint_eq(strlen(l2.path), PROTO_PATH_MAX);
	/* 65 bytes of software and 4097 of path on the wire. */
	ck_assert_int_eq(buf_put_u32(&b, PROTO_MAGIC), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, 1), FTP_OK);
	ck_assert_int_eq(buf_put_u64(&b, 0), FTP_OK);
	memset(h.software, 's', PROTO_SOFTWARE_MAX);
	ck_assert_int_eq(buf_put_u16(&b, PROTO_SOFTWARE_MAX + 1), FTP_OK);
	ck_assert_int_eq(buf_put_bytes(&b, h.software, PROTO_SOFTWARE_MAX),
			 FTP_OK);
	ck_assert_int_eq(buf_put_u8(&b, 's'), FTP_OK);
	ck_assert_int_eq(msg_get_hello(&b, &h2), FTP_E_STR_LONG);
	buf_reset(&b);
	ck_assert_int_eq(buf_put_u16(&b, PROTO_PATH_MAX + 1), FTP_OK);
	for (int i = 0; i <= PROTO_PATH_MAX; i++)
		ck_assert_int_eq(buf_put_u8(&b, 'p'), FTP_OK);
	ck_assert_int_eq(msg_get_path(&b, &l2), FTP_E_STR_LONG);
	buf_free(&b);
}
END_TEST

START_TEST(test_bad_strings_rejected)
{
	static const char *bad[] = { "\xC0\xAF", "\xED\xA0\x80",
				     "a\xF4\x90\x80\x80", "\xE2\x82" };
	struct msg_get g = { "", 0, false, 0 };
	struct msg_path l;
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(g.path, bad[i]);
		ck_assert_int_eq(msg_put_get(&b, &g), FTP_E_BAD_STRING);
		ck_assert_uint_eq(buf_len(&b), 0);
		ck_assert_int_eq(buf_put_u16(&b, (uint16_t)strlen(bad[i])),
				 FTP_OK);
		ck_assert_int_eq(buf_put_bytes(&b, bad[i], strlen(bad[i])),
				 FTP_OK);
		ck_assert_int_eq(msg_get_path(&b, &l), FTP_E_BAD_STRING);
		buf_reset(&b);
	}
	/* An embedded NUL on the wire. */
	ck_assert_int_eq(buf_put_u16(&b, 3), FTP_OK);
	ck_assert_int_eq(buf_put_bytes(&b, "a\0b", 3), FTP_OK);
	ck_assert_int_eq(msg_get_path(&b, &l), FTP_E_BAD_STRING);
	buf_free(&b);
}
END_TEST

/* Encodes one raw entry, bypassing the writer's checks. */
static void
raw_entry(struct buf *b, uint8_t kind, const char *name, size_t len)
{
	ck_assert_int_eq(buf_put_u8(b, kind), FTP_OK);
	ck_assert_int_eq(buf_put_u64(b, 1), FTP_OK);
	ck_assert_int_eq(buf_put_i64(b, 2), FTP_OK);
	ck_assert_int_eq(buf_put_u16(b, (uint16_t)len), FTP_OK);
	ck_assert_int_eq(buf_put_bytes(b, name, len), FTP_OK);
}

START_TEST(test_entry_validation)
{
	struct msg_entries_writer w;
	struct msg_entry e = { 0, 1, 2, "name" };
	char longname[PROTO_NAME_MAX + 2];
	struct buf b;

	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_entries_begin(&b, &w), FTP_OK);
	ck_assert_int_eq(msg_entries_add(&b, &w, &e), FTP_E_BAD_VALUE);
	e.kind = 5;
	ck_assert_int_eq(msg_entries_add(&b, &w, &e), FTP_E_BAD_VALUE);
	e.kind = PROTO_KIND_OTHER;
	strcpy(e.name, "");
	ck_assert_int_eq(msg_entries_add(&b, &w, &e), FTP_E_BAD_VALUE);
	strcpy(e.name, "a/b");
	ck_assert_int_eq(msg_entries_add(&b, &w, &e), FTP_E_BAD_VALUE);
	memset(e.name, 'n', sizeof(e.name));
	ck_assert_int_eq(msg_entries_add(&b, &w, &e), FTP_E_TOO_LARGE);
	ck_assert_uint_eq(buf_len(&b), 2);
	ck_assert_uint_eq(w.count, 0);
	buf_reset(&b);
	/* The same on the decoding side. */
	memset(longname, 'n', sizeof(longname));
	raw_entry(&b, 0, "x", 1);
	raw_entry(&b, 5, "x", 1);
	raw_entry(&b, 1, "", 0);
	raw_entry(&b, 1, "x/y", 3);
	raw_entry(&b, 1, longname, PROTO_NAME_MAX + 1);
	raw_entry(&b, 1, "a\0", 2);
	ck_assert_int_eq(msg_entry_get(&b, &e), FTP_E_BAD_VALUE);
	ck_assert_int_eq(msg_entry_get(&b, &e), FTP_E_BAD_VALUE);
	ck_assert_int_eq(msg_entry_get(&b, &e), FTP_E_BAD_VALUE);
	ck_assert_int_eq(msg_entry_get(&b, &e), FTP_E_BAD_VALUE);
	ck_assert_int_eq(msg_entry_get(&b, &e), FTP_E_STR_LONG);
	buf_free(&b);
}
END_TEST

START_TEST(test_entries_batch_full)
{
	struct msg_entries_writer w;
	struct msg_entry e = { PROTO_KIND_FILE, 0, 0, "f" }, out;
	struct buf b;
	uint16_t n;

	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_entries_begin(&b, &w), FTP_OK);
	for (unsigned i = 0; i < PROTO_LIST_BATCH; i++) {
		e.size = i;
		ck_assert_int_eq(msg_entries_add(&b, &w, &e), FTP_OK);
	}
	ck_assert_int_eq(msg_entries_add(&b, &w, &e), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(msg_entries_finish(&b, &w), FTP_OK);
	ck_assert_int_eq(msg_entries_count(&b, &n), FTP_OK);
	ck_assert_uint_eq(n, PROTO_LIST_BATCH);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq(msg_entry_get(&b, &out), FTP_OK);
		ck_assert_uint_eq(out.size, i);
	}
	ck_assert_int_eq(msg_get_empty(&b), FTP_OK);
	/* A count over the batch limit is refused. */
	ck_assert_int_eq(buf_put_u16(&b, PROTO_LIST_BATCH + 1), FTP_OK);
	ck_assert_int_eq(msg_entries_count(&b, &n), FTP_E_BAD_VALUE);
	buf_free(&b);
}
END_TEST

START_TEST(test_entries_buffer_full)
{
	struct msg_entries_writer w;
	struct msg_entry e = { PROTO_KIND_FILE, 0, 0, "" };
	struct buf b;
	size_t before;
	uint16_t n;
	int r;

	/* Long names: the 64 KiB body fills before the batch does. */
	memset(e.name, 'z', PROTO_NAME_MAX);
	buf_init(&b, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_entries_begin(&b, &w), FTP_OK);
	for (;;) {
		before = buf_len(&b);
		if ((r = msg_entries_add(&b, &w, &e)) != FTP_OK)
			break;
	}
	ck_assert_int_eq(r, FTP_E_BUF_LIMIT);
	ck_assert_uint_eq(buf_len(&b), before);
	ck_assert_uint_eq(w.count, (PROTO_CONTROL_MAX - 2) /
				       (1 + 8 + 8 + 2 + PROTO_NAME_MAX));
	ck_assert_int_eq(msg_entries_finish(&b, &w), FTP_OK);
	ck_assert_int_eq(msg_entries_count(&b, &n), FTP_OK);
	ck_assert_uint_eq(n, w.count);
	buf_free(&b);
}
END_TEST

START_TEST(test_err_table)
{
	ck_assert_str_eq(ftp_strerror(FTP_OK), "success");
	ck_assert_str_eq(ftp_strerror(FTP_E_NOT_FOUND),
			 "no such file or directory");
	ck_assert_str_eq(ftp_strerror(-9999), "unknown error");
	ck_assert_str_eq(ftp_errname(FTP_E_BAD_MAGIC), "BAD_MAGIC");
	ck_assert_ptr_nonnull(ftp_errname(12345));
	ck_assert_uint_eq(ftp_err_to_status(FTP_OK), 0);
	ck_assert_uint_eq(ftp_err_to_status(FTP_E_TIMEOUT), 16);
	ck_assert_uint_eq(ftp_err_to_status(FTP_E_FRAME_SIZE), 1);
	ck_assert_uint_eq(ftp_err_to_status(FTP_E_CHANGED), 12);
	ck_assert_uint_eq(ftp_err_to_status(FTP_E_NOMEM), 17);
	for (uint16_t s = 1; s <= FTP_STATUS_MAX; s++) {
		ck_assert_int_eq(ftp_err_from_status(s), -(int)s);
		ck_assert_uint_eq(ftp_err_to_status(ftp_err_from_status(s)), s);
	}
	ck_assert_int_eq(ftp_err_from_status(0), FTP_E_PROTOCOL);
	ck_assert_int_eq(ftp_err_from_status(FTP_STATUS_MAX + 1),
	    FTP_E_FAILURE);
	ck_assert_int_eq(ftp_err_from_status(100), FTP_E_FAILURE);
	ck_assert_int_eq(ftp_err_from_status(65535), FTP_E_FAILURE);
}
END_TEST

START_TEST(test_err_from_errno)
{
	static const struct { int e, want; } map[] = {
		{ ENOENT, FTP_E_NOT_FOUND }, { EEXIST, FTP_E_EXISTS },
		{ EACCES, FTP_E_DENIED }, { EPERM, FTP_E_DENIED },
		{ EROFS, FTP_E_DENIED }, { EXDEV, FTP_E_BAD_PATH },
		{ ELOOP, FTP_E_BAD_PATH }, { EINVAL, FTP_E_BAD_PATH },
		{ ENAMETOOLONG, FTP_E_BAD_PATH }, { ENOTDIR, FTP_E_NOT_DIR },
		{ EISDIR, FTP_E_IS_DIR }, { ENOSPC, FTP_E_NO_SPACE },
		{ EDQUOT, FTP_E_NO_SPACE }, { EFBIG, FTP_E_TOO_LARGE },
		{ EOVERFLOW, FTP_E_TOO_LARGE }, { ENOMEM, FTP_E_NOMEM },
		{ EIO, FTP_E_IO }, { EAGAIN, FTP_E_TIMEOUT },
		{ EWOULDBLOCK, FTP_E_TIMEOUT }, { ETIMEDOUT, FTP_E_TIMEOUT },
		{ ECONNRESET, FTP_E_CLOSED }, { EPIPE, FTP_E_CLOSED },
		{ ENOTCONN, FTP_E_CLOSED }, { ECONNREFUSED, FTP_E_CONNECT },
		{ EHOSTUNREACH, FTP_E_CONNECT }, { ENETUNREACH, FTP_E_CONNECT },
		{ EMFILE, FTP_E_SYSTEM }, { 0, FTP_E_SYSTEM },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		ck_assert_int_eq(ftp_err_from_errno(map[i].e), map[i].want);
		ck_assert_int_eq(ftp_err_from_errno(-map[i].e), map[i].want);
	}
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_every_prefix_fails, 0, S_COUNT);
	tcase_add_loop_test(tc, test_trailing_bytes_rejected, 0, S_COUNT);
	tcase_add_loop_test(tc, test_failed_put_appends_nothing, 0, S_COUNT);
	tcase_add_test(tc, test_hello_round_trip);
	tcase_add_test(tc, test_hello_ok_round_trip);
	tcase_add_test(tc, test_requests_round_trip);
	tcase_add_test(tc, test_replies_round_trip);
	tcase_add_test(tc, test_empty_bodies);
	tcase_add_test(tc, test_end_crc);
	tcase_add_test(tc, test_resume_messages);
	tcase_add_test(tc, test_error_status_zero);
	tcase_add_test(tc, test_error_message_cut_at_utf8_boundary);
	tcase_add_test(tc, test_string_fields_limits);
	tcase_add_test(tc, test_bad_strings_rejected);
	tcase_add_test(tc, test_entry_validation);
	tcase_add_test(tc, test_entries_batch_full);
	tcase_add_test(tc, test_entries_buffer_full);
	tcase_add_test(tc, test_login_message);
	tcase_add_test(tc, test_err_table);
	tcase_add_test(tc, test_err_from_errno);
	tcase_add_test(tc, test_err_codes_unique);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(msg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
