/* A Report with every field set, through encoder, framer and decoder, and
 * read back by Google's protoc to prove the bytes are plain protobuf. */
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
#include <pb_encode.h>

#include "proto.h"
#include "proto_fill.h"

/* The DMI identity and SMART facts come from real captures; the rest
 * mirrors a Kafka broker as the probes describe one. */
static void fill_report(kagent_v1_Report *r, struct proto_lists *l)
{
	struct hw_cpu cpu = {
	    .model = "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz",
	    .sockets = {2, true},
	    .cores = {24, true},
	    .threads_per_core = {2, true},
	    .logical = {48, true},
	    .online = {48, true},
	    .max_mhz = {3200, true},
	};
	struct hw_memory mem = {
	    .total_bytes = {134913818624LL, true},
	    .available_bytes = {120259084288LL, true},
	    .installed_bytes = {137438953472LL, true},
	};
	struct hw_nic nic[2] = {
	    {.name = "eno1",
	     .mac = "3c:ec:ef:12:34:56",
	     .operstate = "up",
	     .carrier = {1, true},
	     .speed_mbps = {10000, true},
	     .max_speed_mbps = {10000, true},
	     .duplex = "full",
	     .mtu = {9000, true},
	     .driver = "ixgbe",
	     .n_addrs = 2,
	     .addrs = {"10.20.1.13/24", "fe80::3eec:efff:fe12:3456/64"}},
	    {.name = "bond0",
	     .mac = "3c:ec:ef:12:34:58",
	     .operstate = "up",
	     .carrier = {1, true},
	     .speed_mbps = {20000, true},
	     .duplex = "full",
	     .mtu = {1500, true},
	     .driver = "bonding",
	     .virtual = true,
	     .bond = true,
	     .n_members = 2,
	     .members = {"eno2", "eno3"}},
	};
	struct hw_nics nics = {.v = nic, .n = 2, .default_route = "eno1"};
	struct hw_disk disk[2] = {
	    {.name = "sda",
	     .kind = HW_DISK_PHYSICAL,
	     .size_bytes = {160041885696LL, true},
	     .rotational = {1, true},
	     .model = "ST9160821AS",
	     .vendor = "ATA",
	     .serial = "5MA4XJ6P",
	     .transport = "sata",
	     .logical_sector = {512, true},
	     .physical_sector = {512, true},
	     .n_mounts = 1,
	     .mounts = {{"/var/lib/kafka/data-1", "xfs", "/dev/sda1",
			 "rw,noatime"}}},
	    {.name = "md0",
	     .kind = HW_DISK_MD,
	     .level = "raid1",
	     .size_bytes = {499972571136LL, true},
	     .rotational = {1, true},
	     .n_members = 2,
	     .members = {"sdb", "sdc"}},
	};
	struct hw_disks disks = {.v = disk, .n = 2};
	struct board_sensor sen = {
	    .chip = "coretemp-isa-0000",
	    .label = "Package id 0",
	    .kind = BOARD_SENSOR_TEMP,
	    .value = {47.0, true},
	    .max = {84.0, true},
	    .crit = {100.0, true},
	    .alarm = {0, true},
	};
	struct board_dmi dmi;
	struct hw_ata_smart smart;
	struct hw_err err;
	kagent_v1_CheckResult *c;
	kagent_v1_Sensor *s;
	unsigned clipped = 0;

	memset(r, 0, sizeof *r);
	proto_lists_init(l);
	strcpy(r->host_id, "4c4c4544-0051-3510-8052-b4c04f564433");
	strcpy(r->hostname, "kafka-03.dc1.example.net");
	strcpy(r->machine_id, "b08dfa6083e7567a1921a715000001fb");
	strcpy(r->cluster, "payments");
	r->roles_count = 2;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->roles[1] = kagent_v1_Role_ROLE_ZOOKEEPER;
	strcpy(r->rack, "r12");
	strcpy(r->zone, "dc1-a");
	strcpy(r->agent_version, "0.1.0");
	r->seq = 1234;
	r->timestamp_ms = 1717171717000LL;
	r->report_interval_s = 60;

	proto_report_bind(r, l);
	assert_int_equal(proto_fill_inventory(&cpu, &mem, &nics, &disks,
					      &r->inventory, l, &clipped),
			 0);
	assert_int_equal(hw_ata_smart_load(CORPUS
					   "/libatasmart/ST9160821AS--3.CLH",
					   &smart, &err),
			 0);
	{
		kagent_v1_Disk *d = l->disks.v;

		d[0].has_health = true;
		clipped += proto_fill_ata_health(&smart, &d[0].health);
		d[0].health.verdict = kagent_v1_Severity_SEVERITY_FAIL;
		strcpy(d[0].health.reason,
		       "1 bad sector (reallocated + pending)");
		strcpy(d[0].health.source, "atasmart");
	}
	assert_int_equal(board_dmi_read(FIXTURES "/dmi-skybay", &dmi, &err), 0);
	r->has_board = true;
	clipped += proto_fill_board(&dmi, &r->board);
	strcpy(r->dmi_serial, r->board.serial);

	assert_int_equal(proto_list_add(&l->sensors, (void **)&s), 0);
	clipped += proto_fill_sensor(&sen, s);
	strcpy(r->sensors_error, "");

	r->has_kafka = true;
	r->kafka.present = true;
	r->kafka.has_broker_id = true;
	r->kafka.broker_id = 3;
	strcpy(r->kafka.broker_rack, "r12");
	strcpy(r->kafka.installed_version, "3.6.1");
	strcpy(r->kafka.inter_broker_protocol_version, "3.5");
	strcpy(r->kafka.log_message_format_version, "3.5");
	r->kafka.log_dirs_count = 1;
	strcpy(r->kafka.log_dirs[0].path, "/var/lib/kafka/data-1");
	r->kafka.log_dirs[0].has_partition_dirs = true;
	r->kafka.log_dirs[0].partition_dirs = 412;
	r->kafka.log_dirs[0].has_bytes_used = true;
	r->kafka.log_dirs[0].bytes_used = 88046829568LL;
	r->kafka.has_running = true;
	r->kafka.running = true;

	r->has_zookeeper = true;
	r->zookeeper.present = true;
	strcpy(r->zookeeper.mode, "follower");
	strcpy(r->zookeeper.version, "3.8.4");
	r->zookeeper.has_client_port = true;
	r->zookeeper.client_port = 2181;
	r->zookeeper.ensemble_count = 2;
	r->zookeeper.ensemble[0] = (kagent_v1_EnsembleMember){
	    1, "zk-01.dc1.example.net", 2888, 3888, false};
	r->zookeeper.ensemble[1] = (kagent_v1_EnsembleMember){
	    4, "zk-04.dc2.example.net", 2888, 3888, true};
	r->zookeeper.has_myid = true;
	r->zookeeper.myid = 1;

	assert_int_equal(proto_list_add(&l->checks, (void **)&c), 0);
	strcpy(c->id, "disk.health");
	strcpy(c->instance, "sda");
	c->severity = kagent_v1_Severity_SEVERITY_FAIL;
	strcpy(c->measured, "BAD_SECTOR");
	strcpy(c->required, "GOOD");
	strcpy(c->message, "1 bad sector (reallocated + pending)");
	r->verdict = kagent_v1_Severity_SEVERITY_FAIL;
	r->clipped = clipped;
}

