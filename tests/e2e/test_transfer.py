"""test_transfer.py - round trips through the real ftpc and ftpd.

A put then a get must give back the very bytes sent, for empty, tiny,
chunk-straddling and 5 GiB files and for names with spaces and UTF-8; `ls`
must show every name with its size, even in a directory of 100,000 entries.
"""

import json
import os
import unittest

import harness
from harness import GIB, MIB, E2ETestCase, run_ftpc, sha256_file

def parse_ls(text):
    """{name: (type, size)} from ftpc's ls --json output."""
    kinds = {'file': '-', 'dir': 'd', 'link': 'l', 'other': '?'}
    return {e['name']: (kinds[e['type']], e['size'])
            for e in json.loads(text)}


def quote(name):
    return '"%s"' % name


class TransferTest(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server()
        self.work = self.make_tmpdir()

    def ftpc(self, cmds, **kw):
        return run_ftpc(['-c', cmds, self.srv.addr], cwd=self.work, **kw)

    def round_trip(self, local_name, remote, maker, size, timeout=None):
        """put local_name as remote, check the root's copy, get it back
        under another name, check that too; returns the digest."""
        src = os.path.join(self.work, local_name)
        maker(src, size)
        digest = sha256_file(src)
        back = 'back-' + local_name
        kw = {'timeout': timeout} if timeout else {}
        r = self.ftpc('put %s %s; get %s %s' % (quote(local_name),
                                               quote(remote), quote(remote),
                                               quote(back)), **kw)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, '')
        stored = os.path.join(self.srv.root, remote)
        self.assertEqual(os.path.getsize(stored), size)
        self.assertEqual(sha256_file(stored), digest)
        os.unlink(stored)
        got = os.path.join(self.work, back)
        self.assertEqual(os.path.getsize(got), size)
        self.assertEqual(sha256_file(got), digest)
        os.unlink(got)
        os.unlink(src)
        self.assertEqual(harness.temporaries(self.srv.root), [])
        return digest

    def test_empty_file(self):
        self.round_trip('empty', 'empty', harness.make_random_file, 0)

    def test_one_byte(self):
        self.round_trip('one', 'one', harness.make_random_file, 1)

    def test_one_mib_plus_one(self):
        self.round_trip('mib1', 'mib1', harness.make_random_file, MIB + 1)

    # Offsets past 4 GiB are the same code whatever the transport or the
    # thread checker: CI runs this once per build that can add something
    # (plain and ASan+UBSan), not in every copy of the suite (each copy
    # moves 10 GiB through the disk).
    @unittest.skipIf(harness.TLS or harness.TSAN or not harness.TLS_BUILT,
                     'run by the plaintext copy of the default and ASan '
                     'builds')
    def test_five_gib_sparse_source(self):
        # The source is sparse, the copies are not: about 10 GiB of disk,
        # each copy removed as soon as it has been checked.
        self.round_trip('big', 'big', harness.make_sparse_file, 5 * GIB,
                        timeout=600 * harness.SCALE)

    def test_names_with_spaces_and_utf8(self):
        names = ['my file.txt', 'données €.bin', '日本語.txt']
        sizes = {}
        for i, name in enumerate(names):
            harness.make_random_file(os.path.join(self.work, name), 100 + i)
            sizes[name] = 100 + i
        cmds = '; '.join('put %s' % quote(n) for n in names)
        r = self.ftpc(cmds + '; ls --json')
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = parse_ls(r.stdout)
        self.assertEqual(listed, {n: ('-', sizes[n]) for n in names})
        for name in names:
            digest = sha256_file(os.path.join(self.work, name))
            self.assertEqual(sha256_file(os.path.join(self.srv.root, name)),
                             digest)
            os.unlink(os.path.join(self.work, name))
            r = self.ftpc('get %s' % quote(name))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(sha256_file(os.path.join(self.work, name)),
                             digest)

    def test_ls_shows_kinds_and_sizes(self):
        os.mkdir(os.path.join(self.srv.root, 'sub'))
        harness.make_random_file(os.path.join(self.srv.root, 'sub', 'f'),
                                 4321)
        harness.make_random_file(os.path.join(self.srv.root, 'top'), 7)
        r = self.ftpc('ls --json')
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = parse_ls(r.stdout)
        self.assertEqual(listed['top'], ('-', 7))
        self.assertEqual(listed['sub'][0], 'd')
        self.assertEqual(set(listed), {'top', 'sub'})
        r = self.ftpc('ls --json sub')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(parse_ls(r.stdout), {'f': ('-', 4321)})
        # Plain ls: the names alone, sorted; -l: type, human size, time.
        r = self.ftpc('ls; ls -l; ls -l sub')
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[:2], ['sub', 'top'])
        self.assertRegex(lines[2], r'^d +\S+ \d{4}-\d\d-\d\d \d\d:\d\d sub$')
        self.assertRegex(lines[3], r'^- +7 \d{4}-\d\d-\d\d \d\d:\d\d top$')
        self.assertRegex(lines[4], r'^- +4\.3K \S+ \S+ f$')

    def test_ls_hundred_thousand_entries(self):
        d = os.path.join(self.srv.root, 'many')
        os.mkdir(d)
        n = 100000
        for i in range(n):
            os.close(os.open(os.path.join(d, 'f%06d' % i),
                             os.O_CREAT | os.O_WRONLY, 0o644))
        r = self.ftpc('ls many', timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(r.stdout.splitlines(),
                         ['f%06d' % i for i in range(n)])
        r = self.ftpc('ls --json many', timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        listed = parse_ls(r.stdout)
        self.assertEqual(len(listed), n)
        self.assertEqual(set(listed), {'f%06d' % i for i in range(n)})
        self.assertTrue(all(v == ('-', 0) for v in listed.values()))


if __name__ == '__main__':
    unittest.main()
