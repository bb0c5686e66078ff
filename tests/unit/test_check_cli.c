/* `kagent check` as Nagios runs it: exit status 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN on the fixture hosts, the exact status line with
 * its perfdata, --role over the configured roles, --skip and skip in
 * [check], the unknown policy, -t's range, errors in flags and
 * configuration as an UNKNOWN status line on stdout (where a monitoring
 * server reads), the JSON document's shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_host.h"

static const char *const stores[] = {
    "etc/kafka/secrets/kafka01.keystore.jks",
    "etc/kafka/secrets/kafka.truststore.jks",
};

/* Runs the staged host with keystore modes set; returns the exit code. */
static int run_host(const char *name, mode_t keystore, const char *conf,
		    const char *extra, json_t **doc)
{
	struct staged s;
	int rc;

	assert_int_equal(host_stage(name, &s), 0);
	assert_int_equal(host_chmod(&s, stores[0], keystore), 0);
	host_chmod(&s, stores[1], 0600);
	*doc = host_check(s.root, conf, extra, &rc);
	host_unstage(&s);
	assert_non_null(*doc);
	return rc;
}

static void assert_verdict(json_t *doc, const char *verdict)
{
	assert_string_equal(json_string_value(json_object_get(doc, "verdict")),
			    verdict);
}

static void test_good_broker_exits_0(void **state)
{
	json_t *doc;

	(void)state;
	assert_int_equal(run_host("check-sec-good", 0600, NULL, NULL, &doc), 0);
	assert_verdict(doc, "pass");
	json_decref(doc);
}

static void test_warning_exits_1(void **state)
{
	json_t *doc;

	(void)state;
	assert_int_equal(
	    run_host("check-sec-no-authorizer", 0600, NULL, NULL, &doc), 1);
	assert_verdict(doc, "warn");
	json_decref(doc);
}

static void test_critical_exits_2(void **state)
{
	json_t *doc;

	(void)state;
	assert_int_equal(run_host("check-sec-good", 0644, NULL, NULL, &doc), 2);
	assert_verdict(doc, "fail");
	json_decref(doc);
}

/* Only an unknown (the truststore is missing): OK by default, since a
 * check that cannot judge is no finding; WARNING or UNKNOWN as asked. */
static void test_unknown_policy(void **state)
{
	json_t *doc;

	(void)state;
	assert_int_equal(
	    run_host("check-sec-missing-truststore", 0600, NULL, NULL, &doc),
	    0);
	assert_verdict(doc, "unknown");
	assert_string_equal(host_field(doc, "state"), "OK");
	assert_string_equal(host_field(doc, "unknown_policy"), "ok");
	json_decref(doc);
	assert_int_equal(run_host("check-sec-missing-truststore", 0600, NULL,
				  "--unknown=warning", &doc),
			 1);
	assert_string_equal(host_field(doc, "state"), "WARNING");
	json_decref(doc);
	assert_int_equal(run_host("check-sec-missing-truststore", 0600, NULL,
				  "--unknown unknown", &doc),
			 3);
	assert_string_equal(host_field(doc, "state"), "UNKNOWN");
	assert_string_equal(host_field(doc, "unknown_policy"), "unknown");
	json_decref(doc);
	/* unknown = warning in [check], and --unknown over it. */
	assert_int_equal(run_host("check-sec-missing-truststore", 0600,
				  "kagent-unknown-warning.conf", NULL, &doc),
			 1);
	json_decref(doc);
	assert_int_equal(run_host("check-sec-missing-truststore", 0600,
				  "kagent-unknown-warning.conf", "--unknown ok",
				  &doc),
			 0);
	json_decref(doc);
}

/* The plugin's first line, exact: state, counts, what did not pass, and
 * the perfdata of the host (224 GiB installed per SMBIOS, bond0 of two
 * 10 GbE ports, the storage tree's disks, two log dirs on sdc+sdd and
 * sda). */
static const char perf_broker[] =
    " | memory=240518168576B;34359738368:;8589934592:;0 cpu.cores=24;8:;;0 "
    "nic.bond0.speed_mbps=20000;;10000:;0 nic.eno1.speed_mbps=10000;;;0 "
    "nic.eno2.speed_mbps=10000;;;0 nic.eno3.speed_mbps=1000;;;0 "
    "disk.nvme0n1.size=512110190592B;;;0 disk.sda.size=4000787030016B;;;0 "
    "disk.sdb.size=480103981056B;;;0 disk.sdc.size=1920383410176B;;;0 "
    "disk.sdd.size=1920383410176B;;;0 "
    "kafka.logdirs.capacity=7841553850368B;4000000000000:;;0\n";

