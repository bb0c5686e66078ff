/* kafka.* sizing — a broker's host: many cores, memory beyond the heap
 * for the page cache, several local disks under log.dirs, no network
 * filesystem, 10 GbE. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

/* Network and cluster filesystems: a log dir on one makes the broker
 * depend on the server behind it, and Kafka's own replication moot. */
static const char *const nas_fstypes[] = {
    "nfs",	 "nfs4",       "cifs",		 "smb3",
    "smbfs",	 "glusterfs",  "fuse.glusterfs", "ceph",
    "fuse.ceph", "fuse.sshfs", "sshfs",		 "9p",
    "afs",	 "lustre",     "gpfs",		 "beegfs",
    "fuse.s3fs", "davfs",      "fuse.davfs2",
};

#define EBS_MODEL "Amazon Elastic Block Store"

static void check_kafka_cores(const struct facts *f, struct check_results *out)
{
	const struct hw_num *c = &f->inv.cpu.cores;
	int64_t min = f->conf.th.kafka_cores_warn_below;
	char m[32], r[32];

	snprintf(r, sizeof r, ">= %" PRId64 " cores", min);
	if (!c->known) {
		check_add(out, "kafka.cpu.cores", NULL, SEV_UNKNOWN, "", r,
			  "the CPU topology does not tell the physical cores");
		return;
	}
	snprintf(m, sizeof m, "%" PRId64 " cores", c->v);
	if (c->v < min)
		check_add(out, "kafka.cpu.cores", NULL, SEV_WARN, m, r,
			  "a broker compresses, copies and encrypts on many "
			  "threads; give it more cores");
	else
		check_add(out, "kafka.cpu.cores", NULL, SEV_PASS, m, r, "%s",
			  f->inv.cpu.model);
}

static void check_kafka_memory(const struct facts *f, struct check_results *out)
{
	const struct thresholds *t = &f->conf.th;
	struct checks_memory m;
	char ms[64], req[96], heap[32], cache[32];
	enum check_severity sev = SEV_PASS;

	checks_memory_of(f, &m);
	checks_memory_required(&m, t->kafka_memory_warn_below,
			       t->memory_tolerance_pct, req, sizeof req);
	if (!m.known) {
		check_add(
		    out, "kafka.memory", NULL, SEV_UNKNOWN, "", req,
		    "neither SMBIOS memory devices nor MemTotal are readable");
		return;
	}
	checks_memory_fmt(&m, ms, sizeof ms);
	check_fmt_bytes(heap, sizeof heap, t->kafka_heap, 0);
	if (m.bytes > t->kafka_heap)
		check_fmt_bytes(cache, sizeof cache, m.bytes - t->kafka_heap,
				0);
	else
		snprintf(cache, sizeof cache, "none");
	if (checks_memory_below(&m, t->kafka_memory_fail_below,
				t->memory_tolerance_pct)) {
		sev = SEV_FAIL;
		checks_memory_required(&m, t->kafka_memory_fail_below,
				       t->memory_tolerance_pct, req,
				       sizeof req);
	} else if (checks_memory_below(&m, t->kafka_memory_warn_below,
				       t->memory_tolerance_pct)) {
		sev = SEV_WARN;
	}
	check_add(out, "kafka.memory", NULL, sev, ms, req,
		  "page cache about %s beside the %s heap%s", cache, heap,
		  sev == SEV_FAIL
		      ? ": too little to run a broker; give it 32 GB or more"
		  : sev == SEV_WARN ? ": consumers that fall behind will read "
				      "from disk; 32-256 GB recommended"
				    : "");
}

/* A log dir that is not on a local physical disk, or NULL. */
static const struct facts_dir *unplaced_logdir(const struct facts *f)
{
	size_t i;

	for (i = 0; i < f->n_logdirs; i++)
		if (f->logdirs[i].mount == NULL || f->logdirs[i].n_disks == 0)
			return &f->logdirs[i];
	return NULL;
}

