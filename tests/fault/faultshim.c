/*
 * faultshim.c - an LD_PRELOAD library for the end-to-end tests that makes
 * one chosen call of write(2) on a regular file, fsync(2), rename(2), or
 * malloc(3) fail with a chosen errno, so a test can see what ftpd does
 * when the disk fills (ENOSPC), the device fails (EIO) or memory runs out
 * (ENOMEM).  Test code only: ftpd knows nothing of it.
 *
 * Configuration, from the environment (read once, at load):
 *
 *   FTPF_FAULT=OP:N[+]:ERRNO   the Nth counted call of OP fails with ERRNO
 *                              (with "+": that call and every later one)
 *   FTPF_FAULT=@FILE           the same line, read from FILE each time a
 *                              thread is armed (below), so one daemon can
 *                              serve a whole sweep; "off" or an empty or
 *                              missing file arms nothing
 *   FTPF_FAULT_ARM=NAME        arm by request (below)
 *   FTPF_FAULT_LEAK=BYTES      at load, allocate and drop a few blocks of
 *                              BYTES: a canary that shows a leak checker
 *                              really runs (test_aborts.py)
 *   FTPF_EMULATE_OPENAT2=1     where the kernel (or valgrind 3.19, which
 *                              does not know the system call) answers
 *                              openat2(2) with ENOSYS, do an openat(2)
 *                              instead: without RESOLVE_BENEATH, so for
 *                              trusted test trees under valgrind only
 *
 * OP is one of
 *   write   write(2), and syscall(SYS_write), on a regular file other than
 *           descriptors 0-2: stdout/stderr (the daemon's log) and sockets
 *           are never hit
 *   fsync   fsync(2), fdatasync(2) and their syscall(2) forms
 *   rename  rename(2), renameat(2), renameat2(2) and their syscall(2) forms
 *           (storage/local_upload.c calls renameat(); glibc's renameat()
 *           makes the renameat syscall itself, so one symbol would do, but
 *           a later switch to renameat2 or syscall() must not go unseen)
 *   malloc  malloc, calloc and realloc, counted together (strdup and the
 *           like reach malloc, which glibc lets us replace)
 * and ERRNO a name (ENOSPC, EIO, ENOMEM, EDQUOT, EFBIG, EACCES, EPERM,
 * EROFS, EINTR) or a number.
 *
 * Arming: which calls count.  A test wants "the 3rd allocation of this
 * PUT", not "the 3rd allocation since the process started": start-up, the
 * accept loop, a TLS handshake and HELLO all allocate, and how much depends
 * on timing and on the build.  So counting is per thread, and starts when
 * the thread is armed.  With FTPF_FAULT_ARM=NAME a thread is armed when it
 * resolves a path whose last component is NAME: storage/ resolves every
 * client path with openat2(2), through syscall(2) (storage/fileio.c), at
 * the start of a GET, PUT, LIST or SUM, in the session thread that then
 * serves the whole request.  A test that uploads to (or downloads) a file
 * named NAME therefore targets exactly the calls that one request makes
 * from its path lookup on (and, if it keeps the connection, the later
 * requests of that session; arming again restarts the count).  Nothing a
 * request does before the lookup allocates, writes, syncs or renames, so
 * nothing of the request is missed.  Other threads, other sessions and
 * other files are untouched, which is what lets the test check that the
 * daemon keeps serving while the fault fires.  Without FTPF_FAULT_ARM
 * every thread but the main one is armed from the start, sharing one
 * counter (a quick manual experiment: "write:1:ENOSPC" fails the first
 * upload's first write).  Rejected triggers: a signal (ftpd blocks
 * signals and reads them from a signalfd, and a handler would interrupt
 * session threads' system calls), a trigger file (it cannot say which
 * thread, and a session thread may still be finishing its last reply
 * when the test creates it), counting from the Nth connection (HELLO and
 * a TLS handshake would be counted too).
 *
 * Every injected failure is reported on standard error (the daemon's log),
 * one line written at once, so the test sees whether and where its fault
 * fired:
 *   faultshim: malloc call 3 fails with ENOMEM (calloc from ftpd+0x1c2a4
 *   < ftpd+0x1d0f0 < ...)
 * the caller and its callers as module+offset, for addr2line.  In "+"
 * mode only the first failure is reported.
 *
 * No recursion: the real functions are found with dlsym(RTLD_NEXT); while
 * that lookup itself allocates, glibc's __libc_malloc & co serve it.
 * Nothing here allocates: the spec is parsed in place, the report is
 * formatted into a stack buffer, per-thread state is initial-exec TLS (no
 * __tls_get_addr, which may allocate); backtrace() may, so nothing counts
 * while a report is made.
 *
 * Sanitizers: RTLD_NEXT reaches ASan's or TSan's allocator, so memory is
 * still theirs (checked, leak-checked) and the shim works in those builds
 * too; ASan must be told not to insist on coming first in the library
 * list (ASAN_OPTIONS=verify_asan_link_order=0).  The shim itself is built
 * without instrumentation, since it runs inside the allocator.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <dlfcn.h>
#include <execinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPEC_MAX 64
#define NAME_MAX_LEN 255
#define REPORT_MAX 1024
#define BACKTRACE_MAX 10
#define LEAK_BLOCKS 8

enum op { OP_NONE, OP_WRITE, OP_FSYNC, OP_RENAME, OP_MALLOC };

static const char *const op_names[] = {"none", "write", "fsync", "rename",
    "malloc"};

struct spec {
	enum op op;
	unsigned long n;  /* the first call that fails, from 1 */
	bool sticky;      /* every call from the nth fails */
	int err;
};

