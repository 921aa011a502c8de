"""test_client_login.py - ftpc USER@HOST against a scripted server.

FakeServer (fakeserver.py) plays a server with accounts, one without, and
one that refuses: it records what LOGIN carried, so these check where the
password came from (FTPC_PASSWORD, --password-file, the terminal), that it
never shows in ftpc's argv, environment or output, that the prompt turns
echo off and back on (a pty from the pty module stands in for the
terminal), and that a password is refused, before any connection, to an
address that is not loopback without TLS.
"""

import os
import shutil
import signal
import subprocess
import termios
import threading
import unittest

import harness as h
from fakeserver import (FEATURE_LOGIN, LOGIN, FakeServer, entry, ftpc_env,
                        popen_ftpc_env, run_ftpc_env)
from ptyterm import Pty

USER = 'alice'
PASSWORD = 'correct horse battery'
FEATURES = h.FEATURE_CHECKSUM | FEATURE_LOGIN
PROMPT = b'Password for alice@127.0.0.1: '


def strace_works():
    """strace is installed and may trace here (some containers forbid
    ptrace)."""
    if shutil.which('strace') is None:
        return False
    r = subprocess.run(['strace', '-o', os.devnull, 'true'],
                       capture_output=True, timeout=60)
    return r.returncode == 0


