/* SPDX-License-Identifier: Apache-2.0 */
/* events_files on a live kernel: a temporary directory with two watched
 * files and an unrelated one; each way of changing a watched file yields
 * exactly its bit, the unrelated file none.  The parser is fed a lost
 * event (IN_Q_OVERFLOW), a removed watch and a truncated buffer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "events_files.h"

struct fix {
	char dir[64];
	char conf[96], cert[96], other[96], tmp[96];
	struct events_files e;
};

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

/* Waits up to 200 ms for events, then drains them all. */
static uint32_t heard(struct events_files *e, int wait_ms)
{
	struct pollfd p = {e->fd, POLLIN, 0};
	uint32_t changed = 0;

	if (poll(&p, 1, wait_ms) == 1)
		assert_int_equal(events_files_drain(e, &changed), 0);
	return changed;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kagent-evf-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof f->conf, "%s/kagent.conf", f->dir);
	snprintf(f->cert, sizeof f->cert, "%s/agent.pem", f->dir);
	snprintf(f->other, sizeof f->other, "%s/unrelated", f->dir);
	snprintf(f->tmp, sizeof f->tmp, "%s/kagent.conf.new", f->dir);
	write_file(f->conf, "a\n");
	write_file(f->cert, "b\n");
	events_files_init(&f->e);
	assert_int_equal(events_files_open(&f->e), 0);
	assert_int_equal(events_files_add(&f->e, f->conf), 0);
	assert_int_equal(events_files_add(&f->e, f->cert), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	events_files_stop(&f->e);
	unlink(f->conf);
	unlink(f->cert);
	unlink(f->other);
	unlink(f->tmp);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_files_nothing_changed_is_quiet(void **state)
{
	struct fix *f = *state;

	assert_int_equal(heard(&f->e, 50), 0);
}

static void test_files_write_is_its_bit(void **state)
{
	struct fix *f = *state;

	write_file(f->conf, "c\n");
	assert_int_equal(heard(&f->e, 2000), 1u);
	write_file(f->cert, "d\n");
	assert_int_equal(heard(&f->e, 2000), 2u);
}

static void test_files_rename_over_is_seen(void **state)
{
	struct fix *f = *state;

	write_file(f->tmp, "e\n");
	/* The temporary file's own events are not a watched file's. */
	assert_int_equal(heard(&f->e, 50), 0);
	assert_int_equal(rename(f->tmp, f->conf), 0);
	assert_int_equal(heard(&f->e, 2000), 1u);
	/* The new inode is still watched: it is the directory that is. */
	write_file(f->conf, "f\n");
	assert_int_equal(heard(&f->e, 2000), 1u);
}

static void test_files_chmod_is_seen(void **state)
{
	struct fix *f = *state;

	assert_int_equal(chmod(f->cert, 0640), 0);
	assert_int_equal(heard(&f->e, 2000), 2u);
}

static void test_files_delete_is_seen(void **state)
{
	struct fix *f = *state;

	assert_int_equal(unlink(f->cert), 0);
	assert_int_equal(heard(&f->e, 2000), 2u);
}

static void test_files_unrelated_file_is_not_a_change(void **state)
{
	struct fix *f = *state;

	write_file(f->other, "g\n");
	assert_int_equal(chmod(f->other, 0644), 0);
	assert_int_equal(unlink(f->other), 0);
	assert_int_equal(heard(&f->e, 100), 0);
}

static void test_files_directory_gone_changes_all(void **state)
{
	struct fix *f = *state;

	assert_int_equal(unlink(f->conf), 0);
	assert_int_equal(unlink(f->cert), 0);
	assert_int_equal(rmdir(f->dir), 0);
	assert_int_equal(heard(&f->e, 2000), 3u);
}

/* Builds one event with name into buf at *off. */
static void put_event(unsigned char *buf, size_t *off, int wd, uint32_t mask,
		      const char *name)
{
	struct inotify_event ev = {.wd = wd, .mask = mask};
	size_t nlen = name ? strlen(name) + 1 : 0;

	ev.len = (uint32_t)((nlen + 15) / 16 * 16);
	memcpy(buf + *off, &ev, sizeof ev);
	memset(buf + *off + sizeof ev, 0, ev.len);
	if (name)
		memcpy(buf + *off + sizeof ev, name, nlen);
	*off += sizeof ev + ev.len;
}

static const struct events_files_entry parse_files[] = {
    {.wd = 1, .name = "kagent.conf"},
    {.wd = 1, .name = "agent.pem"},
    {.wd = 2, .name = "server.properties"},
};

static void test_files_parse_overflow_changes_all(void **state)
{
	unsigned char buf[256];
	size_t off = 0;
	uint32_t changed;

	(void)state;
	put_event(buf, &off, -1, IN_Q_OVERFLOW, NULL);
	assert_int_equal(events_files_parse(parse_files, 3, buf, off, &changed),
			 0);
	assert_int_equal(changed, 7u);
}

static void test_files_parse_matches_dir_and_name(void **state)
{
	unsigned char buf[512];
	size_t off = 0;
	uint32_t changed;

	(void)state;
	/* server.properties's name under the first directory is not it. */
	put_event(buf, &off, 1, IN_CLOSE_WRITE, "server.properties");
	put_event(buf, &off, 2, IN_MOVED_TO, "server.properties");
	put_event(buf, &off, 2, IN_CREATE, "kagent.conf");
	assert_int_equal(events_files_parse(parse_files, 3, buf, off, &changed),
			 0);
	assert_int_equal(changed, 4u);
}

static void test_files_parse_removed_watch_changes_all(void **state)
{
	unsigned char buf[256];
	size_t off = 0;
	uint32_t changed;

	(void)state;
	put_event(buf, &off, 2, IN_IGNORED, NULL);
	assert_int_equal(events_files_parse(parse_files, 3, buf, off, &changed),
			 0);
	assert_int_equal(changed, 7u);
}

static void test_files_parse_truncated_is_einval(void **state)
{
	unsigned char buf[256];
	size_t off = 0;
	uint32_t changed;

	(void)state;
	put_event(buf, &off, 1, IN_CLOSE_WRITE, "kagent.conf");
	assert_int_equal(
	    events_files_parse(parse_files, 3, buf, off - 1, &changed),
	    -EINVAL);
	assert_int_equal(events_files_parse(parse_files, 3, buf, 8, &changed),
			 -EINVAL);
}

static void test_files_add_refuses_beyond_max(void **state)
{
	struct fix *f = *state;
	size_t i;

	for (i = f->e.n; i < EVENTS_FILES_MAX; i++)
		assert_int_equal(events_files_add(&f->e, f->conf), 0);
	assert_int_equal(events_files_add(&f->e, f->conf), -ENOSPC);
	assert_int_equal(events_files_add(&f->e, "/nonexistent-dir/x"),
			 -ENOSPC);
}

static void test_files_add_missing_dir_is_enoent(void **state)
{
	struct fix *f = *state;

	assert_int_equal(events_files_add(&f->e, "/nonexistent-kagent-dir/x"),
			 -ENOENT);
	assert_int_equal(f->e.n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_files_nothing_changed_is_quiet,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_files_write_is_its_bit, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_files_rename_over_is_seen,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_files_chmod_is_seen, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_files_delete_is_seen, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_files_unrelated_file_is_not_a_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_files_directory_gone_changes_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_files_add_refuses_beyond_max,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_files_add_missing_dir_is_enoent, setup, teardown),
	    cmocka_unit_test(test_files_parse_overflow_changes_all),
	    cmocka_unit_test(test_files_parse_matches_dir_and_name),
	    cmocka_unit_test(test_files_parse_removed_watch_changes_all),
	    cmocka_unit_test(test_files_parse_truncated_is_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
