/* smartctl's JSON reports from real disks (shared corpus), the disk.health
 * verdicts drawn from them, and smartctl run on this machine. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "health.h"
#include "smartctl.h"


#define JSON_DIR     CORPUS "/smartctl-json"
#define EXPORTER_DIR CORPUS "/smartctl-json-exporter"
#define TELEGRAF_DIR CORPUS "/smartctl-json-telegraf"
#define SCAN_DIR     CORPUS "/smartctl-scan-json"

static int parse_file(const char *path, struct hw_smartctl *s,
		      struct hw_err *err)
{
	char *buf = malloc(CORE_READ_MAX);
	ssize_t n;
	int r;

	assert_non_null(buf);
	n = core_read_file(path, buf, CORE_READ_MAX);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	r = hw_smartctl_parse(buf, (size_t)n, s, err);
	free(buf);
	return r;
}

static void judge_file(const char *path, struct hw_smartctl *s,
		       struct disk_health *d)
{
	struct hw_err err = {""};

	if (parse_file(path, s, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	health_from_smartctl(s, d);
	assert_string_equal(d->source, "smartctl");
}

static bool is_json(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Parses every *.json below dir; returns how many there were. */
static int parse_dir(const char *dir)
{
	char path[1024];
	struct hw_smartctl *s = malloc(sizeof *s);
	struct hw_err err = {""};
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0, parsed = 0;

	assert_non_null(d);
	assert_non_null(s);
	while ((de = readdir(d)) != NULL) {
		if (!is_json(de->d_name))
			continue;
		found++;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (parse_file(path, s, &err) == 0)
			parsed++;
		else
			print_message("%s: %s\n", path, err.msg);
	}
	closedir(d);
	free(s);
	print_message("%s: %d of %d parsed\n", dir, parsed, found);
	assert_int_equal(parsed, found);
	return parsed;
}

static void test_every_corpus_report_parses(void **state)
{
	(void)state;
	/* The corpus as it was written: more files may come, none may go. */
	assert_true(parse_dir(JSON_DIR) >= 12);
	assert_true(parse_dir(EXPORTER_DIR) >= 110);
	assert_true(parse_dir(TELEGRAF_DIR) >= 3);
	assert_true(parse_dir(SCAN_DIR) >= 8);
}

static enum check_severity verdict_from_name(const char *s)
{
	if (strcmp(s, "pass") == 0)
		return SEV_PASS;
	if (strcmp(s, "warn") == 0)
		return SEV_WARN;
	if (strcmp(s, "fail") == 0)
		return SEV_FAIL;
	if (strcmp(s, "unknown") == 0)
		return SEV_UNKNOWN;
	fail_msg("expect.tsv: unknown verdict '%s'", s);
	return SEV_UNKNOWN;
}

static int count_json(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += is_json(de->d_name);
	closedir(d);
	return n;
}

/* expect.tsv: file, verdict, basis ("-" for pass, else the deciding
 * fields, which our reason must name exactly). */
static void check_expect(const char *dir)
{
	char path[1024], *line = NULL, *file, *verdict, *basis, *save;
	struct hw_smartctl *s = malloc(sizeof *s);
	struct disk_health d;
	size_t cap = 0;
	ssize_t n;
	int rows = 0, nonpass = 0;
	FILE *f;

	assert_non_null(s);
	snprintf(path, sizeof path, "%s/expect.tsv", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		file = strtok_r(line, "\t", &save);
		verdict = strtok_r(NULL, "\t", &save);
		basis = strtok_r(NULL, "\t", &save);
		assert_non_null(file);
		assert_non_null(verdict);
		assert_non_null(basis);
		if (strcmp(file, "file") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, file);
		judge_file(path, s, &d);
		if (d.verdict != verdict_from_name(verdict))
			fail_msg("%s: verdict %d (%s), expected %s", file,
				 d.verdict, d.reason, verdict);
		if (strcmp(basis, "-") != 0) {
			assert_string_equal(d.reason, basis);
			nonpass++;
		}
		rows++;
	}
	free(line);
	fclose(f);
	free(s);
	print_message("%s: %d rows compared, %d not pass\n", dir, rows,
		      nonpass);
	assert_int_equal(rows, count_json(dir));
}

static void test_exporter_verdicts_match_expect_tsv(void **state)
{
	(void)state;
	check_expect(EXPORTER_DIR);
}

