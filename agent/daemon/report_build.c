/* One Report from the facts, the check results and the prober's SMART and
 * sensor readings.  Only the fleet-level Kafka and ZooKeeper facts travel
 * (ids, rack, versions, pins, ensemble): the collector judges clusters, the
 * agent already judged the host. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "proto_fill.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

void report_host_names(const char *root, char *hostname, size_t hlen,
		       char *machine_id, size_t mlen)
{
	char path[PATH_MAX];

	hostname[0] = machine_id[0] = '\0';
	if (core_path(path, sizeof path, root, "proc/sys/kernel/hostname") == 0 &&
	    core_read_line(path, hostname, hlen) < 0)
		hostname[0] = '\0';
	if (core_path(path, sizeof path, root, "etc/machine-id") == 0 &&
	    core_read_line(path, machine_id, mlen) < 0)
		machine_id[0] = '\0';
}

/* The running kernel's release as the root shows it; "" when it does
 * not.  Read, not uname(): a --root tree describes another host. */
static unsigned report_kernel(const char *root, char *out, size_t cap)
{
	char path[PATH_MAX], line[256];

	out[0] = '\0';
	if (core_path(path, sizeof path, root, "proc/sys/kernel/osrelease") ||
	    core_read_line(path, line, sizeof line) < 0)
		return 0;
	return proto_str_set(out, cap, line);
}

static unsigned fill_health(const struct report_smart *s, kagent_v1_Health *h)
{
	unsigned clipped = 0;

	if (s->ata_known)
		clipped += proto_fill_ata_health(&s->ata, h);
	else if (s->nvme_known)
		proto_fill_nvme_health(&s->nvme, h);
	h->verdict = proto_sev_to_wire(s->health.verdict);
	clipped += proto_str_set(h->reason, sizeof h->reason, s->health.reason);
	clipped += proto_str_set(h->source, sizeof h->source, s->health.source);
	return clipped;
}

static void fill_disk_health(const struct report_input *in,
			     struct proto_list *disks)
{
	kagent_v1_Disk *d = disks->v;
	size_t i, j;

	for (i = 0; i < disks->n; i++)
		for (j = 0; j < in->n_smart; j++)
			if (strcmp(d[i].name, in->smart[j].disk) == 0) {
				d[i].has_health = true;
				fill_health(&in->smart[j], &d[i].health);
			}
}

/* Each physical disk's flush counters and last interval, where read. */
static unsigned fill_disk_flush(const struct facts *f, struct proto_list *disks)
{
	kagent_v1_Disk *d = disks->v;
	unsigned clipped = 0;
	size_t i;

	for (i = 0; i < disks->n; i++) {
		const struct flush_interval *fi =
		    flush_facts_find(&f->flush, d[i].name);

		if (fi == NULL)
			continue;
		if (fi->counters_known && fi->flushes_total <= INT64_MAX &&
		    fi->ms_total <= INT64_MAX) {
			d[i].has_flush_count = d[i].has_flush_ms = true;
			d[i].flush_count = (int64_t)fi->flushes_total;
			d[i].flush_ms = (int64_t)fi->ms_total;
		}
		if (fi->known) {
			d[i].has_flush_avg_us = d[i].has_flush_interval_ms =
			    true;
			d[i].flush_avg_us = fi->avg_us;
			d[i].flush_interval_ms = fi->interval_ms;
		} else {
			clipped += proto_str_set(
			    d[i].flush_why, sizeof d[i].flush_why, fi->why);
		}
	}
	return clipped;
}

