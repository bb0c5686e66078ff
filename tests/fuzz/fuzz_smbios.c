/*
 * fuzz_smbios.c — a DMI structure table (/sys/firmware/dmi/tables/DMI)
 * through hw_smbios_memory_sum, which walks it record by record.
 *
 * Checked: the result is 0 or one of the documented errors (-EINVAL a
 * malformed table, -ENODATA a module of unknown size, -ENOENT no memory
 * device); the sum is left alone on error; a sum is whole KiB (sizes are
 * in KB or MB); and the same table cut just after its end-of-table record's
 * formatted area
 * gives the same answer, so nothing past that record counts.
 */
#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "fuzz_util.h"
#include "hw.h"

#define H "fuzz_smbios"
#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

/* Where the walk stops: just past the formatted area of the type 127
 * record, or 0 when the table has none or is malformed before it. */
static size_t end_of_table(const uint8_t *t, size_t len)
{
	size_t off = 0, end;

	while (len - off >= 4 && t[off + 1] >= 4 && t[off + 1] <= len - off) {
		if (t[off] == 127)
			return off + t[off + 1];
		end = off + t[off + 1];
		while (len - end >= 2 && (t[end] || t[end + 1]))
			end++;
		if (len - end < 2)
			return 0;
		off = end + 2;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t sum = SENTINEL, sum2 = SENTINEL;
	size_t cut;
	int r, r2;

	r = hw_smbios_memory_sum(data, size, &sum);
	fuzz_require(r == 0 || r == -EINVAL || r == -ENODATA || r == -ENOENT,
		     H, "undocumented error");
	if (r < 0) {
		fuzz_require(sum == SENTINEL, H, "sum written on error");
		return 0;
	}
	fuzz_require(sum % 1024 == 0, H, "sum not whole KiB");
	cut = end_of_table(data, size);
	if (cut > 0 && cut < size) {
		r2 = hw_smbios_memory_sum(data, cut, &sum2);
		fuzz_require(r2 == 0 && sum2 == sum, H,
			     "bytes past the end-of-table record changed the sum");
	}
	return 0;
}