static void test_telegraf_verdicts_match_expect_tsv(void **state)
{
	(void)state;
	check_expect(TELEGRAF_DIR);
}

static void test_ata_report_with_reallocated_sector(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;
	const struct hw_smartctl_attr *a;

	(void)state;
	judge_file(EXPORTER_DIR "/ST3500418AS_11.json", &s, &d);
	assert_string_equal(s.protocol, "ATA");
	assert_string_equal(s.device_type, "sat");
	assert_string_equal(s.model, "ST3500418AS");
	assert_string_equal(s.serial, "REDACTED");
	assert_int_equal(s.smart_status.v, 1);
	assert_int_equal(s.temperature_c.v, 32);
	assert_int_equal(s.power_on_hours.v, 44670);
	assert_int_equal(s.power_cycles.v, 26);
	assert_int_equal(s.exit_status.v, 0);
	assert_false(s.has_nvme);
	assert_false(s.scsi_grown_defects.known);
	a = hw_smartctl_attr_find(&s, 1);
	assert_non_null(a);
	assert_string_equal(a->name, "Raw_Read_Error_Rate");
	assert_int_equal(a->value.v, 118);
	assert_int_equal(a->worst.v, 99);
	assert_int_equal(a->thresh.v, 6);
	assert_int_equal(a->raw.v, 168165566);
	assert_true(a->prefail);
	assert_string_equal(a->when_failed, "");
	a = hw_smartctl_attr_find(&s, 197);
	assert_non_null(a);
	assert_string_equal(a->name, "Current_Pending_Sector");
	assert_int_equal(a->raw.v, 0);
	assert_false(a->prefail);
	assert_int_equal(d.verdict, SEV_WARN);
	assert_string_equal(d.reason, "ata5.raw=1");
}

static void test_ata_health_only_report_passes(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(JSON_DIR "/smart-pass.json", &s, &d);
	assert_string_equal(s.protocol, "ATA");
	assert_int_equal(s.n_attrs, 0);
	assert_true(s.smart_status.known);
	assert_int_equal(s.smart_status.v, 1);
	assert_false(s.temperature_c.known);
	assert_int_equal(d.verdict, SEV_PASS);
	assert_string_equal(d.reason, "smart_status.passed=true");
}

/* smart-fail.json is a failed open, not a failing disk: no SMART status,
 * so no verdict, and smartctl's own message says why. */
static void test_open_failure_is_unknown_with_smartctl_message(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(JSON_DIR "/smart-fail.json", &s, &d);
	assert_int_equal(s.exit_status.v, 2);
	assert_true(s.exit_status.v & HW_SMARTCTL_EXIT_OPEN);
	assert_int_equal(s.n_messages, 1);
	assert_string_equal(s.messages[0],
			    "Smartctl open device: /dev/sda failed: "
			    "\\\\.\\PhysicalDrive0: Open failed, Error=5");
	assert_false(s.smart_status.known);
	assert_string_equal(s.protocol, "");
	assert_int_equal(d.verdict, SEV_UNKNOWN);
	assert_string_equal(d.reason,
			    "smartctl: Smartctl open device: /dev/sda failed: "
			    "\\\\.\\PhysicalDrive0: Open failed, Error=5");
}

static void test_raid_volume_without_status_is_unknown(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(JSON_DIR "/smart-raid.json", &s, &d);
	assert_string_equal(s.protocol, "SCSI");
	assert_string_equal(s.model, "Intel Raid 1 Volume");
	assert_string_equal(s.serial, "Volume1");
	assert_int_equal(s.exit_status.v, HW_SMARTCTL_EXIT_COMMAND);
	assert_int_equal(d.verdict, SEV_UNKNOWN);
	assert_string_equal(d.reason,
			    "no SMART status (smartctl exit status 4)");
}

static void test_scsi_grown_defects_warn(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(JSON_DIR "/smart-scsi.json", &s, &d);
	assert_string_equal(s.protocol, "SCSI");
	assert_string_equal(s.model, "SEAGATE ST4000NM0043");
	assert_string_equal(s.serial, "Z1Z5DWJK0000XXXXXXXX");
	assert_int_equal(s.scsi_grown_defects.v, 56);
	assert_int_equal(s.temperature_c.v, 34);
	assert_int_equal(s.power_on_hours.v, 43549);
	assert_false(s.power_cycles.known);
	assert_false(s.exit_status.known); /* file lacks the smartctl section */
	assert_string_equal(s.scsi_ie_string, "");
	assert_int_equal(d.verdict, SEV_WARN);
	assert_string_equal(d.reason, "scsi_grown_defect_list=56");
}

