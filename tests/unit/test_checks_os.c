/* os.*: through `kagent check` on the fixture hosts (Kafka's guide's
 * settings, Debian's defaults with a running broker, a tree without the
 * files), on facts for both sides of each threshold, and the parsers of
 * hw/os.c on a captured /proc/PID/limits and systemd units. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_host.h"
#include "checks.h"

#define FX FIXTURES "/"

static json_t *run_fixture(const char *name)
{
	char root[PATH_MAX];
	json_t *doc;
	int rc;

	snprintf(root, sizeof root, FX "%s", name);
	doc = host_check(root, NULL, NULL, &rc);
	assert_non_null(doc);
	return doc;
}

static void test_tuned_host_passes(void **state)
{
	json_t *doc = run_fixture("check-sec-good"), *c;

	(void)state;
	assert_result(doc, "os.swappiness", NULL, "pass", "1", "<= 1");
	assert_result(doc, "os.max_map_count", NULL, "pass", "262144",
		      ">= 262144");
	assert_result(doc, "os.nofile", NULL, "pass", "100000", ">= 100000");
	c = host_result(doc, "os.nofile", NULL);
	assert_string_equal(host_field(c, "message"),
			    "LimitNOFILE in /etc/systemd/system/kafka.service");
	assert_result(doc, "os.filesystem", "/var/lib/kafka/data", "pass",
		      "xfs, noatime", "xfs or ext4, noatime");
	assert_result(doc, "os.filesystem", "/srv/cold store/kafka", "info",
		      "ext4", "xfs or ext4, noatime");
	json_decref(doc);
}

static void test_debian_defaults_warn(void **state)
{
	json_t *doc = run_fixture("check-os-defaults"), *c;

	(void)state;
	assert_result(doc, "os.swappiness", NULL, "warn", "60", "<= 1");
	assert_result(doc, "os.max_map_count", NULL, "warn", "65530",
		      ">= 262144");
	/* The running broker's own limit wins over its unit's. */
	assert_result(doc, "os.nofile", NULL, "warn", "20000", ">= 100000");
	c = host_result(doc, "os.nofile", NULL);
	assert_string_equal(
	    host_field(c, "message"),
	    "open-file limit 20000 (running Kafka process 4242): a broker "
	    "holds a file per log segment and per connection");
	json_decref(doc);
}

static void test_missing_files_are_unknown(void **state)
{
	json_t *doc = run_fixture("check-os-unknown"), *c;

	(void)state;
	assert_result(doc, "os.swappiness", NULL, "unknown", "", "<= 1");
	assert_result(doc, "os.max_map_count", NULL, "unknown", "",
		      ">= 262144");
	assert_result(doc, "os.nofile", NULL, "unknown", "", ">= 100000");
	c = host_result(doc, "os.nofile", NULL);
	assert_string_equal(
	    host_field(c, "message"),
	    "no Kafka process running and no LimitNOFILE configured");
	json_decref(doc);
}

/* A tree has no clock: info, so that it cannot make the verdict UNKNOWN. */
static void test_clock_below_a_tree_is_not_judged(void **state)
{
	json_t *doc = run_fixture("check-sec-good"), *c;

	(void)state;
	assert_result(doc, "os.clock", NULL, "info", "not judged",
		      "synchronised");
	c = host_result(doc, "os.clock", NULL);
	assert_string_equal(host_field(c, "message"),
			    "clock state is read from the live kernel only; "
			    "judge it on the host itself");
	json_decref(doc);
}

/* ---- on facts ---- */

static struct facts *facts_new(void)
{
	struct facts *f = calloc(1, sizeof *f);

	assert_non_null(f);
	conf_defaults(&f->conf);
	return f;
}

static const struct check_result *run_one(const struct facts *f, const char *id,
					  struct check_results *res)
{
	size_t i;

	check_results_free(res);
	for (i = 0; i < checks_os_len; i++)
		if (strcmp(checks_os[i].id, id) == 0)
			checks_os[i].run(f, res);
	assert_int_equal(res->n > 0, 1);
	return &res->v[0];
}

static void assert_one(const struct check_result *r, enum check_severity sev,
		       const char *measured, const char *required)
{
	assert_string_equal(check_severity_name(r->sev),
			    check_severity_name(sev));
	assert_string_equal(r->measured, measured);
	assert_string_equal(r->required, required);
}

