/* OS settings below a root.  The open-file limit that matters is the one
 * the Kafka process runs with, so a running broker is looked for first;
 * without one, the limit its unit or systemd would give it. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "os.h"
#include "root.h"

#define KAFKA_MAIN "kafka.Kafka"
#define ZK_MAIN "org.apache.zookeeper.server.quorum.QuorumPeerMain"

int hw_os_parse_limits_nofile(const char *text, int64_t *soft)
{
	const char *p = strstr(text, "\nMax open files");
	char word[32];

	if (p == NULL)
		return -ENOENT;
	p += strlen("\nMax open files");
	if (sscanf(p, "%31s", word) != 1)
		return -EINVAL;
	if (strcmp(word, "unlimited") == 0) {
		*soft = INT64_MAX;
		return 0;
	}
	return core_parse_i64(word, soft);
}

int hw_os_parse_systemd_nofile(const char *text, const char *key, int64_t *soft)
{
	size_t klen = strlen(key), k;
	const char *line = text;
	int found = -ENOENT;

	/* The last assignment wins, as in systemd. */
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		while (len && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		/* systemd strips blanks around the key and the value, and an
		 * empty value resets the limit to the default. */
		k = klen;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (len > k && strncmp(line, key, klen) == 0 && line[k] == '=') {
			char val[64];
			const char *v = line + k + 1;
			size_t vlen = len - k - 1;
			char *colon;

			while (vlen && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' ||
					v[vlen - 1] == '\r'))
				vlen--;
			if (vlen >= sizeof val)
				return -EINVAL;
			memcpy(val, v, vlen);
			val[vlen] = '\0';
			colon = strchr(val, ':');
			if (colon)
				*colon = '\0';
			if (val[0] == '\0') {
				found = -ENOENT;
			} else if (strcmp(val, "infinity") == 0) {
				*soft = INT64_MAX;
				found = 0;
			} else if (core_parse_i64(val, soft) == 0) {
				found = 0;
			} else {
				return -EINVAL;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return found;
}

/* cmdline is NUL-separated; a JVM's main class is one of its arguments. */
static int cmdline_has(const char *buf, size_t len, const char *arg)
{
	size_t i = 0;

	while (i < len) {
		if (strcmp(buf + i, arg) == 0)
			return 1;
		i += strlen(buf + i) + 1;
	}
	return 0;
}

static void find_services(const char *root, struct hw_os *out)
{
	char path[PATH_MAX], buf[16384], comm[32];
	struct dirent *de;
	DIR *d;

	if (core_path(path, sizeof path, root, "proc") < 0 ||
	    (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		ssize_t n;
		int64_t pid;

		if (!isdigit((unsigned char)de->d_name[0]) ||
		    core_parse_i64(de->d_name, &pid) < 0 || pid <= 0 || pid > INT_MAX)
			continue;
		/* Reading a cmdline copies another process's memory; comm is a
		 * kernel string.  Kafka and ZooKeeper are JVMs: look further
		 * only at processes named java. */
		if (core_path(path, sizeof path, root, "proc/%s/comm", de->d_name) < 0 ||
		    core_read_line(path, comm, sizeof comm) < 0 ||
		    strcmp(comm, "java") != 0)
			continue;
		if (core_path(path, sizeof path, root, "proc/%s/cmdline", de->d_name) < 0)
			continue;
		n = core_read_file(path, buf, sizeof buf);
		if (n <= 0)
			continue;
		if (!out->kafka_pid && cmdline_has(buf, (size_t)n, KAFKA_MAIN))
			out->kafka_pid = (pid_t)pid;
		if (!out->zookeeper_pid && cmdline_has(buf, (size_t)n, ZK_MAIN))
			out->zookeeper_pid = (pid_t)pid;
	}
	closedir(d);
}

static int read_unit_nofile(const char *root, const char *rel, const char *key,
			    int64_t *soft)
{
	char path[PATH_MAX], buf[65536];

	if (core_path(path, sizeof path, root, "%s", rel) < 0 ||
	    core_read_file(path, buf, sizeof buf) < 0)
		return -ENOENT;
	return hw_os_parse_systemd_nofile(buf, key, soft);
}

static void probe_nofile(const char *root, struct hw_os *out)
{
	static const char *units[] = {
		"etc/systemd/system/kafka.service.d/override.conf",
		"etc/systemd/system/kafka.service",
		"lib/systemd/system/kafka.service",
		"usr/lib/systemd/system/kafka.service",
	};
	char path[PATH_MAX], buf[8192];
	int64_t v;
	size_t i;

	if (out->kafka_pid) {
		if (core_path(path, sizeof path, root, "proc/%d/limits",
			    (int)out->kafka_pid) == 0 &&
		    core_read_file(path, buf, sizeof buf) >= 0 &&
		    hw_os_parse_limits_nofile(buf, &v) == 0) {
			out->nofile = (struct hw_num){ v, true };
			snprintf(out->nofile_source, sizeof out->nofile_source,
				 "running Kafka process %d", (int)out->kafka_pid);
			return;
		}
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (read_unit_nofile(root, units[i], "LimitNOFILE", &v) == 0) {
			out->nofile = (struct hw_num){ v, true };
			snprintf(out->nofile_source, sizeof out->nofile_source,
				 "LimitNOFILE in /%s", units[i]);
			return;
		}
	}
	if (read_unit_nofile(root, "etc/systemd/system.conf",
			     "DefaultLimitNOFILE", &v) == 0) {
		out->nofile = (struct hw_num){ v, true };
		snprintf(out->nofile_source, sizeof out->nofile_source,
			 "DefaultLimitNOFILE in /etc/systemd/system.conf");
		return;
	}
	snprintf(out->nofile_source, sizeof out->nofile_source,
		 "no Kafka process running and no LimitNOFILE configured");
}

static int read_sysctl(const char *root, const char *rel, struct hw_num *out,
		       struct hw_err *err)
{
	char path[PATH_MAX];
	int64_t v;
	int r;

	if (core_path(path, sizeof path, root, "%s", rel) < 0)
		return -ENAMETOOLONG;
	r = core_read_i64(path, &v);
	if (r == -EINVAL || r == -ERANGE) {
		core_err_set(err, "%s: not a number", path);
		return r;
	}
	if (r == 0)
		*out = (struct hw_num){ v, true };
	return 0;
}

int hw_os_probe(const char *root, struct hw_os *out, struct hw_err *err)
{
	struct timex tx;
	int r;

	memset(out, 0, sizeof *out);
	r = read_sysctl(root, "proc/sys/vm/swappiness", &out->swappiness, err);
	if (r < 0)
		return r;
	r = read_sysctl(root, "proc/sys/vm/max_map_count", &out->max_map_count, err);
	if (r < 0)
		return r;
	find_services(root, out);
	probe_nofile(root, out);
	/* The kernel clock has no file below a root: only a live host tells. */
	if (!hw_root_is_live(root)) {
		snprintf(out->clock_reason, sizeof out->clock_reason,
			 "clock state is read from the live kernel only");
		return 0;
	}
	out->clock_live = true;
	memset(&tx, 0, sizeof tx);
	r = adjtimex(&tx);
	if (r < 0) {
		snprintf(out->clock_reason, sizeof out->clock_reason,
			 "adjtimex: %s", strerror(errno));
		return 0;
	}
	out->clock_synced = (struct hw_num){
		r != TIME_ERROR && !(tx.status & STA_UNSYNC), true };
	snprintf(out->clock_reason, sizeof out->clock_reason,
		 out->clock_synced.v ? "kernel clock synchronised (maxerror %ld us)"
				     : "kernel clock unsynchronised (STA_UNSYNC)",
		 tx.maxerror);
	return 0;
}
