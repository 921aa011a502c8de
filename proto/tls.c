/*
 * tls.c - the TLS transport on OpenSSL: configurations, the handshakes and
 * the struct conn operations.  The only file that includes OpenSSL.
 *
 * Connections are TLS from the first byte (TLS 1.2 minimum, 1.3 preferred)
 * and must agree on the ALPN id TLS_ALPN, so that an ftpf endpoint cannot
 * be confused with any other TLS service.  The socket stays blocking: its
 * SO_RCVTIMEO / SO_SNDTIMEO (conn_set_timeout()) bound every read and write,
 * so "would block" from OpenSSL means a timeout here.  Where the kernel
 * offers kernel TLS, OpenSSL moves the record layer into it and file data
 * goes out with SSL_sendfile() without passing through user space.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "conn.h"
#include "err.h"
#include "io.h"
#include "tls.h"

/* Sends up to this many bytes are gathered into one TLS record. */
#define TLS_RECORD_MAX (16u * 1024u)
/* File bytes read per SSL_write when kernel TLS is not available. */
#define TLS_FILE_CHUNK (256u * 1024u)
/* Ciphertext read from the socket at once (read-ahead). */
#define TLS_READ_BUFFER (64u * 1024u)
#define TLS13_SUITES "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"
/* After a failed handshake: seconds per read, reads, while draining. */
#define TLS_LINGER_S 1
#define TLS_LINGER_READS 16

struct tls_config {
	SSL_CTX *ctx;
	bool server;
	bool insecure;
	bool client_ca;  /* server: client certificates required */
};

struct tls_conn {
	struct conn conn;  /* first: a struct conn * is a struct tls_conn * */
	SSL *ssl;
	bool server;
	bool failed;       /* no close_notify on a broken session */
	uint8_t *stage;    /* TLS_RECORD_MAX bytes: small sends gathered */
	uint8_t *file;     /* TLS_FILE_CHUNK bytes, allocated on first use */
	char why[TLS_ERR_MAX]; /* the last failure's reason, or "" */
};

static const struct conn_ops tls_ops;

bool
tls_supported(void)
{
	return true;
}

/* ---- error reasons ------------------------------------------------------ */

/* The reason of the oldest queued OpenSSL error that has one, in words
 * ("" if none); clears the thread's queue, which would otherwise leak into
 * the next call.  *code gets that error. */
static const char *
ssl_reason(char *buf, size_t size, unsigned long *code)
{
	unsigned long e;
	const char *s;

	buf[0] = '\0';
	*code = 0;
	while ((e = ERR_get_error()) != 0) {
		if (ERR_SYSTEM_ERROR(e))
			s = strerror_r(ERR_GET_REASON(e), buf, size);
		else
			s = ERR_reason_error_string(e);
		if (s != NULL && s[0] != '\0') {
			if (s != buf)
				snprintf(buf, size, "%s", s);
			*code = e;
			break;
		}
	}
	ERR_clear_error();
	return buf;
}

static int
config_fail(char *errbuf, const char *what, const char *path)
{
	char why[TLS_ERR_MAX / 2];
	unsigned long code;

	ssl_reason(why, sizeof(why), &code);
	snprintf(errbuf, TLS_ERR_MAX, "%s %s: %s", what, path,
	    why[0] != '\0' ? why : "unknown error");
	return FTP_E_TLS;
}

/* Record-layer failures that mean the bytes were not TLS at all. */
static bool
not_tls(int reason)
{
	return reason == SSL_R_WRONG_VERSION_NUMBER ||
	    reason == SSL_R_HTTP_REQUEST ||
	    reason == SSL_R_HTTPS_PROXY_REQUEST ||
	    reason == SSL_R_UNKNOWN_PROTOCOL ||
	    reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
	    reason == SSL_R_RECORD_LENGTH_MISMATCH ||
	    reason == SSL_R_UNEXPECTED_RECORD;
}

/* Plain words for what the peer's alert or our checks said, else NULL. */
static const char *
known_reason(const struct tls_conn *t, int reason)
{
	if (not_tls(reason))
		return t->server ? "peer is not speaking TLS" :
		    "server is not speaking TLS";
	switch (reason) {
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		return "client sent no certificate, but one is required";
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return "the server requires a client certificate";
	case SSL_R_NO_APPLICATION_PROTOCOL:
	case SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL:
		return "no common application protocol (ALPN " TLS_ALPN ")";
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
		return "no common TLS version (1.2 or later required)";
	default:
		return NULL;
	}
}

