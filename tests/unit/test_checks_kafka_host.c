/* kafka.cpu.cores, .memory, .logdirs.*, .nic.speed: through the binary on
 * the check-kafka-* fixture hosts, and on facts structs for both sides of
 * every threshold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checks_test.h"

/* ---- the fixture hosts, through kagent check ---- */

/* Nothing fails or warns; what only the live host can tell (clock, link
 * modes, SMART, sensors) is "not judged" below a root: pass, exit 0. */
static void test_4x4tb_hdds_with_10g_pass(void **state)
{
	struct bin_run r;
	const char *dirs[] = {"/data/1/kafka", "/data/2/kafka", "/data/3/kafka",
			      "/data/4/kafka"};
	size_t i;

	(void)state;
	bin_check("check-kafka-4x4tb", &r);
	assert_bin_result(&r, "kafka.cpu.cores", NULL, "pass", "24 cores",
			  ">= 8 cores");
	assert_bin_result(&r, "kafka.memory", NULL, "pass",
			  "224.0 GiB installed", ">= 32.0 GiB");
	assert_bin_result(&r, "kafka.logdirs.capacity", NULL, "pass",
			  "16.0 TB on 4 disks", ">= 4.0 TB");
	assert_bin_result(&r, "kafka.logdirs.spread", NULL, "pass", "4 disks",
			  ">= 2 disks");
	for (i = 0; i < 4; i++) {
		assert_bin_result(&r, "kafka.logdirs.nas", dirs[i], "pass",
				  "xfs", "local filesystem");
		assert_bin_result(&r, "kafka.logdirs.ebs", dirs[i], "pass",
				  "TOSHIBA KSDB4U86", "not EBS");
	}
	assert_bin_result(&r, "kafka.nic.speed", "bond0", "pass", "20 Gb/s",
			  ">= 10 Gb/s");
	assert_bin_result(&r, "os.clock", NULL, "info", "not judged",
			  "synchronised");
	assert_string_equal(bin_verdict(&r), "pass");
	assert_int_equal(r.exit_code, 0);
	json_decref(r.doc);
}

static void test_listener_on_1g_port_fails_nic_speed(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-kafka-nic1g", &r);
	assert_bin_result(&r, "kafka.nic.speed", "eno3", "fail", "1 Gb/s",
			  ">= 10 Gb/s");
	assert_string_equal(bin_verdict(&r), "fail");
	assert_int_equal(r.exit_code, 2);
	json_decref(r.doc);
}

static void test_16g_host_warns_memory_and_reports_page_cache(void **state)
{
	struct bin_run r;
	json_t *c;

	(void)state;
	bin_check("check-kafka-mem16g", &r);
	assert_bin_result(&r, "kafka.memory", NULL, "warn", "14.9 GiB MemTotal",
			  ">= 32.0 GiB (MemTotal >= 30.4 GiB)");
	c = bin_result(&r, "kafka.memory", NULL);
	assert_non_null(
	    strstr(json_string_value(json_object_get(c, "message")),
		   "page cache about 8.9 GiB beside the 6.0 GiB heap"));
	assert_string_equal(bin_verdict(&r), "warn");
	assert_int_equal(r.exit_code, 1);
	json_decref(r.doc);
}

static void test_log_dir_on_nfs_fails(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-kafka-nfs", &r);
	assert_bin_result(&r, "kafka.logdirs.nas", "/data/1/kafka", "fail",
			  "nfs4", "local filesystem");
	assert_bin_result(&r, "kafka.logdirs.nas", "/data/2/kafka", "pass",
			  "xfs", "local filesystem");
	/* An export's size is the file server's: not a disk of this host. */
	assert_bin_result(&r, "kafka.logdirs.capacity", NULL, "unknown", "",
			  ">= 4.0 TB");
	assert_string_equal(bin_verdict(&r), "fail");
	assert_int_equal(r.exit_code, 2);
	json_decref(r.doc);
}