static const char *unplaced_why(const struct facts_dir *d, char *buf,
				size_t len)
{
	if (d->mount == NULL)
		snprintf(buf, len, "no mount found for %s", d->path);
	else
		snprintf(buf, len, "%s is on %s (%s), not on a local disk",
			 d->path, d->mount->fstype, d->mount->source);
	return buf;
}

static void check_logdirs_capacity(const struct facts *f,
				   struct check_results *out)
{
	const struct hw_disk *disks[CHECKS_LOGDIR_DISKS_MAX];
	const struct facts_dir *bad;
	int64_t min = f->conf.th.kafka_logdirs_warn_below, sum = 0;
	char m[64], r[32], why[400];
	size_t n, i;

	check_fmt_bytes(m, sizeof m, min, 1);
	snprintf(r, sizeof r, ">= %s", m);
	if (f->kafka == NULL) {
		check_add(out, "kafka.logdirs.capacity", NULL, SEV_UNKNOWN, "",
			  r, "%s", f->kafka_error);
		return;
	}
	bad = unplaced_logdir(f);
	if (bad) {
		check_add(out, "kafka.logdirs.capacity", NULL, SEV_UNKNOWN, "",
			  r, "%s", unplaced_why(bad, why, sizeof why));
		return;
	}
	n = checks_logdir_disks(f, disks, CHECKS_LOGDIR_DISKS_MAX);
	for (i = 0; i < n; i++) {
		if (!disks[i]->size_bytes.known) {
			check_add(out, "kafka.logdirs.capacity", NULL,
				  SEV_UNKNOWN, "", r, "%s reports no size",
				  disks[i]->name);
			return;
		}
		sum += disks[i]->size_bytes.v;
	}
	check_fmt_bytes(m, sizeof m, sum, 1);
	snprintf(m + strlen(m), sizeof m - strlen(m), " on %zu disk%s", n,
		 n == 1 ? "" : "s");
	if (sum < min)
		check_add(out, "kafka.logdirs.capacity", NULL, SEV_WARN, m, r,
			  "retention is bounded by disk space; add disks under "
			  "log.dirs");
	else
		check_add(out, "kafka.logdirs.capacity", NULL, SEV_PASS, m, r,
			  "%zu log dir%s", f->n_logdirs,
			  f->n_logdirs == 1 ? "" : "s");
}

static void check_logdirs_spread(const struct facts *f,
				 struct check_results *out)
{
	const struct hw_disk *disks[CHECKS_LOGDIR_DISKS_MAX];
	const struct facts_dir *bad;
	const char *r = ">= 2 disks";
	char m[64], why[400];
	size_t n;

	if (f->kafka == NULL) {
		check_add(out, "kafka.logdirs.spread", NULL, SEV_UNKNOWN, "", r,
			  "%s", f->kafka_error);
		return;
	}
	n = checks_logdir_disks(f, disks, CHECKS_LOGDIR_DISKS_MAX);
	bad = unplaced_logdir(f);
	snprintf(m, sizeof m, "%zu disk%s", n, n == 1 ? "" : "s");
	if (n >= 2)
		check_add(out, "kafka.logdirs.spread", NULL, SEV_PASS, m, r,
			  "log dirs write to %zu disks in parallel%s", n,
			  bad ? ", beside one not on a local disk" : "");
	else if (bad)
		check_add(out, "kafka.logdirs.spread", NULL, SEV_UNKNOWN, m, r,
			  "%s", unplaced_why(bad, why, sizeof why));
	else
		check_add(
		    out, "kafka.logdirs.spread", NULL, SEV_WARN, m, r,
		    "every log dir is on %s: one disk's throughput and one "
		    "point of failure; spread log.dirs over several disks",
		    disks[0]->name);
}

static bool is_nas(const char *fstype)
{
	size_t i;

	for (i = 0; i < sizeof nas_fstypes / sizeof nas_fstypes[0]; i++)
		if (strcmp(fstype, nas_fstypes[i]) == 0)
			return true;
	return false;
}

