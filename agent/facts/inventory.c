/* The whole host inventory: each probe once, in a fixed order.  The
 * component probes stop the inventory when they fail; SMART, DMI and
 * sensors do not: what they cannot read becomes unknown with a reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "conf.h"
#include "disk_health.h"
#include "health_raid.h"
#include "root.h"

static void probe_smart(const char *root, const struct inventory_opts *opts,
			struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->disks.n; i++) {
		struct disk_smart *s = &inv->smart[i];

		if (opts->smart) {
			disk_health_probe(root, &inv->disks.v[i], s);
			continue;
		}
		memset(s, 0, sizeof *s);
		s->health.verdict = SEV_UNKNOWN;
		snprintf(s->health.reason, sizeof s->health.reason,
			 "SMART not read (--no-smart)");
	}
}

/* Copies a message into a shorter field; the end is cut, never overrun. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void inventory_sensors_probe(const char *root, struct board_sensors_lib *lib,
			     struct inventory *inv)
{
	struct hw_err err = {{0}};
	int r;

	board_sensors_free(&inv->sensors);
	inv->sensors_known = false;
	inv->sensors_error[0] = '\0';
	if (!hw_root_is_live(root)) {
		snprintf(
		    inv->sensors_error, sizeof inv->sensors_error,
		    "sensors are read from the live /sys only (--root given)");
		return;
	}
	r = lib ? board_sensors_read_open(lib, &inv->sensors, &err)
		: board_sensors_read(&inv->sensors, &err);
	if (r < 0) {
		copy_cut(inv->sensors_error, sizeof inv->sensors_error,
			 err.msg);
		return;
	}
	inv->sensors_known = true;
	if (inv->sensors.error[0] != '\0')
		copy_cut(inv->sensors_error, sizeof inv->sensors_error,
			 inv->sensors.error);
	else if (inv->sensors.n == 0)
		snprintf(inv->sensors_error, sizeof inv->sensors_error,
			 "no hardware monitoring sensors (no hwmon device)");
}

int inventory_probe_opts(const char *root, const struct inventory_opts *opts,
			 struct inventory *inv, struct hw_err *err)
{
	struct hw_err soft = {{0}};
	int r;

	memset(inv, 0, sizeof *inv);
	r = core_root_check(root, err);
	if (r < 0)
		return r;
	r = hw_cpu_probe(root, &inv->cpu, err);
	if (r < 0)
		goto out_fail;
	r = hw_memory_probe(root, &inv->memory, err);
	if (r < 0)
		goto out_fail;
	r = hw_nics_probe_lldp(root, opts->lldp_socket, &inv->nics, err);
	if (r < 0)
		goto out_fail;
	r = hw_disks_probe(root, &inv->disks, err);
	if (r < 0)
		goto out_fail;
	/* One more than needed so that an empty list is not a NULL that
	 * could be mistaken for a failed allocation. */
	inv->smart = calloc(inv->disks.n + 1, sizeof *inv->smart);
	if (inv->smart == NULL) {
		core_err_set(err, "SMART: %s", strerror(ENOMEM));
		r = -ENOMEM;
		goto out_fail;
	}
	probe_smart(root, opts, inv);
	inv->raid = calloc(1, sizeof *inv->raid);
	if (inv->raid == NULL ||
	    (opts->smart &&
	     disk_raid_probe(root, &inv->disks,
			     opts->raid_timeout_ms
				 ? opts->raid_timeout_ms
				 : CONF_SMART_TIMEOUT_DEFAULT * 1000,
			     inv->raid) < 0)) {
		core_err_set(err, "SMART: %s", strerror(ENOMEM));
		r = -ENOMEM;
		goto out_fail;
	}
	if (board_dmi_read(root, &inv->dmi, &soft) < 0) {
		memset(&inv->dmi, 0, sizeof inv->dmi);
		copy_cut(inv->dmi_error, sizeof inv->dmi_error, soft.msg);
	}
	inventory_sensors_probe(root, opts->sensors_lib, inv);
	return 0;

out_fail:
	inventory_free(inv);
	return r;
}

int inventory_probe(const char *root, struct inventory *inv, struct hw_err *err)
{
	static const struct inventory_opts defaults = {.smart = true};

	return inventory_probe_opts(root, &defaults, inv, err);
}

void inventory_free(struct inventory *inv)
{
	hw_nics_free(&inv->nics);
	hw_disks_free(&inv->disks);
	free(inv->smart);
	inv->smart = NULL;
	if (inv->raid != NULL)
		disk_raid_free(inv->raid);
	free(inv->raid);
	inv->raid = NULL;
	board_sensors_free(&inv->sensors);
}
