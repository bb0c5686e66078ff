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
	nic_case(&c, CONF_ROLE_KAFKA);
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
	nic_case(&c, CONF_ROLE_KAFKA);
	c.v[0] = port("eno1", 10000, 10000, true);
	c.f->inv.nics.n = 1;
	c.f->kafka_nic = &c.v[0];
	run_check(c.f, "nic.downshift", &c.res);
	assert_int_equal(c.res.n, 1);
	assert_result(&c.res.v[0], "nic.downshift", "eno1", SEV_PASS, "10 Gb/s",
		      "10 Gb/s");
	nic_case_free(&c);
}

static void test_unknown_link_modes_are_unknown_with_why(void **state)
{
	struct nic_case c;

	(void)state;
	nic_case(&c, CONF_ROLE_ZOOKEEPER);
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
	nic_case(&c, CONF_ROLE_KAFKA);
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
	nic_case(&c, CONF_ROLE_KAFKA | CONF_ROLE_ZOOKEEPER);
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
	nic_case(&c, CONF_ROLE_ZOOKEEPER);
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

/* Below a root the link modes cannot be read: each bond member says so. */
static void test_fixture_bond_members_are_unknown(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-kafka-4x4tb", &r);
	assert_bin_result(&r, "nic.downshift", "eno1", "unknown", "", "");
	assert_bin_result(&r, "nic.downshift", "eno2", "unknown", "", "");
	json_decref(r.doc);
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
	    cmocka_unit_test(test_fixture_bond_members_are_unknown),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
