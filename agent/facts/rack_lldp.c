/*
 * [host] rack = lldp: the rack named by the switch the host hangs from.
 *
 * Switches are named after their rack (r12-tor-a, rack12-sw1.dc1), so a
 * pattern's capture group over the switch's LLDP System Name gives the rack
 * without anyone typing it per host.  The switch is the one the collector
 * counts for the host (collector/host_lldp.c): the default route's NIC or
 * its bond members, else any NIC with a neighbour; of several, the first
 * name in byte order, so the two ports of a bond over a switch pair give
 * one rack whichever answered first.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"

static void pick(const struct hw_nic *n, const char **best)
{
	if (n == NULL || n->lldp.state != HW_LLDP_NEIGHBOUR ||
	    n->lldp.sysname[0] == '\0')
		return;
	if (*best == NULL || strcmp(n->lldp.sysname, *best) < 0)
		*best = n->lldp.sysname;
}

/* The uplink's switch name, or NULL with why set. */
static const char *uplink_switch(const struct hw_nics *nics, char *why,
				 size_t whylen)
{
	const struct hw_nic *up = NULL;
	const char *best = NULL;
	size_t i;

	if (nics->default_route[0])
		up = hw_nics_find(nics, nics->default_route);
	if (up != NULL) {
		pick(up, &best);
		for (i = 0; i < up->n_members; i++)
			pick(hw_nics_find(nics, up->members[i]), &best);
	}
	for (i = 0; best == NULL && i < nics->n; i++)
		pick(&nics->v[i], &best);
	if (best != NULL)
		return best;
	if (up != NULL && up->lldp.reason[0])
		snprintf(why, whylen, "no switch on %s: %s", up->name,
			 up->lldp.reason);
	else if (nics->n && nics->v[0].lldp.reason[0])
		snprintf(why, whylen, "no switch: %s", nics->v[0].lldp.reason);
	else
		snprintf(why, whylen,
			 "no switch: no NIC has an LLDP neighbour");
	return NULL;
}

static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t k;

	while (*p) {
		if ((k = core_utf8_decode(p, &cp)) == 0)
			return false;
		p += k;
	}
	return true;
}

int facts_rack_lldp(const char *pattern, const struct hw_nics *nics, char *rack,
		    size_t len, char *why, size_t whylen)
{
	const char *sw;
	regmatch_t m[2];
	regex_t re;
	size_t n;
	int r;

	rack[0] = '\0';
	sw = uplink_switch(nics, why, whylen);
	if (sw == NULL)
		return -ENOENT;
	/* conf.c compiled it once already; failing here is a pattern that
	 * did not come through conf_parse. */
	r = regcomp(&re, pattern, REG_EXTENDED);
	if (r != 0 || re.re_nsub != 1) {
		if (r == 0)
			regfree(&re);
		snprintf(why, whylen, "rack_pattern '%s' is not valid",
			 pattern);
		return -EINVAL;
	}
	r = regexec(&re, sw, 2, m, 0);
	regfree(&re);
	if (r != 0 || m[1].rm_so < 0 || m[1].rm_eo == m[1].rm_so) {
		snprintf(why, whylen,
			 "switch %s does not match rack_pattern '%s'", sw,
			 pattern);
		return -ENOENT;
	}
	n = (size_t)(m[1].rm_eo - m[1].rm_so);
	if (n >= len) {
		snprintf(why, whylen,
			 "rack from switch %s longer than %zu bytes", sw,
			 len - 1);
		return -ENAMETOOLONG;
	}
	memcpy(rack, sw + m[1].rm_so, n);
	rack[n] = '\0';
	/* A group may end inside a multi-byte character. */
	if (!utf8_ok(rack)) {
		rack[0] = '\0';
		snprintf(why, whylen,
			 "rack_pattern cuts a character of switch %s", sw);
		return -EILSEQ;
	}
	return 0;
}
