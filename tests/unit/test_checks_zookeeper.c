/* zookeeper.memory, .disk, .nic.speed and .live: through the binary on
 * the check-zk-* fixture hosts, and on facts structs for both sides of
 * every threshold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checks_test.h"

/* ---- the fixture hosts, through kagent check ---- */

/* The fixtures' clientPort is 1, where nothing listens: zookeeper.live
 * fails on every one of them, so their verdict is fail and exit code 2. */
static void assert_live_fails(const struct bin_run *r)
{
	assert_bin_result(r, "zookeeper.live", NULL, "fail", "not running",
			  "imok, serving");
	assert_string_equal(bin_verdict(r), "fail");
	assert_int_equal(r->exit_code, 2);
}

static void test_host_with_1g_fails_memory(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-zk-mem1g", &r);
	assert_bin_result(&r, "zookeeper.memory", NULL, "fail",
			  "1004.4 MiB MemTotal",
			  ">= 2.0 GiB (MemTotal >= 1.9 GiB)");
	assert_live_fails(&r);
	json_decref(r.doc);
}

/* ROLES.md: fail *below* 2 GB; a 2 GB host meets that and only warns. */
static void test_host_with_2g_warns_memory(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-zk-mem2g", &r);
	assert_bin_result(&r, "zookeeper.memory", NULL, "warn",
			  "2.0 GiB MemTotal",
			  ">= 4.0 GiB (MemTotal >= 3.8 GiB)");
	assert_live_fails(&r);
	json_decref(r.doc);
}

static void test_8g_host_on_480g_ssd_with_1g_nic_passes(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-zk-ssd8g", &r);
	assert_bin_result(&r, "zookeeper.memory", NULL, "pass",
			  "7.8 GiB MemTotal",
			  ">= 4.0 GiB (MemTotal >= 3.8 GiB)");
	assert_bin_result(&r, "zookeeper.disk", "/var/lib/zookeeper", "pass",
			  "480.1 GB SSD (sdb)", "SSD, >= 240.0 GB");
	assert_bin_result(&r, "zookeeper.nic.speed", "eno3", "pass", "1 Gb/s",
			  ">= 1 Gb/s");
	assert_live_fails(&r);
	json_decref(r.doc);
}

static void test_data_dir_on_hdd_warns_disk(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-zk-hdd6g", &r);
	assert_bin_result(&r, "zookeeper.memory", NULL, "pass",
			  "5.9 GiB MemTotal",
			  ">= 4.0 GiB (MemTotal >= 3.8 GiB)");
	assert_bin_result(&r, "zookeeper.disk", "/var/lib/zookeeper", "warn",
			  "480.1 GB HDD (sdb)", "SSD, >= 240.0 GB");
	assert_live_fails(&r);
	json_decref(r.doc);
}

/* ---- memory on facts: both sides of each threshold ---- */

static enum check_severity zk_memory(int64_t bytes, bool installed, char *m,
				     size_t mlen)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};
	enum check_severity sev;

	if (installed)
		f->inv.memory.installed_bytes = (struct hw_num){bytes, true};
	f->inv.memory.total_bytes = (struct hw_num){
	    installed ? bytes - 100 * (INT64_C(1) << 20) : bytes, true};
	run_check(f, "zookeeper.memory", &res);
	assert_int_equal(res.n, 1);
	sev = res.v[0].sev;
	if (m)
		snprintf(m, mlen, "%s", res.v[0].measured);
	check_results_free(&res);
	free(f);
	return sev;
}

static void test_memory_fail_threshold_is_2g_installed(void **state)
{
	(void)state;
	assert_int_equal(zk_memory(2 * GiB, true, NULL, 0), SEV_WARN);
	assert_int_equal(zk_memory(2 * GiB - 1, true, NULL, 0), SEV_FAIL);
}

static void test_memory_warn_threshold_is_4g_installed(void **state)
{
	char m[64];

	(void)state;
	assert_int_equal(zk_memory(4 * GiB, true, m, sizeof m), SEV_PASS);
	assert_string_equal(m, "4.0 GiB installed");
	assert_int_equal(zk_memory(4 * GiB - 1, true, NULL, 0), SEV_WARN);
}

static void test_memory_above_8g_is_info(void **state)
{
	(void)state;
	assert_int_equal(zk_memory(8 * GiB, true, NULL, 0), SEV_PASS);
	assert_int_equal(zk_memory(8 * GiB + 1, true, NULL, 0), SEV_INFO);
}

/* Without SMBIOS, MemTotal counts as 4 GiB down to 95 % of it. */
static void test_memtotal_has_5_percent_tolerance(void **state)
{
	int64_t edge = 4 * GiB * 95 / 100;

	(void)state;
	assert_int_equal(zk_memory(edge, false, NULL, 0), SEV_PASS);
	assert_int_equal(zk_memory(edge - 1, false, NULL, 0), SEV_WARN);
	assert_int_equal(zk_memory(2 * GiB * 95 / 100 - 1, false, NULL, 0),
			 SEV_FAIL);
}

