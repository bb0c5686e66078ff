/* The HTTP request of the collector's API: Debian's libhttp-parser fed
 * bounded bytes, and the router from method and path to a view.  Pure
 * functions over bytes, so tests feed them any chunking; http.c owns the
 * connections. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"

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

/* /api/clusters/{cluster}/capacity and /kafka: true when path has that
 * shape (the route, or 400 for a cluster name that is no host id's
 * shape). */
static bool route_cluster(const char *path, size_t plen, const char *suf,
			  enum coll_route_kind kind, struct coll_route *out)
{
	static const char pre[] = "/api/clusters/";
	size_t sl = strlen(suf);
	const char *name = path + sizeof pre - 1;
	size_t n = plen - (sizeof pre - 1) - sl;

	if (plen <= sizeof pre - 1 + sl ||
	    memcmp(path, pre, sizeof pre - 1) != 0 ||
	    memcmp(path + plen - sl, suf, sl) != 0 ||
	    memchr(name, '/', n) != NULL)
		return false;
	out->kind = kind;
	if (coll_http_pct_decode(name, n, out->cluster, sizeof out->cluster) <
		0 ||
	    !coll_host_id_valid(out->cluster)) {
		out->kind = COLL_ROUTE_NONE;
		out->status = 400;
		out->cluster[0] = '\0';
	}
	return true;
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
	/* HEAD is GET without the body (RFC 9110 9.3.2). */
	out->head = r->p.method == HTTP_HEAD;
	get = r->p.method == HTTP_GET || out->head;
	out->status = 200;
	if (plen == 1 && path[0] == '/')
		out->kind = COLL_ROUTE_INDEX;
	else if (plen == 10 && memcmp(path, "/api/fleet", 10) == 0)
		out->kind = COLL_ROUTE_FLEET;
	else if (plen == 8 && memcmp(path, "/metrics", 8) == 0)
		out->kind = COLL_ROUTE_METRICS;
	else if ((out->asset = coll_page_find(path, plen)) >= 0)
		out->kind = COLL_ROUTE_PAGE;
	else if (route_cluster(path, plen, "/capacity", COLL_ROUTE_CAPACITY,
			       out) ||
		 route_cluster(path, plen, "/kafka", COLL_ROUTE_KAFKA, out))
		goto out_method;
	else if (plen > sizeof host_prefix - 1 &&
		 memcmp(path, host_prefix, sizeof host_prefix - 1) == 0) {
		id = path + sizeof host_prefix - 1;
		idlen = plen - (sizeof host_prefix - 1);
		out->kind = COLL_ROUTE_HOST;
		if (idlen > 8 && memcmp(id + idlen - 8, "/history", 8) == 0) {
			idlen -= 8;
			out->kind = COLL_ROUTE_HISTORY;
		}
		if (memchr(id, '/', idlen) != NULL) {
			out->kind = COLL_ROUTE_NONE;
			out->status = 404;
			return;
		}
		if (out->kind == COLL_ROUTE_HOST && r->p.method == HTTP_DELETE)
			out->kind = COLL_ROUTE_FORGET;
		else if (!get)
			goto out_405;
		if (coll_http_pct_decode(id, idlen, out->host_id,
					 sizeof out->host_id) < 0 ||
		    !coll_host_id_valid(out->host_id)) {
			out->kind = COLL_ROUTE_NONE;
			out->status = 400;
			out->host_id[0] = '\0';
			return;
		}
		return;
	} else {
		out->status = 404;
		return;
	}
out_method:
	if (get || out->kind == COLL_ROUTE_NONE)
		return;
out_405:
	out->kind = COLL_ROUTE_NONE;
	out->status = 405;
}
