/* SPDX-License-Identifier: Apache-2.0 */
/* Lookups over a built Kafka view and its release; the view is built by
 * kafka_view_build.c.  Apart from the building, so that the fleet checks
 * (library kagent_coll_fleet) read a view without linking the store. */
#include <stdlib.h>
#include <string.h>

#include "kafka_view.h"

void kafka_view_free(struct kafka_view *v)
{
	for (size_t i = 0; i < v->n_topics; i++)
		free(v->topics[i].name);
	free(v->brokers);
	free(v->topics);
	free(v->partitions);
	memset(v, 0, sizeof *v);
	v->controller = -1;
	v->fetched_ms = KV_UNKNOWN;
}

static int cmp_broker_id(const void *key, const void *elem)
{
	int32_t id = *(const int32_t *)key;
	const struct kv_broker *b = elem;

	return (id > b->id) - (id < b->id);
}

const struct kv_broker *kafka_view_broker(const struct kafka_view *v,
					  int32_t id)
{
	if (v->n_brokers == 0)
		return NULL;
	return bsearch(&id, v->brokers, v->n_brokers, sizeof *v->brokers,
		       cmp_broker_id);
}

static int cmp_topic_name(const void *key, const void *elem)
{
	const struct kv_topic *t = elem;

	return strcmp(key, t->name);
}

const struct kv_topic *kafka_view_topic(const struct kafka_view *v,
					const char *name)
{
	if (v->n_topics == 0)
		return NULL;
	return bsearch(name, v->topics, v->n_topics, sizeof *v->topics,
		       cmp_topic_name);
}
