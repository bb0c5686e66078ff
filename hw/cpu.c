/* CPU: model, sockets, physical cores and threads from procfs and the
 * sysfs topology, the way lscpu counts them. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

/* The kernel's largest NR_CPUS (CONFIG_NR_CPUS_RANGE_END on x86_64). */
#define CPU_MAX	  8192
#define CPU_WORDS (CPU_MAX / 64)

struct cpuset {
	uint64_t w[CPU_WORDS];
};

struct cpu_topo {
	int64_t package;
	int64_t die;
	int64_t core;
};

/* A path component that is a file where a directory should be (a capture
 * that stored a symlink as text) hides the attribute like a missing one. */
static bool absent(int r)
{
	return r == -ENOENT || r == -ENOTDIR;
}

/* Why a number could not be read from path: not one, or an I/O error. */
static int number_error(int r, const char *path, const char *what,
			struct hw_err *err)
{
	if (r == -EINVAL || r == -ERANGE || r >= 0) {
		core_err_set(err, "%s: not %s", path, what);
		return -EINVAL;
	}
	core_err_file(err, path, r);
	return r;
}

static void cpuset_add(struct cpuset *s, unsigned cpu)
{
	s->w[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

static bool cpuset_has(const struct cpuset *s, unsigned cpu)
{
	return (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

static int64_t cpuset_count(const struct cpuset *s)
{
	int64_t n = 0;

	for (size_t i = 0; i < CPU_WORDS; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

static int parse_cpu_number(const char **p, unsigned *out)
{
	unsigned v = 0;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (unsigned)(**p - '0');
		if (v >= CPU_MAX)
			return -EINVAL;
		(*p)++;
	}
	*out = v;
	return 0;
}

/* A kernel cpulist as sysfs prints it: "0-3,8-11", one line, or empty
 * (the "offline" file of a host with every CPU online).  Anything else,
 * including "0-", "3-1" and the boot-parameter stride syntax, is
 * rejected rather than guessed at. */
static int cpulist_parse(const char *s, struct cpuset *out)
{
	const char *p = s;
	unsigned a, b;

	memset(out, 0, sizeof *out);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n')
		return 0;
	for (;;) {
		if (parse_cpu_number(&p, &a) < 0)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			p++;
			if (parse_cpu_number(&p, &b) < 0 || b < a)
				return -EINVAL;
		}
		for (unsigned c = a; c <= b; c++)
			cpuset_add(out, c);
		if (*p != ',')
			break;
		p++;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return *p == '\0' ? 0 : -EINVAL;
}

/* -ENOENT when the file is absent, so callers can fall back. */
static int cpulist_read(const char *root, const char *rel, struct cpuset *out,
			struct hw_err *err)
{
	char path[4096], buf[4096];
	ssize_t n;
	int r;

	r = core_path(path, sizeof path, root, "%s", rel);
	if (r < 0)
		return r;
	n = core_read_file(path, buf, sizeof buf);
	if (absent((int)n))
		return -ENOENT;
	if (n < 0) {
		core_err_file(err, path, (int)n);
		return (int)n;
	}
	if ((size_t)n == sizeof buf - 1 || cpulist_parse(buf, out) < 0) {
		core_err_set(err, "%s: not a CPU list", path);
		return -EINVAL;
	}
	return 0;
}

/* Without a "present" file (old kernels, partial captures) the cpuN
 * directories are the present CPUs. */
static int present_from_dirs(const char *root, struct cpuset *out,
			     struct hw_err *err)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int r;

	memset(out, 0, sizeof *out);
	r = core_path(path, sizeof path, root, "sys/devices/system/cpu");
	if (r < 0)
		return r;
	d = opendir(path);
	if (d == NULL) {
		r = -errno;
		core_err_set(err, "%s: %s", path, strerror(-r));
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		const char *p = de->d_name + 3;
		unsigned cpu;

		if (strncmp(de->d_name, "cpu", 3) != 0)
			continue;
		if (parse_cpu_number(&p, &cpu) < 0 || *p != '\0')
			continue; /* cpufreq, cpuidle, a number past CPU_MAX */
		cpuset_add(out, cpu);
	}
	closedir(d);
	return 0;
}

/* Without an "online" file, a CPU is online unless its cpuN/online says
 * 0; the boot CPU often has no such file because it cannot be unplugged. */
static int online_from_dirs(const char *root, const struct cpuset *present,
			    struct cpuset *out, struct hw_err *err)
{
	char path[4096];
	int64_t v;
	int r;

	memset(out, 0, sizeof *out);
	for (unsigned c = 0; c < CPU_MAX; c++) {
		if (!cpuset_has(present, c))
			continue;
		r = core_path(path, sizeof path, root,
			    "sys/devices/system/cpu/cpu%u/online", c);
		if (r < 0)
			return r;
		r = core_read_i64(path, &v);
		if (absent(r)) {
			cpuset_add(out, c);
			continue;
		}
		if (r < 0 || (v != 0 && v != 1))
			return number_error(r, path, "0 or 1", err);
		if (v == 1)
			cpuset_add(out, c);
	}
	return 0;
}

/* -ENOENT passes through: a missing attribute makes a value unknown. */
static int topo_read(const char *root, unsigned cpu, const char *name,
		     int64_t *out, struct hw_err *err)
{
	char path[4096];
	int r;

	r = core_path(path, sizeof path, root,
		    "sys/devices/system/cpu/cpu%u/topology/%s", cpu, name);
	if (r < 0)
		return r;
	r = core_read_i64(path, out);
	if (absent(r))
		return -ENOENT;
	if (r < 0)
		return number_error(r, path, "a number", err);
	return 0;
}

static int topo_cmp(const void *a, const void *b)
{
	const struct cpu_topo *x = a, *y = b;

	if (x->package != y->package)
		return x->package < y->package ? -1 : 1;
	if (x->die != y->die)
		return x->die < y->die ? -1 : 1;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return 0;
}

/* core_id repeats across packages (and dies): a physical core is a
 * distinct (package, die, core) tuple.  Cores are counted from online
 * CPUs only, because some kernels remove the topology directory of an
 * offline CPU; a core whose threads are all offline is not counted. */
static int cpu_topology(const char *root, const struct cpuset *online,
			struct hw_cpu *out, struct hw_err *err)
{
	struct cpu_topo *t;
	int64_t n_online = cpuset_count(online), threads = 0;
	size_t n = 0, cores = 0, sockets = 0, run = 0;
	char path[4096], buf[4096];
	struct cpuset sib;
	int r = 0;

	if (n_online == 0)
		return 0;
	t = calloc((size_t)n_online, sizeof *t);
	if (t == NULL)
		return -ENOMEM;
	for (unsigned c = 0; c < CPU_MAX; c++) {
		if (!cpuset_has(online, c))
			continue;
		r = topo_read(root, c, "physical_package_id", &t[n].package,
			      err);
		if (r == 0)
			r = topo_read(root, c, "core_id", &t[n].core, err);
		if (r == 0) {
			r = topo_read(root, c, "die_id", &t[n].die, err);
			if (r == -ENOENT) {
				t[n].die = 0; /* before 5.2, one die each */
				r = 0;
			}
		}
		if (r == -ENOENT) {
			r = 0;
			goto out_free; /* topology unknown */
		}
		if (r < 0)
			goto out_free;
		/* A capture may hold fewer cpuN directories than the sibling
		 * list names, so the list counts too. */
		r = core_path(path, sizeof path, root,
			    "sys/devices/system/cpu/cpu%u/topology/"
			    "thread_siblings_list",
			    c);
		if (r < 0)
			goto out_free;
		r = (int)core_read_file(path, buf, sizeof buf);
		if (absent(r)) {
			r = 0;
		} else if (r >= 0) {
			if ((size_t)r == sizeof buf - 1 ||
			    cpulist_parse(buf, &sib) < 0) {
				core_err_set(err, "%s: not a CPU list", path);
				r = -EINVAL;
				goto out_free;
			}
			if (cpuset_count(&sib) > threads)
				threads = cpuset_count(&sib);
		} else {
			core_err_file(err, path, r);
			goto out_free;
		}
		r = 0;
		n++;
	}
	qsort(t, n, sizeof *t, topo_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || topo_cmp(&t[i], &t[i - 1]) != 0) {
			cores++;
			run = 0;
		}
		if (i == 0 || t[i].package != t[i - 1].package)
			sockets++;
		if ((int64_t)++run > threads)
			threads = (int64_t)run;
	}
	out->cores = (struct hw_num){(int64_t)cores, true};
	out->sockets = (struct hw_num){(int64_t)sockets, true};
	out->threads_per_core = (struct hw_num){threads, true};
out_free:
	free(t);
	return r;
}

/* The fastest any CPU may run; cpufreq is absent in most VMs. */
static int cpu_max_mhz(const char *root, const struct cpuset *present,
		       struct hw_cpu *out, struct hw_err *err)
{
	char path[4096];
	int64_t khz;
	int r;

	for (unsigned c = 0; c < CPU_MAX; c++) {
		if (!cpuset_has(present, c))
			continue;
		r = core_path(path, sizeof path, root,
			    "sys/devices/system/cpu/cpu%u/cpufreq/"
			    "cpuinfo_max_freq",
			    c);
		if (r < 0)
			return r;
		r = core_read_i64(path, &khz);
		if (absent(r))
			continue;
		if (r < 0 || khz <= 0)
			return number_error(r, path, "a frequency in kHz", err);
		if (!out->max_mhz.known || khz / 1000 > out->max_mhz.v)
			out->max_mhz = (struct hw_num){khz / 1000, true};
	}
	return 0;
}

/* The first "key : value" of /proc/cpuinfo whose key is one of names, in
 * order of preference: x86 "model name", older ARM "Processor", POWER
 * "cpu", MIPS "cpu model". */
static void cpuinfo_model(const char *info, char *model, size_t cap)
{
	static const char *const names[] = {"model name", "Processor", "cpu",
					    "cpu model"};

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t kl = strlen(names[k]);

		for (const char *l = info; l && *l; l = strchr(l, '\n')) {
			const char *p, *end;
			size_t vl;

			if (*l == '\n')
				l++;
			if (strncmp(l, names[k], kl) != 0)
				continue;
			p = l + kl;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ':')
				continue;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			end = strchr(p, '\n');
			vl = end ? (size_t)(end - p) : strlen(p);
			while (vl > 0 &&
			       (p[vl - 1] == ' ' || p[vl - 1] == '\t'))
				vl--;
			if (vl == 0)
				continue;
			if (vl >= cap)
				vl = cap - 1;
			memcpy(model, p, vl);
			model[vl] = '\0';
			return;
		}
	}
}

int hw_cpu_probe(const char *root, struct hw_cpu *out, struct hw_err *err)
{
	struct cpuset *present, *online;
	char path[4096], *info;
	ssize_t n;
	int r;

	memset(out, 0, sizeof *out);
	r = core_root_check(root, err);
	if (r < 0)
		return r;
	info = malloc(CORE_READ_MAX);
	present = malloc(sizeof *present);
	online = malloc(sizeof *online);
	if (info == NULL || present == NULL || online == NULL) {
		r = -ENOMEM;
		goto out_free;
	}
	r = core_path(path, sizeof path, root, "proc/cpuinfo");
	if (r < 0)
		goto out_free;
	n = core_read_file(path, info, CORE_READ_MAX);
	if (n < 0) {
		r = (int)n;
		core_err_file(err, path, r);
		goto out_free;
	}
	cpuinfo_model(info, out->model, sizeof out->model);

	r = cpulist_read(root, "sys/devices/system/cpu/present", present, err);
	if (r == -ENOENT)
		r = present_from_dirs(root, present, err);
	if (r < 0)
		goto out_free;
	r = cpulist_read(root, "sys/devices/system/cpu/online", online, err);
	if (r == -ENOENT)
		r = online_from_dirs(root, present, online, err);
	if (r < 0)
		goto out_free;
	if (cpuset_count(present) > 0)
		out->logical = (struct hw_num){cpuset_count(present), true};
	if (cpuset_count(online) > 0)
		out->online = (struct hw_num){cpuset_count(online), true};

	r = cpu_topology(root, online, out, err);
	if (r < 0)
		goto out_free;
	r = cpu_max_mhz(root, present, out, err);
out_free:
	free(online);
	free(present);
	free(info);
	return r;
}
