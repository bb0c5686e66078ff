/* zookeeper.disk.fsync, zookeeper.disk.dedicated — the device under the
 * transaction log.  Every write ZooKeeper acknowledges waits for an fsync
 * of dataLogDir; when that is slow, requests queue, followers fall behind
 * and sessions expire.  Its administrator's guide asks for a log device of
 * its own.  The latency is read from the block layer's flush counters
 * (flush.h), without writing a byte. */
#include <stdio.h>
#include <string.h>

#include "checks.h"

/* The transaction log's dir: dataLogDir when set apart, else dataDir. */
static const struct facts_dir *log_dir(const struct facts *f)
{
	return f->n_zk_dirs ? &f->zk_dirs[f->n_zk_dirs - 1] : NULL;
}

/* Unknown results both checks share: no zoo.cfg, no dir, no local disk.
 * true when one was added. */
static bool log_dir_unknown(const struct facts *f, const char *id,
			    const char *req, struct check_results *out)
{
	const struct facts_dir *d = log_dir(f);

	if (f->zk == NULL) {
		check_add(out, id, NULL, SEV_UNKNOWN, "", req, "%s",
			  f->zk_error);
		return true;
	}
	if (d == NULL) {
		check_add(out, id, NULL, SEV_UNKNOWN, "", req,
			  "%s sets no dataDir", f->zk_path);
		return true;
	}
	if (d->mount == NULL) {
		check_add(out, id, d->path, SEV_UNKNOWN, "", req,
			  "no mount found for %s", d->path);
		return true;
	}
	if (d->n_disks == 0) {
		check_add(out, id, d->path, SEV_UNKNOWN, "", req,
			  "%s is on %s (%s), not on a local disk", d->path,
			  d->mount->fstype, d->mount->source);
		return true;
	}
	return false;
}

/* ZooKeeper's own figures from mntr, when it gave them: "" otherwise. */
static void zk_view(const struct facts *f, char *buf, size_t len)
{
	const struct zk_status *s = &f->zk_live;
	char avg[32], max[32];
	size_t l = 0;

	buf[0] = '\0';
	if (!f->zk_live_probed)
		return;
	if (s->fsync_avg_us.known && s->fsync_count.known) {
		flush_fmt_us(avg, sizeof avg, s->fsync_avg_us.v);
		snprintf(max, sizeof max, "?");
		if (s->fsync_max_us.known)
			flush_fmt_us(max, sizeof max, s->fsync_max_us.v);
		l = (size_t)snprintf(
		    buf, len,
		    "; ZooKeeper: %lld fsyncs since its start, "
		    "avg %s, max %s",
		    (long long)s->fsync_count.v, avg, max);
	}
	if (s->fsync_threshold_exceeded.known && l < len)
		snprintf(buf + l, len - l,
			 "%s%lld over fsync.warningthresholdms",
			 l ? ", " : "; ZooKeeper: ",
			 (long long)s->fsync_threshold_exceeded.v);
}

static void check_zk_fsync(const struct facts *f, struct check_results *out)
{
	const char *id = "zookeeper.disk.fsync";
	const struct thresholds *t = &f->conf.th;
	const struct flush_interval *worst = NULL, *fi;
	const struct facts_dir *d = log_dir(f);
	const char *why = NULL, *fail_from = "";
	int64_t fail_ms = t->zk_fsync_fail_above_ms;
	char req[128], m[128], avg[32], view[160];
	size_t i;

	if (fail_ms == 0) {
		fail_ms = 1000;
		fail_from = " (ZooKeeper's default)";
		if (f->zk && f->zk->fsync_warning_ms.known) {
			fail_ms = f->zk->fsync_warning_ms.v;
			fail_from = " (fsync.warningthresholdms)";
		}
	}
	snprintf(req, sizeof req, "<= %lld ms; fail above %lld ms%s",
		 (long long)t->zk_fsync_warn_above_ms, (long long)fail_ms,
		 fail_from);
	if (log_dir_unknown(f, id, req, out))
		return;
	for (i = 0; i < d->n_disks; i++) {
		fi = flush_facts_find(&f->flush, d->disks[i]->name);
		if (fi == NULL) {
			if (why == NULL)
				why = f->flush.why;
			continue;
		}
		if (!fi->known) {
			if (why == NULL)
				why = fi->why;
			continue;
		}
		/* A mirror's flush waits for its slowest member. */
		if (worst == NULL || fi->avg_us > worst->avg_us)
			worst = fi;
	}
	zk_view(f, view, sizeof view);
	if (worst == NULL) {
		check_add(out, id, d->path, SEV_UNKNOWN,
			  strstr(why, "no flush") ? "no flush" : "", req,
			  "%s%s", why, view);
		return;
	}
	flush_fmt_us(avg, sizeof avg, worst->avg_us);
	snprintf(m, sizeof m, "%s (%s: %llu flushes in %lld ms)", avg,
		 worst->name, (unsigned long long)worst->flushes,
		 (long long)worst->interval_ms);
	if (worst->avg_us > fail_ms * 1000)
		check_add(out, id, d->path, SEV_FAIL, m, req,
			  "every write waits longer than ZooKeeper tolerates: "
			  "move dataLogDir to a dedicated SSD%s",
			  view);
	else if (worst->avg_us > t->zk_fsync_warn_above_ms * 1000)
		check_add(out, id, d->path, SEV_WARN, m, req,
			  "slow flushes delay every write and risk session "
			  "expiry; give dataLogDir a dedicated SSD%s",
			  view);
	else
		check_add(out, id, d->path, SEV_PASS, m, req,
			  "average flush of %s under %s%s", worst->name,
			  d->path, view);
}

