/* hw_mounts_parse and hw_disks_find_mount_for_path on mountinfo text.
 * Lines come from real hosts: the node_exporter capture in the corpus, and
 * Debian 12 (the host-storage fixture). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "hw.h"

static void test_octal_escapes_decode_space_and_tab(void **state)
{
	/* two lines of the node_exporter capture: \040 and \011 in a path */
	static const char text[] =
	    "3148 3003 260:0 / "
	    "/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/"
	    "[vsanDatastore]\\040bafb9e5a rw,relatime shared:31 - ext4 "
	    "/dev/sda rw,data=ordered\n"
	    "3149 3004 260:0 / /a\\011b\\134c\\012d rw,relatime shared:32 - "
	    "ext4 /dev/sda rw,data=ordered\n";
	struct hw_mount *m;
	struct hw_err err = {{0}};
	size_t n, skipped;

	(void)state;
	assert_int_equal(
	    hw_mounts_parse(text, "mountinfo", &m, &n, &skipped, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].path,
			    "/var/lib/kubelet/plugins/kubernetes.io/"
			    "vsphere-volume/mounts/[vsanDatastore] bafb9e5a");
	assert_string_equal(m[1].path, "/a\tb\\c\nd");
	assert_int_equal(m[1].major, 260);
	assert_int_equal(m[1].minor, 0);
	hw_mounts_free(m);
}

static void test_optional_fields_none_one_or_several(void **state)
{
	static const char text[] =
	    "1128 67 253:0 /var/lib/containers/storage/overlay "
	    "/var/lib/containers/storage/overlay rw,relatime - xfs "
	    "/dev/mapper/rhel-root rw,seclabel,attr2\n"
	    "47 22 253:0 / /var/lib/kafka rw,noatime shared:32 - xfs "
	    "/dev/mapper/vg0-kafka rw,attr2,inode64\n"
	    "60 47 253:0 / /mnt/k rw,noatime shared:40 master:32 "
	    "propagate_from:7 unbindable - xfs /dev/mapper/vg0-kafka rw\n";
	struct hw_mount *m;
	struct hw_err err = {{0}};
	size_t n, skipped;

	(void)state;
	assert_int_equal(
	    hw_mounts_parse(text, "mountinfo", &m, &n, &skipped, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].id, 1128);
	assert_int_equal(m[0].parent_id, 67);
	assert_string_equal(m[0].path, "/var/lib/containers/storage/overlay");
	assert_string_equal(m[0].fstype, "xfs");
	assert_string_equal(m[0].source, "/dev/mapper/rhel-root");
	assert_string_equal(m[0].options, "rw,relatime");
	assert_string_equal(m[0].super_options, "rw,seclabel,attr2");
	assert_string_equal(m[1].options, "rw,noatime");
	assert_string_equal(m[1].fstype, "xfs");
	assert_string_equal(m[2].path, "/mnt/k");
	assert_string_equal(m[2].fstype, "xfs");
	assert_string_equal(m[2].source, "/dev/mapper/vg0-kafka");
	assert_string_equal(m[2].super_options, "rw");
	hw_mounts_free(m);
}

static void test_double_space_of_captured_file_is_one_separator(void **state)
{
	/* verbatim from the procfs and node_exporter captures */
	static const char text[] =
	    "1 1 0:5 /  /root rw,nosuid shared:8 - rootfs rootfs rw\n";
	struct hw_mount *m;
	struct hw_err err = {{0}};
	size_t n, skipped;

	(void)state;
	assert_int_equal(
	    hw_mounts_parse(text, "mountinfo", &m, &n, &skipped, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].path, "/root");
	assert_string_equal(m[0].fstype, "rootfs");
	hw_mounts_free(m);
}

static void assert_bad(const char *text, const char *msg)
{
	struct hw_mount *m = NULL;
	struct hw_err err = {{0}};
	size_t n = 7, skipped;

	assert_int_equal(hw_mounts_parse(text, "proc/self/mountinfo", &m, &n,
					 &skipped, &err),
			 -EINVAL);
	assert_null(m);
	assert_int_equal(n, 0);
	assert_string_equal(err.msg, msg);
}

static void test_line_without_separator_names_file_and_line(void **state)
{
	(void)state;
	assert_bad(
	    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
	    "\n"
	    "23 22 0:21 / /sys rw,nosuid shared:7 sysfs sysfs rw\n",
	    "proc/self/mountinfo:3: expected 'ID PARENT MAJ:MIN ROOT "
	    "MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER'");
}

