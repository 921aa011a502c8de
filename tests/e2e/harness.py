"""harness.py - shared machinery of the end-to-end tests.

Starts a real ftpd on an ephemeral loopback port with its own temporary root,
runs the real ftpc, makes test files and speaks the wire protocol directly
through RawClient, which is written from docs/PROTOCOL.md alone (not from the
C sources) so that it checks the daemon against the spec rather than against
itself.  Standard library only.

With FTP_E2E_TLS=1 in the environment the whole suite runs inside TLS:
every daemon gets --tls-cert/--tls-key, every ftpc --tls --ca, and RawClient
wraps its socket with the ssl module; the CA and certificates are made at
test time with the `openssl` command (TestPKI).  A test that needs a given
transport passes tls=True or tls=False explicitly.

Every wait here is bounded in time and in iterations: a hang becomes a test
failure, never a blocked run.  The bounds are timeouts, not assertions on
speed; sanitizer builds get larger ones.
"""

import atexit
import collections
import hashlib
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
FTPD = os.environ.get('FTPD') or os.path.join(REPO, 'build', 'bin', 'ftpd')
FTPC = os.environ.get('FTPC') or os.path.join(REPO, 'build', 'bin', 'ftpc')

# Run every connection inside TLS (the e2e_tls_* registrations).
TLS = os.environ.get('FTP_E2E_TLS') == '1'
# Whether ftpd and ftpc were built with TLS (CMake passes it; "0" in a
# -DFTP_WITH_TLS=OFF build).
TLS_BUILT = os.environ.get('FTP_TLS_BUILT', '1') == '1'
ALPN = 'ftpf/1'

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# --- wire constants, from docs/PROTOCOL.md ------------------------------

MAGIC = 0x46545046
VERSION = 1
HEADER = struct.Struct('>IBBI')  # length, type, flags, id
HEADER_SIZE = HEADER.size
CONTROL_MAX = 64 * KIB  # largest non-DATA body
FRAME_CEILING = 1 * MIB  # largest body of any frame

HELLO, LIST, GET, PUT, QUIT, SUM, LOGIN = (0x01, 0x02, 0x03, 0x04, 0x05,
                                          0x06, 0x07)
STAT, MKDIR, RMDIR, DELETE, RENAME = 0x08, 0x09, 0x0A, 0x0B, 0x0C
DATA, END, ABORT = 0x10, 0x11, 0x12
OK, ERROR, HELLO_OK, ENTRIES, FILE = 0x20, 0x21, 0x22, 0x23, 0x24
SUM_OK, READY, INFO = 0x25, 0x26, 0x27

TYPE_NAMES = {
    HELLO: 'HELLO', LIST: 'LIST', GET: 'GET', PUT: 'PUT', QUIT: 'QUIT',
    SUM: 'SUM', LOGIN: 'LOGIN', DATA: 'DATA', END: 'END', OK: 'OK', ERROR: 'ERROR',
    HELLO_OK: 'HELLO_OK', ENTRIES: 'ENTRIES', FILE: 'FILE',
    SUM_OK: 'SUM_OK', READY: 'READY', STAT: 'STAT', MKDIR: 'MKDIR',
    RMDIR: 'RMDIR', DELETE: 'DELETE', RENAME: 'RENAME', ABORT: 'ABORT',
    INFO: 'INFO',
}
SERVER_TYPES = (DATA, END, OK, ERROR, HELLO_OK, ENTRIES, FILE, SUM_OK,
                READY, INFO)
FEATURE_CHECKSUM, FEATURE_RESUME, FEATURE_COMPRESS = 0x1, 0x2, 0x4
FEATURE_LOGIN, FEATURE_MANAGE, FEATURE_ABORT = 0x8, 0x10, 0x20
FLAG_COMPRESSED = 0x01  # on DATA, in a transfer that asked for it (5.8)

