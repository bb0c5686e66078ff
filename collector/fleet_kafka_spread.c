/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How a Kafka cluster's replicas spread, from the brokers' metadata: over
 * brokers (kafka.cluster.partition_skew, the counts a broker really
 * holds and leads, where partition directories only show what its disks
 * hold) and over racks (kafka.partitions.rack_spread: the replicas of one
 * partition, which broker.rack in server.properties only promises).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_int.h"

#define NAMES_LEN 160

struct spread {
	const struct kv_broker *b;
	int64_t replicas, leaders;
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median_of(int64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_i64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct spread *spread_find(struct spread *s, size_t n, int32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].b->id == id)
			return &s[i];
	return NULL;
}

/* The registered brokers with the replicas and leaderships the
 * assignment gives them; a broker out of the metadata leads nothing and
 * says nothing of its share, kafka.upgrade.next names it instead. */
static int spread_count(const struct kafka_view *kv, struct spread **out,
			size_t *n)
{
	struct spread *s, *x;
	size_t i, j;

	*n = 0;
	s = calloc(kv->n_brokers ? kv->n_brokers : 1, sizeof *s);
	if (s == NULL)
		return -ENOMEM;
	for (i = 0; i < kv->n_brokers; i++)
		if (kv->brokers[i].registered)
			s[(*n)++].b = &kv->brokers[i];
	for (i = 0; i < kv->n_partitions; i++) {
		const struct kv_partition *p = &kv->partitions[i];

		for (j = 0; j < p->n_replicas && j < KV_RF_MAX; j++)
			if ((x = spread_find(s, *n, p->replicas[j])) != NULL)
				x->replicas++;
		if ((x = spread_find(s, *n, p->leader)) != NULL)
			x->leaders++;
	}
	*out = s;
	return 0;
}

static bool below(int64_t c, int64_t median, int64_t pct)
{
	/* doubles: exact for any partition count a cluster can hold */
	return (double)c * 100.0 < (double)pct * (double)median ||
	       (c == 0 && median > 0);
}

static int skew_one(const struct fleet_view *v, const struct spread *s,
		    int64_t med_r, int64_t med_l, const char *required,
		    struct check_results *out)
{
	const char *id = "kafka.cluster.partition_skew";
	int64_t pct = v->th->skew_below_pct;
	char name[320], inst[64], measured[96];

	fleet_kafka_broker_name(v->kafka, s->b->id, name, sizeof name);
	if (s->b->agent != NULL)
		snprintf(inst, sizeof inst, "%s", s->b->agent->host_id);
	else
		snprintf(inst, sizeof inst, "broker %d", (int)s->b->id);
	snprintf(measured, sizeof measured, "%lld replicas, %lld leaders",
		 (long long)s->replicas, (long long)s->leaders);
	if (below(s->replicas, med_r, pct))
		return check_add(out, id, inst, SEV_WARN, measured, required,
				 "%s holds %lld partition replicas, the median "
				 "is %lld (live metadata): Kafka places only "
				 "new topics on it; reassign existing "
				 "partitions by hand, one topic at a time, "
				 "ideally after shrinking partitions "
				 "(retention)",
				 name, (long long)s->replicas,
				 (long long)med_r);
	return check_add(out, id, inst, SEV_WARN, measured, required,
			 "%s leads %lld partitions, the median is %lld (live "
			 "metadata): leadership has not come back to it; run "
			 "a preferred leader election",
			 name, (long long)s->leaders, (long long)med_l);
}

int fleet_check_kafka_skew_meta(const struct fleet_view *v,
				struct check_results *out)
{
	const char *id = "kafka.cluster.partition_skew";
	int64_t pct = v->th->skew_below_pct, med_r, med_l, *tmp;
	char measured[96], required[96];
	struct spread *s;
	size_t n, i, warned = 0;
	int rc;

	rc = spread_count(v->kafka, &s, &n);
	if (rc)
		return rc;
	if (n < 2) {
		rc = check_add(out, id, NULL, SEV_UNKNOWN, "", "",
			       "%zu registered broker%s in the live metadata: "
			       "nothing to compare",
			       n, n == 1 ? "" : "s");
		goto out_free;
	}
	tmp = calloc(n, sizeof *tmp);
	if (tmp == NULL) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < n; i++)
		tmp[i] = s[i].replicas;
	med_r = median_of(tmp, n);
	for (i = 0; i < n; i++)
		tmp[i] = s[i].leaders;
	med_l = median_of(tmp, n);
	free(tmp);
	snprintf(required, sizeof required,
		 "%lld%% of median %lld replicas, %lld leaders",
		 (long long)pct, (long long)med_r, (long long)med_l);
	for (i = 0; rc == 0 && i < n; i++) {
		if (!below(s[i].replicas, med_r, pct) &&
		    !below(s[i].leaders, med_l, pct))
			continue;
		warned++;
		rc = skew_one(v, &s[i], med_r, med_l, required, out);
	}
	if (rc == 0 && warned == 0) {
		snprintf(measured, sizeof measured,
			 "median %lld replicas, %lld leaders", (long long)med_r,
			 (long long)med_l);
		rc = check_add(out, id, NULL, SEV_PASS, measured, required,
			       "every broker holds at least %lld%% of the "
			       "median of %lld partition replicas and %lld "
			       "leaderships (live metadata)",
			       (long long)pct, (long long)med_r,
			       (long long)med_l);
	}
