/* The inventory as a table for people.  Unknown values print as "-". */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "disk_health.h"
#include "health_raid.h"
#include "health_sensors.h"
#include "text_esc.h"

static const char *num(struct hw_num n, char *buf, size_t len)
{
	if (!n.known)
		return "-";
	snprintf(buf, len, "%" PRId64, n.v);
	return buf;
}

/* Names, models and serials come from sysfs, DMI and SMART: escaped, so
 * that a device cannot write escape sequences to the terminal. */
static const char *str(struct text_esc *e, const char *s)
{
	return text_esc(e, s[0] ? s : "-");
}

/* Sizes in powers of 1000 for disks (as vendors label them) and of 1024
 * for memory (as the kernel counts it). */
static const char *size(struct hw_num n, int base, char *buf, size_t len)
{
	static const char *units[2][6] = {
	    {"B", "kB", "MB", "GB", "TB", "PB"},
	    {"B", "KiB", "MiB", "GiB", "TiB", "PiB"},
	};
	double v;
	int u = 0;

	if (!n.known)
		return "-";
	v = (double)n.v;
	while (v >= base && u < 5) {
		v /= base;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[base == 1024][u]);
	return buf;
}

static void print_cpu_mem(const struct inventory *inv, FILE *out)
{
	struct text_esc esc = { .next = 0 };
	const struct hw_cpu *c = &inv->cpu;
	const struct hw_memory *m = &inv->memory;
	char a[32], b[32], d[32], e[32], f[32], g[32];

	fprintf(out, "CPU     %s\n", str(&esc, c->model));
	fprintf(out,
		"        sockets %s, cores %s, threads/core %s, logical %s, "
		"online %s, max %s MHz\n",
		num(c->sockets, a, sizeof a), num(c->cores, b, sizeof b),
		num(c->threads_per_core, d, sizeof d),
		num(c->logical, e, sizeof e), num(c->online, f, sizeof f),
		num(c->max_mhz, g, sizeof g));
	fprintf(out, "MEMORY  total %s, available %s, installed %s\n",
		size(m->total_bytes, 1024, a, sizeof a),
		size(m->available_bytes, 1024, b, sizeof b),
		size(m->installed_bytes, 1024, d, sizeof d));
}

/* One line per NIC with a neighbour or its own reason; when every NIC
 * shares one reason (no lldpd, a captured tree) it is said once. */
static void print_lldp(const struct inventory *inv, FILE *out)
{
	struct text_esc esc = {.next = 0};
	const struct hw_nics *ns = &inv->nics;
	bool same = ns->n > 0;
	size_t i;

	for (i = 1; same && i < ns->n; i++)
		same = ns->v[i].lldp.state == ns->v[0].lldp.state &&
		       ns->v[0].lldp.state != HW_LLDP_NEIGHBOUR &&
		       strcmp(ns->v[i].lldp.reason, ns->v[0].lldp.reason) == 0;
	if (same && ns->v[0].lldp.state != HW_LLDP_NEIGHBOUR) {
		fprintf(out, "LLDP    %s\n", str(&esc, ns->v[0].lldp.reason));
		return;
	}
	fprintf(out, "\n%-16s %-24s %-20s %-17s %-24s %s\n", "LLDP", "SWITCH",
		"PORT", "CHASSIS", "MANAGEMENT", "PORT DESCRIPTION");
	for (i = 0; i < ns->n; i++) {
		const struct hw_lldp *l = &ns->v[i].lldp;

		esc.next = 0;
		if (l->state != HW_LLDP_NEIGHBOUR)
			fprintf(out, "%-16s (%s)\n", str(&esc, ns->v[i].name),
				str(&esc, l->reason));
		else
			fprintf(out, "%-16s %-24s %-20s %-17s %-24s %s\n",
				str(&esc, ns->v[i].name), str(&esc, l->sysname),
				str(&esc, l->port_id), str(&esc, l->chassis_id),
				str(&esc, l->mgmt_addr),
				str(&esc, l->port_descr));
	}
}

static void print_nics(const struct inventory *inv, FILE *out)
{
	struct text_esc esc = { .next = 0 };
	char a[32], b[32], c[32];
	size_t i, j;

	fprintf(out, "\n%-16s %-17s %-8s %9s %9s %-6s %6s %-12s %s\n", "NIC",
		"MAC", "STATE", "SPEED", "MAX", "DUPLEX", "MTU", "DRIVER",
		"ADDRESSES");
	for (i = 0; i < inv->nics.n; i++) {
		const struct hw_nic *n = &inv->nics.v[i];

		fprintf(out, "%-16s %-17s %-8s %9s %9s %-6s %6s %-12s", str(&esc, n->name),
			str(&esc, n->mac), str(&esc, n->operstate),
			num(n->speed_mbps, a, sizeof a),
			num(n->max_speed_mbps, b, sizeof b), str(&esc, n->duplex),
			num(n->mtu, c, sizeof c),
			n->virtual ? "(virtual)" : str(&esc, n->driver));
		for (j = 0; j < n->n_addrs; j++)
			fprintf(out, "%s%s", j ? "," : " ",
				text_esc(&esc, n->addrs[j]));
		if (n->n_members) {
			fprintf(out, " bond:");
			for (j = 0; j < n->n_members; j++)
				fprintf(out, "%s%s", j ? "," : "",
					text_esc(&esc, n->members[j]));
		}
		fputc('\n', out);
	}
	fprintf(out, "default route via %s\n", str(&esc, inv->nics.default_route));
	print_lldp(inv, out);
}

