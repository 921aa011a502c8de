#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses into tests/fuzz/corpus/.

    python3 tests/fuzz/make_seeds.py [OUTDIR]

Each harness gets a directory of small, valid (and a few deliberately
invalid) inputs in the shape it reads, so that fuzzing starts from deep
inside the protocol instead of rediscovering HELLO.  The output is
deterministic: run it again after a protocol change and commit the diff.
Encodings follow docs/PROTOCOL.md; the input layouts are described at the
top of each tests/fuzz/fuzz_*.c.  Python standard library only.
"""

import os
import shutil
import struct
import sys
import zlib

# --- the wire format (docs/PROTOCOL.md) -----------------------------------

MAGIC = 0x46545046
HELLO, LIST, GET, PUT, QUIT, SUM, LOGIN = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
STAT, MKDIR, RMDIR, DELETE, RENAME = 0x08, 0x09, 0x0A, 0x0B, 0x0C
DATA, END, ABORT = 0x10, 0x11, 0x12
OK, ERROR, HELLO_OK, ENTRIES, FILE, SUM_OK, READY = (
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26)
COMPRESSED = 0x01
F_CHECKSUM, F_RESUME, F_COMPRESS, F_LOGIN = 0x1, 0x2, 0x4, 0x8
F_MANAGE, F_ABORT = 0x10, 0x20
PUT_RESUME, PUT_COMPRESS = 0x1, 0x2
GET_COMPRESS = 0x1
MTIME = 1704067200  # 2024-01-01, as in the hex dump of PROTOCOL.md 12


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli), continued from crc like crc32c_update()."""
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def u8(v): return struct.pack(">B", v)
def u16(v): return struct.pack(">H", v)
def u32(v): return struct.pack(">I", v)
def u64(v): return struct.pack(">Q", v)
def i64(v): return struct.pack(">q", v)


def string(s):
    b = s.encode() if isinstance(s, str) else s
    return u16(len(b)) + b


def frame(ftype, fid, body=b"", flags=0):
    return u32(len(body)) + u8(ftype) + u8(flags) + u32(fid) + body


def deflate(data):
    """One whole raw deflate stream, as a COMPRESSED DATA body (5.8)."""
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush()


def hello_body(features, version=1, magic=MAGIC, software="seed/1"):
    return u32(magic) + u16(version) + u64(features) + string(software)


LIMITS = [(1, 1 << 20), (2, 256 << 10), (3, 4096), (4, 255), (5, 512),
          (6, 300), (7, 1000)]


def hello_ok_body(features, limits=LIMITS, software="ftpd/0.1.0"):
    body = u16(1) + u64(features) + u16(len(limits))
    for k, v in limits:
        body += u16(k) + u64(v)
    return body + string(software)


def entry(kind, size, name, mtime=MTIME):
    return u8(kind) + u64(size) + i64(mtime) + string(name)


def entries_body(items):
    return u16(len(items)) + b"".join(items)


def end_body(count, crc=None):
    return u64(count) + (u32(crc) if crc is not None else b"")


def error_body(status, message):
    return u16(status) + string(message)


def get_body(path, offset=0, flags=None):
    return string(path) + u64(offset) + (u32(flags) if flags is not None else b"")


def put_body(path, size, flags=0):
    return string(path) + u64(size) + u32(flags)


def file_body(size, offset=0, mtime=MTIME):
    return u64(size) + i64(mtime) + u64(offset)


# --- writing ---------------------------------------------------------------

