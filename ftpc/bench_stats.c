/*
 * bench_stats.c - `ftpc bench`: adding up what the clients of a load run
 * did (counts, throughput, latency percentiles, connect times) and the
 * report, as text or one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"
#include "err.h"

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile q of sorted v, in ms. */
static double
pct(const uint32_t *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)n);

	if (n == 0)
		return 0;
	if ((double)i < q * (double)n)
		i++;
	i = i > 0 ? i - 1 : 0;
	return (double)v[i < n ? i : n - 1] / 1e3;
}

static int
latencies(const struct worker *ws, unsigned n, struct bench_totals *t)
{
	size_t total = 0, k = 0;
	uint32_t *all;

	for (unsigned i = 0; i < n; i++)
		total += ws[i].nlat;
	if ((all = malloc((total > 0 ? total : 1) * sizeof(*all))) == NULL)
		return FTP_E_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		if (ws[i].nlat == 0)
			continue;
		memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof(*all));
		k += ws[i].nlat;
	}
	qsort(all, total, sizeof(*all), cmp_u32);
	t->p50 = pct(all, total, 0.50);
	t->p90 = pct(all, total, 0.90);
	t->p99 = pct(all, total, 0.99);
	t->max = pct(all, total, 1.0);
	free(all);
	return FTP_OK;
}

void
bench_sum_up(const struct bench *b, const struct worker *ws, unsigned n,
    struct bench_totals *t)
{
	unsigned shown = 0;

	t->clients = b->o.clients;
	t->errors += b->o.clients - n; /* threads that never started */
	for (unsigned i = 0; i < n; i++) {
		const struct worker *w = &ws[i];

		t->ops += w->ops;
		t->errors += w->errors;
		t->bytes += w->bytes;
		for (int k = 0; k < 3; k++)
			t->by_op[k] += w->by_op[k];
		if (w->connected) {
			t->connected++;
			t->connect_mean += w->connect_ms;
		}
		if (w->connect_ms > t->connect_max)
			t->connect_max = w->connect_ms;
		if (w->errors > 0 && shown++ < BENCH_ERRORS_SHOWN)
			bench_error("client %u: %s", w->idx, w->err);
	}
	if (t->connected > 0)
		t->connect_mean /= t->connected;
	if (latencies(ws, n, t) != FTP_OK)
		t->errors++;
}

void
bench_report(const struct bench *b, const struct bench_totals *t)
{
	double s = t->seconds > 0 ? t->seconds : 1e-9;
	double mib = (double)t->bytes / (1024.0 * 1024.0);

	if (b->o.json) {
		printf("{\"clients\": %u, \"connected\": %u, \"op\": \"%s\", "
		    "\"size\": %lu, \"ops\": %llu, \"errors\": %llu, "
		    "\"seconds\": %.3f, \"ops_per_sec\": %.1f, "
		    "\"mib_per_sec\": %.2f, \"bytes\": %llu, \"list_ops\": %llu, "
		    "\"get_ops\": %llu, \"put_ops\": %llu, \"p50_ms\": %.3f, "
		    "\"p90_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
		    "\"connect_mean_ms\": %.3f, \"connect_max_ms\": %.3f}\n",
		    t->clients, t->connected, bench_op_names[b->o.op],
		    b->o.size,
		    (unsigned long long)t->ops, (unsigned long long)t->errors,
		    t->seconds, (double)t->ops / s, mib / s,
		    (unsigned long long)t->bytes,
		    (unsigned long long)t->by_op[OP_LIST],
		    (unsigned long long)t->by_op[OP_GET],
		    (unsigned long long)t->by_op[OP_PUT], t->p50, t->p90, t->p99,
		    t->max, t->connect_mean, t->connect_max);
		return;
	}
	printf("clients %u (%u connected), op %s, %lu-byte files\n"
	    "ops %llu (list %llu, get %llu, put %llu) in %.3f s, errors %llu\n"
	    "ops/s %.1f, MiB/s %.2f (every byte verified)\n"
	    "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n"
	    "connect ms: mean %.3f  max %.3f\n",
	    t->clients, t->connected, bench_op_names[b->o.op], b->o.size,
	    (unsigned long long)t->ops, (unsigned long long)t->by_op[OP_LIST],
	    (unsigned long long)t->by_op[OP_GET],
	    (unsigned long long)t->by_op[OP_PUT], t->seconds,
	    (unsigned long long)t->errors, (double)t->ops / s, mib / s, t->p50,
	    t->p90, t->p99, t->max, t->connect_mean, t->connect_max);
}
