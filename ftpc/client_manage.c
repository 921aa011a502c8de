/*
 * client_manage.c - the remote working directory and file management:
 * STAT, MKDIR, RMDIR, DELETE, RENAME (docs/PROTOCOL.md 5.10).
 *
 * The working directory lives here, not on the server: every path is
 * resolved against it before it is sent, so the server stays stateless
 * and judges each path exactly as it judges GET's and PUT's.
 */
#include <string.h>

#include "client.h"
#include "client_int.h"
#include "err.h"
#include "msg.h"
#include "rpath.h"

int
ftpc_resolve(struct ftpc_client *cl, const char *path,
    char out[PROTO_PATH_MAX + 1])
{
	int r = rpath_resolve(cl->cwd, path, out);

	if (r == FTP_E_BAD_PATH)
		return cli_fail(cl, FTPC_FAULT_REMOTE, r, "path leaves the "
		    "root: %s", path);
	if (r != FTP_OK)
		return cli_fail(cl, FTPC_FAULT_USAGE, FTP_E_TOO_LARGE,
		    "remote path longer than %d bytes", PROTO_PATH_MAX);
	return FTP_OK;
}

const char *
ftpc_cwd(const struct ftpc_client *cl)
{
	return cl->cwd_shown;
}

static int
need_manage(struct ftpc_client *cl)
{
	if ((cl->features & PROTO_FEATURE_MANAGE) == 0)
		return cli_fail(cl, FTPC_FAULT_REMOTE, FTP_E_UNSUPPORTED,
		    "the server does not offer file management (an older "
		    "ftpd?)");
	return FTP_OK;
}

/* One request whose body is a single path (already in server form). */
static int
path_request(struct ftpc_client *cl, uint8_t type, const char *resolved,
    uint32_t *id)
{
	struct msg_path m;
	int r;

	memcpy(m.path, resolved, strlen(resolved) + 1);
	buf_reset(&cl->out);
	if ((r = msg_put_path(&cl->out, &m)) != FTP_OK)
		return cli_encode_fail(cl, r);
	return cli_request(cl, type, id);
}

/* STAT of a path in server form. */
static int
stat_resolved(struct ftpc_client *cl, const char *resolved,
    struct msg_info *out)
{
	struct frame f;
	uint32_t id;
	int r;

	if ((r = path_request(cl, PROTO_STAT, resolved, &id)) != FTP_OK ||
	    (r = cli_expect_reply(cl, id, PROTO_INFO, &f)) != FTP_OK)
		return r;
	if ((r = msg_get_info(&f.body, out)) != FTP_OK)
		return cli_malformed(cl, &f, r);
	return FTP_OK;
}

int
ftpc_stat(struct ftpc_client *cl, const char *path, struct msg_info *out)
{
	char resolved[PROTO_PATH_MAX + 1];
	int r;

	cli_clear(cl);
	if ((r = need_manage(cl)) != FTP_OK ||
	    (r = ftpc_resolve(cl, path, resolved)) != FTP_OK)
		return r;
	return stat_resolved(cl, resolved, out);
}

int
ftpc_chdir(struct ftpc_client *cl, const char *path)
{
	char resolved[PROTO_PATH_MAX + 1];
	struct msg_info info;
	size_t n;
	int r;

	cli_clear(cl);
	if ((r = need_manage(cl)) != FTP_OK ||
	    (r = ftpc_resolve(cl, path, resolved)) != FTP_OK ||
	    (r = stat_resolved(cl, resolved, &info)) != FTP_OK)
		return r;
	if (info.kind != PROTO_KIND_DIR)
		return cli_fail(cl, FTPC_FAULT_REMOTE, FTP_E_NOT_DIR,
		    "not a directory: %s", path);
	n = strlen(resolved);
	memcpy(cl->cwd, resolved, n + 1);
	cl->cwd_shown[0] = '/';
	memcpy(cl->cwd_shown + 1, resolved, n + 1);
	return FTP_OK;
}

/* MKDIR, RMDIR or DELETE of path. */
static int
path_op(struct ftpc_client *cl, uint8_t type, const char *path)
{
	char resolved[PROTO_PATH_MAX + 1];
	uint32_t id;
	int r;

	cli_clear(cl);
	if ((r = need_manage(cl)) != FTP_OK ||
	    (r = ftpc_resolve(cl, path, resolved)) != FTP_OK ||
	    (r = path_request(cl, type, resolved, &id)) != FTP_OK)
		return r;
	return cli_reply_ok(cl, id);
}

int
ftpc_mkdir(struct ftpc_client *cl, const char *path)
{
	return path_op(cl, PROTO_MKDIR, path);
}

int
ftpc_rmdir(struct ftpc_client *cl, const char *path)
{
	return path_op(cl, PROTO_RMDIR, path);
}

int
ftpc_delete(struct ftpc_client *cl, const char *path)
{
	return path_op(cl, PROTO_DELETE, path);
}

int
ftpc_rename(struct ftpc_client *cl, const char *from, const char *to)
{
	struct msg_rename m;
	uint32_t id;
	int r;

	cli_clear(cl);
	if ((r = need_manage(cl)) != FTP_OK ||
	    (r = ftpc_resolve(cl, from, m.from)) != FTP_OK ||
	    (r = ftpc_resolve(cl, to, m.to)) != FTP_OK)
		return r;
	buf_reset(&cl->out);
	if ((r = msg_put_rename(&cl->out, &m)) != FTP_OK)
		return cli_encode_fail(cl, r);
	if ((r = cli_request(cl, PROTO_RENAME, &id)) != FTP_OK)
		return r;
	return cli_reply_ok(cl, id);
}
