"""test_commands.py - every ftpc command of issue 7, through the real ftpc
and ftpd, in batch mode (ftpc -c 'cmd; cmd' ADDR, run in a temporary
directory).

Each test checks what ftpc printed (stdout, and stderr where a message is
part of the contract) and what is on disk on both sides afterwards: cd and
pwd, lcd, lpwd and lls, mkdir, rmdir, rm, mv and stat, ls in its three
forms with awkward names, get -r and put -r of a tree, mget and mput with
each kind of wildcard (and a pattern that backtracking matchers take
exponential time on, against 10,000 names), help, and --progress.
"""

import json
import os
import re
import subprocess
import sys
import time
import unittest

import harness
from harness import KIB, MIB, GIB, E2ETestCase, run_ftpc, sha256_file

# A fixed time for mtimes, so that dates printed can be predicted
# (2023-11-14 22:13:20 UTC; shown in local time).
T_FIXED = 1700000000
COMMANDS = ['ls', 'cd', 'pwd', 'lcd', 'lpwd', 'lls', 'mkdir', 'rmdir', 'rm',
            'mv', 'stat', 'get', 'put', 'mget', 'mput', 'help', 'quit',
            'exit']


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def listdir(top):
    """Everything under top, relative, sorted (hidden names included)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            out.append(os.path.relpath(os.path.join(dirpath, name), top))
    return sorted(out)


def local_minute(t):
    return time.strftime('%Y-%m-%d %H:%M', time.localtime(t))


def local_second(t):
    return time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(t))


def parse_stat(text):
    """{'name': .., 'type': .., 'size': .., 'modify': ..} of stat's
    output ("  name: x" lines)."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(':')
        if not sep:
            raise AssertionError('stat line without a colon: %r' % line)
        out[key.strip()] = value.strip()
    return out


class CommandCase(E2ETestCase):
    """A daemon with an empty root and an empty local working directory."""

    server_args = ()

    def setUp(self):
        self.srv = self.start_server(args=list(self.server_args))
        self.work = self.make_tmpdir()

    def ftpc(self, cmds, args=(), cwd=None, **kw):
        return run_ftpc(list(args) + ['-c', cmds, self.srv.addr],
                        cwd=cwd or self.work, **kw)

    def ok(self, cmds, **kw):
        r = self.ftpc(cmds, **kw)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def fails(self, cmds, status, message=None, **kw):
        r = self.ftpc(cmds, **kw)
        self.assertEqual(r.returncode, status,
                         'stdout %r stderr %r' % (r.stdout, r.stderr))
        if message is not None:
            self.assertIn(message, r.stderr)
        return r

    def remote(self, *parts):
        return os.path.join(self.srv.root, *parts)

    def local(self, *parts):
        return os.path.join(self.work, *parts)


# --- cd and pwd ----------------------------------------------------------

class CdPwdTest(CommandCase):

    def setUp(self):
        super().setUp()
        os.makedirs(self.remote('a', 'b', 'c'))
        write(self.remote('a', 'b', 'f'), b'inside a/b\n')
        write(self.remote('top'), b'at the root\n')

    def test_relative_absolute_and_dotdot(self):
        r = self.ok('pwd; cd a; pwd; cd b/c; pwd; cd ..; pwd; cd /a; pwd; '
                    'cd ./b/../b/c/; pwd; cd /a/b/c/../..; pwd; cd; pwd; '
                    'cd a/b; cd /; pwd')
        self.assertEqual(r.stdout.splitlines(),
                         ['/', '/a', '/a/b/c', '/a/b', '/a', '/a/b/c', '/a',
                          '/', '/'])

    def test_pwd_escapes_what_it_prints(self):
        os.makedirs(self.remote('sp ace', 'é\x1b[2J'))
        r = self.ok("cd 'sp ace/é\x1b[2J'; pwd; ls ..")
        self.assertEqual(r.stdout, '/sp ace/é\\x1b[2J\né\\x1b[2J\n')

    def test_cd_to_a_file_is_refused(self):
        # The refusal ends the batch: the pwd after it never runs.
        r = self.fails('cd a; cd b/f; pwd', 1, 'not a directory')
        self.assertEqual(r.stdout, '')
        self.fails('cd missing', 1)

    def test_cd_above_the_root_is_refused(self):
        for cmds in ('cd ..', 'cd /..', 'cd a; cd ../..',
                     'cd a/b; cd ../../../a', 'cd a; get ../../top'):
            with self.subTest(cmds=cmds):
                r = self.fails(cmds + '; pwd', 1, 'path leaves the root')
                self.assertEqual(r.stdout, '')
        self.assertEqual(os.listdir(self.work), [])
        # One level up from a subdirectory is not above the root.
        r = self.ok('cd a; cd ..; pwd')
        self.assertEqual(r.stdout, '/\n')

    def test_transfers_and_listings_follow_the_remote_cwd(self):
        write(self.local('up'), b'uploaded from the work dir\n')
        r = self.ok('cd a/b; get f; put up; ls; ls ..; get ../../top t2; '
                    'put up /abs; stat f; cd c; put up ../../up2; ls /')
        self.assertEqual(read(self.local('f')), b'inside a/b\n')
        self.assertEqual(read(self.local('t2')), b'at the root\n')
        self.assertEqual(read(self.remote('a', 'b', 'up')),
                         b'uploaded from the work dir\n')
        self.assertEqual(read(self.remote('abs')),
                         b'uploaded from the work dir\n')
        self.assertEqual(read(self.remote('a', 'up2')),
                         b'uploaded from the work dir\n')
        self.assertFalse(os.path.exists(self.remote('up')))
        out = r.stdout.splitlines()
        # ls in a/b (after put up), ls .. (= a), stat f, ls / at the end.
        self.assertEqual(out[:4], ['c', 'f', 'up', 'b'])
        self.assertEqual(out[4:5], ['  name: f'])
        self.assertEqual(out[8:], ['a', 'abs', 'top'])
        self.assertEqual(parse_stat('\n'.join(out[4:8]))['size'], '11')


