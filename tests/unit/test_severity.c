/* One severity (core_check.h) and one mapping to and from the wire's
 * (proto/severity.c): every value both ways, and what the wire may send
 * that is no severity. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_check.h"
#include "health.h"
#include "proto.h"

static const struct {
	enum check_severity sev;
	kagent_v1_Severity wire;
	const char *name;
} all[] = {
	{SEV_PASS, kagent_v1_Severity_SEVERITY_PASS, "pass"},
	{SEV_INFO, kagent_v1_Severity_SEVERITY_INFO, "info"},
	{SEV_UNKNOWN, kagent_v1_Severity_SEVERITY_UNKNOWN, "unknown"},
	{SEV_WARN, kagent_v1_Severity_SEVERITY_WARN, "warn"},
	{SEV_FAIL, kagent_v1_Severity_SEVERITY_FAIL, "fail"},
};

/* The collector's database and metrics store these numbers. */
static void test_numbers_are_the_stored_ones(void **state)
{
	(void)state;
	assert_int_equal(SEV_PASS, 0);
	assert_int_equal(SEV_INFO, 1);
	assert_int_equal(SEV_UNKNOWN, 2);
	assert_int_equal(SEV_WARN, 3);
	assert_int_equal(SEV_FAIL, 4);
}

static void test_every_severity_round_trips(void **state)
{
	enum check_severity back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		assert_int_equal(proto_sev_to_wire(all[i].sev), all[i].wire);
		back = SEV_PASS;
		assert_int_equal(proto_sev_from_wire(all[i].wire, &back), 0);
		assert_int_equal(back, all[i].sev);
		assert_string_equal(check_severity_name(all[i].sev),
				    all[i].name);
	}
}

static void test_unspecified_and_unknown_wire_values_refused(void **state)
{
	enum check_severity s = SEV_INFO;

	(void)state;
	assert_int_equal(proto_sev_from_wire(0, &s), -EINVAL);
	assert_int_equal(proto_sev_from_wire(6, &s), -EINVAL);
	assert_int_equal(proto_sev_from_wire(-1, &s), -EINVAL);
	assert_int_equal(s, SEV_INFO);
	/* Out of range on the C side: unknown, never a pass. */
	assert_int_equal(proto_sev_to_wire((enum check_severity)9),
			 kagent_v1_Severity_SEVERITY_UNKNOWN);
}

/* A disk whose health log is missing is unknown, though SEV_PASS is the
 * zero of the enum. */
static void test_unread_disk_is_unknown_not_pass(void **state)
{
	struct disk_health h;

	(void)state;
	health_from_nvme(NULL, &h);
	assert_int_equal(h.verdict, SEV_UNKNOWN);
	assert_int_equal(proto_sev_to_wire(h.verdict),
			 kagent_v1_Severity_SEVERITY_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numbers_are_the_stored_ones),
	    cmocka_unit_test(test_every_severity_round_trips),
	    cmocka_unit_test(test_unspecified_and_unknown_wire_values_refused),
	    cmocka_unit_test(test_unread_disk_is_unknown_not_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
