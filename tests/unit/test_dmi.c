/* DMI identity from sys/class/dmi/id: real captures, firmware placeholders,
 * hosts without DMI, and serials only root may read. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "board.h"
#include "board_json.h"

#define DELL_PROCFS  CORPUS "/sysfs-procfs"
#define DELL_NODEEXP CORPUS "/sysfs-node-exporter"

static void assert_dell_r6515(const struct board_dmi *d)
{
	assert_string_equal(d->vendor, "Dell Inc.");
	assert_string_equal(d->product, "PowerEdge R6515");
	assert_string_equal(d->serial, "7N62AI2");
	assert_string_equal(d->board_vendor, "Dell Inc.");
	assert_string_equal(d->board_name, "07PXPY");
	assert_string_equal(d->bios_vendor, "Dell Inc.");
	assert_string_equal(d->bios_version, "2.2.4");
	assert_string_equal(d->bios_date, "04/12/2021");
	assert_string_equal(d->chassis_serial, "7N62AI2");
	/* the capture's chassis_asset_tag is an empty line */
	assert_string_equal(d->chassis_asset_tag, "");
	assert_int_equal(d->needs_root, 0);
}

static void test_dmi_dell_r6515_exact_values(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(board_dmi_read(DELL_PROCFS, &d, &err), 0);
	assert_dell_r6515(&d);
	assert_string_equal(d.product_version, "");
}

/* node_exporter's copy of the same machine has U+FFFD and a 0x1c byte in
 * product_version: garbage is unknown, the rest is read as before. */
static void test_dmi_garbage_bytes_are_unknown(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(board_dmi_read(DELL_NODEEXP, &d, &err), 0);
	assert_dell_r6515(&d);
	assert_string_equal(d.product_version, "");
}

static void test_dmi_default_string_placeholders_are_unknown(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(board_dmi_read(FIXTURES "/dmi-skybay", &d, &err), 0);
	assert_string_equal(d.vendor, "");
	assert_string_equal(d.product, "");
	assert_string_equal(d.board_name, "SKYBAY");
	assert_string_equal(d.bios_version, "5.12");
	assert_string_equal(d.bios_date, "02/15/2023");
	assert_string_equal(d.serial, "");
	assert_int_equal(d.needs_root, 0);
}

static void test_dmi_oem_placeholder_vendor_is_unknown(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(board_dmi_read(FIXTURES "/dmi-asrock-x570m", &d, &err),
			 0);
	assert_string_equal(d.vendor, "");
	assert_string_equal(d.product, "X570M Pro4");
	assert_string_equal(d.board_name, "X570M Pro4");
	assert_string_equal(d.bios_version, "P3.70");
	assert_string_equal(d.bios_date, "02/23/2022");
}

/* A VM without SMBIOS has no sys/class/dmi at all: everything unknown,
 * and that is not an error. */
static void test_dmi_missing_directory_is_all_unknown(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};
	int f;

	(void)state;
	assert_int_equal(board_dmi_read(FIXTURES "/hwmon-hot", &d, &err), 0);
	for (f = 0; f < BOARD_DMI_NFIELDS; f++)
		assert_string_equal(board_dmi_field_value(&d, f), "");
	assert_int_equal(d.needs_root, 0);
	assert_string_equal(err.msg, "");
}

static void test_dmi_missing_root_is_error_naming_it(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(board_dmi_read(FIXTURES "/no-such-root", &d, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "no-such-root"));
}

/* Copies the Dell capture's attributes into a fresh tree, with the serial
 * attributes mode 0400 as the kernel makes them. */
