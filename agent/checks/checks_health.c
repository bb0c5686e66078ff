/* The health of the host itself, whatever its role: links that came up
 * slower than they can, failing disks, hot boards. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "disk_health.h"
#include "health_raid.h"
#include "root.h"
#include "health_sensors.h"

#define ROLE_NICS_MAX (2 * HW_NIC_MEMBERS_MAX)

/* One port: the speed it negotiated against the best mode both ends
 * advertise.  That best mode comes from ethtool's link modes on the live
 * host only; a captured tree, and a veth pair (no link modes at all),
 * leave it unknown. */
static void downshift_one(const struct hw_nic *n, const char *why, bool live,
			  struct check_results *out)
{
	char m[32], r[40], best[32];

	/* As for os.clock: a captured tree has no link to ask, so the check
	 * does not apply there and must not turn the verdict UNKNOWN. */
	if (!n->max_speed_mbps.known && !live) {
		check_add(out, "nic.downshift", n->name, SEV_INFO, "not judged",
			  "",
			  "%s: link modes are read from the live kernel "
			  "only; judge it on the host itself",
			  n->name);
		return;
	}
	if (!n->max_speed_mbps.known) {
		check_add(out, "nic.downshift", n->name, SEV_UNKNOWN, "", "",
			  "%s: the speeds both ends support are unknown: "
			  "ethtool reports no link modes (virtio, veth and "
			  "other virtual NICs have none) (%s)",
			  n->name, why);
		return;
	}
	check_fmt_mbps(best, sizeof best, n->max_speed_mbps.v);
	snprintf(r, sizeof r, "%s", best);
	if (!n->speed_mbps.known) {
		check_add(out, "nic.downshift", n->name, SEV_UNKNOWN, "", r,
			  "%s reports no negotiated speed (no carrier?)",
			  n->name);
		return;
	}
	check_fmt_mbps(m, sizeof m, n->speed_mbps.v);
	if (n->speed_mbps.v < n->max_speed_mbps.v)
		check_add(
		    out, "nic.downshift", n->name, SEV_WARN, m, r,
		    "%s negotiated %s although both ends support %s: check the "
		    "cable, the switch port and forced speed settings",
		    n->name, m, best);
	else
		check_add(out, "nic.downshift", n->name, SEV_PASS, m, r,
			  "%s (%s)", n->name, why);
}

static bool is_live(const struct facts *f)
{
	return f->root && hw_root_is_live(f->root);
}

static bool seen(const struct hw_nic **v, size_t n, const struct hw_nic *x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* The ports under the role's interface: a bond's members each negotiate
 * their own link; the bond itself has none. */
static void check_downshift(const struct facts *f, struct check_results *out)
{
	const struct {
		unsigned role;
		const struct hw_nic *nic;
		const char *why, *error;
	} roles[] = {
	    {CORE_ROLE_KAFKA, f->kafka_nic, f->kafka_nic_why,
	     f->kafka ? NULL : f->kafka_error},
	    {CORE_ROLE_ZOOKEEPER, f->zk_nic, f->zk_nic_why,
	     f->zk ? NULL : f->zk_error},
	};
	const struct hw_nic *done[ROLE_NICS_MAX];
	bool live = is_live(f);
	size_t i, j, n = 0;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		const struct hw_nic *nic = roles[i].nic;

		if (!(f->roles & roles[i].role))
			continue;
		if (roles[i].error || nic == NULL) {
			check_add(
			    out, "nic.downshift", NULL, SEV_UNKNOWN, "", "",
			    "%s traffic: %s", conf_roles_name(roles[i].role),
			    roles[i].error ? roles[i].error : roles[i].why);
			continue;
		}
		if (!nic->bond) {
			if (!seen(done, n, nic) && n < ROLE_NICS_MAX) {
				done[n++] = nic;
				downshift_one(nic, roles[i].why, live, out);
			}
			continue;
		}
		for (j = 0; j < nic->n_members; j++) {
			const struct hw_nic *m =
			    hw_nics_find(&f->inv.nics, nic->members[j]);

			if (m == NULL) {
				check_add(out, "nic.downshift", nic->members[j],
					  SEV_UNKNOWN, "", "",
					  "%s lists member %s, which has no "
					  "sys/class/net entry",
					  nic->name, nic->members[j]);
			} else if (!seen(done, n, m) && n < ROLE_NICS_MAX) {
				done[n++] = m;
				downshift_one(m, roles[i].why, live, out);
			}
		}
	}
}

/* One result per physical disk; md and dm volumes have no SMART of their
 * own, their members are listed.  The verdict and its reason are the
 * inventory's (disk_health.c), which already says "needs CAP_SYS_RAWIO"
 * or "disk asleep, not woken" when it could not read. */
