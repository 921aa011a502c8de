/*
 * test_ftpc.c - unit tests for the client's pure parts: splitting command
 * text into words, escaping names for display, choosing a download's
 * local name, and the atomic local file.  (The wire is covered end to end
 * in tests/e2e.)
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "err.h"
#include "localfile.h"
#include "text.h"

/* ---- text_split -------------------------------------------------------- */

static struct words w;

/* Splits one command and checks its words against want (NULL-ended). */
static void
split_is(const char *text, bool seps, const char *const *want)
{
	const char *p = text;
	int n = 0;

	ck_assert_ptr_null(text_split(&p, seps, &w));
	for (; want[n] != NULL; n++) {
		ck_assert_int_gt(w.argc, n);
		ck_assert_str_eq(w.argv[n], want[n]);
	}
	ck_assert_int_eq(w.argc, n);
}

START_TEST(test_split_blanks)
{
	split_is("  get \t a.txt   b ", false,
	    (const char *const[]){ "get", "a.txt", "b", NULL });
	split_is("", false, (const char *const[]){ NULL });
	split_is(" \t ", false, (const char *const[]){ NULL });
}
END_TEST

START_TEST(test_split_quotes)
{
	split_is("get \"my file.txt\"", false,
	    (const char *const[]){ "get", "my file.txt", NULL });
	split_is("get 'a \"b\" \\c'", false,
	    (const char *const[]){ "get", "a \"b\" \\c", NULL });
	split_is("get \"a \\\" \\\\ \\n\"", false,
	    (const char *const[]){ "get", "a \" \\ \\n", NULL });
	split_is("get my\\ file x\"y z\"w", false,
	    (const char *const[]){ "get", "my file", "xy zw", NULL });
	split_is("ls \"\" ''", false,
	    (const char *const[]){ "ls", "", "", NULL });
}
END_TEST

START_TEST(test_split_separators)
{
	const char *p = "ls a; get 'x;y' \"p;q\" r\\;s\nput z;;";

	ck_assert_ptr_null(text_split(&p, true, &w));
	ck_assert_int_eq(w.argc, 2);
	ck_assert_str_eq(w.argv[1], "a");
	ck_assert_ptr_null(text_split(&p, true, &w));
	ck_assert_int_eq(w.argc, 4);
	ck_assert_str_eq(w.argv[1], "x;y");
	ck_assert_str_eq(w.argv[2], "p;q");
	ck_assert_str_eq(w.argv[3], "r;s");
	ck_assert_ptr_null(text_split(&p, true, &w));
	ck_assert_int_eq(w.argc, 2);
	ck_assert_str_eq(w.argv[1], "z");
	ck_assert_ptr_null(text_split(&p, true, &w));
	ck_assert_int_eq(w.argc, 0);
	ck_assert_str_eq(p, "");
	/* without seps, ';' is an ordinary character */
	split_is("get a;b", false, (const char *const[]){ "get", "a;b", NULL });
}
END_TEST

START_TEST(test_split_errors)
{
	static const char *const bad[] = {
		"get \"open", "get 'open", "get end\\",
		"a b c d e f g h i j k l m n o p q",
	};
	const char *p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i];
		ck_assert_ptr_nonnull(text_split(&p, false, &w));
	}
}
END_TEST

START_TEST(test_split_line_limit)
{
	char *line = malloc(FTPC_LINE_MAX + 2);
	const char *p;

	ck_assert_ptr_nonnull(line);
	/* exactly the limit, all quoted: the buffer must hold it */
	memset(line, 'x', FTPC_LINE_MAX);
	line[0] = '"';
	line[FTPC_LINE_MAX - 1] = '"';
	line[FTPC_LINE_MAX] = '\0';
	p = line;
	ck_assert_ptr_null(text_split(&p, false, &w));
	ck_assert_int_eq(w.argc, 1);
	ck_assert_uint_eq(strlen(w.argv[0]), FTPC_LINE_MAX - 2);
	/* one byte more is refused */
	line[FTPC_LINE_MAX] = 'x';
	line[FTPC_LINE_MAX + 1] = '\0';
	p = line;
	ck_assert_ptr_nonnull(text_split(&p, false, &w));
	free(line);
}
END_TEST

/* ---- text_escape ------------------------------------------------------- */

static void
escape_is(const char *in, const char *want)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	text_escape(f, in);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(out, want);
	free(out);
}

START_TEST(test_escape)
{
	escape_is("plain name.txt", "plain name.txt");
	escape_is("\x1b[31mred", "\\x1b[31mred");
	escape_is("a\\b", "a\\\\b");
	escape_is("tab\there\nnl\x7f", "tab\\x09here\\x0anl\\x7f");
	escape_is("csi\xc2\x9b" "2J", "csi\\xc2\\x9b2J");
	/* printable UTF-8, U+00A0 included, passes through */
	escape_is("h\xc3\xa9llo \xe2\x9c\x93 \xc2\xa0",
	    "h\xc3\xa9llo \xe2\x9c\x93 \xc2\xa0");
}
END_TEST

