"""fakeserver.py - a scripted, hostile ftpf server for testing ftpc.

ftpd never sends a name with an escape sequence in it, a '/' in a listed
name or a LOGIN refusal on demand; a malicious server would.  FakeServer
speaks just enough of docs/PROTOCOL.md to drive ftpc and says whatever a
test tells it to, and it records every frame ftpc sends, so a test can
assert what ftpc did and, as much, what it did not send (no GET for a
refused name, no LOGIN to a server without the grant, no connection at
all).  Connections are served one at a time on a thread, on
127.0.0.1:<ephemeral>, inside TLS in the e2e_tls_* pass (harness.TLS) with
the test PKI, as ftpd would be.

run_ftpc_env() runs ftpc with a chosen environment and without a
controlling terminal, so a password prompt can never block a test: that
path is tested on a pty of its own (test_client_login.py).
"""

import collections
import os
import socket
import ssl
import struct
import subprocess
import threading

import harness as h

LOGIN = 0x07
FEATURE_LOGIN = 0x8
ERROR_MESSAGE_MAX = 1024

# The bodies ftpc sends, by type, as the test sees them.
Request = collections.namedtuple('Request', 'conn type id body')


def entry(name, kind=h.KIND_FILE, size=0, mtime=1704067200):
    """One listed entry; name is str, or bytes to send as they are."""
    return (kind, size, mtime, name)


class FakeServer:
    """A server that answers from the test's script.

    features: the bits it grants (of those ftpc asks for).
    accounts: {user: password} that LOGIN accepts; with any, every other
        request before a LOGIN is refused "login required" (as ftpd with
        --users does), unless require_login says otherwise.
    listings: {path: [entry(...), ...]} for LIST.
    files: {path: bytes} for GET.
    errors: {path: (status, message)}: LIST or GET of path is refused so.
    hello_error: (status, message) to refuse HELLO with.
    login_error: (status, message, id0) to answer every LOGIN with.
    login_gate: a threading.Event the LOGIN reply waits for (bounded), so
        a test can look at ftpc while it waits.
    software: the HELLO_OK software string.
    stall: paths whose GET sends FILE and half the data, then nothing
        more until the client sends ABORT (answered ERROR ABORTED, when
        the feature was granted) or goes.
    """

    def __init__(self, features=h.FEATURE_CHECKSUM, accounts=None,
                 require_login=None, listings=None, files=None,
                 errors=None, hello_error=None, login_error=None,
                 login_gate=None, software='fake/1', tls=None, stall=()):
        self.offer = features
        self.accounts = dict(accounts or {})
        self.require_login = (bool(self.accounts) if require_login is None
                              else require_login)
        self.listings = dict(listings or {})
        self.files = dict(files or {})
        self.errors = dict(errors or {})
        self.hello_error = hello_error
        self.login_error = login_error
        self.login_gate = login_gate
        self.software = software
        self.stall = set(stall)
        self.tls = h.TLS if tls is None else tls
        self.requests = []  # every frame received after HELLO
        self.hellos = []  # the features each HELLO asked for
        self.logins = []  # (user, password) of each LOGIN
        self.connections = 0
        self.failures = []  # exceptions of the serving thread
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(('127.0.0.1', 0))
        self._sock.listen(8)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._ctx = None
        if self.tls:
            p = h.pki()
            self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            self._ctx.load_cert_chain(p.server_crt, p.server_key)
            self._ctx.set_alpn_protocols([h.ALPN])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def addr(self):
        return '127.0.0.1:%d' % self.port

    def types(self):
        """The types of the requests received, in order."""
        return [r.type for r in self.requests]

    def close(self):
        self._stop.set()
        self._thread.join(h.IO_TIMEOUT + 5)
        self._sock.close()
        if self._thread.is_alive():
            raise AssertionError('fake server thread did not stop')
        if self.failures:
            raise AssertionError('fake server failed: %r' % self.failures)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- serving --------------------------------------------------------

    def _serve(self):
        # Bounded by the stop flag, checked at least every 0.2 s.
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            try:
                conn.settimeout(h.IO_TIMEOUT)
                if self._ctx is not None:
                    conn = self._ctx.wrap_socket(conn, server_side=True)
                _Session(self, conn, self.connections).run()
            except (h.ConnectionClosed, ConnectionError, ssl.SSLError,
                    socket.timeout):
                pass  # ftpc hung up, or refused us: its business
            except Exception as e:  # pylint: disable=broad-except
                self.failures.append(e)
            finally:
                conn.close()


