/* SPDX-License-Identifier: Apache-2.0 */
/* The reassignment planner on clusters built here: a fourth broker takes
 * its share with the fewest moves (computed independently), racks and
 * replication factors hold, preferred leaders spread by reordering, a
 * drain empties a broker or names the topic it cannot, a balanced
 * cluster plans nothing, and the same input gives the same plan; the
 * loader names the JSON path of what it refuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reassign.h"

/* A cluster document with brokers 1..n (racks[i] for broker i+1, NULL
 * for none; nic 10000 Mb/s each) and no topics. */
static json_t *doc_new(int n, const char *const *racks)
{
	json_t *d =
	    json_pack("{s:s,s:s,s:n,s:n,s:n,s:n,s:n,s:[],s:[]}", "cluster",
		      "kp", "state", "complete", "why", "error", "fetched_ms",
		      "controller", "cluster_id", "brokers", "topics");
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(
		    json_object_get(d, "brokers"),
		    json_pack("{s:i,s:s,s:i,s:o,s:b,s:n,s:n,s:i}", "id", i + 1,
			      "host", "h", "port", 9092, "rack",
			      racks && racks[i] ? json_string(racks[i])
						: json_null(),
			      "registered", 1, "host_id", "started_ms",
			      "nic_speed_mbps", 10000));
	return d;
}

/* A topic of np partitions, partition i's replicas asg[i*rf..]. */
static void doc_topic(json_t *d, const char *name, int rf, int np,
		      const int *asg, long long bytes)
{
	json_t *a = json_array();
	int i, k;

	for (i = 0; i < np; i++) {
		json_t *r = json_array();

		for (k = 0; k < rf; k++)
			json_array_append_new(r, json_integer(asg[i * rf + k]));
		json_array_append_new(
		    a, json_pack("{s:i,s:i,s:O,s:o}", "partition", i, "leader",
				 asg[i * rf], "replicas", r, "isr", r));
	}
	json_array_append_new(
	    json_object_get(d, "topics"),
	    json_pack("{s:s,s:i,s:i,s:i,s:s,s:I,s:i,s:o,s:o,s:i,s:i,s:i,s:o}",
		      "name", name, "partitions", np, "replication_factor", rf,
		      "min_insync_replicas", 1, "min_insync_replicas_source",
		      "broker default", "retention_ms", (json_int_t)604800000,
		      "retention_bytes", -1, "bytes",
		      bytes >= 0 ? json_integer(bytes) : json_null(),
		      "replica_bytes",
		      bytes >= 0 ? json_integer(bytes / np / rf) : json_null(),
		      "under_replicated", 0, "under_min_isr", 0, "offline", 0,
		      "assignment", a));
}

static void load(json_t *d, struct ra_cluster *c)
{
	char err[600];

	assert_int_equal(ra_cluster_load(d, "kp", c, err, sizeof err), 0);
	json_decref(d);
}

static int64_t count(const struct ra_topic *t, int32_t id, bool lead)
{
	int64_t n = 0;
	int i, k;

	for (i = 0; i < t->n_parts; i++)
		for (k = 0; k < (lead ? 1 : t->parts[i].n); k++)
			n += t->parts[i].planned[k] == id;
	return n;
}

/* Every partition keeps its replication factor with distinct brokers. */
static void assert_valid(const struct ra_topic *t)
{
	int i, k, j;

	for (i = 0; i < t->n_parts; i++) {
		assert_int_equal(t->parts[i].n, t->rf);
		for (k = 0; k < t->parts[i].n; k++)
			for (j = 0; j < k; j++)
				assert_int_not_equal(t->parts[i].planned[j],
						     t->parts[i].planned[k]);
	}
}

/* The fewest moves, from the counts alone: max(replicas above q+1 or on
 * drained brokers, slots below q). */
static int64_t min_moves(const struct ra_topic *t, int nb, int drain)
{
	int64_t total = (int64_t)t->n_parts * t->rf, q, give = 0, take = 0;
	int b, i, k, n = nb - (drain > 0);

	q = total / n;
	for (b = 1; b <= nb; b++) {
		int64_t c = 0;

		for (i = 0; i < t->n_parts; i++)
			for (k = 0; k < t->parts[i].n; k++)
				c += t->parts[i].replicas[k] == b;
		if (b == drain)
			give += c;
		else if (c > q + 1)
			give += c - q - 1;
		else if (c < q)
			take += q - c;
	}
	return give > take ? give : take;
}

