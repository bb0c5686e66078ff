/* JSON views of the store: /api/fleet (what `kagent fleet` shows) and
 * /api/hosts/{id} (one host's stored report).  Unknown values are null,
 * as in `kagent inventory --json`; times are ISO 8601 UTC with
 * milliseconds, the form jq, date(1) and JavaScript all read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_json.h"
#include "collector.h"
#include "fleet_cache.h"

void coll_fmt_time(char *buf, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms < 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "%s", "");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static json_t *sev_json(int sev)
{
	return json_string(check_severity_name(
	    sev < 0 ? SEV_UNKNOWN : (enum check_severity)sev));
}

static json_t *time_json(int64_t ms)
{
	char buf[40];

	coll_fmt_time(buf, sizeof buf, ms);
	return buf[0] ? json_string(buf) : json_null();
}

static json_t *roles_json(unsigned roles)
{
	json_t *a = json_array();

	if (roles & CORE_ROLE_ZOOKEEPER)
		json_array_append_new(a, json_string("zookeeper"));
	if (roles & CORE_ROLE_KAFKA)
		json_array_append_new(a, json_string("kafka"));
	return a;
}

static json_t *checks_json(const struct check_results *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct check_result *c = &r->v[i];

		/* No instance is null, as in the CLI's --json: the wire
		 * carries it as proto3's empty string.  A measured value
		 * is known for the fleet's checks; reports carry none. */
		json_array_append_new(
		    a, json_pack("{s:s s:o s:s s:s s:o s:s s:s}", "id", c->id,
				 "instance", core_json_str(c->instance),
				 "severity", check_severity_name(c->sev),
				 "measured", c->measured, "measured_value",
				 check_value_to_json(c), "required",
				 c->required, "message", c->message));
	}
	return a;
}

/* What the host's last report says of its ZooKeeper server: the mode
 * tells the leader from its followers.  null for a host without the
 * role; each member null when the report does not know it. */
static json_t *fleet_zk_json(const struct coll_host *h)
{
	if (!(h->roles & CORE_ROLE_ZOOKEEPER))
		return json_null();
	return json_pack("{s:o s:o s:o}", "mode", core_json_str(h->zk_mode),
			 "version", core_json_str(h->zk_version), "running",
			 h->zk_running_known ? json_boolean(h->zk_running)
					     : json_null());
}

static json_t *switches_json(const struct coll_host *h)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < h->n_switches; i++)
		json_array_append_new(a, json_string(h->switches[i]));
	return a;
}

/* The fleet's hosts and its clusters' checks: the cache's (c), or judged
 * here for a fleet loaded without one. */
static json_t *fleet_json(const struct coll_fleet *f,
			  struct coll_fleet_cache *c)
{
	struct check_results own = {0};
	const struct check_results *r = &own;
	struct coll_host *hosts = c ? NULL : coll_fleet_hosts(f);
	json_t *clusters = json_array(), *hl = json_array();
	size_t i;
	int rc;

	if (c == NULL && hosts == NULL)
		return NULL;
	for (i = 0; i < f->n_clusters; i++) {
		own.n = 0;
		rc = c ? coll_fcache_judge(c, f->clusters[i], &r)
		       : coll_judge_cluster(f, hosts, f->clusters[i], &own);
		if (rc < 0)
			continue;
		json_array_append_new(
		    clusters,
		    json_pack("{s:s s:s s:o}", "name", f->clusters[i],
			      "verdict", check_severity_name(check_verdict(r)),
			      "checks", checks_json(r)));
	}
	for (i = 0; i < f->n; i++) {
		const struct coll_fleet_host *h = &f->v[i];

		json_array_append_new(
		    hl,
		    json_pack("{s:s s:o s:o s:o s:o s:o s:o s:b s:o s:o s:o}",
			      "host_id", h->h.host_id, "cluster",
			      core_json_str(h->h.cluster), "roles",
			      roles_json(h->h.roles), "rack",
			      core_json_str(h->h.rack), "zone",
			      core_json_str(h->h.zone), "verdict",
			      sev_json(h->verdict), "last_seen",
			      time_json(h->h.last_seen_ms), "stale", h->h.stale,
			      "zookeeper", fleet_zk_json(&h->h), "switches",
			      switches_json(&h->h), "lldp_reason",
			      core_json_str(h->h.lldp_reason)));
	}
	check_results_free(&own);
	free(hosts);
	/* stale: the database could not be reached, this is the last
	 * fleet read from it. */
	return json_pack("{s:o s:o s:b}", "clusters", clusters, "hosts", hl,
			 "stale", f->stale);
}

json_t *coll_api_fleet(const struct coll_fleet *f)
{
	return fleet_json(f, NULL);
}

