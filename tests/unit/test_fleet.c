/* The cluster judgement (ROLES.md "ZooKeeper ensemble" and "Kafka cluster",
 * fleet, per cluster) on the scenarios of the fleet issue.  The ZooKeeper
 * hosts carry the names and server.N lines of ZooKeeper's own three-server
 * example (corpus kafka-config/docs-zk-ensemble-3.cfg). */
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

static struct coll_host zk_host(const char *id, const char *rack)
{
	struct coll_host h;

	memset(&h, 0, sizeof h);
	snprintf(h.host_id, sizeof h.host_id, "%s", id);
	snprintf(h.cluster, sizeof h.cluster, "%s", CLUSTER);
	snprintf(h.rack, sizeof h.rack, "%s", rack);
	h.roles = CORE_ROLE_ZOOKEEPER;
	h.zk_running = true;
	snprintf(h.zk_mode, sizeof h.zk_mode, "follower");
	return h;
}

/* A running 3.6.1 broker with broker.rack equal to its rack. */
static struct coll_host broker(const char *id, const char *rack,
			       int64_t partition_dirs)
{
	struct coll_host h;

	memset(&h, 0, sizeof h);
	snprintf(h.host_id, sizeof h.host_id, "%s", id);
	snprintf(h.cluster, sizeof h.cluster, "%s", CLUSTER);
	snprintf(h.rack, sizeof h.rack, "%s", rack);
	snprintf(h.broker_rack, sizeof h.broker_rack, "%s", rack);
	snprintf(h.kafka_version, sizeof h.kafka_version, "3.6.1");
	h.roles = CORE_ROLE_KAFKA;
	h.kafka_present = true;
	h.kafka_running = true;
	h.partition_dirs.v = partition_dirs;
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

/* The one result with this id and instance ("" for the cluster's). */
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
			  const char *measured, const char *required,
			  const char *message_part)
{
	const struct check_result *c = one(r, id, instance);

	assert_string_equal(check_severity_name(c->sev),
			    check_severity_name(sev));
	if (measured)
		assert_string_equal(c->measured, measured);
	if (required)
		assert_string_equal(c->required, required);
	if (message_part && strstr(c->message, message_part) == NULL)
		fail_msg("%s: '%s' lacks '%s'", id, c->message, message_part);
}

static void judge(const struct coll_host *h, size_t n, bool critical,
		  struct check_results *r)
{
	assert_int_equal(coll_fleet_judge(CLUSTER, h, n, critical, r), 0);
}

static void test_two_zk_in_one_rack_fail_size_and_placement(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "a")};
	struct check_results r = {0};

	(void)state;
	judge(h, 2, false, &r);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_FAIL, "2 servers",
		      "odd, at least 3", "2 servers: below 3 and even");
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "2 of 2 in rack a", "every rack/zone below half",
		      "all 2 servers in rack a: losing it stops the ensemble");
	assert_int_equal(count_id(&r, "kafka.cluster.size"), 0);
	check_results_free(&r);
}

static void test_three_zk_in_three_racks_pass(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "c")};
	struct check_results r = {0};
	enum check_severity verdict = SEV_FAIL;

	(void)state;
	judge(h, 3, false, &r);
	assert_int_equal(r.n, 3);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_PASS, "3 servers",
		      "odd, at least 3", "odd, survives 1 loss");
	/* No LLDP on any host: said, without changing the verdict. */
	assert_result(&r, "rack.lldp_mismatch", "", SEV_INFO, "", "",
		      "no host reports both a rack and the switch LLDP names");
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_PASS,
		      "3 racks/zones, at most 1 in one", NULL,
		      "losing any one leaves a quorum");
	assert_int_equal(coll_fleet_verdict(CLUSTER, h, 3, false, &verdict), 0);
	assert_int_equal(verdict, SEV_PASS);
	check_results_free(&r);
}

static void test_three_zk_warn_when_cluster_critical(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "c")};
	struct check_results r = {0};
	enum check_severity verdict = SEV_PASS;

	(void)state;
	judge(h, 3, true, &r);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_WARN, "3 servers",
		      "odd, 5 for a critical cluster", "should run 5");
	check_results_free(&r);

	/* one host marked critical makes the whole cluster critical */
	h[1].critical = true;
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_WARN, "3 servers",
		      NULL, NULL);
	assert_int_equal(coll_fleet_verdict(CLUSTER, h, 3, false, &verdict), 0);
	assert_int_equal(verdict, SEV_WARN);
	check_results_free(&r);
}

