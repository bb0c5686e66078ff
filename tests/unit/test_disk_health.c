/* Which SMART source serves which disk, the NVMe controller behind a
 * namespace, and the smartctl fallback judged on smartctl reports of real
 * disks (shared corpus). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "disk_health.h"

#define EXPORTER_DIR CORPUS "/smartctl-json-exporter"
#define FALLBACK     "libatasmart: Operation not supported"

static enum disk_smart_plan plan_of(const char *root, enum hw_disk_kind kind,
				    const char *transport, char *reason,
				    size_t cap)
{
	struct hw_disk d;

	memset(&d, 0, sizeof d);
	snprintf(d.name, sizeof d.name, "sdx");
	d.kind = kind;
	snprintf(d.transport, sizeof d.transport, "%s", transport);
	return disk_health_plan(root, &d, reason, cap);
}

static void test_plan_follows_transport_on_live_host(void **state)
{
	static const struct {
		const char *transport;
		enum disk_smart_plan plan;
	} cases[] = {
	    {"sata", DISK_PLAN_ATA},	  {"ata", DISK_PLAN_ATA},
	    {"nvme", DISK_PLAN_NVME},	  {"sas", DISK_PLAN_SMARTCTL},
	    {"scsi", DISK_PLAN_SMARTCTL}, {"usb", DISK_PLAN_SMARTCTL},
	};
	char reason[192];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(plan_of("/", HW_DISK_PHYSICAL,
					 cases[i].transport, reason,
					 sizeof reason),
				 cases[i].plan);
		assert_string_equal(reason, "");
	}
}

static void test_disks_without_smart_say_why(void **state)
{
	char reason[192];

	(void)state;
	assert_int_equal(
	    plan_of("/", HW_DISK_PHYSICAL, "virtio", reason, sizeof reason),
	    DISK_PLAN_UNSUPPORTED);
	assert_string_equal(reason, "virtio disks have no SMART");
	assert_int_equal(
	    plan_of("/", HW_DISK_PHYSICAL, "mmc", reason, sizeof reason),
	    DISK_PLAN_UNSUPPORTED);
	assert_string_equal(reason, "mmc devices have no SMART");
	assert_int_equal(
	    plan_of("/", HW_DISK_PHYSICAL, "", reason, sizeof reason),
	    DISK_PLAN_UNSUPPORTED);
	assert_string_equal(reason, "transport unknown: no SMART source");
	assert_int_equal(
	    plan_of("/", HW_DISK_PHYSICAL, "fc", reason, sizeof reason),
	    DISK_PLAN_UNSUPPORTED);
	assert_string_equal(reason, "no SMART source for fc disks");
}

static void test_captured_root_reads_no_device(void **state)
{
	char reason[192];

	(void)state;
	assert_int_equal(plan_of(FIXTURES "/nvme-ctrl", HW_DISK_PHYSICAL,
				 "sata", reason, sizeof reason),
			 DISK_PLAN_CAPTURED);
	assert_string_equal(
	    reason, "SMART is read from live devices only (--root given)");
	/* "//" and "///" are the live root too; "." is a capture. */
	assert_int_equal(
	    plan_of("//", HW_DISK_PHYSICAL, "sata", reason, sizeof reason),
	    DISK_PLAN_ATA);
	assert_int_equal(
	    plan_of(".", HW_DISK_PHYSICAL, "sata", reason, sizeof reason),
	    DISK_PLAN_CAPTURED);
}

/* The SMART plan judges the root as the NIC and clock probes do
 * (hw_root_is_live): "/." and a link to "/" are the live host. */
