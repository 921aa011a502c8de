/*
 * fuzz_frame.c - the sans-I/O frame decoder (proto/frame.h) against a
 * reference reading of docs/PROTOCOL.md section 3.
 *
 * Input: four parameter bytes, then the byte stream.
 *   [0] the body limit (an index into frame_maxes)
 *   [1] the DATA flags allowed
 *   [2] seeds the split of the stream into feeds
 *   [3] a second body limit, switched to after each frame when [2] says so
 *       (as a session switches between control and DATA limits)
 * The stream is fed in pieces of sizes derived from the input, alternating
 * frame_decoder_feed() and frame_decoder_space()/commit(), and decoded as
 * it goes.  Every frame returned must be exactly the next frame of the
 * stream as the reference parses it (header, body bytes, within the limit
 * in force); every "need more" must be right; every error must be the one
 * the reference finds at the same offset; and a decoder never refuses
 * bytes while it still needs them.
 */
#include <string.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "fuzz.h"
#include "proto_limits.h"

#define PARAM_BYTES 4

static const uint32_t frame_maxes[] = {
	0, 1, 9, 10, 11, 255, 4096, PROTO_CONTROL_MAX - 1, PROTO_CONTROL_MAX,
	PROTO_CONTROL_MAX + 1, PROTO_DATA_CHUNK, PROTO_FRAME_MAX - 1,
	PROTO_FRAME_MAX, PROTO_FRAME_MAX + 1, UINT32_MAX,
};
#define NMAXES (sizeof(frame_maxes) / sizeof(frame_maxes[0]))

/* Feed sizes: around the header's size, the batch, a control frame. */
static const size_t feed_sizes[] = {
	1, 2, 3, 9, 10, 11, 17, 64, 4095, 4096, 4097, 65546, 1u << 20,
};
#define NSIZES (sizeof(feed_sizes) / sizeof(feed_sizes[0]))

struct run {
	struct frame_decoder d;
	const uint8_t *s;   /* the stream */
	size_t len;
	size_t fed;         /* bytes given to the decoder */
	size_t done;        /* bytes of the frames it returned */
	uint32_t max;       /* the limit in force (as set, unclamped) */
	uint32_t maxes[2];
	uint8_t allowed;
	uint64_t rng;
	bool switching;     /* alternate the limits after each frame */
	unsigned frames;
};

static uint64_t
next_rand(struct run *u)
{
	/* xorshift64: deterministic, and cheap next to the decoder */
	u->rng ^= u->rng << 13;
	u->rng ^= u->rng >> 7;
	u->rng ^= u->rng << 17;
	return u->rng;
}

static bool
type_known(uint8_t t)
{
	return (t >= 0x01 && t <= 0x0C) || (t >= 0x10 && t <= 0x12) ||
	    (t >= 0x20 && t <= 0x27);
}

/* The judgement of PROTOCOL.md section 3 on the header at h. */
static int
ref_judge(const uint8_t *h, uint32_t frame_max, uint8_t allowed)
{
	uint32_t len = fuzz_be32(h), lim;
	uint8_t type = h[4], flags = h[5];

	if (!type_known(type))
		return FTP_E_BAD_TYPE;
	if ((flags & ~(type == PROTO_DATA ? allowed : 0)) != 0)
		return FTP_E_BAD_FLAGS;
	lim = frame_max < PROTO_FRAME_MAX ? frame_max : PROTO_FRAME_MAX;
	if (type != PROTO_DATA && lim > PROTO_CONTROL_MAX)
		lim = PROTO_CONTROL_MAX;
	return len > lim ? FTP_E_FRAME_SIZE : FTP_OK;
}

static uint32_t
cap_of(const struct run *u)
{
	return PROTO_HEADER_SIZE + (u->max < PROTO_FRAME_MAX ? u->max :
	    PROTO_FRAME_MAX);
}

/* A frame returned at u->done: it must be the reference's. */
static void
check_frame(struct run *u, const struct frame *f)
{
	const uint8_t *h = u->s + u->done;
	uint32_t len = fuzz_be32(h);
	struct buf hdr;
	uint8_t tmp[PROTO_HEADER_SIZE];

	FUZZ_CHECK(u->fed - u->done >= PROTO_HEADER_SIZE, "frame before its "
	    "header was fed");
	FUZZ_CHECK(ref_judge(h, u->max, u->allowed) == FTP_OK, "accepted a "
	    "header the protocol rejects (type 0x%02x flags 0x%02x len %u)",
	    h[4], h[5], len);
	FUZZ_CHECK(f->type == h[4] && f->flags == h[5] &&
	    f->id == fuzz_be32(h + 6), "header fields differ from the stream");
	FUZZ_CHECK(buf_len(&f->body) == len, "body of %zu bytes, header says "
	    "%u", buf_len(&f->body), len);
	FUZZ_CHECK(len <= proto_type_max_body(f->type, u->max) &&
	    len <= PROTO_FRAME_MAX, "body over the limit");
	FUZZ_CHECK(f->type == PROTO_DATA ||
	    proto_type_max_body(f->type, u->max) <= PROTO_CONTROL_MAX,
	    "control frame limit over PROTO_CONTROL_MAX");
	FUZZ_CHECK(u->fed - u->done - PROTO_HEADER_SIZE >= len, "frame "
	    "returned before its body was fed");
	FUZZ_CHECK(len == 0 || memcmp(buf_ptr(&f->body),
	    h + PROTO_HEADER_SIZE, len) == 0, "body bytes differ");
	/* The header encodes back to the very bytes it came from. */
	buf_init(&hdr, sizeof(tmp));
	FUZZ_CHECK(frame_put_header(&hdr, f->type, f->flags, f->id, len) ==
	    FTP_OK && buf_len(&hdr) == PROTO_HEADER_SIZE &&
	    buf_get_bytes(&hdr, tmp, sizeof(tmp)) == FTP_OK &&
	    memcmp(tmp, h, sizeof(tmp)) == 0, "header does not re-encode");
	buf_free(&hdr);
	u->done += PROTO_HEADER_SIZE + (size_t)len;
	u->frames++;
}