static void test_five_zk_critical_pass(void **state)
{
	struct coll_host h[] = {zk_host("zk1", "a"), zk_host("zk2", "b"),
				zk_host("zk3", "c"), zk_host("zk4", "a"),
				zk_host("zk5", "b")};
	struct check_results r = {0};

	(void)state;
	judge(h, 5, true, &r);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_PASS, "5 servers",
		      "odd, 5 for a critical cluster",
		      "odd, survives 2 losses");
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_PASS,
		      "3 racks/zones, at most 2 in one", NULL, NULL);
	check_results_free(&r);
}

static void test_five_zk_in_racks_aaabc_fail_placement(void **state)
{
	struct coll_host h[] = {zk_host("zk1", "a"), zk_host("zk2", "a"),
				zk_host("zk3", "a"), zk_host("zk4", "b"),
				zk_host("zk5", "c")};
	struct check_results r = {0};

	(void)state;
	judge(h, 5, false, &r);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_PASS, "5 servers",
		      NULL, NULL);
	assert_result(
	    &r, "zookeeper.ensemble.placement", "", SEV_FAIL,
	    "3 of 5 in rack a", NULL,
	    "rack a holds 3 of 5 servers: losing it leaves no quorum");
	check_results_free(&r);
}

/* Two racks with as many servers each: the one met first in the fleet's
 * order is named, whatever their names sort as. */
static void test_zk_placement_tie_names_first_rack(void **state)
{
	struct coll_host h[] = {zk_host("zk1", "b"), zk_host("zk2", "a"),
				zk_host("zk3", "b"), zk_host("zk4", "a")};
	struct check_results r = {0};

	(void)state;
	judge(h, 4, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "2 of 4 in rack b", NULL, "rack b holds 2 of 4 servers");
	check_results_free(&r);
	/* And a zone counts with a rack of the same name, under the kind
	 * of the first member. */
	snprintf(h[0].zone, sizeof h[0].zone, "a");
	h[0].rack[0] = '\0';
	judge(h, 4, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "3 of 4 in zone a", NULL, "zone a holds 3 of 4 servers");
	check_results_free(&r);
}

static void test_four_zk_even_fail_and_half_in_one_rack_fail(void **state)
{
	struct coll_host h[] = {zk_host("zk1", "a"), zk_host("zk2", "a"),
				zk_host("zk3", "b"), zk_host("zk4", "c")};
	struct check_results r = {0};

	(void)state;
	judge(h, 4, false, &r);
	assert_result(
	    &r, "zookeeper.ensemble.size", "", SEV_FAIL, "4 servers", NULL,
	    "even, a quorum needs 3 and survives 1 loss, no more than 3");
	/* 2 of 4 left cannot form a quorum of 3 */
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "2 of 4 in rack a", NULL, "rack a holds 2 of 4 servers");
	check_results_free(&r);
}

static void test_one_zk_fails_size_and_placement(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a")};
	struct check_results r = {0};

	(void)state;
	judge(h, 1, false, &r);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_FAIL, "1 server",
		      NULL, "1 server: below 3, the loss of one");
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "1 of 1 in rack a", NULL, "all 1 servers in rack a");
	check_results_free(&r);
}

static void test_zk_rack_unknown_is_unknown(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "")};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_UNKNOWN,
		      "1 of 3 without rack", NULL,
		      "racks unknown for zoo3: set rack (or zone)");
	check_results_free(&r);

	/* two known in one rack already prove the quorum falls with it */
	snprintf(h[1].rack, sizeof h[1].rack, "a");
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "2 of 3 in rack a", NULL, "rack a holds 2 of 3 servers");
	check_results_free(&r);
}

