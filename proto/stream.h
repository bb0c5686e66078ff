/*
 * stream.h — a byte stream over a libuv TCP connection, the one place
 * where agent and collector read and write the network.  Callers see
 * plaintext bytes in and out; TLS (OpenSSL through memory BIOs) slots in
 * here without the callers changing.
 *
 * The caller owns the struct (embed it); it is handed back only through
 * on_close, after libuv has closed the handle.
 */
#ifndef KAGENT_PROTO_STREAM_H
#define KAGENT_PROTO_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct proto_stream;

/* Bytes arrived; valid during the call only. */
typedef void (*proto_stream_read_cb)(struct proto_stream *s,
				     const uint8_t *buf, size_t len);
/* The stream is closed and its memory may be freed.  why is "" for a
 * close the owner asked for, else the reason (peer closed, read error). */
typedef void (*proto_stream_close_cb)(struct proto_stream *s, const char *why);

struct proto_stream {
	uv_tcp_t tcp;                   /* tcp.data points back here */
	void *data;                     /* the owner's */
	proto_stream_read_cb on_read;
	proto_stream_close_cb on_close;
	uint8_t *rbuf;                  /* shared read buffer, owner's */
	size_t rbuf_len;
	size_t queued;                  /* bytes written, not yet on the wire */
	size_t queued_max;              /* a peer that does not read is closed */
	bool reading;
	bool closing;
	char why[128];
};

/* Prepares s on loop; the owner then connects or accepts into s->tcp.
 * rbuf is a read buffer the owner shares among its streams: reads are
 * consumed within on_read, so one buffer per loop is enough. */
int proto_stream_init(uv_loop_t *loop, struct proto_stream *s, void *data,
		      uint8_t *rbuf, size_t rbuf_len, size_t queued_max,
		      proto_stream_read_cb on_read,
		      proto_stream_close_cb on_close);
/* Starts reading once connected or accepted. */
int proto_stream_start(struct proto_stream *s);
/* Queues a copy of buf.  -ENOBUFS when more than queued_max bytes would
 * wait: the peer is not reading, the caller should close. */
int proto_stream_write(struct proto_stream *s, const uint8_t *buf, size_t len);
/* Closes once; on_close follows with why. */
void proto_stream_close(struct proto_stream *s, const char *why);

#endif
