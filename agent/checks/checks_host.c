/* What the ZooKeeper and Kafka sizing checks share: the memory figure a
 * host is judged by, and the speed of the interface carrying a role's
 * traffic. */
#include <inttypes.h>
#include <stdio.h>

#include "checks.h"

void checks_memory_of(const struct facts *f, struct checks_memory *m)
{
	const struct hw_memory *mem = &f->inv.memory;

	m->known = true;
	m->installed = mem->installed_bytes.known;
	if (mem->installed_bytes.known)
		m->bytes = mem->installed_bytes.v;
	else if (mem->total_bytes.known)
		m->bytes = mem->total_bytes.v;
	else
		m->known = false;
}

/* MemTotal leaves out what firmware and the kernel's own image keep, so a
 * 4 GiB host shows about 3.8 GiB: lower the bar by the tolerance rather
 * than call every host a size smaller than it is. */
static int64_t memtotal_limit(int64_t limit, int64_t tolerance_pct)
{
	if (tolerance_pct <= 0 || tolerance_pct >= 100)
		return limit;
	return limit / 100 * (100 - tolerance_pct) +
	       limit % 100 * (100 - tolerance_pct) / 100;
}

int64_t checks_memory_limit(const struct checks_memory *m, int64_t limit,
			    int64_t tolerance_pct)
{
	return m->installed ? limit : memtotal_limit(limit, tolerance_pct);
}

bool checks_memory_below(const struct checks_memory *m, int64_t limit,
			 int64_t tolerance_pct)
{
	return m->bytes < checks_memory_limit(m, limit, tolerance_pct);
}

void checks_memory_fmt(const struct checks_memory *m, char *buf, size_t len)
{
	char b[32];

	check_fmt_bytes(b, sizeof b, m->bytes, 0);
	snprintf(buf, len, "%s %s", b, m->installed ? "installed" : "MemTotal");
}

void checks_memory_required(const struct checks_memory *m, int64_t limit,
			    int64_t tolerance_pct, char *buf, size_t len)
{
	char a[32], b[32];

	check_fmt_bytes(a, sizeof a, limit, 0);
	if (m->installed || !m->known) {
		snprintf(buf, len, ">= %s", a);
		return;
	}
	check_fmt_bytes(b, sizeof b, memtotal_limit(limit, tolerance_pct), 0);
	snprintf(buf, len, ">= %s (MemTotal >= %s)", a, b);
}

void checks_nic_speed(const char *id, const struct hw_nic *nic, const char *why,
		      const char *role_error, int64_t fail_below,
		      struct check_results *out)
{
	char m[32], r[32];

	check_fmt_mbps(m, sizeof m, fail_below);
	snprintf(r, sizeof r, ">= %s", m);
	if (role_error) {
		check_add(out, id, NULL, SEV_UNKNOWN, "", r,
			  "cannot tell which interface carries the traffic: %s",
			  role_error);
		return;
	}
	if (nic == NULL) {
		check_add(out, id, NULL, SEV_UNKNOWN, "", r,
			  "no interface found for the role's traffic: %s", why);
		return;
	}
	if (!nic->speed_mbps.known) {
		check_add(out, id, nic->name, SEV_UNKNOWN, "", r,
			  "%s reports no link speed (no carrier, or a virtual "
			  "interface); %s",
			  nic->name, why);
		return;
	}
	check_fmt_mbps(m, sizeof m, nic->speed_mbps.v);
	if (nic->speed_mbps.v < fail_below)
		check_add(out, id, nic->name, SEV_FAIL, m, r,
			  "%s (%s) runs at %s; move the traffic to a faster "
			  "interface or upgrade the link",
			  nic->name, why, m);
	else
		check_add(out, id, nic->name, SEV_PASS, m, r, "%s (%s)",
			  nic->name, why);
}

size_t checks_logdir_disks(const struct facts *f, const struct hw_disk **v,
			   size_t cap)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < f->n_logdirs; i++)
		for (j = 0; j < f->logdirs[i].n_disks; j++) {
			const struct hw_disk *d = f->logdirs[i].disks[j];

			for (k = 0; k < n && v[k] != d; k++)
				;
			if (k == n && n < cap)
				v[n++] = d;
		}
	return n;
}
