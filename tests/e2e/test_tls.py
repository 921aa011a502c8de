"""test_tls.py - TLS: verification, refusals with reasons, mixed transports.

Certificates come from harness.TestPKI (the `openssl` command, at test
time).  Each refusal must name its reason on the client (ftpc's stderr, exit
status 3) and in the daemon's log, and the daemon must go on serving.  A
plaintext peer on a TLS port and a TLS peer on a plaintext port must fail
fast: the daemon's log proves no one waited for the HELLO timeout.

In a build without TLS (-DFTP_WITH_TLS=OFF) only the last class runs: the
TLS options must be refused with "built without TLS support".
"""

import os
import socket
import ssl
import subprocess
import time
import unittest

import harness
from harness import E2ETestCase, RawClient, sha256_file

# Shorter than the daemon's 10 s HELLO timeout: a peer that waited for it
# would overrun this bound, which is only there to turn a hang into a
# failure.
FAIL_FAST = 8


def shared_pki():
    """The test PKI plus the odd certificates these tests need."""
    p = harness.pki()
    if not hasattr(p, 'other_ca'):
        p.other_ca, _ = p.make_ca('other', 'other CA')
        p.expired = p.make_leaf('expired', 'ca', '127.0.0.1',
                                san='IP:127.0.0.1', expired=True)
        p.elsewhere = p.make_leaf('elsewhere', 'ca', '127.0.0.2',
                                  san='IP:127.0.0.2,DNS:elsewhere.invalid')
        p.client_expired = p.make_leaf('client-expired', 'ca', 'old client',
                                       client=True, expired=True)
        p.client_other = p.make_leaf('client-other', 'other', 'stranger',
                                     client=True)
    return p


