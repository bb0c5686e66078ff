/*
 * Sensors read through the real libsensors.  libsensors only reads the
 * live /sys, so this program runs under umockdev-wrapper (its LD_PRELOAD
 * library serves /sys from $UMOCKDEV_DIR when that is set) and each test
 * points $UMOCKDEV_DIR at a fixture tree laid out like a kernel's sysfs.
 * `UMOCKDEV_DIR=fixtures/hwmon-nodeexp umockdev-wrapper sensors` prints the
 * same values these tests assert.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "board.h"
#include "board_json.h"
#include "health_sensors.h"

static int preload_check(void **state)
{
	const char *p = getenv("LD_PRELOAD");

	(void)state;
	if (p == NULL || strstr(p, "libumockdev-preload") == NULL) {
		fprintf(stderr, "test_sensors must run under umockdev-wrapper "
				"(LD_PRELOAD has no libumockdev-preload)\n");
		return -1;
	}
	return 0;
}

static void read_tree(const char *tree, struct board_sensors *s)
{
	struct hw_err err = {{0}};

	assert_int_equal(setenv("UMOCKDEV_DIR", tree, 1), 0);
	assert_int_equal(board_sensors_read(s, &err), 0);
	assert_int_equal(unsetenv("UMOCKDEV_DIR"), 0);
	assert_string_equal(err.msg, "");
	assert_string_equal(s->error, "");
}

static void assert_value(struct board_value v, double want)
{
	assert_true(v.known);
	/* libsensors divides the kernel's milli-units by 1000 */
	assert_true(v.v > want - 1e-9 && v.v < want + 1e-9);
}

static void assert_verdict(const struct board_sensor *s,
			   enum check_severity want, const char *reason)
{
	struct sensor_verdict sv;

	health_from_sensor(s, &sv);
	assert_string_equal(sv.reason, reason);
	assert_int_equal(sv.verdict, want);
}

static void test_sensors_coretemp_in_degrees_with_limits(void **state)
{
	struct board_sensors s;
	const struct board_sensor *t;

	(void)state;
	read_tree(FIXTURES "/hwmon-nodeexp", &s);
	/* 5 coretemp temperatures; nct6779: in0, in1, fan2, 2 intrusions */
	assert_int_equal(s.n, 10);
	t = &s.v[0];
	assert_string_equal(t->chip, "coretemp-isa-0000");
	assert_string_equal(t->label, "Physical id 0");
	assert_int_equal(t->kind, BOARD_SENSOR_TEMP);
	assert_value(t->value, 55.0);
	assert_value(t->max, 84.0);
	assert_value(t->crit, 100.0);
	assert_false(t->min.known);
	assert_true(t->alarm.known);
	assert_int_equal(t->alarm.v, 0);
	assert_verdict(t, SEV_PASS,
		       "coretemp-isa-0000 Physical id 0: 55.0 °C below max "
		       "84.0 °C");
	t = &s.v[4];
	assert_string_equal(t->label, "Core 3");
	assert_value(t->value, 50.0);
	board_sensors_free(&s);
}

/* in0 is labelled "Vcore" by the nct6779 section of the distro's
 * /etc/sensors3.conf (package libsensors-config): the config is loaded. */
static void
test_sensors_nct6779_voltage_in_volts_with_config_label(void **state)
{
	struct board_sensors s;
	const struct board_sensor *v;

	(void)state;
	read_tree(FIXTURES "/hwmon-nodeexp", &s);
	assert_int_equal(s.n, 10);
	v = &s.v[5];
	assert_string_equal(v->chip, "nct6779-isa-0290");
	assert_string_equal(v->label, "Vcore");
	assert_int_equal(v->kind, BOARD_SENSOR_VOLTAGE);
	assert_value(v->value, 0.792);
	assert_value(v->min, 0.0);
	assert_value(v->max, 1.744);
	assert_false(v->crit.known);
	assert_int_equal(v->alarm.v, 0);
	assert_verdict(v, SEV_PASS,
		       "nct6779-isa-0290 Vcore: 0.792 V below max 1.744 V");
	board_sensors_free(&s);
}

