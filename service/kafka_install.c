/* What is installed and what the log dirs hold.  The version comes from
 * jar names because a release's libs/ always carries the broker jar
 * kafka_<scala>-<version>.jar and kafka-clients-<version>.jar, whereas no
 * file states the version on its own; reading the jars would mean unzipping
 * them. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "kafka_facts.h"

/* Classifier jars shipped beside the broker jar by releases up to 1.x. */
static const char *const classifiers[] = {
    "-sources", "-javadoc", "-scaladoc", "-test", "-tests", "-test-sources",
};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* 3.6.1, 0.10.2.1, 3.6.1-SNAPSHOT, 7.5.0-ccs: digits and dots, then an
 * optional "-" and letters, digits, dots. */
static bool version_valid(const char *v, size_t n)
{
	size_t i = 0;

	if (n == 0 || !isdigit((unsigned char)v[0]))
		return false;
	while (i < n && (isdigit((unsigned char)v[i]) || v[i] == '.'))
		i++;
	if (i == n)
		return v[n - 1] != '.';
	if (v[i] != '-' || i + 1 == n)
		return false;
	for (i++; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '.')
			return false;
	return true;
}

int kafka_jar_version(const char *name, char *version, size_t vcap, char *scala,
		      size_t scap)
{
	const char *v, *s = "";
	size_t n = strlen(name), slen = 0;

	if (!ends_with(name, n, ".jar"))
		return -ENOENT;
	n -= 4;
	for (size_t i = 0; i < sizeof classifiers / sizeof classifiers[0]; i++)
		if (ends_with(name, n, classifiers[i]))
			return -ENOENT;
	if (strncmp(name, "kafka-clients-", 14) == 0) {
		v = name + 14;
	} else if (strncmp(name, "kafka_", 6) == 0) {
		s = name + 6;
		slen = strspn(s, "0123456789.");
		if (slen == 0 || s[slen] != '-')
			return -ENOENT;
		v = s + slen + 1;
	} else {
		return -ENOENT;
	}
	n -= (size_t)(v - name);
	if (!version_valid(v, n) || n >= vcap || slen >= scap)
		return -ENOENT;
	memcpy(version, v, n);
	version[n] = '\0';
	memcpy(scala, s, slen);
	scala[slen] = '\0';
	return 0;
}

/* Adds s to a set of n strings of width bytes each, at most
 * KAFKA_INSTALL_VERSIONS_MAX. */
static void add_distinct(char *base, size_t *n, size_t width, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(base + i * width, s) == 0)
			return;
	if (*n < KAFKA_INSTALL_VERSIONS_MAX)
		snprintf(base + (*n)++ * width, width, "%s", s);
}

static int version_qcmp(const void *a, const void *b)
{
	return kafka_version_cmp(a, b);
}

int kafka_install_probe(const char *root, const char *dir,
			struct kafka_install *out, struct hw_err *err)
{
	char path[4096], version[KAFKA_VERSION_MAX], scala[16];
	struct dirent *de;
	DIR *d;
	int fd, r;

	memset(out, 0, sizeof *out);
	r = core_path(path, sizeof path, root, "%s/libs", dir);
	if (r < 0) {
		core_err_set(err, "%s/libs: path too long", dir);
		return r;
	}
	r = core_dir_open(path, &fd);
	if (r == 0 && (d = fdopendir(fd)) == NULL) {
		r = -errno;
		close(fd);
	}
	if (r < 0) {
		core_err_set(err, "%s: %s", path, strerror(-r));
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		if (kafka_jar_version(de->d_name, version, sizeof version,
				      scala, sizeof scala) < 0)
			continue;
		add_distinct(out->versions[0], &out->n_versions,
			     sizeof out->versions[0], version);
		if (scala[0])
			add_distinct(out->scalas[0], &out->n_scala,
				     sizeof out->scalas[0], scala);
	}
	closedir(d);
	/* readdir order is the filesystem's: sort so facts are stable. */
	qsort(out->versions, out->n_versions, sizeof out->versions[0],
	      version_qcmp);
	qsort(out->scalas, out->n_scala, sizeof out->scalas[0], version_qcmp);
	/* Which of two versions the JVM loads depends on classpath order:
	 * say there is a conflict rather than pick one. */
	out->conflict = out->n_versions > 1 || out->n_scala > 1;
	if (out->n_versions == 1 && !out->conflict)
		strcpy(out->version, out->versions[0]);
	if (out->n_scala == 1 && !out->conflict)
		strcpy(out->scala, out->scalas[0]);
	return 0;
}

