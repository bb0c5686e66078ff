/* A stored Report as the fleet judgement sees it: struct coll_host, the
 * stale flag, and the report's checks as check results. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>

#include "collector.h"
#include "kafka_view.h"

/* When a report does not say how often the next one comes. */
#define COLL_INTERVAL_DEFAULT_S 60
#define COLL_STALE_INTERVALS	3

bool coll_host_id_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] <= ' ' || s[i] > '~' || i >= 63)
			return false;
	return i > 0;
}

int coll_severity_from_proto(int sev)
{
	enum check_severity s;

	/* -1: the host sent no verdict the store can keep. */
	return proto_sev_from_wire(sev, &s) < 0 ? -1 : (int)s;
}

int coll_report_decode(const uint8_t *p, size_t n, kagent_v1_Report *out,
		       struct proto_lists *l, struct hw_err *err)
{
	pb_istream_t s = pb_istream_from_buffer(p, n);
	bool ok;

	memset(out, 0, sizeof *out);
	if (l) {
		proto_lists_clear(l);
		proto_report_bind_decode(out, l);
	}
	ok = pb_decode(&s, kagent_v1_Report_fields, out);
	proto_report_unbind(out);
	if (!ok) {
		if (err)
			core_err_set(err,
				   "stored report of %zu bytes does not "
				   "decode: %s",
				   n, PB_GET_ERROR(&s));
		return -EBADMSG;
	}
	proto_report_repair(out, l);
	return 0;
}

