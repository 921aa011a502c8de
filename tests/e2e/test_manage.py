"""test_manage.py - STAT, MKDIR, RMDIR, DELETE and RENAME on the wire
(docs/PROTOCOL.md 5.10, 6, 7 and 9), spoken frame by frame.

Each request is checked against a real ftpd serving a small tree with
files, directories, a FIFO and symbolic links, two of which lead outside
the root to a directory holding a canary: what each request answers, what
it changed on disk, and that nothing outside the root was created, removed,
renamed or followed.  Also: the requests exist only in a session with the
MANAGE feature; those that change the tree are refused to a read-only
server, to a read-only account and before a login; a directory holding a
kept upload (5.7) can be removed, one with an upload in progress cannot.
"""

import os
import unittest

import harness
from harness import (KIB, MIB, OK, S_BAD_PATH, S_DENIED, S_EXISTS, S_IS_DIR,
                     S_NOT_DIR, S_NOT_FOUND, S_PROTOCOL, E2ETestCase,
                     ServerError, p_string)
from manage_client import (DELETE, FEATURE_ABORT, FEATURE_MANAGE, INFO,
                           MKDIR, RENAME, RMDIR, S_NOT_EMPTY, STAT,
                           ManageClient, interrupted_put, partials, read,
                           rename_body, write)

KIND_FILE, KIND_DIR, KIND_OTHER = (harness.KIND_FILE, harness.KIND_DIR,
                                   harness.KIND_OTHER)
FEATURES = FEATURE_MANAGE | FEATURE_ABORT
RESUME = harness.FEATURE_CHECKSUM | harness.FEATURE_RESUME
T_FILE = 1704067200  # 2024-01-01: mtimes no file made now has
T_DIR = 1600000000
FILE_TEXT = b'the file inside the root\n'
INNER_TEXT = b'inner file of d\n'
CANARY = b'CANARY outside the root\n'
PASSWORD = 'manage pw'
# Bad in every request, whatever the tree holds (section 7).
SYNTAX_BAD = ['../x', '/x', 'd/../f.txt', 'a//b', 'd/', './f.txt', 'd/.',
              '.ftpd-part.x', 'd/.ftpd-part.r.0123456789abcdef']


class ManageCase(E2ETestCase):
    """A daemon whose root holds:

        f.txt               a file (mtime T_FILE)
        d/inner.txt         a directory (mtime T_DIR) with a file
        empty/              an empty directory
        fifo                a FIFO
        link_f -> f.txt     links that stay inside
        link_d -> d
        dangling -> nowhere
        link_out -> ../outside       links that leave the root,
        link_abs -> /.../outside     relative and absolute

    and beside the root outside/canary.txt, which nothing may reach.
    """

    server_args = ()

    def setUp(self):
        self.srv = self.start_server(args=list(self.server_args))
        self.root = self.srv.root
        self.top = os.path.dirname(self.root)
        self.outside = os.path.join(self.top, 'outside')
        self.make_tree(self.root)
        self.outside_before = self.outside_state()
        self.c = self.client()

    def make_tree(self, root):
        write(os.path.join(root, 'f.txt'), FILE_TEXT, T_FILE)
        write(os.path.join(root, 'd', 'inner.txt'), INNER_TEXT)
        os.utime(os.path.join(root, 'd'), (T_DIR, T_DIR))
        os.mkdir(os.path.join(root, 'empty'))
        os.mkfifo(os.path.join(root, 'fifo'))
        for name, target in (('link_f', 'f.txt'), ('link_d', 'd'),
                             ('dangling', 'nowhere'),
                             ('link_out', '../outside'),
                             ('link_abs', self.outside)):
            os.symlink(target, os.path.join(root, name))
        write(os.path.join(self.outside, 'canary.txt'), CANARY)

    def outside_state(self):
        """Names beside the root, and everything in outside/."""
        return (sorted(os.listdir(self.top)),
                harness.tree_snapshot(self.outside),
                os.stat(self.outside).st_mtime_ns)

    def tearDown(self):
        self.assertEqual(self.outside_state(), self.outside_before,
                         'something outside the root changed')

    def client(self, features=FEATURES, port=None):
        c = ManageClient(port or self.srv.port)
        self.addCleanup(c.close)
        granted = c.hello(features=features).features
        self.assertEqual(granted & FEATURES, features & FEATURES)
        return c

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def assert_status(self, status, fn, *args):
        """fn(*args) is answered with an ERROR status for its own id (the
        session goes on)."""
        with self.assertRaises(ServerError) as cm:
            fn(*args)
        e = cm.exception
        self.assertEqual((e.status, e.id != 0), (status, True),
                         '%s%r: %s' % (fn.__name__, args, e))
        return e

    def assert_serving(self, c=None):
        """The session is still in step: LIST of the root is answered."""
        names = [e.name for e in (c or self.c).list('')]
        self.assertIn('d', names)


