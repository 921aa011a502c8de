/*
 * access.c - the access policy: listener checks at start, and
 * request_permitted() for every request.
 */
#include <stdio.h>

#include "access.h"
#include "err.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "proto_limits.h"
#include "reply.h"
#include "session.h"

int
access_check_listen(const struct config *cfg)
{
	char other[NET_ADDR_STR];

	if (net_host_loopback(cfg->host, cfg->port, true, other) == FTP_OK)
		return FTP_OK;
	if (cfg->users == NULL && !cfg->anonymous) {
		log_msg("refusing to serve anonymously on %s, which is not a "
		    "loopback address: give --users FILE, or --anonymous if "
		    "anyone who can reach it may use it", cfg->host);
		return FTP_E_DENIED;
	}
	if (cfg->users != NULL && cfg->tls == NULL &&
	    !cfg->allow_plaintext_login) {
		log_msg("refusing to take passwords in plaintext on %s, which "
		    "is not a loopback address: give --tls-cert and --tls-key, "
		    "or --allow-plaintext-login", cfg->host);
		return FTP_E_DENIED;
	}
	return FTP_OK;
}

static int
deny(struct session *s, const char *name, uint32_t id, const char *why,
     bool *refused)
{
	log_msg("%s denied %s: %s", s->peer, name, why);
	*refused = true;
	return reply_error(s, id, FTP_E_DENIED, "%s", why);
}

int
request_permitted(struct session *s, unsigned needs, const char *name,
		  uint32_t id, bool *refused)
{
	*refused = false;
	if (needs == ACCESS_ANYONE)
		return FTP_OK;
	if (s->store == NULL && ++s->prelogin_denials > FTPD_PRELOGIN_REQUESTS)
		return session_fail(s, FTP_E_DENIED, "too many requests before "
		    "login");
	if (s->store == NULL)
		return deny(s, name, id, "login required", refused);
	if ((needs & ACCESS_WRITE) != 0 && !s->can_write)
		return deny(s, name, id, "permission denied: read-only "
		    "access", refused);
	return FTP_OK;
}
