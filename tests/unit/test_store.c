/* The collector's SQLite store: latest report wins, a seq not above the
 * stored one changes nothing, check history grows only on a change, and
 * everything is there again after reopening the file. */
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

#include "collector.h"

struct tmpdb {
	char dir[64];
	char path[96];
};

static void tmpdb_make(struct tmpdb *t)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/kstore-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/c.db", t->dir);
}

static void tmpdb_remove(struct tmpdb *t)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
	assert_int_equal(system(cmd), 0);
}

static struct coll_store *store_open(const struct tmpdb *t)
{
	struct coll_store *s = NULL;
	char err[256];

	assert_int_equal(coll_store_open(t->path, &s, err, sizeof err), 0);
	return s;
}

static int put(struct coll_store *s, const char *host, uint64_t seq,
	       const char *blob, enum check_severity swap)
{
	struct check_results c = {0};
	struct coll_report_meta m = {host, "payments", seq, 1000 * (int64_t)seq,
				     60,   (int)swap};
	int rc;

	assert_int_equal(
	    check_add(&c, "os.swappiness", "", swap, "60", "1", "swappiness"),
	    0);
	assert_int_equal(
	    check_add(&c, "os.clock", "", SEV_PASS, "synced", "", "clock"), 0);
	rc = coll_store_put(s, &m, (const uint8_t *)blob, strlen(blob), &c);
	check_results_free(&c);
	assert_int_equal(coll_store_flush(s), 0);
	return rc;
}

struct seen {
	char blob[64];
	uint64_t seq;
	int verdict;
	int n;
};

static int row_cb(void *arg, const struct coll_store_row *r)
{
	struct seen *x = arg;

	snprintf(x->blob, sizeof x->blob, "%.*s", (int)r->len,
		 (const char *)r->report);
	x->seq = r->last_seq;
	x->verdict = r->verdict;
	x->n++;
	return 0;
}

struct hist {
	int n;
	int sev[8];
	char ids[8][48];
};

static int hist_cb(void *arg, const struct coll_history_row *r)
{
	struct hist *h = arg;

	if (h->n < 8) {
		h->sev[h->n] = r->severity;
		snprintf(h->ids[h->n], sizeof h->ids[0], "%s", r->check_id);
	}
	h->n++;
	return 0;
}

static void test_latest_report_wins(void **state)
{
	struct tmpdb t;
	struct coll_store *s;
	struct seen x = {0};

	(void)state;
	tmpdb_make(&t);
	s = store_open(&t);
	assert_int_equal(put(s, "b1", 1, "first", SEV_WARN), 0);
	assert_int_equal(put(s, "b1", 2, "second", SEV_WARN), 0);
	assert_int_equal(coll_store_get_host(s, "b1", row_cb, &x), 0);
	assert_string_equal(x.blob, "second");
	assert_int_equal(x.seq, 2);
	assert_int_equal(x.verdict, SEV_WARN);
	coll_store_close(s);
	tmpdb_remove(&t);
}

