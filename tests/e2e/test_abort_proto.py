"""test_abort_proto.py - ABORT on the wire (docs/PROTOCOL.md 5.11 and 6),
spoken frame by frame.

A GET of a 64 MiB file is stopped after a few DATA frames: the stream ends
with ERROR ABORTED in place of END, and the session goes on.  The file is
far larger than what the socket buffers can hold, and the client reads
slowly, so the server cannot have finished first; it may in principle (END
is then a correct answer), but one GET of the three kinds (sendfile, read
and summed, compressed) must show the abort.  A PUT stopped by ABORT
stores nothing, keeps nothing for a resume, leaves no temporary, and the
same PUT then succeeds.  An ABORT that crosses the end of its transfer is
dropped; one with another id, a body, or in a session without the feature
is a protocol error, during a transfer or between requests, and so is
anything but ABORT during a GET.  An ABORT sent while the server discards
the rest of a PUT it already failed (5.4; a full disk, through the fault
shim) ends the discarding and is answered by nothing.
"""

import os
import socket
import struct
import unittest

import harness
from harness import (DATA, END, KIB, MIB, OK, READY, S_ABORTED, S_NO_SPACE,
                     S_NOT_FOUND, S_PROTOCOL, E2ETestCase, ServerError,
                     p_string)
from manage_client import (ABORT, FEATURE_ABORT, FEATURE_MANAGE,
                           ManageClient, interrupted_put, partials, read,
                           transfer_logged, write)

FEATURES = FEATURE_ABORT | FEATURE_MANAGE
CHECKSUM, COMPRESS = harness.FEATURE_CHECKSUM, harness.FEATURE_COMPRESS
RESUME = CHECKSUM | harness.FEATURE_RESUME  # granted only together
BIG = 64 * MIB
SMALL = 100 * KIB
FRAMES_BEFORE_ABORT = 3
# Small enough that the server is stalled by the client long before the
# end of BIG, whatever the kernel's autotuning would have allowed.
CLIENT_RCVBUF = 64 * KIB
PUT_SIZE = 3 * MIB
SHIM = os.environ.get('FTPF_FAULTSHIM', '')
ARM = 'victim'  # the shim's per-request trigger (tests/fault/faultshim.c)

# GETs stopped midway: (name, features, compress).  With CHECKSUM and no
# cached sum the server reads and sums every chunk; without, sendfile.
GET_VARIANTS = [
    ('sendfile', FEATURES, False),
    ('summed', FEATURES | CHECKSUM, False),
    ('compressed', FEATURES | CHECKSUM | COMPRESS, True),
]


class AbortCase(E2ETestCase):

    def setUp(self):
        self.srv = self.start_server()
        self.root = self.srv.root
        self.small = os.urandom(SMALL)
        write(os.path.join(self.root, 'small'), self.small)

    def client(self, features=FEATURES):
        c = ManageClient(self.srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.hello(features=features).features, features)
        return c

    def assert_error(self, status, fid, fn, *args):
        with self.assertRaises(ServerError) as cm:
            fn(*args)
        self.assertEqual((cm.exception.status, cm.exception.id),
                         (status, fid), str(cm.exception))
        return cm.exception

    def assert_in_step(self, c):
        """The session answers its next request, and nothing was left
        over from the one before (a frame with another id fails)."""
        self.assertIn('small', [e.name for e in c.list('')])
        self.assertEqual(c.stat('small').size, SMALL)


