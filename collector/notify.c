/* kcollectord and its service manager: READY=1 once both ports listen
 * and the filter is on, STATUS= with what it serves, WATCHDOG=1 from a
 * timer of the event loop (a loop stuck in one callback stops feeding
 * it, and systemd restarts the collector), RELOADING=1 around SIGHUP
 * (server.c) and STOPPING=1 at the end.  Outside systemd all of it is
 * silent. */
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "core_log.h"

void coll_notify_open(struct collector *c)
{
	char err[256];

	if (core_notify_open(&c->notify, err, sizeof err) < 0)
		core_log(LOG_WARNING,
			 "service manager: %s; running without "
			 "notifications",
			 err);
}

void coll_notify_status(struct collector *c)
{
	uint64_t committed = 0, rolled_back = 0;

	coll_store_counts(c->store, &committed, &rolled_back);
	core_notify_send(&c->notify,
			 "STATUS=%llu agent connection%s, %llu reports "
			 "stored, %llu reloads (%llu failed)",
			 (unsigned long long)c->ctr.connections,
			 c->ctr.connections == 1 ? "" : "s",
			 (unsigned long long)committed,
			 (unsigned long long)c->ctr.reloads,
			 (unsigned long long)c->ctr.reload_failures);
}

static void on_notify(uv_timer_t *t)
{
	struct collector *c = t->data;

	core_notify_watchdog(&c->notify);
	coll_notify_status(c);
}

void coll_notify_ready(struct collector *c)
{
	uint64_t tick;

	if (c->notify.fd < 0)
		return;
	core_notify_send(&c->notify, "READY=1");
	coll_notify_status(c);
	uv_timer_init(c->loop, &c->t_notify);
	c->t_notify.data = c;
	tick = core_notify_tick_ms(&c->notify);
	uv_timer_start(&c->t_notify, on_notify, tick, tick);
}
