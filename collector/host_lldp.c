/*
 * The switches a host hangs from, from the LLDP neighbours its report
 * gives per NIC.
 *
 * The uplink is the NIC of the default route and, when that is a bond, its
 * members: a bond of two ports to a pair of top-of-rack switches sees both.
 * A host whose default route leaves through a NIC the report does not
 * resolve to ports (a VLAN on a bond, no default route) falls back to every
 * NIC with a neighbour.  Storage and back-end networks hang from other
 * switches on some racks: the default route keeps them out when it can.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"

static const kagent_v1_Nic *nic_find(const struct proto_lists *l,
				     const char *name)
{
	const kagent_v1_Nic *v = l->nics.v;
	size_t i;

	for (i = 0; name[0] && i < l->nics.n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static void switch_add(struct coll_host *h, const kagent_v1_Nic *n)
{
	size_t i;

	if (n == NULL ||
	    n->lldp_state != kagent_v1_LldpState_LLDP_STATE_NEIGHBOUR ||
	    n->lldp_switch[0] == '\0')
		return;
	for (i = 0; i < h->n_switches; i++)
		if (strcmp(h->switches[i], n->lldp_switch) == 0)
			return;
	if (h->n_switches == COLL_SWITCHES_MAX)
		return;
	snprintf(h->switches[h->n_switches++], sizeof h->switches[0], "%s",
		 n->lldp_switch);
}

/* The first reason an uplink gives, so "no LLDP daemon" on the uplink is
 * not hidden behind lo's "not a port lldpd listens on". */
static void reason_take(struct coll_host *h, const kagent_v1_Nic *n)
{
	if (n == NULL || h->lldp_reason[0] || n->lldp_reason[0] == '\0')
		return;
	snprintf(h->lldp_reason, sizeof h->lldp_reason, "%s: %s", n->name,
		 n->lldp_reason);
}

static int cmp_switch(const void *a, const void *b)
{
	return strcmp(a, b);
}

void coll_host_switches(const kagent_v1_Report *r, const struct proto_lists *l,
			struct coll_host *h)
{
	const kagent_v1_Nic *up, *v;
	size_t i, j;

	h->n_switches = 0;
	h->lldp_reason[0] = '\0';
	if (l == NULL || l->nics.n == 0) {
		snprintf(h->lldp_reason, sizeof h->lldp_reason,
			 "the report lists no NIC");
		return;
	}
	v = l->nics.v;
	up = nic_find(l, r->inventory.default_route_nic);
	if (up != NULL) {
		switch_add(h, up);
		for (j = 0; j < up->bond_members_count; j++)
			switch_add(h, nic_find(l, up->bond_members[j]));
	}
	if (h->n_switches == 0)
		for (i = 0; i < l->nics.n; i++)
			switch_add(h, &v[i]);
	if (h->n_switches) {
		qsort(h->switches, h->n_switches, sizeof h->switches[0],
		      cmp_switch);
		return;
	}
	if (up != NULL) {
		for (j = 0; j < up->bond_members_count; j++)
			reason_take(h, nic_find(l, up->bond_members[j]));
		reason_take(h, up);
	}
	for (i = 0; i < l->nics.n; i++)
		if (v[i].lldp_state != kagent_v1_LldpState_LLDP_STATE_UNKNOWN)
			reason_take(h, &v[i]);
	for (i = 0; i < l->nics.n; i++)
		reason_take(h, &v[i]);
	if (h->lldp_reason[0] == '\0')
		snprintf(h->lldp_reason, sizeof h->lldp_reason,
			 "the agent reports no LLDP (older than LLDP support)");
}
