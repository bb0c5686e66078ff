/* SPDX-License-Identifier: Apache-2.0 */
/* The reassignment planner: per topic, the fewest replica moves that
 * bring every eligible broker (registered, not drained) within one
 * replica of the topic's mean, then the fewest reorderings that bring
 * preferred leaders within one of theirs.  No I/O; every choice is
 * ordered by count and then broker id, so one input gives one plan.
 *
 * Why the moves are minimal: with R replicas over N brokers, q = R / N,
 * "within one of the mean" is every count in [q, q+1] (the sum then puts
 * exactly R % N brokers at q+1).  Every replica above q+1, and every one
 * on a drained broker, must leave (L1); every slot below q must be filled
 * (L2); no plan moves fewer than max(L1, L2).  A replica that must leave
 * goes first to a broker below q, so each move lowers L1 and L2 together
 * while both last, and the plan moves exactly max(L1, L2) when no rack or
 * membership rule blocks a move. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reassign.h"

struct pl {
	const struct ra_cluster *c;
	const bool *elig;
	const int *rack; /* rack index per broker index; -1 unknown */
	int64_t *cnt;	 /* planned replicas per broker index */
	int64_t *lead;	 /* planned preferred leaders per broker index */
	int *prev, *queue;
	struct ra_partition **via;
	bool rack_rule;
	int nb;
};

static int bidx(const struct pl *s, int32_t id)
{
	return (int)(ra_broker_find(s->c, id) - s->c->brokers);
}

static bool has(const struct ra_partition *p, int32_t id)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->planned[i] == id)
			return true;
	return false;
}

/* Whether broker index b may take the replica at pos of p. */
static bool fits(const struct pl *s, const struct ra_partition *p, int pos,
		 int b)
{
	int i;

	if (has(p, s->c->brokers[b].id))
		return false;
	if (!s->rack_rule)
		return true;
	for (i = 0; i < p->n; i++)
		if (i != pos && s->rack[bidx(s, p->planned[i])] == s->rack[b])
			return false;
	return true;
}

static void place(struct pl *s, struct ra_partition *p, int pos, int b)
{
	s->cnt[bidx(s, p->planned[pos])]--;
	p->planned[pos] = s->c->brokers[b].id;
	s->cnt[b]++;
}

/* One replica from broker d to broker r, preferring a partition d does
 * not lead (leadership then stays put).  Whether one could move. */
static bool move_one(struct pl *s, struct ra_topic *t, int d, int r)
{
	int32_t did = s->c->brokers[d].id;
	int pass, i, pos;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < t->n_parts; i++) {
			struct ra_partition *p = &t->parts[i];

			for (pos = pass ? 0 : 1; pos < (pass ? 1 : p->n); pos++)
				if (p->planned[pos] == did &&
				    fits(s, p, pos, r)) {
					place(s, p, pos, r);
					return true;
				}
		}
	return false;
}

/* Brokers in the order they give or take: a < b when a comes first. */
struct order {
	const struct pl *s;
	bool give;
};

static bool before(const struct order *o, int a, int b)
{
	const struct pl *s = o->s;

	if (o->give && s->elig[a] != s->elig[b])
		return !s->elig[a]; /* drained brokers give first */
	if (s->cnt[a] != s->cnt[b])
		return o->give ? s->cnt[a] > s->cnt[b] : s->cnt[a] < s->cnt[b];
	return a < b;
}

static int sorted(const struct pl *s, bool give, int *out, int n)
{
	struct order o = {s, give};
	int i, j, k;

	/* Insertion: the candidates are a few brokers of one topic. */
	for (i = 1; i < n; i++) {
		k = out[i];
		for (j = i; j > 0 && before(&o, k, out[j - 1]); j--)
			out[j] = out[j - 1];
		out[j] = k;
	}
	return n;
}

/* One move that lowers the imbalance: from a broker that must give (it
 * is drained, or above q+1) to one below q, else to one at q; failing
 * that (a rack or a partition's own replicas block it), from any broker
 * above q to one below q.  False when balanced or when no legal move is
 * left. */
