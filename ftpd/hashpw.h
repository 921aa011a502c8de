/*
 * hashpw.h - `ftpd --hash-password`: a password in, a users-file hash out.
 */
#ifndef FTPD_HASHPW_H
#define FTPD_HASHPW_H

/* Reads a password (from the terminal without echo, asked twice; or one
 * line of standard input when that is not a terminal) and prints its
 * yescrypt hash on standard output.  The exit status. */
int hashpw_main(void);

#endif
