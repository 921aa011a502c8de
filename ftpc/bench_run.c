/*
 * bench_run.c - `ftpc bench`: the load run, its client threads and their
 * operations.
 *
 * One thread per simulated client, each with its own connection and the
 * blocking client library (client.h): the library is the code under test,
 * and a thousand threads cost this process far less than the server they
 * load.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_int.h"
#include "client.h"
#include "err.h"
#include "login.h"

/* Client threads block in the library only; sanitizers need more. */
#define BENCH_STACK (1024u * 1024u)

/* ---- the clients ------------------------------------------------------ */

double
bench_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A connection, logged in when the run has a user. */
int
bench_open(const struct bench_opts *o, struct ftpc_client **cl)
{
	int r;

	if (o->user[0] == '\0')
		return ftpc_open(o->host, o->port, cl);
	if ((r = ftpc_open_features(o->host, o->port, NULL,
	    FTPC_FEATURES_DEFAULT | PROTO_FEATURE_LOGIN, cl)) != FTP_OK)
		return r;
	return ftpc_login(*cl, o->user, o->password, o->allow_plaintext);
}

__attribute__((format(printf, 2, 3))) static void
worker_error(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->errors++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
}

static int
lat_add(struct worker *w, double ms)
{
	uint32_t *n;
	double us = ms * 1e3;
	size_t cap;

	if (w->nlat == w->cap) {
		cap = w->cap != 0 ? 2 * w->cap : 1024;
		if ((n = reallocarray(w->lat, cap, sizeof(*n))) == NULL)
			return FTP_E_NOMEM;
		w->lat = n;
		w->cap = cap;
	}
	w->lat[w->nlat++] = us > 4e9 ? 4000000000u : (uint32_t)us;
	return FTP_OK;
}

/* The shared file a GET picks: xorshift, one generator per client. */
static unsigned
pick(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (unsigned)(w->rng % w->b->o.files);
}

static int
do_get(struct worker *w, const char *name)
{
	char path[BENCH_PATH_MAX];
	struct bench_check c = {
		.seed = bench_content_seed(name, w->b->o.size)
	};
	uint64_t size = 0;
	int r;

	bench_remote_path(w->b, name, path, sizeof(path));
	if ((r = ftpc_get_to(w->cl, path, bench_check_data, &c,
	    &size)) != FTP_OK) {
		worker_error(w, "get %s: %s", path, ftpc_detail(w->cl));
		return r;
	}
	if (size != w->b->o.size || c.off != size) {
		worker_error(w, "get %s: %llu bytes, expected %lu", path,
		    (unsigned long long)size, w->b->o.size);
		return FTP_E_BAD_VALUE;
	}
	w->bytes += size;
	return FTP_OK;
}

static int
do_put(struct worker *w, const char *name)
{
	char path[BENCH_PATH_MAX], src[BENCH_PATH_MAX];
	int r;

	bench_remote_path(w->b, name, path, sizeof(path));
	snprintf(src, sizeof(src), "%s/%s", w->b->local, name);
	if ((r = ftpc_put(w->cl, src, path)) != FTP_OK) {
		worker_error(w, "put %s: %s", path, ftpc_detail(w->cl));
		return r;
	}
	w->bytes += w->b->o.size;
	return FTP_OK;
}

struct list_check {
	const struct bench *b;
	unsigned found; /* shared files listed with the right size */
};

static int
list_entry(void *arg, const struct msg_entry *e)
{
	struct list_check *lc = arg;
	size_t n = strlen(lc->b->prefix);
	unsigned idx;
	char tail;

	if (strncmp(e->name, lc->b->prefix, n) == 0 &&
	    sscanf(e->name + n, "s%u%c", &idx, &tail) == 1 &&
	    idx < lc->b->o.files && e->kind == PROTO_KIND_FILE &&
	    e->size == lc->b->o.size)
		lc->found++;
	return FTP_OK;
}

static int
do_list(struct worker *w)
{
	struct list_check lc = { .b = w->b };
	int r;

	if ((r = ftpc_list(w->cl, w->b->o.dir, list_entry, &lc)) != FTP_OK) {
		worker_error(w, "list %s: %s", w->b->o.dir,
		    ftpc_detail(w->cl));
		return r;
	}
	if (lc.found != w->b->o.files) {
		worker_error(w, "list %s: %u of the %u shared files", w->b->o.dir,
		    lc.found, w->b->o.files);
		return FTP_E_BAD_VALUE;
	}
	return FTP_OK;
}

