/*
 * fuzz_nvme.c — a controller's SMART / Health Information log page
 * through hw_nvme_parse_health_log.
 *
 * The page is fixed-size, so the interesting properties are exact ones:
 * short pages are refused, and a known counter equals its 128-bit little
 * endian field when that fits an int64_t (nvme.h), read here independently.
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "nvme.h"

#define H "fuzz_nvme"

/* The counter at off as nvme.h defines it: known iff the high 64 bits are
 * zero and the low 64 fit an int64_t. */
static void check_counter(const uint8_t *log, size_t off, struct hw_num n,
			  const char *what)
{
	uint64_t lo = 0, hi = 0;
	int i;

	for (i = 7; i >= 0; i--) {
		lo = lo << 8 | log[off + (size_t)i];
		hi = hi << 8 | log[off + 8 + (size_t)i];
	}
	if (hi != 0 || lo > INT64_MAX) {
		fuzz_require(!n.known, H, what);
		return;
	}
	fuzz_require(n.known && (uint64_t)n.v == lo, H, what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_nvme_health h;
	unsigned bit;
	int r;

	r = hw_nvme_parse_health_log(data, size, &h);
	if (size < HW_NVME_LOG_LEN) {
		fuzz_require(r == -EINVAL, H, "short page accepted");
		return 0;
	}
	fuzz_require(r == 0, H, "full page refused");
	fuzz_require(h.critical_warning == data[0], H, "critical warning");
	for (bit = 0; bit < 8; bit++)
		fuzz_require(hw_nvme_critical_warning_name(bit) != NULL, H,
			     "warning bit without a name");
	check_counter(data, 32, h.data_units_read, "data units read");
	check_counter(data, 48, h.data_units_written, "data units written");
	check_counter(data, 112, h.power_cycles, "power cycles");
	check_counter(data, 128, h.power_on_hours, "power on hours");
	check_counter(data, 144, h.unsafe_shutdowns, "unsafe shutdowns");
	check_counter(data, 160, h.media_errors, "media errors");
	check_counter(data, 176, h.error_log_entries, "error log entries");
	return 0;
}
