"""test_exit_codes.py - ftpc's exit status, one class of failure at a time,
through the real ftpc and ftpd (ftpc --help, "exit status"):

     0  every command succeeded
     1  the server refused a request
     2  a local error
     3  a connection or protocol error
    64  a usage error

Each test asserts the exact status, that the failing command said why on
stderr, and, in batch mode, that no command after the failing one ran.
"""

import os
import socket
import subprocess
import unittest

import harness
from harness import E2ETestCase, run_ftpc

A_TEXT = b'the local file a\n'
F_TEXT = b'the remote file f\n'


class ExitCase(E2ETestCase):

    server_args = ()

    def setUp(self):
        self.srv = self.start_server(args=list(self.server_args))
        self.work = self.make_tmpdir()
        with open(os.path.join(self.work, 'a'), 'wb') as f:
            f.write(A_TEXT)
        with open(os.path.join(self.srv.root, 'f'), 'wb') as f:
            f.write(F_TEXT)
        os.mkdir(os.path.join(self.srv.root, 'd'))

    def ftpc(self, cmds, args=(), addr=None, **kw):
        return run_ftpc(list(args) + ['-c', cmds, addr or self.srv.addr],
                        cwd=self.work, **kw)

    def expect(self, status, cmds, message=None, **kw):
        """Runs cmds; asserts the status and a message on stderr; checks
        that the marker command after them did not run.  The marker works
        on every server here, a read-only one too, so that a command that
        wrongly succeeds cannot hide behind the marker's own failure."""
        r = self.ftpc(cmds + '; get /f marker', **kw)
        self.assertEqual(r.returncode, status,
                         '%r: stdout %r stderr %r' % (cmds, r.stdout,
                                                      r.stderr))
        self.assertNotEqual(r.stderr, '', cmds)
        if message is not None:
            self.assertIn(message, r.stderr, cmds)
        self.assertFalse(os.path.exists(self.local('marker')), cmds)
        self.assertFalse(os.path.exists(self.remote('marker')), cmds)
        return r

    def remote(self, *parts):
        return os.path.join(self.srv.root, *parts)

    def local(self, *parts):
        return os.path.join(self.work, *parts)

    def remote_tree(self):
        return harness.tree_snapshot(self.srv.root)


class SuccessTest(ExitCase):

    def test_0_every_command_succeeded(self):
        r = self.ftpc('put a; get f g; ls; mkdir e; cd e; pwd; cd /; '
                      'mv a b; stat b; rm b; rmdir e; lcd .; lpwd; lls; '
                      'help; help get')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, '')
        self.assertIn('/e\n', r.stdout)
        with open(self.local('g'), 'rb') as f:
            self.assertEqual(f.read(), F_TEXT)
        self.assertEqual(sorted(os.listdir(self.srv.root)), ['d', 'f'])
        # quit and exit end the session with 0: nothing after them runs.
        for word in ('quit', 'exit'):
            with self.subTest(cmd=word):
                r = self.ftpc('put a q; %s; put a marker' % word)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(os.path.exists(self.remote('q')))
                self.assertFalse(os.path.exists(self.remote('marker')))
                os.unlink(self.remote('q'))


class RemoteRefusalTest(ExitCase):

    def test_1_server_refused(self):
        before = self.remote_tree()
        cases = [
            ('get missing', 'missing'),
            ('get d', 'd'),
            ('get ../f', 'path leaves the root'),
            ('cd d; get ../../f', 'path leaves the root'),
            ('cd f', 'not a directory'),
            ('ls missing', 'missing'),
            ('stat missing', 'missing'),
            ('mkdir d', 'd'),
            ('mkdir f', 'f'),
            ('rmdir f', 'f'),
            ('rm d', 'd'),
            ('rm missing', 'missing'),
            ('mv missing x', 'missing'),
            ('put a nodir/a', 'nodir'),
            ('put a d', 'd'),
            ("mget '*.none'", 'no file matches'),
            ('get -r f', 'not a directory'),
        ]
        for cmds, message in cases:
            with self.subTest(cmds=cmds):
                self.expect(1, cmds, message)
        self.assertEqual(self.remote_tree(), before)
        self.assertEqual(os.listdir(self.work), ['a'])


