/* store_pg.h — what the PostgreSQL store's files share (store_pg.c
 * writes, store_pg_read.c reads). */
#ifndef KAGENT_STORE_PG_H
#define KAGENT_STORE_PG_H

#include <libpq-fe.h>

#include "store_impl.h"

/* The prepared statements, named "k<index>". */
enum {
	PS_LAST,
	PS_PUT,
	PS_STATE,
	PS_EACH,
	PS_META,
	PS_GET,
	PS_HIST,
	PS_FORGET_HOST,
	PS_FORGET_STATE,
	PS_FORGET_HIST,
	PS_N,
};

struct pg {
	PGconn *conn; /* NULL while the database cannot be reached */
	char target[COLL_CONF_STR_MAX];
	char shown[COLL_CONF_STR_MAX]; /* target, its password masked */
	bool in_tx;
	bool tx_lost; /* the connection broke inside the turn's transaction */
	bool down;
	int64_t down_since_ms;
	int64_t retry_ms; /* no new connection tried before */
	uint64_t tx_reports;
	uint64_t committed;
	uint64_t rolled_back;
	char host_id[64];
	char cluster[64];
};

/* Their SQL (store_pg_schema.c), indexed by PS_*. */
extern const char *const pg_sql[PS_N];

/* A connection to work on: the one open, or a new one tried at most once
 * a second after the last failure; -EIO. */
int pg_ready(struct pg *s);
/* A prepared statement with binary results; NULL when it failed (a
 * broken connection is then closed and counted). */
PGresult *pg_exec_ps(struct pg *s, int st, int n, const char *const *v,
		     const int *len, const int *fmt);
int64_t pg_col_i64(const PGresult *r, int row, int col);
int pg_each_host(void *b, coll_store_row_cb cb, void *arg);
int pg_each_meta(void *b, coll_store_row_cb cb, void *arg);
int pg_get_host(void *b, const char *host_id, coll_store_row_cb cb, void *arg);
int pg_history(void *b, const char *kind, const char *subject, int64_t limit,
	       coll_history_cb cb, void *arg);

#endif
