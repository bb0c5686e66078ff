/* kagent fleet: the collector's fleet view (GET /api/fleet), as a table
 * or as the JSON the collector serves, for every host or the ones named;
 * `--forget HOST` asks the collector to forget a retired host (DELETE
 * /api/hosts/{id}, which the collector allows only to a certificate its
 * ACL names in an `admin` rule).  The request goes through
 * proto_stream like every other network byte, and the answer is parsed by
 * libhttp-parser.  Default collector: http://127.0.0.1:8080, where
 * kcollectord serves HTTP unless told otherwise (plaintext from loopback,
 * when its ACL has `read loopback`).  An https:// collector is asked over
 * TLS with the reader's certificate (--tls-ca, --tls-cert, --tls-key),
 * whose identity the collector's ACL must let read.  `--capacity CLUSTER`
 * prints Cruise Control's capacity file (fleet_capacity.c); `--reassign
 * CLUSTER` writes partition reassignment plans (reassign_cmd.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "agent.h"
#include "core_opt.h"
#include "fleet_capacity.h"
#include "fleet_http.h"
#include "reassign.h"
#include "stream.h"
#include "text_esc.h"
#include "tls.h"

#define FLEET_DEFAULT_URL      "http://127.0.0.1:8080"
#define FLEET_EXIT_UNREACHABLE 2
#define FLEET_EXIT_HOST	       1 /* a host named is not in the fleet */

/* A string member escaped for the terminal: every one of them comes from
 * an agent's report (host ids, racks, check messages). */
static const char *jstr(struct text_esc *e, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return text_esc(e, s && s[0] ? s : "-");
}

/* The first switch LLDP names for the host, "+N" for the others of a
 * switch pair; "-" when none is known (--json says why). */
static void fleet_switch_text(json_t *a, char *buf, size_t len)
{
	const char *first = json_string_value(json_array_get(a, 0));
	size_t n = json_array_size(a);

	if (first == NULL || first[0] == '\0')
		snprintf(buf, len, "-");
	else if (n > 1)
		snprintf(buf, len, "%s +%zu", first, n - 1);
	else
		snprintf(buf, len, "%s", first);
}

/* "leader 3.8.0", "not running", or "-" when the host has no ZooKeeper
 * role or its report does not know. */
static void fleet_zk_text(json_t *z, char *buf, size_t len)
{
	const char *mode = json_string_value(json_object_get(z, "mode"));
	const char *ver = json_string_value(json_object_get(z, "version"));

	if (mode && mode[0])
		snprintf(buf, len, "%s%s%s", mode, ver && ver[0] ? " " : "",
			 ver && ver[0] ? ver : "");
	else if (json_is_false(json_object_get(z, "running")))
		snprintf(buf, len, "not running");
	else
		snprintf(buf, len, "-");
}

static void fleet_print(json_t *doc, FILE *out)
{
	struct text_esc e = {.next = 0};
	json_t *c, *h, *k, *roles, *r;
	size_t i, j, m;
	char rl[64], zk[96], sw[272]; /* a 255-byte System Name and " +N" */

	json_array_foreach(json_object_get(doc, "clusters"), i, c)
	{
		fprintf(out, "cluster %s: %s\n", jstr(&e, c, "name"),
			jstr(&e, c, "verdict"));
		json_array_foreach(json_object_get(c, "checks"), j, k)
		    fprintf(out, "  %-32s %-7s %-26s %s\n", jstr(&e, k, "id"),
			    jstr(&e, k, "severity"), jstr(&e, k, "measured"),
			    jstr(&e, k, "message"));
	}
	fprintf(out, "\n%-24s %-12s %-16s %-8s %-8s %-16s %-7s %-24s %-5s %s\n",
		"HOST", "CLUSTER", "ROLES", "RACK", "ZONE", "SWITCH", "VERDICT",
		"LAST SEEN", "STALE", "ZOOKEEPER");
	json_array_foreach(json_object_get(doc, "hosts"), i, h)
	{
		rl[0] = '\0';
		roles = json_object_get(h, "roles");
		json_array_foreach(roles, m, r)
		    snprintf(rl + strlen(rl), sizeof rl - strlen(rl), "%s%s",
			     m ? "," : "", json_string_value(r));
		fleet_zk_text(json_object_get(h, "zookeeper"), zk, sizeof zk);
		fleet_switch_text(json_object_get(h, "switches"), sw,
				  sizeof sw);
		fprintf(
		    out,
		    "%-24s %-12s %-16s %-8s %-8s %-16s %-7s %-24s %-5s %s\n",
		    jstr(&e, h, "host_id"), jstr(&e, h, "cluster"),
		    text_esc(&e, rl[0] ? rl : "-"), jstr(&e, h, "rack"),
		    jstr(&e, h, "zone"), text_esc(&e, sw),
		    jstr(&e, h, "verdict"), jstr(&e, h, "last_seen"),
		    json_is_true(json_object_get(h, "stale")) ? "yes" : "no",
		    text_esc(&e, zk));
	}
}