class ReadOnlyRefusalTest(ExitCase):

    server_args = ('--read-only',)

    def test_1_read_only_server(self):
        before = self.remote_tree()
        os.mkdir(self.local('tree'))
        with open(self.local('tree', 'x'), 'wb') as f:
            f.write(b'x\n')
        for cmds in ('put a', 'put a new', 'put a f', 'mkdir e', 'rm f',
                     'rmdir d', 'mv f g', 'put -r tree', 'put -r tree d',
                     "mput 'a'"):
            with self.subTest(cmds=cmds):
                self.expect(1, cmds)
        self.assertEqual(self.remote_tree(), before)
        # Reading still works.
        r = self.ftpc('get f')
        self.assertEqual(r.returncode, 0, r.stderr)


def unwritable_dir(test):
    """A local directory nobody can create files in: a mode 0555
    directory, unless we are root (whom modes do not stop); then /proc,
    where even root cannot create a file."""
    d = os.path.join(test.make_tmpdir(), 'ro')
    os.mkdir(d, 0o555)
    probe = os.path.join(d, 'probe')
    try:
        open(probe, 'wb').close()
    except OSError:
        return d
    os.unlink(probe)
    return '/proc'


class LocalErrorTest(ExitCase):

    def test_2_local_error(self):
        before = self.remote_tree()
        ro = unwritable_dir(self)
        with open(self.local('plain'), 'wb') as f:
            f.write(b'not a directory\n')
        cases = [
            ('put nosuch', 'nosuch'),
            ('put nosuch remote', 'nosuch'),
            ('get f %s' % ro, None),
            ('get f %s/x' % ro, None),
            ('get f plain/x', 'plain'),
            ('lcd nosuch', 'nosuch'),
            ('lls nosuch', 'nosuch'),
            ('put -r nosuch', 'nosuch'),
            ("mput '*.none'", 'no file matches'),
        ]
        for cmds, message in cases:
            with self.subTest(cmds=cmds):
                self.expect(2, cmds, message)
        self.assertEqual(self.remote_tree(), before)
        self.assertEqual(sorted(os.listdir(self.work)), ['a', 'plain'])
        if ro != '/proc':
            self.assertEqual(os.listdir(ro), [])


