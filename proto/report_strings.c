/* Every string of a Report, named by its field path.
 *
 * nanopb checks a string's length against its field but not its bytes
 * (Debian's runtime is built without PB_VALIDATE_UTF8), and its
 * descriptors carry no field names.  So the strings of each message are
 * listed here once, in tables of offsets, and one walk serves both the
 * collector's refusal of a report (an error that names the field) and the
 * repair of a report an older collector stored without that check.
 *
 * A field added to kagent.proto as a string must be added here too;
 * test_proto_strings checks the walk reaches every string of a full
 * Report. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

/* A string, or with count_off a repeated string (an array of cap-byte
 * items whose count is the pb_size_t at count_off). */
struct str_field {
	const char *name;
	size_t off;
	size_t cap;
	size_t count_off;
	size_t max;
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define S(type, f)                                                             \
	{                                                                      \
#f, offsetof(type, f), sizeof(((type *)0)->f), 0, 0            \
	}
#define SR(type, f)                                                            \
	{                                                                      \
#f, offsetof(type, f), sizeof(((type *)0)->f[0]),              \
		    offsetof(type, f##_count), NELEM(((type *)0)->f)           \
	}

static const struct str_field report_f[] = {
    S(kagent_v1_Report, host_id),	S(kagent_v1_Report, hostname),
    S(kagent_v1_Report, machine_id),	S(kagent_v1_Report, dmi_serial),
    S(kagent_v1_Report, cluster),	S(kagent_v1_Report, rack),
    S(kagent_v1_Report, zone),		S(kagent_v1_Report, agent_version),
    S(kagent_v1_Report, sensors_error),	S(kagent_v1_Report, kernel),
};
static const struct str_field inventory_f[] = {
    S(kagent_v1_Inventory, default_route_nic),
};
static const struct str_field cpu_f[] = {S(kagent_v1_Cpu, model)};
static const struct str_field nic_f[] = {
    S(kagent_v1_Nic, name),	  S(kagent_v1_Nic, mac),
    S(kagent_v1_Nic, operstate),  S(kagent_v1_Nic, duplex),
    S(kagent_v1_Nic, driver),	  SR(kagent_v1_Nic, bond_members),
    SR(kagent_v1_Nic, addresses),
    S(kagent_v1_Nic, lldp_reason),
    S(kagent_v1_Nic, lldp_switch),
    S(kagent_v1_Nic, lldp_chassis_id),
    S(kagent_v1_Nic, lldp_port_id),
    S(kagent_v1_Nic, lldp_port_description),
    S(kagent_v1_Nic, lldp_management_address),
};
static const struct str_field mount_f[] = {
    S(kagent_v1_Mount, path),
    S(kagent_v1_Mount, fstype),
    S(kagent_v1_Mount, source),
};
static const struct str_field disk_f[] = {
    S(kagent_v1_Disk, name),	  S(kagent_v1_Disk, dm_name),
    S(kagent_v1_Disk, level),	  S(kagent_v1_Disk, model),
    S(kagent_v1_Disk, vendor),	  S(kagent_v1_Disk, serial),
    S(kagent_v1_Disk, transport), SR(kagent_v1_Disk, members),
    S(kagent_v1_Disk, flush_why),
};
static const struct str_field raid_f[] = {
    S(kagent_v1_RaidMember, device_type),
    S(kagent_v1_RaidMember, path),
    S(kagent_v1_RaidMember, model),
    S(kagent_v1_RaidMember, serial),
};
static const struct str_field health_f[] = {
    S(kagent_v1_Health, reason),
    S(kagent_v1_Health, source),
    S(kagent_v1_Health, firmware),
};
static const struct str_field board_f[] = {
    S(kagent_v1_Board, vendor),		 S(kagent_v1_Board, product),
    S(kagent_v1_Board, product_version), S(kagent_v1_Board, serial),
    S(kagent_v1_Board, board_vendor),	 S(kagent_v1_Board, board_name),
    S(kagent_v1_Board, bios_vendor),	 S(kagent_v1_Board, bios_version),
    S(kagent_v1_Board, bios_date),	 S(kagent_v1_Board, chassis_asset_tag),
    S(kagent_v1_Board, chassis_serial),	 SR(kagent_v1_Board, needs_root),
};
static const struct str_field sensor_f[] = {
    S(kagent_v1_Sensor, chip),
    S(kagent_v1_Sensor, label),
};
static const struct str_field check_f[] = {
    S(kagent_v1_CheckResult, id),	S(kagent_v1_CheckResult, instance),
    S(kagent_v1_CheckResult, measured), S(kagent_v1_CheckResult, required),
    S(kagent_v1_CheckResult, message),
};
static const struct str_field logdir_f[] = {S(kagent_v1_LogDir, path)};
static const struct str_field kafka_f[] = {
    S(kagent_v1_Kafka, broker_rack),
    S(kagent_v1_Kafka, installed_version),
    S(kagent_v1_Kafka, inter_broker_protocol_version),
    S(kagent_v1_Kafka, log_message_format_version),
    SR(kagent_v1_Kafka, process_roles),
    S(kagent_v1_Kafka, traffic_nic),
    S(kagent_v1_Kafka, traffic_nic_why),
};
static const struct str_field klive_f[] = {
    S(kagent_v1_KafkaLive, error),
    S(kagent_v1_KafkaLive, cluster_id),
    S(kagent_v1_KafkaLive, configs_error),
    S(kagent_v1_KafkaLive, traffic_nic),
};
static const struct str_field kbroker_f[] = {
    S(kagent_v1_KafkaBroker, host),
    S(kagent_v1_KafkaBroker, rack),
};
static const struct str_field ktopic_f[] = {
    S(kagent_v1_KafkaTopic, name),
    S(kagent_v1_KafkaTopic, error),
};
static const struct str_field member_f[] = {
    S(kagent_v1_EnsembleMember, host),
};
static const struct str_field zk_f[] = {
    S(kagent_v1_ZooKeeper, mode),
    S(kagent_v1_ZooKeeper, version),
};
static const struct str_field hello_f[] = {
    S(kagent_v1_Hello, host_id),
    S(kagent_v1_Hello, agent_version),
};

static int seg_push(struct proto_str_walk *w, const char *name, int idx)
{
	if (w->depth >= PROTO_PATH_DEPTH)
		return -EINVAL; /* the schema is not that deep */
	w->seg[w->depth].name = name;
	w->seg[w->depth].idx = idx;
	w->depth++;
	return 0;
}

/* The strings of one message at msg, under the path segment name[idx]. */
static int walk_msg(struct proto_str_walk *w, const char *name, int idx,
		    void *msg, const struct str_field *t, size_t nt)
{
	size_t i, k, n;
	int rc;

	rc = seg_push(w, name, idx);
	for (i = 0; rc == 0 && i < nt; i++) {
		char *f = (char *)msg + t[i].off;

		if (t[i].max == 0) {
			rc = w->fn(w, t[i].name, -1, f, t[i].cap);
			continue;
		}
		n = *(const pb_size_t *)((const char *)msg + t[i].count_off);
		if (n > t[i].max)
			n = t[i].max;
		for (k = 0; rc == 0 && k < n; k++)
			rc = w->fn(w, t[i].name, (int)k, f + k * t[i].cap,
				   t[i].cap);
	}
	if (w->depth > 0)
		w->depth--;
	return rc;
}

/* The items of a list, each a message with strings of its own. */
static int walk_list(struct proto_str_walk *w, const char *name,
		     const struct proto_list *l, const struct str_field *t,
		     size_t nt)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < l->n; i++)
		rc = walk_msg(w, name, (int)i, (char *)l->v + i * l->size, t,
			      nt);
	return rc;
}

