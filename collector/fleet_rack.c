/*
 * Racks as configured against racks as cabled.  kagent.conf's rack and
 * Kafka's broker.rack are typed by people; the switch a host's uplink is
 * plugged into (LLDP, through lldpd) is not.  Two hosts that claim one
 * rack but hang from switches with nothing in common, or claim two racks
 * but hang from one switch, mean a name or a cable is wrong, and the
 * placement checks built on those names are wrong with it.
 *
 * A host on a pair of top-of-rack switches (a bond over both) sees two
 * names; two hosts agree when their sets share one.  Zones are not
 * compared: a zone spans many switches by design.
 */
#include <stdio.h>
#include <string.h>

#include "fleet_int.h"

struct lldp_tally {
	size_t compared;   /* hosts with a label and a switch */
	size_t mismatched; /* of those, warned */
	char reason[192];  /* why the first host without a switch has none */
};

typedef const char *(*label_fn)(const struct coll_host *h);

static const char *label_rack(const struct coll_host *h)
{
	return h->rack[0] ? h->rack : NULL;
}

static const char *label_broker_rack(const struct coll_host *h)
{
	return h->broker_rack[0] ? h->broker_rack : NULL;
}

static const char *switches_share(const struct coll_host *a,
				  const struct coll_host *b)
{
	size_t i, j;

	for (i = 0; i < a->n_switches; i++)
		for (j = 0; j < b->n_switches; j++)
			if (strcmp(a->switches[i], b->switches[j]) == 0)
				return a->switches[i];
	return NULL;
}

static void switches_fmt(char *buf, size_t len, const struct coll_host *h)
{
	if (h->n_switches > 1)
		snprintf(buf, len, "%s (+%zu)", h->switches[0],
			 h->n_switches - 1);
	else
		snprintf(buf, len, "%s", h->switches[0]);
}

/* h against the hosts before it: the first with the same label (its
 * switches must overlap h's), else the first with another label that shares
 * a switch with h.  At most one result per host. */
static int lldp_compare_one(const struct fleet_view *v, unsigned role, size_t i,
			    label_fn label, const char *what, const char *id,
			    const char *suffix, struct lldp_tally *t,
			    struct check_results *out)
{
	const struct coll_host *h = &v->hosts[i], *same = NULL, *other = NULL;
	const char *li = label(h), *lj, *shared = NULL;
	char inst[64], sw_h[96], sw_o[96], measured[96], required[96];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct coll_host *g = &v->hosts[j];

		if (!coll_host_in(g, v->cluster, role) || g->n_switches == 0 ||
		    (lj = label(g)) == NULL)
			continue;
		if (strcmp(lj, li) == 0) {
			if (same == NULL)
				same = g;
		} else if (other == NULL && switches_share(g, h)) {
			other = g;
			shared = switches_share(g, h);
		}
	}
	snprintf(inst, sizeof inst, "%s%s", h->host_id, suffix);
	switches_fmt(sw_h, sizeof sw_h, h);
	snprintf(measured, sizeof measured, "switch %s", sw_h);
	if (same != NULL && switches_share(same, h) == NULL) {
		t->mismatched++;
		switches_fmt(sw_o, sizeof sw_o, same);
		snprintf(required, sizeof required, "switch %s, as %s", sw_o,
			 same->host_id);
		return check_add(out, id, inst, SEV_WARN, measured, required,
				 "%s and %s are both in %s %s but hang from "
				 "different switches (%s, %s): a rack name "
				 "or a cable is wrong",
				 same->host_id, h->host_id, what, li, sw_o,
				 sw_h);
	}
	if (other != NULL) {
		t->mismatched++;
		snprintf(required, sizeof required, "a switch of %s %s only",
			 what, li);
		return check_add(out, id, inst, SEV_WARN, measured, required,
				 "%s (%s %s) and %s (%s %s) hang from one "
				 "switch, %s: the two racks are one failure "
				 "domain, or a rack name is wrong",
				 other->host_id, what, label(other), h->host_id,
				 what, li, shared);
	}
	return 0;
}

static int lldp_compare(const struct fleet_view *v, unsigned role,
			label_fn label, const char *what, const char *id,
			const char *suffix, struct lldp_tally *t,
			struct check_results *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < v->n; i++) {
		const struct coll_host *h = &v->hosts[i];

		if (!coll_host_in(h, v->cluster, role) || label(h) == NULL)
			continue;
		if (h->n_switches == 0) {
			if (t->reason[0] == '\0' && h->lldp_reason[0])
				snprintf(t->reason, sizeof t->reason, "%s, %s",
					 h->host_id, h->lldp_reason);
			continue;
		}
		t->compared++;
		rc = lldp_compare_one(v, role, i, label, what, id, suffix, t,
				      out);
	}
	return rc;
}

