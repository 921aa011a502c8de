/*
 * options.c - parsing and checking the daemon's command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"
#include "err.h"
#include "proto_limits.h"
#include "log.h"
#include "options.h"
#include "tls.h"
#include "users.h"

static void
usage_brief(FILE *out)
{
	fprintf(out,
	    "usage: ftpd --root DIR [--listen HOST:PORT] [--port-file FILE]\n"
	    "            [--max-clients N] [--idle-timeout SECONDS]\n"
	    "            [--stall-timeout SECONDS] [--login-timeout SECONDS]\n"
	    "            [--max-per-address N] [--shutdown-grace SECONDS]\n"
	    "            [--resume-max-age SECONDS]\n"
	    "            [--tls-cert FILE --tls-key FILE "
	    "[--tls-client-ca FILE]]\n"
	    "            [--users FILE | --anonymous] [--read-only]\n"
	    "            [--allow-plaintext-login] [--user NAME | "
	    "--allow-root] [--config FILE]\n"
	    "            [--transfer-log FILE] [--max-rate KIB]\n"
	    "       ftpd --hash-password\n"
	    "       ftpd --help | --version\n");
}

static void
usage_full(void)
{
	usage_brief(stdout);
	printf("\nServe the directory tree DIR over the ftpf protocol.\n\n"
	    "  -r, --root DIR            directory to serve (required)\n"
	    "  -l, --listen HOST:PORT    address to listen on (default %s:%s;\n"
	    "                            [::1]:PORT for IPv6; port 0: any)\n"
	    "  -p, --port-file FILE      write the bound port to FILE\n"
	    "  -m, --max-clients N       connections served at once, 1..%u\n"
	    "                            (default %u)\n"
	    "  -t, --idle-timeout SECS   wait for a request, 1..%u\n"
	    "                            (default %u)\n"
	    "      --stall-timeout SECS  a frame must arrive whole this long\n"
	    "                            after it began, and a write make\n"
	    "                            progress as often, 1..%u (default %u)\n"
	    "      --login-timeout SECS  with --users, log in this long after\n"
	    "                            connecting, 1..%u (default %u)\n"
	    "      --max-per-address N   connections from one IP address at\n"
	    "                            once, 1..%u (default %u)\n"
	    "      --shutdown-grace SECS on SIGTERM/SIGINT, time transfers in\n"
	    "                            flight get to finish, 0..%u (default\n"
	    "                            %u); idle sessions end at once\n"
	    "      --resume-max-age SECS keep an interrupted upload for a\n"
	    "                            resume this long after its last\n"
	    "                            write, 1..%u (default %u)\n"
	    "      --tls-cert FILE       serve TLS only (from the first\n"
	    "                            byte) with this PEM certificate chain\n"
	    "      --tls-key FILE        the certificate's PEM private key\n"
	    "      --tls-client-ca FILE  require client certificates signed\n"
	    "                            by this PEM CA (mutual TLS)\n"
	    "      --users FILE          require a login; one account a line:\n"
	    "                            name:crypt-hash:root:rw|ro, root a\n"
	    "                            directory beneath --root\n"
	    "      --anonymous           serve without logins on an address\n"
	    "                            that is not loopback\n"
	    "      --read-only           nobody may change the tree\n"
	    "      --allow-plaintext-login  accept passwords without TLS on\n"
	    "                            an address that is not loopback\n"
	    "      --user NAME           started as root: bind, then run as\n"
	    "                            NAME with its groups\n"
	    "      --allow-root          keep running as root (not advised)\n"
	    "      --hash-password       read a password (no echo) and print\n"
	    "                            its hash for a users file\n"
	    "      --max-rate KIB        cap each download and upload at KIB\n"
	    "                            KiB/s, %u..%u (default: no cap)\n"
	    "      --transfer-log FILE   append a line per GET and PUT to FILE\n"
	    "                            (xferlog fields, the name quoted)\n"
	    "      --config FILE         read options from FILE first, one\n"
	    "                            'name = value' a line (long option\n"
	    "                            names; yes/no for switches); the\n"
	    "                            command line wins\n"
	    "  -h, --help                show this help\n"
	    "  -V, --version             show the version\n",
	    FTPD_DEFAULT_HOST, FTPD_DEFAULT_PORT, FTPD_MAX_CLIENTS_CEILING,
	    FTPD_DEFAULT_MAX_CLIENTS, FTPD_IDLE_TIMEOUT_CEILING,
	    FTPD_DEFAULT_IDLE_TIMEOUT, FTPD_TIMEOUT_CEILING,
	    FTPD_DEFAULT_STALL_TIMEOUT, FTPD_TIMEOUT_CEILING,
	    FTPD_DEFAULT_LOGIN_TIMEOUT, FTPD_MAX_CLIENTS_CEILING,
	    FTPD_DEFAULT_MAX_PER_ADDRESS, FTPD_SHUTDOWN_GRACE_CEILING,
	    FTPD_DEFAULT_SHUTDOWN_GRACE, FTPD_RESUME_MAX_AGE_CEILING,
	    FTPD_DEFAULT_RESUME_MAX_AGE, FTPD_MAX_RATE_FLOOR,
	    FTPD_MAX_RATE_CEILING);
	printf("\nLimits (proto/proto_limits.h):\n"
	    "  protocol version          %d\n"
	    "  frame header              %d bytes\n"
	    "  frame body (DATA)         %u bytes\n"
	    "  frame body (other)        %u bytes\n"
	    "  DATA chunk sent           %u bytes\n"
	    "  path / name               %d / %d bytes\n"
	    "  user name / password      %d / %d bytes\n"
	    "  ERROR message             %d bytes\n"
	    "  software string           %d bytes\n"
	    "  limit pairs in HELLO_OK   %d\n"
	    "  entries per ENTRIES       %d\n"
	    "  clients / per address     --max-clients / --max-per-address\n"
	    "  idle / stall / login      --idle-timeout / --stall-timeout /\n"
	    "                            --login-timeout\n"
	    "  HELLO deadline            %d s from connect\n"
	    "  failed logins             %d per connection; %d per address\n"
	    "                            per %d s; each answered after %d ms\n"
	    "  users file                %d accounts, %d bytes a line\n"
	    "  listen backlog            %d\n"
	    "  thread stack              %u bytes (%u sanitized)\n",
	    PROTO_VERSION, PROTO_HEADER_SIZE, PROTO_FRAME_MAX,
	    PROTO_CONTROL_MAX, PROTO_DATA_CHUNK, PROTO_PATH_MAX,
	    PROTO_NAME_MAX, PROTO_USER_MAX, PROTO_PASSWORD_MAX,
	    PROTO_MESSAGE_MAX, PROTO_SOFTWARE_MAX, PROTO_LIMITS_MAX,
	    PROTO_LIST_BATCH, FTPD_HELLO_TIMEOUT, FTPD_LOGIN_ATTEMPTS,
	    FTPD_LOGIN_FAILS_PER_ADDRESS, FTPD_LOGIN_FAIL_WINDOW,
	    FTPD_LOGIN_FAIL_DELAY_MS, FTPD_USERS_MAX, FTPD_USERS_LINE_MAX,
	    FTPD_LISTEN_BACKLOG, FTPD_THREAD_STACK,
	    FTPD_THREAD_STACK_SANITIZED);
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ftpd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ftpd --help' for more information.\n");
	return FTP_E_USAGE;
}

/* Decimal digits only (no sign, space or suffix), within [lo, hi]. */
static int
parse_uint(const char *s, unsigned long lo, unsigned long hi,
	   unsigned long *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return FTP_E_BAD_VALUE;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return FTP_E_BAD_VALUE;
	*out = (unsigned long)v;
	return FTP_OK;
}

