/* The kept result of an asynchronous probe (agent/facts/async_probe.c): what a
 * full report request carries before, between and after probes, and how
 * the prober reads its age. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "async_probe.h"

static void test_before_any_probe_is_not_probed_yet(void **state)
{
	struct async_probe p;
	struct async_seen s;

	(void)state;
	async_probe_init(&p);
	assert_int_equal(p.meta.have, 0);
	assert_string_equal(p.meta.why, "not probed yet");
	async_seen_from_meta(&p.meta, 5000, &s);
	assert_false(s.have);
	assert_false(s.age_known);
	assert_string_equal(s.why, "not probed yet");
}

static void test_kept_result_ages_with_the_request(void **state)
{
	struct async_probe p;
	struct async_seen s;

	(void)state;
	async_probe_init(&p);
	p.running = true;
	async_probe_done(&p, 10000);
	assert_false(p.running);
	assert_int_equal(p.meta.have, 1);
	assert_int_equal(p.meta.at_ms, 10000);
	assert_string_equal(p.meta.why, "");
	p.meta.in_flight = 1;
	async_seen_from_meta(&p.meta, 11500, &s);
	assert_true(s.have);
	assert_true(s.in_flight);
	assert_true(s.age_known);
	assert_int_equal(s.age_ms, 1500);
}

/* The wall clock stepped back between the probe and the request. */
static void test_age_below_zero_is_zero(void **state)
{
	struct async_meta m = {.have = 1, .at_ms = 20000};
	struct async_seen s;

	(void)state;
	async_seen_from_meta(&m, 19000, &s);
	assert_true(s.age_known);
	assert_int_equal(s.age_ms, 0);
}

static void test_failed_start_keeps_the_last_result(void **state)
{
	struct async_probe p;

	(void)state;
	async_probe_init(&p);
	async_probe_start_failed(&p, "no memory");
	assert_int_equal(p.meta.have, 0);
	assert_string_equal(p.meta.why, "not probed yet: no memory");
	async_probe_done(&p, 3000);
	p.for_report = true;
	async_probe_start_failed(&p, "no memory");
	assert_false(p.for_report);
	assert_int_equal(p.meta.have, 1);
	assert_int_equal(p.meta.at_ms, 3000);
	assert_string_equal(p.meta.why, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_before_any_probe_is_not_probed_yet),
	    cmocka_unit_test(test_kept_result_ages_with_the_request),
	    cmocka_unit_test(test_age_below_zero_is_zero),
	    cmocka_unit_test(test_failed_start_keeps_the_last_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
