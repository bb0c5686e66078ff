/* The inventory as JSON.  Field names are an interface: checks, scripts
 * and the README rely on them.  Unknown values are null, never 0 or -1. */
#include <errno.h>

#include "agent.h"
#include "board_json.h"
#include "disk_health.h"
#include "health_raid.h"

static json_t *cpu_json(const struct hw_cpu *c)
{
	return json_pack(
	    "{s:o s:o s:o s:o s:o s:o s:o}", "model", core_json_str(c->model),
	    "sockets", core_json_num(c->sockets), "cores",
	    core_json_num(c->cores), "threads_per_core",
	    core_json_num(c->threads_per_core), "logical",
	    core_json_num(c->logical), "online", core_json_num(c->online),
	    "max_mhz", core_json_num(c->max_mhz));
}

static json_t *memory_json(const struct hw_memory *m)
{
	return json_pack("{s:o s:o s:o}", "total_bytes",
			 core_json_num(m->total_bytes), "available_bytes",
			 core_json_num(m->available_bytes), "installed_bytes",
			 core_json_num(m->installed_bytes));
}

static json_t *strv_json(const char (*v)[HW_IFNAME_MAX], size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* The state always, a reason unless a neighbour answered, the switch's
 * values null when it sent none: a missing name never reads as "". */
static json_t *lldp_json(const struct hw_lldp *l)
{
	bool nb = l->state == HW_LLDP_NEIGHBOUR;

	return json_pack("{s:s s:o s:o s:o s:o s:o s:o}", "state",
			 hw_lldp_state_name(l->state), "reason",
			 nb ? json_null() : core_json_str(l->reason), "switch",
			 core_json_str(l->sysname), "chassis_id",
			 core_json_str(l->chassis_id), "port_id",
			 core_json_str(l->port_id), "port_description",
			 core_json_str(l->port_descr), "management_address",
			 core_json_str(l->mgmt_addr));
}

static json_t *nic_json(const struct hw_nic *n)
{
	json_t *addrs = json_array();
	size_t i;

	for (i = 0; addrs && i < n->n_addrs; i++)
		json_array_append_new(addrs, json_string(n->addrs[i]));
	return json_pack(
	    "{s:s s:o s:o s:o s:o s:o s:o s:o s:o s:b s:b s:o s:o s:o}", "name",
	    n->name, "mac", core_json_str(n->mac), "operstate",
	    core_json_str(n->operstate), "carrier", core_json_bool(n->carrier),
	    "speed_mbps", core_json_num(n->speed_mbps), "max_speed_mbps",
	    core_json_num(n->max_speed_mbps), "duplex",
	    core_json_str(n->duplex), "mtu", core_json_num(n->mtu), "driver",
	    core_json_str(n->driver), "virtual", n->virtual, "bond", n->bond,
	    "bond_members", strv_json(n->members, n->n_members), "addresses",
	    addrs, "lldp", lldp_json(&n->lldp));
}

static json_t *mounts_json(const struct hw_mount *m, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a,
				      json_pack("{s:s s:s}", "path", m[i].path,
						"fstype", m[i].fstype));
	return a;
}

static const char *disk_kind_name(enum hw_disk_kind k)
{
	switch (k) {
	case HW_DISK_MD:
		return "md";
	case HW_DISK_DM:
		return "dm";
	default:
		return "disk";
	}
}

json_t *disk_health_to_json(const struct disk_health *h)
{
	return json_pack("{s:s s:o s:o}", "verdict",
			 check_severity_name(h->verdict), "reason",
			 core_json_str(h->reason), "source",
			 core_json_str(h->source));
}

static json_t *ata_attr_json(const struct hw_ata_attr *a)
{
	return json_pack("{s:i s:s s:o s:o s:o s:I s:b}", "id", a->id, "name",
			 a->name, "current", core_json_num(a->current),
			 "worst", core_json_num(a->worst), "threshold",
			 core_json_num(a->threshold), "raw",
			 (json_int_t)a->raw, "prefail", a->prefail);
}

