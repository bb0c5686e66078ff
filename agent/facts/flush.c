/* Flush latency over an interval: see flush.h. */
#include <stdio.h>
#include <string.h>

#include "flush.h"

void flush_sample_disks(const char *root, const struct hw_disks *disks,
			int64_t now_ms, struct flush_samples *out)
{
	size_t i;

	out->n = 0;
	for (i = 0; i < disks->n && out->n < FLUSH_DISKS_MAX; i++) {
		const struct hw_disk *d = &disks->v[i];
		struct flush_sample *s;
		struct hw_err err = {{0}};

		if (d->kind != HW_DISK_PHYSICAL)
			continue;
		s = &out->v[out->n++];
		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "%s", d->name);
		s->at_ms = now_ms;
		if (hw_flush_read(root, d->name, &s->c, &err) == 0)
			s->read = true;
		else
			snprintf(s->why, sizeof s->why, "%s", err.msg);
	}
}

void flush_fmt_us(char *buf, size_t len, int64_t us)
{
	snprintf(buf, len, "%lld.%03lld ms", (long long)(us / 1000),
		 (long long)(us % 1000));
}

/* A reading that cannot start an interval: why it cannot, or NULL. */
static const char *unusable(const struct flush_sample *s)
{
	if (!s->read)
		return s->why;
	if (!s->c.known)
		return "no flush counters";
	return NULL;
}

void flush_interval_of(const struct flush_sample *prev,
		       const struct flush_sample *cur,
		       struct flush_interval *out)
{
	uint64_t df, dms;

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", cur->name);
	if (!cur->read) {
		snprintf(out->why, sizeof out->why, "%s", cur->why);
		return;
	}
	if (!cur->c.known) {
		snprintf(out->why, sizeof out->why,
			 "sys/block/%s/stat has %u fields: the kernel counts "
			 "flushes from Linux 5.5 on",
			 cur->name, cur->c.n_fields);
		return;
	}
	out->counters_known = true;
	out->flushes_total = cur->c.flushes;
	out->ms_total = cur->c.ms;
	if (prev == NULL || unusable(prev) != NULL) {
		snprintf(out->why, sizeof out->why,
			 "one reading of %s so far: the average needs two",
			 cur->name);
		return;
	}
	if (cur->c.flushes < prev->c.flushes || cur->c.ms < prev->c.ms) {
		snprintf(out->why, sizeof out->why,
			 "the flush counters of %s went back (a new device)",
			 cur->name);
		return;
	}
	out->interval_ms = cur->at_ms - prev->at_ms;
	if (out->interval_ms <= 0) {
		snprintf(out->why, sizeof out->why,
			 "no time passed between two readings of %s",
			 cur->name);
		return;
	}
	df = cur->c.flushes - prev->c.flushes;
	dms = cur->c.ms - prev->c.ms;
	out->flushes = df;
	out->ms = dms;
	if (df == 0) {
		snprintf(out->why, sizeof out->why,
			 "no flush on %s in the last %lld ms", cur->name,
			 (long long)out->interval_ms);
		return;
	}
	/* The kernel's milliseconds are its summed nanoseconds cut to ms:
	 * the average is as exact as that sum, kept here in microseconds. */
	if (dms > (UINT64_MAX - df / 2) / 1000 ||
	    (dms * 1000 + df / 2) / df > (uint64_t)INT64_MAX) {
		snprintf(out->why, sizeof out->why,
			 "%llu ms over %llu flushes on %s is out of range",
			 (unsigned long long)dms, (unsigned long long)df,
			 cur->name);
		return;
	}
	out->avg_us = (int64_t)((dms * 1000 + df / 2) / df);
	out->known = true;
}

void flush_facts_from(const struct flush_samples *prev,
		      const struct flush_samples *cur, struct flush_facts *out)
{
	size_t i, j;

	out->sampled = true;
	out->why[0] = '\0';
	out->n = 0;
	for (i = 0; i < cur->n; i++) {
		const struct flush_sample *p = NULL;

		for (j = 0; prev && j < prev->n; j++)
			if (strcmp(prev->v[j].name, cur->v[i].name) == 0) {
				p = &prev->v[j];
				break;
			}
		flush_interval_of(p, &cur->v[i], &out->v[out->n++]);
	}
}

const struct flush_interval *flush_facts_find(const struct flush_facts *f,
					      const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}