/* ---- local names --------------------------------------------------------- */

static char tmpdir[64];

static void
setup_dir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ftpc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(mkdir("sub", 0755), 0);
}

static void
teardown_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(system(cmd), 0);
}

static void
target_is(const char *remote, const char *local, const char *want)
{
	char out[LF_PATH_MAX];

	ck_assert_int_eq(lf_target(remote, local, out), FTP_OK);
	ck_assert_str_eq(out, want);
}

START_TEST(test_target)
{
	target_is("a.txt", NULL, "a.txt");
	target_is("d/e/a.txt", NULL, "a.txt");
	target_is("../../etc/passwd", NULL, "passwd");
	target_is("d/a.txt", "sub", "sub/a.txt");
	target_is("d/a.txt", "sub/", "sub/a.txt");
	target_is("d/a.txt", "other.txt", "other.txt");
	target_is("d/a.txt", "sub/x", "sub/x");
	target_is("..", "sub/x", "sub/x");
}
END_TEST

START_TEST(test_target_unsafe)
{
	static const char *const bad[][2] = {
		{ "..", NULL }, { ".", NULL }, { "", NULL }, { "d/", NULL },
		{ "d/..", NULL }, { "..", "sub" }, { "x", "missing/" },
		{ "x", "" }, { "x", "missing/.." },
	};
	char out[LF_PATH_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(lf_target(bad[i][0], bad[i][1], out),
		    FTP_E_USAGE);
}
END_TEST

START_TEST(test_target_too_long)
{
	char *remote = malloc(LF_PATH_MAX + 1);
	char out[LF_PATH_MAX];

	ck_assert_ptr_nonnull(remote);
	memset(remote, 'a', LF_PATH_MAX);
	remote[LF_PATH_MAX] = '\0';
	ck_assert_int_eq(lf_target(remote, NULL, out), FTP_E_TOO_LARGE);
	free(remote);
}
END_TEST

/* ---- the atomic local file ------------------------------------------------ */

static int
count_entries(const char *dir)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

START_TEST(test_part_commit)
{
	struct lf_part p;
	char buf[16] = { 0 };
	struct stat st;
	int fd;
	mode_t old = umask(027);

	ck_assert_int_eq(lf_part_open(&p, "sub/out.txt"), FTP_OK);
	umask(old);
	ck_assert_str_eq(p.tmp, "sub/.out.txt.ftpc-part");
	ck_assert_int_eq(stat("sub/out.txt", &st), -1);
	ck_assert_int_eq(lf_part_write(&p, "hello", 5), FTP_OK);
	ck_assert_int_eq(lf_part_commit(&p), FTP_OK);
	ck_assert_int_eq(count_entries("sub"), 1);
	ck_assert_int_eq(stat("sub/out.txt", &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);
	fd = open("sub/out.txt", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "hello");
	close(fd);
}
END_TEST

START_TEST(test_part_abort)
{
	struct lf_part p;

	ck_assert_int_eq(lf_part_open(&p, "sub/out.txt"), FTP_OK);
	ck_assert_int_eq(lf_part_write(&p, "x", 1), FTP_OK);
	ck_assert_int_eq(count_entries("sub"), 1);
	errno = EPIPE;
	lf_part_abort(&p);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(count_entries("sub"), 0);
}
END_TEST

START_TEST(test_part_commit_fails_cleanly)
{
	struct lf_part p;

	/* the target is a non-empty directory: rename must fail */
	ck_assert_int_eq(mkdir("sub/dir", 0755), 0);
	ck_assert_int_eq(mkdir("sub/dir/x", 0755), 0);
	ck_assert_int_eq(lf_part_open(&p, "sub/dir"), FTP_OK);
	ck_assert_int_ne(lf_part_commit(&p), FTP_OK);
	ck_assert_int_eq(count_entries("sub"), 1);
	/* a missing directory: nothing is created */
	ck_assert_int_ne(lf_part_open(&p, "missing/x"), FTP_OK);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* A part left behind (ftpc killed) is found again and continued. */
START_TEST(test_part_resume)
{
	struct lf_part p;
	uint32_t crc;
	char buf[16] = { 0 };
	int fd;

	ck_assert_int_eq(lf_part_open(&p, "sub/out.txt"), FTP_OK);
	ck_assert_int_eq(lf_part_write(&p, "hello", 5), FTP_OK);
	lf_part_close(&p);
	ck_assert_int_eq(lf_part_resume(&p, "sub/out.txt", &crc), FTP_OK);
	ck_assert_uint_eq(p.have, 5);
	ck_assert_uint_eq(crc, crc32c_update(0, "hello", 5));
	ck_assert_int_eq(lf_part_write(&p, " world", 6), FTP_OK);
	ck_assert_int_eq(lf_part_commit(&p), FTP_OK);
	fd = open("sub/out.txt", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "hello world");
	close(fd);
	ck_assert_int_eq(count_entries("sub"), 1);
	/* Opened plainly, a part starts empty. */
	ck_assert_int_eq(lf_part_open(&p, "sub/x"), FTP_OK);
	ck_assert_int_eq(lf_part_write(&p, "old", 3), FTP_OK);
	lf_part_close(&p);
	ck_assert_int_eq(lf_part_open(&p, "sub/x"), FTP_OK);
	lf_part_close(&p);
	ck_assert_int_eq(lf_part_resume(&p, "sub/x", &crc), FTP_OK);
	ck_assert_uint_eq(p.have, 0);
	lf_part_abort(&p);
}
END_TEST

/* Without a part, an existing target's bytes are the ones held; the
 * target itself is untouched until the commit. */
START_TEST(test_part_seed_from_target)
{
	struct lf_part p;
	uint32_t crc;
	int fd = open("sub/t", O_WRONLY | O_CREAT, 0644);

	ck_assert_int_eq(write(fd, "abc", 3), 3);
	close(fd);
	ck_assert_int_eq(lf_part_resume(&p, "sub/t", &crc), FTP_OK);
	ck_assert_uint_eq(p.have, 3);
	ck_assert_uint_eq(crc, crc32c_update(0, "abc", 3));
	ck_assert_int_eq(lf_part_write(&p, "d", 1), FTP_OK);
	ck_assert_int_eq(count_entries("sub"), 2);
	ck_assert_int_eq(lf_part_commit(&p), FTP_OK);
	ck_assert_int_eq(count_entries("sub"), 1);
}
END_TEST

/* Two downloads to one target cannot share its part. */
START_TEST(test_part_busy)
{
	struct lf_part a, b;
	uint32_t crc;

	ck_assert_int_eq(lf_part_open(&a, "sub/out.txt"), FTP_OK);
	ck_assert_int_eq(lf_part_open(&b, "sub/out.txt"), FTP_E_BUSY);
	ck_assert_int_eq(lf_part_resume(&b, "sub/out.txt", &crc),
	    FTP_E_BUSY);
	lf_part_abort(&a);
	ck_assert_int_eq(lf_part_open(&b, "sub/out.txt"), FTP_OK);
	lf_part_abort(&b);
	ck_assert_int_eq(count_entries("sub"), 0);
}
END_TEST

START_TEST(test_part_long_name)
{
	char name[300];
	struct lf_part p;

	memset(name, 'n', 255);
	name[255] = '\0';
	ck_assert_int_eq(lf_part_open(&p, name), FTP_OK);
	lf_part_abort(&p);
	ck_assert_int_eq(count_entries("."), 1);
}
END_TEST

START_TEST(test_open_read)
{
	uint64_t size = 1;
	int fd;

	ck_assert_int_eq(lf_open_read("missing", &fd, &size), FTP_E_NOT_FOUND);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(lf_open_read("sub", &fd, &size), FTP_E_IS_DIR);
	ck_assert_int_eq(mkfifo("fifo", 0600), 0);
	ck_assert_int_eq(lf_open_read("fifo", &fd, &size), FTP_E_BAD_VALUE);
	fd = open("f", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	close(fd);
	ck_assert_int_eq(lf_open_read("f", &fd, &size), FTP_OK);
	ck_assert_uint_eq(size, 3);
	close(fd);
}
END_TEST

static Suite *
ftpc_suite(void)
{
	Suite *s = suite_create("ftpc");
	TCase *t = tcase_create("text");
	TCase *l = tcase_create("localfile");

	tcase_add_test(t, test_split_blanks);
	tcase_add_test(t, test_split_quotes);
	tcase_add_test(t, test_split_separators);
	tcase_add_test(t, test_split_errors);
	tcase_add_test(t, test_split_line_limit);
	tcase_add_test(t, test_escape);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(l, setup_dir, teardown_dir);
	tcase_add_test(l, test_target);
	tcase_add_test(l, test_target_unsafe);
	tcase_add_test(l, test_target_too_long);
	tcase_add_test(l, test_part_commit);
	tcase_add_test(l, test_part_abort);
	tcase_add_test(l, test_part_commit_fails_cleanly);
	tcase_add_test(l, test_part_long_name);
	tcase_add_test(l, test_part_resume);
	tcase_add_test(l, test_part_seed_from_target);
	tcase_add_test(l, test_part_busy);
	tcase_add_test(l, test_open_read);
	suite_add_tcase(s, l);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ftpc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
