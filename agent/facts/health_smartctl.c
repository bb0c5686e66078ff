/* disk.health (ROLES.md) from smartctl's JSON report, for any protocol. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "smartctl.h"


/* Reallocated, current pending and offline-uncorrectable sectors: any of
 * them above zero means the medium has lost data at least once. */
static const int sector_attrs[] = {5, 197, 198};

/* Keeps the worst verdict; findings of that verdict are joined by "; ". */
static void note(struct disk_health *out, enum check_severity v,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(struct disk_health *out, enum check_severity v,
		 const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (v < out->verdict)
		return;
	if (v > out->verdict) {
		out->verdict = v;
		out->reason[0] = '\0';
	}
	used = strlen(out->reason);
	if (used > 0 && used + 2 < sizeof out->reason) {
		memcpy(out->reason + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->reason + used, sizeof out->reason - used, fmt, ap);
	va_end(ap);
}

/* No verdict without the SMART status: say why smartctl had none. */
static void no_status(const struct hw_smartctl *s, struct disk_health *out)
{
	out->verdict = SEV_UNKNOWN;
	if (s->n_messages > 0)
		snprintf(out->reason, sizeof out->reason, "smartctl: %s",
			 s->messages[0]);
	else if (s->exit_status.known && s->exit_status.v != 0)
		snprintf(out->reason, sizeof out->reason,
			 "no SMART status (smartctl exit status %lld)",
			 (long long)s->exit_status.v);
	else
		snprintf(out->reason, sizeof out->reason,
			 "no SMART status in smartctl output");
}

static void judge_ata(const struct hw_smartctl *s, struct disk_health *out)
{
	const struct hw_smartctl_attr *a;
	size_t i;

	for (i = 0; i < s->n_attrs; i++) {
		a = &s->attrs[i];
		if (strcmp(a->when_failed, "now") == 0)
			note(out, SEV_FAIL, "ata%d.when_failed=now", a->id);
		else if (strcmp(a->when_failed, "past") == 0)
			note(out, SEV_WARN, "ata%d.when_failed=past", a->id);
	}
	for (i = 0; i < sizeof sector_attrs / sizeof sector_attrs[0]; i++) {
		a = hw_smartctl_attr_find(s, sector_attrs[i]);
		if (a != NULL && a->raw.known && a->raw.v > 0)
			note(out, SEV_WARN, "ata%d.raw=%lld", a->id,
			     (long long)a->raw.v);
	}
}

void health_from_smartctl(const struct hw_smartctl *s, struct disk_health *out)
{
	memset(out, 0, sizeof *out);
	out->verdict = SEV_UNKNOWN;
	if (s == NULL || !s->smart_status.known) {
		if (s == NULL)
			snprintf(out->reason, sizeof out->reason,
				 "no smartctl report");
		else
			no_status(s, out);
		snprintf(out->source, sizeof out->source, "smartctl");
		return;
	}
	/* smartctl derives an NVMe drive's SMART status from the critical
	 * warning byte; the log itself says which bit. */
	if (s->has_nvme) {
		health_from_nvme(&s->nvme, out);
		snprintf(out->source, sizeof out->source, "smartctl");
		if (s->smart_status.v == 0 && out->verdict != SEV_FAIL) {
			out->verdict = SEV_FAIL;
			snprintf(out->reason, sizeof out->reason,
				 "smart_status.passed=false");
		}
		return;
	}

	snprintf(out->source, sizeof out->source, "smartctl");
	out->verdict = SEV_PASS;
	if (s->smart_status.v == 0) {
		if (s->scsi_ie_string[0] != '\0')
			note(out, SEV_FAIL,
			     "smart_status.passed=false (%s, asc=0x%02llx "
			     "ascq=0x%02llx)",
			     s->scsi_ie_string,
			     (unsigned long long)s->scsi_asc.v,
			     (unsigned long long)s->scsi_ascq.v);
		else
			note(out, SEV_FAIL, "smart_status.passed=false");
	}
	judge_ata(s, out);
	if (s->scsi_grown_defects.known && s->scsi_grown_defects.v > 0)
		note(out, SEV_WARN, "scsi_grown_defect_list=%lld",
		     (long long)s->scsi_grown_defects.v);
	if (out->verdict == SEV_PASS)
		snprintf(out->reason, sizeof out->reason,
			 "smart_status.passed=true");
}
