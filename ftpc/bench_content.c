/*
 * bench_content.c - `ftpc bench`: the content of its files, and its check.
 *
 * Every file's content is a function of its name and size (content()), so
 * a download is checked byte by byte against what the name says, whoever
 * uploaded it: the shared files prepared at the start, or a client's own
 * file, uploaded again and again and read back between uploads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_int.h"
#include "err.h"
#include "io.h"

uint64_t
bench_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The seed of a file's content: its name and its size. */
uint64_t
bench_content_seed(const char *name, uint64_t size)
{
	uint64_t h = 14695981039346656037ull;

	for (const char *c = name; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	return h ^ bench_mix64(size);
}

/* len bytes of the content with seed, from offset off: byte k of each
 * 8-byte word is byte k (little end first) of mix64(seed + word). */
static void
content(uint64_t seed, uint64_t off, uint8_t *dst, size_t len)
{
	uint64_t w = bench_mix64(seed + (off >> 3));

	for (size_t i = 0; i < len; i++, off++) {
		if ((off & 7) == 0)
			w = bench_mix64(seed + (off >> 3));
		dst[i] = (uint8_t)(w >> (8 * (off & 7)));
	}
}

/* ftpc_get_to()'s sink: compares each piece with what it should be. */
int
bench_check_data(void *arg, const void *data, size_t len)
{
	struct bench_check *c = arg;
	const uint8_t *p = data;
	uint8_t want[4096];
	size_t n;

	while (len > 0) {
		n = len < sizeof(want) ? len : sizeof(want);
		content(c->seed, c->off, want, n);
		if (memcmp(want, p, n) != 0)
			return FTP_E_BAD_VALUE;
		c->off += n;
		p += n;
		len -= n;
	}
	return FTP_OK;
}

/* Writes the local source for remote name into the temporary directory. */
int
bench_make_source(const struct bench *b, const char *name, char *path,
    size_t size)
{
	uint8_t block[64 * 1024];
	uint64_t seed = bench_content_seed(name, b->o.size), off = 0;
	size_t n;
	int fd, r = FTP_OK;

	snprintf(path, size, "%s/%s", b->local, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return ftp_err_from_errno(errno);
	while (off < b->o.size && r == FTP_OK) {
		n = b->o.size - off < sizeof(block) ? b->o.size - off :
		    sizeof(block);
		content(seed, off, block, n);
		r = io_write_all(fd, block, n);
		off += n;
	}
	if (close(fd) != 0 && r == FTP_OK)
		r = ftp_err_from_errno(errno);
	return r;
}

void
bench_remote_path(const struct bench *b, const char *name, char *out,
    size_t size)
{
	if (b->o.dir[0] == '\0')
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%s/%s", b->o.dir, name);
}
