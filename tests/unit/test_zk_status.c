/* Parsers of ZooKeeper's four-letter-word replies, on replies captured from
 * Debian's ZooKeeper 3.8.0 and on the Administrator's Guide examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zk_probe.h"

#define REPLIES FIXTURES "/zk-replies/"

static char reply[ZK_REPLY_MAX + 1];

static size_t load(const char *name)
{
	char path[512];
	ssize_t n;

	snprintf(path, sizeof path, REPLIES "%s", name);
	n = core_read_file(path, reply, sizeof reply);
	assert_true(n > 0);
	return (size_t)n;
}

static int parse(const char *name,
		 int (*fn)(const char *, size_t, struct zk_status *),
		 struct zk_status *st)
{
	size_t n = load(name);

	return fn(reply, n, st);
}

static void assert_num(struct hw_num n, int64_t v)
{
	assert_true(n.known);
	assert_int_equal(n.v, v);
}

static void test_srvr_standalone_gives_every_field(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-standalone-srvr.txt", zk_parse_srvr, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_string_equal(st.reason, "");
	assert_true(st.srvr_allowed);
	assert_false(st.mntr_allowed);
	assert_false(st.imok);
	assert_string_equal(st.version, "3.8.0");
	assert_string_equal(st.mode, "standalone");
	assert_num(st.latency_min_us, 0);
	assert_num(st.latency_avg_us, 0);
	assert_num(st.latency_max_us, 0);
	assert_num(st.received, 2);
	assert_num(st.sent, 1);
	assert_num(st.connections, 1);
	assert_num(st.outstanding, 0);
	assert_num(st.zxid, 0);
	assert_num(st.node_count, 5);
	/* srvr does not say these */
	assert_false(st.followers.known);
	assert_false(st.open_fds.known);
}

static void test_srvr_leader_zxid_is_hex_with_epoch(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(parse("zk-3.8.0-leader-srvr.txt", zk_parse_srvr, &st),
			 0);
	assert_string_equal(st.mode, "leader");
	/* 0x100000000: epoch 1, counter 0 */
	assert_num(st.zxid, 0x100000000LL);
}

static void test_srvr_follower_mode(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-follower-srvr.txt", zk_parse_srvr, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_string_equal(st.mode, "follower");
	assert_num(st.zxid, 0);
	assert_num(st.received, 1);
	assert_num(st.sent, 0);
}

static void test_mntr_standalone_gives_every_field(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-standalone-mntr.txt", zk_parse_mntr, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_true(st.mntr_allowed);
	assert_string_equal(st.version, "3.8.0");
	assert_string_equal(st.mode, "standalone");
	assert_num(st.connections, 1);
	assert_num(st.outstanding, 0);
	assert_num(st.node_count, 5);
	assert_num(st.received, 3);
	assert_num(st.sent, 2);
	assert_num(st.latency_min_us, 0);
	assert_num(st.latency_avg_us, 0);
	assert_num(st.latency_max_us, 0);
	assert_num(st.open_fds, 38);
	assert_num(st.max_fds, 20000);
	assert_num(st.ephemerals, 0);
	assert_num(st.watches, 0);
	assert_num(st.data_bytes, 44);
	/* only a leader reports them */
	assert_false(st.followers.known);
	assert_false(st.synced_followers.known);
	assert_false(st.pending_syncs.known);
	/* mntr has no zxid */
	assert_false(st.zxid.known);
}

static void test_mntr_leader_3_8_counts_learners_as_followers(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(parse("zk-3.8.0-leader-mntr.txt", zk_parse_mntr, &st),
			 0);
	assert_string_equal(st.mode, "leader");
	assert_num(st.followers, 2); /* zk_learners */
	assert_num(st.synced_followers, 2);
	assert_num(st.pending_syncs, 0);
	assert_num(st.open_fds, 44);
	assert_num(st.data_bytes, 176);
}

static void test_mntr_follower_has_no_follower_counts(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-follower-mntr.txt", zk_parse_mntr, &st), 0);
	assert_string_equal(st.mode, "follower");
	assert_false(st.followers.known);
	assert_false(st.synced_followers.known);
	assert_num(st.open_fds, 42);
}

static void test_mntr_docs_3_4_leader_uses_zk_followers(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.4.0-docs-mntr-leader.txt", zk_parse_mntr, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_string_equal(st.version, "3.4.0");
	assert_string_equal(st.mode, "leader");
	assert_num(st.followers, 4);
	assert_num(st.synced_followers, 4);
	assert_num(st.pending_syncs, 0);
	assert_num(st.connections, 1);
	assert_num(st.node_count, 4);
	assert_num(st.received, 70);
	assert_num(st.sent, 69);
	assert_num(st.data_bytes, 27);
	assert_num(st.open_fds, 23);
	assert_num(st.max_fds, 1024);
}

static void test_mntr_avg_latency_four_decimals_to_us(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.4.0-docs-mntr-avg-latency.txt", zk_parse_mntr, &st), 0);
	/* 0.7561 ms = 756.1 us */
	assert_num(st.latency_avg_us, 756);
	assert_num(st.latency_max_us, 0);
	/* this revision of the example has no zk_num_alive_connections */
	assert_false(st.connections.known);
}

static void test_ruok_imok_is_running(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-standalone-ruok.txt", zk_parse_ruok, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_true(st.imok);
	assert_true(st.ruok_allowed);
}

