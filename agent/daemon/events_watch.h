/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events_watch.h — one kernel event source on kagentd's loop, told to the
 * report jobs as a generation: the loop bumps it at each change, a job
 * that finds the generation it read a fact at reuses that fact.  The
 * rtnetlink socket (events_link.h) and mountinfo (events_mounts.h) are
 * each one of these, with their own callback.
 */
#ifndef KAGENT_EVENTS_WATCH_H
#define KAGENT_EVENTS_WATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct events_watch {
	int fd; /* -1: not watched, every job reads the fact */
	uv_poll_t poll;
	bool poll_on;
	/* Written on the loop, read by the job on the pool thread. */
	_Atomic uint64_t gen;
};

void events_watch_init(struct events_watch *w);
/* Polls fd (which w owns from now on, even on failure) for events on
 * loop, calling cb with the poll's data set to data; the generation is
 * then 1.  0 or a negative errno (then w stays unwatched). */
int events_watch_start(uv_loop_t *loop, struct events_watch *w, int fd,
		       int events, uv_poll_cb cb, void *data);
/* Unwatched from now on (generation 0); fd is closed. */
void events_watch_stop(struct events_watch *w);
/* A change was heard. */
void events_watch_bump(struct events_watch *w);
/* The generation, or 0 when nothing watches: 0 never matches a kept one. */
uint64_t events_watch_gen(const struct events_watch *w);

#endif
