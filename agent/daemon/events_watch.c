/* SPDX-License-Identifier: Apache-2.0 */
/* A kernel event source on kagentd's loop as a generation
 * (events_watch.h). */
#include <string.h>
#include <unistd.h>

#include "events_watch.h"

void events_watch_init(struct events_watch *w)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	atomic_store(&w->gen, 0);
}

int events_watch_start(uv_loop_t *loop, struct events_watch *w, int fd,
		       int events, uv_poll_cb cb, void *data)
{
	int r;

	w->fd = fd;
	r = uv_poll_init(loop, &w->poll, fd);
	if (r == 0) {
		w->poll.data = data;
		w->poll_on = true;
		r = uv_poll_start(&w->poll, events, cb);
	}
	if (r < 0) {
		events_watch_stop(w);
		return r;
	}
	/* Gen 1: the first job reads the fact and keeps it at this. */
	atomic_store(&w->gen, 1);
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct events_watch *w = h->data;

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

void events_watch_stop(struct events_watch *w)
{
	atomic_store(&w->gen, 0);
	if (w->poll_on) {
		w->poll_on = false;
		if (!uv_is_closing((uv_handle_t *)&w->poll)) {
			w->poll.data = w;
			uv_close((uv_handle_t *)&w->poll, on_closed);
		}
		return;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

void events_watch_bump(struct events_watch *w)
{
	atomic_fetch_add(&w->gen, 1);
}

uint64_t events_watch_gen(const struct events_watch *w)
{
	return atomic_load(&w->gen);
}
