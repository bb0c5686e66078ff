/* SPDX-License-Identifier: Apache-2.0 */
/* A pidfd on kagentd's loop: the Java process's facts change when it
 * exits (events_proc.h).  The facts cache does not take its generation
 * yet: it still reads the pid's comm every call (facts_cache.c), since the
 * pid is found by the gather on the job's thread, not known to the loop. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "events_proc.h"

int events_proc_open(pid_t pid, int *fd)
{
	int f;

	if (pid <= 0)
		return -ESRCH;
	f = pidfd_open(pid, 0);
	if (f < 0)
		return -errno;
	*fd = f;
	return 0;
}

int events_proc_exited(int fd, int timeout_ms, bool *exited)
{
	struct pollfd p = {fd, POLLIN, 0};
	int n;

	*exited = false;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n > 0 && (p.revents & POLLNVAL))
		return -EBADF;
	*exited = n > 0 && (p.revents & (POLLIN | POLLHUP));
	return 0;
}

void events_proc_init(struct events_proc *e)
{
	memset(e, 0, sizeof *e);
	e->fd = -1;
	atomic_store(&e->gen, 0);
}

static void on_exit_event(uv_poll_t *p, int status, int events)
{
	struct events_proc *e = p->data;

	(void)status;
	(void)events;
	/* Exited (or the pidfd failed): the facts are unknown again, and
	 * the slow timer looks for the next process. */
	events_proc_stop(e);
}

int events_proc_start(uv_loop_t *loop, struct events_proc *e, pid_t pid)
{
	int r = events_proc_open(pid, &e->fd);

	if (r == 0)
		r = uv_poll_init(loop, &e->poll, e->fd);
	if (r == 0) {
		e->poll.data = e;
		e->poll_on = true;
		r = uv_poll_start(&e->poll, UV_READABLE, on_exit_event);
	}
	if (r < 0) {
		events_proc_stop(e);
		return r;
	}
	e->pid = pid;
	/* A fresh generation: never the one a job kept for another pid. */
	atomic_store(&e->gen, ++e->starts);
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct events_proc *e = h->data;

	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

void events_proc_stop(struct events_proc *e)
{
	e->pid = 0;
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

uint64_t events_proc_gen(const struct events_proc *e)
{
	return atomic_load(&e->gen);
}
