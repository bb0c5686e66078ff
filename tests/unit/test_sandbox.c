/* sandbox/: each role's filter, installed in a forked child exactly as the
 * daemons install it, lets the child do its ordinary work and kills it
 * with SIGSYS at the first call outside the role's list.  The forbidden
 * calls are the ones an attacker inside a parser would want: execve (a
 * shell), ptrace (another process of the same user), a packet socket
 * (sniffing), fork, listen.  A sanitizer build installs no filter
 * (sandbox.h); there these tests are skipped. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/un.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"

/* What the child does once its filter is in place; returns its exit
 * status when it survives. */
typedef int (*act_fn)(void);

/* The child's status: WIFEXITED with act's result, or killed. */
static int run_sandboxed(enum sandbox_role role, act_fn act)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];

		if (sandbox_install(role, err, sizeof err) < 0) {
			fprintf(stderr, "sandbox_install: %s\n", err);
			_exit(99);
		}
		_exit(act());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void skip_if_sanitized(void)
{
	if (sandbox_sanitized())
		skip();
}

static void assert_killed_by_sigsys(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void assert_exited(int status, int code)
{
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), code);
}

/* ---- what every role may do ---- */

static int act_ordinary(void)
{
	char buf[64];
	void *p;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof buf) <= 0 || close(fd) < 0)
		return 1;
	p = malloc(1 << 20); /* mmap */
	if (p == NULL)
		return 2;
	memset(p, 1, 1 << 20);
	free(p);
	if (getpid() <= 0)
		return 3;
	return 0;
}

static void test_sandbox_roles_allow_ordinary_work(void **state)
{
	enum sandbox_role r;

	(void)state;
	skip_if_sanitized();
	for (r = 0; r < SANDBOX_N_ROLES; r++)
		assert_exited(run_sandboxed(r, act_ordinary), 0);
}

/* Seccomp mode 2 and one filter, as the live test reads them of the
 * daemons. */
static int act_status_shows_filter(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 2;
	buf[n] = '\0';
	if (strstr(buf, "\nSeccomp:\t2\n") == NULL)
		return 3;
	if (strstr(buf, "\nSeccomp_filters:\t1\n") == NULL)
		return 4;
	if (strstr(buf, "\nNoNewPrivs:\t1\n") == NULL)
		return 5;
	return 0;
}

static void test_sandbox_status_shows_one_filter(void **state)
{
	(void)state;
	skip_if_sanitized();
	assert_exited(run_sandboxed(SANDBOX_COLLECTOR, act_status_shows_filter),
		      0);
}

/* clone3 is answered ENOSYS, not death: glibc then falls back to clone. */
static int act_clone3_enosys(void)
{
	long r = syscall(SYS_clone3, NULL, 0);

	return r == -1 && errno == ENOSYS ? 0 : 1;
}

static void test_sandbox_clone3_is_enosys(void **state)
{
	enum sandbox_role r;

	(void)state;
	skip_if_sanitized();
	for (r = 0; r < SANDBOX_N_ROLES; r++)
		assert_exited(run_sandboxed(r, act_clone3_enosys), 0);
}

/* The prober's fallback for SMART, smartctl, is run with posix_spawn
 * (hw/smartctl.c) and runs under the prober's filter: a program that
 * loads like it (dynamic, glibc) must start, run and be reaped. */
static int act_spawn(void)
{
	char *const argv[] = {"true", NULL};
	char *const envp[] = {NULL};
	int status;
	pid_t pid;

	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, envp) != 0)
		return 1;
	if (waitpid(pid, &status, 0) != pid)
		return 2;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 3;
}

static void test_sandbox_prober_runs_a_program(void **state)
{
	(void)state;
	skip_if_sanitized();
	assert_exited(run_sandboxed(SANDBOX_PROBER, act_spawn), 0);
}

/* ---- forbidden calls kill ---- */

static int act_execve(void)
{
	char *const argv[] = {"true", NULL};

	execve("/bin/true", argv, NULL);
	return 1;
}

