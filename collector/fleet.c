/*
 * The cluster judgement: the ZooKeeper ensemble and the Kafka cluster as a
 * whole (ROLES.md "fleet, per cluster").  One small function per check id,
 * run from one table over the hosts of one cluster.
 *
 * The ensemble is the set of hosts of the cluster that carry the ZooKeeper
 * role; the server.N lines each of them reports are only cross-checked
 * against it, because a host without an agent cannot be judged for placement
 * anyway and the disagreement itself is what the operator must see.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_int.h"

void coll_fleet_thresholds_default(struct coll_fleet_thresholds *th)
{
	th->skew_below_pct = 50;
	th->kafka_min_brokers = 3;
}

bool coll_host_in(const struct coll_host *h, const char *cluster, unsigned role)
{
	return (h->roles & role) && strcmp(h->cluster, cluster) == 0;
}

size_t fleet_role_count(const struct fleet_view *v, unsigned role)
{
	size_t i, c = 0;

	for (i = 0; i < v->n; i++)
		c += coll_host_in(&v->hosts[i], v->cluster, role);
	return c;
}

/* Appends a host name to a comma-separated list; a list that would
 * overflow ends in "..." so a message never cuts a name in half. */
void fleet_names_add(char *buf, size_t len, const char *name)
{
	size_t cur = strlen(buf), need = strlen(name) + (cur ? 2 : 0);

	if (cur >= 3 && strcmp(buf + cur - 3, "...") == 0)
		return;
	if (cur + need + 5 < len)
		snprintf(buf + cur, len - cur, "%s%s", cur ? ", " : "", name);
	else if (cur + 5 < len)
		snprintf(buf + cur, len - cur, "%s...", cur ? ", " : "");
}

/* A host's failure domain is its rack; hosts in a cloud name an
 * availability zone and no rack, and there the zone is the domain. */
const char *fleet_conf_domain(const struct coll_host *h, const char **kind)
{
	if (h->rack[0]) {
		*kind = "rack";
		return h->rack;
	}
	*kind = "zone";
	return h->zone[0] ? h->zone : NULL;
}

static int judge_zk_size(const struct fleet_view *v, struct check_results *out)
{
	size_t n = fleet_role_count(v, CORE_ROLE_ZOOKEEPER);
	const char *req =
	    v->critical ? "odd, 5 for a critical cluster" : "odd, at least 3";
	char measured[32];

	snprintf(measured, sizeof measured, "%zu server%s", n,
		 n == 1 ? "" : "s");
	if (n < 3)
		return check_add(out, "zookeeper.ensemble.size", NULL, SEV_FAIL,
				 measured, req,
				 "%zu server%s: below 3%s, the loss of one "
				 "server stops the ensemble",
				 n, n == 1 ? "" : "s",
				 n % 2 ? "" : " and even");
	if (n % 2 == 0)
		return check_add(
		    out, "zookeeper.ensemble.size", NULL, SEV_FAIL, measured,
		    req,
		    "%zu servers: even, a quorum needs %zu and "
		    "survives %zu loss%s, no more than %zu servers "
		    "would; use an odd count",
		    n, n / 2 + 1, (n - 1) / 2, (n - 1) / 2 == 1 ? "" : "es",
		    n - 1);
	if (n == 3 && v->critical)
		return check_add(out, "zookeeper.ensemble.size", NULL, SEV_WARN,
				 measured, req,
				 "3 servers survive 1 loss; a critical cluster "
				 "should run 5 to survive 2");
	return check_add(out, "zookeeper.ensemble.size", NULL, SEV_PASS,
			 measured, req, "%zu servers: odd, survives %zu loss%s",
			 n, (n - 1) / 2, (n - 1) / 2 == 1 ? "" : "es");
}

/* zoo.cfg's server.N lines against the hosts that report the role: a
 * different count means the view is missing servers, or a host with the
 * role is outside the quorum this server knows. */
static int check_zk_configured(const struct fleet_view *v,
			       struct check_results *out)
{
	size_t reporting = fleet_role_count(v, CORE_ROLE_ZOOKEEPER), i;
	char measured[32], required[32];
	int rc = 0;

