"""test_client_safety.py - a hostile server against ftpc.

The attacks of issue 6's client class, each performed by FakeServer
(fakeserver.py): names and ERROR messages that carry terminal escape
sequences, bidirectional overrides and C1 controls must reach the terminal
escaped; names with '/' or '..' must never choose where ftpc writes; a
remote path that ends in ".." must not become a local name.  ftpd never
sends such things, so these run against the fake.
"""

import os
import unittest

import harness as h
from fakeserver import FakeServer, entry, run_ftpc_env

# What a hostile server puts in a name, and how ftpc must show it.
HOSTILE = [
    ('\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'),  # OSC: window title
    ('\x1b[2J', '\\x1b[2J'),  # clear the screen
    ('csi\u009b31m', 'csi\\xc2\\x9b31m'),  # C1 CSI
    ('evil\u202etxt.exe', 'evil\\xe2\\x80\\xaetxt.exe'),  # RLO override
    ('two\nlines', 'two\\x0alines'),
    ('back\rspace\b', 'back\\x0dspace\\x08'),
    ('del\x7f', 'del\\x7f'),
    ('slash\\back', 'slash\\\\back'),
]
# Raw bytes that must never reach ftpc's output.
CONTROLS = [chr(c) for c in range(0x20) if c != 0x0a] + ['\x7f'] + \
    [chr(c) for c in range(0x80, 0xa0)] + ['\u202e']


class ClientSafetyTest(h.E2ETestCase):

    def fake(self, **kwargs):
        srv = FakeServer(**kwargs)
        self.addCleanup(srv.close)
        return srv

    def assertNoControls(self, text):
        for c in CONTROLS:
            self.assertNotIn(c, text, 'raw %r in output' % c)

    # --- display --------------------------------------------------------

    def test_listed_names_are_escaped(self):
        names = [raw for raw, _ in HOSTILE] + ['plain.txt']
        # the software string too, though ftpc does not print it
        srv = self.fake(listings={'.': [entry(n) for n in names]},
                        software='\x1b]0;pwned\x07\u009b2J')
        r = run_ftpc_env(['-c', 'ls', srv.addr])
        self.assertEqual(r.returncode, 0, r.stderr)
        for _, shown in HOSTILE:
            self.assertIn(shown, r.stdout)
        self.assertNoControls(r.stdout + r.stderr)
        # one line per entry: no name could start a line of its own
        self.assertEqual(len(r.stdout.splitlines()), len(names))

    def test_error_messages_are_escaped(self):
        msg = ''.join(raw for raw, _ in HOSTILE)
        shown = ''.join(s for _, s in HOSTILE)
        srv = self.fake(errors={'f.txt': (h.S_NOT_FOUND, msg),
                                'd': (h.S_DENIED, msg)})
        for cmd in ('get f.txt', 'ls d'):
            r = run_ftpc_env(['-c', cmd, srv.addr],
                             cwd=self.make_tmpdir())
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(shown, r.stderr)
            self.assertNoControls(r.stdout + r.stderr)

    def test_hello_refusal_is_escaped(self):
        srv = self.fake(hello_error=(h.S_BUSY, '\x1b]0;pwned\x07busy'))
        r = run_ftpc_env(['-c', 'ls', srv.addr])
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('\\x1b]0;pwned\\x07busy', r.stderr)
        self.assertNoControls(r.stderr)

    # --- names that would leave the directory ---------------------------

    def test_unsafe_listed_names_are_refused(self):
        bad = ['../evil', 'a/b', '..', '.', '/etc/passwd',
               '../\x1b[2Jx']
        srv = self.fake(listings={'d%d' % i: [entry('ok.txt'), entry(n)]
                                  for i, n in enumerate(bad)})
        work = self.make_tmpdir()
        for i, name in enumerate(bad):
            r = run_ftpc_env(['-c', 'ls d%d' % i, srv.addr], cwd=work)
            self.assertEqual(r.returncode, 3, (name, r.stderr))
            # the decoder refuses '/' (proto/msg.c), ftpc "." and ".."
            self.assertRegex(r.stderr, 'protocol error: entry named|'
                             'malformed ENTRIES frame')
            self.assertEqual(r.stdout, '')
            self.assertNoControls(r.stderr)
        self.assertEqual(os.listdir(work), [])

    def test_nul_in_a_name_is_refused(self):
        srv = self.fake(listings={'.': [entry(b'a\x00b')]})
        r = run_ftpc_env(['-c', 'ls', srv.addr])
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('malformed ENTRIES frame', r.stderr)

    def test_get_of_dot_dot_is_refused(self):
        """A remote path whose last component is "..", "." or empty has no
        name to write locally: refused before anything is sent, even into
        a directory the user gave."""
        srv = self.fake(files={'d/..': b'x', '..': b'x', 'd/.': b'x'})
        top = self.make_tmpdir()
        work = os.path.join(top, 'work')
        os.makedirs(os.path.join(work, 'into'))
        before = h.tree_snapshot(top)
        for cmd in ('get d/..', 'get d/.', 'get .',
                    'get d/', 'get d/.. into', 'get -c d/..'):
            r = run_ftpc_env(['-c', cmd, srv.addr], cwd=work)
            self.assertEqual(r.returncode, 64, (cmd, r.stderr))
            self.assertIn('has no safe file name to use locally',
                          r.stderr)
        # ".." at the root leaves it: refused before the local name is
        # even looked at.
        for cmd in ('get ..', 'get .. into/', 'get -- ..'):
            r = run_ftpc_env(['-c', cmd, srv.addr], cwd=work)
            self.assertEqual(r.returncode, 1, (cmd, r.stderr))
            self.assertIn('path leaves the root', r.stderr)
        self.assertNotIn(h.GET, srv.types())
        self.assertEqual(h.tree_snapshot(top), before)

    def test_get_writes_only_where_asked(self):
        """The remote path never picks the local directory: only its last
        component is used, in the current directory or the one given."""
        files = {'outside.txt': b'one', 'etc/evil': b'two',
                 'a/b/c.txt': b'three', 'abs.txt': b'four'}
        srv = self.fake(files=files)
        top = self.make_tmpdir()
        work = os.path.join(top, 'work')
        os.makedirs(os.path.join(work, 'into'))
        cmds = ['get d/../outside.txt', 'get x/y/../../etc/evil',
                'get a/b/c.txt into', 'get /abs.txt into/']
        r = run_ftpc_env(['-c', '; '.join(cmds), srv.addr], cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(top)), ['work'])
        self.assertEqual(sorted(os.listdir(work)),
                         ['evil', 'into', 'outside.txt'])
        self.assertEqual(sorted(os.listdir(os.path.join(work, 'into'))),
                         ['abs.txt', 'c.txt'])
        with open(os.path.join(work, 'outside.txt'), 'rb') as f:
            self.assertEqual(f.read(), b'one')


if __name__ == '__main__':
    unittest.main()
