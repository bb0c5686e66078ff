/* The agent's LLDP neighbours through the wire to the collector's view of
 * the switches a host hangs from: hw_nic → proto_fill_nic → an encoded
 * Report → coll_report_decode → coll_host_switches. */
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
#include "proto_fill.h"

static void nic(struct hw_nic *n, const char *name, enum hw_lldp_state st,
		const char *sw, const char *reason)
{
	memset(n, 0, sizeof *n);
	snprintf(n->name, sizeof n->name, "%s", name);
	n->lldp.state = st;
	if (sw) {
		snprintf(n->lldp.sysname, sizeof n->lldp.sysname, "%s", sw);
		snprintf(n->lldp.port_id, sizeof n->lldp.port_id, "Ethernet7");
	}
	if (reason)
		snprintf(n->lldp.reason, sizeof n->lldp.reason, "%s", reason);
}

/* Encodes a Report whose NICs are v[0..n), default route `route`, decodes
 * it as the collector does and derives the switches. */
static void through_wire(const struct hw_nic *v, size_t n, const char *route,
			 struct coll_host *h)
{
	kagent_v1_Report *r = calloc(1, sizeof *r),
			 *back = malloc(sizeof *back);
	static uint8_t buf[65536];
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof buf);
	struct proto_lists l, lb;
	kagent_v1_Nic *o;
	size_t i;

	assert_non_null(r);
	assert_non_null(back);
	proto_lists_init(&l);
	proto_lists_init(&lb);
	strcpy(r->host_id, "b1");
	snprintf(r->inventory.default_route_nic,
		 sizeof r->inventory.default_route_nic, "%s", route);
	for (i = 0; i < n; i++) {
		assert_int_equal(proto_list_add(&l.nics, (void **)&o), 0);
		assert_int_equal(proto_fill_nic(&v[i], o), 0);
	}
	proto_report_bind(r, &l);
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	assert_int_equal(
	    coll_report_decode(buf, os.bytes_written, back, &lb, NULL), 0);
	memset(h, 0, sizeof *h);
	coll_host_switches(back, &lb, h);
	proto_lists_free(&l);
	proto_lists_free(&lb);
	free(r);
	free(back);
}

/* bond0 (default route) over eno1 and eno2 on a switch pair; eno3 on a
 * storage switch that is not the host's rack. */
static void test_bond_over_switch_pair_gives_both_sorted(void **state)
{
	struct hw_nic v[4];
	struct coll_host h;

	(void)state;
	nic(&v[0], "bond0", HW_LLDP_UNKNOWN, NULL,
	    "not a port lldpd listens on");
	v[0].bond = true;
	v[0].n_members = 2;
	strcpy(v[0].members[0], "eno1");
	strcpy(v[0].members[1], "eno2");
	nic(&v[1], "eno1", HW_LLDP_NEIGHBOUR, "r12-tor-b", NULL);
	nic(&v[2], "eno2", HW_LLDP_NEIGHBOUR, "r12-tor-a", NULL);
	nic(&v[3], "eno3", HW_LLDP_NEIGHBOUR, "storage-sw-9", NULL);
	through_wire(v, 4, "bond0", &h);
	assert_int_equal(h.n_switches, 2);
	assert_string_equal(h.switches[0], "r12-tor-a");
	assert_string_equal(h.switches[1], "r12-tor-b");
	assert_string_equal(h.lldp_reason, "");

	/* The default route through a NIC the report does not resolve (a
	 * VLAN): every NIC with a neighbour. */
	through_wire(v, 4, "bond0.100", &h);
	assert_int_equal(h.n_switches, 3);
	assert_string_equal(h.switches[2], "storage-sw-9");
}

static void test_no_daemon_reason_reaches_the_collector(void **state)
{
	struct hw_nic v[2];
	struct coll_host h;

	(void)state;
	nic(&v[0], "eno1", HW_LLDP_NO_DAEMON, NULL,
	    "no LLDP daemon (/run/lldpd.socket: absent)");
	nic(&v[1], "lo", HW_LLDP_NO_DAEMON, NULL,
	    "no LLDP daemon (/run/lldpd.socket: absent)");
	through_wire(v, 2, "eno1", &h);
	assert_int_equal(h.n_switches, 0);
	assert_string_equal(h.lldp_reason,
			    "eno1: no LLDP daemon (/run/lldpd.socket: absent)");

	/* lldpd runs, the uplink hears nobody; lo's reason does not hide
	 * it. */
	nic(&v[0], "eno1", HW_LLDP_NO_NEIGHBOUR, NULL,
	    "no neighbour (lldpd heard no LLDP on this port)");
	nic(&v[1], "lo", HW_LLDP_UNKNOWN, NULL, "not a port lldpd listens on");
	through_wire(v, 2, "", &h);
	assert_string_equal(
	    h.lldp_reason,
	    "eno1: no neighbour (lldpd heard no LLDP on this port)");
}

/* A report from an agent before LLDP carries no state at all. */
static void test_agent_without_lldp_says_so(void **state)
{
	kagent_v1_Report r;
	struct proto_lists l;
	kagent_v1_Nic *o;
	struct coll_host h;

	(void)state;
	memset(&r, 0, sizeof r);
	proto_lists_init(&l);
	assert_int_equal(proto_list_add(&l.nics, (void **)&o), 0);
	strcpy(o->name, "eno1");
	memset(&h, 0, sizeof h);
	coll_host_switches(&r, &l, &h);
	assert_int_equal(h.n_switches, 0);
	assert_string_equal(h.lldp_reason,
			    "the agent reports no LLDP (older than LLDP "
			    "support)");
	proto_lists_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bond_over_switch_pair_gives_both_sorted),
	    cmocka_unit_test(test_no_daemon_reason_reaches_the_collector),
	    cmocka_unit_test(test_agent_without_lldp_says_so),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
