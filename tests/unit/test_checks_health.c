/* nic.downshift on facts and through the binary.  The best speed both
 * ends support comes from ethtool's link modes on the live host; no
 * interface a test can create shows a downshift (a veth pair advertises no
 * link modes at all, and a captured tree has no ethtool), so the warn side
 * is tested on facts: a 10 GbE port negotiated at 1 Gb/s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checks_test.h"
#include "disk_health.h"
#include "health_sensors.h"

struct nic_case {
	struct facts *f;
	struct kafka_config k;
	struct zk_config zk;
	struct hw_nic v[3];
	struct check_results res;
};

static struct hw_nic port(const char *name, int64_t speed, int64_t max,
			  bool max_known)
{
	struct hw_nic n = {0};

	snprintf(n.name, sizeof n.name, "%s", name);
	n.speed_mbps = (struct hw_num){speed, true};
	n.max_speed_mbps = (struct hw_num){max, max_known};
	return n;
}

static void nic_case(struct nic_case *c, unsigned roles)
{
	memset(c, 0, sizeof *c);
	c->f = facts_new(roles);
	c->f->kafka = &c->k;
	c->f->zk = &c->zk;
	c->f->inv.nics.v = c->v;
	c->f->inv.nics.n = 0;
	snprintf(c->f->kafka_nic_why, sizeof c->f->kafka_nic_why,
		 "holds 10.20.30.41");
	snprintf(c->f->zk_nic_why, sizeof c->f->zk_nic_why,
		 "holds 10.20.30.41");
}

static void nic_case_free(struct nic_case *c)
{
	check_results_free(&c->res);
	free(c->f);
}

static void test_10g_port_at_1g_warns(void **state)
{
	struct nic_case c;

	(void)state;
	nic_case(&c, CORE_ROLE_KAFKA);
	c.v[0] = port("eno1", 1000, 10000, true);
	c.f->inv.nics.n = 1;
	c.f->kafka_nic = &c.v[0];
	run_check(c.f, "nic.downshift", &c.res);
	assert_int_equal(c.res.n, 1);
	assert_result(&c.res.v[0], "nic.downshift", "eno1", SEV_WARN, "1 Gb/s",
		      "10 Gb/s");
	assert_string_equal(
	    c.res.v[0].message,
	    "eno1 negotiated 1 Gb/s although both ends support 10 Gb/s: check "
	    "the cable, the switch port and forced speed settings");
	nic_case_free(&c);
}

static void test_port_at_its_best_speed_passes(void **state)
{
	struct nic_case c;

	(void)state;
	nic_case(&c, CORE_ROLE_KAFKA);
	c.v[0] = port("eno1", 10000, 10000, true);
	c.f->inv.nics.n = 1;
	c.f->kafka_nic = &c.v[0];
	run_check(c.f, "nic.downshift", &c.res);
	assert_int_equal(c.res.n, 1);
	assert_result(&c.res.v[0], "nic.downshift", "eno1", SEV_PASS, "10 Gb/s",
		      "10 Gb/s");
	nic_case_free(&c);
}

/* On the live host a NIC without link modes (virtio, veth) stays unknown. */
static void test_unknown_link_modes_are_unknown_with_why(void **state)
{
	struct nic_case c;

	(void)state;
	nic_case(&c, CORE_ROLE_ZOOKEEPER);
	c.f->root = "/";
	c.v[0] = port("eth0", 1000, 0, false);
	c.f->inv.nics.n = 1;
	c.f->zk_nic = &c.v[0];
	run_check(c.f, "nic.downshift", &c.res);
	assert_int_equal(c.res.n, 1);
	assert_result(&c.res.v[0], "nic.downshift", "eth0", SEV_UNKNOWN, "",
		      "");
	assert_non_null(strstr(c.res.v[0].message, "ethtool"));
	nic_case_free(&c);
}

