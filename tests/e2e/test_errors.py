"""test_errors.py - refused requests fail cleanly and create nothing.

Each bad get or put must exit with status 1 (the server refused), say why on
stderr, and leave every tree as it was: no local file (not even a hidden
temporary) for a get, no new file in the root or outside it for a put, and
the directory a symbolic link points to untouched.
"""

import os
import unittest

import harness
from harness import E2ETestCase, run_ftpc, tree_snapshot


class ErrorsTest(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server()
        root = self.srv.root
        self.work = self.make_tmpdir('e2e-work-')
        self.outside = self.make_tmpdir('e2e-outside-')
        harness.make_random_file(os.path.join(self.work, 'local.bin'), 1000)
        harness.make_random_file(os.path.join(self.outside, 'secret.txt'),
                                 333)
        # The root's parent holds a file that "../outside-x" would reach.
        self.parent = os.path.dirname(root)
        harness.make_random_file(os.path.join(self.parent, 'outside-x'), 10)
        harness.make_random_file(os.path.join(root, 'inside.txt'), 55)
        os.symlink(self.outside, os.path.join(root, 'link'))
        os.symlink(os.path.join(self.outside, 'secret.txt'),
                   os.path.join(root, 'flink'))
        self.snapshots = self.take_snapshots()

    def take_snapshots(self):
        return {d: tree_snapshot(d)
                for d in (self.srv.root, self.work, self.outside)}

    def assert_unchanged(self):
        self.assertEqual(self.take_snapshots(), self.snapshots)
        names = set(os.listdir(self.parent))
        self.assertNotIn('new-x', names)
        self.assertNotIn('abs-new', os.listdir(self.outside))

    def assert_refused(self, cmd, remote, message=None):
        r = run_ftpc(['-c', cmd, self.srv.addr], cwd=self.work)
        self.assertEqual(r.returncode, 1, 'exit status of %r: %s' %
                         (cmd, r.stderr))
        self.assertEqual(r.stdout, '')
        self.assertIn('ftpc', r.stderr)
        # as typed, or resolved: absolute paths start at the server's root
        self.assertIn(remote.lstrip('/'), r.stderr,
                      'the message names the path')
        if message:
            self.assertIn(message, r.stderr.lower())
        self.assert_unchanged()

    def test_get_refusals(self):
        cases = [
            ('missing.txt', 'no such file'),
            ('nodir/missing.txt', None),
            ('../outside-x', None),
            ('/etc/passwd', None),
            ('link/secret.txt', None),
            ('flink', None),
        ]
        for remote, message in cases:
            with self.subTest(remote=remote):
                self.assert_refused('get "%s"' % remote, remote, message)
        # Explicit local names too: still nothing created.
        for remote, _ in cases:
            with self.subTest(remote=remote, local='out.bin'):
                self.assert_refused('get "%s" out.bin' % remote, remote)

    def test_put_refusals(self):
        cases = [
            'nodir/x',
            '../new-x',
            os.path.join(self.outside, 'abs-new'),
            'link/new.txt',
            'link/secret.txt',
            '.ftpd-part.sneaky',
        ]
        for remote in cases:
            with self.subTest(remote=remote):
                self.assert_refused('put local.bin "%s"' % remote, remote)

    def test_server_keeps_serving_after_refusals(self):
        self.assert_refused('get missing.txt', 'missing.txt')
        r = run_ftpc(['-c', 'get inside.txt', self.srv.addr], cwd=self.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(harness.sha256_file(os.path.join(self.work,
                                                          'inside.txt')),
                         harness.sha256_file(os.path.join(self.srv.root,
                                                          'inside.txt')))


if __name__ == '__main__':
    unittest.main()
