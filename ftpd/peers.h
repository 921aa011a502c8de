/*
 * peers.h - how many connections each client address holds, for
 * --max-per-address.
 *
 * Not locked: the server calls it under its registry lock.  Memory is
 * proportional to the number of distinct addresses connected right now.
 */
#ifndef FTPD_PEERS_H
#define FTPD_PEERS_H

#include <stdbool.h>

#include "net.h"

struct peers;

/* An empty table, or NULL if out of memory. */
struct peers *peers_new(void);
void peers_free(struct peers *t);

/* The address part of "addr:port" or "[v6]:port", written to key. */
void peers_key(const char *peer, char key[NET_ADDR_STR]);

/* Counts one more connection from key unless it already holds max:
 * FTP_OK, FTP_E_BUSY (at the limit) or FTP_E_NOMEM. */
int peers_take(struct peers *t, const char *key, unsigned max);

/* Forgets one connection from key (taken before). */
void peers_drop(struct peers *t, const char *key);

#endif