/* One thread's counting state; all zero (unarmed) at thread start. */
struct tstate {
	bool armed;
	bool resolving;   /* inside dlsym(): allocations go to glibc */
	bool reported;
	bool quiet;       /* reporting: its own calls do not count */
	unsigned long count;
	struct spec spec;
};

static __thread struct tstate ts __attribute__((tls_model("initial-exec")));

/* Read-only after the constructor, which runs before ftpd has threads. */
static struct spec env_spec;
static char spec_file[4096];
static char arm_name[NAME_MAX_LEN + 1];
static bool configured;
static bool emulate_openat2;
static pthread_t main_thread;
static atomic_ulong global_count; /* the counter without FTPF_FAULT_ARM */
static atomic_bool global_reported;

static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *,
    unsigned);
static long (*real_syscall)(long, ...);
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"ENOMEM", ENOMEM},
	{"EDQUOT", EDQUOT}, {"EFBIG", EFBIG}, {"EACCES", EACCES},
	{"EPERM", EPERM}, {"EROFS", EROFS}, {"EINTR", EINTR},
};

/* --- set-up ---------------------------------------------------------- */

static void *
next_symbol(const char *name)
{
	void *p;

	ts.resolving = true;
	p = dlsym(RTLD_NEXT, name);
	ts.resolving = false;
	return p;
}

/* Idempotent; also called lazily, since another library's constructor
 * may allocate before ours runs. */
static void
resolve(void)
{
	if (real_malloc != NULL)
		return;
	real_calloc = (void *(*)(size_t, size_t))next_symbol("calloc");
	real_realloc = (void *(*)(void *, size_t))next_symbol("realloc");
	real_write = (ssize_t (*)(int, const void *, size_t))
	    next_symbol("write");
	real_fsync = (int (*)(int))next_symbol("fsync");
	real_fdatasync = (int (*)(int))next_symbol("fdatasync");
	real_rename = (int (*)(const char *, const char *))
	    next_symbol("rename");
	real_renameat = (int (*)(int, const char *, int, const char *))
	    next_symbol("renameat");
	real_renameat2 = (int (*)(int, const char *, int, const char *,
	    unsigned))next_symbol("renameat2");
	real_syscall = (long (*)(long, ...))next_symbol("syscall");
	/* Last: its being set means all the others are. */
	real_malloc = (void *(*)(size_t))next_symbol("malloc");
}

static bool
parse_ulong(const char **s, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (~0UL - 9) / 10)
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*s = p;
	*out = v;
	return true;
}

