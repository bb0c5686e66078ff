/* SPDX-License-Identifier: Apache-2.0 */
/* The collector's view of a cluster's Kafka metadata, checked member by
 * member before the planner trusts it: a plan built on a replica list
 * with a duplicate or an unknown broker would be refused by Kafka's tool
 * at best.  Every error names its JSON path. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "reassign.h"

struct ra_ld {
	char *err;
	size_t errlen;
	char path[128];
};

static int ld_fail(struct ra_ld *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(l->err, l->errlen, "%s: ", l->path);
	if (n < 0 || (size_t)n >= l->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Sets l->path to "$" + fmt. */
static void ld_at(struct ra_ld *l, const char *fmt, ...)
{
	va_list ap;

	l->path[0] = '$';
	va_start(ap, fmt);
	vsnprintf(l->path + 1, sizeof l->path - 1, fmt, ap);
	va_end(ap);
}

/* An integer member in [lo, hi]; null allowed when out_known is given. */
static int ld_int(struct ra_ld *l, json_t *o, const char *key, int64_t lo,
		  int64_t hi, int64_t *out, bool *out_known)
{
	json_t *v = json_object_get(o, key);
	size_t n = strlen(l->path);

	snprintf(l->path + n, sizeof l->path - n, ".%s", key);
	if (v == NULL)
		return ld_fail(l, "missing");
	if (json_is_null(v) && out_known) {
		*out_known = false;
		*out = 0;
		l->path[n] = '\0';
		return 0;
	}
	if (!json_is_integer(v))
		return ld_fail(l, "not an integer%s",
			       out_known ? " nor null" : "");
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return ld_fail(l, "%lld is outside %lld..%lld",
			       (long long)json_integer_value(v), (long long)lo,
			       (long long)hi);
	*out = json_integer_value(v);
	if (out_known)
		*out_known = true;
	l->path[n] = '\0';
	return 0;
}

static int ld_num(struct ra_ld *l, json_t *o, const char *key, int64_t lo,
		  struct ra_num *out)
{
	return ld_int(l, o, key, lo, INT64_MAX / 1024, &out->v, &out->known);
}

#define LD_NULL	 1 /* null allowed: *s = NULL */
#define LD_EMPTY 2 /* "" allowed */

/* A string member of 1..max printable ASCII bytes. */
static int ld_str(struct ra_ld *l, json_t *o, const char *key, size_t max,
		  int flags, const char **s)
{
	json_t *v = json_object_get(o, key);
	size_t n = strlen(l->path), i, len;
	const char *t;

	snprintf(l->path + n, sizeof l->path - n, ".%s", key);
	if (v == NULL)
		return ld_fail(l, "missing");
	*s = NULL;
	if (json_is_null(v) && (flags & LD_NULL)) {
		l->path[n] = '\0';
		return 0;
	}
	if (!json_is_string(v))
		return ld_fail(l, "not a string%s",
			       flags & LD_NULL ? " nor null" : "");
	t = json_string_value(v);
	len = json_string_length(v);
	if ((len == 0 && !(flags & LD_EMPTY)) || len > max)
		return ld_fail(l, "length %zu is outside %d..%zu", len,
			       flags & LD_EMPTY ? 0 : 1, max);
	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] < ' ' || (unsigned char)t[i] > '~')
			return ld_fail(l, "byte %zu is not printable ASCII", i);
	*s = t;
	l->path[n] = '\0';
	return 0;
}

static int ld_array(struct ra_ld *l, json_t *o, const char *key, size_t max,
		    json_t **a)
{
	size_t n = strlen(l->path);

	*a = json_object_get(o, key);
	snprintf(l->path + n, sizeof l->path - n, ".%s", key);
	if (*a == NULL)
		return ld_fail(l, "missing");
	if (!json_is_array(*a))
		return ld_fail(l, "not an array");
	if (json_array_size(*a) > max)
		return ld_fail(l, "%zu entries, more than %zu",
			       json_array_size(*a), max);
	l->path[n] = '\0';
	return 0;
}

bool ra_topic_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c != '\0' && strchr("._-", c));
}

bool ra_topic_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > RA_TOPIC_NAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!ra_topic_char_ok(name[i]))
			return false;
	return true;
}

