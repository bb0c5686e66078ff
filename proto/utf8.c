/* UTF-8 as protobuf's proto3 strings require it.
 *
 * One definition of "well formed" serves the three doors a string goes
 * through: the agent filling a message (proto_str_set), the collector
 * refusing a report (proto_report_check) and the collector's views
 * repairing what an older version stored (proto_report_repair, and the
 * label writer of /metrics). */
#include <errno.h>

#include "proto.h"

size_t proto_utf8_char_len(const unsigned char *s)
{
	uint32_t cp;

	return core_utf8_decode(s, &cp);
}

int proto_utf8_check(const char *s, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (*p) {
		/* Most of a report is ASCII: one compare a byte. */
		if (*p < 0x80) {
			p++;
			continue;
		}
		k = proto_utf8_char_len(p);
		if (k == 0) {
			*bad_at = (size_t)(p - (const unsigned char *)s);
			return -EILSEQ;
		}
		p += k;
	}
	return 0;
}

/* '?' rather than U+FFFD: one byte for one, so the string still fits the
 * field it lives in, and the agent's proto_str_set does the same. */
unsigned proto_utf8_repair(char *s)
{
	unsigned char *p = (unsigned char *)s;
	unsigned fixed = 0;
	size_t k;

	while (*p) {
		k = proto_utf8_char_len(p);
		if (k == 0) {
			*p++ = '?';
			fixed++;
		} else {
			p += k;
		}
	}
	return fixed;
}
