/* kagentd's ZooKeeper probe for zookeeper.live: started for each full
 * report, its last result kept with its time. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "zk_live.h"

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_done(struct zk_probe *p, const struct zk_status *st, void *data)
{
	struct zk_live *z = data;

	(void)p;
	z->status = *st;
	async_probe_done(&z->kept, wall_ms());
	z->ready(z->arg);
}

void zk_live_init(struct zk_live *z, void (*ready)(void *arg), void *arg)
{
	memset(z, 0, sizeof *z);
	async_probe_init(&z->kept);
	z->ready = ready;
	z->arg = arg;
}

void zk_live_target(struct zk_live *z, const char *host, int port)
{
	snprintf(z->host, sizeof z->host, "%s", host);
	z->port = port;
}

/* It never waits for a probe left running from before, nor when none
 * could start: the report then goes with the last kept result and its
 * age, or "not probed yet" and why. */
bool zk_live_hold(struct zk_live *z, uv_loop_t *loop)
{
	struct async_probe *k = &z->kept;
	int r;

	if (z->port <= 0)
		return false;
	if (k->running)
		return k->for_report;
	if (k->for_report) { /* its probe has ended: go */
		k->for_report = false;
		return false;
	}
	r = zk_probe_start(loop, &z->probe, z->host, z->port,
			   ZK_LIVE_TIMEOUT_MS, on_done, z);
	if (r < 0) {
		async_probe_start_failed(k, uv_strerror(r));
		return false;
	}
	k->running = k->for_report = true;
	return true;
}

void zk_live_fill(const struct zk_live *z, struct async_meta *meta,
		  struct zk_status *st)
{
	*meta = z->kept.meta;
	meta->in_flight = z->kept.running;
	if (meta->have)
		*st = z->status;
}
