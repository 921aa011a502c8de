/*
 * client.c - one ftpf session: the client's side of docs/PROTOCOL.md.
 *
 * Each call sends one request and reads every frame of its answer before
 * it returns, so the session is always between requests afterwards or
 * closed.  Replies are strict: a wrong id, an unexpected type or a
 * malformed body is a protocol error and the connection is dropped, since
 * nothing after it can be trusted to be in step.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan.h"
#include "client.h"
#include "compress.h"
#include "conn.h"
#include "crc32c.h"
#include "err.h"
#include "frame.h"
#include "proto_limits.h"
#include "io.h"
#include "localfile.h"
#include "msg.h"
#include "net.h"
#include "tls.h"

/* Room for a server message plus two paths and some words. */
#define FTPC_DETAIL_MAX (PROTO_MESSAGE_MAX + 2 * LF_PATH_MAX + 256)

struct ftpc_client {
	struct chan *ch;            /* NULL once the connection is gone */
	volatile sig_atomic_t fd;   /* the socket, for ftpc_abort() only */
	uint32_t next_id;           /* 0 once the ids are used up */
	uint32_t data_max;          /* largest DATA body we send */
	uint64_t want;              /* features asked for in HELLO */
	uint64_t features;          /* features the server granted */
	enum ftpc_fault fault;
	bool tls;                   /* the session runs inside TLS */
	bool tls_verified;          /* ... which checked the server */
	struct buf out;             /* the request body being sent */
	char software[PROTO_SOFTWARE_MAX + 1];
	char detail[FTPC_DETAIL_MAX];
};

static void
drop(struct ftpc_client *cl)
{
	cl->fd = -1;
	if (cl->ch != NULL)
		chan_free(cl->ch);
	cl->ch = NULL;
}

static void
clear(struct ftpc_client *cl)
{
	cl->fault = FTPC_FAULT_NONE;
	cl->detail[0] = '\0';
}

/* Records a failure and returns err; a connection fault also drops the
 * connection, which is out of step or gone. */
__attribute__((format(printf, 4, 5))) static int
fail(struct ftpc_client *cl, enum ftpc_fault fault, int err, const char *fmt,
    ...)
{
	va_list ap;

	cl->fault = fault;
	va_start(ap, fmt);
	vsnprintf(cl->detail, sizeof(cl->detail), fmt, ap);
	va_end(ap);
	if (fault == FTPC_FAULT_CONN)
		drop(cl);
	return err;
}

static int
local_fail(struct ftpc_client *cl, int err, int eno, const char *what,
    const char *path)
{
	char sbuf[128];
	const char *why = strerror_r(eno, sbuf, sizeof(sbuf));

	if (err == FTP_E_BAD_VALUE)
		why = "not a regular file";
	return fail(cl, FTPC_FAULT_LOCAL, err, "%s %s: %s", what, path, why);
}

static const char *
type_name(uint8_t type)
{
	const char *name = proto_type_name(type);

	return name != NULL ? name : "unknown";
}

static int
malformed(struct ftpc_client *cl, const struct frame *f, int err)
{
	return fail(cl, FTPC_FAULT_CONN, err, "malformed %s frame: %s",
	    type_name(f->type), ftp_strerror(err));
}

static int
unexpected(struct ftpc_client *cl, const struct frame *f)
{
	return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_TYPE,
	    "protocol error: unexpected %s frame", type_name(f->type));
}

/* An ERROR frame: the server's status and its own words. */
static int
refused(struct ftpc_client *cl, struct frame *f, enum ftpc_fault fault)
{
	struct msg_error e;
	int r, code;

	if ((r = msg_get_error(&f->body, &e)) != FTP_OK)
		return malformed(cl, f, r);
	code = ftp_err_from_status(e.status);
	return fail(cl, fault, code, "%s",
	    e.message[0] != '\0' ? e.message : ftp_strerror(code));
}

/* What a transport failure means: TLS may know more than the code (the
 * server's alert that it requires a client certificate, say). */
static const char *
conn_why(struct ftpc_client *cl, int err)
{
	const char *why = cl->ch != NULL ? tls_conn_error(chan_conn(cl->ch)) :
	    NULL;

	return why != NULL && err == FTP_E_TLS ? why : ftp_strerror(err);
}

/* The connection failed under us.  The server usually says why it hangs
 * up (ERROR with id 0) just before it closes; a failed send can leave that
 * frame unread, and it is a better message than "broken pipe". */
