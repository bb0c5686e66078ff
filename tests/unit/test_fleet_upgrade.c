/* Release numbers and the rolling upgrade of a ZooKeeper-mode Kafka cluster
 * (ROLES.md "Rolling upgrade"): which step the cluster is in and the
 * kafka.upgrade.* flags, on the scenarios of the fleet issue.  Releases and
 * pins are those of Kafka's upgrade guide (corpus
 * kafka-config/docs-upgrade-3.9.0-zk-rolling.html.txt) and of the
 * server-0.10.2.2 / server-2.8.2 configurations of the corpus. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "coll.h"

#define CLUSTER "prod-eu1"

static struct coll_host broker(const char *id, const char *rack,
			       const char *version, const char *ibp,
			       const char *lmfv)
{
	struct coll_host h;

	memset(&h, 0, sizeof h);
	snprintf(h.host_id, sizeof h.host_id, "%s", id);
	snprintf(h.cluster, sizeof h.cluster, "%s", CLUSTER);
	snprintf(h.rack, sizeof h.rack, "%s", rack);
	snprintf(h.broker_rack, sizeof h.broker_rack, "%s", rack);
	snprintf(h.kafka_version, sizeof h.kafka_version, "%s", version);
	snprintf(h.ibp, sizeof h.ibp, "%s", ibp);
	snprintf(h.lmfv, sizeof h.lmfv, "%s", lmfv);
	h.roles = CORE_ROLE_KAFKA;
	h.kafka_present = true;
	h.kafka_running = true;
	h.partition_dirs.v = 120;
	h.partition_dirs.known = true;
	return h;
}

static size_t count_id(const struct check_results *r, const char *id)
{
	size_t i, c = 0;

	for (i = 0; i < r->n; i++)
		c += strcmp(r->v[i].id, id) == 0;
	return c;
}

static const struct check_result *one(const struct check_results *r,
				      const char *id, const char *instance)
{
	const struct check_result *found = NULL;
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].id, id) ||
		    strcmp(r->v[i].instance, instance))
			continue;
		if (found)
			fail_msg("two results %s [%s]", id, instance);
		found = &r->v[i];
	}
	if (found == NULL)
		fail_msg("no result %s [%s]", id, instance);
	return found;
}

static void assert_result(const struct check_results *r, const char *id,
			  const char *instance, enum check_severity sev,
			  const char *measured, const char *message_part)
{
	const struct check_result *c = one(r, id, instance);

	assert_string_equal(check_severity_name(c->sev),
			    check_severity_name(sev));
	if (measured)
		assert_string_equal(c->measured, measured);
	if (message_part && strstr(c->message, message_part) == NULL)
		fail_msg("%s: '%s' lacks '%s'", id, c->message, message_part);
}

static void judge(const struct coll_host *h, size_t n, struct check_results *r)
{
	assert_int_equal(coll_fleet_judge(CLUSTER, h, n, false, r), 0);
}

static void assert_version(const char *s, unsigned n, unsigned a, unsigned b,
			   unsigned c, unsigned d)
{
	struct coll_version v;

	assert_int_equal(coll_version_parse(s, &v), 0);
	assert_int_equal(v.n, n);
	assert_int_equal(v.v[0], a);
	assert_int_equal(v.v[1], b);
	assert_int_equal(v.v[2], c);
	assert_int_equal(v.v[3], d);
}

static int cmp(const char *a, const char *b)
{
	struct coll_version x, y;

	assert_int_equal(coll_version_parse(a, &x), 0);
	assert_int_equal(coll_version_parse(b, &y), 0);
	return coll_version_cmp(&x, &y);
}

static void test_version_parse_dotted_and_suffixed(void **state)
{
	struct coll_version v;

	(void)state;
	assert_version("3.6.1", 3, 3, 6, 1, 0);
	assert_version("3.10.0", 3, 3, 10, 0, 0);
	assert_version("0.10.2.1", 4, 0, 10, 2, 1);
	assert_version("2.8", 2, 2, 8, 0, 0);
	assert_version("3.6-IV2", 2, 3, 6, 0, 0);
	assert_version("2.8.1-SNAPSHOT", 3, 2, 8, 1, 0);
	assert_int_equal(coll_version_parse("", &v), -EINVAL);
	assert_int_equal(coll_version_parse("3.", &v), -EINVAL);
	assert_int_equal(coll_version_parse("3..6", &v), -EINVAL);
	assert_int_equal(coll_version_parse("3.6a", &v), -EINVAL);
	assert_int_equal(coll_version_parse("v3.6", &v), -EINVAL);
	assert_int_equal(coll_version_parse("-IV2", &v), -EINVAL);
	assert_int_equal(coll_version_parse("1.2.3.4.5", &v), -EINVAL);
	assert_int_equal(coll_version_parse("3.99999999999", &v), -EINVAL);
}

static void test_version_compare_is_numeric(void **state)
{
	(void)state;
	assert_true(cmp("3.6.1", "3.10.0") < 0);
	assert_true(cmp("3.10.0", "3.9.2") > 0);
	assert_true(cmp("0.10.2.1", "0.10.2") > 0);
	assert_true(cmp("0.10.2.1", "0.9.0.1") > 0);
	assert_int_equal(cmp("2.8", "2.8.0"), 0);
	assert_int_equal(cmp("3.6-IV2", "3.6"), 0);
	assert_true(cmp("2.8.2", "3.0") < 0);
}

static void test_version_protocol_level(void **state)
{
	struct coll_version v, p;

	(void)state;
	assert_int_equal(coll_version_parse("3.6.1", &v), 0);
	coll_version_protocol(&v, &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0], 3);
	assert_int_equal(p.v[1], 6);
	assert_int_equal(p.v[2], 0);
	assert_int_equal(coll_version_parse("0.10.2.1", &v), 0);
	coll_version_protocol(&v, &p);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[2], 2);
	assert_int_equal(p.v[3], 0);
	assert_int_equal(coll_version_parse("2.8", &v), 0);
	coll_version_protocol(&v, &p);
	assert_int_equal(p.n, 2);
}

static void test_mixed_versions_without_pins_fail(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.7.0", "", ""),
				broker("kafka2", "b", "3.6.1", "", ""),
				broker("kafka3", "c", "3.6.1", "", "")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_int_equal(count_id(&r, "kafka.upgrade.pins"), 1);
	assert_result(&r, "kafka.upgrade.pins", "kafka1", SEV_FAIL,
		      "3.7.0 ibp=unset lmfv=unset",
		      "kafka1 runs 3.7.0, newer than kafka2 (3.6.1), without "
		      "inter.broker.protocol.version pinned to 3.6");
	assert_string_equal(one(&r, "kafka.upgrade.pins", "kafka1")->required,
			    "protocol at most 3.6");
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO,
		      "step 2: 1 of 3 brokers upgraded", NULL);
	check_results_free(&r);
}

static void test_mixed_versions_pinned_to_old_pass_step_2(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.7.0", "3.6-IV2", ""),
				broker("kafka2", "b", "3.7.0", "3.6", "3.6"),
				broker("kafka3", "c", "3.6.1", "3.6", "3.6")};
	struct check_results r = {0};
	enum check_severity verdict = SEV_FAIL;

	(void)state;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "", SEV_PASS, "",
		      "every broker speaks protocol 3.6 or older");
	assert_result(&r, "kafka.upgrade.pending", "", SEV_PASS, "",
		      "mixed versions");
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO,
		      "step 2: 2 of 3 brokers upgraded",
		      "2 of 3 brokers run 3.7");
	assert_int_equal(coll_fleet_verdict(CLUSTER, h, 3, false, &verdict), 0);
	/* The files pass; what only the live metadata tells (ISR, leaders,
	 * the next broker) is unknown without it: test_fleet_kafka. */
	assert_int_equal(verdict, SEV_UNKNOWN);
	check_results_free(&r);
}

