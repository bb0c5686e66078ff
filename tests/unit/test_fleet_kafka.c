/* SPDX-License-Identifier: Apache-2.0 */
/* The checks over a Kafka cluster's live metadata (kafka_view.h):
 * kafka.partitions.*, kafka.upgrade.next and the metadata side of
 * kafka.cluster.partition_skew.  librdkafka's mock cluster always reports
 * the ISR equal to the replicas, so the ISR, min-ISR and upgrade-gate
 * logic is tested here on views built by hand, shaped as the collector
 * builds them (brokers sorted by id, partitions by topic then id). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "coll.h"
#include "kafka_view.h"

#define CLUSTER "prod-eu1"
#define NB	6
#define NP	32

/* A view with its storage: brokers 1..n, each run by host kafkaN in rack
 * rN on 3.6.1, broker 1 the controller, broker N started at N*1000. */
struct vb {
	struct kafka_view v;
	struct kv_broker b[NB];
	struct kv_topic t[2];
	struct kv_partition p[NP];
	struct coll_host h[NB];
	size_t n;
};

static struct vb V;

static void vb_init(size_t n)
{
	size_t i;

	memset(&V, 0, sizeof V);
	V.n = n;
	snprintf(V.v.cluster, sizeof V.v.cluster, "%s", CLUSTER);
	V.v.state = KV_COMPLETE;
	V.v.controller = 1;
	V.v.brokers = V.b;
	V.v.n_brokers = n;
	V.v.topics = V.t;
	V.v.partitions = V.p;
	for (i = 0; i < n; i++) {
		struct coll_host *h = &V.h[i];
		struct kv_broker *b = &V.b[i];

		snprintf(h->host_id, sizeof h->host_id, "kafka%zu", i + 1);
		snprintf(h->cluster, sizeof h->cluster, "%s", CLUSTER);
		snprintf(h->rack, sizeof h->rack, "r%zu", i + 1);
		snprintf(h->broker_rack, sizeof h->broker_rack, "r%zu", i + 1);
		snprintf(h->kafka_version, sizeof h->kafka_version, "3.6.1");
		h->roles = CORE_ROLE_KAFKA;
		h->kafka_present = h->kafka_running = true;
		h->broker_id.v = (int64_t)i + 1;
		h->broker_id.known = true;
		h->partition_dirs.v = 10;
		h->partition_dirs.known = true;
		b->id = (int32_t)i + 1;
		snprintf(b->rack, sizeof b->rack, "r%zu", i + 1);
		b->registered = true;
		b->agent = h;
		b->started_ms = (int64_t)(i + 1) * 1000;
		b->nic_speed_mbps = KV_UNKNOWN;
	}
}

/* A topic of `parts` partitions, replication factor 3 over the first
 * `over` brokers round robin, preferred leader leading, ISR full. */
static void vb_topic(const char *name, int64_t min_isr, size_t parts,
		     size_t over)
{
	struct kv_topic *t = &V.t[V.v.n_topics];
	size_t i, k;

	t->name = (char *)name;
	t->n_partitions = (int32_t)parts;
	t->replication_factor = 3;
	t->min_isr = min_isr;
	t->min_isr_source = min_isr == KV_UNKNOWN ? NULL : "topic";
	t->retention_ms = t->retention_bytes = -1;
	t->bytes = KV_UNKNOWN;
	t->first = V.v.n_partitions;
	t->n = parts;
	for (i = 0; i < parts; i++) {
		struct kv_partition *p = &V.p[V.v.n_partitions++];

		p->topic = (uint32_t)V.v.n_topics;
		p->partition = (int32_t)i;
		p->n_replicas = p->n_isr = 3;
		for (k = 0; k < 3; k++)
			p->replicas[k] = p->isr[k] =
			    (int32_t)((i + k) % over + 1);
		p->leader = p->replicas[0];
	}
	V.v.n_topics++;
}

