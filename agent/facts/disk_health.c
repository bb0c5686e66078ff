/* Per-disk SMART dispatch: which source can answer for a disk, and the
 * fallbacks when it cannot.  Every outcome, including "could not read",
 * ends as a verdict with a reason, so no disk is skipped silently. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "disk_health.h"
#include "root.h"

/* Sets the verdict and its reason; a reason that does not fit is cut. */
static void health_set(struct disk_smart *out, enum check_severity v,
		       const char *source, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void health_set(struct disk_smart *out, enum check_severity v,
		       const char *source, const char *fmt, ...)
{
	va_list ap;

	out->health.verdict = v;
	snprintf(out->health.source, sizeof out->health.source, "%s", source);
	va_start(ap, fmt);
	vsnprintf(out->health.reason, sizeof out->health.reason, fmt, ap);
	va_end(ap);
}

enum disk_smart_plan disk_health_plan(const char *root, const struct hw_disk *d,
				      char *reason, size_t cap)
{
	static const char *const smartctl_transports[] = {"sas", "scsi", "usb"};
	const char *t = d->transport;
	size_t i;

	reason[0] = '\0';
	if (d->kind != HW_DISK_PHYSICAL) {
		snprintf(reason, cap,
			 "%s volume: its member disks carry health",
			 d->kind == HW_DISK_MD ? "md" : "dm");
		return DISK_PLAN_NONE;
	}
	if (!hw_root_is_live(root)) {
		snprintf(reason, cap,
			 "SMART is read from live devices only (--root given)");
		return DISK_PLAN_CAPTURED;
	}
	if (strcmp(t, "nvme") == 0)
		return DISK_PLAN_NVME;
	if (strcmp(t, "sata") == 0 || strcmp(t, "ata") == 0)
		return DISK_PLAN_ATA;
	for (i = 0;
	     i < sizeof smartctl_transports / sizeof *smartctl_transports; i++)
		if (strcmp(t, smartctl_transports[i]) == 0)
			return DISK_PLAN_SMARTCTL;
	if (strcmp(t, "virtio") == 0 || strcmp(t, "mmc") == 0)
		snprintf(reason, cap, "%s %s have no SMART", t,
			 t[0] == 'v' ? "disks" : "devices");
	else if (t[0] == '\0')
		snprintf(reason, cap, "transport unknown: no SMART source");
	else
		snprintf(reason, cap, "no SMART source for %s disks", t);
	return DISK_PLAN_UNSUPPORTED;
}

const char *disk_health_plan_name(enum disk_smart_plan p)
{
	switch (p) {
	case DISK_PLAN_CAPTURED:
		return "captured";
	case DISK_PLAN_NVME:
		return "nvme";
	case DISK_PLAN_ATA:
		return "ata";
	case DISK_PLAN_SMARTCTL:
		return "smartctl";
	case DISK_PLAN_UNSUPPORTED:
		return "unsupported";
	case DISK_PLAN_NONE:
		break;
	}
	return "none";
}

/* "nvme" followed by digits only: a controller, not a namespace. */
static bool is_nvme_ctrl(const char *name, long *num)
{
	const char *p = name + 4;

	if (strncmp(name, "nvme", 4) != 0 || *p == '\0')
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	if (strlen(name + 4) > 9)
		return false;
	*num = strtol(name + 4, NULL, 10);
	return true;
}

/* A multipath head's parent is its subsystem, which links its
 * controllers by name; any live one serves the health log. */
static int ctrl_in_subsystem(const char *dir, char *ctrl, size_t cap)
{
	struct dirent *de;
	long best = -1, n;
	DIR *d;

	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL)
		if (is_nvme_ctrl(de->d_name, &n) && (best < 0 || n < best))
			best = n;
	closedir(d);
	if (best < 0)
		return -ENOENT;
	snprintf(ctrl, cap, "nvme%ld", best);
	return 0;
}

