/* Facts of hw/ and board/ into kagent.proto messages, through
 * proto_str_set and proto_num_set (report.c); what does not fit is
 * counted. */
#include <errno.h>
#include <string.h>

#include "proto_fill.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void bool_set(struct hw_num n, bool *has, bool *v)
{
	*has = n.known;
	*v = n.known && n.v != 0;
}

static void value_set(struct board_value x, bool *has, double *v)
{
	*has = x.known;
	*v = x.known ? x.v : 0;
}

/* How many of n items fit in max; the rest count as clipped. */
static size_t fit(size_t n, size_t max, unsigned *clipped)
{
	if (n <= max)
		return n;
	*clipped += (unsigned)(n - max);
	return max;
}

unsigned proto_fill_cpu(const struct hw_cpu *c, kagent_v1_Cpu *out)
{
	memset(out, 0, sizeof *out);
	proto_num_set(c->sockets, &out->has_sockets, &out->sockets);
	proto_num_set(c->cores, &out->has_cores, &out->cores);
	proto_num_set(c->threads_per_core, &out->has_threads_per_core,
		      &out->threads_per_core);
	proto_num_set(c->logical, &out->has_logical, &out->logical);
	proto_num_set(c->online, &out->has_online, &out->online);
	proto_num_set(c->max_mhz, &out->has_max_mhz, &out->max_mhz);
	return proto_str_set(out->model, sizeof out->model, c->model);
}

unsigned proto_fill_memory(const struct hw_memory *m, kagent_v1_Memory *out)
{
	memset(out, 0, sizeof *out);
	proto_num_set(m->total_bytes, &out->has_total_bytes, &out->total_bytes);
	proto_num_set(m->available_bytes, &out->has_available_bytes,
		      &out->available_bytes);
	proto_num_set(m->installed_bytes, &out->has_installed_bytes,
		      &out->installed_bytes);
	return 0;
}

static kagent_v1_LldpState lldp_state(enum hw_lldp_state s)
{
	switch (s) {
	case HW_LLDP_NO_DAEMON:
		return kagent_v1_LldpState_LLDP_STATE_NO_DAEMON;
	case HW_LLDP_NO_NEIGHBOUR:
		return kagent_v1_LldpState_LLDP_STATE_NO_NEIGHBOUR;
	case HW_LLDP_NEIGHBOUR:
		return kagent_v1_LldpState_LLDP_STATE_NEIGHBOUR;
	default:
		return kagent_v1_LldpState_LLDP_STATE_UNKNOWN;
	}
}

unsigned proto_fill_nic(const struct hw_nic *n, kagent_v1_Nic *out)
{
	unsigned c = 0;
	size_t i, k;

	memset(out, 0, sizeof *out);
	c += proto_str_set(out->name, sizeof out->name, n->name);
	c += proto_str_set(out->mac, sizeof out->mac, n->mac);
	c += proto_str_set(out->operstate, sizeof out->operstate, n->operstate);
	bool_set(n->carrier, &out->has_carrier, &out->carrier);
	proto_num_set(n->speed_mbps, &out->has_speed_mbps, &out->speed_mbps);
	proto_num_set(n->max_speed_mbps, &out->has_max_speed_mbps,
		      &out->max_speed_mbps);
	c += proto_str_set(out->duplex, sizeof out->duplex, n->duplex);
	proto_num_set(n->mtu, &out->has_mtu, &out->mtu);
	c += proto_str_set(out->driver, sizeof out->driver, n->driver);
	out->virtual = n->virtual;
	out->bond = n->bond;
	k = fit(n->n_members, NELEM(out->bond_members), &c);
	for (i = 0; i < k; i++)
		c += proto_str_set(out->bond_members[i],
				   sizeof out->bond_members[i], n->members[i]);
	out->bond_members_count = (pb_size_t)k;
	k = fit(n->n_addrs, NELEM(out->addresses), &c);
	for (i = 0; i < k; i++)
		c += proto_str_set(out->addresses[i], sizeof out->addresses[i],
				   n->addrs[i]);
	out->addresses_count = (pb_size_t)k;
	out->lldp_state = lldp_state(n->lldp.state);
	c += proto_str_set(out->lldp_reason, sizeof out->lldp_reason,
			   n->lldp.reason);
	c += proto_str_set(out->lldp_switch, sizeof out->lldp_switch,
			   n->lldp.sysname);
	c += proto_str_set(out->lldp_chassis_id, sizeof out->lldp_chassis_id,
			   n->lldp.chassis_id);
	c += proto_str_set(out->lldp_port_id, sizeof out->lldp_port_id,
			   n->lldp.port_id);
	c += proto_str_set(out->lldp_port_description,
			   sizeof out->lldp_port_description,
			   n->lldp.port_descr);
	c += proto_str_set(out->lldp_management_address,
			   sizeof out->lldp_management_address,
			   n->lldp.mgmt_addr);
	return c;
}

