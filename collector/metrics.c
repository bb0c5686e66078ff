/* /metrics in the Prometheus text exposition format 0.0.4: the hosts'
 * series (metrics_host.c), the clusters' verdicts and the collector's own
 * counters.
 *
 * Severity gauges use enum check_severity: 0 pass, 1 info, 2 unknown,
 * 3 warn, 4 fail, so `max by (cluster)` and `> 2` read naturally. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "fleet_cache.h"
#include "prom.h"

static void render_clusters(struct prom_buf *b, struct coll_fleet_cache *c,
			    const struct coll_fleet *f)
{
	const struct check_results *r;
	struct prom_buf ck = {0};
	size_t i, j;

	prom_printf(b, "# HELP kagent_cluster_verdict Worst severity of the "
		       "cluster's fleet checks (0 pass .. 4 fail).\n"
		       "# TYPE kagent_cluster_verdict gauge\n");
	for (i = 0; f && i < f->n_clusters; i++) {
		if (coll_fcache_judge(c, f->clusters[i], &r) < 0)
			continue;
		prom_printf(b, "kagent_cluster_verdict{");
		prom_label(b, "cluster", f->clusters[i], true);
		prom_printf(b, "} %d\n", (int)check_verdict(r));
		for (j = 0; j < r->n; j++) {
			prom_printf(&ck, "kagent_cluster_check_severity{");
			prom_label(&ck, "cluster", f->clusters[i], true);
			prom_label(&ck, "check", r->v[j].id, false);
			prom_label(&ck, "check_instance", r->v[j].instance,
				   false);
			prom_printf(&ck, "} %d\n", (int)r->v[j].sev);
		}
	}
	prom_printf(b, "# HELP kagent_cluster_check_severity Severity of a "
		       "cluster check by id and check instance (0 pass .. "
		       "4 fail).\n"
		       "# TYPE kagent_cluster_check_severity gauge\n");
	if (ck.n)
		prom_printf(b, "%.*s", (int)ck.n, ck.p);
	if (ck.err && !b->err)
		b->err = ck.err;
	free(ck.p);
}

/* A series of the host's row, written at each scrape: staleness depends
 * on the time of the scrape. */
static void row_series(struct prom_family *f, int kind,
		       const struct coll_fleet_host *h)
{
	int64_t v = kind == COLL_MF_VERDICT  ? h->verdict
		    : kind == COLL_MF_STALE  ? h->h.stale
					     : (int64_t)h->interval_s;

	if ((kind == COLL_MF_VERDICT && h->verdict < 0) ||
	    (kind == COLL_MF_INTERVAL && h->interval_s == 0))
		return;
	prom_series(f, h->h.host_id);
	if (kind == COLL_MF_SEEN)
		prom_printf(&f->b, "} %lld.%03lld\n",
			    (long long)(h->h.last_seen_ms / 1000),
			    (long long)(h->h.last_seen_ms % 1000));
	else
		prom_end_i64(f, v);
}

int coll_metrics_hosts(const struct coll_fleet *f,
		       struct coll_host_series *const *series,
		       struct prom_buf *out)
{
	struct prom_family fam = {0};
	const char *p;
	size_t j, n;
	int i, kind, rc = 0;

	for (i = 0; (kind = coll_metrics_family(i, &fam.name, &fam.help)) >= 0;
	     i++) {
		for (j = 0; j < f->n; j++) {
			if (kind != COLL_MF_REPORT) {
				row_series(&fam, kind, &f->v[j]);
				continue;
			}
			if (series[j] == NULL) {
				rc = -ENOMEM;
				continue;
			}
			n = coll_host_series_get(series[j], i, &p);
			if (n)
				prom_printf(&fam.b, "%.*s", (int)n, p);
		}
		prom_families_emit(out, &fam, 1);
	}
	return rc;
}

/* What floods cost: per port, the connections refused at accept, those
 * closed for not authenticating in time, and those pending now; the bytes
 * of partial frames held. */
