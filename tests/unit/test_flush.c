/* Flush latency: sys/block/NAME/stat's flush fields (hw_flush_read), the
 * average over an interval (flush.h), kagentd's readings kept from one
 * report to the next (facts cache), and zookeeper.disk.fsync and
 * zookeeper.disk.dedicated on the zk-flush fixtures: host-storage's disks
 * read at one moment (zk-flush) and 10 s later (zk-flush-10s), and the
 * stat files of kernels before 5.5 (zk-flush-old).  See
 * fixtures/zk-flush.gen.sh for the figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "checks_test.h"
#include "facts_cache.h"

#define T0  FIXTURES "/zk-flush"
#define T10 FIXTURES "/zk-flush-10s"
#define OLD FIXTURES "/zk-flush-old"

/* ---- hw_flush_read ---- */

static void test_17_fields_give_the_flush_counters(void **state)
{
	struct hw_err err = {{0}};
	struct hw_flush c;

	(void)state;
	assert_int_equal(hw_flush_read(T0, "sdb", &c, &err), 0);
	assert_string_equal(c.name, "sdb");
	assert_true(c.known);
	assert_int_equal(c.n_fields, 17);
	assert_int_equal(c.flushes, 26805);
	assert_int_equal(c.ms, 21762);
}

static void test_15_and_11_fields_are_unknown_not_zero(void **state)
{
	struct hw_err err = {{0}};
	struct hw_flush c;

	(void)state;
	assert_int_equal(hw_flush_read(OLD, "sdb", &c, &err), 0);
	assert_false(c.known);
	assert_int_equal(c.n_fields, 15);
	assert_int_equal(hw_flush_read(OLD, "sdc", &c, &err), 0);
	assert_false(c.known);
	assert_int_equal(c.n_fields, 11);
}

