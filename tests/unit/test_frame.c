/*
 * test_frame.c - frame headers and the sans-I/O decoder: the same frames
 * whatever the feeding pattern, header checks before any body is buffered,
 * truncations and corruptions failing cleanly.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"
#include "proto_limits.h"

/* What a decoded frame looked like, body reduced to a checksum. */
struct rec {
	uint8_t type;
	uint32_t id;
	size_t len;
	uint32_t sum;
};

#define MAX_RECS 32

static uint32_t
fnv(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void
put_frame(struct buf *b, uint8_t type, uint32_t id, size_t len, uint8_t seed)
{
	ck_assert_int_eq(frame_put_header(b, type, 0, id, len), FTP_OK);
	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(buf_put_u8(b, (uint8_t)(seed + i * 7)),
				 FTP_OK);
}

/* A stream of frames of many types and sizes. */
static void
sample_stream(struct buf *b)
{
	buf_init(b, 1 << 20);
	put_frame(b, PROTO_HELLO, 1, 20, 1);
	put_frame(b, PROTO_DATA, 2, 0, 0);
	put_frame(b, PROTO_DATA, 2, 5000, 3);
	put_frame(b, PROTO_END, 2, 8, 4);
	put_frame(b, PROTO_ERROR, 0, 30, 5);
	put_frame(b, PROTO_ENTRIES, 7, 3000, 6);
	put_frame(b, PROTO_OK, 8, 0, 0);
	put_frame(b, PROTO_DATA, 0xFFFFFFFFu, 70000, 8);
	put_frame(b, PROTO_FILE, 9, 24, 9);
}

#define SAMPLE_FRAMES 9

static void
record(struct rec *r, const struct frame *f)
{
	r->type = f->type;
	r->id = f->id;
	r->len = buf_len(&f->body);
	r->sum = fnv(buf_ptr(&f->body), r->len);
}

/* Decodes every buffered frame; returns how many, *last the final code. */
static size_t
drain(struct frame_decoder *d, struct rec *recs, size_t n, int *last)
{
	struct frame f;
	int r;

	while ((r = frame_decoder_next(d, &f)) == FTP_OK) {
		ck_assert_uint_lt(n, MAX_RECS);
		record(&recs[n++], &f);
	}
	*last = r;
	return n;
}

static size_t
decode_whole(const struct buf *s, struct rec *recs)
{
	struct frame_decoder d;
	size_t n;
	int r;

	frame_decoder_init(&d, PROTO_FRAME_MAX);
	ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(s), buf_len(s)),
			 FTP_OK);
	n = drain(&d, recs, 0, &r);
	ck_assert_int_eq(r, FTP_E_AGAIN);
	ck_assert(frame_decoder_idle(&d));
	frame_decoder_free(&d);
	return n;
}

static void
assert_same(const struct rec *a, const struct rec *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(a[i].type, b[i].type);
		ck_assert_uint_eq(a[i].id, b[i].id);
		ck_assert_uint_eq(a[i].len, b[i].len);
		ck_assert_uint_eq(a[i].sum, b[i].sum);
	}
}

START_TEST(test_header_encoding)
{
	static const uint8_t want[10] = { 0, 0, 1, 2, 0x21, 0, 0, 0, 0, 5 };
	struct buf b;

	buf_init(&b, 64);
	ck_assert_int_eq(frame_put_header(&b, PROTO_ERROR, 0, 5, 258), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), PROTO_HEADER_SIZE);
	ck_assert_mem_eq(buf_ptr(&b), want, sizeof(want));
	ck_assert_int_eq(frame_put_header(&b, PROTO_DATA, 0, 1,
					  PROTO_FRAME_MAX + 1),
			 FTP_E_FRAME_SIZE);
	ck_assert_int_eq(frame_put_header(&b, PROTO_DATA, 0, 1, SIZE_MAX),
			 FTP_E_FRAME_SIZE);
	ck_assert_uint_eq(buf_len(&b), PROTO_HEADER_SIZE);
	buf_free(&b);
	/* A buffer too small for a whole header gets none of it. */
	buf_init(&b, PROTO_HEADER_SIZE - 1);
	ck_assert_int_eq(frame_put_header(&b, PROTO_OK, 0, 1, 0),
			 FTP_E_BUF_LIMIT);
	ck_assert_uint_eq(buf_len(&b), 0);
	buf_free(&b);
}
END_TEST

