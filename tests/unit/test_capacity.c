/* Cruise Control's capacity file from the brokers' reports: the units,
 * the plain and JBOD DISK forms, KRaft node ids, and brokers whose facts
 * are unknown named in "missing", never estimated. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capacity.h"
#include "collector.h"

#define GIB (1024LL * 1024 * 1024)

/* A Kafka host's report as an agent sends it: its CPUs, one NIC and the
 * log dirs with their filesystems' sizes. */
struct host {
	kagent_v1_Report r;
	struct proto_lists l;
};

static void host_init(struct host *h, const char *id, int64_t online,
		      const char *nic, int64_t mbps)
{
	kagent_v1_Nic *n;

	memset(&h->r, 0, sizeof h->r);
	proto_lists_init(&h->l);
	snprintf(h->r.host_id, sizeof h->r.host_id, "%s", id);
	h->r.roles_count = 1;
	h->r.roles[0] = kagent_v1_Role_ROLE_KAFKA;
	h->r.has_inventory = h->r.inventory.has_cpu = true;
	h->r.inventory.cpu.has_online = online >= 0;
	h->r.inventory.cpu.online = online;
	h->r.has_kafka = h->r.kafka.present = true;
	assert_int_equal(proto_list_add(&h->l.nics, (void **)&n), 0);
	snprintf(n->name, sizeof n->name, "%s", nic);
	n->has_speed_mbps = mbps >= 0;
	n->speed_mbps = mbps;
	snprintf(h->r.kafka.traffic_nic, sizeof h->r.kafka.traffic_nic, "%s",
		 nic);
	snprintf(h->r.kafka.traffic_nic_why, sizeof h->r.kafka.traffic_nic_why,
		 "holds 10.0.0.1");
}

static void host_logdir(struct host *h, const char *path, int64_t total)
{
	kagent_v1_LogDir *d = &h->r.kafka.log_dirs[h->r.kafka.log_dirs_count++];

	snprintf(d->path, sizeof d->path, "%s", path);
	d->has_fs_total_bytes = total >= 0;
	d->fs_total_bytes = total;
	d->has_fs_available_bytes = total >= 0;
	d->fs_available_bytes = total / 2;
}

