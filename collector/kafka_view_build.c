/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka view of one cluster, merged from its agents' shares.
 *
 * Every agent reads the same cluster-wide metadata from its own broker,
 * and sends the summaries of its topics and the partitions its broker
 * leads (agent/daemon/kafka_report.c).  The freshest metadata gives the
 * brokers, the controller and each topic's summary; the partitions are
 * the union of the shares, the freshest reading of a partition winning.
 * The view is complete when every topic's partitions are all there, and
 * otherwise says in `why` what is missing: a broker without an agent
 * leaves the partitions it leads unknown. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "kafka_view.h"

struct named {
	const char *name;
	const struct kv_share *s;
	size_t i;
};

struct placed {
	struct kv_partition p;
	int64_t fetched_ms;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	/* The freshest reading first. */
	return (x->s->fetched_ms < y->s->fetched_ms) -
	       (x->s->fetched_ms > y->s->fetched_ms);
}

static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	if (x->p.topic != y->p.topic)
		return x->p.topic < y->p.topic ? -1 : 1;
	if (x->p.partition != y->p.partition)
		return x->p.partition < y->p.partition ? -1 : 1;
	return (x->fetched_ms < y->fetched_ms) - (x->fetched_ms > y->fetched_ms);
}

static int cmp_broker(const void *a, const void *b)
{
	const struct kv_broker *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static void why_add(struct kafka_view *v, const char *fmt, ...)
{
	size_t o = strlen(v->why);
	va_list ap;

	if (o + 4 >= sizeof v->why)
		return;
	if (o)
		o += (size_t)snprintf(v->why + o, sizeof v->why - o, "; ");
	va_start(ap, fmt);
	vsnprintf(v->why + o, sizeof v->why - o, fmt, ap);
	va_end(ap);
}

static bool fetched(const struct kv_share *s)
{
	return s && s->error[0] == '\0' && s->fetched_ms != KV_UNKNOWN;
}

static const struct coll_host *broker_agent(const struct coll_host *hosts,
					    size_t n, const char *cluster,
					    int32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(hosts[i].cluster, cluster) &&
		    hosts[i].broker_id.known && hosts[i].broker_id.v == id)
			return &hosts[i];
	return NULL;
}

static struct kv_broker *broker_add(struct kafka_view *v, int32_t id)
{
	struct kv_broker *b;

	for (size_t i = 0; i < v->n_brokers; i++)
		if (v->brokers[i].id == id)
			return &v->brokers[i];
	b = &v->brokers[v->n_brokers++];
	memset(b, 0, sizeof *b);
	b->id = id;
	b->started_ms = KV_UNKNOWN;
	b->nic_speed_mbps = KV_UNKNOWN;
	return b;
}

static int build_brokers(struct kafka_view *v, const struct coll_fleet *f,
			 const struct coll_host *hosts,
			 const struct kv_share *base)
{
	struct kv_broker *b;
	size_t i;

	v->brokers = calloc(base->n_brokers + f->n + 1, sizeof *v->brokers);
	if (v->brokers == NULL)
		return -ENOMEM;
	for (i = 0; i < base->n_brokers; i++) {
		b = broker_add(v, base->brokers[i].id);
		b->registered = true;
		snprintf(b->host, sizeof b->host, "%s", base->brokers[i].host);
		b->port = base->brokers[i].port;
		snprintf(b->rack, sizeof b->rack, "%s", base->brokers[i].rack);
	}
	/* A broker an agent runs that the metadata does not list: down, or
	 * not yet registered. */
	for (i = 0; i < f->n; i++)
		if (!strcmp(hosts[i].cluster, v->cluster) &&
		    (hosts[i].roles & CORE_ROLE_KAFKA) &&
		    hosts[i].broker_id.known)
			broker_add(v, (int32_t)hosts[i].broker_id.v);
	for (i = 0; i < v->n_brokers; i++) {
		const struct kv_share *own;

		b = &v->brokers[i];
		b->agent = broker_agent(hosts, f->n, v->cluster, b->id);
		/* hosts[] is f->v[] in the same order: the agent's own share
		 * says when its broker started and how fast its NIC is. */
		own = b->agent && (size_t)(b->agent - hosts) < f->n
			  ? f->v[b->agent - hosts].kafka
			  : NULL;
		if (own) {
			b->started_ms = own->started_ms;
			b->nic_speed_mbps = own->nic_speed_mbps;
		}
		if (b->rack[0] == '\0' && b->agent)
			snprintf(b->rack, sizeof b->rack, "%s",
				 b->agent->broker_rack[0] ? b->agent->broker_rack
							  : b->agent->rack);
		if (b->registered && b->agent == NULL)
			why_add(v, "broker %d has no agent", (int)b->id);
		if (!b->registered)
			why_add(v, "broker %d is not in the metadata",
				(int)b->id);
	}
	qsort(v->brokers, v->n_brokers, sizeof *v->brokers, cmp_broker);
	return 0;
}

