/*
 * nvme.h — the NVMe SMART / Health Information log page (Log Identifier
 * 02h): a pure parser over its 512 bytes, and a live read of it through the
 * kernel's admin passthrough ioctl on a controller node such as /dev/nvme0.
 *
 * Byte layout (NVMe Base Specification, SMART / Health Information Log):
 *   0 critical warning, 1-2 composite temperature (Kelvin, little endian),
 *   3 available spare (%), 4 available spare threshold (%), 5 percentage
 *   used, 32 data units read, 48 data units written, 64 host read commands,
 *   80 host write commands, 96 controller busy time, 112 power cycles,
 *   128 power on hours, 144 unsafe shutdowns, 160 media and data integrity
 *   errors, 176 number of error information log entries — every counter
 *   from byte 32 on is 16 bytes, little endian.
 */
#ifndef KAGENT_HW_NVME_H
#define KAGENT_HW_NVME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* ssize_t in hw.h */

#include "hw.h"

#define HW_NVME_LOG_LEN 512

/*
 * Critical warning bits (byte 0): 0 available spare below its threshold,
 * 1 temperature over or under a threshold, 2 reliability degraded by media
 * or internal errors, 3 media placed in read-only mode, 4 volatile memory
 * backup failed, 5 persistent memory region read-only; 6-7 reserved.
 */
#define HW_NVME_CW_SPARE	   (1u << 0)
#define HW_NVME_CW_TEMPERATURE	   (1u << 1)
#define HW_NVME_CW_RELIABILITY	   (1u << 2)
#define HW_NVME_CW_READ_ONLY	   (1u << 3)
#define HW_NVME_CW_VOLATILE_BACKUP (1u << 4)
#define HW_NVME_CW_PMR_READ_ONLY   (1u << 5)

/*
 * The 128-bit counters keep their low 64 bits only.  A counter whose high
 * half is non-zero, or whose low half does not fit an int64_t, is marked
 * unknown rather than shown truncated.
 */
struct hw_nvme_health {
	uint8_t critical_warning;
	struct hw_num temperature_c;   /* composite, Kelvin - 273 */
	struct hw_num available_spare; /* percent */
	struct hw_num spare_threshold; /* percent */
	struct hw_num percentage_used; /* may exceed 100, 255 means >= 255 */
	struct hw_num media_errors;
	struct hw_num error_log_entries;
	struct hw_num unsafe_shutdowns;
	struct hw_num power_on_hours;
	struct hw_num power_cycles;
	struct hw_num data_units_read; /* thousands of 512-byte units */
	struct hw_num data_units_written;
};

/* Name of one critical warning bit (0-7), e.g. "spare below threshold";
 * "reserved" for bits 6 and 7. */
const char *hw_nvme_critical_warning_name(unsigned bit);

/* -EINVAL if len < 512 (HW_NVME_LOG_LEN). */
int hw_nvme_parse_health_log(const uint8_t *log, size_t len,
			     struct hw_nvme_health *out);

/*
 * The ioctls alone: Identify Controller, then the controller-wide health
 * log's 512 bytes into log, unparsed.  Needs CAP_SYS_ADMIN; errors as
 * hw_nvme_health_read's.
 */
int hw_nvme_health_read_raw(const char *ctrl_devnode,
			    uint8_t log[HW_NVME_LOG_LEN], struct hw_err *err);

/*
 * The raw read (hw_raw.h says who makes it) parsed by
 * hw_nvme_parse_health_log.  Reads the controller-wide health log of ctrl_devnode (/dev/nvme0).  Needs
 * CAP_SYS_ADMIN: -EACCES with err "needs CAP_SYS_ADMIN" without it.  -ENOTTY
 * when the node is not an NVMe controller, -EIO when the controller answers
 * with an error status.
 */
int hw_nvme_health_read(const char *ctrl_devnode, struct hw_nvme_health *out,
			struct hw_err *err);

#endif
