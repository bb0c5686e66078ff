/* hw_root_is_live: the one answer to "is this root the running host" that
 * the NIC, clock, SMART and sensors probes share. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "root.h"

static void test_every_spelling_of_slash_is_live(void **state)
{
	(void)state;
	assert_true(hw_root_is_live("/"));
	assert_true(hw_root_is_live("//"));
	assert_true(hw_root_is_live("///"));
	assert_true(hw_root_is_live("/."));
	assert_true(hw_root_is_live("/./"));
	assert_true(hw_root_is_live("/tmp/.."));
}

static void test_link_to_slash_is_live(void **state)
{
	char dir[] = "/tmp/kagent-root-XXXXXX", link[64], sub[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof link, "%s/root", dir);
	snprintf(sub, sizeof sub, "%s/tree", dir);
	assert_int_equal(symlink("/", link), 0);
	assert_int_equal(symlink(dir, sub), 0);
	assert_true(hw_root_is_live(link));
	/* A link to a capture is a capture. */
	assert_false(hw_root_is_live(sub));
	assert_false(hw_root_is_live(dir));
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(sub), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_captures_and_missing_roots_are_not_live(void **state)
{
	(void)state;
	/* ctest runs from tests/, so "." is the tests folder. */
	assert_false(hw_root_is_live("."));
	assert_false(hw_root_is_live(FIXTURES "/nvme-ctrl"));
	assert_false(hw_root_is_live(FIXTURES "/no-such-tree"));
	assert_false(hw_root_is_live(""));
	assert_false(hw_root_is_live("/tmp"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_spelling_of_slash_is_live),
	    cmocka_unit_test(test_link_to_slash_is_live),
	    cmocka_unit_test(test_captures_and_missing_roots_are_not_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