/* Decodes what can be; false once the decoder is dead (an error). */
static bool
drain(struct run *u)
{
	struct frame f;
	bool ready;
	int r;

	for (;;) {
		ready = frame_decoder_ready(&u->d);
		r = frame_decoder_next(&u->d, &f);
		FUZZ_CHECK(ready == (r != FTP_E_AGAIN), "ready() said %d, "
		    "next() answered %s", ready, ftp_errname(r));
		if (r == FTP_E_AGAIN) {
			FUZZ_CHECK(u->fed - u->done < PROTO_HEADER_SIZE ||
			    (ref_judge(u->s + u->done, u->max, u->allowed) ==
			    FTP_OK && u->fed - u->done - PROTO_HEADER_SIZE <
			    fuzz_be32(u->s + u->done)), "asked for more with "
			    "a whole frame or a bad header buffered");
			FUZZ_CHECK(frame_decoder_idle(&u->d) ==
			    (u->fed == u->done), "idle() wrong");
			return true;
		}
		if (r != FTP_OK) {
			FUZZ_CHECK(u->fed - u->done >= PROTO_HEADER_SIZE &&
			    ref_judge(u->s + u->done, u->max, u->allowed) == r,
			    "error %s where the reference finds %s",
			    ftp_errname(r), u->fed - u->done <
			    PROTO_HEADER_SIZE ? "no header" :
			    ftp_errname(ref_judge(u->s + u->done, u->max,
			    u->allowed)));
			return false;
		}
		check_frame(u, &f);
		if (u->switching) {
			u->max = u->maxes[u->frames % 2];
			frame_decoder_set_max(&u->d, u->max);
		}
		if ((next_rand(u) & 7) == 0)
			frame_decoder_shrink(&u->d);
	}
}

/* Gives the decoder up to n more bytes, one way or the other; false once
 * it is dead. */
static bool
give(struct run *u, size_t n, bool by_space)
{
	size_t before = u->fed - u->done, room;
	uint8_t *space;
	int r;

	if (!by_space) {
		r = frame_decoder_feed(&u->d, u->s + u->fed, n);
		if (r == FTP_OK) {
			u->fed += n;
			return true;
		}
		FUZZ_CHECK(r == FTP_E_BUF_LIMIT, "feed: %s", ftp_errname(r));
		FUZZ_CHECK(before > cap_of(u) || n > cap_of(u) - before,
		    "feed of %zu refused with %zu buffered, cap %u", n, before,
		    cap_of(u));
		/* A single byte may be refused only if there is something
		 * to decode first. */
		if (frame_decoder_feed(&u->d, u->s + u->fed, 1) == FTP_OK)
			u->fed++;
		else
			FUZZ_CHECK(frame_decoder_ready(&u->d), "decoder full "
			    "yet it needs more");
		return true;
	}
	r = frame_decoder_space(&u->d, &space, &room);
	if (r == FTP_E_BUF_LIMIT) {
		FUZZ_CHECK(frame_decoder_ready(&u->d), "no space, yet nothing "
		    "to decode");
		return true;
	}
	if (r != FTP_OK) {
		FUZZ_CHECK(before >= PROTO_HEADER_SIZE &&
		    ref_judge(u->s + u->done, u->max, u->allowed) == r,
		    "space: %s where the reference finds none", ftp_errname(r));
		return false;
	}
	FUZZ_CHECK(room > 0 && space != NULL, "space of no bytes");
	if (n > room)
		n = room;
	memcpy(space, u->s + u->fed, n);
	FUZZ_CHECK(frame_decoder_commit(&u->d, n) == FTP_OK, "commit failed");
	u->fed += n;
	FUZZ_CHECK(u->fed - u->done <= (before > cap_of(u) ? before :
	    cap_of(u)), "space() let the buffer pass its cap");
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run u;
	size_t n;

	if (size < PARAM_BYTES)
		return 0;
	memset(&u, 0, sizeof(u));
	u.maxes[0] = frame_maxes[data[0] % NMAXES];
	u.maxes[1] = frame_maxes[data[3] % NMAXES];
	u.max = u.maxes[0];
	u.allowed = data[1];
	u.switching = (data[2] & 0x80) != 0;
	u.rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)data[2] << 32) ^ size;
	u.s = data + PARAM_BYTES;
	u.len = size - PARAM_BYTES;
	frame_decoder_init(&u.d, u.max);
	frame_decoder_allow_flags(&u.d, u.allowed);
	while (u.fed < u.len) {
		n = feed_sizes[next_rand(&u) % NSIZES];
		if (n > u.len - u.fed)
			n = u.len - u.fed;
		if (!give(&u, n, (next_rand(&u) & 1) != 0) || !drain(&u))
			break;
	}
	if (u.fed == u.len)
		(void)drain(&u);
	frame_decoder_free(&u.d);
	return 0;
}
