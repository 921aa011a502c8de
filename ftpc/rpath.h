/*
 * rpath.h - remote paths as the user types them, resolved against the
 * remote working directory into the form the server is sent.
 *
 * The server takes only plain relative paths from its root: "" for the
 * root, "a/b" otherwise, never "." or ".." (docs/PROTOCOL.md).  The
 * client keeps its working directory in that form and resolves every
 * path here, so a path can never climb out of the root unnoticed.
 */
#ifndef FTPC_RPATH_H
#define FTPC_RPATH_H

#include "proto_limits.h"

/*
 * Resolves path against cwd into out.  cwd is a directory in server form;
 * path is as typed: from the root if it starts with '/', else from cwd.
 * Empty components (from "//" or a trailing '/') and "." are dropped; ".."
 * drops the component before it.  Returns FTP_OK; FTP_E_BAD_PATH if a
 * ".." would go above the root; FTP_E_TOO_LARGE if the result is longer
 * than PROTO_PATH_MAX bytes.  out never gets more than PROTO_PATH_MAX + 1
 * bytes (a result that would not fit is detected however long the steps
 * in between are) and is "" after an error.  out must not overlap cwd or
 * path.
 */
int rpath_resolve(const char *cwd, const char *path,
		  char out[PROTO_PATH_MAX + 1]);

/* The last component of a path in server form ("" for the root); a
 * pointer into path. */
const char *rpath_base(const char *path);

#endif
