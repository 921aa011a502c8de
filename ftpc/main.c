/*
 * main.c - ftpc, the client program: options, the login, the interactive
 * prompt and the batch modes, signals and the exit status.
 */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "complete.h"
#include "client.h"
#include "err.h"
#include "lineedit.h"
#include "login.h"
#include "proto_limits.h"
#include "net.h"
#include "password.h"
#include "progress.h"
#include "shell.h"
#include "text.h"
#include "tls.h"

struct options {
	const char *commands; /* -c, or NULL */
	const char *address;  /* [USER@]HOST[:PORT] */
	const char *hostport; /* the HOST[:PORT] part of it */
	char user[PROTO_USER_MAX + 1]; /* "" for an anonymous session */
	const char *password_file; /* --password-file, or NULL */
	bool allow_plaintext; /* --allow-plaintext-login */
	bool tls;             /* --tls */
	bool no_checksum;     /* --no-checksum */
	bool compress;        /* --compress: every get and put as with -z */
	int progress;         /* --progress 1, --no-progress 0, else -1 */
	struct tls_client_opts tls_opts; /* --ca, --cert, --key, --insecure */
};

/* Long options without a short form. */
enum {
	OPT_TLS = 256,
	OPT_CA,
	OPT_CERT,
	OPT_KEY,
	OPT_INSECURE,
	OPT_NO_CHECKSUM, /* not TLS options: handled before those */
	OPT_COMPRESS,
	OPT_PASSWORD_FILE,
	OPT_ALLOW_PLAINTEXT,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
};

/* A signal handler cannot take arguments: this is the only state it sees.
 * stop_signal: the signal that ends the program (SIGTERM, SIGHUP, and
 * SIGINT outside the prompt).  cancel: Ctrl-C at the prompt, which stops
 * the transfer under way and keeps the session; a second one while that
 * is still stopping drops the connection.  active_client: the client whose
 * socket is shut down so a blocked call fails and cleans up at once. */
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t cancel;
static volatile sig_atomic_t at_prompt;
static struct ftpc_client *volatile active_client;

static void
usage(FILE *f)
{
	fputs("usage: ftpc [-c 'CMD; CMD...'] [--tls [--ca FILE] "
	      "[--cert FILE --key FILE]\n"
	      "            [--insecure]] [--password-file FILE] "
	      "[--allow-plaintext-login]\n"
	      "            [USER@]HOST[:PORT]\n"
	      "       ftpc --help | --version\n"
	      BENCH_USAGE_LINE "\n"
	      "Connects to the ftpd at HOST (port " FTPC_DEFAULT_PORT
	      " unless given; IPv6 as [::1]:2121)\n"
	      "and runs commands: those of -c; else from the terminal with "
	      "a prompt;\nelse one per line from standard input (blank lines "
	      "and lines starting\nwith # are skipped).\n"
	      "With USER@, logs in as USER first (the server must have "
	      "accounts).  The\npassword comes from --password-file, else "
	      "the environment variable\n" PW_ENV ", else a prompt on the "
	      "terminal (echo off); never from the command\nline.  Without "
	      "verified TLS (--tls without --insecure), it is sent only to\n"
	      "a loopback address (127.0.0.0/8, ::1).\n\n"
	      "options:\n"
	      "  -c CMDS     run CMDS (separated by ';' or newlines), then "
	      "exit\n"
	      "  --tls       connect with TLS; the server's certificate must "
	      "be valid for HOST\n"
	      "  --ca FILE   trust the CA certificates in FILE (PEM) instead "
	      "of the system's\n"
	      "  --cert FILE, --key FILE\n"
	      "              present this client certificate and key (PEM)\n"
	      "  --insecure  do not verify the server at all (warned; tests "
	      "only)\n"
	      "  --no-checksum\n"
	      "              do not verify transfers with CRC-32C (for old "
	      "servers, benchmarks;\n"
	      "              get -c and put -c need checksums)\n"
	      "  --compress  compress every transfer, as get -z and put -z "
	      "do\n"
	      "  --progress, --no-progress\n"
	      "              show (or not) a progress line on standard error "
	      "during transfers;\n"
	      "              the default is to show it when standard error is "
	      "a terminal\n"
	      "  --password-file FILE\n"
	      "              read the password from FILE's first line; FILE "
	      "must be yours and\n"
	      "              private (no group or other access: chmod 600), "
	      "or a pipe\n"
	      "  --allow-plaintext-login\n"
	      "              send the password without TLS, or with "
	      "--insecure, to an address\n"
	      "              that is not loopback (anyone on the path can "
	      "read it)\n"
	      "  --help      show this help and exit\n"
	      "  --version   show the version and exit\n\n"
	      "commands:\n", f);
	shell_list_commands(f);
	fputs("\nQuote names with blanks: get \"my file.txt\" or 'my file.txt'"
	      " or my\\ file.txt.\n"
	      "In batch mode (-c or standard input) the first command that "
	      "fails ends the run.\n\n"
	      "exit status:\n"
	      "  0   every command succeeded\n"
	      "  1   the server refused a request (missing file, bad path, "
	      "login incorrect,\n"
	      "      the server takes no logins, ...)\n"
	      "  2   local error (local file missing, cannot write, ...)\n"
	      "  3   connection or protocol error (cannot connect, peer "
	      "closed, timeout,\n"
	      "      checksum mismatch: the bytes were corrupted on the "
	      "way)\n"
	      "  64  usage error (bad arguments, unknown command)\n", f);
}

