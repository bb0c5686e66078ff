/* SPDX-License-Identifier: Apache-2.0 */
/* A report whose Kafka partition list is unchanged, completed from the
 * last whole list of its host before it is stored (kafka_merge.h).
 *
 * The digest and count decide, never the time or the order of arrival:
 * a base is used only when it is the very list the agent's digest
 * covers, so a report replayed from an agent's spool, after a failover
 * or a restart of this collector, is either completed exactly or stored
 * without its list (and the view says that broker's assignment is
 * unknown). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pb_encode.h>

#include "collector.h"
#include "core_log.h"
#include "kafka_merge.h"

struct named {
	const char *name;
	uint32_t i;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
		      ((const struct named *)b)->name);
}

const char *kafka_merge_result_name(int r)
{
	static const char *const names[KAFKA_MERGE_N] = {"whole", "connection",
							 "stored", "unknown"};

	return r >= 0 && r < KAFKA_MERGE_N ? names[r] : "?";
}

void kafka_merge_clear(struct kafka_merge *m)
{
	for (size_t i = 0; i < m->n_names; i++)
		free(m->names[i]);
	free(m->names);
	free(m->parts);
	m->names = NULL;
	m->parts = NULL;
	m->n_names = m->n_parts = 0;
	m->have = false;
}

void kafka_merge_free(struct kafka_merge *m)
{
	if (m == NULL)
		return;
	kafka_merge_clear(m);
	free(m);
}

/* The partitions of l and the names of the topics they point at. */
static int take_lists(struct kafka_merge *m, const struct proto_lists *l)
{
	const kagent_v1_KafkaTopic *t = l->ktopics.v;
	const kagent_v1_KafkaPartition *p = l->kparts.v;
	uint32_t *map;
	size_t i;

	map = malloc((l->ktopics.n + 1) * sizeof *map);
	m->names = calloc(l->ktopics.n + 1, sizeof *m->names);
	m->parts = calloc(l->kparts.n + 1, sizeof *m->parts);
	if (map == NULL || m->names == NULL || m->parts == NULL) {
		free(map);
		return -ENOMEM;
	}
	for (i = 0; i < l->ktopics.n; i++)
		map[i] = UINT32_MAX;
	for (i = 0; i < l->kparts.n; i++) {
		uint32_t ti = p[i].topic;

		/* Outside the topics list: the view drops it too. */
		if (ti >= l->ktopics.n)
			continue;
		if (map[ti] == UINT32_MAX) {
			m->names[m->n_names] = strdup(t[ti].name);
			if (m->names[m->n_names] == NULL) {
				free(map);
				return -ENOMEM;
			}
			map[ti] = (uint32_t)m->n_names++;
		}
		m->parts[m->n_parts] = p[i];
		m->parts[m->n_parts++].topic = map[ti];
	}
	free(map);
	return 0;
}

int kafka_merge_keep(struct kafka_merge *m, const kagent_v1_KafkaLive *k,
		     const struct proto_lists *l)
{
	int rc;

	if (k->error[0] || !k->has_fetched_ms || k->assignment_unchanged)
		return 0;
	kafka_merge_clear(m);
	/* A clipped list cannot complete a later report: the agent sends
	 * it whole again anyway. */
	if (!k->assignment_full)
		return 0;
	rc = take_lists(m, l);
	if (rc < 0) {
		kafka_merge_clear(m);
		return rc;
	}
	m->digest = k->assignment_digest;
	m->count = k->assignment_count;
	m->have = true;
	return 0;
}

/* Where each of m's topic names is in l's topics list; -ESRCH when one
 * is missing. */
static int place_names(const struct kafka_merge *m, const struct proto_lists *l,
		       uint32_t *where)
{
	const kagent_v1_KafkaTopic *t = l->ktopics.v;
	struct named *idx, key, *hit;
	size_t i;
	int rc = 0;

	idx = calloc(l->ktopics.n + 1, sizeof *idx);
	if (idx == NULL)
		return -ENOMEM;
	for (i = 0; i < l->ktopics.n; i++)
		idx[i] = (struct named){t[i].name, (uint32_t)i};
	qsort(idx, l->ktopics.n, sizeof *idx, cmp_named);
	for (i = 0; i < m->n_names && rc == 0; i++) {
		key.name = m->names[i];
		hit = bsearch(&key, idx, l->ktopics.n, sizeof *idx, cmp_named);
		if (hit == NULL)
			rc = -ESRCH;
		else
			where[i] = hit->i;
	}
	free(idx);
	return rc;
}

