/*
 * client_put.c - PUT: the local file, resuming against the server's kept
 * bytes, the stream of DATA frames (sendfile, or read, summed and maybe
 * deflated) and the server's answer.
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

struct put_state {
	int fd;
	const char *path;
	uint64_t size;
	uint64_t base; /* bytes the server already holds (READY) */
	uint8_t *buf;  /* read buffer when summing; NULL: sendfile */
	uint32_t crc;  /* of the bytes sent so far */
	bool sum;      /* END carries the crc */
	bool read_err; /* the last failure was reading the local file */
	struct zs *z;  /* deflater, for a PUT with the COMPRESS flag */
	uint8_t *zbuf; /* one compressed chunk */
};

/* The next n bytes of the file into ps->buf (read in order, from the
 * file's offset); FTP_E_CHANGED if it ends first. */
static int
put_read(struct put_state *ps, uint32_t n)
{
	size_t have = 0, got;
	int r;

	while (have < n) {
		if ((r = io_read_some(ps->fd, ps->buf + have, n - have,
		    &got)) != FTP_OK) {
			ps->read_err = true;
			return r;
		}
		if (got == 0)
			return FTP_E_CHANGED;
		have += got;
	}
	return FTP_OK;
}

/* One DATA frame of n bytes from off.  Summing or compressing reads the
 * bytes once, into a buffer, and sums and sends (or deflates) that very
 * buffer; otherwise sendfile(2). */
static int
put_chunk(struct ftpc_client *cl, uint32_t id, struct put_state *ps,
    uint64_t off, uint32_t n)
{
	size_t zn = 0;
	int r;

	if (ps->buf == NULL)
		return chan_send_file(cl->ch, id, ps->fd, off, n);
	if ((r = put_read(ps, n)) != FTP_OK)
		return r;
	if (ps->sum)
		ps->crc = crc32c_update(ps->crc, ps->buf, n);
	if (ps->z != NULL &&
	    (r = zs_deflate_chunk(ps->z, ps->buf, n, ps->zbuf, &zn)) != FTP_OK)
		return r;
	if (zn > 0)
		return chan_send_data(cl->ch, id, PROTO_FLAG_COMPRESSED,
		    ps->zbuf, zn);
	return chan_send_raw(cl->ch, PROTO_DATA, id, ps->buf, n);
}

static int
put_chunk_fail(struct ftpc_client *cl, struct put_state *ps, int r)
{
	int eno = errno;

	if (r == FTP_E_CHANGED) {
		cli_drop(cl);
		return cli_fail(cl, FTPC_FAULT_LOCAL, r, "%s shrank while "
		    "being sent; connection closed", ps->path);
	}
	if (ps->read_err) {
		cli_drop(cl);
		return cli_local_fail(cl, r, eno, "cannot read", ps->path);
	}
	return cli_lost(cl, r);
}

/* The server's final answer.  A checksum refusal means the bytes were
 * corrupted on the way: a connection fault, as in GET. */
static int
put_answer(struct ftpc_client *cl, uint32_t id)
{
	int r = cli_reply_ok(cl, id);

	if (r == FTP_E_CHECKSUM && cl->fault == FTPC_FAULT_REMOTE) {
		cl->fault = FTPC_FAULT_CONN;
		cli_drop(cl);
	}
	return r;
}

/* The user wants this PUT stopped: ABORT in place of the next DATA; the
 * server discards the upload and answers ERROR ABORTED (or its own
 * earlier ERROR crossed the ABORT). */
static int
put_abort(struct ftpc_client *cl, uint32_t id, struct put_state *ps)
{
	int r;

	if ((r = cli_send_abort(cl, id)) != FTP_OK)
		return r;
	if ((r = cli_reply_ok(cl, id)) == FTP_OK)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server accepted an aborted upload");
	if (r != FTP_E_ABORTED)
		return r;
	return cli_fail(cl, FTPC_FAULT_LOCAL, r, "interrupted; %s not "
	    "stored", ps->path);
}

static int
put_stream(struct ftpc_client *cl, uint32_t id, struct put_state *ps)
{
	struct msg_end end = { .count = 0 };
	uint32_t n;
	int r;

	end.has_crc = ps->sum;
	/* A readable channel mid-upload means the server already sent its
	 * final ERROR: stop, close the stream with END, then read it. */
	cli_progress(cl, ps->base, ps->size);
	while (end.count < ps->size - ps->base && !chan_readable(cl->ch)) {
		if (cli_cancelled(cl))
			return put_abort(cl, id, ps);
		n = ps->size - ps->base - end.count < cl->data_max ?
		    (uint32_t)(ps->size - ps->base - end.count) : cl->data_max;
		if ((r = put_chunk(cl, id, ps, ps->base + end.count, n)) !=
		    FTP_OK)
			return put_chunk_fail(cl, ps, r);
		end.count += n;
		cli_progress(cl, ps->base + end.count, ps->size);
	}
	end.crc = ps->crc;
	buf_reset(&cl->out);
	if ((r = msg_put_end(&cl->out, &end)) != FTP_OK)
		return cli_encode_fail(cl, r);
	if ((r = chan_send(cl->ch, PROTO_END, id, &cl->out)) != FTP_OK)
		return cli_lost(cl, r);
	if ((r = put_answer(cl, id)) == FTP_OK &&
	    end.count != ps->size - ps->base)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server accepted an incomplete upload");
	return r;
}

/* Gives up the server's kept bytes: an empty END, which it answers with
 * ERROR ABORTED. */
