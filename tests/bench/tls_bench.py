#!/usr/bin/env python3
"""tls_bench.py - GET and PUT of a 1 GiB file, TLS versus plaintext.

A benchmark, not a test: it asserts nothing.  Two daemons serve the same
kind of root side by side, one plaintext and one TLS (certificates made with
the `openssl` command, as in the e2e suite); each round runs, in turn,
plaintext GET, TLS GET, plaintext PUT and TLS PUT of the same file with the
real ftpc, so drift in the machine's load hits both transports alike.  The
wall time of each ftpc run (connect, handshake, transfer, QUIT) is
measured; the median of the rounds is reported in MB/s (10^6 bytes/s) as a
Markdown table, with the machine and the TLS details the daemon logged.

Usage (from the checkout, after building):
    FTPD=build/bin/ftpd FTPC=build/bin/ftpc python3 tests/bench/tls_bench.py \
        [--size-mib 1024] [--rounds 3] [--dir /dev/shm]

--dir is where the roots and the client's files live (default: the system
temporary directory); on a RAM disk the numbers measure the transports
rather than the disk.  PUT includes the daemon's fsync of the whole file.
"""

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
import harness  # noqa: E402

# ftpc runs in the client's directory: relative paths would break there.
harness.FTPD = os.path.abspath(harness.FTPD)
harness.FTPC = os.path.abspath(harness.FTPC)


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def timed(args, cwd, srv):
    """(wall seconds, CPU seconds of ftpc and ftpd) for one ftpc run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server0 = cpu_seconds(srv.proc.pid)
    t0 = time.monotonic()
    r = subprocess.run([harness.FTPC] + args, cwd=cwd, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=3600)
    dt = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit('ftpc %s failed (%d): %s' % (' '.join(args), r.returncode,
                                             r.stderr.decode()))
    client = (after.ru_utime - before.ru_utime +
              after.ru_stime - before.ru_stime)
    return dt, client + cpu_seconds(srv.proc.pid) - server0


def machine():
    cpu = '?'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    ulp = '?'
    try:
        with open('/proc/sys/net/ipv4/tcp_available_ulp') as f:
            ulp = f.read().strip() or '(none)'
    except OSError:
        pass
    ssl = subprocess.run(['openssl', 'version'], capture_output=True,
                         text=True).stdout.strip()
    return ('%s, %d CPUs, Linux %s, %s, tcp_available_ulp: %s' %
            (cpu, os.cpu_count(), platform.release(), ssl, ulp))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--size-mib', type=int, default=1024)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--dir', default=None)
    o = ap.parse_args()
    size = o.size_mib * harness.MIB
    top = tempfile.mkdtemp(prefix='tls-bench-', dir=o.dir)
    pki = harness.pki()
    servers = {}
    try:
        work = os.path.join(top, 'client')
        os.makedirs(work)
        src = harness.make_fast_file(os.path.join(work, 'src'), size)
        for mode, tls in (('plain', False), ('tls', True)):
            root = os.path.join(top, mode)
            os.makedirs(root)
            shutil.copyfile(src, os.path.join(root, 'big'))
            servers[mode] = harness.Server(root=root, tls=tls).start()
        times = {(m, op): [] for m in servers for op in ('GET', 'PUT')}
        for _ in range(o.rounds):
            for op in ('GET', 'PUT'):
                for mode, srv in servers.items():
                    extra = harness.tls_client_args(pki) if srv.tls else []
                    cmd = ('get big got' if op == 'GET' else
                           'put src up')
                    times[(mode, op)].append(
                        timed(extra + ['-c', cmd, srv.addr], work, srv))
                    if op == 'GET':
                        os.unlink(os.path.join(work, 'got'))
        report(servers, times, size, o)
    finally:
        for srv in servers.values():
            srv.stop()
            info = re.findall(r'open tls="([^"]*)"', srv.log_text())
            if info:
                print('TLS session as logged by ftpd: %s' % info[-1])
            srv.cleanup()
        shutil.rmtree(top, ignore_errors=True)


def report(servers, times, size, o):
    print('machine: %s; load average %.1f at the end' %
          (machine(), os.getloadavg()[0]))
    print('file: %d MiB, %d rounds, median wall time of ftpc per '
          'transfer, files in %s\n' % (o.size_mib, o.rounds,
                                       o.dir or tempfile.gettempdir()))
    print('| operation | plaintext MB/s | TLS MB/s | TLS / plaintext '
          '| CPU s plaintext | CPU s TLS |')
    print('|---|---|---|---|---|---|')
    for op in ('GET', 'PUT'):
        plain = size / med(times[('plain', op)], 0) / 1e6
        tls = size / med(times[('tls', op)], 0) / 1e6
        print('| %s | %.0f | %.0f | %.0f %% | %.2f | %.2f |' %
              (op, plain, tls, 100 * tls / plain,
               med(times[('plain', op)], 1), med(times[('tls', op)], 1)))
    print('\nCPU s: ftpc + ftpd, user + system, median.  Raw (wall, CPU) '
          'seconds:')
    for k, v in times.items():
        print('  %-9s %s' % ('%s %s' % k, '  '.join('%.2f/%.2f' % t
                                                    for t in v)))


def med(samples, i):
    return statistics.median(s[i] for s in samples)


if __name__ == '__main__':
    main()
