/* The choice among kagentd's collectors (agent/daemon/uplink_pick.c),
 * driven with an injected clock and injected random numbers: which one
 * is next, after how long, when the first is tried again, and what
 * `kagent status` is told. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon.h"

static void pick_of(struct uplink_pick *p, const char *list, int64_t failback_s)
{
	struct conf_agent ca;
	char err[256] = "";

	memset(&ca, 0, sizeof ca);
	assert_int_equal(conf_collectors_parse(list, ca.collectors,
					       &ca.n_collectors, err,
					       sizeof err),
			 0);
	ca.failback_interval_s = failback_s;
	assert_int_equal(uplink_pick_init(p, &ca, err, sizeof err), 0);
}

static void assert_reason(const struct uplink_pick *p, int64_t now,
			  const char *want)
{
	char buf[512];

	uplink_pick_reason(p, now, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void test_entries_are_split_into_host_and_port(void **state)
{
	struct uplink_pick p;

	(void)state;
	pick_of(&p, "a.example:7070, [::1]:7000", 60);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.peer[0].host, "a.example");
	assert_string_equal(p.peer[0].port, "7070");
	assert_string_equal(p.peer[1].addr, "[::1]:7000");
	assert_string_equal(p.peer[1].host, "::1");
	assert_string_equal(p.peer[1].port, "7000");
	assert_int_equal(p.cur, 0);
	assert_int_equal(p.failback_ms, 60000);
	assert_reason(&p, 0, "preferred");
}

/* Each failure moves to the next; the backoff step grows once per pass
 * over the whole list, not once per collector. */
static void test_failure_moves_on_and_backoff_grows_per_pass(void **state)
{
	static const uint64_t want_delay[] = {500,  500,  500,	1000, 1000,
					      1000, 2000, 2000, 2000, 4000};
	static const size_t want_cur[] = {1, 2, 0, 1, 2, 0, 1, 2, 0, 1};
	struct uplink_pick p;
	unsigned i;

	(void)state;
	pick_of(&p, "a:1, b:2, c:3", 60);
	for (i = 0; i < sizeof want_delay / sizeof want_delay[0]; i++) {
		assert_int_equal(
		    uplink_pick_failed(&p, 1000 * (i + 1),
				       "connect: connection refused", 0),
		    want_delay[i]);
		assert_int_equal(p.cur, want_cur[i]);
	}
	assert_int_equal(p.attempt, 10);
	assert_int_equal(p.peer[0].failures, 4);
	assert_int_equal(p.peer[1].failures, 3);
	assert_int_equal(p.peer[2].failures, 3);
	/* The fourth pass: step 8 s, and the top of its jitter range. */
	assert_int_equal(uplink_pick_failed(&p, 20000, "x", 4000), 8000);
	assert_int_equal(p.cur, 2);
	/* No failback is due while nothing answers. */
	assert_false(uplink_pick_failback_due(&p, INT64_MAX));
}

static void test_backoff_is_bounded(void **state)
{
	struct uplink_pick p;
	unsigned i;

	(void)state;
	pick_of(&p, "a:1, b:2", 60);
	for (i = 0; i < 5000; i++)
		uplink_pick_failed(&p, i, "x", 0);
	assert_int_equal(p.attempt, 1000);
	assert_int_equal(uplink_pick_failed(&p, 0, "x", 0), 30000);
	assert_int_equal(uplink_pick_failed(&p, 0, "x", 30000), 60000);
	assert_int_equal(uplink_pick_failed(&p, 0, "x", UINT32_MAX),
			 30000 + UINT32_MAX % 30001);
}

/* One collector behaves as before lists: backoff by attempt. */
static void test_single_collector_keeps_the_old_backoff(void **state)
{
	static const uint64_t want[] = {500,  1000,  2000,  4000,
					8000, 16000, 30000, 30000};
	struct uplink_pick p;
	unsigned i;

	(void)state;
	pick_of(&p, "only:7000", 60);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(uplink_pick_failed(&p, i, "x", 0), want[i]);
		assert_int_equal(p.cur, 0);
	}
	assert_reason(&p, 0, "the only collector");
	uplink_pick_ok(&p, 100);
	assert_int_equal(p.attempt, 0);
	assert_false(uplink_pick_failback_due(&p, INT64_MAX));
}

