/* The collector's ACL file: grammar, errors naming file and line, first
 * match wins, no match denies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "acl.h"

static const char example[] =
    "# who may report where, and who may read\n"
    "report kafka-test-* kafka-test   # test brokers first\n"
    "report kafka-*      kafka-prod\n"
    "\treport zk-[0-9] zk-prod\n"
    "\n"
    "read ops-*.example.net\n"
    "read loopback\n";

static void parse_ok(const char *text, struct acl *acl)
{
	char err[256] = "";
	int r =
	    acl_parse("kagent.acl", text, strlen(text), acl, err, sizeof err);

	if (r != 0)
		fail_msg("acl_parse: %d %s", r, err);
}

static void parse_err(const char *text, const char *want)
{
	struct acl acl;
	char err[256] = "";

	assert_int_equal(
	    acl_parse("kagent.acl", text, strlen(text), &acl, err, sizeof err),
	    -EINVAL);
	assert_string_equal(err, want);
	assert_null(acl.rules);
	assert_int_equal(acl.n, 0);
}

static void test_acl_rules_parsed_with_their_lines(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok(example, &acl);
	assert_int_equal(acl.n, 5);
	assert_int_equal(acl.rules[0].verb, ACL_REPORT);
	assert_string_equal(acl.rules[0].glob, "kafka-test-*");
	assert_string_equal(acl.rules[0].cluster, "kafka-test");
	assert_int_equal(acl.rules[0].line, 2);
	assert_int_equal(acl.rules[2].verb, ACL_REPORT);
	assert_string_equal(acl.rules[2].glob, "zk-[0-9]");
	assert_string_equal(acl.rules[2].cluster, "zk-prod");
	assert_int_equal(acl.rules[2].line, 4);
	assert_int_equal(acl.rules[3].verb, ACL_READ);
	assert_string_equal(acl.rules[3].glob, "ops-*.example.net");
	assert_int_equal(acl.rules[3].line, 6);
	assert_int_equal(acl.rules[4].verb, ACL_READ_LOOPBACK);
	assert_string_equal(acl.rules[4].glob, "");
	assert_int_equal(acl.rules[4].line, 7);
	acl_free(&acl);
}

static void test_acl_report_into_own_cluster_allowed(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok(example, &acl);
	assert_true(acl_may_report(&acl, "kafka-7", "kafka-prod"));
	assert_true(acl_may_report(&acl, "kafka-test-1", "kafka-test"));
	assert_true(acl_may_report(&acl, "zk-3", "zk-prod"));
	acl_free(&acl);
}

/* kafka-test-1 also matches "kafka-*", but the first rule decided. */
static void test_acl_first_match_wins_for_report(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok(example, &acl);
	assert_false(acl_may_report(&acl, "kafka-test-1", "kafka-prod"));
	assert_false(acl_may_report(&acl, "kafka-7", "kafka-test"));
	acl_free(&acl);
}

static void test_acl_report_without_matching_rule_denied(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok(example, &acl);
	assert_false(acl_may_report(&acl, "zk-10", "zk-prod"));
	assert_false(acl_may_report(&acl, "ops-1.example.net", "zk-prod"));
	assert_false(acl_may_report(&acl, "", "zk-prod"));
	assert_false(acl_may_report(&acl, NULL, "zk-prod"));
	acl_free(&acl);
}

static void test_acl_read_by_identity_or_loopback(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok(example, &acl);
	assert_true(acl_may_read(&acl, "ops-2.example.net", false));
	assert_false(acl_may_read(&acl, "ops-2.example.org", false));
	/* A report rule grants no read. */
	assert_false(acl_may_read(&acl, "kafka-7", false));
	assert_false(acl_may_read(&acl, NULL, false));
	assert_true(acl_may_read(&acl, NULL, true));
	acl_free(&acl);
}

static void test_acl_without_loopback_rule_denies_loopback(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok("report * fleet\nread admin\n", &acl);
	assert_false(acl_may_read(&acl, NULL, true));
	assert_true(acl_may_read(&acl, "admin", true));
	assert_true(acl_may_report(&acl, "anything", "fleet"));
	acl_free(&acl);
}

static void test_acl_empty_file_denies_everything(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok("# nothing yet\n\n   \n", &acl);
	assert_int_equal(acl.n, 0);
	assert_false(acl_may_report(&acl, "zk-1", "zk-prod"));
	assert_false(acl_may_read(&acl, NULL, true));
	acl_free(&acl);
}

static void test_acl_last_line_without_newline_counts(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok("read loopback\nreport zk-1 zk-prod", &acl);
	assert_int_equal(acl.n, 2);
	assert_int_equal(acl.rules[1].line, 2);
	assert_true(acl_may_report(&acl, "zk-1", "zk-prod"));
	acl_free(&acl);
}

static void test_acl_errors_name_file_and_line(void **state)
{
	(void)state;
	parse_err("read loopback\n\nallow zk-1\n",
		  "kagent.acl:3: unknown rule 'allow' (report, read, admin)");
	parse_err("admin\n", "kagent.acl:1: admin takes IDENTITY_GLOB");
	parse_err("admin a b\n", "kagent.acl:1: admin takes IDENTITY_GLOB");
	parse_err("read loopback\nadmin loopback\n",
		  "kagent.acl:2: admin takes IDENTITY_GLOB");
	parse_err("admin ops-\x7f\n", "kagent.acl:1: identity glob 'ops-\x7f' "
				      "is not printable ASCII of at most 255 "
				      "characters");
	parse_err("report zk-*\n",
		  "kagent.acl:1: report takes IDENTITY_GLOB CLUSTER");
	parse_err("# c\nreport zk-* zk-prod extra\n",
		  "kagent.acl:2: report takes IDENTITY_GLOB CLUSTER");
	parse_err("read\n",
		  "kagent.acl:1: read takes IDENTITY_GLOB or loopback");
	parse_err("read a b\n",
		  "kagent.acl:1: read takes IDENTITY_GLOB or loopback");
	parse_err("report zk-* zk/prod\n",
		  "kagent.acl:1: cluster 'zk/prod' is not letters, digits, "
		  "'.', '-', '_' of at most 63 characters");
	parse_err("read zk-\x01\n", "kagent.acl:1: identity glob 'zk-\x01' is "
				    "not printable ASCII of at most 255 "
				    "characters");
}

