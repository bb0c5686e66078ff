/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decoded-host cache (fleet_cache.c) over a real SQLite store: a host
 * is decoded again only when its row changed, a forgotten host is gone, a
 * row written through a second handle on the same database (as another
 * collector sharing it would) is seen, staleness follows the time of each
 * read, and a cluster's Kafka view and checks are made once per change;
 * the judge's refresh in slices changes the cache as a whole one does.
 *
 * With KAGENT_TEST_PG set to a PostgreSQL URL (tests/live/store_pg.sh
 * starts one), the same with two collectors' connections to it.
 */
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
#include <libpq-fe.h>
#include <pb_encode.h>

#include "collector.h"
#include "fleet_cache.h"

/* A time well after the epoch, so that "three intervals ago" is > 0. */
#define T0 1700000000000LL

struct fix {
	char dir[64];
	char db[96];
	struct coll_store *s;
	struct coll_store *other; /* a second handle: "another collector" */
	struct coll_fleet_cache *c;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	char err[256];

	strcpy(f->dir, "/tmp/kagent-fcache-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/c.db", f->dir);
	assert_int_equal(coll_store_open(f->db, &f->s, err, sizeof err), 0);
	assert_int_equal(coll_store_open(f->db, &f->other, err, sizeof err),
			 0);
	f->c = coll_store_fleet_cache(f->s);
	assert_non_null(f->c);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	coll_store_close(f->other);
	coll_store_close(f->s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A Kafka broker's report of `cluster`, received at seen_ms. */
static void put(struct coll_store *s, const char *host, uint64_t seq,
		int64_t seen_ms, const char *rack, int32_t broker_id)
{
	kagent_v1_Report *r = calloc(1, sizeof *r);
	struct check_results checks = {0};
	struct coll_report_meta m = {host, "payments", seq, seen_ms, 60,
				     SEV_PASS};
	struct proto_lists l;
	uint8_t *blob = malloc(65536);
	pb_ostream_t os = pb_ostream_from_buffer(blob, 65536);

	proto_lists_init(&l);
	snprintf(r->host_id, sizeof r->host_id, "%s", host);
	strcpy(r->cluster, "payments");
	snprintf(r->rack, sizeof r->rack, "%s", rack);
	r->roles_count = 1;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->report_interval_s = 60;
	r->has_kafka = true;
	r->kafka.present = true;
	r->kafka.has_broker_id = true;
	r->kafka.broker_id = broker_id;
	proto_report_bind(r, &l);
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	proto_report_unbind(r);
	assert_int_equal(coll_store_put(s, &m, blob, os.bytes_written, &checks),
			 0);
	assert_int_equal(coll_store_flush(s), 0);
	proto_lists_free(&l);
	free(blob);
	free(r);
}

static const struct coll_fleet *refresh(struct fix *f, int64_t now_ms)
{
	const struct coll_fleet *fl = NULL;

	assert_int_equal(coll_fcache_refresh(f->c, f->s, now_ms, &fl), 0);
	assert_non_null(fl);
	return fl;
}

static struct coll_fcache_stats stats(struct fix *f)
{
	struct coll_fcache_stats st;

	coll_fcache_stats(f->c, &st);
	return st;
}

/* Three hosts, then one of them reports again: only it is decoded. */
static void test_only_changed_decoded(void **state)
{
	struct fix *f = *state;
	const struct coll_fleet *fl;
	const struct kafka_view *kv;
	const struct check_results *r1, *r2;

	put(f->s, "broker-a", 1, T0, "r1", 1);
	put(f->s, "broker-b", 1, T0, "r2", 2);
	put(f->s, "broker-c", 1, T0, "r3", 3);
	fl = refresh(f, T0 + 1000);
	assert_int_equal(fl->n, 3);
	assert_string_equal(fl->v[0].h.host_id, "broker-a");
	assert_string_equal(fl->v[1].h.rack, "r2");
	assert_int_equal(fl->n_clusters, 1);
	assert_string_equal(fl->clusters[0], "payments");
	assert_int_equal(stats(f).decodes, 3);
	assert_int_equal(stats(f).generation, 1);

	/* Nothing new: nothing decoded, the same generation. */
	fl = refresh(f, T0 + 2000);
	assert_int_equal(stats(f).decodes, 3);
	assert_int_equal(stats(f).generation, 1);
	assert_int_equal(stats(f).refreshes, 2);

	/* The view and the checks: made once, then shared. */
	assert_int_equal(coll_fcache_view(f->c, "payments", &kv), 0);
	assert_int_equal(kv->state, KV_NONE);
	assert_int_equal(coll_fcache_view(f->c, "payments", &kv), 0);
	assert_int_equal(stats(f).views, 1);
	assert_int_equal(coll_fcache_judge(f->c, "payments", &r1), 0);
	assert_int_equal(coll_fcache_judge(f->c, "payments", &r2), 0);
	assert_ptr_equal(r1, r2);
	assert_int_equal(stats(f).judged, 1);
	assert_int_equal(coll_fcache_view(f->c, "nowhere", &kv), -ENOENT);
	assert_int_equal(coll_fcache_judge(f->c, "nowhere", &r1), -ENOENT);

	/* broker-b reports again, from another rack. */
	put(f->s, "broker-b", 2, T0 + 3000, "r9", 2);
	fl = refresh(f, T0 + 3000);
	assert_int_equal(fl->n, 3);
	assert_int_equal(stats(f).decodes, 4);
	assert_int_equal(stats(f).generation, 2);
	assert_string_equal(fl->v[1].h.host_id, "broker-b");
	assert_string_equal(fl->v[1].h.rack, "r9");
	assert_int_equal(fl->v[1].last_seq, 2);
	assert_int_equal(fl->v[1].h.last_seen_ms, T0 + 3000);
	assert_string_equal(coll_fcache_hosts(f->c)[1].rack, "r9");
	/* A new generation: the view is built again, once. */
	assert_int_equal(coll_fcache_view(f->c, "payments", &kv), 0);
	assert_int_equal(coll_fcache_judge(f->c, "payments", &r1), 0);
	assert_int_equal(stats(f).views, 2);
	assert_int_equal(stats(f).judged, 2);
	/* A seq not above the stored one changes no row: nothing decoded. */
	assert_int_equal(coll_store_put(f->s,
					&(struct coll_report_meta){
					    "broker-b", "payments", 2, T0 + 4000,
					    60, SEV_PASS},
					(const uint8_t *)"", 0, NULL),
			 1);
	refresh(f, T0 + 4000);
	assert_int_equal(stats(f).decodes, 4);
}

/* A forgotten host is gone; a row of another collector is seen. */
static void test_forget_and_other_writer(void **state)
{
	struct fix *f = *state;
	const struct coll_fleet *fl;

	put(f->s, "broker-a", 1, T0, "r1", 1);
	put(f->s, "broker-b", 1, T0, "r2", 2);
	refresh(f, T0);
	assert_int_equal(stats(f).decodes, 2);

	assert_int_equal(coll_store_forget(f->s, "broker-a"), 0);
	fl = refresh(f, T0);
	assert_int_equal(fl->n, 1);
	assert_string_equal(fl->v[0].h.host_id, "broker-b");
	assert_int_equal(stats(f).dropped, 1);
	assert_int_equal(stats(f).decodes, 2);

	/* Written through the other handle: this one never received it. */
	put(f->other, "broker-d", 5, T0 + 500, "r4", 4);
	fl = refresh(f, T0 + 1000);
	assert_int_equal(fl->n, 2);
	assert_string_equal(fl->v[1].h.host_id, "broker-d");
	assert_string_equal(fl->v[1].h.rack, "r4");
	assert_int_equal(fl->v[1].last_seq, 5);
	assert_int_equal(stats(f).decodes, 3);
	/* And its next report, also from there. */
	put(f->other, "broker-d", 6, T0 + 900, "r5", 4);
	fl = refresh(f, T0 + 1000);
	assert_string_equal(fl->v[1].h.rack, "r5");
	assert_int_equal(fl->v[1].last_seq, 6);
	assert_int_equal(stats(f).decodes, 4);
	assert_int_equal(stats(f).hosts, 2);
}

/* Stale is a matter of the read's time, not of the decoding. */
static void test_stale_at_read_time(void **state)
{
	struct fix *f = *state;
	const struct coll_fleet *fl;
	const struct check_results *r;

	put(f->s, "broker-a", 1, T0, "r1", 1);
	fl = refresh(f, T0 + 180000); /* three intervals of 60 s */
	assert_false(fl->v[0].h.stale);
	assert_int_equal(coll_fcache_judge(f->c, "payments", &r), 0);
	fl = refresh(f, T0 + 180001);
	assert_true(fl->v[0].h.stale);
	assert_true(coll_fcache_hosts(f->c)[0].stale);
	assert_int_equal(stats(f).decodes, 1);
	/* The checks see the host silent: judged again. */
	assert_int_equal(coll_fcache_judge(f->c, "payments", &r), 0);
	assert_int_equal(stats(f).judged, 2);
	fl = refresh(f, T0 + 1000);
	assert_false(fl->v[0].h.stale);
}

/* Many new hosts are read in one walk; a report that does not decode
 * still names its host; a new one joins in order. */
static void test_many_and_undecodable(void **state)
{
	struct fix *f = *state;
	struct check_results none = {0};
	struct coll_report_meta m = {"broker-zz", "payments", 3, T0, 60, -1};
	const struct coll_fleet *fl;
	char id[32];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof id, "broker-%02d", i);
		put(f->s, id, 1, T0, "r1", i);
	}
	assert_int_equal(coll_store_put(f->s, &m, (const uint8_t *)"\xff\xff",
					2, &none),
			 0);
	assert_int_equal(coll_store_flush(f->s), 0);
	fl = refresh(f, T0);
	assert_int_equal(fl->n, 41);
	assert_int_equal(stats(f).decodes, 41);
	assert_string_equal(fl->v[40].h.host_id, "broker-zz");
	assert_string_equal(fl->v[40].h.cluster, "payments");
	assert_string_equal(fl->v[40].h.rack, "");
	assert_int_equal(fl->v[40].verdict, -1);
	assert_non_null(coll_fcache_series(f->c)[40]);
	put(f->s, "broker-0a", 1, T0, "r7", 77);
	fl = refresh(f, T0);
	assert_int_equal(fl->n, 42);
	assert_string_equal(fl->v[10].h.host_id, "broker-0a");
	assert_string_equal(fl->v[11].h.host_id, "broker-10");
	assert_int_equal(stats(f).decodes, 42);
}

