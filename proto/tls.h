/*
 * tls.h - the TLS transport: a second implementation of struct conn.
 *
 * Every session may run inside TLS from its first byte (implicit TLS; see
 * docs/PROTOCOL.md, "TLS").  A configuration is built once from file paths
 * and shared read-only by every connection; a handshake turns a connected
 * socket into a struct conn whose operations encrypt, so ftpd and ftpc
 * never know which transport they hold.
 *
 * Built without OpenSSL (-DFTP_WITH_TLS=OFF) the same functions exist and
 * fail with FTP_E_UNSUPPORTED and TLS_UNSUPPORTED_MSG in errbuf.
 *
 * Failures put a sentence naming the cause into errbuf (TLS_ERR_MAX bytes,
 * NUL-terminated): "certificate verify failed: certificate has expired",
 * "peer is not speaking TLS", "handshake timed out after 10 s"...  Nothing
 * here prints.
 */
#ifndef PROTO_TLS_H
#define PROTO_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct conn;
struct tls_config;

/* The application protocol id both ends must agree on (ALPN). */
#define TLS_ALPN "ftpf/1"
/* Room for a failure's reason. */
#define TLS_ERR_MAX 512
/* Room for a certificate subject (RFC 2253 form, cut short if longer). */
#define TLS_SUBJECT_MAX 256
/* Room for tls_conn_info(). */
#define TLS_INFO_MAX 128
/* What every call says when the build has no TLS. */
#define TLS_UNSUPPORTED_MSG "built without TLS support"

struct tls_server_opts {
	const char *cert;      /* PEM certificate chain, leaf first */
	const char *key;       /* PEM private key of the leaf */
	const char *client_ca; /* NULL, or PEM CA(s): clients must present a
				* certificate signed by one (mutual TLS) */
};

struct tls_client_opts {
	const char *ca;        /* NULL: the system's trust store */
	const char *cert;      /* NULL, or a client certificate (with key) */
	const char *key;
	bool insecure;         /* skip every check of the server */
};

/* True if this build can do TLS at all. */
bool tls_supported(void);

/* Loads and checks the files; FTP_E_TLS (or FTP_E_UNSUPPORTED) with the
 * reason in errbuf on failure. */
int tls_server_config(const struct tls_server_opts *o,
		      struct tls_config **out, char errbuf[TLS_ERR_MAX]);
int tls_client_config(const struct tls_client_opts *o,
		      struct tls_config **out, char errbuf[TLS_ERR_MAX]);
void tls_config_free(struct tls_config *cfg); /* NULL is fine */
/* True if a client config checks the server (not --insecure). */
bool tls_config_verifies(const struct tls_config *cfg);

/*
 * Server side of the handshake on the connected socket fd, bounded by
 * timeout_s seconds.  Takes ownership of fd (closed on failure).  With a
 * client CA, subject receives the client certificate's subject, else "".
 */
int tls_server_accept(const struct tls_config *cfg, int fd,
		      unsigned timeout_s, struct conn **out,
		      char subject[TLS_SUBJECT_MAX], char errbuf[TLS_ERR_MAX]);

/*
 * Client side: verifies the server's chain and that its certificate is for
 * host (a name, or an IPv4/IPv6 address), unless the configuration is
 * insecure.  Takes ownership of fd (closed on failure).
 */
int tls_client_connect(const struct tls_config *cfg, int fd,
		       const char *host, unsigned timeout_s,
		       struct conn **out, char errbuf[TLS_ERR_MAX]);

/* Frees the calling thread's TLS library state (its random generators, its
 * error queue).  A thread that used TLS calls it before it lets anyone see
 * that it has ended: state left to the thread's exit could outlive a
 * process that is already exiting. */
void tls_thread_end(void);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384 ktls-send=off" for a TLS conn; "" for
 * any other. */
void tls_conn_info(const struct conn *c, char info[TLS_INFO_MAX]);

/* Why the last operation on a TLS conn failed, when TLS itself said more
 * than the error code can (an alert from the peer: "the server requires a
 * client certificate"); NULL otherwise and for other transports. */
const char *tls_conn_error(const struct conn *c);

#endif
