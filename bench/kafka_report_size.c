/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kafka_report_size — the Kafka part of kagentd's report, and the
 * collector's view, for the design's cluster shape.
 *
 *   kafka_report_size [--brokers N] [--topics N] [--partitions N]
 *                     [--rf N] [--racks N] [--root DIR]
 *
 * Defaults: 50 brokers, 2 000 topics of 50 partitions (100 000), RF 3,
 * 5 racks.  The metadata is synthesised as a struct kafka_meta, as
 * kafka_live_fetch would leave it: brokers ordered rack by rack in turn,
 * replicas on consecutive brokers of that order (so on distinct racks),
 * leaders spread evenly, every ISR whole, min.insync.replicas and
 * retention known for every topic.
 *
 * Agent side: for each broker, kafka_report_fill (kagentd's own code)
 * and the Report encoded with the inventory of --root (the host-broker
 * fixture by default), as kagentd stores and sends it; prints the Kafka
 * part's bytes and the whole report's, and beside them the size of one
 * MetadataResponse (v12) for the same cluster, from the Kafka protocol's
 * field sizes: what each agent's librdkafka receives every
 * metadata_interval.
 *
 * Collector side: the 50 stored reports decoded as kcollectord decodes
 * them (coll_report_decode, kafka_share_from_report), then
 * kafka_view_build once: malloc'd bytes (mallinfo2) and RSS before and
 * after, and the CPU time of each step.  No figure is asserted.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pb_encode.h>

#include "agent.h"
#include "collector.h"
#include "daemon.h"
#include "kafka_view.h"
#include "proto.h"
#include "proto_fill.h"

#define FETCHED_MS INT64_C(1764000000000)

struct shape {
	int brokers, topics, partitions, rf, racks;
};

/* Broker ids 1..n, in rack-alternating order: position i is on rack
 * i % racks, as Kafka's rack-aware assignment orders them. */
static int32_t broker_at(const struct shape *s, int i)
{
	int per_rack = s->brokers / s->racks;

	return (int32_t)((i % s->racks) * per_rack + (i / s->racks) % per_rack +
			 1);
}

/* kafka_meta_free is kagent_kafka_live's, which links librdkafka; the
 * three arrays are all a synthesised kafka_meta holds. */
static void meta_free(struct kafka_meta *m)
{
	free(m->brokers);
	free(m->topics);
	free(m->parts);
	memset(m, 0, sizeof *m);
}

static int meta_make(const struct shape *s, struct kafka_meta *m)
{
	size_t t, p, n = (size_t)s->topics * (size_t)s->partitions;
	int i;

	memset(m, 0, sizeof *m);
	m->fetched_ms = FETCHED_MS;
	m->controller = 1;
	snprintf(m->cluster_id, sizeof m->cluster_id,
		 "Mk3OEYBSD34fcwNTJENDM2Qk");
	m->brokers = calloc((size_t)s->brokers, sizeof *m->brokers);
	m->topics = calloc((size_t)s->topics, sizeof *m->topics);
	m->parts = calloc(n, sizeof *m->parts);
	if (!m->brokers || !m->topics || !m->parts)
		return -ENOMEM;
	for (i = 0; i < s->brokers; i++) {
		m->brokers[i].id = i + 1;
		snprintf(m->brokers[i].host, sizeof m->brokers[i].host,
			 "kafka%02d.dc1.example.com", i + 1);
		m->brokers[i].port = 9092;
	}
	m->n_brokers = (size_t)s->brokers;
	for (t = 0; t < (size_t)s->topics; t++) {
		struct kafka_meta_topic *tp = &m->topics[t];

		snprintf(tp->name, sizeof tp->name,
			 "orders.service-%04zu.events", t);
		tp->min_isr = (struct hw_num){.known = true, .v = 2};
		tp->retention_ms =
		    (struct hw_num){.known = true, .v = 604800000};
		tp->retention_bytes = (struct hw_num){.known = true, .v = -1};
		tp->first = t * (size_t)s->partitions;
		tp->n = (size_t)s->partitions;
		for (p = 0; p < (size_t)s->partitions; p++) {
			struct kafka_meta_partition *kp =
			    &m->parts[tp->first + p];
			int start = (int)((t * (size_t)s->partitions + p) %
					  (size_t)s->brokers);

			kp->id = (int32_t)p;
			kp->n_replicas = kp->n_isr = (uint8_t)s->rf;
			for (i = 0; i < s->rf; i++)
				kp->replicas[i] = kp->isr[i] =
				    broker_at(s, (start + i) % s->brokers);
			kp->leader = kp->replicas[0];
		}
	}
	m->n_topics = (size_t)s->topics;
	m->n_parts = n;
	return 0;
}

/* A varint's bytes (Kafka's compact lengths are unsigned varints). */
static size_t uvarint(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* MetadataResponse v12 (KIP-516 topic ids, flexible versions) for every
 * topic, from the protocol's field sizes: the response header (correlation
 * id, tagged fields) and body. */
static size_t metadata_response_size(const struct kafka_meta *m, int rf)
{
	size_t n = 4 + 1, i, part;

	n += 4; /* throttle_time_ms */
	n += uvarint(m->n_brokers + 1);
	for (i = 0; i < m->n_brokers; i++)
		n += 4 + uvarint(strlen(m->brokers[i].host) + 1) +
		     strlen(m->brokers[i].host) + 4 + 1 /* rack: null */ + 1;
	n += 1 + 24 /* cluster_id */ + 4 /* controller_id */;
	/* error, index, leader, leader epoch, replicas, isr, offline
	 * replicas (empty), tagged fields */
	part = 2 + 4 + 4 + 4 + 2 * (uvarint((size_t)rf + 1) + 4 * (size_t)rf) +
	       1 + 1;
	n += uvarint(m->n_topics + 1);
	for (i = 0; i < m->n_topics; i++) {
		size_t len = strlen(m->topics[i].name);

		n += 2 + uvarint(len + 1) + len + 16 /* topic id */ +
		     1 /* is_internal */ + uvarint(m->topics[i].n + 1) +
		     m->topics[i].n * part + 4 /* authorized operations */ + 1;
	}
	return n + 1; /* the body's tagged fields */
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long status_kib(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, strlen(key)) == 0 &&
		    line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* One list's bytes on the wire: each item's tag, length and body. */
static size_t list_bytes(const struct proto_list *pl)
{
	size_t i, sum = 0, n;

	for (i = 0; i < pl->n; i++) {
		n = 0;
		pb_get_encoded_size(&n, pl->fields,
				    (const char *)pl->v + i * pl->size);
		sum += 1 + uvarint(n) + n;
	}
	return sum;
}

static void lists_print(const struct proto_lists *l)
{
	printf("Kafka part of broker 1 by list: %zu brokers %zu bytes, %zu "
	       "topic summaries %zu bytes (%.1f a topic), %zu partitions "
	       "%zu bytes (%.1f a partition)\n",
	       l->kbrokers.n, list_bytes(&l->kbrokers), l->ktopics.n,
	       list_bytes(&l->ktopics),
	       (double)list_bytes(&l->ktopics) / (double)l->ktopics.n,
	       l->kparts.n, list_bytes(&l->kparts),
	       (double)list_bytes(&l->kparts) / (double)l->kparts.n);
}

/* One broker's Report: the fixture's inventory and its Kafka share,
 * encoded into *out (malloc'd).  The Kafka part's size in *kafka. */
static int report_encode(const struct kafka_meta *m,
			 const struct inventory *inv, int32_t id, uint8_t **out,
			 size_t *len, size_t *kafka, size_t *parts)
{
	struct kafka_live_local loc = {.broker_id = id,
				       .broker_id_known = true};
	struct async_seen seen = {0};
	kagent_v1_Report *r = calloc(1, sizeof *r);
	struct proto_lists l;
	unsigned clipped = 0;
	pb_ostream_t os;
	int rc = -ENOMEM;

	proto_lists_init(&l);
	*out = malloc(PROTO_FRAME_MAX);
	if (r == NULL || *out == NULL)
		goto out_free;
	snprintf(r->host_id, sizeof r->host_id, "kafka%02d.dc1.example.com",
		 (int)id);
	snprintf(r->cluster, sizeof r->cluster, "dc1");
	r->roles_count = 1;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->seq = 1;
	r->report_interval_s = 60;
	rc = proto_fill_inventory(&inv->cpu, &inv->memory, &inv->nics,
				  &inv->disks, &r->inventory, &l, &clipped);
	if (rc < 0)
		goto out_free;
	r->has_kafka_live = true;
	clipped = kafka_report_fill(m, &seen, &loc, NULL, &r->kafka_live, &l);
	if (clipped)
		fprintf(stderr,
			"kafka_report_size: broker %d: %u items clipped\n",
			(int)id, clipped);
	/* Bound last: kafka_report_fill zeroes kafka_live, callbacks too. */
	proto_report_bind(r, &l);
	*parts = l.kparts.n;
	if (id == 1)
		lists_print(&l);
	if (!pb_get_encoded_size(kafka, kagent_v1_KafkaLive_fields,
				 &r->kafka_live)) {
		rc = -EINVAL;
		goto out_free;
	}
	os = pb_ostream_from_buffer(*out, PROTO_FRAME_MAX);
	if (!pb_encode(&os, kagent_v1_Report_fields, r)) {
		fprintf(stderr, "kafka_report_size: %s\n", PB_GET_ERROR(&os));
		rc = -EINVAL;
		goto out_free;
	}
	*len = os.bytes_written;
	rc = 0;
out_free:
	proto_report_unbind(r);
	proto_lists_free(&l);
	free(r);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: kafka_report_size [--brokers N] [--topics N] "
			"[--partitions N] [--rf N] [--racks N] [--root DIR]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"brokers", required_argument, NULL, 'b'},
	    {"topics", required_argument, NULL, 't'},
	    {"partitions", required_argument, NULL, 'p'},
	    {"rf", required_argument, NULL, 'r'},
	    {"racks", required_argument, NULL, 'k'},
	    {"root", required_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	struct shape s = {50, 2000, 50, 3, 5};
	const char *root = "tests/fixtures/host-broker";
	struct kafka_meta m;
	struct inventory inv;
	struct hw_err err;
	struct coll_fleet f = {0};
	struct coll_host *hosts;
	struct kafka_view v;
	uint8_t **blob;
	size_t *blob_len, kafka_sum = 0, kafka_max = 0, whole_max = 0,
			  parts_max = 0, whole_sum = 0, heap0, heap1, heap2;
	long rss0, rss1, rss2;
	double c0, c1, c2;
	int ch, i, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int *dst = ch == 'b'   ? &s.brokers
			   : ch == 't' ? &s.topics
			   : ch == 'p' ? &s.partitions
			   : ch == 'r' ? &s.rf
			   : ch == 'k' ? &s.racks
				       : NULL;

		if (ch == 'R')
			root = optarg;
		else if (dst)
			*dst = atoi(optarg);
		else
			return usage();
	}
	if (s.brokers < 1 || s.topics < 1 || s.partitions < 1 || s.rf < 1 ||
	    s.rf > KAFKA_RF_MAX || s.rf > s.brokers || s.racks < 1 ||
	    s.brokers % s.racks)
		return usage();
	if (meta_make(&s, &m) < 0 || inventory_probe(root, &inv, &err) < 0) {
		fprintf(stderr, "kafka_report_size: cannot build the inputs\n");
		return 1;
	}
	printf("shape: %d brokers, %d topics x %d partitions = %zu "
	       "partitions, RF %d, %d racks\n",
	       s.brokers, s.topics, s.partitions, m.n_parts, s.rf, s.racks);

	/* ---- the agents' side ---- */
	blob = calloc((size_t)s.brokers, sizeof *blob);
	blob_len = calloc((size_t)s.brokers, sizeof *blob_len);
	if (blob == NULL || blob_len == NULL)
		return 1;
	for (i = 0; i < s.brokers; i++) {
		size_t kafka, parts;

		rc = report_encode(&m, &inv, (int32_t)(i + 1), &blob[i],
				   &blob_len[i], &kafka, &parts);
		if (rc < 0) {
			fprintf(stderr, "kafka_report_size: broker %d: %s\n",
				i + 1, strerror(-rc));
			return 1;
		}
		kafka_sum += kafka;
		whole_sum += blob_len[i];
		if (kafka > kafka_max) {
			kafka_max = kafka;
			parts_max = parts;
		}
		if (blob_len[i] > whole_max)
			whole_max = blob_len[i];
	}
	printf("report of one broker: Kafka part %zu bytes (%zu partitions "
	       "led, %.1f bytes a led partition), whole report %zu bytes, "
	       "budget %u bytes (%.2f of it)\n",
	       kafka_max, parts_max, (double)kafka_max / (double)parts_max,
	       whole_max, PROTO_KAFKA_BYTES_MAX,
	       (double)kafka_max / PROTO_KAFKA_BYTES_MAX);
	printf("reports of all %d brokers: Kafka parts %zu bytes (%.1f bytes a "
	       "partition of the cluster), whole reports %zu bytes\n",
	       s.brokers, kafka_sum, (double)kafka_sum / (double)m.n_parts,
	       whole_sum);
	printf("peer: one MetadataResponse v12 of the same cluster, from the "
	       "protocol's field sizes: %zu bytes; ratio Kafka part / "
	       "MetadataResponse %.3f, all Kafka parts / MetadataResponse "
	       "%.3f\n",
	       metadata_response_size(&m, s.rf),
	       (double)kafka_max / (double)metadata_response_size(&m, s.rf),
	       (double)kafka_sum / (double)metadata_response_size(&m, s.rf));
	meta_free(&m);
	inventory_free(&inv);

	/* ---- the collector's side ---- */
	f.v = calloc((size_t)s.brokers, sizeof *f.v);
	if (f.v == NULL)
		return 1;
	coll_fleet_thresholds_default(&f.th);
	malloc_trim(0);
	heap0 = heap_bytes();
	rss0 = status_kib("VmRSS");
	c0 = cpu_s();
	{
		kagent_v1_Report *r = calloc(1, sizeof *r);
		struct proto_lists l;

		proto_lists_init(&l);
		for (i = 0; r && i < s.brokers; i++) {
			struct coll_fleet_host *h = &f.v[f.n++];

			if (coll_report_decode(blob[i], blob_len[i], r, &l,
					       &err) < 0 ||
			    kafka_share_from_report(&r->kafka_live, &l,
						    &h->kafka) < 0) {
				fprintf(stderr, "kafka_report_size: decode\n");
				return 1;
			}
			snprintf(h->h.host_id, sizeof h->h.host_id, "%s",
				 r->host_id);
			snprintf(h->h.cluster, sizeof h->h.cluster, "dc1");
			h->h.roles = CORE_ROLE_KAFKA;
			h->h.broker_id =
			    (struct hw_num){.known = true, .v = i + 1};
		}
		proto_lists_free(&l);
		free(r);
	}
	c1 = cpu_s();
	heap1 = heap_bytes();
	rss1 = status_kib("VmRSS");
	hosts = coll_fleet_hosts(&f);
	if (hosts == NULL || kafka_view_build(&f, hosts, "dc1", &v) < 0) {
		fprintf(stderr, "kafka_report_size: view\n");
		return 1;
	}
	c2 = cpu_s();
	heap2 = heap_bytes();
	rss2 = status_kib("VmRSS");
	printf("view: state %s, %zu brokers, %zu topics, %zu partitions%s%s\n",
	       v.state == KV_COMPLETE  ? "complete"
	       : v.state == KV_PARTIAL ? "partial"
				       : "none",
	       v.n_brokers, v.n_topics, v.n_partitions, v.why[0] ? ": " : "",
	       v.why);
	printf("collector, %d shares decoded: %.1f MiB malloc'd (%.1f bytes a "
	       "partition), RSS +%.1f MiB, CPU %.3f s\n",
	       s.brokers, (double)(heap1 - heap0) / 1048576.0,
	       (double)(heap1 - heap0) / (double)v.n_partitions,
	       (double)(rss1 - rss0) / 1024.0, c1 - c0);
	printf("collector, the view built once: %.1f MiB malloc'd (%.1f bytes "
	       "a partition; struct kv_partition is %zu, struct kv_topic "
	       "%zu), RSS +%.1f MiB, CPU %.3f s\n",
	       (double)(heap2 - heap1) / 1048576.0,
	       (double)(heap2 - heap1) / (double)v.n_partitions,
	       sizeof(struct kv_partition), sizeof(struct kv_topic),
	       (double)(rss2 - rss1) / 1024.0, c2 - c1);
	printf("collector, shares and view together: %.1f MiB malloc'd; "
	       "ratio to the %zu bytes of all reports stored %.2f\n",
	       (double)(heap2 - heap0) / 1048576.0, whole_sum,
	       (double)(heap2 - heap0) / (double)whole_sum);
	kafka_view_free(&v);
	free(hosts);
	for (i = 0; i < s.brokers; i++) {
		kafka_share_free(f.v[i].kafka);
		free(blob[i]);
	}
	free(f.v);
	free(blob);
	free(blob_len);
	return 0;
}