static void test_all_log_dirs_on_one_disk_warn_spread(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("check-kafka-onedisk", &r);
	assert_bin_result(&r, "kafka.logdirs.spread", NULL, "warn", "1 disk",
			  ">= 2 disks");
	assert_bin_result(&r, "kafka.logdirs.capacity", NULL, "pass",
			  "4.0 TB on 1 disk", ">= 4.0 TB");
	assert_string_equal(bin_verdict(&r), "warn");
	assert_int_equal(r.exit_code, 1);
	json_decref(r.doc);
}

/* ---- facts ---- */

static struct check_result one(struct facts *f, const char *id)
{
	struct check_results res = {0};
	struct check_result r;

	run_check(f, id, &res);
	assert_int_equal(res.n, 1);
	r = res.v[0];
	check_results_free(&res);
	return r;
}

static void test_cores_threshold_is_8(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_KAFKA);
	struct check_result r;

	(void)state;
	f->inv.cpu.cores = (struct hw_num){8, true};
	r = one(f, "kafka.cpu.cores");
	assert_result(&r, "kafka.cpu.cores", "", SEV_PASS, "8 cores",
		      ">= 8 cores");
	f->inv.cpu.cores = (struct hw_num){7, true};
	r = one(f, "kafka.cpu.cores");
	assert_result(&r, "kafka.cpu.cores", "", SEV_WARN, "7 cores",
		      ">= 8 cores");
	f->inv.cpu.cores = (struct hw_num){0, false};
	r = one(f, "kafka.cpu.cores");
	assert_result(&r, "kafka.cpu.cores", "", SEV_UNKNOWN, "", ">= 8 cores");
	free(f);
}

static void test_memory_thresholds_are_8g_and_32g_installed(void **state)
{
	struct facts *f = facts_new(CORE_ROLE_KAFKA);
	struct check_result r;

	(void)state;
	f->inv.memory.installed_bytes = (struct hw_num){32 * GiB, true};
	r = one(f, "kafka.memory");
	assert_result(&r, "kafka.memory", "", SEV_PASS, "32.0 GiB installed",
		      ">= 32.0 GiB");
	assert_string_equal(
	    r.message, "page cache about 26.0 GiB beside the 6.0 GiB heap");
	f->inv.memory.installed_bytes = (struct hw_num){32 * GiB - 1, true};
	r = one(f, "kafka.memory");
	assert_int_equal(r.sev, SEV_WARN);
	f->inv.memory.installed_bytes = (struct hw_num){8 * GiB, true};
	r = one(f, "kafka.memory");
	assert_result(&r, "kafka.memory", "", SEV_WARN, "8.0 GiB installed",
		      ">= 32.0 GiB");
	f->inv.memory.installed_bytes = (struct hw_num){8 * GiB - 1, true};
	r = one(f, "kafka.memory");
	assert_result(&r, "kafka.memory", "", SEV_FAIL, "8.0 GiB installed",
		      ">= 8.0 GiB");
	f->inv.memory.installed_bytes = (struct hw_num){4 * GiB, true};
	r = one(f, "kafka.memory");
	assert_non_null(strstr(r.message, "page cache about none"));
	free(f);
}

/* A broker with n log dirs, dir i on disks[i % ndisks]. */
struct kafka_case {
	struct facts *f;
	struct kafka_config *k;
	struct hw_mount mount;
	struct hw_disk disks[4];
};

