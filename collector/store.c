/* The store behind collector.h: a `db` that is a postgresql:// (or
 * postgres://) URL selects PostgreSQL, anything else is a SQLite file.
 *
 * Readers are answered from the database, so that every collector sharing
 * one shows the whole fleet.  While the database cannot be reached the
 * last fleet read is answered instead, marked stale (coll_store_stale):
 * the fleet page and /metrics keep showing what was last known rather than
 * nothing, and say so. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core_log.h"
#include "fleet_cache.h"
#include "store_impl.h"

struct snap_row {
	char host_id[64];
	char cluster[64];
	uint64_t last_seq;
	int64_t last_seen_ms;
	uint32_t interval_s;
	int verdict;
	uint8_t *report;
	size_t len;
};

struct snap {
	struct snap_row *v;
	size_t n, cap;
};

struct coll_store {
	const struct coll_store_ops *ops;
	void *b;
	struct snap last; /* the last whole walk of every host */
	bool stale;
	struct coll_fleet_cache *fleet; /* made at first use */
};

bool coll_db_is_url(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0 ||
	       strncmp(db, "postgres://", 11) == 0;
}

/* [start, end) of the password in a URL's user info, if any. */
static bool url_password(const char *db, size_t *start, size_t *end)
{
	const char *a = strstr(db, "://"), *slash, *at, *colon;

	if (a == NULL)
		return false;
	a += 3;
	slash = a + strcspn(a, "/?");
	at = memchr(a, '@', (size_t)(slash - a));
	if (at == NULL)
		return false;
	colon = memchr(a, ':', (size_t)(at - a));
	if (colon == NULL)
		return false;
	*start = (size_t)(colon + 1 - db);
	*end = (size_t)(at - db);
	return true;
}

/* [start, end) of a password= parameter's value. */
static bool query_password(const char *db, size_t *start, size_t *end)
{
	const char *q = strchr(db, '?'), *p;

	for (p = q; p != NULL; p = strchr(p + 1, '&'))
		if (strncmp(p + 1, "password=", 9) == 0) {
			*start = (size_t)(p + 10 - db);
			*end = *start + strcspn(db + *start, "&");
			return true;
		}
	return false;
}

bool coll_db_has_password(const char *db)
{
	size_t a, b;

	return coll_db_is_url(db) &&
	       (url_password(db, &a, &b) || query_password(db, &a, &b));
}

void coll_db_display(const char *db, char *out, size_t cap)
{
	size_t a, b, n = 0;
	const char *p = db;

	if (cap == 0)
		return;
	out[0] = '\0';
	while (coll_db_is_url(db) &&
	       (url_password(p, &a, &b) || query_password(p, &a, &b))) {
		/* The first password found, masked; then the rest. */
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%.*s***",
				      (int)a, p);
		p += b;
		if (n >= cap)
			return;
	}
	snprintf(out + n, cap - n, "%s", p);
}

