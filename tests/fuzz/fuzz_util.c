/* Helpers of the harnesses; see fuzz_util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_require(bool ok, const char *harness, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "%s: invariant broken: %s\n", harness, what);
	abort();
}

bool fuzz_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

bool fuzz_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t len, i;

	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF) {
			len = 2;
			cp = *p & 0x1F;
		} else if (*p >= 0xE0 && *p <= 0xEF) {
			len = 3;
			cp = *p & 0x0F;
		} else if (*p >= 0xF0 && *p <= 0xF4) {
			len = 4;
			cp = *p & 0x07;
		} else {
			return false;
		}
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += len;
	}
	return true;
}