int disk_nvme_controller(const char *root, const char *disk, char *ctrl,
			 size_t cap)
{
	char p[PATH_MAX], real[PATH_MAX], *slash;
	long n;

	if (core_path(p, sizeof p, root, "sys/block/%s", disk) < 0)
		return -ENAMETOOLONG;
	if (realpath(p, real) == NULL)
		return -errno;
	slash = strrchr(real, '/');
	if (slash == NULL || slash == real)
		return -ENOENT;
	*slash = '\0';
	slash = strrchr(real, '/');
	if (is_nvme_ctrl(slash + 1, &n)) {
		if (strlen(slash + 1) >= cap)
			return -ENAMETOOLONG;
		snprintf(ctrl, cap, "%s", slash + 1);
		return 0;
	}
	return ctrl_in_subsystem(real, ctrl, cap);
}

/* smartctl's first message, which says why it had no status. */
static const char *smartctl_message(const struct hw_smartctl *s)
{
	return s->n_messages > 0 ? s->messages[0] : "";
}

void disk_health_from_smartctl(const struct hw_smartctl *s, const char *prefix,
			       struct disk_smart *out)
{
	struct disk_health h;
	const char *msg = smartctl_message(s);
	const char *why;

	out->source = DISK_SRC_SMARTCTL;
	health_from_smartctl(s, &h);
	why = h.reason;
	/* With -n standby smartctl stops before any SMART command and says
	 * "Device is in STANDBY mode, exit(2)". */
	if (h.verdict == SEV_UNKNOWN &&
	    strncmp(msg, "Device is in ", 13) == 0) {
		out->asleep = true;
		snprintf(h.reason, sizeof h.reason,
			 "disk asleep, not woken (smartctl: %s)", msg);
	} else if (h.verdict == SEV_UNKNOWN &&
		   strstr(msg, "Permission denied") != NULL) {
		snprintf(h.reason, sizeof h.reason,
			 "needs CAP_SYS_RAWIO (smartctl: %s)", msg);
	} else if (strncmp(why, "smartctl: ", 10) == 0) {
		why += 10;
	}
	if (prefix != NULL && prefix[0] != '\0')
		health_set(out, h.verdict, "smartctl", "%s; smartctl: %s",
			   prefix, why);
	else
		health_set(out, h.verdict, "smartctl", "%s", h.reason);
}

/* smartctl for whatever the first source could not read; prefix says
 * what that source answered. */
static void read_smartctl(const char *devnode, const char *prefix,
			  struct disk_smart *out)
{
	const char *sep = prefix != NULL && prefix[0] ? "; " : "";
	struct hw_err err = {{0}};
	char *json = NULL;
	size_t len = 0;
	int r;

	if (prefix == NULL)
		prefix = "";
	r = hw_smartctl_run(devnode, DISK_SMARTCTL_TIMEOUT_MS, &json, &len,
			    &err);
	if (r == -ENOENT) {
		health_set(out, SEV_UNKNOWN, "",
			   "%s%ssmartctl not installed", prefix, sep);
		return;
	}
	if (r < 0) {
		health_set(out, SEV_UNKNOWN, "smartctl", "%s%s%s", prefix,
			   sep, err.msg);
		return;
	}
	memset(&out->facts.smartctl, 0, sizeof out->facts.smartctl);
	r = hw_smartctl_parse(json, len, &out->facts.smartctl, &err);
	free(json);
	if (r < 0) {
		health_set(out, SEV_UNKNOWN, "smartctl", "%s%s%s", prefix,
			   sep, err.msg);
		return;
	}
	disk_health_from_smartctl(&out->facts.smartctl, prefix, out);
}

/* libatasmart first: it needs no external program.  QEMU's AHCI disks and
 * SATA disks behind some bridges answer IDENTIFY but not its SMART
 * commands, which smartctl's SAT layer still reads. */