/* Partition i on brokers 1..3 in turn: i, i+1, i+2 (mod 3). */
static void round_robin(int *asg, int np, int nb, int rf)
{
	int i, k;

	for (i = 0; i < np; i++)
		for (k = 0; k < rf; k++)
			asg[i * rf + k] = (i + k) % nb + 1;
}

static void test_scale_out_new_broker_takes_its_share(void **state)
{
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[18], b;
	json_t *d = doc_new(4, NULL);

	(void)state;
	round_robin(asg, 6, 3, 3);
	doc_topic(d, "t", 3, 6, asg, 6 * 3 * 1000);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_valid(&c.topics[0]);
	/* 18 replicas over 4 brokers: 4 or 5 each; broker 4 needs 4. */
	assert_int_equal(min_moves(&c.topics[0], 4, 0), 4);
	assert_int_equal(c.topics[0].moved, 4);
	assert_int_equal(r.moved, 4);
	assert_int_equal(count(&c.topics[0], 4, false), 4);
	assert_int_equal(count(&c.topics[0], 1, false), 4);
	assert_int_equal(count(&c.topics[0], 2, false), 5);
	assert_int_equal(count(&c.topics[0], 3, false), 5);
	/* 6 leaders over 4 brokers: 1 or 2 each. */
	for (b = 1; b <= 4; b++) {
		assert_true(count(&c.topics[0], b, true) >= 1);
		assert_true(count(&c.topics[0], b, true) <= 2);
	}
	assert_true(c.topics[0].balanced);
	assert_int_equal(r.racks, RA_RACKS_UNKNOWN);
	ra_cluster_free(&c);
}

/* The smallest case, the whole plan: 3 partitions on brokers 1-3,
 * broker 4 new.  9 replicas over 4: q = 2, so broker 4 needs 2 and the
 * fullest give first, from partitions they do not lead. */
static void test_scale_out_exact_plan(void **state)
{
	static const int want[3][3] = {{1, 4, 3}, {2, 3, 4}, {3, 1, 2}};
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[9], i, k;
	json_t *d = doc_new(4, NULL);

	(void)state;
	round_robin(asg, 3, 3, 3);
	doc_topic(d, "t", 3, 3, asg, 9000);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	for (i = 0; i < 3; i++)
		for (k = 0; k < 3; k++)
			assert_int_equal(c.topics[0].parts[i].planned[k],
					 want[i][k]);
	assert_int_equal(c.topics[0].moved, min_moves(&c.topics[0], 4, 0));
	assert_int_equal(c.topics[0].moved, 2);
	ra_cluster_free(&c);
}

/* Whether two replicas of a partition share a rack (racks[id-1]). */
static bool rack_clash(const struct ra_topic *t, const char *const *racks)
{
	int i, k, j;

	for (i = 0; i < t->n_parts; i++)
		for (k = 0; k < t->parts[i].n; k++)
			for (j = 0; j < k; j++)
				if (strcmp(racks[t->parts[i].planned[k] - 1],
					   racks[t->parts[i].planned[j] - 1]) ==
				    0)
					return true;
	return false;
}

/* Six brokers, two per rack; partition 0 starts with two replicas in
 * rack a, which the plan fixes with one move, and the rest stays. */
static void test_racks_respected(void **state)
{
	static const char *const racks[] = {"a", "a", "b", "b", "c", "c"};
	static const int asg[] = {1, 2, 3, 1, 3, 5, 1, 4, 6,
				  2, 4, 5, 2, 3, 6, 1, 4, 6};
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	json_t *d = doc_new(6, racks);

	(void)state;
	doc_topic(d, "t", 3, 6, asg, 1800);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_int_equal(r.racks, RA_RACKS_ON);
	assert_int_equal(r.n_racks, 3);
	assert_false(rack_clash(&c.topics[0], racks));
	assert_valid(&c.topics[0]);
	assert_int_equal(c.topics[0].moved, 1);
	assert_true(c.topics[0].balanced);
	ra_cluster_free(&c);
}

/* A new broker in rack a beside broker 1: with one replica per rack it
 * can take only broker 1's, down to the mean (4 of 18 over 4 brokers),
 * so it ends with 2 and the topic is said to stay unbalanced; the rule
 * is not broken for it. */
