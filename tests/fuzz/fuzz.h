/*
 * fuzz.h - what the libFuzzer harnesses share: the entry points, a check
 * that reports a broken invariant as a crash, and the temporary tree
 * (fixture.c) that the path, client and session harnesses work in.
 *
 * A harness must be deterministic: the same input always takes the same
 * path.  Anything an input changes on disk is put back before the next.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <sys/stat.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Reports what broke (through the sanitizer's report descriptor, which
 * libFuzzer keeps open even with -close_fd_mask=2) and aborts, so the
 * input is saved as a crash like any other.
 */
void fuzz_fail(const char *file, int line, const char *cond,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)))
    __attribute__((noreturn));

#define FUZZ_CHECK(cond, ...)                                          \
	do {                                                           \
		if (!(cond))                                           \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* Big-endian u32 at p, for harnesses that parse the stream themselves. */
uint32_t fuzz_be32(const uint8_t *p);

/* Where temporary trees go: $TMPDIR, else /dev/shm (tmpfs, where fsync
 * is free), else /tmp. */
const char *fuzz_tmpdir(void);

/*
 * A temporary tree, made once per process under fuzz_tmpdir():
 *
 *   base/root/                 the served root
 *     file.txt                 a small file
 *     fifo                     a FIFO, which must never block anyone
 *     link_file -> file.txt    links that stay inside
 *     link_in -> sub
 *     link_out -> ../outside   links that leave it, relative...
 *     link_abs -> base/outside ... and absolute
 *     link_canary -> ../outside/canary.txt
 *     sub/inner.txt
 *     sub/link_up -> ../file.txt   inside the root, outside "sub"
 *     and uploads an earlier session left for a resume (kept partials):
 *     of file.txt ("a small") and sub/inner.txt ("inner"), and one named
 *     for new.txt that another target claims (a hash collision)
 *   base/outside/canary.txt    what must never be read or changed
 *
 * The canary and the outside directory carry times no file inside has, so
 * a stat or a listing that reaches them is recognised, and reading the
 * canary moves its atime (where the filesystem keeps atimes).
 */
#define FIXTURE_FILE_TEXT "a small file inside the root\n"
#define FIXTURE_INNER_TEXT "inner file of sub\n"
#define FIXTURE_CANARY_MARK "CANARY-outside-the-root-CANARY\n"
#define FIXTURE_CANARY_TIME 222222222 /* 1977: no file inside has it */
#define FIXTURE_OUTSIDE_TIME 111111111

struct fixture {
	char base[PATH_MAX];
	char root[PATH_MAX];
	char outside[PATH_MAX];
	char canary[PATH_MAX];
	int basefd, rootfd, outfd;
	struct stat base_st, out_st, canary_st; /* as made */
};

/* Room for a name in the tree, kept partials included. */
#define FIXTURE_NAME_MAX 64

/* The name of the kept partial of an upload to target (a bare name). */
void fixture_partial_name(const char *target, char out[FIXTURE_NAME_MAX]);

/* Makes the tree (FUZZ_CHECK on failure); it is removed at exit. */
void fixture_create(struct fixture *fx);

/* Empties the root and makes its contents again, as fixture_create() did,
 * so that nothing one input stored is seen by the next. */
void fixture_reset(struct fixture *fx);

/* Fails (FUZZ_CHECK) unless base/ and base/outside are exactly as made:
 * nothing created, removed or renamed there, the canary not changed, not
 * given attributes and not read. */
void fixture_check_outside(const struct fixture *fx);

/* True if (dev, ino) is the canary, the outside directory or base/. */
bool fixture_is_outside(const struct fixture *fx, dev_t dev, ino_t ino);

/* True if the len bytes at p contain the canary's marker. */
bool fixture_has_canary(const void *p, size_t len);

#endif
