/*
 * fuzz_client.c - the client's reply parsing: ftpc's session library
 * (ftpc/client.c, compiled in) talking to a "server" whose bytes are the
 * fuzzer's input, through the in-memory transport (memconn.h).
 *
 * client.c connects with net_connect() and wraps the socket with
 * conn_plain_new(); the link step (-Wl,--wrap, tests/fuzz/CMakeLists.txt)
 * sends both here, so the library runs unchanged over a memconn.
 *
 * One input is one whole session, whatever the server says: HELLO (asking
 * for every feature), LOGIN (refused here first: no TLS, and the peer is
 * not loopback), LIST twice, GET to a file and into a
 * directory, GET -c (SUM first, then GET from an offset, compressed), GET
 * into a callback, PUT, PUT -c compressed, QUIT.  Each call stops at the
 * first frame it cannot accept; later calls find the connection gone.
 * Checked: failures name a fault and a message; entries handed to the
 * caller are safe names; a download that succeeded is there whole and one
 * that failed left nothing (its hidden part only for GET -c); nothing is
 * written anywhere but the download directory, and the file uploaded is
 * never changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "conn.h"
#include "err.h"
#include "fuzz.h"
#include "localfile.h"
#include "memconn.h"
#include "msg.h"

#define UP_SIZE 3000           /* the local file uploaded */
#define HELD_TEXT "hello, "    /* bytes GET -c starts from */
#define FEATURES (FTPC_FEATURES_DEFAULT | PROTO_FEATURE_LOGIN)

int __wrap_net_connect(const char *host, const char *port, unsigned timeout_s,
		       int *fd);
int __wrap_conn_plain_new(int fd, struct conn **out);

static struct {
	char base[PATH_MAX];
	char dl[PATH_MAX];       /* downloads go here, nowhere else */
	char up[PATH_MAX];       /* base/local/up.txt */
	char target_a[PATH_MAX]; /* dl/a */
	char target_held[PATH_MAX];
	int basefd, dlfd, localfd;
	struct stat base_st, local_st, up_st;
} lc;

/* The input of the session being run, for the wrapped connect. */
static const uint8_t *in_data;
static size_t in_size;
static struct conn *in_conn;
/* FTPF_FUZZ_VERBOSE set: each call's result on stderr, to see how far a
 * seed gets (tests/fuzz/make_seeds.py). */
static bool verbose;

/* Names a download may leave in dl/ (see the header comment). */
static const char *const dl_names[] = {
	"a", "r.txt", "held", ".held.ftpc-part", NULL,
};

/* Bytes the client has sent in this session. */
static uint64_t sent_bytes;

static void
on_sent(void *arg, const void *data, size_t len)
{
	(void)arg;
	(void)data;
	sent_bytes += len;
}

int
__wrap_net_connect(const char *host, const char *port, unsigned timeout_s,
		   int *fd)
{
	int r;

	(void)host;
	(void)port;
	(void)timeout_s;
	FUZZ_CHECK(in_conn == NULL, "connect twice in one session");
	if ((r = memconn_new(in_data, in_size, MEMCONN_SERVER, on_sent, NULL,
	    &in_conn)) != FTP_OK)
		return r;
	*fd = in_conn->fd;
	return FTP_OK;
}

int
__wrap_conn_plain_new(int fd, struct conn **out)
{
	FUZZ_CHECK(in_conn != NULL && fd == in_conn->fd, "conn_plain_new on "
	    "a descriptor that is not the memconn's");
	*out = in_conn;
	in_conn = NULL;
	return FTP_OK;
}

static void
write_local(int dfd, const char *name, const char *text, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);

	FUZZ_CHECK(fd >= 0 && write(fd, text, len) == (ssize_t)len,
	    "cannot write %s: %s", name, strerror(errno));
	close(fd);
}

static void
dl_reset(void)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(lc.dlfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && (d = fdopendir(fd)) != NULL, "opendir dl");
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			FUZZ_CHECK(unlinkat(lc.dlfd, de->d_name, 0) == 0,
			    "unlink dl/%s: %s", de->d_name, strerror(errno));
	closedir(d);
	write_local(lc.dlfd, "held", HELD_TEXT, sizeof(HELD_TEXT) - 1);
}

