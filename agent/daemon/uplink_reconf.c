/* SPDX-License-Identifier: Apache-2.0 */
/* A reload of kagent.conf as the uplink sees it: new certificates for the
 * next connection, and a new collector list.  Leaving a collector that is
 * no longer listed is a clean close, not a failure: nothing more is sent
 * to it, the reports in flight get their acks (or the ack timeout ends
 * the wait), then the connection closes and the new first is tried at
 * once.  Waiting for the acks keeps a report from being stored by both
 * collectors; the spool keeps whatever was not acknowledged. */
#include <stdio.h>
#include <string.h>

#include "core_log.h"
#include "daemon.h"

int uplink_reconf_prepare(const struct conf_agent *ca, struct proto_tls *tls,
			  bool *tls_on, char *err, size_t errlen)
{
	struct proto_tls_config tc;
	int r;

	memset(tls, 0, sizeof *tls);
	*tls_on = false;
	if (ca->n_collectors == 0 || ca->insecure)
		return 0;
	memset(&tc, 0, sizeof tc);
	tc.ca = ca->tls_ca;
	tc.cert = ca->tls_cert;
	tc.key = ca->tls_key;
	r = proto_tls_init(tls, &tc, err, errlen);
	if (r < 0)
		return r;
	*tls_on = true;
	return 0;
}

void uplink_drain(struct uplink *u)
{
	size_t i, inflight = 0;

	for (i = 0; i < u->spool->n; i++)
		if (u->spool->v[i].seq <= u->sent_seq)
			inflight++;
	u->inflight = inflight;
	if (inflight > 0)
		return;
	core_log(LOG_NOTICE, "collector %s: every report sent to it is "
		 "acknowledged; closing for %s", u->addr,
		 u->pick.peer[u->pick.cur].addr);
	u->draining = false;
	u->switching = true;
	proto_stream_close(u->stream, "no longer listed");
}

/* The collector in use left the list: see the file's head. */
static void uplink_move(struct uplink *u)
{
	core_log(LOG_NOTICE, "reload: collector %s is no longer listed; "
		 "moving to %s", u->addr, u->pick.peer[u->pick.cur].addr);
	if (u->stream && u->state == UPLINK_CONNECTED) {
		u->draining = true;
		uplink_drain(u);
	} else if (u->stream) {
		/* No hello-ack yet: nothing was sent on it. */
		u->switching = true;
		proto_stream_close(u->stream, "no longer listed");
	} else if (u->resolving) {
		u->moving = true;
	} else {
		uv_timer_stop(&u->timer);
		uplink_connect_now(u);
	}
}

void uplink_reconf(struct uplink *u, const struct conf_agent *ca,
		   struct proto_tls *tls, bool tls_on)
{
	bool moved = false, was_idle = u->pick.n == 0;
	char err[320];

	u->conf = ca;
	/* SSL_new took a reference for the connection up. */
	proto_tls_free(&u->tls);
	u->tls = *tls;
	u->tls_on = tls_on;
	memset(tls, 0, sizeof *tls);
	if (uplink_pick_rebuild(&u->pick, ca, (int64_t)uv_now(u->loop), &moved,
				err, sizeof err) < 0) {
		/* conf_parse checked every entry: not expected. */
		core_log(LOG_ERR, "reload: collector list: %s (old list kept)",
			 err);
		return;
	}
	if (u->stopping)
		return;
	if (was_idle && u->pick.n > 0) {
		core_log(LOG_NOTICE, "reload: reporting to %s from now on",
			 u->pick.peer[0].addr);
		uplink_connect_now(u);
	} else if (moved) {
		uplink_move(u);
	}
}
