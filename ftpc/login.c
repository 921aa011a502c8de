/*
 * login.c - who logs in, and whether a password may go there without TLS.
 *
 * The address check (net_host_loopback()) runs before anything is
 * connected, on the addresses the name resolves to (a name such as
 * "localhost" can resolve anywhere), and every one must be loopback because
 * net_connect() may try each.  The session library checks the connected
 * peer once more before it sends a password (ftpc_login()), so a name that
 * resolves differently the second time still cannot carry one off the
 * machine.
 */
#include <string.h>

#include "buf.h"
#include "err.h"
#include "login.h"

int
login_split(const char *arg, char user[PROTO_USER_MAX + 1],
    const char **hostport)
{
	const char *at = strrchr(arg, '@');
	size_t n;

	user[0] = '\0';
	*hostport = arg;
	if (at == NULL)
		return FTP_OK;
	n = (size_t)(at - arg);
	/* No ':' in a name (ftpd's users file could not hold one): what
	 * follows one in "user:secret@host" would be a password on the
	 * command line. */
	if (n == 0 || n > PROTO_USER_MAX || !utf8_valid(arg, n) ||
	    memchr(arg, ':', n) != NULL)
		return FTP_E_USAGE;
	memcpy(user, arg, n);
	user[n] = '\0';
	*hostport = at + 1;
	return FTP_OK;
}
