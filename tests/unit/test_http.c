/* The collector's HTTP request parser and router: bounded requests,
 * routes, percent-decoded host ids, and 400/404/405/413/431. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector.h"

/* Feeds raw in pieces of `chunk` bytes and routes what was parsed. */
static void route_of(const char *raw, size_t chunk, struct coll_route *rt)
{
	struct coll_http_req r;
	size_t off = 0, n, len = strlen(raw);
	int done = 0;

	coll_http_req_init(&r);
	while (!done && off < len) {
		n = len - off < chunk ? len - off : chunk;
		done = coll_http_req_feed(&r, (const uint8_t *)raw + off, n);
		off += n;
	}
	assert_int_equal(done, 1);
	coll_http_route(&r, rt);
}

static void test_routes_fleet_metrics_and_host(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("GET /api/fleet HTTP/1.1\r\nHost: c\r\n\r\n", 1000, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_FLEET);
	assert_int_equal(rt.status, 200);
	route_of("GET /metrics HTTP/1.0\r\n\r\n", 1, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_METRICS);
	route_of("GET /api/fleet?pretty=1 HTTP/1.1\r\n\r\n", 3, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_FLEET);
	route_of("GET /api/hosts/kafka-03.dc1 HTTP/1.1\r\n\r\n", 7, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_HOST);
	assert_string_equal(rt.host_id, "kafka-03.dc1");
}

static void test_host_id_is_percent_decoded(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("GET /api/hosts/rack%2F12%3Ab HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_HOST);
	assert_string_equal(rt.host_id, "rack/12:b");
}

static void test_bad_host_id_is_400(void **state)
{
	struct coll_route rt;

	(void)state;
	/* A space, an escaped NUL, a cut escape, a bad hex digit, 64 bytes. */
	route_of("GET /api/hosts/a%20b HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 400);
	route_of("GET /api/hosts/a%00 HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 400);
	route_of("GET /api/hosts/a%2 HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 400);
	route_of("GET /api/hosts/a%zz HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 400);
	route_of(
	    "GET /api/hosts/"
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    " HTTP/1.1\r\n\r\n",
	    100, &rt);
	assert_int_equal(rt.status, 400);
	assert_int_equal(rt.kind, COLL_ROUTE_NONE);
}

static void test_unknown_path_is_404(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("GET /index.html HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
	route_of("GET /api/hosts/ HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
	route_of("GET /api/hosts/a/b HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
	route_of("GET /api/fleetx HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
}

static void test_index_and_head(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("GET / HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 200);
	assert_int_equal(rt.kind, COLL_ROUTE_INDEX);
	assert_false(rt.head);
	route_of("HEAD /metrics HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 200);
	assert_int_equal(rt.kind, COLL_ROUTE_METRICS);
	assert_true(rt.head);
	route_of("HEAD /api/hosts/b1 HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_HOST);
	assert_true(rt.head);
	route_of("HEAD / HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_INDEX);
}

static void test_other_method_is_405(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("POST /api/fleet HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 100,
		 &rt);
	assert_int_equal(rt.status, 405);
	route_of("PUT /api/hosts/b1 HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 405);
	assert_int_equal(rt.kind, COLL_ROUTE_NONE);
	route_of("DELETE /api/hosts/b1/history HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 405);
	assert_int_equal(rt.kind, COLL_ROUTE_NONE);
	route_of("DELETE /fleet HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 405);
	route_of("DELETE /api/fleet HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 405);
}

/* The fleet page and its files, the check history, and forgetting. */
static void test_routes_page_history_forget(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("GET /fleet HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_PAGE);
	assert_int_equal(rt.asset, coll_page_find("/fleet/", 7));
	assert_true(rt.asset >= 0);
	route_of("GET /fleet/fleet.js HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_PAGE);
	assert_int_equal(rt.asset, coll_page_find("/fleet/fleet.js", 15));
	assert_true(rt.asset >= 0);
	assert_int_not_equal(rt.asset, coll_page_find("/fleet", 6));
	route_of("GET /fleet/nothing.js HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
	route_of("GET /fleet/../api/fleet HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
	route_of("GET /fleetx HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
	route_of("GET /api/hosts/kafka-03/history HTTP/1.1\r\n\r\n", 5, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_HISTORY);
	assert_string_equal(rt.host_id, "kafka-03");
	route_of("GET /api/hosts/a%2Fhistory HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_HOST);
	assert_string_equal(rt.host_id, "a/history");
	route_of("GET /api/hosts//history HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 404);
	route_of("DELETE /api/hosts/kafka-03 HTTP/1.1\r\n\r\n", 3, &rt);
	assert_int_equal(rt.kind, COLL_ROUTE_FORGET);
	assert_int_equal(rt.status, 200);
	assert_string_equal(rt.host_id, "kafka-03");
	route_of("DELETE /api/hosts/a%20b HTTP/1.1\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 400);
	assert_int_equal(rt.kind, COLL_ROUTE_NONE);
}

static void test_garbage_is_400(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 100, &rt);
	assert_int_equal(rt.status, 400);
	route_of("GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n", 100, &rt);
	assert_int_equal(rt.status, 400);
}

static void test_body_is_413(void **state)
{
	struct coll_route rt;

	(void)state;
	route_of("GET /api/fleet HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
		 100, &rt);
	assert_int_equal(rt.status, 413);
}

static void test_request_above_bound_is_refused(void **state)
{
	struct coll_http_req r;
	struct coll_route rt;
	static char big[COLL_HTTP_REQ_MAX + 100];
	size_t n;

	(void)state;
	n = (size_t)snprintf(big, sizeof big, "GET /metrics HTTP/1.1\r\nX: ");
	memset(big + n, 'a', sizeof big - n - 1);
	coll_http_req_init(&r);
	assert_int_equal(
	    coll_http_req_feed(&r, (const uint8_t *)big, sizeof big - 1), 1);
	coll_http_route(&r, &rt);
	assert_int_equal(rt.status, 431);
	/* A URL longer than its buffer. */
	n = (size_t)snprintf(big, sizeof big, "GET /");
	memset(big + n, 'u', COLL_HTTP_URL_MAX + 10);
	snprintf(big + n + COLL_HTTP_URL_MAX + 10, 20, " HTTP/1.1\r\n\r\n");
	route_of(big, 100, &rt);
	assert_int_equal(rt.status, 414);
}

static void test_pct_decode_bounds(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(coll_http_pct_decode("a%41c", 5, out, sizeof out), 0);
	assert_string_equal(out, "aAc");
	assert_int_equal(coll_http_pct_decode("abcd", 4, out, sizeof out),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_routes_fleet_metrics_and_host),
	    cmocka_unit_test(test_host_id_is_percent_decoded),
	    cmocka_unit_test(test_bad_host_id_is_400),
	    cmocka_unit_test(test_unknown_path_is_404),
	    cmocka_unit_test(test_index_and_head),
	    cmocka_unit_test(test_other_method_is_405),
	    cmocka_unit_test(test_routes_page_history_forget),
	    cmocka_unit_test(test_garbage_is_400),
	    cmocka_unit_test(test_body_is_413),
	    cmocka_unit_test(test_request_above_bound_is_refused),
	    cmocka_unit_test(test_pct_decode_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
