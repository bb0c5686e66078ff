/* The libuv ZooKeeper client against real servers: Debian's zookeeper
 * package started here in the foreground, once with every four-letter word
 * whitelisted and once with the default whitelist, plus a port nobody
 * listens on and a listener that never answers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "zk_probe.h"

/* Where Debian's zookeeper package puts the server and its dependencies
 * (the jar's manifest names the rest of the class path). */
#define ZK_JAR	      "/usr/share/java/zookeeper.jar"
#define ZK_MAIN	      "org.apache.zookeeper.server.quorum.QuorumPeerMain"
#define START_WAIT_MS 30000

struct zk_server {
	pid_t pid;
	int port;
	char dir[64];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A loopback port free right now: bind to port 0 and ask which. */
static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	int fd, port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* "3.8.0-11+deb12u2" -> "3.8.0": what the server should call itself. */
static void package_upstream_version(char *buf, size_t cap)
{
	FILE *f;
	char v[128] = "", *dash, *colon;

	f = popen("dpkg-query -W -f='${Version}' zookeeper", "r");
	assert_non_null(f);
	if (fgets(v, sizeof v, f) == NULL)
		v[0] = '\0';
	assert_int_equal(pclose(f), 0);
	colon = strchr(v, ':');
	dash = strrchr(v, '-');
	if (dash)
		*dash = '\0';
	snprintf(buf, cap, "%s", colon ? colon + 1 : v);
	print_message("installed zookeeper package: upstream version %s\n",
		      buf);
	assert_true(buf[0] != '\0');
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void server_stop(struct zk_server *s)
{
	int i, status;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		for (i = 0; i < 100; i++) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid)
				break;
			usleep(50 * 1000);
		}
		if (i == 100) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		}
		s->pid = 0;
	}
	if (s->dir[0] != '\0')
		nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void print_log(const struct zk_server *s)
{
	char path[128], buf[4096];
	ssize_t n;

	snprintf(path, sizeof path, "%s/zk.log", s->dir);
	n = core_read_file(path, buf, sizeof buf);
	if (n > 0)
		print_error("zookeeper log:\n%s\n", buf);
}

