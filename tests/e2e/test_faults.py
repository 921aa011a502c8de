"""test_faults.py - uploads and downloads under injected disk and memory
faults.

tests/fault/faultshim.c (built by tests/CMakeLists.txt, named by
FTPF_FAULTSHIM) is preloaded into ftpd.  It fails the Nth write(2) to a
regular file, fsync(2), rename(2) or malloc(3) that one request makes:
counting starts when a session thread resolves a path named ARM
("victim"), so every other session, and the daemon's own start-up, are
untouched.  The spec is read from a file at each arming, so one daemon
serves a whole case table or sweep; each fired fault is one "faultshim:"
line in the daemon's log.

For every storage fault (write ENOSPC/EIO, fsync EIO/ENOSPC, rename
EIO/ENOSPC), uploaded with ftpc (which negotiates RESUME: the kept-upload
path, PROTOCOL.md 5.7) and with a bare RawClient (the random temporary):
the PUT over an existing file fails with the server's message (ftpc exit
status 1, "no space left on device" or "input/output error"; RawClient:
ERROR NO_SPACE/IO with the PUT's id, after which the session goes on), the
old file is intact, no ".ftpd-part." temporary is left, and the daemon
still serves put+get.  The directory fsync after the rename is the commit
point (storage/local_upload.c): failing it still stores the new file.  A
PUT refused early (disk full at its first DATA frame) has had its one
answer: a client may send END and its next request together, and that
request must be answered.

malloc: for the allocations one PUT makes (sweeping N until the fault no
longer fires, bounded), in plain, checksum+resume and compress sessions,
the Nth fails once ("N"), or it and every later one ("N+"); the same for
a GET.  Each time the daemon survives, the old file is intact, nothing is
left behind, its descriptor count returns to where it was, and a one-shot
failure is answered with an ERROR for the request that met it (the
stream is still in step: the session's next request is answered).

Sanitizers: the shim is not instrumented and forwards to the sanitizer's
allocator (dlsym RTLD_NEXT), so it works under ASan (with
verify_asan_link_order=0, since ASan wants to be first in the library
list) and under TSan; there the sweeps catch use-after-free and races on
error paths too.

Over TLS (FTP_E2E_TLS=1) the module runs again, but lighter (about 15 s):
the storage faults with RawClient and the early-error case (where TLS
has its own way to lose a request: records read ahead, invisible to
poll(2)), and the one-shot malloc sweeps of a plain PUT and a sendfile
GET, whose allocations are then mostly OpenSSL's, a few per record (a
failure inside OpenSSL may end the connection: it cannot recover its
record layer).  ftpc and the other sweep variants add nothing there that
the plaintext run has not covered.
"""

import os
import re
import socket
import ssl
import struct
import unittest
import zlib

import harness
from harness import (DATA, END, FILE, GET, KIB, OK, PUT, READY,
                     FEATURE_CHECKSUM, FEATURE_COMPRESS, FEATURE_RESUME,
                     FLAG_COMPRESSED, S_IO, S_NO_SPACE, S_PROTOCOL,
                     ConnectionClosed, E2ETestCase, RawClient, ServerError,
                     p_string, run_ftpc, sha256_bytes)

SHIM = os.environ.get('FTPF_FAULTSHIM', '')
ARM = 'victim'
OLD_SIZE = 600 * KIB  # three GET chunks
NEW_SIZE = 700 * KIB  # three DATA frames of 256 KiB: three writes
CHUNK = 256 * KIB
# More allocations than one request makes by far (a sweep measures it and
# stops at the first N that no longer fires): a bound, so that a request
# that allocated without end fails the test instead of running forever.
SWEEP_MAX = 400
PUT_COMPRESS = 0x2
GET_COMPRESS = 0x1
XATTR = 'user.ftpf.crc32c'

# The follow-up request that shows a session still in step after an
# ERROR: a correct daemon answers at once, so a short bound (not a
# statement about speed: a hang fails sooner than IO_TIMEOUT would).
FOLLOW_UP_TIMEOUT = 10 * harness.SCALE
FIRED_RE = re.compile(r'^faultshim: .*$', re.M)
SPEC_ERR = 'faultshim: ignoring'
# Set to print every sweep step (spec, outcome, where the fault fired).
VERBOSE = os.environ.get('FTPF_FAULT_VERBOSE') == '1'


