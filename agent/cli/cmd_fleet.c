/* kagent fleet: the collector's fleet view (GET /api/fleet), as a table
 * or as the JSON the collector serves.  The request goes through
 * proto_stream like every other network byte, and the answer is parsed by
 * libhttp-parser.  Default collector: http://127.0.0.1:8080, where
 * kcollectord serves HTTP unless told otherwise (plaintext from loopback,
 * when its ACL has `read loopback`).  An https:// collector is asked over
 * TLS with the reader's certificate (--tls-ca, --tls-cert, --tls-key),
 * whose identity the collector's ACL must let read. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "agent.h"
#include "core_opt.h"
#include "stream.h"
#include "text_esc.h"
#include "tls.h"

#define FLEET_DEFAULT_URL      "http://127.0.0.1:8080"
#define FLEET_BODY_MAX	       (64u * 1024 * 1024)
#define FLEET_TIMEOUT_MS       10000
#define FLEET_EXIT_UNREACHABLE 2
/* A name may resolve to several addresses (::1 and 127.0.0.1 for
 * localhost); each is tried in turn, as curl does, until one connects. */
#define FLEET_ADDRS_MAX 8

struct fleet_get {
	struct proto_stream st;
	uv_connect_t conn;
	uv_timer_t timer;
	http_parser p;
	char host[256];
	char path[512];
	uint8_t rbuf[65536];
	char *body;
	size_t len;
	size_t cap;
	int status;
	bool done;
	bool connected;
	char err[512];
	bool https;
	struct proto_tls *tls; /* NULL for http:// */
};

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
	g->connected = true;
	n = snprintf(head, sizeof head,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: "
		     "application/json\r\nConnection: close\r\n\r\n",
		     g->path, g->host);
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

/* HOST as an address, or a name resolved with getaddrinfo into up to
 * FLEET_ADDRS_MAX addresses; the count, or -errno with g->err naming HOST. */
static int host_resolve(struct fleet_get *g, int port,
			struct sockaddr_storage *ss, int max)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char service[8];
	int r, n = 0;

	if (uv_ip4_addr(g->host, port, (struct sockaddr_in *)ss) == 0 ||
	    uv_ip6_addr(g->host, port, (struct sockaddr_in6 *)ss) == 0)
		return 1;
	snprintf(service, sizeof service, "%d", port);
	hints.ai_flags = AI_ADDRCONFIG;
	r = getaddrinfo(g->host, service, &hints, &res);
	if (r != 0) {
		snprintf(g->err, sizeof g->err, "cannot resolve '%s': %s",
			 g->host,
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai && n < max; ai = ai->ai_next)
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    ai->ai_addrlen <= sizeof *ss)
			memcpy(&ss[n++], ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	if (n == 0) {
		snprintf(g->err, sizeof g->err,
			 "cannot resolve '%s': no IPv4 or IPv6 address",
			 g->host);
		return -EHOSTUNREACH;
	}
	return n;
}

/* "http[s]://HOST:PORT[/]" → addresses; HOST a name or an address, IPv6
 * in brackets (http://[::1]:8080).  The count, or -errno with g->err set. */
static int url_parse(const char *url, struct fleet_get *g,
		     struct sockaddr_storage *ss, int max)
{
	struct http_parser_url u;
	const char *scheme;
	size_t hl, sl;
	int port;

	http_parser_url_init(&u);
	if (http_parser_parse_url(url, strlen(url), 0, &u) != 0 ||
	    !(u.field_set & (1 << UF_SCHEMA)) ||
	    !(u.field_set & (1 << UF_HOST)))
		goto bad;
	scheme = url + u.field_data[UF_SCHEMA].off;
	sl = u.field_data[UF_SCHEMA].len;
	if (sl == 5 && strncmp(scheme, "https", 5) == 0)
		g->https = true;
	else if (sl != 4 || strncmp(scheme, "http", 4) != 0)
		goto bad;
	port = u.port ? u.port : g->https ? 443 : 80;
	hl = u.field_data[UF_HOST].len;
	if (hl == 0 || hl >= sizeof g->host)
		goto bad;
	memcpy(g->host, url + u.field_data[UF_HOST].off, hl);
	g->host[hl] = '\0';
	snprintf(g->path, sizeof g->path, "/api/fleet");
	return host_resolve(g, port, ss, max);
bad:
	snprintf(g->err, sizeof g->err,
		 "not an http[s]://HOST:PORT URL (HOST a name or an address)");
	return -EINVAL;
}