static void test_all_upgraded_pins_still_set_pending(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.7.0", "3.6", "3.6"),
				broker("kafka2", "b", "3.7.0", "3.6", "3.6"),
				broker("kafka3", "c", "3.7.0", "3.6", "3.6")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "", SEV_PASS, "", NULL);
	assert_result(&r, "kafka.upgrade.pending", "", SEV_WARN,
		      "3 of 3 pinned",
		      "all 3 brokers run 3.7 but kafka1, kafka2, kafka3 still "
		      "pin the protocol below it: step 3");
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO,
		      "step 3: pins being removed", "3 of 3 still pin");
	check_results_free(&r);

	/* one pin raised: still step 3, two to go */
	snprintf(h[0].ibp, sizeof h[0].ibp, "3.7");
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pending", "", SEV_WARN,
		      "2 of 3 pinned", "kafka2, kafka3 still pin");
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO,
		      "step 3: pins being removed", "2 of 3 still pin");
	check_results_free(&r);
}

static void test_pins_removed_while_one_broker_old_fail(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.7.0", "", ""),
				broker("kafka2", "b", "3.7.0", "", ""),
				broker("kafka3", "c", "3.6.1", "3.6", "")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_int_equal(count_id(&r, "kafka.upgrade.pins"), 2);
	assert_result(
	    &r, "kafka.upgrade.pins", "kafka1", SEV_FAIL, NULL,
	    "pins removed from kafka1 (runs 3.7.0) while kafka3 still "
	    "runs 3.6.1");
	assert_result(&r, "kafka.upgrade.pins", "kafka2", SEV_FAIL, NULL,
		      "pins removed from kafka2");
	check_results_free(&r);

	/* raising the pin before the last broker is upgraded is the same */
	snprintf(h[0].ibp, sizeof h[0].ibp, "3.7");
	snprintf(h[1].ibp, sizeof h[1].ibp, "3.6");
	judge(h, 3, &r);
	assert_int_equal(count_id(&r, "kafka.upgrade.pins"), 1);
	assert_result(&r, "kafka.upgrade.pins", "kafka1", SEV_FAIL,
		      "3.7.0 ibp=3.7 lmfv=unset",
		      "kafka1 pins inter.broker.protocol.version to 3.7 while "
		      "kafka3 still runs 3.6.1");
	check_results_free(&r);
}

