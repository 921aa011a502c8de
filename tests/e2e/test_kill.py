"""test_kill.py - uploads cut short by SIGKILL never damage stored files.

A put that replaces an existing file is killed mid-transfer, first on the
client side, then on the daemon's.  The old file must stay intact, nothing
partial may be visible (in `ls` or in the root, except the hidden temporary
until the daemon has cleaned it up, or kept it hidden for a resume: ftpc
negotiates RESUME, PROTOCOL.md 5.7), and the daemon must keep serving, or,
when it was the one killed, start again on the same root without leftovers
other than that kept upload.
"""

import json
import os
import signal
import unittest

import harness
from harness import MIB, E2ETestCase, run_ftpc, sha256_file

BIG = 512 * MIB
OLD_SIZE = 4321
# A kept (resumable) upload: hidden, and allowed to stay (section 5.7).
PARTIAL_PREFIX = harness.TEMP_PREFIX + 'r.'


def not_kept(paths):
    return [p for p in paths
            if not os.path.basename(p).startswith(PARTIAL_PREFIX)]


class KillTest(E2ETestCase):

    def setUp(self):
        self.work = self.make_tmpdir()
        self.big = harness.make_fast_file(os.path.join(self.work, 'big'),
                                          BIG)

    def prepare_root(self, root):
        old = harness.make_random_file(os.path.join(root, 'target'),
                                       OLD_SIZE)
        return sha256_file(old)

    def start_put(self, srv):
        """Starts `put big target` and returns once the daemon's temporary
        holds some of the new data (the transfer is under way)."""
        proc = harness.popen_ftpc(['-c', 'put big target', srv.addr],
                                  cwd=self.work)
        self.addCleanup(self._reap, proc)

        def growing():
            if proc.poll() is not None:
                raise AssertionError('ftpc ended (%s) before the upload was '
                                     'seen: %s' % (proc.returncode,
                                                   proc.stderr.read()))
            for t in harness.temporaries(srv.root):
                try:
                    if os.path.getsize(t) > 0:
                        return t
                except FileNotFoundError:
                    pass
            return None
        harness.wait_for(growing, 60 * harness.SCALE, 'a growing temporary',
                         interval=0.001)
        return proc

    @staticmethod
    def _reap(proc):
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)

    def assert_old_intact(self, root, digest):
        self.assertEqual(os.path.getsize(os.path.join(root, 'target')),
                         OLD_SIZE)
        self.assertEqual(sha256_file(os.path.join(root, 'target')), digest)

    def visible(self, root):
        return sorted(n for n in os.listdir(root)
                      if not n.startswith(harness.TEMP_PREFIX))

    def test_client_killed_mid_upload(self):
        srv = self.start_server()
        digest = self.prepare_root(srv.root)
        proc = self.start_put(srv)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        self.assert_old_intact(srv.root, digest)
        self.assertEqual(self.visible(srv.root), ['target'])
        harness.wait_for(lambda: 'PUT path="target"' in srv.log_text(),
                         60 * harness.SCALE, 'the PUT to end')
        self.assertEqual(not_kept(harness.temporaries(srv.root)), [])
        self.assertEqual(not_kept(os.listdir(srv.root)), ['target'])
        r = run_ftpc(['-c', 'ls --json; get target copy', srv.addr],
                     cwd=self.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = json.loads(r.stdout)
        self.assertEqual([(e['name'], e['size']) for e in listed],
                         [('target', OLD_SIZE)])
        self.assertEqual(sha256_file(os.path.join(self.work, 'copy')),
                         digest)

    def test_daemon_killed_mid_upload(self):
        srv = self.start_server()
        digest = self.prepare_root(srv.root)
        proc = self.start_put(srv)
        srv.kill()
        self.assertEqual(srv.proc.returncode, -signal.SIGKILL)
        _, err = proc.communicate(timeout=harness.FTPC_TIMEOUT)
        err = err.decode('utf-8', 'replace')
        harness.assert_no_sanitizer(err, 'ftpc')
        self.assertEqual(proc.returncode, 3, err)  # connection error
        self.assertNotEqual(err, '')
        self.assert_old_intact(srv.root, digest)
        self.assertEqual(self.visible(srv.root), ['target'])

        again = self.start_server(root=srv.root)
        # Recovery runs before the port file is written.
        self.assertEqual(not_kept(harness.temporaries(again.root)), [])
        self.assertEqual(not_kept(os.listdir(again.root)), ['target'])
        self.assert_old_intact(again.root, digest)
        r = run_ftpc(['-c', 'get target copy', again.addr], cwd=self.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256_file(os.path.join(self.work, 'copy')),
                         digest)


if __name__ == '__main__':
    unittest.main()
