/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daemon_uplink.h — kagentd's side of the connection to the collector:
 * which collector of the configured list, and when (uplink_pick.c); the
 * connection itself (uplink.c, set up in uplink_setup.c); a reload's new
 * list and certificates (uplink_reconf.c); the timeouts and the states
 * that would stop reports (uplink_watch.c).  One concept, every name
 * uplink_, kept apart from daemon.h so that neither passes 500 lines;
 * daemon.h includes it, and its users include daemon.h as before.
 */
#ifndef KAGENT_DAEMON_UPLINK_H
#define KAGENT_DAEMON_UPLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "conf.h"
#include "hostport.h"
#include "proto.h"
#include "stream.h"
#include "tls.h"

/* spool.c's (daemon.h): the uplink sends what it holds. */
struct spool;

/* ---- uplink_pick.c: which collector of the list, and when ---- */

/* Why the collector in use is the one in use. */
enum uplink_why {
	UPLINK_WHY_PREFERRED = 0, /* the first of the list */
	UPLINK_WHY_FAILOVER,      /* the one before it failed */
	UPLINK_WHY_FAILBACK,      /* back on the first after a probe */
	UPLINK_WHY_RELOAD,        /* still listed, not first, after a reload */
};

struct uplink_peer {
	char addr[CONF_COLLECTOR_LEN]; /* as configured */
	char host[PROTO_HOST_MAX];
	char port[8];
	char last_error[160]; /* "" none yet */
	int64_t last_error_ms;
	uint64_t failures;
};

/* The choice among the configured collectors, a pure state machine: the
 * clock (ms, monotonic) and the random numbers come from the caller, so
 * that a test can drive it. */
struct uplink_pick {
	struct uplink_peer peer[CONF_COLLECTORS_MAX];
	size_t n;
	size_t cur;               /* the one in use or being tried */
	unsigned attempt;         /* failures since the last hello-ack */
	int64_t failback_ms;      /* how often the first is tried again */
	int64_t next_failback_ms; /* 0: none due (on the first, or not up) */
	bool probing;             /* cur is the first, tried from back */
	size_t back;
	enum uplink_why why;
	size_t why_from;          /* the collector that failed, or was left */
	char why_error[160];
	int64_t why_ms;
};

/* The collectors of ca in order; -EINVAL with err naming a bad entry
 * (conf_parse has checked them already). */
int uplink_pick_init(struct uplink_pick *p, const struct conf_agent *ca,
		     char *err, size_t errlen);
/* A reload's list (ca) replaces p's: a collector still listed keeps its
 * failures; the one in use, still listed, stays in use at its new
 * position (away from the first, the first is tried failback_ms from
 * now).  *moved: it is no longer listed, cur is the new first and its
 * connection must be left.  -EINVAL with err as uplink_pick_init. */
int uplink_pick_rebuild(struct uplink_pick *p, const struct conf_agent *ca,
			int64_t now, bool *moved, char *err, size_t errlen);
/* The connection to cur failed (why): noted on it, and the next one is
 * chosen.  Returns the delay before trying it: 0 back to the collector
 * that held while a probe of the first failed; otherwise
 * uplink_backoff_ms(attempt / n, rnd), so that a pass over the whole list
 * is made at each step of the backoff before the step doubles. */
uint64_t uplink_pick_failed(struct uplink_pick *p, int64_t now,
			    const char *why, uint32_t rnd);
/* cur answered the hello: the failures end; away from the first, its
 * next probe is due failback_ms from now. */
void uplink_pick_ok(struct uplink_pick *p, int64_t now);
/* Connected to cur (not the first) and the first's probe is due. */
bool uplink_pick_failback_due(const struct uplink_pick *p, int64_t now);
/* Leaves cur for the first; its failure brings cur back at once. */
void uplink_pick_probe(struct uplink_pick *p);
/* One sentence: why cur is in use. */
void uplink_pick_reason(const struct uplink_pick *p, int64_t now, char *buf,
			size_t len);
/* Sets in doc: collector_position (1-based), collector_reason,
 * collector_why ("preferred", "fail-over", "failback", "probe"),
 * failback_in_s (null when none is due) and collectors: [{addr, position,
 * in_use, failures, last_error, last_error_age_s}]. */
void uplink_pick_json(const struct uplink_pick *p, int64_t now, json_t *doc);

/* ---- uplink.c, uplink_setup.c: the connection to the collector ---- */

enum uplink_state {
	UPLINK_IDLE = 0,   /* no collector configured */
	UPLINK_BACKOFF,    /* waiting before the next attempt */
	UPLINK_CONNECTING, /* resolving, connecting, hello sent */
	UPLINK_CONNECTED,  /* hello acknowledged */
};

/* Reports in flight before an ack is awaited: the window the hello asks
 * for; the collector's hello-ack may grant fewer (proto/window.c). */
#define UPLINK_INFLIGHT_MAX 64
/* A connection's read buffer, allocated once by uplink_init. */
#define UPLINK_RBUF 65536
/* A connection that stays this long without its hello-ack, or with
 * reports unacknowledged and no ack, is closed and tried again: a
 * collector that stopped reading must not stop reports for good. */
#define UPLINK_HELLO_TIMEOUT_MS 10000
#define UPLINK_ACK_TIMEOUT_MS 20000

/* The last time the collector was ahead of this agent's spool. */
struct uplink_seq_reset {
	uint64_t collector_seq; /* its hello-ack */
	uint64_t agent_seq;     /* this spool's last_seq then */
	size_t renumbered;      /* unsent reports given new seqs */
	uint64_t first;         /* the seq reports continue from */
	int64_t at_ms;          /* unix ms */
};

