/* Installed version from libs/ jar names, the version order, and log dir
 * counts.  The install fixtures are empty files named as the release
 * archives name their jars; the log dir fixture has Kafka's layout
 * (checkpoint files, <topic>-<n> directories of segment files, -delete and
 * -future replicas, symlinks that must not be followed) with segment files
 * of chosen sizes: 6344 bytes of regular files in all.  The filesystem
 * sizes are read from a tmpfs of 64 MiB mounted in a mount namespace of
 * the test's own (needs root, skipped otherwise): a size the kernel
 * reports exactly, whatever the machine. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "kafka_facts.h"

static void probe(const char *dir, struct kafka_install *in)
{
	struct hw_err err = {{0}};

	if (kafka_install_probe(FIXTURES, dir, in, &err) != 0)
		fail_msg("%s", err.msg);
}

static void test_release_3_6_1_broker_jar_gives_version(void **s)
{
	struct kafka_install in;

	(void)s;
	probe("kafka-install-3.6.1", &in);
	assert_string_equal(in.version, "3.6.1");
	assert_string_equal(in.scala, "2.13");
	assert_false(in.conflict);
	assert_int_equal(in.n_versions, 1);
}

static void test_release_0_10_skips_classifier_jars(void **s)
{
	struct kafka_install in;

	(void)s;
	probe("kafka-install-0.10.2.1", &in);
	assert_string_equal(in.version, "0.10.2.1");
	assert_string_equal(in.scala, "2.11");
	assert_false(in.conflict);
}

static void test_two_versions_in_libs_is_a_conflict(void **s)
{
	struct kafka_install in;

	(void)s;
	probe("kafka-install-mixed", &in);
	assert_true(in.conflict);
	assert_string_equal(in.version, "");
	assert_int_equal(in.n_versions, 2);
	assert_string_equal(in.versions[0], "3.6.1");
	assert_string_equal(in.versions[1], "3.7.0");
	assert_string_equal(in.scala, "");
	assert_int_equal(in.n_scala, 1);
}

static void test_no_kafka_jar_is_unknown_not_error(void **s)
{
	struct kafka_install in;

	(void)s;
	probe("kafka-install-none", &in);
	assert_string_equal(in.version, "");
	assert_false(in.conflict);
	assert_int_equal(in.n_versions, 0);
	probe("kafka-install-clients-only", &in);
	assert_string_equal(in.version, "3.6.1");
	assert_string_equal(in.scala, "");
}

static void test_missing_install_dir_names_path(void **s)
{
	struct kafka_install in;
	struct hw_err err = {{0}};

	(void)s;
	assert_int_equal(
	    kafka_install_probe(FIXTURES, "kafka-install-absent", &in, &err),
	    -ENOENT);
	assert_string_equal(err.msg, FIXTURES "/kafka-install-absent/libs: "
					      "No such file or directory");
}

static void test_jar_names(void **s)
{
	char v[32], sc[16];

	(void)s;
	assert_int_equal(kafka_jar_version("kafka_2.12-2.8.0.jar", v, sizeof v,
					   sc, sizeof sc),
			 0);
	assert_string_equal(v, "2.8.0");
	assert_string_equal(sc, "2.12");
	assert_int_equal(kafka_jar_version("kafka_2.13-7.5.0-ccs.jar", v,
					   sizeof v, sc, sizeof sc),
			 0);
	assert_string_equal(v, "7.5.0-ccs");
	assert_int_equal(kafka_jar_version("kafka_2.13-3.6.1-test.jar", v,
					   sizeof v, sc, sizeof sc),
			 -ENOENT);
	assert_int_equal(kafka_jar_version("kafka-clients-3.6.1-javadoc.jar", v,
					   sizeof v, sc, sizeof sc),
			 -ENOENT);
	assert_int_equal(kafka_jar_version("kafka-streams-scala_2.13-3.6.1.jar",
					   v, sizeof v, sc, sizeof sc),
			 -ENOENT);
	assert_int_equal(
	    kafka_jar_version("kafka_2.13-.jar", v, sizeof v, sc, sizeof sc),
	    -ENOENT);
	assert_int_equal(kafka_jar_version("kafka_2.13-3.6.1.jar.bak", v,
					   sizeof v, sc, sizeof sc),
			 -ENOENT);
}

static void test_version_order(void **s)
{
	(void)s;
	assert_true(kafka_version_cmp("0.10.2.1", "2.8.0") < 0);
	assert_true(kafka_version_cmp("2.8.0", "3.6.1") < 0);
	assert_true(kafka_version_cmp("3.6.1", "4.0.0") < 0);
	assert_true(kafka_version_cmp("4.0.0", "3.6.1") > 0);
	assert_true(kafka_version_cmp("0.9.0.1", "0.10.0.0") < 0);
	assert_true(kafka_version_cmp("3.10.0", "3.9.1") > 0);
	assert_int_equal(kafka_version_cmp("2.8", "2.8.0"), 0);
	assert_int_equal(kafka_version_cmp("3.6.1", "3.6.1"), 0);
	assert_true(kafka_version_cmp("3.6.1-SNAPSHOT", "3.6.1") < 0);
	assert_true(kafka_version_cmp("3.6.1", "3.6.1-SNAPSHOT") > 0);
	assert_true(kafka_version_cmp("2.8-IV0", "2.8-IV1") < 0);
	assert_true(kafka_version_cmp("3.6.1-rc0", "3.6.2") < 0);
	assert_true(kafka_version_cmp("", "0.8.2.2") < 0);
	assert_int_equal(kafka_version_cmp("", ""), 0);
}

static void test_logdir_counts_partitions_not_symlinks(void **s)
{
	struct kafka_logdir_stats st;
	struct hw_err err = {{0}};

	(void)s;
	assert_int_equal(
	    kafka_logdir_stat(FIXTURES, "kafka-logdir-a", &st, &err), 0);
	assert_true(st.partitions.known);
	assert_int_equal(st.partitions.v, 3);
	assert_int_equal(st.deleting.v, 1);
	assert_int_equal(st.future.v, 1);
	assert_true(st.bytes.known);
	assert_int_equal(st.bytes.v, 6344);
	assert_false(st.truncated);
}

static void test_logdir_missing_names_path(void **s)
{
	struct kafka_logdir_stats st;
	struct hw_err err = {{0}};

	(void)s;
	assert_int_equal(
	    kafka_logdir_stat(FIXTURES, "/var/lib/kafka-absent", &st, &err),
	    -ENOENT);
	assert_string_equal(err.msg, FIXTURES "/var/lib/kafka-absent: "
					      "No such file or directory");
	assert_false(st.bytes.known);
}

/* In a child: a private tmpfs of 64 MiB at dir, one partition with a
 * 1 MiB segment, then the stat of its log dir written to fd. */
