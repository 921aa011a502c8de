"""test_interop.py - ftpd against a client written from the spec alone.

RawClient (harness.py) knows only docs/PROTOCOL.md.  A whole session
(HELLO, LIST, PUT, GET, QUIT) is checked frame by frame: ids echoed, FILE
then DATA then END with the right counts, the ENTRIES layout, the HELLO_OK
limits, QUIT answered by OK and a close; and the refusals that answer one
request while the session goes on.
"""

import os
import unittest

import harness
from harness import (ENTRIES, END, KIND_DIR, KIND_FILE, LIST, MIB,
                     S_BAD_PATH, S_IS_DIR, S_NOT_DIR, S_NOT_FOUND,
                     S_TOO_LARGE, S_UNSUPPORTED, E2ETestCase, RawClient,
                     ServerError, p_string, sha256_bytes)

MTIME = 1000000000  # 2001-09-09, set on files so LIST and FILE can be exact


class InteropTest(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server()
        root = self.srv.root
        self.content = os.urandom(600 * 1024 + 17)  # several DATA frames
        with open(os.path.join(root, 'file.bin'), 'wb') as f:
            f.write(self.content)
        os.utime(os.path.join(root, 'file.bin'), (MTIME, MTIME))
        os.mkdir(os.path.join(root, 'dir'))
        os.utime(os.path.join(root, 'dir'), (MTIME + 1, MTIME + 1))
        self.c = RawClient(self.srv.port)
        self.addCleanup(self.c.close)

    def test_hello_ok(self):
        ok = self.c.hello(software='interop-test/1', features=0xFFFF)
        self.assertEqual(ok.version, 1)
        # Only the bits the spec defines (section 8) and this server
        # grants: CHECKSUM, RESUME, COMPRESS, MANAGE, ABORT (LOGIN only
        # with accounts).
        self.assertEqual(ok.features, 0x37)
        self.assertLessEqual(set(range(1, 8)), set(ok.limits))
        lim = ok.limits
        self.assertTrue(0 < lim[1] <= MIB, lim)  # FRAME_MAX
        self.assertTrue(0 < lim[2] <= MIB, lim)  # DATA_CHUNK
        self.assertEqual(lim[3], 4096)
        self.assertEqual(lim[4], 255)
        self.assertTrue(0 < lim[5] <= 512, lim)
        self.assertEqual(lim[6], 300)  # the daemon's default idle timeout
        self.assertEqual(lim[7], 1000)  # and its default max clients
        self.assertTrue(ok.software.startswith('ftpd/'), ok.software)

    def test_full_session(self):
        c = self.c
        c.hello(fid=10)
        entries = sorted(c.list(''), key=lambda e: e.name)
        self.assertEqual(entries, [(KIND_DIR, entries[0].size, MTIME + 1,
                                    'dir'),
                                   (KIND_FILE, len(self.content), MTIME,
                                    'file.bin')])
        self.assertEqual(c.list('file.bin'),
                         [(KIND_FILE, len(self.content), MTIME, 'file.bin')])
        self.assertEqual(c.list('dir'), [])
        data = os.urandom(3 * 256 * 1024 + 5)
        c.put('dir/new.bin', data)
        with open(os.path.join(self.srv.root, 'dir', 'new.bin'), 'rb') as f:
            self.assertEqual(f.read(), data)
        info, got = c.get('dir/new.bin')
        self.assertEqual((info.size, info.offset), (len(data), 0))
        self.assertEqual(got, data)
        info, got = c.get('file.bin')
        self.assertEqual(info, (len(self.content), MTIME, 0))
        self.assertEqual(sha256_bytes(got), sha256_bytes(self.content))
        c.quit()

    def test_get_offsets(self):
        c = self.c
        c.hello()
        size = len(self.content)
        for off in (1, 256 * 1024, size - 1, size):
            with self.subTest(offset=off):
                info, got = c.get('file.bin', off)
                self.assertEqual(info, (size, MTIME, off))
                self.assertEqual(got, self.content[off:])
        with self.assertRaises(ServerError) as cm:
            c.get('file.bin', size + 1)
        self.assertEqual(cm.exception.status, S_TOO_LARGE)
        c.list('')  # the session goes on
        c.quit()

    def test_empty_file_stream(self):
        c = self.c
        c.hello()
        c.put('empty', b'')
        self.assertEqual(os.path.getsize(os.path.join(self.srv.root,
                                                      'empty')), 0)
        info, got = c.get('empty')
        self.assertEqual((info.size, info.offset, got), (0, 0, b''))
        c.quit()

    def test_put_replaces_and_streams_exactly(self):
        c = self.c
        c.hello()
        c.put('file.bin', b'short')
        self.assertEqual(c.get('file.bin')[1], b'short')
        # DATA frames of uneven sizes, the last one partial.
        data = os.urandom(100000)
        fid = c.put_begin('uneven', len(data))
        for off, n in ((0, 1), (1, 65536), (65537, 34462), (99999, 1)):
            c.send_frame(harness.DATA, fid, data[off:off + n])
        c.put_end(fid, len(data))
        self.assertEqual(c.get('uneven')[1], data)
        c.quit()

    def test_refusals_answer_one_request(self):
        c = self.c
        c.hello()
        refusals = [
            (lambda: c.put_begin('nodir/x', 5), S_NOT_FOUND),
            (lambda: c.put_begin('file.bin/x', 5), S_NOT_DIR),
            (lambda: c.put_begin('x', 5, flags=1), S_UNSUPPORTED),
            (lambda: c.put_begin('../x', 5), S_BAD_PATH),
            (lambda: c.put_begin('/x', 5), S_BAD_PATH),
            (lambda: c.put_begin('a//b', 5), S_BAD_PATH),
            (lambda: c.put_begin('dir/', 5), S_BAD_PATH),
            (lambda: c.put_begin('.ftpd-part.x', 5), S_BAD_PATH),
            (lambda: c.get('missing'), S_NOT_FOUND),
            (lambda: c.get('dir'), S_IS_DIR),
            (lambda: c.get('./file.bin/..'), S_BAD_PATH),
            (lambda: c.list('missing'), S_NOT_FOUND),
            (lambda: c.list('..'), S_BAD_PATH),
        ]
        for i, (call, status) in enumerate(refusals):
            with self.subTest(i=i):
                with self.assertRaises(ServerError) as cm:
                    call()
                err = cm.exception
                self.assertEqual(err.status, status, str(err))
                self.assertEqual(err.id, c.next_id - 1)  # the request's id
                self.assertNotEqual(err.message, '')
        self.assertFalse(os.path.exists(os.path.join(self.srv.root, 'x')))
        self.assertEqual(c.get('file.bin')[1], self.content)
        c.quit()

    def test_listing_batches(self):
        d = os.path.join(self.srv.root, 'many')
        os.mkdir(d)
        n = 1300
        for i in range(n):
            os.close(os.open(os.path.join(d, 'n%04d' % i),
                             os.O_CREAT | os.O_WRONLY, 0o644))
        # Hidden temporaries and names that are not UTF-8 are left out.
        os.close(os.open(os.path.join(d, '.ftpd-part.abc'),
                         os.O_CREAT | os.O_WRONLY, 0o600))
        os.close(os.open(os.path.join(d.encode(), b'bad\xff\xfename'),
                         os.O_CREAT | os.O_WRONLY, 0o644))
        c = self.c
        c.hello()
        fid = c.take_id()
        c.send_frame(LIST, fid, p_string('many'))
        batches = []
        for _ in range(n + 2):  # bounded: at least one entry per batch
            fr = c.expect(fid, ENTRIES, END)
            if fr.type == END:
                break
            batches.append(c._parse_entries(fr.body, c.limits[5]))
        self.assertEqual(fr.type, END)
        self.assertEqual(fr.body, (n).to_bytes(8, 'big'))
        self.assertGreaterEqual(len(batches), 3)  # at most 512 a frame
        names = [e.name for b in batches for e in b]
        self.assertEqual(sorted(names), ['n%04d' % i for i in range(n)])
        c.quit()

    def test_symlink_inside_root_is_followed(self):
        os.symlink('file.bin', os.path.join(self.srv.root, 'alias'))
        c = self.c
        c.hello()
        self.assertEqual(c.get('alias')[1], self.content)
        c.quit()

    def test_client_may_close_between_requests(self):
        c = self.c
        c.hello()
        c.list('')
        c.close()
        with RawClient(self.srv.port) as again:
            again.hello()
            self.assertEqual(again.get('file.bin')[1], self.content)
            again.quit()


if __name__ == '__main__':
    unittest.main()