static void test_racks_limit_new_broker(void **state)
{
	static const char *const racks[] = {"a", "b", "c", "a"};
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[18];
	json_t *d = doc_new(4, racks);

	(void)state;
	round_robin(asg, 6, 3, 3);
	doc_topic(d, "t", 3, 6, asg, 1800);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_false(rack_clash(&c.topics[0], racks));
	assert_int_equal(count(&c.topics[0], 4, false), 2);
	assert_int_equal(count(&c.topics[0], 1, false), 4);
	assert_int_equal(c.topics[0].moved, 2);
	assert_false(c.topics[0].balanced);
	ra_cluster_free(&c);
}

/* Fewer racks than the replication factor: no rack rule, said. */
static void test_racks_fewer_than_rf(void **state)
{
	static const char *const racks[] = {"a", "b", "a", "b"};
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[18];
	json_t *d = doc_new(4, racks);

	(void)state;
	round_robin(asg, 6, 3, 3);
	doc_topic(d, "t", 3, 6, asg, 1800);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_int_equal(r.racks, RA_RACKS_FEW);
	assert_int_equal(c.topics[0].moved, 4);
	assert_true(c.topics[0].balanced);
	ra_cluster_free(&c);
}

/* Every partition led by broker 1: the plan reorders two partitions and
 * copies nothing. */
static void test_leaders_spread_by_reordering(void **state)
{
	static const int asg[] = {1, 2, 3, 1, 2, 3, 1, 2, 3};
	static const int want[3][3] = {{2, 1, 3}, {3, 2, 1}, {1, 2, 3}};
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	json_t *d = doc_new(3, NULL);
	int i, k;

	(void)state;
	doc_topic(d, "t", 3, 3, asg, 900);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_int_equal(c.topics[0].moved, 0);
	assert_int_equal(c.topics[0].reordered, 2);
	assert_int_equal(c.topics[0].changed, 2);
	for (i = 0; i < 3; i++)
		for (k = 0; k < 3; k++)
			assert_int_equal(c.topics[0].parts[i].planned[k],
					 want[i][k]);
	ra_cluster_free(&c);
}

/* Four brokers, 3 replicas each; draining broker 4 moves exactly its
 * three and leaves 4 on each of the others. */
static void test_drain_empties_broker(void **state)
{
	struct ra_plan_opts o = {.drain = true, .drain_id = 4};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[12], b;
	json_t *d = doc_new(4, NULL);

	(void)state;
	round_robin(asg, 4, 4, 3);
	doc_topic(d, "t", 3, 4, asg, 1200);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_valid(&c.topics[0]);
	assert_int_equal(count(&c.topics[0], 4, false), 0);
	for (b = 1; b <= 3; b++)
		assert_int_equal(count(&c.topics[0], b, false), 4);
	assert_int_equal(c.topics[0].moved, 3);
	assert_int_equal(min_moves(&c.topics[0], 4, 4), 3);
	ra_cluster_free(&c);
}

/* Three brokers and replication factor 3: broker 3 cannot be drained,
 * and the error names the topic. */
static void test_drain_impossible_names_topic(void **state)
{
	struct ra_plan_opts o = {.drain = true, .drain_id = 3};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[9];
	json_t *d = doc_new(3, NULL);

	(void)state;
	round_robin(asg, 3, 3, 3);
	doc_topic(d, "small", 1, 1, (const int[]){1}, 10);
	doc_topic(d, "orders", 3, 3, asg, 900);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), -ENOSPC);
	assert_int_equal(r.failed_topic, 1);
	assert_string_equal(r.err, "topic orders: replication factor 3 needs "
				   "3 brokers, 2 are left");
	ra_cluster_free(&c);
	/* A broker the cluster does not have. */
	d = doc_new(3, NULL);
	doc_topic(d, "orders", 3, 3, asg, 900);
	load(d, &c);
	o.drain_id = 7;
	assert_int_equal(ra_plan(&c, &o, &r), -EINVAL);
	assert_string_equal(r.err, "--drain 7: no such broker in cluster kp");
	ra_cluster_free(&c);
}

static void test_balanced_plans_nothing(void **state)
{
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[18];
	size_t idx[1];
	json_t *d = doc_new(3, NULL);

	(void)state;
	round_robin(asg, 6, 3, 3);
	doc_topic(d, "t", 3, 6, asg, 1800);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_int_equal(r.moved, 0);
	assert_int_equal(c.topics[0].changed, 0);
	assert_int_equal(ra_steps(&c, idx), 0);
	ra_cluster_free(&c);
}

