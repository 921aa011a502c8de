/*
 * main.c - ftpd: parses the command line, opens and recovers the store,
 * prepares the process (descriptors, SIGPIPE) and runs the server.
 *
 * Exit status: 0 after a clean shutdown (SIGINT/SIGTERM) or --help, 1 on a
 * runtime failure (missing root, bind failure, a bad users file), 2 on a
 * usage error (including root without --user or --allow-root).
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>

#include "err.h"
#include "hashpw.h"
#include "janitor.h"
#include "log.h"
#include "options.h"
#include "privs.h"
#include "server.h"
#include "store.h"

/* Blocks at least this large are mmapped, and so unmapped when freed. */
#define FTPD_MMAP_THRESHOLD (128 * 1024)

/* One descriptor per connection: allow as many as the hard limit. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_msg("cannot raise the descriptor limit: %s",
		    strerror(errno));
}

static int
store_prepare(const char *root, struct store **st)
{
	unsigned removed = 0;
	int r;

	if ((r = stor_local_open(root, st)) < 0) {
		log_msg("cannot open root %s: %s", root, strerror(-r));
		return FTP_E_SYSTEM;
	}
	if ((r = stor_recover(*st, &removed)) < 0) {
		log_msg("cannot recover %s: %s", root, strerror(-r));
		stor_free(*st);
		*st = NULL;
		return FTP_E_SYSTEM;
	}
	log_msg("recovery removed %u stale temporar%s", removed,
	    removed == 1 ? "y" : "ies");
	return FTP_OK;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct server srv;
	struct janitor jan = { .running = false };
	struct store *st = NULL;
	bool done;
	int status = 1;

	if (options_parse(argc, argv, &cfg, &done) != FTP_OK) {
		options_free(&cfg);
		return 2;
	}
	if (done || cfg.hash_password || privs_check(&cfg) != FTP_OK) {
		status = done ? 0 : cfg.hash_password ? hashpw_main() : 2;
		options_free(&cfg);
		return status;
	}
	/* Certificates and accounts are read before anything else is
	 * touched, and while they may still be readable by root alone. */
	if (options_tls(&cfg) != FTP_OK || options_users(&cfg) != FTP_OK ||
	    options_transfer_log(&cfg) != FTP_OK)
		goto out;
	if (store_prepare(cfg.root, &st) != FTP_OK)
		goto out;
	raise_nofile();
	/* Fixing the threshold stops glibc from raising it after the first
	 * transfer: a session's 1 MiB receive buffer would otherwise stay
	 * cached in its thread's arena after chan_shrink() freed it. */
	mallopt(M_MMAP_THRESHOLD, FTPD_MMAP_THRESHOLD);
	/* sendfile(2) has no MSG_NOSIGNAL: a vanished peer must not kill
	 * the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if (server_init(&srv, &cfg, st) != FTP_OK)
		goto out;
	/* Bound and holding every descriptor it needs: root is no longer
	 * needed, and no thread has started yet. */
	if (privs_drop(&cfg) != FTP_OK ||
	    janitor_start(&jan, st, cfg.resume_max_age) != FTP_OK) {
		server_fini(&srv);
		goto out;
	}
	if (server_run(&srv) == FTP_OK)
		status = 0;
	server_fini(&srv);
out:
	janitor_stop(&jan);
	if (st != NULL)
		stor_free(st);
	options_users_free(&cfg);
	options_tls_free(&cfg);
	options_free(&cfg);
	log_msg("exit");
	return status;
}