class AbortGetTest(AbortCase):

    def setUp(self):
        super().setUp()
        self.big = harness.make_fast_file(os.path.join(self.root, 'big'),
                                          BIG)

    def stop_midway(self, features, compress):
        c = self.client(features)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, CLIENT_RCVBUF)
        fid = c.get_begin('big', compress=compress)
        info = c.read_file(fid)
        self.assertEqual((info.size, info.offset), (BIG, 0))
        got = 0
        for _ in range(FRAMES_BEFORE_ABORT):
            got += len(c.expect(fid, DATA).body)
        c.abort(fid)
        ended = c.drain(fid, BIG)
        if ended.how == 'aborted':
            self.assertEqual(ended.err.id, fid)
            self.assertLess(got + ended.data, BIG)
        else:
            self.assertEqual(ended.how, 'end', str(ended.err))
        self.assert_in_step(c)
        # The GET's id is spent: ids go on increasing from it (4).
        self.assertEqual(c.fetch('small')[1], self.small)
        return ended.how

    def test_abort_midway(self):
        outcomes = {}
        for name, features, compress in GET_VARIANTS:
            with self.subTest(get=name):
                outcomes[name] = self.stop_midway(features, compress)
        self.assertIn('aborted', outcomes.values(),
                      'no GET of %d MiB was stopped by ABORT: %s' %
                      (BIG // MIB, outcomes))
        logged = transfer_logged(self.srv, 'GET', 'big')
        self.assertEqual(logged.count('ABORTED'),
                         list(outcomes.values()).count('aborted'), logged)
        self.assertEqual(partials(self.root), [])

    def test_abort_sent_with_the_get(self):
        """ABORT right behind the GET, before anything was read: FILE may
        or may not come first; the GET ends with ERROR ABORTED or END."""
        for name, features, compress in GET_VARIANTS:
            with self.subTest(get=name):
                c = self.client(features)
                fid = c.get_begin('big', compress=compress)
                c.abort(fid)
                ended = c.drain(fid, BIG, saw_file=False)
                self.assertIn(ended.how, ('aborted', 'end'), str(ended.err))
                self.assert_in_step(c)

    def test_abort_during_the_prefix_sum(self):
        """A GET from an offset with an uncached checksum first sums the
        bytes it will not send (5.6); an ABORT then may stop it before
        FILE."""
        c = self.client(FEATURES | CHECKSUM)
        body = p_string('big') + struct.pack('>Q', BIG - 1)
        fid = c.request(harness.GET, body)
        c.abort(fid)
        ended = c.drain(fid, BIG, saw_file=False)
        self.assertIn(ended.how, ('aborted', 'end'), str(ended.err))
        self.assert_in_step(c)

    def test_abort_twice(self):
        """The second ABORT arrives after the GET ended: it is late."""
        c = self.client()
        fid = c.get_begin('big')
        c.read_file(fid)
        c.expect(fid, DATA)
        c.abort(fid)
        c.abort(fid)
        self.assertIn(c.drain(fid, BIG).how, ('aborted', 'end'))
        self.assert_in_step(c)

    def refused_during_get(self, features, send):
        """During a GET of BIG, send(c, fid) sends what the server must
        refuse: it stops the stream and ends the connection with ERROR
        PROTOCOL (id 0, best effort)."""
        c = self.client(features)
        fid = c.get_begin('big')
        c.read_file(fid)
        c.expect(fid, DATA)
        send(c, fid)
        for _ in range(BIG):  # bounded: each pass reads a frame
            try:
                fr = c.recv_frame()
            except (harness.ConnectionClosed, ConnectionResetError):
                return
            if fr.type == DATA and fr.id == fid:
                continue
            self.assertEqual((fr.type, fr.id), (harness.ERROR, 0))
            status, message = harness.parse_error(fr.body)
            self.assertEqual(status, S_PROTOCOL, message)
            c.expect_eof()
            return

    def test_bad_frames_during_a_get(self):
        """5.11 and 6: during a GET only ABORT with its id, empty."""
        cases = [
            ('ABORT with a body', FEATURES, lambda c, fid: c.abort(fid, b'x')),
            ('ABORT with another id', FEATURES,
             lambda c, fid: c.abort(fid + 1)),
            ('the next request', FEATURES,
             lambda c, fid: c.send_frame(harness.LIST, fid + 1,
                                         p_string(''))),
            ('END', FEATURES, lambda c, fid: c.send_frame(
                END, fid, struct.pack('>Q', 0))),
        ]
        for name, features, send in cases:
            with self.subTest(sent=name):
                self.refused_during_get(features, send)
        c = self.client()
        self.assert_in_step(c)

    def test_refused_get_then_abort(self):
        """The GET was refused: its ERROR ended it, so the ABORT that
        crossed it is late and dropped."""
        c = self.client()
        fid = c.get_begin('nope')
        c.abort(fid)
        self.assert_error(S_NOT_FOUND, fid, c.read_file, fid)
        self.assert_in_step(c)

    def test_get_without_the_feature_is_not_stopped(self):
        """Without ABORT the server reads nothing during a GET: the whole
        file comes, then the ABORT is a protocol error."""
        path = os.path.join(self.root, 'two')
        data = os.urandom(2 * MIB)
        write(path, data)
        c = self.client(FEATURE_MANAGE)
        fid = c.get_begin('two')
        c.read_file(fid)
        c.expect(fid, DATA)
        c.abort(fid)
        ended = c.drain(fid, len(data))
        self.assertEqual(ended.how, 'end')
        c.expect_refusal((S_PROTOCOL,), (0,))


class LateAbortTest(AbortCase):

    def test_after_the_end_is_ignored(self):
        c = self.client(FEATURES | CHECKSUM)
        data = c.fetch('small')[1]
        fid = c.next_id - 1
        self.assertEqual(data, self.small)
        c.abort(fid)
        c.abort(fid)  # as often as it likes: still that request's id
        self.assert_in_step(c)
        # After a PUT's OK, and after a request that is no transfer.
        pid = c.put_begin('up', 5)
        c.send_frame(DATA, pid, b'12345')
        c.put_end_crc(pid, b'12345')
        c.expect_empty(pid, OK)
        c.abort(pid)
        c.list('')
        c.abort(c.next_id - 1)
        self.assertEqual(read(os.path.join(self.root, 'up')), b'12345')
        self.assert_in_step(c)
        c.quit()

    def test_abort_crossing_the_end_of_a_put(self):
        """END and ABORT sent together: the PUT is committed (its OK was on
        its way), the ABORT is late."""
        c = self.client()
        pid = c.put_begin('crossed', SMALL)
        c.put_data(pid, self.small)
        c.put_end_crc(pid, SMALL)
        c.abort(pid)
        c.expect_empty(pid, OK)
        self.assertEqual(read(os.path.join(self.root, 'crossed')), self.small)
        self.assert_in_step(c)

    def protocol_error_after(self, features, make_abort):
        """A small GET, then make_abort(c, fid): the server must answer
        ERROR PROTOCOL (id 0) and close."""
        c = self.client(features)
        self.assertEqual(c.fetch('small')[1], self.small)
        make_abort(c, c.next_id - 1)
        c.expect_refusal((S_PROTOCOL,), (0,))

    def test_other_ids_are_protocol_errors(self):
        for name, fn in (
                ('earlier id', lambda c, fid: c.abort(fid - 1)),
                ('next id', lambda c, fid: c.abort(fid + 1)),
                ('id 0', lambda c, fid: c.abort(0)),
                ('with a body', lambda c, fid: c.abort(fid, b'\0')),
                ('flags', lambda c, fid: c.send_frame(ABORT, fid, flags=1))):
            with self.subTest(abort=name):
                self.protocol_error_after(FEATURES, fn)

    def test_without_the_feature(self):
        self.protocol_error_after(FEATURE_MANAGE | CHECKSUM,
                                  lambda c, fid: c.abort(fid))
        c = self.client(0)
        c.abort(1)  # HELLO's id, right after HELLO_OK
        c.expect_refusal((S_PROTOCOL,), (0,))


class AbortPutTest(AbortCase):

    def abort_put(self, c, path, data, sent, flags=0):
        """PUT path (len(data) announced), OK, sent bytes, ABORT: ERROR
        ABORTED, the PUT's one final reply."""
        fid = c.take_id()
        c.send_frame(harness.PUT, fid, p_string(path) +
                     struct.pack('>QI', len(data), flags))
        if flags & 1:
            c.expect(fid, READY)
        else:
            c.expect_empty(fid, OK)
        if sent:
            c.put_data(fid, data[:sent])
        c.abort(fid)
        e = self.assert_error(S_ABORTED, fid, c.expect_empty, fid, OK)
        self.assertIn('abort', e.message)

    def test_new_file(self):
        for name, features in (('plain', FEATURES),
                               ('resume', FEATURES | RESUME),
                               ('compress', FEATURES | CHECKSUM | COMPRESS)):
            for sent in (MIB, 0):
                with self.subTest(session=name, sent=sent):
                    target = os.path.join(self.root, 'd', 'new')
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    data = os.urandom(PUT_SIZE)
                    c = self.client(features)
                    self.abort_put(c, 'd/new', data, sent)
                    self.assertFalse(os.path.lexists(target))
                    self.assertEqual(partials(self.root), [])
                    self.assert_in_step(c)
                    c.put_begin('d/new', len(data))  # now it goes through
                    c.put_data(c.next_id - 1, data)
                    c.put_end_crc(c.next_id - 1, data)
                    c.expect_empty(c.next_id - 1, OK)
                    self.assertEqual(read(target), data)
                    self.assertEqual(partials(self.root), [])
                    os.unlink(target)

    def test_existing_file_kept(self):
        c = self.client(FEATURES | RESUME)
        self.abort_put(c, 'small', os.urandom(PUT_SIZE), MIB)
        self.assertEqual(read(os.path.join(self.root, 'small')), self.small)
        self.assertEqual(partials(self.root), [])
        self.assert_in_step(c)

    def test_resumed_upload_not_kept(self):
        """ABORT after READY: the kept bytes go too (5.11), so the next
        RESUME PUT starts from 0."""
        data = os.urandom(PUT_SIZE)
        interrupted_put(self.srv, 'r', len(data), data[:MIB],
                        FEATURES | RESUME)
        self.assertEqual(len(partials(self.root)), 1)
        c = self.client(FEATURES | RESUME)
        fid = c.take_id()
        c.send_frame(harness.PUT, fid, p_string('r') +
                     struct.pack('>QI', len(data), 1))
        held, crc = struct.unpack('>QI', c.expect(fid, READY).body)
        self.assertEqual(held, MIB)
        self.assertEqual(crc, harness.crc32c(data[:MIB]))
        c.send_frame(DATA, fid, data[MIB:MIB + 100 * KIB])
        c.abort(fid)
        self.assert_error(S_ABORTED, fid, c.expect_empty, fid, OK)
        self.assertEqual(partials(self.root), [])
        self.assertFalse(os.path.lexists(os.path.join(self.root, 'r')))
        fid = c.take_id()
        c.send_frame(harness.PUT, fid, p_string('r') +
                     struct.pack('>QI', len(data), 1))
        self.assertEqual(c.expect(fid, READY).body, struct.pack('>QI', 0, 0))
        c.put_data(fid, data)
        c.put_end_crc(fid, data)
        c.expect_empty(fid, OK)
        self.assertEqual(read(os.path.join(self.root, 'r')), data)

    def refused_abort(self, features, fid_of, body=b''):
        """A PUT, some DATA, then an ABORT the server must refuse as a
        protocol error; nothing is stored."""
        c = self.client(features)
        fid = c.put_begin('bad', PUT_SIZE)
        c.put_data(fid, os.urandom(MIB))
        c.abort(fid_of(fid), body)
        c.expect_refusal((S_PROTOCOL,), (0,))
        harness.wait_for(lambda: transfer_logged(self.srv, 'PUT', 'bad'),
                         harness.IO_TIMEOUT, 'the PUT in the log')
        self.assertFalse(os.path.lexists(os.path.join(self.root, 'bad')))
        self.assertEqual(partials(self.root), [])

    def test_wrong_id_is_a_protocol_error(self):
        self.refused_abort(FEATURES, lambda fid: fid + 1)

    def test_abort_with_a_body_is_a_protocol_error(self):
        self.refused_abort(FEATURES, lambda fid: fid, b'\0')

    def test_without_the_feature_is_a_protocol_error(self):
        self.refused_abort(FEATURE_MANAGE | CHECKSUM, lambda fid: fid)

    def test_abort_while_discarding(self):
        """The disk fills at the first DATA: the final ERROR comes at once
        and the server discards the rest (5.4).  ABORT ends that as END
        would, and nothing more is sent for the PUT."""
        if not SHIM or not os.path.isfile(SHIM):
            self.skipTest('FTPF_FAULTSHIM is not set (run through ctest)')
        env = dict(os.environ, LD_PRELOAD=SHIM,
                   FTPF_FAULT='write:1:ENOSPC', FTPF_FAULT_ARM=ARM)
        extra = 'verify_asan_link_order=0'
        env['ASAN_OPTIONS'] = (env['ASAN_OPTIONS'] + ':' + extra
                               if env.get('ASAN_OPTIONS') else extra)
        self.srv = self.start_server(env=env)
        self.root = self.srv.root
        write(os.path.join(self.root, 'small'), self.small)
        write(os.path.join(self.root, ARM), b'old content')
        c = self.client()
        fid = c.put_begin(ARM, PUT_SIZE)
        c.send_frame(DATA, fid, os.urandom(256 * KIB))
        self.assert_error(S_NO_SPACE, fid, c.expect_empty, fid, OK)
        self.assertIn('faultshim: write', self.srv.log_text())
        c.send_frame(DATA, fid, os.urandom(256 * KIB))  # discarded
        c.abort(fid)
        self.assert_in_step(c)
        self.assertEqual(read(os.path.join(self.root, ARM)), b'old content')
        self.assertEqual(partials(self.root), [])
        # And the same with END after an ABORT: END is then a new frame
        # between requests, which is an error (the discarding is over).
        fid = c.put_begin(ARM, PUT_SIZE)
        c.send_frame(DATA, fid, os.urandom(256 * KIB))
        self.assert_error(S_NO_SPACE, fid, c.expect_empty, fid, OK)
        c.abort(fid)
        c.send_frame(END, fid, struct.pack('>Q', 256 * KIB))
        c.expect_refusal((S_PROTOCOL,), (0,))


if __name__ == '__main__':
    unittest.main()
