/*
 * /metrics of stored hosts, rendered by the collector's code from a store
 * on disk (coll_metrics_render): every family of a host with exact values,
 * units converted (Mbit/s to bytes/s, hours to seconds), an unknown value
 * left out rather than 0, a device or sensor the report repeats given
 * once, label values escaped, repaired and cut at PROM_LABEL_MAX bytes on
 * a character boundary, and a host's series gone with its row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>
#include <pb_encode.h>
#include <sqlite3.h>

#include "collector.h"
#include "prom.h"
#include "proto_fill.h"

struct fix {
	char dir[64];
	char db[96];
	struct coll_store *s;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	char err[256];

	strcpy(f->dir, "/tmp/kagent-metrics-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/c.db", f->dir);
	assert_int_equal(coll_store_open(f->db, &f->s, err, sizeof err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char path[128];

	if (f->s)
		coll_store_close(f->s);
	snprintf(path, sizeof path, "rm -rf '%s'", f->dir);
	assert_int_equal(system(path), 0);
	free(f);
	return 0;
}

static kagent_v1_Sensor *sensor(struct proto_lists *l, const char *chip,
				const char *label, kagent_v1_SensorKind k,
				double v)
{
	kagent_v1_Sensor *s;

	assert_int_equal(proto_list_add(&l->sensors, (void **)&s), 0);
	strcpy(s->chip, chip);
	strcpy(s->label, label);
	s->kind = k;
	s->has_value = true;
	s->value = v;
	return s;
}

static kagent_v1_Nic *nic(struct proto_lists *l, const char *name)
{
	kagent_v1_Nic *n;

	assert_int_equal(proto_list_add(&l->nics, (void **)&n), 0);
	strcpy(n->name, name);
	return n;
}

/* broker-1: a SATA disk with libatasmart's counters, an NVMe disk with its
 * health log's, a disk without SMART, three NICs, sensors of every kind. */