static int
bad_usage(const char *msg)
{
	if (msg != NULL)
		shell_error(NULL, msg);
	fputs("Try 'ftpc --help'.\n", stderr);
	return FTPC_EXIT_USAGE;
}

static void
tls_option(int c, const char *arg, struct options *o)
{
	switch (c) {
	case OPT_TLS:
		o->tls = true;
		break;
	case OPT_CA:
		o->tls_opts.ca = arg;
		break;
	case OPT_CERT:
		o->tls_opts.cert = arg;
		break;
	case OPT_KEY:
		o->tls_opts.key = arg;
		break;
	default:
		o->tls_opts.insecure = true;
		break;
	}
}

/* The TLS configuration asked for, or NULL for plaintext; FTPC_EXIT_OK or
 * the status to exit with (the reason printed). */
static int
tls_setup(const struct options *o, struct tls_config **tls)
{
	char why[TLS_ERR_MAX];

	*tls = NULL;
	if (!o->tls)
		return FTPC_EXIT_OK;
	if (tls_client_config(&o->tls_opts, tls, why) != FTP_OK) {
		shell_error(NULL, why);
		return FTPC_EXIT_LOCAL;
	}
	if (o->tls_opts.insecure)
		shell_error(NULL, "warning: --insecure: the server's "
		    "certificate is not verified; anyone on the path can read "
		    "and change this session");
	return FTPC_EXIT_OK;
}

/* FTPC_EXIT_OK to go on, -1 after --help or --version, else a status. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "tls", no_argument, NULL, OPT_TLS },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "no-checksum", no_argument, NULL, OPT_NO_CHECKSUM },
		{ "compress", no_argument, NULL, OPT_COMPRESS },
		{ "password-file", required_argument, NULL,
		  OPT_PASSWORD_FILE },
		{ "allow-plaintext-login", no_argument, NULL,
		  OPT_ALLOW_PLAINTEXT },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == OPT_NO_CHECKSUM || c == OPT_COMPRESS) {
			o->no_checksum |= c == OPT_NO_CHECKSUM;
			o->compress |= c == OPT_COMPRESS;
			continue;
		}
		if (c == OPT_PROGRESS || c == OPT_NO_PROGRESS) {
			o->progress = c == OPT_PROGRESS;
			continue;
		}
		if (c == OPT_PASSWORD_FILE || c == OPT_ALLOW_PLAINTEXT) {
			if (c == OPT_PASSWORD_FILE)
				o->password_file = optarg;
			o->allow_plaintext |= c == OPT_ALLOW_PLAINTEXT;
			continue;
		}
		if (c >= OPT_TLS) {
			tls_option(c, optarg, o);
			continue;
		}
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == 'V') {
			puts("ftpc " FTPF_VERSION);
			return -1;
		}
		if (c != 'c')
			return bad_usage(NULL);
		if (o->commands != NULL)
			return bad_usage("-c given twice");
		o->commands = optarg;
	}
	if (optind != argc - 1)
		return bad_usage(optind == argc ? "missing HOST[:PORT]" :
		    "too many arguments");
	if (!o->tls && (o->tls_opts.ca != NULL || o->tls_opts.cert != NULL ||
	    o->tls_opts.key != NULL || o->tls_opts.insecure))
		return bad_usage("--ca, --cert, --key and --insecure need "
		    "--tls");
	if ((o->tls_opts.cert == NULL) != (o->tls_opts.key == NULL))
		return bad_usage("--cert and --key go together");
	o->address = argv[optind];
	if (login_split(o->address, o->user, &o->hostport) != FTP_OK)
		return bad_usage("bad USER in USER@HOST: 1 to 64 bytes of "
		    "UTF-8 without ':' (a password never goes on the command "
		    "line; see --password-file)");
	if (o->user[0] == '\0' && (o->password_file != NULL ||
	    o->allow_plaintext))
		return bad_usage("--password-file and --allow-plaintext-login "
		    "need USER@HOST");
	return FTPC_EXIT_OK;
}

static void
on_signal(int sig)
{
	struct ftpc_client *cl = active_client;

	if (sig == SIGINT && at_prompt) {
		if (cancel && cl != NULL)
			ftpc_abort(cl);
		cancel = 1;
		return;
	}
	stop_signal = sig;
	/* Ends a wait at the prompt too (le_set_interrupt()). */
	cancel = 1;
	if (cl != NULL)
		ftpc_abort(cl);
}

