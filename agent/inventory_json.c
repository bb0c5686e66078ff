/* The inventory as JSON.  Field names are an interface: checks, scripts
 * and the README rely on them.  Unknown values are null, never 0 or -1. */
#include "agent.h"

json_t *agent_json_num(struct hw_num n)
{
	return n.known ? json_integer(n.v) : json_null();
}

json_t *agent_json_bool(struct hw_num n)
{
	return n.known ? json_boolean(n.v != 0) : json_null();
}

json_t *agent_json_str(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *cpu_json(const struct hw_cpu *c)
{
	return json_pack("{s:o s:o s:o s:o s:o s:o s:o}",
			 "model", agent_json_str(c->model),
			 "sockets", agent_json_num(c->sockets),
			 "cores", agent_json_num(c->cores),
			 "threads_per_core", agent_json_num(c->threads_per_core),
			 "logical", agent_json_num(c->logical),
			 "online", agent_json_num(c->online),
			 "max_mhz", agent_json_num(c->max_mhz));
}

static json_t *memory_json(const struct hw_memory *m)
{
	return json_pack("{s:o s:o s:o}",
			 "total_bytes", agent_json_num(m->total_bytes),
			 "available_bytes", agent_json_num(m->available_bytes),
			 "installed_bytes", agent_json_num(m->installed_bytes));
}

static json_t *strv_json(const char (*v)[HW_IFNAME_MAX], size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *nic_json(const struct hw_nic *n)
{
	json_t *addrs = json_array();
	size_t i;

	for (i = 0; addrs && i < n->n_addrs; i++)
		json_array_append_new(addrs, json_string(n->addrs[i]));
	return json_pack("{s:s s:o s:o s:o s:o s:o s:o s:o s:o s:b s:b s:o s:o}",
			 "name", n->name,
			 "mac", agent_json_str(n->mac),
			 "operstate", agent_json_str(n->operstate),
			 "carrier", agent_json_bool(n->carrier),
			 "speed_mbps", agent_json_num(n->speed_mbps),
			 "max_speed_mbps", agent_json_num(n->max_speed_mbps),
			 "duplex", agent_json_str(n->duplex),
			 "mtu", agent_json_num(n->mtu),
			 "driver", agent_json_str(n->driver),
			 "virtual", n->virtual,
			 "bond", n->bond,
			 "bond_members", strv_json(n->members, n->n_members),
			 "addresses", addrs);
}

static json_t *mounts_json(const struct hw_mount *m, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s s:s}",
			"path", m[i].path, "fstype", m[i].fstype));
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

static json_t *disk_json(const struct hw_disk *d)
{
	json_t *members = json_array();
	size_t i;

	for (i = 0; members && i < d->n_members; i++)
		json_array_append_new(members, json_string(d->members[i]));
	return json_pack("{s:s s:s s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o}",
			 "name", d->name,
			 "kind", disk_kind_name(d->kind),
			 "dm_name", agent_json_str(d->dm_name),
			 "level", agent_json_str(d->level),
			 "size_bytes", agent_json_num(d->size_bytes),
			 "rotational", agent_json_bool(d->rotational),
			 "model", agent_json_str(d->model),
			 "vendor", agent_json_str(d->vendor),
			 "serial", agent_json_str(d->serial),
			 "transport", agent_json_str(d->transport),
			 "logical_sector", agent_json_num(d->logical_sector),
			 "physical_sector", agent_json_num(d->physical_sector),
			 "members", members,
			 "mounts", mounts_json(d->mounts, d->n_mounts));
}

json_t *inventory_to_json(const struct inventory *inv)
{
	json_t *nics = json_array(), *disks = json_array(), *volumes = json_array();
	size_t i;

	for (i = 0; nics && i < inv->nics.n; i++)
		json_array_append_new(nics, nic_json(&inv->nics.v[i]));
	for (i = 0; disks && volumes && i < inv->disks.n; i++) {
		const struct hw_disk *d = &inv->disks.v[i];
		json_array_append_new(d->kind == HW_DISK_PHYSICAL ? disks : volumes,
				      disk_json(d));
	}
	return json_pack("{s:o s:o s:o s:o s:o s:o}",
			 "cpu", cpu_json(&inv->cpu),
			 "memory", memory_json(&inv->memory),
			 "nics", nics,
			 "default_route_nic", agent_json_str(inv->nics.default_route),
			 "disks", disks,
			 "volumes", volumes);
}
