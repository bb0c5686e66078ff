/* The facts cache gives the report a fresh gather would: byte for byte
 * when nothing changed, and with the change when a configuration file
 * changed. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"
#include "facts_cache.h"

#define HOST FIXTURES "/host-broker"

struct encoded {
	uint8_t *buf;
	size_t len;
};

/* The report of f as the prober encodes it, seq and time fixed. */
static void encode(const struct facts *f, unsigned roles, struct encoded *out)
{
	struct check_results res = { 0 };
	struct report_input in = { 0 };
	struct hw_err err = { { 0 } };
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	struct proto_lists l;

	out->buf = malloc(PROBER_BODY_MAX);
	assert_non_null(e);
	assert_non_null(out->buf);
	assert_int_equal(check_run(f, roles, &res), 0);
	proto_lists_init(&l);
	in.host_id = "test-1";
	in.facts = f;
	in.checks = &res;
	in.dmi = f->inv.dmi_error[0] ? NULL : &f->inv.dmi;
	in.sensors_why = "sensors are read on the live host only";
	in.seq = 7;
	in.timestamp_ms = 1700000000123;
	in.interval_s = 1;
	e->which_msg = kagent_v1_Envelope_report_tag;
	assert_int_equal(report_build(&in, &e->msg.report, &l), 0);
	/* The free space of the filesystem the fixtures live on moves
	 * under the test whenever anything else writes there; every other
	 * byte of the report must match. */
	for (size_t i = 0; i < e->msg.report.kafka.log_dirs_count; i++)
		e->msg.report.kafka.log_dirs[i].has_fs_available_bytes = false;
	assert_int_equal(proto_envelope_encode(e, out->buf, PROBER_BODY_MAX,
					       &out->len, &err), 0);
	check_results_free(&res);
	proto_lists_free(&l);
	free(e);
}

static void flush_step_fresh(struct facts *f)
{
	struct flush_samples *cur = calloc(1, sizeof *cur);

	assert_non_null(cur);
	flush_sample_disks(f->root, &f->inv.disks, 0, cur);
	flush_facts_from(NULL, cur, &f->flush);
	free(cur);
}

static void encode_fresh(const char *root, const struct conf *conf,
			 struct encoded *out)
{
	struct facts_opts opts = { .live_zk = false };
	struct hw_err err = { { 0 } };
	struct facts *f = calloc(1, sizeof *f);

	assert_non_null(f);
	assert_int_equal(facts_gather(root, conf, conf->roles, &opts, f, &err), 0);
	/* The flush readings are the cache's own (each call reads them): a
	 * fresh gather gets what the cache's first call reads.  host-broker
	 * has no stat files, so every later call reads the same. */
	flush_step_fresh(f);
	encode(f, conf->roles, out);
	facts_free(f);
	free(f);
}

static void encode_cached(struct facts_cache *c, const char *root,
			  const struct conf *conf, int64_t now_ms,
			  struct encoded *out)
{
	struct facts_opts opts = { .live_zk = false };
	struct hw_err err = { { 0 } };
	struct facts *f;

	assert_int_equal(facts_cache_gather(c, root, conf, conf->roles, &opts,
					    now_ms, NULL, &f, &err), 0);
	encode(f, conf->roles, out);
}

static void assert_same(const struct encoded *a, const struct encoded *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->buf, b->buf, a->len);
}

static void conf_broker(struct conf *conf)
{
	conf_defaults(conf);
	conf->roles = CORE_ROLE_KAFKA | CORE_ROLE_ZOOKEEPER;
	strcpy(conf->cluster, "prod-a");
}

/* dir (a mkdtemp template) made and filled with a copy of the captured
 * broker host, for a test that edits its files. */
static void host_copy(char *dir)
{
	char cmd[384];

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s'", HOST, dir);
	assert_int_equal(system(cmd), 0);
}