static int walk_disks(struct proto_str_walk *w, const struct proto_list *l)
{
	kagent_v1_Disk *d;
	size_t i;
	pb_size_t j;
	int rc = 0;

	for (i = 0; rc == 0 && i < l->n; i++) {
		d = (kagent_v1_Disk *)l->v + i;
		rc = walk_msg(w, "disks", (int)i, d, disk_f, NELEM(disk_f));
		if (rc == 0)
			rc = seg_push(w, "disks", (int)i);
		if (rc != 0)
			break;
		for (j = 0;
		     rc == 0 && j < d->mounts_count && j < NELEM(d->mounts);
		     j++)
			rc = walk_msg(w, "mounts", j, &d->mounts[j], mount_f,
				      NELEM(mount_f));
		if (rc == 0)
			rc = walk_msg(w, "health", -1, &d->health, health_f,
				      NELEM(health_f));
		for (j = 0; rc == 0 && j < d->raid_members_count &&
			    j < NELEM(d->raid_members);
		     j++) {
			rc = walk_msg(w, "raid_members", j, &d->raid_members[j],
				      raid_f, NELEM(raid_f));
			if (rc == 0)
				rc = seg_push(w, "raid_members", j);
			if (rc != 0)
				break;
			rc = walk_msg(w, "health", -1,
				      &d->raid_members[j].health, health_f,
				      NELEM(health_f));
			w->depth--;
		}
		w->depth--;
	}
	return rc;
}

