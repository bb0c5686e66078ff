/* The fleet page (collector/www): /fleet is its HTML, /fleet/NAME its
 * script and style sheet.  The files are compiled in (page.h) because
 * the collector runs unprivileged under a seccomp filter and its
 * operators' networks are closed: nothing is read at run time and nothing
 * is fetched from elsewhere, which the Content-Security-Policy also
 * tells the browser. */
#include <string.h>

#include "collector.h"
#include "page.h"

#define PAGE_INDEX "fleet.html"

/* default-src 'self' without 'unsafe-inline': no inline script or style,
 * nothing from another origin; the page is not to be framed.  Every
 * answer already says Cache-Control: no-store (http.c), so a refresh
 * always shows the store as it is. */
const char coll_page_headers[] =
    "Content-Security-Policy: default-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";

static int page_named(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < coll_page_n; i++)
		if (strlen(coll_page_files[i].name) == len &&
		    memcmp(coll_page_files[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

int coll_page_find(const char *path, size_t len)
{
	static const char dir[] = "/fleet/";

	if ((len == 6 && memcmp(path, dir, 6) == 0) ||
	    (len == 7 && memcmp(path, dir, 7) == 0))
		return page_named(PAGE_INDEX, strlen(PAGE_INDEX));
	if (len <= 7 || memcmp(path, dir, 7) != 0)
		return -1;
	return page_named(path + 7, len - 7);
}

void coll_page_get(int asset, const char **type, const uint8_t **body,
		   size_t *len)
{
	const struct coll_page_file *f = &coll_page_files[asset];

	*type = f->type;
	*body = f->body;
	*len = f->len;
}
