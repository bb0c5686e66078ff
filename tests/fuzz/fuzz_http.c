/*
 * fuzz_http.c — an HTTP request to the collector's views through
 * coll_http_req_feed and coll_http_route, as a connection reads it.
 *
 * The first input byte chooses how the request is cut into reads (1 to
 * 255 bytes, or 0: all at once).  Checked: once the parser answers 1 it
 * keeps answering 1; the status is one the header documents (or 414, a
 * URL over COLL_HTTP_URL_MAX); a route is 200 exactly when it has a kind;
 * a host route carries a valid, terminated host id.  The URL, percent-
 * decoded whole, must come out terminated and without an inner NUL.
 */
#include <errno.h>
#include <string.h>

#include "collector.h"
#include "fuzz_util.h"

#define H "fuzz_http"

static bool status_known(int s)
{
	return s == 0 || s == 400 || s == 413 || s == 414 || s == 431;
}

static bool route_status_known(int s)
{
	return s == 400 || s == 404 || s == 405 || s == 413 || s == 414 ||
	       s == 431;
}

static void check_route(const struct coll_http_req *r)
{
	struct coll_route rt;

	coll_http_route(r, &rt);
	fuzz_require(fuzz_terminated(rt.host_id, sizeof rt.host_id), H,
		     "host id not terminated");
	if (rt.kind == COLL_ROUTE_NONE) {
		fuzz_require(route_status_known(rt.status), H,
			     "refusal with an undocumented status");
		return;
	}
	fuzz_require(rt.status == 200, H, "route without status 200");
	fuzz_require(r->done && r->status == 0, H,
		     "route of an unfinished request");
	if (rt.kind == COLL_ROUTE_HOST)
		fuzz_require(rt.host_id[0] != '\0' &&
				 coll_host_id_valid(rt.host_id),
			     H, "host route with an invalid id");
}

static void check_pct_decode(const struct coll_http_req *r)
{
	char out[COLL_HTTP_URL_MAX];
	int rc;

	rc = coll_http_pct_decode(r->url, r->url_len, out, sizeof out);
	if (rc < 0) {
		fuzz_require(rc == -EINVAL, H,
			     "decode error other than EINVAL");
		return;
	}
	fuzz_require(fuzz_terminated(out, sizeof out), H,
		     "decoded URL not terminated");
	/* Each escape is 3 bytes for 1; a NUL escape is refused. */
	fuzz_require(strlen(out) <= r->url_len, H, "decoded URL grew");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coll_http_req r;
	size_t chunk, off, n;
	int rc = 0;

	if (size < 1)
		return 0;
	chunk = data[0] ? data[0] : size;
	data++;
	size--;
	coll_http_req_init(&r);
	for (off = 0; off < size && rc == 0; off += n) {
		n = size - off < chunk ? size - off : chunk;
		rc = coll_http_req_feed(&r, data + off, n);
		fuzz_require(rc == 0 || rc == 1, H,
			     "feed returned neither 0 nor 1");
	}
	if (rc == 1)
		fuzz_require(coll_http_req_feed(&r, data, size) == 1, H,
			     "a finished request took more bytes");
	fuzz_require(status_known(r.status), H, "undocumented status");
	fuzz_require(!(r.done && r.status), H, "done and refused at once");
	fuzz_require(r.url_len < sizeof r.url &&
			 fuzz_terminated(r.url, sizeof r.url),
		     H, "URL over its bound");
	fuzz_require(r.total <= COLL_HTTP_REQ_MAX, H,
		     "more than the bound read");
	/* The server routes a request once the parser has answered 1. */
	if (rc == 1)
		check_route(&r);
	else
		fuzz_require(!r.done && r.status == 0, H,
			     "parser wants more of a finished request");
	check_pct_decode(&r);
	return 0;
}