static unsigned fill_kafka(const struct facts *f, kagent_v1_Kafka *k)
{
	const struct kafka_config *c = f->kafka;
	unsigned clipped = 0;
	size_t i;

	k->present = c != NULL || f->kafka_install.version[0] != '\0';
	clipped += proto_str_set(k->installed_version, sizeof k->installed_version,
				 f->kafka_install.version);
	if (c == NULL)
		return clipped;
	proto_num_set(c->broker_id, &k->has_broker_id, &k->broker_id);
	proto_num_set(c->node_id, &k->has_node_id, &k->node_id);
	clipped += proto_str_set(k->broker_rack, sizeof k->broker_rack,
				 c->broker_rack);
	clipped += proto_str_set(k->inter_broker_protocol_version,
				 sizeof k->inter_broker_protocol_version,
				 c->inter_broker_protocol_version);
	clipped += proto_str_set(k->log_message_format_version,
				 sizeof k->log_message_format_version,
				 c->log_message_format_version);
	for (i = 0; i < f->n_logdirs; i++) {
		kagent_v1_LogDir *l;

		if (k->log_dirs_count == NELEM(k->log_dirs)) {
			clipped += (unsigned)(f->n_logdirs - i);
			break;
		}
		l = &k->log_dirs[k->log_dirs_count++];
		clipped += proto_str_set(l->path, sizeof l->path, f->logdirs[i].path);
		if (f->logdirs[i].stats_known) {
			proto_num_set(f->logdirs[i].stats.partitions,
				      &l->has_partition_dirs, &l->partition_dirs);
			proto_num_set(f->logdirs[i].stats.bytes, &l->has_bytes_used,
				      &l->bytes_used);
			proto_num_set(f->logdirs[i].stats.fs_total,
				      &l->has_fs_total_bytes,
				      &l->fs_total_bytes);
			proto_num_set(f->logdirs[i].stats.fs_available,
				      &l->has_fs_available_bytes,
				      &l->fs_available_bytes);
		}
	}
	if (f->kafka_nic)
		clipped += proto_str_set(k->traffic_nic, sizeof k->traffic_nic,
					 f->kafka_nic->name);
	clipped += proto_str_set(k->traffic_nic_why, sizeof k->traffic_nic_why,
				 f->kafka_nic_why);
	if (c->role_broker)
		snprintf(k->process_roles[k->process_roles_count++],
			 sizeof k->process_roles[0], "broker");
	if (c->role_controller)
		snprintf(k->process_roles[k->process_roles_count++],
			 sizeof k->process_roles[0], "controller");
	return clipped;
}

/* What this host knows beside the cluster's metadata: its
 * server.properties' topic defaults, its broker's start, its NIC, and why
 * the topics' own configs are unknown. */
static unsigned fill_kafka_local(const struct facts *f,
				 const struct kafka_meta *m,
				 kagent_v1_KafkaLive *k)
{
	unsigned clipped = 0;

	if (f->kafka) {
		proto_num_set(f->kafka->min_isr, &k->has_min_isr_default,
			      &k->min_isr_default);
		proto_num_set(f->kafka->retention_ms,
			      &k->has_retention_ms_default,
			      &k->retention_ms_default);
		proto_num_set(f->kafka->retention_bytes,
			      &k->has_retention_bytes_default,
			      &k->retention_bytes_default);
	}
	proto_num_set(f->kafka_started_ms, &k->has_broker_started_ms,
		      &k->broker_started_ms);
	if (f->kafka_nic)
		clipped += proto_str_set(k->traffic_nic, sizeof k->traffic_nic,
					 f->kafka_nic->name);
	if (m && m->error[0] == '\0')
		clipped += proto_str_set(k->configs_error,
					 sizeof k->configs_error,
					 m->configs_error);
	return clipped;
}

/* dataDir/myid names this server among server.N. */
static void read_myid(const struct facts *f, kagent_v1_ZooKeeper *z)
{
	char path[PATH_MAX];
	int64_t id;

	if (f->zk->data_dir[0] &&
	    core_path(path, sizeof path, f->root, "%s/myid", f->zk->data_dir) == 0 &&
	    core_read_i64(path, &id) == 0) {
		z->has_myid = true;
		z->myid = id;
	}
}

