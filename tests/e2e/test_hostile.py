"""test_hostile.py - malformed and abandoned connections hurt no one else.

Each hostile connection must get an ERROR (PROTOCOL or VERSION, id 0 or the
HELLO's id) and/or be closed, while a well-behaved client that connected
before it still gets correct data afterwards.  Hundreds of such connections
must not make the daemon grow: its RSS after 200 rounds stays within 20 MiB
of its RSS after the first 20.

Also: a frame that is illegal in its state is refused at its header, before
its body is buffered (50 connections announcing 1 MiB DATA bodies before
HELLO must not cost 50 MiB); strings over their field's limit are protocol
errors; and HELLO has a deadline that a client trickling bytes cannot push
back (docs/PROTOCOL.md sections 3, 5, 6 and 9).
"""

import os
import random
import select
import struct
import time
import unittest

import harness
from harness import (DATA, END, GET, HELLO, LIST, MIB, QUIT, S_PROTOCOL,
                     S_TIMEOUT, S_VERSION, CONNECTION_STATUSES, E2ETestCase,
                     RawClient, ServerError, hello_body, p_string)

HELD_SIZE = 700 * 1024  # several DATA frames
BIG_SIZE = 16 * MIB  # larger than any socket buffer

# Connections held at once, each having announced a DATA body of HOLD_BODY
# bytes before HELLO; the daemon may grow by at most HOLD_SLACK_KIB meanwhile
# (buffering the bodies would cost HOLD_CONNS MiB).
HOLD_CONNS = 50
HOLD_BODY = 1 * MIB
HOLD_SLACK_KIB = 8 * 1024

SOFTWARE_MAX = 64  # HELLO software string (section 5)
PATH_MAX = 4096  # path string (sections 5 and 7)
HELLO_DEADLINE = 10  # seconds to receive HELLO (section 6)
# How long the trickling client waits for its ERROR TIMEOUT: the deadline
# plus slack.  A timeout so that a daemon without the deadline fails the
# test instead of hanging it, not a statement about speed.
HELLO_DEADLINE_BOUND = HELLO_DEADLINE + 10 * harness.SCALE


def _connect(srv):
    return RawClient(srv.port)


def bad_length_before_hello(srv):
    with _connect(srv) as c:
        c.send_frame(HELLO, 1, length=0xFFFFFFFF)
        c.expect_refusal((S_PROTOCOL,), (0, 1))


