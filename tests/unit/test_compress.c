/*
 * test_compress.c - the COMPRESSED DATA framing: round trips, the choice
 * to send incompressible chunks raw, and every way a hostile frame could
 * get past the inflater (a bomb over the cap, truncation, garbage, bytes
 * after the stream's end).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "err.h"

#define MIB (1024u * 1024u)

/* Log-like text: compresses several times over. */
static uint8_t *
make_text(size_t len)
{
	uint8_t *p = malloc(len);
	size_t at = 0;
	unsigned i = 0;

	ck_assert_ptr_nonnull(p);
	while (at < len) {
		char line[96];
		int n = snprintf(line, sizeof(line), "2026-11-22 18:%02u:%02u "
		    "INFO worker=%u request id=%u bytes=%u ok\n", i / 60 % 60,
		    i % 60, i % 7, i * 7919u, i * 31u % 100000u);
		size_t take = (size_t)n < len - at ? (size_t)n : len - at;

		memcpy(p + at, line, take);
		at += take;
		i++;
	}
	return p;
}

/* xorshift: incompressible, reproducible. */
static uint8_t *
make_random(size_t len)
{
	uint8_t *p = malloc(len);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
	return p;
}

/* Deflates a chunk, which must compress; returns the compressed size. */
static size_t
squeeze(struct zs *d, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t n = 0;

	ck_assert_int_eq(zs_deflate_chunk(d, in, len, out, &n), FTP_OK);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, len);
	return n;
}

START_TEST(test_round_trip)
{
	const size_t sizes[] = { 1000, 40000, 256 * 1024, MIB };
	struct zs *d, *i;
	uint8_t *text = make_text(MIB), *z = malloc(MIB), *back = malloc(MIB);
	size_t n, got;

	ck_assert_int_eq(zs_deflater_new(&d), FTP_OK);
	ck_assert_int_eq(zs_inflater_new(&i), FTP_OK);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		/* Each frame stands alone: any frame inflates in any order. */
		n = squeeze(d, text, sizes[k], z);
		ck_assert_uint_lt(n * 3, sizes[k]);
		ck_assert_int_eq(zs_inflate_frame(i, z, n, back, sizes[k],
		    &got), FTP_OK);
		ck_assert_uint_eq(got, sizes[k]);
		ck_assert_mem_eq(back, text, sizes[k]);
	}
	zs_free(d);
	zs_free(i);
	free(text);
	free(z);
	free(back);
}
END_TEST

START_TEST(test_random_goes_raw)
{
	enum { CHUNK = 256 * 1024 };
	struct zs *d;
	uint8_t *rnd = make_random(CHUNK), *text = make_text(CHUNK);
	uint8_t *z = malloc(CHUNK);
	size_t n = 1;

	ck_assert_int_eq(zs_deflater_new(&d), FTP_OK);
	for (int k = 0; k < 40; k++) {
		ck_assert_int_eq(zs_deflate_chunk(d, rnd, CHUNK, z, &n),
		    FTP_OK);
		ck_assert_uint_eq(n, 0);
	}
	/* Small chunks are judged whole, without a probe. */
	ck_assert_int_eq(zs_deflate_chunk(d, rnd, 5000, z, &n), FTP_OK);
	ck_assert_uint_eq(n, 0);
	/* Text after random data compresses again once the backoff ends. */
	for (int k = 0; k < 40 && n == 0; k++)
		ck_assert_int_eq(zs_deflate_chunk(d, text, CHUNK, z, &n),
		    FTP_OK);
	ck_assert_uint_gt(n, 0);
	zs_free(d);
	free(rnd);
	free(text);
	free(z);
}
END_TEST

START_TEST(test_bomb_rejected)
{
	struct zs *d, *i;
	uint8_t *zeros = calloc(4, MIB), *z = malloc(4 * MIB);
	uint8_t *back = malloc(MIB);
	size_t n, got;

	ck_assert_int_eq(zs_deflater_new(&d), FTP_OK);
	ck_assert_int_eq(zs_inflater_new(&i), FTP_OK);
	/* Under 32 KiB that would inflate to 4 MiB. */
	n = squeeze(d, zeros, 4 * MIB, z);
	ck_assert_uint_lt(n, 32768);
	ck_assert_int_eq(zs_inflate_frame(i, z, n, back, MIB, &got),
	    FTP_E_FRAME_SIZE);
	ck_assert_uint_le(got, MIB);
	/* One byte over the cap is over; exactly the cap is fine. */
	n = squeeze(d, zeros, MIB, z);
	ck_assert_int_eq(zs_inflate_frame(i, z, n, back, MIB - 1, &got),
	    FTP_E_FRAME_SIZE);
	ck_assert_int_eq(zs_inflate_frame(i, z, n, back, MIB, &got), FTP_OK);
	ck_assert_uint_eq(got, MIB);
	zs_free(d);
	zs_free(i);
	free(zeros);
	free(z);
	free(back);
}
END_TEST

START_TEST(test_corrupt_rejected)
{
	enum { LEN = 100000 };
	struct zs *d, *i;
	uint8_t *text = make_text(LEN), *z = malloc(LEN + 1);
	uint8_t *back = malloc(LEN), junk[64];
	size_t n, got;

	ck_assert_int_eq(zs_deflater_new(&d), FTP_OK);
	ck_assert_int_eq(zs_inflater_new(&i), FTP_OK);
	n = squeeze(d, text, LEN, z);
	/* Truncated: every cut short of the end is refused. */
	for (size_t cut = 0; cut < n; cut += 1 + cut / 3)
		ck_assert_int_eq(zs_inflate_frame(i, z, cut, back, LEN, &got),
		    FTP_E_BAD_VALUE);
	/* Bytes after the stream's end. */
	z[n] = 0;
	ck_assert_int_eq(zs_inflate_frame(i, z, n + 1, back, LEN, &got),
	    FTP_E_BAD_VALUE);
	/* Garbage: reserved block type 3. */
	memset(junk, 0xff, sizeof(junk));
	ck_assert_int_eq(zs_inflate_frame(i, junk, sizeof(junk), back, LEN,
	    &got), FTP_E_BAD_VALUE);
	/* A zlib-wrapped stream is not raw deflate. */
	memcpy(junk, "\x78\x9c\x4b\x04\x00", 5);
	ck_assert_int_ne(zs_inflate_frame(i, junk, 5, back, LEN, &got),
	    FTP_OK);
	/* After all that, the inflater still works. */
	ck_assert_int_eq(zs_inflate_frame(i, z, n, back, LEN, &got), FTP_OK);
	ck_assert_uint_eq(got, LEN);
	ck_assert_mem_eq(back, text, LEN);
	/* A deflater cannot inflate, nor an inflater deflate. */
	ck_assert_int_eq(zs_inflate_frame(d, z, n, back, LEN, &got),
	    FTP_E_BAD_VALUE);
	ck_assert_int_eq(zs_deflate_chunk(i, text, LEN, z, &got),
	    FTP_E_BAD_VALUE);
	zs_free(d);
	zs_free(i);
	free(text);
	free(z);
	free(back);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("compress");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_random_goes_raw);
	tcase_add_test(tc, test_bomb_rejected);
	tcase_add_test(tc, test_corrupt_rejected);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
