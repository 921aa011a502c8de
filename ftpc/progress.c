/*
 * progress.c - the transfer meter, and sizes in human units.
 *
 * The name on the line comes from the server or the user, so it goes
 * through text_escape() like every other name ftpc shows.  It is escaped
 * once per transfer, keeping the first and the last PROGRESS_PIECE bytes,
 * enough for the widest line; each redraw then only picks how much of each
 * end fits beside the numbers.  A line must stay narrower than the
 * terminal: one that wraps leaves a row behind at every redraw, as '\r'
 * goes back only to the start of the last row.  So widths are estimated
 * from above: every character from U+1100 on counts as two columns (most
 * of them are East Asian wide or emoji).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "progress.h"
#include "text.h"

/* Columns when out is not a terminal, or its width is unknown. */
#define PROGRESS_COLS_DEFAULT 80
/* Columns the name gets at least, whatever the numbers take. */
#define PROGRESS_NAME_MIN 8
/* Longest ETA shown; beyond it the guess means nothing. */
#define PROGRESS_ETA_MAX (100u * 3600 - 1)

enum draw_kind { DRAW_UPDATE, DRAW_OK, DRAW_FAILED };

/* A line being put together; it is written with one fwrite() so that an
 * unbuffered stderr gets it in one piece. */
struct line {
	char buf[PROGRESS_PIECE + 512];
	size_t len;
};