static void test_swappiness_threshold_both_sides(void **state)
{
	struct facts *f = facts_new();
	struct check_results res = {0};

	(void)state;
	f->os.swappiness = (struct hw_num){1, true};
	assert_one(run_one(f, "os.swappiness", &res), SEV_PASS, "1", "<= 1");
	f->os.swappiness = (struct hw_num){2, true};
	assert_one(run_one(f, "os.swappiness", &res), SEV_WARN, "2", "<= 1");
	/* A threshold from kagent.conf moves the line. */
	f->conf.th.os_swappiness_warn_above = 10;
	assert_one(run_one(f, "os.swappiness", &res), SEV_PASS, "2", "<= 10");
	check_results_free(&res);
	free(f);
}

static void test_max_map_count_threshold_both_sides(void **state)
{
	struct facts *f = facts_new();
	struct check_results res = {0};

	(void)state;
	f->os.max_map_count = (struct hw_num){262143, true};
	assert_one(run_one(f, "os.max_map_count", &res), SEV_WARN, "262143",
		   ">= 262144");
	f->os.max_map_count = (struct hw_num){262144, true};
	assert_one(run_one(f, "os.max_map_count", &res), SEV_PASS, "262144",
		   ">= 262144");
	check_results_free(&res);
	free(f);
}

static void test_nofile_threshold_both_sides(void **state)
{
	struct facts *f = facts_new();
	struct check_results res = {0};

	(void)state;
	snprintf(f->os.nofile_source, sizeof f->os.nofile_source,
		 "LimitNOFILE in /etc/systemd/system/kafka.service");
	f->os.nofile = (struct hw_num){99999, true};
	assert_one(run_one(f, "os.nofile", &res), SEV_WARN, "99999",
		   ">= 100000");
	f->os.nofile = (struct hw_num){100000, true};
	assert_one(run_one(f, "os.nofile", &res), SEV_PASS, "100000",
		   ">= 100000");
	f->os.nofile = (struct hw_num){INT64_MAX, true};
	assert_one(run_one(f, "os.nofile", &res), SEV_PASS, "unlimited",
		   ">= 100000");
	check_results_free(&res);
	free(f);
}

static void test_clock_on_a_live_host(void **state)
{
	struct facts *f = facts_new();
	struct check_results res = {0};

	(void)state;
	f->os.clock_live = true;
	f->os.clock_synced = (struct hw_num){1, true};
	assert_one(run_one(f, "os.clock", &res), SEV_PASS, "synchronised",
		   "synchronised");
	f->os.clock_synced = (struct hw_num){0, true};
	assert_one(run_one(f, "os.clock", &res), SEV_WARN, "unsynchronised",
		   "synchronised");
	f->os.clock_synced.known = false;
	snprintf(f->os.clock_reason, sizeof f->os.clock_reason,
		 "adjtimex: Operation not permitted");
	assert_one(run_one(f, "os.clock", &res), SEV_UNKNOWN, "",
		   "synchronised");
	assert_string_equal(res.v[0].message,
			    "adjtimex: Operation not permitted");
	check_results_free(&res);
	free(f);
}

static void test_filesystem_per_log_dir(void **state)
{
	struct facts *f = facts_new();
	struct check_results res = {0};
	struct hw_mount nfs = {
	    .path = "/mnt/kafka", .fstype = "nfs4", .options = "rw,relatime"};
	struct hw_mount ext4 = {
	    .path = "/data", .fstype = "ext4", .options = "rw,noatime"};

	(void)state;
	f->n_logdirs = 3;
	snprintf(f->logdirs[0].path, sizeof f->logdirs[0].path,
		 "/mnt/kafka/logs");
	f->logdirs[0].mount = &nfs;
	snprintf(f->logdirs[1].path, sizeof f->logdirs[1].path, "/data/kafka");
	f->logdirs[1].mount = &ext4;
	snprintf(f->logdirs[2].path, sizeof f->logdirs[2].path, "/nowhere");
	run_one(f, "os.filesystem", &res);
	assert_int_equal(res.n, 3);
	assert_string_equal(res.v[0].instance, "/mnt/kafka/logs");
	assert_one(&res.v[0], SEV_INFO, "nfs4", "xfs or ext4, noatime");
	assert_string_equal(
	    res.v[0].message,
	    "Kafka is tested on XFS and ext4; without noatime every read also "
	    "writes the access time (mounted at /mnt/kafka)");
	assert_one(&res.v[1], SEV_PASS, "ext4, noatime",
		   "xfs or ext4, noatime");
	assert_one(&res.v[2], SEV_UNKNOWN, "", "xfs or ext4, noatime");
	assert_string_equal(res.v[2].message, "no mount found for /nowhere");
	check_results_free(&res);
	free(f);
}