struct uplink {
	uv_loop_t *loop;
	struct spool *spool;
	struct uplink_pick pick;
	char host[PROTO_HOST_MAX]; /* of pick's cur, copied at each attempt */
	char port[8];
	char addr[CONF_COLLECTOR_LEN]; /* as configured, for the log */
	bool switching; /* the stream closes for a failback probe */
	char host_id[CONF_HOST_ID_MAX];
	enum uplink_state state;
	uint64_t acked_seq;
	uint64_t sent_seq; /* highest sent on this connection */
	uint64_t last_sent_seq;
	int64_t last_change_ms;
	char last_error[160];
	size_t inflight;        /* sent on this connection, not acked */
	uint32_t window;        /* at most in flight: the hello-ack's */
	int64_t ack_wait_ms;    /* waiting for an ack since (loop ms); 0 not */
	uint64_t ack_timeouts;  /* connections closed for a missing ack */
	uint64_t hello_timeouts; /* ... for a missing hello-ack */
	uint64_t hello_last_seq; /* the spool's last seq the hello told */
	uint64_t seq_resets;
	struct uplink_seq_reset reset;
	uv_timer_t watch;       /* the two timeouts, while a stream is up */
	uv_getaddrinfo_t gai;
	bool resolving;
	uv_connect_t connect;
	uv_timer_t timer;
	struct proto_stream *stream; /* heap, one per connection */
	struct proto_framer framer;
	kagent_v1_Envelope *env;
	uint8_t *rbuf;
	uint8_t *frame; /* one spooled frame read back */
	bool stopping;
	/* TLS unless the configuration says insecure; a reload serves the
	 * next connection, the one up keeps its context. */
	const struct conf_agent *conf;
	struct proto_tls tls;
	bool tls_on;
	/* A reload took the collector in use off the list (uplink_reconf.c):
	 * draining, nothing more is sent and the connection closes once
	 * what is in flight is acknowledged; moving, a name resolution under
	 * way is dropped for the new first. */
	bool draining;
	bool moving;
};

/* delay = min(60 s, 1 s * 2^attempt), then a random point between half of
 * it and all of it (jitter spreads a fleet's reconnections after a
 * collector restart).  rnd is a uniform random number. */
uint64_t uplink_backoff_ms(unsigned attempt, uint32_t rnd);
/* Loads the TLS context of ca (which must outlive u) unless ca->insecure;
 * err names the file that failed.  ca->collector "" reports nowhere. */
int uplink_init(uv_loop_t *loop, struct uplink *u, struct spool *spool,
		const struct conf_agent *ca, const char *host_id, char *err,
		size_t errlen);
/* Re-reads the certificates for the next connection (SIGHUP); on error the
 * old context stays and err says why. */
int uplink_reload(struct uplink *u, char *err, size_t errlen);
/* Connected away from the first collector and its failback_interval
 * passed: closes the connection (the spool keeps what was in flight) and
 * tries the first; its failure brings the uplink back at once. */
void uplink_failback(struct uplink *u);
/* First connection attempt, now. */
void uplink_start(struct uplink *u);
/* A new report is spooled: send it when connected. */
void uplink_kick(struct uplink *u);
/* Closes every handle; the loop then ends once the others are closed. */
void uplink_stop(struct uplink *u);
const char *uplink_state_name(enum uplink_state s);

/* Resolves and connects to pick's cur now (timers stopped by the caller). */
void uplink_connect_now(struct uplink *u);

/* ---- uplink_reconf.c: a reload's [agent] for the uplink ---- */

/* What can fail, done before anything changes: the TLS context of ca
 * (none for insecure or without a collector) into *tls, *tls_on.  -errno
 * with err naming the file. */
int uplink_reconf_prepare(const struct conf_agent *ca, struct proto_tls *tls,
			  bool *tls_on, char *err, size_t errlen);
/* Takes ca (which must outlive u) and the prepared context (tls is
 * emptied; a connection up keeps the context it started with).  The
 * collector list is rebuilt (uplink_pick_rebuild): unchanged, or the one
 * in use still listed, the connection stays; otherwise it is drained and
 * closed (the spool keeps everything unacknowledged) and the new first is
 * tried at once. */
void uplink_reconf(struct uplink *u, const struct conf_agent *ca,
		   struct proto_tls *tls, bool tls_on);
/* pump's part while draining: closes the connection once nothing is in
 * flight. */
void uplink_drain(struct uplink *u);

/* ---- uplink_watch.c: states that would stop reports, made visible ---- */

/* Starts the 1 s check of both timeouts for a new connection; stopped
 * when it closes. */
void uplink_watch_start(struct uplink *u);
void uplink_watch_stop(struct uplink *u);
/* The hello-ack says the collector stored seq: when that is above the
 * spool's last seq, renumbers the spool to follow it and logs why. */
void uplink_seq_check(struct uplink *u, uint64_t seq);
/* {inflight, window_full, waiting_ack_s, ack_timeouts, hello_timeouts,
 *  seq_resets, seq_reset: null | {collector_seq, agent_seq, renumbered,
 *  at_ms}} */
json_t *uplink_status_json(const struct uplink *u);
/* What the status adds to the daemon's own fields: "uplink" above, the
 * spool's counters of loss and damage, and "warnings", one sentence for
 * each state that stops or loses reports. */
void agent_status_extend(json_t *doc, const struct uplink *u,
			 const struct spool *s);

#endif
