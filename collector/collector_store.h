/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collector_store.h — kcollectord's store: hosts, their last report and
 * their check history, in SQLite (store_sqlite*.c) or PostgreSQL
 * (store_pg*.c) behind one interface (store.c).  Kept apart from
 * collector.h, which includes it, so that neither passes 500 lines; it
 * needs nothing of the loop's.
 */
#ifndef KAGENT_COLLECTOR_STORE_H
#define KAGENT_COLLECTOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_check.h"

/* ---- store.c: hosts and check history in SQLite (WAL) or PostgreSQL ---- */

struct coll_store;

/* What the listener knows of a report besides its bytes. */
struct coll_report_meta {
	const char *host_id;
	const char *cluster;
	uint64_t seq;
	int64_t seen_ms; /* when the collector received it */
	uint32_t interval_s;
	int verdict; /* enum check_severity, or -1 when the report has none */
};

/* One stored host, valid during the callback. */
struct coll_store_row {
	const char *host_id;
	const char *cluster;
	uint64_t last_seq;
	int64_t last_seen_ms;
	uint32_t interval_s;
	int verdict;
	const uint8_t *report; /* the encoded kagent.v1.Report */
	size_t len;
};

struct coll_history_row {
	const char *kind; /* "host" or "cluster" */
	const char *subject;
	const char *check_id;
	const char *instance;
	int severity;
	int64_t ts_ms;
};

typedef int (*coll_store_row_cb)(void *arg, const struct coll_store_row *r);
typedef int (*coll_history_cb)(void *arg, const struct coll_history_row *r);

/* Opens or creates the database and brings its schema to this version
 * (store_sqlite_schema.c, store_pg_schema.c): path is a SQLite file, or a
 * postgresql:// (postgres://) URL whose TLS and password come from libpq's
 * own parameters (sslmode, sslrootcert, passfile, PGPASSFILE).  err says
 * what failed, naming path (its password masked). */
int coll_store_open(const char *path, struct coll_store **out, char *err,
		    size_t errlen);
/* Commits what is pending, then closes. */
void coll_store_close(struct coll_store *s);
/* 0 with *seq = 0 for a host never seen. */
int coll_store_last_seq(struct coll_store *s, const char *host_id,
			uint64_t *seq);
/* Stores a report unless its seq is not above the stored one.  Writes the
 * host's check_history rows for checks whose severity changed.  Opens a
 * transaction that coll_store_flush commits: 0 stored, 1 duplicate (nothing
 * written), -ERANGE for a seq above PROTO_SEQ_MAX, -EIO (nothing of the
 * report written). */
int coll_store_put(struct coll_store *s, const struct coll_report_meta *m,
		   const uint8_t *report, size_t len,
		   const struct check_results *checks);
/* The same change detection for a cluster's fleet checks.  *changed (may
 * be NULL) counts history rows written. */
int coll_store_checks_update(struct coll_store *s, const char *kind,
			     const char *subject,
			     const struct check_results *checks, int64_t now_ms,
			     unsigned *changed);
/* Commits the open transaction, if any.  The reports stored in it count
 * as committed, or as rolled back when the commit fails (-EIO). */
int coll_store_flush(struct coll_store *s);
/* Reports committed, and rolled back by a failed commit, since open. */
void coll_store_counts(const struct coll_store *s, uint64_t *committed,
		       uint64_t *rolled_back);
/* Every host, ordered by host id; a callback's non-zero return stops the
 * walk and is returned. */
int coll_store_each_host(struct coll_store *s, coll_store_row_cb cb, void *arg);
/* The same walk without the reports (len 0): what the fleet
 * cache (fleet_cache.h) asks to learn which hosts changed. */
int coll_store_each_meta(struct coll_store *s, coll_store_row_cb cb, void *arg);
/* One host; -ENOENT when unknown. */
int coll_store_get_host(struct coll_store *s, const char *host_id,
			coll_store_row_cb cb, void *arg);
/* History of one subject, oldest first: its newest `limit` rows, all of
 * them for a negative limit. */
int coll_store_history(struct coll_store *s, const char *kind,
		       const char *subject, int64_t limit, coll_history_cb cb,
		       void *arg);
/* Forgets a host: its row, check states and check history, committed
 * at once; call it with no transaction open (after coll_flush).  -ENOENT when
 * no row was stored for it (its checks are removed all the same), -EIO. */
int coll_store_forget(struct coll_store *s, const char *host_id);
/* "sqlite" or "postgresql". */
const char *coll_store_backend(const struct coll_store *s);
/* The database could not be reached at the last call: readers are being
 * answered from the last whole read of the fleet. */
bool coll_store_stale(const struct coll_store *s);
/* db names a PostgreSQL database (postgresql:// or postgres://). */
bool coll_db_is_url(const char *db);
/* A URL carries a password (user:password@ or password=). */
bool coll_db_has_password(const char *db);
/* db as it may be logged: a URL's password replaced by "***". */
void coll_db_display(const char *db, char *out, size_t cap);

#endif