# --- lcd, lpwd and lls ---------------------------------------------------

class LocalDirTest(CommandCase):

    def setUp(self):
        super().setUp()
        write(self.remote('f'), b'remote f\n')

    def test_lcd_then_get_lands_there(self):
        os.makedirs(self.local('dl', 'deeper'))
        r = self.ok('lcd dl; lpwd; get f; lcd deeper; get f g; lcd ../..; '
                    'lpwd; get f top')
        real = os.path.realpath(self.work)
        self.assertEqual(r.stdout.splitlines(),
                         [os.path.join(real, 'dl'), real])
        self.assertEqual(read(self.local('dl', 'f')), b'remote f\n')
        self.assertEqual(read(self.local('dl', 'deeper', 'g')), b'remote f\n')
        self.assertEqual(read(self.local('top')), b'remote f\n')
        self.assertEqual(listdir(self.work),
                         ['dl', 'dl/deeper', 'dl/deeper/g', 'dl/f', 'top'])

    def test_lcd_then_put_sends_from_there(self):
        write(self.local('src', 'x'), b'x in src\n')
        self.ok('lcd src; put x')
        self.assertEqual(read(self.remote('x')), b'x in src\n')

    def test_lcd_without_operand_goes_home(self):
        home = self.make_tmpdir()
        env = dict(os.environ, HOME=home)
        r = subprocess.run(harness.ftpc_cmd(['-c', 'lcd; lpwd; get f',
                                             self.srv.addr]),
                           cwd=self.work, env=env, capture_output=True,
                           stdin=subprocess.DEVNULL,
                           timeout=harness.FTPC_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode(), os.path.realpath(home) + '\n')
        self.assertEqual(read(os.path.join(home, 'f')), b'remote f\n')
        self.assertEqual(os.listdir(self.work), [])

    def test_lcd_missing_dir(self):
        r = self.fails('lcd nosuch; get f', 2, 'nosuch')
        self.assertEqual(os.listdir(self.work), [])

    def test_lls_sorted_names(self):
        for name in ('b', 'a', 'B', '10', '9', '.hidden', 'a.b'):
            write(self.local(name), b'')
        os.mkdir(self.local('dir'))
        write(self.local('dir', 'inner'), b'')
        r = self.ok('lls')
        self.assertEqual(r.stdout.splitlines(),
                         ['.hidden', '10', '9', 'B', 'a', 'a.b', 'b', 'dir'])
        r = self.ok('lls dir; lcd dir; lls')
        self.assertEqual(r.stdout, 'inner\ninner\n')

    def test_lls_long(self):
        write(self.local('small'), b'x' * 7)
        write(self.local('kib'), b'x' * 1536)
        os.mkdir(self.local('d'))
        os.symlink('small', self.local('ln'))
        for name in ('small', 'kib', 'd'):
            os.utime(self.local(name), (T_FIXED, T_FIXED))
        r = self.ok('lls -l')
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 4, r.stdout)
        day = re.escape(local_minute(T_FIXED))
        self.assertRegex(lines[0], r'^d +\S+ +%s d$' % day)
        self.assertRegex(lines[1], r'^- +1\.5K +%s kib$' % day)
        self.assertRegex(lines[2], r'^l +5 +\S+ \S+ ln$')
        self.assertRegex(lines[3], r'^- +7 +%s small$' % day)

    def test_lls_json(self):
        write(self.local('f'), b'x' * 1234)
        os.mkdir(self.local('d'))
        os.utime(self.local('f'), (T_FIXED, T_FIXED))
        entries = json.loads(self.ok('lls --json').stdout)
        self.assertEqual(entries[0]['name'], 'd')
        self.assertEqual(entries[0]['type'], 'dir')
        self.assertEqual(entries[1], {'name': 'f', 'type': 'file',
                                      'size': 1234, 'mtime': T_FIXED})

    # A local name that is not UTF-8 still gives JSON (U+FFFD for each
    # bad byte: JSON cannot carry it).
    def test_lls_json_of_a_name_that_is_not_utf8(self):
        with open(os.path.join(os.fsencode(self.work), b'bad\xff'), 'wb'):
            pass
        write(self.local('good'), b'')
        r = self.ok('lls --json')
        raw = r.stdout.encode('utf-8', 'surrogateescape')
        entries = json.loads(raw.decode('utf-8'))
        self.assertEqual(len(entries), 2)
        self.assertEqual(entries[0]['name'], 'bad\ufffd')
        self.assertEqual(entries[1]['name'], 'good')

    def test_lls_missing_dir(self):
        r = self.fails('lls nosuch; get f', 2, 'nosuch')
        self.assertEqual(r.stdout, '')
        self.assertEqual(os.listdir(self.work), [])


