/* The collector's state in PostgreSQL, for several collectors sharing one
 * database: the same tables and the same batching as the SQLite store
 * (store_sqlite.c), one transaction per loop turn committed before the
 * turn's acks.
 *
 * Across collectors: a host's row is written by a conditional upsert (the
 * stored seq never goes backwards, whichever collector a report reaches),
 * a check's history row only when the upsert of its state found a change,
 * both decided by the row lock PostgreSQL takes, not by a read before.
 *
 * When the connection breaks, the open transaction is lost, counted as
 * rolled back, and every call fails with -EIO (so no ack is sent) until a
 * new connection is made, tried at most once a second by whichever call
 * comes next; the episode is logged once when it starts and once when it
 * ends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core_log.h"
#include "store_pg.h"

static void pg_close(void *b);
static int pg_flush(void *b);

/* libpq's messages span lines: one log line each. */
static void one_line(char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (s[n] == '\n' || s[n] == '\t')
			s[n] = ' ';
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

/* The server's notices (a migration's "already exists, skipping") are
 * not the operator's business. */
static void no_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* A new connection, its statements prepared, the schema migrated. */
static int pg_connect(struct pg *s, char *err, size_t errlen)
{
	/* Before dbname: the URL's own values win over these defaults. */
	static const char *const kw[] = {"connect_timeout",
					 "fallback_application_name",
					 "client_encoding", "dbname", NULL};
	const char *val[] = {"5", "kcollectord", "UTF8", s->target, NULL};
	PGresult *r;
	int i, rc;

	s->conn = PQconnectdbParams(kw, val, 1);
	if (s->conn == NULL) {
		snprintf(err, errlen, "%s: out of memory", s->shown);
		return -ENOMEM;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%s: %s", s->shown,
			 PQerrorMessage(s->conn));
		rc = -EIO;
		goto fail;
	}
	PQsetNoticeProcessor(s->conn, no_notice, NULL);
	rc = coll_pg_migrate((struct pg_conn *)s->conn, s->shown, err, errlen);
	for (i = 0; rc == 0 && i < PS_N; i++) {
		char name[8];

		snprintf(name, sizeof name, "k%d", i);
		r = PQprepare(s->conn, name, pg_sql[i], 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			snprintf(err, errlen, "%s: %s", s->shown,
				 PQerrorMessage(s->conn));
			rc = -EIO;
		}
		PQclear(r);
	}
	if (rc == 0)
		return 0;
fail:
	one_line(err);
	PQfinish(s->conn);
	s->conn = NULL;
	return rc;
}

