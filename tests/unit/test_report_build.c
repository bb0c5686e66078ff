/* A Report built from a whole fixture host, encoded, decoded back; and the
 * prober's refusal of a request it does not know. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"
#include "health_raid.h"

#define HOST FIXTURES "/host-broker"

static void test_report_of_broker_fixture_decodes_to_its_facts(void **state)
{
	struct facts_opts opts = { .live_zk = false };
	struct check_results res = { 0 };
	struct statvfs sv;
	struct hw_err err = { { 0 } };
	struct report_input in = { 0 };
	struct kafka_meta meta = { 0 };
	struct kafka_meta_topic topics[2] = { 0 };
	struct kafka_meta_partition parts[3];
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
	/* Kept metadata: topics orders (2 partitions, one led here, broker
	 * 0) and __consumer_offsets (one partition, on brokers 1 and 2
	 * only), DescribeConfigs refused. */
	parts[0] = (struct kafka_meta_partition){0, 0, 3, 3, {0, 1, 2},
						 {0, 1, 2}};
	parts[1] = (struct kafka_meta_partition){1, 1, 3, 3, {1, 2, 0},
						 {1, 2, 0}};
	parts[2] = (struct kafka_meta_partition){7, 1, 2, 2, {1, 2}, {1, 2}};
	strcpy(topics[0].name, "__consumer_offsets");
	topics[0].first = 2;
	topics[0].n = 1;
	strcpy(topics[1].name, "orders");
	topics[1].n = 2;
	meta.fetched_ms = 1700000000000;
	meta.controller = 1;
	strcpy(meta.configs_error, "DescribeConfigs (KIP-133) not supported");
	meta.topics = topics;
	meta.n_topics = 2;
	meta.parts = parts;
	meta.n_parts = 3;
	in.kafka = &meta;
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
	/* The filesystem the fixture lives on, as statvfs tells it now
	 * (test_kafka_install checks exact sizes on a tmpfs of its own). */
	assert_int_equal(statvfs(HOST "/tmp/kafka-logs", &sv), 0);
	assert_true(r->kafka.log_dirs[0].has_fs_total_bytes);
	assert_int_equal(r->kafka.log_dirs[0].fs_total_bytes,
			 (int64_t)(sv.f_blocks * sv.f_frsize));
	assert_true(r->kafka.log_dirs[0].has_fs_available_bytes);
	/* No listeners=: the broker binds every address on 9092, so its
	 * traffic goes through the default route's interface. */
	assert_string_equal(r->kafka.traffic_nic, "bond0");
	assert_string_equal(
	    r->kafka.traffic_nic_why,
	    "binds all addresses: default route's interface bond0");

	/* Beside the metadata: server.properties' topic defaults (unset
	 * min.insync.replicas is 1; log.retention.hours=168), no Kafka
	 * process in the tree, the NIC again, DescribeConfigs' refusal. */
	assert_true(r->has_kafka_live);
	assert_string_equal(r->kafka_live.error, "");
	assert_true(r->kafka_live.has_min_isr_default);
	assert_int_equal(r->kafka_live.min_isr_default, 1);
	assert_int_equal(r->kafka_live.retention_ms_default, 604800000);
	assert_int_equal(r->kafka_live.retention_bytes_default, -1);
	assert_false(r->kafka_live.has_broker_started_ms);
	assert_string_equal(r->kafka_live.traffic_nic, "bond0");
	assert_string_equal(r->kafka_live.configs_error,
			    "DescribeConfigs (KIP-133) not supported");
	/* orders-0 and -1 are here (4104 + 1008 bytes; -delete and -future
	 * are not its copy), __consumer_offsets-7 is a directory of a
	 * replica the metadata no longer places here, and is not in the
	 * share. */
	assert_int_equal(back.ktopics.n, 1);
	{
		const kagent_v1_KafkaTopic *t = back.ktopics.v;

		assert_string_equal(t[0].name, "orders");
		assert_true(t[0].has_local_bytes);
		assert_int_equal(t[0].local_bytes, 4104 + 1008);
		assert_int_equal(t[0].local_replicas, 2);
		assert_false(t[0].has_min_insync_replicas);
	}

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

/* zk-flush read at two moments 10 s apart (fixtures/zk-flush.gen.sh):
 * each physical disk carries its counters and the interval's average, or
 * why it has none; ZooKeeper carries zoo.cfg's fsync threshold and mntr's
 * fsync figures. */
