/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_fill DB N [--mem]: stores N hosts in the collector's SQLite store
 * DB, each with this machine's inventory (CPU, memory, NICs, disks) and
 * twelve checks, as Kafka brokers of clusters of 50, for bench/fleet_read.sh
 * to time the collector's fleet reads over.
 *
 * --mem then loads them into a fleet cache (fleet_cache.h) and prints the
 * heap it holds per host (mallinfo2's bytes in use, mapped blocks included, before and
 * after), and
 * the store's own copy of the reports (its fallback while a database is
 * out of reach), which closing the store frees.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_encode.h>

#include "agent.h"
#include "collector.h"
#include "fleet_cache.h"
#include "proto_fill.h"

#define BLOB_MAX (1u << 20)

static int fill(struct coll_store *s, unsigned n, size_t *bytes)
{
	kagent_v1_Report *r = calloc(1, sizeof *r);
	uint8_t *blob = malloc(BLOB_MAX);
	struct check_results checks = {0};
	struct coll_report_meta m;
	kagent_v1_CheckResult *c;
	struct inventory inv;
	struct proto_lists l;
	struct hw_err err;
	unsigned clipped = 0, i;
	char id[32], cl[32];
	pb_ostream_t os;
	int rc;

	if (r == NULL || blob == NULL)
		return -ENOMEM;
	rc = inventory_probe("/", &inv, &err);
	if (rc < 0) {
		fprintf(stderr, "fleet_fill: %s\n", err.msg);
		return rc;
	}
	proto_lists_init(&l);
	proto_report_bind(r, &l);
	rc = proto_fill_inventory(&inv.cpu, &inv.memory, &inv.nics, &inv.disks,
				  &r->inventory, &l, &clipped);
	for (i = 0; rc == 0 && i < 12; i++) {
		rc = proto_list_add(&l.checks, (void **)&c);
		if (rc == 0) {
			snprintf(c->id, sizeof c->id, "bench.check_%u", i);
			snprintf(c->message, sizeof c->message,
				 "a check of the bench, number %u", i);
			c->severity = kagent_v1_Severity_SEVERITY_PASS;
		}
	}
	if (rc == 0)
		rc = coll_checks_from_report(&l, &checks);
	r->roles_count = 1;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->report_interval_s = 60;
	r->verdict = kagent_v1_Severity_SEVERITY_PASS;
	r->has_kafka = true;
	r->kafka.present = true;
	r->kafka.has_broker_id = true;
	*bytes = 0;
	for (i = 0; rc == 0 && i < n; i++) {
		snprintf(id, sizeof id, "host-%06u", i);
		snprintf(cl, sizeof cl, "cluster-%04u", i / 50);
		snprintf(r->host_id, sizeof r->host_id, "%s", id);
		snprintf(r->cluster, sizeof r->cluster, "%s", cl);
		snprintf(r->rack, sizeof r->rack, "r%u", i % 3);
		r->kafka.broker_id = (int32_t)(i % 50);
		r->seq = 1;
		os = pb_ostream_from_buffer(blob, BLOB_MAX);
		if (!pb_encode(&os, kagent_v1_Report_fields, r)) {
			rc = -EOVERFLOW;
			break;
		}
		*bytes += os.bytes_written;
		m = (struct coll_report_meta){id, cl, 1, coll_now_ms(), 60, 0};
		rc = coll_store_put(s, &m, blob, os.bytes_written, &checks);
		if (rc == 0 && i % 500 == 499)
			rc = coll_store_flush(s);
	}
	if (rc == 0)
		rc = coll_store_flush(s);
	proto_report_unbind(r);
	proto_lists_free(&l);
	inventory_free(&inv);
	check_results_free(&checks);
	free(blob);
	free(r);
	return rc;
}

/* The heap in use: small blocks, and the large ones malloc maps apart. */
static size_t in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int mem(const char *db, unsigned n)
{
	struct coll_fleet_cache *c;
	const struct coll_fleet *f;
	struct coll_store *s;
	size_t m0, m1, m2;
	char err[256];
	int rc;

	m0 = in_use();
	rc = coll_store_open(db, &s, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "fleet_fill: %s\n", err);
		return rc;
	}
	rc = coll_fcache_new(&c);
	if (rc == 0)
		rc = coll_fcache_refresh(c, s, coll_now_ms(), &f);
	m1 = in_use();
	coll_store_close(s);
	m2 = in_use();
	if (rc == 0)
		printf("hosts %u: fleet cache %zu bytes per host; the store's "
		       "copy of the reports %zu bytes per host\n",
		       n, (m2 - m0) / n, (m1 - m2) / n);
	coll_fcache_free(c);
	return rc;
}

int main(int argc, char **argv)
{
	struct coll_store *s;
	char err[256];
	size_t bytes;
	unsigned long n;
	int rc;

	if (argc < 3 || (n = strtoul(argv[2], NULL, 10)) == 0 ||
	    n > 1000000) {
		fprintf(stderr, "usage: fleet_fill DB N [--mem]\n");
		return 2;
	}
	rc = coll_store_open(argv[1], &s, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "fleet_fill: %s\n", err);
		return 1;
	}
	rc = fill(s, (unsigned)n, &bytes);
	coll_store_close(s);
	if (rc < 0) {
		fprintf(stderr, "fleet_fill: %s\n", strerror(-rc));
		return 1;
	}
	printf("hosts %lu: %zu bytes per stored report\n", n, bytes / n);
	if (argc > 3 && strcmp(argv[3], "--mem") == 0 && mem(argv[1], n) < 0)
		return 1;
	return 0;
}
