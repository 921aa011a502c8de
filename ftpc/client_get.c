/*
 * client_get.c - GET: choosing the local file, resuming, the stream of
 * DATA frames into a hidden temporary, the checksum and the commit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "client.h"
#include "client_int.h"
#include "compress.h"
#include "crc32c.h"
#include "err.h"
#include "io.h"
#include "localfile.h"
#include "msg.h"

struct get_state {
	struct lf_part *part;   /* NULL when the bytes go to fn */
	ftpc_data_fn fn;
	void *arg;
	uint64_t want;  /* bytes the FILE frame announced */
	uint64_t got;
	bool sum;       /* END carries the whole file's CRC-32C */
	uint32_t crc;   /* of the bytes held so far (a resumed prefix too) */
	uint64_t offset; /* where the data starts (bytes already held) */
	int werr;       /* the first local write failure, and its errno: */
	int werrno;     /* the stream is still read to its end */
	bool compress;  /* the GET asked for COMPRESSED DATA */
	bool aborting;  /* ABORT sent: the rest is read and dropped */
	uint64_t total; /* the file's size (FILE) */
	struct zs *z;   /* its inflater, while the stream lasts */
	uint8_t *zbuf;  /* one inflated frame */
};

/* A COMPRESSED DATA body, inflated into gs->zbuf: never more than a frame
 * may hold nor than the bytes still due, so a bomb stops here. */
static int
get_inflate(struct ftpc_client *cl, struct frame *f, struct get_state *gs,
    size_t *n)
{
	uint64_t left = gs->want - gs->got;
	size_t cap = left < PROTO_FRAME_MAX ? (size_t)left : PROTO_FRAME_MAX;
	int r;

	if (gs->z == NULL)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_FLAGS,
		    "protocol error: COMPRESSED DATA in a GET that did not "
		    "ask for it");
	r = zs_inflate_frame(gs->z, buf_ptr(&f->body), buf_len(&f->body),
	    gs->zbuf, cap, n);
	if (r == FTP_E_FRAME_SIZE)
		return cli_fail(cl, FTPC_FAULT_CONN, r, "protocol error: "
		    "COMPRESSED DATA inflates past %zu bytes (frame limit, or "
		    "the rest of the %llu announced)", cap,
		    (unsigned long long)gs->want);
	if (r != FTP_OK)
		return cli_fail(cl, FTPC_FAULT_CONN, r, "protocol error: bad "
		    "COMPRESSED DATA: %s", ftp_strerror(r));
	return FTP_OK;
}

static int
get_data(struct ftpc_client *cl, struct frame *f, struct get_state *gs)
{
	const uint8_t *data = buf_ptr(&f->body);
	size_t n = buf_len(&f->body);
	int r;

	if ((f->flags & PROTO_FLAG_COMPRESSED) != 0) {
		if ((r = get_inflate(cl, f, gs, &n)) != FTP_OK)
			return r;
		data = gs->zbuf;
	}
	if (n > gs->want - gs->got)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: more data than the %llu bytes announced",
		    (unsigned long long)gs->want);
	gs->got += n;
	if (gs->sum)
		gs->crc = crc32c_update(gs->crc, data, n);
	if (gs->fn != NULL) {
		if (gs->werr == FTP_OK)
			gs->werr = gs->fn(gs->arg, data, n);
		return FTP_OK;
	}
	if (gs->werr == FTP_OK &&
	    (gs->werr = lf_part_write(gs->part, data, n)) != FTP_OK)
		gs->werrno = errno;
	return FTP_OK;
}

/* A copy whose sum differs from the server's is corrupt: the bytes changed
 * on the way (or the file on the server, mid-send). */
static int
get_sum_check(struct ftpc_client *cl, const struct get_state *gs,
    const struct msg_end *end)
{
	if (!gs->sum || end->crc == gs->crc)
		return FTP_OK;
	return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_CHECKSUM, "checksum "
	    "mismatch: the server's CRC-32C is %08lx, the bytes received "
	    "have %08lx; %s not written", (unsigned long)end->crc,
	    (unsigned long)gs->crc,
	    gs->part != NULL ? gs->part->target : "download");
}