static void test_zk_zone_is_the_domain_without_rack(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", ""), zk_host("zoo2", ""),
				zk_host("zoo3", "")};
	struct check_results r = {0};

	(void)state;
	snprintf(h[0].zone, sizeof h[0].zone, "eu-west-1a");
	snprintf(h[1].zone, sizeof h[1].zone, "eu-west-1b");
	snprintf(h[2].zone, sizeof h[2].zone, "eu-west-1a");
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "2 of 3 in zone eu-west-1a", NULL,
		      "zone eu-west-1a holds 2 of 3 servers");
	check_results_free(&r);

	snprintf(h[2].zone, sizeof h[2].zone, "eu-west-1c");
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_PASS,
		      "3 racks/zones, at most 1 in one", NULL, NULL);
	check_results_free(&r);
}

/* server.1=zoo1:2888:3888 ... server.3=zoo3:2888:3888 */
static void set_ensemble(struct coll_host *h, size_t n)
{
	size_t i;

	h->n_ensemble = n;
	for (i = 0; i < n; i++) {
		h->ensemble[i].id = (int)i + 1;
		snprintf(h->ensemble[i].host, sizeof h->ensemble[i].host,
			 "zoo%zu", i + 1);
	}
}

static void test_zk_configured_ensemble_agrees_no_extra_result(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "c")};
	struct check_results r = {0};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		set_ensemble(&h[i], 3);
	judge(h, 3, false, &r);
	assert_int_equal(count_id(&r, "zookeeper.ensemble.size"), 1);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_PASS, "3 servers",
		      NULL, NULL);
	check_results_free(&r);
}

static void test_zk_configured_more_than_reporting_warns(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "c")};
	struct check_results r = {0};

	(void)state;
	set_ensemble(&h[0], 5);
	set_ensemble(&h[1], 3);
	judge(h, 3, false, &r);
	assert_int_equal(count_id(&r, "zookeeper.ensemble.size"), 2);
	assert_result(&r, "zookeeper.ensemble.size", "zoo1", SEV_WARN,
		      "5 configured", "3 reporting",
		      "zoo.cfg on zoo1 lists 5 servers but 3 hosts of cluster "
		      "prod-eu1 report the ZooKeeper role: 2 run no agent");
	check_results_free(&r);
}

static void test_zk_configured_fewer_than_reporting_warns(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "c")};
	struct check_results r = {0};

	(void)state;
	set_ensemble(&h[2], 1);
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.size", "zoo3", SEV_WARN,
		      "1 configured", "3 reporting",
		      "2 of them are outside this server's ensemble");
	check_results_free(&r);
}

static void test_hosts_of_other_clusters_are_ignored(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "c"), zk_host("zoo4", "d")};
	struct check_results r = {0};

	(void)state;
	snprintf(h[3].cluster, sizeof h[3].cluster, "prod-us1");
	h[3].critical = true;
	judge(h, 4, false, &r);
	assert_result(&r, "zookeeper.ensemble.size", "", SEV_PASS, "3 servers",
		      "odd, at least 3", NULL);
	check_results_free(&r);
	judge(h, 0, false, &r);
	assert_int_equal(r.n, 0);
	check_results_free(&r);
}

static void test_two_brokers_fail_size(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "b", 100)};
	struct check_results r = {0};

	(void)state;
	judge(h, 2, false, &r);
	assert_result(&r, "kafka.cluster.size", "", SEV_FAIL, "2 brokers",
		      "at least 3", "replication factor 3 needs 3 brokers");
	assert_int_equal(count_id(&r, "zookeeper.ensemble.size"), 0);
	check_results_free(&r);
}

static void test_three_brokers_in_three_racks_pass(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "b", 100),
				broker("kafka3", "c", 100)};
	struct check_results r = {0};
	enum check_severity verdict = SEV_FAIL;

	(void)state;
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.size", "", SEV_PASS, "3 brokers",
		      "at least 3", NULL);
	assert_result(&r, "kafka.cluster.placement", "", SEV_PASS,
		      "3 racks/zones, at most 1 in one", NULL, NULL);
	assert_result(&r, "kafka.cluster.rack_mismatch", "", SEV_PASS,
		      "3 agree", NULL, NULL);
	assert_result(&r, "kafka.cluster.partition_skew", "", SEV_PASS,
		      "median 100", "50% of median 100", NULL);
	assert_int_equal(coll_fleet_verdict(CLUSTER, h, 3, false, &verdict), 0);
	/* The files pass; what only the live metadata tells (ISR, leaders,
	 * the next broker) is unknown without it: test_fleet_kafka. */
	assert_int_equal(verdict, SEV_UNKNOWN);
	check_results_free(&r);
}

