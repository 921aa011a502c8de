/*
 * failures.h - failed logins per client address, so that one address
 * cannot guess passwords faster than FTPD_LOGIN_FAILS_PER_ADDRESS per
 * FTPD_LOGIN_FAIL_WINDOW seconds, however many connections it opens.  A
 * window starts at an address's first failure and lasts that long.
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

/* Counts a login attempt from addr as a failure before its password is
 * checked, so that attempts racing on many connections are counted too:
 * false (nothing counted) if addr already has FTPD_LOGIN_FAILS_PER_ADDRESS
 * in its current window of FTPD_LOGIN_FAIL_WINDOW seconds. */
bool failures_reserve(struct failures *t, const char *addr);

/* The attempt succeeded: takes back what failures_reserve() counted. */
void failures_release(struct failures *t, const char *addr);

#endif
