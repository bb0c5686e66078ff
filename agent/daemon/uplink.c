/* The connection to the collector: resolve, connect, TLS (unless the
 * configuration says insecure; the hello waits in the stream until the
 * handshake is done), hello, wait for the
 * hello-ack (the last seq the collector stored), then send the spooled
 * reports above it in order, a bounded number in flight, and drop each one
 * the collector acknowledges.  Any failure closes the connection and
 * retries, on the next collector of the list (uplink_pick.c), after a
 * jittered exponential backoff.  Away from the first collector, the
 * connection is closed every failback_interval to try the first again;
 * the spool keeps what was in flight for whichever answers.  What lives
 * across the connections (TLS context, buffers, timers) is set up and
 * torn down in uplink_setup.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_log.h"
#include "daemon.h"

#define BACKOFF_BASE_MS 1000u
#define BACKOFF_MAX_MS 60000u
/* Writes the collector has not read; beyond it the connection is dead. */
#define UPLINK_QUEUED_MAX (8u << 20)

static void schedule_retry(struct uplink *u);
static void pump(struct uplink *u);
static void connect_now(struct uplink *u);

uint64_t uplink_backoff_ms(unsigned attempt, uint32_t rnd)
{
	uint64_t full = BACKOFF_MAX_MS, half;

	if (attempt < 6)
		full = (uint64_t)BACKOFF_BASE_MS << attempt;
	if (full > BACKOFF_MAX_MS)
		full = BACKOFF_MAX_MS;
	half = full / 2;
	return half + (uint64_t)rnd % (full - half + 1);
}

const char *uplink_state_name(enum uplink_state s)
{
	switch (s) {
	case UPLINK_BACKOFF:
		return "backoff";
	case UPLINK_CONNECTING:
		return "connecting";
	case UPLINK_CONNECTED:
		return "connected";
	default:
		return "idle";
	}
}

static void set_state(struct uplink *u, enum uplink_state s, const char *why)
{
	if (u->state != s || (why && why[0]))
		/* A reason is a failure the operator should see; a state
		 * change without one is the normal course. */
		core_log(why && why[0] ? LOG_WARNING : LOG_INFO,
			 "collector %s: %s%s%s", u->addr,
			uplink_state_name(s), why && why[0] ? ": " : "",
			why ? why : "");
	u->state = s;
	u->last_change_ms = (int64_t)uv_now(u->loop);
}

static void on_stream_close(struct proto_stream *s, const char *why)
{
	struct uplink *u = s->data;
	struct hw_err err = { { 0 } };

	/* What was sent and not acknowledged waits on disk from now on. */
	if (spool_flush(u->spool, INT64_MAX, &err) < 0)
		core_log(LOG_ERR, "spool: %s", err.msg);

	/* why lives in the stream: keep it before the stream goes.  A
	 * close for a failback probe is no failure of the collector. */
	if (!u->stopping && !u->switching)
		snprintf(u->last_error, sizeof u->last_error, "%s",
			 why[0] ? why : "closed");
	free(s);
	u->stream = NULL;
	u->draining = false;
	u->inflight = 0;
	u->window = UPLINK_INFLIGHT_MAX;
	u->ack_wait_ms = 0;
	uplink_watch_stop(u);
	proto_framer_free(&u->framer);
	if (u->stopping)
		return;
	if (u->switching) {
		u->switching = false;
		connect_now(u);
		return;
	}
	schedule_retry(u);
}

static void fail(struct uplink *u, const char *fmt, const char *arg)
{
	char why[160];

	snprintf(why, sizeof why, fmt, arg);
	if (u->stream)
		proto_stream_close(u->stream, why);
}

static int send_envelope(struct uplink *u, const kagent_v1_Envelope *e)
{
	uint8_t buf[PROTO_FRAME_HDR + kagent_v1_Hello_size + 16];
	struct hw_err err = { { 0 } };
	size_t len;
	int r;

	r = proto_envelope_encode(e, buf, sizeof buf, &len, &err);
	if (r < 0)
		return r;
	return proto_stream_write(u->stream, buf, len);
}

