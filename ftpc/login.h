/*
 * login.h - who logs in: USER@HOST[:PORT] split in two.  (Whether a
 * password may go there without TLS is net_host_loopback()'s answer.)
 * No printing, no global state.
 */
#ifndef FTPC_LOGIN_H
#define FTPC_LOGIN_H

#include "proto_limits.h"

/*
 * Splits "USER@HOST[:PORT]" at its last '@' (a host never contains one, a
 * user name may): user gets USER (1 to PROTO_USER_MAX bytes of UTF-8
 * without ':') and *hostport points into arg after the '@'.  Without an
 * '@', user is "" and *hostport is arg.  FTP_E_USAGE if USER is empty, too long, not UTF-8 or
 * holds a ':'.
 */
int login_split(const char *arg, char user[PROTO_USER_MAX + 1],
		const char **hostport);

#endif