static void test_scsi_model_from_scsi_model_name(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(EXPORTER_DIR "/SEAGATE_ST373453LC_27.json", &s, &d);
	assert_string_equal(s.model, "SEAGATE ST373453LC");
	assert_int_equal(s.scsi_grown_defects.v, 0);
	assert_int_equal(s.power_on_hours.v, 91691);
	assert_int_equal(d.verdict, SEV_PASS);
}

static void test_nvme_report_fills_health_log(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(JSON_DIR "/smart-nvme.json", &s, &d);
	assert_string_equal(s.protocol, "NVMe");
	assert_string_equal(s.model, "INTEL SSDPEKNW010T8");
	assert_string_equal(s.serial, "BTNH93710FS91P0B");
	assert_true(s.has_nvme);
	assert_int_equal(s.nvme.critical_warning, 0);
	assert_int_equal(s.nvme.temperature_c.v, 36);
	assert_int_equal(s.nvme.available_spare.v, 100);
	assert_int_equal(s.nvme.spare_threshold.v, 10);
	assert_int_equal(s.nvme.percentage_used.v, 0);
	assert_int_equal(s.nvme.data_units_read.v, 9511859);
	assert_int_equal(s.nvme.data_units_written.v, 7773431);
	assert_int_equal(s.nvme.power_cycles.v, 266);
	assert_int_equal(s.nvme.power_on_hours.v, 2401);
	assert_int_equal(s.nvme.unsafe_shutdowns.v, 43);
	assert_int_equal(s.nvme.media_errors.v, 0);
	assert_int_equal(s.nvme.error_log_entries.v, 0);
	assert_int_equal(s.power_cycles.v, 266);
	assert_int_equal(d.verdict, SEV_PASS);
	assert_string_equal(d.reason, "critical_warning=0x00");
}

static void test_telegraf_nvme_with_error_log_entries_passes(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(TELEGRAF_DIR "/telegraf-nvme.json", &s, &d);
	assert_string_equal(s.model, "Sabrent Rocket 4.0 1TB");
	assert_int_equal(s.nvme.spare_threshold.v, 5);
	assert_int_equal(s.nvme.percentage_used.v, 4);
	assert_int_equal(s.nvme.error_log_entries.v, 4871);
	assert_int_equal(s.nvme.data_units_written.v, 76471882);
	assert_int_equal(d.verdict, SEV_PASS);
}

static void test_megaraid_attribute_check_warning_is_a_message(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(TELEGRAF_DIR "/telegraf-megaraid.json", &s, &d);
	assert_string_equal(s.device_type, "sat+megaraid,14");
	assert_int_equal(s.exit_status.v, 4);
	assert_int_equal(s.n_messages, 1);
	assert_string_equal(
	    s.messages[0],
	    "Warning: This result is based on an Attribute check.");
	assert_int_equal(d.verdict, SEV_PASS);
}

static void test_thirty_attributes_all_kept(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(EXPORTER_DIR
		   "/sat-Silicon_Motion_based_SSDs-TS32GMTS400-sda.json",
		   &s, &d);
	assert_int_equal(s.n_attrs, HW_SMARTCTL_ATTRS_MAX);
}

static void test_scan_output_has_no_verdict(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	judge_file(SCAN_DIR "/telegraf-scan-all.json", &s, &d);
	assert_string_equal(s.protocol, "");
	assert_int_equal(s.exit_status.v, 0);
	assert_int_equal(d.verdict, SEV_UNKNOWN);
	assert_string_equal(d.reason, "no SMART status in smartctl output");

	judge_file(SCAN_DIR "/scrutiny-smartctl_info_nvme.json", &s, &d);
	assert_string_equal(s.protocol, "NVMe");
	assert_string_equal(s.model, "KCD61LUL3T84");
	assert_string_equal(s.serial, "61Q0A05UT7B8");
	assert_false(s.has_nvme);
	assert_int_equal(d.verdict, SEV_UNKNOWN);
}

/*
 * The corpus holds no failing disk.  These documents are smart-pass.json
 * and smart-nvme.json (trimmed) with the failing values smartctl prints
 * in those fields (scsiprint.cpp: passed false plus smart_status.scsi);
 * they are constructed, not captured.
 */
static void parse_str(const char *json, struct hw_smartctl *s,
		      struct disk_health *d)
{
	struct hw_err err = {""};

