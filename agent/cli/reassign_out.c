/* SPDX-License-Identifier: Apache-2.0 */
/* What a plan looks like to the operator: the step files in
 * kafka-reassign-partitions' format, and the summary that orders them
 * smallest first, names each topic's retention (shrink it before moving,
 * as the operations note advises), the bytes to copy and a throttle. */
#include <stdlib.h>
#include <string.h>

#include "reassign.h"

/* Sizes compare with unknown last, then by name: stable and total. */
static int step_cmp(const struct ra_topic *a, const struct ra_topic *b)
{
	if (a->bytes.known != b->bytes.known)
		return a->bytes.known ? -1 : 1;
	if (a->bytes.known && a->bytes.v != b->bytes.v)
		return a->bytes.v < b->bytes.v ? -1 : 1;
	return strcmp(a->name, b->name);
}

size_t ra_steps(const struct ra_cluster *c, size_t *idx)
{
	size_t n = 0, i, j, k;

	for (i = 0; i < c->n_topics; i++) {
		if (c->topics[i].changed == 0)
			continue;
		for (j = n; j > 0 &&
			    step_cmp(&c->topics[i], &c->topics[idx[j - 1]]) < 0;
		     j--)
			;
		for (k = n; k > j; k--)
			idx[k] = idx[k - 1];
		idx[j] = i;
		n++;
	}
	return n;
}

json_t *ra_step_file(const struct ra_topic *t, bool rollback)
{
	json_t *parts = json_array(), *doc;
	int i, k;

	if (parts == NULL)
		return NULL;
	for (i = 0; i < t->n_parts; i++) {
		const struct ra_partition *p = &t->parts[i];
		const int32_t *ids = rollback ? p->replicas : p->planned;
		json_t *r = json_array(), *d = json_array();

		if (!ra_partition_changed(p)) {
			json_decref(r);
			json_decref(d);
			continue;
		}
		for (k = 0; k < p->n; k++) {
			json_array_append_new(r, json_integer(ids[k]));
			/* "any": the broker picks the log dir, as the tool
			 * does when a plan names none. */
			json_array_append_new(d, json_string("any"));
		}
		json_array_append_new(
		    parts, json_pack("{s:s,s:i,s:o,s:o}", "topic", t->name,
				     "partition", (int)p->partition, "replicas",
				     r, "log_dirs", d));
	}
	doc = json_pack("{s:i,s:o}", "version", 1, "partitions", parts);
	return doc;
}

void ra_step_name(char *buf, size_t len, int width, size_t step,
		  const char *topic, bool rollback)
{
	snprintf(buf, len, "%0*zu-%s%s.json", width, step, topic,
		 rollback ? ".rollback" : "");
}

/* The throttle of one step (t) or of every step (t NULL): a share of the
 * slowest link among the brokers that send or receive its copies.  0 and
 * the broker whose link is unknown in *why_id, or the rate. */
struct ra_throttle {
	bool known;
	int64_t bytes_per_s;
	int64_t mbps;
	int32_t broker; /* the slowest, or the one unknown */
	bool any;	/* a broker is involved at all */
};

/* Whether p's plan places a replica on a broker new to it (data moves),
 * as opposed to a reordering. */
static bool copies(const struct ra_partition *p)
{
	int k, j;

	for (k = 0; k < p->n; k++) {
		for (j = 0; j < p->n && p->replicas[j] != p->planned[k]; j++)
			;
		if (j == p->n)
			return true;
	}
	return false;
}

static void throttle_topic(const struct ra_cluster *c, const struct ra_topic *t,
			   struct ra_throttle *th)
{
	int i, k, pass;

	for (i = 0; i < t->n_parts; i++) {
		const struct ra_partition *p = &t->parts[i];

		if (!copies(p))
			continue;
		for (pass = 0; pass < 2; pass++)
			for (k = 0; k < p->n; k++) {
				const struct ra_broker *b = ra_broker_find(
				    c, pass ? p->planned[k] : p->replicas[k]);
				bool slower =
				    th->known && (!b->nic_mbps.known ||
						  b->nic_mbps.v < th->mbps ||
						  (b->nic_mbps.v == th->mbps &&
						   b->id < th->broker));

				/* An unknown link makes the rate unknown:
				 * the first one met is named. */
				if (!th->any || slower) {
					th->known = b->nic_mbps.known;
					th->mbps = b->nic_mbps.v;
					th->broker = b->id;
				}
				th->any = true;
			}
	}
}

