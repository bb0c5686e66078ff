/*
 * store_impl.h — the two backends behind collector.h's coll_store_*
 * (store.c dispatches): SQLite for one collector, PostgreSQL for several
 * sharing one database.  Each function has the meaning collector.h gives
 * its coll_store_* namesake, on the backend's own state.
 */
#ifndef KAGENT_STORE_IMPL_H
#define KAGENT_STORE_IMPL_H

#include "collector.h"

struct coll_store_ops {
	const char *name; /* "sqlite", "postgresql" */
	int (*open)(const char *target, void **out, char *err, size_t errlen);
	void (*close)(void *b);
	int (*last_seq)(void *b, const char *host_id, uint64_t *seq);
	int (*put)(void *b, const struct coll_report_meta *m,
		   const uint8_t *report, size_t len,
		   const struct check_results *checks);
	int (*checks_update)(void *b, const char *kind, const char *subject,
			     const struct check_results *checks, int64_t now_ms,
			     unsigned *changed);
	int (*flush)(void *b);
	void (*counts)(const void *b, uint64_t *committed,
		       uint64_t *rolled_back);
	int (*each_host)(void *b, coll_store_row_cb cb, void *arg);
	int (*each_meta)(void *b, coll_store_row_cb cb, void *arg);
	int (*get_host)(void *b, const char *host_id, coll_store_row_cb cb,
			void *arg);
	int (*history)(void *b, const char *kind, const char *subject,
		       int64_t limit, coll_history_cb cb, void *arg);
	int (*forget)(void *b, const char *host_id);
	/* true while the database cannot be reached (NULL: never). */
	bool (*down)(const void *b);
};

extern const struct coll_store_ops coll_store_sqlite;
extern const struct coll_store_ops coll_store_pg;

/* The schema version this build writes (both backends number their
 * migrations alike: 1 is the schema of the first release). */
#define COLL_SCHEMA_VERSION 1

/* FNV-1a over id, instance and severity of every check (store_sqlite.c):
 * most reports repeat their predecessor's results, and then no check row
 * is touched. */
int64_t coll_checks_sig(const struct check_results *c);

/* Sets the pragmas of every open and brings the schema to
 * COLL_SCHEMA_VERSION (store_sqlite_schema.c); err names path. */
struct sqlite3;
int coll_sqlite_migrate(struct sqlite3 *db, const char *path, char *err,
			size_t errlen);
/* The same for PostgreSQL (store_pg_schema.c), in one transaction under
 * an advisory lock; shown is the URL as it may be logged. */
struct pg_conn;
int coll_pg_migrate(struct pg_conn *c, const char *shown, char *err,
		    size_t errlen);

#endif
