/* SPDX-License-Identifier: Apache-2.0 */
/* The facts beside the metadata in a Kafka view, from the agents' shares
 * as their reports carry them (kafka_share_from_report): min ISR from the
 * topic, else the brokers' server.properties default, else unknown; the
 * same for retention; DescribeConfigs' refusal in `why`; each broker's
 * process start and the speed of the NIC its agent names; the topics'
 * partition directory sizes summed.  librdkafka's mock cluster reports
 * the ISR equal to the replicas, so the min-ISR judgement with the broker
 * default is tested here on shares built as the agents send them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coll.h"
#include "collector.h"
#include "kafka_view.h"

#define CLUSTER "kk"
#define NH	3

/* The shares' settings per broker (index id - 1). */
struct agent {
	int64_t min_isr_default;	/* KV_UNKNOWN: unset */
	const char *nic;		/* the traffic NIC, "" none */
	int64_t nic_speed;		/* its inventory speed; KV_UNKNOWN */
	int64_t started_ms;		/* KV_UNKNOWN: unset */
	const char *configs_error;
	int64_t orders_bytes;		/* KV_UNKNOWN: unset */
};

static struct agent A[NH];
static struct coll_fleet F;
static struct coll_fleet_host FH[NH];

static void agents_default(void)
{
	for (int i = 0; i < NH; i++)
		A[i] = (struct agent){2, "", KV_UNKNOWN, KV_UNKNOWN, "",
				      KV_UNKNOWN};
}

static void *add(struct proto_list *l)
{
	void *item;

	assert_int_equal(proto_list_add(l, &item), 0);
	return item;
}

/* Broker id's share: the three brokers, topics "logs" (its own min ISR
 * 3 and retention.ms 3600000, as DescribeConfigs answers) and "orders"
 * (no config answered), one partition each; broker 1 leads orders-0
 * with ISR [1] of [1,2,3], broker 2 leads logs-0 with a full ISR. */
static struct kv_share *share(int32_t id)
{
	const struct agent *a = &A[id - 1];
	kagent_v1_KafkaLive k;
	struct proto_lists l;
	kagent_v1_KafkaTopic *t;
	kagent_v1_KafkaPartition *p;
	kagent_v1_Nic *n;
	struct kv_share *s;
	int32_t b;

	memset(&k, 0, sizeof k);
	proto_lists_init(&l);
	k.has_fetched_ms = true;
	k.fetched_ms = 1000 + id;
	k.has_controller = true;
	k.controller = 1;
	k.has_broker_id = true;
	k.broker_id = id;
	k.assignment_full = true;
	snprintf(k.configs_error, sizeof k.configs_error, "%s",
		 a->configs_error);
	k.has_min_isr_default = a->min_isr_default != KV_UNKNOWN;
	k.min_isr_default = a->min_isr_default;
	k.has_retention_ms_default = k.has_retention_bytes_default = true;
	k.retention_ms_default = 604800000;
	k.retention_bytes_default = -1;
	k.has_broker_started_ms = a->started_ms != KV_UNKNOWN;
	k.broker_started_ms = a->started_ms;
	snprintf(k.traffic_nic, sizeof k.traffic_nic, "%s", a->nic);
	n = add(&l.nics);
	snprintf(n->name, sizeof n->name, "lo");
	n->has_speed_mbps = true;
	n->speed_mbps = 1;
	if (a->nic[0]) {
		n = add(&l.nics);
		snprintf(n->name, sizeof n->name, "%s", a->nic);
		n->has_speed_mbps = a->nic_speed != KV_UNKNOWN;
		n->speed_mbps = a->nic_speed;
	}
	for (b = 1; b <= NH; b++) {
		kagent_v1_KafkaBroker *kb = add(&l.kbrokers);

		kb->id = b;
		snprintf(kb->host, sizeof kb->host, "10.0.0.%d", (int)b);
		kb->port = 9092;
	}
	t = add(&l.ktopics);
	snprintf(t->name, sizeof t->name, "logs");
	t->partitions = 1;
	t->replication_factor = 3;
	t->has_min_insync_replicas = t->min_isr_from_topic = true;
	t->min_insync_replicas = 3;
	t->has_retention_ms = true;
	t->retention_ms = 3600000;
	t = add(&l.ktopics);
	snprintf(t->name, sizeof t->name, "orders");
	t->partitions = 1;
	t->replication_factor = 3;
	t->under_replicated = 1;
	t->has_local_bytes = t->has_local_replicas =
	    a->orders_bytes != KV_UNKNOWN;
	t->local_bytes = a->orders_bytes;
	t->local_replicas = 1;
	if (id == 1 || id == 2) {
		p = add(&l.kparts);
		p->topic = id == 1 ? 1 : 0;
		p->partition = 0;
		p->leader = id;
		p->replicas_count = 3;
		p->replicas[0] = id;
		p->replicas[1] = id == 1 ? 2 : 3;
		p->replicas[2] = id == 1 ? 3 : 1;
		p->isr_count = id == 1 ? 1 : 3;
		memcpy(p->isr, p->replicas, sizeof p->isr);
	}
	assert_int_equal(kafka_share_from_report(&k, &l, &s), 0);
	proto_lists_free(&l);
	return s;
}