static void test_three_brokers_in_one_rack_warn(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "a", 100),
				broker("kafka3", "a", 100)};
	struct check_results r = {0};

	(void)state;
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.placement", "", SEV_WARN,
		      "all 3 in rack a", "several racks/zones",
		      "all 3 brokers in rack a: losing it loses every replica");
	check_results_free(&r);

	h[2].rack[0] = '\0';
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.placement", "", SEV_UNKNOWN,
		      "1 of 3 without rack", NULL, "racks unknown for kafka3");
	check_results_free(&r);
}

static void test_broker_rack_mismatch_warns_per_broker(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "b", 100),
				broker("kafka3", "c", 100)};
	struct check_results r = {0};

	(void)state;
	snprintf(h[1].broker_rack, sizeof h[1].broker_rack, "a");
	judge(h, 3, false, &r);
	assert_int_equal(count_id(&r, "kafka.cluster.rack_mismatch"), 1);
	assert_result(&r, "kafka.cluster.rack_mismatch", "kafka2", SEV_WARN,
		      "broker.rack=a", "rack b",
		      "broker.rack is a but kafka2 is in rack b");
	check_results_free(&r);

	/* unset broker.rack is no disagreement, but worth saying */
	h[1].broker_rack[0] = '\0';
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.rack_mismatch", "kafka2", SEV_INFO,
		      "broker.rack unset", "rack b", "broker.rack is unset");
	assert_result(&r, "kafka.cluster.rack_mismatch", "", SEV_PASS,
		      "2 agree", NULL, NULL);
	check_results_free(&r);
}

static void test_partition_skew_warns_on_empty_broker(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "b", 100),
				broker("kafka3", "c", 0)};
	struct check_results r = {0};
	const struct check_result *c;

	(void)state;
	judge(h, 3, false, &r);
	assert_int_equal(count_id(&r, "kafka.cluster.partition_skew"), 1);
	assert_result(
	    &r, "kafka.cluster.partition_skew", "kafka3", SEV_WARN,
	    "0 partition dirs", "50% of median 100",
	    "kafka3 holds 0 partition directories, the median is 100");
	c = one(&r, "kafka.cluster.partition_skew", "kafka3");
	assert_non_null(strstr(c->message, "reassign existing partitions by "
					   "hand, one topic at a time"));
	assert_non_null(strstr(c->message, "after shrinking partitions "
					   "(retention)"));
	check_results_free(&r);
}

static void test_partition_skew_threshold_both_sides(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "b", 100),
				broker("kafka3", "c", 50)};
	struct coll_fleet_thresholds th;
	struct check_results r = {0};

	(void)state;
	coll_fleet_thresholds_default(&th);
	assert_int_equal(th.skew_below_pct, 50);
	/* exactly half the median is not below half */
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.partition_skew", "", SEV_PASS,
		      "median 100", "50% of median 100", NULL);
	check_results_free(&r);

	h[2].partition_dirs.v = 49;
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.partition_skew", "kafka3", SEV_WARN,
		      "49 partition dirs", "50% of median 100", NULL);
	check_results_free(&r);

	h[2].partition_dirs.v = 60;
	th.skew_below_pct = 70;
	assert_int_equal(coll_fleet_judge_with(CLUSTER, h, 3, false, &th, &r),
			 0);
	assert_result(&r, "kafka.cluster.partition_skew", "kafka3", SEV_WARN,
		      "60 partition dirs", "70% of median 100", NULL);
	check_results_free(&r);

	th.skew_below_pct = 101;
	assert_int_equal(coll_fleet_judge_with(CLUSTER, h, 3, false, &th, &r),
			 -EINVAL);
	check_results_free(&r);
}

