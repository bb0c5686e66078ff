/* /api/fleet's hosts: each ZooKeeper host's mode, version and whether its
 * server runs, as its last report says; null for a host without the
 * role.  Its cluster checks: the measured value as a number, instance
 * null. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector.h"

static void host(struct coll_fleet_host *fh, const char *id, unsigned roles,
		 const char *mode, bool running_known, bool running)
{
	memset(fh, 0, sizeof *fh);
	snprintf(fh->h.host_id, sizeof fh->h.host_id, "%s", id);
	snprintf(fh->h.cluster, sizeof fh->h.cluster, "zk3");
	fh->h.roles = roles;
	snprintf(fh->h.zk_mode, sizeof fh->h.zk_mode, "%s", mode);
	if (mode[0])
		snprintf(fh->h.zk_version, sizeof fh->h.zk_version, "3.8.0");
	fh->h.zk_running_known = running_known;
	fh->h.zk_running = running;
	fh->verdict = SEV_PASS;
}

static json_t *zk_of(json_t *doc, size_t i)
{
	return json_object_get(json_array_get(json_object_get(doc, "hosts"), i),
			       "zookeeper");
}

/* Check i of the first cluster as compact JSON with sorted keys. */
static const char *check_json(json_t *doc, size_t i)
{
	static char buf[1024];
	json_t *checks = json_object_get(
	    json_array_get(json_object_get(doc, "clusters"), 0), "checks");
	char *t = json_dumps(json_array_get(checks, i),
			     JSON_COMPACT | JSON_SORT_KEYS);

	snprintf(buf, sizeof buf, "%s", t ? t : "");
	free(t);
	return buf;
}

static void test_fleet_hosts_show_zookeeper_mode(void **state)
{
	struct coll_fleet_host v[4];
	char clusters[1][64] = {"zk3"};
	struct coll_fleet f = {
	    .v = v, .n = 4, .clusters = clusters, .n_clusters = 1};
	json_t *doc, *z;

	(void)state;
	coll_fleet_thresholds_default(&f.th);
	host(&v[0], "zk3-a", CORE_ROLE_ZOOKEEPER, "leader", true, true);
	host(&v[1], "zk3-b", CORE_ROLE_ZOOKEEPER, "", true, false);
	host(&v[2], "zk3-c", CORE_ROLE_ZOOKEEPER, "", false, false);
	host(&v[3], "kafka-a", CORE_ROLE_KAFKA, "", false, false);
	doc = coll_api_fleet(&f);
	assert_non_null(doc);
	z = zk_of(doc, 0);
	assert_string_equal(json_string_value(json_object_get(z, "mode")),
			    "leader");
	assert_string_equal(json_string_value(json_object_get(z, "version")),
			    "3.8.0");
	assert_true(json_is_true(json_object_get(z, "running")));
	z = zk_of(doc, 1);
	assert_true(json_is_null(json_object_get(z, "mode")));
	assert_true(json_is_null(json_object_get(z, "version")));
	assert_true(json_is_false(json_object_get(z, "running")));
	/* A server that answers but does not serve: running unknown. */
	z = zk_of(doc, 2);
	assert_true(json_is_null(json_object_get(z, "running")));
	assert_true(json_is_null(zk_of(doc, 3)));
	/* A cluster check's measured count also as a number; null where
	 * the measurement is no single number; no instance is null. */
	assert_string_equal(check_json(doc, 0),
			    "{\"id\":\"zookeeper.ensemble.size\","
			    "\"instance\":null,\"measured\":\"3 servers\","
			    "\"measured_value\":{\"servers\":3},"
			    "\"message\":\"3 servers: odd, survives 1 loss\","
			    "\"required\":\"odd, at least 3\","
			    "\"severity\":\"pass\"}");
	assert_string_equal(check_json(doc, 1),
			    "{\"id\":\"zookeeper.ensemble.placement\","
			    "\"instance\":null,"
			    "\"measured\":\"3 of 3 without rack\","
			    "\"measured_value\":null,"
			    "\"message\":\"racks unknown for zk3-a, zk3-b, "
			    "zk3-c: set rack (or zone) in kagent.conf [host], or run lldpd\","
			    "\"required\":\"every rack/zone below half\","
			    "\"severity\":\"unknown\"}");
	assert_string_equal(check_json(doc, 2),
			    "{\"id\":\"kafka.cluster.size\",\"instance\":null,"
			    "\"measured\":\"1 broker\","
			    "\"measured_value\":{\"brokers\":1},"
			    "\"message\":\"1 broker: replication factor 3 "
			    "needs 3 brokers\",\"required\":\"at least 3\","
			    "\"severity\":\"fail\"}");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fleet_hosts_show_zookeeper_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
