/* SPDX-License-Identifier: Apache-2.0 */
/* The cluster's metadata through librdkafka, the one file that includes
 * it.  librdkafka runs its own threads (a main thread and one per broker
 * connection); a fetch is a blocking call on the caller's thread, bounded
 * by its timeout, so kagentd runs it off its loop.
 *
 * librdkafka names what failed only through its error callback ("Connect
 * to ipv4#127.0.0.1:9 failed: Connection refused"); the return code of
 * rd_kafka_metadata says no more than "Local: Broker transport failure".
 * The last callback text is kept and joined to the code, so that the
 * report says why the broker could not be read. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "core.h"
#include "kafka_live_int.h"

struct kafka_live {
	rd_kafka_t *rk;
	pthread_mutex_t mu;
	char last_error[KAFKA_LIVE_ERR_MAX];
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kafka_live_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka_live *kl = opaque;

	(void)rk;
	(void)err;
	pthread_mutex_lock(&kl->mu);
	snprintf(kl->last_error, sizeof kl->last_error, "%s", reason);
	pthread_mutex_unlock(&kl->mu);
}

/* librdkafka's own log lines would go to stderr; the error callback says
 * what matters, in the report. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac,
		   const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

static int conf_set(rd_kafka_conf_t *c, const char *file, unsigned line,
		    const char *k, const char *v, struct hw_err *err)
{
	char why[256];

	if (rd_kafka_conf_set(c, k, v, why, sizeof why) == RD_KAFKA_CONF_OK)
		return 0;
	if (line)
		core_err_set(err, "%s:%u: %s: %s", file, line, k, why);
	else
		core_err_set(err, "%s: %s: %s", file, k, why);
	return -EINVAL;
}

int kafka_live_new(const char *bootstrap, const struct kafka_client_conf *cc,
		   struct kafka_live **out, struct hw_err *err)
{
	struct kafka_live *kl;
	rd_kafka_conf_t *c;
	char why[256];
	size_t i;
	int rc = 0;

	*out = NULL;
	kl = calloc(1, sizeof *kl);
	if (kl == NULL)
		return -ENOMEM;
	pthread_mutex_init(&kl->mu, NULL);
	c = rd_kafka_conf_new();
	for (i = 0; cc && rc == 0 && i < cc->n; i++)
		rc = conf_set(c, cc->path, cc->v[i].line, cc->v[i].key,
			      cc->v[i].value, err);
	if (rc == 0)
		rc = conf_set(c, "[kafka] bootstrap", 0, "bootstrap.servers",
			      bootstrap, err);
	/* Metadata only: no topic is produced to, none is consumed. */
	if (rc == 0)
		rc = conf_set(c, "kagent", 0, "client.id", "kagentd", err);
	if (rc < 0)
		goto out_conf;
	rd_kafka_conf_set_error_cb(c, on_error);
	rd_kafka_conf_set_log_cb(c, on_log);
	rd_kafka_conf_set_opaque(c, kl);
	kl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, why, sizeof why);
	if (kl->rk == NULL) {
		core_err_set(err, "librdkafka: %s", why);
		rc = -EINVAL;
		goto out_conf;
	}
	*out = kl;
	return 0;
out_conf:
	rd_kafka_conf_destroy(c);
	pthread_mutex_destroy(&kl->mu);
	free(kl);
	return rc;
}

void kafka_live_free(struct kafka_live *kl)
{
	if (kl == NULL)
		return;
	rd_kafka_destroy(kl->rk);
	pthread_mutex_destroy(&kl->mu);
	free(kl);
}

void kafka_meta_free(struct kafka_meta *m)
{
	free(m->brokers);
	free(m->topics);
	free(m->parts);
	m->brokers = NULL;
	m->topics = NULL;
	m->parts = NULL;
	m->n_brokers = m->n_topics = m->n_parts = 0;
}

