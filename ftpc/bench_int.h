/*
 * bench_int.h - what the pieces of `ftpc bench` share; not an interface
 * (bench.h is that).
 *
 * bench.c parses the options and runs one of the two modes:
 * bench_run.c, the load run (its client threads and their operations),
 * which bench_stats.c sums up and reports, on files whose content
 * bench_content.c defines; or bench_idle.c, the idle connections.
 */
#ifndef FTPC_BENCH_INT_H
#define FTPC_BENCH_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "proto_limits.h"

struct ftpc_client;

#define BENCH_EXIT_OK 0
#define BENCH_EXIT_ERRORS 1
#define BENCH_EXIT_USAGE 64

#define BENCH_PREFIX_MAX 24 /* "b<size>-" */
#define BENCH_NAME_MAX 64   /* prefix, a letter, a number */
#define BENCH_LOCAL_MAX 256 /* the temporary directory */
#define BENCH_PATH_MAX (PROTO_PATH_MAX + 2 * BENCH_NAME_MAX)
#define BENCH_ERR_MAX 512
/* Errors printed in full; the rest are only counted. */
#define BENCH_ERRORS_SHOWN 5

enum bench_op { OP_LIST, OP_GET, OP_PUT, OP_MIX };
/* Indexed by enum bench_op (bench.c). */
extern const char *const bench_op_names[4];

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

/* ---- bench.c ----------------------------------------------------------- */

/* "ftpc bench: " and the message, escaped: it may quote the server. */
__attribute__((format(printf, 1, 2))) void
bench_error(const char *fmt, ...);

/* ---- bench_content.c --------------------------------------------------- */

uint64_t bench_mix64(uint64_t x);

/* The seed of a file's content: its name and its size. */
uint64_t bench_content_seed(const char *name, uint64_t size);

/* Where bench_check_data() has got to in a file's content. */
struct bench_check {
	uint64_t seed;
	uint64_t off;
};

/* ftpc_get_to()'s sink: compares each piece with what it should be. */
int bench_check_data(void *arg, const void *data, size_t len);

/* Writes the local source for remote name into the temporary directory. */
int bench_make_source(const struct bench *b, const char *name, char *path,
    size_t size);

/* The server path of name: in --dir, if any. */
void bench_remote_path(const struct bench *b, const char *name, char *out,
    size_t size);

/* ---- bench_run.c ------------------------------------------------------- */

double bench_now_ms(void);

/* A connection, logged in when the run has a user. */
int bench_open(const struct bench_opts *o, struct ftpc_client **cl);

/* The load run: prepares, runs the clients, reports; an exit status. */
int bench_run(struct bench *b);

/* ---- bench_stats.c ----------------------------------------------------- */

struct bench_totals {
	unsigned clients, connected;
	uint64_t ops, errors, bytes, by_op[3];
	double seconds, connect_mean, connect_max;
	double p50, p90, p99, max; /* ms */
};

/* Adds up the n workers that ran into t (whose seconds the caller set),
 * printing the first errors. */
void bench_sum_up(const struct bench *b, const struct worker *ws, unsigned n,
    struct bench_totals *t);

/* Prints t as text or, with --json, one JSON object. */
void bench_report(const struct bench *b, const struct bench_totals *t);

/* ---- bench_idle.c ------------------------------------------------------ */

/* The --idle run; an exit status. */
int bench_run_idle(const struct bench *b);

#endif
