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
#include "client_int.h"
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

void
cli_drop(struct ftpc_client *cl)
{
	cl->fd = -1;
	if (cl->ch != NULL)
		chan_free(cl->ch);
	cl->ch = NULL;
}

void
cli_clear(struct ftpc_client *cl)
{
	cl->fault = FTPC_FAULT_NONE;
	cl->detail[0] = '\0';
}

/* Records a failure and returns err; a connection fault also drops the
 * connection, which is out of step or gone. */
int
cli_fail(struct ftpc_client *cl, enum ftpc_fault fault, int err,
    const char *fmt, ...)
{
	va_list ap;

	cl->fault = fault;
	va_start(ap, fmt);
	vsnprintf(cl->detail, sizeof(cl->detail), fmt, ap);
	va_end(ap);
	if (fault == FTPC_FAULT_CONN)
		cli_drop(cl);
	return err;
}

int
cli_local_fail(struct ftpc_client *cl, int err, int eno, const char *what,
    const char *path)
{
	char sbuf[128];
	const char *why = strerror_r(eno, sbuf, sizeof(sbuf));

	if (err == FTP_E_BAD_VALUE)
		why = "not a regular file";
	return cli_fail(cl, FTPC_FAULT_LOCAL, err, "%s %s: %s", what, path,
	    why);
}

static const char *
type_name(uint8_t type)
{
	const char *name = proto_type_name(type);

	return name != NULL ? name : "unknown";
}

int
cli_malformed(struct ftpc_client *cl, const struct frame *f, int err)
{
	return cli_fail(cl, FTPC_FAULT_CONN, err, "malformed %s frame: %s",
	    type_name(f->type), ftp_strerror(err));
}

int
cli_unexpected(struct ftpc_client *cl, const struct frame *f)
{
	return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_TYPE,
	    "protocol error: unexpected %s frame", type_name(f->type));
}

/* An ERROR frame: the server's status and its own words. */
int
cli_refused(struct ftpc_client *cl, struct frame *f, enum ftpc_fault fault)
{
	struct msg_error e;
	int r, code;

	if ((r = msg_get_error(&f->body, &e)) != FTP_OK)
		return cli_malformed(cl, f, r);
	code = ftp_err_from_status(e.status);
	return cli_fail(cl, fault, code, "%s",
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
int
cli_lost(struct ftpc_client *cl, int err)
{
	struct frame f;

	if (cl->ch != NULL && chan_readable(cl->ch) &&
	    chan_recv(cl->ch, &f) == FTP_OK && f.type == PROTO_ERROR)
		return cli_refused(cl, &f, FTPC_FAULT_CONN);
	return cli_fail(cl, FTPC_FAULT_CONN, err, "%s", conn_why(cl, err));
}

int
cli_encode_fail(struct ftpc_client *cl, int err)
{
	if (err == FTP_E_BAD_STRING)
		return cli_fail(cl, FTPC_FAULT_USAGE, err,
		    "remote path is not valid UTF-8");
	return cli_fail(cl, FTPC_FAULT_LOCAL, err, "cannot encode the "
	    "request: %s", ftp_strerror(err));
}

/* Sends cl->out's bytes as the body of a new request. */
int
cli_request(struct ftpc_client *cl, uint8_t type, uint32_t *id)
{
	int r;

	if (cl->ch == NULL)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED,
		    "not connected");
	if (cl->next_id == 0)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_TOO_LARGE,
		    "request ids used up; reconnect");
	*id = cl->next_id++;
	if ((r = chan_send(cl->ch, type, *id, &cl->out)) != FTP_OK)
		return cli_lost(cl, r);
	return FTP_OK;
}

/* The next frame answering request id; an ERROR with id 0 ends the
 * connection with the server's reason. */
int
cli_reply(struct ftpc_client *cl, uint32_t id, struct frame *f)
{
	int r;

	if (cl->ch == NULL)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED,
		    "not connected");
	if ((r = chan_recv(cl->ch, f)) != FTP_OK)
		return cli_fail(cl, FTPC_FAULT_CONN, r, "%s", conn_why(cl, r));
	if (f->id == PROTO_ID_CONNECTION && f->type == PROTO_ERROR)
		return cli_refused(cl, f, FTPC_FAULT_CONN);
	if (f->id != id)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_ID,
		    "protocol error: %s frame for request %u, expected %u",
		    type_name(f->type), (unsigned)f->id, (unsigned)id);
	return FTP_OK;
}

/* The reply to request id, which must be of type want; an ERROR is the
 * server refusing the request. */
int
cli_expect_reply(struct ftpc_client *cl, uint32_t id, uint8_t want,
    struct frame *f)
{
	int r;

	if ((r = cli_reply(cl, id, f)) != FTP_OK)
		return r;
	if (f->type == PROTO_ERROR)
		return cli_refused(cl, f, FTPC_FAULT_REMOTE);
	if (f->type != want)
		return cli_unexpected(cl, f);
	return FTP_OK;
}