def bad_length_after_hello(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(DATA, c.take_id(), length=0xFFFFFFFF)
        c.expect_refusal((S_PROTOCOL,), (0,))


def control_frame_too_long(srv):
    # One byte over the 64 KiB limit for a non-DATA frame, no body sent:
    # the length alone must be refused.
    with _connect(srv) as c:
        c.hello()
        c.send_frame(LIST, c.take_id(), length=64 * 1024 + 1)
        c.expect_refusal((S_PROTOCOL,), (0,))


def truncated_frame(srv):
    with _connect(srv) as c:
        body = hello_body()
        c.send_raw(harness.HEADER.pack(len(body), HELLO, 0, 1) + body[:5])
    # nothing to read: the daemon must simply drop it


def truncated_header(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_raw(b'\x00\x00\x00')


def data_before_hello(srv):
    with _connect(srv) as c:
        c.send_frame(DATA, 1)
        c.expect_refusal((S_PROTOCOL,), (0,))


def list_before_hello(srv):
    with _connect(srv) as c:
        c.send_frame(LIST, 1, p_string(''))
        c.expect_refusal((S_PROTOCOL,), (0,))


def random_bytes(srv, seed=1):
    rng = random.Random(seed)
    junk = bytes(rng.getrandbits(8) for _ in range(4096)) * 256  # 1 MiB
    with _connect(srv) as c:
        try:
            c.send_raw(junk)
        except (BrokenPipeError, ConnectionResetError):
            return  # closed on us mid-way: allowed
        # The daemon may already have reset the connection, losing the
        # ERROR it sent: an ERROR is optional here, closing is not.
        c.expect_refusal((S_PROTOCOL,), (0,), require_error=False)


def bad_magic(srv):
    with _connect(srv) as c:
        c.send_frame(HELLO, 1, hello_body(magic=0x46545047))
        c.expect_refusal((S_PROTOCOL,), (0, 1))


def http_request(srv):
    with _connect(srv) as c:
        c.send_raw(b'GET / HTTP/1.0\r\n\r\n')
        c.expect_refusal((S_PROTOCOL,), (0,), require_error=False)


def version_2(srv):
    with _connect(srv) as c:
        c.send_frame(HELLO, 7, hello_body(version=2))
        c.expect_refusal((S_VERSION,), (0, 7))


def hello_id_zero(srv):
    with _connect(srv) as c:
        c.send_frame(HELLO, 0, hello_body())
        c.expect_refusal((S_PROTOCOL,), (0,))


def same_id_twice(srv):
    with _connect(srv) as c:
        c.hello(fid=5)
        c.send_frame(LIST, 5, p_string(''))
        c.expect_refusal((S_PROTOCOL,), (0,))


def decreasing_id(srv):
    with _connect(srv) as c:
        c.hello(fid=5)
        c.list('')  # id 6
        c.send_frame(LIST, 3, p_string(''))
        c.expect_refusal((S_PROTOCOL,), (0,))


def trailing_bytes_in_list(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(LIST, c.take_id(), p_string('') + b'\x00')
        c.expect_refusal((S_PROTOCOL,), (0,))


def short_get(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(GET, c.take_id(), p_string('held') + b'\x00\x00')
        c.expect_refusal((S_PROTOCOL,), (0,))


def bad_utf8_path(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(LIST, c.take_id(), p_string(b'\xc0\xaf'))  # overlong /
        c.expect_refusal((S_PROTOCOL,), (0,))


def nul_in_path(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(GET, c.take_id(),
                     p_string(b'held\x00x') + struct.pack('>Q', 0))
        c.expect_refusal((S_PROTOCOL,), (0,))


def unknown_type(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(0x7F, c.take_id())
        c.expect_refusal((S_PROTOCOL,), (0,))


def reply_type_from_client(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(harness.OK, c.take_id())
        c.expect_refusal((S_PROTOCOL,), (0,))


def end_outside_put(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(END, c.take_id(), struct.pack('>Q', 0))
        c.expect_refusal((S_PROTOCOL,), (0,))


def nonzero_flags(srv):
    with _connect(srv) as c:
        c.hello()
        c.send_frame(QUIT, c.take_id(), flags=1)
        c.expect_refusal((S_PROTOCOL,), (0,))


def put_wrong_id_data(srv):
    with _connect(srv) as c:
        c.hello()
        fid = c.put_begin('never', 10)
        c.send_frame(DATA, fid + 1, b'0123456789')
        c.expect_refusal((S_PROTOCOL,), (0,))


def put_too_much_data(srv):
    with _connect(srv) as c:
        c.hello()
        fid = c.put_begin('never', 4)
        c.send_frame(DATA, fid, b'0123456789')
        c.expect_refusal((S_PROTOCOL,), (0,))


def put_wrong_end_count(srv):
    with _connect(srv) as c:
        c.hello()
        fid = c.put_begin('never', 4)
        c.send_frame(DATA, fid, b'0123')
        c.send_frame(END, fid, struct.pack('>Q', 3))
        c.expect_refusal((S_PROTOCOL,), (0,))


def put_short_then_end(srv):
    with _connect(srv) as c:
        c.hello()
        fid = c.put_begin('never', 10)
        c.send_frame(DATA, fid, b'0123')
        c.send_frame(END, fid, struct.pack('>Q', 4))
        c.expect_refusal((S_PROTOCOL,), (0,))


def data_frame_too_long(srv):
    with _connect(srv) as c:
        c.hello()
        fid = c.put_begin('never', 4 * MIB)
        c.send_frame(DATA, fid, length=c.limits[1] + 1)
        c.expect_refusal((S_PROTOCOL,), (0,))


def overlong_list_path(srv):
    # 5,000 bytes: over the path field's 4,096-byte limit, well under the
    # 64 KiB frame limit, so only the string's own limit can refuse it.
    with _connect(srv) as c:
        c.hello()
        c.send_frame(LIST, c.take_id(), p_string('a' * 5000))
        c.expect_refusal((S_PROTOCOL,), (0,))


def overlong_software(srv):
    # 100 bytes: over the software field's 64-byte limit.
    with _connect(srv) as c:
        c.send_frame(HELLO, 1, hello_body(software='s' * 100))
        c.expect_refusal((S_PROTOCOL,), (0,))


def vanish_mid_put(srv):
    with _connect(srv) as c:
        c.hello()
        fid = c.put_begin('never', 2 * MIB)
        c.put_data(fid, os.urandom(MIB))


def vanish_mid_get(srv):
    with _connect(srv) as c:
        c.hello()
        info, _ = c.get('big', stop_after=1)
        if info.size != BIG_SIZE:
            raise AssertionError('FILE size %d' % info.size)


def vanish_after_hello(srv):
    with _connect(srv) as c:
        c.hello()


# Cases whose connections end in an ERROR or a close; the RSS rounds cycle
# through all of them.
CASES = [
    bad_length_before_hello, bad_length_after_hello, control_frame_too_long,
    truncated_frame, truncated_header, data_before_hello, list_before_hello,
    random_bytes, bad_magic, http_request, version_2, hello_id_zero,
    same_id_twice, decreasing_id, trailing_bytes_in_list, short_get,
    bad_utf8_path, nul_in_path, unknown_type, reply_type_from_client,
    end_outside_put, nonzero_flags, put_wrong_id_data, put_too_much_data,
    put_wrong_end_count, put_short_then_end, data_frame_too_long,
    overlong_list_path, overlong_software, vanish_mid_put, vanish_mid_get,
    vanish_after_hello,
]


def _readable(c):
    """True once the daemon has sent something (or closed): never blocks."""
    return bool(select.select([c.sock], [], [], 0)[0])


def data_header_before_hello(port, sent):
    """A connection whose first frame is a DATA header announcing HOLD_BODY
    bytes, followed by sent bytes of that body (never all of it, so a daemon
    that buffers the body waits for the rest and holds what came)."""
    c = RawClient(port)
    try:
        c.send_raw(harness.HEADER.pack(HOLD_BODY, DATA, 0, 1) +
                   b'\xa5' * sent)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused and closed at the header, as it should be
    return c


def hello_trickled(port, bound):
    """Sends a valid HELLO one byte a second until the daemon answers or
    closes, or bound seconds pass.  Returns (client, answered)."""
    frame_body = hello_body(software='t' * 40)
    frame = harness.HEADER.pack(len(frame_body), HELLO, 0, 1) + frame_body
    # Whole HELLO never arrives within the bound: HELLO_OK is impossible.
    assert len(frame) > bound + 1, 'HELLO too short to trickle'
    c = RawClient(port)
    deadline = time.monotonic() + bound
    for i in range(len(frame)):
        if time.monotonic() >= deadline:
            return c, False
        try:
            c.send_raw(frame[i:i + 1])
        except (BrokenPipeError, ConnectionResetError):
            return c, True
        # The one-second pause between bytes, cut short by an answer.
        if select.select([c.sock], [], [], 1.0)[0]:
            return c, True
    return c, False


class HostileTest(E2ETestCase):

    def setUp(self):
        # Under ASan, freed memory sits in a quarantine for a while: turn it
        # off for this daemon so RSS measures leaks, not the quarantine.
        env = dict(os.environ)
        extra = 'quarantine_size_mb=0:thread_local_quarantine_size_kb=0'
        env['ASAN_OPTIONS'] = (env['ASAN_OPTIONS'] + ':' + extra
                               if env.get('ASAN_OPTIONS') else extra)
        self.srv = self.start_server(env=env)
        root = self.srv.root
        harness.make_random_file(os.path.join(root, 'held'), HELD_SIZE)
        harness.make_fast_file(os.path.join(root, 'big'), BIG_SIZE)
        self.held = harness.sha256_file(os.path.join(root, 'held'))
        self.good = RawClient(self.srv.port)
        self.addCleanup(self.good.close)
        self.good.hello()

    def assert_good_client_served(self):
        info, data = self.good.get('held')
        self.assertEqual(info.size, HELD_SIZE)
        self.assertEqual(harness.sha256_bytes(data), self.held)

    def assert_no_partial_upload(self):
        root = self.srv.root
        harness.wait_for(lambda: not harness.temporaries(root),
                         harness.IO_TIMEOUT, 'temporaries to go')
        self.assertFalse(os.path.exists(os.path.join(root, 'never')))
        names = {e.name for e in self.good.list('')}
        self.assertEqual(names, {'held', 'big'})

    def test_each_case(self):
        for case in CASES:
            with self.subTest(case=case.__name__):
                case(self.srv)
                self.assert_good_client_served()
                self.assert_no_partial_upload()
                with RawClient(self.srv.port) as fresh:
                    fresh.hello()
                    data = fresh.get('held')[1]
                    self.assertEqual(harness.sha256_bytes(data), self.held)
                    fresh.quit()

    def test_memory_stays_flat(self):
        rounds, warmup = 200, 20
        base = None
        for i in range(rounds):
            CASES[i % len(CASES)](self.srv)
            if i + 1 == warmup:
                self.assert_good_client_served()
                base = self.srv.rss_kib()
        self.assert_good_client_served()
        self.assert_no_partial_upload()
        grown = self.srv.rss_kib() - base
        self.assertLess(grown, 20 * 1024,
                        'ftpd RSS grew by %d KiB over %d hostile connections'
                        % (grown, rounds - warmup))

    def test_vanishing_transfers(self):
        # Many abandoned uploads and downloads in a row, then normal work.
        for _ in range(10):
            vanish_mid_put(self.srv)
            vanish_mid_get(self.srv)
        self.assert_no_partial_upload()
        self.assert_good_client_served()
        self.good.put('fresh', b'x' * 1000)
        self.assertEqual(self.good.get('fresh')[1], b'x' * 1000)


    def assert_fresh_client_served(self):
        with RawClient(self.srv.port) as fresh:
            fresh.hello()
            data = fresh.get('held')[1]
            self.assertEqual(harness.sha256_bytes(data), self.held)
            fresh.quit()

    def warm_up(self):
        """Threads, stacks and malloc arenas of HOLD_CONNS concurrent
        sessions exist before the RSS baseline, so only buffering shows."""
        clients = []
        try:
            for _ in range(HOLD_CONNS):
                c = RawClient(self.srv.port)
                clients.append(c)
                c.hello()
            for c in clients:
                c.list('')
                c.quit()
        finally:
            for c in clients:
                c.close()
        for _ in range(3):
            data_header_before_hello(self.srv.port, 16).close()
        self.assert_good_client_served()

    def peak_rss_while_held(self, held, base):
        """Samples the daemon's RSS until every held connection has been
        answered (or closed), the growth passes the slack, or IO_TIMEOUT;
        returns the largest sample."""
        peak = self.srv.rss_kib()
        pending = list(held)
        interval = 0.05
        deadline = time.monotonic() + harness.IO_TIMEOUT
        for _ in range(int(harness.IO_TIMEOUT / interval) + 2):
            pending = [c for c in pending if not _readable(c)]
            peak = max(peak, self.srv.rss_kib())
            if (not pending or peak - base >= HOLD_SLACK_KIB or
                    time.monotonic() >= deadline):
                break
            time.sleep(interval)
        return peak

    def test_data_header_before_hello_not_buffered(self):
        # DATA is illegal before HELLO (and outside a PUT), so its header
        # alone condemns it: the body must not be read into memory first.
        # RSS counts only touched pages, so each connection sends all but
        # the last byte of its body: a daemon that buffers it keeps ~1 MiB
        # per connection while it waits for that byte.
        self.warm_up()
        base = self.srv.rss_kib()
        held = []
        try:
            for _ in range(HOLD_CONNS):
                held.append(data_header_before_hello(self.srv.port,
                                                     HOLD_BODY - 1))
            peak = self.peak_rss_while_held(held, base)
            self.assertLess(peak - base, HOLD_SLACK_KIB,
                            'ftpd RSS grew by %d KiB with %d connections '
                            'each announcing a %d-byte DATA body before '
                            'HELLO' % (peak - base, HOLD_CONNS, HOLD_BODY))
            for i, c in enumerate(held):
                with self.subTest(connection=i):
                    c.expect_refusal((S_PROTOCOL,), (0,))
        finally:
            for c in held:
                c.close()
        self.assert_good_client_served()
        self.assert_fresh_client_served()

    def test_overlong_list_path(self):
        overlong_list_path(self.srv)
        self.assert_good_client_served()
        self.assert_fresh_client_served()

    def test_overlong_hello_software(self):
        overlong_software(self.srv)
        self.assert_good_client_served()
        self.assert_fresh_client_served()

    def test_string_limits_are_inclusive(self):
        # The refusals above must come from the limits, not below them: a
        # 64-byte software string and a 4,096-byte path are legal.
        with RawClient(self.srv.port) as c:
            c.hello(software='s' * SOFTWARE_MAX)
            comp = 'd' * 200
            path = '/'.join([comp] * 20)
            path += '/' + 'e' * (PATH_MAX - len(path) - 1)
            self.assertEqual(len(path.encode()), PATH_MAX)
            fid = c.next_id
            with self.assertRaises(ServerError) as cm:
                c.list(path)  # no such directory: an answer, not the end
            self.assertEqual(cm.exception.id, fid)
            self.assertNotIn(cm.exception.status, CONNECTION_STATUSES)
            names = {e.name for e in c.list('')}
            self.assertEqual(names, {'held', 'big'})
            c.quit()

    def test_hello_deadline_not_extended_by_trickle(self):
        # The 10 s HELLO deadline counts from the connection, not from the
        # last byte: one byte a second must not keep a session alive.
        c, answered = hello_trickled(self.srv.port, HELLO_DEADLINE_BOUND)
        with c:
            self.assertTrue(answered, 'no answer within %d s to a HELLO '
                            'sent one byte a second (deadline %d s)' %
                            (HELLO_DEADLINE_BOUND, HELLO_DEADLINE))
            c.expect_refusal((S_TIMEOUT,), (0,))
        self.assert_good_client_served()
        self.assert_fresh_client_served()


if __name__ == '__main__':
    unittest.main()
