"""manage_client.py - the MANAGE and ABORT features (docs/PROTOCOL.md 5.10,
5.11) spoken by hand, for test_manage.py and test_abort_proto.py.

ManageClient is harness.RawClient plus the frames those sections add:
the requests STAT, MKDIR, RMDIR, DELETE and RENAME, the reply INFO and the
transfer-stream frame ABORT.  Like RawClient it is written from the
specification alone, and checks every frame it receives as strictly.
Standard library only.
"""

import collections
import os
import re
import socket
import struct
import zlib

import harness
from harness import (ABORT, DATA, DELETE, END, ERROR, FEATURE_ABORT,
                     FEATURE_MANAGE, FILE, GET, INFO, MKDIR, RENAME, RMDIR,
                     S_NOT_EMPTY, STAT, TYPE_NAMES, ProtocolViolation,
                     RawClient, Reader, ServerError, p_string)

GET_COMPRESS = 0x1
MANAGE_REQUESTS = {t: TYPE_NAMES[t] for t in (STAT, MKDIR, RMDIR, DELETE,
                                               RENAME)}

Info = collections.namedtuple('Info', 'kind size mtime')
# How a transfer that was asked to stop ended: how is 'end' (the server
# finished first), 'aborted' (ERROR ABORTED) or 'error' (another ERROR,
# then in err); saw_file: FILE came; frames and data: the DATA frames and
# bytes drain() read.
Ended = collections.namedtuple('Ended', 'how err saw_file frames data')


def type_name(t):
    return TYPE_NAMES.get(t, '0x%02x' % t)


def rename_body(frm, to):
    return p_string(frm) + p_string(to)


