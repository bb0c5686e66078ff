/* kafka.security.*: through `kagent check` on the fixture hosts of
 * tests/fixtures/check-sec-* (both sides of every rule), and directly on
 * facts built from server.properties text for the edges no host needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_host.h"
#include "checks.h"

#define FX	   FIXTURES "/"
#define ENC	   "kafka.security.encryption"
#define VER	   "kafka.security.sasl_version"
#define SEC	   "kafka.security.secret_files"
#define NOT_OTHERS "not readable by others"

/* `kagent check` on tests/fixtures/NAME, as committed. */
static json_t *run_fixture(const char *name, const char *conf)
{
	char root[PATH_MAX];
	json_t *doc;
	int rc;

	snprintf(root, sizeof root, FX "%s", name);
	doc = host_check(root, conf, NULL, &rc);
	assert_non_null(doc);
	assert_in_range(rc, 0, 3);
	return doc;
}

static void test_plaintext_on_every_address_warns(void **state)
{
	json_t *doc = run_fixture("check-sec-plaintext", NULL);

	(void)state;
	assert_int_equal(host_count(doc, ENC), 3);
	assert_result(doc, ENC, "PLAINTEXT", "warn", "PLAINTEXT on 0.0.0.0",
		      "SSL or SASL_SSL");
	assert_result(doc, ENC, "SASL_SSL", "pass", "SASL_SSL on 10.20.30.41",
		      "SSL or SASL_SSL");
	json_decref(doc);
}

static void test_plaintext_on_loopback_passes(void **state)
{
	json_t *doc = run_fixture("check-sec-plaintext", NULL);

	(void)state;
	assert_result(doc, ENC, "LOCAL", "pass", "PLAINTEXT on 127.0.0.1",
		      "SSL or SASL_SSL");
	json_decref(doc);
}

static void test_plain_over_sasl_plaintext_fails(void **state)
{
	json_t *doc = run_fixture("check-sec-plain-cleartext", NULL);

	(void)state;
	assert_result(doc, "kafka.security.plain_cleartext", "SASL_PLAINTEXT",
		      "fail", "PLAIN on SASL_PLAINTEXT",
		      "PLAIN on SASL_SSL only");
	assert_int_equal(host_count(doc, "kafka.security.plain_cleartext"), 1);
	assert_result(doc, ENC, "SASL_PLAINTEXT", "warn",
		      "SASL_PLAINTEXT on 10.20.30.41", "SSL or SASL_SSL");
	/* PLAIN alone: neither SCRAM nor Kerberos. */
	assert_result(doc, "kafka.security.scram", NULL, "info", "PLAIN",
		      "SCRAM or Kerberos");
	json_decref(doc);
}

static void test_scram_over_sasl_ssl_passes(void **state)
{
	json_t *doc = run_fixture("check-sec-good", NULL);

	(void)state;
	assert_result(doc, "kafka.security.plain_cleartext", NULL, "pass",
		      "no PLAIN on SASL_PLAINTEXT", "PLAIN on SASL_SSL only");
	assert_result(doc, "kafka.security.scram", NULL, "pass",
		      "SCRAM-SHA-512", "SCRAM or Kerberos");
	assert_result(doc, VER, "SASL_SSL SCRAM-SHA-512", "pass", "3.6.1",
		      ">= 0.10.2");
	assert_result(doc, "kafka.security.oauthbearer", NULL, "pass",
		      "OAUTHBEARER not enabled",
		      "a validator callback handler");
	json_decref(doc);
}

static void test_oauthbearer_unsecured_handler_fails(void **state)
{
	json_t *doc = run_fixture("check-sec-oauth-unsecured-2.8", NULL);

	(void)state;
	assert_result(doc, "kafka.security.oauthbearer", "SASL_SSL", "fail",
		      "unsecured built-in handler",
		      "a validator callback handler");
	/* OAUTHBEARER itself is older than 2.8. */
	assert_result(doc, VER, "SASL_SSL OAUTHBEARER", "pass", "2.8.2",
		      ">= 2.0.0");
	json_decref(doc);
}