json_t *coll_api_fleet_cached(struct coll_store *s, int64_t now_ms)
{
	struct coll_fleet_cache *c = coll_store_fleet_cache(s);
	const struct coll_fleet *f;

	if (c == NULL || coll_fcache_refresh(c, s, now_ms, &f) < 0)
		return NULL;
	return fleet_json(f, c);
}

/* ---- one host's report ---- */

static json_t *opt_int(bool has, int64_t v)
{
	return has ? json_integer(v) : json_null();
}

static json_t *opt_bool(bool has, bool v)
{
	return has ? json_boolean(v) : json_null();
}

static json_t *opt_real(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

static json_t *str_array(const char (*v)[16], pb_size_t n)
{
	json_t *a = json_array();
	pb_size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *lldp_state_name(kagent_v1_LldpState s)
{
	switch (s) {
	case kagent_v1_LldpState_LLDP_STATE_NO_DAEMON:
		return "no_daemon";
	case kagent_v1_LldpState_LLDP_STATE_NO_NEIGHBOUR:
		return "no_neighbour";
	case kagent_v1_LldpState_LLDP_STATE_NEIGHBOUR:
		return "neighbour";
	default:
		return "unknown";
	}
}

/* As kagent inventory --json shows it; an agent older than LLDP sends
 * no state: unknown, with that as the reason. */
static json_t *lldp_json(const kagent_v1_Nic *n)
{
	bool nb = n->lldp_state == kagent_v1_LldpState_LLDP_STATE_NEIGHBOUR;
	bool old = n->lldp_state == kagent_v1_LldpState_LLDP_STATE_UNSPECIFIED;

	return json_pack("{s:s s:o s:o s:o s:o s:o s:o}", "state",
			 lldp_state_name(n->lldp_state), "reason",
			 nb    ? json_null()
			 : old ? json_string("the agent does not report LLDP")
			       : core_json_str(n->lldp_reason),
			 "switch", core_json_str(n->lldp_switch), "chassis_id",
			 core_json_str(n->lldp_chassis_id), "port_id",
			 core_json_str(n->lldp_port_id), "port_description",
			 core_json_str(n->lldp_port_description),
			 "management_address",
			 core_json_str(n->lldp_management_address));
}

static json_t *nic_json(const kagent_v1_Nic *n)
{
	json_t *addrs = json_array();
	pb_size_t i;

	for (i = 0; i < n->addresses_count; i++)
		json_array_append_new(addrs, json_string(n->addresses[i]));
	return json_pack(
	    "{s:s s:o s:o s:o s:o s:o s:o s:o s:o s:b s:b s:o s:o s:o}", "name",
	    n->name, "mac", core_json_str(n->mac), "operstate",
	    core_json_str(n->operstate), "carrier",
	    opt_bool(n->has_carrier, n->carrier), "speed_mbps",
	    opt_int(n->has_speed_mbps, n->speed_mbps), "max_speed_mbps",
	    opt_int(n->has_max_speed_mbps, n->max_speed_mbps), "duplex",
	    core_json_str(n->duplex), "mtu", opt_int(n->has_mtu, n->mtu),
	    "driver", core_json_str(n->driver), "virtual", n->virtual, "bond",
	    n->bond, "bond_members",
	    str_array(n->bond_members, n->bond_members_count), "addresses",
	    addrs, "lldp", lldp_json(n));
}

/* The counters a json_pack format would not hold, beside the others. */
static void health_counters_json(const kagent_v1_Health *h, json_t *o)
{
	json_object_set_new(
	    o, "reallocated_sectors",
	    opt_int(h->has_reallocated_sectors, h->reallocated_sectors));
	json_object_set_new(
	    o, "pending_sectors",
	    opt_int(h->has_pending_sectors, h->pending_sectors));
	json_object_set_new(
	    o, "uncorrectable_sectors",
	    opt_int(h->has_uncorrectable_sectors, h->uncorrectable_sectors));
	json_object_set_new(
	    o, "percentage_used",
	    opt_int(h->has_percentage_used, h->percentage_used));
	json_object_set_new(o, "media_errors",
			    opt_int(h->has_media_errors, h->media_errors));
	json_object_set_new(
	    o, "available_spare",
	    opt_int(h->has_available_spare, h->available_spare));
}

static json_t *health_json(bool has, const kagent_v1_Health *h)
{
	json_t *health;

	if (!has)
		return json_null();
	health = json_pack(
	    "{s:o s:s s:s s:o s:o s:o s:o s:o}", "verdict",
	    sev_json(coll_severity_from_proto(h->verdict)), "reason",
	    h->reason, "source", h->source, "temperature_c",
	    opt_int(h->has_temperature_c, h->temperature_c), "power_on_hours",
	    opt_int(h->has_power_on_hours, h->power_on_hours), "bad_sectors",
	    opt_int(h->has_bad_sectors, h->bad_sectors), "power_cycles",
	    opt_int(h->has_power_cycles, h->power_cycles), "firmware",
	    core_json_str(h->firmware));
	if (health != NULL)
		health_counters_json(h, health);
	return health;
}

/* raid_members[] under a logical disk that has some. */
static json_t *with_raid_members(json_t *o, const kagent_v1_Disk *d)
{
	json_t *a;
	pb_size_t i;

	if (o == NULL || d->raid_members_count == 0)
		return o;
	a = json_array();
	for (i = 0; a && i < d->raid_members_count &&
		    i < sizeof d->raid_members / sizeof d->raid_members[0];
	     i++) {
		const kagent_v1_RaidMember *m = &d->raid_members[i];

		json_array_append_new(
		    a, json_pack("{s:s s:s s:o s:o s:o}", "device_type",
				 m->device_type, "path", m->path, "model",
				 core_json_str(m->model), "serial",
				 core_json_str(m->serial), "health",
				 health_json(m->has_health, &m->health)));
	}
	json_object_set_new(o, "raid_members", a);
	return o;
}

static json_t *disk_json(const kagent_v1_Disk *d)
{
	static const char *const kinds[] = {"physical", "md", "dm"};
	json_t *mounts = json_array(), *members = json_array();
	pb_size_t i;

	for (i = 0; i < d->members_count; i++)
		json_array_append_new(members, json_string(d->members[i]));
	for (i = 0; i < d->mounts_count; i++)
		json_array_append_new(mounts,
				      json_pack("{s:s s:s s:s}", "path",
						d->mounts[i].path, "fstype",
						d->mounts[i].fstype, "source",
						d->mounts[i].source));
	return with_raid_members(json_pack(
	    "{s:s s:s s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o}",
	    "name", d->name, "kind",
	    (unsigned)d->kind < 3 ? kinds[d->kind] : "unknown", "dm_name",
	    core_json_str(d->dm_name), "level", core_json_str(d->level),
	    "size_bytes", opt_int(d->has_size_bytes, d->size_bytes),
	    "rotational", opt_bool(d->has_rotational, d->rotational), "model",
	    core_json_str(d->model), "vendor", core_json_str(d->vendor),
	    "serial", core_json_str(d->serial), "transport",
	    core_json_str(d->transport), "logical_sector",
	    opt_int(d->has_logical_sector, d->logical_sector),
	    "physical_sector",
	    opt_int(d->has_physical_sector, d->physical_sector), "members",
	    members, "mounts", mounts, "health",
	    health_json(d->has_health, &d->health)), d);
}

static json_t *inventory_json(const kagent_v1_Report *r,
			      const struct proto_lists *l)
{
	const kagent_v1_Cpu *c = &r->inventory.cpu;
	const kagent_v1_Memory *m = &r->inventory.memory;
	json_t *nics = json_array(), *disks = json_array();
	size_t i;

	for (i = 0; i < l->nics.n; i++)
		json_array_append_new(
		    nics, nic_json((const kagent_v1_Nic *)l->nics.v + i));
	for (i = 0; i < l->disks.n; i++)
		json_array_append_new(
		    disks, disk_json((const kagent_v1_Disk *)l->disks.v + i));
	return json_pack(
	    "{s:{s:o s:o s:o s:o s:o s:o s:o} s:{s:o s:o s:o} s:o s:o s:o}",
	    "cpu", "model", core_json_str(c->model), "sockets",
	    opt_int(c->has_sockets, c->sockets), "cores",
	    opt_int(c->has_cores, c->cores), "threads_per_core",
	    opt_int(c->has_threads_per_core, c->threads_per_core), "logical",
	    opt_int(c->has_logical, c->logical), "online",
	    opt_int(c->has_online, c->online), "max_mhz",
	    opt_int(c->has_max_mhz, c->max_mhz), "memory", "total_bytes",
	    opt_int(m->has_total_bytes, m->total_bytes), "available_bytes",
	    opt_int(m->has_available_bytes, m->available_bytes),
	    "installed_bytes",
	    opt_int(m->has_installed_bytes, m->installed_bytes), "nics", nics,
	    "disks", disks, "default_route_nic",
	    core_json_str(r->inventory.default_route_nic));
}

static json_t *sensors_json(const struct proto_lists *l)
{
	static const char *const kinds[] = {"temp",    "fan",	"voltage",
					    "current", "power", "intrusion"};
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->sensors.n; i++) {
		const kagent_v1_Sensor *s =
		    (const kagent_v1_Sensor *)l->sensors.v + i;

		json_array_append_new(
		    a, json_pack("{s:s s:s s:s s:o s:o s:o s:o s:o s:b}",
				 "chip", s->chip, "label", s->label, "kind",
				 (unsigned)s->kind < 6 ? kinds[s->kind]
						       : "unknown",
				 "value", opt_real(s->has_value, s->value),
				 "min", opt_real(s->has_min, s->min), "max",
				 opt_real(s->has_max, s->max), "crit",
				 opt_real(s->has_crit, s->crit), "alarm",
				 opt_bool(s->has_alarm, s->alarm), "fault",
				 s->fault));
	}
	return a;
}

static json_t *kafka_json(const kagent_v1_Report *r)
{
	const kagent_v1_Kafka *k = &r->kafka;
	json_t *dirs;
	pb_size_t i;

	if (!r->has_kafka)
		return json_null();
	dirs = json_array();
	for (i = 0; i < k->log_dirs_count; i++)
		json_array_append_new(
		    dirs, json_pack("{s:s s:o s:o}", "path",
				    k->log_dirs[i].path, "partition_dirs",
				    opt_int(k->log_dirs[i].has_partition_dirs,
					    k->log_dirs[i].partition_dirs),
				    "bytes_used",
				    opt_int(k->log_dirs[i].has_bytes_used,
					    k->log_dirs[i].bytes_used)));
	return json_pack("{s:b s:o s:o s:o s:o s:o s:o s:o s:o s:o}", "present",
			 k->present, "broker_id",
			 opt_int(k->has_broker_id, k->broker_id), "node_id",
			 opt_int(k->has_node_id, k->node_id), "broker_rack",
			 core_json_str(k->broker_rack), "installed_version",
			 core_json_str(k->installed_version),
			 "inter_broker_protocol_version",
			 core_json_str(k->inter_broker_protocol_version),
			 "log_message_format_version",
			 core_json_str(k->log_message_format_version),
			 "log_dirs", dirs, "process_roles",
			 str_array(k->process_roles, k->process_roles_count),
			 "running", opt_bool(k->has_running, k->running));
}

static json_t *zk_json(const kagent_v1_Report *r)
{
	const kagent_v1_ZooKeeper *z = &r->zookeeper;
	json_t *ens;
	pb_size_t i;

	if (!r->has_zookeeper)
		return json_null();
	ens = json_array();
	for (i = 0; i < z->ensemble_count; i++)
		json_array_append_new(
		    ens,
		    json_pack("{s:I s:s s:i s:i s:b}", "id",
			      (json_int_t)z->ensemble[i].id, "host",
			      z->ensemble[i].host, "peer_port",
			      (int)z->ensemble[i].peer_port, "election_port",
			      (int)z->ensemble[i].election_port, "observer",
			      z->ensemble[i].observer));
	return json_pack("{s:b s:o s:o s:o s:o s:o s:o}", "present", z->present,
			 "mode", core_json_str(z->mode), "version",
			 core_json_str(z->version), "client_port",
			 opt_int(z->has_client_port, z->client_port),
			 "ensemble", ens, "myid", opt_int(z->has_myid, z->myid),
			 "running", opt_bool(z->has_running, z->running));
}

json_t *coll_api_host(const struct coll_store_row *row,
		      const kagent_v1_Report *r, const struct proto_lists *l,
		      int64_t now_ms)
{
	struct check_results checks = {0};
	struct coll_host h;
	json_t *j;

	if (coll_checks_from_report(l, &checks) < 0) {
		check_results_free(&checks);
		return NULL;
	}
	coll_host_from_report(r, row->last_seen_ms, now_ms, &h);
	j = json_pack(
	    "{s:s s:o s:o s:o s:o s:o s:o s:s s:I s:o s:o s:I s:i s:o s:o s:o"
	    " s:o s:o s:o s:o s:o}",
	    "host_id", row->host_id, "hostname", core_json_str(r->hostname),
	    "machine_id", core_json_str(r->machine_id), "cluster",
	    core_json_str(row->cluster), "roles", roles_json(h.roles), "rack",
	    core_json_str(r->rack), "zone", core_json_str(r->zone),
	    "agent_version", r->agent_version, "seq", (json_int_t)row->last_seq,
	    "timestamp", time_json(r->timestamp_ms), "last_seen",
	    time_json(row->last_seen_ms), "report_interval_s",
	    (json_int_t)r->report_interval_s, "clipped", (int)r->clipped,
	    "stale", json_boolean(h.stale), "verdict", sev_json(row->verdict),
	    "inventory", inventory_json(r, l), "sensors", sensors_json(l),
	    "sensors_error", core_json_str(r->sensors_error), "kafka",
	    kafka_json(r), "zookeeper", zk_json(r), "checks",
	    checks_json(&checks));
	check_results_free(&checks);
	if (j)
		json_object_set_new(j, "kernel", core_json_str(r->kernel));
	return j;
}
