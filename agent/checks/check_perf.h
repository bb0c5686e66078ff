/*
 * check_perf.h — the numbers behind the checks, as a monitoring plugin's
 * performance data: memory, cores, NIC speeds, disk sizes and
 * temperatures, sensors, the Kafka log dirs' capacity and the ZooKeeper
 * server's latency and backlog.  Each carries the thresholds of the check
 * that judges it, in the plugins' range syntax ("34359738368:" warns
 * below that figure).  An unknown number is left out, never given as 0.
 */
#ifndef KAGENT_CHECK_PERF_H
#define KAGENT_CHECK_PERF_H

#include <stddef.h>

struct facts;

#define CHECK_PERF_LABEL_MAX 96
#define CHECK_PERF_NUM_MAX   32

/* Strings as they appear in the output; "" where a field is empty.  The
 * label is raw (from device and sensor names): the printer bounds,
 * sanitises and quotes it. */
struct check_perf {
	char label[CHECK_PERF_LABEL_MAX];
	char value[CHECK_PERF_NUM_MAX];
	const char *uom; /* "", "B", "us" */
	char warn[CHECK_PERF_NUM_MAX];
	char crit[CHECK_PERF_NUM_MAX];
	char min[CHECK_PERF_NUM_MAX];
	char max[CHECK_PERF_NUM_MAX];
};

struct check_perfs {
	struct check_perf *v;
	size_t n;
	size_t cap;
};

/* Every known number of f, in a fixed order.  0 or -ENOMEM. */
int check_perf_collect(const struct facts *f, struct check_perfs *out);
void check_perfs_free(struct check_perfs *p);

#endif
