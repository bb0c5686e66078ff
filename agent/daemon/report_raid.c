/* SPDX-License-Identifier: Apache-2.0 */
/* The disks behind RAID controllers, under their logical disk in the
 * report: the verdict is the agent's (health_raid.c), the facts
 * smartctl's. */
#include <string.h>

#include "daemon.h"
#include "health_raid.h"
#include "proto_fill.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* proto.h's PROTO_DISK_BARE_SIZE counts 16 members a disk. */
_Static_assert(NELEM(((kagent_v1_Disk *)0)->raid_members) == 16,
	       "kagent.options' Disk.raid_members max_count is 16");

static unsigned fill_member(const struct disk_raid_member *m,
			    kagent_v1_RaidMember *o)
{
	const struct disk_health *h = &m->smart.health;
	unsigned c = 0;

	memset(o, 0, sizeof *o);
	c += proto_str_set(o->device_type, sizeof o->device_type, m->type);
	c += proto_str_set(o->path, sizeof o->path, m->node);
	c += proto_str_set(o->model, sizeof o->model, disk_raid_model(m));
	c += proto_str_set(o->serial, sizeof o->serial, disk_raid_serial(m));
	o->has_health = true;
	if (m->smart.source == DISK_SRC_SMARTCTL)
		proto_fill_smartctl_health(&m->smart.facts.smartctl,
					   &o->health);
	o->health.verdict = proto_sev_to_wire(h->verdict);
	c += proto_str_set(o->health.reason, sizeof o->health.reason,
			   h->reason);
	c += proto_str_set(o->health.source, sizeof o->health.source,
			   h->source);
	return c;
}

unsigned report_fill_raid(const struct facts *f, struct proto_list *disks)
{
	const struct disk_raid *r = f->inv.raid;
	kagent_v1_Disk *d = disks->v;
	unsigned clipped = 0;
	size_t i, k;

	for (k = 0; r != NULL && k < r->n; k++) {
		const struct disk_raid_member *m = &r->v[k];
		const char *name = f->inv.disks.v[m->disk].name;

		/* The frame's bound counts this many members (proto.h). */
		if (k >= PROTO_RAID_MEMBERS_MAX) {
			clipped += (unsigned)(r->n - k);
			break;
		}
		for (i = 0; i < disks->n; i++) {
			if (strcmp(d[i].name, name) != 0)
				continue;
			if (d[i].raid_members_count >=
			    NELEM(d[i].raid_members)) {
				clipped++;
				break;
			}
			clipped += fill_member(
			    m, &d[i].raid_members[d[i].raid_members_count++]);
			break;
		}
	}
	return clipped;
}