/* Fills t->why for a failed handshake or I/O call whose SSL_get_error()
 * was e; returns the project's code for it. */
static int
tls_failure(struct tls_conn *t, int e, int sys_errno)
{
	long v = SSL_get_verify_result(t->ssl);
	char why[TLS_ERR_MAX / 2];
	unsigned long code;
	const char *known;
	int reason;

	ssl_reason(why, sizeof(why), &code);
	reason = ERR_SYSTEM_ERROR(code) ? 0 : ERR_GET_REASON(code);
	/* "Would block" on a blocking socket is its SO_RCVTIMEO/SO_SNDTIMEO
	 * expiring, after which the session may still say goodbye (a signal
	 * was retried by the caller: see interrupted()). */
	if (code == 0 && sys_errno != EINTR && (e == SSL_ERROR_WANT_READ ||
	    e == SSL_ERROR_WANT_WRITE)) {
		snprintf(t->why, sizeof(t->why), "timed out");
		return FTP_E_TIMEOUT;
	}
	t->failed = true;
	if (code == 0 && (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SYSCALL && sys_errno == 0) ||
	    ftp_err_from_errno(sys_errno) == FTP_E_CLOSED)) {
		snprintf(t->why, sizeof(t->why), "connection closed by peer");
		return FTP_E_CLOSED;
	}
	if (code == 0) {
		snprintf(t->why, sizeof(t->why), "%s", strerror(sys_errno));
		return ftp_err_from_errno(sys_errno);
	}
	if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED && v != X509_V_OK)
		snprintf(t->why, sizeof(t->why), "%scertificate verify failed: "
		    "%s", t->server ? "client " : "",
		    X509_verify_cert_error_string(v));
	else if ((known = known_reason(t, reason)) != NULL)
		snprintf(t->why, sizeof(t->why), "%s (%s)", known, why);
	else if (reason >= SSL_AD_REASON_OFFSET)
		snprintf(t->why, sizeof(t->why), "the %s refused the "
		    "handshake: %s", t->server ? "client" : "server", why);
	else
		snprintf(t->why, sizeof(t->why), "%s", why);
	return FTP_E_TLS;
}

/* ---- configurations ----------------------------------------------------- */

static int
ctx_new(bool server, struct tls_config **out, char *errbuf)
{
	struct tls_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return FTP_E_NOMEM;
	cfg->server = server;
	cfg->ctx = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method());
	if (cfg->ctx == NULL) {
		free(cfg);
		return config_fail(errbuf, "cannot create a TLS", "context");
	}
	SSL_CTX_set_min_proto_version(cfg->ctx, TLS1_2_VERSION);
	/* Kernel TLS where the kernel has it; an end of stream without
	 * close_notify is a plain close, since truncation is caught by the
	 * protocol's own lengths and END counts. */
	SSL_CTX_set_options(cfg->ctx, SSL_OP_ENABLE_KTLS |
	    SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(cfg->ctx, SSL_MODE_AUTO_RETRY);
	/* Several records per read(2) rather than two reads per record. */
	SSL_CTX_set_read_ahead(cfg->ctx, 1);
	SSL_CTX_set_default_read_buffer_len(cfg->ctx, TLS_READ_BUFFER);
	/* AES-128-GCM first: as strong as this protocol needs and faster
	 * than AES-256 on bulk data; the server follows the client's order. */
	if (SSL_CTX_set_ciphersuites(cfg->ctx, TLS13_SUITES) != 1) {
		tls_config_free(cfg);
		return config_fail(errbuf, "cannot set", "TLS 1.3 suites");
	}
	*out = cfg;
	return FTP_OK;
}