/* A host id as the protocol allows it (1 to 63 printable ASCII bytes, no
 * space), percent-encoded into the request's path. */
static int fleet_host_path(const char *id, char *path, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = strlen(id), o;

	if (n == 0 || n > 63)
		return -EINVAL;
	o = (size_t)snprintf(path, cap, "/api/hosts/");
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];
		bool plain = (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || strchr("-._~", ch);

		if (ch <= ' ' || ch > '~')
			return -EINVAL;
		if (o + 4 > cap)
			return -EINVAL;
		if (plain) {
			path[o++] = (char)ch;
		} else {
			path[o++] = '%';
			path[o++] = hex[ch >> 4];
			path[o++] = hex[ch & 15];
		}
	}
	path[o] = '\0';
	return 0;
}

/* Keeps in doc's hosts only the ids named, and the clusters they are in;
 * -ENOENT (after saying which) when one is not in the fleet.  No ids:
 * everything stays. */
static int fleet_keep_hosts(json_t *doc, char **ids, int n)
{
	json_t *hosts = json_object_get(doc, "hosts"), *kept, *cl, *c,
	       *h = NULL;
	char safe[256];
	size_t i, j;
	int k, rc = 0;

	if (n == 0)
		return 0;
	kept = json_array();
	cl = json_array();

	for (k = 0; k < n; k++) {
		json_array_foreach(hosts, i, h)
		{
			const char *id =
			    json_string_value(json_object_get(h, "host_id"));

			if (id && strcmp(id, ids[k]) == 0)
				break;
		}
		if (i == json_array_size(hosts)) {
			fprintf(stderr,
				"kagent fleet: no host '%s' in the "
				"fleet\n",
				text_escape(safe, sizeof safe, ids[k]));
			rc = -ENOENT;
			continue;
		}
		json_array_append(kept, h);
	}
	json_array_foreach(json_object_get(doc, "clusters"), i, c)
	{
		json_array_foreach(kept, j, h)
		{
			if (json_equal(json_object_get(c, "name"),
				       json_object_get(h, "cluster"))) {
				json_array_append(cl, c);
				break;
			}
		}
	}
	json_object_set_new(doc, "hosts", kept);
	json_object_set_new(doc, "clusters", cl);
	return rc;
}

enum {
	OPT_COLLECTOR = 1,
	OPT_TLS_CA,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_JSON,
	OPT_FORGET,
	OPT_CAPACITY,
	OPT_PARTIAL,
	OPT_REASSIGN,
	OPT_FROM,
	OPT_OUT,
	OPT_DRAIN,
	OPT_FORCE,
	OPT_THROTTLE_PERCENT
};

