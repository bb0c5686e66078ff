/* kagent check's plugin output from results made here: the state under
 * each unknown policy, the status line's exact text and its bound, labels
 * that would break the perfdata grammar, the '|'-free long output, and
 * perfdata items with their empty fields dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_plugin.h"

/* plugin_print into a string. */
static char *print(const struct plugin_run *run, int *state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*state = plugin_print(run, f);
	fclose(f);
	return buf;
}

static char *first_line(char *out)
{
	char *nl = strchr(out, '\n');

	assert_non_null(nl);
	*nl = '\0';
	return out;
}

static void test_state_and_policy(void **state)
{
	struct check_results r = {0};

	(void)state;
	check_add(&r, "a", NULL, SEV_PASS, "", "", "fine");
	check_add(&r, "b", NULL, SEV_INFO, "", "", "note");
	assert_int_equal(plugin_state(&r, CONF_UNKNOWN_UNKNOWN), 0);
	check_add(&r, "c", NULL, SEV_UNKNOWN, "", "", "cannot tell");
	assert_int_equal(plugin_state(&r, CONF_UNKNOWN_OK), 0);
	assert_int_equal(plugin_state(&r, CONF_UNKNOWN_WARNING), 1);
	assert_int_equal(plugin_state(&r, CONF_UNKNOWN_UNKNOWN), 3);
	check_add(&r, "d", NULL, SEV_WARN, "", "", "low");
	assert_int_equal(plugin_state(&r, CONF_UNKNOWN_UNKNOWN), 1);
	check_add(&r, "e", NULL, SEV_FAIL, "", "", "broken");
	assert_int_equal(plugin_state(&r, CONF_UNKNOWN_OK), 2);
	assert_string_equal(plugin_state_name(3), "UNKNOWN");
	check_results_free(&r);
}

/* Fails first, then warns, then unknowns; measured as the reason, the
 * message when nothing was measured; '|' and newlines from a host's
 * files never reach the line. */
static void test_status_line_exact(void **state)
{
	struct check_results r = {0};
	struct plugin_run run = {.res = &r, .unknown = CONF_UNKNOWN_OK};
	char *out;
	int st;

	(void)state;
	check_add(&r, "os.clock", NULL, SEV_WARN, "unsynchronised", "", "x");
	check_add(&r, "os.swappiness", NULL, SEV_PASS, "1", "<= 1", "ok");
	check_add(&r, "kafka.logdirs.nas", "/data|1\nx", SEV_FAIL, "nfs4", "",
		  "y");
	check_add(&r, "board.sensors", NULL, SEV_UNKNOWN, "", "",
		  "no hwmon | here");
	out = print(&run, &st);
	assert_int_equal(st, 2);
	assert_string_equal(
	    first_line(out),
	    "KAGENT CRITICAL - 1 warn, 1 fail, 1 unknown: kafka.logdirs.nas "
	    "/data/1\\nx nfs4, os.clock unsynchronised, board.sensors no "
	    "hwmon / here");
	free(out);
	check_results_free(&r);
}

static void test_status_line_all_pass_and_skipped(void **state)
{
	struct check_results r = {0};
	const char *skipped[] = {"os.clock"};
	struct plugin_run run = {.res = &r, .skipped = skipped, .n_skipped = 1};
	char *out;
	int st;

	(void)state;
	check_add(&r, "os.swappiness", NULL, SEV_PASS, "1", "<= 1", "ok");
	check_add(&r, "disk.health", NULL, SEV_INFO, "", "", "not judged");
	out = print(&run, &st);
	assert_int_equal(st, 0);
	assert_string_equal(
	    out,
	    "KAGENT OK - 0 warn, 0 fail: all 2 checks pass\n"
	    "CHECK                            RESULT  MEASURED               "
	    "REQUIRED               MESSAGE\n"
	    "os.swappiness                    pass    1                      "
	    "<= 1                   ok\n"
	    "disk.health                      info                           "
	    "                       not judged\n"
	    "os.clock                         skipped                        "
	    "                       not run: skip in [check] or --skip\n"
	    "verdict: pass\n");
	free(out);
	check_results_free(&r);
}

/* A hundred failing sensors: the text stops within PLUGIN_TEXT_MAX and
 * says how many it left out. */
