/*
 * board_json.h — the board section of the inventory as JSON: DMI identity
 * and sensors with their board.sensors verdicts.  Unknown is null.
 */
#ifndef KAGENT_BOARD_JSON_H
#define KAGENT_BOARD_JSON_H

#include <jansson.h>

#include "board.h"

/* {vendor, product, product_version, serial, board_vendor, board_name,
 *  bios_vendor, bios_version, bios_date, asset_tag, chassis_serial,
 *  unknown_reason: {field: "needs root"}}; NULL on allocation failure. */
json_t *board_dmi_to_json(const struct board_dmi *d);
/* [{chip, label, kind, value, min, max, crit, alarm, verdict, reason}] */
json_t *board_sensors_to_json(const struct board_sensors *s);

#endif