# --- mkdir, rmdir, rm, mv and stat -----------------------------------------

class ManageTest(CommandCase):

    def test_mkdir_and_rmdir(self):
        self.ok('mkdir d; mkdir d/e; cd d; mkdir f; mkdir /g; rmdir e')
        self.assertEqual(listdir(self.srv.root), ['d', 'd/f', 'g'])
        self.ok('rmdir d/f; rmdir /g')
        self.assertEqual(listdir(self.srv.root), ['d'])

    def test_mkdir_existing_is_refused(self):
        os.mkdir(self.remote('d'))
        write(self.remote('d', 'keep'), b'keep\n')
        write(self.remote('f'), b'file\n')
        for name in ('d', 'f'):
            with self.subTest(name=name):
                self.fails('mkdir %s; mkdir after' % name, 1, name)
        self.fails('mkdir no/parent', 1)
        self.assertEqual(listdir(self.srv.root), ['d', 'd/keep', 'f'])
        self.assertEqual(read(self.remote('f')), b'file\n')

    def test_rmdir_not_empty_is_refused(self):
        os.makedirs(self.remote('d', 'sub'))
        write(self.remote('f'), b'file\n')
        self.fails('rmdir d', 1, 'not empty')
        self.fails('rmdir f', 1, 'not a directory')
        self.fails('rmdir missing', 1)
        self.assertEqual(listdir(self.srv.root), ['d', 'd/sub', 'f'])

    def test_rm_several_one_missing(self):
        for name in ('a', 'b', 'c'):
            write(self.remote(name), name.encode())
        write(self.local('later'), b'later\n')
        # Every file named is tried; the missing one makes the status,
        # and the batch then stops.
        r = self.fails('rm a missing b c; put later', 1, 'missing')
        self.assertNotIn('ftpc: rm a:', r.stderr)
        self.assertEqual(listdir(self.srv.root), [])
        self.ok('put later; rm later')
        self.assertEqual(listdir(self.srv.root), [])

    def test_rm_of_a_directory_is_refused(self):
        os.mkdir(self.remote('d'))
        write(self.remote('d', 'inner'), b'inner\n')
        write(self.remote('f'), b'f\n')
        self.fails('rm d', 1, 'd')
        # A link goes; its target stays.
        os.symlink('f', self.remote('ln'))
        self.ok('rm ln')
        self.assertEqual(listdir(self.srv.root), ['d', 'd/inner', 'f'])
        self.assertEqual(read(self.remote('f')), b'f\n')

    def test_mv_replaces_a_file(self):
        write(self.remote('from'), b'the new content\n')
        write(self.remote('to'), b'the old content, longer than the new\n')
        self.ok('mv from to')
        self.assertEqual(listdir(self.srv.root), ['to'])
        self.assertEqual(read(self.remote('to')), b'the new content\n')
        # Relative to the remote cwd, and across directories.
        os.mkdir(self.remote('d'))
        self.ok('cd d; mv ../to moved; mv moved /back')
        self.assertEqual(listdir(self.srv.root), ['back', 'd'])
        self.assertEqual(read(self.remote('back')), b'the new content\n')
        self.assertEqual(harness.temporaries(self.srv.root), [])

    def test_mv_a_directory(self):
        os.makedirs(self.remote('d', 'sub'))
        write(self.remote('d', 'sub', 'f'), b'deep\n')
        os.mkdir(self.remote('e'))
        self.ok('mv d e/d2')
        self.assertEqual(listdir(self.srv.root),
                         ['e', 'e/d2', 'e/d2/sub', 'e/d2/sub/f'])
        self.assertEqual(read(self.remote('e', 'd2', 'sub', 'f')), b'deep\n')

    def test_mv_refusals(self):
        write(self.remote('f'), b'f\n')
        os.mkdir(self.remote('d'))
        self.fails('mv missing x', 1, 'missing')
        self.fails('mv f nodir/x', 1)
        self.fails('mv f ../x', 1, 'path leaves the root')
        self.assertEqual(listdir(self.srv.root), ['d', 'f'])

    def test_stat_file_dir_and_link(self):
        write(self.remote('f'), b'z' * 1536)
        os.mkdir(self.remote('d'))
        os.symlink('f', self.remote('ln'))
        os.utime(self.remote('f'), (T_FIXED, T_FIXED))
        os.utime(self.remote('d'), (T_FIXED + 60, T_FIXED + 60))
        r = self.ok('stat f')
        st = parse_stat(r.stdout)
        self.assertEqual(st['name'], 'f')
        self.assertEqual(st['type'], 'file')
        self.assertEqual(st['size'], '1536')
        self.assertTrue(st['modify'].startswith(local_second(T_FIXED)),
                        st['modify'])
        st = parse_stat(self.ok('stat d').stdout)
        self.assertEqual((st['name'], st['type']), ('d', 'directory'))
        self.assertEqual(st['size'], str(os.stat(self.remote('d')).st_size))
        self.assertTrue(st['modify'].startswith(local_second(T_FIXED + 60)))
        # STAT follows a final link that stays inside the root
        # (docs/PROTOCOL.md 5.10): the target's type, size and time.
        st = parse_stat(self.ok('stat ln').stdout)
        self.assertEqual((st['name'], st['type'], st['size']),
                         ('ln', 'file', '1536'))
        self.assertTrue(st['modify'].startswith(local_second(T_FIXED)))
        # Relative to the remote cwd.
        st = parse_stat(self.ok('cd d; stat ../f').stdout)
        self.assertEqual((st['type'], st['size']), ('file', '1536'))
        os.symlink('nowhere', self.remote('dangling'))
        self.fails('stat dangling', 1)
        self.fails('stat missing', 1, 'missing')