bool coll_host_is_stale(int64_t last_seen_ms, uint32_t interval_s,
			int64_t now_ms)
{
	int64_t iv = interval_s ? interval_s : COLL_INTERVAL_DEFAULT_S;

	return now_ms - last_seen_ms > COLL_STALE_INTERVALS * iv * 1000;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static void host_kafka(const kagent_v1_Kafka *k, struct coll_host *h)
{
	pb_size_t i;

	h->kafka_present = k->present;
	h->broker_id.known = k->has_broker_id;
	h->broker_id.v = k->broker_id;
	copy_str(h->broker_rack, sizeof h->broker_rack, k->broker_rack);
	copy_str(h->kafka_version, sizeof h->kafka_version,
		 k->installed_version);
	copy_str(h->ibp, sizeof h->ibp, k->inter_broker_protocol_version);
	copy_str(h->lmfv, sizeof h->lmfv, k->log_message_format_version);
	h->kafka_kraft = k->process_roles_count > 0;
	h->kafka_running = k->has_running && k->running;
	/* Known only when every log dir's count is: a partial sum would
	 * make a broker look emptier than it is. */
	h->partition_dirs.known = k->log_dirs_count > 0;
	for (i = 0; i < k->log_dirs_count; i++) {
		if (!k->log_dirs[i].has_partition_dirs) {
			h->partition_dirs.known = false;
			h->partition_dirs.v = 0;
			break;
		}
		h->partition_dirs.v += k->log_dirs[i].partition_dirs;
	}
}

static void host_zk(const kagent_v1_ZooKeeper *z, struct coll_host *h)
{
	pb_size_t i;

	copy_str(h->zk_mode, sizeof h->zk_mode, z->mode);
	copy_str(h->zk_version, sizeof h->zk_version, z->version);
	h->zk_running = z->has_running && z->running;
	h->zk_running_known = z->has_running;
	for (i = 0; i < z->ensemble_count && i < COLL_ENSEMBLE_MAX; i++) {
		if (z->ensemble[i].observer)
			continue;
		h->ensemble[h->n_ensemble].id = (int)z->ensemble[i].id;
		copy_str(h->ensemble[h->n_ensemble].host,
			 sizeof h->ensemble[0].host, z->ensemble[i].host);
		h->n_ensemble++;
	}
}

void coll_host_from_report(const kagent_v1_Report *r, int64_t last_seen_ms,
			   int64_t now_ms, struct coll_host *out)
{
	pb_size_t i;

	memset(out, 0, sizeof *out);
	copy_str(out->host_id, sizeof out->host_id, r->host_id);
	copy_str(out->cluster, sizeof out->cluster, r->cluster);
	copy_str(out->rack, sizeof out->rack, r->rack);
	copy_str(out->zone, sizeof out->zone, r->zone);
	for (i = 0; i < r->roles_count; i++) {
		if (r->roles[i] == kagent_v1_Role_ROLE_ZOOKEEPER)
			out->roles |= CORE_ROLE_ZOOKEEPER;
		else if (r->roles[i] == kagent_v1_Role_ROLE_KAFKA)
			out->roles |= CORE_ROLE_KAFKA;
	}
	out->last_seen_ms = last_seen_ms;
	out->stale =
	    coll_host_is_stale(last_seen_ms, r->report_interval_s, now_ms);
	if (r->has_kafka)
		host_kafka(&r->kafka, out);
	if (r->has_zookeeper)
		host_zk(&r->zookeeper, out);
}

/* Index of the result with this id and instance, out->n when none.  A
 * linear search: a report holds at most PROTO_CHECKS_MAX checks, and
 * check ids differ early. */
static size_t check_find(const struct check_results *out, const char *id,
			 const char *instance)
{
	size_t j;

	for (j = 0; j < out->n; j++)
		if (strcmp(out->v[j].id, id) == 0 &&
		    strcmp(out->v[j].instance, instance) == 0)
			break;
	return j;
}

static void check_set(struct check_result *r, const kagent_v1_CheckResult *c,
		      int sev)
{
	r->sev = (enum check_severity)sev;
	snprintf(r->measured, sizeof r->measured, "%s", c->measured);
	snprintf(r->required, sizeof r->required, "%s", c->required);
	snprintf(r->message, sizeof r->message, "%s", c->message);
}

int coll_checks_from_report(const struct proto_lists *l,
			    struct check_results *out)
{
	const kagent_v1_CheckResult *c = l->checks.v;
	size_t i, j;
	int sev;

	out->n = 0;
	for (i = 0; i < l->checks.n; i++) {
		sev = coll_severity_from_proto(c[i].severity);
		if (sev < 0)
			sev = SEV_UNKNOWN;
		j = check_find(out, c[i].id, c[i].instance);
		if (j < out->n) {
			if (sev <= (int)out->v[j].sev)
				continue;
			/* Worse: takes the place of the first one. */
			check_set(&out->v[j], &c[i], sev);
			continue;
		}
		if (check_add(out, c[i].id, c[i].instance,
			      (enum check_severity)sev, c[i].measured,
			      c[i].required, "%s", c[i].message) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- one stored host, decoded for the fleet cache (fleet_cache.c) ---- */

int coll_fleet_host_decode(const struct coll_store_row *row,
			   kagent_v1_Report *r, struct proto_lists *l,
			   int64_t now_ms, struct coll_fleet_host *out)
{
	bool decoded;

	memset(out, 0, sizeof *out);
	/* A report that no longer decodes still names its host: the
	 * columns the listener wrote are kept beside the blob. */
	decoded = coll_report_decode(row->report, row->len, r, l, NULL) == 0;
	if (decoded) {
		coll_host_from_report(r, row->last_seen_ms, now_ms, &out->h);
		coll_host_switches(r, l, &out->h);
		if (r->has_kafka_live &&
		    kafka_share_from_report(&r->kafka_live, l, &out->kafka) < 0)
			return -ENOMEM;
	}
	copy_str(out->h.host_id, sizeof out->h.host_id, row->host_id);
	copy_str(out->h.cluster, sizeof out->h.cluster, row->cluster);
	out->h.last_seen_ms = row->last_seen_ms;
	out->h.stale =
	    coll_host_is_stale(row->last_seen_ms, row->interval_s, now_ms);
	out->verdict = row->verdict;
	out->last_seq = row->last_seq;
	out->interval_s = row->interval_s;
	return decoded ? 0 : 1;
}

struct fleet_load {
	struct coll_fleet *f;
	kagent_v1_Report *r;
	struct proto_lists lists; /* the NICs, for their LLDP neighbours */
	int64_t now_ms;
	size_t cap;
};

static int fleet_add(void *arg, const struct coll_store_row *row)
{
	struct fleet_load *fl = arg;
	struct coll_fleet *f = fl->f;
	struct coll_fleet_host *nv;

	if (f->n == fl->cap) {
		fl->cap = fl->cap ? fl->cap * 2 : 64;
		nv = reallocarray(f->v, fl->cap, sizeof *f->v);
		if (nv == NULL)
			return -ENOMEM;
		f->v = nv;
	}
	if (coll_fleet_host_decode(row, fl->r, &fl->lists, fl->now_ms,
				   &f->v[f->n]) < 0)
		return -ENOMEM;
	f->n++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int coll_fleet_clusters(struct coll_fleet *f)
{
	size_t i, j;

	free(f->clusters);
	f->n_clusters = 0;
	f->clusters = calloc(f->n ? f->n : 1, sizeof *f->clusters);
	if (f->clusters == NULL)
		return -ENOMEM;
	/* A host that names no cluster is listed but judged with none. */
	for (i = 0; i < f->n; i++) {
		if (f->v[i].h.cluster[0] == '\0')
			continue;
		for (j = 0; j < f->n_clusters; j++)
			if (strcmp(f->clusters[j], f->v[i].h.cluster) == 0)
				break;
		if (j == f->n_clusters)
			copy_str(f->clusters[f->n_clusters++],
				 sizeof f->clusters[0], f->v[i].h.cluster);
	}
	qsort(f->clusters, f->n_clusters, sizeof f->clusters[0], cmp_name);
	return 0;
}

int coll_fleet_load(struct coll_store *s, int64_t now_ms,
		    struct coll_fleet *out)
{
	struct fleet_load fl = {.f = out, .now_ms = now_ms};
	int rc;

	memset(out, 0, sizeof *out);
	coll_fleet_thresholds_default(&out->th);
	fl.r = malloc(sizeof *fl.r);
	if (fl.r == NULL)
		return -ENOMEM;
	proto_lists_init(&fl.lists);
	rc = coll_store_each_host(s, fleet_add, &fl);
	out->stale = coll_store_stale(s);
	proto_lists_free(&fl.lists);
	free(fl.r);
	if (rc == 0)
		rc = coll_fleet_clusters(out);
	if (rc < 0)
		coll_fleet_free(out);
	return rc;
}

void coll_fleet_free(struct coll_fleet *f)
{
	for (size_t i = 0; i < f->n; i++)
		kafka_share_free(f->v[i].kafka);
	free(f->v);
	free(f->clusters);
	memset(f, 0, sizeof *f);
}

struct coll_host *coll_fleet_hosts(const struct coll_fleet *f)
{
	struct coll_host *h;
	size_t i;

	h = calloc(f->n ? f->n : 1, sizeof *h);
	if (h == NULL)
		return NULL;
	for (i = 0; i < f->n; i++)
		h[i] = f->v[i].h;
	return h;
}