static void test_memory_unknown_without_memtotal(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};

	(void)state;
	run_check(f, "zookeeper.memory", &res);
	assert_int_equal(res.n, 1);
	assert_result(&res.v[0], "zookeeper.memory", "", SEV_UNKNOWN, "",
		      ">= 4.0 GiB");
	check_results_free(&res);
	free(f);
}

/* ---- disk on facts ---- */

struct zk_disk_case {
	struct facts *f;
	struct zk_config zk;
	struct hw_mount mount;
	struct hw_disk disk;
	struct check_results res;
};

static void zk_disk_run(struct zk_disk_case *c, int64_t size, int rotational)
{
	memset(c, 0, sizeof *c);
	c->f = facts_new(CORE_ROLE_ZOOKEEPER);
	c->f->zk = &c->zk;
	snprintf(c->mount.path, sizeof c->mount.path, "/var/lib/zookeeper");
	snprintf(c->mount.fstype, sizeof c->mount.fstype, "ext4");
	snprintf(c->disk.name, sizeof c->disk.name, "sdb");
	c->disk.size_bytes = (struct hw_num){size, true};
	c->disk.rotational = (struct hw_num){rotational, true};
	c->f->n_zk_dirs = 1;
	snprintf(c->f->zk_dirs[0].path, sizeof c->f->zk_dirs[0].path,
		 "/var/lib/zookeeper/data");
	c->f->zk_dirs[0].mount = &c->mount;
	c->f->zk_dirs[0].n_disks = 1;
	c->f->zk_dirs[0].disks[0] = &c->disk;
	run_check(c->f, "zookeeper.disk", &c->res);
	assert_int_equal(c->res.n, 1);
}

static void zk_disk_done(struct zk_disk_case *c)
{
	check_results_free(&c->res);
	free(c->f);
}

static void test_disk_capacity_threshold_is_240gb(void **state)
{
	struct zk_disk_case c;

	(void)state;
	zk_disk_run(&c, 240 * GB, 0);
	assert_result(&c.res.v[0], "zookeeper.disk", "/var/lib/zookeeper/data",
		      SEV_PASS, "240.0 GB SSD (sdb)", "SSD, >= 240.0 GB");
	zk_disk_done(&c);
	zk_disk_run(&c, 240 * GB - 512, 0);
	assert_result(&c.res.v[0], "zookeeper.disk", "/var/lib/zookeeper/data",
		      SEV_WARN, "240.0 GB SSD (sdb)", "SSD, >= 240.0 GB");
	zk_disk_done(&c);
}

static void test_disk_small_hdd_names_both_problems(void **state)
{
	struct zk_disk_case c;

	(void)state;
	zk_disk_run(&c, 120 * GB, 1);
	assert_result(&c.res.v[0], "zookeeper.disk", "/var/lib/zookeeper/data",
		      SEV_WARN, "120.0 GB HDD (sdb)", "SSD, >= 240.0 GB");
	assert_non_null(strstr(c.res.v[0].message, "rotating"));
	assert_non_null(strstr(c.res.v[0].message, "240 or 480 GB"));
	zk_disk_done(&c);
}

static void test_disk_on_tmpfs_is_unknown_with_why(void **state)
{
	struct zk_disk_case c;

	(void)state;
	memset(&c, 0, sizeof c);
	c.f = facts_new(CORE_ROLE_ZOOKEEPER);
	c.f->zk = &c.zk;
	snprintf(c.mount.path, sizeof c.mount.path, "/tmp");
	snprintf(c.mount.fstype, sizeof c.mount.fstype, "tmpfs");
	snprintf(c.mount.source, sizeof c.mount.source, "tmpfs");
	c.f->n_zk_dirs = 1;
	snprintf(c.f->zk_dirs[0].path, sizeof c.f->zk_dirs[0].path,
		 "/tmp/zookeeper");
	c.f->zk_dirs[0].mount = &c.mount;
	run_check(c.f, "zookeeper.disk", &c.res);
	assert_int_equal(c.res.n, 1);
	assert_result(&c.res.v[0], "zookeeper.disk", "/tmp/zookeeper",
		      SEV_UNKNOWN, "", "SSD, >= 240.0 GB");
	assert_string_equal(
	    c.res.v[0].message,
	    "/tmp/zookeeper is on tmpfs (tmpfs), not on a local disk");
	zk_disk_done(&c);
}