static kagent_v1_DiskKind disk_kind(enum hw_disk_kind k)
{
	switch (k) {
	case HW_DISK_MD:
		return kagent_v1_DiskKind_DISK_KIND_MD;
	case HW_DISK_DM:
		return kagent_v1_DiskKind_DISK_KIND_DM;
	default:
		return kagent_v1_DiskKind_DISK_KIND_PHYSICAL;
	}
}

unsigned proto_fill_disk(const struct hw_disk *d, kagent_v1_Disk *out)
{
	unsigned c = 0;
	size_t i, k;

	memset(out, 0, sizeof *out);
	c += proto_str_set(out->name, sizeof out->name, d->name);
	out->kind = disk_kind(d->kind);
	c += proto_str_set(out->dm_name, sizeof out->dm_name, d->dm_name);
	c += proto_str_set(out->level, sizeof out->level, d->level);
	proto_num_set(d->size_bytes, &out->has_size_bytes, &out->size_bytes);
	bool_set(d->rotational, &out->has_rotational, &out->rotational);
	c += proto_str_set(out->model, sizeof out->model, d->model);
	c += proto_str_set(out->vendor, sizeof out->vendor, d->vendor);
	c += proto_str_set(out->serial, sizeof out->serial, d->serial);
	c += proto_str_set(out->transport, sizeof out->transport, d->transport);
	proto_num_set(d->logical_sector, &out->has_logical_sector,
		      &out->logical_sector);
	proto_num_set(d->physical_sector, &out->has_physical_sector,
		      &out->physical_sector);
	k = fit(d->n_members, NELEM(out->members), &c);
	for (i = 0; i < k; i++)
		c += proto_str_set(out->members[i], sizeof out->members[i],
				   d->members[i]);
	out->members_count = (pb_size_t)k;
	k = fit(d->n_mounts, NELEM(out->mounts), &c);
	for (i = 0; i < k; i++) {
		kagent_v1_Mount *m = &out->mounts[i];

		c += proto_str_set(m->path, sizeof m->path, d->mounts[i].path);
		c += proto_str_set(m->fstype, sizeof m->fstype,
				   d->mounts[i].fstype);
		c += proto_str_set(m->source, sizeof m->source,
				   d->mounts[i].source);
	}
	out->mounts_count = (pb_size_t)k;
	return c;
}

int proto_fill_inventory(const struct hw_cpu *cpu, const struct hw_memory *mem,
			 const struct hw_nics *nics,
			 const struct hw_disks *disks, kagent_v1_Inventory *out,
			 struct proto_lists *l, unsigned *clipped)
{
	unsigned c = 0;
	void *item;
	size_t i;
	int r = 0;

	/* Keeps the list callbacks proto_report_bind may have set. */
	out->has_cpu = true;
	c += proto_fill_cpu(cpu, &out->cpu);
	out->has_memory = true;
	c += proto_fill_memory(mem, &out->memory);
	for (i = 0; i < nics->n; i++) {
		r = proto_list_add(&l->nics, &item);
		if (r == -ENOSPC) {
			c += (unsigned)(nics->n - i);
			break;
		}
		if (r < 0)
			goto out;
		c += proto_fill_nic(&nics->v[i], item);
	}
	for (i = 0; i < disks->n; i++) {
		r = proto_list_add(&l->disks, &item);
		if (r == -ENOSPC) {
			c += (unsigned)(disks->n - i);
			break;
		}
		if (r < 0)
			goto out;
		c += proto_fill_disk(&disks->v[i], item);
	}
	r = 0;
	c += proto_str_set(out->default_route_nic,
			   sizeof out->default_route_nic, nics->default_route);
out:
	*clipped += c;
	return r;
}

unsigned proto_fill_ata_health(const struct hw_ata_smart *s,
			       kagent_v1_Health *out)
{
	size_t i;

	memset(out, 0, sizeof *out);
	if (s->asleep)
		return 0;
	proto_num_set(s->temperature_c, &out->has_temperature_c,
		      &out->temperature_c);
	proto_num_set(s->power_on_hours, &out->has_power_on_hours,
		      &out->power_on_hours);
	proto_num_set(s->bad_sectors, &out->has_bad_sectors, &out->bad_sectors);
	proto_num_set(s->power_cycles, &out->has_power_cycles,
		      &out->power_cycles);
	/* libatasmart's sector reading of each attribute (health.c says why
	 * not the raw bytes); an attribute the disk lacks stays unknown. */
	for (i = 0; i < s->n_attrs; i++) {
		const struct hw_ata_attr *a = &s->attrs[i];

		if (a->id == 5)
			proto_num_set(a->sectors, &out->has_reallocated_sectors,
				      &out->reallocated_sectors);
		else if (a->id == 197)
			proto_num_set(a->sectors, &out->has_pending_sectors,
				      &out->pending_sectors);
		else if (a->id == 198)
			proto_num_set(a->sectors,
				      &out->has_uncorrectable_sectors,
				      &out->uncorrectable_sectors);
	}
	return proto_str_set(out->firmware, sizeof out->firmware, s->firmware);
}