START_TEST(test_type_table)
{
	ck_assert_str_eq(proto_type_name(PROTO_HELLO), "HELLO");
	ck_assert_str_eq(proto_type_name(PROTO_HELLO_OK), "HELLO_OK");
	ck_assert_str_eq(proto_type_name(PROTO_DATA), "DATA");
	ck_assert_ptr_null(proto_type_name(0));
	ck_assert_ptr_null(proto_type_name(0x0D));
	ck_assert_ptr_null(proto_type_name(0x28));
	ck_assert_uint_eq(proto_type_max_body(PROTO_DATA, PROTO_FRAME_MAX),
			  PROTO_FRAME_MAX);
	ck_assert_uint_eq(proto_type_max_body(PROTO_DATA, 1000), 1000);
	ck_assert_uint_eq(proto_type_max_body(PROTO_ENTRIES, PROTO_FRAME_MAX),
			  PROTO_CONTROL_MAX);
	ck_assert_uint_eq(proto_type_max_body(PROTO_ENTRIES, 1000), 1000);
	ck_assert_uint_eq(proto_type_max_body(PROTO_DATA, UINT32_MAX),
			  PROTO_FRAME_MAX);
}
END_TEST

START_TEST(test_feeding_patterns_agree)
{
	struct rec whole[MAX_RECS], bytes[MAX_RECS];
	struct frame_decoder d;
	struct buf s;
	size_t n, m = 0;
	int r;

	sample_stream(&s);
	n = decode_whole(&s, whole);
	ck_assert_uint_eq(n, SAMPLE_FRAMES);
	frame_decoder_init(&d, PROTO_FRAME_MAX);
	for (size_t i = 0; i < buf_len(&s); i++) {
		ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(&s) + i, 1),
				 FTP_OK);
		m = drain(&d, bytes, m, &r);
		ck_assert_int_eq(r, FTP_E_AGAIN);
	}
	ck_assert_uint_eq(m, n);
	assert_same(whole, bytes, n);
	ck_assert(frame_decoder_idle(&d));
	frame_decoder_free(&d);
	buf_free(&s);
}
END_TEST

/* Feeds s through frame_decoder_space/commit in chunks of varying size, as
 * a socket would deliver them. */
static size_t
decode_chunked(const struct buf *s, struct rec *recs, uint32_t seed)
{
	struct frame_decoder d;
	size_t off = 0, n = 0, len, take;
	uint8_t *space;
	int r;

	frame_decoder_init(&d, PROTO_FRAME_MAX);
	while (off < buf_len(s)) {
		ck_assert_int_eq(frame_decoder_space(&d, &space, &len), FTP_OK);
		ck_assert_uint_ge(len, 1);
		seed = seed * 1103515245u + 12345u;
		take = 1 + (seed >> 8) % 9000;
		take = take < len ? take : len;
		take = take < buf_len(s) - off ? take : buf_len(s) - off;
		memcpy(space, buf_ptr(s) + off, take);
		ck_assert_int_eq(frame_decoder_commit(&d, take), FTP_OK);
		off += take;
		n = drain(&d, recs, n, &r);
		ck_assert_int_eq(r, FTP_E_AGAIN);
	}
	ck_assert(frame_decoder_idle(&d));
	frame_decoder_free(&d);
	return n;
}