const struct ra_broker *ra_broker_find(const struct ra_cluster *c, int32_t id)
{
	size_t lo = 0, hi = c->n_brokers;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->brokers[mid].id == id)
			return &c->brokers[mid];
		if (c->brokers[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int broker_cmp(const void *a, const void *b)
{
	const struct ra_broker *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int ld_broker(struct ra_ld *l, size_t i, json_t *b,
		     struct ra_broker *out)
{
	json_t *reg = json_object_get(b, "registered");
	const char *rack, *s;
	int64_t v;
	bool k;
	int rc;

	ld_at(l, ".brokers[%zu]", i);
	if (!json_is_object(b))
		return ld_fail(l, "not an object");
	if ((rc = ld_int(l, b, "id", 0, INT32_MAX, &v, NULL)) < 0)
		return rc;
	out->id = (int32_t)v;
	if ((rc = ld_str(l, b, "rack", RA_RACK_MAX, LD_NULL, &rack)) < 0 ||
	    (rc = ld_str(l, b, "host", 255, LD_NULL, &s)) < 0 ||
	    (rc = ld_str(l, b, "host_id", 63, LD_NULL, &s)) < 0 ||
	    (rc = ld_int(l, b, "port", 1, 65535, &v, &k)) < 0 ||
	    (rc = ld_int(l, b, "started_ms", 0, INT64_MAX, &v, &k)) < 0 ||
	    (rc = ld_num(l, b, "nic_speed_mbps", 1, &out->nic_mbps)) < 0)
		return rc;
	if (out->nic_mbps.known && out->nic_mbps.v > RA_NIC_MBPS_MAX) {
		ld_at(l, ".brokers[%zu].nic_speed_mbps", i);
		return ld_fail(l, "%lld Mb/s is more than %d",
			       (long long)out->nic_mbps.v, RA_NIC_MBPS_MAX);
	}
	out->rack_known = rack != NULL;
	snprintf(out->rack, sizeof out->rack, "%s", rack ? rack : "");
	if (!json_is_boolean(reg)) {
		ld_at(l, ".brokers[%zu].registered", i);
		return ld_fail(l, reg ? "not a boolean" : "missing");
	}
	out->registered = json_is_true(reg);
	return 0;
}

/* Replica ids of one partition: known brokers, distinct, as many as rf. */
static int ld_ids(struct ra_ld *l, const struct ra_cluster *c, json_t *a,
		  int rf, int32_t *ids, int *n)
{
	size_t i, j, base = strlen(l->path);
	json_t *v;

	if (!json_is_array(a))
		return ld_fail(l, a ? "not an array" : "missing");
	if (rf > 0 && json_array_size(a) != (size_t)rf)
		return ld_fail(l,
			       "%zu replicas where the topic's replication "
			       "factor is %d (a reassignment in progress?)",
			       json_array_size(a), rf);
	if (json_array_size(a) > RA_RF_MAX)
		return ld_fail(l, "more than %d entries", RA_RF_MAX);
	json_array_foreach(a, i, v)
	{
		snprintf(l->path + base, sizeof l->path - base, "[%zu]", i);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > INT32_MAX)
			return ld_fail(l, "not a broker id");
		ids[i] = (int32_t)json_integer_value(v);
		if (ra_broker_find(c, ids[i]) == NULL)
			return ld_fail(l, "broker %d is not in $.brokers",
				       ids[i]);
		for (j = 0; j < i; j++)
			if (ids[j] == ids[i])
				return ld_fail(l, "broker %d twice", ids[i]);
	}
	l->path[base] = '\0';
	*n = (int)json_array_size(a);
	return 0;
}

static int ld_partition(struct ra_ld *l, const struct ra_cluster *c, size_t ti,
			size_t pi, json_t *p, struct ra_topic *t)
{
	int32_t isr[RA_RF_MAX];
	struct ra_partition *out;
	int64_t v;
	bool k;
	int rc, n;

	ld_at(l, ".topics[%zu].assignment[%zu]", ti, pi);
	if (!json_is_object(p))
		return ld_fail(l, "not an object");
	if ((rc = ld_int(l, p, "partition", 0, t->n_parts - 1, &v, NULL)) < 0)
		return rc;
	out = &t->parts[v];
	if (out->n > 0)
		return ld_fail(l, "partition %lld twice", (long long)v);
	out->partition = (int32_t)v;
	if ((rc = ld_int(l, p, "leader", 0, INT32_MAX, &v, &k)) < 0)
		return rc;
	if (k && ra_broker_find(c, (int32_t)v) == NULL)
		return ld_fail(l, "leader %lld is not in $.brokers",
			       (long long)v);
	ld_at(l, ".topics[%zu].assignment[%zu].replicas", ti, pi);
	if ((rc = ld_ids(l, c, json_object_get(p, "replicas"), t->rf,
			 out->replicas, &out->n)) < 0)
		return rc;
	ld_at(l, ".topics[%zu].assignment[%zu].isr", ti, pi);
	if ((rc = ld_ids(l, c, json_object_get(p, "isr"), 0, isr, &n)) < 0)
		return rc;
	memcpy(out->planned, out->replicas, sizeof out->planned);
	return 0;
}

static int ld_topic(struct ra_ld *l, const struct ra_cluster *c, size_t ti,
		    json_t *j, struct ra_topic *t, size_t *parts_total)
{
	const char *name, *s;
	json_t *a, *p;
	int64_t v;
	bool k;
	size_t i;
	int rc;

	ld_at(l, ".topics[%zu]", ti);
	if (!json_is_object(j))
		return ld_fail(l, "not an object");
	if ((rc = ld_str(l, j, "name", RA_TOPIC_NAME_MAX, 0, &name)) < 0)
		return rc;
	if (!ra_topic_name_ok(name))
		return ld_fail(l,
			       "topic '%s' is not a Kafka topic name "
			       "([a-zA-Z0-9._-])",
			       name);
	snprintf(t->name, sizeof t->name, "%s", name);
	if ((rc = ld_int(l, j, "partitions", 1, RA_PARTITIONS_MAX, &v, NULL)) <
	    0)
		return rc;
	t->n_parts = (int32_t)v;
	if (*parts_total + (size_t)v > RA_PARTITIONS_MAX)
		return ld_fail(l, "more than %d partitions in the cluster",
			       RA_PARTITIONS_MAX);
	*parts_total += (size_t)v;
	if ((rc = ld_int(l, j, "replication_factor", 1, RA_RF_MAX, &v, NULL)) <
	    0)
		return rc;
	t->rf = (int)v;
	if ((rc = ld_int(l, j, "min_insync_replicas", 1, RA_RF_MAX, &v, &k)) <
		0 ||
	    (rc = ld_str(l, j, "min_insync_replicas_source", 32, LD_NULL, &s)) <
		0 ||
	    (rc = ld_num(l, j, "retention_ms", -1, &t->retention_ms)) < 0 ||
	    (rc = ld_num(l, j, "retention_bytes", -1, &t->retention_bytes)) <
		0 ||
	    (rc = ld_num(l, j, "bytes", 0, &t->bytes)) < 0 ||
	    (rc = ld_num(l, j, "replica_bytes", 0, &t->replica_bytes)) < 0 ||
	    (rc = ld_int(l, j, "under_replicated", 0, RA_PARTITIONS_MAX,
			 &t->under_replicated, NULL)) < 0 ||
	    (rc = ld_int(l, j, "under_min_isr", 0, RA_PARTITIONS_MAX, &v,
			 NULL)) < 0 ||
	    (rc = ld_int(l, j, "offline", 0, RA_PARTITIONS_MAX, &v, NULL)) <
		0 ||
	    (rc = ld_array(l, j, "assignment", RA_PARTITIONS_MAX, &a)) < 0)
		return rc;
	if (json_array_size(a) != (size_t)t->n_parts) {
		ld_at(l, ".topics[%zu].assignment", ti);
		return ld_fail(l, "%zu entries for %d partitions",
			       json_array_size(a), t->n_parts);
	}
	t->parts = calloc((size_t)t->n_parts, sizeof *t->parts);
	if (t->parts == NULL)
		return -ENOMEM;
	json_array_foreach(a, i, p) if ((rc = ld_partition(l, c, ti, i, p, t)) <
					0) return rc;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	const struct ra_topic *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Sorted, so that 100 000 topics cost n log n comparisons, not n^2. */
static int ld_unique_topics(struct ra_ld *l, const struct ra_cluster *c)
{
	const struct ra_topic **s = calloc(c->n_topics + 1, sizeof *s);
	size_t i;
	int rc = 0;

	if (s == NULL)
		return -ENOMEM;
	for (i = 0; i < c->n_topics; i++)
		s[i] = &c->topics[i];
	qsort(s, c->n_topics, sizeof *s, name_cmp);
	for (i = 1; i < c->n_topics && rc == 0; i++)
		if (strcmp(s[i]->name, s[i - 1]->name) == 0) {
			ld_at(l, ".topics[%zu].name",
			      (size_t)(s[i] - c->topics));
			rc = ld_fail(l, "topic '%s' twice", s[i]->name);
		}
	free(s);
	return rc;
}

static int ld_cluster(struct ra_ld *l, json_t *doc, const char *cluster,
		      struct ra_cluster *c)
{
	const char *name, *state, *why;
	json_t *a, *b;
	size_t i, parts = 0;
	int rc;

	ld_at(l, "");
	if (!json_is_object(doc))
		return ld_fail(l, "not an object");
	if ((rc = ld_str(l, doc, "cluster", 63, 0, &name)) < 0 ||
	    (rc = ld_str(l, doc, "state", 16, 0, &state)) < 0 ||
	    (rc = ld_str(l, doc, "why", 511, LD_NULL | LD_EMPTY, &why)) < 0)
		return rc;
	if (strcmp(name, cluster) != 0) {
		ld_at(l, ".cluster");
		return ld_fail(l, "'%s', where '%s' was asked for", name,
			       cluster);
	}
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->why, sizeof c->why, "%s", why ? why : "");
	if (strcmp(state, "complete") == 0)
		c->state = RA_STATE_COMPLETE;
	else if (strcmp(state, "partial") == 0)
		c->state = RA_STATE_PARTIAL;
	else if (strcmp(state, "none") == 0)
		c->state = RA_STATE_NONE;
	else
		return ld_at(l, ".state"),
		       ld_fail(l, "'%s' is none of complete, partial, none",
			       state);
	if ((rc = ld_array(l, doc, "brokers", RA_BROKERS_MAX, &a)) < 0)
		return rc;
	c->brokers = calloc(json_array_size(a) + 1, sizeof *c->brokers);
	if (c->brokers == NULL)
		return -ENOMEM;
	json_array_foreach(a, i,
			   b) if ((rc = ld_broker(l, i, b, &c->brokers[i])) <
				  0) return rc;
	c->n_brokers = json_array_size(a);
	qsort(c->brokers, c->n_brokers, sizeof *c->brokers, broker_cmp);
	for (i = 1; i < c->n_brokers; i++)
		if (c->brokers[i].id == c->brokers[i - 1].id)
			return ld_at(l, ".brokers"),
			       ld_fail(l, "broker id %d twice",
				       c->brokers[i].id);
	ld_at(l, "");
	if ((rc = ld_array(l, doc, "topics", RA_TOPICS_MAX, &a)) < 0)
		return rc;
	c->topics = calloc(json_array_size(a) + 1, sizeof *c->topics);
	if (c->topics == NULL)
		return -ENOMEM;
	json_array_foreach(a, i, b)
	{
		c->n_topics = i + 1;
		if ((rc = ld_topic(l, c, i, b, &c->topics[i], &parts)) < 0)
			return rc;
	}
	return ld_unique_topics(l, c);
}

int ra_cluster_load(json_t *doc, const char *cluster, struct ra_cluster *c,
		    char *err, size_t errlen)
{
	struct ra_ld l = {.err = err, .errlen = errlen};
	int rc;

	memset(c, 0, sizeof *c);
	err[0] = '\0';
	rc = ld_cluster(&l, doc, cluster, c);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc < 0)
		ra_cluster_free(c);
	return rc;
}

void ra_cluster_free(struct ra_cluster *c)
{
	size_t i;

	for (i = 0; i < c->n_topics; i++)
		free(c->topics[i].parts);
	free(c->topics);
	free(c->brokers);
	memset(c, 0, sizeof *c);
}
