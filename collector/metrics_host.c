/* /metrics: the series of every stored host, all from its stored row and
 * the report in it, so that a host's series go when its row goes.
 *
 * Names and units follow node_exporter (node_network_speed_bytes,
 * node_hwmon_temp_celsius, ...) and smartctl_exporter
 * (smartctl_device_temperature, smartctl_device_percentage_used, ...)
 * under the kagent_ prefix.  Every series carries `host`, which joins it
 * to kagent_host_info; never `instance`, which belongs to Prometheus (it
 * renames a scraped one to exported_instance).  A number the report does
 * not carry gives no series: unknown is not 0. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "prom.h"

enum fam {
	F_INFO,
	F_VERDICT,
	F_STALE,
	F_SEEN,
	F_INTERVAL,
	F_CHECK,
	F_MEM_TOTAL,
	F_MEM_INSTALLED,
	F_CPU_CORES,
	F_CPU_THREADS,
	F_NIC_SPEED,
	F_NIC_MAX,
	F_NIC_CARRIER,
	F_NIC_MTU,
	F_DISK_INFO,
	F_DISK_SIZE,
	F_DISK_ROT,
	F_DISK_HEALTH,
	F_DISK_TEMP,
	F_DISK_POH,
	F_DISK_CYCLES,
	F_DISK_REALLOC,
	F_DISK_PENDING,
	F_DISK_UNCORR,
	F_DISK_USED,
	F_DISK_MEDIA,
	F_DISK_SPARE,
	F_DISK_RAID_INFO,
	F_SENSOR, /* value, max, crit of five kinds: 15 families */
	F_ALARM = F_SENSOR + 15,
	F_N,
};

/* Sensor kinds with a value, in kagent.v1.SensorKind order, and their
 * node_exporter unit. */
static const char *const sensor_fam[15][2] = {
    {"kagent_sensor_temp_celsius", "Temperature sensor reading."},
    {"kagent_sensor_temp_max_celsius", "Temperature sensor high limit."},
    {"kagent_sensor_temp_crit_celsius", "Temperature sensor critical limit."},
    {"kagent_sensor_fan_rpm", "Fan speed."},
    {"kagent_sensor_fan_max_rpm", "Fan speed high limit."},
    {"kagent_sensor_fan_crit_rpm", "Fan speed critical limit."},
    {"kagent_sensor_voltage_volts", "Voltage sensor reading."},
    {"kagent_sensor_voltage_max_volts", "Voltage high limit."},
    {"kagent_sensor_voltage_crit_volts", "Voltage critical limit."},
    {"kagent_sensor_current_amps", "Current sensor reading."},
    {"kagent_sensor_current_max_amps", "Current high limit."},
    {"kagent_sensor_current_crit_amps", "Current critical limit."},
    {"kagent_sensor_power_watts", "Power sensor reading."},
    {"kagent_sensor_power_max_watts", "Power high limit."},
    {"kagent_sensor_power_crit_watts", "Power critical limit."},
};

