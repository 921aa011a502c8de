"""test_batch.py - ftpc's batch modes and exit statuses.

Commands given with -c or on a non-tty stdin run in order and stop at the
first failure (the side effect of a later command must be absent); the exit
status tells success (0), a server refusal (1), a local error (2), a
connection error (3) and a usage error (64) apart.
"""

import os
import socket
import unittest

import harness
from harness import E2ETestCase, run_ftpc, sha256_file


class BatchTest(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server()
        self.work = self.make_tmpdir()
        self.a = harness.make_random_file(os.path.join(self.work, 'a'),
                                          12345)
        self.digest = sha256_file(self.a)

    def ftpc(self, cmds):
        return run_ftpc(['-c', cmds, self.srv.addr], cwd=self.work)

    def ftpc_stdin(self, text):
        return run_ftpc([self.srv.addr], stdin=text, cwd=self.work)

    def remote(self, name):
        return os.path.join(self.srv.root, name)

    def local(self, name):
        return os.path.join(self.work, name)

    def assert_in_order_session(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(self.remote('a')), self.digest)
        self.assertEqual(sha256_file(self.local('b')), self.digest)
        # ls ran after put: it lists a.
        self.assertEqual(r.stdout, 'a\n')

    def test_commands_run_in_order(self):
        # get a b can only succeed after put a.
        self.assert_in_order_session(self.ftpc('put a; get a b; ls'))

    def test_commands_from_stdin(self):
        r = self.ftpc_stdin('# a comment\n\nput a\n  \nget a b\nls\n')
        self.assert_in_order_session(r)

    def test_stops_at_remote_failure(self):
        r = self.ftpc('get missing; put a')
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('missing', r.stderr)
        self.assertFalse(os.path.exists(self.remote('a')))

    def test_stdin_stops_at_failure(self):
        r = self.ftpc_stdin('put a\nget missing\nget a b\n')
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(sha256_file(self.remote('a')), self.digest)
        self.assertFalse(os.path.exists(self.local('b')))
        self.assertFalse(os.path.exists(self.local('missing')))

    def test_stops_at_local_failure(self):
        r = self.ftpc('put nosuchfile; put a')
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('nosuchfile', r.stderr)
        self.assertFalse(os.path.exists(self.remote('a')))
        self.assertFalse(os.path.exists(self.remote('nosuchfile')))

    def test_stops_at_usage_error(self):
        for cmds in ('frobnicate; put a', 'get; put a',
                     'put a b c; put a', 'ls x y; put a'):
            with self.subTest(cmds=cmds):
                r = self.ftpc(cmds)
                self.assertEqual(r.returncode, 64, r.stderr)
                self.assertNotEqual(r.stderr, '')
                self.assertFalse(os.path.exists(self.remote('a')))
                self.assertFalse(os.path.exists(self.remote('b')))

    def test_exit_status_success(self):
        r = self.ftpc('put a')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, '')

    def test_exit_status_cannot_connect(self):
        # A port bound but not listening refuses connections, and no
        # other test running in parallel can take it meanwhile.
        with socket.socket() as hold:
            hold.bind(('127.0.0.1', 0))
            port = hold.getsockname()[1]
            r = run_ftpc(['-c', 'put a', '127.0.0.1:%d' % port],
                         cwd=self.work)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertNotEqual(r.stderr, '')

    def test_exit_status_bad_options(self):
        r = run_ftpc(['--no-such-option', self.srv.addr], cwd=self.work)
        self.assertEqual(r.returncode, 64, r.stderr)
        r = run_ftpc([], cwd=self.work)
        self.assertEqual(r.returncode, 64, r.stderr)

    def test_quoted_names(self):
        os.rename(self.a, self.local('my file'))
        r = self.ftpc("put 'my file'; get \"my file\" 'copy of it'; "
                      "get my\\ file third")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(self.remote('my file')), self.digest)
        self.assertEqual(sha256_file(self.local('copy of it')), self.digest)
        self.assertEqual(sha256_file(self.local('third')), self.digest)


if __name__ == '__main__':
    unittest.main()