static void test_partition_skew_zero_counts_with_zero_threshold(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "b", 100),
				broker("kafka3", "c", 0)};
	struct coll_fleet_thresholds th = {.skew_below_pct = 0,
					    .kafka_min_brokers = 3};
	struct check_results r = {0};

	(void)state;
	assert_int_equal(coll_fleet_judge_with(CLUSTER, h, 3, false, &th, &r),
			 0);
	assert_result(&r, "kafka.cluster.partition_skew", "kafka3", SEV_WARN,
		      "0 partition dirs", "0% of median 100", NULL);
	check_results_free(&r);

	/* a new cluster without topics: every broker at 0 is no skew */
	h[0].partition_dirs.v = h[1].partition_dirs.v = 0;
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.partition_skew", "", SEV_PASS,
		      "median 0", NULL, NULL);
	check_results_free(&r);
}

static void test_partition_skew_unknown_counts(void **state)
{
	struct coll_host h[] = {broker("kafka1", "a", 100),
				broker("kafka2", "b", 100),
				broker("kafka3", "c", 0)};
	struct check_results r = {0};

	(void)state;
	h[2].partition_dirs.known = false;
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.partition_skew", "kafka3", SEV_UNKNOWN,
		      "", NULL, "partition directories of kafka3 not counted");
	assert_result(&r, "kafka.cluster.partition_skew", "", SEV_PASS,
		      "median 100", NULL, NULL);
	check_results_free(&r);

	h[1].partition_dirs.known = false;
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.partition_skew", "", SEV_UNKNOWN, "",
		      NULL, "1 broker with counted partition directories");
	check_results_free(&r);
}

static void on_switch(struct coll_host *h, const char *a, const char *b)
{
	h->n_switches = 0;
	snprintf(h->switches[h->n_switches++], sizeof h->switches[0], "%s", a);
	if (b)
		snprintf(h->switches[h->n_switches++], sizeof h->switches[0],
			 "%s", b);
}

/* The case: two hosts configured in one rack, cabled to
 * different switches. */
static void test_rack_lldp_one_rack_two_switches_warns(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "r12"), zk_host("zoo2", "r12"),
				zk_host("zoo3", "r13")};
	struct check_results r = {0};

	(void)state;
	on_switch(&h[0], "sw-r12-a", NULL);
	on_switch(&h[1], "sw-r14-a", NULL);
	on_switch(&h[2], "sw-r13-a", NULL);
	judge(h, 3, false, &r);
	assert_int_equal(count_id(&r, "rack.lldp_mismatch"), 1);
	assert_result(&r, "rack.lldp_mismatch", "zoo2", SEV_WARN,
		      "switch sw-r14-a", "switch sw-r12-a, as zoo1",
		      "zoo1 and zoo2 are both in rack r12 but hang from "
		      "different switches (sw-r12-a, sw-r14-a)");
	check_results_free(&r);

	/* Cabled as named: one pass for the cluster. */
	on_switch(&h[1], "sw-r12-a", NULL);
	judge(h, 3, false, &r);
	assert_result(&r, "rack.lldp_mismatch", "", SEV_PASS, "3 hosts", "",
		      "the racks of 3 hosts agree with their switches");
	check_results_free(&r);
}

static void test_rack_lldp_one_switch_two_racks_warns(void **state)
{
	struct coll_host h[] = {broker("kafka1", "r1", 100),
				broker("kafka2", "r2", 100),
				broker("kafka3", "r3", 100)};
	struct check_results r = {0};

	(void)state;
	on_switch(&h[0], "tor-1", NULL);
	on_switch(&h[1], "tor-1", NULL);
	on_switch(&h[2], "tor-3", NULL);
	judge(h, 3, false, &r);
	assert_result(&r, "rack.lldp_mismatch", "kafka2", SEV_WARN,
		      "switch tor-1", "a switch of rack r2 only",
		      "kafka1 (rack r1) and kafka2 (rack r2) hang from one "
		      "switch, tor-1");
	/* broker.rack equals the rack here, so Kafka's view warns too. */
	assert_result(&r, "kafka.cluster.rack_mismatch", "kafka2/lldp",
		      SEV_WARN, "switch tor-1",
		      "a switch of broker.rack r2 only",
		      "kafka1 (broker.rack r1) and kafka2 (broker.rack r2)");
	check_results_free(&r);
}

/* A bond over a pair of top-of-rack switches sees both; a host of the same
 * rack on one of them agrees. */
