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

/* STATUS= is refreshed this often when no watchdog sets a shorter tick. */
#define COLL_NOTIFY_STATUS_MS 10000

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

	if (c->notify.watchdog_usec)
		core_notify_send(&c->notify, "WATCHDOG=1");
	coll_notify_status(c);
}

void coll_notify_ready(struct collector *c)
{
	uint64_t tick = COLL_NOTIFY_STATUS_MS;

	if (c->notify.fd < 0)
		return;
	core_notify_send(&c->notify, "READY=1");
	coll_notify_status(c);
	/* Half the watchdog's period, as sd_watchdog_enabled(3) advises:
	 * one late tick must not cost a restart. */
	if (c->notify.watchdog_usec && c->notify.watchdog_usec / 2000 < tick)
		tick = c->notify.watchdog_usec / 2000;
	if (tick == 0)
		tick = 1;
	uv_timer_init(c->loop, &c->t_notify);
	c->t_notify.data = c;
	uv_timer_start(&c->t_notify, on_notify, tick, tick);
}
