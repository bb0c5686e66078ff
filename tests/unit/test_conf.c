/* kagent.conf: every key, every threshold, sizes, and the exact
 * "file:line: what" messages of each kind of mistake. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"

#define GiB (INT64_C(1) << 30)

static void parse_ok(const char *text, struct conf *c)
{
	char err[512] = "";

	conf_defaults(c);
	if (conf_parse(text, "kagent.conf", c, err, sizeof err) != 0)
		fail_msg("%s", err);
}

/* The message of a configuration that must be refused. */
static void assert_refused(const char *text, const char *msg)
{
	struct conf c;
	char err[512] = "";

	conf_defaults(&c);
	assert_int_equal(
	    conf_parse(text, "/etc/kagent/kagent.conf", &c, err, sizeof err),
	    -EINVAL);
	assert_string_equal(err, msg);
}

static void test_defaults_are_the_notes_numbers(void **state)
{
	struct conf c;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.roles, 0);
	assert_false(c.critical);
	assert_string_equal(c.kafka_config, "");
	assert_int_equal(c.th.zk_memory_warn_below, 4 * GiB);
	assert_int_equal(c.th.zk_memory_fail_below, 2 * GiB);
	assert_int_equal(c.th.zk_memory_info_above, 8 * GiB);
	assert_int_equal(c.th.zk_disk_warn_below, INT64_C(240000000000));
	assert_int_equal(c.th.zk_nic_fail_below, 1000);
	assert_int_equal(c.th.kafka_cores_warn_below, 8);
	assert_int_equal(c.th.kafka_memory_warn_below, 32 * GiB);
	assert_int_equal(c.th.kafka_memory_fail_below, 8 * GiB);
	assert_int_equal(c.th.kafka_heap, 6 * GiB);
	assert_int_equal(c.th.kafka_logdirs_warn_below, INT64_C(4000000000000));
	assert_int_equal(c.th.kafka_nic_fail_below, 10000);
	assert_int_equal(c.th.memory_tolerance_pct, 5);
	assert_int_equal(c.th.os_swappiness_warn_above, 1);
	assert_int_equal(c.th.os_nofile_warn_below, 100000);
	assert_int_equal(c.th.os_max_map_count_warn_below, 262144);
}

static void test_every_key_is_read(void **state)
{
	struct conf c;

	(void)state;
	parse_ok("; kagent.conf of broker 3\n"
		 "[host]\n"
		 "roles = zookeeper, kafka\n"
		 "cluster = events\n"
		 "rack = r12\n"
		 "zone = eu-west-1a\n"
		 "critical = yes\n"
		 "memory.tolerance_pct = 7\n"
		 "os.swappiness.warn_above = 10\n"
		 "os.nofile.warn_below = 65536\n"
		 "os.max_map_count.warn_below = 524288\n"
		 "\n"
		 "[kafka]\n"
		 "config = /etc/kafka/server.properties\n"
		 "home = /opt/kafka\n"
		 "jaas = /etc/kafka/kafka_server_jaas.conf\n"
		 "kafka.cpu.cores.warn_below = 16\n"
		 "kafka.memory.warn_below = 64GiB\n"
		 "kafka.memory.fail_below = 16G\n"
		 "kafka.memory.heap = 8GiB\n"
		 "kafka.logdirs.capacity.warn_below = 8TB\n"
		 "kafka.nic.speed.fail_below = 25000\n"
		 "\n"
		 "[zookeeper]\n"
		 "config = /etc/zookeeper/conf/zoo.cfg\n"
		 "zookeeper.memory.warn_below = 6GiB\n"
		 "zookeeper.memory.fail_below = 3GiB\n"
		 "zookeeper.memory.info_above = 16GiB\n"
		 "zookeeper.disk.warn_below = 480GB\n"
		 "zookeeper.nic.speed.fail_below = 10000\n",
		 &c);
	assert_int_equal(c.roles, CORE_ROLE_ZOOKEEPER | CORE_ROLE_KAFKA);
	assert_string_equal(c.cluster, "events");
	assert_string_equal(c.rack, "r12");
	assert_string_equal(c.zone, "eu-west-1a");
	assert_true(c.critical);
	assert_string_equal(c.kafka_config, "/etc/kafka/server.properties");
	assert_string_equal(c.kafka_home, "/opt/kafka");
	assert_string_equal(c.kafka_jaas, "/etc/kafka/kafka_server_jaas.conf");
	assert_string_equal(c.zk_config, "/etc/zookeeper/conf/zoo.cfg");
	assert_string_equal(c.path, "kagent.conf");
	assert_int_equal(c.th.memory_tolerance_pct, 7);
	assert_int_equal(c.th.os_swappiness_warn_above, 10);
	assert_int_equal(c.th.os_nofile_warn_below, 65536);
	assert_int_equal(c.th.os_max_map_count_warn_below, 524288);
	assert_int_equal(c.th.kafka_cores_warn_below, 16);
	assert_int_equal(c.th.kafka_memory_warn_below, 64 * GiB);
	assert_int_equal(c.th.kafka_memory_fail_below, 16 * GiB);
	assert_int_equal(c.th.kafka_heap, 8 * GiB);
	assert_int_equal(c.th.kafka_logdirs_warn_below, INT64_C(8000000000000));
	assert_int_equal(c.th.kafka_nic_fail_below, 25000);
	assert_int_equal(c.th.zk_memory_warn_below, 6 * GiB);
	assert_int_equal(c.th.zk_memory_fail_below, 3 * GiB);
	assert_int_equal(c.th.zk_memory_info_above, 16 * GiB);
	assert_int_equal(c.th.zk_disk_warn_below, INT64_C(480000000000));
	assert_int_equal(c.th.zk_nic_fail_below, 10000);
}

