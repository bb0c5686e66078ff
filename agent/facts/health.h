/*
 * health.h — one normalised verdict per disk (ROLES.md `disk.health`),
 * whatever the source of the facts: libatasmart, the NVMe health log, or
 * smartctl's JSON output.
 */
#ifndef KAGENT_HEALTH_H
#define KAGENT_HEALTH_H

#include "core_check.h"

/* verdict is PASS, WARN, FAIL, or UNKNOWN when the disk could not be read
 * (reason says why).  SEV_PASS is 0: whoever zeroes one sets the verdict. */
struct disk_health {
	enum check_severity verdict;
	char reason[192];
	char source[16];                /* "atasmart", "nvme", "smartctl" or "" */
};

struct hw_ata_smart;
/* libatasmart's facts: its overall status, then reallocated (5), pending
 * (197) and offline-uncorrectable (198) sectors. */
void health_from_ata(const struct hw_ata_smart *s, struct disk_health *out);

struct hw_nvme_health;
/* Critical warning bits, spare below threshold, media errors, wear. */
void health_from_nvme(const struct hw_nvme_health *h, struct disk_health *out);

struct hw_smartctl;
/* smartctl's SMART status, ATA attributes, SCSI defects, NVMe log. */
void health_from_smartctl(const struct hw_smartctl *s, struct disk_health *out);

#endif
