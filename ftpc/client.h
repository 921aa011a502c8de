/*
 * client.h - one ftpf session as a library: connect, list, download,
 * upload, quit.
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

#include <stdbool.h>
#include <stdint.h>

#include "msg.h"

struct ftpc_client;

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
 * complete (renamed from a hidden temporary) or not at all.
 */
int ftpc_get(struct ftpc_client *cl, const char *remote, const char *local);

/* Uploads the regular file local_path as remote (NULL: its basename). */
int ftpc_put(struct ftpc_client *cl, const char *local_path,
	     const char *remote);

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
