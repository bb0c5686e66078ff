/* The collector's HTTP/1.1 API over proto_stream, parsed by Debian's
 * libhttp-parser.  One request per connection ("Connection: close"): the
 * clients are `kagent fleet`, curl and Prometheus, which all reconnect
 * cheaply, and the server stays free of keep-alive state.
 *
 * The request parser and the router are pure (tests feed them bytes); the
 * answers are built by api.c and metrics.c from the store. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"

/* A slow or silent client is closed after this. */
#define COLL_HTTP_TIMEOUT_MS 10000
#define COLL_HTTP_REAP_MS    50
/* The largest answer is /metrics of a large fleet. */
#define COLL_HTTP_WQ_MAX (256u * 1024 * 1024)

struct coll_http_conn {
	struct proto_stream st;
	struct coll_http_req req;
	struct collector *c;
	TAILQ_ENTRY(coll_http_conn) link;
	int64_t started_ms;
	bool answered;
};

/* ---- the request ---- */

static int req_on_url(http_parser *p, const char *at, size_t len)
{
	struct coll_http_req *r = p->data;

	if (len >= sizeof r->url - r->url_len) {
		r->status = 414;
		return -1;
	}
	memcpy(r->url + r->url_len, at, len);
	r->url_len += len;
	r->url[r->url_len] = '\0';
	return 0;
}

static int req_on_headers(http_parser *p)
{
	struct coll_http_req *r = p->data;

	/* The API takes no request bodies. */
	if ((p->flags & F_CHUNKED) ||
	    (p->content_length > 0 && p->content_length != ULLONG_MAX)) {
		r->status = 413;
		return -1;
	}
	return 0;
}

static int req_on_complete(http_parser *p)
{
	struct coll_http_req *r = p->data;

	r->done = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings req_settings = {
    .on_url = req_on_url,
    .on_headers_complete = req_on_headers,
    .on_message_complete = req_on_complete,
};

void coll_http_req_init(struct coll_http_req *r)
{
	memset(r, 0, sizeof *r);
	http_parser_init(&r->p, HTTP_REQUEST);
	r->p.data = r;
}

int coll_http_req_feed(struct coll_http_req *r, const uint8_t *buf, size_t len)
{
	if (r->done || r->status)
		return 1;
	if (len > COLL_HTTP_REQ_MAX - r->total) {
		/* Parse what fits: a complete request within the bound is
		 * answered even when more bytes follow it. */
		len = COLL_HTTP_REQ_MAX - r->total;
		r->total = COLL_HTTP_REQ_MAX;
		http_parser_execute(&r->p, &req_settings, (const char *)buf,
				    len);
		if (!r->done && !r->status)
			r->status = 431;
		return 1;
	}
	r->total += len;
	http_parser_execute(&r->p, &req_settings, (const char *)buf, len);
	if (r->done || r->status)
		return 1;
	if (HTTP_PARSER_ERRNO(&r->p) != HPE_OK) {
		r->status = 400;
		return 1;
	}
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int coll_http_pct_decode(const char *in, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char ch = in[i];

		if (ch == '%') {
			if (i + 2 >= n)
				return -EINVAL;
			hi = hexval(in[i + 1]);
			lo = hexval(in[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EINVAL;
			ch = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= cap)
			return -EINVAL;
		out[o++] = ch;
	}
	if (cap == 0)
		return -EINVAL;
	out[o] = '\0';
	return 0;
}

void coll_http_route(const struct coll_http_req *r, struct coll_route *out)
{
	static const char host_prefix[] = "/api/hosts/";
	struct http_parser_url u;
	const char *path, *id;
	size_t plen, idlen;
	bool get;

	memset(out, 0, sizeof *out);
	out->kind = COLL_ROUTE_NONE;
	if (r->status) {
		out->status = r->status;
		return;
	}
	http_parser_url_init(&u);
	if (http_parser_parse_url(r->url, r->url_len, 0, &u) != 0 ||
	    !(u.field_set & (1 << UF_PATH))) {
		out->status = 400;
		return;
	}
	path = r->url + u.field_data[UF_PATH].off;
	plen = u.field_data[UF_PATH].len;
	get = r->p.method == HTTP_GET;
	out->status = 200;
	if (plen == 10 && memcmp(path, "/api/fleet", 10) == 0)
		out->kind = COLL_ROUTE_FLEET;
	else if (plen == 8 && memcmp(path, "/metrics", 8) == 0)
		out->kind = COLL_ROUTE_METRICS;
	else if (plen > sizeof host_prefix - 1 &&
		 memcmp(path, host_prefix, sizeof host_prefix - 1) == 0 &&
		 memchr(path + sizeof host_prefix - 1, '/',
			plen - (sizeof host_prefix - 1)) == NULL) {
		id = path + sizeof host_prefix - 1;
		idlen = plen - (sizeof host_prefix - 1);
		if (!get)
			goto out_405;
		if (coll_http_pct_decode(id, idlen, out->host_id,
					 sizeof out->host_id) < 0 ||
		    !coll_host_id_valid(out->host_id)) {
			out->status = 400;
			out->host_id[0] = '\0';
			return;
		}
		out->kind = COLL_ROUTE_HOST;
		return;
	} else {
		out->status = 404;
		return;
	}
	if (get)
		return;
out_405:
	out->kind = COLL_ROUTE_NONE;
	out->status = 405;
}

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
	case 431:
		return "Request Header Fields Too Large";
	default:
		return "Internal Server Error";
	}
}

static void http_answer(struct coll_http_conn *h, int status, const char *type,
			const char *body, size_t len)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof head,
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
		     status, status_text(status), type, len,
		     status == 405 ? "Allow: GET\r\n" : "");
	h->answered = true;
	if (proto_stream_write(&h->st, (const uint8_t *)head, (size_t)n) < 0 ||
	    (len && proto_stream_write(&h->st, (const uint8_t *)body, len) < 0))
		proto_stream_close(&h->st, "cannot queue the answer");
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

