/* SPDX-License-Identifier: Apache-2.0 */
/* The decoded-host cache (fleet_cache.h): a refresh walks the store's
 * columns, decodes what changed into a side list, and only then replaces
 * the hosts it kept, so that a failed refresh leaves the cache as it was. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_cache_int.h"

/* Up to this many changed hosts are read one by one; more in one walk of
 * every row: one round trip to PostgreSQL rather than one per host. */
#define FC_ONE_BY_ONE_MAX 32

int coll_fcache_new(struct coll_fleet_cache **out)
{
	struct coll_fleet_cache *c = calloc(1, sizeof *c);

	if (c == NULL)
		return -ENOMEM;
	c->r = malloc(sizeof *c->r);
	c->hosts = calloc(1, sizeof *c->hosts);
	c->series = calloc(1, sizeof *c->series);
	c->f.clusters = calloc(1, sizeof *c->f.clusters);
	if (c->r == NULL || c->hosts == NULL || c->series == NULL ||
	    c->f.clusters == NULL) {
		coll_fcache_free(c);
		return -ENOMEM;
	}
	proto_lists_init(&c->lists);
	coll_fleet_thresholds_default(&c->f.th);
	c->epoch = 1;
	*out = c;
	return 0;
}

static void clusters_free(struct coll_fleet_cache *c)
{
	for (size_t i = 0; c->cl && i < c->f.n_clusters; i++) {
		if (c->cl[i].kv_rc == 0)
			kafka_view_free(&c->cl[i].kv);
		check_results_free(&c->cl[i].judged);
	}
	free(c->cl);
	c->cl = NULL;
}

void coll_fcache_free(struct coll_fleet_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	fc_slice_drop(c);
	clusters_free(c);
	for (i = 0; i < c->f.n; i++) {
		kafka_share_free(c->f.v[i].kafka);
		coll_host_series_free(c->series[i]);
	}
	free(c->f.v);
	free(c->f.clusters);
	free(c->hosts);
	free(c->series);
	proto_lists_free(&c->lists);
	free(c->r);
	free(c);
}

static int meta_add(void *arg, const struct coll_store_row *row)
{
	struct fc_refresh *x = arg;
	struct fc_meta *m;

	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;

		m = reallocarray(x->m, cap, sizeof *m);
		if (m == NULL)
			return -ENOMEM;
		x->m = m;
		x->cap = cap;
	}
	m = &x->m[x->n++];
	snprintf(m->host_id, sizeof m->host_id, "%s", row->host_id);
	snprintf(m->cluster, sizeof m->cluster, "%s", row->cluster);
	m->seq = row->last_seq;
	m->seen_ms = row->last_seen_ms;
	m->interval_s = row->interval_s;
	m->verdict = row->verdict;
	return 0;
}

static int cmp_meta(const void *a, const void *b)
{
	return strcmp(((const struct fc_meta *)a)->host_id,
		      ((const struct fc_meta *)b)->host_id);
}

static int cmp_host(const void *key, const void *elem)
{
	return strcmp(key, ((const struct coll_fleet_host *)elem)->h.host_id);
}

/* Index of host_id in the cache, or -1. */
static ssize_t cache_find(const struct coll_fleet_cache *c, const char *id)
{
	/* bsearch is not given a NULL array, even of none. */
	const struct coll_fleet_host *h =
	    c->f.n ? bsearch(id, c->f.v, c->f.n, sizeof *c->f.v, cmp_host)
		   : NULL;

	return h ? h - c->f.v : -1;
}

/* The row's columns are those the cached host was decoded from. */
static bool unchanged(const struct coll_fleet_host *h, const struct fc_meta *m)
{
	return h->last_seq == m->seq && h->h.last_seen_ms == m->seen_ms &&
	       h->verdict == m->verdict && h->interval_s == m->interval_s &&
	       strcmp(h->h.cluster, m->cluster) == 0;
}