class ConnectionErrorTest(ExitCase):

    def test_3_nothing_listening(self):
        # A bound socket that does not listen: connecting to it is
        # refused, and no other process can take the port meanwhile.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(('127.0.0.1', 0))
            addr = '127.0.0.1:%d' % s.getsockname()[1]
            r = self.ftpc('put a', addr=addr)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('cannot connect', r.stderr)
        self.assertEqual(r.stdout, '')

    def test_3_server_killed_mid_session(self):
        # Commands come one by one on a pipe: the first get has landed
        # before the daemon dies, the next request meets a dead peer.
        p = subprocess.Popen(harness.ftpc_cmd([self.srv.addr]),
                             cwd=self.work, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            p.stdin.write(b'get f first\n')
            p.stdin.flush()
            harness.wait_for(lambda: os.path.exists(self.local('first')) or
                             p.poll() is not None, harness.FTPC_TIMEOUT,
                             'the first get')
            self.assertIsNone(p.poll(), 'ftpc ended early')
            self.srv.kill()
            out, err = p.communicate(b'get f second\nput a marker\n',
                                     timeout=harness.FTPC_TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        err = err.decode('utf-8', 'replace')
        harness.assert_no_sanitizer(err, 'ftpc')
        self.assertEqual(p.returncode, 3, err)
        self.assertNotEqual(err, '')
        with open(self.local('first'), 'rb') as f:
            self.assertEqual(f.read(), F_TEXT)
        self.assertFalse(os.path.exists(self.local('second')))
        self.assertEqual(sorted(os.listdir(self.work)), ['a', 'first'])
        self.assertFalse(os.path.exists(self.remote('marker')))

    @unittest.skipUnless(harness.TLS_BUILT, 'built without TLS')
    def test_3_tls_mismatch(self):
        plain = self.start_server(tls=False)
        r = run_ftpc(['-c', 'put a', plain.addr], cwd=self.work, tls=True)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('TLS', r.stderr)
        self.assertEqual(os.listdir(plain.root), [])
        tls = self.start_server(tls=True)
        r = run_ftpc(['-c', 'put a', tls.addr], cwd=self.work, tls=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(os.listdir(tls.root), [])


class UsageTest(ExitCase):

    def test_64_usage(self):
        # Commands: the whole -c line is checked before anything runs, so
        # the put before the mistake does not happen either.
        for cmds in ('frobnicate', 'get -x f', 'get', 'put', 'mv f',
                     'rm', 'mkdir', 'mkdir a b', 'cd a b', 'ls -x',
                     'get -r', 'put --restart a', "mget", 'pwd x',
                     'help get put', 'get "unterminated'):
            with self.subTest(cmds=cmds):
                r = self.ftpc('put a; ' + cmds)
                self.assertEqual(r.returncode, 64, r.stderr)
                self.assertNotEqual(r.stderr, '')
                self.assertEqual(sorted(os.listdir(self.srv.root)), ['d', 'f'])
        # Errors found only when the command runs.
        for cmds, message in (('help nosuch', 'nosuch'),
                              ("mget '[a'", 'bad pattern')):
            with self.subTest(cmds=cmds):
                self.expect(64, cmds, message)
        # The program's own options and operands.
        port = str(self.srv.port)
        for args in (['--bogus', '-c', 'ls', self.srv.addr],
                     ['-c', 'ls'],
                     ['-c', 'ls', self.srv.addr, 'extra'],
                     ['-c', 'ls', '-c', 'ls', self.srv.addr],
                     ['-c', 'ls', '127.0.0.1:notaport'],
                     ['-c', 'ls', '127.0.0.1:99999'],
                     ['-c', 'ls', '[::1'],
                     ['-c', 'ls', '--ca', '/dev/null', '127.0.0.1:' + port]):
            with self.subTest(args=args):
                r = run_ftpc(args, cwd=self.work, tls=False)
                self.assertEqual(r.returncode, 64, r.stderr)
                self.assertNotEqual(r.stderr, '')
                self.assertEqual(r.stdout, '')


class BatchStopsTest(ExitCase):

    def test_batch_stops_at_first_failure_with_its_status(self):
        # "put a early" runs, the failure ends the batch, "get /f marker"
        # (added by expect) never runs.
        for status, cmds in ((1, 'put a early; get missing'),
                             (1, 'put a early; rm missing; put a later'),
                             (2, 'put a early; lcd nosuch; put a later'),
                             (2, 'put a early; put nosuch; put a later'),
                             (64, 'put a early; help nosuch; put a later')):
            with self.subTest(cmds=cmds):
                self.expect(status, cmds)
                with open(self.remote('early'), 'rb') as f:
                    self.assertEqual(f.read(), A_TEXT)
                self.assertFalse(os.path.exists(self.remote('later')))
                os.unlink(self.remote('early'))
        # The same from standard input, one command a line.
        for status, text in ((1, 'put a early\nget missing\nput a later\n'),
                             (2, 'put a early\nlcd nosuch\nput a later\n')):
            with self.subTest(stdin=text):
                r = run_ftpc([self.srv.addr], stdin=text, cwd=self.work)
                self.assertEqual(r.returncode, status, r.stderr)
                self.assertTrue(os.path.exists(self.remote('early')))
                self.assertFalse(os.path.exists(self.remote('later')))
                os.unlink(self.remote('early'))


if __name__ == '__main__':
    unittest.main()
