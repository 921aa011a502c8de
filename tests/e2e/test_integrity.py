"""test_integrity.py - end-to-end checksums (PROTOCOL.md sections 5.6, 8).

A corrupting proxy between ftpc and ftpd parses the frames of one
direction by the spec and flips one byte in the body of one DATA frame:
a PUT must then be refused with ERROR CHECKSUM and nothing committed (the
old file intact), a GET must fail with "checksum mismatch" and leave no
local file.  Clean transfers verify, --no-checksum still works (and lets
the corruption through, which shows it is the checksum that catches it),
and a RawClient that asks for feature 0x1 sees it granted and END carrying
count and crc (12 bytes).  The proxy speaks plain TCP only: its tests are
skipped under FTP_E2E_TLS, the raw ones run either way.
"""

import os
import struct
import threading
import unittest

import harness
from harness import (DATA, END, FEATURE_CHECKSUM, FILE, GET, HEADER,
                     HEADER_SIZE, KIB, MIB, OK, S_CHECKSUM, E2ETestCase,
                     RawClient, ServerError, crc32c, p_string, run_ftpc,
                     sha256_file)

XATTR = 'user.ftpf.crc32c'


class CorruptingProxy(harness.Relay):
    """A TCP relay 127.0.0.1:port -> the server.  In direction 'c2s' or
    's2c' it reads whole frames (header, then length bytes) and flips one
    byte in the middle of the body of the nth non-empty DATA frame it sees
    (once per proxy); corrupt=None relays faithfully."""

    def __init__(self, server_port, corrupt=None, nth=1):
        self.corrupt = corrupt
        self.nth = nth
        self.seen = 0
        self.flipped = 0
        self.lock = threading.Lock()
        super().__init__(server_port)  # starts relaying: set state first

    @staticmethod
    def _exact(sock, n):
        out = bytearray()
        while len(out) < n:  # each pass takes >= 1 byte or returns
            chunk = sock.recv(n - len(out))
            if not chunk:
                return None
            out += chunk
        return out

    def _maybe_flip(self, ftype, body):
        if ftype != DATA or not body:
            return
        with self.lock:
            self.seen += 1
            if self.seen != self.nth or self.flipped:
                return
            self.flipped += 1
        body[len(body) // 2] ^= 0x20

    def pump(self, src, dst, direction):
        while True:
            header = self._exact(src, HEADER_SIZE)
            if header is None:
                return
            length, ftype, _, _ = HEADER.unpack(bytes(header))
            body = self._exact(src, length) if length else bytearray()
            if body is None:
                dst.sendall(header)
                return
            if direction == self.corrupt:
                self._maybe_flip(ftype, body)
            dst.sendall(bytes(header) + bytes(body))

def local_leftovers(top):
    """Files in top that a download may have left (its temporaries)."""
    return [n for n in os.listdir(top) if '.ftpc-part' in n]


@unittest.skipIf(harness.TLS, 'the corrupting proxy speaks plain TCP only')
class CorruptionTest(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server(tls=False)
        self.work = self.make_tmpdir()

    def proxy(self, corrupt, nth=1):
        p = CorruptingProxy(self.srv.port, corrupt, nth)
        self.addCleanup(p.close)
        return p

    def ftpc(self, addr, cmds, *opts):
        return run_ftpc(list(opts) + ['-c', cmds, addr], cwd=self.work,
                        tls=False)

    def test_put_corrupted_is_not_committed(self):
        old = os.path.join(self.srv.root, 'f')
        harness.make_random_file(old, 1000)
        digest = sha256_file(old)
        harness.make_random_file(os.path.join(self.work, 'src'), MIB + 5)
        p = self.proxy('c2s', nth=3)
        r = self.ftpc(p.addr, 'put src f')
        self.assertEqual(p.flipped, 1)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('checksum mismatch', r.stderr)
        self.assertEqual(sha256_file(old), digest)
        # ftpd logs the transfer after it has answered: wait for the line.
        harness.wait_for(lambda: 'result=CHECKSUM' in self.srv.log_text(),
                         harness.IO_TIMEOUT, 'the refused PUT in the log')
        self.assertEqual(harness.temporaries(self.srv.root), [])
        # The same upload, uncorrupted, goes through.
        r = self.ftpc(self.srv.addr, 'put src f')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(old),
                         sha256_file(os.path.join(self.work, 'src')))

    def _get_corrupted(self, name):
        p = self.proxy('s2c', nth=2)
        r = self.ftpc(p.addr, 'get %s out' % name)
        self.assertEqual(p.flipped, 1)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('checksum mismatch', r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, 'out')))
        self.assertEqual(local_leftovers(self.work), [])

    def test_get_corrupted_sum_computed(self):
        # Placed behind ftpd's back: no cached sum, computed while sent.
        harness.make_random_file(os.path.join(self.srv.root, 'g'), MIB + 7)
        self._get_corrupted('g')

    def test_get_corrupted_sum_cached(self):
        # Uploaded: the sum is cached and the data goes by sendfile.
        src = os.path.join(self.work, 'src')
        harness.make_random_file(src, MIB + 7)
        r = self.ftpc(self.srv.addr, 'put src g')
        self.assertEqual(r.returncode, 0, r.stderr)
        self._get_corrupted('g')

    def test_clean_transfers_verify(self):
        src = os.path.join(self.work, 'src')
        harness.make_random_file(src, 3 * MIB + 1)
        p = self.proxy(None)
        r = self.ftpc(p.addr, 'put src f; get f back; get f back2')
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ('back', 'back2'):
            self.assertEqual(sha256_file(os.path.join(self.work, name)),
                             sha256_file(src))

    def test_no_checksum_lets_corruption_through(self):
        harness.make_random_file(os.path.join(self.srv.root, 'g'), MIB)
        p = self.proxy('s2c')
        r = self.ftpc(p.addr, 'get g out', '--no-checksum')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(p.flipped, 1)
        self.assertNotEqual(sha256_file(os.path.join(self.work, 'out')),
                            sha256_file(os.path.join(self.srv.root, 'g')))
        r = self.ftpc(self.srv.addr, 'put out up; get up up2',
                      '--no-checksum')
        self.assertEqual(r.returncode, 0, r.stderr)


