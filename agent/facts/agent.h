/*
 * agent.h — what the agent decides and prints, on top of hw/ and board/.
 */
#ifndef KAGENT_AGENT_H
#define KAGENT_AGENT_H

#include <jansson.h>
#include <stdio.h>

#include "board.h"
#include "core_json.h"
#include "health.h"
#include "hw.h"

/* Exit codes of the CLI outside `kagent check` (which follows Nagios). */
#define AGENT_EXIT_OK 0
#define AGENT_EXIT_USAGE 2

/* ---- inventory.c: every probe of the host, once ---- */

struct disk_smart;
struct disk_raid;
struct hw_ata_smart;
struct hw_nvme_health;
struct hw_smartctl;

struct inventory_opts {
	bool smart; /* read every disk's SMART; off: health unknown */
	/* Sensors through this open library (a daemon's), else a one-shot
	 * board_sensors_read. */
	struct board_sensors_lib *sensors_lib;
	/* lldpd's control socket; NULL: lldpd's default. */
	const char *lldp_socket;
	/* One smartctl run on a disk behind a RAID controller; 0: [smart]
	 * timeout's default.  kagentd's prober applies its own. */
	int raid_timeout_ms;
};

struct inventory {
	struct hw_cpu cpu;
	struct hw_memory memory;
	struct hw_nics nics;
	struct hw_disks disks;
	/* Parallel to disks.v: SMART facts and disk.health of each disk. */
	struct disk_smart *smart;
	/* The disks behind RAID controllers (health_raid.h), each naming
	 * its logical disk; read with SMART. */
	struct disk_raid *raid;
	struct board_dmi dmi;
	char dmi_error[160]; /* empty when DMI was read */
	/* libsensors reads only the live /sys: with another root, or when
	 * it fails, sensors_known is false and sensors_error says why.  With
	 * sensors_known and n = 0 the host has none; sensors_error says so. */
	struct board_sensors sensors;
	bool sensors_known;
	char sensors_error[192];
};

/* inventory_probe_opts with SMART read. */
int inventory_probe(const char *root, struct inventory *inv,
		    struct hw_err *err);
int inventory_probe_opts(const char *root, const struct inventory_opts *opts,
			 struct inventory *inv, struct hw_err *err);
void inventory_free(struct inventory *inv);
/* Re-reads inv->sensors (freed first) and sets sensors_known and
 * sensors_error as inventory_probe does; lib NULL: a one-shot read. */
void inventory_sensors_probe(const char *root, struct board_sensors_lib *lib,
			     struct inventory *inv);

/* ---- inventory_json.c ---- */

/* Builds the JSON document the README specifies; NULL on allocation failure. */
json_t *inventory_to_json(const struct inventory *inv);
/* {verdict, reason, source}; source null when no source answered. */
json_t *disk_health_to_json(const struct disk_health *h);
/* The raw facts of the source that answered; JSON null when none did. */
json_t *disk_smart_to_json(const struct disk_smart *s);
struct disk_raid_member;
/* {device_type, path, model, serial, health, smart} of a disk behind a
 * RAID controller. */
json_t *disk_raid_member_to_json(const struct disk_raid_member *m);
/* {model, serial, firmware, asleep, overall, bad_sectors, temperature_c,
 *  power_on_hours, power_cycles, attributes[].{id, name, current, worst,
 *  threshold, raw, prefail}} */
json_t *disk_ata_to_json(const struct hw_ata_smart *s);
json_t *disk_nvme_to_json(const struct hw_nvme_health *h);
json_t *disk_smartctl_to_json(const struct hw_smartctl *s);

/* ---- inventory_text.c ---- */

void inventory_print_text(const struct inventory *inv, FILE *out);

/* ---- cmd_*.c: one file per subcommand; argv[0] is the subcommand ---- */

int cmd_inventory(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_smart(int argc, char **argv);
int cmd_status(int argc, char **argv);
/* cmd_fleet.c: 0 when the collector answered, 2 when it cannot be
 * reached or answers an error (the message names the URL). */
int cmd_fleet(int argc, char **argv);

#endif