static int
parse_number(const char *opt, const char *arg, unsigned long hi,
	     unsigned *out)
{
	unsigned long v;

	if (parse_uint(arg, 1, hi, &v) != FTP_OK)
		return usage_error("%s: '%s' is not a whole number from 1 to "
		    "%lu", opt, arg, hi);
	*out = (unsigned)v;
	return FTP_OK;
}

static int
parse_rate(const char *arg, unsigned *out)
{
	unsigned long v;

	if (parse_uint(arg, FTPD_MAX_RATE_FLOOR, FTPD_MAX_RATE_CEILING, &v) !=
	    FTP_OK)
		return usage_error("--max-rate: '%s' is not a whole number of "
		    "KiB/s from %u to %u", arg, FTPD_MAX_RATE_FLOOR,
		    FTPD_MAX_RATE_CEILING);
	*out = (unsigned)v;
	return FTP_OK;
}

/* --shutdown-grace: unlike the other numbers, 0 makes sense (no grace). */
static int
parse_grace(const char *arg, unsigned *out)
{
	unsigned long v;

	if (parse_uint(arg, 0, FTPD_SHUTDOWN_GRACE_CEILING, &v) != FTP_OK)
		return usage_error("--shutdown-grace: '%s' is not a whole number "
		    "from 0 to %u", arg, FTPD_SHUTDOWN_GRACE_CEILING);
	*out = (unsigned)v;
	return FTP_OK;
}