static char *text_first_line(const char *name, mode_t keystore,
			     const char *extra, int *rc)
{
	char args[3 * PATH_MAX], *out = NULL, *nl;
	struct staged s;

	assert_int_equal(host_stage(name, &s), 0);
	assert_int_equal(host_chmod(&s, stores[0], keystore), 0);
	host_chmod(&s, stores[1], 0600);
	snprintf(args, sizeof args, "--config '%s/kagent.conf' --root '%s' %s",
		 s.root, s.root, extra ? extra : "");
	*rc = host_run(args, &out, NULL, 0);
	host_unstage(&s);
	assert_non_null(out);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	nl[1] = '\0';
	return out;
}

static void assert_line(const char *name, mode_t keystore, const char *extra,
			int want_rc, const char *want_text)
{
	char want[2048];
	char *line;
	int rc;

	line = text_first_line(name, keystore, extra, &rc);
	snprintf(want, sizeof want, "%s%s", want_text, perf_broker);
	assert_string_equal(line, want);
	assert_int_equal(rc, want_rc);
	free(line);
}

static void test_status_line_exact(void **state)
{
	(void)state;
	assert_line("check-sec-good", 0600, NULL, 0,
		    "KAGENT OK - 0 warn, 0 fail: all 30 checks pass");
	assert_line("check-sec-no-authorizer", 0600, NULL, 1,
		    "KAGENT WARNING - 1 warn, 0 fail: "
		    "kafka.security.authorizer none");
	assert_line("check-sec-no-authorizer", 0644, NULL, 2,
		    "KAGENT CRITICAL - 1 warn, 1 fail: "
		    "kafka.security.secret_files "
		    "/etc/kafka/secrets/kafka01.keystore.jks mode 0644, "
		    "kafka.security.authorizer none");
	assert_line("check-sec-missing-truststore", 0600, "--unknown unknown",
		    3,
		    "KAGENT UNKNOWN - 0 warn, 0 fail, 1 unknown: "
		    "kafka.security.secret_files "
		    "/etc/kafka/secrets/kafka.truststore.jks "
		    "/etc/kafka/secrets/kafka.truststore.jks named by...");
}

/* --skip, repeatable, and skip in [check]: the check does not run, is
 * listed as skipped and counts nowhere. */
static void test_skip(void **state)
{
	json_t *doc, *sk;

	(void)state;
	assert_int_equal(run_host("check-sec-no-authorizer", 0600, NULL,
				  "--skip kafka.security.authorizer --skip "
				  "os.clock --skip os.clock",
				  &doc),
			 0);
	assert_int_equal(host_count(doc, "kafka.security.authorizer"), 0);
	assert_int_equal(host_count(doc, "os.clock"), 0);
	sk = json_object_get(doc, "skipped");
	assert_int_equal(json_array_size(sk), 2);
	assert_string_equal(json_string_value(json_array_get(sk, 0)),
			    "kafka.security.authorizer");
	assert_string_equal(json_string_value(json_array_get(sk, 1)),
			    "os.clock");
	assert_string_equal(host_field(doc, "state"), "OK");
	json_decref(doc);
	/* A ZooKeeper check skipped on a broker is not listed: it would
	 * not have run. */
	assert_int_equal(run_host("check-sec-good", 0600, "kagent-skip.conf",
				  "--skip zookeeper.live", &doc),
			 0);
	sk = json_object_get(doc, "skipped");
	assert_int_equal(json_array_size(sk), 2);
	assert_string_equal(json_string_value(json_array_get(sk, 0)),
			    "os.swappiness");
	assert_string_equal(json_string_value(json_array_get(sk, 1)),
			    "disk.health");
	assert_int_equal(host_count(doc, "os.swappiness"), 0);
	assert_int_equal(host_count(doc, "disk.health"), 0);
	json_decref(doc);
	assert_line("check-sec-no-authorizer", 0600,
		    "--skip kafka.security.authorizer", 0,
		    "KAGENT OK - 0 warn, 0 fail: all 29 checks pass");
}