/* /metrics reads the same cache: a second scrape decodes nothing. */
static void test_metrics_from_cache(void **state)
{
	struct fix *f = *state;
	struct coll_counters ctr = {0};
	char *out;
	size_t len;

	put(f->s, "broker-a", 1, T0, "r1", 1);
	put(f->s, "broker-b", 1, T0, "r2", 2);
	assert_int_equal(
	    coll_metrics_render(f->s, &ctr, NULL, T0 + 1000, &out, &len), 0);
	assert_non_null(strstr(out, "kagent_host_stale{host=\"broker-b\"} 0\n"));
	free(out);
	assert_int_equal(
	    coll_metrics_render(f->s, &ctr, NULL, T0 + 200000, &out, &len), 0);
	assert_non_null(strstr(out, "kagent_host_stale{host=\"broker-b\"} 1\n"));
	assert_non_null(
	    strstr(out, "kagent_host_last_seen_seconds{host=\"broker-a\"} "
			"1700000000.000\n"));
	free(out);
	assert_int_equal(stats(f).decodes, 2);
	assert_int_equal(stats(f).refreshes, 2);
}

/* Two collectors sharing PostgreSQL: every row the cache of the first
 * shows was written by the second. */
static void test_pg_two_collectors(void **state)
{
	const char *u = getenv("KAGENT_TEST_PG");
	struct fix f = {0};
	const struct coll_fleet *fl;
	PGconn *pc;
	PGresult *r;
	char err[512], id[32];
	int i;

	(void)state;
	if (u == NULL || *u == '\0')
		skip();
	assert_int_equal(coll_store_open(u, &f.s, err, sizeof err), 0);
	assert_int_equal(coll_store_open(u, &f.other, err, sizeof err), 0);
	pc = PQconnectdb(u);
	assert_int_equal(PQstatus(pc), CONNECTION_OK);
	r = PQexec(pc, "TRUNCATE hosts, check_state, check_history");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(pc);
	f.c = coll_store_fleet_cache(f.s);
	assert_non_null(f.c);

	put(f.other, "broker-a", 1, T0, "r1", 1);
	put(f.other, "broker-b", 1, T0, "r2", 2);
	fl = refresh(&f, T0);
	assert_int_equal(fl->n, 2);
	assert_string_equal(fl->v[1].h.rack, "r2");
	assert_int_equal(stats(&f).decodes, 2);
	put(f.other, "broker-a", 2, T0 + 10, "r3", 1);
	fl = refresh(&f, T0);
	assert_string_equal(fl->v[0].h.rack, "r3");
	assert_int_equal(stats(&f).decodes, 3);
	assert_int_equal(coll_store_forget(f.other, "broker-b"), 0);
	fl = refresh(&f, T0);
	assert_int_equal(fl->n, 1);
	assert_int_equal(stats(&f).dropped, 1);
	/* More than are read one by one: one walk. */
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof id, "broker-%02d", i);
		put(f.other, id, 1, T0, "r1", i);
	}
	fl = refresh(&f, T0);
	assert_int_equal(fl->n, 41);
	assert_string_equal(fl->v[40].h.host_id, "broker-a");
	assert_int_equal(stats(&f).decodes, 43);
	coll_store_close(f.other);
	coll_store_close(f.s);
}

