/* Schema versions of the SQLite store: a database written before
 * versions were recorded (fixtures/store-v0.db, made by
 * fixtures/store-v0.gen.sh with the store of that release) is adopted in
 * place with its data, and one from a newer collector is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "collector.h"

struct tmpdb {
	char dir[64];
	char path[96];
};

static void tmpdb_copy(struct tmpdb *t, const char *fixture)
{
	char cmd[512];

	snprintf(t->dir, sizeof t->dir, "/tmp/kmigrate-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/c.db", t->dir);
	snprintf(cmd, sizeof cmd, "cp %s %s", fixture, t->path);
	assert_int_equal(system(cmd), 0);
}

static void tmpdb_remove(struct tmpdb *t)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
	assert_int_equal(system(cmd), 0);
}

/* One integer a query answers, read with SQLite itself. */
static long long query(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
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

static int put(struct coll_store *s, const char *host, uint64_t seq,
	       const char *blob)
{
	struct check_results c = {0};
	struct coll_report_meta m = {host, "payments", seq, 1000 * (int64_t)seq,
				     60,   SEV_WARN};
	int rc;

	assert_int_equal(check_add(&c, "os.swappiness", "", SEV_WARN, "60", "1",
				   "swappiness"),
			 0);
	rc = coll_store_put(s, &m, (const uint8_t *)blob, strlen(blob), &c);
	check_results_free(&c);
	assert_int_equal(coll_store_flush(s), 0);
	return rc;
}

static void test_previous_database_migrates_in_place(void **state)
{
	struct tmpdb t;
	struct coll_store *s = NULL;
	struct seen x = {0};
	char err[256];
	int n = 0;

	(void)state;
	tmpdb_copy(&t, "fixtures/store-v0.db");
	assert_int_equal(query(t.path, "SELECT count(*) FROM sqlite_master"
				       " WHERE name = 'schema_version'"),
			 0);
	assert_int_equal(coll_store_open(t.path, &s, err, sizeof err), 0);
	assert_int_equal(query(t.path, "SELECT max(version) FROM"
				       " schema_version"),
			 1);
	/* The data the previous release stored, as it stored it. */
	assert_int_equal(coll_store_get_host(s, "b1", row_cb, &x), 0);
	assert_string_equal(x.blob, "report-b1-2");
	assert_int_equal(x.seq, 2);
	assert_int_equal(coll_store_get_host(s, "b2", row_cb, &x), 0);
	assert_string_equal(x.blob, "report-b2-7");
	assert_int_equal(x.seq, 7);
	assert_int_equal(coll_store_history(s, "host", "b1", -1, count_cb, &n),
			 0);
	assert_int_equal(n, 3);
	/* And it goes on from there: an older seq is a duplicate, the next
	 * one is stored and its swappiness change (pass -> warn) recorded. */
	assert_int_equal(put(s, "b1", 2, "again"), 1);
	assert_int_equal(put(s, "b1", 3, "report-b1-3"), 0);
	n = 0;
	assert_int_equal(coll_store_history(s, "host", "b1", -1, count_cb, &n),
			 0);
	assert_int_equal(n, 4);
	coll_store_close(s);
	/* Opened again: nothing to migrate, one version row. */
	assert_int_equal(coll_store_open(t.path, &s, err, sizeof err), 0);
	assert_int_equal(coll_store_get_host(s, "b1", row_cb, &x), 0);
	assert_string_equal(x.blob, "report-b1-3");
	coll_store_close(s);
	assert_int_equal(query(t.path, "SELECT count(*) FROM schema_version"),
			 1);
	tmpdb_remove(&t);
}

static void test_newer_schema_is_refused(void **state)
{
	struct tmpdb t;
	struct coll_store *s = NULL;
	char err[256], want[200];
	sqlite3 *db;

	(void)state;
	tmpdb_copy(&t, "fixtures/store-v0.db");
	assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE schema_version(version"
				      " INTEGER NOT NULL);"
				      "INSERT INTO schema_version VALUES(2)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(coll_store_open(t.path, &s, err, sizeof err), -EPROTO);
	snprintf(want, sizeof want,
		 "%s: schema version 2 is newer than this kcollectord's 1",
		 t.path);
	assert_string_equal(err, want);
	tmpdb_remove(&t);
}

static void test_db_url_password(void **state)
{
	char out[256];

	(void)state;
	assert_true(coll_db_is_url("postgresql://h/db"));
	assert_true(coll_db_is_url("postgres://h/db"));
	assert_false(coll_db_is_url("/var/lib/kagent/collector.db"));
	assert_false(coll_db_has_password("postgresql://kc@h/db"));
	assert_true(coll_db_has_password("postgresql://kc:s3cret@h/db"));
	assert_true(coll_db_has_password("postgres://h/db?sslmode=verify-full"
					 "&password=s3cret"));
	/* A colon after the host is its port, not a password. */
	assert_false(coll_db_has_password("postgresql://kc@h:5433/db"));
	coll_db_display("postgresql://kc:s3cret@h:5433/db?sslmode=require", out,
			sizeof out);
	assert_string_equal(out,
			    "postgresql://kc:***@h:5433/db?sslmode=require");
	coll_db_display("postgres://h/db?password=s3cret&sslmode=require", out,
			sizeof out);
	assert_string_equal(out,
			    "postgres://h/db?password=***&sslmode=require");
	coll_db_display("/var/lib/kagent/collector.db", out, sizeof out);
	assert_string_equal(out, "/var/lib/kagent/collector.db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_previous_database_migrates_in_place),
	    cmocka_unit_test(test_newer_schema_is_refused),
	    cmocka_unit_test(test_db_url_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
