/* The Prometheus text exposition format 0.0.4 (prom.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "proto.h"

void prom_printf(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	char *np;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt,
		      ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if (b->p && (size_t)n < b->cap - b->n) {
		b->n += (size_t)n;
		return;
	}
	need = b->n + (size_t)n + 1;
	b->cap = b->cap ? b->cap : 4096;
	while (b->cap < need)
		b->cap *= 2;
	np = realloc(b->p, b->cap);
	if (np == NULL) {
		b->err = -ENOMEM;
		return;
	}
	b->p = np;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

/* The values come from the wire and from stores older than the
 * listener's UTF-8 check: one bad byte would make Prometheus drop the
 * whole scrape, and the format has no escape but \\, \" and \n. */
void prom_label(struct prom_buf *b, const char *name, const char *v, bool first)
{
	const unsigned char *p = (const unsigned char *)v;
	/* Every source byte gives at most 2 bytes of output. */
	char esc[2 * PROM_LABEL_MAX + 1];
	size_t o = 0, used = 0, k;

	for (; *p; p += k, used += k) {
		k = proto_utf8_char_len(p);
		if (k == 0)
			k = 1;
		if (used + k > PROM_LABEL_MAX)
			break;
		if (*p == '\\' || *p == '"') {
			esc[o++] = '\\';
			esc[o++] = (char)*p;
		} else if (*p == '\n') {
			esc[o++] = '\\';
			esc[o++] = 'n';
		} else if (proto_utf8_char_len(p) == 0 || *p < 0x20 ||
			   *p == 0x7f) {
			esc[o++] = '?';
		} else {
			memcpy(esc + o, p, k);
			o += k;
		}
	}
	esc[o] = '\0';
	prom_printf(b, "%s%s=\"%s\"", first ? "" : ",", name, esc);
}

void prom_series(struct prom_family *f, const char *host)
{
	prom_printf(&f->b, "%s{", f->name);
	prom_label(&f->b, "host", host, true);
}

void prom_end_i64(struct prom_family *f, int64_t v)
{
	prom_printf(&f->b, "} %lld\n", (long long)v);
}

void prom_end_double(struct prom_family *f, double v)
{
	if (isnan(v))
		prom_printf(&f->b, "} NaN\n");
	else if (isinf(v))
		prom_printf(&f->b, "} %sInf\n", v < 0 ? "-" : "+");
	else
		prom_printf(&f->b, "} %.15g\n", v);
}

void prom_families_emit(struct prom_buf *out, struct prom_family *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		prom_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", f[i].name,
			    f[i].help, f[i].name);
		if (f[i].b.n)
			prom_printf(out, "%.*s", (int)f[i].b.n, f[i].b.p);
		if (f[i].b.err && !out->err)
			out->err = f[i].b.err;
		free(f[i].b.p);
		memset(&f[i].b, 0, sizeof f[i].b);
	}
}
