"""test_compress.py - zlib compression of DATA (PROTOCOL.md sections 5.8, 8).

Through ftpc: get -z, put -z and ftpc --compress round-trip a log-like
text file and a random file byte for byte, and the daemon's log shows the
text taking at least 3x fewer bytes on the wire (wire=) than it holds
(bytes=), the random file no more than its raw frames.  Through RawClient,
written from the spec: COMPRESSED DATA received in a GET inflates frame by
frame with a fresh raw-deflate state; a COMPRESSED frame without the
feature, or in a PUT that did not ask, is a protocol error; a bomb (a small
frame inflating past the frame cap or past the announced size), a
truncated or a garbage frame are refused with PROTOCOL and nothing is
committed; GET's flags field is there exactly when COMPRESS was granted.
A fake server (plain TCP, so also under FTP_E2E_TLS) sends ftpc the same
bombs and garbage in a GET: ftpc fails with status 3 and leaves no file.
"""

import os
import random
import re
import socket
import struct
import threading
import zlib

from harness import (DATA, END, FEATURE_CHECKSUM, FEATURE_COMPRESS, FILE,
                     FLAG_COMPRESSED, GET, HEADER, HEADER_SIZE, HELLO_OK,
                     IO_TIMEOUT, KIB, MIB, OK,
                     S_PROTOCOL, S_UNSUPPORTED, TEMP_PREFIX, E2ETestCase,
                     RawClient, Reader, ServerError, crc32c,
                     make_random_file,
                     p_string, run_ftpc, sha256_file)

PUT_COMPRESS = 0x2
GET_COMPRESS = 0x1


def make_log_file(path, size, seed=4):
    """Log-like text: timestamps, levels, ids and numbers that vary."""
    rnd = random.Random(seed)
    levels = ('INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR')
    paths = ('/api/v1/items', '/api/v1/users', '/static/app.js', '/health')
    with open(path, 'w') as f:
        n = 0
        i = 0
        while n < size:
            line = ('2026-11-22T%02d:%02d:%02d.%03dZ %-5s [worker-%d] %s '
                    '%s/%d status=%d bytes=%d latency_ms=%.2f\n' % (
                        i // 3600 % 24, i // 60 % 60, i % 60,
                        rnd.randrange(1000), rnd.choice(levels),
                        rnd.randrange(16), rnd.choice(('GET', 'POST')),
                        rnd.choice(paths), rnd.randrange(100000),
                        rnd.choice((200, 200, 200, 304, 404, 500)),
                        rnd.randrange(1, 99999), rnd.random() * 100))
            f.write(line[:size - n])
            n += min(len(line), size - n)
            i += 1
    return path