static struct fc_want *want_find(struct fc_refresh *x, const char *id)
{
	size_t lo = 0, hi = x->nw, mid;
	int d;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		d = strcmp(id, x->m[x->w[mid].j].host_id);
		if (d == 0)
			return &x->w[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A row of a wanted host: decoded with the row's own columns, which
 * belong with its report even when another collector wrote it after the
 * walk of the columns. */
int fc_decode_row(void *arg, const struct coll_store_row *row)
{
	struct fc_refresh *x = arg;
	struct coll_fleet_cache *c = x->c;
	struct fc_want *w = want_find(x, row->host_id);
	int rc;

	if (w == NULL || w->done)
		return 0;
	if (w->fh == NULL && (w->fh = calloc(1, sizeof *w->fh)) == NULL)
		return -ENOMEM;
	rc = coll_fleet_host_decode(row, c->r, &c->lists, x->now_ms, w->fh);
	if (rc >= 0)
		rc = coll_metrics_host_series(row->host_id, rc == 0 ? c->r : NULL,
					      &c->lists, &w->ser);
	if (rc < 0) {
		kafka_share_free(w->fh->kafka);
		w->fh->kafka = NULL;
		return rc;
	}
	w->done = true;
	c->st.decodes++;
	return 0;
}

int fc_decode_one(struct fc_refresh *x, struct coll_store *s, size_t i)
{
	int rc = coll_store_get_host(s, x->m[x->w[i].j].host_id,
				     fc_decode_row, x);

	/* Forgotten since the walk: dropped when applied. */
	return rc == -ENOENT ? 0 : rc;
}

static int decode_wanted(struct fc_refresh *x, struct coll_store *s)
{
	size_t i;
	int rc;

	if (x->nw > FC_ONE_BY_ONE_MAX)
		return coll_store_each_host(s, fc_decode_row, x);
	for (i = 0; i < x->nw; i++)
		if ((rc = fc_decode_one(x, s, i)) < 0)
			return rc;
	return 0;
}

static void wanted_free(struct fc_refresh *x)
{
	for (size_t i = 0; i < x->nw; i++) {
		if (x->w[i].done) {
			kafka_share_free(x->w[i].fh->kafka);
			coll_host_series_free(x->w[i].ser);
		}
		free(x->w[i].fh);
	}
	free(x->w);
	x->w = NULL;
	x->nw = 0;
}

/* The same hosts as cached, some of them changed: replaced in place. */
static bool same_hosts(const struct fc_refresh *x)
{
	const struct coll_fleet_cache *c = x->c;

	if (x->n != c->f.n)
		return false;
	for (size_t j = 0; j < x->n; j++)
		if (strcmp(x->m[j].host_id, c->f.v[j].h.host_id) != 0)
			return false;
	/* A wanted host forgotten between the two reads leaves a hole. */
	for (size_t i = 0; i < x->nw; i++)
		if (!x->w[i].done)
			return false;
	return true;
}

static void replace_in_place(struct fc_refresh *x)
{
	struct coll_fleet_cache *c = x->c;
	size_t i, j;

	for (i = 0; i < x->nw; i++) {
		j = x->w[i].j;
		kafka_share_free(c->f.v[j].kafka);
		coll_host_series_free(c->series[j]);
		c->f.v[j] = *x->w[i].fh;
		c->series[j] = x->w[i].ser;
		c->hosts[j] = c->f.v[j].h;
		x->w[i].done = false; /* now the cache's */
		free(x->w[i].fh);
		x->w[i].fh = NULL;
	}
}

/* Hosts came or went: the arrays are made anew from the columns' order,
 * the unchanged hosts moved over, the gone ones freed. */
static int rebuild(struct fc_refresh *x)
{
	struct coll_fleet_cache *c = x->c;
	struct coll_fleet_host *v = calloc(x->n + 1, sizeof *v);
	struct coll_host_series **ser = calloc(x->n + 1, sizeof *ser);
	struct coll_host *hosts = calloc(x->n + 1, sizeof *hosts);
	bool *kept = calloc(c->f.n + 1, sizeof *kept);
	size_t i, j, n = 0, wi = 0;
	ssize_t k;

	if (v == NULL || ser == NULL || hosts == NULL || kept == NULL) {
		free(v);
		free(ser);
		free(hosts);
		free(kept);
		return -ENOMEM;
	}
	for (j = 0; j < x->n; j++) {
		if (wi < x->nw && x->w[wi].j == j) {
			struct fc_want *w = &x->w[wi++];

			if (!w->done)
				continue; /* forgotten meanwhile */
			/* Replaced, not gone: not counted as dropped. */
			k = cache_find(c, x->m[j].host_id);
			if (k >= 0) {
				kafka_share_free(c->f.v[k].kafka);
				coll_host_series_free(c->series[k]);
				kept[k] = true;
			}
			v[n] = *w->fh;
			free(w->fh);
			w->fh = NULL;
			ser[n] = w->ser;
			w->done = false;
		} else {
			k = cache_find(c, x->m[j].host_id);
			v[n] = c->f.v[k];
			ser[n] = c->series[k];
			kept[k] = true;
		}
		hosts[n] = v[n].h;
		n++;
	}
	for (i = 0; i < c->f.n; i++)
		if (!kept[i]) {
			kafka_share_free(c->f.v[i].kafka);
			coll_host_series_free(c->series[i]);
			c->st.dropped++;
		}
	free(kept);
	free(c->f.v);
	free(c->series);
	free(c->hosts);
	c->f.v = v;
	c->f.n = n;
	c->series = ser;
	c->hosts = hosts;
	return 0;
}

/* Staleness at the time of this read, never kept from an earlier one. */
static void stale_update(struct coll_fleet_cache *c, int64_t now_ms)
{
	bool changed = false, st;

	for (size_t i = 0; i < c->f.n; i++) {
		st = coll_host_is_stale(c->f.v[i].h.last_seen_ms,
					c->f.v[i].interval_s, now_ms);
		if (st != c->f.v[i].h.stale) {
			c->f.v[i].h.stale = c->hosts[i].stale = st;
			changed = true;
		}
	}
	if (changed)
		c->epoch++;
}

/* A new generation: the clusters listed again, views and judgements
 * dropped to be made at their first use. */
static int generation(struct coll_fleet_cache *c)
{
	int rc;

	clusters_free(c);
	c->f.n_clusters = 0;
	rc = coll_fleet_clusters(&c->f);
	if (rc == 0) {
		c->cl = calloc(c->f.n_clusters + 1, sizeof *c->cl);
		if (c->cl == NULL)
			rc = -ENOMEM;
	}
	if (rc < 0) {
		c->f.n_clusters = 0;
		return rc;
	}
	for (size_t i = 0; i < c->f.n_clusters; i++)
		c->cl[i].kv_rc = 1;
	c->st.generation++;
	c->epoch++;
	return 0;
}

int fc_wanted(struct fc_refresh *x)
{
	struct coll_fleet_cache *c = x->c;
	size_t j;
	ssize_t k;

	x->w = calloc(x->n + 1, sizeof *x->w);
	if (x->w == NULL)
		return -ENOMEM;
	for (j = 0; j < x->n; j++) {
		k = cache_find(c, x->m[j].host_id);
		if (k < 0 || !unchanged(&c->f.v[k], &x->m[j]))
			x->w[x->nw++].j = j;
	}
	if (x->nw == 0 && x->n == c->f.n && c->cl != NULL)
		return 1; /* nothing new, nothing gone */
	return 0;
}

int fc_apply(struct fc_refresh *x, struct coll_store *s)
{
	int rc;

	/* Lost between the two reads: the rows came from the snapshot,
	 * which may lack new hosts; the cache stays as it was. */
	if (coll_store_stale(s))
		return -EIO;
	if (same_hosts(x))
		replace_in_place(x);
	else if ((rc = rebuild(x)) < 0)
		return rc;
	return generation(x->c);
}

int fc_walk(struct fc_refresh *x, struct coll_store *s)
{
	int rc;

	x->c->st.refreshes++;
	rc = coll_store_each_meta(s, meta_add, x);
	/* No hosts leaves x->m NULL, which qsort may not be given. */
	if (rc == 0 && x->n > 0)
		qsort(x->m, x->n, sizeof *x->m, cmp_meta);
	return rc;
}

void fc_refresh_free(struct fc_refresh *x)
{
	wanted_free(x);
	free(x->m);
	x->m = NULL;
	x->n = x->cap = 0;
}

int fc_finish(struct coll_fleet_cache *c, struct coll_store *s,
	      int64_t now_ms, int rc, const struct coll_fleet **out)
{
	/* The database out of reach: the hosts last read, marked stale. */
	if (rc == -EIO && coll_store_stale(s))
		rc = 0;
	if (rc < 0)
		return rc;
	c->f.stale = coll_store_stale(s);
	stale_update(c, now_ms);
	c->st.hosts = c->f.n;
	*out = &c->f;
	return 0;
}

int coll_fcache_refresh(struct coll_fleet_cache *c, struct coll_store *s,
			int64_t now_ms, const struct coll_fleet **out)
{
	struct fc_refresh x = {.c = c, .now_ms = now_ms};
	int rc;

	fc_slice_drop(c);
	rc = fc_walk(&x, s);
	if (rc == 0)
		rc = fc_wanted(&x);
	if (rc == 0)
		rc = decode_wanted(&x, s);
	if (rc == 0)
		rc = fc_apply(&x, s);
	fc_refresh_free(&x);
	return fc_finish(c, s, now_ms, rc < 0 ? rc : 0, out);
}

static int cmp_cluster(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

static struct fc_cluster *cluster_find(struct coll_fleet_cache *c,
				       const char *cluster)
{
	const char(*p)[64];

	if (c->cl == NULL)
		return NULL;
	p = bsearch(cluster, c->f.clusters, c->f.n_clusters,
		    sizeof c->f.clusters[0], cmp_cluster);
	return p ? &c->cl[p - c->f.clusters] : NULL;
}

int coll_fcache_view(struct coll_fleet_cache *c, const char *cluster,
		     const struct kafka_view **out)
{
	struct fc_cluster *cl = cluster_find(c, cluster);

	if (cl == NULL)
		return -ENOENT;
	if (cl->kv_rc == 1) {
		cl->kv_rc = kafka_view_build(&c->f, c->hosts, cluster, &cl->kv);
		c->st.views++;
	}
	*out = &cl->kv;
	return cl->kv_rc;
}

int coll_fcache_judge(struct coll_fleet_cache *c, const char *cluster,
		      const struct check_results **out)
{
	struct fc_cluster *cl = cluster_find(c, cluster);
	const struct kafka_view *kv;

	if (cl == NULL)
		return -ENOENT;
	if (cl->judged_epoch != c->epoch) {
		/* Without a view (no memory) the checks judge on the hosts'
		 * files. */
		if (coll_fcache_view(c, cluster, &kv) < 0)
			kv = NULL;
		cl->judged.n = 0;
		cl->judged_rc = coll_fleet_judge_kafka(
		    cluster, c->hosts, c->f.n, false, &c->f.th, kv, &cl->judged);
		cl->judged_epoch = c->epoch;
		c->st.judged++;
	}
	*out = &cl->judged;
	return cl->judged_rc;
}

