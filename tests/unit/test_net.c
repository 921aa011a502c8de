/*
 * test_net.c - HOST:PORT parsing, and listen/connect/accept on loopback
 * over IPv4 and IPv6.
 */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "net.h"

struct split_case {
	const char *in;
	const char *host; /* NULL: must be rejected */
	const char *port;
};

static const struct split_case split_cases[] = {
	{ "localhost", "localhost", "2121" },
	{ "localhost:21", "localhost", "21" },
	{ "127.0.0.1:0", "127.0.0.1", "0" },
	{ "example.com:65535", "example.com", "65535" },
	{ "[::1]", "::1", "2121" },
	{ "[::1]:8080", "::1", "8080" },
	{ "[fe80::1%eth0]:22", "fe80::1%eth0", "22" },
	{ "::1", "::1", "2121" },
	{ "a-b_c.d", "a-b_c.d", "2121" },
	{ "", NULL, NULL },
	{ ":21", NULL, NULL },
	{ "host:", NULL, NULL },
	{ "host:65536", NULL, NULL },
	{ "host:99999", NULL, NULL },
	{ "host:123456", NULL, NULL },
	{ "host:-1", NULL, NULL },
	{ "host:+1", NULL, NULL },
	{ "host:ftp", NULL, NULL },
	{ "host:21x", NULL, NULL },
	{ "host: 21", NULL, NULL },
	{ "ho st", NULL, NULL },
	{ "host/x", NULL, NULL },
	{ "[::1", NULL, NULL },
	{ "[::1]x", NULL, NULL },
	{ "[::1]:", NULL, NULL },
	{ "[::1]:port", NULL, NULL },
	{ "[]", NULL, NULL },
	{ "[]:21", NULL, NULL },
	{ "[[::1]]", NULL, NULL },
	{ "[::1]:21:22", NULL, NULL },
};

START_TEST(test_split_hostport)
{
	const struct split_case *c = &split_cases[_i];
	char host[NET_HOST_MAX], port[NET_PORT_MAX];
	int r = net_split_hostport(c->in, "2121", host, port);

	if (c->host == NULL) {
		ck_assert_msg(r == FTP_E_ADDRESS, "\"%s\" accepted", c->in);
		return;
	}
	ck_assert_msg(r == FTP_OK, "\"%s\" rejected", c->in);
	ck_assert_str_eq(host, c->host);
	ck_assert_str_eq(port, c->port);
}
END_TEST

START_TEST(test_split_limits)
{
	char host[NET_HOST_MAX], port[NET_PORT_MAX];
	char longhost[NET_HOST_MAX + 8];

	memset(longhost, 'h', NET_HOST_MAX - 1);
	longhost[NET_HOST_MAX - 1] = '\0';
	ck_assert_int_eq(net_split_hostport(longhost, "1", host, port), FTP_OK);
	ck_assert_uint_eq(strlen(host), NET_HOST_MAX - 1);
	longhost[NET_HOST_MAX - 1] = 'h';
	longhost[NET_HOST_MAX] = '\0';
	ck_assert_int_eq(net_split_hostport(longhost, "1", host, port),
			 FTP_E_ADDRESS);
	ck_assert_int_eq(net_split_hostport("h", "", host, port),
			 FTP_E_ADDRESS);
	ck_assert_int_eq(net_split_hostport("h", "123456", host, port),
			 FTP_E_ADDRESS);
}
END_TEST

static int
sock_int_opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

