/* Cruise Control's capacity file from the brokers' models (capacity.h):
 * which broker is complete, and its entry. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"

int64_t coll_cap_mb(int64_t bytes)
{
	return bytes < 0 ? -1 : bytes / (1024 * 1024);
}

int64_t coll_cap_kbps(int64_t mbps)
{
	/* 10^6 / 8 / 1024 = 15625 / 128 */
	if (mbps < 0 || mbps > INT64_MAX / 15625)
		return -1;
	return mbps * 15625 / 128;
}

/* The first reason b cannot have an entry, or NULL; why is the buffer
 * the reason may be written into. */
static const char *cap_missing(const struct coll_cap_broker *b, char *why,
			       size_t len)
{
	size_t i, j;

	if (!b->kafka)
		return "the report carries no Kafka facts";
	if (!b->id.known || b->id.v < 0)
		return "broker.id and node.id unknown (unset, or generated "
		       "by the broker)";
	if (!b->cores.known || b->cores.v <= 0)
		return "logical CPUs online unknown";
	if (b->nic[0] == '\0') {
		snprintf(why, len,
			 "interface carrying Kafka traffic unknown: %s",
			 b->nic_why[0] ? b->nic_why : "not reported");
		return why;
	}
	if (!b->nic_mbps.known || b->nic_mbps.v <= 0) {
		snprintf(why, len, "link speed of %s unknown", b->nic);
		return why;
	}
	if (coll_cap_kbps(b->nic_mbps.v) < 0) {
		snprintf(why, len, "link speed of %s out of range", b->nic);
		return why;
	}
	if (b->n_logdirs == 0)
		return "no log dir reported";
	if (b->logdirs_clipped)
		return "more log dirs than the report carries";
	for (i = 0; i < b->n_logdirs; i++) {
		const struct coll_cap_logdir *l = &b->logdirs[i];

		/* Cruise Control refuses a relative log dir. */
		if (l->path[0] != '/') {
			snprintf(why, len,
				 "log dir %.200s is not an absolute path",
				 l->path);
			return why;
		}
		if (!l->total_bytes.known || l->total_bytes.v <= 0) {
			snprintf(why, len,
				 "filesystem size of log dir %.200s unknown",
				 l->path);
			return why;
		}
		for (j = 0; j < i; j++)
			if (strcmp(b->logdirs[j].path, l->path) == 0) {
				snprintf(why, len,
					 "log dir %.200s listed twice",
					 l->path);
				return why;
			}
	}
	return NULL;
}

static json_t *num_str(int64_t v)
{
	char s[24];

	snprintf(s, sizeof s, "%lld", (long long)v);
	return json_string(s);
}

static json_t *cap_disk(const struct coll_cap_broker *b)
{
	json_t *d;
	size_t i;

	/* One log dir: the plain form; several: one per log dir (JBOD). */
	if (b->n_logdirs == 1)
		return num_str(coll_cap_mb(b->logdirs[0].total_bytes.v));
	d = json_object();
	for (i = 0; d && i < b->n_logdirs; i++)
		if (json_object_set_new(
			d, b->logdirs[i].path,
			num_str(coll_cap_mb(b->logdirs[i].total_bytes.v))) <
		    0) {
			json_decref(d);
			return NULL;
		}
	return d;
}

static json_t *cap_entry(const struct coll_cap_broker *b)
{
	char doc[512];
	int64_t kbps = coll_cap_kbps(b->nic_mbps.v);

	snprintf(doc, sizeof doc,
		 "kagent: host %s, %lld logical CPUs online, %s at %lld Mb/s, "
		 "%zu log dir%s (filesystem size)",
		 b->host_id, (long long)b->cores.v, b->nic,
		 (long long)b->nic_mbps.v, b->n_logdirs,
		 b->n_logdirs == 1 ? "" : "s");
	return json_pack("{s:o, s:{s:o, s:{s:o}, s:o, s:o}, s:s}", "brokerId",
			 num_str(b->id.v), "capacity", "DISK", cap_disk(b),
			 "CPU", "num.cores", num_str(b->cores.v), "NW_IN",
			 num_str(kbps), "NW_OUT", num_str(kbps), "doc", doc);
}

static int cmp_broker(const void *x, const void *y)
{
	const struct coll_cap_broker *const *a = x, *const *b = y;

	/* Hosts without an id first, by host id. */
	if ((*a)->id.known != (*b)->id.known)
		return (*a)->id.known ? 1 : -1;
	if ((*a)->id.known && (*a)->id.v != (*b)->id.v)
		return (*a)->id.v < (*b)->id.v ? -1 : 1;
	return strcmp((*a)->host_id, (*b)->host_id);
}

static int add_missing(json_t *missing, const struct coll_cap_broker *b,
		       const char *why)
{
	json_t *id = b->id.known ? json_integer(b->id.v) : json_null();

	return json_array_append_new(
	    missing, json_pack("{s:s, s:o, s:s}", "host_id", b->host_id,
			       "broker_id", id, "why", why));
}

json_t *coll_capacity_build(const struct coll_cap_broker *b, size_t n)
{
	const struct coll_cap_broker **order;
	json_t *caps = json_array(), *missing = json_array(), *doc = NULL;
	char why[320], dup[320];
	size_t i, j;
	int rc = 0;

	order = calloc(n ? n : 1, sizeof *order);
	if (order == NULL || caps == NULL || missing == NULL)
		goto out;
	for (i = 0; i < n; i++)
		order[i] = &b[i];
	qsort(order, n, sizeof *order, cmp_broker);
	for (i = 0; i < n && rc == 0; i++) {
		const char *w = cap_missing(order[i], why, sizeof why);

		/* Two hosts claiming one id: Cruise Control would keep
		 * either entry, so neither is given. */
		for (j = 0; w == NULL && j < n; j++)
			if (order[j] != order[i] && order[j]->id.known &&
			    order[j]->id.v == order[i]->id.v) {
				snprintf(dup, sizeof dup,
					 "broker id %lld is also host %s's",
					 (long long)order[i]->id.v,
					 order[j]->host_id);
				w = dup;
			}
		if (w)
			rc = add_missing(missing, order[i], w);
		else
			rc = json_array_append_new(caps, cap_entry(order[i]));
	}
	if (rc == 0)
		doc = json_pack("{s:O, s:O}", "brokerCapacities", caps,
				"missing", missing);
out:
	free(order);
	json_decref(caps);
	json_decref(missing);
	return doc;
}