static const char *const fam_def[F_SENSOR][2] = {
    [F_INFO] = {"kagent_host_info",
		"A host the collector knows, value 1; its labels describe it "
		"and every other host series joins it on host."},
    [F_VERDICT] = {"kagent_host_verdict",
		   "Worst severity of the host's checks (0 pass, 1 info, "
		   "2 unknown, 3 warn, 4 fail)."},
    [F_STALE] = {"kagent_host_stale",
		 "1 when the host has been silent for three report "
		 "intervals."},
    [F_SEEN] = {"kagent_host_last_seen_seconds",
		"Unix time the collector last received a report of the "
		"host."},
    [F_INTERVAL] = {"kagent_host_report_interval_seconds",
		    "Interval the agent announced between two reports."},
    [F_CHECK] = {"kagent_host_check_severity",
		 "Severity of a host check by id and check instance "
		 "(0 pass, 1 info, 2 unknown, 3 warn, 4 fail)."},
    [F_MEM_TOTAL] = {"kagent_memory_total_bytes",
		     "Memory the kernel manages (MemTotal)."},
    [F_MEM_INSTALLED] = {"kagent_memory_installed_bytes",
			 "Memory installed (SMBIOS memory devices)."},
    [F_CPU_CORES] = {"kagent_cpu_cores", "Physical CPU cores, all sockets."},
    [F_CPU_THREADS] = {"kagent_cpu_threads", "Logical CPUs (threads)."},
    [F_NIC_SPEED] = {"kagent_network_speed_bytes",
		     "Negotiated link speed in bytes per second."},
    [F_NIC_MAX] = {"kagent_network_max_speed_bytes",
		   "Fastest link mode the NIC supports, in bytes per "
		   "second."},
    [F_NIC_CARRIER] = {"kagent_network_carrier", "1 when the link is up."},
    [F_NIC_MTU] = {"kagent_network_mtu_bytes", "MTU of the interface."},
    [F_DISK_INFO] = {"kagent_disk_info",
		     "A disk, value 1, with its kind, model, vendor, serial "
		     "and transport."},
    [F_DISK_SIZE] = {"kagent_disk_size_bytes", "Size of the disk."},
    [F_DISK_ROT] = {"kagent_disk_rotational",
		    "1 for a spinning disk, 0 for solid state."},
    [F_DISK_HEALTH] = {"kagent_disk_health",
		       "SMART verdict of a disk (0 pass, 2 unknown, 3 warn, "
		       "4 fail)."},
    [F_DISK_TEMP] = {"kagent_disk_temperature_celsius",
		     "Temperature the disk reports (SMART)."},
    [F_DISK_POH] = {"kagent_disk_power_on_seconds",
		    "Power-on time (SMART, counted in hours)."},
    [F_DISK_CYCLES] = {"kagent_disk_power_cycle_count",
		       "Power cycles (SMART)."},
    [F_DISK_REALLOC] = {"kagent_disk_reallocated_sectors",
			"Reallocated sectors (ATA attribute 5)."},
    [F_DISK_PENDING] = {"kagent_disk_pending_sectors",
			"Sectors pending reallocation (ATA attribute 197)."},
    [F_DISK_UNCORR] = {"kagent_disk_uncorrectable_sectors",
		       "Offline uncorrectable sectors (ATA attribute 198)."},
    [F_DISK_USED] = {"kagent_disk_percentage_used",
		     "NVMe estimate of the life used, percent (may exceed "
		     "100)."},
    [F_DISK_MEDIA] = {"kagent_disk_media_errors",
		      "NVMe media and data integrity errors."},
    [F_DISK_SPARE] = {"kagent_disk_available_spare",
		      "NVMe available spare capacity, percent."},
    [F_DISK_RAID_INFO] = {"kagent_disk_raid_member_info",
			  "A disk behind the RAID controller of a logical "
			  "disk, value 1; its SMART series carry the same "
			  "raid_member label."},
};

#define MBPS_MAX (INT64_MAX / 125000)

struct hosts_render {
	struct prom_family f[F_N];
	const kagent_v1_Report *r;
	const struct proto_lists *lists;
	struct check_results checks;
};

static void num(struct prom_family *f, const char *host, const char *lname,
		const char *lval, bool has, int64_t v)
{
	if (!has)
		return;
	prom_series(f, host);
	if (lname)
		prom_label(&f->b, lname, lval, false);
	prom_end_i64(f, v);
}

static void host_info(struct hosts_render *x, const char *host, bool decoded)
{
	const kagent_v1_Report *r = x->r;
	struct prom_family *f = &x->f[F_INFO];
	char roles[32] = "";
	size_t i;

	prom_series(f, host);
	if (decoded)
		for (i = 0; i < r->roles_count; i++) {
			const char *n =
			    r->roles[i] == kagent_v1_Role_ROLE_KAFKA ? "kafka"
			    : r->roles[i] == kagent_v1_Role_ROLE_ZOOKEEPER
				? "zookeeper"
				: NULL;

			if (n && strlen(roles) + strlen(n) + 2 < sizeof roles)
				strcat(strcat(roles, roles[0] ? "," : ""), n);
		}
	prom_label(&f->b, "cluster", decoded ? r->cluster : "", false);
	prom_label(&f->b, "rack", decoded ? r->rack : "", false);
	prom_label(&f->b, "zone", decoded ? r->zone : "", false);
	prom_label(&f->b, "roles", roles, false);
	prom_label(&f->b, "version", decoded ? r->agent_version : "", false);
	prom_label(&f->b, "kernel", decoded ? r->kernel : "", false);
	prom_label(&f->b, "board_vendor", decoded ? r->board.vendor : "",
		   false);
	prom_label(&f->b, "board_product", decoded ? r->board.product : "",
		   false);
	prom_end_i64(f, 1);
}