def write_corpus(outdir, name, seeds):
    d = os.path.join(outdir, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for i, (label, data) in enumerate(seeds):
        with open(os.path.join(d, "%02d-%s" % (i, label)), "wb") as f:
            f.write(data)


# --- fuzz_session: everything a client sends on one connection ------------

class Client:
    """Builds a client's byte stream with increasing request ids."""

    def __init__(self, features=0, hello=True):
        self.out = b""
        self.id = 0
        self.features = features
        if hello:
            self.req(HELLO, hello_body(features))

    def req(self, ftype, body=b""):
        self.id += 1
        self.out += frame(ftype, self.id, body)
        return self.id

    def raw(self, data):
        self.out += data

    def login(self, user, password):
        self.req(LOGIN, string(user) + string(password))

    def get(self, path, offset=0, compress=False):
        flags = None
        if self.features & F_COMPRESS:
            flags = GET_COMPRESS if compress else 0
        self.req(GET, get_body(path, offset, flags))

    def sum(self, path, length):
        self.req(SUM, string(path) + u64(length))

    def manage(self, ftype, *paths):
        """STAT, MKDIR, RMDIR, DELETE (one path) or RENAME (from, to)."""
        return self.req(ftype, b"".join(string(p) for p in paths))

    def abort(self, fid=None):
        """ABORT for fid, by default the last request's."""
        self.out += frame(ABORT, self.id if fid is None else fid)

    def put(self, path, data, flags=0, chunks=1, compress=False, count=None,
            crc=None):
        pid = self.req(PUT, put_body(path, len(data), flags))
        step = max(1, -(-len(data) // chunks)) if data else 1
        for i in range(0, len(data), step):
            piece = data[i:i + step]
            if compress:
                self.out += frame(DATA, pid, deflate(piece), COMPRESSED)
            else:
                self.out += frame(DATA, pid, piece)
        if self.features & F_CHECKSUM:
            self.out += frame(END, pid, end_body(
                len(data) if count is None else count,
                crc32c(data) if crc is None else crc))
        else:
            self.out += frame(END, pid, end_body(
                len(data) if count is None else count))
        return pid


ALL = F_CHECKSUM | F_RESUME | F_COMPRESS
# What the session seeds ask for: every feature ftpd has but LOGIN.
EVERY = ALL | F_MANAGE | F_ABORT
TEXT = b"hello, fuzzer\n" * 4


def session_seeds():
    seeds = []

    def add(label, c):
        seeds.append((label, c.out))

    c = Client(0)
    c.req(LIST, string(""))
    c.req(LIST, string("sub"))
    c.get("file.txt")
    c.put("new.txt", b"hello")
    c.req(QUIT)
    add("plain-session", c)

    c = Client(F_CHECKSUM)
    c.req(LIST, string("."))
    c.get("sub/inner.txt")
    c.put("sub/new.txt", TEXT, chunks=3)
    c.get("sub/new.txt")
    c.req(QUIT)
    add("checksum-session", c)

    c = Client(EVERY)
    c.get("file.txt", compress=True)
    c.put("z.txt", TEXT * 8, flags=PUT_COMPRESS, chunks=2, compress=True)
    c.sum("file.txt", 5)
    c.get("file.txt", offset=5)
    c.put("r.txt", TEXT, flags=PUT_RESUME)
    c.req(QUIT)
    add("all-features", c)

    c = Client(ALL)
    c.put("big.bin", bytes(range(256)) * 8, flags=PUT_COMPRESS,
          chunks=4, compress=True)
    c.sum("big.bin", 1 << 40)
    c.req(QUIT)
    add("compressed-put-then-sum", c)

    c = Client(EVERY | F_LOGIN)
    c.login("alice", "secret")
    c.req(LIST, string(""))
    c.put("mine.txt", b"alice's")
    c.get("inner.txt")
    c.req(QUIT)
    add("login-alice", c)

    c = Client(EVERY | F_LOGIN)
    c.login("bob", "secret")
    c.get("file.txt")
    c.req(LIST, string("sub"))
    c.req(PUT, put_body("nope.txt", 3))  # read-only: refused, no data
    c.req(PUT, put_body("sub/nope.txt", 3))
    c.req(QUIT)
    add("login-bob-readonly", c)

    c = Client(F_LOGIN)
    c.login("alice", "wrong")
    c.login("nobody", "secret")
    c.login("carol", "secret")
    c.req(LIST, string(""))
    add("login-failures", c)

    c = Client(F_LOGIN)
    c.req(LIST, string(""))
    c.get("file.txt")
    c.req(PUT, put_body("x", 1))
    c.login("alice", "secret")
    c.req(LIST, string(""))
    add("requests-before-login", c)

    c = Client(F_CHECKSUM)
    for p in ("../outside/canary.txt", "link_out/canary.txt",
              "link_abs/canary.txt", "link_canary", "/etc/passwd",
              "sub/../file.txt", "fifo"):
        c.get(p)
    c.req(LIST, string("link_out"))
    c.req(LIST, string("link_in"))
    c.req(QUIT)
    add("escapes-get-list", c)

    c = Client(F_CHECKSUM)
    c.put("link_out/evil.txt", b"x")
    c.put("link_abs/evil.txt", b"x")
    c.put("link_canary", b"x")
    c.put("link_file", b"replaces the link")
    c.put(".ftpd-part.x", b"x")
    c.req(QUIT)
    add("escapes-put", c)

    c = Client(ALL)
    c.get("file.txt", offset=3)
    c.get("file.txt", offset=1000)
    c.sum("link_file", 4)
    c.sum("sub", 1)
    c.req(QUIT)
    add("offsets-and-sums", c)

    c = Client(F_CHECKSUM)
    c.put("bad.txt", b"hello", crc=0xDEADBEEF)
    c.put("short.txt", b"hello", count=4)
    add("put-mismatches", c)

    c = Client(ALL)
    pid = c.req(PUT, put_body("cut.txt", 100, PUT_RESUME))
    c.raw(frame(DATA, pid, b"only a part"))
    add("put-cut-short", c)

    # The fixture keeps a partial upload of file.txt ("a small") and of
    # sub/inner.txt ("inner"), and one for new.txt claimed by another name.
    whole = b"a small file inside the root\n"
    c = Client(ALL)
    pid = c.req(PUT, put_body("sub/inner.txt", 9, PUT_RESUME))
    c.raw(frame(END, pid, end_body(0, 0)))  # abandon the kept bytes
    pid = c.req(PUT, put_body("file.txt", len(whole), PUT_RESUME))
    c.raw(frame(DATA, pid, whole[7:]))
    c.raw(frame(END, pid, end_body(len(whole) - 7, crc32c(whole))))
    c.put("new.txt", b"fresh", flags=PUT_RESUME)
    c.req(QUIT)
    add("resume-kept-partials", c)

    c = Client(0, hello=False)
    c.req(LIST, string(""))
    add("no-hello", c)

    c = Client(0, hello=False)
    c.req(HELLO, hello_body(0, magic=0x12345678))
    add("bad-magic", c)

    c = Client(0, hello=False)
    c.req(HELLO, hello_body(0, version=2))
    add("bad-version", c)

    c = Client(0, hello=False)
    c.raw(frame(HELLO, 0, hello_body(0)))
    add("hello-id-0", c)

    c = Client(0)
    c.raw(frame(LIST, 1, string("")))
    add("id-not-increasing", c)

    c = Client(0)
    c.raw(frame(0x7F, 2, b""))
    add("unknown-type", c)

    c = Client(0)
    c.raw(u32(0x7FFFFFFF) + u8(LIST) + u8(0) + u32(2))
    add("huge-length", c)

    c = Client(0)
    c.raw(frame(LIST, 2, string("") + b"xx"))
    add("trailing-bytes", c)

    c = Client(0)
    c.raw(frame(DATA, 2, b"stray"))
    add("data-between-requests", c)

    c = Client(ALL)
    c.req(LIST, string(""))
    c.raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    add("tls-hello-mid-session", c)

    c = Client(EVERY)
    c.manage(STAT, "file.txt")
    c.manage(STAT, "link_in")
    c.manage(STAT, "fifo")
    c.manage(STAT, "")
    c.manage(MKDIR, "d")
    c.manage(MKDIR, "d/e")
    c.manage(MKDIR, "d")  # EXISTS
    c.manage(RENAME, "file.txt", "d/moved.txt")
    c.manage(RENAME, "d", "sub/d")
    c.manage(RENAME, "sub/d/moved.txt", "link_file")  # replaces the link
    c.manage(DELETE, "link_in")
    c.manage(DELETE, "sub/inner.txt")
    c.manage(RMDIR, "sub/d/e")
    c.manage(RMDIR, "sub")  # NOT_EMPTY
    c.manage(DELETE, "sub")  # IS_DIR
    c.manage(RMDIR, "link_file")  # NOT_DIR
    c.req(LIST, string("sub"))
    c.req(QUIT)
    add("manage-tree", c)

    c = Client(EVERY)
    for p in ("link_out/x", "link_abs/x", "../x", "/x", ".ftpd-part.x",
              "", "."):
        c.manage(MKDIR, p)
    c.manage(STAT, "link_abs/canary.txt")
    c.manage(DELETE, "link_out/canary.txt")
    c.manage(RMDIR, "link_out")
    c.manage(RENAME, "file.txt", "link_out/file.txt")
    c.manage(RENAME, "link_canary/x", "stolen")
    c.manage(RENAME, "sub", "sub/below")
    c.manage(RENAME, "", "root")
    c.manage(RENAME, "file.txt", ".ftpd-part.r.0123456789abcdef")
    c.manage(RENAME, "link_canary", "sub/canary")  # the link itself
    c.manage(DELETE, "link_abs")  # the link itself
    c.req(QUIT)
    add("manage-escapes", c)

    # sub holds a kept upload of inner.txt: it goes with the directory.
    c = Client(EVERY)
    c.manage(DELETE, "sub/inner.txt")
    c.manage(DELETE, "sub/link_up")
    c.manage(RMDIR, "sub")
    c.manage(MKDIR, "sub")
    c.req(LIST, string(""))
    add("manage-rmdir-kept", c)

    c = Client(EVERY | F_LOGIN)
    c.manage(STAT, "file.txt")  # before a login: DENIED
    c.manage(MKDIR, "x")
    c.login("bob", "secret")
    c.manage(STAT, "sub/inner.txt")
    c.manage(MKDIR, "x")  # read-only: DENIED
    c.manage(DELETE, "file.txt")
    c.manage(RENAME, "file.txt", "y")
    c.manage(RMDIR, "sub")
    add("manage-login-bob", c)

    c = Client(EVERY | F_LOGIN)
    c.login("alice", "secret")
    c.manage(STAT, "inner.txt")
    c.manage(STAT, "link_up")  # leaves alice's tree
    c.manage(MKDIR, "mine")
    c.manage(RENAME, "inner.txt", "mine/inner.txt")
    c.manage(DELETE, "link_up")
    c.manage(RMDIR, "mine")
    c.req(QUIT)
    add("manage-login-alice", c)

    c = Client(ALL)
    c.manage(STAT, "file.txt")  # without MANAGE: a protocol error
    add("manage-without-feature", c)

    c = Client(EVERY)
    c.get("file.txt")
    c.abort()  # right behind its GET
    c.get("file.txt", offset=5, compress=True)
    c.abort()
    c.abort()  # late: dropped
    c.get("nope")
    c.abort()  # after a refusal: late
    c.req(LIST, string(""))
    c.abort()  # after a request that is no transfer
    c.sum("file.txt", 3)
    c.abort(c.id - 1)  # another id: a protocol error
    add("abort-get", c)

    c = Client(EVERY)
    pid = c.req(PUT, put_body("new.txt", 100))
    c.raw(frame(DATA, pid, b"x" * 40))
    c.abort(pid)  # in place of the next DATA
    pid = c.req(PUT, put_body("file.txt", 40, PUT_RESUME))  # READY 7
    c.abort(pid)  # the kept bytes go too
    pid = c.req(PUT, put_body("sub/inner.txt", 30,
                              PUT_RESUME | PUT_COMPRESS))
    c.raw(frame(DATA, pid, deflate(b"inner"), COMPRESSED))
    c.abort(pid)
    c.put("crossed.txt", TEXT)
    c.abort()  # crossed the OK: late
    c.put("bad.txt", b"12345", crc=0)  # CHECKSUM error, then a late ABORT
    c.abort()
    pid = c.req(PUT, put_body("other.txt", 10))
    c.abort(pid + 1)  # another id during a PUT
    add("abort-put", c)

    c = Client(ALL)
    c.get("file.txt")
    c.abort()  # without ABORT: a protocol error
    add("abort-without-feature", c)
    return seeds


# --- fuzz_client: the server's answers to fuzz_client.c's session ---------

class Server:
    """The server's side of fuzz_client.c's fixed sequence of requests."""

    def __init__(self, features):
        self.out = b""
        self.id = 1
        self.f = features
        self.out += frame(HELLO_OK, 1, hello_ok_body(features))

    def next(self):
        self.id += 1
        return self.id

    def send(self, ftype, fid, body=b"", flags=0):
        self.out += frame(ftype, fid, body, flags)

    def crc_end(self, count, whole):
        if self.f & F_CHECKSUM:
            return end_body(count, crc32c(whole))
        return end_body(count)

    def login(self, ok=True):
        if self.f & F_LOGIN:
            fid = self.next()
            if ok:
                self.send(OK, fid)
            else:
                self.send(ERROR, fid, error_body(4, "login incorrect"))

    def listing(self, names):
        fid = self.next()
        items = [entry(1 if "." in n else 2, 3, n) for n in names]
        if items:
            self.send(ENTRIES, fid, entries_body(items))
        self.send(END, fid, end_body(len(items)))

    def file(self, content, compress=False, offset=0):
        fid = self.next()
        self.send(FILE, fid, file_body(len(content), offset))
        rest = content[offset:]
        if rest:
            if compress and self.f & F_COMPRESS:
                self.send(DATA, fid, deflate(rest), COMPRESSED)
            else:
                self.send(DATA, fid, rest)
        self.send(END, fid, self.crc_end(len(rest), content))

    def resumed_get(self, content):
        held = b"hello, "
        if not self.f & F_RESUME:
            return
        fid = self.next()
        self.send(SUM_OK, fid, u64(len(content)) + u64(len(held)) +
                  u32(crc32c(held)))
        self.file(content, compress=True, offset=len(held))

    def put(self):
        fid = self.next()
        self.send(OK, fid)
        self.send(OK, fid)

    def put_resume(self):
        # Without RESUME granted, ftpc refuses put -c before sending.
        if self.f & F_RESUME:
            fid = self.next()
            self.send(READY, fid, u64(0) + u32(0))
            self.send(OK, fid)

    def quit(self):
        self.send(OK, self.next())


def client_seeds():
    seeds = []
    held = b"hello, world\n"
    for label, feats in (("plain", 0), ("checksum", F_CHECKSUM),
                         ("resume", F_CHECKSUM | F_RESUME), ("all", ALL),
                         ("all-login", ALL | F_LOGIN)):
        s = Server(feats)
        s.login()
        s.listing(["file.txt", "sub", "link"])
        s.listing(["inner.txt"])
        s.file(b"remote file\n")
        s.file(b"r" * 300)
        s.resumed_get(held)
        s.file(b"streamed bytes")
        s.put()
        s.put_resume()
        s.quit()
        seeds.append(("session-" + label, s.out))

    s = Server(ALL | F_LOGIN)
    s.login(ok=False)
    for _ in range(9):
        fid = s.next()
        s.send(ERROR, fid, error_body(2, "no such file or directory: x"))
    seeds.append(("errors-everywhere", s.out))

    s = Server(ALL)
    fid = s.next()
    s.send(ENTRIES, fid, entries_body([entry(1, 1, ".."),
                                       entry(1, 1, "a/b")]))
    seeds.append(("hostile-names", s.out))

    s = Server(ALL)
    s.listing([])
    s.listing([])
    fid = s.next()
    s.send(FILE, fid, file_body(5))
    s.send(DATA, fid, b"123456")  # more than announced
    seeds.append(("too-much-data", s.out))

    s = Server(ALL)
    s.listing([])
    s.listing([])
    fid = s.next()
    s.send(FILE, fid, file_body(5))
    s.send(DATA, fid, deflate(b"abcde"), COMPRESSED)
    seeds.append(("compressed-not-asked", s.out))

    # GET -c asks for compression: a megabyte of zeros in one frame.
    s = Server(ALL)
    s.listing([])
    s.listing([])
    s.file(b"x")
    s.file(b"y")
    whole = b"hello, " + b"\0" * ((1 << 20) - 7)
    fid = s.next()
    s.send(SUM_OK, fid, u64(len(whole)) + u64(7) + u32(crc32c(whole[:7])))
    fid = s.next()
    s.send(FILE, fid, file_body(len(whole), 7))
    s.send(DATA, fid, deflate(whole[7:]), COMPRESSED)
    s.send(END, fid, end_body(len(whole) - 7, crc32c(whole)))
    s.quit()
    seeds.append(("compressed-megabyte-resume", s.out))

    s = Server(ALL)
    s.listing([])
    s.listing([])
    s.file(b"x" * 10)
    s.file(b"y")
    fid = s.next()
    s.send(SUM_OK, fid, u64(3) + u64(3) + u32(0))  # "held" is longer
    seeds.append(("sum-shorter", s.out))

    seeds.append(("busy", frame(ERROR, 0, error_body(10, "server busy"))))
    seeds.append(("hello-wrong-id", frame(HELLO_OK, 7, hello_ok_body(0))))
    seeds.append(("hello-extra-features", frame(HELLO_OK, 1,
                                                hello_ok_body(0x30))))
    seeds.append(("hello-frame-max-0", frame(HELLO_OK, 1, hello_ok_body(
        0, [(1, 0)]))))
    seeds.append(("resume-without-checksum", frame(HELLO_OK, 1,
                                                   hello_ok_body(F_RESUME))))
    s = Server(ALL)
    s.out += frame(ERROR, 0, error_body(15, "server shutting down"))
    seeds.append(("shutdown-after-hello", s.out))
    return seeds


# --- fuzz_frame: 4 parameter bytes, then a stream of frames ----------------

def frame_seeds():
    # [0] limit index (12: 1 MiB, 8: 64 KiB, 6: 4096, 0: 0), [1] DATA flags
    # allowed, [2] split seed (0x80: switch limits per frame), [3] 2nd limit
    client = Client(ALL)
    client.req(LIST, string(""))
    client.put("a.txt", TEXT, flags=PUT_COMPRESS, chunks=2, compress=True)
    client.get("a.txt")
    client.req(QUIT)
    server = Server(ALL)
    server.listing(["a", "b.txt"])
    server.file(TEXT * 20, compress=True)
    every = b"".join(frame(t, 3, b"") for t in
                     (HELLO, LIST, GET, PUT, QUIT, SUM, LOGIN, DATA, END, OK,
                      ERROR, HELLO_OK, ENTRIES, FILE, SUM_OK, READY))
    return [
        ("client-stream", bytes([12, 1, 0x83, 8]) + client.out),
        ("client-stream-split", bytes([8, 0, 0x11, 12]) + client.out),
        ("server-stream", bytes([12, 1, 0x05, 12]) + server.out),
        ("every-type", bytes([8, 0, 0x42, 8]) + every),
        ("tiny-limit", bytes([6, 0, 0x9c, 0]) + every),
        ("zero-limit", bytes([0, 0, 0x01, 12]) + every),
        # A header over the limit is refused before its body arrives.
        ("over-limit", bytes([8, 0, 0x00, 8]) + u32(70000) + u8(DATA) +
         u8(0) + u32(1) + b"x" * 64),
        ("data-limit-switch", bytes([6, 1, 0x80, 3]) +
         frame(DATA, 1, b"d" * 4000) + frame(DATA, 1, b"e" * 100)),
        ("bad-type", bytes([8, 0, 0x00, 8]) + frame(0x42, 1)),
        ("bad-flags", bytes([8, 0, 0x00, 8]) + frame(DATA, 1, b"x", 0x02)),
        ("compressed-not-allowed", bytes([8, 0, 0x00, 8]) +
         frame(DATA, 1, deflate(b"abc"), COMPRESSED)),
        ("truncated", bytes([8, 0, 0x07, 8]) + frame(LIST, 1, string("abc"))[:9]),
        ("huge-header", bytes([14, 0xff, 0x00, 14]) + u32(0xFFFFFFFF) +
         u8(DATA) + u8(0) + u32(1)),
        ("many-small", bytes([9, 0, 0x33, 10]) +
         b"".join(frame(OK, i, b"") for i in range(200))),
    ]


# --- fuzz_msg: one selector byte, then a body -------------------------------

def msg_seeds():
    (M_HELLO, M_HELLO_OK, M_LIST, M_GET, M_PUT, M_SUM, M_SUM_OK, M_LOGIN,
     M_READY, M_FILE, M_END, M_END_CRC, M_ERROR, M_ENTRIES, M_EMPTY, M_UTF8,
     M_STRING, M_RENAME, M_INFO) = range(19)
    s = []

    def add(label, sel, body):
        s.append((label, bytes([sel]) + body))

    add("hello", M_HELLO, hello_body(ALL, software="ftpc/0.1.0"))
    add("hello-ok", M_HELLO_OK, hello_ok_body(ALL))
    add("hello-ok-dup-keys", M_HELLO_OK, hello_ok_body(0, [(1, 5), (1, 6)]))
    add("list", M_LIST, string("sub/dir"))
    add("get", M_GET, get_body("file.txt", 7))
    add("get-flags", M_GET, get_body("file.txt", 0, GET_COMPRESS))
    add("put", M_PUT, put_body("new.txt", 5, PUT_RESUME | PUT_COMPRESS))
    add("sum", M_SUM, string("file.txt") + u64(3))
    add("sum-ok", M_SUM_OK, u64(10) + u64(3) + u32(0x12345678))
    add("login", M_LOGIN, string("alice") + string("pässwörd"))
    add("ready", M_READY, u64(3) + u32(7))
    add("file", M_FILE, file_body(10, 4))
    add("file-negative-mtime", M_FILE, file_body(0, 0, -1))
    add("end", M_END, end_body(5))
    add("end-crc", M_END_CRC, end_body(5, 0xCAFEBABE))
    add("error", M_ERROR, error_body(2, "no such file: ☃.txt"))
    add("entries", M_ENTRIES, entries_body([entry(1, 3, "a.txt"),
                                            entry(2, 4096, "dir"),
                                            entry(3, 7, "link"),
                                            entry(4, 0, "fifo")]))
    add("entries-empty", M_ENTRIES, entries_body([]))
    add("empty", M_EMPTY, b"")
    add("utf8-mixed", M_UTF8, "aé☃😀".encode())
    add("utf8-edges", M_UTF8, b"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"
        b"\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf")
    add("utf8-overlong", M_UTF8, b"\xc0\xaf\xe0\x80\xaf")
    add("utf8-surrogate", M_UTF8, b"\xed\xa0\x80")
    add("utf8-too-big", M_UTF8, b"\xf4\x90\x80\x80")
    add("string", M_STRING, bytes([20]) + string("hello"))
    add("string-long-room", M_STRING, bytes([130]) + string("é" * 300))
    add("string-nul", M_STRING, bytes([20]) + u16(3) + b"a\0b")
    add("rename", M_RENAME, string("a/b.txt") + string("c/☃.txt"))
    add("info", M_INFO, bytes([2]) + u64(4096) + u64(1700000000))
    add("info-bad-kind", M_INFO, bytes([9]) + u64(0) + u64(0))
    return s


# --- fuzz_path: a path -------------------------------------------------------

def path_seeds():
    paths = [
        "", ".", "file.txt", "sub", "sub/inner.txt", "link_in/inner.txt",
        "link_file", "link_in", "link_out", "link_out/canary.txt",
        "link_abs/canary.txt", "link_canary", "sub/link_up",
        "link_in/link_up", "../outside/canary.txt", "/etc/passwd",
        "sub/../file.txt", "a//b", "sub/", "./file.txt", "sub/.",
        ".ftpd-part.0123456789abcdef", "sub/.ftpd-part.r.x", "fifo",
        "new.txt", "sub/new.txt", "link_in/new.txt", "link_out/new.txt",
        "missing/new.txt", "file.txt/x", "é/☃.txt", "a" * 255, "a" * 256,
        "/".join(["d"] * 2048), "/".join(["d"] * 2049),
    ]
    return [("path-%02d" % i, p.encode()) for i, p in enumerate(paths)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    write_corpus(out, "fuzz_session", session_seeds())
    write_corpus(out, "fuzz_client", client_seeds())
    write_corpus(out, "fuzz_frame", frame_seeds())
    write_corpus(out, "fuzz_msg", msg_seeds())
    write_corpus(out, "fuzz_path", path_seeds())


if __name__ == "__main__":
    main()
