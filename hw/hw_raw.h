/*
 * hw_raw.h — who makes the reads that need a capability: ATA SMART
 * (CAP_SYS_RAWIO), the NVMe health log (CAP_SYS_ADMIN) and smartctl.
 * By default this process makes them (the kagent CLI run as root).
 * kagentd's unprivileged side sets functions that ask its prober for the
 * same raw bytes; the parsing is the caller's either way, so a parser bug
 * never runs with the capabilities.
 */
#ifndef KAGENT_HW_RAW_H
#define KAGENT_HW_RAW_H

#include "nvme.h"
#include "smart_ata.h"
#include "smartctl.h"
#include "smartctl_scan.h"

struct hw_raw_ops {
	int (*ata)(const char *devnode, struct hw_ata_raw *raw,
		   struct hw_err *err);
	int (*nvme)(const char *ctrl_devnode, uint8_t log[HW_NVME_LOG_LEN],
		    struct hw_err *err);
	int (*smartctl)(const char *devnode, int timeout_ms, char **json,
			size_t *len, struct hw_err *err);
	/* smartctl_scan.h: the scan, and one disk behind a controller */
	int (*smartctl_scan)(int timeout_ms, char **json, size_t *len,
			     struct hw_err *err);
	int (*smartctl_typed)(const char *node, const char *type,
			      int timeout_ms, char **json, size_t *len,
			      struct hw_err *err);
};

/* ops must outlive its use; NULL restores the direct reads.  Set it
 * before any thread probes. */
void hw_raw_set(const struct hw_raw_ops *ops);
const struct hw_raw_ops *hw_raw_get(void);

#endif