static int walk_inventory(struct proto_str_walk *w, kagent_v1_Inventory *inv,
			  struct proto_lists *l)
{
	int rc;

	rc = walk_msg(w, "inventory", -1, inv, inventory_f, NELEM(inventory_f));
	if (rc == 0)
		rc = seg_push(w, "inventory", -1);
	if (rc != 0)
		return rc;
	rc = walk_msg(w, "cpu", -1, &inv->cpu, cpu_f, NELEM(cpu_f));
	if (rc == 0 && l)
		rc = walk_list(w, "nics", &l->nics, nic_f, NELEM(nic_f));
	if (rc == 0 && l)
		rc = walk_disks(w, &l->disks);
	w->depth--;
	return rc;
}

static int walk_kafka(struct proto_str_walk *w, kagent_v1_Kafka *k)
{
	pb_size_t i;
	int rc;

	rc = walk_msg(w, "kafka", -1, k, kafka_f, NELEM(kafka_f));
	if (rc == 0)
		rc = seg_push(w, "kafka", -1);
	if (rc != 0)
		return rc;
	for (i = 0; rc == 0 && i < k->log_dirs_count && i < NELEM(k->log_dirs);
	     i++)
		rc = walk_msg(w, "log_dirs", i, &k->log_dirs[i], logdir_f,
			      NELEM(logdir_f));
	w->depth--;
	return rc;
}

static int walk_kafka_live(struct proto_str_walk *w, kagent_v1_KafkaLive *k,
			   struct proto_lists *l)
{
	int rc;

	rc = walk_msg(w, "kafka_live", -1, k, klive_f, NELEM(klive_f));
	if (rc != 0 || l == NULL)
		return rc;
	rc = seg_push(w, "kafka_live", -1);
	if (rc != 0)
		return rc;
	rc = walk_list(w, "brokers", &l->kbrokers, kbroker_f,
		       NELEM(kbroker_f));
	if (rc == 0)
		rc = walk_list(w, "topics", &l->ktopics, ktopic_f,
			       NELEM(ktopic_f));
	w->depth--;
	return rc;
}

static int walk_zk(struct proto_str_walk *w, kagent_v1_ZooKeeper *z)
{
	pb_size_t i;
	int rc;

	rc = walk_msg(w, "zookeeper", -1, z, zk_f, NELEM(zk_f));
	if (rc == 0)
		rc = seg_push(w, "zookeeper", -1);
	if (rc != 0)
		return rc;
	for (i = 0; rc == 0 && i < z->ensemble_count && i < NELEM(z->ensemble);
	     i++)
		rc = walk_msg(w, "ensemble", i, &z->ensemble[i], member_f,
			      NELEM(member_f));
	w->depth--;
	return rc;
}

