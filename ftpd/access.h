/*
 * access.h - who may do what: the policy checked once at start (where
 * anonymous service and plaintext passwords are allowed) and the one check
 * every request passes before its handler runs.
 */
#ifndef FTPD_ACCESS_H
#define FTPD_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct session;

/* What a request needs beyond a well-formed frame (struct command). */
#define ACCESS_ANYONE 0x0u  /* QUIT, LOGIN: allowed before a login */
#define ACCESS_READ 0x1u    /* LIST, GET, SUM: a logged-in user */
#define ACCESS_WRITE 0x2u   /* PUT: a user who may write */

/* Refuses, before anything is bound, a configuration that would serve
 * anonymously, or take passwords in the clear, on an address that is not
 * loopback without the operator saying so.  FTP_OK, or FTP_E_DENIED with
 * the reason logged. */
int access_check_listen(const struct config *cfg);

/*
 * The one permission check, before a request needing `needs` runs.
 * FTP_OK with *refused false: run it.  FTP_OK with *refused true: it has
 * been answered with ERROR DENIED (nothing of it was read, so no data
 * moves) and the session goes on.  An error: the session must end.
 */
int request_permitted(struct session *s, unsigned needs, const char *name,
		      uint32_t id, bool *refused);

#endif
