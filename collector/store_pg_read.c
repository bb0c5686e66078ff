/* The PostgreSQL store's reads: the fleet, its columns without the
 * reports, one host, a history. */
#include <errno.h>
#include <stdio.h>

#include "store_pg.h"

/* A bigint column of a binary result; below 0 (never written by this
 * collector) reads as 0, as the SQLite store reads it. */
int64_t pg_col_i64(const PGresult *r, int row, int col)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
	uint64_t v = 0;
	int i;

	if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static int each_row(struct pg *s, int st, const char *host_id,
		    coll_store_row_cb cb, void *arg, bool *any)
{
	const char *v[1] = {host_id};
	struct coll_store_row row;
	PGresult *r;
	int i, n, ret = 0;

	if (pg_ready(s) < 0)
		return -EIO;
	r = pg_exec_ps(s, st, host_id ? 1 : 0, v, NULL, NULL);
	if (r == NULL)
		return -EIO;
	n = PQntuples(r);
	for (i = 0; i < n && ret == 0; i++) {
		*any = true;
		proto_str_set(s->host_id, sizeof s->host_id,
			      PQgetvalue(r, i, 0));
		proto_str_set(s->cluster, sizeof s->cluster,
			      PQgetvalue(r, i, 1));
		row.host_id = s->host_id;
		row.cluster = s->cluster;
		row.last_seq =
		    (uint64_t)(pg_col_i64(r, i, 2) < 0 ? 0
						       : pg_col_i64(r, i, 2));
		row.last_seen_ms = pg_col_i64(r, i, 3);
		row.interval_s = (uint32_t)pg_col_i64(r, i, 4);
		row.verdict = (int)pg_col_i64(r, i, 5);
		row.report = (const uint8_t *)PQgetvalue(r, i, 6);
		row.len = (size_t)PQgetlength(r, i, 6);
		ret = cb(arg, &row);
	}
	PQclear(r);
	return ret;
}

int pg_each_host(void *b, coll_store_row_cb cb, void *arg)
{
	bool any = false;

	return each_row(b, PS_EACH, NULL, cb, arg, &any);
}

int pg_each_meta(void *b, coll_store_row_cb cb, void *arg)
{
	bool any = false;

	return each_row(b, PS_META, NULL, cb, arg, &any);
}

int pg_get_host(void *b, const char *host_id, coll_store_row_cb cb, void *arg)
{
	bool any = false;
	int rc = each_row(b, PS_GET, host_id, cb, arg, &any);

	return rc == 0 && !any ? -ENOENT : rc;
}

int pg_history(void *b, const char *kind, const char *subject, int64_t limit,
	       coll_history_cb cb, void *arg)
{
	struct pg *s = b;
	char lim[24];
	const char *v[3] = {kind, subject, limit < 0 ? NULL : lim};
	struct coll_history_row h;
	PGresult *r;
	int i, n, ret = 0;

	snprintf(lim, sizeof lim, "%lld", (long long)limit);
	if (pg_ready(s) < 0)
		return -EIO;
	r = pg_exec_ps(s, PS_HIST, 3, v, NULL, NULL);
	if (r == NULL)
		return -EIO;
	n = PQntuples(r);
	for (i = 0; i < n && ret == 0; i++) {
		h.kind = PQgetvalue(r, i, 0);
		h.subject = PQgetvalue(r, i, 1);
		h.check_id = PQgetvalue(r, i, 2);
		h.instance = PQgetvalue(r, i, 3);
		h.severity = (int)pg_col_i64(r, i, 4);
		h.ts_ms = pg_col_i64(r, i, 5);
		ret = cb(arg, &h);
	}
	PQclear(r);
	return ret;
}
