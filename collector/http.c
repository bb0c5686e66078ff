/* The collector's HTTP/1.1 API over proto_stream, parsed by Debian's
 * libhttp-parser.  One request per connection ("Connection: close"): the
 * clients are `kagent fleet`, curl and Prometheus, which all reconnect
 * cheaply, and the server stays free of keep-alive state.
 *
 * The request parser and the router are pure (http_request.c, tests feed
 * them bytes); the answers are built by api.c and metrics.c from the
 * store.  The listener (listener.c) caps and times out the connections
 * that have not asked yet.
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

#include "capacity.h"
#include "collector.h"
#include "fleet_cache.h"
#include "core_log.h"

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

struct coll_http_conn {
	struct proto_stream st;
	struct coll_http_req req;
	bool head; /* HEAD: the answer's headers only */
	struct coll_pending pend; /* until its request is whole */
	struct collector *c;
	TAILQ_ENTRY(coll_http_conn) link;
	int64_t started_ms;
	bool answered;
	bool started;  /* reading, plain or TLS */
	bool loopback; /* peer is 127.0.0.1 or ::1 */
	bool tls;      /* its first byte began a TLS handshake */
	char peer[56];
	char identity[PROTO_TLS_ID_MAX]; /* the certificate's, "" plain */
};

/* ---- the answer ---- */

static const char *status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Payload Too Large";
	case 414:
		return "URI Too Long";
	case 403:
		return "Forbidden";
	case 431:
		return "Request Header Fields Too Large";
	default:
		return "Internal Server Error";
	}
}

/* Every answer is of the store as it is now: nothing is to be cached.
 * extra is more header lines (the fleet page's policy), or "". */
static void http_answer_with(struct coll_http_conn *h, int status,
			     const char *type, const char *extra,
			     const char *body, size_t len)
{
	char head[640];
	int n;

	n = snprintf(head, sizeof head,
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n"
		     "Cache-Control: no-store\r\n"
		     "X-Content-Type-Options: nosniff\r\n%s%s\r\n",
		     status, status_text(status), type, len, extra,
		     status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof head) {
		proto_stream_close(&h->st, "answer head too long");
		return;
	}
	h->answered = true;
	if (h->head)
		len = 0;
	if (proto_stream_write(&h->st, (const uint8_t *)head, (size_t)n) < 0 ||
	    (len && proto_stream_write(&h->st, (const uint8_t *)body, len) < 0))
		proto_stream_close(&h->st, "cannot queue the answer");
}

static void http_answer(struct coll_http_conn *h, int status, const char *type,
			const char *body, size_t len)
{
	http_answer_with(h, status, type, "", body, len);
}

static void http_answer_json(struct coll_http_conn *h, int status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	if (s == NULL)
		http_answer(h, 500, "text/plain", "out of memory\n", 14);
	else
		http_answer(h, status, "application/json", s, strlen(s));
	free(s);
	json_decref(j);
}

static void http_error(struct coll_http_conn *h, int status, const char *msg)
{
	http_answer_json(h, status, json_pack("{s:s}", "error", msg));
}

struct host_answer {
	struct collector *c;
	json_t *j;
};

static int host_found(void *arg, const struct coll_store_row *row)
{
	struct host_answer *a = arg;
	kagent_v1_Report *r = &a->c->env->msg.report;

	if (coll_report_decode(row->report, row->len, r, &a->c->lists, NULL) <
	    0)
		return -EBADMSG;
	a->j = coll_api_host(row, r, &a->c->lists, coll_now_ms());
	return a->j ? 0 : -ENOMEM;
}

static int host_exists(void *arg, const struct coll_store_row *row)
{
	(void)arg;
	(void)row;
	return 0;
}

static void http_history(struct coll_http_conn *h, const char *host_id)
{
	struct coll_store *s = h->c->store;
	json_t *j;
	int rc;

	rc = coll_store_get_host(s, host_id, host_exists, NULL);
	if (rc == -ENOENT) {
		http_error(h, 404, "no such host");
		return;
	}
	j = rc < 0 ? NULL : coll_api_history(s, host_id, COLL_HISTORY_MAX, &rc);
	if (j == NULL && rc < 0)
		http_error(h, 500, "cannot read the check history");
	else
		http_answer_json(h, 200, j);
}

/* DELETE /api/hosts/{id} from an `admin` certificate.  The turn's reports
 * are committed and acknowledged first (coll_flush), so the forget's own
 * commit never carries them. */