static bool step(struct pl *s, struct ra_topic *t, int64_t q, int *gv, int *tk)
{
	int ng = 0, nt = 0, ntq = 0, b, i, j;

	for (b = 0; b < s->nb; b++) {
		if (!s->elig[b] ? s->cnt[b] > 0 : s->cnt[b] > q + 1)
			gv[ng++] = b;
		if (s->elig[b] && s->cnt[b] < q)
			tk[nt++] = b;
	}
	sorted(s, true, gv, ng);
	sorted(s, false, tk, nt);
	if (ng > 0) {
		for (b = 0; b < s->nb; b++)
			if (s->elig[b] && s->cnt[b] == q)
				tk[nt + ntq++] = b;
		for (i = 0; i < ng; i++)
			for (j = 0; j < nt + ntq; j++)
				if (move_one(s, t, gv[i], tk[j]))
					return true;
	}
	if (nt == 0)
		return false;
	for (ng = 0, b = 0; b < s->nb; b++)
		if (s->elig[b] && s->cnt[b] > q)
			gv[ng++] = b;
	sorted(s, true, gv, ng);
	for (i = 0; i < ng; i++)
		for (j = 0; j < nt; j++)
			if (move_one(s, t, gv[i], tk[j]))
				return true;
	return false;
}

/* Moves one replica of each partition whose racks repeat to a rack it
 * lacks; the broker that gives is a drained one, else the fullest. */
static int fix_racks(struct pl *s, struct ra_topic *t)
{
	int i, a, b, best, give;

	for (i = 0; i < t->n_parts; i++) {
		struct ra_partition *p = &t->parts[i];

		for (a = 0; a < p->n; a++) {
			int ra = bidx(s, p->planned[a]);
			bool dup = false;

			for (b = 0; b < p->n; b++)
				dup |=
				    b != a && s->rack[bidx(s, p->planned[b])] ==
						  s->rack[ra];
			if (!dup)
				continue;
			give = a;
			for (b = a + 1; b < p->n; b++) {
				int rb = bidx(s, p->planned[b]);
				struct order o = {s, true};

				if (s->rack[rb] == s->rack[ra] &&
				    before(&o, rb, bidx(s, p->planned[give])))
					give = b;
			}
			best = -1;
			for (b = 0; b < s->nb; b++)
				if (s->elig[b] && fits(s, p, give, b) &&
				    (best < 0 || s->cnt[b] < s->cnt[best]))
					best = b;
			if (best < 0)
				return -ENOSPC;
			place(s, p, give, best);
		}
	}
	return 0;
}

/* Shifts one preferred leadership along the shortest chain of partitions
 * from a broker with too many (src) to one with room (dst); each link
 * swaps a partition's first replica with a follower, moving no data. */
static bool lead_step(struct pl *s, struct ra_topic *t, int64_t lo, int64_t hi)
{
	bool over = false, under = false;
	int head = 0, tail = 0, b, i, k, x, found = -1;

	for (b = 0; b < s->nb; b++) {
		over |= s->elig[b] && s->lead[b] > hi;
		under |= s->elig[b] && s->lead[b] < lo;
		s->prev[b] = -2;
	}
	if (!over && !under)
		return false;
	for (b = 0; b < s->nb; b++)
		if (s->elig[b] && (over ? s->lead[b] > hi : s->lead[b] > lo))
			s->prev[b] = -1, s->queue[tail++] = b;
	while (head < tail && found < 0) {
		x = s->queue[head++];
		for (i = 0; i < t->n_parts && found < 0; i++) {
			struct ra_partition *p = &t->parts[i];

			if (p->planned[0] != s->c->brokers[x].id)
				continue;
			for (k = 1; k < p->n && found < 0; k++) {
				int y = bidx(s, p->planned[k]);

				if (!s->elig[y] || s->prev[y] != -2)
					continue;
				s->prev[y] = x;
				s->via[y] = p;
				s->queue[tail++] = y;
				if (over ? s->lead[y] < hi : s->lead[y] < lo)
					found = y;
			}
		}
	}
	if (found < 0)
		return false;
	s->lead[found]++;
	for (b = found; s->prev[b] >= 0; b = s->prev[b]) {
		struct ra_partition *p = s->via[b];

		for (k = 1; p->planned[k] != s->c->brokers[b].id; k++)
			;
		p->planned[k] = p->planned[0];
		p->planned[0] = s->c->brokers[b].id;
		if (s->prev[s->prev[b]] < 0)
			s->lead[s->prev[b]]--;
	}
	return true;
}