class RawChecksumTest(E2ETestCase):
    """The wire, from the spec: feature 0x1, END with 12 bytes."""

    def setUp(self):
        self.srv = self.start_server()

    def raw(self, features=FEATURE_CHECKSUM):
        c = RawClient(self.srv.port)
        self.addCleanup(c.close)
        hello = c.hello(features=features)
        return c, hello

    def raw_get(self, c, path, offset=0):
        """(data, END count, END crc) with the checksum granted."""
        fid = c.take_id()
        c.send_frame(GET, fid, p_string(path) + struct.pack('>Q', offset))
        size, _, off = struct.unpack('>QqQ', c.expect(fid, FILE).body)
        self.assertEqual(off, offset)
        data = b''
        for _ in range(size + 2):
            fr = c.expect(fid, DATA, END)
            if fr.type == END:
                self.assertEqual(len(fr.body), 12)
                count, crc = struct.unpack('>QI', fr.body)
                self.assertEqual(count, len(data))
                return data, count, crc
            data += fr.body
        self.fail('GET never ended')

    def raw_put(self, c, path, data, crc, end_body=None):
        fid = c.put_begin(path, len(data))
        c.put_data(fid, data)
        c.send_frame(END, fid, end_body if end_body is not None else
                     struct.pack('>QI', len(data), crc))
        return fid

    def test_feature_granted(self):
        _, hello = self.raw(FEATURE_CHECKSUM | (1 << 40))
        self.assertEqual(hello.features & FEATURE_CHECKSUM, FEATURE_CHECKSUM)
        self.assertEqual(hello.features & (1 << 40), 0)

    def test_get_end_carries_whole_file_crc(self):
        body = os.urandom(300 * KIB + 3)
        with open(os.path.join(self.srv.root, 'f'), 'wb') as f:
            f.write(body)
        c, _ = self.raw()
        for offset in (0, 1, 100 * KIB, len(body)):
            data, count, crc = self.raw_get(c, 'f', offset)
            self.assertEqual(data, body[offset:])
            self.assertEqual(count, len(body) - offset)
            # Whole file, whatever the offset.
            self.assertEqual(crc, crc32c(body))
        # The first GET cached it (when the filesystem can).
        try:
            cached = os.getxattr(os.path.join(self.srv.root, 'f'), XATTR)
            self.assertIn(b'%08x' % crc32c(body), cached)
        except OSError:
            pass

    def test_stale_cache_is_recomputed(self):
        c, _ = self.raw()
        path = os.path.join(self.srv.root, 'f')
        old = os.urandom(64 * KIB)
        self.raw_put(c, 'f', old, crc32c(old))
        c.expect_empty(c.next_id - 1, OK)
        # Changed behind the daemon's back: same size, other bytes.
        new = os.urandom(len(old))
        with open(path, 'r+b') as f:
            f.write(new)
        os.utime(path, ns=(10 ** 18, 10 ** 18))
        data, _, crc = self.raw_get(c, 'f')
        self.assertEqual(data, new)
        self.assertEqual(crc, crc32c(new))

    def test_put_wrong_crc_refused(self):
        path = os.path.join(self.srv.root, 'f')
        with open(path, 'wb') as f:
            f.write(b'old content')
        c, _ = self.raw()
        data = os.urandom(100 * KIB)
        fid = self.raw_put(c, 'f', data, crc32c(data) ^ 1)
        with self.assertRaises(ServerError) as cm:
            c.expect(fid, OK)
        self.assertEqual(cm.exception.status, S_CHECKSUM)
        self.assertEqual(cm.exception.id, fid)
        self.assertIn('%08x' % crc32c(data), cm.exception.message)
        with open(path, 'rb') as f:
            self.assertEqual(f.read(), b'old content')
        self.assertEqual(harness.temporaries(self.srv.root), [])
        # The session goes on; the right crc commits.
        fid = self.raw_put(c, 'f', data, crc32c(data))
        c.expect_empty(fid, OK)
        with open(path, 'rb') as f:
            self.assertEqual(f.read(), data)

    def test_put_end_without_crc_is_protocol_error(self):
        c, _ = self.raw()
        self.raw_put(c, 'f', b'abc', 0, end_body=struct.pack('>Q', 3))
        c.expect_refusal((harness.S_PROTOCOL,), (0,))
        self.assertFalse(os.path.exists(os.path.join(self.srv.root, 'f')))

    def test_without_feature_end_is_8_bytes(self):
        with open(os.path.join(self.srv.root, 'f'), 'wb') as f:
            f.write(b'xyz')
        c, hello = self.raw(0)
        self.assertEqual(hello.features, 0)
        info, data = c.get('f')  # RawClient's strict 8-byte END
        self.assertEqual(data, b'xyz')
        c.put('g', b'123')


if __name__ == '__main__':
    unittest.main()
