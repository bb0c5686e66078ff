/* One value of server.properties read as KafkaConfig reads it: trimmed,
 * lists split on commas with blanks dropped, a value the broker would
 * reject noted and passed over.  The rules every key shares live here so
 * kafka_listeners.c and kafka_config.c cannot read values differently. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kafka_cfg.h"

void kafka_cfg_invalid(struct kafka_cfg *c, const struct props_entry *e,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	props_note_invalid(&c->out->n_invalid, c->out->invalid,
			   sizeof c->out->invalid, c->name, e, fmt, ap);
	va_end(ap);
}

/* Copies the trimmed span s[0..n) of entry e's value; -E2BIG if too long. */
int kafka_cfg_copy_span(struct kafka_cfg *c, const struct props_entry *e,
			const char *s, size_t n, char *dst, size_t cap)
{
	return props_copy_span(c->name, e, s, n, dst, cap, c->err);
}

/* The trimmed value of key into dst, or def when unset.  1 when set. */
int kafka_cfg_str(struct kafka_cfg *c, const char *key, char *dst, size_t cap,
		  const char *def)
{
	const struct props_entry *e = props_find(c->p, key);
	int r;

	if (e == NULL) {
		snprintf(dst, cap, "%s", def);
		return 0;
	}
	r = kafka_cfg_copy_span(c, e, e->value, strlen(e->value), dst, cap);
	return r < 0 ? r : 1;
}

/* A comma-separated list into items[max][cap]; empty items are dropped as
 * CoreUtils.parseCsvList drops them. */
int kafka_cfg_list(struct kafka_cfg *c, const struct props_entry *e, size_t max,
		   size_t cap, char *items, size_t *n)
{
	const char *s = e->value, *comma, *b;
	size_t len, bl;
	int r;

	*n = 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		props_trim_span(s, len, &b, &bl);
		if (bl > 0) {
			if (*n == max) {
				core_err_set(c->err,
					   "%s:%u: %s: more than %zu items",
					   c->name, e->line, e->key, max);
				return -E2BIG;
			}
			r = kafka_cfg_copy_span(c, e, b, bl, items + *n * cap,
						cap);
			if (r < 0)
				return r;
			(*n)++;
		}
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}