static void read_ata(const char *devnode, struct disk_smart *out)
{
	struct hw_err err = {{0}};
	char prefix[96];
	int r;

	r = hw_ata_smart_read(devnode, &out->facts.ata, &err);
	if (r == 0) {
		out->source = DISK_SRC_ATASMART;
		out->asleep = out->facts.ata.asleep;
		health_from_ata(&out->facts.ata, &out->health);
		return;
	}
	if (r == -EACCES) {
		health_set(out, SEV_UNKNOWN, "atasmart",
			   "needs CAP_SYS_RAWIO");
		return;
	}
	snprintf(prefix, sizeof prefix, "libatasmart: %s", strerror(-r));
	read_smartctl(devnode, prefix, out);
}

static void read_nvme(const char *ctrl_node, struct disk_smart *out)
{
	struct hw_err err = {{0}};
	char prefix[sizeof err.msg + 8];
	int r;

	r = hw_nvme_health_read(ctrl_node, &out->facts.nvme, &err);
	if (r == 0) {
		out->source = DISK_SRC_NVME;
		health_from_nvme(&out->facts.nvme, &out->health);
		return;
	}
	if (r == -EACCES) {
		health_set(out, SEV_UNKNOWN, "nvme", "needs CAP_SYS_ADMIN");
		return;
	}
	snprintf(prefix, sizeof prefix, "nvme: %s", err.msg);
	read_smartctl(ctrl_node, prefix, out);
}

int disk_health_probe(const char *root, const struct hw_disk *d,
		      struct disk_smart *out)
{
	char reason[sizeof out->health.reason], node[PATH_MAX], ctrl[32];
	enum disk_smart_plan plan;

	memset(out, 0, sizeof *out);
	out->health.verdict = SEV_UNKNOWN;
	if (d->name[0] == '\0') {
		health_set(out, SEV_UNKNOWN, "", "disk without a name");
		return -EINVAL;
	}
	plan = disk_health_plan(root, d, reason, sizeof reason);
	switch (plan) {
	case DISK_PLAN_NVME:
		if (disk_nvme_controller(root, d->name, ctrl, sizeof ctrl) <
		    0) {
			health_set(out, SEV_UNKNOWN, "nvme",
				   "controller of %s not found in sysfs",
				   d->name);
			break;
		}
		core_path(node, sizeof node, root, "dev/%s", ctrl);
		read_nvme(node, out);
		break;
	case DISK_PLAN_ATA:
		core_path(node, sizeof node, root, "dev/%s", d->name);
		read_ata(node, out);
		break;
	case DISK_PLAN_SMARTCTL:
		core_path(node, sizeof node, root, "dev/%s", d->name);
		read_smartctl(node, NULL, out);
		break;
	case DISK_PLAN_NONE:
	case DISK_PLAN_CAPTURED:
	case DISK_PLAN_UNSUPPORTED:
		health_set(out, SEV_UNKNOWN, "", "%s", reason);
		break;
	}
	return 0;
}

int disk_health_probe_node(const char *devnode, struct disk_smart *out)
{
	struct hw_disks disks = {0};
	struct hw_err err = {{0}};
	char real[PATH_MAX];
	const char *name;
	size_t i;
	long n;
	int r;

	memset(out, 0, sizeof *out);
	out->health.verdict = SEV_UNKNOWN;
	if (realpath(devnode, real) == NULL) {
		r = -errno;
		health_set(out, SEV_UNKNOWN, "", "%s: %s", devnode,
			   strerror(-r));
		return r;
	}
	name = strrchr(real, '/') + 1;
	if (is_nvme_ctrl(name, &n)) {
		read_nvme(real, out);
		return 0;
	}
	/* The transport comes from the block probe, as in the inventory. */
	if (hw_disks_probe("/", &disks, &err) == 0) {
		for (i = 0; i < disks.n; i++) {
			if (strcmp(disks.v[i].name, name) != 0)
				continue;
			r = disk_health_probe("/", &disks.v[i], out);
			hw_disks_free(&disks);
			return r;
		}
		hw_disks_free(&disks);
	}
	read_ata(real, out);
	return 0;
}