static void kafka_case(struct kafka_case *c, size_t ndirs, size_t ndisks,
		       int64_t disk_size)
{
	size_t i;

	memset(c, 0, sizeof *c);
	c->f = facts_new(CORE_ROLE_KAFKA);
	c->k = calloc(1, sizeof *c->k);
	assert_non_null(c->k);
	c->f->kafka = c->k;
	snprintf(c->mount.path, sizeof c->mount.path, "/data");
	snprintf(c->mount.fstype, sizeof c->mount.fstype, "xfs");
	for (i = 0; i < ndisks; i++) {
		snprintf(c->disks[i].name, sizeof c->disks[i].name, "sd%c",
			 (char)('b' + i));
		snprintf(c->disks[i].model, sizeof c->disks[i].model,
			 "SuperMicro SSD");
		c->disks[i].size_bytes = (struct hw_num){disk_size, true};
	}
	c->f->n_logdirs = ndirs;
	for (i = 0; i < ndirs; i++) {
		struct facts_dir *d = &c->f->logdirs[i];

		snprintf(d->path, sizeof d->path, "/data/%zu", i + 1);
		d->mount = &c->mount;
		d->n_disks = 1;
		d->disks[0] = &c->disks[i % ndisks];
	}
}

static void kafka_case_free(struct kafka_case *c)
{
	free(c->k);
	free(c->f);
}

static void test_capacity_threshold_is_4tb_of_distinct_disks(void **state)
{
	struct kafka_case c;
	struct check_result r;

	(void)state;
	kafka_case(&c, 2, 2, 2000 * GB);
	r = one(c.f, "kafka.logdirs.capacity");
	assert_result(&r, "kafka.logdirs.capacity", "", SEV_PASS,
		      "4.0 TB on 2 disks", ">= 4.0 TB");
	kafka_case_free(&c);
	/* The Supermicro 1.92 TB SSDs of host-storage, twice: 3.8 TB. */
	kafka_case(&c, 2, 2, INT64_C(3750748848) * 512);
	r = one(c.f, "kafka.logdirs.capacity");
	assert_result(&r, "kafka.logdirs.capacity", "", SEV_WARN,
		      "3.8 TB on 2 disks", ">= 4.0 TB");
	kafka_case_free(&c);
	/* Three dirs on one 3 TB disk: 3 TB, not 9. */
	kafka_case(&c, 3, 1, 3000 * GB);
	r = one(c.f, "kafka.logdirs.capacity");
	assert_result(&r, "kafka.logdirs.capacity", "", SEV_WARN,
		      "3.0 TB on 1 disk", ">= 4.0 TB");
	kafka_case_free(&c);
}

static void test_spread_needs_two_disks(void **state)
{
	struct kafka_case c;
	struct check_result r;

	(void)state;
	kafka_case(&c, 4, 2, 4000 * GB);
	r = one(c.f, "kafka.logdirs.spread");
	assert_result(&r, "kafka.logdirs.spread", "", SEV_PASS, "2 disks",
		      ">= 2 disks");
	kafka_case_free(&c);
	kafka_case(&c, 4, 1, 4000 * GB);
	r = one(c.f, "kafka.logdirs.spread");
	assert_result(&r, "kafka.logdirs.spread", "", SEV_WARN, "1 disk",
		      ">= 2 disks");
	kafka_case_free(&c);
}

static void test_nas_fstypes_fail_local_ones_pass(void **state)
{
	static const char *nas[] = {"nfs",	 "nfs4", "cifs",      "smb3",
				    "glusterfs", "ceph", "fuse.sshfs"};
	struct kafka_case c;
	struct check_result r;
	size_t i;

	(void)state;
	kafka_case(&c, 1, 1, 4000 * GB);
	for (i = 0; i < sizeof nas / sizeof nas[0]; i++) {
		snprintf(c.mount.fstype, sizeof c.mount.fstype, "%s", nas[i]);
		r = one(c.f, "kafka.logdirs.nas");
		assert_result(&r, "kafka.logdirs.nas", "/data/1", SEV_FAIL,
			      nas[i], "local filesystem");
	}
	snprintf(c.mount.fstype, sizeof c.mount.fstype, "ext4");
	r = one(c.f, "kafka.logdirs.nas");
	assert_result(&r, "kafka.logdirs.nas", "/data/1", SEV_PASS, "ext4",
		      "local filesystem");
	c.f->logdirs[0].mount = NULL;
	r = one(c.f, "kafka.logdirs.nas");
	assert_result(&r, "kafka.logdirs.nas", "/data/1", SEV_UNKNOWN, "",
		      "local filesystem");
	kafka_case_free(&c);
}