/* Every threshold of the table can be set in its section. */
static void test_every_threshold_of_the_table_is_settable(void **state)
{
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; i < conf_threshold_count; i++) {
		const struct conf_threshold_def *d = &conf_threshold_defs[i];
		struct conf c;

		snprintf(text, sizeof text, "[%s]\n%s = 12345\n", d->section,
			 d->key);
		parse_ok(text, &c);
		assert_int_equal(*(int64_t *)((char *)&c.th + d->offset),
				 12345);
	}
}

static void test_roles(void **state)
{
	unsigned r;

	(void)state;
	assert_int_equal(conf_roles_parse("kafka", &r), 0);
	assert_int_equal(r, CORE_ROLE_KAFKA);
	assert_int_equal(conf_roles_parse("zookeeper", &r), 0);
	assert_int_equal(r, CORE_ROLE_ZOOKEEPER);
	assert_int_equal(conf_roles_parse("kafka zookeeper", &r), 0);
	assert_int_equal(r, CORE_ROLE_ZOOKEEPER | CORE_ROLE_KAFKA);
	assert_int_equal(conf_roles_parse("kafka,broker", &r), -EINVAL);
	assert_int_equal(conf_roles_parse("", &r), -EINVAL);
	assert_int_equal(conf_roles_parse(" , ", &r), -EINVAL);
	assert_string_equal(conf_roles_name(CORE_ROLE_KAFKA), "kafka");
	assert_string_equal(conf_roles_name(CORE_ROLE_ZOOKEEPER), "zookeeper");
	assert_string_equal(conf_roles_name(3), "zookeeper,kafka");
	assert_string_equal(conf_roles_name(0), "none");
}

static void test_sizes(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(core_parse_size("4GiB", &v), 0);
	assert_int_equal(v, INT64_C(4294967296));
	assert_int_equal(core_parse_size("240GB", &v), 0);
	assert_int_equal(v, INT64_C(240000000000));
	assert_int_equal(core_parse_size("8G", &v), 0);
	assert_int_equal(v, INT64_C(8589934592));
	assert_int_equal(core_parse_size("4TB", &v), 0);
	assert_int_equal(v, INT64_C(4000000000000));
	assert_int_equal(core_parse_size("1T", &v), 0);
	assert_int_equal(v, INT64_C(1099511627776));
	assert_int_equal(core_parse_size("512MiB", &v), 0);
	assert_int_equal(v, INT64_C(536870912));
	assert_int_equal(core_parse_size("1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(core_parse_size("32 GiB", &v), 0);
	assert_int_equal(v, 32 * GiB);
	assert_int_equal(core_parse_size("8g", &v), -EINVAL);
	assert_int_equal(core_parse_size("1.5TB", &v), -EINVAL);
	assert_int_equal(core_parse_size("-1G", &v), -EINVAL);
	assert_int_equal(core_parse_size("", &v), -EINVAL);
	assert_int_equal(core_parse_size("GiB", &v), -EINVAL);
	assert_int_equal(core_parse_size("9223372036854775807G", &v), -ERANGE);
	assert_int_equal(core_parse_size("99999999999999999999", &v), -EINVAL);
}

static void test_critical_takes_yes_no_true_false_1_0(void **state)
{
	static const char *yes[] = {"yes", "true", "1", "YES"};
	static const char *no[] = {"no", "false", "0", "False"};
	char text[64];
	struct conf c;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof text, "[host]\ncritical = %s\n", yes[i]);
		parse_ok(text, &c);
		assert_true(c.critical);
		snprintf(text, sizeof text, "[host]\ncritical = %s\n", no[i]);
		parse_ok(text, &c);
		assert_false(c.critical);
	}
}

