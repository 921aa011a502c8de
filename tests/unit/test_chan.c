/*
 * test_chan.c - framed channels over a socketpair: frames of every size,
 * sendfile, and how the peer's close, a timeout and a wake-up surface.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"

#include "chan.h"
#include "err.h"
#include "proto_limits.h"
#include "msg.h"

static void
chan_pair_max(struct chan **a, struct chan **b, uint32_t frame_max)
{
	struct conn *ca, *cb;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	ck_assert_int_eq(conn_plain_new(sv[0], &ca), FTP_OK);
	ck_assert_int_eq(conn_plain_new(sv[1], &cb), FTP_OK);
	ck_assert_int_eq(chan_new(ca, frame_max, a), FTP_OK);
	ck_assert_int_eq(chan_new(cb, frame_max, b), FTP_OK);
}

static void
chan_pair(struct chan **a, struct chan **b)
{
	chan_pair_max(a, b, PROTO_FRAME_MAX);
}

/* Writes raw bytes on ch's transport, bypassing the framing. */
static void
send_raw_bytes(struct chan *ch, const void *p, size_t len)
{
	struct iovec iov = { (void *)(uintptr_t)p, len };

	ck_assert_int_eq(conn_send(chan_conn(ch), &iov, 1), FTP_OK);
}

static uint8_t
pattern(size_t i)
{
	return (uint8_t)(i * 31 + (i >> 9));
}

START_TEST(test_send_recv)
{
	struct msg_hello h = { PROTO_MAGIC, 1, 0, "test" }, h2;
	struct chan *a, *b;
	struct frame f;
	struct buf body;
	uint8_t raw[100];

	chan_pair(&a, &b);
	buf_init(&body, PROTO_CONTROL_MAX);
	ck_assert_int_eq(msg_put_hello(&body, &h), FTP_OK);
	ck_assert_int_eq(chan_send(a, PROTO_HELLO, 1, &body), FTP_OK);
	ck_assert_int_eq(chan_send(a, PROTO_OK, 2, NULL), FTP_OK);
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = pattern(i);
	ck_assert_int_eq(chan_send_raw(a, PROTO_DATA, 3, raw, sizeof(raw)),
			 FTP_OK);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_HELLO);
	ck_assert_uint_eq(f.id, 1);
	ck_assert_int_eq(msg_get_hello(&f.body, &h2), FTP_OK);
	ck_assert_str_eq(h2.software, "test");
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_OK);
	ck_assert_uint_eq(buf_len(&f.body), 0);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_DATA);
	ck_assert_uint_eq(f.id, 3);
	ck_assert_mem_eq(buf_ptr(&f.body), raw, sizeof(raw));
	ck_assert(!chan_readable(b));
	buf_free(&body);
	chan_free(a);
	chan_free(b);
}
END_TEST

START_TEST(test_readable)
{
	struct chan *a, *b;
	struct frame f;

	chan_pair(&a, &b);
	ck_assert(!chan_readable(b));
	ck_assert_int_eq(chan_send(a, PROTO_OK, 1, NULL), FTP_OK);
	ck_assert_int_eq(chan_send(a, PROTO_OK, 2, NULL), FTP_OK);
	ck_assert(chan_readable(b));
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert(chan_readable(b));
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.id, 2);
	ck_assert(!chan_readable(b));
	chan_free(a);
	ck_assert(chan_readable(b)); /* the close */
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_CLOSED);
	chan_free(b);
}
END_TEST

/* In a child: sends a 1 MiB DATA frame then END, exits 0 on success. */
static void
child_send_big(struct chan *a)
{
	uint8_t *big = malloc(PROTO_FRAME_MAX);
	struct buf end;
	struct msg_end e = { PROTO_FRAME_MAX, false, 0 };
	int r;

	if (big == NULL)
		_exit(2);
	for (size_t i = 0; i < PROTO_FRAME_MAX; i++)
		big[i] = pattern(i);
	buf_init(&end, 8);
	r = chan_send_raw(a, PROTO_DATA, 7, big, PROTO_FRAME_MAX);
	if (r == FTP_OK && (r = msg_put_end(&end, &e)) == FTP_OK)
		r = chan_send(a, PROTO_END, 7, &end);
	_exit(r == FTP_OK ? 0 : 1);
}