static void store_host(struct fix *f, const char *host_id)
{
	kagent_v1_Report *r = calloc(1, sizeof *r);
	struct hw_nvme_health nh = {0};
	struct check_results checks = {0};
	struct coll_report_meta meta;
	struct proto_lists l;
	kagent_v1_CheckResult *c;
	kagent_v1_Disk *d;
	kagent_v1_Nic *n;
	kagent_v1_Sensor *s;
	uint8_t *blob = malloc(1 << 20);
	pb_ostream_t os = pb_ostream_from_buffer(blob, 1 << 20);
	size_t i;

	proto_lists_init(&l);
	strcpy(r->host_id, host_id);
	strcpy(r->cluster, "payments");
	strcpy(r->rack, "r\"1\\");
	strcpy(r->zone, "dc\n1");
	r->roles_count = 2;
	r->roles[0] = kagent_v1_Role_ROLE_ZOOKEEPER;
	r->roles[1] = kagent_v1_Role_ROLE_KAFKA;
	strcpy(r->agent_version, "0.1.0");
	strcpy(r->kernel, "6.1.0-18-amd64");
	r->has_board = true;
	/* 62 ASCII bytes, then "é" (2 bytes) ending at byte 64, then more:
	 * cut after the é. */
	for (i = 0; i < 62; i++)
		r->board.vendor[i] = 'v';
	strcpy(r->board.vendor + 62, "\xc3\xa9wxyz");
	/* 63 bytes, then "€" (3 bytes) that would end at byte 66: cut
	 * before it. */
	for (i = 0; i < 63; i++)
		r->board.product[i] = 'p';
	strcpy(r->board.product + 63, "\xe2\x82\xac");
	r->seq = 1;
	r->report_interval_s = 60;
	r->verdict = kagent_v1_Severity_SEVERITY_WARN;
	r->has_inventory = true;
	r->inventory.has_memory = true;
	r->inventory.memory.has_total_bytes = true;
	r->inventory.memory.total_bytes = 270006632448;
	r->inventory.memory.has_installed_bytes = true;
	r->inventory.memory.installed_bytes = 274877906944;
	r->inventory.has_cpu = true;
	r->inventory.cpu.has_cores = true;
	r->inventory.cpu.cores = 24;
	r->inventory.cpu.has_logical = true;
	r->inventory.cpu.logical = 48;

	assert_int_equal(proto_list_add(&l.checks, (void **)&c), 0);
	strcpy(c->id, "nic.downshift");
	strcpy(c->instance, "eno1");
	c->severity = kagent_v1_Severity_SEVERITY_WARN;

	n = nic(&l, "eno1"); /* 1 Gbit/s on a 25 Gbit/s NIC, link up */
	n->has_speed_mbps = n->has_max_speed_mbps = true;
	n->speed_mbps = 1000;
	n->max_speed_mbps = 25000;
	n->has_carrier = n->carrier = true;
	n->has_mtu = true;
	n->mtu = 9000;
	n = nic(&l, "eno2"); /* no carrier, speed unknown */
	n->has_carrier = true;
	n = nic(&l, "eno3"); /* a speed no link has: no series */
	n->has_speed_mbps = true;
	n->speed_mbps = INT64_MAX;
	n = nic(&l, "eno1"); /* the same device again: left out */
	n->has_speed_mbps = true;
	n->speed_mbps = 10;

	assert_int_equal(proto_list_add(&l.disks, (void **)&d), 0);
	strcpy(d->name, "sda");
	strcpy(d->model, "ST4000NM0035-1V4107");
	strcpy(d->serial, "ZC1\"2\\3");
	strcpy(d->transport, "sata");
	d->has_size_bytes = true;
	d->size_bytes = 4000787030016;
	d->has_rotational = d->rotational = true;
	d->has_health = true;
	d->health.verdict = kagent_v1_Severity_SEVERITY_WARN;
	d->health.has_temperature_c = true;
	d->health.temperature_c = 38;
	d->health.has_power_on_hours = true;
	d->health.power_on_hours = 556;
	d->health.has_power_cycles = true;
	d->health.power_cycles = 71;
	d->health.has_reallocated_sectors = true;
	d->health.reallocated_sectors = 0;
	d->health.has_pending_sectors = true;
	d->health.pending_sectors = 8;
	d->health.has_uncorrectable_sectors = true;
	d->health.uncorrectable_sectors = 2;

	assert_int_equal(proto_list_add(&l.disks, (void **)&d), 0);
	strcpy(d->name, "nvme0n1");
	strcpy(d->transport, "nvme");
	d->has_health = true;
	nh.temperature_c = (struct hw_num){.known = true, .v = 41};
	nh.percentage_used = (struct hw_num){.known = true, .v = 3};
	nh.media_errors = (struct hw_num){.known = true, .v = 0};
	nh.available_spare = (struct hw_num){.known = true, .v = 100};
	nh.power_on_hours = (struct hw_num){.known = true, .v = 10};
	proto_fill_nvme_health(&nh, &d->health);
	d->health.verdict = kagent_v1_Severity_SEVERITY_PASS;

	assert_int_equal(proto_list_add(&l.disks, (void **)&d), 0);
	strcpy(d->name, "md0");
	d->kind = kagent_v1_DiskKind_DISK_KIND_MD;

	s = sensor(&l, "coretemp-isa-0000", "Package id 0",
		   kagent_v1_SensorKind_SENSOR_KIND_TEMP, 47.5);
	s->has_max = s->has_crit = true;
	s->max = 80;
	s->crit = 100;
	s->has_alarm = true;
	sensor(&l, "coretemp-isa-0000", "Package id 0",
	       kagent_v1_SensorKind_SENSOR_KIND_TEMP, 99); /* repeated */
	sensor(&l, "nct6775-isa-0290", "fan1",
	       kagent_v1_SensorKind_SENSOR_KIND_FAN, 1205);
	sensor(&l, "nct6775-isa-0290", "in0",
	       kagent_v1_SensorKind_SENSOR_KIND_VOLTAGE, 1.104);
	sensor(&l, "ina3221-i2c-1", "curr1",
	       kagent_v1_SensorKind_SENSOR_KIND_CURRENT, 0.25);
	sensor(&l, "acpi_power", "power1",
	       kagent_v1_SensorKind_SENSOR_KIND_POWER, 212.5);
	s = sensor(&l, "nct6775-isa-0290", "temp7",
		   kagent_v1_SensorKind_SENSOR_KIND_TEMP, 127);
	s->fault = true; /* a faulty input: no reading */
	s = sensor(&l, "nct6775-isa-0290", "intrusion0",
		   kagent_v1_SensorKind_SENSOR_KIND_INTRUSION, 0);
	s->has_value = false;
	s->has_alarm = s->alarm = true;
	sensor(&l, "odd", "nan", kagent_v1_SensorKind_SENSOR_KIND_TEMP, NAN);

	proto_report_bind(r, &l);
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	proto_report_unbind(r);
	assert_int_equal(coll_checks_from_report(&l, &checks), 0);
	meta = (struct coll_report_meta){host_id,	r->cluster, 1,
					 coll_now_ms(), 60,	    SEV_WARN};
	assert_int_equal(
	    coll_store_put(f->s, &meta, blob, os.bytes_written, &checks), 0);
	assert_int_equal(coll_store_flush(f->s), 0);
	check_results_free(&checks);
	proto_lists_free(&l);
	free(blob);
	free(r);
}