static void test_any_path_to_the_live_root_reads_devices(void **state)
{
	char reason[192], dir[] = "/tmp/kagent-root-XXXXXX", link[64];

	(void)state;
	assert_int_equal(
	    plan_of("/.", HW_DISK_PHYSICAL, "sata", reason, sizeof reason),
	    DISK_PLAN_ATA);
	assert_int_equal(
	    plan_of("/tmp/..", HW_DISK_PHYSICAL, "nvme", reason, sizeof reason),
	    DISK_PLAN_NVME);
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof link, "%s/root", dir);
	assert_int_equal(symlink("/", link), 0);
	assert_int_equal(
	    plan_of(link, HW_DISK_PHYSICAL, "sata", reason, sizeof reason),
	    DISK_PLAN_ATA);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_volumes_have_no_health_of_their_own(void **state)
{
	char reason[192];

	(void)state;
	assert_int_equal(plan_of("/", HW_DISK_MD, "", reason, sizeof reason),
			 DISK_PLAN_NONE);
	assert_string_equal(reason, "md volume: its member disks carry health");
	assert_int_equal(plan_of(FIXTURES "/nvme-ctrl", HW_DISK_DM, "", reason,
				 sizeof reason),
			 DISK_PLAN_NONE);
	assert_string_equal(reason, "dm volume: its member disks carry health");
}

static void test_probe_on_captured_tree_is_unknown_with_reason(void **state)
{
	struct disk_smart *s = malloc(sizeof *s);
	struct hw_disk d;

	(void)state;
	assert_non_null(s);
	memset(&d, 0, sizeof d);
	snprintf(d.name, sizeof d.name, "nvme0n1");
	snprintf(d.transport, sizeof d.transport, "nvme");
	assert_int_equal(disk_health_probe(FIXTURES "/nvme-ctrl", &d, s), 0);
	assert_int_equal(s->health.verdict, SEV_UNKNOWN);
	assert_string_equal(
	    s->health.reason,
	    "SMART is read from live devices only (--root given)");
	assert_string_equal(s->health.source, "");
	assert_int_equal(s->source, DISK_SRC_NONE);
	free(s);
}

static void test_nvme_namespace_parent_is_its_controller(void **state)
{
	char ctrl[32];

	(void)state;
	assert_int_equal(disk_nvme_controller(FIXTURES "/nvme-ctrl", "nvme0n1",
					      ctrl, sizeof ctrl),
			 0);
	assert_string_equal(ctrl, "nvme0");
}

static void test_nvme_multipath_head_uses_lowest_controller(void **state)
{
	char ctrl[32];

	(void)state;
	assert_int_equal(disk_nvme_controller(FIXTURES "/nvme-ctrl", "nvme1n1",
					      ctrl, sizeof ctrl),
			 0);
	assert_string_equal(ctrl, "nvme1");
}

static void test_nvme_controller_of_missing_disk_is_enoent(void **state)
{
	char ctrl[32];

	(void)state;
	assert_int_equal(disk_nvme_controller(FIXTURES "/nvme-ctrl", "nvme9n1",
					      ctrl, sizeof ctrl),
			 -ENOENT);
}

static struct disk_smart *fallback_on(const char *file, const char *prefix)
{
	struct disk_smart *s = calloc(1, sizeof *s);
	struct hw_err err = {""};
	char *buf = malloc(CORE_READ_MAX);
	ssize_t n;

	assert_non_null(s);
	assert_non_null(buf);
	n = core_read_file(file, buf, CORE_READ_MAX);
	assert_true(n > 0);
	if (hw_smartctl_parse(buf, (size_t)n, &s->facts.smartctl, &err) < 0)
		fail_msg("%s: %s", file, err.msg);
	free(buf);
	disk_health_from_smartctl(&s->facts.smartctl, prefix, s);
	return s;
}

static void test_fallback_names_libatasmart_and_smartctl(void **state)
{
	struct disk_smart *s = fallback_on(
	    EXPORTER_DIR
	    "/sat-Western_Digital_RE4-WDC_WD5003ABYZ-011FA0-sda.json",
	    FALLBACK);
	json_t *j;

	(void)state;
	assert_int_equal(s->health.verdict, SEV_PASS);
	assert_string_equal(s->health.source, "smartctl");
	assert_string_equal(s->health.reason,
			    FALLBACK "; smartctl: smart_status.passed=true");
	assert_int_equal(s->source, DISK_SRC_SMARTCTL);
	/* The facts the inventory reports next to the verdict. */
	j = disk_smart_to_json(s);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "protocol")),
			    "ATA");
	assert_true(json_is_true(json_object_get(j, "smart_status_passed")));
	assert_int_equal(
	    json_integer_value(json_object_get(j, "temperature_c")), 19);
	assert_int_equal(
	    json_integer_value(json_object_get(j, "power_on_hours")), 7277);
	json_decref(j);
	free(s);
}

