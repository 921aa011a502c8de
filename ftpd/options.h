/*
 * options.h - the daemon's command line and the configuration it yields.
 *
 * The configuration is filled once by options_parse() and never changes
 * after; every thread reads it through a const pointer.
 */
#ifndef FTPD_OPTIONS_H
#define FTPD_OPTIONS_H

#include <stdbool.h>

#include "net.h"

struct tls_config;
struct users;

struct config {
	const char *root;      /* directory served */
	char host[NET_HOST_MAX];
	char port[NET_PORT_MAX];
	const char *port_file; /* NULL: do not write one */
	unsigned max_clients;
	unsigned idle_timeout; /* seconds */
	unsigned stall_timeout; /* seconds for a frame once begun */
	unsigned login_timeout; /* seconds from connect to a LOGIN */
	unsigned max_per_address; /* connections from one IP address */
	unsigned shutdown_grace;  /* seconds, 0: abort transfers at once */
	unsigned resume_max_age;  /* seconds an interrupted upload is kept */
	/* TLS: all three NULL for plaintext; cert and key go together. */
	const char *tls_cert;
	const char *tls_key;
	const char *tls_client_ca;
	struct tls_config *tls; /* loaded by options_tls(), or NULL */
	/* Who may log in: NULL users serves anonymously. */
	const char *users_file;
	struct users *users;    /* loaded by options_users(), or NULL */
	bool anonymous;         /* anonymous beyond loopback: said so */
	bool read_only;         /* nobody writes, whatever the users file */
	bool allow_plaintext_login;
	unsigned login_fail_delay_ms; /* FTPD_LOGIN_FAIL_DELAY_MS */
	/* Privileges: the account to become once bound, and whether staying
	 * root without one is what the operator wants. */
	const char *run_as;
	bool allow_root;
	bool hash_password;     /* --hash-password: print a hash, exit */
	const char *config_file; /* --config, or NULL */
	unsigned max_rate;        /* --max-rate, KiB/s a transfer; 0: none */
	const char *transfer_log; /* --transfer-log, or NULL */
	int transfer_log_fd;    /* opened by options_transfer_log(), or -1 */
	char *config_text;      /* its text, which string options point into */
};

/*
 * Parses argv into cfg.  FTP_OK with *done false: run the server; FTP_OK
 * with *done true: --help or --version was printed, exit 0; FTP_E_USAGE:
 * the problem has been printed to stderr, exit 2.
 */
int options_parse(int argc, char **argv, struct config *cfg, bool *done);

/* Frees what options_parse() allocated (the --config file's text) and
 * closes the transfer log. */
void options_free(struct config *cfg);

/* Opens --transfer-log FILE for appending (nothing to do without it),
 * before privileges are dropped; on failure the reason is logged. */
int options_transfer_log(struct config *cfg);

/*
 * Loads and checks the TLS certificate and keys named on the command line
 * into cfg->tls (nothing to do without --tls-cert).  On failure the reason
 * has been logged: exit 1.  options_tls_free() releases it.
 */
int options_tls(struct config *cfg);
void options_tls_free(struct config *cfg);

/* Loads --users FILE into cfg->users (nothing to do without it); on
 * failure the reason has been logged: exit 1. */
int options_users(struct config *cfg);
void options_users_free(struct config *cfg);

#endif