static void test_oidc_on_2_8_fails(void **state)
{
	json_t *doc = run_fixture("check-sec-oidc-2.8", NULL);

	(void)state;
	assert_result(doc, VER, "SASL_SSL OAUTHBEARER", "fail", "2.8.2",
		      ">= 3.1.0 (OIDC)");
	assert_result(doc, "kafka.security.oauthbearer", "SASL_SSL", "pass",
		      "OAuthBearerValidatorCallbackHandler",
		      "a validator callback handler");
	json_decref(doc);
}

static void test_oidc_on_3_1_passes(void **state)
{
	json_t *doc = run_fixture("check-sec-oidc-3.1", NULL);

	(void)state;
	assert_result(doc, VER, "SASL_SSL OAUTHBEARER", "pass", "3.1.0",
		      ">= 3.1.0 (OIDC)");
	json_decref(doc);
}

static void test_scram_on_0_10_1_fails(void **state)
{
	json_t *doc = run_fixture("check-sec-scram-0.10.1", NULL);

	(void)state;
	assert_result(doc, VER, "SASL_SSL SCRAM-SHA-256", "fail", "0.10.1.1",
		      ">= 0.10.2");
	json_decref(doc);
}

static void test_scram_on_0_10_2_passes(void **state)
{
	json_t *doc = run_fixture("check-sec-scram-0.10.2", NULL);

	(void)state;
	assert_result(doc, VER, "SASL_SSL SCRAM-SHA-256", "pass", "0.10.2.0",
		      ">= 0.10.2");
	json_decref(doc);
}

static void test_no_authorizer_warns(void **state)
{
	json_t *doc = run_fixture("check-sec-no-authorizer", NULL);

	(void)state;
	assert_result(doc, "kafka.security.authorizer", NULL, "warn", "none",
		      "authorizer.class.name set");
	json_decref(doc);
}

static void test_authorizer_set_passes(void **state)
{
	json_t *doc = run_fixture("check-sec-good", NULL);

	(void)state;
	assert_result(doc, "kafka.security.authorizer", NULL, "pass",
		      "kafka.security.authorizer.AclAuthorizer",
		      "authorizer.class.name set");
	assert_result(doc, "kafka.security.allow_everyone", NULL, "pass",
		      "false", "false");
	json_decref(doc);
}

static void test_allow_everyone_warns(void **state)
{
	json_t *doc = run_fixture("check-sec-allow-everyone", NULL);

	(void)state;
	assert_result(doc, "kafka.security.allow_everyone", NULL, "warn",
		      "true", "false");
	json_decref(doc);
}