static void test_duplicate_seq_is_not_stored(void **state)
{
	struct tmpdb t;
	struct coll_store *s;
	struct seen x = {0};
	uint64_t seq;

	(void)state;
	tmpdb_make(&t);
	s = store_open(&t);
	assert_int_equal(put(s, "b1", 5, "five", SEV_WARN), 0);
	assert_int_equal(put(s, "b1", 5, "again", SEV_FAIL), 1);
	assert_int_equal(put(s, "b1", 3, "older", SEV_FAIL), 1);
	assert_int_equal(coll_store_get_host(s, "b1", row_cb, &x), 0);
	assert_string_equal(x.blob, "five");
	assert_int_equal(coll_store_last_seq(s, "b1", &seq), 0);
	assert_int_equal(seq, 5);
	assert_int_equal(coll_store_last_seq(s, "nobody", &seq), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(coll_store_get_host(s, "nobody", row_cb, &x), -ENOENT);
	coll_store_close(s);
	tmpdb_remove(&t);
}

static void test_check_history_only_on_change(void **state)
{
	struct tmpdb t;
	struct coll_store *s;
	struct hist h = {0};

	(void)state;
	tmpdb_make(&t);
	s = store_open(&t);
	/* warn, warn, pass, pass, warn: swappiness changes three times,
	 * the clock once (its first sighting). */
	put(s, "b1", 1, "r", SEV_WARN);
	put(s, "b1", 2, "r", SEV_WARN);
	put(s, "b1", 3, "r", SEV_PASS);
	put(s, "b1", 4, "r", SEV_PASS);
	put(s, "b1", 5, "r", SEV_WARN);
	assert_int_equal(coll_store_history(s, "host", "b1", -1, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.ids[0], "os.swappiness");
	assert_int_equal(h.sev[0], SEV_WARN);
	assert_string_equal(h.ids[1], "os.clock");
	assert_int_equal(h.sev[1], SEV_PASS);
	assert_string_equal(h.ids[2], "os.swappiness");
	assert_int_equal(h.sev[2], SEV_PASS);
	assert_string_equal(h.ids[3], "os.swappiness");
	assert_int_equal(h.sev[3], SEV_WARN);
	coll_store_close(s);
	tmpdb_remove(&t);
}

static void test_cluster_history_only_on_change(void **state)
{
	struct tmpdb t;
	struct coll_store *s;
	struct check_results c = {0};
	struct hist h = {0};
	unsigned changed;

	(void)state;
	tmpdb_make(&t);
	s = store_open(&t);
	check_add(&c, "zookeeper.ensemble.size", "", SEV_FAIL, "2", "3", "x");
	assert_int_equal(
	    coll_store_checks_update(s, "cluster", "zk", &c, 1, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(
	    coll_store_checks_update(s, "cluster", "zk", &c, 2, &changed), 0);
	assert_int_equal(changed, 0);
	c.v[0].sev = SEV_PASS;
	assert_int_equal(
	    coll_store_checks_update(s, "cluster", "zk", &c, 3, &changed), 0);
	assert_int_equal(changed, 1);
	coll_store_flush(s);
	assert_int_equal(
	    coll_store_history(s, "cluster", "zk", -1, hist_cb, &h), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.sev[0], SEV_FAIL);
	assert_int_equal(h.sev[1], SEV_PASS);
	check_results_free(&c);
	coll_store_close(s);
	tmpdb_remove(&t);
}

static void test_state_survives_reopen(void **state)
{
	struct tmpdb t;
	struct coll_store *s;
	struct seen x = {0};
	struct hist h = {0};
	uint64_t seq;

	(void)state;
	tmpdb_make(&t);
	s = store_open(&t);
	put(s, "b1", 41, "kept", SEV_FAIL);
	put(s, "b2", 7, "other", SEV_PASS);
	coll_store_close(s);
	s = store_open(&t);
	assert_int_equal(coll_store_last_seq(s, "b1", &seq), 0);
	assert_int_equal(seq, 41);
	assert_int_equal(coll_store_each_host(s, row_cb, &x), 0);
	assert_int_equal(x.n, 2);
	assert_string_equal(x.blob, "other"); /* ordered by host id */
	assert_int_equal(coll_store_history(s, "host", "b1", -1, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 2);
	/* No history repeated for the same severities after the reopen. */
	put(s, "b1", 42, "kept", SEV_FAIL);
	h.n = 0;
	assert_int_equal(coll_store_history(s, "host", "b1", -1, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 2);
	coll_store_close(s);
	tmpdb_remove(&t);
}

/* The newest rows of a long history, still oldest first. */
static void test_history_limit_keeps_newest(void **state)
{
	struct tmpdb t;
	struct coll_store *s;
	struct hist h = {0};

	(void)state;
	tmpdb_make(&t);
	s = store_open(&t);
	put(s, "b1", 1, "r", SEV_WARN); /* swappiness warn, clock pass */
	put(s, "b1", 2, "r", SEV_PASS);
	put(s, "b1", 3, "r", SEV_FAIL);
	coll_store_flush(s);
	assert_int_equal(coll_store_history(s, "host", "b1", 2, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.sev[0], SEV_PASS);
	assert_int_equal(h.sev[1], SEV_FAIL);
	h.n = 0;
	assert_int_equal(coll_store_history(s, "host", "b1", 0, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 0);
	coll_store_close(s);
	tmpdb_remove(&t);
}

/* Forgetting takes the row, the history and the check states of that
 * host only; when it reports again its checks are history anew. */
static void test_forget_removes_host_and_history(void **state)
{
	struct tmpdb t;
	struct coll_store *s;
	struct seen x = {0};
	struct hist h = {0};
	struct check_results c = {0};
	uint64_t seq;

	(void)state;
	tmpdb_make(&t);
	s = store_open(&t);
	put(s, "b1", 5, "gone", SEV_WARN);
	put(s, "b2", 7, "kept", SEV_PASS);
	check_add(&c, "kafka.cluster.size", "", SEV_FAIL, "2", "3", "x");
	assert_int_equal(
	    coll_store_checks_update(s, "cluster", "b1", &c, 1, NULL), 0);
	coll_store_flush(s);
	assert_int_equal(coll_store_forget(s, "b1"), 0);
	assert_int_equal(coll_store_get_host(s, "b1", row_cb, &x), -ENOENT);
	assert_int_equal(coll_store_last_seq(s, "b1", &seq), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(coll_store_history(s, "host", "b1", -1, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 0);
	/* A cluster that happens to share the name keeps its history. */
	assert_int_equal(
	    coll_store_history(s, "cluster", "b1", -1, hist_cb, &h), 0);
	assert_int_equal(h.n, 1);
	h.n = 0;
	assert_int_equal(coll_store_history(s, "host", "b2", -1, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(coll_store_each_host(s, row_cb, &x), 0);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.blob, "kept");
	assert_int_equal(coll_store_forget(s, "b1"), -ENOENT);
	/* Back with a lower seq (a reinstalled agent): stored, and its
	 * checks are history again. */
	assert_int_equal(put(s, "b1", 1, "back", SEV_WARN), 0);
	coll_store_flush(s);
	h.n = 0;
	assert_int_equal(coll_store_history(s, "host", "b1", -1, hist_cb, &h),
			 0);
	assert_int_equal(h.n, 2);
	check_results_free(&c);
	coll_store_close(s);
	tmpdb_remove(&t);
}

static void test_open_names_the_path(void **state)
{
	struct coll_store *s = NULL;
	char err[256];

	(void)state;
	assert_int_equal(
	    coll_store_open("/nonexistent-dir/c.db", &s, err, sizeof err),
	    -EIO);
	assert_non_null(strstr(err, "/nonexistent-dir/c.db"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_latest_report_wins),
	    cmocka_unit_test(test_duplicate_seq_is_not_stored),
	    cmocka_unit_test(test_check_history_only_on_change),
	    cmocka_unit_test(test_cluster_history_only_on_change),
	    cmocka_unit_test(test_state_survives_reopen),
	    cmocka_unit_test(test_history_limit_keeps_newest),
	    cmocka_unit_test(test_forget_removes_host_and_history),
	    cmocka_unit_test(test_open_names_the_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
