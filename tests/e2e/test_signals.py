"""test_signals.py - SIGTERM and SIGINT stop the daemon cleanly.

With idle clients connected (the idle timeout is minutes away), the daemon
must close them and exit with status 0 within a bounded wait, its log free
of sanitizer reports; each client, whether it has sent HELLO or not, gets an
ERROR SHUTDOWN with id 0 and then the close (docs/PROTOCOL.md sections 4
and 9).  A download in flight is finished first; an upload in flight is
cut with ERROR SHUTDOWN and leaves no file, finished or partial.
"""

import hashlib
import os
import signal
import unittest

import harness
from harness import (DATA, END, KIB, MIB, S_SHUTDOWN, ConnectionClosed,
                     E2ETestCase, ProtocolViolation, RawClient, Reader,
                     Server, ServerError)

TRANSFER_SIZE = 64 * MIB  # far more than the socket buffers hold


def server_unread(server_port, client):
    """Bytes the client sent that wait unread in ftpd's socket (the
    rx_queue of the daemon's end in /proc/net/tcp), or None if not found."""
    local = '0100007F:%04X' % server_port  # 127.0.0.1, as the kernel shows
    remote = '0100007F:%04X' % client.sock.getsockname()[1]
    with open('/proc/net/tcp') as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return int(fields[4].split(':')[1], 16)
    return None


class SignalsTest(E2ETestCase):

    def stop_with_idle_clients(self, sig):
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        harness.make_random_file(os.path.join(srv.root, 'f'), 1000)
        clients = []
        try:
            # Connected first, HELLO never sent.  The daemon accepts in
            # order, so once the later clients have their HELLO_OK this
            # one has been accepted too and its session is waiting.
            clients.append(RawClient(srv.port))
            for _ in range(5):
                c = RawClient(srv.port)
                clients.append(c)
                c.hello()
                c.list('')
            clients[1].get('f')
            srv.check_clean_exit(sig)  # bounded wait, then exit status 0
            for i, c in enumerate(clients):
                with self.subTest(client=i, hello_sent=i > 0):
                    c.expect_refusal((S_SHUTDOWN,), (0,))
        finally:
            for c in clients:
                c.close()
        self.assertFalse(srv.running)

    def test_sigterm_with_idle_clients(self):
        self.stop_with_idle_clients(signal.SIGTERM)

    def test_sigint_with_idle_clients(self):
        self.stop_with_idle_clients(signal.SIGINT)

    def test_sigterm_when_idle(self):
        srv = self.start_server()
        srv.check_clean_exit(signal.SIGTERM)

    def read_rest_of_get(self, c, fid, info, first):
        """Reads the GET stream after its first DATA frame up to END;
        returns (byte count, sha256) and checks END's count."""
        h = hashlib.sha256(first)
        got = len(first)
        try:
            for _ in range(info.size + 1):  # >= 1 byte a DATA frame
                fr = c.expect(fid, DATA, END)
                if fr.type == END:
                    r = Reader(fr.body, 'END')
                    count = r.u64()
                    r.done()
                    self.assertEqual(count, info.size - info.offset)
                    return got, h.hexdigest()
                got += len(fr.body)
                self.assertLessEqual(got, info.size,
                                     'GET sent more than FILE announced')
                h.update(fr.body)
        except (ServerError, ConnectionClosed, ConnectionResetError,
                ProtocolViolation) as e:
            self.fail('download cut after %d of %d bytes: %s' %
                      (got, info.size, e))
        self.fail('GET stream never ended')

    def test_sigterm_mid_download(self):
        # A GET in progress is finished (FILE, every DATA, END) before the
        # daemon says SHUTDOWN and closes; then it exits 0.
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        path = harness.make_fast_file(os.path.join(srv.root, 'big'),
                                      TRANSFER_SIZE)
        digest = harness.sha256_file(path)
        with RawClient(srv.port) as c:
            c.hello()
            info, first = c.get('big', stop_after=1)
            fid = c.next_id - 1
            self.assertEqual((info.size, info.offset), (TRANSFER_SIZE, 0))
            self.assertLess(len(first), info.size)
            srv.send_signal(signal.SIGTERM)
            got, got_digest = self.read_rest_of_get(c, fid, info, first)
            self.assertEqual(got, TRANSFER_SIZE)
            self.assertEqual(got_digest, digest)
            c.expect_refusal((S_SHUTDOWN,), (0,))
        srv.check_exited()

    def test_sigterm_mid_upload(self):
        # The upload cannot finish (most of it is never sent, and the last
        # DATA frame stops half-way, so the signal finds the daemon in the
        # middle of a frame): the daemon ends it with ERROR SHUTDOWN id 0,
        # exits 0 and leaves neither the target nor a temporary behind.
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        with RawClient(srv.port) as c:
            c.hello()
            fid = c.put_begin('up', TRANSFER_SIZE)
            c.put_data(fid, os.urandom(4 * MIB))
            half = os.urandom(128 * KIB)
            c.send_raw(harness.HEADER.pack(2 * len(half), DATA, 0, fid) +
                       half)
            # Once ftpd has read every byte sent, it is past its last check
            # between frames and waits inside the half-sent one.
            harness.wait_for(lambda: server_unread(srv.port, c) == 0,
                             harness.IO_TIMEOUT, 'ftpd to read the upload')
            srv.send_signal(signal.SIGTERM)
            c.expect_refusal((S_SHUTDOWN,), (0,))
        srv.check_exited()
        self.assertEqual(harness.temporaries(srv.root), [])
        self.assertFalse(os.path.exists(os.path.join(srv.root, 'up')))
        self.assertEqual(os.listdir(srv.root), [])


if __name__ == '__main__':
    unittest.main()
