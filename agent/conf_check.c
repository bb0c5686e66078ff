/* [check] of kagent.conf: the unknown policy's names and the skip list,
 * shared by the file's parser and kagent check's flags. */
#include <errno.h>
#include <string.h>

#include "conf.h"

int conf_unknown_parse(const char *s, enum conf_unknown_policy *p)
{
	if (!strcmp(s, "ok"))
		*p = CONF_UNKNOWN_OK;
	else if (!strcmp(s, "warning"))
		*p = CONF_UNKNOWN_WARNING;
	else if (!strcmp(s, "unknown"))
		*p = CONF_UNKNOWN_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

const char *conf_unknown_name(enum conf_unknown_policy p)
{
	return p == CONF_UNKNOWN_WARNING   ? "warning"
	       : p == CONF_UNKNOWN_UNKNOWN ? "unknown"
					   : "ok";
}

/* Check ids are lower-case words joined by dots and underscores. */
int conf_check_skip_add(struct conf_check *c, const char *id)
{
	size_t i, len = strlen(id);

	if (len == 0 || len >= CONF_CHECK_ID_MAX ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789._") != len)
		return -EINVAL;
	for (i = 0; i < c->n_skip; i++)
		if (!strcmp(c->skip[i], id))
			return 0;
	if (c->n_skip == CONF_SKIP_MAX)
		return -E2BIG;
	memcpy(c->skip[c->n_skip++], id, len + 1);
	return 0;
}
