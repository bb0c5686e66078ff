/* SPDX-License-Identifier: Apache-2.0 */
/* Report.kafka_live as kafka_report_fill makes it: encoded and decoded
 * back, clipped at PROTO_KAFKA_BYTES_MAX, and sent whole only when the
 * partition list changed, on a new collector connection or every
 * KAFKA_WHOLE_EVERY-th report (otherwise the digest alone). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pb_encode.h>

#include "collector.h"
#include "daemon.h"

/* Brokers 1-3.  Broker 1 leads events/0 and events/2; logs/1 has no
 * leader; broker 1 holds a replica of logs but none of metrics.  Its
 * share: topics events and logs, partitions events/0, events/2, logs/1. */
struct part_def {
	int topic;
	int32_t leader;
	int n;
	int32_t r[3];
	int n_isr;
};

static const char *const TOPICS[] = {"events", "logs", "metrics"};
static const struct part_def PARTS[] = {
    {0, 1, 3, {1, 2, 3}, 3}, {0, 2, 3, {2, 3, 1}, 3},  {0, 1, 3, {1, 3, 2}, 2},
    {1, 3, 2, {3, 1, 0}, 2}, {1, -1, 2, {2, 3, 0}, 0}, {2, 2, 2, {2, 3, 0}, 2},
};
#define NPARTS (sizeof PARTS / sizeof PARTS[0])

static void meta_small(struct kafka_meta *m)
{
	size_t i, t;

	memset(m, 0, sizeof *m);
	m->fetched_ms = 1700000000000;
	m->controller = 2;
	strcpy(m->cluster_id, "mock-cluster");
	m->n_brokers = 3;
	m->brokers = calloc(3, sizeof *m->brokers);
	for (i = 0; i < 3; i++) {
		m->brokers[i].id = (int32_t)i + 1;
		snprintf(m->brokers[i].host, sizeof m->brokers[i].host,
			 "kafka%zu", i + 1);
		m->brokers[i].port = 9092;
	}
	m->n_topics = 3;
	m->topics = calloc(3, sizeof *m->topics);
	m->n_parts = NPARTS;
	m->parts = calloc(NPARTS, sizeof *m->parts);
	for (t = 0; t < 3; t++) {
		strcpy(m->topics[t].name, TOPICS[t]);
		m->topics[t].first = SIZE_MAX;
	}
	for (i = 0; i < NPARTS; i++) {
		struct kafka_meta_partition *p = &m->parts[i];
		struct kafka_meta_topic *tp = &m->topics[PARTS[i].topic];

		if (tp->first == SIZE_MAX)
			tp->first = i;
		p->id = (int32_t)tp->n++;
		p->leader = PARTS[i].leader;
		p->n_replicas = (uint8_t)PARTS[i].n;
		memcpy(p->replicas, PARTS[i].r, sizeof PARTS[i].r);
		p->n_isr = (uint8_t)PARTS[i].n_isr;
		memcpy(p->isr, PARTS[i].r, sizeof PARTS[i].r);
	}
}

/* kafka_meta_free lives with librdkafka's client; these are plain. */
static void meta_free(struct kafka_meta *m)
{
	free(m->brokers);
	free(m->topics);
	free(m->parts);
}

/* The digest as the wire defines it (kagent.proto KafkaLive field 9),
 * over the given partitions of m in order. */
static uint64_t digest_of(const struct kafka_meta *m, const size_t *idx,
			  size_t n)
{
	uint64_t d = CORE_FNV_START;

	for (size_t i = 0; i < n; i++) {
		const struct kafka_meta_partition *p = &m->parts[idx[i]];
		const char *t = "";

		for (size_t j = 0; j < m->n_topics; j++)
			if (idx[i] >= m->topics[j].first &&
			    idx[i] < m->topics[j].first + m->topics[j].n)
				t = m->topics[j].name;
		d = core_fnv(d, t, strlen(t) + 1);
		d = core_fnv(d, &p->id, sizeof p->id);
		d = core_fnv(d, &p->leader, sizeof p->leader);
		d = core_fnv(d, &p->n_replicas, sizeof p->n_replicas);
		d = core_fnv(d, p->replicas, p->n_replicas * sizeof(int32_t));
		d = core_fnv(d, &p->n_isr, sizeof p->n_isr);
		d = core_fnv(d, p->isr, p->n_isr * sizeof(int32_t));
	}
	return d;
}