static int
load_pair(SSL_CTX *ctx, const char *cert, const char *key, char *errbuf)
{
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		return config_fail(errbuf, "cannot load certificate", cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		return config_fail(errbuf, "cannot load private key", key);
	if (SSL_CTX_check_private_key(ctx) != 1)
		return config_fail(errbuf, "private key does not match "
		    "certificate", cert);
	return FTP_OK;
}

/* The server's ALPN choice: our id or a fatal alert. */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char ours[] = "\x06" TLS_ALPN;
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, ours, sizeof(ours) - 1, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* A ClientHello without ALPN never reaches alpn_select(): refuse it here,
 * so that a client of another protocol fails during the handshake. */
static int
hello_check(SSL *ssl, int *alert, void *arg)
{
	const unsigned char *ext;
	size_t len;
	struct tls_conn *t = SSL_get_app_data(ssl);

	(void)arg;
	if (SSL_client_hello_get0_ext(ssl,
	    TLSEXT_TYPE_application_layer_protocol_negotiation, &ext,
	    &len) == 1)
		return SSL_CLIENT_HELLO_SUCCESS;
	if (t != NULL)
		snprintf(t->why, sizeof(t->why), "client offered no ALPN "
		    "protocol (\"" TLS_ALPN "\" is required)");
	*alert = SSL_AD_NO_APPLICATION_PROTOCOL;
	return SSL_CLIENT_HELLO_ERROR;
}

static int
server_client_ca(struct tls_config *cfg, const char *path, char *errbuf)
{
	STACK_OF(X509_NAME) *names;

	if (SSL_CTX_load_verify_locations(cfg->ctx, path, NULL) != 1)
		return config_fail(errbuf, "cannot load client CA", path);
	if ((names = SSL_load_client_CA_file(path)) == NULL)
		return config_fail(errbuf, "no CA certificate in", path);
	SSL_CTX_set_client_CA_list(cfg->ctx, names);
	SSL_CTX_set_verify(cfg->ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	cfg->client_ca = true;
	return FTP_OK;
}

int
tls_server_config(const struct tls_server_opts *o, struct tls_config **out,
		  char errbuf[TLS_ERR_MAX])
{
	struct tls_config *cfg = NULL;
	int r;

	*out = NULL;
	ERR_clear_error();
	if ((r = ctx_new(true, &cfg, errbuf)) != FTP_OK)
		return r;
	if ((r = load_pair(cfg->ctx, o->cert, o->key, errbuf)) != FTP_OK)
		goto out;
	if (o->client_ca != NULL &&
	    (r = server_client_ca(cfg, o->client_ca, errbuf)) != FTP_OK)
		goto out;
	SSL_CTX_set_alpn_select_cb(cfg->ctx, alpn_select, NULL);
	SSL_CTX_set_client_hello_cb(cfg->ctx, hello_check, NULL);
	/* Clients never resume sessions: tickets would only be extra
	 * records arriving after the handshake. */
	SSL_CTX_set_num_tickets(cfg->ctx, 0);
	SSL_CTX_set_session_cache_mode(cfg->ctx, SSL_SESS_CACHE_OFF);
out:
	if (r != FTP_OK)
		tls_config_free(cfg);
	else
		*out = cfg;
	return r;
}

/* Whom the client trusts, and what it presents. */
static int
client_files(struct tls_config *cfg, const struct tls_client_opts *o,
    char *errbuf)
{
	if ((o->cert != NULL) != (o->key != NULL)) {
		snprintf(errbuf, TLS_ERR_MAX, "a client certificate needs both "
		    "a certificate and a key file");
		return FTP_E_USAGE;
	}
	if (o->ca != NULL &&
	    SSL_CTX_load_verify_locations(cfg->ctx, o->ca, NULL) != 1)
		return config_fail(errbuf, "cannot load CA", o->ca);
	if (o->ca == NULL && SSL_CTX_set_default_verify_paths(cfg->ctx) != 1)
		return config_fail(errbuf, "cannot load the system's", "CAs");
	if (o->cert != NULL)
		return load_pair(cfg->ctx, o->cert, o->key, errbuf);
	return FTP_OK;
}

int
tls_client_config(const struct tls_client_opts *o, struct tls_config **out,
		  char errbuf[TLS_ERR_MAX])
{
	static const unsigned char alpn[] = "\x06" TLS_ALPN;
	struct tls_config *cfg = NULL;
	int r;

	*out = NULL;
	ERR_clear_error();
	if ((r = ctx_new(false, &cfg, errbuf)) != FTP_OK)
		return r;
	cfg->insecure = o->insecure;
	if ((r = client_files(cfg, o, errbuf)) != FTP_OK)
		goto out;
	if (SSL_CTX_set_alpn_protos(cfg->ctx, alpn, sizeof(alpn) - 1) != 0) {
		r = config_fail(errbuf, "cannot set", "ALPN");
		goto out;
	}
	SSL_CTX_set_verify(cfg->ctx, o->insecure ? SSL_VERIFY_NONE :
	    SSL_VERIFY_PEER, NULL);
out:
	if (r != FTP_OK)
		tls_config_free(cfg);
	else
		*out = cfg;
	return r;
}

bool
tls_config_verifies(const struct tls_config *cfg)
{
	return cfg != NULL && !cfg->insecure;
}

void
tls_config_free(struct tls_config *cfg)
{
	if (cfg == NULL)
		return;
	SSL_CTX_free(cfg->ctx);
	free(cfg);
}

/* ---- handshakes --------------------------------------------------------- */

static void
conn_free(struct tls_conn *t)
{
	SSL_free(t->ssl);
	(void)close(t->conn.fd);
	free(t->stage);
	free(t->file);
	free(t);
}

static int
conn_alloc(const struct tls_config *cfg, int fd, struct tls_conn **out,
    char *errbuf)
{
	struct tls_conn *t = calloc(1, sizeof(*t));
	int one = 1;

	if (t == NULL || (t->stage = malloc(TLS_RECORD_MAX)) == NULL) {
		free(t);
		(void)close(fd);
		snprintf(errbuf, TLS_ERR_MAX, "out of memory");
		return FTP_E_NOMEM;
	}
	t->conn.ops = &tls_ops;
	t->conn.fd = fd;
	/* Records are gathered here already; Nagle would only hold a
	 * record back until the previous one is acknowledged. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t->server = cfg->server;
	if ((t->ssl = SSL_new(cfg->ctx)) == NULL ||
	    SSL_set_fd(t->ssl, fd) != 1) {
		conn_free(t);
		return config_fail(errbuf, "cannot start", "TLS");
	}
	SSL_set_app_data(t->ssl, t);
	*out = t;
	return FTP_OK;
}

/* Server side: a client whose handshake failed may still be sending (a
 * plaintext HELLO, or its first request after a TLS 1.3 handshake that it
 * believes complete).  Closing with those bytes unread would reset the
 * connection and destroy the alert that tells it why; so stop sending,
 * read what comes for a bounded time and amount, and close after the peer
 * does. */
static void
linger(struct tls_conn *t)
{
	uint8_t sink[4096];
	size_t got;

	if (shutdown(t->conn.fd, SHUT_WR) != 0 ||
	    conn_set_timeout(&t->conn, TLS_LINGER_S) != FTP_OK)
		return;
	for (int i = 0; i < TLS_LINGER_READS; i++)
		if (io_recv_some(t->conn.fd, sink, sizeof(sink), &got) !=
		    FTP_OK)
			break;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), at least 0. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Drives SSL_accept/SSL_connect on the non-blocking socket until it
 * completes or the deadline passes: a per-read timeout alone would let a
 * peer trickling a byte at a time hold the thread forever.  Returns the
 * last SSL call's result; *timed_out when the deadline ended it.
 */
static int
handshake_steps(struct tls_conn *t, unsigned timeout_s, bool *timed_out)
{
	struct timespec deadline;
	struct pollfd p = { .fd = t->conn.fd };
	int n, e, fl, ms;

	*timed_out = false;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	if ((fl = fcntl(t->conn.fd, F_GETFL)) < 0 ||
	    fcntl(t->conn.fd, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	for (;;) {
		errno = 0;
		n = t->server ? SSL_accept(t->ssl) : SSL_connect(t->ssl);
		e = n == 1 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, n);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		p.events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		/* poll's EINTR just loops: the deadline still bounds us. */
		if ((ms = ms_left(&deadline)) == 0 ||
		    (poll(&p, 1, ms) == 0 && ms_left(&deadline) == 0)) {
			*timed_out = true;
			break;
		}
	}
	(void)fcntl(t->conn.fd, F_SETFL, fl);
	return n;
}

/* Runs the handshake within timeout_s seconds in all; on failure errbuf
 * says why and t is freed. */
static int
handshake(struct tls_conn *t, unsigned timeout_s, char *errbuf)
{
	bool timed_out;
	int n, e, r;

	if ((r = conn_set_timeout(&t->conn, timeout_s)) != FTP_OK) {
		snprintf(errbuf, TLS_ERR_MAX, "cannot set a timeout");
		conn_free(t);
		return r;
	}
	n = handshake_steps(t, timeout_s, &timed_out);
	if (n == 1)
		return FTP_OK;
	e = timed_out ? SSL_ERROR_NONE : SSL_get_error(t->ssl, n);
	/* hello_check() has said why; OpenSSL knows only "callback failed". */
	if (t->why[0] != '\0' &&
	    ERR_GET_REASON(ERR_peek_error()) == SSL_R_CALLBACK_FAILED) {
		ERR_clear_error();
		t->failed = true;
		r = FTP_E_TLS;
	} else if (timed_out) {
		t->failed = true;
		r = FTP_E_TIMEOUT;
	} else {
		r = tls_failure(t, e, errno);
	}
	if (r == FTP_E_TIMEOUT)
		snprintf(t->why, sizeof(t->why), "handshake timed out after "
		    "%u s", timeout_s);
	else if (t->server && r != FTP_E_CLOSED)
		linger(t);
	snprintf(errbuf, TLS_ERR_MAX, "%s", t->why);
	conn_free(t);
	return r;
}

static void
peer_subject(SSL *ssl, char *subject)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	BIO *mem;
	int n;

	subject[0] = '\0';
	if (cert == NULL)
		return;
	if ((mem = BIO_new(BIO_s_mem())) != NULL &&
	    X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0,
	    XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(mem, subject, TLS_SUBJECT_MAX - 1)) > 0)
		subject[n] = '\0';
	BIO_free(mem);
	X509_free(cert);
}

int
tls_server_accept(const struct tls_config *cfg, int fd, unsigned timeout_s,
		  struct conn **out, char subject[TLS_SUBJECT_MAX],
		  char errbuf[TLS_ERR_MAX])
{
	struct tls_conn *t;
	int r;

	subject[0] = '\0';
	ERR_clear_error();
	if (!cfg->server) {
		(void)close(fd);
		snprintf(errbuf, TLS_ERR_MAX, "not a server configuration");
		return FTP_E_USAGE;
	}
	if ((r = conn_alloc(cfg, fd, &t, errbuf)) != FTP_OK)
		return r;
	if ((r = handshake(t, timeout_s, errbuf)) != FTP_OK)
		return r;
	if (cfg->client_ca)
		peer_subject(t->ssl, subject);
	*out = &t->conn;
	return FTP_OK;
}

/* Which name or address the server's certificate must be for. */
static int
expect_host(struct tls_conn *t, const char *host, char *errbuf)
{
	X509_VERIFY_PARAM *p = SSL_get0_param(t->ssl);
	unsigned char addr[16];
	int ok;

	if (inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(p, host);
	} else {
		/* subjectAltName only (PROTOCOL.md 1.1): never the legacy
		 * fallback to the subject's common name. */
		X509_VERIFY_PARAM_set_hostflags(p,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
		    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
		ok = X509_VERIFY_PARAM_set1_host(p, host, 0) == 1 &&
		    SSL_set_tlsext_host_name(t->ssl, host) == 1;
	}
	if (ok == 1)
		return FTP_OK;
	conn_free(t);
	return config_fail(errbuf, "cannot check certificates for host",
	    host);
}

/* The handshake succeeded; the server must also have chosen our ALPN. */
static int
check_alpn(struct tls_conn *t, char *errbuf)
{
	const unsigned char *p;
	unsigned len;

	SSL_get0_alpn_selected(t->ssl, &p, &len);
	if (len == sizeof(TLS_ALPN) - 1 && memcmp(p, TLS_ALPN, len) == 0)
		return FTP_OK;
	snprintf(errbuf, TLS_ERR_MAX, "server did not agree on the "
	    "application protocol \"" TLS_ALPN "\" (ALPN)");
	conn_free(t);
	return FTP_E_TLS;
}

int
tls_client_connect(const struct tls_config *cfg, int fd, const char *host,
		   unsigned timeout_s, struct conn **out,
		   char errbuf[TLS_ERR_MAX])
{
	struct tls_conn *t;
	int r;

	ERR_clear_error();
	if (cfg->server) {
		(void)close(fd);
		snprintf(errbuf, TLS_ERR_MAX, "not a client configuration");
		return FTP_E_USAGE;
	}
	if ((r = conn_alloc(cfg, fd, &t, errbuf)) != FTP_OK)
		return r;
	if (!cfg->insecure && (r = expect_host(t, host, errbuf)) != FTP_OK)
		return r;
	if ((r = handshake(t, timeout_s, errbuf)) != FTP_OK ||
	    (r = check_alpn(t, errbuf)) != FTP_OK)
		return r;
	*out = &t->conn;
	return FTP_OK;
}

/* ---- the transport ------------------------------------------------------ */

/* True if I/O call result k failed only because a signal interrupted the
 * system call under it (the socket BIO then asks for a retry with errno
 * EINTR): the caller tries again, as io.c does for plain sockets.  ftpc's
 * Ctrl-C stops a transfer between frames, never inside one.  *e is
 * SSL_get_error()'s answer otherwise. */
static bool
interrupted(const struct tls_conn *t, int k, int *e)
{
	*e = SSL_get_error(t->ssl, k);
	return errno == EINTR && (*e == SSL_ERROR_WANT_READ ||
	    *e == SSL_ERROR_WANT_WRITE);
}

static int
tls_recv(struct conn *c, void *dst, size_t cap, size_t *got)
{
	struct tls_conn *t = (struct tls_conn *)c;
	size_t n = 0, more;
	int k, e = 0;

	if (cap == 0)
		return FTP_E_USAGE;
	do {
		ERR_clear_error();
		errno = 0;
		if ((k = SSL_read_ex(t->ssl, dst, cap, &n)) == 1)
			break;
	} while (interrupted(t, k, &e));
	if (k != 1)
		return tls_failure(t, e, errno);
	/* Hand over what is already decrypted (SSL_pending, unlike
	 * SSL_has_pending, never needs the socket), saving a call per
	 * record. */
	while (n < cap && SSL_pending(t->ssl) > 0 &&
	    SSL_read_ex(t->ssl, (uint8_t *)dst + n, cap - n, &more) == 1)
		n += more;
	ERR_clear_error();
	*got = n;
	return FTP_OK;
}

static int
write_all(struct tls_conn *t, const void *p, size_t len)
{
	size_t done;
	int k, e;

	while (len > 0) {
		errno = 0;
		if ((k = SSL_write_ex(t->ssl, p, len, &done)) != 1) {
			if (interrupted(t, k, &e))
				continue;
			return tls_failure(t, e, errno);
		}
		p = (const uint8_t *)p + done;
		len -= done;
	}
	return FTP_OK;
}

/* Adds one piece to the record being gathered in t->stage, flushing it
 * when full; a piece that fills records by itself goes out directly. */
static int
send_piece(struct tls_conn *t, const uint8_t *p, size_t len, size_t *have)
{
	size_t take;
	int r;

	while (len > 0) {
		if (*have == 0 && len >= TLS_RECORD_MAX)
			return write_all(t, p, len);
		take = TLS_RECORD_MAX - *have;
		if (take > len)
			take = len;
		memcpy(t->stage + *have, p, take);
		*have += take;
		p += take;
		len -= take;
		if (*have == TLS_RECORD_MAX) {
			if ((r = write_all(t, t->stage, *have)) != FTP_OK)
				return r;
			*have = 0;
		}
	}
	return FTP_OK;
}

/* Small pieces (a frame header and a short body) share one record. */
static int
tls_send(struct conn *c, struct iovec *iov, int n)
{
	struct tls_conn *t = (struct tls_conn *)c;
	size_t have = 0;
	int r = FTP_OK;

	ERR_clear_error();
	for (int i = 0; i < n && r == FTP_OK; i++)
		r = send_piece(t, iov[i].iov_base, iov[i].iov_len, &have);
	if (r == FTP_OK && have > 0)
		r = write_all(t, t->stage, have);
	/* Staged bytes may be a password (LOGIN): none outlives its send. */
	explicit_bzero(t->stage, TLS_RECORD_MAX);
	return r;
}

/* Kernel TLS: the kernel encrypts file pages as it sends them. */
static int
ktls_sendfile(struct tls_conn *t, int fd, uint64_t off, uint64_t len)
{
	ossl_ssize_t n;
	size_t chunk;
	int e;

	while (len > 0) {
		chunk = len < TLS_FILE_CHUNK * 4 ? (size_t)len :
		    TLS_FILE_CHUNK * 4;
		errno = 0;
		n = SSL_sendfile(t->ssl, fd, (off_t)off, chunk, 0);
		if (n < 0 && interrupted(t, (int)n, &e))
			continue;
		if (n < 0)
			return tls_failure(t, e, errno);
		/* End of file before len bytes: the file shrank. */
		if (n == 0)
			return FTP_E_CHANGED;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return FTP_OK;
}

/* Without kernel TLS: read a large chunk, encrypt it in full records. */
static int
tls_sendfile(struct conn *c, int fd, uint64_t off, uint64_t len)
{
	struct tls_conn *t = (struct tls_conn *)c;
	uint8_t *buf;
	ssize_t got;
	size_t chunk, cap;
	int r;

	if (off > INT64_MAX || len > INT64_MAX - off)
		return FTP_E_TOO_LARGE;
	ERR_clear_error();
	if (BIO_get_ktls_send(SSL_get_wbio(t->ssl)))
		return ktls_sendfile(t, fd, off, len);
	/* The frame's header is already out, so failing here would break
	 * the stream: without the large buffer, go a record at a time
	 * through the staging buffer every connection has. */
	if (t->file == NULL)
		t->file = malloc(TLS_FILE_CHUNK);
	buf = t->file != NULL ? t->file : t->stage;
	cap = t->file != NULL ? TLS_FILE_CHUNK : TLS_RECORD_MAX;
	while (len > 0) {
		chunk = len < cap ? (size_t)len : cap;
		/* A regular file: pread(2) is not interrupted by signals, and
		 * a short read just makes the next chunk start earlier. */
		if ((got = pread(fd, buf, chunk, (off_t)off)) < 0)
			return ftp_err_from_errno(errno);
		if (got == 0)
			return FTP_E_CHANGED;
		if ((r = write_all(t, buf, (size_t)got)) != FTP_OK)
			return r;
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return FTP_OK;
}

static void
tls_close(struct conn *c)
{
	struct tls_conn *t = (struct tls_conn *)c;

	/* Best effort, bounded by the send timeout: the peer learns the
	 * stream ended on purpose.  We do not wait for its answer. */
	ERR_clear_error();
	if (!t->failed && !(SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN))
		(void)SSL_shutdown(t->ssl);
	ERR_clear_error();
	conn_free(t);
}

static bool
tls_pending(const struct conn *c)
{
	/* SSL_has_pending also counts records read ahead but not yet
	 * decrypted, which poll(2) no longer sees on the socket. */
	return SSL_has_pending(((const struct tls_conn *)c)->ssl) == 1;
}

static const struct conn_ops tls_ops = {
	.recv = tls_recv,
	.send = tls_send,
	.sendfile = tls_sendfile,
	.close = tls_close,
	.pending = tls_pending,
};

void
tls_thread_end(void)
{
	OPENSSL_thread_stop();
}

void
tls_conn_info(const struct conn *c, char info[TLS_INFO_MAX])
{
	const struct tls_conn *t = (const struct tls_conn *)c;

	info[0] = '\0';
	if (c == NULL || c->ops != &tls_ops)
		return;
	snprintf(info, TLS_INFO_MAX, "%s %s ktls-send=%s",
	    SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl),
	    BIO_get_ktls_send(SSL_get_wbio(t->ssl)) ? "on" : "off");
}

const char *
tls_conn_error(const struct conn *c)
{
	const struct tls_conn *t = (const struct tls_conn *)c;

	if (c == NULL || c->ops != &tls_ops || t->why[0] == '\0')
		return NULL;
	return t->why;
}