	snprintf(required, sizeof required, "%zu reporting", reporting);
	for (i = 0; rc == 0 && i < v->n; i++) {
		const struct coll_host *h = &v->hosts[i];
		size_t conf;

		if (!coll_host_in(h, v->cluster, CORE_ROLE_ZOOKEEPER) ||
		    h->n_ensemble == 0 || h->n_ensemble == reporting)
			continue;
		conf = h->n_ensemble;
		snprintf(measured, sizeof measured, "%zu configured", conf);
		if (conf > reporting)
			rc = check_add(
			    out, "zookeeper.ensemble.size", h->host_id,
			    SEV_WARN, measured, required,
			    "zoo.cfg on %s lists %zu servers but %zu "
			    "hosts of cluster %s report the ZooKeeper "
			    "role: %zu run no agent or name another "
			    "cluster; size and placement are judged "
			    "on the %zu that report",
			    h->host_id, conf, reporting, v->cluster,
			    conf - reporting, reporting);
		else
			rc = check_add(
			    out, "zookeeper.ensemble.size", h->host_id,
			    SEV_WARN, measured, required,
			    "zoo.cfg on %s lists %zu servers but %zu "
			    "hosts of cluster %s report the ZooKeeper "
			    "role: %zu of them are outside this "
			    "server's ensemble (standalone or another "
			    "ensemble)",
			    h->host_id, conf, reporting, v->cluster,
			    reporting - conf);
	}
	return rc;
}

/* A quorum needs more than half of the servers, so a domain holding half
 * or more takes the quorum with it when it goes: 2 of 4 stops it too. */
static int check_zk_placement(const struct fleet_view *v,
			      struct check_results *out)
{
	const char *id = "zookeeper.ensemble.placement";
	const char *req = "every rack/zone below half";
	struct placement p;
	char measured[96];

	if (fleet_placement(v, CORE_ROLE_ZOOKEEPER, &p) < 0)
		return -ENOMEM;
	if (p.top != NULL && 2 * p.top_count >= p.members) {
		snprintf(measured, sizeof measured, "%zu of %zu in %s %s",
			 p.top_count, p.members, p.top_kind, p.top);
		if (p.domains == 1 && p.unknown == 0)
			return check_add(out, id, NULL, SEV_FAIL, measured, req,
					 "all %zu servers in %s %s: losing it "
					 "stops the ensemble; spread them over "
					 "racks (or 2-3 zones)",
					 p.members, p.top_kind, p.top);
		return check_add(out, id, NULL, SEV_FAIL, measured, req,
				 "%s %s holds %zu of %zu servers: losing it "
				 "leaves no quorum (more than half)",
				 p.top_kind, p.top, p.top_count, p.members);
	}
	if (p.unknown) {
		snprintf(measured, sizeof measured, "%zu of %zu without rack",
			 p.unknown, p.members);
		return check_add(out, id, NULL, SEV_UNKNOWN, measured, req,
				 "racks unknown for %s: set rack (or zone) in "
				 "kagent.conf [host], or run lldpd",
				 p.unknown_names);
	}
	snprintf(measured, sizeof measured,
		 "%zu racks/zones, at most %zu in one", p.domains, p.top_count);
	return check_add(out, id, NULL, SEV_PASS, measured, req,
			 "%zu servers over %zu racks/zones: losing any one "
			 "leaves a quorum",
			 p.members, p.domains);
}

/* The ensemble's and the cluster's size also as a number, beside
 * "3 servers", for scripts reading /api/fleet. */
static int check_zk_size(const struct fleet_view *v, struct check_results *out)
{
	int rc = judge_zk_size(v, out);

	if (rc == 0)
		check_set_value(out, CHECK_UNIT_SERVERS,
				(int64_t)fleet_role_count(v, CORE_ROLE_ZOOKEEPER));
	return rc;
}

static int judge_kafka_size(const struct fleet_view *v,
			    struct check_results *out)
{
	size_t n = fleet_role_count(v, CORE_ROLE_KAFKA);
	/* The replication factor the cluster is meant to hold: one broker
	 * per replica ([fleet] kafka.cluster.size.fail_below, 3). */
	long long rf = (long long)v->th->kafka_min_brokers;
	char measured[32], required[32];

