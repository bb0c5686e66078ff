/* kagentd and its service manager: READY=1 once the prober runs, the
 * control socket listens and both filters are on; STATUS= with the last
 * report and the collector's state; WATCHDOG=1 from a timer of the event
 * loop, so a loop stuck in one callback is restarted; RELOADING=1 and
 * READY=1 around SIGHUP; STOPPING=1.  Outside systemd all of it is
 * silent (core_notify.h). */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "core_log.h"
#include "daemon_int.h"

void daemon_notify_open(struct agent *a)
{
	char err[256];

	if (core_notify_open(&a->notify, err, sizeof err) < 0)
		core_log(LOG_WARNING,
			 "service manager: %s; running without notifications",
			 err);
}

void daemon_notify_status(struct agent *a)
{
	char last[64] = "no report yet", pos[48] = "";
	struct timespec ts;

	if (a->notify.fd < 0)
		return;
	/* last_report_ms is wall-clock time, as the status document's. */
	clock_gettime(CLOCK_REALTIME, &ts);
	if (a->last_report_ms)
		snprintf(last, sizeof last,
			 "last report seq %" PRIu64 " %llds ago",
			 a->spool.last_seq,
			 ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 -
			  a->last_report_ms) /
			     1000);
	/* With a list, which of it is in use: a fail-over shows in
	 * `systemctl status` too. */
	if (a->up.pick.n > 1)
		snprintf(pos, sizeof pos, " (%zu of %zu)", a->up.pick.cur + 1,
			 a->up.pick.n);
	core_notify_send(&a->notify,
			 "STATUS=%s; collector %s%s %s, acked seq %" PRIu64
			 "; spool %zu report%s%s%s%s%s",
			 last, a->up.addr[0] ? a->up.addr : "(none)", pos,
			 uplink_state_name(a->up.state), a->up.acked_seq,
			 a->spool.n, a->spool.n == 1 ? "" : "s",
			 a->reload_error[0] ? "; reload failed: " : "",
			 a->reload_error,
			 a->restart_needed[0] ? "; restart needed: " : "",
			 a->restart_needed);
}

static void on_notify(uv_timer_t *t)
{
	struct agent *a = t->data;

	core_notify_watchdog(&a->notify);
	daemon_notify_status(a);
}

void daemon_notify_ready(struct agent *a)
{
	uint64_t tick;

	if (a->notify.fd < 0)
		return;
	core_notify_send(&a->notify, "READY=1");
	daemon_notify_status(a);
	uv_timer_init(&a->loop, &a->t_notify);
	a->t_notify.data = a;
	tick = core_notify_tick_ms(&a->notify);
	uv_timer_start(&a->t_notify, on_notify, tick, tick);
}
