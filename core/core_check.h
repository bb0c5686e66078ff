/*
 * core_check.h — a check's result and the one severity every program
 * speaks: the agent's checks and disk and sensor verdicts, the collector's
 * fleet checks, reports on the wire (proto_sev_to_wire and
 * proto_sev_from_wire are the only mapping) and the collector's database
 * and metrics (which store these numbers).
 */
#ifndef KAGENT_CORE_CHECK_H
#define KAGENT_CORE_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Ordered by how bad: the worst result gives the host's verdict. */
enum check_severity {
	SEV_PASS = 0,
	SEV_INFO,
	SEV_UNKNOWN,
	SEV_WARN,
	SEV_FAIL,
};

struct check_result {
	char id[48];
	char instance[64];              /* device, listener, sensor; or "" */
	enum check_severity sev;
	char measured[96];
	char required[96];
	char message[320];
	/* How old the asynchronous probe behind the result is (kagentd's
	 * ZooKeeper probe); unknown for a result read when the check ran. */
	bool age_known;
	int64_t age_ms;
	/* The measured figure as a number beside its text, so that a script
	 * need not parse "23.5 GiB MemTotal": value_unit names it (one of
	 * CHECK_UNIT_*), NULL when the measurement is no single number. */
	const char *value_unit;
	int64_t value;
};

/* What check_set_value's number counts; --json writes it as
 * "measured_value": {UNIT: N}. */
#define CHECK_UNIT_BYTES  "bytes"
#define CHECK_UNIT_MBPS	  "mbps"
#define CHECK_UNIT_CORES  "cores"
#define CHECK_UNIT_DISKS  "disks"
#define CHECK_UNIT_COUNT  "count"  /* open files, memory maps */
#define CHECK_UNIT_NUMBER "number" /* a kernel tunable: vm.swappiness */
#define CHECK_UNIT_DAYS	  "days"
#define CHECK_UNIT_SERVERS "servers" /* of a ZooKeeper ensemble */
#define CHECK_UNIT_BROKERS "brokers" /* of a Kafka cluster */

struct check_results {
	struct check_result *v;
	size_t n;
	size_t cap;
};

const char *check_severity_name(enum check_severity s);
/* Appends a result; measured/required may be NULL for "".  -ENOMEM. */
int check_add(struct check_results *r, const char *id, const char *instance,
	      enum check_severity sev, const char *measured,
	      const char *required, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Gives the result just added its measured figure as a number in unit. */
void check_set_value(struct check_results *r, const char *unit, int64_t v);
void check_results_free(struct check_results *r);
/* Gives the results from index `from` on (those one check just added) the
 * age of the probe they were judged on. */
void check_results_set_age(struct check_results *r, size_t from,
			   int64_t age_ms);

/* Nagios convention: any fail → fail, else any warn → warn, else any
 * unknown → unknown, else pass. */
enum check_severity check_verdict(const struct check_results *r);
/* 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
int check_exit_code(enum check_severity verdict);

json_t *check_results_to_json(const struct check_results *r);
/* {UNIT: N} of a result's measured figure, or null. */
json_t *check_value_to_json(const struct check_result *c);
void check_results_print(const struct check_results *r, FILE *out,
			 int only_non_passing);

/* Byte counts and speeds as people read them, for measured/required. */
void check_fmt_bytes(char *buf, size_t len, int64_t bytes, int decimal);
void check_fmt_mbps(char *buf, size_t len, int64_t mbps);

#endif