static const struct kafka_live_local LOC1 = {
    .broker_id = 1, .broker_id_known = true};
static const struct async_seen SEEN = {0};

static void fill(const struct kafka_meta *m, struct kafka_delta *d,
		 kagent_v1_KafkaLive *k, struct proto_lists *l)
{
	proto_lists_clear(l);
	kafka_report_fill(m, &SEEN, &LOC1, d, k, l);
}

static void test_share_survives_encode_and_decode(void **state)
{
	kagent_v1_Report *r = calloc(1, sizeof *r);
	kagent_v1_Report *back = calloc(1, sizeof *back);
	static const size_t share[] = {0, 2, 4};
	const kagent_v1_KafkaPartition *p;
	const kagent_v1_KafkaTopic *t;
	struct proto_lists l, lb;
	struct kafka_meta m;
	uint8_t *buf = malloc(PROTO_FRAME_MAX);
	pb_ostream_t os = pb_ostream_from_buffer(buf, PROTO_FRAME_MAX);

	(void)state;
	meta_small(&m);
	proto_lists_init(&l);
	proto_lists_init(&lb);
	r->has_kafka_live = true;
	assert_int_equal(
	    kafka_report_fill(&m, &SEEN, &LOC1, NULL, &r->kafka_live, &l), 0);
	proto_report_bind(r, &l);
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	assert_int_equal(
	    coll_report_decode(buf, os.bytes_written, back, &lb, NULL), 0);
	assert_true(back->has_kafka_live);
	assert_int_equal(back->kafka_live.broker_id, 1);
	assert_int_equal(back->kafka_live.controller, 2);
	assert_string_equal(back->kafka_live.cluster_id, "mock-cluster");
	assert_int_equal(back->kafka_live.fetched_ms, 1700000000000);
	assert_int_equal(lb.kbrokers.n, 3);
	assert_int_equal(lb.ktopics.n, 2);
	t = lb.ktopics.v;
	assert_string_equal(t[0].name, "events");
	assert_int_equal(t[0].partitions, 3);
	assert_int_equal(t[0].replication_factor, 3);
	assert_int_equal(t[0].under_replicated, 1);
	assert_string_equal(t[1].name, "logs");
	assert_int_equal(t[1].offline, 1);
	assert_int_equal(lb.kparts.n, 3);
	p = lb.kparts.v;
	assert_int_equal(p[0].topic, 0);
	assert_int_equal(p[0].partition, 0);
	assert_int_equal(p[0].leader, 1);
	assert_int_equal(p[0].replicas_count, 3);
	assert_int_equal(p[0].replicas[2], 3);
	assert_int_equal(p[1].topic, 0);
	assert_int_equal(p[1].partition, 2);
	assert_int_equal(p[1].isr_count, 2);
	assert_int_equal(p[1].isr[1], 3);
	assert_int_equal(p[2].topic, 1);
	assert_int_equal(p[2].partition, 1);
	assert_int_equal(p[2].leader, -1);
	assert_int_equal(p[2].isr_count, 0);
	assert_int_equal(back->kafka_live.assignment_count, 3);
	assert_true(back->kafka_live.assignment_digest ==
		    digest_of(&m, share, 3));
	assert_true(back->kafka_live.assignment_full);
	assert_false(back->kafka_live.assignment_unchanged);
	assert_int_equal(back->kafka_live.clipped_topics, 0);
	assert_int_equal(back->kafka_live.clipped_partitions, 0);
	proto_lists_free(&l);
	proto_lists_free(&lb);
	meta_free(&m);
	free(buf);
	free(r);
	free(back);
}

/* 100 topics of 110 partitions, all led by broker 1: 11 000 partitions,
 * more than PROTO_KAFKA_BYTES_MAX holds.  Names of 200 bytes make a
 * topic's item larger than a partition's, so once a partition no longer
 * fits no later topic does; topic indexes and partition ids stay below
 * 128, so every item of a kind has one size. */
#define BT 100
#define BP 110