/* Starts the server in the foreground and waits until srvr answers. */
static int server_start(void **state, bool whitelist_all)
{
	struct zk_server *s = calloc(1, sizeof *s);
	struct zk_status st;
	char cfg[128], log[128], data[128];
	int64_t t0;
	FILE *f;
	int fd, status;

	assert_non_null(s);
	*state = s;
	snprintf(s->dir, sizeof s->dir, "/tmp/kagent-zk-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(cfg, sizeof cfg, "%s/zoo.cfg", s->dir);
	snprintf(log, sizeof log, "%s/zk.log", s->dir);
	snprintf(data, sizeof data, "%s/data", s->dir);
	s->port = free_port();
	f = fopen(cfg, "w");
	assert_non_null(f);
	fprintf(f,
		"tickTime=2000\ndataDir=%s\nclientPort=%d\n"
		"admin.enableServer=false\n%s",
		data, s->port,
		whitelist_all ? "4lw.commands.whitelist=*\n" : "");
	assert_int_equal(fclose(f), 0);

	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		/* never outlive the test, whatever ends it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("java", "java", "-Xmx128m", "-cp", ZK_JAR, ZK_MAIN, cfg,
		       (char *)NULL);
		_exit(127);
	}
	t0 = now_ms();
	for (;;) {
		assert_int_equal(zk_probe_run("127.0.0.1", s->port, 1000, &st),
				 0);
		if (st.state == ZK_RUNNING)
			break;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			print_log(s);
			fail_msg("zookeeper exited before answering");
		}
		if (now_ms() - t0 > START_WAIT_MS) {
			print_log(s);
			fail_msg("zookeeper not up after %d ms: %s",
				 START_WAIT_MS, st.reason);
		}
		usleep(200 * 1000);
	}
	print_message("zookeeper (%s whitelist) up on port %d after %lld ms\n",
		      whitelist_all ? "*" : "default", s->port,
		      (long long)(now_ms() - t0));
	return 0;
}

static int server_start_whitelist_all(void **state)
{
	return server_start(state, true);
}

static int server_start_default(void **state)
{
	return server_start(state, false);
}

static int server_teardown(void **state)
{
	struct zk_server *s = *state;

	if (s) {
		server_stop(s);
		free(s);
	}
	return 0;
}

/* ---- a server with every word whitelisted ---- */

static void test_whitelisted_server_answers_all_three_words(void **state)
{
	struct zk_server *s = *state;
	struct zk_status st;
	struct rlimit rl;
	char version[64];

	package_upstream_version(version, sizeof version);
	assert_int_equal(zk_probe_run("127.0.0.1", s->port, 5000, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_string_equal(st.reason, "");
	assert_true(st.imok);
	assert_true(st.ruok_allowed);
	assert_true(st.srvr_allowed);
	assert_true(st.mntr_allowed);
	assert_string_equal(st.mode, "standalone");
	assert_string_equal(st.version, version);
	/* our own mntr connection at least */
	assert_true(st.connections.known);
	assert_true(st.connections.v >= 1);
	/* a fresh dataDir has written no transaction */
	assert_true(st.zxid.known);
	assert_int_equal(st.zxid.v, 0);
	assert_true(st.node_count.known);
	assert_int_equal(st.node_count.v, 5);
	assert_true(st.outstanding.known);
	assert_int_equal(st.outstanding.v, 0);
	assert_false(st.followers.known);
	/* the JVM raises its open-file limit to the hard limit it inherits */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max != RLIM_INFINITY) {
		assert_true(st.max_fds.known);
		assert_int_equal(st.max_fds.v, (int64_t)rl.rlim_max);
	}
	assert_true(st.open_fds.known);
	assert_true(st.open_fds.v > 0);
	print_message("connections %lld, open fds %lld of %lld\n",
		      (long long)st.connections.v, (long long)st.open_fds.v,
		      (long long)st.max_fds.v);
}

/* The server binds the wildcard address, so ::1 reaches it too. */
static void test_ipv6_literal_reaches_the_server(void **state)
{
	struct zk_server *s = *state;
	struct zk_status st;

	assert_int_equal(zk_probe_run("::1", s->port, 5000, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_true(st.imok);
	assert_string_equal(st.mode, "standalone");
}

static void test_host_name_is_resolved(void **state)
{
	struct zk_server *s = *state;
	struct zk_status st;

	assert_int_equal(zk_probe_run("localhost", s->port, 5000, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_true(st.mntr_allowed);
	assert_string_equal(st.mode, "standalone");
}

/* ---- a server with the default whitelist ---- */

/* 3.8 answers srvr whatever the whitelist says; ruok and mntr are refused. */
static void test_default_whitelist_answers_only_srvr(void **state)
{
	struct zk_server *s = *state;
	struct zk_status st;
	char version[64];

	package_upstream_version(version, sizeof version);
	assert_int_equal(zk_probe_run("127.0.0.1", s->port, 5000, &st), 0);
	assert_int_equal(st.state, ZK_RUNNING);
	assert_string_equal(st.reason, "");
	assert_false(st.imok);
	assert_false(st.ruok_allowed);
	assert_true(st.srvr_allowed);
	assert_false(st.mntr_allowed);
	assert_string_equal(st.mode, "standalone");
	assert_string_equal(st.version, version);
	assert_true(st.zxid.known);
	assert_int_equal(st.zxid.v, 0);
	assert_int_equal(st.node_count.v, 5);
	/* mntr-only values stay unknown */
	assert_false(st.open_fds.known);
	assert_false(st.max_fds.known);
}

/* ---- no server ---- */

static void test_nothing_listening_is_not_running(void **state)
{
	struct zk_status st;
	char want[64];
	int port = free_port();

	(void)state;
	assert_int_equal(zk_probe_run("127.0.0.1", port, 2000, &st), 0);
	assert_int_equal(st.state, ZK_NOT_RUNNING);
	snprintf(want, sizeof want, "nothing listens on 127.0.0.1:%d", port);
	assert_string_equal(st.reason, want);
	assert_false(st.imok);
	assert_false(st.srvr_allowed);
}

/* A socket that accepts (in the kernel) but never answers: the overall
 * timeout ends the probe. */
static void test_silent_listener_times_out(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	struct zk_status st;
	char want[96];
	int64_t t0, took;
	int fd;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	t0 = now_ms();
	assert_int_equal(
	    zk_probe_run("127.0.0.1", ntohs(sa.sin_port), 300, &st), 0);
	took = now_ms() - t0;
	close(fd);
	assert_int_equal(st.state, ZK_ERROR);
	snprintf(want, sizeof want,
		 "no reply from 127.0.0.1:%d within 300 ms "
		 "(ruok)",
		 ntohs(sa.sin_port));
	assert_string_equal(st.reason, want);
	print_message("timed out after %lld ms\n", (long long)took);
	assert_true(took >= 290 && took < 2000);
}

static void test_bad_arguments_are_einval(void **state)
{
	struct zk_status st;

	(void)state;
	assert_int_equal(zk_probe_run("", 2181, 1000, &st), -EINVAL);
	assert_int_equal(zk_probe_run("127.0.0.1", 0, 1000, &st), -EINVAL);
	assert_int_equal(zk_probe_run("127.0.0.1", 65536, 1000, &st), -EINVAL);
	assert_int_equal(zk_probe_run("127.0.0.1", 2181, 0, &st), -EINVAL);
	assert_int_equal(zk_probe_run(NULL, 2181, 1000, &st), -EINVAL);
}

struct once {
	int calls;
	struct zk_status st;
};

static void count_and_free(struct zk_probe *p, const struct zk_status *st,
			   void *data)
{
	struct once *o = data;

	o->calls++;
	o->st = *st;
	free(p); /* allowed: every handle of p is closed by now */
}

/* On the caller's loop: one callback, nothing left open afterwards. */
static void test_start_calls_back_once_with_handles_closed(void **state)
{
	struct zk_probe *p = malloc(sizeof *p);
	struct once o = {0};
	uv_loop_t loop;

	(void)state;
	assert_non_null(p);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(zk_probe_start(&loop, p, "127.0.0.1", free_port(),
					2000, count_and_free, &o),
			 0);
	assert_int_equal(o.calls, 0); /* never from inside start */
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.st.state, ZK_NOT_RUNNING);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest no_server[] = {
	    cmocka_unit_test(test_nothing_listening_is_not_running),
	    cmocka_unit_test(test_silent_listener_times_out),
	    cmocka_unit_test(test_bad_arguments_are_einval),
	    cmocka_unit_test(test_start_calls_back_once_with_handles_closed),
	};
	const struct CMUnitTest whitelisted[] = {
	    cmocka_unit_test(test_whitelisted_server_answers_all_three_words),
	    cmocka_unit_test(test_ipv6_literal_reaches_the_server),
	    cmocka_unit_test(test_host_name_is_resolved),
	};
	const struct CMUnitTest default_whitelist[] = {
	    cmocka_unit_test(test_default_whitelist_answers_only_srvr),
	};
	int failed = 0;

	failed +=
	    cmocka_run_group_tests_name("no server", no_server, NULL, NULL);
	failed += cmocka_run_group_tests_name("whitelist *", whitelisted,
					      server_start_whitelist_all,
					      server_teardown);
	failed +=
	    cmocka_run_group_tests_name("default whitelist", default_whitelist,
					server_start_default, server_teardown);
	return failed;
}