	if (hw_smartctl_parse(json, strlen(json), s, &err) != 0)
		fail_msg("%s", err.msg);
	health_from_smartctl(s, d);
}

static void test_constructed_smart_status_not_passed_fails(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	parse_str(
	    "{\"smartctl\":{\"exit_status\":8},\"device\":{\"type\":\"sat\","
	    "\"protocol\":\"ATA\"},\"smart_status\":{\"passed\":false}}",
	    &s, &d);
	assert_true(s.exit_status.v & HW_SMARTCTL_EXIT_FAILING);
	assert_int_equal(d.verdict, SEV_FAIL);
	assert_string_equal(d.reason, "smart_status.passed=false");
}

static void test_constructed_scsi_health_not_ok_fails(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	parse_str("{\"device\":{\"protocol\":\"SCSI\"},\"smart_status\":"
		  "{\"passed\":false,\"scsi\":{\"asc\":93,\"ascq\":16,"
		  "\"ie_string\":\"HARDWARE IMPENDING FAILURE GENERAL HARD "
		  "DRIVE FAILURE\"}},\"scsi_grown_defect_list\":3}",
		  &s, &d);
	assert_int_equal(s.scsi_asc.v, 93);
	assert_int_equal(d.verdict, SEV_FAIL);
	assert_string_equal(d.reason,
			    "smart_status.passed=false (HARDWARE IMPENDING "
			    "FAILURE GENERAL HARD DRIVE FAILURE, asc=0x5d "
			    "ascq=0x10)");
}

static void test_constructed_ata_attribute_failing_now_fails(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	parse_str(
	    "{\"device\":{\"protocol\":\"ATA\"},\"smart_status\":"
	    "{\"passed\":true},\"ata_smart_attributes\":{\"table\":["
	    "{\"id\":5,\"value\":1,\"worst\":1,\"thresh\":36,"
	    "\"when_failed\":\"now\",\"raw\":{\"value\":4000}},"
	    "{\"id\":197,\"when_failed\":\"past\",\"raw\":{\"value\":8}}]}}",
	    &s, &d);
	assert_int_equal(d.verdict, SEV_FAIL);
	assert_string_equal(d.reason, "ata5.when_failed=now");
}

static void test_constructed_nvme_warning_bit_fails(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	parse_str(
	    "{\"device\":{\"protocol\":\"NVMe\"},\"smart_status\":"
	    "{\"passed\":false,\"nvme\":{\"value\":4}},"
	    "\"nvme_smart_health_information_log\":{\"critical_warning\":4,"
	    "\"available_spare\":100,\"available_spare_threshold\":10,"
	    "\"percentage_used\":3,\"media_errors\":2}}",
	    &s, &d);
	assert_int_equal(d.verdict, SEV_FAIL);
	assert_string_equal(d.reason,
			    "critical_warning=0x04 (reliability degraded)");
}

/* smartctl prints a 128-bit counter past 2^64 as a bare integer. */
static void test_counter_past_int64_is_unknown_not_an_error(void **state)
{
	struct hw_smartctl s;
	struct disk_health d;

	(void)state;
	parse_str("{\"device\":{\"protocol\":\"NVMe\"},\"smart_status\":"
		  "{\"passed\":true},\"nvme_smart_health_information_log\":{"
		  "\"critical_warning\":0,\"percentage_used\":91,"
		  "\"data_units_read\":36893488147419103232,"
		  "\"media_errors\":0}}",
		  &s, &d);
	assert_false(s.nvme.data_units_read.known);
	assert_int_equal(s.nvme.percentage_used.v, 91);
	assert_int_equal(d.verdict, SEV_WARN);
	assert_string_equal(d.reason, "percentage_used=91");
}