# --- ls --------------------------------------------------------------------

class LsTest(CommandCase):

    def test_plain_prints_exactly_the_sorted_names(self):
        names = ['b', 'a', 'B', '10', '9', '.hidden', 'a.b', 'Z_', 'dir']
        for name in names:
            if name == 'dir':
                os.mkdir(self.remote(name))
            else:
                write(self.remote(name), b'')
        r = self.ok('ls')
        self.assertEqual(r.stdout, ''.join(n + '\n' for n in sorted(names)))
        self.assertEqual(r.stderr, '')
        # An empty directory prints nothing; a file lists as itself.
        r = self.ok('ls dir; ls a.b; cd dir; ls')
        self.assertEqual(r.stdout, 'a.b\n')

    def test_ls_missing(self):
        r = self.fails('ls missing', 1, 'missing')
        self.assertEqual(r.stdout, '')

    def test_long_lines(self):
        sizes = {'z0': 0, 'z7': 7, 's1023': 1023, 's1024': 1024,
                 's1536': 1536, 's10k': 10 * KIB}
        human = {'z0': '0', 'z7': '7', 's1023': '1023', 's1024': '1.0K',
                 's1536': '1.5K', 's10k': '10K', 'm20': '20M',
                 'g31': '3.1G'}
        for name, size in sizes.items():
            write(self.remote(name), b'q' * size)
        # Large sizes without the disk: sparse files.
        for name, size in (('m20', 20 * MIB), ('g31', 3 * GIB + 100 * MIB)):
            with open(self.remote(name), 'wb') as f:
                f.truncate(size)
        os.mkdir(self.remote('dir'))
        os.symlink('z7', self.remote('link'))
        for name in list(human) + ['dir']:
            os.utime(self.remote(name), (T_FIXED, T_FIXED))
        r = self.ok('ls -l')
        lines = r.stdout.splitlines()
        names = sorted(list(human) + ['dir', 'link'])
        self.assertEqual([l.rsplit(' ', 1)[-1] for l in lines], names)
        day = re.escape(local_minute(T_FIXED))
        for line, name in zip(lines, names):
            with self.subTest(name=name):
                if name == 'dir':
                    self.assertRegex(line, r'^d +\S+ +%s dir$' % day)
                elif name == 'link':
                    # The link itself: its size is its target's length.
                    self.assertRegex(line, r'^l +2 +\d{4}-\d\d-\d\d '
                                     r'\d\d:\d\d link$')
                else:
                    self.assertRegex(line, r'^- +%s +%s %s$' %
                                     (re.escape(human[name]), day, name))

    def test_json(self):
        write(self.remote('f'), b'x' * 1234)
        os.mkdir(self.remote('d'))
        os.symlink('f', self.remote('ln'))
        os.mkfifo(self.remote('fifo'))
        os.utime(self.remote('f'), (T_FIXED, T_FIXED))
        r = self.ok('ls --json')
        entries = json.loads(r.stdout)
        self.assertIsInstance(entries, list)
        self.assertEqual([e['name'] for e in entries],
                         ['d', 'f', 'fifo', 'ln'])
        for e in entries:
            with self.subTest(name=e['name']):
                self.assertEqual(set(e), {'name', 'type', 'size', 'mtime'})
                st = os.lstat(self.remote(e['name']))
                self.assertEqual(e['size'], st.st_size)
                self.assertEqual(e['mtime'], int(st.st_mtime))
        self.assertEqual({e['name']: e['type'] for e in entries},
                         {'d': 'dir', 'f': 'file', 'fifo': 'other',
                          'ln': 'link'})
        self.assertEqual(entries[1]['mtime'], T_FIXED)
        # An empty directory is an empty array; ls --json -l is JSON.
        r = self.ok('ls --json d; ls -l --json f')
        dec = json.JSONDecoder()
        first, end = dec.raw_decode(r.stdout)
        self.assertEqual(first, [])
        second = json.loads(r.stdout[end:])
        self.assertEqual([e['name'] for e in second], ['f'])

    # name on the server: as plain ls and ls -l must show it
    ODD = {
        'sp ace': 'sp ace',
        'données €': 'données €',
        '日本語.txt': '日本語.txt',
        'new\nline': 'new\\x0aline',
        'tab\tx': 'tab\\x09x',
        'cr\rx': 'cr\\x0dx',
        'esc\x1b[31mred': 'esc\\x1b[31mred',
        'del\x7f': 'del\\x7f',
        'back\\slash': 'back\\\\slash',
        'quo"te\'s': 'quo"te\'s',
        'csi\u009b2J': 'csi\\xc2\\x9b2J',
        'bidi\u202eexe.txt': 'bidi\\xe2\\x80\\xaeexe.txt',
    }

    def test_awkward_names(self):
        for i, name in enumerate(self.ODD):
            write(self.remote(name), b'n' * i)
        names = sorted(self.ODD)
        r = self.ok('ls')
        self.assertEqual(r.stdout.splitlines(), [self.ODD[n] for n in names])
        # Nothing raw that steers a terminal: no controls but the
        # newlines that end lines, no C1 or bidi controls.
        self.assertIsNone(re.search('[\x00-\x09\x0b-\x1f\x7f-\x9f'
                                    '\u202a-\u202e]', r.stdout))
        r = self.ok('ls -l')
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), len(names), r.stdout)
        self.assertIsNone(re.search('[\x00-\x09\x0b-\x1f\x7f]', r.stdout))
        for line, name in zip(lines, names):
            self.assertTrue(line.startswith('- '), line)
            self.assertTrue(line.endswith(' ' + self.ODD[name]), line)
        r = self.ok('ls --json')
        # json.loads is strict: a raw control character in a string is an
        # error, so this also checks the escapes.
        entries = json.loads(r.stdout)
        self.assertEqual([e['name'] for e in entries], names)
        sizes = {n: i for i, n in enumerate(self.ODD)}
        self.assertEqual({e['name']: e['size'] for e in entries}, sizes)
        # And each name can be fetched as listed.
        r = self.ok('get "sp ace"; get \'données €\'; get 日本語.txt')
        self.assertEqual(sorted(os.listdir(self.work)),
                         sorted(['sp ace', 'données €', '日本語.txt']))


