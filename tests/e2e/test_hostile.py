"""test_hostile.py - malformed and abandoned connections hurt no one else.

Each hostile connection must get an ERROR (PROTOCOL or VERSION, id 0 or the
HELLO's id) and/or be closed, while a well-behaved client that connected
before it still gets correct data afterwards.  Hundreds of such connections
must not make the daemon grow: its RSS after 200 rounds stays within 20 MiB
of its RSS after the first 20.
"""

import os
import random
import struct
import unittest

import harness
from harness import (DATA, END, GET, HELLO, LIST, MIB, QUIT, S_PROTOCOL,
                     S_VERSION, E2ETestCase, RawClient, hello_body, p_string)

HELD_SIZE = 700 * 1024  # several DATA frames
BIG_SIZE = 16 * MIB  # larger than any socket buffer


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
    vanish_mid_put, vanish_mid_get,
    vanish_after_hello,
]


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


if __name__ == '__main__':
    unittest.main()
