/*
 * bench.h - `ftpc bench`: a load generator built on the client library.
 *
 * N simulated clients, one thread and one connection each, run a task list
 * of (interval, operation) pairs against a server, verify every byte they
 * transfer and report throughput and latency; or, with --idle, one thread
 * holds N idle connections and then has each LIST once.
 */
#ifndef FTPC_BENCH_H
#define FTPC_BENCH_H

/* argv[0] is "bench".  Returns the process exit status: 0 when every
 * operation succeeded, 1 if any failed, 64 on a usage error. */
int bench_main(int argc, char **argv);

/* One line for ftpc --help. */
#define BENCH_USAGE_LINE \
	"       ftpc bench HOST:PORT --clients N [--duration S | --ops K] " \
	"[...]\n" \
	"                  (load generator; ftpc bench --help)\n"

#endif
