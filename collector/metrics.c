/* /metrics in the Prometheus text exposition format 0.0.4.
 *
 * The format wants every series of a family together under one HELP and
 * TYPE line, while the store is walked host by host: each family grows in
 * its own buffer and the buffers are joined at the end.
 *
 * Severity gauges use enum check_severity: 0 pass, 1 info, 2 unknown,
 * 3 warn, 4 fail, so `max by (cluster)` and `> 2` read naturally. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"

struct sbuf {
	char *p;
	size_t n;
	size_t cap;
	int err;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	char *np;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt,
		      ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if (b->p && (size_t)n < b->cap - b->n) {
		b->n += (size_t)n;
		return;
	}
	need = b->n + (size_t)n + 1;
	b->cap = b->cap ? b->cap : 4096;
	while (b->cap < need)
		b->cap *= 2;
	np = realloc(b->p, b->cap);
	if (np == NULL) {
		b->err = -ENOMEM;
		return;
	}
	b->p = np;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

/* A label value as the text format 0.0.4 wants it: valid UTF-8 with
 * backslash, double quote and line feed escaped.  The format has no other
 * escape, so any other control character (a CR, a tab, ...) and any byte
 * that is not UTF-8 become '?': the values come from the wire and from
 * stores older than its checks, and one bad byte would make Prometheus
 * drop the whole scrape. */
static void sb_label(struct sbuf *b, const char *name, const char *v,
		     bool first)
{
	const unsigned char *p = (const unsigned char *)v;
	char esc[512];
	size_t o = 0, k;

	/* Values are bounded by their fields (at most 96 bytes): 512 holds
	 * every one escaped. */
	for (; *p && o + 5 < sizeof esc; p += k) {
		k = proto_utf8_char_len(p);
		if (*p == '\\' || *p == '"') {
			esc[o++] = '\\';
			esc[o++] = (char)*p;
		} else if (*p == '\n') {
			esc[o++] = '\\';
			esc[o++] = 'n';
		} else if (k == 0 || *p < 0x20 || *p == 0x7f) {
			esc[o++] = '?';
			k = 1;
		} else {
			memcpy(esc + o, p, k);
			o += k;
		}
	}
	esc[o] = '\0';
	sb_printf(b, "%s%s=\"%s\"", first ? "" : ",", name, esc);
}

enum fam {
	FAM_CHECK,
	FAM_VERDICT,
	FAM_DISK,
	FAM_STALE,
	FAM_SEEN,
	FAM_N,
};

static const struct {
	const char *name, *help;
} fams[FAM_N] = {
    [FAM_CHECK] = {"kagent_host_check_severity",
		   "Severity of a host check (0 pass, 1 info, 2 unknown, "
		   "3 warn, 4 fail)."},
    [FAM_VERDICT] = {"kagent_host_verdict",
		     "Worst severity of the host's checks (0 pass .. 4 fail)."},
    [FAM_DISK] =
	{"kagent_disk_health",
	 "SMART health of a disk (0 pass, 2 unknown, 3 warn, 4 fail)."},
    [FAM_STALE] = {"kagent_host_stale",
		   "1 when the host has been silent for three report "
		   "intervals."},
    [FAM_SEEN] = {"kagent_host_last_seen_seconds",
		  "Unix time the collector last received a report of the "
		  "host."},
};

struct render {
	struct sbuf fam[FAM_N];
	kagent_v1_Report *r;
	struct proto_lists lists;
	struct check_results checks;
	int64_t now_ms;
};

