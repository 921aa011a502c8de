/*
 * janitor.h - removes kept resumable uploads once they are older than
 * --resume-max-age: once at start, then periodically from a thread of its
 * own, while the server runs.
 */
#ifndef FTPD_JANITOR_H
#define FTPD_JANITOR_H

#include <pthread.h>
#include <stdbool.h>

struct store;

struct janitor {
	struct store *st;
	unsigned max_age;  /* seconds */
	unsigned interval; /* seconds between sweeps */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* CLOCK_MONOTONIC */
	bool stop;           /* under lock */
	bool running;        /* the thread was started */
};

/* Sweeps once now (logging what it removed), then starts the thread;
 * FTP_OK or an error (logged). */
int janitor_start(struct janitor *j, struct store *st, unsigned max_age);

/* Stops and joins the thread; fine if it never started. */
void janitor_stop(struct janitor *j);

#endif
