/*
 * config_file.h - the syntax of `ftpd --config FILE`: one `key = value` (or
 * a bare `key`) a line, '#' comments, blank lines ignored.  What the keys
 * mean is options.c's business: they are the long options' names.
 */
#ifndef FTPD_CONFIG_FILE_H
#define FTPD_CONFIG_FILE_H

#include <stddef.h>

/* Room for a reason: "FILE:LINE: ...". */
#define CONFIG_WHY_MAX 512

struct config_entry {
	const char *key;
	const char *value; /* "" for a bare key */
	unsigned line;
};

/*
 * Reads path (at most FTPD_CONFIG_MAX bytes) into *text, which the
 * entries point into and the caller frees, and calls fn for each entry in
 * order until it returns an error.  FTP_OK, or an error with the reason
 * in why (fn writes its own reasons there too).
 */
int config_file_read(const char *path, char **text,
		     int (*fn)(const struct config_entry *e, void *arg,
			       char why[CONFIG_WHY_MAX]),
		     void *arg, char why[CONFIG_WHY_MAX]);

#endif