static void assert_parse_error(const char *text, const char *msg)
{
	struct hw_err err = {{0}};
	struct hw_flush c;

	assert_int_equal(hw_flush_parse(text, "x/stat", &c, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static void test_malformed_stat_files_are_errors_naming_them(void **state)
{
	struct hw_err err = {{0}};
	struct hw_flush c;

	(void)state;
	assert_parse_error("1 2 3 4 5 6 7 8 9 10 11 12\n",
			   "x/stat: 12 fields, not the kernel's 11, 15 or 17");
	assert_parse_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 x\n",
			   "x/stat: field 17 is not a number");
	assert_parse_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1 17\n",
			   "x/stat: field 16 is not a number");
	assert_parse_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
			   "18446744073709551616 17\n",
			   "x/stat: field 16 is not a number below 2^64");
	assert_parse_error("",
			   "x/stat: 0 fields, not the kernel's 11, 15 or 17");
	assert_int_equal(hw_flush_read(T0, "../sdb", &c, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "sys/block/../sdb: not a block device name");
	assert_int_equal(hw_flush_read(T0, "sdz", &c, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "zk-flush/sys/block/sdz/stat: No such "
					"file or directory"));
	/* A later kernel's extra fields keep 16 and 17 where they are. */
	assert_int_equal(hw_flush_parse("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
					"16 17 18 19\n",
					"x/stat", &c, &err),
			 0);
	assert_true(c.known);
	assert_int_equal(c.flushes, 16);
	assert_int_equal(c.ms, 17);
}

/* ---- the interval ---- */

static const struct hw_disks *disks_of(const char *root, struct inventory *inv)
{
	struct hw_err err = {{0}};

	assert_int_equal(hw_disks_probe(root, &inv->disks, &err), 0);
	return &inv->disks;
}

static void test_average_over_10s_per_physical_disk(void **state)
{
	struct flush_samples *s = calloc(2, sizeof *s);
	struct flush_facts *ff = calloc(1, sizeof *ff);
	struct inventory inv = {0};
	const struct flush_interval *i;

	(void)state;
	disks_of(T0, &inv);
	flush_sample_disks(T0, &inv.disks, 5000, &s[0]);
	flush_sample_disks(T10, &inv.disks, 15000, &s[1]);
	flush_facts_from(&s[0], &s[1], ff);
	/* Physical disks only: md0 and dm-0 count no flushes; sr0 has no
	 * stat file in the fixture and says so. */
	assert_int_equal(ff->n, 6);
	assert_null(flush_facts_find(ff, "md0"));
	assert_null(flush_facts_find(ff, "dm-0"));
	i = flush_facts_find(ff, "sdb");
	assert_true(i->known);
	assert_int_equal(i->interval_ms, 10000);
	assert_int_equal(i->flushes, 40);
	assert_int_equal(i->ms, 130);
	assert_int_equal(i->avg_us, 3250);
	assert_int_equal(i->flushes_total, 26845);
	assert_int_equal(i->ms_total, 21892);
	assert_int_equal(flush_facts_find(ff, "sdc")->avg_us, 45600);
	assert_int_equal(flush_facts_find(ff, "sdd")->avg_us, 121000);
	/* 3700 ms / 3 = 1233.333... ms */
	assert_int_equal(flush_facts_find(ff, "sda")->avg_us, 1233333);
	i = flush_facts_find(ff, "nvme0n1");
	assert_false(i->known);
	assert_true(i->counters_known);
	assert_int_equal(i->flushes, 0);
	assert_string_equal(i->why, "no flush on nvme0n1 in the last 10000 ms");
	i = flush_facts_find(ff, "sr0");
	assert_false(i->known);
	assert_false(i->counters_known);
	assert_non_null(strstr(i->why, "sys/block/sr0/stat: No such file"));

	/* Backwards: a new device under the old name. */
	flush_facts_from(&s[1], &s[0], ff);
	assert_string_equal(
	    flush_facts_find(ff, "sdb")->why,
	    "the flush counters of sdb went back (a new device)");
	/* No earlier reading. */
	flush_facts_from(NULL, &s[0], ff);
	assert_string_equal(flush_facts_find(ff, "sdb")->why,
			    "one reading of sdb so far: the average needs two");
	free(s);
	free(ff);
	hw_disks_free(&inv.disks);
}

static void test_kernel_without_the_fields_names_why(void **state)
{
	struct flush_sample a = {0}, b = {0};
	struct flush_interval i;
	struct hw_err err = {{0}};

	(void)state;
	strcpy(a.name, "sdb");
	strcpy(b.name, "sdb");
	assert_int_equal(hw_flush_read(OLD, "sdb", &a.c, &err), 0);
	a.read = b.read = true;
	b.c = a.c;
	b.at_ms = 1000;
	flush_interval_of(&a, &b, &i);
	assert_false(i.known);
	assert_false(i.counters_known);
	assert_string_equal(i.why, "sys/block/sdb/stat has 15 fields: the "
				   "kernel counts flushes from Linux 5.5 on");
}

/* ---- kagentd: the cache keeps the last reading ---- */

static void test_kagentd_reports_the_interval_between_two_reports(void **state)
{
	char dir[] = "/tmp/kagent-flush-XXXXXX", cmd[512];
	struct facts_cache *c = calloc(1, sizeof *c);
	struct facts_opts opts = {.live_zk = false};
	struct hw_err err = {{0}};
	struct conf conf;
	struct facts *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s'", T0, dir);
	assert_int_equal(system(cmd), 0);
	conf_defaults(&conf);
	conf.roles = CORE_ROLE_ZOOKEEPER;
	strcpy(conf.zk_config, "/etc/zookeeper/zoo-sdb.cfg");
	facts_cache_init(c);
	assert_int_equal(facts_cache_gather(c, dir, &conf, conf.roles, &opts,
					    1000, NULL, &f, &err),
			 0);
	assert_string_equal(flush_facts_find(&f->flush, "sdb")->why,
			    "one reading of sdb so far: the average needs two");
	/* The disks move on; the facts themselves stay cached. */
	snprintf(
	    cmd, sizeof cmd,
	    "for d in sdb sdc sdd sda nvme0n1; do cat '%s/sys/block/'$d/stat "
	    "> '%s/sys/block/'$d/stat; done",
	    T10, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(facts_cache_gather(c, dir, &conf, conf.roles, &opts,
					    11000, NULL, &f, &err),
			 0);
	assert_int_equal(c->whole_gathers, 1);
	assert_int_equal(flush_facts_find(&f->flush, "sdb")->avg_us, 3250);
	assert_int_equal(flush_facts_find(&f->flush, "sdb")->interval_ms,
			 10000);
	/* A whole gather keeps the reading: the next interval is 0 flushes. */
	assert_int_equal(facts_cache_gather(c, dir, &conf, conf.roles, &opts,
					    11000 + FACTS_CACHE_REFRESH_MS,
					    NULL, &f, &err),
			 0);
	assert_int_equal(c->whole_gathers, 2);
	assert_string_equal(flush_facts_find(&f->flush, "sdb")->why,
			    "no flush on sdb in the last 60000 ms");
	facts_cache_free(c);
	free(c);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- the checks, on the fixture's facts with the 10 s interval ---- */

static struct facts *zk_facts(const char *cfg, int64_t fail_above_ms)
{
	struct facts_opts opts = {.live_zk = false};
	struct hw_err err = {{0}};
	struct flush_samples *s = calloc(2, sizeof *s);
	struct facts *f = calloc(1, sizeof *f);
	struct conf conf;

	assert_non_null(f);
	conf_defaults(&conf);
	conf.roles = CORE_ROLE_ZOOKEEPER | CORE_ROLE_KAFKA;
	strcpy(conf.kafka_config, "/etc/kafka/server.properties");
	snprintf(conf.zk_config, sizeof conf.zk_config, "/etc/zookeeper/%s",
		 cfg);
	conf.th.zk_fsync_fail_above_ms = fail_above_ms;
	assert_int_equal(facts_gather(T0, &conf, conf.roles, &opts, f, &err),
			 0);
	assert_non_null(f->zk);
	flush_sample_disks(T0, &f->inv.disks, 0, &s[0]);
	flush_sample_disks(T10, &f->inv.disks, 10000, &s[1]);
	flush_facts_from(&s[0], &s[1], &f->flush);
	free(s);
	return f;
}

static void facts_done(struct facts *f)
{
	facts_free(f);
	free(f);
}

static void assert_check(struct facts *f, const char *id, const char *inst,
			 enum check_severity sev, const char *measured,
			 const char *required, const char *message)
{
	struct check_results res = {0};

	run_check(f, id, &res);
	assert_int_equal(res.n, 1);
	assert_result(&res.v[0], id, inst, sev, measured, required);
	if (message)
		assert_string_equal(res.v[0].message, message);
	check_results_free(&res);
}

#define REQ_1000 "<= 20 ms; fail above 1000 ms (ZooKeeper's default)"

static void test_fsync_on_an_hdd_fails_above_1000ms(void **state)
{
	struct facts *f = zk_facts("zoo-hdd.cfg", 0);

	(void)state;
	assert_check(f, "zookeeper.disk.fsync", "/srv/cold store/zk", SEV_FAIL,
		     "1233.333 ms (sda: 3 flushes in 10000 ms)", REQ_1000,
		     "every write waits longer than ZooKeeper tolerates: move "
		     "dataLogDir to a dedicated SSD");
	assert_check(f, "zookeeper.disk.dedicated", "/srv/cold store/zk",
		     SEV_PASS, "sda", "dataLogDir alone on its disk",
		     "no dataDir, root filesystem or Kafka log dir on sda");
	facts_done(f);
}

/* fsync.warningthresholdms=2000 in zoo.cfg moves the fail line. */
static void test_zoo_cfg_threshold_makes_the_hdd_a_warning(void **state)
{
	struct facts *f = zk_facts("zoo-hdd-2s.cfg", 0);

	(void)state;
	assert_int_equal(f->zk->fsync_warning_ms.v, 2000);
	assert_check(f, "zookeeper.disk.fsync", "/srv/cold store/zk", SEV_WARN,
		     "1233.333 ms (sda: 3 flushes in 10000 ms)",
		     "<= 20 ms; fail above 2000 ms (fsync.warningthresholdms)",
		     NULL);
	facts_done(f);
}

static void test_fsync_on_sdb_passes_but_shares_datadir(void **state)
{
	struct facts *f = zk_facts("zoo-sdb.cfg", 0);

	(void)state;
	assert_check(f, "zookeeper.disk.fsync", "/var/lib/zookeeper/txlog",
		     SEV_PASS, "3.250 ms (sdb: 40 flushes in 10000 ms)",
		     REQ_1000,
		     "average flush of sdb under /var/lib/zookeeper/txlog");
	assert_check(
	    f, "zookeeper.disk.dedicated", "/var/lib/zookeeper/txlog", SEV_WARN,
	    "shares sdb", "dataLogDir alone on its disk",
	    "/var/lib/zookeeper/txlog shares its disk with dataDir "
	    "/var/lib/zookeeper: their writes queue before every fsync "
	    "of the log; give dataLogDir a device of its own");
	facts_done(f);
}

/* dm-0 on md0 on sdc1 + sdd1: the slower mirror member is the figure. */
static void test_fsync_through_dm_and_md_takes_the_slowest_member(void **state)
{
	struct facts *f = zk_facts("zoo-mirror.cfg", 0);

	(void)state;
	assert_check(f, "zookeeper.disk.fsync", "/var/lib/kafka/zk-txlog",
		     SEV_WARN, "121.000 ms (sdd: 10 flushes in 10000 ms)",
		     REQ_1000, NULL);
	assert_check(
	    f, "zookeeper.disk.dedicated", "/var/lib/kafka/zk-txlog", SEV_WARN,
	    "shares sdc", "dataLogDir alone on its disk",
	    "/var/lib/kafka/zk-txlog shares its disk with Kafka log dir "
	    "/var/lib/kafka/data: their writes queue before every "
	    "fsync of the log; give dataLogDir a device of its own");
	facts_done(f);
	f = zk_facts("zoo-mirror.cfg", 100);
	assert_check(f, "zookeeper.disk.fsync", "/var/lib/kafka/zk-txlog",
		     SEV_FAIL, "121.000 ms (sdd: 10 flushes in 10000 ms)",
		     "<= 20 ms; fail above 100 ms", NULL);
	facts_done(f);
}

static void test_no_flush_is_unknown_not_zero(void **state)
{
	struct facts *f = zk_facts("zoo-root.cfg", 0);

	(void)state;
	assert_check(f, "zookeeper.disk.fsync", "/var/log/zookeeper",
		     SEV_UNKNOWN, "no flush", REQ_1000,
		     "no flush on nvme0n1 in the last 10000 ms");
	assert_check(f, "zookeeper.disk.dedicated", "/var/log/zookeeper",
		     SEV_WARN, "shares nvme0n1", "dataLogDir alone on its disk",
		     NULL);
	facts_done(f);
}

static void test_log_in_datadir_and_on_nfs(void **state)
{
	struct facts *f = zk_facts("zoo-nodatalogdir.cfg", 0);

	(void)state;
	assert_check(f, "zookeeper.disk.dedicated", "/var/lib/zookeeper",
		     SEV_WARN, "in dataDir", "dataLogDir alone on its disk",
		     "dataLogDir is not set: the transaction log shares "
		     "dataDir's disk sdb with the snapshots; set dataLogDir to "
		     "a dedicated device");
	facts_done(f);
	f = zk_facts("zoo-nfs.cfg", 0);
	assert_check(f, "zookeeper.disk.fsync", "/mnt/backup/zk", SEV_UNKNOWN,
		     "", REQ_1000,
		     "/mnt/backup/zk is on nfs4 (nas01:/export/backup), not on "
		     "a local disk");
	facts_done(f);
}

static void test_old_kernel_is_unknown_naming_why(void **state)
{
	struct facts *f = zk_facts("zoo-sdb.cfg", 0);
	struct flush_samples *s = calloc(1, sizeof *s);

	(void)state;
	flush_sample_disks(OLD, &f->inv.disks, 20000, s);
	flush_facts_from(NULL, s, &f->flush);
	assert_check(f, "zookeeper.disk.fsync", "/var/lib/zookeeper/txlog",
		     SEV_UNKNOWN, "", REQ_1000,
		     "sys/block/sdb/stat has 15 fields: the kernel counts "
		     "flushes from Linux 5.5 on");
	free(s);
	facts_done(f);
}

/* ZooKeeper's own figures from a real 3.8.0 mntr ride along. */
static void test_mntr_fsync_time_is_quoted(void **state)
{
	struct facts *f = zk_facts("zoo-sdb.cfg", 0);
	char buf[ZK_REPLY_MAX];
	FILE *fp;
	size_t n;

	(void)state;
	fp = fopen(FIXTURES "/zk-replies/zk-3.8.0-leader-mntr.txt", "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	zk_status_init(&f->zk_live);
	assert_int_equal(zk_parse_mntr(buf, n, &f->zk_live), 0);
	assert_true(f->zk_live.fsync_count.known);
	assert_int_equal(f->zk_live.fsync_count.v, 0);
	assert_int_equal(f->zk_live.fsync_avg_us.v, 0);
	/* 3.8.0 prints no zk_fsync_threshold_exceed_count. */
	assert_false(f->zk_live.fsync_threshold_exceeded.known);
	f->zk_live_probed = true;
	assert_check(f, "zookeeper.disk.fsync", "/var/lib/zookeeper/txlog",
		     SEV_PASS, "3.250 ms (sdb: 40 flushes in 10000 ms)",
		     REQ_1000,
		     "average flush of sdb under /var/lib/zookeeper/txlog; "
		     "ZooKeeper: 0 fsyncs since its start, avg 0.000 ms, max "
		     "0.000 ms");
	f->zk_live.fsync_threshold_exceeded = (struct hw_num){7, true};
	assert_check(f, "zookeeper.disk.fsync", "/var/lib/zookeeper/txlog",
		     SEV_PASS, "3.250 ms (sdb: 40 flushes in 10000 ms)",
		     REQ_1000,
		     "average flush of sdb under /var/lib/zookeeper/txlog; "
		     "ZooKeeper: 0 fsyncs since its start, avg 0.000 ms, max "
		     "0.000 ms, 7 over fsync.warningthresholdms");
	facts_done(f);
}

/* kagent check on a captured tree reads once and says why. */
static void test_kagent_check_on_a_capture_says_one_reading(void **state)
{
	struct bin_run r;

	(void)state;
	bin_check("zk-flush", &r);
	assert_bin_result(&r, "zookeeper.disk.fsync", "/srv/cold store/zk",
			  "unknown", "", REQ_1000);
	assert_string_equal(
	    json_string_value(json_object_get(
		bin_result(&r, "zookeeper.disk.fsync", "/srv/cold store/zk"),
		"message")),
	    "a captured tree is read once; the average needs two readings "
	    "over time");
	json_decref(r.doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_17_fields_give_the_flush_counters),
	    cmocka_unit_test(test_15_and_11_fields_are_unknown_not_zero),
	    cmocka_unit_test(test_malformed_stat_files_are_errors_naming_them),
	    cmocka_unit_test(test_average_over_10s_per_physical_disk),
	    cmocka_unit_test(test_kernel_without_the_fields_names_why),
	    cmocka_unit_test(
		test_kagentd_reports_the_interval_between_two_reports),
	    cmocka_unit_test(test_fsync_on_an_hdd_fails_above_1000ms),
	    cmocka_unit_test(test_zoo_cfg_threshold_makes_the_hdd_a_warning),
	    cmocka_unit_test(test_fsync_on_sdb_passes_but_shares_datadir),
	    cmocka_unit_test(
		test_fsync_through_dm_and_md_takes_the_slowest_member),
	    cmocka_unit_test(test_no_flush_is_unknown_not_zero),
	    cmocka_unit_test(test_log_in_datadir_and_on_nfs),
	    cmocka_unit_test(test_old_kernel_is_unknown_naming_why),
	    cmocka_unit_test(test_mntr_fsync_time_is_quoted),
	    cmocka_unit_test(test_kagent_check_on_a_capture_says_one_reading),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
