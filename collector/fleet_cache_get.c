/* SPDX-License-Identifier: Apache-2.0 */
/* What readers take from the decoded-host cache, and the thresholds its
 * judgements use. */
#include <string.h>

#include "fleet_cache_int.h"

const struct coll_host *coll_fcache_hosts(const struct coll_fleet_cache *c)
{
	return c->hosts;
}

/* kcollectord's [fleet], at start and after a reload: a change judges
 * every cluster again. */
void coll_fcache_thresholds(struct coll_fleet_cache *c,
			    const struct coll_fleet_thresholds *th)
{
	if (memcmp(&c->f.th, th, sizeof *th) == 0)
		return;
	c->f.th = *th;
	c->epoch++;
}

struct coll_host_series *const *
coll_fcache_series(const struct coll_fleet_cache *c)
{
	return c->series;
}

void coll_fcache_stats(const struct coll_fleet_cache *c,
		       struct coll_fcache_stats *out)
{
	*out = c->st;
}
