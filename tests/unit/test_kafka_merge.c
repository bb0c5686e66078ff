/* SPDX-License-Identifier: Apache-2.0 */
/* A report whose Kafka partition list is unchanged, completed from the
 * last whole list (kafka_merge.c): placed by topic name under a topics
 * list sent again in another order, refused for another digest or
 * count, and read from the host's stored report (a real SQLite store)
 * when the connection has none; a report left without its list makes
 * the Kafka view partial, naming the broker. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pb_encode.h>

#include "collector.h"
#include "kafka_merge.h"
#include "kafka_view.h"

#define DIGEST 0x1122334455667788ull

static void topics(struct proto_lists *l, const char *const *names, size_t n)
{
	kagent_v1_KafkaTopic *t;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(proto_list_add(&l->ktopics, (void **)&t), 0);
		strcpy(t->name, names[i]);
		t->partitions = 4;
	}
}

static void part(struct proto_lists *l, uint32_t topic, int32_t id,
		 int32_t leader)
{
	kagent_v1_KafkaPartition *p;

	assert_int_equal(proto_list_add(&l->kparts, (void **)&p), 0);
	p->topic = topic;
	p->partition = id;
	p->leader = leader;
	p->replicas_count = 3;
	p->replicas[0] = leader;
	p->replicas[1] = 7;
	p->replicas[2] = 8;
	p->isr_count = 2;
	p->isr[0] = leader;
	p->isr[1] = 8;
}

/* Broker 3's whole list: alpha/0, gamma/1, gamma/0 under the topics
 * alpha, beta, gamma (it leads nothing of beta). */
static void whole(kagent_v1_KafkaLive *k, struct proto_lists *l)
{
	static const char *const names[] = {"alpha", "beta", "gamma"};

	memset(k, 0, sizeof *k);
	proto_lists_clear(l);
	k->has_fetched_ms = true;
	k->fetched_ms = 1000;
	k->has_broker_id = true;
	k->broker_id = 3;
	k->assignment_digest = DIGEST;
	k->assignment_count = 3;
	k->assignment_full = true;
	topics(l, names, 3);
	part(l, 0, 0, 3);
	part(l, 2, 1, 3);
	part(l, 2, 0, -1);
}

/* The next report: the same digest, its topics in another order with a
 * new one, and no partitions. */
static void unchanged(kagent_v1_KafkaLive *k, struct proto_lists *l)
{
	static const char *const names[] = {"gamma", "delta", "alpha", "beta"};

	memset(k, 0, sizeof *k);
	proto_lists_clear(l);
	k->has_fetched_ms = true;
	k->fetched_ms = 2000;
	k->has_broker_id = true;
	k->broker_id = 3;
	k->assignment_digest = DIGEST;
	k->assignment_count = 3;
	k->assignment_unchanged = true;
	topics(l, names, 4);
}

static void assert_completed(const kagent_v1_KafkaLive *k,
			     const struct proto_lists *l)
{
	const kagent_v1_KafkaPartition *p = l->kparts.v;
	const kagent_v1_KafkaTopic *t = l->ktopics.v;

	assert_true(k->assignment_full);
	assert_false(k->assignment_unchanged);
	assert_int_equal(l->kparts.n, 3);
	assert_string_equal(t[p[0].topic].name, "alpha");
	assert_int_equal(p[0].topic, 2);
	assert_int_equal(p[0].partition, 0);
	assert_int_equal(p[0].leader, 3);
	assert_string_equal(t[p[1].topic].name, "gamma");
	assert_int_equal(p[1].topic, 0);
	assert_int_equal(p[1].partition, 1);
	assert_int_equal(p[1].replicas_count, 3);
	assert_int_equal(p[1].replicas[2], 8);
	assert_int_equal(p[1].isr_count, 2);
	assert_int_equal(p[1].isr[1], 8);
	assert_int_equal(p[2].topic, 0);
	assert_int_equal(p[2].partition, 0);
	assert_int_equal(p[2].leader, -1);
}

static void assert_untouched(const kagent_v1_KafkaLive *k,
			     const struct proto_lists *l)
{
	assert_false(k->assignment_full);
	assert_true(k->assignment_unchanged);
	assert_int_equal(l->kparts.n, 0);
	assert_int_equal(l->ktopics.n, 4);
}