static void meta_big(struct kafka_meta *m)
{
	size_t t, i;

	memset(m, 0, sizeof *m);
	m->fetched_ms = 1;
	m->controller = 1;
	m->n_brokers = 1;
	m->brokers = calloc(1, sizeof *m->brokers);
	m->brokers[0].id = 1;
	strcpy(m->brokers[0].host, "kafka1");
	m->brokers[0].port = 9092;
	m->n_topics = BT;
	m->topics = calloc(BT, sizeof *m->topics);
	m->n_parts = BT * BP;
	m->parts = calloc(BT * BP, sizeof *m->parts);
	for (t = 0; t < BT; t++) {
		snprintf(m->topics[t].name, sizeof m->topics[t].name,
			 "%03zu%0197d", t, 0);
		m->topics[t].first = t * BP;
		m->topics[t].n = BP;
		for (i = 0; i < BP; i++) {
			struct kafka_meta_partition *p = &m->parts[t * BP + i];

			p->id = (int32_t)i;
			p->leader = 1;
			p->n_replicas = p->n_isr = 3;
			p->replicas[0] = p->isr[0] = 1;
			p->replicas[1] = p->isr[1] = 2;
			p->replicas[2] = p->isr[2] = 3;
		}
	}
}

static size_t item(const pb_msgdesc_t *f, const void *v)
{
	size_t n = 0;

	assert_true(pb_get_encoded_size(&n, f, v));
	return 1 + 3 + n; /* as the budget counts: tag, length, item */
}

static void test_budget_clips_whole_share_digested(void **state)
{
	kagent_v1_KafkaLive k;
	struct proto_lists l;
	struct kafka_meta m;
	size_t all[BT * BP], st, sp, sb, left, groups, nt, j, i;
	struct kafka_delta d = {0};

	(void)state;
	meta_big(&m);
	proto_lists_init(&l);
	fill(&m, NULL, &k, &l);
	/* Proto3 leaves zeros out: topic index 0 and partition id 0 each
	 * make an item two bytes (tag, value) shorter than the others
	 * (measured on topic 1, partition 1). */
	st = item(kagent_v1_KafkaTopic_fields, l.ktopics.v);
	sp = item(kagent_v1_KafkaPartition_fields,
		  (const kagent_v1_KafkaPartition *)l.kparts.v + BP + 1);
	sb = item(kagent_v1_KafkaBroker_fields, l.kbrokers.v);
	assert_true(st > sp);
	/* Whole topics with their partitions (topic 0's 2 * BP bytes
	 * shorter), then part of the next one. */
	left = PROTO_KAFKA_BYTES_MAX - sb + 2 * BP;
	groups = left / (st + BP * sp - 2);
	left -= groups * (st + BP * sp - 2);
	nt = groups + (left >= st);
	j = left >= st + sp - 2 ? 1 + (left - st - (sp - 2)) / sp : 0;
	assert_int_equal(l.ktopics.n, nt);
	assert_int_equal(l.kparts.n, groups * BP + j);
	assert_int_equal(k.clipped_topics, BT - nt);
	assert_int_equal(k.clipped_partitions, nt > groups ? BP - j : 0);
	/* The figures of this layout, as the formula gives them: 95 whole
	 * topics (2 409 bytes each) and 25 partitions of the 96th fill the
	 * 229 376 bytes but 15. */
	assert_int_equal(st, 211);
	assert_int_equal(sp, 20);
	assert_int_equal(l.ktopics.n, 96);
	assert_int_equal(l.kparts.n, 10475);
	assert_int_equal(k.clipped_topics, 4);
	assert_int_equal(k.clipped_partitions, 85);
	assert_false(k.assignment_full);
	assert_int_equal(k.assignment_count, BT * BP);
	for (i = 0; i < BT * BP; i++)
		all[i] = i;
	assert_true(k.assignment_digest == digest_of(&m, all, BT * BP));
	/* A clipped list goes whole every time: the collector could not
	 * complete a later report from it. */
	for (i = 0; i < 3; i++) {
		fill(&m, &d, &k, &l);
		assert_int_equal(l.kparts.n, groups * BP + j);
		assert_false(k.assignment_unchanged);
	}
	proto_lists_free(&l);
	meta_free(&m);
}

static void assert_whole(const kagent_v1_KafkaLive *k,
			 const struct proto_lists *l, size_t n)
{
	assert_false(k->assignment_unchanged);
	assert_true(k->assignment_full);
	assert_int_equal(k->assignment_count, n);
	assert_int_equal(l->kparts.n, n);
}