/* Appends "what" to list when dir d has one of the log dir's disks. */
static void shares(const struct facts_dir *log, const struct hw_disk *const *on,
		   size_t n_on, const char *what, char *list, size_t len,
		   char *disk, size_t dlen)
{
	size_t i, j, l = strlen(list);

	for (i = 0; i < log->n_disks; i++)
		for (j = 0; j < n_on; j++)
			if (on[j] == log->disks[i]) {
				if (disk[0] == '\0')
					snprintf(disk, dlen, "%s", on[j]->name);
				if (l < len)
					snprintf(list + l, len - l, "%s%s",
						 l ? ", " : "", what);
				return;
			}
}

static void check_zk_dedicated(const struct facts *f, struct check_results *out)
{
	const char *id = "zookeeper.disk.dedicated";
	const char *req = "dataLogDir alone on its disk";
	const struct hw_disk *on[HW_DISK_MEMBERS_MAX],
	    *phys[HW_DISK_MEMBERS_MAX];
	const struct hw_mount *rm;
	const struct facts_dir *d = log_dir(f);
	char list[384] = "", disk[HW_DISKNAME_MAX] = "",
	     what[KAFKA_PATH_MAX + 32];
	size_t i, n = 0, np = 0;

	if (log_dir_unknown(f, id, req, out))
		return;
	if (f->n_zk_dirs == 1) {
		check_add(
		    out, id, d->path, SEV_WARN, "in dataDir", req,
		    "dataLogDir is not set: the transaction log shares "
		    "dataDir's disk %s with the snapshots; set dataLogDir "
		    "to a dedicated device",
		    d->disks[0]->name);
		return;
	}
	snprintf(what, sizeof what, "dataDir %s", f->zk_dirs[0].path);
	shares(d, f->zk_dirs[0].disks, f->zk_dirs[0].n_disks, what, list,
	       sizeof list, disk, sizeof disk);
	if (hw_disks_find_mount_for_path(&f->inv.disks, "/", &rm, on,
					 HW_DISK_MEMBERS_MAX, &n) == 0) {
		for (i = 0; i < n; i++)
			if (on[i]->kind == HW_DISK_PHYSICAL)
				phys[np++] = on[i];
		shares(d, phys, np, "the root filesystem", list, sizeof list,
		       disk, sizeof disk);
	}
	for (i = 0; i < f->n_logdirs; i++) {
		snprintf(what, sizeof what, "Kafka log dir %s",
			 f->logdirs[i].path);
		shares(d, f->logdirs[i].disks, f->logdirs[i].n_disks, what,
		       list, sizeof list, disk, sizeof disk);
	}
	if (list[0]) {
		char m[64];

		snprintf(m, sizeof m, "shares %s", disk);
		check_add(out, id, d->path, SEV_WARN, m, req,
			  "%s shares its disk with %s: their writes queue "
			  "before every fsync of the log; give dataLogDir a "
			  "device of its own",
			  d->path, list);
		return;
	}
	check_add(out, id, d->path, SEV_PASS, d->disks[0]->name, req,
		  "no dataDir, root filesystem or Kafka log dir on %s%s",
		  d->disks[0]->name, d->n_disks > 1 ? " and its mirror" : "");
}

const struct check_def checks_zk_disk[] = {
    {"zookeeper.disk.fsync", CORE_ROLE_ZOOKEEPER, check_zk_fsync,
     "average flush latency under dataLogDir: warn above 20 ms, fail above "
     "fsync.warningthresholdms (1000 ms); unknown without the kernel's "
     "counters"},
    {"zookeeper.disk.dedicated", CORE_ROLE_ZOOKEEPER, check_zk_dedicated,
     "warn when dataLogDir shares a disk with dataDir, the root filesystem "
     "or a Kafka log dir"},
};
const size_t checks_zk_disk_len =
    sizeof checks_zk_disk / sizeof checks_zk_disk[0];
