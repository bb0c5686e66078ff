/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_cache.h — every stored host decoded once, for the views.
 *
 * The judge, /api/fleet, /api/clusters/CLUSTER/kafka and /metrics read the
 * whole fleet.  Instead of decoding every stored report on each read, the
 * cache keeps each host decoded (struct coll_fleet_host, its Kafka share
 * and its /metrics series) with the row's last_seq and last_seen_ms.  A
 * refresh asks the store only for the rows' columns (coll_store_each_meta)
 * and decodes again only the hosts whose seq or last_seen changed, or that
 * are new; hosts no longer stored are dropped.  The store is the truth:
 * rows another collector wrote to a shared PostgreSQL database are seen
 * like this collector's own.
 *
 * Each change starts a generation.  The Kafka view of a cluster is built
 * at most once per generation and shared read-only by every reader; the
 * cluster's fleet checks are judged again only after a change of the hosts
 * or of their staleness.  Staleness depends on the time of the read and is
 * computed at each refresh, never kept from one to the next.
 *
 * Single-threaded, like the loop that owns it: what a refresh hands out is
 * valid until the next refresh.
 */
#ifndef KAGENT_FLEET_CACHE_H
#define KAGENT_FLEET_CACHE_H

#include <stdint.h>

#include "collector.h"
#include "kafka_view.h"

struct coll_fleet_cache;

struct coll_fcache_stats {
	uint64_t refreshes;  /* walks of the store's columns */
	uint64_t decodes;    /* reports decoded */
	uint64_t dropped;    /* hosts gone from the store */
	uint64_t generation; /* changes of the hosts seen */
	uint64_t views;	     /* Kafka views built */
	uint64_t judged;     /* cluster judgements made */
	size_t hosts;
};

int coll_fcache_new(struct coll_fleet_cache **out);
void coll_fcache_free(struct coll_fleet_cache *c);

/* Brings c to the store's rows and sets every host's stale flag for
 * now_ms; *out is the fleet, sorted by host id.  While the store cannot
 * be reached (coll_store_stale) the hosts last read are kept and the fleet
 * is marked stale.  -ENOMEM, -EIO (c is then unchanged). */
int coll_fcache_refresh(struct coll_fleet_cache *c, struct coll_store *s,
			int64_t now_ms, const struct coll_fleet **out);
/* The same refresh in steps of about budget_ns each (at least one host
 * decoded a step), for the judge: 1 while hosts are left to decode (call
 * again, with the time of that call), then what coll_fcache_refresh
 * returns.  The cache changes only at the last step; a whole refresh in
 * between drops the steps made, and the next call starts again. */
int coll_fcache_slice(struct coll_fleet_cache *c, struct coll_store *s,
		      int64_t now_ms, uint64_t budget_ns,
		      const struct coll_fleet **out);
/* The hosts as coll_fleet_judge takes them: parallel to the fleet's v. */
const struct coll_host *coll_fcache_hosts(const struct coll_fleet_cache *c);
/* The thresholds the clusters are judged with (the defaults until set):
 * kcollectord's [fleet], at start and after a reload.  A change makes
 * every cluster judged again. */
void coll_fcache_thresholds(struct coll_fleet_cache *c,
			    const struct coll_fleet_thresholds *th);
/* Their /metrics series (coll_metrics_host_series), parallel to v. */
struct coll_host_series *const *
coll_fcache_series(const struct coll_fleet_cache *c);
/* The Kafka view of a cluster of the fleet, built once per generation.
 * -ENOENT for a cluster no host names, -ENOMEM. */
int coll_fcache_view(struct coll_fleet_cache *c, const char *cluster,
		     const struct kafka_view **out);
/* The cluster's fleet checks (coll_fleet_judge_kafka with its view, or
 * without one when it could not be built).  -ENOENT, -ENOMEM. */
int coll_fcache_judge(struct coll_fleet_cache *c, const char *cluster,
		      const struct check_results **out);
void coll_fcache_stats(const struct coll_fleet_cache *c,
		       struct coll_fcache_stats *out);

/* store.c: the store's own cache, which every view of the collector
 * shares; made at first use, NULL without memory. */
struct coll_fleet_cache *coll_store_fleet_cache(struct coll_store *s);

#endif
