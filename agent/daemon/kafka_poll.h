/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kafka_poll.h — kagentd's client of its local Kafka broker: every
 * [kafka] metadata_interval the cluster's metadata is read on the thread
 * pool (kafka_live_fetch blocks) and kept with its time (async_probe.h);
 * each full report's job takes a reference to the kept result, so that a
 * fetch ending meanwhile replaces it without pulling it from under the
 * job.
 */
#ifndef KAGENT_KAFKA_POLL_H
#define KAGENT_KAFKA_POLL_H

#include <limits.h>
#include <stdbool.h>
#include <uv.h>

#include "async_probe.h"
#include "kafka_live.h"

#define KAFKA_POLL_TIMEOUT_MS 5000
#define KAFKA_BOOTSTRAP_MAX   300

/* A report whose partition list is the same as the last whole one sent
 * carries its digest only (KafkaLive.assignment_unchanged).  Every
 * KAFKA_WHOLE_EVERY-th report sends the list whole anyway: a whole list
 * lost on its way (a spool that dropped it, a collector that failed
 * over before storing it) then leaves a broker's assignment unknown for
 * at most that many reports. */
#define KAFKA_WHOLE_EVERY 10

/* What the agent last sent of its partition list.  The loop sets conn
 * before each report job; the job (kafka_report.c) reads it and updates
 * the rest.  Jobs run one at a time, and the loop touches it only
 * between them. */
struct kafka_delta {
	int64_t conn;	    /* the collector connection up now (when it
			       came up, loop ms); 0 none */
	int64_t conn_whole; /* the one up when the last whole list was made */
	bool sent;	    /* a whole, unclipped list was made: digest and
			       count are its own */
	uint64_t digest;
	uint32_t count;
	unsigned unchanged; /* reports made without the list since */
};

/* Whether the report being made carries its list (digest and count of
 * the whole share; clipped: the budget left part of it out): the first
 * list, one that changed, the first report on a new connection and every
 * KAFKA_WHOLE_EVERY-th go whole.  Updates d for that report
 * (kafka_report.c). */
bool kafka_delta_whole(struct kafka_delta *d, uint64_t digest, uint32_t count,
		       bool clipped);

/* One kept metadata result, shared by the loop and the report jobs. */
struct kafka_snap {
	struct kafka_meta m;
	unsigned refs;
};

struct kafka_poll {
	uv_loop_t *loop;
	struct kafka_live *kl; /* NULL until the bootstrap is known */
	char bootstrap[KAFKA_BOOTSTRAP_MAX];
	char client_config[PATH_MAX];
	unsigned interval_ms;
	uv_timer_t t;
	uv_work_t w;
	bool working;
	bool stopping;
	struct kafka_snap *kept;
	struct kafka_snap *fetching;
	struct async_probe probe;
	struct kafka_delta delta;
};

/* bootstrap "" waits for kafka_poll_target; client_config "" none. */
void kafka_poll_init(struct kafka_poll *k, uv_loop_t *loop,
		     const char *bootstrap, const char *client_config,
		     unsigned interval_s);
/* Where the broker listens, as the report job read it from
 * server.properties; ignored when the configuration named one.  The
 * client starts at the first target. */
void kafka_poll_target(struct kafka_poll *k, const char *bootstrap);
/* The request's copy: meta, and a reference to the kept metadata (NULL
 * when none); give it back with kafka_snap_release. */
void kafka_poll_take(struct kafka_poll *k, struct async_meta *meta,
		     struct kafka_snap **snap);
/* The delta state for the next report job, told which collector
 * connection is up (conn: when it came up, loop ms; 0 none). */
struct kafka_delta *kafka_poll_delta(struct kafka_poll *k, int64_t conn);
void kafka_snap_release(struct kafka_snap *s);
/* Closes the timer; a fetch in flight ends within its timeout. */
void kafka_poll_stop(struct kafka_poll *k);
/* Frees what the loop kept, after the loop has run out. */
void kafka_poll_free(struct kafka_poll *k);

#endif