static int cmp_broker(const void *a, const void *b)
{
	const struct kafka_meta_broker *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_topic_ptr(const void *a, const void *b)
{
	const rd_kafka_metadata_topic_t *const *x = a, *const *y = b;

	return strcmp((*x)->topic, (*y)->topic);
}

static int cmp_part_ptr(const void *a, const void *b)
{
	const rd_kafka_metadata_partition_t *const *x = a, *const *y = b;

	return ((*x)->id > (*y)->id) - ((*x)->id < (*y)->id);
}

static void copy_ids(const int32_t *src, int n, int32_t *dst, uint8_t *count)
{
	int i;

	*count = (uint8_t)(n < KAFKA_RF_MAX ? n : KAFKA_RF_MAX);
	for (i = 0; i < *count; i++)
		dst[i] = src[i];
}

static int meta_topic(const rd_kafka_metadata_topic_t *t,
		      struct kafka_meta *out, struct kafka_meta_topic *mt)
{
	const rd_kafka_metadata_partition_t **ps;
	int i;

	snprintf(mt->name, sizeof mt->name, "%s", t->topic);
	if (t->err)
		snprintf(mt->error, sizeof mt->error, "%s",
			 rd_kafka_err2str(t->err));
	mt->first = out->n_parts;
	ps = calloc(t->partition_cnt ? (size_t)t->partition_cnt : 1,
		    sizeof *ps);
	if (ps == NULL)
		return -ENOMEM;
	for (i = 0; i < t->partition_cnt; i++)
		ps[i] = &t->partitions[i];
	qsort(ps, (size_t)t->partition_cnt, sizeof *ps, cmp_part_ptr);
	for (i = 0; i < t->partition_cnt; i++) {
		struct kafka_meta_partition *p = &out->parts[out->n_parts++];

		p->id = ps[i]->id;
		p->leader = ps[i]->leader;
		copy_ids(ps[i]->replicas, ps[i]->replica_cnt, p->replicas,
			 &p->n_replicas);
		copy_ids(ps[i]->isrs, ps[i]->isr_cnt, p->isr, &p->n_isr);
	}
	mt->n = out->n_parts - mt->first;
	free(ps);
	return 0;
}

static int meta_copy(const struct rd_kafka_metadata *md,
		     struct kafka_meta *out)
{
	const rd_kafka_metadata_topic_t **ts;
	size_t np = 0;
	int i, rc = 0;

	out->brokers = calloc(md->broker_cnt ? (size_t)md->broker_cnt : 1,
			      sizeof *out->brokers);
	out->topics = calloc(md->topic_cnt ? (size_t)md->topic_cnt : 1,
			     sizeof *out->topics);
	for (i = 0; i < md->topic_cnt; i++)
		np += (size_t)md->topics[i].partition_cnt;
	out->parts = calloc(np ? np : 1, sizeof *out->parts);
	ts = calloc(md->topic_cnt ? (size_t)md->topic_cnt : 1, sizeof *ts);
	if (!out->brokers || !out->topics || !out->parts || !ts) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < md->broker_cnt; i++) {
		struct kafka_meta_broker *b = &out->brokers[i];

		b->id = md->brokers[i].id;
		snprintf(b->host, sizeof b->host, "%s", md->brokers[i].host);
		b->port = (uint32_t)md->brokers[i].port;
	}
	out->n_brokers = (size_t)md->broker_cnt;
	qsort(out->brokers, out->n_brokers, sizeof *out->brokers, cmp_broker);
	for (i = 0; i < md->topic_cnt; i++)
		ts[i] = &md->topics[i];
	qsort(ts, (size_t)md->topic_cnt, sizeof *ts, cmp_topic_ptr);
	for (i = 0; rc == 0 && i < md->topic_cnt; i++) {
		struct kafka_meta_topic *mt = &out->topics[out->n_topics++];

		rc = meta_topic(ts[i], out, mt);
	}
out:
	free(ts);
	return rc;
}

static void fail(struct kafka_live *kl, rd_kafka_resp_err_t e,
		 struct kafka_meta *out)
{
	pthread_mutex_lock(&kl->mu);
	if (kl->last_error[0])
		snprintf(out->error, sizeof out->error, "%s: %s",
			 rd_kafka_err2str(e), kl->last_error);
	else
		snprintf(out->error, sizeof out->error, "%s",
			 rd_kafka_err2str(e));
	pthread_mutex_unlock(&kl->mu);
}

int kafka_live_fetch(struct kafka_live *kl, int timeout_ms,
		     struct kafka_meta *out)
{
	const struct rd_kafka_metadata *md = NULL;
	int64_t deadline = kafka_live_mono_ms() + timeout_ms;
	rd_kafka_resp_err_t e;
	int32_t orig;
	char *cid;
	int rc;

	memset(out, 0, sizeof *out);
	out->controller = -1;
	/* The last error text stays until a fetch succeeds: librdkafka
	 * reports a refused connection once, and later fetches fail within
	 * its reconnect backoff without a new callback. */
	e = rd_kafka_metadata(kl->rk, 1, NULL, &md, timeout_ms);
	out->fetched_ms = wall_ms();
	/* Callbacks run only from rd_kafka_poll: the error callback's text
	 * is wanted now, and the events must not pile up. */
	rd_kafka_poll(kl->rk, 0);
	if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fail(kl, e, out);
		return e == RD_KAFKA_RESP_ERR__TIMED_OUT ? -ETIMEDOUT
							  : -EHOSTUNREACH;
	}
	pthread_mutex_lock(&kl->mu);
	kl->last_error[0] = '\0';
	pthread_mutex_unlock(&kl->mu);
	rc = meta_copy(md, out);
	orig = md->orig_broker_id;
	rd_kafka_metadata_destroy(md);
	if (rc < 0) {
		kafka_meta_free(out);
		snprintf(out->error, sizeof out->error, "%s", strerror(-rc));
		return rc;
	}
	/* Both come from the metadata just cached: no second round trip. */
	out->controller = rd_kafka_controllerid(kl->rk, 0);
	cid = rd_kafka_clusterid(kl->rk, 0);
	if (cid) {
		snprintf(out->cluster_id, sizeof out->cluster_id, "%s", cid);
		rd_kafka_mem_free(kl->rk, cid);
	}
	kafka_live_configs(kl->rk, orig, deadline, out);
	/* The admin call's error callbacks are not the metadata's: they
	 * must not name a later failed fetch. */
	rd_kafka_poll(kl->rk, 0);
	pthread_mutex_lock(&kl->mu);
	kl->last_error[0] = '\0';
	pthread_mutex_unlock(&kl->mu);
	return 0;
}
