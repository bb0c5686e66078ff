/*
 * stream.h — a byte stream over a libuv TCP connection, the one place
 * where agent and collector read and write the network.  Callers see
 * plaintext bytes in and out; TLS (OpenSSL through memory BIOs) slots in
 * here without the callers changing.
 *
 * The caller owns the struct (embed it); it is handed back only through
 * on_close, after libuv has closed the handle.
 *
 * Plaintext: init, connect or accept into s->tcp, proto_stream_start.
 * TLS: the same, but proto_stream_tls_start instead of proto_stream_start.
 * The SSL object talks to two memory BIOs: ciphertext read from the socket
 * is written into one, ciphertext OpenSSL produces is drained from the
 * other into uv_write, so the loop never blocks on TLS.  on_handshake
 * (optional) tells the owner the handshake finished and whom it talks to;
 * on_read only ever sees plaintext.
 */
#ifndef KAGENT_PROTO_STREAM_H
#define KAGENT_PROTO_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct proto_stream;

/* Bytes arrived; valid during the call only. */
typedef void (*proto_stream_read_cb)(struct proto_stream *s, const uint8_t *buf,
				     size_t len);
/* The stream is closed and its memory may be freed.  why is "" for a
 * close the owner asked for, else the reason (peer closed, read error). */
typedef void (*proto_stream_close_cb)(struct proto_stream *s, const char *why);
/* The TLS handshake finished; identity is the peer certificate's (tls.h),
 * "" for a server that names none.  Writes queued before now go out. */
typedef void (*proto_stream_handshake_cb)(struct proto_stream *s,
					  const char *identity);

struct proto_tls;
struct ssl_st;
struct bio_st;

struct proto_stream {
	uv_tcp_t tcp; /* tcp.data points back here */
	void *data;   /* the owner's */
	proto_stream_read_cb on_read;
	proto_stream_close_cb on_close;
	uint8_t *rbuf; /* shared read buffer, owner's */
	size_t rbuf_len;
	size_t queued;	   /* bytes written, not yet on the wire */
	size_t queued_max; /* a peer that does not read is closed */
	bool reading;
	bool closing;
	char why[128];
	/* TLS, all NULL/false for plaintext */
	proto_stream_handshake_cb on_handshake; /* set by the owner, optional */
	struct ssl_st *ssl;
	struct bio_st *rbio; /* socket -> SSL, owned by ssl */
	struct bio_st *wbio; /* SSL -> socket, owned by ssl */
	uint8_t *early;	     /* plaintext written before the handshake */
	size_t early_len;
	bool handshaken;
	char peer_id[256]; /* PROTO_TLS_ID_MAX */
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
/* Starts reading and the TLS handshake, once connected or accepted.  A
 * server demands a client certificate signed by the CA of tls; a client
 * verifies the server's chain and, when sni is not NULL, sends it and
 * checks that the server's certificate names it.  The connection keeps the
 * context it started with across proto_tls_reload.  A failed handshake
 * closes the stream with the reason ("tls: certificate has expired"). */
int proto_stream_tls_start(struct proto_stream *s, struct proto_tls *tls,
			   bool server, const char *sni);
/* The identity of the peer's certificate once the handshake finished,
 * else "" (also for plaintext). */
const char *proto_stream_peer_identity(const struct proto_stream *s);
/* The negotiated protocol ("TLSv1.3"), "" before the handshake or for
 * plaintext. */
const char *proto_stream_tls_version(const struct proto_stream *s);
/* Queues a copy of buf.  -ENOBUFS when more than queued_max bytes would
 * wait: the peer is not reading, the caller should close.  Over TLS, bytes
 * written before the handshake finished wait in the stream (counted
 * against queued_max) and go out, in order, when it does. */
int proto_stream_write(struct proto_stream *s, const uint8_t *buf, size_t len);
/* Closes once; on_close follows with why.  A TLS stream sends
 * close_notify first when the socket takes it at once; it does not wait
 * for a peer that has stopped reading. */
void proto_stream_close(struct proto_stream *s, const char *why);

#endif
