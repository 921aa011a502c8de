/*
 * client.h - one ftpf session as a library: connect, log in, list,
 * download, upload, quit.
 *
 * Shared by the interactive prompt, batch mode and future tools (a load
 * generator), so it never prints and keeps no global state: each thread may
 * drive its own client.  Every call returns FTP_OK or a negative code from
 * err.h; after a failure ftpc_fault() says who was at fault and
 * ftpc_detail() gives a message for the user (the server's own text when
 * the server refused).
 */
#ifndef FTPC_CLIENT_H
#define FTPC_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct ftpc_client;
struct tls_config;

/* Who caused the last failure; the program's exit status follows from it. */
enum ftpc_fault {
	FTPC_FAULT_NONE = 0,
	FTPC_FAULT_REMOTE, /* the server refused the request */
	FTPC_FAULT_LOCAL,  /* a local file could not be read or written */
	FTPC_FAULT_CONN,   /* cannot connect, peer closed, protocol, timeout */
	FTPC_FAULT_USAGE,  /* the caller's arguments cannot work */
};

/* Connects to host:port, exchanges HELLO / HELLO_OK.  On failure *out is
 * still set (so ftpc_detail() can explain) unless memory ran out, in which
 * case it is NULL; ftpc_close() it either way. */
int ftpc_open(const char *host, const char *port, struct ftpc_client **out);

/* The same, inside TLS when tls (from tls_client_config()) is not NULL:
 * the handshake verifies the server as configured before HELLO. */
int ftpc_open_tls(const char *host, const char *port,
		  const struct tls_config *tls, struct ftpc_client **out);

/* Features ftpc asks for unless told otherwise: checksums, resume, and
 * compression (used only by transfers that ask for it: FTPC_COMPRESS). */
#define FTPC_FEATURES_DEFAULT (PROTO_FEATURE_CHECKSUM | \
    PROTO_FEATURE_RESUME | PROTO_FEATURE_COMPRESS | PROTO_FEATURE_MANAGE | \
    PROTO_FEATURE_ABORT)

/* The same, asking the server for exactly features (PROTO_FEATURE_*; the
 * others call this with FTPC_FEATURES_DEFAULT).  Without
 * PROTO_FEATURE_CHECKSUM transfers are not verified end to end. */
int ftpc_open_features(const char *host, const char *port,
		       const struct tls_config *tls, uint64_t features,
		       struct ftpc_client **out);

/*
 * Logs in (LOGIN, docs/PROTOCOL.md 5.9); the session must have been opened
 * asking for PROTO_FEATURE_LOGIN.  A server that did not grant it takes
 * no logins: FTP_E_UNSUPPORTED, a remote fault, and nothing is sent.
 * Without TLS the password goes only to a peer on a loopback address
 * (checked on the connected socket), unless allow_plaintext: else
 * FTP_E_DENIED, a usage fault, and nothing is sent.  A refused login is
 * FTP_E_DENIED, a remote fault, with the server's message.  Copies of the
 * password made here are wiped (explicit_bzero) before returning; the
 * caller wipes its own.
 */
int ftpc_login(struct ftpc_client *cl, const char *user, const char *password,
	       bool allow_plaintext);

/*
 * Remote paths.  Every remote path given to the calls below is taken
 * relative to the session's working directory, or to the server's root if
 * it starts with '/'; ".", ".." and empty components are resolved here
 * (".." at the root is FTP_E_BAD_PATH, a remote fault), so the server sees
 * only plain relative paths.
 */
/* Makes path the working directory once the server confirms (STAT) it is
 * a directory: FTP_E_NOT_DIR otherwise, a remote fault. */
int ftpc_chdir(struct ftpc_client *cl, const char *path);
/* The working directory as the user sees it: "/" or "/a/b". */
const char *ftpc_cwd(const struct ftpc_client *cl);
/* path resolved as above into out, the form the server is sent ("" for
 * the root): FTP_E_BAD_PATH or FTP_E_TOO_LARGE, remote faults. */
int ftpc_resolve(struct ftpc_client *cl, const char *path,
		 char out[PROTO_PATH_MAX + 1]);

/* File management (PROTO_FEATURE_MANAGE; without it FTP_E_UNSUPPORTED, a
 * remote fault, and nothing is sent).  stat follows a final symlink that
 * stays inside the root; the others act on the name itself. */
int ftpc_stat(struct ftpc_client *cl, const char *path, struct msg_info *out);
int ftpc_mkdir(struct ftpc_client *cl, const char *path);
int ftpc_rmdir(struct ftpc_client *cl, const char *path);
int ftpc_delete(struct ftpc_client *cl, const char *path);
/* Atomic on the server; replaces a file at to. */
int ftpc_rename(struct ftpc_client *cl, const char *from, const char *to);

/* Reports a transfer's progress: done bytes of total (the whole file; a
 * resumed transfer starts at the bytes already held).  Called when the
 * transfer starts, after each DATA frame, and once when it has ended
 * well; never from a signal handler. */