static bool
same_times(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void
check_local(void)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	bool ok;
	int fd;

	FUZZ_CHECK(fstat(lc.basefd, &sb) == 0 && same_times(&sb, &lc.base_st),
	    "something was created or removed beside the download directory");
	FUZZ_CHECK(fstat(lc.localfd, &sb) == 0 &&
	    same_times(&sb, &lc.local_st), "the upload's directory changed");
	FUZZ_CHECK(stat(lc.up, &sb) == 0 && same_times(&sb, &lc.up_st),
	    "the uploaded file changed");
	fd = openat(lc.dlfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && (d = fdopendir(fd)) != NULL, "opendir dl");
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		ok = false;
		for (const char *const *n = dl_names; *n != NULL; n++)
			ok = ok || strcmp(*n, de->d_name) == 0;
		FUZZ_CHECK(ok, "download left \"%s\" behind", de->d_name);
		FUZZ_CHECK(fstatat(lc.dlfd, de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode),
		    "dl/%s is not a regular file", de->d_name);
	}
	closedir(d);
}

static void
make_dir(char *out, const char *name, int *fd)
{
	snprintf(out, PATH_MAX, "%s/%s", lc.base, name);
	FUZZ_CHECK(mkdir(out, 0755) == 0, "mkdir %s: %s", out, strerror(errno));
	*fd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(*fd >= 0, "open %s", out);
}

