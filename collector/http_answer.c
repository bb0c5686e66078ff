/* SPDX-License-Identifier: Apache-2.0 */
/* A whole HTTP request answered: the ACL's read or admin rule first, then
 * the route's view (api.c, metrics.c, the fleet page) written as one
 * "Connection: close" answer.  Apart from http.c, which only carries the
 * connection's bytes (accept, sniff, reap) and knows no route. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "collector.h"
#include "core_log.h"
#include "fleet_cache.h"
#include "http_int.h"

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

void coll_http_read(struct proto_stream *s, const uint8_t *buf, size_t len)
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