/* Mbit/s to bytes/s as node_network_speed_bytes; a speed no link has is
 * unknown rather than an overflow.  -1: no series. */
static int64_t mbps_to_bytes(bool has, int64_t mbps)
{
	return has && mbps >= 0 && mbps <= MBPS_MAX ? mbps * 125000 : -1;
}

static void nics(struct hosts_render *x, const char *host)
{
	const kagent_v1_Nic *n = x->lists->nics.v;
	int64_t speed, max;
	size_t i, j;

	for (i = 0; i < x->lists->nics.n; i++) {
		const char *d = n[i].name;

		/* One series per device, whatever the report repeats. */
		for (j = 0; j < i && strcmp(n[j].name, d); j++)
			;
		if (j < i)
			continue;
		speed = mbps_to_bytes(n[i].has_speed_mbps, n[i].speed_mbps);
		max =
		    mbps_to_bytes(n[i].has_max_speed_mbps, n[i].max_speed_mbps);
		num(&x->f[F_NIC_SPEED], host, "device", d, speed >= 0, speed);
		num(&x->f[F_NIC_MAX], host, "device", d, max >= 0, max);
		num(&x->f[F_NIC_CARRIER], host, "device", d, n[i].has_carrier,
		    n[i].carrier);
		num(&x->f[F_NIC_MTU], host, "device", d, n[i].has_mtu,
		    n[i].mtu);
	}
}

static const char *disk_kind(kagent_v1_DiskKind k)
{
	return k == kagent_v1_DiskKind_DISK_KIND_MD   ? "md"
	       : k == kagent_v1_DiskKind_DISK_KIND_DM ? "dm"
						      : "physical";
}

/* A disk's series, or those of a disk behind its RAID controller: the
 * logical disk's device label and the member's raid_member label. */
static void num_m(struct prom_family *f, const char *host, const char *dev,
		  const char *member, bool has, int64_t v)
{
	if (!has)
		return;
	prom_series(f, host);
	prom_label(&f->b, "device", dev, false);
	if (member != NULL)
		prom_label(&f->b, "raid_member", member, false);
	prom_end_i64(f, v);
}

static void disk_health(struct hosts_render *x, const char *host,
			const char *n, const char *m,
			const kagent_v1_Health *h)
{
	struct prom_family *f = x->f;
	int sev = coll_severity_from_proto(h->verdict);
	bool poh_known = h->has_power_on_hours && h->power_on_hours >= 0 &&
			 h->power_on_hours <= INT64_MAX / 3600;

	num_m(&f[F_DISK_HEALTH], host, n, m, true,
	    sev < 0 ? SEV_UNKNOWN : sev);
	num_m(&f[F_DISK_TEMP], host, n, m, h->has_temperature_c,
	    h->temperature_c);
	num_m(&f[F_DISK_POH], host, n, m, poh_known,
	    poh_known ? h->power_on_hours * 3600 : 0);
	num_m(&f[F_DISK_CYCLES], host, n, m, h->has_power_cycles,
	    h->power_cycles);
	num_m(&f[F_DISK_REALLOC], host, n, m, h->has_reallocated_sectors,
	    h->reallocated_sectors);
	num_m(&f[F_DISK_PENDING], host, n, m, h->has_pending_sectors,
	    h->pending_sectors);
	num_m(&f[F_DISK_UNCORR], host, n, m, h->has_uncorrectable_sectors,
	    h->uncorrectable_sectors);
	num_m(&f[F_DISK_USED], host, n, m, h->has_percentage_used,
	    h->percentage_used);
	num_m(&f[F_DISK_MEDIA], host, n, m, h->has_media_errors,
	    h->media_errors);
	num_m(&f[F_DISK_SPARE], host, n, m, h->has_available_spare,
	    h->available_spare);
}

