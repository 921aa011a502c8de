/*
 * bench_idle.c - `ftpc bench --idle`: idle connections held, then used.
 *
 * An --idle run needs no concurrency at all (it holds connections), so
 * one thread opens them one after the other.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench_int.h"
#include "client.h"
#include "err.h"

/* An --idle run gives up after this many failed connections in a row. */
#define BENCH_IDLE_GIVE_UP 10

/* VmRSS of process pid in KiB, or -1. */
static long
rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

struct idle {
	struct ftpc_client **cl;
	unsigned open, listed, errors, shown;
	long rss0, rss1;
	double connect_s, list_s, probe_ms;
	const char *probe; /* "ok", "busy", "error" or "none" */
};

__attribute__((format(printf, 2, 3))) static void
idle_error(struct idle *d, const char *fmt, ...)
{
	char msg[BENCH_ERR_MAX];
	va_list ap;

	d->errors++;
	if (d->shown++ >= BENCH_ERRORS_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bench_error("%s", msg);
}

static void
idle_open(const struct bench *b, struct idle *d)
{
	unsigned failed = 0;
	double t0 = bench_now_ms();
	int r;

	while (d->open + d->errors < b->o.idle &&
	    failed < BENCH_IDLE_GIVE_UP) {
		r = bench_open(&b->o, &d->cl[d->open]);
		if (r == FTP_OK) {
			d->open++;
			failed = 0;
			continue;
		}
		idle_error(d, "connection %u: %s", d->open + d->errors + 1,
		    d->cl[d->open] != NULL ? ftpc_detail(d->cl[d->open]) :
		    ftp_strerror(r));
		ftpc_close(d->cl[d->open]);
		d->cl[d->open] = NULL;
		failed++;
	}
	d->errors += b->o.idle - d->open - d->errors;
	d->connect_s = (bench_now_ms() - t0) / 1e3;
}

/* One more connection once all are open: with --max-clients at the count
 * held, the server must refuse it with BUSY. */
static void
idle_probe(const struct bench *b, struct idle *d)
{
	struct ftpc_client *cl;
	double t0 = bench_now_ms();
	int r;

	r = bench_open(&b->o, &cl);
	d->probe_ms = bench_now_ms() - t0;
	d->probe = r == FTP_OK ? "ok" : r == FTP_E_BUSY ? "busy" : "error";
	if (r != FTP_OK && r != FTP_E_BUSY)
		idle_error(d, "probe: %s", cl != NULL ? ftpc_detail(cl) :
		    ftp_strerror(r));
	ftpc_close(cl);
}

static int
count_entry(void *arg, const struct msg_entry *e)
{
	(void)e;
	(*(uint64_t *)arg)++;
	return FTP_OK;
}

static void
idle_list(const struct bench *b, struct idle *d)
{
	double t0 = bench_now_ms();
	uint64_t n = 0;

	for (unsigned i = 0; i < d->open; i++) {
		if (ftpc_list(d->cl[i], b->o.dir, count_entry, &n) == FTP_OK)
			d->listed++;
		else
			idle_error(d, "list on connection %u: %s", i + 1,
			    ftpc_detail(d->cl[i]));
	}
	d->list_s = (bench_now_ms() - t0) / 1e3;
}

static void
idle_report(const struct bench *b, const struct idle *d)
{
	double per = d->rss0 >= 0 && d->rss1 >= 0 && d->open > 0 ?
	    (double)(d->rss1 - d->rss0) / d->open : -1;

	if (b->o.json) {
		printf("{\"idle\": %u, \"connected\": %u, \"listed\": %u, "
		    "\"errors\": %u, \"connect_seconds\": %.3f, "
		    "\"list_seconds\": %.3f, \"rss_before_kib\": %ld, "
		    "\"rss_after_kib\": %ld, \"rss_per_conn_kib\": %.2f, "
		    "\"probe\": \"%s\", \"probe_ms\": %.3f}\n", b->o.idle,
		    d->open, d->listed, d->errors, d->connect_s, d->list_s,
		    d->rss0, d->rss1, per, d->probe, d->probe_ms);
		return;
	}
	printf("idle connections %u: %u open in %.3f s, %u listed in %.3f s, "
	    "errors %u\n", b->o.idle, d->open, d->connect_s, d->listed,
	    d->list_s, d->errors);
	if (per >= 0)
		printf("server RSS %ld KiB -> %ld KiB: %.2f KiB per "
		    "connection\n", d->rss0, d->rss1, per);
	if (b->o.probe)
		printf("probe connection: %s after %.3f ms\n", d->probe,
		    d->probe_ms);
}

/* The --idle run; an exit status. */
int
bench_run_idle(const struct bench *b)
{
	struct idle d = { .probe = "none" };

	if ((d.cl = calloc(b->o.idle, sizeof(*d.cl))) == NULL) {
		fprintf(stderr, "ftpc bench: out of memory\n");
		return BENCH_EXIT_ERRORS;
	}
	d.rss0 = rss_kib(b->o.server_pid);
	idle_open(b, &d);
	d.rss1 = rss_kib(b->o.server_pid);
	if (b->o.probe)
		idle_probe(b, &d);
	if (b->o.hold > 0)
		sleep(b->o.hold);
	idle_list(b, &d);
	for (unsigned i = 0; i < d.open; i++)
		ftpc_close(d.cl[i]);
	free(d.cl);
	idle_report(b, &d);
	return d.errors == 0 ? BENCH_EXIT_OK : BENCH_EXIT_ERRORS;
}
