/*
 * proto_limits.h - every limit of the protocol and the daemon, named once.
 *
 * Wire limits bound what a peer may send; a receiver checks a length against
 * them before it allocates or reads.  The daemon advertises the values it
 * enforces in its HELLO_OK reply (docs/PROTOCOL.md, "Limits").
 */
#ifndef PROTO_LIMITS_H
#define PROTO_LIMITS_H

/* --- wire format ------------------------------------------------------- */

#define PROTO_MAGIC 0x46545046u /* "FTPF" */
#define PROTO_VERSION 1
#define PROTO_HEADER_SIZE 10 /* u32 length, u8 type, u8 flags, u32 id */

/* Ceiling on any frame body; no peer ever needs to accept more. */
#define PROTO_FRAME_MAX (1024u * 1024u)
/* Ceiling on the body of every frame that is not DATA. */
#define PROTO_CONTROL_MAX (64u * 1024u)
/* DATA payload this implementation sends: large enough that the 10-byte
 * header costs nothing measurable, small enough to bound memory per peer. */
#define PROTO_DATA_CHUNK (256u * 1024u)

#define PROTO_PATH_MAX 4096    /* bytes in a path, without terminator */
#define PROTO_NAME_MAX 255     /* bytes in one path component */
#define PROTO_MESSAGE_MAX 1024 /* bytes in an ERROR message */
#define PROTO_SOFTWARE_MAX 64  /* bytes in a HELLO software string */
#define PROTO_USER_MAX 64      /* bytes in a LOGIN user name */
#define PROTO_PASSWORD_MAX 1024 /* bytes in a LOGIN password */
#define PROTO_LIMITS_MAX 32    /* limit pairs in one HELLO_OK */
#define PROTO_LIST_BATCH 512   /* entries in one ENTRIES frame */

/* --- the daemon (ftpd --help shows every value) ------------------------ */

#define FTPD_DEFAULT_HOST "127.0.0.1"
#define FTPD_DEFAULT_PORT "2121"
/* Connections served at once, and from one IP address: enough for a busy
 * NAT, few enough that one host cannot take every slot. */
#define FTPD_DEFAULT_MAX_CLIENTS 1000
#define FTPD_MAX_CLIENTS_CEILING 100000
#define FTPD_DEFAULT_MAX_PER_ADDRESS 64
#define FTPD_DEFAULT_IDLE_TIMEOUT 300 /* seconds waiting for a request */
#define FTPD_IDLE_TIMEOUT_CEILING 86400
#define FTPD_HELLO_TIMEOUT 10 /* seconds from connect to a whole HELLO */
/* Seconds a frame received may take to arrive whole once it has begun (a
 * peer trickling a byte a minute is cut off however it spaces its bytes),
 * and a write may wait for the peer to take anything. */
#define FTPD_DEFAULT_STALL_TIMEOUT 60
#define FTPD_TIMEOUT_CEILING 3600 /* --stall-timeout, --login-timeout */
#define FTPD_LISTEN_BACKLOG 4096
/* Each connection's thread stack; sessions keep big buffers on the heap. */
#define FTPD_THREAD_STACK (128u * 1024u)
#define FTPD_THREAD_STACK_SANITIZED (1024u * 1024u)
/* Seconds transfers in flight get to finish after SIGTERM/SIGINT. */
#define FTPD_DEFAULT_SHUTDOWN_GRACE 10
#define FTPD_SHUTDOWN_GRACE_CEILING 3600
/* Seconds an interrupted upload is kept for a resume after its last
 * write. */
#define FTPD_DEFAULT_RESUME_MAX_AGE (24 * 3600)
#define FTPD_RESUME_MAX_AGE_CEILING (3650u * 24 * 3600)
/* --max-rate, KiB/s per transfer: at the floor a DATA chunk still goes
 * through well within the stall timeout. */
#define FTPD_MAX_RATE_FLOOR 16u
#define FTPD_MAX_RATE_CEILING (4u * 1024 * 1024)

/* Logins (--users). */
#define FTPD_DEFAULT_LOGIN_TIMEOUT 30 /* seconds from connect to a login */
#define FTPD_LOGIN_FAIL_DELAY_MS 1000 /* before answering a failed LOGIN */
#define FTPD_LOGIN_ATTEMPTS 3       /* failed LOGINs per connection */
#define FTPD_LOGIN_FAILS_PER_ADDRESS 10 /* failures from one address ... */
#define FTPD_LOGIN_FAIL_WINDOW 300  /* ... within this many seconds */
#define FTPD_LOGIN_TRACKED 4096     /* addresses remembered for that */
#define FTPD_LOGIN_HASHING_MAX 4    /* password hashes computed at once */
#define FTPD_PRELOGIN_REQUESTS 8    /* requests refused before a login */
#define FTPD_USERS_MAX 100000       /* accounts in a users file */
#define FTPD_USERS_LINE_MAX 1024    /* bytes in one line of it */
#define FTPD_CONFIG_MAX (64 * 1024) /* bytes in a --config file */

/* --- client defaults ---------------------------------------------------- */

#define FTPC_DEFAULT_PORT "2121"
#define FTPC_CONNECT_TIMEOUT 10 /* seconds */
#define FTPC_IO_TIMEOUT 60      /* seconds without progress */
#define FTPC_LINE_MAX 8192      /* bytes in one command line */

#endif