/* No SA_RESTART: a prompt blocked in read(2) returns, and the loop sees
 * stop_signal.  A signal ignored by whoever started us (nohup, a
 * background job of sh) stays ignored. */
static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* One line of at most FTPC_LINE_MAX bytes, without its newline: 1, or 0
 * at end of input, or -1 if it was longer (the rest is skipped). */
static int
read_line(char *buf, size_t size)
{
	size_t len;
	int c;

	if (stop_signal != 0 || fgets(buf, (int)size, stdin) == NULL)
		return 0;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n') {
		buf[len - 1] = '\0';
		return 1;
	}
	if (len < size - 1 || feof(stdin))
		return 1;
	while ((c = getchar()) != EOF && c != '\n')
		;
	return -1;
}

static bool
skip_line(const char *line)
{
	line += strspn(line, " \t\r\v\f");
	return line[0] == '\0' || line[0] == '#';
}

enum prompt_read { PROMPT_LINE, PROMPT_AGAIN, PROMPT_END };

/* The next line typed at the prompt: with line editing when libedit is
 * set up (le), else plainly into buf.  PROMPT_AGAIN after Ctrl-C or a
 * line too long; PROMPT_END at the end of input or on a signal that ends
 * the program. */
static enum prompt_read
prompt_read(struct lineedit *le, char *buf, size_t size, const char **line)
{
	enum le_status ls;
	int n;

	cancel = 0;
	fflush(stdout);
	if (le != NULL) {
		ls = le_gets(le, "ftpc> ", line);
		if (ls == LE_EOF || stop_signal != 0)
			return PROMPT_END;
		if (ls == LE_INTERRUPTED)
			return PROMPT_AGAIN;
		n = strlen(*line) > FTPC_LINE_MAX ? -1 : 1;
	} else {
		fputs("ftpc> ", stdout);
		fflush(stdout);
		n = read_line(buf, size);
		*line = buf;
		if (n == 0 && cancel && stop_signal == 0) {
			/* Ctrl-C at the prompt: a fresh line. */
			clearerr(stdin);
			putchar('\n');
			return PROMPT_AGAIN;
		}
		if (n == 0) {
			putchar('\n');
			return PROMPT_END;
		}
	}
	if (n < 0) {
		shell_error(NULL, "line too long (limit 8192 bytes)");
		return PROMPT_AGAIN;
	}
	return PROMPT_LINE;
}

/* Commands typed at a prompt: failures are reported and the prompt comes
 * back, unless the connection is gone. */
