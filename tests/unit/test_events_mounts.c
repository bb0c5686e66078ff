/* SPDX-License-Identifier: Apache-2.0 */
/* events_mounts on a live kernel: a child in a mount namespace of its own
 * watches its /proc/self/mountinfo, mounts a tmpfs and unmounts it, and
 * says what it saw after each through a pipe.  Needs root
 * (CAP_SYS_ADMIN); skipped otherwise. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "events_mounts.h"

struct result {
	int step;	/* the step that failed, 0 when none */
	bool quiet;	/* after the first poll, nothing mounted */
	bool mounted;	/* after mount */
	bool again;	/* a second poll right after */
	bool unmounted; /* after umount */
};

static int child(struct result *res)
{
	char dir[] = "/tmp/kagent-evm-XXXXXX";
	bool first;
	int fd;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return res->step = 1;
	if (!mkdtemp(dir))
		return res->step = 2;
	if (events_mounts_open("/proc/self/mountinfo", &fd) < 0)
		return res->step = 3;
	/* The first poll of a freshly opened file reports a change. */
	if (events_mounts_changed(fd, 0, &first) < 0 ||
	    events_mounts_changed(fd, 0, &res->quiet) < 0)
		return res->step = 4;
	if (mount("tmpfs", dir, "tmpfs", 0, "size=1m") < 0 ||
	    events_mounts_changed(fd, 5000, &res->mounted) < 0 ||
	    events_mounts_changed(fd, 0, &res->again) < 0)
		return res->step = 5;
	if (umount(dir) < 0 ||
	    events_mounts_changed(fd, 5000, &res->unmounted) < 0)
		return res->step = 6;
	close(fd);
	rmdir(dir);
	return 0;
}

static void test_mounts_mount_and_umount_are_heard(void **state)
{
	struct result res;
	int p[2], status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	memset(&res, 0, sizeof res);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child(&res);
		_exit(write(p[1], &res, sizeof res) == sizeof res ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &res, sizeof res), (ssize_t)sizeof res);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(res.step, 0);
	assert_false(res.quiet);
	assert_true(res.mounted);
	assert_false(res.again);
	assert_true(res.unmounted);
}

static void test_mounts_missing_file_is_enoent(void **state)
{
	int fd = -1;

	(void)state;
	assert_int_equal(
	    events_mounts_open("/nonexistent-kagent/mountinfo", &fd), -ENOENT);
	assert_int_equal(fd, -1);
}

static void test_mounts_quiet_table_is_not_a_change(void **state)
{
	bool changed;
	int fd;

	(void)state;
	assert_int_equal(events_mounts_open("/proc/self/mountinfo", &fd), 0);
	assert_int_equal(events_mounts_changed(fd, 0, &changed), 0);
	assert_int_equal(events_mounts_changed(fd, 0, &changed), 0);
	assert_false(changed);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mounts_mount_and_umount_are_heard),
	    cmocka_unit_test(test_mounts_missing_file_is_enoent),
	    cmocka_unit_test(test_mounts_quiet_table_is_not_a_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
