/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smartctl_scan.h — the physical disks behind a RAID controller, as
 * smartctl finds them: `smartctl --scan-open --json` lists each with the
 * node that reaches its controller (/dev/bus/N for MegaRAID's SCSI host N,
 * /dev/sdX or /dev/sgN for Smart Array and Adaptec) and the device type
 * that addresses it there (megaraid,N, cciss,N, aacraid,H,L,ID,
 * sat+megaraid,N).  `smartctl -d TYPE NODE` then reads that disk.
 *
 * Device types and nodes are checked against a strict grammar before they
 * reach a command line: only what is listed below passes.
 */
#ifndef KAGENT_HW_SMARTCTL_SCAN_H
#define KAGENT_HW_SMARTCTL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw.h"

#define HW_SCAN_DEVS_MAX 128
#define HW_SCAN_NAME_MAX 32 /* "/dev/bus/65535", "/dev/sdabcd" */
#define HW_SCAN_TYPE_MAX 24 /* "aacraid,255,255,255" */

struct hw_scan_dev {
	char name[HW_SCAN_NAME_MAX];
	char type[HW_SCAN_TYPE_MAX];
	char protocol[8]; /* "SCSI", "ATA", "NVMe" or "" */
};

struct hw_smartctl_scan {
	size_t n;
	struct hw_scan_dev v[HW_SCAN_DEVS_MAX];
	/* Entries left out: a name or type outside the grammar. */
	size_t refused;
};

/* -EINVAL with err naming line and column when json is not an object;
 * devices[] entries whose name or type fail the grammar are counted in
 * refused, the rest kept in order (the first HW_SCAN_DEVS_MAX). */
int hw_smartctl_scan_parse(const char *json, size_t len,
			   struct hw_smartctl_scan *out, struct hw_err *err);

/* The device types a typed read takes: megaraid,N and sat+megaraid,N
 * (N 0..255), cciss,N (0..127), aacraid,H,L,ID (each 0..255), sat,
 * scsi, nvme.  Numbers are plain decimals without a sign or a leading
 * zero. */
bool hw_smartctl_type_valid(const char *type);
/* A type of a disk behind a controller: the four RAID forms above. */
bool hw_smartctl_type_is_raid(const char *type);
/* The nodes a scan names, relative to dev/: "bus/N" (N 0..65535),
 * "sd" and one to four lower-case letters, "sgN", "nvmeN" (N 0..9999). */
bool hw_smartctl_node_valid(const char *rel);

/* The SCSI host a scan's node reaches, read below root: N of bus/N, the
 * host of sdX's or sgN's device (sys/block/sdX/device, sys/class/
 * scsi_generic/sgN/device, named H:C:T:L).  name is "/dev/...".
 * -ENOENT when sysfs does not say, -EINVAL for a name outside the
 * grammar. */
int hw_scan_scsi_host(const char *root, const char *name, int *host);
/* The SCSI host of block disk `disk` (sys/block/DISK/device). */
int hw_block_scsi_host(const char *root, const char *disk, int *host);

/* `smartctl --json=c --scan-open`, through hw_raw (the prober in
 * kagentd).  Output as hw_smartctl_run's. */
int hw_smartctl_scan_run(int timeout_ms, char **json, size_t *len,
			 struct hw_err *err);
/* `smartctl --json=c -a -n standby -d TYPE NODE`, through hw_raw; -EINVAL
 * before anything runs when type or node fails the grammar. */
int hw_smartctl_typed_run(const char *node, const char *type, int timeout_ms,
			  char **json, size_t *len, struct hw_err *err);
/* The same in this process; exe NULL: smartctl from PATH or sbin. */
int hw_smartctl_scan_exec(const char *exe, int timeout_ms, char **json,
			  size_t *len, struct hw_err *err);
int hw_smartctl_typed_exec(const char *exe, const char *node,
			   const char *type, int timeout_ms, char **json,
			   size_t *len, struct hw_err *err);

#endif