static void raid_members(struct hosts_render *x, const char *host,
			 const kagent_v1_Disk *d)
{
	struct prom_family *f = &x->f[F_DISK_RAID_INFO];
	pb_size_t j;

	for (j = 0; j < d->raid_members_count &&
		    j < sizeof d->raid_members / sizeof d->raid_members[0]; j++) {
		const kagent_v1_RaidMember *m = &d->raid_members[j];

		prom_series(f, host);
		prom_label(&f->b, "device", d->name, false);
		prom_label(&f->b, "raid_member", m->device_type, false);
		prom_label(&f->b, "path", m->path, false);
		prom_label(&f->b, "model", m->model, false);
		prom_label(&f->b, "serial", m->serial, false);
		prom_end_i64(f, 1);
		if (m->has_health)
			disk_health(x, host, d->name, m->device_type,
				    &m->health);
	}
}

static void disks(struct hosts_render *x, const char *host)
{
	const kagent_v1_Disk *d = x->lists->disks.v;
	struct prom_family *f = &x->f[F_DISK_INFO];
	size_t i, j;

	for (i = 0; i < x->lists->disks.n; i++) {
		for (j = 0; j < i && strcmp(d[j].name, d[i].name); j++)
			;
		if (j < i)
			continue;
		prom_series(f, host);
		prom_label(&f->b, "device", d[i].name, false);
		prom_label(&f->b, "kind", disk_kind(d[i].kind), false);
		prom_label(&f->b, "model", d[i].model, false);
		prom_label(&f->b, "vendor", d[i].vendor, false);
		prom_label(&f->b, "serial", d[i].serial, false);
		prom_label(&f->b, "transport", d[i].transport, false);
		prom_end_i64(f, 1);
		num(&x->f[F_DISK_SIZE], host, "device", d[i].name,
		    d[i].has_size_bytes, d[i].size_bytes);
		num(&x->f[F_DISK_ROT], host, "device", d[i].name,
		    d[i].has_rotational, d[i].rotational);
		if (d[i].has_health)
			disk_health(x, host, d[i].name, NULL, &d[i].health);
		raid_members(x, host, &d[i]);
	}
}

static void sensor_one(struct prom_family *f, const char *host,
		       const kagent_v1_Sensor *s, bool has, double v)
{
	if (!has || !isfinite(v))
		return;
	prom_series(f, host);
	prom_label(&f->b, "chip", s->chip, false);
	prom_label(&f->b, "label", s->label, false);
	prom_end_double(f, v);
}

static void sensors(struct hosts_render *x, const char *host)
{
	const kagent_v1_Sensor *s = x->lists->sensors.v;
	struct prom_family *f;
	size_t i, j;

	for (i = 0; i < x->lists->sensors.n; i++) {
		for (j = 0; j < i && (strcmp(s[j].chip, s[i].chip) ||
				      strcmp(s[j].label, s[i].label));
		     j++)
			;
		if (j < i)
			continue;
		if (s[i].has_alarm)
			sensor_one(&x->f[F_ALARM], host, &s[i], true,
				   s[i].alarm ? 1 : 0);
		if (s[i].kind < kagent_v1_SensorKind_SENSOR_KIND_TEMP ||
		    s[i].kind > kagent_v1_SensorKind_SENSOR_KIND_POWER ||
		    s[i].fault)
			continue;
		f = &x->f[F_SENSOR + 3 * (int)s[i].kind];
		sensor_one(&f[0], host, &s[i], s[i].has_value, s[i].value);
		sensor_one(&f[1], host, &s[i], s[i].has_max, s[i].max);
		sensor_one(&f[2], host, &s[i], s[i].has_crit, s[i].crit);
	}
}

