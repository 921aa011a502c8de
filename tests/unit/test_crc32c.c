/*
 * test_crc32c.c - CRC-32C against published vectors (RFC 3720 B.4 and the
 * common check value), and piecewise updates against one-shot ones at every
 * alignment, which is where a hardware path's head and tail loops differ.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"

START_TEST(test_vectors)
{
	uint8_t b[32];

	ck_assert_uint_eq(crc32c_update(0, "", 0), 0);
	ck_assert_uint_eq(crc32c_update(0, "123456789", 9), 0xe3069283u);
	memset(b, 0, sizeof(b));
	ck_assert_uint_eq(crc32c_update(0, b, sizeof(b)), 0x8a9136aau);
	memset(b, 0xff, sizeof(b));
	ck_assert_uint_eq(crc32c_update(0, b, sizeof(b)), 0x62a8ab43u);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	ck_assert_uint_eq(crc32c_update(0, b, sizeof(b)), 0x46dd794eu);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	ck_assert_uint_eq(crc32c_update(0, b, sizeof(b)), 0x113fdb5cu);
}
END_TEST

START_TEST(test_pieces_and_alignment)
{
	enum { N = 4099 };
	uint8_t *raw = malloc(N + 16);
	uint32_t whole, crc;

	ck_assert_ptr_nonnull(raw);
	for (size_t i = 0; i < N + 16; i++)
		raw[i] = (uint8_t)(i * 131 + (i >> 7));
	for (size_t shift = 0; shift < 8; shift++) {
		const uint8_t *p = raw + shift;

		whole = crc32c_update(0, p, N);
		for (size_t cut = 0; cut <= 17; cut++) {
			crc = crc32c_update(0, p, cut);
			crc = crc32c_update(crc, p + cut, N - cut);
			ck_assert_uint_eq(crc, whole);
		}
		crc = 0;
		for (size_t i = 0; i < N; i++)
			crc = crc32c_update(crc, p + i, 1);
		ck_assert_uint_eq(crc, whole);
	}
	/* A one-bit change always shows. */
	raw[1000] ^= 0x10;
	ck_assert_uint_ne(crc32c_update(0, raw + 7, N), whole);
	free(raw);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("crc32c");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_pieces_and_alignment);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
