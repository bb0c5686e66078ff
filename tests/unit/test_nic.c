/* hw_nics_probe on captured trees: the corpus as it is, and fixtures laid
 * out as the kernel lays out sys/class/net and proc/net. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "hw.h"
#include "nic.h"

static const struct hw_nic *must_find(const struct hw_nics *nics,
				      const char *name)
{
	const struct hw_nic *n = hw_nics_find(nics, name);

	if (n == NULL)
		fail_msg("no interface %s", name);
	return n;
}

static void assert_num(struct hw_num n, int64_t v)
{
	assert_true(n.known);
	assert_int_equal(n.v, v);
}

/* node_exporter's capture: three bonds as directories (bond0 speed -1, no
 * slaves), the file bonding_masters, and eth0 stored as a plain file holding
 * its link target, which a sysfs never contains: not an interface. */
static void test_nic_node_exporter_corpus_bonds(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};
	const struct hw_nic *b, *d, *i;

	(void)state;
	assert_int_equal(
	    hw_nics_probe(CORPUS "/sysfs-node-exporter", &nics, &err), 0);
	assert_int_equal(nics.n, 3);
	assert_string_equal(nics.v[0].name, "bond0");
	assert_string_equal(nics.v[1].name, "dmz");
	assert_string_equal(nics.v[2].name, "int");
	b = must_find(&nics, "bond0");
	assert_true(b->bond);
	assert_true(b->virtual);
	assert_int_equal(b->n_members, 0);
	assert_false(b->speed_mbps.known);     /* -1 in the file, no members */
	assert_false(b->max_speed_mbps.known); /* a capture has no ioctl */
	assert_string_equal(b->duplex, "full");
	assert_string_equal(b->operstate, "up");
	assert_string_equal(b->mac, "01:01:01:01:01:01");
	assert_num(b->carrier, 1);
	assert_num(b->mtu, 1500);
	assert_string_equal(b->driver, "");
	assert_int_equal(b->n_addrs, 0);
	d = must_find(&nics, "dmz");
	assert_int_equal(d->n_members, 2);
	assert_string_equal(d->members[0], "eth0");
	assert_string_equal(d->members[1], "eth4");
	/* No member is an interface of this tree: their speeds are unknown. */
	assert_false(d->speed_mbps.known);
	i = must_find(&nics, "int");
	assert_int_equal(i->n_members, 2);
	assert_string_equal(i->members[0], "eth5");
	assert_string_equal(i->members[1], "eth1");
	assert_null(hw_nics_find(&nics, "bonding_masters"));
	assert_null(hw_nics_find(&nics, "eth0"));
	assert_string_equal(nics.default_route, "");
	hw_nics_free(&nics);
}

/* procfs' capture: eth0 up at 1000 full, a device behind it. */
static void test_nic_procfs_corpus_eth0(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};
	const struct hw_nic *e;

	(void)state;
	assert_int_equal(hw_nics_probe(CORPUS "/sysfs-procfs", &nics, &err), 0);
	assert_int_equal(nics.n, 1);
	e = must_find(&nics, "eth0");
	assert_num(e->speed_mbps, 1000);
	assert_string_equal(e->duplex, "full");
	assert_string_equal(e->operstate, "up");
	assert_num(e->carrier, 1);
	assert_num(e->mtu, 1500);
	assert_false(e->virtual);
	assert_false(e->bond);
	assert_false(e->max_speed_mbps.known);
	assert_string_equal(e->mac, "01:01:01:01:01:01");
	hw_nics_free(&nics);
}

/* The node_exporter tree with eth0 as the link it is in sysfs: dmz's speed
 * is eth0's 1000, eth4 being absent. */
static void test_bond_speed_sums_only_known_members(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};
	const struct hw_nic *e, *d;

	(void)state;
	assert_int_equal(hw_nics_probe(FIXTURES "/nodeexp-net", &nics, &err),
			 0);
	assert_int_equal(nics.n, 4);
	assert_string_equal(nics.v[2].name, "eth0");
	e = must_find(&nics, "eth0");
	assert_num(e->speed_mbps, 1000);
	assert_string_equal(e->duplex, "full");
	assert_false(e->virtual);
	assert_string_equal(e->driver, "");
	d = must_find(&nics, "dmz");
	assert_num(d->speed_mbps, 1000);
	assert_false(must_find(&nics, "int")->speed_mbps.known);
	hw_nics_free(&nics);
}

static void test_bond_speed_is_sum_of_members(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};
	const struct hw_nic *b, *m;

	(void)state;
	assert_int_equal(hw_nics_probe(FIXTURES "/host-bond10g", &nics, &err),
			 0);
	assert_int_equal(nics.n, 5);
	assert_string_equal(nics.v[0].name, "bond0");
	assert_string_equal(nics.v[1].name, "eno1");
	assert_string_equal(nics.v[2].name, "eno2");
	assert_string_equal(nics.v[3].name, "eno3");
	assert_string_equal(nics.v[4].name, "lo");
	b = must_find(&nics, "bond0");
	assert_true(b->bond);
	assert_true(b->virtual);
	assert_int_equal(b->n_members, 2);
	assert_string_equal(b->members[0], "eno1");
	assert_string_equal(b->members[1], "eno2");
	assert_num(b->speed_mbps, 20000);
	assert_num(b->mtu, 9000);
	assert_string_equal(b->driver, "");
	m = must_find(&nics, "eno1");
	assert_num(m->speed_mbps, 10000);
	assert_string_equal(m->driver, "ixgbe");
	assert_false(m->virtual);
	assert_false(m->bond);
	assert_int_equal(m->n_addrs, 0);
	assert_string_equal(must_find(&nics, "eno2")->driver, "ixgbe");
	hw_nics_free(&nics);
}