struct rx {
	kagent_v1_Envelope *env;
	struct proto_lists lists;
	uint8_t *reenc;
	size_t reenc_len;
	unsigned frames;
};

/* Decodes and encodes again: equal bytes mean every field survived. */
static int receive(void *arg, const uint8_t *p, size_t len)
{
	struct rx *x = arg;
	int r = proto_envelope_decode(p, len, x->env, &x->lists, NULL);

	if (r < 0)
		return r;
	proto_report_bind(&x->env->msg.report, &x->lists);
	r = proto_envelope_encode(x->env, x->reenc, 1 << 16, &x->reenc_len,
				  NULL);
	proto_report_unbind(&x->env->msg.report);
	x->frames++;
	return r;
}

static void test_full_report_round_trips_in_any_chunking(void **state)
{
	static const size_t chunks[] = {1, 7, 1 << 16};
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	struct proto_lists l;
	struct proto_framer f;
	struct rx x = {0};
	uint8_t *buf = malloc(1 << 16);
	size_t len = 0, off, n, i;
	kagent_v1_Report *r;

	(void)state;
	x.env = calloc(1, sizeof *x.env);
	x.reenc = malloc(1 << 16);
	assert_true(e && buf && x.env && x.reenc);
	e->which_msg = kagent_v1_Envelope_report_tag;
	fill_report(&e->msg.report, &l);
	assert_int_equal(proto_envelope_encode(e, buf, 1 << 16, &len, NULL), 0);
	print_message("full report: %zu bytes framed\n", len);
	proto_lists_init(&x.lists);
	for (i = 0; i < 3; i++) {
		proto_framer_init(&f, 0);
		x.frames = 0;
		for (off = 0; off < len; off += n) {
			n = len - off < chunks[i] ? len - off : chunks[i];
			assert_int_equal(
			    proto_framer_feed(&f, buf + off, n, receive, &x),
			    0);
		}
		assert_int_equal(x.frames, 1);
		assert_int_equal(x.reenc_len, len);
		assert_memory_equal(x.reenc, buf, len);
		proto_framer_free(&f);
	}
	r = &x.env->msg.report;
	assert_string_equal(r->host_id, "4c4c4544-0051-3510-8052-b4c04f564433");
	assert_int_equal(r->seq, 1234);
	assert_int_equal(r->roles[1], kagent_v1_Role_ROLE_ZOOKEEPER);
	assert_string_equal(r->board.bios_version, "5.12");
	assert_int_equal(x.lists.nics.n, 2);
	assert_string_equal(
	    ((kagent_v1_Nic *)x.lists.nics.v)[1].bond_members[1], "eno3");
	assert_int_equal(x.lists.disks.n, 2);
	assert_int_equal(
	    ((kagent_v1_Disk *)x.lists.disks.v)[0].health.power_on_hours, 556);
	assert_int_equal(
	    ((kagent_v1_Disk *)x.lists.disks.v)[0].health.bad_sectors, 1);
	/* skdump --load: attribute 5 "0 sectors", 197 and 198 "1 sectors". */
	{
		const kagent_v1_Health *h =
		    &((kagent_v1_Disk *)x.lists.disks.v)[0].health;

		assert_true(h->has_reallocated_sectors);
		assert_int_equal(h->reallocated_sectors, 0);
		assert_int_equal(h->pending_sectors, 1);
		assert_int_equal(h->uncorrectable_sectors, 1);
		assert_false(h->has_percentage_used);
		assert_false(h->has_media_errors);
	}
	assert_false(((kagent_v1_Disk *)x.lists.disks.v)[1].has_health);
	assert_int_equal(x.lists.sensors.n, 1);
	assert_true(((kagent_v1_Sensor *)x.lists.sensors.v)[0].value == 47.0);
	assert_false(((kagent_v1_Sensor *)x.lists.sensors.v)[0].has_min);
	assert_int_equal(r->kafka.log_dirs[0].partition_dirs, 412);
	assert_true(r->zookeeper.ensemble[1].observer);
	assert_int_equal(r->clipped, 0);
	proto_lists_free(&x.lists);
	proto_lists_free(&l);
	free(x.env);
	free(x.reenc);
	free(buf);
	free(e);
}

