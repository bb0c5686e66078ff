/*
 * The rolling upgrade of a ZooKeeper-mode Kafka cluster, judged from the
 * versions and pins the brokers report (ROLES.md "Rolling upgrade"):
 * (1) pin inter.broker.protocol.version (and, from before 0.11, also
 * log.message.format.version) to the running version; (2) upgrade brokers
 * one at a time; (3) when all run the new version, raise the pins, again one
 * broker at a time.
 *
 * Pins name a protocol level, not a release: "3.6", "3.6-IV2" and "3.6.1"
 * all pin to 3.6; before 1.0 the level has three parts ("0.10.2").  A broker
 * is held back far enough when its effective level (the pin, else its own
 * release's level) is at or below the oldest release's level in the cluster.
 * log.message.format.version matters only when the oldest release is older
 * than 0.11: from 0.11 on every release writes message format v2, and Kafka's
 * upgrade guide asks for the inter-broker pin alone.
 *
 * inter.broker.protocol.version governs ZooKeeper-mode brokers through the
 * 3.x releases (ZooKeeper mode ends with 4.0).  A KRaft cluster holds its
 * protocol back with metadata.version, raised by kafka-features.sh after the
 * roll, so its brokers are exempt from the pin rules: a mixed KRaft cluster
 * is simply in step 2.
 *
 * From state alone, step 1 (pins set, nothing upgraded yet) looks the same
 * as a cluster that keeps inter.broker.protocol.version at its own version
 * between upgrades; both show "step 1", which for the next upgrade is true.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll.h"

/* Above any real release part, low enough that parsing cannot overflow. */
#define VERSION_PART_MAX 999999u

struct broker {
	const struct coll_host *h;
	struct coll_version level;     /* of the release it runs */
	struct coll_version ibp, lmfv; /* levels of the pins, when set */
	bool ibp_set, lmfv_set;
};

struct upgrade {
	struct broker *b; /* brokers whose version is known */
	size_t n;
	struct coll_version oldest, newest;
	const struct broker *old; /* one broker running the oldest */
	bool any_pin;		  /* some ZooKeeper-mode broker has one */
};

int coll_version_parse(const char *s, struct coll_version *out)
{
	const char *p = s;

	memset(out, 0, sizeof *out);
	for (;;) {
		unsigned part = 0;

		if (*p < '0' || *p > '9' || out->n == COLL_VERSION_PARTS)
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			part = part * 10 + (unsigned)(*p++ - '0');
			if (part > VERSION_PART_MAX)
				return -EINVAL;
		}
		out->v[out->n++] = part;
		if (*p == '\0' || *p == '-')
			return 0;
		if (*p++ != '.')
			return -EINVAL;
	}
}

