/* SPDX-License-Identifier: Apache-2.0 */
/* Report.kafka_live from the kept metadata, within its byte budget.
 *
 * Every broker's agent reads the same cluster-wide metadata, so each one
 * sends only its share: the summaries of the topics it holds a replica
 * of (and of any topic with an offline partition, which no leader
 * reports), and the partitions it leads (and the offline ones).  The
 * collector merges the shares (collector/kafka_view.c).  The digest
 * covers the whole share even when the budget clipped part of it, so the
 * collector can tell a clipped list from a complete one.
 *
 * The list goes whole only when it changed, on a new collector
 * connection and every KAFKA_WHOLE_EVERY-th report (kafka_delta_whole);
 * otherwise the report carries the digest and count alone, marked
 * assignment_unchanged, and the collector completes it from the last
 * whole list (collector/kafka_merge.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pb_encode.h>

#include "core.h"
#include "daemon.h"

/* A list item on the wire: its tag, its length (a varint of up to 3
 * bytes for an item below 2 MiB) and the item. */
static size_t item_size(const pb_msgdesc_t *fields, const void *item)
{
	size_t n = 0;

	if (!pb_get_encoded_size(&n, fields, item))
		return SIZE_MAX / 2;
	return 1 + 3 + n;
}

static bool has_replica(const struct kafka_meta_partition *p, int32_t id)
{
	for (unsigned i = 0; i < p->n_replicas; i++)
		if (p->replicas[i] == id)
			return true;
	return false;
}

static bool in_share(const struct kafka_meta_partition *p, int32_t id,
		     bool id_known)
{
	return p->leader < 0 || (id_known && p->leader == id);
}

static uint64_t digest_part(uint64_t d, const char *topic,
			    const struct kafka_meta_partition *p)
{
	d = core_fnv(d, topic, strlen(topic) + 1);
	d = core_fnv(d, &p->id, sizeof p->id);
	d = core_fnv(d, &p->leader, sizeof p->leader);
	d = core_fnv(d, &p->n_replicas, sizeof p->n_replicas);
	d = core_fnv(d, p->replicas, p->n_replicas * sizeof p->replicas[0]);
	d = core_fnv(d, &p->n_isr, sizeof p->n_isr);
	return core_fnv(d, p->isr, p->n_isr * sizeof p->isr[0]);
}

static void topic_counts(const struct kafka_meta *m,
			 const struct kafka_meta_topic *t, struct hw_num min_isr,
			 kagent_v1_KafkaTopic *kt)
{
	for (size_t j = t->first; j < t->first + t->n; j++) {
		const struct kafka_meta_partition *p = &m->parts[j];

		if (p->leader < 0)
			kt->offline++;
		if (p->n_isr < p->n_replicas)
			kt->under_replicated++;
		if (min_isr.known && p->n_isr < min_isr.v)
			kt->under_min_isr++;
	}
}

static void fill_topic(const struct kafka_meta *m,
		       const struct kafka_meta_topic *t,
		       const struct kafka_live_local *loc,
		       kagent_v1_KafkaTopic *kt)
{
	struct hw_num min_isr = t->min_isr.known ? t->min_isr : loc->min_isr;

	proto_str_set(kt->name, sizeof kt->name, t->name);
	proto_str_set(kt->error, sizeof kt->error, t->error);
	kt->partitions = (int32_t)t->n;
	kt->replication_factor = t->n ? m->parts[t->first].n_replicas : 0;
	proto_num_set(t->min_isr, &kt->has_min_insync_replicas,
		      &kt->min_insync_replicas);
	kt->min_isr_from_topic = t->min_isr.known;
	proto_num_set(t->retention_ms, &kt->has_retention_ms,
		      &kt->retention_ms);
	proto_num_set(t->retention_bytes, &kt->has_retention_bytes,
		      &kt->retention_bytes);
	/* A topic of the share without a directory here has none: 0 bytes
	 * in 0 replicas, a size, unlike log dirs that were not read. */
	if (loc->sizes) {
		const struct kafka_topic_size *sz =
		    kafka_topic_sizes_find(loc->sizes, t->name);

		kt->has_local_bytes = kt->has_local_replicas = true;
		kt->local_bytes = sz ? sz->bytes : 0;
		kt->local_replicas = sz ? sz->replicas : 0;
	}
	topic_counts(m, t, min_isr, kt);
}

static unsigned fill_brokers(const struct kafka_meta *m, struct proto_lists *l,
			     size_t *bytes)
{
	kagent_v1_KafkaBroker *b;
	unsigned clipped = 0;

	for (size_t i = 0; i < m->n_brokers; i++) {
		if (proto_list_add(&l->kbrokers, (void **)&b) < 0) {
			clipped++;
			continue;
		}
		b->id = m->brokers[i].id;
		clipped += proto_str_set(b->host, sizeof b->host,
					 m->brokers[i].host);
		b->port = m->brokers[i].port;
		*bytes += item_size(kagent_v1_KafkaBroker_fields, b);
	}
	return clipped;
}

/* The topics of this broker's share, then their partitions, while the
 * budget lasts. */