static void test_skip_unknown_id_exits_3(void **state)
{
	char err[1024], *out = NULL;

	(void)state;
	assert_int_equal(host_run("--skip os.clok", &out, err, sizeof err), 3);
	assert_string_equal(out, "KAGENT UNKNOWN - kagent check: --skip "
				 "'os.clok': no such check (kagent check "
				 "--list names them)\n");
	assert_string_equal(err, "");
	free(out);
	assert_int_equal(host_run("--role kafka --root " FIXTURES
				  "/check-sec-good --config " FIXTURES
				  "/check-sec-good/kagent-skip-bad.conf",
				  &out, err, sizeof err),
			 3);
	assert_string_equal(out, "KAGENT UNKNOWN - kagent check: " FIXTURES
				 "/check-sec-good/kagent-skip-bad.conf: "
				 "[check] skip: no check 'os.swapiness' "
				 "(kagent check --list names them)\n");
	free(out);
	assert_int_equal(host_run("--unknown maybe", &out, err, sizeof err), 3);
	assert_string_equal(out, "KAGENT UNKNOWN - kagent check: --unknown "
				 "'maybe': expected ok, warning or unknown\n");
	free(out);
}

/* -t takes whole seconds from 1 to 3600. */
static void test_timeout_range(void **state)
{
	static const char *const bad[] = {"-t 0", "-t 3601", "--timeout=x",
					  "-t 5s", "-t -1"};
	char err[1024], want[256], *out = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(host_run(bad[i], &out, err, sizeof err), 3);
		snprintf(want, sizeof want,
			 "KAGENT UNKNOWN - kagent check: -t/--timeout '%s': "
			 "expected whole seconds from 1 to 3600\n",
			 strchr(bad[i], '=') ? strchr(bad[i], '=') + 1
					     : bad[i] + 3);
		assert_string_equal(out, want);
		free(out);
	}
	assert_int_equal(host_run("-t 3600 --role zookeeper --root " FIXTURES
				  "/check-zk-ssd8g --config " FIXTURES
				  "/check-zk-ssd8g/kagent.conf",
				  &out, err, sizeof err),
			 2);
	free(out);
}

/* No role anywhere: the UNKNOWN line on stdout, nothing on stderr. */
static void test_no_role_on_stdout(void **state)
{
	char err[1024], *out = NULL;

	(void)state;
	assert_int_equal(
	    host_run("--config " FIXTURES
		     "/check-sec-good/kagent-norole.conf --root " FIXTURES
		     "/check-sec-good",
		     &out, err, sizeof err),
	    3);
	assert_string_equal(out, "KAGENT UNKNOWN - kagent check: no role: set "
				 "roles in [host] of " FIXTURES
				 "/check-sec-good/kagent-norole.conf or pass "
				 "--role\n");
	assert_string_equal(err, "");
	free(out);
}

/* fail outranks warn and unknown. */
static void test_fail_outranks_warn_and_unknown(void **state)
{
	json_t *doc;

	(void)state;
	/* keystore 0644 (fail), truststore missing (unknown) */
	assert_int_equal(
	    run_host("check-sec-missing-truststore", 0644, NULL, NULL, &doc),
	    2);
	json_decref(doc);
}

static void test_json_shape(void **state)
{
	json_t *doc, *checks, *c;
	size_t i;

	(void)state;
	run_host("check-sec-plaintext", 0600, NULL, NULL, &doc);
	assert_int_equal(json_object_size(doc), 6);
	assert_true(json_is_string(json_object_get(doc, "verdict")));
	checks = json_object_get(doc, "checks");
	assert_true(json_is_array(checks));
	assert_true(json_array_size(checks) > 0);
	json_array_foreach(checks, i, c)
	{
		json_t *inst = json_object_get(c, "instance");
		const char *sev = host_field(c, "severity");

		assert_int_equal(json_object_size(c), 8);
		/* Read now, not a kept probe: no age. */
		assert_true(json_is_null(json_object_get(c, "age_ms")));
		assert_non_null(host_field(c, "id"));
		assert_true(json_is_null(inst) || json_is_string(inst));
		assert_non_null(sev);
		assert_true(!strcmp(sev, "pass") || !strcmp(sev, "info") ||
			    !strcmp(sev, "unknown") || !strcmp(sev, "warn") ||
			    !strcmp(sev, "fail"));
		assert_non_null(host_field(c, "measured"));
		assert_non_null(host_field(c, "required"));
		assert_non_null(host_field(c, "message"));
	}
	c = host_result(doc, "kafka.security.encryption", "PLAINTEXT");
	assert_non_null(c);
	assert_string_equal(
	    host_field(c, "message"),
	    "PLAINTEXT sends records in clear text over the network; move "
	    "clients to an SSL or SASL_SSL listener");
	c = host_result(doc, "os.swappiness", NULL);
	assert_non_null(c);
	assert_true(json_is_null(json_object_get(c, "instance")));
	json_decref(doc);
}