static void test_nic_addresses_from_procfs(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};
	const struct hw_nic *b, *m, *lo;

	(void)state;
	assert_int_equal(hw_nics_probe(FIXTURES "/host-bond10g", &nics, &err),
			 0);
	b = must_find(&nics, "bond0");
	assert_int_equal(b->n_addrs, 4);
	assert_string_equal(b->addrs[0], "10.20.30.41/24");
	assert_string_equal(b->addrs[1], "10.20.30.99/24");
	assert_string_equal(b->addrs[2], "2001:db8:20::41/64");
	assert_string_equal(b->addrs[3], "fe80::a236:9fff:fe8c:2e10/64");
	m = must_find(&nics, "eno3");
	assert_int_equal(m->n_addrs, 2);
	assert_string_equal(m->addrs[0], "192.168.100.17/24");
	assert_string_equal(m->addrs[1], "fe80::3eec:efff:fe41:75a/64");
	assert_num(m->speed_mbps, 1000);
	assert_string_equal(m->driver, "igb");
	/* 127.0.0.1 has no main-table route; the local table's loopback
	 * prefix 127.0.0.0/8 gives lo and the /8. */
	lo = must_find(&nics, "lo");
	assert_int_equal(lo->n_addrs, 2);
	assert_string_equal(lo->addrs[0], "127.0.0.1/8");
	assert_string_equal(lo->addrs[1], "::1/128");
	hw_nics_free(&nics);
}

static void test_nic_lo_speed_unknown_is_null(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};
	const struct hw_nic *lo;

	(void)state;
	assert_int_equal(hw_nics_probe(FIXTURES "/host-bond10g", &nics, &err),
			 0);
	lo = must_find(&nics, "lo");
	assert_true(lo->virtual);
	assert_false(lo->speed_mbps.known);
	assert_string_equal(lo->duplex, "");
	assert_string_equal(lo->operstate, "unknown");
	assert_num(lo->mtu, 65536);
	assert_num(lo->carrier, 1);
	assert_string_equal(lo->mac, "00:00:00:00:00:00");
	hw_nics_free(&nics);
}

/* bond0 metric 0 and eno3 metric 100 both carry 0.0.0.0/0. */
static void test_nic_default_route_lowest_metric(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(hw_nics_probe(FIXTURES "/host-bond10g", &nics, &err),
			 0);
	assert_string_equal(nics.default_route, "bond0");
	hw_nics_free(&nics);
}

/* A table of 40 routes, read past the first allocation of 16 slots and
 * two growths: the default route with the lowest metric is line 36. */
static void test_nic_default_route_found_in_a_long_table(void **state)
{
	char dir[] = "/tmp/kagent-routes-XXXXXX", path[128], ifname[HW_IFNAME_MAX];
	struct hw_err err = {{0}};
	FILE *f;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/proc/net", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/proc/net/route", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\t"
		   "Mask\t\tMTU\tWindow\tIRTT\n");
	fprintf(f, "eno3\t00000000\t0164A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
	for (i = 0; i < 38; i++) {
		if (i == 33)
			fprintf(f, "bond0\t00000000\t011E140A\t0003\t0\t0\t5\t"
				   "00000000\t0\t0\t0\n");
		fprintf(f, "eth%d\t00%02X140A\t00000000\t0001\t0\t0\t0\t"
			   "00FFFFFF\t0\t0\t0\n", i, i);
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(hw_nic_default_route(dir, ifname, sizeof ifname, &err), 0);
	assert_string_equal(ifname, "bond0");
	unlink(path);
	snprintf(path, sizeof path, "%s/proc/net", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_nic_malformed_mtu_names_file(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(hw_nics_probe(FIXTURES "/nic-bad-mtu", &nics, &err),
			 -EINVAL);
	assert_string_equal(
	    err.msg, FIXTURES
	    "/nic-bad-mtu/sys/class/net/eth0/mtu: not a number: 'abc'");
	assert_null(nics.v);
	assert_int_equal(nics.n, 0);
}

static void test_nic_missing_class_net_names_it(void **state)
{
	struct hw_nics nics;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(
	    hw_nics_probe(FIXTURES "/host-bond10g/proc", &nics, &err), -ENOENT);
	assert_string_equal(err.msg,
			    FIXTURES "/host-bond10g/proc/sys/class/net: "
				     "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nic_node_exporter_corpus_bonds),
	    cmocka_unit_test(test_nic_procfs_corpus_eth0),
	    cmocka_unit_test(test_bond_speed_sums_only_known_members),
	    cmocka_unit_test(test_bond_speed_is_sum_of_members),
	    cmocka_unit_test(test_nic_addresses_from_procfs),
	    cmocka_unit_test(test_nic_lo_speed_unknown_is_null),
	    cmocka_unit_test(test_nic_default_route_lowest_metric),
	    cmocka_unit_test(test_nic_default_route_found_in_a_long_table),
	    cmocka_unit_test(test_nic_malformed_mtu_names_file),
	    cmocka_unit_test(test_nic_missing_class_net_names_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
