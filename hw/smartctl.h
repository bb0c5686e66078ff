/*
 * smartctl.h — disk health as smartmontools' `smartctl --json` reports it:
 * a parser over its JSON (any protocol: ATA, SCSI, NVMe) and a runner that
 * starts smartctl without a shell and captures what it prints.
 */
#ifndef KAGENT_HW_SMARTCTL_H
#define KAGENT_HW_SMARTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h> /* ssize_t in hw.h */

#include "hw.h"
#include "nvme.h"

/* The ATA SMART data structure holds at most 30 attribute entries. */
#define HW_SMARTCTL_ATTRS_MAX 30
#define HW_SMARTCTL_MSGS_MAX  4
#define HW_SMARTCTL_MSG_LEN   160
/* Largest output hw_smartctl_run accepts; `smartctl -x` on a SATA disk
 * prints about 40 KiB of JSON. */
#define HW_SMARTCTL_OUT_MAX (1 << 20)

/*
 * smartctl.exit_status bits (smartctl(8) RETURN VALUES): 0 the command line
 * did not parse; 1 the device did not open, or was in standby with -n;
 * 2 a SMART or other command failed; 3 SMART status says the disk is
 * failing; 4 a prefail attribute is at or below its threshold; 5 an
 * attribute was at or below its threshold in the past; 6 the device error
 * log has entries; 7 a self-test reported an error.
 */
#define HW_SMARTCTL_EXIT_CMDLINE      (1 << 0)
#define HW_SMARTCTL_EXIT_OPEN	      (1 << 1)
#define HW_SMARTCTL_EXIT_COMMAND      (1 << 2)
#define HW_SMARTCTL_EXIT_FAILING      (1 << 3)
#define HW_SMARTCTL_EXIT_PREFAIL_NOW  (1 << 4)
#define HW_SMARTCTL_EXIT_FAILED_PAST  (1 << 5)
#define HW_SMARTCTL_EXIT_ERROR_LOG    (1 << 6)
#define HW_SMARTCTL_EXIT_SELFTEST_LOG (1 << 7)

struct hw_smartctl_attr {
	int id;
	char name[40];
	struct hw_num value; /* normalised */
	struct hw_num worst;
	struct hw_num thresh;
	struct hw_num raw;   /* raw.value, 48 bits on ATA */
	bool prefail;	     /* flags.prefailure */
	char when_failed[8]; /* "", "now" or "past" */
};

struct hw_smartctl {
	/* device.protocol: "ATA", "SCSI", "NVMe" */
	char protocol[8];
	/* device.type: "sat", "nvme", "sat+megaraid,14" */
	char device_type[32];
	/* model_name, else scsi_model_name, else vendor and product */
	char model[64];
	char serial[64];
	struct hw_num smart_status;   /* smart_status.passed as 0/1 */
	struct hw_num temperature_c;  /* temperature.current */
	struct hw_num power_on_hours; /* power_on_time.hours */
	struct hw_num power_cycles;   /* power_cycle_count */
	size_t n_attrs;		      /* ATA attribute table, first 30 */
	struct hw_smartctl_attr attrs[HW_SMARTCTL_ATTRS_MAX];
	/* nvme_smart_health_information_log, with its critical_warning */
	bool has_nvme;
	struct hw_nvme_health nvme;
	struct hw_num scsi_grown_defects; /* scsi_grown_defect_list */
	/* smart_status.scsi: present when SCSI health is not OK */
	char scsi_ie_string[96];
	struct hw_num scsi_asc;
	struct hw_num scsi_ascq;
	struct hw_num exit_status; /* HW_SMARTCTL_EXIT_* bits */
	/* smartctl.messages[].string, the first HW_SMARTCTL_MSGS_MAX */
	size_t n_messages;
	char messages[HW_SMARTCTL_MSGS_MAX][HW_SMARTCTL_MSG_LEN];
};

/* -EINVAL with err naming line and column when json is not a JSON object.
 * Fields the document lacks are left unknown (or empty). */
int hw_smartctl_parse(const char *json, size_t len, struct hw_smartctl *out,
		      struct hw_err *err);

/* The attribute with this ATA id, or NULL. */
const struct hw_smartctl_attr *
hw_smartctl_attr_find(const struct hw_smartctl *s, int id);

/*
 * Runs `smartctl --json=c -a -n standby DEVNODE` (no shell; -n standby so a
 * sleeping disk is not spun up) and returns what it printed in *json
 * (NUL-terminated, free() it) whatever smartctl's exit status: that status
 * is a bit mask the JSON carries.  -ENOENT when smartctl is not installed
 * (PATH, /usr/sbin, /sbin), -ETIMEDOUT when it ran past timeout_ms (it is
 * killed and reaped), -EFBIG past HW_SMARTCTL_OUT_MAX bytes, -EIO when it
 * died from a signal or printed nothing.
 */
int hw_smartctl_run(const char *devnode, int timeout_ms, char **json,
		    size_t *len, struct hw_err *err);
/* What hw_smartctl_run does in this process; hw_smartctl_run itself goes
 * through hw_raw.h, so that kagentd's unprivileged side has its prober
 * run smartctl and only parses the JSON. */
int hw_smartctl_exec(const char *devnode, int timeout_ms, char **json,
		     size_t *len, struct hw_err *err);
/* The runner under both: argv as given (argv[0] "smartctl"), exe the
 * program to start (NULL: smartctl found as above), what names the run in
 * errors ("-d megaraid,0 /dev/bus/0").  Past timeout_ms the child is
 * killed and reaped: -ETIMEDOUT, "smartctl WHAT: timed out after N s,
 * killed". */
int hw_smartctl_exec_argv(const char *exe, char *const argv[],
			  const char *what, int timeout_ms, char **json,
			  size_t *len, struct hw_err *err);

#endif