/* The judge's refresh in slices: with no time to spare each step decodes
 * one host, the cache changes only at the last step, a host forgotten
 * between steps is dropped, and a whole refresh between steps makes the
 * next step start again with nothing left to decode. */
static void test_slices(void **state)
{
	struct fix *f = *state;
	const struct coll_fleet *fl = NULL;

	put(f->s, "broker-a", 1, T0, "r1", 1);
	put(f->s, "broker-b", 1, T0, "r2", 2);
	put(f->s, "broker-c", 1, T0, "r3", 3);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0, 0, &fl), 1);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0, 0, &fl), 1);
	assert_null(fl);
	assert_int_equal(stats(f).decodes, 2);
	assert_int_equal(stats(f).generation, 0);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0, 0, &fl), 0);
	assert_non_null(fl);
	assert_int_equal(fl->n, 3);
	assert_string_equal(fl->v[2].h.rack, "r3");
	assert_int_equal(stats(f).decodes, 3);
	assert_int_equal(stats(f).generation, 1);
	assert_int_equal(stats(f).refreshes, 1);

	/* Nothing changed: done at the first step. */
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0, 0, &fl), 0);
	assert_int_equal(stats(f).decodes, 3);
	assert_int_equal(stats(f).generation, 1);

	/* Two report again; one is forgotten before its turn. */
	put(f->s, "broker-a", 2, T0 + 1000, "r7", 1);
	put(f->s, "broker-c", 2, T0 + 1000, "r8", 3);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0 + 1000, 0, &fl), 1);
	assert_int_equal(fl->v[0].last_seq, 1); /* not yet the cache's */
	assert_int_equal(coll_store_forget(f->s, "broker-c"), 0);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0 + 1000, 0, &fl), 0);
	assert_int_equal(fl->n, 2);
	assert_string_equal(fl->v[0].h.rack, "r7");
	assert_int_equal(fl->v[0].last_seq, 2);
	assert_string_equal(fl->v[1].h.host_id, "broker-b");
	assert_int_equal(stats(f).decodes, 4);
	assert_int_equal(stats(f).dropped, 1);
	assert_int_equal(stats(f).generation, 2);

	/* A whole refresh between two steps drops the first one. */
	put(f->s, "broker-a", 3, T0 + 2000, "r1", 1);
	put(f->s, "broker-b", 3, T0 + 2000, "r2", 2);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0 + 2000, 0, &fl), 1);
	assert_int_equal(stats(f).decodes, 5);
	fl = refresh(f, T0 + 2000);
	assert_int_equal(stats(f).decodes, 7);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0 + 2000, 0, &fl), 0);
	assert_int_equal(stats(f).decodes, 7);
	assert_int_equal(fl->v[1].last_seq, 3);
	/* A step under way is freed with the cache (ASan's leak check). */
	put(f->s, "broker-a", 4, T0 + 3000, "r1", 1);
	put(f->s, "broker-b", 4, T0 + 3000, "r2", 2);
	assert_int_equal(coll_fcache_slice(f->c, f->s, T0 + 3000, 0, &fl), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_only_changed_decoded, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_forget_and_other_writer,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_at_read_time, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_many_and_undecodable, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_from_cache, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_slices, setup, teardown),
	    cmocka_unit_test(test_pg_two_collectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
