/* The board.sensors rule for one sensor.  The chip's own limits are the
 * thresholds: the board maker set them for this board, and the alarm bits
 * are the chip's own comparison of value and limit (often with hysteresis
 * we cannot see), so an alarm counts even when the value looks in range. */
#include <stdio.h>

#include "health_sensors.h"

static void verdict_set(struct sensor_verdict *out, enum check_severity v,
			const struct board_sensor *s, const char *what)
{
	out->verdict = v;
	snprintf(out->reason, sizeof out->reason, "%s %s: %s", s->chip,
		 s->label, what);
}

/* Millivolts matter for voltages and currents; a tenth of a degree or a
 * watt is the chips' resolution; fans count whole revolutions. */
static void fmt_value(char *buf, size_t len, double v, enum board_sensor_kind k)
{
	const char *unit = board_sensor_unit(k);
	int prec = 1;

	if (k == BOARD_SENSOR_VOLTAGE || k == BOARD_SENSOR_CURRENT)
		prec = 3;
	else if (k == BOARD_SENSOR_FAN)
		prec = 0;
	snprintf(buf, len, "%.*f%s%s", prec, v, unit[0] ? " " : "", unit);
}

void health_from_sensor(const struct board_sensor *s,
			struct sensor_verdict *out)
{
	char val[32], lim[32], what[128];

	if (s->value.known)
		fmt_value(val, sizeof val, s->value.v, s->kind);
	if (s->value.known && s->crit.known && s->value.v >= s->crit.v) {
		fmt_value(lim, sizeof lim, s->crit.v, s->kind);
		snprintf(what, sizeof what, "%s >= critical %s", val, lim);
		verdict_set(out, SEV_FAIL, s, what);
	} else if (s->alarm.known && s->alarm.v != 0) {
		if (s->kind == BOARD_SENSOR_INTRUSION)
			snprintf(what, sizeof what,
				 "chassis intrusion alarm raised");
		else if (s->value.known)
			snprintf(what, sizeof what, "alarm raised at %s", val);
		else
			snprintf(what, sizeof what, "alarm raised");
		verdict_set(out, SEV_WARN, s, what);
	} else if (s->value.known && s->max.known && s->value.v >= s->max.v) {
		fmt_value(lim, sizeof lim, s->max.v, s->kind);
		snprintf(what, sizeof what, "%s >= max %s", val, lim);
		verdict_set(out, SEV_WARN, s, what);
	} else if (s->kind == BOARD_SENSOR_INTRUSION) {
		if (s->alarm.known)
			verdict_set(out, SEV_PASS, s, "no intrusion");
		else
			verdict_set(out, SEV_UNKNOWN, s, "alarm unreadable");
	} else if (!s->value.known) {
		verdict_set(out, SEV_UNKNOWN, s,
			    s->fault ? "the chip reports a sensor fault"
				     : "value unreadable");
	} else if (s->max.known || s->crit.known) {
		fmt_value(lim, sizeof lim, s->max.known ? s->max.v : s->crit.v,
			  s->kind);
		snprintf(what, sizeof what, "%s below %s %s", val,
			 s->max.known ? "max" : "critical", lim);
		verdict_set(out, SEV_PASS, s, what);
	} else {
		snprintf(what, sizeof what, "%s, no limit set", val);
		verdict_set(out, SEV_PASS, s, what);
	}
}
