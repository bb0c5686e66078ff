/* Which collector of `collector = A, B, ...` the uplink uses, and when it
 * moves: to the next one when a connection fails (connect, TLS, hello, or
 * the acks stop), to the first one again when a probe of it answers the
 * hello.  No I/O here: uplink.c feeds it the events, the loop's clock and
 * random numbers, and does what it says. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

#define ATTEMPT_CAP 1000u

int uplink_pick_init(struct uplink_pick *p, const struct conf_agent *ca,
		     char *err, size_t errlen)
{
	struct proto_hostport hp;
	size_t i;

	memset(p, 0, sizeof *p);
	p->failback_ms = ca->failback_interval_s * 1000;
	for (i = 0; i < ca->n_collectors && i < CONF_COLLECTORS_MAX; i++) {
		struct uplink_peer *e = &p->peer[i];

		if (proto_hostport_parse(ca->collectors[i], &hp, err, errlen) <
		    0)
			return -EINVAL;
		snprintf(e->addr, sizeof e->addr, "%s", ca->collectors[i]);
		snprintf(e->host, sizeof e->host, "%s", hp.host);
		snprintf(e->port, sizeof e->port, "%u", hp.port);
	}
	p->n = i;
	return 0;
}

/* The index in p of addr, or p->n. */
static size_t peer_find(const struct uplink_pick *p, const char *addr)
{
	size_t i;

	for (i = 0; i < p->n && strcmp(p->peer[i].addr, addr); i++)
		;
	return i;
}

int uplink_pick_rebuild(struct uplink_pick *p, const struct conf_agent *ca,
			int64_t now, bool *moved, char *err, size_t errlen)
{
	struct uplink_pick next;
	size_t i, j;
	int r;

	r = uplink_pick_init(&next, ca, err, errlen);
	if (r < 0)
		return r;
	/* A collector that stays keeps its failures and last error: a reload
	 * must not hide why it was left. */
	for (i = 0; i < next.n; i++) {
		j = peer_find(p, next.peer[i].addr);
		if (j == p->n)
			continue;
		memcpy(next.peer[i].last_error, p->peer[j].last_error,
		       sizeof next.peer[i].last_error);
		next.peer[i].last_error_ms = p->peer[j].last_error_ms;
		next.peer[i].failures = p->peer[j].failures;
	}
	i = p->n ? peer_find(&next, p->peer[p->cur].addr) : next.n;
	*moved = p->n > 0 && i == next.n;
	if (!*moved && p->n > 0) {
		/* The one in use stays in use: first of the new list, it is
		 * the preferred; further down, the new first is tried a
		 * failback period from now. */
		next.cur = i;
		next.attempt = p->attempt;
		next.why_ms = p->why_ms;
		if (i != 0) {
			j = peer_find(&next, p->peer[p->why_from].addr);
			next.why = p->why == UPLINK_WHY_FAILOVER && j < next.n
				       ? UPLINK_WHY_FAILOVER
				       : UPLINK_WHY_RELOAD;
			next.why_from = j < next.n ? j : 0;
			memcpy(next.why_error, p->why_error,
			       sizeof next.why_error);
			next.next_failback_ms = now + next.failback_ms;
			if (next.why == UPLINK_WHY_RELOAD)
				next.why_ms = now;
		}
	}
	*p = next;
	return 0;
}

static void note_error(struct uplink_peer *e, int64_t now, const char *why)
{
	snprintf(e->last_error, sizeof e->last_error, "%s",
		 why && why[0] ? why : "closed");
	e->last_error_ms = now;
	e->failures++;
}

uint64_t uplink_pick_failed(struct uplink_pick *p, int64_t now, const char *why,
			    uint32_t rnd)
{
	size_t from = p->cur;
	uint64_t delay;

	if (p->n == 0)
		return uplink_backoff_ms(p->attempt, rnd);
	note_error(&p->peer[from], now, why);
	p->next_failback_ms = 0;
	if (p->probing) {
		/* The first is still down: back to the one that held, at
		 * once, and the first tried again a period later.  Not a
		 * failure of the list: the backoff does not grow. */
		p->probing = false;
		p->cur = p->back;
		p->why = UPLINK_WHY_FAILOVER;
		p->why_from = from;
		snprintf(p->why_error, sizeof p->why_error, "%s",
			 p->peer[from].last_error);
		p->why_ms = now;
		return 0;
	}
	delay = uplink_backoff_ms(p->attempt / (unsigned)p->n, rnd);
	if (p->attempt < ATTEMPT_CAP)
		p->attempt++;
	p->cur = (from + 1) % p->n;
	if (p->cur == 0) {
		p->why = UPLINK_WHY_PREFERRED;
		return delay;
	}
	p->why = UPLINK_WHY_FAILOVER;
	p->why_from = from;
	snprintf(p->why_error, sizeof p->why_error, "%s",
		 p->peer[from].last_error);
	p->why_ms = now;
	return delay;
}