static void test_unknown_key_names_file_line_and_valid_keys(void **state)
{
	(void)state;
	assert_refused("[host]\nroles = kafka\nbogus_key = 1\n",
		       "/etc/kagent/kagent.conf:3: unknown key 'bogus_key' in "
		       "[host] (valid: roles, cluster, rack, rack_pattern, lldp_socket, zone, critical, "
		       "or a threshold such as os.swappiness.warn_above)");
	assert_refused("[kafka]\nconfg = /etc/kafka/server.properties\n",
		       "/etc/kagent/kagent.conf:2: unknown key 'confg' in "
		       "[kafka] (valid: config, home, jaas, bootstrap, client_config, metadata_interval, or a threshold "
		       "such as kafka.memory.warn_below)");
	assert_refused("\n\n[zookeeper]\nhome = /opt/zk\n",
		       "/etc/kagent/kagent.conf:4: unknown key 'home' in "
		       "[zookeeper] (valid: config, or a threshold such as "
		       "zookeeper.memory.warn_below)");
}

/* A threshold lives in the section of its id's first word. */
static void test_threshold_in_wrong_section_is_unknown(void **state)
{
	(void)state;
	assert_refused(
	    "[host]\nkafka.memory.warn_below = 64GiB\n",
	    "/etc/kagent/kagent.conf:2: unknown key 'kafka.memory.warn_below' "
	    "in [host] (valid: roles, cluster, rack, rack_pattern, lldp_socket, zone, critical, or a "
	    "threshold such as os.swappiness.warn_above)");
}

static void test_unknown_section(void **state)
{
	(void)state;
	assert_refused("[host]\nroles = kafka\n[broker]\nid = 3\n",
		       "/etc/kagent/kagent.conf:4: unknown section [broker] "
		       "(valid: host, kafka, zookeeper, check, smart, agent)");
	/* A key before any section is in section "". */
	assert_refused("roles = kafka\n",
		       "/etc/kagent/kagent.conf:1: unknown section [] (valid: "
		       "host, kafka, zookeeper, check, smart, agent)");
}

static void test_bad_values(void **state)
{
	(void)state;
	assert_refused("[host]\nroles = kafka,broker\n",
		       "/etc/kagent/kagent.conf:2: bad roles 'kafka,broker' "
		       "(zookeeper, kafka, or both)");
	assert_refused("[host]\ncritical = maybe\n",
		       "/etc/kagent/kagent.conf:2: 'critical' must be yes or "
		       "no, not 'maybe'");
	assert_refused(
	    "[kafka]\nkafka.memory.warn_below = 32 gigs\n",
	    "/etc/kagent/kagent.conf:2: bad value '32 gigs' for "
	    "'kafka.memory.warn_below' (a size such as 32GiB or 4TB)");
	assert_refused("[host]\nos.swappiness.warn_above = -1\n",
		       "/etc/kagent/kagent.conf:2: bad value '-1' for "
		       "'os.swappiness.warn_above' (a non-negative integer)");
	assert_refused("[kafka]\nkafka.nic.speed.fail_below = 10G\n",
		       "/etc/kagent/kagent.conf:2: bad value '10G' for "
		       "'kafka.nic.speed.fail_below' (a non-negative integer)");
	assert_refused(
	    "[host]\nrack = "
	    "rack-with-a-name-far-longer-than-sixty-three-bytes-0123456789-"
	    "abcdef\n",
	    "/etc/kagent/kagent.conf:2: value of 'rack' longer than 63 bytes");
}

