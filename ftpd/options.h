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

/* Longest --idle-timeout accepted, in seconds (one day). */
#define FTPD_IDLE_TIMEOUT_CEILING 86400

struct config {
	const char *root;      /* directory served */
	char host[NET_HOST_MAX];
	char port[NET_PORT_MAX];
	const char *port_file; /* NULL: do not write one */
	unsigned max_clients;
	unsigned idle_timeout; /* seconds */
};

/*
 * Parses argv into cfg.  FTP_OK with *done false: run the server; FTP_OK
 * with *done true: --help or --version was printed, exit 0; FTP_E_USAGE:
 * the problem has been printed to stderr, exit 2.
 */
int options_parse(int argc, char **argv, struct config *cfg, bool *done);

#endif