static void assert_unchanged(const kagent_v1_KafkaLive *k,
			     const struct proto_lists *l, size_t n,
			     uint64_t digest)
{
	assert_true(k->assignment_unchanged);
	assert_false(k->assignment_full);
	assert_int_equal(k->assignment_count, n);
	assert_true(k->assignment_digest == digest);
	assert_int_equal(l->kparts.n, 0);
	/* The summaries still travel. */
	assert_int_equal(l->ktopics.n, 2);
}

static void test_whole_only_when_changed(void **state)
{
	struct kafka_delta d = {.conn = 1000};
	kagent_v1_KafkaLive k;
	struct proto_lists l;
	struct kafka_meta m;
	uint64_t dg;

	(void)state;
	meta_small(&m);
	proto_lists_init(&l);
	fill(&m, &d, &k, &l);
	assert_whole(&k, &l, 3);
	dg = k.assignment_digest;
	fill(&m, &d, &k, &l);
	assert_unchanged(&k, &l, 3, dg);
	/* The ISR counts in the summaries only: still unchanged. */
	fill(&m, &d, &k, &l);
	assert_unchanged(&k, &l, 3, dg);
	/* Broker 1 takes the lead of events/1: whole, one more. */
	m.parts[1].leader = 1;
	fill(&m, &d, &k, &l);
	assert_whole(&k, &l, 4);
	assert_true(k.assignment_digest != dg);
	dg = k.assignment_digest;
	fill(&m, &d, &k, &l);
	assert_unchanged(&k, &l, 4, dg);
	/* An ISR that shrinks changes the list too. */
	m.parts[0].n_isr = 2;
	fill(&m, &d, &k, &l);
	assert_whole(&k, &l, 4);
	proto_lists_free(&l);
	meta_free(&m);
}

static void test_whole_on_new_connection(void **state)
{
	struct kafka_delta d = {0};
	kagent_v1_KafkaLive k;
	struct proto_lists l;
	struct kafka_meta m;
	uint64_t dg;

	(void)state;
	meta_small(&m);
	proto_lists_init(&l);
	/* Made while no collector was up yet, then connected. */
	fill(&m, &d, &k, &l);
	assert_whole(&k, &l, 3);
	dg = k.assignment_digest;
	fill(&m, &d, &k, &l);
	assert_unchanged(&k, &l, 3, dg);
	d.conn = 5000;
	fill(&m, &d, &k, &l);
	assert_whole(&k, &l, 3);
	fill(&m, &d, &k, &l);
	assert_unchanged(&k, &l, 3, dg);
	/* Disconnected: the loop keeps the last connection's mark. */
	fill(&m, &d, &k, &l);
	assert_unchanged(&k, &l, 3, dg);
	d.conn = 9000;
	fill(&m, &d, &k, &l);
	assert_whole(&k, &l, 3);
	proto_lists_free(&l);
	meta_free(&m);
}

static void test_whole_every_nth_and_after_error(void **state)
{
	struct kafka_delta d = {.conn = 1};
	kagent_v1_KafkaLive k;
	struct proto_lists l;
	struct kafka_meta m;
	int i, whole[31] = {0}, n = 0;

	(void)state;
	meta_small(&m);
	proto_lists_init(&l);
	for (i = 1; i <= 30; i++) {
		fill(&m, &d, &k, &l);
		if (!k.assignment_unchanged)
			whole[n++] = i;
	}
	assert_int_equal(KAFKA_WHOLE_EVERY, 10);
	assert_int_equal(n, 3);
	assert_int_equal(whole[0], 1);
	assert_int_equal(whole[1], 11);
	assert_int_equal(whole[2], 21);
	/* A failed fetch carries no list; the next list goes whole. */
	strcpy(m.error, "Local: Broker transport failure");
	fill(&m, &d, &k, &l);
	assert_int_equal(l.kparts.n, 0);
	assert_false(k.assignment_unchanged);
	assert_string_equal(k.error, "Local: Broker transport failure");
	m.error[0] = '\0';
	fill(&m, &d, &k, &l);
	assert_whole(&k, &l, 3);
	proto_lists_free(&l);
	meta_free(&m);
}

/* The design shape: 50 brokers, 2 000 topics of 50 partitions (100 000),
 * replication factor 3, every broker leading one partition of each topic
 * and holding a replica of three.  Prints the bytes broker 1's Kafka
 * part takes on the wire, whole and unchanged (bench/ compares them). */
#define DB 50
#define DT 2000
#define DP 50

