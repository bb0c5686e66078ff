/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink on kagentd's loop: links, addresses and routes change by
 * events, so they are read again only after one (events_link.h). */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events_link.h"

int events_link_socket(int *fd)
{
	struct sockaddr_nl sa;
	int s;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
		       RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int r = -errno;

		close(s);
		return r;
	}
	*fd = s;
	return 0;
}

static bool is_change(uint16_t type)
{
	switch (type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_NEWADDR:
	case RTM_DELADDR:
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case NLMSG_OVERRUN:
		return true;
	default:
		return false;
	}
}

int events_link_drain(int fd, unsigned *changes)
{
	/* The kernel's messages are aligned to 4 bytes. */
	uint32_t buf[8192 / sizeof(uint32_t)];

	*changes = 0;
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {buf, sizeof buf};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof from,
				    .msg_iov = &iov,
				    .msg_iovlen = 1};
		const struct nlmsghdr *h;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == ENOBUFS) {
			/* Events were dropped: whatever they said is unknown. */
			(*changes)++;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		/* Only the kernel speaks for the links; a truncated datagram
		 * lost its tail, which may have been a change. */
		if (mh.msg_namelen != sizeof from || from.nl_pid != 0)
			continue;
		if (mh.msg_flags & MSG_TRUNC) {
			(*changes)++;
			continue;
		}
		len = (int)n;
		/* NLMSG_OK spelled out: the macro compares the u32 length
		 * with an int, which clang's -Wsign-compare refuses. */
		for (h = (const struct nlmsghdr *)buf;
		     len >= (int)sizeof *h && h->nlmsg_len >= sizeof *h &&
		     h->nlmsg_len <= (unsigned)len;
		     h = NLMSG_NEXT(h, len))
			if (is_change(h->nlmsg_type))
				(*changes)++;
	}
}

void events_link_init(struct events_link *e)
{
	memset(e, 0, sizeof *e);
	e->fd = -1;
	atomic_store(&e->gen, 0);
}

static void on_readable(uv_poll_t *p, int status, int events)
{
	struct events_link *e = p->data;
	unsigned changes = 0;
	int r;

	(void)events;
	r = status < 0 ? status : events_link_drain(e->fd, &changes);
	if (changes > 0 || r < 0)
		atomic_fetch_add(&e->gen, 1);
	if (r < 0) {
		/* Nothing more will be heard: back to reading every time. */
		events_link_stop(e);
	}
}

int events_link_start(uv_loop_t *loop, struct events_link *e)
{
	int r = events_link_socket(&e->fd);

	if (r < 0)
		return r;
	r = uv_poll_init(loop, &e->poll, e->fd);
	if (r == 0) {
		e->poll.data = e;
		e->poll_on = true;
		r = uv_poll_start(&e->poll, UV_READABLE, on_readable);
	}
	if (r < 0) {
		events_link_stop(e);
		return r;
	}
	/* Gen 1: the first job reads the links and keeps them at this. */
	atomic_store(&e->gen, 1);
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct events_link *e = h->data;

	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

void events_link_stop(struct events_link *e)
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

uint64_t events_link_gen(const struct events_link *e)
{
	return atomic_load(&e->gen);
}
