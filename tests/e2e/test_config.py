"""test_config.py - ftpd --config FILE: long option names as keys, the
command line wins, and a bad file is a usage error naming the line."""

import os
import re
import signal
import subprocess
import unittest

import harness
from harness import E2ETestCase, RawClient, ServerError, S_DENIED


class ConfigTest(E2ETestCase):

    def write_config(self, text):
        d = self.make_tmpdir('e2e-config-')
        path = os.path.join(d, 'ftpd.conf')
        with open(path, 'w') as f:
            f.write(text)
        return d, path

    def start_with_config(self, path, port_file, *args):
        proc = subprocess.Popen([harness.FTPD, '--config', path] +
                                list(args), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

        def stop():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            err = proc.communicate(timeout=harness.STOP_TIMEOUT)[1]
            self.assertEqual(proc.returncode, 0, err)
            harness.assert_no_sanitizer(err.decode(), 'ftpd')
        self.addCleanup(stop)

        def port():
            if proc.poll() is not None:
                raise AssertionError('ftpd exited: %s' %
                                     proc.stderr.read().decode())
            try:
                with open(port_file) as f:
                    text = f.read()
            except FileNotFoundError:
                return None
            return int(text) if text.endswith('\n') else None
        return harness.wait_for(port, harness.START_TIMEOUT, 'port file')

    def test_file_sets_options_and_command_line_wins(self):
        d = self.make_tmpdir('e2e-root-')
        port_file = os.path.join(d, 'port')
        root = os.path.join(d, 'served')
        os.mkdir(root)
        with open(os.path.join(root, 'f.txt'), 'w') as f:
            f.write('from the config root')
        tls = (' \n'.join('%s = %s' % (k, v) for k, v in zip(
            ('tls-cert', 'tls-key'), harness.tls_server_args()[1::2]))
               if harness.TLS else '')
        _, conf = self.write_config(
            '# ftpd settings\n\n'
            'root = %s\n'
            '  listen   =   127.0.0.1:0  \n'
            'port-file = %s\n'
            'idle-timeout = 7\n'
            'read-only\n'
            'anonymous = no\n'
            'allow-root = %s\n%s\n'
            % (root, port_file, 'yes' if os.geteuid() == 0 else 'no', tls))
        port = self.start_with_config(conf, port_file, '--idle-timeout', '9')
        c = RawClient(port)
        self.addCleanup(c.close)
        hello = c.hello()
        self.assertEqual(hello.limits[6], 9)  # the command line won
        self.assertEqual(c.get('f.txt')[1], b'from the config root')
        with self.assertRaises(ServerError) as cm:
            c.put_begin('new', 1)  # read-only came from the file
        self.assertEqual(cm.exception.status, S_DENIED)
        c.quit()

    def test_bad_files_are_usage_errors(self):
        cases = [
            ('root = /tmp\nbogus = 1\n', 'ftpd.conf:2: unknown key'),
            ('max-clients = lots\n', 'ftpd.conf, line 1'),
            ('read-only = maybe\n', 'read-only takes yes or no'),
            ('root\n', 'root needs a value'),
            ('help\n', 'unknown key'),
            ('= 3\n', 'expected key = value'),
        ]
        for text, words in cases:
            with self.subTest(words=words):
                _, conf = self.write_config(text)
                r = subprocess.run([harness.FTPD, '--config', conf],
                                   capture_output=True, timeout=60)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(words, r.stderr.decode())
        r = subprocess.run([harness.FTPD, '--config', '/nonexistent/x'],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn('/nonexistent/x', r.stderr.decode())


class TransferLogTest(E2ETestCase):

    def test_one_xferlog_line_per_transfer(self):
        d = self.make_tmpdir('e2e-xfer-')
        log = os.path.join(d, 'xferlog')
        srv = self.start_server(args=['--transfer-log', log])
        work = self.make_tmpdir()
        with open(os.path.join(work, 'my file.txt'), 'wb') as f:
            f.write(b'x' * 1000)
        r = harness.run_ftpc(['-c', 'put "my file.txt"; get "my file.txt" '
                              'back', srv.addr], cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        # An upload cut off half way is logged as incomplete.
        c = RawClient(srv.port)
        c.hello()
        fid = c.put_begin('cut.bin', 100)
        c.send_frame(harness.DATA, fid, b'y' * 40)
        c.close()
        def lines_logged():
            try:
                with open(log) as f:
                    return f.read().count('\n')
            except FileNotFoundError:
                return 0
        harness.wait_for(lambda: lines_logged() == 3, harness.IO_TIMEOUT,
                         'three transfer-log lines')
        with open(log) as f:
            lines = f.read().splitlines()
        # date (5 fields), seconds, host, bytes, "name", b _ dir access user
        # ftpf 0 * status
        pat = re.compile(r'^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} (\d+) '
                         r'127\.0\.0\.1 (\d+) "(.*)" b _ ([io]) a anonymous '
                         r'ftpf 0 \* ([ci])$')
        got = [pat.match(line).groups()[1:] for line in lines]
        self.assertEqual(got, [('1000', 'my file.txt', 'i', 'c'),
                               ('1000', 'my file.txt', 'o', 'c'),
                               ('40', 'cut.bin', 'i', 'i')])


if __name__ == '__main__':
    unittest.main()