# --- get -r and put -r -----------------------------------------------------

def make_tree(top):
    """A tree to copy, and the snapshot (harness.tree_snapshot form) its
    copy must have: nested directories, an empty one, files of several
    sizes (empty, one byte, straddling the 256 KiB DATA chunk), awkward
    names, a link to a file inside (copied as a file) and a link to a
    directory (skipped)."""
    os.makedirs(os.path.join(top, 'a', 'b', 'c'))
    os.makedirs(os.path.join(top, 'empty'))
    files = {'e0': 0, 'one': 1, 'a/mid': 4097, 'a/b/chunky': 2 * 256 * KIB + 5,
             'a/b/c/deep.txt': 100, 'sp ace é': 33}
    for rel, size in files.items():
        harness.make_random_file(os.path.join(top, rel), size)
    os.symlink('a/mid', os.path.join(top, 'flink'))
    os.symlink('a', os.path.join(top, 'dlink'))
    want = harness.tree_snapshot(top)
    want['flink'] = want['a/mid']
    del want['dlink']
    return want


class TreeTest(CommandCase):

    def test_get_r_round_trip(self):
        want = make_tree(self.remote('t'))
        r = self.ok('get -r t')
        self.assertEqual(os.listdir(self.work), ['t'])
        self.assertEqual(harness.tree_snapshot(self.local('t')), want)
        self.assertIn('t/dlink', r.stderr)
        self.assertIn('skipped', r.stderr)
        self.assertEqual(r.stdout, '')

    def test_get_r_to_new_and_existing_local_dirs(self):
        want = make_tree(self.remote('t'))
        self.ok('get -r t newname')
        self.assertEqual(harness.tree_snapshot(self.local('newname')), want)
        os.mkdir(self.local('there'))
        self.ok('get -r t there')
        self.assertEqual(os.listdir(self.local('there')), ['t'])
        self.assertEqual(harness.tree_snapshot(self.local('there', 't')),
                         want)
        self.assertEqual(sorted(os.listdir(self.work)), ['newname', 'there'])

    def test_top_directory_in_the_way_is_one_failure(self):
        """A tree whose top directory cannot be made fails once, before
        any file is tried."""
        make_tree(self.remote('t'))
        write(self.local('afile'), b'mine')
        r = self.fails('get -r t afile', 2, 'afile')
        errors = [line for line in r.stderr.splitlines()
                  if 'skipped' not in line]  # the link to a directory
        self.assertEqual(len(errors), 1, r.stderr)
        self.assertEqual(read(self.local('afile')), b'mine')
        make_tree(self.local('lt'))
        write(self.remote('top'), b'theirs')
        r = self.fails('put -r lt top', 1, 'top')
        errors = [line for line in r.stderr.splitlines()
                  if 'skipped' not in line]
        self.assertEqual(len(errors), 1, r.stderr)
        self.assertEqual(read(self.remote('top')), b'theirs')

    def test_a_lost_subdirectory_spares_its_siblings(self):
        """Only what lies beneath a directory that cannot be made is
        given up; the rest of the tree still arrives."""
        write(self.remote('t', 'a', 'x'), b'x')
        write(self.remote('t', 'b', 'y'), b'y')
        write(self.local('dest', 't', 'a'), b'a file in the way')
        r = self.fails('get -r t dest', 2, 'dest/t/a')
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertEqual(read(self.local('dest', 't', 'b', 'y')), b'y')
        self.assertEqual(read(self.local('dest', 't', 'a')),
                         b'a file in the way')

    def test_get_r_relative_to_remote_cwd(self):
        os.mkdir(self.remote('p'))
        want = make_tree(self.remote('p', 't'))
        self.ok('cd p; get -r t; get -r /p/t/a a2')
        self.assertEqual(harness.tree_snapshot(self.local('t')), want)
        self.assertEqual(harness.tree_snapshot(self.local('a2')),
                         {k[2:]: v for k, v in want.items()
                          if k.startswith('a/')})

    def test_get_r_of_a_file(self):
        write(self.remote('f'), b'file\n')
        self.fails('get -r f', 1, 'not a directory')
        self.fails('get -r missing', 1)
        self.assertEqual(os.listdir(self.work), [])

    def test_put_r_round_trip(self):
        want = make_tree(self.local('t'))
        r = self.ok('put -r t')
        self.assertEqual(os.listdir(self.srv.root), ['t'])
        self.assertEqual(harness.tree_snapshot(self.remote('t')), want)
        self.assertIn('dlink', r.stderr)
        self.assertIn('skipped', r.stderr)
        # And back again, under another name, through both commands.
        self.ok('get -r t back')
        self.assertEqual(harness.tree_snapshot(self.local('back')), want)
        self.assertEqual(harness.temporaries(self.srv.root), [])

    def test_put_r_to_new_and_existing_remote_dirs(self):
        want = make_tree(self.local('t'))
        os.mkdir(self.remote('there'))
        self.ok('put -r t there; put -r t newname')
        self.assertEqual(sorted(os.listdir(self.srv.root)),
                         ['newname', 'there'])
        self.assertEqual(os.listdir(self.remote('there')), ['t'])
        self.assertEqual(harness.tree_snapshot(self.remote('there', 't')),
                         want)
        self.assertEqual(harness.tree_snapshot(self.remote('newname')), want)
        # Into the remote cwd.
        os.mkdir(self.remote('cwd'))
        self.ok('cd cwd; put -r t/a')
        self.assertEqual(harness.tree_snapshot(self.remote('cwd', 'a')),
                         {k[2:]: v for k, v in want.items()
                          if k.startswith('a/')})

    def test_put_r_of_a_file(self):
        write(self.local('f'), b'file\n')
        self.fails('put -r f', 2, 'not a directory')
        self.fails('put -r missing', 2)
        self.assertEqual(os.listdir(self.srv.root), [])