/* Encoded in one pass; the size is computed only to say why it failed. */
static void test_encode_into_a_short_buffer_says_how_many_bytes(void **state)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	uint8_t *buf = malloc(1 << 16), *exact;
	struct proto_lists l;
	struct hw_err err = {{0}};
	size_t len = 0, len2 = 0;
	char want[96];

	(void)state;
	assert_true(e && buf);
	e->which_msg = kagent_v1_Envelope_report_tag;
	fill_report(&e->msg.report, &l);
	assert_int_equal(proto_envelope_encode(e, buf, 1 << 16, &len, NULL), 0);
	/* Exactly the frame's size fits, byte for byte the same. */
	exact = malloc(len);
	assert_non_null(exact);
	assert_int_equal(proto_envelope_encode(e, exact, len, &len2, &err), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(exact, buf, len);
	/* One byte less does not. */
	assert_int_equal(proto_envelope_encode(e, exact, len - 1, &len2, &err),
			 -ENOBUFS);
	snprintf(want, sizeof want, "report needs %zu bytes, buffer has %zu",
		 len, len - 1);
	assert_string_equal(err.msg, want);
	/* Nor a buffer shorter than the length prefix. */
	assert_int_equal(proto_envelope_encode(e, exact, 3, &len2, &err),
			 -ENOBUFS);
	snprintf(want, sizeof want, "report needs %zu bytes, buffer has 3", len);
	assert_string_equal(err.msg, want);
	proto_lists_free(&l);
	free(exact);
	free(buf);
	free(e);
}