/* Removes broker `id` from the ISR of partition p (by index). */
static void isr_drop(size_t p, int32_t id)
{
	struct kv_partition *x = &V.p[p];
	uint8_t i, j = 0;

	for (i = 0; i < x->n_isr; i++)
		if (x->isr[i] != id)
			x->isr[j++] = x->isr[i];
	x->n_isr = j;
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

static size_t count_id(const struct check_results *r, const char *id)
{
	size_t i, c = 0;

	for (i = 0; i < r->n; i++)
		c += strcmp(r->v[i].id, id) == 0;
	return c;
}

static void expect(const struct check_results *r, const char *id,
		   const char *instance, enum check_severity sev,
		   const char *measured, const char *message)
{
	const struct check_result *c = one(r, id, instance);

	assert_string_equal(check_severity_name(c->sev),
			    check_severity_name(sev));
	assert_string_equal(c->measured, measured);
	assert_string_equal(c->message, message);
}

static void judge(const struct kafka_view *kv, struct check_results *r)
{
	struct coll_fleet_thresholds th;

	coll_fleet_thresholds_default(&th);
	memset(r, 0, sizeof *r);
	assert_int_equal(coll_fleet_judge_kafka(CLUSTER, V.h, V.n, false, &th,
						kv, r),
			 0);
}

static void test_healthy_cluster_passes(void **state)
{
	struct check_results r;

	(void)state;
	vb_init(3);
	vb_topic("orders", 2, 6, 3);
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.under_replicated", "", SEV_PASS,
	       "0 under-replicated, 0 below min ISR",
	       "all 6 partitions of 1 topic have every replica in the ISR");
	assert_string_equal(one(&r, "kafka.partitions.under_replicated", "")
				->value_unit,
			    CHECK_UNIT_COUNT);
	expect(&r, "kafka.partitions.offline", "", SEV_PASS, "0 offline",
	       "every one of 6 partitions has a leader");
	expect(&r, "kafka.partitions.rack_spread", "", SEV_PASS,
	       "0 sharing a rack",
	       "the replicas of each of 6 partitions sit in distinct racks "
	       "(3 racks)");
	expect(&r, "kafka.cluster.partition_skew", "", SEV_PASS,
	       "median 6 replicas, 2 leaders",
	       "every broker holds at least 50% of the median of 6 partition "
	       "replicas and 2 leaderships (live metadata)");
	expect(&r, "kafka.upgrade.next", "", SEV_PASS, "none left",
	       "every partition has its full ISR and every broker is "
	       "registered; every broker runs 3.6.1: none left to upgrade");
	assert_int_equal(check_verdict(&r), SEV_PASS);
	check_results_free(&r);
}

static void test_under_replicated_at_and_below_min_isr(void **state)
{
	struct check_results r;

	(void)state;
	vb_init(3);
	vb_topic("orders", 2, 6, 3);
	isr_drop(0, 3); /* orders-0: replicas 1 2 3, ISR 1 2 = min */
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.under_replicated", "", SEV_WARN,
	       "1 under-replicated, 0 below min ISR",
	       "1 partition under-replicated: orders-0 (missing 3); each "
	       "still at or above min.insync.replicas");
	assert_int_equal(
	    one(&r, "kafka.partitions.under_replicated", "")->value, 1);
	check_results_free(&r);

	isr_drop(0, 2); /* ISR 1 < min 2: acks=all producers fail */
	isr_drop(1, 3); /* orders-1: replicas 2 3 1, ISR 2 1 */
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.under_replicated", "", SEV_FAIL,
	       "2 under-replicated, 1 below min ISR",
	       "1 partition below min.insync.replicas, producers with "
	       "acks=all fail: orders-0 (ISR 1, min 2, missing 2, 3); 2 "
	       "under-replicated in all");
	check_results_free(&r);
}