STATUS_NAMES = [
    None, 'PROTOCOL', 'NOT_FOUND', 'EXISTS', 'DENIED', 'BAD_PATH',
    'NOT_DIR', 'IS_DIR', 'NO_SPACE', 'TOO_LARGE', 'BUSY', 'VERSION', 'IO',
    'UNSUPPORTED', 'ABORTED', 'SHUTDOWN', 'TIMEOUT', 'FAILURE', 'CHECKSUM',
    'NOT_EMPTY',
]
(S_PROTOCOL, S_NOT_FOUND, S_EXISTS, S_DENIED, S_BAD_PATH, S_NOT_DIR,
 S_IS_DIR, S_NO_SPACE, S_TOO_LARGE, S_BUSY, S_VERSION, S_IO,
 S_UNSUPPORTED, S_ABORTED, S_SHUTDOWN, S_TIMEOUT,
 S_FAILURE, S_CHECKSUM, S_NOT_EMPTY) = range(1, 20)
# Statuses that, with id 0, end the connection (section 9).
CONNECTION_STATUSES = (S_PROTOCOL, S_DENIED, S_BUSY, S_VERSION, S_SHUTDOWN,
                       S_TIMEOUT)

LIMIT_NAMES = {1: 'FRAME_MAX', 2: 'DATA_CHUNK', 3: 'PATH_MAX',
               4: 'NAME_MAX', 5: 'LIST_BATCH', 6: 'IDLE_TIMEOUT',
               7: 'MAX_CLIENTS'}
LIMIT_DEFAULTS = {1: 1048576, 2: 262144, 3: 4096, 4: 255, 5: 512,
                  6: 300, 7: 1000}
KIND_FILE, KIND_DIR, KIND_LINK, KIND_OTHER = 1, 2, 3, 4

TEMP_PREFIX = '.ftpd-part.'
SANITIZER_MARKS = ('Sanitizer', 'runtime error')


def _sanitized(path, marks=(b'__asan_init', b'__tsan_init')):
    """True if the binary was built with ASan or TSan (longer timeouts)."""
    try:
        with open(path, 'rb') as f:
            blob = f.read()
    except OSError:
        return False
    return any(m in blob for m in marks)


SLOW = _sanitized(FTPD) or _sanitized(FTPC)
TSAN = _sanitized(FTPD, (b'__tsan_init',))
SCALE = 4 if SLOW else 1
START_TIMEOUT = 20 * SCALE  # ftpd writes its port file
STOP_TIMEOUT = 30 * SCALE  # ftpd exits after SIGTERM
FTPC_TIMEOUT = 120 * SCALE  # one ftpc run (small transfers)
IO_TIMEOUT = 30 * SCALE  # one socket read by RawClient


def wait_for(pred, timeout, what, interval=0.02):
    """Polls pred() until it returns a true value, which it returns.

    Bounded twice: by timeout seconds and by an iteration count, so a clock
    jump cannot make it spin forever.
    """
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / interval) + 2):
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    raise AssertionError('timed out after %ss waiting for %s' %
                         (timeout, what))


def assert_no_sanitizer(text, who):
    for mark in SANITIZER_MARKS:
        if mark in text:
            raise AssertionError('%s reported a sanitizer error:\n%s' %
                                 (who, text[-4000:]))


# --- files ---------------------------------------------------------------

def make_random_file(path, size):
    """A file of size random bytes."""
    with open(path, 'wb') as f:
        left = size
        while left > 0:
            n = min(left, MIB)
            f.write(os.urandom(n))
            left -= n
    return path


