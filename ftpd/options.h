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

/* Longest --idle-timeout accepted, in seconds (one day). */
#define FTPD_IDLE_TIMEOUT_CEILING 86400
/* Connections one client address may hold at once: enough for a busy NAT,
 * few enough that one host cannot take every slot. */
#define FTPD_DEFAULT_MAX_PER_ADDRESS 64
/* Seconds transfers in flight get to finish after SIGTERM/SIGINT. */
#define FTPD_DEFAULT_SHUTDOWN_GRACE 10
#define FTPD_SHUTDOWN_GRACE_CEILING 3600
/* Seconds an interrupted upload is kept for a resume after its last
 * write. */
#define FTPD_DEFAULT_RESUME_MAX_AGE (24 * 3600)
#define FTPD_RESUME_MAX_AGE_CEILING (3650u * 24 * 3600)

struct config {
	const char *root;      /* directory served */
	char host[NET_HOST_MAX];
	char port[NET_PORT_MAX];
	const char *port_file; /* NULL: do not write one */
	unsigned max_clients;
	unsigned idle_timeout; /* seconds */
	unsigned max_per_address; /* connections from one IP address */
	unsigned shutdown_grace;  /* seconds, 0: abort transfers at once */
	unsigned resume_max_age;  /* seconds an interrupted upload is kept */
	/* TLS: all three NULL for plaintext; cert and key go together. */
	const char *tls_cert;
	const char *tls_key;
	const char *tls_client_ca;
	struct tls_config *tls; /* loaded by options_tls(), or NULL */
};

/*
 * Parses argv into cfg.  FTP_OK with *done false: run the server; FTP_OK
 * with *done true: --help or --version was printed, exit 0; FTP_E_USAGE:
 * the problem has been printed to stderr, exit 2.
 */
int options_parse(int argc, char **argv, struct config *cfg, bool *done);

/*
 * Loads and checks the TLS certificate and keys named on the command line
 * into cfg->tls (nothing to do without --tls-cert).  On failure the reason
 * has been logged: exit 1.  options_tls_free() releases it.
 */
int options_tls(struct config *cfg);
void options_tls_free(struct config *cfg);

#endif
