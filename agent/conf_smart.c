/* SPDX-License-Identifier: Apache-2.0 */
/* [smart] of kagent.conf: how long an answer of a disk behind a RAID
 * controller is kept, and how long one smartctl run may take. */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "core.h"

/* A day bounds the cache, as every interval; two minutes a run: past
 * that a disk is not answering, and the prober's own deadline
 * ([agent] prober_timeout) must stay above it. */
#define RAID_CACHE_MAX_S 86400
#define TIMEOUT_MAX_S	 120

static int seconds(int64_t *dst, const char *k, const char *v, int64_t min,
		   int64_t max, char *msg, size_t cap)
{
	int64_t n;

	if (core_parse_i64(v, &n) < 0 || n < min || n > max) {
		snprintf(msg, cap, "'%s' must be seconds from %lld to %lld, "
				   "not '%s'",
			 k, (long long)min, (long long)max, v);
		return 0;
	}
	*dst = n;
	return 1;
}

int conf_smart_key(struct conf_smart *s, const char *k, const char *v,
		   char *msg, size_t cap)
{
	if (!strcmp(k, "raid_cache"))
		return seconds(&s->raid_cache_s, k, v, 0, RAID_CACHE_MAX_S,
			       msg, cap);
	if (!strcmp(k, "timeout"))
		return seconds(&s->timeout_s, k, v, 1, TIMEOUT_MAX_S, msg,
			       cap);
	return -1;
}
