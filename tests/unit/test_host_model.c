/* A stored Report as the fleet judgement sees it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pb_encode.h>

#include "collector.h"

static void test_stale_after_three_intervals(void **state)
{
	(void)state;
	assert_false(coll_host_is_stale(1000, 10, 1000 + 30000));
	assert_true(coll_host_is_stale(1000, 10, 1000 + 30001));
	/* No interval announced: the agent's default of 60 s. */
	assert_false(coll_host_is_stale(0, 0, 180000));
	assert_true(coll_host_is_stale(0, 0, 180001));
}

static void test_host_id_rules(void **state)
{
	char long_id[65];

	(void)state;
	assert_true(coll_host_id_valid("kafka-03.dc1"));
	assert_false(coll_host_id_valid(""));
	assert_false(coll_host_id_valid("a b"));
	assert_false(coll_host_id_valid("caf\xc3\xa9"));
	memset(long_id, 'x', 63);
	long_id[63] = '\0';
	assert_true(coll_host_id_valid(long_id));
	long_id[63] = 'x';
	long_id[64] = '\0';
	assert_false(coll_host_id_valid(long_id));
}

static void test_severity_unspecified_is_not_pass(void **state)
{
	(void)state;
	assert_int_equal(coll_severity_from_proto(0), -1);
	assert_int_equal(coll_severity_from_proto(1), SEV_PASS);
	assert_int_equal(coll_severity_from_proto(5), SEV_FAIL);
	assert_int_equal(coll_severity_from_proto(6), -1);
}

static void fill(kagent_v1_Report *r)
{
	memset(r, 0, sizeof *r);
	strcpy(r->host_id, "b1");
	strcpy(r->cluster, "payments");
	strcpy(r->rack, "r7");
	strcpy(r->zone, "dc1-a");
	r->roles_count = 2;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->roles[1] = kagent_v1_Role_ROLE_ZOOKEEPER;
	r->seq = 3;
	r->report_interval_s = 10;
	r->has_kafka = true;
	r->kafka.present = true;
	r->kafka.has_broker_id = true;
	r->kafka.broker_id = 1003;
	strcpy(r->kafka.broker_rack, "r7");
	strcpy(r->kafka.installed_version, "3.6.1");
	strcpy(r->kafka.inter_broker_protocol_version, "3.5");
	r->kafka.has_running = true;
	r->kafka.running = true;
	r->kafka.log_dirs_count = 2;
	r->kafka.log_dirs[0].has_partition_dirs = true;
	r->kafka.log_dirs[0].partition_dirs = 40;
	r->kafka.log_dirs[1].has_partition_dirs = true;
	r->kafka.log_dirs[1].partition_dirs = 2;
	r->has_zookeeper = true;
	strcpy(r->zookeeper.mode, "follower");
	strcpy(r->zookeeper.version, "3.8.0");
	r->zookeeper.ensemble_count = 3;
	r->zookeeper.ensemble[0].id = 1;
	strcpy(r->zookeeper.ensemble[0].host, "zk1");
	r->zookeeper.ensemble[1].id = 2;
	strcpy(r->zookeeper.ensemble[1].host, "zk2");
	r->zookeeper.ensemble[2].id = 9;
	strcpy(r->zookeeper.ensemble[2].host, "obs");
	r->zookeeper.ensemble[2].observer = true;
}

static void test_report_to_host(void **state)
{
	kagent_v1_Report *r = malloc(sizeof *r);
	struct coll_host h;

	(void)state;
	fill(r);
	coll_host_from_report(r, 5000, 5000 + 30001, &h);
	assert_string_equal(h.host_id, "b1");
	assert_string_equal(h.cluster, "payments");
	assert_string_equal(h.rack, "r7");
	assert_string_equal(h.zone, "dc1-a");
	assert_int_equal(h.roles, CORE_ROLE_KAFKA | CORE_ROLE_ZOOKEEPER);
	assert_true(h.stale);
	assert_int_equal(h.broker_id.v, 1003);
	assert_true(h.broker_id.known);
	assert_string_equal(h.kafka_version, "3.6.1");
	assert_string_equal(h.ibp, "3.5");
	assert_string_equal(h.lmfv, "");
	assert_true(h.kafka_running);
	assert_false(h.kafka_kraft);
	assert_true(h.partition_dirs.known);
	assert_int_equal(h.partition_dirs.v, 42);
	/* Observers do not vote: the ensemble is the two participants. */
	assert_int_equal(h.n_ensemble, 2);
	assert_string_equal(h.ensemble[1].host, "zk2");
	assert_string_equal(h.zk_mode, "follower");
	assert_string_equal(h.zk_version, "3.8.0");
	assert_false(h.zk_running);
	assert_false(h.zk_running_known);
	free(r);
}

static void test_partition_dirs_unknown_when_one_dir_is(void **state)
{
	kagent_v1_Report *r = malloc(sizeof *r);
	struct coll_host h;

	(void)state;
	fill(r);
	r->kafka.log_dirs[1].has_partition_dirs = false;
	coll_host_from_report(r, 0, 0, &h);
	assert_false(h.partition_dirs.known);
	assert_false(h.stale);
	free(r);
}

static void test_stored_report_decodes_with_checks(void **state)
{
	kagent_v1_Report *r = malloc(sizeof *r), *back = malloc(sizeof *back);
	struct proto_lists l, lb;
	struct check_results cr = {0};
	kagent_v1_CheckResult *c;
	uint8_t buf[8192];
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof buf);

	(void)state;
	fill(r);
	proto_lists_init(&l);
	proto_lists_init(&lb);
	proto_report_bind(r, &l);
	assert_int_equal(proto_list_add(&l.checks, (void **)&c), 0);
	strcpy(c->id, "kafka.memory");
	c->severity = kagent_v1_Severity_SEVERITY_FAIL;
	strcpy(c->measured, "4 GiB");
	strcpy(c->message, "below 8 GB");
	assert_int_equal(proto_list_add(&l.checks, (void **)&c), 0);
	strcpy(c->id, "disk.health");
	strcpy(c->instance, "sda");
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	assert_int_equal(
	    coll_report_decode(buf, os.bytes_written, back, &lb, NULL), 0);
	assert_string_equal(back->host_id, "b1");
	assert_int_equal(back->kafka.broker_id, 1003);
	assert_int_equal(coll_checks_from_report(&lb, &cr), 0);
	assert_int_equal(cr.n, 2);
	assert_string_equal(cr.v[0].id, "kafka.memory");
	assert_int_equal(cr.v[0].sev, SEV_FAIL);
	assert_string_equal(cr.v[0].measured, "4 GiB");
	assert_string_equal(cr.v[0].message, "below 8 GB");
	/* A check without a severity is unknown, never pass. */
	assert_string_equal(cr.v[1].instance, "sda");
	assert_int_equal(cr.v[1].sev, SEV_UNKNOWN);
	assert_int_equal(coll_report_decode(buf, 3, back, &lb, NULL), -EBADMSG);
	check_results_free(&cr);
	proto_lists_free(&l);
	proto_lists_free(&lb);
	free(r);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stale_after_three_intervals),
	    cmocka_unit_test(test_host_id_rules),
	    cmocka_unit_test(test_severity_unspecified_is_not_pass),
	    cmocka_unit_test(test_report_to_host),
	    cmocka_unit_test(test_partition_dirs_unknown_when_one_dir_is),
	    cmocka_unit_test(test_stored_report_decodes_with_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