static void render_limits(struct prom_buf *b, const struct coll_counters *ctr)
{
	const struct coll_listen_counters *p;
	int i, r;

	prom_printf(b, "# HELP kagent_collector_refused_total Connections "
		       "accepted and closed at once, by port and reason "
		       "(pending: max_pending, pending_per_address: "
		       "max_pending_per_address, descriptors: RLIMIT_NOFILE "
		       "reached).\n"
		       "# TYPE kagent_collector_refused_total counter\n");
	for (i = 0; i < COLL_PORT_N; i++)
		for (r = 0; r < COLL_REFUSE_N && (p = ctr->port[i]); r++)
			prom_printf(
			    b,
			    "kagent_collector_refused_total{port=\"%s\","
			    "reason=\"%s\"} %llu\n",
			    coll_port_name(i), coll_refuse_name(r),
			    (unsigned long long)p->refused[r]);
	prom_printf(b, "# HELP kagent_collector_timeouts_total Connections "
		       "closed for not authenticating (agents: TLS and hello) "
		       "or asking (http: a whole request) in time.\n"
		       "# TYPE kagent_collector_timeouts_total counter\n");
	for (i = 0; i < COLL_PORT_N; i++)
		if ((p = ctr->port[i]) != NULL)
			prom_printf(
			    b,
			    "kagent_collector_timeouts_total{port=\"%s\"}"
			    " %llu\n",
			    coll_port_name(i), (unsigned long long)p->timeouts);
	prom_printf(b,
		    "# HELP kagent_collector_pending_connections Connections "
		    "accepted and not yet authenticated.\n"
		    "# TYPE kagent_collector_pending_connections gauge\n");
	for (i = 0; i < COLL_PORT_N; i++)
		if ((p = ctr->port[i]) != NULL)
			prom_printf(b,
				    "kagent_collector_pending_connections{port="
				    "\"%s\"} %llu\n",
				    coll_port_name(i),
				    (unsigned long long)p->pending);
	prom_printf(b, "# HELP kagent_collector_descriptor_exhaustions_total "
		       "Times a port ran out of file descriptors.\n"
		       "# TYPE kagent_collector_descriptor_exhaustions_total "
		       "counter\n");
	for (i = 0; i < COLL_PORT_N; i++)
		if ((p = ctr->port[i]) != NULL)
			prom_printf(
			    b,
			    "kagent_collector_descriptor_exhaustions_total"
			    "{port=\"%s\"} %llu\n",
			    coll_port_name(i),
			    (unsigned long long)p->fd_episodes);
	prom_printf(b,
		    "# HELP kagent_collector_partial_frame_bytes Bytes "
		    "held for agents' frames not yet whole.\n"
		    "# TYPE kagent_collector_partial_frame_bytes gauge\n"
		    "kagent_collector_partial_frame_bytes %llu\n",
		    (unsigned long long)(ctr->held ? ctr->held->total : 0));
}