/* collector = follows proto_hostport_parse's rules, as kcollectord's
 * listen does, and the message names the value and the rule. */
static void test_collector_address_rules(void **state)
{
	struct conf c;

	(void)state;
	parse_ok("[agent]\ncollector = [::1]:7000\n", &c);
	assert_string_equal(c.agent.collector, "[::1]:7000");
	parse_ok("[agent]\ncollector = kc-1.example.net:7000\n", &c);
	assert_string_equal(c.agent.collector, "kc-1.example.net:7000");
	assert_refused("[agent]\ncollector = [kc1]:7000\n",
		       "/etc/kagent/kagent.conf:2: collector '[kc1]:7000': "
		       "not an IPv6 address in the brackets");
	assert_refused("[agent]\ncollector = kc1: 7000\n",
		       "/etc/kagent/kagent.conf:2: collector 'kc1: 7000': "
		       "port is not a number from 1 to 65535");
	assert_refused("[agent]\ncollector = ::1:7000\n",
		       "/etc/kagent/kagent.conf:2: collector '::1:7000': an "
		       "IPv6 address goes in brackets: [ADDRESS]:PORT");
}

/* How long the prober has to answer before it is forked again. */
static void test_prober_timeout(void **state)
{
	struct conf c;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.agent.prober_timeout_s, 120);
	parse_ok("[agent]\nprober_timeout = 5\n", &c);
	assert_int_equal(c.agent.prober_timeout_s, 5);
	assert_refused("[agent]\nprober_timeout = 0\n",
		       "/etc/kagent/kagent.conf:2: 'prober_timeout' must be "
		       "seconds from 1 to 86400, not '0'");
}

/* [smart]: how long a RAID member's answer is kept, how long a run. */
static void test_smart_section(void **state)
{
	struct conf c;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.smart.raid_cache_s, 600);
	assert_int_equal(c.smart.timeout_s, 10);
	parse_ok("[smart]\nraid_cache = 0\ntimeout = 3\n", &c);
	assert_int_equal(c.smart.raid_cache_s, 0);
	assert_int_equal(c.smart.timeout_s, 3);
	parse_ok("[smart]\nraid_cache = 86400\ntimeout = 120\n", &c);
	assert_int_equal(c.smart.raid_cache_s, 86400);
	assert_int_equal(c.smart.timeout_s, 120);
	assert_refused("[smart]\nraid_cache = 86401\n",
		       "/etc/kagent/kagent.conf:2: 'raid_cache' must be "
		       "seconds from 0 to 86400, not '86401'");
	assert_refused("[smart]\ntimeout = 0\n",
		       "/etc/kagent/kagent.conf:2: 'timeout' must be seconds "
		       "from 1 to 120, not '0'");
	assert_refused("[smart]\ntimeout = 10s\n",
		       "/etc/kagent/kagent.conf:2: 'timeout' must be seconds "
		       "from 1 to 120, not '10s'");
	assert_refused("[smart]\ndevices = /dev/sda\n",
		       "/etc/kagent/kagent.conf:2: unknown key 'devices' in "
		       "[smart] (valid: raid_cache, timeout)");
}