# --- mget and mput ---------------------------------------------------------

# Files of the directory the patterns run against; each holds its name.
M_FILES = ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'ab.txt', 'A.txt', '.x.txt',
           'a.bin', 'b.bin', 'sub/s1.txt', 'sub/s2.bin']
M_DIRS = ['dir.txt']


def make_m(top):
    for rel in M_FILES:
        write(os.path.join(top, rel), rel.encode() + b'\n')
    for rel in M_DIRS:
        os.makedirs(os.path.join(top, rel))
    # A link to a directory matches *.txt but is not a file.
    os.symlink('sub', os.path.join(top, 'ldir.txt'))


M_CASES = [
    (['*.txt'], ['A.txt', 'a.txt', 'ab.txt', 'b.txt', 'c.txt', 'd.txt']),
    (['?.txt'], ['A.txt', 'a.txt', 'b.txt', 'c.txt', 'd.txt']),
    (['[a-c]*'], ['a.bin', 'a.txt', 'ab.txt', 'b.bin', 'b.txt', 'c.txt']),
    (['[!a]*'], ['A.txt', 'b.bin', 'b.txt', 'c.txt', 'd.txt']),
    (['sub/*.txt'], ['s1.txt']),
    (['.*'], ['.x.txt']),
    (['a*', 'sub/*.bin', '[cd].txt'],
     ['a.bin', 'a.txt', 'ab.txt', 'c.txt', 'd.txt', 's2.bin']),
]


