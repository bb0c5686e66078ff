/* proto_stream: plain TCP, or TLS driven through memory BIOs on the same
 * TCP handle.  A write the kernel does not take at once is copied into
 * one allocation with its uv_write_t: the caller's buffer is free again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "stream.h"
#include "tls.h"

/* Plaintext handed to SSL_write at a time: the ciphertext of one call
 * sits in the write BIO until flushed, so this bounds that copy. */
#define TLS_WRITE_CHUNK (64 * 1024)
/* A memory BIO keeps the largest buffer it ever held; one that grew past
 * this is replaced once empty, so an idle connection holds no burst. */
#define TLS_BIO_KEEP 512
/* Ciphertext up to this is flushed from the stack, without a copy. */
#define TLS_FLUSH_STACK 1024

struct stream_write {
	uv_write_t req;
	struct proto_stream *s;
	size_t len;
	uint8_t data[];
};

static void on_closed(uv_handle_t *h)
{
	struct proto_stream *s = h->data;

	SSL_free(s->ssl); /* frees both BIOs */
	s->ssl = NULL;
	s->rbio = NULL;
	s->wbio = NULL;
	free(s->early);
	s->early = NULL;
	s->early_len = 0;
	if (s->on_close)
		s->on_close(s, s->why);
}

/* Flushing the socket must come before the handle closes: uv_close
 * cancels what is still queued. */
static int tls_flush(struct proto_stream *s);

void proto_stream_close(struct proto_stream *s, const char *why)
{
	if (s->closing)
		return;
	if (s->ssl != NULL && s->handshaken) {
		ERR_clear_error();
		if (SSL_shutdown(s->ssl) >= 0)
			tls_flush(s);
		ERR_clear_error();
	}
	s->closing = true;
	snprintf(s->why, sizeof s->why, "%s", why ? why : "");
	uv_close((uv_handle_t *)&s->tcp, on_closed);
}

static void on_written(uv_write_t *req, int status)
{
	struct stream_write *w = (struct stream_write *)req;
	struct proto_stream *s = w->s;
	char why[128];

	s->queued -= w->len;
	free(w);
	if (status < 0 && status != UV_ECANCELED) {
		snprintf(why, sizeof why, "write: %s", uv_strerror(status));
		proto_stream_close(s, why);
	}
}

/* Hands w (its data filled) to libuv; frees it on failure. */
static int stream_submit(struct proto_stream *s, struct stream_write *w)
{
	uv_buf_t b;
	int r;

	w->s = s;
	b = uv_buf_init((char *)w->data, (unsigned)w->len);
	r = uv_write(&w->req, (uv_stream_t *)&s->tcp, &b, 1, on_written);
	if (r < 0) {
		free(w);
		return r;
	}
	s->queued += w->len;
	return 0;
}

static struct stream_write *stream_write_new(size_t len)
{
	struct stream_write *w = malloc(sizeof *w + len);

	if (w != NULL)
		w->len = len;
	return w;
}

/* With nothing queued the kernel usually takes the whole buffer at once:
 * no copy, no write request, no poll registration (an ack is a few
 * bytes, and a collector sends thousands a second).  What it leaves is
 * copied and queued behind. */
static int stream_send(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	struct stream_write *w;
	int r;

	if (s->queued == 0) {
		uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);

		r = uv_try_write((uv_stream_t *)&s->tcp, &b, 1);
		if (r == (int)len)
			return 0;
		if (r < 0 && r != UV_EAGAIN)
			return r;
		if (r > 0) {
			buf += r;
			len -= (size_t)r;
		}
	}
	w = stream_write_new(len);
	if (w == NULL)
		return -ENOMEM;
	memcpy(w->data, buf, len);
	return stream_submit(s, w);
}

/* ---- TLS ---- */

static BIO *tls_bio_new(void)
{
	BIO *b = BIO_new(BIO_s_mem());

	/* Empty means "no more yet", not end of file. */
	if (b != NULL)
		BIO_set_mem_eof_return(b, -1);
	return b;
}

static bool tls_bio_bloated(BIO *b)
{
	BUF_MEM *m = NULL;

	return BIO_ctrl_pending(b) == 0 && BIO_get_mem_ptr(b, &m) == 1 &&
	       m != NULL && m->max > TLS_BIO_KEEP;
}

static void tls_shrink(struct proto_stream *s)
{
	BIO *b;

	if (tls_bio_bloated(s->rbio) && (b = tls_bio_new()) != NULL) {
		SSL_set0_rbio(s->ssl, b);
		s->rbio = b;
	}
	if (tls_bio_bloated(s->wbio) && (b = tls_bio_new()) != NULL) {
		SSL_set0_wbio(s->ssl, b);
		s->wbio = b;
	}
}

