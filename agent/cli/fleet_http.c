/* kagent fleet's HTTP client (fleet_http.h): the request goes through
 * proto_stream like every other network byte, and the answer is parsed by
 * libhttp-parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_http.h"

static int on_body(http_parser *p, const char *at, size_t n)
{
	struct fleet_get *g = p->data;
	char *nb;

	if (n > FLEET_BODY_MAX - g->len) {
		snprintf(g->err, sizeof g->err, "answer above %u bytes",
			 FLEET_BODY_MAX);
		return -1;
	}
	if (g->len + n + 1 > g->cap) {
		g->cap = (g->len + n + 1) * 2;
		nb = realloc(g->body, g->cap);
		if (nb == NULL)
			return -1;
		g->body = nb;
	}
	memcpy(g->body + g->len, at, n);
	g->len += n;
	g->body[g->len] = '\0';
	return 0;
}

static int on_complete(http_parser *p)
{
	struct fleet_get *g = p->data;

	g->done = true;
	g->status = (int)p->status_code;
	return 0;
}

static const http_parser_settings resp_settings = {
    .on_body = on_body,
    .on_message_complete = on_complete,
};

static void get_read(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	struct fleet_get *g = s->data;
	size_t n;

	n = http_parser_execute(&g->p, &resp_settings, (const char *)buf, len);
	if (g->done) {
		proto_stream_close(s, "");
		return;
	}
	if (n != len || HTTP_PARSER_ERRNO(&g->p) != HPE_OK) {
		if (!g->err[0])
			snprintf(
			    g->err, sizeof g->err, "bad HTTP answer: %s",
			    http_errno_description(HTTP_PARSER_ERRNO(&g->p)));
		proto_stream_close(s, g->err);
	}
}

static void get_closed(struct proto_stream *s, const char *why)
{
	struct fleet_get *g = s->data;

	/* An answer without a length ends with the connection. */
	if (!g->done && why[0] && strstr(why, "peer closed")) {
		http_parser_execute(&g->p, &resp_settings, NULL, 0);
	}
	if (!g->done && !g->err[0])
		snprintf(g->err, sizeof g->err, "%s",
			 why[0] ? why : "no answer");
	uv_close((uv_handle_t *)&g->timer, NULL);
}

static void get_connected(uv_connect_t *req, int status)
{
	struct fleet_get *g = req->data;
	char head[1024];
	int n;

	if (status < 0) {
		snprintf(g->err, sizeof g->err, "connect: %s",
			 uv_strerror(status));
		proto_stream_close(&g->st, g->err);
		return;
	}
	n = snprintf(head, sizeof head,
		     "%s %s HTTP/1.1\r\nHost: %s\r\nAccept: "
		     "application/json\r\nConnection: close\r\n\r\n",
		     g->method, g->path, g->host);
	/* Over TLS the request waits in the stream for the handshake. */
	if ((g->tls ? proto_stream_tls_start(&g->st, g->tls, false, g->host)
		    : proto_stream_start(&g->st)) < 0 ||
	    proto_stream_write(&g->st, (const uint8_t *)head, (size_t)n) < 0)
		proto_stream_close(&g->st, "cannot send the request");
}

static void get_timeout(uv_timer_t *t)
{
	struct fleet_get *g = t->data;

	snprintf(g->err, sizeof g->err, "no answer within %d s",
		 FLEET_TIMEOUT_MS / 1000);
	proto_stream_close(&g->st, g->err);
}

/* "http[s]://HOST:PORT[/]" → address; IPv6 as http://[::1]:8080. */
static int url_parse(const char *url, struct fleet_get *g,
		     struct sockaddr_storage *ss)
{
	struct http_parser_url u;
	const char *scheme;
	size_t hl, sl;
	int port;

	http_parser_url_init(&u);
	if (http_parser_parse_url(url, strlen(url), 0, &u) != 0 ||
	    !(u.field_set & (1 << UF_SCHEMA)) ||
	    !(u.field_set & (1 << UF_HOST)))
		return -EINVAL;
	scheme = url + u.field_data[UF_SCHEMA].off;
	sl = u.field_data[UF_SCHEMA].len;
	if (sl == 5 && strncmp(scheme, "https", 5) == 0)
		g->https = true;
	else if (sl != 4 || strncmp(scheme, "http", 4) != 0)
		return -EINVAL;
	port = u.port ? u.port : g->https ? 443 : 80;
	hl = u.field_data[UF_HOST].len;
	if (hl >= sizeof g->host)
		return -EINVAL;
	memcpy(g->host, url + u.field_data[UF_HOST].off, hl);
	g->host[hl] = '\0';
	if (uv_ip4_addr(g->host, port, (struct sockaddr_in *)ss) == 0 ||
	    uv_ip6_addr(g->host, port, (struct sockaddr_in6 *)ss) == 0)
		return 0;
	return -EINVAL;
}

int fleet_fetch(const char *url, const struct proto_tls_config *tc,
		struct fleet_get *g)
{
	struct sockaddr_storage ss;
	struct proto_tls tls;
	uv_loop_t loop;
	int r;

	memset(&tls, 0, sizeof tls);
	if (url_parse(url, g, &ss) < 0) {
		snprintf(g->err, sizeof g->err,
			 "not an http[s]://ADDRESS:PORT URL (a numeric "
			 "address)");
		return -EINVAL;
	}
	if (g->https) {
		if (!tc->ca || !tc->cert || !tc->key) {
			snprintf(g->err, sizeof g->err,
				 "https needs --tls-ca, --tls-cert and "
				 "--tls-key");
			return -EINVAL;
		}
		if (proto_tls_init(&tls, tc, g->err, sizeof g->err) < 0)
			return -EINVAL;
		g->tls = &tls;
	}
	http_parser_init(&g->p, HTTP_RESPONSE);
	g->p.data = g;
	uv_loop_init(&loop);
	r = proto_stream_init(&loop, &g->st, g, g->rbuf, sizeof g->rbuf,
			      64 * 1024, get_read, get_closed);
	if (r == 0) {
		uv_timer_init(&loop, &g->timer);
		g->timer.data = g;
		uv_timer_start(&g->timer, get_timeout, FLEET_TIMEOUT_MS, 0);
		g->conn.data = g;
		r = uv_tcp_connect(&g->conn, &g->st.tcp, (struct sockaddr *)&ss,
				   get_connected);
		if (r < 0) {
			snprintf(g->err, sizeof g->err, "connect: %s",
				 uv_strerror(r));
			proto_stream_close(&g->st, g->err);
		}
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	uv_loop_close(&loop);
	proto_tls_free(&tls);
	return g->done ? 0 : -EIO;
}
