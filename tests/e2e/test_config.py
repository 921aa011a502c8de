"""test_config.py - ftpd --config FILE: long option names as keys, the
command line wins, and a bad file is a usage error naming the line."""

import os
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


if __name__ == '__main__':
    unittest.main()
