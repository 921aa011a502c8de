/*
 * login.h - who logs in, and whether a password may go there without TLS:
 * USER@HOST[:PORT] split in two, and every address a host resolves to
 * checked for loopback (where a plaintext password never leaves the
 * machine).  No printing, no global state.
 */
#ifndef FTPC_LOGIN_H
#define FTPC_LOGIN_H

#include "net.h"
#include "proto_limits.h"

/*
 * Splits "USER@HOST[:PORT]" at its last '@' (a host never contains one, a
 * user name may): user gets USER (1 to PROTO_USER_MAX bytes of UTF-8
 * without ':') and *hostport points into arg after the '@'.  Without an '@', user is "" and
 * *hostport is arg.  FTP_E_USAGE if USER is empty, too long, not UTF-8 or
 * holds a ':'.
 */
int login_split(const char *arg, char user[PROTO_USER_MAX + 1],
		const char **hostport);

/*
 * Resolves host:port as net_connect() does and checks that every address
 * it may try is loopback (net_addr_is_loopback()).  FTP_OK if so;
 * FTP_E_DENIED if one is not (addr gets it, numeric); the resolver's error
 * (FTP_E_ADDRESS, FTP_E_NETWORK...) if host does not resolve.  Connects to
 * nothing.
 */
int login_host_loopback(const char *host, const char *port,
			char addr[NET_ADDR_STR]);

#endif