class _Session:
    """One connection: HELLO, then requests until QUIT or the end."""

    def __init__(self, srv, sock, index):
        self.srv = srv
        self.sock = sock
        self.index = index
        self.granted = 0
        self.logged_in = False

    # frames

    def _recv_exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise h.ConnectionClosed()
            data += chunk
        return data

    def recv(self):
        length, ftype, flags, fid = h.HEADER.unpack(
            self._recv_exact(h.HEADER_SIZE))
        if length > h.FRAME_CEILING:
            raise h.ProtocolViolation('frame of %d bytes' % length)
        return ftype, flags, fid, self._recv_exact(length)

    def send(self, ftype, fid, body=b''):
        self.sock.sendall(h.HEADER.pack(len(body), ftype, 0, fid) + body)

    def error(self, fid, status, message):
        raw = message.encode() if isinstance(message, str) else message
        self.send(h.ERROR, fid, struct.pack('>H', status) +
                  h.p_string(raw[:ERROR_MESSAGE_MAX]))

    # the conversation

    def run(self):
        ftype, _, fid, body = self.recv()
        if ftype != h.HELLO:
            raise h.ProtocolViolation('first frame %d, not HELLO' % ftype)
        _, _, asked = struct.unpack('>IHQ', body[:14])
        self.srv.hellos.append(asked)
        if self.srv.hello_error:
            self.error(fid, *self.srv.hello_error)
            return
        self.granted = asked & self.srv.offer
        self.send(h.HELLO_OK, fid, struct.pack('>HQH', h.VERSION,
                                              self.granted, 0) +
                  h.p_string(self.srv.software))
        while True:
            ftype, _, fid, body = self.recv()
            self.srv.requests.append(Request(self.index, ftype, fid, body))
            if ftype == h.QUIT:
                self.send(h.OK, fid)
                return
            if not self.answer(ftype, fid, body):
                return

    def answer(self, ftype, fid, body):
        """Answers one request; False once the connection is to end."""
        if ftype == LOGIN:
            return self.login(fid, body)
        if self.srv.require_login and not self.logged_in:
            self.error(fid, h.S_DENIED, 'login required')
            return True
        if ftype == h.LIST:
            self.list(fid, h.Reader(body, 'LIST').string(4096, 'path'))
        elif ftype == h.GET:
            r = h.Reader(body, 'GET')
            self.get(fid, r.string(4096, 'path'), r.u64())
        elif ftype == h.ABORT and self.granted & h.FEATURE_ABORT:
            self.error(fid, h.S_ABORTED, 'aborted')
        else:
            self.error(fid, h.S_UNSUPPORTED, 'not in this script')
        return True

    def login(self, fid, body):
        if not self.granted & FEATURE_LOGIN:
            self.error(0, h.S_PROTOCOL, 'LOGIN without the feature')
            return False
        r = h.Reader(body, 'LOGIN')
        user, password = r.string(64, 'user'), r.string(1024, 'password')
        r.done()
        self.srv.logins.append((user, password))
        if self.srv.login_gate is not None:
            self.srv.login_gate.wait(h.FTPC_TIMEOUT)
        if self.srv.login_error:
            status, message, id0 = self.srv.login_error
            self.error(0 if id0 else fid, status, message)
            return not id0
        if self.srv.accounts.get(user) == password:
            self.logged_in = True
            self.send(h.OK, fid)
        else:
            self.error(fid, h.S_DENIED, 'login incorrect')
        return True

    def list(self, fid, path):
        # ftpc sends "" for the root (and "." alike, as section 7 allows)
        path = path or '.'
        if path in self.srv.errors:
            self.error(fid, *self.srv.errors[path])
            return
        entries = self.srv.listings.get(path)
        if entries is None:
            self.error(fid, h.S_NOT_FOUND, 'no such directory')
            return
        body = struct.pack('>H', len(entries))
        for kind, size, mtime, name in entries:
            body += struct.pack('>BQq', kind, size, mtime) + h.p_string(name)
        self.send(h.ENTRIES, fid, body)
        self.send(h.END, fid, struct.pack('>Q', len(entries)))

    def get(self, fid, path, offset):
        if path in self.srv.errors:
            self.error(fid, *self.srv.errors[path])
            return
        data = self.srv.files.get(path)
        if data is None:
            self.error(fid, h.S_NOT_FOUND, 'no such file')
            return
        self.send(h.FILE, fid, struct.pack('>QqQ', len(data), 1704067200,
                                          offset))
        if path in self.srv.stall:
            self.send(h.DATA, fid, data[offset:len(data) // 2])
            return
        if len(data) > offset:
            self.send(h.DATA, fid, data[offset:])
        end = struct.pack('>Q', len(data) - offset)
        if self.granted & h.FEATURE_CHECKSUM:
            end += struct.pack('>I', h.crc32c(data))
        self.send(h.END, fid, end)


# --- running ftpc --------------------------------------------------------

def ftpc_env(extra=None):
    """The environment for ftpc: ours without FTPC_PASSWORD, plus extra."""
    env = {k: v for k, v in os.environ.items() if k != 'FTPC_PASSWORD'}
    env.update(extra or {})
    return env


def run_ftpc_env(args, env=None, cwd=None, tls=None, stdin=None,
                 timeout=h.FTPC_TIMEOUT):
    """Runs ftpc like harness.run_ftpc, with env added to its environment,
    in a session of its own: without a controlling terminal, so that it
    can never stop at a password prompt."""
    r = subprocess.run(h.ftpc_cmd(args, tls), capture_output=True, cwd=cwd,
                       env=ftpc_env(env), timeout=timeout,
                       start_new_session=True,
                       stdin=subprocess.DEVNULL if stdin is None else None,
                       input=stdin)
    out = r.stdout.decode('utf-8', 'surrogateescape')
    err = r.stderr.decode('utf-8', 'surrogateescape')
    h.assert_no_sanitizer(err, 'ftpc %r' % (args,))
    return h.FtpcResult(r.returncode, out, err)


def popen_ftpc_env(args, env=None, cwd=None, tls=None):
    """The same, without waiting (output piped; use communicate())."""
    return subprocess.Popen(h.ftpc_cmd(args, tls), cwd=cwd,
                            env=ftpc_env(env), start_new_session=True,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
