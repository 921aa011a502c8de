/*
 * janitor.c - the periodic sweep of stale resumable uploads.
 *
 * The store does the work (stor_sweep_partials() skips an upload in use:
 * it holds its lock); this thread only paces it, at a quarter of the
 * maximum age (between 1 s and 1 h), so a partial outlives its age by at
 * most that much.  It blocks every signal: the server reads them from a
 * signalfd.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "janitor.h"
#include "log.h"
#include "store.h"

#define JANITOR_INTERVAL_MAX 3600

static void
sweep(struct janitor *j)
{
	unsigned removed = 0;
	int r;

	if ((r = stor_sweep_partials(j->st, j->max_age, &removed)) < 0)
		log_msg("cannot sweep interrupted uploads: %s", strerror(-r));
	if (removed > 0)
		log_msg("removed %u interrupted upload%s older than %u s",
		    removed, removed == 1 ? "" : "s", j->max_age);
}

static void *
janitor_thread(void *arg)
{
	struct janitor *j = arg;
	struct timespec until;

	pthread_mutex_lock(&j->lock);
	while (!j->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += j->interval;
		while (!j->stop && pthread_cond_timedwait(&j->wake, &j->lock,
		    &until) != ETIMEDOUT)
			;
		if (j->stop)
			break;
		pthread_mutex_unlock(&j->lock);
		sweep(j);
		pthread_mutex_lock(&j->lock);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

static int
janitor_sync_init(struct janitor *j)
{
	pthread_condattr_t ca;
	int r;

	if ((r = pthread_condattr_init(&ca)) != 0)
		return r;
	if ((r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) == 0 &&
	    (r = pthread_cond_init(&j->wake, &ca)) == 0 &&
	    (r = pthread_mutex_init(&j->lock, NULL)) != 0)
		pthread_cond_destroy(&j->wake);
	pthread_condattr_destroy(&ca);
	return r;
}

int
janitor_start(struct janitor *j, struct store *st, unsigned max_age)
{
	sigset_t all, old;
	int r;

	memset(j, 0, sizeof(*j));
	j->st = st;
	j->max_age = max_age;
	j->interval = max_age / 4;
	if (j->interval < 1)
		j->interval = 1;
	if (j->interval > JANITOR_INTERVAL_MAX)
		j->interval = JANITOR_INTERVAL_MAX;
	sweep(j);
	if ((r = janitor_sync_init(j)) != 0) {
		log_msg("cannot start the janitor: %s", strerror(r));
		return FTP_E_SYSTEM;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&j->thread, NULL, janitor_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		log_msg("cannot start the janitor: %s", strerror(r));
		pthread_cond_destroy(&j->wake);
		pthread_mutex_destroy(&j->lock);
		return FTP_E_SYSTEM;
	}
	j->running = true;
	return FTP_OK;
}

void
janitor_stop(struct janitor *j)
{
	if (!j->running)
		return;
	pthread_mutex_lock(&j->lock);
	j->stop = true;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	pthread_cond_destroy(&j->wake);
	pthread_mutex_destroy(&j->lock);
	j->running = false;
}
