/*
 * zk_live.h — kagentd's probe of its own ZooKeeper server for
 * zookeeper.live, run on the loop for each full report and kept between
 * them (async_probe.h): the report waits for the probe started for it,
 * which ends within ZK_LIVE_TIMEOUT_MS, and goes with the kept result and
 * its age otherwise.
 */
#ifndef KAGENT_ZK_LIVE_H
#define KAGENT_ZK_LIVE_H

#include <stdbool.h>
#include <uv.h>

#include "async_probe.h"
#include "zk_probe.h"

#define ZK_LIVE_TIMEOUT_MS 2000

struct zk_live {
	struct zk_probe probe;
	struct async_probe kept;
	struct zk_status status; /* valid when kept.meta.have */
	char host[ZK_HOST_MAX];
	int port; /* 0: the host runs no ZooKeeper we know of */
	void (*ready)(void *arg);
	void *arg;
};

/* ready(arg) is called when a probe the report waits for has ended. */
void zk_live_init(struct zk_live *z, void (*ready)(void *arg), void *arg);
/* Where the server answers, as the prober read it from zoo.cfg; port 0
 * when there is none. */
void zk_live_target(struct zk_live *z, const char *host, int port);
/* true: the full report due must wait (a probe for it is running, or was
 * just started); false: send it now, with zk_live_fill. */
bool zk_live_hold(struct zk_live *z, uv_loop_t *loop);
/* The request's copy of the kept result. */
void zk_live_fill(const struct zk_live *z, struct async_meta *meta,
		  struct zk_status *st);

#endif
