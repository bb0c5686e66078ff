/* The one UTF-8 decoder: proto3's strings (proto/utf8.c) and the CLI's
 * escaping of outside text (text_esc.c) agree on what a character is. */
#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* Overlong forms, surrogates and code points above U+10FFFF are not
 * characters, as Google's parsers and Prometheus' decide. */
size_t core_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c, min;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	/* A NUL fails the continuation test: no read past the string. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}
