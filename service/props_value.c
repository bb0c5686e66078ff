/* What the files built on properties (server.properties, zoo.cfg) share
 * once props.c has read them: a file below a root directory, Java's
 * String.trim of a value, a bounded copy whose error names file, line and
 * key, and the first value the server would reject.  Apart from the
 * grammar because they judge values, which the grammar never does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hw.h"
#include "props.h"

void props_trim_span(const char *s, size_t n, const char **b, size_t *len)
{
	while (n > 0 && (unsigned char)*s <= ' ') {
		s++;
		n--;
	}
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		n--;
	*b = s;
	*len = n;
}

int props_copy_span(const char *file, const struct props_entry *e,
		    const char *s, size_t n, char *dst, size_t cap,
		    struct hw_err *err)
{
	const char *b;
	size_t len;

	props_trim_span(s, n, &b, &len);
	if (len >= cap) {
		core_err_set(err, "%s:%u: %s: value longer than %zu bytes", file,
			   e->line, e->key, cap - 1);
		return -E2BIG;
	}
	memcpy(dst, b, len);
	dst[len] = '\0';
	return 0;
}

void props_note_invalid(unsigned *count, char *buf, size_t cap,
			const char *file, const struct props_entry *e,
			const char *fmt, va_list ap)
{
	char why[200];

	if ((*count)++ > 0)
		return;
	vsnprintf(why, sizeof why, fmt, ap);
	snprintf(buf, cap, "%.80s:%u: %.64s: %.150s", file, e ? e->line : 0,
		 e ? e->key : "(default)", why);
}

int props_load_below(const char *root, const char *path, char *full,
		     size_t fulllen, struct props *out, struct hw_err *err)
{
	struct props_err perr = {0};
	int r;

	r = core_path(full, fulllen, root, "%s", path);
	if (r < 0) {
		core_err_set(err, "%s: path too long", path);
		return r;
	}
	r = props_load(full, out, &perr);
	if (r < 0)
		core_err_set(err, "%s", perr.msg);
	return r;
}
