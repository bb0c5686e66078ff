/* server.properties facts against the real files of the corpus (Apache
 * Kafka's shipped configs and its security documentation), values checked
 * by hand against each file. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka_facts.h"

#define KC CORPUS "/kafka-config/"

static struct kafka_config *load(const char *path)
{
	struct kafka_config *c = calloc(1, sizeof *c);
	struct hw_err err = {{0}};

	assert_non_null(c);
	if (kafka_config_load("/", path, c, &err) != 0)
		fail_msg("%s", err.msg);
	return c;
}

static void assert_listener(const struct kafka_listener *l, const char *name,
			    const char *host, int64_t port,
			    enum kafka_protocol proto)
{
	assert_true(l->ep.valid);
	assert_string_equal(l->ep.name, name);
	assert_string_equal(l->ep.host, host);
	assert_true(l->ep.port.known);
	assert_int_equal(l->ep.port.v, port);
	assert_int_equal(l->protocol, proto);
}

static void test_every_corpus_properties_file_parses(void **s)
{
	DIR *d = opendir(KC);
	struct dirent *de;
	char path[1024];
	int n = 0;

	(void)s;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct kafka_config *c;

		if (len < 11 || strcmp(de->d_name + len - 11, ".properties"))
			continue;
		snprintf(path, sizeof path, KC "%s", de->d_name);
		c = load(path);
		print_message("%s: %zu log dirs, %zu listeners, %u invalid\n",
			      de->d_name, c->n_log_dirs, c->n_listeners,
			      c->n_invalid);
		assert_true(c->n_log_dirs >= 1);
		assert_true(c->n_listeners >= 1);
		free(c);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 26);
}

static void test_shipped_zk_broker_defaults(void **s)
{
	struct kafka_config *c = load(KC "server.properties");

	(void)s;
	assert_int_equal(c->n_log_dirs, 1);
	assert_string_equal(c->log_dirs[0], "/tmp/kafka-logs");
	assert_false(c->log_dirs_default);
	/* listeners= is commented out: PLAINTEXT://:9092 */
	assert_true(c->listeners_default);
	assert_int_equal(c->n_listeners, 1);
	assert_string_equal(c->listeners[0].ep.text, "PLAINTEXT://:9092");
	assert_listener(&c->listeners[0], "PLAINTEXT", "", 9092,
			KAFKA_PROTO_PLAINTEXT);
	assert_int_equal(c->n_advertised, 0);
	assert_true(c->protocol_map_default);
	assert_int_equal(c->n_protocol_map, 4);
	assert_string_equal(c->protocol_map[3].name, "SASL_SSL");
	assert_int_equal(c->protocol_map[3].protocol, KAFKA_PROTO_SASL_SSL);
	assert_int_equal(c->n_mechanisms, 1);
	assert_string_equal(c->mechanisms[0], "GSSAPI");
	assert_string_equal(c->inter_broker_mechanism, "GSSAPI");
	assert_string_equal(c->inter_broker_protocol, "PLAINTEXT");
	assert_int_equal(c->authorizer_kind, KAFKA_AUTHZ_NONE);
	assert_true(c->allow_everyone.known);
	assert_int_equal(c->allow_everyone.v, 0);
	assert_true(c->broker_id.known);
	assert_int_equal(c->broker_id.v, 0);
	assert_false(c->node_id.known);
	assert_false(c->kraft);
	assert_string_equal(c->zookeeper_connect, "localhost:2181");
	assert_string_equal(c->inter_broker_protocol_version, "");
	assert_int_equal(c->n_secret_files, 0);
	assert_int_equal(c->n_invalid, 0);
	free(c);
}

static void test_old_port_key_gives_the_listener(void **s)
{
	struct kafka_config *c = load(KC "server-0.8.2.2.properties");

	(void)s;
	assert_true(c->listeners_default);
	assert_string_equal(c->listeners[0].ep.text, "PLAINTEXT://:9092");
	assert_listener(&c->listeners[0], "PLAINTEXT", "", 9092,
			KAFKA_PROTO_PLAINTEXT);
	assert_int_equal(c->broker_id.v, 0);
	free(c);
}