int coll_version_cmp(const struct coll_version *a, const struct coll_version *b)
{
	unsigned i, x, y;

	for (i = 0; i < COLL_VERSION_PARTS; i++) {
		x = i < a->n ? a->v[i] : 0;
		y = i < b->n ? b->v[i] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

void coll_version_protocol(const struct coll_version *v,
			   struct coll_version *out)
{
	unsigned parts = v->n > 0 && v->v[0] == 0 ? 3 : 2;

	*out = *v;
	if (out->n > parts)
		out->n = parts;
	memset(out->v + out->n, 0, sizeof out->v - out->n * sizeof out->v[0]);
}

void coll_version_format(const struct coll_version *v, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < v->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u",
					 i ? "." : "", v->v[i]);
}

static bool level_below_011(const struct coll_version *level)
{
	static const struct coll_version v011 = {{0, 11, 0, 0}, 3};

	return coll_version_cmp(level, &v011) < 0;
}

/* Whether b speaks no newer protocol than `level`. */
static bool broker_held_at(const struct broker *b,
			   const struct coll_version *level)
{
	const struct coll_version *ibp = b->ibp_set ? &b->ibp : &b->level;
	const struct coll_version *lmfv = b->lmfv_set ? &b->lmfv : &b->level;

	if (b->h->kafka_kraft)
		return true;
	return coll_version_cmp(ibp, level) <= 0 &&
	       (!level_below_011(level) || coll_version_cmp(lmfv, level) <= 0);
}

/* Whether b's pins hold it below the release it runs (step 3 pending). */
static bool broker_pinned_below(const struct broker *b)
{
	static const struct coll_version v30 = {{3, 0, 0, 0}, 2};

	if (b->h->kafka_kraft)
		return false;
	if (b->ibp_set && coll_version_cmp(&b->ibp, &b->level) < 0)
		return true;
	/* from 3.0 Kafka ignores the message format pin */
	return b->lmfv_set && coll_version_cmp(&b->lmfv, &b->level) < 0 &&
	       coll_version_cmp(&b->level, &v30) < 0;
}

static int pin_parse(const char *s, struct coll_version *level, bool *set)
{
	struct coll_version v;

	*set = s[0] != '\0';
	if (!*set)
		return 0;
	if (coll_version_parse(s, &v) != 0)
		return -EINVAL;
	coll_version_protocol(&v, level);
	return 0;
}

/* Collects the brokers whose version and pins parse; the others get an
 * unknown kafka.upgrade.pins result naming what could not be read. */
static int upgrade_collect(const char *cluster, const struct coll_host *hosts,
			   size_t n, struct upgrade *u,
			   struct check_results *out)
{
	size_t i;
	int rc = 0;

	memset(u, 0, sizeof *u);
	u->b = calloc(n ? n : 1, sizeof *u->b);
	if (u->b == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		const struct coll_host *h = &hosts[i];
		struct broker *b = &u->b[u->n];
		struct coll_version v;

		if (!coll_host_in(h, cluster, CORE_ROLE_KAFKA))
			continue;
		b->h = h;
		if (coll_version_parse(h->kafka_version, &v) != 0) {
			rc = check_add(out, "kafka.upgrade.pins", h->host_id,
				       SEV_UNKNOWN, h->kafka_version, "",
				       "Kafka version of %s unknown ('%s')",
				       h->host_id, h->kafka_version);
			continue;
		}
		coll_version_protocol(&v, &b->level);
		if (pin_parse(h->ibp, &b->ibp, &b->ibp_set) != 0 ||
		    pin_parse(h->lmfv, &b->lmfv, &b->lmfv_set) != 0) {
			rc = check_add(out, "kafka.upgrade.pins", h->host_id,
				       SEV_UNKNOWN, "", "",
				       "unreadable pin on %s: "
				       "inter.broker.protocol.version='%s' "
				       "log.message.format.version='%s'",
				       h->host_id, h->ibp, h->lmfv);
			continue;
		}
		if (u->n == 0 || coll_version_cmp(&b->level, &u->oldest) < 0) {
			u->oldest = b->level;
			u->old = b;
		}
		if (u->n == 0 || coll_version_cmp(&b->level, &u->newest) > 0)
			u->newest = b->level;
		u->any_pin |= !h->kafka_kraft && (b->ibp_set || b->lmfv_set);
		u->n++;
	}
	return rc;
}

static bool upgrade_mixed(const struct upgrade *u)
{
	return u->n > 0 && coll_version_cmp(&u->oldest, &u->newest) != 0;
}

static int check_pins(const struct upgrade *u, struct check_results *out)
{
	const char *id = "kafka.upgrade.pins";
	char old[32], pin[32], measured[112], required[64];
	size_t i, failed = 0;
	int rc = 0;

	if (u->n == 0)
		return 0;
	coll_version_format(&u->oldest, old, sizeof old);
	snprintf(required, sizeof required, "protocol at most %s", old);
	for (i = 0; rc == 0 && i < u->n; i++) {
		const struct broker *b = &u->b[i];
		const struct coll_host *h = b->h;

		if (broker_held_at(b, &u->oldest))
			continue;
		failed++;
		snprintf(measured, sizeof measured, "%s ibp=%s lmfv=%s",
			 h->kafka_version, h->ibp[0] ? h->ibp : "unset",
			 h->lmfv[0] ? h->lmfv : "unset");
		if (b->ibp_set && coll_version_cmp(&b->ibp, &u->oldest) > 0) {
			coll_version_format(&b->ibp, pin, sizeof pin);
			rc = check_add(out, id, h->host_id, SEV_FAIL, measured,
				       required,
				       "%s pins inter.broker.protocol.version "
				       "to %s while %s still runs %s: the pin "
				       "must stay at %s until every broker is "
				       "upgraded",
				       h->host_id, pin, u->old->h->host_id,
				       u->old->h->kafka_version, old);
		} else if (b->ibp_set) {
			rc = check_add(
			    out, id, h->host_id, SEV_FAIL, measured, required,
			    "log.message.format.version is %s on %s "
			    "(runs %s) while %s still runs %s: "
			    "upgrading from before 0.11 it must be "
			    "pinned to %s as well",
			    h->lmfv[0] ? h->lmfv : "unset", h->host_id,
			    h->kafka_version, u->old->h->host_id,
			    u->old->h->kafka_version, old);
		} else if (u->any_pin) {
			rc = check_add(
			    out, id, h->host_id, SEV_FAIL, measured, required,
			    "pins removed from %s (runs %s) while %s "
			    "still runs %s: pin it to %s again until "
			    "every broker is upgraded",
			    h->host_id, h->kafka_version, u->old->h->host_id,
			    u->old->h->kafka_version, old);
		} else {
			rc = check_add(
			    out, id, h->host_id, SEV_FAIL, measured, required,
			    "%s runs %s, newer than %s (%s), without "
			    "inter.broker.protocol.version%s pinned "
			    "to %s: pin every broker (step 1) before "
			    "the next restart",
			    h->host_id, h->kafka_version, u->old->h->host_id,
			    u->old->h->kafka_version,
			    level_below_011(&u->oldest)
				? " and log.message.format.version"
				: "",
			    old);
		}
	}
	if (rc == 0 && failed == 0)
		rc = check_add(out, id, NULL, SEV_PASS, "", required,
			       "every broker speaks protocol %s or older, "
			       "what the oldest release (%s on %s) speaks",
			       old, u->old->h->kafka_version,
			       u->old->h->host_id);
	return rc;
}

static int check_pending(const struct upgrade *u, struct check_results *out)
{
	const char *id = "kafka.upgrade.pending";
	char names[160] = "", level[32], measured[32];
	size_t i, pinned = 0;

	if (u->n == 0)
		return 0;
	coll_version_format(&u->newest, level, sizeof level);
	if (upgrade_mixed(u))
		return check_add(out, id, NULL, SEV_PASS, "", "",
				 "brokers on mixed versions: the pins stay "
				 "until all run %s",
				 level);
	for (i = 0; i < u->n; i++) {
		if (!broker_pinned_below(&u->b[i]))
			continue;
		pinned++;
		snprintf(names + strlen(names), sizeof names - strlen(names),
			 "%s%s", pinned > 1 ? ", " : "", u->b[i].h->host_id);
	}
	snprintf(measured, sizeof measured, "%zu of %zu pinned", pinned, u->n);
	if (pinned)
		return check_add(out, id, NULL, SEV_WARN, measured, "0 pinned",
				 "all %zu brokers run %s but %s still pin the "
				 "protocol below it: step 3, raise the pins to "
				 "%s one broker at a time",
				 u->n, level, names, level);
	return check_add(out, id, NULL, SEV_PASS, measured, "0 pinned",
			 "no broker pins the protocol below the %s it runs",
			 level);
}

/* A rolling restart takes one broker down at a time; two down at once can
 * take partitions with replication factor 3 below min.insync.replicas 2. */
static int check_concurrent(const char *cluster, const struct coll_host *hosts,
			    size_t n, struct check_results *out)
{
	const char *id = "kafka.upgrade.concurrent";
	char names[160] = "", measured[32];
	size_t i, brokers = 0, down = 0;

	for (i = 0; i < n; i++) {
		if (!coll_host_in(&hosts[i], cluster, CORE_ROLE_KAFKA))
			continue;
		brokers++;
		if (hosts[i].kafka_running && !hosts[i].stale)
			continue;
		down++;
		snprintf(names + strlen(names), sizeof names - strlen(names),
			 "%s%s", down > 1 ? ", " : "", hosts[i].host_id);
	}
	if (brokers == 0)
		return 0;
	snprintf(measured, sizeof measured, "%zu of %zu down", down, brokers);
	if (down > 1)
		return check_add(out, id, NULL, SEV_WARN, measured, "at most 1",
				 "%zu brokers down or not reporting at once "
				 "(%s): restart one at a time and wait for "
				 "the ISR to catch up",
				 down, names);
	return check_add(out, id, NULL, SEV_PASS, measured, "at most 1",
			 down ? "one broker down (%s)"
			      : "every broker running and reporting%s",
			 names);
}

static int check_step(const struct upgrade *u, struct check_results *out)
{
	const char *id = "kafka.upgrade.step";
	char measured[96], old[32], level[32];
	size_t i, upgraded = 0, pinned_below = 0, pinned_at = 0, zk_mode = 0;

	if (u->n == 0)
		return 0;
	coll_version_format(&u->oldest, old, sizeof old);
	coll_version_format(&u->newest, level, sizeof level);
	for (i = 0; i < u->n; i++) {
		const struct broker *b = &u->b[i];

		upgraded += coll_version_cmp(&b->level, &u->newest) == 0;
		pinned_below += broker_pinned_below(b);
		if (b->h->kafka_kraft)
			continue;
		zk_mode++;
		pinned_at += b->ibp_set &&
			     coll_version_cmp(&b->ibp, &b->level) == 0 &&
			     (!level_below_011(&b->level) || b->lmfv_set);
	}
	if (upgrade_mixed(u)) {
		snprintf(measured, sizeof measured,
			 "step 2: %zu of %zu brokers upgraded", upgraded, u->n);
		return check_add(out, id, NULL, SEV_INFO, measured, "",
				 "%zu of %zu brokers run %s, the others %s or "
				 "newer: upgrade one at a time, checking "
				 "replication and ISR after each",
				 upgraded, u->n, level, old);
	}
	if (pinned_below) {
		snprintf(measured, sizeof measured,
			 "step 3: pins being removed");
		return check_add(out, id, NULL, SEV_INFO, measured, "",
				 "all brokers run %s; %zu of %zu still pin the "
				 "protocol below it",
				 level, pinned_below, u->n);
	}
	if (zk_mode > 0 && pinned_at == zk_mode) {
		snprintf(measured, sizeof measured,
			 "step 1: pinned, not started");
		return check_add(out, id, NULL, SEV_INFO, measured, "",
				 "every broker pins the protocol to the %s it "
				 "runs: brokers can be upgraded one at a time",
				 level);
	}
	return check_add(out, id, NULL, SEV_INFO, "idle", "",
			 "every broker runs %s; no upgrade under way", level);
}

int coll_fleet_upgrade_judge(const char *cluster, const struct coll_host *hosts,
			     size_t n, struct check_results *out)
{
	struct upgrade u;
	int rc;

	rc = upgrade_collect(cluster, hosts, n, &u, out);
	if (rc == 0)
		rc = check_pins(&u, out);
	if (rc == 0)
		rc = check_pending(&u, out);
	if (rc == 0)
		rc = check_concurrent(cluster, hosts, n, out);
	if (rc == 0)
		rc = check_step(&u, out);
	free(u.b);
	return rc;
}