static void test_status_line_bounded(void **state)
{
	struct check_results r = {0};
	struct plugin_run run = {.res = &r};
	char inst[32], *out, *line;
	int i, st;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(inst, sizeof inst, "coretemp Core %d", i);
		check_add(&r, "board.sensors", inst, SEV_FAIL, "101 C", "",
			  "hot");
	}
	out = print(&run, &st);
	line = first_line(out);
	assert_int_equal(strlen(line), 987);
	assert_non_null(strstr(line, "board.sensors coretemp Core 24 101 C, "
				     "and 75 more"));
	assert_int_equal(strncmp(line,
				 "KAGENT CRITICAL - 0 warn, 100 fail: "
				 "board.sensors coretemp Core 0 101 C, ",
				 64),
			 0);
	free(out);
	check_results_free(&r);
}

static void test_labels(void **state)
{
	char l[2 * PLUGIN_LABEL_MAX + 3];

	(void)state;
	plugin_label(l, sizeof l, "disk.sda.size");
	assert_string_equal(l, "disk.sda.size");
	plugin_label(l, sizeof l, "sensor.coretemp-isa-0000.Package id 0");
	assert_string_equal(l, "'sensor.coretemp-isa-0000.Package id 0'");
	plugin_label(l, sizeof l, "sensor.x.it's=hot");
	assert_string_equal(l, "'sensor.x.it''s=hot'");
	plugin_label(l, sizeof l, "nic.a|b\nc\xc3\xa9.speed_mbps");
	assert_string_equal(l, "nic.a_b_c__.speed_mbps");
	plugin_label(l, sizeof l,
		     "sensor.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(strlen(l), PLUGIN_LABEL_MAX);
	plugin_label(l, sizeof l, "");
	assert_string_equal(l, "_");
}

static void test_perf_items(void **state)
{
	struct check_perf p = {.label = "memory",
			       .value = "16042172416",
			       .uom = "B",
			       .warn = "32641751449:",
			       .crit = "8160437862:",
			       .min = "0"};
	struct check_perf q = {
	    .label = "disk.sda.temperature_c", .value = "41", .uom = ""};
	struct check_perf s = {.label = "nic.eno1.speed_mbps",
			       .value = "1000",
			       .uom = "",
			       .min = "0",
			       .max = "10000"};
	char buf[512];

	(void)state;
	plugin_perf_item(buf, sizeof buf, &p);
	assert_string_equal(buf,
			    "memory=16042172416B;32641751449:;8160437862:;0");
	plugin_perf_item(buf, sizeof buf, &q);
	assert_string_equal(buf, "disk.sda.temperature_c=41");
	plugin_perf_item(buf, sizeof buf, &s);
	assert_string_equal(buf, "nic.eno1.speed_mbps=1000;;;0;10000");
}

/* Perfdata that would make the first line pass PLUGIN_LINE_MAX goes
 * after the long output's '|', one item a line. */
static void test_perfdata_overflow(void **state)
{
	struct check_results r = {0};
	struct check_perfs perf = {0};
	struct plugin_run run = {.res = &r, .perf = &perf};
	char *out, *bar, *nl;
	size_t i;
	int st;

	(void)state;
	check_add(&r, "os.swappiness", NULL, SEV_PASS, "1", "<= 1", "ok|x");
	perf.n = perf.cap = 200;
	perf.v = calloc(perf.n, sizeof *perf.v);
	assert_non_null(perf.v);
	for (i = 0; i < perf.n; i++) {
		snprintf(perf.v[i].label, sizeof perf.v[i].label,
			 "disk.sd%03zu.size", i);
		snprintf(perf.v[i].value, sizeof perf.v[i].value, "%zu", i);
		perf.v[i].uom = "B";
	}
	out = print(&run, &st);
	nl = strchr(out, '\n');
	assert_true((size_t)(nl - out) <= PLUGIN_LINE_MAX);
	/* The long output's only '|' is the one before the rest. */
	bar = strchr(nl, '|');
	assert_non_null(bar);
	assert_non_null(strstr(nl, "ok/x\nverdict: pass\n| disk.sd"));
	assert_null(strchr(bar + 1, '|'));
	assert_non_null(strstr(out, "\ndisk.sd199.size=199B\n"));
	free(out);
	check_perfs_free(&perf);
	check_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_and_policy),
	    cmocka_unit_test(test_status_line_exact),
	    cmocka_unit_test(test_status_line_all_pass_and_skipped),
	    cmocka_unit_test(test_status_line_bounded),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_perf_items),
	    cmocka_unit_test(test_perfdata_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