class ClientLoginTest(h.E2ETestCase):

    def fake(self, features=FEATURES, accounts=None, **kwargs):
        srv = FakeServer(features=features,
                         accounts={USER: PASSWORD} if accounts is None
                         else accounts,
                         listings={'.': [entry('inside.txt')]}, **kwargs)
        self.addCleanup(srv.close)
        return srv

    def pty(self, args, env=None, tls=None):
        t = Pty(args, env, tls)
        self.addCleanup(t.close)
        return t

    def password_file(self, content, mode=0o600):
        d = self.make_tmpdir()
        path = os.path.join(d, 'pw')
        with open(path, 'wb') as f:
            f.write(content)
        os.chmod(path, mode)
        return path

    def assertLoggedIn(self, r, srv, password=PASSWORD):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(srv.logins, [(USER, password)])
        self.assertTrue(srv.hellos[0] & FEATURE_LOGIN)
        self.assertIn('inside.txt', r.stdout)
        self.assertNotIn(password, r.stdout + r.stderr)

    # --- where the password comes from ----------------------------------

    def test_password_from_environment(self):
        srv = self.fake()
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': PASSWORD})
        self.assertLoggedIn(r, srv)
        self.assertEqual(srv.types(), [LOGIN, h.LIST, h.QUIT])

    def test_password_file(self):
        for content in (PASSWORD.encode() + b'\n',
                        PASSWORD.encode() + b'\r\n', PASSWORD.encode(),
                        PASSWORD.encode() + b'\nsecond line\n'):
            srv = self.fake()
            path = self.password_file(content)
            # the file comes first, before the environment
            r = run_ftpc_env(['--password-file', path, '-c', 'ls',
                              '%s@%s' % (USER, srv.addr)],
                             env={'FTPC_PASSWORD': 'not this one'})
            self.assertLoggedIn(r, srv)

    def test_password_file_on_standard_input(self):
        """--password-file /dev/stdin takes one line; the commands follow
        it on standard input."""
        srv = self.fake()
        r = run_ftpc_env(['--password-file', '/dev/stdin',
                          '%s@%s' % (USER, srv.addr)],
                         stdin=PASSWORD.encode() + b'\nls\n')
        self.assertLoggedIn(r, srv)

    def test_password_file_refused(self):
        """A file others may read or write, or that is empty, is refused
        before anything is connected."""
        srv = self.fake()
        cases = [(PASSWORD.encode(), 0o644, 2, 'chmod 600'),
                 (PASSWORD.encode(), 0o620, 2, 'chmod 600'),
                 (b'', 0o600, 64, 'is empty')]
        for content, mode, status, why in cases:
            path = self.password_file(content, mode)
            r = run_ftpc_env(['--password-file', path, '-c', 'ls',
                              '%s@%s' % (USER, srv.addr)])
            self.assertEqual(r.returncode, status, r.stderr)
            self.assertIn(why, r.stderr)
            self.assertNotIn(PASSWORD, r.stdout + r.stderr)
        r = run_ftpc_env(['--password-file', '/nonexistent/pw', '-c', 'ls',
                          '%s@%s' % (USER, srv.addr)])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(srv.connections, 0)

    def test_no_terminal_no_password(self):
        """Without a file, FTPC_PASSWORD or a terminal to ask on: a usage
        error, and no connection."""
        srv = self.fake()
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': ''})
        self.assertEqual(r.returncode, 64, r.stderr)
        self.assertIn('--password-file', r.stderr)
        self.assertEqual(srv.connections, 0)

    def test_password_never_in_argv_or_environment(self):
        """While ftpc waits for LOGIN's answer, its command line holds no
        password and its environment no longer does either."""
        gate = threading.Event()
        self.addCleanup(gate.set)
        srv = self.fake(login_gate=gate)
        p = popen_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                           env={'FTPC_PASSWORD': PASSWORD})
        try:
            h.wait_for(lambda: srv.logins, h.IO_TIMEOUT, 'LOGIN')
            for name in ('cmdline', 'environ'):
                with open('/proc/%d/%s' % (p.pid, name), 'rb') as f:
                    self.assertNotIn(PASSWORD.encode(), f.read(), name)
        finally:
            gate.set()
            out, err = p.communicate(timeout=h.FTPC_TIMEOUT)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(srv.logins, [(USER, PASSWORD)])
        self.assertNotIn(PASSWORD.encode(), out + err)

    # --- the prompt -------------------------------------------------------

    def test_prompt_with_echo_off(self):
        srv = self.fake()
        t = self.pty(['-c', 'ls', '%s@%s' % (USER, srv.addr)])
        self.assertTrue(t.initial[3] & termios.ECHO)
        t.read_until(PROMPT)
        self.assertFalse(t.echo(), 'echo on while asking')
        t.type(PASSWORD.encode() + b'\n')
        self.assertEqual(t.finish(), 0, t.out)
        self.assertEqual(srv.logins, [(USER, PASSWORD)])
        self.assertIn(b'inside.txt', t.out)
        self.assertNotIn(PASSWORD.encode(), t.out)
        self.assertTrue(t.echo(), 'echo left off')
        self.assertEqual(termios.tcgetattr(t.slave), t.initial)

    def test_prompt_interrupted(self):
        """Ctrl-C at the prompt: ftpc dies of SIGINT with the terminal as
        it was, having connected nowhere."""
        srv = self.fake()
        t = self.pty(['-c', 'ls', '%s@%s' % (USER, srv.addr)])
        saved = t.initial
        t.read_until(PROMPT)
        t.type(b'half a pass')
        t.type(bytes([saved[6][termios.VINTR][0]]))
        self.assertEqual(t.finish(), -signal.SIGINT, t.out)
        self.assertEqual(termios.tcgetattr(t.slave), saved)
        self.assertEqual(srv.connections, 0)
        self.assertNotIn(b'half a pass', t.out)

    def test_prompt_terminated(self):
        srv = self.fake()
        t = self.pty(['-c', 'ls', '%s@%s' % (USER, srv.addr)])
        saved = t.initial
        t.read_until(PROMPT)
        t.proc.send_signal(signal.SIGTERM)
        self.assertEqual(t.finish(), -signal.SIGTERM, t.out)
        self.assertEqual(termios.tcgetattr(t.slave), saved)
        self.assertEqual(srv.connections, 0)

    def test_prompt_suspended_asks_again(self):
        """Ctrl-Z restores the terminal before the stop; back from it
        (here at once: a session leader's group is orphaned, so the kernel
        does not stop it), ftpc asks again."""
        srv = self.fake()
        t = self.pty(['-c', 'ls', '%s@%s' % (USER, srv.addr)])
        saved = t.initial
        t.read_until(PROMPT)
        t.type(bytes([saved[6][termios.VSUSP][0]]))
        t.read_until(PROMPT, 2)
        self.assertFalse(t.echo())
        t.type(PASSWORD.encode() + b'\n')
        self.assertEqual(t.finish(), 0, t.out)
        self.assertEqual(srv.logins, [(USER, PASSWORD)])
        self.assertEqual(termios.tcgetattr(t.slave), saved)

    def test_interactive_login_failure_ends_the_session(self):
        """In the interactive shell a refused login fails the connection:
        no ftpc> prompt, exit status 1."""
        srv = self.fake()
        t = self.pty(['%s@%s' % (USER, srv.addr)],
                     env={'FTPC_PASSWORD': 'wrong'})
        self.assertEqual(t.finish(), 1, t.out)
        self.assertIn(b'login as alice: login incorrect', t.out)
        self.assertNotIn(b'ftpc>', t.out)
        self.assertEqual(srv.types(), [LOGIN])

    # --- the server's answers -----------------------------------------------

    def test_wrong_password(self):
        srv = self.fake()
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': 'wrong'})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('ftpc: login as alice: login incorrect', r.stderr)
        self.assertEqual(srv.types(), [LOGIN])
        self.assertEqual(r.stdout, '')

    def test_refusal_that_hangs_up(self):
        """ERROR DENIED with id 0 (too many failures): still a refusal
        (exit 1), its message escaped."""
        srv = self.fake(login_error=(h.S_DENIED,
                                     'too many failures\x1b[2J', True))
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': PASSWORD})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('too many failures\\x1b[2J', r.stderr)
        self.assertNotIn('\x1b', r.stderr)

    def test_server_without_logins(self):
        """A server that does not grant LOGIN serves anonymously: ftpc
        says so and sends no password."""
        srv = self.fake(features=h.FEATURE_CHECKSUM, accounts={})
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': PASSWORD})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('server does not take logins (it serves '
                      'anonymously)', r.stderr)
        self.assertTrue(srv.hellos[0] & FEATURE_LOGIN)
        self.assertEqual(srv.logins, [])
        self.assertNotIn(LOGIN, srv.types())

    def test_anonymous_client_sees_login_required(self):
        srv = self.fake()
        r = run_ftpc_env(['-c', 'ls', srv.addr],
                         env={'FTPC_PASSWORD': PASSWORD})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('ftpc: ls: login required', r.stderr)
        self.assertFalse(srv.hellos[0] & FEATURE_LOGIN)
        self.assertEqual(srv.logins, [])

    def test_bad_user_names(self):
        for arg in ('@127.0.0.1', 'alice:secret@127.0.0.1',
                    'x' * 65 + '@127.0.0.1'):
            r = run_ftpc_env(['-c', 'ls', arg],
                             env={'FTPC_PASSWORD': PASSWORD})
            self.assertEqual(r.returncode, 64, r.stderr)
            self.assertIn('bad USER', r.stderr)
        self.assertNotIn('secret', r.stderr)

    # --- plaintext off the machine -------------------------------------------

    def test_plaintext_password_refused_off_loopback(self):
        """Without TLS, no password goes to an address that is not
        loopback: a usage error before the prompt and before any
        connection attempt (strace watches connect(2) where it can)."""
        tracer = strace_works()
        for addr, shown in (('192.0.2.1:2121', '192.0.2.1:2121'),
                            ('[2001:db8::1]:2121', '[2001:db8::1]:2121'),
                            ('0.0.0.0:2121', '0.0.0.0:2121')):
            trace = os.path.join(self.make_tmpdir(), 'trace')
            args = ['-c', 'ls', '%s@%s' % (USER, addr)]
            if tracer:
                cmd = ['strace', '-f', '-qq', '-e', 'trace=connect,socket',
                       '-o', trace] + h.ftpc_cmd(args, tls=False)
                # LeakSanitizer cannot run under ptrace (ASan builds)
                asan = os.environ.get('ASAN_OPTIONS', '')
                env = ftpc_env({'ASAN_OPTIONS': asan + (':' if asan else '')
                                + 'detect_leaks=0'})
                p = subprocess.run(cmd, capture_output=True,
                                   env=env, start_new_session=True,
                                   stdin=subprocess.DEVNULL,
                                   timeout=h.FTPC_TIMEOUT)
                rc, err = p.returncode, p.stderr.decode()
            else:
                r = run_ftpc_env(args, tls=False)
                rc, err = r.returncode, r.stderr
            self.assertEqual(rc, 64, err)
            self.assertIn('refusing to send a password without TLS to %s'
                          % shown, err)
            if tracer:
                with open(trace) as f:
                    calls = f.read()
                self.assertNotIn('connect(', calls)
                self.assertNotIn('SOCK_STREAM', calls)

    @unittest.skipUnless(h.TLS_BUILT, 'built without TLS')
    def test_unverified_tls_counts_as_plaintext(self):
        """--insecure TLS hides a password from no one on the path: the
        same refusal off loopback."""
        r = run_ftpc_env(['--tls', '--insecure', '-c', 'ls',
                          '%s@192.0.2.1:2121' % USER],
                         env={'FTPC_PASSWORD': PASSWORD}, tls=False)
        self.assertEqual(r.returncode, 64, r.stderr)
        self.assertIn('refusing to send a password over unverified TLS '
                      '(--insecure) to 192.0.2.1:2121', r.stderr)

    def test_plaintext_to_loopback_allowed(self):
        srv = self.fake(tls=False)
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': PASSWORD}, tls=False)
        self.assertLoggedIn(r, srv)

    def test_options_need_a_user(self):
        for opt in (['--allow-plaintext-login'],
                    ['--password-file', '/dev/null']):
            r = run_ftpc_env(opt + ['-c', 'ls', '127.0.0.1:1'])
            self.assertEqual(r.returncode, 64, r.stderr)


# --- against the real daemon ------------------------------------------------

def ftpd_has_users():
    r = subprocess.run([h.FTPD, '--help'], capture_output=True, timeout=60)
    return b'--users' in r.stdout


@unittest.skipUnless(ftpd_has_users(), 'ftpd without --users')
class RealServerLoginTest(h.E2ETestCase):
    """ftpc's logins against ftpd --users: the same answers as the fake's,
    from the real thing."""

    def start_with_users(self):
        users = os.path.join(self.make_tmpdir('e2e-users-'), 'users')
        with open(users, 'w') as f:
            f.write('%s:%s:%s:rw\n' % (USER, h.hash_password(PASSWORD), USER))
        os.chmod(users, 0o600)
        srv = h.Server(args=['--users', users])
        os.makedirs(os.path.join(srv.root, USER))
        with open(os.path.join(srv.root, USER, 'mine.txt'), 'w') as f:
            f.write('for alice')
        with open(os.path.join(srv.root, 'top.txt'), 'w') as f:
            f.write('not for alice')
        self.addCleanup(self._finish_server, srv)
        srv.start()
        return srv

    def test_login_and_transfer(self):
        srv = self.start_with_users()
        work = self.make_tmpdir()
        pw = self.make_tmpdir()
        path = os.path.join(pw, 'pw')
        with open(path, 'w') as f:
            f.write(PASSWORD + '\n')
        os.chmod(path, 0o600)
        for how, env in ((['--password-file', path], None),
                         ([], {'FTPC_PASSWORD': PASSWORD})):
            r = run_ftpc_env(how + ['-c', 'ls; get mine.txt',
                                    '%s@%s' % (USER, srv.addr)],
                             env=env, cwd=work)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('mine.txt', r.stdout)
            self.assertNotIn('top.txt', r.stdout)
            self.assertNotIn(PASSWORD, r.stdout + r.stderr)
        with open(os.path.join(work, 'mine.txt')) as f:
            self.assertEqual(f.read(), 'for alice')
        self.assertNotIn(PASSWORD, srv.log_text())

    def test_prompt(self):
        srv = self.start_with_users()
        t = Pty(['-c', 'ls', '%s@%s' % (USER, srv.addr)])
        self.addCleanup(t.close)
        t.read_until(PROMPT)
        self.assertFalse(t.echo())
        t.type(PASSWORD.encode() + b'\n')
        self.assertEqual(t.finish(), 0, t.out)
        self.assertIn(b'mine.txt', t.out)
        self.assertNotIn(PASSWORD.encode(), t.out)
        self.assertTrue(t.echo())

    def test_refusals(self):
        srv = self.start_with_users()
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': 'wrong'})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('login as alice: login incorrect', r.stderr)
        r = run_ftpc_env(['-c', 'ls', 'mallory@%s' % srv.addr],
                         env={'FTPC_PASSWORD': PASSWORD})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('login incorrect', r.stderr)
        r = run_ftpc_env(['-c', 'ls', srv.addr])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('login required', r.stderr)
        # a well-behaved client is still served
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': PASSWORD})
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_anonymous_server_takes_no_logins(self):
        srv = self.start_server()
        r = run_ftpc_env(['-c', 'ls', '%s@%s' % (USER, srv.addr)],
                         env={'FTPC_PASSWORD': PASSWORD})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('server does not take logins (it serves '
                      'anonymously)', r.stderr)


if __name__ == '__main__':
    unittest.main()