def skip_reason():
    if not SHIM:
        return 'FTPF_FAULTSHIM is not set (run through ctest, which builds '\
               'tests/fault/faultshim.c and names it)'
    if not os.path.isfile(SHIM):
        return 'fault shim %s not built' % SHIM
    return None


def old_content():
    """Compressible (a GET with COMPRESS deflates it) and unique."""
    rnd = os.urandom(OLD_SIZE // 64)
    lines = b''.join(b'line %06d of the old file: %s\n' %
                     (i, rnd[i % len(rnd):i % len(rnd) + 8].hex().encode())
                     for i in range(OLD_SIZE // 40))
    return lines[:OLD_SIZE]


def closed_errors():
    # ssl.SSLError: under TLS a server whose OpenSSL failed to allocate
    # sends an "internal error" alert, and the connection is over.
    return (ConnectionClosed, ConnectionResetError, BrokenPipeError,
            harness.ProtocolViolation, ssl.SSLError)


class Outcome:
    """What a request met: 'ok', 'error' (an ERROR for its id), or
    'closed' (the connection ended: an id-0 ERROR or no answer)."""

    def __init__(self, kind, err=None, detail=''):
        self.kind = kind
        self.err = err
        self.detail = detail

    def __repr__(self):
        if self.kind == 'ok':
            return 'ok'
        if self.err is not None:
            return '%s %s' % (self.kind, self.err)
        return '%s (%s)' % (self.kind, self.detail)


def raw_put(c, path, data, flags=0, crc=None):
    """A PUT that copes with any answer (the server may answer early)."""
    fid = c.take_id()
    try:
        c.send_frame(PUT, fid, p_string(path) +
                     struct.pack('>QI', len(data), flags))
        c.expect(fid, OK, READY)
    except ServerError as e:
        return Outcome('error' if e.id == fid else 'closed', e)
    except closed_errors() as e:
        return Outcome('closed', detail=repr(e))
    end = struct.pack('>Q', len(data))
    if crc is not None:
        end += struct.pack('>I', crc)
    try:
        for off in range(0, len(data), CHUNK):
            c.send_frame(DATA, fid, data[off:off + CHUNK])
        c.send_frame(END, fid, end)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the answer, if any, is still there to read
    try:
        c.expect_empty(fid, OK)
        return Outcome('ok')
    except ServerError as e:
        return Outcome('error' if e.id == fid else 'closed', e)
    except closed_errors() as e:
        return Outcome('closed', detail=repr(e))


def raw_get(c, path, checksum=False, compress=None):
    """(Outcome, data, END's crc): a GET that copes with any answer; data
    only when the stream ended with a correct END."""
    fid = c.take_id()
    body = p_string(path) + struct.pack('>Q', 0)
    if compress is not None:
        body += struct.pack('>I', GET_COMPRESS if compress else 0)
        c.data_flags = FLAG_COMPRESSED
    try:
        c.send_frame(GET, fid, body)
        r = harness.Reader(c.expect(fid, FILE).body, 'FILE')
        size, _, _ = r.u64(), r.i64(), r.u64()
        r.done()
        chunks, got = [], 0
        for _ in range(size + 2):  # at least one byte a DATA frame
            fr = c.expect(fid, DATA, END)
            if fr.type == END:
                break
            raw = fr.body
            if fr.flags & FLAG_COMPRESSED:
                raw = zlib.decompressobj(-15).decompress(raw)
            chunks.append(raw)
            got += len(raw)
        r = harness.Reader(fr.body, 'END')
        count = r.u64()
        crc = r.u32() if checksum else None
        r.done()
        data = b''.join(chunks)
        if count != size or got != size:
            raise harness.ProtocolViolation('GET END count %d, got %d, '
                                            'size %d' % (count, got, size))
        return Outcome('ok'), data, crc
    except ServerError as e:
        return Outcome('error' if e.id == fid else 'closed', e), None, None
    except closed_errors() as e:
        return Outcome('closed', detail=repr(e)), None, None


class FaultCase(E2ETestCase):
    """One daemon with the shim preloaded, a root holding ARM with OLD
    content, and a client directory holding NEW."""

    def setUp(self):
        reason = skip_reason()
        if reason:
            self.skipTest(reason)
        self.work = self.make_tmpdir()
        self.spec_path = os.path.join(self.work, 'fault-spec')
        self.arm('off')
        env = dict(os.environ)
        env['LD_PRELOAD'] = SHIM
        env['FTPF_FAULT'] = '@' + self.spec_path
        env['FTPF_FAULT_ARM'] = ARM
        # ASan insists on coming first in the library list; the shim
        # forwards to its allocator, so that order is not needed.
        extra = 'verify_asan_link_order=0'
        env['ASAN_OPTIONS'] = (env['ASAN_OPTIONS'] + ':' + extra
                               if env.get('ASAN_OPTIONS') else extra)
        self.srv = self.start_server(env=env)
        self.old = old_content()
        self.old_hash = sha256_bytes(self.old)
        self.old_crc = harness.crc32c(self.old)
        self.new = os.urandom(NEW_SIZE)
        self.new_hash = sha256_bytes(self.new)
        self.new_crc = harness.crc32c(self.new)
        with open(os.path.join(self.work, 'new'), 'wb') as f:
            f.write(self.new)
        self.reset_victim()
        # A client that connected before any fault: it must be served
        # throughout (its thread is never armed).
        self.good = RawClient(self.srv.port)
        self.addCleanup(self.good.close)
        self.good.hello()
        self.base_threads = self.threads()
        self.assertNotIn(SPEC_ERR, self.srv.log_text())

    # --- the fault ---

    def arm(self, spec):
        """The spec the next arming reads ('off': none)."""
        tmp = self.spec_path + '.tmp'
        with open(tmp, 'w') as f:
            f.write(spec + '\n')
        os.rename(tmp, self.spec_path)

    def fired(self):
        return FIRED_RE.findall(self.srv.log_text())

    def threads(self):
        return len(os.listdir('/proc/%d/task' % self.srv.proc.pid))

    def sessions_ended(self):
        """Waits until every session but the early client's has ended
        (one thread each): an armed thread has then made all its calls."""
        harness.wait_for(lambda: self.threads() == self.base_threads,
                         harness.IO_TIMEOUT, 'sessions to end')

    def follow_up(self, c, spec, out):
        """After an answered failure the session must still be in step:
        its next request is answered (with memory still short, "N+",
        maybe by an ERROR of its own, or by the end of the session)."""
        c.sock.settimeout(FOLLOW_UP_TIMEOUT)
        sticky = '+' in spec
        try:
            names = {e.name for e in c.list('')}
        except ServerError as e:
            if sticky and e.id != 0:
                return
            raise
        except closed_errors():
            if sticky:
                return
            raise
        except TimeoutError:
            self.fail('%s: after %s the session does not answer its next '
                      'request (under TLS: a request read ahead with the '
                      'END of the discarded stream, which poll(2) cannot '
                      'see)' % (spec, out))
        self.assertIn(ARM, names, '%s: session out of step after %s' %
                      (spec, out))

    # --- the state after a fault ---

    def victim_path(self):
        return os.path.join(self.srv.root, ARM)

    def reset_victim(self):
        """ARM back to the old content (written in place, so a cached
        checksum no longer matches its mtime)."""
        with open(self.victim_path(), 'wb') as f:
            f.write(self.old)

    def assert_no_temporaries(self, what=''):
        """After sessions_ended(): a temporary is removed before its
        session's thread ends, so there is nothing to wait for.  One
        left is removed, so that the next case starts clean."""
        left = harness.temporaries(self.srv.root)
        for p in left:
            os.unlink(p)
        self.assertEqual(left, [], '%s: temporaries left behind' % what)

    def assert_victim(self, digest, why):
        self.assertEqual(harness.sha256_file(self.victim_path()), digest,
                         why)

    def assert_serving(self):
        """The early client and a new one are served (put+get)."""
        names = {e.name for e in self.good.list('')}
        self.assertIn(ARM, names)
        with RawClient(self.srv.port) as c:
            c.hello()
            data = os.urandom(3000)
            c.put('fresh', data)
            self.assertEqual(c.get('fresh')[1], data)
            c.quit()

    def fd_count(self):
        return len(os.listdir('/proc/%d/fd' % self.srv.proc.pid))

    def assert_fds_back(self, base, what):
        try:
            harness.wait_for(lambda: self.fd_count() == base,
                             harness.IO_TIMEOUT, 'descriptors to settle')
        except AssertionError:
            self.fail('%s: ftpd holds %d descriptors, %d before: %s' %
                      (what, self.fd_count(), base,
                       sorted(os.readlink('/proc/%d/fd/%s' %
                                          (self.srv.proc.pid, n))
                              for n in os.listdir('/proc/%d/fd' %
                                                  self.srv.proc.pid))))


# (spec, the message ftpc and the ERROR carry or None for success, status)
STORAGE_FAULTS = [
    ('write:1:ENOSPC', 'no space left on device', S_NO_SPACE),
    ('write:3:ENOSPC', 'no space left on device', S_NO_SPACE),
    ('write:1:EIO', 'input/output error', S_IO),
    ('write:2:EIO', 'input/output error', S_IO),
    ('fsync:1:EIO', 'input/output error', S_IO),
    ('fsync:1:ENOSPC', 'no space left on device', S_NO_SPACE),
    ('rename:1:EIO', 'input/output error', S_IO),
    ('rename:1:ENOSPC', 'no space left on device', S_NO_SPACE),
    # The directory's fsync comes after the rename, the commit point: the
    # new file is in place and is reported stored.
    ('fsync:2:EIO', None, None),
]


class StorageFaultTest(FaultCase):

    def check_after(self, spec, stored, fired_before):
        fired = self.fired()
        self.assertEqual(len(fired), fired_before + 1,
                         '%s: the fault did not fire exactly once: %s' %
                         (spec, fired[fired_before:]))
        self.assert_victim(self.new_hash if stored else self.old_hash,
                           '%s: %s' % (spec, 'new file not stored'
                                       if stored else 'old file damaged'))
        self.assert_no_temporaries()
        self.assert_serving()
        self.reset_victim()

    @unittest.skipIf(harness.TLS, 'the storage faults are the same over '
                     'TLS; test_raw_put and the early-error test cover the '
                     'daemon there')
    def test_ftpc_put(self):
        for spec, message, _ in STORAGE_FAULTS:
            with self.subTest(spec=spec):
                before = len(self.fired())
                self.arm(spec)
                r = run_ftpc(['-c', 'put new %s' % ARM, self.srv.addr],
                             cwd=self.work)
                self.arm('off')
                if message is None:
                    self.assertEqual(r.returncode, 0, r.stderr)
                else:
                    # 1: the server refused (README), not a connection
                    # or checksum problem that a retry could cure.
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertIn('put new: %s: %s' % (message, ARM),
                                  r.stderr)
                self.sessions_ended()
                self.check_after(spec, message is None, before)

    def test_raw_put(self):
        # No features: the random temporary, not the kept upload.
        for spec, message, status in STORAGE_FAULTS:
            with self.subTest(spec=spec), RawClient(self.srv.port) as c:
                c.hello()
                before = len(self.fired())
                self.arm(spec)
                out = raw_put(c, ARM, self.new)
                self.arm('off')
                if message is None:
                    self.assertEqual(out.kind, 'ok', out)
                else:
                    self.assertEqual(out.kind, 'error', out)
                    self.assertEqual(out.err.status, status, out)
                    self.assertEqual(out.err.message,
                                     '%s: %s' % (message, ARM))
                # One final answer, then the session is in step.
                self.follow_up(c, spec, out)
                c.quit()
                self.sessions_ended()
                self.check_after(spec, message is None, before)

    def test_next_request_right_after_early_error(self):
        # The disk fills at the first DATA frame: the PUT's final ERROR
        # comes at once (PROTOCOL.md 5.4).  Its answer complete, the
        # client may stop, send END and its next request together; the
        # server, discarding up to END, must then see that request.
        c = RawClient(self.srv.port)
        self.addCleanup(c.close)
        c.hello()
        self.arm('write:1:ENOSPC')
        fid = c.put_begin(ARM, len(self.new))
        c.send_frame(DATA, fid, self.new[:CHUNK])
        with self.assertRaises(ServerError) as cm:
            c.expect_empty(fid, OK)
        self.arm('off')
        self.assertEqual((cm.exception.status, cm.exception.id),
                         (S_NO_SPACE, fid))
        lid = c.take_id()
        # Two sends (under TLS two records), corked into one segment so
        # that they arrive together.
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        c.send_frame(END, fid, struct.pack('>Q', CHUNK))
        c.send_frame(harness.LIST, lid, p_string(''))
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        c.sock.settimeout(FOLLOW_UP_TIMEOUT)
        try:
            fr = c.expect(lid, harness.ENTRIES, END)
        except TimeoutError:
            self.fail('LIST sent with the END of a failed PUT is never '
                      'answered (under TLS: read ahead with the END, where '
                      'poll(2) cannot see it)')
        self.assertEqual(fr.id, lid)
        c.close()
        self.sessions_ended()
        self.assert_victim(self.old_hash, 'old file damaged')
        self.assert_no_temporaries()
        self.assert_serving()


# Sessions a PUT sweep runs in: (name, HELLO features, PUT flags, also
# over TLS).  Over TLS the request's allocations are mostly OpenSSL's (a
# few per record), which do not depend on the variant; one is enough.
PUT_VARIANTS = [
    ('plain', 0, 0, True),
    ('checksum+resume', FEATURE_CHECKSUM | FEATURE_RESUME, 0, False),
    ('compress', FEATURE_CHECKSUM | FEATURE_COMPRESS, PUT_COMPRESS, False),
]
# GET: (name, HELLO features, compress field or None, also over TLS); with
# CHECKSUM and no cached sum the file is read into a buffer and summed,
# else it goes by sendfile.
GET_VARIANTS = [
    ('sendfile', 0, None, True),
    ('checksum', FEATURE_CHECKSUM, None, False),
    ('compress', FEATURE_CHECKSUM | FEATURE_COMPRESS, True, False),
]
TLS_MODULES = ('libssl', 'libcrypto')


def in_tls_library(line):
    """The failed allocation was OpenSSL's own: a TLS connection cannot
    survive that (it sends an "internal error" alert), so a closed
    connection is the right outcome there."""
    place = line.split(' from ', 1)[-1]
    return place.startswith(TLS_MODULES)


class MallocSweepTest(FaultCase):

    def one_put(self, features, flags, spec):
        """PUT ARM under spec; returns (outcome, fired lines)."""
        before = len(self.fired())
        self.arm(spec)
        with RawClient(self.srv.port) as c:
            c.hello(features=features)
            crc = (self.new_crc if features & FEATURE_CHECKSUM else None)
            out = raw_put(c, ARM, self.new, flags, crc)
            self.arm('off')
            if out.kind == 'error':
                self.follow_up(c, spec, out)
        self.sessions_ended()
        return out, self.fired()[before:]

    def one_get(self, features, compress, spec):
        before = len(self.fired())
        self.arm(spec)
        with RawClient(self.srv.port) as c:
            c.hello(features=features)
            checksum = features & FEATURE_CHECKSUM != 0
            out, data, crc = raw_get(c, ARM, checksum, compress)
            self.arm('off')
            if out.kind == 'ok':
                self.assertEqual(sha256_bytes(data), self.old_hash,
                                 '%s: GET delivered wrong bytes' % spec)
                if checksum:
                    self.assertEqual(crc, self.old_crc,
                                     '%s: wrong CRC-32C in END' % spec)
            elif out.kind == 'error':
                self.follow_up(c, spec, out)
        self.sessions_ended()
        return out, self.fired()[before:]

    def check_put_after(self, what, out):
        """The new file after OK, the old one after an ERROR; after a
        closed connection either (the reply can be lost after the commit
        point, e.g. when OpenSSL cannot allocate to encrypt the OK), but
        never anything else.  Nothing left behind."""
        digest = harness.sha256_file(self.victim_path())
        if out.kind == 'ok':
            self.assertEqual(digest, self.new_hash, '%s: OK but not '
                             'stored' % what)
        elif out.kind == 'error':
            self.assertEqual(digest, self.old_hash, '%s: %s, and the old '
                             'file is damaged' % (what, out))
        else:
            self.assertIn(digest, (self.old_hash, self.new_hash),
                          '%s: %s, and the file is damaged' % (what, out))
        self.reset_victim()
        self.assert_no_temporaries('%s: %s' % (what, out))

    def clear_cached_sum(self):
        try:
            os.removexattr(self.victim_path(), XATTR)
        except OSError:
            pass

    def sweep(self, run, check, sticky):
        """Runs run(spec) for N = 1, 2, ... until the fault no longer
        fires; returns [(N, outcome, fired line)]."""
        results = []
        for n in range(1, SWEEP_MAX + 1):
            spec = 'malloc:%d%s:ENOMEM' % (n, '+' if sticky else '')
            out, fired = run(spec)
            check(spec, out)
            if not fired:
                if out.kind != 'ok':
                    self.fail('%s: no fault fired, yet %s' % (spec, out))
                return results
            self.assertEqual(len(fired), 1, fired)
            results.append((n, out, fired[0]))
            if VERBOSE:
                print('%s -> %s; %s' % (spec, out, fired[0]))
            if n % 16 == 0:
                self.assert_serving()
        self.fail('more than %d allocations in one request' % SWEEP_MAX)

    def assert_answered(self, results, what):
        """A one-shot failure is answered: ERROR for the request (not a
        protocol error), or success when the allocation was optional.
        Only OpenSSL's own failures may end a TLS connection instead."""
        bad = [(n, out, line) for n, out, line in results
               if (out.kind == 'closed' and not in_tls_library(line)) or
               (out.kind == 'error' and out.err.status == S_PROTOCOL)]
        self.assertEqual(bad, [], '%s: allocation failures not answered '
                         'with an ERROR for the request' % what)

    @staticmethod
    def modes():
        # Sticky ("N+"): memory stays short; nothing can be answered then
        # (an ERROR needs memory too), only survived.  Not over TLS,
        # where the plaintext run has covered it.
        return (False,) if harness.TLS else (False, True)

    def test_put_sweep(self):
        base = self.fd_count()
        for name, features, flags, tls in PUT_VARIANTS:
            if harness.TLS and not tls:
                continue
            for sticky in self.modes():
                what = 'PUT %s%s' % (name, ' sticky' if sticky else '')
                with self.subTest(what):
                    results = self.sweep(
                        lambda spec: self.one_put(features, flags, spec),
                        lambda spec, out: self.check_put_after(
                            '%s %s' % (what, spec), out), sticky)
                    self.assertGreater(len(results), 0)
                    if not sticky:
                        self.assert_answered(results, what)
                    self.assert_serving()
        self.assert_fds_back(base, 'after the PUT sweeps')

    def test_get_sweep(self):
        base = self.fd_count()
        for name, features, compress, tls in GET_VARIANTS:
            if harness.TLS and not tls:
                continue
            for sticky in self.modes():
                what = 'GET %s%s' % (name, ' sticky' if sticky else '')
                with self.subTest(what):
                    def run(spec):
                        self.clear_cached_sum()
                        return self.one_get(features, compress, spec)
                    results = self.sweep(
                        run, lambda spec, out: self.assert_victim(
                            self.old_hash, spec), sticky)
                    self.assertGreater(len(results), 0)
                    if not sticky:
                        self.assert_answered(results, what)
                    self.assert_serving()
        self.assert_fds_back(base, 'after the GET sweeps')

    def test_ftpc_put_out_of_memory(self):
        # The first allocation of the PUT (the upload's own record).
        self.arm('malloc:1:ENOMEM')
        r = run_ftpc(['-c', 'put new %s' % ARM, self.srv.addr],
                     cwd=self.work)
        self.arm('off')
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('put new: out of memory: %s' % ARM, r.stderr)
        self.sessions_ended()
        self.assertEqual(len(self.fired()), 1)
        self.assert_victim(self.old_hash, 'old file damaged')
        self.assert_no_temporaries()
        self.assert_serving()


if __name__ == '__main__':
    unittest.main()