/* LLDP is optional: a cluster without it gets an info result, not an
 * unknown that would turn every such cluster's verdict to unknown. */
int fleet_check_rack_lldp(const struct fleet_view *v, struct check_results *out)
{
	const char *id = "rack.lldp_mismatch";
	struct lldp_tally t = {0};
	char measured[32];
	int rc;

	rc = lldp_compare(v, CORE_ROLE_ZOOKEEPER | CORE_ROLE_KAFKA, label_rack,
			  "rack", id, "", &t, out);
	if (rc || t.mismatched)
		return rc;
	if (t.compared == 0)
		return check_add(out, id, NULL, SEV_INFO, "", "",
				 "no host reports both a rack and the switch "
				 "LLDP names%s%s",
				 t.reason[0] ? ": " : "", t.reason);
	snprintf(measured, sizeof measured, "%zu host%s", t.compared,
		 t.compared == 1 ? "" : "s");
	return check_add(out, id, NULL, SEV_PASS, measured, "",
			 "the racks of %zu host%s agree with their switches: "
			 "hosts of one rack share a switch, no switch serves "
			 "two racks",
			 t.compared, t.compared == 1 ? "" : "s");
}

/* Kafka spreads replicas by broker.rack; a value that disagrees with the
 * host's real rack makes "rack-aware" replicas share a rack.  "Real" is
 * the configured rack (or zone) and, through LLDP, the switch. */
int fleet_check_kafka_rack_mismatch(const struct fleet_view *v,
				    struct check_results *out)
{
	const char *id = "kafka.cluster.rack_mismatch";
	size_t i, compared = 0, mismatched = 0;
	char measured[96], required[96];
	struct lldp_tally t = {0};
	int rc = 0;

	for (i = 0; rc == 0 && i < v->n; i++) {
		const struct coll_host *h = &v->hosts[i];
		const char *d, *kind;

		if (!coll_host_in(h, v->cluster, CORE_ROLE_KAFKA))
			continue;
		d = fleet_conf_domain(h, &kind);
		if (d == NULL)
			continue;
		snprintf(required, sizeof required, "%s %s", kind, d);
		if (h->broker_rack[0] == '\0') {
			rc = check_add(
			    out, id, h->host_id, SEV_INFO, "broker.rack unset",
			    required,
			    "broker.rack is unset: rack-aware replica "
			    "placement does not know %s is in %s %s",
			    h->host_id, kind, d);
			continue;
		}
		compared++;
		if (strcmp(h->broker_rack, d) == 0)
			continue;
		mismatched++;
		snprintf(measured, sizeof measured, "broker.rack=%s",
			 h->broker_rack);
		rc =
		    check_add(out, id, h->host_id, SEV_WARN, measured, required,
			      "broker.rack is %s but %s is in %s %s: replicas "
			      "Kafka spreads by broker.rack may share a rack",
			      h->broker_rack, h->host_id, kind, d);
	}
	/* The LLDP view: brokers of one broker.rack on switches with nothing
	 * in common, or of two on one switch. */
	if (rc == 0)
		rc = lldp_compare(v, CORE_ROLE_KAFKA, label_broker_rack,
				  "broker.rack", id, "/lldp", &t, out);
	if (rc || mismatched || t.mismatched)
		return rc;
	if (compared == 0 && t.compared == 0)
		return check_add(
		    out, id, NULL, SEV_UNKNOWN, "", "",
		    "no broker reports both broker.rack and a rack "
		    "(or zone) in kagent.conf or a switch through LLDP");
	if (compared == 0) {
		snprintf(measured, sizeof measured, "%zu agree with LLDP",
			 t.compared);
		return check_add(out, id, NULL, SEV_PASS, measured, "",
				 "broker.rack agrees with the switches LLDP "
				 "names on %zu broker%s",
				 t.compared, t.compared == 1 ? "" : "s");
	}
	snprintf(measured, sizeof measured, "%zu agree", compared);
	return check_add(out, id, NULL, SEV_PASS, measured, "",
			 "broker.rack agrees with the host's rack on %zu "
			 "broker%s%s",
			 compared, compared == 1 ? "" : "s",
			 t.compared ? "; and with the switches LLDP names"
				    : "");
}
