/*
 * net.c - HOST:PORT parsing, listening, connecting and accepting.
 *
 * Ports are numeric only (no service names) and hosts go through
 * getaddrinfo(), so names, IPv4 and IPv6 literals all work.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "net.h"

/* Longest poll(2) wait we ask for, in seconds: 23 days still fits an int of
 * milliseconds. */
#define NET_WAIT_MAX_S 2000000u

/* Digits only, at most 5 of them, value 0..65535. */
static bool
port_valid(const char *p, size_t n)
{
	unsigned v = 0;

	if (n == 0 || n >= NET_PORT_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return v <= 65535;
}

/* Characters of host names and address literals ('%' for IPv6 zones). */
static bool
host_valid(const char *h, size_t n, bool v6)
{
	if (n == 0 || n >= NET_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
			continue;
		if (v6 && (c == ':' || c == '%'))
			continue;
		return false;
	}
	return true;
}

static int
copy_parts(const char *h, size_t hn, bool v6, const char *p, size_t pn,
	   char host[NET_HOST_MAX], char port[NET_PORT_MAX])
{
	if (!host_valid(h, hn, v6) || !port_valid(p, pn))
		return FTP_E_ADDRESS;
	memcpy(host, h, hn);
	host[hn] = '\0';
	memcpy(port, p, pn);
	port[pn] = '\0';
	return FTP_OK;
}

int
net_split_hostport(const char *s, const char *default_port,
		   char host[NET_HOST_MAX], char port[NET_PORT_MAX])
{
	const char *close, *colon;
	size_t dn;

	if (s == NULL || default_port == NULL)
		return FTP_E_ADDRESS;
	dn = strnlen(default_port, NET_PORT_MAX);
	if (s[0] == '[') {
		if ((close = strchr(s, ']')) == NULL)
			return FTP_E_ADDRESS;
		if (close[1] == '\0')
			return copy_parts(s + 1, (size_t)(close - s - 1), true,
					  default_port, dn, host, port);
		if (close[1] != ':')
			return FTP_E_ADDRESS;
		return copy_parts(s + 1, (size_t)(close - s - 1), true,
				  close + 2, strlen(close + 2), host, port);
	}
	if ((colon = strchr(s, ':')) == NULL)
		return copy_parts(s, strlen(s), false, default_port, dn, host,
				  port);
	/* Two colons or more: a bare IPv6 literal, without a port. */
	if (strchr(colon + 1, ':') != NULL)
		return copy_parts(s, strlen(s), true, default_port, dn, host,
				  port);
	return copy_parts(s, (size_t)(colon - s), false, colon + 1,
			  strlen(colon + 1), host, port);
}

/* getaddrinfo() failures as error codes. */
static int
gai_err(int g)
{
	switch (g) {
	case EAI_MEMORY: return FTP_E_NOMEM;
	case EAI_SYSTEM: return ftp_err_from_errno(errno);
	case EAI_AGAIN: case EAI_FAIL: return FTP_E_NETWORK;
	default: return FTP_E_ADDRESS;
	}
}

static int
resolve(const char *host, const char *port, int flags, struct addrinfo **res)
{
	struct addrinfo hints = { 0 };
	int g;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = flags | AI_NUMERICSERV;
	if ((g = getaddrinfo(host, port, &hints, res)) != 0)
		return gai_err(g);
	return FTP_OK;
}

static unsigned
sock_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

/* One listening socket for ai, or -1 with errno set. */
static int
listen_one(const struct addrinfo *ai, int backlog)
{
	int fd, one = 1, e, v6 = ai->ai_family == AF_INET6;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			      sizeof(one)) != 0) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, backlog) != 0) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
net_listen(const char *host, const char *port, int backlog, int *fd,
	   unsigned *bound_port)
{
	struct addrinfo *res, *ai;
	int r, s = -1, e = EADDRNOTAVAIL;

	if (host != NULL && host[0] == '\0')
		host = NULL;
	if ((r = resolve(host, port, AI_PASSIVE, &res)) != FTP_OK)
		return r;
	for (ai = res; ai != NULL && s < 0; ai = ai->ai_next)
		if ((s = listen_one(ai, backlog)) < 0)
			e = errno;
	freeaddrinfo(res);
	if (s < 0) {
		errno = e;
		return ftp_err_from_errno(e);
	}
	*fd = s;
	if (bound_port != NULL)
		*bound_port = sock_port(s);
	return FTP_OK;
}

