/*
 * test_ftpc.c - unit tests for the client's pure parts: splitting command
 * text into words, escaping names for display, choosing a download's
 * local name, the atomic local file, USER@HOST and the loopback rule for
 * plaintext passwords, reading a password from a file or the
 * environment, wildcards, remote path resolution and the progress meter.
 * (The wire and the terminal prompt are covered end to end
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
#include "glob.h"
#include "localfile.h"
#include "login.h"
#include "password.h"
#include "progress.h"
#include "proto_limits.h"
#include "rpath.h"
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

/* ---- wildcards (glob.c) -------------------------------------------------- */

struct glob_case {
	const char *pattern, *name;
	bool match;
};

static const struct glob_case glob_cases[] = {
	{ "", "", true },
	{ "", "a", false },
	{ "abc", "abc", true },
	{ "abc", "abd", false },
	{ "abc", "ab", false },
	{ "ab", "abc", false },
	{ "A", "a", false },
	/* stars */
	{ "*", "anything", true },
	{ "*", "", true },
	{ "a*", "a", true },
	{ "a*", "abc", true },
	{ "*c", "abc", true },
	{ "*c", "abcd", false },
	{ "a*c", "abxyc", true },
	{ "a*c", "abxycd", false },
	{ "a*b*c", "aXbYc", true },
	{ "a*b*c", "aXcYb", false },
	{ "*a*", "bab", true },
	{ "**", "x", true },
	{ "*.txt", "a.txt", true },
	{ "*.txt", "a.txt.bak", false },
	{ "*.tar.gz", "x.tar.gz.tar.gz", true },
	{ "a*a*a*b", "aaaaaaab", true },
	{ "a*a*a*b", "aaaaaaa", false },
	/* ? */
	{ "?", "a", true },
	{ "?", "", false },
	{ "?", "ab", false },
	{ "a?c", "abc", true },
	{ "a?c", "ac", false },
	{ "*?", "", false },
	{ "*?", "x", true },
	/* sets */
	{ "[abc]", "b", true },
	{ "[abc]", "d", false },
	{ "[abc]", "", false },
	{ "[a-c]x", "bx", true },
	{ "[a-c]", "-", false },
	{ "[a-cx-z]", "y", true },
	{ "[!a-c]", "d", true },
	{ "[!a-c]", "a", false },
	{ "[^a-c]", "z", true },
	{ "[^a-c]", "c", false },
	{ "[!a]", "", false },
	{ "[]]", "]", true },
	{ "[]a]", "a", true },
	{ "[!]]", "]", false },
	{ "[!]]", "x", true },
	{ "[a-]", "-", true },
	{ "[-a]", "-", true },
	{ "[z-a]", "m", false },
	{ "[z-a]", "z", false },
	{ "[*?]", "*", true },
	{ "[*?]", "a", false },
	{ "x[0-9][0-9]", "x42", true },
	{ "x[0-9][0-9]", "x4a", false },
	/* escapes */
	{ "\\*", "*", true },
	{ "\\*", "a", false },
	{ "a\\?b", "a?b", true },
	{ "a\\?b", "axb", false },
	{ "\\[a]", "[a]", true },
	{ "\\[a]", "a", false },
	{ "\\a", "a", true },
	{ "\\\\", "\\", true },
	{ "[\\]]", "]", true },
	{ "[a\\-z]", "-", true },
	{ "[a\\-z]", "m", false },
	{ "[\\!a]", "!", true },
	/* malformed: taken literally */
	{ "[ab", "[ab", true },
	{ "[ab", "a", false },
	{ "a\\", "a\\", true },
	{ "*[", "x[", true },
	/* UTF-8: one character, however many bytes */
	{ "?", "\xc3\xa9", true },
	{ "??", "\xc3\xa9", false },
	{ "caf?", "caf\xc3\xa9", true },
	{ "caf??", "caf\xc3\xa9", false },
	{ "?", "\xe2\x82\xac", true },
	{ "?", "\xf0\x9f\x98\x80", true },
	{ "[\xc3\xa9]", "\xc3\xa9", true },
	{ "[\xc3\xa9]", "\xc3", false },
	{ "[\xc3\xa0-\xc3\xbc]", "\xc3\xa9", true },
	{ "[\xc3\xa0-\xc3\xbc]", "\xc3\xbd", false },
	{ "[!\xc3\xa9]", "\xc3\xa9", false },
	{ "[!\xc3\xa9]", "e", true },
	{ "[!\xc3\xa9]x", "\xc3\xa8x", true },
	{ "*\xc3\xa9", "caf\xc3\xa9", true },
	{ "*\xc3\xa9", "caf\xc3\xa8", false },
	{ "[\xf0\x9f\x98\x80-\xf0\x9f\x98\x82]", "\xf0\x9f\x98\x81", true },
	{ "[\xf0\x9f\x98\x80-\xf0\x9f\x98\x82]", "\xf0\x9f\x98\x83", false },
	/* ranges are of code points: U+00C0-U+00DF, U+20A0-U+20AF */
	{ "[\xc3\x80-\xc3\x9f]", "\xc3\x9f", true },
	{ "[\xc3\x80-\xc3\x9f]", "\xc3\xa0", false },
	{ "[\xe2\x82\xa0-\xe2\x82\xaf]", "\xe2\x82\xac", true },
	{ "[\xe2\x82\xa0-\xe2\x82\xaf]", "\xe2\x82\x8c", false },
	{ "[a-\xc3\xbf]", "\xc4\x80", false },
	{ "[a-\xc3\xbf]", "\xc2\xb5", true },
	/* a byte that is not UTF-8 is in no range of characters */
	{ "[\xc2\x80-\xf0\x9f\x98\x80]", "\xff", false },
	{ "[\xc2\x80-\xf0\x9f\x98\x80]", "\xef\xbf\xbf", true },
	{ "\xe2\x82\xac*", "\xe2\x82\xac" "5", true },
	/* bytes that are not UTF-8: one character each */
	{ "?", "\xff", true },
	{ "?", "\xc3", true },
	{ "??", "\xe2\x82", true },
	{ "?", "\xe2\x82", false },
	{ "\xff", "\xff", true },
	{ "[\xff]", "\xff", true },
	{ "[\xfe]", "\xff", false },
	{ "?\xa9", "\xc3\xa9", false },
	{ "\xc3?", "\xc3\xa9", false },
	{ "a*", "a\xff\xfe", true },
	/* a star gives up whole characters, never half of one */
	{ "*\xa9", "\xc3\xa9", false },
	{ "*[\x80-\xbf]", "caf\xc3\xa9", false },
	{ "*?", "\xc3\xa9", true },
	/* dotfiles: only a literal leading '.' */
	{ "*", ".hidden", false },
	{ "?hidden", ".hidden", false },
	{ "[.]hidden", ".hidden", false },
	{ "[!a]hidden", ".hidden", false },
	{ ".*", ".hidden", true },
	{ ".h*", ".hidden", true },
	{ "\\.*", ".hidden", true },
	{ ".hidden", ".hidden", true },
	{ "*", "a.b", true },
	{ "a?b", "a.b", true },
	/* never the directory itself or its parent through a wildcard */
	{ ".*", ".", false },
	{ ".*", "..", false },
	{ ".?", "..", false },
	{ ".", ".", true },
	{ "..", "..", true },
	{ "\\.\\.", "..", true },
	{ ".*", "...", true },
};

