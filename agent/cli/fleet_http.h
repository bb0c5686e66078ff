/* fleet_http.h — kagent fleet's HTTP client: one request to kcollectord
 * (plain or TLS) through proto_stream, its answer parsed by
 * libhttp-parser. */
#ifndef KAGENT_FLEET_HTTP_H
#define KAGENT_FLEET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <http_parser.h>

#include "stream.h"
#include "tls.h"

#define FLEET_BODY_MAX	 (64u * 1024 * 1024)
#define FLEET_TIMEOUT_MS 10000

/* Set method and path before fleet_fetch; the rest is its own. */
struct fleet_get {
	struct proto_stream st;
	uv_connect_t conn;
	uv_timer_t timer;
	http_parser p;
	char host[256];
	char path[512];
	const char *method; /* "GET", "DELETE" */
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

/* Sends g->method g->path to url ("http[s]://ADDRESS:PORT", with tc's
 * certificate for https) and reads the whole answer into g->status and
 * g->body (NUL-terminated, malloc'ed).  -EINVAL for a bad URL or TLS
 * setting, -EIO when no whole answer came; g->err says why. */
int fleet_fetch(const char *url, const struct proto_tls_config *tc,
		struct fleet_get *g);

#endif