static int
lost(struct ftpc_client *cl, int err)
{
	struct frame f;

	if (cl->ch != NULL && chan_readable(cl->ch) &&
	    chan_recv(cl->ch, &f) == FTP_OK && f.type == PROTO_ERROR)
		return refused(cl, &f, FTPC_FAULT_CONN);
	return fail(cl, FTPC_FAULT_CONN, err, "%s", conn_why(cl, err));
}

static int
encode_fail(struct ftpc_client *cl, int err)
{
	if (err == FTP_E_BAD_STRING)
		return fail(cl, FTPC_FAULT_USAGE, err,
		    "remote path is not valid UTF-8");
	return fail(cl, FTPC_FAULT_LOCAL, err, "cannot encode the request: %s",
	    ftp_strerror(err));
}

static int
set_path(struct ftpc_client *cl, char dst[PROTO_PATH_MAX + 1],
    const char *path)
{
	size_t n = strlen(path);

	if (n > PROTO_PATH_MAX)
		return fail(cl, FTPC_FAULT_USAGE, FTP_E_TOO_LARGE,
		    "remote path longer than %d bytes", PROTO_PATH_MAX);
	memcpy(dst, path, n + 1);
	return FTP_OK;
}

/* Sends cl->out's bytes as the body of a new request. */
static int
request(struct ftpc_client *cl, uint8_t type, uint32_t *id)
{
	int r;

	if (cl->ch == NULL)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED, "not connected");
	if (cl->next_id == 0)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_TOO_LARGE,
		    "request ids used up; reconnect");
	*id = cl->next_id++;
	if ((r = chan_send(cl->ch, type, *id, &cl->out)) != FTP_OK)
		return lost(cl, r);
	return FTP_OK;
}

/* The next frame answering request id; an ERROR with id 0 ends the
 * connection with the server's reason. */
static int
reply(struct ftpc_client *cl, uint32_t id, struct frame *f)
{
	int r;

	if (cl->ch == NULL)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED, "not connected");
	if ((r = chan_recv(cl->ch, f)) != FTP_OK)
		return fail(cl, FTPC_FAULT_CONN, r, "%s", conn_why(cl, r));
	if (f->id == PROTO_ID_CONNECTION && f->type == PROTO_ERROR)
		return refused(cl, f, FTPC_FAULT_CONN);
	if (f->id != id)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_ID,
		    "protocol error: %s frame for request %u, expected %u",
		    type_name(f->type), (unsigned)f->id, (unsigned)id);
	return FTP_OK;
}

/* The reply to request id, which must be of type want; an ERROR is the
 * server refusing the request. */
static int
expect_reply(struct ftpc_client *cl, uint32_t id, uint8_t want,
    struct frame *f)
{
	int r;

	if ((r = reply(cl, id, f)) != FTP_OK)
		return r;
	if (f->type == PROTO_ERROR)
		return refused(cl, f, FTPC_FAULT_REMOTE);
	if (f->type != want)
		return unexpected(cl, f);
	return FTP_OK;
}

/* A reply that must be an empty OK. */
static int
reply_ok(struct ftpc_client *cl, uint32_t id)
{
	struct frame f;
	int r;

	if ((r = expect_reply(cl, id, PROTO_OK, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_empty(&f.body)) != FTP_OK)
		return malformed(cl, &f, r);
	return FTP_OK;
}

/* ---- session ---------------------------------------------------------- */

static int
accept_hello(struct ftpc_client *cl, const struct msg_hello_ok *ok)
{
	uint64_t fmax = msg_hello_ok_limit(ok, PROTO_LIMIT_FRAME_MAX,
	    PROTO_FRAME_MAX);

	if (ok->version != PROTO_VERSION)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_VERSION,
		    "server answered with protocol version %u",
		    (unsigned)ok->version);
	if ((ok->features & ~cl->want) != 0)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server granted features not asked for");
	/* Resuming unverified could splice two different files. */
	if ((ok->features & PROTO_FEATURE_RESUME) != 0 &&
	    (ok->features & PROTO_FEATURE_CHECKSUM) == 0)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server granted RESUME without CHECKSUM");
	if (fmax == 0)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server accepts no DATA (FRAME_MAX 0)");
	cl->data_max = fmax < PROTO_DATA_CHUNK ? (uint32_t)fmax :
	    PROTO_DATA_CHUNK;
	cl->features = ok->features;
	if ((cl->features & PROTO_FEATURE_COMPRESS) != 0)
		chan_allow_flags(cl->ch, PROTO_FLAG_COMPRESSED);
	memcpy(cl->software, ok->software, sizeof(cl->software));
	return FTP_OK;
}