@unittest.skipUnless(harness.TLS_BUILT, 'built without TLS')
class TlsTest(E2ETestCase):

    def setUp(self):
        self.pki = shared_pki()
        self.work = self.make_tmpdir()

    def server(self, cert=None, client_ca=False, tls=True):
        args = []
        if tls and cert is not None:
            args = ['--tls-cert', cert[0], '--tls-key', cert[1]]
        elif tls:
            args = harness.tls_server_args(self.pki, client_ca)
        srv = self.start_server(args=args, tls=False)
        harness.make_random_file(os.path.join(srv.root, 'f'), 300 * 1024)
        return srv

    def ftpc(self, srv, *opts, cmds='ls', addr=None, timeout=None):
        args = list(opts) + ['-c', cmds, addr or srv.addr]
        return harness.run_ftpc(args, cwd=self.work, tls=False,
                                timeout=timeout or harness.FTPC_TIMEOUT)

    def ftpc_tls(self, srv, *opts, **kw):
        return self.ftpc(srv, '--tls', '--ca', self.pki.ca_crt, *opts, **kw)

    def wait_log(self, srv, text):
        harness.wait_for(lambda: text in srv.log_text(), harness.IO_TIMEOUT,
                         'ftpd to log %r' % text)

    def assert_refused(self, r, *words):
        self.assertEqual(r.returncode, 3, r)
        for w in words:
            self.assertIn(w, r.stderr)

    def assert_still_serving(self, srv, *opts):
        r = self.ftpc_tls(srv, *opts, cmds='get f')
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(sha256_file(os.path.join(self.work, 'f')),
                         sha256_file(os.path.join(srv.root, 'f')))
        os.unlink(os.path.join(self.work, 'f'))

    # --- sessions that work ---

    def test_session_over_tls(self):
        srv = self.server()
        harness.make_random_file(os.path.join(self.work, 'up'), 700 * 1024)
        r = self.ftpc_tls(srv, cmds='put up; get f; ls')
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(sha256_file(os.path.join(srv.root, 'up')),
                         sha256_file(os.path.join(self.work, 'up')))
        self.assertIn('up', r.stdout)
        self.wait_log(srv, 'open tls="TLSv1.3')

    def test_raw_client_sees_alpn_and_tls13(self):
        srv = self.server()
        with RawClient(srv.port, tls=True) as c:
            self.assertEqual(c.sock.selected_alpn_protocol(), 'ftpf/1')
            self.assertEqual(c.sock.version(), 'TLSv1.3')
            c.hello()
            self.assertEqual(len(c.get('f')[1]), 300 * 1024)
            c.quit()

    def test_tls12_still_accepted(self):
        srv = self.server()
        ctx12 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx12.load_verify_locations(self.pki.ca_crt)
        ctx12.set_alpn_protocols(['ftpf/1'])
        ctx12.maximum_version = ssl.TLSVersion.TLSv1_2
        with RawClient(srv.port, tls=True, context=ctx12) as c:
            self.assertEqual(c.sock.version(), 'TLSv1.2')
            c.hello()
            c.quit()
        self.wait_log(srv, 'open tls="TLSv1.2')

    def test_mutual_tls_logs_subject(self):
        srv = self.server(client_ca=True)
        r = self.ftpc_tls(srv, '--cert', self.pki.client_crt, '--key',
                          self.pki.client_key)
        self.assertEqual(r.returncode, 0, r)
        self.wait_log(srv, 'client="CN=e2e client"')

    def test_insecure_is_warned(self):
        srv = self.server(cert=self.pki.elsewhere)
        r = self.ftpc(srv, '--tls', '--insecure')
        self.assertEqual(r.returncode, 0, r)
        self.assertIn('warning: --insecure', r.stderr)

    # --- refusals, each with its reason on both sides ---

    def test_wrong_ca(self):
        srv = self.server()
        r = self.ftpc(srv, '--tls', '--ca', self.pki.other_ca)
        self.assert_refused(r, 'TLS handshake with %s failed' % srv.addr,
                            'certificate verify failed: unable to get '
                            'local issuer certificate')
        self.wait_log(srv, 'TLS handshake failed: the client refused the '
                      'handshake: tlsv1 alert unknown ca')
        self.assert_still_serving(srv)

    def test_system_store_does_not_know_test_ca(self):
        srv = self.server()
        r = self.ftpc(srv, '--tls')
        self.assert_refused(r, 'unable to get local issuer certificate')

    def test_ip_address_mismatch(self):
        srv = self.server(cert=self.pki.elsewhere)
        r = self.ftpc_tls(srv)
        self.assert_refused(r, 'certificate verify failed: IP address '
                            'mismatch')
        self.wait_log(srv, 'the client refused the handshake: sslv3 alert '
                      'bad certificate')

    def test_host_name_mismatch(self):
        srv = self.server()  # its certificate names only IP 127.0.0.1
        r = self.ftpc_tls(srv, addr='localhost:%d' % srv.port)
        self.assert_refused(r, 'certificate verify failed: hostname '
                            'mismatch')
        self.wait_log(srv, 'sslv3 alert bad certificate')

    def test_expired_certificate(self):
        srv = self.server(cert=self.pki.expired)
        r = self.ftpc_tls(srv)
        self.assert_refused(r, 'certificate verify failed: certificate has '
                            'expired')
        self.wait_log(srv, 'sslv3 alert certificate expired')

    def test_missing_client_certificate(self):
        srv = self.server(client_ca=True)
        r = self.ftpc_tls(srv)
        self.assert_refused(r, 'the server requires a client certificate')
        self.wait_log(srv, 'TLS handshake failed: client sent no '
                      'certificate, but one is required')
        self.assert_still_serving(srv, '--cert', self.pki.client_crt,
                                  '--key', self.pki.client_key)

    def test_client_certificate_from_other_ca(self):
        srv = self.server(client_ca=True)
        crt, key = self.pki.client_other
        r = self.ftpc_tls(srv, '--cert', crt, '--key', key)
        self.assert_refused(r, 'the server refused the handshake')
        self.wait_log(srv, 'client certificate verify failed: unable to '
                      'get local issuer certificate')

    def test_expired_client_certificate(self):
        srv = self.server(client_ca=True)
        crt, key = self.pki.client_expired
        r = self.ftpc_tls(srv, '--cert', crt, '--key', key)
        self.assert_refused(r, 'certificate expired')
        self.wait_log(srv, 'client certificate verify failed: certificate '
                      'has expired')

    def test_client_without_alpn(self):
        srv = self.server()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.pki.ca_crt)
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            RawClient(srv.port, tls=True, context=ctx).close()
        self.wait_log(srv, 'client offered no ALPN protocol')

    def test_client_with_other_alpn(self):
        srv = self.server()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.pki.ca_crt)
        ctx.set_alpn_protocols(['http/1.1'])
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            RawClient(srv.port, tls=True, context=ctx).close()
        self.wait_log(srv, 'no common application protocol')

    # --- mixed transports fail fast ---

    def test_plaintext_client_against_tls_server(self):
        srv = self.server()
        r = self.ftpc(srv, timeout=FAIL_FAST)
        self.assert_refused(r, 'try --tls')
        self.wait_log(srv, 'TLS handshake failed: peer is not speaking TLS')
        self.assertNotIn('timed out', srv.log_text())
        self.assert_still_serving(srv)

    def test_raw_plaintext_hello_against_tls_server(self):
        srv = self.server()
        with RawClient(srv.port, tls=False, timeout=FAIL_FAST) as c:
            c.send_frame(harness.HELLO, 1, harness.hello_body())
            try:
                data = c.sock.recv(4096)
                # At most a TLS alert record (type 21), never a frame.
                self.assertTrue(data == b'' or data[0] == 21, data)
            except ConnectionResetError:
                pass
        self.wait_log(srv, 'peer is not speaking TLS')
        self.assert_still_serving(srv)

    def test_tls_client_against_plaintext_server(self):
        srv = self.server(tls=False)
        r = self.ftpc_tls(srv, timeout=FAIL_FAST)
        self.assert_refused(r, 'server is not speaking TLS')
        self.wait_log(srv, 'close duration=')
        self.assertNotIn('no HELLO', srv.log_text())
        r = self.ftpc(srv, cmds='get f')
        self.assertEqual(r.returncode, 0, r)

    def test_stalled_handshake_does_not_block_others(self):
        srv = self.server()
        with socket.create_connection(('127.0.0.1', srv.port)):
            # Connected, silent: its handshake waits in its own thread.
            self.assert_still_serving(srv)
            self.wait_log(srv, 'TLS handshake failed: handshake timed out '
                          'after 10 s')

    def test_trickled_handshake_hits_the_deadline(self):
        """A peer sending its ClientHello a byte every 2 s never stays
        silent long enough for a per-read timeout: only a deadline on the
        whole handshake cuts it (at 10 s; a real ClientHello of a few
        hundred bytes takes many minutes at this pace)."""
        srv = self.server()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols([harness.ALPN])
        out = ssl.MemoryBIO()
        obj = ctx.wrap_bio(ssl.MemoryBIO(), out)
        with self.assertRaises(ssl.SSLWantReadError):
            obj.do_handshake()
        hello = out.read()
        self.assertGreater(len(hello), 100)
        with socket.create_connection(('127.0.0.1', srv.port)) as s:
            s.settimeout(2)
            closed = False
            deadline = time.monotonic() + 40 * harness.SCALE
            for b in hello:
                if time.monotonic() > deadline:
                    break
                try:
                    s.sendall(bytes([b]))
                    if s.recv(4096) == b'':
                        closed = True
                        break
                except socket.timeout:
                    continue
                except OSError:  # reset, or an alert then a reset
                    closed = True
                    break
            self.assertTrue(closed, 'a trickled handshake was never cut')
        self.wait_log(srv, 'TLS handshake failed: handshake timed out '
                      'after 10 s')
        self.assert_still_serving(srv)

    # --- configuration errors at start ---

    def test_bad_certificate_files(self):
        p = self.pki
        root = self.make_tmpdir()
        cases = [
            (['--tls-cert', os.path.join(root, 'none'), '--tls-key',
              p.server_key], 'cannot load certificate'),
            (['--tls-cert', p.server_crt, '--tls-key', p.client_key],
             'key values mismatch'),
            (['--tls-cert', p.server_crt, '--tls-key', p.server_key,
              '--tls-client-ca', os.path.join(root, 'none')],
             'cannot load client CA'),
        ]
        for args, words in cases:
            with self.subTest(words=words):
                r = subprocess.run([harness.FTPD, '--root', root,
                                    '--listen', '127.0.0.1:0'] + args +
                                   harness.ROOT_ARGS,
                                   capture_output=True, timeout=60)
                self.assertEqual(r.returncode, 1)
                self.assertIn(words, r.stderr.decode())
        r = subprocess.run([harness.FTPD, '--root', root, '--tls-cert',
                            p.server_crt], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn('--tls-cert and --tls-key go together',
                      r.stderr.decode())


@unittest.skipIf(harness.TLS_BUILT, 'built with TLS')
class WithoutTlsTest(E2ETestCase):

    def test_tls_options_refused(self):
        root = self.make_tmpdir()
        r = subprocess.run([harness.FTPD, '--root', root, '--listen',
                            '127.0.0.1:0', '--tls-cert', 'c.pem',
                            '--tls-key', 'k.pem'] + harness.ROOT_ARGS,
                           capture_output=True,
                           timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('built without TLS support', r.stderr.decode())
        r = harness.run_ftpc(['--tls', '-c', 'ls', '127.0.0.1:1'],
                             tls=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('built without TLS support', r.stderr)

    def test_plaintext_still_works(self):
        srv = self.start_server(tls=False)
        r = harness.run_ftpc(['-c', 'ls', srv.addr], tls=False)
        self.assertEqual(r.returncode, 0, r)


if __name__ == '__main__':
    unittest.main()
