/*
 * err.h - the project's one set of error codes and their messages.
 *
 * Every function in proto/, ftpd/ and ftpc/ that can fail returns FTP_OK (0)
 * or one of the negative codes below.  Codes -1 to -63 double as the wire
 * status carried in an ERROR frame (status = -code); the rest are internal
 * and travel on the wire as the status named in the table's third column.
 * docs/PROTOCOL.md lists the wire statuses; keep the two in step.
 *
 * storage/ cannot include this header (it knows nothing of proto/): it
 * returns negative errno values, which ftp_err_from_errno() translates.
 */
#ifndef PROTO_ERR_H
#define PROTO_ERR_H

#include <stdint.h>

/* X(NAME, code, wire status, message) */
#define FTP_ERR_MAP(X)                                                         \
	X(OK, 0, 0, "success")                                                 \
	/* wire statuses: stable, documented in docs/PROTOCOL.md */            \
	X(PROTOCOL, -1, 1, "protocol error")                                   \
	X(NOT_FOUND, -2, 2, "no such file or directory")                       \
	X(EXISTS, -3, 3, "file exists")                                        \
	X(DENIED, -4, 4, "permission denied")                                  \
	X(BAD_PATH, -5, 5, "invalid path")                                     \
	X(NOT_DIR, -6, 6, "not a directory")                                   \
	X(IS_DIR, -7, 7, "is a directory")                                     \
	X(NO_SPACE, -8, 8, "no space left on device")                          \
	X(TOO_LARGE, -9, 9, "limit exceeded")                                  \
	X(BUSY, -10, 10, "server busy")                                        \
	X(VERSION, -11, 11, "unsupported protocol version")                    \
	X(IO, -12, 12, "input/output error")                                   \
	X(UNSUPPORTED, -13, 13, "operation not supported")                     \
	X(ABORTED, -14, 14, "transfer aborted")                                \
	X(SHUTDOWN, -15, 15, "server shutting down")                           \
	X(TIMEOUT, -16, 16, "timed out")                                       \
	X(FAILURE, -17, 17, "internal error")                                  \
	X(CHECKSUM, -18, 18, "checksum mismatch")                              \
	X(NOT_EMPTY, -19, 19, "directory not empty")                           \
	/* internal codes; the wire sees the status in column three */         \
	X(NOMEM, -100, 17, "out of memory")                                    \
	X(SYSTEM, -101, 17, "system error")                                    \
	X(CLOSED, -102, 1, "connection closed by peer")                        \
	X(AGAIN, -103, 1, "need more data")                                    \
	X(SHORT, -104, 1, "message truncated")                                 \
	X(BUF_LIMIT, -105, 9, "buffer limit exceeded")                         \
	X(TRAILING, -106, 1, "unexpected trailing bytes in message")           \
	X(BAD_STRING, -107, 1, "invalid string (NUL or bad UTF-8)")            \
	X(FRAME_SIZE, -108, 1, "frame length exceeds limit")                   \
	X(BAD_TYPE, -109, 1, "unknown or unexpected message type")             \
	X(BAD_ID, -110, 1, "unexpected request id")                            \
	X(BAD_MAGIC, -111, 1, "peer does not speak this protocol (bad magic)") \
	X(BAD_FLAGS, -112, 1, "unknown frame flags")                           \
	X(BAD_VALUE, -113, 1, "invalid field value")                           \
	X(CONNECT, -114, 17, "could not connect")                              \
	X(ADDRESS, -115, 17, "invalid address")                                \
	X(NETWORK, -116, 17, "network error")                                  \
	X(CHANGED, -117, 12, "file changed during transfer")                   \
	X(USAGE, -118, 17, "invalid usage")                                    \
	X(STR_LONG, -119, 1, "string longer than its field allows")            \
	X(TLS, -120, 17, "TLS failure")

enum ftp_err {
#define FTP_ERR_ENUM(name, code, wire, msg) FTP_E_##name = (code),
	FTP_ERR_MAP(FTP_ERR_ENUM)
#undef FTP_ERR_ENUM
};
#define FTP_OK FTP_E_OK

/* Highest wire status this implementation defines. */
#define FTP_STATUS_MAX 19

/* The message for err; never NULL ("unknown error" for codes not listed). */
const char *ftp_strerror(int err);

/* The symbolic name ("NOT_FOUND"); never NULL. */
const char *ftp_errname(int err);

/* The wire status that represents err in an ERROR frame (FTP_OK -> 0). */
uint16_t ftp_err_to_status(int err);

/* The code for a wire status received from a peer; unknown statuses, and 0
 * (which is not an error), become FTP_E_FAILURE and FTP_E_PROTOCOL. */
int ftp_err_from_status(uint16_t status);

/* The code for an errno value (positive or negated); never FTP_OK. */
int ftp_err_from_errno(int e);

#endif
