/*
 * bench.c - `ftpc bench`, the load generator.
 *
 * One thread per simulated client, each with its own connection and the
 * blocking client library (client.h): the library is the code under test,
 * and a thousand threads cost this process far less than the server they
 * load.  An --idle run needs no concurrency at all (it holds connections),
 * so one thread opens them one after the other.
 *
 * Every file's content is a function of its name and size (content()), so
 * a download is checked byte by byte against what the name says, whoever
 * uploaded it: the shared files prepared at the start, or a client's own
 * file, uploaded again and again and read back between uploads.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "client.h"
#include "err.h"
#include "io.h"
#include "login.h"
#include "net.h"
#include "password.h"
#include "proto_limits.h"
#include "text.h"

#define BENCH_EXIT_OK 0
#define BENCH_EXIT_ERRORS 1
#define BENCH_EXIT_USAGE 64

/* Client threads block in the library only; sanitizers need more. */
#define BENCH_STACK (1024u * 1024u)
#define BENCH_PREFIX_MAX 24 /* "b<size>-" */
#define BENCH_NAME_MAX 64   /* prefix, a letter, a number */
#define BENCH_LOCAL_MAX 256 /* the temporary directory */
#define BENCH_PATH_MAX (PROTO_PATH_MAX + 2 * BENCH_NAME_MAX)
#define BENCH_ERR_MAX 512
/* Errors printed in full; the rest are only counted. */
#define BENCH_ERRORS_SHOWN 5
/* An --idle run gives up after this many failed connections in a row. */
#define BENCH_IDLE_GIVE_UP 10

enum bench_op { OP_LIST, OP_GET, OP_PUT, OP_MIX };
static const char *const op_names[] = { "list", "get", "put", "mix" };

struct bench_opts {
	char host[NET_HOST_MAX];
	char port[NET_PORT_MAX];
	char user[PROTO_USER_MAX + 1]; /* every client logs in as USER@ */
	char password[PROTO_PASSWORD_MAX + 1]; /* wiped when the run ends */
	const char *password_file;
	bool allow_plaintext;
	unsigned clients;
	unsigned duration;  /* seconds; 0 with ops */
	unsigned long ops;  /* per client; 0 with duration */
	enum bench_op op;
	unsigned long size; /* bytes per file */
	unsigned files;     /* shared files */
	unsigned interval;  /* ms before each operation */
	const char *dir;    /* server directory ("" the root) */
	bool json;
	bool no_prepare;    /* the shared files are already there */
	unsigned idle;      /* --idle N: hold N connections */
	long server_pid;    /* read this process's RSS (--idle) */
	unsigned hold;      /* seconds to hold them before the LISTs */
	bool probe;         /* one more connection once all are open */
};

struct bench {
	struct bench_opts o;
	char local[BENCH_LOCAL_MAX]; /* temporary directory of sources */
	char prefix[BENCH_PREFIX_MAX]; /* of every remote name: "b4096-" */
	pthread_mutex_t lock;
	pthread_cond_t cv;
	unsigned ready;  /* workers connected (or failed to) */
	unsigned done;   /* workers finished */
	bool go;         /* start the operations */
	atomic_bool stop; /* the duration is over */
};

struct worker {
	struct bench *b;
	unsigned idx;
	pthread_t thread;
	struct ftpc_client *cl;
	uint64_t rng;
	double connect_ms;
	bool connected;
	uint32_t *lat; /* microseconds per operation */
	size_t nlat, cap;
	uint64_t ops, errors, bytes, by_op[3];
	char err[BENCH_ERR_MAX];
};

