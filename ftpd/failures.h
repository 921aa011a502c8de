/*
 * failures.h - failed logins per client address, so that one address
 * cannot guess passwords faster than FTPD_LOGIN_FAILS_PER_ADDRESS per
 * FTPD_LOGIN_FAIL_WINDOW seconds, however many connections it opens.
 *
 * A fixed table of FTPD_LOGIN_TRACKED addresses: memory does not grow with
 * the number of attackers.  When it is full the stalest record is reused,
 * so an attacker with many addresses can only make the table forget, not
 * grow.  Locked inside: any session thread may call it.
 */
#ifndef FTPD_FAILURES_H
#define FTPD_FAILURES_H

#include <stdbool.h>

struct failures;

/* An empty table, or NULL if out of memory. */
struct failures *failures_new(void);
void failures_free(struct failures *t);

/* True if addr has had FTPD_LOGIN_FAILS_PER_ADDRESS failures within the
 * window ending now. */
bool failures_blocked(struct failures *t, const char *addr);

/* Counts one failure from addr. */
void failures_add(struct failures *t, const char *addr);

#endif