START_TEST(test_space_commit_agrees)
{
	struct rec whole[MAX_RECS], chunked[MAX_RECS];
	struct buf s;
	size_t n;

	sample_stream(&s);
	n = decode_whole(&s, whole);
	for (uint32_t seed = 1; seed < 20; seed++) {
		ck_assert_uint_eq(decode_chunked(&s, chunked, seed), n);
		assert_same(whole, chunked, n);
	}
	buf_free(&s);
}
END_TEST

/* A decoder holding just a header: type, flags, length as given. */
static void
feed_header(struct frame_decoder *d, uint8_t type, uint8_t flags,
	    uint32_t len)
{
	struct buf h;

	buf_init(&h, PROTO_HEADER_SIZE);
	ck_assert_int_eq(frame_put_header(&h, type, flags, 1, 0), FTP_OK);
	ck_assert_int_eq(buf_poke_u32(&h, 0, len), FTP_OK);
	ck_assert_int_eq(frame_decoder_feed(d, buf_ptr(&h), buf_len(&h)),
			 FTP_OK);
	buf_free(&h);
}

/* The header alone decides; space() offers no room for the body. */
static void
assert_header_rejected(uint32_t frame_max, uint8_t type, uint8_t flags,
		       uint32_t len, int want)
{
	struct frame_decoder d;
	struct frame f;
	uint8_t *space;
	size_t n = 0;

	frame_decoder_init(&d, frame_max);
	feed_header(&d, type, flags, len);
	ck_assert_int_eq(frame_decoder_next(&d, &f), want);
	ck_assert_int_eq(frame_decoder_space(&d, &space, &n), want);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(buf_len(&d.in), PROTO_HEADER_SIZE);
	ck_assert_int_eq(frame_decoder_next(&d, &f), want);
	frame_decoder_free(&d);
}

START_TEST(test_oversize_rejected_on_header)
{
	assert_header_rejected(PROTO_FRAME_MAX, PROTO_DATA, 0, 0xFFFFFFFFu,
			       FTP_E_FRAME_SIZE);
	assert_header_rejected(PROTO_FRAME_MAX, PROTO_DATA, 0,
			       PROTO_FRAME_MAX + 1, FTP_E_FRAME_SIZE);
	assert_header_rejected(1000, PROTO_DATA, 0, 1001, FTP_E_FRAME_SIZE);
	assert_header_rejected(PROTO_FRAME_MAX, PROTO_HELLO, 0,
			       PROTO_CONTROL_MAX + 1, FTP_E_FRAME_SIZE);
	assert_header_rejected(PROTO_FRAME_MAX, PROTO_ENTRIES, 0, 0xFFFFFFFFu,
			       FTP_E_FRAME_SIZE);
	assert_header_rejected(PROTO_FRAME_MAX, 0x00, 0, 0, FTP_E_BAD_TYPE);
	assert_header_rejected(PROTO_FRAME_MAX, 0x0D, 0, 0, FTP_E_BAD_TYPE);
	assert_header_rejected(PROTO_FRAME_MAX, 0xFF, 0, 0, FTP_E_BAD_TYPE);
	assert_header_rejected(PROTO_FRAME_MAX, PROTO_OK, 1, 0,
			       FTP_E_BAD_FLAGS);
	assert_header_rejected(PROTO_FRAME_MAX, PROTO_DATA, 0x80, 10,
			       FTP_E_BAD_FLAGS);
	/* COMPRESSED is refused until negotiated. */
	assert_header_rejected(PROTO_FRAME_MAX, PROTO_DATA,
			       PROTO_FLAG_COMPRESSED, 10, FTP_E_BAD_FLAGS);
}
END_TEST

