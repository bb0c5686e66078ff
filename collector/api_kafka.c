/* SPDX-License-Identifier: Apache-2.0 */
/* GET /api/clusters/CLUSTER/kafka: the cluster's Kafka view as JSON,
 * the one document the reassignment planner reads.  Unknown is null,
 * never 0 or -1; brokers by id, topics by name, partitions by id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "fleet_cache.h"
#include "kafka_view.h"

static const char *const state_name[] = {
    [KV_NONE] = "none", [KV_PARTIAL] = "partial", [KV_COMPLETE] = "complete"};

static json_t *num_or_null(int64_t v)
{
	return v == KV_UNKNOWN ? json_null() : json_integer(v);
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *ids(const int32_t *v, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *broker_json(const struct kv_broker *b)
{
	return json_pack("{s:i s:o s:o s:o s:b s:o s:o s:o}", "id", (int)b->id,
			 "host", str_or_null(b->host), "port",
			 b->port ? json_integer(b->port) : json_null(), "rack",
			 str_or_null(b->rack), "registered", b->registered,
			 "host_id",
			 b->agent ? json_string(b->agent->host_id) : json_null(),
			 "started_ms", num_or_null(b->started_ms),
			 "nic_speed_mbps", num_or_null(b->nic_speed_mbps));
}

static json_t *topic_json(const struct kafka_view *v, const struct kv_topic *t)
{
	json_t *as = json_array();
	int64_t rb = KV_UNKNOWN;

	for (size_t i = t->first; as && i < t->first + t->n; i++) {
		const struct kv_partition *p = &v->partitions[i];

		json_array_append_new(
		    as, json_pack("{s:i s:i s:o s:o}", "partition",
				  (int)p->partition, "leader", (int)p->leader,
				  "replicas", ids(p->replicas, p->n_replicas),
				  "isr", ids(p->isr, p->n_isr)));
	}
	if (t->bytes != KV_UNKNOWN && t->replicas_sized > 0)
		rb = t->bytes / t->replicas_sized;
	return json_pack(
	    "{s:s s:i s:i s:o s:o s:o s:o s:o s:o s:o s:I s:I s:I s:o}",
	    "name",
	    t->name, "partitions", (int)t->n_partitions, "replication_factor",
	    (int)t->replication_factor, "min_insync_replicas",
	    num_or_null(t->min_isr), "min_insync_replicas_source",
	    str_or_null(t->min_isr_source), "retention_ms",
	    num_or_null(t->retention_ms), "retention_bytes",
	    num_or_null(t->retention_bytes), "retention_source",
	    str_or_null(t->retention_source), "bytes", num_or_null(t->bytes),
	    "replica_bytes", num_or_null(rb), "under_replicated",
	    (json_int_t)t->under_replicated, "under_min_isr",
	    (json_int_t)t->under_min_isr, "offline", (json_int_t)t->offline,
	    "assignment", as);
}

json_t *coll_api_kafka_view(const struct kafka_view *v)
{
	json_t *bs = json_array(), *ts = json_array();
	size_t i;

	for (i = 0; bs && i < v->n_brokers; i++)
		json_array_append_new(bs, broker_json(&v->brokers[i]));
	for (i = 0; ts && i < v->n_topics; i++)
		json_array_append_new(ts, topic_json(v, &v->topics[i]));
	return json_pack("{s:s s:s s:s s:o s:o s:o s:o s:o s:o}", "cluster",
			 v->cluster, "state", state_name[v->state], "why",
			 v->why, "error", str_or_null(v->error), "fetched_ms",
			 num_or_null(v->fetched_ms), "controller",
			 v->controller >= 0 ? json_integer(v->controller)
					    : json_null(),
			 "cluster_id", str_or_null(v->cluster_id), "brokers",
			 bs, "topics", ts);
}

json_t *coll_api_kafka(struct coll_store *s, const char *cluster, int *status)
{
	struct coll_fleet_cache *c = coll_store_fleet_cache(s);
	const struct kafka_view *v;
	const struct coll_fleet *f;
	json_t *j;
	int rc;

	*status = 500;
	if (c == NULL || coll_fcache_refresh(c, s, coll_now_ms(), &f) < 0)
		return json_pack("{s:s}", "error", "cannot read the store");
	/* The view the judge reads too, built once per change. */
	rc = coll_fcache_view(c, cluster, &v);
	if (rc == -ENOENT) {
		*status = 404;
		return json_pack("{s:s}", "error", "no host in the cluster");
	}
	if (rc < 0)
		return json_pack("{s:s}", "error", "out of memory");
	j = coll_api_kafka_view(v);
	if (j)
		*status = 200;
	return j;
}