static int
get_end(struct ftpc_client *cl, struct frame *f, const struct get_state *gs)
{
	struct msg_end end = { .count = 0 };
	int r;

	if ((r = cli_end_check(cl, f, gs->want, gs->got, "bytes", gs->sum,
	    &end)) != FTP_OK)
		return r;
	if ((r = get_sum_check(cl, gs, &end)) != FTP_OK)
		return r;
	if (gs->werr != FTP_OK && gs->part == NULL)
		return cli_fail(cl, FTPC_FAULT_LOCAL, gs->werr, "download "
		    "rejected: %s", ftp_strerror(gs->werr));
	if (gs->werr != FTP_OK)
		return cli_local_fail(cl, gs->werr, gs->werrno, "cannot write",
		    gs->part->target);
	return FTP_OK;
}

static int
get_file(struct ftpc_client *cl, uint32_t id, struct get_state *gs)
{
	struct msg_file file;
	struct frame f;
	int r;

	if ((r = cli_expect_reply(cl, id, PROTO_FILE, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_file(&f.body, &file)) != FTP_OK)
		return cli_malformed(cl, &f, r);
	/* A size below the offset would make the bytes due wrap. */
	if (file.size < file.offset)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: FILE of %llu bytes starts at offset %llu",
		    (unsigned long long)file.size,
		    (unsigned long long)file.offset);
	if (file.offset != gs->offset)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: FILE starts at offset %llu, not %llu",
		    (unsigned long long)file.offset,
		    (unsigned long long)gs->offset);
	gs->want = file.size - file.offset;
	gs->total = file.size;
	cli_progress(cl, gs->offset, gs->total);
	return FTP_OK;
}

/* After ABORT: whatever ended the stream, the download is dropped. */
static int
get_aborted(struct ftpc_client *cl, struct frame *f)
{
	struct msg_error e;
	int r;

	if (f->type == PROTO_ERROR &&
	    (r = msg_get_error(&f->body, &e)) != FTP_OK)
		return cli_malformed(cl, f, r);
	return cli_fail(cl, FTPC_FAULT_LOCAL, FTP_E_ABORTED, "interrupted; "
	    "nothing written");
}

static int
get_frames(struct ftpc_client *cl, uint32_t id, struct get_state *gs)
{
	struct frame f;
	int r;

	if ((r = get_file(cl, id, gs)) != FTP_OK)
		return r;
	for (;;) {
		if (!gs->aborting && cli_wait_cancelled(cl)) {
			/* The server ends the stream early with ERROR (or
			 * had already sent END). */
			if ((r = cli_send_abort(cl, id)) != FTP_OK)
				return r;
			gs->aborting = true;
		}
		if ((r = cli_reply(cl, id, &f)) != FTP_OK)
			return r;
		if (gs->aborting && f.type != PROTO_DATA)
			return get_aborted(cl, &f);
		if (f.type == PROTO_END)
			return get_end(cl, &f, gs);
		if (f.type != PROTO_DATA)
			return cli_unexpected(cl, &f);
		if (gs->aborting)
			continue;
		if ((r = get_data(cl, &f, gs)) != FTP_OK)
			return r;
		cli_progress(cl, gs->offset + gs->got, gs->total);
	}
}

/* The answer to a GET just sent, with an inflater if it asked for
 * COMPRESSED DATA. */
static int
get_stream(struct ftpc_client *cl, uint32_t id, struct get_state *gs)
{
	int r = FTP_OK;

	if (gs->compress && ((r = zs_inflater_new(&gs->z)) != FTP_OK ||
	    (gs->zbuf = malloc(PROTO_FRAME_MAX)) == NULL)) {
		/* The request is out: its answer can no longer be read. */
		cli_drop(cl);
		r = cli_fail(cl, FTPC_FAULT_LOCAL, r != FTP_OK ? r :
		    FTP_E_NOMEM, "cannot start inflating: out of memory");
	}
	if (r == FTP_OK)
		r = get_frames(cl, id, gs);
	zs_free(gs->z);
	free(gs->zbuf);
	gs->z = NULL;
	gs->zbuf = NULL;
	return r;
}

