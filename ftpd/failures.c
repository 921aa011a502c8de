/*
 * failures.c - failed-login counts per address in a fixed, open-addressed
 * table; each record counts failures since its window began.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "failures.h"
#include "net.h"
#include "proto_limits.h"

/* Slots looked at for one address before the stalest is reused. */
#define FAILURES_PROBE 8

struct record {
	char addr[NET_ADDR_STR]; /* "" for a free slot */
	unsigned count;
	time_t since;            /* CLOCK_MONOTONIC seconds: window start */
};

struct failures {
	pthread_mutex_t lock;
	struct record slot[FTPD_LOGIN_TRACKED];
};

struct failures *
failures_new(void)
{
	struct failures *t = calloc(1, sizeof(*t));

	if (t != NULL && pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t);
		t = NULL;
	}
	return t;
}

void
failures_free(struct failures *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static time_t
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* FNV-1a: spreads similar addresses over the table. */
static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static bool
expired(const struct record *r, time_t now)
{
	return now - r->since >= FTPD_LOGIN_FAIL_WINDOW;
}

/* addr's record, or with create a fresh one in a free, expired or else
 * the stalest slot; NULL if there is none and !create.  Under the lock. */
static struct record *
lookup(struct failures *t, const char *addr, time_t now, bool create)
{
	struct record *victim = NULL, *r;
	uint32_t h = hash(addr);

	for (unsigned i = 0; i < FAILURES_PROBE; i++) {
		r = &t->slot[(h + i) % FTPD_LOGIN_TRACKED];
		if (r->addr[0] != '\0' && strcmp(r->addr, addr) == 0) {
			if (expired(r, now)) {
				r->count = 0;
				r->since = now;
			}
			return r;
		}
		if (r->addr[0] == '\0' || expired(r, now))
			victim = r;
		else if (victim == NULL || (victim->addr[0] != '\0' &&
		    r->since < victim->since))
			victim = r;
	}
	if (!create)
		return NULL;
	snprintf(victim->addr, sizeof(victim->addr), "%s", addr);
	victim->count = 0;
	victim->since = now;
	return victim;
}

bool
failures_reserve(struct failures *t, const char *addr)
{
	struct record *r;
	bool ok;

	pthread_mutex_lock(&t->lock);
	r = lookup(t, addr, now_seconds(), true);
	ok = r->count < FTPD_LOGIN_FAILS_PER_ADDRESS;
	if (ok)
		r->count++;
	pthread_mutex_unlock(&t->lock);
	return ok;
}

void
failures_release(struct failures *t, const char *addr)
{
	struct record *r;

	pthread_mutex_lock(&t->lock);
	r = lookup(t, addr, now_seconds(), false);
	if (r != NULL && r->count > 0)
		r->count--;
	pthread_mutex_unlock(&t->lock);
}