static void test_reason_names_the_failed_collector_and_when(void **state)
{
	struct uplink_pick p;

	(void)state;
	pick_of(&p, "a.example:7070, b.example:7070", 60);
	assert_int_equal(
	    uplink_pick_failed(&p, 1000, "connect: connection refused", 7),
	    507);
	assert_int_equal(p.cur, 1);
	uplink_pick_ok(&p, 2000);
	assert_reason(&p, 13000,
		      "fail-over: a.example:7070 failed 12 s ago: connect: "
		      "connection refused");
	assert_string_equal(p.peer[0].last_error,
			    "connect: connection refused");
	assert_int_equal(p.peer[0].last_error_ms, 1000);
	assert_string_equal(p.peer[1].last_error, "");
}

/* Away from the first: a probe every failback interval; a failed probe
 * returns at once to the one that held, without growing the backoff; a
 * probe that answers the hello stays. */
static void test_failback_probe_and_return(void **state)
{
	struct uplink_pick p;

	(void)state;
	pick_of(&p, "a:1, b:2", 60);
	uplink_pick_failed(&p, 1000, "connect: connection refused", 0);
	uplink_pick_ok(&p, 2000);
	assert_int_equal(p.cur, 1);
	assert_int_equal(p.attempt, 0);
	assert_int_equal(p.next_failback_ms, 62000);
	assert_false(uplink_pick_failback_due(&p, 61999));
	assert_true(uplink_pick_failback_due(&p, 62000));

	uplink_pick_probe(&p);
	assert_int_equal(p.cur, 0);
	assert_true(p.probing);
	assert_false(uplink_pick_failback_due(&p, INT64_MAX));
	assert_reason(
	    &p, 62000,
	    "failback: trying the preferred again, b:2 in use before");
	/* Still down: back to b at once. */
	assert_int_equal(
	    uplink_pick_failed(&p, 62010, "no hello-ack within 10 s", 12345),
	    0);
	assert_int_equal(p.cur, 1);
	assert_false(p.probing);
	assert_int_equal(p.attempt, 0);
	assert_int_equal(p.peer[0].failures, 2);
	assert_reason(
	    &p, 63010,
	    "fail-over: a:1 failed 1 s ago: no hello-ack within 10 s");
	uplink_pick_ok(&p, 62100);
	assert_int_equal(p.next_failback_ms, 122100);

	/* Up again: the probe answers and the uplink stays there. */
	uplink_pick_probe(&p);
	uplink_pick_ok(&p, 122200);
	assert_int_equal(p.cur, 0);
	assert_int_equal(p.next_failback_ms, 0);
	assert_false(uplink_pick_failback_due(&p, INT64_MAX));
	assert_reason(&p, 127200, "preferred, back from b:2 5 s ago");
	/* The first failing now moves on with the normal backoff. */
	assert_int_equal(uplink_pick_failed(&p, 130000, "x", 0), 500);
	assert_int_equal(p.cur, 1);
}

/* A failure of the one in use, away from the first: on to the next, the
 * first included, as any failure. */
static void test_failure_of_the_second_wraps_to_the_first(void **state)
{
	struct uplink_pick p;

	(void)state;
	pick_of(&p, "a:1, b:2", 60);
	uplink_pick_failed(&p, 1000, "x", 0);
	uplink_pick_ok(&p, 2000);
	assert_int_equal(uplink_pick_failed(&p, 3000, "no ack within 20 s", 0),
			 500);
	assert_int_equal(p.cur, 0);
	assert_reason(&p, 3000, "preferred");
	assert_int_equal(p.next_failback_ms, 0);
}

static void test_status_json(void **state)
{
	struct uplink_pick p;
	json_t *doc = json_object();
	char *s;

	(void)state;
	pick_of(&p, "a:1, b:2", 60);
	uplink_pick_failed(&p, 1000, "connect: connection refused", 0);
	uplink_pick_ok(&p, 2000);
	uplink_pick_json(&p, 13500, doc);
	s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    s, "{\"collector_position\":2,\"collector_reason\":\"fail-over: "
	       "a:1 failed 12 s ago: connect: connection refused\","
	       "\"collector_why\":\"fail-over\",\"collectors\":[{\"addr\":"
	       "\"a:1\",\"failures\":1,\"in_use\":false,\"last_error\":"
	       "\"connect: connection refused\",\"last_error_age_s\":12,"
	       "\"position\":1},{\"addr\":\"b:2\",\"failures\":0,\"in_use\":"
	       "true,\"last_error\":null,\"last_error_age_s\":null,"
	       "\"position\":2}],\"failback_in_s\":49}");
	free(s);
	json_decref(doc);
}