bool ra_partition_changed(const struct ra_partition *p)
{
	return memcmp(p->replicas, p->planned,
		      (size_t)p->n * sizeof *p->planned) != 0;
}

static void tally(struct ra_topic *t)
{
	int i, k, j;

	t->moved = t->reordered = t->changed = 0;
	for (i = 0; i < t->n_parts; i++) {
		const struct ra_partition *p = &t->parts[i];
		int64_t m = 0;

		if (!ra_partition_changed(p))
			continue;
		t->changed++;
		for (k = 0; k < p->n; k++) {
			for (j = 0; j < p->n && p->replicas[j] != p->planned[k];
			     j++)
				;
			m += j == p->n;
		}
		t->moved += m;
		t->reordered += m == 0;
	}
}

static int plan_topic(struct pl *s, struct ra_topic *t,
		      struct ra_plan_result *r, int *gv, int *tk)
{
	int64_t total = 0, q, lq, hi;
	int i, k, b, n = r->n_eligible;
	bool balanced = true;

	memset(s->cnt, 0, (size_t)s->nb * sizeof *s->cnt);
	memset(s->lead, 0, (size_t)s->nb * sizeof *s->lead);
	for (i = 0; i < t->n_parts; i++)
		for (k = 0; k < t->parts[i].n; k++, total++)
			s->cnt[bidx(s, t->parts[i].planned[k])]++;
	s->rack_rule = r->racks != RA_RACKS_UNKNOWN && r->n_racks >= t->rf;
	if (s->rack_rule && fix_racks(s, t) < 0) {
		snprintf(r->err, sizeof r->err,
			 "topic %s: no broker in a rack its partitions lack",
			 t->name);
		return -ENOSPC;
	}
	q = total / n;
	while (step(s, t, q, gv, tk))
		;
	for (b = 0; b < s->nb; b++) {
		if (!s->elig[b] && s->cnt[b] > 0) {
			snprintf(r->err, sizeof r->err,
				 "topic %s: broker %d cannot be drained: no "
				 "broker%s left to take its %lld replica%s",
				 t->name, s->c->brokers[b].id,
				 s->rack_rule ? " in a rack" : "",
				 (long long)s->cnt[b],
				 s->cnt[b] == 1 ? "" : "s");
			return -ENOSPC;
		}
		balanced &=
		    !s->elig[b] || (s->cnt[b] >= q && s->cnt[b] <= q + 1);
	}
	for (i = 0; i < t->n_parts; i++)
		s->lead[bidx(s, t->parts[i].planned[0])]++;
	lq = t->n_parts / n;
	hi = lq + (t->n_parts % n != 0);
	while (lead_step(s, t, lq, hi))
		;
	for (b = 0; b < s->nb; b++)
		balanced &=
		    !s->elig[b] || (s->lead[b] >= lq && s->lead[b] <= hi);
	t->balanced = balanced;
	tally(t);
	r->moved += t->moved;
	return 0;
}

/* Eligibility and rack indexes of the cluster's brokers; the rack rule
 * holds only when every eligible broker names its rack. */
static int plan_brokers(struct pl *s, const struct ra_plan_opts *o, bool *elig,
			int *rack, struct ra_plan_result *r)
{
	const struct ra_cluster *c = s->c;
	bool unknown = false;
	int b, a;

	for (b = 0; b < s->nb; b++) {
		elig[b] = c->brokers[b].registered &&
			  !(o->drain && c->brokers[b].id == o->drain_id);
		rack[b] = -1;
		if (!c->brokers[b].rack_known) {
			unknown |= elig[b];
			continue;
		}
		for (a = 0; a < b; a++)
			if (rack[a] >= 0 &&
			    strcmp(c->brokers[a].rack, c->brokers[b].rack) == 0)
				break;
		rack[b] = a < b ? rack[a] : b;
	}
	for (b = 0; b < s->nb; b++) {
		r->n_eligible += elig[b];
		for (a = 0; a < b && !(elig[a] && rack[a] == rack[b]); a++)
			;
		r->n_racks += elig[b] && rack[b] >= 0 && a == b;
	}
	r->racks = unknown || r->n_racks == 0 ? RA_RACKS_UNKNOWN : RA_RACKS_ON;
	if (r->n_eligible == 0) {
		snprintf(r->err, sizeof r->err,
			 "no registered broker left to hold replicas");
		return -ENOSPC;
	}
	return 0;
}