static int
parse_listen(const char *arg, struct config *cfg)
{
	unsigned long port;

	if (net_split_hostport(arg, FTPD_DEFAULT_PORT, cfg->host,
	    cfg->port) != FTP_OK || cfg->host[0] == '\0')
		return usage_error("--listen: '%s' is not HOST:PORT or "
		    "[IPV6]:PORT", arg);
	if (parse_uint(cfg->port, 0, 65535, &port) != FTP_OK)
		return usage_error("--listen: port '%s' is not a number from "
		    "0 to 65535", cfg->port);
	return FTP_OK;
}

/* Long options without a short form. */
enum {
	OPT_TLS_CERT = 256,
	OPT_TLS_KEY,
	OPT_TLS_CLIENT_CA,
	OPT_MAX_PER_ADDRESS,
	OPT_SHUTDOWN_GRACE,
	OPT_RESUME_MAX_AGE,
	OPT_USERS,
	OPT_ANONYMOUS,
	OPT_READ_ONLY,
	OPT_ALLOW_PLAINTEXT_LOGIN,
	OPT_USER,
	OPT_ALLOW_ROOT,
	OPT_HASH_PASSWORD,
	OPT_STALL_TIMEOUT,
	OPT_LOGIN_TIMEOUT,
	OPT_CONFIG,
	OPT_TRANSFER_LOG,
	OPT_MAX_RATE,
};

