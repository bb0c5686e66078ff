/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The partitions of a Kafka cluster as its brokers' own metadata tells
 * them (kafka_view.h): replicas out of the ISR, partitions without a
 * leader, replicas sharing a rack.  Files on disk cannot tell any of
 * this, so without live metadata these checks say unknown, never pass.
 *
 * A partial view (some brokers' assignments missing or old) is judged on
 * what it holds: a problem found there is real and reported, but "none
 * found" proves nothing about the missing part, so it is unknown.
 */
#include <stdio.h>
#include <string.h>

#include "fleet_int.h"

/* How many topic-partitions a message names before "...". */
#define NAMES_LEN 160

bool fleet_kafka_known(const struct fleet_view *v)
{
	return v->kafka != NULL && v->kafka->state != KV_NONE;
}

int fleet_kafka_no_view(const struct fleet_view *v, const char *id,
			struct check_results *out)
{
	const char *err = v->kafka ? v->kafka->error : "";

	return check_add(out, id, NULL, SEV_UNKNOWN, "no metadata", "",
			 "no live metadata from any broker of the cluster%s%s",
			 err[0] ? ": " : "", err);
}

const char *fleet_kafka_partial(const struct fleet_view *v, char *buf,
				size_t len)
{
	buf[0] = '\0';
	if (v->kafka->state == KV_PARTIAL)
		snprintf(buf, len, "; view partial: %s",
			 v->kafka->why[0] ? v->kafka->why : "reason not given");
	return buf;
}

void fleet_kafka_broker_name(const struct kafka_view *kv, int32_t id,
			     char *buf, size_t len)
{
	const struct kv_broker *b = kafka_view_broker(kv, id);

	if (b != NULL && b->agent != NULL)
		snprintf(buf, len, "broker %d (%s)", (int)id,
			 b->agent->host_id);
	else if (b != NULL && b->host[0])
		snprintf(buf, len, "broker %d (%s)", (int)id, b->host);
	else
		snprintf(buf, len, "broker %d", (int)id);
}

void fleet_kafka_tp(const struct kafka_view *kv, const struct kv_partition *p,
		    char *buf, size_t len)
{
	snprintf(buf, len, "%s-%d",
		 p->topic < kv->n_topics ? kv->topics[p->topic].name : "?",
		 (int)p->partition);
}

bool fleet_kafka_in_isr(const struct kv_partition *p, int32_t id)
{
	uint8_t i;

	for (i = 0; i < p->n_isr && i < KV_RF_MAX; i++)
		if (p->isr[i] == id)
			return true;
	return false;
}

/* "2, 3": the replicas of p missing from its ISR. */
static void missing_fmt(const struct kv_partition *p, char *buf, size_t len)
{
	char id[16];
	uint8_t i;

	buf[0] = '\0';
	for (i = 0; i < p->n_replicas && i < KV_RF_MAX; i++) {
		if (fleet_kafka_in_isr(p, p->replicas[i]))
			continue;
		snprintf(id, sizeof id, "%d", (int)p->replicas[i]);
		fleet_names_add(buf, len, id);
	}
}

struct urp_tally {
	size_t partitions, urp, below, min_unknown;
	char below_names[NAMES_LEN], urp_names[NAMES_LEN];
	char unknown_topics[96];
};

static void urp_topic(const struct kafka_view *kv, const struct kv_topic *t,
		      struct urp_tally *u)
{
	size_t i, urp = 0, below = 0;
	char tp[160], miss[48], item[240];

	for (i = t->first; i < t->first + t->n && i < kv->n_partitions; i++) {
		const struct kv_partition *p = &kv->partitions[i];

		u->partitions++;
		if (p->n_isr >= p->n_replicas)
			continue;
		urp++;
		fleet_kafka_tp(kv, p, tp, sizeof tp);
		missing_fmt(p, miss, sizeof miss);
		if (t->min_isr != KV_UNKNOWN && p->n_isr < t->min_isr) {
			below++;
			snprintf(item, sizeof item,
				 "%s (ISR %u, min %lld, missing %s)", tp,
				 (unsigned)p->n_isr, (long long)t->min_isr,
				 miss);
			fleet_names_add(u->below_names, sizeof u->below_names,
					item);
		} else {
			snprintf(item, sizeof item, "%s (missing %s)", tp,
				 miss);
			fleet_names_add(u->urp_names, sizeof u->urp_names,
					item);
		}
	}
	/* The topic's own counters cover partitions a partial view lacks. */
	urp = urp > t->under_replicated ? urp : t->under_replicated;
	below = below > t->under_min_isr ? below : t->under_min_isr;
	u->urp += urp;
	u->below += below;
	if (urp > 0 && t->min_isr == KV_UNKNOWN) {
		u->min_unknown += urp;
		fleet_names_add(u->unknown_topics, sizeof u->unknown_topics,
				t->name);
	}
}

/* Below min.insync.replicas a producer with acks=all gets
 * NOT_ENOUGH_REPLICAS: the partition is down for it, hence fail. */
int fleet_check_kafka_urp(const struct fleet_view *v, struct check_results *out)
{
	const char *id = "kafka.partitions.under_replicated";
	const struct kafka_view *kv = v->kafka;
	struct urp_tally u;
	char measured[96], part[600];
	size_t i;
	int rc;

	if (!fleet_kafka_known(v))
		return fleet_kafka_no_view(v, id, out);
	memset(&u, 0, sizeof u);
	for (i = 0; i < kv->n_topics; i++)
		urp_topic(kv, &kv->topics[i], &u);
	fleet_kafka_partial(v, part, sizeof part);
	snprintf(measured, sizeof measured,
		 "%zu under-replicated, %zu below min ISR", u.urp, u.below);
	if (u.below)
		rc = check_add(out, id, NULL, SEV_FAIL, measured,
			       "ISR = replicas",
			       "%zu partition%s below min.insync.replicas, "
			       "producers with acks=all fail: %s; %zu "
			       "under-replicated in all%s",
			       u.below, u.below == 1 ? "" : "s", u.below_names,
			       u.urp, part);
	else if (u.urp && u.min_unknown)
		rc = check_add(out, id, NULL, SEV_WARN, measured,
			       "ISR = replicas",
			       "%zu partition%s under-replicated: %s; "
			       "min.insync.replicas unknown for %s, so whether "
			       "acks=all producers fail is not known%s",
			       u.urp, u.urp == 1 ? "" : "s", u.urp_names,
			       u.unknown_topics, part);
	else if (u.urp)
		rc = check_add(out, id, NULL, SEV_WARN, measured,
			       "ISR = replicas",
			       "%zu partition%s under-replicated: %s; each "
			       "still at or above min.insync.replicas%s",
			       u.urp, u.urp == 1 ? "" : "s", u.urp_names, part);
	else if (kv->state == KV_PARTIAL)
		rc = check_add(out, id, NULL, SEV_UNKNOWN, measured,
			       "ISR = replicas",
			       "none of the %zu known partitions is "
			       "under-replicated, but the view is partial: %s",
			       u.partitions, kv->why);
	else
		rc = check_add(out, id, NULL, SEV_PASS, measured,
			       "ISR = replicas",
			       "all %zu partitions of %zu topic%s have every "
			       "replica in the ISR",
			       u.partitions, kv->n_topics,
			       kv->n_topics == 1 ? "" : "s");
	if (rc == 0)
		check_set_value(out, CHECK_UNIT_COUNT, (int64_t)u.urp);
	return rc;
}

int fleet_check_kafka_offline(const struct fleet_view *v,
			      struct check_results *out)
{
	const char *id = "kafka.partitions.offline";
	const struct kafka_view *kv = v->kafka;
	char names[NAMES_LEN] = "", tp[160], measured[96], part[600];
	size_t i, offline = 0, counted = 0;
	int rc;

	if (!fleet_kafka_known(v))
		return fleet_kafka_no_view(v, id, out);
	for (i = 0; i < kv->n_partitions; i++) {
		if (kv->partitions[i].leader != -1)
			continue;
		offline++;
		fleet_kafka_tp(kv, &kv->partitions[i], tp, sizeof tp);
		fleet_names_add(names, sizeof names, tp);
	}
	for (i = 0; i < kv->n_topics; i++)
		counted += kv->topics[i].offline;
	offline = offline > counted ? offline : counted;
	fleet_kafka_partial(v, part, sizeof part);
	snprintf(measured, sizeof measured, "%zu offline", offline);
	if (offline)
		rc = check_add(out, id, NULL, SEV_FAIL, measured, "0 offline",
			       "%zu partition%s without a leader, neither "
			       "readable nor writable: %s%s",
			       offline, offline == 1 ? "" : "s",
			       names[0] ? names : "(not in the view)", part);
	else if (kv->state == KV_PARTIAL)
		rc = check_add(out, id, NULL, SEV_UNKNOWN, measured,
			       "0 offline",
			       "every one of the %zu known partitions has a "
			       "leader, but the view is partial: %s",
			       kv->n_partitions, kv->why);
	else
		rc = check_add(out, id, NULL, SEV_PASS, measured, "0 offline",
			       "every one of %zu partitions has a leader",
			       kv->n_partitions);
	if (rc == 0)
		check_set_value(out, CHECK_UNIT_COUNT, (int64_t)offline);
	return rc;
}