static int
put_abandon(struct ftpc_client *cl, uint32_t id, struct put_state *ps,
    const char *remote)
{
	struct msg_end end = { .count = 0, .has_crc = true, .crc = 0 };
	int r;

	buf_reset(&cl->out);
	if ((r = msg_put_end(&cl->out, &end)) != FTP_OK)
		return cli_encode_fail(cl, r);
	if ((r = chan_send(cl->ch, PROTO_END, id, &cl->out)) != FTP_OK)
		return cli_lost(cl, r);
	if ((r = cli_reply_ok(cl, id)) == FTP_OK)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server accepted an abandoned upload");
	if (r != FTP_E_ABORTED)
		return r;
	return cli_fail(cl, FTPC_FAULT_LOCAL, FTP_E_CHECKSUM, "the server's "
	    "partial upload of %s differs from %s; use put -c --restart to "
	    "upload it again", remote, ps->path);
}

/* The answer to a RESUME PUT: READY with the bytes the server kept, whose
 * sum must be that of our file's first bytes. */
static int
put_ready(struct ftpc_client *cl, uint32_t id, struct put_state *ps,
    const char *remote)
{
	struct msg_ready rd;
	struct frame f;
	uint32_t crc = 0;
	int r;

	if ((r = cli_expect_reply(cl, id, PROTO_READY, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_ready(&f.body, &rd)) != FTP_OK)
		return cli_malformed(cl, &f, r);
	if (rd.offset > ps->size || (rd.offset == ps->size && ps->size > 0))
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: READY at %llu of %llu bytes",
		    (unsigned long long)rd.offset,
		    (unsigned long long)ps->size);
	if ((r = lf_sum_next(ps->fd, rd.offset, &crc, -1)) != FTP_OK) {
		ps->read_err = r != FTP_E_CHANGED;
		return put_chunk_fail(cl, ps, r);
	}
	if (crc != rd.crc)
		return put_abandon(cl, id, ps, remote);
	ps->base = rd.offset;
	ps->crc = crc;
	return FTP_OK;
}

/* The read buffer (for checksums or compression: no sendfile then) and
 * the deflater, before anything is sent. */
static int
put_buffers(struct ftpc_client *cl, struct put_state *ps,
    const struct msg_put *m)
{
	int r;

	ps->sum = (cl->features & PROTO_FEATURE_CHECKSUM) != 0;
	if ((m->flags & PROTO_PUT_COMPRESS) != 0) {
		if ((r = zs_deflater_new(&ps->z)) != FTP_OK ||
		    (ps->zbuf = malloc(cl->data_max)) == NULL)
			return cli_fail(cl, FTPC_FAULT_LOCAL, FTP_E_NOMEM,
			    "cannot start compressing: out of memory");
	}
	if ((ps->sum || ps->z != NULL) &&
	    (ps->buf = malloc(cl->data_max)) == NULL)
		return cli_fail(cl, FTPC_FAULT_LOCAL, FTP_E_NOMEM,
		    "out of memory");
	return FTP_OK;
}

int
ftpc_put(struct ftpc_client *cl, const char *local_path, const char *remote)
{
	return ftpc_put_ex(cl, local_path, remote, 0);
}

int
ftpc_put_ex(struct ftpc_client *cl, const char *local_path,
    const char *remote, unsigned flags)
{
	struct msg_put m = { .flags = 0 };
	struct put_state ps = { .fd = -1, .path = local_path };
	uint32_t id;
	int fd, r;

	cli_clear(cl);
	if (remote == NULL)
		remote = lf_basename(local_path);
	if (remote[0] == '\0')
		return cli_fail(cl, FTPC_FAULT_USAGE, FTP_E_USAGE,
		    "no file name in %s; give REMOTE", local_path);
	if ((r = ftpc_resolve(cl, remote, m.path)) != FTP_OK)
		return r;
	if ((flags & FTPC_RESUME) != 0 && (flags & FTPC_RESTART) == 0) {
		if ((cl->features & PROTO_FEATURE_RESUME) == 0)
			return cli_fail(cl, FTPC_FAULT_USAGE, FTP_E_UNSUPPORTED,
			    "the server does not offer resuming (put -c)");
		m.flags = PROTO_PUT_RESUME;
	}
	if ((flags & FTPC_COMPRESS) != 0 &&
	    (cl->features & PROTO_FEATURE_COMPRESS) != 0)
		m.flags |= PROTO_PUT_COMPRESS;
	if ((r = lf_open_read(local_path, &fd, &m.size)) != FTP_OK)
		return cli_local_fail(cl, r, errno, "cannot open", local_path);
	buf_reset(&cl->out);
	if ((r = msg_put_put(&cl->out, &m)) != FTP_OK) {
		r = cli_encode_fail(cl, r);
		goto out;
	}
	ps.fd = fd;
	ps.size = m.size;
	if ((r = put_buffers(cl, &ps, &m)) != FTP_OK)
		goto out;
	if ((r = cli_request(cl, PROTO_PUT, &id)) != FTP_OK)
		goto out;
	if ((m.flags & PROTO_PUT_RESUME) != 0)
		r = put_ready(cl, id, &ps, remote);
	else
		r = cli_reply_ok(cl, id);
	if (r != FTP_OK)
		goto out;
	r = put_stream(cl, id, &ps);
out:
	free(ps.buf);
	free(ps.zbuf);
	zs_free(ps.z);
	close(fd);
	return r;
}