static void facts(struct hosts_render *x, const char *host)
{
	const kagent_v1_Inventory *inv = &x->r->inventory;
	const kagent_v1_Cpu *c = &inv->cpu;
	const kagent_v1_Memory *m = &inv->memory;
	struct prom_family *f = x->f;

	num(&f[F_MEM_TOTAL], host, NULL, NULL, m->has_total_bytes,
	    m->total_bytes);
	num(&f[F_MEM_INSTALLED], host, NULL, NULL, m->has_installed_bytes,
	    m->installed_bytes);
	num(&f[F_CPU_CORES], host, NULL, NULL, c->has_cores, c->cores);
	num(&f[F_CPU_THREADS], host, NULL, NULL, c->has_logical, c->logical);
	nics(x, host);
	disks(x, host);
	sensors(x, host);
}

/* The families of one host, packed: family i's series are
 * text[off[i], off[i + 1]).  The row's own families (verdict, stale, seen,
 * interval) are written at each scrape: staleness depends on the time. */
struct coll_host_series {
	uint32_t off[F_N + 1];
	char text[];
};

static int series_pack(struct prom_family *f, struct coll_host_series **out)
{
	struct coll_host_series *hs;
	size_t n = 0;
	int i;

	for (i = 0; i < F_N; i++) {
		if (f[i].b.err)
			return f[i].b.err;
		n += f[i].b.n;
	}
	if (n > UINT32_MAX)
		return -E2BIG;
	hs = malloc(sizeof *hs + n + 1);
	if (hs == NULL)
		return -ENOMEM;
	for (i = 0, n = 0; i < F_N; i++) {
		hs->off[i] = (uint32_t)n;
		if (f[i].b.n)
			memcpy(hs->text + n, f[i].b.p, f[i].b.n);
		n += f[i].b.n;
	}
	hs->off[F_N] = (uint32_t)n;
	*out = hs;
	return 0;
}

int coll_metrics_host_series(const char *host, const kagent_v1_Report *r,
			     const struct proto_lists *l,
			     struct coll_host_series **out)
{
	struct hosts_render *x = calloc(1, sizeof *x);
	struct prom_family *cf;
	const struct check_result *c;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (x == NULL)
		return -ENOMEM;
	for (i = 0; i < F_N; i++)
		coll_metrics_family((int)i, &x->f[i].name, &x->f[i].help);
	x->r = r;
	x->lists = l;
	cf = &x->f[F_CHECK];
	/* A stored report that does not decode still has its info, stale
	 * and seen series: the host is known, its facts are not. */
	host_info(x, host, r != NULL);
	/* One series per check id and instance, however often the report
	 * repeats it. */
	if (r != NULL && coll_checks_from_report(l, &x->checks) < 0)
		rc = -ENOMEM;
	c = x->checks.v;
	for (i = 0; r != NULL && rc == 0 && i < x->checks.n; i++) {
		prom_series(cf, host);
		prom_label(&cf->b, "check", c[i].id, false);
		prom_label(&cf->b, "check_instance", c[i].instance, false);
		prom_end_i64(cf, (int)c[i].sev);
	}
	if (r != NULL && rc == 0)
		facts(x, host);
	if (rc == 0)
		rc = series_pack(x->f, out);
	for (i = 0; i < F_N; i++)
		free(x->f[i].b.p);
	check_results_free(&x->checks);
	free(x);
	return rc;
}

void coll_host_series_free(struct coll_host_series *hs)
{
	free(hs);
}

int coll_metrics_family(int i, const char **name, const char **help)
{
	const char *const *d = i < F_SENSOR  ? fam_def[i]
			       : i < F_ALARM ? sensor_fam[i - F_SENSOR]
					     : NULL;

	if (i < 0 || i >= F_N)
		return -ENOENT;
	*name = d ? d[0] : "kagent_sensor_alarm";
	*help = d ? d[1] : "1 when the sensor's alarm is raised.";
	return i == F_VERDICT	 ? COLL_MF_VERDICT
	       : i == F_STALE	 ? COLL_MF_STALE
	       : i == F_SEEN	 ? COLL_MF_SEEN
	       : i == F_INTERVAL ? COLL_MF_INTERVAL
				 : COLL_MF_REPORT;
}

size_t coll_host_series_get(const struct coll_host_series *hs, int i,
			    const char **p)
{
	*p = hs->text + hs->off[i];
	return hs->off[i + 1] - hs->off[i];
}