/* Moves the ciphertext OpenSSL produced onto the socket; what fits on
 * the stack (an ack's record) goes out as a plaintext write does. */
static int tls_flush(struct proto_stream *s)
{
	uint8_t small[TLS_FLUSH_STACK], *p = small;
	struct stream_write *w = NULL;
	size_t n = BIO_ctrl_pending(s->wbio);
	int r;

	if (n == 0)
		return 0;
	if (n > sizeof small && (w = stream_write_new(n)) == NULL)
		return -ENOMEM;
	if (w != NULL)
		p = w->data;
	if (BIO_read(s->wbio, p, (int)n) != (int)n) {
		free(w);
		return -EIO;
	}
	r = w != NULL ? stream_submit(s, w) : stream_send(s, p, n);
	tls_shrink(s);
	return r;
}

/* Names why the handshake or a record failed: the peer certificate's
 * verification result when that is the cause, else OpenSSL's reason.  The
 * alert OpenSSL queued goes out first so the peer learns it too. */
static void tls_fail(struct proto_stream *s)
{
	long v = SSL_get_verify_result(s->ssl);
	unsigned long e = ERR_peek_error();
	const char *reason = NULL;
	char why[128];

	if (v != X509_V_OK)
		reason = X509_verify_cert_error_string(v);
	else if (e != 0)
		reason = ERR_reason_error_string(e);
	snprintf(why, sizeof why, "tls: %s", reason ? reason : "failed");
	ERR_clear_error();
	tls_flush(s);
	proto_stream_close(s, why);
}

/* Returns 1 once the handshake finished, 0 while it waits for the peer,
 * -1 when the stream is closing. */
static int tls_handshake(struct proto_stream *s)
{
	X509 *peer;
	int r, e;

	ERR_clear_error();
	r = SSL_do_handshake(s->ssl);
	if (r != 1) {
		e = SSL_get_error(s->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (tls_flush(s) < 0) {
				proto_stream_close(s, "tls: write failed");
				return -1;
			}
			return 0;
		}
		tls_fail(s);
		return -1;
	}
	if (tls_flush(s) < 0) {
		proto_stream_close(s, "tls: write failed");
		return -1;
	}
	peer = SSL_get0_peer_certificate(s->ssl);
	r = peer ? proto_tls_cert_identity(peer, s->peer_id, sizeof s->peer_id)
		 : -ENOENT;
	/* Identity is what a server authorizes on; a client only logs it. */
	if (r < 0 && SSL_is_server(s->ssl)) {
		proto_stream_close(s, r == -ENOENT
					  ? "tls: client certificate names "
					    "no identity"
					  : "tls: client certificate "
					    "identity malformed");
		return -1;
	}
	s->handshaken = true;
	/* Early writes go first, so nothing on_handshake writes overtakes
	 * them. */
	if (s->early_len > 0) {
		uint8_t *early = s->early;
		size_t len = s->early_len;

		s->early = NULL;
		s->early_len = 0;
		r = proto_stream_write(s, early, len);
		free(early);
		if (r < 0) {
			proto_stream_close(s, "tls: write failed");
			return -1;
		}
	}
	if (s->on_handshake != NULL)
		s->on_handshake(s, s->peer_id);
	return s->closing ? -1 : 1;
}

static void tls_on_read(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	int n, e;

	/* The ciphertext is copied into the BIO, so the shared read buffer
	 * is free again to take plaintext. */
	if (BIO_write(s->rbio, buf, (int)len) != (int)len) {
		proto_stream_close(s, "tls: out of memory");
		return;
	}
	if (!s->handshaken && tls_handshake(s) <= 0)
		return;
	for (;;) {
		if (s->closing)
			return;
		ERR_clear_error();
		n = SSL_read(s->ssl, s->rbuf, (int)s->rbuf_len);
		if (n > 0) {
			s->on_read(s, s->rbuf, (size_t)n);
			continue;
		}
		e = SSL_get_error(s->ssl, n);
		if (e == SSL_ERROR_WANT_READ)
			break;
		if (e == SSL_ERROR_ZERO_RETURN)
			proto_stream_close(s, "peer closed the connection");
		else
			tls_fail(s);
		return;
	}
	/* A KeyUpdate asks for an answer. */
	if (tls_flush(s) < 0)
		proto_stream_close(s, "tls: write failed");
	else
		tls_shrink(s);
}

static int tls_early(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	uint8_t *p = realloc(s->early, s->early_len + len);

	if (p == NULL)
		return -ENOMEM;
	memcpy(p + s->early_len, buf, len);
	s->early = p;
	s->early_len += len;
	return 0;
}

