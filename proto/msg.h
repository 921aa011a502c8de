/*
 * msg.h - the body of every message, encoded and decoded.
 *
 * msg_put_X appends X's body to a buffer (the caller adds the header, see
 * chan_send()); msg_get_X decodes a whole body and fails with
 * FTP_E_TRAILING if bytes are left over.  Layouts are in docs/PROTOCOL.md.
 * All getters validate values (strings are UTF-8 without NUL, kinds and
 * statuses are in range); they return FTP_E_SHORT on truncation.
 */
#ifndef PROTO_MSG_H
#define PROTO_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "proto_limits.h"

/* Feature bits negotiated in HELLO (docs/PROTOCOL.md, section 8); the
 * server answers with the subset it grants, so unknown bits are harmless. */
#define PROTO_FEATURES_NONE 0ull
/* The END that closes a GET or PUT carries the CRC-32C of the whole file. */
#define PROTO_FEATURE_CHECKSUM 0x1ull
/* SUM requests, PUT's RESUME flag and READY; needs CHECKSUM as well. */
#define PROTO_FEATURE_RESUME 0x2ull
/* GET's flags field, PUT's COMPRESS flag and COMPRESSED DATA frames. */
#define PROTO_FEATURE_COMPRESS 0x4ull
/* The server has accounts: LOGIN must succeed before any other request.
 * Granted only by a server started with users, so a client asking for it
 * learns whether this server takes logins at all. */
#define PROTO_FEATURE_LOGIN 0x8ull
/* STAT, MKDIR, RMDIR, DELETE, RENAME and the INFO reply. */
#define PROTO_FEATURE_MANAGE 0x10ull
/* ABORT: the client may stop a GET or PUT and keep the session. */
#define PROTO_FEATURE_ABORT 0x20ull

/* PUT flags (each with its feature). */
#define PROTO_PUT_RESUME 0x1u   /* PROTO_FEATURE_RESUME */
#define PROTO_PUT_COMPRESS 0x2u /* PROTO_FEATURE_COMPRESS: DATA may be
				 * COMPRESSED */

/* GET flags (the field exists with PROTO_FEATURE_COMPRESS only). */
#define PROTO_GET_COMPRESS 0x1u /* DATA may be COMPRESSED */

/* Limit keys in HELLO_OK; a client ignores keys it does not know. */
enum proto_limit_key {
	PROTO_LIMIT_FRAME_MAX = 1,    /* largest frame body the server accepts */
	PROTO_LIMIT_DATA_CHUNK = 2,   /* largest DATA payload the server sends */
	PROTO_LIMIT_PATH_MAX = 3,
	PROTO_LIMIT_NAME_MAX = 4,
	PROTO_LIMIT_LIST_BATCH = 5,   /* most entries in one ENTRIES frame */
	PROTO_LIMIT_IDLE_TIMEOUT = 6, /* seconds */
	PROTO_LIMIT_MAX_CLIENTS = 7,
};

struct msg_hello {
	uint32_t magic; /* PROTO_MAGIC */
	uint16_t version;
	uint64_t features;
	char software[PROTO_SOFTWARE_MAX + 1];
};

struct proto_limit {
	uint16_t key;
	uint64_t value;
};

struct msg_hello_ok {
	uint16_t version;
	uint64_t features;
	uint16_t nlimits;
	struct proto_limit limits[PROTO_LIMITS_MAX];
	char software[PROTO_SOFTWARE_MAX + 1];
};

/* LIST */
struct msg_path {
	char path[PROTO_PATH_MAX + 1];
};

/* GET: data starts at offset (0 for a whole file).  flags (PROTO_GET_*)
 * is on the wire only if has_flags, which a session with
 * PROTO_FEATURE_COMPRESS requires and any other forbids; the decoder
 * reads it when the body goes on, and the caller checks which applies. */
struct msg_get {
	char path[PROTO_PATH_MAX + 1];
	uint64_t offset;
	bool has_flags;
	uint32_t flags;
};

/* PUT: exactly size bytes follow in DATA frames; flags are PROTO_PUT_* */
struct msg_put {
	char path[PROTO_PATH_MAX + 1];
	uint64_t size;
	uint32_t flags;
};

/* FILE: the reply to GET, before its DATA frames */
struct msg_file {
	uint64_t size; /* whole file */
	int64_t mtime; /* seconds since the epoch */
	uint64_t offset; /* where the DATA frames start: size - offset follow */
};

/* SUM: the checksum of the first length bytes of a file */
struct msg_sum {
	char path[PROTO_PATH_MAX + 1];
	uint64_t length;
};

/* SUM_OK: the file's size, and the CRC-32C of its bytes [0, length), where
 * length = min(asked, size) */
struct msg_sum_ok {
	uint64_t size;
	uint64_t length;
	uint32_t crc;
};

/* RENAME: from becomes to, atomically */
struct msg_rename {
	char from[PROTO_PATH_MAX + 1];
	char to[PROTO_PATH_MAX + 1];
};