def deflate_raw(data, level=6):
    """One whole raw DEFLATE stream (RFC 1951), as a COMPRESSED frame."""
    z = zlib.compressobj(level, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush()


def wire_lines(log, op, path):
    """(bytes, wire, result) of each logged transfer of op on path."""
    pat = re.compile(r' %s path="%s" bytes=(\d+) wire=(\d+) .*result=(\S+)'
                     % (op, re.escape(path)))
    return [(int(m.group(1)), int(m.group(2)), m.group(3))
            for m in pat.finditer(log)]


class CompressTest(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server()
        self.work = self.make_tmpdir()
        self.text = make_log_file(os.path.join(self.srv.root, 'log.txt'),
                                  3 * MIB + 12345)
        self.rand = make_random_file(os.path.join(self.srv.root, 'r.bin'),
                                     2 * MIB + 77)

    def ftpc(self, cmds, *opts):
        return run_ftpc(list(opts) + ['-c', cmds, self.srv.addr],
                        cwd=self.work)

    def last_wire(self, op, path):
        lines = wire_lines(self.srv.log_text(), op, path)
        self.assertTrue(lines, 'no %s of %s logged' % (op, path))
        return lines[-1]

    def check_ratio(self, op, path, size, compressed):
        n, wire, result = self.last_wire(op, path)
        self.assertEqual((n, result), (size, 'ok'))
        if compressed:
            self.assertLessEqual(wire * 3, n, 'text not 3x smaller')
        else:
            self.assertGreaterEqual(wire, n)

    def test_get_z_round_trip(self):
        r = self.ftpc('get -z log.txt; get -z r.bin; get log.txt plain.txt')
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, local in (('log.txt', 'log.txt'), ('r.bin', 'r.bin'),
                            ('log.txt', 'plain.txt')):
            self.assertFileHash(os.path.join(self.work, local),
                                sha256_file(os.path.join(self.srv.root,
                                                         name)))
        lines = wire_lines(self.srv.log_text(), 'GET', 'log.txt')
        self.assertEqual(len(lines), 2)
        size = os.path.getsize(self.text)
        self.assertLessEqual(lines[0][1] * 3, size)
        # Without -z the same file goes raw: every byte plus headers.
        self.assertGreater(lines[1][1], size)
        # Random data goes raw, frame headers being all the overhead.
        n, wire, _ = self.last_wire('GET', 'r.bin')
        self.assertLessEqual(wire, n + 64 * HEADER_SIZE)

    def test_put_z_round_trip(self):
        src = os.path.join(self.work, 'src')
        os.mkdir(src)
        os.rename(self.text, os.path.join(src, 'log.txt'))
        os.rename(self.rand, os.path.join(src, 'r.bin'))
        r = self.ftpc('put -z src/log.txt up.txt; put -z src/r.bin up.bin')
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, up in (('log.txt', 'up.txt'), ('r.bin', 'up.bin')):
            self.assertFileHash(os.path.join(self.srv.root, up),
                                sha256_file(os.path.join(src, name)))
        self.check_ratio('PUT', 'up.txt', os.path.getsize(
            os.path.join(src, 'log.txt')), True)
        self.check_ratio('PUT', 'up.bin', os.path.getsize(
            os.path.join(src, 'r.bin')), False)

    def test_compress_option_and_resume(self):
        r = self.ftpc('get log.txt; put log.txt again.txt; '
                      'get -c log.txt', '--compress')
        self.assertEqual(r.returncode, 0, r.stderr)
        size = os.path.getsize(self.text)
        self.check_ratio('PUT', 'again.txt', size, True)
        self.assertFileHash(os.path.join(self.srv.root, 'again.txt'),
                            sha256_file(self.text))
        # The resumed GET had nothing left to send, and still verified.
        n, wire, result = self.last_wire('GET', 'log.txt')
        self.assertEqual((n, wire, result), (0, 0, 'ok'))

    # --- the wire, by hand ---

    def raw(self, features):
        c = RawClient(self.srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.hello(features=features).features, features)
        return c

    def raw_get_z(self, c, path, flags):
        fid = c.take_id()
        c.send_frame(GET, fid, p_string(path) + struct.pack('>QI', 0, flags))
        r = Reader(c.expect(fid, FILE).body, 'FILE')
        size, _, offset = r.u64(), r.i64(), r.u64()
        r.done()
        c.data_flags = FLAG_COMPRESSED if flags & GET_COMPRESS else 0
        chunks, kinds = [], set()
        for _ in range(size + 2):
            fr = c.expect(fid, DATA, END)
            if fr.type == END:
                break
            kinds.add(fr.flags)
            if fr.flags & FLAG_COMPRESSED:
                # A fresh state for each frame; nothing after its end.
                d = zlib.decompressobj(-15)
                data = d.decompress(fr.body, 256 * KIB + 1)
                self.assertTrue(d.eof)
                self.assertEqual(d.unused_data + d.unconsumed_tail, b'')
                self.assertLessEqual(len(data), 256 * KIB)
            else:
                data = fr.body
            chunks.append(data)
        self.assertEqual(Reader(fr.body, 'END').u64(), size - offset)
        return b''.join(chunks), kinds

    def test_raw_get_frames(self):
        c = self.raw(FEATURE_COMPRESS)
        for path, want in (('log.txt', {FLAG_COMPRESSED}), ('r.bin', {0})):
            data, kinds = self.raw_get_z(c, path, GET_COMPRESS)
            with open(os.path.join(self.srv.root, path), 'rb') as f:
                self.assertEqual(data, f.read())
            self.assertEqual(kinds, want)
        # Flags 0 in a COMPRESS session: plain DATA only.
        data, kinds = self.raw_get_z(c, 'log.txt', 0)
        self.assertEqual(kinds, {0})
        with self.assertRaises(ServerError) as cm:
            self.raw_get_z(c, 'log.txt', 0x2)
        self.assertEqual(cm.exception.status, S_UNSUPPORTED)

    def assert_protocol_close(self, c):
        with self.assertRaises(ServerError) as cm:
            c.expect(0)
        self.assertEqual((cm.exception.status, cm.exception.id),
                         (S_PROTOCOL, 0))
        c.expect_eof()

    def test_get_flags_field_only_with_feature(self):
        c = self.raw(0)
        c.send_frame(GET, c.take_id(),
                     p_string('log.txt') + struct.pack('>QI', 0, 1))
        self.assert_protocol_close(c)
        c = self.raw(FEATURE_COMPRESS)
        c.send_frame(GET, c.take_id(),
                     p_string('log.txt') + struct.pack('>Q', 0))
        self.assert_protocol_close(c)

    def put_refused(self, features, flags, size, frames, name='x.txt'):
        c = self.raw(features)
        fid = c.put_begin(name, size, flags)
        for body in frames:
            c.send_frame(DATA, fid, body, flags=FLAG_COMPRESSED)
        self.assert_protocol_close(c)
        self.assertFalse(os.path.exists(os.path.join(self.srv.root, name)))
        self.assertEqual([n for n in os.listdir(self.srv.root)
                          if not n.startswith(TEMP_PREFIX)],
                         ['log.txt', 'r.bin'])

    def test_compressed_without_feature(self):
        self.put_refused(0, 0, 5, [deflate_raw(b'hello')])

    def test_compressed_in_put_that_did_not_ask(self):
        self.put_refused(FEATURE_COMPRESS, 0, 5, [deflate_raw(b'hello')])

    def test_bomb_over_frame_cap(self):
        # About 2 KiB on the wire, 2 MiB once inflated.
        bomb = deflate_raw(bytes(2 * MIB), 9)
        self.assertLess(len(bomb), 4 * KIB)
        self.put_refused(FEATURE_COMPRESS | FEATURE_CHECKSUM, PUT_COMPRESS,
                         8 * MIB, [bomb])

    def test_bomb_over_announced_size(self):
        good = deflate_raw(b'a' * 1000)
        self.put_refused(FEATURE_COMPRESS, PUT_COMPRESS, 1500,
                         [good, deflate_raw(b'b' * 501)])

    def test_truncated_and_garbage(self):
        whole = deflate_raw(os.urandom(100) * 50)
        self.put_refused(FEATURE_COMPRESS, PUT_COMPRESS, 5000,
                         [whole[:-3]])
        self.put_refused(FEATURE_COMPRESS, PUT_COMPRESS, 5000,
                         [b'\xff' * 64])
        self.put_refused(FEATURE_COMPRESS, PUT_COMPRESS, 5000,
                         [whole + b'\x00'])
        # A zlib-wrapped stream is not raw DEFLATE.
        self.put_refused(FEATURE_COMPRESS, PUT_COMPRESS, 5000,
                         [zlib.compress(os.urandom(100) * 50)])

    def test_raw_put_mixed_frames(self):
        with open(self.text, 'rb') as f:
            data = f.read(700 * KIB)
        c = self.raw(FEATURE_COMPRESS | FEATURE_CHECKSUM)
        fid = c.put_begin('mixed.txt', len(data), PUT_COMPRESS)
        parts = [data[i:i + 100 * KIB] for i in range(0, len(data),
                                                       100 * KIB)]
        for i, part in enumerate(parts):
            if i % 2:
                c.send_frame(DATA, fid, part)
            else:
                c.send_frame(DATA, fid, deflate_raw(part),
                             flags=FLAG_COMPRESSED)
        c.send_frame(END, fid, struct.pack('>QI', len(data), crc32c(data)))
        c.expect_empty(fid, OK)
        with open(os.path.join(self.srv.root, 'mixed.txt'), 'rb') as f:
            self.assertEqual(f.read(), data)


class FakeServer:
    """Just enough of a server, on a plain socket, to answer one GET with
    a COMPRESSED frame of its choosing: the client's side of the caps."""

    def __init__(self, frame_body, size):
        self.body, self.size = frame_body, size
        self.lsock = socket.socket()
        self.lsock.bind(('127.0.0.1', 0))
        self.lsock.listen(1)
        self.lsock.settimeout(IO_TIMEOUT)
        self.port = self.lsock.getsockname()[1]
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _frame(self, conn):
        head = conn.recv(HEADER_SIZE, socket.MSG_WAITALL)
        length, ftype, _, fid = HEADER.unpack(head)
        body = conn.recv(length, socket.MSG_WAITALL) if length else b''
        return ftype, fid, body

    def _send(self, conn, ftype, fid, body, flags=0):
        conn.sendall(HEADER.pack(len(body), ftype, flags, fid) + body)

    def _run(self):
        try:
            conn, _ = self.lsock.accept()
            with conn:
                conn.settimeout(IO_TIMEOUT)
                _, fid, body = self._frame(conn)
                asked = struct.unpack('>IHQ', body[:14])[2]
                granted = asked & (FEATURE_COMPRESS | FEATURE_CHECKSUM)
                self._send(conn, HELLO_OK, fid, struct.pack(
                    '>HQH', 1, granted, 0) + p_string('fake/1'))
                ftype, fid, _ = self._frame(conn)
                assert ftype == GET, ftype
                self._send(conn, FILE, fid, struct.pack('>QqQ', self.size,
                                                        0, 0))
                self._send(conn, DATA, fid, self.body, FLAG_COMPRESSED)
                conn.recv(1)  # until the client closes
        except Exception as e:  # reported by the test
            self.error = e

    def close(self):
        self.lsock.close()
        self.thread.join(IO_TIMEOUT)


class ClientCapsTest(E2ETestCase):

    def fetch(self, body, size, cmd='get -z f.txt'):
        fake = FakeServer(body, size)
        self.addCleanup(fake.close)
        work = self.make_tmpdir()
        r = run_ftpc(['-c', cmd, '127.0.0.1:%d' % fake.port], cwd=work,
                     tls=False)
        fake.close()
        self.assertIsNone(fake.error)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(os.listdir(work), [])
        return r.stderr

    def test_bomb_over_frame_cap(self):
        err = self.fetch(deflate_raw(bytes(4 * MIB), 9), 8 * MIB)
        self.assertIn('inflates past 1048576', err)

    def test_bomb_over_announced_size(self):
        err = self.fetch(deflate_raw(b'x' * 1001), 1000)
        self.assertIn('inflates past 1000', err)

    def test_garbage(self):
        err = self.fetch(b'\xff' * 32, 1000)
        self.assertIn('bad COMPRESSED DATA', err)

    def test_compressed_without_asking(self):
        err = self.fetch(deflate_raw(b'x' * 100), 100, 'get f.txt')
        self.assertIn('did not ask', err)
