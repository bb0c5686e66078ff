/* kagent fleet: the collector's fleet view (GET /api/fleet), as a table
 * or as the JSON the collector serves.  The request goes through
 * proto_stream like every other network byte, and the answer is parsed by
 * libhttp-parser.  Default collector: http://127.0.0.1:8080, where
 * kcollectord serves HTTP unless told otherwise (plaintext from loopback,
 * when its ACL has `read loopback`).  An https:// collector is asked over
 * TLS with the reader's certificate (--tls-ca, --tls-cert, --tls-key),
 * whose identity the collector's ACL must let read. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "agent.h"
#include "stream.h"
#include "text_esc.h"
#include "tls.h"

#define FLEET_DEFAULT_URL      "http://127.0.0.1:8080"
#define FLEET_BODY_MAX	       (64u * 1024 * 1024)
#define FLEET_TIMEOUT_MS       10000
#define FLEET_EXIT_UNREACHABLE 2

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
	snprintf(g->path, sizeof g->path, "/api/fleet");
	if (uv_ip4_addr(g->host, port, (struct sockaddr_in *)ss) == 0 ||
	    uv_ip6_addr(g->host, port, (struct sockaddr_in6 *)ss) == 0)
		return 0;
	return -EINVAL;
}

static int fleet_fetch(const char *url, const struct proto_tls_config *tc,
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

/* A string member escaped for the terminal: every one of them comes from
 * an agent's report (host ids, racks, check messages). */
static const char *jstr(struct text_esc *e, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return text_esc(e, s && s[0] ? s : "-");
}

/* The first switch LLDP names for the host, "+N" for the others of a
 * switch pair; "-" when none is known (--json says why). */
static void fleet_switch_text(json_t *a, char *buf, size_t len)
{
	const char *first = json_string_value(json_array_get(a, 0));
	size_t n = json_array_size(a);

	if (first == NULL || first[0] == '\0')
		snprintf(buf, len, "-");
	else if (n > 1)
		snprintf(buf, len, "%s +%zu", first, n - 1);
	else
		snprintf(buf, len, "%s", first);
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
	char rl[64], zk[96], sw[272]; /* a 255-byte System Name and " +N" */

	json_array_foreach(json_object_get(doc, "clusters"), i, c)
	{
		fprintf(out, "cluster %s: %s\n", jstr(&e, c, "name"),
			jstr(&e, c, "verdict"));
		json_array_foreach(json_object_get(c, "checks"), j, k)
		    fprintf(out, "  %-32s %-7s %-26s %s\n", jstr(&e, k, "id"),
			    jstr(&e, k, "severity"), jstr(&e, k, "measured"),
			    jstr(&e, k, "message"));
	}
	fprintf(out, "\n%-24s %-12s %-16s %-8s %-8s %-16s %-7s %-24s %-5s %s\n",
		"HOST", "CLUSTER", "ROLES", "RACK", "ZONE", "SWITCH", "VERDICT",
		"LAST SEEN", "STALE", "ZOOKEEPER");
	json_array_foreach(json_object_get(doc, "hosts"), i, h)
	{
		rl[0] = '\0';
		roles = json_object_get(h, "roles");
		json_array_foreach(roles, m, r)
		    snprintf(rl + strlen(rl), sizeof rl - strlen(rl), "%s%s",
			     m ? "," : "", json_string_value(r));
		fleet_zk_text(json_object_get(h, "zookeeper"), zk, sizeof zk);
		fleet_switch_text(json_object_get(h, "switches"), sw,
				  sizeof sw);
		fprintf(
		    out,
		    "%-24s %-12s %-16s %-8s %-8s %-16s %-7s %-24s %-5s %s\n",
		    jstr(&e, h, "host_id"), jstr(&e, h, "cluster"),
		    text_esc(&e, rl[0] ? rl : "-"), jstr(&e, h, "rack"),
		    jstr(&e, h, "zone"), text_esc(&e, sw),
		    jstr(&e, h, "verdict"), jstr(&e, h, "last_seen"),
		    json_is_true(json_object_get(h, "stale")) ? "yes" : "no",
		    text_esc(&e, zk));
	}
}

int cmd_fleet(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"collector", required_argument, NULL, 'c'},
	    {"tls-ca", required_argument, NULL, 'a'},
	    {"tls-cert", required_argument, NULL, 'C'},
	    {"tls-key", required_argument, NULL, 'k'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *url = FLEET_DEFAULT_URL;
	struct proto_tls_config tc = {0};
	struct fleet_get *g;
	json_error_t jerr;
	json_t *doc;
	int ch, json = 0, rc;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			url = optarg;
			break;
		case 'a':
			tc.ca = optarg;
			break;
		case 'C':
			tc.cert = optarg;
			break;
		case 'k':
			tc.key = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			printf(
			    "usage: kagent fleet [--collector URL] [--tls-ca "
			    "FILE --tls-cert FILE --tls-key FILE] [--json]\n"
			    "  --collector  kcollectord's HTTP API "
			    "(default " FLEET_DEFAULT_URL ")\n"
			    "  --tls-*      for an https:// collector: its CA, "
			    "this reader's certificate and key\n");
			return AGENT_EXIT_OK;
		default:
			fprintf(stderr,
				"kagent fleet: bad option '%s' (valid: "
				"--collector URL, --tls-ca FILE, --tls-cert "
				"FILE, --tls-key FILE, --json)\n",
				argv[optind - 1]);
			return AGENT_EXIT_USAGE;
		}
	}
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
