/*
 * err.c - messages, names and wire statuses for the codes in err.h, all
 * generated from FTP_ERR_MAP so the table stays the single source.
 */
#include <errno.h>
#include <stddef.h>

#include "err.h"

struct err_row {
	int code;
	uint16_t wire;
	const char *name;
	const char *msg;
};

static const struct err_row err_rows[] = {
#define FTP_ERR_ROW(name, code, wire, msg) { (code), (wire), #name, (msg) },
	FTP_ERR_MAP(FTP_ERR_ROW)
#undef FTP_ERR_ROW
};

static const struct err_row *
err_find(int err)
{
	for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++)
		if (err_rows[i].code == err)
			return &err_rows[i];
	return NULL;
}

const char *
ftp_strerror(int err)
{
	const struct err_row *row = err_find(err);

	return row != NULL ? row->msg : "unknown error";
}

const char *
ftp_errname(int err)
{
	const struct err_row *row = err_find(err);

	return row != NULL ? row->name : "UNKNOWN";
}

uint16_t
ftp_err_to_status(int err)
{
	const struct err_row *row = err_find(err);

	/* A code nobody listed is a bug somewhere: an internal failure. */
	return row != NULL ? row->wire : (uint16_t)-FTP_E_FAILURE;
}

int
ftp_err_from_status(uint16_t status)
{
	const struct err_row *row;

	if (status == 0)
		return FTP_E_PROTOCOL;
	/* Only the rows whose code is the negated status are wire statuses;
	 * internal codes merely borrow one. */
	row = err_find(-(int)status);
	if (row == NULL || row->wire != status)
		return FTP_E_FAILURE;
	return row->code;
}

int
ftp_err_from_errno(int e)
{
	if (e < 0)
		e = -e;
	switch (e) {
	case ENOENT: return FTP_E_NOT_FOUND;
	case EEXIST: return FTP_E_EXISTS;
	case EACCES: case EPERM: case EROFS: return FTP_E_DENIED;
	case EXDEV: case ELOOP: case EINVAL: case ENAMETOOLONG:
		return FTP_E_BAD_PATH;
	case ENOTDIR: return FTP_E_NOT_DIR;
	case EISDIR: return FTP_E_IS_DIR;
	case ENOTEMPTY: return FTP_E_NOT_EMPTY;
	case ENOSPC: case EDQUOT: return FTP_E_NO_SPACE;
	case EFBIG: case EOVERFLOW: return FTP_E_TOO_LARGE;
	case ENOMEM: return FTP_E_NOMEM;
	case EIO: return FTP_E_IO;
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EAGAIN: case ETIMEDOUT: return FTP_E_TIMEOUT;
	case ECONNRESET: case EPIPE: case ENOTCONN: return FTP_E_CLOSED;
	case ECONNREFUSED: case EHOSTUNREACH: case ENETUNREACH:
		return FTP_E_CONNECT;
	default: return FTP_E_SYSTEM;
	}
}
