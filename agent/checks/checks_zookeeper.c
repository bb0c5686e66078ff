/* zookeeper.* — a ZooKeeper node's host: memory beside its 1 GB heap, an
 * SSD for the transaction log (every write waits for its fsync), 1 GbE,
 * and the server itself answering on its client port. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

static void check_zk_memory(const struct facts *f, struct check_results *out)
{
	const struct thresholds *t = &f->conf.th;
	struct checks_memory m;
	char ms[64], warn[96], fail[96];

	checks_memory_of(f, &m);
	checks_memory_required(&m, t->zk_memory_warn_below,
			       t->memory_tolerance_pct, warn, sizeof warn);
	if (!m.known) {
		check_add(
		    out, "zookeeper.memory", NULL, SEV_UNKNOWN, "", warn,
		    "neither SMBIOS memory devices nor MemTotal are readable");
		return;
	}
	checks_memory_fmt(&m, ms, sizeof ms);
	if (checks_memory_below(&m, t->zk_memory_fail_below,
				t->memory_tolerance_pct)) {
		checks_memory_required(&m, t->zk_memory_fail_below,
				       t->memory_tolerance_pct, fail,
				       sizeof fail);
		check_add(out, "zookeeper.memory", NULL, SEV_FAIL, ms, fail,
			  "too little memory for ZooKeeper's 1 GB heap and the "
			  "OS beside it; give the host at least 4 GB");
	} else if (checks_memory_below(&m, t->zk_memory_warn_below,
				       t->memory_tolerance_pct)) {
		check_add(out, "zookeeper.memory", NULL, SEV_WARN, ms, warn,
			  "below the 4-8 GB a ZooKeeper node should have; add "
			  "memory");
	} else if (m.bytes > t->zk_memory_info_above) {
		char above[32];

		check_fmt_bytes(above, sizeof above, t->zk_memory_info_above,
				0);
		check_add(out, "zookeeper.memory", NULL, SEV_INFO, ms, warn,
			  "more than the %s ZooKeeper uses; the rest could "
			  "serve another role",
			  above);
	} else {
		check_add(out, "zookeeper.memory", NULL, SEV_PASS, ms, warn,
			  "room for the 1 GB heap and the OS");
	}
	check_set_value(out, CHECK_UNIT_BYTES, m.bytes);
}

/* The smallest physical disk below the dir: for a mirror that is the
 * capacity the data has; sda alone is simply sda. */
static const struct hw_disk *smallest_disk(const struct facts_dir *d)
{
	const struct hw_disk *s = NULL;
	size_t i;

	for (i = 0; i < d->n_disks; i++)
		if (!d->disks[i]->size_bytes.known)
			return d->disks[i];
		else if (s == NULL ||
			 d->disks[i]->size_bytes.v < s->size_bytes.v)
			s = d->disks[i];
	return s;
}

static void check_zk_dir(const struct facts *f, const struct facts_dir *d,
			 struct check_results *out)
{
	const struct hw_disk *small = smallest_disk(d);
	const char *rot_disk = NULL;
	bool rot_unknown = false, small_cap;
	char size[32], req[64], m[96];
	size_t i;

	check_fmt_bytes(size, sizeof size, f->conf.th.zk_disk_warn_below, 1);
	snprintf(req, sizeof req, "SSD, >= %s", size);
	if (d->mount == NULL) {
		check_add(out, "zookeeper.disk", d->path, SEV_UNKNOWN, "", req,
			  "no mount found for %s", d->path);
		return;
	}
	if (small == NULL) {
		check_add(out, "zookeeper.disk", d->path, SEV_UNKNOWN, "", req,
			  "%s is on %s (%s), not on a local disk", d->path,
			  d->mount->fstype, d->mount->source);
		return;
	}
	for (i = 0; i < d->n_disks; i++) {
		if (!d->disks[i]->rotational.known)
			rot_unknown = true;
		else if (d->disks[i]->rotational.v && rot_disk == NULL)
			rot_disk = d->disks[i]->name;
	}
	if (!small->size_bytes.known || (rot_unknown && rot_disk == NULL)) {
		check_add(out, "zookeeper.disk", d->path, SEV_UNKNOWN, "", req,
			  "%s does not report its %s", small->name,
			  small->size_bytes.known ? "rotational flag" : "size");
		return;
	}
	check_fmt_bytes(size, sizeof size, small->size_bytes.v, 1);
	snprintf(m, sizeof m, "%s %s (%s)", size, rot_disk ? "HDD" : "SSD",
		 rot_disk ? rot_disk : small->name);
	small_cap = small->size_bytes.v < f->conf.th.zk_disk_warn_below;
	if (rot_disk || small_cap)
		check_add(
		    out, "zookeeper.disk", d->path, SEV_WARN, m, req, "%s%s%s",
		    rot_disk ? "a rotating disk makes every write wait for a "
			       "seek before its fsync; move the dir to an SSD"
			     : "",
		    rot_disk && small_cap ? "; " : "",
		    small_cap ? "small for snapshots and transaction logs; use "
				"a 240 or 480 GB SSD"
			      : "");
	else
		check_add(out, "zookeeper.disk", d->path, SEV_PASS, m, req,
			  "mounted at %s", d->mount->path);
	check_set_value(out, CHECK_UNIT_BYTES, small->size_bytes.v);
}

