/*
 * disk_health.h — SMART facts and the disk.health verdict of one disk,
 * read from whichever source its transport allows: libatasmart for ATA,
 * the NVMe health log for NVMe, smartctl for SAS/SCSI/USB and for ATA
 * disks libatasmart cannot read.  Nothing here wakes a sleeping disk,
 * starts a self-test or reads an error log.
 */
#ifndef KAGENT_DISK_HEALTH_H
#define KAGENT_DISK_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "health.h"
#include "hw.h"
#include "nvme.h"
#include "smart_ata.h"
#include "smartctl.h"

/* smartctl -a on a SATA disk answers within a second; a hung bridge
 * must not hold the whole inventory. */
#define DISK_SMARTCTL_TIMEOUT_MS 10000

/* What disk_health_probe will try for a disk, decided from the root and
 * the disk's kind and transport alone. */
enum disk_smart_plan {
	DISK_PLAN_NONE = 0,    /* md/dm volume: its members carry health */
	DISK_PLAN_CAPTURED,    /* a root other than "/": no live device */
	DISK_PLAN_NVME,	       /* health log through the admin ioctl */
	DISK_PLAN_ATA,	       /* libatasmart, then smartctl when it cannot */
	DISK_PLAN_SMARTCTL,    /* SAS, SCSI, USB bridges */
	DISK_PLAN_UNSUPPORTED, /* virtio, mmc, unknown transport */
};

/* Which member of disk_smart.facts holds the facts. */
enum disk_smart_source {
	DISK_SRC_NONE = 0,
	DISK_SRC_ATASMART,
	DISK_SRC_NVME,
	DISK_SRC_SMARTCTL,
};

struct disk_smart {
	struct disk_health health;
	enum disk_smart_source source;
	bool asleep; /* ATA standby: not woken, nothing read */
	union {
		struct hw_ata_smart ata;
		struct hw_nvme_health nvme;
		struct hw_smartctl smartctl;
	} facts;
};

/* The plan for d below root; for DISK_PLAN_UNSUPPORTED, DISK_PLAN_CAPTURED
 * and DISK_PLAN_NONE, reason (cap bytes) says why there is no reading. */
enum disk_smart_plan disk_health_plan(const char *root, const struct hw_disk *d,
				      char *reason, size_t cap);
/* "none", "captured", "nvme", "ata", "smartctl", "unsupported". */
const char *disk_health_plan_name(enum disk_smart_plan p);

/* The NVMe controller of a namespace disk ("nvme0n1" -> "nvme0"), found
 * through sysfs below root: the namespace's parent device, or a controller
 * of its subsystem when the namespace is a multipath head.  -ENOENT when
 * none is found. */
int disk_nvme_controller(const char *root, const char *disk, char *ctrl,
			 size_t cap);

/* Reads d's SMART as its plan says.  Always fills out, with an unknown
 * verdict and its reason when nothing could be read; returns 0, or
 * -EINVAL for a disk without a name. */
int disk_health_probe(const char *root, const struct hw_disk *d,
		      struct disk_smart *out);
/* The same for a device node given by a user (/dev/sda, /dev/nvme0,
 * /dev/nvme0n1): the plan comes from the live sysfs entry of the node's
 * name; an ATA plan is tried when sysfs does not know the name. */
int disk_health_probe_node(const char *devnode, struct disk_smart *out);

/* Judges smartctl's JSON as the fallback does; prefix (may be NULL) is
 * put before the reason, e.g. "libatasmart: Operation not supported". */
void disk_health_from_smartctl(const struct hw_smartctl *s, const char *prefix,
			       struct disk_smart *out);

#endif
