"""test_load.py - many clients: ftpc bench, connection limits and the
graceful shutdown under load.

`ftpc bench` runs against a real daemon and must report zero errors, in
JSON with the documented keys; its byte checking must catch a corrupted
file.  --max-clients and --max-per-address answer ERROR BUSY with id 0 and
close.  On SIGTERM an idle session is cut at once while a transfer in
flight may finish within --shutdown-grace; after the grace it is aborted;
with a bench running, the daemon exits 0, no temporary and no partial file
is left, and the bench ends reporting errors instead of hanging.

Every wait is bounded; nothing here asserts how fast anything is.  ftpc
bench speaks plaintext only, so these tests force plaintext (under
FTP_E2E_TLS=1 they are skipped: the plain run covers them).
"""

import json
import os
import signal
import socket
import struct
import subprocess
import unittest

import harness
from harness import (DATA, END, KIB, MIB, S_BUSY, S_SHUTDOWN,
                     E2ETestCase, RawClient, Reader, ServerError)

M64 = (1 << 64) - 1
JSON_KEYS = ('clients', 'ops', 'errors', 'seconds', 'ops_per_sec',
             'mib_per_sec', 'p50_ms', 'p99_ms', 'max_ms')
BENCH_TIMEOUT = 120 * harness.SCALE
# Clients of the bench that SIGTERM interrupts (FTP_LOAD_CLIENTS=1000
# for the full-size check; 50 keeps the suite short).
SIGTERM_CLIENTS = int(os.environ.get('FTP_LOAD_CLIENTS', '50'))


def mix64(x):
    x = (x + 0x9e3779b97f4a7c15) & M64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