/* GET's flags field exists exactly when the server granted COMPRESS. */
static void
get_flags(const struct ftpc_client *cl, struct msg_get *m,
    struct get_state *gs, unsigned flags)
{
	m->has_flags = (cl->features & PROTO_FEATURE_COMPRESS) != 0;
	gs->compress = m->has_flags && (flags & FTPC_COMPRESS) != 0;
	m->flags = gs->compress ? PROTO_GET_COMPRESS : 0;
}

/* Chooses the local file and encodes the request, before anything is
 * created or sent. */
static int
get_prepare(struct ftpc_client *cl, const char *remote, const char *local,
    char target[LF_PATH_MAX], unsigned flags, struct get_state *gs)
{
	struct msg_get m = { .offset = 0 };
	int r;

	get_flags(cl, &m, gs, flags);
	if ((r = ftpc_resolve(cl, remote, m.path)) != FTP_OK)
		return r;
	if ((flags & FTPC_LOCAL_EXACT) != 0 && local != NULL &&
	    lf_is_dir(local))
		return cli_local_fail(cl, FTP_E_IS_DIR, EISDIR, "cannot write",
		    local);
	r = lf_target(remote, local, target);
	if (r == FTP_E_USAGE && (local == NULL || lf_is_dir(local)))
		return cli_fail(cl, FTPC_FAULT_USAGE, r, "%s has no safe file "
		    "name to use locally; give LOCAL", remote);
	if (r == FTP_E_USAGE)
		return cli_fail(cl, FTPC_FAULT_USAGE, r, "%s does not name a "
		    "file", local);
	if (r != FTP_OK)
		return cli_local_fail(cl, r, errno, "bad local path",
		    local != NULL ? local : remote);
	buf_reset(&cl->out);
	if ((r = msg_put_get(&cl->out, &m)) != FTP_OK)
		return cli_encode_fail(cl, r);
	if (cl->ch == NULL)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED,
		    "not connected");
	return FTP_OK;
}

/* The server's sum of the bytes we hold must be ours, or continuing would
 * splice two different files. */
static int
get_check_prefix(struct ftpc_client *cl, const char *remote,
    const char *target, const struct get_state *gs)
{
	struct msg_sum m = { .length = gs->part->have };
	struct msg_sum_ok ok;
	struct frame f;
	uint32_t id;
	int r;

	if ((r = ftpc_resolve(cl, remote, m.path)) != FTP_OK)
		return r;
	buf_reset(&cl->out);
	if ((r = msg_put_sum(&cl->out, &m)) != FTP_OK)
		return cli_encode_fail(cl, r);
	if ((r = cli_request(cl, PROTO_SUM, &id)) != FTP_OK ||
	    (r = cli_expect_reply(cl, id, PROTO_SUM_OK, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_sum_ok(&f.body, &ok)) != FTP_OK)
		return cli_malformed(cl, &f, r);
	if (ok.length != (m.length < ok.size ? m.length : ok.size))
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: SUM_OK covers %llu bytes, asked %llu",
		    (unsigned long long)ok.length,
		    (unsigned long long)m.length);
	if (ok.size < m.length)
		return cli_fail(cl, FTPC_FAULT_LOCAL, FTP_E_TOO_LARGE,
		    "the %llu bytes held for %s are more than the server's "
		    "%llu; use get -c --restart to download it again",
		    (unsigned long long)m.length, target,
		    (unsigned long long)ok.size);
	if (ok.crc != gs->crc)
		return cli_fail(cl, FTPC_FAULT_LOCAL, FTP_E_CHECKSUM,
		    "the %llu bytes held for %s differ from the server's; use "
		    "get -c --restart to download it again",
		    (unsigned long long)m.length, target);
	return FTP_OK;
}

static int
part_fail(struct ftpc_client *cl, int r, const char *target)
{
	if (r == FTP_E_BUSY)
		return cli_fail(cl, FTPC_FAULT_LOCAL, r, "another download to "
		    "%s is in progress", target);
	return cli_local_fail(cl, r, errno, "cannot create a file beside",
	    target);
}

/* Ends the temporary after a failure: a resumed download keeps its bytes
 * for the next try, unless they are what failed (a prefix or a whole file
 * the server's sum does not match, or more bytes than the server has) or
 * the user stopped it (who asked for nothing to be left). */