static void test_patch_releases_share_a_protocol(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.6.2", "", ""),
				broker("kafka2", "b", "3.6.1", "", ""),
				broker("kafka3", "c", "3.6.1", "", "")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "", SEV_PASS, "", NULL);
	assert_result(&r, "kafka.upgrade.pending", "", SEV_PASS,
		      "0 of 3 pinned", NULL);
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO, "idle",
		      "every broker runs 3.6; no upgrade under way");
	check_results_free(&r);
}

static void test_pinned_to_running_version_is_step_1(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.6.1", "3.6", ""),
				broker("kafka2", "b", "3.6.1", "3.6-IV2", ""),
				broker("kafka3", "c", "3.6.1", "3.6", "")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO,
		      "step 1: pinned, not started", NULL);
	assert_result(&r, "kafka.upgrade.pending", "", SEV_PASS, NULL, NULL);
	check_results_free(&r);

	h[2].ibp[0] = '\0';
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO, "idle", NULL);
	check_results_free(&r);
}

/* From before 0.11 the message format changes too: both pins are needed. */
static void test_upgrade_from_0_10_needs_message_format_pin(void **state)
{
	struct coll_host h[] = {
	    broker("kafka1", "a", "2.8.2", "0.10.2", ""),
	    broker("kafka2", "b", "0.10.2.2", "0.10.2", "0.10.2"),
	    broker("kafka3", "c", "0.10.2.2", "0.10.2", "0.10.2"),
	};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "kafka1", SEV_FAIL,
		      "2.8.2 ibp=0.10.2 lmfv=unset",
		      "log.message.format.version is unset on kafka1 (runs "
		      "2.8.2) while kafka2 still runs 0.10.2.2: upgrading from "
		      "before 0.11 it must be pinned to 0.10.2 as well");
	check_results_free(&r);

	/* a format pin newer than the oldest release is as bad */
	snprintf(h[0].lmfv, sizeof h[0].lmfv, "2.8");
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "kafka1", SEV_FAIL,
		      "2.8.2 ibp=0.10.2 lmfv=2.8",
		      "log.message.format.version is 2.8 on kafka1");
	check_results_free(&r);

	snprintf(h[0].lmfv, sizeof h[0].lmfv, "0.10.2");
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "", SEV_PASS, "",
		      "every broker speaks protocol 0.10.2 or older");
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO,
		      "step 2: 1 of 3 brokers upgraded", NULL);
	check_results_free(&r);
}

