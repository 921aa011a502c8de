/*
 * bench.c - `ftpc bench`, the load generator: its options, and bench_main,
 * which runs the load (bench_run.c) or holds idle connections
 * (bench_idle.c).  bench_int.h has what the pieces share.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "bench_int.h"
#include "client.h"
#include "err.h"
#include "login.h"
#include "net.h"
#include "password.h"
#include "proto_limits.h"
#include "text.h"

const char *const bench_op_names[4] = { "list", "get", "put", "mix" };

/* "ftpc bench: " and the message, escaped: it may quote the server. */
void
bench_error(const char *fmt, ...)
{
	char msg[BENCH_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("ftpc bench: ", stderr);
	text_escape(stderr, msg);
	fputc('\n', stderr);
}

/* ---- options ----------------------------------------------------------- */

static void
bench_usage(FILE *f)
{
	fputs("usage: ftpc bench [USER@]HOST[:PORT] [--clients N] "
	    "[--duration S | --ops K]\n"
	    "                  [--op list|get|put|mix] [--size BYTES] "
	    "[--files K]\n"
	    "                  [--interval MS] [--dir DIR] [--json]\n"
	    "       ftpc bench [USER@]HOST[:PORT] --idle N [--server-pid PID] "
	    "[--hold S] [--probe]\n"
	    "                  [--dir DIR] [--json]\n\n"
	    "Load generator: N clients, one thread and one connection each, "
	    "run their\noperations against the server; every byte downloaded "
	    "is checked against\nthe content its file's name and size define.  "
	    "First K shared files named\nb<SIZE>-sNNNN are uploaded into DIR "
	    "(which must exist; default the root),\nwhere they stay for the "
	    "next run of the same size (ftpc's rm removes them).\n\n"
	    "  --clients N     simulated clients (default 1)\n"
	    "  --duration S    run for S seconds (default 10)\n"
	    "  --ops K         instead, K operations per client\n"
	    "  --op OP         list: LIST DIR (the shared files must be listed);"
	    "\n"
	    "                  get: GET a random shared file; put: PUT the "
	    "client's own\n"
	    "                  file b<SIZE>-cNNNNN; mix (default): put own, get "
	    "own back,\n"
	    "                  get a shared file, list, in turn\n"
	    "  --size BYTES    size of every file (default 4096)\n"
	    "  --files K       shared files (default 100)\n"
	    "  --interval MS   pause before each operation (default 0)\n"
	    "  --dir DIR       server directory to work in (default the root)\n"
	    "  --json          print one JSON object instead of text\n"
	    "  --no-prepare    use the shared files a previous run uploaded\n"
	    "  --idle N        open N connections (HELLO) one after another, "
	    "hold them,\n"
	    "                  then LIST DIR once on each\n"
	    "  --server-pid P  report process P's RSS before and after "
	    "(same host)\n"
	    "  --hold S        hold the connections S seconds before listing\n"
	    "  --probe         once all are open, try one more and report "
	    "BUSY or not\n"
	    "  --password-file FILE, --allow-plaintext-login\n"
	    "                  with USER@: every client logs in as USER, with "
	    "the password\n"
	    "                  from FILE, " PW_ENV " or a prompt, as for "
	    "ftpc itself\n\n"
	    "Prints ops/s, MiB/s, latency p50/p90/p99/max and connect times.  "
	    "Exit status\n0 if every operation succeeded, 1 if any failed, "
	    "64 on a usage error.\n", f);
}

enum {
	OPT_CLIENTS = 256, OPT_DURATION, OPT_OPS, OPT_OP, OPT_SIZE, OPT_FILES,
	OPT_INTERVAL, OPT_DIR, OPT_JSON, OPT_IDLE, OPT_PID, OPT_HOLD,
	OPT_PROBE, OPT_HELP, OPT_NO_PREPARE, OPT_PASSWORD_FILE,
	OPT_ALLOW_PLAINTEXT,
};

static const struct option bench_longopts[] = {
	{ "clients", required_argument, NULL, OPT_CLIENTS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ops", required_argument, NULL, OPT_OPS },
	{ "op", required_argument, NULL, OPT_OP },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "files", required_argument, NULL, OPT_FILES },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "idle", required_argument, NULL, OPT_IDLE },
	{ "server-pid", required_argument, NULL, OPT_PID },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "probe", no_argument, NULL, OPT_PROBE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "no-prepare", no_argument, NULL, OPT_NO_PREPARE },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "allow-plaintext-login", no_argument, NULL, OPT_ALLOW_PLAINTEXT },
	{ NULL, 0, NULL, 0 },
};

__attribute__((format(printf, 1, 2))) static int
bench_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ftpc bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ftpc bench --help'.\n", stderr);
	return BENCH_EXIT_USAGE;
}

/* Decimal digits only, within [lo, hi]. */
static int
number(const char *opt, const char *arg, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    v < lo || v > hi) {
		fprintf(stderr, "ftpc bench: %s: '%s' must be a number from %lu "
		    "to %lu\n", opt, arg, lo, hi);
		return BENCH_EXIT_USAGE;
	}
	*out = (unsigned long)v;
	return BENCH_EXIT_OK;
}

static int
set_op(struct bench_opts *o, const char *arg)
{
	for (unsigned i = 0; i < sizeof(bench_op_names) /
	    sizeof(bench_op_names[0]); i++)
		if (strcmp(arg, bench_op_names[i]) == 0) {
			o->op = (enum bench_op)i;
			return BENCH_EXIT_OK;
		}
	return bench_usage_error("--op: '%s' is not list, get, put or mix",
	    arg);
}