class StatTest(ManageCase):

    def test_kinds_sizes_and_times(self):
        c = self.c
        self.assertEqual(c.stat('f.txt'),
                         (KIND_FILE, len(FILE_TEXT), T_FILE))
        self.assertEqual(c.stat('d/inner.txt').size, len(INNER_TEXT))
        self.assertEqual(c.stat('d'), (KIND_DIR, os.stat(self.path('d'))
                                       .st_size, T_DIR))
        # A final link that stays inside is followed: its target's record.
        self.assertEqual(c.stat('link_f'), c.stat('f.txt'))
        self.assertEqual(c.stat('link_d'), c.stat('d'))
        self.assertEqual(c.stat('link_d/inner.txt'), c.stat('d/inner.txt'))
        self.assertEqual(c.stat('fifo').kind, KIND_OTHER)
        for root in ('', '.'):
            self.assertEqual(c.stat(root).kind, KIND_DIR)
        # The answer follows the tree.
        write(self.path('f.txt'), b'longer than it was before', 12345)
        self.assertEqual(c.stat('f.txt'), (KIND_FILE, 25, 12345))

    def test_missing_and_not_a_directory(self):
        for p in ('nope', 'nope/x', 'd/nope', 'dangling', 'link_d/nope'):
            self.assert_status(S_NOT_FOUND, self.c.stat, p)
        self.assert_status(S_NOT_DIR, self.c.stat, 'f.txt/x')
        self.assert_serving()

    def test_paths_leaving_the_root(self):
        for p in ['link_out', 'link_out/canary.txt', 'link_abs',
                  'link_abs/canary.txt'] + SYNTAX_BAD:
            self.assert_status(S_BAD_PATH, self.c.stat, p)
        self.assert_serving()

    def test_requests_need_the_feature(self):
        """Without MANAGE each of the five is a protocol error: ERROR
        PROTOCOL with id 0, then the connection closes."""
        bodies = {STAT: p_string('f.txt'), MKDIR: p_string('new'),
                  RMDIR: p_string('empty'), DELETE: p_string('f.txt'),
                  RENAME: rename_body('f.txt', 'g.txt')}
        for ftype, body in bodies.items():
            c = self.client(features=harness.FEATURE_CHECKSUM | FEATURE_ABORT)
            self.assertEqual(c.granted & FEATURE_MANAGE, 0)
            c.list('')
            c.send_frame(ftype, c.take_id(), body)
            c.expect_refusal((S_PROTOCOL,), (0,))
        self.assertEqual(read(self.path('f.txt')), FILE_TEXT)
        self.assertTrue(os.path.isdir(self.path('empty')))
        self.assertFalse(os.path.lexists(self.path('new')))
        self.assert_serving()

    def test_malformed_bodies_and_ids(self):
        """Bodies are checked like any other (section 3), and ids keep
        increasing (section 4)."""
        cases = [
            (STAT, p_string('f.txt') + b'x'),  # trailing bytes
            (MKDIR, b'\x00'),  # shorter than its field
            (RENAME, p_string('f.txt')),  # "to" missing
            (DELETE, p_string('f\x00.txt')),  # NUL in a string
            (RMDIR, p_string(b'\xff\xfe')),  # not UTF-8
        ]
        for ftype, body in cases:
            c = self.client()
            c.send_frame(ftype, c.take_id(), body)
            c.expect_refusal((S_PROTOCOL,), (0,))
        c = self.client()
        fid = c.take_id()
        c.send_frame(STAT, fid, p_string('f.txt'))
        c.expect(fid, INFO)
        c.send_frame(STAT, fid, p_string('f.txt'))  # the same id again
        c.expect_refusal((S_PROTOCOL,), (0,))
        self.assertEqual(read(self.path('f.txt')), FILE_TEXT)
        self.assert_serving()


