/*
 * test_complete.c - unit tests for tab completion (ftpc/complete.c): which
 * word the cursor is in, which names match, and the text inserted so that
 * the line still splits to the intended name.  Directories come from a
 * table here, the remote ones through a stand-in for ftpc_list(), so no
 * server is needed; the local lister runs on a temporary directory.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "complete.h"
#include "err.h"
#include "text.h"

/* ---- a made-up command table and file tree ----------------------------- */

static const struct {
	const char *name;
	const char *kinds; /* of operands 1, 2, ...; the last repeats */
} commands[] = {
	{ "ls", "R" }, { "cd", "R" }, { "pwd", "" }, { "lcd", "L" },
	{ "lpwd", "" }, { "lls", "L" }, { "mkdir", "R" }, { "get", "RL" },
	{ "put", "LR" }, { "mget", "R" }, { "help", "C" }, { "quit", "" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *
command_name(size_t i)
{
	return i < NCOMMANDS ? commands[i].name : NULL;
}

static char
arg_kind(const char *cmd, int argi)
{
	size_t n;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, cmd) != 0)
			continue;
		if ((n = strlen(commands[i].kinds)) == 0)
			return 0;
		return commands[i].kinds[(size_t)argi <= n ?
		    (size_t)argi - 1 : n - 1];
	}
	return 0;
}

struct fake_entry {
	const char *dir;
	const char *name;
	bool isdir;
};

static const struct fake_entry tree[] = {
	{ "", "foo.txt", false },
	{ "", "food", true },
	{ "", "bar baz", false },
	{ "", "it's", false },
	{ "", "say \"hi\"", false },
	{ "", "back\\slash", false },
	{ "", ".hidden", false },
	{ "", ".", true },
	{ "", "..", true },
	{ "", "semi;colon", false },
	{ "food", "apple", false },
	{ "food", "apricot", false },
	{ "/", "top", true },
	{ "a//b", "deep", false },
	{ "u", "\xc3\xa9t\xc3\xa9", false }, /* été */
	{ "u", "\xc3\xa8re", false },        /* ère */
};

/* What the last listing was asked for. */
static char listed_kind;
static char listed_dir[256];
static int list_calls;
static int fail_after = -1; /* entries delivered before a failure */
static size_t many;         /* entries in "big": xa0.., past the cap xb0.. */

static int
fake_list(void *arg, char kind, const char *dir, complete_add_fn add,
	  void *cookie)
{
	char name[32];
	int n = 0, r;

	(void)arg;
	listed_kind = kind;
	snprintf(listed_dir, sizeof(listed_dir), "%s", dir);
	list_calls++;
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		if (strcmp(tree[i].dir, dir) != 0)
			continue;
		if (n++ == fail_after)
			return FTP_E_NOT_FOUND;
		if ((r = add(cookie, tree[i].name, tree[i].isdir)) != FTP_OK)
			return r;
	}
	if (strcmp(dir, "big") == 0)
		for (size_t i = 0; i < many; i++) {
			snprintf(name, sizeof(name), "x%c%zu",
			    i < COMPLETE_MAX ? 'a' : 'b', i);
			if ((r = add(cookie, name, false)) != FTP_OK)
				return r;
		}
	if (n == fail_after)
		return FTP_E_NOT_FOUND;
	return FTP_OK;
}

static const struct complete_env env = {
	.arg_kind = arg_kind,
	.command_name = command_name,
	.list = fake_list,
};

static struct complete_result res;

static void
setup(void)
{
	listed_kind = 0;
	listed_dir[0] = '\0';
	list_calls = 0;
	fail_after = -1;
	many = 0;
	memset(&res, 0, sizeof(res));
}

static void
teardown(void)
{
	complete_result_free(&res);
}

/* Completes line with the cursor at its end. */
static void
complete(const char *line)
{
	complete_result_free(&res);
	ck_assert_int_eq(complete_words(&env, line, strlen(line), strlen(line),
	    &res), FTP_OK);
	ck_assert_ptr_nonnull(res.insert);
}

/* The names matched, in order, against want (NULL-ended). */
static void
names_are(const char *const *want)
{
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		ck_assert_uint_gt(res.count, n);
		ck_assert_str_eq(res.matches[n].name, want[n]);
	}
	ck_assert_uint_eq(res.count, n);
	ck_assert_uint_eq(res.total, n);
}