/* Operation k of a client's task list.  A mixed list cycles through
 * upload own file, read it back, read a shared file, list. */
static int
run_op(struct worker *w, uint64_t k, int *kind)
{
	char own[BENCH_NAME_MAX], shared[BENCH_NAME_MAX];
	enum bench_op op = w->b->o.op;
	unsigned step = (unsigned)(k % 4);

	snprintf(own, sizeof(own), "%sc%05u", w->b->prefix, w->idx);
	snprintf(shared, sizeof(shared), "%ss%04u", w->b->prefix, pick(w));
	if (op == OP_LIST || (op == OP_MIX && step == 3)) {
		*kind = OP_LIST;
		return do_list(w);
	}
	if (op == OP_PUT || (op == OP_MIX && step == 0)) {
		*kind = OP_PUT;
		return do_put(w, own);
	}
	*kind = OP_GET;
	return do_get(w, op == OP_MIX && step == 1 ? own : shared);
}

static void
pause_ms(unsigned ms)
{
	struct timespec t = { .tv_sec = ms / 1000,
	    .tv_nsec = (long)(ms % 1000) * 1000000L };

	/* Not resumed if a signal cuts it short: a shorter pause is harmless. */
	(void)nanosleep(&t, NULL);
}

static void
worker_loop(struct worker *w)
{
	const struct bench_opts *o = &w->b->o;
	double t0;
	int kind, r;

	for (uint64_t k = 0; o->ops == 0 || k < o->ops; k++) {
		if (o->interval > 0)
			pause_ms(o->interval);
		if (atomic_load(&w->b->stop))
			break;
		t0 = bench_now_ms();
		r = run_op(w, k, &kind);
		if (r == FTP_OK) {
			w->ops++;
			w->by_op[kind]++;
			if (lat_add(w, bench_now_ms() - t0) != FTP_OK)
				worker_error(w, "out of memory");
		}
		/* A lost connection ends this client (the error is counted). */
		if (!ftpc_connected(w->cl))
			break;
	}
}

/* Connects (and makes its own source file), then waits for the others. */
static void
worker_start(struct worker *w)
{
	struct bench *b = w->b;
	char name[BENCH_NAME_MAX], path[BENCH_PATH_MAX];
	double t0;
	int r;

	snprintf(name, sizeof(name), "%sc%05u", b->prefix, w->idx);
	if ((b->o.op == OP_PUT || b->o.op == OP_MIX) &&
	    (r = bench_make_source(b, name, path, sizeof(path))) != FTP_OK)
		worker_error(w, "cannot write %s: %s", path, ftp_strerror(r));
	t0 = bench_now_ms();
	if (w->errors == 0 &&
	    (r = bench_open(&b->o, &w->cl)) != FTP_OK)
		worker_error(w, "connect: %s", w->cl != NULL ?
		    ftpc_detail(w->cl) : ftp_strerror(r));
	w->connect_ms = bench_now_ms() - t0;
	w->connected = w->errors == 0;
	pthread_mutex_lock(&b->lock);
	b->ready++;
	pthread_cond_broadcast(&b->cv);
	while (!b->go)
		pthread_cond_wait(&b->cv, &b->lock);
	pthread_mutex_unlock(&b->lock);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;

	worker_start(w);
	if (w->connected) {
		worker_loop(w);
		if (ftpc_connected(w->cl) && ftpc_quit(w->cl) != FTP_OK)
			worker_error(w, "quit: %s", ftpc_detail(w->cl));
	}
	ftpc_close(w->cl);
	w->cl = NULL;
	pthread_mutex_lock(&b->lock);
	b->done++;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* ---- preparing and running -------------------------------------------- */

/* Uploads the shared files over one connection. */
static int
prepare_shared(struct bench *b)
{
	char name[BENCH_NAME_MAX], src[BENCH_PATH_MAX], path[BENCH_PATH_MAX];
	struct ftpc_client *cl;
	int r;

	if ((r = bench_open(&b->o, &cl)) != FTP_OK) {
		bench_error("connect: %s", cl != NULL ? ftpc_detail(cl) :
		    ftp_strerror(r));
		goto out;
	}
	for (unsigned i = 0; i < b->o.files; i++) {
		snprintf(name, sizeof(name), "%ss%04u", b->prefix, i);
		bench_remote_path(b, name, path, sizeof(path));
		if ((r = bench_make_source(b, name, src, sizeof(src))) !=
		    FTP_OK) {
			bench_error("cannot write %s: %s", src,
			    ftp_strerror(r));
			goto out;
		}
		if ((r = ftpc_put(cl, src, path)) != FTP_OK) {
			bench_error("put %s: %s", path, ftpc_detail(cl));
			goto out;
		}
	}
	r = ftpc_quit(cl);
out:
	ftpc_close(cl);
	return r;
}

/* Removes the temporary sources (not the server's copies: the next run
 * of the same size reuses them). */
static void
remove_sources(const struct bench *b)
{
	char path[BENCH_PATH_MAX];

	for (unsigned i = 0; i < b->o.files; i++) {
		snprintf(path, sizeof(path), "%s/%ss%04u", b->local, b->prefix,
		    i);
		(void)unlink(path);
	}
	for (unsigned i = 0; i < b->o.clients; i++) {
		snprintf(path, sizeof(path), "%s/%sc%05u", b->local, b->prefix,
		    i);
		(void)unlink(path);
	}
	(void)rmdir(b->local);
}

/* Starts the workers; returns how many threads run. */
static unsigned
start_workers(struct bench *b, struct worker *ws)
{
	pthread_attr_t attr;
	unsigned n;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, BENCH_STACK);
	for (n = 0; n < b->o.clients; n++) {
		ws[n].b = b;
		ws[n].idx = n;
		ws[n].rng = bench_mix64(n + 1) | 1;
		if ((r = pthread_create(&ws[n].thread, &attr, worker_main,
		    &ws[n])) != 0) {
			fprintf(stderr, "ftpc bench: cannot start client %u: "
			    "%s\n", n, strerror(r));
			break;
		}
	}
	pthread_attr_destroy(&attr);
	return n;
}

