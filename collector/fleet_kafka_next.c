/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kafka.upgrade.next: step 2 of the rolling upgrade (ROLES.md "Rolling
 * upgrade"): after each broker restarts, replication and the ISR must be
 * healthy before the next one goes down.  A broker restarted since the
 * last step that is not yet back in every ISR it belongs to is exactly an
 * under-replicated partition with that broker missing, so the gate asks
 * every broker: registered, and in the ISR of every partition it holds.
 *
 * Which broker is next comes from the versions the agents report (the
 * same parsing as fleet_upgrade.c): one still below the newest release,
 * not the controller while another is left (each controller move is a
 * pause for the whole cluster, so it moves once, last), the one running
 * longest first.
 */
#include <stdio.h>
#include <string.h>

#include "fleet_int.h"

/* with the message around it, within a result's 320 bytes */
#define WAIT_LEN 272

struct gate {
	char wait[WAIT_LEN]; /* what to wait for, "; "-separated */
	size_t blockers;
	int32_t restarted_last; /* the broker started last, -1 unknown */
};

static void gate_add(struct gate *g, const char *what)
{
	size_t cur = strlen(g->wait);

	g->blockers++;
	if (cur >= 3 && strcmp(g->wait + cur - 3, "...") == 0)
		return;
	if (cur + strlen(what) + 6 < sizeof g->wait)
		snprintf(g->wait + cur, sizeof g->wait - cur, "%s%s",
			 cur ? "; " : "", what);
	else
		snprintf(g->wait + cur, sizeof g->wait - cur, "%s...",
			 cur ? "; " : "");
}

static void gate_isr(const struct kafka_view *kv, const struct kv_broker *b,
		     struct gate *g)
{
	char tps[96] = "", tp[160], name[320], what[512];
	size_t i, j, n = 0;

	for (i = 0; i < kv->n_partitions; i++) {
		const struct kv_partition *p = &kv->partitions[i];

		for (j = 0; j < p->n_replicas && j < KV_RF_MAX; j++)
			if (p->replicas[j] == b->id)
				break;
		if (j == p->n_replicas || j == KV_RF_MAX ||
		    fleet_kafka_in_isr(p, b->id))
			continue;
		n++;
		fleet_kafka_tp(kv, p, tp, sizeof tp);
		fleet_names_add(tps, sizeof tps, tp);
	}
	if (n == 0)
		return;
	fleet_kafka_broker_name(kv, b->id, name, sizeof name);
	snprintf(what, sizeof what, "%s%s not yet in the ISR of %zu partition%s: %s",
		 name, b->id == g->restarted_last ? ", restarted last," : "",
		 n, n == 1 ? "" : "s", tps);
	gate_add(g, what);
}

/* A replica on a broker the metadata does not list at all (gone for good,
 * or never seen since the collector started) is judged by no broker
 * above, but its partitions are under-replicated all the same. */
static void gate_absent(const struct kafka_view *kv, struct gate *g)
{
	char tps[96] = "", tp[160], what[256];
	size_t i, j, n = 0;

	for (i = 0; i < kv->n_partitions; i++) {
		const struct kv_partition *p = &kv->partitions[i];

		for (j = 0; j < p->n_replicas && j < KV_RF_MAX; j++)
			if (!fleet_kafka_in_isr(p, p->replicas[j]) &&
			    kafka_view_broker(kv, p->replicas[j]) == NULL)
				break;
		if (j == p->n_replicas || j == KV_RF_MAX)
			continue;
		n++;
		fleet_kafka_tp(kv, p, tp, sizeof tp);
		fleet_names_add(tps, sizeof tps, tp);
	}
	if (n == 0)
		return;
	snprintf(what, sizeof what,
		 "%zu partition%s missing a replica on a broker absent from "
		 "the metadata: %s",
		 n, n == 1 ? "" : "s", tps);
	gate_add(g, what);
}

static void gate_collect(const struct fleet_view *v, struct gate *g)
{
	const struct kafka_view *kv = v->kafka;
	char name[320], what[400], tps[96] = "", tp[160];
	int64_t newest = KV_UNKNOWN;
	size_t i, offline = 0;

	memset(g, 0, sizeof *g);
	g->restarted_last = -1;
	/* started_ms is each agent's reading of its broker process's start
	 * (/proc/PID/stat after btime), so the newest one is the broker the
	 * last step restarted.  It compares the hosts' clocks, which NTP
	 * keeps far closer than the minutes between two steps. */
	for (i = 0; i < kv->n_brokers; i++)
		if (kv->brokers[i].started_ms != KV_UNKNOWN &&
		    kv->brokers[i].started_ms > newest) {
			newest = kv->brokers[i].started_ms;
			g->restarted_last = kv->brokers[i].id;
		}
	for (i = 0; i < kv->n_brokers; i++) {
		const struct kv_broker *b = &kv->brokers[i];

		if (!b->registered) {
			fleet_kafka_broker_name(kv, b->id, name, sizeof name);
			snprintf(what, sizeof what, "%s not registered", name);
			gate_add(g, what);
			continue;
		}
		gate_isr(kv, b, g);
	}
	/* An agent's broker the metadata does not list is down or elsewhere. */
	for (i = 0; i < v->n; i++) {
		const struct coll_host *h = &v->hosts[i];

		if (!coll_host_in(h, v->cluster, CORE_ROLE_KAFKA) ||
		    !h->broker_id.known ||
		    kafka_view_broker(kv, (int32_t)h->broker_id.v) != NULL)
			continue;
		snprintf(what, sizeof what, "broker %lld (%s) not registered",
			 (long long)h->broker_id.v, h->host_id);
		gate_add(g, what);
	}
	gate_absent(kv, g);
	for (i = 0; i < kv->n_partitions; i++) {
		if (kv->partitions[i].leader != -1)
			continue;
		offline++;
		fleet_kafka_tp(kv, &kv->partitions[i], tp, sizeof tp);
		fleet_names_add(tps, sizeof tps, tp);
	}
	if (offline) {
		snprintf(what, sizeof what, "%zu partition%s without a leader: %s",
			 offline, offline == 1 ? "" : "s", tps);
		gate_add(g, what);
	}
}

struct pick {
	const struct kv_broker *next;
	struct coll_version target;
	size_t left;	  /* brokers below the target */
	size_t unknown;	  /* brokers whose release is unknown */
	bool controller_left;
	char unknown_names[96];
};

static bool broker_version(const struct kv_broker *b, struct coll_version *v)
{
	return b->agent != NULL &&
	       coll_version_parse(b->agent->kafka_version, v) == 0;
}

/* Whether a should go before b: not the controller, then the one started
 * longest ago (unknown last), then the lower id. */
static bool goes_before(const struct kafka_view *kv, const struct kv_broker *a,
			const struct kv_broker *b)
{
	bool ac = a->id == kv->controller, bc = b->id == kv->controller;

	if (ac != bc)
		return bc;
	if (a->started_ms != b->started_ms) {
		if (a->started_ms == KV_UNKNOWN || b->started_ms == KV_UNKNOWN)
			return b->started_ms == KV_UNKNOWN;
		return a->started_ms < b->started_ms;
	}
	return a->id < b->id;
}

static void pick_next(const struct kafka_view *kv, struct pick *k)
{
	struct coll_version ver;
	char id[16];
	size_t i;

	memset(k, 0, sizeof *k);
	for (i = 0; i < kv->n_brokers; i++) {
		if (!broker_version(&kv->brokers[i], &ver)) {
			k->unknown++;
			snprintf(id, sizeof id, "%d", (int)kv->brokers[i].id);
			fleet_names_add(k->unknown_names,
					sizeof k->unknown_names, id);
		} else if (coll_version_cmp(&ver, &k->target) > 0) {
			k->target = ver;
		}
	}
	for (i = 0; i < kv->n_brokers; i++) {
		const struct kv_broker *b = &kv->brokers[i];

		if (!broker_version(b, &ver) ||
		    coll_version_cmp(&ver, &k->target) >= 0)
			continue;
		k->left++;
		k->controller_left |= b->id == kv->controller;
		if (k->next == NULL || goes_before(kv, b, k->next))
			k->next = b;
	}
}

static int judge_next(const struct fleet_view *v, struct check_results *out)
{
	const char *id = "kafka.upgrade.next";
	const struct kafka_view *kv = v->kafka;
	char name[320], measured[96], target[32], after[160] = "";
	const char *healthy = "every partition has its full ISR and every "
			      "broker is registered";
	struct pick k;

	pick_next(kv, &k);
	coll_version_format(&k.target, target, sizeof target);
	if (k.next == NULL && k.unknown)
		return check_add(out, id, NULL, SEV_UNKNOWN, "next unknown", "",
				 "%s; the release of broker%s %s is unknown: "
				 "which broker is next cannot be told",
				 healthy, k.unknown == 1 ? "" : "s",
				 k.unknown_names);
	if (k.next == NULL)
		return check_add(out, id, NULL, SEV_PASS, "none left",
				 "", "%s; every broker runs %s: none left to "
				 "upgrade",
				 healthy, target);
	fleet_kafka_broker_name(kv, k.next->id, name, sizeof name);
	snprintf(measured, sizeof measured, "next: %s", name);
	if (k.left > 1 && k.controller_left && k.next->id != kv->controller)
		snprintf(after, sizeof after,
			 "; %zu more after it, the controller (broker %d) "
			 "last",
			 k.left - 1, (int)kv->controller);
	else if (k.left > 1)
		snprintf(after, sizeof after, "; %zu more after it",
			 k.left - 1);
	return check_add(out, id, NULL, SEV_PASS, measured, "",
			 "safe to restart the next broker: %s, to %s; "
			 "%s%s",
			 name + strlen("broker "), target, healthy, after);
}

int fleet_check_kafka_next(const struct fleet_view *v,
			   struct check_results *out)
{
	const char *id = "kafka.upgrade.next";
	const struct kafka_view *kv = v->kafka;
	char measured[96], part[600];
	struct gate g;
	struct pick k;

	if (!fleet_kafka_known(v))
		return fleet_kafka_no_view(v, id, out);
	gate_collect(v, &g);
	fleet_kafka_partial(v, part, sizeof part);
	if (g.blockers) {
		pick_next(kv, &k);
		snprintf(measured, sizeof measured, "wait");
		if (k.next != NULL) {
			char name[320];

			fleet_kafka_broker_name(kv, k.next->id, name,
						sizeof name);
			snprintf(measured, sizeof measured, "wait, then %s",
				 name);
		}
		return check_add(out, id, NULL, SEV_WARN, measured, "",
				 "not safe to restart the next broker yet: "
				 "%s%s",
				 g.wait, part);
	}
	if (kv->state == KV_PARTIAL)
		return check_add(out, id, NULL, SEV_UNKNOWN, "", "",
				 "no known broker is out of an ISR, but the "
				 "view is partial: %s",
				 kv->why);
	return judge_next(v, out);
}