/* Each measured figure also as a number in its unit, beside the text;
 * null where the measurement is no single number. */
static void assert_value(json_t *doc, const char *id, const char *inst,
			 const char *want)
{
	json_t *c = host_result(doc, id, inst);
	char *got;

	assert_non_null(c);
	got = json_dumps(json_object_get(c, "measured_value"),
			 JSON_COMPACT | JSON_ENCODE_ANY);
	assert_string_equal(got, want);
	free(got);
}

static void test_measured_values(void **state)
{
	json_t *doc;
	int rc;

	(void)state;
	doc = host_check(FIXTURES "/check-kafka-4x4tb", NULL, NULL, &rc);
	assert_non_null(doc);
	assert_value(doc, "kafka.cpu.cores", NULL, "{\"cores\":24}");
	assert_string_equal(
	    host_field(host_result(doc, "kafka.memory", NULL), "measured"),
	    "224.0 GiB installed");
	assert_value(doc, "kafka.memory", NULL, "{\"bytes\":240518168576}");
	assert_value(doc, "kafka.logdirs.capacity", NULL,
		     "{\"bytes\":16003148120064}");
	assert_value(doc, "kafka.logdirs.spread", NULL, "{\"disks\":4}");
	assert_value(doc, "kafka.nic.speed", "bond0", "{\"mbps\":20000}");
	assert_value(doc, "os.swappiness", NULL, "{\"number\":1}");
	assert_value(doc, "os.nofile", NULL, "{\"count\":100000}");
	assert_value(doc, "os.max_map_count", NULL, "{\"count\":262144}");
	/* A file system's type is no number. */
	assert_value(doc, "os.filesystem", "/data/1/kafka", "null");
	json_decref(doc);
	doc = host_check(FIXTURES "/check-zk-ssd8g", NULL, NULL, &rc);
	assert_non_null(doc);
	assert_string_equal(
	    host_field(host_result(doc, "zookeeper.memory", NULL), "measured"),
	    "7.8 GiB MemTotal");
	assert_value(doc, "zookeeper.memory", NULL, "{\"bytes\":8425341952}");
	assert_value(doc, "zookeeper.disk", "/var/lib/zookeeper",
		     "{\"bytes\":480103981056}");
	assert_value(doc, "zookeeper.nic.speed", "eno3", "{\"mbps\":1000}");
	/* Not running: no number. */
	assert_value(doc, "zookeeper.live", NULL, "null");
	json_decref(doc);
}

/* --role zookeeper on a host configured as a broker: no Kafka check runs,
 * the ZooKeeper ones say why they cannot judge. */
static void test_role_flag_overrides_configured_roles(void **state)
{
	json_t *doc;

	(void)state;
	run_host("check-sec-good", 0600, NULL, NULL, &doc);
	assert_int_equal(host_count(doc, "kafka.security.authorizer"), 1);
	assert_int_equal(host_count(doc, "os.nofile"), 1);
	json_decref(doc);
	run_host("check-sec-good", 0600, NULL, "--role zookeeper", &doc);
	assert_int_equal(host_count(doc, "kafka.security.authorizer"), 0);
	assert_int_equal(host_count(doc, "os.nofile"), 0);
	assert_int_equal(host_count(doc, "os.max_map_count"), 0);
	assert_int_equal(host_count(doc, "os.swappiness"), 1);
	assert_int_equal(host_count(doc, "os.clock"), 1);
	json_decref(doc);
}