static void fill_share(const struct kafka_meta *m,
		       const struct kafka_live_local *loc,
		       kagent_v1_KafkaLive *out, struct proto_lists *l,
		       size_t bytes)
{
	uint64_t d = CORE_FNV_START;
	size_t i, j;

	for (i = 0; i < m->n_topics; i++) {
		const struct kafka_meta_topic *t = &m->topics[i];
		bool want = false;
		kagent_v1_KafkaTopic *kt;
		size_t sz, ti;

		for (j = t->first; j < t->first + t->n && !want; j++)
			want = in_share(&m->parts[j], loc->broker_id,
					loc->broker_id_known) ||
			       (loc->broker_id_known &&
				has_replica(&m->parts[j], loc->broker_id));
		if (!want)
			continue;
		for (j = t->first; j < t->first + t->n; j++)
			if (in_share(&m->parts[j], loc->broker_id,
				     loc->broker_id_known)) {
				d = digest_part(d, t->name, &m->parts[j]);
				out->assignment_count++;
			}
		if (proto_list_add(&l->ktopics, (void **)&kt) < 0) {
			out->clipped_topics++;
			continue;
		}
		fill_topic(m, t, loc, kt);
		sz = item_size(kagent_v1_KafkaTopic_fields, kt);
		if (bytes + sz > PROTO_KAFKA_BYTES_MAX) {
			l->ktopics.n--;
			out->clipped_topics++;
			continue;
		}
		bytes += sz;
		ti = l->ktopics.n - 1;
		for (j = t->first; j < t->first + t->n; j++) {
			const struct kafka_meta_partition *p = &m->parts[j];
			kagent_v1_KafkaPartition *kp;

			if (!in_share(p, loc->broker_id, loc->broker_id_known))
				continue;
			if (proto_list_add(&l->kparts, (void **)&kp) < 0) {
				out->clipped_partitions++;
				continue;
			}
			kp->topic = (uint32_t)ti;
			kp->partition = p->id;
			kp->leader = p->leader;
			kp->replicas_count = p->n_replicas;
			memcpy(kp->replicas, p->replicas,
			       p->n_replicas * sizeof p->replicas[0]);
			kp->isr_count = p->n_isr;
			memcpy(kp->isr, p->isr, p->n_isr * sizeof p->isr[0]);
			sz = item_size(kagent_v1_KafkaPartition_fields, kp);
			if (bytes + sz > PROTO_KAFKA_BYTES_MAX) {
				l->kparts.n--;
				out->clipped_partitions++;
				continue;
			}
			bytes += sz;
		}
	}
	out->assignment_digest = d;
	/* A topic clipped takes its partitions with it. */
	out->assignment_full =
	    out->clipped_partitions == 0 && out->clipped_topics == 0;
}

bool kafka_delta_whole(struct kafka_delta *d, uint64_t digest, uint32_t count,
		       bool clipped)
{
	if (d->sent && !clipped && d->digest == digest && d->count == count &&
	    d->conn_whole == d->conn && d->unchanged + 1 < KAFKA_WHOLE_EVERY) {
		d->unchanged++;
		return false;
	}
	/* A clipped list is sent every time: the collector's copy of it
	 * would be clipped too, and the digest cannot tell which part. */
	d->sent = !clipped;
	d->digest = digest;
	d->count = count;
	d->conn_whole = d->conn;
	d->unchanged = 0;
	return true;
}

/* The topics stay: their summaries are news every report. */
static void leave_list_out(kagent_v1_KafkaLive *out, struct proto_lists *l)
{
	l->kparts.n = 0;
	out->assignment_unchanged = true;
	/* "Not all of them here": a collector that does not know
	 * assignment_unchanged says the list is clipped, never complete. */
	out->assignment_full = false;
}

unsigned kafka_report_fill(const struct kafka_meta *m,
			   const struct async_seen *seen,
			   const struct kafka_live_local *loc,
			   struct kafka_delta *d, kagent_v1_KafkaLive *out,
			   struct proto_lists *l)
{
	size_t bytes = 0;
	unsigned clipped = 0;

	memset(out, 0, sizeof *out);
	out->has_broker_id = loc->broker_id_known;
	out->broker_id = loc->broker_id;
	/* No list now: the next one goes whole. */
	if (d && (m == NULL || m->error[0]))
		d->sent = false;
	if (m == NULL) {
		clipped += proto_str_set(out->error, sizeof out->error,
					 seen->why[0] ? seen->why
						      : "not probed yet");
		return clipped;
	}
	out->has_fetched_ms = true;
	out->fetched_ms = m->fetched_ms;
	if (m->error[0]) {
		clipped += proto_str_set(out->error, sizeof out->error,
					 m->error);
		return clipped;
	}
	out->has_controller = m->controller >= 0;
	out->controller = m->controller;
	clipped += proto_str_set(out->cluster_id, sizeof out->cluster_id,
				 m->cluster_id);
	clipped += fill_brokers(m, l, &bytes);
	fill_share(m, loc, out, l, bytes);
	if (d && !kafka_delta_whole(d, out->assignment_digest,
				    out->assignment_count,
				    !out->assignment_full))
		leave_list_out(out, l);
	return clipped + out->clipped_topics + out->clipped_partitions;
}
