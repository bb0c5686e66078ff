/*
 * kafka_live_int.h — inside the librdkafka client, shared by its two
 * files: kafka_live.c (the client, the metadata) and kafka_live_configs.c
 * (the topics' configs through the Admin API).  Not for other callers.
 */
#ifndef KAGENT_KAFKA_LIVE_INT_H
#define KAGENT_KAFKA_LIVE_INT_H

#include <stdint.h>

#include "kafka_live.h"

/* Topics per DescribeConfigs request: 2 000 topics are 8 requests, all
 * in flight at once, each answer a few hundred bytes per topic. */
#define KAFKA_CONFIGS_BATCH 256

struct rd_kafka_s;

/* Milliseconds of CLOCK_MONOTONIC: the fetch's deadline. */
int64_t kafka_live_mono_ms(void);
/* Asks broker (the one that answered the metadata: the local broker)
 * for every topic of m its min.insync.replicas, retention.ms and
 * retention.bytes, until deadline_ms (kafka_live_mono_ms's clock), and
 * fills the topics that were answered.  What was not answered stays
 * unknown and m->configs_error says why ("" when every topic was). */
void kafka_live_configs(struct rd_kafka_s *rk, int32_t broker,
			int64_t deadline_ms, struct kafka_meta *m);

#endif
