/*
 * prom.h — the Prometheus text exposition format 0.0.4, as /metrics
 * writes it: growing buffers, label values made safe, families.
 *
 * The format wants every series of a family together under one HELP and
 * TYPE line, while the store is walked host by host: each family grows in
 * its own buffer and the buffers are joined at the end.
 */
#ifndef KAGENT_PROM_H
#define KAGENT_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A label value is cut after this many bytes of the agent's string (on a
 * character boundary, before escaping).  Every string that names a series
 * (host id, check id and instance, device, chip, sensor label) is shorter
 * by the bounds of kagent.options, so only descriptive labels (board,
 * kernel, disk model) can be cut, and no two series merge. */
#define PROM_LABEL_MAX 64

struct prom_buf {
	char *p;
	size_t n;
	size_t cap;
	int err; /* sticky: -ENOMEM, -EINVAL */
};

void prom_printf(struct prom_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* `name="value"`, preceded by a comma unless first.  The value is made
 * valid UTF-8 (a byte that is not becomes '?'), backslash, double quote and
 * line feed are escaped as the format says, any other control character
 * becomes '?', and it is cut at PROM_LABEL_MAX bytes. */
void prom_label(struct prom_buf *b, const char *name, const char *v,
		bool first);

struct prom_family {
	const char *name;
	const char *help;
	struct prom_buf b;
};

/* `name{host="HOST"` of a new series of f; more labels follow with
 * prom_label, then one of the two ends. */
void prom_series(struct prom_family *f, const char *host);
void prom_end_i64(struct prom_family *f, int64_t v);
/* A value that is not finite is written as the format spells it. */
void prom_end_double(struct prom_family *f, double v);
/* Appends each family (HELP, TYPE gauge, its series) to out and frees its
 * buffer; a family's error becomes out's. */
void prom_families_emit(struct prom_buf *out, struct prom_family *f, size_t n);

#endif
