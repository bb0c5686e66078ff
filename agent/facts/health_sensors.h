/*
 * health_sensors.h — the `board.sensors` verdict of ROLES.md for one
 * sensor: warn past its max limit or on an alarm, fail past its critical
 * limit.
 */
#ifndef KAGENT_HEALTH_SENSORS_H
#define KAGENT_HEALTH_SENSORS_H

#include "board.h"
#include "health.h"

struct sensor_verdict {
	enum check_severity verdict;
	char reason[192]; /* names chip, label, value and limit */
};

void health_from_sensor(const struct board_sensor *s,
			struct sensor_verdict *out);

#endif
