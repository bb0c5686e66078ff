/* [agent] collector = A, B, ...: the collectors kagentd reports to, the
 * first preferred.  Each entry is read by the one HOST:PORT parser the
 * collector's listen uses too (proto/hostport.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "hostport.h"

#define BLANKS " \t"

/* Where the entry is, for a message: a lone entry is "collector", as it
 * was before lists, so that the message for one address does not change. */
static void where(char *buf, size_t len, size_t i, size_t n)
{
	if (n == 1)
		snprintf(buf, len, "collector");
	else
		snprintf(buf, len, "collector entry %zu of %zu", i + 1, n);
}

int conf_collectors_parse(const char *v,
			  char out[CONF_COLLECTORS_MAX][CONF_COLLECTOR_LEN],
			  size_t *n, char *err, size_t errlen)
{
	struct proto_hostport hp[CONF_COLLECTORS_MAX];
	const char *p, *comma;
	char w[48], why[240];
	size_t count = 1, i, j, len;

	for (p = v; (p = strchr(p, ',')) != NULL; p++)
		count++;
	if (count > CONF_COLLECTORS_MAX) {
		snprintf(err, errlen, "collector lists %zu entries, at most %d",
			 count, CONF_COLLECTORS_MAX);
		return -EINVAL;
	}
	for (i = 0, p = v; i < count; i++, p = comma + 1) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		p += strspn(p, BLANKS);
		len = (size_t)(comma - p);
		while (len > 0 && strchr(BLANKS, p[len - 1]))
			len--;
		where(w, sizeof w, i, count);
		if (len == 0) {
			snprintf(err, errlen, "%s is empty", w);
			return -EINVAL;
		}
		if (len >= CONF_COLLECTOR_LEN) {
			snprintf(err, errlen, "%s is longer than %d bytes", w,
				 CONF_COLLECTOR_LEN - 1);
			return -EINVAL;
		}
		memcpy(out[i], p, len);
		out[i][len] = '\0';
		if (proto_hostport_parse(out[i], &hp[i], why, sizeof why) < 0) {
			snprintf(err, errlen, "%s %s", w, why);
			return -EINVAL;
		}
		/* The same collector twice would only double the wait before
		 * the next one is tried. */
		for (j = 0; j < i; j++)
			if (hp[j].port == hp[i].port &&
			    strcasecmp(hp[j].host, hp[i].host) == 0) {
				snprintf(err, errlen,
					 "%s '%s' repeats entry %zu '%s'", w,
					 out[i], j + 1, out[j]);
				return -EINVAL;
			}
	}
	*n = count;
	return 0;
}
