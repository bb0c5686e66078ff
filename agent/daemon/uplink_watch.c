/* The states of the uplink that would stop reports without a sound, each
 * turned into a log line and a field of `kagent status`:
 *  - a connection up whose hello-ack never comes (a collector that
 *    accepts and does not read): closed after UPLINK_HELLO_TIMEOUT_MS;
 *  - reports in flight and no ack (the window stays full, nothing more
 *    is sent): closed after UPLINK_ACK_TIMEOUT_MS, and resent on the next
 *    connection;
 *  - a collector ahead of the spool (the spool was lost): its hello-ack
 *    would make every new report look stored; the spool is renumbered to
 *    follow it instead. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core_log.h"
#include "daemon.h"

#define WATCH_PERIOD_MS 1000

static void watch_fail(struct uplink *u, const char *why)
{
	if (u->stream)
		proto_stream_close(u->stream, why);
}

static void on_watch(uv_timer_t *t)
{
	struct uplink *u = t->data;
	int64_t now = (int64_t)uv_now(u->loop);
	char why[160];

	if (u->stream == NULL)
		return;
	if (u->state == UPLINK_CONNECTED &&
	    uplink_pick_failback_due(&u->pick, now)) {
		uplink_failback(u);
		return;
	}
	if (u->state == UPLINK_CONNECTING &&
	    now - u->last_change_ms >= UPLINK_HELLO_TIMEOUT_MS) {
		u->hello_timeouts++;
		snprintf(why, sizeof why, "no hello-ack within %d s",
			 UPLINK_HELLO_TIMEOUT_MS / 1000);
		watch_fail(u, why);
	} else if (u->state == UPLINK_CONNECTED && u->ack_wait_ms &&
		   now - u->ack_wait_ms >= UPLINK_ACK_TIMEOUT_MS) {
		u->ack_timeouts++;
		snprintf(why, sizeof why,
			 "no ack within %d s, %zu report(s) in flight from seq "
			 "%" PRIu64,
			 UPLINK_ACK_TIMEOUT_MS / 1000, u->inflight,
			 u->acked_seq + 1);
		watch_fail(u, why);
	}
}

void uplink_watch_start(struct uplink *u)
{
	uv_timer_start(&u->watch, on_watch, WATCH_PERIOD_MS, WATCH_PERIOD_MS);
}

void uplink_watch_stop(struct uplink *u)
{
	uv_timer_stop(&u->watch);
}

void uplink_seq_check(struct uplink *u, uint64_t seq)
{
	struct spool *s = u->spool;
	struct hw_err err = { { 0 } };
	struct timespec ts;
	uint64_t first;

	/* Judged on what the hello said, as the collector judges it: a
	 * report made since cannot be one the collector holds. */
	if (seq <= u->hello_last_seq)
		return;
	/* New seqs above every seq in the spool, so no file name is
	 * reused while renumbering. */
	first = (seq > s->last_seq ? seq : s->last_seq) + 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	u->seq_resets++;
	u->reset.collector_seq = seq;
	u->reset.agent_seq = u->hello_last_seq;
	u->reset.first = first;
	u->reset.renumbered = s->n;
	u->reset.at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	core_log(LOG_WARNING, "collector %s has stored seq %" PRIu64 " of host %s, "
		"this spool ends at seq %" PRIu64 " (spool lost or reset): "
		"reports continue from seq %" PRIu64 ", %zu unsent report(s) "
		"renumbered",
		u->addr, seq, u->host_id, u->hello_last_seq, first, s->n);
	if (first == 0 || spool_renumber(s, first, &err) < 0)
		core_log(LOG_ERR, "spool: cannot renumber: %s",
			first == 0 ? "seq space exhausted" : err.msg);
}

json_t *uplink_status_json(const struct uplink *u)
{
	int64_t now = u->loop ? (int64_t)uv_now(u->loop) : 0;
	json_t *o;

	o = json_pack("{s:I s:b s:o s:I s:I s:I}", "inflight",
		      (json_int_t)u->inflight, "window_full",
		      u->inflight >= u->window, "waiting_ack_s",
		      u->ack_wait_ms ? json_integer((now - u->ack_wait_ms) / 1000)
				     : json_null(),
		      "ack_timeouts", (json_int_t)u->ack_timeouts,
		      "hello_timeouts", (json_int_t)u->hello_timeouts,
		      "seq_resets", (json_int_t)u->seq_resets);
	if (o == NULL)
		return NULL;
	json_object_set_new(
		o, "seq_reset",
		u->seq_resets == 0
			? json_null()
			: json_pack("{s:I s:I s:I s:I}", "collector_seq",
				    (json_int_t)u->reset.collector_seq,
				    "agent_seq", (json_int_t)u->reset.agent_seq,
				    "renumbered",
				    (json_int_t)u->reset.renumbered, "at_ms",
				    (json_int_t)u->reset.at_ms));
	return o;
}

static void warn(json_t *arr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(json_t *arr, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_string(buf));
}

void agent_status_extend(json_t *doc, const struct uplink *u,
			 const struct spool *s)
{
	json_t *sp = json_object_get(doc, "spool"), *w = json_array();

	json_object_set_new(doc, "uplink", uplink_status_json(u));
	uplink_pick_json(&u->pick, u->loop ? (int64_t)uv_now(u->loop) : 0, doc);
	if (json_is_object(sp)) {
		json_object_set_new(sp, "lost", json_integer((json_int_t)s->lost));
		json_object_set_new(sp, "failing", json_boolean(s->failing));
		json_object_set_new(sp, "error", s->failing ? json_string(s->fail_why)
							    : json_null());
	}
	if (w == NULL)
		return;
	if (u->seq_resets)
		warn(w, "the collector had seq %" PRIu64 " of this host, the "
			"spool ended at %" PRIu64 ": spool lost or reset; "
			"reports continue from %" PRIu64,
		     u->reset.collector_seq, u->reset.agent_seq,
		     u->reset.first);
	if (u->inflight >= u->window)
		warn(w, "%zu reports unacknowledged: sending waits for the "
			"collector's acks", u->inflight);
	if (u->ack_timeouts || u->hello_timeouts)
		warn(w, "the collector stopped answering: %" PRIu64
			" connection(s) closed without an ack, %" PRIu64
			" without a hello-ack",
		     u->ack_timeouts, u->hello_timeouts);
	if (s->failing)
		warn(w, "the spool cannot be written (%s): %" PRIu64
			" report(s) lost", s->fail_why, s->lost);
	else if (s->lost)
		warn(w, "%" PRIu64 " report(s) lost while the spool could not "
			"be written", s->lost);
	if (s->dropped)
		warn(w, "%" PRIu64 " unsent report(s) deleted to keep the "
			"spool within spool_max", s->dropped);
	if (s->corrupt)
		warn(w, "%" PRIu64 " damaged spool file(s) skipped, first: %s",
		     s->corrupt, s->corrupt_why);
	json_object_set_new(doc, "warnings", w);
}