class MkdirTest(ManageCase):

    def test_creates(self):
        self.c.mkdir('new')
        self.assertTrue(os.path.isdir(self.path('new')))
        self.assertFalse(os.path.islink(self.path('new')))
        self.assertEqual(self.c.stat('new').kind, KIND_DIR)
        self.c.mkdir('new/deeper')
        self.assertTrue(os.path.isdir(self.path('new', 'deeper')))
        # A parent reached through a link inside the root is followed.
        self.c.mkdir('link_d/sub')
        self.assertTrue(os.path.isdir(self.path('d', 'sub')))
        self.assertIn('new', [e.name for e in self.c.list('')])

    def test_name_taken(self):
        self.c.mkdir('new')
        for p in ('new', 'f.txt', 'd', 'fifo', 'link_d', 'link_f',
                  'dangling', 'link_out'):
            self.assert_status(S_EXISTS, self.c.mkdir, p)
        # The last component is not followed: nothing made where the
        # dangling link points, nor through link_out.
        self.assertFalse(os.path.lexists(self.path('nowhere')))
        self.assertTrue(os.path.islink(self.path('dangling')))

    def test_missing_parent(self):
        self.assert_status(S_NOT_FOUND, self.c.mkdir, 'nope/x')
        self.assert_status(S_NOT_FOUND, self.c.mkdir, 'dangling/x')
        self.assert_status(S_NOT_DIR, self.c.mkdir, 'f.txt/x')
        self.assertFalse(os.path.lexists(self.path('nope')))

    def test_traversal_and_reserved_names(self):
        before = harness.tree_snapshot(self.root)
        bad = ['../x', '/x', '/' + os.path.join(self.outside, 'x')[1:],
               'link_out/x', 'link_abs/x', 'd/../x', 'link_out/../x',
               '.ftpd-part.x', '.ftpd-part.r.0123456789abcdef',
               'd/.ftpd-part.x'] + SYNTAX_BAD
        for p in bad:
            self.assert_status(S_BAD_PATH, self.c.mkdir, p)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        self.assertFalse(os.path.lexists(os.path.join(self.outside, 'x')))
        self.assertFalse(os.path.lexists(os.path.join(self.top, 'x')))
        self.assert_serving()

    def test_root_refused(self):
        for p in ('', '.'):
            e = self.assert_status(S_BAD_PATH, self.c.mkdir, p)
            self.assertIn('root', e.message)
        self.assert_serving()


class RmdirTest(ManageCase):

    def test_removes_an_empty_directory(self):
        self.c.rmdir('empty')
        self.assertFalse(os.path.lexists(self.path('empty')))
        self.assert_status(S_NOT_FOUND, self.c.rmdir, 'empty')
        self.c.mkdir('d/sub')
        self.c.rmdir('link_d/sub')  # the parent through a link inside
        self.assertFalse(os.path.lexists(self.path('d', 'sub')))

    def test_not_empty(self):
        before = harness.tree_snapshot(self.root)
        e = self.assert_status(S_NOT_EMPTY, self.c.rmdir, 'd')
        self.assertIn('d', e.message)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        # A hidden temporary that is no kept upload counts as content.
        write(self.path('empty', '.ftpd-part.0123456789abcdef'), b'x')
        self.assert_status(S_NOT_EMPTY, self.c.rmdir, 'empty')
        self.assertTrue(os.path.isdir(self.path('empty')))

    def test_not_a_directory(self):
        for p in ('f.txt', 'fifo', 'link_d', 'link_out', 'link_abs',
                  'dangling'):
            self.assert_status(S_NOT_DIR, self.c.rmdir, p)
        # The links are there still, and so are their targets.
        for p in ('link_d', 'link_out', 'link_abs', 'dangling'):
            self.assertTrue(os.path.islink(self.path(p)), p)
        self.assertEqual(read(self.path('d', 'inner.txt')), INNER_TEXT)
        self.assert_status(S_NOT_DIR, self.c.rmdir, 'f.txt/x')
        self.assert_status(S_NOT_FOUND, self.c.rmdir, 'nope')

    def test_bad_paths_and_root(self):
        for p in ['', '.', 'link_out/x', 'link_abs/x'] + SYNTAX_BAD:
            self.assert_status(S_BAD_PATH, self.c.rmdir, p)
        self.assertTrue(os.path.isdir(self.root))
        self.assert_serving()

    def test_kept_upload_goes_with_the_directory(self):
        self.c.mkdir('p')
        interrupted_put(self.srv, 'p/big', 3 * MIB, os.urandom(MIB), RESUME)
        kept = partials(self.path('p'))
        self.assertEqual(len(kept), 1, kept)
        self.assertGreater(os.path.getsize(kept[0]), 0)
        self.assertEqual(self.c.list('p'), [])  # hidden...
        self.c.rmdir('p')  # ... and no obstacle
        self.assertFalse(os.path.lexists(self.path('p')))
        self.assertEqual(partials(self.root), [])

    def test_upload_in_progress_keeps_the_directory(self):
        for name, features in (('plain', FEATURES),
                               ('resume', FEATURES | RESUME)):
            with self.subTest(session=name):
                self.c.mkdir(name)
                data = os.urandom(MIB)
                up = self.client(features)
                fid = up.put_begin(name + '/f', len(data))
                up.put_data(fid, data[:300 * KIB])
                self.assertEqual(len(partials(self.path(name))), 1)
                self.assert_status(S_NOT_EMPTY, self.c.rmdir, name)
                up.put_data(fid, data[300 * KIB:])
                up.put_end_crc(fid, data)
                up.expect_empty(fid, OK)
                self.assertEqual(read(self.path(name, 'f')), data)
                self.assertEqual(partials(self.path(name)), [])
                self.assert_status(S_NOT_EMPTY, self.c.rmdir, name)
                self.c.delete(name + '/f')
                self.c.rmdir(name)
                self.assertFalse(os.path.lexists(self.path(name)))