static void test_rack_lldp_switch_pair_agrees(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "r1"), zk_host("zoo2", "r1"),
				zk_host("zoo3", "r2")};
	struct check_results r = {0};

	(void)state;
	on_switch(&h[0], "r1-a", "r1-b");
	on_switch(&h[1], "r1-b", NULL);
	on_switch(&h[2], "r2-a", "r2-b");
	judge(h, 3, false, &r);
	assert_result(&r, "rack.lldp_mismatch", "", SEV_PASS, "3 hosts", "",
		      NULL);
	check_results_free(&r);
}

static void test_rack_lldp_without_lldp_is_info_with_reason(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", "a"), zk_host("zoo2", "b"),
				zk_host("zoo3", "c")};
	struct check_results r = {0};
	enum check_severity verdict = SEV_FAIL;

	(void)state;
	snprintf(h[0].lldp_reason, sizeof h[0].lldp_reason,
		 "eno1: no LLDP daemon (/run/lldpd.socket: absent)");
	judge(h, 3, false, &r);
	assert_result(&r, "rack.lldp_mismatch", "", SEV_INFO, "", "",
		      "no host reports both a rack and the switch LLDP names: "
		      "zoo1, eno1: no LLDP daemon (/run/lldpd.socket: absent)");
	assert_int_equal(coll_fleet_verdict(CLUSTER, h, 3, false, &verdict), 0);
	assert_int_equal(verdict, SEV_PASS);
	check_results_free(&r);
}

/* No rack or zone configured: the switch is the failure domain. */
static void test_placement_uses_switch_without_racks(void **state)
{
	struct coll_host h[] = {zk_host("zoo1", ""), zk_host("zoo2", ""),
				zk_host("zoo3", "")};
	struct check_results r = {0};

	(void)state;
	on_switch(&h[0], "sw-1", NULL);
	on_switch(&h[1], "sw-1", NULL);
	on_switch(&h[2], "sw-2", NULL);
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_FAIL,
		      "2 of 3 in switch sw-1", NULL,
		      "switch sw-1 holds 2 of 3 servers");
	check_results_free(&r);

	on_switch(&h[1], "sw-3", NULL);
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_PASS,
		      "3 racks/zones, at most 1 in one", NULL, NULL);
	check_results_free(&r);

	/* A configured rack wins over the switch: zoo2 on sw-1 but in
	 * rack r9 makes three domains. */
	on_switch(&h[1], "sw-1", NULL);
	snprintf(h[1].rack, sizeof h[1].rack, "r9");
	judge(h, 3, false, &r);
	assert_result(&r, "zookeeper.ensemble.placement", "", SEV_PASS,
		      "3 racks/zones, at most 1 in one", NULL, NULL);
	check_results_free(&r);
}

static void test_kafka_placement_uses_switch_without_racks(void **state)
{
	struct coll_host h[] = {broker("kafka1", "", 100),
				broker("kafka2", "", 100),
				broker("kafka3", "", 100)};
	struct check_results r = {0};

	(void)state;
	on_switch(&h[0], "sw-1", NULL);
	on_switch(&h[1], "sw-1", NULL);
	on_switch(&h[2], "sw-1", NULL);
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.placement", "", SEV_WARN,
		      "all 3 in switch sw-1", NULL,
		      "all 3 brokers in switch sw-1");
	/* broker.rack is "" here: Kafka's view has nothing to compare. */
	assert_result(&r, "kafka.cluster.rack_mismatch", "", SEV_UNKNOWN, "",
		      "", "or a switch through LLDP");
	check_results_free(&r);

	h[2].n_switches = 0;
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.placement", "", SEV_UNKNOWN,
		      "1 of 3 without rack", NULL,
		      "racks unknown for kafka3: set rack (or zone) in "
		      "kagent.conf [host], or run lldpd");
	check_results_free(&r);
}