static void test_list_above_bound_does_not_decode(void **state)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	struct proto_lists l, in;
	uint8_t *buf = malloc(1 << 16);
	struct hw_err err;
	size_t len = 0, i;
	void *item;

	(void)state;
	assert_true(e && buf);
	e->which_msg = kagent_v1_Envelope_report_tag;
	proto_lists_init(&l);
	proto_report_bind(&e->msg.report, &l);
	for (i = 0; i < PROTO_NICS_MAX; i++)
		assert_int_equal(proto_list_add(&l.nics, &item), 0);
	assert_int_equal(proto_list_add(&l.nics, &item), -ENOSPC);
	/* A peer with a larger bound sends one more. */
	l.nics.max++;
	assert_int_equal(proto_list_add(&l.nics, &item), 0);
	assert_int_equal(proto_envelope_encode(e, buf, 1 << 16, &len, &err), 0);
	proto_lists_init(&in);
	assert_int_equal(proto_envelope_decode(buf + 4, len - 4, e, &in, &err),
			 -EBADMSG);
	assert_string_equal(err.msg, "frame of 137 bytes does not decode: "
				     "list above its bound");
	proto_lists_free(&in);
	proto_lists_free(&l);
	free(buf);
	free(e);
}

static const char *const protoc_lines[] = {
    "host_id: \"4c4c4544-0051-3510-8052-b4c04f564433\"",
    "hostname: \"kafka-03.dc1.example.net\"",
    "roles: ROLE_KAFKA",
    "roles: ROLE_ZOOKEEPER",
    "seq: 1234",
    "timestamp_ms: 1717171717000",
    "  cpu {",
    "    model: \"Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz\"",
    "    cores: 24",
    "    total_bytes: 134913818624",
    "    bond_members: \"eno3\"",
    "    addresses: \"fe80::3eec:efff:fe12:3456/64\"",
    "    kind: DISK_KIND_MD",
    "      path: \"/var/lib/kafka/data-1\"",
    "      verdict: SEVERITY_FAIL",
    "      power_on_hours: 556",
    "  default_route_nic: \"eno1\"",
    "  bios_version: \"5.12\"",
    "  value: 47",
    "  broker_id: 3",
    "    partition_dirs: 412",
    "    host: \"zk-04.dc2.example.net\"",
    "    observer: true",
    "  id: \"disk.health\"",
    "verdict: SEVERITY_FAIL",
};

/* protoc is Google's reference parser: if it reads our bytes back into
 * these lines, a collector in any language can. */
static void test_protoc_decodes_report(void **state)
{
	kagent_v1_Report *r = calloc(1, sizeof *r);
	char path[] = "/tmp/kagent-report-XXXXXX", cmd[256], line[512];
	char *out = calloc(1, 1 << 16);
	uint8_t *buf = malloc(1 << 16);
	struct proto_lists l;
	pb_ostream_t s;
	size_t i, got = 0;
	FILE *p;
	int fd;

	(void)state;
	assert_true(r && out && buf);
	fill_report(r, &l);
	s = pb_ostream_from_buffer(buf, 1 << 16);
	assert_true(pb_encode(&s, kagent_v1_Report_fields, r));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, s.bytes_written),
			 (ssize_t)s.bytes_written);
	close(fd);
	snprintf(cmd, sizeof cmd,
		 "protoc -I ../proto "
		 "--decode=kagent.v1.Report ../proto/kagent.proto < %s",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof line, p) && got + strlen(line) < (1 << 16)) {
		memcpy(out + got, line, strlen(line) + 1);
		got += strlen(line);
	}
	assert_int_equal(pclose(p), 0);
	unlink(path);
	print_message("protoc printed %zu bytes for a %zu-byte report\n", got,
		      s.bytes_written);
	for (i = 0; i < sizeof protoc_lines / sizeof protoc_lines[0]; i++) {
		snprintf(line, sizeof line, "\n%s\n", protoc_lines[i]);
		if (!strstr(out, line) &&
		    strncmp(out, line + 1, strlen(line + 1)) != 0)
			fail_msg("protoc output lacks: %s\n%s", protoc_lines[i],
				 out);
	}
	proto_lists_free(&l);
	free(buf);
	free(out);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_report_round_trips_in_any_chunking),
	    cmocka_unit_test(test_encode_into_a_short_buffer_says_how_many_bytes),
	    cmocka_unit_test(test_list_above_bound_does_not_decode),
	    cmocka_unit_test(test_protoc_decodes_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