/* "OP:N[+]:ERRNO", trailing blanks and a newline allowed. */
static bool
parse_spec(const char *s, struct spec *out)
{
	unsigned long v;
	size_t i, len;

	memset(out, 0, sizeof(*out));
	for (i = OP_WRITE; i <= OP_MALLOC; i++) {
		len = strlen(op_names[i]);
		if (strncmp(s, op_names[i], len) == 0 && s[len] == ':')
			break;
	}
	if (i > OP_MALLOC)
		return false;
	out->op = (enum op)i;
	s += strlen(op_names[i]) + 1;
	if (!parse_ulong(&s, &out->n) || out->n == 0)
		return false;
	if (*s == '+') {
		out->sticky = true;
		s++;
	}
	if (*s++ != ':')
		return false;
	if (*s >= '0' && *s <= '9') {
		if (!parse_ulong(&s, &v) || v > 4095)
			return false;
		out->err = (int)v;
	} else {
		for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
			len = strlen(errnos[i].name);
			if (strncmp(s, errnos[i].name, len) == 0 &&
			    (s[len] < 'A' || s[len] > 'Z'))
				break;
		}
		if (i == sizeof(errnos) / sizeof(errnos[0]))
			return false;
		out->err = errnos[i].value;
		s += strlen(errnos[i].name);
	}
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return *s == '\0' && out->err != 0;
}

/* --- reporting, without allocating ------------------------------------ */

struct line {
	char b[REPORT_MAX];
	size_t n;
};

static void
put_str(struct line *l, const char *s)
{
	while (*s != '\0' && l->n < sizeof(l->b) - 1)
		l->b[l->n++] = *s++;
}

static void
put_num(struct line *l, unsigned long v, unsigned base)
{
	char tmp[24];
	size_t i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0 && i > 0);
	put_str(l, tmp + i);
}

static void
put_errno(struct line *l, int e)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].value == e) {
			put_str(l, errnos[i].name);
			return;
		}
	put_str(l, "errno ");
	put_num(l, (unsigned long)e, 10);
}

static void
emit(struct line *l)
{
	ssize_t r;

	l->b[l->n++] = '\n';
	resolve();
	/* One write, like ftpd's own log lines, so they never interleave. */
	r = real_write(STDERR_FILENO, l->b, l->n);
	(void)r;
}

static void
report_spec_error(const char *where, const char *text)
{
	struct line l = {.n = 0};

	put_str(&l, "faultshim: ignoring unparsable fault spec from ");
	put_str(&l, where);
	put_str(&l, ": ");
	put_str(&l, text);
	while (l.n > 0 && (l.b[l.n - 1] == '\n' || l.b[l.n - 1] == ' '))
		l.n--;
	emit(&l);
}

static void
put_place(struct line *l, void *addr)
{
	Dl_info info;
	const char *mod;

	if (dladdr(addr, &info) == 0 || info.dli_fname == NULL) {
		put_str(l, "0x");
		put_num(l, (unsigned long)addr, 16);
		return;
	}
	mod = strrchr(info.dli_fname, '/');
	put_str(l, mod != NULL ? mod + 1 : info.dli_fname);
	put_str(l, "+0x");
	put_num(l, (unsigned long)((char *)addr - (char *)info.dli_fbase), 16);
}

static void
report(const struct spec *sp, unsigned long k, const char *fn, void *caller)
{
	struct line l = {.n = 0};
	void *frames[BACKTRACE_MAX];
	int i, n, at = -1;

	put_str(&l, "faultshim: ");
	put_str(&l, op_names[sp->op]);
	put_str(&l, " call ");
	put_num(&l, k, 10);
	put_str(&l, " fails with ");
	put_errno(&l, sp->err);
	if (sp->sticky)
		put_str(&l, ", and every later one");
	put_str(&l, " (");
	put_str(&l, fn);
	put_str(&l, " from ");
	put_place(&l, caller);
	/* The callers' callers, for addr2line: where in ftpd it happened.
	 * backtrace() may allocate; reporting is not counted (ts.quiet). */
	ts.quiet = true;
	n = backtrace(frames, BACKTRACE_MAX);
	ts.quiet = false;
	for (i = 0; i < n; i++)
		if (frames[i] == caller)
			at = i;
	for (i = at + 1; at >= 0 && i < n; i++) {
		put_str(&l, " < ");
		put_place(&l, frames[i]);
	}
	put_str(&l, ")");
	emit(&l);
}

