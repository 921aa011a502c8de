/*
 * config_file.c - reading `key = value` lines in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "err.h"
#include "proto_limits.h"

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t\r");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* The whole file, NUL-terminated, in a fresh buffer. */
static int
slurp(const char *path, char **text, char why[CONFIG_WHY_MAX])
{
	FILE *fp;
	size_t n;
	char *buf;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(why, CONFIG_WHY_MAX, "%s: %s", path, strerror(errno));
		return FTP_E_SYSTEM;
	}
	if ((buf = malloc(FTPD_CONFIG_MAX + 1)) == NULL) {
		fclose(fp);
		snprintf(why, CONFIG_WHY_MAX, "out of memory");
		return FTP_E_NOMEM;
	}
	n = fread(buf, 1, FTPD_CONFIG_MAX + 1, fp);
	if (ferror(fp) || n > FTPD_CONFIG_MAX || memchr(buf, '\0', n)) {
		snprintf(why, CONFIG_WHY_MAX, "%s: %s", path, ferror(fp) ?
		    strerror(errno) : n > FTPD_CONFIG_MAX ? "larger than "
		    "allowed" : "contains a NUL byte");
		fclose(fp);
		free(buf);
		return FTP_E_BAD_VALUE;
	}
	fclose(fp);
	buf[n] = '\0';
	*text = buf;
	return FTP_OK;
}

int
config_file_read(const char *path, char **text,
		 int (*fn)(const struct config_entry *e, void *arg,
			   char why[CONFIG_WHY_MAX]),
		 void *arg, char why[CONFIG_WHY_MAX])
{
	struct config_entry e = { NULL, NULL, 0 };
	char *line, *next, *eq;
	int r;

	*text = NULL;
	if ((r = slurp(path, text, why)) != FTP_OK)
		return r;
	for (line = *text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		e.line++;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		e.value = "";
		if ((eq = strchr(line, '=')) != NULL) {
			*eq = '\0';
			e.value = trim(eq + 1);
		}
		e.key = trim(line);
		if (*e.key == '\0') {
			snprintf(why, CONFIG_WHY_MAX, "%s:%u: expected key = "
			    "value", path, e.line);
			return FTP_E_USAGE;
		}
		if ((r = fn(&e, arg, why)) != FTP_OK)
			return r;
	}
	return FTP_OK;
}