static void tree_remove(const char *dir)
{
	char cmd[384];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_cached_report_is_byte_for_byte_a_fresh_one(void **state)
{
	struct encoded fresh, first, second, third;
	struct facts_cache *c = calloc(1, sizeof *c);
	struct conf conf;

	(void)state;
	conf_broker(&conf);
	facts_cache_init(c);
	encode_fresh(HOST, &conf, &fresh);
	encode_cached(c, HOST, &conf, 1000, &first);
	encode_cached(c, HOST, &conf, 2000, &second);
	/* The second came from the kept facts, not a new gather. */
	assert_int_equal(c->whole_gathers, 1);
	assert_same(&fresh, &first);
	assert_same(&fresh, &second);
	/* Past the refresh period everything is gathered again. */
	encode_cached(c, HOST, &conf, 2000 + FACTS_CACHE_REFRESH_MS, &third);
	assert_int_equal(c->whole_gathers, 2);
	assert_same(&fresh, &third);
	facts_cache_free(c);
	free(c);
	free(fresh.buf);
	free(first.buf);
	free(second.buf);
	free(third.buf);
}

static void test_changed_server_properties_shows_in_the_next_report(void **state)
{
	char dir[] = "/tmp/kagent-facts-cache-XXXXXX", path[128];
	struct encoded before, after, fresh;
	struct facts_cache *c = calloc(1, sizeof *c);
	const struct timespec later[2] = { { 1800000000, 0 },
					   { 1800000000, 0 } };
	struct conf conf;
	FILE *fp;

	(void)state;
	host_copy(dir);
	conf_broker(&conf);
	facts_cache_init(c);
	encode_cached(c, dir, &conf, 1000, &before);

	/* The broker moves to rack r9: one more line, a new mtime. */
	snprintf(path, sizeof path, "%s/etc/kafka/server.properties", dir);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fprintf(fp, "broker.rack=r9\n");
	fclose(fp);
	assert_int_equal(utimensat(AT_FDCWD, path, later, 0), 0);

	encode_cached(c, dir, &conf, 2000, &after);
	assert_int_equal(c->whole_gathers, 2);
	encode_fresh(dir, &conf, &fresh);
	assert_same(&fresh, &after);
	assert_true(before.len != after.len ||
		    memcmp(before.buf, after.buf, before.len) != 0);

	facts_cache_free(c);
	free(c);
	tree_remove(dir);
	free(before.buf);
	free(after.buf);
	free(fresh.buf);
}

/* Same size and mtime, another inode: a file replaced by rename. */
static void test_replaced_zoo_cfg_is_read_again(void **state)
{
	char dir[] = "/tmp/kagent-facts-cache-XXXXXX", cmd[384];
	struct facts_cache *c = calloc(1, sizeof *c);
	struct encoded a, b;
	struct conf conf;

	(void)state;
	host_copy(dir);
	conf_broker(&conf);
	facts_cache_init(c);
	encode_cached(c, dir, &conf, 1000, &a);
	snprintf(cmd, sizeof cmd,
		 "cd '%s/etc/zookeeper/conf' && cp -p zoo.cfg zoo.new && "
		 "mv zoo.new zoo.cfg", dir);
	assert_int_equal(system(cmd), 0);
	encode_cached(c, dir, &conf, 2000, &b);
	assert_int_equal(c->whole_gathers, 2);
	assert_same(&a, &b);

	facts_cache_free(c);
	free(c);
	tree_remove(dir);
	free(a.buf);
	free(b.buf);
}

static void append_mount(const char *dir, int n)
{
	char cmd[384];

	snprintf(cmd, sizeof cmd,
		 "echo '9%d 1 0:9%d / /mnt/t%d rw - tmpfs tmpfs rw' >> "
		 "'%s/proc/self/mountinfo'", n, n, n, dir);
	assert_int_equal(system(cmd), 0);
}

/* With mount events, mountinfo is not read while their generation holds:
 * a change the kernel did not announce (here, a file edited under a
 * captured root) is not seen until one is; unwatched, it is read every
 * call. */
static void test_mountinfo_is_read_only_after_a_mount_event(void **state)
{
	char dir[] = "/tmp/kagent-facts-cache-XXXXXX";
	struct facts_cache *c = calloc(1, sizeof *c);
	struct events_mounts ev;
	struct encoded a;
	struct conf conf;

	(void)state;
	host_copy(dir);
	conf_broker(&conf);
	facts_cache_init(c);
	events_mounts_init(&ev);
	atomic_store(&ev.w.gen, 1);
	c->mounts_ev = &ev;
	encode_cached(c, dir, &conf, 1000, &a);
	free(a.buf);
	assert_int_equal(c->whole_gathers, 1);
	append_mount(dir, 1);
	encode_cached(c, dir, &conf, 2000, &a);
	free(a.buf);
	assert_int_equal(c->whole_gathers, 1);
	atomic_store(&ev.w.gen, 2);
	encode_cached(c, dir, &conf, 3000, &a);
	free(a.buf);
	assert_int_equal(c->whole_gathers, 2);
	/* An event whose table reads the same keeps the facts. */
	atomic_store(&ev.w.gen, 3);
	encode_cached(c, dir, &conf, 4000, &a);
	free(a.buf);
	assert_int_equal(c->whole_gathers, 2);
	atomic_store(&ev.w.gen, 0);
	append_mount(dir, 2);
	encode_cached(c, dir, &conf, 5000, &a);
	free(a.buf);
	assert_int_equal(c->whole_gathers, 3);

	facts_cache_free(c);
	free(c);
	tree_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_report_is_byte_for_byte_a_fresh_one),
		cmocka_unit_test(test_changed_server_properties_shows_in_the_next_report),
		cmocka_unit_test(test_replaced_zoo_cfg_is_read_again),
		cmocka_unit_test(test_mountinfo_is_read_only_after_a_mount_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