static unsigned fill_zookeeper(const struct facts *f, kagent_v1_ZooKeeper *z)
{
	unsigned clipped = 0;
	size_t i;

	z->present = f->zk != NULL;
	if (f->zk_live_probed) {
		const struct zk_status *st = &f->zk_live;

		if (st->state == ZK_RUNNING || st->state == ZK_NOT_RUNNING) {
			z->has_running = true;
			z->running = st->state == ZK_RUNNING;
		}
		clipped += proto_str_set(z->mode, sizeof z->mode, st->mode);
		clipped += proto_str_set(z->version, sizeof z->version, st->version);
		proto_num_set(st->fsync_count, &z->has_fsync_count,
			      &z->fsync_count);
		proto_num_set(st->fsync_avg_us, &z->has_fsync_avg_us,
			      &z->fsync_avg_us);
		proto_num_set(st->fsync_max_us, &z->has_fsync_max_us,
			      &z->fsync_max_us);
		proto_num_set(st->fsync_threshold_exceeded,
			      &z->has_fsync_threshold_exceed_count,
			      &z->fsync_threshold_exceed_count);
	}
	if (f->zk == NULL)
		return clipped;
	proto_num_set(f->zk->client_port, &z->has_client_port, &z->client_port);
	proto_num_set(f->zk->fsync_warning_ms,
		      &z->has_fsync_warning_threshold_ms,
		      &z->fsync_warning_threshold_ms);
	for (i = 0; i < f->zk->n_servers; i++) {
		const struct zk_server *s = &f->zk->servers[i];
		kagent_v1_EnsembleMember *m;

		if (!s->valid)
			continue;
		if (z->ensemble_count == NELEM(z->ensemble)) {
			clipped++;
			continue;
		}
		m = &z->ensemble[z->ensemble_count++];
		m->id = s->id;
		clipped += proto_str_set(m->host, sizeof m->host, s->host);
		m->peer_port = s->peer_port.known ? (uint32_t)s->peer_port.v : 0;
		m->election_port =
			s->election_port.known ? (uint32_t)s->election_port.v : 0;
		m->observer = s->observer;
	}
	read_myid(f, z);
	return clipped;
}

static unsigned fill_checks(const struct check_results *res,
			    struct proto_list *l, int *err)
{
	unsigned clipped = 0;
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct check_result *c = &res->v[i];
		kagent_v1_CheckResult *o;
		int r = proto_list_add(l, (void **)&o);

		if (r == -ENOSPC) {
			clipped += (unsigned)(res->n - i);
			break;
		}
		if (r < 0) {
			*err = r;
			break;
		}
		clipped += proto_str_set(o->id, sizeof o->id, c->id);
		clipped += proto_str_set(o->instance, sizeof o->instance, c->instance);
		o->severity = proto_sev_to_wire(c->sev);
		clipped += proto_str_set(o->measured, sizeof o->measured, c->measured);
		clipped += proto_str_set(o->required, sizeof o->required, c->required);
		clipped += proto_str_set(o->message, sizeof o->message, c->message);
		o->has_age_ms = c->age_known;
		o->age_ms = c->age_ms;
	}
	return clipped;
}

static unsigned fill_sensors(const struct board_sensors *s,
			     struct proto_list *l, int *err)
{
	unsigned clipped = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		kagent_v1_Sensor *o;
		int r = proto_list_add(l, (void **)&o);

		if (r == -ENOSPC) {
			clipped += (unsigned)(s->n - i);
			break;
		}
		if (r < 0) {
			*err = r;
			break;
		}
		clipped += proto_fill_sensor(&s->v[i], o);
	}
	return clipped;
}

int report_build(const struct report_input *in, kagent_v1_Report *out,
		 struct proto_lists *l)
{
	const struct facts *f = in->facts;
	unsigned clipped = 0;
	char why[160];
	int err = 0, r;