/* Lets the connected workers go, stops them after the duration, and
 * returns the seconds from the start to the last one's end. */
static double
drive(struct bench *b, struct worker *ws, unsigned n)
{
	struct timespec until;
	double t0;

	pthread_mutex_lock(&b->lock);
	while (b->ready < n)
		pthread_cond_wait(&b->cv, &b->lock);
	b->go = true;
	t0 = bench_now_ms();
	pthread_cond_broadcast(&b->cv);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)b->o.duration;
	while (b->done < n) {
		if (b->o.duration == 0)
			pthread_cond_wait(&b->cv, &b->lock);
		else if (pthread_cond_timedwait(&b->cv, &b->lock, &until) ==
		    ETIMEDOUT)
			break;
	}
	atomic_store(&b->stop, true);
	pthread_mutex_unlock(&b->lock);
	for (unsigned i = 0; i < n; i++)
		pthread_join(ws[i].thread, NULL);
	return (bench_now_ms() - t0) / 1e3;
}

static int
run_load(struct bench *b)
{
	struct bench_totals t = { .clients = 0 };
	struct worker *ws;
	unsigned n;
	int st = BENCH_EXIT_ERRORS;

	if ((ws = calloc(b->o.clients, sizeof(*ws))) == NULL) {
		fprintf(stderr, "ftpc bench: out of memory\n");
		return BENCH_EXIT_ERRORS;
	}
	if (!b->o.no_prepare && prepare_shared(b) != FTP_OK)
		goto out;
	n = start_workers(b, ws);
	t.seconds = drive(b, ws, n);
	bench_sum_up(b, ws, n, &t);
	bench_report(b, &t);
	if (t.errors == 0)
		st = BENCH_EXIT_OK;
out:
	for (unsigned i = 0; i < b->o.clients; i++)
		free(ws[i].lat);
	free(ws);
	return st;
}

/* The temporary directory for the sources of uploads. */
static int
make_local(struct bench *b)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(b->local, sizeof(b->local), "%s/ftpc-bench-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(b->local) == NULL) {
		fprintf(stderr, "ftpc bench: cannot create %s: %s\n", b->local,
		    strerror(errno));
		return FTP_E_SYSTEM;
	}
	return FTP_OK;
}

/* The load run: prepares, runs the clients, reports; an exit status. */
int
bench_run(struct bench *b)
{
	int st;

	snprintf(b->prefix, sizeof(b->prefix), "b%lu-", b->o.size);
	if (make_local(b) != FTP_OK)
		return BENCH_EXIT_ERRORS;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cv, NULL);
	atomic_init(&b->stop, false);
	st = run_load(b);
	remove_sources(b);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->lock);
	return st;
}
