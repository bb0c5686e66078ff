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
void kafka_snap_release(struct kafka_snap *s);
/* Closes the timer; a fetch in flight ends within its timeout. */
void kafka_poll_stop(struct kafka_poll *k);
/* Frees what the loop kept, after the loop has run out. */
void kafka_poll_free(struct kafka_poll *k);

#endif
