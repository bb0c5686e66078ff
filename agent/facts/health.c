/* disk.health (ROLES.md): one verdict per disk from whatever SMART source
 * answered.  The reason names the state or attribute that decided it, so
 * an operator can act on the one line without running skdump. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "smart_ata.h"

/* Appends to the reason; a reason that does not fit is cut, not dropped. */
static void reason_add(struct disk_health *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason_add(struct disk_health *h, const char *fmt, ...)
{
	size_t len = strlen(h->reason);
	va_list ap;

	if (len + 1 >= sizeof h->reason)
		return;
	va_start(ap, fmt);
	vsnprintf(h->reason + len, sizeof h->reason - len, fmt, ap);
	va_end(ap);
}

/* Lists the pre-failure attributes libatasmart judged at or below their
 * threshold, now or at their worst: the ones that made the overall bad. */
static void list_bad_attrs(const struct hw_ata_smart *s, bool now,
			   struct disk_health *h)
{
	const char *sep = ": ";
	size_t i;

	for (i = 0; i < s->n_attrs; i++) {
		const struct hw_ata_attr *a = &s->attrs[i];
		struct hw_num good = now ? a->good_now : a->good_past;

		if (!a->prefail || !good.known || good.v)
			continue;
		reason_add(h, "%s%s (%u)", sep, a->name, a->id);
		sep = ", ";
	}
}

static void judge_overall(const struct hw_ata_smart *s, struct disk_health *h)
{
	const char *name = hw_ata_overall_name(s->overall);

	switch (s->overall) {
	case HW_ATA_OVERALL_BAD_STATUS:
		h->verdict = SEV_FAIL;
		reason_add(h, "%s: the disk's self-assessment says failing",
			   name);
		break;
	case HW_ATA_OVERALL_BAD_ATTRIBUTE_NOW:
		h->verdict = SEV_FAIL;
		reason_add(h, "%s", name);
		list_bad_attrs(s, true, h);
		break;
	case HW_ATA_OVERALL_BAD_SECTOR_MANY:
		h->verdict = SEV_FAIL;
		reason_add(h, "%s: bad sectors %lld", name,
			   (long long)s->bad_sectors.v);
		break;
	case HW_ATA_OVERALL_BAD_SECTOR:
		h->verdict = SEV_WARN;
		reason_add(h, "%s: bad sectors %lld", name,
			   (long long)s->bad_sectors.v);
		break;
	case HW_ATA_OVERALL_BAD_ATTRIBUTE_IN_THE_PAST:
		h->verdict = SEV_WARN;
		reason_add(h, "%s", name);
		list_bad_attrs(s, false, h);
		break;
	case HW_ATA_OVERALL_GOOD:
		h->verdict = SEV_PASS;
		break;
	case HW_ATA_OVERALL_UNKNOWN:
		h->verdict = SEV_UNKNOWN;
		break;
	}
}

/* Sector counts come from libatasmart's reading of the attribute, not the
 * raw bytes: some drives keep other data in the upper raw bytes (Fujitsu's
 * attribute 5 reads 0x07d000000000 with no reallocated sector), and drive
 * quirks mark attributes whose raw value is no count at all. */
void health_from_ata(const struct hw_ata_smart *s, struct disk_health *out)
{
	static const uint8_t sector_ids[] = { 5, 197, 198 };
	const char *sep = "";
	size_t i;

	memset(out, 0, sizeof *out);
	out->verdict = SEV_UNKNOWN;
	snprintf(out->source, sizeof out->source, "atasmart");
	if (s->asleep) {
		out->verdict = SEV_UNKNOWN;
		reason_add(out, "disk asleep, not woken");
		return;
	}
	if (s->overall == HW_ATA_OVERALL_UNKNOWN) {
		out->verdict = SEV_UNKNOWN;
		reason_add(out, "no SMART status in the data");
		return;
	}
	judge_overall(s, out);
	if (out->reason[0])
		sep = "; ";
	for (i = 0; i < sizeof sector_ids; i++) {
		const struct hw_ata_attr *a = hw_ata_smart_attr(s, sector_ids[i]);

		if (a == NULL || !a->sectors.known || a->sectors.v <= 0)
			continue;
		reason_add(out, "%s%s (%u) = %lld", sep, a->name, a->id,
			   (long long)a->sectors.v);
		sep = ", ";
		if (out->verdict == SEV_PASS)
			out->verdict = SEV_WARN;
	}
	if (out->verdict == SEV_PASS)
		reason_add(out, "GOOD");
}
