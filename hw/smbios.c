/* SMBIOS memory devices: the installed memory as the firmware lists it,
 * which MemTotal understates by what the kernel and firmware reserve. */
#include <errno.h>
#include <string.h>
#include <sys/types.h> /* ssize_t, used by hw.h */

#include "hw.h"

#define SMBIOS_TYPE_MEMORY_DEVICE 17
#define SMBIOS_TYPE_END		  127

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Size of one type 17 record in bytes, 0 for an empty slot.  SMBIOS 3.x
 * section 7.18: Size at 0x0C is in MB, or in KB when bit 15 is set;
 * 0xFFFF is unknown; 0x7FFF means the size is in Extended Size at 0x1C
 * (bits 30:0, MB), for modules of 32 GB and more. */
static int memdev_size(const uint8_t *s, size_t flen, uint64_t *bytes)
{
	uint16_t size;

	if (flen < 0x0E)
		return -EINVAL; /* a type 17 without its Size field */
	size = le16(s + 0x0C);
	if (size == 0xFFFF)
		return -ENODATA;
	if (size == 0x7FFF) {
		if (flen < 0x20)
			return -EINVAL;
		*bytes = (uint64_t)(le32(s + 0x1C) & 0x7FFFFFFF) << 20;
	} else if (size & 0x8000) {
		*bytes = (uint64_t)(size & 0x7FFF) << 10;
	} else {
		*bytes = (uint64_t)size << 20;
	}
	return 0;
}

/* Walks the structure table: a 4-byte header (type, length of the
 * formatted area, handle), the formatted area, then a string set that
 * ends with two NULs (just two NULs when the record has no strings).
 * Every offset is checked against len before it is read.  A module of
 * unknown size makes the sum unknown (-ENODATA) rather than short. */
int hw_smbios_memory_sum(const uint8_t *tbl, size_t len, uint64_t *bytes)
{
	size_t off = 0, devices = 0;
	uint64_t sum = 0, one;
	int r;

	while (off < len) {
		const uint8_t *s = tbl + off;
		size_t flen, end;

		if (len - off < 4)
			return -EINVAL;
		flen = s[1];
		if (flen < 4 || flen > len - off)
			return -EINVAL;
		if (s[0] == SMBIOS_TYPE_END)
			break;
		if (s[0] == SMBIOS_TYPE_MEMORY_DEVICE) {
			r = memdev_size(s, flen, &one);
			if (r < 0)
				return r;
			/* no real table sums past 2^64 */
			if (sum + one < sum)
				return -EINVAL;
			sum += one;
			devices++;
		}
		/* The string set: find the double NUL after the formatted
		 * area without reading past len. */
		end = off + flen;
		for (;;) {
			if (len - end < 2)
				return -EINVAL;
			if (tbl[end] == 0 && tbl[end + 1] == 0)
				break;
			end++;
		}
		off = end + 2;
	}
	if (devices == 0)
		return -ENOENT;
	*bytes = sum;
	return 0;
}
