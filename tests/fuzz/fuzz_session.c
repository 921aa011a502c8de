/*
 * fuzz_session.c - the server's session state machine fed raw bytes, in
 * process, against the temporary tree of fuzz.h (fixture.c).
 *
 * The input is everything a client sends on one connection.  ftpd's own
 * code (all of ftpd/ but main.c) serves it over the in-memory transport
 * (memconn.h), twice: once as an anonymous server, once as a server with
 * accounts (--users: alice, whose tree is "sub", may write; bob sees the
 * whole root read-only; carol is locked).  The configuration comes from
 * options_parse() on a command line, so new options get their defaults.
 *
 * A session is run as the accept loop would run it (server.c,
 * session_launch): registered in a struct server, then session_thread()
 * called directly instead of in a thread.  server_init() is skipped (it
 * blocks signals, opens a signalfd and listens); the fields it sets are
 * set here.  Failed logins are answered at once (login_fail_delay_ms 0)
 * and counted in a table made afresh for each input.
 *
 * Checked after each session: it ended and left the registry empty; no
 * byte sent contained the canary; nothing outside the root was created,
 * changed or read; and the server with accounts changed nothing at the
 * top of the root, nor in "sub" unless the input holds alice's LOGIN
 * (alice may write only in "sub", bob not at all, anyone else nothing).
 * Then the tree is made again for the next run.  The anonymous server may
 * change anything inside the root (with MANAGE, which the seeds ask for as
 * they do ABORT, an input can remove or rename any entry of the fixture),
 * and so may alice in "sub": what may be gone is looked at only when it
 * must be unchanged.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <crypt.h>
#include <getopt.h>

#include "chan.h"
#include "conn.h"
#include "err.h"
#include "failures.h"
#include "fuzz.h"
#include "memconn.h"
#include "options.h"
#include "peers.h"
#include "proto_limits.h"
#include "server.h"
#include "session.h"
#include "store.h"

#define PEER "127.0.0.1:40000"
#define PASSWORD "secret"
/* sha512-crypt at its fewest rounds: the users file must hold a real hash,
 * but the default yescrypt would cost tens of milliseconds a LOGIN. */
#define HASH_SETTING "$6$rounds=1000$fuzzsalt$"

struct served {
	const char *name;
	struct config cfg;
	struct server srv;
	bool accounts;
};

static struct fixture fx;
static struct store *store;
static struct served servers[2];
static char users_path[PATH_MAX];

static void
on_sent(void *arg, const void *data, size_t len)
{
	(void)arg;
	FUZZ_CHECK(!fixture_has_canary(data, len), "the canary outside the "
	    "root was sent to the client");
}

static void
write_users(void)
{
	char line[512], hash[256];
	const char *h;
	FILE *f;

	h = crypt(PASSWORD, HASH_SETTING);
	FUZZ_CHECK(h != NULL && h[0] == '$', "crypt failed");
	snprintf(hash, sizeof(hash), "%s", h);
	snprintf(users_path, sizeof(users_path), "%s/users", fx.base);
	/* Beside the root (base/ is checked only after this). */
	f = fopen(users_path, "we");
	FUZZ_CHECK(f != NULL, "cannot write %s", users_path);
	snprintf(line, sizeof(line), "# fuzz accounts\nalice:%s:sub:rw\n"
	    "bob:%s::ro\ncarol:!:sub:rw\n", hash, hash);
	FUZZ_CHECK(fputs(line, f) >= 0 && fclose(f) == 0, "write users");
	FUZZ_CHECK(chmod(users_path, 0600) == 0, "chmod users");
}