static void test_merge_by_topic_name(void **state)
{
	struct kafka_merge m = {0};
	kagent_v1_KafkaLive k;
	struct proto_lists l;

	(void)state;
	proto_lists_init(&l);
	whole(&k, &l);
	assert_int_equal(kafka_merge_keep(&m, &k, &l), 0);
	assert_true(m.have);
	/* Only the topics the partitions name are kept. */
	assert_int_equal(m.n_names, 2);
	assert_int_equal(m.n_parts, 3);
	unchanged(&k, &l);
	/* An unchanged report is no base. */
	assert_int_equal(kafka_merge_keep(&m, &k, &l), 0);
	assert_true(m.have);
	assert_int_equal(kafka_merge_complete(&m, &k, &l), 0);
	assert_completed(&k, &l);
	/* Already whole: nothing to complete. */
	assert_int_equal(kafka_merge_complete(&m, &k, &l), -EINVAL);
	kafka_merge_clear(&m);
	proto_lists_free(&l);
}

static void test_digest_count_or_topic_mismatch(void **state)
{
	struct kafka_merge m = {0};
	kagent_v1_KafkaLive k;
	struct proto_lists l;

	(void)state;
	proto_lists_init(&l);
	memset(&k, 0, sizeof k);
	assert_int_equal(kafka_merge_complete(&m, &k, &l), -EINVAL);
	unchanged(&k, &l);
	assert_int_equal(kafka_merge_complete(&m, &k, &l), -ESRCH);
	whole(&k, &l);
	assert_int_equal(kafka_merge_keep(&m, &k, &l), 0);
	unchanged(&k, &l);
	k.assignment_digest = DIGEST + 1;
	assert_int_equal(kafka_merge_complete(&m, &k, &l), -ESRCH);
	assert_untouched(&k, &l);
	unchanged(&k, &l);
	k.assignment_count = 4;
	assert_int_equal(kafka_merge_complete(&m, &k, &l), -ESRCH);
	assert_untouched(&k, &l);
	/* gamma no longer in the topics list (a name the list lost). */
	unchanged(&k, &l);
	strcpy(((kagent_v1_KafkaTopic *)l.ktopics.v)[0].name, "gamma2");
	assert_int_equal(kafka_merge_complete(&m, &k, &l), -ESRCH);
	assert_untouched(&k, &l);
	/* A failed fetch leaves the base; a clipped list drops it. */
	whole(&k, &l);
	strcpy(k.error, "Local: Broker transport failure");
	assert_int_equal(kafka_merge_keep(&m, &k, &l), 0);
	assert_true(m.have);
	whole(&k, &l);
	k.assignment_full = false;
	k.clipped_partitions = 1;
	assert_int_equal(kafka_merge_keep(&m, &k, &l), 0);
	assert_false(m.have);
	unchanged(&k, &l);
	assert_int_equal(kafka_merge_complete(&m, &k, &l), -ESRCH);
	kafka_merge_clear(&m);
	proto_lists_free(&l);
}

/* ---- the hook, over a real store ---- */

struct rig {
	char dir[64];
	char db[96];
	struct collector *c;
	struct coll_conn *k;
};

static void rig_open(struct rig *g)
{
	char err[256];

	strcpy(g->dir, "/tmp/kagent-merge-XXXXXX");
	assert_non_null(mkdtemp(g->dir));
	snprintf(g->db, sizeof g->db, "%s/kcollectord.db", g->dir);
	g->c = calloc(1, sizeof *g->c);
	g->c->env = calloc(1, sizeof *g->c->env);
	proto_lists_init(&g->c->lists);
	assert_int_equal(coll_store_open(g->db, &g->c->store, err, sizeof err),
			 0);
}

static void conn_new(struct rig *g)
{
	if (g->k)
		kafka_merge_free(g->k->kafka);
	free(g->k);
	g->k = calloc(1, sizeof *g->k);
	g->k->c = g->c;
	strcpy(g->k->host_id, "kafka3");
	strcpy(g->k->peer, "127.0.0.1:40000");
}

