/* The capacity models of one cluster's brokers, from the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "collector.h"

static void num(bool has, int64_t v, struct hw_num *out)
{
	out->known = has;
	out->v = has ? v : 0;
}

void coll_cap_from_report(const kagent_v1_Report *r,
			  const struct proto_lists *l,
			  struct coll_cap_broker *out)
{
	const kagent_v1_Kafka *k = &r->kafka;
	const kagent_v1_Nic *nics = l ? l->nics.v : NULL;
	size_t i, n_nics = l ? l->nics.n : 0;

	memset(out, 0, sizeof *out);
	snprintf(out->host_id, sizeof out->host_id, "%s", r->host_id);
	out->kafka = r->has_kafka && k->present;
	/* KRaft brokers are named by node.id; broker.id, when set too,
	 * must equal it (the broker refuses to start otherwise). */
	if (k->has_broker_id)
		num(true, k->broker_id, &out->id);
	else
		num(k->has_node_id, k->node_id, &out->id);
	if (r->has_inventory && r->inventory.has_cpu)
		num(r->inventory.cpu.has_online, r->inventory.cpu.online,
		    &out->cores);
	snprintf(out->nic, sizeof out->nic, "%s", k->traffic_nic);
	snprintf(out->nic_why, sizeof out->nic_why, "%s", k->traffic_nic_why);
	for (i = 0; out->nic[0] && i < n_nics; i++)
		if (strcmp(nics[i].name, out->nic) == 0)
			num(nics[i].has_speed_mbps, nics[i].speed_mbps,
			    &out->nic_mbps);
	for (i = 0; i < k->log_dirs_count; i++) {
		struct coll_cap_logdir *d;

		if (out->n_logdirs == COLL_CAP_LOGDIRS_MAX) {
			out->logdirs_clipped = true;
			break;
		}
		d = &out->logdirs[out->n_logdirs++];
		snprintf(d->path, sizeof d->path, "%s", k->log_dirs[i].path);
		num(k->log_dirs[i].has_fs_total_bytes,
		    k->log_dirs[i].fs_total_bytes, &d->total_bytes);
	}
	/* A report the agent had to clip may lack log dirs. */
	if (r->clipped &&
	    k->log_dirs_count == sizeof k->log_dirs / sizeof k->log_dirs[0])
		out->logdirs_clipped = true;
}

struct cap_load {
	const char *cluster;
	kagent_v1_Report *r;
	struct proto_lists l;
	struct coll_cap_broker *v;
	size_t n, cap;
};

static int cap_add(void *arg, const struct coll_store_row *row)
{
	struct cap_load *cl = arg;
	struct coll_cap_broker *nv;
	bool kafka = false;
	pb_size_t i;

	if (strcmp(row->cluster, cl->cluster) != 0)
		return 0;
	if (coll_report_decode(row->report, row->len, cl->r, &cl->l, NULL) < 0)
		memset(cl->r, 0, sizeof *cl->r);
	for (i = 0; i < cl->r->roles_count; i++)
		kafka |= cl->r->roles[i] == kagent_v1_Role_ROLE_KAFKA;
	if (!kafka && !cl->r->has_kafka)
		return 0;
	if (cl->n == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 16;
		nv = reallocarray(cl->v, cl->cap, sizeof *cl->v);
		if (nv == NULL)
			return -ENOMEM;
		cl->v = nv;
	}
	coll_cap_from_report(cl->r, &cl->l, &cl->v[cl->n]);
	/* The store's host id is the one the listener checked. */
	snprintf(cl->v[cl->n].host_id, sizeof cl->v[0].host_id, "%s",
		 row->host_id);
	cl->n++;
	return 0;
}

int coll_capacity_load(struct coll_store *s, const char *cluster,
		       struct coll_cap_broker **out, size_t *n)
{
	struct cap_load cl;
	int rc;

	memset(&cl, 0, sizeof cl);
	cl.cluster = cluster;
	*out = NULL;
	*n = 0;
	cl.r = malloc(sizeof *cl.r);
	if (cl.r == NULL)
		return -ENOMEM;
	proto_lists_init(&cl.l);
	rc = coll_store_each_host(s, cap_add, &cl);
	proto_lists_free(&cl.l);
	free(cl.r);
	if (rc < 0) {
		free(cl.v);
		return rc;
	}
	*out = cl.v;
	*n = cl.n;
	return 0;
}

json_t *coll_api_capacity(struct coll_store *s, const char *cluster,
			  int *status)
{
	struct coll_cap_broker *b;
	json_t *j;
	size_t n;

	*status = 500;
	if (coll_capacity_load(s, cluster, &b, &n) < 0)
		return json_pack("{s:s}", "error", "cannot read the store");
	if (n == 0) {
		free(b);
		*status = 404;
		return json_pack("{s:s}", "error",
				 "no Kafka host in the cluster");
	}
	j = coll_capacity_build(b, n);
	free(b);
	if (j != NULL)
		*status = 200;
	return j;
}
