/* hw_cpu_probe on fixture trees, the shared corpus, lscpu and this host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "hw.h"

struct lscpu {
	long cpus, threads_per_core, cores_per_socket, sockets;
};

static long field(const char *line, const char *key)
{
	size_t kl = strlen(key);

	if (strncmp(line, key, kl) != 0)
		return -1;
	return strtol(line + kl, NULL, 10);
}

/* lscpu is the reference: it reads the same tree with its own code. */
static void lscpu_read(const char *root, struct lscpu *l)
{
	char cmd[1024], line[1024];
	FILE *p;
	long v;

	memset(l, 0xff, sizeof *l);
	snprintf(cmd, sizeof cmd, "LC_ALL=C lscpu --sysroot '%s'", root);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof line, p)) {
		if ((v = field(line, "CPU(s):")) >= 0)
			l->cpus = v;
		if ((v = field(line, "Thread(s) per core:")) >= 0)
			l->threads_per_core = v;
		if ((v = field(line, "Core(s) per socket:")) >= 0)
			l->cores_per_socket = v;
		if ((v = field(line, "Socket(s):")) >= 0)
			l->sockets = v;
	}
	assert_int_equal(pclose(p), 0);
	printf("lscpu --sysroot %s: %ld CPUs, %ld sockets x %ld cores x %ld "
	       "threads\n",
	       root, l->cpus, l->sockets, l->cores_per_socket,
	       l->threads_per_core);
}

static void assert_num(struct hw_num n, int64_t v)
{
	assert_true(n.known);
	assert_int_equal(n.v, v);
}

static void probe_ok(const char *root, struct hw_cpu *c)
{
	struct hw_err err = {""};

	assert_int_equal(hw_cpu_probe(root, c, &err), 0);
	assert_string_equal(err.msg, "");
}

static void test_2s48t_counts_cores_per_package_not_core_ids(void **state)
{
	struct hw_cpu c;

	(void)state;
	probe_ok(FIXTURES "/host-2s48t", &c);
	assert_string_equal(c.model,
			    "Intel(R) Xeon(R) CPU E5-2650 v4 @ 2.20GHz");
	assert_num(c.sockets, 2);
	assert_num(c.cores, 24); /* 12 distinct core ids, twice */
	assert_num(c.threads_per_core, 2);
	assert_num(c.logical, 48);
	assert_num(c.online, 48);
	assert_num(c.max_mhz, 2900); /* cpufreq/ is a link to policyN */
}

static void test_2s48t_agrees_with_lscpu(void **state)
{
	struct lscpu l;
	struct hw_cpu c;

	(void)state;
	lscpu_read(FIXTURES "/host-2s48t", &l);
	assert_int_equal(l.cpus, 48);
	assert_int_equal(l.sockets, 2);
	assert_int_equal(l.cores_per_socket, 12);
	assert_int_equal(l.threads_per_core, 2);
	probe_ok(FIXTURES "/host-2s48t", &c);
	assert_int_equal(c.logical.v, l.cpus);
	assert_int_equal(c.sockets.v, l.sockets);
	assert_int_equal(c.cores.v, l.sockets * l.cores_per_socket);
	assert_int_equal(c.threads_per_core.v, l.threads_per_core);
}

static void test_vm_capture_has_no_cpufreq(void **state)
{
	struct lscpu l;
	struct hw_cpu c;

	(void)state;
	probe_ok(FIXTURES "/host-vm2-cpu", &c);
	assert_string_equal(c.model, "AMD EPYC");
	assert_num(c.sockets, 1);
	assert_num(c.cores, 2);
	assert_num(c.threads_per_core, 1);
	assert_num(c.logical, 2);
	assert_num(c.online, 2);
	assert_false(c.max_mhz.known);
	lscpu_read(FIXTURES "/host-vm2-cpu", &l);
	assert_int_equal(l.cpus, 2);
	assert_int_equal(l.sockets, 1);
	assert_int_equal(l.cores_per_socket, 2);
	assert_int_equal(l.threads_per_core, 1);
}