static void make_dell_tree(char *root, size_t len)
{
	static const char *const files[] = {
	    "sys_vendor",   "product_name", "product_serial",
	    "board_vendor", "board_name",   "bios_vendor",
	    "bios_version", "bios_date",    "chassis_serial",
	};
	char dir[256], src[512], dst[512], buf[256];
	size_t i;
	ssize_t n;
	FILE *f;

	snprintf(root, len, "/tmp/kagent-dmi-XXXXXX");
	assert_non_null(mkdtemp(root));
	assert_int_equal(chmod(root, 0755), 0);
	snprintf(dir, sizeof dir, "%s/sys", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof dir, "%s/sys/class", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof dir, "%s/sys/class/dmi", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof dir, "%s/sys/class/dmi/id", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(src, sizeof src, "%s/sys/class/dmi/id/%s", DELL_PROCFS,
			 files[i]);
		snprintf(dst, sizeof dst, "%s/%s", dir, files[i]);
		n = core_read_file(src, buf, sizeof buf);
		assert_true(n > 0);
		f = fopen(dst, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(
		    chmod(dst, strstr(files[i], "serial") ? 0400 : 0444), 0);
	}
}

static void remove_tree(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/*
 * The serials are 0400 root: an unprivileged agent must say "needs root",
 * not guess and not fail.  Root bypasses file modes, so when the test runs
 * as root it reads as nobody (seteuid keeps the saved uid to come back);
 * as a normal user the files are made mode 000, which denies the owner.
 */
static void test_dmi_serial_unreadable_without_root_needs_root(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};
	char root[64], path[128];
	bool was_root = geteuid() == 0;
	json_t *j;
	int r;

	(void)state;
	make_dell_tree(root, sizeof root);
	if (!was_root) {
		snprintf(path, sizeof path,
			 "%s/sys/class/dmi/id/product_serial", root);
		assert_int_equal(chmod(path, 0), 0);
		snprintf(path, sizeof path,
			 "%s/sys/class/dmi/id/chassis_serial", root);
		assert_int_equal(chmod(path, 0), 0);
	} else {
		assert_int_equal(seteuid(65534), 0);
	}
	r = board_dmi_read(root, &d, &err);
	if (was_root)
		assert_int_equal(seteuid(0), 0);
	remove_tree(root);

	assert_int_equal(r, 0);
	assert_string_equal(d.vendor, "Dell Inc.");
	assert_string_equal(d.board_name, "07PXPY");
	assert_string_equal(d.serial, "");
	assert_string_equal(d.chassis_serial, "");
	assert_int_equal(d.needs_root, (1u << BOARD_DMI_SERIAL) |
					   (1u << BOARD_DMI_CHASSIS_SERIAL));

	j = board_dmi_to_json(&d);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "serial")));
	assert_string_equal(json_string_value(json_object_get(j, "vendor")),
			    "Dell Inc.");
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(j, "unknown_reason"), "serial")),
	    "needs root");
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(j, "unknown_reason"), "chassis_serial")),
	    "needs root");
	assert_int_equal(json_object_size(json_object_get(j, "unknown_reason")),
			 2);
	json_decref(j);
}

static void test_dmi_json_keys_and_nulls(void **state)
{
	struct board_dmi d;
	struct hw_err err = {{0}};
	json_t *j;
	char *s;

	(void)state;
	assert_int_equal(board_dmi_read(FIXTURES "/dmi-skybay", &d, &err), 0);
	j = board_dmi_to_json(&d);
	assert_non_null(j);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s,
			    "{\"asset_tag\":null,\"bios_date\":\"02/15/2023\","
			    "\"bios_vendor\":null,\"bios_version\":\"5.12\","
			    "\"board_name\":\"SKYBAY\",\"board_vendor\":null,"
			    "\"chassis_serial\":null,\"product\":null,"
			    "\"product_version\":null,\"serial\":null,"
			    "\"unknown_reason\":{},\"vendor\":null}");
	free(s);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dmi_dell_r6515_exact_values),
	    cmocka_unit_test(test_dmi_garbage_bytes_are_unknown),
	    cmocka_unit_test(test_dmi_default_string_placeholders_are_unknown),
	    cmocka_unit_test(test_dmi_oem_placeholder_vendor_is_unknown),
	    cmocka_unit_test(test_dmi_missing_directory_is_all_unknown),
	    cmocka_unit_test(test_dmi_missing_root_is_error_naming_it),
	    cmocka_unit_test(
		test_dmi_serial_unreadable_without_root_needs_root),
	    cmocka_unit_test(test_dmi_json_keys_and_nulls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