static int tmpfs_child(const char *dir, int fd)
{
	static char seg[1024 * 1024];
	struct kafka_logdir_stats st;
	struct hw_err err = {{0}};
	char path[512];
	int f;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=64m") < 0)
		return 10;
	snprintf(path, sizeof path, "%s/logs", dir);
	if (mkdir(path, 0755) < 0)
		return 11;
	snprintf(path, sizeof path, "%s/logs/t-0", dir);
	if (mkdir(path, 0755) < 0)
		return 11;
	snprintf(path, sizeof path, "%s/logs/t-0/00000000000000000000.log",
		 dir);
	f = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (f < 0 || write(f, seg, sizeof seg) != (ssize_t)sizeof seg ||
	    close(f) < 0)
		return 12;
	if (kafka_logdir_stat(dir, "/logs", &st, &err) < 0)
		return 13;
	return write(fd, &st, sizeof st) == (ssize_t)sizeof st ? 0 : 14;
}

static void test_logdir_filesystem_size_of_tmpfs(void **s)
{
	char dir[] = "/tmp/kagent-logdir-XXXXXX";
	struct kafka_logdir_stats st;
	int fds[2], status;
	pid_t pid;

	(void)s;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(tmpfs_child(dir, fds[1]));
	}
	close(fds[1]);
	memset(&st, 0, sizeof st);
	assert_int_equal(read(fds[0], &st, sizeof st), (ssize_t)sizeof st);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	rmdir(dir);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(st.fs_total.known);
	assert_int_equal(st.fs_total.v, 64 * 1024 * 1024);
	/* tmpfs keeps no reserve: available is total less the segment. */
	assert_true(st.fs_available.known);
	assert_int_equal(st.fs_available.v, 63 * 1024 * 1024);
	assert_int_equal(st.bytes.v, 1024 * 1024);
	assert_int_equal(st.partitions.v, 1);
}