static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
append(struct line *l, const char *s, size_t n)
{
	/* cannot happen: PROGRESS_COLS_MAX bounds what is put here */
	if (n > sizeof(l->buf) - l->len)
		n = sizeof(l->buf) - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static bool
is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/*
 * The unit of escaped text at s: an escape ("\xNN" or "\\"), which is
 * never cut in two when the name is shortened, or a character (well-formed
 * UTF-8, as text_escape() lets through).  Returns its length, and its
 * columns in *cols.  A unit cut short by the end of s (at the edge of a
 * kept piece) is taken a byte at a time.
 */
static size_t
char_cols(const char *s, size_t *cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	uint32_t cp;

	if (p[0] == '\\')
		n = p[1] == 'x' ? 4 : 2;
	else if (p[0] < 0x80)
		n = 1;
	else
		n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (strnlen(s, n) < n)
		n = 1;
	*cols = n;
	if (n == 1 || p[0] == '\\')
		return n;
	*cols = 1;
	if (n == 2)
		return 2;
	if (n == 4) {
		*cols = 2;
		return 4;
	}
	cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
	    (p[2] & 0x3f);
	if (cp >= 0x1100)
		*cols = 2;
	return 3;
}

static size_t
str_cols(const char *s)
{
	size_t total = 0, cols;

	while (*s != '\0') {
		s += char_cols(s, &cols);
		total += cols;
	}
	return total;
}

/* Escapes the n bytes at s into esc (4 * n + 1 bytes at least: no byte
 * becomes more than "\xNN"); returns its length. */
static size_t
escape(const char *s, size_t n, char *esc, size_t size)
{
	char raw[PROGRESS_PIECE + 1];
	FILE *f;
	long len;

	memcpy(raw, s, n);
	raw[n] = '\0';
	esc[0] = '\0';
	if ((f = fmemopen(esc, size, "w")) == NULL)
		return 0;
	text_escape(f, raw);
	fflush(f);
	len = ftell(f);
	fclose(f);
	if (len < 0 || (size_t)len >= size)
		len = 0;
	esc[len] = '\0';
	return (size_t)len;
}

static void
keep_head(char *dst, const char *esc, size_t len)
{
	size_t k = len < PROGRESS_PIECE ? len : PROGRESS_PIECE;

	while (k > 0 && k < len && is_cont(esc[k]))
		k--;
	memcpy(dst, esc, k);
	dst[k] = '\0';
}

static void
keep_tail(char *dst, const char *esc, size_t len)
{
	size_t s = len > PROGRESS_PIECE ? len - PROGRESS_PIECE : 0;

	while (s < len && is_cont(esc[s]))
		s++;
	memcpy(dst, esc + s, len - s + 1);
}

static void
name_set(struct progress *p, const char *name)
{
	char esc[4 * PROGRESS_PIECE + 1];
	size_t n = strlen(name), k, s, len;

	if (n <= PROGRESS_PIECE) {
		len = escape(name, n, esc, sizeof(esc));
		p->name_whole = len <= PROGRESS_PIECE;
		p->name_cols = str_cols(esc);
		keep_head(p->name_head, esc, len);
		keep_tail(p->name_tail, esc, len);
		return;
	}
	/* Longer than any line: only the ends are escaped, each cut where
	 * a character starts, so that none is split into "\xNN"s. */
	p->name_whole = false;
	p->name_cols = SIZE_MAX;
	for (k = PROGRESS_PIECE; k > PROGRESS_PIECE - 3 && is_cont(name[k]);)
		k--;
	len = escape(name, k, esc, sizeof(esc));
	keep_head(p->name_head, esc, len);
	for (s = n - PROGRESS_PIECE; s < n - PROGRESS_PIECE + 3 &&
	    is_cont(name[s]);)
		s++;
	len = escape(name + s, n - s, esc, sizeof(esc));
	keep_tail(p->name_tail, esc, len);
}

/* The name in at most budget columns: whole, or its two ends around
 * "..." (the end gets more: it holds the extension, and the part that
 * tells files in a batch apart). */
static void
put_name(struct line *l, const struct progress *p, size_t budget)
{
	size_t h, t, cols, used = 0, n;
	const char *s;

	if (p->name_whole && p->name_cols <= budget) {
		append(l, p->name_head, strlen(p->name_head));
		return;
	}
	h = (budget - 3) / 3;
	t = budget - 3 - h;
	for (s = p->name_head; *s != '\0'; s += n) {
		n = char_cols(s, &cols);
		if (used + cols > h)
			break;
		used += cols;
	}
	append(l, p->name_head, (size_t)(s - p->name_head));
	append(l, "...", 3);
	used = str_cols(p->name_tail);
	for (s = p->name_tail; *s != '\0' && used > t; s += n) {
		n = char_cols(s, &cols);
		used -= cols;
	}
	append(l, s, strlen(s));
}

/* "225.0 MiB": truncated, not rounded, so that nothing shows as all done
 * before it is. */
static void
fmt_size(char *buf, size_t size, uint64_t v)
{
	static const char units[] = "KMGTPE";
	unsigned k = 0, shift;

	if (v < 1024) {
		snprintf(buf, size, "%u B", (unsigned)v);
		return;
	}
	while (k < 5 && (v >> (10 * (k + 2))) != 0)
		k++;
	shift = 10 * (k + 1);
	/* below 1024 (16 in EiB) and a tenth; the remainder is below 2^60,
	 * so ten times it fits */
	snprintf(buf, size, "%u.%u %ciB", (unsigned)(v >> shift),
	    (unsigned)(((v & ((UINT64_C(1) << shift) - 1)) * 10) >> shift),
	    units[k]);
}

static void
fmt_eta(char *buf, size_t size, uint64_t s)
{
	if (s >= 3600)
		snprintf(buf, size, "%u:%02u:%02u", (unsigned)(s / 3600),
		    (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	else
		snprintf(buf, size, "%u:%02u", (unsigned)(s / 60),
		    (unsigned)(s % 60));
}

/* done of total in whole percent, 100 only once all is done (and for
 * nothing to do). */
static unsigned
percent(uint64_t done, uint64_t total)
{
	uint64_t pc;

	if (done >= total)
		return 100;
	if (total <= UINT64_MAX / 100)
		pc = done * 100 / total;
	else
		pc = done / (total / 100);
	return pc >= 100 ? 99 : (unsigned)pc;
}

/* Bytes moved in the window so far, the current transfer's included. */
static uint64_t
moved_now(const struct progress *p)
{
	uint64_t m = p->moved;

	if (p->active && p->started && p->done > p->base)
		m += p->done - p->base;
	return m;
}

static void
add_sample(struct progress *p, uint64_t now, uint64_t moved)
{
	struct progress_sample *newest;
	unsigned i;

	if (p->nsamples > 0) {
		i = (p->sample_head + p->nsamples - 1) % PROGRESS_SAMPLES;
		newest = &p->sample[i];
		if (now < newest->ms + PROGRESS_SAMPLE_MS)
			return;
	}
	if (p->nsamples < PROGRESS_SAMPLES) {
		i = (p->sample_head + p->nsamples++) % PROGRESS_SAMPLES;
	} else {
		i = p->sample_head;
		p->sample_head = (p->sample_head + 1) % PROGRESS_SAMPLES;
	}
	p->sample[i] = (struct progress_sample){ .ms = now, .moved = moved };
}

static void
window_reset(struct progress *p, uint64_t now)
{
	p->moved = 0;
	p->nsamples = 0;
	p->sample_head = 0;
	add_sample(p, now, 0);
}

/* Bytes a second since the oldest sample; false while no time has
 * passed. */
static bool
rate(const struct progress *p, uint64_t now, double *r)
{
	const struct progress_sample *old = &p->sample[p->sample_head];
	uint64_t m = moved_now(p);

	if (p->nsamples == 0 || now <= old->ms || m < old->moved)
		return false;
	*r = (double)(m - old->moved) * 1000.0 / (double)(now - old->ms);
	return true;
}

/* Seconds for left bytes at r a second, rounded up (r >= 1, and the
 * result at most PROGRESS_ETA_MAX). */
static uint64_t
eta_secs(uint64_t left, double r)
{
	double d = (double)left / r;
	uint64_t s = (uint64_t)d;

	return (double)s < d ? s + 1 : s;
}

/* Everything after the name. */
static int
put_numbers(char *buf, size_t size, const struct progress *p, uint64_t now,
    enum draw_kind kind)
{
	char done_s[24], total_s[24], rate_s[24], eta_s[24];
	uint64_t left = p->total > p->done ? p->total - p->done : 0;
	double r = 0;
	bool known = rate(p, now, &r);
	int n;

	fmt_size(done_s, sizeof(done_s), p->done);
	fmt_size(total_s, sizeof(total_s), p->total);
	if (known)
		fmt_size(rate_s, sizeof(rate_s), (uint64_t)r);
	else
		snprintf(rate_s, sizeof(rate_s), "-- B");
	if (left == 0)
		snprintf(eta_s, sizeof(eta_s), "0:00");
	else if (kind == DRAW_FAILED || !known || r < 1 ||
	    (double)left / r > PROGRESS_ETA_MAX)
		snprintf(eta_s, sizeof(eta_s), "--:--");
	else
		fmt_eta(eta_s, sizeof(eta_s), eta_secs(left, r));
	n = snprintf(buf, size, " %3u%%  %s / %s  %s/s  ETA %s",
	    percent(p->done, p->total), done_s, total_s, rate_s, eta_s);
	if (p->files > 0 && n >= 0 && (size_t)n < size) {
		unsigned cur = p->files_done < p->files ? p->files_done + 1 :
		    p->files;
		uint64_t all = p->bytes_done + p->done;

		n += snprintf(buf + n, size - (size_t)n,
		    "  [%u/%u files, %u%%]", cur, p->files,
		    percent(all < p->bytes_done ? UINT64_MAX : all, p->bytes));
	}
	return n;
}

static size_t
term_cols(const struct progress *p)
{
	struct winsize ws;
	int fd;

	if (!p->tty || (fd = fileno(p->out)) < 0 ||
	    ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
		return PROGRESS_COLS_DEFAULT;
	return ws.ws_col < PROGRESS_COLS_MAX ? ws.ws_col : PROGRESS_COLS_MAX;
}

static void
draw(struct progress *p, uint64_t now, enum draw_kind kind)
{
	struct line l = { .len = 0 };
	char numbers[256];
	size_t width = term_cols(p), budget;
	int n = put_numbers(numbers, sizeof(numbers), p, now, kind);

	if (n < 0 || (size_t)n >= sizeof(numbers))
		return;
	/* one column spare: writing the last one wraps on some terminals */
	budget = width > (size_t)n + 1 + PROGRESS_NAME_MIN ?
	    width - (size_t)n - 1 : PROGRESS_NAME_MIN;
	if (p->tty)
		append(&l, "\r", 1);
	put_name(&l, p, budget);
	append(&l, numbers, (size_t)n);
	if (p->tty)
		append(&l, "\033[K", 3);
	if (kind != DRAW_UPDATE || !p->tty)
		append(&l, "\n", 1);
	fwrite(l.buf, 1, l.len, p->out);
	fflush(p->out);
	p->drawn = true;
	p->last_draw = now;
}

void
progress_init(struct progress *p, FILE *out, bool enabled, bool tty)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->enabled = enabled && out != NULL;
	p->tty = tty;
	p->clock_ms = monotonic_ms;
}

void
progress_batch(struct progress *p, unsigned files, uint64_t bytes)
{
	if (!p->enabled)
		return;
	p->files = files;
	p->bytes = bytes;
	p->files_done = 0;
	p->bytes_done = 0;
	window_reset(p, p->clock_ms());
}

void
progress_start(struct progress *p, const char *name, uint64_t total,
    uint64_t done)
{
	if (!p->enabled)
		return;
	if (p->active)
		progress_end(p, false);
	/* a batch's rate runs on across its files */
	if (p->files == 0)
		window_reset(p, p->clock_ms());
	p->active = true;
	p->drawn = false;
	p->started = false;
	p->done = done;
	p->total = total;
	p->base = done;
	name_set(p, name);
}

void
progress_update(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	uint64_t now;

	if (!p->enabled || !p->active)
		return;
	now = p->clock_ms();
	if (!p->started) {
		p->started = true;
		p->base = done;
	}
	p->done = done;
	p->total = total;
	add_sample(p, now, moved_now(p));
	if (!p->drawn || now - p->last_draw >= PROGRESS_REDRAW_MS)
		draw(p, now, DRAW_UPDATE);
}

void
progress_end(struct progress *p, bool ok)
{
	uint64_t now;

	if (!p->enabled || !p->active)
		return;
	now = p->clock_ms();
	/* a transfer refused before it began leaves no line: the error
	 * says it all */
	if (ok || p->drawn)
		draw(p, now, ok ? DRAW_OK : DRAW_FAILED);
	if (p->files > 0) {
		p->files_done++;
		p->bytes_done += p->total > p->done ? p->total : p->done;
		/* the batch's last file: what follows is on its own */
		if (p->files_done >= p->files)
			p->files = 0;
	}
	p->moved = moved_now(p);
	p->active = false;
}

void
progress_human(uint64_t bytes, char out[16])
{
	static const char units[] = "KMGTPE";
	uint64_t q, r, tenths, mask, whole;
	unsigned shift;

	if (bytes < 1024) {
		snprintf(out, 16, "%u", (unsigned)bytes);
		return;
	}
	for (unsigned k = 0; k < 6; k++) {
		shift = 10 * (k + 1);
		mask = (UINT64_C(1) << shift) - 1;
		q = bytes >> shift;
		r = bytes & mask;
		/* rounded up, as ls -h does: a size never looks smaller
		 * than it is (r * 10 + mask < 11 * 2^60 fits) */
		if (q < 10) {
			tenths = q * 10 + ((r * 10 + mask) >> shift);
			if (tenths < 100) {
				snprintf(out, 16, "%u.%u%c",
				    (unsigned)(tenths / 10),
				    (unsigned)(tenths % 10), units[k]);
				return;
			}
		}
		whole = q + (r != 0);
		if (whole < 1024 || k == 5) {
			snprintf(out, 16, "%u%c", (unsigned)whole, units[k]);
			return;
		}
	}
}