/* A replica on a broker that is down, and not being drained, would be
 * planned around as if gone: the operator says which with --drain. */
static int plan_check_down(const struct pl *s, const struct ra_plan_opts *o,
			   struct ra_plan_result *r)
{
	const struct ra_cluster *c = s->c;
	size_t ti;
	int i, k;

	for (ti = 0; ti < c->n_topics; ti++)
		for (i = 0; i < c->topics[ti].n_parts; i++)
			for (k = 0; k < c->topics[ti].parts[i].n; k++) {
				int b =
				    bidx(s, c->topics[ti].parts[i].replicas[k]);

				if (c->brokers[b].registered ||
				    (o->drain &&
				     c->brokers[b].id == o->drain_id))
					continue;
				r->failed_topic = ti;
				snprintf(r->err, sizeof r->err,
					 "topic %s: broker %d holds replicas "
					 "but is not registered (down?): "
					 "bring it back, or --drain it",
					 c->topics[ti].name, c->brokers[b].id);
				return -EHOSTDOWN;
			}
	return 0;
}

int ra_plan(struct ra_cluster *c, const struct ra_plan_opts *o,
	    struct ra_plan_result *r)
{
	struct pl s = {.c = c, .nb = (int)c->n_brokers};
	size_t n = c->n_brokers + 1, ti;
	bool *elig = calloc(n, sizeof *elig);
	int *rack = calloc(n, sizeof *rack), *gv = calloc(n, sizeof *gv),
	    *tk = calloc(n, sizeof *tk);
	int rc = -ENOMEM;

	memset(r, 0, sizeof *r);
	s.cnt = calloc(n, sizeof *s.cnt);
	s.lead = calloc(n, sizeof *s.lead);
	s.prev = calloc(n, sizeof *s.prev);
	s.queue = calloc(n, sizeof *s.queue);
	s.via = calloc(n, sizeof *s.via);
	s.elig = elig;
	s.rack = rack;
	if (!elig || !rack || !gv || !tk || !s.cnt || !s.lead || !s.prev ||
	    !s.queue || !s.via) {
		snprintf(r->err, sizeof r->err, "out of memory");
		goto out_free;
	}
	if (o->drain && ra_broker_find(c, o->drain_id) == NULL) {
		snprintf(r->err, sizeof r->err,
			 "--drain %d: no such broker in cluster %s",
			 o->drain_id, c->name);
		rc = -EINVAL;
		goto out_free;
	}
	if ((rc = plan_brokers(&s, o, elig, rack, r)) < 0 ||
	    (rc = plan_check_down(&s, o, r)) < 0)
		goto out_free;
	for (ti = 0; ti < c->n_topics; ti++)
		if (c->topics[ti].rf > r->n_racks && r->racks == RA_RACKS_ON)
			r->racks = RA_RACKS_FEW;
	for (ti = 0; ti < c->n_topics; ti++) {
		if (c->topics[ti].rf > r->n_eligible && c->topics[ti].n_parts) {
			r->failed_topic = ti;
			snprintf(r->err, sizeof r->err,
				 "topic %s: replication factor %d needs %d "
				 "brokers, %d are left",
				 c->topics[ti].name, c->topics[ti].rf,
				 c->topics[ti].rf, r->n_eligible);
			rc = -ENOSPC;
			goto out_free;
		}
		rc = plan_topic(&s, &c->topics[ti], r, gv, tk);
		if (rc < 0) {
			r->failed_topic = ti;
			goto out_free;
		}
	}
	rc = 0;
out_free:
	free(s.via);
	free(s.queue);
	free(s.prev);
	free(s.lead);
	free(s.cnt);
	free(tk);
	free(gv);
	free(rack);
	free(elig);
	return rc;
}