/* A TLS-only server answers a plaintext HELLO with a TLS alert (garbage
 * to us) and a close: after a close or an undecodable first reply, say
 * what probably happened. */
static int
plain_hint(struct ftpc_client *cl, int err)
{
	size_t n = strlen(cl->detail);

	if (!cl->tls && err <= FTP_E_NOMEM &&
	    ftp_err_to_status(err) == ftp_err_to_status(FTP_E_PROTOCOL))
		snprintf(cl->detail + n, sizeof(cl->detail) - n, " (before "
		    "HELLO_OK; is the server TLS-only? try --tls)");
	return err;
}

static int
hello(struct ftpc_client *cl)
{
	struct msg_hello h = {
		.magic = PROTO_MAGIC,
		.version = PROTO_VERSION,
		.features = cl->want,
		.software = "ftpc/" FTPF_VERSION,
	};
	struct msg_hello_ok ok;
	struct frame f;
	uint32_t id;
	int r;

	buf_reset(&cl->out);
	if ((r = msg_put_hello(&cl->out, &h)) != FTP_OK)
		return encode_fail(cl, r);
	if ((r = request(cl, PROTO_HELLO, &id)) != FTP_OK)
		return r;
	if ((r = reply(cl, id, &f)) != FTP_OK)
		return plain_hint(cl, r);
	/* Refusing HELLO (busy, version) refuses the whole session. */
	if (f.type == PROTO_ERROR)
		return refused(cl, &f, FTPC_FAULT_CONN);
	if (f.type != PROTO_HELLO_OK)
		return unexpected(cl, &f);
	if ((r = msg_get_hello_ok(&f.body, &ok)) != FTP_OK)
		return malformed(cl, &f, r);
	return accept_hello(cl, &ok);
}

/* The transport over the connected socket fd: plain, or TLS after a
 * handshake that verified the server. */
static int
secure(struct ftpc_client *cl, int fd, const char *host, const char *port,
    const struct tls_config *tls, struct conn **conn)
{
	char why[TLS_ERR_MAX];
	int r;

	if (tls == NULL)
		r = conn_plain_new(fd, conn);
	else
		r = tls_client_connect(tls, fd, host, FTPC_CONNECT_TIMEOUT,
		    conn, why);
	if (r == FTP_OK)
		return FTP_OK;
	if (tls == NULL)
		return fail(cl, FTPC_FAULT_CONN, r, "%s", ftp_strerror(r));
	return fail(cl, FTPC_FAULT_CONN, r, "TLS handshake with %s%s%s:%s "
	    "failed: %s", strchr(host, ':') != NULL ? "[" : "", host,
	    strchr(host, ':') != NULL ? "]" : "", port, why);
}

static int
transport(struct ftpc_client *cl, int fd, const char *host, const char *port,
    const struct tls_config *tls)
{
	struct conn *conn;
	int r;

	if ((r = secure(cl, fd, host, port, tls, &conn)) != FTP_OK)
		return r;
	if ((r = conn_set_timeout(conn, FTPC_IO_TIMEOUT)) != FTP_OK) {
		conn_close(conn);
		return fail(cl, FTPC_FAULT_CONN, r, "%s", ftp_strerror(r));
	}
	/* Replies are bounded by the protocol's ceiling; the server's own
	 * DATA_CHUNK is smaller. */
	if ((r = chan_new(conn, PROTO_FRAME_MAX, &cl->ch)) != FTP_OK)
		return fail(cl, FTPC_FAULT_CONN, r, "%s", ftp_strerror(r));
	cl->fd = fd;
	return FTP_OK;
}

/* Why connecting failed, in words: net_connect() leaves errno set when a
 * connect(2) failed, which says more than our code does. */
static const char *
connect_why(int err, char *sbuf, size_t size)
{
	if (err == FTP_E_ADDRESS)
		return "unknown host";
	if (err == FTP_E_NETWORK || err == FTP_E_NOMEM || errno == 0)
		return ftp_strerror(err);
	return strerror_r(errno, sbuf, size);
}

int
ftpc_open(const char *host, const char *port, struct ftpc_client **out)
{
	return ftpc_open_tls(host, port, NULL, out);
}