static void
wait_child_ok(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

START_TEST(test_one_mib_frame)
{
	struct chan *a, *b;
	struct msg_end e;
	struct frame f;
	pid_t pid;

	chan_pair(&a, &b);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0)
		child_send_big(a);
	chan_free(a);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_DATA);
	ck_assert_uint_eq(buf_len(&f.body), PROTO_FRAME_MAX);
	for (size_t i = 0; i < PROTO_FRAME_MAX; i++)
		if (buf_ptr(&f.body)[i] != pattern(i))
			ck_abort_msg("byte %zu differs", i);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_END);
	ck_assert_int_eq(msg_get_end(&f.body, &e, false), FTP_OK);
	ck_assert_uint_eq(e.count, PROTO_FRAME_MAX);
	chan_shrink(b);
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_CLOSED);
	wait_child_ok(pid);
	chan_free(b);
}
END_TEST

START_TEST(test_send_too_large)
{
	struct chan *a, *b;
	static uint8_t byte;

	chan_pair(&a, &b);
	ck_assert_int_eq(chan_send_raw(a, PROTO_DATA, 1, &byte,
				       PROTO_FRAME_MAX + 1),
			 FTP_E_FRAME_SIZE);
	ck_assert(!chan_readable(b));
	chan_free(a);
	chan_free(b);
}
END_TEST

/* A temporary file of len pattern bytes, already unlinked. */
static int
temp_file(size_t len)
{
	char path[] = "/tmp/test_chan.XXXXXX";
	uint8_t *p = malloc(len);
	int fd = mkstemp(path);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unlink(path), 0);
	for (size_t i = 0; i < len; i++)
		p[i] = pattern(i);
	ck_assert_int_eq(write(fd, p, len), (ssize_t)len);
	free(p);
	return fd;
}

#define FILE_LEN 300000
#define FILE_OFF 1000
#define FILE_PART 250000

/* In a child: a good DATA frame from the file, then one that runs past
 * its end; exits 0 if both calls answered as they should. */
static void
child_send_file(struct chan *a, int fd)
{
	int ok = chan_send_file(a, 9, fd, FILE_OFF, FILE_PART) == FTP_OK &&
		 chan_send_file(a, 9, fd, 0, 0) == FTP_OK &&
		 chan_send_file(a, 9, fd, FILE_LEN - 10, 20) == FTP_E_CHANGED;

	_exit(ok ? 0 : 1);
}

START_TEST(test_send_file)
{
	struct chan *a, *b;
	struct frame f;
	int fd = temp_file(FILE_LEN);
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	chan_pair(&a, &b);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0)
		child_send_file(a, fd);
	chan_free(a);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_DATA);
	ck_assert_uint_eq(f.id, 9);
	ck_assert_uint_eq(buf_len(&f.body), FILE_PART);
	for (size_t i = 0; i < FILE_PART; i++)
		if (buf_ptr(&f.body)[i] != pattern(FILE_OFF + i))
			ck_abort_msg("byte %zu differs", i);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(buf_len(&f.body), 0);
	/* The short frame: 10 of 20 bytes, then the sender is gone. */
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_PROTOCOL);
	wait_child_ok(pid);
	close(fd);
	chan_free(b);
}
END_TEST

START_TEST(test_close_mid_frame)
{
	struct chan *a, *b;
	struct frame f;
	struct buf h;

	/* _i bytes of a frame whose header announces a 4-byte body. */
	buf_init(&h, 64);
	ck_assert_int_eq(frame_put_header(&h, PROTO_END, 0, 1, 4), FTP_OK);
	ck_assert_int_eq(buf_put_u32(&h, 0), FTP_OK);
	chan_pair(&a, &b);
	send_raw_bytes(a, buf_ptr(&h), (size_t)_i);
	chan_free(a);
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_PROTOCOL);
	chan_free(b);
	buf_free(&h);
}
END_TEST

START_TEST(test_close_between_frames)
{
	struct chan *a, *b;
	struct frame f;

	chan_pair(&a, &b);
	ck_assert_int_eq(chan_send(a, PROTO_QUIT, 5, NULL), FTP_OK);
	chan_free(a);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_QUIT);
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_CLOSED);
	chan_free(b);
}
END_TEST

START_TEST(test_timeout)
{
	struct chan *a, *b;
	struct frame f;

	chan_pair(&a, &b);
	ck_assert_int_eq(conn_set_timeout(chan_conn(b), 1), FTP_OK);
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_TIMEOUT);
	/* An idle channel stays usable after a timeout. */
	ck_assert_int_eq(chan_send(a, PROTO_OK, 3, NULL), FTP_OK);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.id, 3);
	chan_free(a);
	chan_free(b);
}
END_TEST

