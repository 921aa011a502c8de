/*
 * peers.c - connection counts per client address: a chained hash table
 * whose entries exist only while their address has a connection.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "peers.h"

/* A power of two; chains stay short even with every slot of
 * FTPD_MAX_CLIENTS_CEILING taken by a distinct address. */
#define PEERS_BUCKETS 4096u

struct peer {
	struct peer *next;
	unsigned count;
	char key[NET_ADDR_STR];
};

struct peers {
	struct peer *bucket[PEERS_BUCKETS];
};

struct peers *
peers_new(void)
{
	return calloc(1, sizeof(struct peers));
}

void
peers_free(struct peers *t)
{
	struct peer *p, *next;

	if (t == NULL)
		return;
	for (unsigned i = 0; i < PEERS_BUCKETS; i++)
		for (p = t->bucket[i]; p != NULL; p = next) {
			next = p->next;
			free(p);
		}
	free(t);
}

void
peers_key(const char *peer, char key[NET_ADDR_STR])
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon != NULL ? (size_t)(colon - peer) : strlen(peer);

	/* "[v6]:port" and "v4:port" both end in the port's colon. */
	if (n >= NET_ADDR_STR)
		n = NET_ADDR_STR - 1;
	memcpy(key, peer, n);
	key[n] = '\0';
}

/* FNV-1a: short keys, no adversary gains from collisions beyond a longer
 * chain among its own addresses. */
static struct peer **
slot(struct peers *t, const char *key)
{
	uint32_t h = 2166136261u;
	struct peer **pp;

	for (const char *c = key; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	pp = &t->bucket[h & (PEERS_BUCKETS - 1)];
	while (*pp != NULL && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->next;
	return pp;
}

int
peers_take(struct peers *t, const char *key, unsigned max)
{
	struct peer **pp = slot(t, key), *p = *pp;

	if (p != NULL) {
		if (p->count >= max)
			return FTP_E_BUSY;
		p->count++;
		return FTP_OK;
	}
	if (max == 0)
		return FTP_E_BUSY;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return FTP_E_NOMEM;
	p->count = 1;
	snprintf(p->key, sizeof(p->key), "%s", key);
	*pp = p;
	return FTP_OK;
}

void
peers_drop(struct peers *t, const char *key)
{
	struct peer **pp = slot(t, key), *p = *pp;

	if (p == NULL)
		return;
	if (--p->count == 0) {
		*pp = p->next;
		free(p);
	}
}