/* INFO: the answer to STAT */
struct msg_info {
	uint8_t kind; /* enum proto_kind */
	uint64_t size;
	int64_t mtime;
};

/* LOGIN: a user's name and password (with PROTO_FEATURE_LOGIN) */
struct msg_login {
	char user[PROTO_USER_MAX + 1];
	char password[PROTO_PASSWORD_MAX + 1];
};

/* READY: the answer to a RESUME PUT: the server already holds bytes
 * [0, offset) of the upload, whose CRC-32C is crc */
struct msg_ready {
	uint64_t offset;
	uint32_t crc;
};

/* END: closes a DATA stream (bytes) or a LIST (entries).  With
 * PROTO_FEATURE_CHECKSUM, the END of a GET or PUT stream also carries the
 * CRC-32C of the whole file (bytes 0..size, whatever the offset). */
struct msg_end {
	uint64_t count;
	bool has_crc;
	uint32_t crc;
};

struct msg_error {
	uint16_t status; /* 1..65535; see ftp_err_from_status() */
	char message[PROTO_MESSAGE_MAX + 1];
};

enum proto_kind {
	PROTO_KIND_FILE = 1,
	PROTO_KIND_DIR = 2,
	PROTO_KIND_LINK = 3,
	PROTO_KIND_OTHER = 4,
};

struct msg_entry {
	uint8_t kind; /* enum proto_kind */
	uint64_t size;
	int64_t mtime;
	char name[PROTO_NAME_MAX + 1];
};

int msg_put_hello(struct buf *b, const struct msg_hello *m);
int msg_get_hello(struct buf *b, struct msg_hello *m);
int msg_put_hello_ok(struct buf *b, const struct msg_hello_ok *m);
int msg_get_hello_ok(struct buf *b, struct msg_hello_ok *m);
/* The value of key in m, or dflt when m does not carry it. */
uint64_t msg_hello_ok_limit(const struct msg_hello_ok *m, uint16_t key,
			    uint64_t dflt);

int msg_put_path(struct buf *b, const struct msg_path *m);
int msg_get_path(struct buf *b, struct msg_path *m);
int msg_put_get(struct buf *b, const struct msg_get *m);
int msg_get_get(struct buf *b, struct msg_get *m);
int msg_put_put(struct buf *b, const struct msg_put *m);
int msg_get_put(struct buf *b, struct msg_put *m);
int msg_put_sum(struct buf *b, const struct msg_sum *m);
int msg_get_sum(struct buf *b, struct msg_sum *m);
int msg_put_sum_ok(struct buf *b, const struct msg_sum_ok *m);
int msg_get_sum_ok(struct buf *b, struct msg_sum_ok *m);
int msg_put_rename(struct buf *b, const struct msg_rename *m);
int msg_get_rename(struct buf *b, struct msg_rename *m);
int msg_put_info(struct buf *b, const struct msg_info *m);
int msg_get_info(struct buf *b, struct msg_info *m);
int msg_put_login(struct buf *b, const struct msg_login *m);
int msg_get_login(struct buf *b, struct msg_login *m);
int msg_put_ready(struct buf *b, const struct msg_ready *m);
int msg_get_ready(struct buf *b, struct msg_ready *m);
int msg_put_file(struct buf *b, const struct msg_file *m);
int msg_get_file(struct buf *b, struct msg_file *m);
/* Writes the crc field only if m->has_crc. */
int msg_put_end(struct buf *b, const struct msg_end *m);
/* expect_crc: the body must be count and crc (12 bytes), else count alone;
 * m->has_crc tells which was read. */
int msg_get_end(struct buf *b, struct msg_end *m, bool expect_crc);
/* Messages longer than PROTO_MESSAGE_MAX are cut at a UTF-8 boundary. */
int msg_put_error(struct buf *b, uint16_t status, const char *message);
int msg_get_error(struct buf *b, struct msg_error *m);

/* Bodies with no fields (QUIT, OK): FTP_E_TRAILING unless empty. */
int msg_get_empty(struct buf *b);

/*
 * ENTRIES: a u16 count, then that many entries.  To encode:
 * msg_entries_begin(), msg_entries_add() until it answers FTP_E_BUF_LIMIT
 * (the entry did not fit; nothing was added) or the batch is full, then
 * msg_entries_finish() patches the count.  To decode: msg_entries_count(),
 * then msg_entry_get() count times, then msg_get_empty() for trailing bytes.
 */
struct msg_entries_writer {
	size_t count_off; /* offset of the count from the buffer's start */
	uint16_t count;
};
int msg_entries_begin(struct buf *b, struct msg_entries_writer *w);
int msg_entries_add(struct buf *b, struct msg_entries_writer *w,
		    const struct msg_entry *e);
int msg_entries_finish(struct buf *b, const struct msg_entries_writer *w);
int msg_entries_count(struct buf *b, uint16_t *count);
int msg_entry_get(struct buf *b, struct msg_entry *e);

#endif