int
ftpc_open_tls(const char *host, const char *port,
    const struct tls_config *tls, struct ftpc_client **out)
{
	return ftpc_open_features(host, port, tls, FTPC_FEATURES_DEFAULT, out);
}

int
ftpc_open_features(const char *host, const char *port,
    const struct tls_config *tls, uint64_t features, struct ftpc_client **out)
{
	struct ftpc_client *cl;
	char sbuf[128];
	int fd, r;

	*out = cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return FTP_E_NOMEM;
	cl->fd = -1;
	cl->next_id = 1;
	cl->want = features;
	buf_init(&cl->out, PROTO_CONTROL_MAX);
	errno = 0;
	if ((r = net_connect(host, port, FTPC_CONNECT_TIMEOUT, &fd)) != FTP_OK)
		return fail(cl, FTPC_FAULT_CONN, r,
		    "cannot connect to %s port %s: %s", host, port,
		    connect_why(r, sbuf, sizeof(sbuf)));
	cl->tls = tls != NULL;
	cl->tls_verified = tls_config_verifies(tls);
	if ((r = transport(cl, fd, host, port, tls)) != FTP_OK)
		return r;
	return hello(cl);
}

int
ftpc_quit(struct ftpc_client *cl)
{
	uint32_t id;
	int r;

	clear(cl);
	buf_reset(&cl->out);
	if ((r = request(cl, PROTO_QUIT, &id)) != FTP_OK)
		return r;
	r = reply_ok(cl, id);
	drop(cl);
	return r;
}

void
ftpc_close(struct ftpc_client *cl)
{
	if (cl == NULL)
		return;
	drop(cl);
	buf_free(&cl->out);
	free(cl);
}

void
ftpc_abort(struct ftpc_client *cl)
{
	int fd = cl->fd;

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

bool
ftpc_connected(const struct ftpc_client *cl)
{
	return cl->ch != NULL;
}

enum ftpc_fault
ftpc_fault(const struct ftpc_client *cl)
{
	return cl->fault;
}

const char *
ftpc_detail(const struct ftpc_client *cl)
{
	return cl->detail;
}

const char *
ftpc_server_software(const struct ftpc_client *cl)
{
	return cl->software;
}

/* ---- LOGIN ------------------------------------------------------------ */

/* Whether the connected peer is on this machine (or the session is TLS):
 * checked on the socket itself, so a name that resolved to loopback before
 * connecting and elsewhere now cannot take a password off the machine. */
static bool
peer_safe(const struct ftpc_client *cl)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (cl->tls_verified)
		return true;
	return getpeername(cl->fd, (struct sockaddr *)&ss, &len) == 0 &&
	    net_addr_is_loopback((struct sockaddr *)&ss);
}

/* Overwrites the n bytes a buffer held, then frees it.  buf_reserve()
 * after buf_reset() hands back the start of the same allocation, and the
 * body was reserved in one go (msg_put_login()), so no reallocation left a
 * copy elsewhere. */
static void
wipe_buf(struct buf *b, size_t n)
{
	uint8_t *room;

	buf_reset(b);
	if (n > 0 && buf_reserve(b, n, &room) == FTP_OK && room != NULL)
		explicit_bzero(room, n);
	buf_free(b);
}

/* Encodes and sends LOGIN; every copy of the password made here is wiped
 * before returning. */
static int
login_send(struct ftpc_client *cl, const char *user, const char *password,
    uint32_t *id)
{
	struct msg_login m;
	struct buf body;
	size_t n;
	int r;

	if (strlen(user) > PROTO_USER_MAX || strlen(password) >
	    PROTO_PASSWORD_MAX)
		return fail(cl, FTPC_FAULT_USAGE, FTP_E_TOO_LARGE, "user name "
		    "or password too long (limits %d and %d bytes)",
		    PROTO_USER_MAX, PROTO_PASSWORD_MAX);
	memcpy(m.user, user, strlen(user) + 1);
	memcpy(m.password, password, strlen(password) + 1);
	buf_init(&body, PROTO_CONTROL_MAX);
	r = msg_put_login(&body, &m);
	explicit_bzero(&m, sizeof(m));
	n = buf_len(&body);
	if (r != FTP_OK)
		r = fail(cl, FTPC_FAULT_USAGE, r, "user name or password is "
		    "not UTF-8 text");
	else if (cl->next_id == 0)
		r = fail(cl, FTPC_FAULT_CONN, FTP_E_TOO_LARGE,
		    "request ids used up; reconnect");
	else {
		*id = cl->next_id++;
		if ((r = chan_send(cl->ch, PROTO_LOGIN, *id, &body)) != FTP_OK)
			r = lost(cl, r);
	}
	wipe_buf(&body, n);
	return r;
}

