/*
 * net.h - addresses and sockets: parsing HOST:PORT, listening, connecting.
 */
#ifndef PROTO_NET_H
#define PROTO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define NET_HOST_MAX 256
#define NET_PORT_MAX 6
#define NET_ADDR_STR 64 /* "[v6addr]:port" */

/*
 * Splits "host", "host:port", "[v6]" or "[v6]:port" into host and port,
 * using default_port when none is given.  FTP_E_ADDRESS on bad syntax.
 */
int net_split_hostport(const char *s, const char *default_port,
		       char host[NET_HOST_MAX], char port[NET_PORT_MAX]);

/* A listening TCP socket on host:port (port "0" picks a free one), with
 * SO_REUSEADDR and close-on-exec.  *bound_port receives the port. */
int net_listen(const char *host, const char *port, int backlog, int *fd,
	       unsigned *bound_port);

/* A connected TCP socket (TCP_NODELAY), trying every address of host in
 * turn, each bounded by timeout_s seconds. */
int net_connect(const char *host, const char *port, unsigned timeout_s,
		int *fd);

/* accept4() with close-on-exec; *peer gets "addr:port" / "[addr]:port".
 * FTP_E_AGAIN if interrupted or no connection is pending; errors such as
 * EMFILE come back as FTP_E_SYSTEM with errno preserved. */
int net_accept(int lfd, int *fd, char peer[NET_ADDR_STR]);

/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool net_addr_is_loopback(const struct sockaddr *sa);

/* FTP_OK if every address host:port resolves to, as net_listen()
 * (listening) or net_connect() would use them, is loopback; FTP_E_DENIED,
 * with the first that is not in other, if one is not (a wildcard is not);
 * the resolution's error as net_connect() reports it otherwise. */
int net_host_loopback(const char *host, const char *port, bool listening,
		      char other[NET_ADDR_STR]);

/* Formats a socket address as above. */
void net_format_addr(const struct sockaddr *sa, socklen_t len,
		     char out[NET_ADDR_STR]);

#endif
