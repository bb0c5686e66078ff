/*
 * kafka_live.h — the running Kafka cluster as a client sees it: the
 * metadata of brokers, controller, topics, partitions, replicas, ISR and
 * leaders, read from the local broker through librdkafka.
 *
 * kafka_live_conf.c reads the client's security settings (`[kafka]
 * client_config`, librdkafka's property syntax) as pure parsing over
 * bytes; kafka_live.c is the one file that includes <librdkafka/rdkafka.h>.
 * A fetch blocks for at most its timeout: kagentd runs it on its thread
 * pool and keeps the last result (agent/daemon/kafka_poll.c).
 */
#ifndef KAGENT_KAFKA_LIVE_H
#define KAGENT_KAFKA_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw.h"

/* ---- kafka_live_conf.c: [kafka] client_config ---- */

/* A security settings file is a handful of lines; 64 KiB leaves room for
 * an inline PEM certificate. */
#define KAFKA_CLIENT_CONF_MAX	(64 * 1024)
#define KAFKA_CLIENT_PAIRS_MAX	64
#define KAFKA_CLIENT_KEY_MAX	128
#define KAFKA_CLIENT_VALUE_MAX	8192

struct kafka_client_pair {
	char key[KAFKA_CLIENT_KEY_MAX];
	char *value;
	unsigned line;
};

struct kafka_client_conf {
	char path[256]; /* named in errors */
	size_t n;
	struct kafka_client_pair v[KAFKA_CLIENT_PAIRS_MAX];
};

/* Parses `key=value` lines (blank lines and lines starting with # or !
 * are skipped; blanks around key and value trimmed).  Bounded and UTF-8;
 * an error names name:line.  -EINVAL, -E2BIG, -EILSEQ, -ENOMEM. */
int kafka_client_conf_parse(const char *buf, size_t len, const char *name,
			    struct kafka_client_conf *out, struct hw_err *err);
/* Reads path (at most KAFKA_CLIENT_CONF_MAX bytes) and parses it. */
int kafka_client_conf_load(const char *path, struct kafka_client_conf *out,
			   struct hw_err *err);
void kafka_client_conf_free(struct kafka_client_conf *c);

/* ---- kafka_live.c: the metadata ---- */

/* A replication factor above 8 is not a production layout: the first 8
 * replicas are kept. */
#define KAFKA_RF_MAX	  8
#define KAFKA_TOPIC_MAX	  250 /* Kafka's topic names are at most 249 */
#define KAFKA_LIVE_ERR_MAX 256

struct kafka_meta_broker {
	int32_t id;
	char host[256];
	uint32_t port;
};

struct kafka_meta_partition {
	int32_t id;
	int32_t leader; /* -1: none */
	uint8_t n_replicas;
	uint8_t n_isr;
	int32_t replicas[KAFKA_RF_MAX];
	int32_t isr[KAFKA_RF_MAX];
};

struct kafka_meta_topic {
	char name[KAFKA_TOPIC_MAX];
	char error[128]; /* the metadata's error for it, "" none */
	/* From DescribeConfigs when the broker answers; else unknown. */
	struct hw_num min_isr;
	struct hw_num retention_ms;
	struct hw_num retention_bytes;
	size_t first; /* its partitions in kafka_meta.parts, by id */
	size_t n;
};

struct kafka_meta {
	int64_t fetched_ms;
	int32_t controller; /* -1 unknown */
	char cluster_id[64];
	char error[KAFKA_LIVE_ERR_MAX]; /* "" when fetched */
	/* Why some topic's configs (min_isr, retention_*) are unknown: the
	 * first DescribeConfigs error, "" when every topic was answered. */
	char configs_error[128];
	struct kafka_meta_broker *brokers; /* sorted by id */
	size_t n_brokers;
	struct kafka_meta_topic *topics; /* sorted by name */
	size_t n_topics;
	struct kafka_meta_partition *parts;
	size_t n_parts;
};

void kafka_meta_free(struct kafka_meta *m);

struct kafka_live;

/* A client of the cluster at bootstrap (HOST:PORT), with the settings of
 * cc (may be NULL).  A setting librdkafka refuses gives -EINVAL with
 * "file:line: key: librdkafka's reason" in err.  No connection is made
 * yet. */
int kafka_live_new(const char *bootstrap, const struct kafka_client_conf *cc,
		   struct kafka_live **out, struct hw_err *err);
void kafka_live_free(struct kafka_live *kl);
/* Reads the metadata of every topic, then the topic configs
 * (min.insync.replicas, retention) where the broker answers
 * DescribeConfigs, waiting at most timeout_ms for both; configs not
 * answered leave the metadata as read and configs_error says why.  On failure out->error holds librdkafka's
 * text and the call returns -EHOSTUNREACH or -ETIMEDOUT; out is then
 * otherwise empty.  fetched_ms is set either way. */
int kafka_live_fetch(struct kafka_live *kl, int timeout_ms,
		     struct kafka_meta *out);

#endif