static void test_sensors_raised_alarm_warns(void **state)
{
	struct board_sensors s;
	const struct board_sensor *v;

	(void)state;
	read_tree(FIXTURES "/hwmon-nodeexp", &s);
	v = &s.v[6];
	assert_string_equal(v->label, "in1");
	assert_value(v->value, 1.024);
	assert_value(v->max, 0.0);
	assert_true(v->alarm.known);
	assert_int_equal(v->alarm.v, 1);
	assert_verdict(v, SEV_WARN,
		       "nct6779-isa-0290 in1: alarm raised at 1.024 V");
	v = &s.v[8];
	assert_string_equal(v->label, "intrusion0");
	assert_int_equal(v->kind, BOARD_SENSOR_INTRUSION);
	assert_false(v->value.known);
	assert_int_equal(v->alarm.v, 1);
	assert_verdict(v, SEV_WARN,
		       "nct6779-isa-0290 intrusion0: chassis intrusion alarm "
		       "raised");
	board_sensors_free(&s);
}

static void test_sensors_fan_in_rpm(void **state)
{
	struct board_sensors s;
	const struct board_sensor *f;

	(void)state;
	read_tree(FIXTURES "/hwmon-nodeexp", &s);
	f = &s.v[7];
	assert_string_equal(f->label, "fan2");
	assert_int_equal(f->kind, BOARD_SENSOR_FAN);
	assert_value(f->value, 1098.0);
	assert_value(f->min, 0.0);
	assert_false(f->max.known);
	assert_int_equal(f->alarm.v, 0);
	assert_verdict(f, SEV_PASS,
		       "nct6779-isa-0290 fan2: 1098 RPM, no limit set");
	board_sensors_free(&s);
}

static void test_sensors_over_max_warns_over_crit_fails(void **state)
{
	struct board_sensors s;

	(void)state;
	read_tree(FIXTURES "/hwmon-hot", &s);
	assert_int_equal(s.n, 3);
	assert_value(s.v[0].value, 45.0);
	assert_verdict(&s.v[0], SEV_PASS,
		       "coretemp-isa-0000 Physical id 0: 45.0 °C below max "
		       "84.0 °C");
	assert_string_equal(s.v[1].label, "Core 0");
	assert_value(s.v[1].value, 85.0);
	assert_verdict(&s.v[1], SEV_WARN,
		       "coretemp-isa-0000 Core 0: 85.0 °C >= max 84.0 °C");
	assert_string_equal(s.v[2].chip, "coretemp-isa-0001");
	assert_string_equal(s.v[2].label, "Package id 1");
	assert_value(s.v[2].value, 101.0);
	assert_int_equal(s.v[2].alarm.v, 1);
	assert_verdict(&s.v[2], SEV_FAIL,
		       "coretemp-isa-0001 Package id 1: 101.0 °C >= critical "
		       "100.0 °C");
	board_sensors_free(&s);
}

static void test_sensors_json_carries_verdicts(void **state)
{
	struct board_sensors s;
	json_t *a, *e;
	char *d;

	(void)state;
	read_tree(FIXTURES "/hwmon-hot", &s);
	a = board_sensors_to_json(&s);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), 3);
	e = json_array_get(a, 2);
	d = json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(
	    d, "{\"alarm\":true,\"chip\":\"coretemp-isa-0001\","
	       "\"crit\":100.0,\"kind\":\"temperature\","
	       "\"label\":\"Package id 1\",\"max\":84.0,\"min\":null,"
	       "\"reason\":\"coretemp-isa-0001 Package id 1: 101.0 °C >= "
	       "critical 100.0 °C\",\"value\":101.0,\"verdict\":\"fail\"}");
	free(d);
	json_decref(a);
	board_sensors_free(&s);
}

/* Facts no fixture can produce under umockdev (a read error, a chip's
 * fault bit) still need a verdict: unknown, saying why. */