static void test_missing_config_exits_3_naming_it(void **state)
{
	char err[1024], *out = NULL;

	(void)state;
	assert_int_equal(host_run("--config " FIXTURES
				  "/no-such/kagent.conf --root " FIXTURES
				  "/check-sec-good",
				  &out, err, sizeof err),
			 3);
	assert_string_equal(
	    out, "KAGENT UNKNOWN - kagent check: " FIXTURES
		 "/no-such/kagent.conf: No such file or directory\n");
	assert_string_equal(err, "");
	free(out);
}

static void test_bad_config_exits_3_with_line(void **state)
{
	char err[1024], *out = NULL;

	(void)state;
	/* The server.properties is no kagent.conf: its first key is refused. */
	assert_int_equal(
	    host_run(
		"--config " FIXTURES
		"/check-sec-good/etc/kafka/server.properties --root " FIXTURES
		"/check-sec-good",
		&out, err, sizeof err),
	    3);
	assert_non_null(strstr(out,
			       "KAGENT UNKNOWN - kagent check: " FIXTURES
			       "/check-sec-good/etc/kafka/server.properties:"));
	assert_non_null(strstr(out, ": unknown section [] (valid: host, kafka, "
				    "zookeeper, check, smart, agent)\n"));
	free(out);
}

static void test_unknown_flag_exits_3(void **state)
{
	char err[1024], *out = NULL;

	(void)state;
	assert_int_equal(host_run("--verbose", &out, err, sizeof err), 3);
	assert_string_equal(
	    out, "KAGENT UNKNOWN - kagent check: unknown or incomplete option "
		 "'--verbose'\n"
		 "usage: kagent check [--role zookeeper|kafka] [--config FILE] "
		 "[--root DIR] [--json]\n"
		 "                    [-t|--timeout SECONDS] [--skip ID]... "
		 "[--unknown ok|warning|unknown]\n"
		 "       kagent check --list\n");
	assert_string_equal(err, "");
	free(out);
	assert_int_equal(host_run("--role broker", &out, err, sizeof err), 3);
	assert_string_equal(out, "KAGENT UNKNOWN - kagent check: --role "
				 "'broker': expected zookeeper, kafka or "
				 "zookeeper,kafka\n");
	free(out);
	assert_int_equal(host_run("extra", &out, err, sizeof err), 3);
	assert_non_null(strstr(
	    out,
	    "KAGENT UNKNOWN - kagent check: unexpected argument 'extra'\n"));
	free(out);
}

static void test_root_without_tree_exits_3(void **state)
{
	char err[1024], *out = NULL;

	(void)state;
	assert_int_equal(host_run("--role kafka --config " FIXTURES
				  "/check-sec-good/kagent.conf --root " FIXTURES
				  "/no-such-root",
				  &out, err, sizeof err),
			 3);
	assert_string_equal(out, "KAGENT UNKNOWN - kagent check: " FIXTURES
				 "/no-such-root: No such file or directory\n");
	free(out);
}

/* --list names every check with its roles, one a line. */
static void test_list(void **state)
{
	char err[256], *out = NULL;

	(void)state;
	assert_int_equal(host_run("--list", &out, err, sizeof err), 0);
	assert_non_null(strstr(
	    out,
	    "kafka.security.secret_files      kafka            fail if a "
	    "keystore, truststore or JAAS file is readable by other users\n"));
	assert_non_null(
	    strstr(out, "os.clock                         every host       "));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_broker_exits_0),
	    cmocka_unit_test(test_warning_exits_1),
	    cmocka_unit_test(test_critical_exits_2),
	    cmocka_unit_test(test_unknown_policy),
	    cmocka_unit_test(test_status_line_exact),
	    cmocka_unit_test(test_skip),
	    cmocka_unit_test(test_skip_unknown_id_exits_3),
	    cmocka_unit_test(test_timeout_range),
	    cmocka_unit_test(test_no_role_on_stdout),
	    cmocka_unit_test(test_fail_outranks_warn_and_unknown),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_measured_values),
	    cmocka_unit_test(test_role_flag_overrides_configured_roles),
	    cmocka_unit_test(test_missing_config_exits_3_naming_it),
	    cmocka_unit_test(test_bad_config_exits_3_with_line),
	    cmocka_unit_test(test_unknown_flag_exits_3),
	    cmocka_unit_test(test_root_without_tree_exits_3),
	    cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
