/*
 * Hardware monitoring sensors through libsensors, the library behind
 * `sensors`.  It is used rather than walking hwmon ourselves because it
 * carries the distro's /etc/sensors3.conf: labels such as "Vcore" and the
 * compute lines that turn a chip's raw voltage into the real one.
 *
 * libsensors reads the live /sys (it checks that /sys is a sysfs mount and
 * scans /sys/class/hwmon) and has no notion of a root directory, so this
 * probe cannot read a captured tree: the caller marks sensors unknown when
 * --root is not "/".  It keeps its chip list in library globals, so at
 * most one board_sensors_lib may be open in a process at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sensors/error.h>
#include <sensors/sensors.h>

#include "board.h"

/* More than any real host has (a big server shows ~100); stops a broken
 * driver from growing the list without bound. */
#define SENSORS_MAX 4096

/* Which subfeatures of a feature fill which field.  Alarm lists end at the
 * first 0, which is never an alarm (it is SENSORS_SUBFEATURE_IN_INPUT). */
struct sensor_map {
	sensors_feature_type feature;
	enum board_sensor_kind kind;
	sensors_subfeature_type input, input_alt, min, max, crit, fault;
	sensors_subfeature_type alarms[7];
};

#define NONE SENSORS_SUBFEATURE_UNKNOWN

static const struct sensor_map sensor_maps[] = {
    {SENSORS_FEATURE_TEMP,
     BOARD_SENSOR_TEMP,
     SENSORS_SUBFEATURE_TEMP_INPUT,
     NONE,
     NONE,
     SENSORS_SUBFEATURE_TEMP_MAX,
     SENSORS_SUBFEATURE_TEMP_CRIT,
     SENSORS_SUBFEATURE_TEMP_FAULT,
     {SENSORS_SUBFEATURE_TEMP_ALARM, SENSORS_SUBFEATURE_TEMP_MAX_ALARM,
      SENSORS_SUBFEATURE_TEMP_MIN_ALARM, SENSORS_SUBFEATURE_TEMP_CRIT_ALARM,
      SENSORS_SUBFEATURE_TEMP_EMERGENCY_ALARM,
      SENSORS_SUBFEATURE_TEMP_LCRIT_ALARM}},
    {SENSORS_FEATURE_FAN,
     BOARD_SENSOR_FAN,
     SENSORS_SUBFEATURE_FAN_INPUT,
     NONE,
     SENSORS_SUBFEATURE_FAN_MIN,
     SENSORS_SUBFEATURE_FAN_MAX,
     NONE,
     SENSORS_SUBFEATURE_FAN_FAULT,
     {SENSORS_SUBFEATURE_FAN_ALARM, SENSORS_SUBFEATURE_FAN_MIN_ALARM,
      SENSORS_SUBFEATURE_FAN_MAX_ALARM}},
    {SENSORS_FEATURE_IN,
     BOARD_SENSOR_VOLTAGE,
     SENSORS_SUBFEATURE_IN_INPUT,
     NONE,
     SENSORS_SUBFEATURE_IN_MIN,
     SENSORS_SUBFEATURE_IN_MAX,
     SENSORS_SUBFEATURE_IN_CRIT,
     NONE,
     {SENSORS_SUBFEATURE_IN_ALARM, SENSORS_SUBFEATURE_IN_MIN_ALARM,
      SENSORS_SUBFEATURE_IN_MAX_ALARM, SENSORS_SUBFEATURE_IN_LCRIT_ALARM,
      SENSORS_SUBFEATURE_IN_CRIT_ALARM}},
    {SENSORS_FEATURE_CURR,
     BOARD_SENSOR_CURRENT,
     SENSORS_SUBFEATURE_CURR_INPUT,
     NONE,
     SENSORS_SUBFEATURE_CURR_MIN,
     SENSORS_SUBFEATURE_CURR_MAX,
     SENSORS_SUBFEATURE_CURR_CRIT,
     NONE,
     {SENSORS_SUBFEATURE_CURR_ALARM, SENSORS_SUBFEATURE_CURR_MIN_ALARM,
      SENSORS_SUBFEATURE_CURR_MAX_ALARM, SENSORS_SUBFEATURE_CURR_LCRIT_ALARM,
      SENSORS_SUBFEATURE_CURR_CRIT_ALARM}},
    /* power meters expose either an instantaneous or an averaged input */
    {SENSORS_FEATURE_POWER,
     BOARD_SENSOR_POWER,
     SENSORS_SUBFEATURE_POWER_INPUT,
     SENSORS_SUBFEATURE_POWER_AVERAGE,
     SENSORS_SUBFEATURE_POWER_MIN,
     SENSORS_SUBFEATURE_POWER_MAX,
     SENSORS_SUBFEATURE_POWER_CRIT,
     NONE,
     {SENSORS_SUBFEATURE_POWER_ALARM, SENSORS_SUBFEATURE_POWER_CAP_ALARM,
      SENSORS_SUBFEATURE_POWER_MAX_ALARM, SENSORS_SUBFEATURE_POWER_CRIT_ALARM,
      SENSORS_SUBFEATURE_POWER_MIN_ALARM,
      SENSORS_SUBFEATURE_POWER_LCRIT_ALARM}},
    {SENSORS_FEATURE_INTRUSION,
     BOARD_SENSOR_INTRUSION,
     NONE,
     NONE,
     NONE,
     NONE,
     NONE,
     NONE,
     {SENSORS_SUBFEATURE_INTRUSION_ALARM}},
};