/* A bond has no link of its own: each member is judged. */
static void test_bond_members_are_judged_each(void **state)
{
	struct nic_case c;

	(void)state;
	nic_case(&c, CORE_ROLE_KAFKA);
	c.v[0] = port("bond0", 11000, 0, false);
	c.v[0].bond = true;
	c.v[0].n_members = 2;
	snprintf(c.v[0].members[0], HW_IFNAME_MAX, "eno1");
	snprintf(c.v[0].members[1], HW_IFNAME_MAX, "eno2");
	c.v[1] = port("eno1", 10000, 10000, true);
	c.v[2] = port("eno2", 1000, 10000, true);
	c.f->inv.nics.n = 3;
	c.f->kafka_nic = &c.v[0];
	run_check(c.f, "nic.downshift", &c.res);
	assert_int_equal(c.res.n, 2);
	assert_result(&c.res.v[0], "nic.downshift", "eno1", SEV_PASS, "10 Gb/s",
		      "10 Gb/s");
	assert_result(&c.res.v[1], "nic.downshift", "eno2", SEV_WARN, "1 Gb/s",
		      "10 Gb/s");
	nic_case_free(&c);
}

/* Kafka and ZooKeeper on one interface: one result, not two. */
static void test_shared_interface_is_judged_once(void **state)
{
	struct nic_case c;

	(void)state;
	nic_case(&c, CORE_ROLE_KAFKA | CORE_ROLE_ZOOKEEPER);
	c.v[0] = port("eno1", 10000, 10000, true);
	c.f->inv.nics.n = 1;
	c.f->kafka_nic = &c.v[0];
	c.f->zk_nic = &c.v[0];
	run_check(c.f, "nic.downshift", &c.res);
	assert_int_equal(c.res.n, 1);
	nic_case_free(&c);
}

static void test_no_role_interface_is_unknown_with_why(void **state)
{
	struct nic_case c;

	(void)state;
	nic_case(&c, CORE_ROLE_ZOOKEEPER);
	snprintf(c.f->zk_nic_why, sizeof c.f->zk_nic_why,
		 "binds all addresses and there is no default route");
	run_check(c.f, "nic.downshift", &c.res);
	assert_int_equal(c.res.n, 1);
	assert_result(&c.res.v[0], "nic.downshift", "", SEV_UNKNOWN, "", "");
	assert_string_equal(c.res.v[0].message,
			    "zookeeper traffic: binds all addresses and there "
			    "is no default route");
	nic_case_free(&c);
}

/* Below a root there is no link, no device and no hwmon to ask: the
 * checks say "not judged" (info) and leave the verdict alone. */
static void test_fixture_host_is_not_judged(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-kafka-4x4tb", &r);
	assert_bin_result(&r, "nic.downshift", "eno1", "info", "not judged",
			  "");
	assert_bin_result(&r, "nic.downshift", "eno2", "info", "not judged",
			  "");
	assert_bin_result(&r, "disk.health", NULL, "info", "not judged",
			  "healthy");
	assert_bin_result(&r, "board.sensors", NULL, "info", "not judged",
			  "within limits");
	assert_string_equal(bin_verdict(&r), "pass");
	json_decref(r.doc);
}

/* ---- disk.health on the live host's facts ---- */

static void test_disk_health_one_result_per_physical_disk(void **state)
{
	static const struct {
		const char *name;
		enum hw_disk_kind kind;
		enum check_severity v;
		const char *reason, *source;
	} disks[] = {
	    {"sda", HW_DISK_PHYSICAL, SEV_PASS, "SMART overall GOOD",
	     "atasmart"},
	    {"sdb", HW_DISK_PHYSICAL, SEV_WARN,
	     "8 reallocated sectors (attribute 5)", "atasmart"},
	    {"nvme0n1", HW_DISK_PHYSICAL, SEV_FAIL,
	     "critical warning 0x04: reliability degraded", "nvme"},
	    {"sdc", HW_DISK_PHYSICAL, SEV_UNKNOWN, "needs CAP_SYS_RAWIO",
	     ""},
	    {"md0", HW_DISK_MD, SEV_UNKNOWN, "md volume", ""},
	};
	const size_t n = sizeof disks / sizeof disks[0];
	struct facts *f = facts_new(CORE_ROLE_KAFKA);
	struct check_results res = {0};
	struct hw_disk v[5] = {0};
	struct disk_smart *smart = calloc(n, sizeof *smart);
	size_t i;

	(void)state;
	assert_non_null(smart);
	f->root = "/";
	for (i = 0; i < n; i++) {
		snprintf(v[i].name, sizeof v[i].name, "%s", disks[i].name);
		v[i].kind = disks[i].kind;
		smart[i].health.verdict = disks[i].v;
		snprintf(smart[i].health.reason, sizeof smart[i].health.reason,
			 "%s", disks[i].reason);
		snprintf(smart[i].health.source, sizeof smart[i].health.source,
			 "%s", disks[i].source);
	}
	f->inv.disks.v = v;
	f->inv.disks.n = n;
	f->inv.smart = smart;
	run_check(f, "disk.health", &res);
	assert_int_equal(res.n, 4);
	assert_result(&res.v[0], "disk.health", "sda", SEV_PASS, "healthy",
		      "healthy");
	assert_string_equal(res.v[0].message, "SMART overall GOOD (atasmart)");
	assert_result(&res.v[1], "disk.health", "sdb", SEV_WARN, "degrading",
		      "healthy");
	assert_result(&res.v[2], "disk.health", "nvme0n1", SEV_FAIL, "failing",
		      "healthy");
	assert_result(&res.v[3], "disk.health", "sdc", SEV_UNKNOWN, "",
		      "healthy");
	assert_string_equal(res.v[3].message, "needs CAP_SYS_RAWIO");
	check_results_free(&res);
	free(smart);
	free(f);
}

