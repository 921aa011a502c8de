"""test_login.py - accounts, permissions, privileges and the start-up policy.

Each attack is performed against a real ftpd: requests before a login,
password guessing from one address (per connection and across
connections), reaching another user's tree, writing as a read-only user,
a silent connection that never logs in, a peer trickling a frame a byte at
a time, serving anonymously or taking passwords in the clear beyond
loopback, running as root.  Each must fail safely, and a well-behaved
client must still be served afterwards.
"""

import os
import pwd
import select
import subprocess
import time
import unittest

import harness
from harness import (E2ETestCase, RawClient, ServerError, FEATURE_LOGIN,
                     S_DENIED, S_PROTOCOL, S_TIMEOUT)

PASSWORD = 'correct horse'


class LoginTest(E2ETestCase):

    def start_with_users(self, lines=None, args=()):
        tmp = self.make_tmpdir('e2e-users-')
        self.users = os.path.join(tmp, 'users')
        h = harness.hash_password(PASSWORD)
        lines = lines or ['alice:%s:alice:rw' % h, 'bob:%s:/bob:ro' % h,
                          'carol:%s::rw' % h, 'locked:!%s:alice:rw' % h]
        with open(self.users, 'w') as f:
            f.write('# name:hash:root:access\n\n' + '\n'.join(lines) + '\n')
        os.chmod(self.users, 0o600)
        srv = harness.Server(args=['--users', self.users] + list(args))
        for d in ('alice', 'bob'):
            os.makedirs(os.path.join(srv.root, d))
        with open(os.path.join(srv.root, 'bob', 'b.txt'), 'w') as f:
            f.write('bob only')
        with open(os.path.join(srv.root, 'top.txt'), 'w') as f:
            f.write('top')
        self.addCleanup(self._finish_server, srv)
        srv.start()
        return srv

    def client(self, srv, source=None):
        c = RawClient(srv.port, source=source)
        self.addCleanup(c.close)
        hello = c.hello(features=FEATURE_LOGIN)
        self.assertEqual(hello.features, FEATURE_LOGIN)
        return c

    def assert_denied(self, fn, *args, words=None):
        with self.assertRaises(ServerError) as cm:
            fn(*args)
        self.assertEqual(cm.exception.status, S_DENIED)
        self.assertNotEqual(cm.exception.id, 0)
        if words:
            self.assertIn(words, cm.exception.message)
        return cm.exception

    def test_requests_before_login_are_denied(self):
        srv = self.start_with_users()
        c = self.client(srv)
        self.assert_denied(c.list, '', words='login required')
        self.assert_denied(c.get, 'top.txt', words='login required')
        self.assert_denied(c.put_begin, 'new.txt', 3, words='login required')
        c.login('alice', PASSWORD)
        self.assertEqual(c.list(''), [])
        c.put('new.txt', b'abc')
        self.assertEqual(c.get('new.txt')[1], b'abc')
        self.assert_denied(c.login, 'alice', PASSWORD,
                           words='already logged in')
        c.quit()
        self.assertFalse(os.path.exists(os.path.join(srv.root, 'new.txt')))
        with open(os.path.join(srv.root, 'alice', 'new.txt'), 'rb') as f:
            self.assertEqual(f.read(), b'abc')

    def test_wrong_password_unknown_user_and_locked_account(self):
        srv = self.start_with_users()
        c = self.client(srv)
        for user, pw in (('alice', 'wrong'), ('nosuchuser', PASSWORD)):
            self.assert_denied(c.login, user, pw, words='login incorrect')
        c2 = self.client(srv)
        self.assert_denied(c2.login, 'locked', PASSWORD,
                           words='login incorrect')
        c2.login('carol', PASSWORD)
        self.assertIn('top.txt', [e.name for e in c2.list('')])
        log = srv.log_text()
        self.assertNotIn(PASSWORD, log)
        self.assertNotIn('wrong', log.replace('login failed', ''))

    def test_three_failures_close_the_connection(self):
        srv = self.start_with_users()
        c = self.client(srv)
        for _ in range(2):
            self.assert_denied(c.login, 'alice', 'guess')
        fid = c.take_id()
        c.send_frame(harness.LOGIN, fid, harness.p_string('alice') +
                     harness.p_string('guess'))
        err = c.expect_refusal((S_DENIED,), (0,))
        self.assertIn('too many failed logins', err.message)
        ok = self.client(srv)
        ok.login('alice', PASSWORD)
        ok.quit()

    def test_guessing_across_connections_is_limited_per_address(self):
        srv = self.start_with_users()
        # Ten failures from 127.0.0.1 on five connections, in parallel so
        # the one-second delays overlap.
        clients = [self.client(srv) for _ in range(5)]
        for _ in range(2):
            fids = []
            for c in clients:
                fid = c.take_id()
                c.send_frame(harness.LOGIN, fid, harness.p_string('alice') +
                             harness.p_string('guess'))
                fids.append(fid)
            for c, fid in zip(clients, fids):
                with self.assertRaises(ServerError) as cm:
                    c.expect(fid, harness.OK)
                self.assertEqual(cm.exception.status, S_DENIED)
        # Now even the right password is refused from this address...
        c = self.client(srv)
        fid = c.take_id()
        c.send_frame(harness.LOGIN, fid, harness.p_string('alice') +
                     harness.p_string(PASSWORD))
        err = c.expect_refusal((S_DENIED,), (0,))
        self.assertIn('too many failed logins from this address',
                      err.message)
        # ... while another address logs in and is served.
        other = self.client(srv, source='127.0.0.2')
        other.login('alice', PASSWORD)
        other.put('x', b'1')
        self.assertEqual(other.get('x')[1], b'1')
        other.quit()

    def send_logins(self, clients, password='guess'):
        """One LOGIN on each client at once; the answers, in order: None
        for OK, else the ServerError (status, id)."""
        fids = []
        for c in clients:
            fid = c.take_id()
            c.send_frame(harness.LOGIN, fid, harness.p_string('alice') +
                         harness.p_string(password))
            fids.append(fid)
        out = []
        for c, fid in zip(clients, fids):
            try:
                c.expect(fid, harness.OK)
                out.append(None)
            except ServerError as e:
                out.append(e)
        return out

    def test_racing_logins_from_one_address_are_all_counted(self):
        """LOGINs sent at the same moment on 30 connections: only 10
        passwords are ever checked, whatever the interleaving."""
        srv = self.start_with_users()
        clients = [self.client(srv, source='127.0.0.3') for _ in range(30)]
        answers = self.send_logins(clients)
        self.assertTrue(all(a is not None and a.status == S_DENIED
                            for a in answers))
        checked = srv.log_text().count('login failed')
        self.assertEqual(checked, 10)
        refused = [a for a in answers if a.id == 0]
        self.assertEqual(len(refused), 20)
        self.assertIn('too many failed logins from this address',
                      refused[0].message)

    def test_concurrent_logins_do_not_exhaust_memory(self):
        """150 LOGINs at once from 15 addresses (each within its limit):
        hashing is bounded (a yescrypt hash takes megabytes), so the
        daemon's peak memory stays small."""
        srv = self.start_with_users()

        def peak_kib():
            with open('/proc/%d/status' % srv.proc.pid) as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        return int(line.split()[1])
            raise AssertionError('no VmHWM')

        clients = [self.client(srv, source='127.0.1.%d' % (i // 10 + 1))
                   for i in range(150)]
        # The connections' own cost (TLS, sanitizers) is paid by now.
        before = peak_kib()
        answers = self.send_logins(clients)
        self.assertEqual(sum(1 for a in answers
                             if a is not None and a.status == S_DENIED), 150)
        # 4 hashes at once need about 30 MiB; 150 at once needed 1.1 GiB.
        grew = peak_kib() - before
        limit = 64 * 1024 * (2 if harness.SLOW else 1)
        self.assertLess(grew, limit, 'peak memory grew %d KiB' % grew)

    def test_requests_before_login_are_bounded(self):
        """A client that never logs in but keeps requests queued is cut
        off after a few refusals (8), not served refusals forever."""
        srv = self.start_with_users()
        c = self.client(srv)
        first = c.next_id
        # Exactly one request past the limit, all queued at once, so the
        # server reads everything sent before it closes.
        for i in range(9):
            c.send_frame(harness.LIST, first + i, harness.p_string(''))
        for i in range(8):
            self.assert_denied(c.expect, first + i, harness.END,
                               words='login required')
        err = c.expect_refusal((S_DENIED,), (0,))
        self.assertIn('too many requests before login', err.message)
        self.assertEqual(srv.log_text().count('denied LIST'), 8)

    def test_users_are_confined_to_their_root(self):
        srv = self.start_with_users()
        os.symlink('../bob', os.path.join(srv.root, 'alice', 'tobob'))
        c = self.client(srv)
        c.login('alice', PASSWORD)
        for path in ('../bob/b.txt', 'tobob/b.txt', '/bob/b.txt',
                     '../top.txt'):
            with self.subTest(path=path):
                with self.assertRaises(ServerError) as cm:
                    c.get(path)
                self.assertEqual(cm.exception.status, harness.S_BAD_PATH)
        with self.assertRaises(ServerError):
            c.put_begin('tobob/evil', 1)
        self.assertEqual(sorted(os.listdir(os.path.join(srv.root, 'bob'))),
                         ['b.txt'])
        c.quit()

    def test_read_only_user_cannot_write(self):
        srv = self.start_with_users()
        c = self.client(srv)
        c.login('bob', PASSWORD)
        self.assert_denied(c.put_begin, 'b.txt', 4, words='read-only')
        # The refusal came before any data: the session is in step.
        self.assertEqual(c.get('b.txt')[1], b'bob only')
        self.assertEqual([e.name for e in c.list('')], ['b.txt'])
        c.quit()
        with open(os.path.join(srv.root, 'bob', 'b.txt')) as f:
            self.assertEqual(f.read(), 'bob only')
        self.assertEqual(harness.temporaries(srv.root), [])

    def test_read_only_server_overrides_rw_accounts(self):
        srv = self.start_with_users(args=['--read-only'])
        c = self.client(srv)
        c.login('alice', PASSWORD)
        self.assert_denied(c.put_begin, 'a.txt', 1, words='read-only')
        c.quit()
        anon = self.start_server(args=['--read-only'])
        a = RawClient(anon.port)
        self.addCleanup(a.close)
        a.hello()
        self.assert_denied(a.put_begin, 'a.txt', 1, words='read-only')
        a.quit()
        # Not even the checksum cache is written to a read-only tree.
        path = os.path.join(anon.root, 'r.txt')
        with open(path, 'w') as f:
            f.write('read me')
        work = self.make_tmpdir()
        r = harness.run_ftpc(['-c', 'get r.txt', anon.addr], cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listxattr(path), [])

    def test_silent_connection_is_closed_before_login(self):
        srv = self.start_with_users(args=['--login-timeout', '2'])
        c = self.client(srv)
        t0 = time.monotonic()
        err = c.expect_refusal((S_TIMEOUT,), (0,), timeout=30 * harness.SCALE)
        self.assertIn('no login within 2 s', err.message)
        self.assertLess(time.monotonic() - t0, 30 * harness.SCALE)
        ok = self.client(srv)
        ok.login('carol', PASSWORD)
        ok.quit()

    def test_login_needs_the_feature(self):
        srv = self.start_with_users()
        c = RawClient(srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.hello().features, 0)
        self.assert_denied(c.list, '', words='login required')
        fid = c.take_id()
        c.send_frame(harness.LOGIN, fid, harness.p_string('alice') +
                     harness.p_string(PASSWORD))
        c.expect_refusal((S_PROTOCOL,), (0,))
        # An anonymous server grants no LOGIN and refuses the request.
        anon = self.start_server()
        a = RawClient(anon.port)
        self.addCleanup(a.close)
        self.assertEqual(a.hello(features=FEATURE_LOGIN).features, 0)
        fid = a.take_id()
        a.send_frame(harness.LOGIN, fid, harness.p_string('alice') +
                     harness.p_string(PASSWORD))
        a.expect_refusal((S_PROTOCOL,), (0,))

    def test_bad_users_files_are_refused(self):
        tmp = self.make_tmpdir()
        root = os.path.join(tmp, 'root')
        os.mkdir(root)
        h = harness.hash_password(PASSWORD)
        cases = [
            ('alice:%s:alice:rw\n' % h, 0o666, 'writable by group or others'),
            ('alice:%s:alice\n' % h, 0o600, 'users:1: expected'),
            ('# c\nalice:nothash:alice:rw\n', 0o600, 'users:2: the hash'),
            ('alice:%s:../x:rw\n' % h, 0o600, "bad root '../x'"),
            ('alice:%s:a:rx\n' % h, 0o600, 'rw or ro'),
            ('a/b:%s:a:rw\n' % h, 0o600, 'bad user name'),
            ('a:%s:a:rw\na:%s:b:ro\n' % (h, h), 0o600, 'appears twice'),
            ('\n# nobody\n', 0o600, 'no users'),
        ]
        for text, mode, words in cases:
            with self.subTest(words=words):
                users = os.path.join(tmp, 'users')
                with open(users, 'w') as f:
                    f.write(text)
                os.chmod(users, mode)
                r = subprocess.run([harness.FTPD, '--root', root, '--listen',
                                    '127.0.0.1:0', '--users', users] +
                                   harness.ROOT_ARGS, capture_output=True,
                                   timeout=60)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(words, r.stderr.decode())

    def test_policy_beyond_loopback(self):
        """Nothing is bound: the refusal comes before listening."""
        root = self.make_tmpdir()
        users = os.path.join(root, 'users')
        with open(users, 'w') as f:
            f.write('alice:%s::rw\n' % harness.hash_password(PASSWORD))
        os.chmod(users, 0o600)
        for extra, words in (
                ([], 'refusing to serve anonymously'),
                (['--users', users], 'refusing to take passwords in '
                 'plaintext')):
            r = subprocess.run([harness.FTPD, '--root', root, '--listen',
                                '0.0.0.0:0'] + extra + harness.ROOT_ARGS,
                               capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(words, r.stderr.decode())

    def test_hash_password_round_trip(self):
        h = harness.hash_password('s3cret')
        self.assertTrue(h.startswith('$y$'), h)
        again = subprocess.run([harness.FTPD, '--hash-password'],
                               input=b's3cret\n', capture_output=True,
                               timeout=60).stdout.decode().strip()
        self.assertNotEqual(h, again)  # salted
        srv = self.start_with_users(lines=['dave:%s::rw' % h])
        c = self.client(srv)
        c.login('dave', 's3cret')
        c.quit()


class StallTest(E2ETestCase):
    """A peer that keeps a frame coming a byte at a time, each byte well
    within any per-read timeout, is cut off once the frame has taken the
    stall timeout (2 s here), long before it could finish (60 s)."""

    TRICKLE = 0.25  # seconds between bytes
    BYTES = 240     # a minute's worth: the frame is never finished

    def trickle_until_cut(self, c, data):
        """Sends data a byte at a time until the server answers or closes;
        returns (seconds taken, bytes sent)."""
        t0 = time.monotonic()
        for sent, b in enumerate(data):
            readable, _, _ = select.select([c.sock], [], [], self.TRICKLE)
            if readable:
                return time.monotonic() - t0, sent
            try:
                c.send_raw(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                return time.monotonic() - t0, sent
        return time.monotonic() - t0, len(data)

    def test_trickled_request_is_cut_off(self):
        srv = self.start_server(args=['--stall-timeout', '2'])
        c = RawClient(srv.port)
        self.addCleanup(c.close)
        c.hello()
        path = 'p' * self.BYTES
        frame = (harness.HEADER.pack(2 + len(path), harness.LIST, 0, 2) +
                 harness.p_string(path))
        took, sent = self.trickle_until_cut(c, frame)
        self.assertLess(sent, len(frame), 'the whole frame went through')
        err = c.expect_refusal((S_TIMEOUT,), (0,), require_error=False)
        if err is not None:
            self.assertIn('did not arrive within 2 s', err.message)
        self.assertLess(took, 20 * harness.SCALE)
        ok = RawClient(srv.port)
        self.addCleanup(ok.close)
        ok.hello()
        ok.put('f', b'fine')
        ok.quit()

    def test_trickled_upload_is_cut_off_and_nothing_stored(self):
        srv = self.start_server(args=['--stall-timeout', '2'])
        c = RawClient(srv.port)
        self.addCleanup(c.close)
        c.hello()
        fid = c.put_begin('slow.bin', self.BYTES)
        c.send_raw(harness.HEADER.pack(self.BYTES, harness.DATA, 0, fid))
        took, sent = self.trickle_until_cut(c, b'x' * self.BYTES)
        self.assertLess(sent, self.BYTES, 'the whole frame went through')
        c.expect_refusal((S_TIMEOUT,), (0,), require_error=False)
        self.assertLess(took, 20 * harness.SCALE)
        harness.wait_for(lambda: harness.temporaries(srv.root) == [],
                         10 * harness.SCALE, 'temporary removed')
        self.assertFalse(os.path.exists(os.path.join(srv.root, 'slow.bin')))


@unittest.skipUnless(os.geteuid() == 0, 'needs root to drop privileges')
class PrivilegeTest(E2ETestCase):

    def test_drops_to_user_and_serves(self):
        nobody = pwd.getpwnam('nobody')
        srv = harness.Server(args=['--user', 'nobody'])
        os.chown(srv.root, nobody.pw_uid, nobody.pw_gid)
        self.addCleanup(self._finish_server, srv)
        srv.start()
        # The port file is written while still root, just before the drop.
        harness.wait_for(lambda: 'running as nobody' in srv.log_text(),
                         harness.START_TIMEOUT, 'privileges dropped')
        with open('/proc/%d/status' % srv.proc.pid) as f:
            status = dict(line.split(':', 1) for line in f)
        for key in ('Uid', 'Gid'):
            ids = set(int(x) for x in status[key].split())
            self.assertEqual(ids, {nobody.pw_uid if key == 'Uid'
                                   else nobody.pw_gid}, key)
        self.assertNotIn('0', status['Groups'].split())
        c = RawClient(srv.port)
        self.addCleanup(c.close)
        c.hello()
        c.put('mine.txt', b'by nobody')
        c.quit()
        st = os.stat(os.path.join(srv.root, 'mine.txt'))
        self.assertEqual(st.st_uid, nobody.pw_uid)
        self.assertIn('running as nobody', srv.log_text())

    def test_root_without_user_is_refused(self):
        root = self.make_tmpdir()
        r = subprocess.run([harness.FTPD, '--root', root, '--listen',
                            '127.0.0.1:0'], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn('refusing to serve as root', r.stderr.decode())
        r = subprocess.run([harness.FTPD, '--root', root, '--listen',
                            '127.0.0.1:0', '--user', 'no-such-user-x'],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn('no such user', r.stderr.decode())


if __name__ == '__main__':
    unittest.main()