static void test_missing_super_options_is_malformed(void **state)
{
	(void)state;
	assert_bad(
	    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2\n",
	    "proc/self/mountinfo:1: 2 fields after ' - ', expected 3 (fstype "
	    "source options)");
	assert_bad(
	    "22 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p2 rw extra\n",
	    "proc/self/mountinfo:1: 4 fields after ' - ', expected 3 (fstype "
	    "source options)");
}

static void test_bad_numbers_are_malformed(void **state)
{
	(void)state;
	assert_bad(
	    "x 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n",
	    "proc/self/mountinfo:1: mount ID and parent ID must be numbers");
	assert_bad("22 1 259-2 / / rw - ext4 /dev/nvme0n1p2 rw\n",
		   "proc/self/mountinfo:1: '259-2' is not MAJOR:MINOR");
	assert_bad("22 1 259:2 / var rw - ext4 /dev/nvme0n1p2 rw\n",
		   "proc/self/mountinfo:1: mount point 'var' is not absolute");
}

static void test_field_too_long_is_skipped_and_counted(void **state)
{
	char text[1024];
	char longpath[300];
	struct hw_mount *m;
	struct hw_err err = {{0}};
	size_t n, skipped;

	(void)state;
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	snprintf(text, sizeof text,
		 "22 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
		 "23 22 259:2 / %s rw - ext4 /dev/nvme0n1p2 rw\n",
		 longpath);
	assert_int_equal(
	    hw_mounts_parse(text, "mountinfo", &m, &n, &skipped, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(skipped, 1);
	assert_string_equal(m[0].path, "/");
	hw_mounts_free(m);
}

static void test_empty_text_has_no_mounts(void **state)
{
	struct hw_mount *m;
	struct hw_err err = {{0}};
	size_t n = 5, skipped;

	(void)state;
	assert_int_equal(
	    hw_mounts_parse("", "mountinfo", &m, &n, &skipped, &err), 0);
	assert_int_equal(n, 0);
	assert_null(m);
}

/* Mount lookup over a list without disks: prefix rules only. */
static void lookup(const char *path, int rc, const char *want)
{
	static const char text[] =
	    "22 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n"
	    "47 22 253:0 / /var/lib/kafka rw,noatime - xfs "
	    "/dev/mapper/vg0-kafka rw\n"
	    "48 47 8:17 / /var/lib/kafka/logs-2 rw - ext4 /dev/sdb1 rw\n"
	    "49 47 8:33 / /var/lib/kafka/logs-2 rw - ext4 /dev/sdc1 rw\n";
	struct hw_disks d = {0};
	struct hw_err err = {{0}};
	const struct hw_mount *m;
	const struct hw_disk *on[1];
	size_t n, skipped;

	assert_int_equal(hw_mounts_parse(text, "mountinfo", &d.mounts,
					 &d.n_mounts, &skipped, &err),
			 0);
	assert_int_equal(hw_disks_find_mount_for_path(&d, path, &m, on, 1, &n),
			 rc);
	if (want)
		assert_string_equal(m->source, want);
	else
		assert_null(m);
	hw_mounts_free(d.mounts);
}

static void test_lookup_takes_longest_whole_component_prefix(void **state)
{
	(void)state;
	lookup("/var/lib/kafka", 0, "/dev/mapper/vg0-kafka");
	lookup("/var/lib/kafka/", 0, "/dev/mapper/vg0-kafka");
	lookup("/var/lib/kafka/logs-1", 0, "/dev/mapper/vg0-kafka");
	lookup("/var/lib/kafkalogs", 0, "/dev/nvme0n1p2");
	lookup("/", 0, "/dev/nvme0n1p2");
}

static void test_lookup_overmounted_point_gives_the_top_mount(void **state)
{
	(void)state;
	lookup("/var/lib/kafka/logs-2/topic-0", 0, "/dev/sdc1");
}

static void test_lookup_relative_path_is_invalid(void **state)
{
	(void)state;
	lookup("var/lib/kafka", -EINVAL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_octal_escapes_decode_space_and_tab),
	    cmocka_unit_test(test_optional_fields_none_one_or_several),
	    cmocka_unit_test(
		test_double_space_of_captured_file_is_one_separator),
	    cmocka_unit_test(test_line_without_separator_names_file_and_line),
	    cmocka_unit_test(test_missing_super_options_is_malformed),
	    cmocka_unit_test(test_bad_numbers_are_malformed),
	    cmocka_unit_test(test_field_too_long_is_skipped_and_counted),
	    cmocka_unit_test(test_empty_text_has_no_mounts),
	    cmocka_unit_test(test_lookup_takes_longest_whole_component_prefix),
	    cmocka_unit_test(test_lookup_overmounted_point_gives_the_top_mount),
	    cmocka_unit_test(test_lookup_relative_path_is_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