json_t *disk_ata_to_json(const struct hw_ata_smart *s)
{
	json_t *attrs = json_array();
	size_t i;

	for (i = 0; attrs && i < s->n_attrs; i++)
		json_array_append_new(attrs, ata_attr_json(&s->attrs[i]));
	return json_pack(
	    "{s:o s:o s:o s:b s:o s:o s:o s:o s:o s:o}", "model",
	    core_json_str(s->model), "serial", core_json_str(s->serial),
	    "firmware", core_json_str(s->firmware), "asleep", s->asleep,
	    "overall",
	    s->overall == HW_ATA_OVERALL_UNKNOWN
		? json_null()
		: json_string(hw_ata_overall_name(s->overall)),
	    "bad_sectors", core_json_num(s->bad_sectors), "temperature_c",
	    core_json_num(s->temperature_c), "power_on_hours",
	    core_json_num(s->power_on_hours), "power_cycles",
	    core_json_num(s->power_cycles), "attributes", attrs);
}

json_t *disk_nvme_to_json(const struct hw_nvme_health *h)
{
	return json_pack(
	    "{s:i s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o}",
	    "critical_warning", h->critical_warning, "temperature_c",
	    core_json_num(h->temperature_c), "available_spare",
	    core_json_num(h->available_spare), "spare_threshold",
	    core_json_num(h->spare_threshold), "percentage_used",
	    core_json_num(h->percentage_used), "media_errors",
	    core_json_num(h->media_errors), "error_log_entries",
	    core_json_num(h->error_log_entries), "unsafe_shutdowns",
	    core_json_num(h->unsafe_shutdowns), "power_on_hours",
	    core_json_num(h->power_on_hours), "power_cycles",
	    core_json_num(h->power_cycles), "data_units_read",
	    core_json_num(h->data_units_read), "data_units_written",
	    core_json_num(h->data_units_written));
}

static json_t *smartctl_attr_json(const struct hw_smartctl_attr *a)
{
	return json_pack("{s:i s:s s:o s:o s:o s:o s:b s:o}", "id", a->id,
			 "name", a->name, "current", core_json_num(a->value),
			 "worst", core_json_num(a->worst), "threshold",
			 core_json_num(a->thresh), "raw",
			 core_json_num(a->raw), "prefail", a->prefail,
			 "when_failed", core_json_str(a->when_failed));
}

/* smart_status.scsi: only present when a SCSI disk reports trouble. */
static json_t *scsi_health_json(const struct hw_smartctl *s)
{
	if (s->scsi_ie_string[0] == '\0')
		return json_null();
	return json_pack("{s:s s:o s:o}", "ie_string", s->scsi_ie_string, "asc",
			 core_json_num(s->scsi_asc), "ascq",
			 core_json_num(s->scsi_ascq));
}

json_t *disk_smartctl_to_json(const struct hw_smartctl *s)
{
	json_t *attrs = json_array(), *msgs = json_array();
	size_t i;

	for (i = 0; attrs && i < s->n_attrs; i++)
		json_array_append_new(attrs, smartctl_attr_json(&s->attrs[i]));
	for (i = 0; msgs && i < s->n_messages; i++)
		json_array_append_new(msgs, json_string(s->messages[i]));
	return json_pack(
	    "{s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o "
	    "s:o s:o}",
	    "protocol", core_json_str(s->protocol), "device_type",
	    core_json_str(s->device_type), "model", core_json_str(s->model),
	    "serial", core_json_str(s->serial), "smart_status_passed",
	    core_json_bool(s->smart_status), "temperature_c",
	    core_json_num(s->temperature_c), "power_on_hours",
	    core_json_num(s->power_on_hours), "power_cycles",
	    core_json_num(s->power_cycles), "attributes", attrs, "nvme",
	    s->has_nvme ? disk_nvme_to_json(&s->nvme) : json_null(),
	    "scsi_grown_defect_list", core_json_num(s->scsi_grown_defects),
	    "scsi_health", scsi_health_json(s), "exit_status",
	    core_json_num(s->exit_status), "messages", msgs);
}