/* [check]: skip lists accumulate, once each; the unknown policy. */
static void test_check_section(void **state)
{
	char text[4096];
	struct conf c;
	size_t n, i;

	(void)state;
	parse_ok("[host]\nroles = kafka\n", &c);
	assert_int_equal(c.check.n_skip, 0);
	assert_int_equal(c.check.unknown, CONF_UNKNOWN_OK);
	parse_ok("[check]\nskip = os.clock, disk.health\tboard.sensors\n"
		 "skip = os.clock,kafka.logdirs.ebs\nunknown = warning\n",
		 &c);
	assert_int_equal(c.check.n_skip, 4);
	assert_string_equal(c.check.skip[0], "os.clock");
	assert_string_equal(c.check.skip[1], "disk.health");
	assert_string_equal(c.check.skip[2], "board.sensors");
	assert_string_equal(c.check.skip[3], "kafka.logdirs.ebs");
	assert_int_equal(c.check.unknown, CONF_UNKNOWN_WARNING);
	parse_ok("[check]\nunknown = unknown\n", &c);
	assert_int_equal(c.check.unknown, CONF_UNKNOWN_UNKNOWN);
	assert_refused("[check]\nunknown = critical\n",
		       "/etc/kagent/kagent.conf:2: bad unknown 'critical' (ok, "
		       "warning or unknown)");
	assert_refused(
	    "[check]\nskip = os.clock, OS/clock\n",
	    "/etc/kagent/kagent.conf:2: bad check id 'OS/clock' in "
	    "'skip' (ids such as os.clock, see kagent check --list)");
	assert_refused("[check]\nverbose = yes\n",
		       "/etc/kagent/kagent.conf:2: unknown key 'verbose' in "
		       "[check] (valid: skip, unknown)");
	/* CONF_SKIP_MAX ids, then one more. */
	n = (size_t)snprintf(text, sizeof text, "[check]\nskip =");
	for (i = 0; i < CONF_SKIP_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, " c%zu", i);
	snprintf(text + n, sizeof text - n, "\n");
	parse_ok(text, &c);
	assert_int_equal(c.check.n_skip, CONF_SKIP_MAX);
	snprintf(text + n, sizeof text - n, " c99\n");
	assert_refused(text, "/etc/kagent/kagent.conf:2: 'skip' names more "
			     "than 32 checks");
}

static void test_syntax_error(void **state)
{
	(void)state;
	assert_refused("[host]\nroles kafka\n",
		       "/etc/kagent/kagent.conf:2: syntax error");
	assert_refused("[host\nroles = kafka\n",
		       "/etc/kagent/kagent.conf:1: syntax error");
}

/* inih reads on after an error; the first one is reported, with its own
 * line and its own message. */
static void test_first_error_is_reported(void **state)
{
	(void)state;
	assert_refused("[host]\nroles = kafka\nbogus = 1\n\ncritical = maybe\n",
		       "/etc/kagent/kagent.conf:3: unknown key 'bogus' in "
		       "[host] (valid: roles, cluster, rack, rack_pattern, lldp_socket, zone, critical, "
		       "or a threshold such as os.swappiness.warn_above)");
	assert_refused("[host]\nroles kafka\nbogus = 1\n",
		       "/etc/kagent/kagent.conf:2: syntax error");
}

/* inih's line buffer is 200 bytes: a longer line is refused, not split
 * into two. */
static void test_overlong_line_is_refused(void **state)
{
	char text[512];

	(void)state;
	snprintf(text, sizeof text,
		 "[kafka]\nhome = /opt/kafka\nconfig = /%0*d\n", 250, 0);
	assert_refused(text,
		       "/etc/kagent/kagent.conf:3: line longer than 198 bytes");
}

static void test_comments_and_blanks(void **state)
{
	struct conf c;

	(void)state;
	parse_ok("# comment\n; comment\n\n[host]\n  roles = kafka  \nrack = r1 "
		 "; where\n",
		 &c);
	assert_int_equal(c.roles, CORE_ROLE_KAFKA);
	assert_string_equal(c.rack, "r1");
}

static void test_load_missing_file_names_it(void **state)
{
	struct conf c;
	char err[512];

	(void)state;
	assert_int_equal(
	    conf_load(FIXTURES "/no-such-dir/kagent.conf", &c, err, sizeof err),
	    -ENOENT);
	assert_string_equal(
	    err,
	    FIXTURES "/no-such-dir/kagent.conf: No such file or directory");
}

static void test_load_fixture_host(void **state)
{
	struct conf c;
	char err[512] = "";

	(void)state;
	conf_defaults(&c);
	assert_int_equal(conf_load(FIXTURES
				   "/check-sec-scram-0.10.2/kagent.conf",
				   &c, err, sizeof err),
			 0);
	assert_int_equal(c.roles, CORE_ROLE_KAFKA);
	assert_string_equal(c.cluster, "events");
	assert_string_equal(c.rack, "r1");
	assert_string_equal(c.kafka_config, "/etc/kafka/server.properties");
	assert_string_equal(c.kafka_home, "/opt/kafka");
	assert_string_equal(c.kafka_jaas, "/etc/kafka/kafka_server_jaas.conf");
	assert_int_equal(c.th.kafka_memory_warn_below, 32 * GiB);
}