/* Topics of replication factor 1, 2 and 3 on a scale-out 3 -> 5. */
static void test_rf_preserved(void **state)
{
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int a1[10], a2[20], a3[30], rf;
	json_t *d = doc_new(5, NULL);

	(void)state;
	round_robin(a1, 10, 3, 1);
	round_robin(a2, 10, 3, 2);
	round_robin(a3, 10, 3, 3);
	doc_topic(d, "one", 1, 10, a1, 100);
	doc_topic(d, "two", 2, 10, a2, 200);
	doc_topic(d, "three", 3, 10, a3, 300);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	for (rf = 1; rf <= 3; rf++) {
		const struct ra_topic *t = &c.topics[rf - 1];

		assert_int_equal(t->rf, rf);
		assert_valid(t);
		assert_int_equal(t->moved, min_moves(t, 5, 0));
		assert_true(t->balanced);
	}
	/* 10 over 5: 4 moved; 20: 8; 30: 12. */
	assert_int_equal(r.moved, 4 + 8 + 12);
	ra_cluster_free(&c);
}

/* The same cluster, brokers listed in another order: the same plan. */
static void test_deterministic(void **state)
{
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c1, c2;
	int asg[60], i;
	json_t *d1 = doc_new(5, NULL), *d2 = doc_new(5, NULL), *b;

	(void)state;
	round_robin(asg, 20, 3, 3);
	doc_topic(d1, "t", 3, 20, asg, 6000);
	doc_topic(d2, "t", 3, 20, asg, 6000);
	b = json_object_get(d2, "brokers");
	json_array_insert(b, 0, json_array_get(b, 4));
	json_array_remove(b, 5);
	load(d1, &c1);
	load(d2, &c2);
	assert_int_equal(ra_plan(&c1, &o, &r), 0);
	assert_int_equal(ra_plan(&c2, &o, &r), 0);
	for (i = 0; i < 20; i++)
		assert_memory_equal(c1.topics[0].parts[i].planned,
				    c2.topics[0].parts[i].planned,
				    3 * sizeof(int32_t));
	assert_true(c1.topics[0].moved > 0);
	ra_cluster_free(&c1);
	ra_cluster_free(&c2);
}

/* A broker down (not registered) still holding replicas: no plan around
 * it unless drained. */
static void test_unregistered_holder_refused(void **state)
{
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[12];
	json_t *d = doc_new(4, NULL);

	(void)state;
	round_robin(asg, 4, 4, 3);
	doc_topic(d, "t", 3, 4, asg, 1200);
	json_object_set_new(json_array_get(json_object_get(d, "brokers"), 3),
			    "registered", json_false());
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), -EHOSTDOWN);
	assert_string_equal(r.err, "topic t: broker 4 holds replicas but is "
				   "not registered (down?): bring it back, or "
				   "--drain it");
	o.drain = true;
	o.drain_id = 4;
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_int_equal(count(&c.topics[0], 4, false), 0);
	ra_cluster_free(&c);
}

/* The step file: only changed partitions, Kafka's tool format. */
static void test_step_file_format(void **state)
{
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	int asg[9];
	json_t *d = doc_new(4, NULL), *f;
	char *s;

	(void)state;
	round_robin(asg, 3, 3, 3);
	doc_topic(d, "t", 3, 3, asg, 9000);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	f = ra_step_file(&c.topics[0], false);
	s = json_dumps(f, JSON_COMPACT);
	assert_string_equal(
	    s, "{\"version\":1,\"partitions\":["
	       "{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,4,3],"
	       "\"log_dirs\":[\"any\",\"any\",\"any\"]},"
	       "{\"topic\":\"t\",\"partition\":1,\"replicas\":[2,3,4],"
	       "\"log_dirs\":[\"any\",\"any\",\"any\"]}]}");
	free(s);
	json_decref(f);
	f = ra_step_file(&c.topics[0], true);
	s = json_dumps(f, JSON_COMPACT);
	assert_string_equal(
	    s, "{\"version\":1,\"partitions\":["
	       "{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2,3],"
	       "\"log_dirs\":[\"any\",\"any\",\"any\"]},"
	       "{\"topic\":\"t\",\"partition\":1,\"replicas\":[2,3,1],"
	       "\"log_dirs\":[\"any\",\"any\",\"any\"]}]}");
	free(s);
	json_decref(f);
	ra_cluster_free(&c);
}