static void on_ack(struct uplink *u, const kagent_v1_Ack *a)
{
	struct hw_err err = { { 0 } };
	uint64_t seq = a->seq;
	char why[64];

	/* The hello-ack says how many reports may be in flight. */
	if (u->state == UPLINK_CONNECTING &&
	    proto_window_agreed(a, UPLINK_INFLIGHT_MAX, &u->window) < 0) {
		snprintf(why, sizeof why, "%u", (unsigned)a->window);
		fail(u, "the collector grants a window of %s reports", why);
		return;
	}

	/* Before spool_ack: a collector ahead of the spool would otherwise
	 * take the unsent reports for stored ones. */
	if (u->state == UPLINK_CONNECTING)
		uplink_seq_check(u, seq);
	if (seq > u->acked_seq)
		u->acked_seq = seq;
	spool_ack(u->spool, seq, &err);
	u->ack_wait_ms = 0;
	if (u->state == UPLINK_CONNECTING) {
		/* The collector holds everything up to seq: resend from there. */
		u->sent_seq = seq;
		uplink_pick_ok(&u->pick, (int64_t)uv_now(u->loop));
		u->last_error[0] = '\0';
		set_state(u, UPLINK_CONNECTED, NULL);
	}
	pump(u);
}

static int on_frame(void *arg, const uint8_t *p, size_t len)
{
	struct uplink *u = arg;
	struct hw_err err = { { 0 } };
	char why[160];

	if (proto_envelope_decode(p, len, u->env, NULL, &err) < 0) {
		fail(u, "bad frame from the collector: %s", err.msg);
		return -EBADMSG;
	}
	switch (u->env->which_msg) {
	case kagent_v1_Envelope_ack_tag:
		on_ack(u, &u->env->msg.ack);
		return 0;
	case kagent_v1_Envelope_error_tag:
		snprintf(why, sizeof why, "error %d: %s",
			 (int)u->env->msg.error.code, u->env->msg.error.message);
		fail(u, "collector says %s", why);
		return -ECONNABORTED;
	default:
		fail(u, "unexpected %s from the collector",
		     proto_envelope_kind(u->env));
		return -EPROTO;
	}
}

static void on_read(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	struct uplink *u = s->data;
	int r;

	r = proto_framer_feed(&u->framer, buf, len, on_frame, u);
	if (r < 0 && u->framer.err)
		fail(u, "%s", u->framer.why);
}

/* Sends spooled reports above sent_seq while fewer than the bound are
 * unacknowledged.  Every spooled entry is unacknowledged, so those at or
 * below sent_seq are the ones in flight.  A report whose file is damaged
 * is skipped (counted, logged): the ones after it still go. */
