/*
 * privs.c - the switch from root to the --user account.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "options.h"
#include "privs.h"

#define PRIVS_PWBUF 16384

int
privs_check(const struct config *cfg)
{
	if (geteuid() != 0) {
		if (cfg->run_as == NULL)
			return FTP_OK;
		log_msg("--user %s needs ftpd to be started as root", cfg->run_as);
		return FTP_E_USAGE;
	}
	if (cfg->run_as != NULL || cfg->allow_root)
		return FTP_OK;
	log_msg("refusing to serve as root: give --user NAME to drop to that "
	    "account once listening, or --allow-root");
	return FTP_E_USAGE;
}

int
privs_drop(const struct config *cfg)
{
	struct passwd pw, *found = NULL;
	char *buf;
	int e, r = FTP_E_SYSTEM;

	if (cfg->run_as == NULL)
		return FTP_OK;
	if ((buf = malloc(PRIVS_PWBUF)) == NULL)
		return FTP_E_NOMEM;
	e = getpwnam_r(cfg->run_as, &pw, buf, PRIVS_PWBUF, &found);
	if (found == NULL) {
		log_msg("--user %s: %s", cfg->run_as, e != 0 ? strerror(e) :
		    "no such user");
		goto out;
	}
	if (pw.pw_uid == 0 || pw.pw_gid == 0) {
		log_msg("--user %s: that account is root or in root's group",
		    cfg->run_as);
		goto out;
	}
	/* Groups first: once the uid changes, setgroups is no longer ours. */
	if (initgroups(pw.pw_name, pw.pw_gid) != 0 ||
	    setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) != 0 ||
	    setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0) {
		log_msg("cannot become %s: %s", cfg->run_as, strerror(errno));
		goto out;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		log_msg("still able to become root after dropping to %s",
		    cfg->run_as);
		goto out;
	}
	/* No setuid program we might ever exec could hand root back. */
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* setresuid() cleared it; the daemon stays killable by its owner
	 * but must not dump a core holding TLS keys. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	log_msg("running as %s (uid %u, gid %u)", pw.pw_name,
	    (unsigned)pw.pw_uid, (unsigned)pw.pw_gid);
	r = FTP_OK;
out:
	free(buf);
	return r;
}