static void test_fallback_keeps_smartctl_warning(void **state)
{
	struct disk_smart *s = fallback_on(
	    EXPORTER_DIR "/sat-Intel_S4510_S4610_S4500_S4600_Series_SSDs-"
			 "INTEL_SSDSC2KB240G7-sdd.json",
	    FALLBACK);

	(void)state;
	assert_int_equal(s->health.verdict, SEV_WARN);
	assert_string_equal(s->health.reason,
			    FALLBACK "; smartctl: ata5.raw=4");
	free(s);
}

/* smartctl could not open the disk: its own message is the reason, once. */
static void test_fallback_without_status_quotes_smartctl_once(void **state)
{
	struct disk_smart *s =
	    fallback_on(CORPUS "/smartctl-json/smart-fail.json", FALLBACK);

	(void)state;
	assert_int_equal(s->health.verdict, SEV_UNKNOWN);
	assert_string_equal(s->health.source, "smartctl");
	assert_string_equal(s->health.reason,
			    FALLBACK "; smartctl: Smartctl open device: "
				     "/dev/sda failed: \\\\.\\PhysicalDrive0: "
				     "Open failed, Error=5");
	free(s);
}

/* SAS disks go to smartctl first: its verdict stands alone. */
static void test_smartctl_first_has_no_prefix(void **state)
{
	struct disk_smart *s =
	    fallback_on(EXPORTER_DIR "/HITACHI_H109060SESUN600G_10.json", NULL);

	(void)state;
	assert_int_equal(s->health.verdict, SEV_PASS);
	assert_string_equal(s->health.reason, "smart_status.passed=true");
	free(s);
	s = fallback_on(CORPUS "/smartctl-json/smart-scsi.json", NULL);
	assert_int_equal(s->health.verdict, SEV_WARN);
	assert_string_equal(s->health.reason, "scsi_grown_defect_list=56");
	free(s);
}

static void test_no_source_is_json_null(void **state)
{
	struct disk_smart s;
	json_t *j, *h;

	(void)state;
	memset(&s, 0, sizeof s);
	/* SEV_PASS is 0 (core_check.h): an unread disk says unknown. */
	s.health.verdict = SEV_UNKNOWN;
	snprintf(s.health.reason, sizeof s.health.reason,
		 "virtio disks have no SMART");
	j = disk_smart_to_json(&s);
	assert_true(json_is_null(j));
	json_decref(j);
	h = disk_health_to_json(&s.health);
	assert_string_equal(json_string_value(json_object_get(h, "verdict")),
			    "unknown");
	assert_true(json_is_null(json_object_get(h, "source")));
	json_decref(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan_follows_transport_on_live_host),
	    cmocka_unit_test(test_disks_without_smart_say_why),
	    cmocka_unit_test(test_captured_root_reads_no_device),
	    cmocka_unit_test(test_any_path_to_the_live_root_reads_devices),
	    cmocka_unit_test(test_volumes_have_no_health_of_their_own),
	    cmocka_unit_test(
		test_probe_on_captured_tree_is_unknown_with_reason),
	    cmocka_unit_test(test_nvme_namespace_parent_is_its_controller),
	    cmocka_unit_test(test_nvme_multipath_head_uses_lowest_controller),
	    cmocka_unit_test(test_nvme_controller_of_missing_disk_is_enoent),
	    cmocka_unit_test(test_fallback_names_libatasmart_and_smartctl),
	    cmocka_unit_test(test_fallback_keeps_smartctl_warning),
	    cmocka_unit_test(test_fallback_without_status_quotes_smartctl_once),
	    cmocka_unit_test(test_smartctl_first_has_no_prefix),
	    cmocka_unit_test(test_no_source_is_json_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