void proto_fill_nvme_health(const struct hw_nvme_health *h,
			    kagent_v1_Health *out)
{
	memset(out, 0, sizeof *out);
	proto_num_set(h->temperature_c, &out->has_temperature_c,
		      &out->temperature_c);
	proto_num_set(h->power_on_hours, &out->has_power_on_hours,
		      &out->power_on_hours);
	proto_num_set(h->power_cycles, &out->has_power_cycles,
		      &out->power_cycles);
	proto_num_set(h->percentage_used, &out->has_percentage_used,
		      &out->percentage_used);
	proto_num_set(h->media_errors, &out->has_media_errors,
		      &out->media_errors);
	proto_num_set(h->available_spare, &out->has_available_spare,
		      &out->available_spare);
}

void proto_fill_smartctl_health(const struct hw_smartctl *s,
				kagent_v1_Health *out)
{
	static const int ids[] = {5, 197, 198};
	const struct hw_smartctl_attr *a;
	size_t i;

	if (s->has_nvme) {
		proto_fill_nvme_health(&s->nvme, out);
		return;
	}
	memset(out, 0, sizeof *out);
	proto_num_set(s->temperature_c, &out->has_temperature_c,
		      &out->temperature_c);
	proto_num_set(s->power_on_hours, &out->has_power_on_hours,
		      &out->power_on_hours);
	proto_num_set(s->power_cycles, &out->has_power_cycles,
		      &out->power_cycles);
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		a = hw_smartctl_attr_find(s, ids[i]);
		if (a == NULL)
			continue;
		if (ids[i] == 5)
			proto_num_set(a->raw, &out->has_reallocated_sectors,
				      &out->reallocated_sectors);
		else if (ids[i] == 197)
			proto_num_set(a->raw, &out->has_pending_sectors,
				      &out->pending_sectors);
		else
			proto_num_set(a->raw, &out->has_uncorrectable_sectors,
				      &out->uncorrectable_sectors);
	}
}

unsigned proto_fill_board(const struct board_dmi *d, kagent_v1_Board *out)
{
	/* Same order as enum board_dmi_field. */
	char *const dst[BOARD_DMI_NFIELDS] = {
	    out->vendor,	  out->product,
	    out->product_version, out->serial,
	    out->board_vendor,	  out->board_name,
	    out->bios_vendor,	  out->bios_version,
	    out->bios_date,	  out->chassis_asset_tag,
	    out->chassis_serial,
	};
	unsigned c = 0;
	int f;

	_Static_assert(sizeof out->vendor == sizeof out->chassis_serial,
		       "Board strings share one bound");
	_Static_assert(BOARD_DMI_NFIELDS <= NELEM(out->needs_root),
		       "needs_root holds every DMI field");
	memset(out, 0, sizeof *out);
	for (f = 0; f < BOARD_DMI_NFIELDS; f++) {
		c += proto_str_set(dst[f], sizeof out->vendor,
				   board_dmi_field_value(d, f));
		if (d->needs_root & (1u << f))
			c += proto_str_set(
			    out->needs_root[out->needs_root_count++],
			    sizeof out->needs_root[0], board_dmi_field_name(f));
	}
	return c;
}

static kagent_v1_SensorKind sensor_kind(enum board_sensor_kind k)
{
	switch (k) {
	case BOARD_SENSOR_FAN:
		return kagent_v1_SensorKind_SENSOR_KIND_FAN;
	case BOARD_SENSOR_VOLTAGE:
		return kagent_v1_SensorKind_SENSOR_KIND_VOLTAGE;
	case BOARD_SENSOR_CURRENT:
		return kagent_v1_SensorKind_SENSOR_KIND_CURRENT;
	case BOARD_SENSOR_POWER:
		return kagent_v1_SensorKind_SENSOR_KIND_POWER;
	case BOARD_SENSOR_INTRUSION:
		return kagent_v1_SensorKind_SENSOR_KIND_INTRUSION;
	default:
		return kagent_v1_SensorKind_SENSOR_KIND_TEMP;
	}
}

unsigned proto_fill_sensor(const struct board_sensor *s, kagent_v1_Sensor *out)
{
	unsigned c = 0;

	memset(out, 0, sizeof *out);
	c += proto_str_set(out->chip, sizeof out->chip, s->chip);
	c += proto_str_set(out->label, sizeof out->label, s->label);
	out->kind = sensor_kind(s->kind);
	value_set(s->value, &out->has_value, &out->value);
	value_set(s->min, &out->has_min, &out->min);
	value_set(s->max, &out->has_max, &out->max);
	value_set(s->crit, &out->has_crit, &out->crit);
	out->has_alarm = s->alarm.known;
	out->alarm = s->alarm.known && s->alarm.v != 0;
	out->fault = s->fault;
	return c;
}