static void throttle_rate(struct ra_throttle *th, int pct)
{
	/* Mb/s is 10^6 bits a second, as the kernel reports link speed. */
	th->bytes_per_s = th->known ? th->mbps * 1000000 / 8 * pct / 100 : 0;
}

static json_t *jnum(const struct ra_num *n)
{
	return n->known ? json_integer(n->v) : json_null();
}

static const char *racks_text(const struct ra_plan_result *r, char *buf,
			      size_t len)
{
	if (r->racks == RA_RACKS_UNKNOWN)
		snprintf(buf, len,
			 "racks unknown (a broker names none): no rack rule");
	else if (r->racks == RA_RACKS_FEW)
		snprintf(buf, len,
			 "%d racks: no two replicas of a partition in one "
			 "rack, except in topics whose replication factor "
			 "exceeds %d",
			 r->n_racks, r->n_racks);
	else
		snprintf(buf, len,
			 "%d racks: no two replicas of a partition in one rack",
			 r->n_racks);
	return buf;
}

static void throttle_text(const struct ra_throttle *th, int pct, char *buf,
			  size_t len)
{
	if (!th->any)
		snprintf(buf, len, "none needed (no data moves)");
	else if (!th->known)
		snprintf(buf, len, "unknown: link speed of broker %d unknown",
			 th->broker);
	else
		snprintf(buf, len,
			 "%lld bytes/s (%d%% of %lld Mb/s, broker %d)",
			 (long long)th->bytes_per_s, pct, (long long)th->mbps,
			 th->broker);
}

static json_t *throttle_json(const struct ra_throttle *th)
{
	return json_pack(
	    "{s:o,s:o,s:o}", "bytes_per_s",
	    th->any && th->known ? json_integer(th->bytes_per_s) : json_null(),
	    "slowest_broker", th->any ? json_integer(th->broker) : json_null(),
	    "why",
	    !th->any ? json_string("no data moves")
	    : !th->known
		? json_sprintf("link speed of broker %d is unknown", th->broker)
		: json_null());
}

static void num_text(const struct ra_num *n, char *buf, size_t len)
{
	if (n->known)
		snprintf(buf, len, "%lld", (long long)n->v);
	else
		snprintf(buf, len, "unknown");
}