static void meta_design(struct kafka_meta *m)
{
	size_t t, i;

	memset(m, 0, sizeof *m);
	m->fetched_ms = 1700000000000;
	m->controller = 1;
	strcpy(m->cluster_id, "Xk3vTq9yR2ma1lYw8cO5dQ");
	m->n_brokers = DB;
	m->brokers = calloc(DB, sizeof *m->brokers);
	for (i = 0; i < DB; i++) {
		m->brokers[i].id = (int32_t)i + 1;
		snprintf(m->brokers[i].host, sizeof m->brokers[i].host,
			 "kafka-%02zu.dc1.example.net", i + 1);
		m->brokers[i].port = 9092;
	}
	m->n_topics = DT;
	m->topics = calloc(DT, sizeof *m->topics);
	m->n_parts = (size_t)DT * DP;
	m->parts = calloc(m->n_parts, sizeof *m->parts);
	for (t = 0; t < DT; t++) {
		snprintf(m->topics[t].name, sizeof m->topics[t].name,
			 "service-events-%04zu", t);
		m->topics[t].first = t * DP;
		m->topics[t].n = DP;
		for (i = 0; i < DP; i++) {
			struct kafka_meta_partition *p = &m->parts[t * DP + i];
			int32_t l = (int32_t)((t + i) % DB) + 1;

			p->id = (int32_t)i;
			p->leader = l;
			p->n_replicas = p->n_isr = 3;
			for (int r = 0; r < 3; r++)
				p->replicas[r] = p->isr[r] =
				    (l - 1 + r) % DB + 1;
		}
	}
}

static size_t kafka_bytes(kagent_v1_Report *r, const struct proto_lists *l)
{
	size_t with = 0, without = 0;

	proto_report_bind(r, l);
	r->has_kafka_live = true;
	assert_true(pb_get_encoded_size(&with, kagent_v1_Report_fields, r));
	r->has_kafka_live = false;
	assert_true(pb_get_encoded_size(&without, kagent_v1_Report_fields, r));
	r->has_kafka_live = true;
	proto_report_unbind(r);
	return with - without;
}

static void test_design_shape_sizes(void **state)
{
	kagent_v1_Report *r = calloc(1, sizeof *r);
	struct kafka_delta d = {.conn = 1};
	size_t whole, unchanged, parts = 0, i;
	struct proto_lists l;
	struct kafka_meta m;

	(void)state;
	meta_design(&m);
	proto_lists_init(&l);
	fill(&m, &d, &r->kafka_live, &l);
	assert_int_equal(l.kbrokers.n, DB);
	assert_int_equal(l.ktopics.n, DT);
	assert_int_equal(l.kparts.n, DT);
	assert_int_equal(r->kafka_live.assignment_count, DT);
	assert_true(r->kafka_live.assignment_full);
	for (i = 0; i < l.kparts.n; i++)
		parts += item(kagent_v1_KafkaPartition_fields,
			      (const kagent_v1_KafkaPartition *)l.kparts.v + i);
	whole = kafka_bytes(r, &l);
	assert_true(whole <= PROTO_KAFKA_BYTES_MAX);
	fill(&m, &d, &r->kafka_live, &l);
	assert_true(r->kafka_live.assignment_unchanged);
	assert_int_equal(l.kparts.n, 0);
	unchanged = kafka_bytes(r, &l);
	/* The partitions and nothing else are left out (each item's length
	 * takes one byte here, not the budget's three); the flag's three
	 * bytes (field 20 takes a two-byte tag) replace assignment_full's
	 * two. */
	assert_int_equal(whole - unchanged, parts - 2 * DT - 1);
	print_message("design shape, broker 1 of %d: Kafka part %zu bytes "
		      "whole, %zu unchanged (%.1f%%); %u partitions led\n",
		      DB, whole, unchanged,
		      100.0 * (double)unchanged / (double)whole,
		      r->kafka_live.assignment_count);
	proto_lists_free(&l);
	meta_free(&m);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_share_survives_encode_and_decode),
	    cmocka_unit_test(test_budget_clips_whole_share_digested),
	    cmocka_unit_test(test_whole_only_when_changed),
	    cmocka_unit_test(test_whole_on_new_connection),
	    cmocka_unit_test(test_whole_every_nth_and_after_error),
	    cmocka_unit_test(test_design_shape_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
