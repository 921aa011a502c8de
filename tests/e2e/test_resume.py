"""test_resume.py - get -c and put -c (PROTOCOL.md sections 5.7, 8).

ftpc is killed with SIGKILL halfway through a 200 MiB get and a 200 MiB
put (a throttling relay between ftpc and ftpd makes "halfway" observable);
`-c` then finishes each with a byte-identical result, and the daemon's
transfer log shows that only the remaining bytes moved.  A local prefix
that differs from the server's file makes get -c refuse (never splice),
a server partial that differs from the local file makes put -c refuse,
and --restart starts again from zero.  Kept uploads stay hidden, and go
after --resume-max-age.  The relay passes bytes through unparsed, so the
suite also runs under TLS.
"""

import os
import re
import signal
import struct
import subprocess
import time
import unittest

import harness
from harness import (KIB, MIB, READY, SUM, SUM_OK, E2ETestCase, RawClient,
                     ServerError, crc32c, p_string, run_ftpc, sha256_file,
                     wait_for)

FEATURES = harness.FEATURE_CHECKSUM | harness.FEATURE_RESUME
SIZE = 200 * MIB
RATE = 40 * MIB  # bytes per second through the relay
PARTIAL_PREFIX = '.ftpd-part.r.'


class ThrottledRelay(harness.Relay):
    """A relay passing at most RATE bytes a second each way, untouched
    (TLS too)."""

    def __init__(self, server_port, rate=RATE):
        self.rate = rate
        super().__init__(server_port)

    def pump(self, src, dst, direction):
        start = time.monotonic()
        moved = 0
        while True:
            data = src.recv(64 * KIB)
            if not data:
                return
            dst.sendall(data)
            moved += len(data)
            ahead = moved / self.rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)

def transfer_lines(log, op, path):
    """(bytes, result) of each logged transfer of op on path, in order."""
    pat = re.compile(r' %s path="%s" bytes=(\d+) .*result=(\S+)' %
                     (op, re.escape(path)))
    return [(int(m.group(1)), m.group(2)) for m in pat.finditer(log)]


def partials(root):
    return [os.path.join(root, n) for n in os.listdir(root)
            if n.startswith(PARTIAL_PREFIX)]