class DeleteTest(ManageCase):

    def test_removes_a_file(self):
        self.c.delete('f.txt')
        self.assertFalse(os.path.lexists(self.path('f.txt')))
        self.assert_status(S_NOT_FOUND, self.c.delete, 'f.txt')
        self.c.delete('link_d/inner.txt')
        self.assertEqual(os.listdir(self.path('d')), [])
        self.c.delete('fifo')  # any other non-directory
        self.assertFalse(os.path.lexists(self.path('fifo')))

    def test_directory_refused(self):
        for p in ('d', 'empty'):
            self.assert_status(S_IS_DIR, self.c.delete, p)
            self.assertTrue(os.path.isdir(self.path(p)))
        self.assertEqual(read(self.path('d', 'inner.txt')), INNER_TEXT)

    def test_links_go_targets_stay(self):
        self.c.delete('link_f')
        self.assertFalse(os.path.lexists(self.path('link_f')))
        self.assertEqual(read(self.path('f.txt')), FILE_TEXT)
        self.c.delete('link_d')
        self.assertFalse(os.path.lexists(self.path('link_d')))
        self.assertEqual(read(self.path('d', 'inner.txt')), INNER_TEXT)
        self.c.delete('dangling')
        self.assertFalse(os.path.lexists(self.path('dangling')))
        # Links leading outside go; outside is untouched (tearDown).
        self.c.delete('link_out')
        self.c.delete('link_abs')
        self.assertFalse(os.path.lexists(self.path('link_out')))
        self.assertFalse(os.path.lexists(self.path('link_abs')))

    def test_bad_paths(self):
        write(self.path('.ftpd-part.0123456789abcdef'), b'a temporary')
        for p in ['', '.', 'link_out/canary.txt', 'link_abs/canary.txt',
                  '.ftpd-part.0123456789abcdef'] + SYNTAX_BAD:
            self.assert_status(S_BAD_PATH, self.c.delete, p)
        self.assertTrue(os.path.exists(self.path('.ftpd-part.'
                                                 '0123456789abcdef')))
        self.assert_status(S_NOT_FOUND, self.c.delete, 'nope/x')
        self.assert_status(S_NOT_DIR, self.c.delete, 'f.txt/x')
        self.assert_serving()


