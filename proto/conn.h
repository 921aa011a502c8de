/*
 * conn.h - a transport: the byte stream a session runs over.
 *
 * ftpd and ftpc hold a struct conn and never know which implementation is
 * behind it (plain socket now; TLS slots in here without touching them).
 * All operations block, bounded by the timeout set with conn_set_timeout().
 */
#ifndef PROTO_CONN_H
#define PROTO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct conn;

struct conn_ops {
	/* Some bytes, 1..cap; FTP_E_CLOSED at end of stream. */
	int (*recv)(struct conn *c, void *dst, size_t cap, size_t *got);
	/* All bytes of iov[0..n); iov may be modified. */
	int (*send)(struct conn *c, struct iovec *iov, int n);
	/* len bytes of file fd from off; FTP_E_CHANGED if the file ends early. */
	int (*sendfile)(struct conn *c, int fd, uint64_t off, uint64_t len);
	/* Closes the descriptor and frees c. */
	void (*close)(struct conn *c);
	/* True if bytes already read from the socket wait inside the
	 * transport (decrypted TLS records), where poll(2) cannot see them.
	 * NULL for transports that keep nothing. */
	bool (*pending)(const struct conn *c);
};

struct conn {
	const struct conn_ops *ops;
	int fd;
	/* The timeout last set on fd, so that re-setting the same value (a
	 * deadline re-applied before every read) costs no system call.
	 * timeout_known is false until the first conn_set_timeout(). */
	unsigned timeout;
	bool timeout_known;
};

/* Wraps a connected socket; takes ownership of fd (closed on failure). */
int conn_plain_new(int fd, struct conn **out);

/* Bounds every later recv and send: seconds without progress before
 * FTP_E_TIMEOUT (0 = wait forever). */
int conn_set_timeout(struct conn *c, unsigned seconds);

/* Convenience dispatchers. */
int conn_recv(struct conn *c, void *dst, size_t cap, size_t *got);
int conn_send(struct conn *c, struct iovec *iov, int n);
int conn_sendfile(struct conn *c, int fd, uint64_t off, uint64_t len);
void conn_close(struct conn *c);
bool conn_pending(const struct conn *c);

/* Wakes a thread blocked on c from another thread: later and pending reads
 * see end of stream (shutdown(2) SHUT_RD).  Safe to call concurrently. */
void conn_wake(struct conn *c);

#endif
