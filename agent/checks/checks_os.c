/* os.* — the settings Kafka's and ZooKeeper's own operations guides ask
 * for.  All warnings: the services run without them, but stall or fail
 * under load. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

static void fmt_i64(char *buf, size_t len, int64_t v)
{
	if (v == INT64_MAX)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRId64, v);
}

static void check_swappiness(const struct facts *f, struct check_results *out)
{
	const struct hw_num *s = &f->os.swappiness;
	int64_t max = f->conf.th.os_swappiness_warn_above;
	char m[32], r[32];

	snprintf(r, sizeof r, "<= %" PRId64, max);
	if (!s->known) {
		check_add(out, "os.swappiness", NULL, SEV_UNKNOWN, "", r,
			  "proc/sys/vm/swappiness is not readable");
		return;
	}
	snprintf(m, sizeof m, "%" PRId64, s->v);
	if (s->v > max)
		check_add(out, "os.swappiness", NULL, SEV_WARN, m, r,
			  "vm.swappiness %" PRId64 " lets the kernel swap the JVM out, which stalls it; set vm.swappiness=1",
			  s->v);
	else
		check_add(out, "os.swappiness", NULL, SEV_PASS, m, r,
			  "the JVM's memory stays in RAM");
	check_set_value(out, CHECK_UNIT_NUMBER, s->v);
}

static void check_nofile(const struct facts *f, struct check_results *out)
{
	int64_t min = f->conf.th.os_nofile_warn_below;
	char m[32], r[32];

	snprintf(r, sizeof r, ">= %" PRId64, min);
	if (!f->os.nofile.known) {
		check_add(out, "os.nofile", NULL, SEV_UNKNOWN, "", r, "%s",
			  f->os.nofile_source);
		return;
	}
	fmt_i64(m, sizeof m, f->os.nofile.v);
	if (f->os.nofile.v < min)
		check_add(out, "os.nofile", NULL, SEV_WARN, m, r,
			  "open-file limit %s (%s): a broker holds a file per log segment and per connection",
			  m, f->os.nofile_source);
	else
		check_add(out, "os.nofile", NULL, SEV_PASS, m, r, "%s",
			  f->os.nofile_source);
	check_set_value(out, CHECK_UNIT_COUNT, f->os.nofile.v);
}

static void check_max_map_count(const struct facts *f, struct check_results *out)
{
	const struct hw_num *v = &f->os.max_map_count;
	int64_t min = f->conf.th.os_max_map_count_warn_below;
	char m[32], r[32];

	snprintf(r, sizeof r, ">= %" PRId64, min);
	if (!v->known) {
		check_add(out, "os.max_map_count", NULL, SEV_UNKNOWN, "", r,
			  "proc/sys/vm/max_map_count is not readable");
		return;
	}
	snprintf(m, sizeof m, "%" PRId64, v->v);
	if (v->v < min)
		check_add(out, "os.max_map_count", NULL, SEV_WARN, m, r,
			  "each log segment maps two index files; a broker with many partitions runs out of maps");
	else
		check_add(out, "os.max_map_count", NULL, SEV_PASS, m, r,
			  "room for the index files' memory maps");
	check_set_value(out, CHECK_UNIT_COUNT, v->v);
}

static void check_clock(const struct facts *f, struct check_results *out)
{
	const struct hw_num *s = &f->os.clock_synced;

	/* A captured tree has no clock: nothing of the host is unknown, the
	 * check does not apply, and must not turn the verdict UNKNOWN. */
	if (!s->known && !f->os.clock_live)
		check_add(out, "os.clock", NULL, SEV_INFO, "not judged",
			  "synchronised", "%s; judge it on the host itself",
			  f->os.clock_reason);
	else if (!s->known)
		check_add(out, "os.clock", NULL, SEV_UNKNOWN, "", "synchronised",
			  "%s", f->os.clock_reason);
	else
		check_add(out, "os.clock", NULL, s->v ? SEV_PASS : SEV_WARN,
			  s->v ? "synchronised" : "unsynchronised", "synchronised",
			  "%s", f->os.clock_reason);
}

/* Kafka's guide: XFS or ext4, and noatime saves a write per read. */
static void check_filesystem(const struct facts *f, struct check_results *out)
{
	size_t i;

	for (i = 0; i < f->n_logdirs; i++) {
		const struct facts_dir *d = &f->logdirs[i];
		const char *fs;
		int good_fs, noatime;
		char m[96];

		if (d->mount == NULL) {
			check_add(out, "os.filesystem", d->path, SEV_UNKNOWN, "",
				  "xfs or ext4, noatime", "no mount found for %s",
				  d->path);
			continue;
		}
		fs = d->mount->fstype;
		good_fs = strcmp(fs, "xfs") == 0 || strcmp(fs, "ext4") == 0;
		noatime = strstr(d->mount->options, "noatime") != NULL;
		snprintf(m, sizeof m, "%s%s", fs, noatime ? ", noatime" : "");
		if (good_fs && noatime)
			check_add(out, "os.filesystem", d->path, SEV_PASS, m,
				  "xfs or ext4, noatime", "mounted at %s",
				  d->mount->path);
		else
			check_add(out, "os.filesystem", d->path, SEV_INFO, m,
				  "xfs or ext4, noatime", "%s%s%s (mounted at %s)",
				  good_fs ? "" : "Kafka is tested on XFS and ext4",
				  !good_fs && !noatime ? "; " : "",
				  noatime ? "" : "without noatime every read also writes the access time",
				  d->mount->path);
	}
}

const struct check_def checks_os[] = {
	{ "os.swappiness", CORE_ROLE_KAFKA | CORE_ROLE_ZOOKEEPER, check_swappiness,
	  "warn when vm.swappiness > 1 (swapping the JVM stalls it)" },
	{ "os.nofile", CORE_ROLE_KAFKA, check_nofile,
	  "warn when Kafka's open-file limit is below 100000" },
	{ "os.max_map_count", CORE_ROLE_KAFKA, check_max_map_count,
	  "warn when vm.max_map_count is below 262144" },
	{ "os.clock", 0, check_clock,
	  "warn when the kernel clock is not synchronised (adjtimex)" },
	{ "os.filesystem", CORE_ROLE_KAFKA, check_filesystem,
	  "info: a log dir on a filesystem other than XFS or ext4, or without noatime" },
};
const size_t checks_os_len = sizeof checks_os / sizeof checks_os[0];
