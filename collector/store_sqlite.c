/* The collector's state in SQLite (the store for one collector): the
 * latest report of every host and the history of check severities.
 * Everything the views show is read back from here, so a restart loses
 * nothing that was acknowledged.
 *
 * Writes are batched: coll_store_put opens a transaction and the loop
 * commits it once per turn (coll_store_flush) before sending the acks of
 * that turn, so an ack always follows the commit of its report.  WAL with
 * synchronous=NORMAL keeps a commit through a crash of the process; a power
 * loss may take the last commits back, which the agents' spool resends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_impl.h"

enum {
	ST_LAST,
	ST_PUT,
	ST_STATE_GET,
	ST_STATE_SET,
	ST_HIST_ADD,
	ST_EACH,
	ST_META,
	ST_GET,
	ST_HIST,
	ST_FORGET_HOST,
	ST_FORGET_STATE,
	ST_FORGET_HIST,
	ST_SAVEPOINT,
	ST_ROLLBACK_TO,
	ST_RELEASE,
	ST_N,
};

static const char *const stmt_sql[ST_N] = {
    [ST_LAST] = "SELECT last_seq, checks_sig FROM hosts WHERE host_id = ?1",
    [ST_PUT] = "INSERT INTO hosts(host_id, cluster, last_seq, last_seen_ms,"
	       " interval_s, verdict, checks_sig, report)"
	       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	       " ON CONFLICT(host_id) DO UPDATE SET cluster = excluded.cluster,"
	       " last_seq = excluded.last_seq,"
	       " last_seen_ms = excluded.last_seen_ms,"
	       " interval_s = excluded.interval_s, verdict = excluded.verdict,"
	       " checks_sig = excluded.checks_sig, report = excluded.report"
	       " WHERE excluded.last_seq > hosts.last_seq",
    [ST_STATE_GET] = "SELECT severity FROM check_state WHERE kind = ?1 AND"
		     " subject = ?2 AND check_id = ?3 AND instance = ?4",
    [ST_STATE_SET] = "INSERT OR REPLACE INTO check_state(kind, subject,"
		     " check_id, instance, severity, since_ms)"
		     " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_HIST_ADD] =
	"INSERT INTO check_history(kind, subject, check_id,"
	" instance, severity, ts_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_EACH] = "SELECT host_id, cluster, last_seq, last_seen_ms, interval_s,"
		" verdict, report FROM hosts ORDER BY host_id",
    /* The columns without the report: the fleet cache's question. */
    [ST_META] = "SELECT host_id, cluster, last_seq, last_seen_ms, interval_s,"
		" verdict, NULL FROM hosts ORDER BY host_id",
    [ST_GET] = "SELECT host_id, cluster, last_seq, last_seen_ms, interval_s,"
	       " verdict, report FROM hosts WHERE host_id = ?1",
    /* The newest ?3 rows (all for -1), oldest first. */
    [ST_HIST] = "SELECT kind, subject, check_id, instance, severity, ts_ms"
		" FROM (SELECT * FROM check_history WHERE kind = ?1"
		" AND subject = ?2 ORDER BY id DESC LIMIT ?3) ORDER BY id",
    [ST_FORGET_HOST] = "DELETE FROM hosts WHERE host_id = ?1",
    [ST_FORGET_STATE] = "DELETE FROM check_state WHERE kind = 'host'"
			" AND subject = ?1",
    [ST_FORGET_HIST] = "DELETE FROM check_history WHERE kind = 'host'"
		       " AND subject = ?1",
    /* Prepared once: sqlite3_exec would parse them again for every
     * report, which was a tenth of the collector's CPU under load. */
    [ST_SAVEPOINT] = "SAVEPOINT put",
    [ST_ROLLBACK_TO] = "ROLLBACK TO put",
    [ST_RELEASE] = "RELEASE put",
};

struct sq {
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	bool in_tx;
	uint64_t tx_reports; /* stored in the open transaction */
	uint64_t committed;
	uint64_t rolled_back;
	/* each_row's copies of the text columns, made valid UTF-8 */
	char host_id[64];
	char cluster[64];
};

static void sq_close(void *b);
static int sq_flush(void *b);

static int sq_open(const char *path, void **out, char *err, size_t errlen)
{
	struct sq *s;
	int i, rc;

	s = calloc(1, sizeof *s);
	if (s == NULL)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		rc = -EIO;
		goto out_close;
	}
	sqlite3_busy_timeout(s->db, 2000);
	rc = coll_sqlite_migrate(s->db, path, err, errlen);
	if (rc < 0)
		goto out_close;
	for (i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path,
				 sqlite3_errmsg(s->db));
			rc = -EIO;
			goto out_close;
		}
	*out = s;
	return 0;
out_close:
	sq_close(s);
	return rc;
}