static void test_min_isr_unknown_only_warns(void **state)
{
	struct check_results r;

	(void)state;
	vb_init(3);
	vb_topic("orders", KV_UNKNOWN, 3, 3);
	isr_drop(2, 3);
	isr_drop(2, 1);
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.under_replicated", "", SEV_WARN,
	       "1 under-replicated, 0 below min ISR",
	       "1 partition under-replicated: orders-2 (missing 3, 1); "
	       "min.insync.replicas unknown for orders, so whether acks=all "
	       "producers fail is not known");
	check_results_free(&r);
}

static void test_offline_partition_fails(void **state)
{
	struct check_results r;

	(void)state;
	vb_init(3);
	vb_topic("orders", 2, 2, 3);
	vb_topic("pay", 2, 2, 3);
	V.p[3].leader = -1;
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.offline", "", SEV_FAIL, "1 offline",
	       "1 partition without a leader, neither readable nor writable: "
	       "pay-1");
	expect(&r, "kafka.upgrade.next", "", SEV_WARN, "wait",
	       "not safe to restart the next broker yet: 1 partition without "
	       "a leader: pay-1");
	check_results_free(&r);
}

static void test_partial_view_never_passes(void **state)
{
	struct check_results r;
	const char *why = "no assignment from broker 3 (kafka3) for 120 s";

	(void)state;
	vb_init(3);
	vb_topic("orders", 2, 3, 3);
	V.v.state = KV_PARTIAL;
	snprintf(V.v.why, sizeof V.v.why, "%s", why);
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.under_replicated", "", SEV_UNKNOWN,
	       "0 under-replicated, 0 below min ISR",
	       "none of the 3 known partitions is under-replicated, but the "
	       "view is partial: no assignment from broker 3 (kafka3) for "
	       "120 s");
	expect(&r, "kafka.partitions.offline", "", SEV_UNKNOWN, "0 offline",
	       "every one of the 3 known partitions has a leader, but the "
	       "view is partial: no assignment from broker 3 (kafka3) for "
	       "120 s");
	expect(&r, "kafka.upgrade.next", "", SEV_UNKNOWN, "",
	       "no known broker is out of an ISR, but the view is partial: "
	       "no assignment from broker 3 (kafka3) for 120 s");
	/* Skew falls back to the partition directories. */
	expect(&r, "kafka.cluster.partition_skew", "", SEV_PASS, "median 10",
	       "every broker holds at least 50% of the median of 10 "
	       "partition directories");
	check_results_free(&r);

	/* What a partial view does show is reported, with why it is partial;
	 * a topic's own counter covers a partition the view lacks. */
	isr_drop(1, 3);
	V.t[0].under_replicated = 2;
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.under_replicated", "", SEV_WARN,
	       "2 under-replicated, 0 below min ISR",
	       "2 partitions under-replicated: orders-1 (missing 3); each "
	       "still at or above min.insync.replicas; view partial: no "
	       "assignment from broker 3 (kafka3) for 120 s");
	check_results_free(&r);
}

static void test_no_metadata_is_unknown(void **state)
{
	struct check_results r;
	static const char *const ids[] = {
	    "kafka.partitions.under_replicated", "kafka.partitions.offline",
	    "kafka.partitions.rack_spread", "kafka.upgrade.next"};
	size_t i;

	(void)state;
	vb_init(3);
	judge(NULL, &r);
	for (i = 0; i < 4; i++)
		expect(&r, ids[i], "", SEV_UNKNOWN, "no metadata",
		       "no live metadata from any broker of the cluster");
	check_results_free(&r);

	V.v.state = KV_NONE;
	snprintf(V.v.error, sizeof V.v.error,
		 "Local: Broker transport failure");
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_UNKNOWN, "no metadata",
	       "no live metadata from any broker of the cluster: Local: "
	       "Broker transport failure");
	check_results_free(&r);
}

/* Step 2: brokers 2 and 3 already run 3.7.0; 2 was restarted last and
 * has not caught up.  Broker 1 is the controller. */
static void upgrade_setup(void)
{
	vb_init(5);
	vb_topic("orders", 2, 5, 5);
	snprintf(V.h[1].kafka_version, sizeof V.h[1].kafka_version, "3.7.0");
	snprintf(V.h[2].kafka_version, sizeof V.h[2].kafka_version, "3.7.0");
	V.b[1].started_ms = 9000;
	V.b[4].started_ms = 500; /* broker 5 has run longest */
}

