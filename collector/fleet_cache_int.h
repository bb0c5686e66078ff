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
};

#endif