static void pump(struct uplink *u)
{
	struct hw_err err = { { 0 } };
	size_t i, inflight = 0, len;
	int r;

	if (u->state != UPLINK_CONNECTED || u->stream == NULL)
		return;
	if (u->draining) {
		uplink_drain(u);
		return;
	}
	for (i = 0; i < u->spool->n;) {
		if (u->spool->v[i].seq <= u->sent_seq) {
			inflight++;
			i++;
			continue;
		}
		if (inflight >= u->window)
			break;
		r = spool_read(u->spool, i, u->frame, SPOOL_BUF_MAX, &len, &err);
		if (r == -EBADMSG) {
			spool_drop_corrupt(u->spool, i, err.msg);
			continue;
		}
		if (r < 0) {
			core_log(LOG_ERR, "spool: %s", err.msg);
			fail(u, "%s", "cannot read the spool");
			return;
		}
		r = proto_stream_write(u->stream, u->frame, len);
		if (r < 0) {
			fail(u, "write: %s", strerror(-r));
			return;
		}
		u->sent_seq = u->spool->v[i].seq;
		if (u->sent_seq > u->last_sent_seq)
			u->last_sent_seq = u->sent_seq;
		inflight++;
		i++;
	}
	u->inflight = inflight;
	if (inflight == 0)
		u->ack_wait_ms = 0;
	else if (u->ack_wait_ms == 0)
		u->ack_wait_ms = (int64_t)uv_now(u->loop);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct uplink *u = req->data;
	kagent_v1_Envelope e;
	int r;

	if (status < 0) {
		fail(u, "connect: %s", uv_strerror(status));
		return;
	}
	/* SNI and the name checked in the collector's certificate are the
	 * host as configured (an address is checked as an address). */
	r = u->tls_on ? proto_stream_tls_start(u->stream, &u->tls, false, u->host)
		      : proto_stream_start(u->stream);
	memset(&e, 0, sizeof e);
	e.which_msg = kagent_v1_Envelope_hello_tag;
	e.msg.hello.protocol_version = PROTO_VERSION;
	snprintf(e.msg.hello.host_id, sizeof e.msg.hello.host_id, "%s",
		 u->host_id);
	snprintf(e.msg.hello.agent_version, sizeof e.msg.hello.agent_version,
		 "%s", KAGENT_VERSION);
	e.msg.hello.last_acked_seq = u->acked_seq;
	/* Lets the collector see, and count, a spool that was lost. */
	e.msg.hello.has_last_seq = true;
	e.msg.hello.last_seq = u->spool->last_seq;
	e.msg.hello.has_window = true;
	e.msg.hello.window = UPLINK_INFLIGHT_MAX;
	u->hello_last_seq = u->spool->last_seq;
	if (r == 0)
		r = send_envelope(u, &e);
	if (r < 0)
		fail(u, "hello: %s", strerror(-r));
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *ai)
{
	struct uplink *u = req->data;
	int r;

	u->resolving = false;
	if (u->stopping || u->moving) {
		uv_freeaddrinfo(ai);
		/* A reload took this collector off the list meanwhile. */
		if (u->moving && !u->stopping) {
			u->moving = false;
			connect_now(u);
		}
		return;
	}
	if (status < 0) {
		snprintf(u->last_error, sizeof u->last_error, "resolve %s: %s",
			 u->host, uv_strerror(status));
		schedule_retry(u);
		return;
	}
	u->stream = malloc(sizeof *u->stream);
	if (u->stream == NULL) {
		uv_freeaddrinfo(ai);
		snprintf(u->last_error, sizeof u->last_error, "out of memory");
		schedule_retry(u);
		return;
	}
	proto_framer_init(&u->framer, 0);
	r = proto_stream_init(u->loop, u->stream, u, u->rbuf, UPLINK_RBUF,
			      UPLINK_QUEUED_MAX, on_read, on_stream_close);
	if (r < 0) {
		free(u->stream);
		u->stream = NULL;
		uv_freeaddrinfo(ai);
		snprintf(u->last_error, sizeof u->last_error, "tcp: %s",
			 uv_strerror(r));
		schedule_retry(u);
		return;
	}
	u->connect.data = u;
	uplink_watch_start(u);
	r = uv_tcp_connect(&u->connect, &u->stream->tcp, ai->ai_addr, on_connect);
	uv_freeaddrinfo(ai);
	if (r < 0)
		fail(u, "connect: %s", uv_strerror(r));
}

static void connect_now(struct uplink *u)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_family = AF_UNSPEC };
	const struct uplink_peer *e = &u->pick.peer[u->pick.cur];
	int r;

	snprintf(u->addr, sizeof u->addr, "%s", e->addr);
	snprintf(u->host, sizeof u->host, "%s", e->host);
	snprintf(u->port, sizeof u->port, "%s", e->port);
	set_state(u, UPLINK_CONNECTING, NULL);
	u->gai.data = u;
	r = uv_getaddrinfo(u->loop, &u->gai, on_resolved, u->host, u->port,
			   &hints);
	if (r < 0) {
		snprintf(u->last_error, sizeof u->last_error, "resolve: %s",
			 uv_strerror(r));
		schedule_retry(u);
		return;
	}
	u->resolving = true;
}

static void on_timer(uv_timer_t *t)
{
	connect_now(t->data);
}

void uplink_connect_now(struct uplink *u)
{
	connect_now(u);
}

static void schedule_retry(struct uplink *u)
{
	size_t from = u->pick.cur;
	uint64_t delay = uplink_pick_failed(&u->pick, (int64_t)uv_now(u->loop),
					    u->last_error, (uint32_t)random());

	set_state(u, UPLINK_BACKOFF, u->last_error);
	if (u->pick.cur != from)
		core_log(LOG_NOTICE, "collector %s next, position %zu of %zu, "
			 "in %" PRIu64 " ms",
			 u->pick.peer[u->pick.cur].addr, u->pick.cur + 1,
			 u->pick.n, delay);
	uv_timer_start(&u->timer, on_timer, delay, 0);
}

void uplink_failback(struct uplink *u)
{
	if (u->stream == NULL || u->state != UPLINK_CONNECTED)
		return;
	core_log(LOG_NOTICE, "collector %s: failback: trying %s, the "
		 "preferred, again", u->addr, u->pick.peer[0].addr);
	uplink_pick_probe(&u->pick);
	u->switching = true;
	proto_stream_close(u->stream, "failback");
}

void uplink_kick(struct uplink *u)
{
	pump(u);
}
