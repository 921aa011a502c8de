/*
 * tls_none.c - the TLS interface of tls.h in a build without OpenSSL
 * (-DFTP_WITH_TLS=OFF): every call fails with FTP_E_UNSUPPORTED and says
 * TLS_UNSUPPORTED_MSG, so the programs need no #ifdef to refuse TLS options.
 */
#include <stdio.h>
#include <unistd.h>

#include "conn.h"
#include "err.h"
#include "tls.h"

static int
unsupported(char errbuf[TLS_ERR_MAX])
{
	snprintf(errbuf, TLS_ERR_MAX, "%s", TLS_UNSUPPORTED_MSG);
	return FTP_E_UNSUPPORTED;
}

bool
tls_supported(void)
{
	return false;
}

int
tls_server_config(const struct tls_server_opts *o, struct tls_config **out,
		  char errbuf[TLS_ERR_MAX])
{
	(void)o;
	*out = NULL;
	return unsupported(errbuf);
}

int
tls_client_config(const struct tls_client_opts *o, struct tls_config **out,
		  char errbuf[TLS_ERR_MAX])
{
	(void)o;
	*out = NULL;
	return unsupported(errbuf);
}

void
tls_config_free(struct tls_config *cfg)
{
	(void)cfg;
}

bool
tls_config_verifies(const struct tls_config *cfg)
{
	(void)cfg;
	return false;
}

int
tls_server_accept(const struct tls_config *cfg, int fd, unsigned timeout_s,
		  struct conn **out, char subject[TLS_SUBJECT_MAX],
		  char errbuf[TLS_ERR_MAX])
{
	(void)cfg;
	(void)timeout_s;
	(void)out;
	subject[0] = '\0';
	(void)close(fd);
	return unsupported(errbuf);
}

int
tls_client_connect(const struct tls_config *cfg, int fd, const char *host,
		   unsigned timeout_s, struct conn **out,
		   char errbuf[TLS_ERR_MAX])
{
	(void)cfg;
	(void)host;
	(void)timeout_s;
	(void)out;
	(void)close(fd);
	return unsupported(errbuf);
}

void
tls_thread_end(void)
{
}

void
tls_conn_info(const struct conn *c, char info[TLS_INFO_MAX])
{
	(void)c;
	info[0] = '\0';
}

const char *
tls_conn_error(const struct conn *c)
{
	(void)c;
	return NULL;
}
