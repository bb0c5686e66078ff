/* SPDX-License-Identifier: Apache-2.0 */
/* The disks behind RAID controllers: smartctl's scans and member reports
 * from the corpus (exact values), the grammar of device types and nodes,
 * the mapping of members to logical disks through sysfs, and the
 * per-device timeout and cache with a real slow child. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "health_raid.h"
#include "smartctl_cache.h"
#include "smartctl_scan.h"

#define SCAN_DIR     CORPUS "/smartctl-scan-json"
#define JSON_DIR     CORPUS "/smartctl-json"
#define TELEGRAF_DIR CORPUS "/smartctl-json-telegraf"

static char *slurp(const char *path, size_t *len)
{
	char *buf = malloc(CORE_READ_MAX);
	ssize_t n;

	assert_non_null(buf);
	n = core_read_file(path, buf, CORE_READ_MAX);
	if (n < 0)
		fail_msg("%s: %s", path, strerror((int)-n));
	*len = (size_t)n;
	return buf;
}

static void scan_file(const char *path, struct hw_smartctl_scan *s)
{
	struct hw_err err = {""};
	size_t len;
	char *buf = slurp(path, &len);

	if (hw_smartctl_scan_parse(buf, len, s, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	free(buf);
}

static void dev_is(const struct hw_scan_dev *d, const char *name,
		   const char *type, const char *proto)
{
	assert_string_equal(d->name, name);
	assert_string_equal(d->type, type);
	assert_string_equal(d->protocol, proto);
}

static void test_scan_scrutiny_megaraid(void **state)
{
	struct hw_smartctl_scan s;

	(void)state;
	scan_file(SCAN_DIR "/scrutiny-smartctl_scan_megaraid.json", &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.refused, 0);
	dev_is(&s.v[0], "/dev/bus/0", "megaraid,0", "SCSI");
	dev_is(&s.v[1], "/dev/bus/0", "megaraid,1", "SCSI");
	assert_true(hw_smartctl_type_is_raid(s.v[0].type));
}

static void test_scan_telegraf_megaraid(void **state)
{
	struct hw_smartctl_scan s;
	char type[16];
	size_t i;

	(void)state;
	scan_file(SCAN_DIR "/telegraf-scan-megaraid.json", &s);
	assert_int_equal(s.n, 10);
	assert_int_equal(s.refused, 0);
	dev_is(&s.v[0], "/dev/sda", "scsi", "SCSI");
	dev_is(&s.v[1], "/dev/sdb", "scsi", "SCSI");
	dev_is(&s.v[2], "/dev/sdc", "sat", "ATA");
	for (i = 3; i < 10; i++) {
		snprintf(type, sizeof type, "megaraid,%zu", i + 5);
		dev_is(&s.v[i], "/dev/bus/6", type, "SCSI");
		assert_true(hw_smartctl_type_is_raid(s.v[i].type));
	}
	assert_false(hw_smartctl_type_is_raid(s.v[0].type));
	assert_false(hw_smartctl_type_is_raid(s.v[2].type));
}

static void test_scan_without_controller(void **state)
{
	struct hw_smartctl_scan s;

	(void)state;
	scan_file(SCAN_DIR "/telegraf-scan-all.json", &s);
	assert_int_equal(s.n, 3);
	dev_is(&s.v[0], "/dev/sda", "sat", "ATA");
	dev_is(&s.v[1], "/dev/nvme0", "nvme", "NVMe");
	dev_is(&s.v[2], "/dev/nvme1", "nvme", "NVMe");
}

static void test_scan_refuses_outside_grammar(void **state)
{
	static const char doc[] =
	    "{\"devices\":[{\"name\":\"/dev/bus/0\",\"type\":\"megaraid,0\"},"
	    "{\"name\":\"/dev/sda;reboot\",\"type\":\"scsi\"},"
	    "{\"name\":\"/dev/bus/1\",\"type\":\"megaraid,256\"},"
	    "{\"name\":\"/etc/shadow\",\"type\":\"sat\"},"
	    "{\"name\":\"/dev/sdb\",\"type\":\"-d\"},"
	    "{\"name\":\"/dev/sdc\"}]}";
	struct hw_smartctl_scan s;
	struct hw_err err = {""};

	(void)state;
	assert_int_equal(hw_smartctl_scan_parse(doc, sizeof doc - 1, &s, &err),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.refused, 5);
	dev_is(&s.v[0], "/dev/bus/0", "megaraid,0", "");
	assert_int_equal(hw_smartctl_scan_parse("[1]", 3, &s, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "smartctl scan JSON: top level is not an object");
}

static void test_type_grammar(void **state)
{
	static const char *const yes[] = {
	    "megaraid,0",	"megaraid,255",	   "sat+megaraid,14",
	    "cciss,0",		"cciss,127",	   "aacraid,0,0,0",
	    "aacraid,255,1,9", "sat",		   "scsi",
	    "nvme",
	};
	static const char *const no[] = {
	    "",		      "megaraid",	 "megaraid,",
	    "megaraid,256",   "megaraid,01",	 "megaraid,-1",
	    "megaraid,+1",    "megaraid,0,1",	 "megaraid,0 ",
	    " megaraid,0",    "MEGARAID,0",	 "cciss,128",
	    "aacraid,0,0",    "aacraid,0,0,0,0", "aacraid,256,0,0",
	    "sat+megaraid",   "sat,12",		 "ata",
	    "usbjmicron",     "auto",		 "test",
	    "areca,1",	      "3ware,0",	 "megaraid,0;ls",
	    "megaraid,999999", "nvme,0x1",	 "scsi\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!hw_smartctl_type_valid(yes[i]))
			fail_msg("refused '%s'", yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		if (hw_smartctl_type_valid(no[i]))
			fail_msg("accepted '%s'", no[i]);
	assert_true(hw_smartctl_type_is_raid("cciss,3"));
	assert_true(hw_smartctl_type_is_raid("aacraid,0,0,1"));
	assert_false(hw_smartctl_type_is_raid("sat"));
	assert_false(hw_smartctl_type_is_raid("nvme"));
}

static void test_node_grammar(void **state)
{
	static const char *const yes[] = {"bus/0",  "bus/65535", "sda",
					  "sdabcd", "sg0",	 "sg12",
					  "nvme0",  "nvme9999"};
	static const char *const no[] = {
	    "",	       "bus/",	   "bus/65536", "bus/01",   "bus/0/x",
	    "sd",      "sdabcde",  "sda1",	"sdA",	    "sg",
	    "nvme0n1", "../sda",   "bus/../sda", "mem",	    "megaraid_sas_ioctl_node",
	    "sda ",    "nvme10000",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!hw_smartctl_node_valid(yes[i]))
			fail_msg("refused '%s'", yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		if (hw_smartctl_node_valid(no[i]))
			fail_msg("accepted '%s'", no[i]);
}

/* A member's report from the corpus, judged as kagent judges one. */
static void member_file(const char *path, struct disk_smart *s)
{
	struct hw_err err = {""};
	size_t len;
	char *buf = slurp(path, &len);

	disk_raid_judge(s, 0, buf, len, &err);
	free(buf);
}

