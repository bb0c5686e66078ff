/* SPDX-License-Identifier: Apache-2.0 */
/* The collector's Kafka view merged from its agents' shares, each share
 * made the way it travels: kagentd's kafka_report_fill on a metadata
 * structure, the Report encoded, decoded as the collector decodes a
 * stored report (coll_report_decode), kafka_share_from_report, then
 * kafka_view_build over the hosts.
 *
 * The cluster: brokers 1 and 2; topic alpha with p0 led by 1 and p1 led
 * by 2 (replicas 2,1), topic beta with p0 led by 1; min.insync.replicas 2
 * on alpha.  Broker 1's agent read the metadata at 1000 ms, when p1's
 * ISR was whole; broker 2's at 2000 ms, when it had shrunk to {2}.  Both
 * summarise alpha and beta (each holds a replica of every partition). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pb_encode.h>

#include "collector.h"
#include "daemon.h"
#include "kafka_view.h"

#define REPORT_MAX (1 << 20)

/* kafka_meta_free is kagent_kafka_live's, which links librdkafka; the
 * three arrays are all a synthesised kafka_meta holds. */
static void meta_free(struct kafka_meta *m)
{
	free(m->brokers);
	free(m->topics);
	free(m->parts);
	memset(m, 0, sizeof *m);
}

static void part_set(struct kafka_meta_partition *p, int32_t id, int32_t leader,
		     int32_t r0, int32_t r1, uint8_t n_isr)
{
	p->id = id;
	p->leader = leader;
	p->n_replicas = 2;
	p->replicas[0] = r0;
	p->replicas[1] = r1;
	p->n_isr = n_isr;
	p->isr[0] = r0;
	p->isr[1] = r1;
}

/* The metadata as an agent read it at fetched_ms; shrunk: p1 of alpha
 * has lost broker 1 from its ISR. */
static void meta_make(struct kafka_meta *m, int64_t fetched_ms, bool shrunk)
{
	memset(m, 0, sizeof *m);
	m->fetched_ms = fetched_ms;
	m->controller = 1;
	snprintf(m->cluster_id, sizeof m->cluster_id, "lkc-test");
	m->brokers = calloc(2, sizeof *m->brokers);
	m->topics = calloc(2, sizeof *m->topics);
	m->parts = calloc(3, sizeof *m->parts);
	assert_non_null(m->brokers);
	assert_non_null(m->topics);
	assert_non_null(m->parts);
	m->n_brokers = 2;
	m->brokers[0] = (struct kafka_meta_broker){.id = 1, .port = 9092};
	snprintf(m->brokers[0].host, sizeof m->brokers[0].host, "kafka1");
	m->brokers[1] = (struct kafka_meta_broker){.id = 2, .port = 9092};
	snprintf(m->brokers[1].host, sizeof m->brokers[1].host, "kafka2");
	m->n_topics = 2;
	snprintf(m->topics[0].name, sizeof m->topics[0].name, "alpha");
	m->topics[0].min_isr = (struct hw_num){.known = true, .v = 2};
	m->topics[0].first = 0;
	m->topics[0].n = 2;
	snprintf(m->topics[1].name, sizeof m->topics[1].name, "beta");
	m->topics[1].first = 2;
	m->topics[1].n = 1;
	m->n_parts = 3;
	part_set(&m->parts[0], 0, 1, 1, 2, 2);
	part_set(&m->parts[1], 1, 2, 2, 1, shrunk ? 1 : 2);
	part_set(&m->parts[2], 0, 1, 1, 2, 2);
}

/* Broker `id`'s share of m (m->error set: the agent's failed read),
 * through the wire and back. */
static struct kv_share *share_of(const struct kafka_meta *m, int32_t id)
{
	struct kafka_live_local loc = {.broker_id = id,
				       .broker_id_known = true};
	struct async_seen seen = {0};
	kagent_v1_Report *r = calloc(1, sizeof *r);
	uint8_t *buf = malloc(REPORT_MAX);
	struct proto_lists l, back;
	struct kv_share *s = NULL;
	pb_ostream_t os;