int
ftpc_login(struct ftpc_client *cl, const char *user, const char *password,
    bool allow_plaintext)
{
	uint32_t id;
	int r;

	clear(cl);
	if (cl->ch == NULL)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED, "not connected");
	if ((cl->want & PROTO_FEATURE_LOGIN) == 0)
		return fail(cl, FTPC_FAULT_USAGE, FTP_E_USAGE, "the session "
		    "did not ask for logins in HELLO");
	if ((cl->features & PROTO_FEATURE_LOGIN) == 0)
		return fail(cl, FTPC_FAULT_REMOTE, FTP_E_UNSUPPORTED, "server "
		    "does not take logins (it serves anonymously)");
	if (!allow_plaintext && !peer_safe(cl))
		return fail(cl, FTPC_FAULT_USAGE, FTP_E_DENIED, "refusing to "
		    "send a password without TLS to an address that is not "
		    "loopback");
	if ((r = login_send(cl, user, password, &id)) != FTP_OK)
		return r;
	r = reply_ok(cl, id);
	/* Refused, even when the server also hangs up (too many failures,
	 * id 0): the user's credentials are at fault, not the link. */
	if (r == FTP_E_DENIED)
		cl->fault = FTPC_FAULT_REMOTE;
	return r;
}

/* ---- LIST ------------------------------------------------------------- */

struct list_state {
	ftpc_entry_fn fn;
	void *arg;
	int cb_err;     /* the first callback failure; later entries skipped */
	uint64_t total; /* entries received */
};

static int
list_entries(struct ftpc_client *cl, struct frame *f, struct list_state *ls)
{
	struct msg_entry e;
	uint16_t n;
	int r;

	if ((r = msg_entries_count(&f->body, &n)) != FTP_OK)
		return malformed(cl, f, r);
	for (uint16_t i = 0; i < n; i++) {
		if ((r = msg_entry_get(&f->body, &e)) != FTP_OK)
			return malformed(cl, f, r);
		if (!lf_safe_name(e.name, strlen(e.name)))
			return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
			    "protocol error: entry named \"%s\"", e.name);
		if (ls->cb_err == FTP_OK)
			ls->cb_err = ls->fn(ls->arg, &e);
	}
	if ((r = msg_get_empty(&f->body)) != FTP_OK)
		return malformed(cl, f, r);
	ls->total += n;
	return FTP_OK;
}

/* An END must count exactly what was announced and received; *endp, if
 * not NULL, receives it (with a crc when expect_crc). */
static int
end_check(struct ftpc_client *cl, struct frame *f, uint64_t announced,
    uint64_t received, const char *unit, bool expect_crc,
    struct msg_end *endp)
{
	struct msg_end end;
	int r;

	if ((r = msg_get_end(&f->body, &end, expect_crc)) != FTP_OK)
		return malformed(cl, f, r);
	if (end.count != announced || received != announced)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: END counts %llu %s, %llu received, %llu "
		    "announced", (unsigned long long)end.count, unit,
		    (unsigned long long)received,
		    (unsigned long long)announced);
	if (endp != NULL)
		*endp = end;
	return FTP_OK;
}

static int
list_end(struct ftpc_client *cl, struct frame *f, const struct list_state *ls)
{
	int r;

	if ((r = end_check(cl, f, ls->total, ls->total, "entries", false,
	    NULL)) != FTP_OK)
		return r;
	if (ls->cb_err != FTP_OK)
		return fail(cl, FTPC_FAULT_LOCAL, ls->cb_err,
		    "cannot keep the listing: %s", ftp_strerror(ls->cb_err));
	return FTP_OK;
}

int
ftpc_list(struct ftpc_client *cl, const char *path, ftpc_entry_fn fn,
    void *arg)
{
	struct list_state ls = { .fn = fn, .arg = arg };
	struct msg_list m;
	struct frame f;
	uint32_t id;
	int r;

	clear(cl);
	if ((r = set_path(cl, m.path, path)) != FTP_OK)
		return r;
	buf_reset(&cl->out);
	if ((r = msg_put_list(&cl->out, &m)) != FTP_OK)
		return encode_fail(cl, r);
	if ((r = request(cl, PROTO_LIST, &id)) != FTP_OK)
		return r;
	for (;;) {
		if ((r = reply(cl, id, &f)) != FTP_OK)
			return r;
		if (f.type == PROTO_END)
			return list_end(cl, &f, &ls);
		if (f.type == PROTO_ERROR)
			return refused(cl, &f, FTPC_FAULT_REMOTE);
		if (f.type != PROTO_ENTRIES)
			return unexpected(cl, &f);
		if ((r = list_entries(cl, &f, &ls)) != FTP_OK)
			return r;
	}
}