static void test_default_whitelist_refuses_ruok_and_mntr(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-default-whitelist-ruok.txt", zk_parse_ruok, &st),
	    0);
	assert_int_equal(st.state, ZK_NOT_ALLOWED);
	assert_string_equal(
	    st.reason, "4lw.commands.whitelist of the server refuses ruok");
	assert_false(st.imok);
	assert_false(st.ruok_allowed);
	assert_int_equal(
	    parse("zk-3.8.0-default-whitelist-mntr.txt", zk_parse_mntr, &st),
	    0);
	assert_int_equal(st.state, ZK_NOT_ALLOWED);
	assert_string_equal(
	    st.reason,
	    "4lw.commands.whitelist of the server refuses ruok, mntr");
	assert_false(st.mntr_allowed);
}

/* The order the client asks in: ruok refused, srvr answered, mntr refused. */
static void test_default_whitelist_srvr_still_makes_running(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-default-whitelist-ruok.txt", zk_parse_ruok, &st),
	    0);
	assert_int_equal(
	    parse("zk-3.8.0-default-whitelist-srvr.txt", zk_parse_srvr, &st),
	    0);
	assert_int_equal(
	    parse("zk-3.8.0-default-whitelist-mntr.txt", zk_parse_mntr, &st),
	    0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_string_equal(st.reason, "");
	assert_false(st.ruok_allowed);
	assert_true(st.srvr_allowed);
	assert_false(st.mntr_allowed);
	assert_string_equal(st.mode, "standalone");
	assert_string_equal(st.version, "3.8.0");
	assert_false(st.open_fds.known);
}

/* ruok says imok while the server has no quorum; srvr tells the truth. */
static void test_looking_server_is_error_despite_imok(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(parse("zk-3.8.0-looking-ruok.txt", zk_parse_ruok, &st),
			 0);
	assert_true(st.imok);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_int_equal(parse("zk-3.8.0-looking-srvr.txt", zk_parse_srvr, &st),
			 0);
	assert_int_equal(st.state, ZK_ERROR);
	assert_string_equal(st.reason, "server is not currently serving "
				       "requests (no quorum, or still "
				       "starting)");
	assert_false(st.srvr_allowed);
	assert_string_equal(st.mode, "");
	/* a later answer cannot lower ERROR back to RUNNING */
	assert_int_equal(
	    parse("zk-3.8.0-follower-mntr.txt", zk_parse_mntr, &st), 0);
	assert_int_equal(st.state, ZK_ERROR);
}

static void test_looking_mntr_is_error(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(parse("zk-3.8.0-looking-mntr.txt", zk_parse_mntr, &st),
			 0);
	assert_int_equal(st.state, ZK_ERROR);
	assert_false(st.mntr_allowed);
}

/* A reply to another word (here ruok's) is not a srvr reply. */
static void test_srvr_parser_rejects_other_reply(void **state)
{
	struct zk_status st;

	(void)state;
	zk_status_init(&st);
	assert_int_equal(
	    parse("zk-3.8.0-standalone-ruok.txt", zk_parse_srvr, &st), -EINVAL);
	assert_int_equal(st.state, ZK_ERROR);
	assert_string_equal(st.reason, "srvr reply not understood: \"imok\"");
	assert_int_equal(
	    parse("zk-3.8.0-standalone-srvr.txt", zk_parse_mntr, &st), -EINVAL);
	assert_int_equal(
	    parse("zk-3.8.0-standalone-mntr.txt", zk_parse_ruok, &st), -EINVAL);
}

/* A reply cut anywhere is read within its length (ASan watches the
 * exact-size copy) and counts only once its Mode line is whole. */
static void test_truncated_srvr_reply_is_bounded(void **state)
{
	struct zk_status st;
	size_t n, i, mode_end;
	char *copy;

	(void)state;
	n = load("zk-3.8.0-leader-srvr.txt");
	mode_end = (size_t)(strstr(reply, "Mode: leader\n") - reply) + 13;
	for (i = 0; i <= n; i++) {
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, reply, i);
		zk_status_init(&st);
		zk_parse_srvr(copy, i, &st);
		/* RUNNING once the Mode line is complete, not before */
		if (i >= mode_end)
			assert_int_equal(st.state, ZK_RUNNING);
		else
			assert_int_equal(st.state, ZK_ERROR);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_srvr_standalone_gives_every_field),
	    cmocka_unit_test(test_srvr_leader_zxid_is_hex_with_epoch),
	    cmocka_unit_test(test_srvr_follower_mode),
	    cmocka_unit_test(test_mntr_standalone_gives_every_field),
	    cmocka_unit_test(test_mntr_leader_3_8_counts_learners_as_followers),
	    cmocka_unit_test(test_mntr_follower_has_no_follower_counts),
	    cmocka_unit_test(test_mntr_docs_3_4_leader_uses_zk_followers),
	    cmocka_unit_test(test_mntr_avg_latency_four_decimals_to_us),
	    cmocka_unit_test(test_ruok_imok_is_running),
	    cmocka_unit_test(test_default_whitelist_refuses_ruok_and_mntr),
	    cmocka_unit_test(test_default_whitelist_srvr_still_makes_running),
	    cmocka_unit_test(test_looking_server_is_error_despite_imok),
	    cmocka_unit_test(test_looking_mntr_is_error),
	    cmocka_unit_test(test_srvr_parser_rejects_other_reply),
	    cmocka_unit_test(test_truncated_srvr_reply_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