static void test_member_megaraid0(void **state)
{
	struct disk_raid_member *m = calloc(1, sizeof *m);

	(void)state;
	assert_non_null(m);
	member_file(JSON_DIR "/smart-megaraid0.json", &m->smart);
	assert_int_equal(m->smart.source, DISK_SRC_SMARTCTL);
	assert_string_equal(disk_raid_model(m), "WD4000FYYX");
	assert_string_equal(disk_raid_serial(m), "XXXXXXXXXXXX");
	assert_string_equal(m->smart.facts.smartctl.device_type,
			    "sat+megaraid,0");
	assert_int_equal(m->smart.health.verdict, SEV_PASS);
	assert_string_equal(m->smart.health.reason,
			    "smart_status.passed=true");
	assert_string_equal(m->smart.health.source, "smartctl");
	assert_int_equal(m->smart.facts.smartctl.temperature_c.v, 36);
	assert_int_equal(m->smart.facts.smartctl.power_on_hours.v, 37787);
	assert_int_equal(m->smart.facts.smartctl.power_cycles.v, 70);
	free(m);
}

static void test_member_telegraf_megaraid14(void **state)
{
	struct disk_raid_member *m = calloc(1, sizeof *m);

	(void)state;
	assert_non_null(m);
	member_file(TELEGRAF_DIR "/telegraf-megaraid.json", &m->smart);
	assert_string_equal(disk_raid_model(m), "ST6000NM0115-1YZ110");
	assert_string_equal(disk_raid_serial(m), "ZAD2C11G");
	assert_string_equal(m->smart.facts.smartctl.device_type,
			    "sat+megaraid,14");
	assert_int_equal(m->smart.health.verdict, SEV_PASS);
	assert_int_equal(m->smart.facts.smartctl.temperature_c.v, 25);
	assert_int_equal(m->smart.facts.smartctl.power_on_hours.v, 44316);
	assert_int_equal(m->smart.facts.smartctl.power_cycles.v, 62);
	free(m);
}

