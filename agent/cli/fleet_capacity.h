/* fleet_capacity.h — kagent fleet --capacity CLUSTER: Cruise Control's
 * capacity file from GET /api/clusters/{cluster}/capacity. */
#ifndef KAGENT_FLEET_CAPACITY_H
#define KAGENT_FLEET_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define FLEET_EXIT_MISSING 1 /* a broker's capacity is unknown */

/* The request path for cluster (percent-encoded); -EINVAL for a name no
 * host could report (1 to 63 printable ASCII bytes, no space). */
int fleet_capacity_path(const char *cluster, char *path, size_t cap);
/* Writes the file ({"brokerCapacities":[...]}, the collector's answer
 * without its "missing" list) to out and names each missing broker on
 * err.  With missing brokers and no `partial`, nothing goes to out: a
 * file that leaves a broker out is written only when asked for.  0 or
 * FLEET_EXIT_MISSING. */
int fleet_capacity_print(json_t *doc, bool partial, FILE *out, FILE *err);

#endif