static int
interactive(struct shell *sh)
{
	char buf[FTPC_LINE_MAX + 2];
	struct complete_env cenv = { .arg_kind = shell_arg_kind,
	    .command_name = shell_command_name, .list = complete_list_ftpc,
	    .list_arg = sh->cl };
	struct lineedit *le = NULL;
	enum prompt_read pr;
	const char *line;
	int st = FTPC_EXIT_OK;

	at_prompt = 1;
	/* Without libedit (it could not set the terminal up) the prompt
	 * still works, without editing. */
	if (le_open(&le, stdin, stdout, stderr, NULL, complete_line, &cenv) ==
	    FTP_OK)
		le_set_interrupt(le, &cancel);
	while ((pr = prompt_read(le, buf, sizeof(buf), &line)) != PROMPT_END) {
		if (pr == PROMPT_AGAIN || skip_line(line))
			continue;
		if (le != NULL)
			le_history_add(le, line);
		st = shell_run(sh, line, false);
		if (sh->quit || stop_signal != 0 ||
		    (st != FTPC_EXIT_OK && !ftpc_connected(sh->cl)))
			break;
		st = FTPC_EXIT_OK;
	}
	le_close(le);
	return st;
}

/* Commands from a script on standard input: the first failure ends it. */
static int
batch_stdin(struct shell *sh)
{
	char line[FTPC_LINE_MAX + 2];
	int n, st;

	for (;;) {
		if ((n = read_line(line, sizeof(line))) == 0) {
			if (ferror(stdin) && stop_signal == 0) {
				shell_error(NULL, "cannot read standard input");
				return FTPC_EXIT_LOCAL;
			}
			return FTPC_EXIT_OK;
		}
		if (n < 0) {
			shell_error(NULL, "line too long (limit 8192 bytes)");
			return FTPC_EXIT_USAGE;
		}
		if (skip_line(line))
			continue;
		st = shell_run(sh, line, false);
		if (st != FTPC_EXIT_OK || sh->quit)
			return st;
	}
}

/* Ends the session (QUIT unless it already ended) and settles the status:
 * the first failure wins, then a failed QUIT, then unwritten output. */
static int
finish(struct ftpc_client *cl, int st)
{
	if (stop_signal == 0 && ftpc_connected(cl) &&
	    ftpc_quit(cl) != FTP_OK && st == FTPC_EXIT_OK) {
		shell_error("quit", ftpc_detail(cl));
		st = shell_status(ftpc_fault(cl));
	}
	active_client = NULL;
	ftpc_close(cl);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		shell_error(NULL, "cannot write standard output");
		if (st == FTPC_EXIT_OK)
			st = FTPC_EXIT_LOCAL;
	}
	return st;
}

/* Before connecting: whether a password may go to host without TLS
 * (decided on the addresses it resolves to), then the password.  TLS that
 * verifies nothing (--insecure) protects a password no better than
 * plaintext against whoever sits on the path. */
static int
credentials(const struct options *o, const char *host, const char *port,
    char password[PROTO_PASSWORD_MAX + 1])
{
	bool guarded = o->tls && !o->tls_opts.insecure;
	char addr[NET_ADDR_STR], why[PW_WHY_MAX];
	int r;

	r = guarded || o->allow_plaintext ? FTP_OK :
	    net_host_loopback(host, port, false, addr);
	if (r == FTP_E_DENIED) {
		snprintf(why, sizeof(why), "refusing to send a password %s to "
		    "%s, which is not a loopback address; use %s, or "
		    "--allow-plaintext-login on a network you trust",
		    o->tls ? "over unverified TLS (--insecure)" :
		    "without TLS", addr, o->tls ? "a verified --tls" :
		    "--tls");
		shell_error(NULL, why);
		return FTPC_EXIT_USAGE;
	}
	if (r != FTP_OK) {
		/* As net_connect() would have failed. */
		snprintf(why, sizeof(why), "cannot connect to %s port %s: %s",
		    host, port, r == FTP_E_ADDRESS ? "unknown host" :
		    ftp_strerror(r));
		shell_error(NULL, why);
		return FTPC_EXIT_CONN;
	}
	if ((r = pw_read(o->password_file, o->user, host, password, why)) !=
	    FTP_OK) {
		shell_error(NULL, why);
		return r == FTP_E_USAGE ? FTPC_EXIT_USAGE : FTPC_EXIT_LOCAL;
	}
	return FTPC_EXIT_OK;
}