/* The fleet of three agents, kk-1..3 running brokers 1..3. */
static struct coll_host *fleet(void)
{
	memset(&F, 0, sizeof F);
	memset(FH, 0, sizeof FH);
	for (int i = 0; i < NH; i++) {
		struct coll_host *h = &FH[i].h;

		snprintf(h->host_id, sizeof h->host_id, "kk-%d", i + 1);
		snprintf(h->cluster, sizeof h->cluster, CLUSTER);
		snprintf(h->rack, sizeof h->rack, "r%d", i + 1);
		h->roles = CORE_ROLE_KAFKA;
		h->kafka_present = h->kafka_running = true;
		h->broker_id = (struct hw_num){i + 1, true};
		FH[i].kafka = share(i + 1);
	}
	F.v = FH;
	F.n = NH;
	return coll_fleet_hosts(&F);
}

static void fleet_free(struct coll_host *hosts)
{
	for (int i = 0; i < NH; i++)
		kafka_share_free(FH[i].kafka);
	free(hosts);
}

static void build(struct coll_host **hosts, struct kafka_view *kv)
{
	*hosts = fleet();
	assert_non_null(*hosts);
	assert_int_equal(kafka_view_build(&F, *hosts, CLUSTER, kv), 0);
	assert_int_equal(kv->n_topics, 2);
	assert_int_equal(kv->n_brokers, 3);
}

static void test_min_isr_topic_else_broker_default(void **s)
{
	struct coll_host *hosts;
	struct kafka_view kv;
	const struct kv_topic *t;

	(void)s;
	agents_default();
	build(&hosts, &kv);
	t = kafka_view_topic(&kv, "logs");
	assert_int_equal(t->min_isr, 3);
	assert_string_equal(t->min_isr_source, "topic");
	assert_int_equal(t->retention_ms, 3600000);
	assert_int_equal(t->retention_bytes, KV_UNKNOWN);
	assert_string_equal(t->retention_source, "topic");
	t = kafka_view_topic(&kv, "orders");
	assert_int_equal(t->min_isr, 2);
	assert_string_equal(t->min_isr_source, "broker default");
	assert_int_equal(t->retention_ms, 604800000);
	assert_int_equal(t->retention_bytes, -1);
	assert_string_equal(t->retention_source, "broker default");
	assert_int_equal(kv.state, KV_COMPLETE);
	assert_string_equal(kv.why, "");
	kafka_view_free(&kv);
	fleet_free(hosts);
}

/* Brokers that disagree leave no single default: unknown, and why. */
static void test_min_isr_unknown_when_defaults_differ(void **s)
{
	struct coll_host *hosts;
	struct kafka_view kv;
	const struct kv_topic *t;

	(void)s;
	agents_default();
	A[2].min_isr_default = 3;
	build(&hosts, &kv);
	t = kafka_view_topic(&kv, "orders");
	assert_int_equal(t->min_isr, KV_UNKNOWN);
	assert_null(t->min_isr_source);
	assert_int_equal(kafka_view_topic(&kv, "logs")->min_isr, 3);
	assert_int_equal(kv.state, KV_COMPLETE);
	assert_string_equal(kv.why,
			    "the brokers' min.insync.replicas defaults differ");
	kafka_view_free(&kv);
	fleet_free(hosts);

	/* No agent read its server.properties: unknown, no reason to add. */
	for (int i = 0; i < NH; i++)
		A[i].min_isr_default = KV_UNKNOWN;
	build(&hosts, &kv);
	assert_int_equal(kafka_view_topic(&kv, "orders")->min_isr, KV_UNKNOWN);
	assert_string_equal(kv.why, "");
	kafka_view_free(&kv);
	fleet_free(hosts);
}

/* A broker that does not implement DescribeConfigs: the view stays
 * complete (the assignments are whole) and why says what is unknown. */