void ra_summary_print(const struct ra_cluster *c, const struct ra_plan_opts *po,
		      const struct ra_plan_result *r, const size_t *idx,
		      size_t n, const struct ra_summary_opts *so, FILE *out)
{
	struct ra_throttle all = {0};
	struct ra_num copy_total = {0, true};
	json_t *doc = NULL, *steps = json_array();
	char f[RA_TOPIC_NAME_MAX + 32], rb[RA_TOPIC_NAME_MAX + 32], a[64],
	    b[64], tb[128], buf[256];
	size_t i, unknown_steps = 0;
	int64_t reordered = 0;

	if (!so->json) {
		fprintf(out, "cluster %s: %s\n", c->name,
			racks_text(r, buf, sizeof buf));
		if (po->drain)
			fprintf(out, "drain: broker %d ends with no replica\n",
				po->drain_id);
	}
	for (i = 0; i < n; i++) {
		const struct ra_topic *t = &c->topics[idx[i]];
		struct ra_throttle th = {0};
		struct ra_num copy = {0, false};

		if (t->moved == 0)
			copy.known = true;
		else if (t->replica_bytes.known)
			copy = (struct ra_num){t->moved * t->replica_bytes.v,
					       true};
		if (copy.known)
			copy_total.v += copy.v;
		else
			unknown_steps++;
		reordered += t->reordered;
		if (t->moved > 0) {
			throttle_topic(c, t, &th);
			throttle_topic(c, t, &all);
		}
		throttle_rate(&th, so->throttle_percent);
		ra_step_name(f, sizeof f, so->name_width, i + 1, t->name,
			     false);
		ra_step_name(rb, sizeof rb, so->name_width, i + 1, t->name,
			     true);
		if (so->json) {
			json_array_append_new(
			    steps,
			    json_pack(
				"{s:i,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:I,s:I,"
				"s:o,s:o,s:b,s:I}",
				"step", (int)(i + 1), "topic", t->name, "file",
				f, "rollback", rb, "retention_ms",
				jnum(&t->retention_ms), "retention_bytes",
				jnum(&t->retention_bytes), "bytes",
				jnum(&t->bytes), "replica_bytes",
				jnum(&t->replica_bytes), "partitions",
				(json_int_t)t->changed, "replicas_moved",
				(json_int_t)t->moved, "leaders_only",
				(json_int_t)t->reordered, "bytes_to_copy",
				jnum(&copy), "throttle", throttle_json(&th),
				"balanced_after", t->balanced,
				"under_replicated",
				(json_int_t)t->under_replicated));
			continue;
		}
		num_text(&t->retention_ms, a, sizeof a);
		num_text(&t->retention_bytes, b, sizeof b);
		fprintf(out, "step %zu: %s (rollback %s)\n", i + 1, f, rb);
		fprintf(out,
			"  topic %s, retention.ms %s, retention.bytes %s\n",
			t->name, a, b);
		num_text(&t->bytes, a, sizeof a);
		num_text(&copy, b, sizeof b);
		fprintf(out,
			"  %lld partitions, %lld replicas moved, %lld leader "
			"changes only; topic %s bytes, %s bytes to copy\n",
			(long long)t->changed, (long long)t->moved,
			(long long)t->reordered, a, b);
		throttle_text(&th, so->throttle_percent, tb, sizeof tb);
		fprintf(out, "  throttle: %s\n", tb);
		if (!t->balanced)
			fprintf(out,
				"  note: still unbalanced after this "
				"step: the rack rule leaves no legal move\n");
		if (t->under_replicated > 0)
			fprintf(out,
				"  note: %lld partitions under-replicated: "
				"wait for the ISR before this step\n",
				(long long)t->under_replicated);
	}
	throttle_rate(&all, so->throttle_percent);
	copy_total.known = unknown_steps == 0;
	if (so->json) {
		doc = json_pack(
		    "{s:s,s:s,s:o,s:b,s:o,s:{s:i,s:s},s:o,s:{s:I,s:I,s:o,s:I},"
		    "s:o,s:i}",
		    "cluster", c->name, "state",
		    c->state == RA_STATE_COMPLETE  ? "complete"
		    : c->state == RA_STATE_PARTIAL ? "partial"
						   : "none",
		    "out", so->out_dir ? json_string(so->out_dir) : json_null(),
		    "balanced", n == 0, "drain",
		    po->drain ? json_integer(po->drain_id) : json_null(),
		    "racks", "count", r->n_racks, "rule",
		    r->racks == RA_RACKS_ON    ? "every topic"
		    : r->racks == RA_RACKS_FEW ? "topics whose replication "
						 "factor fits"
					       : "none: racks unknown",
		    "steps", steps, "totals", "replicas_moved",
		    (json_int_t)r->moved, "leaders_only", (json_int_t)reordered,
		    "bytes_to_copy",
		    copy_total.known ? json_integer(copy_total.v) : json_null(),
		    "steps_of_unknown_size", (json_int_t)unknown_steps,
		    "throttle", throttle_json(&all), "throttle_percent",
		    so->throttle_percent);
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);

		fprintf(out, "%s\n", text ? text : "null");
		free(text);
		json_decref(doc);
		return;
	}
	json_decref(steps);
	if (n == 0) {
		fprintf(out, c->n_topics
				 ? "balanced: nothing to move\n"
				 : "no topics known: nothing to move\n");
		return;
	}
	num_text(&copy_total, a, sizeof a);
	throttle_text(&all, so->throttle_percent, tb, sizeof tb);
	fprintf(out,
		"total: %zu step%s, %lld replicas moved, %lld leader changes "
		"only, %s bytes to copy",
		n, n == 1 ? "" : "s", (long long)r->moved, (long long)reordered,
		a);
	if (unknown_steps)
		fprintf(out,
			" (%zu step%s of unknown replica size; the others "
			"%lld bytes)",
			unknown_steps, unknown_steps == 1 ? "" : "s",
			(long long)copy_total.v);
	fprintf(out, "\nthrottle: %s\n", tb);
	fprintf(out,
		so->out_dir ? "written to %s: apply one step at a time "
			      "with kafka-reassign-partitions --execute "
			      "--throttle, then --verify\n"
			    : "%snot written (no --out DIR)\n",
		so->out_dir ? so->out_dir : "");
}
