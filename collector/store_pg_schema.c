/* The PostgreSQL store's schema and statements, versioned like SQLite's
 * (store_sqlite_schema.c): migrations taken at open, recorded in
 * schema_version.  Several collectors may start together on one database:
 * an advisory lock held for the migration's transaction lets one of them
 * migrate while the others wait, then find nothing left to do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

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

#define HOST_COLS                                                              \
	"SELECT host_id, cluster, last_seq, last_seen_ms, interval_s,"         \
	" verdict::bigint, report FROM hosts"

/* The statements prepared on every connection (store_pg.c). */
const char *const pg_sql[PS_N] = {
    [PS_LAST] = "SELECT last_seq, checks_sig FROM hosts WHERE host_id = $1",
    [PS_PUT] = "INSERT INTO hosts(host_id, cluster, last_seq, last_seen_ms,"
	       " interval_s, verdict, checks_sig, report)"
	       " VALUES($1, $2, $3, $4, $5, $6, $7, $8)"
	       " ON CONFLICT(host_id) DO UPDATE SET cluster = excluded.cluster,"
	       " last_seq = excluded.last_seq,"
	       " last_seen_ms = excluded.last_seen_ms,"
	       " interval_s = excluded.interval_s, verdict = excluded.verdict,"
	       " checks_sig = excluded.checks_sig, report = excluded.report"
	       " WHERE hosts.last_seq < excluded.last_seq",
    /* A history row only for a state the upsert changed. */
    [PS_STATE] =
	"WITH s AS (INSERT INTO check_state(kind, subject, check_id,"
	" instance, severity, since_ms) VALUES($1, $2, $3, $4, $5, $6)"
	" ON CONFLICT(kind, subject, check_id, instance) DO UPDATE"
	" SET severity = excluded.severity, since_ms = excluded.since_ms"
	" WHERE check_state.severity <> excluded.severity RETURNING 1)"
	" INSERT INTO check_history(kind, subject, check_id, instance,"
	" severity, ts_ms) SELECT $1, $2, $3, $4, $5, $6 FROM s",
    /* Byte order, as SQLite orders them: every collector lists the
     * fleet alike whatever the database's collation. */
    [PS_EACH] = HOST_COLS " ORDER BY host_id COLLATE \"C\"",
    /* The same without the report: the fleet cache's question. */
    [PS_META] = "SELECT host_id, cluster, last_seq, last_seen_ms, interval_s,"
		" verdict::bigint, NULL::bytea FROM hosts"
		" ORDER BY host_id COLLATE \"C\"",
    [PS_GET] = HOST_COLS " WHERE host_id = $1",
    /* The newest $3 rows (all for NULL), oldest first. */
    [PS_HIST] = "SELECT kind, subject, check_id, instance,"
		" severity::bigint, ts_ms FROM (SELECT * FROM check_history"
		" WHERE kind = $1 AND subject = $2 ORDER BY id DESC"
		" LIMIT $3::bigint) h ORDER BY id",
    [PS_FORGET_HOST] = "DELETE FROM hosts WHERE host_id = $1",
    [PS_FORGET_STATE] = "DELETE FROM check_state WHERE kind = 'host'"
			" AND subject = $1",
    [PS_FORGET_HIST] = "DELETE FROM check_history WHERE kind = 'host'"
		       " AND subject = $1",
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
