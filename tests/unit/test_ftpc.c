/*
 * test_ftpc.c - unit tests for the client's pure parts: splitting command
 * text into words, escaping names for display, choosing a download's
 * local name, the atomic local file, USER@HOST and the loopback rule for
 * plaintext passwords, and reading a password from a file or the
 * environment.  (The wire and the terminal prompt are covered end to end
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
#include "login.h"
#include "password.h"
#include "proto_limits.h"
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

/* What a hostile server would put in a name or an ERROR message. */
START_TEST(test_escape_terminal_attacks)
{
	/* OSC: set the window title (and, on some terminals, worse) */
	escape_is("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07");
	escape_is("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H");
	escape_is("a\rb\bc", "a\\x0db\\x08c");
	/* C1 as characters: NEL, CSI, OSC, ST */
	escape_is("\xc2\x85\xc2\x9b" "1m\xc2\x9d" "0;t\xc2\x9c",
	    "\\xc2\\x85\\xc2\\x9b1m\\xc2\\x9d0;t\\xc2\\x9c");
	/* bidirectional override: "evil\u202Etxt.exe" shows as "exe.txt" */
	escape_is("evil\xe2\x80\xaetxt.exe", "evil\\xe2\\x80\\xaetxt.exe");
	escape_is("\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c",
	    "\\xe2\\x81\\xa6x\\xe2\\x81\\xa9\\xe2\\x80\\x8f\\xd8\\x9c");
	/* line and paragraph separators */
	escape_is("a\xe2\x80\xa8" "b\xe2\x80\xa9",
	    "a\\xe2\\x80\\xa8b\\xe2\\x80\\xa9");
	/* neighbours of those ranges are ordinary text */
	escape_is("\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa",
	    "\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
	escape_is("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
}
END_TEST

/* Bytes that are not UTF-8 are shown one by one, never sent raw. */
START_TEST(test_escape_invalid_utf8)
{
	/* a lone 0x9b is CSI to a terminal in 8-bit mode */
	escape_is("\x9b" "2J", "\\x9b2J");
	escape_is("a\xffz\xfe", "a\\xffz\\xfe");
	/* overlong '/', surrogate half, past U+10FFFF */
	escape_is("\xc0\xaf", "\\xc0\\xaf");
	escape_is("\xed\xa0\x80", "\\xed\\xa0\\x80");
	escape_is("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	/* a sequence cut short, by the end or by another character */
	escape_is("x\xe2\x82", "x\\xe2\\x82");
	escape_is("\xe2\x82z", "\\xe2\\x82z");
	escape_is("\xc3", "\\xc3");
	/* a stray continuation byte before a good character */
	escape_is("\x80\xc3\xa9", "\\x80\xc3\xa9");
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

START_TEST(test_safe_name)
{
	static const char *const good[] = {
		"a", "a.txt", "...", ".hidden", "a..b", "-rf", "\x1b[2J",
		"a b", "\xc3\xa9",
	};
	static const char *const bad[] = { "", ".", "..", "/", "a/b", "../x",
		"x/..", "/etc/passwd" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(lf_safe_name(good[i], strlen(good[i])), "%s",
		    good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!lf_safe_name(bad[i], strlen(bad[i])), "%s",
		    bad[i]);
	/* a NUL would cut the name short where it is used */
	ck_assert(!lf_safe_name("a\0b", 3));
	ck_assert(!lf_safe_name("..\0", 3));
	ck_assert(lf_safe_name("ab\0", 2));
}
END_TEST

/* A remote path whose last component is not a name never picks the local
 * file: not even inside a directory the user gave. */
START_TEST(test_target_remote_dots)
{
	static const char *const remote[] = { "..", "d/..", "a/b/..", ".",
		"d/.", "d/", "/" };
	char out[LF_PATH_MAX];

	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		ck_assert_int_eq(lf_target(remote[i], NULL, out), FTP_E_USAGE);
		ck_assert_int_eq(lf_target(remote[i], "sub", out),
		    FTP_E_USAGE);
		ck_assert_int_eq(lf_target(remote[i], "sub/", out),
		    FTP_E_USAGE);
	}
	/* the basename only: never a directory the server path names */
	target_is("../../x", "sub", "sub/x");
	target_is("/abs/x", NULL, "x");
}
END_TEST

/* ---- USER@HOST and loopback ---------------------------------------------- */

static void
split_login_is(const char *arg, const char *user, const char *hostport)
{
	char u[PROTO_USER_MAX + 1];
	const char *hp;

	ck_assert_int_eq(login_split(arg, u, &hp), FTP_OK);
	ck_assert_str_eq(u, user);
	ck_assert_str_eq(hp, hostport);
}

START_TEST(test_login_split)
{
	char u[PROTO_USER_MAX + 1], arg[PROTO_USER_MAX + 8];
	char longest[PROTO_USER_MAX + 1];
	const char *hp;

	split_login_is("host", "", "host");
	split_login_is("127.0.0.1:2121", "", "127.0.0.1:2121");
	split_login_is("[::1]:2121", "", "[::1]:2121");
	split_login_is("alice@host", "alice", "host");
	split_login_is("bob@[::1]:21", "bob", "[::1]:21");
	split_login_is("a@b.org@host:99", "a@b.org", "host:99");
	split_login_is("\xc3\xa9@h", "\xc3\xa9", "h");
	ck_assert_int_eq(login_split("@host", u, &hp), FTP_E_USAGE);
	/* "user:password@host" would put the password on the command line */
	ck_assert_int_eq(login_split("alice:secret@host", u, &hp),
	    FTP_E_USAGE);
	ck_assert_int_eq(login_split("\xff@host", u, &hp), FTP_E_USAGE);
	memset(longest, 'u', PROTO_USER_MAX);
	longest[PROTO_USER_MAX] = '\0';
	snprintf(arg, sizeof(arg), "%s@h", longest);
	split_login_is(arg, longest, "h");
	snprintf(arg, sizeof(arg), "u%s@h", longest);
	ck_assert_int_eq(login_split(arg, u, &hp), FTP_E_USAGE);
}
END_TEST

/* ---- passwords ---------------------------------------------------------- */

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static int
pw_file_is(const void *data, size_t len, mode_t mode, const char *want)
{
	char out[PROTO_PASSWORD_MAX + 1], why[PW_WHY_MAX];
	int r;

	write_file("pw", data, len, mode);
	memset(out, 'x', sizeof(out));
	r = pw_read_file("pw", out, why);
	if (want != NULL) {
		ck_assert_msg(r == FTP_OK, "%s", why);
		ck_assert_str_eq(out, want);
	}
	return r;
}

START_TEST(test_password_file)
{
	char big[PROTO_PASSWORD_MAX + 2];

	pw_file_is("s3cret\n", 7, 0600, "s3cret");
	pw_file_is("s3cret", 6, 0400, "s3cret");
	pw_file_is("s3cret\r\n", 8, 0600, "s3cret");
	pw_file_is("first\nsecond\n", 14, 0600, "first");
	pw_file_is(" spaced out \n", 13, 0600, " spaced out ");
	pw_file_is("\n", 1, 0600, "");
	pw_file_is("p\xc3\xa4ss\n", 6, 0600, "p\xc3\xa4ss");
	ck_assert_int_eq(pw_file_is("", 0, 0600, NULL), FTP_E_USAGE);
	ck_assert_int_eq(pw_file_is("a\0b\n", 4, 0600, NULL),
	    FTP_E_BAD_STRING);
	ck_assert_int_eq(pw_file_is("\xff\n", 2, 0600, NULL),
	    FTP_E_BAD_STRING);
	memset(big, 'p', sizeof(big));
	big[PROTO_PASSWORD_MAX] = '\n';
	pw_file_is(big, PROTO_PASSWORD_MAX + 1, 0600, NULL);
	ck_assert_int_eq(pw_file_is(big, PROTO_PASSWORD_MAX + 1, 0600, NULL),
	    FTP_OK);
	big[PROTO_PASSWORD_MAX] = 'p';
	ck_assert_int_eq(pw_file_is(big, sizeof(big), 0600, NULL),
	    FTP_E_TOO_LARGE);
}
END_TEST

/* Group or others may not read it, nor write it; another user's file is
 * not ours either. */
START_TEST(test_password_file_refused)
{
	static const mode_t loose[] = { 0644, 0640, 0604, 0620, 0602, 0660,
		0666, 0601 };
	char out[PROTO_PASSWORD_MAX + 1], why[PW_WHY_MAX];

	for (size_t i = 0; i < sizeof(loose) / sizeof(loose[0]); i++)
		ck_assert_int_eq(pw_file_is("pw\n", 3, loose[i], NULL),
		    FTP_E_DENIED);
	write_file("pw", "pw\n", 3, 0644);
	ck_assert_int_eq(pw_read_file("pw", out, why), FTP_E_DENIED);
	ck_assert_ptr_nonnull(strstr(why, "chmod 600"));
	ck_assert_int_eq(pw_read_file("missing", out, why), FTP_E_NOT_FOUND);
	ck_assert_int_eq(pw_read_file("sub", out, why), FTP_E_BAD_VALUE);
	/* Only root can give a file away. */
	write_file("pw", "pw\n", 3, 0600);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown("pw", 4242, 4242), 0);
		ck_assert_int_eq(pw_read_file("pw", out, why), FTP_E_DENIED);
		ck_assert_ptr_nonnull(strstr(why, "another user"));
	}
}
END_TEST

/* A pipe is read a line's worth, not a byte more: the rest of standard
 * input stays for the commands. */
START_TEST(test_password_pipe)
{
	char out[PROTO_PASSWORD_MAX + 1], why[PW_WHY_MAX], path[64], rest[16];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "piped\nls\n", 9), 9);
	close(p[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	ck_assert_int_eq(pw_read_file(path, out, why), FTP_OK);
	ck_assert_str_eq(out, "piped");
	ck_assert_int_eq(read(p[0], rest, sizeof(rest)), 3);
	ck_assert_int_eq(memcmp(rest, "ls\n", 3), 0);
	close(p[0]);
}
END_TEST

START_TEST(test_password_env)
{
	char out[PROTO_PASSWORD_MAX + 1], why[PW_WHY_MAX];
	char big[PROTO_PASSWORD_MAX + 2];

	ck_assert_int_eq(setenv(PW_ENV, "from-env", 1), 0);
	ck_assert_int_eq(pw_read(NULL, "u", "h", out, why), FTP_OK);
	ck_assert_str_eq(out, "from-env");
	/* gone once read: no child, no later reader sees it */
	ck_assert_ptr_null(getenv(PW_ENV));
	/* --password-file comes first; the variable goes all the same */
	write_file("pw", "from-file\n", 10, 0600);
	ck_assert_int_eq(setenv(PW_ENV, "from-env", 1), 0);
	ck_assert_int_eq(pw_read("pw", "u", "h", out, why), FTP_OK);
	ck_assert_str_eq(out, "from-file");
	ck_assert_ptr_null(getenv(PW_ENV));
	memset(big, 'p', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(setenv(PW_ENV, big, 1), 0);
	ck_assert_int_eq(pw_read(NULL, "u", "h", out, why), FTP_E_TOO_LARGE);
	ck_assert_ptr_null(getenv(PW_ENV));
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
	tcase_add_test(t, test_escape_terminal_attacks);
	tcase_add_test(t, test_escape_invalid_utf8);
	tcase_add_test(t, test_login_split);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(l, setup_dir, teardown_dir);
	tcase_add_test(l, test_target);
	tcase_add_test(l, test_target_unsafe);
	tcase_add_test(l, test_target_too_long);
	tcase_add_test(l, test_target_remote_dots);
	tcase_add_test(l, test_safe_name);
	tcase_add_test(l, test_password_file);
	tcase_add_test(l, test_password_file_refused);
	tcase_add_test(l, test_password_pipe);
	tcase_add_test(l, test_password_env);
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