/* procfs's fixture: cpu0 and cpu1 only, no present/online files (so the
 * cpuN directories and their online files decide), thread siblings
 * "0,4" and "1,5" naming CPUs the capture left out; cpu0/cpufreq is a
 * plain file holding the text of its link, so only cpu1's 3.3 GHz is
 * readable. */
static void test_procfs_corpus_falls_back_to_cpu_dirs(void **state)
{
	struct hw_cpu c;

	(void)state;
	probe_ok(CORPUS "/sysfs-procfs", &c);
	assert_string_equal(c.model,
			    "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
	assert_num(c.sockets, 1);
	assert_num(c.cores, 2);
	assert_num(c.threads_per_core, 2);
	assert_num(c.logical, 2);
	assert_num(c.online, 2);
	assert_num(c.max_mhz, 3300);
}

/* node_exporter's fixture: four CPUs in two packages with core ids 0,1
 * each, "online" 0-3, no thread_siblings_list, no cpuinfo_max_freq. */
static void test_node_exporter_corpus_repeats_core_ids(void **state)
{
	struct hw_cpu c;

	(void)state;
	probe_ok(CORPUS "/sysfs-node-exporter", &c);
	assert_string_equal(c.model,
			    "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
	assert_num(c.sockets, 2);
	assert_num(c.cores, 4);
	assert_num(c.threads_per_core, 1);
	assert_num(c.logical, 4);
	assert_num(c.online, 4);
	assert_false(c.max_mhz.known);
}

static void probe_fails(const char *root, int code, const char *file)
{
	struct hw_err err = {""};
	struct hw_cpu c;
	char want[1024];

	assert_int_equal(hw_cpu_probe(root, &c, &err), code);
	snprintf(want, sizeof want, "%s/%s: ", root, file);
	printf("%s\n", err.msg);
	assert_memory_equal(err.msg, want, strlen(want));
}

static void test_cpulist_open_range_is_einval(void **state)
{
	(void)state;
	probe_fails(FIXTURES "/host-badonline-cpu", -EINVAL,
		    "sys/devices/system/cpu/online");
}

static void test_cpulist_reversed_range_is_einval(void **state)
{
	(void)state;
	probe_fails(FIXTURES "/host-reversedpresent-cpu", -EINVAL,
		    "sys/devices/system/cpu/present");
}

static void test_non_numeric_core_id_is_einval(void **state)
{
	(void)state;
	probe_fails(FIXTURES "/host-badcoreid-cpu", -EINVAL,
		    "sys/devices/system/cpu/cpu1/topology/core_id");
}

static void test_missing_cpuinfo_is_enoent(void **state)
{
	(void)state;
	probe_fails(FIXTURES "/host-nomemtotal-mem", -ENOENT, "proc/cpuinfo");
}

static long run_long(const char *cmd)
{
	char line[64];
	long v = -1;
	FILE *p;

	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, sizeof line, p))
		v = strtol(line, NULL, 10);
	assert_int_equal(pclose(p), 0);
	printf("%s: %ld\n", cmd, v);
	return v;
}

static void test_live_counts_match_nproc(void **state)
{
	struct hw_cpu c;

	(void)state;
	probe_ok("/", &c);
	assert_num(c.logical,
		   run_long("env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT "
			    "nproc --all"));
	assert_num(c.online, run_long("env -u OMP_NUM_THREADS -u "
				      "OMP_THREAD_LIMIT nproc"));
	assert_true(c.cores.known && c.cores.v >= 1 && c.cores.v <= c.online.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_2s48t_counts_cores_per_package_not_core_ids),
	    cmocka_unit_test(test_2s48t_agrees_with_lscpu),
	    cmocka_unit_test(test_vm_capture_has_no_cpufreq),
	    cmocka_unit_test(test_procfs_corpus_falls_back_to_cpu_dirs),
	    cmocka_unit_test(test_node_exporter_corpus_repeats_core_ids),
	    cmocka_unit_test(test_cpulist_open_range_is_einval),
	    cmocka_unit_test(test_cpulist_reversed_range_is_einval),
	    cmocka_unit_test(test_non_numeric_core_id_is_einval),
	    cmocka_unit_test(test_missing_cpuinfo_is_enoent),
	    cmocka_unit_test(test_live_counts_match_nproc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