/* Steps: smallest topic first, unknown sizes last, ties by name. */
static void test_steps_smallest_first(void **state)
{
	static const int one[] = {1, 1, 1, 1};
	struct ra_plan_opts o = {0};
	struct ra_plan_result r;
	struct ra_cluster c;
	size_t idx[4];
	json_t *d = doc_new(2, NULL);

	(void)state;
	doc_topic(d, "big", 1, 4, one, 4000);
	doc_topic(d, "nosize", 1, 4, one, -1);
	doc_topic(d, "b-small", 1, 4, one, 40);
	doc_topic(d, "a-small", 1, 4, one, 40);
	load(d, &c);
	assert_int_equal(ra_plan(&c, &o, &r), 0);
	assert_int_equal(ra_steps(&c, idx), 4);
	assert_string_equal(c.topics[idx[0]].name, "a-small");
	assert_string_equal(c.topics[idx[1]].name, "b-small");
	assert_string_equal(c.topics[idx[2]].name, "big");
	assert_string_equal(c.topics[idx[3]].name, "nosize");
	ra_cluster_free(&c);
}

/* What the loader refuses, each with its JSON path. */
static void test_load_errors_name_path(void **state)
{
	static const struct {
		const char *set; /* a JSON pointer-ish edit, applied below */
		const char *want;
	} cases[] = {
	    {"dup", "$.topics[0].assignment[1].replicas[2]: broker 3 twice"},
	    {"unknown", "$.topics[0].assignment[0].replicas[0]: broker 9 is "
			"not in $.brokers"},
	    {"name", "$.topics[0]: topic 'a/b' is not a Kafka topic name "
		     "([a-zA-Z0-9._-])"},
	    {"rf", "$.topics[0].assignment[2].replicas: 2 replicas where the "
		   "topic's replication factor is 3 (a reassignment in "
		   "progress?)"},
	    {"nic", "$.brokers[1].nic_speed_mbps: not an integer nor null"},
	    {"cluster", "$.cluster: 'other', where 'kp' was asked for"},
	    {"state", "$.state: 'done' is none of complete, partial, none"},
	};
	struct ra_cluster c;
	char err[600];
	size_t i;
	int asg[9];

	(void)state;
	round_robin(asg, 3, 3, 3);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *d = doc_new(3, NULL), *t, *p;

		doc_topic(d, "t", 3, 3, asg, 900);
		t = json_array_get(json_object_get(d, "topics"), 0);
		p = json_object_get(t, "assignment");
		if (strcmp(cases[i].set, "dup") == 0)
			json_array_set_new(
			    json_object_get(json_array_get(p, 1), "replicas"),
			    2, json_integer(3));
		else if (strcmp(cases[i].set, "unknown") == 0)
			json_array_set_new(
			    json_object_get(json_array_get(p, 0), "replicas"),
			    0, json_integer(9));
		else if (strcmp(cases[i].set, "name") == 0)
			json_object_set_new(t, "name", json_string("a/b"));
		else if (strcmp(cases[i].set, "rf") == 0)
			json_array_remove(
			    json_object_get(json_array_get(p, 2), "replicas"),
			    0);
		else if (strcmp(cases[i].set, "nic") == 0)
			json_object_set_new(
			    json_array_get(json_object_get(d, "brokers"), 1),
			    "nic_speed_mbps", json_string("10G"));
		else if (strcmp(cases[i].set, "cluster") == 0)
			json_object_set_new(d, "cluster", json_string("other"));
		else
			json_object_set_new(d, "state", json_string("done"));
		assert_int_equal(ra_cluster_load(d, "kp", &c, err, sizeof err),
				 -EINVAL);
		assert_string_equal(err, cases[i].want);
		json_decref(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scale_out_new_broker_takes_its_share),
	    cmocka_unit_test(test_scale_out_exact_plan),
	    cmocka_unit_test(test_racks_respected),
	    cmocka_unit_test(test_racks_limit_new_broker),
	    cmocka_unit_test(test_racks_fewer_than_rf),
	    cmocka_unit_test(test_leaders_spread_by_reordering),
	    cmocka_unit_test(test_drain_empties_broker),
	    cmocka_unit_test(test_drain_impossible_names_topic),
	    cmocka_unit_test(test_balanced_plans_nothing),
	    cmocka_unit_test(test_rf_preserved),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_unregistered_holder_refused),
	    cmocka_unit_test(test_step_file_format),
	    cmocka_unit_test(test_steps_smallest_first),
	    cmocka_unit_test(test_load_errors_name_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