class RenameTest(ManageCase):

    def test_file(self):
        self.c.rename('f.txt', 'g.txt')
        self.assertFalse(os.path.lexists(self.path('f.txt')))
        self.assertEqual(read(self.path('g.txt')), FILE_TEXT)
        self.assertEqual(os.stat(self.path('g.txt')).st_mtime, T_FILE)
        self.c.rename('g.txt', 'd/g.txt')  # to another directory
        self.assertEqual(read(self.path('d', 'g.txt')), FILE_TEXT)
        self.c.rename('link_d/g.txt', 'g.txt')
        self.assertEqual(read(self.path('g.txt')), FILE_TEXT)
        self.c.rename('g.txt', 'g.txt')  # onto itself: nothing happens
        self.assertEqual(read(self.path('g.txt')), FILE_TEXT)

    def test_replaces_a_file(self):
        write(self.path('old.txt'), b'the old content, longer than new')
        ino = os.stat(self.path('f.txt')).st_ino
        self.c.rename('f.txt', 'old.txt')
        self.assertFalse(os.path.lexists(self.path('f.txt')))
        self.assertEqual(read(self.path('old.txt')), FILE_TEXT)
        self.assertEqual(os.stat(self.path('old.txt')).st_ino, ino)
        self.assertEqual(self.c.get('old.txt')[1], FILE_TEXT)

    def test_directory(self):
        self.c.rename('d', 'd2')
        self.assertFalse(os.path.lexists(self.path('d')))
        self.assertEqual(read(self.path('d2', 'inner.txt')), INNER_TEXT)
        # link_d now dangles; renaming the link renames the link.
        self.c.rename('link_d', 'link_e')
        self.assertEqual(os.readlink(self.path('link_e')), 'd')
        self.c.rename('d2', 'empty')  # onto an empty directory
        self.assertEqual(read(self.path('empty', 'inner.txt')), INNER_TEXT)
        self.assertFalse(os.path.lexists(self.path('d2')))

    def test_conflicts(self):
        self.c.mkdir('d2')
        self.c.mkdir('d2/x')
        cases = [
            (S_NOT_EMPTY, 'empty', 'd2'),  # a directory over a full one
            (S_IS_DIR, 'f.txt', 'd'),  # a file over a directory
            (S_NOT_DIR, 'empty', 'f.txt'),  # a directory over a file
            (S_NOT_FOUND, 'nope', 'x'),
            (S_NOT_FOUND, 'f.txt', 'nope/x'),
            (S_NOT_DIR, 'f.txt', 'f.txt/x'),
        ]
        before = harness.tree_snapshot(self.root)
        for status, frm, to in cases:
            self.assert_status(status, self.c.rename, frm, to)
        self.assertEqual(harness.tree_snapshot(self.root), before)

    def test_directory_beneath_itself(self):
        before = harness.tree_snapshot(self.root)
        for to in ('d/sub', 'link_d/sub'):
            self.assert_status(S_BAD_PATH, self.c.rename, 'd', to)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        self.c.mkdir('d/sub')
        before = harness.tree_snapshot(self.root)
        self.assert_status(S_BAD_PATH, self.c.rename, 'd', 'd/sub/deeper')
        self.assert_status(S_BAD_PATH, self.c.rename, 'link_d/', 'x')
        self.assertEqual(harness.tree_snapshot(self.root), before)
        self.assert_serving()

    def test_root_refused(self):
        before = harness.tree_snapshot(self.root)
        for frm, to in (('', 'x'), ('.', 'x'), ('', '')):
            e = self.assert_status(S_BAD_PATH, self.c.rename, frm, to)
            self.assertIn('root', e.message)
        # (The message then names "from", which is not the reason.)
        for frm, to in (('f.txt', ''), ('d', '.'), ('link_d', '')):
            self.assert_status(S_BAD_PATH, self.c.rename, frm, to)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        self.assert_serving()

    def test_outside_the_root_refused(self):
        before = harness.tree_snapshot(self.root)
        cases = [('f.txt', 'link_out/f.txt'), ('f.txt', 'link_abs/f.txt'),
                 ('d', 'link_out/d'), ('link_out/canary.txt', 'stolen'),
                 ('link_abs/canary.txt', 'stolen'), ('f.txt', '../f.txt'),
                 ('f.txt', '/' + os.path.join(self.outside, 'f.txt')[1:]),
                 ('f.txt', '.ftpd-part.x'), ('.ftpd-part.x', 'f.txt'),
                 ('f.txt', 'd/.ftpd-part.r.0123456789abcdef')]
        for frm, to in cases:
            self.assert_status(S_BAD_PATH, self.c.rename, frm, to)
        for p in SYNTAX_BAD:
            self.assert_status(S_BAD_PATH, self.c.rename, 'f.txt', p)
            self.assert_status(S_BAD_PATH, self.c.rename, p, 'x')
        self.assertEqual(harness.tree_snapshot(self.root), before)
        self.assert_serving()

    def test_link_leading_outside_is_renamed_itself(self):
        """The last component is never followed: a link to outside is
        moved as a link, and is still refused as a way out afterwards."""
        self.c.rename('link_abs', 'd/elsewhere')
        self.assertEqual(os.readlink(self.path('d', 'elsewhere')),
                         self.outside)
        self.assert_status(S_BAD_PATH, self.c.stat, 'd/elsewhere')
        self.assert_status(S_BAD_PATH, self.c.rename, 'f.txt',
                           'd/elsewhere/f.txt')


