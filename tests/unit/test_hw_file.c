/* The one bounded reader, core_read_file, and the readers built on it: a
 * fifo, a socket or a directory where a file is expected is refused at
 * once with -CORE_ENOTREG and a message naming the file and what it is.
 * Before, open() of a fifo without a writer waited for ever: each test
 * arms alarm() so such a hang fails the test instead of stalling it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "core_ini.h"
#include "hw.h"
#include "props.h"

struct tmp {
	char dir[64];
	char path[PATH_MAX];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof *t);

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof t->dir, "/tmp/test_hw_file.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	*state = t;
	alarm(10);
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	char cmd[128];

	alarm(0);
	snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static const char *fifo_at(struct tmp *t, const char *name)
{
	snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
	assert_int_equal(mkfifo(t->path, 0600), 0);
	return t->path;
}

static void test_fifo_refused_without_waiting(void **state)
{
	const char *p = fifo_at(*state, "meminfo");
	char buf[64];
	int fd = 7;

	assert_int_equal(core_read_file(p, buf, sizeof buf), -CORE_ENOTREG);
	assert_int_equal(core_read_line(p, buf, sizeof buf), -CORE_ENOTREG);
	assert_int_equal(core_file_open(p, 0, &fd), -CORE_ENOTREG);
	assert_int_equal(fd, -1);
}

static void test_fifo_message_names_file_and_type(void **state)
{
	struct tmp *t = *state;
	const char *p = fifo_at(t, "speed");
	struct hw_err err = {{0}};
	char want[PATH_MAX + 64];

	core_err_file(&err, p, -CORE_ENOTREG);
	snprintf(want, sizeof want, "%s is a fifo, not a regular file", p);
	assert_string_equal(err.msg, want);
}

static void test_directory_and_socket_refused(void **state)
{
	struct tmp *t = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[64], msg[PATH_MAX + 64], want[PATH_MAX + 64];
	int s;

	assert_int_equal(core_read_file(t->dir, buf, sizeof buf), -CORE_ENOTREG);
	core_file_strerror(msg, sizeof msg, t->dir, -CORE_ENOTREG);
	snprintf(want, sizeof want, "%s is a directory, not a regular file",
		 t->dir);
	assert_string_equal(msg, want);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", t->dir);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(core_read_file(sa.sun_path, buf, sizeof buf),
			 -CORE_ENOTREG);
	core_file_strerror(msg, sizeof msg, sa.sun_path, -CORE_ENOTREG);
	snprintf(want, sizeof want, "%s is a socket, not a regular file",
		 sa.sun_path);
	assert_string_equal(msg, want);
	close(s);
}

static void test_regular_file_read_and_bounded(void **state)
{
	struct tmp *t = *state;
	char buf[5];
	FILE *f;

	snprintf(t->path, sizeof t->path, "%s/f", t->dir);
	f = fopen(t->path, "w");
	assert_non_null(f);
	fputs("123456789", f);
	fclose(f);
	/* cap - 1 bytes and a NUL: a longer file is cut, never overrun. */
	assert_int_equal(core_read_file(t->path, buf, sizeof buf), 4);
	assert_string_equal(buf, "1234");
}

static void test_missing_file_keeps_strerror(void **state)
{
	struct tmp *t = *state;
	char buf[8], msg[PATH_MAX + 64], want[PATH_MAX + 64];

	snprintf(t->path, sizeof t->path, "%s/none", t->dir);
	assert_int_equal(core_read_file(t->path, buf, sizeof buf), -ENOENT);
	core_file_strerror(msg, sizeof msg, t->path, -ENOENT);
	snprintf(want, sizeof want, "%s: No such file or directory", t->path);
	assert_string_equal(msg, want);
}

static void test_props_load_fifo(void **state)
{
	const char *p = fifo_at(*state, "server.properties");
	struct props_err err = {0};
	struct props pr;
	char want[PATH_MAX + 64];

	assert_int_equal(props_load(p, &pr, &err), -CORE_ENOTREG);
	snprintf(want, sizeof want, "%s is a fifo, not a regular file", p);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.line, 0);
}

static int no_key(void *user, const char *section, const char *key,
		  const char *value, char *msg, size_t msglen)
{
	(void)user, (void)section, (void)key, (void)value, (void)msg,
	    (void)msglen;
	return 1;
}

static void test_conf_ini_load_fifo(void **state)
{
	const char *p = fifo_at(*state, "kagent.conf");
	char err[PATH_MAX + 64], want[PATH_MAX + 64];

	assert_int_equal(core_ini_load(p, 4096, no_key, NULL, err, sizeof err),
			 -CORE_ENOTREG);
	snprintf(want, sizeof want, "%s is a fifo, not a regular file", p);
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_fifo_refused_without_waiting),
	    T(test_fifo_message_names_file_and_type),
	    T(test_directory_and_socket_refused),
	    T(test_regular_file_read_and_bounded),
	    T(test_missing_file_keeps_strerror),
	    T(test_props_load_fifo),
	    T(test_conf_ini_load_fifo),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
