/* zoo.cfg facts against ZooKeeper's shipped samples and documentation
 * excerpts in the corpus; zk-dynamic/ lays the documented reconfig pair
 * out at the paths the static file names. */
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

#include "zk_facts.h"

#define KC CORPUS "/kafka-config/"

/* Parses one corpus file without following dynamicConfigFile. */
static struct zk_config *parse_file(const char *path)
{
	struct zk_config *z = calloc(1, sizeof *z);
	struct props p;
	struct props_err perr = {0};
	struct hw_err err = {{0}};

	assert_non_null(z);
	if (props_load(path, &p, &perr) != 0)
		fail_msg("%s", perr.msg);
	if (zk_config_parse(&p, path, z, &err) != 0)
		fail_msg("%s", err.msg);
	props_free(&p);
	return z;
}

static void assert_server(const struct zk_server *s, int64_t id,
			  const char *host, int64_t peer, int64_t election)
{
	assert_true(s->valid);
	assert_int_equal(s->id, id);
	assert_string_equal(s->host, host);
	assert_int_equal(s->peer_port.v, peer);
	assert_int_equal(s->election_port.v, election);
}

static void test_every_corpus_cfg_parses(void **s)
{
	DIR *d = opendir(KC);
	struct dirent *de;
	char path[1024];
	int n = 0;

	(void)s;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct zk_config *z;

		if (len < 4 || strcmp(de->d_name + len - 4, ".cfg"))
			continue;
		snprintf(path, sizeof path, KC "%s", de->d_name);
		z = parse_file(path);
		print_message("%s: dataDir '%s', %zu servers, %u invalid\n",
			      de->d_name, z->data_dir, z->n_servers,
			      z->n_invalid);
		free(z);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 6);
}

static void test_sample_standalone(void **s)
{
	struct zk_config *z = parse_file(KC "zoo_sample.cfg");

	(void)s;
	assert_string_equal(z->data_dir, "/tmp/zookeeper");
	assert_true(z->data_log_dir_default);
	assert_string_equal(z->data_log_dir, "/tmp/zookeeper");
	assert_int_equal(z->client_port.v, 2181);
	assert_false(z->secure_client_port.known);
	assert_int_equal(z->tick_time.v, 2000);
	assert_int_equal(z->init_limit.v, 10);
	assert_int_equal(z->sync_limit.v, 5);
	assert_false(z->four_lw_set);
	assert_int_equal(z->n_servers, 0);
	assert_int_equal(z->n_invalid, 0);
	free(z);
	z = parse_file(KC "zoo_sample-3.4.14.cfg");
	assert_int_equal(z->client_port.v, 2181);
	assert_int_equal(z->init_limit.v, 10);
	free(z);
}

static void test_kafka_shipped_zookeeper_properties(void **s)
{
	struct zk_config *z = parse_file(KC "zookeeper.properties");

	(void)s;
	assert_string_equal(z->data_dir, "/tmp/zookeeper");
	assert_int_equal(z->client_port.v, 2181);
	assert_false(z->tick_time.known);
	free(z);
}

static void test_three_node_ensemble(void **s)
{
	struct zk_config *z = parse_file(KC "docs-zk-ensemble-3.cfg");

	(void)s;
	assert_string_equal(z->data_dir, "/var/lib/zookeeper/");
	assert_int_equal(z->n_servers, 3);
	assert_server(&z->servers[0], 1, "zoo1", 2888, 3888);
	assert_server(&z->servers[2], 3, "zoo3", 2888, 3888);
	assert_int_equal(z->servers[2].line, 8);
	assert_false(z->servers[2].observer);
	assert_false(z->servers[2].client_port.known);
	free(z);
}

static void test_placeholder_port_is_invalid_with_line(void **s)
{
	struct zk_config *z = parse_file(KC "zk-c-client-tests-zoo.cfg");

	(void)s;
	assert_false(z->client_port.known);
	assert_int_equal(z->secure_client_port.v, 22281);
	assert_string_equal(z->data_dir, "TMPDIR/zkdata");
	assert_int_equal(z->tick_time.v, 500);
	assert_int_equal(z->n_invalid, 1);
	assert_string_equal(z->invalid,
			    KC "zk-c-client-tests-zoo.cfg:8: clientPort: "
			       "'CLIENTPORT' is not a number in [0, 65535]");
	free(z);
}