/* ---- GET -------------------------------------------------------------- */

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
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_FLAGS, "protocol "
		    "error: COMPRESSED DATA in a GET that did not ask for it");
	r = zs_inflate_frame(gs->z, buf_ptr(&f->body), buf_len(&f->body),
	    gs->zbuf, cap, n);
	if (r == FTP_E_FRAME_SIZE)
		return fail(cl, FTPC_FAULT_CONN, r, "protocol error: "
		    "COMPRESSED DATA inflates past %zu bytes (frame limit, or "
		    "the rest of the %llu announced)", cap,
		    (unsigned long long)gs->want);
	if (r != FTP_OK)
		return fail(cl, FTPC_FAULT_CONN, r, "protocol error: bad "
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
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
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
	return fail(cl, FTPC_FAULT_CONN, FTP_E_CHECKSUM, "checksum mismatch: "
	    "the server's CRC-32C is %08lx, the bytes received have %08lx; "
	    "%s not written", (unsigned long)end->crc, (unsigned long)gs->crc,
	    gs->part != NULL ? gs->part->target : "download");
}

static int
get_end(struct ftpc_client *cl, struct frame *f, const struct get_state *gs)
{
	struct msg_end end = { .count = 0 };
	int r;

	if ((r = end_check(cl, f, gs->want, gs->got, "bytes", gs->sum,
	    &end)) != FTP_OK)
		return r;
	if ((r = get_sum_check(cl, gs, &end)) != FTP_OK)
		return r;
	if (gs->werr != FTP_OK && gs->part == NULL)
		return fail(cl, FTPC_FAULT_LOCAL, gs->werr, "download "
		    "rejected: %s", ftp_strerror(gs->werr));
	if (gs->werr != FTP_OK)
		return local_fail(cl, gs->werr, gs->werrno, "cannot write",
		    gs->part->target);
	return FTP_OK;
}

static int
get_file(struct ftpc_client *cl, uint32_t id, struct get_state *gs)
{
	struct msg_file file;
	struct frame f;
	int r;

	if ((r = expect_reply(cl, id, PROTO_FILE, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_file(&f.body, &file)) != FTP_OK)
		return malformed(cl, &f, r);
	if (file.offset != gs->offset)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: FILE starts at offset %llu, not %llu",
		    (unsigned long long)file.offset,
		    (unsigned long long)gs->offset);
	gs->want = file.size - file.offset;
	return FTP_OK;
}

static int
get_frames(struct ftpc_client *cl, uint32_t id, struct get_state *gs)
{
	struct frame f;
	int r;

	if ((r = get_file(cl, id, gs)) != FTP_OK)
		return r;
	for (;;) {
		if ((r = reply(cl, id, &f)) != FTP_OK)
			return r;
		if (f.type == PROTO_END)
			return get_end(cl, &f, gs);
		if (f.type != PROTO_DATA)
			return unexpected(cl, &f);
		if ((r = get_data(cl, &f, gs)) != FTP_OK)
			return r;
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
		drop(cl);
		r = fail(cl, FTPC_FAULT_LOCAL, r != FTP_OK ? r : FTP_E_NOMEM,
		    "cannot start inflating: out of memory");
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
	if ((r = set_path(cl, m.path, remote)) != FTP_OK)
		return r;
	r = lf_target(remote, local, target);
	if (r == FTP_E_USAGE && (local == NULL || lf_is_dir(local)))
		return fail(cl, FTPC_FAULT_USAGE, r, "%s has no safe file name "
		    "to use locally; give LOCAL", remote);
	if (r == FTP_E_USAGE)
		return fail(cl, FTPC_FAULT_USAGE, r, "%s does not name a file",
		    local);
	if (r != FTP_OK)
		return local_fail(cl, r, errno, "bad local path",
		    local != NULL ? local : remote);
	buf_reset(&cl->out);
	if ((r = msg_put_get(&cl->out, &m)) != FTP_OK)
		return encode_fail(cl, r);
	if (cl->ch == NULL)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED, "not connected");
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

	if ((r = set_path(cl, m.path, remote)) != FTP_OK)
		return r;
	buf_reset(&cl->out);
	if ((r = msg_put_sum(&cl->out, &m)) != FTP_OK)
		return encode_fail(cl, r);
	if ((r = request(cl, PROTO_SUM, &id)) != FTP_OK ||
	    (r = expect_reply(cl, id, PROTO_SUM_OK, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_sum_ok(&f.body, &ok)) != FTP_OK)
		return malformed(cl, &f, r);
	if (ok.length != (m.length < ok.size ? m.length : ok.size))
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE, "protocol "
		    "error: SUM_OK covers %llu bytes, asked %llu",
		    (unsigned long long)ok.length,
		    (unsigned long long)m.length);
	if (ok.size < m.length)
		return fail(cl, FTPC_FAULT_LOCAL, FTP_E_TOO_LARGE, "the %llu "
		    "bytes held for %s are more than the server's %llu; use "
		    "get -c --restart to download it again",
		    (unsigned long long)m.length, target,
		    (unsigned long long)ok.size);
	if (ok.crc != gs->crc)
		return fail(cl, FTPC_FAULT_LOCAL, FTP_E_CHECKSUM, "the %llu "
		    "bytes held for %s differ from the server's; use get -c "
		    "--restart to download it again",
		    (unsigned long long)m.length, target);
	return FTP_OK;
}