	snprintf(measured, sizeof measured, "%zu broker%s", n,
		 n == 1 ? "" : "s");
	snprintf(required, sizeof required, "at least %lld", rf);
	if ((long long)n < rf)
		return check_add(out, "kafka.cluster.size", NULL, SEV_FAIL,
				 measured, required,
				 "%zu broker%s: replication factor %lld needs "
				 "%lld brokers",
				 n, n == 1 ? "" : "s", rf, rf);
	return check_add(out, "kafka.cluster.size", NULL, SEV_PASS, measured,
			 required, "%zu broker%s: replication factor %lld fits",
			 n, n == 1 ? "" : "s", rf);
}

static int check_kafka_size(const struct fleet_view *v,
			    struct check_results *out)
{
	int rc = judge_kafka_size(v, out);

	if (rc == 0)
		check_set_value(out, CHECK_UNIT_BROKERS,
				(int64_t)fleet_role_count(v, CORE_ROLE_KAFKA));
	return rc;
}

static int check_kafka_placement(const struct fleet_view *v,
				 struct check_results *out)
{
	const char *id = "kafka.cluster.placement";
	const char *req = "several racks/zones";
	struct placement p;
	char measured[96];

	if (fleet_placement(v, CORE_ROLE_KAFKA, &p) < 0)
		return -ENOMEM;
	if (p.unknown) {
		snprintf(measured, sizeof measured, "%zu of %zu without rack",
			 p.unknown, p.members);
		return check_add(out, id, NULL, SEV_UNKNOWN, measured, req,
				 "racks unknown for %s: set rack (or zone) in "
				 "kagent.conf [host], or run lldpd",
				 p.unknown_names);
	}
	if (p.domains == 1) {
		snprintf(measured, sizeof measured, "all %zu in %s %s",
			 p.members, p.top_kind, p.top);
		return check_add(out, id, NULL, SEV_WARN, measured, req,
				 "all %zu brokers in %s %s: losing it loses "
				 "every replica of every partition",
				 p.members, p.top_kind, p.top);
	}
	snprintf(measured, sizeof measured,
		 "%zu racks/zones, at most %zu in one", p.domains, p.top_count);
	return check_add(out, id, NULL, SEV_PASS, measured, req,
			 "%zu brokers over %zu racks/zones", p.members,
			 p.domains);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Kafka puts only new partitions on a new broker, so a broker far below
 * the median stays there until someone moves partitions onto it. */
static int check_kafka_skew(const struct fleet_view *v,
			    struct check_results *out)
{
	const char *id = "kafka.cluster.partition_skew";
	int64_t *counts, median, pct = v->th->skew_below_pct;
	size_t i, known = 0, warned = 0;
	char measured[96], required[96];
	int rc = 0;