static void test_upgrade_gate_waits_for_isr(void **state)
{
	struct check_results r;

	(void)state;
	upgrade_setup();
	isr_drop(0, 2); /* orders-0: 1 2 3 */
	isr_drop(1, 2); /* orders-1: 2 3 4 */
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_WARN,
	       "wait, then broker 5 (kafka5)",
	       "not safe to restart the next broker yet: broker 2 (kafka2), "
	       "restarted last, not yet in the ISR of 2 partitions: "
	       "orders-0, orders-1");
	check_results_free(&r);

	/* Back in every ISR: broker 5 (running longest) is next, then 4,
	 * the controller last. */
	upgrade_setup();
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_PASS,
	       "next: broker 5 (kafka5)",
	       "safe to restart the next broker: 5 (kafka5), to 3.7.0; every "
	       "partition has its full ISR and every broker is registered; 2 "
	       "more after it, the controller (broker 1) last");
	check_results_free(&r);
}

static void test_upgrade_gate_unregistered_broker(void **state)
{
	struct check_results r;

	(void)state;
	upgrade_setup();
	V.b[2].registered = false;
	V.h[5 - 1].broker_id.v = 5;
	/* a sixth agent whose broker the metadata does not list */
	V.h[5] = V.h[4];
	snprintf(V.h[5].host_id, sizeof V.h[5].host_id, "kafka6");
	V.h[5].broker_id.v = 6;
	V.n = 6;
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_WARN,
	       "wait, then broker 5 (kafka5)",
	       "not safe to restart the next broker yet: broker 3 (kafka3) "
	       "not registered; broker 6 (kafka6) not registered");
	check_results_free(&r);

	/* Broker 7 holds a replica of orders-4 but the metadata lists no
	 * such broker: the partition is under-replicated all the same. */
	upgrade_setup();
	V.p[4].replicas[2] = 7;
	isr_drop(4, 7);
	isr_drop(4, 2);
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_WARN,
	       "wait, then broker 5 (kafka5)",
	       "not safe to restart the next broker yet: 1 partition missing a "
	       "replica on a broker absent from the metadata: orders-4");
	check_results_free(&r);
}

static void test_upgrade_controller_last_then_done(void **state)
{
	struct check_results r;
	size_t i;

	(void)state;
	upgrade_setup();
	snprintf(V.h[4].kafka_version, sizeof V.h[4].kafka_version, "3.7.0");
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_PASS,
	       "next: broker 4 (kafka4)",
	       "safe to restart the next broker: 4 (kafka4), to 3.7.0; every "
	       "partition has its full ISR and every broker is registered; 1 "
	       "more after it, the controller (broker 1) last");
	check_results_free(&r);

	snprintf(V.h[3].kafka_version, sizeof V.h[3].kafka_version, "3.7.0");
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_PASS,
	       "next: broker 1 (kafka1)",
	       "safe to restart the next broker: 1 (kafka1), to 3.7.0; every "
	       "partition has its full ISR and every broker is registered");
	check_results_free(&r);

	for (i = 0; i < 5; i++)
		snprintf(V.h[i].kafka_version, sizeof V.h[i].kafka_version,
			 "3.7.0");
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_PASS, "none left",
	       "every partition has its full ISR and every broker is "
	       "registered; every broker runs 3.7.0: none left to upgrade");
	check_results_free(&r);

	/* A broker without an agent: its release, hence the next, unknown. */
	V.b[4].agent = NULL;
	judge(&V.v, &r);
	expect(&r, "kafka.upgrade.next", "", SEV_UNKNOWN, "next unknown",
	       "every partition has its full ISR and every broker is "
	       "registered; the release of broker 5 is unknown: which broker "
	       "is next cannot be told");
	check_results_free(&r);
}