/* The next dot-separated number of *s, or -1 for a part that is not one. */
static long long version_part(const char **s)
{
	long long v = 0;

	if (!isdigit((unsigned char)**s))
		return -1;
	while (isdigit((unsigned char)**s)) {
		if (v < 100000000)
			v = v * 10 + (**s - '0');
		(*s)++;
	}
	return v;
}

int kafka_version_cmp(const char *a, const char *b)
{
	long long x, y;

	if (a[0] == '\0' || b[0] == '\0')
		return (a[0] != '\0') - (b[0] != '\0');
	for (;;) {
		x = *a == '\0' || *a == '-' ? 0 : version_part(&a);
		y = *b == '\0' || *b == '-' ? 0 : version_part(&b);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a == '\0' || *a == '-') && (*b == '\0' || *b == '-'))
			break;
		if (x < 0) /* garbage on both sides at the same place */
			return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
	}
	if (*a == '\0' || *b == '\0')
		return (*a == '\0') - (*b == '\0');
	return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
}

/* ---- log dirs ---- */

/* The walk stops counting after this many entries (a broker with 4000
 * partitions of 50 segments has 600000 files). */
#define LOGDIR_ENTRIES_MAX 2000000

/* Log.scala names: <topic>-<partition>, and for replicas on their way
 * out or in, <topic>-<partition>.<uuid>-delete / -future / -stray. */
static bool partition_name(const char *name)
{
	const char *dash = strrchr(name, '-');

	if (dash == NULL || dash == name || dash[1] == '\0')
		return false;
	if (strspn(dash + 1, "0123456789") != strlen(dash + 1))
		return false;
	for (const char *p = name; p < dash; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return true;
}

struct walk {
	struct kafka_logdir_stats *st;
	long entries;
};

/* One partition directory's bytes, under its topic's name: the name is
 * what precedes the last '-', as topic names may hold '-' and '.'. */
static int topic_add(struct kafka_topic_sizes *ts, const char *dir,
		     int64_t bytes)
{
	const char *dash = strrchr(dir, '-');
	struct kafka_topic_size *t;
	size_t n = (size_t)(dash - dir);

	if (n >= sizeof t->name)
		return 0; /* not a name Kafka allows */
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 64;
		struct kafka_topic_size *nv = reallocarray(ts->v, cap,
							   sizeof *nv);

		if (nv == NULL)
			return -ENOMEM;
		ts->v = nv;
		ts->cap = cap;
	}
	t = &ts->v[ts->n++];
	memcpy(t->name, dir, n);
	t->name[n] = '\0';
	t->bytes = bytes;
	t->replicas = 1;
	return 0;
}

