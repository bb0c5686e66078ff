/* SPDX-License-Identifier: Apache-2.0 */
/* kagentd's Kafka metadata poll: a timer on the loop, the fetch on the
 * thread pool, its result kept with its time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_log.h"
#include "kafka_poll.h"

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kafka_snap_release(struct kafka_snap *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	kafka_meta_free(&s->m);
	free(s);
}

static void on_fetch(uv_work_t *w)
{
	struct kafka_poll *k = w->data;

	kafka_live_fetch(k->kl, KAFKA_POLL_TIMEOUT_MS, &k->fetching->m);
}

/* A failed fetch is a result too: the report says unknown with
 * librdkafka's text, and the next fetch tries again. */
static void on_fetched(uv_work_t *w, int status)
{
	struct kafka_poll *k = w->data;

	k->working = false;
	if (status < 0) {
		kafka_snap_release(k->fetching);
		k->fetching = NULL;
		return;
	}
	kafka_snap_release(k->kept);
	k->kept = k->fetching;
	k->fetching = NULL;
	async_probe_done(&k->probe, k->kept->m.fetched_ms
					? k->kept->m.fetched_ms
					: wall_ms());
}

static void on_timer(uv_timer_t *t)
{
	struct kafka_poll *k = t->data;

	if (k->working || k->stopping || k->kl == NULL)
		return;
	k->fetching = calloc(1, sizeof *k->fetching);
	if (k->fetching == NULL)
		return;
	k->fetching->refs = 1;
	k->w.data = k;
	if (uv_queue_work(k->loop, &k->w, on_fetch, on_fetched) < 0) {
		kafka_snap_release(k->fetching);
		k->fetching = NULL;
		return;
	}
	k->working = k->probe.running = true;
}

static void start_client(struct kafka_poll *k)
{
	struct kafka_client_conf cc = {0};
	struct hw_err err = {{0}};
	int r = 0;

	if (k->client_config[0])
		r = kafka_client_conf_load(k->client_config, &cc, &err);
	if (r == 0)
		r = kafka_live_new(k->bootstrap, k->client_config[0] ? &cc : NULL,
				   &k->kl, &err);
	kafka_client_conf_free(&cc);
	if (r < 0) {
		core_log(LOG_ERR, "kafka: %s", err.msg);
		async_probe_start_failed(&k->probe, err.msg);
		return;
	}
	core_log(LOG_INFO, "kafka: metadata from %s every %u s", k->bootstrap,
		 k->interval_ms / 1000);
	uv_timer_start(&k->t, on_timer, 0, k->interval_ms);
}

void kafka_poll_init(struct kafka_poll *k, uv_loop_t *loop,
		     const char *bootstrap, const char *client_config,
		     unsigned interval_s)
{
	memset(k, 0, sizeof *k);
	k->loop = loop;
	k->interval_ms = (interval_s ? interval_s : 30) * 1000u;
	snprintf(k->client_config, sizeof k->client_config, "%s",
		 client_config);
	async_probe_init(&k->probe);
	uv_timer_init(loop, &k->t);
	k->t.data = k;
	if (bootstrap[0]) {
		snprintf(k->bootstrap, sizeof k->bootstrap, "%s", bootstrap);
		start_client(k);
	}
}

void kafka_poll_target(struct kafka_poll *k, const char *bootstrap)
{
	if (k->bootstrap[0] || bootstrap[0] == '\0' || k->stopping)
		return;
	snprintf(k->bootstrap, sizeof k->bootstrap, "%s", bootstrap);
	start_client(k);
}

void kafka_poll_take(struct kafka_poll *k, struct async_meta *meta,
		     struct kafka_snap **snap)
{
	*meta = k->probe.meta;
	meta->in_flight = k->working;
	if (!k->bootstrap[0] && !meta->have)
		snprintf(meta->why, sizeof meta->why,
			 "no Kafka listener known to ask");
	*snap = k->kept;
	if (k->kept)
		k->kept->refs++;
}

void kafka_poll_stop(struct kafka_poll *k)
{
	k->stopping = true;
	if (k->t.loop && !uv_is_closing((uv_handle_t *)&k->t))
		uv_close((uv_handle_t *)&k->t, NULL);
}

void kafka_poll_free(struct kafka_poll *k)
{
	kafka_snap_release(k->kept);
	kafka_snap_release(k->fetching);
	k->kept = k->fetching = NULL;
	kafka_live_free(k->kl);
	k->kl = NULL;
}

struct kafka_delta *kafka_poll_delta(struct kafka_poll *k, int64_t conn)
{
	/* While no collector is up, the reports wait in the spool: the
	 * connection that sends them is not known yet, and the collector
	 * completes them from the host's stored report. */
	if (conn)
		k->delta.conn = conn;
	return &k->delta;
}
