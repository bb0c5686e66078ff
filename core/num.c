/* Numbers as people write them in configuration files, and the digest the
 * agent's caches and the collector's tallies share. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define GiB (INT64_C(1) << 30)
#define GB INT64_C(1000000000)
#define TB (INT64_C(1000) * GB)

/* Binary units for the short and IEC spellings, decimal for the SI ones
 * (as vendors label a "240 GB" SSD or a "4 TB" HDD). */
int core_parse_size(const char *s, int64_t *out)
{
	static const struct {
		const char *suffix;
		int64_t mult;
	} units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1 << 10 }, { "KiB", 1 << 10 }, { "KB", 1000 },
		{ "M", 1 << 20 }, { "MiB", 1 << 20 }, { "MB", 1000000 },
		{ "G", GiB }, { "GiB", GiB }, { "GB", GB },
		{ "T", GiB << 10 }, { "TiB", GiB << 10 }, { "TB", TB },
	};
	char *end;
	long long v;
	size_t i;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno == ERANGE || v < 0)
		return -EINVAL;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > INT64_MAX / units[i].mult)
			return -ERANGE;
		*out = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
}

/* Nothing here defends against a chosen collision: it tells a changed
 * listing or link state from an unchanged one, cheaply. */
uint64_t core_fnv(uint64_t h, const void *data, size_t n)
{
	const uint8_t *b = data;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