int kafka_merge_complete(const struct kafka_merge *m, kagent_v1_KafkaLive *k,
			 struct proto_lists *l)
{
	kagent_v1_KafkaPartition *o;
	uint32_t *where;
	size_t i;
	int rc;

	if (!k->assignment_unchanged || l->kparts.n != 0)
		return -EINVAL;
	if (!m->have || m->digest != k->assignment_digest ||
	    m->count != k->assignment_count)
		return -ESRCH;
	where = calloc(m->n_names + 1, sizeof *where);
	if (where == NULL)
		return -ENOMEM;
	rc = place_names(m, l, where);
	for (i = 0; i < m->n_parts && rc == 0; i++) {
		rc = proto_list_add(&l->kparts, (void **)&o);
		if (rc == 0) {
			*o = m->parts[i];
			o->topic = where[m->parts[i].topic];
		}
	}
	free(where);
	if (rc < 0) {
		l->kparts.n = 0;
		return rc == -ENOSPC ? -ESRCH : rc;
	}
	k->assignment_full = true;
	k->assignment_unchanged = false;
	return 0;
}

/* ---- the hook for one received report ---- */

struct stored_read {
	struct kafka_merge *m;
	int rc;
};

static int stored_row(void *arg, const struct coll_store_row *row)
{
	struct stored_read *x = arg;
	kagent_v1_Report *r = calloc(1, sizeof *r);
	struct proto_lists l;

	if (r == NULL)
		return -ENOMEM;
	proto_lists_init(&l);
	if (coll_report_decode(row->report, row->len, r, &l, NULL) == 0 &&
	    r->has_kafka_live)
		x->rc = kafka_merge_keep(x->m, &r->kafka_live, &l);
	proto_lists_free(&l);
	free(r);
	return 0;
}

/* The host's stored report as k's base: 0, or negative when it could
 * not be read or holds no whole list. */
static int stored_base(struct coll_conn *k)
{
	struct stored_read x = {k->kafka, -ESRCH};
	int rc;

	rc = coll_store_get_host(k->c->store, k->host_id, stored_row, &x);
	return rc < 0 ? rc : x.rc;
}

/* The completed report must still travel as one frame: the stored blob
 * is read back and sent on by the same decoder. */
static bool fits(kagent_v1_Report *r, const struct proto_lists *l)
{
	size_t len = 0;
	bool ok;

	proto_report_bind(r, l);
	ok = pb_get_encoded_size(&len, kagent_v1_Report_fields, r);
	proto_report_unbind(r);
	/* The Envelope around it: a tag and a length of up to 5 bytes. */
	return ok && len + 6 <= PROTO_FRAME_MAX;
}

int kafka_merge_report(struct coll_conn *k)
{
	struct collector *c = k->c;
	kagent_v1_Report *r = &c->env->msg.report;
	kagent_v1_KafkaLive *kl = &r->kafka_live;
	int res = KAFKA_MERGE_CONNECTION, rc;

	if (!r->has_kafka_live)
		return 0;
	if (k->kafka == NULL &&
	    (k->kafka = calloc(1, sizeof *k->kafka)) == NULL)
		return 0;
	if (!kl->assignment_unchanged) {
		if (kafka_merge_keep(k->kafka, kl, &c->lists) == 0 &&
		    k->kafka->have)
			c->ctr.kafka_lists[KAFKA_MERGE_WHOLE]++;
		return 0;
	}
	rc = kafka_merge_complete(k->kafka, kl, &c->lists);
	if (rc == -ESRCH && !k->kafka->stored_read) {
		/* Once per connection: after it, the connection's own whole
		 * lists are newer than anything stored before it. */
		k->kafka->stored_read = true;
		rc = stored_base(k) == 0
			 ? kafka_merge_complete(k->kafka, kl, &c->lists)
			 : -ESRCH;
		res = KAFKA_MERGE_STORED;
	}
	if (rc == 0 && !fits(r, &c->lists)) {
		c->lists.kparts.n = 0;
		kl->assignment_full = false;
		kl->assignment_unchanged = true;
		rc = -EMSGSIZE;
	}
	if (rc < 0) {
		c->ctr.kafka_lists[KAFKA_MERGE_UNKNOWN]++;
		core_log(LOG_NOTICE,
			 "peer %s host %s: seq %llu: Kafka partition list "
			 "not completed (%s): stored without it",
			 k->peer, k->host_id, (unsigned long long)r->seq,
			 rc == -ESRCH	   ? "no whole list of its digest here"
			 : rc == -EMSGSIZE ? "it would not fit in a frame"
					   : strerror(-rc));
		return 0;
	}
	c->ctr.kafka_lists[res]++;
	return 1;
}
