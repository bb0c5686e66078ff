/* SPDX-License-Identifier: Apache-2.0 */
/* The disks behind RAID controllers: scanned once, mapped to the logical
 * disks through the SCSI host, each read on its own with its own timeout
 * (a slow one costs only itself) and judged by the smartctl rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health_raid.h"
#include "root.h"

void disk_raid_free(struct disk_raid *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

const char *disk_raid_model(const struct disk_raid_member *m)
{
	return m->smart.source == DISK_SRC_SMARTCTL ? m->smart.facts.smartctl.model
						    : "";
}

const char *disk_raid_serial(const struct disk_raid_member *m)
{
	return m->smart.source == DISK_SRC_SMARTCTL
		   ? m->smart.facts.smartctl.serial
		   : "";
}

/* The first disk, in name order, on SCSI host `host`; -1 when none. */
static long first_on_host(const char *root, const struct hw_disks *disks,
			  int host)
{
	long best = -1;
	size_t i;
	int h;

	for (i = 0; i < disks->n; i++) {
		const struct hw_disk *d = &disks->v[i];

		if (d->kind != HW_DISK_PHYSICAL ||
		    hw_block_scsi_host(root, d->name, &h) < 0 || h != host)
			continue;
		/* sdb before sdaa: shorter names first, as the kernel
		 * hands them out. */
		if (best < 0 ||
		    strlen(d->name) < strlen(disks->v[best].name) ||
		    (strlen(d->name) == strlen(disks->v[best].name) &&
		     strcmp(d->name, disks->v[best].name) < 0))
			best = (long)i;
	}
	return best;
}

static bool seen(const struct disk_raid *r, const struct hw_scan_dev *s)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].type, s->type) &&
		    !strcmp(r->v[i].node, s->name))
			return true;
	return false;
}

int disk_raid_map(const char *root, const struct hw_disks *disks,
		  const struct hw_smartctl_scan *scan, struct disk_raid *out)
{
	size_t i;
	long d;
	int host;

	disk_raid_free(out);
	out->v = calloc(scan->n ? scan->n : 1, sizeof *out->v);
	if (out->v == NULL)
		return -ENOMEM;
	for (i = 0; i < scan->n; i++) {
		const struct hw_scan_dev *s = &scan->v[i];
		struct disk_raid_member *m;

		if (!hw_smartctl_type_is_raid(s->type) || seen(out, s) ||
		    hw_scan_scsi_host(root, s->name, &host) < 0 ||
		    (d = first_on_host(root, disks, host)) < 0)
			continue;
		m = &out->v[out->n++];
		m->disk = (size_t)d;
		snprintf(m->type, sizeof m->type, "%s", s->type);
		snprintf(m->node, sizeof m->node, "%s", s->name);
		m->smart.health.verdict = SEV_UNKNOWN;
		snprintf(m->smart.health.reason, sizeof m->smart.health.reason,
			 "not read");
	}
	return 0;
}

void disk_raid_judge(struct disk_smart *s, int r, const char *json,
		     size_t len, const struct hw_err *err)
{
	struct hw_err perr = {{0}};

	memset(s, 0, sizeof *s);
	s->health.verdict = SEV_UNKNOWN;
	if (r == 0 && hw_smartctl_parse(json, len, &s->facts.smartctl,
					&perr) < 0) {
		r = -EINVAL;
		err = &perr;
	}
	if (r < 0) {
		snprintf(s->health.source, sizeof s->health.source,
			 "smartctl");
		snprintf(s->health.reason, sizeof s->health.reason, "%s",
			 err->msg);
		return;
	}
	disk_health_from_smartctl(&s->facts.smartctl, NULL, s);
}

/* A member is mapped only to a physical disk on its SCSI host, so a host
 * whose disks sit on none (virtio, NVMe) would map nothing: smartctl's
 * scan, a fork and exec that opens every disk, is then not run at all. */
static bool any_on_scsi_host(const char *root, const struct hw_disks *disks)
{
	int h;

	for (size_t i = 0; i < disks->n; i++)
		if (disks->v[i].kind == HW_DISK_PHYSICAL &&
		    hw_block_scsi_host(root, disks->v[i].name, &h) == 0)
			return true;
	return false;
}

int disk_raid_probe(const char *root, const struct hw_disks *disks,
		    int timeout_ms, struct disk_raid *out)
{
	struct hw_smartctl_scan *scan;
	struct hw_err err = {{0}};
	char *json = NULL;
	size_t len = 0, i;
	int r;

	memset(out, 0, sizeof *out);
	if (!hw_root_is_live(root)) {
		snprintf(out->why, sizeof out->why, "not the live host");
		return 0;
	}
	if (!any_on_scsi_host(root, disks)) {
		snprintf(out->why, sizeof out->why, "no disk on a SCSI host");
		return 0;
	}
	r = hw_smartctl_scan_run(timeout_ms, &json, &len, &err);
	scan = r == 0 ? malloc(sizeof *scan) : NULL;
	if (r == 0 && scan == NULL)
		r = -ENOMEM;
	if (r == 0)
		r = hw_smartctl_scan_parse(json, len, scan, &err);
	free(json);
	if (r == 0)
		r = disk_raid_map(root, disks, scan, out);
	free(scan);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		snprintf(out->why, sizeof out->why, "%s",
			 r == -ENOENT ? "smartctl not installed" : err.msg);
		return 0;
	}
	for (i = 0; i < out->n; i++)
		disk_raid_read(out->v[i].node, out->v[i].type, timeout_ms,
			       &out->v[i].smart);
	return 0;
}

void disk_raid_read(const char *node, const char *type, int timeout_ms,
		    struct disk_smart *out)
{
	struct hw_err err = {{0}};
	char *json = NULL;
	size_t len = 0;
	int r;

	r = hw_smartctl_typed_run(node, type, timeout_ms, &json, &len, &err);
	disk_raid_judge(out, r, json, len, &err);
	free(json);
}