/* Two log dirs: a topic's partitions are summed over both, names with
 * '.' and '-' keep everything before the last '-', and -delete and
 * -future directories are not the topic's copy here. */
static void test_topic_sizes_over_two_log_dirs(void **s)
{
	struct kafka_topic_sizes ts = {0};
	struct kafka_logdir_stats st;
	struct hw_err err = {{0}};
	const struct kafka_topic_size *t;

	(void)s;
	assert_int_equal(kafka_logdir_stat_topics(FIXTURES, "kafka-logdir-topics/d1",
						  &st, &ts, &err), 0);
	assert_int_equal(st.partitions.v, 4);
	assert_int_equal(kafka_logdir_stat_topics(FIXTURES, "kafka-logdir-topics/d2",
						  &st, &ts, &err), 0);
	assert_int_equal(st.partitions.v, 1);
	assert_int_equal(st.bytes.v, 3 + 50 + 60 + 12);
	kafka_topic_sizes_finish(&ts);
	assert_int_equal(ts.n, 3);
	assert_string_equal(ts.v[0].name, "a-1");
	assert_int_equal(ts.v[0].bytes, 7);
	assert_int_equal(ts.v[0].replicas, 1);
	t = kafka_topic_sizes_find(&ts, "app.events-v2");
	assert_non_null(t);
	assert_int_equal(t->bytes, 100 + 20 + 8 + 3);
	assert_int_equal(t->replicas, 3);
	t = kafka_topic_sizes_find(&ts, "orders");
	assert_non_null(t);
	assert_int_equal(t->bytes, 1000);
	assert_int_equal(t->replicas, 1);
	assert_null(kafka_topic_sizes_find(&ts, "app.events"));
	/* A truncated walk knows no topic's size. */
	ts.truncated = true;
	assert_null(kafka_topic_sizes_find(&ts, "orders"));
	kafka_topic_sizes_free(&ts);
	assert_int_equal(ts.n, 0);
}

/* kafka-proc/proc/4242/stat's comm holds blanks and ')': starttime
 * 123456 ticks after btime 1700000000. */
static void test_proc_started_ms_from_stat_and_btime(void **s)
{
	struct hw_num ms;
	struct hw_err err = {{0}};
	int64_t ticks;

	(void)s;
	assert_int_equal(kafka_proc_started_ms(FIXTURES "/kafka-proc", 4242,
					       100, &ms, &err), 0);
	assert_true(ms.known);
	assert_int_equal(ms.v, 1700000000000LL + 1234560);
	assert_int_equal(kafka_proc_started_ms(FIXTURES "/kafka-proc", 4242,
					       1000, &ms, &err), 0);
	assert_int_equal(ms.v, 1700000000000LL + 123456);
	/* A stat line cut before field 22. */
	assert_int_equal(kafka_proc_started_ms(FIXTURES "/kafka-proc", 77,
					       100, &ms, &err), -EINVAL);
	assert_false(ms.known);
	assert_string_equal(err.msg, FIXTURES "/kafka-proc/proc/77/stat: "
					      "no starttime (field 22)");
	assert_int_equal(kafka_proc_started_ms(FIXTURES "/kafka-proc", 5,
					       100, &ms, &err), -ENOENT);
	assert_false(ms.known);
	assert_int_equal(kafka_proc_starttime("1 (a) S", 7, &ticks), -EINVAL);
	assert_int_equal(kafka_proc_btime("cpu 1\n", 6, &ticks), -ENOENT);
	assert_int_equal(kafka_proc_btime("btime x\n", 8, &ticks), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_release_3_6_1_broker_jar_gives_version),
	    cmocka_unit_test(test_release_0_10_skips_classifier_jars),
	    cmocka_unit_test(test_two_versions_in_libs_is_a_conflict),
	    cmocka_unit_test(test_no_kafka_jar_is_unknown_not_error),
	    cmocka_unit_test(test_missing_install_dir_names_path),
	    cmocka_unit_test(test_jar_names),
	    cmocka_unit_test(test_version_order),
	    cmocka_unit_test(test_logdir_counts_partitions_not_symlinks),
	    cmocka_unit_test(test_logdir_missing_names_path),
	    cmocka_unit_test(test_topic_sizes_over_two_log_dirs),
	    cmocka_unit_test(test_proc_started_ms_from_stat_and_btime),
	    cmocka_unit_test(test_logdir_filesystem_size_of_tmpfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
