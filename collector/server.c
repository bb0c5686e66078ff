/* The collector as a whole: coll_init binds the agents' listener (its
 * connections are conn.c's) and the HTTP one, starts the batch commit
 * after each loop turn and the timer that judges the fleet, and answers
 * the signals (SIGHUP reloads, SIGINT and SIGTERM stop); coll_stop and
 * coll_free take it down. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "core_log.h"
#include "fleet_cache.h"
#include "hostport.h"

#define COLL_RBUF_LEN (64u * 1024)
#define COLL_BACKLOG  1024
/* How often the fleet checks are judged and their changes recorded. */
#define COLL_JUDGE_MS 10000
/* The judge's refresh decodes changed hosts for about this long a loop
 * turn, between which the agents' reads and acks go on. */
#define COLL_JUDGE_SLICE_NS (2u * 1000 * 1000)

int64_t coll_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_flush(uv_check_t *h)
{
	coll_flush(h->data);
}

/* The fleet checks change when hosts report or fall silent; their
 * history is recorded from here, not from a view that may never be
 * asked for. */
static void on_judge_step(uv_idle_t *h)
{
	struct collector *c = h->data;
	struct coll_fleet_cache *fc = coll_store_fleet_cache(c->store);
	const struct check_results *r;
	const struct coll_fleet *f;
	int64_t now = coll_now_ms();
	size_t i;
	int rc;

	/* The fleet cache decodes only what changed since the last read,
	 * and judges a cluster again only after a change. */
	if (fc == NULL) {
		uv_idle_stop(h);
		return;
	}
	coll_fcache_thresholds(fc, &c->cfg.fleet);
	rc = coll_fcache_slice(fc, c->store, now, COLL_JUDGE_SLICE_NS, &f);
	if (rc == 1)
		return;
	uv_idle_stop(h);
	if (rc < 0)
		return;
	for (i = 0; i < f->n_clusters; i++)
		if (coll_fcache_judge(fc, f->clusters[i], &r) == 0)
			coll_store_checks_update(c->store, "cluster",
						 f->clusters[i], r, now, NULL);
	coll_store_flush(c->store);
}

/* A judgement still under way when the timer fires again goes on. */
static void on_judge(uv_timer_t *t)
{
	struct collector *c = t->data;

	uv_idle_start(&c->judge_step, on_judge_step);
}

int coll_server_start(struct collector *c, const struct sockaddr *addr)
{
	struct coll_listener *l = &c->agents;
	int r;

	l->data = c;
	l->name = "agents";
	l->on_accept = coll_conn_accept;
	l->on_expire = coll_conn_expire;
	l->max_pending = c->cfg.max_pending;
	l->max_pending_addr = c->cfg.max_pending_per_address;
	l->timeout_ms = c->cfg.handshake_timeout_ms;
	c->ctr.port[COLL_PORT_AGENTS] = &l->ctr;
	r = coll_listener_start(l, c->loop, addr, COLL_BACKLOG);
	if (r < 0)
		return r;
	uv_check_init(c->loop, &c->flush);
	c->flush.data = c;
	uv_check_start(&c->flush, on_flush);
	uv_timer_init(c->loop, &c->judge);
	c->judge.data = c;
	uv_idle_init(c->loop, &c->judge_step);
	c->judge_step.data = c;
	uv_timer_start(&c->judge, on_judge, 1000, COLL_JUDGE_MS);
	return 0;
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct collector *c = h->data;

	if (signum != SIGHUP) {
		core_notify_send(&c->notify, "STOPPING=1");
		coll_stop(c);
		return;
	}
	coll_reload_signal(c);
}

int coll_init(struct collector *c, uv_loop_t *loop, struct coll_store *store,
	      const struct coll_config *cfg, char *err, size_t errlen)
{
	const char *listen = cfg->listen, *http = cfg->http;
	struct sockaddr_storage la, ha;
	char why[320];
	int r;

	memset(c, 0, sizeof *c);
	c->notify.fd = -1;
	c->loop = loop;
	c->store = store;
	c->cfg = *cfg;
	c->started_ms = coll_now_ms();
	TAILQ_INIT(&c->ack_q);
	TAILQ_INIT(&c->http_q);
	proto_lists_init(&c->lists);
	r = coll_security_init(c, err, errlen);
	if (r < 0)
		return r;
	if (proto_hostport_sockaddr(listen, &la, why, sizeof why) < 0) {
		snprintf(err, errlen, "--listen: %s", why);
		return -EINVAL;
	}
	if (proto_hostport_sockaddr(http, &ha, why, sizeof why) < 0) {
		snprintf(err, errlen, "--http: %s", why);
		return -EINVAL;
	}
	if (coll_held_init(&c->held, cfg->max_partial_bytes,
			   cfg->max_partial_bytes_per_identity) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->ctr.held = &c->held;
	c->rbuf_len = COLL_RBUF_LEN;
	c->rbuf = malloc(c->rbuf_len);
	c->env = malloc(sizeof *c->env);
	if (c->rbuf == NULL || c->env == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = coll_server_start(c, (struct sockaddr *)&la);
	if (r < 0) {
		snprintf(err, errlen, "--listen %s: %s", listen,
			 uv_strerror(r));
		return r;
	}
	r = coll_http_start(c, (struct sockaddr *)&ha);
	if (r < 0) {
		snprintf(err, errlen, "--http %s: %s", http, uv_strerror(r));
		return r;
	}
	uv_signal_init(loop, &c->sigint);
	uv_signal_init(loop, &c->sigterm);
	uv_signal_init(loop, &c->sighup);
	c->sigint.data = c->sigterm.data = c->sighup.data = c;
	uv_signal_start(&c->sigint, on_signal, SIGINT);
	uv_signal_start(&c->sigterm, on_signal, SIGTERM);
	uv_signal_start(&c->sighup, on_signal, SIGHUP);
	/* Before the privilege drop and the filter: the manager's socket
	 * may be root's, and socket(2) is not in the filter. */
	coll_notify_open(c);
	return 0;
}

static void close_one(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	/* Connections close through their stream so their memory goes;
	 * the listeners are polls. */
	if (h->type == UV_TCP) {
		proto_stream_close(h->data, "collector stopping");
		return;
	}
	uv_close(h, NULL);
}

void coll_stop(struct collector *c)
{
	if (c->stopping)
		return;
	c->stopping = true;
	if (c->store != NULL) /* NULL: PostgreSQL not reached at start */
		coll_store_flush(c->store);
	uv_walk(c->loop, close_one, c);
}

void coll_free(struct collector *c)
{
	core_notify_close(&c->notify);
	proto_lists_free(&c->lists);
	check_results_free(&c->scratch);
	free(c->env);
	free(c->rbuf);
	proto_tls_free(&c->tls);
	acl_free(&c->acl);
	coll_listener_free(&c->agents);
	coll_listener_free(&c->http);
	coll_held_free(&c->held);
}