class ResumeTest(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server()
        self.work = self.make_tmpdir()

    def ftpc(self, cmds, addr=None):
        return run_ftpc(['-c', cmds, addr or self.srv.addr], cwd=self.work)

    def relay(self):
        r = ThrottledRelay(self.srv.port)
        self.addCleanup(r.close)
        return r

    def kill_when(self, cmds, path_fn, what):
        """Starts ftpc with cmds through a relay, SIGKILLs it once
        path_fn() names a file of at least half SIZE; returns that
        file's size when ftpc was killed."""
        relay = self.relay()
        proc = subprocess.Popen(harness.ftpc_cmd(['-c', cmds, relay.addr]),
                                cwd=self.work, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())

        def halfway():
            p = path_fn()
            if proc.poll() is not None:
                raise AssertionError('ftpc ended (%s) before %s was half '
                                     'done' % (proc.returncode, what))
            return p is not None and os.path.getsize(p) >= SIZE // 2

        wait_for(halfway, 120 * harness.SCALE, '%s half done' % what)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=harness.STOP_TIMEOUT)
        self.assertEqual(proc.returncode, -signal.SIGKILL)

    def test_get_killed_then_resumed(self):
        src = harness.make_fast_file(os.path.join(self.srv.root, 'big'),
                                     SIZE)
        digest = sha256_file(src)
        part = os.path.join(self.work, '.big.ftpc-part')
        self.kill_when('get big', lambda: part if os.path.exists(part)
                       else None, 'the download')
        have = os.path.getsize(part)
        self.assertTrue(SIZE // 2 <= have < SIZE, have)
        self.assertFalse(os.path.exists(os.path.join(self.work, 'big')))
        r = self.ftpc('get -c big')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(os.path.join(self.work, 'big')), digest)
        self.assertFalse(os.path.exists(part))
        # The resumed GET moved only what was missing.  The killed GET may
        # be logged after it: that one ends only when the relay lets go.
        gets = transfer_lines(self.srv.log_text(), 'GET', 'big')
        self.assertEqual([g for g in gets if g[1] == 'ok'],
                         [(SIZE - have, 'ok')])

    def test_put_killed_then_resumed(self):
        src = harness.make_fast_file(os.path.join(self.work, 'big'), SIZE)
        digest = sha256_file(src)
        root = self.srv.root
        self.kill_when('put big', lambda: (partials(root) or [None])[0],
                       'the upload')
        # The daemon notices the drop, logs it and keeps what it got.
        wait_for(lambda: transfer_lines(self.srv.log_text(), 'PUT', 'big'),
                 harness.IO_TIMEOUT, 'the interrupted PUT in the log')
        kept = partials(root)
        self.assertEqual(len(kept), 1)
        have = os.path.getsize(kept[0])
        self.assertTrue(SIZE // 2 <= have < SIZE, have)
        self.assertFalse(os.path.exists(os.path.join(root, 'big')))
        r = self.ftpc('put -c big')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(os.path.join(root, 'big')), digest)
        self.assertEqual(partials(root), [])
        puts = transfer_lines(self.srv.log_text(), 'PUT', 'big')
        self.assertEqual(puts[-1], (SIZE - have, 'ok'))

    def test_get_c_refuses_a_different_prefix(self):
        body = os.urandom(3 * MIB + 11)
        with open(os.path.join(self.srv.root, 'f'), 'wb') as f:
            f.write(body)
        local = os.path.join(self.work, 'f')
        with open(local, 'wb') as f:
            # One byte that surely differs (a fixed b'X' matched 1 in 256).
            f.write(body[:MIB] + bytes([body[MIB] ^ 0xff]) +
                    body[MIB + 1:2 * MIB])
        before = sha256_file(local)
        r = self.ftpc('get -c f')
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('differ', r.stderr)
        self.assertIn('--restart', r.stderr)
        self.assertEqual(sha256_file(local), before)
        self.assertEqual([n for n in os.listdir(self.work)], ['f'])
        # Longer than the server's file: refused too.
        with open(local, 'ab') as f:
            f.write(os.urandom(2 * MIB))
        r = self.ftpc('get -c f')
        self.assertEqual(r.returncode, 2, r.stderr)
        # --restart downloads it all again.
        r = self.ftpc('get -c --restart f')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(local), harness.sha256_bytes(body))
        gets = transfer_lines(self.srv.log_text(), 'GET', 'f')
        self.assertEqual(gets, [(len(body), 'ok')])

    def test_get_c_continues_a_plain_prefix(self):
        body = os.urandom(2 * MIB + 5)
        with open(os.path.join(self.srv.root, 'f'), 'wb') as f:
            f.write(body)
        with open(os.path.join(self.work, 'f'), 'wb') as f:
            f.write(body[:MIB])
        r = self.ftpc('get -c f; get -c f')
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.work, 'f'), 'rb') as f:
            self.assertEqual(f.read(), body)
        gets = transfer_lines(self.srv.log_text(), 'GET', 'f')
        self.assertEqual(gets, [(len(body) - MIB, 'ok'), (0, 'ok')])

    def test_failed_get_c_keeps_the_part(self):
        """A resume that fails for a reason other than a mismatch (here a
        mistyped remote name) must not lose the bytes already fetched."""
        body = os.urandom(MIB)
        part = os.path.join(self.work, '.f.ftpc-part')
        with open(part, 'wb') as f:
            f.write(body)
        r = self.ftpc('get -c nosuch f')
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(part, 'rb') as f:
            self.assertEqual(f.read(), body)
        self.assertFalse(os.path.exists(os.path.join(self.work, 'f')))

    def interrupted_put(self, path, data, sent):
        """A raw PUT of data that stops after sent bytes and hangs up."""
        c = RawClient(self.srv.port)
        c.hello(features=FEATURES)
        fid = c.put_begin(path, len(data))
        c.put_data(fid, data[:sent])
        c.close()
        wait_for(lambda: transfer_lines(self.srv.log_text(), 'PUT', path),
                 harness.IO_TIMEOUT, 'the interrupted PUT in the log')

    def test_put_c_refuses_a_different_partial(self):
        data = os.urandom(3 * MIB)
        src = os.path.join(self.work, 'f')
        with open(src, 'wb') as f:
            f.write(data)
        self.interrupted_put('f', os.urandom(len(data)), MIB)
        self.assertEqual(len(partials(self.srv.root)), 1)
        r = self.ftpc('put -c f')
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('differs', r.stderr)
        self.assertEqual(partials(self.srv.root), [])
        self.assertFalse(os.path.exists(os.path.join(self.srv.root, 'f')))
        r = self.ftpc('put -c --restart f')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(os.path.join(self.srv.root, 'f')),
                         sha256_file(src))

    def test_partial_is_hidden(self):
        self.interrupted_put('f', os.urandom(MIB), 100 * KIB)
        name = os.path.basename(partials(self.srv.root)[0])
        r = self.ftpc('ls')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, '')
        r = self.ftpc('get %s' % name)
        self.assertEqual(r.returncode, 1, r.stderr)

    def test_raw_sum_and_ready(self):
        body = os.urandom(MIB + 3)
        with open(os.path.join(self.srv.root, 'f'), 'wb') as f:
            f.write(body)
        c = RawClient(self.srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.hello(features=FEATURES | 0x100).features,
                         FEATURES)
        for length, want in ((0, 0), (1000, 1000), (len(body) + 9,
                                                    len(body))):
            fid = c.take_id()
            c.send_frame(SUM, fid, p_string('f') + struct.pack('>Q', length))
            fr = c.expect(fid, SUM_OK)
            size, got, crc = struct.unpack('>QQI', fr.body)
            self.assertEqual((size, got), (len(body), want))
            self.assertEqual(crc, crc32c(body[:want]))
        fid = c.take_id()
        c.send_frame(SUM, fid, p_string('nope') + struct.pack('>Q', 1))
        with self.assertRaises(ServerError) as cm:
            c.expect(fid, SUM_OK)
        self.assertEqual(cm.exception.status, harness.S_NOT_FOUND)
        # A RESUME PUT with nothing kept: READY at 0, crc 0.
        fid = c.take_id()
        c.send_frame(harness.PUT, fid, p_string('g') +
                     struct.pack('>QI', 5, 1))
        self.assertEqual(c.expect(fid, READY).body,
                         struct.pack('>QI', 0, 0))
        c.send_frame(harness.DATA, fid, b'12345')
        c.send_frame(harness.END, fid, struct.pack('>QI', 5,
                                                   crc32c(b'12345')))
        c.expect_empty(fid, harness.OK)

    def test_sum_without_feature_is_protocol_error(self):
        c = RawClient(self.srv.port)
        self.addCleanup(c.close)
        c.hello(features=0x1)
        c.send_frame(SUM, c.take_id(), p_string('f') + struct.pack('>Q', 0))
        c.expect_refusal((harness.S_PROTOCOL,), (0,))


class MaxAgeTest(E2ETestCase):

    def test_old_partials_removed_at_start_and_while_running(self):
        root = os.path.join(self.make_tmpdir(), 'root')
        os.makedirs(root)
        old = os.path.join(root, PARTIAL_PREFIX + '0123456789abcdef')
        with open(old, 'wb') as f:
            f.write(b'x' * 100)
        os.utime(old, (time.time() - 7200, time.time() - 7200))
        srv = self.start_server(root=root, args=['--resume-max-age', '3'])
        self.assertFalse(os.path.exists(old))
        self.assertIn('removed 1 interrupted upload', srv.log_text())
        c = RawClient(srv.port)
        c.hello(features=FEATURES)
        fid = c.put_begin('f', 1000)
        c.put_data(fid, b'y' * 10)
        c.close()
        wait_for(lambda: partials(root), harness.IO_TIMEOUT,
                 'the kept upload')
        wait_for(lambda: not partials(root), 30 * harness.SCALE,
                 'the kept upload swept after 3 s')



if __name__ == '__main__':
    unittest.main()