static int tls_write(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	size_t off, n;
	int r;

	for (off = 0; off < len; off += n) {
		n = len - off < TLS_WRITE_CHUNK ? len - off : TLS_WRITE_CHUNK;
		ERR_clear_error();
		/* A memory BIO takes everything: no partial writes. */
		if (SSL_write(s->ssl, buf + off, (int)n) != (int)n) {
			ERR_clear_error();
			return -EIO;
		}
		r = tls_flush(s);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the stream ---- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct proto_stream *s = h->data;

	(void)hint;
	buf->base = (char *)s->rbuf;
	buf->len = s->rbuf_len;
}

static void on_read(uv_stream_t *h, ssize_t n, const uv_buf_t *buf)
{
	struct proto_stream *s = h->data;
	char why[128];

	if (n > 0) {
		if (s->ssl != NULL)
			tls_on_read(s, (const uint8_t *)buf->base, (size_t)n);
		else
			s->on_read(s, (const uint8_t *)buf->base, (size_t)n);
		return;
	}
	if (n == 0)
		return;
	/* Over TLS an end without close_notify may be a cut, not a close. */
	if (n == UV_EOF && s->ssl != NULL && s->handshaken)
		snprintf(why, sizeof why,
			 "peer closed the connection without close_notify");
	else if (n == UV_EOF)
		snprintf(why, sizeof why, "peer closed the connection");
	else
		snprintf(why, sizeof why, "read: %s", uv_strerror((int)n));
	proto_stream_close(s, why);
}

int proto_stream_init(uv_loop_t *loop, struct proto_stream *s, void *data,
		      uint8_t *rbuf, size_t rbuf_len, size_t queued_max,
		      proto_stream_read_cb on_read_cb,
		      proto_stream_close_cb on_close_cb)
{
	int r;

	memset(s, 0, sizeof *s);
	r = uv_tcp_init(loop, &s->tcp);
	if (r < 0)
		return r;
	s->tcp.data = s;
	s->data = data;
	s->rbuf = rbuf;
	s->rbuf_len = rbuf_len;
	s->queued_max = queued_max;
	s->on_read = on_read_cb;
	s->on_close = on_close_cb;
	return 0;
}

int proto_stream_start(struct proto_stream *s)
{
	int r;

	if (s->reading || s->closing)
		return 0;
	uv_tcp_nodelay(&s->tcp, 1);
	r = uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
	if (r == 0)
		s->reading = true;
	return r;
}

int proto_stream_tls_start(struct proto_stream *s, struct proto_tls *tls,
			   bool server, const char *sni)
{
	SSL *ssl;
	BIO *rb, *wb;
	int r;

	if (s->closing)
		return 0;
	if (s->ssl != NULL || s->reading)
		return -EALREADY;
	if (tls == NULL || tls->ctx == NULL || s->rbuf_len > INT32_MAX)
		return -EINVAL;
	ssl = SSL_new(tls->ctx);
	if (ssl == NULL)
		return -ENOMEM;
	rb = tls_bio_new();
	wb = tls_bio_new();
	if (rb == NULL || wb == NULL) {
		BIO_free(rb);
		BIO_free(wb);
		r = -ENOMEM;
		goto out_free_ssl;
	}
	SSL_set_bio(ssl, rb, wb);
	if (server) {
		SSL_set_verify(
		    ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
		    NULL);
		SSL_set_accept_state(ssl);
	} else {
		SSL_set_connect_state(ssl);
		if (sni != NULL && sni[0] != '\0') {
			r = proto_tls_client_name(ssl, sni);
			if (r < 0)
				goto out_free_ssl;
		}
	}
	ERR_clear_error();
	s->ssl = ssl;
	s->rbio = rb;
	s->wbio = wb;
	r = proto_stream_start(s);
	if (r < 0)
		return r; /* ssl is freed with the stream */
	/* The client speaks first: its ClientHello goes out now. */
	if (!server)
		tls_handshake(s);
	return 0;

out_free_ssl:
	SSL_free(ssl);
	ERR_clear_error();
	return r;
}

const char *proto_stream_peer_identity(const struct proto_stream *s)
{
	return s->handshaken ? s->peer_id : "";
}

const char *proto_stream_tls_version(const struct proto_stream *s)
{
	return s->ssl != NULL && s->handshaken ? SSL_get_version(s->ssl) : "";
}

int proto_stream_write(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	if (s->closing)
		return -EPIPE;
	if (s->queued + s->early_len + len > s->queued_max)
		return -ENOBUFS;
	if (len == 0)
		return 0;
	if (s->ssl != NULL)
		return s->handshaken ? tls_write(s, buf, len)
				     : tls_early(s, buf, len);
	return stream_send(s, buf, len);
}