static char *render(struct fix *f)
{
	struct coll_counters ctr = {0};
	char *out;
	size_t len;

	assert_int_equal(
	    coll_metrics_render(f->s, &ctr, NULL, coll_now_ms(), &out, &len), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

/* The whole line, from its start to its end. */
static bool has_line(const char *m, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = m; (p = strstr(p, line)) != NULL; p++)
		if ((p == m || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define HAS(m, line)                                                           \
	do {                                                                   \
		if (!has_line(m, line))                                        \
			fail_msg("missing: %s", line);                         \
	} while (0)

static unsigned count(const char *m, const char *s)
{
	unsigned n = 0;

	for (; (m = strstr(m, s)) != NULL; m++)
		n++;
	return n;
}

static void test_every_family_of_a_host(void **state)
{
	struct fix *f = *state;
	char *m, want[512];

	store_host(f, "broker-1");
	m = render(f);
	snprintf(
	    want, sizeof want,
	    "kagent_host_info{host=\"broker-1\",cluster=\"payments\","
	    "rack=\"r\\\"1\\\\\",zone=\"dc\\n1\","
	    "roles=\"zookeeper,kafka\",version=\"0.1.0\","
	    "kernel=\"6.1.0-18-amd64\",board_vendor=\"%.62s\xc3\xa9\","
	    "board_product=\"%.63s\"} 1",
	    "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
	    "vv",
	    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
	    "ppp");
	HAS(m, want);
	HAS(m, "kagent_host_verdict{host=\"broker-1\"} 3");
	HAS(m, "kagent_host_stale{host=\"broker-1\"} 0");
	HAS(m, "kagent_host_report_interval_seconds{host=\"broker-1\"} 60");
	HAS(m, "kagent_host_check_severity{host=\"broker-1\","
	       "check=\"nic.downshift\",check_instance=\"eno1\"} 3");
	HAS(m, "kagent_memory_total_bytes{host=\"broker-1\"} 270006632448");
	HAS(m, "kagent_memory_installed_bytes{host=\"broker-1\"} 274877906944");
	HAS(m, "kagent_cpu_cores{host=\"broker-1\"} 24");
	HAS(m, "kagent_cpu_threads{host=\"broker-1\"} 48");
	/* NICs: Mbit/s * 125000 = bytes/s; eno1 once. */
	HAS(m, "kagent_network_speed_bytes{host=\"broker-1\",device=\"eno1\"}"
	       " 125000000");
	HAS(m, "kagent_network_max_speed_bytes{host=\"broker-1\","
	       "device=\"eno1\"} 3125000000");
	HAS(m, "kagent_network_carrier{host=\"broker-1\",device=\"eno1\"} 1");
	HAS(m, "kagent_network_carrier{host=\"broker-1\",device=\"eno2\"} 0");
	HAS(m, "kagent_network_mtu_bytes{host=\"broker-1\",device=\"eno1\"} "
	       "9000");
	assert_int_equal(count(m, "kagent_network_speed_bytes{"), 1);
	assert_int_equal(count(m, "device=\"eno2\""), 1);
	assert_int_equal(count(m, "device=\"eno3\""), 0);
	/* Disks. */
	HAS(m, "kagent_disk_info{host=\"broker-1\",device=\"sda\","
	       "kind=\"physical\",model=\"ST4000NM0035-1V4107\",vendor=\"\","
	       "serial=\"ZC1\\\"2\\\\3\",transport=\"sata\"} 1");
	HAS(m, "kagent_disk_info{host=\"broker-1\",device=\"md0\",kind=\"md\","
	       "model=\"\",vendor=\"\",serial=\"\",transport=\"\"} 1");
	HAS(m, "kagent_disk_size_bytes{host=\"broker-1\",device=\"sda\"} "
	       "4000787030016");
	HAS(m, "kagent_disk_rotational{host=\"broker-1\",device=\"sda\"} 1");
	HAS(m, "kagent_disk_health{host=\"broker-1\",device=\"sda\"} 3");
	HAS(m, "kagent_disk_health{host=\"broker-1\",device=\"nvme0n1\"} 0");
	HAS(m, "kagent_disk_temperature_celsius{host=\"broker-1\","
	       "device=\"sda\"} 38");
	HAS(m, "kagent_disk_power_on_seconds{host=\"broker-1\",device=\"sda\"}"
	       " 2001600");
	HAS(m, "kagent_disk_power_cycle_count{host=\"broker-1\","
	       "device=\"sda\"} 71");
	HAS(m, "kagent_disk_reallocated_sectors{host=\"broker-1\","
	       "device=\"sda\"} 0");
	HAS(m, "kagent_disk_pending_sectors{host=\"broker-1\",device=\"sda\"}"
	       " 8");
	HAS(m, "kagent_disk_uncorrectable_sectors{host=\"broker-1\","
	       "device=\"sda\"} 2");
	HAS(m, "kagent_disk_temperature_celsius{host=\"broker-1\","
	       "device=\"nvme0n1\"} 41");
	HAS(m, "kagent_disk_percentage_used{host=\"broker-1\","
	       "device=\"nvme0n1\"} 3");
	HAS(m, "kagent_disk_media_errors{host=\"broker-1\","
	       "device=\"nvme0n1\"} 0");
	HAS(m, "kagent_disk_available_spare{host=\"broker-1\","
	       "device=\"nvme0n1\"} 100");
	/* Unknown is no series: sda has no NVMe counters, nvme0n1 no size,
	 * md0 no SMART at all. */
	assert_int_equal(count(m, "kagent_disk_percentage_used{"), 1);
	assert_int_equal(count(m, "kagent_disk_size_bytes{"), 1);
	assert_int_equal(count(m, "device=\"md0\""), 1);
	assert_int_equal(count(m, "kagent_disk_pending_sectors{"), 1);
	/* Sensors, by kind and unit; the repeated one once. */
	HAS(m, "kagent_sensor_temp_celsius{host=\"broker-1\","
	       "chip=\"coretemp-isa-0000\",label=\"Package id 0\"} 47.5");
	HAS(m, "kagent_sensor_temp_max_celsius{host=\"broker-1\","
	       "chip=\"coretemp-isa-0000\",label=\"Package id 0\"} 80");
	HAS(m, "kagent_sensor_temp_crit_celsius{host=\"broker-1\","
	       "chip=\"coretemp-isa-0000\",label=\"Package id 0\"} 100");
	HAS(m, "kagent_sensor_alarm{host=\"broker-1\","
	       "chip=\"coretemp-isa-0000\",label=\"Package id 0\"} 0");
	HAS(m, "kagent_sensor_fan_rpm{host=\"broker-1\","
	       "chip=\"nct6775-isa-0290\",label=\"fan1\"} 1205");
	HAS(m, "kagent_sensor_voltage_volts{host=\"broker-1\","
	       "chip=\"nct6775-isa-0290\",label=\"in0\"} 1.104");
	HAS(m, "kagent_sensor_current_amps{host=\"broker-1\","
	       "chip=\"ina3221-i2c-1\",label=\"curr1\"} 0.25");
	HAS(m, "kagent_sensor_power_watts{host=\"broker-1\","
	       "chip=\"acpi_power\",label=\"power1\"} 212.5");
	HAS(m, "kagent_sensor_alarm{host=\"broker-1\","
	       "chip=\"nct6775-isa-0290\",label=\"intrusion0\"} 1");
	assert_int_equal(count(m, "kagent_sensor_temp_celsius{"), 1);
	assert_int_equal(count(m, "label=\"temp7\""), 0);
	assert_int_equal(count(m, "label=\"nan\""), 0);
	/* Families are whole: one HELP each, before their series. */
	assert_int_equal(count(m, "# TYPE kagent_disk_size_bytes gauge\n"), 1);
	assert_int_equal(count(m, "# TYPE kagent_sensor_fan_crit_rpm gauge\n"),
			 1);
	/* One host with both roles: the ensemble and the cluster are too
	 * small. */
	HAS(m, "kagent_cluster_verdict{cluster=\"payments\"} 4");
	HAS(m, "kagent_cluster_check_severity{cluster=\"payments\","
	       "check=\"zookeeper.ensemble.size\",check_instance=\"\"} 4");
	HAS(m, "kagent_cluster_check_severity{cluster=\"payments\","
	       "check=\"kafka.cluster.size\",check_instance=\"\"} 4");
	HAS(m, "kagent_build_info{version=\"" KAGENT_VERSION "\"} 1");
	assert_int_equal(count(m, ",instance=\""), 0);
	free(m);
}

/* The series come from the stored row: a row removed (as retiring a host
 * will) takes every one of them away, the families stay. */
static void test_series_go_with_the_row(void **state)
{
	struct fix *f = *state;
	char *m;
	sqlite3 *sq;

	store_host(f, "broker-1");
	store_host(f, "broker-2");
	m = render(f);
	/* 10 of the host, 5 of NICs, 18 of disks, 9 of sensors. */
	assert_int_equal(count(m, "host=\"broker-2\""), 42);
	assert_int_equal(count(m, "host=\"broker-1\""), 42);
	free(m);
	coll_store_close(f->s);
	f->s = NULL;
	assert_int_equal(sqlite3_open(f->db, &sq), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sq,
				      "DELETE FROM hosts WHERE "
				      "host_id = 'broker-2'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(sq);
	assert_int_equal(coll_store_open(f->db, &f->s, NULL, 0), 0);
	m = render(f);
	assert_int_equal(count(m, "host=\"broker-2\""), 0);
	assert_int_equal(count(m, "host=\"broker-1\""), 42);
	assert_int_equal(count(m, "# TYPE kagent_disk_size_bytes gauge\n"), 1);
	free(m);
}

static void test_label_value_escapes(void **state)
{
	struct prom_buf b = {0};
	char in[200];

	(void)state;
	prom_label(&b, "a", "x\\y\"z\nw\tv\x7f\xff\xc3(", true);
	prom_label(&b, "b", "", false);
	memset(in, 'q', sizeof in - 1);
	in[sizeof in - 1] = '\0';
	prom_label(&b, "c", in, false);
	assert_int_equal(b.err, 0);
	prom_printf(&b, "%c", '\0');
	assert_string_equal(
	    b.p,
	    "a=\"x\\\\y\\\"z\\nw?v??"
	    "?(\",b=\"\",c=\""
	    "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
	    "\"");
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_family_of_a_host, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_series_go_with_the_row, setup,
					    teardown),
	    cmocka_unit_test(test_label_value_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