/* A negotiated flag is allowed on DATA frames and nowhere else. */
START_TEST(test_flags_data_only)
{
	struct frame_decoder d;
	struct frame f;

	frame_decoder_init(&d, PROTO_FRAME_MAX);
	frame_decoder_allow_flags(&d, PROTO_FLAG_COMPRESSED);
	feed_header(&d, PROTO_DATA, PROTO_FLAG_COMPRESSED, 0);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_DATA);
	ck_assert_uint_eq(f.flags, PROTO_FLAG_COMPRESSED);
	feed_header(&d, PROTO_DATA, 0x02, 0);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_BAD_FLAGS);
	frame_decoder_free(&d);
	frame_decoder_init(&d, PROTO_FRAME_MAX);
	frame_decoder_allow_flags(&d, PROTO_FLAG_COMPRESSED);
	feed_header(&d, PROTO_END, PROTO_FLAG_COMPRESSED, 0);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_BAD_FLAGS);
	frame_decoder_free(&d);
}
END_TEST

START_TEST(test_limits_accepted)
{
	struct frame_decoder d;
	struct frame f;
	uint8_t *space;
	size_t n;

	/* Exactly at the limits: the decoder waits for the body, offering
	 * room for all of it and no more than one maximal frame. */
	frame_decoder_init(&d, PROTO_FRAME_MAX);
	feed_header(&d, PROTO_DATA, 0, PROTO_FRAME_MAX);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_AGAIN);
	ck_assert_int_eq(frame_decoder_space(&d, &space, &n), FTP_OK);
	ck_assert_uint_eq(n, PROTO_FRAME_MAX);
	memset(space, 0xA5, n);
	ck_assert_int_eq(frame_decoder_commit(&d, n + 1), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(frame_decoder_commit(&d, n), FTP_OK);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_OK);
	ck_assert_uint_eq(buf_len(&f.body), PROTO_FRAME_MAX);
	ck_assert_uint_eq(buf_ptr(&f.body)[PROTO_FRAME_MAX - 1], 0xA5);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_AGAIN);
	ck_assert(frame_decoder_idle(&d));
	frame_decoder_shrink(&d);
	ck_assert_ptr_null(buf_ptr(&d.in));
	feed_header(&d, PROTO_HELLO, 0, PROTO_CONTROL_MAX);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_AGAIN);
	ck_assert(!frame_decoder_idle(&d));
	frame_decoder_free(&d);
}
END_TEST

START_TEST(test_idle_space_is_small)
{
	struct frame_decoder d;
	uint8_t *space;
	size_t n;

	frame_decoder_init(&d, PROTO_FRAME_MAX);
	ck_assert_ptr_null(buf_ptr(&d.in));
	ck_assert_int_eq(frame_decoder_space(&d, &space, &n), FTP_OK);
	ck_assert_uint_ge(n, PROTO_HEADER_SIZE);
	ck_assert_uint_le(n, 16 * 1024);
	frame_decoder_free(&d);
	/* A tiny frame limit caps even the slack. */
	frame_decoder_init(&d, 4);
	ck_assert_int_eq(frame_decoder_space(&d, &space, &n), FTP_OK);
	ck_assert_uint_eq(n, PROTO_HEADER_SIZE + 4);
	frame_decoder_free(&d);
}
END_TEST

/* Lowering the limit judges the next header by it; raising it again
 * accepts the same header. */
START_TEST(test_set_max)
{
	struct frame_decoder d;
	struct frame f;
	struct buf b;

	buf_init(&b, 1 << 20);
	put_frame(&b, PROTO_DATA, 1, 70000, 1);
	frame_decoder_init(&d, PROTO_FRAME_MAX);
	frame_decoder_set_max(&d, PROTO_CONTROL_MAX);
	ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(&b), PROTO_HEADER_SIZE),
			 FTP_OK);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_FRAME_SIZE);
	frame_decoder_free(&d);
	frame_decoder_init(&d, PROTO_CONTROL_MAX);
	frame_decoder_set_max(&d, PROTO_FRAME_MAX);
	ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(&b), buf_len(&b)),
			 FTP_OK);
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_OK);
	ck_assert_uint_eq(buf_len(&f.body), 70000);
	frame_decoder_free(&d);
	buf_free(&b);
}
END_TEST

