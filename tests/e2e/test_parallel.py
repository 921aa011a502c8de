"""test_parallel.py - many clients at once.

Fifty ftpc processes run together, each putting then getting back its own
8 MiB random file: every stored copy and every downloaded copy must be
byte-identical to its source, and no temporary may be left behind.
"""

import os
import time
import unittest

import harness
from harness import MIB, E2ETestCase, popen_ftpc, sha256_file

CLIENTS = 50
SIZE = 8 * MIB


class ParallelTest(E2ETestCase):

    def test_fifty_clients_put_then_get(self):
        srv = self.start_server()
        work = self.make_tmpdir()
        digests = {}
        for i in range(CLIENTS):
            name = 'f%02d' % i
            harness.make_random_file(os.path.join(work, name), SIZE)
            digests[name] = sha256_file(os.path.join(work, name))
        procs = {}
        try:
            for name in digests:
                cmds = 'put %s; get %s back-%s' % (name, name, name)
                procs[name] = popen_ftpc(['-c', cmds, srv.addr], cwd=work)
            deadline = time.monotonic() + 300 * harness.SCALE
            results = {}
            for name, p in procs.items():
                left = max(1, deadline - time.monotonic())
                out, err = p.communicate(timeout=left)
                results[name] = (p.returncode, err.decode('utf-8', 'replace'))
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.kill()
                    p.wait(timeout=30)
        for name, digest in digests.items():
            with self.subTest(client=name):
                rc, err = results[name]
                harness.assert_no_sanitizer(err, 'ftpc ' + name)
                self.assertEqual(rc, 0, err)
                self.assertEqual(sha256_file(os.path.join(srv.root, name)),
                                 digest)
                self.assertEqual(
                    sha256_file(os.path.join(work, 'back-' + name)), digest)
        self.assertEqual(harness.temporaries(srv.root), [])
        self.assertEqual(sorted(os.listdir(srv.root)), sorted(digests))


if __name__ == '__main__':
    unittest.main()