static int render_host(void *arg, const struct coll_store_row *row)
{
	struct render *x = arg;
	const struct check_result *c;
	const kagent_v1_Disk *d;
	size_t i;
	int sev;

	if (row->verdict >= 0) {
		sb_printf(&x->fam[FAM_VERDICT], "%s{", fams[FAM_VERDICT].name);
		sb_label(&x->fam[FAM_VERDICT], "host", row->host_id, true);
		sb_printf(&x->fam[FAM_VERDICT], "} %d\n", row->verdict);
	}
	sb_printf(&x->fam[FAM_STALE], "%s{", fams[FAM_STALE].name);
	sb_label(&x->fam[FAM_STALE], "host", row->host_id, true);
	sb_printf(
	    &x->fam[FAM_STALE], "} %d\n",
	    coll_host_is_stale(row->last_seen_ms, row->interval_s, x->now_ms));
	sb_printf(&x->fam[FAM_SEEN], "%s{", fams[FAM_SEEN].name);
	sb_label(&x->fam[FAM_SEEN], "host", row->host_id, true);
	sb_printf(&x->fam[FAM_SEEN], "} %lld.%03lld\n",
		  (long long)(row->last_seen_ms / 1000),
		  (long long)(row->last_seen_ms % 1000));
	/* A stored report that does not decode still has the series above. */
	if (coll_report_decode(row->report, row->len, x->r, &x->lists, NULL) <
	    0)
		return 0;
	/* One series per check id and instance, however often the report
	 * repeats it. */
	if (coll_checks_from_report(&x->lists, &x->checks) < 0)
		return -ENOMEM;
	c = x->checks.v;
	for (i = 0; i < x->checks.n; i++) {
		sb_printf(&x->fam[FAM_CHECK], "%s{", fams[FAM_CHECK].name);
		sb_label(&x->fam[FAM_CHECK], "host", row->host_id, true);
		sb_label(&x->fam[FAM_CHECK], "check", c[i].id, false);
		sb_label(&x->fam[FAM_CHECK], "instance", c[i].instance, false);
		sb_printf(&x->fam[FAM_CHECK], "} %d\n", (int)c[i].sev);
	}
	d = x->lists.disks.v;
	for (i = 0; i < x->lists.disks.n; i++) {
		if (!d[i].has_health)
			continue;
		sev = coll_severity_from_proto(d[i].health.verdict);
		sb_printf(&x->fam[FAM_DISK], "%s{", fams[FAM_DISK].name);
		sb_label(&x->fam[FAM_DISK], "host", row->host_id, true);
		sb_label(&x->fam[FAM_DISK], "disk", d[i].name, false);
		sb_printf(&x->fam[FAM_DISK], "} %d\n",
			  sev < 0 ? SEV_UNKNOWN : sev);
	}
	return 0;
}

static void render_clusters(struct sbuf *b, struct coll_store *s,
			    int64_t now_ms)
{
	struct check_results r = {0};
	struct coll_fleet f;
	struct coll_host *hosts;
	size_t i;

	sb_printf(b, "# HELP kagent_cluster_verdict Worst severity of the "
		     "cluster's fleet checks (0 pass .. 4 fail).\n"
		     "# TYPE kagent_cluster_verdict gauge\n");
	if (coll_fleet_load(s, now_ms, &f) < 0) {
		b->err = -EIO;
		return;
	}
	hosts = coll_fleet_hosts(&f);
	for (i = 0; hosts && i < f.n_clusters; i++) {
		r.n = 0;
		if (coll_fleet_judge(f.clusters[i], hosts, f.n, false, &r) < 0)
			continue;
		sb_printf(b, "kagent_cluster_verdict{");
		sb_label(b, "cluster", f.clusters[i], true);
		sb_printf(b, "} %d\n", (int)check_verdict(&r));
	}
	if (hosts == NULL)
		b->err = -ENOMEM;
	check_results_free(&r);
	free(hosts);
	coll_fleet_free(&f);
}

/* What floods cost: per port, the connections refused at accept, those
 * closed for not authenticating in time, and those pending now; the bytes
 * of partial frames held. */
