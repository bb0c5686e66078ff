/* The SQLite store's schema, versioned: the migrations a database is
 * taken through at open, recorded in its schema_version table. */
#include <errno.h>
#include <stdio.h>

#include <sqlite3.h>

#include "store_impl.h"

/* Set on every open; not part of the schema. */
static const char pragmas[] = "PRAGMA journal_mode = WAL;"
			      "PRAGMA synchronous = NORMAL;";

/* migrations[i] takes the schema from version i to i + 1, in one
 * transaction with its schema_version row.  Version 1 is the schema the
 * collector wrote before versions were recorded, with IF NOT EXISTS, so
 * that such a database is adopted in place, its data kept. */
static const char *const migrations[COLL_SCHEMA_VERSION] = {
    "CREATE TABLE IF NOT EXISTS hosts("
    " host_id TEXT PRIMARY KEY, cluster TEXT NOT NULL,"
    " last_seq INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL,"
    " interval_s INTEGER NOT NULL, verdict INTEGER NOT NULL,"
    " checks_sig INTEGER NOT NULL, report BLOB NOT NULL);"
    /* The severity each check has now, to tell a change from a repeat. */
    "CREATE TABLE IF NOT EXISTS check_state("
    " kind TEXT NOT NULL, subject TEXT NOT NULL, check_id TEXT NOT NULL,"
    " instance TEXT NOT NULL, severity INTEGER NOT NULL,"
    " since_ms INTEGER NOT NULL,"
    " PRIMARY KEY(kind, subject, check_id, instance)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS check_history("
    " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,"
    " check_id TEXT NOT NULL, instance TEXT NOT NULL,"
    " severity INTEGER NOT NULL, ts_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS check_history_subject"
    " ON check_history(kind, subject, id);",
};

static int exec_err(sqlite3 *db, const char *sql, const char *path, char *err,
		    size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -EIO;
}

/* Brings the schema to COLL_SCHEMA_VERSION, each step in one
 * transaction; a database written by a newer collector is refused rather
 * than written with an older idea of its tables. */
int coll_sqlite_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	char sql[64];
	int rc;

	rc = exec_err(db, pragmas, path, err, errlen);
	if (rc < 0)
		return rc;
	rc = exec_err(db,
		      "BEGIN IMMEDIATE;"
		      "CREATE TABLE IF NOT EXISTS schema_version("
		      " version INTEGER NOT NULL)",
		      path, err, errlen);
	if (rc < 0)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: schema_version: %s", path,
			 sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -EIO;
	}
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (v > COLL_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: schema version %lld is newer than this "
			 "kcollectord's %d",
			 path, (long long)v, COLL_SCHEMA_VERSION);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -EPROTO;
	}
	for (; rc == 0 && v < COLL_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof sql,
			 "INSERT INTO schema_version VALUES(%lld)",
			 (long long)v + 1);
		rc = exec_err(db, migrations[v], path, err, errlen);
		if (rc == 0)
			rc = exec_err(db, sql, path, err, errlen);
	}
	if (rc == 0)
		return exec_err(db, "COMMIT", path, err, errlen);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