static const struct sensor_map *sensor_map_find(sensors_feature_type t)
{
	size_t i;

	for (i = 0; i < sizeof sensor_maps / sizeof sensor_maps[0]; i++)
		if (sensor_maps[i].feature == t)
			return &sensor_maps[i];
	return NULL;
}

static bool sensor_is_alarm(const struct sensor_map *m,
			    sensors_subfeature_type t)
{
	size_t i;

	for (i = 0;
	     i < sizeof m->alarms / sizeof m->alarms[0] && m->alarms[i] != 0;
	     i++)
		if (m->alarms[i] == t)
			return true;
	return false;
}

/* The library's default handler prints parse errors to stderr; a probe
 * does not print, and the failure is reported through board_sensors. */
static void sensors_parse_quiet(const char *err, const char *filename,
				int lineno)
{
	(void)err;
	(void)filename;
	(void)lineno;
}

/* Fills one sensor from its subfeatures.  A subfeature that cannot be read
 * (no permission, the driver returns an error) leaves its field unknown. */
static void sensor_fill(const sensors_chip_name *chip,
			const sensors_feature *feat, const struct sensor_map *m,
			struct board_sensor *s)
{
	const sensors_subfeature *sf;
	struct board_value alt = {0};
	int nr = 0;
	double v;

	while ((sf = sensors_get_all_subfeatures(chip, feat, &nr)) != NULL) {
		struct board_value *dst = NULL;

		if (!(sf->flags & SENSORS_MODE_R))
			continue;
		if (sensors_get_value(chip, sf->number, &v) < 0)
			continue;
		if (sf->type == m->input)
			dst = &s->value;
		else if (sf->type == m->input_alt)
			dst = &alt;
		else if (sf->type == m->min)
			dst = &s->min;
		else if (sf->type == m->max)
			dst = &s->max;
		else if (sf->type == m->crit)
			dst = &s->crit;
		else if (sf->type == m->fault)
			s->fault = v != 0;
		else if (sensor_is_alarm(m, sf->type)) {
			/* several alarm files: raised if any is */
			s->alarm.v =
			    (s->alarm.known && s->alarm.v != 0) || v != 0;
			s->alarm.known = true;
		}
		if (dst) {
			dst->v = v;
			dst->known = true;
		}
	}
	if (!s->value.known && alt.known)
		s->value = alt;
	/* a faulty sensor's reading is noise, not a temperature */
	if (s->fault)
		s->value.known = false;
}

static int sensors_append(struct board_sensors *out, size_t *cap,
			  struct board_sensor **slot)
{
	struct board_sensor *nv;
	size_t ncap;

	if (out->n == *cap) {
		if (*cap >= SENSORS_MAX)
			return -E2BIG;
		ncap = *cap ? *cap * 2 : 32;
		nv = realloc(out->v, ncap * sizeof *nv);
		if (nv == NULL)
			return -ENOMEM;
		out->v = nv;
		*cap = ncap;
	}
	*slot = &out->v[out->n++];
	memset(*slot, 0, sizeof **slot);
	return 0;
}