static void http_forget(struct coll_http_conn *h, const char *host_id)
{
	int rc;

	coll_flush(h->c);
	rc = coll_store_forget(h->c->store, host_id);
	core_log(rc == 0 ? LOG_NOTICE : LOG_WARNING,
		 "http peer %s identity %s: forget host %s: %s", h->peer,
		 h->identity, host_id,
		 rc == 0	 ? "forgotten"
		 : rc == -ENOENT ? "no such host"
				 : "store failed");
	if (rc == -ENOENT)
		http_error(h, 404, "no such host");
	else if (rc < 0)
		http_error(h, 500, "cannot forget the host");
	else
		http_answer_json(h, 200,
				 json_pack("{s:s}", "forgotten", host_id));
}

static void http_serve(struct coll_http_conn *h, const struct coll_route *rt)
{
	const uint8_t *file;
	const char *type;
	struct collector *c = h->c;
	struct host_answer ha = {c, NULL};
	char *text;
	size_t len;
	int rc;

	c->ctr.http_requests++;
	h->head = rt->head;
	switch (rt->kind) {
	case COLL_ROUTE_INDEX:
		http_answer(h, 200, "text/html; charset=utf-8", coll_index_html,
			    strlen(coll_index_html));
		return;
	case COLL_ROUTE_FLEET:
		if (coll_store_fleet_cache(c->store) != NULL)
			coll_fcache_thresholds(coll_store_fleet_cache(c->store),
					       &c->cfg.fleet);
		ha.j = coll_api_fleet_cached(c->store, coll_now_ms());
		if (ha.j == NULL) {
			http_error(h, 500, "cannot read the store");
			return;
		}
		http_answer_json(h, 200, ha.j);
		return;
	case COLL_ROUTE_HOST:
		rc =
		    coll_store_get_host(c->store, rt->host_id, host_found, &ha);
		if (rc == -ENOENT)
			http_error(h, 404, "no such host");
		else if (rc < 0)
			http_error(h, 500, "cannot read the stored report");
		else
			http_answer_json(h, 200, ha.j);
		return;
	case COLL_ROUTE_HISTORY:
		http_history(h, rt->host_id);
		return;
	case COLL_ROUTE_FORGET:
		http_forget(h, rt->host_id);
		return;
	case COLL_ROUTE_CAPACITY:
		ha.j = coll_api_capacity(c->store, rt->cluster, &rc);
		http_answer_json(h, rc, ha.j);
		return;
	case COLL_ROUTE_KAFKA:
		ha.j = coll_api_kafka(c->store, rt->cluster, &rc);
		http_answer_json(h, rc, ha.j);
		return;
	case COLL_ROUTE_PAGE:
		coll_page_get(rt->asset, &type, &file, &len);
		http_answer_with(h, 200, type, coll_page_headers,
				 (const char *)file, len);
		return;
	case COLL_ROUTE_METRICS:
		if (coll_metrics_render(c->store, &c->ctr, &c->cfg.fleet,
					coll_now_ms(), &text,
					&len) < 0) {
			http_error(h, 500, "cannot render metrics");
			return;
		}
		http_answer(h, 200, "text/plain; version=0.0.4; charset=utf-8",
			    text, len);
		free(text);
		return;
	default:
		http_error(h, rt->status, status_text(rt->status));
	}
}

static void http_read(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	struct coll_http_conn *h = s->data;
	struct coll_route rt;
	const char *id = h->tls ? h->identity : NULL;

	if (h->answered)
		return;
	if (coll_http_req_feed(&h->req, buf, len) == 0)
		return;
	coll_pending_done(&h->c->http, &h->pend);
	coll_http_route(&h->req, &rt);
	h->head = h->req.p.method == HTTP_HEAD;
	/* Forgetting asks for an `admin` rule, everything else for `read`;
	 * either refusal comes before the path is looked at. */
	if (rt.kind == COLL_ROUTE_FORGET
		? !coll_may_admin(h->c, id)
		: !coll_may_read(h->c, id, h->loopback)) {
		h->c->ctr.http_requests++;
		h->c->ctr.http_forbidden++;
		core_log(LOG_WARNING,
			 "http peer %s identity %s: 403: "
			 "no %s rule of the ACL matches",
			 h->peer, id ? id : "(plaintext)",
			 rt.kind == COLL_ROUTE_FORGET ? "admin" : "read");
		http_error(h, 403, "forbidden");
		return;
	}
	http_serve(h, &rt);
}

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
			      COLL_HTTP_WQ_MAX, http_read, http_closed) < 0) {
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