/* The model an EBS volume reports through the NVMe driver. */
static void test_ebs_volume_is_info(void **state)
{
	struct kafka_case c;
	struct check_result r;

	(void)state;
	kafka_case(&c, 1, 1, 4000 * GB);
	snprintf(c.disks[0].name, sizeof c.disks[0].name, "nvme1n1");
	snprintf(c.disks[0].model, sizeof c.disks[0].model,
		 "Amazon Elastic Block Store");
	r = one(c.f, "kafka.logdirs.ebs");
	assert_result(&r, "kafka.logdirs.ebs", "/data/1", SEV_INFO, "EBS",
		      "not EBS");
	snprintf(c.disks[0].model, sizeof c.disks[0].model,
		 "Amazon EC2 NVMe Instance Storage");
	r = one(c.f, "kafka.logdirs.ebs");
	assert_result(&r, "kafka.logdirs.ebs", "/data/1", SEV_PASS,
		      "Amazon EC2 NVMe Instance Storage", "not EBS");
	kafka_case_free(&c);
}

static void test_nic_speed_threshold_is_10g(void **state)
{
	struct kafka_case c;
	struct hw_nic nic = {.name = "bond0"};
	struct check_result r;

	(void)state;
	kafka_case(&c, 1, 1, 4000 * GB);
	c.f->kafka_nic = &nic;
	snprintf(c.f->kafka_nic_why, sizeof c.f->kafka_nic_why,
		 "holds 10.20.30.41");
	nic.speed_mbps = (struct hw_num){10000, true};
	r = one(c.f, "kafka.nic.speed");
	assert_result(&r, "kafka.nic.speed", "bond0", SEV_PASS, "10 Gb/s",
		      ">= 10 Gb/s");
	nic.speed_mbps = (struct hw_num){9999, true};
	r = one(c.f, "kafka.nic.speed");
	assert_result(&r, "kafka.nic.speed", "bond0", SEV_FAIL, "9999 Mb/s",
		      ">= 10 Gb/s");
	kafka_case_free(&c);
}

static void
test_missing_config_makes_logdir_and_nic_checks_unknown(void **state)
{
	static const char *ids[] = {"kafka.logdirs.capacity",
				    "kafka.logdirs.spread", "kafka.logdirs.nas",
				    "kafka.logdirs.ebs", "kafka.nic.speed"};
	struct facts *f = facts_new(CORE_ROLE_KAFKA);
	struct check_result r;
	size_t i;

	(void)state;
	snprintf(f->kafka_error, sizeof f->kafka_error,
		 "no server.properties found (set [kafka] config)");
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		r = one(f, ids[i]);
		assert_int_equal(r.sev, SEV_UNKNOWN);
		assert_non_null(strstr(r.message, f->kafka_error));
	}
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_4x4tb_hdds_with_10g_pass),
	    cmocka_unit_test(test_listener_on_1g_port_fails_nic_speed),
	    cmocka_unit_test(test_16g_host_warns_memory_and_reports_page_cache),
	    cmocka_unit_test(test_log_dir_on_nfs_fails),
	    cmocka_unit_test(test_all_log_dirs_on_one_disk_warn_spread),
	    cmocka_unit_test(test_cores_threshold_is_8),
	    cmocka_unit_test(test_memory_thresholds_are_8g_and_32g_installed),
	    cmocka_unit_test(test_capacity_threshold_is_4tb_of_distinct_disks),
	    cmocka_unit_test(test_spread_needs_two_disks),
	    cmocka_unit_test(test_nas_fstypes_fail_local_ones_pass),
	    cmocka_unit_test(test_ebs_volume_is_info),
	    cmocka_unit_test(test_nic_speed_threshold_is_10g),
	    cmocka_unit_test(
		test_missing_config_makes_logdir_and_nic_checks_unknown),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
