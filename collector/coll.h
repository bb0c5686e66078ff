/*
 * coll.h — the collector: what it knows of each host and how it judges a
 * cluster as a whole (ROLES.md "fleet, per cluster" and "Rolling upgrade").
 *
 * The judgement is a set of pure functions over an array of hosts, so the
 * same code serves `kagent fleet`, /metrics and the tests; results use the
 * agent's check engine (agent/checks/check.h) and its ids.
 */
#ifndef KAGENT_COLL_H
#define KAGENT_COLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_check.h"
#include "core.h"

/* ---- fleet.c: the fleet model and the cluster judgement ---- */

/* zoo.cfg allows any number of server.N lines; the report carries 16. */
#define COLL_ENSEMBLE_MAX 16

struct coll_zk_server {
	int id; /* N of server.N */
	char host[128];
};

/* A bond of two ports to a pair of top-of-rack switches sees two; more
 * than four uplink switches is not a rack's layout. */
#define COLL_SWITCHES_MAX    4
#define COLL_SWITCH_NAME_MAX 256

/* One host as the collector knows it, from the agent's last report.
 * Strings are empty when unknown or unset. */
struct coll_host {
	char host_id[64];
	char cluster[64];
	unsigned roles; /* CORE_ROLE_* */
	char rack[64];
	char zone[64];
	bool critical;
	int64_t last_seen_ms;
	bool stale; /* no report within the expected time */
	/* kafka */
	bool kafka_present;
	struct hw_num broker_id;
	char broker_rack[64];	/* broker.rack */
	char kafka_version[32]; /* of the broker's jars, "3.6.1" */
	char ibp[32];		/* inter.broker.protocol.version */
	char lmfv[32];		/* log.message.format.version */
	bool kafka_kraft;	/* process.roles set: KRaft mode */
	bool kafka_running;
	struct hw_num partition_dirs; /* summed over log.dirs */
	/* zookeeper */
	char zk_mode[16]; /* leader, follower, standalone */
	char zk_version[64];
	bool zk_running;
	bool zk_running_known;
	size_t n_ensemble; /* server.N lines of zoo.cfg */
	struct coll_zk_server ensemble[COLL_ENSEMBLE_MAX];
	/* LLDP: the switches its uplinks see (System Names, distinct,
	 * sorted); none known: lldp_reason says why. */
	size_t n_switches;
	char switches[COLL_SWITCHES_MAX][COLL_SWITCH_NAME_MAX];
	char lldp_reason[128];
};

struct coll_fleet_thresholds {
	/* kafka.cluster.partition_skew: warn below this % of the median */
	int64_t skew_below_pct;
	/* kafka.cluster.size: fail below this many brokers */
	int64_t kafka_min_brokers;
};

void coll_fleet_thresholds_default(struct coll_fleet_thresholds *th);

/* Whether h belongs to `cluster` and has one of the roles in `role`. */
bool coll_host_in(const struct coll_host *h, const char *cluster,
		  unsigned role);

/* Judges the hosts of `cluster` among hosts[0..n) (others are ignored):
 * zookeeper.ensemble.*, kafka.cluster.*, and through
 * coll_fleet_upgrade_judge the kafka.upgrade.* results.  The cluster is
 * critical when `critical` is set or any of its hosts is.  A role no host
 * of the cluster has gives no results.  0, -EINVAL, or -ENOMEM (results
 * added so far stay in out). */
int coll_fleet_judge(const char *cluster, const struct coll_host *hosts,
		     size_t n, bool critical, struct check_results *out);
int coll_fleet_judge_with(const char *cluster, const struct coll_host *hosts,
			  size_t n, bool critical,
			  const struct coll_fleet_thresholds *th,
			  struct check_results *out);
/* The same, with the cluster's live Kafka metadata (kafka_view.h) for
 * the checks that read it; kv NULL is coll_fleet_judge_with. */
struct kafka_view;
int coll_fleet_judge_kafka(const char *cluster, const struct coll_host *hosts,
			   size_t n, bool critical,
			   const struct coll_fleet_thresholds *th,
			   const struct kafka_view *kv,
			   struct check_results *out);
/* The cluster's verdict (check_verdict of coll_fleet_judge's results). */
int coll_fleet_verdict(const char *cluster, const struct coll_host *hosts,
		       size_t n, bool critical, enum check_severity *verdict);

/* ---- fleet_upgrade.c: versions and the rolling upgrade ---- */

#define COLL_VERSION_PARTS 4

/* A dotted release number: "3.6.1" → {3,6,1}, n = 3. */
struct coll_version {
	unsigned v[COLL_VERSION_PARTS];
	unsigned n;
};

/* Parses leading dotted numbers and stops at a '-' suffix: "3.10.0",
 * "0.10.2.1", "2.8", "3.6-IV2" (→ 3.6), "2.8.1-SNAPSHOT".  -EINVAL for
 * anything else (empty, "3.", "3.6a", more than 4 parts, a part above
 * 999999). */
int coll_version_parse(const char *s, struct coll_version *out);
/* Numeric, part by part; a missing part is 0, so 2.8 == 2.8.0.  <0, 0, >0. */
int coll_version_cmp(const struct coll_version *a,
		     const struct coll_version *b);
/* "3.6.1": the parts of v, dotted; "" for none.  Cut to fit len. */
void coll_version_format(const struct coll_version *v, char *buf, size_t len);
/* The protocol level a release speaks, what inter.broker.protocol.version
 * names: MAJOR.MINOR from 1.0 on (3.6.1 → 3.6), 0.MINOR.PATCH before
 * (0.10.2.1 → 0.10.2). */
void coll_version_protocol(const struct coll_version *v,
			   struct coll_version *out);

/* kafka.upgrade.pins, kafka.upgrade.pending, kafka.upgrade.concurrent and
 * kafka.upgrade.step (info) over the Kafka hosts of `cluster`.  0 or
 * -ENOMEM. */
int coll_fleet_upgrade_judge(const char *cluster, const struct coll_host *hosts,
			     size_t n, struct check_results *out);

#endif