/* ready: only a whole frame, or a header that will be rejected, past the
 * frame last returned counts. */
START_TEST(test_ready)
{
	struct frame_decoder d;
	struct frame f;
	struct buf b;

	buf_init(&b, 1 << 16);
	put_frame(&b, PROTO_OK, 1, 0, 0);
	put_frame(&b, PROTO_LIST, 2, 6, 1);
	frame_decoder_init(&d, PROTO_FRAME_MAX);
	ck_assert(!frame_decoder_ready(&d));
	ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(&b), buf_len(&b) - 1),
			 FTP_OK);
	ck_assert(frame_decoder_ready(&d));
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_OK);
	ck_assert(!frame_decoder_ready(&d)); /* the LIST lacks a byte */
	ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(&b) + buf_len(&b) - 1,
					    1), FTP_OK);
	ck_assert(frame_decoder_ready(&d));
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_OK);
	ck_assert(!frame_decoder_ready(&d));
	frame_decoder_free(&d);
	/* An oversized header is ready: it is rejected without its body. */
	buf_reset(&b);
	ck_assert_int_eq(frame_put_header(&b, PROTO_LIST, 0, 3, 70000),
			 FTP_OK);
	frame_decoder_init(&d, PROTO_FRAME_MAX);
	ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(&b), buf_len(&b)),
			 FTP_OK);
	ck_assert(frame_decoder_ready(&d));
	ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_FRAME_SIZE);
	frame_decoder_free(&d);
	buf_free(&b);
}
END_TEST

START_TEST(test_feed_limit)
{
	struct frame_decoder d;
	uint8_t junk[200] = { 0 };

	frame_decoder_init(&d, 100);
	ck_assert_int_eq(frame_decoder_feed(&d, junk, 111), FTP_E_BUF_LIMIT);
	ck_assert_uint_eq(buf_len(&d.in), 0);
	ck_assert_int_eq(frame_decoder_feed(&d, junk, 110), FTP_OK);
	ck_assert_int_eq(frame_decoder_feed(&d, junk, 1), FTP_E_BUF_LIMIT);
	frame_decoder_free(&d);
}
END_TEST

START_TEST(test_every_prefix_waits)
{
	struct frame_decoder d;
	struct frame f;
	struct buf s;
	const uint8_t *p;
	size_t total;

	buf_init(&s, 1 << 16);
	put_frame(&s, PROTO_ENTRIES, 3, 600, 11);
	p = buf_ptr(&s);
	total = buf_len(&s);
	for (size_t k = 0; k < total; k++) {
		frame_decoder_init(&d, PROTO_FRAME_MAX);
		ck_assert_int_eq(frame_decoder_feed(&d, p, k), FTP_OK);
		ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_E_AGAIN);
		ck_assert(frame_decoder_idle(&d) == (k == 0));
		ck_assert_int_eq(frame_decoder_feed(&d, p + k, total - k),
				 FTP_OK);
		ck_assert_int_eq(frame_decoder_next(&d, &f), FTP_OK);
		ck_assert_uint_eq(buf_len(&f.body), 600);
		ck_assert_uint_eq(f.id, 3);
		frame_decoder_free(&d);
	}
	buf_free(&s);
}
END_TEST

/* Decodes whatever a corrupted stream yields, a byte at a time (so the
 * buffer never holds more than one frame), touching every body byte so that
 * ASan sees any over-read. */
static void
decode_garbage(const uint8_t *p, size_t len, uint32_t frame_max)
{
	struct frame_decoder d;
	struct frame f;
	int r = FTP_E_AGAIN;

	frame_decoder_init(&d, frame_max);
	for (size_t i = 0; i < len && r == FTP_E_AGAIN; i++) {
		ck_assert_int_eq(frame_decoder_feed(&d, p + i, 1), FTP_OK);
		while ((r = frame_decoder_next(&d, &f)) == FTP_OK) {
			ck_assert_uint_le(buf_len(&f.body),
				proto_type_max_body(f.type, frame_max));
			(void)fnv(buf_ptr(&f.body), buf_len(&f.body));
		}
	}
	ck_assert(r == FTP_E_AGAIN || r == FTP_E_FRAME_SIZE ||
		  r == FTP_E_BAD_TYPE || r == FTP_E_BAD_FLAGS);
	frame_decoder_free(&d);
}

