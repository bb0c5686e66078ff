/* Plain TCP under proto_stream.  Writes are copied into one allocation
 * with their uv_write_t, so the caller's buffer may be reused at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

struct stream_write {
	uv_write_t req;
	struct proto_stream *s;
	size_t len;
	uint8_t data[];
};

static void on_closed(uv_handle_t *h)
{
	struct proto_stream *s = h->data;

	if (s->on_close)
		s->on_close(s, s->why);
}

void proto_stream_close(struct proto_stream *s, const char *why)
{
	if (s->closing)
		return;
	s->closing = true;
	snprintf(s->why, sizeof s->why, "%s", why ? why : "");
	uv_close((uv_handle_t *)&s->tcp, on_closed);
}

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
		s->on_read(s, (const uint8_t *)buf->base, (size_t)n);
		return;
	}
	if (n == 0)
		return;
	if (n == UV_EOF)
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

int proto_stream_write(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	struct stream_write *w;
	uv_buf_t b;
	int r;

	if (s->closing)
		return -EPIPE;
	if (s->queued + len > s->queued_max)
		return -ENOBUFS;
	w = malloc(sizeof *w + len);
	if (w == NULL)
		return -ENOMEM;
	w->s = s;
	w->len = len;
	memcpy(w->data, buf, len);
	b = uv_buf_init((char *)w->data, (unsigned)len);
	r = uv_write(&w->req, (uv_stream_t *)&s->tcp, &b, 1, on_written);
	if (r < 0) {
		free(w);
		return r;
	}
	s->queued += len;
	return 0;
}