static void test_kraft_combined_listeners_and_map(void **s)
{
	struct kafka_config *c = load(KC "kraft-server.properties");

	(void)s;
	assert_true(c->kraft);
	assert_true(c->role_broker);
	assert_true(c->role_controller);
	assert_false(c->broker_id.known);
	assert_int_equal(c->node_id.v, 1);
	assert_int_equal(c->n_listeners, 2);
	assert_listener(&c->listeners[0], "PLAINTEXT", "", 9092,
			KAFKA_PROTO_PLAINTEXT);
	assert_listener(&c->listeners[1], "CONTROLLER", "", 9093,
			KAFKA_PROTO_PLAINTEXT);
	assert_int_equal(c->n_advertised, 2);
	assert_string_equal(c->advertised[1].name, "CONTROLLER");
	assert_string_equal(c->advertised[1].host, "localhost");
	assert_int_equal(c->advertised[1].port.v, 9093);
	assert_false(c->protocol_map_default);
	assert_int_equal(c->n_protocol_map, 5);
	assert_string_equal(c->protocol_map[0].name, "CONTROLLER");
	assert_int_equal(c->n_controller_listeners, 1);
	assert_string_equal(c->log_dirs[0], "/tmp/kraft-combined-logs");
	assert_int_equal(c->n_invalid, 0);
	free(c);
}

static void test_kraft_controller_listener_defaults_to_plaintext(void **s)
{
	struct kafka_config *c = load(KC "kraft-controller.properties");

	(void)s;
	/* No listener.security.protocol.map in the file. */
	assert_true(c->protocol_map_default);
	assert_int_equal(c->n_protocol_map, 5);
	assert_string_equal(c->protocol_map[4].name, "CONTROLLER");
	assert_listener(&c->listeners[0], "CONTROLLER", "", 9093,
			KAFKA_PROTO_PLAINTEXT);
	assert_false(c->role_broker);
	assert_true(c->role_controller);
	assert_int_equal(c->n_invalid, 0);
	free(c);
}

static void test_scram_listener_mechanisms_and_inline_jaas(void **s)
{
	struct kafka_config *c = load(KC "kraft-scram-server.properties");
	const struct kafka_listener *l;

	(void)s;
	l = kafka_config_listener(c, "SASL_PLAINTEXT");
	assert_non_null(l);
	assert_listener(l, "SASL_PLAINTEXT", "", 9092,
			KAFKA_PROTO_SASL_PLAINTEXT);
	assert_true(l->mechanisms_per_listener);
	assert_int_equal(l->n_mechanisms, 1);
	assert_string_equal(l->mechanisms[0], "PLAIN");
	assert_true(l->inline_jaas);
	l = kafka_config_listener(c, "CONTROLLER");
	assert_listener(l, "CONTROLLER", "", 9093, KAFKA_PROTO_SASL_PLAINTEXT);
	assert_string_equal(l->mechanisms[0], "PLAIN");
	assert_true(l->inline_jaas);
	/* sasl.enabled.mechanisms itself is unset. */
	assert_string_equal(c->mechanisms[0], "GSSAPI");
	assert_false(c->inline_jaas);
	assert_string_equal(c->inter_broker_mechanism, "PLAIN");
	assert_string_equal(c->inter_broker_listener, "SASL_PLAINTEXT");
	free(c);
}

static void test_docker_ssl_keystores_and_custom_map(void **s)
{
	struct kafka_config *c =
	    load(KC "docker-examples-ssl-server.properties");

	(void)s;
	assert_int_equal(c->n_protocol_map, 4);
	assert_string_equal(c->protocol_map[3].name, "PLAINTEXT_HOST");
	assert_int_equal(c->protocol_map[3].protocol, KAFKA_PROTO_PLAINTEXT);
	assert_int_equal(c->n_advertised, 3);
	assert_string_equal(c->advertised[0].text,
			    "PLAINTEXT_HOST://localhost:9092");
	assert_string_equal(c->advertised[2].host, "broker");
	assert_int_equal(c->advertised[2].port.v, 19092);
	assert_int_equal(c->n_secret_files, 2);
	assert_string_equal(c->secret_files[0].key, "ssl.keystore.location");
	assert_string_equal(c->secret_files[0].path,
			    "/etc/kafka/secrets/kafka01.keystore.jks");
	assert_int_equal(c->secret_files[0].line, 26);
	assert_string_equal(c->secret_files[1].path,
			    "/etc/kafka/secrets/kafka.truststore.jks");
	assert_int_equal(c->secret_files[1].line, 28);
	assert_true(c->role_broker);
	assert_false(c->role_controller);
	free(c);
}

