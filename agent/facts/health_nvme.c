/* disk.health (ROLES.md) from an NVMe SMART / Health Information log,
 * whether read through the admin ioctl or from smartctl's JSON. */
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "nvme.h"


/* Percentage used is the vendor's estimate of rated endurance consumed;
 * from 90 on the drive is near its end of life. */
#define NVME_WEAR_WARN 90

static void warning_bits(uint8_t cw, char *buf, size_t cap)
{
	size_t used = 0;
	unsigned bit;
	int n;

	buf[0] = '\0';
	for (bit = 0; bit < 8 && used < cap; bit++) {
		if (!(cw & (1u << bit)))
			continue;
		n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
			     hw_nvme_critical_warning_name(bit));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static bool spare_low(const struct hw_nvme_health *h)
{
	return h->available_spare.known && h->spare_threshold.known &&
	       h->available_spare.v < h->spare_threshold.v;
}

void health_from_nvme(const struct hw_nvme_health *h, struct disk_health *out)
{
	char bits[128];
	bool worn, media;

	memset(out, 0, sizeof *out);
	out->verdict = SEV_UNKNOWN;
	snprintf(out->source, sizeof out->source, "nvme");
	if (h == NULL) {
		out->verdict = SEV_UNKNOWN;
		snprintf(out->reason, sizeof out->reason, "no NVMe health log");
		return;
	}
	/* The controller sets bit 0 itself when the spare is low; the
	 * comparison also catches one that does not. */
	if (h->critical_warning != 0) {
		warning_bits(h->critical_warning, bits, sizeof bits);
		out->verdict = SEV_FAIL;
		snprintf(out->reason, sizeof out->reason,
			 "critical_warning=0x%02x (%s)", h->critical_warning,
			 bits);
		return;
	}
	if (spare_low(h)) {
		out->verdict = SEV_FAIL;
		snprintf(out->reason, sizeof out->reason,
			 "available_spare=%lld below threshold %lld",
			 (long long)h->available_spare.v,
			 (long long)h->spare_threshold.v);
		return;
	}
	media = h->media_errors.known && h->media_errors.v > 0;
	worn =
	    h->percentage_used.known && h->percentage_used.v >= NVME_WEAR_WARN;
	if (media && worn) {
		out->verdict = SEV_WARN;
		snprintf(out->reason, sizeof out->reason,
			 "media_errors=%lld; percentage_used=%lld",
			 (long long)h->media_errors.v,
			 (long long)h->percentage_used.v);
	} else if (media) {
		out->verdict = SEV_WARN;
		snprintf(out->reason, sizeof out->reason, "media_errors=%lld",
			 (long long)h->media_errors.v);
	} else if (worn) {
		out->verdict = SEV_WARN;
		snprintf(out->reason, sizeof out->reason,
			 "percentage_used=%lld",
			 (long long)h->percentage_used.v);
	} else {
		out->verdict = SEV_PASS;
		snprintf(out->reason, sizeof out->reason,
			 "critical_warning=0x00");
	}
}
