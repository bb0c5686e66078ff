/* A Report built from a whole fixture host, encoded, decoded back; and the
 * prober's refusal of a request it does not know. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"

#define HOST FIXTURES "/host-broker"

static void test_report_of_broker_fixture_decodes_to_its_facts(void **state)
{
	struct facts_opts opts = { .live_zk = false };
	struct check_results res = { 0 };
	struct hw_err err = { { 0 } };
	struct report_input in = { 0 };
	struct proto_lists l, back;
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	uint8_t *buf = malloc(PROBER_BODY_MAX);
	struct facts *f = calloc(1, sizeof *f);
	const kagent_v1_Report *r;
	struct conf conf;
	size_t len;

	(void)state;
	conf_defaults(&conf);
	conf.roles = CORE_ROLE_KAFKA | CORE_ROLE_ZOOKEEPER;
	strcpy(conf.cluster, "prod-a");
	strcpy(conf.rack, "r7");
	assert_int_equal(facts_gather(HOST, &conf, conf.roles, &opts, f, &err), 0);
	assert_int_equal(check_run(f, conf.roles, &res), 0);
	/* The last result as if judged on a probe kept 1.5 s. */
	res.v[res.n - 1].age_known = true;
	res.v[res.n - 1].age_ms = 1500;
	proto_lists_init(&l);
	proto_lists_init(&back);
	in.host_id = "test-1";
	in.facts = f;
	in.checks = &res;
	in.sensors_why = "sensors are read on the live host only";
	in.seq = 42;
	in.timestamp_ms = 1700000000123;
	in.interval_s = 60;
	e->which_msg = kagent_v1_Envelope_report_tag;
	assert_int_equal(report_build(&in, &e->msg.report, &l), 0);
	assert_int_equal(proto_envelope_encode(e, buf, PROBER_BODY_MAX, &len, &err), 0);
	assert_int_equal(proto_envelope_decode(buf + 4, len - 4, e, &back, &err), 0);
	assert_int_equal(e->which_msg, kagent_v1_Envelope_report_tag);
	r = &e->msg.report;

	assert_string_equal(r->host_id, "test-1");
	assert_string_equal(r->hostname, "");   /* the tree has none */
	assert_string_equal(r->cluster, "prod-a");
	assert_string_equal(r->rack, "r7");
	assert_int_equal(r->roles_count, 2);
	assert_int_equal(r->roles[0], kagent_v1_Role_ROLE_ZOOKEEPER);
	assert_int_equal(r->roles[1], kagent_v1_Role_ROLE_KAFKA);
	assert_int_equal(r->seq, 42);
	assert_int_equal(r->timestamp_ms, 1700000000123);
	assert_int_equal(r->report_interval_s, 60);
	assert_int_equal(r->clipped, 0);
	assert_string_equal(r->sensors_error, "sensors are read on the live host only");
	/* host-vm2-cpu: 1 socket x 2 cores; host-bond10g: four interfaces. */
	assert_true(r->has_inventory);
	assert_int_equal(r->inventory.cpu.cores, 2);
	assert_int_equal(back.nics.n, 5);
	assert_string_equal(r->inventory.default_route_nic, "bond0");

	assert_true(r->has_kafka);
	assert_true(r->kafka.present);
	assert_true(r->kafka.has_broker_id);
	assert_int_equal(r->kafka.broker_id, 0);
	assert_string_equal(r->kafka.installed_version, "3.6.1");
	assert_string_equal(r->kafka.broker_rack, "");
	assert_string_equal(r->kafka.inter_broker_protocol_version, "");
	assert_int_equal(r->kafka.log_dirs_count, 1);
	assert_string_equal(r->kafka.log_dirs[0].path, "/tmp/kafka-logs");
	assert_true(r->kafka.log_dirs[0].has_partition_dirs);
	assert_int_equal(r->kafka.log_dirs[0].partition_dirs, 3); /* linked-9 is a symlink */

	assert_true(r->has_zookeeper);
	assert_true(r->zookeeper.present);
	assert_true(r->zookeeper.has_client_port);
	assert_int_equal(r->zookeeper.client_port, 2181);
	assert_false(r->zookeeper.has_running); /* not probed */
	assert_false(r->zookeeper.has_myid);
	assert_int_equal(r->zookeeper.ensemble_count, 3);
	assert_int_equal(r->zookeeper.ensemble[0].id, 1);
	assert_string_equal(r->zookeeper.ensemble[0].host, "zoo1");
	assert_int_equal(r->zookeeper.ensemble[0].peer_port, 2888);
	assert_int_equal(r->zookeeper.ensemble[0].election_port, 3888);
	assert_string_equal(r->zookeeper.ensemble[2].host, "zoo3");

	assert_int_equal(back.checks.n, res.n);
	{
		const kagent_v1_CheckResult *c = back.checks.v;

		assert_false(c[0].has_age_ms);
		assert_true(c[res.n - 1].has_age_ms);
		assert_int_equal(c[res.n - 1].age_ms, 1500);
	}
	/* The fixture's PLAINTEXT listener and missing authorizer warn. */
	assert_int_equal(r->verdict, kagent_v1_Severity_SEVERITY_WARN);

	proto_lists_free(&l);
	proto_lists_free(&back);
	check_results_free(&res);
	facts_free(f);
	free(f);
	free(buf);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_of_broker_fixture_decodes_to_its_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
