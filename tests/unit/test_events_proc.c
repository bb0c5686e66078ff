/* SPDX-License-Identifier: Apache-2.0 */
/* events_proc on a live kernel: a forked child's pidfd is quiet while it
 * lives and readable once it is killed; a pid that does not exist gives
 * -ESRCH.  On the loop, the exit turns the generation to 0 (unwatched). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "events_proc.h"

static pid_t sleeper(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void test_proc_kill_makes_pidfd_readable(void **state)
{
	bool exited = true;
	pid_t pid = sleeper();
	int fd, status;

	(void)state;
	assert_int_equal(events_proc_open(pid, &fd), 0);
	assert_int_equal(events_proc_exited(fd, 50, &exited), 0);
	assert_false(exited);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(events_proc_exited(fd, 5000, &exited), 0);
	assert_true(exited);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	close(fd);
}

static void test_proc_missing_pid_is_esrch(void **state)
{
	pid_t pid = sleeper();
	int fd = -1, status;

	(void)state;
	/* A reaped child's pid is free: nothing has it now. */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(events_proc_open(pid, &fd), -ESRCH);
	assert_int_equal(fd, -1);
	assert_int_equal(events_proc_open(0, &fd), -ESRCH);
	assert_int_equal(events_proc_open(-1, &fd), -ESRCH);
}

static void test_proc_exit_on_loop_unwatches(void **state)
{
	struct events_proc e;
	uv_loop_t loop;
	pid_t pid = sleeper();
	uint64_t first;
	int status, i;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	events_proc_init(&e);
	assert_int_equal(events_proc_gen(&e), 0);
	assert_int_equal(events_proc_start(&loop, &e, pid), 0);
	first = events_proc_gen(&e);
	assert_int_equal(first, 1);
	assert_int_equal(e.pid, pid);
	assert_int_equal(uv_run(&loop, UV_RUN_NOWAIT), 1);
	assert_int_equal(events_proc_gen(&e), 1);
	assert_int_equal(kill(pid, SIGKILL), 0);
	for (i = 0; i < 500 && events_proc_gen(&e) != 0; i++)
		uv_run(&loop, UV_RUN_ONCE);
	assert_int_equal(events_proc_gen(&e), 0);
	assert_int_equal(e.pid, 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* The next process watched gets a generation never seen before. */
	pid = sleeper();
	assert_int_equal(events_proc_start(&loop, &e, pid), 0);
	assert_int_equal(events_proc_gen(&e), 2);
	events_proc_stop(&e);
	assert_int_equal(events_proc_gen(&e), 0);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(e.fd, -1);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proc_kill_makes_pidfd_readable),
	    cmocka_unit_test(test_proc_missing_pid_is_esrch),
	    cmocka_unit_test(test_proc_exit_on_loop_unwatches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