/* line + insertion, split as the shell will, ends in the word want. */
static void
splits_to(const char *line, const char *want)
{
	static struct words w;
	char buf[512];
	const char *p = buf;

	snprintf(buf, sizeof(buf), "%s%s", line, res.insert);
	ck_assert_ptr_null(text_split(&p, false, &w));
	ck_assert_int_gt(w.argc, 0);
	ck_assert_str_eq(w.argv[w.argc - 1], want);
}

/* ---- command names ----------------------------------------------------- */

START_TEST(test_command_unique)
{
	complete("he");
	ck_assert_str_eq(res.insert, "lp ");
	names_are((const char *const[]){ "help", NULL });
	complete("  quit");
	ck_assert_str_eq(res.insert, " ");
	ck_assert_int_eq(list_calls, 0);
}
END_TEST

START_TEST(test_command_several)
{
	complete("l");
	ck_assert_str_eq(res.insert, "");
	names_are((const char *const[]){ "lcd", "lls", "lpwd", "ls", NULL });
	complete("");
	ck_assert_str_eq(res.insert, "");
	ck_assert_uint_eq(res.total, NCOMMANDS);
	complete("xyz");
	ck_assert_uint_eq(res.total, 0);
	ck_assert_str_eq(res.insert, "");
	/* help's operand is a command name ('C'). */
	complete("help lp");
	ck_assert_str_eq(res.insert, "wd ");
}
END_TEST

/* ---- paths ------------------------------------------------------------- */

START_TEST(test_path_kinds)
{
	complete("get fo");
	ck_assert_int_eq(listed_kind, 'R');
	ck_assert_str_eq(listed_dir, "");
	ck_assert_str_eq(res.insert, "o");
	names_are((const char *const[]){ "foo.txt", "food", NULL });
	/* Options are skipped when counting: LOCAL is get's second. */
	complete("get -c --restart foo.txt ");
	ck_assert_int_eq(listed_kind, 'L');
	complete("put -z x ");
	ck_assert_int_eq(listed_kind, 'R');
	complete("lcd ");
	ck_assert_int_eq(listed_kind, 'L');
	/* The last kind repeats for mget's patterns. */
	complete("mget a b fo");
	ck_assert_int_eq(listed_kind, 'R');
	ck_assert_str_eq(res.insert, "o");
}
END_TEST

START_TEST(test_nothing_to_complete)
{
	/* An option, an operand that takes no path, an unknown command, a
	 * backslash still waiting for its character. */
	complete("get -");
	complete("get --res");
	complete("pwd x");
	complete("frob x");
	complete("get foo\\");
	complete("get \"foo\\");
	ck_assert_int_eq(list_calls, 0);
	ck_assert_uint_eq(res.total, 0);
	ck_assert_str_eq(res.insert, "");
}
END_TEST

START_TEST(test_unique_file_and_dir)
{
	complete("get foo.");
	ck_assert_str_eq(res.insert, "txt ");
	complete("get food");
	ck_assert_str_eq(res.insert, "/");
	names_are((const char *const[]){ "food", NULL });
	ck_assert(res.matches[0].dir);
	complete("cd food/apr");
	ck_assert_str_eq(listed_dir, "food");
	ck_assert_str_eq(res.insert, "icot ");
	complete("cd food/");
	ck_assert_str_eq(res.insert, "ap");
	complete("cd /t");
	ck_assert_str_eq(listed_dir, "/");
	ck_assert_str_eq(res.insert, "op/");
	complete("cd a//b//d");
	ck_assert_str_eq(listed_dir, "a//b");
	ck_assert_str_eq(res.insert, "eep ");
}
END_TEST

START_TEST(test_hidden)
{
	complete("get ");
	for (size_t i = 0; i < res.count; i++)
		ck_assert_int_ne(res.matches[i].name[0], '.');
	complete("get .");
	names_are((const char *const[]){ ".hidden", NULL });
	ck_assert_str_eq(res.insert, "hidden ");
	complete("get ..");
	ck_assert_uint_eq(res.total, 0);
}
END_TEST

/* Each special character, bare, in "..", in '..': the completed line
 * splits back to the name. */
