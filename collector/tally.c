/* Amounts by key, for the caps that are per source address and per
 * identity.  A chained hash over <sys/queue.h> lists: keys come and go
 * with connections, and a key whose amount falls to 0 is freed, so an
 * address seen once costs nothing once its connections are gone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "coll_limits.h"

struct coll_tally_entry {
	LIST_ENTRY(coll_tally_entry) link;
	uint64_t v;
	size_t len;
	uint8_t key[];
};

int coll_tally_init(struct coll_tally *t, size_t n_buckets)
{
	size_t i;

	memset(t, 0, sizeof *t);
	t->b = calloc(n_buckets, sizeof *t->b);
	if (t->b == NULL)
		return -ENOMEM;
	t->n_buckets = n_buckets;
	for (i = 0; i < n_buckets; i++)
		LIST_INIT(&t->b[i]);
	return 0;
}

void coll_tally_free(struct coll_tally *t)
{
	struct coll_tally_entry *e;
	size_t i;

	for (i = 0; t->b && i < t->n_buckets; i++)
		while ((e = LIST_FIRST(&t->b[i])) != NULL) {
			LIST_REMOVE(e, link);
			free(e);
		}
	free(t->b);
	memset(t, 0, sizeof *t);
}

static struct coll_tally_entry *tally_find(const struct coll_tally *t,
					   const void *key, size_t len,
					   size_t *bucket)
{
	struct coll_tally_entry *e;

	*bucket = core_fnv(CORE_FNV_START, key, len) % t->n_buckets;
	LIST_FOREACH(e, &t->b[*bucket], link)
	if (e->len == len && memcmp(e->key, key, len) == 0)
		return e;
	return NULL;
}

uint64_t coll_tally_get(const struct coll_tally *t, const void *key,
			size_t len)
{
	struct coll_tally_entry *e;
	size_t b;

	if (t->b == NULL || len > COLL_TALLY_KEY_MAX)
		return 0;
	e = tally_find(t, key, len, &b);
	return e ? e->v : 0;
}

int coll_tally_add(struct coll_tally *t, const void *key, size_t len,
		   int64_t delta, uint64_t *now)
{
	struct coll_tally_entry *e;
	uint64_t v;
	size_t b;

	if (t->b == NULL || len > COLL_TALLY_KEY_MAX)
		return -EINVAL;
	e = tally_find(t, key, len, &b);
	v = e ? e->v : 0;
	if (delta < 0 && (uint64_t)-delta > v)
		return -EINVAL;
	v += (uint64_t)delta;
	if (v == 0 && e != NULL) {
		LIST_REMOVE(e, link);
		free(e);
		t->n--;
	} else if (v != 0 && e == NULL) {
		e = malloc(sizeof *e + len);
		if (e == NULL)
			return -ENOMEM;
		e->len = len;
		memcpy(e->key, key, len);
		LIST_INSERT_HEAD(&t->b[b], e, link);
		t->n++;
	}
	if (e != NULL && v != 0)
		e->v = v;
	if (now != NULL)
		*now = v;
	return 0;
}
