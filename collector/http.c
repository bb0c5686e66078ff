/* The collector's HTTP/1.1 API over proto_stream, parsed by Debian's
 * libhttp-parser.  One request per connection ("Connection: close"): the
 * clients are `kagent fleet`, curl and Prometheus, which all reconnect
 * cheaply, and the server stays free of keep-alive state.
 *
 * The request parser and the router are pure (http_request.c, tests feed
 * them bytes); the answers are built by api.c and metrics.c from the
 * store.  The listener (listener.c) caps and times out the connections
 * that have not asked yet.  This file holds the connections (accept,
 * sniff, reap); a whole request is judged and answered in
 * http_answer.c.
 *
 * With TLS one port serves both HTTPS and plain HTTP: the first byte of a
 * connection tells a TLS handshake record (0x16) from a request line.
 * An HTTPS client is known by its certificate's identity, a plaintext one
 * only by coming from loopback; the ACL decides, and whoever it does not
 * name gets 403 whatever the path. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector.h"
#include "core_log.h"
#include "http_int.h"

/* A client that has not asked within http_timeout is closed by the
 * listener; one whose answer has not left by then, here. */
#define COLL_HTTP_REAP_MS 50
/* How often a connection whose first byte is still to come is looked at
 * again: clients write at once, so the wait is short. */
#define COLL_HTTP_SNIFF_MS 2
/* The first byte of a TLS handshake record. */
#define TLS_RECORD_HANDSHAKE 0x16
/* The largest answer is /metrics of a large fleet. */
#define COLL_HTTP_WQ_MAX (256u * 1024 * 1024)

static void http_handshake(struct proto_stream *s, const char *identity)
{
	struct coll_http_conn *h = s->data;

	snprintf(h->identity, sizeof h->identity, "%s", identity);
}

static void http_closed(struct proto_stream *s, const char *why)
{
	struct coll_http_conn *h = s->data;

	if (!h->started)
		h->c->http_sniffing--;
	else if (h->tls && !s->handshaken && strncmp(why, "tls:", 4) == 0)
		core_log(LOG_NOTICE, "http peer %s: %s", h->peer, why);
	TAILQ_REMOVE(&h->c->http_q, h, link);
	coll_pending_done(&h->c->http, &h->pend);
	free(h);
}

