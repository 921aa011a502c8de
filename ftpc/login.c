/*
 * login.c - who logs in, and whether a password may go there without TLS.
 *
 * The address check runs before anything is connected, on the addresses
 * the name resolves to (a name such as "localhost" can resolve anywhere),
 * and every one must be loopback because net_connect() may try each.  The
 * session library checks the connected peer once more before it sends a
 * password (ftpc_login()), so a name that resolves differently the second
 * time still cannot carry one off the machine.
 */
#include <errno.h>
#include <netdb.h>
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

/* getaddrinfo() failures as net_connect() reports them. */
static int
resolve_err(int g)
{
	switch (g) {
	case EAI_MEMORY:
		return FTP_E_NOMEM;
	case EAI_SYSTEM:
		return ftp_err_from_errno(errno);
	case EAI_AGAIN:
	case EAI_FAIL:
		return FTP_E_NETWORK;
	default:
		return FTP_E_ADDRESS;
	}
}

int
login_host_loopback(const char *host, const char *port,
    char addr[NET_ADDR_STR])
{
	struct addrinfo hints = { 0 }, *res, *ai;
	int g, r = FTP_OK;

	addr[0] = '\0';
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((g = getaddrinfo(host, port, &hints, &res)) != 0)
		return resolve_err(g);
	for (ai = res; ai != NULL && r == FTP_OK; ai = ai->ai_next)
		if (!net_addr_is_loopback(ai->ai_addr)) {
			net_format_addr(ai->ai_addr, ai->ai_addrlen, addr);
			r = FTP_E_DENIED;
		}
	freeaddrinfo(res);
	return r;
}
