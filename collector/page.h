/* page.h — the fleet page's files as compiled into kcollectord
 * (page_files.c, generated at build time by collector/www/embed.cmake):
 * the collector reads no file once it serves. */
#ifndef KAGENT_COLL_PAGE_H
#define KAGENT_COLL_PAGE_H

#include <stddef.h>
#include <stdint.h>

struct coll_page_file {
	const char *name; /* "fleet.js": served as /fleet/fleet.js */
	const char *type; /* its Content-Type */
	const uint8_t *body;
	size_t len;
};

extern const struct coll_page_file coll_page_files[];
extern const size_t coll_page_n;

#endif
