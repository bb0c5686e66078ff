/* SPDX-License-Identifier: Apache-2.0 */
/* The window of reports in flight (proto/window.c): what the collector
 * grants a hello, what the agent keeps of the hello-ack, and the
 * collector's count of reports received and not yet acked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proto.h"

static void test_hello_without_window_gets_the_legacy_64(void **state)
{
	kagent_v1_Hello h = {0};
	uint32_t w = 0;

	(void)state;
	assert_int_equal(proto_window_accept(&h, 256, &w), 0);
	assert_int_equal(w, 64);
	assert_int_equal(proto_window_accept(&h, 16, &w), 0);
	assert_int_equal(w, 16);
}

static void test_window_asked_is_capped_by_the_collector(void **state)
{
	kagent_v1_Hello h = {.has_window = true, .window = 1};
	uint32_t w = 0;

	(void)state;
	assert_int_equal(proto_window_accept(&h, 256, &w), 0);
	assert_int_equal(w, 1);
	h.window = 1000;
	assert_int_equal(proto_window_accept(&h, 256, &w), 0);
	assert_int_equal(w, 256);
	h.window = 0;
	assert_int_equal(proto_window_accept(&h, 256, &w), -EINVAL);
}

static void test_agent_keeps_the_window_granted(void **state)
{
	kagent_v1_Ack a = {.seq = 7};
	uint32_t w = 0;

	(void)state;
	/* An older collector answers no window: the 64 it always took. */
	assert_int_equal(proto_window_agreed(&a, 64, &w), 0);
	assert_int_equal(w, 64);
	assert_int_equal(proto_window_agreed(&a, 8, &w), 0);
	assert_int_equal(w, 8);
	a.has_window = true;
	a.window = 32;
	assert_int_equal(proto_window_agreed(&a, 64, &w), 0);
	assert_int_equal(w, 32);
	a.window = 65;
	assert_int_equal(proto_window_agreed(&a, 64, &w), -EPROTO);
	a.window = 0;
	assert_int_equal(proto_window_agreed(&a, 64, &w), -EPROTO);
}

static void test_one_report_beyond_the_window_is_refused(void **state)
{
	struct proto_window w = {.size = 3};

	(void)state;
	assert_int_equal(proto_window_take(&w), 0);
	assert_int_equal(proto_window_take(&w), 0);
	assert_int_equal(proto_window_take(&w), 0);
	assert_int_equal(w.inflight, 3);
	assert_int_equal(proto_window_take(&w), -EPROTO);
	assert_int_equal(w.inflight, 3);
	/* A cumulative ack covers all three: three more may come. */
	proto_window_acked(&w);
	assert_int_equal(w.inflight, 0);
	assert_int_equal(proto_window_take(&w), 0);
	assert_int_equal(w.inflight, 1);
}

static void test_window_of_one_is_one_report_per_ack(void **state)
{
	struct proto_window w = {.size = 1};

	(void)state;
	assert_int_equal(proto_window_take(&w), 0);
	assert_int_equal(proto_window_take(&w), -EPROTO);
	proto_window_acked(&w);
	assert_int_equal(proto_window_take(&w), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hello_without_window_gets_the_legacy_64),
	    cmocka_unit_test(test_window_asked_is_capped_by_the_collector),
	    cmocka_unit_test(test_agent_keeps_the_window_granted),
	    cmocka_unit_test(test_one_report_beyond_the_window_is_refused),
	    cmocka_unit_test(test_window_of_one_is_one_report_per_ack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