START_TEST(test_bit_flips)
{
	struct buf s;
	uint8_t *copy;
	size_t len;

	buf_init(&s, 4096);
	put_frame(&s, PROTO_HELLO, 1, 30, 1);
	put_frame(&s, PROTO_DATA, 2, 40, 2);
	put_frame(&s, PROTO_OK, 3, 0, 0);
	put_frame(&s, PROTO_END, 4, 8, 3);
	len = buf_len(&s);
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	for (size_t bit = 0; bit < len * 8; bit++) {
		memcpy(copy, buf_ptr(&s), len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		decode_garbage(copy, len, 64);
		decode_garbage(copy, len, PROTO_FRAME_MAX);
	}
	free(copy);
	buf_free(&s);
}
END_TEST

START_TEST(test_random_garbage)
{
	uint8_t junk[2048];
	uint32_t x = 12345;

	for (int round = 0; round < 500; round++) {
		for (size_t i = 0; i < sizeof(junk); i++) {
			x = x * 1664525u + 1013904223u;
			junk[i] = (uint8_t)(x >> 24);
		}
		/* Make plausible headers likely: small lengths, known types. */
		if (round % 2 == 0) {
			junk[0] = junk[1] = 0;
			junk[4] = PROTO_DATA;
			junk[5] = 0;
		}
		decode_garbage(junk, sizeof(junk), 1024);
	}
}
END_TEST

START_TEST(test_body_view_valid_until_next_call)
{
	struct frame_decoder d;
	struct frame f1, f2;
	struct buf s;

	buf_init(&s, 256);
	put_frame(&s, PROTO_END, 5, 8, 100);
	put_frame(&s, PROTO_END, 6, 8, 200);
	frame_decoder_init(&d, PROTO_FRAME_MAX);
	ck_assert_int_eq(frame_decoder_feed(&d, buf_ptr(&s), buf_len(&s)),
			 FTP_OK);
	ck_assert_int_eq(frame_decoder_next(&d, &f1), FTP_OK);
	ck_assert_uint_eq(buf_ptr(&f1.body)[0], 100);
	ck_assert(!frame_decoder_idle(&d));
	ck_assert_int_eq(frame_decoder_next(&d, &f2), FTP_OK);
	ck_assert_uint_eq(f2.id, 6);
	ck_assert_uint_eq(buf_ptr(&f2.body)[0], 200);
	ck_assert(frame_decoder_idle(&d));
	ck_assert_int_eq(frame_decoder_next(&d, &f2), FTP_E_AGAIN);
	ck_assert_uint_eq(buf_len(&d.in), 0);
	frame_decoder_free(&d);
	buf_free(&s);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_header_encoding);
	tcase_add_test(tc, test_type_table);
	tcase_add_test(tc, test_feeding_patterns_agree);
	tcase_add_test(tc, test_space_commit_agrees);
	tcase_add_test(tc, test_oversize_rejected_on_header);
	tcase_add_test(tc, test_flags_data_only);
	tcase_add_test(tc, test_limits_accepted);
	tcase_add_test(tc, test_idle_space_is_small);
	tcase_add_test(tc, test_feed_limit);
	tcase_add_test(tc, test_every_prefix_waits);
	tcase_add_test(tc, test_set_max);
	tcase_add_test(tc, test_ready);
	tcase_add_test(tc, test_bit_flips);
	tcase_add_test(tc, test_random_garbage);
	tcase_add_test(tc, test_body_view_valid_until_next_call);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
