/* SPDX-License-Identifier: Apache-2.0 */
/* The topics' configs that the metadata does not carry, through
 * librdkafka's Admin API (DescribeConfigs): min.insync.replicas, which
 * decides whether producers with acks=all still succeed, and retention,
 * which the reassignment plan names so an operator can shrink a topic
 * before moving it.
 *
 * A broker may refuse (an ACL: TOPIC_AUTHORIZATION_FAILED) or not know
 * the request at all (librdkafka's mock cluster up to 2.0 has no
 * handler for it): the values then stay unknown, configs_error keeps
 * librdkafka's reason, and the metadata read before is reported as it
 * is.  Nothing is guessed from the broker's defaults here; the collector
 * applies server.properties' default and says so.
 *
 * An answer gives the value the broker applies to the topic: its own
 * setting, or what it inherits, a dynamic cluster-wide default included,
 * which server.properties alone cannot tell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "core.h"
#include "kafka_live_int.h"

static const struct kafka_meta_topic *find(const struct kafka_meta *m,
					   const char *name)
{
	size_t lo = 0, hi = m->n_topics;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, m->topics[mid].name);

		if (c == 0)
			return &m->topics[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void why(struct kafka_meta *m, const char *fmt, const char *a,
		const char *b)
{
	/* The first reason is kept: later ones are most often the same. */
	if (m->configs_error[0] == '\0')
		snprintf(m->configs_error, sizeof m->configs_error, fmt, a, b);
}

/* A config's value as Kafka writes it: a long, -1 for unlimited. */
static void value(const rd_kafka_ConfigEntry_t *e, int64_t min,
		  struct hw_num *out)
{
	const char *v = rd_kafka_ConfigEntry_value(e);
	int64_t n;

	if (v && core_parse_i64(v, &n) == 0 && n >= min)
		*out = (struct hw_num){n, true};
}

static void resource(const rd_kafka_ConfigResource_t *r, struct kafka_meta *m)
{
	struct kafka_meta_topic *t;
	const rd_kafka_ConfigEntry_t **es;
	size_t n, i;

	t = (struct kafka_meta_topic *)find(m, rd_kafka_ConfigResource_name(r));
	if (t == NULL)
		return;
	if (rd_kafka_ConfigResource_error(r)) {
		why(m, "%s: %s", t->name,
		    rd_kafka_ConfigResource_error_string(r)
			? rd_kafka_ConfigResource_error_string(r)
			: rd_kafka_err2str(rd_kafka_ConfigResource_error(r)));
		return;
	}
	es = rd_kafka_ConfigResource_configs(r, &n);
	for (i = 0; i < n; i++) {
		const char *k = rd_kafka_ConfigEntry_name(es[i]);

		if (strcmp(k, "min.insync.replicas") == 0)
			value(es[i], 1, &t->min_isr);
		else if (strcmp(k, "retention.ms") == 0)
			value(es[i], -1, &t->retention_ms);
		else if (strcmp(k, "retention.bytes") == 0)
			value(es[i], -1, &t->retention_bytes);
	}
}

static void answer(rd_kafka_event_t *ev, struct kafka_meta *m)
{
	const rd_kafka_DescribeConfigs_result_t *res;
	const rd_kafka_ConfigResource_t **rs;
	size_t n, i;

	if (rd_kafka_event_error(ev)) {
		why(m, "%s%s", rd_kafka_event_error_string(ev), "");
		return;
	}
	res = rd_kafka_event_DescribeConfigs_result(ev);
	if (res == NULL)
		return;
	rs = rd_kafka_DescribeConfigs_result_resources(res, &n);
	for (i = 0; i < n; i++)
		resource(rs[i], m);
}

/* Sends one request for topics [from, to); 0 or -1 when librdkafka
 * could not build it. */
static int ask(rd_kafka_t *rk, rd_kafka_queue_t *q, int32_t broker,
	       int timeout_ms, struct kafka_meta *m, size_t from, size_t to)
{
	rd_kafka_ConfigResource_t *rs[KAFKA_CONFIGS_BATCH];
	rd_kafka_AdminOptions_t *o;
	char err[256];
	size_t i, n = 0;
	int rc = 0;

	o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
	/* librdkafka would send it to the controller, and wait for one
	 * when the metadata names none; any broker answers for a topic's
	 * configs, and the local one is already connected. */
	if (o == NULL ||
	    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, err,
						      sizeof err) ||
	    (broker >= 0 &&
	     rd_kafka_AdminOptions_set_broker(o, broker, err, sizeof err))) {
		why(m, "DescribeConfigs: %s%s", o ? err : "no options", "");
		rc = -1;
		goto out;
	}
	for (i = from; i < to; i++) {
		rs[n] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC,
						    m->topics[i].name);
		if (rs[n])
			n++;
	}
	rd_kafka_DescribeConfigs(rk, rs, n, o, q);
	for (i = 0; i < n; i++)
		rd_kafka_ConfigResource_destroy(rs[i]);
out:
	if (o)
		rd_kafka_AdminOptions_destroy(o);
	return rc;
}

void kafka_live_configs(struct rd_kafka_s *rk, int32_t broker,
			int64_t deadline_ms, struct kafka_meta *m)
{
	rd_kafka_queue_t *q;
	size_t i, sent = 0, got = 0;
	int64_t left = deadline_ms - kafka_live_mono_ms();
	int timeout;

	m->configs_error[0] = '\0';
	if (m->n_topics == 0)
		return;
	if (left <= 0) {
		why(m, "%s%s", "no time left after the metadata", "");
		return;
	}
	/* librdkafka's own timeout ends a little before the deadline, so
	 * that its reason (rather than ours) is the one kept. */
	timeout = (int)(left - left / 10);
	q = rd_kafka_queue_new(rk);
	if (q == NULL) {
		why(m, "%s%s", "librdkafka: no queue", "");
		return;
	}
	for (i = 0; i < m->n_topics; i += KAFKA_CONFIGS_BATCH) {
		size_t to = i + KAFKA_CONFIGS_BATCH;

		if (ask(rk, q, broker, timeout, m, i,
			to < m->n_topics ? to : m->n_topics) < 0)
			break;
		sent++;
	}
	while (got < sent && (left = deadline_ms - kafka_live_mono_ms()) > 0) {
		rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)left);

		if (ev == NULL)
			continue;
		if (rd_kafka_event_type(ev) ==
		    RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT) {
			answer(ev, m);
			got++;
		}
		rd_kafka_event_destroy(ev);
	}
	if (got < sent)
		why(m, "%s%s", "DescribeConfigs: no answer within the timeout",
		    "");
	rd_kafka_queue_destroy(q);
}