static int
part_fail(struct ftpc_client *cl, int r, const char *target)
{
	if (r == FTP_E_BUSY)
		return fail(cl, FTPC_FAULT_LOCAL, r, "another download to %s "
		    "is in progress", target);
	return local_fail(cl, r, errno, "cannot create a file beside",
	    target);
}

/* Ends the temporary after a failure: a resumed download keeps its bytes
 * for the next try, unless they are what failed (a prefix or a whole file
 * the server's sum does not match, or more bytes than the server has). */
static void
part_fail_end(struct lf_part *p, unsigned flags, int r)
{
	if ((flags & FTPC_RESUME) != 0 && r != FTP_E_CHECKSUM &&
	    r != FTP_E_TOO_LARGE)
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
		return fail(cl, FTPC_FAULT_USAGE, FTP_E_UNSUPPORTED, "the "
		    "server does not offer resuming (get -c)");
	if ((r = lf_part_resume(gs->part, target, &gs->crc)) != FTP_OK)
		return part_fail(cl, r, target);
	if (gs->part->have > 0 &&
	    (r = get_check_prefix(cl, remote, target, gs)) != FTP_OK)
		goto out;
	gs->offset = m.offset = gs->part->have;
	get_flags(cl, &m, gs, flags);
	if ((r = set_path(cl, m.path, remote)) != FTP_OK)
		goto out;
	buf_reset(&cl->out);
	if ((r = msg_put_get(&cl->out, &m)) != FTP_OK)
		r = encode_fail(cl, r);
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

	clear(cl);
	gs.sum = (cl->features & PROTO_FEATURE_CHECKSUM) != 0;
	if ((r = get_prepare(cl, remote, local, target, flags, &gs)) !=
	    FTP_OK)
		return r;
	if ((r = get_open_part(cl, remote, target, flags, &gs)) != FTP_OK)
		return r;
	if ((r = request(cl, PROTO_GET, &id)) != FTP_OK ||
	    (r = get_stream(cl, id, &gs)) != FTP_OK)
		goto out;
	/* Between transfers the receive buffer need not stay DATA-sized. */
	if (cl->ch != NULL)
		chan_shrink(cl->ch);
	if ((r = lf_part_commit(&part)) != FTP_OK)
		return local_fail(cl, r, errno, "cannot write", target);
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

	clear(cl);
	gs.sum = (cl->features & PROTO_FEATURE_CHECKSUM) != 0;
	get_flags(cl, &m, &gs, 0);
	if ((r = set_path(cl, m.path, remote)) != FTP_OK)
		return r;
	buf_reset(&cl->out);
	if ((r = msg_put_get(&cl->out, &m)) != FTP_OK)
		return encode_fail(cl, r);
	if ((r = request(cl, PROTO_GET, &id)) != FTP_OK ||
	    (r = get_stream(cl, id, &gs)) != FTP_OK)
		return r;
	*size = gs.want;
	return FTP_OK;
}