/* A reload keeps what needs a restart, and names it. */
static void test_reload_keeps_restart_keys_and_names_them(void **state)
{
	struct conf run, next;
	char keys[256];

	(void)state;
	parse_ok("[host]\nroles = kafka\nrack = r1\n[kafka]\nconfig = "
		 "/opt/kafka/server.properties\n[agent]\nuser = kagent\n"
		 "spool = /var/lib/kagent/spool\ninterval = 60\n"
		 "collector = a:1\ninsecure = yes\n",
		 &run);
	parse_ok("[host]\nroles = kafka,zookeeper\nrack = r2\n[kafka]\n"
		 "config = /srv/kafka/server.properties\n[agent]\nuser = "
		 "nobody\nspool = /var/lib/kagent/spool\ninterval = 5\n"
		 "prober_timeout = 30\ncollector = b:2\ninsecure = yes\n",
		 &next);
	assert_int_equal(conf_restart_keep(&run, &next, keys, sizeof keys), 3);
	assert_string_equal(keys,
			    "agent.user, agent.prober_timeout, kafka.config");
	/* The running values are back; the rest is the new file's. */
	assert_string_equal(next.agent.user, "kagent");
	assert_int_equal(next.agent.prober_timeout_s,
			 run.agent.prober_timeout_s);
	assert_string_equal(next.kafka_config, "/opt/kafka/server.properties");
	assert_string_equal(next.rack, "r2");
	assert_int_equal(next.agent.interval_s, 5);
	assert_int_equal(next.roles, CORE_ROLE_KAFKA | CORE_ROLE_ZOOKEEPER);
	assert_string_equal(next.agent.collectors[0], "b:2");
}

static void test_reload_of_the_same_file_keeps_nothing(void **state)
{
	static const char text[] = "[host]\nroles = zookeeper\n[agent]\n"
				   "root = /srv/root\nhost_id = zk-1\n";
	struct conf run, next;
	char keys[8] = "x";

	(void)state;
	parse_ok(text, &run);
	parse_ok(text, &next);
	assert_int_equal(conf_restart_keep(&run, &next, keys, sizeof keys), 0);
	assert_string_equal(keys, "");
}

/* An emptied collector list is kept, a list replaced is not. */
static void test_reload_never_empties_the_collector_list(void **state)
{
	struct conf run, next;
	char keys[10];

	(void)state;
	parse_ok("[agent]\ncollector = a:1, b:2\nhost_id = h\n", &run);
	parse_ok("[agent]\nhost_id = other\n", &next);
	/* Cut to the buffer, still counted. */
	assert_int_equal(conf_restart_keep(&run, &next, keys, sizeof keys), 2);
	assert_string_equal(keys, "agent.hos");
	assert_int_equal(next.agent.n_collectors, 2);
	assert_string_equal(next.agent.collectors[1], "b:2");
	assert_string_equal(next.agent.collector, "a:1, b:2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_are_the_notes_numbers),
	    cmocka_unit_test(test_every_key_is_read),
	    cmocka_unit_test(test_every_threshold_of_the_table_is_settable),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_critical_takes_yes_no_true_false_1_0),
	    cmocka_unit_test(test_unknown_key_names_file_line_and_valid_keys),
	    cmocka_unit_test(test_threshold_in_wrong_section_is_unknown),
	    cmocka_unit_test(test_unknown_section),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_collector_address_rules),
	    cmocka_unit_test(test_prober_timeout),
	    cmocka_unit_test(test_smart_section),
	    cmocka_unit_test(test_check_section),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_first_error_is_reported),
	    cmocka_unit_test(test_overlong_line_is_refused),
	    cmocka_unit_test(test_comments_and_blanks),
	    cmocka_unit_test(test_load_missing_file_names_it),
	    cmocka_unit_test(test_load_fixture_host),
	    cmocka_unit_test(test_reload_keeps_restart_keys_and_names_them),
	    cmocka_unit_test(test_reload_of_the_same_file_keeps_nothing),
	    cmocka_unit_test(test_reload_never_empties_the_collector_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
