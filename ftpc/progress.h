/*
 * progress.h - the meter the shell shows on stderr during transfers, and
 * sizes in human units for "ls -l".
 *
 * One line per transfer, redrawn in place on a terminal:
 *
 *   NAME  45%  225.0 MiB / 500.0 MiB  112.3 MiB/s  ETA 0:02  [3/10 files, 60%]
 *
 * (the part in brackets only in a batch: get -r, put -r, mget, mput).  The
 * rate is that of about the last two seconds, over the whole batch; the
 * ETA is the current file's, "--:--" while the rate is unknown.  NAME is
 * escaped (text_escape()) and shortened in the middle to fit the
 * terminal's width (80 columns when out is not a terminal).  The line is
 * redrawn at most five times a second, and once more when the transfer
 * ends.  On a terminal each redraw starts with '\r' and clears what is
 * left of the old line; elsewhere (ftpc --progress into a file or a pipe)
 * each redraw is a line of its own, ending in '\n'.
 *
 * The caller allocates struct progress (about 2.3 KiB); nothing here
 * allocates except a memory stream while a transfer starts.
 */
#ifndef FTPC_PROGRESS_H
#define FTPC_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Columns at most, however wide the terminal. */
#define PROGRESS_COLS_MAX 256
/* Bytes of the escaped name kept from each end: at least
 * PROGRESS_COLS_MAX columns, since nothing escaped takes more than 4 bytes
 * a column. */
#define PROGRESS_PIECE (4 * PROGRESS_COLS_MAX)
/* Rate samples: one per PROGRESS_SAMPLE_MS, so that the oldest is about
 * two seconds old. */
#define PROGRESS_SAMPLES 11
#define PROGRESS_SAMPLE_MS 200
/* Between redraws. */
#define PROGRESS_REDRAW_MS 200

struct progress_sample {
	uint64_t ms;
	uint64_t moved;
};

struct progress {
	FILE *out;
	bool enabled, tty;
	/* Milliseconds on CLOCK_MONOTONIC; tests put their own clock here. */
	uint64_t (*clock_ms)(void);

	/* the transfer, between progress_start and progress_end */
	bool active;
	bool drawn;    /* a line of it has been written */
	bool started;  /* progress_update has been called */
	uint64_t done, total;
	uint64_t base; /* done when it started: bytes already held */
	uint64_t last_draw;

	/* the batch: files and bytes in all (0: not a batch), and those of
	 * the transfers that have ended */
	unsigned files, files_done;
	uint64_t bytes, bytes_done;

	/* the rate: bytes moved since the batch or the single transfer
	 * began, up to the current transfer's start; and the samples, a ring
	 * whose oldest is at sample_head once it is full */
	uint64_t moved;
	struct progress_sample sample[PROGRESS_SAMPLES];
	unsigned nsamples, sample_head;

	/* the escaped name: its first and last bytes, each cut at a
	 * character, and its width in columns; whole if head has it all */
	bool name_whole;
	size_t name_cols;
	char name_head[PROGRESS_PIECE + 1];
	char name_tail[PROGRESS_PIECE + 1];
};

/* Sets p up to write to out (stderr) if enabled; tty says whether out is a
 * terminal.  With !enabled every call below does nothing. */
void progress_init(struct progress *p, FILE *out, bool enabled, bool tty);

/* Starts a batch of files holding bytes in all.  It ends with the end of
 * its last file, or with (0, 0) (a batch cut short): the transfers after
 * it are single ones again. */
void progress_batch(struct progress *p, unsigned files, uint64_t bytes);

/* A transfer of name (total bytes, done of them already held; either may
 * still be 0 and set by progress_update) begins.  Draws nothing yet. */
void progress_start(struct progress *p, const char *name, uint64_t total,
		    uint64_t done);

/* An ftpc_progress_fn (ftpc/client.h): arg is the struct progress.  The
 * first call after progress_start sets the bytes already held (the client
 * reports them when the transfer starts). */
void progress_update(void *arg, uint64_t done, uint64_t total);

/* The transfer ended: the final line is drawn (if it succeeded, or if a
 * line was already shown) and finished with '\n', and the file counts
 * toward the batch, whole even if it failed. */
void progress_end(struct progress *p, bool ok);

/* bytes for "ls -l": "512" below 1024, else 1024-based with one decimal
 * below 10 and none above, rounded up as ls -h does ("1.5K", "20M",
 * "3.1G", "16E"). */
void progress_human(uint64_t bytes, char out[16]);

#endif
