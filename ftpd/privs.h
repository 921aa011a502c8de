/*
 * privs.h - giving up root: the daemon binds and opens what it needs as
 * root, then runs as an ordinary account for good.
 */
#ifndef FTPD_PRIVS_H
#define FTPD_PRIVS_H

struct config;

/* Refuses (FTP_E_USAGE, reason logged) to start as root without --user
 * NAME or --allow-root, and --user when not started as root. */
int privs_check(const struct config *cfg);

/* With --user: becomes that account (uid, gid, supplementary groups)
 * irrevocably, and checks root cannot be regained.  Call before any
 * thread starts.  FTP_OK, or an error with the reason logged. */
int privs_drop(const struct config *cfg);

#endif