/* One connection to one address: 0 once an answer was read, -EIO. */
static int fetch_one(struct fleet_get *g, const struct sockaddr_storage *ss)
{
	uv_loop_t loop;
	int r;

	http_parser_init(&g->p, HTTP_RESPONSE);
	g->p.data = g;
	g->err[0] = '\0';
	g->connected = false;
	uv_loop_init(&loop);
	r = proto_stream_init(&loop, &g->st, g, g->rbuf, sizeof g->rbuf,
			      64 * 1024, get_read, get_closed);
	if (r == 0) {
		uv_timer_init(&loop, &g->timer);
		g->timer.data = g;
		uv_timer_start(&g->timer, get_timeout, FLEET_TIMEOUT_MS, 0);
		g->conn.data = g;
		r = uv_tcp_connect(&g->conn, &g->st.tcp,
				   (const struct sockaddr *)ss, get_connected);
		if (r < 0) {
			snprintf(g->err, sizeof g->err, "connect: %s",
				 uv_strerror(r));
			proto_stream_close(&g->st, g->err);
		}
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	uv_loop_close(&loop);
	return g->done ? 0 : -EIO;
}

static int fleet_fetch(const char *url, const struct proto_tls_config *tc,
		       struct fleet_get *g)
{
	struct sockaddr_storage ss[FLEET_ADDRS_MAX];
	struct proto_tls tls;
	int i, n, r = -EIO;

	memset(&tls, 0, sizeof tls);
	n = url_parse(url, g, ss, FLEET_ADDRS_MAX);
	if (n < 0)
		return n;
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
	/* The next address only when this one did not connect: once a
	 * collector answered, its answer (or its failure) is the result. */
	for (i = 0; i < n; i++) {
		r = fetch_one(g, &ss[i]);
		if (r == 0 || g->connected)
			break;
	}
	proto_tls_free(&tls);
	return r;
}

/* A string member escaped for the terminal: every one of them comes from
 * an agent's report (host ids, racks, check messages). */
static const char *jstr(struct text_esc *e, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return text_esc(e, s && s[0] ? s : "-");
}

/* "leader 3.8.0", "not running", or "-" when the host has no ZooKeeper
 * role or its report does not know. */
static void fleet_zk_text(json_t *z, char *buf, size_t len)
{
	const char *mode = json_string_value(json_object_get(z, "mode"));
	const char *ver = json_string_value(json_object_get(z, "version"));

	if (mode && mode[0])
		snprintf(buf, len, "%s%s%s", mode, ver && ver[0] ? " " : "",
			 ver && ver[0] ? ver : "");
	else if (json_is_false(json_object_get(z, "running")))
		snprintf(buf, len, "not running");
	else
		snprintf(buf, len, "-");
}

static void fleet_print(json_t *doc, FILE *out)
{
	struct text_esc e = { .next = 0 };
	json_t *c, *h, *k, *roles, *r;
	size_t i, j, m;
	char rl[64], zk[96];

	json_array_foreach(json_object_get(doc, "clusters"), i, c)
	{
		fprintf(out, "cluster %s: %s\n", jstr(&e, c, "name"),
			jstr(&e, c, "verdict"));
		json_array_foreach(json_object_get(c, "checks"), j, k)
		    fprintf(out, "  %-32s %-7s %-26s %s\n", jstr(&e, k, "id"),
			    jstr(&e, k, "severity"), jstr(&e, k, "measured"),
			    jstr(&e, k, "message"));
	}
	fprintf(out, "\n%-24s %-12s %-16s %-8s %-8s %-7s %-24s %-5s %s\n",
		"HOST", "CLUSTER", "ROLES", "RACK", "ZONE", "VERDICT",
		"LAST SEEN", "STALE", "ZOOKEEPER");
	json_array_foreach(json_object_get(doc, "hosts"), i, h)
	{
		rl[0] = '\0';
		roles = json_object_get(h, "roles");
		json_array_foreach(roles, m, r)
		    snprintf(rl + strlen(rl), sizeof rl - strlen(rl), "%s%s",
			     m ? "," : "", json_string_value(r));
		fleet_zk_text(json_object_get(h, "zookeeper"), zk, sizeof zk);
		fprintf(out, "%-24s %-12s %-16s %-8s %-8s %-7s %-24s %-5s %s\n",
			jstr(&e, h, "host_id"), jstr(&e, h, "cluster"),
			text_esc(&e, rl[0] ? rl : "-"), jstr(&e, h, "rack"),
			jstr(&e, h, "zone"), jstr(&e, h, "verdict"),
			jstr(&e, h, "last_seen"),
			json_is_true(json_object_get(h, "stale")) ? "yes" : "no",
			text_esc(&e, zk));
	}
}

enum { OPT_COLLECTOR = 1, OPT_TLS_CA, OPT_TLS_CERT, OPT_TLS_KEY, OPT_JSON };

static const struct core_opt fleet_opts[] = {
    {"collector", 0, OPT_COLLECTOR, "URL",
     "kcollectord's HTTP API, http[s]://HOST:PORT, HOST a name\n"
     "or an address (default " FLEET_DEFAULT_URL ")"},
    {"tls-ca", 0, OPT_TLS_CA, "FILE",
     "for an https:// collector: the CA that signs its\n"
     "certificate"},
    {"tls-cert", 0, OPT_TLS_CERT, "FILE", "this reader's certificate"},
    {"tls-key", 0, OPT_TLS_KEY, "FILE", "its private key"},
    {"json", 0, OPT_JSON, NULL, "the collector's JSON, as it serves it"},
    {NULL, 0, 0, NULL, NULL},
};

int cmd_fleet(int argc, char **argv)
{
	struct core_opt_parser p = {
	    .program = "kagent",
	    .name = "kagent fleet",
	    .synopsis = "usage: kagent fleet [--collector URL] [--json]\n"
			"                    [--tls-ca FILE --tls-cert FILE "
			"--tls-key FILE]\n",
	    .about = "The fleet view from kcollectord: clusters and hosts.\n",
	    .opts = fleet_opts,
	    .usage_exit = AGENT_EXIT_USAGE,
	};
	const char *url = FLEET_DEFAULT_URL;
	struct proto_tls_config tc = {0};
	struct fleet_get *g;
	json_error_t jerr;
	json_t *doc;
	int ch, json = 0, rc;

	core_opt_init(&p, argc, argv);
	while ((ch = core_opt_next(&p)) > 0) {
		switch (ch) {
		case OPT_COLLECTOR:
			url = p.arg;
			break;
		case OPT_TLS_CA:
			tc.ca = p.arg;
			break;
		case OPT_TLS_CERT:
			tc.cert = p.arg;
			break;
		case OPT_TLS_KEY:
			tc.key = p.arg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		}
	}
	if (ch == CORE_OPT_EXIT)
		return p.exit;
	g = calloc(1, sizeof *g);
	if (g == NULL)
		return FLEET_EXIT_UNREACHABLE;
	rc = fleet_fetch(url, &tc, g);
	if (rc < 0) {
		fprintf(stderr, "kagent fleet: %s: %s\n", url, g->err);
		rc = FLEET_EXIT_UNREACHABLE;
		goto out_free;
	}
	doc = json_loads(g->body ? g->body : "", 0, &jerr);
	if (g->status != 200 || doc == NULL) {
		char safe[1024];

		fprintf(stderr, "kagent fleet: %s: HTTP %d: %s\n", url,
			g->status,
			text_escape(safe, sizeof safe,
				    g->body ? g->body : jerr.text));
		json_decref(doc);
		rc = FLEET_EXIT_UNREACHABLE;
		goto out_free;
	}
	if (json) {
		/* \u escapes for all but ASCII: no control character reaches
		 * a terminal even from the JSON. */
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);

		text_json_fputs(text ? text : "null", stdout);
		free(text);
	} else {
		fleet_print(doc, stdout);
	}
	if (json)
		fputc('\n', stdout);
	json_decref(doc);
	rc = AGENT_EXIT_OK;
out_free:
	free(g->body);
	free(g);
	return rc;
}
