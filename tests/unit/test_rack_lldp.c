/* [host] rack = lldp and rack_pattern: the configuration's errors name the
 * key and line, and the rack is the pattern's group over the name of the
 * switch the uplink hangs from (default route, bond members, else any NIC
 * with a neighbour). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "facts.h"

static void parse_fails(const char *text, const char *want)
{
	struct conf c;
	char err[512] = "";

	conf_defaults(&c);
	assert_int_equal(conf_parse(text, "kagent.conf", &c, err, sizeof err),
			 -EINVAL);
	assert_string_equal(err, want);
}

static void test_conf_rack_lldp_and_pattern(void **state)
{
	struct conf c;
	char err[512] = "";

	(void)state;
	conf_defaults(&c);
	assert_string_equal(c.rack_pattern, "^([^.-]+)");
	assert_int_equal(conf_parse("[host]\nrack = r7\nrack = lldp\n"
				    "rack_pattern = ^rack([0-9]+)-\n"
				    "lldp_socket = /run/lldpd.socket\n",
				    "kagent.conf", &c, err, sizeof err),
			 0);
	assert_true(c.rack_lldp);
	assert_string_equal(c.rack, "");
	assert_string_equal(c.rack_pattern, "^rack([0-9]+)-");
	assert_string_equal(c.lldp_socket, "/run/lldpd.socket");
}

static void test_conf_bad_rack_pattern_names_key_and_line(void **state)
{
	(void)state;
	parse_fails("[host]\nrack = lldp\nrack_pattern = ^(r[0-9]+\n",
		    "kagent.conf:3: bad regular expression for "
		    "'rack_pattern': Unmatched ( or \\(");
	parse_fails("[host]\nrack_pattern = ^(r)([0-9]+)\n",
		    "kagent.conf:2: 'rack_pattern' needs exactly one capture "
		    "group ( ), the rack");
	parse_fails("[host]\nlldp_socket = lldpd.socket\n",
		    "kagent.conf:2: 'lldp_socket' must be an absolute path");
}

static void nic(struct hw_nic *n, const char *name, const char *sw)
{
	memset(n, 0, sizeof *n);
	snprintf(n->name, sizeof n->name, "%s", name);
	if (sw == NULL) {
		n->lldp.state = HW_LLDP_NO_DAEMON;
		snprintf(n->lldp.reason, sizeof n->lldp.reason,
			 "no LLDP daemon (/run/lldpd.socket: absent)");
		return;
	}
	n->lldp.state = HW_LLDP_NEIGHBOUR;
	snprintf(n->lldp.sysname, sizeof n->lldp.sysname, "%s", sw);
}

/* bond0 over eno1 (r12-tor-b) and eno2 (r12-tor-a); eno3 to a storage
 * switch.  The rack comes from the bond's pair, not from eno3. */
static void test_rack_from_bond_over_switch_pair(void **state)
{
	struct hw_nic v[4];
	struct hw_nics nics = {v, 4, "bond0"};
	char rack[64], why[160] = "";

	(void)state;
	nic(&v[0], "bond0", NULL);
	v[0].lldp.state = HW_LLDP_UNKNOWN;
	v[0].bond = true;
	v[0].n_members = 2;
	strcpy(v[0].members[0], "eno1");
	strcpy(v[0].members[1], "eno2");
	nic(&v[1], "eno1", "r12-tor-b.dc1.example");
	nic(&v[2], "eno2", "r12-tor-a.dc1.example");
	nic(&v[3], "eno3", "a-storage-sw");
	assert_int_equal(facts_rack_lldp("^([^.-]+)", &nics, rack, sizeof rack,
					 why, sizeof why),
			 0);
	assert_string_equal(rack, "r12");
	assert_int_equal(facts_rack_lldp("-(tor-[ab])\\.", &nics, rack,
					 sizeof rack, why, sizeof why),
			 0);
	assert_string_equal(rack, "tor-a");

	/* No match: no rack, and the reason names the switch. */
	assert_int_equal(facts_rack_lldp("^rack([0-9]+)", &nics, rack,
					 sizeof rack, why, sizeof why),
			 -ENOENT);
	assert_string_equal(rack, "");
	assert_string_equal(why, "switch r12-tor-a.dc1.example does not "
				 "match rack_pattern '^rack([0-9]+)'");
}

static void test_rack_without_switch_says_why(void **state)
{
	struct hw_nic v[2];
	struct hw_nics nics = {v, 2, "eno1"};
	char rack[64] = "x", why[160] = "";

	(void)state;
	nic(&v[0], "eno1", NULL);
	nic(&v[1], "lo", NULL);
	assert_int_equal(facts_rack_lldp("^([^.-]+)", &nics, rack, sizeof rack,
					 why, sizeof why),
			 -ENOENT);
	assert_string_equal(rack, "");
	assert_string_equal(why, "no switch on eno1: no LLDP daemon "
				 "(/run/lldpd.socket: absent)");

	/* No default route: any NIC with a neighbour. */
	nics.default_route[0] = '\0';
	nic(&v[1], "eth1", "rack3-sw1");
	assert_int_equal(facts_rack_lldp("^([^.-]+)", &nics, rack, sizeof rack,
					 why, sizeof why),
			 0);
	assert_string_equal(rack, "rack3");
}

/* A group that ends inside "é" (0xc3 0xa9) is not a rack name. */
static void test_rack_cut_inside_a_character_is_refused(void **state)
{
	struct hw_nic v[1];
	struct hw_nics nics = {v, 1, "eno1"};
	char rack[64], why[160] = "";

	(void)state;
	nic(&v[0], "eno1", "r\xc3\xa9seau-1");
	assert_int_equal(
	    facts_rack_lldp("^(..)", &nics, rack, sizeof rack, why, sizeof why),
	    -EILSEQ);
	assert_string_equal(rack, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf_rack_lldp_and_pattern),
	    cmocka_unit_test(test_conf_bad_rack_pattern_names_key_and_line),
	    cmocka_unit_test(test_rack_from_bond_over_switch_pair),
	    cmocka_unit_test(test_rack_without_switch_says_why),
	    cmocka_unit_test(test_rack_cut_inside_a_character_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