/* ---- content ---------------------------------------------------------- */

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The seed of a file's content: its name and its size. */
static uint64_t
content_seed(const char *name, uint64_t size)
{
	uint64_t h = 14695981039346656037ull;

	for (const char *c = name; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	return h ^ mix64(size);
}

/* len bytes of the content with seed, from offset off: byte k of each
 * 8-byte word is byte k (little end first) of mix64(seed + word). */
static void
content(uint64_t seed, uint64_t off, uint8_t *dst, size_t len)
{
	uint64_t w = mix64(seed + (off >> 3));

	for (size_t i = 0; i < len; i++, off++) {
		if ((off & 7) == 0)
			w = mix64(seed + (off >> 3));
		dst[i] = (uint8_t)(w >> (8 * (off & 7)));
	}
}

struct check {
	uint64_t seed;
	uint64_t off;
};

/* ftpc_get_to()'s sink: compares each piece with what it should be. */
static int
check_data(void *arg, const void *data, size_t len)
{
	struct check *c = arg;
	const uint8_t *p = data;
	uint8_t want[4096];
	size_t n;

	while (len > 0) {
		n = len < sizeof(want) ? len : sizeof(want);
		content(c->seed, c->off, want, n);
		if (memcmp(want, p, n) != 0)
			return FTP_E_BAD_VALUE;
		c->off += n;
		p += n;
		len -= n;
	}
	return FTP_OK;
}

/* Writes the local source for remote name into the temporary directory. */
static int
make_source(const struct bench *b, const char *name, char *path, size_t size)
{
	uint8_t block[64 * 1024];
	uint64_t seed = content_seed(name, b->o.size), off = 0;
	size_t n;
	int fd, r = FTP_OK;

	snprintf(path, size, "%s/%s", b->local, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return ftp_err_from_errno(errno);
	while (off < b->o.size && r == FTP_OK) {
		n = b->o.size - off < sizeof(block) ? b->o.size - off :
		    sizeof(block);
		content(seed, off, block, n);
		r = io_write_all(fd, block, n);
		off += n;
	}
	if (close(fd) != 0 && r == FTP_OK)
		r = ftp_err_from_errno(errno);
	return r;
}

static void
remote_path(const struct bench *b, const char *name, char *out, size_t size)
{
	if (b->o.dir[0] == '\0')
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%s/%s", b->o.dir, name);
}

/* ---- the clients ------------------------------------------------------ */

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A connection, logged in when the run has a user. */
static int
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

/* "ftpc bench: " and the message, escaped: it may quote the server. */
__attribute__((format(printf, 1, 2))) static void
bench_error(const char *fmt, ...)
{
	char msg[BENCH_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("ftpc bench: ", stderr);
	text_escape(stderr, msg);
	fputc('\n', stderr);
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
	struct check c = { .seed = content_seed(name, w->b->o.size) };
	uint64_t size = 0;
	int r;

	remote_path(w->b, name, path, sizeof(path));
	if ((r = ftpc_get_to(w->cl, path, check_data, &c, &size)) != FTP_OK) {
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

	remote_path(w->b, name, path, sizeof(path));
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
		t0 = now_ms();
		r = run_op(w, k, &kind);
		if (r == FTP_OK) {
			w->ops++;
			w->by_op[kind]++;
			if (lat_add(w, now_ms() - t0) != FTP_OK)
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
	    (r = make_source(b, name, path, sizeof(path))) != FTP_OK)
		worker_error(w, "cannot write %s: %s", path, ftp_strerror(r));
	t0 = now_ms();
	if (w->errors == 0 &&
	    (r = bench_open(&b->o, &w->cl)) != FTP_OK)
		worker_error(w, "connect: %s", w->cl != NULL ?
		    ftpc_detail(w->cl) : ftp_strerror(r));
	w->connect_ms = now_ms() - t0;
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
		remote_path(b, name, path, sizeof(path));
		if ((r = make_source(b, name, src, sizeof(src))) != FTP_OK) {
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
		ws[n].rng = mix64(n + 1) | 1;
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
	t0 = now_ms();
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
	return (now_ms() - t0) / 1e3;
}

/* ---- the report ------------------------------------------------------- */

struct totals {
	unsigned clients, connected;
	uint64_t ops, errors, bytes, by_op[3];
	double seconds, connect_mean, connect_max;
	double p50, p90, p99, max; /* ms */
};

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
latencies(const struct worker *ws, unsigned n, struct totals *t)
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

static void
sum_up(const struct bench *b, const struct worker *ws, unsigned n,
    struct totals *t)
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

static void
report(const struct bench *b, const struct totals *t)
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
		    t->clients, t->connected, op_names[b->o.op], b->o.size,
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
	    t->clients, t->connected, op_names[b->o.op], b->o.size,
	    (unsigned long long)t->ops, (unsigned long long)t->by_op[OP_LIST],
	    (unsigned long long)t->by_op[OP_GET],
	    (unsigned long long)t->by_op[OP_PUT], t->seconds,
	    (unsigned long long)t->errors, (double)t->ops / s, mib / s, t->p50,
	    t->p90, t->p99, t->max, t->connect_mean, t->connect_max);
}

static int
run_load(struct bench *b)
{
	struct totals t = { .clients = 0 };
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
	sum_up(b, ws, n, &t);
	report(b, &t);
	if (t.errors == 0)
		st = BENCH_EXIT_OK;
out:
	for (unsigned i = 0; i < b->o.clients; i++)
		free(ws[i].lat);
	free(ws);
	return st;
}

/* ---- idle connections -------------------------------------------------- */

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
	double t0 = now_ms();
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
	d->connect_s = (now_ms() - t0) / 1e3;
}

/* One more connection once all are open: with --max-clients at the count
 * held, the server must refuse it with BUSY. */
static void
idle_probe(const struct bench *b, struct idle *d)
{
	struct ftpc_client *cl;
	double t0 = now_ms();
	int r;

	r = bench_open(&b->o, &cl);
	d->probe_ms = now_ms() - t0;
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
	double t0 = now_ms();
	uint64_t n = 0;

	for (unsigned i = 0; i < d->open; i++) {
		if (ftpc_list(d->cl[i], b->o.dir, count_entry, &n) == FTP_OK)
			d->listed++;
		else
			idle_error(d, "list on connection %u: %s", i + 1,
			    ftpc_detail(d->cl[i]));
	}
	d->list_s = (now_ms() - t0) / 1e3;
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

static int
run_idle(const struct bench *b)
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

/* ---- options ----------------------------------------------------------- */

static void
bench_usage(FILE *f)
{
	fputs("usage: ftpc bench [USER@]HOST[:PORT] [--clients N] "
	    "[--duration S | --ops K]\n"
	    "                  [--op list|get|put|mix] [--size BYTES] "
	    "[--files K]\n"
	    "                  [--interval MS] [--dir DIR] [--json]\n"
	    "       ftpc bench [USER@]HOST[:PORT] --idle N [--server-pid PID] "
	    "[--hold S] [--probe]\n"
	    "                  [--dir DIR] [--json]\n\n"
	    "Load generator: N clients, one thread and one connection each, "
	    "run their\noperations against the server; every byte downloaded "
	    "is checked against\nthe content its file's name and size define.  "
	    "First K shared files named\nb<SIZE>-sNNNN are uploaded into DIR "
	    "(which must exist; default the root),\nwhere they stay for the "
	    "next run of the same size (ftpc's rm removes them).\n\n"
	    "  --clients N     simulated clients (default 1)\n"
	    "  --duration S    run for S seconds (default 10)\n"
	    "  --ops K         instead, K operations per client\n"
	    "  --op OP         list: LIST DIR (the shared files must be listed);"
	    "\n"
	    "                  get: GET a random shared file; put: PUT the "
	    "client's own\n"
	    "                  file b<SIZE>-cNNNNN; mix (default): put own, get "
	    "own back,\n"
	    "                  get a shared file, list, in turn\n"
	    "  --size BYTES    size of every file (default 4096)\n"
	    "  --files K       shared files (default 100)\n"
	    "  --interval MS   pause before each operation (default 0)\n"
	    "  --dir DIR       server directory to work in (default the root)\n"
	    "  --json          print one JSON object instead of text\n"
	    "  --no-prepare    use the shared files a previous run uploaded\n"
	    "  --idle N        open N connections (HELLO) one after another, "
	    "hold them,\n"
	    "                  then LIST DIR once on each\n"
	    "  --server-pid P  report process P's RSS before and after "
	    "(same host)\n"
	    "  --hold S        hold the connections S seconds before listing\n"
	    "  --probe         once all are open, try one more and report "
	    "BUSY or not\n"
	    "  --password-file FILE, --allow-plaintext-login\n"
	    "                  with USER@: every client logs in as USER, with "
	    "the password\n"
	    "                  from FILE, " PW_ENV " or a prompt, as for "
	    "ftpc itself\n\n"
	    "Prints ops/s, MiB/s, latency p50/p90/p99/max and connect times.  "
	    "Exit status\n0 if every operation succeeded, 1 if any failed, "
	    "64 on a usage error.\n", f);
}

enum {
	OPT_CLIENTS = 256, OPT_DURATION, OPT_OPS, OPT_OP, OPT_SIZE, OPT_FILES,
	OPT_INTERVAL, OPT_DIR, OPT_JSON, OPT_IDLE, OPT_PID, OPT_HOLD,
	OPT_PROBE, OPT_HELP, OPT_NO_PREPARE, OPT_PASSWORD_FILE,
	OPT_ALLOW_PLAINTEXT,
};

static const struct option bench_longopts[] = {
	{ "clients", required_argument, NULL, OPT_CLIENTS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ops", required_argument, NULL, OPT_OPS },
	{ "op", required_argument, NULL, OPT_OP },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "files", required_argument, NULL, OPT_FILES },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "idle", required_argument, NULL, OPT_IDLE },
	{ "server-pid", required_argument, NULL, OPT_PID },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "probe", no_argument, NULL, OPT_PROBE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "no-prepare", no_argument, NULL, OPT_NO_PREPARE },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "allow-plaintext-login", no_argument, NULL, OPT_ALLOW_PLAINTEXT },
	{ NULL, 0, NULL, 0 },
};