static void test_member_failed_run_is_unknown(void **state)
{
	struct disk_smart *s = calloc(1, sizeof *s);
	struct hw_err err = {"smartctl -d megaraid,3 /dev/bus/0: timed out "
			     "after 10 s, killed"};

	(void)state;
	assert_non_null(s);
	disk_raid_judge(s, -ETIMEDOUT, NULL, 0, &err);
	assert_int_equal(s->health.verdict, SEV_UNKNOWN);
	assert_string_equal(s->health.reason, err.msg);
	assert_string_equal(s->health.source, "smartctl");
	disk_raid_judge(s, 0, "{", 1, &err);
	assert_int_equal(s->health.verdict, SEV_UNKNOWN);
	assert_string_equal(s->health.reason,
			    "smartctl JSON: line 1 column 1: string or '}' "
			    "expected near end of file");
	free(s);
}

/* ---- members mapped to logical disks through a sysfs tree ---- */

static char *tmp_root(void)
{
	char *t = strdup("/tmp/kagent-raid-XXXXXX");

	assert_non_null(t);
	assert_non_null(mkdtemp(t));
	return t;
}

static void mkpath(const char *root, const char *rel)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", root, rel);
	assert_int_equal(system(cmd), 0);
}

/* sys/block/NAME/device -> ../../../devices/.../H:0:T:0 as the kernel
 * links it. */
static void scsi_disk(const char *root, const char *name, int host, int tgt)
{
	char rel[128], path[512], target[128];

	snprintf(rel, sizeof rel, "sys/block/%s", name);
	mkpath(root, rel);
	snprintf(path, sizeof path, "%s/sys/block/%s/device", root, name);
	snprintf(target, sizeof target,
		 "../../devices/pci0000:00/host%d/target%d:2:%d/%d:2:%d:0",
		 host, host, tgt, host, tgt);
	assert_int_equal(symlink(target, path), 0);
}

static void rm_tree(char *t)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t);
	assert_int_equal(system(cmd), 0);
	free(t);
}

static void test_members_under_first_disk_of_host(void **state)
{
	struct hw_disk d[4];
	struct hw_disks disks = {.v = d, .n = 4};
	struct hw_smartctl_scan s;
	struct disk_raid r = {0};
	char *root = tmp_root();
	int host = -1;

	(void)state;
	memset(d, 0, sizeof d);
	/* sdb and sdaa on the controller (host 6), sda on host 0, nvme0n1
	 * on none: members go under sdb, the first on host 6. */
	snprintf(d[0].name, sizeof d[0].name, "sda");
	snprintf(d[1].name, sizeof d[1].name, "sdaa");
	snprintf(d[2].name, sizeof d[2].name, "sdb");
	snprintf(d[3].name, sizeof d[3].name, "nvme0n1");
	scsi_disk(root, "sda", 0, 0);
	scsi_disk(root, "sdaa", 6, 1);
	scsi_disk(root, "sdb", 6, 0);
	scan_file(SCAN_DIR "/telegraf-scan-megaraid.json", &s);
	assert_int_equal(hw_block_scsi_host(root, "sdb", &host), 0);
	assert_int_equal(host, 6);
	assert_int_equal(hw_scan_scsi_host(root, "/dev/bus/6", &host), 0);
	assert_int_equal(host, 6);
	assert_int_equal(hw_scan_scsi_host(root, "/dev/sda", &host), 0);
	assert_int_equal(host, 0);
	assert_int_equal(hw_scan_scsi_host(root, "/dev/sdz", &host), -ENOENT);
	assert_int_equal(disk_raid_map(root, &disks, &s, &r), 0);
	assert_int_equal(r.n, 7);
	assert_int_equal(r.v[0].disk, 2);
	assert_string_equal(r.v[0].type, "megaraid,8");
	assert_string_equal(r.v[0].node, "/dev/bus/6");
	assert_int_equal(r.v[6].disk, 2);
	assert_string_equal(r.v[6].type, "megaraid,14");
	assert_int_equal(r.v[6].smart.health.verdict, SEV_UNKNOWN);
	assert_string_equal(r.v[6].smart.health.reason, "not read");
	disk_raid_free(&r);
	/* No disk on the controller's host: no member. */
	snprintf(d[1].name, sizeof d[1].name, "sdc");
	snprintf(d[2].name, sizeof d[2].name, "sdd");
	assert_int_equal(disk_raid_map(root, &disks, &s, &r), 0);
	assert_int_equal(r.n, 0);
	disk_raid_free(&r);
	rm_tree(root);
}