/* ---- hw/os.c parsers ---- */

static void test_limits_of_a_running_process(void **state)
{
	char buf[4096];
	int64_t v = 0;

	(void)state;
	assert_true(core_read_file(FX "check-os-defaults/proc/4242/limits", buf,
				 sizeof buf) > 0);
	assert_int_equal(hw_os_parse_limits_nofile(buf, &v), 0);
	assert_int_equal(v, 20000);
	assert_int_equal(hw_os_parse_limits_nofile(
			     "Limit                     Soft Limit           "
			     "Hard Limit           Units     \n"
			     "Max open files            unlimited            "
			     "unlimited            files     \n",
			     &v),
			 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(
	    hw_os_parse_limits_nofile("Limit\nMax processes 5 5\n", &v),
	    -ENOENT);
}

static void test_systemd_limit_nofile(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(
	    hw_os_parse_systemd_nofile("[Service]\nLimitNOFILE=100000\n",
				       "LimitNOFILE", &v),
	    0);
	assert_int_equal(v, 100000);
	/* soft:hard */
	assert_int_equal(
	    hw_os_parse_systemd_nofile("[Service]\nLimitNOFILE=1024:524288\n",
				       "LimitNOFILE", &v),
	    0);
	assert_int_equal(v, 1024);
	assert_int_equal(hw_os_parse_systemd_nofile("LimitNOFILE=infinity\n",
						    "LimitNOFILE", &v),
			 0);
	assert_int_equal(v, INT64_MAX);
	/* The last assignment wins; comments are not assignments. */
	assert_int_equal(
	    hw_os_parse_systemd_nofile(
		"LimitNOFILE=4096\n#LimitNOFILE=1\nLimitNOFILE=200000\n",
		"LimitNOFILE", &v),
	    0);
	assert_int_equal(v, 200000);
	/* systemd strips blanks around '=' and the value. */
	assert_int_equal(
	    hw_os_parse_systemd_nofile("[Service]\nLimitNOFILE = 131072 \n",
				       "LimitNOFILE", &v),
	    0);
	assert_int_equal(v, 131072);
	/* An empty assignment resets to the default: nothing configured. */
	assert_int_equal(
	    hw_os_parse_systemd_nofile("LimitNOFILE=4096\nLimitNOFILE=\n",
				       "LimitNOFILE", &v),
	    -ENOENT);
	/* Another key that starts alike is not this one. */
	assert_int_equal(hw_os_parse_systemd_nofile("LimitNOFILESOFT=5\n",
						    "LimitNOFILE", &v),
			 -ENOENT);
	assert_int_equal(
	    hw_os_parse_systemd_nofile("#DefaultLimitNOFILE=1024:524288\n",
				       "DefaultLimitNOFILE", &v),
	    -ENOENT);
	assert_int_equal(
	    hw_os_parse_systemd_nofile("LimitNOFILE=lots\n", "LimitNOFILE", &v),
	    -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tuned_host_passes),
	    cmocka_unit_test(test_debian_defaults_warn),
	    cmocka_unit_test(test_missing_files_are_unknown),
	    cmocka_unit_test(test_clock_below_a_tree_is_not_judged),
	    cmocka_unit_test(test_swappiness_threshold_both_sides),
	    cmocka_unit_test(test_max_map_count_threshold_both_sides),
	    cmocka_unit_test(test_nofile_threshold_both_sides),
	    cmocka_unit_test(test_clock_on_a_live_host),
	    cmocka_unit_test(test_filesystem_per_log_dir),
	    cmocka_unit_test(test_limits_of_a_running_process),
	    cmocka_unit_test(test_systemd_limit_nofile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