/* Forgetting a host needs an `admin` rule naming the certificate: a
 * `read` rule, loopback or no certificate are not enough, and `admin`
 * alone does not let a client read. */
static void test_acl_admin_by_identity_only(void **state)
{
	struct acl acl;

	(void)state;
	parse_ok("read *\nread loopback\nadmin ops-[0-9]*.example.net\n"
		 "admin [l]oopback\n",
		 &acl);
	assert_int_equal(acl.n, 4);
	assert_int_equal(acl.rules[2].verb, ACL_ADMIN);
	assert_string_equal(acl.rules[2].glob, "ops-[0-9]*.example.net");
	assert_int_equal(acl.rules[2].line, 3);
	assert_true(acl_may_admin(&acl, "ops-1.example.net"));
	assert_true(acl_may_admin(&acl, "ops-12.example.net"));
	assert_true(acl_may_admin(&acl, "loopback"));
	assert_false(acl_may_admin(&acl, "ops-a.example.net"));
	assert_false(acl_may_admin(&acl, "reader"));
	assert_false(acl_may_admin(&acl, ""));
	assert_false(acl_may_admin(&acl, NULL));
	acl_free(&acl);

	parse_ok("admin ops-*\n", &acl);
	assert_true(acl_may_admin(&acl, "ops-1"));
	assert_false(acl_may_read(&acl, "ops-1", false));
	assert_false(acl_may_report(&acl, "ops-1", "ops"));
	acl_free(&acl);

	parse_ok(example, &acl);
	assert_false(acl_may_admin(&acl, "ops-1.example.net"));
	assert_false(acl_may_admin(&acl, NULL));
	acl_free(&acl);
}

static void test_acl_overlong_line_refused(void **state)
{
	char text[ACL_LINE_MAX + 16];

	(void)state;
	memset(text, 'a', sizeof text);
	memcpy(text, "read ", 5);
	text[ACL_LINE_MAX + 1] = '\n';
	text[ACL_LINE_MAX + 2] = '\0';
	parse_err(text, "kagent.acl:1: line longer than 1024 bytes");
}

static void test_acl_nul_byte_refused(void **state)
{
	static const char text[] = "read loopback\nread a\0b\n";
	struct acl acl;
	char err[256];

	(void)state;
	assert_int_equal(
	    acl_parse("x.acl", text, sizeof text - 1, &acl, err, sizeof err),
	    -EINVAL);
	assert_string_equal(err, "x.acl:2: NUL byte in line");
}

static void test_acl_load_reads_file_and_names_it(void **state)
{
	char dir[] = "/tmp/test_acl.XXXXXX";
	char path[64], want[160], err[256] = "";
	struct acl acl;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/collector.acl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(example, f);
	fputs("read bad extra\n", f);
	fclose(f);
	assert_int_equal(acl_load(path, &acl, err, sizeof err), -EINVAL);

	snprintf(want, sizeof want,
		 "%s:8: read takes IDENTITY_GLOB or loopback", path);
	assert_string_equal(err, want);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(example, f);
	fclose(f);
	assert_int_equal(acl_load(path, &acl, err, sizeof err), 0);
	assert_int_equal(acl.n, 5);
	acl_free(&acl);
	unlink(path);

	assert_int_equal(acl_load(path, &acl, err, sizeof err), -ENOENT);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	assert_string_equal(err, want);
	rmdir(dir);
}

static void test_acl_file_over_limit_refused(void **state)
{
	char dir[] = "/tmp/test_acl.XXXXXX";
	char path[64], want[160], err[256] = "";
	struct acl acl;
	FILE *f;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/big.acl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* 16 bytes a line, one line past 1 MiB. */
	for (i = 0; i <= ACL_FILE_MAX / 16; i++)
		fputs("# padding .....\n", f);
	fclose(f);
	assert_int_equal(acl_load(path, &acl, err, sizeof err), -EFBIG);
	snprintf(want, sizeof want, "%s: larger than 1048576 bytes", path);
	assert_string_equal(err, want);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_acl_rules_parsed_with_their_lines),
	    cmocka_unit_test(test_acl_report_into_own_cluster_allowed),
	    cmocka_unit_test(test_acl_first_match_wins_for_report),
	    cmocka_unit_test(test_acl_report_without_matching_rule_denied),
	    cmocka_unit_test(test_acl_read_by_identity_or_loopback),
	    cmocka_unit_test(test_acl_without_loopback_rule_denies_loopback),
	    cmocka_unit_test(test_acl_empty_file_denies_everything),
	    cmocka_unit_test(test_acl_last_line_without_newline_counts),
	    cmocka_unit_test(test_acl_errors_name_file_and_line),
	    cmocka_unit_test(test_acl_admin_by_identity_only),
	    cmocka_unit_test(test_acl_overlong_line_refused),
	    cmocka_unit_test(test_acl_nul_byte_refused),
	    cmocka_unit_test(test_acl_load_reads_file_and_names_it),
	    cmocka_unit_test(test_acl_file_over_limit_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