static int sensors_collect(struct board_sensors *out, struct hw_err *err)
{
	const sensors_chip_name *chip;
	const sensors_feature *feat;
	const struct sensor_map *m;
	struct board_sensor *s;
	size_t cap = 0;
	int cnr = 0, fnr, r;
	char *label;

	while ((chip = sensors_get_detected_chips(NULL, &cnr)) != NULL) {
		fnr = 0;
		while ((feat = sensors_get_features(chip, &fnr)) != NULL) {
			m = sensor_map_find(feat->type);
			if (m == NULL)
				continue; /* vid, beep_enable, energy... */
			r = sensors_append(out, &cap, &s);
			if (r < 0) {
				if (r == -E2BIG)
					core_err_set(err, "sensors: more than %d",
						   SENSORS_MAX);
				else
					core_err_set(err, "sensors: %s",
						   strerror(-r));
				return r;
			}
			if (sensors_snprintf_chip_name(s->chip, sizeof s->chip,
						       chip) < 0)
				snprintf(s->chip, sizeof s->chip, "%s",
					 chip->prefix);
			label = sensors_get_label(chip, feat);
			snprintf(s->label, sizeof s->label, "%s",
				 label ? label : feat->name);
			free(label);
			s->kind = m->kind;
			sensor_fill(chip, feat, m, s);
		}
	}
	return 0;
}

/* sensors_init parses sensors3.conf and scans every hwmon and i2c device:
 * done once per open, not per read. */
int board_sensors_open(struct board_sensors_lib *lib, struct hw_err *err)
{
	FILE *empty;
	int r;

	memset(lib, 0, sizeof *lib);
	sensors_parse_error_wfn = sensors_parse_quiet;
	/* NULL: /etc/sensors3.conf and /etc/sensors.d, as `sensors` uses */
	r = sensors_init(NULL);
	if (r == -SENSORS_ERR_PARSE) {
		/* A broken config must not hide the hardware: read without it,
		 * with the kernel's labels, and say so. */
		snprintf(lib->error, sizeof lib->error,
			 "sensors config (/etc/sensors3.conf, /etc/sensors.d): "
			 "%s; read without it",
			 sensors_strerror(r));
		empty = fopen("/dev/null", "re");
		if (empty == NULL) {
			r = -errno;
			core_err_set(err, "/dev/null: %s", strerror(-r));
			goto out_cleanup;
		}
		r = sensors_init(empty);
		fclose(empty);
	}
	if (r != 0) {
		core_err_set(err, "sensors: %s", sensors_strerror(r));
		/* SENSORS_ERR_KERNEL: /sys is not a sysfs mount */
		r = r == -SENSORS_ERR_KERNEL ? -ENODEV : -EIO;
		goto out_cleanup;
	}
	lib->open = true;
	return 0;

out_cleanup:
	sensors_cleanup();
	return r;
}

/* The chip list is the one sensors_init found: a chip that appears later
 * is seen at the next open.  The values are read from sysfs each time. */
int board_sensors_read_open(struct board_sensors_lib *lib,
			    struct board_sensors *out, struct hw_err *err)
{
	int r;

	memset(out, 0, sizeof *out);
	if (!lib->open) {
		core_err_set(err, "sensors: library not open");
		return -EBADF;
	}
	snprintf(out->error, sizeof out->error, "%s", lib->error);
	r = sensors_collect(out, err);
	if (r < 0)
		board_sensors_free(out);
	return r;
}

void board_sensors_close(struct board_sensors_lib *lib)
{
	if (lib->open)
		sensors_cleanup();
	lib->open = false;
}

int board_sensors_read(struct board_sensors *out, struct hw_err *err)
{
	struct board_sensors_lib lib;
	int r;

	memset(out, 0, sizeof *out);
	r = board_sensors_open(&lib, err);
	if (r < 0)
		return r;
	r = board_sensors_read_open(&lib, out, err);
	board_sensors_close(&lib);
	return r;
}

void board_sensors_free(struct board_sensors *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const char *board_sensor_kind_name(enum board_sensor_kind k)
{
	switch (k) {
	case BOARD_SENSOR_TEMP:
		return "temperature";
	case BOARD_SENSOR_FAN:
		return "fan";
	case BOARD_SENSOR_VOLTAGE:
		return "voltage";
	case BOARD_SENSOR_CURRENT:
		return "current";
	case BOARD_SENSOR_POWER:
		return "power";
	case BOARD_SENSOR_INTRUSION:
		return "intrusion";
	}
	return "unknown";
}

const char *board_sensor_unit(enum board_sensor_kind k)
{
	switch (k) {
	case BOARD_SENSOR_TEMP:
		return "°C";
	case BOARD_SENSOR_FAN:
		return "RPM";
	case BOARD_SENSOR_VOLTAGE:
		return "V";
	case BOARD_SENSOR_CURRENT:
		return "A";
	case BOARD_SENSOR_POWER:
		return "W";
	case BOARD_SENSOR_INTRUSION:
		return "";
	}
	return "";
}