static void
remove_all(void)
{
	char path[PATH_MAX];

	dl_reset();
	(void)unlinkat(lc.dlfd, "held", 0);
	(void)rmdir(lc.dl);
	snprintf(path, sizeof(path), "%s/local", lc.base);
	(void)unlink(lc.up);
	(void)rmdir(path);
	(void)rmdir(lc.base);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char local[PATH_MAX], text[UP_SIZE];

	(void)argc;
	(void)argv;
	verbose = getenv("FTPF_FUZZ_VERBOSE") != NULL;
	snprintf(lc.base, sizeof(lc.base), "%s/ftpc-fuzz.XXXXXX",
	    fuzz_tmpdir());
	FUZZ_CHECK(mkdtemp(lc.base) != NULL, "mkdtemp: %s", strerror(errno));
	atexit(remove_all);
	lc.basefd = open(lc.base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(lc.basefd >= 0, "open base");
	make_dir(lc.dl, "dl", &lc.dlfd);
	make_dir(local, "local", &lc.localfd);
	/* Text that compresses, so PUT -z sends COMPRESSED frames. */
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "upload text "[i % 12];
	write_local(lc.localfd, "up.txt", text, sizeof(text));
	snprintf(lc.up, sizeof(lc.up), "%s/up.txt", local);
	snprintf(lc.target_a, sizeof(lc.target_a), "%s/a", lc.dl);
	snprintf(lc.target_held, sizeof(lc.target_held), "%s/held", lc.dl);
	FUZZ_CHECK(fstat(lc.basefd, &lc.base_st) == 0 &&
	    fstat(lc.localfd, &lc.local_st) == 0 &&
	    stat(lc.up, &lc.up_st) == 0, "fstat");
	dl_reset();
	return 0;
}

/* The library's contract on every answer. */
static void
check_result(struct ftpc_client *cl, int r, const char *what)
{
	if (verbose)
		fprintf(stderr, "%s: %s %s\n", what, ftp_errname(r),
		    ftpc_detail(cl));
	if (r == FTP_OK) {
		FUZZ_CHECK(ftpc_fault(cl) == FTPC_FAULT_NONE &&
		    ftpc_detail(cl)[0] == '\0', "%s succeeded with a fault",
		    what);
		return;
	}
	FUZZ_CHECK(r < 0, "%s returned %d", what, r);
	FUZZ_CHECK(ftpc_fault(cl) != FTPC_FAULT_NONE &&
	    ftpc_detail(cl)[0] != '\0', "%s failed (%s) without a fault or a "
	    "message", what, ftp_errname(r));
}

static int
on_entry(void *arg, const struct msg_entry *e)
{
	unsigned *n = arg;

	FUZZ_CHECK(lf_safe_name(e->name, strlen(e->name)), "entry \"%s\" reached the caller",
	    e->name);
	FUZZ_CHECK(e->kind >= PROTO_KIND_FILE && e->kind <= PROTO_KIND_OTHER,
	    "entry kind %u", e->kind);
	(*n)++;
	return FTP_OK;
}

static int
on_data(void *arg, const void *data, size_t len)
{
	uint64_t *n = arg;

	(void)data;
	*n += len;
	return FTP_OK;
}

/* After a GET: the target is there exactly when it succeeded, and the
 * part is gone unless a GET -c failed. */
static void
check_get(int r, const char *name, bool resume)
{
	char part[PATH_MAX];
	struct stat sb;

	snprintf(part, sizeof(part), ".%s.ftpc-part", name);
	if (r == FTP_OK)
		FUZZ_CHECK(fstatat(lc.dlfd, name, &sb, 0) == 0 &&
		    S_ISREG(sb.st_mode), "GET %s succeeded, no file", name);
	if (r == FTP_OK || !resume)
		FUZZ_CHECK(fstatat(lc.dlfd, part, &sb, AT_SYMLINK_NOFOLLOW) !=
		    0, "GET %s left its part (%s)", name, ftp_errname(r));
}

static void
session(struct ftpc_client *cl)
{
	uint64_t size = 0, got = 0, before;
	unsigned n = 0;
	int r;

	FUZZ_CHECK(strlen(ftpc_server_software(cl)) <= PROTO_SOFTWARE_MAX,
	    "software string");
	/* The peer is no loopback address (a socketpair) and there is no
	 * TLS: the password must not go out unless allowed. */
	before = sent_bytes;
	r = ftpc_login(cl, "alice", "secret", false);
	check_result(cl, r, "LOGIN refused locally");
	FUZZ_CHECK(r != FTP_OK && sent_bytes == before, "a password went out "
	    "in plaintext to a peer that is not loopback");
	r = ftpc_login(cl, "alice", "secret", true);
	check_result(cl, r, "LOGIN");
	r = ftpc_list(cl, "", on_entry, &n);
	check_result(cl, r, "LIST");
	r = ftpc_list(cl, "sub", on_entry, &n);
	check_result(cl, r, "LIST sub");
	r = ftpc_get(cl, "sub/remote.txt", lc.target_a);
	check_result(cl, r, "GET");
	check_get(r, "a", false);
	r = ftpc_get(cl, "docs/r.txt", lc.dl);
	check_result(cl, r, "GET into a directory");
	check_get(r, "r.txt", false);
	r = ftpc_get_ex(cl, "held.txt", lc.target_held, FTPC_RESUME |
	    FTPC_COMPRESS);
	check_result(cl, r, "GET -c");
	check_get(r, "held", true);
	r = ftpc_get_to(cl, "stream.bin", on_data, &got, &size);
	check_result(cl, r, "GET to a callback");
	FUZZ_CHECK(r != FTP_OK || got == size, "GET gave %llu of %llu bytes",
	    (unsigned long long)got, (unsigned long long)size);
	r = ftpc_put(cl, lc.up, "up.txt");
	check_result(cl, r, "PUT");
	r = ftpc_put_ex(cl, lc.up, "sub/up.txt", FTPC_RESUME | FTPC_COMPRESS);
	check_result(cl, r, "PUT -c");
	r = ftpc_quit(cl);
	check_result(cl, r, "QUIT");
	FUZZ_CHECK(!ftpc_connected(cl), "connected after QUIT");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftpc_client *cl = NULL;
	int r;

	in_data = data;
	in_size = size;
	in_conn = NULL;
	sent_bytes = 0;
	r = ftpc_open_features("fuzz.invalid", "2121", NULL, FEATURES, &cl);
	FUZZ_CHECK(cl != NULL, "no client");
	check_result(cl, r, "HELLO");
	if (r == FTP_OK)
		session(cl);
	ftpc_close(cl);
	FUZZ_CHECK(in_conn == NULL, "memconn not taken");
	check_local();
	dl_reset();
	return 0;
}
