/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events_link.h — the kernel's word that a link, an address or a route
 * changed (rtnetlink: RTNLGRP_LINK, IPV4/IPV6_IFADDR, IPV4/IPV6_ROUTE),
 * heard on kagentd's loop.  Each batch of changes bumps a generation; a
 * job that finds the generation it read the links at reuses them instead
 * of reading /sys/class/net, /proc/net/route and fib_trie again.  A lost
 * event (the socket's buffer overran) counts as a change.
 */
#ifndef KAGENT_EVENTS_LINK_H
#define KAGENT_EVENTS_LINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "events_watch.h"

struct events_link {
	struct events_watch w; /* unwatched: every job reads the links */
};

/* A NETLINK_ROUTE socket joined to the groups above, non-blocking. */
int events_link_socket(int *fd);
/* Reads every message waiting on fd; *changes counts those that say a
 * link, address or route changed, and an overrun.  0 or a negative
 * errno (then nothing more can be read from fd). */
int events_link_drain(int fd, unsigned *changes);

void events_link_init(struct events_link *e);
/* Watches on loop; 0 or a negative errno (then e stays unwatched). */
int events_link_start(uv_loop_t *loop, struct events_link *e);
void events_link_stop(struct events_link *e);
/* The generation, or 0 when nothing watches: 0 never matches a kept one. */
uint64_t events_link_gen(const struct events_link *e);

#endif