START_TEST(test_glob_table)
{
	for (size_t i = 0; i < sizeof(glob_cases) / sizeof(glob_cases[0]);
	    i++) {
		const struct glob_case *c = &glob_cases[i];

		ck_assert_msg(glob_match(c->pattern, c->name) == c->match,
		    "case %zu: '%s' vs '%s' should be %s", i, c->pattern,
		    c->name, c->match ? "true" : "false");
	}
}
END_TEST

START_TEST(test_glob_magic)
{
	ck_assert(!glob_has_magic(""));
	ck_assert(!glob_has_magic("abc.txt"));
	ck_assert(glob_has_magic("a*"));
	ck_assert(glob_has_magic("a?"));
	ck_assert(glob_has_magic("["));
	ck_assert(glob_has_magic("x[ab]"));
	ck_assert(!glob_has_magic("a\\*"));
	ck_assert(!glob_has_magic("\\[x\\]"));
	ck_assert(!glob_has_magic("\\?"));
	ck_assert(glob_has_magic("\\\\*"));
	ck_assert(!glob_has_magic("a\\"));
	ck_assert(!glob_has_magic("]-!^"));
}
END_TEST

START_TEST(test_glob_check)
{
	static const char *const good[] = { "", "a", "*.txt", "[]]", "[!]]",
		"[a-z]*", "\\[", "a\\\\", "\\*", "[\\]]", "x]", "\xff*" };
	static const char *const bad[] = { "[", "[abc", "a\\", "[]", "[!]",
		"[^]", "[a\\]", "a/b", "*/", "/", "[/]", "\\/" };
	char name[PROTO_NAME_MAX + 2];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(glob_check(good[i]) == FTP_OK, "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(glob_check(bad[i]) == FTP_E_USAGE, "%s", bad[i]);
	memset(name, '*', PROTO_NAME_MAX);
	name[PROTO_NAME_MAX] = '\0';
	ck_assert_int_eq(glob_check(name), FTP_OK);
	name[PROTO_NAME_MAX] = 'a';
	name[PROTO_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(glob_check(name), FTP_E_TOO_LARGE);
}
END_TEST

/*
 * The pattern that makes a backtracking matcher exponential: each '*'
 * could end anywhere in the run of 'a's, and only the missing 'b' says no.
 * Matched 10,000 times against a 255-byte name; with the linear matcher
 * this takes milliseconds, a recursive one would not finish.
 */
START_TEST(test_glob_pathological)
{
	char name[PROTO_NAME_MAX + 1];

	memset(name, 'a', PROTO_NAME_MAX);
	name[PROTO_NAME_MAX] = '\0';
	for (int i = 0; i < 10000; i++)
		ck_assert(!glob_match("a*a*a*a*a*a*a*b", name));
	name[PROTO_NAME_MAX - 1] = 'b';
	ck_assert(glob_match("a*a*a*a*a*a*a*b", name));
	/* the same with sets and '?' in the repeated part */
	name[PROTO_NAME_MAX - 1] = 'a';
	for (int i = 0; i < 1000; i++)
		ck_assert(!glob_match("*[a]*?*[!b]*a*a*a*b*", name));
}
END_TEST

/* ---- remote paths (rpath.c) ---------------------------------------------- */

static void
rpath_is(const char *cwd, const char *path, const char *want)
{
	char *out = malloc(PROTO_PATH_MAX + 1);
	int r;

	/* exactly the size the contract promises, so that ASan sees any
	 * byte written past it */
	ck_assert_ptr_nonnull(out);
	r = rpath_resolve(cwd, path, out);
	ck_assert_msg(r == FTP_OK, "'%s' + '%s': %s", cwd, path,
	    ftp_strerror(r));
	ck_assert_str_eq(out, want);
	free(out);
}

static void
rpath_fails(const char *cwd, const char *path, int want)
{
	char *out = malloc(PROTO_PATH_MAX + 1);

	ck_assert_ptr_nonnull(out);
	memset(out, 'x', PROTO_PATH_MAX + 1);
	ck_assert_int_eq(rpath_resolve(cwd, path, out), want);
	ck_assert_str_eq(out, "");
	free(out);
}

START_TEST(test_rpath_resolve)
{
	rpath_is("", "", "");
	rpath_is("", "/", "");
	rpath_is("", "a", "a");
	rpath_is("a/b", "", "a/b");
	rpath_is("a/b", "c", "a/b/c");
	rpath_is("a/b", "c/d", "a/b/c/d");
	rpath_is("a/b", "/c", "c");
	rpath_is("a/b", "/", "");
	rpath_is("a/b", "//", "");
	rpath_is("a/b", ".", "a/b");
	rpath_is("a/b", "./", "a/b");
	rpath_is("a/b", "..", "a");
	rpath_is("a/b", "../", "a");
	rpath_is("a/b", "../..", "");
	rpath_is("a/b", "../c", "a/c");
	rpath_is("a/b", "./c/./d/", "a/b/c/d");
	rpath_is("a", "x//y///", "a/x/y");
	rpath_is("a", "x/..", "a");
	rpath_is("a", "x/../y/../..", "");
	rpath_is("a", "/x/../y", "y");
	rpath_is("", "/./a/./", "a");
	/* only "." and ".." are special */
	rpath_is("", "...", "...");
	rpath_is("", ".hidden/..x/x..", ".hidden/..x/x..");
	rpath_is("", "a b/\xc3\xa9t\xc3\xa9", "a b/\xc3\xa9t\xc3\xa9");
	rpath_is("", "-rf", "-rf");
	rpath_is("", "a\\b", "a\\b");
	/* a cwd not in server form is normalised all the same */
	rpath_is("/a//b/./", "c", "a/b/c");
}
END_TEST

START_TEST(test_rpath_leaves_root)
{
	rpath_fails("", "..", FTP_E_BAD_PATH);
	rpath_fails("", "../a", FTP_E_BAD_PATH);
	rpath_fails("", "/..", FTP_E_BAD_PATH);
	rpath_fails("a", "/..", FTP_E_BAD_PATH);
	rpath_fails("a", "../..", FTP_E_BAD_PATH);
	rpath_fails("a/b", "../../..", FTP_E_BAD_PATH);
	rpath_fails("a", "c/../../..", FTP_E_BAD_PATH);
	/* even when a later component would come back down */
	rpath_fails("", "../a/b", FTP_E_BAD_PATH);
	rpath_fails("a", "../../a", FTP_E_BAD_PATH);
	rpath_fails("..", "x", FTP_E_BAD_PATH);
}
END_TEST

START_TEST(test_rpath_limits)
{
	char *cwd = malloc(PROTO_PATH_MAX + 2);
	char *path = malloc(3 * PROTO_PATH_MAX);
	char *want = malloc(PROTO_PATH_MAX + 1);
	size_t n;

	ck_assert_ptr_nonnull(cwd);
	ck_assert_ptr_nonnull(path);
	ck_assert_ptr_nonnull(want);
	/* exactly PROTO_PATH_MAX bytes fits, one more does not */
	memset(cwd, 'c', PROTO_PATH_MAX - 2);
	cwd[PROTO_PATH_MAX - 2] = '\0';
	snprintf(want, PROTO_PATH_MAX + 1, "%s/x", cwd);
	rpath_is(cwd, "x", want);
	rpath_fails(cwd, "xy", FTP_E_TOO_LARGE);
	rpath_fails(cwd, "x/y", FTP_E_TOO_LARGE);
	memset(cwd, 'c', PROTO_PATH_MAX + 1);
	cwd[PROTO_PATH_MAX + 1] = '\0';
	rpath_fails(cwd, "", FTP_E_TOO_LARGE);
	rpath_is(cwd, "/x", "x");
	rpath_is(cwd, "..", "");
	cwd[PROTO_PATH_MAX - 2] = '\0';
	/* too long on the way only: what is left decides */
	rpath_is(cwd, "long-component/..", cwd);
	rpath_is(cwd, "p/q/r/s/../../../..", cwd);
	rpath_is(cwd, "p/q/r/s/../../../../x", want);
	rpath_fails(cwd, "p/q/../x", FTP_E_TOO_LARGE);
	rpath_is(cwd, "p/q/../../..", "");
	/* a path three times the limit that climbs back down */
	n = 0;
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(path + n, 3 * PROTO_PATH_MAX - n,
		    "/%0300d", i);
	rpath_fails("", path, FTP_E_TOO_LARGE);
	for (int i = 0; i < 29; i++)
		n += (size_t)snprintf(path + n, 3 * PROTO_PATH_MAX - n, "/..");
	snprintf(want, PROTO_PATH_MAX + 1, "%0300d", 0);
	rpath_is("", path, want);
	snprintf(path + n, 3 * PROTO_PATH_MAX - n, "/../..");
	rpath_fails("", path, FTP_E_BAD_PATH);
	free(cwd);
	free(path);
	free(want);
}
END_TEST

START_TEST(test_rpath_base)
{
	ck_assert_str_eq(rpath_base(""), "");
	ck_assert_str_eq(rpath_base("a"), "a");
	ck_assert_str_eq(rpath_base("a/b"), "b");
	ck_assert_str_eq(rpath_base("a/b/c.txt"), "c.txt");
}
END_TEST

/* ---- the progress meter (progress.c) ------------------------------------- */

START_TEST(test_progress_human)
{
	static const struct {
		uint64_t bytes;
		const char *want;
	} cases[] = {
		{ 0, "0" },
		{ 512, "512" },
		{ 1023, "1023" },
		{ 1024, "1.0K" },
		{ 1025, "1.1K" },
		{ 1536, "1.5K" },
		{ 10 * 1024 - 1, "10K" },
		{ 10 * 1024, "10K" },
		{ 999 * 1024, "999K" },
		{ 1000 * 1024, "1000K" },
		{ 1024 * 1024 - 1, "1.0M" },
		{ 1024 * 1024, "1.0M" },
		{ 20 * 1024 * 1024, "20M" },
		{ 20 * 1024 * 1024 + 1, "21M" },
		{ UINT64_C(3328599654), "3.1G" },
		{ UINT64_C(1) << 40, "1.0T" },
		{ UINT64_C(1) << 50, "1.0P" },
		{ UINT64_C(1) << 60, "1.0E" },
		{ UINT64_MAX, "16E" },
	};
	char out[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		progress_human(cases[i].bytes, out);
		ck_assert_str_eq(out, cases[i].want);
	}
}
END_TEST

static uint64_t fake_ms;

static uint64_t
fake_clock(void)
{
	return fake_ms;
}

/* A meter writing into memory, on the fake clock. */
struct meter {
	struct progress p;
	char *text;
	size_t len;
	FILE *f;
};

static void
meter_open(struct meter *m, bool enabled, bool tty)
{
	m->text = NULL;
	m->len = 0;
	m->f = open_memstream(&m->text, &m->len);
	ck_assert_ptr_nonnull(m->f);
	progress_init(&m->p, m->f, enabled, tty);
	m->p.clock_ms = fake_clock;
	fake_ms = 1000;
}

/* What was written since the last call (the stream is started afresh:
 * a memory stream rewound keeps its old bytes past the new ones). */
static const char *
meter_text(struct meter *m)
{
	static char seen[8192];

	ck_assert_int_eq(fclose(m->f), 0);
	ck_assert_uint_lt(m->len, sizeof(seen));
	memcpy(seen, m->text, m->len + 1);
	free(m->text);
	m->f = open_memstream(&m->text, &m->len);
	ck_assert_ptr_nonnull(m->f);
	m->p.out = m->f;
	return seen;
}

static void
meter_close(struct meter *m)
{
	fclose(m->f);
	free(m->text);
}

static void
update_at(struct meter *m, uint64_t ms, uint64_t done, uint64_t total)
{
	fake_ms = ms;
	progress_update(&m->p, done, total);
}

#define MiB (UINT64_C(1) << 20)

START_TEST(test_progress_lines)
{
	struct meter m;

	meter_open(&m, true, false);
	progress_start(&m.p, "file.bin", 10 * MiB, 0);
	ck_assert_str_eq(meter_text(&m), "");
	update_at(&m, 1000, 0, 10 * MiB);
	ck_assert_str_eq(meter_text(&m),
	    "file.bin   0%  0 B / 10.0 MiB  -- B/s  ETA --:--\n");
	/* within 200 ms of the last line: nothing */
	update_at(&m, 1100, 1 * MiB, 10 * MiB);
	ck_assert_str_eq(meter_text(&m), "");
	update_at(&m, 1500, 2 * MiB, 10 * MiB);
	ck_assert_str_eq(meter_text(&m),
	    "file.bin  20%  2.0 MiB / 10.0 MiB  4.0 MiB/s  ETA 0:02\n");
	update_at(&m, 1600, 10 * MiB - 1, 10 * MiB);
	ck_assert_str_eq(meter_text(&m), "");
	/* the final line comes whatever the time */
	update_at(&m, 1600, 10 * MiB, 10 * MiB);
	progress_end(&m.p, true);
	ck_assert_str_eq(meter_text(&m),
	    "file.bin 100%  10.0 MiB / 10.0 MiB  16.6 MiB/s  ETA 0:00\n");
	/* after the end, stray updates draw nothing */
	update_at(&m, 5000, 10 * MiB, 10 * MiB);
	progress_end(&m.p, true);
	ck_assert_str_eq(meter_text(&m), "");
	meter_close(&m);
}
END_TEST

/* On a terminal the line is redrawn in place: '\r', the line, erase to
 * its end; a newline only once done. */
START_TEST(test_progress_tty)
{
	struct meter m;

	meter_open(&m, true, true);
	progress_start(&m.p, "a", 2048, 0);
	update_at(&m, 1000, 0, 2048);
	ck_assert_str_eq(meter_text(&m),
	    "\ra   0%  0 B / 2.0 KiB  -- B/s  ETA --:--\033[K");
	update_at(&m, 2000, 1024, 2048);
	ck_assert_str_eq(meter_text(&m),
	    "\ra  50%  1.0 KiB / 2.0 KiB  1.0 KiB/s  ETA 0:01\033[K");
	fake_ms = 2100;
	progress_end(&m.p, false);
	ck_assert_str_eq(meter_text(&m),
	    "\ra  50%  1.0 KiB / 2.0 KiB  930 B/s  ETA --:--\033[K\n");
	meter_close(&m);
}
END_TEST

START_TEST(test_progress_sizes_eta)
{
	struct meter m;

	meter_open(&m, true, false);
	/* sizes are cut, not rounded: 99% is never shown as all of it */
	progress_start(&m.p, "n", MiB, 0);
	update_at(&m, 1000, MiB - 1, MiB);
	ck_assert_str_eq(meter_text(&m),
	    "n  99%  1023.9 KiB / 1.0 MiB  -- B/s  ETA --:--\n");
	progress_end(&m.p, false);
	ck_assert_str_eq(meter_text(&m),
	    "n  99%  1023.9 KiB / 1.0 MiB  -- B/s  ETA --:--\n");
	/* one byte a second: hours in the ETA */
	progress_start(&m.p, "n", 10000, 0);
	update_at(&m, 1000, 0, 10000);
	update_at(&m, 2000, 1, 10000);
	ck_assert_str_eq(meter_text(&m),
	    "n   0%  0 B / 9.7 KiB  -- B/s  ETA --:--\n"
	    "n   0%  1 B / 9.7 KiB  1 B/s  ETA 2:46:39\n");
	progress_end(&m.p, false);
	meter_text(&m);
	/* slower than that, or past 99:59:59, there is no guess */
	progress_start(&m.p, "n", UINT64_C(1) << 40, 0);
	update_at(&m, 2000, 0, UINT64_C(1) << 40);
	update_at(&m, 4000, 1 << 20, UINT64_C(1) << 40);
	ck_assert_str_eq(meter_text(&m),
	    "n   0%  0 B / 1.0 TiB  -- B/s  ETA --:--\n"
	    "n   0%  1.0 MiB / 1.0 TiB  512.0 KiB/s  ETA --:--\n");
	progress_end(&m.p, false);
	meter_text(&m);
	/* an empty file is all done */
	progress_start(&m.p, "empty", 0, 0);
	update_at(&m, 4000, 0, 0);
	progress_end(&m.p, true);
	ck_assert_str_eq(meter_text(&m),
	    "empty 100%  0 B / 0 B  -- B/s  ETA 0:00\n"
	    "empty 100%  0 B / 0 B  -- B/s  ETA 0:00\n");
	meter_close(&m);
}
END_TEST

/* The rate is that of the last two seconds or so, not of the whole
 * transfer. */
START_TEST(test_progress_window)
{
	struct meter m;
	uint64_t done = 0, t = 1000;
	const char *text, *last;

	meter_open(&m, true, false);
	progress_start(&m.p, "w", 100 * MiB, 0);
	update_at(&m, t, 0, 100 * MiB);
	/* 10,000 KiB/s for five seconds, then 1,000 KiB/s for three */
	for (int i = 0; i < 50; i++)
		update_at(&m, t += 100, done += 1000 * 1024, 100 * MiB);
	for (int i = 0; i < 30; i++)
		update_at(&m, t += 100, done += 100 * 1024, 100 * MiB);
	text = meter_text(&m);
	last = strrchr(text, '\n');
	ck_assert_ptr_nonnull(last);
	while (last > text && last[-1] != '\n')
		last--;
	ck_assert_str_eq(last,
	    "w  51%  51.7 MiB / 100.0 MiB  1000.0 KiB/s  ETA 0:50\n");
	/* redrawn every 200 ms: 41 lines, not 81 */
	{
		size_t lines = 0;

		for (const char *s = text; *s != '\0'; s++)
			lines += *s == '\n';
		ck_assert_uint_eq(lines, 41);
	}
	progress_end(&m.p, true);
	meter_close(&m);
}
END_TEST

/* A resumed transfer: the bytes already held count in the percentage, not
 * in the rate. */
START_TEST(test_progress_resume)
{
	struct meter m;

	meter_open(&m, true, false);
	progress_start(&m.p, "r", 0, 0);
	update_at(&m, 1000, 600, 1000);
	update_at(&m, 2000, 800, 1000);
	ck_assert_str_eq(meter_text(&m),
	    "r  60%  600 B / 1000 B  -- B/s  ETA --:--\n"
	    "r  80%  800 B / 1000 B  200 B/s  ETA 0:01\n");
	progress_end(&m.p, false);
	meter_close(&m);
}
END_TEST

START_TEST(test_progress_batch)
{
	struct meter m;

	meter_open(&m, true, false);
	progress_batch(&m.p, 3, 4000);
	progress_start(&m.p, "one", 1000, 0);
	update_at(&m, 1000, 0, 1000);
	update_at(&m, 2000, 1000, 1000);
	progress_end(&m.p, true);
	ck_assert_str_eq(meter_text(&m),
	    "one   0%  0 B / 1000 B  -- B/s  ETA --:--  [1/3 files, 0%]\n"
	    "one 100%  1000 B / 1000 B  1000 B/s  ETA 0:00  [1/3 files, 25%]\n"
	    "one 100%  1000 B / 1000 B  1000 B/s  ETA 0:00  "
	    "[1/3 files, 25%]\n");
	/* the rate runs on across the batch's files; one that fails counts
	 * as done, so that the batch moves on */
	progress_start(&m.p, "two", 1000, 0);
	update_at(&m, 2000, 0, 1000);
	update_at(&m, 3000, 500, 1000);
	progress_end(&m.p, false);
	ck_assert_str_eq(meter_text(&m),
	    "two   0%  0 B / 1000 B  1000 B/s  ETA 0:01  [2/3 files, 25%]\n"
	    "two  50%  500 B / 1000 B  750 B/s  ETA 0:01  [2/3 files, 37%]\n"
	    "two  50%  500 B / 1000 B  750 B/s  ETA --:--  [2/3 files, 37%]\n");
	progress_start(&m.p, "three", 2000, 0);
	update_at(&m, 3500, 0, 2000);
	update_at(&m, 4000, 2000, 2000);
	progress_end(&m.p, true);
	ck_assert_str_eq(meter_text(&m),
	    "three   0%  0 B / 1.9 KiB  600 B/s  ETA 0:04  [3/3 files, 50%]\n"
	    "three 100%  1.9 KiB / 1.9 KiB  1.1 KiB/s  ETA 0:00  "
	    "[3/3 files, 100%]\n"
	    "three 100%  1.9 KiB / 1.9 KiB  1.1 KiB/s  ETA 0:00  "
	    "[3/3 files, 100%]\n");
	/* after its last file: single transfers again */
	progress_start(&m.p, "four", 10, 0);
	update_at(&m, 4000, 0, 10);
	update_at(&m, 4100, 10, 10);
	progress_end(&m.p, true);
	ck_assert_str_eq(meter_text(&m),
	    "four   0%  0 B / 10 B  -- B/s  ETA --:--\n"
	    "four 100%  10 B / 10 B  100 B/s  ETA 0:00\n");
	/* a batch cut short ends with (0, 0) */
	progress_batch(&m.p, 5, 50);
	progress_start(&m.p, "five", 10, 0);
	update_at(&m, 5000, 0, 10);
	progress_end(&m.p, false);
	ck_assert_str_eq(meter_text(&m),
	    "five   0%  0 B / 10 B  0 B/s  ETA --:--  [1/5 files, 0%]\n"
	    "five   0%  0 B / 10 B  0 B/s  ETA --:--  [1/5 files, 0%]\n");
	progress_batch(&m.p, 0, 0);
	progress_start(&m.p, "six", 10, 0);
	update_at(&m, 6000, 10, 10);
	ck_assert_str_eq(meter_text(&m),
	    "six 100%  10 B / 10 B  0 B/s  ETA 0:00\n");
	progress_end(&m.p, true);
	meter_close(&m);
}
END_TEST

START_TEST(test_progress_quiet)
{
	struct meter m;

	/* disabled: nothing at all */
	meter_open(&m, false, true);
	progress_batch(&m.p, 2, 10);
	progress_start(&m.p, "x", 10, 0);
	update_at(&m, 1000, 5, 10);
	progress_end(&m.p, true);
	ck_assert_str_eq(meter_text(&m), "");
	meter_close(&m);
	/* a transfer that failed before it began leaves no line */
	meter_open(&m, true, true);
	progress_start(&m.p, "x", 10, 0);
	progress_end(&m.p, false);
	ck_assert_str_eq(meter_text(&m), "");
	meter_close(&m);
}
END_TEST

/* Columns of a line as progress.c counts them (escaped text: ASCII and
 * well-formed UTF-8). */
static size_t
line_cols(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols += (unsigned char)s[i] >= 0xe1 ? 2 : 1;
	return cols;
}

/* Names are escaped, and shortened in the middle to fit 80 columns. */
START_TEST(test_progress_names)
{
	struct meter m;
	char name[PROTO_PATH_MAX + 1];
	const char *text, *nl;

	meter_open(&m, true, false);
	progress_start(&m.p, "evil\x1b]0;t\x07\xe2\x80\xae.txt\xff", 1, 0);
	update_at(&m, 1000, 1, 1);
	ck_assert_str_eq(meter_text(&m),
	    "evil\\x1b]0;t\\x07\\xe2\\x80\\xae.txt\\xff 100%  1 B / 1 B  "
	    "-- B/s  ETA 0:00\n");
	progress_end(&m.p, true);
	meter_text(&m);
	/* long: the start, "...", more of the end; 79 columns at most */
	memset(name, 'a', 100);
	memcpy(name + 100, "-tail.iso", 10);
	progress_start(&m.p, name, 1, 0);
	update_at(&m, 1000, 0, 1);
	text = meter_text(&m);
	nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_uint_eq(line_cols(text, (size_t)(nl - text)), 79);
	ck_assert_str_eq(text, "aaaaaaaaaaaaa...aaaaaaaaaaaaaaaaaaa-tail.iso"
	    "   0%  0 B / 1 B  -- B/s  ETA --:--\n");
	progress_end(&m.p, false);
	meter_text(&m);
	/* escapes and wide characters are counted in columns */
	for (size_t i = 0; i < 40; i++)
		memcpy(name + 3 * i, i % 2 ? "\xe6\x97\xa5" : "\x01\x01\x01",
		    3);
	strcpy(name + 120, "end");
	progress_start(&m.p, name, 1, 0);
	update_at(&m, 1000, 0, 1);
	text = meter_text(&m);
	nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_uint_le(line_cols(text, (size_t)(nl - text)), 79);
	ck_assert_uint_ge(line_cols(text, (size_t)(nl - text)), 76);
	/* an escape is never cut in two */
	ck_assert_str_eq(text, "\\x01\\x01\\x01...\\x01\\x01\xe6\x97\xa5"
	    "\\x01\\x01\\x01\xe6\x97\xa5" "end   0%  0 B / 1 B  -- B/s  "
	    "ETA --:--\n");
	ck_assert_ptr_nonnull(strstr(text, "\xe6\x97\xa5" "end   0%"));
	progress_end(&m.p, false);
	meter_text(&m);
	/* longer than anything kept: both ends survive, cut at characters */
	memset(name, 'm', PROTO_PATH_MAX);
	memcpy(name, "head", 4);
	memcpy(name + PROGRESS_PIECE - 1, "\xc3\xa9", 2);
	memcpy(name + PROTO_PATH_MAX - PROGRESS_PIECE - 1, "\xc3\xa9", 2);
	memcpy(name + PROTO_PATH_MAX - 4, "tail", 4);
	name[PROTO_PATH_MAX] = '\0';
	progress_start(&m.p, name, 1, 0);
	update_at(&m, 1000, 0, 1);
	text = meter_text(&m);
	ck_assert_int_eq(strncmp(text, "headmmm", 7), 0);
	ck_assert_ptr_nonnull(strstr(text, "mmm...mmm"));
	ck_assert_ptr_nonnull(strstr(text, "mmmtail   0%"));
	ck_assert_ptr_null(strstr(text, "\\x"));
	nl = strchr(text, '\n');
	ck_assert_uint_eq(line_cols(text, (size_t)(nl - text)), 79);
	progress_end(&m.p, false);
	meter_close(&m);
}
END_TEST

static Suite *
ftpc_suite(void)
{
	Suite *s = suite_create("ftpc");
	TCase *t = tcase_create("text");
	TCase *l = tcase_create("localfile");
	TCase *g = tcase_create("glob");
	TCase *r = tcase_create("rpath");
	TCase *m = tcase_create("progress");

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
	tcase_add_test(g, test_glob_table);
	tcase_add_test(g, test_glob_magic);
	tcase_add_test(g, test_glob_check);
	tcase_add_test(g, test_glob_pathological);
	suite_add_tcase(s, g);
	tcase_add_test(r, test_rpath_resolve);
	tcase_add_test(r, test_rpath_leaves_root);
	tcase_add_test(r, test_rpath_limits);
	tcase_add_test(r, test_rpath_base);
	suite_add_tcase(s, r);
	tcase_add_test(m, test_progress_human);
	tcase_add_test(m, test_progress_lines);
	tcase_add_test(m, test_progress_tty);
	tcase_add_test(m, test_progress_sizes_eta);
	tcase_add_test(m, test_progress_window);
	tcase_add_test(m, test_progress_resume);
	tcase_add_test(m, test_progress_batch);
	tcase_add_test(m, test_progress_quiet);
	tcase_add_test(m, test_progress_names);
	suite_add_tcase(s, m);
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