static int cmp_topic_size(const void *a, const void *b)
{
	const struct kafka_topic_size *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void kafka_topic_sizes_finish(struct kafka_topic_sizes *ts)
{
	size_t i, o = 0;

	if (ts->n == 0)
		return;
	qsort(ts->v, ts->n, sizeof *ts->v, cmp_topic_size);
	for (i = 1; i < ts->n; i++) {
		if (strcmp(ts->v[o].name, ts->v[i].name) == 0) {
			ts->v[o].bytes += ts->v[i].bytes;
			ts->v[o].replicas += ts->v[i].replicas;
		} else {
			ts->v[++o] = ts->v[i];
		}
	}
	ts->n = o + 1;
}

const struct kafka_topic_size *
kafka_topic_sizes_find(const struct kafka_topic_sizes *ts, const char *name)
{
	struct kafka_topic_size key;

	if (ts->n == 0 || ts->truncated ||
	    snprintf(key.name, sizeof key.name, "%s", name) >=
		(int)sizeof key.name)
		return NULL;
	return bsearch(&key, ts->v, ts->n, sizeof *ts->v, cmp_topic_size);
}

void kafka_topic_sizes_free(struct kafka_topic_sizes *ts)
{
	free(ts->v);
	memset(ts, 0, sizeof *ts);
}

/* Sums regular files directly in dirfd; subdirectories of a partition
 * are not Kafka's and are not entered. */
static void walk_files(int dirfd, struct walk *w)
{
	struct dirent *de;
	struct stat sb;
	DIR *d = fdopendir(dirfd);

	if (d == NULL) {
		close(dirfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (++w->entries > LOGDIR_ENTRIES_MAX) {
			w->st->truncated = true;
			break;
		}
		if (fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(sb.st_mode))
			w->st->bytes.v += sb.st_size;
	}
	closedir(d);
}

/* f_blocks and f_bavail count units of f_frsize; a product beyond int64
 * is no size. */
static void fs_size(int fd, struct kafka_logdir_stats *out)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) < 0 || sv.f_frsize == 0)
		return;
	if (sv.f_blocks <= (uint64_t)INT64_MAX / sv.f_frsize) {
		out->fs_total.known = true;
		out->fs_total.v = (int64_t)(sv.f_blocks * sv.f_frsize);
	}
	if (sv.f_bavail <= (uint64_t)INT64_MAX / sv.f_frsize) {
		out->fs_available.known = true;
		out->fs_available.v = (int64_t)(sv.f_bavail * sv.f_frsize);
	}
}

int kafka_logdir_stat(const char *root, const char *dir,
		      struct kafka_logdir_stats *out, struct hw_err *err)
{
	return kafka_logdir_stat_topics(root, dir, out, NULL, err);
}

int kafka_logdir_stat_topics(const char *root, const char *dir,
			     struct kafka_logdir_stats *out,
			     struct kafka_topic_sizes *topics,
			     struct hw_err *err)
{
	struct walk w = {out, 0};
	char path[4096];
	struct dirent *de;
	struct stat sb;
	int64_t before;
	bool part;
	DIR *d;
	int fd, sub, r;

	memset(out, 0, sizeof *out);
	r = core_path(path, sizeof path, root, "%s", dir);
	if (r < 0) {
		core_err_set(err, "%s: path too long", dir);
		return r;
	}
	r = core_dir_open(path, &fd);
	if (r == 0 && (d = fdopendir(fd)) == NULL) {
		r = -errno;
		close(fd);
	}
	if (r < 0) {
		core_err_set(err, "%s: %s", path, strerror(-r));
		return r;
	}
	fs_size(fd, out);
	out->partitions.known = out->deleting.known = out->future.known = true;
	out->bytes.known = true;
	while ((de = readdir(d)) != NULL && !out->truncated) {
		size_t n = strlen(de->d_name);

		if (++w.entries > LOGDIR_ENTRIES_MAX) {
			out->truncated = true;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(sb.st_mode)) {
			out->bytes.v += sb.st_size;
			continue;
		}
		if (!S_ISDIR(sb.st_mode))
			continue;
		part = false;
		if (ends_with(de->d_name, n, "-delete"))
			out->deleting.v++;
		else if (ends_with(de->d_name, n, "-future"))
			out->future.v++;
		else if ((part = partition_name(de->d_name)))
			out->partitions.v++;
		before = out->bytes.v;
		sub = openat(fd, de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			walk_files(sub, &w);
		/* Replicas leaving (-delete) or arriving (-future) are not
		 * the topic's settled copy here. */
		if (part && topics && r == 0)
			r = topic_add(topics, de->d_name,
				      out->bytes.v - before);
	}
	closedir(d);
	/* A partial sum is not the size of the log dir. */
	if (out->truncated) {
		out->bytes.known = out->partitions.known = false;
		if (topics)
			topics->truncated = true;
	}
	if (r < 0)
		core_err_set(err, "%s: out of memory", path);
	return r;
}