static void
part_fail_end(struct lf_part *p, unsigned flags, int r)
{
	if ((flags & FTPC_RESUME) != 0 && r != FTP_E_CHECKSUM &&
	    r != FTP_E_TOO_LARGE && r != FTP_E_ABORTED)
		lf_part_close(p);
	else
		lf_part_abort(p);
}

/* The temporary to download into: emptied, or for a resume holding the
 * bytes we have (checked against the server's), and the GET to send. */
static int
get_open_part(struct ftpc_client *cl, const char *remote,
    const char *target, unsigned flags, struct get_state *gs)
{
	struct msg_get m = { .offset = 0 };
	int r;

	if ((flags & FTPC_RESUME) == 0 || (flags & FTPC_RESTART) != 0) {
		if ((r = lf_part_open(gs->part, target)) != FTP_OK)
			return part_fail(cl, r, target);
		return FTP_OK;
	}
	if ((cl->features & PROTO_FEATURE_RESUME) == 0)
		return cli_fail(cl, FTPC_FAULT_USAGE, FTP_E_UNSUPPORTED, "the "
		    "server does not offer resuming (get -c)");
	if ((r = lf_part_resume(gs->part, target, &gs->crc)) != FTP_OK)
		return part_fail(cl, r, target);
	if (gs->part->have > 0 &&
	    (r = get_check_prefix(cl, remote, target, gs)) != FTP_OK)
		goto out;
	gs->offset = m.offset = gs->part->have;
	get_flags(cl, &m, gs, flags);
	if ((r = ftpc_resolve(cl, remote, m.path)) != FTP_OK)
		goto out;
	buf_reset(&cl->out);
	if ((r = msg_put_get(&cl->out, &m)) != FTP_OK)
		r = cli_encode_fail(cl, r);
out:
	if (r != FTP_OK)
		part_fail_end(gs->part, flags, r);
	return r;
}

int
ftpc_get(struct ftpc_client *cl, const char *remote, const char *local)
{
	return ftpc_get_ex(cl, remote, local, 0);
}

int
ftpc_get_ex(struct ftpc_client *cl, const char *remote, const char *local,
    unsigned flags)
{
	char target[LF_PATH_MAX];
	struct lf_part part;
	struct get_state gs = { .part = &part };
	uint32_t id;
	int r;

	cli_clear(cl);
	gs.sum = (cl->features & PROTO_FEATURE_CHECKSUM) != 0;
	if ((r = get_prepare(cl, remote, local, target, flags, &gs)) !=
	    FTP_OK)
		return r;
	if ((r = get_open_part(cl, remote, target, flags, &gs)) != FTP_OK)
		return r;
	if ((r = cli_request(cl, PROTO_GET, &id)) != FTP_OK ||
	    (r = get_stream(cl, id, &gs)) != FTP_OK)
		goto out;
	/* Between transfers the receive buffer need not stay DATA-sized. */
	if (cl->ch != NULL)
		chan_shrink(cl->ch);
	if ((r = lf_part_commit(&part)) != FTP_OK)
		return cli_local_fail(cl, r, errno, "cannot write", target);
	return FTP_OK;
out:
	part_fail_end(&part, flags, r);
	return r;
}

int
ftpc_get_to(struct ftpc_client *cl, const char *remote, ftpc_data_fn fn,
    void *arg, uint64_t *size)
{
	struct msg_get m = { .offset = 0 };
	struct get_state gs = { .fn = fn, .arg = arg };
	uint32_t id;
	int r;

	cli_clear(cl);
	gs.sum = (cl->features & PROTO_FEATURE_CHECKSUM) != 0;
	get_flags(cl, &m, &gs, 0);
	if ((r = ftpc_resolve(cl, remote, m.path)) != FTP_OK)
		return r;
	buf_reset(&cl->out);
	if ((r = msg_put_get(&cl->out, &m)) != FTP_OK)
		return cli_encode_fail(cl, r);
	if ((r = cli_request(cl, PROTO_GET, &id)) != FTP_OK ||
	    (r = get_stream(cl, id, &gs)) != FTP_OK)
		return r;
	*size = gs.want;
	return FTP_OK;
}
