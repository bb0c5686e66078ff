/* SPDX-License-Identifier: Apache-2.0 */
/* What the uplink holds across its connections, set up at start and torn
 * down at stop: the TLS context (re-read by a reload for the next
 * connection), the buffers and the timers.  Apart from uplink.c, which
 * runs one connection at a time over them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_log.h"
#include "daemon.h"

static void tls_config_of(const struct conf_agent *ca,
			  struct proto_tls_config *out)
{
	memset(out, 0, sizeof *out);
	out->ca = ca->tls_ca;
	out->cert = ca->tls_cert;
	out->key = ca->tls_key;
}

/* The collector refuses a hello whose host id is not the certificate's:
 * say so at start rather than only in the collector's log. */
static void identity_warn(const struct uplink *u)
{
	char id[PROTO_TLS_ID_MAX];

	if (proto_tls_file_identity(u->conf->tls_cert, id, sizeof id) < 0)
		core_log(LOG_WARNING, "%s names no host identity (SAN URI "
			"kagent://host/ID or a DNS name): the collector will "
			"refuse it",
			u->conf->tls_cert);
	else if (strcmp(id, u->host_id) != 0)
		core_log(LOG_WARNING, "%s is the certificate of '%s', not of host "
			"id '%s': the collector will refuse the hello",
			u->conf->tls_cert, id, u->host_id);
}

int uplink_reload(struct uplink *u, char *err, size_t errlen)
{
	struct proto_tls_config tc;
	int r;

	if (!u->tls_on)
		return 0;
	tls_config_of(u->conf, &tc);
	r = proto_tls_reload(&u->tls, &tc, err, errlen);
	if (r == 0)
		identity_warn(u);
	return r;
}

int uplink_init(uv_loop_t *loop, struct uplink *u, struct spool *spool,
		const struct conf_agent *ca, const char *host_id, char *err,
		size_t errlen)
{
	struct proto_tls_config tc;
	int r;

	/* u->loop is set last: agent_stop stops an uplink that has one. */
	memset(u, 0, sizeof *u);
	u->spool = spool;
	u->conf = ca;
	snprintf(u->host_id, sizeof u->host_id, "%s", host_id);
	u->window = UPLINK_INFLIGHT_MAX;
	if (uplink_pick_init(&u->pick, ca, err, errlen) < 0)
		return -EINVAL;
	if (u->pick.n) {
		snprintf(u->addr, sizeof u->addr, "%s", u->pick.peer[0].addr);
		snprintf(u->host, sizeof u->host, "%s", u->pick.peer[0].host);
		snprintf(u->port, sizeof u->port, "%s", u->pick.peer[0].port);
	}
	if (u->pick.n && !ca->insecure) {
		tls_config_of(ca, &tc);
		r = proto_tls_init(&u->tls, &tc, err, errlen);
		if (r < 0)
			return r;
		u->tls_on = true;
		identity_warn(u);
	}
	u->env = malloc(sizeof *u->env);
	u->rbuf = malloc(UPLINK_RBUF);
	u->frame = malloc(SPOOL_BUF_MAX);
	if (u->env == NULL || u->rbuf == NULL || u->frame == NULL) {
		r = -ENOMEM;
		goto out_free;
	}
	r = uv_timer_init(loop, &u->timer);
	if (r == 0)
		r = uv_timer_init(loop, &u->watch);
	if (r < 0)
		goto out_free;
	u->timer.data = u;
	u->watch.data = u;
	u->loop = loop;
	return 0;

out_free:
	snprintf(err, errlen, "%s", strerror(-r));
	free(u->env);
	free(u->rbuf);
	free(u->frame);
	proto_tls_free(&u->tls);
	return r;
}

void uplink_start(struct uplink *u)
{
	if (u->host[0])
		uplink_connect_now(u);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct uplink *u = h->data;

	free(u->env);
	free(u->rbuf);
	free(u->frame);
	u->env = NULL;
	u->rbuf = u->frame = NULL;
	proto_tls_free(&u->tls);
}

void uplink_stop(struct uplink *u)
{
	u->stopping = true;
	if (u->resolving)
		uv_cancel((uv_req_t *)&u->gai);
	if (u->stream)
		proto_stream_close(u->stream, "");
	uv_close((uv_handle_t *)&u->watch, NULL);
	uv_close((uv_handle_t *)&u->timer, on_timer_closed);
}