json_t *disk_smart_to_json(const struct disk_smart *s)
{
	switch (s->source) {
	case DISK_SRC_ATASMART:
		return disk_ata_to_json(&s->facts.ata);
	case DISK_SRC_NVME:
		return disk_nvme_to_json(&s->facts.nvme);
	case DISK_SRC_SMARTCTL:
		return disk_smartctl_to_json(&s->facts.smartctl);
	case DISK_SRC_NONE:
		break;
	}
	return json_null();
}

/* Volumes (md, dm) get no health of their own: their member disks, listed
 * in disks[], carry it.  smart is NULL only for them. */
static json_t *disk_json(const struct hw_disk *d,
			 const struct disk_smart *smart)
{
	json_t *members = json_array(), *o;
	size_t i;

	for (i = 0; members && i < d->n_members; i++)
		json_array_append_new(members, json_string(d->members[i]));
	o = json_pack(
	    "{s:s s:s s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o}", "name",
	    d->name, "kind", disk_kind_name(d->kind), "dm_name",
	    core_json_str(d->dm_name), "level", core_json_str(d->level),
	    "size_bytes", core_json_num(d->size_bytes), "rotational",
	    core_json_bool(d->rotational), "model", core_json_str(d->model),
	    "vendor", core_json_str(d->vendor), "serial",
	    core_json_str(d->serial), "transport",
	    core_json_str(d->transport), "logical_sector",
	    core_json_num(d->logical_sector), "physical_sector",
	    core_json_num(d->physical_sector), "members", members, "mounts",
	    mounts_json(d->mounts, d->n_mounts));
	if (o == NULL || smart == NULL)
		return o;
	if (json_object_set_new(o, "health",
				disk_health_to_json(&smart->health)) < 0 ||
	    json_object_set_new(o, "smart", disk_smart_to_json(smart)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *disk_raid_member_to_json(const struct disk_raid_member *m)
{
	return json_pack("{s:s s:s s:o s:o s:o s:o}", "device_type", m->type,
			 "path", m->node, "model",
			 core_json_str(disk_raid_model(m)), "serial",
			 core_json_str(disk_raid_serial(m)), "health",
			 disk_health_to_json(&m->smart.health), "smart",
			 disk_smart_to_json(&m->smart));
}

/* raid_members[] under the logical disk, only when it has some. */
static json_t *with_raid(json_t *o, const struct inventory *inv, size_t i)
{
	json_t *a = NULL;
	size_t k;

	for (k = 0; o && inv->raid && k < inv->raid->n; k++) {
		if (inv->raid->v[k].disk != i)
			continue;
		if (a == NULL &&
		    (a = json_array()) != NULL &&
		    json_object_set_new(o, "raid_members", a) < 0) {
			json_decref(o);
			return NULL;
		}
		if (a == NULL || json_array_append_new(
			    a, disk_raid_member_to_json(&inv->raid->v[k])) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *board_json(const struct inventory *inv)
{
	json_t *o = board_dmi_to_json(&inv->dmi);

	if (o != NULL && inv->dmi_error[0] != '\0' &&
	    json_object_set_new(o, "error", json_string(inv->dmi_error)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *inventory_to_json(const struct inventory *inv)
{
	json_t *nics = json_array(), *disks = json_array(),
	       *volumes = json_array();
	size_t i;

	for (i = 0; nics && i < inv->nics.n; i++)
		json_array_append_new(nics, nic_json(&inv->nics.v[i]));
	for (i = 0; disks && volumes && i < inv->disks.n; i++) {
		const struct hw_disk *d = &inv->disks.v[i];
		bool phys = d->kind == HW_DISK_PHYSICAL;

		json_array_append_new(
		    phys ? disks : volumes,
		    with_raid(disk_json(d, phys && inv->smart ? &inv->smart[i]
							      : NULL),
			      inv, i));
	}
	return json_pack(
	    "{s:o s:o s:o s:o s:o s:o s:o s:o s:o}", "cpu", cpu_json(&inv->cpu),
	    "memory", memory_json(&inv->memory), "nics", nics,
	    "default_route_nic", core_json_str(inv->nics.default_route),
	    "disks", disks, "volumes", volumes, "board", board_json(inv),
	    "sensors",
	    inv->sensors_known ? board_sensors_to_json(&inv->sensors)
			       : json_null(),
	    "sensors_error", core_json_str(inv->sensors_error));
}