static void check_zk_disk(const struct facts *f, struct check_results *out)
{
	size_t i;

	if (f->zk == NULL) {
		check_add(out, "zookeeper.disk", NULL, SEV_UNKNOWN, "", "SSD",
			  "%s", f->zk_error);
		return;
	}
	if (f->n_zk_dirs == 0) {
		check_add(out, "zookeeper.disk", NULL, SEV_UNKNOWN, "", "SSD",
			  "%s sets no dataDir", f->zk_path);
		return;
	}
	for (i = 0; i < f->n_zk_dirs; i++)
		check_zk_dir(f, &f->zk_dirs[i], out);
}

static void check_zk_nic(const struct facts *f, struct check_results *out)
{
	checks_nic_speed("zookeeper.nic.speed", f->zk_nic, f->zk_nic_why,
			 f->zk ? NULL : f->zk_error,
			 f->conf.th.zk_nic_fail_below, out);
}

/*
 * A server that listens but does not serve — "not currently serving
 * requests" while it looks for a quorum, a timeout, garbage — fails like
 * one that does not listen: clients cannot use it and the ensemble has one
 * vote fewer.  ROLES.md keeps warn for "below the recommendation, works",
 * which this node does not.
 */
static void zk_live_judge(const struct facts *f, struct check_results *out)
{
	const struct zk_status *s = &f->zk_live;
	const char *id = "zookeeper.live";
	const char *req = "imok, serving";
	char m[96];

	if (f->zk == NULL) {
		check_add(out, id, NULL, SEV_UNKNOWN, "", req, "%s",
			  f->zk_error);
		return;
	}
	if (!f->zk_live_probed) {
		check_add(out, id, NULL, SEV_UNKNOWN, "", req, "%s",
			  f->zk_live_seen.why[0] ? f->zk_live_seen.why
						 : "the server was not asked");
		return;
	}
	switch (s->state) {
	case ZK_RUNNING:
		if (s->mode[0] || s->version[0])
			snprintf(m, sizeof m, "%s%s%s", s->mode,
				 s->mode[0] && s->version[0] ? " " : "",
				 s->version);
		else
			snprintf(m, sizeof m, "imok");
		check_add(out, id, NULL, SEV_PASS, m, req, "%s",
			  s->srvr_allowed
			      ? "answers srvr"
			      : "answers ruok; srvr not whitelisted, mode and "
				"version unknown");
		break;
	case ZK_NOT_RUNNING:
		check_add(out, id, NULL, SEV_FAIL, "not running", req,
			  "%s; start ZooKeeper or fix clientPort", s->reason);
		break;
	case ZK_NOT_ALLOWED:
		check_add(out, id, NULL, SEV_UNKNOWN, "not allowed", req,
			  "%s; add ruok and srvr to 4lw.commands.whitelist",
			  s->reason);
		break;
	case ZK_ERROR:
		check_add(out, id, NULL, SEV_FAIL,
			  s->imok ? "imok, not serving" : "not serving", req,
			  "%s", s->reason);
		break;
	default:
		check_add(out, id, NULL, SEV_UNKNOWN, "", req, "%s",
			  s->reason[0] ? s->reason : "no answer recorded");
		break;
	}
}

/* kagentd judges the last probe it kept, which may be a few seconds old:
 * the result carries that age, so that a reader can tell it from a
 * reading taken when the report was made. */
static void check_zk_live(const struct facts *f, struct check_results *out)
{
	size_t from = out->n;

	zk_live_judge(f, out);
	if (f->zk != NULL && f->zk_live_probed && f->zk_live_seen.age_known)
		check_results_set_age(out, from, f->zk_live_seen.age_ms);
}

const struct check_def checks_zookeeper[] = {
    {"zookeeper.memory", CORE_ROLE_ZOOKEEPER, check_zk_memory,
     "warn below 4 GB, fail below 2 GB; info above 8 GB"},
    {"zookeeper.disk", CORE_ROLE_ZOOKEEPER, check_zk_disk,
     "dataDir/dataLogDir on an SSD: warn if rotational or below 240 GB"},
    {"zookeeper.nic.speed", CORE_ROLE_ZOOKEEPER, check_zk_nic,
     "fail below 1 Gb/s on the interface carrying ZooKeeper traffic"},
    {"zookeeper.live", CORE_ROLE_ZOOKEEPER, check_zk_live,
     "ruok/srvr on the client port: fail when nothing serves; unknown when not "
     "whitelisted"},
};
const size_t checks_zookeeper_len =
    sizeof checks_zookeeper / sizeof checks_zookeeper[0];