	assert_non_null(r);
	assert_non_null(buf);
	proto_lists_init(&l);
	proto_lists_init(&back);
	r->has_kafka_live = true;
	assert_int_equal(kafka_report_fill(m, &seen, &loc, NULL, &r->kafka_live, &l),
			 0);
	proto_report_bind(r, &l);
	os = pb_ostream_from_buffer(buf, REPORT_MAX);
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	proto_report_unbind(r);
	assert_int_equal(
	    coll_report_decode(buf, os.bytes_written, r, &back, NULL), 0);
	assert_true(r->has_kafka_live);
	assert_int_equal(kafka_share_from_report(&r->kafka_live, &back, &s), 0);
	proto_lists_free(&l);
	proto_lists_free(&back);
	free(buf);
	free(r);
	return s;
}

struct view_state {
	struct coll_fleet f;
	struct coll_fleet_host v[3];
	struct coll_host *hosts;
	struct kafka_view view;
};

static void host_add(struct view_state *st, const char *name, int32_t broker,
		     struct kv_share *s)
{
	struct coll_fleet_host *h = &st->v[st->f.n++];

	snprintf(h->h.host_id, sizeof h->h.host_id, "%s", name);
	snprintf(h->h.cluster, sizeof h->h.cluster, "c1");
	h->h.roles = CORE_ROLE_KAFKA;
	h->h.broker_id = (struct hw_num){.known = true, .v = broker};
	h->kafka = s;
}

/* Hosts kafka1 and kafka2 always; kafka3 (broker 3) when its agent's
 * read failed. */
static void view_build(struct view_state *st, bool with_kafka1,
		       bool with_failed)
{
	struct kafka_meta old, fresh, failed;

	memset(st, 0, sizeof *st);
	st->f.v = st->v;
	coll_fleet_thresholds_default(&st->f.th);
	meta_make(&old, 1000, false);
	meta_make(&fresh, 2000, true);
	if (with_kafka1)
		host_add(st, "kafka1", 1, share_of(&old, 1));
	host_add(st, "kafka2", 2, share_of(&fresh, 2));
	if (with_failed) {
		memset(&failed, 0, sizeof failed);
		failed.fetched_ms = 3000;
		failed.controller = -1;
		snprintf(failed.error, sizeof failed.error,
			 "Local: Broker transport failure");
		host_add(st, "kafka3", 3, share_of(&failed, 3));
	}
	meta_free(&old);
	meta_free(&fresh);
	st->hosts = coll_fleet_hosts(&st->f);
	assert_non_null(st->hosts);
	assert_int_equal(kafka_view_build(&st->f, st->hosts, "c1", &st->view),
			 0);
}

static void view_free(struct view_state *st)
{
	for (size_t i = 0; i < st->f.n; i++)
		kafka_share_free(st->v[i].kafka);
	kafka_view_free(&st->view);
	free(st->hosts);
}

static void assert_part(const struct kafka_view *v, size_t i, const char *topic,
			int32_t partition, int32_t leader, int32_t r0,
			int32_t r1, uint8_t n_isr)
{
	const struct kv_partition *p = &v->partitions[i];

	assert_string_equal(v->topics[p->topic].name, topic);
	assert_int_equal(p->partition, partition);
	assert_int_equal(p->leader, leader);
	assert_int_equal(p->n_replicas, 2);
	assert_int_equal(p->replicas[0], r0);
	assert_int_equal(p->replicas[1], r1);
	assert_int_equal(p->n_isr, n_isr);
	assert_int_equal(p->isr[0], r0);
}

/* Each share carries what its broker leads; each summarises both topics. */
static void test_shares_carry_what_each_broker_leads(void **state)
{
	struct kafka_meta m;
	struct kv_share *a, *b;

	(void)state;
	meta_make(&m, 2000, true);
	a = share_of(&m, 1);
	b = share_of(&m, 2);
	assert_int_equal(a->n_parts, 2);
	assert_int_equal(b->n_parts, 1);
	assert_int_equal(a->n_topics, 2);
	assert_int_equal(b->n_topics, 2);
	assert_string_equal(b->topics[0].name, "alpha");
	assert_int_equal(b->topics[0].under_replicated, 1);
	assert_int_equal(b->topics[0].under_min_isr, 1);
	assert_int_equal(b->topics[0].min_isr, 2);
	assert_true(a->full);
	assert_true(b->full);
	assert_int_equal(a->count, 2);
	assert_int_equal(b->count, 1);
	kafka_share_free(a);
	kafka_share_free(b);
	meta_free(&m);
}