static char *build(struct host *hs, size_t n)
{
	struct coll_cap_broker *b = calloc(n, sizeof *b);
	json_t *j;
	char *s;
	size_t i;

	assert_non_null(b);
	for (i = 0; i < n; i++) {
		coll_cap_from_report(&hs[i].r, &hs[i].l, &b[i]);
		proto_lists_free(&hs[i].l);
	}
	j = coll_capacity_build(b, n);
	free(b);
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void test_units_are_cruise_controls(void **state)
{
	(void)state;
	/* 1 MB = 2^20 bytes, rounded down. */
	assert_int_equal(coll_cap_mb(4000787030016LL), 3815447);
	assert_int_equal(coll_cap_mb(1048575), 0);
	assert_int_equal(coll_cap_mb(64 * 1024 * 1024), 64);
	/* Mb/s * 10^6 / 8 / 1024: 10 GbE is 1220703 KB/s. */
	assert_int_equal(coll_cap_kbps(10000), 1220703);
	assert_int_equal(coll_cap_kbps(1000), 122070);
	assert_int_equal(coll_cap_kbps(25000), 3051757);
	assert_int_equal(coll_cap_kbps(INT64_MAX / 15625 + 1), -1);
}

static void test_single_log_dir_gives_plain_disk(void **state)
{
	struct host h[1];
	char *s;

	(void)state;
	host_init(&h[0], "kafka-1", 16, "eth0", 10000);
	h[0].r.kafka.has_broker_id = true;
	h[0].r.kafka.broker_id = 1;
	host_logdir(&h[0], "/var/lib/kafka", 2 * 1024 * GIB);
	s = build(h, 1);
	assert_string_equal(
	    s, "{\"brokerCapacities\":[{\"brokerId\":\"1\",\"capacity\":{"
	       "\"DISK\":\"2097152\",\"CPU\":{\"num.cores\":\"16\"},"
	       "\"NW_IN\":\"1220703\",\"NW_OUT\":\"1220703\"},\"doc\":"
	       "\"kagent: host kafka-1, 16 logical CPUs online, eth0 at 10000 "
	       "Mb/s, 1 log dir (filesystem size)\"}],\"missing\":[]}");
	free(s);
}

static void test_jbod_gives_one_entry_per_log_dir(void **state)
{
	struct host h[1];
	char *s;

	(void)state;
	host_init(&h[0], "kafka-2", 48, "bond0", 20000);
	h[0].r.kafka.has_broker_id = true;
	h[0].r.kafka.broker_id = 2;
	host_logdir(&h[0], "/data/1/kafka", 4000787030016LL);
	host_logdir(&h[0], "/data/2/kafka", 4000787030016LL);
	host_logdir(&h[0], "/data/3/kafka", 960197124096LL);
	s = build(h, 1);
	assert_string_equal(
	    s, "{\"brokerCapacities\":[{\"brokerId\":\"2\",\"capacity\":{"
	       "\"DISK\":{\"/data/1/kafka\":\"3815447\",\"/data/2/kafka\":"
	       "\"3815447\",\"/data/3/kafka\":\"915715\"},\"CPU\":{"
	       "\"num.cores\":\"48\"},\"NW_IN\":\"2441406\",\"NW_OUT\":"
	       "\"2441406\"},\"doc\":\"kagent: host kafka-2, 48 logical CPUs "
	       "online, bond0 at 20000 Mb/s, 3 log dirs (filesystem size)\"}],"
	       "\"missing\":[]}");
	free(s);
}

/* A KRaft broker has node.id and no broker.id; entries go by id. */
static void test_kraft_node_id_and_order(void **state)
{
	struct host h[2];
	char *s;

	(void)state;
	host_init(&h[0], "kraft-b", 8, "eth0", 1000);
	h[0].r.kafka.has_node_id = true;
	h[0].r.kafka.node_id = 12;
	host_logdir(&h[0], "/var/lib/kafka", 100 * GIB);
	host_init(&h[1], "kraft-a", 4, "eth1", 25000);
	h[1].r.kafka.has_node_id = true;
	h[1].r.kafka.node_id = 11;
	host_logdir(&h[1], "/var/lib/kafka", 50 * GIB);
	s = build(h, 2);
	assert_string_equal(
	    s, "{\"brokerCapacities\":[{\"brokerId\":\"11\",\"capacity\":{"
	       "\"DISK\":\"51200\",\"CPU\":{\"num.cores\":\"4\"},\"NW_IN\":"
	       "\"3051757\",\"NW_OUT\":\"3051757\"},\"doc\":\"kagent: host "
	       "kraft-a, 4 logical CPUs online, eth1 at 25000 Mb/s, 1 log dir "
	       "(filesystem size)\"},{\"brokerId\":\"12\",\"capacity\":{"
	       "\"DISK\":\"102400\",\"CPU\":{\"num.cores\":\"8\"},\"NW_IN\":"
	       "\"122070\",\"NW_OUT\":\"122070\"},\"doc\":\"kagent: host "
	       "kraft-b, 8 logical CPUs online, eth0 at 1000 Mb/s, 1 log dir "
	       "(filesystem size)\"}],\"missing\":[]}");
	free(s);
}

/* Each unknown fact names its broker; the others keep their entries. */
static void test_unknown_facts_are_missing_not_guessed(void **state)
{
	struct host h[7];
	char *s;
	int i;

	(void)state;
	for (i = 0; i < 7; i++) {
		char id[16];

		snprintf(id, sizeof id, "k%d", i);
		host_init(&h[i], id, 8, "eth0", 10000);
		h[i].r.kafka.has_broker_id = true;
		h[i].r.kafka.broker_id = i;
		host_logdir(&h[i], "/kafka", GIB);
	}
	/* k0: the link speed is unknown (no carrier, or a virtual NIC). */
	proto_lists_free(&h[0].l);
	host_init(&h[0], "k0", 8, "eth0", -1);
	h[0].r.kafka.has_broker_id = true;
	host_logdir(&h[0], "/kafka", GIB);
	/* k1: no interface holds the listener's address. */
	h[1].r.kafka.traffic_nic[0] = '\0';
	snprintf(h[1].r.kafka.traffic_nic_why,
		 sizeof h[1].r.kafka.traffic_nic_why,
		 "no interface holds 10.9.9.9");
	/* k2: broker.id generated by the broker. */
	h[2].r.kafka.has_broker_id = false;
	/* k3: the filesystem could not be read. */
	h[3].r.kafka.log_dirs[0].has_fs_total_bytes = false;
	/* k4: CPUs online unknown. */
	h[4].r.inventory.cpu.has_online = false;
	/* k5 claims k6's id: neither entry can be trusted. */
	h[5].r.kafka.broker_id = 6;
	s = build(h, 7);
	assert_string_equal(
	    s,
	    "{\"brokerCapacities\":[],\"missing\":["
	    "{\"host_id\":\"k2\",\"broker_id\":null,\"why\":\"broker.id and "
	    "node.id unknown (unset, or generated by the broker)\"},"
	    "{\"host_id\":\"k0\",\"broker_id\":0,\"why\":\"link speed of eth0 "
	    "unknown\"},"
	    "{\"host_id\":\"k1\",\"broker_id\":1,\"why\":\"interface carrying "
	    "Kafka traffic unknown: no interface holds 10.9.9.9\"},"
	    "{\"host_id\":\"k3\",\"broker_id\":3,\"why\":\"filesystem size of "
	    "log dir /kafka unknown\"},"
	    "{\"host_id\":\"k4\",\"broker_id\":4,\"why\":\"logical CPUs online "
	    "unknown\"},"
	    "{\"host_id\":\"k5\",\"broker_id\":6,\"why\":\"broker id 6 is also "
	    "host k6's\"},"
	    "{\"host_id\":\"k6\",\"broker_id\":6,\"why\":\"broker id 6 is also "
	    "host k5's\"}]}");
	free(s);
}

static void test_relative_and_repeated_log_dirs_are_missing(void **state)
{
	struct host h[2];
	char *s;

	(void)state;
	host_init(&h[0], "rel", 8, "eth0", 10000);
	h[0].r.kafka.has_broker_id = true;
	h[0].r.kafka.broker_id = 1;
	host_logdir(&h[0], "kafka-logs", GIB);
	host_init(&h[1], "twice", 8, "eth0", 10000);
	h[1].r.kafka.has_broker_id = true;
	h[1].r.kafka.broker_id = 2;
	host_logdir(&h[1], "/kafka", GIB);
	host_logdir(&h[1], "/kafka", GIB);
	s = build(h, 2);
	assert_string_equal(
	    s,
	    "{\"brokerCapacities\":[],\"missing\":["
	    "{\"host_id\":\"rel\",\"broker_id\":1,\"why\":\"log dir "
	    "kafka-logs is not an absolute path\"},"
	    "{\"host_id\":\"twice\",\"broker_id\":2,\"why\":\"log dir /kafka "
	    "listed twice\"}]}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_units_are_cruise_controls),
	    cmocka_unit_test(test_single_log_dir_gives_plain_disk),
	    cmocka_unit_test(test_jbod_gives_one_entry_per_log_dir),
	    cmocka_unit_test(test_kraft_node_id_and_order),
	    cmocka_unit_test(test_unknown_facts_are_missing_not_guessed),
	    cmocka_unit_test(test_relative_and_repeated_log_dirs_are_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
