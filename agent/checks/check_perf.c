/* The numbers behind the checks as performance data (check_perf.h).  The
 * thresholds are those the checks use, so a graph's warn and crit lines
 * sit where kagent check changes its verdict. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_perf.h"
#include "checks.h"
#include "disk_health.h"

static struct check_perf *perf_add(struct check_perfs *p, const char *uom,
				   const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct check_perf *perf_add(struct check_perfs *p, const char *uom,
				   const char *fmt, ...)
{
	struct check_perf *e;
	va_list ap;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct check_perf *v = realloc(p->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	e = &p->v[p->n++];
	memset(e, 0, sizeof *e);
	e->uom = uom;
	va_start(ap, fmt);
	vsnprintf(e->label, sizeof e->label, fmt, ap);
	va_end(ap);
	return e;
}

static void i64(char *buf, int64_t v)
{
	snprintf(buf, CHECK_PERF_NUM_MAX, "%" PRId64, v);
}

/* "N:": alert when the value is below N, the plugins' range for a
 * minimum. */
static void at_least(char *buf, int64_t v)
{
	snprintf(buf, CHECK_PERF_NUM_MAX, "%" PRId64 ":", v);
}

/* A reading with up to three decimals, trailing zeros cut: the grammar
 * has no exponent, so %g will not do. */
static void dbl(char *buf, size_t len, double v)
{
	char *p;

	snprintf(buf, len, "%.3f", v);
	if (strchr(buf, '.') == NULL)
		return;
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
}

static int perf_memory(const struct facts *f, struct check_perfs *p)
{
	const struct thresholds *t = &f->conf.th;
	struct check_perf *e;
	struct checks_memory m;
	int64_t warn, fail;

	checks_memory_of(f, &m);
	if (!m.known)
		return 0;
	e = perf_add(p, "B", "memory");
	if (e == NULL)
		return -ENOMEM;
	i64(e->value, m.bytes);
	i64(e->min, 0);
	/* A host of both roles is held to the broker's figures, the larger. */
	if (f->roles & CORE_ROLE_KAFKA) {
		warn = t->kafka_memory_warn_below;
		fail = t->kafka_memory_fail_below;
	} else if (f->roles & CORE_ROLE_ZOOKEEPER) {
		warn = t->zk_memory_warn_below;
		fail = t->zk_memory_fail_below;
	} else {
		return 0;
	}
	at_least(e->warn,
		 checks_memory_limit(&m, warn, t->memory_tolerance_pct));
	at_least(e->crit,
		 checks_memory_limit(&m, fail, t->memory_tolerance_pct));
	return 0;
}

static int perf_cores(const struct facts *f, struct check_perfs *p)
{
	const struct hw_num *c = &f->inv.cpu.cores;
	struct check_perf *e;

	if (!c->known)
		return 0;
	e = perf_add(p, "", "cpu.cores");
	if (e == NULL)
		return -ENOMEM;
	i64(e->value, c->v);
	i64(e->min, 0);
	if (f->roles & CORE_ROLE_KAFKA)
		at_least(e->warn, f->conf.th.kafka_cores_warn_below);
	return 0;
}

/* Every interface with a link speed; the one carrying a role's traffic
 * with that role's minimum as crit (the check fails below it). */
static int perf_nics(const struct facts *f, struct check_perfs *p)
{
	size_t i;

	for (i = 0; i < f->inv.nics.n; i++) {
		const struct hw_nic *n = &f->inv.nics.v[i];
		int64_t crit = -1;
		struct check_perf *e;

		if (!n->speed_mbps.known)
			continue;
		e = perf_add(p, "", "nic.%s.speed_mbps", n->name);
		if (e == NULL)
			return -ENOMEM;
		i64(e->value, n->speed_mbps.v);
		i64(e->min, 0);
		/* A link above the best common mode is a reading to doubt,
		 * not a value beyond its max. */
		if (n->max_speed_mbps.known &&
		    n->max_speed_mbps.v >= n->speed_mbps.v)
			i64(e->max, n->max_speed_mbps.v);
		if ((f->roles & CORE_ROLE_KAFKA) && f->kafka &&
		    n == f->kafka_nic)
			crit = f->conf.th.kafka_nic_fail_below;
		if ((f->roles & CORE_ROLE_ZOOKEEPER) && f->zk &&
		    n == f->zk_nic && f->conf.th.zk_nic_fail_below > crit)
			crit = f->conf.th.zk_nic_fail_below;
		if (crit >= 0)
			at_least(e->crit, crit);
	}
	return 0;
}

static bool under_zk_dir(const struct facts *f, const struct hw_disk *d)
{
	size_t i, j;

	if (!(f->roles & CORE_ROLE_ZOOKEEPER))
		return false;
	for (i = 0; i < f->n_zk_dirs; i++)
		for (j = 0; j < f->zk_dirs[i].n_disks; j++)
			if (f->zk_dirs[i].disks[j] == d)
				return true;
	return false;
}

/* The temperature SMART reported, whichever source read it. */
static const struct hw_num *disk_temperature(const struct disk_smart *s)
{
	switch (s->source) {
	case DISK_SRC_ATASMART:
		return &s->facts.ata.temperature_c;
	case DISK_SRC_NVME:
		return &s->facts.nvme.temperature_c;
	case DISK_SRC_SMARTCTL:
		return &s->facts.smartctl.temperature_c;
	default:
		return NULL;
	}
}

