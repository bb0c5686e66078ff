/* hw_nics_probe("/") on a live kernel: a child in a new network and mount
 * namespace, with its own sysfs on /sys, creates a veth pair with known
 * addresses and routes, probes, and hands the result to the parent through
 * a pipe.  Its namespace, and the veth pair with it, die when it exits.
 * Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and ip(8). */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hw.h"

#define NIC_MAX 8

struct result {
	int rc;
	struct hw_err err;
	size_t n;
	char default_route[HW_IFNAME_MAX];
	struct hw_nic v[NIC_MAX];
};

static const char *const setup[] = {
    "ip link add kv0 address 02:00:00:00:99:01 type veth "
    "peer name kv1 address 02:00:00:00:99:02",
    /* No automatic link-local address: the address list stays exact. */
    "ip link set kv0 addrgenmode none",
    "ip link set kv1 addrgenmode none",
    "ip link set kv0 up",
    "ip link set kv1 up",
    "ip addr add 10.99.0.1/24 dev kv0",
    "ip addr add fd00:99::1/64 dev kv0 nodad",
    "ip route add default via 10.99.0.2 dev kv0",
};

static int wait_operstate_up(const char *ifname)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	char path[64], buf[16];
	int i;

	snprintf(path, sizeof path, "/sys/class/net/%s/operstate", ifname);
	for (i = 0; i < 100; i++) {
		if (core_read_line(path, buf, sizeof buf) == 0 &&
		    strcmp(buf, "up") == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static int child_probe(struct result *res)
{
	struct hw_nics nics;
	size_t i;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		return 10;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 11;
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		return 12;
	for (i = 0; i < sizeof setup / sizeof setup[0]; i++)
		if (system(setup[i]) != 0)
			return 20 + (int)i;
	if (wait_operstate_up("kv0") < 0 || wait_operstate_up("kv1") < 0)
		return 13;
	res->rc = hw_nics_probe("/", &nics, &res->err);
	if (res->rc == 0) {
		res->n = nics.n;
		memcpy(res->default_route, nics.default_route,
		       sizeof res->default_route);
		for (i = 0; i < nics.n && i < NIC_MAX; i++)
			res->v[i] = nics.v[i];
		hw_nics_free(&nics);
	}
	if (system("ip link del kv0") != 0)
		return 14;
	return 0;
}

static void probe_in_netns(struct result *res)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	memset(res, 0, sizeof *res);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct result out;
		int code;

		memset(&out, 0, sizeof out);
		close(fds[0]);
		code = child_probe(&out);
		if (code == 0 && write(fds[1], &out, sizeof out) != sizeof out)
			code = 15;
		_exit(code);
	}
	close(fds[1]);
	while (got < sizeof *res &&
	       (r = read(fds[0], (char *)res + got, sizeof *res - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("netns child failed with status %d (10-12: unshare or "
			 "mount, needs root; 20+: ip command %d of the setup)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			 WIFEXITED(status) ? WEXITSTATUS(status) - 20 : -1);
	assert_int_equal(got, sizeof *res);
}

static const struct hw_nic *find(const struct result *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->n && i < NIC_MAX; i++)
		if (strcmp(res->v[i].name, name) == 0)
			return &res->v[i];
	fail_msg("no interface %s", name);
	return NULL;
}

static void test_nic_veth_in_netns(void **state)
{
	struct result res;
	const struct hw_nic *v, *lo;

	(void)state;
	probe_in_netns(&res);
	if (res.rc != 0)
		fail_msg("hw_nics_probe: %d %s", res.rc, res.err.msg);
	assert_int_equal(res.n, 3);
	assert_string_equal(res.v[0].name, "kv0");
	assert_string_equal(res.v[1].name, "kv1");
	assert_string_equal(res.v[2].name, "lo");
	v = find(&res, "kv0");
	assert_true(v->speed_mbps.known);
	assert_int_equal(v->speed_mbps.v, 10000);
	assert_string_equal(v->duplex, "full");
	assert_string_equal(v->operstate, "up");
	assert_true(v->carrier.known);
	assert_int_equal(v->carrier.v, 1);
	assert_true(v->mtu.known);
	assert_int_equal(v->mtu.v, 1500);
	assert_string_equal(v->mac, "02:00:00:00:99:01");
	assert_true(v->virtual);
	assert_false(v->bond);
	assert_string_equal(v->driver, "");
	/* veth advertises no link modes and has no partner that does. */
	assert_false(v->max_speed_mbps.known);
	assert_int_equal(v->n_addrs, 2);
	assert_string_equal(v->addrs[0], "10.99.0.1/24");
	assert_string_equal(v->addrs[1], "fd00:99::1/64");
	assert_int_equal(find(&res, "kv1")->n_addrs, 0);
	/* lo of a new namespace is down: carrier and speed refuse to read. */
	lo = find(&res, "lo");
	assert_true(lo->virtual);
	assert_string_equal(lo->operstate, "down");
	assert_false(lo->carrier.known);
	assert_false(lo->speed_mbps.known);
	assert_int_equal(lo->n_addrs, 0);
	assert_string_equal(res.default_route, "kv0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nic_veth_in_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