/* --- configuration and arming ----------------------------------------- */

/* The spec in FILE; none (op OP_NONE) if it is missing, empty, "off" or
 * unparsable (reported). */
static void
load_spec_file(struct spec *out)
{
	char text[SPEC_MAX];
	ssize_t n;
	int fd;

	memset(out, 0, sizeof(*out));
	if ((fd = open(spec_file, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	if (strncmp(text, "off", 3) == 0 || text[0] == '\n')
		return;
	if (!parse_spec(text, out)) {
		report_spec_error(spec_file, text);
		memset(out, 0, sizeof(*out));
	}
}

/* FTPF_FAULT_LEAK=BYTES: blocks of BYTES allocated and dropped, so a test
 * can show that a leak checker (LeakSanitizer) runs when the process
 * exits.  Several, since a stale copy of the last pointer on a stack
 * could hide one. */
static void
leak_canary(const char *text)
{
	unsigned long size;
	void *volatile p;
	int i;

	if (!parse_ulong(&text, &size) || size == 0 || size > 1 << 20)
		return;
	for (i = 0; i < LEAK_BLOCKS; i++) {
		p = malloc(size);
		if (p != NULL)
			memset(p, 0xa5, size);
	}
	p = NULL;
}

__attribute__((constructor)) static void
faultshim_init(void)
{
	const char *f = getenv("FTPF_FAULT");
	const char *a = getenv("FTPF_FAULT_ARM");
	const char *leak = getenv("FTPF_FAULT_LEAK");
	void *frame;

	resolve();
	/* backtrace() loads libgcc_s on first use: not inside malloc. */
	(void)backtrace(&frame, 1);
	main_thread = pthread_self();
	emulate_openat2 = getenv("FTPF_EMULATE_OPENAT2") != NULL;
	if (leak != NULL && *leak != '\0')
		leak_canary(leak);
	if (f == NULL || *f == '\0')
		return;
	if (a != NULL && *a != '\0') {
		if (strlen(a) >= sizeof(arm_name))
			return;
		strcpy(arm_name, a);
	}
	if (f[0] == '@') {
		if (strlen(f + 1) >= sizeof(spec_file))
			return;
		strcpy(spec_file, f + 1);
		/* Without arming there is no later moment to read it. */
		if (arm_name[0] == '\0')
			load_spec_file(&env_spec);
	} else if (!parse_spec(f, &env_spec)) {
		report_spec_error("FTPF_FAULT", f);
		return;
	}
	configured = true;
}

/* Arms the calling thread if path's last component is the arm name. */
static void
maybe_arm(const char *path)
{
	const char *base;

	if (!configured || arm_name[0] == '\0' || path == NULL)
		return;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	if (strcmp(base, arm_name) != 0)
		return;
	if (spec_file[0] != '\0')
		load_spec_file(&ts.spec);
	else
		ts.spec = env_spec;
	ts.armed = true;
	ts.count = 0;
	ts.reported = false;
}

/* Whether this thread counts calls of op at all (cheap: asked first). */
static bool
counts(enum op op)
{
	if (!configured || ts.resolving || ts.quiet)
		return false;
	if (arm_name[0] != '\0')
		return ts.armed && ts.spec.op == op;
	return env_spec.op == op && !pthread_equal(pthread_self(), main_thread);
}

/* Counts one call of the op that counts() accepted; the errno to fail it
 * with, or 0 to let it through. */
static int
fault(const char *fn, void *caller)
{
	const struct spec *sp;
	unsigned long k;
	bool first;

	if (arm_name[0] != '\0') {
		sp = &ts.spec;
		k = ++ts.count;
	} else {
		sp = &env_spec;
		k = atomic_fetch_add(&global_count, 1) + 1;
	}
	if (k < sp->n || (k > sp->n && !sp->sticky))
		return 0;
	if (arm_name[0] != '\0') {
		first = !ts.reported;
		ts.reported = true;
	} else {
		first = !atomic_exchange(&global_reported, true);
	}
	if (first)
		report(sp, k, fn, caller);
	return sp->err;
}

static bool
is_regular(int fd)
{
	struct stat sb;

	return fd > STDERR_FILENO && fstat(fd, &sb) == 0 &&
	    S_ISREG(sb.st_mode);
}

#define CALLER __builtin_return_address(0)

/* --- the interposed functions ----------------------------------------- */

ssize_t
write(int fd, const void *buf, size_t len)
{
	int e;

	if (counts(OP_WRITE) && is_regular(fd) &&
	    (e = fault("write", CALLER)) != 0) {
		errno = e;
		return -1;
	}
	resolve();
	return real_write(fd, buf, len);
}

int
fsync(int fd)
{
	int e;

	if (counts(OP_FSYNC) && (e = fault("fsync", CALLER)) != 0) {
		errno = e;
		return -1;
	}
	resolve();
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	int e;

	if (counts(OP_FSYNC) &&
	    (e = fault("fdatasync", CALLER)) != 0) {
		errno = e;
		return -1;
	}
	resolve();
	return real_fdatasync(fd);
}

int
rename(const char *from, const char *to)
{
	int e;

	if (counts(OP_RENAME) &&
	    (e = fault("rename", CALLER)) != 0) {
		errno = e;
		return -1;
	}
	resolve();
	return real_rename(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	int e;

	if (counts(OP_RENAME) &&
	    (e = fault("renameat", CALLER)) != 0) {
		errno = e;
		return -1;
	}
	resolve();
	return real_renameat(fromfd, from, tofd, to);
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to,
	  unsigned flags)
{
	int e;

	if (counts(OP_RENAME) &&
	    (e = fault("renameat2", CALLER)) != 0) {
		errno = e;
		return -1;
	}
	resolve();
	return real_renameat2(fromfd, from, tofd, to, flags);
}

static long
emulated_openat2(int dirfd, const char *path, const struct open_how *how)
{
	return openat(dirfd, path, (int)how->flags, (mode_t)how->mode);
}

/* syscall(2) as the project uses it: up to six long-sized arguments,
 * which is what the x86-64 and aarch64 ABIs pass whatever the call. */
long
syscall(long nr, ...)
{
	long a[6], r;
	va_list ap;
	int e = 0, i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	switch (nr) {
	case SYS_openat2:
		maybe_arm((const char *)a[1]);
		break;
	case SYS_write:
		if (counts(OP_WRITE) && is_regular((int)a[0]))
			e = fault("syscall(SYS_write)", CALLER);
		break;
	case SYS_fsync:
	case SYS_fdatasync:
		if (counts(OP_FSYNC))
			e = fault("syscall(SYS_fsync)", CALLER);
		break;
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2:
		if (counts(OP_RENAME))
			e = fault("syscall(SYS_rename*)", CALLER);
		break;
	default:
		break;
	}
	if (e != 0) {
		errno = e;
		return -1;
	}
	resolve();
	r = real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r < 0 && errno == ENOSYS && nr == SYS_openat2 && emulate_openat2)
		return emulated_openat2((int)a[0], (const char *)a[1],
		    (const struct open_how *)a[2]);
	return r;
}

void *
malloc(size_t size)
{
	int e;

	if (real_malloc == NULL) {
		if (ts.resolving)
			return __libc_malloc(size);
		resolve();
	}
	if (counts(OP_MALLOC) && (e = fault("malloc", CALLER)) !=
	    0) {
		errno = e;
		return NULL;
	}
	return real_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
	int e;

	if (real_malloc == NULL) {
		if (ts.resolving)
			return __libc_calloc(n, size);
		resolve();
	}
	if (counts(OP_MALLOC) && (e = fault("calloc", CALLER)) !=
	    0) {
		errno = e;
		return NULL;
	}
	return real_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
	int e;

	if (real_malloc == NULL) {
		if (ts.resolving)
			return __libc_realloc(p, size);
		resolve();
	}
	if (counts(OP_MALLOC) && (e = fault("realloc", CALLER)) !=
	    0) {
		errno = e;
		return NULL;
	}
	return real_realloc(p, size);
}