START_TEST(test_escaping)
{
	static const struct {
		const char *line, *insert, *word;
	} cases[] = {
		{ "get bar", "\\ baz ", "bar baz" },
		{ "get \"bar", " baz\" ", "bar baz" },
		{ "get 'bar", " baz' ", "bar baz" },
		{ "get i", "t\\'s ", "it's" },
		{ "get \"i", "t's\" ", "it's" },
		{ "get 'i", "t'\\''s' ", "it's" },
		{ "get sa", "y\\ \\\"hi\\\" ", "say \"hi\"" },
		{ "get \"sa", "y \\\"hi\\\"\" ", "say \"hi\"" },
		{ "get 'sa", "y \"hi\"' ", "say \"hi\"" },
		{ "get bac", "k\\\\slash ", "back\\slash" },
		{ "get \"bac", "k\\\\slash\" ", "back\\slash" },
		{ "get 'bac", "k\\slash' ", "back\\slash" },
		{ "get se", "mi\\;colon ", "semi;colon" },
		/* Typed escapes are understood before matching. */
		{ "get bar\\ b", "az ", "bar baz" },
		{ "get \"bar \"b", "az ", "bar baz" },
		{ "get it\\'", "s ", "it's" },
	};
	char *cut;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		complete(cases[i].line);
		ck_assert_msg(strcmp(res.insert, cases[i].insert) == 0,
		    "%s: inserted %s", cases[i].line, res.insert);
		/* Drop the space a single match ends in: what remains is
		 * the word. */
		cut = res.insert + strlen(res.insert) - 1;
		ck_assert_int_eq(*cut, ' ');
		*cut = '\0';
		splits_to(cases[i].line, cases[i].word);
	}
}
END_TEST

/* A common prefix that ends inside a UTF-8 character is cut back to the
 * character before it. */
START_TEST(test_utf8_prefix)
{
	/* été and ère share the byte 0xc3, not a character. */
	complete("get u/");
	ck_assert_uint_eq(res.total, 2);
	ck_assert_str_eq(res.insert, "");
	complete("get u/\xc3");
	ck_assert_uint_eq(res.total, 2);
	ck_assert_str_eq(res.insert, "");
	complete("get u/\xc3\xa9");
	ck_assert_str_eq(res.insert, "t\xc3\xa9 ");
}
END_TEST

/* Only the text before the cursor counts; the rest stays. */
START_TEST(test_cursor_inside)
{
	const char *line = "get fo bar";

	ck_assert_int_eq(complete_words(&env, line, strlen(line), 6, &res),
	    FTP_OK);
	ck_assert_str_eq(res.insert, "o");
	complete_result_free(&res);
	ck_assert_int_eq(complete_words(&env, line, strlen(line), 0, &res),
	    FTP_OK);
	ck_assert_uint_eq(res.total, NCOMMANDS);
	complete_result_free(&res);
	/* A cursor past the end is nothing to complete. */
	ck_assert_int_eq(complete_words(&env, line, 3, 6, &res), FTP_OK);
	ck_assert_uint_eq(res.total, 0);
}
END_TEST

START_TEST(test_listing_fails)
{
	fail_after = 2;
	complete("get f");
	ck_assert_int_eq(list_calls, 1);
	ck_assert_uint_eq(res.total, 0);
	ck_assert_uint_eq(res.count, 0);
	ck_assert_str_eq(res.insert, "");
	fail_after = 0;
	complete("get nosuchdir/x");
	ck_assert_uint_eq(res.total, 0);
}
END_TEST

/* Past COMPLETE_MAX matches are counted and narrow the common prefix but
 * are not kept. */
START_TEST(test_cap)
{
	many = COMPLETE_MAX + 50;
	complete("get big/x");
	ck_assert_uint_eq(res.total, COMPLETE_MAX + 50);
	ck_assert_uint_eq(res.count, COMPLETE_MAX);
	for (size_t i = 0; i < res.count; i++) {
		ck_assert_int_eq(res.matches[i].name[1], 'a');
		if (i > 0)
			ck_assert_int_lt(strcmp(res.matches[i - 1].name,
			    res.matches[i].name), 0);
	}
	/* The kept ones all start "xa"; the 50 past the cap ("xb...") are
	 * why nothing is inserted. */
	ck_assert_str_eq(res.insert, "");
	many = 12;
	complete("get big/x");
	ck_assert_str_eq(res.insert, "a");
	complete("get big/xa1");
	ck_assert_str_eq(res.insert, "");
	names_are((const char *const[]){ "xa1", "xa10", "xa11", NULL });
}
END_TEST

/* ---- complete_list_ftpc: the remote side through ftpc_list() ----------- */

static int remote_fails;
static char remote_path[256];

/* Stands in for the client library: "dir" has a directory and a file. */
int
ftpc_list(struct ftpc_client *cl, const char *path, ftpc_entry_fn fn,
	  void *arg)
{
	struct msg_entry e = { .kind = PROTO_KIND_DIR };
	int r;

	(void)cl;
	snprintf(remote_path, sizeof(remote_path), "%s", path);
	if (remote_fails)
		return FTP_E_NOT_FOUND;
	snprintf(e.name, sizeof(e.name), "%s", "subdir");
	if ((r = fn(arg, &e)) != FTP_OK)
		return r;
	e.kind = PROTO_KIND_FILE;
	snprintf(e.name, sizeof(e.name), "%s", "subfile");
	return fn(arg, &e);
}

