"""test_manpages.py - docs/ftpc.1 and docs/ftpd.8 keep up with the programs.

Each page is rendered with man(1) as a reader would see it, and must
render without a warning, name every long option that `ftpc --help` and
`ftpd --help` print, and describe in ftpc.1's COMMANDS section every
command `ftpc --help` lists, with that command's options.  An option or a
command added to a program without its page fails here."""

import os
import re
import shutil
import subprocess
import unittest

import harness

DOCS = os.path.join(harness.REPO, 'docs')
PAGES = {'ftpc': os.path.join(DOCS, 'ftpc.1'),
         'ftpd': os.path.join(DOCS, 'ftpd.8')}

# A long option as --help prints it: "--name", not inside a longer word.
LONG_OPTION = re.compile(r'(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*')
# A command's own options in its usage ("get [-c [--restart]] ...").
FLAG = re.compile(r'(?<![\w-])--?[a-z][a-z0-9-]*')
# A section heading of a rendered page: a line of capitals at the margin.
HEADING = re.compile(r'^[A-Z][A-Z ]+$', re.M)


def program_help(prog):
    exe = harness.FTPC if prog == 'ftpc' else harness.FTPD
    r = subprocess.run([exe, '--help'], capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise AssertionError('%s --help: status %d: %s' %
                             (prog, r.returncode, r.stderr.decode()))
    return r.stdout.decode()


def render(path):
    """The page as man(1) shows it, in ASCII, on one long line per
    paragraph line: (stdout, stderr)."""
    env = dict(os.environ, LC_ALL='C', MANWIDTH='200', MANPAGER='cat',
               PAGER='cat')
    env.pop('MAN_KEEP_FORMATTING', None)
    r = subprocess.run(['man', '-l', path], capture_output=True, env=env,
                       timeout=60, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise AssertionError('man -l %s: status %d: %s' %
                             (path, r.returncode, r.stderr.decode()))
    text = r.stdout.decode('ascii', 'replace')
    # Overstrike (bold, underline) if any survived, then words that a
    # line end split after a hyphen.
    text = re.sub(r'.\x08', '', text)
    text = re.sub(r'-\n\s+', '-', text)
    return text, r.stderr.decode()


def section(text, name):
    """The body of the rendered section called name ('' if missing)."""
    m = re.search(r'^%s$' % re.escape(name), text, re.M)
    if m is None:
        return ''
    end = HEADING.search(text, m.end())
    return text[m.end():end.start() if end else len(text)]


def help_commands(help_text):
    """{command: its usage line} from the "commands:" list of ftpc --help."""
    m = re.search(r'^commands:\n((?:  \S.*\n)+)', help_text, re.M)
    if m is None:
        raise AssertionError('no commands: list in ftpc --help:\n' +
                             help_text)
    cmds = {}
    for line in m.group(1).splitlines():
        # "  get [-c [--restart]] [-z] [-r] REMOTE [LOCAL] download a file,
        # or a tree with -r": the usage is the name, then options in
        # brackets and operands in capitals; the summary starts with a
        # word in lower case.
        words = line.split()
        usage = [words[0]]
        for w in words[1:]:
            if w[0].islower():
                break
            usage.append(w)
        cmds[words[0]] = ' '.join(usage)
    return cmds


@unittest.skipIf(shutil.which('man') is None, 'man(1) is not installed '
                 '(Debian: man-db)')
class ManPageTest(unittest.TestCase):

    def page(self, prog):
        text, err = render(PAGES[prog])
        self.assertEqual(err, '', 'man -l %s warned' % PAGES[prog])
        self.assertIn('SYNOPSIS', text)
        return text

    def test_pages_mention_every_long_option(self):
        for prog in ('ftpc', 'ftpd'):
            with self.subTest(prog=prog):
                opts = set(LONG_OPTION.findall(program_help(prog)))
                self.assertIn('--help', opts)
                self.assertGreater(len(opts), 8, opts)
                words = set(LONG_OPTION.findall(self.page(prog)))
                missing = sorted(opts - words)
                self.assertEqual(missing, [], '%s --help prints options '
                                 'its page does not name' % prog)

    def test_ftpd_page_has_every_option_in_options(self):
        # Not only in an example: each option has its entry.
        opts = set(LONG_OPTION.findall(program_help('ftpd')))
        body = section(self.page('ftpd'), 'OPTIONS')
        self.assertNotEqual(body, '', 'ftpd.8 has no OPTIONS section')
        missing = sorted(o for o in opts if not re.search(
            r'^ {5}(?:-\w \S+, |-\w, )?%s\b' % re.escape(o), body, re.M))
        self.assertEqual(missing, [], 'options without an entry in '
                         'ftpd.8 OPTIONS')

    def test_ftpc_page_describes_every_command(self):
        cmds = help_commands(program_help('ftpc'))
        for name in ('ls', 'get', 'put', 'help', 'quit'):
            self.assertIn(name, cmds)
        body = section(self.page('ftpc'), 'COMMANDS')
        self.assertNotEqual(body, '', 'ftpc.1 has no COMMANDS section')
        for name, usage in sorted(cmds.items()):
            with self.subTest(command=name):
                # The entry's tag line: "     get [-c [--restart]] ..." or
                # "     quit, exit".
                m = re.search(r'^ {5}(?:\S+, )*%s(?:,| |$)(.*)$' %
                              re.escape(name), body, re.M)
                self.assertIsNotNone(m, 'no entry for %s in ftpc.1 '
                                     'COMMANDS' % name)
                flags = set(FLAG.findall(usage)) - {'--'}
                shown = set(FLAG.findall(m.group(1)))
                self.assertEqual(sorted(flags - shown), [],
                                 '%s: options of "%s" missing from its '
                                 'entry' % (name, usage))

    def test_ftpc_page_lists_every_exit_status(self):
        helptext = program_help('ftpc')
        m = re.search(r'^exit status:\n((?:  .*\n?)+)', helptext, re.M)
        self.assertIsNotNone(m, 'no exit status list in ftpc --help')
        codes = re.findall(r'^  (\d+) ', m.group(1), re.M)
        body = section(self.page('ftpc'), 'EXIT STATUS')
        for code in codes:
            self.assertRegex(body, r'(?m)^ {5}%s\b' % code)

    @unittest.skipIf(shutil.which('mandoc') is None,
                     'mandoc is not installed')
    def test_mandoc_lint_finds_nothing_to_warn_about(self):
        for path in PAGES.values():
            r = subprocess.run(['mandoc', '-T', 'lint', '-W', 'warning',
                                path], capture_output=True, timeout=60)
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, b''),
                             path)


if __name__ == '__main__':
    unittest.main()