static int act_ptrace(void)
{
	/* TRACEME, not ATTACH: without a filter it must fail this test,
	 * not stop the test runner. */
	syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, NULL, NULL);
	return 1;
}

static int act_packet_socket(void)
{
	socket(AF_PACKET, SOCK_RAW, 0);
	return 1;
}

static int act_fork(void)
{
	/* fork() is clone without CLONE_THREAD (after clone3's ENOSYS). */
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return 1;
}

static int act_listen(void)
{
	listen(0, 1);
	return 1;
}

static int act_connect(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX, .sun_path = "/x"};

	connect(0, (struct sockaddr *)&a, sizeof a);
	return 1;
}

static int act_ioctl_tiocsti(void)
{
	char c = 'x';

	ioctl(0, TIOCSTI, &c);
	return 1;
}


/* 0 when /proc/self/status shows n filters. */
static int act_status_filters(int n)
{
	char buf[4096], want[64];
	ssize_t r;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return 2;
	buf[r] = '\0';
	snprintf(want, sizeof want, "\nSeccomp_filters:\t%d\n", n);
	return strstr(buf, want) ? 0 : 3;
}

/* The prober's watchdog forks its worker, which adds the prober's own
 * filter on top of the one it inherited (two filters, both apply): the
 * worker may then not fork, and the watchdog reaps it killed by SIGSYS. */
static int act_watch_forks_worker(void)
{
	char err[256];
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			_exit(2);
		if (sandbox_install(SANDBOX_PROBER, err, sizeof err) < 0)
			_exit(3);
		if (act_status_filters(2) != 0)
			_exit(4);
		_exit(act_fork());
	}
	if (waitpid(pid, &status, 0) != pid)
		return 5;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS ? 0 : 6;
}

static void test_sandbox_watchdog_forks_a_filtered_worker(void **state)
{
	(void)state;
	skip_if_sanitized();
	assert_exited(run_sandboxed(SANDBOX_PROBER_WATCH,
				    act_watch_forks_worker), 0);
}

static void test_sandbox_execve_kills_network_sides(void **state)
{
	(void)state;
	skip_if_sanitized();
	assert_killed_by_sigsys(run_sandboxed(SANDBOX_AGENT_NET, act_execve));
	assert_killed_by_sigsys(run_sandboxed(SANDBOX_COLLECTOR, act_execve));
}

static void test_sandbox_ptrace_kills_every_role(void **state)
{
	enum sandbox_role r;

	(void)state;
	skip_if_sanitized();
	for (r = 0; r < SANDBOX_N_ROLES; r++)
		assert_killed_by_sigsys(run_sandboxed(r, act_ptrace));
}

static void test_sandbox_packet_socket_kills_every_role(void **state)
{
	enum sandbox_role r;

	(void)state;
	skip_if_sanitized();
	for (r = 0; r < SANDBOX_N_ROLES; r++)
		assert_killed_by_sigsys(run_sandboxed(r, act_packet_socket));
}

static void test_sandbox_fork_kills_every_role(void **state)
{
	enum sandbox_role r;

	(void)state;
	skip_if_sanitized();
	for (r = 0; r < SANDBOX_N_ROLES; r++)
		if (r != SANDBOX_PROBER_WATCH)
			assert_killed_by_sigsys(run_sandboxed(r, act_fork));
}

static void test_sandbox_listen_kills_every_role(void **state)
{
	enum sandbox_role r;

	(void)state;
	skip_if_sanitized();
	for (r = 0; r < SANDBOX_N_ROLES; r++)
		assert_killed_by_sigsys(run_sandboxed(r, act_listen));
}

/* The collector accepts; it never reaches out.  (The prober connects to
 * lldpd's unix socket, hw/lldp.c.) */
static void test_sandbox_connect_kills_collector(void **state)
{
	(void)state;
	skip_if_sanitized();
	assert_killed_by_sigsys(run_sandboxed(SANDBOX_COLLECTOR, act_connect));
}