static void test_report_carries_flush_facts(void **state)
{
	struct facts_opts opts = { .live_zk = false };
	struct check_results res = { 0 };
	struct hw_err err = { { 0 } };
	struct report_input in = { 0 };
	struct proto_lists l, back;
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	uint8_t *buf = malloc(PROBER_BODY_MAX);
	struct facts *f = calloc(1, sizeof *f);
	struct flush_samples *s = calloc(2, sizeof *s);
	const kagent_v1_Disk *d, *sdb = NULL, *nvme = NULL, *md = NULL;
	struct conf conf;
	size_t len, i;

	(void)state;
	conf_defaults(&conf);
	conf.roles = CORE_ROLE_ZOOKEEPER;
	strcpy(conf.zk_config, "/etc/zookeeper/zoo-hdd-2s.cfg");
	assert_int_equal(facts_gather(FIXTURES "/zk-flush", &conf, conf.roles,
				      &opts, f, &err), 0);
	flush_sample_disks(FIXTURES "/zk-flush", &f->inv.disks, 0, &s[0]);
	flush_sample_disks(FIXTURES "/zk-flush-10s", &f->inv.disks, 10000,
			   &s[1]);
	flush_facts_from(&s[0], &s[1], &f->flush);
	f->zk_live_probed = true;
	f->zk_live.state = ZK_RUNNING;
	f->zk_live.fsync_count = (struct hw_num){ 1234, true };
	f->zk_live.fsync_avg_us = (struct hw_num){ 2500, true };
	f->zk_live.fsync_max_us = (struct hw_num){ 41000, true };
	assert_int_equal(check_run(f, conf.roles, &res), 0);
	proto_lists_init(&l);
	proto_lists_init(&back);
	in.host_id = "test-1";
	in.facts = f;
	in.checks = &res;
	in.seq = 1;
	in.timestamp_ms = 1700000000123;
	in.interval_s = 10;
	e->which_msg = kagent_v1_Envelope_report_tag;
	assert_int_equal(report_build(&in, &e->msg.report, &l), 0);
	assert_int_equal(proto_envelope_encode(e, buf, PROBER_BODY_MAX, &len, &err), 0);
	assert_int_equal(proto_envelope_decode(buf + 4, len - 4, e, &back, &err), 0);
	for (i = 0; i < back.disks.n; i++) {
		d = (const kagent_v1_Disk *)back.disks.v + i;
		if (strcmp(d->name, "sdb") == 0)
			sdb = d;
		else if (strcmp(d->name, "nvme0n1") == 0)
			nvme = d;
		else if (strcmp(d->name, "md0") == 0)
			md = d;
	}
	assert_non_null(sdb);
	assert_true(sdb->has_flush_count && sdb->has_flush_ms);
	assert_int_equal(sdb->flush_count, 26845);
	assert_int_equal(sdb->flush_ms, 21892);
	assert_true(sdb->has_flush_avg_us && sdb->has_flush_interval_ms);
	assert_int_equal(sdb->flush_avg_us, 3250);
	assert_int_equal(sdb->flush_interval_ms, 10000);
	assert_string_equal(sdb->flush_why, "");
	assert_non_null(nvme);
	assert_true(nvme->has_flush_count);
	assert_int_equal(nvme->flush_count, 7000);
	assert_false(nvme->has_flush_avg_us);
	assert_string_equal(nvme->flush_why,
			    "no flush on nvme0n1 in the last 10000 ms");
	/* md counts no flushes: nothing is said of it. */
	assert_non_null(md);
	assert_false(md->has_flush_count);
	assert_string_equal(md->flush_why, "");
	assert_true(e->msg.report.has_zookeeper);
	assert_true(e->msg.report.zookeeper.has_fsync_warning_threshold_ms);
	assert_int_equal(e->msg.report.zookeeper.fsync_warning_threshold_ms, 2000);
	assert_int_equal(e->msg.report.zookeeper.fsync_count, 1234);
	assert_int_equal(e->msg.report.zookeeper.fsync_avg_us, 2500);
	assert_int_equal(e->msg.report.zookeeper.fsync_max_us, 41000);
	assert_false(e->msg.report.zookeeper.has_fsync_threshold_exceed_count);

	check_results_free(&res);
	proto_lists_free(&l);
	proto_lists_free(&back);
	facts_free(f);
	free(f);
	free(s);
	free(e);
	free(buf);
}

