/* SPDX-License-Identifier: Apache-2.0 */
/* How the members of one role spread over failure domains, for the
 * placement checks of the ensemble and of the Kafka cluster (fleet.c).
 *
 * The members are sorted by domain and the runs counted: comparing every
 * member with every other took about a second for a cluster of 10 000
 * hosts, a second the judge held the loop and every ack behind it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_int.h"

/* With neither configured, the switch LLDP names is the rack's stand-in:
 * hosts on one top-of-rack switch share its power and its uplinks.  A host
 * on a pair of switches counts under the first name, which its rack
 * neighbours on the same pair share. */
static const char *host_domain(const struct coll_host *h, const char **kind)
{
	const char *d = fleet_conf_domain(h, kind);

	if (d == NULL && h->n_switches) {
		*kind = "switch";
		d = h->switches[0];
	}
	return d;
}

struct member {
	const char *domain;
	const char *kind;
	size_t at; /* index in the view: the first member names the kind */
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int d = strcmp(x->domain, y->domain);

	if (d != 0)
		return d;
	return (x->at > y->at) - (x->at < y->at);
}

int fleet_placement(const struct fleet_view *v, unsigned role,
		    struct placement *p)
{
	struct member *m = malloc((v->n + 1) * sizeof *m);
	size_t i, j, n = 0, top_at = 0;

	memset(p, 0, sizeof *p);
	if (m == NULL)
		return -ENOMEM;
	for (i = 0; i < v->n; i++) {
		const struct coll_host *h = &v->hosts[i];

		if (!coll_host_in(h, v->cluster, role))
			continue;
		p->members++;
		m[n].domain = host_domain(h, &m[n].kind);
		if (m[n].domain == NULL) {
			p->unknown++;
			fleet_names_add(p->unknown_names,
					sizeof p->unknown_names, h->host_id);
			continue;
		}
		m[n].at = i;
		n++;
	}
	if (n > 0)
		qsort(m, n, sizeof *m, member_cmp);
	/* One run per domain; the most members wins, and of as many the
	 * domain met first in the view, with the kind its first member
	 * gave. */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(m[j].domain, m[i].domain) == 0;
		     j++)
			;
		p->domains++;
		if (j - i > p->top_count ||
		    (j - i == p->top_count && m[i].at < top_at)) {
			p->top_count = j - i;
			p->top = m[i].domain;
			p->top_kind = m[i].kind;
			top_at = m[i].at;
		}
	}
	free(m);
	return 0;
}
