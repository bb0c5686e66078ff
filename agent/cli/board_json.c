/* Board facts as JSON.  Field names are an interface, like the rest of
 * the inventory's. */
#include "agent.h"
#include "board_json.h"
#include "health_sensors.h"

json_t *board_dmi_to_json(const struct board_dmi *d)
{
	json_t *o = json_object(), *why = json_object();
	int f;

	if (o == NULL || why == NULL)
		goto out_free;
	for (f = 0; f < BOARD_DMI_NFIELDS; f++) {
		const char *name = board_dmi_field_name(f);

		if (json_object_set_new(
			o, name, core_json_str(board_dmi_field_value(d, f))) <
		    0)
			goto out_free;
		if ((d->needs_root & (1u << f)) &&
		    json_object_set_new(why, name, json_string("needs root")) <
			0)
			goto out_free;
	}
	if (json_object_set_new(o, "unknown_reason", why) < 0) {
		why = NULL; /* set_new released it */
		goto out_free;
	}
	return o;
out_free:
	json_decref(why);
	json_decref(o);
	return NULL;
}

static json_t *value_json(struct board_value v)
{
	return v.known ? json_real(v.v) : json_null();
}

static json_t *sensor_json(const struct board_sensor *s)
{
	struct sensor_verdict sv;

	health_from_sensor(s, &sv);
	return json_pack(
	    "{s:s s:s s:s s:o s:o s:o s:o s:o s:s s:s}", "chip", s->chip,
	    "label", s->label, "kind", board_sensor_kind_name(s->kind), "value",
	    value_json(s->value), "min", value_json(s->min), "max",
	    value_json(s->max), "crit", value_json(s->crit), "alarm",
	    s->alarm.known ? json_boolean(s->alarm.v != 0) : json_null(),
	    "verdict", check_severity_name(sv.verdict), "reason", sv.reason);
}

json_t *board_sensors_to_json(const struct board_sensors *s)
{
	json_t *a = json_array(), *e;
	size_t i;

	for (i = 0; a && i < s->n; i++) {
		e = sensor_json(&s->v[i]);
		if (e == NULL || json_array_append_new(a, e) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