static void render_counters(struct prom_buf *b, struct coll_store *s,
			    const struct coll_counters *ctr)
{
	uint64_t committed, rolled_back;
	int i;

	coll_store_counts(s, &committed, &rolled_back);
	prom_printf(
	    b,
	    "# HELP kagent_collector_seq_resets_total Hellos of an agent "
	    "whose own last seq is below the one stored for its host "
	    "(its spool was lost; it continues after the stored one).\n"
	    "# TYPE kagent_collector_seq_resets_total counter\n"
	    "kagent_collector_seq_resets_total %llu\n",
	    (unsigned long long)ctr->seq_resets);
	prom_printf(b,
		    "# HELP kagent_collector_store_stale 1 while the database "
		    "cannot be reached: the host and cluster series are the "
		    "last ones read, and no report is acknowledged.\n"
		    "# TYPE kagent_collector_store_stale gauge\n"
		    "kagent_collector_store_stale %d\n",
		    coll_store_stale(s) ? 1 : 0);
	prom_printf(b,
		    "# HELP kagent_collector_reports_total Reports stored "
		    "(committed).\n"
		    "# TYPE kagent_collector_reports_total counter\n"
		    "kagent_collector_reports_total %llu\n"
		    "# HELP kagent_collector_rolled_back_total Reports whose "
		    "commit failed: not acknowledged, the agent sends them "
		    "again.\n"
		    "# TYPE kagent_collector_rolled_back_total counter\n"
		    "kagent_collector_rolled_back_total %llu\n"
		    "# HELP kagent_collector_duplicates_total Reports received "
		    "again after a reconnect, acknowledged and not stored.\n"
		    "# TYPE kagent_collector_duplicates_total counter\n"
		    "kagent_collector_duplicates_total %llu\n"
		    "# HELP kagent_collector_seq_gaps_total Sequence numbers "
		    "skipped between two reports stored for a known host "
		    "(reports lost before they reached the collector).\n"
		    "# TYPE kagent_collector_seq_gaps_total counter\n"
		    "kagent_collector_seq_gaps_total %llu\n"
		    "# HELP kagent_collector_connections Agent connections "
		    "open.\n"
		    "# TYPE kagent_collector_connections gauge\n"
		    "kagent_collector_connections %llu\n"
		    "# HELP kagent_collector_accepted_total Agent connections "
		    "accepted.\n"
		    "# TYPE kagent_collector_accepted_total counter\n"
		    "kagent_collector_accepted_total %llu\n"
		    "# HELP kagent_collector_http_requests_total HTTP requests "
		    "answered.\n"
		    "# TYPE kagent_collector_http_requests_total counter\n"
		    "kagent_collector_http_requests_total %llu\n"
		    "# HELP kagent_collector_rejected_total Agent connections "
		    "closed for a fault, by reason.\n"
		    "# TYPE kagent_collector_rejected_total counter\n",
		    (unsigned long long)committed,
		    (unsigned long long)rolled_back,
		    (unsigned long long)ctr->duplicates,
		    (unsigned long long)ctr->seq_gaps,
		    (unsigned long long)ctr->connections,
		    (unsigned long long)ctr->accepted,
		    (unsigned long long)ctr->http_requests);
	for (i = 0; i < COLL_REJECT_N; i++)
		prom_printf(
		    b, "kagent_collector_rejected_total{reason=\"%s\"} %llu\n",
		    coll_reject_name(i), (unsigned long long)ctr->rejected[i]);
	prom_printf(b,
		    "# HELP kagent_collector_kafka_lists_total Kafka partition "
		    "lists of the reports received: whole, completed from the "
		    "connection's last whole list or from the host's stored "
		    "report, or unknown (a digest without its list, stored "
		    "as it came).\n"
		    "# TYPE kagent_collector_kafka_lists_total counter\n");
	for (i = 0; i < KAFKA_MERGE_N; i++)
		prom_printf(b,
			    "kagent_collector_kafka_lists_total{result=\"%s\"} "
			    "%llu\n",
			    kafka_merge_result_name(i),
			    (unsigned long long)ctr->kafka_lists[i]);
	prom_printf(
	    b,
	    "# HELP kagent_collector_http_forbidden_total HTTP requests "
	    "answered 403: no read rule of the ACL matches.\n"
	    "# TYPE kagent_collector_http_forbidden_total counter\n"
	    "kagent_collector_http_forbidden_total %llu\n"
	    "# HELP kagent_collector_reloads_total SIGHUP reloads of "
	    "certificates and ACL, by result.\n"
	    "# TYPE kagent_collector_reloads_total counter\n"
	    "kagent_collector_reloads_total{result=\"ok\"} %llu\n"
	    "kagent_collector_reloads_total{result=\"failed\"} %llu\n"
	    "# HELP kagent_collector_insecure 1 when the collector runs "
	    "plaintext without authentication (--insecure).\n"
	    "# TYPE kagent_collector_insecure gauge\n"
	    "kagent_collector_insecure %d\n",
	    (unsigned long long)ctr->http_forbidden,
	    (unsigned long long)ctr->reloads,
	    (unsigned long long)ctr->reload_failures, ctr->insecure ? 1 : 0);
	render_limits(b, ctr);
}

int coll_metrics_render(struct coll_store *s, const struct coll_counters *ctr,
			const struct coll_fleet_thresholds *th, int64_t now_ms,
			char **out, size_t *len)
{
	const struct coll_fleet *f = NULL;
	struct prom_buf all = {0};
	struct coll_fleet_cache *c;
	int rc;

	prom_printf(&all,
		    "# HELP kagent_build_info The collector's version, value "
		    "1.\n"
		    "# TYPE kagent_build_info gauge\n");
	prom_printf(&all, "kagent_build_info{");
	prom_label(&all, "version", KAGENT_VERSION, true);
	prom_printf(&all, "} 1\n");
	/* One read of the fleet cache for the hosts and the clusters. */
	c = coll_store_fleet_cache(s);
	if (c != NULL && th != NULL)
		coll_fcache_thresholds(c, th);
	rc = c ? coll_fcache_refresh(c, s, now_ms, &f) : -ENOMEM;
	if (rc == 0)
		rc = coll_metrics_hosts(f, coll_fcache_series(c), &all);
	render_clusters(&all, c, rc == 0 ? f : NULL);
	render_counters(&all, s, ctr);
	if (rc == 0)
		rc = all.err;
	if (rc < 0) {
		free(all.p);
		return rc;
	}
	*out = all.p;
	*len = all.n;
	return 0;
}