/* A reply that must be an empty OK. */
int
cli_reply_ok(struct ftpc_client *cl, uint32_t id)
{
	struct frame f;
	int r;

	if ((r = cli_expect_reply(cl, id, PROTO_OK, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_empty(&f.body)) != FTP_OK)
		return cli_malformed(cl, &f, r);
	return FTP_OK;
}

/* ---- session ---------------------------------------------------------- */

static int
accept_hello(struct ftpc_client *cl, const struct msg_hello_ok *ok)
{
	uint64_t fmax = msg_hello_ok_limit(ok, PROTO_LIMIT_FRAME_MAX,
	    PROTO_FRAME_MAX);

	if (ok->version != PROTO_VERSION)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_VERSION,
		    "server answered with protocol version %u",
		    (unsigned)ok->version);
	if ((ok->features & ~cl->want) != 0)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server granted features not asked for");
	/* Resuming unverified could splice two different files. */
	if ((ok->features & PROTO_FEATURE_RESUME) != 0 &&
	    (ok->features & PROTO_FEATURE_CHECKSUM) == 0)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
		    "protocol error: server granted RESUME without CHECKSUM");
	if (fmax == 0)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
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
		return cli_encode_fail(cl, r);
	if ((r = cli_request(cl, PROTO_HELLO, &id)) != FTP_OK)
		return r;
	if ((r = cli_reply(cl, id, &f)) != FTP_OK)
		return plain_hint(cl, r);
	/* Refusing HELLO (busy, version) refuses the whole session. */
	if (f.type == PROTO_ERROR)
		return cli_refused(cl, &f, FTPC_FAULT_CONN);
	if (f.type != PROTO_HELLO_OK)
		return cli_unexpected(cl, &f);
	if ((r = msg_get_hello_ok(&f.body, &ok)) != FTP_OK)
		return cli_malformed(cl, &f, r);
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
		return cli_fail(cl, FTPC_FAULT_CONN, r, "%s", ftp_strerror(r));
	return cli_fail(cl, FTPC_FAULT_CONN, r, "TLS handshake with %s%s%s:%s "
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
		return cli_fail(cl, FTPC_FAULT_CONN, r, "%s", ftp_strerror(r));
	}
	/* Replies are bounded by the protocol's ceiling; the server's own
	 * DATA_CHUNK is smaller. */
	if ((r = chan_new(conn, PROTO_FRAME_MAX, &cl->ch)) != FTP_OK)
		return cli_fail(cl, FTPC_FAULT_CONN, r, "%s", ftp_strerror(r));
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
	strcpy(cl->cwd_shown, "/");
	cl->fd = -1;
	cl->next_id = 1;
	cl->want = features;
	buf_init(&cl->out, PROTO_CONTROL_MAX);
	errno = 0;
	if ((r = net_connect(host, port, FTPC_CONNECT_TIMEOUT, &fd)) != FTP_OK)
		return cli_fail(cl, FTPC_FAULT_CONN, r,
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

	cli_clear(cl);
	buf_reset(&cl->out);
	if ((r = cli_request(cl, PROTO_QUIT, &id)) != FTP_OK)
		return r;
	r = cli_reply_ok(cl, id);
	cli_drop(cl);
	return r;
}