def bench_content(name, size):
    """What ftpc bench puts in the file called name (its base name) of
    size bytes, computed independently of the C code (ftpc/bench.c)."""
    h = 14695981039346656037
    for c in name.encode():
        h = ((h ^ c) * 1099511628211) & M64
    seed = h ^ mix64(size)
    words = (mix64((seed + i) & M64) for i in range((size + 7) // 8))
    return b''.join(struct.pack('<Q', w) for w in words)[:size]


def bench_cmd(addr, *args):
    return [harness.FTPC, 'bench', addr] + list(args)


def run_bench(addr, *args, timeout=BENCH_TIMEOUT):
    r = subprocess.run(bench_cmd(addr, *args), capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    err = r.stderr.decode('utf-8', 'replace')
    harness.assert_no_sanitizer(err, 'ftpc bench')
    return r.returncode, r.stdout.decode('utf-8', 'replace'), err


class SourceClient(RawClient):
    """A RawClient whose connection comes from a given loopback address
    (127.0.0.0/8 is all local on Linux), to count per address."""

    def __init__(self, port, source):  # pylint: disable=super-init-not-called
        # RawClient's own __init__ would connect from the default address.
        self.timeout = harness.IO_TIMEOUT
        self.sock = socket.create_connection(('127.0.0.1', port),
                                             timeout=self.timeout,
                                             source_address=(source, 0))
        self.trace = None
        self.next_id = 1
        self.limits = dict(harness.LIMIT_DEFAULTS)


@unittest.skipIf(harness.TLS, 'ftpc bench is plaintext; the plain run '
                 'covers this module')
class LoadTest(E2ETestCase):

    def server(self, *args):
        return self.start_server(args=list(args), tls=False)

    def check_bench_files(self, root, size, names):
        for name in names:
            with open(os.path.join(root, name), 'rb') as f:
                data = f.read()
            self.assertEqual(len(data), size, name)
            self.assertTrue(data == bench_content(name, size),
                            '%s: content differs from its name' % name)

    def test_bench_mixed_zero_errors(self):
        srv = self.server('--max-per-address', '1000')
        rc, out, err = run_bench(srv.addr, '--clients', '50', '--duration',
                                 '3', '--op', 'mix', '--files', '20',
                                 '--size', '10000', '--json')
        self.assertEqual(rc, 0, err)
        res = json.loads(out)
        for key in JSON_KEYS:
            self.assertIn(key, res)
        self.assertEqual(res['clients'], 50)
        self.assertEqual(res['connected'], 50)
        self.assertEqual(res['errors'], 0)
        self.assertGreater(res['ops'], 0)
        for kind in ('list_ops', 'get_ops', 'put_ops'):
            self.assertGreater(res[kind], 0, kind)
        self.assertEqual(res['ops'], res['list_ops'] + res['get_ops'] +
                         res['put_ops'])
        self.assertLessEqual(res['p50_ms'], res['p99_ms'])
        self.assertLessEqual(res['p99_ms'], res['max_ms'])
        self.assertEqual(harness.temporaries(srv.root), [])
        names = ['b10000-s%04d' % i for i in range(20)]
        names += ['b10000-c%05d' % i for i in range(50)]
        self.assertEqual(sorted(os.listdir(srv.root)), sorted(names))
        self.check_bench_files(srv.root, 10000, names)

    def test_bench_text_report_and_ops_mode(self):
        srv = self.server()
        rc, out, err = run_bench(srv.addr, '--clients', '3', '--ops', '7',
                                 '--op', 'get', '--files', '4')
        self.assertEqual(rc, 0, err)
        self.assertIn('ops 21 (list 0, get 21, put 0)', out)
        self.assertIn('errors 0', out)
        for word in ('ops/s', 'MiB/s', 'p50', 'p90', 'p99', 'max',
                     'connect ms'):
            self.assertIn(word, out)

    def test_bench_catches_corruption(self):
        srv = self.server()
        rc, out, err = run_bench(srv.addr, '--ops', '1', '--op', 'get',
                                 '--files', '3', '--size', '5000')
        self.assertEqual(rc, 0, err)
        path = os.path.join(srv.root, 'b5000-s0001')
        with open(path, 'r+b') as f:
            f.seek(4321)
            byte = f.read(1)
            f.seek(4321)
            f.write(bytes([byte[0] ^ 0x20]))
        rc, out, err = run_bench(srv.addr, '--ops', '30', '--op', 'get',
                                 '--files', '3', '--size', '5000',
                                 '--no-prepare', '--json')
        self.assertEqual(rc, 1, out + err)
        res = json.loads(out)
        self.assertGreater(res['errors'], 0)
        self.assertIn('b5000-s0001', err)

    def test_bench_reports_refused_connections(self):
        srv = self.server('--max-clients', '2')
        rc, out, err = run_bench(srv.addr, '--clients', '4', '--ops', '3',
                                 '--op', 'list', '--files', '1', '--json')
        self.assertEqual(rc, 1, out + err)
        res = json.loads(out)
        self.assertGreaterEqual(res['errors'], 1)
        self.assertLess(res['connected'], 4)
        self.assertIn('busy', err)

    def test_idle_mode_and_busy_probe(self):
        srv = self.server('--max-clients', '30', '--max-per-address', '100')
        rc, out, err = run_bench(srv.addr, '--idle', '30', '--probe',
                                 '--server-pid', str(srv.proc.pid), '--json')
        self.assertEqual(rc, 0, err)
        res = json.loads(out)
        self.assertEqual((res['connected'], res['listed'], res['errors']),
                         (30, 30, 0))
        self.assertEqual(res['probe'], 'busy')
        self.assertGreater(res['rss_after_kib'], 0)

    def hold(self, port, n, source='127.0.0.1'):
        clients = []
        for _ in range(n):
            c = SourceClient(port, source)
            self.addCleanup(c.close)
            c.hello()
            clients.append(c)
        return clients

    def test_max_clients_busy(self):
        srv = self.server('--max-clients', '20')
        held = self.hold(srv.port, 20)
        extra = SourceClient(srv.port, '127.0.0.1')
        self.addCleanup(extra.close)
        err = extra.expect_refusal((S_BUSY,), (0,))
        self.assertIn('busy', err.message)
        # A slot freed is a slot taken again (bounded retries: the
        # session's end is noticed by the daemon asynchronously).
        held.pop().quit()

        def again():
            c = SourceClient(srv.port, '127.0.0.1')
            self.addCleanup(c.close)
            try:
                c.hello()
                return c
            except ServerError as e:
                self.assertEqual((e.status, e.id), (S_BUSY, 0))
                return None
        harness.wait_for(again, harness.IO_TIMEOUT, 'a free slot')

    def test_max_per_address(self):
        srv = self.server('--max-per-address', '5', '--max-clients', '50')
        self.hold(srv.port, 5, '127.0.0.1')
        extra = SourceClient(srv.port, '127.0.0.1')
        self.addCleanup(extra.close)
        err = extra.expect_refusal((S_BUSY,), (0,))
        self.assertIn('address', err.message)
        # Another address still gets in, up to its own limit.
        other = self.hold(srv.port, 5, '127.0.0.2')
        self.assertEqual(other[-1].list(''), [])
        extra2 = SourceClient(srv.port, '127.0.0.2')
        self.addCleanup(extra2.close)
        extra2.expect_refusal((S_BUSY,), (0,))

    def test_options_in_help_and_checked(self):
        r = subprocess.run([harness.FTPD, '--help'], capture_output=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0)
        for opt in (b'--max-per-address', b'--shutdown-grace'):
            self.assertIn(opt, r.stdout)
        for bad in (['--shutdown-grace', '-1'], ['--shutdown-grace', 'x'],
                    ['--max-per-address', '0']):
            r = subprocess.run([harness.FTPD, '--root', '/'] + bad,
                               capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 2, bad)
        r = subprocess.run([harness.FTPC, '--help'], capture_output=True,
                           timeout=30)
        self.assertIn(b'ftpc bench', r.stdout)
        r = subprocess.run([harness.FTPC, 'bench', '--help'],
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertIn(b'--clients', r.stdout)
        r = subprocess.run([harness.FTPC, 'bench', '127.0.0.1:1', '--op',
                            'dance'], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 64)

    # --- shutdown ---

    def test_idle_cut_at_once_upload_finishes_in_grace(self):
        srv = self.server('--shutdown-grace', '600')
        idle = RawClient(srv.port, tls=False)
        self.addCleanup(idle.close)
        idle.hello()
        up = RawClient(srv.port, tls=False)
        self.addCleanup(up.close)
        up.hello()
        data = os.urandom(3 * MIB)
        fid = up.put_begin('up', len(data))
        up.put_data(fid, data[:MIB])
        srv.send_signal(signal.SIGTERM)
        # The idle session ends now, long before the 600 s grace, while
        # the upload is still open: its rest has not even been sent.
        idle.expect_refusal((S_SHUTDOWN,), (0,))
        up.put_data(fid, data[MIB:])
        up.put_end(fid, len(data))  # and its OK: committed in the grace
        up.expect_refusal((S_SHUTDOWN,), (0,))
        srv.check_exited()
        with open(os.path.join(srv.root, 'up'), 'rb') as f:
            self.assertTrue(f.read() == data)
        self.assertEqual(harness.temporaries(srv.root), [])

    def test_download_finishes_in_grace(self):
        srv = self.server('--shutdown-grace', '600')
        size = 16 * MIB
        harness.make_fast_file(os.path.join(srv.root, 'big'), size)
        digest = harness.sha256_file(os.path.join(srv.root, 'big'))
        idle = RawClient(srv.port, tls=False)
        self.addCleanup(idle.close)
        idle.hello()
        c = RawClient(srv.port, tls=False)
        self.addCleanup(c.close)
        c.hello()
        info, first = c.get('big', stop_after=1)
        fid = c.next_id - 1
        srv.send_signal(signal.SIGTERM)
        idle.expect_refusal((S_SHUTDOWN,), (0,))
        chunks = [first]
        while True:
            fr = c.expect(fid, DATA, END)
            if fr.type == END:
                r = Reader(fr.body, 'END')
                self.assertEqual(r.u64(), size)
                break
            chunks.append(fr.body)
        self.assertEqual(harness.sha256_bytes(b''.join(chunks)), digest)
        c.expect_refusal((S_SHUTDOWN,), (0,))
        srv.check_exited()

    def test_upload_aborted_after_grace(self):
        srv = self.server('--shutdown-grace', '1')
        c = RawClient(srv.port, tls=False)
        self.addCleanup(c.close)
        c.hello()
        fid = c.put_begin('up', 8 * MIB)
        c.put_data(fid, os.urandom(MIB))
        srv.send_signal(signal.SIGTERM)
        # Nothing more is sent: the grace runs out and the upload goes.
        c.expect_refusal((S_SHUTDOWN,), (0,))
        srv.check_exited()
        self.assertEqual(os.listdir(srv.root), [])

    def test_download_aborted_after_grace(self):
        srv = self.server('--shutdown-grace', '1')
        harness.make_fast_file(os.path.join(srv.root, 'big'), 256 * MIB)
        c = RawClient(srv.port, tls=False)
        self.addCleanup(c.close)
        c.hello()
        info, first = c.get('big', stop_after=1)
        fid = c.next_id - 1
        srv.send_signal(signal.SIGTERM)
        # The client stops reading: the daemon must not wait for it.
        srv.check_exited()
        got = len(first)
        status = None
        try:
            for _ in range(info.size):
                fr = c.expect(fid, DATA, END)
                self.assertNotEqual(fr.type, END, 'download not aborted')
                got += len(fr.body)
        except ServerError as e:
            status = (e.status, e.id)
        except (harness.ConnectionClosed, ConnectionResetError,
                harness.ProtocolViolation):
            pass  # cut in the middle of a frame: allowed after the grace
        self.assertLess(got, info.size)
        if status is not None:
            self.assertEqual(status, (S_SHUTDOWN, 0))

    def test_sigterm_with_bench_running(self):
        size = 256 * KIB
        srv = self.server('--shutdown-grace', '5', '--max-per-address',
                          '1000')
        bench = subprocess.Popen(
            bench_cmd(srv.addr, '--clients', str(SIGTERM_CLIENTS),
                      '--duration', '600', '--op', 'mix', '--files', '10',
                      '--size', str(size), '--json'),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.addCleanup(lambda: bench.poll() is None and bench.kill())
        # Under way: every client has uploaded its own file at least once.
        harness.wait_for(lambda: srv.log_text().count(' PUT path=') >=
                         10 + 2 * SIGTERM_CLIENTS, BENCH_TIMEOUT,
                         'the bench to be under way', interval=0.2)
        srv.send_signal(signal.SIGTERM)
        srv.wait(timeout=5 + harness.STOP_TIMEOUT)
        srv.check_exited()
        out, err = bench.communicate(timeout=BENCH_TIMEOUT)
        err = err.decode('utf-8', 'replace')
        harness.assert_no_sanitizer(err, 'ftpc bench')
        self.assertEqual(bench.returncode, 1, err)
        res = json.loads(out)
        self.assertGreater(res['errors'], 0)
        self.assertGreater(res['ops'], 0)
        self.assertEqual(harness.temporaries(srv.root), [])
        # Every file there is whole: no partial upload became visible.
        names = sorted(os.listdir(srv.root))
        shared = ['b262144-s%04d' % i for i in range(10)]
        self.assertEqual(sorted(set(names) & set(shared)), shared)
        self.check_bench_files(srv.root, size, names)


if __name__ == '__main__':
    unittest.main()
