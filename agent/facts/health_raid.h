/* SPDX-License-Identifier: Apache-2.0 */
/*
 * health_raid.h — the physical disks behind a RAID controller, each with
 * its own disk.health verdict, as members of the logical disk the
 * controller exposes.  smartctl's scan names each member's controller by
 * a node (/dev/bus/N: SCSI host N; /dev/sdX, /dev/sgN: their host); a
 * member belongs to the first logical disk, in name order, on that SCSI
 * host.  A controller's physical-to-logical layout is its own (storcli,
 * ssacli): a controller with several logical disks lists all its
 * physical disks under the first.
 */
#ifndef KAGENT_HEALTH_RAID_H
#define KAGENT_HEALTH_RAID_H

#include <stdbool.h>
#include <stddef.h>

#include "disk_health.h"
#include "smartctl_scan.h"

struct disk_raid_member {
	size_t disk; /* index of the logical disk in the inventory's disks */
	char type[HW_SCAN_TYPE_MAX];  /* "megaraid,0" */
	char node[HW_SCAN_NAME_MAX];  /* "/dev/bus/0" */
	struct disk_smart smart;      /* health; facts.smartctl when read */
};

struct disk_raid {
	size_t n;
	struct disk_raid_member *v;
	/* Why nothing was scanned ("not the live host", "no disk on a SCSI
	 * host", "smartctl not installed"); empty when the scan answered. */
	char why[160];
};

/* Scans (live root only), maps each member to its logical disk and reads
 * its health, each run bounded by timeout_ms.  Always fills out; -ENOMEM. */
int disk_raid_probe(const char *root, const struct hw_disks *disks,
		    int timeout_ms, struct disk_raid *out);
/* The scan's members mapped to disks, nothing read (their health unknown,
 * "not read"): the part disk_raid_probe does from the scan's JSON. */
int disk_raid_map(const char *root, const struct hw_disks *disks,
		  const struct hw_smartctl_scan *scan, struct disk_raid *out);
/* One member's health from smartctl's answer: r and err as the run gave
 * them, json its output when r is 0. */
void disk_raid_judge(struct disk_smart *s, int r, const char *json,
		     size_t len, const struct hw_err *err);
/* Reads one disk behind a controller (`smartctl -d TYPE NODE`) and
 * judges it; a type or node outside the grammar is unknown, "refused". */
void disk_raid_read(const char *node, const char *type, int timeout_ms,
		    struct disk_smart *out);
void disk_raid_free(struct disk_raid *r);
/* The member's model and serial: smartctl's, "" when not read. */
const char *disk_raid_model(const struct disk_raid_member *m);
const char *disk_raid_serial(const struct disk_raid_member *m);

#endif