/* The network sides' ioctl is limited to libuv's and isatty's requests. */
static void test_sandbox_other_ioctl_kills_network_sides(void **state)
{
	(void)state;
	skip_if_sanitized();
	assert_killed_by_sigsys(
	    run_sandboxed(SANDBOX_AGENT_NET, act_ioctl_tiocsti));
	assert_killed_by_sigsys(
	    run_sandboxed(SANDBOX_COLLECTOR, act_ioctl_tiocsti));
}

/* What only gathering facts needs: a socket for SIOCETHTOOL, the kernel
 * clock's state.  kagentd's network side gathers them; the prober, which
 * only reads raw bytes, is killed at either. */
static int act_inet_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

static int act_adjtimex(void)
{
	struct timex tx;

	memset(&tx, 0, sizeof tx);
	return adjtimex(&tx) < 0 ? 1 : 0;
}

/* The request's answer does not matter (lo has no link settings): the
 * call is made and returns. */
static int act_ethtool(void)
{
	struct ethtool_cmd cmd = {.cmd = ETHTOOL_GSET};
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	ifr.ifr_data = (char *)&cmd;
	ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return 0;
}

static void test_sandbox_prober_cannot_gather_facts(void **state)
{
	(void)state;
	skip_if_sanitized();
	assert_killed_by_sigsys(run_sandboxed(SANDBOX_PROBER, act_inet_socket));
	assert_killed_by_sigsys(run_sandboxed(SANDBOX_PROBER, act_adjtimex));
	assert_exited(run_sandboxed(SANDBOX_AGENT_NET, act_inet_socket), 0);
	assert_exited(run_sandboxed(SANDBOX_AGENT_NET, act_adjtimex), 0);
	assert_exited(run_sandboxed(SANDBOX_AGENT_NET, act_ethtool), 0);
}

static void test_sandbox_role_names(void **state)
{
	(void)state;
	assert_string_equal(sandbox_role_name(SANDBOX_PROBER), "prober");
	assert_string_equal(sandbox_role_name(SANDBOX_AGENT_NET), "agent");
	assert_string_equal(sandbox_role_name(SANDBOX_COLLECTOR), "collector");
	assert_string_equal(sandbox_role_name(SANDBOX_PROBER_WATCH), "watchdog");
	assert_string_equal(sandbox_role_name(SANDBOX_N_ROLES), "?");
}

static void test_sandbox_sanitized_build_installs_nothing(void **state)
{
	char err[64] = "";

	(void)state;
	if (!sandbox_sanitized())
		skip();
	assert_int_equal(sandbox_install(SANDBOX_COLLECTOR, err, sizeof err),
			 -ENOTSUP);
	assert_string_equal(err, "sanitizer build");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sandbox_roles_allow_ordinary_work),
	    cmocka_unit_test(test_sandbox_status_shows_one_filter),
	    cmocka_unit_test(test_sandbox_clone3_is_enosys),
	    cmocka_unit_test(test_sandbox_prober_runs_a_program),
	    cmocka_unit_test(test_sandbox_execve_kills_network_sides),
	    cmocka_unit_test(test_sandbox_ptrace_kills_every_role),
	    cmocka_unit_test(test_sandbox_packet_socket_kills_every_role),
	    cmocka_unit_test(test_sandbox_fork_kills_every_role),
	    cmocka_unit_test(test_sandbox_watchdog_forks_a_filtered_worker),
	    cmocka_unit_test(test_sandbox_listen_kills_every_role),
	    cmocka_unit_test(test_sandbox_connect_kills_collector),
	    cmocka_unit_test(test_sandbox_other_ioctl_kills_network_sides),
	    cmocka_unit_test(test_sandbox_prober_cannot_gather_facts),
	    cmocka_unit_test(test_sandbox_role_names),
	    cmocka_unit_test(test_sandbox_sanitized_build_installs_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