	/* The assignment itself, when every partition's is known; the
	 * directories on disk are the fallback. */
	if (v->kafka != NULL && v->kafka->state == KV_COMPLETE)
		return fleet_check_kafka_skew_meta(v, out);
	counts = calloc(v->n ? v->n : 1, sizeof *counts);
	if (counts == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < v->n; i++) {
		const struct coll_host *h = &v->hosts[i];

		if (!coll_host_in(h, v->cluster, CORE_ROLE_KAFKA))
			continue;
		if (h->partition_dirs.known && h->partition_dirs.v >= 0)
			counts[known++] = h->partition_dirs.v;
		else
			rc =
			    check_add(out, id, h->host_id, SEV_UNKNOWN, "", "",
				      "partition directories of %s not counted",
				      h->host_id);
	}
	if (rc)
		goto out_free_counts;
	if (known < 2) {
		rc = check_add(out, id, NULL, SEV_UNKNOWN, "", "",
			       "%zu broker%s with counted partition "
			       "directories: nothing to compare",
			       known, known == 1 ? "" : "s");
		goto out_free_counts;
	}
	qsort(counts, known, sizeof *counts, cmp_i64);
	median = known % 2 ? counts[known / 2]
			   : (counts[known / 2 - 1] + counts[known / 2]) / 2;
	snprintf(required, sizeof required, "%" PRId64 "%% of median %" PRId64,
		 pct, median);
	for (i = 0; rc == 0 && i < v->n; i++) {
		const struct coll_host *h = &v->hosts[i];
		int64_t c = h->partition_dirs.v;

		if (!coll_host_in(h, v->cluster, CORE_ROLE_KAFKA) ||
		    !h->partition_dirs.known || c < 0)
			continue;
		/* doubles: exact for any partition count a broker can hold */
		if (!((double)c * 100.0 < (double)pct * (double)median ||
		      (c == 0 && median > 0)))
			continue;
		warned++;
		snprintf(measured, sizeof measured,
			 "%" PRId64 " partition dirs", c);
		rc =
		    check_add(out, id, h->host_id, SEV_WARN, measured, required,
			      "%s holds %" PRId64 " partition directories, the "
			      "median is %" PRId64 ": Kafka places only new "
			      "topics on it; reassign existing partitions by "
			      "hand, one topic at a time, ideally after "
			      "shrinking partitions (retention)",
			      h->host_id, c, median);
	}
	if (rc == 0 && warned == 0) {
		snprintf(measured, sizeof measured, "median %" PRId64, median);
		rc =
		    check_add(out, id, NULL, SEV_PASS, measured, required,
			      "every broker holds at least %" PRId64 "%% of "
			      "the median of %" PRId64 " partition directories",
			      pct, median);
	}
out_free_counts:
	free(counts);
	return rc;
}

static const struct {
	unsigned role;
	int (*run)(const struct fleet_view *v, struct check_results *out);
} fleet_checks[] = {
    {CORE_ROLE_ZOOKEEPER, check_zk_size},
    {CORE_ROLE_ZOOKEEPER, check_zk_configured},
    {CORE_ROLE_ZOOKEEPER, check_zk_placement},
    {CORE_ROLE_KAFKA, check_kafka_size},
    {CORE_ROLE_KAFKA, check_kafka_placement},
    {CORE_ROLE_KAFKA, fleet_check_kafka_rack_mismatch},
    {CORE_ROLE_KAFKA, check_kafka_skew},
    {CORE_ROLE_KAFKA, fleet_check_kafka_urp},
    {CORE_ROLE_KAFKA, fleet_check_kafka_offline},
    {CORE_ROLE_KAFKA, fleet_check_kafka_rack_spread},
    {CORE_ROLE_ZOOKEEPER | CORE_ROLE_KAFKA, fleet_check_rack_lldp},
};

int coll_fleet_judge_kafka(const char *cluster, const struct coll_host *hosts,
			   size_t n, bool critical,
			   const struct coll_fleet_thresholds *th,
			   const struct kafka_view *kv,
			   struct check_results *out)
{
	struct fleet_view v = {cluster, hosts, n, critical, th, kv};
	size_t i;
	int rc = 0;

	if (cluster == NULL || (hosts == NULL && n > 0) || th == NULL ||
	    out == NULL || th->skew_below_pct < 0 || th->skew_below_pct > 100 ||
	    th->kafka_min_brokers < 1)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v.critical |=
		    strcmp(hosts[i].cluster, cluster) == 0 && hosts[i].critical;
	for (i = 0; rc == 0 && i < sizeof fleet_checks / sizeof fleet_checks[0];
	     i++)
		if (fleet_role_count(&v, fleet_checks[i].role) > 0)
			rc = fleet_checks[i].run(&v, out);
	if (rc == 0)
		rc = coll_fleet_upgrade_judge(cluster, hosts, n, out);
	if (rc == 0 && fleet_role_count(&v, CORE_ROLE_KAFKA) > 0)
		rc = fleet_check_kafka_next(&v, out);
	return rc;
}

int coll_fleet_judge_with(const char *cluster, const struct coll_host *hosts,
			  size_t n, bool critical,
			  const struct coll_fleet_thresholds *th,
			  struct check_results *out)
{
	return coll_fleet_judge_kafka(cluster, hosts, n, critical, th, NULL,
				      out);
}

int coll_fleet_judge(const char *cluster, const struct coll_host *hosts,
		     size_t n, bool critical, struct check_results *out)
{
	struct coll_fleet_thresholds th;

	coll_fleet_thresholds_default(&th);
	return coll_fleet_judge_with(cluster, hosts, n, critical, &th, out);
}

int coll_fleet_verdict(const char *cluster, const struct coll_host *hosts,
		       size_t n, bool critical, enum check_severity *verdict)
{
	struct check_results r = {0};
	int rc;

	rc = coll_fleet_judge(cluster, hosts, n, critical, &r);
	if (rc == 0)
		*verdict = check_verdict(&r);
	check_results_free(&r);
	return rc;
}