/* On the live host, disks on no SCSI host (virtio, NVMe) leave nothing a
 * member could be mapped to: smartctl's scan is not run and why says so.
 * The disk names exist in no sysfs, so the answer is the same on any
 * machine; board_raid covers a disk on a MegaRAID host. */
static void test_probe_skips_scan_without_scsi_disk(void **state)
{
	struct hw_disk d[2];
	struct hw_disks disks = {.v = d, .n = 2};
	struct disk_raid r = {0};

	(void)state;
	memset(d, 0, sizeof d);
	snprintf(d[0].name, sizeof d[0].name, "kagentnone0");
	snprintf(d[1].name, sizeof d[1].name, "kagentnone1");
	assert_int_equal(disk_raid_probe("/", &disks, 1000, &r), 0);
	assert_int_equal(r.n, 0);
	assert_string_equal(r.why, "no disk on a SCSI host");
	disk_raid_free(&r);
	disks.n = 0;
	assert_int_equal(disk_raid_probe("/", &disks, 1000, &r), 0);
	assert_string_equal(r.why, "no disk on a SCSI host");
	disk_raid_free(&r);
	assert_int_equal(disk_raid_probe("/nonexistent-root", &disks, 1000, &r),
			 0);
	assert_string_equal(r.why, "not the live host");
	disk_raid_free(&r);
}

/* ---- a real slow child: timeout, kill, cache ---- */

/* Stands in for smartctl (the argv kagent builds): the disk megaraid,0
 * never answers, any other prints a member report.  Each run appends
 * its type to a log, and the slow one writes its pid. */
static char *fake_smartctl(const char *dir)
{
	char *path = malloc(512);
	FILE *f;

	assert_non_null(path);
	snprintf(path, 512, "%s/smartctl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"#!/bin/sh\n"
		"type=$6\n"
		"echo \"$type\" >>'%s/runs'\n"
		"if [ \"$type\" = megaraid,0 ]; then\n"
		"  echo $$ >'%s/pid'\n"
		"  exec sleep 60\n"
		"fi\n"
		"exec cat '%s/smart-megaraid0.json'\n",
		dir, dir, JSON_DIR);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static int count_runs(const char *dir, const char *type)
{
	char path[512], line[64];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/runs", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, type, strlen(type)) == 0 &&
		    line[strlen(type)] == '\n')
			n++;
	fclose(f);
	return n;
}

