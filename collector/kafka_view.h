/*
 * kafka_view.h — one Kafka cluster as its brokers' own metadata tells it:
 * the brokers, topics and partition assignments the agents read from
 * their local broker (librdkafka), merged over the cluster's hosts.
 *
 * The fleet checks (kafka.partitions.*, kafka.upgrade.next,
 * kafka.cluster.partition_skew) and GET /api/clusters/CLUSTER/kafka read
 * this one structure, so the page, the API and the checks never disagree.
 * A view is built once per judgement from the stored reports
 * (kafka_view.c) and is read-only afterwards.
 */
#ifndef KAGENT_KAFKA_VIEW_H
#define KAGENT_KAFKA_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct coll_host;

/* A replication factor above 8 is not a production layout; a partition
 * with more replicas keeps the first 8 and the view says so in `why`. */
#define KV_RF_MAX 8
/* Unknown for the int64 figures below (retention, bytes, min ISR, times);
 * Kafka itself uses -1 for "unlimited" retention, so -1 is a value. */
#define KV_UNKNOWN INT64_MIN

enum kv_state {
	KV_NONE = 0,  /* no agent of the cluster reports live metadata */
	KV_PARTIAL,   /* metadata is there, but some brokers' assignments
			 are missing or old: `why` names them */
	KV_COMPLETE,  /* every partition's assignment is known */
};

struct kv_broker {
	int32_t id;		/* broker.id / node.id */
	char host[256];		/* advertised host, from metadata; "" unknown */
	uint32_t port;		/* 0 unknown */
	char rack[64];		/* broker.rack from metadata, else the
				   agent's configured rack; "" unknown */
	bool registered;	/* in the metadata's broker list now */
	/* The kagent host running this broker (matched by broker id), or
	 * NULL when no agent reports it.  Points into the hosts array the
	 * view was built with. */
	const struct coll_host *agent;
	/* When the broker's process last started (the agent's reading),
	 * ms since the epoch; KV_UNKNOWN when not known. */
	int64_t started_ms;
	/* The link speed of the NIC carrying its traffic, Mb/s; KV_UNKNOWN. */
	int64_t nic_speed_mbps;
};

/* 76 bytes: 100 000 partitions hold in about 7.6 MB. */
struct kv_partition {
	uint32_t topic;		/* index into kafka_view.topics */
	int32_t partition;
	int32_t leader;		/* -1: no leader (offline) */
	uint8_t n_replicas;	/* the assignment, preferred leader first */
	uint8_t n_isr;
	uint8_t pad[2];
	int32_t replicas[KV_RF_MAX];
	int32_t isr[KV_RF_MAX];
};

struct kv_topic {
	char *name;
	int32_t n_partitions;	    /* cluster-wide, from metadata */
	int32_t replication_factor; /* of its first partition */
	/* min.insync.replicas: the topic's own when it could be read, else
	 * the broker default (server.properties); KV_UNKNOWN when neither. */
	int64_t min_isr;
	const char *min_isr_source; /* "topic", "broker default", NULL */
	int64_t retention_ms;	    /* retention.ms; -1 unlimited */
	int64_t retention_bytes;    /* retention.bytes; -1 unlimited */
	/* Where both retentions come from, as min_isr_source. */
	const char *retention_source;
	/* Partition directory bytes of the topic summed over the brokers
	 * that report them, and how many replicas that sum covers: the mean
	 * replica is bytes / replicas_sized.  KV_UNKNOWN / 0 when none. */
	int64_t bytes;
	int32_t replicas_sized;
	/* Cluster-wide counts, as the metadata says: ISR < replicas, ISR <
	 * min_isr (needs min_isr known), no leader. */
	uint32_t under_replicated;
	uint32_t under_min_isr;
	uint32_t offline;
	/* This topic's partitions in kafka_view.partitions: [first, first+n),
	 * sorted by partition id.  n < n_partitions when the view is partial. */
	size_t first;
	size_t n;
};

struct kafka_view {
	char cluster[64];
	enum kv_state state;
	char why[512];		/* why not complete, then what else is
				   unknown (topic configs); "" when neither */
	char error[256];	/* a librdkafka error every agent reports, or "" */
	int64_t fetched_ms;	/* the oldest metadata used; KV_UNKNOWN */
	int32_t controller;	/* -1 unknown */
	char cluster_id[64];	/* Kafka's cluster.id; "" unknown */
	struct kv_broker *brokers; /* sorted by id */
	size_t n_brokers;
	struct kv_topic *topics; /* sorted by name */
	size_t n_topics;
	struct kv_partition *partitions; /* by topic, then partition */
	size_t n_partitions;
};

/* ---- one agent's share, as its report carries it (Report.kafka_live) ---- */

struct kv_share_broker {
	int32_t id;
	char host[256];
	uint32_t port;
	char rack[64];
};

struct kv_share_topic {
	char *name;
	int32_t partitions;
	int32_t replication_factor;
	int64_t min_isr; /* the topic's own; KV_UNKNOWN */
	int64_t retention_ms, retention_bytes, local_bytes; /* KV_UNKNOWN */
	int32_t local_replicas;
	uint32_t under_replicated, under_min_isr, offline;
};

struct kv_share {
	char error[256]; /* librdkafka's text, "" fetched */
	int64_t fetched_ms; /* KV_UNKNOWN: never fetched */
	int32_t controller; /* -1 unknown */
	char cluster_id[64];
	int32_t broker_id;
	bool broker_id_known;
	struct kv_share_broker *brokers;
	size_t n_brokers;
	struct kv_share_topic *topics;
	size_t n_topics;
	struct kv_partition *parts; /* topic: index into topics */
	size_t n_parts;
	uint64_t digest;
	uint32_t count; /* partitions the digest covers */
	bool full;	/* parts holds all of them */
	char configs_error[128]; /* why topic configs are unknown, "" */
	/* This host's server.properties topic defaults; KV_UNKNOWN. */
	int64_t min_isr_default, retention_ms_default, retention_bytes_default;
	int64_t started_ms;	/* its broker process's start; KV_UNKNOWN */
	int64_t nic_speed_mbps; /* its Kafka NIC's link speed; KV_UNKNOWN */
	/* The report carried the digest only, and no whole list of that
	 * digest was at hand to complete it (kafka_merge.h): the broker's
	 * assignment is unknown until its next whole list. */
	bool unchanged;
};

struct _kagent_v1_KafkaLive;
struct proto_lists;
/* Decodes a report's share (the lists as proto_report_bind_decode left
 * them).  0 or -ENOMEM. */
int kafka_share_from_report(const struct _kagent_v1_KafkaLive *k,
			    const struct proto_lists *l, struct kv_share **out);
void kafka_share_free(struct kv_share *s);

struct coll_fleet;

/* Builds the view of `cluster` from the loaded fleet and the coll_host
 * array made from it (coll_fleet_hosts; kv_broker.agent points into it).
 * A cluster whose agents report no live metadata gives state KV_NONE and
 * 0.  0, -EINVAL or -ENOMEM (out is then empty). */
int kafka_view_build(const struct coll_fleet *f, const struct coll_host *hosts,
		     const char *cluster, struct kafka_view *out);
void kafka_view_free(struct kafka_view *v);

/* Lookups over a built view; NULL when absent. */
const struct kv_broker *kafka_view_broker(const struct kafka_view *v,
					  int32_t id);
const struct kv_topic *kafka_view_topic(const struct kafka_view *v,
					const char *name);

#endif