static void test_sensor_unreadable_value_is_unknown(void **state)
{
	struct board_sensor s = {.chip = "coretemp-isa-0000",
				 .label = "Core 0",
				 .kind = BOARD_SENSOR_TEMP,
				 .max = {84.0, true},
				 .crit = {100.0, true}};

	(void)state;
	assert_verdict(&s, SEV_UNKNOWN,
		       "coretemp-isa-0000 Core 0: value unreadable");
	s.fault = true;
	assert_verdict(&s, SEV_UNKNOWN,
		       "coretemp-isa-0000 Core 0: the chip reports a sensor "
		       "fault");
}

static size_t count_hwmon(void)
{
	DIR *d = opendir("/sys/class/hwmon");
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "hwmon", 5) == 0)
			n++;
	closedir(d);
	return n;
}

/* The live host, with $UMOCKDEV_DIR unset so the preload passes through.
 * A host without hwmon (a VM) has no sensors, and that is no failure. */
static void test_sensors_live_host_without_hwmon_reads_none(void **state)
{
	struct board_sensors s;
	struct hw_err err = {{0}};
	struct timespec t0, t1;
	size_t hw;

	(void)state;
	assert_int_equal(unsetenv("UMOCKDEV_DIR"), 0);
	hw = count_hwmon();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(board_sensors_read(&s, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("live: %zu hwmon devices, %zu sensors, read in %.3f ms\n", hw,
	       s.n,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_string_equal(err.msg, "");
	if (hw == 0) {
		assert_int_equal(s.n, 0);
		assert_null(s.v);
	}
	board_sensors_free(&s);
}

/* The daemon's way: libsensors opened once, read each cycle.  Every read
 * gives exactly what a one-shot read gives. */
static void test_sensors_open_once_reads_as_one_shot(void **state)
{
	struct board_sensors once, a, b;
	struct board_sensors_lib lib;
	struct hw_err err = {{0}};

	(void)state;
	read_tree(FIXTURES "/hwmon-hot", &once);
	assert_true(once.n > 0);
	assert_int_equal(setenv("UMOCKDEV_DIR", FIXTURES "/hwmon-hot", 1), 0);
	assert_int_equal(board_sensors_open(&lib, &err), 0);
	assert_true(lib.open);
	assert_int_equal(board_sensors_read_open(&lib, &a, &err), 0);
	assert_int_equal(board_sensors_read_open(&lib, &b, &err), 0);
	board_sensors_close(&lib);
	assert_int_equal(unsetenv("UMOCKDEV_DIR"), 0);
	assert_false(lib.open);
	assert_string_equal(err.msg, "");
	assert_int_equal(a.n, once.n);
	assert_int_equal(b.n, once.n);
	assert_memory_equal(a.v, once.v, once.n * sizeof *once.v);
	assert_memory_equal(b.v, once.v, once.n * sizeof *once.v);
	assert_string_equal(a.error, once.error);
	/* Closed, it refuses rather than read a freed chip list. */
	board_sensors_free(&a);
	assert_int_equal(board_sensors_read_open(&lib, &a, &err), -EBADF);
	assert_int_equal(a.n, 0);
	board_sensors_free(&once);
	board_sensors_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sensors_coretemp_in_degrees_with_limits),
	    cmocka_unit_test(
		test_sensors_nct6779_voltage_in_volts_with_config_label),
	    cmocka_unit_test(test_sensors_raised_alarm_warns),
	    cmocka_unit_test(test_sensors_fan_in_rpm),
	    cmocka_unit_test(test_sensors_over_max_warns_over_crit_fails),
	    cmocka_unit_test(test_sensors_json_carries_verdicts),
	    cmocka_unit_test(test_sensor_unreadable_value_is_unknown),
	    cmocka_unit_test(test_sensors_live_host_without_hwmon_reads_none),
	    cmocka_unit_test(test_sensors_open_once_reads_as_one_shot),
	};

	return cmocka_run_group_tests(tests, preload_check, NULL);
}
