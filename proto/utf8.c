/* UTF-8 as protobuf's proto3 strings require it.
 *
 * One definition of "well formed" serves the three doors a string goes
 * through: the agent filling a message (proto_str_set), the collector
 * refusing a report (proto_report_check) and the collector's views
 * repairing what an older version stored (proto_report_repair, and the
 * label writer of /metrics). */
#include <errno.h>

#include "proto.h"

/* Overlong forms, surrogates and code points above U+10FFFF are not
 * characters, as Google's parsers and Prometheus' decide. */
size_t proto_utf8_char_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	/* A NUL fails the continuation test: no read past the string. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int proto_utf8_check(const char *s, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (*p) {
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