static const struct option long_opts[] = {
	{"root", required_argument, NULL, 'r'},
	{"listen", required_argument, NULL, 'l'},
	{"port-file", required_argument, NULL, 'p'},
	{"max-clients", required_argument, NULL, 'm'},
	{"idle-timeout", required_argument, NULL, 't'},
	{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
	{"tls-key", required_argument, NULL, OPT_TLS_KEY},
	{"tls-client-ca", required_argument, NULL, OPT_TLS_CLIENT_CA},
	{"max-per-address", required_argument, NULL, OPT_MAX_PER_ADDRESS},
	{"shutdown-grace", required_argument, NULL, OPT_SHUTDOWN_GRACE},
	{"resume-max-age", required_argument, NULL, OPT_RESUME_MAX_AGE},
	{"users", required_argument, NULL, OPT_USERS},
	{"anonymous", no_argument, NULL, OPT_ANONYMOUS},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"allow-plaintext-login", no_argument, NULL,
	    OPT_ALLOW_PLAINTEXT_LOGIN},
	{"user", required_argument, NULL, OPT_USER},
	{"allow-root", no_argument, NULL, OPT_ALLOW_ROOT},
	{"hash-password", no_argument, NULL, OPT_HASH_PASSWORD},
	{"stall-timeout", required_argument, NULL, OPT_STALL_TIMEOUT},
	{"login-timeout", required_argument, NULL, OPT_LOGIN_TIMEOUT},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"transfer-log", required_argument, NULL, OPT_TRANSFER_LOG},
	{"max-rate", required_argument, NULL, OPT_MAX_RATE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int
apply_option(int c, const char *arg, struct config *cfg, bool *done)
{
	switch (c) {
	case 'r':
		cfg->root = arg;
		return FTP_OK;
	case 'l':
		return parse_listen(arg, cfg);
	case 'p':
		cfg->port_file = arg;
		return FTP_OK;
	case 'm':
		return parse_number("--max-clients", arg,
		    FTPD_MAX_CLIENTS_CEILING, &cfg->max_clients);
	case 't':
		return parse_number("--idle-timeout", arg,
		    FTPD_IDLE_TIMEOUT_CEILING, &cfg->idle_timeout);
	case OPT_TRANSFER_LOG:
		cfg->transfer_log = arg;
		return FTP_OK;
	case OPT_MAX_RATE:
		return parse_rate(arg, &cfg->max_rate);
	case OPT_CONFIG:
		return FTP_OK; /* read before the command line: config_load() */
	case OPT_STALL_TIMEOUT:
		return parse_number("--stall-timeout", arg,
		    FTPD_TIMEOUT_CEILING, &cfg->stall_timeout);
	case OPT_LOGIN_TIMEOUT:
		return parse_number("--login-timeout", arg,
		    FTPD_TIMEOUT_CEILING, &cfg->login_timeout);
	case OPT_MAX_PER_ADDRESS:
		return parse_number("--max-per-address", arg,
		    FTPD_MAX_CLIENTS_CEILING, &cfg->max_per_address);
	case OPT_SHUTDOWN_GRACE:
		return parse_grace(arg, &cfg->shutdown_grace);
	case OPT_RESUME_MAX_AGE:
		return parse_number("--resume-max-age", arg,
		    FTPD_RESUME_MAX_AGE_CEILING, &cfg->resume_max_age);
	case OPT_TLS_CERT:
		cfg->tls_cert = arg;
		return FTP_OK;
	case OPT_TLS_KEY:
		cfg->tls_key = arg;
		return FTP_OK;
	case OPT_TLS_CLIENT_CA:
		cfg->tls_client_ca = arg;
		return FTP_OK;
	case OPT_USERS:
		cfg->users_file = arg;
		return FTP_OK;
	case OPT_ANONYMOUS:
		cfg->anonymous = true;
		return FTP_OK;
	case OPT_READ_ONLY:
		cfg->read_only = true;
		return FTP_OK;
	case OPT_ALLOW_PLAINTEXT_LOGIN:
		cfg->allow_plaintext_login = true;
		return FTP_OK;
	case OPT_USER:
		cfg->run_as = arg;
		return FTP_OK;
	case OPT_ALLOW_ROOT:
		cfg->allow_root = true;
		return FTP_OK;
	case OPT_HASH_PASSWORD:
		cfg->hash_password = true;
		return FTP_OK;
	case 'h':
		usage_full();
		*done = true;
		return FTP_OK;
	case 'V':
		printf("ftpd %s\n", FTPF_VERSION);
		*done = true;
		return FTP_OK;
	case ':':
		return usage_error("option '%s' needs an argument", arg);
	default:
		return usage_error("invalid option '%s'", arg);
	}
}

/* The option getopt complained about: the argument it stopped at for a
 * long one, optopt for a short one (which may sit inside a cluster). */
static const char *
bad_option(char **argv, char short_opt[3])
{
	if (optopt == 0 || strncmp(argv[optind - 1], "--", 2) == 0)
		return argv[optind - 1];
	short_opt[0] = '-';
	short_opt[1] = (char)optopt;
	short_opt[2] = '\0';
	return short_opt;
}

static void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->host, sizeof(cfg->host), "%s", FTPD_DEFAULT_HOST);
	snprintf(cfg->port, sizeof(cfg->port), "%s", FTPD_DEFAULT_PORT);
	cfg->max_clients = FTPD_DEFAULT_MAX_CLIENTS;
	cfg->idle_timeout = FTPD_DEFAULT_IDLE_TIMEOUT;
	cfg->stall_timeout = FTPD_DEFAULT_STALL_TIMEOUT;
	cfg->login_timeout = FTPD_DEFAULT_LOGIN_TIMEOUT;
	cfg->max_per_address = FTPD_DEFAULT_MAX_PER_ADDRESS;
	cfg->shutdown_grace = FTPD_DEFAULT_SHUTDOWN_GRACE;
	cfg->resume_max_age = FTPD_DEFAULT_RESUME_MAX_AGE;
	cfg->login_fail_delay_ms = FTPD_LOGIN_FAIL_DELAY_MS;
	cfg->transfer_log_fd = -1;
}

/* Options that make no sense in a file. */
static bool
config_key_allowed(const struct option *o)
{
	return o->val != 'h' && o->val != 'V' && o->val != OPT_CONFIG &&
	    o->val != OPT_HASH_PASSWORD;
}

static int
config_apply(const struct config_entry *e, void *arg,
	     char why[CONFIG_WHY_MAX])
{
	struct config *cfg = arg;
	const char *file = cfg->config_file;
	const struct option *o;
	bool done = false;
	int r;

	for (o = long_opts; o->name != NULL; o++)
		if (strcmp(o->name, e->key) == 0 && config_key_allowed(o))
			break;
	if (o->name == NULL) {
		snprintf(why, CONFIG_WHY_MAX, "%s:%u: unknown key '%s'", file,
		    e->line, e->key);
		return FTP_E_USAGE;
	}
	if (o->has_arg == no_argument) {
		if (strcmp(e->value, "no") == 0 || strcmp(e->value, "false") == 0)
			return FTP_OK;
		if (e->value[0] != '\0' && strcmp(e->value, "yes") != 0 &&
		    strcmp(e->value, "true") != 0) {
			snprintf(why, CONFIG_WHY_MAX, "%s:%u: %s takes yes or "
			    "no, not '%s'", file, e->line, e->key, e->value);
			return FTP_E_USAGE;
		}
	} else if (e->value[0] == '\0') {
		snprintf(why, CONFIG_WHY_MAX, "%s:%u: %s needs a value", file,
		    e->line, e->key);
		return FTP_E_USAGE;
	}
	r = apply_option(o->val, e->value, cfg, &done);
	if (r != FTP_OK)
		snprintf(why, CONFIG_WHY_MAX, "(in %s, line %u)", file,
		    e->line);
	return r;
}