static void rebuild(struct uplink_pick *p, const char *list, int64_t now,
		    bool *moved)
{
	struct conf_agent ca;
	char err[256] = "";

	memset(&ca, 0, sizeof ca);
	assert_int_equal(conf_collectors_parse(list, ca.collectors,
					       &ca.n_collectors, err,
					       sizeof err),
			 0);
	ca.failback_interval_s = 60;
	assert_int_equal(
	    uplink_pick_rebuild(p, &ca, now, moved, err, sizeof err), 0);
}

/* The collector in use gone from the list: the new first, and move. */
static void test_reload_without_the_one_in_use_moves_to_the_first(void **state)
{
	struct uplink_pick p;
	bool moved = false;

	(void)state;
	pick_of(&p, "a:1", 60);
	rebuild(&p, "c:3, d:4", 5000, &moved);
	assert_true(moved);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.cur, 0);
	assert_string_equal(p.peer[0].addr, "c:3");
	assert_reason(&p, 5000, "preferred");
}

/* Still listed, elsewhere: kept, with its failures; the new first is
 * tried a failback period on. */
static void test_reload_keeps_the_one_in_use_at_its_new_place(void **state)
{
	struct uplink_pick p;
	bool moved = true;

	(void)state;
	pick_of(&p, "a:1, b:2", 60);
	uplink_pick_failed(&p, 1000, "connect: connection refused", 0);
	uplink_pick_ok(&p, 2000);
	assert_int_equal(p.cur, 1);
	rebuild(&p, "z:9, b:2, a:1", 7000, &moved);
	assert_false(moved);
	assert_int_equal(p.cur, 1);
	assert_string_equal(p.peer[1].addr, "b:2");
	assert_int_equal(p.peer[2].failures, 1);
	assert_string_equal(p.peer[2].last_error,
			    "connect: connection refused");
	assert_int_equal(p.peer[0].failures, 0);
	assert_int_equal(p.next_failback_ms, 67000);
	assert_reason(&p, 9000, "fail-over: a:1 failed 8 s ago: connect: "
				"connection refused");
	/* The one that failed is gone: the reason is the reload. */
	rebuild(&p, "z:9, b:2", 10000, &moved);
	assert_false(moved);
	assert_int_equal(p.cur, 1);
	assert_reason(&p, 12000, "kept across a reload 2 s ago; z:9 is tried "
				 "again at failback");
	/* First of the list now: the preferred, no failback due. */
	rebuild(&p, "b:2", 13000, &moved);
	assert_false(moved);
	assert_int_equal(p.cur, 0);
	assert_int_equal(p.next_failback_ms, 0);
	assert_int_equal(p.n, 1);
}

/* From no collector to one: nothing to leave. */
static void test_reload_from_no_collector(void **state)
{
	struct uplink_pick p;
	struct conf_agent ca;
	bool moved = true;
	char err[64];

	(void)state;
	memset(&ca, 0, sizeof ca);
	assert_int_equal(uplink_pick_init(&p, &ca, err, sizeof err), 0);
	rebuild(&p, "a:1", 1000, &moved);
	assert_false(moved);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.cur, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_entries_are_split_into_host_and_port),
	    cmocka_unit_test(test_failure_moves_on_and_backoff_grows_per_pass),
	    cmocka_unit_test(test_backoff_is_bounded),
	    cmocka_unit_test(test_single_collector_keeps_the_old_backoff),
	    cmocka_unit_test(test_reason_names_the_failed_collector_and_when),
	    cmocka_unit_test(test_failback_probe_and_return),
	    cmocka_unit_test(test_failure_of_the_second_wraps_to_the_first),
	    cmocka_unit_test(test_status_json),
	    cmocka_unit_test(test_reload_without_the_one_in_use_moves_to_the_first),
	    cmocka_unit_test(test_reload_keeps_the_one_in_use_at_its_new_place),
	    cmocka_unit_test(test_reload_from_no_collector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