static void topic_from(struct kv_topic *t, const struct kv_share_topic *st)
{
	t->n_partitions = st->partitions;
	t->replication_factor = st->replication_factor;
	t->min_isr = st->min_isr;
	t->min_isr_source = st->min_isr != KV_UNKNOWN ? "topic" : NULL;
	t->retention_ms = st->retention_ms;
	t->retention_bytes = st->retention_bytes;
	t->retention_source = st->retention_ms != KV_UNKNOWN ||
				      st->retention_bytes != KV_UNKNOWN
				  ? "topic"
				  : NULL;
	t->under_replicated = st->under_replicated;
	t->under_min_isr = st->under_min_isr;
	t->offline = st->offline;
	t->bytes = KV_UNKNOWN;
}

/* Topic names over every share, the freshest summary of each. */
static int build_topics(struct kafka_view *v, const struct kv_share **sh,
			size_t ns)
{
	struct named *all;
	size_t n = 0, i, j;

	for (i = 0; i < ns; i++)
		n += sh[i]->n_topics;
	all = calloc(n + 1, sizeof *all);
	v->topics = calloc(n + 1, sizeof *v->topics);
	if (all == NULL || v->topics == NULL) {
		free(all);
		return -ENOMEM;
	}
	n = 0;
	for (i = 0; i < ns; i++)
		for (j = 0; j < sh[i]->n_topics; j++)
			all[n++] = (struct named){sh[i]->topics[j].name, sh[i],
						  j};
	qsort(all, n, sizeof *all, cmp_named);
	for (i = 0; i < n; i++) {
		const struct kv_share_topic *st = &all[i].s->topics[all[i].i];
		struct kv_topic *t;

		if (v->n_topics &&
		    !strcmp(v->topics[v->n_topics - 1].name, all[i].name)) {
			t = &v->topics[v->n_topics - 1];
			/* Sizes add up over the brokers holding replicas. */
			if (st->local_bytes != KV_UNKNOWN) {
				t->bytes = (t->bytes == KV_UNKNOWN ? 0 : t->bytes) +
					   st->local_bytes;
				t->replicas_sized += st->local_replicas;
			}
			continue;
		}
		t = &v->topics[v->n_topics];
		t->name = strdup(all[i].name);
		if (t->name == NULL) {
			free(all);
			return -ENOMEM;
		}
		v->n_topics++;
		topic_from(t, st);
		if (st->local_bytes != KV_UNKNOWN) {
			t->bytes = st->local_bytes;
			t->replicas_sized = st->local_replicas;
		}
	}
	free(all);
	return 0;
}