__attribute__((format(printf, 1, 2))) static int
bench_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ftpc bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ftpc bench --help'.\n", stderr);
	return BENCH_EXIT_USAGE;
}

/* Decimal digits only, within [lo, hi]. */
static int
number(const char *opt, const char *arg, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    v < lo || v > hi) {
		fprintf(stderr, "ftpc bench: %s: '%s' must be a number from %lu "
		    "to %lu\n", opt, arg, lo, hi);
		return BENCH_EXIT_USAGE;
	}
	*out = (unsigned long)v;
	return BENCH_EXIT_OK;
}

static int
set_op(struct bench_opts *o, const char *arg)
{
	for (unsigned i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strcmp(arg, op_names[i]) == 0) {
			o->op = (enum bench_op)i;
			return BENCH_EXIT_OK;
		}
	return bench_usage_error("--op: '%s' is not list, get, put or mix",
	    arg);
}

/* The largest counts accepted: bounded by descriptors, not by us. */
#define BENCH_CLIENTS_MAX 100000
#define BENCH_SIZE_MAX (1ul << 40)

static int
bench_option(int c, const char *arg, struct bench_opts *o)
{
	unsigned long v = 0;
	int st = BENCH_EXIT_OK;

	switch (c) {
	case OPT_CLIENTS:
		st = number("--clients", arg, 1, BENCH_CLIENTS_MAX, &v);
		o->clients = (unsigned)v;
		break;
	case OPT_DURATION:
		st = number("--duration", arg, 1, 86400, &v);
		o->duration = (unsigned)v;
		o->ops = 0;
		break;
	case OPT_OPS:
		st = number("--ops", arg, 1, 1ul << 32, &o->ops);
		o->duration = 0;
		break;
	case OPT_OP:
		return set_op(o, arg);
	case OPT_SIZE:
		return number("--size", arg, 0, BENCH_SIZE_MAX, &o->size);
	case OPT_FILES:
		st = number("--files", arg, 1, 10000, &v);
		o->files = (unsigned)v;
		break;
	case OPT_INTERVAL:
		st = number("--interval", arg, 0, 3600000, &v);
		o->interval = (unsigned)v;
		break;
	case OPT_IDLE:
		st = number("--idle", arg, 1, BENCH_CLIENTS_MAX, &v);
		o->idle = (unsigned)v;
		break;
	case OPT_PID:
		st = number("--server-pid", arg, 1, 1ul << 30, &v);
		o->server_pid = (long)v;
		break;
	case OPT_HOLD:
		st = number("--hold", arg, 0, 3600, &v);
		o->hold = (unsigned)v;
		break;
	default:
		return bench_usage_error("%s", "invalid option");
	}
	return st;
}