static void test_timeout_kills_and_cache_keeps(void **state)
{
	struct hw_smartctl_cache *c = malloc(sizeof *c);
	char *dir = tmp_root(), *exe = fake_smartctl(dir);
	struct hw_err err = {""};
	char path[512], *json = NULL;
	struct disk_smart *s = calloc(1, sizeof *s);
	size_t len = 0;
	long pid;
	FILE *f;

	(void)state;
	assert_non_null(c);
	assert_non_null(s);
	/* 600 s cache, 1 s a run; now is given, not read. */
	hw_smartctl_cache_init(c, exe, 600000, 1000);
	assert_int_equal(hw_smartctl_cache_typed(c, 1000, "/dev/bus/0",
						 "megaraid,0", &json, &len,
						 &err),
			 -ETIMEDOUT);
	assert_null(json);
	assert_string_equal(err.msg, "smartctl -d megaraid,0 /dev/bus/0: "
				     "timed out after 1 s, killed");
	/* The child was killed and reaped: its pid is gone. */
	snprintf(path, sizeof path, "%s/pid", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	assert_int_equal(kill((pid_t)pid, 0), -1);
	assert_int_equal(errno, ESRCH);

	/* The slow disk did not hold the next one. */
	memset(&err, 0, sizeof err);
	assert_int_equal(hw_smartctl_cache_typed(c, 1500, "/dev/bus/0",
						 "megaraid,1", &json, &len,
						 &err),
			 0);
	disk_raid_judge(s, 0, json, len, &err);
	free(json);
	json = NULL;
	assert_string_equal(s->facts.smartctl.model, "WD4000FYYX");
	assert_int_equal(s->health.verdict, SEV_PASS);

	/* Within the cache's time neither disk runs again, and the slow
	 * one keeps its answer: unknown, timed out. */
	memset(&err, 0, sizeof err);
	assert_int_equal(hw_smartctl_cache_typed(c, 500000, "/dev/bus/0",
						 "megaraid,0", &json, &len,
						 &err),
			 -ETIMEDOUT);
	assert_string_equal(err.msg, "smartctl -d megaraid,0 /dev/bus/0: "
				     "timed out after 1 s, killed");
	assert_int_equal(hw_smartctl_cache_typed(c, 500000, "/dev/bus/0",
						 "megaraid,1", &json, &len,
						 &err),
			 0);
	free(json);
	json = NULL;
	assert_int_equal(count_runs(dir, "megaraid,0"), 1);
	assert_int_equal(count_runs(dir, "megaraid,1"), 1);

	/* Past it, the disk is asked again. */
	assert_int_equal(hw_smartctl_cache_typed(c, 601500, "/dev/bus/0",
						 "megaraid,1", &json, &len,
						 &err),
			 0);
	free(json);
	json = NULL;
	assert_int_equal(count_runs(dir, "megaraid,1"), 2);

	/* Outside the grammar nothing runs, nothing is kept. */
	assert_int_equal(hw_smartctl_cache_typed(c, 601500, "/dev/bus/0",
						 "megaraid,0;id", &json, &len,
						 &err),
			 -EINVAL);
	assert_int_equal(hw_smartctl_cache_typed(c, 601500, "/etc/passwd",
						 "sat", &json, &len, &err),
			 -EINVAL);
	assert_int_equal(count_runs(dir, "megaraid,0;id"), 0);
	assert_int_equal(count_runs(dir, "sat"), 0);

	/* raid_cache = 0: every call runs. */
	hw_smartctl_cache_free(c);
	hw_smartctl_cache_init(c, exe, 0, 1000);
	assert_int_equal(hw_smartctl_cache_typed(c, 1000, "/dev/bus/0",
						 "megaraid,1", &json, &len,
						 &err),
			 0);
	free(json);
	json = NULL;
	assert_int_equal(hw_smartctl_cache_typed(c, 1000, "/dev/bus/0",
						 "megaraid,1", &json, &len,
						 &err),
			 0);
	free(json);
	assert_int_equal(count_runs(dir, "megaraid,1"), 4);
	hw_smartctl_cache_free(c);
	free(c);
	free(s);
	free(exe);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_scrutiny_megaraid),
	    cmocka_unit_test(test_scan_telegraf_megaraid),
	    cmocka_unit_test(test_scan_without_controller),
	    cmocka_unit_test(test_scan_refuses_outside_grammar),
	    cmocka_unit_test(test_type_grammar),
	    cmocka_unit_test(test_node_grammar),
	    cmocka_unit_test(test_member_megaraid0),
	    cmocka_unit_test(test_member_telegraf_megaraid14),
	    cmocka_unit_test(test_member_failed_run_is_unknown),
	    cmocka_unit_test(test_members_under_first_disk_of_host),
	    cmocka_unit_test(test_probe_skips_scan_without_scsi_disk),
	    cmocka_unit_test(test_timeout_kills_and_cache_keeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