static void http_serve(struct coll_http_conn *h, const struct coll_route *rt)
{
	struct collector *c = h->c;
	struct host_answer ha = {c, NULL};
	struct coll_fleet f;
	char *text;
	size_t len;
	int rc;

	c->ctr.http_requests++;
	switch (rt->kind) {
	case COLL_ROUTE_FLEET:
		if (coll_fleet_load(c->store, coll_now_ms(), &f) < 0) {
			http_error(h, 500, "cannot read the store");
			return;
		}
		http_answer_json(h, 200, coll_api_fleet(&f));
		coll_fleet_free(&f);
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
	case COLL_ROUTE_METRICS:
		if (coll_metrics_render(c->store, &c->ctr, coll_now_ms(), &text,
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

	if (h->answered)
		return;
	if (coll_http_req_feed(&h->req, buf, len) == 0)
		return;
	coll_http_route(&h->req, &rt);
	http_serve(h, &rt);
}

static void http_closed(struct proto_stream *s, const char *why)
{
	struct coll_http_conn *h = s->data;

	(void)why;
	TAILQ_REMOVE(&h->c->http_q, h, link);
	free(h);
}

static void on_http(uv_stream_t *srv, int status)
{
	struct collector *c = srv->data;
	struct coll_http_conn *h;

	if (status < 0)
		return;
	h = calloc(1, sizeof *h);
	if (h == NULL)
		return;
	h->c = c;
	h->started_ms = coll_now_ms();
	coll_http_req_init(&h->req);
	if (proto_stream_init(c->loop, &h->st, h, c->rbuf, c->rbuf_len,
			      COLL_HTTP_WQ_MAX, http_read, http_closed) < 0) {
		free(h);
		return;
	}
	TAILQ_INSERT_TAIL(&c->http_q, h, link);
	if (uv_accept(srv, (uv_stream_t *)&h->st.tcp) < 0 ||
	    proto_stream_start(&h->st) < 0)
		proto_stream_close(&h->st, "accept failed");
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
		if ((h->answered && h->st.queued == 0) ||
		    now - h->started_ms > COLL_HTTP_TIMEOUT_MS)
			proto_stream_close(&h->st, "");
	}
}

int coll_http_start(struct collector *c, const struct sockaddr *addr)
{
	int r;

	TAILQ_INIT(&c->http_q);
	r = uv_tcp_init(c->loop, &c->http);
	if (r < 0)
		return r;
	c->http.data = c;
	r = uv_tcp_bind(&c->http, addr, 0);
	if (r == 0)
		r = uv_listen((uv_stream_t *)&c->http, 128, on_http);
	if (r < 0)
		return r;
	uv_timer_init(c->loop, &c->http_reap);
	c->http_reap.data = c;
	uv_timer_start(&c->http_reap, on_reap, COLL_HTTP_REAP_MS,
		       COLL_HTTP_REAP_MS);
	return 0;
}