/* The largest counts accepted: bounded by descriptors, not by us. */
#define BENCH_CLIENTS_MAX 100000
#define BENCH_SIZE_MAX (1ul << 40)

static int
bench_option(int c, const char *arg, struct bench_opts *o)
{
	unsigned long v = 0;
	int st = BENCH_EXIT_OK;

	switch (c) {
	case OPT_CLIENTS:
		st = number("--clients", arg, 1, BENCH_CLIENTS_MAX, &v);
		o->clients = (unsigned)v;
		break;
	case OPT_DURATION:
		st = number("--duration", arg, 1, 86400, &v);
		o->duration = (unsigned)v;
		o->ops = 0;
		break;
	case OPT_OPS:
		st = number("--ops", arg, 1, 1ul << 32, &o->ops);
		o->duration = 0;
		break;
	case OPT_OP:
		return set_op(o, arg);
	case OPT_SIZE:
		return number("--size", arg, 0, BENCH_SIZE_MAX, &o->size);
	case OPT_FILES:
		st = number("--files", arg, 1, 10000, &v);
		o->files = (unsigned)v;
		break;
	case OPT_INTERVAL:
		st = number("--interval", arg, 0, 3600000, &v);
		o->interval = (unsigned)v;
		break;
	case OPT_IDLE:
		st = number("--idle", arg, 1, BENCH_CLIENTS_MAX, &v);
		o->idle = (unsigned)v;
		break;
	case OPT_PID:
		st = number("--server-pid", arg, 1, 1ul << 30, &v);
		o->server_pid = (long)v;
		break;
	case OPT_HOLD:
		st = number("--hold", arg, 0, 3600, &v);
		o->hold = (unsigned)v;
		break;
	default:
		return bench_usage_error("%s", "invalid option");
	}
	return st;
}

/* The password, once for every client; as ftpc's own (the bench has no
 * TLS, so only to loopback unless --allow-plaintext-login). */
static int
bench_credentials(struct bench_opts *o)
{
	char addr[NET_ADDR_STR], why[PW_WHY_MAX];
	int r;

	r = o->allow_plaintext ? FTP_OK : net_host_loopback(o->host,
	    o->port, false, addr);
	if (r == FTP_E_DENIED)
		return bench_usage_error("refusing to send a password without "
		    "TLS to %s, which is not a loopback address; use "
		    "--allow-plaintext-login on a network you trust", addr);
	if (r != FTP_OK) {
		bench_error("cannot connect to %s port %s: %s", o->host,
		    o->port, ftp_strerror(r));
		return BENCH_EXIT_ERRORS;
	}
	if ((r = pw_read(o->password_file, o->user, o->host, o->password,
	    why)) != FTP_OK) {
		bench_error("%s", why);
		return r == FTP_E_USAGE ? BENCH_EXIT_USAGE : BENCH_EXIT_ERRORS;
	}
	return BENCH_EXIT_OK;
}

/* BENCH_EXIT_OK to run, -1 after --help, else a status. */
static int
bench_parse(int argc, char **argv, struct bench_opts *o)
{
	const char *hostport;
	int c, st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", bench_longopts, NULL)) != -1) {
		if (c == OPT_HELP) {
			bench_usage(stdout);
			return -1;
		}
		if (c == OPT_JSON || c == OPT_PROBE || c == OPT_DIR ||
		    c == OPT_NO_PREPARE || c == OPT_PASSWORD_FILE ||
		    c == OPT_ALLOW_PLAINTEXT) {
			o->json |= c == OPT_JSON;
			o->probe |= c == OPT_PROBE;
			o->no_prepare |= c == OPT_NO_PREPARE;
			o->allow_plaintext |= c == OPT_ALLOW_PLAINTEXT;
			if (c == OPT_DIR)
				o->dir = optarg;
			if (c == OPT_PASSWORD_FILE)
				o->password_file = optarg;
			continue;
		}
		if (c == '?' || c == ':')
			return bench_usage_error("%s", "bad option");
		if ((st = bench_option(c, optarg, o)) != BENCH_EXIT_OK)
			return st;
	}
	if (optind != argc - 1)
		return bench_usage_error("%s", optind == argc ?
		    "missing HOST[:PORT]" : "too many arguments");
	if (login_split(argv[optind], o->user, &hostport) != FTP_OK)
		return bench_usage_error("%s", "bad USER in USER@HOST");
	if (o->user[0] == '\0' && (o->password_file != NULL ||
	    o->allow_plaintext))
		return bench_usage_error("%s", "--password-file and "
		    "--allow-plaintext-login need USER@HOST");
	if (net_split_hostport(hostport, FTPC_DEFAULT_PORT, o->host,
	    o->port) != FTP_OK)
		return bench_usage_error("bad address '%s'", argv[optind]);
	if (strlen(o->dir) > PROTO_PATH_MAX - BENCH_NAME_MAX)
		return bench_usage_error("%s", "--dir is too long");
	return o->user[0] != '\0' ? bench_credentials(o) : BENCH_EXIT_OK;
}

/* A descriptor per connection: as many as the hard limit allows. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
bench_main(int argc, char **argv)
{
	struct bench b = {
		.o = { .clients = 1, .duration = 10, .op = OP_MIX,
		    .size = 4096, .files = 100, .dir = "" },
	};
	int st;

	if ((st = bench_parse(argc, argv, &b.o)) != BENCH_EXIT_OK) {
		explicit_bzero(b.o.password, sizeof(b.o.password));
		return st < 0 ? BENCH_EXIT_OK : st;
	}
	raise_nofile();
	if (b.o.idle > 0)
		st = bench_run_idle(&b);
	else
		st = bench_run(&b);
	explicit_bzero(b.o.password, sizeof(b.o.password));
	return st;
}