static void rig_close(struct rig *g)
{
	char p[128];

	conn_new(g);
	free(g->k);
	coll_store_close(g->c->store);
	proto_lists_free(&g->c->lists);
	free(g->c->env);
	free(g->c);
	snprintf(p, sizeof p, "%s/kcollectord.db-wal", g->dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/kcollectord.db-shm", g->dir);
	unlink(p);
	unlink(g->db);
	rmdir(g->dir);
}

/* The report in the collector's envelope, as if just decoded. */
static kagent_v1_Report *report(struct rig *g, uint64_t seq)
{
	kagent_v1_Report *r = &g->c->env->msg.report;

	memset(r, 0, sizeof *r);
	g->c->env->which_msg = kagent_v1_Envelope_report_tag;
	strcpy(r->host_id, "kafka3");
	strcpy(r->cluster, "prod");
	r->seq = seq;
	r->has_kafka_live = true;
	return r;
}

static void store(struct rig *g, kagent_v1_Report *r)
{
	struct check_results checks = {0};
	struct coll_report_meta meta = {"kafka3", "prod", r->seq, 1, 60, 0};
	uint8_t *blob = malloc(PROTO_FRAME_MAX);
	pb_ostream_t os = pb_ostream_from_buffer(blob, PROTO_FRAME_MAX);

	proto_report_bind(r, &g->c->lists);
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	proto_report_unbind(r);
	assert_int_equal(
	    coll_store_put(g->c->store, &meta, blob, os.bytes_written, &checks),
	    0);
	assert_int_equal(coll_store_flush(g->c->store), 0);
	free(blob);
}

static void test_fallback_to_stored_report(void **state)
{
	const uint64_t *n;
	struct rig g = {0};
	kagent_v1_Report *r;

	(void)state;
	rig_open(&g);
	n = g.c->ctr.kafka_lists;
	/* Stored by a collector before this one: a whole list. */
	r = report(&g, 7);
	whole(&r->kafka_live, &g.c->lists);
	store(&g, r);
	/* This collector's first connection of the host replays a report
	 * made unchanged: completed from the stored one. */
	conn_new(&g);
	r = report(&g, 8);
	unchanged(&r->kafka_live, &g.c->lists);
	assert_int_equal(kafka_merge_report(g.k), 1);
	assert_completed(&r->kafka_live, &g.c->lists);
	assert_int_equal(n[KAFKA_MERGE_STORED], 1);
	store(&g, r);
	/* The next from the base it now keeps, the store not read again. */
	r = report(&g, 9);
	unchanged(&r->kafka_live, &g.c->lists);
	assert_int_equal(kafka_merge_report(g.k), 1);
	assert_completed(&r->kafka_live, &g.c->lists);
	assert_int_equal(n[KAFKA_MERGE_CONNECTION], 1);
	/* Another digest: nothing matches, stored as it came. */
	r = report(&g, 10);
	unchanged(&r->kafka_live, &g.c->lists);
	r->kafka_live.assignment_digest = 42;
	assert_int_equal(kafka_merge_report(g.k), 0);
	assert_untouched(&r->kafka_live, &g.c->lists);
	assert_int_equal(n[KAFKA_MERGE_UNKNOWN], 1);
	store(&g, r);
	/* A new connection finds that one stored: no base, unknown, and
	 * the store is read once only. */
	conn_new(&g);
	r = report(&g, 11);
	unchanged(&r->kafka_live, &g.c->lists);
	assert_int_equal(kafka_merge_report(g.k), 0);
	assert_true(g.k->kafka->stored_read);
	assert_false(g.k->kafka->have);
	assert_int_equal(n[KAFKA_MERGE_UNKNOWN], 2);
	/* The whole list that follows fixes it. */
	r = report(&g, 12);
	whole(&r->kafka_live, &g.c->lists);
	assert_int_equal(kafka_merge_report(g.k), 0);
	assert_int_equal(n[KAFKA_MERGE_WHOLE], 1);
	r = report(&g, 13);
	unchanged(&r->kafka_live, &g.c->lists);
	assert_int_equal(kafka_merge_report(g.k), 1);
	assert_completed(&r->kafka_live, &g.c->lists);
	assert_int_equal(n[KAFKA_MERGE_CONNECTION], 2);
	/* A report without Kafka is left alone. */
	r = report(&g, 14);
	r->has_kafka_live = false;
	proto_lists_clear(&g.c->lists);
	assert_int_equal(kafka_merge_report(g.k), 0);
	assert_int_equal(n[KAFKA_MERGE_WHOLE] + n[KAFKA_MERGE_CONNECTION] +
			     n[KAFKA_MERGE_STORED] + n[KAFKA_MERGE_UNKNOWN],
			 6);
	rig_close(&g);
}

/* A share stored without its list: the view is partial and names the
 * broker whose assignment is unknown. */
static void share_of(int32_t broker, bool list, struct kv_share **out)
{
	static const char *const names[] = {"alpha"};
	kagent_v1_KafkaBroker *b;
	kagent_v1_KafkaLive k;
	struct proto_lists l;

	proto_lists_init(&l);
	memset(&k, 0, sizeof k);
	k.has_fetched_ms = true;
	k.fetched_ms = 1000;
	k.has_broker_id = true;
	k.broker_id = broker;
	k.assignment_digest = DIGEST;
	k.assignment_count = 1;
	for (int32_t i = 1; i <= 2; i++) {
		assert_int_equal(proto_list_add(&l.kbrokers, (void **)&b), 0);
		b->id = i;
		snprintf(b->host, sizeof b->host, "kb%d", (int)i);
		b->port = 9092;
	}
	topics(&l, names, 1);
	((kagent_v1_KafkaTopic *)l.ktopics.v)->partitions = 2;
	if (list) {
		k.assignment_full = true;
		part(&l, 0, broker - 1, broker);
	} else {
		k.assignment_unchanged = true;
	}
	assert_int_equal(kafka_share_from_report(&k, &l, out), 0);
	assert_true((*out)->unchanged == !list);
	proto_lists_free(&l);
}

static void test_view_names_broker_without_list(void **state)
{
	struct coll_fleet_host fh[2];
	struct coll_host hosts[2];
	struct coll_fleet f = {0};
	struct kafka_view v;

	(void)state;
	memset(fh, 0, sizeof fh);
	for (int i = 0; i < 2; i++) {
		snprintf(fh[i].h.host_id, sizeof fh[i].h.host_id, "kb%d",
			 i + 1);
		strcpy(fh[i].h.cluster, "prod");
		fh[i].h.roles = CORE_ROLE_KAFKA;
		fh[i].h.broker_id = (struct hw_num){i + 1, true};
		hosts[i] = fh[i].h;
	}
	share_of(1, true, &fh[0].kafka);
	share_of(2, false, &fh[1].kafka);
	f.v = fh;
	f.n = 2;
	assert_int_equal(kafka_view_build(&f, hosts, "prod", &v), 0);
	assert_int_equal(v.state, KV_PARTIAL);
	assert_string_equal(v.why, "broker 2 (host kb2): digest without its "
				   "list; alpha: 1 of 2 partitions known");
	assert_int_equal(v.n_partitions, 1);
	kafka_view_free(&v);
	/* Its next whole list fixes it. */
	kafka_share_free(fh[1].kafka);
	share_of(2, true, &fh[1].kafka);
	assert_int_equal(kafka_view_build(&f, hosts, "prod", &v), 0);
	assert_int_equal(v.state, KV_COMPLETE);
	assert_string_equal(v.why, "");
	assert_int_equal(v.n_partitions, 2);
	kafka_view_free(&v);
	kafka_share_free(fh[0].kafka);
	kafka_share_free(fh[1].kafka);
}

/* The design shape's base: a broker of 50 leading one partition of each
 * of 2 000 topics (100 000 partitions in all).  Prints what one
 * connection keeps, and the 50 connections of the cluster. */
static void test_design_shape_base_bytes(void **state)
{
	struct kafka_merge m = {0};
	kagent_v1_KafkaTopic *t;
	kagent_v1_KafkaLive k;
	struct proto_lists l;
	size_t i, bytes;

	(void)state;
	proto_lists_init(&l);
	memset(&k, 0, sizeof k);
	k.has_fetched_ms = true;
	k.assignment_full = true;
	k.assignment_count = 2000;
	for (i = 0; i < 2000; i++) {
		assert_int_equal(proto_list_add(&l.ktopics, (void **)&t), 0);
		snprintf(t->name, sizeof t->name, "service-events-%04zu", i);
		part(&l, (uint32_t)i, (int32_t)(i % 50), 1);
	}
	assert_int_equal(kafka_merge_keep(&m, &k, &l), 0);
	assert_int_equal(m.n_parts, 2000);
	assert_int_equal(m.n_names, 2000);
	/* Each partition its encoded bytes and a length byte. */
	for (i = 0, bytes = 0; i < l.kparts.n; i++) {
		size_t n = 0;

		assert_true(pb_get_encoded_size(
		    &n, kagent_v1_KafkaPartition_fields,
		    (const kagent_v1_KafkaPartition *)l.kparts.v + i));
		bytes += 1 + n;
	}
	assert_int_equal(m.parts_len, bytes);
	bytes += sizeof m + m.n_names * sizeof *m.names;
	for (i = 0; i < m.n_names; i++)
		bytes += strlen(m.names[i]) + 1;
	assert_int_equal(bytes, sizeof m + m.parts_len + 2000 * (8 + 20));
	print_message("design shape: a connection's base %zu bytes "
		      "(before malloc's overhead), 50 connections %zu\n",
		      bytes, 50 * bytes);
	kafka_merge_clear(&m);
	proto_lists_free(&l);
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(kafka_merge_result_name(KAFKA_MERGE_WHOLE),
			    "whole");
	assert_string_equal(kafka_merge_result_name(KAFKA_MERGE_CONNECTION),
			    "connection");
	assert_string_equal(kafka_merge_result_name(KAFKA_MERGE_STORED),
			    "stored");
	assert_string_equal(kafka_merge_result_name(KAFKA_MERGE_UNKNOWN),
			    "unknown");
	assert_string_equal(kafka_merge_result_name(KAFKA_MERGE_N), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_by_topic_name),
	    cmocka_unit_test(test_digest_count_or_topic_mismatch),
	    cmocka_unit_test(test_fallback_to_stored_report),
	    cmocka_unit_test(test_view_names_broker_without_list),
	    cmocka_unit_test(test_design_shape_base_bytes),
	    cmocka_unit_test(test_result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
