/*
 * test_buf.c - the bounded buffer: integer and string encodings, bounds,
 * growth limits, views, and the UTF-8 validator.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

START_TEST(test_init_allocates_nothing)
{
	struct buf b;

	buf_init(&b, 100);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_uint_eq(buf_max(&b), 100);
	ck_assert_ptr_null(buf_ptr(&b));
	buf_free(&b);
}
END_TEST

START_TEST(test_integers_round_trip)
{
	static const uint8_t want[] = {
		0xAB, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
	};
	struct buf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	int64_t i64;

	buf_init(&b, 64);
	ck_assert_int_eq(buf_put_u8(&b, 0xAB), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, 0x1234), FTP_OK);
	ck_assert_int_eq(buf_put_u32(&b, 0xDEADBEEF), FTP_OK);
	ck_assert_int_eq(buf_put_u64(&b, 0x0102030405060708ull), FTP_OK);
	ck_assert_int_eq(buf_put_i64(&b, -2), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), sizeof(want));
	ck_assert_mem_eq(buf_ptr(&b), want, sizeof(want));
	ck_assert_int_eq(buf_get_u8(&b, &u8), FTP_OK);
	ck_assert_int_eq(buf_get_u16(&b, &u16), FTP_OK);
	ck_assert_int_eq(buf_get_u32(&b, &u32), FTP_OK);
	ck_assert_int_eq(buf_get_u64(&b, &u64), FTP_OK);
	ck_assert_int_eq(buf_get_i64(&b, &i64), FTP_OK);
	ck_assert_uint_eq(u8, 0xAB);
	ck_assert_uint_eq(u16, 0x1234);
	ck_assert_uint_eq(u32, 0xDEADBEEF);
	ck_assert_uint_eq(u64, 0x0102030405060708ull);
	ck_assert_int_eq(i64, -2);
	ck_assert_uint_eq(buf_len(&b), 0);
	buf_free(&b);
}
END_TEST

START_TEST(test_short_gets_consume_nothing)
{
	static const uint8_t bytes[7] = { 1, 2, 3, 4, 5, 6, 7 };
	struct buf b;
	uint64_t u64 = 42;
	uint32_t u32;
	uint8_t out[8];

	buf_view(&b, bytes, sizeof(bytes));
	ck_assert_int_eq(buf_get_u64(&b, &u64), FTP_E_SHORT);
	ck_assert_uint_eq(u64, 42);
	ck_assert_int_eq(buf_get_bytes(&b, out, 8), FTP_E_SHORT);
	ck_assert_int_eq(buf_consume(&b, 8), FTP_E_SHORT);
	ck_assert_uint_eq(buf_len(&b), 7);
	ck_assert_int_eq(buf_get_u32(&b, &u32), FTP_OK);
	ck_assert_uint_eq(u32, 0x01020304);
	ck_assert_int_eq(buf_get_u32(&b, &u32), FTP_E_SHORT);
	ck_assert_uint_eq(buf_len(&b), 3);
}
END_TEST

START_TEST(test_limit_is_exact)
{
	struct buf b;

	buf_init(&b, 5);
	ck_assert_int_eq(buf_put_u32(&b, 1), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, 2), FTP_E_BUF_LIMIT);
	ck_assert_uint_eq(buf_len(&b), 4);
	ck_assert_int_eq(buf_put_u8(&b, 3), FTP_OK);
	ck_assert_int_eq(buf_put_u8(&b, 4), FTP_E_BUF_LIMIT);
	ck_assert_uint_eq(buf_len(&b), 5);
	/* Consumed bytes free their room again (via compaction). */
	ck_assert_int_eq(buf_consume(&b, 2), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, 0xBEEF), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 5);
	ck_assert_uint_eq(buf_ptr(&b)[3], 0xBE);
	ck_assert_uint_eq(buf_ptr(&b)[4], 0xEF);
	buf_free(&b);
}
END_TEST