static void test_malformed_json_is_einval(void **state)
{
	struct hw_smartctl s;
	struct hw_err err = {""};

	(void)state;
	assert_int_equal(hw_smartctl_parse("{\"smartctl\":", 12, &s, &err),
			 -EINVAL);
	/* jansson words the rest; line and column are ours */
	assert_string_equal(err.msg, "smartctl JSON: line 1 column 12: "
				     "unexpected token near end of file");
	assert_int_equal(hw_smartctl_parse("[1]", 3, &s, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "smartctl JSON: top level is not an object");
}

/* The same command smartctl is given by hw_smartctl_run, run through the
 * shell: its exit status is the oracle for the JSON's. */
static int smartctl_exit_status(const char *dev)
{
	char cmd[256];
	int st;

	snprintf(cmd, sizeof cmd,
		 "PATH=/usr/sbin:/sbin:$PATH smartctl --json=c -a -n standby "
		 "%s >/dev/null 2>&1",
		 dev);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void run_and_compare(const char *dev)
{
	struct hw_smartctl s;
	struct hw_err err = {""};
	char *json;
	size_t len;
	int want = smartctl_exit_status(dev);

	if (hw_smartctl_run(dev, 30000, &json, &len, &err) != 0)
		fail_msg("%s: %s", dev, err.msg);
	assert_int_equal(strlen(json), len);
	assert_int_equal(hw_smartctl_parse(json, len, &s, &err), 0);
	free(json);
	print_message("%s: exit_status %lld, smartctl exited %d, %zu bytes\n",
		      dev, (long long)s.exit_status.v, want, len);
	assert_true(s.exit_status.known);
	assert_int_equal(s.exit_status.v, want);
	assert_true(s.n_messages >= 1);
}

static void test_run_returns_smartctl_json_and_exit_status(void **state)
{
	(void)state;
	run_and_compare("/dev/kagent-no-such-disk");
	run_and_compare("/dev/null");
}

/* 1 ms is far below what smartctl needs to start (about 25 ms here: exec,
 * loading libstdc++): a single run may still win the race, five cannot
 * all.  Every run must return at once and leave no child behind. */
static void test_run_past_timeout_kills_and_reaps(void **state)
{
	struct hw_err err = {""};
	struct timespec t0, t1;
	char *json = NULL;
	size_t len;
	int r, i, timeouts = 0;
	long ms;

	(void)state;
	for (i = 0; i < 5; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = hw_smartctl_run("/dev/null", 1, &json, &len, &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		     (t1.tv_nsec - t0.tv_nsec) / 1000000;
		assert_true(r == -ETIMEDOUT || r == 0);
		if (r == 0) {
			free(json);
		} else {
			assert_null(json);
			timeouts++;
		}
		assert_true(ms < 5000);
		assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
		assert_int_equal(errno, ECHILD);
	}
	print_message("1 ms timeout: %d of 5 runs killed; last: %s\n", timeouts,
		      err.msg);
	assert_true(timeouts >= 1);
}

static void test_run_rejects_bad_arguments(void **state)
{
	struct hw_err err = {""};
	char *json;
	size_t len;

	(void)state;
	assert_int_equal(hw_smartctl_run("/dev/null", 0, &json, &len, &err),
			 -EINVAL);
	assert_int_equal(hw_smartctl_run("", 1000, &json, &len, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_corpus_report_parses),
	    cmocka_unit_test(test_exporter_verdicts_match_expect_tsv),
	    cmocka_unit_test(test_telegraf_verdicts_match_expect_tsv),
	    cmocka_unit_test(test_ata_report_with_reallocated_sector),
	    cmocka_unit_test(test_ata_health_only_report_passes),
	    cmocka_unit_test(
		test_open_failure_is_unknown_with_smartctl_message),
	    cmocka_unit_test(test_raid_volume_without_status_is_unknown),
	    cmocka_unit_test(test_scsi_grown_defects_warn),
	    cmocka_unit_test(test_scsi_model_from_scsi_model_name),
	    cmocka_unit_test(test_nvme_report_fills_health_log),
	    cmocka_unit_test(test_telegraf_nvme_with_error_log_entries_passes),
	    cmocka_unit_test(
		test_megaraid_attribute_check_warning_is_a_message),
	    cmocka_unit_test(test_thirty_attributes_all_kept),
	    cmocka_unit_test(test_scan_output_has_no_verdict),
	    cmocka_unit_test(test_constructed_smart_status_not_passed_fails),
	    cmocka_unit_test(test_constructed_scsi_health_not_ok_fails),
	    cmocka_unit_test(test_constructed_ata_attribute_failing_now_fails),
	    cmocka_unit_test(test_constructed_nvme_warning_bit_fails),
	    cmocka_unit_test(test_counter_past_int64_is_unknown_not_an_error),
	    cmocka_unit_test(test_malformed_json_is_einval),
	    cmocka_unit_test(test_run_returns_smartctl_json_and_exit_status),
	    cmocka_unit_test(test_run_past_timeout_kills_and_reaps),
	    cmocka_unit_test(test_run_rejects_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
