/* The PostgreSQL store's schema, versioned like SQLite's
 * (store_sqlite_schema.c): migrations taken at open, recorded in
 * schema_version.  Several collectors may start together on one database:
 * an advisory lock held for the migration's transaction lets one of them
 * migrate while the others wait, then find nothing left to do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_impl.h"

/* "kagent" in ASCII: the key of the migration's advisory lock. */
#define MIGRATE_LOCK "119165004181108"

static const char *const migrations[COLL_SCHEMA_VERSION] = {
    "CREATE TABLE hosts("
    " host_id text PRIMARY KEY, cluster text NOT NULL,"
    " last_seq bigint NOT NULL, last_seen_ms bigint NOT NULL,"
    " interval_s bigint NOT NULL, verdict integer NOT NULL,"
    " checks_sig bigint NOT NULL, report bytea NOT NULL);"
    /* The severity each check has now, to tell a change from a repeat. */
    "CREATE TABLE check_state("
    " kind text NOT NULL, subject text NOT NULL, check_id text NOT NULL,"
    " instance text NOT NULL, severity integer NOT NULL,"
    " since_ms bigint NOT NULL,"
    " PRIMARY KEY(kind, subject, check_id, instance));"
    "CREATE TABLE check_history("
    " id bigserial PRIMARY KEY, kind text NOT NULL, subject text NOT NULL,"
    " check_id text NOT NULL, instance text NOT NULL,"
    " severity integer NOT NULL, ts_ms bigint NOT NULL);"
    "CREATE INDEX check_history_subject"
    " ON check_history(kind, subject, id);",
};

/* One simple query (several statements); 0, or -EIO with err set. */
static int run(PGconn *c, const char *sql, const char *shown, char *err,
	       size_t errlen)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType t = PQresultStatus(r);
	size_t n;

	PQclear(r);
	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", shown, PQerrorMessage(c));
	n = strlen(err);
	while (n > 0 && err[n - 1] == '\n')
		err[--n] = '\0';
	return -EIO;
}

static int version(PGconn *c, long long *v, const char *shown, char *err,
		   size_t errlen)
{
	PGresult *r = PQexec(c, "SELECT coalesce(max(version), 0)"
				" FROM schema_version");
	int rc = -EIO;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		*v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		rc = 0;
	} else {
		snprintf(err, errlen, "%s: schema_version: %s", shown,
			 PQerrorMessage(c));
	}
	PQclear(r);
	return rc;
}

int coll_pg_migrate(PGconn *c, const char *shown, char *err, size_t errlen)
{
	char sql[64];
	long long v = 0;
	int rc;

	rc = run(c,
		 "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ");"
		 "CREATE TABLE IF NOT EXISTS schema_version("
		 " version integer NOT NULL)",
		 shown, err, errlen);
	if (rc == 0)
		rc = version(c, &v, shown, err, errlen);
	if (rc == 0 && v > COLL_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: schema version %lld is newer than this "
			 "kcollectord's %d",
			 shown, v, COLL_SCHEMA_VERSION);
		rc = -EPROTO;
	}
	for (; rc == 0 && v < COLL_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof sql,
			 "INSERT INTO schema_version VALUES(%lld)", v + 1);
		rc = run(c, migrations[v], shown, err, errlen);
		if (rc == 0)
			rc = run(c, sql, shown, err, errlen);
	}
	if (rc == 0)
		return run(c, "COMMIT", shown, err, errlen);
	PQclear(PQexec(c, "ROLLBACK"));
	return rc;
}