static void render_limits(struct sbuf *b, const struct coll_counters *ctr)
{
	const struct coll_listen_counters *p;
	int i, r;

	sb_printf(b, "# HELP kagent_collector_refused_total Connections "
		     "accepted and closed at once, by port and reason "
		     "(pending: max_pending, pending_per_address: "
		     "max_pending_per_address, descriptors: RLIMIT_NOFILE "
		     "reached).\n"
		     "# TYPE kagent_collector_refused_total counter\n");
	for (i = 0; i < COLL_PORT_N; i++)
		for (r = 0; r < COLL_REFUSE_N && (p = ctr->port[i]); r++)
			sb_printf(b,
				  "kagent_collector_refused_total{port=\"%s\","
				  "reason=\"%s\"} %llu\n",
				  coll_port_name(i), coll_refuse_name(r),
				  (unsigned long long)p->refused[r]);
	sb_printf(b, "# HELP kagent_collector_timeouts_total Connections "
		     "closed for not authenticating (agents: TLS and hello) "
		     "or asking (http: a whole request) in time.\n"
		     "# TYPE kagent_collector_timeouts_total counter\n");
	for (i = 0; i < COLL_PORT_N; i++)
		if ((p = ctr->port[i]) != NULL)
			sb_printf(b,
				  "kagent_collector_timeouts_total{port=\"%s\"}"
				  " %llu\n",
				  coll_port_name(i),
				  (unsigned long long)p->timeouts);
	sb_printf(b, "# HELP kagent_collector_pending_connections Connections "
		     "accepted and not yet authenticated.\n"
		     "# TYPE kagent_collector_pending_connections gauge\n");
	for (i = 0; i < COLL_PORT_N; i++)
		if ((p = ctr->port[i]) != NULL)
			sb_printf(b,
				  "kagent_collector_pending_connections{port="
				  "\"%s\"} %llu\n",
				  coll_port_name(i),
				  (unsigned long long)p->pending);
	sb_printf(b, "# HELP kagent_collector_descriptor_exhaustions_total "
		     "Times a port ran out of file descriptors.\n"
		     "# TYPE kagent_collector_descriptor_exhaustions_total "
		     "counter\n");
	for (i = 0; i < COLL_PORT_N; i++)
		if ((p = ctr->port[i]) != NULL)
			sb_printf(b,
				  "kagent_collector_descriptor_exhaustions_total"
				  "{port=\"%s\"} %llu\n",
				  coll_port_name(i),
				  (unsigned long long)p->fd_episodes);
	sb_printf(b, "# HELP kagent_collector_partial_frame_bytes Bytes "
		     "held for agents' frames not yet whole.\n"
		     "# TYPE kagent_collector_partial_frame_bytes gauge\n"
		     "kagent_collector_partial_frame_bytes %llu\n",
		  (unsigned long long)(ctr->held ? ctr->held->total : 0));
}

static void render_counters(struct sbuf *b, struct coll_store *s,
			    const struct coll_counters *ctr)
{
	uint64_t committed, rolled_back;
	int i;

	coll_store_counts(s, &committed, &rolled_back);
	sb_printf(b,
		  "# HELP kagent_collector_seq_resets_total Hellos of an agent "
		  "whose own last seq is below the one stored for its host "
		  "(its spool was lost; it continues after the stored one).\n"
		  "# TYPE kagent_collector_seq_resets_total counter\n"
		  "kagent_collector_seq_resets_total %llu\n",
		  (unsigned long long)ctr->seq_resets);
	sb_printf(b,
		  "# HELP kagent_collector_store_stale 1 while the database "
		  "cannot be reached: the host and cluster series are the "
		  "last ones read, and no report is acknowledged.\n"
		  "# TYPE kagent_collector_store_stale gauge\n"
		  "kagent_collector_store_stale %d\n",
		  coll_store_stale(s) ? 1 : 0);
	sb_printf(b,
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
		sb_printf(
		    b, "kagent_collector_rejected_total{reason=\"%s\"} %llu\n",
		    coll_reject_name(i), (unsigned long long)ctr->rejected[i]);
	sb_printf(b,
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
		  (unsigned long long)ctr->reload_failures,
		  ctr->insecure ? 1 : 0);
	render_limits(b, ctr);
}

int coll_metrics_render(struct coll_store *s, const struct coll_counters *ctr,
			int64_t now_ms, char **out, size_t *len)
{
	struct render x;
	struct sbuf all = {0};
	int i, rc;

	memset(&x, 0, sizeof x);
	x.now_ms = now_ms;
	proto_lists_init(&x.lists);
	x.r = malloc(sizeof *x.r);
	rc = x.r ? coll_store_each_host(s, render_host, &x) : -ENOMEM;
	for (i = 0; i < FAM_N; i++) {
		sb_printf(&all, "# HELP %s %s\n# TYPE %s gauge\n", fams[i].name,
			  fams[i].help, fams[i].name);
		if (x.fam[i].n)
			sb_printf(&all, "%.*s", (int)x.fam[i].n, x.fam[i].p);
		if (x.fam[i].err)
			rc = x.fam[i].err;
		free(x.fam[i].p);
	}
	render_clusters(&all, s, now_ms);
	render_counters(&all, s, ctr);
	free(x.r);
	proto_lists_free(&x.lists);
	check_results_free(&x.checks);
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