def make_fast_file(path, size):
    """A large file made quickly: one random MiB repeated, each copy stamped
    with its index so no two MiB of the file are equal."""
    block = bytearray(os.urandom(MIB))
    with open(path, 'wb') as f:
        for i in range((size + MIB - 1) // MIB):
            block[0:8] = struct.pack('>Q', i)
            n = min(MIB, size - i * MIB)
            f.write(block[:n])
    return path


def make_sparse_file(path, size, block=64 * KIB):
    """A sparse file of size bytes: holes, plus random blocks at its start,
    its end and two odd offsets inside, so a misplaced byte changes its
    hash."""
    offsets = (0, size // 3 + 12345, 2 * size // 3 + 777, size - block)
    with open(path, 'wb') as f:
        f.truncate(size)
        for off in offsets:
            f.seek(max(0, off))
            f.write(os.urandom(min(block, size)))
    return path


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        while True:
            chunk = f.read(4 * MIB)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def tree_snapshot(top):
    """{relative path: (size, sha256 or None for non-files)} of a tree,
    symbolic links not followed, so tests can assert nothing changed."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, top)
            if os.path.islink(full):
                snap[rel] = ('link', os.readlink(full))
            elif os.path.isfile(full):
                snap[rel] = (os.path.getsize(full), sha256_file(full))
            else:
                snap[rel] = ('dir', None)
    return snap


def temporaries(top):
    """Paths of the daemon's hidden temporaries anywhere under top."""
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        for name in filenames + dirnames:
            if name.startswith(TEMP_PREFIX):
                found.append(os.path.join(dirpath, name))
    return found


# --- certificates ----------------------------------------------------------

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli), as section 5.6 defines it; slow, small data
    only."""
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


class Relay:
    """A TCP relay: 127.0.0.1:port in front of the server's port, one
    thread per direction.  Subclasses override pump(src, dst, direction)
    ('c2s' or 's2c') to alter or pace the stream; the default copies."""

    def __init__(self, server_port):
        self.server_port = server_port
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(('127.0.0.1', 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.socks = []
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    @property
    def addr(self):
        return '127.0.0.1:%d' % self.port

    def close(self):
        try:
            # Wakes the accept() below (close alone does not, on Linux).
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
        for t in self.threads:
            t.join(timeout=IO_TIMEOUT)

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            s = socket.create_connection(('127.0.0.1', self.server_port))
            self.socks += [c, s]
            for src, dst, d in ((c, s, 'c2s'), (s, c, 's2c')):
                t = threading.Thread(target=self._run, args=(src, dst, d),
                                     daemon=True)
                t.start()
                self.threads.append(t)

    def _run(self, src, dst, direction):
        try:
            self.pump(src, dst, direction)
        except OSError:
            pass
        finally:
            for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
                try:
                    s.shutdown(how)
                except OSError:
                    pass

    def pump(self, src, dst, direction):
        while True:
            data = src.recv(64 * KIB)
            if not data:
                return
            dst.sendall(data)


class TestPKI:
    """A private CA and certificates, made with the `openssl` command in a
    temporary directory (removed at exit).

    Leaves are signed with `openssl ca`, which alone among OpenSSL 3.0's
    commands takes explicit -startdate/-enddate: that is how an already
    expired certificate is made.
    """

    CA_CONF = """\
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}/issued
serial = {dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = {san}
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
"""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='ftpf-pki-')
        self.ca_crt, self.ca_key = self.make_ca('ca', 'ftpf test CA')
        self.server_crt, self.server_key = self.make_leaf(
            'server', 'ca', '127.0.0.1', san='IP:127.0.0.1')
        self.client_crt, self.client_key = self.make_leaf(
            'client', 'ca', 'e2e client', client=True)
        self._contexts = {}

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def openssl(self, *args):
        r = subprocess.run(['openssl'] + list(args), capture_output=True,
                           cwd=self.dir, timeout=60)
        if r.returncode != 0:
            raise AssertionError('openssl %s failed:\n%s' %
                                 (' '.join(args), r.stderr.decode()))

    def make_ca(self, name, cn):
        """A self-signed CA; returns (certificate, key) paths."""
        crt, key = self.path(name + '.crt'), self.path(name + '.key')
        self.openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt',
                     'ec_paramgen_curve:prime256v1', '-nodes', '-keyout',
                     key, '-out', crt, '-days', '30', '-subj', '/CN=' + cn,
                     '-addext', 'basicConstraints=critical,CA:TRUE',
                     '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
        cadir = self.path(name + '.db')
        os.makedirs(os.path.join(cadir, 'issued'))
        open(os.path.join(cadir, 'index.txt'), 'w').close()
        with open(os.path.join(cadir, 'serial'), 'w') as f:
            f.write('1000\n')
        return crt, key

    def make_leaf(self, name, ca, cn, san='DNS:unused.invalid', client=False,
                  expired=False):
        """A certificate for cn signed by CA ca (a make_ca() name), for a
        server (with subjectAltName san) or a client; returns (certificate,
        key) paths.  expired: valid only during January 2020."""
        crt, key = self.path(name + '.crt'), self.path(name + '.key')
        csr, conf = self.path(name + '.csr'), self.path(name + '.cnf')
        cadir = self.path(ca + '.db')
        with open(conf, 'w') as f:
            f.write(self.CA_CONF.format(dir=cadir, san=san))
        self.openssl('req', '-new', '-newkey', 'ec', '-pkeyopt',
                     'ec_paramgen_curve:prime256v1', '-nodes', '-keyout',
                     key, '-out', csr, '-subj', '/CN=' + cn)
        dates = (['-startdate', '20200101000000Z', '-enddate',
                  '20200201000000Z'] if expired else ['-days', '30'])
        self.openssl('ca', '-batch', '-notext', '-config', conf, '-cert',
                     self.path(ca + '.crt'), '-keyfile',
                     self.path(ca + '.key'), '-in', csr, '-out', crt,
                     '-extensions', 'client_ext' if client else 'server_ext',
                     *dates)
        return crt, key

    def client_context(self, ca=None, cert=None, key=None):
        """An ssl client context that verifies like ftpc: the CA, the
        host name or IP, ALPN ftpf/1; cached per arguments."""
        k = (ca, cert, key)
        if k not in self._contexts:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_verify_locations(ca or self.ca_crt)
            if cert:
                ctx.load_cert_chain(cert, key)
            ctx.set_alpn_protocols([ALPN])
            self._contexts[k] = ctx
        return self._contexts[k]


_PKI = []


def pki():
    """The process's TestPKI, made on first use."""
    if not _PKI:
        _PKI.append(TestPKI())
        atexit.register(_PKI[0].cleanup)
    return _PKI[0]


def tls_server_args(p=None, client_ca=False):
    p = p or pki()
    args = ['--tls-cert', p.server_crt, '--tls-key', p.server_key]
    return args + (['--tls-client-ca', p.ca_crt] if client_ca else [])


def tls_client_args(p=None):
    p = p or pki()
    return ['--tls', '--ca', p.ca_crt]


# --- the daemon ----------------------------------------------------------

# ftpd refuses to run as root unless told how to drop it; the suite runs
# as root in CI and serves temporary trees, so it says --allow-root.
ROOT_ARGS = ['--allow-root'] if os.geteuid() == 0 else []


_HASHES = {}


def hash_password(password):
    """A users-file hash made by ftpd --hash-password (once per run)."""
    if password not in _HASHES:
        r = subprocess.run([FTPD, '--hash-password'],
                           input=(password + '\n').encode(),
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        _HASHES[password] = r.stdout.decode().strip()
    return _HASHES[password]


class Server:
    """One ftpd process on 127.0.0.1:<ephemeral>, serving root.

    The root defaults to a fresh temporary directory; pass root to restart a
    daemon on an existing tree.  stderr (the daemon's log) goes to a file so
    a chatty daemon can never block on a full pipe.
    """

    def __init__(self, root=None, args=(), env=None, tls=None):
        self.tmp = tempfile.mkdtemp(prefix='ftpd-e2e-')
        self.root = root or os.path.join(self.tmp, 'root')
        os.makedirs(self.root, exist_ok=True)
        self.tls = TLS if tls is None else tls
        self.args = (tls_server_args() if self.tls else []) + list(args)
        self.env = env
        self.proc = None
        self.port = None
        self.stderr_path = os.path.join(self.tmp, 'ftpd.log')
        self._log = None
        self.exit_checked = False  # check_exited() has judged the exit

    @property
    def addr(self):
        return '127.0.0.1:%d' % self.port

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        port_file = os.path.join(self.tmp, 'port')
        if os.path.exists(port_file):
            os.unlink(port_file)
        if self._log is None:
            self._log = open(self.stderr_path, 'ab')
        cmd = [FTPD, '--root', self.root, '--listen', '127.0.0.1:0',
               '--port-file', port_file] + self.args
        if '--user' not in self.args:
            cmd += ROOT_ARGS
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log,
                                     env=self.env)
        self.port = wait_for(lambda: self._read_port(port_file),
                             START_TIMEOUT, 'ftpd port file')
        return self

    def _read_port(self, port_file):
        if self.proc.poll() is not None:
            raise AssertionError('ftpd exited with %s before listening:\n%s'
                                 % (self.proc.returncode, self.log_text()))
        try:
            with open(port_file) as f:
                text = f.read()
        except FileNotFoundError:
            return None
        if not text.endswith('\n'):
            return None  # written atomically, so this means "not yet"
        port = int(text)
        if not 0 < port < 65536:
            raise AssertionError('bad port file content %r' % text)
        return port

    def log_text(self):
        try:
            with open(self.stderr_path, 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except FileNotFoundError:
            return ''

    def rss_kib(self):
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
        raise AssertionError('no VmRSS for pid %d' % self.proc.pid)

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Waits for exit; on timeout kills it and fails."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
            raise AssertionError('ftpd did not exit within %ss; log:\n%s' %
                                 (timeout, self.log_text()[-4000:]))

    def stop(self, sig=signal.SIGTERM):
        """Sends sig, waits (bounded, then SIGKILL); returns exit status."""
        if not self.running:
            return self.proc.returncode
        self.send_signal(sig)
        return self.wait()

    def kill(self):
        """SIGKILL, as a crash would."""
        if self.running:
            self.proc.kill()
        self.proc.wait(timeout=STOP_TIMEOUT)

    def check_clean_exit(self, sig=signal.SIGTERM):
        """Sends sig; the daemon must exit 0 with a clean log."""
        if self.running:
            self.send_signal(sig)
        self.check_exited()

    def check_exited(self):
        """Waits (bounded) for an exit already asked for; status 0 and no
        sanitizer report required."""
        rc = self.wait()
        self.exit_checked = True
        if rc != 0:
            raise AssertionError('ftpd exited with %s; log:\n%s' %
                                 (rc, self.log_text()[-4000:]))
        assert_no_sanitizer(self.log_text(), 'ftpd')

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        try:
            if (exc_type is None and self.proc is not None and
                    not self.exit_checked):
                if self.running:
                    self.check_clean_exit()
                else:
                    assert_no_sanitizer(self.log_text(), 'ftpd')
        finally:
            self.cleanup()
        return False


class E2ETestCase(unittest.TestCase):
    """Base class: servers and temporary directories that clean up after
    themselves, checking that every daemon still running exits 0 on SIGTERM
    with a log free of sanitizer reports."""

    def start_server(self, **kwargs):
        srv = Server(**kwargs)
        self.addCleanup(self._finish_server, srv)
        srv.start()
        return srv

    def _finish_server(self, srv):
        try:
            if srv.proc is None or srv.exit_checked:
                return
            if srv.running:
                srv.check_clean_exit()
            else:
                assert_no_sanitizer(srv.log_text(), 'ftpd')
        finally:
            srv.cleanup()

    def make_tmpdir(self, prefix='e2e-'):
        d = tempfile.mkdtemp(prefix=prefix)
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def assertFileHash(self, path, digest, msg=None):
        self.assertTrue(os.path.isfile(path), msg or '%s missing' % path)
        self.assertEqual(sha256_file(path), digest, msg)


# --- the client program --------------------------------------------------

FtpcResult = collections.namedtuple('FtpcResult',
                                    'returncode stdout stderr')


def ftpc_cmd(args, tls=None):
    """The ftpc command line: with --tls --ca (the test CA) in TLS mode."""
    tls = TLS if tls is None else tls
    return [FTPC] + (tls_client_args() if tls else []) + list(args)


def run_ftpc(args, stdin=None, cwd=None, timeout=FTPC_TIMEOUT, tls=None):
    """Runs ftpc with args; stdin (str or bytes) becomes its standard input
    (a pipe, so not a tty), else /dev/null.  Fails on a sanitizer report.
    tls=None: TLS in TLS mode; True/False force it."""
    kwargs = {}
    if stdin is None:
        kwargs['stdin'] = subprocess.DEVNULL
    else:
        kwargs['input'] = stdin.encode() if isinstance(stdin, str) else stdin
    r = subprocess.run(ftpc_cmd(args, tls), capture_output=True, cwd=cwd,
                       timeout=timeout, **kwargs)
    out = r.stdout.decode('utf-8', 'surrogateescape')
    err = r.stderr.decode('utf-8', 'surrogateescape')
    assert_no_sanitizer(err, 'ftpc %r' % (args,))
    return FtpcResult(r.returncode, out, err)


def popen_ftpc(args, cwd=None, tls=None):
    """Starts ftpc without waiting for it (stdin /dev/null, output piped;
    read it with communicate())."""
    return subprocess.Popen(ftpc_cmd(args, tls), cwd=cwd,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# --- the protocol, spoken by hand ----------------------------------------

class ProtocolViolation(AssertionError):
    """The server sent something docs/PROTOCOL.md does not allow."""


class ConnectionClosed(Exception):
    """The server closed the connection at a frame boundary."""


class ServerError(Exception):
    """An ERROR frame: status, message, and the id it carried."""

    def __init__(self, status, message, fid):
        name = (STATUS_NAMES[status] if 0 < status < len(STATUS_NAMES)
                else str(status))
        super().__init__('%s (id %d): %s' % (name, fid, message))
        self.status = status
        self.message = message
        self.id = fid


Frame = collections.namedtuple('Frame', 'type flags id body')
FileInfo = collections.namedtuple('FileInfo', 'size mtime offset')
Entry = collections.namedtuple('Entry', 'kind size mtime name')
HelloOk = collections.namedtuple('HelloOk',
                                 'version features limits software')


def check_string(raw, maxlen, what):
    if len(raw) > maxlen:
        raise ProtocolViolation('%s longer than %d bytes' % (what, maxlen))
    try:
        text = raw.decode('utf-8', 'strict')
    except UnicodeDecodeError as e:
        raise ProtocolViolation('%s is not valid UTF-8: %s' % (what, e))
    if '\0' in text:
        raise ProtocolViolation('%s contains NUL' % what)
    return text


class Reader:
    """Decodes one body field by field; done() rejects trailing bytes."""

    def __init__(self, body, what):
        self.body = body
        self.pos = 0
        self.what = what

    def _take(self, n):
        if self.pos + n > len(self.body):
            raise ProtocolViolation('%s body shorter than its fields' %
                                    self.what)
        raw = self.body[self.pos:self.pos + n]
        self.pos += n
        return raw

    def u8(self):
        return self._take(1)[0]

    def u16(self):
        return struct.unpack('>H', self._take(2))[0]

    def u32(self):
        return struct.unpack('>I', self._take(4))[0]

    def u64(self):
        return struct.unpack('>Q', self._take(8))[0]

    def i64(self):
        return struct.unpack('>q', self._take(8))[0]

    def string(self, maxlen, field):
        n = self.u16()
        return check_string(self._take(n), maxlen,
                            '%s.%s' % (self.what, field))

    def done(self):
        if self.pos != len(self.body):
            raise ProtocolViolation('%s: %d trailing bytes' %
                                    (self.what, len(self.body) - self.pos))


def p_string(s):
    raw = s.encode('utf-8') if isinstance(s, str) else s
    return struct.pack('>H', len(raw)) + raw


def hello_body(magic=MAGIC, version=VERSION, features=0, software='e2e'):
    return struct.pack('>IHQ', magic, version, features) + p_string(software)


def parse_error(body):
    r = Reader(body, 'ERROR')
    status = r.u16()
    message = r.string(1024, 'message')
    r.done()
    if status == 0:
        raise ProtocolViolation('ERROR with status 0')
    return status, message


class RawClient:
    """A strict client for one connection, written from docs/PROTOCOL.md.

    Every frame received is checked: flags 0 (or, on DATA, those in
    data_flags, which a test sets when it asked for them), a known
    server-to-client type, a length within its limit, the expected id, no
    trailing bytes, valid strings.  trace, if given, is called as trace(direction, header,
    body) for every frame sent ('C') or received ('S').
    """

    def __init__(self, port, host='127.0.0.1', timeout=IO_TIMEOUT,
                 trace=None, tls=None, context=None, source=None):
        # source: a local address to connect from (127.0.0.0/8 is all
        # local on Linux), for limits counted per client address.
        self.sock = socket.create_connection(
            (host, port), timeout=timeout,
            source_address=(source, 0) if source else None)
        if TLS if tls is None else tls:
            ctx = context or pki().client_context()
            try:
                self.sock = ctx.wrap_socket(self.sock, server_hostname=host)
            except BaseException:
                self.sock.close()
                raise
        self.timeout = timeout
        self.trace = trace
        self.next_id = 1
        self.limits = dict(LIMIT_DEFAULTS)
        self.data_flags = 0

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def take_id(self):
        fid = self.next_id
        self.next_id += 1
        return fid

    # --- frames ---

    def send_frame(self, ftype, fid, body=b'', flags=0, length=None):
        header = HEADER.pack(len(body) if length is None else length,
                             ftype, flags, fid)
        if self.trace:
            self.trace('C', header, body)
        self.send_raw(header + body)

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError) as e:
            # The ssl module's name for the peer having closed: on a plain
            # socket the same event is EPIPE.
            raise BrokenPipeError(str(e)) from e

    def _recv_exact(self, n, at_boundary):
        chunks = []
        got = 0
        while got < n:  # bounded: each pass consumes >= 1 byte or returns
            chunk = self.sock.recv(n - got)
            if not chunk:
                if got == 0 and at_boundary:
                    raise ConnectionClosed()
                raise ProtocolViolation('connection closed inside a frame')
            chunks.append(chunk)
            got += len(chunk)
        return b''.join(chunks)

    def recv_frame(self):
        header = self._recv_exact(HEADER_SIZE, True)
        length, ftype, flags, fid = HEADER.unpack(header)
        name = TYPE_NAMES.get(ftype, '0x%02x' % ftype)
        if ftype not in SERVER_TYPES:
            raise ProtocolViolation('server sent type %s' % name)
        if flags & ~(self.data_flags if ftype == DATA else 0):
            raise ProtocolViolation('%s with flags 0x%02x' % (name, flags))
        limit = self.limits[2] if ftype == DATA else CONTROL_MAX
        if length > min(limit, FRAME_CEILING):
            raise ProtocolViolation('%s of %d bytes (limit %d)' %
                                    (name, length, limit))
        body = self._recv_exact(length, False) if length else b''
        if self.trace:
            self.trace('S', header, body)
        return Frame(ftype, flags, fid, body)

    def expect(self, fid, *types):
        """The next frame, which must carry fid and be one of types or an
        ERROR (raised as ServerError; a connection-level ERROR with id 0
        is raised too)."""
        fr = self.recv_frame()
        if fr.type == ERROR and fr.id in (fid, 0):
            status, message = parse_error(fr.body)
            if fr.id == 0 and status not in CONNECTION_STATUSES:
                raise ProtocolViolation('id-0 ERROR with status %d' % status)
            raise ServerError(status, message, fr.id)
        if fr.id != fid:
            raise ProtocolViolation('%s with id %d, expected %d' %
                                    (TYPE_NAMES[fr.type], fr.id, fid))
        if fr.type not in types:
            raise ProtocolViolation('got %s, expected %s' %
                                    (TYPE_NAMES[fr.type],
                                     '/'.join(TYPE_NAMES[t] for t in types)))
        return fr

    def expect_empty(self, fid, ftype):
        fr = self.expect(fid, ftype)
        if fr.body:
            raise ProtocolViolation('%s with a %d-byte body' %
                                    (TYPE_NAMES[ftype], len(fr.body)))
        return fr

    def expect_eof(self):
        """The server closes the connection (no further frame)."""
        try:
            fr = self.recv_frame()
        except (ConnectionClosed, ConnectionResetError):
            return
        raise ProtocolViolation('expected close, got %s id %d' %
                                (TYPE_NAMES[fr.type], fr.id))

    # --- requests ---

    def hello(self, software='e2e', features=0, version=VERSION,
              magic=MAGIC, fid=None):
        fid = self.take_id() if fid is None else fid
        self.next_id = fid + 1
        self.send_frame(HELLO, fid, hello_body(magic, version, features,
                                               software))
        r = Reader(self.expect(fid, HELLO_OK).body, 'HELLO_OK')
        ver, granted, n = r.u16(), r.u64(), r.u16()
        if n > 32:
            raise ProtocolViolation('HELLO_OK with %d limits' % n)
        limits = collections.OrderedDict()
        for _ in range(n):
            key = r.u16()
            limits[key] = r.u64()
        sw = r.string(64, 'software')
        r.done()
        if granted & ~features:
            raise ProtocolViolation('granted features %#x not asked %#x' %
                                    (granted, features))
        self.limits.update(limits)
        return HelloOk(ver, granted, limits, sw)

    def list(self, path):
        fid = self.take_id()
        self.send_frame(LIST, fid, p_string(path))
        entries = []
        batch = self.limits[5]
        for _ in range(10 ** 7):  # bounded by the largest listing we make
            fr = self.expect(fid, ENTRIES, END)
            if fr.type == END:
                r = Reader(fr.body, 'END')
                count = r.u64()
                r.done()
                if count != len(entries):
                    raise ProtocolViolation('LIST END count %d, sent %d' %
                                            (count, len(entries)))
                return entries
            if len(fr.body) > CONTROL_MAX:
                raise ProtocolViolation('ENTRIES body over 64 KiB')
            entries.extend(self._parse_entries(fr.body, batch))
        raise ProtocolViolation('LIST never ended')

    @staticmethod
    def _parse_entries(body, batch):
        r = Reader(body, 'ENTRIES')
        n = r.u16()
        if n > min(batch, 512):
            raise ProtocolViolation('ENTRIES with %d entries' % n)
        out = []
        for _ in range(n):
            kind, size, mtime = r.u8(), r.u64(), r.i64()
            name = r.string(255, 'name')
            if kind not in (1, 2, 3, 4):
                raise ProtocolViolation('entry kind %d' % kind)
            if not name or '/' in name or name in ('.', '..'):
                raise ProtocolViolation('entry name %r' % name)
            out.append(Entry(kind, size, mtime, name))
        r.done()
        return out

    def get(self, path, offset=0, stop_after=None):
        """(FileInfo, data).  stop_after=n returns after the first n DATA
        frames without reading the rest (for abandoned downloads)."""
        fid = self.take_id()
        self.send_frame(GET, fid, p_string(path) + struct.pack('>Q', offset))
        r = Reader(self.expect(fid, FILE).body, 'FILE')
        info = FileInfo(r.u64(), r.i64(), r.u64())
        r.done()
        if info.offset != offset:
            raise ProtocolViolation('FILE offset %d, asked %d' %
                                    (info.offset, offset))
        chunks = []
        got = 0
        for nframes in range(info.size - offset + 2):  # >= 1 byte a DATA
            if stop_after is not None and nframes >= stop_after:
                return info, b''.join(chunks)
            fr = self.expect(fid, DATA, END)
            if fr.type == DATA:
                got += len(fr.body)
                if got > info.size - offset:
                    raise ProtocolViolation('GET sent more than FILE said')
                chunks.append(fr.body)
                continue
            r = Reader(fr.body, 'END')
            count = r.u64()
            r.done()
            if count != info.size - offset or got != count:
                raise ProtocolViolation('GET END count %d, got %d, want %d'
                                        % (count, got, info.size - offset))
            return info, b''.join(chunks)
        raise ProtocolViolation('GET stream never ended')

    def put_begin(self, path, size, flags=0):
        """Sends PUT and reads the go-ahead; returns the PUT's id."""
        fid = self.take_id()
        self.send_frame(PUT, fid, p_string(path) +
                        struct.pack('>QI', size, flags))
        self.expect_empty(fid, OK)
        return fid

    def put_data(self, fid, data, chunk=None):
        chunk = chunk or min(self.limits[1], 256 * KIB)
        for off in range(0, len(data), chunk):
            self.send_frame(DATA, fid, data[off:off + chunk])

    def put_end(self, fid, count):
        self.send_frame(END, fid, struct.pack('>Q', count))
        self.expect_empty(fid, OK)

    def put(self, path, data):
        fid = self.put_begin(path, len(data))
        self.put_data(fid, data)
        self.put_end(fid, len(data))

    def login(self, user, password):
        fid = self.take_id()
        self.send_frame(LOGIN, fid, p_string(user) + p_string(password))
        self.expect_empty(fid, OK)

    def quit(self):
        fid = self.take_id()
        self.send_frame(QUIT, fid)
        self.expect_empty(fid, OK)
        self.expect_eof()

    def expect_refusal(self, statuses, ids, require_error=True,
                       timeout=IO_TIMEOUT):
        """After a bad frame: the server sends at most an ERROR (status in
        statuses, id in ids) and closes.  Returns the ERROR or None."""
        self.sock.settimeout(timeout)
        err = None
        try:
            fr = self.recv_frame()
            if fr.type != ERROR:
                raise ProtocolViolation('got %s instead of ERROR/close' %
                                        TYPE_NAMES[fr.type])
            status, message = parse_error(fr.body)
            if status not in statuses or fr.id not in ids:
                raise ProtocolViolation(
                    'ERROR status %d id %d (%s), expected status in %s, '
                    'id in %s' % (status, fr.id, message, statuses, ids))
            err = ServerError(status, message, fr.id)
            self.expect_eof()
        except (ConnectionClosed, ConnectionResetError):
            pass
        except socket.timeout:
            raise AssertionError('server neither answered nor closed the '
                                 'connection within %ss' % timeout)
        if require_error and err is None:
            raise AssertionError('server closed without an ERROR frame')
        return err
