/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collector_http.h — kcollectord's HTTP/1.1 requests: the parser and the
 * router (http_request.c, pure, which tests and the fuzzer feed bytes),
 * the listener's start (http.c) and the fleet page's compiled-in files
 * (page.c).  Kept apart from collector.h, which includes it, so that
 * neither passes 500 lines.
 */
#ifndef KAGENT_COLLECTOR_HTTP_H
#define KAGENT_COLLECTOR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <http_parser.h>

struct collector;

/* ---- http.c: HTTP/1.1 requests over proto_stream ---- */

#define COLL_HTTP_URL_MAX 1024
#define COLL_HTTP_REQ_MAX 8192 /* request line and headers */
/* Check changes one /api/hosts/{id}/history answer carries at most. */
#define COLL_HISTORY_MAX 200

struct coll_http_req {
	http_parser p;
	char url[COLL_HTTP_URL_MAX];
	size_t url_len;
	size_t total;
	int status; /* 0 while fine, else the error status to answer */
	bool done;
};

enum coll_route_kind {
	COLL_ROUTE_NONE, /* answer `status` */
	COLL_ROUTE_FLEET,
	COLL_ROUTE_HOST,
	COLL_ROUTE_METRICS,
	COLL_ROUTE_HISTORY,  /* GET /api/hosts/{id}/history */
	COLL_ROUTE_FORGET,   /* DELETE /api/hosts/{id}, admin only */
	COLL_ROUTE_PAGE,     /* the fleet page's files, `asset` */
	COLL_ROUTE_INDEX,    /* "/": links to the others */
	COLL_ROUTE_CAPACITY, /* GET /api/clusters/{cluster}/capacity */
	COLL_ROUTE_KAFKA,    /* GET /api/clusters/{cluster}/kafka */
};

struct coll_route {
	enum coll_route_kind kind;
	int status;
	int asset; /* COLL_ROUTE_PAGE: coll_page_find's index */
	bool head; /* HEAD: the headers of GET's answer, no body */
	char host_id[64];
	char cluster[64]; /* COLL_ROUTE_CAPACITY */
};

void coll_http_req_init(struct coll_http_req *r);
/* Feeds request bytes: 0 when more are needed, 1 when the request is
 * complete or refused (r->status is then 400, 413 or 431). */
int coll_http_req_feed(struct coll_http_req *r, const uint8_t *buf, size_t len);
/* Method and path → route: GET or HEAD /, /api/fleet, /api/hosts/{id},
 * /api/hosts/{id}/history, /api/clusters/{cluster}/capacity, /metrics,
 * /fleet and its files; DELETE
 * /api/hosts/{id}; 404 for other paths, 405 for another method on a known
 * one, 400 for a host id that does not decode or is not valid. */
void coll_http_route(const struct coll_http_req *r, struct coll_route *out);
/* Percent-decodes n bytes of in; -EINVAL for a bad escape, an escaped NUL
 * or when out (with its NUL) would exceed cap. */
int coll_http_pct_decode(const char *in, size_t n, char *out, size_t cap);
int coll_http_start(struct collector *c, const struct sockaddr *addr);

/* ---- page.c: the fleet page, its files compiled in (collector/www) ---- */

/* The index of the file served at path (len bytes: "/fleet",
 * "/fleet/", "/fleet/fleet.js", ...), or -1. */
int coll_page_find(const char *path, size_t len);
/* Its bytes and Content-Type. */
void coll_page_get(int asset, const char **type, const uint8_t **body,
		   size_t *len);
/* The headers the page's files go with: a Content-Security-Policy that
 * allows only the collector's own files, no inline script or style. */
extern const char coll_page_headers[];

#endif
