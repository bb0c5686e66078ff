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

#include <pb_decode.h>
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
	m->n_names = m->n_parts = m->parts_len = 0;
	m->have = false;
}

void kafka_merge_free(struct kafka_merge *m)
{
	if (m == NULL)
		return;
	kafka_merge_clear(m);
	free(m);
}

/* Each kept partition is its encoded item after a length byte: about 20
 * bytes for three replicas, where the decoded struct takes 84. */
_Static_assert(kagent_v1_KafkaPartition_size <= UINT8_MAX,
	       "a partition's length no longer fits its byte");

static int part_put(struct kafka_merge *m, const kagent_v1_KafkaPartition *p,
		    uint32_t topic)
{
	kagent_v1_KafkaPartition q = *p;
	pb_ostream_t os = pb_ostream_from_buffer(m->parts + m->parts_len + 1,
						 kagent_v1_KafkaPartition_size);

	q.topic = topic;
	if (!pb_encode(&os, kagent_v1_KafkaPartition_fields, &q))
		return -EINVAL;
	m->parts[m->parts_len] = (uint8_t)os.bytes_written;
	m->parts_len += 1 + os.bytes_written;
	m->n_parts++;
	return 0;
}

/* The partitions of l and the names of the topics they point at. */
static int take_lists(struct kafka_merge *m, const struct proto_lists *l)
{
	const kagent_v1_KafkaTopic *t = l->ktopics.v;
	const kagent_v1_KafkaPartition *p = l->kparts.v;
	uint8_t *shrunk;
	uint32_t *map;
	size_t i;
	int rc = 0;

	map = malloc((l->ktopics.n + 1) * sizeof *map);
	m->names = calloc(l->ktopics.n + 1, sizeof *m->names);
	m->parts =
	    malloc(l->kparts.n * (1 + kagent_v1_KafkaPartition_size) + 1);
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
		rc = part_put(m, &p[i], map[ti]);
		if (rc < 0)
			break;
	}
	free(map);
	shrunk = realloc(m->parts, m->parts_len + 1);
	if (shrunk)
		m->parts = shrunk;
	return rc;
}

/* The next kept partition into o, its topic still an index into
 * m->names; *off moves past it. */
static int part_get(const struct kafka_merge *m, size_t *off,
		    kagent_v1_KafkaPartition *o)
{
	size_t n = m->parts[*off];
	pb_istream_t is;

	if (*off + 1 + n > m->parts_len)
		return -EINVAL;
	is = pb_istream_from_buffer(m->parts + *off + 1, n);
	if (!pb_decode(&is, kagent_v1_KafkaPartition_fields, o) ||
	    o->topic >= m->n_names)
		return -EINVAL;
	*off += 1 + n;
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
	size_t i, off = 0;
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
		if (rc == 0)
			rc = part_get(m, &off, o);
		if (rc == 0)
			o->topic = where[o->topic];
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