void uplink_pick_ok(struct uplink_pick *p, int64_t now)
{
	p->attempt = 0;
	if (p->probing) {
		p->probing = false;
		p->why = UPLINK_WHY_FAILBACK;
		p->why_from = p->back;
		p->why_ms = now;
	}
	p->next_failback_ms = p->cur != 0 ? now + p->failback_ms : 0;
}

bool uplink_pick_failback_due(const struct uplink_pick *p, int64_t now)
{
	return p->cur != 0 && !p->probing && p->next_failback_ms != 0 &&
	       now >= p->next_failback_ms;
}

void uplink_pick_probe(struct uplink_pick *p)
{
	if (p->cur == 0)
		return;
	p->back = p->cur;
	p->cur = 0;
	p->probing = true;
	p->next_failback_ms = 0;
}

static const char *why_name(const struct uplink_pick *p)
{
	if (p->probing)
		return "probe";
	switch (p->why) {
	case UPLINK_WHY_FAILOVER:
		return "fail-over";
	case UPLINK_WHY_FAILBACK:
		return "failback";
	case UPLINK_WHY_RELOAD:
		return "reload";
	default:
		return "preferred";
	}
}

void uplink_pick_reason(const struct uplink_pick *p, int64_t now, char *buf,
			size_t len)
{
	long long ago = (long long)((now - p->why_ms) / 1000);

	if (p->n == 0)
		snprintf(buf, len, "no collector configured");
	else if (p->n == 1)
		snprintf(buf, len, "the only collector");
	else if (p->probing)
		snprintf(buf, len,
			 "failback: trying the preferred again, "
			 "%s in use before",
			 p->peer[p->back].addr);
	else if (p->why == UPLINK_WHY_FAILOVER)
		snprintf(buf, len, "fail-over: %s failed %lld s ago: %s",
			 p->peer[p->why_from].addr, ago, p->why_error);
	else if (p->why == UPLINK_WHY_RELOAD)
		snprintf(buf, len, "kept across a reload %lld s ago; %s is "
			 "tried again at failback", ago, p->peer[0].addr);
	else if (p->why == UPLINK_WHY_FAILBACK)
		snprintf(buf, len, "preferred, back from %s %lld s ago",
			 p->peer[p->why_from].addr, ago);
	else
		snprintf(buf, len, "preferred");
}

void uplink_pick_json(const struct uplink_pick *p, int64_t now, json_t *doc)
{
	json_t *arr = json_array();
	char reason[512];
	size_t i;

	uplink_pick_reason(p, now, reason, sizeof reason);
	json_object_set_new(doc, "collector_position",
			    p->n ? json_integer((json_int_t)p->cur + 1)
				 : json_null());
	json_object_set_new(doc, "collector_reason", json_string(reason));
	json_object_set_new(doc, "collector_why",
			    p->n ? json_string(why_name(p)) : json_null());
	json_object_set_new(
	    doc, "failback_in_s",
	    p->next_failback_ms
		? json_integer(
		      (json_int_t)((p->next_failback_ms - now + 999) / 1000))
		: json_null());
	for (i = 0; arr && i < p->n; i++) {
		const struct uplink_peer *e = &p->peer[i];

		json_array_append_new(
		    arr,
		    json_pack(
			"{s:s s:I s:b s:I s:o s:o}", "addr", e->addr,
			"position", (json_int_t)i + 1, "in_use", i == p->cur,
			"failures", (json_int_t)e->failures, "last_error",
			e->last_error[0] ? json_string(e->last_error)
					 : json_null(),
			"last_error_age_s",
			e->last_error[0]
			    ? json_integer(
				  (json_int_t)((now - e->last_error_ms) / 1000))
			    : json_null()));
	}
	json_object_set_new(doc, "collectors", arr);
}