/* ---- PUT -------------------------------------------------------------- */

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
		drop(cl);
		return fail(cl, FTPC_FAULT_LOCAL, r, "%s shrank while "
		    "being sent; connection closed", ps->path);
	}
	if (ps->read_err) {
		drop(cl);
		return local_fail(cl, r, eno, "cannot read", ps->path);
	}
	return lost(cl, r);
}

/* The server's final answer.  A checksum refusal means the bytes were
 * corrupted on the way: a connection fault, as in GET. */
static int
put_answer(struct ftpc_client *cl, uint32_t id)
{
	int r = reply_ok(cl, id);

	if (r == FTP_E_CHECKSUM && cl->fault == FTPC_FAULT_REMOTE) {
		cl->fault = FTPC_FAULT_CONN;
		drop(cl);
	}
	return r;
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
	while (end.count < ps->size - ps->base && !chan_readable(cl->ch)) {
		n = ps->size - ps->base - end.count < cl->data_max ?
		    (uint32_t)(ps->size - ps->base - end.count) : cl->data_max;
		if ((r = put_chunk(cl, id, ps, ps->base + end.count, n)) !=
		    FTP_OK)
			return put_chunk_fail(cl, ps, r);
		end.count += n;
	}
	end.crc = ps->crc;
	buf_reset(&cl->out);
	if ((r = msg_put_end(&cl->out, &end)) != FTP_OK)
		return encode_fail(cl, r);
	if ((r = chan_send(cl->ch, PROTO_END, id, &cl->out)) != FTP_OK)
		return lost(cl, r);
	if ((r = put_answer(cl, id)) == FTP_OK &&
	    end.count != ps->size - ps->base)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
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
		return encode_fail(cl, r);
	if ((r = chan_send(cl->ch, PROTO_END, id, &cl->out)) != FTP_OK)
		return lost(cl, r);
	if ((r = reply_ok(cl, id)) == FTP_OK)
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE, "protocol "
		    "error: server accepted an abandoned upload");
	if (r != FTP_E_ABORTED)
		return r;
	return fail(cl, FTPC_FAULT_LOCAL, FTP_E_CHECKSUM, "the server's "
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

	if ((r = expect_reply(cl, id, PROTO_READY, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_ready(&f.body, &rd)) != FTP_OK)
		return malformed(cl, &f, r);
	if (rd.offset > ps->size || (rd.offset == ps->size && ps->size > 0))
		return fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE, "protocol "
		    "error: READY at %llu of %llu bytes",
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
			return fail(cl, FTPC_FAULT_LOCAL, FTP_E_NOMEM,
			    "cannot start compressing: out of memory");
	}
	if ((ps->sum || ps->z != NULL) &&
	    (ps->buf = malloc(cl->data_max)) == NULL)
		return fail(cl, FTPC_FAULT_LOCAL, FTP_E_NOMEM, "out of memory");
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

	clear(cl);
	if (remote == NULL)
		remote = lf_basename(local_path);
	if (remote[0] == '\0')
		return fail(cl, FTPC_FAULT_USAGE, FTP_E_USAGE,
		    "no file name in %s; give REMOTE", local_path);
	if ((r = set_path(cl, m.path, remote)) != FTP_OK)
		return r;
	if ((flags & FTPC_RESUME) != 0 && (flags & FTPC_RESTART) == 0) {
		if ((cl->features & PROTO_FEATURE_RESUME) == 0)
			return fail(cl, FTPC_FAULT_USAGE, FTP_E_UNSUPPORTED,
			    "the server does not offer resuming (put -c)");
		m.flags = PROTO_PUT_RESUME;
	}
	if ((flags & FTPC_COMPRESS) != 0 &&
	    (cl->features & PROTO_FEATURE_COMPRESS) != 0)
		m.flags |= PROTO_PUT_COMPRESS;
	if ((r = lf_open_read(local_path, &fd, &m.size)) != FTP_OK)
		return local_fail(cl, r, errno, "cannot open", local_path);
	buf_reset(&cl->out);
	if ((r = msg_put_put(&cl->out, &m)) != FTP_OK) {
		r = encode_fail(cl, r);
		goto out;
	}
	ps.fd = fd;
	ps.size = m.size;
	if ((r = put_buffers(cl, &ps, &m)) != FTP_OK)
		goto out;
	if ((r = request(cl, PROTO_PUT, &id)) != FTP_OK)
		goto out;
	if ((m.flags & PROTO_PUT_RESUME) != 0)
		r = put_ready(cl, id, &ps, remote);
	else
		r = reply_ok(cl, id);
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
