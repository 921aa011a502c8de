/*
 * compress.c - per-frame raw deflate for COMPRESSED DATA frames, and the
 * checks that keep a hostile frame from inflating without bound.
 *
 * Deciding whether a chunk is worth compressing costs a deflate pass, which
 * on random data is far slower than the link.  So a chunk is first probed:
 * its first ZS_PROBE bytes are deflated and flushed; if they do not shrink
 * by ZS_PROBE_GAIN the chunk goes raw at once, and the next chunks skip
 * even the probe, for a number of chunks that doubles with each failure
 * (up to ZS_SKIP_MAX), so an incompressible file pays about one probe per
 * few MiB.  A chunk that compresses resets the backoff.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "compress.h"
#include "err.h"

#define ZS_LEVEL 1            /* measured: see docs/BENCHMARKS.md */
#define ZS_WINDOW_BITS (-15)  /* raw deflate, 32 KiB window */
#define ZS_MEM_LEVEL 8
#define ZS_PROBE (16u * 1024u)
#define ZS_PROBE_GAIN 8u      /* the probe must lose at least 1/8 */
#define ZS_GAIN 16u           /* the chunk must lose at least 1/16 */
#define ZS_SKIP_MAX 15u

struct zs {
	z_stream s;
	bool deflater;
	unsigned skip;    /* chunks still to send raw unexamined */
	unsigned backoff; /* the next skip after a failed probe */
};

static int
zs_err(int zr)
{
	return zr == Z_MEM_ERROR ? FTP_E_NOMEM : FTP_E_FAILURE;
}

int
zs_deflater_new(struct zs **out)
{
	struct zs *z;
	int zr;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		return FTP_E_NOMEM;
	zr = deflateInit2(&z->s, ZS_LEVEL, Z_DEFLATED, ZS_WINDOW_BITS,
	    ZS_MEM_LEVEL, Z_DEFAULT_STRATEGY);
	if (zr != Z_OK) {
		free(z);
		return zs_err(zr);
	}
	z->deflater = true;
	*out = z;
	return FTP_OK;
}

int
zs_inflater_new(struct zs **out)
{
	struct zs *z;
	int zr;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		return FTP_E_NOMEM;
	if ((zr = inflateInit2(&z->s, ZS_WINDOW_BITS)) != Z_OK) {
		free(z);
		return zs_err(zr);
	}
	*out = z;
	return FTP_OK;
}

void
zs_free(struct zs *z)
{
	if (z == NULL)
		return;
	if (z->deflater)
		(void)deflateEnd(&z->s);
	else
		(void)inflateEnd(&z->s);
	free(z);
}

/* Feeds in[0, len) with flush into the output room left; true if all of
 * the input was taken and, for Z_FINISH, the stream ended. */
static bool
deflate_step(struct zs *z, const uint8_t *in, size_t len, int flush)
{
	int zr;

	z->s.next_in = (Bytef *)(uintptr_t)in; /* zlib does not write it */
	z->s.avail_in = (uInt)len;
	zr = deflate(&z->s, flush);
	if (flush == Z_FINISH)
		return zr == Z_STREAM_END;
	/* A flush that filled the room may have more to write. */
	return zr == Z_OK && z->s.avail_in == 0 && z->s.avail_out > 0;
}

/* The chunk goes raw; probing failed, so back off. */
static int
deflate_raw(struct zs *z, size_t *outlen, bool probed)
{
	if (probed) {
		z->skip = z->backoff;
		z->backoff = z->backoff * 2 + 1 > ZS_SKIP_MAX ? ZS_SKIP_MAX :
		    z->backoff * 2 + 1;
	}
	*outlen = 0;
	return FTP_OK;
}

int
zs_deflate_chunk(struct zs *z, const void *in, size_t len, void *out,
		 size_t *outlen)
{
	const uint8_t *p = in;
	size_t room = len - len / ZS_GAIN, probe = 0;

	if (!z->deflater || len > UINT32_MAX)
		return FTP_E_BAD_VALUE;
	if (z->skip > 0) {
		z->skip--;
		return deflate_raw(z, outlen, false);
	}
	if (deflateReset(&z->s) != Z_OK)
		return FTP_E_FAILURE;
	z->s.next_out = out;
	z->s.avail_out = (uInt)room;
	if (len > 2 * ZS_PROBE) {
		probe = ZS_PROBE;
		if (!deflate_step(z, p, probe, Z_SYNC_FLUSH) ||
		    room - z->s.avail_out > probe - probe / ZS_PROBE_GAIN)
			return deflate_raw(z, outlen, true);
	}
	if (!deflate_step(z, p + probe, len - probe, Z_FINISH))
		return deflate_raw(z, outlen, true);
	*outlen = room - z->s.avail_out;
	z->skip = 0;
	z->backoff = 0;
	return FTP_OK;
}

/* Out of room with the stream not yet ended: it may end with no more
 * output (the room was exactly enough) or have more, past the cap. */
static int
inflate_past_cap(struct zs *z)
{
	uint8_t one;
	int zr;

	z->s.next_out = &one;
	z->s.avail_out = 1;
	zr = inflate(&z->s, Z_FINISH);
	if (zr == Z_STREAM_END && z->s.avail_out == 1)
		return z->s.avail_in == 0 ? FTP_OK : FTP_E_BAD_VALUE;
	if (z->s.avail_out == 0)
		return FTP_E_FRAME_SIZE;
	return zr == Z_MEM_ERROR ? FTP_E_NOMEM : FTP_E_BAD_VALUE;
}

int
zs_inflate_frame(struct zs *z, const void *in, size_t len, void *out,
		 size_t cap, size_t *outlen)
{
	int zr, r = FTP_OK;

	if (z->deflater || len > UINT32_MAX || cap > UINT32_MAX)
		return FTP_E_BAD_VALUE;
	if (inflateReset(&z->s) != Z_OK)
		return FTP_E_FAILURE;
	z->s.next_in = (Bytef *)(uintptr_t)in; /* zlib does not write it */
	z->s.avail_in = (uInt)len;
	z->s.next_out = out;
	z->s.avail_out = (uInt)cap;
	zr = inflate(&z->s, Z_FINISH);
	*outlen = cap - z->s.avail_out;
	if (zr == Z_STREAM_END)
		r = z->s.avail_in == 0 ? FTP_OK : FTP_E_BAD_VALUE;
	else if (zr == Z_MEM_ERROR)
		r = FTP_E_NOMEM;
	else if (z->s.avail_out == 0 && zr != Z_DATA_ERROR)
		r = inflate_past_cap(z);
	else
		r = FTP_E_BAD_VALUE;
	return r;
}