static int build_partitions(struct kafka_view *v, const struct kv_share **sh,
			    size_t ns)
{
	struct placed *all;
	size_t n = 0, i, j;

	for (i = 0; i < ns; i++)
		n += sh[i]->n_parts;
	all = calloc(n + 1, sizeof *all);
	v->partitions = calloc(n + 1, sizeof *v->partitions);
	if (all == NULL || v->partitions == NULL) {
		free(all);
		return -ENOMEM;
	}
	n = 0;
	for (i = 0; i < ns; i++)
		for (j = 0; j < sh[i]->n_parts; j++) {
			const struct kv_partition *p = &sh[i]->parts[j];
			const struct kv_topic *t = kafka_view_topic(
			    v, sh[i]->topics[p->topic].name);

			all[n].p = *p;
			all[n].p.topic = (uint32_t)(t - v->topics);
			all[n++].fetched_ms = sh[i]->fetched_ms;
		}
	qsort(all, n, sizeof *all, cmp_placed);
	for (i = 0; i < n; i++) {
		struct kv_partition *last =
		    v->n_partitions ? &v->partitions[v->n_partitions - 1] : NULL;

		if (last && last->topic == all[i].p.topic &&
		    last->partition == all[i].p.partition)
			continue;
		v->partitions[v->n_partitions++] = all[i].p;
	}
	free(all);
	for (i = 0, j = 0; i < v->n_topics; i++) {
		v->topics[i].first = j;
		while (j < v->n_partitions && v->partitions[j].topic == i)
			j++;
		v->topics[i].n = j - v->topics[i].first;
	}
	return 0;
}

static void judge_state(struct kafka_view *v)
{
	size_t i, missing = 0;

	for (i = 0; i < v->n_topics; i++)
		if (v->topics[i].n < (size_t)v->topics[i].n_partitions) {
			if (missing++ < 4)
				why_add(v, "%s: %zu of %d partitions known",
					v->topics[i].name, v->topics[i].n,
					(int)v->topics[i].n_partitions);
		}
	if (missing > 4)
		why_add(v, "%zu more topics incomplete", missing - 4);
	v->state = missing || v->why[0] ? KV_PARTIAL : KV_COMPLETE;
}

/* One default over the agents' server.properties: the value they all
 * give, else unknown (brokers that disagree leave no single default, and
 * the broker a partition's leader runs on is the one that enforces it). */
static int64_t agreed(const struct kv_share **sh, size_t ns, size_t off,
		      bool *differ)
{
	int64_t v = KV_UNKNOWN;

	*differ = false;
	for (size_t i = 0; i < ns; i++) {
		int64_t x = *(const int64_t *)((const char *)sh[i] + off);

		if (x == KV_UNKNOWN)
			continue;
		if (v != KV_UNKNOWN && x != v)
			*differ = true;
		v = x;
	}
	return *differ ? KV_UNKNOWN : v;
}

/* A topic whose own configs the broker did not give takes the brokers'
 * default, and says so; then why names what DescribeConfigs answered. */
static void apply_defaults(struct kafka_view *v, const struct kv_share **sh,
			   size_t ns)
{
	bool d1, d2, d3;
	int64_t min_isr = agreed(sh, ns, offsetof(struct kv_share,
						  min_isr_default), &d1);
	int64_t ret_ms = agreed(sh, ns, offsetof(struct kv_share,
						 retention_ms_default), &d2);
	int64_t ret_b = agreed(sh, ns, offsetof(struct kv_share,
						retention_bytes_default), &d3);
	size_t i;

	for (i = 0; i < v->n_topics; i++) {
		struct kv_topic *t = &v->topics[i];

		if (t->min_isr == KV_UNKNOWN && min_isr != KV_UNKNOWN) {
			t->min_isr = min_isr;
			t->min_isr_source = "broker default";
		}
		if (t->retention_source == NULL &&
		    (ret_ms != KV_UNKNOWN || ret_b != KV_UNKNOWN)) {
			t->retention_ms = ret_ms;
			t->retention_bytes = ret_b;
			t->retention_source = "broker default";
		}
	}
	if (d1)
		why_add(v, "the brokers' min.insync.replicas defaults differ");
	if (d2 || d3)
		why_add(v, "the brokers' log.retention defaults differ");
	for (i = 0; i < ns; i++)
		if (sh[i]->configs_error[0] && sh[i]->broker_id_known) {
			why_add(v, "broker %d: topic configs: %s",
				(int)sh[i]->broker_id, sh[i]->configs_error);
			break;
		} else if (sh[i]->configs_error[0]) {
			why_add(v, "topic configs: %s", sh[i]->configs_error);
			break;
		}
}

