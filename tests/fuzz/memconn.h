/*
 * memconn.h - an in-memory transport (struct conn, proto/conn.h) for the
 * fuzzers: the peer's bytes are the fuzzer's input, and what we send is
 * discarded (after an optional look).
 *
 * The peer is modelled as a well-behaved one in its timing, whatever its
 * bytes: it delivers its stream one frame at a time (as its frame headers
 * in the input say; garbage lengths just mean "the rest"), and it waits
 * for an answer before it goes on.  So "something to read" (pending, and
 * a poll on the descriptor) is true only once we have sent something
 * since the peer last had to wait for us:
 *   MEMCONN_CLIENT  the input is a client's: it waits after each request
 *                   (types 0x01-0x0F), not after DATA or END, which it
 *                   streams (a server that answered a PUT early and then
 *                   read the rest of it has answered it);
 *   MEMCONN_SERVER  the input is a server's: it speaks after each of our
 *                   requests, so every read of ours waits for a send.
 * A server doing a long checksum pass thus sees a patient client, and a
 * server that waits for a request without having answered the last one
 * waits forever, which libFuzzer reports as a timeout.  Every read still
 * gets the next bytes at once, and the end of the input is the peer's
 * close.
 *
 * The descriptor is one end of a socketpair (so setsockopt(2) and poll(2)
 * on conn->fd work): its other end is closed when a read finds the input
 * exhausted, which poll then sees as readable.
 */
#ifndef FUZZ_MEMCONN_H
#define FUZZ_MEMCONN_H

#include <stddef.h>
#include <stdint.h>

struct conn;

enum memconn_peer {
	MEMCONN_CLIENT, /* the input is what a client sends */
	MEMCONN_SERVER, /* the input is what a server sends */
};

/* Called with each piece of bytes sent (frames, sendfile data). */
typedef void (*memconn_sent_fn)(void *arg, const void *data, size_t len);

/* A transport over the len bytes at data (not copied: they must outlive
 * it), sent by peer; sent may be NULL.  FTP_OK or FTP_E_SYSTEM/NOMEM. */
int memconn_new(const uint8_t *data, size_t len, enum memconn_peer peer,
		memconn_sent_fn sent, void *arg, struct conn **out);

/* Bytes of the input the reader has taken so far. */
size_t memconn_consumed(const struct conn *c);

#endif
