"""test_signals.py - SIGTERM and SIGINT stop the daemon cleanly.

With idle clients connected (the idle timeout is minutes away), the daemon
must close them and exit with status 0 within a bounded wait, its log free
of sanitizer reports; each client sees at most an ERROR SHUTDOWN with id 0
and then the close.
"""

import os
import signal
import unittest

import harness
from harness import S_SHUTDOWN, E2ETestCase, RawClient, Server


class SignalsTest(E2ETestCase):

    def stop_with_idle_clients(self, sig):
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        harness.make_random_file(os.path.join(srv.root, 'f'), 1000)
        clients = []
        try:
            for _ in range(5):
                c = RawClient(srv.port)
                clients.append(c)
                c.hello()
                c.list('')
            raw = RawClient(srv.port)  # connected, HELLO not yet sent
            clients.append(raw)
            # The daemon has accepted every connection before the signal.
            clients[0].get('f')
            srv.check_clean_exit(sig)  # bounded wait, then exit status 0
            for c in clients:
                c.expect_refusal((S_SHUTDOWN,), (0,), require_error=False)
        finally:
            for c in clients:
                c.close()
        self.assertFalse(srv.running)

    def test_sigterm_with_idle_clients(self):
        self.stop_with_idle_clients(signal.SIGTERM)

    def test_sigint_with_idle_clients(self):
        self.stop_with_idle_clients(signal.SIGINT)

    def test_sigterm_when_idle(self):
        srv = self.start_server()
        srv.check_clean_exit(signal.SIGTERM)

    def test_sigterm_mid_download(self):
        # A GET in progress: the daemon finishes or cuts the stream, but
        # exits 0 and never sends a frame that breaks the spec.
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        harness.make_fast_file(os.path.join(srv.root, 'big'),
                               64 * harness.MIB)
        with RawClient(srv.port) as c:
            c.hello()
            info, _ = c.get('big', stop_after=1)
            srv.send_signal(signal.SIGTERM)
            # Keep reading so the daemon can make progress: either the rest
            # of the stream, or a close.
            try:
                for _ in range(info.size):
                    fr = c.recv_frame()
                    if fr.type == harness.END:
                        break
            except (harness.ConnectionClosed, ConnectionResetError):
                pass
            except harness.ProtocolViolation as e:
                if 'closed inside a frame' not in str(e):
                    raise
            srv.check_exited()


if __name__ == '__main__':
    unittest.main()