static void sq_close(void *b)
{
	struct sq *s = b;
	int i;

	if (s == NULL)
		return;
	sq_flush(s);
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

static int store_begin(struct sq *s)
{
	if (s->in_tx)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	s->in_tx = true;
	return 0;
}

static int sq_flush(void *b)
{
	struct sq *s = b;
	uint64_t n = s->tx_reports;

	if (!s->in_tx)
		return 0;
	s->in_tx = false;
	s->tx_reports = 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->rolled_back += n;
		return -EIO;
	}
	s->committed += n;
	return 0;
}

static void sq_counts(const void *b, uint64_t *committed, uint64_t *rolled_back)
{
	const struct sq *s = b;
	*committed = s->committed;
	*rolled_back = s->rolled_back;
}

/* A seq column below 0 can only come from a collector that stored seqs
 * above PROTO_SEQ_MAX as they wrapped: SQL orders it below every valid
 * seq, and so does this. */
static uint64_t seq_column(sqlite3_stmt *st, int col)
{
	int64_t v = sqlite3_column_int64(st, col);

	return v < 0 ? 0 : (uint64_t)v;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static int sq_last_seq(void *b, const char *host_id, uint64_t *seq)
{
	struct sq *s = b;
	sqlite3_stmt *st = s->st[ST_LAST];
	int rc;

	*seq = 0;
	sqlite3_bind_text(st, 1, host_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = seq_column(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

static int sq_checks_update(void *b, const char *kind, const char *subject,
			    const struct check_results *checks, int64_t now_ms,
			    unsigned *changed)
{
	struct sq *s = b;
	sqlite3_stmt *get = s->st[ST_STATE_GET];
	size_t i;
	int rc, j;

	if (changed)
		*changed = 0;
	rc = store_begin(s);
	for (i = 0; rc == 0 && i < checks->n; i++) {
		const struct check_result *c = &checks->v[i];
		sqlite3_stmt *w[2] = {s->st[ST_STATE_SET], s->st[ST_HIST_ADD]};

		sqlite3_bind_text(get, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(get, 2, subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(get, 3, c->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(get, 4, c->instance, -1, SQLITE_STATIC);
		rc = sqlite3_step(get);
		if (rc == SQLITE_ROW &&
		    sqlite3_column_int(get, 0) == (int)c->sev) {
			sqlite3_reset(get);
			rc = 0;
			continue;
		}
		sqlite3_reset(get);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -EIO;
		rc = 0;
		for (j = 0; rc == 0 && j < 2; j++) {
			sqlite3_bind_text(w[j], 1, kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(w[j], 2, subject, -1, SQLITE_STATIC);
			sqlite3_bind_text(w[j], 3, c->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(w[j], 4, c->instance, -1,
					  SQLITE_STATIC);
			sqlite3_bind_int(w[j], 5, (int)c->sev);
			sqlite3_bind_int64(w[j], 6, now_ms);
			rc = step_done(w[j]);
		}
		if (rc == 0 && changed)
			(*changed)++;
	}
	return rc;
}

/* The host row and its check rows, inside the open transaction.  1 when
 * the upsert's own comparison (the one that decides) finds the stored seq
 * at or above this one. */
static int store_put_rows(struct sq *s, const struct coll_report_meta *m,
			  int64_t seq, const uint8_t *report, size_t len,
			  const struct check_results *checks, bool known,
			  int64_t sig, int64_t old_sig)
{
	sqlite3_stmt *put = s->st[ST_PUT];

	sqlite3_bind_text(put, 1, m->host_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(put, 2, m->cluster, -1, SQLITE_STATIC);
	sqlite3_bind_int64(put, 3, seq);
	sqlite3_bind_int64(put, 4, m->seen_ms);
	sqlite3_bind_int64(put, 5, m->interval_s);
	sqlite3_bind_int(put, 6, m->verdict);
	sqlite3_bind_int64(put, 7, sig);
	sqlite3_bind_blob(put, 8, report, (int)len, SQLITE_STATIC);
	if (step_done(put) < 0)
		return -EIO;
	if (sqlite3_changes(s->db) == 0)
		return 1;
	if (checks && (!known || sig != old_sig))
		return sq_checks_update(s, "host", m->host_id, checks,
					m->seen_ms, NULL);
	return 0;
}

/* seq is compared as the int64 SQLite holds, here and in the upsert, so
 * the two cannot disagree; a report is written whole or not at all (a
 * savepoint), so a failure leaves no host row without its checks. */
static int sq_put(void *b, const struct coll_report_meta *m,
		  const uint8_t *report, size_t len,
		  const struct check_results *checks)
{
	struct sq *s = b;
	sqlite3_stmt *last = s->st[ST_LAST];
	int64_t sig = coll_checks_sig(checks), old_sig = 0, seq, stored = 0;
	bool known = false, one;
	int rc;

	if (m->seq > PROTO_SEQ_MAX)
		return -ERANGE;
	seq = (int64_t)m->seq;
	sqlite3_bind_text(last, 1, m->host_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(last);
	if (rc == SQLITE_ROW) {
		known = true;
		stored = sqlite3_column_int64(last, 0);
		old_sig = sqlite3_column_int64(last, 1);
	}
	sqlite3_reset(last);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	if (known && seq <= stored)
		return 1;
	/* Checks as before: the upsert alone, atomic as any statement, so
	 * the savepoint is only for a report that also writes check rows. */
	one = checks == NULL || (known && sig == old_sig);
	if (store_begin(s) < 0 ||
	    (!one && step_done(s->st[ST_SAVEPOINT]) < 0))
		return -EIO;
	rc =
	    store_put_rows(s, m, seq, report, len, checks, known, sig, old_sig);
	if (rc != 0 && !one)
		step_done(s->st[ST_ROLLBACK_TO]);
	if (!one && step_done(s->st[ST_RELEASE]) < 0)
		return -EIO;
	if (rc == 0)
		s->tx_reports++;
	return rc;
}

/* A text column as the views may show it: within the protocol's bound
 * and valid UTF-8 whatever an older version wrote. */
static const char *text_column(sqlite3_stmt *st, int col, char *buf, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	proto_str_set(buf, cap, t ? (const char *)t : "");
	return buf;
}

static int each_row(struct sq *s, sqlite3_stmt *st, coll_store_row_cb cb,
		    void *arg, bool *any)
{
	struct coll_store_row r;
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*any = true;
		r.host_id = text_column(st, 0, s->host_id, sizeof s->host_id);
		r.cluster = text_column(st, 1, s->cluster, sizeof s->cluster);
		r.last_seq = seq_column(st, 2);
		r.last_seen_ms = sqlite3_column_int64(st, 3);
		r.interval_s = (uint32_t)sqlite3_column_int64(st, 4);
		r.verdict = sqlite3_column_int(st, 5);
		r.report = sqlite3_column_blob(st, 6);
		r.len = (size_t)sqlite3_column_bytes(st, 6);
		ret = cb(arg, &r);
		if (ret != 0)
			break;
	}
	sqlite3_reset(st);
	if (ret != 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static int sq_each_host(void *b, coll_store_row_cb cb, void *arg)
{
	struct sq *s = b;
	bool any = false;

	return each_row(s, s->st[ST_EACH], cb, arg, &any);
}

static int sq_each_meta(void *b, coll_store_row_cb cb, void *arg)
{
	struct sq *s = b;
	bool any = false;

	return each_row(s, s->st[ST_META], cb, arg, &any);
}

static int sq_get_host(void *b, const char *host_id, coll_store_row_cb cb,
		       void *arg)
{
	struct sq *s = b;
	sqlite3_stmt *st = s->st[ST_GET];
	bool any = false;
	int rc;

	sqlite3_bind_text(st, 1, host_id, -1, SQLITE_TRANSIENT);
	rc = each_row(s, st, cb, arg, &any);
	if (rc == 0 && !any)
		rc = -ENOENT;
	return rc;
}

static int sq_history(void *b, const char *kind, const char *subject,
		      int64_t limit, coll_history_cb cb, void *arg)
{
	struct sq *s = b;
	sqlite3_stmt *st = s->st[ST_HIST];
	struct coll_history_row r;
	int rc, ret = 0;

	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, limit < 0 ? -1 : limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.kind = (const char *)sqlite3_column_text(st, 0);
		r.subject = (const char *)sqlite3_column_text(st, 1);
		r.check_id = (const char *)sqlite3_column_text(st, 2);
		r.instance = (const char *)sqlite3_column_text(st, 3);
		r.severity = sqlite3_column_int(st, 4);
		r.ts_ms = sqlite3_column_int64(st, 5);
		ret = cb(arg, &r);
		if (ret != 0)
			break;
	}
	sqlite3_reset(st);
	if (ret != 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* One transaction, committed before the answer: the row, the check
 * severities that tell a change from a repeat, and the history go
 * together, so a host that reports again starts afresh.  The caller
 * commits the turn's reports first (coll_flush), so that their acks still
 * follow their own commit. */
static int sq_forget(void *b, const char *host_id)
{
	struct sq *s = b;
	int i, rc, gone = 0;

	rc = store_begin(s);
	for (i = ST_FORGET_HOST; rc == 0 && i <= ST_FORGET_HIST; i++) {
		sqlite3_bind_text(s->st[i], 1, host_id, -1, SQLITE_TRANSIENT);
		rc = step_done(s->st[i]);
		if (rc == 0 && i == ST_FORGET_HOST)
			gone = sqlite3_changes(s->db);
	}
	if (rc < 0)
		return rc;
	rc = sq_flush(s);
	if (rc < 0)
		return rc;
	return gone ? 0 : -ENOENT;
}

const struct coll_store_ops coll_store_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .last_seq = sq_last_seq,
    .put = sq_put,
    .checks_update = sq_checks_update,
    .flush = sq_flush,
    .counts = sq_counts,
    .each_host = sq_each_host,
    .each_meta = sq_each_meta,
    .get_host = sq_get_host,
    .history = sq_history,
    .forget = sq_forget,
    .down = NULL,
};