/* --config FILE, found before the command line is parsed so that the
 * command line can override the file. */
static int
config_load(int argc, char **argv, struct config *cfg)
{
	char why[CONFIG_WHY_MAX];
	int r;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			cfg->config_file = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			cfg->config_file = argv[i] + 9;
	}
	if (cfg->config_file == NULL)
		return FTP_OK;
	r = config_file_read(cfg->config_file, &cfg->config_text,
	    config_apply, cfg, why);
	if (r != FTP_OK)
		fprintf(stderr, "ftpd: %s\n", why);
	return r == FTP_OK ? FTP_OK : FTP_E_USAGE;
}

void
options_free(struct config *cfg)
{
	free(cfg->config_text);
	cfg->config_text = NULL;
	if (cfg->transfer_log_fd >= 0)
		close(cfg->transfer_log_fd);
	cfg->transfer_log_fd = -1;
}

int
options_transfer_log(struct config *cfg)
{
	int fd;

	if (cfg->transfer_log == NULL)
		return FTP_OK;
	fd = open(cfg->transfer_log, O_WRONLY | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_msg("--transfer-log %s: %s", cfg->transfer_log,
		    strerror(errno));
		return FTP_E_SYSTEM;
	}
	cfg->transfer_log_fd = fd;
	return FTP_OK;
}

int
options_parse(int argc, char **argv, struct config *cfg, bool *done)
{
	char short_opt[3];
	int c, r;

	config_defaults(cfg);
	*done = false;
	if ((r = config_load(argc, argv, cfg)) != FTP_OK)
		return r;
	/* getopt's own messages would name argv[0]; ours say "ftpd". */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:l:p:m:t:hV", long_opts,
	    NULL)) != -1) {
		r = apply_option(c, c == '?' || c == ':' ?
		    bad_option(argv, short_opt) : optarg, cfg, done);
		if (r != FTP_OK)
			return r;
		if (*done)
			return FTP_OK;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (cfg->hash_password)
		return FTP_OK;
	if (cfg->root == NULL || cfg->root[0] == '\0')
		return usage_error("--root DIR is required");
	if (cfg->port_file != NULL && cfg->port_file[0] == '\0')
		return usage_error("--port-file: empty file name");
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL))
		return usage_error("--tls-cert and --tls-key go together");
	if (cfg->tls_client_ca != NULL && cfg->tls_cert == NULL)
		return usage_error("--tls-client-ca needs --tls-cert and "
		    "--tls-key");
	if (cfg->users_file != NULL && cfg->anonymous)
		return usage_error("--users and --anonymous exclude each other");
	if (cfg->users_file != NULL && cfg->users_file[0] == '\0')
		return usage_error("--users: empty file name");
	if (cfg->run_as != NULL && cfg->allow_root)
		return usage_error("--user and --allow-root exclude each other");
	return FTP_OK;
}

int
options_tls(struct config *cfg)
{
	struct tls_server_opts o = {
		.cert = cfg->tls_cert,
		.key = cfg->tls_key,
		.client_ca = cfg->tls_client_ca,
	};
	char why[TLS_ERR_MAX];
	int r;

	if (cfg->tls_cert == NULL)
		return FTP_OK;
	if ((r = tls_server_config(&o, &cfg->tls, why)) != FTP_OK)
		log_msg("TLS: %s", why);
	return r;
}

void
options_tls_free(struct config *cfg)
{
	tls_config_free(cfg->tls);
	cfg->tls = NULL;
}

int
options_users(struct config *cfg)
{
	char why[USERS_WHY_MAX];
	int r;

	if (cfg->users_file == NULL)
		return FTP_OK;
	if ((r = users_load(cfg->users_file, &cfg->users, why)) != FTP_OK)
		log_msg("users: %s", why);
	else
		log_msg("users: %zu account%s from %s",
		    users_count(cfg->users),
		    users_count(cfg->users) == 1 ? "" : "s", cfg->users_file);
	return r;
}

void
options_users_free(struct config *cfg)
{
	users_free(cfg->users);
	cfg->users = NULL;
}