/* The password, once for every client; as ftpc's own (the bench has no
 * TLS, so only to loopback unless --allow-plaintext-login). */
static int
bench_credentials(struct bench_opts *o)
{
	char addr[NET_ADDR_STR], why[PW_WHY_MAX];
	int r;

	r = o->allow_plaintext ? FTP_OK : net_host_loopback(o->host,
	    o->port, false, addr);
	if (r == FTP_E_DENIED)
		return bench_usage_error("refusing to send a password without "
		    "TLS to %s, which is not a loopback address; use "
		    "--allow-plaintext-login on a network you trust", addr);
	if (r != FTP_OK) {
		bench_error("cannot connect to %s port %s: %s", o->host,
		    o->port, ftp_strerror(r));
		return BENCH_EXIT_ERRORS;
	}
	if ((r = pw_read(o->password_file, o->user, o->host, o->password,
	    why)) != FTP_OK) {
		bench_error("%s", why);
		return r == FTP_E_USAGE ? BENCH_EXIT_USAGE : BENCH_EXIT_ERRORS;
	}
	return BENCH_EXIT_OK;
}

/* BENCH_EXIT_OK to run, -1 after --help, else a status. */
static int
bench_parse(int argc, char **argv, struct bench_opts *o)
{
	const char *hostport;
	int c, st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", bench_longopts, NULL)) != -1) {
		if (c == OPT_HELP) {
			bench_usage(stdout);
			return -1;
		}
		if (c == OPT_JSON || c == OPT_PROBE || c == OPT_DIR ||
		    c == OPT_NO_PREPARE || c == OPT_PASSWORD_FILE ||
		    c == OPT_ALLOW_PLAINTEXT) {
			o->json |= c == OPT_JSON;
			o->probe |= c == OPT_PROBE;
			o->no_prepare |= c == OPT_NO_PREPARE;
			o->allow_plaintext |= c == OPT_ALLOW_PLAINTEXT;
			if (c == OPT_DIR)
				o->dir = optarg;
			if (c == OPT_PASSWORD_FILE)
				o->password_file = optarg;
			continue;
		}
		if (c == '?' || c == ':')
			return bench_usage_error("%s", "bad option");
		if ((st = bench_option(c, optarg, o)) != BENCH_EXIT_OK)
			return st;
	}
	if (optind != argc - 1)
		return bench_usage_error("%s", optind == argc ?
		    "missing HOST[:PORT]" : "too many arguments");
	if (login_split(argv[optind], o->user, &hostport) != FTP_OK)
		return bench_usage_error("%s", "bad USER in USER@HOST");
	if (o->user[0] == '\0' && (o->password_file != NULL ||
	    o->allow_plaintext))
		return bench_usage_error("%s", "--password-file and "
		    "--allow-plaintext-login need USER@HOST");
	if (net_split_hostport(hostport, FTPC_DEFAULT_PORT, o->host,
	    o->port) != FTP_OK)
		return bench_usage_error("bad address '%s'", argv[optind]);
	if (strlen(o->dir) > PROTO_PATH_MAX - BENCH_NAME_MAX)
		return bench_usage_error("%s", "--dir is too long");
	return o->user[0] != '\0' ? bench_credentials(o) : BENCH_EXIT_OK;
}

/* A descriptor per connection: as many as the hard limit allows. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
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

static int
run_bench(struct bench *b)
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

int
bench_main(int argc, char **argv)
{
	struct bench b = {
		.o = { .clients = 1, .duration = 10, .op = OP_MIX,
		    .size = 4096, .files = 100, .dir = "" },
	};
	int st;

	if ((st = bench_parse(argc, argv, &b.o)) != BENCH_EXIT_OK) {
		explicit_bzero(b.o.password, sizeof(b.o.password));
		return st < 0 ? BENCH_EXIT_OK : st;
	}
	raise_nofile();
	if (b.o.idle > 0)
		st = run_idle(&b);
	else
		st = run_bench(&b);
	explicit_bzero(b.o.password, sizeof(b.o.password));
	return st;
}