/* ---- board.sensors: coretemp as in tests/fixtures/hwmon-hot ---- */

static struct board_sensor coretemp(const char *chip, const char *label,
				    double value, bool crit_alarm)
{
	struct board_sensor s = {.kind = BOARD_SENSOR_TEMP};

	snprintf(s.chip, sizeof s.chip, "%s", chip);
	snprintf(s.label, sizeof s.label, "%s", label);
	s.value = (struct board_value){value, true};
	s.max = (struct board_value){84, true};
	s.crit = (struct board_value){100, true};
	s.alarm = (struct board_value){crit_alarm, true};
	return s;
}

static void
test_sensors_pass_below_max_warn_past_max_fail_past_crit(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};
	struct board_sensor v[3];

	(void)state;
	f->root = "/";
	v[0] = coretemp("coretemp-isa-0000", "Package id 0", 45, false);
	v[1] = coretemp("coretemp-isa-0000", "Core 0", 85, false);
	v[2] = coretemp("coretemp-isa-0001", "Package id 1", 101, true);
	f->inv.sensors.v = v;
	f->inv.sensors.n = 3;
	f->inv.sensors_known = true;
	run_check(f, "board.sensors", &res);
	assert_int_equal(res.n, 3);
	assert_result(&res.v[0], "board.sensors",
		      "coretemp-isa-0000 Package id 0", SEV_PASS, "45 °C",
		      "< max 84 °C");
	assert_result(&res.v[1], "board.sensors", "coretemp-isa-0000 Core 0",
		      SEV_WARN, "85 °C", "< max 84 °C");
	assert_result(&res.v[2], "board.sensors",
		      "coretemp-isa-0001 Package id 1", SEV_FAIL, "101 °C",
		      "< max 84 °C");
	check_results_free(&res);
	free(f);
}

static void test_live_host_without_sensors_is_unknown_with_why(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};

	(void)state;
	f->root = "/";
	f->inv.sensors_known = true;
	snprintf(f->inv.sensors_error, sizeof f->inv.sensors_error,
		 "no hardware monitoring sensors (no hwmon device)");
	run_check(f, "board.sensors", &res);
	assert_int_equal(res.n, 1);
	assert_result(&res.v[0], "board.sensors", "", SEV_UNKNOWN, "",
		      "within limits");
	assert_string_equal(res.v[0].message,
			    "no hardware monitoring sensors (no hwmon device)");
	check_results_free(&res);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_10g_port_at_1g_warns),
	    cmocka_unit_test(test_port_at_its_best_speed_passes),
	    cmocka_unit_test(test_unknown_link_modes_are_unknown_with_why),
	    cmocka_unit_test(test_bond_members_are_judged_each),
	    cmocka_unit_test(test_shared_interface_is_judged_once),
	    cmocka_unit_test(test_no_role_interface_is_unknown_with_why),
	    cmocka_unit_test(test_fixture_host_is_not_judged),
	    cmocka_unit_test(test_disk_health_one_result_per_physical_disk),
	    cmocka_unit_test(
		test_sensors_pass_below_max_warn_past_max_fail_past_crit),
	    cmocka_unit_test(test_live_host_without_sensors_is_unknown_with_why),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
