/* The PostgreSQL store's ordering across collectors, on a real server:
 * tests/live/store_pg.sh starts one (lib/pg.sh) and runs this with
 * KAGENT_TEST_PG set to its URL; without it every test is skipped.
 *
 * Two stores are two collectors' connections.  A's report of seq 5 is in
 * its open transaction when B, which read seq 2 as stored, writes seq 4:
 * B's conditional upsert waits for A's row lock and, once A commits, finds
 * 5 and writes nothing (a duplicate), so the stored seq never goes back. */
#include <errno.h>
#include <pthread.h>
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

#include "collector.h"

static const char *url(void)
{
	const char *u = getenv("KAGENT_TEST_PG");

	if (u == NULL || *u == '\0')
		skip();
	return u;
}

static void sql(const char *u, const char *q)
{
	PGconn *c = PQconnectdb(u);
	PGresult *r;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, q);
	assert_true(PQresultStatus(r) == PGRES_COMMAND_OK ||
		    PQresultStatus(r) == PGRES_TUPLES_OK);
	PQclear(r);
	PQfinish(c);
}

static struct coll_store *open_store(const char *u)
{
	struct coll_store *s = NULL;
	char err[512];

	assert_int_equal(coll_store_open(u, &s, err, sizeof err), 0);
	return s;
}

static int put(struct coll_store *s, uint64_t seq, const char *blob,
	       enum check_severity swap)
{
	struct check_results c = {0};
	struct coll_report_meta m = {"b1", "payments", seq, 1000 * (int64_t)seq,
				     60,   (int)swap};
	int rc;

	assert_int_equal(
	    check_add(&c, "os.swappiness", "", swap, "60", "1", "swappiness"),
	    0);
	rc = coll_store_put(s, &m, (const uint8_t *)blob, strlen(blob), &c);
	check_results_free(&c);
	return rc;
}

struct seen {
	char blob[64];
	uint64_t seq;
};

static int row_cb(void *arg, const struct coll_store_row *r)
{
	struct seen *x = arg;

	snprintf(x->blob, sizeof x->blob, "%.*s", (int)r->len,
		 (const char *)r->report);
	x->seq = r->last_seq;
	return 0;
}

static int count_cb(void *arg, const struct coll_history_row *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

struct late {
	struct coll_store *s;
	int rc;
	int flushed;
};

static void *late_put(void *arg)
{
	struct late *l = arg;

	l->rc = put(l->s, 4, "b-four", SEV_FAIL);
	l->flushed = coll_store_flush(l->s);
	return NULL;
}

static void test_seq_never_goes_back_across_collectors(void **state)
{
	const char *u = url();
	struct coll_store *a, *b;
	struct late l;
	struct seen x = {0};
	pthread_t t;
	int n = 0;

	(void)state;
	a = open_store(u);
	sql(u, "TRUNCATE hosts, check_state, check_history");
	b = open_store(u);
	assert_int_equal(put(a, 2, "a-two", SEV_WARN), 0);
	assert_int_equal(coll_store_flush(a), 0);
	/* A holds seq 5 uncommitted; B's write of 4 must wait for it. */
	assert_int_equal(put(a, 5, "a-five", SEV_PASS), 0);
	l = (struct late){b, -1, -1};
	assert_int_equal(pthread_create(&t, NULL, late_put, &l), 0);
	usleep(300 * 1000);
	assert_int_equal(coll_store_flush(a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(l.rc, 1);
	assert_int_equal(l.flushed, 0);
	assert_int_equal(coll_store_get_host(b, "b1", row_cb, &x), 0);
	assert_string_equal(x.blob, "a-five");
	assert_int_equal(x.seq, 5);
	/* History: warn at 2, pass at 5; B's fail was never written. */
	assert_int_equal(coll_store_history(b, "host", "b1", -1, count_cb, &n),
			 0);
	assert_int_equal(n, 2);
	/* And B goes on above it. */
	assert_int_equal(put(b, 6, "b-six", SEV_PASS), 0);
	assert_int_equal(coll_store_flush(b), 0);
	assert_int_equal(coll_store_get_host(a, "b1", row_cb, &x), 0);
	assert_string_equal(x.blob, "b-six");
	coll_store_close(a);
	coll_store_close(b);
}

/* A cluster check judged by both collectors' timers: one history row per
 * change, not one per collector. */
static void test_cluster_change_recorded_once(void **state)
{
	const char *u = url();
	struct coll_store *a, *b;
	struct check_results c = {0};
	unsigned ca, cb;
	int n = 0;

	(void)state;
	a = open_store(u);
	sql(u, "TRUNCATE hosts, check_state, check_history");
	b = open_store(u);
	check_add(&c, "zookeeper.ensemble.size", "", SEV_FAIL, "2", "3", "x");
	assert_int_equal(
	    coll_store_checks_update(a, "cluster", "zk", &c, 1, &ca), 0);
	assert_int_equal(coll_store_flush(a), 0);
	assert_int_equal(
	    coll_store_checks_update(b, "cluster", "zk", &c, 2, &cb), 0);
	assert_int_equal(coll_store_flush(b), 0);
	assert_int_equal(ca, 1);
	assert_int_equal(cb, 0);
	c.v[0].sev = SEV_PASS;
	assert_int_equal(
	    coll_store_checks_update(b, "cluster", "zk", &c, 3, &cb), 0);
	assert_int_equal(coll_store_flush(b), 0);
	assert_int_equal(
	    coll_store_checks_update(a, "cluster", "zk", &c, 4, &ca), 0);
	assert_int_equal(coll_store_flush(a), 0);
	assert_int_equal(cb, 1);
	assert_int_equal(ca, 0);
	assert_int_equal(
	    coll_store_history(a, "cluster", "zk", -1, count_cb, &n), 0);
	assert_int_equal(n, 2);
	check_results_free(&c);
	coll_store_close(a);
	coll_store_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seq_never_goes_back_across_collectors),
	    cmocka_unit_test(test_cluster_change_recorded_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