static const struct core_opt fleet_opts[] = {
    {"collector", 0, OPT_COLLECTOR, "URL",
     "kcollectord's HTTP API, http[s]://HOST:PORT, HOST a\n"
     "name or an address (default " FLEET_DEFAULT_URL ")"},
    {"tls-ca", 0, OPT_TLS_CA, "FILE",
     "for an https:// collector: the CA that signs its\n"
     "certificate"},
    {"tls-cert", 0, OPT_TLS_CERT, "FILE", "this reader's certificate"},
    {"tls-key", 0, OPT_TLS_KEY, "FILE", "its private key"},
    {"json", 0, OPT_JSON, NULL,
     "the collector's JSON, as it serves it; with --reassign,\n"
     "the plan's summary as JSON"},
    {"forget", 0, OPT_FORGET, "HOST",
     "remove a retired host from the collector (an admin\n"
     "certificate)"},
    {"capacity", 0, OPT_CAPACITY, "CLUSTER",
     "Cruise Control's capacity file of a Kafka cluster"},
    {"partial", 0, OPT_PARTIAL, NULL,
     "with --capacity: write it even when brokers are missing;\n"
     "with --reassign: plan on partial metadata"},
    {"reassign", 0, OPT_REASSIGN, "CLUSTER",
     "partition reassignment plans of a Kafka cluster, one\n"
     "step per topic, smallest first"},
    {"from", 0, OPT_FROM, "FILE",
     "with --reassign: the cluster's metadata from a file\n"
     "(the collector's /api/clusters/CLUSTER/kafka answer)"},
    {"out", 0, OPT_OUT, "DIR",
     "with --reassign: write the step files there (created\n"
     "when missing); without, only the summary"},
    {"drain", 0, OPT_DRAIN, "BROKER_ID",
     "with --reassign: move every replica off that broker"},
    {"force", 0, OPT_FORCE, NULL, "with --out: replace a plan already in DIR"},
    {"throttle-percent", 0, OPT_THROTTLE_PERCENT, "PERCENT",
     "with --reassign: the suggested throttle's share of the\n"
     "slowest link involved (default 50)"},
    {NULL, 0, 0, NULL, NULL},
};