static void test_configs_error_reaches_why(void **s)
{
	struct coll_host *hosts;
	struct kafka_view kv;

	(void)s;
	agents_default();
	A[1].configs_error = "DescribeConfigs (KIP-133) not supported by "
			     "broker, requires broker version >= 0.11.0";
	build(&hosts, &kv);
	assert_int_equal(kv.state, KV_COMPLETE);
	assert_string_equal(kv.why,
			    "broker 2: topic configs: DescribeConfigs "
			    "(KIP-133) not supported by broker, requires "
			    "broker version >= 0.11.0");
	kafka_view_free(&kv);
	fleet_free(hosts);
}

/* Each broker's start and NIC speed come from its own agent's share;
 * a NIC without a speed, or none named, is unknown. */
static void test_broker_started_and_nic_speed(void **s)
{
	struct coll_host *hosts;
	struct kafka_view kv;

	(void)s;
	agents_default();
	A[0] = (struct agent){2, "bond0", 20000, 1700000001234, "",
			      KV_UNKNOWN};
	A[1].nic = "eth1";
	A[1].started_ms = 1700000009000;
	build(&hosts, &kv);
	assert_int_equal(kafka_view_broker(&kv, 1)->nic_speed_mbps, 20000);
	assert_int_equal(kafka_view_broker(&kv, 1)->started_ms,
			 1700000001234);
	assert_int_equal(kafka_view_broker(&kv, 2)->nic_speed_mbps,
			 KV_UNKNOWN);
	assert_int_equal(kafka_view_broker(&kv, 2)->started_ms,
			 1700000009000);
	assert_int_equal(kafka_view_broker(&kv, 3)->nic_speed_mbps,
			 KV_UNKNOWN);
	assert_int_equal(kafka_view_broker(&kv, 3)->started_ms, KV_UNKNOWN);
	kafka_view_free(&kv);
	fleet_free(hosts);
}

/* Sizes add up over the agents that report them; one that does not
 * (its log dirs unread) leaves its replicas out of the count. */
static void test_topic_sizes_summed(void **s)
{
	struct coll_host *hosts;
	struct kafka_view kv;
	const struct kv_topic *t;

	(void)s;
	agents_default();
	A[0].orders_bytes = 1000;
	A[1].orders_bytes = 1400;
	build(&hosts, &kv);
	t = kafka_view_topic(&kv, "orders");
	assert_int_equal(t->bytes, 2400);
	assert_int_equal(t->replicas_sized, 2);
	assert_int_equal(kafka_view_topic(&kv, "logs")->bytes, KV_UNKNOWN);
	kafka_view_free(&kv);
	fleet_free(hosts);
}

static const struct check_result *urp(const struct check_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].id, "kafka.partitions.under_replicated"))
			return &r->v[i];
	fail_msg("no kafka.partitions.under_replicated");
	return NULL;
}

/* orders-0 has ISR 1 of 3: below the brokers' default of 2 it fails
 * (acks=all producers get NOT_ENOUGH_REPLICAS); with a default of 1 it
 * only warns; with no default known it cannot fail. */
static void test_urp_judged_with_broker_default(void **s)
{
	struct coll_fleet_thresholds th;
	struct coll_host *hosts;
	struct check_results r;
	struct kafka_view kv;
	int64_t defaults[] = {2, 1, KV_UNKNOWN};
	enum check_severity want[] = {SEV_FAIL, SEV_WARN, SEV_WARN};
	const char *measured[] = {"1 under-replicated, 1 below min ISR",
				  "1 under-replicated, 0 below min ISR",
				  "1 under-replicated, 0 below min ISR"};

	(void)s;
	coll_fleet_thresholds_default(&th);
	for (int c = 0; c < 3; c++) {
		agents_default();
		for (int i = 0; i < NH; i++)
			A[i].min_isr_default = defaults[c];
		build(&hosts, &kv);
		memset(&r, 0, sizeof r);
		assert_int_equal(coll_fleet_judge_kafka(CLUSTER, hosts, NH,
							false, &th, &kv, &r),
				 0);
		assert_int_equal(urp(&r)->sev, want[c]);
		assert_string_equal(urp(&r)->measured, measured[c]);
		check_results_free(&r);
		kafka_view_free(&kv);
		fleet_free(hosts);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_min_isr_topic_else_broker_default),
	    cmocka_unit_test(test_min_isr_unknown_when_defaults_differ),
	    cmocka_unit_test(test_configs_error_reaches_why),
	    cmocka_unit_test(test_broker_started_and_nic_speed),
	    cmocka_unit_test(test_topic_sizes_summed),
	    cmocka_unit_test(test_urp_judged_with_broker_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
