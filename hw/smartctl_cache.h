/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smartctl_cache.h — smartctl's answers for the disks behind a controller,
 * kept per device for a configured time ([smart] raid_cache), failures
 * included: a disk that timed out is not asked again before its answer
 * expires, so one slow disk costs one timeout per period, not one per
 * report, and never holds the others.  Each run is bounded by its own
 * timeout ([smart] timeout).
 */
#ifndef KAGENT_HW_SMARTCTL_CACHE_H
#define KAGENT_HW_SMARTCTL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "smartctl_scan.h"

/* The scan and every device it can list. */
#define HW_SMARTCTL_CACHE_MAX (HW_SCAN_DEVS_MAX + 1)

struct hw_smartctl_cache_entry {
	char key[HW_SCAN_NAME_MAX + HW_SCAN_TYPE_MAX + 2]; /* "TYPE NODE" */
	int64_t at_ms;
	int status; /* 0, or the run's negative errno */
	char *out;  /* the output when status is 0 */
	size_t len;
	char msg[256];
};

struct hw_smartctl_cache {
	char exe[256]; /* "": smartctl from PATH or sbin */
	int64_t ttl_ms; /* 0: every call runs smartctl */
	int timeout_ms;
	size_t n;
	struct hw_smartctl_cache_entry v[HW_SMARTCTL_CACHE_MAX];
};

/* exe NULL: smartctl as hw_smartctl_exec finds it. */
void hw_smartctl_cache_init(struct hw_smartctl_cache *c, const char *exe,
			    int64_t ttl_ms, int timeout_ms);
void hw_smartctl_cache_free(struct hw_smartctl_cache *c);
/* hw_smartctl_scan_exec and hw_smartctl_typed_exec, answered from the
 * cache when the device's answer is younger than ttl_ms at now_ms (a
 * monotonic clock); *json is the caller's to free either way.  A refused
 * type or node is never cached nor run. */
int hw_smartctl_cache_scan(struct hw_smartctl_cache *c, int64_t now_ms,
			   char **json, size_t *len, struct hw_err *err);
int hw_smartctl_cache_typed(struct hw_smartctl_cache *c, int64_t now_ms,
			    const char *node, const char *type, char **json,
			    size_t *len, struct hw_err *err);

#endif