static void test_docs_placeholder_listeners_are_invalid(void **s)
{
	struct kafka_config *c = load(KC "docs-ssl-broker.properties");

	(void)s;
	assert_int_equal(c->n_listeners, 2);
	assert_false(c->listeners[0].ep.valid);
	assert_string_equal(c->listeners[1].ep.text, "SSL://host.name:port");
	assert_false(c->listeners[1].ep.valid);
	assert_int_equal(c->n_invalid, 2);
	assert_string_equal(
	    c->invalid,
	    KC "docs-ssl-broker.properties:1: listeners: "
	       "'PLAINTEXT://host.name:port' is not name://host:port");
	assert_string_equal(c->secret_files[0].path,
			    "/var/private/ssl/server.keystore.jks");
	assert_string_equal(c->secret_files[1].path,
			    "/var/private/ssl/server.truststore.jks");
	assert_string_equal(c->inter_broker_protocol, "SSL");
	free(c);
}

static void test_docs_sasl_plain_and_multi_mechanisms(void **s)
{
	struct kafka_config *c = load(KC "docs-sasl-plain-broker.properties");

	(void)s;
	assert_int_equal(c->n_mechanisms, 1);
	assert_string_equal(c->mechanisms[0], "PLAIN");
	assert_string_equal(c->inter_broker_mechanism, "PLAIN");
	assert_string_equal(c->inter_broker_protocol, "SASL_SSL");
	free(c);
	c = load(KC "docs-sasl-multi-broker.properties");
	assert_int_equal(c->n_mechanisms, 5);
	assert_string_equal(c->mechanisms[0], "GSSAPI");
	assert_string_equal(c->mechanisms[2], "SCRAM-SHA-256");
	assert_string_equal(c->mechanisms[4], "OAUTHBEARER");
	/* Prose in the docs stays as written for an audit to report. */
	assert_string_equal(c->inter_broker_protocol,
			    "SASL_PLAINTEXT (or SASL_SSL)");
	free(c);
	c = load(KC "docs-sasl-scram-broker.properties");
	assert_int_equal(c->n_mechanisms, 1);
	assert_string_equal(c->mechanisms[0],
			    "SCRAM-SHA-256 (or SCRAM-SHA-512)");
	free(c);
	c = load(KC "docs-sasl-oauthbearer-broker.properties");
	assert_string_equal(c->mechanisms[0], "OAUTHBEARER");
	assert_string_equal(c->oauth_server_handler, "");
	assert_string_equal(c->oauth_jwks_url, "");
	free(c);
}

static void test_authorizer_kinds_over_versions(void **s)
{
	struct kafka_config *c = load(KC "docs-authorizer-standard.properties");

	(void)s;
	assert_int_equal(c->authorizer_kind, KAFKA_AUTHZ_STANDARD);
	assert_true(c->allow_everyone.known);
	assert_int_equal(c->allow_everyone.v, 1);
	free(c);
	c = load(KC "docs-authorizer-acl-2.8.2.properties");
	assert_int_equal(c->authorizer_kind, KAFKA_AUTHZ_ACL);
	assert_string_equal(c->authorizer,
			    "kafka.security.authorizer.AclAuthorizer");
	assert_int_equal(c->allow_everyone.v, 0);
	free(c);
	c = load(KC "docs-authorizer-simpleacl-1.1.1.properties");
	assert_int_equal(c->authorizer_kind, KAFKA_AUTHZ_SIMPLE_ACL);
	free(c);
}

static void test_kraft_sasl_ssl_listeners_share_global_mechanisms(void **s)
{
	struct kafka_config *c =
	    load(KC "docs-kraft-sasl-ssl-combined.properties");

	(void)s;
	assert_listener(&c->listeners[0], "BROKER", "localhost", 9092,
			KAFKA_PROTO_SASL_SSL);
	assert_listener(&c->listeners[1], "CONTROLLER", "localhost", 9093,
			KAFKA_PROTO_SASL_SSL);
	assert_false(c->listeners[0].mechanisms_per_listener);
	assert_int_equal(c->listeners[0].n_mechanisms, 1);
	assert_string_equal(c->listeners[0].mechanisms[0], "GSSAPI");
	assert_string_equal(c->listeners[1].keystore, "");
	free(c);
}

