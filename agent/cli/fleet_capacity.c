/* kagent fleet --capacity: the collector's capacity document split into
 * the file Cruise Control loads (stdout) and the brokers it could not
 * describe (stderr). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "fleet_capacity.h"
#include "text_esc.h"

int fleet_capacity_path(const char *cluster, char *path, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = strlen(cluster), o;

	if (n == 0 || n > 63)
		return -EINVAL;
	o = (size_t)snprintf(path, cap, "/api/clusters/");
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)cluster[i];

		if (ch <= ' ' || ch > '~' || o + 4 > cap)
			return -EINVAL;
		if (strchr("/%?#", ch)) {
			path[o++] = '%';
			path[o++] = hex[ch >> 4];
			path[o++] = hex[ch & 15];
		} else {
			path[o++] = (char)ch;
		}
	}
	if (o + sizeof "/capacity" > cap)
		return -EINVAL;
	memcpy(path + o, "/capacity", sizeof "/capacity");
	return 0;
}

int fleet_capacity_print(json_t *doc, bool partial, FILE *out, FILE *err)
{
	struct text_esc e = {.next = 0};
	json_t *missing = json_object_get(doc, "missing"), *m, *file;
	size_t i, n = json_array_size(missing);
	char *text;

	json_array_foreach(missing, i, m)
	{
		json_t *id = json_object_get(m, "broker_id");
		char ids[32] = "unknown";

		if (json_is_integer(id))
			snprintf(ids, sizeof ids, "%lld",
				 (long long)json_integer_value(id));
		fprintf(
		    err,
		    "kagent fleet: capacity of host %s (broker id %s) "
		    "unknown: %s\n",
		    text_esc(&e,
			     json_string_value(json_object_get(m, "host_id"))),
		    ids,
		    text_esc(&e, json_string_value(json_object_get(m, "why"))));
	}
	if (n > 0 && !partial) {
		fprintf(err,
			"kagent fleet: %zu broker%s missing: no file written "
			"(--partial writes the others)\n",
			n, n == 1 ? "" : "s");
		return FLEET_EXIT_MISSING;
	}
	file = json_pack("{s:O}", "brokerCapacities",
			 json_object_get(doc, "brokerCapacities"));
	/* \u escapes for all but ASCII, as --json: a log dir's name comes
	 * from an agent. */
	text =
	    file ? json_dumps(file, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	text_json_fputs(text ? text : "null", out);
	fputc('\n', out);
	free(text);
	json_decref(file);
	return AGENT_EXIT_OK;
}