START_TEST(test_growth_to_max)
{
	struct buf b;
	size_t i;

	buf_init(&b, 100000);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(buf_put_u8(&b, (uint8_t)i), FTP_OK);
	ck_assert_int_eq(buf_put_u8(&b, 0), FTP_E_BUF_LIMIT);
	for (i = 0; i < 100000; i++)
		ck_assert_uint_eq(buf_ptr(&b)[i], (uint8_t)i);
	buf_free(&b);
	ck_assert_uint_eq(buf_len(&b), 0);
	/* Reusable after free, with the same limit. */
	ck_assert_int_eq(buf_put_u32(&b, 7), FTP_OK);
	ck_assert_uint_eq(buf_max(&b), 100000);
	buf_free(&b);
}
END_TEST

START_TEST(test_reserve_overflow)
{
	struct buf b;
	uint8_t *p;

	buf_init(&b, 64);
	ck_assert_int_eq(buf_put_u8(&b, 1), FTP_OK);
	ck_assert_int_eq(buf_reserve(&b, SIZE_MAX, &p), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(buf_reserve(&b, 64, &p), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(buf_reserve(&b, 63, &p), FTP_OK);
	memset(p, 0x5A, 63);
	ck_assert_int_eq(buf_commit(&b, SIZE_MAX), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(buf_commit(&b, 64), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(buf_commit(&b, 63), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 64);
	ck_assert_uint_eq(buf_ptr(&b)[63], 0x5A);
	ck_assert_int_eq(buf_consume(&b, SIZE_MAX), FTP_E_SHORT);
	buf_free(&b);
}
END_TEST

START_TEST(test_view_is_read_only)
{
	static const uint8_t bytes[4] = { 0, 0, 0, 9 };
	struct buf v;
	uint8_t *p;
	uint32_t x;

	buf_view(&v, bytes, sizeof(bytes));
	ck_assert_int_eq(buf_put_u8(&v, 1), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(buf_reserve(&v, 0, &p), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(buf_poke_u32(&v, 0, 1), FTP_E_BUF_LIMIT);
	ck_assert_int_eq(buf_peek_u32(&v, 0, &x), FTP_OK);
	ck_assert_uint_eq(x, 9);
	ck_assert_uint_eq(buf_len(&v), 4);
	buf_free(&v); /* must not free the borrowed bytes */
	ck_assert_uint_eq(bytes[3], 9);
}
END_TEST

START_TEST(test_peek_poke_bounds)
{
	struct buf b;
	uint32_t x;

	buf_init(&b, 16);
	ck_assert_int_eq(buf_put_u32(&b, 0), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, 0), FTP_OK);
	ck_assert_int_eq(buf_poke_u32(&b, 0, 0xCAFEBABE), FTP_OK);
	ck_assert_int_eq(buf_poke_u16(&b, 4, 0x0102), FTP_OK);
	ck_assert_int_eq(buf_poke_u16(&b, 5, 1), FTP_E_SHORT);
	ck_assert_int_eq(buf_poke_u32(&b, 3, 1), FTP_E_SHORT);
	ck_assert_int_eq(buf_poke_u32(&b, SIZE_MAX, 1), FTP_E_SHORT);
	ck_assert_int_eq(buf_peek_u32(&b, SIZE_MAX - 1, &x), FTP_E_SHORT);
	ck_assert_int_eq(buf_peek_u32(&b, 3, &x), FTP_E_SHORT);
	ck_assert_int_eq(buf_peek_u32(&b, 2, &x), FTP_OK);
	ck_assert_uint_eq(x, 0xBABE0102);
	ck_assert_int_eq(buf_peek_u32(&b, 0, &x), FTP_OK);
	ck_assert_uint_eq(x, 0xCAFEBABE);
	ck_assert_uint_eq(buf_len(&b), 6);
	buf_free(&b);
}
END_TEST

START_TEST(test_string_round_trip)
{
	struct buf b;
	char out[32];

	buf_init(&b, 64);
	ck_assert_int_eq(buf_put_string(&b, "h\xC3\xA9llo \xE2\x82\xAC"),
			 FTP_OK);
	ck_assert_int_eq(buf_put_string(&b, ""), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 2 + 10 + 2);
	ck_assert_uint_eq(buf_ptr(&b)[1], 10);
	ck_assert_int_eq(buf_get_string(&b, out, sizeof(out)), FTP_OK);
	ck_assert_str_eq(out, "h\xC3\xA9llo \xE2\x82\xAC");
	ck_assert_int_eq(buf_get_string(&b, out, 1), FTP_OK);
	ck_assert_str_eq(out, "");
	buf_free(&b);
}
END_TEST

START_TEST(test_string_errors_consume_nothing)
{
	static const uint8_t nul[] = { 0, 3, 'a', 0, 'b' };
	static const uint8_t bad[] = { 0, 2, 0xC0, 0x80 };
	static const uint8_t trunc[] = { 0, 5, 'a', 'b' };
	static const uint8_t big[] = { 0, 4, 'a', 'b', 'c', 'd' };
	struct buf v;
	char out[8];

	buf_view(&v, nul, sizeof(nul));
	ck_assert_int_eq(buf_get_string(&v, out, sizeof(out)),
			 FTP_E_BAD_STRING);
	ck_assert_uint_eq(buf_len(&v), sizeof(nul));
	buf_view(&v, bad, sizeof(bad));
	ck_assert_int_eq(buf_get_string(&v, out, sizeof(out)),
			 FTP_E_BAD_STRING);
	buf_view(&v, trunc, sizeof(trunc));
	ck_assert_int_eq(buf_get_string(&v, out, sizeof(out)), FTP_E_SHORT);
	ck_assert_uint_eq(buf_len(&v), sizeof(trunc));
	buf_view(&v, trunc, 1);
	ck_assert_int_eq(buf_get_string(&v, out, sizeof(out)), FTP_E_SHORT);
	buf_view(&v, big, sizeof(big));
	ck_assert_int_eq(buf_get_string(&v, out, 4), FTP_E_STR_LONG);
	ck_assert_int_eq(buf_get_string(&v, out, 0), FTP_E_STR_LONG);
	ck_assert_uint_eq(buf_len(&v), sizeof(big));
	ck_assert_int_eq(buf_get_string(&v, out, 5), FTP_OK);
	ck_assert_str_eq(out, "abcd");
}
END_TEST

START_TEST(test_put_string_limits)
{
	struct buf b;
	char *s = malloc(65537);

	ck_assert_ptr_nonnull(s);
	memset(s, 'x', 65536);
	s[65536] = '\0';
	buf_init(&b, 70000);
	ck_assert_int_eq(buf_put_string(&b, s), FTP_E_TOO_LARGE);
	ck_assert_uint_eq(buf_len(&b), 0);
	s[65535] = '\0';
	ck_assert_int_eq(buf_put_string(&b, s), FTP_OK);
	ck_assert_uint_eq(buf_len(&b), 2 + 65535);
	ck_assert_int_eq(buf_put_string(&b, "\xED\xA0\x80"), FTP_E_BAD_STRING);
	ck_assert_int_eq(buf_put_string(&b, NULL), FTP_E_BAD_STRING);
	ck_assert_uint_eq(buf_len(&b), 2 + 65535);
	/* Does not fit the buffer's limit: nothing appended. */
	memset(s, 'y', 5000);
	s[5000] = '\0';
	ck_assert_int_eq(buf_put_string(&b, s), FTP_E_BUF_LIMIT);
	ck_assert_uint_eq(buf_len(&b), 2 + 65535);
	buf_free(&b);
	free(s);
}
END_TEST

struct utf8_case {
	const char *bytes;
	size_t len;
	bool valid;
};

#define U(s, v) { s, sizeof(s) - 1, v }

static const struct utf8_case utf8_cases[] = {
	U("", true),
	U("plain ascii", true),
	U("\xC3\xA9", true),                  /* U+00E9 */
	U("\xE2\x82\xAC", true),              /* U+20AC */
	U("\xED\x9F\xBF", true),              /* U+D7FF, below surrogates */
	U("\xEE\x80\x80", true),              /* U+E000, above surrogates */
	U("\xF0\x90\x80\x80", true),          /* U+10000 */
	U("\xF4\x8F\xBF\xBF", true),          /* U+10FFFF */
	U("\x7F", true),
	U("a\0b", false),                     /* NUL */
	U("\x80", false),                     /* lone continuation */
	U("\xC0\x80", false),                 /* overlong NUL */
	U("\xC1\xBF", false),                 /* overlong */
	U("\xE0\x80\x80", false),             /* overlong 3-byte */
	U("\xE0\x9F\xBF", false),             /* overlong 3-byte */
	U("\xF0\x80\x80\x80", false),         /* overlong 4-byte */
	U("\xF0\x8F\xBF\xBF", false),         /* overlong 4-byte */
	U("\xED\xA0\x80", false),             /* U+D800 surrogate */
	U("\xED\xBF\xBF", false),             /* U+DFFF surrogate */
	U("\xF4\x90\x80\x80", false),         /* U+110000 */
	U("\xF5\x80\x80\x80", false),
	U("\xFF", false),
	U("\xE2\x82", false),                 /* truncated */
	U("\xC3", false),
	U("\xC3\x28", false),                 /* bad continuation */
	U("\xE2\x28\xA1", false),
	U("\xF0\x90\x28\xBC", false),
	U("ok\xE2\x82\xAC\xC3", false),
};

START_TEST(test_utf8_table)
{
	const struct utf8_case *c = &utf8_cases[_i];

	ck_assert_msg(utf8_valid(c->bytes, c->len) == c->valid,
		      "case %d: expected %s", _i,
		      c->valid ? "valid" : "invalid");
}
END_TEST

START_TEST(test_shrink_and_compact)
{
	struct buf b;
	uint8_t *p;
	uint16_t v;

	buf_init(&b, 1 << 20);
	ck_assert_int_eq(buf_reserve(&b, 100000, &p), FTP_OK);
	ck_assert_int_eq(buf_commit(&b, 100000), FTP_OK);
	buf_shrink(&b, 4096); /* not empty: kept */
	ck_assert_uint_eq(buf_len(&b), 100000);
	ck_assert_int_eq(buf_consume(&b, 100000), FTP_OK);
	buf_shrink(&b, 1 << 20); /* small enough: kept */
	ck_assert_ptr_nonnull(buf_ptr(&b));
	buf_shrink(&b, 4096);
	ck_assert_ptr_null(buf_ptr(&b));
	ck_assert_int_eq(buf_put_u16(&b, 1), FTP_OK);
	ck_assert_int_eq(buf_put_u16(&b, 2), FTP_OK);
	ck_assert_int_eq(buf_consume(&b, 2), FTP_OK);
	buf_compact(&b);
	ck_assert_int_eq(buf_get_u16(&b, &v), FTP_OK);
	ck_assert_uint_eq(v, 2);
	buf_reset(&b);
	ck_assert_uint_eq(buf_len(&b), 0);
	buf_free(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_init_allocates_nothing);
	tcase_add_test(tc, test_integers_round_trip);
	tcase_add_test(tc, test_short_gets_consume_nothing);
	tcase_add_test(tc, test_limit_is_exact);
	tcase_add_test(tc, test_growth_to_max);
	tcase_add_test(tc, test_reserve_overflow);
	tcase_add_test(tc, test_view_is_read_only);
	tcase_add_test(tc, test_peek_poke_bounds);
	tcase_add_test(tc, test_string_round_trip);
	tcase_add_test(tc, test_string_errors_consume_nothing);
	tcase_add_test(tc, test_put_string_limits);
	tcase_add_loop_test(tc, test_utf8_table, 0,
			    (int)(sizeof(utf8_cases) / sizeof(utf8_cases[0])));
	tcase_add_test(tc, test_shrink_and_compact);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(buf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