/* broker.rack set, no rack in kagent.conf: the switches alone judge it. */
static void test_kafka_rack_mismatch_lldp_view(void **state)
{
	struct coll_host h[] = {broker("kafka1", "", 100),
				broker("kafka2", "", 100),
				broker("kafka3", "", 100)};
	struct check_results r = {0};

	(void)state;
	snprintf(h[0].broker_rack, sizeof h[0].broker_rack, "r1");
	snprintf(h[1].broker_rack, sizeof h[1].broker_rack, "r1");
	snprintf(h[2].broker_rack, sizeof h[2].broker_rack, "r2");
	on_switch(&h[0], "sw-1", NULL);
	on_switch(&h[1], "sw-1", NULL);
	on_switch(&h[2], "sw-2", NULL);
	judge(h, 3, false, &r);
	assert_result(&r, "kafka.cluster.rack_mismatch", "", SEV_PASS,
		      "3 agree with LLDP", "", NULL);
	check_results_free(&r);

	on_switch(&h[1], "sw-2", NULL);
	judge(h, 3, false, &r);
	assert_int_equal(count_id(&r, "kafka.cluster.rack_mismatch"), 2);
	assert_result(&r, "kafka.cluster.rack_mismatch", "kafka2/lldp",
		      SEV_WARN, "switch sw-2", "switch sw-1, as kafka1",
		      "kafka1 and kafka2 are both in broker.rack r1 but hang "
		      "from different switches");
	assert_result(
	    &r, "kafka.cluster.rack_mismatch", "kafka3/lldp", SEV_WARN,
	    "switch sw-2", "a switch of broker.rack r2 only",
	    "kafka2 (broker.rack r1) and kafka3 (broker.rack r2) hang "
	    "from one switch, sw-2");
	check_results_free(&r);
}

static void test_invalid_arguments(void **state)
{
	struct check_results r = {0};

	(void)state;
	assert_int_equal(coll_fleet_judge(NULL, NULL, 0, false, &r), -EINVAL);
	assert_int_equal(coll_fleet_judge(CLUSTER, NULL, 1, false, &r),
			 -EINVAL);
	assert_int_equal(r.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_zk_in_one_rack_fail_size_and_placement),
	    cmocka_unit_test(test_three_zk_in_three_racks_pass),
	    cmocka_unit_test(test_three_zk_warn_when_cluster_critical),
	    cmocka_unit_test(test_five_zk_critical_pass),
	    cmocka_unit_test(test_five_zk_in_racks_aaabc_fail_placement),
	    cmocka_unit_test(test_zk_placement_tie_names_first_rack),
	    cmocka_unit_test(test_four_zk_even_fail_and_half_in_one_rack_fail),
	    cmocka_unit_test(test_one_zk_fails_size_and_placement),
	    cmocka_unit_test(test_zk_rack_unknown_is_unknown),
	    cmocka_unit_test(test_zk_zone_is_the_domain_without_rack),
	    cmocka_unit_test(
		test_zk_configured_ensemble_agrees_no_extra_result),
	    cmocka_unit_test(test_zk_configured_more_than_reporting_warns),
	    cmocka_unit_test(test_zk_configured_fewer_than_reporting_warns),
	    cmocka_unit_test(test_hosts_of_other_clusters_are_ignored),
	    cmocka_unit_test(test_two_brokers_fail_size),
	    cmocka_unit_test(test_three_brokers_in_three_racks_pass),
	    cmocka_unit_test(test_three_brokers_in_one_rack_warn),
	    cmocka_unit_test(test_broker_rack_mismatch_warns_per_broker),
	    cmocka_unit_test(test_partition_skew_warns_on_empty_broker),
	    cmocka_unit_test(test_partition_skew_threshold_both_sides),
	    cmocka_unit_test(
		test_partition_skew_zero_counts_with_zero_threshold),
	    cmocka_unit_test(test_partition_skew_unknown_counts),
	    cmocka_unit_test(test_rack_lldp_one_rack_two_switches_warns),
	    cmocka_unit_test(test_rack_lldp_one_switch_two_racks_warns),
	    cmocka_unit_test(test_rack_lldp_switch_pair_agrees),
	    cmocka_unit_test(test_rack_lldp_without_lldp_is_info_with_reason),
	    cmocka_unit_test(test_placement_uses_switch_without_racks),
	    cmocka_unit_test(test_kafka_placement_uses_switch_without_racks),
	    cmocka_unit_test(test_kafka_rack_mismatch_lldp_view),
	    cmocka_unit_test(test_invalid_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