int cmd_fleet(int argc, char **argv)
{
	struct core_opt_parser p = {
	    .program = "kagent",
	    .name = "kagent fleet",
	    .synopsis = "usage: kagent fleet [--collector URL] [--json] "
			"[HOST...]\n"
			"                    [--tls-ca FILE --tls-cert FILE "
			"--tls-key FILE]\n"
			"       kagent fleet [--collector URL] [--tls-*] "
			"--forget HOST\n"
			"       kagent fleet [--collector URL] [--tls-*] "
			"--capacity CLUSTER [--partial]\n"
			"       kagent fleet [--collector URL] [--tls-*] "
			"--reassign CLUSTER [--from FILE]\n"
			"                    [--out DIR [--force]] [--drain "
			"BROKER_ID] [--partial]\n"
			"                    [--throttle-percent PERCENT] "
			"[--json]\n",
	    .about = "The fleet view from kcollectord: clusters and hosts, "
		     "every host or the\nHOSTs named.\n",
	    .opts = fleet_opts,
	    .usage_exit = AGENT_EXIT_USAGE,
	    .operands = true,
	};
	const char *url = FLEET_DEFAULT_URL, *forget = NULL, *capacity = NULL;
	struct proto_tls_config tc = {0};
	struct ra_cmd ra = {.tls = &tc};
	char path[256], safe[256];
	struct fleet_get *g;
	json_error_t jerr;
	json_t *doc;
	int ch, json = 0, partial = 0, rc;

	core_opt_init(&p, argc, argv);
	while ((ch = core_opt_next(&p)) > 0) {
		switch (ch) {
		case OPT_COLLECTOR:
			url = p.arg;
			break;
		case OPT_TLS_CA:
			tc.ca = p.arg;
			break;
		case OPT_TLS_CERT:
			tc.cert = p.arg;
			break;
		case OPT_TLS_KEY:
			tc.key = p.arg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_FORGET:
			forget = p.arg;
			break;
		case OPT_CAPACITY:
			capacity = p.arg;
			break;
		case OPT_PARTIAL:
			partial = 1;
			ra.partial = true;
			break;
		case OPT_REASSIGN:
			ra.cluster = p.arg;
			break;
		case OPT_FROM:
			ra.from = p.arg;
			break;
		case OPT_OUT:
			ra.out_dir = p.arg;
			break;
		case OPT_DRAIN:
			ra.drain = p.arg;
			break;
		case OPT_FORCE:
			ra.force = true;
			break;
		case OPT_THROTTLE_PERCENT:
			ra.throttle = p.arg;
			break;
		}
	}
	if (ch == CORE_OPT_EXIT)
		return p.exit;
	if (ra.cluster && !forget && !capacity && p.n_operands == 0) {
		ra.url = url;
		ra.json = json;
		return ra_cmd_run(&ra);
	}
	if (ra.cluster || ra.from || ra.out_dir || ra.drain || ra.force ||
	    ra.throttle) {
		fprintf(stderr,
			"kagent fleet: --reassign takes one cluster and "
			"no host, --forget nor --capacity; --from, "
			"--out, --drain, --force and --throttle-percent "
			"go with it\n");
		return AGENT_EXIT_USAGE;
	}
	if (forget && (p.n_operands > 0 || json)) {
		fprintf(stderr, "kagent fleet: --forget takes one host and "
				"no other host nor --json\n");
		return AGENT_EXIT_USAGE;
	}
	if (forget && fleet_host_path(forget, path, sizeof path) < 0) {
		fprintf(stderr,
			"kagent fleet: --forget '%s': not a host id (1 to 63 "
			"printable ASCII characters, no space)\n",
			text_escape(safe, sizeof safe, forget));
		return AGENT_EXIT_USAGE;
	}
	if (capacity && (forget || p.n_operands > 0 || json)) {
		fprintf(stderr, "kagent fleet: --capacity takes one cluster "
				"and no host, --forget nor --json\n");
		return AGENT_EXIT_USAGE;
	}
	if (capacity && fleet_capacity_path(capacity, path, sizeof path) < 0) {
		fprintf(stderr,
			"kagent fleet: --capacity '%s': not a cluster name (1 "
			"to 63 printable ASCII characters, no space)\n",
			text_escape(safe, sizeof safe, capacity));
		return AGENT_EXIT_USAGE;
	}
	g = calloc(1, sizeof *g);
	if (g == NULL)
		return FLEET_EXIT_UNREACHABLE;
	g->method = forget ? "DELETE" : "GET";
	snprintf(g->path, sizeof g->path, "%s",
		 forget || capacity ? path : "/api/fleet");
	rc = fleet_fetch(url, &tc, g);
	if (rc < 0) {
		fprintf(stderr, "kagent fleet: %s: %s\n", url, g->err);
		rc = FLEET_EXIT_UNREACHABLE;
		goto out_free;
	}
	doc = json_loads(g->body ? g->body : "", 0, &jerr);
	if (g->status != 200 || doc == NULL) {
		char answer[1024];

		fprintf(stderr, "kagent fleet: %s: HTTP %d: %s\n", url,
			g->status,
			text_escape(answer, sizeof answer,
				    g->body ? g->body : jerr.text));
		json_decref(doc);
		rc = FLEET_EXIT_UNREACHABLE;
		goto out_free;
	}
	if (forget) {
		/* Logged by the collector with the certificate that asked. */
		printf("kagent fleet: %s forgotten\n",
		       text_escape(safe, sizeof safe, forget));
		json_decref(doc);
		rc = AGENT_EXIT_OK;
		goto out_free;
	}
	if (capacity) {
		rc = fleet_capacity_print(doc, partial, stdout, stderr);
		json_decref(doc);
		goto out_free;
	}
	if (fleet_keep_hosts(doc, p.operand, p.n_operands) < 0) {
		json_decref(doc);
		rc = FLEET_EXIT_HOST;
		goto out_free;
	}
	if (json) {
		/* \u escapes for all but ASCII: no control character reaches
		 * a terminal even from the JSON. */
		char *text =
		    json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);

		text_json_fputs(text ? text : "null", stdout);
		free(text);
	} else {
		fleet_print(doc, stdout);
	}
	if (json)
		fputc('\n', stdout);
	json_decref(doc);
	rc = AGENT_EXIT_OK;
out_free:
	free(g->body);
	free(g);
	return rc;
}
