/*
 * board.h — facts about the machine as a whole: its DMI identity and its
 * hardware monitoring sensors.
 *
 * Same conventions as hw.h: 0 or a negative errno, results in out
 * parameters, empty strings and known=false for what the host does not
 * reveal.
 */
#ifndef KAGENT_BOARD_H
#define KAGENT_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h> /* ssize_t in hw.h */

#include "hw.h"

/* ---- dmi.c: sys/class/dmi/id below a root ---- */

#define BOARD_DMI_STR_MAX 80 /* SMBIOS strings are short; longer is junk */

/* One bit per field in board_dmi.needs_root. */
enum board_dmi_field {
	BOARD_DMI_VENDOR = 0,
	BOARD_DMI_PRODUCT,
	BOARD_DMI_PRODUCT_VERSION,
	BOARD_DMI_SERIAL,
	BOARD_DMI_BOARD_VENDOR,
	BOARD_DMI_BOARD_NAME,
	BOARD_DMI_BIOS_VENDOR,
	BOARD_DMI_BIOS_VERSION,
	BOARD_DMI_BIOS_DATE,
	BOARD_DMI_CHASSIS_ASSET_TAG,
	BOARD_DMI_CHASSIS_SERIAL,
	BOARD_DMI_NFIELDS,
};

struct board_dmi {
	char vendor[BOARD_DMI_STR_MAX];	 /* sys_vendor */
	char product[BOARD_DMI_STR_MAX]; /* product_name */
	char product_version[BOARD_DMI_STR_MAX];
	char serial[BOARD_DMI_STR_MAX]; /* product_serial */
	char board_vendor[BOARD_DMI_STR_MAX];
	char board_name[BOARD_DMI_STR_MAX];
	char bios_vendor[BOARD_DMI_STR_MAX];
	char bios_version[BOARD_DMI_STR_MAX];
	char bios_date[BOARD_DMI_STR_MAX];
	char chassis_asset_tag[BOARD_DMI_STR_MAX];
	char chassis_serial[BOARD_DMI_STR_MAX];
	/* Bit (1u << enum board_dmi_field) set when the attribute exists but
	 * this user may not read it (the kernel makes the serials mode 0400):
	 * the field is empty, and its reason is "needs root". */
	unsigned needs_root;
};

/* A host without DMI (many VMs, ARM boards) is not an error: every field
 * is unknown and the call returns 0. */
int board_dmi_read(const char *root, struct board_dmi *out, struct hw_err *err);
/* Field name as in the JSON report ("serial", "bios_date"...). */
const char *board_dmi_field_name(enum board_dmi_field f);
/* The field's value, "" when unknown. */
const char *board_dmi_field_value(const struct board_dmi *d,
				  enum board_dmi_field f);

/* ---- sensors.c: hardware monitoring through libsensors ---- */

enum board_sensor_kind {
	BOARD_SENSOR_TEMP = 0,	/* degrees Celsius */
	BOARD_SENSOR_FAN,	/* RPM */
	BOARD_SENSOR_VOLTAGE,	/* volts */
	BOARD_SENSOR_CURRENT,	/* amperes */
	BOARD_SENSOR_POWER,	/* watts */
	BOARD_SENSOR_INTRUSION, /* chassis opened: an alarm, no value */
};

/* A reading in the sensor's unit, after the distro config's compute lines. */
struct board_value {
	double v;
	bool known;
};

struct board_sensor {
	char chip[64];	/* libsensors chip name: coretemp-isa-0000 */
	char label[64]; /* config label, else the kernel's, else temp1 */
	enum board_sensor_kind kind;
	struct board_value value;
	struct board_value min; /* fans and voltages: low limit */
	struct board_value max; /* max, or high for power meters */
	struct board_value crit;
	struct board_value alarm; /* any alarm of this sensor; v = 0/1 */
	bool fault;		  /* the chip reports the sensor broken */
};

struct board_sensors {
	struct board_sensor *v;
	size_t n;
	/* A problem that did not stop the read (a config file libsensors
	 * refused); empty when none. */
	char error[160];
};

/* Reads every sensor of the live host.  libsensors always reads /sys and
 * cannot be pointed below a root: a caller probing a captured tree must
 * report sensors as unknown instead of calling this.  No hwmon device at
 * all gives n = 0 and returns 0. */
int board_sensors_read(struct board_sensors *out, struct hw_err *err);

/* libsensors once initialised, for a daemon that reads every second:
 * open parses the config and finds the chips, each read only reads their
 * values.  The library keeps its state in globals: one open at a time per
 * process, closed before the next open (a refresh is close + open). */
struct board_sensors_lib {
	bool open;
	char error[160]; /* board_sensors.error of every read */
};

int board_sensors_open(struct board_sensors_lib *lib, struct hw_err *err);
int board_sensors_read_open(struct board_sensors_lib *lib,
			    struct board_sensors *out, struct hw_err *err);
void board_sensors_close(struct board_sensors_lib *lib);
void board_sensors_free(struct board_sensors *s);
const char *board_sensor_kind_name(enum board_sensor_kind k);
/* "°C", "RPM", "V", "A", "W", or "" for intrusion. */
const char *board_sensor_unit(enum board_sensor_kind k);

#endif