/* From 3.0 on Kafka ignores log.message.format.version. */
static void test_leftover_message_format_pin_ignored_from_3_0(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.7.0", "", "2.8"),
				broker("kafka2", "b", "3.7.0", "", "2.8"),
				broker("kafka3", "c", "3.7.0", "", "2.8")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pending", "", SEV_PASS,
		      "0 of 3 pinned", NULL);
	check_results_free(&r);

	/* before 3.0 the same leftover pin still holds the format back */
	snprintf(h[0].kafka_version, sizeof h[0].kafka_version, "2.8.2");
	snprintf(h[1].kafka_version, sizeof h[1].kafka_version, "2.8.2");
	snprintf(h[2].kafka_version, sizeof h[2].kafka_version, "2.8.2");
	snprintf(h[1].lmfv, sizeof h[1].lmfv, "2.7");
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pending", "", SEV_WARN,
		      "1 of 3 pinned", "kafka2 still pin");
	check_results_free(&r);
}

static void test_kraft_cluster_needs_no_config_pins(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.7.0", "", ""),
				broker("kafka2", "b", "3.6.1", "", ""),
				broker("kafka3", "c", "3.6.1", "", "")};
	struct check_results r = {0};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		h[i].kafka_kraft = true;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "", SEV_PASS, "", NULL);
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO,
		      "step 2: 1 of 3 brokers upgraded", NULL);
	check_results_free(&r);
}

static void test_two_brokers_down_warn_concurrent(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "3.7.0", "3.6", ""),
				broker("kafka2", "b", "3.6.1", "3.6", ""),
				broker("kafka3", "c", "3.6.1", "3.6", "")};
	struct check_results r = {0};

	(void)state;
	h[1].kafka_running = false;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.concurrent", "", SEV_PASS,
		      "1 of 3 down", "one broker down (kafka2)");
	check_results_free(&r);

	/* a broker that stopped reporting counts as down */
	h[2].stale = true;
	judge(h, 3, &r);
	assert_result(
	    &r, "kafka.upgrade.concurrent", "", SEV_WARN, "2 of 3 down",
	    "2 brokers down or not reporting at once (kafka2, kafka3)");
	check_results_free(&r);

	h[1].kafka_running = true;
	h[2].stale = false;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.concurrent", "", SEV_PASS,
		      "0 of 3 down", "every broker running and reporting");
	check_results_free(&r);
}

static void test_unknown_version_is_unknown(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", "", "", ""),
				broker("kafka2", "b", "3.6.1", "", ""),
				broker("kafka3", "c", "3.6.1", "3.x", "")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, &r);
	assert_result(&r, "kafka.upgrade.pins", "kafka1", SEV_UNKNOWN, "",
		      "Kafka version of kafka1 unknown");
	assert_result(&r, "kafka.upgrade.pins", "kafka3", SEV_UNKNOWN, "",
		      "inter.broker.protocol.version='3.x'");
	assert_result(&r, "kafka.upgrade.pins", "", SEV_PASS, "", NULL);
	assert_result(&r, "kafka.upgrade.step", "", SEV_INFO, "idle",
		      "every broker runs 3.6; no upgrade under way");
	check_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version_parse_dotted_and_suffixed),
	    cmocka_unit_test(test_version_compare_is_numeric),
	    cmocka_unit_test(test_version_protocol_level),
	    cmocka_unit_test(test_mixed_versions_without_pins_fail),
	    cmocka_unit_test(test_mixed_versions_pinned_to_old_pass_step_2),
	    cmocka_unit_test(test_all_upgraded_pins_still_set_pending),
	    cmocka_unit_test(test_pins_removed_while_one_broker_old_fail),
	    cmocka_unit_test(test_patch_releases_share_a_protocol),
	    cmocka_unit_test(test_pinned_to_running_version_is_step_1),
	    cmocka_unit_test(test_upgrade_from_0_10_needs_message_format_pin),
	    cmocka_unit_test(test_leftover_message_format_pin_ignored_from_3_0),
	    cmocka_unit_test(test_kraft_cluster_needs_no_config_pins),
	    cmocka_unit_test(test_two_brokers_down_warn_concurrent),
	    cmocka_unit_test(test_unknown_version_is_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
