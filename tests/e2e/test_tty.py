"""test_tty.py - the interactive ftpc in a real terminal (a pty).

What only a terminal shows: Tab completes a remote name from the server's
listing, Up recalls the previous command (and the history outlives the
session), a long download draws a progress line that moves, and Ctrl-C
in the middle of it stops that download, leaves no partial file, and
gives the prompt back with the session still alive.

The server runs with --max-rate so that the 500 MiB download lasts some
seconds whatever the machine: the test waits for events (text on the
terminal, files on disk), never for a time.
"""

import os
import re
import unittest

import harness as h
from fakeserver import FakeServer, entry
from ptyterm import Pty

PROMPT = b'ftpc> '
UP = b'\x1b[A'
BIG = 500 * h.MIB
RATE_KIB = 64 * 1024  # 64 MiB/s: about 8 s for BIG


class TtyTest(h.E2ETestCase):
    def setUp(self):
        self.srv = self.start_server(args=['--max-rate', str(RATE_KIB)])
        h.make_random_file(os.path.join(self.srv.root,
                                        'report-2026-q3.txt'), 1000)
        h.make_sparse_file(os.path.join(self.srv.root, 'big.bin'), BIG)
        self.work = self.make_tmpdir()
        self.history = os.path.join(self.make_tmpdir(), 'history')

    def ftpc(self):
        t = Pty([self.srv.addr], env={'FTPC_HISTORY': self.history,
                                      'LC_ALL': 'C.UTF-8',
                                      'TERM': 'xterm'},
                cwd=self.work)
        self.addCleanup(t.close)
        t.read_until(PROMPT)
        return t

    def command_done(self, t, n):
        """Waits for the nth prompt: the command before it has ended."""
        t.read_until(PROMPT, n)

    def test_completion_history_progress_and_ctrl_c(self):
        t = self.ftpc()
        # Tab: "rep" can only be report-2026-q3.txt on the server (the
        # terminal is sent the rest of the name, and a space).
        t.type(b'get rep\t')
        t.read_until(b'ort-2026-q3.txt ')
        t.type(b'\r')
        self.command_done(t, 2)
        local = os.path.join(self.work, 'report-2026-q3.txt')
        self.assertFileHash(local, h.sha256_file(
            os.path.join(self.srv.root, 'report-2026-q3.txt')))
        os.unlink(local)

        # Up: the previous command comes back (drawn whole: the Tab had
        # sent only the rest of the name), and runs again.
        t.type(UP)
        t.read_until(b'get report-2026-q3.txt')
        t.type(b'\r')
        self.command_done(t, 3)
        self.assertTrue(os.path.isfile(local))

        # A long download: the progress line moves...
        t.type(b'get big.bin\r')
        percents = set()

        def moving():
            tail = t.out[t.out.rfind(b'get big.bin'):]
            percents.update(int(p) for p in
                            re.findall(rb'(\d+)%', tail))
            return len([p for p in percents if 0 < p < 100]) >= 2

        h.wait_for(lambda: t._pump(0.1) >= 0 and moving(), h.IO_TIMEOUT,
                   'a progress line that updates; got %r' % t.out[-400:])
        # ... and Ctrl-C stops it: no file, no hidden part, prompt back.
        t.type(b'\x03')
        self.command_done(t, 4)
        self.assertIn(b'interrupted', t.out[t.out.rfind(b'get big.bin'):])
        self.assertEqual(sorted(os.listdir(self.work)),
                         ['report-2026-q3.txt'])
        # The session is alive: the next command works.
        t.type(b'pwd\r')
        self.command_done(t, 5)
        self.assertTrue(t.out.endswith(b'/\r\n' + PROMPT), t.out[-200:])
        t.type(b'quit\r')
        self.assertEqual(t.finish(), 0, t.out[-400:])
        self.assertEqual(h.temporaries(self.srv.root), [])

        # The history outlived the session (libedit's file writes a
        # blank as \\040).
        with open(self.history, 'rb') as f:
            saved = f.read()
        self.assertIn(b'get\\040big.bin', saved)
        t = self.ftpc()
        t.type(UP)
        t.read_until(b'quit')
        t.type(UP)
        t.read_until(b'pwd')

    def test_ctrl_c_at_the_prompt_clears_the_line(self):
        t = self.ftpc()
        t.type(b'get nothing-here\x03')
        t.read_until(PROMPT, 2)
        t.type(b'pwd\r')
        self.command_done(t, 3)
        self.assertNotIn(b'nothing-here: ', t.out)
        self.assertTrue(t.out.endswith(b'/\r\n' + PROMPT), t.out[-200:])
        t.type(b'\x04')  # Ctrl-D: end of input
        self.assertEqual(t.finish(), 0)


class StalledDownloadTest(h.E2ETestCase):
    """A server that sends half a file and then nothing: Ctrl-C must not
    wait for a frame that is not coming (ftpc's IO timeout is 60 s; the
    wait here is bounded by the harness's 30)."""

    def start(self, features):
        srv = FakeServer(features=features,
                         files={'stuck.bin': b'x' * 100000},
                         stall={'stuck.bin'},
                         listings={'.': [entry('stuck.bin')]})
        self.addCleanup(srv.close)
        self.work = self.make_tmpdir()
        t = Pty([srv.addr], env={'FTPC_HISTORY': '', 'TERM': 'xterm'},
                cwd=self.work)
        self.addCleanup(t.close)
        t.read_until(PROMPT)
        t.type(b'get stuck.bin\r')
        h.wait_for(lambda: h.GET in srv.types(), h.IO_TIMEOUT, 'the GET')
        t.read_until(b'%')  # the progress line: the first DATA is in
        t.type(b'\x03')
        t.read_until(b'interrupted')
        return srv, t

    def test_with_abort_the_session_goes_on(self):
        srv, t = self.start(h.FEATURE_CHECKSUM | h.FEATURE_ABORT)
        t.read_until(PROMPT, 2)
        self.assertIn(h.ABORT, srv.types())
        self.assertEqual(os.listdir(self.work), [])
        t.type(b'ls\r')
        t.read_until(b'stuck.bin\r\n')
        t.type(b'quit\r')
        self.assertEqual(t.finish(), 0, t.out[-400:])

    def test_without_abort_the_connection_is_dropped(self):
        srv, t = self.start(h.FEATURE_CHECKSUM)
        self.assertEqual(t.finish(), 2, t.out[-400:])
        self.assertIn(b'connection closed', t.out)
        self.assertNotIn(h.ABORT, srv.types())
        self.assertEqual(os.listdir(self.work), [])


if __name__ == '__main__':
    unittest.main()