static int build(struct kafka_view *v, const struct coll_fleet *f,
		 const struct coll_host *hosts, const struct kv_share **sh,
		 size_t ns)
{
	const struct kv_share *base = sh[0];
	size_t i;
	int rc;

	for (i = 1; i < ns; i++)
		if (sh[i]->fetched_ms > base->fetched_ms)
			base = sh[i];
	v->controller = base->controller;
	snprintf(v->cluster_id, sizeof v->cluster_id, "%s", base->cluster_id);
	v->fetched_ms = sh[0]->fetched_ms;
	for (i = 1; i < ns; i++)
		if (sh[i]->fetched_ms < v->fetched_ms)
			v->fetched_ms = sh[i]->fetched_ms;
	rc = build_brokers(v, f, hosts, base);
	if (rc == 0)
		rc = build_topics(v, sh, ns);
	if (rc == 0)
		rc = build_partitions(v, sh, ns);
	if (rc == 0) {
		judge_state(v);
		/* After the state: unknown configs do not make the
		 * assignments partial. */
		apply_defaults(v, sh, ns);
	}
	return rc;
}

int kafka_view_build(const struct coll_fleet *f, const struct coll_host *hosts,
		     const char *cluster, struct kafka_view *out)
{
	const struct kv_share **sh;
	const char *err = NULL;
	size_t i, ns = 0, nk = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	out->controller = -1;
	out->fetched_ms = KV_UNKNOWN;
	if (f == NULL || hosts == NULL || cluster == NULL)
		return -EINVAL;
	snprintf(out->cluster, sizeof out->cluster, "%s", cluster);
	sh = calloc(f->n + 1, sizeof *sh);
	if (sh == NULL)
		return -ENOMEM;
	for (i = 0; i < f->n; i++) {
		const struct kv_share *s = f->v[i].kafka;

		if (strcmp(f->v[i].h.cluster, cluster) || s == NULL)
			continue;
		nk++;
		if (fetched(s)) {
			sh[ns++] = s;
			if (s->unchanged)
				why_add(out, "broker %d (host %s): digest "
					     "without its list",
					(int)s->broker_id, f->v[i].h.host_id);
			else if (!s->full)
				why_add(out, "host %s: its partitions were "
					     "clipped",
					f->v[i].h.host_id);
			continue;
		}
		why_add(out, "host %s: %s", f->v[i].h.host_id,
			s->error[0] ? s->error : "not probed yet");
		/* The error of every agent, when they agree. */
		if (err == NULL)
			err = s->error;
		else if (strcmp(err, s->error))
			err = "";
	}
	if (nk == 0)
		snprintf(out->why, sizeof out->why,
			 "no agent of the cluster reports live Kafka metadata");
	if (ns == 0) {
		if (err)
			snprintf(out->error, sizeof out->error, "%s", err);
		out->state = KV_NONE;
		free(sh);
		return 0;
	}
	rc = build(out, f, hosts, sh, ns);
	free(sh);
	if (rc < 0)
		kafka_view_free(out);
	return rc;
}

int coll_judge_cluster(const struct coll_fleet *f, const struct coll_host *hosts,
		       const char *cluster, struct check_results *out)
{
	struct kafka_view kv;
	int rc;

	/* Without a view (no memory) the checks judge on the hosts' files. */
	rc = kafka_view_build(f, hosts, cluster, &kv);
	rc = coll_fleet_judge_kafka(cluster, hosts, f->n, false, &f->th,
				    rc == 0 ? &kv : NULL, out);
	kafka_view_free(&kv);
	return rc;
}