static void check_disk_health(const struct facts *f, struct check_results *out)
{
	static const char *const measured[] = {
	    [SEV_UNKNOWN] = "",
	    [SEV_INFO] = "",
	    [SEV_PASS] = "healthy",
	    [SEV_WARN] = "degrading",
	    [SEV_FAIL] = "failing",
	};
	const struct hw_disks *disks = &f->inv.disks;
	size_t i, n = 0;

	/* A captured tree has no device to ask: one result says so rather
	 * than one per disk. */
	if (!is_live(f)) {
		check_add(out, "disk.health", NULL, SEV_INFO, "not judged",
			  "healthy",
			  "SMART is read from the live devices only; "
			  "judge it on the host itself");
		return;
	}
	for (i = 0; i < disks->n; i++) {
		const struct hw_disk *d = &disks->v[i];
		const struct disk_health *h;

		if (d->kind != HW_DISK_PHYSICAL)
			continue;
		n++;
		if (f->inv.smart == NULL) {
			check_add(out, "disk.health", d->name, SEV_UNKNOWN, "",
				  "healthy", "SMART was not read");
			continue;
		}
		h = &f->inv.smart[i].health;
		check_add(
		    out, "disk.health", d->name, h->verdict,
		    (unsigned)h->verdict <= SEV_FAIL ? measured[h->verdict]
							: "",
		    "healthy", "%s%s%s%s", h->reason, h->source[0] ? " (" : "",
		    h->source, h->source[0] ? ")" : "");
		/* The disks behind its controller, each judged alone:
		 * instance "sda/megaraid,0". */
		for (size_t k = 0; f->inv.raid && k < f->inv.raid->n; k++) {
			const struct disk_raid_member *m = &f->inv.raid->v[k];
			char inst[HW_DISKNAME_MAX + HW_SCAN_TYPE_MAX + 2];

			if (m->disk != i)
				continue;
			h = &m->smart.health;
			snprintf(inst, sizeof inst, "%s/%s", d->name, m->type);
			check_add(out, "disk.health", inst, h->verdict,
				  (unsigned)h->verdict <= SEV_FAIL
				      ? measured[h->verdict]
				      : "",
				  "healthy", "%s on %s%s%s%s", h->reason,
				  m->node, h->source[0] ? " (" : "", h->source,
				  h->source[0] ? ")" : "");
		}
	}
	if (n == 0)
		check_add(out, "disk.health", NULL, SEV_UNKNOWN, "", "healthy",
			  "no physical disk found in sys/block");
}

static void fmt_sensor_value(char *buf, size_t len, const char *prefix,
			     double v, enum board_sensor_kind k)
{
	const char *unit = board_sensor_unit(k);

	snprintf(buf, len, "%s%g%s%s", prefix, v, unit[0] ? " " : "", unit);
}

/* One result per sensor, judged by health_from_sensor against the chip's
 * own limits. */
static void check_sensors(const struct facts *f, struct check_results *out)
{
	const struct board_sensors *s = &f->inv.sensors;
	size_t i;

	if (!is_live(f)) {
		check_add(out, "board.sensors", NULL, SEV_INFO, "not judged",
			  "within limits", "%s; judge it on the host itself",
			  f->inv.sensors_error);
		return;
	}
	if (!f->inv.sensors_known || s->n == 0) {
		check_add(out, "board.sensors", NULL, SEV_UNKNOWN, "",
			  "within limits", "%s", f->inv.sensors_error);
		return;
	}
	for (i = 0; i < s->n; i++) {
		const struct board_sensor *b = &s->v[i];
		struct sensor_verdict v = {SEV_UNKNOWN, ""};
		char inst[64], m[48] = "", r[48] = "no alarm";

		health_from_sensor(b, &v);
		snprintf(inst, sizeof inst, "%s %s", b->chip, b->label);
		if (b->kind == BOARD_SENSOR_INTRUSION)
			snprintf(m, sizeof m, "%s",
				 !b->alarm.known ? ""
				 : b->alarm.v	 ? "alarm"
						 : "no alarm");
		else if (b->value.known)
			fmt_sensor_value(m, sizeof m, "", b->value.v, b->kind);
		if (b->max.known)
			fmt_sensor_value(r, sizeof r, "< max ", b->max.v,
					 b->kind);
		else if (b->crit.known)
			fmt_sensor_value(r, sizeof r, "< crit ", b->crit.v,
					 b->kind);
		check_add(out, "board.sensors", inst, v.verdict, m, r,
			  "%s", v.reason);
	}
}

const struct check_def checks_health[] = {
    {"nic.downshift", CORE_ROLE_KAFKA | CORE_ROLE_ZOOKEEPER, check_downshift,
     "warn when the role's NIC negotiated less than both ends support"},
    {"disk.health", 0, check_disk_health,
     "per disk and disk behind a RAID controller: fail when SMART says failing, warn on bad sectors or wear"},
    {"board.sensors", 0, check_sensors,
     "per sensor: warn past max or on an alarm, fail past critical"},
};
const size_t checks_health_len = sizeof checks_health / sizeof checks_health[0];
