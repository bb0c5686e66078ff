/* The health of the host itself, whatever its role: links that came up
 * slower than they can, failing disks, hot boards. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

#define ROLE_NICS_MAX (2 * HW_NIC_MEMBERS_MAX)

/* One port: the speed it negotiated against the best mode both ends
 * advertise.  That best mode comes from ethtool's link modes on the live
 * host only; a captured tree, and a veth pair (no link modes at all),
 * leave it unknown. */
static void downshift_one(const struct hw_nic *n, const char *why,
			  struct check_results *out)
{
	char m[32], r[40], best[32];

	if (!n->max_speed_mbps.known) {
		check_add(out, "nic.downshift", n->name, SEV_UNKNOWN, "", "",
			  "%s: the speeds both ends support are unknown (no "
			  "link modes from ethtool: a virtual NIC, or not the "
			  "live host) (%s)",
			  n->name, why);
		return;
	}
	check_fmt_mbps(best, sizeof best, n->max_speed_mbps.v);
	snprintf(r, sizeof r, "%s", best);
	if (!n->speed_mbps.known) {
		check_add(out, "nic.downshift", n->name, SEV_UNKNOWN, "", r,
			  "%s reports no negotiated speed (no carrier?)",
			  n->name);
		return;
	}
	check_fmt_mbps(m, sizeof m, n->speed_mbps.v);
	if (n->speed_mbps.v < n->max_speed_mbps.v)
		check_add(
		    out, "nic.downshift", n->name, SEV_WARN, m, r,
		    "%s negotiated %s although both ends support %s: check the "
		    "cable, the switch port and forced speed settings",
		    n->name, m, best);
	else
		check_add(out, "nic.downshift", n->name, SEV_PASS, m, r,
			  "%s (%s)", n->name, why);
}

static bool seen(const struct hw_nic **v, size_t n, const struct hw_nic *x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* The ports under the role's interface: a bond's members each negotiate
 * their own link; the bond itself has none. */
static void check_downshift(const struct facts *f, struct check_results *out)
{
	const struct {
		unsigned role;
		const struct hw_nic *nic;
		const char *why, *error;
	} roles[] = {
	    {CONF_ROLE_KAFKA, f->kafka_nic, f->kafka_nic_why,
	     f->kafka ? NULL : f->kafka_error},
	    {CONF_ROLE_ZOOKEEPER, f->zk_nic, f->zk_nic_why,
	     f->zk ? NULL : f->zk_error},
	};
	const struct hw_nic *done[ROLE_NICS_MAX];
	size_t i, j, n = 0;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		const struct hw_nic *nic = roles[i].nic;

		if (!(f->roles & roles[i].role))
			continue;
		if (roles[i].error || nic == NULL) {
			check_add(
			    out, "nic.downshift", NULL, SEV_UNKNOWN, "", "",
			    "%s traffic: %s", conf_roles_name(roles[i].role),
			    roles[i].error ? roles[i].error : roles[i].why);
			continue;
		}
		if (!nic->bond) {
			if (!seen(done, n, nic) && n < ROLE_NICS_MAX) {
				done[n++] = nic;
				downshift_one(nic, roles[i].why, out);
			}
			continue;
		}
		for (j = 0; j < nic->n_members; j++) {
			const struct hw_nic *m =
			    hw_nics_find(&f->inv.nics, nic->members[j]);

			if (m == NULL) {
				check_add(out, "nic.downshift", nic->members[j],
					  SEV_UNKNOWN, "", "",
					  "%s lists member %s, which has no "
					  "sys/class/net entry",
					  nic->name, nic->members[j]);
			} else if (!seen(done, n, m) && n < ROLE_NICS_MAX) {
				done[n++] = m;
				downshift_one(m, roles[i].why, out);
			}
		}
	}
}

const struct check_def checks_health[] = {
    {"nic.downshift", CONF_ROLE_KAFKA | CONF_ROLE_ZOOKEEPER, check_downshift,
     "warn when the role's NIC negotiated less than both ends support"},
};
const size_t checks_health_len = sizeof checks_health / sizeof checks_health[0];
