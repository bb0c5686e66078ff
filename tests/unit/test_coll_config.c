/* kcollectord's configuration file reads through the same INI reader as
 * kagent.conf: bounded, long lines refused, the first error's own line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "collector.h"

static void write_conf(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/kcollectord-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void load_fails_with(const char *text, const char *want_tail)
{
	struct coll_config cfg;
	char path[64], err[512], want[600];

	write_conf(path, sizeof path, text);
	coll_config_defaults(&cfg);
	assert_int_equal(coll_config_load(path, &cfg, err, sizeof err), -EINVAL);
	snprintf(want, sizeof want, "%s:%s", path, want_tail);
	assert_string_equal(err, want);
	unlink(path);
}

static void test_collector_config_keys_are_read(void **state)
{
	struct coll_config cfg;
	char path[64], err[512];

	(void)state;
	write_conf(path, sizeof path,
		   "[collector]\nlisten = 127.0.0.1:7171\nacl = /etc/acl\n"
		   "insecure = yes\n");
	coll_config_defaults(&cfg);
	assert_int_equal(coll_config_load(path, &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:7171");
	assert_string_equal(cfg.http, "127.0.0.1:8080");
	assert_string_equal(cfg.acl, "/etc/acl");
	assert_true(cfg.insecure);
	unlink(path);
}

/* The flood limits and the user: documented defaults, then the file's. */
static void test_collector_config_limits_defaults_and_keys(void **state)
{
	struct coll_config cfg;
	char path[64], err[512];

	(void)state;
	coll_config_defaults(&cfg);
	assert_string_equal(cfg.user, "kagent-collector");
	assert_int_equal(cfg.handshake_timeout_ms, 5000);
	assert_int_equal(cfg.http_timeout_ms, 10000);
	assert_int_equal(cfg.max_pending, 256);
	assert_int_equal(cfg.max_pending_per_address, 32);
	assert_int_equal(cfg.max_partial_bytes, 64 << 20);
	assert_int_equal(cfg.max_partial_bytes_per_identity, 4 << 20);
	write_conf(path, sizeof path,
		   "[collector]\nuser = nobody\nhandshake_timeout = 3\n"
		   "http_timeout = 7\nmax_pending = 100\n"
		   "max_pending_per_address = 4\nmax_partial_bytes = 16MiB\n"
		   "max_partial_bytes_per_identity = 2MiB\n");
	assert_int_equal(coll_config_load(path, &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.user, "nobody");
	assert_int_equal(cfg.handshake_timeout_ms, 3000);
	assert_int_equal(cfg.http_timeout_ms, 7000);
	assert_int_equal(cfg.max_pending, 100);
	assert_int_equal(cfg.max_pending_per_address, 4);
	assert_int_equal(cfg.max_partial_bytes, 16 << 20);
	assert_int_equal(cfg.max_partial_bytes_per_identity, 2 << 20);
	unlink(path);
}

/* Below one whole frame no agent could report; 0 s would close every
 * connection at once. */
static void test_collector_config_limits_out_of_range(void **state)
{
	(void)state;
	load_fails_with("[collector]\nmax_partial_bytes_per_identity = 64KiB\n",
			"2: 'max_partial_bytes_per_identity' must be a size "
			"(such as 4MiB) from 1048576 to 1099511627776, not "
			"'64KiB'");
	load_fails_with("[collector]\nhandshake_timeout = 0\n",
			"2: 'handshake_timeout' must be whole seconds from 1 "
			"to 3600, not '0'");
	load_fails_with("[collector]\nmax_pending = lots\n",
			"2: 'max_pending' must be a count from 1 to 1000000, "
			"not 'lots'");
}

/* listen and http follow proto_hostport_parse's rules, as kagent.conf's
 * collector = does; a listener binds an address, never a name. */
static void test_collector_config_address_rules(void **state)
{
	(void)state;
	load_fails_with("[collector]\nlisten = 127.0.0.1:0\n",
			"2: 'listen': '127.0.0.1:0': port is not a number "
			"from 1 to 65535");
	load_fails_with("[collector]\nhttp = ::1:7001\n",
			"2: 'http': '::1:7001': an IPv6 address goes in "
			"brackets: [ADDRESS]:PORT");
	load_fails_with("[collector]\nlisten = localhost:7000\n",
			"2: 'listen': 'localhost:7000': host is a name; an "
			"address is needed here");
}

static void test_collector_config_long_line_is_refused_not_split(void **state)
{
	char text[400];

	(void)state;
	snprintf(text, sizeof text, "[collector]\nacl = /%0250d\n", 0);
	load_fails_with(text, "2: line longer than 198 bytes");
}

static void test_collector_config_first_error_wins(void **state)
{
	(void)state;
	load_fails_with("[collector]\nbogus = 1\ninsecure = maybe\n",
			"2: unknown key 'bogus' in [collector] (valid: listen, "
			"http, db, tls_ca, tls_cert, tls_key, acl, insecure, "
			"user, handshake_timeout, http_timeout, "
			"max_pending[_per_address], "
			"max_partial_bytes[_per_identity])");
}

static void test_collector_reload_keeps_what_needs_a_restart(void **state)
{
	struct coll_config run, next;
	char keys[64];

	(void)state;
	coll_config_defaults(&run);
	coll_config_defaults(&next);
	snprintf(next.listen, sizeof next.listen, "127.0.0.1:7171");
	snprintf(next.user, sizeof next.user, "nobody");
	next.insecure = true;
	next.max_pending = 4;
	assert_int_equal(
	    coll_config_restart_keep(&run, &next, keys, sizeof keys), 3);
	assert_string_equal(keys, "listen, user, insecure");
	assert_string_equal(next.listen, "0.0.0.0:7070");
	assert_string_equal(next.user, "kagent-collector");
	assert_false(next.insecure);
	assert_int_equal(next.max_pending, 4);
}

static void test_collector_limits_diff_as_written(void **state)
{
	struct coll_config was, now;
	char out[256];

	(void)state;
	coll_config_defaults(&was);
	now = was;
	assert_int_equal(coll_config_limits_diff(&was, &now, out, sizeof out),
			 0);
	assert_string_equal(out, "");
	now.http_timeout_ms = 3000;
	now.max_pending_per_address = 2;
	now.max_partial_bytes = UINT64_C(1) << 20;
	assert_int_equal(coll_config_limits_diff(&was, &now, out, sizeof out),
			 3);
	assert_string_equal(out, "http_timeout 10 -> 3, "
				 "max_pending_per_address 32 -> 2, "
				 "max_partial_bytes 67108864 -> 1048576");
}

/* [fleet]: the fleet checks' thresholds, their defaults and their keys,
 * named after the check as kagent.conf names kagentd's. */
static void test_collector_fleet_thresholds_defaults_and_keys(void **state)
{
	struct coll_config cfg;
	char path[64], err[512];

	(void)state;
	coll_config_defaults(&cfg);
	assert_int_equal(cfg.fleet.skew_below_pct, 50);
	assert_int_equal(cfg.fleet.kafka_min_brokers, 3);
	write_conf(path, sizeof path,
		   "[fleet]\nkafka.cluster.partition_skew.warn_below = 80%\n"
		   "kafka.cluster.size.fail_below = 5\n[collector]\n"
		   "insecure = yes\n");
	assert_int_equal(coll_config_load(path, &cfg, err, sizeof err), 0);
	assert_int_equal(cfg.fleet.skew_below_pct, 80);
	assert_int_equal(cfg.fleet.kafka_min_brokers, 5);
	assert_true(cfg.insecure);
	unlink(path);
	write_conf(path, sizeof path,
		   "[fleet]\nkafka.cluster.partition_skew.warn_below = 0\n");
	assert_int_equal(coll_config_load(path, &cfg, err, sizeof err), 0);
	assert_int_equal(cfg.fleet.skew_below_pct, 0);
	unlink(path);
}

/* Out of range, not a number, or a key that is no threshold: the file
 * and the line, the key and what it takes. */
static void test_collector_fleet_thresholds_refused(void **state)
{
	(void)state;
	load_fails_with("[fleet]\nkafka.cluster.partition_skew.warn_below = "
			"101\n",
			"2: 'kafka.cluster.partition_skew.warn_below' must be "
			"a percentage of the median from 0 to 100, not '101'");
	load_fails_with("[collector]\ninsecure = yes\n[fleet]\n"
			"kafka.cluster.partition_skew.warn_below = -1%\n",
			"4: 'kafka.cluster.partition_skew.warn_below' must be "
			"a percentage of the median from 0 to 100, not '-1'");
	load_fails_with("[fleet]\nkafka.cluster.size.fail_below = 0\n",
			"2: 'kafka.cluster.size.fail_below' must be a count "
			"of brokers from 1 to 1000, not '0'");
	load_fails_with("[fleet]\nkafka.cluster.size.fail_below = 3%\n",
			"2: 'kafka.cluster.size.fail_below' must be a count "
			"of brokers from 1 to 1000, not '3%'");
	load_fails_with("[fleet]\nkafka.cluster.skew = 10\n",
			"2: unknown key 'kafka.cluster.skew' in [fleet] "
			"(valid: kafka.cluster.partition_skew.warn_below, "
			"kafka.cluster.size.fail_below)");
	load_fails_with("[thresholds]\nx = 1\n",
			"2: unknown section [thresholds] (valid: collector, "
			"fleet)");
}

/* A reload keeps no threshold: they need no restart, and the log names
 * the ones that changed. */
static void test_collector_fleet_thresholds_reload(void **state)
{
	struct coll_config run, next;
	char keys[64], out[256];

	(void)state;
	coll_config_defaults(&run);
	next = run;
	next.fleet.skew_below_pct = 90;
	next.fleet.kafka_min_brokers = 4;
	assert_int_equal(
	    coll_config_restart_keep(&run, &next, keys, sizeof keys), 0);
	assert_int_equal(next.fleet.skew_below_pct, 90);
	assert_int_equal(coll_config_fleet_diff(&run, &next, out, sizeof out),
			 2);
	assert_string_equal(out,
			    "kafka.cluster.partition_skew.warn_below 50 -> 90, "
			    "kafka.cluster.size.fail_below 3 -> 4");
	assert_int_equal(coll_config_fleet_diff(&run, &run, out, sizeof out),
			 0);
	assert_string_equal(out, "");
}

/* The thresholds reach the judgement: kafka.cluster.size on three
 * brokers passes at the default and fails at fail_below = 4. */
static void test_collector_fleet_thresholds_change_verdicts(void **state)
{
	struct coll_host hosts[3];
	struct coll_config cfg;
	struct check_results r = {0};
	size_t i;

	(void)state;
	memset(hosts, 0, sizeof hosts);
	for (i = 0; i < 3; i++) {
		snprintf(hosts[i].host_id, sizeof hosts[i].host_id, "kafka%zu",
			 i + 1);
		snprintf(hosts[i].cluster, sizeof hosts[i].cluster, "c1");
		hosts[i].roles = CORE_ROLE_KAFKA;
	}
	coll_config_defaults(&cfg);
	assert_int_equal(
	    coll_fleet_judge_with("c1", hosts, 3, false, &cfg.fleet, &r), 0);
	for (i = 0; i < r.n && strcmp(r.v[i].id, "kafka.cluster.size"); i++)
		;
	assert_true(i < r.n);
	assert_int_equal(r.v[i].sev, SEV_PASS);
	assert_string_equal(r.v[i].required, "at least 3");
	assert_string_equal(r.v[i].message,
			    "3 brokers: replication factor 3 fits");
	check_results_free(&r);
	memset(&r, 0, sizeof r);
	cfg.fleet.kafka_min_brokers = 4;
	assert_int_equal(
	    coll_fleet_judge_with("c1", hosts, 3, false, &cfg.fleet, &r), 0);
	for (i = 0; i < r.n && strcmp(r.v[i].id, "kafka.cluster.size"); i++)
		;
	assert_true(i < r.n);
	assert_int_equal(r.v[i].sev, SEV_FAIL);
	assert_string_equal(r.v[i].measured, "3 brokers");
	assert_string_equal(r.v[i].required, "at least 4");
	assert_string_equal(r.v[i].message,
			    "3 brokers: replication factor 4 needs 4 brokers");
	check_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collector_config_keys_are_read),
		cmocka_unit_test(test_collector_config_limits_defaults_and_keys),
		cmocka_unit_test(test_collector_config_limits_out_of_range),
		cmocka_unit_test(test_collector_config_address_rules),
		cmocka_unit_test(test_collector_config_long_line_is_refused_not_split),
		cmocka_unit_test(test_collector_config_first_error_wins),
		cmocka_unit_test(test_collector_reload_keeps_what_needs_a_restart),
		cmocka_unit_test(test_collector_limits_diff_as_written),
		cmocka_unit_test(test_collector_fleet_thresholds_defaults_and_keys),
		cmocka_unit_test(test_collector_fleet_thresholds_refused),
		cmocka_unit_test(test_collector_fleet_thresholds_reload),
		cmocka_unit_test(test_collector_fleet_thresholds_change_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
