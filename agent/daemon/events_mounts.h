/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events_mounts.h — the kernel's word that the mount table changed:
 * /proc/self/mountinfo polls POLLPRI (and POLLERR) after a mount, an
 * unmount or a remount in kagentd's mount namespace (proc(5)).  Polling
 * is what takes the event: the file need not be read.  It says nothing
 * of how full a filesystem is, so df's sizes are still read each time;
 * what the table holds (which filesystem is mounted where, its type and
 * options) is read again only after an event.
 */
#ifndef KAGENT_EVENTS_MOUNTS_H
#define KAGENT_EVENTS_MOUNTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "events_watch.h"

struct events_mounts {
	struct events_watch w; /* unwatched: every job reads the mount table */
};

/* path's mountinfo (/proc/self/mountinfo on the host), opened read-only;
 * 0 or a negative errno. */
int events_mounts_open(const char *path, int *fd);
/* Whether the table changed since the last call, waiting at most
 * timeout_ms (0: not at all); 0 or a negative errno. */
int events_mounts_changed(int fd, int timeout_ms, bool *changed);

void events_mounts_init(struct events_mounts *e);
/* Watches path on loop; 0 or a negative errno (then e stays unwatched). */
int events_mounts_start(uv_loop_t *loop, struct events_mounts *e,
			const char *path);
void events_mounts_stop(struct events_mounts *e);
/* The generation, or 0 when nothing watches: 0 never matches a kept one. */
uint64_t events_mounts_gen(const struct events_mounts *e);

#endif