/* A fourth broker added after the topics: its disks hold as many
 * directories as the others (say, old data), the assignment gives it
 * nothing; the metadata is believed. */
static void test_skew_from_metadata_not_dirs(void **state)
{
	struct check_results r;

	(void)state;
	vb_init(4);
	vb_topic("orders", 2, 6, 3);
	judge(&V.v, &r);
	assert_int_equal(count_id(&r, "kafka.cluster.partition_skew"), 1);
	expect(&r, "kafka.cluster.partition_skew", "kafka4", SEV_WARN,
	       "0 replicas, 0 leaders",
	       "broker 4 (kafka4) holds 0 partition replicas, the median is "
	       "6 (live metadata): Kafka places only new topics on it; "
	       "reassign existing partitions by hand, one topic at a time, "
	       "ideally after shrinking partitions (retention)");
	assert_string_equal(
	    one(&r, "kafka.cluster.partition_skew", "kafka4")->required,
	    "50% of median 6 replicas, 2 leaders");
	check_results_free(&r);

	/* Replicas balanced but broker 3 leads nothing. */
	vb_init(3);
	vb_topic("orders", 2, 6, 3);
	V.p[2].leader = 1;
	V.p[5].leader = 1;
	judge(&V.v, &r);
	expect(&r, "kafka.cluster.partition_skew", "kafka3", SEV_WARN,
	       "6 replicas, 0 leaders",
	       "broker 3 (kafka3) leads 0 partitions, the median is 2 (live "
	       "metadata): leadership has not come back to it; run a "
	       "preferred leader election");
	check_results_free(&r);
}

static void test_replicas_sharing_a_rack(void **state)
{
	struct check_results r;

	(void)state;
	vb_init(3);
	vb_topic("orders", 2, 3, 3);
	snprintf(V.b[2].rack, sizeof V.b[2].rack, "r1");
	snprintf(V.b[1].rack, sizeof V.b[1].rack, "r2");
	/* two racks, replication factor 3: sharing cannot be helped */
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.rack_spread", "", SEV_INFO,
	       "0 sharing a rack",
	       "every partition has more replicas than the cluster has racks "
	       "(2): none can be spread over distinct racks");
	check_results_free(&r);

	vb_init(4);
	vb_topic("orders", 2, 4, 4);
	snprintf(V.b[3].rack, sizeof V.b[3].rack, "r1");
	judge(&V.v, &r);
	/* racks r1 r2 r3 r1: orders-2 (3 4 1) and orders-3 (4 1 2) hold
	 * brokers 4 and 1, both in r1. */
	expect(&r, "kafka.partitions.rack_spread", "", SEV_WARN,
	       "2 sharing a rack",
	       "2 partitions keep two replicas in one rack although the "
	       "cluster has 3 racks: orders-2 (rack r1), orders-3 (rack r1)");
	check_results_free(&r);

	V.b[0].rack[0] = '\0';
	V.b[3].rack[0] = '\0';
	judge(&V.v, &r);
	expect(&r, "kafka.partitions.rack_spread", "", SEV_UNKNOWN,
	       "0 sharing a rack",
	       "4 partitions have a replica on a broker whose rack is unknown "
	       "(neither broker.rack nor kagent.conf)");
	check_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_healthy_cluster_passes),
	    cmocka_unit_test(test_under_replicated_at_and_below_min_isr),
	    cmocka_unit_test(test_min_isr_unknown_only_warns),
	    cmocka_unit_test(test_offline_partition_fails),
	    cmocka_unit_test(test_partial_view_never_passes),
	    cmocka_unit_test(test_no_metadata_is_unknown),
	    cmocka_unit_test(test_upgrade_gate_waits_for_isr),
	    cmocka_unit_test(test_upgrade_gate_unregistered_broker),
	    cmocka_unit_test(test_upgrade_controller_last_then_done),
	    cmocka_unit_test(test_skew_from_metadata_not_dirs),
	    cmocka_unit_test(test_replicas_sharing_a_rack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