int proto_report_strings(kagent_v1_Report *r, struct proto_lists *l,
			 struct proto_str_walk *w)
{
	int rc;

	w->depth = 0;
	rc = walk_msg(w, "report", -1, r, report_f, NELEM(report_f));
	if (rc == 0)
		rc = seg_push(w, "report", -1);
	if (rc != 0)
		return rc;
	rc = walk_inventory(w, &r->inventory, l);
	if (rc == 0)
		rc = walk_msg(w, "board", -1, &r->board, board_f,
			      NELEM(board_f));
	if (rc == 0 && l)
		rc = walk_list(w, "sensors", &l->sensors, sensor_f,
			       NELEM(sensor_f));
	if (rc == 0 && l)
		rc =
		    walk_list(w, "checks", &l->checks, check_f, NELEM(check_f));
	if (rc == 0)
		rc = walk_kafka(w, &r->kafka);
	if (rc == 0)
		rc = walk_zk(w, &r->zookeeper);
	if (rc == 0)
		rc = walk_kafka_live(w, &r->kafka_live, l);
	w->depth = 0;
	return rc;
}

void proto_str_path(const struct proto_str_walk *w, const char *leaf, int idx,
		    char *buf, size_t len)
{
	size_t o = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i <= w->depth && o < len; i++) {
		const char *name = i < w->depth ? w->seg[i].name : leaf;
		int k = i < w->depth ? w->seg[i].idx : idx;

		n = k >= 0 ? snprintf(buf + o, len - o, "%s%s[%d]",
				      i ? "." : "", name, k)
			   : snprintf(buf + o, len - o, "%s%s", i ? "." : "",
				      name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static int check_one(struct proto_str_walk *w, const char *leaf, int idx,
		     char *s, size_t cap)
{
	struct hw_err *err = w->arg;
	char path[128];
	size_t bad;

	if (strnlen(s, cap) == cap) {
		proto_str_path(w, leaf, idx, path, sizeof path);
		core_err_set(err, "%s: longer than %zu bytes", path, cap - 1);
		return -EMSGSIZE;
	}
	if (proto_utf8_check(s, &bad) < 0) {
		proto_str_path(w, leaf, idx, path, sizeof path);
		core_err_set(err, "%s: invalid UTF-8 at byte %zu", path, bad);
		return -EILSEQ;
	}
	return 0;
}

int proto_report_check(const kagent_v1_Report *r, const struct proto_lists *l,
		       struct hw_err *err)
{
	struct proto_str_walk w = {.fn = check_one, .arg = err};

	if (r->seq > PROTO_SEQ_MAX) {
		core_err_set(err, "report.seq: %" PRIu64 " is above %" PRIu64,
			   (uint64_t)r->seq, PROTO_SEQ_MAX);
		return -ERANGE;
	}
	/* check_one only reads: the walk is shared with the repair. */
	return proto_report_strings((kagent_v1_Report *)r,
				    (struct proto_lists *)l, &w);
}

int proto_hello_check(const kagent_v1_Hello *h, struct hw_err *err)
{
	struct proto_str_walk w = {.fn = check_one, .arg = err};

	return walk_msg(&w, "hello", -1, (kagent_v1_Hello *)h, hello_f,
			NELEM(hello_f));
}

static int repair_one(struct proto_str_walk *w, const char *leaf, int idx,
		      char *s, size_t cap)
{
	unsigned *fixed = w->arg;

	(void)leaf;
	(void)idx;
	s[cap - 1] = '\0';
	*fixed += proto_utf8_repair(s);
	return 0;
}

unsigned proto_report_repair(kagent_v1_Report *r, struct proto_lists *l)
{
	unsigned fixed = 0;
	struct proto_str_walk w = {.fn = repair_one, .arg = &fixed};

	proto_report_strings(r, l, &w);
	return fixed;
}