typedef void (*ftpc_progress_fn)(void *arg, uint64_t done, uint64_t total);
void ftpc_set_progress(struct ftpc_client *cl, ftpc_progress_fn fn,
		       void *arg);

/*
 * A flag that a signal handler sets to stop the transfer in progress
 * (NULL: none).  Transfers look at it between frames: with
 * PROTO_FEATURE_ABORT granted, ABORT goes to the server, the transfer ends
 * with FTP_E_ABORTED (a local fault) and the session stays usable; the
 * local temporary is removed and the server discards an upload.  Without
 * the feature the connection is dropped.  The caller clears the flag.
 */
void ftpc_set_cancel(struct ftpc_client *cl, volatile sig_atomic_t *flag);

/* Called once per entry, in the server's order; a non-FTP_OK return stops
 * the calls (the listing is still read to its end) and is returned by
 * ftpc_list() as a local fault. */
typedef int (*ftpc_entry_fn)(void *arg, const struct msg_entry *e);

/* Lists path ("" or "." for the root). */
int ftpc_list(struct ftpc_client *cl, const char *path, ftpc_entry_fn fn,
	      void *arg);

/*
 * Downloads remote.  local is where to put it: NULL means the remote
 * basename in the current directory, an existing directory means the remote
 * basename inside it, anything else is the file's path.  The file appears
 * complete (renamed from a hidden temporary) or not at all.  With checksums
 * granted, a copy whose CRC-32C differs from the server's is discarded:
 * FTP_E_CHECKSUM, a connection fault (the bytes were corrupted on the way,
 * so the connection is dropped).
 */
int ftpc_get(struct ftpc_client *cl, const char *remote, const char *local);

/* Flags of ftpc_get_ex() and ftpc_put_ex(). */
#define FTPC_RESUME 0x1u  /* continue from the bytes already transferred */
#define FTPC_RESTART 0x2u /* with FTPC_RESUME: start again from zero */
/* Let the sender compress the DATA (zlib; chunks that do not shrink go
 * raw).  Ignored when the server does not offer compression. */
#define FTPC_COMPRESS 0x4u
/* get: LOCAL is the file's own path, never a directory to put it in (a
 * directory there is an error): for callers that chose every name. */
#define FTPC_LOCAL_EXACT 0x8u

/*
 * ftpc_get() with flags.  FTPC_RESUME (get -c): continue from the bytes
 * already held, those of the hidden temporary a killed ftpc left or else
 * of an existing local file, after checking with the server (SUM) that
 * they are its file's first bytes; if not, refuses (FTP_E_CHECKSUM or
 * FTP_E_TOO_LARGE, a local fault) and removes the temporary.  The copy is
 * still verified whole.  Needs the resume feature.
 */
int ftpc_get_ex(struct ftpc_client *cl, const char *remote, const char *local,
		unsigned flags);

/* Receives a download's bytes in order, in pieces; a non-FTP_OK return
 * stops the calls (the stream is still read to its end) and is returned by
 * ftpc_get_to() as a local fault. */
typedef int (*ftpc_data_fn)(void *arg, const void *data, size_t len);

/* Downloads remote into fn instead of a file, for tools that check the
 * bytes without touching the disk (the load generator); *size gets the
 * size the server announced. */
int ftpc_get_to(struct ftpc_client *cl, const char *remote, ftpc_data_fn fn,
		void *arg, uint64_t *size);

/* Uploads the regular file local_path as remote (NULL: its basename).  A
 * server that received other bytes than were sent (checksums granted)
 * stores nothing: FTP_E_CHECKSUM, a connection fault as for ftpc_get(). */
int ftpc_put(struct ftpc_client *cl, const char *local_path,
	     const char *remote);

/* ftpc_put() with flags.  FTPC_RESUME (put -c): continue the server's kept
 * upload of remote if its bytes are our file's first bytes; if not, the
 * server's are discarded and FTP_E_CHECKSUM (a local fault) returned.
 * Needs the resume feature. */
int ftpc_put_ex(struct ftpc_client *cl, const char *local_path,
		const char *remote, unsigned flags);

/* Sends QUIT and waits for OK; the connection is closed afterwards. */
int ftpc_quit(struct ftpc_client *cl);

/* Async-signal-safe: shuts the socket down so that a call blocked in it
 * fails promptly and cleans up (a download's temporary is removed).  The
 * session is over afterwards. */
void ftpc_abort(struct ftpc_client *cl);

/* Closes the connection (without QUIT) and frees cl; NULL is fine. */
void ftpc_close(struct ftpc_client *cl);

/* True while requests can still be sent. */
bool ftpc_connected(const struct ftpc_client *cl);

enum ftpc_fault ftpc_fault(const struct ftpc_client *cl);

/* The last failure's message, raw (the caller escapes it for a terminal);
 * "" after success. */
const char *ftpc_detail(const struct ftpc_client *cl);

/* The server's software string from HELLO_OK ("" before). */
const char *ftpc_server_software(const struct ftpc_client *cl);

#endif