static void print_disks(const struct inventory *inv, FILE *out)
{
	struct text_esc esc = { .next = 0 };
	char a[32], b[32], c[32];
	size_t i, j;

	fprintf(out, "\n%-10s %-5s %10s %-4s %-9s %-24s %-20s %9s %-8s %s\n",
		"DISK", "KIND", "SIZE", "ROT", "TRANSPORT", "MODEL", "SERIAL",
		"SECTORS", "HEALTH", "MOUNTS");
	for (i = 0; i < inv->disks.n; i++) {
		const struct hw_disk *d = &inv->disks.v[i];
		const char *kind = d->kind == HW_DISK_MD   ? "md"
				   : d->kind == HW_DISK_DM ? "dm"
							   : "disk";
		char sectors[40];

		snprintf(sectors, sizeof sectors, "%s/%s",
			 num(d->logical_sector, b, sizeof b),
			 num(d->physical_sector, c, sizeof c));
		fprintf(
		    out, "%-10s %-5s %10s %-4s %-9s %-24s %-20s %9s %-8s",
		    str(&esc, d->name), kind, size(d->size_bytes, 1000, a, sizeof a),
		    !d->rotational.known ? "-"
		    : d->rotational.v	 ? "hdd"
					 : "ssd",
		    str(&esc, d->transport), str(&esc, d->model), str(&esc, d->serial), sectors,
		    d->kind != HW_DISK_PHYSICAL || inv->smart == NULL
			? "-"
			: check_severity_name(inv->smart[i].health.verdict));
		for (j = 0; j < d->n_mounts; j++)
			fprintf(out, "%s%s(%s)", j ? "," : " ",
				text_esc(&esc, d->mounts[j].path),
				text_esc(&esc, d->mounts[j].fstype));
		if (d->n_members) {
			fprintf(out, " on:");
			for (j = 0; j < d->n_members; j++)
				fprintf(out, "%s%s", j ? "," : "",
					text_esc(&esc, d->members[j]));
		}
		fputc('\n', out);
	}
}

/* The disks behind the controller of logical disk i, under its line. */
static void print_raid_members(const struct inventory *inv, size_t i,
			       FILE *out)
{
	struct text_esc esc = { .next = 0 };
	size_t k;

	for (k = 0; inv->raid && k < inv->raid->n; k++) {
		const struct disk_raid_member *m = &inv->raid->v[k];
		const struct disk_health *h = &m->smart.health;

		if (m->disk != i)
			continue;
		fprintf(out, "  member %s/%s (%s): %s %s: %s: %s\n",
			str(&esc, inv->disks.v[i].name), m->type, m->node,
			str(&esc, disk_raid_model(m)),
			str(&esc, disk_raid_serial(m)),
			check_severity_name(h->verdict), str(&esc, h->reason));
	}
}

/* The table has no room for reasons; they follow it, one per disk. */
static void print_health_reasons(const struct inventory *inv, FILE *out)
{
	struct text_esc esc = { .next = 0 };
	size_t i;

	if (inv->smart == NULL)
		return;
	for (i = 0; i < inv->disks.n; i++) {
		const struct disk_health *h = &inv->smart[i].health;

		if (inv->disks.v[i].kind != HW_DISK_PHYSICAL)
			continue;
		fprintf(out, "health of %s: %s: %s (%s)\n",
			str(&esc, inv->disks.v[i].name),
			check_severity_name(h->verdict), str(&esc, h->reason),
			h->source[0] ? h->source : "no source");
		print_raid_members(inv, i, out);
	}
}

static void print_board(const struct inventory *inv, FILE *out)
{
	struct text_esc esc = { .next = 0 };
	const struct board_dmi *d = &inv->dmi;

	fprintf(out, "\nBOARD   %s %s, serial %s, bios %s, asset tag %s\n",
		str(&esc, d->vendor), str(&esc, d->product), str(&esc, d->serial),
		str(&esc, d->bios_version), str(&esc, d->chassis_asset_tag));
	if (inv->dmi_error[0])
		fprintf(out, "        (%s)\n", str(&esc, inv->dmi_error));
}

static const char *value(struct board_value v, char *buf, size_t len)
{
	if (!v.known)
		return "-";
	snprintf(buf, len, "%.3g", v.v);
	return buf;
}

static void print_sensors(const struct inventory *inv, FILE *out)
{
	struct text_esc esc = { .next = 0 };
	char a[32], b[32], c[32];
	size_t i;

	fprintf(out, "\n%-24s %-16s %-9s %9s %9s %9s %-5s %-4s %s\n",
		"SENSOR CHIP", "LABEL", "KIND", "VALUE", "MAX", "CRIT", "UNIT",
		"ALRM", "VERDICT");
	for (i = 0; inv->sensors_known && i < inv->sensors.n; i++) {
		const struct board_sensor *s = &inv->sensors.v[i];
		struct sensor_verdict sv;

		health_from_sensor(s, &sv);
		fprintf(out, "%-24s %-16s %-9s %9s %9s %9s %-5s %-4s %s\n",
			str(&esc, s->chip), str(&esc, s->label),
			board_sensor_kind_name(s->kind),
			value(s->value, a, sizeof a),
			value(s->max, b, sizeof b), value(s->crit, c, sizeof c),
			board_sensor_unit(s->kind),
			!s->alarm.known ? "-"
			: s->alarm.v	? "yes"
					: "no",
			check_severity_name(sv.verdict));
	}
	if (inv->sensors_error[0])
		fprintf(out, "sensors: %s\n", str(&esc, inv->sensors_error));
}

void inventory_print_text(const struct inventory *inv, FILE *out)
{
	print_cpu_mem(inv, out);
	print_nics(inv, out);
	print_disks(inv, out);
	print_health_reasons(inv, out);
	print_board(inv, out);
	print_sensors(inv, out);
}
