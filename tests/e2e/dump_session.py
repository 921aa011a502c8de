#!/usr/bin/env python3
"""dump_session.py - an annotated hex dump of a complete session.

Not a test: starts a fresh ftpd (FTPD, as for the tests) on a temporary root
holding one file, runs HELLO, LIST, PUT of the 5-byte file "hello", GET of
it and QUIT with RawClient, and prints every frame in both directions, field
by field, for docs/PROTOCOL.md section 12.

    FTPD=build/bin/ftpd python3 tests/e2e/dump_session.py
"""

import datetime
import os
import struct
import sys

import harness
from harness import (DATA, END, ERROR, FILE, GET, HELLO, HELLO_OK, LIST, OK,
                     PUT, QUIT, ENTRIES, RawClient, Server)

NOTES_MTIME = 1704067200  # 2024-01-01 00:00:00 UTC
ARROWS = {'C': 'client -> server', 'S': 'server -> client'}
HEX_PER_LINE = 16
HEX_WIDTH = HEX_PER_LINE * 3


class Annotator:
    """Walks one frame, collecting (offset, bytes, note) rows."""

    def __init__(self, frame):
        self.frame = frame
        self.pos = 0
        self.rows = []

    def take(self, n, note):
        raw = self.frame[self.pos:self.pos + n]
        self.rows.append((self.pos, raw, note(raw) if callable(note)
                          else note))
        self.pos += n
        return raw

    def u8(self, name, show=None):
        return self.take(1, lambda b: show(b[0]) if show
                         else '%s %d' % (name, b[0]))[0]

    def u16(self, name, show=None):
        raw = self.take(2, lambda b: show(_u(b)) if show
                        else '%s %d' % (name, _u(b)))
        return _u(raw)

    def u32(self, name, show=None):
        return _u(self.take(4, lambda b: show(_u(b)) if show
                            else '%s %d' % (name, _u(b))))

    def u64(self, name, show=None):
        return _u(self.take(8, lambda b: show(_u(b)) if show
                            else '%s %d' % (name, _u(b))))

    def i64(self, name):
        raw = self.take(8, lambda b: '%s %d (%s)' % (name, _i(b),
                                                     _utc(_i(b))))
        return _i(raw)

    def string(self, name):
        n = self.u16(name, lambda v: '%s: string of %d bytes' % (name, v))
        if n:
            self.take(n, lambda b: '  %s' % _quote(b))

    def rest(self, note):
        if self.pos < len(self.frame):
            self.take(len(self.frame) - self.pos, note)


def _u(raw):
    return int.from_bytes(raw, 'big')


def _i(raw):
    return struct.unpack('>q', raw)[0]


def _utc(t):
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')


def _quote(raw):
    return '"%s"' % raw.decode('utf-8', 'backslashreplace')


def _body_hello(a):
    a.u32('magic', lambda v: 'magic 0x%08x ("FTPF")' % v)
    a.u16('version')
    a.u64('features', lambda v: 'features 0x%x' % v)
    a.string('software')


def _body_hello_ok(a):
    a.u16('version')
    a.u64('features', lambda v: 'features granted 0x%x' % v)
    n = a.u16('n', lambda v: 'n = %d limits' % v)
    for _ in range(n):
        a.u16('key', lambda v: 'key %d %s' %
              (v, harness.LIMIT_NAMES.get(v, '(unknown)')))
        a.u64('value', lambda v: '  value %d' % v)
    a.string('software')


def _body_entries(a):
    kinds = {1: 'file', 2: 'directory', 3: 'symlink', 4: 'other'}
    n = a.u16('n', lambda v: 'n = %d entries' % v)
    for _ in range(n):
        a.u8('kind', lambda v: 'kind %d (%s)' % (v, kinds.get(v, '?')))
        a.u64('size')
        a.i64('mtime')
        a.string('name')


def _body_error(a):
    a.u16('status', lambda v: 'status %d (%s)' % (
        v, harness.STATUS_NAMES[v] if v < len(harness.STATUS_NAMES)
        else '?'))
    a.string('message')


BODIES = {
    HELLO: _body_hello,
    LIST: lambda a: a.string('path'),
    GET: lambda a: (a.string('path'), a.u64('offset')),
    PUT: lambda a: (a.string('path'), a.u64('size'), a.u32('flags')),
    QUIT: lambda a: None,
    DATA: lambda a: a.rest(lambda b: 'file bytes %s' % _quote(b)),
    END: lambda a: a.u64('count'),
    OK: lambda a: None,
    ERROR: _body_error,
    HELLO_OK: _body_hello_ok,
    ENTRIES: _body_entries,
    FILE: lambda a: (a.u64('size'), a.i64('mtime'), a.u64('offset')),
}


def annotate(direction, header, body):
    length, ftype, flags, fid = harness.HEADER.unpack(header)
    name = harness.TYPE_NAMES.get(ftype, '0x%02x' % ftype)
    a = Annotator(header + body)
    a.u32('length', lambda v: 'length %d (body bytes)' % v)
    a.take(1, 'type 0x%02x %s' % (ftype, name))
    a.u8('flags')
    a.u32('id')
    BODIES[ftype](a)
    a.rest('(undecoded)')
    lines = ['%s  %s, id %d, %d + %d bytes' % (ARROWS[direction], name, fid,
                                               len(header), length)]
    for off, raw, note in a.rows:
        for i in range(0, max(1, len(raw)), HEX_PER_LINE):
            chunk = raw[i:i + HEX_PER_LINE]
            hexes = ' '.join('%02x' % b for b in chunk)
            lines.append('  %04x  %-*s %s' % (off + i, HEX_WIDTH, hexes,
                                              note if i == 0 else ''))
    return '\n'.join(line.rstrip() for line in lines)


def run_session(port):
    frames = []
    with RawClient(port, trace=lambda d, h, b: frames.append((d, h, b))) \
            as c:
        c.hello(software='dump_session/1')
        c.list('')
        c.put('hello.txt', b'hello')
        info, data = c.get('hello.txt')
        assert data == b'hello', data
        c.quit()
    return frames


def main():
    with Server() as srv:
        notes = os.path.join(srv.root, 'notes.txt')
        with open(notes, 'wb') as f:
            f.write(b'hi\n')
        os.utime(notes, (NOTES_MTIME, NOTES_MTIME))
        frames = run_session(srv.port)
    out = [annotate(d, h, b) for d, h, b in frames]
    sys.stdout.write('\n\n'.join(out) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