static void test_dynamic_file_servers_with_client_ports(void **s)
{
	struct zk_config *z = calloc(1, sizeof *z);
	struct hw_err err = {{0}};

	(void)s;
	assert_int_equal(zk_config_load(FIXTURES "/zk-dynamic",
					"/zookeeper/conf/zoo_replicated1.cfg",
					z, &err),
			 0);
	assert_string_equal(z->dynamic_config_file,
			    "/zookeeper/conf/zoo_replicated1.cfg.dynamic");
	assert_string_equal(z->data_dir, "/zookeeper/data/zookeeper1");
	assert_int_equal(z->n_servers, 3);
	assert_server(&z->servers[0], 1, "125.23.63.23", 2780, 2783);
	assert_true(z->servers[0].from_dynamic);
	assert_int_equal(z->servers[0].client_port.v, 2791);
	assert_string_equal(z->servers[0].client_address, "");
	assert_server(&z->servers[2], 3, "125.23.63.25", 2782, 2785);
	assert_int_equal(z->servers[2].client_port.v, 2793);
	assert_int_equal(z->servers[2].line, 3);
	assert_false(z->client_port.known);
	free(z);
}

static void test_server_value_forms(void **s)
{
	struct zk_server sv;

	(void)s;
	memset(&sv, 0, sizeof sv);
	assert_true(zk_server_parse("[2001:db8::1]:2888:3888:observer;"
				    "[::]:2181",
				    &sv));
	assert_string_equal(sv.host, "2001:db8::1");
	assert_true(sv.observer);
	assert_string_equal(sv.client_address, "::");
	assert_int_equal(sv.client_port.v, 2181);
	memset(&sv, 0, sizeof sv);
	assert_true(zk_server_parse("a:2888:3888|b:2889:3889", &sv));
	assert_string_equal(sv.host, "a");
	assert_int_equal(sv.n_addresses, 2);
	memset(&sv, 0, sizeof sv);
	assert_true(
	    zk_server_parse("zoo1:2888:3888:PARTICIPANT;0.0.0.0:2181", &sv));
	assert_false(sv.observer);
	assert_string_equal(sv.client_address, "0.0.0.0");
	assert_false(zk_server_parse("zoo1:2888", &sv));
	assert_false(zk_server_parse("zoo1:2888:3888:leader", &sv));
	assert_false(zk_server_parse("zoo1:2888::3888", &sv));
	assert_false(zk_server_parse("zoo1:2888:70000", &sv));
	assert_false(zk_server_parse("zoo1:2888:3888;2181;2182", &sv));
}

static void test_whitelist_and_bad_server_lines(void **s)
{
	const char *text = "dataDir=/data/zk\n"
			   "dataLogDir = /txlog/zk  \n"
			   "4lw.commands.whitelist=srvr, ruok,mntr\n"
			   "server.x=zoo1:2888:3888\n"
			   "server.2=zoo2:2888\n";
	struct zk_config *z = calloc(1, sizeof *z);
	struct props p;
	struct props_err perr = {0};
	struct hw_err err = {{0}};

	(void)s;
	assert_int_equal(props_parse(text, strlen(text), &p, &perr), 0);
	assert_int_equal(zk_config_parse(&p, "zoo.cfg", z, &err), 0);
	assert_string_equal(z->data_log_dir, "/txlog/zk");
	assert_false(z->data_log_dir_default);
	assert_true(z->four_lw_set);
	assert_int_equal(z->n_four_lw, 3);
	assert_string_equal(z->four_lw[1], "ruok");
	/* server.x is dropped; server.2 is kept, marked invalid. */
	assert_int_equal(z->n_servers, 1);
	assert_false(z->servers[0].valid);
	assert_int_equal(z->n_invalid, 2);
	assert_string_equal(z->invalid,
			    "zoo.cfg:4: server.x: 'x' is not a server id");
	props_free(&p);
	free(z);
}

static void test_missing_dynamic_file_is_an_error(void **s)
{
	struct zk_config *z = calloc(1, sizeof *z);
	struct hw_err err = {{0}};

	(void)s;
	/* The corpus copy names /zookeeper/conf/..., absent on this host. */
	assert_int_equal(
	    zk_config_load("/", KC "docs-zk-dynamic-zoo_replicated1.cfg", z,
			   &err),
	    -ENOENT);
	assert_string_equal(err.msg, "/zookeeper/conf/zoo_replicated1.cfg."
				     "dynamic: No such file or directory");
	assert_int_equal(z->n_servers, 0);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_corpus_cfg_parses),
	    cmocka_unit_test(test_sample_standalone),
	    cmocka_unit_test(test_kafka_shipped_zookeeper_properties),
	    cmocka_unit_test(test_three_node_ensemble),
	    cmocka_unit_test(test_placeholder_port_is_invalid_with_line),
	    cmocka_unit_test(test_dynamic_file_servers_with_client_ports),
	    cmocka_unit_test(test_server_value_forms),
	    cmocka_unit_test(test_whitelist_and_bad_server_lines),
	    cmocka_unit_test(test_missing_dynamic_file_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