/* Waits for a non-blocking connect to finish; 0 or an errno value. */
static int
connect_wait(int fd, unsigned timeout_s)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	unsigned s = timeout_s < NET_WAIT_MAX_S ? timeout_s : NET_WAIT_MAX_S;
	int ms = timeout_s > 0 ? (int)s * 1000 : -1, n, err = 0;
	socklen_t len = sizeof(err);

	if ((n = poll(&p, 1, ms)) < 0)
		return errno;
	if (n == 0)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	return err;
}

/* A connected blocking socket for ai, or -1 with errno set. */
static int
connect_one(const struct addrinfo *ai, unsigned timeout_s)
{
	int fd, e = 0, one = 1, fl;

	fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		e = errno == EINPROGRESS ? connect_wait(fd, timeout_s) : errno;
	if (e == 0 && ((fl = fcntl(fd, F_GETFL)) < 0 ||
		       fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
		       setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				  sizeof(one)) != 0))
		e = errno;
	if (e != 0) {
		(void)close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
net_connect(const char *host, const char *port, unsigned timeout_s, int *fd)
{
	struct addrinfo *res, *ai;
	int r, s = -1, e = EADDRNOTAVAIL;

	if ((r = resolve(host, port, 0, &res)) != FTP_OK)
		return r;
	for (ai = res; ai != NULL && s < 0; ai = ai->ai_next)
		if ((s = connect_one(ai, timeout_s)) < 0)
			e = errno;
	freeaddrinfo(res);
	if (s >= 0) {
		*fd = s;
		return FTP_OK;
	}
	errno = e;
	r = ftp_err_from_errno(e);
	/* Whatever else stopped it, the caller could not connect. */
	return r == FTP_E_SYSTEM || r == FTP_E_BAD_PATH ? FTP_E_CONNECT : r;
}

int
net_accept(int lfd, int *fd, char peer[NET_ADDR_STR])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int s;

	s = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (s < 0) {
		switch (errno) {
		/* Nothing to accept now, or the connection died before we
		 * took it (accept(2) says to retry on the network errors). */
		case EINTR: case EAGAIN: case ECONNABORTED: case EPROTO:
		case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN: case ENONET:
		case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
			return FTP_E_AGAIN;
		default:
			return FTP_E_SYSTEM;
		}
	}
	*fd = s;
	if (peer != NULL)
		net_format_addr((struct sockaddr *)&ss, len, peer);
	return FTP_OK;
}

void
net_format_addr(const struct sockaddr *sa, socklen_t len,
		char out[NET_ADDR_STR])
{
	/* Sized so "[host]:port" always fits out; an address whose zone name
	 * is too long for that fails getnameinfo() and prints as "?". */
	char host[NET_ADDR_STR - 9], serv[6];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		(void)snprintf(out, NET_ADDR_STR, "?");
		return;
	}
	if (sa->sa_family == AF_INET6)
		(void)snprintf(out, NET_ADDR_STR, "[%s]:%s", host, serv);
	else
		(void)snprintf(out, NET_ADDR_STR, "%s:%s", host, serv);
}

bool
net_addr_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6;
	const struct sockaddr_in *s4;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	s6 = (const struct sockaddr_in6 *)sa;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
	    s6->sin6_addr.s6_addr[12] == 127;
}

int
net_host_loopback(const char *host, const char *port, bool listening,
		  char other[NET_ADDR_STR])
{
	struct addrinfo *res, *ai;
	int r;

	other[0] = '\0';
	r = resolve(host, port, listening ? AI_PASSIVE : 0, &res);
	if (r != FTP_OK)
		return r;
	for (ai = res; ai != NULL && r == FTP_OK; ai = ai->ai_next)
		if (!net_addr_is_loopback(ai->ai_addr)) {
			net_format_addr(ai->ai_addr, ai->ai_addrlen, other);
			r = FTP_E_DENIED;
		}
	freeaddrinfo(res);
	return r;
}