static void test_client_ssl_secret_files_in_file_order(void **s)
{
	struct kafka_config *c =
	    load(KC "docker-examples-client-ssl.properties");

	(void)s;
	assert_int_equal(c->n_secret_files, 2);
	assert_string_equal(c->secret_files[0].key, "ssl.truststore.location");
	assert_string_equal(
	    c->secret_files[0].path,
	    "./docker/examples/fixtures/secrets/kafka.truststore.jks");
	assert_int_equal(c->secret_files[0].line, 18);
	assert_string_equal(
	    c->secret_files[1].path,
	    "./docker/examples/fixtures/client-secrets/client.keystore.jks");
	assert_int_equal(kafka_config_add_secret_file(
			     c, "jaas", "/etc/kafka/kafka_server_jaas.conf"),
			 0);
	assert_int_equal(c->n_secret_files, 3);
	assert_int_equal(c->secret_files[2].line, 0);
	free(c);
}

static void test_meta_properties_node_id(void **s)
{
	struct kafka_config *c = load(KC "meta.properties");

	(void)s;
	assert_int_equal(c->node_id.v, 0);
	assert_true(c->node_id.known);
	assert_false(c->kraft);
	assert_true(c->log_dirs_default);
	assert_string_equal(c->log_dirs[0], "/tmp/kafka-logs");
	free(c);
}

/* Forms of the brief and of Kafka's own tests, parsed from bytes. */
static struct kafka_config *parse(const char *text)
{
	struct kafka_config *c = calloc(1, sizeof *c);
	struct props p;
	struct props_err perr = {0};
	struct hw_err err = {{0}};

	assert_non_null(c);
	assert_int_equal(props_parse(text, strlen(text), &p, &perr), 0);
	if (kafka_config_parse(&p, "t.properties", c, &err) != 0)
		fail_msg("%s", err.msg);
	props_free(&p);
	return c;
}

static void test_listener_forms_ipv6_any_and_per_listener_keys(void **s)
{
	struct kafka_config *c =
	    parse("listeners=PLAINTEXT://:9092, SSL://0.0.0.0:9093 ,"
		  "sasl_ssl://[::1]:9094,[::1]:9095\n"
		  "log.dir=/data/k1\n"
		  "listener.name.ssl.ssl.keystore.location=/etc/k/ssl.jks\n"
		  "ssl.keystore.location=/etc/k/default.jks\n"
		  "listener.name.sasl_ssl.sasl.enabled.mechanisms=OAUTHBEARER\n"
		  "listener.name.sasl_ssl.oauthbearer.sasl.server.callback."
		  "handler.class=a.B\n"
		  "sasl.oauthbearer.jwks.endpoint.url=https://idp/jwks\n"
		  "broker.id=-1\n"
		  "allow.everyone.if.no.acl.found=yes\n");

	(void)s;
	assert_string_equal(c->log_dirs[0], "/data/k1");
	assert_int_equal(c->n_listeners, 4);
	assert_listener(&c->listeners[1], "SSL", "0.0.0.0", 9093,
			KAFKA_PROTO_SSL);
	assert_string_equal(c->listeners[1].keystore, "/etc/k/ssl.jks");
	assert_listener(&c->listeners[2], "SASL_SSL", "::1", 9094,
			KAFKA_PROTO_SASL_SSL);
	assert_string_equal(c->listeners[2].keystore, "/etc/k/default.jks");
	assert_string_equal(c->listeners[2].mechanisms[0], "OAUTHBEARER");
	assert_string_equal(c->listeners[2].oauth_server_handler, "a.B");
	assert_string_equal(c->listeners[2].oauth_jwks_url, "https://idp/jwks");
	assert_false(c->listeners[3].ep.valid);
	assert_string_equal(c->listeners[3].ep.text, "[::1]:9095");
	assert_false(c->broker_id.known);
	assert_false(c->allow_everyone.known);
	assert_int_equal(c->n_invalid, 2);
	assert_string_equal(c->invalid, "t.properties:1: listeners: "
					"'[::1]:9095' is not name://host:port");
	assert_int_equal(c->n_secret_files, 2);
	free(c);
}

static void test_unmapped_listener_name_is_invalid(void **s)
{
	struct kafka_config *c = parse("listeners=INTERNAL://h:9092\n");

	(void)s;
	assert_int_equal(c->listeners[0].protocol, KAFKA_PROTO_UNKNOWN);
	assert_int_equal(c->n_invalid, 1);
	assert_string_equal(c->invalid,
			    "t.properties:1: listeners: no security "
			    "protocol for listener INTERNAL");
	free(c);
}