static int pg_open(const char *target, void **out, char *err, size_t errlen)
{
	struct pg *s;
	int rc;

	s = calloc(1, sizeof *s);
	if (s == NULL)
		return -ENOMEM;
	snprintf(s->target, sizeof s->target, "%s", target);
	coll_db_display(target, s->shown, sizeof s->shown);
	rc = pg_connect(s, err, errlen);
	if (rc < 0) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void pg_close(void *b)
{
	struct pg *s = b;

	if (s == NULL)
		return;
	pg_flush(s);
	PQfinish(s->conn);
	free(s);
}

/* The connection broke: what the open transaction held is gone. */
static void went_down(struct pg *s)
{
	char why[256];

	snprintf(why, sizeof why, "%s",
		 s->conn ? PQerrorMessage(s->conn) : "no connection");
	one_line(why);
	if (!s->down)
		core_log(LOG_ERR,
			 "database %s unreachable: %s; reports are not "
			 "acknowledged until it is back, readers get the "
			 "last fleet read, marked stale",
			 s->shown, why);
	if (!s->down)
		s->down_since_ms = coll_now_ms();
	s->down = true;
	s->rolled_back += s->tx_reports;
	s->tx_reports = 0;
	/* The turn's acks wait for a commit that can no longer come, even
	 * if a new connection opens before the turn ends. */
	if (s->in_tx)
		s->tx_lost = true;
	s->in_tx = false;
	PQfinish(s->conn);
	s->conn = NULL;
	s->retry_ms = coll_now_ms() + 1000;
}

/* A connection to work on, or -EIO. */
int pg_ready(struct pg *s)
{
	char err[512];
	int64_t now;

	if (s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	if (s->conn != NULL)
		went_down(s);
	now = coll_now_ms();
	if (now < s->retry_ms)
		return -EIO;
	s->retry_ms = now + 1000;
	if (pg_connect(s, err, sizeof err) < 0)
		return -EIO;
	if (s->down)
		core_log(LOG_NOTICE, "database %s reachable again after %lld s",
			 s->shown,
			 (long long)((now - s->down_since_ms) / 1000));
	s->down = false;
	return 0;
}

/* A failed statement: a broken connection, or an error that aborts the
 * open transaction (the caller rolls back to its savepoint). */
static void failed(struct pg *s, PGresult *r)
{
	if (PQstatus(s->conn) != CONNECTION_OK)
		went_down(s);
	else {
		char why[256];

		snprintf(why, sizeof why, "%s",
			 r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
		one_line(why);
		core_log(LOG_ERR, "database %s: %s", s->shown, why);
	}
}

PGresult *pg_exec_ps(struct pg *s, int st, int n, const char *const *v,
		     const int *len, const int *fmt)
{
	char name[8];
	PGresult *r;
	ExecStatusType t;

	snprintf(name, sizeof name, "k%d", st);
	r = PQexecPrepared(s->conn, name, n, v, len, fmt, 1);
	t = PQresultStatus(r);
	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK)
		return r;
	failed(s, r);
	PQclear(r);
	return NULL;
}

static int exec_sql(struct pg *s, const char *sql)
{
	PGresult *r = PQexec(s->conn, sql);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -EIO;

	if (rc < 0)
		failed(s, r);
	PQclear(r);
	return rc;
}

static int begin(struct pg *s)
{
	if (s->in_tx)
		return 0;
	if (exec_sql(s, "BEGIN") < 0)
		return -EIO;
	s->in_tx = true;
	return 0;
}

static int pg_flush(void *b)
{
	struct pg *s = b;
	uint64_t n = s->tx_reports;
	PGresult *r;
	bool ok;

	if (s->tx_lost) {
		s->tx_lost = false;
		if (s->in_tx && s->conn != NULL)
			PQclear(PQexec(s->conn, "ROLLBACK"));
		s->in_tx = false;
		s->rolled_back += n;
		s->tx_reports = 0;
		return -EIO;
	}
	if (!s->in_tx || s->conn == NULL)
		return s->in_tx ? -EIO : 0;
	s->in_tx = false;
	s->tx_reports = 0;
	r = PQexec(s->conn, "COMMIT");
	/* COMMIT of a transaction an error aborted answers ROLLBACK. */
	ok = PQresultStatus(r) == PGRES_COMMAND_OK &&
	     strcmp(PQcmdStatus(r), "COMMIT") == 0;
	if (!ok && PQresultStatus(r) != PGRES_COMMAND_OK)
		failed(s, r);
	PQclear(r);
	if (!ok) {
		s->rolled_back += n;
		if (s->conn != NULL)
			PQclear(PQexec(s->conn, "ROLLBACK"));
		return -EIO;
	}
	s->committed += n;
	return 0;
}

static void pg_counts(const void *b, uint64_t *committed, uint64_t *rolled_back)
{
	const struct pg *s = b;

	*committed = s->committed;
	*rolled_back = s->rolled_back;
}

static bool pg_down(const void *b)
{
	return ((const struct pg *)b)->down;
}

/* The stored seq and checks signature of a host: 1 known, 0 not, -EIO. */
static int stored(struct pg *s, const char *host_id, int64_t *seq, int64_t *sig)
{
	const char *v[1] = {host_id};
	PGresult *r;
	int rc;

	if (pg_ready(s) < 0)
		return -EIO;
	r = pg_exec_ps(s, PS_LAST, 1, v, NULL, NULL);
	if (r == NULL)
		return -EIO;
	rc = PQntuples(r) == 1;
	if (rc) {
		*seq = pg_col_i64(r, 0, 0);
		*sig = pg_col_i64(r, 0, 1);
	}
	PQclear(r);
	return rc;
}

static int pg_last_seq(void *b, const char *host_id, uint64_t *seq)
{
	int64_t v = 0, sig;
	int rc = stored(b, host_id, &v, &sig);

	*seq = rc == 1 && v > 0 ? (uint64_t)v : 0;
	return rc < 0 ? rc : 0;
}

static int pg_checks_update(void *b, const char *kind, const char *subject,
			    const struct check_results *checks, int64_t now_ms,
			    unsigned *changed)
{
	struct pg *s = b;
	char sev[16], ts[24];
	const char *v[6] = {kind, subject, NULL, NULL, sev, ts};
	PGresult *r;
	size_t i;

	if (changed)
		*changed = 0;
	if (pg_ready(s) < 0 || begin(s) < 0)
		return -EIO;
	snprintf(ts, sizeof ts, "%lld", (long long)now_ms);
	for (i = 0; i < checks->n; i++) {
		v[2] = checks->v[i].id;
		v[3] = checks->v[i].instance;
		snprintf(sev, sizeof sev, "%d", (int)checks->v[i].sev);
		r = pg_exec_ps(s, PS_STATE, 6, v, NULL, NULL);
		if (r == NULL)
			return -EIO;
		if (changed)
			*changed += (unsigned)atoi(PQcmdTuples(r));
		PQclear(r);
	}
	return 0;
}

/* The host's row, then its checks when they differ from the stored
 * ones; 1 when the upsert found a seq at or above this one (stored by
 * another collector since the read). */
static int put_rows(struct pg *s, const struct coll_report_meta *m,
		    const uint8_t *report, size_t len,
		    const struct check_results *checks, bool known, int64_t sig,
		    int64_t old_sig)
{
	char seq[24], seen[24], iv[24], verdict[16], sg[24];
	const char *v[8] = {m->host_id, m->cluster, seq, seen,
			    iv,		verdict,    sg,	 (const char *)report};
	int lens[8] = {0, 0, 0, 0, 0, 0, 0, (int)len};
	int fmts[8] = {0, 0, 0, 0, 0, 0, 0, 1};
	PGresult *r;
	bool wrote;

	snprintf(seq, sizeof seq, "%llu", (unsigned long long)m->seq);
	snprintf(seen, sizeof seen, "%lld", (long long)m->seen_ms);
	snprintf(iv, sizeof iv, "%u", (unsigned)m->interval_s);
	snprintf(verdict, sizeof verdict, "%d", m->verdict);
	snprintf(sg, sizeof sg, "%lld", (long long)sig);
	r = pg_exec_ps(s, PS_PUT, 8, v, lens, fmts);
	if (r == NULL)
		return -EIO;
	wrote = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (!wrote)
		return 1;
	if (checks && (!known || sig != old_sig))
		return pg_checks_update(s, "host", m->host_id, checks,
					m->seen_ms, NULL);
	return 0;
}

static int pg_put(void *b, const struct coll_report_meta *m,
		  const uint8_t *report, size_t len,
		  const struct check_results *checks)
{
	struct pg *s = b;
	int64_t sig = coll_checks_sig(checks), old_sig = 0, last = 0;
	bool multi;
	int known, rc;

	if (m->seq > PROTO_SEQ_MAX)
		return -ERANGE;
	known = stored(s, m->host_id, &last, &old_sig);
	if (known < 0)
		return -EIO;
	if (known && (int64_t)m->seq <= last)
		return 1;
	/* Several statements (the host's row, then its changed checks) go
	 * whole or not at all: a savepoint.  The usual report repeats its
	 * checks and is one statement, atomic by itself, without the two
	 * round trips a savepoint costs; should it fail, the transaction
	 * is aborted and its COMMIT fails, so no ack is sent for any report
	 * of the batch. */
	multi = checks && (!known || sig != old_sig);
	if (begin(s) < 0 || (multi && exec_sql(s, "SAVEPOINT put") < 0))
		return -EIO;
	rc = put_rows(s, m, report, len, checks, known, sig, old_sig);
	if (s->conn == NULL)
		return -EIO;
	if (multi && rc != 0 && exec_sql(s, "ROLLBACK TO SAVEPOINT put") < 0)
		return -EIO;
	if (multi && exec_sql(s, "RELEASE SAVEPOINT put") < 0)
		return -EIO;
	if (rc == 0)
		s->tx_reports++;
	return rc;
}

/* As the SQLite store: row, states and history in one transaction,
 * committed before the answer. */
static int forget_tx(struct pg *s, const char *host_id)
{
	const char *v[1] = {host_id};
	PGresult *r;
	int i, gone = 0;

	if (pg_ready(s) < 0 || begin(s) < 0)
		return -EIO;
	for (i = PS_FORGET_HOST; i <= PS_FORGET_HIST; i++) {
		r = pg_exec_ps(s, i, 1, v, NULL, NULL);
		if (r == NULL) {
			if (s->conn != NULL) {
				PQclear(PQexec(s->conn, "ROLLBACK"));
				s->in_tx = false;
			}
			return -EIO;
		}
		if (i == PS_FORGET_HOST)
			gone = atoi(PQcmdTuples(r));
		PQclear(r);
	}
	if (pg_flush(s) < 0)
		return -EIO;
	return gone ? 0 : -ENOENT;
}

static int pg_forget(void *b, const char *host_id)
{
	struct pg *s = b;
	int rc = forget_tx(s, host_id);

	/* Called with no report pending (the caller flushed first): a
	 * connection lost here took only the forget with it. */
	if (rc == -EIO)
		s->tx_lost = false;
	return rc;
}

const struct coll_store_ops coll_store_pg = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .last_seq = pg_last_seq,
    .put = pg_put,
    .checks_update = pg_checks_update,
    .flush = pg_flush,
    .counts = pg_counts,
    .each_host = pg_each_host,
    .each_meta = pg_each_meta,
    .get_host = pg_get_host,
    .history = pg_history,
    .forget = pg_forget,
    .down = pg_down,
};