static void test_missing_zoo_cfg_makes_disk_nic_live_unknown(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};

	(void)state;
	snprintf(f->zk_error, sizeof f->zk_error,
		 "no zoo.cfg found (set [zookeeper] config)");
	run_check(f, "zookeeper.disk", &res);
	run_check(f, "zookeeper.nic.speed", &res);
	run_check(f, "zookeeper.live", &res);
	assert_int_equal(res.n, 3);
	assert_result(&res.v[0], "zookeeper.disk", "", SEV_UNKNOWN, "", "SSD");
	assert_string_equal(res.v[0].message, f->zk_error);
	assert_result(&res.v[1], "zookeeper.nic.speed", "", SEV_UNKNOWN, "",
		      ">= 1 Gb/s");
	assert_result(&res.v[2], "zookeeper.live", "", SEV_UNKNOWN, "",
		      "imok, serving");
	check_results_free(&res);
	free(f);
}

/* ---- nic speed on facts ---- */

static void test_nic_speed_threshold_is_1g(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};
	struct zk_config zk = {0};
	struct hw_nic nic = {.name = "eth0"};

	(void)state;
	f->zk = &zk;
	f->zk_nic = &nic;
	snprintf(f->zk_nic_why, sizeof f->zk_nic_why, "holds 10.0.0.5");
	nic.speed_mbps = (struct hw_num){1000, true};
	run_check(f, "zookeeper.nic.speed", &res);
	nic.speed_mbps = (struct hw_num){100, true};
	run_check(f, "zookeeper.nic.speed", &res);
	nic.speed_mbps = (struct hw_num){0, false};
	run_check(f, "zookeeper.nic.speed", &res);
	f->zk_nic = NULL;
	snprintf(f->zk_nic_why, sizeof f->zk_nic_why,
		 "no interface holds 10.0.0.9");
	run_check(f, "zookeeper.nic.speed", &res);
	assert_int_equal(res.n, 4);
	assert_result(&res.v[0], "zookeeper.nic.speed", "eth0", SEV_PASS,
		      "1 Gb/s", ">= 1 Gb/s");
	assert_result(&res.v[1], "zookeeper.nic.speed", "eth0", SEV_FAIL,
		      "100 Mb/s", ">= 1 Gb/s");
	assert_result(&res.v[2], "zookeeper.nic.speed", "eth0", SEV_UNKNOWN, "",
		      ">= 1 Gb/s");
	assert_result(&res.v[3], "zookeeper.nic.speed", "", SEV_UNKNOWN, "",
		      ">= 1 Gb/s");
	assert_string_equal(res.v[3].message,
			    "no interface found for the role's traffic: no "
			    "interface holds 10.0.0.9");
	check_results_free(&res);
	free(f);
}

/* ---- live, from replies captured from Debian's zookeeper 3.8.0 ---- */

static void parse_reply(const char *file,
			int (*parse)(const char *, size_t, struct zk_status *),
			struct zk_status *st)
{
	char path[512], buf[ZK_REPLY_MAX];
	ssize_t n;

	snprintf(path, sizeof path, "%s/zk-replies/%s", FIXTURES, file);
	n = core_read_file(path, buf, sizeof buf);
	assert_true(n >= 0);
	parse(buf, (size_t)n, st);
}

static void live_result(const char *shape, bool ruok, bool srvr, bool mntr,
			struct check_result *out)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};
	struct zk_config zk = {0};
	char file[128];

	f->zk = &zk;
	f->zk_live_probed = true;
	zk_status_init(&f->zk_live);
	if (ruok) {
		snprintf(file, sizeof file, "zk-3.8.0-%s-ruok.txt", shape);
		parse_reply(file, zk_parse_ruok, &f->zk_live);
	}
	if (srvr) {
		snprintf(file, sizeof file, "zk-3.8.0-%s-srvr.txt", shape);
		parse_reply(file, zk_parse_srvr, &f->zk_live);
	}
	if (mntr) {
		snprintf(file, sizeof file, "zk-3.8.0-%s-mntr.txt", shape);
		parse_reply(file, zk_parse_mntr, &f->zk_live);
	}
	run_check(f, "zookeeper.live", &res);
	assert_int_equal(res.n, 1);
	*out = res.v[0];
	check_results_free(&res);
	free(f);
}

static void test_live_standalone_passes_with_mode_and_version(void **state)
{
	struct check_result r;

	(void)state;
	live_result("standalone", true, true, true, &r);
	assert_result(&r, "zookeeper.live", "", SEV_PASS, "standalone 3.8.0",
		      "imok, serving");
}

static void test_live_follower_passes(void **state)
{
	struct check_result r;

	(void)state;
	live_result("follower", false, true, true, &r);
	assert_result(&r, "zookeeper.live", "", SEV_PASS, "follower 3.8.0",
		      "imok, serving");
}