static void test_too_many_log_dirs_is_an_error(void **s)
{
	char text[KAFKA_LOG_DIRS_MAX * 8 + 32] = "log.dirs=";
	struct props p;
	struct props_err perr = {0};
	struct hw_err err = {{0}};
	struct kafka_config *c = calloc(1, sizeof *c);

	(void)s;
	for (int i = 0; i <= KAFKA_LOG_DIRS_MAX; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text),
			 "/d%d,", i);
	assert_int_equal(props_parse(text, strlen(text), &p, &perr), 0);
	assert_int_equal(kafka_config_parse(&p, "t.properties", c, &err),
			 -E2BIG);
	assert_string_equal(err.msg,
			    "t.properties:1: log.dirs: more than 128 items");
	props_free(&p);
	free(c);
}

/* The topic defaults: unset keys give Kafka's own defaults, the most
 * precise retention key wins, -1 is unlimited in any unit, and a value
 * the broker refuses is unknown and counted. */
static void test_topic_defaults_unset_are_kafkas(void **s)
{
	struct kafka_config *c = parse("broker.id=1\n");

	(void)s;
	assert_true(c->min_isr.known);
	assert_int_equal(c->min_isr.v, 1);
	assert_true(c->retention_ms.known);
	assert_int_equal(c->retention_ms.v, 604800000);
	assert_true(c->retention_bytes.known);
	assert_int_equal(c->retention_bytes.v, -1);
	free(c);
}

static void test_topic_defaults_most_precise_retention_wins(void **s)
{
	struct kafka_config *c = parse("min.insync.replicas=2\n"
				       "log.retention.hours=24\n"
				       "log.retention.minutes=90\n"
				       "log.retention.bytes=1073741824\n");

	(void)s;
	assert_int_equal(c->min_isr.v, 2);
	assert_int_equal(c->retention_ms.v, 90 * 60 * 1000);
	assert_int_equal(c->retention_bytes.v, 1073741824);
	free(c);
	c = parse("log.retention.hours=-1\nlog.retention.ms=3600000\n");
	assert_int_equal(c->retention_ms.v, 3600000);
	free(c);
	c = parse("log.retention.hours=-1\n");
	assert_true(c->retention_ms.known);
	assert_int_equal(c->retention_ms.v, -1);
	assert_int_equal(c->n_invalid, 0);
	free(c);
}

static void test_topic_default_refused_is_unknown(void **s)
{
	struct kafka_config *c = parse("min.insync.replicas=0\n");

	(void)s;
	assert_false(c->min_isr.known);
	assert_int_equal(c->n_invalid, 1);
	assert_string_equal(c->invalid,
			    "t.properties:1: min.insync.replicas: '0' is not "
			    "a number of at least 1");
	free(c);
	c = parse("log.retention.ms=two days\n");
	assert_false(c->retention_ms.known);
	assert_int_equal(c->n_invalid, 1);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_corpus_properties_file_parses),
	    cmocka_unit_test(test_shipped_zk_broker_defaults),
	    cmocka_unit_test(test_old_port_key_gives_the_listener),
	    cmocka_unit_test(test_kraft_combined_listeners_and_map),
	    cmocka_unit_test(
		test_kraft_controller_listener_defaults_to_plaintext),
	    cmocka_unit_test(test_scram_listener_mechanisms_and_inline_jaas),
	    cmocka_unit_test(test_docker_ssl_keystores_and_custom_map),
	    cmocka_unit_test(test_docs_placeholder_listeners_are_invalid),
	    cmocka_unit_test(test_docs_sasl_plain_and_multi_mechanisms),
	    cmocka_unit_test(test_authorizer_kinds_over_versions),
	    cmocka_unit_test(
		test_kraft_sasl_ssl_listeners_share_global_mechanisms),
	    cmocka_unit_test(test_client_ssl_secret_files_in_file_order),
	    cmocka_unit_test(test_meta_properties_node_id),
	    cmocka_unit_test(
		test_listener_forms_ipv6_any_and_per_listener_keys),
	    cmocka_unit_test(test_unmapped_listener_name_is_invalid),
	    cmocka_unit_test(test_too_many_log_dirs_is_an_error),
	    cmocka_unit_test(test_topic_defaults_unset_are_kafkas),
	    cmocka_unit_test(test_topic_defaults_most_precise_retention_wins),
	    cmocka_unit_test(test_topic_default_refused_is_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