static void check_logdirs_nas(const struct facts *f, struct check_results *out)
{
	const char *r = "local filesystem";
	size_t i;

	if (f->kafka == NULL) {
		check_add(out, "kafka.logdirs.nas", NULL, SEV_UNKNOWN, "", r,
			  "%s", f->kafka_error);
		return;
	}
	for (i = 0; i < f->n_logdirs; i++) {
		const struct facts_dir *d = &f->logdirs[i];

		if (d->mount == NULL)
			check_add(out, "kafka.logdirs.nas", d->path,
				  SEV_UNKNOWN, "", r, "no mount found for %s",
				  d->path);
		else if (is_nas(d->mount->fstype))
			check_add(
			    out, "kafka.logdirs.nas", d->path, SEV_FAIL,
			    d->mount->fstype, r,
			    "on %s from %s: the file server is a single point "
			    "of failure for the broker; use local disks",
			    d->mount->fstype, d->mount->source);
		else
			check_add(out, "kafka.logdirs.nas", d->path, SEV_PASS,
				  d->mount->fstype, r, "mounted at %s",
				  d->mount->path);
	}
}

static void check_logdirs_ebs(const struct facts *f, struct check_results *out)
{
	const char *r = "not EBS";
	size_t i, j;

	if (f->kafka == NULL) {
		check_add(out, "kafka.logdirs.ebs", NULL, SEV_UNKNOWN, "", r,
			  "%s", f->kafka_error);
		return;
	}
	for (i = 0; i < f->n_logdirs; i++) {
		const struct facts_dir *d = &f->logdirs[i];
		const struct hw_disk *ebs = NULL;

		for (j = 0; j < d->n_disks && ebs == NULL; j++)
			if (strncmp(d->disks[j]->model, EBS_MODEL,
				    strlen(EBS_MODEL)) == 0)
				ebs = d->disks[j];
		if (d->mount == NULL)
			check_add(out, "kafka.logdirs.ebs", d->path,
				  SEV_UNKNOWN, "", r, "no mount found for %s",
				  d->path);
		else if (ebs)
			check_add(
			    out, "kafka.logdirs.ebs", d->path, SEV_INFO, "EBS",
			    r,
			    "%s is an EBS volume: it can grow but never "
			    "shrink, so size it for the retention you need",
			    ebs->name);
		else
			check_add(out, "kafka.logdirs.ebs", d->path, SEV_PASS,
				  d->n_disks == 0	  ? d->mount->fstype
				  : d->disks[0]->model[0] ? d->disks[0]->model
							  : d->disks[0]->name,
				  r, "mounted at %s", d->mount->path);
	}
}

static void check_kafka_nic(const struct facts *f, struct check_results *out)
{
	checks_nic_speed("kafka.nic.speed", f->kafka_nic, f->kafka_nic_why,
			 f->kafka ? NULL : f->kafka_error,
			 f->conf.th.kafka_nic_fail_below, out);
}

const struct check_def checks_kafka_host[] = {
    {"kafka.cpu.cores", CORE_ROLE_KAFKA, check_kafka_cores,
     "warn below 8 physical cores"},
    {"kafka.memory", CORE_ROLE_KAFKA, check_kafka_memory,
     "warn below 32 GB, fail below 8 GB; reports the page cache beside the "
     "heap"},
    {"kafka.logdirs.capacity", CORE_ROLE_KAFKA, check_logdirs_capacity,
     "warn below 4 TB on the disks under log.dirs"},
    {"kafka.logdirs.spread", CORE_ROLE_KAFKA, check_logdirs_spread,
     "warn when every log dir is on one physical disk"},
    {"kafka.logdirs.nas", CORE_ROLE_KAFKA, check_logdirs_nas,
     "fail when a log dir is on a network filesystem"},
    {"kafka.logdirs.ebs", CORE_ROLE_KAFKA, check_logdirs_ebs,
     "info when a log dir is on AWS EBS (cannot shrink)"},
    {"kafka.nic.speed", CORE_ROLE_KAFKA, check_kafka_nic,
     "fail below 10 Gb/s on the interface carrying Kafka traffic"},
};
const size_t checks_kafka_host_len =
    sizeof checks_kafka_host / sizeof checks_kafka_host[0];
