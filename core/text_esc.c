/* One escaping for every text the CLI prints from outside (text_esc.h).
 * UTF-8 is decoded strictly (no overlong forms, no surrogates, nothing
 * above U+10FFFF) because a terminal that decodes leniently could read a
 * control out of a sequence a lax check let through. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "text_esc.h"

char *text_escape(char *dst, size_t cap, const char *src)
{
	const unsigned char *p = (const unsigned char *)(src ? src : "");
	char piece[8];
	size_t o = 0, mark = 0, n, plen;
	uint32_t cp;

	if (cap == 0)
		return dst;
	while (*p) {
		n = 1;
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			plen = (size_t)snprintf(piece, sizeof piece, "\\%c",
						*p == '\n' ? 'n'
						: *p == '\r' ? 'r' : 't');
		} else if (*p < 0x20 || *p == 0x7f) {
			plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *p);
		} else if (*p < 0x80) {
			piece[0] = (char)*p;
			plen = 1;
		} else if ((n = core_utf8_decode(p, &cp)) == 0) {
			n = 1;
			plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *p);
		} else if (cp <= 0x9f) {
			plen = (size_t)snprintf(piece, sizeof piece, "\\u%04x",
						(unsigned)cp);
		} else {
			memcpy(piece, p, n);
			plen = n;
		}
		if (o + plen + 1 > cap) {
			/* Back to the last piece after which "..." fits;
			 * a buffer too small for it keeps what fitted. */
			if (cap >= 4) {
				o = mark;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, piece, plen);
		o += plen;
		if (o + 4 <= cap)
			mark = o;
		p += n;
	}
	dst[o] = '\0';
	return dst;
}

const char *text_esc(struct text_esc *e, const char *src)
{
	char *d = e->slot[e->next];

	e->next = (e->next + 1) % TEXT_ESC_SLOTS;
	return text_escape(d, TEXT_ESC_LEN, src);
}

int text_json_fputs(const char *json, FILE *out)
{
	const char *p;

	/* A raw DEL can only stand inside a string: the escape is valid. */
	for (p = json; *p; p++)
		if ((*p == 0x7f ? fputs("\\u007f", out) : fputc(*p, out)) == EOF)
			return -EIO;
	return 0;
}
