/* kagentd's ZooKeeper probe between reports (agent/daemon/zk_live.c), on a real
 * loop against a loopback port where nothing listens: the report waits
 * for the probe started for it, then goes with the result and its time;
 * without a server to probe it goes at once, "not probed yet". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "zk_live.h"

static int readies;

static void on_ready(void *arg)
{
	(void)arg;
	readies++;
}

/* A loopback port that was free a moment ago: bound, read back, closed. */
static int closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_without_a_server_the_report_goes_unprobed(void **state)
{
	struct zk_live z;
	struct async_meta m;
	struct zk_status st;
	uv_loop_t loop;

	(void)state;
	uv_loop_init(&loop);
	zk_live_init(&z, on_ready, NULL);
	assert_false(zk_live_hold(&z, &loop));
	zk_live_fill(&z, &m, &st);
	assert_int_equal(m.have, 0);
	assert_int_equal(m.in_flight, 0);
	assert_string_equal(m.why, "not probed yet");
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_report_waits_for_its_probe_then_carries_it(void **state)
{
	struct zk_live z;
	struct async_meta m;
	struct zk_status st;
	uv_loop_t loop;

	(void)state;
	readies = 0;
	uv_loop_init(&loop);
	zk_live_init(&z, on_ready, NULL);
	zk_live_target(&z, "127.0.0.1", closed_port());
	assert_true(zk_live_hold(&z, &loop));
	/* Asked again while its probe runs: still waiting. */
	assert_true(zk_live_hold(&z, &loop));
	zk_live_fill(&z, &m, &st);
	assert_int_equal(m.have, 0);
	assert_int_equal(m.in_flight, 1);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(readies, 1);
	assert_false(zk_live_hold(&z, &loop));
	zk_live_fill(&z, &m, &st);
	assert_int_equal(m.have, 1);
	assert_int_equal(m.in_flight, 0);
	assert_true(m.at_ms > 0);
	assert_string_equal(m.why, "");
	assert_int_equal(st.state, ZK_NOT_RUNNING);
	/* The next report starts the next probe. */
	assert_true(zk_live_hold(&z, &loop));
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(readies, 2);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_without_a_server_the_report_goes_unprobed),
	    cmocka_unit_test(test_report_waits_for_its_probe_then_carries_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