/* Listens on host:0, connects, accepts, and passes a byte each way. */
static void
loopback_round_trip(const char *host, const char *peer_prefix)
{
	int lfd, cfd, sfd, fl;
	unsigned port;
	char ports[NET_PORT_MAX], peer[NET_ADDR_STR];
	char c = 'x';

	ck_assert_int_eq(net_listen(host, "0", 16, &lfd, &port), FTP_OK);
	ck_assert_uint_gt(port, 0);
	ck_assert_int_ne(fcntl(lfd, F_GETFD) & FD_CLOEXEC, 0);
	snprintf(ports, sizeof(ports), "%u", port);
	ck_assert_int_eq(net_connect(host, ports, 5, &cfd), FTP_OK);
	ck_assert_int_eq(net_accept(lfd, &sfd, peer), FTP_OK);
	ck_assert_msg(strncmp(peer, peer_prefix, strlen(peer_prefix)) == 0,
		      "peer %s", peer);
	ck_assert_int_ne(fcntl(sfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_ne(fcntl(cfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq((fl = fcntl(cfd, F_GETFL)) & O_NONBLOCK, 0);
	ck_assert_int_ne(sock_int_opt(cfd, IPPROTO_TCP, TCP_NODELAY), 0);
	ck_assert_int_eq(write(cfd, &c, 1), 1);
	c = 0;
	ck_assert_int_eq(read(sfd, &c, 1), 1);
	ck_assert_int_eq(c, 'x');
	close(sfd);
	close(cfd);
	close(lfd);
}

START_TEST(test_loopback_v4)
{
	loopback_round_trip("127.0.0.1", "127.0.0.1:");
}
END_TEST

START_TEST(test_loopback_v6)
{
	int lfd;
	unsigned port;

	loopback_round_trip("::1", "[::1]:");
	ck_assert_int_eq(net_listen("::1", "0", 16, &lfd, &port), FTP_OK);
	ck_assert_int_eq(sock_int_opt(lfd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	close(lfd);
}
END_TEST

START_TEST(test_accept_nothing_pending)
{
	int lfd, fd = -1;
	unsigned port;
	char peer[NET_ADDR_STR];

	ck_assert_int_eq(net_listen("127.0.0.1", "0", 16, &lfd, &port), FTP_OK);
	ck_assert_int_eq(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(net_accept(lfd, &fd, peer), FTP_E_AGAIN);
	ck_assert_int_eq(fd, -1);
	close(lfd);
}
END_TEST

START_TEST(test_port_in_use_and_refused)
{
	int lfd, lfd2, cfd;
	unsigned port, port2;
	char ports[NET_PORT_MAX];

	ck_assert_int_eq(net_listen("127.0.0.1", "0", 16, &lfd, &port), FTP_OK);
	snprintf(ports, sizeof(ports), "%u", port);
	ck_assert_int_ne(net_listen("127.0.0.1", ports, 16, &lfd2, &port2),
			 FTP_OK);
	close(lfd);
	/* Nobody listens there now. */
	ck_assert_int_eq(net_connect("127.0.0.1", ports, 5, &cfd),
			 FTP_E_CONNECT);
}
END_TEST

START_TEST(test_format_addr)
{
	struct sockaddr_in in4 = { 0 };
	struct sockaddr_in6 in6 = { 0 };
	char out[NET_ADDR_STR];

	in4.sin_family = AF_INET;
	in4.sin_port = htons(80);
	ck_assert_int_eq(inet_pton(AF_INET, "10.1.2.3", &in4.sin_addr), 1);
	net_format_addr((struct sockaddr *)&in4, sizeof(in4), out);
	ck_assert_str_eq(out, "10.1.2.3:80");
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(2121);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::7", &in6.sin6_addr), 1);
	net_format_addr((struct sockaddr *)&in6, sizeof(in6), out);
	ck_assert_str_eq(out, "[2001:db8::7]:2121");
}
END_TEST

/* Which addresses count as loopback (anonymous service and plaintext
 * passwords are allowed there only). */
START_TEST(test_is_loopback)
{
	static const struct { const char *a; bool lo; } cases[] = {
		{ "127.0.0.1", true }, { "127.255.0.9", true },
		{ "128.0.0.1", false }, { "10.0.0.1", false },
		{ "0.0.0.0", false }, { "::1", true }, { "::", false },
		{ "::ffff:127.0.0.2", true }, { "::ffff:10.0.0.1", false },
		{ "fe80::1", false },
	};
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *ai;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(getaddrinfo(cases[i].a, "1", &hints, &ai), 0);
		ck_assert_msg(net_addr_is_loopback(ai->ai_addr) == cases[i].lo,
		    "%s", cases[i].a);
		freeaddrinfo(ai);
	}
}
END_TEST

/* Where ftpc may send a password without TLS, and ftpd serve anonymously:
 * every address a host resolves to must be loopback. */
START_TEST(test_host_loopback)
{
	static const char *const local[] = { "127.0.0.1", "127.1.2.3",
		"127.255.255.254", "::1", "::ffff:127.0.0.1" };
	static const char *const remote[] = { "192.0.2.1", "0.0.0.0", "::",
		"10.0.0.1", "128.0.0.1", "::ffff:192.0.2.1", "::2",
		"2001:db8::1" };
	char addr[NET_ADDR_STR];

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		ck_assert_msg(net_host_loopback(local[i], "2121", false, addr) ==
		    FTP_OK, "%s", local[i]);
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		ck_assert_msg(net_host_loopback(remote[i], "2121", false, addr) ==
		    FTP_E_DENIED, "%s", remote[i]);
	ck_assert_int_eq(net_host_loopback("192.0.2.1", "21", false, addr),
	    FTP_E_DENIED);
	ck_assert_str_eq(addr, "192.0.2.1:21");
	ck_assert_int_ne(net_host_loopback("no such host.invalid", "21",
	    false, addr), FTP_OK);
}
END_TEST

static Suite *
net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_split_hostport, 0,
			    (int)(sizeof(split_cases) /
				  sizeof(split_cases[0])));
	tcase_add_test(tc, test_split_limits);
	tcase_add_test(tc, test_loopback_v4);
	tcase_add_test(tc, test_loopback_v6);
	tcase_add_test(tc, test_accept_nothing_pending);
	tcase_add_test(tc, test_port_in_use_and_refused);
	tcase_add_test(tc, test_format_addr);
	tcase_add_test(tc, test_is_loopback);
	tcase_add_test(tc, test_host_loopback);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(net_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
