/*
 * capacity.h — Cruise Control's broker capacity file from the agents'
 * reports (BrokerCapacityConfigFileResolver, capacity.config.file):
 *
 *   {"brokerCapacities":[{"brokerId":"N","capacity":{"DISK":"MB" or
 *    {"/log/dir":"MB",...},"CPU":{"num.cores":"N"},"NW_IN":"KB/s",
 *    "NW_OUT":"KB/s"},"doc":"..."}]}
 *
 * Units are Cruise Control's own: its metrics processor turns bytes into
 * KB and MB by 1024 and 1024 * 1024 (HolderUtils.convertUnit), so a
 * capacity in those units is what its utilisation is compared with.
 * DISK is the statvfs size of each log dir's filesystem, CPU the logical
 * CPUs online (what the JVM's availableProcessors and process CPU load
 * count), NW_IN = NW_OUT the link speed of the interface carrying the
 * broker's traffic.  Every figure is rounded down, so a capacity is never
 * overstated.  No -1 (default) entry: a broker whose facts are unknown is
 * named in `missing`, never estimated.
 */
#ifndef KAGENT_CAPACITY_H
#define KAGENT_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core.h"
#include "proto.h"

#define COLL_CAP_LOGDIRS_MAX 32

struct coll_cap_logdir {
	char path[256];
	struct hw_num total_bytes; /* of its filesystem */
};

/* One Kafka host of a cluster as the capacity file needs it. */
struct coll_cap_broker {
	char host_id[64];
	bool kafka;	     /* the report carried Kafka facts */
	struct hw_num id;    /* broker.id, else node.id (KRaft) */
	struct hw_num cores; /* logical CPUs online */
	char nic[16];	     /* "" unknown */
	char nic_why[160];
	struct hw_num nic_mbps;
	size_t n_logdirs;
	struct coll_cap_logdir logdirs[COLL_CAP_LOGDIRS_MAX];
	bool logdirs_clipped; /* the report had more than the model keeps */
};

/* MB of Cruise Control (2^20 bytes), rounded down. */
int64_t coll_cap_mb(int64_t bytes);
/* KB/s of Cruise Control (1024 bytes) from Mb/s (10^6 bits): Mb/s *
 * 10^6 / 8 / 1024, rounded down; -1 when it would overflow. */
int64_t coll_cap_kbps(int64_t mbps);

/* {"brokerCapacities":[...], "missing":[{"host_id","broker_id","why"}]}:
 * the known brokers by ascending id, each unknown fact's host named with
 * the first reason found.  Cruise Control reads the document as it is:
 * its reader (Gson into a class holding only brokerCapacities) skips
 * members it does not know, as it skips each entry's "doc".  NULL on
 * allocation failure. */
json_t *coll_capacity_build(const struct coll_cap_broker *b, size_t n);

/* ---- capacity_load.c: the models from the stored reports ---- */

/* A decoded Report (l: its lists, for the interfaces) → the model. */
void coll_cap_from_report(const kagent_v1_Report *r,
			  const struct proto_lists *l,
			  struct coll_cap_broker *out);

struct coll_store;

/* The Kafka hosts of `cluster` in the store (ordered by host id), in
 * *out (free() it), *n of them.  -ENOMEM, -EIO; a stored report that no
 * longer decodes is a host with no Kafka facts. */
int coll_capacity_load(struct coll_store *s, const char *cluster,
		       struct coll_cap_broker **out, size_t *n);
/* GET /api/clusters/{cluster}/capacity: the answer's body and *status,
 * 200 with coll_capacity_build over the cluster's Kafka hosts, 404 when
 * it has none (a misspelt cluster gives no empty file), 500 when the
 * store cannot be read, each error as {"error": why}.  NULL (with 500)
 * only when even that cannot be allocated. */
json_t *coll_api_capacity(struct coll_store *s, const char *cluster,
			  int *status);

#endif
