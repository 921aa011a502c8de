/*
 * test_path.c - the lexical path rules of stor_path_check (store.h):
 * every accept and refuse case, and the exact length limits.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "store.h"

/* A string of n copies of c, to build names at the limits. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A path of exactly len bytes made of valid components ("aaa.../aaa..."). */
static char *
long_path(size_t len)
{
	char *s = repeat('a', len);
	size_t i;

	for (i = 200; i < len - 1; i += 201)
		s[i] = '/';
	return s;
}

START_TEST(accepts_root)
{
	ck_assert_int_eq(stor_path_check(""), 0);
	ck_assert_int_eq(stor_path_check("."), 0);
}
END_TEST

START_TEST(accepts_plain)
{
	static const char *const ok[] = {
		"a", "a/b", "a/b/c.txt", ".hidden", "..a", "a..", "...",
		"a/.b", "x/...", ".ftpd-part", "x.ftpd-part.y", "a b/c d",
		"\xc3\xa9t\xc3\xa9", "-", "a/b/c/d/e/f/g/h",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(stor_path_check(ok[i]) == 0, "refused %s", ok[i]);
}
END_TEST

START_TEST(refuses_malformed)
{
	static const char *const bad[] = {
		"/", "/a", "/etc/passwd", "//", "a//b", "a/", "a/b/", "./a",
		"a/.", "a/./b", "..", "../x", "a/..", "a/../b", "a/../../x",
		"../../etc/passwd",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(stor_path_check(bad[i]) == -EINVAL,
			      "accepted %s", bad[i]);
	ck_assert_int_eq(stor_path_check(NULL), -EINVAL);
}
END_TEST

START_TEST(refuses_temp_prefix)
{
	ck_assert_int_eq(stor_path_check(STOR_TEMP_PREFIX), -EINVAL);
	ck_assert_int_eq(stor_path_check(STOR_TEMP_PREFIX "abc"), -EINVAL);
	ck_assert_int_eq(stor_path_check("d/" STOR_TEMP_PREFIX "x"), -EINVAL);
	ck_assert_int_eq(stor_path_check(STOR_TEMP_PREFIX "x/f"), -EINVAL);
}
END_TEST

START_TEST(component_limit)
{
	char *c255 = repeat('n', STOR_NAME_MAX);
	char *c256 = repeat('n', STOR_NAME_MAX + 1);
	char buf[600];

	ck_assert_int_eq(stor_path_check(c255), 0);
	ck_assert_int_eq(stor_path_check(c256), -ENAMETOOLONG);
	snprintf(buf, sizeof(buf), "a/%s/b", c255);
	ck_assert_int_eq(stor_path_check(buf), 0);
	snprintf(buf, sizeof(buf), "a/%s/b", c256);
	ck_assert_int_eq(stor_path_check(buf), -ENAMETOOLONG);
	snprintf(buf, sizeof(buf), "a/%s", c256);
	ck_assert_int_eq(stor_path_check(buf), -ENAMETOOLONG);
	free(c255);
	free(c256);
}
END_TEST

START_TEST(path_limit)
{
	char *p4096 = long_path(STOR_PATH_MAX);
	char *p4097 = long_path(STOR_PATH_MAX + 1);

	ck_assert_uint_eq(strlen(p4096), STOR_PATH_MAX);
	ck_assert_int_eq(stor_path_check(p4096), 0);
	ck_assert_int_eq(stor_path_check(p4097), -ENAMETOOLONG);
	free(p4096);
	free(p4097);
}
END_TEST

START_TEST(base_offset)
{
	ck_assert_uint_eq(stor_path_base(""), 0);
	ck_assert_uint_eq(stor_path_base("."), 0);
	ck_assert_uint_eq(stor_path_base("f"), 0);
	ck_assert_uint_eq(stor_path_base("a/f"), 2);
	ck_assert_uint_eq(stor_path_base("ab/cd/ef"), 6);
}
END_TEST

static Suite *
path_suite(void)
{
	Suite *s = suite_create("path");
	TCase *tc = tcase_create("check");

	tcase_add_test(tc, accepts_root);
	tcase_add_test(tc, accepts_plain);
	tcase_add_test(tc, refuses_malformed);
	tcase_add_test(tc, refuses_temp_prefix);
	tcase_add_test(tc, component_limit);
	tcase_add_test(tc, path_limit);
	tcase_add_test(tc, base_offset);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(path_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