void
ftpc_close(struct ftpc_client *cl)
{
	if (cl == NULL)
		return;
	cli_drop(cl);
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

void
ftpc_set_progress(struct ftpc_client *cl, ftpc_progress_fn fn, void *arg)
{
	cl->progress = fn;
	cl->progress_arg = arg;
}

void
cli_progress(const struct ftpc_client *cl, uint64_t done, uint64_t total)
{
	if (cl->progress != NULL)
		cl->progress(cl->progress_arg, done, total);
}

void
ftpc_set_cancel(struct ftpc_client *cl, volatile sig_atomic_t *flag)
{
	cl->cancel = flag;
}

bool
cli_cancelled(const struct ftpc_client *cl)
{
	return cl->cancel != NULL && *cl->cancel != 0;
}

bool
cli_wait_cancelled(struct ftpc_client *cl)
{
	unsigned idle = 0;

	if (cl->cancel == NULL || cl->ch == NULL)
		return false;
	/* A signal ends the poll at once (EINTR), and the loop looks at the
	 * flag again; one that comes just before the poll is seen within
	 * the second.  Counted either way, so the wait stays bounded. */
	while (!cli_cancelled(cl)) {
		if (chan_wait_readable(cl->ch, 1) == FTP_OK)
			return false;
		if (++idle >= FTPC_IO_TIMEOUT)
			return false;
	}
	return true;
}

int
cli_send_abort(struct ftpc_client *cl, uint32_t id)
{
	int r;

	if ((cl->features & PROTO_FEATURE_ABORT) == 0) {
		cli_drop(cl);
		return cli_fail(cl, FTPC_FAULT_LOCAL, FTP_E_ABORTED,
		    "interrupted; connection closed");
	}
	if ((r = chan_send(cl->ch, PROTO_ABORT, id, NULL)) != FTP_OK)
		return cli_lost(cl, r);
	return FTP_OK;
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
		return cli_fail(cl, FTPC_FAULT_USAGE, FTP_E_TOO_LARGE,
		    "user name or password too long (limits %d and %d bytes)",
		    PROTO_USER_MAX, PROTO_PASSWORD_MAX);
	memcpy(m.user, user, strlen(user) + 1);
	memcpy(m.password, password, strlen(password) + 1);
	buf_init(&body, PROTO_CONTROL_MAX);
	r = msg_put_login(&body, &m);
	explicit_bzero(&m, sizeof(m));
	n = buf_len(&body);
	if (r != FTP_OK)
		r = cli_fail(cl, FTPC_FAULT_USAGE, r, "user name or password "
		    "is not UTF-8 text");
	else if (cl->next_id == 0)
		r = cli_fail(cl, FTPC_FAULT_CONN, FTP_E_TOO_LARGE,
		    "request ids used up; reconnect");
	else {
		*id = cl->next_id++;
		if ((r = chan_send(cl->ch, PROTO_LOGIN, *id, &body)) != FTP_OK)
			r = cli_lost(cl, r);
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

	cli_clear(cl);
	if (cl->ch == NULL)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_CLOSED,
		    "not connected");
	if ((cl->want & PROTO_FEATURE_LOGIN) == 0)
		return cli_fail(cl, FTPC_FAULT_USAGE, FTP_E_USAGE,
		    "the session did not ask for logins in HELLO");
	if ((cl->features & PROTO_FEATURE_LOGIN) == 0)
		return cli_fail(cl, FTPC_FAULT_REMOTE, FTP_E_UNSUPPORTED,
		    "server does not take logins (it serves anonymously)");
	if (!allow_plaintext && !peer_safe(cl))
		return cli_fail(cl, FTPC_FAULT_USAGE, FTP_E_DENIED,
		    "refusing to send a password without TLS to an address "
		    "that is not loopback");
	if ((r = login_send(cl, user, password, &id)) != FTP_OK)
		return r;
	r = cli_reply_ok(cl, id);
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
		return cli_malformed(cl, f, r);
	for (uint16_t i = 0; i < n; i++) {
		if ((r = msg_entry_get(&f->body, &e)) != FTP_OK)
			return cli_malformed(cl, f, r);
		if (!lf_safe_name(e.name, strlen(e.name)))
			return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
			    "protocol error: entry named \"%s\"", e.name);
		if (ls->cb_err == FTP_OK)
			ls->cb_err = ls->fn(ls->arg, &e);
	}
	if ((r = msg_get_empty(&f->body)) != FTP_OK)
		return cli_malformed(cl, f, r);
	ls->total += n;
	return FTP_OK;
}

/* An END must count exactly what was announced and received; *endp, if
 * not NULL, receives it (with a crc when expect_crc). */
int
cli_end_check(struct ftpc_client *cl, struct frame *f, uint64_t announced,
    uint64_t received, const char *unit, bool expect_crc,
    struct msg_end *endp)
{
	struct msg_end end;
	int r;

	if ((r = msg_get_end(&f->body, &end, expect_crc)) != FTP_OK)
		return cli_malformed(cl, f, r);
	if (end.count != announced || received != announced)
		return cli_fail(cl, FTPC_FAULT_CONN, FTP_E_BAD_VALUE,
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

	if ((r = cli_end_check(cl, f, ls->total, ls->total, "entries", false,
	    NULL)) != FTP_OK)
		return r;
	if (ls->cb_err != FTP_OK)
		return cli_fail(cl, FTPC_FAULT_LOCAL, ls->cb_err,
		    "cannot keep the listing: %s", ftp_strerror(ls->cb_err));
	return FTP_OK;
}

int
ftpc_list(struct ftpc_client *cl, const char *path, ftpc_entry_fn fn,
    void *arg)
{
	struct list_state ls = { .fn = fn, .arg = arg };
	struct msg_path m;
	struct frame f;
	uint32_t id;
	int r;

	cli_clear(cl);
	if ((r = ftpc_resolve(cl, path, m.path)) != FTP_OK)
		return r;
	buf_reset(&cl->out);
	if ((r = msg_put_path(&cl->out, &m)) != FTP_OK)
		return cli_encode_fail(cl, r);
	if ((r = cli_request(cl, PROTO_LIST, &id)) != FTP_OK)
		return r;
	for (;;) {
		if ((r = cli_reply(cl, id, &f)) != FTP_OK)
			return r;
		if (f.type == PROTO_END)
			return list_end(cl, &f, &ls);
		if (f.type == PROTO_ERROR)
			return cli_refused(cl, &f, FTPC_FAULT_REMOTE);
		if (f.type != PROTO_ENTRIES)
			return cli_unexpected(cl, &f);
		if ((r = list_entries(cl, &f, &ls)) != FTP_OK)
			return r;
	}
}
