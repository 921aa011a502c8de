/*
 * password.h - where ftpc's password comes from: a file, the environment,
 * or the terminal with echo off.  Never the command line.
 *
 * The caller owns the buffer the password lands in and wipes it
 * (explicit_bzero) once the LOGIN frame is sent; copies made here are
 * wiped before these functions return.
 */
#ifndef FTPC_PASSWORD_H
#define FTPC_PASSWORD_H

#include <stddef.h>

#include "proto_limits.h"

/* The environment variable batch runs may give the password in. */
#define PW_ENV "FTPC_PASSWORD"

/* Room for the reason a password could not be had. */
#define PW_WHY_MAX 512

/*
 * The password for user@host into out, from the first source there is:
 *
 *  1. file, if not NULL (--password-file): its first line without the line
 *     end ("\n" or "\r\n").  It must be a regular file or a pipe, owned by
 *     us or root, and neither readable nor writable by group or others
 *     (as ssh demands of a private key): a password others can read is no
 *     secret, one they can write is not ours.  An empty file is refused.
 *  2. PW_ENV, if set and not empty.
 *  3. A prompt "Password for USER@HOST: " on /dev/tty, read with echo
 *     off; the terminal is restored on every path, a signal (Ctrl-C)
 *     included, after which the signal takes its course (ftpc dies of it;
 *     a stop, Ctrl-Z, stops it, and the prompt comes again on resuming).
 *
 * PW_ENV is always removed from the environment, its bytes overwritten
 * first (so /proc/PID/environ no longer shows it), whichever source was
 * used.  The password is at most PROTO_PASSWORD_MAX bytes of UTF-8 without
 * NUL.  FTP_OK, or an error with the reason in why: FTP_E_USAGE when no
 * source applies (no file, no PW_ENV, no terminal) or nothing was typed,
 * FTP_E_DENIED for a file with loose permissions, FTP_E_TOO_LARGE,
 * FTP_E_BAD_STRING, or the error of a failed system call.
 */
int pw_read(const char *file, const char *user, const char *host,
	    char out[PROTO_PASSWORD_MAX + 1], char why[PW_WHY_MAX]);

/* Only the file source of pw_read() (for the tests). */
int pw_read_file(const char *file, char out[PROTO_PASSWORD_MAX + 1],
		 char why[PW_WHY_MAX]);

#endif
