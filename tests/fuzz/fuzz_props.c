/*
 * fuzz_props.c — a .properties file (server.properties, zoo.cfg,
 * meta.properties) through props_parse.
 *
 * Checked on success: the bounds of props.h hold, keys are unique and
 * props_get finds each, and every key and value is well-formed UTF-8
 * (ISO-8859-1 bytes and \uXXXX escapes both decode to it).  On failure:
 * nothing is left allocated and the error says why.
 */
#include <errno.h>
#include <string.h>

#include "fuzz_util.h"
#include "props.h"

#define H "fuzz_props"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct props_err err = {0, {0}};
	struct props p;
	size_t i;
	int r;

	r = props_parse((const char *)data, size, &p, &err);
	if (r < 0) {
		fuzz_require(r == -EFBIG || r == -E2BIG || r == -EINVAL ||
				 r == -ENOMEM,
			     H, "unexpected error code");
		fuzz_require(p.n == 0 && p.v == NULL, H,
			     "entries left after an error");
		fuzz_require(err.msg[0] != '\0', H, "error unexplained");
		return 0;
	}
	fuzz_require(p.n <= PROPS_ENTRIES_MAX, H, "more entries than bound");
	for (i = 0; i < p.n; i++) {
		const struct props_entry *e = &p.v[i];

		fuzz_require(e->key && e->value, H, "NULL key or value");
		fuzz_require(strlen(e->key) <= PROPS_KEY_MAX, H,
			     "key above bound");
		fuzz_require(strlen(e->value) <= PROPS_VALUE_MAX, H,
			     "value above bound");
		fuzz_require(fuzz_utf8_valid(e->key), H, "key not UTF-8");
		fuzz_require(fuzz_utf8_valid(e->value), H, "value not UTF-8");
		fuzz_require(e->line >= 1, H, "entry without a line");
		fuzz_require(props_find(&p, e->key) == e, H,
			     "key defined twice or not found");
	}
	props_free(&p);
	return 0;
}
