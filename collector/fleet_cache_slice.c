/* SPDX-License-Identifier: Apache-2.0 */
/* The decoded-host cache's refresh in slices (coll_fcache_slice): the
 * judge's refresh spread over loop turns.  Decoding every changed host of
 * a large fleet at once held the loop for as long as it took (hundreds of
 * milliseconds for 10 000 changed hosts here), and every ack waiting
 * behind it was that late.  Here the columns are walked once, then the changed hosts are
 * decoded a few at a time, and the cache changes only when all are done,
 * exactly as a whole refresh would change it.
 *
 * A whole refresh (a reader's) drops a slice under way: it decodes
 * everything itself, and newer rows than the slice read.  The next slice
 * then starts again and finds little or nothing to decode. */
#include <errno.h>
#include <stdlib.h>

#include "fleet_cache_int.h"

void fc_slice_drop(struct coll_fleet_cache *c)
{
	if (c->slice == NULL)
		return;
	fc_refresh_free(c->slice);
	free(c->slice);
	c->slice = NULL;
}

/* The walk of the columns and the list of changed hosts: 1 when nothing
 * changed. */
static int slice_begin(struct coll_fleet_cache *c, struct coll_store *s,
		       int64_t now_ms)
{
	struct fc_refresh *x = calloc(1, sizeof *x);
	int rc;

	if (x == NULL)
		return -ENOMEM;
	x->c = c;
	x->now_ms = now_ms;
	c->slice = x;
	rc = fc_walk(x, s);
	if (rc == 0)
		rc = fc_wanted(x);
	return rc;
}

int coll_fcache_slice(struct coll_fleet_cache *c, struct coll_store *s,
		      int64_t now_ms, uint64_t budget_ns,
		      const struct coll_fleet **out)
{
	uint64_t t0 = uv_hrtime();
	struct fc_refresh *x;
	int rc = 0;

	if (c->slice == NULL) {
		rc = slice_begin(c, s, now_ms);
		if (rc != 0)
			goto done;
	}
	x = c->slice;
	x->now_ms = now_ms;
	/* At least one host a step, so that a zero budget still ends. */
	while (x->next < x->nw) {
		rc = fc_decode_one(x, s, x->next);
		if (rc < 0)
			goto done;
		x->next++;
		if (uv_hrtime() - t0 >= budget_ns)
			break;
	}
	if (x->next < x->nw)
		return 1;
	rc = fc_apply(x, s);
done:
	fc_slice_drop(c);
	return fc_finish(c, s, now_ms, rc < 0 ? rc : 0, out);
}
