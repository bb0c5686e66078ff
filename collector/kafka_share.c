/* SPDX-License-Identifier: Apache-2.0 */
/* One agent's share of the live Kafka metadata, out of its report's
 * nanopb structs into the compact form the view merges: a topic summary
 * on the wire holds two fixed string buffers (380 bytes); here it holds
 * its name only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "kafka_view.h"

static int64_t opt(bool has, int64_t v)
{
	return has ? v : KV_UNKNOWN;
}

static void ids(const int32_t *src, pb_size_t n, int32_t *dst, uint8_t *count)
{
	*count = (uint8_t)(n < KV_RF_MAX ? n : KV_RF_MAX);
	memcpy(dst, src, *count * sizeof *dst);
}

static int share_lists(const struct proto_lists *l, struct kv_share *s)
{
	const kagent_v1_KafkaBroker *b = l->kbrokers.v;
	const kagent_v1_KafkaTopic *t = l->ktopics.v;
	const kagent_v1_KafkaPartition *p = l->kparts.v;
	size_t i;

	s->brokers = calloc(l->kbrokers.n + 1, sizeof *s->brokers);
	s->topics = calloc(l->ktopics.n + 1, sizeof *s->topics);
	s->parts = calloc(l->kparts.n + 1, sizeof *s->parts);
	if (!s->brokers || !s->topics || !s->parts)
		return -ENOMEM;
	for (i = 0; i < l->kbrokers.n; i++) {
		struct kv_share_broker *o = &s->brokers[s->n_brokers++];

		o->id = b[i].id;
		snprintf(o->host, sizeof o->host, "%s", b[i].host);
		o->port = b[i].port;
		snprintf(o->rack, sizeof o->rack, "%s", b[i].rack);
	}
	for (i = 0; i < l->ktopics.n; i++) {
		struct kv_share_topic *o = &s->topics[s->n_topics];

		o->name = strdup(t[i].name);
		if (o->name == NULL)
			return -ENOMEM;
		s->n_topics++;
		o->partitions = t[i].partitions;
		o->replication_factor = t[i].replication_factor;
		o->min_isr = t[i].min_isr_from_topic
				 ? opt(t[i].has_min_insync_replicas,
				       t[i].min_insync_replicas)
				 : KV_UNKNOWN;
		o->retention_ms = opt(t[i].has_retention_ms, t[i].retention_ms);
		o->retention_bytes =
		    opt(t[i].has_retention_bytes, t[i].retention_bytes);
		o->local_bytes = opt(t[i].has_local_bytes, t[i].local_bytes);
		o->local_replicas =
		    t[i].has_local_replicas ? t[i].local_replicas : 0;
		o->under_replicated = t[i].under_replicated;
		o->under_min_isr = t[i].under_min_isr;
		o->offline = t[i].offline;
	}
	/* A partition naming a topic the list does not hold is dropped: the
	 * digest then tells the share is not whole. */
	for (i = 0; i < l->kparts.n; i++) {
		struct kv_partition *o = &s->parts[s->n_parts];

		if (p[i].topic >= s->n_topics)
			continue;
		s->n_parts++;
		o->topic = p[i].topic;
		o->partition = p[i].partition;
		o->leader = p[i].leader;
		ids(p[i].replicas, p[i].replicas_count, o->replicas,
		    &o->n_replicas);
		ids(p[i].isr, p[i].isr_count, o->isr, &o->n_isr);
	}
	return 0;
}

int kafka_share_from_report(const kagent_v1_KafkaLive *k,
			    const struct proto_lists *l, struct kv_share **out)
{
	struct kv_share *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return -ENOMEM;
	snprintf(s->error, sizeof s->error, "%s", k->error);
	s->fetched_ms = opt(k->has_fetched_ms, k->fetched_ms);
	s->controller = k->has_controller ? k->controller : -1;
	snprintf(s->cluster_id, sizeof s->cluster_id, "%s", k->cluster_id);
	s->broker_id_known = k->has_broker_id;
	s->broker_id = k->broker_id;
	s->digest = k->assignment_digest;
	s->count = k->assignment_count;
	s->full = k->assignment_full;
	snprintf(s->configs_error, sizeof s->configs_error, "%s",
		 k->configs_error);
	s->min_isr_default = opt(k->has_min_isr_default, k->min_isr_default);
	s->retention_ms_default =
	    opt(k->has_retention_ms_default, k->retention_ms_default);
	s->retention_bytes_default =
	    opt(k->has_retention_bytes_default, k->retention_bytes_default);
	s->started_ms = opt(k->has_broker_started_ms, k->broker_started_ms);
	/* The NIC carrying the broker's traffic, in the same report's
	 * inventory: its speed, or unknown. */
	s->nic_speed_mbps = KV_UNKNOWN;
	for (size_t i = 0; l && k->traffic_nic[0] && i < l->nics.n; i++) {
		const kagent_v1_Nic *n = &((const kagent_v1_Nic *)l->nics.v)[i];

		/* A link that is down says 0 or -1: no speed. */
		if (strcmp(n->name, k->traffic_nic) == 0 &&
		    n->has_speed_mbps && n->speed_mbps > 0)
			s->nic_speed_mbps = n->speed_mbps;
	}
	s->unchanged = k->assignment_unchanged;
	rc = l ? share_lists(l, s) : 0;
	if (rc < 0) {
		kafka_share_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void kafka_share_free(struct kv_share *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_topics; i++)
		free(s->topics[i].name);
	free(s->brokers);
	free(s->topics);
	free(s->parts);
	free(s);
}
