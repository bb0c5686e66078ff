/* SPDX-License-Identifier: Apache-2.0 */
/* inotify on kagentd's loop: the files it reads change by events
 * (events_files.h).  The facts cache does not take its generation yet: it
 * still stats each file every call (facts_cache.c), since the paths are
 * found by the gather on the job's thread, not known to the loop. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "events_files.h"

void events_files_init(struct events_files *e)
{
	memset(e, 0, sizeof *e);
	e->fd = -1;
	atomic_store(&e->gen, 0);
}

int events_files_open(struct events_files *e)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -errno;
	e->fd = fd;
	return 0;
}

int events_files_add(struct events_files *e, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t dlen;
	int wd;

	if (e->n >= EVENTS_FILES_MAX)
		return -ENOSPC;
	if (*name == '\0' || strlen(name) >= EVENTS_FILES_NAME_MAX)
		return -ENAMETOOLONG;
	if (!slash) {
		dlen = 1;
		memcpy(dir, ".", 2);
	} else {
		dlen = slash == path ? 1 : (size_t)(slash - path);
		if (dlen >= sizeof dir)
			return -ENAMETOOLONG;
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	/* A second file of one directory gets the same wd back. */
	wd = inotify_add_watch(e->fd, dir, EVENTS_FILES_MASK);
	if (wd < 0)
		return -errno;
	e->files[e->n].wd = wd;
	snprintf(e->files[e->n].name, sizeof e->files[e->n].name, "%s", name);
	e->n++;
	return 0;
}

static uint32_t all_of(size_t n)
{
	return n >= 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
}

int events_files_parse(const struct events_files_entry *files, size_t n,
		       const void *buf, size_t len, uint32_t *changed)
{
	const unsigned char *p = buf;
	size_t off = 0, i;

	*changed = 0;
	while (off < len) {
		struct inotify_event ev;
		const char *name;

		if (len - off < sizeof ev)
			return -EINVAL;
		memcpy(&ev, p + off, sizeof ev);
		if (ev.len > len - off - sizeof ev)
			return -EINVAL;
		name = (const char *)(p + off + sizeof ev);
		off += sizeof ev + ev.len;
		/* A lost event, or a directory gone or moved: its files may
		 * be anything now. */
		if (ev.mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF |
			       IN_MOVE_SELF | IN_UNMOUNT)) {
			*changed |= all_of(n);
			continue;
		}
		if (ev.len == 0 || strnlen(name, ev.len) == ev.len)
			continue;
		for (i = 0; i < n && i < 32; i++)
			if (files[i].wd == ev.wd &&
			    strcmp(files[i].name, name) == 0)
				*changed |= UINT32_C(1) << i;
	}
	return 0;
}

int events_files_drain(struct events_files *e, uint32_t *changed)
{
	/* inotify_event holds an int: the buffer is aligned for it. */
	int buf[4096 / sizeof(int)];

	*changed = 0;
	for (;;) {
		ssize_t n = read(e->fd, buf, sizeof buf);
		uint32_t c;
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		r = events_files_parse(e->files, e->n, buf, (size_t)n, &c);
		if (r < 0)
			return r;
		*changed |= c;
	}
}

static void on_readable(uv_poll_t *p, int status, int events)
{
	struct events_files *e = p->data;
	uint32_t changed = 0;
	int r;

	(void)events;
	r = status < 0 ? status : events_files_drain(e, &changed);
	if (changed != 0 || r < 0)
		atomic_fetch_add(&e->gen, 1);
	if (r < 0) {
		/* Nothing more will be heard: back to reading every time. */
		events_files_stop(e);
	}
}

int events_files_start(uv_loop_t *loop, struct events_files *e)
{
	int r = e->fd < 0 ? -EBADF : 0;

	if (r == 0)
		r = uv_poll_init(loop, &e->poll, e->fd);
	if (r == 0) {
		e->poll.data = e;
		e->poll_on = true;
		r = uv_poll_start(&e->poll, UV_READABLE, on_readable);
	}
	if (r < 0) {
		events_files_stop(e);
		return r;
	}
	/* Gen 1: the first job reads the files and keeps them at this. */
	atomic_store(&e->gen, 1);
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct events_files *e = h->data;

	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

void events_files_stop(struct events_files *e)
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

uint64_t events_files_gen(const struct events_files *e)
{
	return atomic_load(&e->gen);
}
