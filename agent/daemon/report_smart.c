/* SPDX-License-Identifier: Apache-2.0 */
/* The SMART refresh job (report_job_int.h): each physical disk's SMART or
 * NVMe health read again on its own, slower timer, kept for the reports
 * that follow; the facts cache and the sensor chips are read again with
 * it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "facts_cache.h"
#include "nvme.h"
#include "report_job_int.h"

static bool smart_candidate(const struct hw_disk *d)
{
	static const char *const skip[] = {"loop", "sr", "ram", "zram", "nbd"};
	size_t i;

	if (d->kind != HW_DISK_PHYSICAL)
		return false;
	for (i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (!strncmp(d->name, skip[i], strlen(skip[i])))
			return false;
	return true;
}

static void smart_one(struct report_job *p, const struct hw_disk *d,
		      struct report_smart *s)
{
	struct hw_err err = {{0}};
	char node[64];

	memset(s, 0, sizeof *s);
	s->health.verdict = SEV_UNKNOWN;
	snprintf(s->disk, sizeof s->disk, "%s", d->name);
	if (!p->live) {
		snprintf(s->health.reason, sizeof s->health.reason,
			 "SMART is read from the live host's devices only");
		return;
	}
	if (!strncmp(d->name, "nvme", 4)) {
		struct hw_nvme_health nh;
		size_t n = strcspn(d->name + 4, "n") + 4;

		snprintf(node, sizeof node, "/dev/%.*s", (int)n, d->name);
		if (hw_nvme_health_read(node, &nh, &err) == 0) {
			s->nvme_known = true;
			s->nvme = nh;
			health_from_nvme(&nh, &s->health);
		} else
			snprintf(s->health.reason, sizeof s->health.reason,
				 "%s", err.msg);
		return;
	}
	snprintf(node, sizeof node, "/dev/%s", d->name);
	if (hw_ata_smart_read(node, &s->ata, &err) == 0) {
		s->ata_known = true;
		health_from_ata(&s->ata, &s->health);
	} else {
		snprintf(s->health.reason, sizeof s->health.reason, "%s",
			 err.msg);
	}
}

int report_job_smart(struct report_job *p)
{
	struct hw_err err = {{0}};
	struct hw_disks disks = {0};
	struct report_smart *v;
	size_t i, n = 0;
	int r;

	r = hw_disks_probe(p->root, &disks, &err);
	if (r < 0)
		return report_job_reply_error(p, JOB_SMART_REFRESH, r, err.msg);
	v = calloc(disks.n ? disks.n : 1, sizeof *v);
	if (v == NULL) {
		hw_disks_free(&disks);
		return report_job_reply_error(p, JOB_SMART_REFRESH, -ENOMEM,
				   "out of memory");
	}
	for (i = 0; i < disks.n; i++)
		if (smart_candidate(&disks.v[i]))
			smart_one(p, &disks.v[i], &v[n++]);
	hw_disks_free(&disks);
	free(p->smart);
	p->smart = v;
	p->n_smart = n;
	/* The checks' disk health and the sensor chips are read again with
	 * SMART, not every report. */
	facts_cache_invalidate(&p->facts);
	report_job_sensors_reopen(p);
	return report_job_reply(p, JOB_SMART_REFRESH, 0, NULL, 0);
}