static void test_two_shares_merge_complete(void **state)
{
	struct view_state st;
	const struct kafka_view *v = &st.view;
	const struct kv_topic *alpha;

	(void)state;
	view_build(&st, true, false);
	assert_int_equal(v->state, KV_COMPLETE);
	assert_string_equal(v->why, "");
	assert_string_equal(v->error, "");
	assert_int_equal(v->controller, 1);
	assert_string_equal(v->cluster_id, "lkc-test");
	/* The oldest reading used. */
	assert_int_equal(v->fetched_ms, 1000);
	assert_int_equal(v->n_brokers, 2);
	assert_int_equal(v->brokers[0].id, 1);
	assert_string_equal(v->brokers[0].host, "kafka1");
	assert_int_equal(v->brokers[0].port, 9092);
	assert_true(v->brokers[0].registered);
	assert_ptr_equal(v->brokers[0].agent, &st.hosts[0]);
	assert_int_equal(v->brokers[1].id, 2);
	assert_ptr_equal(v->brokers[1].agent, &st.hosts[1]);
	assert_int_equal(v->n_topics, 2);
	assert_int_equal(v->n_partitions, 3);
	assert_part(v, 0, "alpha", 0, 1, 1, 2, 2);
	assert_part(v, 1, "alpha", 1, 2, 2, 1, 1);
	assert_part(v, 2, "beta", 0, 1, 1, 2, 2);
	/* Both summarise alpha: the freshest (broker 2's, 2000 ms) wins. */
	alpha = kafka_view_topic(v, "alpha");
	assert_non_null(alpha);
	assert_int_equal(alpha->n_partitions, 2);
	assert_int_equal(alpha->replication_factor, 2);
	assert_int_equal(alpha->first, 0);
	assert_int_equal(alpha->n, 2);
	assert_int_equal(alpha->under_replicated, 1);
	assert_int_equal(alpha->under_min_isr, 1);
	assert_int_equal(alpha->offline, 0);
	assert_int_equal(alpha->min_isr, 2);
	assert_string_equal(alpha->min_isr_source, "topic");
	assert_null(kafka_view_topic(v, "gamma"));
	view_free(&st);
}

/* A broker whose agent is missing leaves its partitions unknown. */
static void test_missing_agent_is_partial(void **state)
{
	struct view_state st;
	const struct kafka_view *v = &st.view;

	(void)state;
	view_build(&st, false, false);
	assert_int_equal(v->state, KV_PARTIAL);
	assert_string_equal(v->why, "broker 1 has no agent; alpha: 1 of 2 "
				    "partitions known; beta: 0 of 1 "
				    "partitions known");
	assert_int_equal(v->n_brokers, 2);
	assert_null(v->brokers[0].agent);
	assert_int_equal(v->n_partitions, 1);
	assert_part(v, 0, "alpha", 1, 2, 2, 1, 1);
	assert_int_equal(v->fetched_ms, 2000);
	view_free(&st);
}

/* An agent whose read failed: its error is named, its broker is not in
 * the metadata, and the other two shares still merge. */
static void test_failed_agent_makes_it_partial(void **state)
{
	struct view_state st;
	const struct kafka_view *v = &st.view;

	(void)state;
	view_build(&st, true, true);
	assert_int_equal(v->state, KV_PARTIAL);
	assert_string_equal(v->why,
			    "host kafka3: Local: Broker transport failure; "
			    "broker 3 is not in the metadata");
	/* The view's error is for a cluster no agent could read. */
	assert_string_equal(v->error, "");
	assert_int_equal(v->n_brokers, 3);
	assert_int_equal(v->brokers[2].id, 3);
	assert_false(v->brokers[2].registered);
	assert_ptr_equal(v->brokers[2].agent, &st.hosts[2]);
	assert_int_equal(v->n_partitions, 3);
	assert_int_equal(v->fetched_ms, 1000);
	view_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shares_carry_what_each_broker_leads),
	    cmocka_unit_test(test_two_shares_merge_complete),
	    cmocka_unit_test(test_missing_agent_is_partial),
	    cmocka_unit_test(test_failed_agent_makes_it_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
