/* SPDX-License-Identifier: Apache-2.0 */
/* kcollectord's [fleet] section: the thresholds of the fleet checks,
 * named as kagentd names its own (kagent.conf's kafka.memory.warn_below
 * in [kafka]): the check's id, then the threshold.  One table gives the
 * key, its field and its range, for the file and for the reload's log. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "core.h"

static const struct fleet_key {
	const char *key;
	size_t offset;
	int64_t min, max;
	const char *unit; /* what the value counts, for the message */
} keys[] = {
    /* 0 turns the warning off; above 100 every broker would warn. */
    {"kafka.cluster.partition_skew.warn_below",
     offsetof(struct coll_fleet_thresholds, skew_below_pct), 0, 100,
     "a percentage of the median"},
    /* Fewer than one broker judges nothing; a replication factor above
     * a thousand is no Kafka deployment. */
    {"kafka.cluster.size.fail_below",
     offsetof(struct coll_fleet_thresholds, kafka_min_brokers), 1, 1000,
     "a count of brokers"},
};

static int64_t *field(struct coll_fleet_thresholds *th,
		      const struct fleet_key *k)
{
	return (int64_t *)((char *)th + k->offset);
}

static int64_t value(const struct coll_fleet_thresholds *th,
		     const struct fleet_key *k)
{
	return *(const int64_t *)((const char *)th + k->offset);
}

int coll_config_fleet_set(struct coll_config *cfg, const char *key,
			  const char *v, char *msg, size_t msglen)
{
	char num[32];
	size_t i, n = strlen(v);
	int64_t x;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(key, keys[i].key) != 0)
			continue;
		/* "50%" reads as 50 for the percentage. */
		if (n && v[n - 1] == '%' && n < sizeof num &&
		    keys[i].offset == offsetof(struct coll_fleet_thresholds,
					       skew_below_pct)) {
			memcpy(num, v, n - 1);
			num[n - 1] = '\0';
			v = num;
		}
		if (core_parse_i64(v, &x) < 0 || x < keys[i].min ||
		    x > keys[i].max) {
			snprintf(msg, msglen,
				 "'%s' must be %s from %lld to %lld, not '%s'",
				 key, keys[i].unit, (long long)keys[i].min,
				 (long long)keys[i].max, v);
			return 0;
		}
		*field(&cfg->fleet, &keys[i]) = x;
		return 1;
	}
	snprintf(msg, msglen,
		 "unknown key '%s' in [fleet] (valid: "
		 "kafka.cluster.partition_skew.warn_below, "
		 "kafka.cluster.size.fail_below)",
		 key);
	return 0;
}

int coll_config_fleet_diff(const struct coll_config *was,
			   const struct coll_config *now, char *out, size_t len)
{
	size_t i;
	int n = 0;

	if (len)
		out[0] = '\0';
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		n = coll_config_diff_add(
			out, len, n, keys[i].key,
			(long long)value(&was->fleet, &keys[i]),
			(long long)value(&now->fleet, &keys[i]));
	return n;
}
