"""ptyterm.py - ftpc on a pseudo-terminal of its own, for the tests that
need a real terminal (the password prompt, line editing, progress,
Ctrl-C)."""

import fcntl
import os
import select
import subprocess
import termios

import harness as h
from fakeserver import ftpc_env


class Pty:
    """ftpc on a pseudo-terminal of its own, its controlling terminal, so
    /dev/tty is the pty.  The slave stays open here too, so its termios
    can be read while ftpc runs and after it exits."""

    def __init__(self, args, env=None, tls=None, cwd=None):
        self.master, self.slave = os.openpty()
        slave = self.slave
        # before ftpc can touch it
        self.initial = termios.tcgetattr(slave)

        def controlling_tty():  # after setsid, in the child
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            h.ftpc_cmd(args, tls), stdin=slave, stdout=slave, stderr=slave,
            env=ftpc_env(env), start_new_session=True, cwd=cwd,
            preexec_fn=controlling_tty)
        self.out = b''

    def echo(self):
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def _pump(self, wait):
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                data = b''
            self.out += data
            return len(data)
        return 0

    def read_until(self, text, count=1):
        """Reads until text has appeared count times in all output."""
        try:
            h.wait_for(lambda: self._pump(0.1) >= 0 and
                       self.out.count(text) >= count, h.IO_TIMEOUT,
                       '%r on the terminal' % text)
        except AssertionError as e:
            # what the terminal shows by now, not when the wait began
            raise AssertionError('%s; got %r' % (e, self.out[-2000:]))

    def type(self, data):
        os.write(self.master, data)

    def finish(self):
        """Waits for ftpc to exit and reads what is left; the status."""
        rc = self.proc.wait(h.FTPC_TIMEOUT)
        while self._pump(0.2) > 0:
            pass
        return rc

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(h.IO_TIMEOUT)
        os.close(self.master)
        os.close(self.slave)
