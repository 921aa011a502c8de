/*
 * compress.h - zlib behind a small API: the one place that trusts zlib
 * with wire bytes (docs/PROTOCOL.md, section 5.8).
 *
 * A COMPRESSED DATA frame's body is one whole raw deflate stream (RFC 1951,
 * no zlib or gzip wrapper) holding that frame's bytes alone, so each frame
 * inflates on its own and a raw frame between two compressed ones needs
 * nothing from either side.  The sender keeps one deflate state per
 * transfer, reset for each chunk; the receiver one inflate state, likewise.
 */
#ifndef PROTO_COMPRESS_H
#define PROTO_COMPRESS_H

#include <stddef.h>

struct zs;

/* A deflater (for a sender) or an inflater (for a receiver). */
int zs_deflater_new(struct zs **out);
int zs_inflater_new(struct zs **out);
void zs_free(struct zs *z); /* NULL is fine */

/*
 * Compresses the chunk in[0, len) into out, which has room for len bytes.
 * *outlen is the compressed size, or 0 when the chunk should go raw: it
 * did not shrink by a worthwhile margin, or recent chunks did not and this
 * one is skipped unexamined (random data then costs next to nothing).
 */
int zs_deflate_chunk(struct zs *z, const void *in, size_t len, void *out,
		     size_t *outlen);

/*
 * Inflates one compressed frame body into out, never writing more than
 * cap bytes; *outlen gets the inflated size.  FTP_E_FRAME_SIZE if it
 * inflates past cap (a bomb, or more than the transfer announced);
 * FTP_E_BAD_VALUE if it is not one whole raw deflate stream (corrupt,
 * truncated, or bytes after its end).  Both are protocol errors.
 */
int zs_inflate_frame(struct zs *z, const void *in, size_t len, void *out,
		     size_t cap, size_t *outlen);

#endif