/* Modes are set in a staged copy: git does not keep them. */
static json_t *run_staged(const char *name, const char *conf,
			  const char *const *files, const mode_t *modes,
			  size_t n, int *rc)
{
	struct staged s;
	json_t *doc;
	size_t i;

	assert_int_equal(host_stage(name, &s), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(host_chmod(&s, files[i], modes[i]), 0);
	doc = host_check(s.root, conf, NULL, rc);
	host_unstage(&s);
	assert_non_null(doc);
	return doc;
}

static const char *const stores[] = {
    "etc/kafka/secrets/kafka01.keystore.jks",
    "etc/kafka/secrets/kafka.truststore.jks",
};

static void test_world_readable_keystore_fails(void **state)
{
	static const mode_t modes[] = {0644, 0600};
	json_t *doc;
	int rc;

	(void)state;
	doc = run_staged("check-sec-good", NULL, stores, modes, 2, &rc);
	assert_result(doc, SEC, "/etc/kafka/secrets/kafka01.keystore.jks",
		      "fail", "mode 0644", NOT_OTHERS);
	assert_result(doc, SEC, "/etc/kafka/secrets/kafka.truststore.jks",
		      "pass", "mode 0600", NOT_OTHERS);
	assert_int_equal(host_count(doc, SEC), 2);
	json_decref(doc);
}

static void test_group_readable_keystore_passes(void **state)
{
	static const mode_t modes[] = {0600, 0640};
	json_t *doc;
	int rc;

	(void)state;
	doc = run_staged("check-sec-good", NULL, stores, modes, 2, &rc);
	assert_result(doc, SEC, "/etc/kafka/secrets/kafka01.keystore.jks",
		      "pass", "mode 0600", NOT_OTHERS);
	assert_result(doc, SEC, "/etc/kafka/secrets/kafka.truststore.jks",
		      "pass", "mode 0640", NOT_OTHERS);
	json_decref(doc);
}

static void test_missing_truststore_is_unknown_naming_it(void **state)
{
	static const mode_t modes[] = {0600};
	json_t *doc, *c;
	int rc;

	(void)state;
	doc = run_staged("check-sec-missing-truststore", NULL, stores, modes, 1,
			 &rc);
	assert_result(doc, SEC, "/etc/kafka/secrets/kafka.truststore.jks",
		      "unknown", "", NOT_OTHERS);
	c = host_result(doc, SEC, "/etc/kafka/secrets/kafka.truststore.jks");
	assert_string_equal(
	    host_field(c, "message"),
	    "/etc/kafka/secrets/kafka.truststore.jks named by "
	    "ssl.truststore.location: No such file or directory");
	json_decref(doc);
}

static void test_world_readable_jaas_file_fails(void **state)
{
	static const char *const files[] = {
	    "etc/kafka/secrets/kafka01.keystore.jks",
	    "etc/kafka/secrets/kafka.truststore.jks",
	    "etc/kafka/kafka_server_jaas.conf",
	};
	static const mode_t bad[] = {0600, 0600, 0644};
	static const mode_t good[] = {0600, 0600, 0640};
	json_t *doc;
	int rc;

	(void)state;
	doc = run_staged("check-sec-scram-0.10.2", NULL, files, bad, 3, &rc);
	assert_result(doc, SEC, "/etc/kafka/kafka_server_jaas.conf", "fail",
		      "mode 0644", NOT_OTHERS);
	json_decref(doc);
	doc = run_staged("check-sec-scram-0.10.2", NULL, files, good, 3, &rc);
	assert_result(doc, SEC, "/etc/kafka/kafka_server_jaas.conf", "pass",
		      "mode 0640", NOT_OTHERS);
	json_decref(doc);
}

static void test_jaas_file_not_named_is_unknown(void **state)
{
	json_t *doc =
	    run_fixture("check-sec-scram-0.10.2", "kagent-nojaas.conf");

	(void)state;
	assert_result(doc, SEC, "JAAS file", "unknown", "", NOT_OTHERS);
	json_decref(doc);
}

/* ---- on facts directly ---- */

struct sec_state {
	struct facts f;
	struct check_results res;
};

static int sec_setup(void **state)
{
	struct sec_state *s = calloc(1, sizeof *s);

	if (s == NULL)
		return -1;
	conf_defaults(&s->f.conf);
	s->f.root = FX "check-base";
	*state = s;
	return 0;
}

static int sec_teardown(void **state)
{
	struct sec_state *s = *state;

	free(s->f.kafka);
	check_results_free(&s->res);
	free(s);
	return 0;
}

/* Facts from server.properties text and an installed version. */
static void facts_from(struct sec_state *s, const char *props,
		       const char *version)
{
	struct props p;
	struct props_err perr = {0};
	struct hw_err err = {{0}};

	s->f.kafka = calloc(1, sizeof *s->f.kafka);
	assert_non_null(s->f.kafka);
	assert_int_equal(props_parse(props, strlen(props), &p, &perr), 0);
	assert_int_equal(
	    kafka_config_parse(&p, "server.properties", s->f.kafka, &err), 0);
	props_free(&p);
	snprintf(s->f.kafka_install.version, sizeof s->f.kafka_install.version,
		 "%s", version);
}

static void run_group(struct sec_state *s)
{
	size_t i;

	for (i = 0; i < checks_kafka_security_len; i++)
		checks_kafka_security[i].run(&s->f, &s->res);
}

static const struct check_result *find(const struct sec_state *s,
				       const char *id, const char *instance)
{
	size_t i;

	for (i = 0; i < s->res.n; i++)
		if (strcmp(s->res.v[i].id, id) == 0 &&
		    strcmp(s->res.v[i].instance, instance) == 0)
			return &s->res.v[i];
	fail_msg("no result %s '%s'", id, instance);
	return NULL;
}

static void assert_sev(const struct sec_state *s, const char *id,
		       const char *instance, enum check_severity sev,
		       const char *measured, const char *required)
{
	const struct check_result *r = find(s, id, instance);

	assert_string_equal(check_severity_name(r->sev),
			    check_severity_name(sev));
	assert_string_equal(r->measured, measured);
	assert_string_equal(r->required, required);
}

static void test_missing_config_makes_every_check_unknown(void **state)
{
	struct sec_state *s = *state;
	size_t i;

	snprintf(s->f.kafka_error, sizeof s->f.kafka_error,
		 "no server.properties found (set [kafka] config)");
	run_group(s);
	assert_int_equal(s->res.n, checks_kafka_security_len);
	for (i = 0; i < s->res.n; i++) {
		assert_string_equal(s->res.v[i].id,
				    checks_kafka_security[i].id);
		assert_int_equal(s->res.v[i].sev, SEV_UNKNOWN);
		assert_string_equal(
		    s->res.v[i].message,
		    "no server.properties found (set [kafka] config)");
	}
}

/* Each mechanism on both sides of the release that brought it. */
static void test_mechanism_release_boundaries(void **state)
{
	static const struct {
		const char *mech, *below, *at, *req;
	} cases[] = {
	    {"GSSAPI", "0.8.2.2", "0.9.0.0", ">= 0.9.0"},
	    {"PLAIN", "0.9.0.1", "0.10.0.0", ">= 0.10.0"},
	    {"SCRAM-SHA-512", "0.10.1.1", "0.10.2.0", ">= 0.10.2"},
	    {"OAUTHBEARER", "1.1.1", "2.0.0", ">= 2.0.0"},
	};
	struct sec_state *s = *state;
	char props[256], inst[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(props, sizeof props,
			 "listeners=SASL_SSL://"
			 "10.20.30.41:9093\nsasl.enabled.mechanisms=%s\n",
			 cases[i].mech);
		snprintf(inst, sizeof inst, "SASL_SSL %s", cases[i].mech);
		facts_from(s, props, cases[i].below);
		run_group(s);
		assert_sev(s, VER, inst, SEV_FAIL, cases[i].below,
			   cases[i].req);
		check_results_free(&s->res);
		snprintf(s->f.kafka_install.version,
			 sizeof s->f.kafka_install.version, "%s", cases[i].at);
		run_group(s);
		assert_sev(s, VER, inst, SEV_PASS, cases[i].at, cases[i].req);
		check_results_free(&s->res);
		free(s->f.kafka);
		s->f.kafka = NULL;
	}
}

static void test_conflicting_jars_make_version_unknown(void **state)
{
	struct sec_state *s = *state;
	const struct check_result *r;

	facts_from(s,
		   "listeners=SASL_SSL://"
		   ":9093\nsasl.enabled.mechanisms=SCRAM-SHA-256\n",
		   "");
	s->f.kafka_install.conflict = true;
	s->f.kafka_install.n_versions = 2;
	strcpy(s->f.kafka_install.versions[0], "3.6.1");
	strcpy(s->f.kafka_install.versions[1], "3.7.0");
	run_group(s);
	assert_sev(s, VER, "SASL_SSL SCRAM-SHA-256", SEV_UNKNOWN, "",
		   ">= 0.10.2");
	r = find(s, VER, "SASL_SSL SCRAM-SHA-256");
	assert_string_equal(r->message,
			    "installed version unknown: libs/ holds jars of "
			    "several versions: 3.6.1, 3.7.0");
}

static void test_no_installation_makes_version_unknown(void **state)
{
	struct sec_state *s = *state;
	const struct check_result *r;

	facts_from(s, "listeners=SASL_SSL://:9093\n", "");
	snprintf(s->f.kafka_install_error, sizeof s->f.kafka_install_error,
		 "no Kafka installation found (set [kafka] home)");
	run_group(s);
	/* The default mechanism is GSSAPI. */
	r = find(s, VER, "SASL_SSL GSSAPI");
	assert_int_equal(r->sev, SEV_UNKNOWN);
	assert_string_equal(r->message,
			    "installed version unknown: no Kafka installation "
			    "found (set [kafka] home)");
	/* Kerberos counts as SCRAM's alternative. */
	assert_sev(s, "kafka.security.scram", "", SEV_PASS, "GSSAPI",
		   "SCRAM or Kerberos");
}

static void test_unknown_mechanism_is_unknown(void **state)
{
	struct sec_state *s = *state;

	facts_from(
	    s,
	    "listeners=SASL_SSL://:9093\nsasl.enabled.mechanisms=AWS_MSK_IAM\n",
	    "3.6.1");
	run_group(s);
	assert_sev(s, VER, "SASL_SSL AWS_MSK_IAM", SEV_UNKNOWN, "", "");
}

static void test_explicit_unsecured_validator_fails(void **state)
{
	struct sec_state *s = *state;

	facts_from(
	    s,
	    "listeners=SASL_SSL://:9093\nsasl.enabled.mechanisms=OAUTHBEARER\n"
	    "listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler."
	    "class="
	    "org.apache.kafka.common.security.oauthbearer.internals.unsecured."
	    "OAuthBearerUnsecuredValidatorCallbackHandler\n",
	    "3.6.1");
	run_group(s);
	assert_sev(s, "kafka.security.oauthbearer", "SASL_SSL", SEV_FAIL,
		   "unsecured built-in handler",
		   "a validator callback handler");
}

/* The broker picks the validator by class alone: a JWKS URL without one
 * still validates with the unsecured handler. */
static void test_jwks_url_without_validator_fails(void **state)
{
	struct sec_state *s = *state;
	const struct check_result *r;

	facts_from(
	    s,
	    "listeners=SASL_SSL://:9093\nsasl.enabled.mechanisms=OAUTHBEARER\n"
	    "sasl.oauthbearer.jwks.endpoint.url=https://idp.example.com/keys\n",
	    "3.6.1");
	run_group(s);
	r = find(s, "kafka.security.oauthbearer", "SASL_SSL");
	assert_int_equal(r->sev, SEV_FAIL);
	assert_non_null(strstr(
	    r->message, "the JWKS URL is ignored without a validator class"));
	/* OIDC still needs 3.1.0. */
	assert_sev(s, VER, "SASL_SSL OAUTHBEARER", SEV_PASS, "3.6.1",
		   ">= 3.1.0 (OIDC)");
}

static void test_no_sasl_listener(void **state)
{
	struct sec_state *s = *state;

	facts_from(s, "listeners=SSL://10.20.30.41:9093\n", "3.6.1");
	run_group(s);
	assert_sev(s, VER, "", SEV_PASS, "no SASL listener", "");
	assert_sev(s, "kafka.security.scram", "", SEV_INFO, "no SASL listener",
		   "SCRAM or Kerberos");
	assert_sev(s, ENC, "SSL", SEV_PASS, "SSL on 10.20.30.41",
		   "SSL or SASL_SSL");
	/* No keystore named, no SASL: nothing to read. */
	assert_sev(s, SEC, "", SEV_PASS, "no secret files", NOT_OTHERS);
}

static void test_unmapped_and_malformed_listeners_are_unknown(void **state)
{
	struct sec_state *s = *state;

	facts_from(s, "listeners=INTERNAL://:9092,garbage\n", "3.6.1");
	run_group(s);
	assert_sev(s, ENC, "INTERNAL", SEV_UNKNOWN, "", "SSL or SASL_SSL");
	assert_sev(s, ENC, "garbage", SEV_UNKNOWN, "", "SSL or SASL_SSL");
}

static void test_default_listener_binds_every_address(void **state)
{
	struct sec_state *s = *state;

	/* No listeners=: PLAINTEXT://:9092 */
	facts_from(s, "broker.id=0\n", "3.6.1");
	run_group(s);
	assert_sev(s, ENC, "PLAINTEXT", SEV_WARN, "PLAINTEXT on all addresses",
		   "SSL or SASL_SSL");
}

static void test_bad_allow_everyone_is_unknown(void **state)
{
	struct sec_state *s = *state;

	facts_from(s, "allow.everyone.if.no.acl.found=yes\n", "3.6.1");
	run_group(s);
	assert_sev(s, "kafka.security.allow_everyone", "", SEV_UNKNOWN, "",
		   "false");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plaintext_on_every_address_warns),
	    cmocka_unit_test(test_plaintext_on_loopback_passes),
	    cmocka_unit_test(test_plain_over_sasl_plaintext_fails),
	    cmocka_unit_test(test_scram_over_sasl_ssl_passes),
	    cmocka_unit_test(test_oauthbearer_unsecured_handler_fails),
	    cmocka_unit_test(test_oidc_on_2_8_fails),
	    cmocka_unit_test(test_oidc_on_3_1_passes),
	    cmocka_unit_test(test_scram_on_0_10_1_fails),
	    cmocka_unit_test(test_scram_on_0_10_2_passes),
	    cmocka_unit_test(test_no_authorizer_warns),
	    cmocka_unit_test(test_authorizer_set_passes),
	    cmocka_unit_test(test_allow_everyone_warns),
	    cmocka_unit_test(test_world_readable_keystore_fails),
	    cmocka_unit_test(test_group_readable_keystore_passes),
	    cmocka_unit_test(test_missing_truststore_is_unknown_naming_it),
	    cmocka_unit_test(test_world_readable_jaas_file_fails),
	    cmocka_unit_test(test_jaas_file_not_named_is_unknown),
	    cmocka_unit_test_setup_teardown(
		test_missing_config_makes_every_check_unknown, sec_setup,
		sec_teardown),
	    cmocka_unit_test_setup_teardown(test_mechanism_release_boundaries,
					    sec_setup, sec_teardown),
	    cmocka_unit_test_setup_teardown(
		test_conflicting_jars_make_version_unknown, sec_setup,
		sec_teardown),
	    cmocka_unit_test_setup_teardown(
		test_no_installation_makes_version_unknown, sec_setup,
		sec_teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_mechanism_is_unknown,
					    sec_setup, sec_teardown),
	    cmocka_unit_test_setup_teardown(
		test_explicit_unsecured_validator_fails, sec_setup,
		sec_teardown),
	    cmocka_unit_test_setup_teardown(
		test_jwks_url_without_validator_fails, sec_setup, sec_teardown),
	    cmocka_unit_test_setup_teardown(test_no_sasl_listener, sec_setup,
					    sec_teardown),
	    cmocka_unit_test_setup_teardown(
		test_unmapped_and_malformed_listeners_are_unknown, sec_setup,
		sec_teardown),
	    cmocka_unit_test_setup_teardown(
		test_default_listener_binds_every_address, sec_setup,
		sec_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_allow_everyone_is_unknown,
					    sec_setup, sec_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