class ManageClient(RawClient):
    """RawClient that also knows INFO from the server and sends the MANAGE
    requests and ABORT.  granted holds HELLO_OK's features."""

    granted = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An ABORT right behind its GET must not wait, under Nagle, for
        # the ACK of the GET, which the server sends only with its FILE.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def hello(self, *args, **kwargs):
        h = super().hello(*args, **kwargs)
        self.granted = h.features
        return h

    # --- frames (RawClient's checks, and INFO only with MANAGE) ---

    def recv_frame(self):
        fr = super().recv_frame()
        if fr.type == INFO and not self.granted & FEATURE_MANAGE:
            raise ProtocolViolation('INFO in a session without MANAGE')
        return fr

    # --- MANAGE (5.10) ---

    def request(self, ftype, body):
        """Sends one request; returns its id."""
        fid = self.take_id()
        self.send_frame(ftype, fid, body)
        return fid

    def stat(self, path):
        fid = self.request(STAT, p_string(path))
        r = Reader(self.expect(fid, INFO).body, 'INFO')
        info = Info(r.u8(), r.u64(), r.i64())
        r.done()
        if info.kind not in (1, 2, 3, 4):
            raise ProtocolViolation('INFO kind %d' % info.kind)
        return info

    def mkdir(self, path):
        self.expect_empty(self.request(MKDIR, p_string(path)), harness.OK)

    def rmdir(self, path):
        self.expect_empty(self.request(RMDIR, p_string(path)), harness.OK)

    def delete(self, path):
        self.expect_empty(self.request(DELETE, p_string(path)), harness.OK)

    def rename(self, frm, to):
        self.expect_empty(self.request(RENAME, rename_body(frm, to)),
                          harness.OK)

    # --- ABORT (5.11) ---

    def abort(self, fid, body=b''):
        self.send_frame(ABORT, fid, body)

    def get_begin(self, path, offset=0, compress=False):
        """Sends GET (with the flags field when COMPRESS was granted);
        returns its id.  The answer is read with read_file() and drain()."""
        body = p_string(path) + struct.pack('>Q', offset)
        if self.granted & harness.FEATURE_COMPRESS:
            body += struct.pack('>I', GET_COMPRESS if compress else 0)
            self.data_flags = harness.FLAG_COMPRESSED if compress else 0
        return self.request(GET, body)

    def read_file(self, fid):
        r = Reader(self.expect(fid, FILE).body, 'FILE')
        info = harness.FileInfo(r.u64(), r.i64(), r.u64())
        r.done()
        return info

    def drain(self, fid, size, saw_file=True, max_frames=None):
        """After ABORT: reads the transfer's frames up to its END or ERROR
        (FILE too, unless already read) and says how it ended.  size: the
        file's, which bounds the frames a correct server can send."""
        frames = data = 0
        bound = max_frames or size + 3  # >= 1 byte a DATA, FILE, END
        for _ in range(bound):
            try:
                fr = self.expect(fid, FILE, DATA, END)
            except ServerError as e:
                if e.id == 0:
                    raise
                how = 'aborted' if e.status == harness.S_ABORTED else 'error'
                return Ended(how, e, saw_file, frames, data)
            if fr.type == FILE:
                if saw_file:
                    raise ProtocolViolation('a second FILE in one GET')
                saw_file = True
            elif not saw_file:
                raise ProtocolViolation('%s before FILE' %
                                        type_name(fr.type))
            elif fr.type == DATA:
                frames += 1
                data += len(fr.body)
            else:
                r = Reader(fr.body, 'END')
                r.u64()
                if self.granted & harness.FEATURE_CHECKSUM:
                    r.u32()
                r.done()
                return Ended('end', None, saw_file, frames, data)
        raise ProtocolViolation('GET %d never ended' % fid)

    def fetch(self, path, compress=False):
        """A whole GET in any session: (FileInfo, the file's bytes), END's
        count and (with CHECKSUM) crc32c checked."""
        fid = self.get_begin(path, compress=compress)
        info = self.read_file(fid)
        chunks = []
        for _ in range(info.size + 2):  # >= 1 byte a DATA
            fr = self.expect(fid, DATA, END)
            if fr.type == DATA:
                body = fr.body
                if fr.flags & harness.FLAG_COMPRESSED:
                    body = zlib.decompress(body, -15)
                chunks.append(body)
                continue
            data = b''.join(chunks)
            r = Reader(fr.body, 'END')
            count = r.u64()
            crc = (r.u32() if self.granted & harness.FEATURE_CHECKSUM
                   else None)
            r.done()
            if count != len(data) or len(data) != info.size - info.offset:
                raise ProtocolViolation('GET END count %d, got %d' %
                                        (count, len(data)))
            if crc is not None and crc != harness.crc32c(data):
                raise ProtocolViolation('GET END crc32c %08x' % crc)
            return info, data
        raise ProtocolViolation('GET %d never ended' % fid)

    def put_end_crc(self, fid, data_or_count, crc=None):
        """END of a PUT, with the crc32c when CHECKSUM was granted."""
        count = (data_or_count if isinstance(data_or_count, int)
                 else len(data_or_count))
        body = struct.pack('>Q', count)
        if self.granted & harness.FEATURE_CHECKSUM:
            if crc is None:
                crc = harness.crc32c(data_or_count)
            body += struct.pack('>I', crc)
        self.send_frame(END, fid, body)


def transfer_logged(srv, op, path):
    """The daemon's log lines for transfers (op GET or PUT) of path."""
    pat = re.compile(r' %s path="%s" bytes=\d+ .*result=(\S+)' %
                     (op, re.escape(path)))
    return pat.findall(srv.log_text())


def interrupted_put(srv, path, size, data, features):
    """A PUT of path (size announced) that sends data and hangs up; waits
    until the daemon has logged its end.  In a session with RESUME the
    server keeps what it got (5.7)."""
    before = len(transfer_logged(srv, 'PUT', path))
    c = ManageClient(srv.port)
    try:
        c.hello(features=features)
        fid = c.put_begin(path, size)
        c.put_data(fid, data)
    finally:
        c.close()
    harness.wait_for(lambda: len(transfer_logged(srv, 'PUT', path)) > before,
                     harness.IO_TIMEOUT, 'the interrupted PUT of %s in the '
                     'log' % path)


def partials(top):
    """Every hidden upload temporary under top (kept ones included)."""
    return harness.temporaries(top)


def write(path, data, mtime=None):
    """Creates path (and its directory) holding data, with mtime if given."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data.encode() if isinstance(data, str) else data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def read(path):
    with open(path, 'rb') as f:
        return f.read()