class ReadOnlyServerTest(ManageCase):
    """--read-only: STAT answers, the four that change the tree do not."""

    server_args = ('--read-only',)

    def test_denied(self):
        c = self.c
        self.assertEqual(c.stat('f.txt'), (KIND_FILE, len(FILE_TEXT),
                                           T_FILE))
        before = harness.tree_snapshot(self.root)
        for fn, args in ((c.mkdir, ('new',)), (c.rmdir, ('empty',)),
                         (c.delete, ('f.txt',)), (c.rename, ('f.txt', 'g')),
                         (c.delete, ('link_out',)), (c.mkdir, ('../x',))):
            e = self.assert_status(S_DENIED, fn, *args)
            self.assertIn('read-only', e.message)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        self.assertEqual(c.stat('d').kind, KIND_DIR)
        self.assert_serving()


class AccountsTest(ManageCase):
    """--users: alice may write in her tree alice/, bob may only read the
    whole root; before a LOGIN nothing is answered."""

    def setUp(self):
        tmp = self.make_tmpdir('e2e-users-')
        users = os.path.join(tmp, 'users')
        h = harness.hash_password(PASSWORD)
        with open(users, 'w') as f:
            f.write('alice:%s:alice:rw\nbob:%s::ro\n' % (h, h))
        os.chmod(users, 0o600)
        self.server_args = ('--users', users)
        super().setUp()
        alice = self.path('alice')
        write(os.path.join(alice, 'mine.txt'), b'alice')
        os.mkdir(os.path.join(alice, 'sub'))
        os.symlink('../d', os.path.join(alice, 'link_top'))

    def client(self, features=FEATURES, port=None):
        return super().client(features | harness.FEATURE_LOGIN, port)

    def test_before_login(self):
        c = self.c
        before = harness.tree_snapshot(self.root)
        for fn, args in ((c.stat, ('f.txt',)), (c.mkdir, ('new',)),
                         (c.rmdir, ('empty',)), (c.delete, ('f.txt',)),
                         (c.rename, ('f.txt', 'g'))):
            e = self.assert_status(S_DENIED, fn, *args)
            self.assertIn('login required', e.message)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        c.login('bob', PASSWORD)
        self.assertEqual(c.stat('f.txt').size, len(FILE_TEXT))

    def test_read_only_account(self):
        c = self.c
        c.login('bob', PASSWORD)
        self.assertEqual(c.stat('alice/mine.txt').size, 5)
        self.assertEqual(c.stat('link_d').kind, KIND_DIR)
        before = harness.tree_snapshot(self.root)
        for fn, args in ((c.mkdir, ('new',)), (c.rmdir, ('empty',)),
                         (c.delete, ('f.txt',)),
                         (c.rename, ('f.txt', 'g')),
                         (c.rename, ('alice/mine.txt', 'taken')),
                         (c.delete, ('link_out',))):
            e = self.assert_status(S_DENIED, fn, *args)
            self.assertIn('read-only', e.message)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        self.assert_serving(c)

    def test_writer_confined_to_its_tree(self):
        c = self.c
        c.login('alice', PASSWORD)
        c.mkdir('new')
        self.assertTrue(os.path.isdir(self.path('alice', 'new')))
        self.assertFalse(os.path.lexists(self.path('new')))
        c.rename('mine.txt', 'sub/moved.txt')
        self.assertEqual(read(self.path('alice', 'sub', 'moved.txt')),
                         b'alice')
        before = harness.tree_snapshot(self.root)
        # The server's root is outside alice's: link_top leads there.
        for fn, args in ((c.stat, ('link_top',)),
                         (c.mkdir, ('link_top/x',)),
                         (c.delete, ('link_top/inner.txt',)),
                         (c.rename, ('sub/moved.txt', 'link_top/m')),
                         (c.rename, ('link_top/inner.txt', 'stolen')),
                         (c.rmdir, ('../empty',))):
            self.assert_status(S_BAD_PATH, fn, *args)
        for root in ('', '.'):
            self.assert_status(S_BAD_PATH, c.rmdir, root)
        self.assertEqual(harness.tree_snapshot(self.root), before)
        c.delete('sub/moved.txt')
        c.rmdir('sub')
        c.delete('link_top')  # the link goes, d stays
        self.assertEqual(sorted(os.listdir(self.path('alice'))), ['new'])
        self.assertEqual(read(self.path('d', 'inner.txt')), INNER_TEXT)


if __name__ == '__main__':
    unittest.main()