int coll_store_open(const char *path, struct coll_store **out, char *err,
		    size_t errlen)
{
	struct coll_store *s;
	int rc;

	s = calloc(1, sizeof *s);
	if (s == NULL)
		return -ENOMEM;
	s->ops = coll_db_is_url(path) ? &coll_store_pg : &coll_store_sqlite;
	rc = s->ops->open(path, &s->b, err, errlen);
	if (rc < 0) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void snap_free(struct snap *sn)
{
	size_t i;

	for (i = 0; i < sn->n; i++)
		free(sn->v[i].report);
	free(sn->v);
	memset(sn, 0, sizeof *sn);
}

void coll_store_close(struct coll_store *s)
{
	if (s == NULL)
		return;
	s->ops->close(s->b);
	snap_free(&s->last);
	coll_fcache_free(s->fleet);
	free(s);
}

struct coll_fleet_cache *coll_store_fleet_cache(struct coll_store *s)
{
	if (s->fleet == NULL && coll_fcache_new(&s->fleet) < 0)
		return NULL;
	return s->fleet;
}

const char *coll_store_backend(const struct coll_store *s)
{
	return s->ops->name;
}

bool coll_store_stale(const struct coll_store *s)
{
	return s->stale;
}

/* After each call to the backend: stale while it says it is down. */
static int seen(struct coll_store *s, int rc)
{
	s->stale = s->ops->down != NULL && s->ops->down(s->b);
	return rc;
}

int coll_store_last_seq(struct coll_store *s, const char *host_id,
			uint64_t *seq)
{
	return seen(s, s->ops->last_seq(s->b, host_id, seq));
}

int coll_store_put(struct coll_store *s, const struct coll_report_meta *m,
		   const uint8_t *report, size_t len,
		   const struct check_results *checks)
{
	return seen(s, s->ops->put(s->b, m, report, len, checks));
}

int coll_store_checks_update(struct coll_store *s, const char *kind,
			     const char *subject,
			     const struct check_results *checks, int64_t now_ms,
			     unsigned *changed)
{
	return seen(s, s->ops->checks_update(s->b, kind, subject, checks,
					     now_ms, changed));
}

int coll_store_flush(struct coll_store *s)
{
	return seen(s, s->ops->flush(s->b));
}

void coll_store_counts(const struct coll_store *s, uint64_t *committed,
		       uint64_t *rolled_back)
{
	s->ops->counts(s->b, committed, rolled_back);
}

struct walk {
	struct snap next;
	coll_store_row_cb cb;
	void *arg;
	bool oom;
};

static int walk_row(void *arg, const struct coll_store_row *r)
{
	struct walk *w = arg;
	struct snap_row *x;

	if (!w->oom && w->next.n == w->next.cap) {
		size_t cap = w->next.cap ? 2 * w->next.cap : 64;
		struct snap_row *v = realloc(w->next.v, cap * sizeof *v);

		if (v == NULL)
			w->oom = true;
		else {
			w->next.v = v;
			w->next.cap = cap;
		}
	}
	if (!w->oom) {
		x = &w->next.v[w->next.n];
		x->report = malloc(r->len ? r->len : 1);
		if (x->report == NULL) {
			w->oom = true;
		} else {
			snprintf(x->host_id, sizeof x->host_id, "%s",
				 r->host_id);
			snprintf(x->cluster, sizeof x->cluster, "%s",
				 r->cluster);
			x->last_seq = r->last_seq;
			x->last_seen_ms = r->last_seen_ms;
			x->interval_s = r->interval_s;
			x->verdict = r->verdict;
			memcpy(x->report, r->report, r->len);
			x->len = r->len;
			w->next.n++;
		}
	}
	return w->cb(w->arg, r);
}

static int snap_walk(const struct snap *sn, const char *host_id,
		     coll_store_row_cb cb, void *arg)
{
	struct coll_store_row r;
	size_t i;
	int ret;

	for (i = 0; i < sn->n; i++) {
		const struct snap_row *x = &sn->v[i];

		if (host_id != NULL && strcmp(host_id, x->host_id) != 0)
			continue;
		r = (struct coll_store_row){
		    x->host_id,	   x->cluster, x->last_seq, x->last_seen_ms,
		    x->interval_s, x->verdict, x->report,   x->len};
		ret = cb(arg, &r);
		if (ret != 0 || host_id != NULL)
			return ret;
	}
	return host_id != NULL ? -ENOENT : 0;
}

int coll_store_each_host(struct coll_store *s, coll_store_row_cb cb, void *arg)
{
	struct walk w = {{0}, cb, arg, false};
	int rc;

	rc = seen(s, s->ops->each_host(s->b, walk_row, &w));
	if (rc == 0 && !w.oom) {
		snap_free(&s->last);
		s->last = w.next;
		return 0;
	}
	snap_free(&w.next);
	/* Rows already handed to cb before the failure are not handed
	 * twice: only a walk that failed at its start is answered from the
	 * last one. */
	if (rc == -EIO && s->stale && w.next.n == 0)
		return snap_walk(&s->last, NULL, cb, arg);
	return rc;
}

/* ---- the snapshot kept current by the fleet cache's partial reads ----
 *
 * The fleet cache (fleet_cache.c) walks every row only when many changed;
 * otherwise it lists the rows' columns and reads the changed rows one by
 * one.  Both keep the snapshot the newest known: a row read alone takes
 * its place in it, a host the columns no longer list leaves it. */

/* Index of host_id in sn (sorted, as every walk is), or where it goes. */
static size_t snap_find(const struct snap *sn, const char *id, bool *found)
{
	size_t lo = 0, hi = sn->n, mid;
	int d;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		d = strcmp(id, sn->v[mid].host_id);
		if (d == 0) {
			*found = true;
			return mid;
		}
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Without memory the snapshot keeps the older row: it is a fallback. */
static void snap_put(struct snap *sn, const struct coll_store_row *r)
{
	uint8_t *blob = malloc(r->len ? r->len : 1);
	struct snap_row *x;
	bool found;
	size_t i = snap_find(sn, r->host_id, &found);

	if (blob == NULL)
		return;
	if (!found && sn->n == sn->cap) {
		size_t cap = sn->cap ? 2 * sn->cap : 64;
		struct snap_row *v = realloc(sn->v, cap * sizeof *v);

		if (v == NULL) {
			free(blob);
			return;
		}
		sn->v = v;
		sn->cap = cap;
	}
	if (found) {
		free(sn->v[i].report);
	} else {
		memmove(&sn->v[i + 1], &sn->v[i], (sn->n - i) * sizeof *sn->v);
		sn->n++;
	}
	x = &sn->v[i];
	snprintf(x->host_id, sizeof x->host_id, "%s", r->host_id);
	snprintf(x->cluster, sizeof x->cluster, "%s", r->cluster);
	x->last_seq = r->last_seq;
	x->last_seen_ms = r->last_seen_ms;
	x->interval_s = r->interval_s;
	x->verdict = r->verdict;
	if (r->len)
		memcpy(blob, r->report, r->len);
	x->report = blob;
	x->len = r->len;
}

struct pass {
	struct snap *sn;
	bool *listed; /* meta walk: the snapshot's rows seen; NULL else */
	coll_store_row_cb cb;
	void *arg;
};

static int meta_row(void *arg, const struct coll_store_row *r)
{
	struct pass *p = arg;
	bool found;
	size_t i = snap_find(p->sn, r->host_id, &found);

	if (found)
		p->listed[i] = true;
	return p->cb(p->arg, r);
}

int coll_store_each_meta(struct coll_store *s, coll_store_row_cb cb, void *arg)
{
	struct pass p = {&s->last, calloc(s->last.n + 1, 1), cb, arg};
	size_t i, n = 0;
	int rc;

	if (p.listed == NULL)
		return -ENOMEM;
	rc = seen(s, s->ops->each_meta(s->b, meta_row, &p));
	for (i = 0; rc == 0 && i < s->last.n; i++) {
		if (!p.listed[i]) {
			free(s->last.v[i].report);
			continue;
		}
		s->last.v[n++] = s->last.v[i];
	}
	if (rc == 0)
		s->last.n = n;
	free(p.listed);
	return rc;
}

static int one_row(void *arg, const struct coll_store_row *r)
{
	struct pass *p = arg;

	snap_put(p->sn, r);
	return p->cb(p->arg, r);
}

int coll_store_get_host(struct coll_store *s, const char *host_id,
			coll_store_row_cb cb, void *arg)
{
	struct pass p = {&s->last, NULL, cb, arg};
	int rc = seen(s, s->ops->get_host(s->b, host_id, one_row, &p));

	if (rc == -EIO && s->stale)
		return snap_walk(&s->last, host_id, cb, arg);
	return rc;
}

int coll_store_history(struct coll_store *s, const char *kind,
		       const char *subject, int64_t limit, coll_history_cb cb,
		       void *arg)
{
	return seen(s, s->ops->history(s->b, kind, subject, limit, cb, arg));
}

int coll_store_forget(struct coll_store *s, const char *host_id)
{
	return seen(s, s->ops->forget(s->b, host_id));
}

/* FNV-1a over id, instance and severity of every check: most reports
 * repeat their predecessor's results, and then no check row is touched. */
int64_t coll_checks_sig(const struct check_results *c)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;
	size_t i;

	for (i = 0; c && i < c->n; i++) {
		for (p = (const unsigned char *)c->v[i].id; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
		for (p = (const unsigned char *)c->v[i].instance; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ (0x100u + (unsigned)c->v[i].sev)) * 1099511628211ULL;
	}
	return (int64_t)h;
}
