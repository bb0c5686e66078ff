/*
 * flush.h — the average flush latency of each physical disk over an
 * interval, from two readings of its flush counters (hw_flush_read).
 *
 * The kernel's counters only grow: the average over the last interval is
 * (ms now - ms before) / (flushes now - flushes before).  kagentd keeps
 * the previous reading of every disk from one report to the next (the
 * facts cache holds it); `kagent check` reads twice,
 * zookeeper.disk.fsync.sample_ms apart.  An interval without a flush has
 * no average ("no flush"), never 0 ms; nor has a first reading, a kernel
 * without the fields, or counters that went back (a disk replaced under
 * the same name).
 */
#ifndef KAGENT_FLUSH_H
#define KAGENT_FLUSH_H

#include <stdbool.h>
#include <stdint.h>

#include "hw.h"

#define FLUSH_DISKS_MAX 64
#define FLUSH_WHY_MAX	160

/* One reading of one disk. */
struct flush_sample {
	char name[HW_DISKNAME_MAX];
	bool read; /* false: why says what failed */
	struct hw_flush c;
	int64_t at_ms; /* monotonic */
	char why[FLUSH_WHY_MAX];
};

struct flush_samples {
	size_t n;
	struct flush_sample v[FLUSH_DISKS_MAX];
};

/* What a check and a report see of one disk. */
struct flush_interval {
	char name[HW_DISKNAME_MAX];
	bool counters_known; /* the totals below are the kernel's */
	uint64_t flushes_total;
	uint64_t ms_total;
	bool known;	     /* avg_us is the interval's average */
	int64_t interval_ms; /* between the two readings */
	uint64_t flushes;    /* in the interval */
	uint64_t ms;
	int64_t avg_us;		 /* 1000 * ms / flushes, rounded */
	char why[FLUSH_WHY_MAX]; /* !known: why there is no average */
};

struct flush_facts {
	bool sampled; /* false: why says why none was read */
	char why[FLUSH_WHY_MAX];
	size_t n;
	struct flush_interval v[FLUSH_DISKS_MAX];
};

/* Reads every physical disk of disks (md and dm count no flushes) at
 * now_ms; a disk whose file cannot be read gets the error in its why. */
void flush_sample_disks(const char *root, const struct hw_disks *disks,
			int64_t now_ms, struct flush_samples *out);
/* The interval from prev (NULL: none kept) to cur. */
void flush_interval_of(const struct flush_sample *prev,
		       const struct flush_sample *cur,
		       struct flush_interval *out);
/* Every disk of cur, against the reading of the same name in prev (NULL:
 * none kept). */
void flush_facts_from(const struct flush_samples *prev,
		      const struct flush_samples *cur, struct flush_facts *out);
/* NULL when the disk was not read. */
const struct flush_interval *flush_facts_find(const struct flush_facts *f,
					      const char *name);
/* "12.345 ms" from microseconds. */
void flush_fmt_us(char *buf, size_t len, int64_t us);

#endif
