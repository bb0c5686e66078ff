/* SPDX-License-Identifier: Apache-2.0 */
/* The per-device cache of smartctl's answers behind a controller. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smartctl_cache.h"

void hw_smartctl_cache_init(struct hw_smartctl_cache *c, const char *exe,
			    int64_t ttl_ms, int timeout_ms)
{
	memset(c, 0, sizeof *c);
	if (exe != NULL)
		snprintf(c->exe, sizeof c->exe, "%s", exe);
	c->ttl_ms = ttl_ms;
	c->timeout_ms = timeout_ms;
}

void hw_smartctl_cache_free(struct hw_smartctl_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].out);
	c->n = 0;
}

/* The entry for key: the one kept, else a free one, else the oldest. */
static struct hw_smartctl_cache_entry *slot(struct hw_smartctl_cache *c,
					    const char *key)
{
	struct hw_smartctl_cache_entry *old = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	if (c->n < HW_SMARTCTL_CACHE_MAX) {
		old = &c->v[c->n++];
		memset(old, 0, sizeof *old);
		snprintf(old->key, sizeof old->key, "%s", key);
		old->at_ms = INT64_MIN;
		return old;
	}
	for (i = 0; i < c->n; i++)
		if (old == NULL || c->v[i].at_ms < old->at_ms)
			old = &c->v[i];
	free(old->out);
	memset(old, 0, sizeof *old);
	snprintf(old->key, sizeof old->key, "%s", key);
	old->at_ms = INT64_MIN;
	return old;
}

static int answer(const struct hw_smartctl_cache_entry *e, char **json,
		  size_t *len, struct hw_err *err)
{
	if (e->status < 0) {
		core_err_set(err, "%s", e->msg);
		return e->status;
	}
	*json = malloc(e->len + 1);
	if (*json == NULL)
		return -ENOMEM;
	memcpy(*json, e->out, e->len + 1);
	*len = e->len;
	return 0;
}

static bool fresh(const struct hw_smartctl_cache *c,
		  const struct hw_smartctl_cache_entry *e, int64_t now_ms)
{
	return e->at_ms != INT64_MIN && c->ttl_ms > 0 &&
	       now_ms - e->at_ms < c->ttl_ms && now_ms >= e->at_ms;
}

static int lookup(struct hw_smartctl_cache *c, int64_t now_ms,
		  const char *node, const char *type, char **json,
		  size_t *len, struct hw_err *err)
{
	char key[sizeof c->v[0].key];
	struct hw_smartctl_cache_entry *e;
	struct hw_err run = {{0}};
	const char *exe = c->exe[0] ? c->exe : NULL;
	int r;

	*json = NULL;
	*len = 0;
	if (node != NULL && (!hw_smartctl_type_valid(type) ||
			     strlen(node) >= HW_SCAN_NAME_MAX))
		return hw_smartctl_typed_exec(exe, node, type, c->timeout_ms,
					      json, len, err);
	snprintf(key, sizeof key, "%s %s", node ? type : "scan",
		 node ? node : "");
	e = slot(c, key);
	if (fresh(c, e, now_ms))
		return answer(e, json, len, err);
	free(e->out);
	e->out = NULL;
	e->len = 0;
	r = node ? hw_smartctl_typed_exec(exe, node, type, c->timeout_ms,
					  &e->out, &e->len, &run)
		 : hw_smartctl_scan_exec(exe, c->timeout_ms, &e->out, &e->len,
					 &run);
	if (r == -EINVAL) { /* refused: nothing ran, nothing to keep */
		e->at_ms = INT64_MIN;
		core_err_set(err, "%s", run.msg);
		return r;
	}
	e->status = r;
	e->at_ms = now_ms;
	snprintf(e->msg, sizeof e->msg, "%s", run.msg);
	return answer(e, json, len, err);
}

int hw_smartctl_cache_scan(struct hw_smartctl_cache *c, int64_t now_ms,
			   char **json, size_t *len, struct hw_err *err)
{
	return lookup(c, now_ms, NULL, NULL, json, len, err);
}

int hw_smartctl_cache_typed(struct hw_smartctl_cache *c, int64_t now_ms,
			    const char *node, const char *type, char **json,
			    size_t *len, struct hw_err *err)
{
	return lookup(c, now_ms, node, type, json, len, err);
}
