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
	events_watch_init(&e->w);
}

static void on_event(uv_poll_t *p, int status, int events)
{
	struct events_mounts *e = p->data;

	(void)events;
	/* epoll's poll of the file took the event already. */
	events_watch_bump(&e->w);
	if (status < 0) {
		/* Nothing more will be heard: back to reading every time. */
		events_mounts_stop(e);
	}
}

int events_mounts_start(uv_loop_t *loop, struct events_mounts *e,
			const char *path)
{
	bool changed;
	int fd = -1, r = events_mounts_open(path, &fd);

	if (r < 0)
		return r;
	/* The first poll reports the table as changed: take that now. */
	r = events_mounts_changed(fd, 0, &changed);
	if (r < 0) {
		close(fd);
		return r;
	}
	return events_watch_start(loop, &e->w, fd, UV_PRIORITIZED, on_event, e);
}

void events_mounts_stop(struct events_mounts *e)
{
	events_watch_stop(&e->w);
}

uint64_t events_mounts_gen(const struct events_mounts *e)
{
	return events_watch_gen(&e->w);
}