/* A member behind sdb's controller travels under sdb, with the facts and
 * the verdict of its smartctl report (the corpus' MegaRAID disk). */
static void test_report_carries_raid_members(void **state)
{
	struct facts_opts opts = { .live_zk = false };
	struct check_results res = { 0 };
	struct hw_err err = { { 0 } };
	struct report_input in = { 0 };
	struct proto_lists l, back;
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	uint8_t *buf = malloc(PROBER_BODY_MAX);
	struct facts *f = calloc(1, sizeof *f);
	char *json = malloc(CORE_READ_MAX);
	const kagent_v1_Disk *d, *sdb = NULL;
	const kagent_v1_RaidMember *m;
	struct disk_raid_member *mem;
	struct conf conf;
	size_t len, i;
	ssize_t n;

	(void)state;
	conf_defaults(&conf);
	conf.roles = CORE_ROLE_ZOOKEEPER;
	strcpy(conf.zk_config, "/etc/zookeeper/zoo-hdd-2s.cfg");
	assert_int_equal(facts_gather(FIXTURES "/zk-flush", &conf, conf.roles,
				      &opts, f, &err), 0);
	assert_non_null(f->inv.raid);
	assert_int_equal(f->inv.raid->n, 0); /* not the live host */
	mem = calloc(1, sizeof *mem);
	assert_non_null(mem);
	for (i = 0; i < f->inv.disks.n; i++)
		if (strcmp(f->inv.disks.v[i].name, "sdb") == 0)
			mem->disk = i;
	strcpy(mem->type, "megaraid,0");
	strcpy(mem->node, "/dev/bus/0");
	n = core_read_file(CORPUS "/smartctl-json/smart-megaraid0.json", json,
			   CORE_READ_MAX);
	assert_true(n > 0);
	disk_raid_judge(&mem->smart, 0, json, (size_t)n, &err);
	f->inv.raid->v = mem;
	f->inv.raid->n = 1;
	assert_int_equal(check_run(f, conf.roles, &res), 0);
	proto_lists_init(&l);
	proto_lists_init(&back);
	in.host_id = "test-1";
	in.facts = f;
	in.checks = &res;
	in.seq = 1;
	in.timestamp_ms = 1700000000123;
	in.interval_s = 10;
	e->which_msg = kagent_v1_Envelope_report_tag;
	assert_int_equal(report_build(&in, &e->msg.report, &l), 0);
	assert_int_equal(proto_envelope_encode(e, buf, PROBER_BODY_MAX, &len, &err), 0);
	assert_int_equal(proto_envelope_decode(buf + 4, len - 4, e, &back, &err), 0);
	for (i = 0; i < back.disks.n; i++) {
		d = (const kagent_v1_Disk *)back.disks.v + i;
		if (strcmp(d->name, "sdb") == 0)
			sdb = d;
		else
			assert_int_equal(d->raid_members_count, 0);
	}
	assert_non_null(sdb);
	assert_int_equal(sdb->raid_members_count, 1);
	m = &sdb->raid_members[0];
	assert_string_equal(m->device_type, "megaraid,0");
	assert_string_equal(m->path, "/dev/bus/0");
	assert_string_equal(m->model, "WD4000FYYX");
	assert_string_equal(m->serial, "XXXXXXXXXXXX");
	assert_true(m->has_health);
	assert_int_equal(m->health.verdict, kagent_v1_Severity_SEVERITY_PASS);
	assert_string_equal(m->health.reason, "smart_status.passed=true");
	assert_string_equal(m->health.source, "smartctl");
	assert_int_equal(m->health.temperature_c, 36);
	assert_int_equal(m->health.power_on_hours, 37787);
	assert_int_equal(m->health.power_cycles, 70);
	assert_true(m->health.has_reallocated_sectors);
	assert_int_equal(m->health.reallocated_sectors, 0);

	check_results_free(&res);
	proto_lists_free(&l);
	proto_lists_free(&back);
	facts_free(f);
	free(f);
	free(json);
	free(e);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_of_broker_fixture_decodes_to_its_facts),
		cmocka_unit_test(test_report_carries_flush_facts),
		cmocka_unit_test(test_report_carries_raid_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
