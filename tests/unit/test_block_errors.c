/* hw_disks_probe errors name the file that stopped it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "hw.h"

static void assert_probe_fails(const char *root, int rc, const char *msg)
{
	struct hw_disks d;
	struct hw_err err = {{0}};

	assert_int_equal(hw_disks_probe(root, &d, &err), rc);
	assert_string_equal(err.msg, msg);
	assert_null(d.v);
	assert_int_equal(d.n, 0);
	assert_null(d.mounts);
}

static void test_missing_sys_block_is_an_error_naming_it(void **state)
{
	(void)state;
	assert_probe_fails(
	    FIXTURES "/host-storage/run", -ENOENT,
	    FIXTURES "/host-storage/run/sys/block: No such file or directory");
}

static void test_empty_size_file_is_invalid_naming_it(void **state)
{
	(void)state;
	assert_probe_fails(
	    FIXTURES "/block-bad-size", -EINVAL,
	    FIXTURES
	    "/block-bad-size/sys/block/sda/size: not a non-negative number");
}

static void test_truncated_mountinfo_line_names_file_and_line(void **state)
{
	(void)state;
	assert_probe_fails(FIXTURES "/block-bad-mountinfo", -EINVAL,
			   FIXTURES
			   "/block-bad-mountinfo/proc/self/mountinfo:2: "
			   "expected 'ID PARENT MAJ:MIN ROOT MOUNTPOINT "
			   "OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER'");
}

/* The procfs capture has proc/self as a plain file (its symlink flattened)
 * and no proc/1: both places are named. */
static void test_unreadable_mountinfo_names_both_files(void **state)
{
	(void)state;
	assert_probe_fails(
	    CORPUS "/sysfs-procfs", -ENOENT,
	    CORPUS "/sysfs-procfs/proc/self/mountinfo: Not a directory; " CORPUS
		   "/sysfs-procfs/proc/1/mountinfo: No such file or directory");
}

static void test_missing_root_is_an_error(void **state)
{
	(void)state;
	assert_probe_fails(FIXTURES "/no-such-root", -ENOENT,
			   FIXTURES "/no-such-root: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_sys_block_is_an_error_naming_it),
	    cmocka_unit_test(test_empty_size_file_is_invalid_naming_it),
	    cmocka_unit_test(test_truncated_mountinfo_line_names_file_and_line),
	    cmocka_unit_test(test_unreadable_mountinfo_names_both_files),
	    cmocka_unit_test(test_missing_root_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