class MgetMputTest(CommandCase):

    def check_fetched(self, where, names, source):
        self.assertEqual(sorted(os.listdir(where)), sorted(names))
        for name in names:
            rel = 'sub/' + name if name.startswith('s') else name
            self.assertEqual(read(os.path.join(where, name)),
                             read(os.path.join(source, rel)))

    def test_mget_patterns(self):
        make_m(self.remote('m'))
        for pats, names in M_CASES:
            with self.subTest(patterns=pats):
                work = self.make_tmpdir()
                quoted = ' '.join("'%s'" % p for p in pats)
                r = self.ok('cd m; mget ' + quoted, cwd=work)
                self.check_fetched(work, names, self.remote('m'))
                self.assertEqual(r.stdout, '')

    def test_mget_pattern_in_a_path(self):
        make_m(self.remote('m'))
        self.ok("mget 'm/*.bin' '/m/sub/s?.txt'")
        self.check_fetched(self.work, ['a.bin', 'b.bin', 's1.txt'],
                           self.remote('m'))

    def test_mget_no_match(self):
        make_m(self.remote('m'))
        for cmds in ("cd m; mget '*.zip'", "cd m; mget 'a*' '*.zip'",
                     "cd m; mget 'dir*'", "mget 'm/x*'"):
            with self.subTest(cmds=cmds):
                self.fails(cmds + '; lcd nosuch', 1, 'no file matches')
                self.assertEqual(os.listdir(self.work), [])
        self.fails("mget 'nosuchdir/*'", 1)
        self.assertEqual(os.listdir(self.work), [])

    def test_one_name_twice_is_refused(self):
        """Two files of one name (or one file matched twice) would be
        written over each other: nothing moves."""
        for d in ('d1', 'd2'):
            write(self.remote(d, 'x.txt'), d.encode())
        self.fails("mget 'd1/*' 'd2/*'", 64, 'matched twice')
        self.fails("mget 'd1/*.txt' 'd1/x*'", 64, 'matched twice')
        self.assertEqual(os.listdir(self.work), [])
        for d in ('l1', 'l2'):
            write(self.local(d, 'y.txt'), d.encode())
        self.fails("mput 'l1/*' 'l2/*'", 64, 'matched twice')
        self.assertFalse(os.path.exists(self.remote('y.txt')))

    def test_mput_patterns(self):
        make_m(self.local('m'))
        for i, (pats, names) in enumerate(M_CASES):
            with self.subTest(patterns=pats):
                os.mkdir(self.remote('up%d' % i))
                quoted = ' '.join("'%s'" % p for p in pats)
                r = self.ok('lcd m; cd up%d; mput %s' % (i, quoted))
                self.check_fetched(self.remote('up%d' % i), names,
                                   self.local('m'))
                self.assertEqual(r.stdout, '')

    def test_mput_no_match(self):
        make_m(self.local('m'))
        for cmds in ("lcd m; mput '*.zip'", "lcd m; mput 'a*' '*.zip'",
                     "lcd m; mput 'dir*'"):
            with self.subTest(cmds=cmds):
                # Nothing local matches: a local error.
                self.fails(cmds + '; mkdir later', 2, 'no file matches')
                self.assertEqual(os.listdir(self.srv.root), [])


class LocalDirectoryInTheWayTest(CommandCase):
    """A downloaded file whose local name is taken by a directory: get
    refuses it (exit 2, "Is a directory"); mget and get -r must not put the
    file inside that directory instead, which is neither "into the local
    working directory under their own names" nor the tree's layout."""

    def test_get_refuses(self):
        write(self.remote('axb'), b'remote axb\n')
        os.mkdir(self.local('axb'))
        self.fails('get axb', 2, 'axb')
        self.assertEqual(os.listdir(self.local('axb')), [])

    # A planned local path is the file's own (FTPC_LOCAL_EXACT): a
    # directory of that name is in the way, not a place to write into.
    def test_mget_does_not_write_into_it(self):
        write(self.remote('axb'), b'remote axb\n')
        os.mkdir(self.local('axb'))
        r = self.ftpc("mget 'a*'")
        self.assertEqual(os.listdir(self.local('axb')), [])
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_get_r_does_not_write_into_it(self):
        write(self.remote('t', 'x'), b'remote t/x\n')
        os.makedirs(self.local('dest', 't', 'x'))
        r = self.ftpc('get -r t dest')
        self.assertEqual(os.listdir(self.local('dest', 't', 'x')), [])
        self.assertEqual(r.returncode, 2, r.stderr)