/* The default whitelist refuses ruok and mntr but always answers srvr. */
static void test_live_default_whitelist_passes_on_srvr(void **state)
{
	struct check_result r;

	(void)state;
	live_result("default-whitelist", true, true, true, &r);
	assert_result(&r, "zookeeper.live", "", SEV_PASS, "standalone 3.8.0",
		      "imok, serving");
}

/* Every word asked refused: the server is there but will not say more. */
static void test_live_all_words_refused_is_unknown(void **state)
{
	struct check_result r;

	(void)state;
	live_result("default-whitelist", true, false, true, &r);
	assert_result(&r, "zookeeper.live", "", SEV_UNKNOWN, "not allowed",
		      "imok, serving");
	assert_non_null(strstr(r.message, "4lw.commands.whitelist"));
}

/* ruok says imok but srvr says "not currently serving requests": no
 * quorum, no clients served — fail, not warn. */
static void test_live_without_quorum_fails(void **state)
{
	struct check_result r;

	(void)state;
	live_result("looking", true, true, true, &r);
	assert_result(&r, "zookeeper.live", "", SEV_FAIL, "imok, not serving",
		      "imok, serving");
}

static void test_live_not_probed_is_unknown(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};
	struct zk_config zk = {0};

	(void)state;
	f->zk = &zk;
	run_check(f, "zookeeper.live", &res);
	assert_int_equal(res.n, 1);
	assert_result(&res.v[0], "zookeeper.live", "", SEV_UNKNOWN, "",
		      "imok, serving");
	check_results_free(&res);
	free(f);
}

/* kagentd before its first probe ends: unknown, and why. */
static void test_live_not_probed_yet_says_so(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};
	struct zk_config zk = {0};

	(void)state;
	f->zk = &zk;
	snprintf(f->zk_live_seen.why, sizeof f->zk_live_seen.why,
		 "not probed yet");
	run_check(f, "zookeeper.live", &res);
	assert_int_equal(res.n, 1);
	assert_result(&res.v[0], "zookeeper.live", "", SEV_UNKNOWN, "",
		      "imok, serving");
	assert_string_equal(res.v[0].message, "not probed yet");
	assert_false(res.v[0].age_known);
	check_results_free(&res);
	free(f);
}

/* kagentd's kept probe: the same result as a probe taken now, with the
 * probe's age. */
static void test_live_kept_probe_carries_its_age(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_ZOOKEEPER);
	struct check_results res = {0};
	struct zk_config zk = {0};

	(void)state;
	f->zk = &zk;
	f->zk_live_probed = true;
	zk_status_init(&f->zk_live);
	parse_reply("zk-3.8.0-follower-srvr.txt", zk_parse_srvr, &f->zk_live);
	f->zk_live_seen.have = true;
	f->zk_live_seen.age_known = true;
	f->zk_live_seen.age_ms = 1500;
	run_check(f, "zookeeper.live", &res);
	assert_int_equal(res.n, 1);
	assert_result(&res.v[0], "zookeeper.live", "", SEV_PASS,
		      "follower 3.8.0", "imok, serving");
	assert_true(res.v[0].age_known);
	assert_int_equal(res.v[0].age_ms, 1500);
	check_results_free(&res);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_with_1g_fails_memory),
	    cmocka_unit_test(test_host_with_2g_warns_memory),
	    cmocka_unit_test(test_8g_host_on_480g_ssd_with_1g_nic_passes),
	    cmocka_unit_test(test_data_dir_on_hdd_warns_disk),
	    cmocka_unit_test(test_memory_fail_threshold_is_2g_installed),
	    cmocka_unit_test(test_memory_warn_threshold_is_4g_installed),
	    cmocka_unit_test(test_memory_above_8g_is_info),
	    cmocka_unit_test(test_memtotal_has_5_percent_tolerance),
	    cmocka_unit_test(test_memory_unknown_without_memtotal),
	    cmocka_unit_test(test_disk_capacity_threshold_is_240gb),
	    cmocka_unit_test(test_disk_small_hdd_names_both_problems),
	    cmocka_unit_test(test_disk_on_tmpfs_is_unknown_with_why),
	    cmocka_unit_test(test_missing_zoo_cfg_makes_disk_nic_live_unknown),
	    cmocka_unit_test(test_nic_speed_threshold_is_1g),
	    cmocka_unit_test(test_live_not_probed_yet_says_so),
	    cmocka_unit_test(test_live_kept_probe_carries_its_age),
	    cmocka_unit_test(test_live_standalone_passes_with_mode_and_version),
	    cmocka_unit_test(test_live_follower_passes),
	    cmocka_unit_test(test_live_default_whitelist_passes_on_srvr),
	    cmocka_unit_test(test_live_all_words_refused_is_unknown),
	    cmocka_unit_test(test_live_without_quorum_fails),
	    cmocka_unit_test(test_live_not_probed_is_unknown),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