out_free:
	free(s);
	return rc;
}

/* Two replicas of p in one rack; 0 no, 1 yes, -1 a rack unknown.  `rack`
 * gets the shared rack. */
static int rack_shared(const struct kafka_view *kv, const struct kv_partition *p,
		       const char **rack)
{
	const struct kv_broker *a, *b;
	size_t i, j;

	for (i = 0; i < p->n_replicas && i < KV_RF_MAX; i++) {
		a = kafka_view_broker(kv, p->replicas[i]);
		if (a == NULL || a->rack[0] == '\0')
			return -1;
		for (j = 0; j < i; j++) {
			b = kafka_view_broker(kv, p->replicas[j]);
			if (strcmp(a->rack, b->rack) == 0) {
				*rack = a->rack;
				return 1;
			}
		}
	}
	return 0;
}

static size_t rack_count(const struct kafka_view *kv)
{
	size_t i, j, n = 0;

	for (i = 0; i < kv->n_brokers; i++) {
		if (kv->brokers[i].rack[0] == '\0')
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(kv->brokers[j].rack, kv->brokers[i].rack) ==
			    0)
				break;
		n += j == i;
	}
	return n;
}

int fleet_check_kafka_rack_spread(const struct fleet_view *v,
				  struct check_results *out)
{
	const char *id = "kafka.partitions.rack_spread";
	const struct kafka_view *kv = v->kafka;
	char names[NAMES_LEN] = "", item[240], tp[160], measured[96],
	    part[600];
	size_t i, racks, shared = 0, unknown = 0, judged = 0;

	if (!fleet_kafka_known(v))
		return fleet_kafka_no_view(v, id, out);
	racks = rack_count(kv);
	fleet_kafka_partial(v, part, sizeof part);
	for (i = 0; i < kv->n_partitions; i++) {
		const struct kv_partition *p = &kv->partitions[i];
		const char *rack = NULL;
		int r;

		r = rack_shared(kv, p, &rack);
		unknown += r < 0;
		/* fewer racks than replicas: sharing one cannot be helped */
		if (r < 0 || p->n_replicas > racks)
			continue;
		judged++;
		if (r == 0)
			continue;
		shared++;
		fleet_kafka_tp(kv, p, tp, sizeof tp);
		snprintf(item, sizeof item, "%s (rack %s)", tp, rack);
		fleet_names_add(names, sizeof names, item);
	}
	snprintf(measured, sizeof measured, "%zu sharing a rack", shared);
	if (shared)
		return check_add(out, id, NULL, SEV_WARN, measured,
				 "replicas in distinct racks",
				 "%zu partition%s keep two replicas in one "
				 "rack although the cluster has %zu racks: "
				 "%s%s",
				 shared, shared == 1 ? "" : "s", racks, names,
				 part);
	if (unknown || racks == 0)
		return check_add(out, id, NULL, SEV_UNKNOWN, measured,
				 "replicas in distinct racks",
				 "%zu partition%s have a replica on a broker "
				 "whose rack is unknown (neither broker.rack "
				 "nor kagent.conf)%s",
				 unknown, unknown == 1 ? "" : "s", part);
	if (kv->state == KV_PARTIAL)
		return check_add(out, id, NULL, SEV_UNKNOWN, measured,
				 "replicas in distinct racks",
				 "no known partition keeps two replicas in one "
				 "rack, but the view is partial: %s",
				 kv->why);
	if (judged == 0)
		return check_add(out, id, NULL, SEV_INFO, measured,
				 "replicas in distinct racks",
				 "every partition has more replicas than the "
				 "cluster has racks (%zu): none can be spread "
				 "over distinct racks",
				 racks);
	return check_add(out, id, NULL, SEV_PASS, measured,
			 "replicas in distinct racks",
			 "the replicas of each of %zu partitions sit in "
			 "distinct racks (%zu racks)%s",
			 judged, racks,
			 judged < kv->n_partitions
			     ? "; partitions with more replicas than racks "
			       "are not judged"
			     : "");
}