class PathologicalPatternTest(CommandCase):
    """10,000 names that are long runs of 'a' (with an 'x' somewhere), and
    a pattern with seven stars: a matcher that backtracks over every way
    the stars could split a name takes exponential time here."""

    SLOW_PATTERN = 'a*a*a*a*a*a*a*b'

    def make_names(self):
        names = ['a' * k for k in range(1, 256)]
        # 'a' * k + 'x' + 'a' * m, longest names first (up to 255 bytes).
        for length in range(255, 2, -1):
            for k in range(1, length - 1):
                names.append('a' * k + 'x' + 'a' * (length - 1 - k))
                if len(names) == 10000:
                    break
            if len(names) == 10000:
                break
        self.assertEqual(len(set(names)), 10000)
        for name in names:
            fd = os.open(self.remote(name), os.O_CREAT | os.O_WRONLY, 0o644)
            try:
                os.write(fd, name.encode()[-32:])
            finally:
                os.close(fd)
        return names

    def timed(self, cmds):
        start = time.monotonic()
        r = self.ftpc(cmds, timeout=harness.FTPC_TIMEOUT)
        elapsed = time.monotonic() - start
        return r, elapsed

    def test_no_match_among_ten_thousand(self):
        self.make_names()
        r, elapsed = self.timed("mget '%s'" % self.SLOW_PATTERN)
        sys.stderr.write('\n[pathological mget %r over 10,000 names: '
                         '%.3f s wall]\n' % (self.SLOW_PATTERN, elapsed))
        self.assertEqual(r.returncode, 1, r.stderr[-2000:])
        self.assertIn('no file matches', r.stderr)
        self.assertEqual(os.listdir(self.work), [])

    def test_a_few_match_among_ten_thousand(self):
        names = self.make_names()
        pattern = 'a*a*a*a*a*a*a*xa'
        want = [n for n in names
                if n.endswith('xa') and n.count('a') - 1 >= 7]
        self.assertTrue(0 < len(want) < 100, len(want))
        r, elapsed = self.timed("mget '%s'" % pattern)
        sys.stderr.write('\n[mget %r over 10,000 names, %d matches: '
                         '%.3f s wall]\n' % (pattern, len(want), elapsed))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(sorted(os.listdir(self.work)), sorted(want))
        for name in want:
            self.assertEqual(read(self.local(name)), name.encode()[-32:])


# --- help ------------------------------------------------------------------

class HelpTest(CommandCase):

    def test_help_lists_every_command(self):
        r = self.ok('help')
        lines = r.stdout.splitlines()
        self.assertEqual([l.split()[0] for l in lines], COMMANDS)
        self.assertEqual(r.stderr, '')
        # Each line's usage is the one help CMD prints.
        for line, name in zip(lines, COMMANDS):
            with self.subTest(cmd=name):
                r = self.ok('help ' + name)
                first = r.stdout.splitlines()[0]
                self.assertTrue(first.startswith('usage: %s' % name), first)
                self.assertTrue(line.strip().startswith(first[7:]),
                                (line, first))
                self.assertGreater(len(r.stdout.splitlines()), 1)

    def test_help_get(self):
        r = self.ok('help get')
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], 'usage: get [-c [--restart]] [-z] [-r] '
                         'REMOTE [LOCAL]')
        self.assertIn('-r', r.stdout[len(lines[0]):])

    def test_help_unknown_command(self):
        write(self.local('a'), b'a\n')
        r = self.fails('help nosuch; put a', 64, 'nosuch')
        self.assertEqual(r.stdout, '')
        self.assertEqual(os.listdir(self.srv.root), [])
        self.fails('help get put', 64)


# --- --progress ------------------------------------------------------------

PROGRESS_LINE = re.compile(r'^(\S+) +(\d{1,3})% +\S+ \S+ / \S+ \S+ ')


class ProgressTest(CommandCase):

    def setUp(self):
        super().setUp()
        harness.make_fast_file(self.remote('f'), 3 * MIB + 17)
        self.digest = sha256_file(self.remote('f'))

    def progress_lines(self, stderr):
        lines = [l for l in re.split(r'[\r\n]+', stderr) if l.strip()]
        self.assertTrue(lines, 'no progress output')
        for line in lines:
            self.assertRegex(line, PROGRESS_LINE)
        return lines

    def test_progress_on_a_pipe(self):
        r = self.ok('get f', args=['--progress'])
        lines = self.progress_lines(r.stderr)
        self.assertTrue(all(PROGRESS_LINE.match(l).group(1) == 'f'
                            for l in lines), lines)
        pcts = [int(PROGRESS_LINE.match(l).group(2)) for l in lines]
        self.assertEqual(pcts, sorted(pcts))
        self.assertEqual(pcts[-1], 100)
        self.assertIn('100%', lines[-1])
        self.assertEqual(r.stdout, '')
        self.assertEqual(sha256_file(self.local('f')), self.digest)

    def test_no_progress_without_the_option(self):
        r = self.ok('get f; put f g; mget f')
        self.assertEqual(r.stderr, '')
        self.assertEqual(sha256_file(self.remote('g')), self.digest)

    def test_progress_of_a_batch(self):
        for name in ('x1', 'x2', 'x3'):
            write(self.remote(name), name.encode() * 1000)
        r = self.ok("mget 'x*'", args=['--progress'])
        lines = self.progress_lines(r.stderr)
        self.assertIn('100%', lines[-1])
        self.assertIn('[3/3 files, 100%]', lines[-1])
        self.assertEqual(sorted(os.listdir(self.work)), ['x1', 'x2', 'x3'])


if __name__ == '__main__':
    unittest.main()
