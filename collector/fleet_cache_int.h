/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_cache_int.h — the decoded-host cache's own state, shared by
 * fleet_cache.c (refresh, views, judgements) and fleet_cache_get.c (what
 * readers take from it, and the thresholds it judges with).
 */
#ifndef KAGENT_FLEET_CACHE_INT_H
#define KAGENT_FLEET_CACHE_INT_H

#include "fleet_cache.h"

struct fc_cluster {
	struct kafka_view kv;
	int kv_rc; /* 1: not built in this generation */
	struct check_results judged;
	uint64_t judged_epoch; /* 0: not judged */
	int judged_rc;
};

struct coll_fleet_cache {
	struct coll_fleet f;
	struct coll_host *hosts;	  /* parallel to f.v */
	struct coll_host_series **series; /* parallel to f.v */
	struct fc_cluster *cl;		  /* parallel to f.clusters */
	/* Bumped by every change of the hosts or of a stale flag: a
	 * judgement of an older epoch is made again. */
	uint64_t epoch;
	kagent_v1_Report *r; /* scratch of the decoding */
	struct proto_lists lists;
	struct coll_fcache_stats st;
	struct fc_refresh *slice; /* a refresh in slices under way, or NULL */
};

struct fc_meta {
	char host_id[64];
	char cluster[64];
	uint64_t seq;
	int64_t seen_ms;
	uint32_t interval_s;
	int verdict;
};

/* A host to decode: m[j], then its decoded form once done. */
struct fc_want {
	size_t j;
	bool done;
	/* Allocated at its decoding: a list of every host of a large fleet
	 * is made at once, and holding a whole host in each entry made that
	 * list tens of megabytes to fault in before the first decode. */
	struct coll_fleet_host *fh;
	struct coll_host_series *ser;
};

/* The work of one refresh; a refresh in slices (fleet_cache_slice.c)
 * keeps it between its steps, with the next wanted host to decode. */
struct fc_refresh {
	struct coll_fleet_cache *c;
	int64_t now_ms;
	struct fc_meta *m;
	size_t n, cap;
	struct fc_want *w;
	size_t nw;
	size_t next;
};

/* fleet_cache.c, for the refresh in slices: the store's columns walked
 * into x->m, sorted by host id; */
int fc_walk(struct fc_refresh *x, struct coll_store *s);
/* the hosts whose row changed listed in x->w, or 1 when none did and
 * the cache already has every host; */
int fc_wanted(struct fc_refresh *x);
/* coll_store_get_host's callback that decodes a wanted host's row, and
 * the wanted host x->w[i] read and decoded with it (gone: 0); */
int fc_decode_row(void *arg, const struct coll_store_row *row);
int fc_decode_one(struct fc_refresh *x, struct coll_store *s, size_t i);
/* the decoded hosts made the cache's and a new generation begun; */
int fc_apply(struct fc_refresh *x, struct coll_store *s);
/* x's memory freed (not x); */
void fc_refresh_free(struct fc_refresh *x);
/* the end of every refresh: staleness for now_ms, the store's state. */
int fc_finish(struct coll_fleet_cache *c, struct coll_store *s,
	      int64_t now_ms, int rc, const struct coll_fleet **out);
/* fleet_cache_slice.c: a refresh in slices dropped, as a whole refresh
 * does before it starts (what it decodes is newer). */
void fc_slice_drop(struct coll_fleet_cache *c);
#endif