/* 127.0.0.1 and ::1, also as an IPv4-mapped address. */
static void http_peer(struct coll_http_conn *h)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
					   0, 0, 0, 0, 0xff, 0xff};
	struct sockaddr_storage ss;
	int sl = sizeof ss;
	char ip[INET6_ADDRSTRLEN] = "?";

	snprintf(h->peer, sizeof h->peer, "?");
	if (uv_tcp_getpeername(&h->st.tcp, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		h->loopback = a->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
		uv_ip4_name(a, ip, sizeof ip);
		snprintf(h->peer, sizeof h->peer, "%s:%d", ip,
			 ntohs(a->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		const uint8_t *b = a->sin6_addr.s6_addr;

		h->loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
			      (memcmp(b, mapped, 12) == 0 && b[12] == 127 &&
			       b[13] == 0 && b[14] == 0 && b[15] == 1);
		uv_ip6_name(a, ip, sizeof ip);
		snprintf(h->peer, sizeof h->peer, "[%s]:%d", ip,
			 ntohs(a->sin6_port));
	}
}

/* Peeks at the first byte: 1 once the connection reads (plain or TLS),
 * 0 while nothing has arrived, -1 when it is closing. */
static int http_sniff_one(struct coll_http_conn *h)
{
	uv_os_fd_t fd;
	uint8_t b;
	ssize_t n;
	int r;

	if (uv_fileno((uv_handle_t *)&h->st.tcp, &fd) < 0) {
		proto_stream_close(&h->st, "no socket");
		return -1;
	}
	n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	h->started = true;
	h->c->http_sniffing--;
	if (n <= 0) {
		proto_stream_close(&h->st, n == 0 ? "peer closed the connection"
						  : "read failed");
		return -1;
	}
	h->tls = b == TLS_RECORD_HANDSHAKE;
	if (h->tls)
		r = proto_stream_tls_start(&h->st, &h->c->tls, true, NULL);
	else
		r = proto_stream_start(&h->st);
	if (r < 0) {
		proto_stream_close(&h->st, "cannot read");
		return -1;
	}
	return 1;
}

static void on_sniff(uv_timer_t *t)
{
	struct collector *c = t->data;
	struct coll_http_conn *h, *next;

	for (h = TAILQ_FIRST(&c->http_q); h != NULL; h = next) {
		next = TAILQ_NEXT(h, link);
		if (!h->started && !h->st.closing)
			http_sniff_one(h);
	}
	if (c->http_sniffing == 0)
		uv_timer_stop(t);
}

static void on_http(struct coll_listener *l, int fd, const uint8_t addr[16])
{
	struct collector *c = l->data;
	struct coll_http_conn *h;

	h = calloc(1, sizeof *h);
	if (h == NULL) {
		close(fd);
		return;
	}
	h->c = c;
	h->started_ms = coll_now_ms();
	coll_http_req_init(&h->req);
	if (proto_stream_init(c->loop, &h->st, h, c->rbuf, c->rbuf_len,
			      COLL_HTTP_WQ_MAX, coll_http_read,
			      http_closed) < 0) {
		close(fd);
		free(h);
		return;
	}
	TAILQ_INSERT_TAIL(&c->http_q, h, link);
	coll_pending_add(l, &h->pend, addr);
	h->st.on_handshake = http_handshake;
	c->http_sniffing++;
	if (uv_tcp_open(&h->st.tcp, fd) < 0) {
		close(fd);
		proto_stream_close(&h->st, "accept failed");
		return;
	}
	http_peer(h);
	if (c->cfg.insecure) {
		h->started = true;
		c->http_sniffing--;
		if (proto_stream_start(&h->st) < 0)
			proto_stream_close(&h->st, "cannot read");
		return;
	}
	if (http_sniff_one(h) == 0 &&
	    !uv_is_active((uv_handle_t *)&c->http_sniff))
		uv_timer_start(&c->http_sniff, on_sniff, COLL_HTTP_SNIFF_MS,
			       COLL_HTTP_SNIFF_MS);
}

/* No whole request within http_timeout (slowloris): the listener counts
 * and logs. */
static void on_http_expire(struct coll_listener *l, struct coll_pending *p)
{
	struct coll_http_conn *h =
	    (struct coll_http_conn *)((char *)p -
				      offsetof(struct coll_http_conn, pend));

	(void)l;
	proto_stream_close(&h->st, "");
}

/* Closes connections whose answer has left, and those too slow. */
static void on_reap(uv_timer_t *t)
{
	struct collector *c = t->data;
	struct coll_http_conn *h, *next;
	int64_t now = coll_now_ms();

	for (h = TAILQ_FIRST(&c->http_q); h != NULL; h = next) {
		next = TAILQ_NEXT(h, link);
		if (h->st.closing)
			continue;
		if (h->answered &&
		    (h->st.queued == 0 ||
		     now - h->started_ms > (int64_t)c->cfg.http_timeout_ms))
			proto_stream_close(&h->st, "");
	}
}

int coll_http_start(struct collector *c, const struct sockaddr *addr)
{
	struct coll_listener *l = &c->http;
	int r;

	l->data = c;
	l->name = "http";
	l->on_accept = on_http;
	l->on_expire = on_http_expire;
	l->max_pending = c->cfg.max_pending;
	l->max_pending_addr = c->cfg.max_pending_per_address;
	l->timeout_ms = c->cfg.http_timeout_ms;
	c->ctr.port[COLL_PORT_HTTP] = &l->ctr;
	r = coll_listener_start(l, c->loop, addr, 128);
	if (r < 0)
		return r;
	uv_timer_init(c->loop, &c->http_reap);
	c->http_reap.data = c;
	uv_timer_start(&c->http_reap, on_reap, COLL_HTTP_REAP_MS,
		       COLL_HTTP_REAP_MS);
	uv_timer_init(c->loop, &c->http_sniff);
	c->http_sniff.data = c;
	return 0;
}
