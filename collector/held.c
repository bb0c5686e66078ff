/* Bytes of partial frames the collector holds for its peers.  A frame
 * may be 1 MiB and the framer allocates it whole once its first payload
 * bytes arrive, so without a bound a few hundred connections that never
 * finish a frame hold hundreds of MiB.  An agent sends one frame at a
 * time on one connection: the bound per identity is a few frames, the
 * total one is the fleet's share of memory. */
#include <errno.h>
#include <string.h>

#include "coll_limits.h"

#define HELD_BUCKETS 256

int coll_held_init(struct coll_held *h, uint64_t max_total,
		   uint64_t max_per_id)
{
	memset(h, 0, sizeof *h);
	h->max_total = max_total;
	h->max_per_id = max_per_id;
	return coll_tally_init(&h->by_id, HELD_BUCKETS);
}

void coll_held_free(struct coll_held *h)
{
	coll_tally_free(&h->by_id);
}

int coll_held_set(struct coll_held *h, const char *id, uint64_t *mine,
		  uint64_t now_bytes)
{
	size_t len = strnlen(id, COLL_TALLY_KEY_MAX);
	int64_t delta = (int64_t)now_bytes - (int64_t)*mine;
	uint64_t of_id = 0;
	int r;

	if (delta == 0)
		return 0;
	r = coll_tally_add(&h->by_id, id, len, delta, &of_id);
	if (r < 0)
		return now_bytes == 0 ? 0 : r;
	h->total = h->total + now_bytes - *mine;
	*mine = now_bytes;
	if (now_bytes == 0)
		return 0;
	if (h->total > h->max_total)
		return -ENOSPC;
	if (of_id > h->max_per_id)
		return -EDQUOT;
	return 0;
}