/* A deadline bounds the whole wait: a peer trickling a byte at a time,
 * each well within the transport's timeout, still runs out of it. */
START_TEST(test_deadline)
{
	struct chan *a, *b;
	struct frame f;
	uint8_t hdr[PROTO_HEADER_SIZE] = { 0, 0, 0, 0, PROTO_OK, 0, 0, 0, 0, 1 };
	pid_t pid;

	chan_pair(&a, &b);
	if ((pid = fork()) == 0) {
		/* Nine of the ten header bytes, one every 300 ms. */
		for (int i = 0; i < 9; i++) {
			send_raw_bytes(a, hdr + i, 1);
			usleep(300 * 1000);
		}
		_exit(0);
	}
	/* Only the child writes: without the deadline the read would end
	 * with the child, "closed mid-frame", not with a timeout. */
	chan_free(a);
	ck_assert_int_eq(conn_set_timeout(chan_conn(b), 5), FTP_OK);
	chan_set_deadline(b, 1);
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_TIMEOUT);
	wait_child_ok(pid);
	chan_free(b);
}
END_TEST

START_TEST(test_wake)
{
	struct chan *a, *b;
	struct frame f;

	chan_pair(&a, &b);
	conn_wake(chan_conn(b));
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_CLOSED);
	chan_free(a);
	chan_free(b);
}
END_TEST

START_TEST(test_send_error)
{
	struct chan *a, *b;
	struct msg_error m;
	struct frame f;

	chan_pair(&a, &b);
	ck_assert_int_eq(chan_send_error(a, 4, FTP_E_NOT_FOUND, NULL), FTP_OK);
	ck_assert_int_eq(chan_send_error(a, 0, FTP_E_FRAME_SIZE, "too big"),
			 FTP_OK);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.type, PROTO_ERROR);
	ck_assert_uint_eq(f.id, 4);
	ck_assert_int_eq(msg_get_error(&f.body, &m), FTP_OK);
	ck_assert_uint_eq(m.status, 2);
	ck_assert_str_eq(m.message, "no such file or directory");
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_uint_eq(f.id, PROTO_ID_CONNECTION);
	ck_assert_int_eq(msg_get_error(&f.body, &m), FTP_OK);
	ck_assert_uint_eq(m.status, 1);
	ck_assert_str_eq(m.message, "too big");
	/* Not UTF-8: the code's own message goes instead. */
	ck_assert_int_eq(chan_send_error(a, 6, FTP_E_DENIED, "bad \xFF"),
			 FTP_OK);
	ck_assert_int_eq(chan_recv(b, &f), FTP_OK);
	ck_assert_int_eq(msg_get_error(&f.body, &m), FTP_OK);
	ck_assert_uint_eq(m.status, 4);
	ck_assert_str_eq(m.message, "permission denied");
	ck_assert_int_eq(chan_send_error(a, 6, FTP_OK, NULL), FTP_E_BAD_VALUE);
	chan_free(a);
	chan_free(b);
}
END_TEST

START_TEST(test_decoder_errors_surface)
{
	struct chan *a, *b;
	struct frame f;
	struct buf h;

	chan_pair_max(&a, &b, 1000);
	buf_init(&h, 64);
	ck_assert_int_eq(frame_put_header(&h, PROTO_DATA, 0, 1, 1001), FTP_OK);
	send_raw_bytes(a, buf_ptr(&h), buf_len(&h));
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_FRAME_SIZE);
	chan_free(b);
	chan_free(a);
	chan_pair(&a, &b);
	buf_reset(&h);
	ck_assert_int_eq(frame_put_header(&h, 0x7F, 0, 1, 0), FTP_OK);
	send_raw_bytes(a, buf_ptr(&h), buf_len(&h));
	ck_assert_int_eq(chan_recv(b, &f), FTP_E_BAD_TYPE);
	buf_free(&h);
	chan_free(a);
	chan_free(b);
}
END_TEST

static Suite *
chan_suite(void)
{
	Suite *s = suite_create("chan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_send_recv);
	tcase_add_test(tc, test_readable);
	tcase_add_test(tc, test_one_mib_frame);
	tcase_add_test(tc, test_send_too_large);
	tcase_add_test(tc, test_send_file);
	tcase_add_loop_test(tc, test_close_mid_frame, 1,
			    PROTO_HEADER_SIZE + 4);
	tcase_add_test(tc, test_close_between_frames);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_deadline);
	tcase_add_test(tc, test_wake);
	tcase_add_test(tc, test_send_error);
	tcase_add_test(tc, test_decoder_errors_surface);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(chan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