static int perf_disks(const struct facts *f, struct check_perfs *p)
{
	size_t i;

	for (i = 0; i < f->inv.disks.n; i++) {
		const struct hw_disk *d = &f->inv.disks.v[i];
		const struct hw_num *temp;
		struct check_perf *e;

		if (d->kind != HW_DISK_PHYSICAL)
			continue;
		/* 0 is a drive without a medium (an empty sr0), no size. */
		if (d->size_bytes.known && d->size_bytes.v > 0) {
			e = perf_add(p, "B", "disk.%s.size", d->name);
			if (e == NULL)
				return -ENOMEM;
			i64(e->value, d->size_bytes.v);
			i64(e->min, 0);
			if (under_zk_dir(f, d))
				at_least(e->warn,
					 f->conf.th.zk_disk_warn_below);
		}
		temp = f->inv.smart ? disk_temperature(&f->inv.smart[i]) : NULL;
		if (temp && temp->known) {
			e = perf_add(p, "", "disk.%s.temperature_c", d->name);
			if (e == NULL)
				return -ENOMEM;
			i64(e->value, temp->v);
		}
	}
	return 0;
}

/* As kafka.logdirs.capacity sums it: every log dir on local disks of
 * known size, each disk once; otherwise the figure is unknown. */
static int perf_logdirs(const struct facts *f, struct check_perfs *p)
{
	const struct hw_disk *disks[CHECKS_LOGDIR_DISKS_MAX];
	struct check_perf *e;
	int64_t sum = 0;
	size_t i, n;

	if (!(f->roles & CORE_ROLE_KAFKA) || f->kafka == NULL ||
	    f->n_logdirs == 0)
		return 0;
	for (i = 0; i < f->n_logdirs; i++)
		if (f->logdirs[i].mount == NULL || f->logdirs[i].n_disks == 0)
			return 0;
	n = checks_logdir_disks(f, disks, CHECKS_LOGDIR_DISKS_MAX);
	for (i = 0; i < n; i++) {
		if (!disks[i]->size_bytes.known)
			return 0;
		sum += disks[i]->size_bytes.v;
	}
	e = perf_add(p, "B", "kafka.logdirs.capacity");
	if (e == NULL)
		return -ENOMEM;
	i64(e->value, sum);
	i64(e->min, 0);
	at_least(e->warn, f->conf.th.kafka_logdirs_warn_below);
	return 0;
}

static int perf_zk_num(struct check_perfs *p, const char *label,
		       const char *uom, const struct hw_num *v)
{
	struct check_perf *e;

	if (!v->known)
		return 0;
	e = perf_add(p, uom, "zookeeper.%s", label);
	if (e == NULL)
		return -ENOMEM;
	i64(e->value, v->v);
	i64(e->min, 0);
	return 0;
}

/* What srvr and mntr said, when the server answered as a server. */
static int perf_zk(const struct facts *f, struct check_perfs *p)
{
	const struct zk_status *s = &f->zk_live;

	if (!(f->roles & CORE_ROLE_ZOOKEEPER) || f->zk == NULL ||
	    !f->zk_live_probed || s->state != ZK_RUNNING)
		return 0;
	if (perf_zk_num(p, "latency_min", "us", &s->latency_min_us) < 0 ||
	    perf_zk_num(p, "latency_avg", "us", &s->latency_avg_us) < 0 ||
	    perf_zk_num(p, "latency_max", "us", &s->latency_max_us) < 0 ||
	    perf_zk_num(p, "outstanding_requests", "", &s->outstanding) < 0 ||
	    perf_zk_num(p, "connections", "", &s->connections) < 0)
		return -ENOMEM;
	return 0;
}

/* The board's sensors against the chip's own limits: above max warns,
 * above crit fails (health_from_sensor); fans and voltages also warn
 * below their min. */
static int perf_sensors(const struct facts *f, struct check_perfs *p)
{
	const struct board_sensors *s = &f->inv.sensors;
	size_t i;

	if (!f->inv.sensors_known)
		return 0;
	for (i = 0; i < s->n; i++) {
		const struct board_sensor *b = &s->v[i];
		char lo[CHECK_PERF_NUM_MAX] = "~", hi[CHECK_PERF_NUM_MAX] = "";
		struct check_perf *e;

		if (b->kind == BOARD_SENSOR_INTRUSION || !b->value.known ||
		    b->fault)
			continue;
		e = perf_add(p, "", "sensor.%s.%s", b->chip, b->label);
		if (e == NULL)
			return -ENOMEM;
		dbl(e->value, sizeof e->value, b->value.v);
		if (b->min.known && (b->kind == BOARD_SENSOR_FAN ||
				     b->kind == BOARD_SENSOR_VOLTAGE))
			dbl(lo, sizeof lo, b->min.v);
		if (b->max.known) {
			dbl(hi, sizeof hi, b->max.v);
			snprintf(e->warn, sizeof e->warn, "%s:%s", lo, hi);
		} else if (strcmp(lo, "~") != 0) {
			snprintf(e->warn, sizeof e->warn, "%s:", lo);
		}
		if (b->crit.known) {
			dbl(hi, sizeof hi, b->crit.v);
			snprintf(e->crit, sizeof e->crit, "~:%s", hi);
		}
	}
	return 0;
}

int check_perf_collect(const struct facts *f, struct check_perfs *out)
{
	if (perf_memory(f, out) < 0 || perf_cores(f, out) < 0 ||
	    perf_nics(f, out) < 0 || perf_disks(f, out) < 0 ||
	    perf_logdirs(f, out) < 0 || perf_zk(f, out) < 0 ||
	    perf_sensors(f, out) < 0)
		return -ENOMEM;
	return 0;
}

void check_perfs_free(struct check_perfs *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}
