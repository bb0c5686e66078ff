/* [agent] collector = A, B, ...: the list kagentd fails over along, and
 * failback_interval: each entry checked by the one HOST:PORT parser, the
 * order kept, the messages naming the entry and its position. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"

static void parse_ok(const char *text, struct conf *c)
{
	char err[512] = "";

	conf_defaults(c);
	if (conf_parse(text, "kagent.conf", c, err, sizeof err) != 0)
		fail_msg("%s", err);
}

static void assert_refused(const char *text, const char *msg)
{
	struct conf c;
	char err[512] = "";

	conf_defaults(&c);
	assert_int_equal(
	    conf_parse(text, "/etc/kagent/kagent.conf", &c, err, sizeof err),
	    -EINVAL);
	assert_string_equal(err, msg);
}

static void test_list_keeps_order_and_trims_blanks(void **state)
{
	struct conf c;

	(void)state;
	parse_ok("[agent]\ncollector = a.example:7070,  b.example:7070 ,"
		 "[::1]:7000,\t10.0.0.1:1\n",
		 &c);
	assert_int_equal(c.agent.n_collectors, 4);
	assert_string_equal(c.agent.collectors[0], "a.example:7070");
	assert_string_equal(c.agent.collectors[1], "b.example:7070");
	assert_string_equal(c.agent.collectors[2], "[::1]:7000");
	assert_string_equal(c.agent.collectors[3], "10.0.0.1:1");
	/* The text as written stays for the log lines that quote it. */
	assert_string_equal(c.agent.collector,
			    "a.example:7070,  b.example:7070 ,[::1]:7000,\t"
			    "10.0.0.1:1");
}

static void test_single_collector_is_a_list_of_one(void **state)
{
	struct conf c;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.agent.n_collectors, 0);
	parse_ok("[agent]\ncollector = kc1:7000\n", &c);
	assert_int_equal(c.agent.n_collectors, 1);
	assert_string_equal(c.agent.collectors[0], "kc1:7000");
	/* One entry is named as a lone collector always was. */
	assert_refused("[agent]\ncollector = kc1:0\n",
		       "/etc/kagent/kagent.conf:2: collector 'kc1:0': port is "
		       "not a number from 1 to 65535");
	assert_refused("[agent]\ncollector = \n",
		       "/etc/kagent/kagent.conf:2: collector is empty");
}

static void test_eight_entries_at_most(void **state)
{
	struct conf c;

	(void)state;
	parse_ok("[agent]\ncollector = a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8\n", &c);
	assert_int_equal(c.agent.n_collectors, 8);
	assert_string_equal(c.agent.collectors[7], "a:8");
	assert_refused("[agent]\ncollector = a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8,"
		       "a:9\n",
		       "/etc/kagent/kagent.conf:2: collector lists 9 entries, "
		       "at most 8");
}

static void test_bad_entry_is_named_with_its_position(void **state)
{
	(void)state;
	assert_refused("[agent]\ncollector = a.example:7070, b.example:70700, "
		       "c.example:7070\n",
		       "/etc/kagent/kagent.conf:2: collector entry 2 of 3 "
		       "'b.example:70700': port is not a number from 1 to "
		       "65535");
	assert_refused("[agent]\ncollector = a.example:7070, ::1:7000\n",
		       "/etc/kagent/kagent.conf:2: collector entry 2 of 2 "
		       "'::1:7000': an IPv6 address goes in brackets: "
		       "[ADDRESS]:PORT");
	assert_refused("[agent]\ncollector = a.example:7070,, b.example:7070\n",
		       "/etc/kagent/kagent.conf:2: collector entry 2 of 3 is "
		       "empty");
	assert_refused("[agent]\ncollector = a.example:7070,\n",
		       "/etc/kagent/kagent.conf:2: collector entry 2 of 2 is "
		       "empty");
}

static void test_duplicate_is_refused(void **state)
{
	struct conf c;

	(void)state;
	assert_refused("[agent]\ncollector = a.example:7070, b.example:7070, "
		       "A.Example:7070\n",
		       "/etc/kagent/kagent.conf:2: collector entry 3 of 3 "
		       "'A.Example:7070' repeats entry 1 'a.example:7070'");
	/* Same host, another port: another collector. */
	parse_ok("[agent]\ncollector = a.example:7070, a.example:7071\n", &c);
	assert_int_equal(c.agent.n_collectors, 2);
}

static void test_failback_interval(void **state)
{
	struct conf c;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.agent.failback_interval_s, 60);
	parse_ok("[agent]\nfailback_interval = 5\n", &c);
	assert_int_equal(c.agent.failback_interval_s, 5);
	assert_refused("[agent]\nfailback_interval = 0\n",
		       "/etc/kagent/kagent.conf:2: 'failback_interval' must be "
		       "seconds from 1 to 86400, not '0'");
}

/* The parser alone, as uplink_pick_init and kagentd -t use it. */
static void test_parse_function_direct(void **state)
{
	char out[CONF_COLLECTORS_MAX][CONF_COLLECTOR_LEN];
	char err[256] = "";
	size_t n = 99;

	(void)state;
	assert_int_equal(
	    conf_collectors_parse("x:1, y:2", out, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[1], "y:2");
	n = 99;
	assert_int_equal(
	    conf_collectors_parse("x:1, x:1", out, &n, err, sizeof err),
	    -EINVAL);
	assert_string_equal(
	    err, "collector entry 2 of 2 'x:1' repeats entry 1 'x:1'");
	assert_int_equal(n, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_keeps_order_and_trims_blanks),
	    cmocka_unit_test(test_single_collector_is_a_list_of_one),
	    cmocka_unit_test(test_eight_entries_at_most),
	    cmocka_unit_test(test_bad_entry_is_named_with_its_position),
	    cmocka_unit_test(test_duplicate_is_refused),
	    cmocka_unit_test(test_failback_interval),
	    cmocka_unit_test(test_parse_function_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