/* Logs in as o->user; the password is wiped as soon as LOGIN is sent. */
static int
login(const struct options *o, struct ftpc_client *cl,
    char password[PROTO_PASSWORD_MAX + 1])
{
	char what[PROTO_USER_MAX + 16];
	int r = ftpc_login(cl, o->user, password, o->allow_plaintext);

	explicit_bzero(password, PROTO_PASSWORD_MAX + 1);
	if (r == FTP_OK)
		return FTPC_EXIT_OK;
	snprintf(what, sizeof(what), "login as %s", o->user);
	shell_error(what, ftpc_detail(cl));
	return shell_status(ftpc_fault(cl));
}

static int
session(const struct options *o, const struct tls_config *tls,
    const char *host, const char *port, char *password)
{
	struct shell sh = { .stop = &stop_signal, .cancel = &cancel };
	struct progress prog;
	/* Resuming needs checksums: --no-checksum gives up both. */
	uint64_t features = o->no_checksum ? FTPC_FEATURES_DEFAULT &
	    ~(PROTO_FEATURE_CHECKSUM | PROTO_FEATURE_RESUME) :
	    FTPC_FEATURES_DEFAULT;
	int r, st;

	/* Asked for only with a user: anonymous sessions stay as they were,
	 * and the grant tells whether this server takes logins. */
	if (o->user[0] != '\0')
		features |= PROTO_FEATURE_LOGIN;
	if ((r = ftpc_open_features(host, port, tls, features, &sh.cl)) !=
	    FTP_OK) {
		shell_error(NULL, sh.cl != NULL ? ftpc_detail(sh.cl) :
		    ftp_strerror(r));
		st = sh.cl != NULL ? shell_status(ftpc_fault(sh.cl)) :
		    FTPC_EXIT_LOCAL;
		ftpc_close(sh.cl);
		return st;
	}
	if (o->user[0] != '\0' &&
	    (st = login(o, sh.cl, password)) != FTPC_EXIT_OK) {
		ftpc_close(sh.cl);
		return st;
	}
	active_client = sh.cl;
	if (o->compress)
		sh.xfer_flags = FTPC_COMPRESS;
	progress_init(&prog, stderr, o->progress == 1 ||
	    (o->progress == -1 && isatty(STDERR_FILENO)),
	    isatty(STDERR_FILENO));
	sh.progress = &prog;
	ftpc_set_progress(sh.cl, progress_update, &prog);
	ftpc_set_cancel(sh.cl, &cancel);
	catch_signals();
	if (o->commands != NULL)
		st = shell_run(&sh, o->commands, true);
	else if (isatty(STDIN_FILENO))
		st = interactive(&sh);
	else
		st = batch_stdin(&sh);
	return finish(sh.cl, st);
}

int
main(int argc, char **argv)
{
	struct options o = { .commands = NULL, .progress = -1 };
	struct shell dry = { .cl = NULL };
	char host[NET_HOST_MAX], port[NET_PORT_MAX];
	char password[PROTO_PASSWORD_MAX + 1] = "";
	struct tls_config *tls;
	int st;

	signal(SIGPIPE, SIG_IGN);
	/* libedit decodes typed text by the locale's character set. */
	setlocale(LC_CTYPE, "");
	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return bench_main(argc - 1, argv + 1);
	if ((st = parse_options(argc, argv, &o)) != FTPC_EXIT_OK)
		return st < 0 ? FTPC_EXIT_OK : st;
	if (net_split_hostport(o.hostport, FTPC_DEFAULT_PORT, host, port) !=
	    FTP_OK)
		return bad_usage("bad address; expected [USER@]HOST[:PORT] or "
		    "[USER@][IPv6]:PORT");
	/* A typo late in -c should not leave the earlier commands done. */
	if (o.commands != NULL &&
	    (st = shell_run(&dry, o.commands, true)) != FTPC_EXIT_OK)
		return st;
	if ((st = tls_setup(&o, &tls)) != FTPC_EXIT_OK)
		return st;
	if (o.user[0] == '\0' ||
	    (st = credentials(&o, host, port, password)) == FTPC_EXIT_OK)
		st = session(&o, tls, host, port, password);
	explicit_bzero(password, sizeof(password));
	tls_config_free(tls);
	if (stop_signal != 0) {
		/* Die of the signal, as the shell that sent it expects. */
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return st;
}