	memset(out, 0, sizeof *out);
	proto_lists_clear(l);
	clipped += proto_str_set(out->host_id, sizeof out->host_id, in->host_id);
	report_host_names(f->root, out->hostname, sizeof out->hostname,
			  out->machine_id, sizeof out->machine_id);
	clipped += report_kernel(f->root, out->kernel, sizeof out->kernel);
	if (in->dmi)
		clipped += proto_str_set(out->dmi_serial, sizeof out->dmi_serial,
					 in->dmi->serial);
	clipped += proto_str_set(out->cluster, sizeof out->cluster, f->conf.cluster);
	if (f->roles & CORE_ROLE_ZOOKEEPER)
		out->roles[out->roles_count++] = kagent_v1_Role_ROLE_ZOOKEEPER;
	if (f->roles & CORE_ROLE_KAFKA)
		out->roles[out->roles_count++] = kagent_v1_Role_ROLE_KAFKA;
	if (f->conf.rack_lldp)
		/* No switch, no rack: the collector says the rack is unknown
		 * and, through the NICs' LLDP reasons, why. */
		facts_rack_lldp(f->conf.rack_pattern, &f->inv.nics, out->rack,
				sizeof out->rack, why, sizeof why);
	else
		clipped += proto_str_set(out->rack, sizeof out->rack,
					 f->conf.rack);
	clipped += proto_str_set(out->zone, sizeof out->zone, f->conf.zone);
	proto_str_set(out->agent_version, sizeof out->agent_version,
		      KAGENT_VERSION);
	out->seq = in->seq;
	out->timestamp_ms = in->timestamp_ms;
	out->report_interval_s = in->interval_s;

	r = proto_fill_inventory(&f->inv.cpu, &f->inv.memory, &f->inv.nics,
				 &f->inv.disks, &out->inventory, l, &clipped);
	if (r < 0)
		return r;
	fill_disk_health(in, &l->disks);
	clipped += fill_disk_flush(f, &l->disks);
	clipped += report_fill_raid(f, &l->disks);
	if (in->dmi) {
		out->has_board = true;
		clipped += proto_fill_board(in->dmi, &out->board);
	}
	if (in->sensors) {
		clipped += fill_sensors(in->sensors, &l->sensors, &err);
		clipped += proto_str_set(out->sensors_error, sizeof out->sensors_error,
					 in->sensors->error);
	} else {
		clipped += proto_str_set(out->sensors_error, sizeof out->sensors_error,
					 in->sensors_why ? in->sensors_why : "");
	}
	if (f->roles & CORE_ROLE_KAFKA) {
		out->has_kafka = true;
		clipped += fill_kafka(f, &out->kafka);
	}
	if (f->roles & CORE_ROLE_KAFKA) {
		struct kafka_live_local loc = {.broker_id = -1};

		if (f->kafka && f->kafka->broker_id.known) {
			loc.broker_id = (int32_t)f->kafka->broker_id.v;
			loc.broker_id_known = true;
		} else if (f->kafka && f->kafka->node_id.known) {
			loc.broker_id = (int32_t)f->kafka->node_id.v;
			loc.broker_id_known = true;
		}
		if (f->kafka)
			loc.min_isr = f->kafka->min_isr;
		if (f->kafka_topics_known)
			loc.sizes = &f->kafka_topics;
		out->has_kafka_live = true;
		clipped += kafka_report_fill(in->kafka, &in->kafka_seen, &loc,
					     in->kafka_delta, &out->kafka_live,
					     l);
		clipped += fill_kafka_local(f, in->kafka, &out->kafka_live);
	}
	if (f->roles & CORE_ROLE_ZOOKEEPER) {
		out->has_zookeeper = true;
		clipped += fill_zookeeper(f, &out->zookeeper);
	}
	clipped += fill_checks(in->checks, &l->checks, &err);
	out->verdict = proto_sev_to_wire(check_verdict(in->checks));
	out->clipped = clipped;
	proto_report_bind(out, l);
	return err;
}