START_TEST(test_remote)
{
	static int client; /* any address: the stand-in never looks */
	struct complete_env renv = env;

	renv.list = complete_list_ftpc;
	renv.list_arg = (struct ftpc_client *)(void *)&client;
	remote_fails = 0;
	ck_assert_int_eq(complete_words(&renv, "ls /x/su", 8, 8, &res),
	    FTP_OK);
	ck_assert_str_eq(remote_path, "/x");
	ck_assert_str_eq(res.insert, "b");
	ck_assert_uint_eq(res.total, 2);
	ck_assert(res.matches[0].dir);
	ck_assert(!res.matches[1].dir);
	complete_result_free(&res);
	ck_assert_int_eq(complete_words(&renv, "ls subd", 7, 7, &res),
	    FTP_OK);
	ck_assert_str_eq(remote_path, "");
	ck_assert_str_eq(res.insert, "ir/");
	complete_result_free(&res);
	/* A refusal, or no client, completes nothing. */
	remote_fails = 1;
	ck_assert_int_eq(complete_words(&renv, "ls s", 4, 4, &res), FTP_OK);
	ck_assert_uint_eq(res.total, 0);
	complete_result_free(&res);
	remote_fails = 0;
	renv.list_arg = NULL;
	ck_assert_int_eq(complete_words(&renv, "ls s", 4, 4, &res), FTP_OK);
	ck_assert_uint_eq(res.total, 0);
}
END_TEST

/* ---- complete_list_ftpc: the local side -------------------------------- */

START_TEST(test_local)
{
	char dir[] = "/tmp/test_complete.XXXXXX", path[512], line[600];
	struct complete_env lenv = env;
	FILE *f;

	lenv.list = complete_list_ftpc;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notes file.txt", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/nested", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/link", dir);
	ck_assert_int_eq(symlink("nested", path), 0);
	snprintf(path, sizeof(path), "%s/.dot", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);

	snprintf(line, sizeof(line), "put %s/no", dir);
	ck_assert_int_eq(complete_words(&lenv, line, strlen(line),
	    strlen(line), &res), FTP_OK);
	ck_assert_str_eq(res.insert, "tes\\ file.txt ");
	complete_result_free(&res);
	/* A symlink to a directory completes as one. */
	snprintf(line, sizeof(line), "lcd %s/l", dir);
	ck_assert_int_eq(complete_words(&lenv, line, strlen(line),
	    strlen(line), &res), FTP_OK);
	ck_assert_str_eq(res.insert, "ink/");
	complete_result_free(&res);
	snprintf(line, sizeof(line), "lls %s/", dir);
	ck_assert_int_eq(complete_words(&lenv, line, strlen(line),
	    strlen(line), &res), FTP_OK);
	names_are((const char *const[]){ "link", "nested", "notes file.txt",
	    NULL });
	ck_assert(res.matches[0].dir && res.matches[1].dir &&
	    !res.matches[2].dir);
	complete_result_free(&res);
	snprintf(line, sizeof(line), "lls %s/.", dir);
	ck_assert_int_eq(complete_words(&lenv, line, strlen(line),
	    strlen(line), &res), FTP_OK);
	ck_assert_str_eq(res.insert, "dot/");
	complete_result_free(&res);
	/* A directory that is not there completes nothing. */
	snprintf(line, sizeof(line), "lls %s/none/x", dir);
	ck_assert_int_eq(complete_words(&lenv, line, strlen(line),
	    strlen(line), &res), FTP_OK);
	ck_assert_uint_eq(res.total, 0);

	snprintf(path, sizeof(path), "%s/notes file.txt", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/link", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/nested", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/.dot", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

static Suite *
complete_suite(void)
{
	Suite *s = suite_create("complete");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_command_unique);
	tcase_add_test(tc, test_command_several);
	tcase_add_test(tc, test_path_kinds);
	tcase_add_test(tc, test_nothing_to_complete);
	tcase_add_test(tc, test_unique_file_and_dir);
	tcase_add_test(tc, test_hidden);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_utf8_prefix);
	tcase_add_test(tc, test_cursor_inside);
	tcase_add_test(tc, test_listing_fails);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_remote);
	tcase_add_test(tc, test_local);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(complete_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
