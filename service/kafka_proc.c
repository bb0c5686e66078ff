/* SPDX-License-Identifier: Apache-2.0 */
/* When the broker's process started, from the kernel's own accounting:
 * /proc/PID/stat's starttime (clock ticks after boot) and /proc/stat's
 * btime (the boot, seconds since the epoch).  kafka.upgrade.next asks
 * which brokers restarted since the last step; the process's start is
 * the one fact that changes exactly when the broker restarts. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "kafka_facts.h"

/* A stat line is one short line; proc/stat grows with the CPUs (a line
 * each) and the interrupts: 256 KiB holds a 512-CPU host's. */
#define STAT_LINE_MAX 4096
#define PROC_STAT_MAX (256 * 1024)

static int parse_u64(const char *s, const char **end, int64_t *out)
{
	char *e;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || v > INT64_MAX)
		return -ERANGE;
	*out = (int64_t)v;
	*end = e;
	return 0;
}

int kafka_proc_starttime(const char *buf, size_t len, int64_t *ticks)
{
	const char *p = NULL, *end;
	size_t i;
	int field;

	/* comm (field 2) may hold blanks and ')': fields count from the
	 * last ')'. */
	for (i = len; i > 0; i--)
		if (buf[i - 1] == ')') {
			p = buf + i;
			break;
		}
	if (p == NULL || memchr(buf, '\0', len))
		return -EINVAL;
	/* p is after field 2; starttime is field 22. */
	for (field = 2; field < 22; field++) {
		if (p >= buf + len || *p != ' ')
			return -EINVAL;
		p++;
		if (field + 1 == 22)
			break;
		while (p < buf + len && *p != ' ')
			p++;
	}
	if (p >= buf + len || parse_u64(p, &end, ticks) < 0 ||
	    (end < buf + len && *end != ' ' && *end != '\n'))
		return -EINVAL;
	return 0;
}

int kafka_proc_btime(const char *buf, size_t len, int64_t *btime)
{
	const char *p = buf, *end;

	while (p < buf + len) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));

		if (nl == NULL)
			nl = buf + len;
		if ((size_t)(nl - p) > 6 && memcmp(p, "btime ", 6) == 0) {
			if (parse_u64(p + 6, &end, btime) < 0 || end != nl)
				return -EINVAL;
			return 0;
		}
		p = nl + 1;
	}
	return -ENOENT;
}

int kafka_proc_started_ms(const char *root, pid_t pid, long clk_tck,
			  struct hw_num *out, struct hw_err *err)
{
	char path[4096], line[STAT_LINE_MAX], *all;
	int64_t ticks, btime;
	ssize_t n;
	int r;

	out->known = false;
	out->v = 0;
	if (pid <= 0 || clk_tck <= 0)
		return -EINVAL;
	r = core_path(path, sizeof path, root, "proc/%d/stat", (int)pid);
	if (r < 0)
		return r;
	n = core_read_file(path, line, sizeof line);
	if (n < 0) {
		core_err_file(err, path, (int)n);
		return (int)n;
	}
	if (kafka_proc_starttime(line, (size_t)n, &ticks) < 0) {
		core_err_set(err, "%s: no starttime (field 22)", path);
		return -EINVAL;
	}
	r = core_path(path, sizeof path, root, "proc/stat");
	if (r < 0)
		return r;
	all = malloc(PROC_STAT_MAX);
	if (all == NULL)
		return -ENOMEM;
	n = core_read_file(path, all, PROC_STAT_MAX);
	if (n < 0) {
		core_err_file(err, path, (int)n);
		free(all);
		return (int)n;
	}
	r = kafka_proc_btime(all, (size_t)n, &btime);
	free(all);
	if (r < 0) {
		core_err_set(err, "%s: no btime line", path);
		return -EINVAL;
	}
	if (btime > INT64_MAX / 1000 / 2 || ticks > INT64_MAX / 1000 / 2) {
		core_err_set(err, "%s: btime or starttime out of range", path);
		return -ERANGE;
	}
	*out = (struct hw_num){btime * 1000 + ticks * 1000 / clk_tck, true};
	return 0;
}
