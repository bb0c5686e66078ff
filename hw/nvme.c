/* The NVMe SMART / Health Information log: parsed from bytes, read live
 * through the kernel's admin passthrough ioctl (no libnvme needed for two
 * commands). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/nvme_ioctl.h>

#include "hw_raw.h"
#include "nvme.h"

#define NVME_ADMIN_GET_LOG_PAGE 0x02
#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_IDENTIFY_LEN	4096
#define NVME_CNS_CONTROLLER	1
#define NVME_LID_HEALTH		0x02
#define NVME_NSID_ALL		0xffffffffu
#define NVME_ID_LPA		261 /* Log Page Attributes byte */
#define NVME_LPA_EXTENDED	(1u << 2)
#define NVME_GLP_RAE		(1u << 15)

static const char *const cw_names[8] = {
    "spare below threshold",
    "temperature threshold",
    "reliability degraded",
    "read-only",
    "volatile memory backup failed",
    "persistent memory region read-only",
    "reserved",
    "reserved",
};

const char *hw_nvme_critical_warning_name(unsigned bit)
{
	return bit < 8 ? cw_names[bit] : "reserved";
}

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* A 16-byte little-endian counter.  A count past 2^63 cannot be stored in
 * hw_num and no real device reaches it: unknown, not a wrapped number. */
static struct hw_num le128_at(const uint8_t *p)
{
	struct hw_num n = {0, false};
	uint64_t lo = le64_at(p), hi = le64_at(p + 8);

	if (hi == 0 && lo <= (uint64_t)INT64_MAX) {
		n.v = (int64_t)lo;
		n.known = true;
	}
	return n;
}

static struct hw_num byte_num(uint8_t b)
{
	struct hw_num n = {b, true};
	return n;
}

int hw_nvme_parse_health_log(const uint8_t *log, size_t len,
			     struct hw_nvme_health *out)
{
	unsigned kelvin;

	if (log == NULL || out == NULL || len < HW_NVME_LOG_LEN)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	out->critical_warning = log[0];
	/* 0 K is what a controller that does not report it leaves there. */
	kelvin = (unsigned)log[1] | (unsigned)log[2] << 8;
	if (kelvin != 0) {
		out->temperature_c.v = (int64_t)kelvin - 273;
		out->temperature_c.known = true;
	}
	out->available_spare = byte_num(log[3]);
	out->spare_threshold = byte_num(log[4]);
	out->percentage_used = byte_num(log[5]);
	out->data_units_read = le128_at(log + 32);
	out->data_units_written = le128_at(log + 48);
	out->power_cycles = le128_at(log + 112);
	out->power_on_hours = le128_at(log + 128);
	out->unsafe_shutdowns = le128_at(log + 144);
	out->media_errors = le128_at(log + 160);
	out->error_log_entries = le128_at(log + 176);
	return 0;
}

/* ioctl result: < 0 errno from the kernel, > 0 the NVMe status field. */
static int admin_cmd(int fd, struct nvme_admin_cmd *cmd, const char *dev,
		     const char *what, struct hw_err *err)
{
	int r;

	r = ioctl(fd, NVME_IOCTL_ADMIN_CMD, cmd);
	if (r < 0) {
		r = errno;
		if (r == EACCES || r == EPERM) {
			core_err_set(err, "%s: %s: needs CAP_SYS_ADMIN", dev,
				   what);
			return -EACCES;
		}
		core_err_set(err, "%s: %s: %s", dev, what, strerror(r));
		return -r;
	}
	if (r > 0) {
		core_err_set(err, "%s: %s: NVMe status 0x%x", dev, what,
			   (unsigned)r);
		return -EIO;
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/*
 * Identify Controller comes first: a controller that does not answer it
 * will not answer a log page either, and its LPA byte says which Get Log
 * Page extensions are allowed.  NSID FFFFFFFFh asks for the controller-wide
 * page, valid whether or not LPA bit 0 (per-namespace page) is set; NUMDU
 * and the log page offset stay zero, as LPA bit 2 requires when clear.  RAE is
 * set so that our read leaves the controller's SMART asynchronous event
 * outstanding for whoever listens for it (controllers before NVMe 1.3 ignore
 * the bit).  The error information log is never read: on some controllers that
 * clears entries.
 */
int hw_nvme_health_read_raw(const char *ctrl_devnode,
			    uint8_t log[HW_NVME_LOG_LEN], struct hw_err *err)
{
	struct nvme_admin_cmd cmd;
	uint8_t *id = NULL;
	uint8_t lpa;
	int fd, r;

	fd = open(ctrl_devnode, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = errno;
		if (r == EACCES || r == EPERM) {
			core_err_set(err, "%s: needs CAP_SYS_ADMIN",
				   ctrl_devnode);
			return -EACCES;
		}
		core_err_set(err, "%s: %s", ctrl_devnode, strerror(r));
		return -r;
	}
	id = calloc(1, NVME_IDENTIFY_LEN);
	memset(log, 0, HW_NVME_LOG_LEN);
	if (id == NULL) {
		r = -ENOMEM;
		goto out_free;
	}

	memset(&cmd, 0, sizeof cmd);
	cmd.opcode = NVME_ADMIN_IDENTIFY;
	cmd.addr = (uint64_t)(uintptr_t)id;
	cmd.data_len = NVME_IDENTIFY_LEN;
	cmd.cdw10 = NVME_CNS_CONTROLLER;
	r = admin_cmd(fd, &cmd, ctrl_devnode, "Identify Controller", err);
	if (r < 0)
		goto out_free;
	if (all_zero(id, NVME_IDENTIFY_LEN)) {
		core_err_set(err, "%s: Identify Controller returned no data",
			   ctrl_devnode);
		r = -EIO;
		goto out_free;
	}
	/* Without LPA's extended-data bit, NUMD is limited to 12 bits (NVMe
	 * 1.2); 127 dwords fit either way, checked here so a larger page
	 * could not slip through unnoticed. */
	lpa = id[NVME_ID_LPA];
	if (!(lpa & NVME_LPA_EXTENDED) && HW_NVME_LOG_LEN / 4 - 1 > 0xfff) {
		r = -EINVAL;
		goto out_free;
	}

	memset(&cmd, 0, sizeof cmd);
	cmd.opcode = NVME_ADMIN_GET_LOG_PAGE;
	cmd.nsid = NVME_NSID_ALL;
	cmd.addr = (uint64_t)(uintptr_t)log;
	cmd.data_len = HW_NVME_LOG_LEN;
	cmd.cdw10 = NVME_LID_HEALTH | NVME_GLP_RAE |
		    (uint32_t)(HW_NVME_LOG_LEN / 4 - 1) << 16;
	r = admin_cmd(fd, &cmd, ctrl_devnode, "Get Log Page 02h", err);
out_free:
	free(id);
	close(fd);
	return r;
}

int hw_nvme_health_read(const char *ctrl_devnode, struct hw_nvme_health *out,
			struct hw_err *err)
{
	uint8_t log[HW_NVME_LOG_LEN];
	int r;

	memset(out, 0, sizeof *out);
	r = hw_raw_get()->nvme(ctrl_devnode, log, err);
	if (r < 0)
		return r;
	return hw_nvme_parse_health_log(log, sizeof log, out);
}
