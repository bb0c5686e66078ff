/* JSON values from facts that may be unknown, and one document printed. */
#include <errno.h>

#include "core_json.h"

int core_json_print(json_t *doc, FILE *out)
{
	/* Sensor readings are doubles: 0.792 must not print as
	 * 0.79200000000000004. */
	if (doc == NULL ||
	    json_dumpf(doc, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0)
		return -EIO;
	fputc('\n', out);
	return 0;
}

json_t *core_json_num(struct hw_num n)
{
	return n.known ? json_integer(n.v) : json_null();
}

json_t *core_json_bool(struct hw_num n)
{
	return n.known ? json_boolean(n.v != 0) : json_null();
}

json_t *core_json_str(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}
