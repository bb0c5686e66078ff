/* SPDX-License-Identifier: Apache-2.0 */
/* events_link on a live kernel: a child in a new network namespace opens
 * the rtnetlink socket, then adds a veth pair, an address and a route,
 * and counts what the socket says after each; a socket whose buffer
 * overran says so as a change.  The results go to the parent through a
 * pipe.  Its namespaces, and the links with them, die when it exits.
 * Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and ip(8). */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "events_link.h"
#include "hw.h"

struct result {
	int step; /* the step that failed, 0 when none */
	unsigned quiet;    /* changes heard before anything changed */
	unsigned link;     /* after ip link add */
	unsigned again;    /* a second drain right after */
	unsigned addr;     /* after ip addr add */
	unsigned route;    /* after ip link set up and ip route add */
	unsigned overrun;  /* after many changes on a tiny buffer */
	int probed_link;   /* hw_nics_probe lists the new link */
};

/* Waits for the socket to be readable, then drains it. */
static int heard(int fd, unsigned *changes)
{
	struct pollfd p = {fd, POLLIN, 0};

	*changes = 0;
	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	return events_link_drain(fd, changes);
}

static int child(struct result *res)
{
	struct hw_err err = {{0}};
	struct hw_nics nics;
	int fd, small, i, r = 0;
	size_t k;

	/* Its own sysfs: /sys/class/net shows the namespace that mounted it. */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		return res->step = 1;
	if (events_link_socket(&fd) < 0)
		return res->step = 2;
	if (events_link_drain(fd, &res->quiet) < 0)
		return res->step = 3;
	if (system("ip link add kev0 type veth peer name kev1") != 0 ||
	    heard(fd, &res->link) < 0)
		return res->step = 4;
	if (events_link_drain(fd, &res->again) < 0)
		return res->step = 5;
	if (system("ip addr add 10.97.0.1/24 dev kev0") != 0 ||
	    heard(fd, &res->addr) < 0)
		return res->step = 6;
	/* Up, then a route of its own; what the link's coming up says is
	 * drained first, so the count is the route's and the link's. */
	if (system("ip link set kev1 up") != 0 || system("ip link set kev0 up") != 0 ||
	    system("ip route add 10.96.0.0/16 via 10.97.0.2 dev kev0") != 0 ||
	    heard(fd, &res->route) < 0)
		return res->step = 7;
	if (hw_nics_probe("/", &nics, &err) < 0)
		return res->step = 8;
	for (k = 0; k < nics.n; k++)
		if (!strcmp(nics.v[k].name, "kev0"))
			res->probed_link = 1;
	hw_nics_free(&nics);
	/* The smallest receive buffer the kernel allows, left unread while
	 * links come and go: the next read says events were lost. */
	small = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) < 0)
		return res->step = 9;
	for (i = 0; i < 12 && r == 0; i++)
		r = system("ip link add kev2 type veth peer name kev3 && ip link del kev2");
	if (r != 0 || heard(fd, &res->overrun) < 0)
		return res->step = 10;
	close(fd);
	return 0;
}

static void run(struct result *res)
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

		memset(&out, 0, sizeof out);
		close(fds[0]);
		child(&out);
		_exit(write(fds[1], &out, sizeof out) == sizeof out ? 0 : 1);
	}
	close(fds[1]);
	while (got < sizeof *res &&
	       (r = read(fds[0], (char *)res + got, sizeof *res - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, sizeof *res);
}

static void test_events_in_netns(void **state)
{
	struct result res;

	(void)state;
	if (geteuid() != 0)
		skip();
	run(&res);
	if (res.step != 0)
		fail_msg("netns child failed at step %d (1: unshare, needs "
			 "root; 4, 6, 7, 10: an ip command or no event)",
			 res.step);
	assert_int_equal(res.quiet, 0);
	assert_true(res.link >= 1);
	assert_int_equal(res.again, 0);
	assert_true(res.addr >= 1);
	assert_true(res.route >= 1);
	assert_int_equal(res.probed_link, 1);
	assert_true(res.overrun >= 1);
}

/* Not a netlink socket: the error, not a silent "no change". */
static void test_drain_bad_fd(void **state)
{
	unsigned changes = 7;

	(void)state;
	assert_int_equal(events_link_drain(-1, &changes), -EBADF);
	assert_int_equal(changes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_events_in_netns),
	    cmocka_unit_test(test_drain_bad_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