static void
configure(struct served *sv, bool accounts)
{
	char a0[] = "ftpd", a1[] = "--root", a3[] = "--listen",
	    a4[] = "127.0.0.1:0", a5[] = "--users";
	char *argv[] = {a0, a1, fx.root, a3, a4, a5, users_path, NULL};
	bool done = false;

	/* getopt keeps state between calls; 0 starts it afresh. */
	optind = 0;
	FUZZ_CHECK(options_parse(accounts ? 7 : 5, argv, &sv->cfg, &done) ==
	    FTP_OK && !done, "options_parse");
	/* Never sleep: a fuzzer measures time per input. */
	sv->cfg.login_fail_delay_ms = 0;
	FUZZ_CHECK(options_users(&sv->cfg) == FTP_OK, "options_users");
	sv->accounts = accounts;
	sv->name = accounts ? "with accounts" : "anonymous";
	/* What server_init() sets, but a listener and signals. */
	memset(&sv->srv, 0, sizeof(sv->srv));
	sv->srv.cfg = &sv->cfg;
	sv->srv.store = store;
	sv->srv.lfd = -1;
	sv->srv.sfd = -1;
	atomic_init(&sv->srv.stopping, false);
	FUZZ_CHECK(pthread_mutex_init(&sv->srv.lock, NULL) == 0 &&
	    pthread_cond_init(&sv->srv.drained, NULL) == 0, "pthread init");
	sv->srv.peers = peers_new();
	FUZZ_CHECK(sv->srv.peers != NULL, "peers_new");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned removed;

	(void)argc;
	(void)argv;
	/* As ftpd's main(): a vanished peer must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	fixture_create(&fx);
	write_users();
	FUZZ_CHECK(stor_local_open(fx.root, &store) == 0 &&
	    stor_recover(store, &removed) == 0, "open the store");
	configure(&servers[0], false);
	configure(&servers[1], true);
	/* The users file changed base/: record it as it is now. */
	FUZZ_CHECK(fstat(fx.basefd, &fx.base_st) == 0, "fstat base");
	return 0;
}

/* What the server with accounts must leave alone: the root's entries
 * and file.txt's bytes, and, with sub set, sub's (unless alice logged in:
 * she may remove them).  A cached checksum is an attribute, which moves
 * only a file's ctime. */
static void
top_stat(struct stat sb[4], bool sub)
{
	FUZZ_CHECK(fstat(fx.rootfd, &sb[0]) == 0 &&
	    fstatat(fx.rootfd, "file.txt", &sb[1], AT_SYMLINK_NOFOLLOW) == 0,
	    "the top of the root is gone");
	FUZZ_CHECK(!sub || (fstatat(fx.rootfd, "sub", &sb[2],
	    AT_SYMLINK_NOFOLLOW) == 0 && fstatat(fx.rootfd, "sub/inner.txt",
	    &sb[3], AT_SYMLINK_NOFOLLOW) == 0), "sub or sub/inner.txt is gone");
}

/* Whether the input could have logged in as alice: only a LOGIN body of
 * exactly her name and password does, and strings have one encoding. */
static bool
alice_possible(const uint8_t *data, size_t size)
{
	static const char body[] = "\0\5alice\0\6" PASSWORD;

	return memmem(data, size, body, sizeof(body) - 1) != NULL;
}

static bool
same_mtime(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Runs one session over the input, as session_launch() would. */
static void
serve(struct served *sv, const uint8_t *data, size_t size)
{
	struct server *srv = &sv->srv;
	struct stat before[4], after[4];
	struct session *s;
	struct conn *conn;
	struct chan *ch;
	bool alice = alice_possible(data, size);

	FUZZ_CHECK(memconn_new(data, size, MEMCONN_CLIENT, on_sent, NULL,
	    &conn) == FTP_OK &&
	    chan_new(conn, PROTO_FRAME_MAX, &ch) == FTP_OK, "memconn");
	s = session_new(srv, PEER);
	FUZZ_CHECK(s != NULL, "session_new");
	/* A table per input: one input's failures must not lock out the
	 * next, and the same input must always be judged the same. */
	srv->failures = failures_new();
	FUZZ_CHECK(srv->failures != NULL, "failures_new");
	pthread_mutex_lock(&srv->lock);
	FUZZ_CHECK(srv->active == 0 && srv->sessions == NULL &&
	    peers_take(srv->peers, s->addr, sv->cfg.max_per_address) ==
	    FTP_OK, "registry not empty");
	s->ch = ch;
	srv->sessions = s;
	srv->active++;
	pthread_mutex_unlock(&srv->lock);
	if (sv->accounts)
		top_stat(before, true);
	session_thread(s);
	FUZZ_CHECK(srv->active == 0 && srv->sessions == NULL, "%s: session "
	    "still registered after it ended", sv->name);
	failures_free(srv->failures);
	srv->failures = NULL;
	fixture_check_outside(&fx);
	if (!sv->accounts)
		return;
	top_stat(after, !alice);
	FUZZ_CHECK(same_mtime(&after[0], &before[0]) &&
	    same_mtime(&after[1], &before[1]), "%s: the top of the root "
	    "changed, which no account may write", sv->name);
	FUZZ_CHECK(alice || (same_mtime(&after[2], &before[2]) &&
	    same_mtime(&after[3], &before[3])), "%s: sub changed, and only "
	    "alice may write there", sv->name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		serve(&servers[i], data, size);
		fixture_reset(&fx);
	}
	return 0;
}
