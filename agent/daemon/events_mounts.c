/* SPDX-License-Identifier: Apache-2.0 */
/* mountinfo's POLLPRI on kagentd's loop: the mount table changes by
 * events, so it is read again only after one (events_mounts.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "events_mounts.h"

int events_mounts_open(const char *path, int *fd)
{
	int f = open(path, O_RDONLY | O_CLOEXEC);

	if (f < 0)
		return -errno;
	*fd = f;
	return 0;
}

int events_mounts_changed(int fd, int timeout_ms, bool *changed)
{
	struct pollfd p = {fd, POLLPRI, 0};
	int n;

	*changed = false;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n > 0 && (p.revents & POLLNVAL))
		return -EBADF;
	/* The kernel says a change with POLLPRI and POLLERR together. */
	*changed = n > 0 && (p.revents & (POLLPRI | POLLERR));
	return 0;
}

void events_mounts_init(struct events_mounts *e)
{
	memset(e, 0, sizeof *e);
	e->fd = -1;
	atomic_store(&e->gen, 0);
}

static void on_event(uv_poll_t *p, int status, int events)
{
	struct events_mounts *e = p->data;

	(void)events;
	/* epoll's poll of the file took the event already. */
	atomic_fetch_add(&e->gen, 1);
	if (status < 0) {
		/* Nothing more will be heard: back to reading every time. */
		events_mounts_stop(e);
	}
}

int events_mounts_start(uv_loop_t *loop, struct events_mounts *e,
			const char *path)
{
	bool changed;
	int r = events_mounts_open(path, &e->fd);

	/* The first poll reports the table as changed: take that now. */
	if (r == 0)
		r = events_mounts_changed(e->fd, 0, &changed);
	if (r == 0)
		r = uv_poll_init(loop, &e->poll, e->fd);
	if (r == 0) {
		e->poll.data = e;
		e->poll_on = true;
		r = uv_poll_start(&e->poll, UV_PRIORITIZED, on_event);
	}
	if (r < 0) {
		events_mounts_stop(e);
		return r;
	}
	/* Gen 1: the first job reads the table and keeps it at this. */
	atomic_store(&e->gen, 1);
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct events_mounts *e = h->data;

	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

void events_mounts_stop(struct events_mounts *e)
{
	atomic_store(&e->gen, 0);
	if (e->poll_on) {
		e->poll_on = false;
		if (!uv_is_closing((uv_handle_t *)&e->poll)) {
			e->poll.data = e;
			uv_close((uv_handle_t *)&e->poll, on_closed);
		}
		return;
	}
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

uint64_t events_mounts_gen(const struct events_mounts *e)
{
	return atomic_load(&e->gen);
}
